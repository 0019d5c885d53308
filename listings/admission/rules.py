"""The admission pre-check (准入预审): plain data in, a verdict with stable reason codes out.

PURE: no database, no Django. The service loads the district's lists in force, counts the working days, calls
`precheck(...)` and stores the track and the codes; pages translate the codes (listings/admission/labels.py).

The rules, in order (DOMAIN.md "four lists"; 北京西城, 郑州二七区, 重庆):

1. Hard input problems block the submission: no target community (NO_COMMUNITIES), no period (PERIOD_MISSING),
   end before start (PERIOD_ORDER), a period already over (PERIOD_IN_PAST), a cited item that is not one of the
   district's items (CITED_ITEM_UNKNOWN) or not in force on the start date (CITED_ITEM_NOT_IN_FORCE).
2. The negative list: a task that cites, or whose title names, an item of the negative list (严禁作为责任主体) is
   REFUSED (NEGATIVE_LIST); so is one that makes communities issue a certificate on the national list of
   certificates they must not issue (FORBIDDEN_CERTIFICATE) — unless the task is identified more strongly as
   something else (see "Matching" below); then it is only flagged for the review group (NEGATIVE_LIST_MENTIONED).
3. A task that cites, or whose title names, an assisting item (依法协助政府) goes on the FAST_TRACK
   (ASSISTING_ITEM); without funding on either the item or the application it is flagged NO_FUNDING_ATTACHED
   ("权随责走、费随事转").
4. A task that is one of the community's own self-governance items (依法自治) needs no admission and cannot be
   assigned by a department: NOT_NEEDED (SELF_GOVERNANCE_ITEM), blocking.
5. Anything else is unlisted: it needs funding or a purchase-of-service arrangement (政府购买服务) and a full
   review (UNLISTED_FULL_REVIEW); with neither it is blocked (UNLISTED_NEEDS_FUNDING).
6. Independently: fewer working days between the submission and the start than the lead time (default 30) →
   LATE, a flag the review group sees; it does not block.

Matching: a cited item is the strongest identification (3); an item whose whole name occurs in the title comes next
(2); one of its keywords (space separated) in the title is the weakest (1). A negative match refuses when it is at
least as strong as what identifies the task otherwise (a cited item of any other list, or the best assisting or
self-governance match by title); ties go to the negative list. So citing the assisting item 协助开展社区治安防范和
矛盾纠纷排查 is not refused because the keyword 排查 also belongs to a negative item — the review group is told.
A certificate item matches by title only when the title also asks for a certificate (证明), so "出生缺陷防治宣传"
does not match the forbidden certificate "出生".
"""

from __future__ import annotations

import datetime
import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

# List purposes, as in listings.models.ListPurpose (repeated here so this module imports nothing from Django).
SELF_GOVERNANCE = "self_governance"
ASSISTING = "assisting"
NEGATIVE = "negative"
CERTIFICATE = "certificate"
CERTIFICATE_FORBIDDEN = "certificate_forbidden"
OTHER = "other"

CERTIFICATE_WORDS = ("证明", "开具证明", "出具证明", "certificate")


class Code(enum.StrEnum):
    # blocking input problems
    NO_COMMUNITIES = "no_communities"
    PERIOD_MISSING = "period_missing"
    PERIOD_ORDER = "period_order"
    PERIOD_IN_PAST = "period_in_past"
    CITED_ITEM_UNKNOWN = "cited_item_unknown"
    CITED_ITEM_NOT_IN_FORCE = "cited_item_not_in_force"
    # the verdicts
    NEGATIVE_LIST = "negative_list"
    FORBIDDEN_CERTIFICATE = "forbidden_certificate"
    ASSISTING_ITEM = "assisting_item"
    SELF_GOVERNANCE_ITEM = "self_governance_item"
    UNLISTED_FULL_REVIEW = "unlisted_full_review"
    UNLISTED_NEEDS_FUNDING = "unlisted_needs_funding"
    # flags
    LATE = "late"
    NO_FUNDING_ATTACHED = "no_funding_attached"
    NEGATIVE_LIST_MENTIONED = "negative_list_mentioned"


class Track(enum.StrEnum):
    FAST_TRACK = "fast_track"
    FULL_REVIEW = "full_review"
    REFUSED = "refused"
    NOT_NEEDED = "not_needed"
    INCOMPLETE = "incomplete"


class Severity(enum.StrEnum):
    BLOCK = "block"      # the application cannot be submitted as it is
    REFUSE = "refuse"    # submitted and refused at once
    ROUTE = "route"      # decides the track
    FLAG = "flag"        # the review group should look at it


SEVERITY = {
    Code.NO_COMMUNITIES: Severity.BLOCK, Code.PERIOD_MISSING: Severity.BLOCK, Code.PERIOD_ORDER: Severity.BLOCK,
    Code.PERIOD_IN_PAST: Severity.BLOCK, Code.CITED_ITEM_UNKNOWN: Severity.BLOCK,
    Code.CITED_ITEM_NOT_IN_FORCE: Severity.BLOCK, Code.SELF_GOVERNANCE_ITEM: Severity.BLOCK,
    Code.UNLISTED_NEEDS_FUNDING: Severity.BLOCK,
    Code.NEGATIVE_LIST: Severity.REFUSE, Code.FORBIDDEN_CERTIFICATE: Severity.REFUSE,
    Code.ASSISTING_ITEM: Severity.ROUTE, Code.UNLISTED_FULL_REVIEW: Severity.ROUTE,
    Code.LATE: Severity.FLAG, Code.NO_FUNDING_ATTACHED: Severity.FLAG, Code.NEGATIVE_LIST_MENTIONED: Severity.FLAG,
}

CITED, BY_NAME, BY_KEYWORD = 3, 2, 1

# The form field each blocking code belongs to (the service raises ValidationError with these keys).
FIELD = {
    Code.NO_COMMUNITIES: "communities", Code.PERIOD_MISSING: "period_start", Code.PERIOD_ORDER: "period_end",
    Code.PERIOD_IN_PAST: "period_end", Code.CITED_ITEM_UNKNOWN: "cited_item",
    Code.CITED_ITEM_NOT_IN_FORCE: "cited_item", Code.SELF_GOVERNANCE_ITEM: "cited_item",
    Code.UNLISTED_NEEDS_FUNDING: "funding_per_community_yuan",
}


@dataclass(frozen=True)
class Item:
    """One list item as the rules see it."""

    id: int
    code: str
    name: str
    purpose: str
    keywords: tuple[str, ...] = ()
    in_force: bool = True            # in force on the period's start date
    funding_yuan: Decimal | None = None
    list_name: str = ""
    issuing_office: str = ""

    def strength_in(self, title: str) -> int:
        """How strongly the title names this item: BY_NAME, BY_KEYWORD or 0."""
        text = title.casefold()
        if self.purpose in (CERTIFICATE, CERTIFICATE_FORBIDDEN) and not any(
                w.casefold() in text for w in CERTIFICATE_WORDS):
            return 0
        if self.name and self.name.casefold() in text:
            return BY_NAME
        if any(w and w.casefold() in text for w in self.keywords):
            return BY_KEYWORD
        return 0


@dataclass(frozen=True)
class Facts:
    """What the application says, plus the lead time the caller counted."""

    title: str
    community_count: int
    period_start: datetime.date | None
    period_end: datetime.date | None
    submitted_on: datetime.date
    cited_item_id: int | None = None
    funding_per_community_yuan: Decimal | None = None
    staff_per_community: Decimal | None = None
    purchase_of_service: str = ""
    lead_working_days: int | None = None     # working days strictly between submitted_on and period_start


@dataclass(frozen=True)
class Reason:
    code: Code
    item: Item | None = None

    @property
    def severity(self) -> Severity:
        return SEVERITY[self.code]


@dataclass(frozen=True)
class Verdict:
    track: Track
    reasons: tuple[Reason, ...] = field(default_factory=tuple)
    matched_item: Item | None = None

    @property
    def codes(self) -> list[str]:
        return [str(r.code) for r in self.reasons]

    @property
    def blocking(self) -> tuple[Reason, ...]:
        return tuple(r for r in self.reasons if r.severity == Severity.BLOCK)

    @property
    def refused(self) -> bool:
        return self.track == Track.REFUSED

    @property
    def is_late(self) -> bool:
        return any(r.code == Code.LATE for r in self.reasons)

    def has(self, code: Code) -> bool:
        return any(r.code == code for r in self.reasons)


def _funded(facts: Facts) -> bool:
    return bool(facts.funding_per_community_yuan and facts.funding_per_community_yuan > 0) or bool(
        facts.staff_per_community and facts.staff_per_community > 0)


def _best(items: Iterable[Item], purposes: tuple[str, ...], title: str) -> tuple[Item | None, int]:
    """The in-force item of these lists the title names most strongly (the first of equals), and how strongly."""
    best, strength = None, 0
    for item in items:
        if item.in_force and item.purpose in purposes:
            found = item.strength_in(title)
            if found > strength:
                best, strength = item, found
    return best, strength


def precheck(facts: Facts, items: Iterable[Item], *, lead_working_days_required: int) -> Verdict:
    """The pre-check of one application against the district's items (those of every list, in force or not)."""
    items = tuple(items)
    by_id = {i.id: i for i in items}
    reasons: list[Reason] = []

    # 1. hard input problems
    if facts.community_count <= 0:
        reasons.append(Reason(Code.NO_COMMUNITIES))
    if facts.period_start is None or facts.period_end is None:
        reasons.append(Reason(Code.PERIOD_MISSING))
    elif facts.period_end < facts.period_start:
        reasons.append(Reason(Code.PERIOD_ORDER))
    elif facts.period_end < facts.submitted_on:
        reasons.append(Reason(Code.PERIOD_IN_PAST))
    cited = None
    if facts.cited_item_id is not None:
        cited = by_id.get(facts.cited_item_id)
        if cited is None:
            reasons.append(Reason(Code.CITED_ITEM_UNKNOWN))
        elif not cited.in_force:
            reasons.append(Reason(Code.CITED_ITEM_NOT_IN_FORCE, cited))
            cited = None

    # 6. lead time (a flag, whatever the verdict)
    late = (facts.lead_working_days is not None and facts.lead_working_days < lead_working_days_required)
    flags = [Reason(Code.LATE)] if late else []

    # 2.-4. what identifies the task: the cited item, else the title
    negatives = (NEGATIVE, CERTIFICATE_FORBIDDEN)
    if cited is not None and cited.purpose in negatives:
        negative, negative_strength = cited, CITED
    else:
        negative, negative_strength = _best(items, negatives, facts.title)
    if cited is not None and cited.purpose not in negatives:
        # a certificate or another list's item: identified, but treated as unlisted work
        matched, strength = (cited if cited.purpose in (ASSISTING, SELF_GOVERNANCE) else None), CITED
    else:
        matched, strength = _best(items, (ASSISTING,), facts.title)
        if matched is None:
            matched, strength = _best(items, (SELF_GOVERNANCE,), facts.title)

    # 2. the negative list, unless the task is identified more strongly as something else
    if negative is not None and negative_strength >= strength:
        code = Code.NEGATIVE_LIST if negative.purpose == NEGATIVE else Code.FORBIDDEN_CERTIFICATE
        return Verdict(Track.REFUSED, (Reason(code, negative), *reasons, *flags), negative)
    if negative is not None:
        flags.append(Reason(Code.NEGATIVE_LIST_MENTIONED, negative))

    blocking = [r for r in reasons if r.severity == Severity.BLOCK]

    # 4. the community's own work
    if matched is not None and matched.purpose == SELF_GOVERNANCE:
        return Verdict(Track.NOT_NEEDED, (Reason(Code.SELF_GOVERNANCE_ITEM, matched), *reasons, *flags), matched)
    # 3. assisting
    if matched is not None:
        extra = [] if (_funded(facts) or (matched.funding_yuan and matched.funding_yuan > 0)) else [
            Reason(Code.NO_FUNDING_ATTACHED, matched)]
        track = Track.INCOMPLETE if blocking else Track.FAST_TRACK
        return Verdict(track, (Reason(Code.ASSISTING_ITEM, matched), *reasons, *flags, *extra), matched)

    # 5. unlisted
    if _funded(facts) or facts.purchase_of_service.strip():
        route = Reason(Code.UNLISTED_FULL_REVIEW)
        return Verdict(Track.INCOMPLETE if blocking else Track.FULL_REVIEW, (route, *reasons, *flags))
    return Verdict(Track.INCOMPLETE, (Reason(Code.UNLISTED_NEEDS_FUNDING), *reasons, *flags))


# --- working days and reporting dates (pure helpers the services use) ---------------------------------------------

def working_days_between(first: datetime.date, last: datetime.date, is_workday: Callable[[datetime.date], bool]) -> int:
    """Working days strictly after `first` and strictly before `last` (0 when last <= first + 1 day)."""
    count = 0
    day = first + datetime.timedelta(days=1)
    while day < last:
        if is_workday(day):
            count += 1
        day += datetime.timedelta(days=1)
    return count


def add_working_days(start: datetime.date, days: int, is_workday: Callable[[datetime.date], bool]) -> datetime.date:
    """The `days`-th working day after `start` (start itself not counted)."""
    day = start
    remaining = days
    for _ in range(days * 7 + 400):  # a hard stop against a calendar with no working days
        if remaining <= 0:
            return day
        day += datetime.timedelta(days=1)
        if is_workday(day):
            remaining -= 1
    raise ValueError("no working days in the calendar")


_CYCLE_MONTHS = {"monthly": 1, "quarterly": 3, "half_yearly": 6, "yearly": 12}


def _month_end(year: int, month: int) -> datetime.date:
    first_next = datetime.date(year + (month == 12), month % 12 + 1, 1)
    return first_next - datetime.timedelta(days=1)


def reporting_dates(start: datetime.date, end: datetime.date, cycle: str) -> list[datetime.date]:
    """Reporting dates of a task: the ends of the calendar months, quarters, half years or years that fall in the
    period, and always the period's last day ("end": only that; "none": none)."""
    if cycle == "none" or end < start:
        return []
    dates: list[datetime.date] = []
    step = _CYCLE_MONTHS.get(cycle)
    if step:
        year, month = start.year, start.month
        while True:
            if month % step == 0:
                day = _month_end(year, month)
                if day > end:
                    break
                if day >= start:
                    dates.append(day)
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
            if datetime.date(year, month, 1) > end:
                break
    if not dates or dates[-1] != end:
        dates.append(end)
    return dates
