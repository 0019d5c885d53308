"""The roster API: scoped list and detail, masked phone, grids from the prefetched active assignments, flat queries."""

import pytest

from tests.factories import WorkerFactory, community_of, make_grid_worker
from tests.grids.api.helpers import API, World, assert_error, body, client_for, measure_list
from workforce.models import GridAssignment

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return World()


def test_worker_output(world):
    GridAssignment.objects.create(worker=world.worker, grid=world.tree.grids[1], duty="part_time")
    GridAssignment.objects.create(worker=world.worker, grid=world.tree.grids[1], duty="grid_head", active=False)
    data = body(client_for(world.users["community_staff"]).get(f"{API}workers/{world.worker.pk}/"))
    assert data["name"] == world.worker.name and data["has_account"] is True
    assert data["community"] == world.tree.communities[0].pk and data["community_name"] == world.tree.communities[0].name
    assert data["phone"] == "136****4444" and world.worker_phone not in str(data)
    assert data["grid_count"] == 2
    assert sorted((g["grid"], g["duty"]) for g in data["grids"]) == sorted(
        [(world.grid.pk, "full_time"), (world.tree.grids[1].pk, "part_time")])   # inactive assignment left out


def test_worker_list_scope(world):
    far = make_grid_worker(world.far_grid).worker
    unassigned = WorkerFactory(community=community_of(world.tree.grids[2]))
    ids = {row["id"] for row in body(client_for(world.users["street_staff"]).get(f"{API}workers/"))["results"]}
    assert world.worker.pk in ids and unassigned.pk in ids and far.pk not in ids
    own = {row["id"] for row in body(client_for(world.users["grid_worker_own"]).get(f"{API}workers/"))["results"]}
    assert own == {world.worker.pk}
    assert_error(client_for(world.users["street_staff"]).get(f"{API}workers/{far.pk}/"), 404, "not_found")


def test_worker_filters(world):
    client = client_for(world.users["district_official"])
    inactive = WorkerFactory(community=world.tree.communities[0], is_active=False, post="head", name="赵书记")
    rows = body(client.get(f"{API}workers/", {"is_active": "false"}))["results"]
    assert [row["id"] for row in rows] == [inactive.pk]
    rows = body(client.get(f"{API}workers/", {"post": "head"}))["results"]
    assert [row["id"] for row in rows] == [inactive.pk]
    rows = body(client.get(f"{API}workers/", {"q": "赵书"}))["results"]
    assert [row["id"] for row in rows] == [inactive.pk]
    assert_error(client.get(f"{API}workers/", {"post": "king"}), 400, "invalid")


@pytest.mark.parametrize("role", ["street_staff", "grid_worker_own", "community_staff"])
def test_worker_list_query_count_is_flat(world, count_queries, role):
    url = f"{API}workers/"
    few, first = measure_list(count_queries, world.users[role], url)
    for _ in range(5):
        worker = make_grid_worker(world.grid).worker
        GridAssignment.objects.create(worker=worker, grid=world.tree.grids[1], duty="part_time")
    many, second = measure_list(count_queries, world.users[role], url)
    assert len(body(second)["results"]) > len(body(first)["results"])
    assert many == few


def test_workers_are_read_only(world):
    client = client_for(world.users["community_staff"])
    assert_error(client.post(f"{API}workers/", {"name": "x"}, format="json"), 405, "method_not_allowed")
    assert_error(client.patch(f"{API}workers/{world.worker.pk}/", {"name": "x"}, format="json"), 405)


def test_missing_methods_are_405_for_read_only_roles_too(world):
    client = client_for(world.users["district_official"])
    assert_error(client.patch(f"{API}workers/{world.worker.pk}/", {"name": "x"}, format="json"), 405)
    assert_error(client.delete(f"{API}residents/{world.resident.pk}/"), 405)
