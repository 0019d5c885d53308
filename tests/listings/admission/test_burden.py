"""Burden figures against a hand-computed scene: stock on chosen days, flows in windows, scope per role, the monthly
trend, the before/after comparison, and the Excel export (audited)."""

import datetime
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from governance.models import AuditLog
from listings.admission.models import SentTask
from listings.admission.selectors import burden as b
from listings.admission.services import applications as app_svc
from listings.admission.services import tasks as task_svc
from listings.admission.services.burden_export import burden_export
from tests.listings.admission.conftest import NOW, TZ

pytestmark = pytest.mark.django_db
D = datetime.date
JUNE_10 = datetime.datetime(2025, 6, 10, 12, 0, tzinfo=TZ)


@pytest.fixture
def scene(world):
    """A: admitted 2025-03-03 for communities 0 and 1, 2025-06-01 – 2026-06-01, 1 form, 1 ledger, 1 meeting, ¥12000
       and 0.5 staff each. B: admitted 2025-03-03 for community 0, 2025-04-02 – 2025-06-01, 3 forms, 2 ledgers, 1
       inspection, 1 signboard, ¥5000. C: refused at once (negative list) for communities 0 and 2. D: pending for
       community 1. On 10 June: to community 0 two unadmitted tasks (one refused), one admitted task under A and one
       separate inspection under A; to community 2 one unadmitted task, refused; community 0 also records an
       inspection under A."""
    c = world.communities
    a = world.admitted(communities=c[:2])
    b_ = world.admitted(communities=[c[0]], cited_item=world.assisting, title="垃圾分类宣传", forms_count=3,
                        ledgers_count=2, meetings_count=0, inspections_count=1, signboards_count=1,
                        funding_per_community_yuan=Decimal("5000"), staff_per_community=None, start_in=30, length=60)
    refused = world.apply(title="安全生产执法检查", communities=[c[0], c[2]])
    pending = world.apply(communities=[c[1]])

    def send(community, **kw):
        return task_svc.task_send(actor=world.handler, title=kw.pop("title", "报送材料"), content="请按时报送",
                                  communities=[community], now=JUNE_10, **kw)[0]

    na1, na2, ok = send(c[0]), send(c[0]), send(c[0], application=a)
    check = send(c[0], application=a, kind="inspection", title="垃圾分类专项检查")
    na3 = send(c[2])
    task_svc.task_refuse(actor=world.community_staff, task_id=na1.pk, reason="未经准入", now=JUNE_10)
    task_svc.task_refuse(actor=world.other_community_staff, task_id=na3.pk, reason="未经准入", now=JUNE_10)
    task_svc.extra_demand_record(actor=world.community_staff, admitted_task_id=a.ledger_rows.get(community=c[0]).pk,
                                 kind="appraisal", occurred_on=D(2025, 6, 10), note="另行考核", now=JUNE_10)
    SentTask.objects.update(created_at=JUNE_10)  # sent on 10 June (created_at is the real clock)
    return {"a": a, "b": b_, "refused": refused, "pending": pending, "tasks": [na1, na2, ok, check, na3]}


def district_scope(world):
    return b.burden_scope(user=world.official)


def test_the_scene_is_what_the_fixture_says(world, scene):
    assert scene["a"].status == scene["b"].status == "admitted"
    assert scene["refused"].status == "refused" and scene["pending"].status == "submitted"
    assert [t.is_admitted for t in scene["tasks"]] == [False, False, True, False, False]


@pytest.mark.parametrize("day,expected", [
    (D(2025, 4, 1), {}),
    (D(2025, 5, 15), {0: b.Stock(tasks=1, forms=3, ledgers=2, inspections=1, signboards=1, funding=Decimal(5000))}),
    (D(2025, 6, 1), {0: b.Stock(tasks=2, forms=4, ledgers=3, inspections=1, meetings=1, signboards=1,
                                funding=Decimal(17000), staff=Decimal("0.5")),
                     1: b.Stock(tasks=1, forms=1, ledgers=1, meetings=1, funding=Decimal(12000),
                                staff=Decimal("0.5"))}),
    (D(2025, 7, 1), {0: b.Stock(tasks=1, forms=1, ledgers=1, meetings=1, funding=Decimal(12000), staff=Decimal("0.5")),
                     1: b.Stock(tasks=1, forms=1, ledgers=1, meetings=1, funding=Decimal(12000),
                                staff=Decimal("0.5"))}),
])
def test_stock_on_a_day(world, scene, day, expected):
    stock = b.stock_by_community(scope=district_scope(world), day=day)
    assert stock == {world.communities[i].pk: s for i, s in expected.items()}


def test_revoking_ends_the_stock_from_that_day(world, scene):
    app_svc.application_revoke(actor=world.official, application_id=scene["a"].pk, note="撤销",
                               now=datetime.datetime(2025, 8, 1, 10, tzinfo=TZ))
    scope = district_scope(world)
    assert b.stock_total(scope=scope, day=D(2025, 7, 31)).tasks == 2
    assert b.stock_total(scope=scope, day=D(2025, 8, 1)).tasks == 0


def test_flows_in_a_window(world, scene):
    c = world.communities
    scope = district_scope(world)
    march = b.flows_by_community(scope=scope, start=D(2025, 3, 1), end=D(2025, 3, 31))
    assert march == {c[0].pk: b.Flows(admitted=2, refused_by_review=1), c[1].pk: b.Flows(admitted=1),
                     c[2].pk: b.Flows(refused_by_review=1)}
    june = b.flows_by_community(scope=scope, start=D(2025, 6, 1), end=D(2025, 6, 30))
    assert june == {c[0].pk: b.Flows(received=4, not_admitted=3, refused=1, extra_checks=2),
                    c[2].pk: b.Flows(received=1, not_admitted=1, refused=1)}
    assert b.flows_by_community(scope=scope, start=D(2025, 6, 11), end=D(2025, 6, 30)) == {}
    # The district total counts the refused application once although it targeted two communities.
    assert b.flows_total(scope=scope, start=D(2025, 3, 1), end=D(2025, 3, 31)) == b.Flows(admitted=3,
                                                                                         refused_by_review=1)
    assert b.pending_by_community(scope=scope) == {c[1].pk: 1}
    assert b.pending_total(scope=scope) == 1


def test_scope_per_role(world, scene):
    c = world.communities
    street = b.burden_scope(user=world.street_staff)
    assert list(street.communities()) == c[:2]
    assert b.flows_by_community(scope=street, start=D(2025, 3, 1), end=D(2025, 3, 31)) == {
        c[0].pk: b.Flows(admitted=2, refused_by_review=1), c[1].pk: b.Flows(admitted=1)}
    community = b.burden_scope(user=world.community_staff)
    assert list(community.communities()) == [c[0]]
    assert set(b.stock_by_community(scope=community, day=D(2025, 6, 1))) == {c[0].pk}
    assert b.burden_scope(user=world.street_staff, community=c[2]) is None   # outside the street
    assert list(b.burden_scope(user=world.official, community=c[2]).communities()) == [c[2]]
    for user in (world.handler, world.resident, world.grid_worker):
        assert b.burden_scope(user=user) is None


def test_community_figures_for_a_page(world, scene):
    c = world.communities
    rows = b.community_figures(communities=c, scope=district_scope(world), day=D(2025, 6, 1), start=D(2025, 6, 1),
                               end=D(2025, 6, 30))
    assert [(r.community, r.stock.tasks, r.pending, r.flows.received, r.flows.refused) for r in rows] == [
        (c[0], 2, 0, 4, 1), (c[1], 1, 1, 0, 0), (c[2], 0, 0, 1, 1), (c[3], 0, 0, 0, 0)]


def test_monthly_trend(world, scene):
    trend = b.monthly_trend(scope=district_scope(world), today=D(2025, 6, 30), months=4)
    assert [m.start for m in trend] == [D(2025, 3, 1), D(2025, 4, 1), D(2025, 5, 1), D(2025, 6, 1)]
    assert [m.flows for m in trend] == [
        b.Flows(admitted=3, refused_by_review=1), b.Flows(), b.Flows(),
        b.Flows(received=5, not_admitted=4, refused=2, extra_checks=2)]
    assert [(m.stock.tasks, m.stock.ledgers, m.stock.forms) for m in trend] == [(0, 0, 0), (1, 2, 3), (1, 2, 3),
                                                                               (2, 2, 2)]


def test_month_starts_cross_the_year():
    assert b.month_starts(D(2025, 2, 14), 3) == [D(2024, 12, 1), D(2025, 1, 1), D(2025, 2, 1)]


def test_before_and_after_comparison(world, scene):
    comparison = b.compare(scope=district_scope(world), since=D(2025, 6, 1), today=D(2025, 6, 30))
    assert comparison.days == 30
    assert (comparison.before_start, comparison.before_end) == (D(2025, 5, 2), D(2025, 5, 31))
    assert (comparison.after_start, comparison.after_end) == (D(2025, 6, 1), D(2025, 6, 30))
    assert comparison.before == b.Flows()
    assert comparison.after == b.Flows(received=5, not_admitted=4, refused=2, extra_checks=2)
    assert (comparison.stock_before.tasks, comparison.stock_before.ledgers, comparison.stock_before.forms) == (1, 2, 3)
    assert (comparison.stock_after.tasks, comparison.stock_after.ledgers, comparison.stock_after.forms) == (2, 2, 2)


def test_comparison_windows_are_bounded():
    assert b.comparison_windows(since=D(2025, 6, 30), today=D(2025, 6, 30)) == (1, D(2025, 6, 29), D(2025, 6, 30))
    days, before_start, after_end = b.comparison_windows(since=D(2020, 1, 1), today=D(2025, 6, 30))
    assert days == b.MAX_COMPARISON_DAYS and after_end == D(2020, 12, 31)
    with pytest.raises(ValueError):
        b.comparison_windows(since=D(2025, 7, 1), today=D(2025, 6, 30))


# --- export -------------------------------------------------------------------------------------------------

def test_excel_export_has_the_figures_and_is_audited(world, scene):
    result = burden_export(actor=world.official, start=D(2025, 6, 1), end=D(2025, 6, 30), since=D(2025, 6, 1),
                           today=D(2025, 6, 30))
    assert result.filename.endswith(".xlsx") and result.rows == 4
    book = load_workbook(io.BytesIO(result.content), read_only=True)
    assert book.sheetnames == ["各社区负担", "月度趋势", "前后对比"]
    rows = list(book["各社区负担"].iter_rows(values_only=True))
    assert rows[1][:5] == ("街道", "社区", "社区编码", "在办准入事项", "报表")
    first = rows[2]
    assert first[1] == world.communities[0].name and first[2] == world.communities[0].code
    assert first[3:11] == (1, 1, 1, 0, 1, 0, 12000, 0.5)  # on 30 June community 0 carries A only (B ended 1 June)
    assert rows[-1][0] == "合计"
    assert rows[-1][14:] == (5, 4, 2, 2)
    trend = list(book["月度趋势"].iter_rows(values_only=True))
    assert trend[0][0] == "月份" and trend[-1][0] == "2025-06" and trend[-1][3:7] == (5, 4, 2, 2)
    comparison = list(book["前后对比"].iter_rows(values_only=True))
    assert ("收到派发任务", 0, 5, 5) in comparison
    audit = AuditLog.objects.filter(action="export", object_type="admission.burden").get()
    assert audit.user_id == world.official.pk and audit.detail["rows"] == 4 and audit.detail["since"] == "2025-06-01"


def test_export_is_scoped(world, scene):
    result = burden_export(actor=world.community_staff, start=D(2025, 6, 1), end=D(2025, 6, 30), today=D(2025, 6, 30))
    book = load_workbook(io.BytesIO(result.content), read_only=True)
    assert book.sheetnames == ["各社区负担", "月度趋势"]
    rows = list(book["各社区负担"].iter_rows(values_only=True))
    assert [r[1] for r in rows[2:-1]] == [world.communities[0].name]
    from governance.lib.exceptions import NotFoundOrForbidden

    with pytest.raises(NotFoundOrForbidden):
        burden_export(actor=world.handler, start=D(2025, 6, 1), end=D(2025, 6, 30))


def test_export_neutralises_formulas(world):
    world.communities[0].name = '=HYPERLINK("http://x")'
    world.communities[0].save()
    result = burden_export(actor=world.official, start=NOW.date(), end=NOW.date(), today=NOW.date())
    rows = list(load_workbook(io.BytesIO(result.content), read_only=True)["各社区负担"].iter_rows(values_only=True))
    assert rows[2][1].startswith("'=")
