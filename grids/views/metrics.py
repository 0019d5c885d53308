"""The performance dashboard (三率 and the case indicators per unit): a sortable, paginated table, one unit's
breakdown, and the Excel export.

Access: anonymous → login; an account that may not compare any unit (resident, grid worker, the three
administrators, a handler without a department) → 404; a unit kind or a unit outside the jurisdiction → 404.
Bad choices (dates in the wrong order, an unknown kind) → the form again with the message and what was typed,
status 400. Sorting and paging are in the query string, so every view can be bookmarked and works without
JavaScript."""

import datetime

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from governance.lib.views import staff_page
from governance.selectors.jurisdiction import jurisdiction_paths
from grids.forms_metrics import MetricsForm, period_presets
from grids.imports.workbook import XLSX_CONTENT_TYPE
from grids.metrics import (
    DEFAULT_SORT,
    KIND_DEPTH,
    SORT_KEYS,
    default_kind_for,
    kind_label,
    metric_areas_for,
    metric_columns,
    metric_definitions,
    metric_kinds_for,
    metric_unit_get,
    metric_units,
    metrics_export,
    metrics_table,
    parent_names,
    sort_table,
    unit_metrics,
    weights_for,
)

PAGE_SIZE = 50


metrics_page = staff_page(lambda user: bool(metric_kinds_for(user)))


def _form(request) -> MetricsForm:
    """The dashboard's choices from the query string; empty ones take their defaults (shown in the form)."""
    user = request.user
    today = timezone.localdate()
    default_kind = default_kind_for(user)
    data = request.GET.copy()
    for name, value in (("kind", default_kind), ("start", today.replace(day=1).isoformat()),
                        ("end", today.isoformat())):
        if not data.get(name):
            data[name] = value
    areas = list(metric_areas_for(user)) if any(k in KIND_DEPTH for k in metric_kinds_for(user)) else []
    return MetricsForm(data, kinds=metric_kinds_for(user), default_kind=default_kind, areas=areas, today=today)


def _sort(request) -> tuple[str, bool]:
    """(key, descending) from ?sort=&order=; anything unknown falls back to the composite score, best first."""
    key = request.GET.get("sort", "")
    key = key if key in SORT_KEYS else DEFAULT_SORT
    order = request.GET.get("order", "")
    descending = order != "asc" if order in ("asc", "desc") else key != "unit"
    return key, descending


def _display(column: dict, metrics) -> dict:
    value = getattr(metrics, column["key"])
    cell = {"value": value, "text": "—", "detail": ""}
    if value is None:
        return cell
    kind = column["kind"]
    if kind == "rate":
        cell["text"] = f"{value * 100:.1f}%"
        denominator = getattr(metrics, column["of"][1])
        # The credited numerator (a partly resolved case counts ½ by default), so that detail = text × denominator.
        cell["detail"] = f"{round(value * denominator, 2):g}/{denominator}"
    elif kind in ("score", "hours"):
        cell["text"] = f"{value:.1f}"
    else:
        cell["text"] = str(value)
    return cell


def _header_links(request, *, key: str, descending: bool) -> list[dict]:
    """One link per sortable column: the same view sorted by it (again: the other way round)."""
    links = []
    for column in [{"key": "unit", "label": gettext("Unit")}, *metric_columns()]:
        current = column["key"] == key
        if current:
            order = "asc" if descending else "desc"
        else:
            order = "asc" if column["key"] == "unit" else "desc"
        params = request.GET.copy()
        params["sort"], params["order"] = column["key"], order
        params.pop("page", None)
        aria = ("descending" if descending else "ascending") if current else ""
        links.append({"key": column["key"], "label": column["label"], "url": f"?{params.urlencode()}",
                      "current": current, "aria_sort": aria})
    return links


def _preset_links(request, today: datetime.date) -> list[dict]:
    links = []
    for label, first, last in period_presets(today):
        params = request.GET.copy()
        params["start"], params["end"] = first.isoformat(), last.isoformat()
        params.pop("page", None)
        shown = (request.GET.get("start") or today.replace(day=1).isoformat(), request.GET.get("end") or today.isoformat())
        current = shown == (params["start"], params["end"])
        links.append({"label": label, "url": f"?{params.urlencode()}", "current": current})
    return links


def _weights_text(unit_kind: str) -> str:
    response, resolution, satisfaction = weights_for(unit_kind)
    return f"{response:.0%} / {resolution:.0%} / {satisfaction:.0%}"


@metrics_page
@require_GET
def incident_metrics(request):
    form = _form(request)
    key, descending = _sort(request)
    today = timezone.localdate()
    context = {
        "form": form, "columns": metric_columns(), "definitions": metric_definitions(), "sort": key,
        "descending": descending, "presets": _preset_links(request, today), "page": None, "export_url": "",
        "headers": _header_links(request, key=key, descending=descending),
    }
    if not form.is_valid():
        return render(request, "grids/metrics/dashboard.html", context, status=400)

    unit_kind, within = form.cleaned_data["kind"], form.cleaned_data["within"]
    start, end = form.period
    units = metric_units(request.user, unit_kind=unit_kind, start=start, end=end, within=within)
    table = sort_table(metrics_table(unit_kind=unit_kind, units=units, start=start, end=end),
                       key=key, descending=descending)
    page = Paginator(table, PAGE_SIZE).get_page(request.GET.get("page"))
    parents = parent_names([row.unit for row in page])
    first_rank = (page.number - 1) * PAGE_SIZE + 1
    detail_params = urlencode({"start": form.cleaned_data["start"].isoformat(),
                               "end": form.cleaned_data["end"].isoformat()})
    child_kind = next((kind for kind, depth in KIND_DEPTH.items() if depth == KIND_DEPTH.get(unit_kind, 0) + 1),
                      None) if unit_kind in ("street", "community") else None
    roots = set(jurisdiction_paths(request.user))
    rows = []
    for rank, row in enumerate(page, start=first_rank):
        drill = ""
        if child_kind and child_kind in metric_kinds_for(request.user) and (
                str(row.unit.pk) in form.areas or row.unit.path in roots):
            params = request.GET.copy()
            for name in ("page", "sort", "order", "within"):
                params.pop(name, None)
            params["kind"] = child_kind
            if row.unit.path not in roots:
                params["within"] = str(row.unit.pk)
            drill = f"?{params.urlencode()}"
        rows.append({
            "rank": rank, "unit": row.unit, "parent": parents.get(row.unit.pk, ""),
            "cells": [_display(column, row.metrics) for column in context["columns"]],
            "detail_url": reverse("grids:incident_metrics_unit", args=[unit_kind, row.unit.pk]) + f"?{detail_params}",
            "drill_url": drill, "drill_label": kind_label(child_kind) if child_kind else "",
        })
    export_params = request.GET.copy()
    export_params.update({"kind": unit_kind, "start": form.cleaned_data["start"].isoformat(),
                          "end": form.cleaned_data["end"].isoformat(), "sort": key,
                          "order": "desc" if descending else "asc"})
    export_params.pop("page", None)
    context.update({
        "page": page, "rows": rows, "unit_kind": unit_kind, "kind_label": kind_label(unit_kind), "within": within,
        "weights": _weights_text(unit_kind), "start": form.cleaned_data["start"], "end": form.cleaned_data["end"],
        "export_url": reverse("grids:incident_metrics_export") + f"?{export_params.urlencode()}",
    })
    return render(request, "grids/metrics/dashboard.html", context)


@metrics_page
@require_GET
def incident_metrics_unit(request, kind, pk):
    """One unit's figures with every numerator and denominator, for the period in the query string."""
    unit = metric_unit_get(request.user, unit_kind=kind, unit_id=pk)
    form = _form(request)
    context = {"form": form, "unit": unit, "unit_kind": kind, "kind_label": kind_label(kind),
               "definitions": metric_definitions(), "weights": _weights_text(kind),
               "back_url": reverse("grids:incident_metrics"), "metrics": None}
    if not form.is_valid():
        return render(request, "grids/metrics/unit.html", context, status=400)
    start, end = form.period
    metrics = unit_metrics(unit_kind=kind, unit_id=unit, start=start, end=end)
    back = urlencode({"kind": kind, "start": form.cleaned_data["start"].isoformat(),
                      "end": form.cleaned_data["end"].isoformat()})
    context.update({
        "metrics": metrics, "cells": [(column, _display(column, metrics)) for column in metric_columns()],
        "start": form.cleaned_data["start"], "end": form.cleaned_data["end"],
        "parent": parent_names([unit]).get(unit.pk, ""), "back_url": f"{reverse('grids:incident_metrics')}?{back}",
    })
    return render(request, "grids/metrics/unit.html", context)


@metrics_page
@require_GET
def incident_metrics_export(request):
    form = _form(request)
    if not form.is_valid():
        context = {"form": form, "columns": metric_columns(), "definitions": metric_definitions(), "page": None,
                   "presets": _preset_links(request, timezone.localdate()), "headers": [], "export_url": ""}
        return render(request, "grids/metrics/dashboard.html", context, status=400)
    key, descending = _sort(request)
    start, end = form.period
    export = metrics_export(actor=request.user, unit_kind=form.cleaned_data["kind"], start=start, end=end,
                            within=form.cleaned_data["within"], sort=key, descending=descending)
    response = HttpResponse(export.content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=export.filename)
    add_never_cache_headers(response)
    return response
