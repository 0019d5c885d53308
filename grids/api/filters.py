"""API-only filters (the register FilterSets shared with the pages live in grids/filters.py)."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from grids.filters import HousingUnitFilterSet
from grids.models import Region, RegionLevel


class RegionFilterSet(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=RegionLevel.choices, label=_("Level"))
    current = django_filters.BooleanFilter(field_name="valid_to", lookup_expr="isnull",
                                           label=_("Current version only (no end date)"))

    class Meta:
        model = Region
        fields = ["level", "current"]


class IntegerFilter(django_filters.NumberFilter):
    """A whole-number filter (NumberFilter takes decimals, so 1.5 or 1e400 would reach the database)."""

    field_class = forms.IntegerField


class HousingUnitApiFilterSet(HousingUnitFilterSet):
    """The shared FilterSet with `building` bounded to the id range (a 30-digit id overflowed SQLite: a 500)."""

    building = IntegerFilter(field_name="building_id", min_value=1, max_value=2**63 - 1, label=_("Building"))

    class Meta(HousingUnitFilterSet.Meta):
        pass
