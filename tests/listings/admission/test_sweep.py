"""The review-deadline sweep: reminder at the warning share, escalation when late, yearly reviews due — each once,
whether the sweep runs twice or twice at the same moment."""

import datetime
import threading

import pytest
from django.db import connection

from governance.models import Delivery, Notification
from listings.admission.models import AdmissionEvent, Application
from listings.admission.services import applications as svc
from listings.admission.services.deadlines import admission_review_sweep
from tests.listings.admission.conftest import NOW, World

SECOND = datetime.timedelta(seconds=1)


@pytest.fixture
def pending(world):
    return world.apply()


def _kinds(application) -> list[str]:
    return list(AdmissionEvent.objects.filter(application=application).exclude(kind__in=["status", "edited"])
                .values_list("kind", flat=True))


@pytest.mark.django_db
def test_nothing_before_the_reminder_point(world, pending):
    assert admission_review_sweep(now=pending.review_remind_at - SECOND) == {
        "reminded": 0, "escalated": 0, "yearly_due": 0, "errors": 0}
    assert not Notification.objects.filter(kind="admission_reminder").exists()


@pytest.mark.django_db
def test_reminder_once_at_the_warning_share(world, pending):
    at = pending.review_remind_at
    assert admission_review_sweep(now=at)["reminded"] == 1
    assert admission_review_sweep(now=at + datetime.timedelta(hours=1))["reminded"] == 0
    pending.refresh_from_db()
    assert pending.reminded_at == at and pending.escalated_at is None
    note = Notification.objects.get(kind="admission_reminder")
    assert note.recipient == world.official and note.url.endswith(f"/admission/{pending.pk}/")
    assert _kinds(pending) == ["reminder"]


@pytest.mark.django_db
def test_the_warning_share_is_a_setting(world, settings):
    settings.GONGZHI_DEADLINE_WARNING_SHARE = 0.5
    application = world.apply()
    assert application.review_remind_at == NOW + (application.review_due_at - NOW) * 0.5


@pytest.mark.django_db
def test_escalation_once_when_late_without_a_reminder_after_the_deadline(world, pending):
    world.official.phone = "13800000000"
    world.official.save()
    late = pending.review_due_at + SECOND
    assert admission_review_sweep(now=late) == {"reminded": 0, "escalated": 1, "yearly_due": 0, "errors": 0}
    assert admission_review_sweep(now=late + datetime.timedelta(days=3))["escalated"] == 0
    pending.refresh_from_db()
    assert pending.escalated_at == late and pending.reminded_at is None
    assert set(Notification.objects.filter(kind="admission_escalated").values_list("recipient", flat=True)) == {
        world.official.pk, world.handler.pk}
    assert Delivery.objects.filter(notification__recipient=world.official, channel="sms").count() == 1
    assert _kinds(pending) == ["escalated"]
    assert pending.is_review_overdue(late)


@pytest.mark.django_db
def test_reminder_then_escalation(world, pending):
    admission_review_sweep(now=pending.review_remind_at)
    admission_review_sweep(now=pending.review_due_at)
    assert _kinds(pending) == ["reminder", "escalated"]


@pytest.mark.django_db
def test_a_decided_application_is_left_alone(world, pending):
    svc.application_decide(actor=world.official, application_id=pending.pk, decision="admit", now=NOW)
    counts = admission_review_sweep(now=pending.review_due_at + datetime.timedelta(days=1))
    assert counts["reminded"] == counts["escalated"] == 0


@pytest.mark.django_db
def test_under_review_still_runs_the_clock(world, pending):
    svc.application_take_up(actor=world.official, application_id=pending.pk)
    assert admission_review_sweep(now=pending.review_due_at)["escalated"] == 1


@pytest.mark.django_db
def test_a_resubmission_starts_a_new_clock_and_new_steps(world, pending):
    admission_review_sweep(now=pending.review_due_at)
    svc.application_decide(actor=world.official, application_id=pending.pk, decision="return", note="补充材料",
                           now=pending.review_due_at)
    later = pending.review_due_at + datetime.timedelta(days=2)
    application = svc.application_submit(actor=world.handler, application_id=pending.pk, now=later)
    assert application.reminded_at is None and application.escalated_at is None
    assert application.review_due_at > later
    assert admission_review_sweep(now=application.review_remind_at)["reminded"] == 1
    assert admission_review_sweep(now=application.review_due_at)["escalated"] == 1
    assert Notification.objects.filter(kind="admission_reminder").count() == 1
    assert Notification.objects.filter(kind="admission_escalated", recipient=world.official).count() == 2


@pytest.mark.django_db
def test_yearly_review_due_is_put_before_the_review_group_once(world):
    application = world.admitted()
    day_before = datetime.datetime.combine(application.next_review_on - datetime.timedelta(days=1),
                                           datetime.time(12), NOW.tzinfo)
    assert admission_review_sweep(now=day_before)["yearly_due"] == 0
    due = day_before + datetime.timedelta(days=1)
    assert admission_review_sweep(now=due)["yearly_due"] == 1
    assert admission_review_sweep(now=due + datetime.timedelta(days=5))["yearly_due"] == 0
    assert Notification.objects.filter(kind="admission_yearly_review", recipient=world.official).count() == 1
    # Once confirmed, the next year's review is due again a year later.
    svc.application_yearly_review(actor=world.official, application_id=application.pk, outcome="confirm", now=due)
    next_due = datetime.datetime.combine(Application.objects.get().next_review_on, datetime.time(12), NOW.tzinfo)
    assert admission_review_sweep(now=next_due)["yearly_due"] == 1


@pytest.mark.django_db
def test_the_task_runs_the_sweep(world, pending, settings):
    from unittest import mock

    from listings.admission.tasks import admission_review_sweep_task

    with mock.patch("django.utils.timezone.now", return_value=pending.review_due_at):
        result = admission_review_sweep_task.delay().get()
    assert result["escalated"] == 1


@pytest.mark.django_db
def test_the_sweep_is_in_the_beat_schedule(settings):
    from governance.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["admission-review-deadlines-sweep"]
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks


def _sweep_queries(now) -> tuple[int, int]:
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        admission_review_sweep(now=now)
    sqls = [q["sql"].lstrip().upper() for q in ctx.captured_queries]
    reads = sum(1 for sql in sqls if sql.startswith("SELECT"))
    return reads, len(sqls) - reads


@pytest.mark.django_db
def test_query_count_is_flat_in_the_number_of_due_applications(world):
    """2 vs 6 late applications: the same reads (one batch query, the recipients once); the writes (guard,
    event, inbox rows and deliveries) are exactly the same for each application."""
    first = [world.apply() for _ in range(2)]
    reads_2, writes_2 = _sweep_queries(first[-1].review_due_at)
    second = [world.apply() for _ in range(6)]
    reads_6, writes_6 = _sweep_queries(second[-1].review_due_at)
    assert Application.objects.filter(escalated_at__isnull=False).count() == 8
    assert reads_6 == reads_2
    assert writes_6 == 3 * writes_2 and writes_2 > 0


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sweeps_act_once(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    world = World("110109")
    applications = [world.apply() for _ in range(8)]
    late = max(a.review_due_at for a in applications) + SECOND
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        from django.db import connection as thread_connection

        try:
            barrier.wait(timeout=10)
            results.append(admission_review_sweep(now=late))
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
    assert results[0]["escalated"] + results[1]["escalated"] == 8
    assert results[0]["errors"] == results[1]["errors"] == 0
    for application in applications:
        assert AdmissionEvent.objects.filter(application=application, kind="escalated").count() == 1
        assert Notification.objects.filter(object_id=str(application.pk), kind="admission_escalated",
                                           recipient=world.official).count() == 1
    assert connection.vendor == "postgresql"
