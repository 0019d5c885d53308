"""Serializers of the grids API. Output serializers read only columns, select_related rows and annotations the
selectors provide (no query per row). Personal data goes out masked; input serializers bound every text field,
so oversize input is a 400 before any service runs."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from governance.lib.api import MaskedField, NamedChoiceField, ScopedPrimaryKeyField
from governance.lib.pii import mask_id_number, mask_phone
from grids.models import (
    Building,
    CareGroup,
    FormerNetwork,
    GridKind,
    Household,
    HousingUnit,
    Organisation,
    Region,
    RegionLevel,
    Resident,
    SpecialGroupRecord,
)
from grids.selectors.regions import grid_choices
from grids.selectors.registers import building_list, household_list, housing_unit_list, resident_list

# --- regions ---------------------------------------------------------------------------------------


class RegionSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    level = serializers.ChoiceField(choices=RegionLevel.choices, read_only=True)
    name = serializers.CharField(read_only=True)
    code = serializers.CharField(read_only=True)
    parent = serializers.IntegerField(source="parent_id", read_only=True, allow_null=True,
                                      help_text=_("Id of the parent region; null for a district."))
    depth = serializers.IntegerField(read_only=True)
    grid_kind = serializers.ChoiceField(choices=GridKind.choices, read_only=True, allow_blank=True)
    valid_from = serializers.DateField(read_only=True, allow_null=True)
    valid_to = serializers.DateField(read_only=True, allow_null=True)
    absorbed_networks = serializers.ListField(child=serializers.ChoiceField(choices=FormerNetwork.choices),
                                              read_only=True)
    boundary = serializers.JSONField(read_only=True, allow_null=True, help_text=_("GeoJSON polygon, or null."))
    description = serializers.CharField(read_only=True)


class RegionTreeNodeSerializer(serializers.Serializer):
    """One node of the visible tree with cumulative counts over its subtree."""

    id = serializers.IntegerField(source="region.id", read_only=True)
    level = serializers.ChoiceField(source="region.level", choices=RegionLevel.choices, read_only=True)
    name = serializers.CharField(source="region.name", read_only=True)
    code = serializers.CharField(source="region.code", read_only=True)
    grid_kind = serializers.ChoiceField(source="region.grid_kind", choices=GridKind.choices, read_only=True,
                                        allow_blank=True)
    depth = serializers.IntegerField(read_only=True)
    households = serializers.IntegerField(read_only=True, help_text=_("Households in the subtree."))
    residents = serializers.IntegerField(read_only=True, help_text=_("Residents living here, in the subtree."))
    workers = serializers.IntegerField(read_only=True, help_text=_("Active grid assignments in the subtree."))
    own_households = serializers.IntegerField(read_only=True, help_text=_("Households on this node itself."))
    outside_band = serializers.BooleanField(
        read_only=True, help_text=_("A basic grid whose household count is outside the configured band."))

    def get_fields(self):
        fields = super().get_fields()
        fields["children"] = RegionTreeNodeSerializer(many=True, read_only=True)
        return fields


# --- output: registers -----------------------------------------------------------------------------


class _AttributeListField(serializers.ListField):
    """One attribute of each related object (prefetched by the selector), e.g. the codes of care groups."""

    def __init__(self, *, attribute: str, **kwargs):
        self.attribute = attribute
        super().__init__(**kwargs)

    def to_representation(self, data):
        if hasattr(data, "all"):
            data = data.all()
        return [getattr(item, self.attribute) for item in data]


class ResidentSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    grid = serializers.IntegerField(source="grid_id", read_only=True)
    grid_name = serializers.CharField(source="grid.name", read_only=True)
    household = serializers.IntegerField(source="household_id", read_only=True, allow_null=True)
    housing_unit = serializers.IntegerField(source="housing_unit_id", read_only=True, allow_null=True)
    name = serializers.CharField(read_only=True)
    gender = serializers.ChoiceField(choices=Resident.Gender.choices, read_only=True)
    age = serializers.SerializerMethodField(
        help_text=_("Full years. The birth date is not sent: with the masked ID number it would give the ID away."))
    id_number = MaskedField(mask_id_number, help_text=_("Masked, e.g. 1101**********002X. Use reveal for the plaintext."))
    phone = MaskedField(mask_phone, help_text=_("Masked, e.g. 138****5678."))
    emergency_contact = serializers.CharField(read_only=True)
    emergency_phone = MaskedField(mask_phone)
    residence_type = serializers.ChoiceField(choices=Resident.ResidenceType.choices, read_only=True)
    relation_to_head = serializers.CharField(read_only=True)
    political_status = serializers.ChoiceField(choices=Resident.PoliticalStatus.choices, read_only=True)
    status = serializers.ChoiceField(choices=Resident.Status.choices, read_only=True)
    care_groups = _AttributeListField(attribute="code", child=serializers.CharField(), read_only=True,
                                      help_text=_("Care-group codes."))
    notes = serializers.CharField(read_only=True)
    # Not read-only on purpose: the schema then lists it as optional (it is absent for most roles).
    special_groups = _AttributeListField(
        attribute="kind", child=serializers.ChoiceField(choices=SpecialGroupRecord.Kind.choices), source="special_group_records",
        required=False,
        help_text=_("Special-management kinds (特殊人群); present only for accounts allowed to see them."),
    )
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    def get_fields(self):
        fields = super().get_fields()
        if not self.context.get("show_special_groups"):
            fields.pop("special_groups")
        return fields

    @extend_schema_field(OpenApiTypes.INT)
    def get_age(self, resident) -> int:
        today = timezone.localdate()
        born = resident.birth_date
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


class HouseholdSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    grid = serializers.IntegerField(source="grid_id", read_only=True)
    grid_name = serializers.CharField(source="grid.name", read_only=True)
    number = serializers.CharField(read_only=True)
    kind = NamedChoiceField(enum_name="HouseholdKindEnum", choices=Household.Kind.choices, read_only=True)
    housing_unit = serializers.IntegerField(source="housing_unit_id", read_only=True, allow_null=True)
    head = serializers.IntegerField(source="head_id", read_only=True, allow_null=True)
    head_name = serializers.CharField(source="head.name", read_only=True, allow_null=True, default=None)
    member_count = serializers.IntegerField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)


class BuildingSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    grid = serializers.IntegerField(source="grid_id", read_only=True)
    grid_name = serializers.CharField(source="grid.name", read_only=True)
    community = serializers.IntegerField(source="community_id", read_only=True)
    community_name = serializers.CharField(source="community.name", read_only=True)
    number = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    address = serializers.CharField(read_only=True)
    kind = NamedChoiceField(enum_name="BuildingKindEnum", choices=Building.Kind.choices, read_only=True)
    floors = serializers.IntegerField(read_only=True, allow_null=True)
    head = serializers.IntegerField(source="head_id", read_only=True, allow_null=True)
    head_name = serializers.CharField(source="head.name", read_only=True, allow_null=True, default=None)
    unit_count = serializers.IntegerField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)


class HousingUnitSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    grid = serializers.IntegerField(source="grid_id", read_only=True)
    grid_name = serializers.CharField(source="grid.name", read_only=True)
    building = serializers.IntegerField(source="building_id", read_only=True)
    building_number = serializers.CharField(source="building.number", read_only=True)
    building_name = serializers.CharField(source="building.name", read_only=True)
    entrance = serializers.CharField(read_only=True)
    room = serializers.CharField(read_only=True)
    area = serializers.DecimalField(max_digits=7, decimal_places=2, read_only=True, allow_null=True)
    usage = serializers.ChoiceField(choices=HousingUnit.Usage.choices, read_only=True)
    occupant_count = serializers.IntegerField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)


class OrganisationSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    grid = serializers.IntegerField(source="grid_id", read_only=True)
    grid_name = serializers.CharField(source="grid.name", read_only=True)
    building = serializers.IntegerField(source="building_id", read_only=True, allow_null=True)
    name = serializers.CharField(read_only=True)
    kind = NamedChoiceField(enum_name="OrganisationKindEnum", choices=Organisation.Kind.choices, read_only=True)
    credit_code = serializers.CharField(read_only=True)
    address = serializers.CharField(read_only=True)
    contact_name = serializers.CharField(read_only=True)
    contact_phone = MaskedField(mask_phone, help_text=_("Masked. Use reveal for the plaintext."))
    employees = serializers.IntegerField(read_only=True, allow_null=True)
    is_active = serializers.BooleanField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)


# --- input: registers ------------------------------------------------------------------------------

_NOT_IN_JURISDICTION = {
    "does_not_exist": _("Choose one within your jurisdiction (id %(pk_value)s). 请选择您管辖范围内的记录。"),
}


def _grid_field(**kwargs):
    return ScopedPrimaryKeyField(
        scope=grid_choices, model=Region,
        error_messages={"does_not_exist": _("Choose a grid within your jurisdiction. 请选择您管辖范围内的网格。")},
        help_text=_("Id of a grid or micro-grid within your jurisdiction."), **kwargs)


def _scoped(scope, model, **kwargs):
    kwargs.setdefault("required", False)
    kwargs.setdefault("allow_null", True)
    return ScopedPrimaryKeyField(scope=scope, model=model, error_messages=_NOT_IN_JURISDICTION, **kwargs)


class ResidentInputSerializer(serializers.Serializer):
    grid = _grid_field()
    household = _scoped(household_list, Household)
    housing_unit = _scoped(housing_unit_list, HousingUnit)
    name = serializers.CharField(max_length=64)
    id_number = serializers.CharField(max_length=32, help_text=_("18-character ID number (GB 11643 check)."))
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
    emergency_contact = serializers.CharField(max_length=64, required=False, allow_blank=True)
    emergency_phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
    residence_type = serializers.ChoiceField(choices=Resident.ResidenceType.choices, required=False)
    relation_to_head = serializers.CharField(max_length=16, required=False, allow_blank=True)
    political_status = serializers.ChoiceField(choices=Resident.PoliticalStatus.choices, required=False)
    status = serializers.ChoiceField(choices=Resident.Status.choices, required=False)
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    care_groups = serializers.SlugRelatedField(slug_field="code", queryset=CareGroup.objects.all(), many=True,
                                               required=False, help_text=_("Care-group codes."))


class HouseholdInputSerializer(serializers.Serializer):
    grid = _grid_field()
    number = serializers.CharField(max_length=32)
    housing_unit = _scoped(housing_unit_list, HousingUnit)
    kind = NamedChoiceField(enum_name="HouseholdKindEnum", choices=Household.Kind.choices, required=False)
    head = _scoped(resident_list, Resident, help_text=_("A member of this household."))


class BuildingInputSerializer(serializers.Serializer):
    grid = _grid_field()
    number = serializers.CharField(max_length=5, help_text=_("00001–99999, unique in the community."))
    name = serializers.CharField(max_length=100)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    kind = NamedChoiceField(enum_name="BuildingKindEnum", choices=Building.Kind.choices, required=False)
    floors = serializers.IntegerField(min_value=0, max_value=32767, required=False, allow_null=True)
    head = _scoped(resident_list, Resident, help_text=_("A resident of the same community."))


class HousingUnitInputSerializer(serializers.Serializer):
    building = ScopedPrimaryKeyField(scope=building_list, model=Building, error_messages=_NOT_IN_JURISDICTION)
    entrance = serializers.CharField(max_length=16, required=False, allow_blank=True)
    room = serializers.CharField(max_length=16)
    area = serializers.DecimalField(max_digits=7, decimal_places=2, min_value=0, required=False, allow_null=True)
    usage = serializers.ChoiceField(choices=HousingUnit.Usage.choices, required=False)


class OrganisationInputSerializer(serializers.Serializer):
    grid = _grid_field()
    building = _scoped(building_list, Building)
    name = serializers.CharField(max_length=120)
    kind = NamedChoiceField(enum_name="OrganisationKindEnum", choices=Organisation.Kind.choices)
    credit_code = serializers.CharField(max_length=18, required=False, allow_blank=True)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    contact_name = serializers.CharField(max_length=64, required=False, allow_blank=True)
    contact_phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
    employees = serializers.IntegerField(min_value=0, max_value=2147483647, required=False, allow_null=True)
    is_active = serializers.BooleanField(required=False)


# --- reveal ----------------------------------------------------------------------------------------


class RevealOutputSerializer(serializers.Serializer):
    field = serializers.CharField()
    value = serializers.CharField(help_text=_("The plaintext. Every call is written to the audit log."))


def reveal_input_serializer(fields: tuple[str, ...], name: str):
    """An input serializer {"field": one of `fields`} (one class per resource, so the schema names the choices)."""
    return type(name, (serializers.Serializer,), {
        "field": serializers.ChoiceField(choices=list(fields), help_text=_("Which field to unmask.")),
    })


ResidentRevealInputSerializer = reveal_input_serializer(("id_number", "phone", "emergency_phone"),
                                                        "ResidentRevealInputSerializer")
OrganisationRevealInputSerializer = reveal_input_serializer(("contact_phone",), "OrganisationRevealInputSerializer")
