"""Patrol reports (grid workers, their own grids) and staff entry of walk-ins and phone calls (community and street
staff): who may, where, and what is recorded."""

import pytest
from django.core.exceptions import ValidationError

from governance.lib.exceptions import PermissionDeniedError
from governance.models import Role
from grids.models import Incident, IncidentPhoto
from grids.services.intake import intake_patrol_report, intake_staff_entry
from tests.factories import DepartmentFactory, make_grid_worker, make_user
from tests.grids.intake.conftest import jpeg_with_gps, upload
from tests.grids.intake.helpers import option_values
from workforce.models import GridAssignment, Worker

pytestmark = pytest.mark.django_db

PATROL, ENTRY, HOTLINE = "/intake/patrol/", "/intake/entry/", "/intake/hotline/"


def _account(kind, tree):
    if kind == "anonymous":
        return None
    if kind == "grid_worker":
        return make_grid_worker(tree.grids[0])
    if kind == "department_handler":
        return make_user(Role.DEPARTMENT_HANDLER, department=DepartmentFactory(district=tree.district))
    region = {"community_staff": tree.communities[0], "street_staff": tree.streets[0],
              "district_official": tree.district}.get(kind)
    return make_user(kind, region=region)


EXPECTED = {
    #                      patrol, entry, hotline
    "anonymous": (302, 302, 302),
    "resident": (404, 404, 404),
    "department_handler": (404, 404, 404),
    "system_admin": (404, 404, 404),
    "grid_worker": (200, 403, 403),
    "community_staff": (403, 200, 200),
    "street_staff": (403, 200, 200),
    "district_official": (403, 403, 403),
}


@pytest.mark.parametrize("kind", list(EXPECTED))
def test_who_may_open_the_staff_intake_pages(client, client_for, tree, cats, kind):
    user = _account(kind, tree)
    browser = client_for(user) if user else client
    for url, expected in zip((PATROL, ENTRY, HOTLINE), EXPECTED[kind], strict=True):
        response = browser.get(url)
        assert response.status_code == expected, (url, kind)
        if expected == 302:
            assert "/accounts/login/" in response["Location"]
        # POSTs are refused the same way (an allowed role gets the empty form back), and create nothing.
        assert browser.post(url, {}).status_code == (400 if expected == 200 else expected)
    assert Incident.objects.count() == 0


# --- patrol ------------------------------------------------------------------------------------------------------

def _patrol_data(where, cats, **overrides):
    data = {"category": str(cats.rubbish.pk), "grid": str(where.pk), "description": "楼道堆放纸箱\n堵住消防通道",
            "urgency": "urgent", "address": "", "latitude": "", "longitude": ""}
    data.update(overrides)
    return data


def test_a_grid_worker_files_a_patrol_report_in_their_grid(client_for, tree, cats):
    worker = make_grid_worker(tree.grids[0])
    browser = client_for(worker)
    page = browser.get(PATROL).content.decode()
    assert option_values(page, "grid") == [str(tree.grids[0].pk)]  # their grid only, preselected
    assert f'<option value="{tree.grids[0].pk}" selected>' in page

    response = browser.post(PATROL, {**_patrol_data(tree.grids[0], cats),
                                     "photos": [upload(jpeg_with_gps((100, 80)))]})
    assert response.status_code == 302 and response["Location"] == "/report/done/"
    incident = Incident.objects.get()
    assert incident.channel == "patrol" and incident.reported_by == worker and incident.urgency == "urgent"
    assert incident.title == "楼道堆放纸箱" and incident.description.startswith("楼道堆放纸箱")
    assert incident.reporter_name == "" and incident.reporter_phone == "" and not incident.anonymous
    assert IncidentPhoto.objects.get(incident=incident).uploaded_by == worker
    assert incident.tracking_code in browser.get("/report/done/").content.decode()


def test_a_grid_worker_may_patrol_every_grid_they_are_assigned_to(client_for, tree, cats):
    worker = make_grid_worker(tree.grids[0])
    GridAssignment.objects.create(worker=Worker.objects.get(user=worker), grid=tree.grids[3])
    browser = client_for(worker)
    assert set(option_values(browser.get(PATROL).content.decode(), "grid")) == {str(tree.grids[0].pk),
                                                                                  str(tree.grids[3].pk)}
    assert browser.post(PATROL, _patrol_data(tree.grids[3], cats)).status_code == 302


def test_a_patrol_report_for_another_grid_is_refused(client_for, tree, cats):
    browser = client_for(make_grid_worker(tree.grids[0]))
    response = browser.post(PATROL, _patrol_data(tree.grids[1], cats))
    assert response.status_code == 400 and "grid" in response.context["form"].errors
    assert Incident.objects.count() == 0


def test_the_patrol_service_rechecks_the_grid_and_the_role(tree, cats):
    worker = make_grid_worker(tree.grids[0])
    data = {"category": cats.rubbish, "grid": tree.grids[1], "description": "x", "title": "x", "urgency": "normal"}
    with pytest.raises(PermissionDeniedError):
        intake_patrol_report(actor=worker, data=data)
    staff = make_user(Role.COMMUNITY_STAFF, region=tree.communities[0])
    with pytest.raises(PermissionDeniedError):
        intake_patrol_report(actor=staff, data={**data, "grid": tree.grids[0]})
    assert Incident.objects.count() == 0


@pytest.mark.parametrize(("overrides", "field"), [
    ({"description": ""}, "description"),
    ({"category": "999999"}, "category"),
    ({"grid": ""}, "grid"),
    ({"urgency": "panic"}, "urgency"),
])
def test_patrol_bad_input(client_for, tree, cats, overrides, field):
    browser = client_for(make_grid_worker(tree.grids[0]))
    response = browser.post(PATROL, _patrol_data(tree.grids[0], cats, **overrides))
    assert response.status_code == 400 and field in response.context["form"].errors
    assert Incident.objects.count() == 0


# --- staff entry -------------------------------------------------------------------------------------------------

def _entry_data(where, cats, **overrides):
    data = {"channel": "phone", "request_type": "complaint", "category": str(cats.water.pk), "urgency": "normal",
            "title": "路口积水", "description": "来电反映路口积水严重。", "grid": str(where.pk), "building": "",
            "address": "和平路与幸福路路口", "latitude": "", "longitude": "", "reporter_name": "李先生",
            "reporter_phone": "010-62345678", "category_q": ""}
    data.update(overrides)
    return data


def test_community_staff_enter_a_phone_call(client_for, tree, cats):
    staff = make_user(Role.COMMUNITY_STAFF, region=tree.communities[0])
    browser = client_for(staff)
    page = browser.get(ENTRY).content.decode()
    assert set(option_values(page, "grid")) == {str(tree.grids[0].pk), str(tree.grids[1].pk)}
    response = browser.post(ENTRY, _entry_data(tree.grids[1], cats, urgency="urgent"))
    assert response.status_code == 302
    incident = Incident.objects.get()
    assert incident.channel == "phone" and incident.reported_by == staff and incident.urgency == "urgent"
    assert incident.reporter_phone == "010-62345678" and incident.reporter_name == "李先生"
    assert incident.request_type == "complaint" and incident.grid == tree.grids[1]
    done = browser.get("/report/done/").content.decode()
    assert incident.tracking_code in done and "/intake/entry/" in done


def test_street_staff_enter_a_walk_in_without_a_phone(client_for, tree, cats):
    staff = make_user(Role.STREET_STAFF, region=tree.streets[1])
    response = client_for(staff).post(ENTRY, _entry_data(tree.grids[5], cats, channel="walk_in", reporter_phone="",
                                                          reporter_name="", anonymous="on"))
    assert response.status_code == 302
    incident = Incident.objects.get()
    assert incident.channel == "walk_in" and incident.reporter_phone == "" and incident.anonymous


@pytest.mark.parametrize(("overrides", "field"), [
    ({"channel": "web"}, "channel"),
    ({"channel": "hotline"}, "channel"),
    ({"reporter_phone": "555"}, "reporter_phone"),
    ({"grid": "OUTSIDE"}, "grid"),
    ({"title": ""}, "title"),
])
def test_staff_entry_bad_input(client_for, tree, cats, overrides, field):
    staff = make_user(Role.COMMUNITY_STAFF, region=tree.communities[0])
    if overrides.get("grid") == "OUTSIDE":
        overrides = {"grid": str(tree.grids[2].pk)}  # another community's grid
    response = client_for(staff).post(ENTRY, _entry_data(tree.grids[0], cats, **overrides))
    assert response.status_code == 400 and field in response.context["form"].errors
    assert Incident.objects.count() == 0
    assert 'value="来电反映路口积水严重。"' not in response.content.decode()  # a textarea, not an input …
    assert "来电反映路口积水严重。" in response.content.decode()  # … but the text is kept


def test_the_staff_entry_service_rechecks_role_channel_and_grid(tree, cats):
    staff = make_user(Role.COMMUNITY_STAFF, region=tree.communities[0])
    data = {"category": cats.water, "grid": tree.grids[0], "title": "t", "description": "d", "request_type": "help"}
    with pytest.raises(PermissionDeniedError):
        intake_staff_entry(actor=staff, channel="hotline", data=data)
    with pytest.raises(PermissionDeniedError):
        intake_staff_entry(actor=staff, channel="phone", data={**data, "grid": tree.grids[4]})
    with pytest.raises(PermissionDeniedError):
        intake_staff_entry(actor=make_grid_worker(tree.grids[0]), channel="phone", data=data)
    with pytest.raises(ValidationError):
        intake_staff_entry(actor=staff, channel="phone", data={**data, "title": ""})
    assert Incident.objects.count() == 0
    assert intake_staff_entry(actor=staff, channel="walk_in", data=data).channel == "walk_in"
