"""seed_demo_cases: thirty demo cases through the real services, after the demo district; idempotent, retrying a
case the services refused, deterministic in its plan, with rows in every demo account's queue and in the metrics."""

import datetime
import io

import pytest
from django.db import transaction
from django.db.models import Max
from django.test import override_settings
from django.utils import timezone

from governance.models import User
from grids.metrics import unit_metrics
from grids.models import (
    Assignment,
    ContactLog,
    ExtensionRequest,
    Incident,
    IncidentEvent,
    Region,
    Supervision,
    WhistleSummons,
)
from grids.selectors.cases import case_queue_mine
from grids.selectors.incidents import incident_list
from grids.services.demo import DISTRICT_CODE, demo_seed
from grids.services.demo_cases import CASES, EXTERNAL_PREFIX, seed_demo_cases

S = Incident.Status
DEPARTMENT_CASES = {"13", "14", "25", "26", "27"}  # a step of each is done by demo_department
MODELS = (Incident, IncidentEvent, Assignment, ContactLog, Supervision, WhistleSummons, ExtensionRequest)


def _snapshot() -> dict:
    return {"counts": {m.__name__: m.objects.count() for m in MODELS},
            "updated": Incident.objects.aggregate(t=Max("updated_at"))["t"]}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seed with demo_department disabled (its cases are skipped), enable it and seed again (they are created),
    then seed a third time (nothing changes). Rolled back when the module is done."""
    with django_db_blocker.unblock(), override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        with transaction.atomic():
            demo_seed()
            User.objects.filter(username="demo_department").update(is_active=False)
            first = seed_demo_cases()
            User.objects.filter(username="demo_department").update(is_active=True)
            second = seed_demo_cases()
            after_second = _snapshot()
            out = io.StringIO()
            third = seed_demo_cases(stdout=out)
            after_third = _snapshot()
            yield {"first": first, "second": second, "third": third, "after_second": after_second,
                   "after_third": after_third, "third_output": out.getvalue()}
            transaction.set_rollback(True)


@pytest.fixture
def demo(seeded, db):
    return seeded


def _cases():
    return Incident.objects.filter(external_id__startswith=EXTERNAL_PREFIX)


def test_the_plan_is_sound():
    keys = [case.key for case in CASES]
    assert len(keys) == len(set(keys)) == 30
    for case in CASES:
        assert all(0 < step.hours < case.hours_ago for step in case.steps), case.key
        hours = [step.hours for step in case.steps]
        assert hours == sorted(hours), case.key


def test_a_refused_case_is_skipped_and_created_on_the_next_run(demo):
    assert set(demo["first"]["skipped"]) == DEPARTMENT_CASES
    assert len(demo["first"]["created"]) == 30 - len(DEPARTMENT_CASES)
    assert set(demo["second"]["created"]) == DEPARTMENT_CASES and not demo["second"]["skipped"]


def test_seeding_again_changes_nothing(demo):
    assert demo["third"]["created"] == [] and demo["third"]["existing"] == 30
    assert demo["after_second"] == demo["after_third"]
    assert "nothing created or changed" in demo["third_output"]


def test_the_cases_went_through_the_lifecycle(demo):
    cases = {i.external_id[len(EXTERNAL_PREFIX):]: i for i in _cases()}
    assert len(cases) == 30
    district = Region.objects.get(code=DISTRICT_CODE, valid_to__isnull=True)
    assert all(i.grid.path.startswith(district.path) for i in cases.values())
    statuses = {i.status for i in cases.values()}
    assert {S.DISPATCHED, S.SIGNED, S.IN_HAND, S.ANSWERED, S.RATED, S.REJECTED, S.MERGED} <= statuses
    assert {i.channel for i in cases.values()} >= {"web", "patrol", "phone", "walk_in", "hotline"}
    # Every case was registered and dispatched through the services: events, deadlines, a lead unit.
    for key, incident in cases.items():
        kinds = list(incident.events.values_list("to_status", flat=True))
        assert kinds[:2] == [S.REPORTED, S.REGISTERED], key
        assert incident.handle_by and incident.registered_at, key
        assert incident.assignments.filter(role=Assignment.Role.LEAD).exists(), key
    rated = [i for i in cases.values() if i.status == S.RATED]
    assert len(rated) >= 5 and all(i.satisfaction and i.closed_at for i in rated)
    assert cases["10"].reopen_count == 1 and cases["12"].rework_count == 1
    assert cases["16"].duplicate_of == cases["07"]
    assert cases["18"].assignments.filter(state=Assignment.State.RETURNED).exists()
    assert cases["17"].anonymous
    assert ExtensionRequest.objects.filter(incident=cases["04"], state="approved").exists()
    assert ExtensionRequest.objects.filter(incident=cases["22"], state="pending").exists()
    assert cases["13"].assignments.filter(role=Assignment.Role.CO, state=Assignment.State.SIGNED).exists()
    assert ContactLog.objects.filter(incident__in=cases.values()).count() >= 15


def test_one_overdue_and_one_whistled_with_supervision(demo):
    overdue = [i for i in incident_list(user=User.objects.get(username="demo_district"))
               .filter(external_id__startswith=EXTERNAL_PREFIX) if i.is_overdue]
    assert any(i.external_id.endswith("-05") for i in overdue)
    summonses = WhistleSummons.objects.filter(whistle__incident__external_id=f"{EXTERNAL_PREFIX}14")
    assert summonses.count() == 2
    assert summonses.filter(reported_at__isnull=False).count() == 1
    # The sweep ran once: overdue cases carry their 催办/督办 records.
    assert Supervision.objects.filter(incident__external_id=f"{EXTERNAL_PREFIX}05", step="overdue").exists()
    assert Supervision.objects.filter(incident__external_id=f"{EXTERNAL_PREFIX}14",
                                      deadline__startswith="report_in").exists()


def test_the_history_reads_in_order(demo):
    for incident in _cases():
        times = list(incident.events.order_by("pk").values_list("created_at", flat=True))
        assert times == sorted(times), incident.external_id
        assert incident.created_at <= times[0] + datetime.timedelta(seconds=1)
    old = _cases().get(external_id=f"{EXTERNAL_PREFIX}03")
    assert old.created_at < timezone.now() - datetime.timedelta(days=29)


def test_every_demo_account_has_work_in_its_queue(demo):
    for username in ("demo_grid", "demo_community", "demo_street", "demo_department"):
        user = User.objects.get(username=username)
        assert case_queue_mine(user=user).filter(external_id__startswith=EXTERNAL_PREFIX).exists(), username


def test_the_metrics_have_real_figures(demo):
    district = Region.objects.get(code=DISTRICT_CODE, valid_to__isnull=True)
    now = timezone.now()
    metrics = unit_metrics(unit_kind="district", unit_id=district.pk, start=now - datetime.timedelta(days=60),
                           end=now + datetime.timedelta(days=1))
    assert metrics.registered == 30
    assert metrics.response_rate is not None and metrics.satisfaction_rate is not None
    assert metrics.resolution_rate is not None and 0 < metrics.closure_rate < 1

