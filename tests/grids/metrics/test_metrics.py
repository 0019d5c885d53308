"""The incident metrics against a hand-computed cohort (incidents written with the ORM, statuses and timestamps set
by hand, independent of the lifecycle services).

The cohort, registered at T0 (2026-03-01 09:00, Shanghai) and judged at NOW = T0 + 30 days. Every dispatched case
is dispatched at T0+1h with its sign-for deadline at T0+25h and its handling deadline at T0+7d.

 case  grid          status      signed   phone  contact  answered  closed   rework ext  resolution satisfaction
 c1    grids[0]      rated       +2h      yes    +3h      +2d       +3d      0      0    resolved   satisfied
 c2    grids[0]      rated       +30h ✗   no     —        +7d       +8d ✗    1      0    partly     basically
 c3    grids[0]      in_hand     +5h      yes    — ✗      +1d       —        1      1    —          —
 c4    grids[0]      closed      +3h      anon.  —        +4d       +5d      0      0    unresolved dissatisfied
 c5    grids[1]      dispatched  — (deadline NOW+23h: pending)
 c6    grids[1]      signed      +11h     yes    —        —  (may still call: pending)
 c7    micro-grid    registered  (not dispatched; the micro-grid lies under grids[0])
 c8    grids[1]      dispatched  — (deadline passed: missed)
 out   grids[0]      registered at T0 − 1 day: outside the period
 c10   grids[2]      registered  (community 1, same street)

Community 0 (c1–c8):
 响应率   due c1 c2 c3 c4 c8 = 5, responded c1 c4 = 2                  → 0.4
 解决率   (1 + ½) / 3                                                  → 0.5
 满意率   (1 + 1) / 3                                                  → 2/3
 composite (30/35/35) 100 × (0.3×0.4 + 0.35×0.5 + 0.35×2/3)           → 52.8333…
 结案率   3 / 8; 按期结案率 2 / 3; 返工率 2 / 4; 延期率 1 / 7
 avg sign-for (1 + 29 + 4 + 2 + 10) / 5 = 9.2 h; avg close (72 + 192 + 120) / 3 = 128 h
"""

import datetime

import pytest
from django.core.exceptions import ImproperlyConfigured

from governance.models import Department
from grids.metrics import CaseRow, compute_metrics, metrics_table, unit_metrics, weights_for
from grids.models import Incident, Region
from tests.grids.metrics.helpers import END, NOW, START, T0, D, H, case

pytestmark = pytest.mark.django_db


def metrics(kind, unit, now=NOW, start=START, end=END):
    return unit_metrics(unit_kind=kind, unit_id=unit.pk, start=start, end=end, now=now)


def test_each_rate_of_the_community_matches_the_hand_computation(tree, cohort):
    m = metrics("community", tree.communities[0])
    assert (m.registered, m.dispatched, m.response_due, m.responded, m.response_pending) == (8, 7, 5, 2, 2)
    assert m.response_rate == pytest.approx(0.4)
    assert (m.resolution_answers, m.resolved, m.partly_resolved, m.unresolved) == (3, 1, 1, 1)
    assert m.resolution_rate == pytest.approx(0.5)
    assert (m.satisfaction_answers, m.satisfied, m.basically_satisfied, m.dissatisfied) == (3, 1, 1, 1)
    assert m.satisfaction_rate == pytest.approx(2 / 3)
    assert m.weights == (0.30, 0.35, 0.35)
    assert m.composite_score == pytest.approx(100 * (0.3 * 0.4 + 0.35 * 0.5 + 0.35 * 2 / 3))
    assert m.composite_score == pytest.approx(52.8333, abs=1e-4)
    assert (m.closed, m.closed_on_time) == (3, 2)
    assert m.closure_rate == pytest.approx(3 / 8)
    assert m.on_time_closure_rate == pytest.approx(2 / 3)
    assert (m.answered, m.reworked) == (4, 2)
    assert m.rework_rate == pytest.approx(0.5)
    assert m.extended == 1 and m.extension_rate == pytest.approx(1 / 7)
    assert m.avg_sign_for_hours == pytest.approx(9.2)
    assert m.avg_close_hours == pytest.approx(128)


def test_pending_responses_are_decided_later(tree, cohort):
    later = metrics("community", tree.communities[0], now=NOW + 2 * D)
    # c5's sign-for deadline has passed (missed); c6 is still unanswered, so its call-back may still come.
    assert (later.response_due, later.responded, later.response_pending) == (6, 2, 1)
    Incident.objects.filter(pk=cohort["c6"].pk).update(answered_at=T0 + 3 * D)
    assert metrics("community", tree.communities[0], now=NOW + 2 * D).response_due == 7  # answered, never called
    Incident.objects.filter(pk=cohort["c6"].pk).update(first_contact_at=T0 + 2 * D)
    assert metrics("community", tree.communities[0], now=NOW + 2 * D).responded == 3


def test_region_units_count_their_subtree(tree, cohort):
    grid0 = metrics("grid", tree.grids[0])  # c1–c4 and the micro-grid's c7
    assert (grid0.registered, grid0.dispatched, grid0.response_due, grid0.responded) == (5, 4, 4, 2)
    grid1 = metrics("grid", tree.grids[1])  # c5, c6, c8
    assert (grid1.registered, grid1.response_due, grid1.response_pending, grid1.responded) == (3, 1, 2, 0)
    assert grid1.response_rate == 0.0 and grid1.resolution_rate is None and grid1.composite_score is None
    street = metrics("street", tree.streets[0])  # community 0 and c10 of community 1
    assert street.registered == 9 and street.closure_rate == pytest.approx(3 / 9)
    assert metrics("community", tree.communities[1]).registered == 1
    assert metrics("street", tree.streets[1]).registered == 0
    assert metrics("district", tree.district).registered == 9


def test_department_units_count_their_lead_cases(cohort, departments):
    d1, d2 = departments
    first = metrics("department", d1)  # c1 (twice a lead: counted once) and c2; not c3 (returned), c4 (co), c10
    assert (first.registered, first.response_due, first.responded, first.closed) == (2, 2, 1, 2)
    assert first.response_rate == pytest.approx(0.5)
    assert first.resolution_rate == pytest.approx(0.75)
    second = metrics("department", d2)  # c3, c4
    assert (second.registered, second.response_due, second.responded, second.closed) == (2, 2, 1, 1)
    assert second.rework_rate == pytest.approx(0.5) and second.extension_rate == pytest.approx(0.5)


def test_weights_per_unit_kind(settings, tree, cohort, departments):
    settings.GONGZHI_SCORE_WEIGHTS = {"default": (0.3, 0.35, 0.35), "community": (0.2, 0.4, 0.4),
                                      "department": (0.1, 0.45, 0.45)}
    community = metrics("community", tree.communities[0])
    assert community.weights == (0.2, 0.4, 0.4)
    assert community.composite_score == pytest.approx(100 * (0.2 * 0.4 + 0.4 * 0.5 + 0.4 * 2 / 3))
    street = metrics("street", tree.streets[0])  # no "street" key: the default weights
    assert street.weights == (0.3, 0.35, 0.35)
    department = metrics("department", departments[0])
    assert department.composite_score == pytest.approx(100 * (0.1 * 0.5 + 0.45 * 0.75 + 0.45 * 1.0))
    settings.GONGZHI_SCORE_WEIGHTS = {"default": (0.5, 0.5, 0.5)}
    with pytest.raises(ImproperlyConfigured):
        metrics("street", tree.streets[0])


def test_an_empty_period_gives_none_not_zero(tree, cohort, departments):
    for kind, unit in (("community", tree.communities[0]), ("department", departments[0])):
        m = metrics(kind, unit, start=datetime.date(2025, 1, 1), end=datetime.date(2025, 2, 1))
        assert m.registered == 0
        for name in ("response_rate", "resolution_rate", "satisfaction_rate", "composite_score", "closure_rate",
                     "on_time_closure_rate", "rework_rate", "extension_rate", "avg_sign_for_hours", "avg_close_hours"):
            assert getattr(m, name) is None, name


def test_the_period_is_half_open_on_registration_time(tree, category):
    grid = tree.grids[0]
    case(grid, category, "registered", registered=T0, dispatched=False)
    case(grid, category, "registered", registered=T0 + 10 * D, dispatched=False)
    assert metrics("grid", grid, start=T0, end=T0 + 10 * D).registered == 1
    assert metrics("grid", grid, start=T0 + 1 * H, end=T0 + 11 * D).registered == 1
    with pytest.raises(ValueError):
        metrics("grid", grid, start=T0 + D, end=T0)
    with pytest.raises(ValueError):
        metrics("community", grid)  # a grid is not a community


def test_metrics_table_matches_unit_metrics_and_keeps_the_order(tree, cohort, departments):
    units = [tree.grids[1], tree.grids[0], tree.grids[5]]
    table = metrics_table(unit_kind="grid", units=units, start=START, end=END, now=NOW)
    assert [row.unit for row in table] == units
    assert table[1].metrics == metrics("grid", tree.grids[0])
    by_id = metrics_table(unit_kind="department", units=[d.pk for d in departments], start=START, end=END, now=NOW)
    assert [row.unit for row in by_id] == departments
    assert [row.metrics.registered for row in by_id] == [2, 2]


def _more_grids(tree, n):
    community = Region.objects.get(pk=tree.communities[3].pk)
    for i in range(n):
        community = Region.objects.get(pk=community.pk)
        Region.objects.add_child(community, create_kwargs=dict(level="grid", name=f"附加网格{i}",
                                                               code=f"{community.code}{i + 10:03d}", grid_kind="basic"))
    return list(Region.objects.filter(level="grid").order_by("path"))


def test_metrics_table_query_count_is_flat(tree, cohort, category, count_queries):
    grids = _more_grids(tree, 4)
    assert len(grids) >= 12
    for grid in grids:
        case(grid, category, "rated", signed=2 * H, answered=D, closed=2 * D, resolution="resolved",
             satisfaction="satisfied")

    def run(units):
        return lambda: metrics_table(unit_kind="grid", units=units, start=START, end=END, now=NOW)

    assert count_queries(run(grids[:3])) == count_queries(run(grids[:12])) == 1
    ids = [grid.pk for grid in grids]
    assert count_queries(run(ids[:3])) == count_queries(run(ids[:12])) == 2
    departments = [Department.objects.create(code=f"Q{n}", name=f"部门Q{n}", district=tree.district) for n in range(12)]
    assert count_queries(lambda: metrics_table(unit_kind="department", units=departments[:3], start=START, end=END)) \
        == count_queries(lambda: metrics_table(unit_kind="department", units=departments, start=START, end=END)) == 1


def test_the_pure_core_and_the_weights_table():
    rows = [CaseRow(status="rated", registered_at=T0, resolution="partly", satisfaction="basically")]
    m = compute_metrics(rows, now=NOW, weights=(0.3, 0.35, 0.35), partly_credit=0.5, basically_credit=0.8)
    assert m.resolution_rate == 0.5 and m.satisfaction_rate == pytest.approx(0.8)
    assert m.response_rate is None and m.composite_score is None  # nothing dispatched: no response data
    assert weights_for("street", {"default": (0.2, 0.4, 0.4)}) == (0.2, 0.4, 0.4)
    assert weights_for("street", {}) == (0.30, 0.35, 0.35)
    for bad in ({"default": (0.5, 0.5)}, {"default": ("a", "b", "c")}, {"default": (1.2, -0.1, -0.1)}):
        with pytest.raises(ImproperlyConfigured):
            weights_for("street", bad)


def test_the_database_tallies_match_the_pure_definition(tree, cohort, departments):
    """unit_metrics aggregates in SQL; compute_metrics over the same cases' rows is the reference."""
    from grids.metrics import CaseRow

    fields = [name for name in CaseRow.__dataclass_fields__ if name != "callback_expected"]

    def rows(queryset):
        return [CaseRow(callback_expected=bool(i.reporter_phone) and not i.anonymous,
                        **{name: getattr(i, name) for name in fields}) for i in queryset]

    in_march = Incident.objects.filter(registered_at__gte=T0, registered_at__lt=T0 + 31 * D)
    weights = (0.30, 0.35, 0.35)
    for kind, unit, cases in (
        ("community", tree.communities[0], in_march.filter(grid__path__startswith=tree.communities[0].path)),
        ("grid", tree.grids[1], in_march.filter(grid=tree.grids[1])),
        ("street", tree.streets[0], in_march.filter(grid__path__startswith=tree.streets[0].path)),
        ("department", departments[0], in_march.filter(pk__in=[cohort["c1"].pk, cohort["c2"].pk])),
    ):
        for now in (NOW, NOW + 2 * D, T0 + 2 * H):
            expected = compute_metrics(rows(cases), now=now, weights=weights, unit_kind=kind)
            got = metrics(kind, unit, now=now)
            for name, value in vars(expected).items():
                assert getattr(got, name) == pytest.approx(value), (kind, now, name)
