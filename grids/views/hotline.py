"""The 12345 work-order import page (community and street staff). Synchronous: a day's file is small, and the
answer — created, skipped, or every error by row and column — is shown at once. Nothing is half-imported
(grids.services.hotline)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from governance.lib.exceptions import PermissionDeniedError
from grids.forms_intake import HotlineUploadForm
from grids.services.hotline import COLUMNS, hotline_import, max_bytes, max_rows, too_large_message
from grids.services.intake import can_enter_cases
from grids.views.intake import require_staff_page

TEMPLATE = "grids/intake/hotline_import.html"


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def hotline_import_view(request):
    require_staff_page(request, can_enter_cases)
    context = {"columns": COLUMNS, "max_rows": max_rows(), "max_mb": f"{max_bytes() / 1024 / 1024:g}"}
    if request.method == "GET":
        return render(request, TEMPLATE, {"form": HotlineUploadForm(), **context})
    form = HotlineUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, TEMPLATE, {"form": form, **context}, status=400)
    upload = form.cleaned_data["file"]
    if upload.size > max_bytes():  # refused before reading it into memory
        form.add_error("file", too_large_message())
        return render(request, TEMPLATE, {"form": form, **context}, status=400)
    try:
        result = hotline_import(actor=request.user, data=upload.read(), filename=upload.name or "")
    except PermissionDeniedError:
        raise PermissionDenied from None
    return render(request, TEMPLATE, {"form": HotlineUploadForm(), "result": result, **context},
                  status=200 if result.ok else 400)
