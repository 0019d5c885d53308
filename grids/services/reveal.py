"""Unmasking personal data is an explicit action, and every single one is audited."""

from django.db import transaction
from django.utils.translation import gettext as _

from governance.lib.exceptions import InvalidInput
from governance.models import AuditLog
from governance.services.audit import audit_record

REVEALABLE = {
    "grids.resident": ("id_number", "phone", "emergency_phone"),
    "grids.organisation": ("contact_phone",),
    "workforce.worker": ("phone",),
    "grids.incident": ("reporter_name", "reporter_phone"),
}


@transaction.atomic
def pii_reveal(*, actor, obj, field: str) -> str:
    """Return the plaintext of `field` on `obj` (which the caller fetched through a scoped selector) and
    write one `reveal` audit row naming the field, never its value."""
    label = obj._meta.label_lower
    if field not in REVEALABLE.get(label, ()):
        raise InvalidInput(_("This field cannot be revealed. 该字段不可查看明文。"), extra={"field": field})
    if label == "grids.incident" and obj.anonymous:
        raise InvalidInput(_("The requester asked to stay anonymous to the handlers. 诉求人要求对承办人匿名。"),
                           extra={"field": field})
    audit_record(action=AuditLog.Action.REVEAL, obj=obj, detail={"field": field}, actor=None)
    return getattr(obj, field) or ""
