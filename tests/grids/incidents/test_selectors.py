"""Scoped reads: who sees which case (404 otherwise), the queues, nearest-deadline ordering, the overdue flag,
the public tracking lookup, and flat query counts as rows grow."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from governance.lib.exceptions import NotFoundOrForbidden
from governance.models import Role
from grids.models import Incident
from grids.selectors.incidents import (
    access_incident,
    incident_by_tracking_code,
    incident_list,
    incident_queue_mine,
    incident_queue_unit,
)
from grids.services.incidents import incident_add_co_handler, incident_reject
from grids.services.whistle import whistle_blow
from tests.factories import make_user

pytestmark = pytest.mark.django_db
S = Incident.Status


def ids(qs):
    return set(qs.values_list("pk", flat=True))


def test_region_staff_see_their_subtree(world):
    mine = world.incident("grid")
    sibling = world.incident("grid", grid=world.sibling_grid)
    next_community = world.incident("grid", grid=world.tree.grids[2])
    other_street = world.incident("grid", grid=world.tree.grids[4])
    everything = {mine.pk, sibling.pk, next_community.pk, other_street.pk}
    assert ids(incident_list(user=world.grid_worker)) == {mine.pk}
    assert ids(incident_list(user=world.sibling_grid_worker)) == {sibling.pk}
    assert ids(incident_list(user=world.community_staff)) == {mine.pk, sibling.pk}
    assert ids(incident_list(user=world.street_staff)) == {mine.pk, sibling.pk, next_community.pk}
    assert ids(incident_list(user=world.district_official)) == everything
    for nobody in (world.resident, make_user(Role.SYSTEM_ADMIN), make_user(Role.AUDITOR),
                   make_user(Role.RESIDENT, is_superuser=True)):
        assert ids(incident_list(user=nobody)) == set()


def test_department_handlers_see_assigned_or_summoned_cases(world):
    lead = world.incident("department")
    co = world.advance(world.incident("grid"), to=S.SIGNED)
    incident_add_co_handler(actor=world.grid_worker, incident_id=co.pk, department=world.department)
    summoned = world.advance(world.incident("grid"), to=S.SIGNED)
    whistle_blow(actor=world.street_staff, incident_id=summoned.pk, departments=[world.other_department],
                 reason="需市场监管")
    world.incident("street")  # nobody's department
    assert ids(incident_list(user=world.handler)) == {lead.pk, co.pk}
    assert ids(incident_list(user=world.other_handler)) == {summoned.pk}
    # An assignment in any state keeps the case visible (history).
    incident_reject(actor=world.community_staff, incident_id=lead.pk, reason="不属受理范围")
    assert lead.pk in ids(incident_list(user=world.handler))


def test_access_incident_is_404_outside_scope(world):
    incident = world.incident("grid")
    assert access_incident(user=world.community_staff, incident_id=incident.pk) == incident
    for who in (world.sibling_grid_worker, world.other_community_staff, world.handler, world.resident):
        with pytest.raises(NotFoundOrForbidden):
            access_incident(user=who, incident_id=incident.pk)
    for bad in (999999, "abc", None):
        with pytest.raises(NotFoundOrForbidden):
            access_incident(user=world.community_staff, incident_id=bad)


def test_queues(world):
    for_me = world.incident("grid")
    for_community = world.incident("community")
    for_street = world.incident("street")
    closed = world.advance(world.incident("grid"), to=S.CLOSED)
    assert ids(incident_queue_mine(user=world.grid_worker)) == {for_me.pk}
    assert ids(incident_queue_mine(user=world.community_staff)) == {for_community.pk}
    assert ids(incident_queue_mine(user=world.street_staff)) == {for_street.pk}
    assert ids(incident_queue_mine(user=world.handler)) == set()
    assert ids(incident_queue_unit(user=world.community_staff)) == {for_me.pk, for_community.pk, for_street.pk}
    assert closed.pk not in ids(incident_queue_unit(user=world.district_official))
    # A summons puts the case in the department's queue until it reports in.
    world.advance(for_street, to=S.SIGNED)
    whistle_blow(actor=world.street_staff, incident_id=for_street.pk, departments=[world.department], reason="协调")
    assert ids(incident_queue_mine(user=world.handler)) == {for_street.pk}


def test_nearest_deadline_first_and_overdue_flag(world):
    now = timezone.now()
    soon = world.incident("grid", now=now - datetime.timedelta(hours=23))   # sign-for due in 1 h
    later = world.incident("grid", now=now)                                  # sign-for due in 24 h
    late = world.incident("grid", now=now - datetime.timedelta(hours=30))   # sign-for overdue
    rows = list(incident_list(user=world.grid_worker, now=now))
    assert [r.pk for r in rows] == [late.pk, soon.pk, later.pk]
    assert [r.is_overdue for r in rows] == [True, False, False]
    assert rows[0].next_deadline == rows[0].sign_for_by


def test_list_query_count_is_flat(world):
    def render(user):
        for row in incident_list(user=user):
            _ = (row.grid.name, row.category.name, row.is_overdue, row.next_deadline)
            for a in row.active_assignments:
                _ = (a.region, a.department, a.assignee)

    def count(user):
        with CaptureQueriesContext(connection) as ctx:
            render(user)
        return len(ctx.captured_queries)

    for level in ("grid", "community", "department"):
        world.incident(level)
    render(world.district_official)  # warm caches (jurisdiction paths are cached on the user)
    render(world.community_staff)
    few_list, few_mine = count(world.district_official), count(world.community_staff)
    for _ in range(3):
        for level in ("grid", "community", "street", "department"):
            world.incident(level)
    assert count(world.district_official) == few_list
    assert count(world.community_staff) == few_mine

    with CaptureQueriesContext(connection) as ctx:
        list(incident_queue_mine(user=world.community_staff))
    mine_few = len(ctx.captured_queries)
    world.incident("community")
    world.incident("community")
    with CaptureQueriesContext(connection) as ctx:
        list(incident_queue_mine(user=world.community_staff))
    assert len(ctx.captured_queries) == mine_few


def test_tracking_code_lookup_shows_public_events_only(world):
    incident = world.advance(world.incident("grid"), to=S.IN_HAND)
    from grids.services.incidents import incident_contact

    incident_contact(actor=world.grid_worker, incident_id=incident.pk, method="phone")
    found = incident_by_tracking_code(f"  {incident.tracking_code.lower()} ")
    assert found == incident
    assert [e.to_status for e in found.public_events] == [S.REPORTED, S.REGISTERED, S.DISPATCHED, S.SIGNED, S.IN_HAND]
    assert incident_by_tracking_code("GZ000000XXXXXX") is None
    assert incident_by_tracking_code("") is None
