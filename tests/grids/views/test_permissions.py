"""Who may open which page: anonymous → login; accounts without register jurisdiction → 404; each region role
sees exactly its subtree (404 outside); read-only roles get 403 on edits; the buttons follow the same rules."""

import pytest
from django.urls import reverse

from governance.models import Role
from grids.models import Building, Household, HousingUnit, Organisation, Resident
from tests.factories import (
    BuildingFactory,
    HouseholdFactory,
    HousingUnitFactory,
    OrganisationFactory,
    ResidentFactory,
    make_id_number,
    make_user,
)
from tests.grids.views.conftest import NO_REGISTER_ROLES

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows(tree):
    """One row of every register in grids 0 (community 0), 1 (community 0), 2 (community 1) and 4 (street 1)."""
    out = {}
    for index in (0, 1, 2, 4):
        grid = tree.grids[index]
        building = BuildingFactory(grid=grid, name=f"楼{index}")
        unit = HousingUnitFactory(building=building, room=f"室{index}")
        household = HouseholdFactory(grid=grid, number=f"户{index}号", housing_unit=unit)
        resident = ResidentFactory(grid=grid, name=f"居民{index}", household=household, housing_unit=unit)
        organisation = OrganisationFactory(grid=grid, name=f"商铺{index}", building=building)
        out[index] = {"resident": resident, "household": household, "building": building, "housing": unit,
                      "organisation": organisation}
    return out


LIST_PAGES = ["grids:tree", "grids:resident_list", "grids:household_list", "grids:building_list", "grids:housing_list",
              "grids:organisation_list", "workforce:worker_list"]
REGISTERS = ["resident", "household", "building", "housing", "organisation"]


def _register_urls(rows, index=0):
    urls = [reverse(name) for name in LIST_PAGES]
    urls.append(reverse("grids:region_detail", args=[rows[index]["resident"].grid_id]))
    for register in REGISTERS:
        pk = rows[index][register].pk
        urls += [reverse(f"grids:{register}_detail", args=[pk]), reverse(f"grids:{register}_edit", args=[pk]),
                 reverse(f"grids:{register}_create")]
    return urls


def test_anonymous_is_sent_to_login(client, rows):
    for url in _register_urls(rows) + [reverse("grids:my_grid")]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login")), url


@pytest.mark.parametrize("role", NO_REGISTER_ROLES)
def test_accounts_without_jurisdiction_get_404(people, rows, client_for, role):
    client = client_for(getattr(people, role))
    for url in _register_urls(rows) + [reverse("grids:my_grid")]:
        assert client.get(url).status_code == 404, (role, url)
    reveal = reverse("grids:resident_reveal", args=[rows[0]["resident"].pk])
    assert client.post(reveal, {"field": "id_number"}).status_code == 404


# (role, grid indexes whose rows the role sees)
SCOPES = [
    ("grid_worker", {0}),
    ("community_staff", {0, 1}),
    ("street_staff", {0, 1, 2}),
    ("district_official", {0, 1, 2, 4}),
]


@pytest.mark.parametrize(("role", "visible"), SCOPES, ids=[s[0] for s in SCOPES])
def test_lists_show_exactly_the_jurisdiction(people, rows, client_for, role, visible):
    client = client_for(getattr(people, role))
    pages = {
        "grids:resident_list": lambda i: f"居民{i}",
        "grids:household_list": lambda i: f"户{i}号",
        "grids:building_list": lambda i: f"楼{i}",
        "grids:housing_list": lambda i: f"室{i}",
        "grids:organisation_list": lambda i: f"商铺{i}",
    }
    for url_name, marker in pages.items():
        html = client.get(reverse(url_name)).content.decode()
        for index in rows:
            assert (marker(index) in html) == (index in visible), (role, url_name, index)


@pytest.mark.parametrize(("role", "visible"), SCOPES, ids=[s[0] for s in SCOPES])
def test_detail_pages_404_outside_the_jurisdiction(people, rows, client_for, role, visible):
    client = client_for(getattr(people, role))
    for index in rows:
        expected = 200 if index in visible else 404
        for register in REGISTERS:
            url = reverse(f"grids:{register}_detail", args=[rows[index][register].pk])
            assert client.get(url).status_code == expected, (role, register, index)
        region_url = reverse("grids:region_detail", args=[rows[index]["resident"].grid_id])
        assert client.get(region_url).status_code == expected, (role, "region", index)


def test_grid_worker_gets_404_for_a_resident_in_another_grid(people, rows, client_for):
    client = client_for(people.grid_worker)
    other = rows[1]["resident"]
    assert client.get(reverse("grids:resident_detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("grids:resident_edit", args=[other.pk])).status_code == 404
    assert client.post(reverse("grids:resident_edit", args=[other.pk]), {"name": "x"}).status_code == 404
    assert client.post(reverse("grids:resident_reveal", args=[other.pk]), {"field": "phone"}).status_code == 404
    assert client.get(reverse("grids:resident_detail", args=[999999])).status_code == 404


@pytest.mark.parametrize("role", ["grid_worker", "community_staff", "street_staff"])
def test_editors_see_create_and_edit_buttons(people, rows, client_for, role):
    client = client_for(getattr(people, role))
    html = client.get(reverse("grids:resident_list")).content.decode()
    assert reverse("grids:resident_create") in html
    resident = rows[0]["resident"]
    html = client.get(reverse("grids:resident_detail", args=[resident.pk])).content.decode()
    assert reverse("grids:resident_edit", args=[resident.pk]) in html
    assert client.get(reverse("grids:resident_create")).status_code == 200


def test_district_official_reads_everything_but_cannot_change_registers(people, rows, client_for, tree):
    client = client_for(people.district_official)
    resident = rows[4]["resident"]
    assert client.get(reverse("grids:resident_detail", args=[resident.pk])).status_code == 200
    html = client.get(reverse("grids:resident_list")).content.decode()
    assert reverse("grids:resident_create") not in html
    html = client.get(reverse("grids:resident_detail", args=[resident.pk])).content.decode()
    assert reverse("grids:resident_edit", args=[resident.pk]) not in html

    before = {model: model.objects.count() for model in (Resident, Household, Building, HousingUnit, Organisation)}
    for register in REGISTERS:
        assert client.get(reverse(f"grids:{register}_create")).status_code == 403, register
        assert client.get(reverse(f"grids:{register}_edit", args=[rows[0][register].pk])).status_code == 403, register
    response = client.post(reverse("grids:resident_create"), {
        "name": "王芳", "id_number": make_id_number(), "grid": tree.grids[0].pk, "residence_type": "registered",
        "political_status": "masses", "status": "active"})
    assert response.status_code == 403
    response = client.post(reverse("grids:resident_edit", args=[resident.pk]), {"name": "改名"})
    assert response.status_code == 403
    assert before == {model: model.objects.count() for model in before}
    resident.refresh_from_db()
    assert resident.name == "居民4"


def test_region_pages_follow_can_edit_regions(people, rows, client_for, tree):
    grid = tree.grids[0]
    # The grid worker reads its grid but may not change the tree: 403; a community outside it: 404.
    worker = client_for(people.grid_worker)
    assert worker.get(reverse("grids:region_detail", args=[grid.pk])).status_code == 200
    assert worker.get(reverse("grids:region_edit", args=[grid.pk])).status_code == 403
    assert worker.get(reverse("grids:region_create_child", args=[grid.pk])).status_code == 403
    assert worker.get(reverse("grids:region_detail", args=[tree.communities[0].pk])).status_code == 404
    # Community staff edit their community's subtree only.
    staff = client_for(people.community_staff)
    html = staff.get(reverse("grids:region_detail", args=[grid.pk])).content.decode()
    assert reverse("grids:region_edit", args=[grid.pk]) in html
    assert staff.get(reverse("grids:region_edit", args=[grid.pk])).status_code == 200
    assert staff.get(reverse("grids:region_edit", args=[tree.grids[2].pk])).status_code == 404
    assert staff.get(reverse("grids:region_create_child", args=[tree.streets[0].pk])).status_code == 404
    # The grid worker does not see the edit button.
    html = worker.get(reverse("grids:region_detail", args=[grid.pk])).content.decode()
    assert reverse("grids:region_edit", args=[grid.pk]) not in html


def test_post_only_and_get_only_methods(people, rows, client_for):
    client = client_for(people.community_staff)
    resident = rows[0]["resident"]
    assert client.get(reverse("grids:resident_reveal", args=[resident.pk])).status_code == 405
    assert client.post(reverse("grids:resident_list")).status_code == 405
    assert client.post(reverse("grids:tree")).status_code == 405


def test_inactive_staff_account_sees_nothing(tree, rows, client_for):
    staff = make_user(Role.COMMUNITY_STAFF, region=tree.communities[0], is_active=False)
    client = client_for(staff)
    response = client.get(reverse("grids:resident_list"))
    assert response.status_code in (302, 404)
