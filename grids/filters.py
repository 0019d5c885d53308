"""FilterSets for the register lists, shared by the pages and the API. Querysets come scoped from selectors;
the region filter narrows to a subtree of what the user may already see."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from governance.lib.pii import blind_index, normalize_id_number
from grids.models import Building, CareGroup, Household, HousingUnit, Organisation, Region, Resident


class RegionSubtreeFilter(django_filters.ModelChoiceFilter):
    """`?region=<id>`: rows whose grid lies in that region's subtree."""

    def __init__(self, *args, field_name="grid", **kwargs):
        kwargs.setdefault("label", _("Region (with sub-regions)"))
        kwargs.setdefault("queryset", Region.objects.all())
        super().__init__(*args, field_name=field_name, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(**{f"{self.field_name}__path__startswith": value.path})


class ScopedFilterSet(django_filters.FilterSet):
    """Limits the region choices to the requesting user's jurisdiction."""

    region = RegionSubtreeFilter()

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is None and self.request is not None:
            user = self.request.user
        from grids.selectors.regions import region_list

        self.filters["region"].queryset = region_list(user=user) if user is not None else Region.objects.none()


class ResidentFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Name or full ID number"), max_length=64)
    residence_type = django_filters.ChoiceFilter(choices=Resident.ResidenceType.choices, label=_("Residence type"))
    status = django_filters.ChoiceFilter(choices=Resident.Status.choices, label=_("Status"))
    care_group = django_filters.ModelChoiceFilter(queryset=CareGroup.objects.all(), field_name="care_groups",
                                                  label=_("Care group"))
    political_status = django_filters.ChoiceFilter(choices=Resident.PoliticalStatus.choices, label=_("Political status"))

    class Meta:
        model = Resident
        fields = ["region", "q", "residence_type", "status", "care_group", "political_status"]

    def filter_q(self, qs, name, value):
        value = (value or "").strip()
        if not value:
            return qs
        id_term = normalize_id_number(value)
        if len(id_term) == 18:
            return qs.filter(id_number_hash=blind_index(id_term))
        return qs.filter(name__icontains=value)


class BuildingFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Number, name or address"), max_length=100)
    kind = django_filters.ChoiceFilter(choices=Building.Kind.choices, label=_("Kind"))

    class Meta:
        model = Building
        fields = ["region", "q", "kind"]

    def filter_q(self, qs, name, value):
        value = (value or "").strip()
        return qs.filter(Q(number=value) | Q(name__icontains=value) | Q(address__icontains=value)) if value else qs


class HousingUnitFilterSet(ScopedFilterSet):
    usage = django_filters.ChoiceFilter(choices=HousingUnit.Usage.choices, label=_("Usage"))
    building = django_filters.NumberFilter(field_name="building_id", label=_("Building"), min_value=1,
                                           max_value=2**63 - 1, step_size=1)

    class Meta:
        model = HousingUnit
        fields = ["region", "usage", "building"]


class HouseholdFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(field_name="number", lookup_expr="icontains", label=_("Household number"), max_length=32)
    kind = django_filters.ChoiceFilter(choices=Household.Kind.choices, label=_("Kind"))

    class Meta:
        model = Household
        fields = ["region", "q", "kind"]


class OrganisationFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Name or credit code"), max_length=120)
    kind = django_filters.ChoiceFilter(choices=Organisation.Kind.choices, label=_("Kind"))
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = Organisation
        fields = ["region", "q", "kind", "is_active"]

    def filter_q(self, qs, name, value):
        value = (value or "").strip()
        return qs.filter(Q(name__icontains=value) | Q(credit_code=value.upper())) if value else qs
