"""Forms of the certificate pages. They parse input only; the rules (which items, ID checksum, plain text, who may
act) live in listings.certificates.services, whose ValidationErrors are attached back with `add_service_errors`."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from grids.forms import ServiceErrorsMixin
from listings.certificates.models import RequestChannel, RequestStatus
from listings.certificates.services.requests import MAX_LENGTHS, UNKNOWN_ITEM

ID_HELP = _("18 characters, as on the ID card. 18位，与身份证一致。")
PHONE_HELP = _("Optional: so the community can call you back. 选填，便于社区联系您。")


def _label(item) -> str:
    """The item's name; sample items (demo lists) say so."""
    return gettext("%(name)s (sample)") % {"name": item.name} if item.is_sample else item.name


def _item_choices(issuable, forbidden) -> list:
    choices = [("", _("— choose a certificate —"))]
    if issuable:
        choices.append((_("Certificates the community issues"), [(item.pk, _label(item)) for item in issuable]))
    if forbidden:
        choices.append((_("Issued by other offices (the community may not issue these)"),
                        [(item.pk, _label(item)) for item in forbidden]))
    return choices


class _RequestForm(ServiceErrorsMixin, forms.Form):
    item = forms.TypedChoiceField(label=_("Which certificate"), coerce=int, choices=(),
                                  error_messages={"invalid_choice": UNKNOWN_ITEM})
    purpose = forms.CharField(label=_("What it is for"), max_length=MAX_LENGTHS["purpose"],
                              help_text=_("For example: 办理入学 (school enrolment), 申领补贴 (a subsidy). "
                                          "例如：办理入学、申领补贴。"))
    applicant_name = forms.CharField(label=_("Full name on the certificate"),
                                     max_length=MAX_LENGTHS["applicant_name"],
                                     widget=forms.TextInput(attrs={"autocomplete": "name"}))
    id_number = forms.CharField(label=_("ID number"), max_length=24, required=False, help_text=ID_HELP,
                                widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False, help_text=PHONE_HELP,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))

    def __init__(self, *args, issuable=(), forbidden=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = _item_choices(issuable, forbidden)

    def service_data(self) -> dict:
        return dict(self.cleaned_data)


class ResidentRequestForm(_RequestForm):
    pass


class WalkInForm(_RequestForm):
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))


class IssueForm(ServiceErrorsMixin, forms.Form):
    content = forms.CharField(
        label=_("What the certificate certifies"), max_length=MAX_LENGTHS["content"],
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Printed after 兹证明 on the certificate. Write only facts you have checked, e.g. "
                    "王秀兰系我社区居民，自2015年3月起居住于东湖小区3号楼2单元501室。"))


class ReasonForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=MAX_LENGTHS["reason"], widget=forms.Textarea(attrs={"rows": 3}))


class VerifyForm(forms.Form):
    serial = forms.CharField(
        label=_("Serial number"), max_length=40,
        help_text=_("Printed under the QR code, e.g. 110199-2026-000123-7KQ4MZ. 证明右下角的编号。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}),
        error_messages={"required": _("Enter the serial number printed on the certificate. 请输入证明编号。")})


class RegisterSearchForm(forms.Form):
    q = forms.CharField(label=_("Serial, name or full ID number"), max_length=64, required=False)
    item = forms.ModelChoiceField(label=_("Certificate"), queryset=None, required=False,
                                  empty_label=_("— all —"))
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("— all —")), *RequestStatus.choices])
    channel = forms.ChoiceField(label=_("Channel"), required=False,
                                choices=[("", _("— all —")), *RequestChannel.choices])
    community = forms.ModelChoiceField(label=_("Community"), queryset=None, required=False,
                                       empty_label=_("— all —"))
    date_from = forms.DateField(label=_("Asked from"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    date_to = forms.DateField(label=_("Asked until"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, items, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items
        self.fields["item"].label_from_instance = lambda item: f"{item.name}（{item.kind.name}）"
        self.fields["community"].queryset = communities

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date is before the start date. 结束日期早于开始日期。"))
        return data
