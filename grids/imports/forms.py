from django import forms
from django.utils.translation import gettext_lazy as _

from grids.imports.workbook import XLSX_CONTENT_TYPE


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        help_text=_("Use the template's headers; the first sheet is imported. 请使用模板表头，导入第一个工作表。"),
        widget=forms.FileInput(attrs={"accept": f".xlsx,{XLSX_CONTENT_TYPE}"}),
        allow_empty_file=True,  # the service answers an empty file like any unreadable one
    )
