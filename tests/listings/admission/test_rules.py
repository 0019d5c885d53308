"""The admission pre-check (listings/admission/rules.py): every reason code, their combinations, the lead-time
boundary, matching by citation and by title, and the pure helpers. No database."""

import ast
import datetime
import inspect
from decimal import Decimal

import pytest

from listings.admission import rules
from listings.admission.rules import Code, Facts, Item, Severity, Track

TODAY = datetime.date(2025, 3, 3)
START = datetime.date(2025, 6, 2)
REQUIRED = 30

ASSISTING = Item(1, "A-01", "协助开展垃圾分类宣传", rules.ASSISTING, ("垃圾分类",), funding_yuan=Decimal("20000"))
ASSISTING_UNFUNDED = Item(2, "A-02", "协助开展人口普查", rules.ASSISTING, ("人口普查",))
NEGATIVE = Item(3, "N-01", "安全生产监管执法", rules.NEGATIVE, ("安全生产", "执法检查"))
SELF = Item(4, "S-01", "调解民间纠纷", rules.SELF_GOVERNANCE, ("人民调解",))
FORBIDDEN = Item(5, "F-01", "无犯罪记录", rules.CERTIFICATE_FORBIDDEN, ("无犯罪",), issuing_office="公安派出所")
BIRTH = Item(6, "F-02", "出生", rules.CERTIFICATE_FORBIDDEN)
CERTIFICATE = Item(7, "C-01", "居住证明", rules.CERTIFICATE)
OTHER = Item(8, "O-01", "小微权力事项", rules.OTHER)
REPEALED_NEGATIVE = Item(9, "N-02", "征兵体检", rules.NEGATIVE, in_force=False)
REPEALED_ASSISTING = Item(10, "A-03", "协助发放老年证", rules.ASSISTING, in_force=False)
ITEMS = (ASSISTING, ASSISTING_UNFUNDED, NEGATIVE, SELF, FORBIDDEN, BIRTH, CERTIFICATE, OTHER, REPEALED_NEGATIVE,
         REPEALED_ASSISTING)

def facts(**overrides) -> Facts:
    base = dict(title="背街小巷环境整治巡查", community_count=2, period_start=START,
                period_end=START + datetime.timedelta(days=365), submitted_on=TODAY, cited_item_id=None,
                funding_per_community_yuan=Decimal("12000"), staff_per_community=None, purchase_of_service="",
                lead_working_days=60)
    base.update(overrides)
    return Facts(**base)


def check(required: int = REQUIRED, items=ITEMS, **overrides) -> rules.Verdict:
    return rules.precheck(facts(**overrides), items, lead_working_days_required=required)


# --- the verdicts -----------------------------------------------------------------------------------------------

def test_unlisted_with_funding_goes_to_full_review():
    v = check()
    assert v.track == Track.FULL_REVIEW and v.codes == ["unlisted_full_review"] and not v.blocking
    assert v.matched_item is None


@pytest.mark.parametrize("resources", [
    {"funding_per_community_yuan": Decimal("1")},
    {"funding_per_community_yuan": None, "staff_per_community": Decimal("0.5")},
    {"funding_per_community_yuan": None, "purchase_of_service": "委托物业服务企业承担，区城管局按年度结算"},
])
def test_any_resource_or_purchase_of_service_is_enough_for_unlisted_work(resources):
    assert check(**resources).track == Track.FULL_REVIEW


@pytest.mark.parametrize("resources", [
    {"funding_per_community_yuan": None},
    {"funding_per_community_yuan": Decimal("0"), "staff_per_community": Decimal("0")},
    {"funding_per_community_yuan": None, "purchase_of_service": "   "},
])
def test_unlisted_without_funding_or_purchase_is_blocked(resources):
    v = check(**resources)
    assert v.track == Track.INCOMPLETE
    assert [r.code for r in v.blocking] == [Code.UNLISTED_NEEDS_FUNDING]


@pytest.mark.parametrize("how", ["cited", "name", "keyword"])
def test_negative_list_is_refused(how):
    overrides = {"cited": {"cited_item_id": NEGATIVE.id}, "name": {"title": "协助开展安全生产监管执法工作"},
                 "keyword": {"title": "餐饮门店执法检查"}}[how]
    v = check(**overrides)
    assert v.track == Track.REFUSED and v.refused
    assert v.reasons[0].code == Code.NEGATIVE_LIST and v.reasons[0].item == NEGATIVE
    assert v.reasons[0].severity == Severity.REFUSE and v.matched_item == NEGATIVE


@pytest.mark.parametrize("overrides,refused", [
    # a citation beats a negative name or keyword in the title: the review group is told instead
    ({"cited_item_id": ASSISTING.id, "title": "垃圾分类和安全生产执法检查"}, False),
    ({"cited_item_id": ASSISTING.id, "title": "安全生产监管执法"}, False),
    ({"cited_item_id": OTHER.id, "title": "小微权力清单执法检查"}, False),
    # a full assisting name beats a negative keyword
    ({"title": "协助开展垃圾分类宣传和执法检查"}, False),
    # equal strength: the negative list wins
    ({"title": "垃圾分类执法检查"}, True),
    # a full negative name beats an assisting keyword
    ({"title": "垃圾分类：安全生产监管执法"}, True),
])
def test_the_stronger_identification_decides(overrides, refused):
    v = check(funding_per_community_yuan=None, **overrides)
    assert v.refused is refused
    if refused:
        assert v.reasons[0].code == Code.NEGATIVE_LIST
    else:
        assert v.has(Code.NEGATIVE_LIST_MENTIONED)
        mentioned = [r for r in v.reasons if r.code == Code.NEGATIVE_LIST_MENTIONED][0]
        assert mentioned.item == NEGATIVE and mentioned.severity == Severity.FLAG


def test_a_cited_negative_item_is_refused_whatever_the_title_says():
    assert check(cited_item_id=NEGATIVE.id, title="协助开展垃圾分类宣传").refused


def test_a_repealed_negative_item_no_longer_refuses():
    assert check(title="配合开展征兵体检").track == Track.FULL_REVIEW


@pytest.mark.parametrize("title,refused", [
    ("为辖区居民出具无犯罪记录证明", True),
    ("开具无犯罪证明", True),
    ("出生证明材料收集", True),
    ("出生缺陷防治宣传", False),  # names a forbidden certificate but asks for no certificate
])
def test_forbidden_certificates_match_only_when_a_certificate_is_asked_for(title, refused):
    v = check(title=title)
    assert v.refused is refused
    if refused:
        assert v.reasons[0].code == Code.FORBIDDEN_CERTIFICATE


def test_citing_a_forbidden_certificate_is_refused_and_names_the_office():
    v = check(cited_item_id=FORBIDDEN.id)
    assert v.track == Track.REFUSED and v.reasons[0].item.issuing_office == "公安派出所"


@pytest.mark.parametrize("how", ["cited", "name", "keyword"])
def test_assisting_item_goes_on_the_fast_track(how):
    overrides = {"cited": {"cited_item_id": ASSISTING.id, "title": "入户宣传"},
                 "name": {"title": "协助开展垃圾分类宣传（2025年）"}, "keyword": {"title": "垃圾分类桶站值守"}}[how]
    v = check(funding_per_community_yuan=None, **overrides)
    assert v.track == Track.FAST_TRACK and v.codes == ["assisting_item"] and v.matched_item == ASSISTING


def test_fast_track_needs_no_funding_from_the_application_but_flags_none_at_all():
    v = check(cited_item_id=ASSISTING_UNFUNDED.id, funding_per_community_yuan=None)
    assert v.track == Track.FAST_TRACK
    assert v.codes == ["assisting_item", "no_funding_attached"]
    assert check(cited_item_id=ASSISTING_UNFUNDED.id).codes == ["assisting_item"]  # the application funds it


def test_a_repealed_assisting_item_does_not_match_by_title():
    assert check(title="协助发放老年证").track == Track.FULL_REVIEW


@pytest.mark.parametrize("how", ["cited", "keyword"])
def test_self_governance_work_needs_no_admission_and_is_blocked(how):
    overrides = {"cited": {"cited_item_id": SELF.id}, "keyword": {"title": "人民调解工作台账"}}[how]
    v = check(**overrides)
    assert v.track == Track.NOT_NEEDED
    assert v.reasons[0].code == Code.SELF_GOVERNANCE_ITEM and v.reasons[0].severity == Severity.BLOCK


def test_assisting_beats_self_governance_when_the_title_names_both():
    assert check(title="垃圾分类纠纷人民调解").track == Track.FAST_TRACK


@pytest.mark.parametrize("item", [CERTIFICATE, OTHER])
def test_citing_a_certificate_or_another_list_item_is_treated_as_unlisted(item):
    assert check(cited_item_id=item.id).track == Track.FULL_REVIEW
    assert check(cited_item_id=item.id, funding_per_community_yuan=None).has(Code.UNLISTED_NEEDS_FUNDING)


# --- hard input problems ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("overrides,code", [
    ({"community_count": 0}, Code.NO_COMMUNITIES),
    ({"period_start": None}, Code.PERIOD_MISSING),
    ({"period_end": None}, Code.PERIOD_MISSING),
    ({"period_end": START - datetime.timedelta(days=1)}, Code.PERIOD_ORDER),
    ({"period_start": TODAY - datetime.timedelta(days=60), "period_end": TODAY - datetime.timedelta(days=1),
      "lead_working_days": 0}, Code.PERIOD_IN_PAST),
    ({"cited_item_id": 999}, Code.CITED_ITEM_UNKNOWN),
    ({"cited_item_id": REPEALED_ASSISTING.id}, Code.CITED_ITEM_NOT_IN_FORCE),
])
def test_input_problems_block(overrides, code):
    v = check(**overrides)
    assert code in [r.code for r in v.blocking]
    assert v.track == Track.INCOMPLETE
    assert rules.FIELD[code]


def test_end_date_on_the_start_date_is_fine():
    assert not check(period_end=START).blocking


def test_input_problems_are_listed_with_the_negative_verdict():
    v = check(title="安全生产执法检查", community_count=0)
    assert v.track == Track.REFUSED and [r.code for r in v.blocking] == [Code.NO_COMMUNITIES]


def test_blocking_problem_with_an_assisting_item_is_incomplete():
    v = check(cited_item_id=ASSISTING.id, community_count=0)
    assert v.track == Track.INCOMPLETE and v.matched_item == ASSISTING


def test_several_problems_are_all_reported():
    v = check(community_count=0, period_end=START - datetime.timedelta(days=1), funding_per_community_yuan=None,
              lead_working_days=3)
    assert set(v.codes) == {"unlisted_needs_funding", "no_communities", "period_order", "late"}


# --- lead time ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("lead,late", [(None, False), (0, True), (29, True), (30, False), (31, False)])
def test_lead_time_boundary(lead, late):
    v = check(lead_working_days=lead)
    assert v.is_late is late and v.has(Code.LATE) is late
    assert v.track == Track.FULL_REVIEW  # late is a flag, never a block


@pytest.mark.parametrize("required,lead,late", [(10, 9, True), (10, 10, False), (0, 0, False), (45, 44, True)])
def test_lead_time_is_configurable(required, lead, late):
    assert check(required=required, lead_working_days=lead).is_late is late


@pytest.mark.parametrize("overrides,track", [
    ({"cited_item_id": ASSISTING.id}, Track.FAST_TRACK),
    ({"cited_item_id": NEGATIVE.id}, Track.REFUSED),
    ({}, Track.FULL_REVIEW),
    ({"cited_item_id": SELF.id}, Track.NOT_NEEDED),
])
def test_late_is_flagged_on_every_track(overrides, track):
    v = check(lead_working_days=5, **overrides)
    assert v.track == track and v.is_late


# --- the tables and the module ------------------------------------------------------------------------------------

def test_every_code_has_a_severity_and_every_blocking_code_a_field():
    assert set(rules.SEVERITY) == set(Code)
    assert {c for c, s in rules.SEVERITY.items() if s == Severity.BLOCK} == set(rules.FIELD)


def test_every_code_has_a_label(settings):
    from django.utils import translation

    from listings.admission.labels import reason_text

    with translation.override("en"):
        for code in Code:
            text = reason_text(code, "某事项", lead=3, required=30)
            assert text and text != str(code) and "。" in text


def test_rules_module_imports_nothing_from_django():
    tree = ast.parse(inspect.getsource(rules))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module or "")
    assert not {name for name in imported if name.startswith(("django", "listings", "governance", "grids"))}


# One input per code that produces it: the table covers every code the rules know.
EVERY_CODE = {
    Code.NO_COMMUNITIES: {"community_count": 0},
    Code.PERIOD_MISSING: {"period_start": None},
    Code.PERIOD_ORDER: {"period_end": START - datetime.timedelta(days=1)},
    Code.PERIOD_IN_PAST: {"period_start": TODAY - datetime.timedelta(days=9),
                          "period_end": TODAY - datetime.timedelta(days=1)},
    Code.CITED_ITEM_UNKNOWN: {"cited_item_id": 12345},
    Code.CITED_ITEM_NOT_IN_FORCE: {"cited_item_id": REPEALED_ASSISTING.id},
    Code.NEGATIVE_LIST: {"cited_item_id": NEGATIVE.id},
    Code.FORBIDDEN_CERTIFICATE: {"title": "出具无犯罪记录证明"},
    Code.ASSISTING_ITEM: {"cited_item_id": ASSISTING.id},
    Code.SELF_GOVERNANCE_ITEM: {"cited_item_id": SELF.id},
    Code.UNLISTED_FULL_REVIEW: {},
    Code.UNLISTED_NEEDS_FUNDING: {"funding_per_community_yuan": None},
    Code.LATE: {"lead_working_days": 1},
    Code.NO_FUNDING_ATTACHED: {"cited_item_id": ASSISTING_UNFUNDED.id, "funding_per_community_yuan": None},
    Code.NEGATIVE_LIST_MENTIONED: {"cited_item_id": ASSISTING.id, "title": "执法检查"},
}


def test_the_table_covers_every_code():
    assert set(EVERY_CODE) == set(Code)


@pytest.mark.parametrize("code", list(Code))
def test_each_code_is_produced(code):
    assert check(**EVERY_CODE[code]).has(code)


# --- pure helpers -----------------------------------------------------------------------------------------------

def weekdays(day: datetime.date) -> bool:
    return day.weekday() < 5


@pytest.mark.parametrize("first,last,expected", [
    (datetime.date(2025, 3, 3), datetime.date(2025, 3, 4), 0),    # Mon → Tue: nothing strictly between
    (datetime.date(2025, 3, 3), datetime.date(2025, 3, 10), 4),   # Tue..Fri
    (datetime.date(2025, 3, 7), datetime.date(2025, 3, 10), 0),   # Fri → Mon: a weekend only
    (datetime.date(2025, 3, 10), datetime.date(2025, 3, 3), 0),   # backwards
])
def test_working_days_between(first, last, expected):
    assert rules.working_days_between(first, last, weekdays) == expected


def test_add_working_days_skips_weekends():
    assert rules.add_working_days(datetime.date(2025, 3, 7), 1, weekdays) == datetime.date(2025, 3, 10)
    assert rules.add_working_days(datetime.date(2025, 3, 3), 15, weekdays) == datetime.date(2025, 3, 24)
    assert rules.add_working_days(datetime.date(2025, 3, 3), 0, weekdays) == datetime.date(2025, 3, 3)


def test_add_working_days_with_the_chinese_calendar_skips_national_day():
    from grids.sla import WorkingCalendar

    # 2025-09-30 (Tue) + 1 working day: 1–8 October are holidays, so 9 October.
    assert rules.add_working_days(datetime.date(2025, 9, 30), 1, WorkingCalendar().is_workday) == datetime.date(
        2025, 10, 9)


def test_add_working_days_refuses_a_calendar_without_working_days():
    with pytest.raises(ValueError):
        rules.add_working_days(datetime.date(2025, 1, 1), 3, lambda d: False)


@pytest.mark.parametrize("cycle,start,end,expected", [
    ("none", "2025-01-15", "2025-12-31", []),
    ("end", "2025-01-15", "2025-06-30", ["2025-06-30"]),
    ("monthly", "2025-01-15", "2025-04-10", ["2025-01-31", "2025-02-28", "2025-03-31", "2025-04-10"]),
    ("quarterly", "2025-02-01", "2025-12-31", ["2025-03-31", "2025-06-30", "2025-09-30", "2025-12-31"]),
    ("half_yearly", "2025-03-01", "2026-02-28", ["2025-06-30", "2025-12-31", "2026-02-28"]),
    ("yearly", "2024-03-01", "2026-06-30", ["2024-12-31", "2025-12-31", "2026-06-30"]),
    ("quarterly", "2025-04-01", "2025-05-15", ["2025-05-15"]),
    ("monthly", "2025-06-01", "2025-05-01", []),
])
def test_reporting_dates(cycle, start, end, expected):
    d = datetime.date.fromisoformat
    assert [x.isoformat() for x in rules.reporting_dates(d(start), d(end), cycle)] == expected
