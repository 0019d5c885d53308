"""Audit trail wiring: every model write in our apps, every login, logout, failed login and lockout.

Writes are caught with post_save/post_delete so no service can forget them; the actor comes from the
request context (governance.lib.request_context). Values are never copied into the log: only field names."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from governance.lib.request_context import actor_for, client_ip
from governance.models import AUDIT_EXCLUDED_MODELS, AuditLog
from governance.services.audit import audit_record

AUDITED_APPS = {"governance", "grids", "workforce", "listings", "admission", "certificates", "deliberation"}


def _audited(sender) -> bool:
    meta = sender._meta
    return meta.app_label in AUDITED_APPS and meta.label_lower not in AUDIT_EXCLUDED_MODELS


@receiver(post_save)
def _audit_save(sender, instance, created, raw=False, update_fields=None, **kwargs):
    if raw or not _audited(sender) or (update_fields and set(update_fields) == {"last_login"}):
        return  # the login itself is audited as a login
    detail = {"fields": sorted(update_fields)} if update_fields else {}
    audit_record(action=AuditLog.Action.CREATE if created else AuditLog.Action.UPDATE, obj=instance, detail=detail)


@receiver(post_delete)
def _audit_delete(sender, instance, **kwargs):
    if _audited(sender):
        audit_record(action=AuditLog.Action.DELETE, obj=instance)


@receiver(m2m_changed)
def _audit_m2m(sender, instance, action, pk_set=None, **kwargs):
    if action in ("post_add", "post_remove", "post_clear") and _audited(type(instance)):
        audit_record(action=AuditLog.Action.UPDATE, obj=instance,
                     detail={"relation": sender._meta.label_lower, "change": action, "ids": sorted(pk_set or [])})


@receiver(user_logged_in)
def _audit_login(sender, request, user, **kwargs):
    audit_record(action=AuditLog.Action.LOGIN, obj=user, actor=actor_for(user, client_ip(request) if request else None))


@receiver(user_logged_out)
def _audit_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(action=AuditLog.Action.LOGOUT, obj=user,
                     actor=actor_for(user, client_ip(request) if request else None))


@receiver(user_login_failed)
def _audit_login_failed(sender, credentials, request=None, **kwargs):
    username = (credentials or {}).get("username", "")[:150]
    audit_record(action=AuditLog.Action.LOGIN_FAILED, outcome=AuditLog.Outcome.FAILURE,
                 object_type="governance.user", object_repr=username,
                 actor=_anonymous_actor(username, request))


@receiver(user_locked_out)
def _audit_locked_out(sender, request, username, ip_address, **kwargs):
    audit_record(action=AuditLog.Action.LOCKED_OUT, outcome=AuditLog.Outcome.DENIED,
                 object_type="governance.user", object_repr=(username or "")[:150],
                 actor=_anonymous_actor(username or "", request, ip_address))


def _anonymous_actor(username, request, ip_address=None):
    from governance.lib.request_context import Actor

    return Actor(username=username[:150], ip_address=ip_address or (client_ip(request) if request else None))
