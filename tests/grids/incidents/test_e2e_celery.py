"""End to end through a REAL Celery worker (and beat) on Redis and PostgreSQL: the reliability drills.

Skipped unless GONGZHI_TEST_BROKER_URL is set (CI: redis://127.0.0.1:6379/0) and DATABASE_URL is PostgreSQL.
The worker is a subprocess (`celery -A governance worker --pool=solo -Q celery`), one for the module (restarted
by the drills that kill it), on the same test database as the tests (transactional_db, so it sees committed
rows); this process sends to the same broker. Every wait is bounded and the subprocesses are always ended in a
finally block. The broker database is flushed before each test and after the module, so point
GONGZHI_TEST_BROKER_URL at a Redis database used for nothing else; a file lock keeps two pytest-xdist processes
from running the drills against the same broker at once.

  (a) a report is dispatched by the worker within seconds;
  (b) the dispatch task delivered three times gives one Assignment and one DISPATCHED event;
  (c) kill -9 of the worker — before it consumes, and right when it receives a dispatch — the case is still
      dispatched exactly once (by the restarted worker, or by the sweep's dispatch rescue);
  (d) Redis flushed (queued sweep and e-mail messages lost) with an overdue case: the sweep run by the worker
      still escalates it exactly once, and the lost e-mail is resent by the resend sweep;
  (e) beat (django-celery-beat's DatabaseScheduler) firing the sweep every second escalates a case exactly once;
  (f) the whole loop: a resident reports through the public web form, the worker dispatches it within seconds, the
      grid worker signs for, calls the resident and answers, community staff verify (closure), the resident rates it
      on the tracking page, and the metrics (service and dashboard) show it, hand-computed.
"""

import datetime as dt
import fcntl
import hashlib
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django.db.models import F
from django.utils import timezone

from grids.models import Assignment, Incident, IncidentEvent, Supervision

BROKER_URL = os.environ.get("GONGZHI_TEST_BROKER_URL", "")
ROOT = Path(__file__).resolve().parents[3]
CELERY = Path(sys.executable).with_name("celery")

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(not BROKER_URL, reason="set GONGZHI_TEST_BROKER_URL (a Redis database for tests only)"),
]

DISPATCH_DONE = re.compile(r"Task grids\.tasks\.incident_dispatch_task\[[^\]]+\] succeeded")
DISPATCH_RECEIVED = re.compile(r"Task grids\.tasks\.incident_dispatch_task\[[^\]]+\] received")
SWEEP_DONE = re.compile(r"Task grids\.tasks\.incident_deadlines_sweep_task\[[^\]]+\] succeeded")


def wait_until(predicate, *, timeout: float = 20.0, interval: float = 0.1, what: str = "the condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def _database_url() -> str:
    s = connection.settings_dict
    auth = quote(s.get("USER") or "postgres", safe="")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"], safe="")
    return f"postgres://{auth}@{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{s['NAME']}"


def _redis():
    import redis

    return redis.Redis.from_url(BROKER_URL)


class CeleryProcess:
    """A celery worker or beat subprocess with its log in a file; ended by pid only."""

    def __init__(self, kind: str, log_path: Path, *extra: str):
        self.kind, self.log_path, self.extra = kind, log_path, extra
        self.proc: subprocess.Popen | None = None
        self._log_from = 0

    def env(self) -> dict:
        env = dict(os.environ)
        env.update({"CELERY_BROKER_URL": BROKER_URL, "CELERY_TASK_ALWAYS_EAGER": "false",
                    "DATABASE_URL": _database_url(), "DJANGO_SETTINGS_MODULE": "governance.settings",
                    "DJANGO_CONN_MAX_AGE": "0", "PYTHONUNBUFFERED": "1"})
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        return env

    def start(self, *, ready: str, timeout: float = 30.0) -> "CeleryProcess":
        self._log_from = self.log_path.stat().st_size if self.log_path.exists() else 0
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen([str(CELERY), "-A", "governance", self.kind, "-l", "info", *self.extra],
                                         cwd=ROOT, env=self.env(), stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        wait_until(lambda: ready in self.log() or self.proc.poll() is not None, timeout=timeout,
                   what=f"celery {self.kind} to start")
        assert self.proc.poll() is None, f"celery {self.kind} exited:\n{self.log()[-3000:]}"
        return self

    def log(self) -> str:
        """The log of the current run."""
        with open(self.log_path, "rb") as f:
            f.seek(self._log_from)
            return f.read().decode("utf-8", "replace")

    def count(self, pattern: re.Pattern) -> int:
        return len(pattern.findall(self.log()))

    def kill9(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill9()


def _reset_producer_pools(app) -> None:
    """Forget the producer connections, so the next send connects to the broker configured now."""
    from kombu import pools

    pools.reset()   # closes kombu's global connection/producer pools and clears their registry
    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


def _try_lock(lock) -> bool:
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


@pytest.fixture(scope="module")
def worker(django_db_setup, tmp_path_factory):
    """One worker for the module, on the test database (the drills that kill it start it again). One module run
    at a time per broker (a file lock, for pytest-xdist); the broker database is flushed before and after."""
    lock_path = Path(tempfile.gettempdir()) / f"gongzhi-e2e-{hashlib.sha256(BROKER_URL.encode()).hexdigest()[:12]}.lock"
    log_path = tmp_path_factory.mktemp("celery") / "worker.log"
    with open(lock_path, "w") as lock:
        wait_until(lambda: _try_lock(lock), timeout=300, interval=0.5, what="the other end-to-end drill to finish")
        process = CeleryProcess("worker", log_path, "--pool=solo", "-Q", "celery", "--without-gossip",
                                "--without-mingle", "--without-heartbeat", "-n", f"e2e-{os.getpid()}@localhost")
        try:
            _redis().flushdb()
            yield process.start(ready=" ready.")
        finally:
            process.stop()
            _redis().flushdb()
            fcntl.flock(lock, fcntl.LOCK_UN)


@pytest.fixture
def broker(transactional_db, settings, worker):
    """This process sends to the test broker instead of running tasks eagerly (restored afterwards)."""
    from governance.celery import app

    _redis().flushdb()
    saved = {"task_always_eager": app.conf.task_always_eager, "broker_url": app.conf.broker_url}
    _reset_producer_pools(app)
    app.conf.task_always_eager = False
    app.conf.broker_url = BROKER_URL
    settings.CELERY_TASK_ALWAYS_EAGER = False   # notify() hands deliveries to the worker too
    try:
        yield app
    finally:
        _reset_producer_pools(app)
        app.conf.update(saved)
        if worker.proc is None or worker.proc.poll() is not None:
            worker.start(ready=" ready.")   # a drill that failed half-way leaves a worker for the next one


@pytest.fixture
def world(transactional_db):
    from tests.grids.incidents.test_deadlines import World

    return World()


def _report(world, title="路灯不亮") -> Incident:
    from grids.services.incidents import incident_report

    return incident_report(channel="web", request_type="help", category=world.category, title=title,
                           description="小区门口路灯不亮", grid=world.grid)


def _dispatched(incident) -> bool:
    return Incident.objects.filter(pk=incident.pk, status=Incident.Status.DISPATCHED).exists()


def _dispatched_once(incident) -> None:
    assert Assignment.objects.filter(incident=incident, role=Assignment.Role.LEAD).count() == 1
    assert IncidentEvent.objects.filter(incident=incident, to_status=Incident.Status.DISPATCHED).count() == 1


def test_a_report_is_dispatched_by_the_worker(world, broker, worker):
    done = worker.count(DISPATCH_DONE)
    started = time.monotonic()
    incident = _report(world)
    wait_until(lambda: _dispatched(incident), timeout=20, what="the worker to dispatch the case")
    print(f"dispatched by the worker {time.monotonic() - started:.2f} s after the report")
    _dispatched_once(incident)
    wait_until(lambda: worker.count(DISPATCH_DONE) == done + 1, timeout=10, what=f"the task's success in the worker log:\n"
               f"{worker.log()[-2000:]}")


def test_dispatch_delivered_three_times_gives_one_assignment(world, broker, worker):
    from grids.tasks import incident_dispatch_task

    done = worker.count(DISPATCH_DONE)
    incident = _report(world)                     # the on-commit message …
    incident_dispatch_task.delay(incident.pk)     # … and two duplicates (a redelivery, a manual retry)
    incident_dispatch_task.delay(incident.pk)
    wait_until(lambda: worker.count(DISPATCH_DONE) >= done + 3, timeout=20, what="three dispatch runs")
    _dispatched_once(incident)


def test_worker_killed_the_case_is_still_dispatched_once(world, broker, worker):
    from grids.tasks import incident_deadlines_sweep_task, incident_dispatch_task

    # 1. The worker dies before it consumes: the message waits in Redis for the restarted worker.
    worker.kill9()
    first = _report(world, "井盖缺失")
    assert _redis().llen("celery") >= 1
    worker.start(ready=" ready.")
    wait_until(lambda: _dispatched(first), timeout=20, what="the restarted worker to dispatch")
    _dispatched_once(first)

    # 2. kill -9 the moment the worker receives the dispatch (solo pool: it runs in that process).
    received = worker.count(DISPATCH_RECEIVED)
    second = _report(world, "垃圾堆放")
    wait_until(lambda: worker.count(DISPATCH_RECEIVED) > received, timeout=20, interval=0.005,
               what="the worker to receive the dispatch")
    worker.kill9()
    survived = _dispatched(second)
    worker.start(ready=" ready.")
    if not survived:
        # Killed before its commit. acks_late keeps the message unacknowledged in Redis, but Redis redelivers
        # only after the visibility timeout (1 h), so the sweep's dispatch rescue must find the case (it waits
        # 30 s after the last change, in case a task is still in flight: move the clock of the row instead).
        Incident.objects.filter(pk=second.pk).update(updated_at=F("updated_at") - dt.timedelta(minutes=1))
        incident_deadlines_sweep_task.delay()
    wait_until(lambda: _dispatched(second), timeout=20, what="the case to be dispatched after the crash")
    print("killed mid-dispatch:", "committed before the kill" if survived else "rescued by the sweep")
    # The killed message may still be delivered one day: a late copy changes nothing.
    done = worker.count(DISPATCH_DONE)
    incident_dispatch_task.delay(second.pk)
    wait_until(lambda: worker.count(DISPATCH_DONE) > done, timeout=20, what="the late copy to run")
    _dispatched_once(second)


def test_redis_flushed_the_sweep_still_escalates_once(world, broker, worker):
    from governance.models import Delivery
    from governance.services.notifications import notify
    from grids.tasks import incident_deadlines_sweep_task

    now = timezone.now()
    overdue = world.incident(start=now - dt.timedelta(hours=11), lead="grid")   # sign-for (10 h) 1 h late
    worker.kill9()
    incident_deadlines_sweep_task.delay()                         # queued by beat …
    notify(recipients=[world.street_staff], kind="test", title="周报", dedupe_key="e2e-mail")   # … and an e-mail
    assert _redis().llen("celery") == 2
    _redis().flushdb()                                            # … both lost with Redis
    assert _redis().llen("celery") == 0
    worker.start(ready=" ready.")
    assert not Supervision.objects.filter(incident=overdue).exists()
    swept = worker.count(SWEEP_DONE)

    incident_deadlines_sweep_task.delay()                         # the next beat tick
    incident_deadlines_sweep_task.delay()                         # and a duplicate one
    wait_until(lambda: worker.count(SWEEP_DONE) >= swept + 2, timeout=20, what="two sweeps on the worker")
    assert list(Supervision.objects.filter(incident=overdue).order_by("id").values_list("step", "level")) == [
        ("overdue", ""), ("escalated", "community")]
    overdue.refresh_from_db()
    assert overdue.escalation_level == 1

    # The e-mail lost with Redis: the resend sweep (beat, every 5 minutes) sends it once it is 10 minutes old.
    from governance.tasks import deliveries_resend_task

    lost = Delivery.objects.get(notification__dedupe_key="e2e-mail")
    assert lost.state == Delivery.State.PENDING and lost.attempts == 0
    Delivery.objects.filter(pk=lost.pk).update(created_at=F("created_at") - dt.timedelta(minutes=11))
    deliveries_resend_task.delay()
    wait_until(lambda: Delivery.objects.filter(pk=lost.pk, state=Delivery.State.SENT).exists(), timeout=20,
               what="the lost e-mail to be resent")
    # The escalation's own e-mail (community staff) went through the worker as well.
    wait_until(lambda: Delivery.objects.filter(notification__kind="deadline_escalated",
                                               state=Delivery.State.SENT).exists(), timeout=20,
               what="the 督办 e-mail to be sent by the worker")


def test_beat_fires_the_sweep_and_escalates_once(world, broker, worker, tmp_path):
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    now = timezone.now()
    overdue = world.incident(start=now - dt.timedelta(hours=11), lead="department")
    every_second = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.create(name="e2e: deadline sweep every second", interval=every_second,
                                task="grids.tasks.incident_deadlines_sweep_task", expires=None)
    beat = CeleryProcess("beat", tmp_path / "beat.log", "-s", str(tmp_path / "beat-schedule"),
                         "--pidfile", str(tmp_path / "beat.pid"))
    swept = worker.count(SWEEP_DONE)
    try:
        beat.start(ready="beat: Starting...")
        wait_until(lambda: worker.count(SWEEP_DONE) >= swept + 2, timeout=30, what="beat to fire the sweep twice")
    finally:
        beat.stop()
    assert list(Supervision.objects.filter(incident=overdue).order_by("id").values_list("step", "level")) == [
        ("overdue", ""), ("escalated", "district")]
    assert "Sending due task e2e: deadline sweep every second" in beat.log()


@pytest.fixture
def loop_world(transactional_db):
    """make_world(): a grid-level category leaf, an on-duty grid worker on world.grid, community staff."""
    from tests.grids.incidents.factories import make_world

    return make_world()


def test_web_form_to_rating_and_the_metrics_reflect_it(loop_world, broker, worker, client, client_for, settings):
    from grids.metrics import unit_metrics
    from grids.services.incidents import (
        incident_answer,
        incident_contact,
        incident_sign_for,
        incident_start,
        incident_verify,
    )
    from tests.grids.intake.helpers import solve

    w = loop_world
    settings.GONGZHI_INTAKE_CHALLENGE = True       # answered by reading the question, like a person

    # 1. A resident (no account) reports through the public web form.
    form = client.get("/report/").content.decode()
    token, answer = solve(form)
    posted_at = time.monotonic()
    response = client.post("/report/", {
        "request_type": "help", "category": str(w.cats.grid.pk), "title": "3号楼楼道堆放杂物",
        "description": "三单元楼道堆满纸箱，影响通行。", "grid": str(w.grid.pk), "building": "", "address": "幸福路3号",
        "latitude": "", "longitude": "", "reporter_phone": "13812345678", "reporter_name": "王秀英",
        "category_q": "", "challenge_token": token, "challenge_answer": answer})
    assert response.status_code == 302 and response["Location"] == "/report/done/", response.content.decode()[:2000]
    done = client.get("/report/done/").content.decode()
    code = re.search(r'id="tracking-code"[^>]*>\s*([^<\s]+)\s*<', done).group(1)
    incident = Incident.objects.get(tracking_code=code)
    assert incident.channel == Incident.Channel.WEB and incident.status == Incident.Status.REGISTERED

    # 2. The worker (not this process) dispatches it within seconds, to the grid's worker on duty.
    wait_until(lambda: _dispatched(incident), timeout=20, what="the worker to dispatch the web report")
    print(f"web report dispatched by the worker {time.monotonic() - posted_at:.2f} s after the POST")
    _dispatched_once(incident)
    lead = Assignment.objects.get(incident=incident, role=Assignment.Role.LEAD)
    assert lead.assignee_id == w.grid_worker.pk

    # 3. The handler signs for, calls the resident, works on it and answers.
    incident_sign_for(actor=w.grid_worker, incident_id=incident.pk)
    incident_contact(actor=w.grid_worker, incident_id=incident.pk, method="phone", note="已电话联系，约定今天清理")
    incident_start(actor=w.grid_worker, incident_id=incident.pk)
    incident_answer(actor=w.grid_worker, incident_id=incident.pk, answer="已清理楼道纸箱，通道恢复畅通。")

    # 4. Community staff verify on site: verified and closed.
    incident_verify(actor=w.community_staff, incident_id=incident.pk, passed=True, note="现场核查已清理")
    incident.refresh_from_db()
    assert incident.status == Incident.Status.CLOSED

    # 5. The resident rates it on the public tracking page (last 4 digits of the call-back phone).
    rated = client.post(f"/track/{code}/", {"action": "rate", "rate-resolution": "partly",
                                             "rate-satisfaction": "basically", "rate-comment": "基本满意",
                                             "rate-phone_tail": "5678"})
    assert rated.status_code == 302, rated.content.decode()[:2000]
    incident.refresh_from_db()
    assert incident.status == Incident.Status.RATED
    assert (incident.resolution, incident.satisfaction) == ("partly", "basically")
    statuses = list(IncidentEvent.objects.filter(incident=incident, kind="transition")
                    .order_by("created_at", "id").values_list("to_status", flat=True))
    assert statuses == ["reported", "registered", "dispatched", "signed", "in_hand", "answered", "verified",
                        "closed", "rated"]

    # 6. The metrics reflect it. By hand, for the grid and its community (this case only):
    #    响应率 1/1 (signed for on time and called back) = 100 %; 解决率 ½/1 = 50 % (partly resolved counts ½);
    #    满意率 1/1 = 100 % (基本满意 counts as satisfied); composite 100 × (0.30 × 1 + 0.35 × 0.5 + 0.35 × 1) = 82.5;
    #    结案率 1/1, 按期结案率 1/1, 返工率 0/1, 延期率 0/1.
    day = timezone.localtime(incident.registered_at).date()
    for kind, unit in (("grid", w.grid), ("community", w.community)):
        m = unit_metrics(unit_kind=kind, unit_id=unit.pk, start=day, end=day + dt.timedelta(days=1))
        assert (m.registered, m.dispatched, m.response_due, m.responded, m.response_pending) == (1, 1, 1, 1, 0), kind
        assert m.response_rate == 1.0 and m.resolution_rate == 0.5 and m.satisfaction_rate == 1.0, kind
        assert m.composite_score == pytest.approx(82.5), kind
        assert (m.closure_rate, m.on_time_closure_rate, m.rework_rate, m.extension_rate) == (1.0, 1.0, 0.0, 0.0)
        assert 0 < m.avg_sign_for_hours < 1 and 0 < m.avg_close_hours < 1
    page = client_for(w.community_staff).get("/grids/metrics/", {"kind": "grid", "start": day.isoformat(),
                                                                 "end": day.isoformat()}).content.decode()
    row = page[page.index(f">{w.grid.name}</a>"):]
    row = row[:row.index("</tr>")]
    assert "100.0%" in row and "50.0%" in row and "82.5" in row
