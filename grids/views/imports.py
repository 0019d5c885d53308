"""Pages for Excel import and export of the registers. Views parse input and call one service or selector.

Only users with register access see these pages (others get 404); only register editors may import or
export full ID numbers; a job is visible only to the user who started it."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods

from governance.lib.exceptions import InvalidInput, NotFoundOrForbidden, PermissionDeniedError
from grids.imports.forms import ImportUploadForm
from grids.imports.registers import REGISTERS, get_register
from grids.imports.selectors import access_import_job, import_job_list
from grids.imports.workbook import XLSX_CONTENT_TYPE, template_workbook
from grids.models import ImportJob
from grids.permissions import can_edit_registers, can_read_registers
from grids.services.exports import register_export
from grids.services.imports import import_job_create

JOBS_PER_PAGE = 20
ERRORS_PER_PAGE = 50
ACTIVE = (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING)


def _reader_or_404(user) -> None:
    if not can_read_registers(user):
        raise Http404


def _spec_or_404(slug: str):
    spec = get_register(slug)
    if spec is None:
        raise Http404
    return spec


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    add_never_cache_headers(response)  # personal data: never kept by a browser or proxy cache
    return response


@login_required
@require_GET
def import_list_view(request):
    _reader_or_404(request.user)
    page = Paginator(import_job_list(user=request.user), JOBS_PER_PAGE).get_page(request.GET.get("page"))
    for job in page.object_list:  # presentation only: no queries
        job.register_label = REGISTERS[job.register].label if job.register in REGISTERS else job.register
    return render(request, "grids/imports/list.html", {
        "page": page, "registers": REGISTERS.values(), "can_import": can_edit_registers(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def import_create_view(request, register):
    _reader_or_404(request.user)
    spec = _spec_or_404(register)
    if not can_edit_registers(request.user):
        raise PermissionDenied
    status = 200
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                job = import_job_create(actor=request.user, register=spec.slug, upload=form.cleaned_data["file"])
            except PermissionDeniedError:
                raise PermissionDenied from None
            except InvalidInput as exc:
                form.add_error("file", exc.message)
            else:
                return redirect("grids:import_detail", job_id=job.pk)
        status = 400
    else:
        form = ImportUploadForm()
    return render(request, "grids/imports/create.html", {
        "form": form, "spec": spec, "registers": REGISTERS.values(),
        "max_mb": f"{settings.GONGZHI_IMPORT_MAX_BYTES / 1024 / 1024:g}", "max_rows": settings.GONGZHI_IMPORT_MAX_ROWS,
    }, status=status)


@login_required
@require_GET
def import_detail_view(request, job_id):
    try:
        job = access_import_job(user=request.user, job_id=job_id)
    except NotFoundOrForbidden:
        raise Http404 from None
    errors = sorted(job.errors or [], key=lambda e: (e.get("row") is not None, e.get("row") or 0))
    context = {
        "job": job, "active": job.status in ACTIVE,
        "register_label": REGISTERS[job.register].label if job.register in REGISTERS else job.register,
        "errors_page": Paginator(errors, ERRORS_PER_PAGE).get_page(request.GET.get("page")),
    }
    template = "grids/imports/_job.html" if getattr(request, "htmx", False) else "grids/imports/detail.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@login_required
@require_GET
def import_template_view(request, register):
    _reader_or_404(request.user)
    spec = _spec_or_404(register)
    return _xlsx(template_workbook(spec.columns, spec.title), f"{spec.title}导入模板.xlsx")


@login_required
@require_GET
def register_export_view(request, register):
    _reader_or_404(request.user)
    spec = _spec_or_404(register)
    unmasked = request.GET.get("unmasked", "") in ("1", "true", "on")
    try:
        result = register_export(actor=request.user, register=spec.slug, params=request.GET, unmasked=unmasked)
    except NotFoundOrForbidden:
        raise Http404 from None
    except PermissionDeniedError:
        raise PermissionDenied from None
    except InvalidInput as exc:
        return render(request, "error.html", {"status": 400, "message": exc.message}, status=400)
    return _xlsx(result.content, result.filename)
