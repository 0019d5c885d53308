"""The deadline sweep of the incident loop: warnings, overdue flags and escalation one level up (催办/督办).

Deadlines live in database columns (Incident.sign_for_by / handle_by / verify_by, WhistleSummons.report_by), so
this sweep — run every minute by beat, or by the in-process scheduler when there is no broker — finds every one
of them whatever happened to Redis, a worker or a lost task. Redis only says "run the sweep now".

The clocks
==========

============  ========================================  ==============================  ===========================
deadline      runs while the case is                    the clock starts at             responsible unit
============  ========================================  ==============================  ===========================
sign_for      DISPATCHED                                dispatched_at                   the lead unit (首接负责)
handle        DISPATCHED, RETURNED, SIGNED, IN_HAND,    registered_at (立案: the        the lead unit
              REOPENED                                  lifecycle sets handle_by there;
                                                        returns do not stop it); for a
                                                        reopened case its new
                                                        dispatched_at
verify        ANSWERED                                  answered_at                     the case's grid (网格员核查)
report_in     the summons is not reported in and the    the whistle call's created_at   the summoned department
              case is open (吹哨报到)
============  ========================================  ==============================  ===========================

The lead unit is the active lead Assignment (pending or signed), else the latest lead (a case just returned
stays with the unit that returned it until it is re-dispatched), else the case's grid. When a start column is
empty the clock falls back to the next milestone (registered_at, dispatched_at, created_at). The deadline itself is
whatever the lifecycle wrote (grids.sla computes it, on the clock or in working hours with the working calendar);
an approved extension simply moves the column, and every step below then fires again for the new deadline.

The steps (each at most once per deadline value)
================================================

1. WARNING (预警) once `settings.GONGZHI_DEADLINE_WARNING_SHARE` (default 0.8) of the time from the start to the
   deadline has passed, and only while the deadline is still ahead (a sweep that wakes up after the deadline goes
   straight to step 2). The share is of wall-clock time between start and deadline. Recipients: the lead
   assignment's assignee, or else every account of the responsible unit.
2. OVERDUE (超时/催办) once the deadline has passed. Same recipients.
3. ESCALATED (督办) at the same moment: the case goes one level up the ladder
   grid → community → street → district; a department counts as the street rung, so it escalates to the district
   officials of the department's district. The rung reached is
   ``rank(responsible unit) + Incident.escalation_level + 1`` (capped at the district), so a case that already
   went up once (say, late to sign for) goes one further rung when it is late again (late to handle).
   Incident.escalation_level then holds the rungs above the responsible unit. Recipients: the accounts of the
   unit reached (community staff, street staff or district officials bound to that node).
   A deadline that keeps running late escalates again, one further rung, each time another full limit
   (deadline − start) has passed; ``settings.GONGZHI_ESCALATION_REPEAT_HOURS`` (optional, > 0) replaces the full
   limit by a fixed interval. Escalation of a deadline stops once it has reached the district.
4. Whistle report-ins: WARNING and OVERDUE go to the summoned department's handlers; at OVERDUE the summons is
   ESCALATED once (WhistleSummons.escalated_at, set by compare-and-set; no repeats): the calling unit's accounts
   (and the caller) and the district officials of the department's district are told. It does not change
   Incident.escalation_level (the lead unit is not the one late).

Every step writes a Supervision row (unique on incident, deadline, step, due_at), a non-public IncidentEvent of
kind "supervision" and notifications (dedupe key ``deadline:<incident>:<deadline>:<step>:<due_at iso>``).

Why it is safe to run twice, or twice at once
=============================================

Each step is one transaction per row: insert the Supervision row inside a savepoint — an IntegrityError means
another run already did it, so nothing else happens — then a guarded UPDATE of the case (same status, same
deadline value, and for escalation the escalation_level that was read: compare-and-set). If the guard matches
no row the case changed meanwhile and the whole step is rolled back; the next sweep looks again. On PostgreSQL a
concurrent sweep blocks on the unique index (or the row lock of the guard) until the first commits, then sees
the conflict; SQLite serialises writers. Notifications are created in the same transaction and sent on commit.

Cost: every phase reads a bounded batch (``batch_size``, ordered by due date) of rows whose step is not yet done
(NOT EXISTS on the Supervision unique index; status + deadline column filters use the incident indexes), then a
constant number of queries for the whole batch (lead assignments, the region ancestors, the accounts to notify,
the earlier escalations). Per acted row there are only writes: the Supervision row, the guard UPDATE, the event,
and one inbox row (+ deliveries) per recipient. A row that raises is logged and skipped (``errors`` count), so
one bad case cannot stop every deadline behind it.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from fractions import Fraction

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import (
    Case,
    CharField,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.models import REGION_ROLES, Role, User
from grids.models import Assignment, Incident, IncidentEvent, IncidentStatus, Region, Supervision, WhistleSummons

logger = logging.getLogger(__name__)

Step = Supervision.Step

# The escalation ladder. A department sits on the street rung: one step up is the district.
LADDER = ("grid", "community", "street", "district")
RANK = {"grid": 0, "micro_grid": 0, "community": 1, "street": 2, "department": 2, "district": 3}
TOP = len(LADDER) - 1
ROLE_AT_LEVEL = {"grid": Role.GRID_WORKER, "community": Role.COMMUNITY_STAFF, "street": Role.STREET_STAFF,
                 "district": Role.DISTRICT_OFFICIAL}
ACTIVE_LEAD_STATES = (Assignment.State.PENDING, Assignment.State.SIGNED)
MAX_STEPS_PER_SWEEP = 8  # escalation catch-up per deadline and sweep (the ladder has only 3 rungs anyway)


@dataclass(frozen=True)
class Clock:
    name: str
    column: str
    statuses: tuple[str, ...]
    starts: tuple[str, ...]   # the first non-empty of these columns starts the clock
    responsible: str          # "lead" (the lead assignment's unit) or "grid" (the case's grid)
    restart_on_reopen: bool = False  # a reopened case's clock starts at its new dispatch

    def start_expression(self):
        start = Coalesce(*[F(name) for name in self.starts], output_field=DateTimeField())
        if not self.restart_on_reopen:
            return start
        return Case(When(reopen_count__gt=0, dispatched_at__isnull=False, then=F("dispatched_at")), default=start,
                    output_field=DateTimeField())

    def start_of(self, incident: Incident) -> datetime | None:
        if self.restart_on_reopen and incident.reopen_count and incident.dispatched_at:
            return incident.dispatched_at
        return next((getattr(incident, name) for name in self.starts if getattr(incident, name)), None)


CLOCKS = (
    # Set at dispatch from the category's sign-for limit.
    Clock("sign_for", "sign_for_by", (IncidentStatus.DISPATCHED,), ("dispatched_at", "registered_at", "created_at"),
          "lead"),
    # Set at registration (立案) from the handling limit; it keeps running through returns and re-dispatches;
    # a reopen sets a fresh one.
    Clock("handle", "handle_by",
          (IncidentStatus.DISPATCHED, IncidentStatus.RETURNED, IncidentStatus.SIGNED, IncidentStatus.IN_HAND,
           IncidentStatus.REOPENED),
          ("registered_at", "dispatched_at", "created_at"), "lead", restart_on_reopen=True),
    # Set when the unit answers (GONGZHI_VERIFY_HOURS).
    Clock("verify", "verify_by", (IncidentStatus.ANSWERED,), ("answered_at", "created_at"), "grid"),
)
REPORT_IN = "report_in"


def _deadline_label(name: str) -> str:
    return {
        "sign_for": _("sign-for (签收)"),
        "handle": _("handling (办理)"),
        "verify": _("verification (核查)"),
        REPORT_IN: _("report-in (部门报到)"),
    }[name]


def _level_label(level: str) -> str:
    return {"grid": _("the grid (网格)"), "community": _("the community (社区)"), "street": _("the street (街道)"),
            "district": _("the district (区)")}.get(level, level)


# --- the sweep ---------------------------------------------------------------------------------------------

def incident_deadlines_sweep(*, now: datetime | None = None, batch_size: int = 500) -> dict:
    """Dispatch what is still undispatched, then warn, flag and escalate every deadline that is due.

    Returns counts of the steps taken in this run (0 everywhere when run again at once)."""
    now = now or timezone.now()
    counts = {"dispatched": _dispatch_pending(now), "warning": 0, "overdue": 0, "escalated": 0,
              "report_in_warning": 0, "report_in_overdue": 0, "report_in_escalated": 0, "errors": 0}
    sweep = _Sweep(now=now, batch_size=batch_size, counts=counts)
    for clock in CLOCKS:
        sweep.warnings(clock)
        sweep.overdue(clock)
        sweep.escalations(clock)
    sweep.report_in_warnings()
    sweep.report_in_overdue()
    return counts


def _dispatch_pending(now):
    """The lifecycle's rescue of registered-but-undispatched cases (a lost dispatch task). Never blocks the
    deadlines: a missing module is skipped, an error is logged."""
    try:
        from grids.services.dispatch import incident_dispatch_pending
    except ModuleNotFoundError as exc:
        if exc.name != "grids.services.dispatch":
            raise
        return None
    try:
        return incident_dispatch_pending(now=now)
    except Exception:  # noqa: BLE001 - deadlines must still fire when dispatch is broken
        logger.exception("incident_dispatch_pending failed; the deadline sweep goes on")
        return None


# --- who is responsible, and who is one level up ---------------------------------------------------------------

@dataclass(frozen=True)
class Unit:
    level: str                      # grid / community / street / district / department
    region_id: int | None = None
    department_id: int | None = None


@dataclass
class _Directory:
    """Regions and accounts needed for one batch, loaded with a constant number of queries."""

    regions_by_path: dict[str, Region] = field(default_factory=dict)
    accounts: dict[tuple, list[User]] = field(default_factory=dict)

    @classmethod
    def for_units(cls, *, units=(), users=()) -> "_Directory":
        directory = cls()
        directory.load_accounts(units=set(units), user_ids=set(users))
        return directory

    def load_regions(self, region_paths) -> None:
        """Every node on the paths (the ancestors of the given regions), in one query."""
        prefixes = {path[:n] for path in region_paths for n in range(Region.steplen, len(path) + 1, Region.steplen)}
        if prefixes:
            self.regions_by_path.update({r.path: r for r in Region.objects.filter(path__in=prefixes)})

    def ancestor(self, region_path: str, level: str) -> Region | None:
        for n in range(Region.steplen, len(region_path) + 1, Region.steplen):
            node = self.regions_by_path.get(region_path[:n])
            if node is not None and node.level == level:
                return node
        return None

    def load_accounts(self, *, units: set[Unit], user_ids: set[int | None]) -> None:
        """The active accounts of each unit (and the given users), in at most two queries."""
        user_ids = {pk for pk in user_ids if pk}
        region_ids = {u.region_id for u in units if u.region_id}
        department_ids = {u.department_id for u in units if u.level == "department" and u.department_id}
        grid_ids = {u.region_id for u in units if u.level == "grid" and u.region_id}
        q = Q()
        if region_ids:
            q |= Q(region_id__in=region_ids, role__in=REGION_ROLES)
        if department_ids:
            q |= Q(department_id__in=department_ids, role=Role.DEPARTMENT_HANDLER)
        if user_ids:
            q |= Q(pk__in=user_ids)
        by_region: dict[int, list[User]] = {}
        by_department: dict[int, list[User]] = {}
        if q:
            for user in User.objects.filter(q, is_active=True).order_by("pk"):
                if user.pk in user_ids:
                    self.accounts[("user", user.pk)] = [user]
                if user.region_id in region_ids and user.role in REGION_ROLES:
                    by_region.setdefault(user.region_id, []).append(user)
                if user.department_id in department_ids and user.role == Role.DEPARTMENT_HANDLER:
                    by_department.setdefault(user.department_id, []).append(user)
        assigned: dict[int, list[User]] = {}
        if grid_ids:  # grid workers also serve the grids of their active assignments (workforce roster)
            for user in (User.objects.filter(worker__assignments__grid_id__in=grid_ids,
                                             worker__assignments__active=True, worker__is_active=True,
                                             is_active=True, role=Role.GRID_WORKER)
                         .annotate(_grid_id=F("worker__assignments__grid_id")).order_by("pk")):
                assigned.setdefault(user._grid_id, []).append(user)
        for unit in units:
            if unit.level == "department":
                found = by_department.get(unit.department_id, [])
            elif unit.level == "region":  # every staff account bound to the node (whistle callers' units)
                found = by_region.get(unit.region_id, [])
            else:
                role = ROLE_AT_LEVEL.get(unit.level)
                found = [u for u in by_region.get(unit.region_id, []) if u.role == role]
                if unit.level == "grid":
                    found = list({u.pk: u for u in [*found, *assigned.get(unit.region_id, [])]}.values())
            self.accounts[unit] = found

    def recipients(self, unit: Unit | None) -> list[User]:
        return self.accounts.get(unit, []) if unit is not None else []

    def user(self, user_id: int | None) -> list[User]:
        return self.accounts.get(("user", user_id), []) if user_id else []


@dataclass
class _Responsible:
    unit: Unit
    region_path: str = ""           # for region units: to find the ancestors
    district_id: int | None = None  # for departments: where their supervision goes
    assignee_id: int | None = None

    @property
    def rank(self) -> int:
        return RANK.get(self.unit.level, 0)

    def target(self, directory: _Directory, rung: int) -> Unit | None:
        """The unit on ladder rung `rung` (1..3) above this one."""
        level = LADDER[min(rung, TOP)]
        if self.unit.level == "department":
            return Unit("district", region_id=self.district_id) if self.district_id else None
        node = directory.ancestor(self.region_path, level)
        return Unit(level, region_id=node.pk) if node is not None else None


def _leads(incident_ids) -> dict[int, Assignment]:
    """The lead assignment of each case: the active one, else the latest (e.g. one just returned)."""
    leads: dict[int, Assignment] = {}
    rows = (Assignment.objects.filter(incident_id__in=incident_ids, role=Assignment.Role.LEAD)
            .select_related("region", "department").order_by("incident_id", "-id"))
    for row in rows:  # newest first within each case
        current = leads.get(row.incident_id)
        if current is None or (current.state not in ACTIVE_LEAD_STATES and row.state in ACTIVE_LEAD_STATES):
            leads[row.incident_id] = row
    return leads


def _responsible(clock: Clock, incident: Incident, lead: Assignment | None) -> _Responsible:
    if clock.responsible == "lead" and lead is not None:
        if lead.department_id:
            return _Responsible(Unit("department", department_id=lead.department_id),
                                district_id=lead.department.district_id, assignee_id=lead.assignee_id)
        if lead.region_id:
            level = "grid" if lead.region.level in ("grid", "micro_grid") else lead.region.level
            return _Responsible(Unit(level, region_id=lead.region_id), region_path=lead.region.path,
                                assignee_id=lead.assignee_id)
    grid = incident.grid
    return _Responsible(Unit("grid", region_id=grid.pk), region_path=grid.path)


# --- one sweep run ----------------------------------------------------------------------------------------------

class _Stale(Exception):
    """The row changed between the batch read and the guarded update: roll the step back, look again later."""


def _share_fraction() -> Fraction:
    share = Fraction(str(settings.GONGZHI_DEADLINE_WARNING_SHARE)).limit_denominator(1000)
    if not 0 < share < 1:
        raise ValueError("GONGZHI_DEADLINE_WARNING_SHARE must be between 0 and 1")
    return share


def _repeat_interval() -> timedelta | None:
    hours = getattr(settings, "GONGZHI_ESCALATION_REPEAT_HOURS", None)
    return timedelta(hours=float(hours)) if hours else None


def _duration(lhs, rhs):
    return ExpressionWrapper(lhs - rhs, output_field=DurationField())


def _when(value: datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


class _Sweep:
    def __init__(self, *, now: datetime, batch_size: int, counts: dict):
        self.now = now
        self.now_value = Value(now, output_field=DateTimeField())
        self.batch_size = batch_size
        self.counts = counts
        self.share = _share_fraction()
        self.repeat = _repeat_interval()
        self._link_ok = True

    # -- helpers ------------------------------------------------------------------------------------------------

    # The warning point start + share·(due − start) ≤ now, written `(now − start)·q ≥ (due − start)·p` with the
    # share as the fraction p/q: integer factors on durations work on PostgreSQL and SQLite alike.
    WARN_REACHED = Q(_warn_elapsed__gte=F("_warn_span"))

    def _warn_aliases(self, start, due: str) -> dict:
        p, q = self.share.numerator, self.share.denominator
        return {
            "_warn_span": ExpressionWrapper((F(due) - start) * p, output_field=DurationField()),
            "_warn_elapsed": ExpressionWrapper((self.now_value - start) * q, output_field=DurationField()),
        }

    def _link(self, incident_id: int) -> str:
        if not self._link_ok:
            return ""
        try:
            return reverse("grids:incident_detail", args=[incident_id])
        except NoReverseMatch:
            self._link_ok = False
            return ""

    def _act(self, *, incident: Incident, deadline: str, step: str, due_at: datetime, level: str = "",
             guard, note: str, recipients: list[User], title: str, body: str, sms: bool = False) -> bool:
        """One step, once: Supervision row first (a conflict means done), then the guard, event, notifications."""
        from governance.services.notifications import notify

        try:
            with transaction.atomic():
                try:
                    with transaction.atomic():
                        Supervision.objects.create(incident_id=incident.pk, deadline=deadline, step=step, level=level,
                                                   due_at=due_at)
                except IntegrityError:
                    return False  # another run (or a concurrent one) already took this step
                if not guard():
                    raise _Stale
                IncidentEvent.objects.create(incident_id=incident.pk, kind="supervision", note=note[:4000],
                                             public=False)
                if recipients:
                    notify(recipients=recipients, kind=f"deadline_{step}", title=title, body=body,
                           url=self._link(incident.pk), obj=incident, sms=sms,
                           dedupe_key=f"deadline:{incident.pk}:{deadline}:{step}:{due_at.isoformat()}")
                else:
                    logger.warning("no account to notify for case %s (%s %s)", incident.pk, deadline, step)
        except _Stale:
            return False
        return True

    def _safely(self, fn, *args) -> bool:
        try:
            return fn(*args)
        except Exception:  # noqa: BLE001 - one bad row must not stop every deadline behind it
            self.counts["errors"] += 1
            logger.exception("deadline sweep: step failed for %r", args[:1])
            return False

    def _open_for(self, clock: Clock):
        start = clock.start_expression()
        return (Incident.objects.filter(status__in=clock.statuses, **{f"{clock.column}__isnull": False})
                .alias(_start=start)
                .select_related("grid")), start

    def _supervisions(self, clock_name: str, step: str):
        return Supervision.objects.filter(incident=OuterRef("pk"), deadline=clock_name, step=step)

    def _context(self, clock: Clock, incidents: list[Incident], *, escalation: bool = False):
        """Who is responsible for each case, and a directory of the accounts to notify (constant queries)."""
        leads = _leads([i.pk for i in incidents]) if clock.responsible == "lead" else {}
        responsible = {i.pk: _responsible(clock, i, leads.get(i.pk)) for i in incidents}
        units = {r.unit for r in responsible.values()}
        directory = _Directory()
        if escalation:  # every rung the case may reach in this run (catch-up climbs several)
            directory.load_regions([r.region_path for r in responsible.values() if r.region_path])
            for incident in incidents:
                r = responsible[incident.pk]
                for rung in range(min(r.rank + incident.escalation_level + 1, TOP), TOP + 1):
                    target = r.target(directory, rung)
                    if target is not None:
                        units.add(target)
        directory.load_accounts(units=units, user_ids={r.assignee_id for r in responsible.values()})
        return responsible, directory

    def _lead_recipients(self, r: _Responsible, directory: _Directory) -> list[User]:
        return directory.user(r.assignee_id) or directory.recipients(r.unit)

    # -- incident clocks ----------------------------------------------------------------------------------------

    def warnings(self, clock: Clock) -> None:
        qs, start = self._open_for(clock)
        col = clock.column
        done = self._supervisions(clock.name, Step.WARNING).filter(due_at=OuterRef(col))
        batch = list(qs.filter(**{f"{col}__gt": self.now}).alias(**self._warn_aliases(start, col))
                     .filter(self.WARN_REACHED).filter(~Exists(done))
                     .order_by(col, "pk")[: self.batch_size])
        if not batch:
            return
        responsible, directory = self._context(clock, batch)
        for incident in batch:
            if self._safely(self._warn_one, clock, incident, responsible[incident.pk], directory):
                self.counts["warning"] += 1

    def _warn_one(self, clock: Clock, incident: Incident, r: _Responsible, directory: _Directory) -> bool:
        due = getattr(incident, clock.column)
        label = _deadline_label(clock.name)
        return self._act(
            incident=incident, deadline=clock.name, step=Step.WARNING, due_at=due,
            guard=self._incident_guard(clock, incident, due),
            note=_("Warning: the %(deadline)s deadline %(due)s is near. 预警：即将到期。") % {
                "deadline": label, "due": _when(due)},
            recipients=self._lead_recipients(r, directory),
            title=_("Due soon: %(deadline)s of case %(code)s 即将到期") % {"deadline": label,
                                                                       "code": incident.tracking_code},
            body=_("%(title)s — due %(due)s. Please act within the time limit. 请在时限内办理。") % {
                "title": incident.title, "due": _when(due)})

    def overdue(self, clock: Clock) -> None:
        qs, _unused = self._open_for(clock)
        col = clock.column
        done = self._supervisions(clock.name, Step.OVERDUE).filter(due_at=OuterRef(col))
        batch = list(qs.filter(**{f"{col}__lte": self.now}).filter(~Exists(done)).order_by(col, "pk")[: self.batch_size])
        if not batch:
            return
        responsible, directory = self._context(clock, batch)
        for incident in batch:
            if self._safely(self._overdue_one, clock, incident, responsible[incident.pk], directory):
                self.counts["overdue"] += 1

    def _overdue_one(self, clock: Clock, incident: Incident, r: _Responsible, directory: _Directory) -> bool:
        due = getattr(incident, clock.column)
        label = _deadline_label(clock.name)
        return self._act(
            incident=incident, deadline=clock.name, step=Step.OVERDUE, due_at=due,
            guard=self._incident_guard(clock, incident, due),
            note=_("Overdue: the %(deadline)s deadline %(due)s has passed. 已超时（催办）。") % {
                "deadline": label, "due": _when(due)},
            recipients=self._lead_recipients(r, directory),
            title=_("Overdue: %(deadline)s of case %(code)s 已超时") % {"deadline": label,
                                                                   "code": incident.tracking_code},
            body=_("%(title)s — was due %(due)s. Please act now. 请立即办理。") % {
                "title": incident.title, "due": _when(due)})

    def _incident_guard(self, clock: Clock, incident: Incident, due: datetime, *, new_level: int | None = None):
        """A guarded UPDATE: same status set, same deadline value (and the escalation level read, when set).
        On PostgreSQL it also locks the case row until the step commits."""
        def guard() -> bool:
            rows = Incident.objects.filter(pk=incident.pk, status__in=clock.statuses, **{clock.column: due})
            if new_level is None:
                return bool(rows.update(escalation_level=F("escalation_level")))
            return bool(rows.filter(escalation_level=incident.escalation_level)
                        .update(escalation_level=new_level, updated_at=timezone.now()))
        return guard

    def escalations(self, clock: Clock) -> None:
        qs, _unused = self._open_for(clock)
        col = clock.column
        escalated = self._supervisions(clock.name, Step.ESCALATED).filter(due_at__gte=OuterRef(col))
        if self.repeat is not None:
            recent = escalated.filter(due_at__gt=self.now - self.repeat)
            repeatable = Q()
        else:  # another full limit (deadline − start) since the last escalation of this deadline
            recent = escalated.alias(_since_start=_duration(F("due_at"), OuterRef("_start")),
                                     _since_due=_duration(self.now_value, OuterRef(col))
                                     ).filter(_since_start__gt=F("_since_due"))
            repeatable = Q(**{f"{col}__gt": F("_start")})
        due_again = Q(repeatable, ~Exists(escalated.filter(level=LADDER[TOP])), ~Exists(recent))
        batch = list(qs.filter(**{f"{col}__lte": self.now}).filter(~Exists(escalated) | due_again)
                     .order_by(col, "pk")[: self.batch_size])
        if not batch:
            return
        existing: dict[int, dict[datetime, str]] = {}
        for incident_id, due_at, level in (Supervision.objects
                                           .filter(incident_id__in=[i.pk for i in batch], deadline=clock.name,
                                                   step=Step.ESCALATED).values_list("incident_id", "due_at", "level")):
            existing.setdefault(incident_id, {})[due_at] = level
        responsible, directory = self._context(clock, batch, escalation=True)
        for incident in batch:
            self._safely(self._escalate_incident, clock, incident, responsible[incident.pk], directory,
                         existing.get(incident.pk, {}))

    def _interval(self, clock: Clock, incident: Incident) -> timedelta | None:
        if self.repeat is not None:
            return self.repeat
        due = getattr(incident, clock.column)
        start = clock.start_of(incident)
        if start is None or due <= start:
            return None
        return due - start

    def _escalate_incident(self, clock: Clock, incident: Incident, r: _Responsible, directory: _Directory,
                           existing: dict[datetime, str]) -> bool:
        due = getattr(incident, clock.column)
        interval = self._interval(clock, incident)
        acted = False
        for k in range(MAX_STEPS_PER_SWEEP):
            step_due = due + k * interval if interval else due
            if step_due > self.now or (k > 0 and interval is None):
                break
            if step_due in existing:
                if existing[step_due] == LADDER[TOP]:
                    break
                continue
            rung = min(r.rank + incident.escalation_level + 1, TOP)
            target = r.target(directory, rung)
            level = LADDER[rung]
            new_level = max(incident.escalation_level, rung - r.rank)
            if not self._escalate_one(clock, incident, r, directory, due=due, step_due=step_due, level=level,
                                      target=target, new_level=new_level):
                break  # done elsewhere, or the case changed: the next sweep looks again
            acted = True
            self.counts["escalated"] += 1
            incident.escalation_level = new_level
            existing[step_due] = level
            if rung >= TOP:
                break
        return acted

    def _escalate_one(self, clock, incident, r, directory, *, due, step_due, level, target, new_level) -> bool:
        label = _deadline_label(clock.name)
        values = {"deadline": label, "due": _when(due), "level": _level_label(level), "code": incident.tracking_code,
                  "title": incident.title}
        return self._act(
            incident=incident, deadline=clock.name, step=Step.ESCALATED, due_at=step_due, level=level,
            guard=self._incident_guard(clock, incident, due, new_level=new_level),
            note=_("Supervision (督办): the %(deadline)s deadline %(due)s has passed; escalated to %(level)s.") % values,
            recipients=directory.recipients(target), sms=True,
            title=_("Supervision (督办): case %(code)s is overdue for %(deadline)s") % values,
            body=_("%(title)s — %(deadline)s was due %(due)s. The case is escalated to %(level)s for supervision. "
                   "案件已超时，升级督办。") % values)

    # -- whistle report-ins -------------------------------------------------------------------------------------

    def _summonses(self):
        return (WhistleSummons.objects.filter(reported_at__isnull=True, whistle__incident__status__in=Incident.OPEN)
                .select_related("whistle__incident", "whistle__caller", "department"))

    def _summons_supervisions(self, step: str):
        return Supervision.objects.filter(
            incident_id=OuterRef("whistle__incident_id"), step=step, due_at=OuterRef("report_by"),
            deadline=Concat(Value(f"{REPORT_IN}:"), Cast(OuterRef("pk"), output_field=CharField()),
                            output_field=CharField()))

    def report_in_warnings(self) -> None:
        start = F("whistle__created_at")
        batch = list(self._summonses().filter(report_by__gt=self.now).alias(**self._warn_aliases(start, "report_by"))
                     .filter(self.WARN_REACHED)
                     .filter(~Exists(self._summons_supervisions(Step.WARNING)))
                     .order_by("report_by", "pk")[: self.batch_size])
        if not batch:
            return
        directory = _Directory.for_units(units={Unit("department", department_id=s.department_id) for s in batch})
        for summons in batch:
            if self._safely(self._report_in_step, summons, Step.WARNING, directory):
                self.counts["report_in_warning"] += 1

    def report_in_overdue(self) -> None:
        batch = list(self._summonses().filter(report_by__lte=self.now, escalated_at__isnull=True)
                     .order_by("report_by", "pk")[: self.batch_size])
        if not batch:
            return
        units = set()
        for s in batch:
            units |= {Unit("department", department_id=s.department_id),
                      Unit("district", region_id=s.department.district_id)}
            if s.whistle.caller.region_id:
                units.add(Unit("region", region_id=s.whistle.caller.region_id))
        directory = _Directory.for_units(units=units, users={s.whistle.caller_id for s in batch})
        for summons in batch:
            if self._safely(self._report_in_step, summons, Step.OVERDUE, directory):
                self.counts["report_in_overdue"] += 1
            if self._safely(self._report_in_escalate, summons, directory):
                self.counts["report_in_escalated"] += 1

    def _report_in_step(self, summons: WhistleSummons, step: str, directory: _Directory) -> bool:
        incident = summons.whistle.incident
        values = {"department": summons.department.name, "code": incident.tracking_code, "title": incident.title,
                  "due": _when(summons.report_by)}

        def guard() -> bool:
            return bool(WhistleSummons.objects.filter(pk=summons.pk, reported_at__isnull=True,
                                                      report_by=summons.report_by)
                        .update(report_by=F("report_by")))

        if step == Step.WARNING:
            note = _("Warning: %(department)s must report in by %(due)s. 预警：部门报到即将到期。") % values
            title = _("Report in soon: case %(code)s 吹哨报到即将到期") % values
            body = _("%(title)s — your department was summoned; report in by %(due)s. 请按时报到。") % values
        else:
            note = _("Overdue: %(department)s did not report in by %(due)s. 部门报到已超时。") % values
            title = _("Report-in overdue: case %(code)s 吹哨报到已超时") % values
            body = _("%(title)s — your department was due to report in by %(due)s. 请立即报到。") % values
        return self._act(incident=incident, deadline=f"{REPORT_IN}:{summons.pk}", step=step,
                         due_at=summons.report_by, guard=guard, note=note, title=title, body=body,
                         recipients=directory.recipients(Unit("department", department_id=summons.department_id)))

    def _report_in_escalate(self, summons: WhistleSummons, directory: _Directory) -> bool:
        incident = summons.whistle.incident
        values = {"department": summons.department.name, "code": incident.tracking_code, "title": incident.title,
                  "due": _when(summons.report_by)}
        caller = summons.whistle.caller
        recipients = [*directory.user(caller.pk),
                      *directory.recipients(Unit("region", region_id=caller.region_id) if caller.region_id else None),
                      *directory.recipients(Unit("district", region_id=summons.department.district_id))]

        def guard() -> bool:  # compare-and-set: only the first run escalates, and not once the department reported
            return bool(WhistleSummons.objects.filter(pk=summons.pk, reported_at__isnull=True,
                                                      escalated_at__isnull=True)
                        .update(escalated_at=self.now))

        return self._act(
            incident=incident, deadline=f"{REPORT_IN}:{summons.pk}", step=Step.ESCALATED, due_at=summons.report_by,
            level=LADDER[TOP], guard=guard, recipients=recipients, sms=True,
            note=_("Supervision (督办): %(department)s did not report in by %(due)s; escalated to the district.")
            % values,
            title=_("Supervision (督办): %(department)s has not reported in on case %(code)s") % values,
            body=_("%(title)s — %(department)s was summoned and due to report in by %(due)s. 部门未按时报到，升级督办。")
            % values)
