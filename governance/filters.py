"""FilterSets of the platform core: the audit log (auditor) and the account lists (system/security admin).

Invalid filter input never fails the page: django-filter drops the invalid field and the form shows its error."""

import datetime

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.models import AuditLog, Role, User
from governance.selectors.accounts import search_accounts


def _day_start(day: datetime.date) -> datetime.datetime:
    """Midnight of `day` in the current time zone, so the range uses the created_at index."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _object_type_choices():
    from governance.selectors.audit import audit_object_types

    return [(value, value) for value in audit_object_types()]


class AuditLogFilterSet(django_filters.FilterSet):
    date_from = django_filters.DateFilter(
        label=_("From (date)"), method="filter_date_from", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = django_filters.DateFilter(
        label=_("To (date)"), method="filter_date_to", widget=forms.DateInput(attrs={"type": "date"}))
    username = django_filters.CharFilter(label=_("User"), lookup_expr="icontains", max_length=150)
    action = django_filters.ChoiceFilter(label=_("Action"), choices=AuditLog.Action.choices, empty_label=_("All"))
    outcome = django_filters.ChoiceFilter(label=_("Outcome"), choices=AuditLog.Outcome.choices, empty_label=_("All"))
    object_type = django_filters.ChoiceFilter(label=_("Object type"), choices=_object_type_choices,
                                              empty_label=_("All"))
    ip_address = django_filters.CharFilter(label=_("Address"), lookup_expr="exact", max_length=45)

    class Meta:
        model = AuditLog
        fields: list[str] = []

    def filter_date_from(self, queryset, name, value):
        return queryset.filter(created_at__gte=_day_start(value))

    def filter_date_to(self, queryset, name, value):
        return queryset.filter(created_at__lt=_day_start(value + datetime.timedelta(days=1)))

    def active_filters(self) -> dict[str, str]:
        """The valid, non-empty filters as strings (for the export's audit row)."""
        if not self.is_bound or not hasattr(self.form, "cleaned_data"):
            return {}
        return {name: str(value) for name, value in self.form.cleaned_data.items() if value not in (None, "")}


class AccountFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search", max_length=100)
    role = django_filters.ChoiceFilter(label=_("Role"), choices=Role.choices, empty_label=_("All"))
    is_active = django_filters.BooleanFilter(
        label=_("Active"),
        widget=forms.Select(choices=[("", _("All")), ("true", _("Active")), ("false", _("Deactivated"))]),
    )

    class Meta:
        model = User
        fields: list[str] = []

    def filter_search(self, queryset, name, value):
        return search_accounts(queryset, value)
