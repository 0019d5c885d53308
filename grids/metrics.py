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

The core (CaseRow, compute_metrics, weights_for) is pure Python over plain rows; unit_metrics and metrics_table
load the rows with one query per call (plus one to load units given by id), however many units are asked for.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import BooleanField, ExpressionWrapper, Q
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


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


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


def compute_metrics(rows: Iterable[CaseRow], *, now: datetime.datetime, weights: Sequence[float],
                    unit_kind: str = "default", partly_credit: float = PARTLY_RESOLVED_CREDIT,
                    basically_credit: float = BASICALLY_SATISFIED_CREDIT) -> Metrics:
    """The metrics of one unit's cohort of cases (rows already selected by unit and period)."""
    c = dict.fromkeys(("registered", "dispatched", "response_due", "responded", "response_pending",
                       "resolved", "partly_resolved", "unresolved", "satisfied", "basically_satisfied",
                       "dissatisfied", "closed", "closed_on_time", "answered", "reworked", "extended"), 0)
    sign_for_hours: list[float] = []
    close_hours: list[float] = []
    for row in rows:
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
                sign_for_hours.append(_hours(row.signed_at - row.dispatched_at))
        if row.resolution == "resolved":
            c["resolved"] += 1
        elif row.resolution == "partly":
            c["partly_resolved"] += 1
        elif row.resolution == "unresolved":
            c["unresolved"] += 1
        if row.satisfaction == "satisfied":
            c["satisfied"] += 1
        elif row.satisfaction == "basically":
            c["basically_satisfied"] += 1
        elif row.satisfaction == "dissatisfied":
            c["dissatisfied"] += 1
        if row.status in CLOSED_STATUSES:
            c["closed"] += 1
            if row.closed_at is not None and row.handle_by is not None and row.closed_at <= row.handle_by:
                c["closed_on_time"] += 1
            if row.closed_at is not None:
                close_hours.append(_hours(row.closed_at - row.registered_at))
        if row.answered_at is not None or row.rework_count > 0:
            c["answered"] += 1
            if row.rework_count > 0:
                c["reworked"] += 1

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
        avg_sign_for_hours=_mean(sign_for_hours),
        avg_close_hours=_mean(close_hours),
    )


# --- the ORM loader -----------------------------------------------------------------------------------------------

_ROW_FIELDS = ("status", "registered_at", "dispatched_at", "sign_for_by", "signed_at", "callback_expected",
               "first_contact_at", "answered_at", "handle_by", "closed_at", "rework_count", "extension_count",
               "resolution", "satisfaction")


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


def _cases(start, end):
    from grids.models import Incident

    callback = ExpressionWrapper(~Q(reporter_phone="") & Q(anonymous=False), output_field=BooleanField())
    return Incident.objects.filter(registered_at__gte=start, registered_at__lt=end).annotate(callback_expected=callback)


def _row(values) -> CaseRow:
    data = dict(zip(_ROW_FIELDS, values, strict=True))
    data["callback_expected"] = bool(data["callback_expected"])
    data["resolution"] = data["resolution"] or ""
    data["satisfaction"] = data["satisfaction"] or ""
    return CaseRow(**data)


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


def _rows_by_unit(unit_kind: str, units: list, start, end) -> dict[int, list[CaseRow]]:
    by_unit: dict[int, list[CaseRow]] = {unit.pk: [] for unit in units}
    if not units:
        return by_unit
    cases = _cases(start, end)
    if unit_kind == "department":
        seen: set[tuple[int, int]] = set()
        rows = cases.filter(assignments__role="lead", assignments__state__in=LEAD_COUNTED_STATES,
                            assignments__department_id__in=list(by_unit)) \
            .values_list("pk", "assignments__department_id", *_ROW_FIELDS)
        for pk, department_id, *values in rows:
            if (pk, department_id) not in seen:  # one case, one count per department
                seen.add((pk, department_id))
                by_unit[department_id].append(_row(values))
        return by_unit
    from grids.models import Region

    steplen = Region.steplen
    unit_by_path = {unit.path: unit.pk for unit in units}
    scope = Q()
    for path in unit_by_path:
        scope |= Q(grid__path__startswith=path)
    for path, *values in cases.filter(scope).values_list("grid__path", *_ROW_FIELDS):
        row = _row(values)
        for depth in range(1, len(path) // steplen + 1):
            unit_pk = unit_by_path.get(path[: steplen * depth])
            if unit_pk is not None:
                by_unit[unit_pk].append(row)
    return by_unit


def _check_kind(unit_kind: str) -> None:
    if unit_kind not in UNIT_KINDS:
        raise ValueError(f"unit_kind must be one of {', '.join(UNIT_KINDS)}")


def _credits() -> tuple[float, float]:
    return (float(getattr(settings, "GONGZHI_METRICS_PARTLY_RESOLVED_CREDIT", PARTLY_RESOLVED_CREDIT)),
            float(getattr(settings, "GONGZHI_METRICS_BASICALLY_SATISFIED_CREDIT", BASICALLY_SATISFIED_CREDIT)))


def metrics_table(*, unit_kind: str, units, start, end, now=None) -> list[UnitMetrics]:
    """The metrics of many units of one kind at once, in the order given. `units`: Region (grid, community,
    street, district) or Department instances, or their ids. One query for the cases (plus one to load units
    given by id), whatever the number of units."""
    _check_kind(unit_kind)
    start, end = _period(start, end)
    now = now or timezone.now()
    units = _load_units(unit_kind, units)
    weights = weights_for(unit_kind)
    partly, basically = _credits()
    rows = _rows_by_unit(unit_kind, units, start, end)
    return [UnitMetrics(unit=unit, metrics=compute_metrics(rows[unit.pk], now=now, weights=weights, unit_kind=unit_kind,
                                                           partly_credit=partly, basically_credit=basically))
            for unit in units]


def unit_metrics(*, unit_kind: str, unit_id, start, end, now=None) -> Metrics:
    """The metrics of one unit (a region node of the kind's level, or a department) for cases registered in
    [start, end). Raises Region/Department.DoesNotExist for an unknown id, ValueError for a wrong level."""
    return metrics_table(unit_kind=unit_kind, units=[unit_id], start=start, end=end, now=now)[0].metrics
