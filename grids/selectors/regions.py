"""Reads of the region tree: scoped to the user's jurisdiction, with subtree counts in a fixed number of queries."""

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from governance.lib.exceptions import NotFoundOrForbidden
from governance.selectors.jurisdiction import jurisdiction_paths, regions_visible_to
from grids.models import Household, Region, RegionLevel, Resident
from workforce.models import GridAssignment


def region_list(*, user) -> QuerySet[Region]:
    return regions_visible_to(user).order_by("path")


def access_region(*, user, region_id) -> Region:
    try:
        return region_list(user=user).get(pk=region_id)
    except (Region.DoesNotExist, ValueError, TypeError):
        raise NotFoundOrForbidden(_("Region not found. 区域不存在或不在您的管辖范围内。")) from None


def grid_choices(*, user) -> QuerySet[Region]:
    """Grids and micro-grids the user may attach register rows to."""
    return region_list(user=user).filter(level__in=[RegionLevel.GRID, RegionLevel.MICRO_GRID])


@dataclass
class TreeNode:
    region: Region
    depth: int
    households: int = 0
    residents: int = 0
    workers: int = 0
    own_households: int = 0
    children: list["TreeNode"] = field(default_factory=list)

    @property
    def outside_band(self) -> bool:
        """A basic grid whose households fall outside the configured band (default 300–500)."""
        return (self.region.level == RegionLevel.GRID and self.region.grid_kind == "basic"
                and not settings.GONGZHI_GRID_HOUSEHOLDS_MIN <= self.households <= settings.GONGZHI_GRID_HOUSEHOLDS_MAX)


def _grouped(qs, key) -> dict[int, int]:
    return {row[key]: row["n"] for row in qs.values(key).annotate(n=Count("pk")).order_by()}


def region_tree(*, user, root: Region | None = None) -> list[TreeNode]:
    """The visible tree (or the subtree under `root`) with cumulative counts: four queries whatever its size."""
    regions = region_list(user=user)
    if root is not None:
        regions = regions.filter(path__startswith=root.path)
    regions = list(regions.filter(valid_to__isnull=True))
    if not regions:
        return []
    scope_ids = [r.pk for r in regions]
    households = _grouped(Household.objects.filter(grid_id__in=scope_ids), "grid_id")
    residents = _grouped(Resident.objects.filter(grid_id__in=scope_ids, status=Resident.Status.ACTIVE), "grid_id")
    workers = _grouped(GridAssignment.objects.filter(grid_id__in=scope_ids, active=True), "grid_id")

    nodes = {r.path: TreeNode(region=r, depth=r.depth) for r in regions}
    for node in nodes.values():
        pk = node.region.pk
        node.own_households = households.get(pk, 0)
        for length in range(node.region.steplen, len(node.region.path) + 1, node.region.steplen):
            ancestor = nodes.get(node.region.path[:length])
            if ancestor is not None:
                ancestor.households += households.get(pk, 0)
                ancestor.residents += residents.get(pk, 0)
                ancestor.workers += workers.get(pk, 0)
    roots: list[TreeNode] = []
    for path in sorted(nodes):
        node = nodes[path]
        parent = nodes.get(path[: -node.region.steplen])
        (parent.children if parent else roots).append(node)
    return roots


def flatten(nodes: list[TreeNode]) -> list[TreeNode]:
    out: list[TreeNode] = []
    stack = list(reversed(nodes))
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(reversed(node.children))
    return out


def ancestors_of(region: Region) -> list[Region]:
    """Breadcrumb: the region's ancestors, one query."""
    prefixes = [region.path[:i] for i in range(region.steplen, len(region.path), region.steplen)]
    return list(Region.objects.filter(path__in=prefixes).order_by("depth"))


def community_of(region: Region) -> Region | None:
    if region.level in (RegionLevel.DISTRICT, RegionLevel.STREET):
        return None
    return Region.objects.filter(path=region.path[: region.steplen * 3]).first()


def household_band() -> tuple[int, int]:
    return settings.GONGZHI_GRID_HOUSEHOLDS_MIN, settings.GONGZHI_GRID_HOUSEHOLDS_MAX


def my_grids(*, user) -> QuerySet[Region]:
    """A grid worker's grids (home page)."""
    return Region.objects.filter(path__in=jurisdiction_paths(user)).order_by("path")


