"""Role x resource matrix for the read API (list and detail of every register, regions and workers).

In scope: 200 and the row is listed. Out of scope: the list answers without the row and the detail is 404.
No register access at all: 404 on list and detail (the API does not confirm the registers exist).
Anonymous: 403 `not_authenticated`. Every error is {code, message, extra}."""

import pytest

from governance.models import Role
from tests.factories import make_user
from tests.grids.api.helpers import API, NO_ACCESS, RESOURCES, ROLES, SCOPED_OUT, VISIBLE, World, assert_error, body, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return World()


@pytest.mark.parametrize("resource", RESOURCES)
@pytest.mark.parametrize("role", ROLES)
def test_list_and_detail_by_role(world, role, resource):
    client = client_for(None if role == "anonymous" else world.users[role])
    target = world.targets()[resource]
    listed = client.get(f"{API}{resource}/")
    detail = client.get(f"{API}{resource}/{target}/")

    if role == "anonymous":
        assert_error(listed, 403, "not_authenticated")
        assert_error(detail, 403, "not_authenticated")
    elif role in NO_ACCESS:
        assert_error(listed, 404, "not_found")
        assert_error(detail, 404, "not_found")
    elif role in SCOPED_OUT:
        assert listed.status_code == 200
        assert target not in [row["id"] for row in body(listed)["results"]]
        assert_error(detail, 404, "not_found")
    else:
        assert role in VISIBLE
        assert listed.status_code == 200, listed.content
        assert target in [row["id"] for row in body(listed)["results"]]
        assert detail.status_code == 200, detail.content
        assert body(detail)["id"] == target


@pytest.mark.parametrize("resource", RESOURCES)
def test_nonexistent_and_oversized_ids_are_404(world, resource):
    client = client_for(world.users["district_official"])
    assert_error(client.get(f"{API}{resource}/999999/"), 404, "not_found")
    assert_error(client.get(f"{API}{resource}/{10**30}/"), 404, "not_found")


@pytest.mark.parametrize("role", sorted(NO_ACCESS))
def test_no_access_roles_get_404_on_writes_and_tree_too(world, role):
    client = client_for(world.users[role])
    assert_error(client.get(f"{API}regions/tree/"), 404)
    assert_error(client.post(f"{API}residents/", {"name": "x"}, format="json"), 404)
    assert_error(client.patch(f"{API}residents/{world.resident.pk}/", {"name": "x"}, format="json"), 404)
    assert_error(client.post(f"{API}residents/{world.resident.pk}/reveal/", {"field": "phone"}, format="json"), 404)


def test_anonymous_writes_are_refused_in_the_error_shape(world):
    client = client_for(None)
    assert_error(client.post(f"{API}residents/", {"name": "x"}, format="json"), 403, "not_authenticated")
    assert_error(client.patch(f"{API}buildings/{world.building.pk}/", {"name": "x"}, format="json"), 403)


@pytest.mark.parametrize("resource", ["residents", "households", "buildings", "housing-units", "organisations"])
def test_district_official_reads_but_may_not_write(world, resource):
    client = client_for(world.users["district_official"])
    target = world.targets()[resource]
    assert client.get(f"{API}{resource}/{target}/").status_code == 200
    assert_error(client.post(f"{API}{resource}/", {}, format="json"), 403, "permission_denied")
    assert_error(client.patch(f"{API}{resource}/{target}/", {}, format="json"), 403, "permission_denied")


def test_inactive_account_is_treated_as_anonymous(world):
    user = world.users["street_staff"]
    client = client_for(user)
    user.is_active = False
    user.save()
    assert_error(client.get(f"{API}residents/"), 403, "not_authenticated")


def test_read_only_endpoints_refuse_other_methods(world):
    client = client_for(world.users["street_staff"])
    assert_error(client.delete(f"{API}residents/{world.resident.pk}/"), 405, "method_not_allowed")
    assert_error(client.post(f"{API}regions/", {}, format="json"), 405, "method_not_allowed")
    assert_error(client.post(f"{API}workers/", {}, format="json"), 405, "method_not_allowed")
    assert_error(client.get(f"{API}residents/{world.resident.pk}/reveal/"), 405, "method_not_allowed")


def test_regions_list_fields_and_level_filter(world):
    client = client_for(world.users["community_staff"])
    rows = body(client.get(f"{API}regions/"))["results"]
    by_id = {row["id"]: row for row in rows}
    assert set(by_id) == {world.tree.communities[0].pk, world.tree.grids[0].pk, world.tree.grids[1].pk}
    grid = by_id[world.grid.pk]
    assert grid["parent"] == world.tree.communities[0].pk and grid["level"] == "grid"
    assert grid["code"] == world.grid.code and grid["grid_kind"] == "basic"
    assert grid["absorbed_networks"] == ["party", "law"]
    assert {"valid_from", "valid_to", "boundary", "name"} <= set(grid)

    district = body(client_for(world.users["district_official"]).get(f"{API}regions/{world.tree.district.pk}/"))
    assert district["parent"] is None

    grids_only = body(client.get(f"{API}regions/?level=grid"))["results"]
    assert {row["id"] for row in grids_only} == {world.tree.grids[0].pk, world.tree.grids[1].pk}
    assert_error(client.get(f"{API}regions/?level=planet"), 400, "invalid")


def test_region_tree_counts_and_scope(world):
    client = client_for(world.users["street_staff"])
    response = client.get(f"{API}regions/tree/")
    assert response.status_code == 200
    roots = body(response)
    assert [node["id"] for node in roots] == [world.tree.streets[0].pk]
    street = roots[0]
    assert street["households"] == 1 and street["residents"] == 1 and street["workers"] == 2
    community = next(c for c in street["children"] if c["id"] == world.tree.communities[0].pk)
    grid = next(g for g in community["children"] if g["id"] == world.grid.pk)
    assert grid["households"] == 1 and grid["outside_band"] is True and grid["children"] == []

    sub = body(client.get(f"{API}regions/tree/?root={world.tree.communities[0].pk}"))
    assert [node["id"] for node in sub] == [world.tree.communities[0].pk]
    assert_error(client.get(f"{API}regions/tree/?root={world.far_grid.pk}"), 404, "not_found")
    assert_error(client.get(f"{API}regions/tree/?root=abc"), 400, "invalid")

    own = body(client_for(world.users["grid_worker_own"]).get(f"{API}regions/tree/"))
    assert [node["id"] for node in own] == [world.grid.pk]


def test_special_groups_only_for_roles_allowed_to_see_them(world):
    url = f"{API}residents/{world.resident.pk}/"
    street = body(client_for(world.users["street_staff"]).get(url))   # street_staff: in GONGZHI_SPECIAL_GROUP_ROLES
    assert street["special_groups"] == ["petition"]
    for role in ("grid_worker_own", "community_staff", "district_official"):
        data = body(client_for(world.users[role]).get(url))
        assert "special_groups" not in data
        assert "petition" not in str(data)
    granted = make_user(Role.COMMUNITY_STAFF, region=world.tree.communities[0], may_view_special_groups=True)
    listed = body(client_for(granted).get(f"{API}residents/"))["results"]
    assert listed[0]["special_groups"] == ["petition"]


@pytest.mark.parametrize("role", ["street_staff", "district_official", "grid_worker_other", "resident", "auditor"])
def test_browsable_api_renders_for_every_role(world, role):
    """The HTML renderer probes permissions for its forms; a read-only or scoped-out role must not crash it."""
    client = client_for(world.users[role])
    for url in (f"{API}residents/", f"{API}residents/{world.resident.pk}/", f"{API}buildings/",
                f"{API}regions/tree/", f"{API}me/", f"{API}audit-log/"):
        response = client.get(url, HTTP_ACCEPT="text/html")
        assert response.status_code in (200, 404), (url, response.status_code)
        assert response["Content-Type"].startswith("text/html")
