"""The grid network pages: tree browser (counts, band badge), a grid worker's home, a node's detail page, and
creating or editing nodes through grids.services.regions."""

import datetime

import pytest
from django.urls import reverse

from governance.models import Role
from grids.models import Region
from tests.factories import HouseholdFactory, ResidentFactory, WorkerFactory, make_grid_worker, make_user
from workforce.models import GridAssignment

pytestmark = pytest.mark.django_db


def _html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_tree_shows_counts_and_flags_grids_outside_the_band(tree, client_for, settings):
    settings.GONGZHI_GRID_HOUSEHOLDS_MIN, settings.GONGZHI_GRID_HOUSEHOLDS_MAX = 2, 3
    HouseholdFactory.create_batch(2, grid=tree.grids[0])          # inside 2–3
    HouseholdFactory.create_batch(5, grid=tree.grids[1])          # above
    ResidentFactory.create_batch(4, grid=tree.grids[1])
    dedicated = Region.objects.get(pk=tree.grids[3].pk)
    dedicated.grid_kind = "dedicated"
    dedicated.save()
    staff = make_user(Role.COMMUNITY_STAFF, region=tree.communities[0])
    html = _html(client_for(staff).get(reverse("grids:tree")))
    assert tree.communities[0].name in html and tree.grids[0].name in html and tree.grids[1].name in html
    assert tree.grids[2].name not in html and tree.district.name not in html
    assert html.count("Outside 2–3 households") == 1
    # The flagged node is grids[1]: its badge comes after its name and before the next node.
    after = html.split(tree.grids[1].name, 1)[1].split("tree-node", 1)[0]
    assert "Outside 2–3 households" in after
    assert "Households <strong>7</strong>" in html                # the community rolls up 2 + 5
    assert "Residents <strong>4</strong>" in html
    assert "tree-depth-1" in html and "tree-depth-2" in html       # indented relative to the user's root

    official = make_user(Role.DISTRICT_OFFICIAL, region=tree.district)
    html = _html(client_for(official).get(reverse("grids:tree")))
    # Dedicated grids are not held to the household band.
    assert html.count("Outside 2–3 households") == 6
    assert "Dedicated grid" in html


def test_my_grid_shows_the_workers_grids_with_counts_and_links(tree, client_for):
    worker = make_grid_worker(tree.grids[0])
    HouseholdFactory.create_batch(3, grid=tree.grids[0])
    ResidentFactory.create_batch(2, grid=tree.grids[0])
    ResidentFactory(grid=tree.grids[1])
    html = _html(client_for(worker).get(reverse("grids:my_grid")))
    assert tree.grids[0].name in html and tree.grids[1].name not in html
    assert f'{reverse("grids:resident_list")}?region={tree.grids[0].pk}">2</a>' in html
    assert f'{reverse("grids:household_list")}?region={tree.grids[0].pk}">3</a>' in html
    assert f'{reverse("grids:resident_create")}?grid={tree.grids[0].pk}' in html
    assert "Outside 300–500 households" in html


def test_my_grid_for_an_unassigned_worker(tree, client_for):
    # A grid worker whose only binding is a region and no roster record still gets a page.
    worker = make_user(Role.GRID_WORKER, region=tree.grids[2])
    html = _html(client_for(worker).get(reverse("grids:my_grid")))
    assert tree.grids[2].name in html


def test_region_detail(tree, client_for):
    grid = Region.objects.get(pk=tree.grids[0].pk)
    grid.valid_from = datetime.date(2024, 1, 1)
    grid.save()
    helper = WorkerFactory(community=tree.communities[0], name="赵网格")
    GridAssignment.objects.create(worker=helper, grid=grid, duty=GridAssignment.Duty.GRID_HEAD)
    HouseholdFactory.create_batch(2, grid=grid)
    staff = make_user(Role.COMMUNITY_STAFF, region=tree.communities[0])
    html = _html(client_for(staff).get(reverse("grids:region_detail", args=[grid.pk])))
    # Breadcrumb: the district and street are shown but not linked (outside the jurisdiction); the community is.
    assert tree.district.name in html and tree.streets[0].name in html
    assert reverse("grids:region_detail", args=[tree.district.pk]) not in html
    assert reverse("grids:region_detail", args=[tree.communities[0].pk]) in html
    assert "Party building (党建)" in html and "Comprehensive governance (综治)" in html
    assert "Basic grid" in html and "2024-01-01" in html and "current" in html
    assert "Not recorded" in html
    assert "赵网格" in html and "Grid head (网格长)" in html
    assert "Outside 300–500 households" in html

    html = _html(client_for(staff).get(reverse("grids:region_detail", args=[tree.communities[0].pk])))
    assert tree.grids[0].name in html and tree.grids[1].name in html        # children with counts
    assert "赵网格" in html                                                  # the community roster
    assert reverse("grids:region_create_child", args=[tree.communities[0].pk]) in html


def test_create_a_grid_under_a_community(tree, client_for):
    staff = make_user(Role.COMMUNITY_STAFF, region=tree.communities[0])
    client = client_for(staff)
    url = reverse("grids:region_create_child", args=[tree.communities[0].pk])
    assert "Grid kind" in _html(client.get(url))
    code = f"{tree.communities[0].code}003"
    boundary = '{"type": "Polygon", "coordinates": [[[116.3, 39.9], [116.4, 39.9], [116.4, 40.0], [116.3, 39.9]]]}'
    response = client.post(url, {"name": "3号网格", "code": code, "grid_kind": "basic",
                                 "absorbed_networks": ["party", "civil"], "valid_from": "2025-01-01",
                                 "boundary": boundary})
    assert response.status_code == 302
    grid = Region.objects.get(code=code)
    assert grid.level == "grid" and grid.absorbed_networks == ["party", "civil"]
    assert grid.boundary["type"] == "Polygon"
    assert grid.path.startswith(tree.communities[0].path)
    assert "Recorded (GeoJSON)" in _html(client.get(reverse("grids:region_detail", args=[grid.pk])))


@pytest.mark.parametrize(("data", "message"), [
    ({"name": "", "code": "", "grid_kind": ""}, "This field is required."),
    ({"name": "坏网格", "code": "999999999999001", "grid_kind": "basic"}, "must start with the parent"),
    ({"name": "短编码", "code": "SHORT", "grid_kind": "basic"}, "exactly 15 digits"),
    ({"name": "坏边界", "code": "CODE", "grid_kind": "basic", "boundary": "{not json"}, "not valid JSON"),
    ({"name": "边界", "grid_kind": "basic", "boundary": '{"type": "Point", "coordinates": [1, 2]}'}, "Polygon"),
    ({"name": "日期", "grid_kind": "basic", "valid_from": "2025-02-01", "valid_to": "2025-01-01"},
     "must not be before"),
    ({"name": "名" * 101, "grid_kind": "basic"}, "at most 100 characters"),
], ids=["empty", "prefix", "length", "json", "geojson", "dates", "long_name"])
def test_bad_region_input_is_400(tree, client_for, data, message):
    staff = make_user(Role.COMMUNITY_STAFF, region=tree.communities[0])
    data = {"code": f"{tree.communities[0].code}009", **data}
    if data["code"] == "SHORT":
        data["code"] = f"{tree.communities[0].code}1"
    response = client_for(staff).post(reverse("grids:region_create_child", args=[tree.communities[0].pk]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Region.objects.filter(name=data.get("name") or "-").exists()


def test_edit_a_region(tree, client_for):
    staff = make_user(Role.STREET_STAFF, region=tree.streets[0])
    grid = tree.grids[0]
    client = client_for(staff)
    html = _html(client.get(reverse("grids:region_edit", args=[grid.pk])))
    assert f'value="{grid.code}"' in html
    response = client.post(reverse("grids:region_edit", args=[grid.pk]),
                           {"name": "幸福网格", "code": grid.code, "grid_kind": "dedicated",
                            "absorbed_networks": ["urban"], "description": "学校周边"})
    assert response.status_code == 302
    grid.refresh_from_db()
    assert grid.name == "幸福网格" and grid.grid_kind == "dedicated" and grid.absorbed_networks == ["urban"]


def test_micro_grid_has_no_create_child_page(tree, client_for):
    staff = make_user(Role.COMMUNITY_STAFF, region=tree.communities[0])
    micro = Region.objects.add_child(Region.objects.get(pk=tree.grids[0].pk), create_kwargs=dict(
        level="micro_grid", name="1号楼微网格", code=f"{tree.grids[0].code}001"))
    client = client_for(staff)
    html = _html(client.get(reverse("grids:region_detail", args=[micro.pk])))
    assert reverse("grids:region_create_child", args=[micro.pk]) not in html
    assert client.get(reverse("grids:region_create_child", args=[micro.pk])).status_code == 404
