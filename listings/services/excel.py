"""Excel template, import and export of one list's items (the format: listings.imports).

Imports run synchronously inside the request: a list holds dozens of items (at most MAX_ROWS = 2,000 rows), so
the registers' ImportJob machinery (a queued job, progress, a sweep for lost tasks) would add waiting and moving
parts for no gain.

Import = all or nothing, idempotent:
- the file is checked first (size, a real .xlsx, the header, at most 2,000 rows): anything wrong → InvalidInput
  with a message for the user, nothing written;
- every row goes through the same service code as the pages (listings.services.catalogue) inside ONE transaction;
  if any row has an error the transaction is rolled back and the result lists every error as {row, column,
  message};
- an item is found by its code within the list; a row equal to the stored item is not written at all (no
  version, no revision, no audit row), so importing an export again changes nothing;
- one `import` audit row records the outcome and the counts (never the values).

Export = the list's items in force on a day (or every item), with the template's headers, formula-safe; each
export writes an `export` audit row.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.lib.exceptions import InvalidInput, NotFoundOrForbidden
from governance.lib.request_context import actor_for, current_actor
from governance.models import AuditLog, Department
from governance.services.audit import audit_record
from grids.imports.cells import CellError, parse_cell
from grids.imports.workbook import (
    WorkbookError,
    export_workbook,
    read_upload,
    read_workbook,
    template_workbook,
)
from listings.imports import (
    COLUMN_BY_KEY,
    COLUMN_ORDER,
    FIELD_COLUMN,
    ITEM_COLUMNS,
    MAX_ROWS,
    SHEET_TITLE,
    STATUS_LABELS,
)
from listings.models import ListItem, ListKind, in_force_q
from listings.selectors.catalogue import district_of_user
from listings.services.catalogue import (
    IMPORTED,
    _changes,
    _ensure_editor,
    _item_create,
    _item_update,
    _normalise_item_fields,
)

TEXT_KEYS = ("name", "description", "legal_basis", "responsible_body", "assist_method", "funding_note",
             "issuing_office", "keywords")


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class ExportResult:
    content: bytes
    filename: str
    rows: int


def _actor(user):
    actor = current_actor()
    return actor if actor.user_id == getattr(user, "pk", None) else actor_for(user)


# --- template -------------------------------------------------------------------------------------------------------

def list_items_template() -> bytes:
    """The empty workbook with the Chinese headers, text-formatted code columns and the 说明 sheet."""
    return template_workbook(ITEM_COLUMNS, SHEET_TITLE)


# --- export ----------------------------------------------------------------------------------------------------------

def _export_values(item: ListItem) -> dict:
    department = item.responsible_department if item.responsible_department_id else None
    return {
        "code": item.code, "name": item.name, "description": item.description, "legal_basis": item.legal_basis,
        "department_code": department.code if department is not None else "",
        "department": department.name if department is not None else "",
        "responsible_body": item.responsible_body, "assist_method": item.assist_method,
        "funding_yuan": item.funding_yuan, "funding_note": item.funding_note, "staff_attached": item.staff_attached,
        "issuing_office": item.issuing_office, "keywords": item.keywords, "valid_from": item.valid_from,
        "valid_to": item.valid_to, "status": STATUS_LABELS.get(item.status, item.status),
        "is_sample": "是" if item.is_sample else "否", "position": item.position,
    }


def list_items_export(*, actor, kind: ListKind, day: datetime.date | None = None,
                      everything: bool = False) -> ExportResult:
    """The list's items in force on `day` (default today), or every item whatever its state (`everything`).
    Staff of the list's district only (others: NotFoundOrForbidden). Audited."""
    district = district_of_user(actor)
    if district is None or district.pk != kind.district_id:
        raise NotFoundOrForbidden(_("This page does not exist. 页面不存在。"))
    day = day or timezone.localdate()
    queryset = ListItem.objects.filter(kind=kind).select_related("responsible_department").order_by("position", "code")
    if not everything:
        queryset = queryset.filter(in_force_q(day))
    content, rows = export_workbook(ITEM_COLUMNS, SHEET_TITLE, (_export_values(item) for item in queryset))
    audit_record(action=AuditLog.Action.EXPORT, obj=kind, actor=_actor(actor),
                 detail={"list": kind.code, "rows": rows, "day": None if everything else day.isoformat(),
                         "everything": bool(everything)})
    suffix = "全部" if everything else day.isoformat()
    return ExportResult(content=content, filename=f"{kind.name}-{suffix}.xlsx", rows=rows)


# --- import ----------------------------------------------------------------------------------------------------------

class _Row:
    def __init__(self, number: int, present: set[str]):
        self.row = number
        self.present = present
        self.values: dict = {}
        self.errors: dict[str, str] = {}

    def has(self, key: str) -> bool:
        return key in self.present

    def error(self, key: str, message) -> None:
        self.errors.setdefault(key, str(message))


class _Departments:
    """The district's departments by code and by exact name (a name shared by two departments is ambiguous)."""

    def __init__(self, district_id: int):
        departments = list(Department.objects.filter(district_id=district_id))
        self.by_code = {department.code: department for department in departments}
        self.by_name: dict[str, list[Department]] = {}
        for department in departments:
            self.by_name.setdefault(department.name, []).append(department)

    def resolve(self, row: _Row):
        code, name = row.values.get("department_code"), row.values.get("department")
        if code:
            department = self.by_code.get(code)
            if department is None:
                row.error("department_code", _("No department of this district has the code %(code)s. "
                                               "本区没有编码为%(code)s的部门。") % {"code": code})
            return department
        if name:
            matches = self.by_name.get(name, [])
            if len(matches) == 1:
                return matches[0]
            if matches:
                row.error("department", _("Several departments of this district have this name; give its code. "
                                          "本区有多个该名称的部门，请填写部门编码。"))
            else:
                row.error("department", _("No department of this district has this name; give its code, or put an "
                                          "office outside the system in 责任主体. 本区没有该名称的部门，请填写部门编码，"
                                          "或将系统外的责任单位填在“责任主体”列。"))
        return None


def _fields_for(row: _Row, existing: ListItem | None) -> dict:
    """Service arguments from one row: a column left out of the file leaves the field alone; a blank cell clears
    an optional field and leaves status, sample mark and position alone (their defaults for a new item)."""
    v = row.values
    fields: dict = {}
    for key in TEXT_KEYS:
        if row.has(key):
            fields[key] = v.get(key) or ""
    if row.has("department_code") or row.has("department"):
        fields["responsible_department"] = v.get("_department")
    for key in ("funding_yuan", "staff_attached", "valid_to"):
        if row.has(key):
            fields[key] = v.get(key)
    fields["valid_from"] = v.get("valid_from")
    for key in ("status", "is_sample", "position"):
        if row.has(key) and v.get(key) is not None:
            fields[key] = v[key]
    return fields


def _service_errors(row: _Row, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            row.error("", message)
        return
    for name, messages in exc.message_dict.items():
        key = FIELD_COLUMN.get(name, name)
        if key == "department_code" and not row.has("department_code"):
            key = "department"
        row.error(key if key in COLUMN_BY_KEY else "", messages[0])


def _report(rows: list[_Row]) -> list[dict]:
    errors = []
    for row in sorted(rows, key=lambda r: r.row):
        for key in sorted(row.errors, key=lambda k: COLUMN_ORDER.get(k, -1)):
            header = COLUMN_BY_KEY[key].header if key in COLUMN_BY_KEY else ""
            errors.append({"row": row.row, "column": header, "message": row.errors[key]})
    return errors


def list_items_import(*, actor, kind: ListKind, file) -> ImportResult:
    """Import a list's items from an .xlsx upload (or bytes). See the module docstring. Raises InvalidInput for an
    unreadable or malformed file, PermissionDeniedError for anyone but the district's officials."""
    kind = ListKind.objects.select_related("district").get(pk=kind.pk)
    _ensure_editor(actor, kind.district)
    data = read_upload(file)
    try:
        sheet = read_workbook(data, ITEM_COLUMNS, max_rows=MAX_ROWS, max_bytes=settings.GONGZHI_IMPORT_MAX_BYTES)
    except WorkbookError as exc:
        raise InvalidInput(exc.message) from None
    present = sheet.present
    departments = _Departments(kind.district_id)
    rows: list[_Row] = []
    for number, values in sheet.rows:
        row = _Row(number, present)
        for column, value in zip(sheet.columns, values, strict=False):
            if column is None:
                continue
            try:
                row.values[column.key] = parse_cell(column, value)
            except CellError as exc:
                row.error(column.key, exc.message)
        for column in ITEM_COLUMNS:
            if column.required and row.values.get(column.key) in (None, "") and column.key not in row.errors:
                row.error(column.key, _("This column is required. 此列必填。"))
        if row.has("department_code") or row.has("department"):
            row.values["_department"] = departments.resolve(row)
        rows.append(row)

    first_row: dict[str, int] = {}
    for row in rows:
        code = row.values.get("code")
        if code:
            first = first_row.setdefault(code, row.row)
            if first != row.row:
                row.error("code", _("Same item as row %(row)d (duplicate in the file). 与第%(row)d行重复。")
                          % {"row": first})

    result = ImportResult(rows=len(rows))
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    with transaction.atomic():
        locked = (ListItem.objects.select_for_update(of=("self",)).filter(kind=kind)
                  .select_related("responsible_department"))
        existing = {item.code: item for item in locked}
        for row in rows:
            if row.errors:
                continue
            found = existing.get(row.values["code"])
            fields = _fields_for(row, found)
            try:
                with transaction.atomic():
                    if found is None:
                        _item_create(kind=kind, actor=actor, change=IMPORTED, code=row.values["code"], **fields)
                        counts["created"] += 1
                    elif _changes(found, _normalise_item_fields(fields, {})):
                        found.kind = kind
                        _item_update(item=found, actor=actor, change=IMPORTED, **fields)
                        counts["updated"] += 1
                    else:
                        counts["unchanged"] += 1
            except ValidationError as exc:
                _service_errors(row, exc)
        errors = _report(rows)
        if errors:
            transaction.set_rollback(True)
    if errors:
        result.errors = errors
        outcome = AuditLog.Outcome.FAILURE
    else:
        result.created, result.updated, result.unchanged = counts["created"], counts["updated"], counts["unchanged"]
        outcome = AuditLog.Outcome.SUCCESS
    audit_record(action=AuditLog.Action.IMPORT, obj=kind, outcome=outcome, actor=_actor(actor),
                 detail={"list": kind.code, "rows": len(rows), "errors": len(errors), **({} if errors else counts)})
    return result
