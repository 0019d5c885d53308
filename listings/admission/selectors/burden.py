"""Burden figures (减负): what each community carries and what departments push at it.

Two kinds of figure, both computed with grouped queries — a constant number of queries, however many communities
and rows there are:

- STOCK on a day — from the task ledger: admitted tasks in force that day (admitted, inside their period, not yet
  revoked) and what they bring: report forms (报表), ledgers (台账), inspections (检查考核), meetings (会议),
  signboards (牌子), funding and staff. "In force on a day" is a question of dates only, so the stock of any past
  day can be computed again (the before/after comparison and the monthly trend use this).
- FLOWS in a window of days — tasks newly admitted; applications refused by the review group (including those
  refused at once for the negative list); tasks sent by departments, those among them not admitted, and those the
  community refused; separate inspections, appraisals and rankings attempted on admitted items.
Applications pending review are counted as they stand now.

Scope: a community's staff see their community; street staff their street's communities; district officials the
district. Department handlers have no burden figures (they are what is being measured)."""

import datetime
from dataclasses import dataclass, field, fields
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils import timezone

from governance.selectors.jurisdiction import jurisdiction_paths
from grids.models import Region, RegionLevel
from listings.admission.models import (
    AdmittedTask,
    Application,
    ApplicationStatus,
    ExtraDemand,
    SentTask,
    SentTaskState,
)
from listings.admission.permissions import can_read_burden

STOCK_FIELDS = ("forms_count", "ledgers_count", "inspections_count", "meetings_count", "signboards_count")


@dataclass
class Stock:
    tasks: int = 0
    forms: int = 0
    ledgers: int = 0
    inspections: int = 0
    meetings: int = 0
    signboards: int = 0
    funding: Decimal = Decimal(0)
    staff: Decimal = Decimal(0)

    def add(self, other: "Stock") -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


@dataclass
class Flows:
    admitted: int = 0
    refused_by_review: int = 0
    received: int = 0
    not_admitted: int = 0
    refused: int = 0
    extra_checks: int = 0

    def add(self, other: "Flows") -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


@dataclass
class CommunityFigures:
    community: Region
    stock: Stock = field(default_factory=Stock)
    flows: Flows = field(default_factory=Flows)
    pending: int = 0


@dataclass(frozen=True)
class Scope:
    """Region paths whose communities are counted."""

    paths: tuple[str, ...]

    def q(self, field_name: str) -> Q:
        prefix = f"{field_name}__path__startswith" if field_name else "path__startswith"
        if not self.paths:
            return Q(pk__in=[])
        q = Q()
        for path in self.paths:
            q |= Q(**{prefix: path})
        return q

    def communities(self):
        return Region.objects.filter(self.q(""), level=RegionLevel.COMMUNITY).order_by("path")


def burden_scope(*, user, community: Region | None = None) -> Scope | None:
    """The reader's scope, or one community inside it; None when the reader has no burden figures."""
    if not can_read_burden(user):
        return None
    paths = tuple(jurisdiction_paths(user))
    if community is not None:
        if not any(community.path.startswith(p) for p in paths):
            return None
        return Scope((community.path,))
    return Scope(paths)


# --- helpers ---------------------------------------------------------------------------------------------

def day_start(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, timezone.get_current_timezone())


def _in_force_q(day: datetime.date, prefix: str = "") -> Q:
    p = prefix
    return (Q(**{f"{p}admitted_on__lte": day, f"{p}period_start__lte": day, f"{p}period_end__gte": day})
            & (Q(**{f"{p}revoked_on__isnull": True}) | Q(**{f"{p}revoked_on__gt": day})))


def _stock_from(row: dict) -> Stock:
    return Stock(tasks=row.get("tasks") or 0, forms=row.get("forms") or 0, ledgers=row.get("ledgers") or 0,
                 inspections=row.get("inspections") or 0, meetings=row.get("meetings") or 0,
                 signboards=row.get("signboards") or 0, funding=row.get("funding") or Decimal(0),
                 staff=row.get("staff") or Decimal(0))


_STOCK_AGGREGATES = {"tasks": Count("pk"), "forms": Sum("forms_count"), "ledgers": Sum("ledgers_count"),
                     "inspections": Sum("inspections_count"), "meetings": Sum("meetings_count"),
                     "signboards": Sum("signboards_count"), "funding": Sum("funding_yuan"), "staff": Sum("staff")}


# --- per community ------------------------------------------------------------------------------------------

def stock_by_community(*, scope: Scope, day: datetime.date, community_ids=None) -> dict[int, Stock]:
    qs = AdmittedTask.objects.filter(scope.q("community")).filter(_in_force_q(day))
    if community_ids is not None:
        qs = qs.filter(community_id__in=community_ids)
    return {row["community_id"]: _stock_from(row)
            for row in qs.values("community_id").order_by("community_id").annotate(**_STOCK_AGGREGATES)}


def flows_by_community(*, scope: Scope, start: datetime.date, end: datetime.date,
                       community_ids=None) -> dict[int, Flows]:
    """Flows in [start, end] (dates, both included), per community: four grouped queries."""
    since, until = day_start(start), day_start(end + datetime.timedelta(days=1))
    result: dict[int, Flows] = {}

    def of(pk) -> Flows:
        return result.setdefault(pk, Flows())

    def only(qs, name="community_id"):
        return qs.filter(**{f"{name}__in": community_ids}) if community_ids is not None else qs

    admitted = only(AdmittedTask.objects.filter(scope.q("community"), admitted_on__gte=start, admitted_on__lte=end))
    for row in admitted.values("community_id").order_by("community_id").annotate(n=Count("pk")):
        of(row["community_id"]).admitted = row["n"]
    through = Application.communities.through.objects
    refused = only(through.filter(scope.q("region"), application__status=ApplicationStatus.REFUSED,
                                  application__decided_at__gte=since, application__decided_at__lt=until),
                   "region_id")
    for row in refused.values("region_id").order_by("region_id").annotate(n=Count("pk")):
        of(row["region_id"]).refused_by_review = row["n"]
    sent = only(SentTask.objects.filter(scope.q("community"), created_at__gte=since, created_at__lt=until))
    for row in sent.values("community_id").order_by("community_id").annotate(
            n=Count("pk"), na=Count("pk", filter=Q(is_admitted=False)),
            refused=Count("pk", filter=Q(state=SentTaskState.REFUSED))):
        f = of(row["community_id"])
        f.received, f.not_admitted, f.refused = row["n"], row["na"], row["refused"]
    extra = only(ExtraDemand.objects.filter(scope.q("community"), occurred_on__gte=start, occurred_on__lte=end))
    for row in extra.values("community_id").order_by("community_id").annotate(n=Count("pk")):
        of(row["community_id"]).extra_checks = row["n"]
    return result


def pending_by_community(*, scope: Scope, community_ids=None) -> dict[int, int]:
    qs = Application.communities.through.objects.filter(scope.q("region"), application__status__in=Application.PENDING)
    if community_ids is not None:
        qs = qs.filter(region_id__in=community_ids)
    return {row["region_id"]: row["n"] for row in qs.values("region_id").order_by("region_id").annotate(n=Count("pk"))}


def community_figures(*, communities, scope: Scope, day: datetime.date, start: datetime.date,
                      end: datetime.date) -> list[CommunityFigures]:
    """One row per community given (a page of them): three to six queries whatever their number."""
    communities = list(communities)
    ids = [c.pk for c in communities]
    if not ids:
        return []
    stock = stock_by_community(scope=scope, day=day, community_ids=ids)
    flows = flows_by_community(scope=scope, start=start, end=end, community_ids=ids)
    pending = pending_by_community(scope=scope, community_ids=ids)
    return [CommunityFigures(community=c, stock=stock.get(c.pk, Stock()), flows=flows.get(c.pk, Flows()),
                             pending=pending.get(c.pk, 0)) for c in communities]


# --- totals for the scope ------------------------------------------------------------------------------------

def stock_total(*, scope: Scope, day: datetime.date) -> Stock:
    row = AdmittedTask.objects.filter(scope.q("community")).filter(_in_force_q(day)).aggregate(**_STOCK_AGGREGATES)
    return _stock_from(row)


def flows_total(*, scope: Scope, start: datetime.date, end: datetime.date) -> Flows:
    """Flows of the whole scope; an application refused for several communities counts once here."""
    total = Flows()
    for f in flows_by_community(scope=scope, start=start, end=end).values():
        total.add(f)
    since, until = day_start(start), day_start(end + datetime.timedelta(days=1))
    targets = Application.communities.through.objects.filter(scope.q("region"), application_id=OuterRef("pk"))
    total.refused_by_review = Application.objects.filter(
        Exists(targets), status=ApplicationStatus.REFUSED, decided_at__gte=since, decided_at__lt=until).count()
    return total


def pending_total(*, scope: Scope) -> int:
    targets = Application.communities.through.objects.filter(scope.q("region"), application_id=OuterRef("pk"))
    return Application.objects.filter(Exists(targets), status__in=Application.PENDING).count()


# --- trend and comparison --------------------------------------------------------------------------------------

def month_starts(end: datetime.date, months: int) -> list[datetime.date]:
    """The first days of the `months` calendar months ending with end's month, oldest first."""
    year, month = end.year, end.month
    starts = []
    for _ in range(months):
        starts.append(datetime.date(year, month, 1))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return list(reversed(starts))


def _next_month(day: datetime.date) -> datetime.date:
    return datetime.date(day.year + (day.month == 12), day.month % 12 + 1, 1)


@dataclass
class Month:
    start: datetime.date
    flows: Flows
    stock: Stock   # at the month's last day (or `today` for the current month)


def monthly_trend(*, scope: Scope, today: datetime.date, months: int = 12) -> list[Month]:
    """Flows per calendar month and the ledger stock at each month's end: one query per measure, each with a
    conditional aggregate per month."""
    starts = month_starts(today, months)
    windows = [(s, min(_next_month(s) - datetime.timedelta(days=1), today)) for s in starts]
    flows = [Flows() for _ in windows]

    def per_month(qs, field_name, *, dates=False, extra=None):
        aggregates = {}
        for i, (s, e) in enumerate(windows):
            lo, hi = (s, e) if dates else (day_start(s), day_start(e + datetime.timedelta(days=1)))
            q = Q(**{f"{field_name}__gte": lo, f"{field_name}__{'lte' if dates else 'lt'}": hi})
            aggregates[f"m{i}"] = Count("pk", filter=q)
            for name, condition in (extra or {}).items():
                aggregates[f"m{i}_{name}"] = Count("pk", filter=q & condition)
        return qs.aggregate(**aggregates) if aggregates else {}

    admitted = per_month(AdmittedTask.objects.filter(scope.q("community")), "admitted_on", dates=True)
    sent = per_month(SentTask.objects.filter(scope.q("community")), "created_at",
                     extra={"na": Q(is_admitted=False), "refused": Q(state=SentTaskState.REFUSED)})
    extra = per_month(ExtraDemand.objects.filter(scope.q("community")), "occurred_on", dates=True)
    targets = Application.communities.through.objects.filter(scope.q("region"), application_id=OuterRef("pk"))
    refused = per_month(Application.objects.filter(Exists(targets), status=ApplicationStatus.REFUSED), "decided_at")
    for i, f in enumerate(flows):
        f.admitted, f.extra_checks, f.refused_by_review = admitted[f"m{i}"], extra[f"m{i}"], refused[f"m{i}"]
        f.received, f.not_admitted, f.refused = sent[f"m{i}"], sent[f"m{i}_na"], sent[f"m{i}_refused"]

    stock_aggregates = {}
    for i, (_s, e) in enumerate(windows):
        q = _in_force_q(e)
        stock_aggregates[f"m{i}_tasks"] = Count("pk", filter=q)
        for name in ("forms", "ledgers", "inspections", "meetings", "signboards"):
            stock_aggregates[f"m{i}_{name}"] = Sum(f"{name}_count", filter=q)
    row = AdmittedTask.objects.filter(scope.q("community")).aggregate(**stock_aggregates)
    stocks = [Stock(tasks=row[f"m{i}_tasks"] or 0, forms=row[f"m{i}_forms"] or 0, ledgers=row[f"m{i}_ledgers"] or 0,
                    inspections=row[f"m{i}_inspections"] or 0, meetings=row[f"m{i}_meetings"] or 0,
                    signboards=row[f"m{i}_signboards"] or 0) for i in range(len(windows))]
    return [Month(start=s, flows=f, stock=st) for (s, _e), f, st in zip(windows, flows, stocks, strict=True)]


@dataclass
class Comparison:
    since: datetime.date
    days: int
    before_start: datetime.date
    before_end: datetime.date
    after_start: datetime.date
    after_end: datetime.date
    before: Flows
    after: Flows
    stock_before: Stock   # the day before `since`
    stock_after: Stock    # the last day of the after window


MAX_COMPARISON_DAYS = 366


def comparison_windows(*, since: datetime.date, today: datetime.date) -> tuple[int, datetime.date, datetime.date]:
    """Two windows of equal length around `since`: [since - n, since - 1] and [since, since + n - 1], with
    n = the days from `since` to today (at most a year). Raises ValueError when `since` is not before today."""
    days = min((today - since).days + 1, MAX_COMPARISON_DAYS)
    if since > today or days < 1:
        raise ValueError("since must not be after today")
    return days, since - datetime.timedelta(days=days), since + datetime.timedelta(days=days - 1)


def compare(*, scope: Scope, since: datetime.date, today: datetime.date) -> Comparison:
    days, before_start, after_end = comparison_windows(since=since, today=today)
    before_end = since - datetime.timedelta(days=1)
    return Comparison(
        since=since, days=days, before_start=before_start, before_end=before_end, after_start=since,
        after_end=after_end,
        before=flows_total(scope=scope, start=before_start, end=before_end),
        after=flows_total(scope=scope, start=since, end=after_end),
        stock_before=stock_total(scope=scope, day=before_end), stock_after=stock_total(scope=scope, day=after_end))
