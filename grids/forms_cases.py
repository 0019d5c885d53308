"""Forms of the staff case pages: the queue filters and one small form per action on the case page.

They parse input only. The rules (who may act, in which status, what a reason must say) live in the lifecycle
services, whose ValidationErrors come back to the fields through `add_service_errors`; free-text fields are
therefore optional here and the service's bilingual message explains what is missing. Every choice is built
from the user's scope or the case's district, so a posted id that is not offered is an invalid choice, never a
500. Each action form has its own prefix (its action name), so several forms share one page without clashing ids.
"""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from grids.forms import ServiceErrorsMixin
from grids.forms_intake import ObjectChoiceField, PhotosField
from grids.models import Category, Channel, ContactLog, Incident, Region, RegionLevel, Urgency, WhistleSummons
from grids.selectors import cases as selectors
from grids.services.photos import MAX_PHOTOS, photo_max_bytes, photos_clean

S = Incident.Status
INDENT = "\u3000"
CHOICE_UNKNOWN = _("Choose one of the options offered. 请从给出的选项中选择。")
YES_NO = [("yes", _("Yes")), ("no", _("No"))]


# --- the queue filters -------------------------------------------------------------------------------------------
STATUS_GROUPS = {
    "open": Incident.OPEN,
    "finished": Incident.FINISHED,
    "stopped": (S.REJECTED, S.MERGED),
}


def _status_choices(queue: str) -> list:
    singles = [(value, label) for value, label in S.choices
               if queue == "unit" or value in Incident.OPEN]
    if queue == "mine":
        return [("", _("All my open cases")), (_("Status"), singles)]
    return [
        ("open", _("Open cases")),
        ("finished", _("Closed and rated")),
        ("stopped", _("Not registered or merged")),
        ("all", _("All cases")),
        (_("Status"), singles),
    ]


class CaseFilterForm(forms.Form):
    def clean(self):
        data = super().clean()
        start, end = data.get("reported_from"), data.get("reported_to")
        if start and end and start > end:
            self.add_error("reported_to", gettext(
                "The end date is before the start date. 结束日期早于开始日期，请检查。"))
        return data


class CategoryFilter(django_filters.ModelChoiceFilter):
    """A category at any level (大类/小类/细类): the cases filed under it or under any item below it."""

    def filter(self, qs, value):
        return qs.filter(category__path__startswith=value.path) if value else qs


class RegionFilter(django_filters.ModelChoiceFilter):
    """An area (street, community, grid): the cases whose grid lies in its subtree."""

    def filter(self, qs, value):
        return qs.filter(grid__path__startswith=value.path) if value else qs


class CaseFilterSet(django_filters.FilterSet):
    """Filters of both queues. `queue` is "mine" or "unit"; `user` limits the area choices to the scope."""

    q = django_filters.CharFilter(method="filter_q", label=_("Tracking code or title"), max_length=50)
    status = django_filters.ChoiceFilter(method="filter_status", label=_("Status"), empty_label=None)
    category = CategoryFilter(queryset=Category.objects.none(), label=_("Category (with its sub-items)"))
    region = RegionFilter(queryset=Region.objects.none(), label=_("Area (with its grids)"))
    channel = django_filters.ChoiceFilter(choices=Channel.choices, label=_("Channel"), empty_label=_("Any channel"))
    urgency = django_filters.ChoiceFilter(choices=Urgency.choices, label=_("Urgency"), empty_label=_("Any urgency"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue only"),
                                           widget=forms.CheckboxInput)
    reported_from = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte",
                                              label=_("Reported from"),
                                              widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    reported_to = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte", label=_("Reported until"),
                                            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    class Meta:
        model = Incident
        fields = ["q", "status", "category", "region", "channel", "urgency", "overdue", "reported_from",
                  "reported_to"]
        form = CaseFilterForm

    def __init__(self, data=None, *args, user, queue: str, **kwargs):
        if data is not None and queue == "unit" and not data.get("status"):
            data = data.copy()
            data["status"] = "open"
        super().__init__(data, *args, **kwargs)
        self.queue = queue
        status = self.filters["status"]
        status.extra["choices"] = _status_choices(queue)
        if queue == "mine":
            status.extra["required"] = False
        category = self.filters["category"]
        category.queryset = Category.objects.order_by("-tree", "path")  # events (事件) before components (部件)
        category.extra["empty_label"] = _("Any category")
        region = self.filters["region"]
        region.queryset = selectors.filter_regions(user=user)
        region.extra["empty_label"] = _("Anywhere in my area")

    @property
    def form(self):
        form = super().form
        if not getattr(form, "_labels_set", False):
            form.fields["category"].label_from_instance = (
                lambda c: f"{INDENT * (c.depth - 1)}{c.name}{'' if c.is_active else gettext(' (inactive)')}")
            form.fields["region"].label_from_instance = lambda r: f"{INDENT * max(r.depth - 1, 0)}{r.name}"
            form._labels_set = True
        return form

    def filter_q(self, qs, name, value):
        value = (value or "").strip()
        if not value:
            return qs
        return qs.filter(Q(tracking_code__iexact=value.upper()) | Q(title__icontains=value))

    def filter_status(self, qs, name, value):
        if value == "all":
            return qs
        if value in STATUS_GROUPS:
            return qs.filter(status__in=STATUS_GROUPS[value])
        return qs.filter(status=value)

    def filter_overdue(self, qs, name, value):
        return qs.filter(is_overdue=True) if value else qs


# --- the action forms --------------------------------------------------------------------------------------------
def _text(label, *, max_length=2000, rows=3, help_text=""):
    return forms.CharField(label=label, required=False, max_length=max_length, help_text=help_text,
                           widget=forms.Textarea(attrs={"rows": rows}))


def _yes_no(label):
    return forms.TypedChoiceField(label=label, choices=YES_NO, coerce=lambda v: v == "yes", widget=forms.RadioSelect,
                                  error_messages={"required": _("Choose yes or no. 请选择是或否。"),
                                                  "invalid_choice": CHOICE_UNKNOWN})


class ActionForm(ServiceErrorsMixin, forms.Form):
    """One action's form. `service_kwargs()` gives the arguments for the action's service (beyond actor and
    case)."""

    def __init__(self, *args, user, incident, **kwargs):
        self.user, self.incident = user, incident
        super().__init__(*args, **kwargs)
        self.setup()

    def setup(self) -> None:
        """Build the choices (subclasses)."""

    def service_kwargs(self) -> dict:
        return dict(self.cleaned_data)


class EmptyForm(ActionForm):
    pass


class NoteForm(ActionForm):
    note = _text(_("Note (optional)"))


class ReasonForm(ActionForm):
    reason = _text(_("Reason"))


class ReturnForm(ActionForm):
    reason = _text(_("Why is this case not for your unit?"), max_length=1000)


class AnswerForm(ActionForm):
    answer = _text(_("What was done (the answer the resident will read)"), max_length=4000, rows=5)
    photos = PhotosField(label=_("Photos after handling (optional)"))

    def setup(self) -> None:
        self.fields["photos"].help_text = gettext(
            "Up to %(n)d photos (JPEG, PNG or WebP), at most %(mb)s MB each. 最多%(n)d张，每张不超过%(mb)s MB。"
        ) % {"n": MAX_PHOTOS, "mb": f"{photo_max_bytes() / 1024 / 1024:g}"}

    def clean_photos(self):
        return photos_clean(self.cleaned_data.get("photos") or [])


class ContactForm(ActionForm):
    method = forms.ChoiceField(label=_("How did you contact the requester?"), choices=ContactLog.Method.choices,
                               widget=forms.RadioSelect, error_messages={
                                   "required": _("Choose how you contacted the requester. 请选择联系方式。"),
                                   "invalid_choice": CHOICE_UNKNOWN})
    reached = _yes_no(_("Did you reach them?"))
    note = _text(_("What was said (optional)"))


class VerifyForm(ActionForm):
    passed = _yes_no(_("Is the problem solved as the answer says?"))
    note = _text(_("What you found on site (required when it must be redone)"))


class ExtensionRequestForm(ActionForm):
    new_handle_by = forms.DateTimeField(
        label=_("New deadline"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"required": _("Give the new deadline. 请填写新的办理期限。"),
                        "invalid": _("Enter a date and time, e.g. 2026-05-01 17:00. 请填写有效的日期和时间。")})
    reason = _text(_("Why is more time needed?"))


class ExtensionDecideForm(ActionForm):
    approved = _yes_no(_("Approve the new deadline?"))
    note = _text(_("Note (required when refusing)"))

    def setup(self):
        self.extension = selectors.pending_extension(self.incident)

    def service_kwargs(self):
        return {"extension_id": self.extension.pk if self.extension else None, **self.cleaned_data}


class MergeForm(ActionForm):
    duplicate_of = forms.CharField(label=_("Tracking code of the earlier case"), max_length=20,
                                   error_messages={"required": _(
                                       "Give the tracking code of the case this one duplicates. 请填写原案件的受理编号。")})
    note = _text(_("Note (optional)"))

    def clean_duplicate_of(self):
        code = self.cleaned_data["duplicate_of"]
        target = selectors.visible_case_by_code(user=self.user, code=code)
        if target is None:
            raise forms.ValidationError(gettext(
                "No case with this tracking code in your jurisdiction. 您管辖范围内没有该编号的案件。"))
        return target.pk


def _unit_groups(regions, departments) -> tuple[list, dict]:
    objects, region_options, department_options = {}, [], []
    for region in regions:
        key = f"r{region.pk}"
        objects[key] = ("region", region)
        indent = INDENT * max(region.depth - 2, 0)
        region_options.append((key, f"{indent}{region.name} · {RegionLevel(region.level).label}"))
    for department in departments:
        key = f"d{department.pk}"
        objects[key] = ("department", department)
        department_options.append((key, department.name))
    groups = []
    if region_options:
        groups.append((gettext("Streets, communities and grids"), region_options))
    if department_options:
        groups.append((gettext("Departments"), department_options))
    return groups, objects


class UnitForm(ActionForm):
    unit = ObjectChoiceField(label=_("Unit"), empty_label=_("— choose a unit —"), required=False,
                             error_messages={"invalid_choice": CHOICE_UNKNOWN})
    note = _text(_("Note (optional)"))

    def regions(self):
        return []

    def setup(self):
        groups, objects = _unit_groups(self.regions(), selectors.district_departments(self.incident))
        self.fields["unit"].set_options(groups, objects)

    def clean_unit(self):
        unit = self.cleaned_data.get("unit")
        if unit is None:
            raise forms.ValidationError(gettext("Choose a unit. 请选择单位。"))
        return unit

    def service_kwargs(self):
        kind, obj = self.cleaned_data["unit"]
        return {kind: obj, "note": self.cleaned_data.get("note", "")}


class DispatchForm(UnitForm):
    def regions(self):
        return selectors.dispatch_regions(user=self.user, incident=self.incident)


class CoHandlerForm(UnitForm):
    def regions(self):
        return selectors.co_handler_regions(self.incident)


class WhistleForm(ActionForm):
    departments = forms.MultipleChoiceField(label=_("Departments to summon"), required=False,
                                            widget=forms.CheckboxSelectMultiple,
                                            error_messages={"invalid_choice": CHOICE_UNKNOWN})
    reason = _text(_("What are the departments needed for?"))

    def setup(self):
        self.fields["departments"].choices = [(str(d.pk), d.name)
                                              for d in selectors.district_departments(self.incident)]

    def service_kwargs(self):
        return {"departments": [int(pk) for pk in self.cleaned_data["departments"]],
                "reason": self.cleaned_data["reason"]}


class SummonsChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return gettext("Whistle of %(date)s") % {"date": f"{obj.whistle.created_at:%Y-%m-%d %H:%M}"}


class ReportInForm(ActionForm):
    summons = SummonsChoiceField(queryset=WhistleSummons.objects.none(), label=_("Summons"), empty_label=None,
                                 error_messages={"invalid_choice": CHOICE_UNKNOWN})
    part = _text(_("What will your department do?"))

    def setup(self):
        self.fields["summons"].queryset = selectors.summonses_to_report(user=self.user, incident=self.incident)

    def service_kwargs(self):
        return {"summons_id": self.cleaned_data["summons"].pk, "part": self.cleaned_data["part"]}
