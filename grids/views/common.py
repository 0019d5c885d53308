"""Shared plumbing of the server-rendered grid and roster pages: access decorators, paging, reveal rows.

Access rules, the same on every page:
- anonymous → the login page;
- an account without register jurisdiction (resident, department handler, the three administrators) → 404;
- an object outside the jurisdiction → 404 (selectors raise NotFoundOrForbidden);
- in the jurisdiction but the role may not make this change → 403 (services raise PermissionDeniedError).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from governance.lib.views import staff_page
from grids.permissions import can_read_registers

PAGE_SIZE = 25
INDENT = "\u3000"  # ideographic space


# Logged in with a register jurisdiction (governance.lib.views.staff_page: 404 outside, 403 for a refused act).
register_page = staff_page(can_read_registers)


def require(predicate, user) -> None:
    """Inside a register page: the user may read here but this role may not act → 403."""
    if not predicate(user):
        raise PermissionDenied


def paginate(request, queryset, per_page: int = PAGE_SIZE):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def indent_region_labels(form, name: str = "region") -> None:
    """Show a region choice (filter forms) as an indented tree with codes, so same-named nodes stay apart."""
    field = form.fields.get(name)
    if field is not None:
        field.label_from_instance = lambda obj: f"{INDENT * max(obj.depth - 1, 0)}{obj.name} · {obj.code}"


def pii_rows(obj, fields, masks, revealed: dict | None = None) -> list[dict]:
    """One row per personal-data field for the detail page: label, masked value, and the plaintext only when
    this very response is the answer to an explicit (audited) reveal."""
    revealed = revealed or {}
    rows = []
    for name in fields:
        value = getattr(obj, name) or ""
        rows.append({
            "field": name,
            "label": obj._meta.get_field(name).verbose_name,
            "masked": masks[name](value) if value else "",
            "plain": revealed.get(name),
            "empty": not value,
        })
    return rows


def service_form_page(request, *, form, save, template: str, context: dict, success_url):
    """GET: the form. POST: valid → `save(form.service_data())` → a message and a redirect to `success_url(obj)`;
    invalid, or a service ValidationError → the same form with the messages and what was typed, status 400."""
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                obj = save(form.service_data())
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("Saved. 已保存。"))
                return redirect(success_url(obj))
        status = 400
    return render(request, template, {"form": form, **context}, status=status)


def initial_from_query(request, names) -> dict:
    """Pre-selects choices from the query string (e.g. "add a resident" from a household page). Choice fields
    accept only what the user's jurisdiction holds, so anything else is simply not selected."""
    return {name: request.GET[name] for name in names if request.GET.get(name, "").isdigit()}
