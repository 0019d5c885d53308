"""The two staff queues: who sees what (and 404 for everyone else), due soonest first with overdue and warning
marks, every filter (and a wrong date range), pagination, department handlers, and flat query counts."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from governance.models import Role
from grids.models import HandlingLevel, Incident
from grids.selectors.cases import case_queue_mine, case_queue_unit
from grids.services.incidents import extension_request, incident_reject
from grids.services.whistle import whistle_blow
from tests.factories import make_user
from tests.grids.cases.helpers import en

pytestmark = pytest.mark.django_db
S = Incident.Status
MINE, UNIT = reverse("grids:my_cases"), reverse("grids:unit_cases")


def listed(response) -> list[str]:
    """Tracking codes of the listed cases, in page order."""
    assert response.status_code == 200, response.content.decode()[:500]
    return re.findall(r'<span class="case-code">([A-Z0-9]+)</span>', response.content.decode())


def ids(qs):
    return set(qs.values_list("pk", flat=True))


def ago(**kwargs):
    return timezone.now() - datetime.timedelta(**kwargs)


# --- access --------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("url", [MINE, UNIT])
def test_anonymous_goes_to_login_and_non_staff_get_404(world, client, client_for, url):
    assert client.get(url).status_code == 302
    for who in (world.resident, make_user(Role.SYSTEM_ADMIN), make_user(Role.AUDITOR),
                make_user(Role.SECURITY_ADMIN)):
        assert client_for(who).get(url).status_code == 404


# --- my cases ------------------------------------------------------------------------------------------------------
def test_my_cases_lists_my_units_work_due_soonest_first_with_overdue_marked(world, client_for):
    later = world.incident("grid")  # sign for within 24 h from now
    overdue = world.incident("grid", now=ago(days=2))  # its sign-for deadline passed a day ago
    soon = world.incident("grid", now=ago(hours=20))  # 20 of 24 hours gone: in the warning share
    world.incident("grid", grid=world.sibling_grid)  # the neighbour's
    world.incident("community")  # the community's, not mine
    done = world.advance(world.incident("grid"), to=S.CLOSED)

    response = client_for(world.grid_worker).get(MINE)
    assert listed(response) == [overdue.tracking_code, soon.tracking_code, later.tracking_code]
    html = response.content.decode()
    assert done.tracking_code not in html
    items = re.findall(r'<li class="case-item([^"]*)" data-case="(\d+)"', html)
    marks = {int(pk): cls.strip() for cls, pk in items}
    assert marks == {overdue.pk: "case-overdue", soon.pk: "case-warning", later.pk: ""}
    assert html.count("case-mark-overdue") == 1 and html.count("case-mark-warning") == 1


def test_my_cases_of_dispatchers_include_what_waits_on_them_without_an_assignment(world):
    to_dispatch = world.incident("grid", dispatch=False)  # REGISTERED: nobody routed it yet
    answered = world.advance(world.incident("grid"), to=S.ANSWERED)  # waits for 核查
    mine = world.incident("community")
    elsewhere = world.incident("grid", grid=world.tree.grids[2])  # the next community
    # An extension asked by the grid's lead unit is decided one level up, by the community.
    extended = world.advance(world.incident("grid"), to=S.IN_HAND)
    extension_request(actor=world.grid_worker, incident_id=extended.pk, reason="需协调物业",
                      new_handle_by=extended.handle_by + datetime.timedelta(days=3))

    community = ids(case_queue_mine(user=world.community_staff))
    assert community == {to_dispatch.pk, answered.pk, mine.pk, extended.pk}
    street = ids(case_queue_mine(user=world.street_staff))
    assert street == {to_dispatch.pk}  # hand dispatch; the street decides no grid extension
    assert ids(case_queue_mine(user=world.grid_worker)) == {answered.pk, extended.pk}  # its lead or its 核查
    assert elsewhere.pk not in community | street  # the next community's own unit has it


def test_department_handlers_work_their_departments_cases(world, client_for):
    lead = world.incident(HandlingLevel.DEPARTMENT)
    summoned = world.advance(world.incident("grid"), to=S.SIGNED)
    whistle_blow(actor=world.community_staff, incident_id=summoned.pk, departments=[world.department],
                 reason="需要执法")
    other = world.incident("street")
    finished = world.incident(HandlingLevel.DEPARTMENT)
    incident_reject(actor=world.community_staff, incident_id=finished.pk, reason="重复反映")

    client = client_for(world.handler)
    assert set(listed(client.get(MINE))) == {lead.tracking_code, summoned.tracking_code}
    assert set(listed(client.get(UNIT))) == {lead.tracking_code, summoned.tracking_code}
    assert set(listed(client.get(UNIT, {"status": "all"}))) == {lead.tracking_code, summoned.tracking_code,
                                                               finished.tracking_code}
    assert other.tracking_code not in client.get(UNIT, {"status": "all"}).content.decode()
    assert listed(client_for(world.other_handler).get(MINE)) == []


# --- unit cases ----------------------------------------------------------------------------------------------------
def test_unit_cases_show_the_jurisdiction_open_by_default(world, client_for):
    open_case = world.incident("grid")
    sibling = world.incident("grid", grid=world.sibling_grid)
    closed = world.advance(world.incident("community"), to=S.CLOSED)
    rejected = world.incident("grid")
    incident_reject(actor=world.community_staff, incident_id=rejected.pk, reason="不属受理范围")
    outside = world.incident("grid", grid=world.tree.grids[2])

    client = client_for(world.community_staff)
    assert set(listed(client.get(UNIT))) == {open_case.tracking_code, sibling.tracking_code}
    assert set(listed(client.get(UNIT, {"status": "finished"}))) == {closed.tracking_code}
    assert set(listed(client.get(UNIT, {"status": "stopped"}))) == {rejected.tracking_code}
    assert set(listed(client.get(UNIT, {"status": "all"}))) == {
        open_case.tracking_code, sibling.tracking_code, closed.tracking_code, rejected.tracking_code}
    assert set(listed(client.get(UNIT, {"status": S.CLOSED}))) == {closed.tracking_code}
    assert outside.tracking_code not in client.get(UNIT, {"status": "all"}).content.decode()
    # The grid worker's unit is the grid.
    assert set(listed(client_for(world.grid_worker).get(UNIT))) == {open_case.tracking_code}
    # The district sees everything.
    assert outside.tracking_code in listed(client_for(world.district_official).get(UNIT))
    assert ids(case_queue_unit(user=world.resident)) == set()


# --- filters -------------------------------------------------------------------------------------------------------
def test_filters(world, client_for):
    grid_case = world.incident("grid", channel=Incident.Channel.PHONE, urgency=Incident.Urgency.URGENT,
                               title="路灯坏了", now=ago(days=10))
    community_case = world.incident("community", grid=world.sibling_grid)
    street_case = world.incident("street", grid=world.tree.grids[2])
    Incident.objects.filter(pk=grid_case.pk).update(created_at=ago(days=10))  # created_at is the wall clock
    client = client_for(world.street_staff)
    everything = {grid_case.tracking_code, community_case.tracking_code, street_case.tracking_code}
    assert set(listed(client.get(UNIT))) == everything

    def codes(**params):
        return set(listed(client.get(UNIT, params)))

    # Category: any level of the tree, with everything below it.
    assert codes(category=world.cats.branch.pk) == everything
    assert codes(category=world.cats.community.pk) == {community_case.tracking_code}
    # Area: a community's subtree, a single grid.
    assert codes(region=world.community.pk) == {grid_case.tracking_code, community_case.tracking_code}
    assert codes(region=world.tree.grids[2].pk) == {street_case.tracking_code}
    assert codes(channel="phone") == {grid_case.tracking_code}
    assert codes(urgency="urgent") == {grid_case.tracking_code}
    assert codes(overdue="on") == {grid_case.tracking_code}  # reported 10 days ago, never signed for
    assert codes(q=grid_case.tracking_code.lower()) == {grid_case.tracking_code}
    assert codes(q="路灯") == {grid_case.tracking_code}
    today = timezone.localdate()
    assert codes(reported_from=today.isoformat()) == {community_case.tracking_code, street_case.tracking_code}
    assert codes(reported_to=(today - datetime.timedelta(days=5)).isoformat()) == {grid_case.tracking_code}
    # Filters combine.
    assert codes(region=world.community.pk, channel="web") == {community_case.tracking_code}


def test_a_wrong_date_range_is_a_clear_message_and_the_input_is_kept(world, client_for, en_client_for):
    world.incident("grid")
    response = en_client_for(world.community_staff).get(UNIT, {"reported_from": "2026-03-10",
                                                              "reported_to": "2026-03-01"})
    html = response.content.decode()
    assert response.status_code == 200
    assert en("The end date is before the start date. 结束日期早于开始日期，请检查。") in html
    assert 'value="2026-03-10"' in html and 'value="2026-03-01"' in html
    assert listed(response) == []
    response = client_for(world.community_staff).get(UNIT, {"reported_from": "not a date"})
    assert response.status_code == 200 and "field-invalid" in response.content.decode()


def test_area_and_category_choices_are_scoped_and_a_foreign_id_is_refused(world, client_for):
    world.incident("grid")
    client = client_for(world.community_staff)
    html = client.get(UNIT).content.decode()
    region_options = re.search(r'<select name="region"[^>]*>(.*?)</select>', html, re.S).group(1)
    assert f'value="{world.community.pk}"' in region_options
    assert f'value="{world.tree.communities[1].pk}"' not in region_options
    response = client.get(UNIT, {"region": world.tree.communities[1].pk})
    assert response.status_code == 200 and "field-invalid" in response.content.decode()
    assert listed(response) == []
    assert client.get(UNIT, {"category": "nonsense", "status": "nonsense"}).status_code == 200


def test_pagination(world, client_for):
    made = [world.incident("grid", dispatch=False) for _ in range(27)]
    client = client_for(world.community_staff)
    first, second = listed(client.get(UNIT)), listed(client.get(UNIT, {"page": 2}))
    assert len(first) == 25 and len(second) == 2
    assert set(first) | set(second) == {i.tracking_code for i in made}


# --- query counts --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("url", [MINE, UNIT])
@pytest.mark.parametrize("role", ["grid_worker", "community_staff", "handler"])
def test_queue_query_count_is_flat(world, client_for, count_queries, url, role):
    def add(n):
        for _ in range(n):
            if role == "handler":
                case = world.incident(HandlingLevel.DEPARTMENT)
            else:
                case = world.advance(world.incident("grid"), to=S.IN_HAND)
                whistle_blow(actor=world.community_staff, incident_id=case.pk, departments=[world.department],
                             reason="协助")
                world.incident("community", dispatch=False)

    client = client_for(getattr(world, role))
    add(2)
    client.get(url)  # warm-up
    few = count_queries(lambda: client.get(url, {"status": "all"} if url == UNIT else {}))
    add(10)
    many = count_queries(lambda: client.get(url, {"status": "all"} if url == UNIT else {}))
    assert len(listed(client.get(url))) >= 10
    assert many == few


def test_a_case_escalated_by_the_sweep_joins_the_supervising_units_queue(world):
    from grids.services.deadlines import incident_deadlines_sweep

    late = world.advance(world.incident("grid", now=ago(days=9)), to=S.IN_HAND, now=ago(days=9))
    on_time = world.advance(world.incident("grid"), to=S.IN_HAND)
    assert late.pk not in ids(case_queue_mine(user=world.community_staff))
    incident_deadlines_sweep()  # 7 days to handle: passed two days ago → 督办 one level up, the community
    late.refresh_from_db()
    assert late.escalation_level == 1
    assert late.pk in ids(case_queue_mine(user=world.community_staff))
    assert on_time.pk not in ids(case_queue_mine(user=world.community_staff))
    assert late.pk not in ids(case_queue_mine(user=world.other_community_staff))
