"""Forms of the administrators' pages. They parse input only; rules live in governance.services.accounts."""

from django import forms
from django.utils.translation import gettext_lazy as _

from governance.models import Role, User
from governance.selectors.accounts import bindable_departments, bindable_regions

FULL_NAME_MAX = User._meta.get_field("full_name").max_length
PHONE_MAX = User._meta.get_field("phone").max_length


class RegionChoiceField(forms.ModelChoiceField):
    """Regions in tree order, indented by depth, with level and code so same-named nodes stay apart."""

    def label_from_instance(self, obj):
        indent = "\u3000" * max(obj.depth - 1, 0)
        return f"{indent}{obj.name} · {obj.get_level_display()} · {obj.code}"


class DepartmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} · {obj.code}"


def _binding_fields():
    region = RegionChoiceField(
        label=_("Jurisdiction (region)"), queryset=bindable_regions(), required=False,
        empty_label=_("— none —"),
        help_text=_("Grid workers: a grid; community staff: a community; street staff: a street; district "
                    "officials: the district. 网格员绑定网格，社区工作人员绑定社区，街道工作人员绑定街道，区级绑定区。"),
    )
    department = DepartmentChoiceField(
        label=_("Department"), queryset=bindable_departments(), required=False, empty_label=_("— none —"),
        help_text=_("Department handlers only; leave the region empty. 仅部门承办人填写，且不选区域。"),
    )
    return region, department


class _PasswordPairMixin:
    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords do not match. 两次输入的密码不一致。"))
        return cleaned


def _password_fields():
    first = forms.CharField(
        label=_("Initial password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 12 characters mixing 3 of: lower case, upper case, digits, symbols. "
                    "至少12位，包含大写、小写、数字、符号中的三类。"),
    )
    second = forms.CharField(
        label=_("Password again"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    return first, second


class AccountCreateForm(_PasswordPairMixin, forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150,
                               widget=forms.TextInput(attrs={"autocomplete": "off"}))
    full_name = forms.CharField(label=_("Full name"), max_length=FULL_NAME_MAX)
    phone = forms.CharField(label=_("Phone"), max_length=PHONE_MAX, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))
    password1, password2 = _password_fields()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"], self.fields["department"] = _binding_fields()


class AccountEditForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=FULL_NAME_MAX)
    phone = forms.CharField(label=_("Phone"), max_length=PHONE_MAX, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"], self.fields["department"] = _binding_fields()

    @classmethod
    def initial_for(cls, account: User) -> dict:
        return {"full_name": account.full_name, "phone": account.phone,
                "region": account.region_id, "department": account.department_id}


class PasswordResetForm(_PasswordPairMixin, forms.Form):
    password1, password2 = _password_fields()


class AccountActiveForm(forms.Form):
    is_active = forms.BooleanField(required=False)


class GrantForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    may_view_special_groups = forms.BooleanField(
        label=_("May view special-management groups (特殊人群)"), required=False,
        help_text=_("Only for staff bound to a region who handle these cases. 仅授予需要处理特殊人群的区域工作人员。"),
    )

    @classmethod
    def initial_for(cls, account: User) -> dict:
        return {"role": account.role, "may_view_special_groups": account.may_view_special_groups}

