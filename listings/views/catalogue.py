"""The staff pages of the list catalogues: the district's lists on a day, item pages with their history, forms for
district officials, Excel template/import/export.

Access: anonymous → login; an account without a district (resident, the three administrators) → 404; staff read
their own district's lists; an item or list of another district → 404 (scoped selectors); in their district but
not a district official bound to it → 403 for any change (and the services check again)."""


from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from governance.lib.exceptions import InvalidInput, InvalidTransition
from governance.lib.views import staff_page
from grids.imports.workbook import XLSX_CONTENT_TYPE
from listings.forms import CatalogueFilterForm, ExportForm, ItemImportForm, ItemStatusForm, ListItemForm, ListKindForm
from listings.imports import ITEM_COLUMNS, MAX_ROWS
from listings.models import ListItemStatus, ListPurpose
from listings.selectors.catalogue import (
    IN_FORCE,
    access_district,
    access_list_item,
    access_list_kind,
    can_edit_lists,
    can_read_catalogue,
    catalogue_items,
    item_history,
    list_kinds_with_counts,
)
from listings.services.catalogue import (
    list_item_create,
    list_item_set_status,
    list_item_update,
    list_kind_create,
    list_kind_update,
)
from listings.services.excel import list_items_export, list_items_import, list_items_template

PAGE_SIZE = 25


# Logged in with a district (governance.lib.views.staff_page).
catalogue_page = staff_page(can_read_catalogue)


def _require_editor(user) -> None:
    if not can_edit_lists(user):
        raise PermissionDenied


def _form_page(request, *, form, save, template: str, context: dict, success_url):
    """GET: the form. POST: valid → save(data) → message + redirect; invalid or a service ValidationError → the same
    form with the messages and what was typed, status 400."""
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                obj = save(form.service_data())
            except ValidationError as exc:
                form.add_service_errors(exc)
            except InvalidTransition as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Saved. 已保存。"))
                return redirect(success_url(obj))
        status = 400
    return render(request, template, {"form": form, **context}, status=status)


@catalogue_page
@require_GET
def catalogue(request):
    district = access_district(user=request.user)
    form = CatalogueFilterForm(request.GET or None, district=district)
    filters = form.values()
    items = catalogue_items(district=district, day=filters["day"], kind=filters["kind"], status=filters["status"],
                            q=filters["q"])
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    return render(request, "listings/catalogue/catalogue.html", {
        "district": district, "form": form, "filters": filters, "page": page,
        "kinds": list_kinds_with_counts(district=district, day=filters["day"]),
        "in_force_view": filters["status"] == IN_FORCE, "past_day": filters["day"] < today,
        "today": today, "can_edit": can_edit_lists(request.user),
        "export_form": ExportForm(district=district, initial={"on": filters["day"], "kind": filters["kind"]}),
    })


@catalogue_page
@require_GET
def item_detail(request, pk):
    item = access_list_item(user=request.user, item_id=pk)
    today = timezone.localdate()
    return render(request, "listings/catalogue/item_detail.html", {
        "item": item, "kind": item.kind, "history": item_history(item=item), "today": today,
        "in_force_today": item.in_force_on(today), "can_edit": can_edit_lists(request.user),
        "is_forbidden_certificate": item.kind.purpose == ListPurpose.CERTIFICATE_FORBIDDEN,
    })


@catalogue_page
@require_http_methods(["GET", "POST"])
def item_create(request):
    _require_editor(request.user)
    district = access_district(user=request.user)
    initial = {"valid_from": timezone.localdate()}
    kind_id = request.GET.get("kind", "")
    if kind_id.isdigit():
        initial["kind"] = access_list_kind(user=request.user, kind_id=kind_id).pk
    form = ListItemForm(request.POST or None, district=district, initial=initial)

    def save(data):
        return list_item_create(actor=request.user, **data)

    return _form_page(request, form=form, save=save, template="listings/catalogue/item_form.html",
                      context={"title": _("New list item")},
                      success_url=lambda item: reverse("listings:item_detail", args=[item.pk]))


@catalogue_page
@require_http_methods(["GET", "POST"])
def item_edit(request, pk):
    item = access_list_item(user=request.user, item_id=pk)
    _require_editor(request.user)
    form = ListItemForm(request.POST or None, district=item.kind.district, instance=item)
    return _form_page(request, form=form, save=lambda data: list_item_update(actor=request.user, item=item, **data),
                      template="listings/catalogue/item_form.html",
                      context={"title": _("Edit %(name)s") % {"name": f"{item.code} {item.name}"}, "item": item},
                      success_url=lambda obj: reverse("listings:item_detail", args=[obj.pk]))


@catalogue_page
@require_http_methods(["GET", "POST"])
def item_status(request, pk):
    item = access_list_item(user=request.user, item_id=pk)
    _require_editor(request.user)
    form = ItemStatusForm(request.POST or None, item=item)
    return _form_page(
        request, form=form, save=lambda data: list_item_set_status(actor=request.user, item=item, **data),
        template="listings/catalogue/item_status.html",
        context={"title": _("Change the status of %(name)s") % {"name": f"{item.code} {item.name}"}, "item": item,
                 "final": item.status == ListItemStatus.REPEALED},
        success_url=lambda obj: reverse("listings:item_detail", args=[obj.pk]))


@catalogue_page
@require_http_methods(["GET", "POST"])
def kind_create(request):
    _require_editor(request.user)
    district = access_district(user=request.user)
    form = ListKindForm(request.POST or None, initial={"purpose": ListPurpose.OTHER})
    return _form_page(
        request, form=form, save=lambda data: list_kind_create(actor=request.user, district=district, **data),
        template="listings/catalogue/kind_form.html", context={"title": _("New list")},
        success_url=lambda kind: f"{reverse('listings:catalogue')}?kind={kind.pk}&status=all")


@catalogue_page
@require_http_methods(["GET", "POST"])
def kind_edit(request, pk):
    kind = access_list_kind(user=request.user, kind_id=pk)
    _require_editor(request.user)
    form = ListKindForm(request.POST or None, instance=kind)
    return _form_page(
        request, form=form, save=lambda data: list_kind_update(actor=request.user, kind=kind, **data),
        template="listings/catalogue/kind_form.html",
        context={"title": _("Edit the list %(name)s") % {"name": kind.name}, "kind": kind},
        success_url=lambda obj: f"{reverse('listings:catalogue')}?kind={obj.pk}&status=all")


@catalogue_page
@require_http_methods(["GET", "POST"])
def item_import(request):
    _require_editor(request.user)
    district = access_district(user=request.user)
    status, result = 200, None
    if request.method == "POST":
        form = ItemImportForm(request.POST, request.FILES, district=district)
        if form.is_valid():
            kind = form.cleaned_data["kind"]
            try:
                result = list_items_import(actor=request.user, kind=kind, file=form.cleaned_data["file"])
            except InvalidInput as exc:
                form.add_error("file", exc.message)
            else:
                if result.ok:
                    messages.success(request, _("Imported: %(created)d new, %(updated)d changed, %(unchanged)d "
                                                "unchanged. 导入成功。") % {
                        "created": result.created, "updated": result.updated, "unchanged": result.unchanged})
                    return redirect(f"{reverse('listings:catalogue')}?kind={kind.pk}&status=all")
        status = 400
    else:
        kind_id = request.GET.get("kind", "")
        initial = {"kind": access_list_kind(user=request.user, kind_id=kind_id).pk} if kind_id.isdigit() else None
        form = ItemImportForm(district=district, initial=initial)
    return render(request, "listings/catalogue/import.html",
                  {"form": form, "result": result, "columns": ITEM_COLUMNS, "max_rows": MAX_ROWS}, status=status)


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    add_never_cache_headers(response)
    return response


@catalogue_page
@require_GET
def item_template(request):
    return _xlsx(list_items_template(), "清单事项导入模板.xlsx")


@catalogue_page
@require_GET
def item_export(request):
    district = access_district(user=request.user)
    access_list_kind(user=request.user, kind_id=request.GET.get("kind"))  # another district's list → 404
    form = ExportForm(request.GET or None, district=district)
    if not form.is_valid():
        messages.error(request, _("Choose a list and a valid date to export. 请选择清单和有效日期。"))
        return redirect("listings:catalogue")
    data = form.cleaned_data
    result = list_items_export(actor=request.user, kind=data["kind"], day=data.get("on"),
                               everything=data.get("everything", False))
    return _xlsx(result.content, result.filename)
