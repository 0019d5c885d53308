"""Writing the audit log. Every write, login/logout, failed login, export and unmasked view lands here."""

from governance.lib.request_context import Actor, current_actor
from governance.models import AuditLog


def audit_record(
    *,
    action: str,
    obj=None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    outcome: str = AuditLog.Outcome.SUCCESS,
    detail: dict | None = None,
    actor: Actor | None = None,
) -> AuditLog:
    actor = actor or current_actor()
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        # Records of people name them only masked (张*): the audit log must not become a register itself.
        object_repr = object_repr or str(getattr(obj, "audit_repr", None) or obj)[:200]
    return AuditLog.objects.create(
        user_id=actor.user_id,
        username=actor.username,
        role=actor.role,
        ip_address=actor.ip_address,
        action=action,
        object_type=object_type,
        object_id=str(object_id)[:64],
        object_repr=object_repr[:200],
        outcome=outcome,
        detail=detail or {},
    )
