"""In-process beat for the embedded default (no broker): runs every entry of CELERY_BEAT_SCHEDULE at its
interval, eagerly, in a daemon thread. With a broker, Celery beat (django-celery-beat) does this job instead.

The sweeps themselves are idempotent and read their deadlines from the database, so running them here, in
beat, or both at once has the effect of one run."""

import logging
import threading
import time

from celery import current_app
from django.conf import settings
from django.db import close_old_connections

logger = logging.getLogger(__name__)


def _interval_seconds(schedule) -> float:
    if isinstance(schedule, int | float):
        return float(schedule)
    run_every = getattr(schedule, "run_every", None)  # celery.schedules.schedule
    if run_every is not None:
        return run_every.total_seconds()
    raise ValueError(f"The in-process scheduler supports interval schedules only, not {schedule!r}")


def run_due(next_run: dict[str, float], now: float) -> list[str]:
    """Run every entry whose time has come; return the names run."""
    ran = []
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        interval = _interval_seconds(entry["schedule"])
        if now < next_run.get(name, 0):
            continue
        next_run[name] = now + interval
        try:
            current_app.tasks[entry["task"]].apply(args=entry.get("args", ()), kwargs=entry.get("kwargs", {}))
            ran.append(name)
        except Exception:  # noqa: BLE001 - one failing sweep must not stop the others
            logger.exception("periodic task %s failed", name)
    return ran


class InProcessBeat(threading.Thread):
    def __init__(self, tick: float = 5.0):
        super().__init__(name="gongzhi-beat", daemon=True)
        self.tick = tick
        self._stop_event = threading.Event()

    def run(self):
        current_app.loader.import_default_modules()
        next_run: dict[str, float] = {}
        logger.info("in-process beat started: %s", ", ".join(settings.CELERY_BEAT_SCHEDULE))
        while not self._stop_event.is_set():
            close_old_connections()
            try:
                run_due(next_run, time.monotonic())
            finally:
                close_old_connections()
            self._stop_event.wait(self.tick)

    def stop(self):
        self._stop_event.set()
