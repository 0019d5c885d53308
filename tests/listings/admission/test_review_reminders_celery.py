"""The admission review reminder through a REAL Celery worker and beat on Redis and PostgreSQL.

Skipped unless GONGZHI_TEST_BROKER_URL is set and DATABASE_URL is PostgreSQL (CI sets both). The worker, the broker
fixture and the helpers are those of tests/grids/incidents/test_e2e_celery.py (one worker per module, the test
database shared through transactional_db, the broker database flushed, a file lock against parallel drills).

An application whose review has passed its reminder point (GONGZHI_DEADLINE_WARNING_SHARE of the 15 working days)
but not its deadline: beat (django-celery-beat's DatabaseScheduler) fires the admission sweep every second, the
worker runs it several times, and the review group is reminded exactly once — no escalation."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from tests.grids.incidents.test_e2e_celery import (  # noqa: F401 - fixtures used by name
    BROKER_URL,
    CeleryProcess,
    broker,
    wait_until,
    worker,
)

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(not BROKER_URL, reason="set GONGZHI_TEST_BROKER_URL (a Redis database for tests only)"),
]

SWEEP_DONE = re.compile(r"Task listings\.admission\.tasks\.admission_review_sweep_task\[[^\]]+\] succeeded")


def _submitted_past_its_reminder_point(world):
    """Submit at a moment chosen so that now lies between the reminder point and the deadline (the real clock
    and the real working calendar decide both)."""
    from listings.admission.services.common import review_clock

    now = timezone.now()
    for days in range(1, 60):
        applied = now - dt.timedelta(days=days)
        remind, due = review_clock(applied)
        if remind <= now - dt.timedelta(minutes=1) and due > now + dt.timedelta(minutes=10):
            return world.apply(now=applied)
    raise AssertionError("no submission moment puts now between the reminder and the deadline")


def test_beat_fires_the_review_sweep_and_the_reminder_is_sent_once(transactional_db, broker, worker,  # noqa: F811
                                                                   tmp_path):
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    from governance.models import Notification
    from listings.admission.models import AdmissionEvent, Application
    from tests.listings.admission.conftest import World

    world = World("110121")
    application = _submitted_past_its_reminder_point(world)
    assert application.reminded_at is None and application.status == "submitted"

    every_second = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.create(name="e2e: admission review sweep every second", interval=every_second,
                                task="listings.admission.tasks.admission_review_sweep_task", expires=None)
    beat = CeleryProcess("beat", tmp_path / "beat.log", "-s", str(tmp_path / "beat-schedule"),
                         "--pidfile", str(tmp_path / "beat.pid"))
    swept = worker.count(SWEEP_DONE)
    try:
        beat.start(ready="beat: Starting...")
        wait_until(lambda: worker.count(SWEEP_DONE) >= swept + 3, timeout=40,
                   what=f"beat to fire the admission sweep three times:\n{worker.log()[-2000:]}")
    finally:
        beat.stop()
    assert "Sending due task e2e: admission review sweep every second" in beat.log()

    application.refresh_from_db()
    assert application.reminded_at is not None and application.escalated_at is None
    reminders = Notification.objects.filter(kind="admission_reminder", object_id=str(application.pk))
    assert list(reminders.values_list("recipient", flat=True)) == [world.official.pk]
    assert AdmissionEvent.objects.filter(application=application, kind="reminder").count() == 1
    assert not Notification.objects.filter(kind="admission_escalated").exists()
    assert Application.objects.filter(reminded_at__isnull=False).count() == 1
