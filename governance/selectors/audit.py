"""Audit log reads: the auditor's role only (系统/安全管理员 and everyone else get 404)."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from governance.lib.exceptions import NotFoundOrForbidden
from governance.lib.pii import mask_name
from governance.models import AuditLog, Role

# Rows about these objects carry a resident's name in object_repr (their __str__); the auditor reads the log,
# not residents' data, so the name is masked on the page and in exports (张三 -> 张*).
PERSONAL_OBJECT_TYPES = frozenset({"grids.resident", "grids.specialgrouprecord"})


def audit_display_repr(row: AuditLog) -> str:
    if row.object_type in PERSONAL_OBJECT_TYPES:
        return mask_name(row.object_repr)
    return row.object_repr


def can_read_audit_log(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active
                and user.role == Role.AUDITOR)


def audit_log_list(*, actor) -> QuerySet[AuditLog]:
    if not can_read_audit_log(actor):
        raise NotFoundOrForbidden(_("Not found. 未找到。"))
    return AuditLog.objects.order_by("-created_at", "-id")


def audit_object_types() -> list[str]:
    """Object types present in the log, for the filter's choices (one indexed query)."""
    return list(AuditLog.objects.exclude(object_type="").order_by("object_type")
                .values_list("object_type", flat=True).distinct())
