"""N+1 guards: every list page (and the tree, the grid worker's home and the roster) runs the same number of
queries for 2 rows as for 30 (more than one page), measured on fresh logged-in clients after a warm-up."""

import pytest
from django.urls import reverse

from governance.models import Role
from grids.models import CareGroup, Region
from tests.factories import (
    BuildingFactory,
    HouseholdFactory,
    HousingUnitFactory,
    OrganisationFactory,
    ResidentFactory,
    WorkerFactory,
    community_of,
    make_grid_worker,
    make_user,
)
from workforce.models import GridAssignment

pytestmark = pytest.mark.django_db


def _residents(grid, n):
    care, _ = CareGroup.objects.get_or_create(code="elderly_alone", defaults={"name": "独居老人"})
    for _i in range(n):
        unit = HousingUnitFactory(building=BuildingFactory(grid=grid))
        household = HouseholdFactory(grid=grid, housing_unit=unit)
        resident = ResidentFactory(grid=grid, household=household, housing_unit=unit)
        resident.care_groups.add(care)


def _households(grid, n):
    for _i in range(n):
        unit = HousingUnitFactory(building=BuildingFactory(grid=grid))
        household = HouseholdFactory(grid=grid, housing_unit=unit)
        head = ResidentFactory(grid=grid, household=household)
        household.head = head
        household.save()


def _buildings(grid, n):
    for _i in range(n):
        head = ResidentFactory(grid=grid)
        building = BuildingFactory(grid=grid, head=head)
        HousingUnitFactory(building=building)


def _housing(grid, n):
    for _i in range(n):
        unit = HousingUnitFactory(building=BuildingFactory(grid=grid))
        ResidentFactory(grid=grid, housing_unit=unit)


def _organisations(grid, n):
    for _i in range(n):
        OrganisationFactory(grid=grid, building=BuildingFactory(grid=grid), contact_phone="13812345678")


def _workers(grid, n):
    for _i in range(n):
        worker = WorkerFactory(community=community_of(grid), phone="13912345678", grade=3)
        GridAssignment.objects.create(worker=worker, grid=grid)


def _tree_rows(grid, n):
    # Grow the tree itself too: new micro-grids under the grid, each with rows.
    grid = Region.objects.get(pk=grid.pk)
    for _i in range(n):
        grid.refresh_from_db()
        code = f"{grid.code}{grid.numchild + 1:03d}"
        micro = Region.objects.add_child(grid, create_kwargs=dict(level="micro_grid", name=f"微网格{code[-3:]}", code=code))
        HouseholdFactory(grid=micro)
        ResidentFactory(grid=micro)


PAGES = [
    ("grids:resident_list", _residents),
    ("grids:household_list", _households),
    ("grids:building_list", _buildings),
    ("grids:housing_list", _housing),
    ("grids:organisation_list", _organisations),
    ("workforce:worker_list", _workers),
    ("grids:tree", _tree_rows),
]


@pytest.mark.parametrize(("url_name", "make_rows"), PAGES, ids=[name for name, _f in PAGES])
def test_list_query_count_is_flat(tree, client_for, count_queries, url_name, make_rows):
    staff = make_user(Role.COMMUNITY_STAFF, region=tree.communities[0])
    url = reverse(url_name)
    make_rows(tree.grids[0], 2)
    assert client_for(staff).get(url).status_code == 200          # warm-up (content types, templates…)

    first = client_for(staff)
    few = count_queries(lambda: first.get(url))
    make_rows(tree.grids[1], 30)
    second = client_for(staff)
    response = None

    def fetch():
        nonlocal response
        response = second.get(url)

    many = count_queries(fetch)
    assert response.status_code == 200
    assert many == few, f"{url_name}: {few} queries with few rows, {many} with many"


def test_filtered_list_second_page_is_flat(tree, client_for, count_queries):
    staff = make_user(Role.STREET_STAFF, region=tree.streets[0])
    url = reverse("grids:resident_list") + f"?region={tree.communities[0].pk}&status=active&page=2"
    _residents(tree.grids[0], 26)
    client_for(staff).get(url)
    first = client_for(staff)
    few = count_queries(lambda: first.get(url))
    _residents(tree.grids[1], 30)
    second = client_for(staff)
    many = count_queries(lambda: second.get(url))
    assert many == few


def test_my_grid_query_count_is_flat(tree, client_for, count_queries):
    worker = make_grid_worker(tree.grids[0])
    url = reverse("grids:my_grid")
    _residents(tree.grids[0], 2)
    client_for(worker).get(url)
    first = client_for(worker)
    few = count_queries(lambda: first.get(url))
    _residents(tree.grids[0], 20)
    _organisations(tree.grids[0], 5)
    second = client_for(worker)
    many = count_queries(lambda: second.get(url))
    assert many == few


def test_region_detail_query_count_is_flat(tree, client_for, count_queries):
    staff = make_user(Role.COMMUNITY_STAFF, region=tree.communities[0])
    url = reverse("grids:region_detail", args=[tree.communities[0].pk])
    _workers(tree.grids[0], 1)
    client_for(staff).get(url)
    first = client_for(staff)
    few = count_queries(lambda: first.get(url))
    _residents(tree.grids[1], 10)
    _workers(tree.grids[1], 10)
    second = client_for(staff)
    many = count_queries(lambda: second.get(url))
    assert many == few
