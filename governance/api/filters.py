"""Filters of the audit-log API (the auditor's page has its own FilterSet with form widgets)."""

import datetime

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.models import AuditLog


def _day_start(day: datetime.date) -> datetime.datetime:
    """Midnight of `day` in the current time zone, so the range uses the created_at index."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class AuditLogApiFilterSet(django_filters.FilterSet):
    action = django_filters.ChoiceFilter(choices=AuditLog.Action.choices, label=_("Action"))
    outcome = django_filters.ChoiceFilter(choices=AuditLog.Outcome.choices, label=_("Outcome"))
    username = django_filters.CharFilter(lookup_expr="icontains", max_length=150, label=_("User (contains)"))
    object_type = django_filters.CharFilter(max_length=64, label=_("Object type, e.g. grids.resident"))
    date_from = django_filters.DateFilter(method="filter_date_from", label=_("From (date, inclusive)"))
    date_to = django_filters.DateFilter(method="filter_date_to", label=_("To (date, inclusive)"))

    class Meta:
        model = AuditLog
        fields = ["action", "outcome", "username", "object_type", "date_from", "date_to"]

    def filter_date_from(self, queryset, name, value):
        return queryset.filter(created_at__gte=_day_start(value))

    def filter_date_to(self, queryset, name, value):
        return queryset.filter(created_at__lt=_day_start(value + datetime.timedelta(days=1)))
