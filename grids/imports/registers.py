"""Per register: how a parsed row becomes service arguments (references by natural key), how the existing
record is found (natural key), whether it changed, which service writes it, and what an export row contains.

There is one set of rules: every create and update goes through grids.services.registers, which validates
everything and re-checks the actor's rights. This module only translates between the workbook and those
services and adds what a file needs on top: duplicates within the file and "nothing changed" detection.
"""

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from governance.lib.pii import (
    birth_date_from_id,
    blind_index,
    gender_from_id,
    id_number_problem,
    mask_id_number,
    mask_phone,
)
from grids import filters as register_filters
from grids.imports import columns as c
from grids.imports.cells import CellError, parse_cell
from grids.models import Building, CareGroup, Household, HousingUnit, Organisation, Region, RegionLevel, Resident
from grids.selectors import registers as register_selectors
from grids.services import registers as register_services

GRID_LEVELS = (RegionLevel.GRID, RegionLevel.MICRO_GRID)
CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"
_UNSET = object()  # "leave this field alone"


@dataclass
class RowPlan:
    """One data row: parsed values, errors by column key ("" = the whole row), and what to do with it."""

    row: int
    values: dict[str, Any] = field(default_factory=dict)
    present: frozenset = frozenset()
    errors: dict[str, str] = field(default_factory=dict)
    fields: dict[str, Any] = field(default_factory=dict)
    care_groups: list | None = None
    instance: Any = None
    key: tuple | None = None
    action: str = ""

    def has(self, key: str) -> bool:
        return key in self.present

    def get(self, key: str):
        return self.values.get(key)

    def error(self, key: str | None, message) -> None:
        self.errors.setdefault(key or "", str(message))

    def ok(self, *keys: str) -> bool:
        return not any(key in self.errors for key in keys)


class Resolver:
    """References by natural key, cached for the whole file (a file mostly repeats a few grids and buildings)."""

    def __init__(self, actor):
        self.actor = actor
        self._grids: dict[str, Region | None] = {}
        self._communities: dict[str, Region | None] = {}
        self._buildings: dict[tuple, Building | None] = {}
        self._units: dict[tuple, HousingUnit | None] = {}
        self._households: dict[tuple, Household | None] = {}
        self._care_groups: dict[str, CareGroup] | None = None
        self._residents: dict[str, Resident | None] = {}

    def grid(self, code: str) -> Region | None:
        if code not in self._grids:
            regions = list(Region.objects.filter(code=code, level__in=GRID_LEVELS))
            current = [region for region in regions if region.valid_to is None]
            ended = sorted((r for r in regions if r.valid_to is not None), key=lambda r: r.valid_to, reverse=True)
            # An ended grid version is passed on, so the service gives its own "this version has ended" answer.
            self._grids[code] = (current or ended or [None])[0]
        return self._grids[code]

    def community(self, grid: Region) -> Region | None:
        path = grid.path[: grid.steplen * 3]
        if path not in self._communities:
            self._communities[path] = Region.objects.filter(path=path, level=RegionLevel.COMMUNITY).first()
        return self._communities[path]

    def building(self, community: Region, number: str) -> Building | None:
        key = (community.pk, number)
        if key not in self._buildings:
            self._buildings[key] = Building.objects.select_related("grid").filter(community=community, number=number).first()
        return self._buildings[key]

    def housing_unit(self, building: Building, entrance: str, room: str) -> HousingUnit | None:
        key = (building.pk, entrance, room)
        if key not in self._units:
            self._units[key] = (HousingUnit.objects.select_related("grid", "building")
                                .filter(building=building, entrance=entrance, room=room).first())
        return self._units[key]

    def household(self, grid: Region, number: str) -> Household | None:
        key = (grid.pk, number)
        if key not in self._households:
            self._households[key] = Household.objects.select_related("grid").filter(grid=grid, number=number).first()
        return self._households[key]

    def load_residents(self, id_numbers) -> None:
        """Load the registered residents for a batch of ID numbers at once (two queries per batch)."""
        wanted = {blind_index(number): number for number in id_numbers if number and blind_index(number) not in self._residents}
        if not wanted:
            return
        found = {resident.id_number_hash: resident for resident in
                 Resident.objects.select_related("grid").prefetch_related("care_groups")
                 .filter(id_number_hash__in=list(wanted))}
        for digest in wanted:
            self._residents[digest] = found.get(digest)

    def resident(self, id_number: str) -> Resident | None:
        digest = blind_index(id_number)
        if digest not in self._residents:
            self.load_residents([id_number])
        return self._residents[digest]

    def care_groups(self) -> dict[str, CareGroup]:
        if self._care_groups is None:
            groups = list(CareGroup.objects.all())
            self._care_groups = {group.code.lower(): group for group in groups}
            self._care_groups.update({group.name: group for group in groups})
        return self._care_groups


class RegisterSpec:
    slug = ""
    title = ""  # the data sheet's name (Chinese, part of the file format)
    label = ""  # page label (translated)
    model = None
    columns: tuple[c.Column, ...] = ()
    filterset_class = None
    # Service error field -> column key, where they differ; unknown fields become row-level errors.
    field_columns: dict[str, str] = {}
    key_column = ""  # where a duplicate-within-file error is reported

    # --- the spec -----------------------------------------------------------------------------------
    def column(self, key: str) -> c.Column | None:
        return next((column for column in self.columns if column.key == key), None)

    def header_for(self, key: str) -> str:
        column = self.column(key)
        return column.header if column else ""

    def queryset(self, user):
        raise NotImplementedError

    def duplicate_column(self, plan) -> str:
        return self.key_column

    # --- import -------------------------------------------------------------------------------------
    def plan(self, resolver: Resolver, row: int, cells: dict[str, Any]) -> RowPlan:
        """Parse the row's cells, resolve references and find the existing record (no writes)."""
        plan = RowPlan(row=row, present=frozenset(cells))
        for key, raw in cells.items():
            column = self.column(key)
            try:
                plan.values[key] = parse_cell(column, raw)
            except CellError as exc:
                plan.values[key] = None
                plan.error(key, exc.message)
                continue
            if column.required and plan.values[key] is None:
                plan.error(key, _("This column is required. 此列必填。"))
        self.build(resolver, plan)
        return plan

    def build(self, resolver: Resolver, plan: RowPlan) -> None:
        """Fill plan.fields (service arguments), plan.key (natural key) and plan.instance (existing record)."""
        raise NotImplementedError

    def prefetch(self, resolver: Resolver, batch: list[dict]) -> None:
        """Optionally load the existing records of a batch of rows (raw cells by key) in a few queries."""

    def _grid(self, resolver: Resolver, plan: RowPlan) -> Region | None:
        code = plan.get("grid")
        if code is None or not plan.ok("grid"):
            return None
        grid = resolver.grid(code)
        if grid is None:
            plan.error("grid", _("No grid has the code %(code)s. 未找到网格编码%(code)s。") % {"code": code})
        return grid

    def _copy(self, plan: RowPlan, *keys: str, blank="") -> None:
        """Columns that feed a model field directly; a blank cell clears a text field."""
        for key in keys:
            if plan.has(key) and plan.ok(key):
                value = plan.get(key)
                plan.fields[key] = blank if value is None else value

    def _copy_choice(self, plan: RowPlan, *keys: str) -> None:
        """A blank choice means "the default" for a new record and "unchanged" for an existing one."""
        for key in keys:
            if plan.has(key) and plan.ok(key) and plan.get(key) is not None:
                plan.fields[key] = plan.get(key)

    def _building(self, resolver: Resolver, plan: RowPlan, grid: Region | None, number: str):
        community = resolver.community(grid) if grid is not None else None
        if community is None:
            return None
        building = resolver.building(community, number)
        if building is None:
            plan.error("building", _("No building numbered %(number)s in this grid's community. "
                                     "本社区没有编号为%(number)s的楼栋。") % {"number": number})
        return building

    def _housing_unit(self, resolver: Resolver, plan: RowPlan, grid: Region | None):
        """楼栋编号 + 单元 + 房号 -> HousingUnit; all blank clears it; _UNSET when it cannot be resolved."""
        if not any(plan.has(key) for key in ("building", "entrance", "room")):
            return _UNSET
        if not plan.ok("building", "entrance", "room"):
            return _UNSET
        number, entrance, room = plan.get("building"), plan.get("entrance") or "", plan.get("room")
        if number is None and room is None and not entrance:
            return None
        if number is None:
            plan.error("building", _("Enter the building number with the room. 填写房号时须同时填写楼栋编号。"))
            return _UNSET
        if room is None:
            plan.error("room", _("Enter the room number. 请填写房号。"))
            return _UNSET
        building = self._building(resolver, plan, grid, number)
        if building is None:
            return _UNSET
        unit = resolver.housing_unit(building, entrance, room)
        if unit is None:
            plan.error("room", _("Building %(number)s has no registered room %(room)s. 该楼栋没有登记此单元、房号的房屋。")
                       % {"number": number, "room": f"{entrance}{room}"})
            return _UNSET
        return unit

    def checkable(self, plan: RowPlan) -> bool:
        """Whether the service can judge this row. The register services need a grid on the record (they
        fail on a missing one rather than reporting it), so a row whose grid did not resolve — already an
        error — is not passed to them."""
        return "grid" in plan.fields or plan.instance is not None

    def unchanged(self, plan: RowPlan) -> bool:
        """True when every value in the row equals the stored one (then no service is called at all)."""
        instance = plan.instance
        for name, value in plan.fields.items():
            model_field = instance._meta.get_field(name)
            if model_field.is_relation:
                if getattr(instance, model_field.attname) != (value.pk if value is not None else None):
                    return False
            elif getattr(instance, name) != value:
                return False
        return True

    def service_errors(self, plan: RowPlan, exc: ValidationError) -> None:
        if hasattr(exc, "error_dict"):
            for name, messages in exc.message_dict.items():
                key = self.field_columns.get(name, name)
                plan.error(key if self.column(key) else "", messages[0])
        else:
            for message in exc.messages:
                plan.error("", message)

    def create(self, actor, plan: RowPlan):
        raise NotImplementedError

    def update(self, actor, plan: RowPlan):
        raise NotImplementedError

    # --- export -------------------------------------------------------------------------------------
    def export_rows(self, queryset, *, masked: bool):
        for obj in queryset.iterator(chunk_size=1000):
            yield self.export_values(obj, masked=masked)

    def export_values(self, obj, *, masked: bool) -> dict:
        raise NotImplementedError

    def _labels(self, obj, *keys) -> dict:
        return {key: self.column(key).label_for(getattr(obj, key)) for key in keys}


def _phone(value: str, masked: bool) -> str:
    return mask_phone(value) if masked and value else (value or "")


def _unit_values(unit) -> dict:
    if unit is None:
        return {"building": "", "entrance": "", "room": ""}
    return {"building": unit.building.number, "entrance": unit.entrance, "room": unit.room}


# --- residents ---------------------------------------------------------------------------------------------
class ResidentRegister(RegisterSpec):
    slug = "residents"
    title = "居民"
    label = gettext_lazy("Residents")
    model = Resident
    columns = c.RESIDENT_COLUMNS
    filterset_class = register_filters.ResidentFilterSet
    field_columns = {"housing_unit": "room", "birth_date": "id_number", "gender": "id_number",
                     "id_number_hash": "id_number"}
    key_column = "id_number"

    def queryset(self, user):
        return register_selectors.resident_list(user=user)

    def prefetch(self, resolver, batch):
        column, numbers = self.column("id_number"), []
        for cells in batch:
            try:
                number = parse_cell(column, cells.get("id_number"))
            except CellError:
                continue
            if number and id_number_problem(number) is None:
                numbers.append(number)
        resolver.load_residents(numbers)

    def build(self, resolver, plan):
        grid = self._grid(resolver, plan)
        if grid is not None:
            plan.fields["grid"] = grid
        self._copy(plan, "name", "id_number", "phone", "relation_to_head", "emergency_contact", "emergency_phone",
                   "notes")
        self._copy_choice(plan, "residence_type", "political_status", "status")
        if plan.has("household") and plan.ok("household"):
            number = plan.get("household")
            if number is None:
                plan.fields["household"] = None
            elif grid is not None:
                household = resolver.household(grid, number)
                if household is None:
                    plan.error("household", _("No household numbered %(number)s in this grid. 本网格没有户编号%(number)s。")
                               % {"number": number})
                else:
                    plan.fields["household"] = household
        unit = self._housing_unit(resolver, plan, grid)
        if unit is not _UNSET:
            plan.fields["housing_unit"] = unit
        if plan.has("care_groups") and plan.ok("care_groups"):
            groups, unknown = [], []
            known = resolver.care_groups()
            for name in plan.get("care_groups") or []:
                group = known.get(name) or known.get(name.lower())
                (groups.append(group) if group else unknown.append(name))
            if unknown:
                plan.error("care_groups", _("Unknown care groups: %(names)s. 系统中没有这些关怀对象类别：%(names)s。")
                           % {"names": "、".join(unknown)})
            else:
                plan.care_groups = list({group.pk: group for group in groups}.values())
        id_number = plan.get("id_number")
        if id_number and plan.ok("id_number"):
            plan.key = ("id_number", id_number)
            if id_number_problem(id_number) is None:
                self._check_derived(plan, id_number)
                plan.instance = resolver.resident(id_number)

    @staticmethod
    def _check_derived(plan, id_number):
        if plan.get("gender") is not None and plan.ok("gender") and plan.get("gender") != gender_from_id(id_number):
            plan.error("gender", _("Does not match the ID number. 与身份证号不一致。"))
        birth = plan.get("birth_date")
        if birth is not None and plan.ok("birth_date") and birth != birth_date_from_id(id_number):
            plan.error("birth_date", _("Does not match the ID number. 与身份证号不一致。"))

    def unchanged(self, plan):
        if not super().unchanged(plan):
            return False
        if plan.care_groups is None:
            return True
        return {group.pk for group in plan.care_groups} == {group.pk for group in plan.instance.care_groups.all()}

    def create(self, actor, plan):
        care_groups = plan.care_groups or None  # a new resident has none: nothing to set
        return register_services.resident_create(actor=actor, care_groups=care_groups, **plan.fields)

    def update(self, actor, plan):
        return register_services.resident_update(actor=actor, resident=plan.instance, care_groups=plan.care_groups,
                                                 **plan.fields)

    def export_values(self, obj, *, masked):
        return {
            "grid": obj.grid.code, "name": obj.name,
            "id_number": mask_id_number(obj.id_number) if masked else obj.id_number,
            "gender": self.column("gender").label_for(obj.gender), "birth_date": obj.birth_date,
            "phone": _phone(obj.phone, masked),
            "household": obj.household.number if obj.household_id else "",
            **_unit_values(obj.housing_unit),
            **self._labels(obj, "residence_type", "political_status", "status"),
            "relation_to_head": obj.relation_to_head,
            "care_groups": "、".join(group.name for group in obj.care_groups.all()),
            "emergency_contact": obj.emergency_contact, "emergency_phone": _phone(obj.emergency_phone, masked),
            "notes": obj.notes,
        }


# --- households --------------------------------------------------------------------------------------------
class HouseholdRegister(RegisterSpec):
    slug = "households"
    title = "户"
    label = gettext_lazy("Households")
    model = Household
    columns = c.HOUSEHOLD_COLUMNS
    filterset_class = register_filters.HouseholdFilterSet
    field_columns = {"housing_unit": "room"}
    key_column = "number"

    def queryset(self, user):
        return register_selectors.household_list(user=user)

    def build(self, resolver, plan):
        grid = self._grid(resolver, plan)
        if grid is not None:
            plan.fields["grid"] = grid
        self._copy(plan, "number")
        self._copy_choice(plan, "kind")
        unit = self._housing_unit(resolver, plan, grid)
        if unit is not _UNSET:
            plan.fields["housing_unit"] = unit
        number = plan.get("number")
        if grid is not None and number and plan.ok("number"):
            plan.key = (grid.pk, number)
            plan.instance = Household.objects.select_related("grid").filter(grid=grid, number=number).first()

    def create(self, actor, plan):
        return register_services.household_create(actor=actor, **plan.fields)

    def update(self, actor, plan):
        return register_services.household_update(actor=actor, household=plan.instance, **plan.fields)

    def export_values(self, obj, *, masked):
        return {"grid": obj.grid.code, "number": obj.number, **self._labels(obj, "kind"),
                **_unit_values(obj.housing_unit)}


# --- buildings ---------------------------------------------------------------------------------------------
class BuildingRegister(RegisterSpec):
    slug = "buildings"
    title = "楼栋"
    label = gettext_lazy("Buildings")
    model = Building
    columns = c.BUILDING_COLUMNS
    filterset_class = register_filters.BuildingFilterSet
    field_columns = {"community": "grid"}
    key_column = "number"

    def queryset(self, user):
        return register_selectors.building_list(user=user)

    def build(self, resolver, plan):
        grid = self._grid(resolver, plan)
        if grid is not None:
            plan.fields["grid"] = grid
        self._copy(plan, "number", "name", "address")
        self._copy(plan, "floors", blank=None)
        self._copy_choice(plan, "kind")
        number = plan.get("number")
        community = resolver.community(grid) if grid is not None else None
        if community is not None and number and plan.ok("number"):
            plan.key = (community.pk, number)
            plan.instance = Building.objects.select_related("grid").filter(community=community, number=number).first()

    def create(self, actor, plan):
        return register_services.building_create(actor=actor, **plan.fields)

    def update(self, actor, plan):
        return register_services.building_update(actor=actor, building=plan.instance, **plan.fields)

    def export_values(self, obj, *, masked):
        return {"grid": obj.grid.code, "number": obj.number, "name": obj.name, **self._labels(obj, "kind"),
                "floors": obj.floors, "address": obj.address}


# --- housing units -----------------------------------------------------------------------------------------
class HousingUnitRegister(RegisterSpec):
    slug = "housing"
    title = "房屋"
    label = gettext_lazy("Housing units")
    model = HousingUnit
    columns = c.HOUSING_UNIT_COLUMNS
    filterset_class = register_filters.HousingUnitFilterSet
    key_column = "room"

    def queryset(self, user):
        return register_selectors.housing_unit_list(user=user)

    def checkable(self, plan):
        return True  # the housing services take a missing building in their stride

    def build(self, resolver, plan):
        grid = self._grid(resolver, plan)
        self._copy(plan, "entrance", "room")
        self._copy(plan, "area", blank=None)
        self._copy_choice(plan, "usage")
        number = plan.get("building")
        if number is None or not plan.ok("building"):
            return
        building = self._building(resolver, plan, grid, number)
        if building is None:
            return
        if building.grid_id != grid.pk:
            plan.error("grid", _("Building %(number)s belongs to grid %(code)s; enter that grid's code. "
                                 "该楼栋属于网格%(code)s，请填写楼栋所在网格的编码。")
                       % {"number": number, "code": building.grid.code})
            return
        plan.fields["building"] = building
        entrance, room = plan.get("entrance") or "", plan.get("room")
        if room and plan.ok("entrance", "room"):
            plan.key = (building.pk, entrance, room)
            plan.instance = (HousingUnit.objects.select_related("grid")
                             .filter(building=building, entrance=entrance, room=room).first())

    def create(self, actor, plan):
        return register_services.housing_unit_create(actor=actor, **plan.fields)

    def update(self, actor, plan):
        return register_services.housing_unit_update(actor=actor, housing_unit=plan.instance, **plan.fields)

    def export_values(self, obj, *, masked):
        return {"grid": obj.grid.code, "building": obj.building.number, "entrance": obj.entrance, "room": obj.room,
                "area": obj.area, **self._labels(obj, "usage")}


# --- organisations -----------------------------------------------------------------------------------------
class OrganisationRegister(RegisterSpec):
    slug = "organisations"
    title = "组织"
    label = gettext_lazy("Organisations")
    model = Organisation
    columns = c.ORGANISATION_COLUMNS
    filterset_class = register_filters.OrganisationFilterSet
    key_column = "name"

    def queryset(self, user):
        return register_selectors.organisation_list(user=user)

    def duplicate_column(self, plan):
        return "credit_code" if plan.key and plan.key[0] == "credit_code" else "name"

    def build(self, resolver, plan):
        grid = self._grid(resolver, plan)
        if grid is not None:
            plan.fields["grid"] = grid
        if plan.get("credit_code"):
            plan.values["credit_code"] = plan.get("credit_code").upper()
        self._copy(plan, "name", "credit_code", "address", "contact_name", "contact_phone")
        self._copy(plan, "employees", blank=None)
        self._copy_choice(plan, "kind", "is_active")
        if plan.has("building") and plan.ok("building"):
            number = plan.get("building")
            if number is None:
                plan.fields["building"] = None
            else:
                building = self._building(resolver, plan, grid, number)
                if building is not None:
                    plan.fields["building"] = building
        code, name = plan.get("credit_code"), plan.get("name")
        if code and plan.ok("credit_code"):
            plan.key = ("credit_code", code)
            plan.instance = Organisation.objects.select_related("grid").filter(credit_code=code).first()
        elif grid is not None and name and plan.ok("name"):
            plan.key = ("name", grid.pk, name)
        if plan.instance is None and grid is not None and name and plan.ok("name"):
            # Without a (registered) credit code: grid + name, among organisations that have no code yet.
            matches = list(Organisation.objects.select_related("grid").filter(grid=grid, name=name, credit_code="")[:2])
            if len(matches) > 1:
                plan.error("name", _("Several organisations in this grid have this name; add the credit code. "
                                     "本网格有多个同名组织，请填写统一社会信用代码。"))
            elif matches:
                plan.instance = matches[0]

    def create(self, actor, plan):
        return register_services.organisation_create(actor=actor, **plan.fields)

    def update(self, actor, plan):
        return register_services.organisation_update(actor=actor, organisation=plan.instance, **plan.fields)

    def export_values(self, obj, *, masked):
        return {"grid": obj.grid.code, "name": obj.name, **self._labels(obj, "kind"), "credit_code": obj.credit_code,
                "building": obj.building.number if obj.building_id else "", "address": obj.address,
                "contact_name": obj.contact_name, "contact_phone": _phone(obj.contact_phone, masked),
                "employees": obj.employees, "is_active": "是" if obj.is_active else "否"}


REGISTERS: dict[str, RegisterSpec] = {spec.slug: spec for spec in (
    ResidentRegister(), HouseholdRegister(), BuildingRegister(), HousingUnitRegister(), OrganisationRegister(),
)}


def get_register(slug: str) -> RegisterSpec | None:
    return REGISTERS.get(slug)
