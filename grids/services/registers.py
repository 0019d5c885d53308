"""Writes to the registers. Each function is one transaction, re-checks the actor's rights and jurisdiction,
and raises django ValidationError with per-field messages (zh-hans with English) that forms and the API show."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from governance.lib.codes import credit_code_valid
from governance.lib.exceptions import PermissionDeniedError
from governance.lib.pii import (
    birth_date_from_id,
    blind_index,
    gender_from_id,
    normalize_id_number,
    normalize_phone,
    validate_id_number,
    validate_phone,
)
from grids.models import Building, Household, HousingUnit, Organisation, Region, RegionLevel, Resident
from grids.permissions import can_edit_registers, in_jurisdiction

GRID_LEVELS = (RegionLevel.GRID, RegionLevel.MICRO_GRID)


def _ensure_editor(actor) -> None:
    if not can_edit_registers(actor):
        raise PermissionDeniedError(_("Your role may not change the registers. 您的角色无权修改登记信息。"))


def _check_grid(actor, grid, errors: dict) -> None:
    if grid is None:
        errors["grid"] = _("Choose a grid. 请选择网格。")
    elif not isinstance(grid, Region) or grid.level not in GRID_LEVELS or not in_jurisdiction(actor, grid):
        errors["grid"] = _("Choose a grid within your jurisdiction. 请选择您管辖范围内的网格。")
    elif grid.valid_to is not None:
        errors["grid"] = _("This grid version has ended; choose the current grid. 该网格版本已停用。")


def _related(instance, name):
    """The related object, or None when the foreign key is unset (a required FK raises on access)."""
    return getattr(instance, name, None) if getattr(instance, f"{name}_id", None) is not None else None


def _same_community(a: Region, b: Region) -> bool:
    return a.path[: a.steplen * 3] == b.path[: b.steplen * 3]


def _apply(instance, fields: dict, allowed: set[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(_("Unknown fields: %(names)s") % {"names": ", ".join(sorted(unknown))})
    for name, value in fields.items():
        if isinstance(value, str):
            value = value.strip()
        setattr(instance, name, value)


def _save(instance, errors: dict, *, inputs: set[str], exclude=None) -> None:
    """full_clean, then save. Model errors on fields the caller does not type in (derived columns) are
    consequences of an input error when there is one, and otherwise reported as non-field errors."""
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        had_errors = bool(errors)
        for name, messages in exc.message_dict.items():
            if name in inputs or name == "__all__":
                errors.setdefault(name, messages[0])
            elif not had_errors:
                errors.setdefault("__all__", messages[0])
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError:
        raise ValidationError(_("This record conflicts with an existing one (duplicate number or code). "
                                "与已有记录重复。")) from None


def _write(*, actor, model, instance, fields: dict, allowed: set[str], checks, outside: str, exclude=None):
    """The shape of every register write: rights, lock, jurisdiction, apply, check, clean, save."""
    _ensure_editor(actor)
    if instance is None:
        obj = model()
    else:
        obj = model.objects.select_for_update().get(pk=instance.pk)
        if not in_jurisdiction(actor, obj.grid):
            raise PermissionDeniedError(outside)
    _apply(obj, fields, allowed)
    errors: dict = {}
    checks(actor, obj, errors)
    _save(obj, errors, inputs=allowed, exclude=exclude)
    return obj


# --- residents ------------------------------------------------------------------------------------
RESIDENT_FIELDS = {
    "grid", "household", "housing_unit", "name", "id_number", "phone", "emergency_contact", "emergency_phone",
    "residence_type", "relation_to_head", "political_status", "status", "notes",
}


def _resident_checks(actor, resident: Resident, errors: dict) -> None:
    _check_grid(actor, _related(resident, "grid"), errors)
    raw_id = normalize_id_number(resident.id_number or "")
    try:
        validate_id_number(raw_id)
    except ValidationError as exc:
        errors["id_number"] = exc.messages[0]
    else:
        resident.id_number = raw_id
        resident.birth_date = birth_date_from_id(raw_id)
        resident.gender = gender_from_id(raw_id)
        resident.id_number_hash = blind_index(raw_id)
        clash = Resident.objects.filter(id_number_hash=resident.id_number_hash).exclude(pk=resident.pk).exists()
        if clash:
            errors["id_number"] = _("A resident with this ID number is already registered. 该身份证号已登记。")
    for name in ("phone", "emergency_phone"):
        value = normalize_phone(getattr(resident, name) or "")
        setattr(resident, name, value)
        if value:
            try:
                validate_phone(value)
            except ValidationError as exc:
                errors[name] = exc.messages[0]
    if "grid" not in errors and resident.grid is not None:
        for name in ("household", "housing_unit"):
            related = getattr(resident, name)
            if related is not None and (not in_jurisdiction(actor, related.grid)
                                        or not _same_community(related.grid, resident.grid)):
                errors[name] = _("Choose one in the resident's own community. 请选择本社区内的记录。")


@transaction.atomic
def resident_create(*, actor, care_groups=None, **fields) -> Resident:
    resident = _write(actor=actor, model=Resident, instance=None, fields=fields, allowed=RESIDENT_FIELDS,
                      checks=_resident_checks, outside="", exclude=["id_number_hash"])
    if care_groups is not None:
        resident.care_groups.set(care_groups)
    return resident


@transaction.atomic
def resident_update(*, actor, resident: Resident, care_groups=None, **fields) -> Resident:
    resident = _write(actor=actor, model=Resident, instance=resident, fields=fields, allowed=RESIDENT_FIELDS,
                      checks=_resident_checks, exclude=["id_number_hash"],
                      outside=_("This resident is outside your jurisdiction. 该居民不在您的管辖范围内。"))
    if care_groups is not None:
        resident.care_groups.set(care_groups)
    return resident


# --- buildings and housing ---------------------------------------------------------------------------
BUILDING_FIELDS = {"grid", "number", "name", "address", "kind", "floors", "head"}


def _building_checks(actor, building: Building, errors: dict) -> None:
    _check_grid(actor, _related(building, "grid"), errors)
    number = (building.number or "").strip()
    if number.isdigit() and len(number) < 5:
        number = number.zfill(5)
    building.number = number
    if not (len(number) == 5 and number.isdigit() and number != "00000"):
        errors["number"] = _("A building number has five digits, 00001–99999. 楼栋编号为00001–99999。")
    if "grid" not in errors:
        from grids.selectors.regions import community_of

        building.community = community_of(building.grid)
        if "number" not in errors and Building.objects.filter(
                community=building.community, number=number).exclude(pk=building.pk).exists():
            errors["number"] = _("This number is already used in the community. 该编号在本社区已被使用。")
    grid = _related(building, "grid")
    if building.head is not None and grid is not None and not _same_community(building.head.grid, grid):
        errors["head"] = _("The building head must live in the same community. 楼栋长须为本社区居民。")


@transaction.atomic
def building_create(*, actor, **fields) -> Building:
    return _write(actor=actor, model=Building, instance=None, fields=fields, allowed=BUILDING_FIELDS,
                  checks=_building_checks, outside="")


@transaction.atomic
def building_update(*, actor, building: Building, **fields) -> Building:
    building = _write(actor=actor, model=Building, instance=building, fields=fields, allowed=BUILDING_FIELDS,
                      checks=_building_checks,
                      outside=_("This building is outside your jurisdiction. 该楼栋不在您的管辖范围内。"))
    HousingUnit.objects.filter(building=building).exclude(grid=building.grid).update(grid=building.grid)
    return building


HOUSING_FIELDS = {"building", "entrance", "room", "area", "usage"}


def _housing_checks(actor, unit: HousingUnit, errors: dict) -> None:
    building = _related(unit, "building")
    if building is None or not in_jurisdiction(actor, building.grid):
        errors["building"] = _("Choose a building within your jurisdiction. 请选择您管辖范围内的楼栋。")
    else:
        unit.grid = building.grid
    if not (unit.room or "").strip():
        errors["room"] = _("Enter the room number. 请填写房号。")


@transaction.atomic
def housing_unit_create(*, actor, **fields) -> HousingUnit:
    return _write(actor=actor, model=HousingUnit, instance=None, fields=fields, allowed=HOUSING_FIELDS,
                  checks=_housing_checks, outside="")


@transaction.atomic
def housing_unit_update(*, actor, housing_unit: HousingUnit, **fields) -> HousingUnit:
    return _write(actor=actor, model=HousingUnit, instance=housing_unit, fields=fields, allowed=HOUSING_FIELDS,
                  checks=_housing_checks,
                  outside=_("This housing unit is outside your jurisdiction. 该房屋不在您的管辖范围内。"))


# --- households -------------------------------------------------------------------------------------
HOUSEHOLD_FIELDS = {"grid", "number", "housing_unit", "kind", "head"}


def _household_checks(actor, household: Household, errors: dict) -> None:
    _check_grid(actor, _related(household, "grid"), errors)
    if not (household.number or "").strip():
        errors["number"] = _("Enter the household number. 请填写户编号。")
    elif "grid" not in errors and Household.objects.filter(
            grid=household.grid, number=household.number.strip()).exclude(pk=household.pk).exists():
        errors["number"] = _("This household number is already used in the grid. 该户编号在本网格已被使用。")
    if "grid" not in errors and household.housing_unit is not None and (
            not in_jurisdiction(actor, household.housing_unit.grid)
            or not _same_community(household.housing_unit.grid, household.grid)):
        errors["housing_unit"] = _("Choose housing in the same community. 请选择本社区的房屋。")
    if household.head is not None and household.pk and household.head.household_id != household.pk:
        errors["head"] = _("The head must be a member of this household. 户主须为本户成员。")


@transaction.atomic
def household_create(*, actor, **fields) -> Household:
    return _write(actor=actor, model=Household, instance=None, fields=fields, allowed=HOUSEHOLD_FIELDS,
                  checks=_household_checks, outside="")


@transaction.atomic
def household_update(*, actor, household: Household, **fields) -> Household:
    return _write(actor=actor, model=Household, instance=household, fields=fields, allowed=HOUSEHOLD_FIELDS,
                  checks=_household_checks,
                  outside=_("This household is outside your jurisdiction. 该户不在您的管辖范围内。"))


# --- organisations ----------------------------------------------------------------------------------
ORGANISATION_FIELDS = {"grid", "building", "name", "kind", "credit_code", "address", "contact_name", "contact_phone",
                       "employees", "is_active"}


def _organisation_checks(actor, organisation: Organisation, errors: dict) -> None:
    _check_grid(actor, _related(organisation, "grid"), errors)
    code = (organisation.credit_code or "").strip().upper()
    organisation.credit_code = code
    if code and not credit_code_valid(code):
        errors["credit_code"] = _("The unified social credit code is not valid (18 characters, GB 32100 check). "
                                  "统一社会信用代码无效。")
    elif code and Organisation.objects.filter(credit_code=code).exclude(pk=organisation.pk).exists():
        errors["credit_code"] = _("An organisation with this credit code is already registered. 该信用代码已登记。")
    phone = normalize_phone(organisation.contact_phone or "")
    organisation.contact_phone = phone
    if phone:
        try:
            validate_phone(phone)
        except ValidationError as exc:
            errors["contact_phone"] = exc.messages[0]
    if organisation.building is not None and not in_jurisdiction(actor, organisation.building.grid):
        errors["building"] = _("Choose a building within your jurisdiction. 请选择您管辖范围内的楼栋。")


@transaction.atomic
def organisation_create(*, actor, **fields) -> Organisation:
    return _write(actor=actor, model=Organisation, instance=None, fields=fields, allowed=ORGANISATION_FIELDS,
                  checks=_organisation_checks, outside="")


@transaction.atomic
def organisation_update(*, actor, organisation: Organisation, **fields) -> Organisation:
    return _write(actor=actor, model=Organisation, instance=organisation, fields=fields,
                  allowed=ORGANISATION_FIELDS, checks=_organisation_checks,
                  outside=_("This organisation is outside your jurisdiction. 该组织不在您的管辖范围内。"))
