"""Forms of the responsibility-list pages. They parse input only; grids.services.categories owns every rule and
its ValidationErrors are attached back with `add_service_errors`."""

from django import forms
from django.utils.translation import gettext_lazy as _

from governance.models import Department
from grids.forms import ServiceErrorsMixin
from grids.imports.workbook import XLSX_CONTENT_TYPE
from grids.models import Category, CategoryTree, HandlingLevel
from grids.services.categories import DEFAULT_HANDLE_HOURS, DEFAULT_SIGN_FOR_HOURS, MAX_CONDITIONS_LENGTH, MAX_LIMIT_HOURS


def _hours(label, *, required=True, initial=None, help_text=""):
    return forms.IntegerField(label=label, required=required, min_value=1, max_value=MAX_LIMIT_HOURS, initial=initial,
                              help_text=help_text, widget=forms.NumberInput(attrs={"inputmode": "numeric"}))


class DepartmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} · {obj.code}"


class CategoryForm(ServiceErrorsMixin, forms.Form):
    """Create a category (under `parent`, or a root in a chosen tree) or edit one."""

    tree = forms.ChoiceField(label=_("Tree"), choices=CategoryTree.choices, initial=CategoryTree.EVENT)
    code = forms.CharField(label=_("Code"), max_length=16,
                           widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    name = forms.CharField(label=_("Name"), max_length=100)
    handling_level = forms.ChoiceField(label=_("Handling level"), required=False,
                                       choices=[("", _("— none (大类/小类) —")), *HandlingLevel.choices])
    department = DepartmentChoiceField(label=_("Responsible department"), queryset=Department.objects.none(),
                                       required=False, empty_label=_("— none —"))
    sign_for_hours = _hours(_("Sign-for limit (hours)"), initial=DEFAULT_SIGN_FOR_HOURS)
    handle_hours = _hours(_("Handling limit (hours)"), initial=DEFAULT_HANDLE_HOURS,
                          help_text=_("General 168 (7 days), complex 360 (15 days), water/power/gas/heating 24. "
                                      "一般168小时，复杂360小时，水电气热24小时。"))
    urgent_handle_hours = _hours(_("Handling limit when urgent (hours)"), required=False)
    emergency_handle_hours = _hours(_("Handling limit in an emergency (hours)"), required=False,
                                    help_text=_("Empty: the platform's emergency limit (2 hours). "
                                                "留空则按平台特急时限（2小时）。"))
    opening_conditions = forms.CharField(label=_("Conditions for registering (立案条件)"), required=False,
                                         max_length=MAX_CONDITIONS_LENGTH, widget=forms.Textarea(attrs={"rows": 3}))
    closing_conditions = forms.CharField(label=_("Conditions for closing (结案条件)"), required=False,
                                         max_length=MAX_CONDITIONS_LENGTH, widget=forms.Textarea(attrs={"rows": 3}))
    keywords = forms.CharField(label=_("Search keywords"), required=False, max_length=200,
                               help_text=_("Separated by spaces; residents and staff find the item by them. 用空格分隔。"))
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True,
                                   help_text=_("Deactivating also deactivates every sub-category. 停用时其下级分类一并停用。"))

    def __init__(self, *args, user, parent: Category | None = None, instance: Category | None = None, **kwargs):
        self.user, self.parent, self.instance = user, parent, instance
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "code": instance.code, "name": instance.name, "handling_level": instance.handling_level,
                "department": instance.department_id, "sign_for_hours": instance.sign_for_hours,
                "handle_hours": instance.handle_hours, "urgent_handle_hours": instance.urgent_handle_hours,
                "emergency_handle_hours": instance.emergency_handle_hours,
                "opening_conditions": instance.opening_conditions, "closing_conditions": instance.closing_conditions,
                "keywords": instance.keywords, "is_active": instance.is_active,
            }
        super().__init__(*args, **kwargs)
        if instance is not None or parent is not None:
            del self.fields["tree"]
        if instance is None:
            del self.fields["is_active"]
        departments = Department.objects.filter(district_id=user.region_id, is_active=True)
        if instance is not None and instance.department_id:
            departments = Department.objects.filter(pk=instance.department_id) | departments
        self.fields["department"].queryset = departments.order_by("code")
        hint = _("Capital letters or digits, starting with the parent's code %(code)s. 以上级编码%(code)s开头。")
        if parent is not None:
            self.fields["code"].help_text = hint % {"code": parent.code}
            self.fields["code"].initial = parent.code
        elif instance is None:
            self.fields["code"].help_text = _("A top class: e.g. 08 for events, B05 for components. 大类编码，如08或B05。")
        if instance is not None and instance.numchild:
            self.fields["code"].disabled = True
            self.fields["code"].help_text = _("A category with sub-categories keeps its code. 有下级分类时不能修改编码。")

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        if self.instance is not None and self.fields["code"].disabled:
            data.pop("code", None)
        return data


class CategoryImportForm(forms.Form):
    tree = forms.ChoiceField(label=_("Tree"), choices=CategoryTree.choices, initial=CategoryTree.EVENT)
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        help_text=_("An export of this page, edited, or a file with the same headers. 使用本页导出的文件或相同表头。"),
        widget=forms.FileInput(attrs={"accept": f".xlsx,{XLSX_CONTENT_TYPE}"}),
        allow_empty_file=True,  # the service answers an empty file like any unreadable one
    )
