"""Crash-safe, idempotent tasks: the run claims its job by compare-and-set, so a second delivery does
nothing; the sweep re-queues jobs whose task was lost or whose worker died, and gives up after 3 runs."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from governance.models import AuditLog
from grids.models import Building, ImportJob
from grids.services import imports as import_services
from grids.services.imports import import_job_create, import_job_run, import_jobs_sweep
from grids.tasks import import_job_run_task, import_jobs_sweep_task
from tests.grids.imports.conftest import make_xlsx, upload

pytestmark = pytest.mark.django_db


def _queued_job(tree, user, rows=3):
    data = make_xlsx(["网格编码", "楼栋编号", "楼栋名称"], [[tree.grids[0].code, str(n), f"{n}号楼"] for n in range(1, rows + 1)])
    return import_job_create(actor=user, register="buildings", upload=upload(data))


def test_upload_enqueues_the_task_after_commit(tree, worker, django_capture_on_commit_callbacks, monkeypatch):
    sent = []
    monkeypatch.setattr(import_job_run_task, "delay", lambda job_id: sent.append(job_id))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = _queued_job(tree, worker)
    assert sent == [] and len(callbacks) == 1  # nothing is sent before the commit
    callbacks[0]()
    assert sent == [job.pk]


def test_running_the_task_twice_has_the_effect_of_once(tree, worker):
    job = _queued_job(tree, worker)
    import_job_run_task.delay(job.pk)  # eager without a broker
    import_job_run_task.delay(job.pk)  # a redelivery
    assert import_job_run(job_id=job.pk) is None  # and a third, called directly: not QUEUED, nothing to do
    job.refresh_from_db()
    assert (job.status, job.attempts, job.created_count) == (ImportJob.Status.SUCCEEDED, 1, 3)
    assert Building.objects.count() == 3
    assert AuditLog.objects.filter(action="import").count() == 1


def test_a_run_that_lost_its_claim_writes_nothing(tree, worker, monkeypatch):
    """If the sweep handed the job to another worker meanwhile, this run stops before writing anything."""
    job = _queued_job(tree, worker)
    real = import_services._report_progress

    def stolen(job_id, attempt, processed):
        ImportJob.objects.filter(pk=job_id).update(attempts=attempt + 1)  # someone else claimed it
        return real(job_id, attempt, processed)

    monkeypatch.setattr(import_services, "_report_progress", stolen)
    import_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.RUNNING and Building.objects.count() == 0
    assert not AuditLog.objects.filter(action="import").exists()


def _age(job, **fields):
    ImportJob.objects.filter(pk=job.pk).update(**fields)


def test_sweep_requeues_a_stale_queued_job(tree, worker, django_capture_on_commit_callbacks):
    stale = _queued_job(tree, worker)
    fresh = _queued_job(tree, worker, rows=1)
    _age(stale, created_at=timezone.now() - timedelta(minutes=3))
    _age(fresh, created_at=timezone.now() - timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        result = import_jobs_sweep_task.delay().get()
    assert result == {"requeued": 1, "failed": 0}
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.status == ImportJob.Status.SUCCEEDED and stale.attempts == 1
    assert fresh.status == ImportJob.Status.QUEUED


def test_sweeping_twice_requeues_once(tree, worker, django_capture_on_commit_callbacks, monkeypatch):
    sent = []
    monkeypatch.setattr(import_job_run_task, "delay", lambda job_id: sent.append(job_id))
    job = _queued_job(tree, worker)
    _age(job, created_at=timezone.now() - timedelta(minutes=3))
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        first = import_jobs_sweep(now=now)
        second = import_jobs_sweep(now=now)  # e.g. beat and the in-process scheduler both fired
    assert (first["requeued"], second["requeued"]) == (1, 0)
    assert sent == [job.pk]
    # Still lost two minutes later: re-queued again (it has never run, so no attempt was used).
    with django_capture_on_commit_callbacks(execute=True):
        assert import_jobs_sweep(now=now + timedelta(minutes=3))["requeued"] == 1
    assert sent == [job.pk, job.pk]


def test_sweep_requeues_a_job_whose_worker_died(tree, worker, django_capture_on_commit_callbacks):
    job = _queued_job(tree, worker)
    _age(job, status=ImportJob.Status.RUNNING, attempts=1, started_at=timezone.now() - timedelta(minutes=31))
    alive = _queued_job(tree, worker, rows=1)
    _age(alive, status=ImportJob.Status.RUNNING, attempts=1, started_at=timezone.now() - timedelta(minutes=10))
    with django_capture_on_commit_callbacks(execute=True):
        assert import_jobs_sweep() == {"requeued": 1, "failed": 0}
    job.refresh_from_db()
    alive.refresh_from_db()
    assert (job.status, job.attempts, job.created_count) == (ImportJob.Status.SUCCEEDED, 2, 3)
    assert alive.status == ImportJob.Status.RUNNING


def test_sweep_gives_up_after_three_attempts(tree, worker, django_capture_on_commit_callbacks):
    job = _queued_job(tree, worker)
    _age(job, status=ImportJob.Status.RUNNING, attempts=3, started_at=timezone.now() - timedelta(minutes=31))
    with django_capture_on_commit_callbacks(execute=True):
        assert import_jobs_sweep() == {"requeued": 0, "failed": 1}
        assert import_jobs_sweep() == {"requeued": 0, "failed": 0}
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and "中断3次" in job.errors[0]["message"]
    assert not job.file
    audit = AuditLog.objects.get(action="import")
    assert audit.outcome == "failure" and audit.user_id == worker.pk and audit.detail["reason"] == "gave_up"
    assert Building.objects.count() == 0


def test_sweep_leaves_finished_jobs_alone(tree, worker):
    job = _queued_job(tree, worker)
    import_job_run(job_id=job.pk)
    _age(job, started_at=timezone.now() - timedelta(hours=2), created_at=timezone.now() - timedelta(hours=2))
    assert import_jobs_sweep() == {"requeued": 0, "failed": 0}


def test_progress_is_reported_every_50_rows(tree, worker, monkeypatch):
    job = _queued_job(tree, worker, rows=120)
    reported = []
    real = import_services._report_progress

    def spy(job_id, attempt, processed):
        reported.append(processed)
        return real(job_id, attempt, processed)

    monkeypatch.setattr(import_services, "_report_progress", spy)
    job = import_job_run(job_id=job.pk)
    assert reported == [50, 100, 120]
    assert job.processed_rows == job.total_rows == 120 and job.progress_percent == 100


@pytest.mark.django_db(transaction=True)
def test_progress_is_visible_to_another_connection_while_running(tree, worker, monkeypatch):
    """The progress writes are committed between the validation chunks, not held in the big transaction:
    a second connection (another thread, like the page polling the job) sees them while the job runs."""
    monkeypatch.setattr(import_services, "_enqueue", lambda job_id: None)  # real commits here: run it ourselves
    job = _queued_job(tree, worker, rows=120)
    seen = []
    real = import_services._report_progress

    def read_elsewhere():
        try:
            seen.append(ImportJob.objects.filter(pk=job.pk).values_list("status", "processed_rows").get())
        except Exception as exc:  # noqa: BLE001 - reported through `seen`
            seen.append(repr(exc))
        finally:
            connections.close_all()

    def spy(job_id, attempt, processed):
        result = real(job_id, attempt, processed)
        assert not connection.in_atomic_block
        reader = threading.Thread(target=read_elsewhere)
        reader.start()
        reader.join()
        return result

    monkeypatch.setattr(import_services, "_report_progress", spy)
    import_job_run(job_id=job.pk)
    assert seen == [("running", 50), ("running", 100), ("running", 120)]
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED and Building.objects.count() == 120


def test_two_sweeps_that_saw_the_same_stale_job_requeue_it_once(tree, worker, monkeypatch,
                                                                 django_capture_on_commit_callbacks):
    """A real race: both sweeps listed the job before either acted; the compare-and-set lets one win."""
    from grids.services.imports import import_job_recover, stale_import_jobs

    sent = []
    monkeypatch.setattr(import_job_run_task, "delay", lambda job_id: sent.append(job_id))
    job = _queued_job(tree, worker)
    _age(job, status=ImportJob.Status.RUNNING, attempts=1, started_at=timezone.now() - timedelta(minutes=40))
    now = timezone.now()
    seen_by_a, seen_by_b = stale_import_jobs(now=now), stale_import_jobs(now=now)
    assert seen_by_a == seen_by_b == [(job.pk, "running", 1)]
    with django_capture_on_commit_callbacks(execute=True):
        outcomes = [import_job_recover(pk=pk, status=status, attempts=attempts, now=now)
                    for pk, status, attempts in seen_by_a + seen_by_b]
    assert outcomes == ["requeued", None]
    assert sent == [job.pk]


def test_the_in_process_scheduler_runs_the_sweep(tree, worker, django_capture_on_commit_callbacks):
    """Without a broker, `run_platform` runs CELERY_BEAT_SCHEDULE in-process: the sweep is wired there."""
    from governance.scheduler import run_due

    job = _queued_job(tree, worker)
    _age(job, created_at=timezone.now() - timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        assert "grids-import-jobs-sweep" in run_due({}, 0.0)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED
