"""Forms of the roster pages. They parse input only; the rules (grade per post, phone, jurisdiction, same community)
live in workforce.services."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from governance.lib.pii import mask_phone
from governance.models import User
from grids.forms import CHOICE_OUTSIDE, NONE_LABEL, GridChoiceField, ServiceForm
from grids.models import Region
from workforce.models import GridAssignment, Worker
from workforce.selectors import assignable_grids, community_choices, linkable_accounts


class CommunityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} · {obj.code}"


class AccountChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        region = obj.region.name if obj.region_id else "—"
        return f"{obj.display_name} · {obj.username} · {region}"


class WorkerFilterSet(django_filters.FilterSet):
    """Search the roster (the queryset comes scoped from workforce.selectors.worker_list)."""

    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("Full name"), max_length=64)
    community = django_filters.ModelChoiceFilter(queryset=Region.objects.none(), label=_("Community"))
    post = django_filters.ChoiceFilter(choices=Worker.Post.choices, label=_("Post"))
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = Worker
        fields = ["q", "community", "post", "is_active"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.filters["community"]
        field.queryset = community_choices(user=user)


class WorkerForm(ServiceForm):
    secret_fields = {"phone": mask_phone}
    clearable = ("phone",)

    name = forms.CharField(label=_("Full name"), max_length=Worker._meta.get_field("name").max_length)
    community = CommunityChoiceField(queryset=Region.objects.none(), label=_("Community"),
                                     empty_label=_("— choose a community —"), error_messages={"invalid_choice": CHOICE_OUTSIDE})
    post = forms.ChoiceField(label=_("Post (3岗)"), choices=Worker.Post.choices, initial=Worker.Post.STAFF)
    title = forms.CharField(label=_("Title"), max_length=Worker._meta.get_field("title").max_length, required=False,
                            help_text=_("e.g. 书记, 主任, 专职网格员"))
    grade = forms.IntegerField(label=_("Grade (18级)"), required=False, min_value=1, max_value=18,
                               help_text=_("Head 7–18, deputy 4–15, other staff 1–12. 正职7–18级，副职4–15级，其他1–12级。"))
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
                            help_text=_("Mobile 13812345678 or landline 010-62345678. 手机或带区号的固定电话。"))
    hire_date = forms.DateField(label=_("Hire date"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                help_text=_("Format 2024-05-01. 格式：年-月-日。"))
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    user = AccountChoiceField(queryset=Region.objects.none(), label=_("Grid-worker account (optional)"), required=False,
                              empty_label=NONE_LABEL, error_messages={"invalid_choice": CHOICE_OUTSIDE},
                              help_text=_("Link the worker's login, a grid-worker account of the same community. "
                                          "可关联本社区的网格员账号。"))

    def setup(self):
        communities = community_choices(user=self.user)
        if self.instance is not None:
            communities = communities | Region.objects.filter(pk=self.instance.community_id)
        self.fields["community"].queryset = communities.distinct()
        accounts = linkable_accounts(user=self.user, worker=self.instance)
        if self.instance is not None and self.instance.user_id:
            # Keep the current link visible even if that account no longer qualifies (the service then says why),
            # so that saving an unrelated change never unlinks it silently.
            accounts = accounts | User.objects.filter(pk=self.instance.user_id)
        self.fields["user"].queryset = accounts.distinct()


class AssignmentForm(ServiceForm):
    grid = GridChoiceField()
    duty = forms.ChoiceField(label=_("Duty"), choices=GridAssignment.Duty.choices,
                             initial=GridAssignment.Duty.FULL_TIME)

    def __init__(self, *args, worker: Worker, **kwargs):
        self.worker = worker
        super().__init__(*args, **kwargs)

    def setup(self):
        self.fields["grid"].queryset = assignable_grids(user=self.user, worker=self.worker)
        self.fields["grid"].help_text = _("A current grid of the worker's own community. 该工作者所在社区的网格。")
