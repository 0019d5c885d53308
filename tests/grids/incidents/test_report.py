"""incident_report: validation, tracking codes, auto-registration with deadlines (clock and working calendar),
the 12345 order number's idempotency, and the dispatch enqueued on commit."""

import datetime
import re
from unittest import mock

import pytest
from django.core.exceptions import ValidationError

from grids.models import Building, Incident, IncidentEvent
from grids.services import incidents as incident_services
from grids.services.incidents import incident_register, incident_report
from tests.factories import BuildingFactory
from tests.grids.incidents.factories import make_category_tree, make_incident, shanghai

pytestmark = pytest.mark.django_db
S = Incident.Status

NOW = shanghai(2026, 3, 4, 10, 0)  # a Wednesday


def report(world, **overrides):
    values = dict(channel="web", request_type="complaint", category=world.cats.grid, title="楼道堆物",
                  description="三单元楼道堆放杂物。", grid=world.grid, now=NOW)
    values.update(overrides)
    return incident_report(**values)


def test_report_registers_with_deadlines_and_two_events(world):
    incident = report(world, reporter_name=" 王芳 ", reporter_phone="+86 138 1234 5678")
    incident.refresh_from_db()
    assert incident.status == S.REGISTERED
    assert re.fullmatch(r"GZ260304[A-HJ-NP-Z2-9]{6}", incident.tracking_code)
    assert incident.registered_at == NOW
    assert incident.sign_for_by == NOW + datetime.timedelta(hours=24)
    assert incident.handle_by == NOW + datetime.timedelta(hours=7 * 24)
    assert incident.handling_level == "grid"
    assert incident.reporter_name == "王芳" and incident.reporter_phone == "13812345678"
    events = list(IncidentEvent.objects.filter(incident=incident).values_list("from_status", "to_status", "public"))
    assert events == [("", S.REPORTED, True), (S.REPORTED, S.REGISTERED, True)]


def test_tracking_codes_are_unique_and_retry_on_collision(world, monkeypatch):
    first = report(world)
    codes = iter([first.tracking_code, first.tracking_code, "GZ260304ABCDEF"])
    monkeypatch.setattr(incident_services, "_new_tracking_code", lambda now: next(codes))
    second = report(world)
    assert second.tracking_code == "GZ260304ABCDEF"


@pytest.mark.parametrize(("urgency", "hours"), [("normal", 168), ("urgent", 48), ("emergency", 2)])
def test_urgency_picks_the_limit(world, urgency, hours):
    cats = make_category_tree(urgent_handle_hours=48)
    incident = report(world, category=cats.grid, urgency=urgency)
    assert incident.handle_by == NOW + datetime.timedelta(hours=hours)
    assert incident.sign_for_by <= incident.handle_by


def test_working_calendar_friday_afternoon_runs_into_monday(world, settings):
    settings.GONGZHI_WORKING_CALENDAR = True
    settings.GONGZHI_WORKDAY_START, settings.GONGZHI_WORKDAY_END = "08:30", "17:30"
    cats = make_category_tree(sign_for_hours=1, handle_hours=9)
    friday_five = shanghai(2025, 3, 14, 17, 0)
    incident = report(world, category=cats.grid, now=friday_five)
    # 30 minutes on Friday, the other 30 on Monday morning; nine working hours end at Monday 17:00.
    assert incident.sign_for_by == shanghai(2025, 3, 17, 9, 0)
    assert incident.handle_by == shanghai(2025, 3, 17, 17, 0)
    # An emergency never waits for Monday.
    urgent = report(world, category=cats.grid, now=friday_five, urgency="emergency")
    assert urgent.handle_by == friday_five + datetime.timedelta(hours=2)


def test_same_hotline_order_twice_is_one_incident(world):
    first = report(world, channel="hotline", hotline_order_no=" 12345-2026-0001 ")
    again = report(world, channel="hotline", hotline_order_no="12345-2026-0001", title="另一个标题")
    assert again.pk == first.pk
    assert Incident.objects.count() == 1
    assert IncidentEvent.objects.filter(incident=first).count() == 2


def test_dispatch_is_enqueued_on_commit_only(world, django_capture_on_commit_callbacks):
    with mock.patch("grids.tasks.incident_dispatch_task.delay") as delay:
        with django_capture_on_commit_callbacks() as callbacks:
            incident = report(world)
            assert not delay.called  # nothing before commit
        assert len(callbacks) == 1
        callbacks[0]()
    delay.assert_called_once_with(incident.pk)


def test_on_commit_runs_the_dispatch(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        incident = report(world, now=None)
    incident.refresh_from_db()
    assert incident.status == S.DISPATCHED
    assert incident.assignments.get().assignee == world.grid_worker


@pytest.mark.parametrize(("overrides", "field"), [
    ({"title": "  "}, "title"),
    ({"title": "长" * 101}, "title"),
    ({"description": ""}, "description"),
    ({"description": "x" * 4001}, "description"),
    ({"reporter_phone": "12345"}, "reporter_phone"),
    ({"channel": "fax"}, "channel"),
    ({"request_type": "nonsense"}, "request_type"),
    ({"urgency": "panic"}, "urgency"),
    ({"latitude": "39.9"}, "latitude"),
    ({"latitude": "139.9", "longitude": "116.4"}, "latitude"),
    ({"latitude": "nan", "longitude": "116.4"}, "latitude"),
    ({"address": "路" * 201}, "address"),
])
def test_bad_input_names_the_field(world, overrides, field):
    with pytest.raises(ValidationError) as exc:
        report(world, **overrides)
    assert field in exc.value.message_dict
    assert Incident.objects.count() == 0


def test_category_must_be_an_active_leaf(world):
    for category in (world.cats.branch, world.cats.root, world.cats.inactive, None):
        with pytest.raises(ValidationError) as exc:
            report(world, category=category)
        assert "category" in exc.value.message_dict
    # A leaf under an inactive branch is not selectable either.
    world.cats.branch.is_active = False
    world.cats.branch.save()
    with pytest.raises(ValidationError):
        report(world, category=world.cats.grid)


def test_grid_must_be_a_current_grid(world):
    for grid in (world.community, world.street, None):
        with pytest.raises(ValidationError) as exc:
            report(world, grid=grid)
        assert "grid" in exc.value.message_dict
    world.sibling_grid.valid_to = datetime.date(2025, 1, 1)
    world.sibling_grid.save()
    with pytest.raises(ValidationError) as exc:
        report(world, grid=world.sibling_grid)
    assert "grid" in exc.value.message_dict


def test_building_must_be_in_the_grids_community(world):
    inside = BuildingFactory(grid=world.sibling_grid)  # same community
    outside = BuildingFactory(grid=world.tree.grids[2])
    assert report(world, building=inside).building == inside
    with pytest.raises(ValidationError) as exc:
        report(world, building=outside)
    assert "building" in exc.value.message_dict
    assert Building.objects.count() == 2


def test_coordinates_are_stored_rounded(world):
    incident = report(world, latitude="39.9042123", longitude=116.4074)
    incident.refresh_from_db()
    assert str(incident.latitude) == "39.904212" and str(incident.longitude) == "116.407400"


def test_register_by_staff_from_reported(world):
    incident = make_incident(grid=world.grid, category=world.cats.grid, dispatch=False)
    Incident.objects.filter(pk=incident.pk).update(status=S.REPORTED, registered_at=None)
    from governance.lib.exceptions import PermissionDeniedError

    with pytest.raises(PermissionDeniedError):
        incident_register(incident_id=incident.pk, actor=world.grid_worker, now=NOW)
    registered = incident_register(incident_id=incident.pk, actor=world.community_staff, now=NOW)
    assert registered.status == S.REGISTERED and registered.registered_at == NOW
