"""Every list endpoint runs the same number of queries for few rows and for many (no N+1).

Each measurement uses a fresh client logged in as a freshly fetched user, so no per-object cache carries over."""

import pytest

from grids.models import CareGroup, SpecialGroupRecord
from tests.factories import BuildingFactory, HouseholdFactory, HousingUnitFactory, OrganisationFactory, ResidentFactory
from tests.grids.api.helpers import API, World, client_for, measure_list

pytestmark = pytest.mark.django_db


def _add_residents(world, n):
    groups = [CareGroup.objects.get_or_create(code=f"g{i}", name=f"组{i}")[0] for i in range(2)]
    for _ in range(n):
        unit = HousingUnitFactory(building=world.building)
        household = HouseholdFactory(grid=world.grid, housing_unit=unit)
        resident = ResidentFactory(grid=world.grid, household=household, housing_unit=unit)
        resident.care_groups.set(groups)
        SpecialGroupRecord.objects.create(resident=resident, grid=world.grid, kind=SpecialGroupRecord.Kind.DRUG)
        household.head = resident
        household.save()


def _add_buildings(world, n):
    for _ in range(n):
        building = BuildingFactory(grid=world.grid, head=world.resident)
        HousingUnitFactory.create_batch(2, building=building)


def _add_organisations(world, n):
    for _ in range(n):
        OrganisationFactory(grid=world.grid, building=world.building, contact_phone="13711112222")


def _add_regions(world, n):
    from grids.models import Region

    for i in range(n):
        Region.objects.add_child(Region.objects.get(pk=world.grid.pk), create_kwargs=dict(
            level="micro_grid", name=f"微网格{i}", code=f"{world.grid.code}{i + 1:03d}"))
    _add_residents(world, 2)


GROWERS = {
    "residents/": _add_residents,
    "households/": _add_residents,
    "housing-units/": _add_residents,
    "buildings/": _add_buildings,
    "organisations/": _add_organisations,
    "regions/": _add_regions,
    "regions/tree/": _add_regions,
}


@pytest.mark.parametrize("role", ["street_staff", "grid_worker_own", "district_official"])
@pytest.mark.parametrize("endpoint", sorted(GROWERS))
def test_list_query_count_is_flat(count_queries, endpoint, role):
    world = World()
    few, first = measure_list(count_queries, world.users[role], f"{API}{endpoint}")
    GROWERS[endpoint](world, 6)
    many, second = measure_list(count_queries, world.users[role], f"{API}{endpoint}")
    assert len(second.content) > len(first.content)  # the rows really are there
    assert many == few, f"{endpoint}: {few} queries for few rows, {many} for many"


def test_detail_query_count_does_not_depend_on_related_rows(count_queries):
    world = World()
    url = f"{API}residents/{world.resident.pk}/"
    client = client_for(world.users["street_staff"])
    few = count_queries(lambda: client.get(url))
    groups = [CareGroup.objects.create(code=f"x{i}", name=f"x{i}") for i in range(5)]
    world.resident.care_groups.add(*groups)
    for kind in (SpecialGroupRecord.Kind.DRUG, SpecialGroupRecord.Kind.RELEASED):
        SpecialGroupRecord.objects.create(resident=world.resident, grid=world.grid, kind=kind)
    client = client_for(world.users["street_staff"])
    assert count_queries(lambda: client.get(url)) == few
