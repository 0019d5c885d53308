"""Routing and dispatch: each handling level, a grid with nobody on duty, return (退单) and reopen going one
level up (never back to the unit that returned), idempotency (twice, the sweep twice, two threads on
PostgreSQL), notifications, and manual dispatch by the street centre."""

import datetime
import threading
from unittest import mock

import pytest
from django.db import connection
from django.utils import timezone

from governance.lib.exceptions import InvalidTransition, PermissionDeniedError
from governance.models import Notification, Role
from grids.models import Assignment, Incident, IncidentEvent
from grids.services.dispatch import incident_dispatch, incident_dispatch_pending
from grids.services.incidents import incident_rate, incident_reopen, incident_return
from grids.services.routing import route, route_up, worker_on_duty
from tests.factories import DepartmentFactory, WorkerFactory, community_of, make_user
from tests.grids.incidents.factories import make_category_tree, make_incident, make_world
from workforce.models import GridAssignment

S = Incident.Status
pytestmark = pytest.mark.django_db


def lead_of(incident) -> Assignment:
    return Assignment.objects.get(incident=incident, role="lead", state__in=["pending", "signed"])


def unit(assignment):
    return assignment.department or assignment.region


# --- routing by handling level ---------------------------------------------------------------------------------
def test_grid_level_goes_to_the_full_time_grid_worker(world):
    incident = world.incident("grid")
    lead = lead_of(incident)
    assert (lead.level, lead.region, lead.assignee, lead.role, lead.state) == (
        "grid", world.grid, world.grid_worker, "lead", "pending")
    incident.refresh_from_db()
    assert incident.status == S.DISPATCHED and incident.handling_level == "grid"
    assert incident.dispatched_at is not None and incident.dispatch_attempts == 1


@pytest.mark.parametrize("level", ["community", "street", "department"])
def test_other_levels(world, level):
    incident = world.incident(level)
    lead = lead_of(incident)
    expected = {"community": world.community, "street": world.street, "department": world.department}[level]
    assert lead.level == level and unit(lead) == expected and lead.assignee is None


def test_grid_without_a_worker_escalates_to_the_community(world):
    empty = world.tree.grids[3]  # nobody assigned there
    incident = world.incident("grid", grid=empty)
    lead = lead_of(incident)
    assert (lead.level, lead.region) == ("community", community_of(empty))


def test_grid_head_when_no_full_time_worker(world):
    grid = world.tree.grids[3]
    head_user = make_user(Role.GRID_WORKER, region=grid)
    head = WorkerFactory(community=community_of(grid), user=head_user)
    GridAssignment.objects.create(worker=head, grid=grid, duty=GridAssignment.Duty.GRID_HEAD)
    part_timer = WorkerFactory(community=community_of(grid), user=make_user(Role.GRID_WORKER, region=grid))
    GridAssignment.objects.create(worker=part_timer, grid=grid, duty=GridAssignment.Duty.PART_TIME)
    assert worker_on_duty(grid) == head
    assert lead_of(world.incident("grid", grid=grid)).assignee == head_user


def test_worker_without_account_or_inactive_is_skipped(world):
    grid = world.tree.grids[3]
    no_account = WorkerFactory(community=community_of(grid))
    GridAssignment.objects.create(worker=no_account, grid=grid)
    gone = WorkerFactory(community=community_of(grid), user=make_user(Role.GRID_WORKER, region=grid, is_active=False))
    GridAssignment.objects.create(worker=gone, grid=grid)
    assert worker_on_duty(grid) is None
    assert route(category=world.cats.grid, grid=grid).level == "community"


def test_micro_grid_uses_the_parent_grids_worker(world):
    from grids.models import Region

    micro = Region.objects.add_child(world.grid, create_kwargs=dict(
        level="micro_grid", name="1号楼", code=world.grid.code + "001"))
    incident = world.incident("grid", grid=micro)
    lead = lead_of(incident)
    assert (lead.region, lead.assignee) == (world.grid, world.grid_worker)


def test_inactive_department_falls_back_to_the_street(world):
    world.department.is_active = False
    world.department.save()
    lead = lead_of(world.incident("department"))
    assert (lead.level, lead.region) == ("street", world.street)


def test_route_up_chain(world):
    grid, cats = world.grid, world.cats
    assert route_up(category=cats.grid, grid=grid, level="grid").region == world.community
    assert route_up(category=cats.grid, grid=grid, level="community").region == world.street
    # street → the leaf's department when it has one, else the street centre itself is the last resort
    assert route_up(category=cats.department, grid=grid, level="street").department == world.department
    assert route_up(category=cats.street, grid=grid, level="street").region == world.street
    assert route_up(category=cats.department, grid=grid, level="department").region == world.street
    street_key = ("region", world.street.pk)
    assert route_up(category=cats.street, grid=grid, level="street", exclude={street_key}) is None


# --- notification -----------------------------------------------------------------------------------------------
def test_dispatch_notifies_the_unit_once(world):
    other = make_user(Role.COMMUNITY_STAFF, region=world.community)
    incident = world.incident("community")
    lead = lead_of(incident)
    notes = Notification.objects.filter(kind="incident_dispatched")
    assert set(notes.values_list("recipient", flat=True)) == {world.community_staff.pk, other.pk}
    assert set(notes.values_list("dedupe_key", flat=True)) == {f"dispatch:{incident.pk}:{lead.pk}"}
    assert not notes.filter(recipient=world.other_community_staff).exists()


def test_department_dispatch_notifies_its_handlers_only(world):
    world.incident("department")
    recipients = set(Notification.objects.filter(kind="incident_dispatched").values_list("recipient", flat=True))
    assert recipients == {world.handler.pk}


# --- idempotency ------------------------------------------------------------------------------------------------
def test_dispatch_twice_is_harmless(world):
    incident = world.incident("grid", dispatch=False)
    incident_dispatch(incident_id=incident.pk)
    again = incident_dispatch(incident_id=incident.pk)  # a redelivered task
    assert again.status == S.DISPATCHED and again.dispatch_attempts == 1
    assert Assignment.objects.filter(incident=incident).count() == 1
    assert IncidentEvent.objects.filter(incident=incident, to_status=S.DISPATCHED).count() == 1
    assert Notification.objects.filter(kind="incident_dispatched").count() == 1


def test_dispatch_of_a_missing_case_is_a_no_op(db):
    assert incident_dispatch(incident_id=999999) is None


def test_pending_sweep_waits_for_in_flight_tasks_then_dispatches_once(world):
    now = timezone.now()
    incident = world.incident("grid", dispatch=False)
    assert incident_dispatch_pending(now=now) == 0  # just registered: its task may still run
    later = now + datetime.timedelta(minutes=1)
    assert incident_dispatch_pending(now=later) == 1
    assert incident_dispatch_pending(now=later) == 0  # run twice
    assert Assignment.objects.filter(incident=incident).count() == 1
    assert IncidentEvent.objects.filter(incident=incident, to_status=S.DISPATCHED).count() == 1


def test_pending_sweep_stops_after_repeated_failures(world):
    incident = world.incident("street", dispatch=False)
    Incident.objects.filter(pk=incident.pk).update(dispatch_attempts=10)
    assert incident_dispatch_pending(now=timezone.now() + datetime.timedelta(minutes=1)) == 0


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_pending_sweep_concurrently_gives_one_assignment(transactional_db):
    with mock.patch("grids.tasks.incident_dispatch_task.delay"):  # leave the case undispatched
        world = make_world()
        incidents = [world.incident("grid", dispatch=False) for _ in range(5)]
    later = timezone.now() + datetime.timedelta(minutes=1)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(incident_dispatch_pending(now=later))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sum(results) == 5
    for incident in incidents:
        assert Assignment.objects.filter(incident=incident).count() == 1
        assert IncidentEvent.objects.filter(incident=incident, to_status=S.DISPATCHED).count() == 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_dispatch_concurrently_gives_one_assignment(transactional_db):
    with mock.patch("grids.tasks.incident_dispatch_task.delay"):
        world = make_world()
        incident = world.incident("street", dispatch=False)
    barrier = threading.Barrier(4)

    def run():
        try:
            barrier.wait()
            incident_dispatch(incident_id=incident.pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Assignment.objects.filter(incident=incident).count() == 1
    assert IncidentEvent.objects.filter(incident=incident, to_status=S.DISPATCHED).count() == 1
    assert Incident.objects.get(pk=incident.pk).dispatch_attempts == 1


# --- return (退单) and re-dispatch ------------------------------------------------------------------------------
def test_return_goes_one_level_up_never_back(world):
    incident = world.incident("grid")
    incident = incident_return(actor=world.grid_worker, incident_id=incident.pk, reason="不属于网格处置范围")
    assert incident.status == S.RETURNED
    returned = Assignment.objects.get(incident=incident, state="returned")
    assert returned.return_reason == "不属于网格处置范围"

    incident = incident_dispatch(incident_id=incident.pk)  # what the on-commit task does
    lead = lead_of(incident)
    assert (incident.status, lead.level, lead.region) == (S.DISPATCHED, "community", world.community)

    incident_return(actor=world.community_staff, incident_id=incident.pk, reason="需街道协调")
    lead = lead_of(incident_dispatch(incident_id=incident.pk))
    assert (lead.level, lead.region) == ("street", world.street)
    units = list(Assignment.objects.filter(incident=incident).order_by("pk").values_list("level", "state"))
    assert units == [("grid", "returned"), ("community", "returned"), ("street", "pending")]
    events = IncidentEvent.objects.filter(incident=incident, to_status=S.DISPATCHED).count()
    assert events == 3


def test_department_return_goes_to_the_street_centre_then_stops(world):
    incident = world.incident("department")
    incident_return(actor=world.handler, incident_id=incident.pk, reason="非本部门职责")
    lead = lead_of(incident_dispatch(incident_id=incident.pk))
    assert (lead.level, lead.region) == ("street", world.street)
    incident_return(actor=world.street_staff, incident_id=incident.pk, reason="请区里协调")
    stuck = incident_dispatch(incident_id=incident.pk)
    # Both units returned it: nobody left to route to automatically, so the centre and district are told.
    assert stuck.status == S.RETURNED
    told = set(Notification.objects.filter(kind="incident_undispatchable").values_list("recipient", flat=True))
    assert told == {world.street_staff.pk, world.district_official.pk}
    # The district dispatches by hand (even back to the department, a human decision).
    other = DepartmentFactory(district=world.tree.district)
    incident = incident_dispatch(incident_id=incident.pk, actor=world.district_official, department=other)
    assert lead_of(incident).department == other


def test_returned_case_is_re_dispatched_on_commit(world, django_capture_on_commit_callbacks):
    incident = world.incident("grid")
    with django_capture_on_commit_callbacks(execute=True):
        incident_return(actor=world.grid_worker, incident_id=incident.pk, reason="不属于网格")
    assert lead_of(incident).region == world.community


def test_reopened_case_goes_one_level_up(world):
    now = timezone.now()
    incident = world.advance(world.incident("community"), to=S.CLOSED, now=now)
    incident_rate(incident_id=incident.pk, resolution="unresolved", satisfaction="dissatisfied", now=now)
    incident_reopen(incident_id=incident.pk, reason="问题依旧", now=now)
    incident = incident_dispatch(incident_id=incident.pk, now=now)
    assert lead_of(incident).region == world.street
    assert list(Assignment.objects.filter(incident=incident).order_by("pk").values_list("level", "state")) == [
        ("community", "done"), ("street", "pending")]


# --- manual dispatch --------------------------------------------------------------------------------------------
def test_manual_dispatch_rules(world):
    incident = world.incident("street", dispatch=False)
    with pytest.raises(PermissionDeniedError):
        incident_dispatch(incident_id=incident.pk, actor=world.other_street_staff, region=world.street)
    with pytest.raises(PermissionDeniedError):
        incident_dispatch(incident_id=incident.pk, actor=world.grid_worker, region=world.grid)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):  # not an ancestor of the case's grid
        incident_dispatch(incident_id=incident.pk, actor=world.street_staff, region=world.tree.communities[1])
    with pytest.raises(ValidationError):  # a community cannot hand a case to the street
        incident_dispatch(incident_id=incident.pk, actor=world.community_staff, region=world.street)
    incident = incident_dispatch(incident_id=incident.pk, actor=world.community_staff, region=world.grid, note="请核实")
    lead = lead_of(incident)
    assert (lead.level, lead.region, incident.status) == ("grid", world.grid, S.DISPATCHED)
    with pytest.raises(InvalidTransition):
        incident_dispatch(incident_id=incident.pk, actor=world.street_staff, region=world.street)


def test_re_dispatch_resets_sign_for_but_never_past_handle_by(world):
    cats = make_category_tree(sign_for_hours=24, handle_hours=30)
    start = timezone.now()
    incident = make_incident(grid=world.grid, category=cats.grid, now=start)
    incident_return(actor=world.grid_worker, incident_id=incident.pk, reason="不属于网格")
    later = start + datetime.timedelta(hours=20)
    incident = incident_dispatch(incident_id=incident.pk, now=later)
    assert incident.sign_for_by == incident.handle_by == start + datetime.timedelta(hours=30)
