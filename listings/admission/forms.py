"""Forms of the admission pages: parse input, limit choices to the user's reach; the services decide."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from grids.forms import ServiceErrorsMixin
from listings.admission.models import (
    AdmittedTask,
    Application,
    ExtraDemandKind,
    ReportingCycle,
    SentTaskKind,
)
from listings.models import ListItem, ListPurpose, in_force_q

CHOICE_OUTSIDE = _("Choose one of the options offered. 请从列表中选择。")
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# Lists a department may cite: the assisting items and the locality's other lists (the rules route the rest).
CITABLE_PURPOSES = (ListPurpose.ASSISTING, ListPurpose.OTHER)


class ListItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.kind.name} · {obj.code} {obj.name}"


class CommunitiesField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj):
        return obj.name


def _count(label):
    return forms.IntegerField(label=label, min_value=0, max_value=999, initial=0, required=False)


class ApplicationForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(
        label=_("Task"), max_length=200,
        help_text=_("A short name, e.g. 城市管理综合执法协助巡查. The rules read it against the lists."))
    content = forms.CharField(label=_("What the communities would do"), max_length=4000, widget=forms.Textarea)
    legal_basis = forms.CharField(label=_("Legal basis"), max_length=2000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    cited_item = ListItemChoiceField(
        queryset=ListItem.objects.none(), required=False, label=_("List item cited"),
        empty_label=_("None: the task is not on a list"),
        help_text=_("The assisting item (依法协助政府工作事项) this task carries out, if any."),
        error_messages={"invalid_choice": CHOICE_OUTSIDE})
    communities = CommunitiesField(queryset=None, label=_("Communities"), required=False,
                                   error_messages={"invalid_choice": CHOICE_OUTSIDE,
                                                   "invalid_pk_value": CHOICE_OUTSIDE})
    period_start = forms.DateField(label=_("From"), widget=DATE_WIDGET)
    period_end = forms.DateField(label=_("Until"), widget=DATE_WIDGET)
    workload_hours_per_month = forms.DecimalField(label=_("Expected workload (hours a month per community)"),
                                                  min_value=0, max_digits=7, decimal_places=1, required=False)
    forms_count = _count(_("Report forms (报表)"))
    ledgers_count = _count(_("Ledgers (台账)"))
    inspections_count = _count(_("Inspections and appraisals (检查考核)"))
    meetings_count = _count(_("Meetings (会议)"))
    signboards_count = _count(_("Signboards (牌子)"))
    reporting_cycle = forms.ChoiceField(label=_("Reporting"), choices=ReportingCycle.choices,
                                        initial=ReportingCycle.NONE)
    funding_per_community_yuan = forms.DecimalField(label=_("Funding per community (yuan a year)"), min_value=0,
                                                    max_digits=14, decimal_places=2, required=False)
    staff_per_community = forms.DecimalField(label=_("Staff per community (full-time equivalents)"), min_value=0,
                                             max_digits=6, decimal_places=2, required=False)
    purchase_of_service = forms.CharField(
        label=_("Purchase-of-service arrangement (政府购买服务)"), max_length=2000, required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For work on no list: who is paid to do it, or give funding and staff above (费随事转)."))

    def __init__(self, *args, department, communities, day=None, instance: Application | None = None, **kwargs):
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(instance)
        super().__init__(*args, **kwargs)
        day = day or datetime.date.today()
        self.fields["cited_item"].queryset = (
            ListItem.objects.filter(in_force_q(day), kind__district_id=department.district_id,
                                    kind__purpose__in=CITABLE_PURPOSES)
            .select_related("kind").order_by("kind__position", "kind_id", "position", "code"))
        self.fields["communities"].queryset = communities

    @staticmethod
    def initial_from(application: Application) -> dict:
        data = {name: getattr(application, name) for name in (
            "title", "content", "legal_basis", "period_start", "period_end", "workload_hours_per_month",
            "forms_count", "ledgers_count", "inspections_count", "meetings_count", "signboards_count",
            "reporting_cycle", "funding_per_community_yuan", "staff_per_community", "purchase_of_service")}
        data["cited_item"] = application.cited_item_id
        data["communities"] = [c.pk for c in application.communities.all()]
        return data

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The end date is before the start date. 结束日期早于开始日期。"))
        return data

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("communities", None)
        return data


class DecisionForm(ServiceErrorsMixin, forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect, choices=[
        ("admit", _("Admit (准入)")), ("return", _("Return for changes (退回修改)")),
        ("refuse", _("Refuse (不予准入)"))])
    note = forms.CharField(label=_("Reasons"), max_length=2000, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}), help_text=_("Needed to refuse or return."))


class RevokeForm(ServiceErrorsMixin, forms.Form):
    note = forms.CharField(label=_("Reasons for revoking"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class YearlyReviewForm(ServiceErrorsMixin, forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), widget=forms.RadioSelect, choices=[
        ("confirm", _("Keep it for another year")), ("revoke", _("Revoke it"))])
    note = forms.CharField(label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("Needed to revoke."))


class NoteForm(ServiceErrorsMixin, forms.Form):
    note = forms.CharField(label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AdmittedApplicationField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.reference} {obj.title} ({obj.period_start:%Y-%m-%d} – {obj.period_end:%Y-%m-%d})"


class SendTaskForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(label=_("Task"), max_length=200)
    content = forms.CharField(label=_("What is asked"), max_length=4000, widget=forms.Textarea)
    kind = forms.ChoiceField(label=_("Kind"), choices=SentTaskKind.choices, initial=SentTaskKind.WORK)
    application = AdmittedApplicationField(
        queryset=Application.objects.none(), required=False, label=_("Admitted item cited"),
        empty_label=_("None (the task arrives marked “not admitted”)"),
        help_text=_("Only tasks that cite an item admitted for the community arrive as admitted."),
        error_messages={"invalid_choice": CHOICE_OUTSIDE})
    communities = CommunitiesField(queryset=None, label=_("Communities"),
                                   error_messages={"invalid_choice": CHOICE_OUTSIDE,
                                                   "invalid_pk_value": CHOICE_OUTSIDE})
    due_date = forms.DateField(label=_("Due"), required=False, widget=DATE_WIDGET)

    def __init__(self, *args, admitted, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["application"].queryset = admitted
        self.fields["communities"].queryset = communities

    def service_data(self) -> dict:
        return dict(self.cleaned_data)


class RefuseForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(label=_("Reason for refusing"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("e.g. not admitted; not on our lists; no funding attached."))


class LedgerRowField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.application.reference} {obj.application.title} · {obj.application.department.name}"


class ExtraDemandForm(ServiceErrorsMixin, forms.Form):
    admitted_task = LedgerRowField(queryset=AdmittedTask.objects.none(), label=_("Admitted item"),
                                   error_messages={"invalid_choice": CHOICE_OUTSIDE})
    kind = forms.ChoiceField(label=_("What they did"), choices=ExtraDemandKind.choices)
    occurred_on = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    note = forms.CharField(label=_("What happened"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["admitted_task"].queryset = rows


class CommunityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} · {obj.code}"


class BurdenFilterForm(forms.Form):
    community = CommunityChoiceField(queryset=None, required=False, label=_("Community"),
                                     empty_label=_("All communities in my area"),
                                     error_messages={"invalid_choice": CHOICE_OUTSIDE})
    start = forms.DateField(label=_("Period from"), required=False, widget=DATE_WIDGET)
    end = forms.DateField(label=_("Period until"), required=False, widget=DATE_WIDGET)
    since = forms.DateField(label=_("Compare before and after"), required=False, widget=DATE_WIDGET,
                            help_text=_("A date, e.g. when the lists took effect: equal periods before and after."))

    def __init__(self, *args, communities, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["community"].queryset = communities

    def clean(self):
        data = super().clean()
        start, end, since = data.get("start"), data.get("end"), data.get("since")
        if start and end and end < start:
            self.add_error("end", _("The end date is before the start date. 结束日期早于开始日期。"))
        if end and end > self.today:
            self.add_error("end", _("The end date is in the future. 结束日期晚于今天。"))
        if since and since > self.today:
            self.add_error("since", _("Choose a date up to today. 请选择今天或以前的日期。"))
        return data
