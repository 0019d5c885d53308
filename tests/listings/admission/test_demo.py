"""The demo admission data (`seed_demo_admission`): every state present, created through the services, marked as
sample data; a second run writes nothing; without the lists or the accounts nothing is created."""

import io

import pytest
from django.utils import timezone

from governance.models import Department, Notification, Role
from listings.admission.models import AdmissionEvent, AdmittedTask, Application, ExtraDemand, SentTask
from listings.admission.services.demo import seed_demo_admission
from listings.models import ListKind
from tests.factories import make_tree, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_district(db):
    """A small stand-in for 示范区: district code 110199, its 城管 department and the three demo accounts."""
    tree = make_tree("110199")
    department = Department.objects.create(name="示范区城市管理综合行政执法局", code="110199-CGZF",
                                           district=tree.district)
    make_user(Role.DEPARTMENT_HANDLER, department=department, username="demo_department")
    make_user(Role.DISTRICT_OFFICIAL, region=tree.district, username="demo_district")
    make_user(Role.COMMUNITY_STAFF, region=tree.communities[0], username="demo_community")
    return tree


def _lists():
    from listings.services.demo import seed_demo_lists

    seed_demo_lists()


def _snapshot():
    return {model.__name__: model.objects.count() for model in (
        Application, AdmissionEvent, AdmittedTask, SentTask, ExtraDemand, Notification)}


def test_every_state_is_seeded_through_the_services(demo_district):
    _lists()
    out = io.StringIO()
    seed_demo_admission(stdout=out)
    statuses = sorted(Application.objects.values_list("status", flat=True))
    assert statuses == sorted(["admitted", "under_review", "submitted", "returned", "refused", "refused", "draft",
                               "revoked"]), out.getvalue()
    assert not Application.objects.filter(is_sample=False).exists()
    refused_at_once = Application.objects.get(status="refused", decided_by__isnull=True)
    assert refused_at_once.track == "refused" and refused_at_once.reason_codes[0]["code"] == "negative_list"
    admitted = Application.objects.get(status="admitted")
    assert admitted.track == "fast_track" and admitted.ledger_rows.count() == 4
    assert admitted.events.order_by("created_at").first().created_at == admitted.applied_at
    overdue = Application.objects.get(status="submitted")
    assert overdue.review_due_at < timezone.now()  # the next sweep escalates it
    tasks = SentTask.objects.order_by("created_at", "pk")
    assert SentTask.objects.filter(is_admitted=True).count() == 2
    refused = SentTask.objects.get(state="refused")
    assert not refused.is_admitted and refused.refusal_reason and refused.community == demo_district.communities[0]
    assert SentTask.objects.filter(state="received", is_admitted=False, gate_reason="no_citation").count() == 1
    assert ExtraDemand.objects.filter(source="sent").count() == 1
    assert all(t.is_sample for t in tasks)
    assert Notification.objects.filter(kind="task_refused").exists()
    assert "created this run: 8 applications, 5 tasks sent" in out.getvalue()


def test_a_second_run_writes_nothing(demo_district):
    _lists()
    seed_demo_admission()
    before = _snapshot()
    out = io.StringIO()
    seed_demo_admission(stdout=out)
    assert _snapshot() == before
    assert "created this run: 0 applications, 0 tasks sent" in out.getvalue()


def test_without_the_lists_nothing_is_created(demo_district):
    out = io.StringIO()
    seed_demo_admission(stdout=out)
    assert "lists are absent" in out.getvalue()
    assert _snapshot() == {k: 0 for k in _snapshot()}


def test_without_the_district_or_the_accounts_nothing_is_created(db):
    out = io.StringIO()
    seed_demo_admission(stdout=out)
    assert "110199 not found" in out.getvalue()
    tree = make_tree("110199")
    seed_demo_admission(stdout=out)
    assert "demo accounts are missing" in out.getvalue()
    assert not ListKind.objects.filter(district=tree.district).exists() and not Application.objects.exists()
