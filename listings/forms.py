"""Forms of the list-catalogue pages. They parse input only: listings.services.catalogue owns every rule, and its
ValidationErrors are attached back to the fields with `add_service_errors`."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.models import Department
from grids.forms import ServiceErrorsMixin
from grids.imports.workbook import XLSX_CONTENT_TYPE
from listings.models import ListItem, ListItemStatus, ListKind, ListPurpose
from listings.selectors.catalogue import ALL, IN_FORCE


def _date_field(label, *, required=False, help_text=""):
    return forms.DateField(label=label, required=required, help_text=help_text,
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


def _text(label, *, max_length, rows=None, required=False, help_text=""):
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput()
    # Lengths are checked by the service (bilingual messages); the browser limit is only a comfort.
    widget.attrs["maxlength"] = str(max_length)
    return forms.CharField(label=label, required=required, help_text=help_text, widget=widget, strip=True)


class KindChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class DepartmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} · {obj.code}"


class CatalogueFilterForm(forms.Form):
    on = _date_field(_("In force on"))
    kind = KindChoiceField(label=_("List"), queryset=ListKind.objects.none(), required=False,
                           empty_label=_("All lists"))
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[
        (IN_FORCE, _("In force on that day")), (ALL, _("Every item, any status")),
        *[(value, label) for value, label in ListItemStatus.choices]])
    q = forms.CharField(label=_("Search (number, name, keyword, basis, department)"), required=False, max_length=50,
                        widget=forms.TextInput(attrs={"type": "search"}))

    def __init__(self, *args, district, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].queryset = ListKind.objects.filter(district=district).order_by("position", "code")

    def values(self) -> dict:
        """The filters to apply: the cleaned values, or the defaults where a value is missing or invalid (the form
        shows the error beside that field; the other filters still apply)."""
        data = {}
        if self.is_bound:
            self.is_valid()
            data = self.cleaned_data  # holds the valid fields only
        return {"day": data.get("on") or timezone.localdate(), "kind": data.get("kind"),
                "status": data.get("status") or IN_FORCE, "q": data.get("q") or ""}


class ListItemForm(ServiceErrorsMixin, forms.Form):
    """Create an item (in a chosen list) or edit one. The status has its own form."""

    kind = KindChoiceField(label=_("List"), queryset=ListKind.objects.none(), empty_label=None)
    code = forms.CharField(label=_("Item number"), max_length=32,
                           widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
                           help_text=_("Letters, digits, “.”, “-” or “_”, unique in the list, e.g. XZ-01. 如XZ-01。"))
    name = _text(_("Name"), max_length=200, required=True)
    description = _text(_("Description"), max_length=4000, rows=3)
    legal_basis = _text(_("Legal basis"), max_length=2000, rows=2,
                        help_text=_("Law, regulation or document and article. 法律法规或文件名称及条款。"))
    responsible_department = DepartmentChoiceField(label=_("Responsible department"), required=False,
                                                   queryset=Department.objects.none(), empty_label=_("— none —"))
    responsible_body = _text(_("Responsible body (责任主体)"), max_length=200,
                             help_text=_("The office in charge, when it is not one of our departments. "
                                         "责任单位不是本系统部门时填写。"))
    assist_method = _text(_("How the community assists"), max_length=2000, rows=2)
    funding_yuan = forms.DecimalField(label=_("Funding attached (yuan a year)"), required=False,
                                      widget=forms.NumberInput(attrs={"step": "0.01", "min": "0",
                                                                      "inputmode": "decimal"}))
    funding_note = _text(_("Funding arrangement"), max_length=300,
                         help_text=_("E.g. district budget per community, government purchase of services. "
                                     "如区财政拨付、政府购买服务。"))
    staff_attached = forms.DecimalField(label=_("Staff attached (full-time equivalents)"), required=False,
                                        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0",
                                                                        "inputmode": "decimal"}))
    issuing_office = _text(_("Office that issues it instead"), max_length=200,
                           help_text=_("Required for a certificate committees must not issue: where residents go. "
                                       "“不得出具的证明”必填：居民应去办理的部门。"))
    keywords = _text(_("Matching keywords"), max_length=300,
                     help_text=_("Words that identify this item in a task's title, separated by spaces. "
                                 "识别任务标题的词语，用空格分隔。"))
    valid_from = _date_field(_("Valid from"), required=True)
    valid_to = _date_field(_("Valid to (last day in force)"),
                           help_text=_("Empty: open-ended. 留空表示长期有效。"))
    position = forms.IntegerField(label=_("Position in the list"), required=False, min_value=0, initial=0,
                                  widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    is_sample = forms.BooleanField(label=_("Sample data (shown as “sample data / 示例数据”)"), required=False)
    note = _text(_("Note for the history"), max_length=300,
                 help_text=_("Why the item changes, e.g. the document. 变更说明，如依据的文件。"))

    def __init__(self, *args, district, instance: ListItem | None = None, **kwargs):
        self.instance = instance
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {name: getattr(instance, name) for name in (
                "code", "name", "description", "legal_basis", "responsible_body", "assist_method", "funding_yuan",
                "funding_note", "staff_attached", "issuing_office", "keywords", "valid_from", "valid_to",
                "position", "is_sample")}
            kwargs["initial"]["responsible_department"] = instance.responsible_department_id
        super().__init__(*args, **kwargs)
        if instance is not None:
            del self.fields["kind"]
        else:
            self.fields["kind"].queryset = ListKind.objects.filter(district=district).order_by("position", "code")
        departments = Department.objects.filter(district=district, is_active=True)
        if instance is not None and instance.responsible_department_id:
            departments = departments | Department.objects.filter(pk=instance.responsible_department_id)
        self.fields["responsible_department"].queryset = departments.order_by("code")

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        if data.get("position") is None:
            data["position"] = 0
        return data


class ListKindForm(ServiceErrorsMixin, forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=32,
                           help_text=_("Lower-case letters, digits, “-” or “_”, e.g. micro-power. 如micro-power。"))
    name = _text(_("Name"), max_length=100, required=True)
    purpose = forms.ChoiceField(label=_("Purpose"), choices=ListPurpose.choices,
                                help_text=_("The admission rules and the certificate desk read the purpose; a list "
                                            "with items keeps it. 准入规则和证明开具按类别处理。"))
    description = _text(_("Description"), max_length=2000, rows=3)
    position = forms.IntegerField(label=_("Position"), required=False, min_value=0, max_value=32767, initial=0,
                                  widget=forms.NumberInput(attrs={"inputmode": "numeric"}))

    def __init__(self, *args, instance: ListKind | None = None, **kwargs):
        self.instance = instance
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {name: getattr(instance, name)
                                 for name in ("code", "name", "purpose", "description", "position")}
        super().__init__(*args, **kwargs)

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        if data.get("position") is None:
            data["position"] = 0
        return data


class ItemStatusForm(ServiceErrorsMixin, forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=())
    effective = _date_field(_("Takes effect on"),
                            help_text=_("Suspension or repeal: the first day the item no longer applies (empty: "
                                        "today). 暂停或废止：自该日起不再执行（留空为今天）。"))
    note = _text(_("Reason"), max_length=300, rows=2,
                 help_text=_("Required to suspend or repeal, e.g. the document. 暂停或废止须填写原因，如文件名称。"))

    def __init__(self, *args, item: ListItem, **kwargs):
        super().__init__(*args, **kwargs)
        targets = ListItem.TRANSITIONS.get(item.status, set())
        self.fields["status"].choices = [(value, label) for value, label in ListItemStatus.choices if value in targets]

    def service_data(self) -> dict:
        return dict(self.cleaned_data)


class ItemImportForm(forms.Form):
    kind = KindChoiceField(label=_("List"), queryset=ListKind.objects.none(), empty_label=None)
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        help_text=_("The template or an export of this list, edited. 使用模板或本清单的导出文件。"),
        widget=forms.FileInput(attrs={"accept": f".xlsx,{XLSX_CONTENT_TYPE}"}),
        allow_empty_file=True,  # the service answers an empty file like any unreadable one
    )

    def __init__(self, *args, district, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].queryset = ListKind.objects.filter(district=district).order_by("position", "code")


class ExportForm(forms.Form):
    kind = KindChoiceField(label=_("List"), queryset=ListKind.objects.none(), empty_label=None)
    on = _date_field(_("In force on"))
    everything = forms.BooleanField(label=_("Every item, any status"), required=False)

    def __init__(self, *args, district, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].queryset = ListKind.objects.filter(district=district).order_by("position", "code")


class PublicPlaceForm(forms.Form):
    place = forms.TypedChoiceField(label=_("Your community"), coerce=int, choices=())

    def __init__(self, *args, places: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = [("", _("— choose —"))] + [
            (group["label"], group["options"]) for group in places]
