"""12345 hotline work orders (接诉即办): a CSV (UTF-8, with or without BOM) or .xlsx file exported by the hotline
system, imported by community or street staff.

All or nothing, and safe to repeat:
1. Read: the size, the format (xlsx through grids.imports.workbook, CSV through `csv`), the header (same
   matching rules as the register imports: aliases, "*" and "(必填)" ignored), the row count.
2. Order numbers already in the database are SKIPPED (counted, nothing about them is read or changed), so the
   same file, or tomorrow's file overlapping today's, can be uploaded again.
3. Every other row is checked: cells, category (code or exact name of an active leaf), grid (15/18-digit code in
   the importer's jurisdiction) or else an address that matches the address of exactly one grid's buildings,
   phone, lengths, order numbers repeated within the file. Any error: nothing is written; the report lists
   every error as (row, column, reason).
4. No error: ONE transaction creates every case through the lifecycle's `incident_report` (channel "hotline",
   the order number in `hotline_order_no`, whose unique constraint also settles two uploads racing) and writes
   one `import` audit row. If the service refuses any row, everything is rolled back and reported the same way.
"""

import csv
import io
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from governance.lib.exceptions import PermissionDeniedError
from governance.lib.pii import validate_phone
from grids.imports import columns as c
from grids.imports.cells import CellError, is_blank, parse_cell
from grids.imports.workbook import HEADER_SEARCH_ROWS, SheetData, WorkbookError, match_header, read_workbook
from grids.models import Building, Category, Channel, Incident, Region, RegionLevel, RequestType, Urgency

DEFAULT_MAX_ROWS = 2000  # a day's orders for a street is tens to hundreds; each row is a case + a dispatch
MAX_ERRORS = 1000
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls

COLUMNS: tuple[c.Column, ...] = (
    c.Column("order_no", "工单编号", c.DIGITS, required=True, example="GD20260512000123",
             help="12345系统的工单编号，用于识别重复导入：已导入的工单编号会被跳过。",
             header_aliases=("工单号", "工单编码", "受理编号")),
    c.Column("request_type", "诉求类型", c.CHOICE, example="投诉",
             choices=(("consult", "咨询"), ("help", "求助"), ("complaint", "投诉"), ("report", "举报"),
                      ("suggestion", "建议"), ("praise", "表扬"), ("other", "其他")),
             aliases=(("咨询类", "consult"), ("求助类", "help"), ("投诉类", "complaint"), ("举报类", "report"),
                      ("建议类", "suggestion"), ("表扬类", "praise"), ("意见建议", "suggestion")),
             help="留空按“其他”处理。"),
    c.Column("category", "诉求分类", c.DIGITS, required=True, example="010203",
             help="责任清单中最末级分类的编码或完整名称。", header_aliases=("分类", "问题分类", "分类编码")),
    c.Column("title", "标题", c.TEXT, example="小区门口路灯不亮", help="留空时取内容的第一行。",
             header_aliases=("工单标题", "诉求标题")),
    c.Column("description", "内容", c.TEXT, required=True, example="3号楼门前路灯已坏一周。",
             header_aliases=("诉求内容", "工单内容", "来电内容")),
    c.Column("grid", "所属网格", c.GRID, example="110101001001001",
             help="15位网格编码或18位微网格编码；不填时按地址匹配楼栋所在网格。",
             header_aliases=("网格编码", "所属网格编码", "网格")),
    c.Column("address", "地址", c.TEXT, example="幸福路12号3号楼", header_aliases=("事发地址", "诉求地址", "事发地点")),
    c.Column("reporter_phone", "来电号码", c.PHONE, example="13812345678", header_aliases=("联系电话", "来电电话")),
    c.Column("reporter_name", "来电人", c.TEXT, example="王女士", header_aliases=("来电人姓名", "联系人")),
    c.Column("urgency", "紧急程度", c.CHOICE, example="一般",
             choices=(("normal", "一般"), ("urgent", "紧急"), ("emergency", "特急")),
             aliases=(("普通", "normal"), ("加急", "urgent"), ("特别紧急", "emergency"), ("紧急重大", "emergency")),
             help="留空按“一般”处理。"),
)
HEADER = {column.key: column.header for column in COLUMNS}
LIMITS = {"order_no": 40, "title": 100, "description": 4000, "address": 200, "reporter_name": 64}


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


@dataclass
class HotlineResult:
    rows: int = 0
    created: list = field(default_factory=list)  # [(row, order_no, tracking_code)]
    skipped: list = field(default_factory=list)  # [(row, order_no)] already imported
    errors: list = field(default_factory=list)  # [RowError]
    file_error: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors and not self.file_error


class _Failed(Exception):
    """Raised inside the writing transaction to roll every row back."""


def max_rows() -> int:
    return int(getattr(settings, "GONGZHI_HOTLINE_MAX_ROWS", DEFAULT_MAX_ROWS))


def max_bytes() -> int:
    return int(getattr(settings, "GONGZHI_IMPORT_MAX_BYTES", 10 * 1024 * 1024))


def too_large_message() -> str:
    return _("The file is larger than %(mb)s MB; split it into smaller files. 文件超过%(mb)s MB，请拆分后上传。") % {
        "mb": f"{max_bytes() / 1024 / 1024:g}"}


# --- reading -------------------------------------------------------------------------------------------------------

def _csv_sheet(data: bytes, *, limit: int) -> SheetData:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise WorkbookError(_("The CSV file is not UTF-8. In Excel choose “Save as → CSV UTF-8”, or upload the .xlsx. "
                              "CSV文件不是UTF-8编码：请在Excel中“另存为→CSV UTF-8（逗号分隔）”，或直接上传.xlsx文件。")) from None
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error:
        raise WorkbookError(_("The CSV file could not be read. CSV文件无法读取，请检查文件格式。")) from None
    header_index, mapped, first_error = None, None, None
    for index, values in enumerate(records[:HEADER_SEARCH_ROWS]):
        try:
            mapped = match_header(values, COLUMNS)
        except WorkbookError as exc:
            first_error = first_error or exc
            continue
        header_index = index
        break
    if mapped is None:
        raise first_error or WorkbookError(_("The file has no header row. 文件没有表头。"))
    rows = []
    for index, values in enumerate(records[header_index + 1:], start=header_index + 2):
        values = tuple(values[: len(mapped)])
        if all(is_blank(value) for value, column in zip(values, mapped, strict=False) if column is not None):
            continue
        if len(rows) >= limit:
            raise _too_many(limit)
        rows.append((index, values))
    if not rows:
        raise WorkbookError(_("The file has no data rows below the header. 文件中没有数据行。"))
    return SheetData(columns=mapped, rows=rows)


def _too_many(limit: int) -> WorkbookError:
    return WorkbookError(_("The file has more than %(max)d orders; split it into smaller files. "
                           "工单超过%(max)d条，请拆分后上传。") % {"max": limit})


def hotline_read(data: bytes, *, filename: str = "") -> SheetData:
    """The upload as rows of cell values. Raises WorkbookError with a message for the user."""
    limit, size_limit = max_rows(), max_bytes()
    if len(data) > size_limit:
        raise WorkbookError(too_large_message())
    if not data.strip():
        raise WorkbookError(_("The file is empty. 文件是空的。"))
    if data.startswith(OLE_MAGIC):
        raise WorkbookError(_("Old .xls files cannot be read; save it as .xlsx or CSV UTF-8. "
                              "不支持旧版.xls文件，请另存为.xlsx或CSV UTF-8后上传。"))
    if data.startswith(XLSX_MAGIC):
        return read_workbook(data, COLUMNS, max_rows=limit, max_bytes=size_limit)
    if filename.lower().endswith(".xlsx"):
        raise WorkbookError(_("The file could not be read; upload an .xlsx file. 文件无法读取，请上传.xlsx格式的Excel文件。"))
    if b"\x00" in data[:4096]:
        raise WorkbookError(_("This is not a CSV or .xlsx file. 文件不是CSV或.xlsx格式。"))
    return _csv_sheet(data, limit=limit)


# --- checking ------------------------------------------------------------------------------------------------------

def _parse_rows(sheet: SheetData, errors: list) -> list[tuple[int, dict]]:
    parsed = []
    for number, values in sheet.rows:
        row: dict = {}
        for column, value in zip(sheet.columns, values, strict=False):
            if column is None:
                continue
            try:
                row[column.key] = parse_cell(column, value)
            except CellError as exc:
                errors.append(RowError(number, column.header, exc.message))
                row[column.key] = None
                row.setdefault("_bad", set()).add(column.key)
        parsed.append((number, row))
    return parsed


class _Resolver:
    """Categories, grids and address matches for the whole file in a fixed number of queries."""

    def __init__(self, actor, rows):
        from governance.selectors.jurisdiction import jurisdiction_paths, scope_q
        from grids.forms_intake import _leaf_queryset

        self.paths = jurisdiction_paths(actor)
        leaves = {cat.pk for cat in _leaf_queryset()}
        self.by_code, self.by_name, self.by_number = {}, {}, {}
        for cat in Category.objects.all():
            self.by_code[cat.code.lower()] = (cat, cat.pk in leaves)
            if cat.code.isdigit():  # Excel turns 010203 into the number 10203
                self.by_number.setdefault(cat.code.lstrip("0"), []).append((cat, cat.pk in leaves))
            if cat.pk in leaves:
                self.by_name.setdefault(cat.name, []).append(cat)
        codes = {row.get("grid") for _n, row in rows if row.get("grid")}
        self.grids = {g.code: g for g in Region.objects.filter(
            code__in=codes, valid_to__isnull=True, level__in=[RegionLevel.GRID, RegionLevel.MICRO_GRID])}
        self.buildings = []
        if any(not row.get("grid") and row.get("address") for _n, row in rows):
            self.buildings = [b for b in Building.objects.filter(scope_q(actor)).exclude(address="")
                              .select_related("grid").only("pk", "address", "name", "grid__path", "grid__code",
                                                           "grid__valid_to", "grid__level")
                              if len(b.address.strip()) >= 4 and b.grid.valid_to is None]

    def category(self, value: str):
        found = self.by_code.get(value.lower())
        if found is None and value.isdigit() and len(self.by_number.get(value.lstrip("0"), [])) == 1:
            found = self.by_number[value.lstrip("0")][0]
        if found is not None:
            cat, is_leaf = found
            if not is_leaf:
                raise CellError(_("“%(value)s” is not an active item at the lowest level of the category list. "
                                  "“%(value)s”不是责任清单中启用的最末级分类。") % {"value": value[:50]})
            return cat
        named = self.by_name.get(value, [])
        if len(named) == 1:
            return named[0]
        if len(named) > 1:
            raise CellError(_("Several categories are called “%(value)s”; give the code. "
                              "有多个分类名为“%(value)s”，请填写分类编码。") % {"value": value[:50]})
        raise CellError(_("Unknown category “%(value)s”. 找不到分类“%(value)s”，请填写责任清单中的分类编码或名称。")
                        % {"value": value[:50]})

    def grid(self, code: str):
        grid = self.grids.get(code)
        if grid is None:
            raise CellError(_("No current grid has the code %(code)s. 找不到编码为%(code)s的网格。") % {"code": code})
        if not any(grid.path.startswith(path) for path in self.paths):
            raise CellError(_("Grid %(code)s is outside your jurisdiction. 网格%(code)s不在您的管辖范围内。")
                            % {"code": code})
        return grid

    def by_address(self, address: str):
        """(grid, building or None) when the address contains the address of buildings of exactly one grid."""
        matches = [b for b in self.buildings if b.address.strip() in address]
        grids = {b.grid.pk: b.grid for b in matches}
        if len(grids) != 1:
            raise CellError(_("The address does not identify one grid; fill in 所属网格. "
                              "无法根据地址确定网格，请填写所属网格编码。"))
        grid = next(iter(grids.values()))
        return grid, (matches[0] if len(matches) == 1 else None)


def _check_row(number: int, row: dict, resolver: _Resolver, errors: list) -> dict | None:
    bad = row.pop("_bad", set())
    found = []

    def fail(key, message):
        found.append(RowError(number, HEADER[key], message))

    for key, limit in LIMITS.items():
        value = row.get(key) or ""
        if len(value) > limit:
            fail(key, _("At most %(n)d characters. 最多%(n)d个字。") % {"n": limit})
    for key in ("order_no", "category", "description"):
        if not row.get(key) and key not in bad:
            fail(key, _("Required. 必填。"))
    data = {"order_no": row.get("order_no"), "request_type": row.get("request_type") or RequestType.OTHER,
            "urgency": row.get("urgency") or Urgency.NORMAL, "description": row.get("description") or "",
            "address": row.get("address") or "", "reporter_name": row.get("reporter_name") or "",
            "reporter_phone": row.get("reporter_phone") or "", "building": None}
    description = data["description"].strip()
    data["title"] = row.get("title") or (description.splitlines()[0][:100] if description else "")
    if row.get("category"):
        try:
            data["category"] = resolver.category(row["category"])
        except CellError as exc:
            fail("category", exc.message)
    if row.get("grid"):
        try:
            data["grid"] = resolver.grid(row["grid"])
        except CellError as exc:
            fail("grid", exc.message)
    elif "grid" not in bad:
        if data["address"]:
            try:
                data["grid"], data["building"] = resolver.by_address(data["address"])
            except CellError as exc:
                fail("grid", exc.message)
        else:
            fail("grid", _("Fill in 所属网格 or 地址. 所属网格和地址至少填写一项。"))
    if data["reporter_phone"]:
        try:
            validate_phone(data["reporter_phone"])
        except ValidationError as exc:
            fail("reporter_phone", exc.messages[0])
    errors.extend(found)
    return None if (found or bad) else data


def _service_errors(number: int, exc: ValidationError) -> list[RowError]:
    if hasattr(exc, "error_dict"):
        return [RowError(number, HEADER.get(key, key if key != "__all__" else ""), message)
                for key, messages in exc.message_dict.items() for message in messages]
    return [RowError(number, "", message) for message in exc.messages]


# --- the import ----------------------------------------------------------------------------------------------------

def hotline_import(*, actor, data: bytes, filename: str = "", now=None) -> HotlineResult:
    from grids.services.intake import can_enter_cases

    if not can_enter_cases(actor):
        raise PermissionDeniedError(_("Only community and street staff import 12345 orders. "
                                      "只有社区和街道工作人员可以导入12345工单。"))
    result = HotlineResult()
    try:
        sheet = hotline_read(data, filename=filename)
    except WorkbookError as exc:
        result.file_error = exc.message
        return result
    result.rows = len(sheet.rows)
    errors: list[RowError] = []
    parsed = _parse_rows(sheet, errors)

    # Already imported: skipped before any other check.
    numbers = [row["order_no"] for _n, row in parsed if row.get("order_no")]
    existing = set(Incident.objects.filter(hotline_order_no__in=numbers).values_list("hotline_order_no", flat=True))
    pending, seen = [], {}
    for number, row in parsed:
        order_no = row.get("order_no")
        if order_no in existing:
            result.skipped.append((number, order_no))
            errors[:] = [e for e in errors if e.row != number]  # a skipped row is not read, so not wrong either
            continue
        if order_no and order_no in seen:
            errors.append(RowError(number, HEADER["order_no"], _("The same order number is on row %(row)d. "
                                                                  "与第%(row)d行的工单编号重复。") % {"row": seen[order_no]}))
            continue
        if order_no:
            seen[order_no] = number
        pending.append((number, row))

    resolver = _Resolver(actor, pending)
    checked = []
    for number, row in pending:
        data_row = _check_row(number, row, resolver, errors)
        if data_row is not None:
            checked.append((number, data_row))
    if errors:
        result.errors = sorted(errors, key=lambda e: e.row)[:MAX_ERRORS]
        return result
    if not checked:
        return result  # every order was imported before

    try:
        with transaction.atomic():
            created = _create_all(actor, checked, errors, now=now)
            if errors:
                raise _Failed
            from governance.models import AuditLog
            from governance.services.audit import audit_record

            audit_record(action=AuditLog.Action.IMPORT, object_type="grids.incident", object_repr="12345",
                         detail={"channel": Channel.HOTLINE, "rows": result.rows, "created": len(created),
                                 "skipped": len(result.skipped)})
    except _Failed:
        result.errors = sorted(errors, key=lambda e: e.row)[:MAX_ERRORS]
        return result
    result.created = created
    return result


def _create_all(actor, checked, errors, *, now=None) -> list:
    from grids.services.incidents import incident_report  # lifecycle module (lazy: see the contract)

    created = []
    for number, data in checked:
        order_no = data.pop("order_no")
        try:
            with transaction.atomic():  # a savepoint: a refused row leaves the others' transaction usable
                incident = incident_report(channel=Channel.HOTLINE, reported_by=actor, hotline_order_no=order_no,
                                           now=now, **{k: v for k, v in data.items() if v is not None})
        except ValidationError as exc:
            errors.extend(_service_errors(number, exc))
            continue
        except IntegrityError:
            errors.append(RowError(number, HEADER["order_no"], _(
                "This order was imported by someone else just now; upload the file again to skip it. "
                "该工单刚刚已被他人导入，请重新上传本文件（已导入的工单会被跳过）。")))
            continue
        created.append((number, order_no, incident.tracking_code))
    return created
