"""Forms of the grid pages. They parse input only: every rule lives in grids.services (registers, regions), whose
ValidationErrors are attached back to the form with `add_service_errors`.

Choice fields list only what the user's jurisdiction holds (scoped selectors), so a row outside it posted by id is
an invalid choice. Personal data (ID number, phones) is never put back into an edit form in plaintext: the field
starts empty with the masked value as a hint, and an empty field keeps the stored value."""

import json

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from governance.lib.pii import mask_id_number, mask_phone
from grids.models import (
    CODE_LENGTH,
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
)
from grids.selectors.regions import grid_choices
from grids.selectors.registers import building_list, household_list, housing_unit_list, resident_list

NONE_LABEL = _("— none —")
CHOICE_OUTSIDE = _("Choose one of the listed options; it must be within your jurisdiction. "
                   "请从列表中选择您管辖范围内的选项。")


def _max(model, name: str) -> int:
    return model._meta.get_field(name).max_length


# --- choice fields ------------------------------------------------------------------------------------------

class GridChoiceField(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Grid"))
        kwargs.setdefault("empty_label", _("— choose a grid —"))
        kwargs.setdefault("error_messages", {"invalid_choice": CHOICE_OUTSIDE})
        super().__init__(queryset=Region.objects.none(), **kwargs)

    def label_from_instance(self, obj):
        label = f"{obj.name} · {obj.code}"
        if obj.level == RegionLevel.MICRO_GRID:
            label = f"\u3000{label}"
        if obj.valid_to is not None:
            label = gettext("%(label)s (ended %(date)s)") % {"label": label, "date": obj.valid_to.isoformat()}
        return label


class HouseholdChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.number} · {obj.grid.name}"


class HousingUnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.building.number} {obj.building.name} {obj.entrance}{obj.room}"


class BuildingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.number} {obj.name} · {obj.grid.name}"


class ResidentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} · {mask_id_number(obj.id_number)}"


def _optional_choice(field_class, label, **kwargs):
    return field_class(queryset=Region.objects.none(), label=label, required=False, empty_label=NONE_LABEL,
                       error_messages={"invalid_choice": CHOICE_OUTSIDE}, **kwargs)


# --- base ---------------------------------------------------------------------------------------------------

class ServiceErrorsMixin:
    def add_service_errors(self, exc: ValidationError) -> None:
        """Attach a service ValidationError: per-field messages to their fields, the rest above the form."""
        if hasattr(exc, "error_dict"):
            for name, messages in exc.message_dict.items():
                target = name if name in self.fields else None
                for message in messages:
                    self.add_error(target, message)
        else:
            for message in exc.messages:
                self.add_error(None, message)


class ServiceForm(ServiceErrorsMixin, forms.Form):
    """A plain form for one service call. `instance` (edit) fills the initial values; `secret_fields` maps each
    personal-data field to its mask: on edit it starts empty, and `clearable` ones get a "remove" checkbox."""

    secret_fields: dict = {}
    clearable: tuple = ()
    m2m_fields: tuple = ()

    def __init__(self, *args, user, instance=None, **kwargs):
        self.user, self.instance = user, instance
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = self._initial_from(instance)
        super().__init__(*args, **kwargs)
        self.setup()
        if instance is not None:
            self._protect_secrets(instance)

    def setup(self) -> None:
        """Limit the choice fields to the user's jurisdiction (subclasses)."""

    def _initial_from(self, instance) -> dict:
        data = {}
        for name, field in self.base_fields.items():
            if name in self.secret_fields:
                continue
            if name in self.m2m_fields:
                data[name] = [obj.pk for obj in getattr(instance, name).all()]
            elif isinstance(field, forms.ModelChoiceField):
                data[name] = getattr(instance, f"{name}_id")
            else:
                data[name] = getattr(instance, name)
        return data

    def _protect_secrets(self, instance) -> None:
        for name, mask in self.secret_fields.items():
            if name not in self.fields:
                continue
            field = self.fields[name]
            current = getattr(instance, name) or ""
            field.required = False
            if current:
                field.widget.attrs["placeholder"] = mask(current)
                field.help_text = gettext("Stored: %(masked)s. Leave empty to keep it; type a new value to replace it. "
                                          "留空则保持不变。") % {"masked": mask(current)}
                if name in self.clearable:
                    self.fields[f"clear_{name}"] = forms.BooleanField(
                        label=gettext("Remove the stored %(field)s") % {"field": str(field.label).lower()},
                        required=False)
        # Each "remove" checkbox right after its field.
        order = []
        for name in self.fields:
            if not name.startswith("clear_"):
                order.append(name)
                if f"clear_{name}" in self.fields:
                    order.append(f"clear_{name}")
        self.order_fields(order)

    def service_data(self) -> dict:
        """The cleaned data as keyword arguments for the service (secret fields left out when unchanged)."""
        data = dict(self.cleaned_data)
        for name in self.secret_fields:
            clear = data.pop(f"clear_{name}", False)
            if self.instance is None or name not in data:
                continue
            if clear:
                data[name] = ""
            elif not data[name]:
                data.pop(name)
        return data

def _text(label, max_length, *, required=True, **attrs):
    return forms.CharField(label=label, max_length=max_length, required=required,
                           widget=forms.TextInput(attrs=attrs or None))


def _phone(label, max_length=20, *, required=False):
    return forms.CharField(label=label, max_length=max_length, required=required,
                           widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
                           help_text=_("Mobile 13812345678 or landline 010-62345678. 手机或带区号的固定电话。"))


def _textarea(label, max_length, *, required=False, rows=4):
    return forms.CharField(label=label, max_length=max_length, required=required,
                           widget=forms.Textarea(attrs={"rows": rows}))


def _date(label, *, required=False):
    return forms.DateField(label=label, required=required,
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                           help_text=_("Format 2024-05-01. 格式：年-月-日。"))


def _current_grids(user, instance=None):
    qs = grid_choices(user=user)
    if instance is not None and getattr(instance, "grid_id", None):
        return qs.filter(Q(valid_to__isnull=True) | Q(pk=instance.grid_id))
    return qs.filter(valid_to__isnull=True)


# --- residents ----------------------------------------------------------------------------------------------

class ResidentForm(ServiceForm):
    secret_fields = {"id_number": mask_id_number, "phone": mask_phone, "emergency_phone": mask_phone}
    clearable = ("phone", "emergency_phone")
    m2m_fields = ("care_groups",)

    name = _text(_("Full name"), _max(Resident, "name"), autocomplete="off")
    id_number = _text(_("ID number"), 32, autocomplete="off", spellcheck="false")
    grid = GridChoiceField()
    household = _optional_choice(HouseholdChoiceField, _("Household"))
    housing_unit = _optional_choice(HousingUnitChoiceField, _("Housing unit"))
    phone = _phone(_("Phone"))
    emergency_contact = _text(_("Emergency contact"), _max(Resident, "emergency_contact"), required=False)
    emergency_phone = _phone(_("Emergency contact phone"))
    residence_type = forms.ChoiceField(label=_("Residence type"), choices=Resident.ResidenceType.choices,
                                       initial=Resident.ResidenceType.REGISTERED)
    relation_to_head = _text(_("Relation to head of household"), _max(Resident, "relation_to_head"), required=False)
    political_status = forms.ChoiceField(label=_("Political status"), choices=Resident.PoliticalStatus.choices,
                                         initial=Resident.PoliticalStatus.MASSES)
    status = forms.ChoiceField(label=_("Status"), choices=Resident.Status.choices, initial=Resident.Status.ACTIVE)
    care_groups = forms.ModelMultipleChoiceField(label=_("Care groups (关怀对象)"), queryset=CareGroup.objects.none(),
                                                 required=False, widget=forms.CheckboxSelectMultiple)
    notes = _textarea(_("Notes"), 2000)

    def setup(self):
        self.fields["id_number"].help_text = _("18 characters; birth date and gender are read from it. "
                                               "18位身份证号，出生日期和性别自动识别。")
        self.fields["grid"].queryset = _current_grids(self.user, self.instance)
        self.fields["household"].queryset = household_list(user=self.user)
        self.fields["housing_unit"].queryset = housing_unit_list(user=self.user)
        self.fields["care_groups"].queryset = CareGroup.objects.order_by("code")

    def service_data(self) -> dict:
        data = super().service_data()
        data["care_groups"] = list(data.get("care_groups") or [])
        return data


# --- buildings and housing ----------------------------------------------------------------------------------

class BuildingForm(ServiceForm):
    number = _text(_("Building number"), _max(Building, "number"), inputmode="numeric")
    name = _text(_("Building name"), _max(Building, "name"))
    grid = GridChoiceField()
    address = _text(_("Address"), _max(Building, "address"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=Building.Kind.choices, initial=Building.Kind.RESIDENTIAL)
    floors = forms.IntegerField(label=_("Floors"), required=False, min_value=1, max_value=300)
    head = _optional_choice(ResidentChoiceField, _("Building head (楼栋长)"))

    def setup(self):
        self.fields["number"].help_text = _("00001–99999 within the community. 社区内楼栋编号。")
        self.fields["grid"].queryset = _current_grids(self.user, self.instance)
        if self.instance is None:
            del self.fields["head"]  # nobody lives in a building before it exists
        else:
            self.fields["head"].queryset = resident_list(user=self.user).filter(
                housing_unit__building=self.instance, status=Resident.Status.ACTIVE).prefetch_related(None)
            self.fields["head"].help_text = _("A resident living in this building. 本楼栋居民。")


class HousingUnitForm(ServiceForm):
    building = BuildingChoiceField(queryset=Building.objects.none(), label=_("Building"),
                                   empty_label=_("— choose a building —"),
                                   error_messages={"invalid_choice": CHOICE_OUTSIDE})
    entrance = _text(_("Entrance (单元)"), _max(HousingUnit, "entrance"), required=False)
    room = _text(_("Room"), _max(HousingUnit, "room"))
    area = forms.DecimalField(label=_("Floor area (m²)"), required=False, max_digits=7, decimal_places=2, min_value=0)
    usage = forms.ChoiceField(label=_("Usage"), choices=HousingUnit.Usage.choices,
                              initial=HousingUnit.Usage.SELF_OCCUPIED)

    def setup(self):
        self.fields["building"].queryset = building_list(user=self.user)


# --- households ---------------------------------------------------------------------------------------------

class HouseholdForm(ServiceForm):
    number = _text(_("Household number"), _max(Household, "number"))
    grid = GridChoiceField()
    housing_unit = _optional_choice(HousingUnitChoiceField, _("Housing unit"))
    kind = forms.ChoiceField(label=_("Kind"), choices=Household.Kind.choices, initial=Household.Kind.REGISTERED)
    head = _optional_choice(ResidentChoiceField, _("Head of household"))

    def setup(self):
        self.fields["grid"].queryset = _current_grids(self.user, self.instance)
        self.fields["housing_unit"].queryset = housing_unit_list(user=self.user)
        if self.instance is None:
            del self.fields["head"]  # members are added from the resident form
        else:
            self.fields["head"].queryset = resident_list(user=self.user).filter(
                household=self.instance).prefetch_related(None)
            self.fields["head"].help_text = _("A member of this household. 本户成员。")


# --- organisations ------------------------------------------------------------------------------------------

class OrganisationForm(ServiceForm):
    secret_fields = {"contact_phone": mask_phone}
    clearable = ("contact_phone",)

    name = _text(_("Organisation name"), _max(Organisation, "name"))
    kind = forms.ChoiceField(label=_("Kind"), choices=Organisation.Kind.choices)
    grid = GridChoiceField()
    building = _optional_choice(BuildingChoiceField, _("Building"))
    credit_code = _text(_("Unified social credit code"), _max(Organisation, "credit_code"), required=False,
                        autocomplete="off", spellcheck="false")
    address = _text(_("Address"), _max(Organisation, "address"), required=False)
    contact_name = _text(_("Contact person"), _max(Organisation, "contact_name"), required=False)
    contact_phone = _phone(_("Contact phone"))
    employees = forms.IntegerField(label=_("Employees"), required=False, min_value=0, max_value=10_000_000)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def setup(self):
        self.fields["credit_code"].help_text = _("18 characters (GB 32100), optional. 18位统一社会信用代码，可不填。")
        self.fields["grid"].queryset = _current_grids(self.user, self.instance)
        self.fields["building"].queryset = building_list(user=self.user)


# --- regions ------------------------------------------------------------------------------------------------

class RegionForm(ServiceErrorsMixin, forms.Form):
    """Create a child node or edit a node of the region tree (grids.services.regions)."""

    name = forms.CharField(label=_("Region name"), max_length=_max(Region, "name"))
    code = forms.CharField(label=_("Code"), max_length=_max(Region, "code"),
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    grid_kind = forms.ChoiceField(label=_("Grid kind"), choices=GridKind.choices, required=False)
    absorbed_networks = forms.MultipleChoiceField(label=_("Former networks absorbed (一张网)"),
                                                  choices=FormerNetwork.choices, required=False,
                                                  widget=forms.CheckboxSelectMultiple)
    valid_from = _date(_("Valid from"))
    valid_to = _date(_("Valid to"))
    boundary = forms.CharField(label=_("Boundary (GeoJSON polygon)"), required=False, max_length=200_000,
                               widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
                               help_text=_("Optional. A GeoJSON Polygon or MultiPolygon in [longitude, latitude]. "
                                           "可不填：GeoJSON多边形（经度、纬度）。"))
    description = _textarea(_("Description"), _max(Region, "description"))

    def __init__(self, *args, level: str, instance: Region | None = None, **kwargs):
        self.level, self.instance = level, instance
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": instance.name, "code": instance.code, "grid_kind": instance.grid_kind,
                "absorbed_networks": list(instance.absorbed_networks or []), "valid_from": instance.valid_from,
                "valid_to": instance.valid_to, "description": instance.description,
                "boundary": json.dumps(instance.boundary, ensure_ascii=False) if instance.boundary is not None else "",
            }
        super().__init__(*args, **kwargs)
        digits = CODE_LENGTH.get(level)
        if digits:
            self.fields["code"].help_text = gettext("%(n)d digits, starting with the parent's code. "
                                                    "%(n)d位数字，以上级编码开头。") % {"n": digits}
        if level != RegionLevel.GRID:
            del self.fields["grid_kind"]
        else:
            self.fields["grid_kind"].required = True
        if level not in (RegionLevel.GRID, RegionLevel.MICRO_GRID):
            del self.fields["absorbed_networks"]

    def clean_boundary(self):
        raw = (self.cleaned_data.get("boundary") or "").strip()
        if not raw:
            return None
        try:
            return json.loads(raw)
        except ValueError:
            raise ValidationError(_("This is not valid JSON. 不是有效的JSON。")) from None

    def service_data(self) -> dict:
        return dict(self.cleaned_data)
