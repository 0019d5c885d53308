"""Writes to the list catalogues (清单目录): lists (`ListKind`) and their items (`ListItem`).

- list_kind_create / list_kind_update: a district's lists (依法自治, 依法协助, 负面, 证明… and any further kind).
- list_item_create / list_item_update / list_item_set_status: the items. Each write of an item is one transaction
  that bumps `version` and appends one `ListItemRevision` (the snapshot after the change, the actor, a note). A call
  that changes nothing writes nothing: no version, no revision, no audit row (so an Excel import of an unchanged
  file is harmless).
- Only district officials bound to the list's district write (PermissionDeniedError otherwise); the pages reach a
  list of another district only through the scoped selectors, which answer 404.

Rules (bad input → ValidationError with one bilingual message per field)
- list code: lower-case letters, digits, - and _, unique in the district; a list that has items keeps its purpose
  (the admission rules and the certificate desk read the purpose).
- item code: letters, digits, ".", "-" and "_" (at most 32), unique in its list; name required.
- valid_from required; valid_to (the last day in force) not before valid_from.
- funding (yuan a year) and staff attached (full-time equivalents) not negative, at most two decimals.
- responsible department: a department of the list's district (an inactive one only if it was already set).
- an item of an "assisting government" list names its responsible department or body (权随责走); an item of the
  list of certificates committees must not issue names the office that issues it instead.
- keywords: words separated by spaces (、 , ; are accepted and turned into spaces), duplicates dropped.

Status: active → suspended | repealed, suspended → active | repealed, repealed is final (ListItem.TRANSITIONS).
Suspending or repealing takes effect on a date (default today): the item's `valid_to` becomes the day before, so
the lists "in force on" an earlier day still show it (see listings.models.catalogue.in_force_q). Resuming makes the
item open-ended again; the suspension stays readable in the item's history.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.lib.exceptions import InvalidTransition, PermissionDeniedError
from governance.lib.transitions import ensure_transition
from governance.models import Department, User
from grids.models import Region, RegionLevel
from listings.models import ListItem, ListItemRevision, ListItemStatus, ListKind, ListPurpose
from listings.selectors.catalogue import can_edit_lists

KIND_CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
ITEM_CODE_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,31}$")
KEYWORD_SEPARATORS = re.compile(r"[\s、,，;；]+")
MAX_FUNDING = Decimal("999999999999.99")
MAX_STAFF = Decimal("9999.99")
MAX_POSITION = 100000

ITEM_TEXT_LIMITS = {
    "code": 32, "name": 200, "description": 4000, "legal_basis": 2000, "responsible_body": 200,
    "assist_method": 2000, "funding_note": 300, "issuing_office": 200, "keywords": 300,
}
KIND_TEXT_LIMITS = {"code": 32, "name": 100, "description": 2000}
ITEM_FIELDS = (
    "code", "name", "description", "legal_basis", "responsible_department", "responsible_body", "assist_method",
    "funding_yuan", "funding_note", "staff_attached", "issuing_office", "keywords", "valid_from", "valid_to",
    "is_sample", "position",
)
EDITABLE_ITEM_FIELDS = frozenset(ITEM_FIELDS)
IMPORTABLE_ITEM_FIELDS = EDITABLE_ITEM_FIELDS | {"status"}
EDITABLE_KIND_FIELDS = frozenset({"code", "name", "purpose", "description", "position"})

CREATED, UPDATED, IMPORTED, STATUS = "created", "updated", "imported", "status"


# --- permissions -----------------------------------------------------------------------------------------------------

def _ensure_editor(actor, district: Region) -> None:
    if not can_edit_lists(actor, district):
        raise PermissionDeniedError(_("Only district officials of this district may change its lists. "
                                      "仅本区区级用户可修改清单。"))


def _revision_actor(actor):
    return actor if isinstance(actor, User) and actor.pk else None


# --- normalising and checking -------------------------------------------------------------------------------------

def normalise_keywords(value: str) -> str:
    seen: list[str] = []
    for word in KEYWORD_SEPARATORS.split(value or ""):
        if word and word not in seen:
            seen.append(word)
    return " ".join(seen)


def _decimal(value, name: str, errors: dict):
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        errors[name] = _("Enter a number. 请填写数字。")
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors[name] = _("Enter a number. 请填写数字。")
        return None
    if not number.is_finite():
        errors[name] = _("Enter a number. 请填写数字。")
        return None
    return number


def _normalise_item_fields(fields: dict, errors: dict) -> dict:
    out = {}
    for name, value in fields.items():
        if name in ITEM_TEXT_LIMITS:
            value = (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()
            if name == "keywords":
                value = normalise_keywords(value)
        elif name in ("funding_yuan", "staff_attached"):
            value = _decimal(value, name, errors)
        elif name == "is_sample":
            value = bool(value)
        elif name == "position":
            value = 0 if value in (None, "") else value
        out[name] = value
    return out


def _check_decimal(value, name: str, maximum: Decimal, errors: dict) -> None:
    if value is None or name in errors:
        return
    if value < 0:
        errors[name] = _("Cannot be negative. 不能为负数。")
    elif value > maximum:
        errors[name] = _("At most %(max)s. 不能超过%(max)s。") % {"max": f"{maximum:,}"}
    elif value.as_tuple().exponent < -2:
        errors[name] = _("At most two decimal places. 最多两位小数。")


def _validate_item(item: ListItem, *, department_changed: bool, errors: dict | None = None) -> None:
    errors = dict(errors or {})
    kind = item.kind
    if not item.code:
        errors.setdefault("code", _("Enter the item number. 请填写事项编号。"))
    elif not ITEM_CODE_RE.fullmatch(item.code):
        errors.setdefault("code", _("Use letters, digits, “.”, “-” or “_” (at most 32), e.g. XZ-01. "
                                    "编号只能包含字母、数字和“.”“-”“_”，最多32位，如XZ-01。"))
    elif ListItem.objects.filter(kind_id=kind.pk, code=item.code).exclude(pk=item.pk).exists():
        errors.setdefault("code", _("This list already has an item with this number. 本清单中已有该编号的事项。"))
    if not item.name:
        errors.setdefault("name", _("Enter the name. 请填写名称。"))
    for name, limit in ITEM_TEXT_LIMITS.items():
        if len(getattr(item, name) or "") > limit and name not in errors:
            errors[name] = _("At most %(n)d characters. 最多%(n)d字。") % {"n": limit}
    if not isinstance(item.valid_from, datetime.date):
        errors.setdefault("valid_from", _("Enter the date the item takes effect. 请填写生效日期。"))
    if item.valid_to is not None and not isinstance(item.valid_to, datetime.date):
        errors.setdefault("valid_to", _("Enter a date. 请填写日期。"))
    elif (item.valid_to is not None and isinstance(item.valid_from, datetime.date)
          and item.valid_to < item.valid_from):
        errors.setdefault("valid_to", _("The end date is before the start date. 结束日期早于开始日期。"))
    _check_decimal(item.funding_yuan, "funding_yuan", MAX_FUNDING, errors)
    _check_decimal(item.staff_attached, "staff_attached", MAX_STAFF, errors)
    if isinstance(item.position, bool) or not isinstance(item.position, int) or not 0 <= item.position <= MAX_POSITION:
        errors.setdefault("position", _("Enter a whole number from 0 to %(max)d. 请填写0至%(max)d之间的整数。")
                          % {"max": MAX_POSITION})
    if item.status not in ListItemStatus.values:
        errors.setdefault("status", _("Unknown status. 状态不正确。"))
    department = item.responsible_department if item.responsible_department_id else None
    if department is not None and department_changed:
        if department.district_id != kind.district_id:
            errors.setdefault("responsible_department", _("Choose a department of this district. 请选择本区的部门。"))
        elif not department.is_active:
            errors.setdefault("responsible_department", _("This department is inactive. 该部门已停用。"))
    if kind.purpose == ListPurpose.ASSISTING and department is None and not item.responsible_body:
        errors.setdefault("responsible_department", _(
            "Name the government department responsible for this task (the community only assists). "
            "请填写责任部门或责任主体（社区仅协助）。"))
    if kind.purpose == ListPurpose.CERTIFICATE_FORBIDDEN and not item.issuing_office:
        errors.setdefault("issuing_office", _(
            "Name the office that issues this certificate instead; residents are sent there. "
            "请填写应出具该证明的部门，居民将被引导到该部门办理。"))
    if errors:
        raise ValidationError(errors)


def snapshot(item: ListItem) -> dict:
    """The item's values as JSON, for its revision (the department by id and name)."""
    department = item.responsible_department if item.responsible_department_id else None

    def text(value):
        return None if value is None else str(value)

    return {
        "kind": item.kind_id, "code": item.code, "name": item.name, "description": item.description,
        "legal_basis": item.legal_basis, "responsible_department": item.responsible_department_id,
        "responsible_department_name": department.name if department is not None else "",
        "responsible_body": item.responsible_body, "assist_method": item.assist_method,
        "funding_yuan": text(item.funding_yuan), "funding_note": item.funding_note,
        "staff_attached": text(item.staff_attached), "issuing_office": item.issuing_office,
        "keywords": item.keywords, "valid_from": text(item.valid_from), "valid_to": text(item.valid_to),
        "status": item.status, "is_sample": item.is_sample, "position": item.position,
    }


def _record(item: ListItem, *, change: str, actor, note: str) -> ListItemRevision:
    return ListItemRevision.objects.create(item=item, version=item.version, snapshot=snapshot(item), change=change,
                                           actor=_revision_actor(actor), note=(note or "").strip()[:300])


def _save(item: ListItem, **kwargs) -> None:
    try:
        with transaction.atomic():
            item.save(**kwargs)
    except IntegrityError:
        raise ValidationError({"code": _("This list already has an item with this number. "
                                         "本清单中已有该编号的事项。")}) from None


def _effective_end(item: ListItem, effective: datetime.date) -> datetime.date | None:
    """valid_to for an item that stops being in force on `effective`: the day before, never before valid_from (an
    item stopped before it started never was in force: None), never later than an earlier end already set."""
    last = effective - datetime.timedelta(days=1)
    if not isinstance(item.valid_from, datetime.date) or last < item.valid_from:
        return None
    if item.valid_to is not None and item.valid_to < last:
        return item.valid_to
    return last


# --- items ------------------------------------------------------------------------------------------------------------

def _item_create(*, kind: ListKind, actor, change: str = CREATED, note: str = "", **fields) -> ListItem:
    unknown = set(fields) - IMPORTABLE_ITEM_FIELDS
    if unknown:
        raise ValidationError(_("Unknown fields: %(names)s. 未知字段：%(names)s。") % {"names": ", ".join(sorted(unknown))})
    errors: dict = {}
    values = _normalise_item_fields(fields, errors)
    item = ListItem(kind=kind, **values)
    item.version = 1
    _validate_item(item, department_changed=True, errors=errors)
    _save(item)
    _record(item, change=change, actor=actor, note=note)
    return item


def _changes(item: ListItem, values: dict) -> dict:
    changed = {}
    for name, value in values.items():
        if name == "responsible_department":
            current = item.responsible_department_id
            if current != (value.pk if value is not None else None):
                changed[name] = value
        elif getattr(item, name) != value:
            changed[name] = value
    return changed


def _item_update(*, item: ListItem, actor, change: str = UPDATED, note: str = "", today=None, **fields) -> ListItem:
    """Apply `fields` to a locked item; nothing changed → nothing written. `status` (import only) follows the
    transition table and, when the item stops being in force without an end date, ends it yesterday."""
    allowed = IMPORTABLE_ITEM_FIELDS if change == IMPORTED else EDITABLE_ITEM_FIELDS
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(_("These fields cannot be changed here: %(names)s. 以下字段不能在此修改：%(names)s。")
                              % {"names": ", ".join(sorted(unknown))})
    errors: dict = {}
    values = _normalise_item_fields(fields, errors)
    changed = _changes(item, values)
    if not changed and not errors:
        return item
    status = changed.get("status")
    if status is not None:
        try:
            ensure_transition(table=ListItem.TRANSITIONS, current=item.status, target=status)
        except InvalidTransition:
            errors["status"] = _("A %(current)s item cannot become %(target)s. “%(current)s”的事项不能改为“%(target)s”。") % {
                "current": ListItemStatus(item.status).label, "target": ListItemStatus(status).label}
    for name, value in changed.items():
        setattr(item, name, value)
    if status in (ListItemStatus.SUSPENDED, ListItemStatus.REPEALED) and item.valid_to is None:
        item.valid_to = _effective_end(item, today or timezone.localdate())
    _validate_item(item, department_changed="responsible_department" in changed, errors=errors)
    item.version += 1
    _save(item)
    _record(item, change=change, actor=actor, note=note)
    return item


def _locked(item: ListItem) -> ListItem:
    return (ListItem.objects.select_for_update(of=("self",))
            .select_related("kind__district", "responsible_department").get(pk=item.pk))


@transaction.atomic
def list_item_create(*, actor, kind: ListKind, code: str, name: str, valid_from: datetime.date,
                     description: str = "", legal_basis: str = "", responsible_department: Department | None = None,
                     responsible_body: str = "", assist_method: str = "", funding_yuan=None, funding_note: str = "",
                     staff_attached=None, issuing_office: str = "", keywords: str = "",
                     valid_to: datetime.date | None = None, is_sample: bool = False, position: int = 0,
                     note: str = "") -> ListItem:
    """Add an item to a list: version 1 and its first revision."""
    kind = ListKind.objects.select_related("district").get(pk=kind.pk)
    _ensure_editor(actor, kind.district)
    return _item_create(
        kind=kind, actor=actor, note=note, code=code, name=name, valid_from=valid_from, description=description,
        legal_basis=legal_basis, responsible_department=responsible_department, responsible_body=responsible_body,
        assist_method=assist_method, funding_yuan=funding_yuan, funding_note=funding_note,
        staff_attached=staff_attached, issuing_office=issuing_office, keywords=keywords, valid_to=valid_to,
        is_sample=is_sample, position=position)


@transaction.atomic
def list_item_update(*, actor, item: ListItem, note: str = "", **fields) -> ListItem:
    """Change any of EDITABLE_ITEM_FIELDS (the status has its own service). No change → no write, no revision."""
    item = _locked(item)
    _ensure_editor(actor, item.kind.district)
    return _item_update(item=item, actor=actor, change=UPDATED, note=note, **fields)


@transaction.atomic
def list_item_set_status(*, actor, item: ListItem, status: str, note: str = "",
                         effective: datetime.date | None = None, today: datetime.date | None = None) -> ListItem:
    """Suspend, repeal or resume an item. Suspending or repealing needs a reason (`note`) and takes effect on
    `effective` (default today): the item is in force until the day before. Resuming makes it open-ended again.
    Asking for the status the item already has changes nothing (a repeated submit is harmless)."""
    item = _locked(item)
    _ensure_editor(actor, item.kind.district)
    return _item_set_status(item=item, actor=actor, status=status, note=note, effective=effective, today=today)


def _item_set_status(*, item: ListItem, actor, status: str, note: str = "", effective: datetime.date | None = None,
                     today: datetime.date | None = None) -> ListItem:
    if status not in ListItemStatus.values:
        raise ValidationError({"status": _("Unknown status. 状态不正确。")})
    if status == item.status:
        return item
    ensure_transition(table=ListItem.TRANSITIONS, current=item.status, target=status)
    note = (note or "").strip()
    today = today or timezone.localdate()
    if status == ListItemStatus.ACTIVE:
        item.valid_to = None
    else:
        if not note:
            raise ValidationError({"note": _("Give the reason, e.g. the document that suspends or repeals the item. "
                                             "请填写原因，如暂停或废止该事项的文件。")})
        effective = effective or today
        if not isinstance(effective, datetime.date):
            raise ValidationError({"effective": _("Enter a date. 请填写日期。")})
        item.valid_to = _effective_end(item, effective)
    item.status = status
    _validate_item(item, department_changed=False)
    item.version += 1
    _save(item)
    _record(item, change=STATUS, actor=actor, note=note)
    return item


# --- lists (kinds) ------------------------------------------------------------------------------------------------

def _validate_kind(kind: ListKind, *, has_items: bool = False, purpose_changed: bool = False) -> None:
    errors: dict = {}
    if not KIND_CODE_RE.fullmatch(kind.code or ""):
        errors["code"] = _("Use lower-case letters, digits, “-” or “_” (at most 32), e.g. assisting. "
                           "代码只能包含小写字母、数字和“-”“_”，最多32位。")
    elif ListKind.objects.filter(district_id=kind.district_id, code=kind.code).exclude(pk=kind.pk).exists():
        errors["code"] = _("This district already has a list with this code. 本区已有该代码的清单。")
    if not kind.name:
        errors["name"] = _("Enter the name. 请填写名称。")
    for name, limit in KIND_TEXT_LIMITS.items():
        if len(getattr(kind, name) or "") > limit and name not in errors:
            errors[name] = _("At most %(n)d characters. 最多%(n)d字。") % {"n": limit}
    if kind.purpose not in ListPurpose.values:
        errors["purpose"] = _("Choose what the list is for. 请选择清单类别。")
    elif purpose_changed and has_items:
        errors["purpose"] = _("A list with items keeps its purpose (the admission rules read it); create a new list "
                              "instead. 已有事项的清单不能修改类别，请新建清单。")
    if isinstance(kind.position, bool) or not isinstance(kind.position, int) or not 0 <= kind.position <= 32767:
        errors["position"] = _("Enter a whole number from 0 to %(max)d. 请填写0至%(max)d之间的整数。") % {"max": 32767}
    if errors:
        raise ValidationError(errors)


def _kind_values(fields: dict) -> dict:
    out = {}
    for name, value in fields.items():
        if name in KIND_TEXT_LIMITS:
            value = (value or "").strip()
            if name == "code":
                value = value.lower()
        elif name == "position":
            value = 0 if value in (None, "") else value
        out[name] = value
    return out


def _save_kind(kind: ListKind) -> None:
    try:
        with transaction.atomic():
            kind.save()
    except IntegrityError:
        raise ValidationError({"code": _("This district already has a list with this code. 本区已有该代码的清单。")}) from None


def _kind_create(*, district: Region, **fields) -> ListKind:
    kind = ListKind(district=district, **_kind_values(fields))
    _validate_kind(kind)
    _save_kind(kind)
    return kind


@transaction.atomic
def list_kind_create(*, actor, district: Region, code: str, name: str, purpose: str, description: str = "",
                     position: int = 0) -> ListKind:
    if district is None or district.level != RegionLevel.DISTRICT:
        raise ValidationError(_("Lists belong to a district. 清单属于区。"))
    _ensure_editor(actor, district)
    return _kind_create(district=district, code=code, name=name, purpose=purpose, description=description,
                        position=position)


@transaction.atomic
def list_kind_update(*, actor, kind: ListKind, **fields) -> ListKind:
    """Change any of EDITABLE_KIND_FIELDS; a list with items keeps its purpose. No change → no write."""
    unknown = set(fields) - EDITABLE_KIND_FIELDS
    if unknown:
        raise ValidationError(_("These fields cannot be changed: %(names)s. 以下字段不能修改：%(names)s。")
                              % {"names": ", ".join(sorted(unknown))})
    kind = ListKind.objects.select_for_update(of=("self",)).select_related("district").get(pk=kind.pk)
    _ensure_editor(actor, kind.district)
    values = _kind_values(fields)
    changed = {name: value for name, value in values.items() if getattr(kind, name) != value}
    if not changed:
        return kind
    for name, value in changed.items():
        setattr(kind, name, value)
    _validate_kind(kind, has_items="purpose" in changed and kind.items.exists(), purpose_changed="purpose" in changed)
    _save_kind(kind)
    return kind
