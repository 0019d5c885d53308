"""The performance dashboard's choices: unit kind (only the kinds the user may compare), an optional area (a street
or community of the user's subtree) and the period, as dates with the last day included.

Every field is optional: an empty field takes its default (the level just below the user's own, the whole
jurisdiction, this month up to today). The form parses only; grids.metrics scopes and computes."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from grids.metrics import KIND_DEPTH, MAX_PERIOD_DAYS, kind_label

INDENT = "\u3000"
CHOICE_UNKNOWN = _("Choose one of the listed options. 请从列表中选择。")


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def period_presets(today: datetime.date) -> list[tuple[str, datetime.date, datetime.date]]:
    """(label, first day, last day) of this month, last month, this quarter and this year, up to today."""
    this_month = month_start(today)
    last_month_end = this_month - datetime.timedelta(days=1)
    quarter = this_month.replace(month=(today.month - 1) // 3 * 3 + 1)
    return [
        (gettext("This month"), this_month, today),
        (gettext("Last month"), month_start(last_month_end), last_month_end),
        (gettext("This quarter"), quarter, today),
        (gettext("This year"), today.replace(month=1, day=1), today),
    ]


class MetricsForm(forms.Form):
    kind = forms.ChoiceField(label=_("Compare"), required=False, error_messages={"invalid_choice": CHOICE_UNKNOWN})
    within = forms.ChoiceField(label=_("Area"), required=False, error_messages={"invalid_choice": CHOICE_UNKNOWN})
    start = forms.DateField(label=_("Registered from"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                            error_messages={"invalid": _("Enter a date such as 2026-03-01. 请输入日期，如2026-03-01。")})
    end = forms.DateField(label=_("Registered to (inclusive)"), required=False,
                          widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                          error_messages={"invalid": _("Enter a date such as 2026-03-31. 请输入日期，如2026-03-31。")})

    def __init__(self, *args, kinds: list[str], default_kind: str, areas=(), today: datetime.date | None = None,
                 **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        self.default_kind = default_kind
        self.fields["kind"].choices = [(kind, kind_label(kind)) for kind in kinds]
        self.areas = {str(area.pk): area for area in areas}
        if self.areas:
            self.fields["within"].choices = [("", gettext("— whole jurisdiction —"))] + [
                (pk, f"{INDENT * max(area.depth - 2, 0)}{area.name}") for pk, area in self.areas.items()]
        else:
            del self.fields["within"]
        self.fields["start"].help_text = _("Cases are counted by the day they were registered (立案).")

    def clean(self):
        data = super().clean()
        data["kind"] = data.get("kind") or self.default_kind
        data["within"] = self.areas.get(data.get("within") or "")
        if "start" in self.errors or "end" in self.errors:
            return data
        start = data.get("start") or month_start(self.today)
        end = data.get("end") or max(self.today, start)
        data["start"], data["end"] = start, end
        if end < start:
            self.add_error("end", gettext("The end date is before the start date; choose an end date on or after "
                                          "%(start)s. 结束日期早于开始日期，请重新选择。") % {"start": start.isoformat()})
        elif (end - start).days + 1 > MAX_PERIOD_DAYS:
            self.add_error("start", gettext("The period may be at most one year (%(days)d days); choose a later "
                                            "start date. 统计期间最长为一年。") % {"days": MAX_PERIOD_DAYS})
        within = data["within"]
        if within is not None and KIND_DEPTH.get(data["kind"], 0) <= within.depth:
            self.add_error("within", gettext("Choose an area larger than the units compared, or the whole "
                                             "jurisdiction. 所选范围须大于比较的单位。"))
        return data

    @property
    def period(self) -> tuple[datetime.date, datetime.date]:
        """[start, end) for grids.metrics: the last day shown is included, so the end is the day after it."""
        return self.cleaned_data["start"], self.cleaned_data["end"] + datetime.timedelta(days=1)
