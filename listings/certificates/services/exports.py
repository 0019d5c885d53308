"""Excel export of the issuing register (开具台账): the user's jurisdiction, the register page's search, masked.

Names and ID numbers are masked (张*, 1101**********1234): the export is for counting and checking, and a file
travels further than a page. Every export writes one `export` audit row naming the row count and the search, never
the exported values. Cells are written formula-safe (a leading = + - @ is neutralised)."""

import io
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from governance.lib.exceptions import InvalidInput, NotFoundOrForbidden
from governance.lib.pii import mask_id_number, mask_name, normalize_id_number
from governance.models import AuditLog
from governance.services.audit import audit_record
from grids.imports.workbook import safe_text
from listings.certificates.models import CertificateRequest, RequestChannel, RequestStatus
from listings.certificates.permissions import can_read_register
from listings.certificates.selectors import register_search, request_list
from listings.certificates.services.common import audit_actor

# The file format: Chinese headers, like every register workbook.
COLUMNS = (
    ("serial", "证明编号", 26), ("community", "社区", 16), ("item", "证明事项", 24), ("applicant", "申请人", 10),
    ("id_number", "身份证号", 22), ("purpose", "用途", 24), ("channel", "申请渠道", 12), ("asked_at", "申请时间", 18),
    ("status", "状态", 10), ("issued_by", "开具人", 10), ("issued_on", "开具日期", 12), ("valid_until", "有效期至", 12),
    ("decided_at", "办理时间", 18),
)
STATUS_ZH = {RequestStatus.SUBMITTED: "待审核", RequestStatus.ISSUED: "已开具", RequestStatus.REFUSED: "不予开具",
             RequestStatus.REVOKED: "已撤销"}
CHANNEL_ZH = {RequestChannel.ONLINE: "网上申请", RequestChannel.WALK_IN: "窗口申请"}
TEXT_COLUMNS = {"serial", "id_number"}


@dataclass(frozen=True)
class ExportResult:
    content: bytes
    filename: str
    rows: int


def _local(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _row(request: CertificateRequest) -> dict:
    certificate = getattr(request, "certificate", None)
    issuer = certificate.issued_by if certificate is not None else None
    return {
        "serial": certificate.serial if certificate else "",
        "community": request.community.name,
        "item": request.item.name,
        "applicant": mask_name(request.applicant_name),
        "id_number": mask_id_number(request.applicant_id_number) if request.applicant_id_number else "",
        "purpose": request.purpose,
        "channel": CHANNEL_ZH.get(request.channel, request.channel),
        "asked_at": _local(request.created_at),
        "status": STATUS_ZH.get(request.status, request.status),
        "issued_by": mask_name(issuer.display_name) if issuer is not None else "",
        "issued_on": certificate.issued_on.isoformat() if certificate else "",
        "valid_until": certificate.valid_until.isoformat() if certificate else "",
        "decided_at": _local(request.decided_at),
    }


def _search_summary(data: dict) -> dict:
    summary = {}
    for name, value in data.items():
        if value in (None, "", [], ()):
            continue
        if isinstance(value, Model):
            value = value.pk
        elif isinstance(value, str) and len(normalize_id_number(value)) == 18:
            value = mask_id_number(value)
        summary[name] = value if isinstance(value, int | bool) else str(value)
    return summary


def _workbook(rows) -> tuple[bytes, int]:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="开具台账")
    for index, (_key, _header, width) in enumerate(COLUMNS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for _key, title, _width in COLUMNS:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    count = 0
    for values in rows:
        cells = []
        for key, _title, _width in COLUMNS:
            cell = WriteOnlyCell(sheet, value=safe_text(values[key]) if values[key] else None)
            if key in TEXT_COLUMNS:
                cell.number_format = "@"
            cells.append(cell)
        sheet.append(cells)
        count += 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), count


def register_export(*, actor, search: dict) -> ExportResult:
    """The register rows the actor may read, narrowed by the register's search (its cleaned data), as .xlsx."""
    if not can_read_register(actor):
        raise NotFoundOrForbidden(_("This page does not exist. 页面不存在。"))
    queryset = register_search(request_list(user=actor), search)
    total = queryset.count()
    limit = settings.GONGZHI_IMPORT_MAX_ROWS
    if total > limit:
        raise InvalidInput(_("Too many rows to export (%(count)d; at most %(max)d). Narrow the search, e.g. by date. "
                             "导出行数过多，请按日期等条件缩小范围。") % {"count": total, "max": limit})
    content, rows = _workbook(_row(request) for request in queryset.iterator(chunk_size=500))
    audit_record(action=AuditLog.Action.EXPORT, object_type=CertificateRequest._meta.label_lower, actor=audit_actor(actor),
                 detail={"register": "certificates", "rows": rows, "unmasked": False,
                         "filters": _search_summary(search)})
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return ExportResult(content=content, filename=f"开具台账-{stamp}.xlsx", rows=rows)
