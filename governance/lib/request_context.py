"""Who is acting and from where, for the audit log, set per request by AuditContextMiddleware."""

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    user_id: int | None = None
    username: str = ""
    role: str = ""
    ip_address: str | None = None


_current: ContextVar[Actor | None] = ContextVar("gongzhi_actor", default=None)
_NOBODY = Actor()


def current_actor() -> Actor:
    return _current.get() or _NOBODY


def set_actor(actor: Actor):
    return _current.set(actor)


def reset_actor(token) -> None:
    _current.reset(token)


def actor_for(user, ip_address=None) -> Actor:
    if user is None or not getattr(user, "is_authenticated", False):
        return Actor(ip_address=ip_address)
    return Actor(user_id=user.pk, username=user.get_username(), role=getattr(user, "role", ""), ip_address=ip_address)


def client_ip(request) -> str | None:
    from django.conf import settings

    if getattr(settings, "AXES_IPWARE_PROXY_COUNT", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None
