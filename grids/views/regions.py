"""The grid network pages: the tree browser, a grid worker's home, a node's detail page, and creating or editing
nodes (grids.services.regions). Thin: parse, call one selector or service, render."""

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from grids.forms import RegionForm
from grids.models import LEVEL_ORDER, RegionLevel
from grids.permissions import can_edit_regions, can_edit_registers, in_jurisdiction
from grids.selectors.regions import access_region, ancestors_of, flatten, household_band, my_grids, region_tree
from grids.selectors.summaries import region_assignments, region_children, region_summaries, region_versions
from grids.services.regions import region_create, region_update
from grids.views.common import register_page, require, service_form_page
from workforce.selectors import worker_list


def _band() -> dict:
    low, high = household_band()
    return {"band_low": low, "band_high": high}


def child_level(region) -> str | None:
    if region.level == RegionLevel.MICRO_GRID:
        return None
    return LEVEL_ORDER[LEVEL_ORDER.index(region.level) + 1]


@register_page
@require_GET
def tree(request):
    nodes = flatten(region_tree(user=request.user))
    return render(request, "grids/tree.html", {
        "nodes": nodes,
        "depth_offset": 1 - min((node.depth for node in nodes), default=1),  # indent relative to the user's root
        **_band(),
    })


@register_page
@require_GET
def my_grid(request):
    grids = list(my_grids(user=request.user))
    summaries = region_summaries(user=request.user, regions=grids)
    return render(request, "grids/my_grid.html", {
        "summaries": [summaries[grid.pk] for grid in grids],
        "can_edit": can_edit_registers(request.user), **_band(),
    })


@register_page
@require_GET
def region_detail(request, pk):
    user = request.user
    region = access_region(user=user, region_id=pk)
    children = list(region_children(user=user, region=region))
    summaries = region_summaries(user=user, regions=[region, *children])
    breadcrumb = [{"region": a, "visible": in_jurisdiction(user, a)} for a in ancestors_of(region)]
    roster = None
    if region.level == RegionLevel.COMMUNITY:
        roster = list(worker_list(user=user).filter(community=region))
    return render(request, "grids/region_detail.html", {
        "region": region,
        "summary": summaries[region.pk],
        "children": [summaries[child.pk] for child in children],
        "breadcrumb": breadcrumb,
        "versions": list(region_versions(user=user, region=region)),
        "assignments": list(region_assignments(region=region)) if region.is_grid else [],
        "roster": roster,
        "child_level": child_level(region),
        "can_edit_regions": can_edit_regions(user),
        **_band(),
    })


def _region_form_page(request, *, form, title, back, save):
    return service_form_page(
        request, form=form, save=save, template="grids/region_form.html", context={"title": title, "back": back},
        success_url=lambda region: reverse("grids:region_detail", args=[region.pk]))


@register_page
@require_http_methods(["GET", "POST"])
def region_create_child(request, pk):
    parent = access_region(user=request.user, region_id=pk)
    require(can_edit_regions, request.user)
    level = child_level(parent)
    if level is None:
        raise Http404
    form = RegionForm(request.POST or None, level=level)
    title = _("New %(level)s under %(parent)s") % {"level": RegionLevel(level).label, "parent": parent.name}
    return _region_form_page(
        request, form=form, title=title, back=parent,
        save=lambda data: region_create(actor=request.user, parent=parent, level=level, **data))


@register_page
@require_http_methods(["GET", "POST"])
def region_edit(request, pk):
    region = access_region(user=request.user, region_id=pk)
    require(can_edit_regions, request.user)
    form = RegionForm(request.POST or None, level=region.level, instance=region)
    title = _("Edit %(name)s") % {"name": region.name}
    return _region_form_page(
        request, form=form, title=title, back=region,
        save=lambda data: region_update(actor=request.user, region=region, **data))
