"""The deadline sweep (grids.services.deadlines): warnings at 80 %, overdue, escalation one level up (督办),
whistle report-ins, run-twice and concurrent-run safety, the working calendar, and the sweep's query budget.

Cases are built directly with the ORM (deadline columns filled in by hand), so these tests do not depend on the
lifecycle services; time is injected with `now=` (or frozen with time-machine where the clock itself matters)."""

import datetime as dt
import itertools
import sys
import threading
import types

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from governance.models import Notification, Role
from grids.models import Assignment, Category, Incident, IncidentEvent, Supervision, WhistleCall, WhistleSummons
from grids.services.deadlines import incident_deadlines_sweep
from tests.factories import DepartmentFactory, make_grid_worker, make_tree, make_user

UTC = dt.UTC
T0 = dt.datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # Monday 09:00 in Shanghai
SIGN_FOR = dt.timedelta(hours=10)
HANDLE = dt.timedelta(days=7)
_codes = itertools.count(1)


# --- building blocks (also used by the end-to-end test) ---------------------------------------------------------

class World:
    """One district (tree), one department, and one account on every rung of the ladder."""

    def __init__(self, tree=None):
        self.tree = tree or make_tree()
        t = self.tree
        self.grid, self.community, self.street = t.grids[0], t.communities[0], t.streets[0]
        self.category = Category.objects.add_root(create_kwargs=dict(tree="event", code=f"T{next(_codes):05d}",
                                                                 name="测试事项"))
        self.department = DepartmentFactory(district=t.district)
        self.grid_worker = make_grid_worker(self.grid, email="gw@example.cn")
        self.community_staff = make_user(Role.COMMUNITY_STAFF, region=self.community, email="cs@example.cn",
                                         phone="13800000001")
        self.street_staff = make_user(Role.STREET_STAFF, region=self.street, email="ss@example.cn")
        self.district_official = make_user(Role.DISTRICT_OFFICIAL, region=t.district, email="do@example.cn")
        self.handler = make_user(Role.DEPARTMENT_HANDLER, department=self.department, email="dh@example.cn")
        # Controls: same roles on other nodes must never be told.
        self.other_community_staff = make_user(Role.COMMUNITY_STAFF, region=t.communities[2])
        self.other_street_staff = make_user(Role.STREET_STAFF, region=t.streets[1])
        self.other_handler = make_user(Role.DEPARTMENT_HANDLER, department=DepartmentFactory(district=t.district))

    def incident(self, *, status=Incident.Status.DISPATCHED, start=T0, sign_for=SIGN_FOR, handle=HANDLE,
                 lead="grid", assignee=None, **extra) -> Incident:
        values = dict(tracking_code=f"TC{next(_codes):08d}", channel="web", request_type="help",
                      category=self.category, title="井盖缺失", description="路口井盖缺失", grid=self.grid,
                      status=status, registered_at=start, dispatched_at=start,
                      sign_for_by=start + sign_for if sign_for is not None else None,
                      handle_by=start + handle if handle is not None else None)
        values.update(extra)
        incident = Incident.objects.create(**values)
        if lead is not None:
            self.lead(incident, lead, assignee=assignee)
        return incident

    def lead(self, incident, level: str, *, assignee=None, state=Assignment.State.PENDING) -> Assignment:
        unit = {"grid": {"region": self.grid}, "community": {"region": self.community},
                "street": {"region": self.street}, "department": {"department": self.department}}[level]
        return Assignment.objects.create(incident=incident, role=Assignment.Role.LEAD, level=level,
                                         assignee=assignee, state=state, **unit)

    def summons(self, incident, *, called_at=T0, limit=dt.timedelta(hours=2), caller=None) -> WhistleSummons:
        whistle = WhistleCall.objects.create(incident=incident, caller=caller or self.street_staff, reason="多部门问题")
        WhistleCall.objects.filter(pk=whistle.pk).update(created_at=called_at)
        return WhistleSummons.objects.create(whistle=whistle, department=self.department, report_by=called_at + limit)


def recipients(kind: str, incident=None) -> set[str]:
    qs = Notification.objects.filter(kind=kind)
    if incident is not None:
        qs = qs.filter(object_id=str(incident.pk))
    return set(qs.values_list("recipient__username", flat=True))


def steps(incident) -> list[tuple[str, str, str]]:
    return list(Supervision.objects.filter(incident=incident).order_by("due_at", "id")
                .values_list("deadline", "step", "level"))


@pytest.fixture
def world(db):
    return World()


@pytest.fixture(autouse=True)
def _eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.GONGZHI_DEADLINE_WARNING_SHARE = 0.8


# --- warnings -----------------------------------------------------------------------------------------------

def test_warning_fires_at_80_percent_and_not_before(world):
    incident = world.incident(assignee=world.grid_worker)  # sign-for: 10 h from dispatch → warning at 8 h

    counts = incident_deadlines_sweep(now=T0 + dt.timedelta(hours=7, minutes=59))
    assert counts["warning"] == 0 and steps(incident) == []

    counts = incident_deadlines_sweep(now=T0 + dt.timedelta(hours=8))
    assert counts["warning"] == 1
    assert steps(incident) == [("sign_for", "warning", "")]
    assert recipients("deadline_warning") == {world.grid_worker.username}   # the assignee
    assert incident_deadlines_sweep(now=T0 + dt.timedelta(hours=9))["warning"] == 0  # once


def test_warning_with_frozen_clock(world):
    incident = world.incident(lead="department")
    with time_machine.travel(T0 + dt.timedelta(hours=7, minutes=30), tick=False):
        assert incident_deadlines_sweep()["warning"] == 0
    with time_machine.travel(T0 + dt.timedelta(hours=8, minutes=1), tick=False):
        assert incident_deadlines_sweep()["warning"] == 1
    assert Supervision.objects.get(incident=incident).due_at == T0 + SIGN_FOR
    assert recipients("deadline_warning") == {world.handler.username}   # no assignee: the unit's accounts


def test_warning_share_is_a_setting(world, settings):
    settings.GONGZHI_DEADLINE_WARNING_SHARE = 0.5
    world.incident()
    assert incident_deadlines_sweep(now=T0 + dt.timedelta(hours=4, minutes=59))["warning"] == 0
    assert incident_deadlines_sweep(now=T0 + dt.timedelta(hours=5))["warning"] == 1


def test_due_date_in_the_future_is_untouched(world):
    incident = world.incident()
    counts = incident_deadlines_sweep(now=T0 + dt.timedelta(hours=1))
    assert {k: v for k, v in counts.items() if k != "dispatched"} == dict.fromkeys(
        ["warning", "overdue", "escalated", "report_in_warning", "report_in_overdue", "report_in_escalated",
         "errors"], 0)
    incident.refresh_from_db()
    assert incident.escalation_level == 0
    assert not Supervision.objects.exists() and not Notification.objects.exists()
    assert not IncidentEvent.objects.filter(kind="supervision").exists()


def test_a_sweep_that_wakes_up_late_skips_the_warning(world):
    incident = world.incident()
    incident_deadlines_sweep(now=T0 + SIGN_FOR + dt.timedelta(minutes=5))
    assert [s for _, s, _ in steps(incident)] == ["overdue", "escalated"]


# --- overdue and escalation ---------------------------------------------------------------------------------

def test_overdue_then_escalated_once_when_swept_twice(world):
    incident = world.incident(assignee=world.grid_worker)
    now = T0 + SIGN_FOR + dt.timedelta(minutes=1)

    first = incident_deadlines_sweep(now=now)
    second = incident_deadlines_sweep(now=now)

    assert (first["overdue"], first["escalated"]) == (1, 1)
    assert (second["warning"], second["overdue"], second["escalated"]) == (0, 0, 0)
    assert steps(incident) == [("sign_for", "overdue", ""), ("sign_for", "escalated", "community")]
    incident.refresh_from_db()
    assert incident.escalation_level == 1
    events = IncidentEvent.objects.filter(incident=incident, kind="supervision")
    assert events.count() == 2 and not events.filter(public=True).exists()
    assert recipients("deadline_overdue") == {world.grid_worker.username}
    assert recipients("deadline_escalated") == {world.community_staff.username}
    assert Notification.objects.count() == 2
    note = Notification.objects.get(kind="deadline_escalated")
    assert note.dedupe_key == f"deadline:{incident.pk}:sign_for:escalated:{(T0 + SIGN_FOR).isoformat()}"
    assert note.object_type == "grids.incident" and note.object_id == str(incident.pk)


@pytest.mark.parametrize(("lead", "level", "expected"), [
    ("grid", "community", "community_staff"),
    ("community", "street", "street_staff"),
    ("street", "district", "district_official"),
    ("department", "district", "district_official"),
])
def test_escalation_goes_one_level_up_from_the_lead_unit(world, lead, level, expected):
    incident = world.incident(lead=lead)
    incident_deadlines_sweep(now=T0 + SIGN_FOR + dt.timedelta(minutes=1))
    assert Supervision.objects.get(incident=incident, step="escalated").level == level
    assert recipients("deadline_escalated") == {getattr(world, expected).username}
    incident.refresh_from_db()
    assert incident.escalation_level == 1


def test_the_lead_unit_accounts_get_the_overdue_notice(world):
    incident = world.incident(lead="department")
    incident_deadlines_sweep(now=T0 + SIGN_FOR + dt.timedelta(minutes=1))
    assert recipients("deadline_overdue", incident) == {world.handler.username}


def test_a_case_that_stays_late_climbs_one_rung_per_full_limit(world):
    incident = world.incident(lead="grid")  # sign-for limit 10 h: community, then street, then district
    due = T0 + SIGN_FOR
    incident_deadlines_sweep(now=due)
    incident_deadlines_sweep(now=due + SIGN_FOR - dt.timedelta(minutes=1))
    assert [lvl for _, s, lvl in steps(incident) if s == "escalated"] == ["community"]
    incident_deadlines_sweep(now=due + SIGN_FOR)
    incident_deadlines_sweep(now=due + 2 * SIGN_FOR)
    incident_deadlines_sweep(now=due + 5 * SIGN_FOR)   # at the top: no more
    rows = list(Supervision.objects.filter(incident=incident, step="escalated").order_by("due_at")
                .values_list("level", "due_at"))
    assert rows == [("community", due), ("street", due + SIGN_FOR), ("district", due + 2 * SIGN_FOR)]
    incident.refresh_from_db()
    assert incident.escalation_level == 3
    assert recipients("deadline_escalated") == {world.community_staff.username, world.street_staff.username,
                                                world.district_official.username}


def test_catch_up_after_a_long_outage_climbs_every_missed_rung_once(world):
    incident = world.incident(lead="community")
    counts = incident_deadlines_sweep(now=T0 + SIGN_FOR + 3 * SIGN_FOR)
    assert counts["escalated"] == 2  # street, then district (the top)
    assert [lvl for _, s, lvl in steps(incident) if s == "escalated"] == ["street", "district"]
    assert incident_deadlines_sweep(now=T0 + SIGN_FOR + 3 * SIGN_FOR)["escalated"] == 0


def test_repeat_interval_setting(world, settings):
    settings.GONGZHI_ESCALATION_REPEAT_HOURS = 1
    incident = world.incident(lead="grid")
    due = T0 + SIGN_FOR
    incident_deadlines_sweep(now=due)
    incident_deadlines_sweep(now=due + dt.timedelta(minutes=59))
    assert Supervision.objects.filter(incident=incident, step="escalated").count() == 1
    incident_deadlines_sweep(now=due + dt.timedelta(hours=1))
    assert [lvl for _, s, lvl in steps(incident) if s == "escalated"] == ["community", "street"]


def test_late_again_on_the_next_deadline_goes_one_rung_further(world):
    incident = world.incident(lead="grid")
    incident_deadlines_sweep(now=T0 + SIGN_FOR)  # late to sign for: community
    Incident.objects.filter(pk=incident.pk).update(status=Incident.Status.IN_HAND, signed_at=T0 + SIGN_FOR)
    incident_deadlines_sweep(now=T0 + HANDLE)     # late to handle: street
    assert [(d, lvl) for d, s, lvl in steps(incident) if s == "escalated"] == [("sign_for", "community"),
                                                                             ("handle", "street")]
    incident.refresh_from_db()
    assert incident.escalation_level == 2


def test_already_at_the_top_the_next_late_deadline_still_reaches_the_district(world):
    incident = world.incident(lead="department")
    incident_deadlines_sweep(now=T0 + SIGN_FOR)   # late to sign for: district (the top for a department)
    Incident.objects.filter(pk=incident.pk).update(status=Incident.Status.IN_HAND, signed_at=T0 + SIGN_FOR)
    Notification.objects.all().delete()
    incident_deadlines_sweep(now=T0 + HANDLE)     # late to handle: the district again, for this deadline
    assert Supervision.objects.get(incident=incident, deadline="handle", step="escalated").level == "district"
    assert recipients("deadline_escalated") == {world.district_official.username}
    incident.refresh_from_db()
    assert incident.escalation_level == 1


def test_clocks_follow_the_status(world):
    signed = world.incident(status=Incident.Status.SIGNED)   # sign-for no longer runs; handling does
    closed = world.incident(status=Incident.Status.CLOSED)
    answered = world.incident(status=Incident.Status.ANSWERED, answered_at=T0,
                              verify_by=T0 + dt.timedelta(hours=48))
    incident_deadlines_sweep(now=T0 + SIGN_FOR + dt.timedelta(hours=1))
    assert steps(signed) == [] and steps(closed) == [] and steps(answered) == []
    incident_deadlines_sweep(now=T0 + dt.timedelta(hours=49))
    assert steps(answered) == [("verify", "overdue", ""), ("verify", "escalated", "community")]
    assert recipients("deadline_overdue", answered) == {world.grid_worker.username}  # the grid verifies
    assert steps(signed) == []  # its handling limit is 7 days


def test_an_extension_moves_the_deadline_and_the_steps_fire_again(world):
    incident = world.incident(status=Incident.Status.IN_HAND)
    incident_deadlines_sweep(now=T0 + HANDLE * 0.8)
    assert steps(incident) == [("handle", "warning", "")]
    Incident.objects.filter(pk=incident.pk).update(handle_by=T0 + 2 * HANDLE)   # 延期 approved
    incident_deadlines_sweep(now=T0 + HANDLE)
    assert steps(incident) == [("handle", "warning", "")]                        # no longer overdue
    incident_deadlines_sweep(now=T0 + 2 * HANDLE * 0.8)
    assert [d.step for d in Supervision.objects.filter(incident=incident)] == ["warning", "warning"]


def test_handling_clock_runs_from_registration_and_restarts_on_reopen(world):
    waited = world.incident(status=Incident.Status.SIGNED, start=T0, dispatched_at=T0 + dt.timedelta(days=2))
    reopened = world.incident(status=Incident.Status.DISPATCHED, start=T0, sign_for=None,
                              dispatched_at=T0 + dt.timedelta(days=20), handle_by=T0 + dt.timedelta(days=27),
                              reopen_count=1)
    incident_deadlines_sweep(now=T0 + dt.timedelta(days=5, hours=15))   # 80 % of 7 days after registration
    assert steps(waited) == [("handle", "warning", "")]
    incident_deadlines_sweep(now=T0 + dt.timedelta(days=20, hours=1))
    assert steps(reopened) == []   # 80 % of 27 days from registration has passed, but it restarted on day 20
    incident_deadlines_sweep(now=T0 + dt.timedelta(days=20) + dt.timedelta(days=7) * 0.8)
    assert steps(reopened) == [("handle", "warning", "")]


def test_no_lead_assignment_falls_back_to_the_grid(world):
    incident = world.incident(lead=None)
    incident_deadlines_sweep(now=T0 + SIGN_FOR)
    assert recipients("deadline_overdue", incident) == {world.grid_worker.username}
    assert recipients("deadline_escalated", incident) == {world.community_staff.username}


def test_a_returned_case_uses_the_returning_lead_unit(world):
    incident = world.incident(status=Incident.Status.RETURNED, lead=None)
    world.lead(incident, "department", state=Assignment.State.RETURNED)
    incident_deadlines_sweep(now=T0 + HANDLE)
    assert Supervision.objects.get(incident=incident, deadline="handle", step="escalated").level == "district"


def test_escalation_sends_email_and_sms_after_commit(world, settings, django_capture_on_commit_callbacks):
    from governance.sms import MemorySmsBackend

    settings.GONGZHI_SMS_BACKEND = "governance.sms.MemorySmsBackend"
    MemorySmsBackend.outbox.clear()
    world.incident(lead="grid")
    with django_capture_on_commit_callbacks(execute=True):
        incident_deadlines_sweep(now=T0 + SIGN_FOR)
    assert sorted(m.to[0] for m in mail.outbox) == ["cs@example.cn", "gw@example.cn"]
    assert [m["phone"] for m in MemorySmsBackend.outbox] == ["13800000001"]   # 督办 also goes by SMS


def test_one_failing_row_does_not_stop_the_others(world, monkeypatch):
    import governance.services.notifications as notifications

    bad = world.incident(lead="grid")
    good = world.incident(lead="grid", sign_for=SIGN_FOR + dt.timedelta(minutes=1))
    real_notify = notifications.notify

    def notify(**kwargs):
        if kwargs["obj"].pk == bad.pk:
            raise RuntimeError("boom")
        return real_notify(**kwargs)

    monkeypatch.setattr(notifications, "notify", notify)
    counts = incident_deadlines_sweep(now=T0 + 2 * SIGN_FOR - dt.timedelta(minutes=1))
    assert counts["errors"] == 2   # bad: its overdue and its escalation steps, each rolled back
    assert steps(bad) == []
    assert [s for _, s, _ in steps(good)] == ["overdue", "escalated"]


# --- whistle report-ins (吹哨报到) ------------------------------------------------------------------------------

def test_whistle_report_in_warning_then_escalation_once(world):
    incident = world.incident(status=Incident.Status.IN_HAND, lead="street")
    summons = world.summons(incident)      # report in within 2 h: warning at 1 h 36 min

    assert incident_deadlines_sweep(now=T0 + dt.timedelta(minutes=95))["report_in_warning"] == 0
    assert incident_deadlines_sweep(now=T0 + dt.timedelta(minutes=96))["report_in_warning"] == 1
    assert recipients("deadline_warning", incident) == {world.handler.username}

    late = T0 + dt.timedelta(hours=2, minutes=1)
    first = incident_deadlines_sweep(now=late)
    second = incident_deadlines_sweep(now=late + dt.timedelta(hours=5))
    assert (first["report_in_overdue"], first["report_in_escalated"]) == (1, 1)
    assert (second["report_in_overdue"], second["report_in_escalated"]) == (0, 0)
    summons.refresh_from_db()
    assert summons.escalated_at == late
    assert steps(incident) == [(f"report_in:{summons.pk}", "warning", ""), (f"report_in:{summons.pk}", "overdue", ""),
                               (f"report_in:{summons.pk}", "escalated", "district")]
    # The calling unit (the street) and the district officials of the department's district.
    assert recipients("deadline_escalated", incident) == {world.street_staff.username,
                                                          world.district_official.username}
    incident.refresh_from_db()
    assert incident.escalation_level == 0   # the lead unit is not the one late


def test_a_department_that_reported_in_is_left_alone(world):
    incident = world.incident(status=Incident.Status.IN_HAND)
    summons = world.summons(incident)
    WhistleSummons.objects.filter(pk=summons.pk).update(reported_at=T0 + dt.timedelta(hours=1))
    counts = incident_deadlines_sweep(now=T0 + dt.timedelta(hours=3))
    assert counts["report_in_overdue"] == counts["report_in_escalated"] == 0
    summons.refresh_from_db()
    assert summons.escalated_at is None


# --- the dispatch rescue --------------------------------------------------------------------------------------

def test_sweep_first_dispatches_pending_cases(world, monkeypatch):
    calls = []
    fake = types.ModuleType("grids.services.dispatch")
    fake.incident_dispatch_pending = lambda *, now=None: calls.append(now) or 3
    monkeypatch.setitem(sys.modules, "grids.services.dispatch", fake)
    now = T0 + dt.timedelta(hours=1)
    assert incident_deadlines_sweep(now=now)["dispatched"] == 3
    assert calls == [now]


def test_a_broken_dispatch_does_not_stop_the_deadlines(world, monkeypatch):
    def broken(*, now=None):
        raise RuntimeError("dispatch bug")

    fake = types.ModuleType("grids.services.dispatch")
    fake.incident_dispatch_pending = broken
    monkeypatch.setitem(sys.modules, "grids.services.dispatch", fake)
    world.incident()
    counts = incident_deadlines_sweep(now=T0 + SIGN_FOR)
    assert counts["dispatched"] is None and counts["escalated"] == 1


def test_sweep_task_wiring_in_eager_mode(world):
    from grids.tasks import incident_deadlines_sweep_task

    world.incident(sign_for=dt.timedelta(minutes=-5), handle=dt.timedelta(minutes=-1))  # already late, real clock
    result = incident_deadlines_sweep_task.apply().get()
    assert result["overdue"] == 2 and result["escalated"] >= 1


# --- the working calendar ---------------------------------------------------------------------------------------

def test_working_calendar_changes_the_deadline(world, settings):
    """Friday 16:00 + 24 h: on the clock Saturday 16:00; in working hours (08:30–17:30, chinese-calendar) the
    following Wednesday 13:00. The lifecycle computes deadlines with grids.sla through `case_deadline`; the sweep
    follows the column, so on Monday only the clock deadline is overdue."""
    from grids.services.incidents import case_deadline
    from grids.sla import WorkingCalendar, deadline_after

    friday = dt.datetime(2026, 3, 6, 8, 0, tzinfo=UTC)   # 16:00 in Shanghai
    probe = Incident(urgency=Incident.Urgency.NORMAL)
    settings.GONGZHI_WORKING_CALENDAR = False
    clock_due = case_deadline(probe, friday, 24)
    settings.GONGZHI_WORKING_CALENDAR = True
    working_due = case_deadline(probe, friday, 24)
    assert clock_due == friday + dt.timedelta(hours=24)
    assert working_due == dt.datetime(2026, 3, 11, 5, 0, tzinfo=UTC)   # Wed 13:00 local: 1.5 h + 2×9 h + 4.5 h
    assert working_due == deadline_after(friday, 24, calendar=WorkingCalendar())
    assert case_deadline(Incident(urgency=Incident.Urgency.EMERGENCY), friday, 2) == friday + dt.timedelta(hours=2)

    by_clock = world.incident(start=friday, sign_for=clock_due - friday, handle=None)
    by_hours = world.incident(start=friday, sign_for=working_due - friday, handle=None)
    monday = dt.datetime(2026, 3, 9, 2, 0, tzinfo=UTC)
    incident_deadlines_sweep(now=monday)
    assert {s for _, s, _ in steps(by_clock)} == {"overdue", "escalated"}
    assert steps(by_hours) == []


# --- cost ----------------------------------------------------------------------------------------------------------

def _sweep_queries(now) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        incident_deadlines_sweep(now=now)
    sqls = [q["sql"].lstrip().upper() for q in ctx.captured_queries]
    reads = sum(1 for s in sqls if s.startswith("SELECT"))
    return reads, len(sqls) - reads


def test_query_count_is_flat_except_for_the_per_row_writes(world):
    """5 vs 25 overdue cases: the reads (SELECT) are the same number; everything else is per-row writes, and
    exactly the same per case.

    Budget per overdue case here (grid lead whose one grid worker is told it is overdue; one community account,
    SMS only, told of the 督办), 21 statements:
      OVERDUE step:   SAVEPOINT + SAVEPOINT, Supervision INSERT, RELEASE, guard UPDATE, event INSERT,
                      SAVEPOINT, inbox INSERT, RELEASE (per recipient), RELEASE                      = 10
      ESCALATED step: the same 10 + one Delivery INSERT (the SMS channel)                           = 11
    No per-case SELECT at all: leads, regions, accounts and earlier escalations are read once per batch."""
    for user in (world.grid_worker, world.community_staff):
        user.email = ""
        user.save()
    now = T0 + SIGN_FOR
    [world.incident() for _ in range(5)]
    reads_5, writes_5 = _sweep_queries(now)
    [world.incident() for _ in range(25)]
    reads_25, writes_25 = _sweep_queries(now)
    assert Supervision.objects.filter(step="escalated").count() == 30
    assert reads_25 == reads_5
    assert writes_5 == 5 * 21 and writes_25 == 25 * 21


# --- concurrency (PostgreSQL) -------------------------------------------------------------------------------------

@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sweeps_act_once(settings):
    """Two threads, each with its own database connection, sweep the same overdue cases at the same moment."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    world = World()
    cases = [world.incident(lead="grid") for _ in range(15)]
    summons = world.summons(world.incident(status=Incident.Status.IN_HAND, sign_for=None))
    now = T0 + SIGN_FOR + dt.timedelta(hours=1)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        from django.db import connection as thread_connection

        try:
            barrier.wait(timeout=10)
            results.append(incident_deadlines_sweep(now=now))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors and len(results) == 2
    print("concurrent sweeps:", [(r["overdue"], r["escalated"]) for r in results])
    for key, expected in (("overdue", 15), ("escalated", 15), ("report_in_escalated", 1)):
        assert results[0][key] + results[1][key] == expected, key     # each step won by exactly one sweep
    assert results[0]["errors"] == results[1]["errors"] == 0
    for incident in cases:
        assert Supervision.objects.filter(incident=incident, step="escalated").count() == 1
        assert Notification.objects.filter(object_id=str(incident.pk), kind="deadline_escalated").count() == 1
        assert IncidentEvent.objects.filter(incident=incident, kind="supervision").count() == 2
        incident.refresh_from_db()
        assert incident.escalation_level == 1
    summons.refresh_from_db()
    assert summons.escalated_at == now
    assert Supervision.objects.filter(deadline=f"report_in:{summons.pk}", step="escalated").count() == 1


def test_world_helper_is_self_consistent(db):
    """Guards the helper the end-to-end test shares: two worlds in one database do not collide."""
    World(make_tree("110102"))
    World(make_tree("110103"))
    assert Category.objects.count() == 2
