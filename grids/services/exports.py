"""Excel export of a register: the user's jurisdiction, the list page's filters, the template's headers.

ID numbers and phones are masked unless a register editor explicitly asks for full values; every export
(and every refused unmasked one) writes an `export` audit row naming the register, the row count, whether it
was unmasked and the filters, never the exported values."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.lib.exceptions import InvalidInput, NotFoundOrForbidden, PermissionDeniedError
from governance.lib.pii import mask_id_number, normalize_id_number
from governance.lib.request_context import actor_for, current_actor
from governance.models import AuditLog
from governance.services.audit import audit_record
from grids.imports.registers import get_register
from grids.imports.workbook import export_workbook
from grids.permissions import can_edit_registers, can_read_registers

# Query-string keys of the list pages that are not filters.
NON_FILTER_PARAMS = ("page", "unmasked", "format", "per_page")


@dataclass(frozen=True)
class ExportResult:
    content: bytes
    filename: str
    rows: int


def _actor(user):
    """The request's actor (with its address) when it is this user, else this user without an address."""
    actor = current_actor()
    return actor if actor.user_id == user.pk else actor_for(user)


def _filter_summary(filterset) -> dict:
    """Active filters for the audit row: ids for regions, ID-number-like search terms masked."""
    summary = {}
    for name, value in filterset.form.cleaned_data.items():
        if value in (None, "", [], ()):
            continue
        if isinstance(value, Model):
            value = value.pk
        elif isinstance(value, str) and len(normalize_id_number(value)) == 18:
            value = mask_id_number(value)
        summary[name] = value if isinstance(value, int | bool) else str(value)
    return summary


def register_export(*, actor, register: str, params, unmasked: bool = False) -> ExportResult:
    """Build the .xlsx for the filtered, scoped register. `params` is the list page's query string."""
    spec = get_register(register)
    if spec is None or not can_read_registers(actor):
        raise NotFoundOrForbidden(_("This page does not exist. 页面不存在。"))
    object_type = spec.model._meta.label_lower
    if unmasked and not can_edit_registers(actor):
        audit_record(action=AuditLog.Action.EXPORT, object_type=object_type, outcome=AuditLog.Outcome.DENIED,
                     detail={"register": spec.slug, "unmasked": True}, actor=_actor(actor))
        raise PermissionDeniedError(_("Only register editors may export full ID numbers. 仅登记编辑人员可导出完整身份证号。"))
    params = params.copy()
    for name in NON_FILTER_PARAMS:
        params.pop(name, None)
    filterset = spec.filterset_class(params or None, queryset=spec.queryset(actor), user=actor)
    if filterset.is_bound and not filterset.is_valid():
        raise InvalidInput(_("The filters are not valid; go back to the list and correct them. 筛选条件无效。"),
                           extra={"fields": filterset.errors})
    queryset = filterset.qs
    total = queryset.count()
    limit = settings.GONGZHI_IMPORT_MAX_ROWS
    if total > limit:
        raise InvalidInput(_("Too many rows to export (%(count)d; at most %(max)d, the import limit). Narrow the "
                             "filters, e.g. by region. 导出行数过多，请按区域等条件缩小范围。") % {"count": total, "max": limit})
    content, rows = export_workbook(spec.columns, spec.title, spec.export_rows(queryset, masked=not unmasked))
    audit_record(action=AuditLog.Action.EXPORT, object_type=object_type, actor=_actor(actor),
                 detail={"register": spec.slug, "rows": rows, "unmasked": bool(unmasked),
                         "filters": _filter_summary(filterset) if filterset.is_bound else {}})
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return ExportResult(content=content, filename=f"{spec.title}-{stamp}.xlsx", rows=rows)
