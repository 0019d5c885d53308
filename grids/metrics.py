"""Incident metrics: the three rates (三率), a composite score, and the 数字城管 case indicators, per unit and period.

Units and period
- A unit is a node of the region tree — a grid, community, street or district — or a department.
  A region unit counts the cases whose grid lies in its subtree (micro-grids included), by the region path.
  A department counts the cases whose lead assignment (首接负责, Assignment.role = lead) is that department
  and is pending, signed for or done; a lead assignment that was returned (退单) or withdrawn does not count.
- The period [start, end) selects the cases REGISTERED (立案, registered_at) in it: every figure of a period is
  about one cohort of cases, followed to wherever they are now. Cases never registered (rejected, merged, only
  reported) are not counted. `start`/`end` may be dates (midnight, local time) or aware datetimes.
- `now` (default: the current time) is the moment at which pending responses are judged (see 响应率).

The three rates (三率). Each is a share in [0, 1], or None when its denominator is 0 (no data is not 0 %).
- 响应率, response rate = responded / response due.
  Due: dispatched cases (dispatched_at set) whose response is decided at `now`.
  Responded: signed for on time (signed_at ≤ sign_for_by) AND, when the requester can be called back (a
  call-back phone is on record and the report is not anonymous to the handlers), contacted (first_contact_at
  set). A case without a call-back phone counts on the sign-for alone. A case with no sign-for deadline
  recorded cannot be on time.
  Not yet decided, so left out of both numerator and denominator: a case not signed for while its sign-for
  deadline is still ahead of `now`; a case signed for on time whose call-back is due but not yet made while the
  case has not been answered (the handler may still call before answering).
- 解决率, resolution rate = (resolved + PARTLY_RESOLVED_CREDIT × partly resolved) / cases whose requester answered
  the resolution question (resolution recorded: 已解决 / 部分解决 / 未解决). A partly resolved case counts ½
  (setting GONGZHI_METRICS_PARTLY_RESOLVED_CREDIT, default 0.5).
- 满意率, satisfaction rate = (satisfied + BASICALLY_SATISFIED_CREDIT × basically satisfied) / cases whose
  requester answered the satisfaction question (满意 / 基本满意 / 不满意). The conventional reading counts
  基本满意 as satisfied (setting GONGZHI_METRICS_BASICALLY_SATISFIED_CREDIT, default 1.0).
  A rating stays on the case when it is reopened later.
- Composite score (综合得分, 0–100) = 100 × (w_response × 响应率 + w_resolution × 解决率 + w_satisfaction × 满意率),
  weights from settings.GONGZHI_SCORE_WEIGHTS[unit kind] (keys "grid", "community", "street", "district",
  "department"; fallback "default"; three non-negative numbers summing to 1; default 0.30 / 0.35 / 0.35).
  None when any of the three rates is None.

Case indicators (数字城管 综合评价), same cohort, same None rule.
- 结案率, closure rate = closed / registered; closed = status closed or rated now (a reopened case is not closed).
- 按期结案率, on-time closure rate = closed cases with closed_at ≤ handle_by / closed cases. handle_by is the
  deadline in force when the case closed, so an approved extension (延期) moves it; a closed case with no handling
  deadline recorded is not on time.
- 返工率, rework rate = cases reworked at least once (rework_count > 0) / cases answered at least once
  (answered_at set, or rework_count > 0).
- 延期率, extension rate = cases extended at least once (extension_count > 0) / dispatched cases.
- Average hours to sign for = mean of signed_at − dispatched_at over the cases with both set; average hours to
  close = mean of closed_at − registered_at over the closed cases. Clock hours (not working hours); None when no
  case qualifies.

The core (CaseRow, Tally, compute_metrics, weights_for) is pure Python over plain rows and is the reference
definition. unit_metrics and metrics_table compute the same tallies in the database: one GROUP BY query per call
(per grid for region units, per department), summed per unit in Python (plus one query to load units given by
id), however many units and cases; no case row is loaded. On the 2-core reference box that is about 0.5 s per
100,000 cases in the period on PostgreSQL.

The dashboard (grids/views/metrics.py, /grids/metrics/) uses the functions at the end of this module: which unit
kinds and units an account may compare, sorting, and the audited Excel export. docs/metrics.md is the reader's
version of these definitions.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ObjectDoesNotExist
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

UNIT_KINDS = ("grid", "community", "street", "district", "department")
REGION_UNIT_LEVELS = {
    "grid": ("grid", "micro_grid"),
    "community": ("community",),
    "street": ("street",),
    "district": ("district",),
}
CLOSED_STATUSES = frozenset({"closed", "rated"})
LEAD_COUNTED_STATES = ("pending", "signed", "done")
DEFAULT_WEIGHTS = (0.30, 0.35, 0.35)
PARTLY_RESOLVED_CREDIT = 0.5
BASICALLY_SATISFIED_CREDIT = 1.0


# --- the pure core ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CaseRow:
    """What the metrics need of one case (plain values: no ORM)."""

    status: str
    registered_at: datetime.datetime
    dispatched_at: datetime.datetime | None = None
    sign_for_by: datetime.datetime | None = None
    signed_at: datetime.datetime | None = None
    callback_expected: bool = False  # a call-back phone on record and not anonymous to the handlers
    first_contact_at: datetime.datetime | None = None
    answered_at: datetime.datetime | None = None
    handle_by: datetime.datetime | None = None
    closed_at: datetime.datetime | None = None
    rework_count: int = 0
    extension_count: int = 0
    resolution: str = ""  # "resolved" | "partly" | "unresolved" | ""
    satisfaction: str = ""  # "satisfied" | "basically" | "dissatisfied" | ""


@dataclass(frozen=True)
class Metrics:
    unit_kind: str
    weights: tuple[float, float, float]
    # counts (numerators and denominators, so every rate can be checked and explained)
    registered: int = 0
    dispatched: int = 0
    response_due: int = 0
    responded: int = 0
    response_pending: int = 0
    resolution_answers: int = 0
    resolved: int = 0
    partly_resolved: int = 0
    unresolved: int = 0
    satisfaction_answers: int = 0
    satisfied: int = 0
    basically_satisfied: int = 0
    dissatisfied: int = 0
    closed: int = 0
    closed_on_time: int = 0
    answered: int = 0
    reworked: int = 0
    extended: int = 0
    # rates in [0, 1] and the composite score in [0, 100]; None = no data
    response_rate: float | None = None
    resolution_rate: float | None = None
    satisfaction_rate: float | None = None
    composite_score: float | None = None
    closure_rate: float | None = None
    on_time_closure_rate: float | None = None
    rework_rate: float | None = None
    extension_rate: float | None = None
    avg_sign_for_hours: float | None = None
    avg_close_hours: float | None = None


def _share(numerator: float, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def _hours(delta: datetime.timedelta) -> float:
    return delta.total_seconds() / 3600



def weights_for(unit_kind: str, table: dict | None = None) -> tuple[float, float, float]:
    """(response, resolution, satisfaction) weights of a unit kind: table[unit_kind], else table["default"], else
    30/35/35. Raises ImproperlyConfigured unless three non-negative numbers summing to 1."""
    table = table if table is not None else getattr(settings, "GONGZHI_SCORE_WEIGHTS", {})
    weights = table.get(unit_kind) or table.get("default") or DEFAULT_WEIGHTS
    try:
        values = tuple(float(w) for w in weights)
    except (TypeError, ValueError):
        raise ImproperlyConfigured(f"GONGZHI_SCORE_WEIGHTS[{unit_kind!r}] must be three numbers.") from None
    if len(values) != 3 or any(w < 0 for w in values) or not math.isclose(sum(values), 1.0, abs_tol=1e-6):
        raise ImproperlyConfigured(f"GONGZHI_SCORE_WEIGHTS[{unit_kind!r}] must be three non-negative numbers "
                                   f"summing to 1, not {weights!r}.")
    return values  # type: ignore[return-value]


def _response(row: CaseRow, now: datetime.datetime) -> bool | None:
    """True responded, False missed, None not decided yet (see the module docstring)."""
    if row.signed_at is None:
        if row.sign_for_by is not None and now < row.sign_for_by:
            return None
        return False
    if row.sign_for_by is None or row.signed_at > row.sign_for_by:
        return False
    if not row.callback_expected or row.first_contact_at is not None:
        return True
    if row.answered_at is None and row.status not in CLOSED_STATUSES:
        return None
    return False


COUNT_FIELDS = ("registered", "dispatched", "response_due", "responded", "response_pending", "resolved",
                "partly_resolved", "unresolved", "satisfied", "basically_satisfied", "dissatisfied", "closed",
                "closed_on_time", "answered", "reworked", "extended")


@dataclass
class Tally:
    """The counts of one cohort, and the sums behind the two averages. Tallies add up (a community's tally is the
    sum of its grids'), which is how one aggregate query serves every unit of a table."""

    counts: dict
    sign_for_total: datetime.timedelta = datetime.timedelta(0)
    sign_for_cases: int = 0
    close_total: datetime.timedelta = datetime.timedelta(0)
    close_cases: int = 0

    @classmethod
    def empty(cls) -> Tally:
        return cls(counts=dict.fromkeys(COUNT_FIELDS, 0))

    def add(self, other: Tally) -> None:
        for name, value in other.counts.items():
            self.counts[name] += value
        self.sign_for_total += other.sign_for_total
        self.sign_for_cases += other.sign_for_cases
        self.close_total += other.close_total
        self.close_cases += other.close_cases

    def add_row(self, row: CaseRow, now: datetime.datetime) -> None:
        c = self.counts
        c["registered"] += 1
        if row.dispatched_at is not None:
            c["dispatched"] += 1
            response = _response(row, now)
            if response is None:
                c["response_pending"] += 1
            else:
                c["response_due"] += 1
                c["responded"] += response
            if row.extension_count > 0:
                c["extended"] += 1
            if row.signed_at is not None:
                self.sign_for_total += row.signed_at - row.dispatched_at
                self.sign_for_cases += 1
        for value, name in ((row.resolution, {"resolved": "resolved", "partly": "partly_resolved",
                                              "unresolved": "unresolved"}),
                            (row.satisfaction, {"satisfied": "satisfied", "basically": "basically_satisfied",
                                                "dissatisfied": "dissatisfied"})):
            if value in name:
                c[name[value]] += 1
        if row.status in CLOSED_STATUSES:
            c["closed"] += 1
            if row.closed_at is not None and row.handle_by is not None and row.closed_at <= row.handle_by:
                c["closed_on_time"] += 1
            if row.closed_at is not None:
                self.close_total += row.closed_at - row.registered_at
                self.close_cases += 1
        if row.answered_at is not None or row.rework_count > 0:
            c["answered"] += 1
            if row.rework_count > 0:
                c["reworked"] += 1


def metrics_from_tally(tally: Tally, *, weights: Sequence[float], unit_kind: str = "default",
                       partly_credit: float = PARTLY_RESOLVED_CREDIT,
                       basically_credit: float = BASICALLY_SATISFIED_CREDIT) -> Metrics:
    c = tally.counts
    resolution_answers = c["resolved"] + c["partly_resolved"] + c["unresolved"]
    satisfaction_answers = c["satisfied"] + c["basically_satisfied"] + c["dissatisfied"]
    response_rate = _share(c["responded"], c["response_due"])
    resolution_rate = _share(c["resolved"] + partly_credit * c["partly_resolved"], resolution_answers)
    satisfaction_rate = _share(c["satisfied"] + basically_credit * c["basically_satisfied"], satisfaction_answers)
    rates = (response_rate, resolution_rate, satisfaction_rate)
    weights = tuple(float(w) for w in weights)
    composite = None
    if all(rate is not None for rate in rates):
        composite = 100 * sum(w * r for w, r in zip(weights, rates, strict=True))
    return Metrics(
        unit_kind=unit_kind, weights=weights, **c,  # type: ignore[arg-type]
        resolution_answers=resolution_answers, satisfaction_answers=satisfaction_answers,
        response_rate=response_rate, resolution_rate=resolution_rate, satisfaction_rate=satisfaction_rate,
        composite_score=composite,
        closure_rate=_share(c["closed"], c["registered"]),
        on_time_closure_rate=_share(c["closed_on_time"], c["closed"]),
        rework_rate=_share(c["reworked"], c["answered"]),
        extension_rate=_share(c["extended"], c["dispatched"]),
        avg_sign_for_hours=_hours(tally.sign_for_total) / tally.sign_for_cases if tally.sign_for_cases else None,
        avg_close_hours=_hours(tally.close_total) / tally.close_cases if tally.close_cases else None,
    )


def compute_metrics(rows: Iterable[CaseRow], *, now: datetime.datetime, weights: Sequence[float],
                    unit_kind: str = "default", partly_credit: float = PARTLY_RESOLVED_CREDIT,
                    basically_credit: float = BASICALLY_SATISFIED_CREDIT) -> Metrics:
    """The metrics of one unit's cohort of cases (rows already selected by unit and period)."""
    tally = Tally.empty()
    for row in rows:
        tally.add_row(row, now)
    return metrics_from_tally(tally, weights=weights, unit_kind=unit_kind, partly_credit=partly_credit,
                              basically_credit=basically_credit)


# --- the ORM loader: the same definitions as SQL aggregates ---------------------------------------------------------
#
# Rows are never loaded into Python: one GROUP BY query per table gives the tally of every grid (region units) or
# of every department, and a unit's tally is the sum of its grids' tallies. The conditions below are the SQL form
# of Tally.add_row (tests check that both give the same figures).


@dataclass(frozen=True)
class UnitMetrics:
    unit: object  # a Region or a Department
    metrics: Metrics


def _aware(value, name: str) -> datetime.datetime:
    if isinstance(value, datetime.datetime):
        if timezone.is_naive(value):
            raise ValueError(f"{name} must be timezone-aware")
        return value
    if isinstance(value, datetime.date):
        return timezone.make_aware(datetime.datetime.combine(value, datetime.time.min))
    raise TypeError(f"{name} must be a date or a datetime")


def _period(start, end) -> tuple[datetime.datetime, datetime.datetime]:
    start, end = _aware(start, "start"), _aware(end, "end")
    if end < start:
        raise ValueError("the period ends before it starts")
    return start, end


def _aggregates(now: datetime.datetime, prefix: str = "") -> dict:
    """{name: aggregate} over incidents reached through `prefix` ("" from Incident, "incident__" from Assignment)."""
    from django.db.models import Count, DurationField, F, Sum

    def q(**lookups) -> Q:
        return Q(**{prefix + name: value for name, value in lookups.items()})

    closed_statuses = sorted(CLOSED_STATUSES)
    dispatched = q(dispatched_at__isnull=False)
    on_time = q(signed_at__isnull=False, sign_for_by__isnull=False, signed_at__lte=F(prefix + "sign_for_by"))
    callback = ~q(reporter_phone="") & q(anonymous=False)
    pending = dispatched & (q(signed_at__isnull=True, sign_for_by__gt=now)
                            | (on_time & callback & q(first_contact_at__isnull=True, answered_at__isnull=True)
                               & ~q(status__in=closed_statuses)))
    responded = dispatched & on_time & (q(reporter_phone="") | q(anonymous=True) | q(first_contact_at__isnull=False))
    closed = q(status__in=closed_statuses)
    signed = dispatched & q(signed_at__isnull=False)
    closed_with_time = closed & q(closed_at__isnull=False)

    def count(condition=None):
        return Count("pk", filter=condition)

    def duration(later: str, earlier: str, condition):
        return Sum(F(prefix + later) - F(prefix + earlier), filter=condition, output_field=DurationField())

    return {
        "registered": count(),
        "dispatched": count(dispatched),
        "response_pending": count(pending),
        "responded": count(responded),
        "resolved": count(q(resolution="resolved")),
        "partly_resolved": count(q(resolution="partly")),
        "unresolved": count(q(resolution="unresolved")),
        "satisfied": count(q(satisfaction="satisfied")),
        "basically_satisfied": count(q(satisfaction="basically")),
        "dissatisfied": count(q(satisfaction="dissatisfied")),
        "closed": count(closed),
        "closed_on_time": count(closed_with_time & q(handle_by__isnull=False, closed_at__lte=F(prefix + "handle_by"))),
        "answered": count(q(answered_at__isnull=False) | q(rework_count__gt=0)),
        "reworked": count(q(rework_count__gt=0)),
        "extended": count(dispatched & q(extension_count__gt=0)),
        "sign_for_total": duration("signed_at", "dispatched_at", signed),
        "sign_for_cases": count(signed),
        "close_total": duration("closed_at", "registered_at", closed_with_time),
        "close_cases": count(closed_with_time),
    }


def _tally(values: dict) -> Tally:
    counts = {name: values.get(name) or 0 for name in COUNT_FIELDS if name != "response_due"}
    counts["response_due"] = counts["dispatched"] - counts["response_pending"]
    return Tally(counts=counts, sign_for_total=values["sign_for_total"] or datetime.timedelta(0),
                 sign_for_cases=values["sign_for_cases"], close_total=values["close_total"] or datetime.timedelta(0),
                 close_cases=values["close_cases"])


def _load_units(unit_kind: str, units) -> list:
    from governance.models import Department
    from grids.models import Region

    units = list(units)
    model = Department if unit_kind == "department" else Region
    ids = [u for u in units if not isinstance(u, model)]
    if ids:
        loaded = model.objects.in_bulk([int(u) for u in ids])
        missing = [u for u in ids if int(u) not in loaded]
        if missing:
            raise model.DoesNotExist(f"No {model.__name__} with id {missing[0]}")
        units = [u if isinstance(u, model) else loaded[int(u)] for u in units]
    if unit_kind != "department":
        for unit in units:
            if unit.level not in REGION_UNIT_LEVELS[unit_kind]:
                raise ValueError(f"{unit.code} is a {unit.level}, not a {unit_kind}")
    return units


def _tallies_by_unit(unit_kind: str, units: list, start, end, now) -> dict[int, Tally]:
    """{unit pk: Tally} for the cases registered in [start, end): one aggregate query."""
    from grids.models import Assignment, Incident, Region

    by_unit: dict[int, Tally] = {unit.pk: Tally.empty() for unit in units}
    if not units:
        return by_unit
    if unit_kind == "department":
        counted = dict(role="lead", state__in=LEAD_COUNTED_STATES)
        # One row per (case, department): a case led twice by the same department (reopened, dispatched to it
        # again) counts once, through its first counted lead assignment.
        earlier = Assignment.objects.filter(incident=OuterRef("incident"), department=OuterRef("department"),
                                            pk__lt=OuterRef("pk"), **counted)
        rows = (Assignment.objects
                .filter(department_id__in=list(by_unit), incident__registered_at__gte=start,
                        incident__registered_at__lt=end, **counted)
                .filter(~Exists(earlier))
                .values("department_id").order_by().annotate(**_aggregates(now, prefix="incident__")))
        for values in rows:
            by_unit[values["department_id"]].add(_tally(values))
        return by_unit
    steplen = Region.steplen
    unit_by_path = {unit.path: unit.pk for unit in units}
    scope = Q()
    for path in unit_by_path:
        scope |= Q(grid__path__startswith=path)
    rows = (Incident.objects.filter(scope, registered_at__gte=start, registered_at__lt=end)
            .values("grid__path").order_by().annotate(**_aggregates(now)))
    for values in rows:
        path, tally = values["grid__path"], _tally(values)
        for depth in range(1, len(path) // steplen + 1):
            unit_pk = unit_by_path.get(path[: steplen * depth])
            if unit_pk is not None:
                by_unit[unit_pk].add(tally)
    return by_unit


def _check_kind(unit_kind: str) -> None:
    if unit_kind not in UNIT_KINDS:
        raise ValueError(f"unit_kind must be one of {', '.join(UNIT_KINDS)}")


def _credits() -> tuple[float, float]:
    return (float(getattr(settings, "GONGZHI_METRICS_PARTLY_RESOLVED_CREDIT", PARTLY_RESOLVED_CREDIT)),
            float(getattr(settings, "GONGZHI_METRICS_BASICALLY_SATISFIED_CREDIT", BASICALLY_SATISFIED_CREDIT)))


def metrics_table(*, unit_kind: str, units, start, end, now=None) -> list[UnitMetrics]:
    """The metrics of many units of one kind at once, in the order given. `units`: Region (grid, community,
    street, district) or Department instances, or their ids. One aggregate query (plus one to load units given by
    id), whatever the number of units and cases."""
    _check_kind(unit_kind)
    start, end = _period(start, end)
    now = now or timezone.now()
    units = _load_units(unit_kind, units)
    weights = weights_for(unit_kind)
    partly, basically = _credits()
    tallies = _tallies_by_unit(unit_kind, units, start, end, now)
    return [UnitMetrics(unit=unit, metrics=metrics_from_tally(tallies[unit.pk], weights=weights, unit_kind=unit_kind,
                                                              partly_credit=partly, basically_credit=basically))
            for unit in units]


def unit_metrics(*, unit_kind: str, unit_id, start, end, now=None) -> Metrics:
    """The metrics of one unit (a region node of the kind's level, or a department) for cases registered in
    [start, end). Raises Region/Department.DoesNotExist for an unknown id, ValueError for a wrong level."""
    return metrics_table(unit_kind=unit_kind, units=[unit_id], start=start, end=end, now=now)[0].metrics


# --- the dashboard: who compares which units, sorting, export -----------------------------------------------------
#
# District officials, street and community staff and department handlers see the dashboard. A region-bound account
# compares the units of its subtree at or below its own level (a community: its grids and itself; a street: its
# communities, grids and itself; the district: everything, and the district's departments); a department handler
# sees its own department only. Units outside the jurisdiction do not exist for the user (404).

METRICS_ROLES = frozenset({"community_staff", "street_staff", "district_official", "department_handler"})
KIND_DEPTH = {"district": 1, "street": 2, "community": 3, "grid": 4}
KIND_ORDER = ("grid", "community", "street", "district", "department")
AREA_LEVELS = ("street", "community")  # what `within` may narrow a list of region units to
# Sortable columns: the unit (by code) or any figure of Metrics.
SORT_KEYS = ("unit", "registered", "response_rate", "resolution_rate", "satisfaction_rate", "composite_score",
             "closure_rate", "on_time_closure_rate", "rework_rate", "extension_rate", "avg_sign_for_hours",
             "avg_close_hours")
DEFAULT_SORT = "composite_score"
MAX_PERIOD_DAYS = 366  # a calendar year at most: rankings are by month, quarter or year


def _user_ok(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.role in METRICS_ROLES)


def _root_depth(user) -> int | None:
    from governance.selectors.jurisdiction import jurisdiction_paths
    from grids.models import Region

    paths = jurisdiction_paths(user)
    return min(len(path) for path in paths) // Region.steplen if paths else None


def metric_kinds_for(user) -> list[str]:
    """The unit kinds this user may compare, in display order; [] = no dashboard for this account."""
    if not _user_ok(user):
        return []
    if user.role == "department_handler":
        return ["department"] if user.department_id else []
    top = _root_depth(user)
    if top is None:
        return []
    kinds = [kind for kind in KIND_ORDER if kind in KIND_DEPTH and KIND_DEPTH[kind] >= top]
    if top == KIND_DEPTH["district"]:
        kinds.append("department")
    return kinds


def can_view_metrics(user) -> bool:
    return bool(metric_kinds_for(user))


def default_kind_for(user) -> str | None:
    """The kind shown first: the level just below the account's own (a street compares its communities)."""
    kinds = metric_kinds_for(user)
    if not kinds:
        return None
    top = _root_depth(user) if user.role != "department_handler" else None
    if top is not None:
        below = [kind for kind in kinds if KIND_DEPTH.get(kind) == top + 1]
        if below:
            return below[0]
    return kinds[0]


def metric_areas_for(user):
    """Streets and communities strictly inside the account's subtree, to narrow a list of region units (one
    query). Empty for a community account and for departments."""
    from governance.selectors.jurisdiction import jurisdiction_paths, scope_q
    from grids.models import Region

    if not _user_ok(user) or user.role == "department_handler":
        return Region.objects.none()
    roots = jurisdiction_paths(user)
    return (Region.objects.filter(scope_q(user, field=""), level__in=AREA_LEVELS, valid_to__isnull=True)
            .exclude(path__in=roots).order_by("path"))


def _check_allowed(user, unit_kind: str) -> None:
    from django.utils.translation import gettext as _

    from governance.lib.exceptions import NotFoundOrForbidden

    if unit_kind not in metric_kinds_for(user):
        raise NotFoundOrForbidden(_("This page does not exist. 页面不存在。"))


def _units_queryset(user, unit_kind: str):
    """Every unit of the kind inside the jurisdiction (no period filter), ordered by code."""
    from governance.models import Department
    from governance.selectors.jurisdiction import jurisdiction_paths, scope_q
    from grids.models import Region

    if unit_kind == "department":
        if user.role == "department_handler":
            return Department.objects.filter(pk=user.department_id)
        districts = [path for path in jurisdiction_paths(user) if len(path) == Region.steplen]
        return Department.objects.filter(district__path__in=districts).order_by("code", "pk")
    level = "grid" if unit_kind == "grid" else unit_kind  # micro-grids count inside their grid, not as rows
    return Region.objects.filter(scope_q(user, field=""), level=level).order_by("code", "path")


def metric_units(user, *, unit_kind: str, start: datetime.date, end: datetime.date, within=None) -> list:
    """The units of `unit_kind` inside the user's jurisdiction that existed in [start, end) (dates; a region
    version valid during the period, an active department or one that led a case registered in the period), in
    code order; `within` (a street or community from metric_areas_for) narrows region units to its subtree.
    Raises NotFoundOrForbidden for a kind this user may not compare."""
    from grids.models import Assignment

    _check_allowed(user, unit_kind)
    queryset = _units_queryset(user, unit_kind)
    if unit_kind == "department":
        lo, hi = _period(start, end)
        led = Assignment.objects.filter(department=OuterRef("pk"), role="lead", incident__registered_at__gte=lo,
                                        incident__registered_at__lt=hi)
        return list(queryset.filter(Q(is_active=True) | Exists(led)))
    queryset = queryset.filter(Q(valid_from__isnull=True) | Q(valid_from__lt=end),
                               Q(valid_to__isnull=True) | Q(valid_to__gte=start))
    if within is not None:
        queryset = queryset.filter(path__startswith=within.path)
    return list(queryset)


def metric_unit_get(user, *, unit_kind: str, unit_id):
    """One unit of the kind inside the jurisdiction, or NotFoundOrForbidden (outside it, or no such unit)."""
    from django.utils.translation import gettext as _

    from governance.lib.exceptions import NotFoundOrForbidden

    _check_allowed(user, unit_kind)
    try:
        return _units_queryset(user, unit_kind).get(pk=int(unit_id))
    except (ObjectDoesNotExist, TypeError, ValueError):
        raise NotFoundOrForbidden(_("This page does not exist. 页面不存在。")) from None


def parent_names(units) -> dict[int, str]:
    """{unit pk: name of its parent region} for region units (one query); {} for departments."""
    from grids.models import Region

    units = [unit for unit in units if isinstance(unit, Region) and unit.depth > 1]
    if not units:
        return {}
    steplen = Region.steplen
    names = dict(Region.objects.filter(path__in={unit.path[:-steplen] for unit in units})
                 .values_list("path", "name"))
    return {unit.pk: names.get(unit.path[:-steplen], "") for unit in units}


def sort_table(table: list[UnitMetrics], *, key: str = DEFAULT_SORT, descending: bool = True) -> list[UnitMetrics]:
    """Sorted by the unit's code ("unit") or by one figure; units without that figure (None) always come last;
    ties keep code order."""
    if key not in SORT_KEYS:
        raise ValueError(f"unknown sort key {key!r}")
    by_code = sorted(table, key=lambda row: (row.unit.code, row.unit.pk))
    if key == "unit":
        return list(reversed(by_code)) if descending else by_code
    present = [row for row in by_code if getattr(row.metrics, key) is not None]
    missing = [row for row in by_code if getattr(row.metrics, key) is None]
    present.sort(key=lambda row: getattr(row.metrics, key), reverse=descending)  # stable: ties stay in code order
    return present + missing


@dataclass(frozen=True)
class MetricsExport:
    content: bytes
    filename: str
    rows: int


def metrics_export(*, actor, unit_kind: str, start: datetime.date, end: datetime.date, within=None,
                   sort: str = DEFAULT_SORT, descending: bool = True, now=None) -> MetricsExport:
    """The dashboard's table as .xlsx: every unit of the kind in the actor's jurisdiction (and `within`), the
    period [start, end) (dates), sorted as on the page, every count and figure, and a sheet of definitions.
    Writes one `export` audit row (kind, period, area, rows; no figures)."""
    from governance.lib.request_context import actor_for, current_actor
    from governance.models import AuditLog
    from governance.services.audit import audit_record

    now = now or timezone.now()
    units = metric_units(actor, unit_kind=unit_kind, start=start, end=end, within=within)
    table = sort_table(metrics_table(unit_kind=unit_kind, units=units, start=start, end=end, now=now),
                       key=sort, descending=descending)
    content = _export_workbook(table, unit_kind=unit_kind, start=start, end=end, within=within, now=now,
                               parents=parent_names(units))
    request_actor = current_actor()
    audit_record(action=AuditLog.Action.EXPORT, object_type="grids.incident_metrics",
                 actor=request_actor if request_actor.user_id == actor.pk else actor_for(actor),
                 detail={"unit_kind": unit_kind, "start": start.isoformat(), "end": end.isoformat(),
                         "within": within.pk if within is not None else None, "rows": len(table)})
    last_day = end - datetime.timedelta(days=1)
    filename = f"incident-metrics-{unit_kind}-{start:%Y%m%d}-{last_day:%Y%m%d}.xlsx"
    return MetricsExport(content=content, filename=filename, rows=len(table))


def kind_label(unit_kind: str) -> str:
    from django.utils.translation import gettext as _

    return {"grid": _("Grids"), "community": _("Communities"), "street": _("Streets"), "district": _("District"),
            "department": _("Departments")}[unit_kind]


def metric_columns() -> list[dict]:
    """The figures in display order: key, label, kind (count / rate / score / hours) and, for rates, the counts
    that make them (numerator, denominator) so every figure can be checked."""
    from django.utils.translation import gettext as _

    return [
        {"key": "registered", "label": _("Cases registered"), "kind": "count"},
        {"key": "response_rate", "label": _("Response rate"), "kind": "rate", "of": ("responded", "response_due")},
        {"key": "resolution_rate", "label": _("Resolution rate"), "kind": "rate",
         "of": ("resolved", "resolution_answers")},
        {"key": "satisfaction_rate", "label": _("Satisfaction rate"), "kind": "rate",
         "of": ("satisfied", "satisfaction_answers")},
        {"key": "composite_score", "label": _("Composite score"), "kind": "score"},
        {"key": "closure_rate", "label": _("Closure rate"), "kind": "rate", "of": ("closed", "registered")},
        {"key": "on_time_closure_rate", "label": _("On-time closure rate"), "kind": "rate",
         "of": ("closed_on_time", "closed")},
        {"key": "rework_rate", "label": _("Rework rate"), "kind": "rate", "of": ("reworked", "answered")},
        {"key": "extension_rate", "label": _("Extension rate"), "kind": "rate", "of": ("extended", "dispatched")},
        {"key": "avg_sign_for_hours", "label": _("Average hours to sign for"), "kind": "hours"},
        {"key": "avg_close_hours", "label": _("Average hours to close"), "kind": "hours"},
    ]


def metric_definitions() -> list[tuple[str, str]]:
    """(label, definition) of every figure, as shown on the dashboard and in the export's second sheet."""
    from django.utils.translation import gettext as _

    partly, basically = _credits()
    return [
        (_("Period"), _("A period counts the cases registered (立案) in it, followed to wherever they are now. A "
                        "grid, community or street counts the cases of its whole subtree; a department counts the "
                        "cases it leads (首接负责), not those it returned or only co-handles.")),
        (_("Response rate"), _("响应率: dispatched cases signed for (签收) within the time limit and, when the "
                               "requester left a call-back phone, also contacted, divided by the dispatched cases "
                               "whose response is decided. A case whose sign-for deadline has not passed yet, or "
                               "that is signed for and still awaits its call-back before the answer, is not "
                               "counted yet.")),
        (_("Resolution rate"), _("解决率: cases the requester rated resolved, plus %(partly)s for each partly "
                                 "resolved, divided by the cases whose requester answered the question.")
         % {"partly": f"{partly:g}"}),
        (_("Satisfaction rate"), _("满意率: cases rated satisfied, plus %(basically)s for each basically satisfied, "
                                   "divided by the cases whose requester rated satisfaction.")
         % {"basically": f"{basically:g}"}),
        (_("Composite score"), _("综合得分 (0–100): 100 × (response weight × response rate + resolution weight × "
                                 "resolution rate + satisfaction weight × satisfaction rate), with the weights of "
                                 "the unit type; no score while any of the three rates has no data.")),
        (_("Closure rate"), _("结案率: cases closed (or closed and rated) now, divided by the cases registered. A "
                              "reopened case is not closed.")),
        (_("On-time closure rate"), _("按期结案率: closed cases closed by their handling deadline (an approved "
                                      "extension moves the deadline), divided by the closed cases.")),
        (_("Rework rate"), _("返工率: cases sent back for rework at least once after a failed verification, "
                             "divided by the cases answered at least once.")),
        (_("Extension rate"), _("延期率: cases whose deadline was extended at least once, divided by the "
                                "dispatched cases.")),
        (_("Average hours to sign for"), _("Mean clock hours from dispatch to sign-for, over the cases signed "
                                           "for.")),
        (_("Average hours to close"), _("Mean clock hours from registration to closure, over the closed cases.")),
        (_("No data"), _("A dash (—) means the figure has no cases to count, which is not the same as 0 %.")),
    ]


def _export_workbook(table, *, unit_kind, start, end, within, now, parents) -> bytes:
    import io

    from django.utils.translation import gettext as _
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font

    from grids.imports.workbook import safe_text

    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(_("Metrics"))[:31])
    columns = metric_columns()
    counts = {
        "dispatched": _("Dispatched"), "response_due": _("Response decided"), "responded": _("Responded in time"),
        "response_pending": _("Response not decided yet"), "resolution_answers": _("Resolution answers"),
        "resolved": _("Rated resolved"), "partly_resolved": _("Rated partly resolved"),
        "unresolved": _("Rated not resolved"), "satisfaction_answers": _("Satisfaction answers"),
        "satisfied": _("Rated satisfied"), "basically_satisfied": _("Rated basically satisfied"),
        "dissatisfied": _("Rated dissatisfied"), "closed": _("Closed"), "closed_on_time": _("Closed on time"),
        "answered": _("Answered"), "reworked": _("Reworked"), "extended": _("Extended"),
    }

    def cell(value, *, ws=sheet, font=None, number_format=None, text=False):
        if isinstance(value, str):
            value = safe_text(value)
        c = WriteOnlyCell(ws, value=value)
        if font is not None:
            c.font = font
        if number_format:
            c.number_format = number_format
        elif text:
            c.number_format = "@"
        return c

    for letter, width in zip("ABCD", (6, 20, 22, 18), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "D2"
    header = [_("Rank"), _("Code"), _("Unit"), _("Part of")] + [column["label"] for column in columns] + \
        list(counts.values())
    sheet.append([cell(str(text), font=bold) for text in header])
    formats = {"count": "0", "rate": "0.0%", "score": "0.0", "hours": "0.0"}
    for rank, row in enumerate(table, start=1):
        m = row.metrics
        values = [cell(rank), cell(row.unit.code, text=True), cell(row.unit.name),
                  cell(parents.get(row.unit.pk, ""))]
        values += [cell(getattr(m, column["key"]), number_format=formats[column["kind"]]) for column in columns]
        values += [cell(getattr(m, name)) for name in counts]
        sheet.append(values)

    notes = workbook.create_sheet(title=str(_("Definitions"))[:31])
    notes.column_dimensions["A"].width = 24
    notes.column_dimensions["B"].width = 100
    weights = weights_for(unit_kind)
    last_day = end - datetime.timedelta(days=1)
    about = [
        (_("Units"), kind_label(unit_kind) + (f" · {within.name}" if within is not None else "")),
        (_("Registered from"), start.isoformat()),
        (_("Registered to (inclusive)"), last_day.isoformat()),
        (_("Figures as of"), timezone.localtime(now).strftime("%Y-%m-%d %H:%M")),
        (_("Weights (response / resolution / satisfaction)"), " / ".join(f"{w:.0%}" for w in weights)),
    ]
    for label, text in about + metric_definitions():
        explanation = cell(str(text), ws=notes)
        explanation.alignment = wrap
        notes.append([cell(str(label), ws=notes, font=bold), explanation])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
