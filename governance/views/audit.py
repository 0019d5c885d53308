"""The auditor's pages: the audit log, filtered and paginated, read-only; export to CSV or XLSX (itself audited)."""

import csv
import io
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from governance.filters import AuditLogFilterSet
from governance.models import AuditLog, Role
from governance.selectors.audit import audit_display_repr, audit_log_list, can_read_audit_log
from governance.services.audit import audit_record

PAGE_SIZE = 50
EXPORT_MAX_ROWS = 100_000
EXPORT_FORMATS = ("csv", "xlsx")
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_ROLE_LABELS = dict(Role.choices)


def _auditor_only(request) -> None:
    if not can_read_audit_log(request.user):
        raise Http404


def _detail_text(detail) -> str:
    return json.dumps(detail or {}, ensure_ascii=False, sort_keys=True, default=str)


@login_required
@require_GET
def audit_list_view(request):
    _auditor_only(request)
    filterset = AuditLogFilterSet(request.GET or None, queryset=audit_log_list(actor=request.user))
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    for row in rows:  # presentation only: no queries
        row.role_label = _ROLE_LABELS.get(row.role, row.role)
        row.detail_text = _detail_text(row.detail)
        row.display_repr = audit_display_repr(row)
    return render(request, "governance/audit/list.html", {"filterset": filterset, "page": page, "rows": rows})


# --- export -------------------------------------------------------------------------------------------

def _safe_cell(value) -> str:
    """Text a spreadsheet will not run as a formula (CSV/formula injection), without control characters."""
    text = "" if value is None else str(value)
    text = "".join(ch for ch in text if ch in "\t\n" or ord(ch) >= 32)
    if text.startswith(_FORMULA_PREFIXES):
        text = "'" + text
    return text


def _header() -> list[str]:
    return [_("Time"), _("User"), _("Role"), _("Address"), _("Action"), _("Object type"), _("Object id"),
            _("Object"), _("Outcome"), _("Detail")]


def _export_rows(queryset):
    tz = timezone.get_current_timezone()
    for row in queryset.iterator(chunk_size=2000):
        yield [_safe_cell(value) for value in (
            timezone.localtime(row.created_at, tz).strftime("%Y-%m-%d %H:%M:%S"), row.username, row.role,
            row.ip_address, row.action, row.object_type, row.object_id, audit_display_repr(row), row.outcome,
            _detail_text(row.detail),
        )]


class _Echo:
    def write(self, value):
        return value


def _csv_response(queryset, filename: str) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def stream():
        yield "\ufeff"  # BOM: spreadsheet programs then read the file as UTF-8 (Chinese text)
        yield writer.writerow(_header())
        for values in _export_rows(queryset):
            yield writer.writerow(values)

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def _xlsx_response(queryset, filename: str) -> HttpResponse:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="audit")
    sheet.append(_header())
    for values in _export_rows(queryset):
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


@login_required
@require_GET
def audit_export_view(request):
    """Export the filtered log; the export itself writes an `export` audit row first."""
    _auditor_only(request)
    export_format = request.GET.get("format", "csv")
    if export_format not in EXPORT_FORMATS:
        export_format = "csv"
    filterset = AuditLogFilterSet(request.GET or None, queryset=audit_log_list(actor=request.user))
    queryset = filterset.qs
    total = queryset.count()
    if total > EXPORT_MAX_ROWS:
        messages.error(request, _("Too many rows to export (%(count)d; at most %(max)d). Narrow the filters. "
                                  "导出行数过多，请缩小筛选范围。") % {"count": total, "max": EXPORT_MAX_ROWS})
        query = request.GET.copy()
        query.pop("format", None)
        return redirect(f"{reverse('audit:list')}?{query.urlencode()}")
    marker = audit_record(action=AuditLog.Action.EXPORT, object_type=AuditLog._meta.label_lower,
                          detail={"format": export_format, "rows": total, "filters": filterset.active_filters()})
    queryset = queryset.filter(pk__lt=marker.pk)  # exactly what was counted, not the export row itself
    filename = f"audit-log-{timezone.localtime():%Y%m%d-%H%M%S}"
    if export_format == "xlsx":
        return _xlsx_response(queryset, filename)
    return _csv_response(queryset, filename)
