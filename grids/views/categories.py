"""The responsibility-list pages (责任清单): both category trees, create/edit, Excel import and export.

Access: anonymous → login; an account that is not on the staff (resident, the three administrators) → 404;
staff read everything; only district officials change anything (others → 403). Bad input → the form again with
the messages and what was typed, status 400."""


from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from governance.lib.exceptions import InvalidInput
from governance.lib.views import staff_page
from grids.forms_categories import CategoryForm, CategoryImportForm
from grids.imports.workbook import XLSX_CONTENT_TYPE
from grids.models import CategoryTree, HandlingLevel
from grids.selectors.categories import can_read_categories, category_get, category_leaves, category_tree_rows
from grids.services.categories import (
    CATEGORY_COLUMNS,
    can_edit_categories,
    categories_export,
    categories_export_filename,
    categories_import,
    category_create,
    category_update,
)
from grids.views.common import service_form_page

MAX_SEARCH_RESULTS = 50


category_page = staff_page(can_read_categories)


def _require_editor(user) -> None:
    if not can_edit_categories(user):
        raise PermissionDenied


def _tree_url(category=None) -> str:
    url = reverse("grids:category_tree")
    return f"{url}#category-{category.pk}" if category is not None else url


@category_page
@require_GET
def category_tree(request):
    q = request.GET.get("q", "").strip()[:50]
    tree = request.GET.get("tree", "")
    tree = tree if tree in CategoryTree.values else ""
    results = None
    if q:
        results = list(category_leaves(tree=tree or None, q=q)[:MAX_SEARCH_RESULTS])
    trees = [{"key": key, "label": label, "rows": category_tree_rows(tree=key)} for key, label in CategoryTree.choices]
    return render(request, "grids/categories/tree.html", {
        "trees": trees, "q": q, "tree": tree, "results": results, "max_results": MAX_SEARCH_RESULTS,
        "tree_choices": CategoryTree.choices, "can_edit": can_edit_categories(request.user),
        "department_level": HandlingLevel.DEPARTMENT,
    })


@category_page
@require_http_methods(["GET", "POST"])
def category_create_view(request):
    _require_editor(request.user)
    parent = None
    parent_id = request.GET.get("parent", "")
    if parent_id:
        parent = category_get(category_id=parent_id)
    initial = {}
    if parent is None and request.GET.get("tree") in CategoryTree.values:
        initial["tree"] = request.GET["tree"]
    form = CategoryForm(request.POST or None, user=request.user, parent=parent, initial=initial)

    def save(data):
        tree = parent.tree if parent is not None else data.pop("tree")
        return category_create(actor=request.user, parent=parent, tree=tree, **data)

    title = (_("New sub-category of %(name)s") % {"name": f"{parent.code} {parent.name}"} if parent is not None
             else _("New top class"))
    return service_form_page(request, form=form, save=save, template="grids/categories/form.html",
                             context={"title": title, "parent": parent}, success_url=_tree_url)


@category_page
@require_http_methods(["GET", "POST"])
def category_edit_view(request, pk):
    _require_editor(request.user)
    category = category_get(category_id=pk)
    form = CategoryForm(request.POST or None, user=request.user, instance=category)
    title = _("Edit %(name)s") % {"name": f"{category.code} {category.name}"}
    return service_form_page(
        request, form=form, save=lambda data: category_update(actor=request.user, category=category, **data),
        template="grids/categories/form.html", context={"title": title, "category": category},
        success_url=_tree_url)


@category_page
@require_http_methods(["GET", "POST"])
def category_import_view(request):
    _require_editor(request.user)
    status, result = 200, None
    if request.method == "POST":
        form = CategoryImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                result = categories_import(actor=request.user, file=form.cleaned_data["file"],
                                           tree=form.cleaned_data["tree"])
            except InvalidInput as exc:
                form.add_error("file", exc.message)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                if result.ok:
                    messages.success(request, _("Imported: %(created)d new, %(updated)d changed, %(unchanged)d "
                                                "unchanged. 导入成功。") % {
                        "created": result.created, "updated": result.updated, "unchanged": result.unchanged})
                    return redirect(f"{reverse('grids:category_tree')}#tree-{result.tree}")
        status = 400
    else:
        form = CategoryImportForm(initial={"tree": request.GET.get("tree")}
                                  if request.GET.get("tree") in CategoryTree.values else None)
    return render(request, "grids/categories/import.html",
                  {"form": form, "result": result, "columns": CATEGORY_COLUMNS}, status=status)


@category_page
@require_GET
def category_export_view(request, tree):
    if tree not in CategoryTree.values:
        raise Http404
    response = HttpResponse(categories_export(tree=tree), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=categories_export_filename(tree=tree))
    add_never_cache_headers(response)
    return response
