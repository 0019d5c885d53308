"""Factories for the incident loop. Other engineers import these: keep the names and the behaviour.

- `make_category_tree()` → `CategoryLeaves`: a 大类 → 小类 branch with one active leaf per handling level
  (`.grid`, `.community`, `.street`, `.department`), an inactive leaf and the leaves' department.
- `make_incident(grid=..., category=...)` creates through `incident_report` (so the case is REGISTERED with
  deadlines and a REPORTED + REGISTERED event) and, unless `dispatch=False`, dispatches it (pytest-django's
  test transaction never runs on-commit callbacks, so the factory calls `incident_dispatch` itself).
- `make_world()` → `World`: a district tree, departments, a leaf per level and an account on every rung,
  with controls (same roles elsewhere); `World.advance(incident, to=...)` drives a case through the services.
"""

import datetime
import itertools
from dataclasses import dataclass, field

from governance.models import Department, Role, User
from grids.models import Assignment, Category, HandlingLevel, Incident, Region
from grids.services.dispatch import incident_dispatch
from grids.services.incidents import (
    incident_answer,
    incident_rate,
    incident_report,
    incident_sign_for,
    incident_start,
    incident_verify,
)
from tests.factories import DepartmentFactory, make_grid_worker, make_tree, make_user

_codes = itertools.count(1)
S = Incident.Status


@dataclass
class CategoryLeaves:
    root: Category
    branch: Category
    grid: Category
    community: Category
    street: Category
    department: Category
    inactive: Category
    department_unit: Department

    @property
    def leaves(self) -> dict[str, Category]:
        return {HandlingLevel.GRID: self.grid, HandlingLevel.COMMUNITY: self.community,
                HandlingLevel.STREET: self.street, HandlingLevel.DEPARTMENT: self.department}


def _district() -> Region:
    found = Region.objects.filter(level="district").order_by("pk").first()
    if found is not None:
        return found
    return Region.objects.add_root(create_kwargs=dict(level="district", name="类别测试区",
                                                      code=f"99{next(_codes) % 10000:04d}"))


def make_category_tree(*, department: Department | None = None, tree: str = "event", sign_for_hours: int = 24,
                       handle_hours: int = 7 * 24, **leaf_fields) -> CategoryLeaves:
    """大类 → 小类 → one leaf (细类) per handling level, plus an inactive leaf. Codes are unique per call."""
    department = department or DepartmentFactory(district=_district(), name="城管执法局")
    n = next(_codes)

    def code(suffix: str) -> str:
        return f"C{n:04d}{suffix}"

    root = Category.objects.add_root(create_kwargs=dict(tree=tree, code=code("00"), name=f"市容环境{n}"))
    branch = Category.objects.add_child(root, create_kwargs=dict(tree=tree, code=code("10"), name=f"环境卫生{n}"))
    limits = dict(sign_for_hours=sign_for_hours, handle_hours=handle_hours, **leaf_fields)

    def leaf(suffix: str, name: str, level: str, **extra) -> Category:
        return Category.objects.add_child(branch, create_kwargs=dict(
            tree=tree, code=code(suffix), name=name, handling_level=level, **{**limits, **extra}))

    leaves = CategoryLeaves(
        root=root, branch=branch,
        grid=leaf("11", "楼道堆物", HandlingLevel.GRID),
        community=leaf("12", "小区绿化", HandlingLevel.COMMUNITY),
        street=leaf("13", "占道经营", HandlingLevel.STREET),
        department=leaf("14", "违章建筑", HandlingLevel.DEPARTMENT, department=department),
        inactive=leaf("15", "已停用事项", HandlingLevel.GRID, is_active=False),
        department_unit=department,
    )
    for node in (root, branch):
        node.refresh_from_db()
    return leaves


def make_incident(*, grid: Region, category: Category, dispatch: bool = True, now=None, **fields) -> Incident:
    """A case created through incident_report (REGISTERED), dispatched unless dispatch=False."""
    values = dict(channel=Incident.Channel.WEB, request_type=Incident.RequestType.COMPLAINT, title="楼道堆放杂物",
                  description="三单元楼道堆放杂物，影响通行和消防安全。")
    values.update(fields)
    incident = incident_report(grid=grid, category=category, now=now, **values)
    if dispatch:
        incident = incident_dispatch(incident_id=incident.pk, now=now)
    return incident


@dataclass
class World:
    """Places, departments, category leaves and one account per role, with controls elsewhere.

    tree.grids[0] (our grid) and [1] are in communities[0] of streets[0]; grids[2], [3] in communities[1] (same
    street); grids[4..] in streets[1]."""

    tree: object
    cats: CategoryLeaves
    department: Department
    other_department: Department
    grid: Region
    sibling_grid: Region
    community: Region
    street: Region
    grid_worker: User
    sibling_grid_worker: User
    community_staff: User
    other_community_staff: User
    street_staff: User
    other_street_staff: User
    district_official: User
    handler: User
    other_handler: User
    resident: User
    extra: dict = field(default_factory=dict)

    def actor_for(self, assignment: Assignment) -> User:
        """An account that acts for the assignment's unit."""
        if assignment.assignee_id:
            return assignment.assignee
        if assignment.department_id:
            return self.handler if assignment.department_id == self.department.pk else User.objects.filter(
                role=Role.DEPARTMENT_HANDLER, department_id=assignment.department_id).first()
        role = {HandlingLevel.COMMUNITY: Role.COMMUNITY_STAFF, HandlingLevel.STREET: Role.STREET_STAFF,
                HandlingLevel.GRID: Role.GRID_WORKER}[assignment.level]
        return User.objects.filter(role=role, region_id=assignment.region_id).order_by("pk").first()

    def lead(self, incident: Incident) -> Assignment:
        return Assignment.objects.select_related("assignee").get(
            incident=incident, role=Assignment.Role.LEAD, state__in=[Assignment.State.PENDING, Assignment.State.SIGNED])

    def incident(self, level: str = HandlingLevel.GRID, *, grid: Region | None = None, **kwargs) -> Incident:
        return make_incident(grid=grid or self.grid, category=self.cats.leaves[level], **kwargs)

    def advance(self, incident: Incident, *, to: str, now=None) -> Incident:
        """Drive a dispatched case forward through the services until it reaches `to`."""
        order = [S.DISPATCHED, S.SIGNED, S.IN_HAND, S.ANSWERED, S.CLOSED, S.RATED]
        incident.refresh_from_db()
        while incident.status != to:
            status = incident.status
            if status == S.DISPATCHED:
                incident = incident_sign_for(actor=self.actor_for(self.lead(incident)), incident_id=incident.pk,
                                             now=now)
            elif status == S.SIGNED:
                incident = incident_start(actor=self.actor_for(self.lead(incident)), incident_id=incident.pk, now=now)
            elif status == S.IN_HAND:
                incident = incident_answer(actor=self.actor_for(self.lead(incident)), incident_id=incident.pk,
                                           answer="已清理楼道杂物，并告知居民。", now=now)
            elif status == S.ANSWERED:
                answerer = incident.events.filter(to_status=S.ANSWERED).latest("pk").actor_id
                verifier = self.community_staff if answerer != self.community_staff.pk else self.grid_worker
                incident = incident_verify(actor=verifier, incident_id=incident.pk, passed=True,
                                           note="现场核查属实", now=now)
            elif status == S.CLOSED:
                incident = incident_rate(incident_id=incident.pk, resolution="resolved", satisfaction="satisfied",
                                         now=now)
            else:
                raise AssertionError(f"cannot advance from {status} to {to}")
            if order.index(incident.status) > order.index(to):
                raise AssertionError(f"passed {to}")
        return incident


def make_world(tree=None) -> World:
    tree = tree or make_tree()
    department = DepartmentFactory(district=tree.district, name="城管执法局")
    other_department = DepartmentFactory(district=tree.district, name="市场监管局")
    cats = make_category_tree(department=department)
    grid, sibling = tree.grids[0], tree.grids[1]
    return World(
        tree=tree, cats=cats, department=department, other_department=other_department,
        grid=grid, sibling_grid=sibling, community=tree.communities[0], street=tree.streets[0],
        grid_worker=make_grid_worker(grid),
        sibling_grid_worker=make_grid_worker(sibling),
        community_staff=make_user(Role.COMMUNITY_STAFF, region=tree.communities[0]),
        other_community_staff=make_user(Role.COMMUNITY_STAFF, region=tree.communities[1]),
        street_staff=make_user(Role.STREET_STAFF, region=tree.streets[0]),
        other_street_staff=make_user(Role.STREET_STAFF, region=tree.streets[1]),
        district_official=make_user(Role.DISTRICT_OFFICIAL, region=tree.district),
        handler=make_user(Role.DEPARTMENT_HANDLER, department=department),
        other_handler=make_user(Role.DEPARTMENT_HANDLER, department=other_department),
        resident=make_user(Role.RESIDENT),
    )


def shanghai(*args) -> datetime.datetime:
    from zoneinfo import ZoneInfo

    return datetime.datetime(*args, tzinfo=ZoneInfo("Asia/Shanghai"))
