"""The Celery settings that keep tasks safe, and the in-process beat that fires sweeps with no broker."""

import pytest
from celery import shared_task
from django.conf import settings

from governance.celery import app
from governance.scheduler import run_due

CALLS: list[int] = []


@shared_task(name="tests.record_call")
def record_call(value: int = 1) -> None:
    CALLS.append(value)


def test_reliability_settings_are_pinned():
    conf = app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_serializer == "json" and conf.accept_content == ["json"]
    assert conf.broker_transport_options["visibility_timeout"] >= conf.task_time_limit
    assert conf.beat_scheduler == "django_celery_beat.schedulers:DatabaseScheduler"


def test_every_beat_entry_names_a_registered_task():
    app.loader.import_default_modules()
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in app.tasks, name


def test_in_process_beat_runs_each_entry_once_per_interval(settings):
    settings.CELERY_BEAT_SCHEDULE = {"rec": {"task": "tests.record_call", "schedule": 60.0, "kwargs": {"value": 7}}}
    CALLS.clear()
    next_run: dict[str, float] = {}
    assert run_due(next_run, now=1000.0) == ["rec"]
    assert run_due(next_run, now=1030.0) == []          # within the interval: nothing
    assert run_due(next_run, now=1061.0) == ["rec"]
    assert CALLS == [7, 7]


def test_a_failing_entry_does_not_stop_the_others(settings):
    settings.CELERY_BEAT_SCHEDULE = {
        "broken": {"task": "tests.no_such_task", "schedule": 60.0},
        "rec": {"task": "tests.record_call", "schedule": 60.0},
    }
    CALLS.clear()
    assert run_due({}, now=0.0) == ["rec"]
    assert CALLS == [1]


@pytest.mark.parametrize("broker", ["", "redis://127.0.0.1:6379/0"])
def test_eager_without_broker(broker, monkeypatch):
    """No broker configured → tasks run eagerly (so the embedded default needs no other service)."""
    import importlib

    import governance.settings as s

    monkeypatch.setenv("CELERY_BROKER_URL", broker)
    monkeypatch.delenv("CELERY_TASK_ALWAYS_EAGER", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    reloaded = importlib.reload(s)
    try:
        assert reloaded.CELERY_TASK_ALWAYS_EAGER is (broker == "")
    finally:
        monkeypatch.undo()
        importlib.reload(s)
