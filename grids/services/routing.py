"""Where a case goes: the lead unit for a category leaf and a grid (小事不出网格、大事不出社区).

Units are a node of the region tree (a grid, a community, a street's 网格化服务管理中心) or a department.
`route` gives the first unit; `route_up` the next one when a unit returned the case (退单) or the resident
reopened it: one level up (grid → community → street → the category's department; department → street),
falling back to the street centre, and never to a unit in `exclude`.

These functions read the database (who is on duty, which node is the grid's community) but write nothing."""

import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from governance.models import Department, Role, User
from grids.models import HandlingLevel, Region, RegionLevel
from workforce.models import GridAssignment, Worker
from workforce.selectors import workers_on_grid

# One level up for a unit that returned or failed a case.
LEVEL_UP = {
    HandlingLevel.GRID: HandlingLevel.COMMUNITY,
    HandlingLevel.COMMUNITY: HandlingLevel.STREET,
    HandlingLevel.STREET: HandlingLevel.DEPARTMENT,
    HandlingLevel.DEPARTMENT: HandlingLevel.STREET,
}


@dataclass(frozen=True)
class Route:
    level: str
    region: Region | None = None
    department: Department | None = None
    assignee: User | None = None  # a named person (grid level); otherwise anyone of the unit signs for

    @property
    def key(self) -> tuple[str, int]:
        return unit_key(region=self.region, department=self.department)

    @property
    def unit(self):
        return self.department if self.department is not None else self.region


def unit_key(*, region=None, department=None, region_id=None, department_id=None) -> tuple[str, int]:
    """A hashable name for a unit: ("department", id) or ("region", id)."""
    department_id = department_id or (department.pk if department is not None else None)
    if department_id:
        return ("department", department_id)
    return ("region", region_id or region.pk)


def _ancestor(grid: Region, depth: int) -> Region:
    return Region.objects.get(path=grid.path[: Region.steplen * depth])


def community_of(grid: Region) -> Region:
    return _ancestor(grid, 3)


def street_of(grid: Region) -> Region:
    return _ancestor(grid, 2)


def worker_on_duty(grid: Region, *, today: datetime.date | None = None) -> Worker | None:
    """The grid's worker who takes a new case: an active full-time grid worker with an active account, else the
    grid head (网格长); None when neither exists. Returns the roster record (its `.user` is the account)."""
    today = today or timezone.localdate()
    current = (GridAssignment.objects
               .filter(grid=grid, active=True, worker__is_active=True, worker__user__isnull=False,
                       worker__user__is_active=True)
               .filter(Q(until__isnull=True) | Q(until__gte=today))
               .select_related("worker__user").order_by("since", "pk"))
    for duty in (GridAssignment.Duty.FULL_TIME, GridAssignment.Duty.GRID_HEAD):
        assignment = current.filter(duty=duty).first()
        if assignment is not None:
            return assignment.worker
    return None


def _grid_route(grid: Region) -> Route | None:
    """A micro-grid's own worker, else the worker of the grid it belongs to."""
    nodes = [grid]
    if grid.level == RegionLevel.MICRO_GRID:
        nodes.append(_ancestor(grid, 4))
    for node in nodes:
        worker = worker_on_duty(node)
        if worker is not None:
            return Route(level=HandlingLevel.GRID, region=node, assignee=worker.user)
    return None


def _unit_route(level: str, *, category, grid: Region) -> Route | None:
    if level == HandlingLevel.GRID:
        return _grid_route(grid)
    if level == HandlingLevel.COMMUNITY:
        return Route(level=level, region=community_of(grid))
    if level == HandlingLevel.STREET:
        return Route(level=level, region=street_of(grid))
    if level == HandlingLevel.DEPARTMENT:
        department = category.department if category.department_id else None
        if department is not None and department.is_active:
            return Route(level=level, department=department)
        return None
    return None


def route(*, category, grid: Region) -> Route:
    """The first lead unit: the leaf's handling level, on the case's grid.

    grid: the grid's worker on duty, else (nobody on duty) the community; community: the community node;
    street: the street centre; department: the leaf's department (inactive → the street centre). A leaf without a
    handling level goes to the street centre, which dispatches by hand."""
    level = category.handling_level or HandlingLevel.STREET
    if level == HandlingLevel.GRID:
        found = _grid_route(grid)
        if found is not None:
            return found
        level = HandlingLevel.COMMUNITY
    if level == HandlingLevel.DEPARTMENT:
        found = _unit_route(level, category=category, grid=grid)
        if found is not None:
            return found
        level = HandlingLevel.STREET
    return _unit_route(level, category=category, grid=grid)


def route_up(*, category, grid: Region, level: str, exclude=frozenset()) -> Route | None:
    """The next unit above `level` that is not in `exclude` (unit keys), else the street centre when it is not
    excluded, else None (the street centre or the district must dispatch by hand)."""
    seen = {level}
    current = level
    while True:
        nxt = LEVEL_UP.get(current)
        if nxt is None or nxt in seen:
            break
        seen.add(nxt)
        candidate = _unit_route(nxt, category=category, grid=grid)
        if candidate is not None and candidate.key not in exclude:
            return candidate
        current = nxt
    street = _unit_route(HandlingLevel.STREET, category=category, grid=grid)
    return street if street.key not in exclude else None


def unit_accounts(*, level: str, region: Region | None = None, department: Department | None = None) -> list[User]:
    """The active accounts that act for a unit: a department's handlers; a grid's workers (roster and bound
    accounts); a community's or street's staff bound to that node."""
    if department is not None:
        return list(User.objects.filter(role=Role.DEPARTMENT_HANDLER, department=department, is_active=True))
    if region is None:
        return []
    if level == HandlingLevel.GRID:
        roster = workers_on_grid(grid=region).filter(user__isnull=False).values("user_id")
        return list(User.objects.filter(Q(pk__in=roster) | Q(role=Role.GRID_WORKER, region=region), is_active=True))
    role = {HandlingLevel.COMMUNITY: Role.COMMUNITY_STAFF, HandlingLevel.STREET: Role.STREET_STAFF}.get(level)
    if role is None:
        return []
    return list(User.objects.filter(role=role, region=region, is_active=True))


def district_officials(grid: Region) -> list[User]:
    return list(User.objects.filter(role=Role.DISTRICT_OFFICIAL, region=_ancestor(grid, 1), is_active=True))
