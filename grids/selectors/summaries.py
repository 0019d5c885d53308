"""Counts for the grid pages (a grid worker's home, a region's detail page): every register rolled up over each
requested region's subtree, scoped to the user, in a fixed number of queries whatever the number of rows."""

from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet

from governance.selectors.jurisdiction import scope_q
from grids.models import Building, Household, HousingUnit, Organisation, Region, Resident
from grids.selectors.regions import TreeNode, region_list
from workforce.models import GridAssignment


@dataclass
class RegionSummary(TreeNode):
    """A TreeNode (households, residents, workers and the household-band flag) plus the other registers."""

    buildings: int = 0
    housing_units: int = 0
    organisations: int = 0
    cared_residents: int = 0


def _by_grid_path(qs, scope: Q, *, distinct: bool = False) -> dict[str, int]:
    rows = qs.filter(scope).values_list("grid__path").annotate(n=Count("pk", distinct=distinct)).order_by()
    return dict(rows)


def region_summaries(*, user, regions: list[Region]) -> dict[int, RegionSummary]:
    """{region pk: RegionSummary} with cumulative counts over each region's subtree (all grid versions).
    Seven queries (plus the jurisdiction lookup), independent of the number of regions and rows."""
    regions = list(regions)
    if not regions:
        return {}
    within = Q()
    for region in regions:
        within |= Q(grid__path__startswith=region.path)
    scope = scope_q(user) & within
    counts = {
        "households": _by_grid_path(Household.objects, scope),
        "residents": _by_grid_path(Resident.objects.filter(status=Resident.Status.ACTIVE), scope),
        "workers": _by_grid_path(GridAssignment.objects.filter(active=True), scope),
        "buildings": _by_grid_path(Building.objects, scope),
        "housing_units": _by_grid_path(HousingUnit.objects, scope),
        "organisations": _by_grid_path(Organisation.objects, scope),
        "cared_residents": _by_grid_path(
            Resident.objects.filter(status=Resident.Status.ACTIVE, care_groups__isnull=False), scope, distinct=True),
    }
    result: dict[int, RegionSummary] = {}
    for region in regions:
        summary = RegionSummary(region=region, depth=region.depth)
        for name, by_path in counts.items():
            setattr(summary, name, sum(n for path, n in by_path.items() if path.startswith(region.path)))
        summary.own_households = counts["households"].get(region.path, 0)
        result[region.pk] = summary
    return result


def region_assignments(*, region: Region) -> QuerySet[GridAssignment]:
    """Active worker assignments on one (already authorised) grid node, grid heads first."""
    return (GridAssignment.objects.filter(grid=region, active=True).select_related("worker")
            .order_by("duty", "worker__name", "pk"))


def region_children(*, user, region: Region) -> QuerySet[Region]:
    """The visible direct children of a node, current versions first."""
    return region_list(user=user).filter(path__startswith=region.path, depth=region.depth + 1).order_by(
        F("valid_to").desc(nulls_first=True), "path")


def region_versions(*, user, region: Region) -> QuerySet[Region]:
    """Other versions (same code) of a node that the user may see."""
    return region_list(user=user).filter(code=region.code).exclude(pk=region.pk).order_by("-valid_from", "-pk")
