"""The performance dashboard (grids:incident_metrics): who sees which units, the hand-computed figures on the page,
period validation, sorting, paging, the per-unit breakdown, the audited Excel export and a flat query count.

The clock is frozen at the cohort's NOW (2026-03-31 09:00, Shanghai), so "this month" is March 2026 and every
pending response is judged as in test_metrics.py. Hand-computed for grid 0 (c1–c4 and the micro-grid's c7):
  响应率 2/4 = 50.0 %, 解决率 (1 + ½)/3 = 50.0 %, 满意率 2/3 = 66.7 %,
  composite 100 × (0.3 × 0.5 + 0.35 × 0.5 + 0.35 × 2/3) = 55.8, 结案率 3/5 = 60.0 %, 按期结案率 2/3 = 66.7 %,
  返工率 2/4 = 50.0 %, 延期率 1/4 = 25.0 %, average sign-for (1 + 29 + 4 + 2)/4 = 9.0 h, close 128.0 h.
Grid 1 (c5, c6, c8): 响应率 0/1 = 0.0 % (c5 and c6 not decided yet), no rating: no composite.
"""

import io
import re

import pytest
import time_machine
from openpyxl import load_workbook

from governance.models import AuditLog, Department, Role
from grids.models import Region
from tests.factories import make_grid_worker, make_user
from tests.grids.metrics.helpers import NOW, T0, D, H, case

pytestmark = pytest.mark.django_db

URL = "/grids/metrics/"
MARCH = {"start": "2026-03-01", "end": "2026-03-31"}


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def community_staff(tree):
    return make_user(Role.COMMUNITY_STAFF, region=tree.communities[0])


@pytest.fixture
def street_staff(tree):
    return make_user(Role.STREET_STAFF, region=tree.streets[0])


@pytest.fixture
def official(tree):
    return make_user(Role.DISTRICT_OFFICIAL, region=tree.district)


def page(client, *, english=False, **params):
    response = client.get(URL, params, **({"HTTP_ACCEPT_LANGUAGE": "en"} if english else {}))
    return response, response.content.decode()


def unit_rows(html: str) -> list[str]:
    """The unit names of the table, in order."""
    body = html[html.index("<tbody>"):html.index("</tbody>")]
    return re.findall(r'<td class="metrics-unit">\s*<a href="[^"]*">([^<]+)</a>', body)


def row_of(html: str, name: str) -> str:
    body = html[html.index("<tbody>"):html.index("</tbody>")]
    start = body.index(f">{name}</a>")
    return body[start:body.index("</tr>", start)]


def kind_options(html: str) -> list[str]:
    select = re.search(r'<select name="kind"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.findall(r'<option value="([^"]+)"', select)


# --- who sees what ------------------------------------------------------------------------------------------------

def test_anonymous_goes_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.GRID_WORKER, Role.AUDITOR, Role.SYSTEM_ADMIN])
def test_accounts_without_a_dashboard_get_404(tree, client_for, role):
    user = make_grid_worker(tree.grids[0]) if role == Role.GRID_WORKER else make_user(role)
    assert client_for(user).get(URL).status_code == 404
    assert client_for(user).get(f"{URL}export/").status_code == 404


def test_each_role_compares_the_units_of_its_jurisdiction(tree, cohort, departments, client_for, community_staff,
                                                          street_staff, official):
    response, html = page(client_for(community_staff), **MARCH)
    assert response.status_code == 200
    assert kind_options(html) == ["grid", "community"]
    assert unit_rows(html) == [tree.grids[0].name, tree.grids[1].name]       # its own grids, no others

    _, html = page(client_for(community_staff), kind="community", **MARCH)
    assert unit_rows(html) == [tree.communities[0].name]

    _, html = page(client_for(street_staff), **MARCH)
    assert kind_options(html) == ["grid", "community", "street"]
    assert unit_rows(html) == [tree.communities[0].name, tree.communities[1].name]   # default: a level below
    _, html = page(client_for(street_staff), kind="grid", **MARCH)
    assert sorted(unit_rows(html)) == sorted(g.name for g in tree.grids[:4])

    _, html = page(client_for(official), **MARCH)
    assert kind_options(html) == ["grid", "community", "street", "district", "department"]
    assert unit_rows(html) == [tree.streets[0].name, tree.streets[1].name]
    _, html = page(client_for(official), kind="department", **MARCH)
    assert unit_rows(html) == ["部门0", "部门1"]
    _, html = page(client_for(official), kind="district", **MARCH)
    assert unit_rows(html) == [tree.district.name]

    handler = make_user(Role.DEPARTMENT_HANDLER, department=departments[1])
    _, html = page(client_for(handler), **MARCH)
    assert kind_options(html) == ["department"]
    assert unit_rows(html) == ["部门1"]                                         # its own department only


def test_a_kind_above_the_account_is_refused_with_a_message(tree, client_for, community_staff):
    response, html = page(client_for(community_staff), kind="street", english=True, **MARCH)
    assert response.status_code == 400
    assert "Choose one of the listed options" in html
    assert "<tbody>" not in html


def test_units_outside_the_jurisdiction_are_404(tree, cohort, departments, client_for, community_staff, official):
    client = client_for(community_staff)
    assert client.get(f"{URL}grid/{tree.grids[0].pk}/", MARCH).status_code == 200
    assert client.get(f"{URL}grid/{tree.grids[2].pk}/", MARCH).status_code == 404       # another community
    assert client.get(f"{URL}street/{tree.streets[0].pk}/", MARCH).status_code == 404   # above the account
    assert client.get(f"{URL}community/{tree.grids[0].pk}/", MARCH).status_code == 404  # not a community
    assert client.get(f"{URL}department/{departments[0].pk}/", MARCH).status_code == 404
    assert client.get(f"{URL}nonsense/{tree.grids[0].pk}/", MARCH).status_code == 404
    handler = make_user(Role.DEPARTMENT_HANDLER, department=departments[0])
    assert client_for(handler).get(f"{URL}department/{departments[0].pk}/", MARCH).status_code == 200
    assert client_for(handler).get(f"{URL}department/{departments[1].pk}/", MARCH).status_code == 404
    other_district = Region.objects.add_root(create_kwargs=dict(level="district", name="邻区", code="110102"))
    elsewhere = Department.objects.create(code="X1", name="邻区部门", district=other_district)
    assert client_for(official).get(f"{URL}department/{elsewhere.pk}/", MARCH).status_code == 404


# --- the figures ----------------------------------------------------------------------------------------------------

def test_the_table_shows_the_hand_computed_figures(tree, cohort, client_for, community_staff):
    response, html = page(client_for(community_staff))             # defaults: grids, this month (March 2026)
    assert response.status_code == 200
    assert 'value="2026-03-01"' in html and 'value="2026-03-31"' in html
    current = re.findall(r'<a class="btn btn-small" href="([^"]+)" aria-current="true">', html)
    assert current == ["?start=2026-03-01&amp;end=2026-03-31"]                    # "this month" marked
    grid0 = row_of(html, tree.grids[0].name)
    cells = re.findall(r'<td class="num">(.*?)</td>', grid0, re.S)
    texts = [re.sub(r"<[^>]+>", " ", cell).split() for cell in cells]
    assert texts == [["5"], ["50.0%", "2/4"], ["50.0%", "1.5/3"], ["66.7%", "2/3"], ["55.8"], ["60.0%", "3/5"],
                     ["66.7%", "2/3"], ["50.0%", "2/4"], ["25.0%", "1/4"], ["9.0"], ["128.0"]]
    grid1 = row_of(html, tree.grids[1].name)
    grid1_cells = [re.sub(r"<[^>]+>", " ", c).split() for c in re.findall(r'<td class="num">(.*?)</td>', grid1, re.S)]
    assert grid1_cells[:5] == [["3"], ["0.0%", "0/1"], ["—"], ["—"], ["—"]]
    # The weights and the definitions are on the page.
    assert "30% / 35% / 35%" in html
    _, english = page(client_for(community_staff), english=True)
    assert "How the figures are computed" in english and "响应率" in english and "按期结案率" in english


def test_the_unit_page_shows_the_counts_behind_the_rates(tree, cohort, client_for, community_staff):
    response = client_for(community_staff).get(f"{URL}community/{tree.communities[0].pk}/", MARCH)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<td class="num" id="count-response-due">5</td>' in html
    assert '<td class="num" id="count-responded">2</td>' in html
    assert '<td class="num" id="count-response-pending">2</td>' in html
    assert '<td class="num" id="count-closed">3 / 2</td>' in html
    assert "40.0%" in html and "52.8" in html                        # the community's figures (test_metrics.py)


def test_the_unit_page_refuses_a_bad_period(tree, client_for, community_staff):
    response = client_for(community_staff).get(f"{URL}grid/{tree.grids[0].pk}/",
                                               {"start": "2026-03-20", "end": "2026-03-05"})
    html = response.content.decode()
    assert response.status_code == 400 and "结束日期早于开始日期" in html and 'value="2026-03-20"' in html


def test_the_export_service_refuses_a_kind_outside_the_account(tree, community_staff):
    import datetime

    from governance.lib.exceptions import NotFoundOrForbidden
    from grids.metrics import metrics_export

    with pytest.raises(NotFoundOrForbidden):
        metrics_export(actor=community_staff, unit_kind="street", start=datetime.date(2026, 3, 1),
                       end=datetime.date(2026, 4, 1))
    assert not AuditLog.objects.filter(action="export").exists()


def test_weights_follow_the_unit_type(settings, tree, cohort, client_for, official):
    settings.GONGZHI_SCORE_WEIGHTS = {"default": (0.3, 0.35, 0.35), "street": (0.2, 0.4, 0.4)}
    _, html = page(client_for(official), kind="street", **MARCH)
    assert "20% / 40% / 40%" in html
    street0 = row_of(html, tree.streets[0].name)
    expected = 100 * (0.2 * 0.4 + 0.4 * 0.5 + 0.4 * 2 / 3)          # street 0 = community 0 + c10: same three rates
    assert f"<td class=\"num\">{expected:.1f}</td>" in street0


# --- the period -----------------------------------------------------------------------------------------------------

def test_dates_in_the_wrong_order_are_explained_and_kept(tree, cohort, client_for, community_staff):
    response, html = page(client_for(community_staff), start="2026-03-20", end="2026-03-05", english=True)
    assert response.status_code == 400
    assert "The end date is before the start date" in html and "结束日期早于开始日期" in html
    assert 'value="2026-03-20"' in html and 'value="2026-03-05"' in html
    assert "<tbody>" not in html


def test_a_period_longer_than_a_year_or_a_bad_date_is_refused(tree, client_for, community_staff):
    response, html = page(client_for(community_staff), start="2025-01-01", end="2026-03-31")
    assert response.status_code == 400 and "统计期间最长为一年" in html
    response, html = page(client_for(community_staff), start="2026-02-30")
    assert response.status_code == 400 and 'value="2026-02-30"' in html
    response = client_for(community_staff).get(f"{URL}export/", {"start": "2026-03-20", "end": "2026-03-05"})
    assert response.status_code == 400 and not AuditLog.objects.filter(action="export").exists()


def test_the_period_selects_cases_by_registration_day(tree, category, client_for, community_staff):
    case(tree.grids[0], category, "registered", registered=T0, dispatched=False)             # 1 March
    case(tree.grids[0], category, "registered", registered=T0 + 9 * D, dispatched=False)     # 10 March
    _, html = page(client_for(community_staff), start="2026-03-01", end="2026-03-01")
    assert re.search(r'<td class="num">1</td>', row_of(html, tree.grids[0].name))
    _, html = page(client_for(community_staff), start="2026-03-02", end="2026-03-10")       # last day included
    assert re.search(r'<td class="num">1</td>', row_of(html, tree.grids[0].name))
    _, html = page(client_for(community_staff), start="2026-02-01", end="2026-02-28")
    assert re.search(r'<td class="num">0</td>', row_of(html, tree.grids[0].name))
    presets = re.search(r'<nav class="period-presets".*?</nav>', html, re.S).group(0)
    assert "start=2026-03-01&amp;end=2026-03-31" in presets and "start=2026-01-01&amp;end=2026-03-31" in presets


# --- sorting, paging, areas -----------------------------------------------------------------------------------------

def test_sorting_by_any_column_with_missing_figures_last(tree, cohort, category, client_for, street_staff):
    # Grid 2: one case, responded on time (100 %); grid 3: nothing registered.
    case(tree.grids[2], category, "signed", signed=2 * H)
    client = client_for(street_staff)
    names = [g.name for g in tree.grids[:4]]
    _, html = page(client, kind="grid", sort="response_rate", order="desc", **MARCH)
    assert unit_rows(html) == [names[2], names[0], names[1], names[3]]   # 100 %, 50 %, 0 %, no data
    _, html = page(client, kind="grid", sort="response_rate", order="asc", **MARCH)
    assert unit_rows(html) == [names[1], names[0], names[2], names[3]]   # no data still last
    assert 'aria-sort="ascending"' in html
    _, html = page(client, kind="grid", sort="unit", order="desc", **MARCH)
    assert unit_rows(html) == names[::-1]
    _, html = page(client, kind="grid", sort="registered", **MARCH)
    assert unit_rows(html)[:2] == [names[0], names[1]]                    # 5, 3
    _, html = page(client, kind="grid", sort="nonsense", order="sideways", **MARCH)
    assert unit_rows(html)[0] == names[0]                                 # the default: composite, best first


def test_the_list_is_paginated(monkeypatch, tree, cohort, client_for, official):
    monkeypatch.setattr("grids.views.metrics.PAGE_SIZE", 3)
    client = client_for(official)
    _, first = page(client, kind="grid", sort="unit", order="asc", **MARCH)
    _, second = page(client, kind="grid", sort="unit", order="asc", page=2, **MARCH)
    assert unit_rows(first) == [g.name for g in tree.grids[:3]]
    assert unit_rows(second) == [g.name for g in tree.grids[3:6]]
    assert '<td class="num rank-col">4</td>' in second                           # ranks go on across pages


def test_an_area_narrows_the_units_and_rows_drill_down(tree, cohort, client_for, street_staff, official):
    client = client_for(official)
    _, html = page(client, kind="grid", within=str(tree.communities[1].pk), **MARCH)
    assert sorted(unit_rows(html)) == sorted([tree.grids[2].name, tree.grids[3].name])
    _, html = page(client, kind="community", **MARCH)
    community = tree.communities[0]
    drill = re.search(rf'href="(\?[^"]*within={community.pk}[^"]*)"', row_of(html, community.name))
    _, drilled = page(client, **dict(re.findall(r"([a-z]+)=([^&]*)", drill.group(1).replace("&amp;", "&"))))
    assert sorted(unit_rows(drilled)) == sorted([tree.grids[0].name, tree.grids[1].name])

    # An area outside the account, or not larger than the units, is refused with a message.
    response, _ = page(client_for(street_staff), kind="grid", within=str(tree.communities[2].pk), **MARCH)
    assert response.status_code == 400
    response, html = page(client, kind="community", within=str(tree.communities[0].pk), **MARCH)
    assert response.status_code == 400 and "所选范围须大于比较的单位" in html


def test_ended_grids_and_idle_inactive_departments_are_not_listed(tree, cohort, departments, client_for, official):
    import datetime

    Region.objects.filter(pk=tree.grids[7].pk).update(valid_to=datetime.date(2026, 2, 28))
    Department.objects.filter(pk=departments[0].pk).update(is_active=False)   # led c1, c2 in March: still listed
    idle = Department.objects.create(code="D9", name="撤销部门", district=tree.district, is_active=False)
    client = client_for(official)
    _, html = page(client, kind="grid", **MARCH)
    assert tree.grids[7].name not in unit_rows(html) and len(unit_rows(html)) == 7
    _, html = page(client, kind="department", **MARCH)
    assert unit_rows(html) == ["部门0", "部门1"] and idle.name not in html


# --- export -----------------------------------------------------------------------------------------------------------

def test_the_export_is_the_table_as_excel_and_is_audited(tree, cohort, client_for, community_staff):
    Region.objects.filter(pk=tree.grids[1].pk).update(name="=HYPERLINK(\"x\")")   # formula-safe cells
    client = client_for(community_staff)
    _, html = page(client, sort="registered", order="desc", **MARCH)
    export_url = re.search(r'<a class="btn" href="([^"]+)">', html).group(1).replace("&amp;", "&")
    response = client.get(export_url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "incident-metrics-grid-20260301-20260331.xlsx" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 3
    assert rows[1][:5] == (1, tree.grids[0].code, tree.grids[0].name, tree.communities[0].name, 5)
    assert rows[1][5] == pytest.approx(0.5) and rows[1][8] == pytest.approx(100 * (0.15 + 0.175 + 0.35 * 2 / 3))
    assert rows[2][2] == "'=HYPERLINK(\"x\")" and rows[2][6] is None          # no rating: an empty cell
    assert sheet.cell(row=2, column=6).number_format == "0.0%"
    definitions = [row[0] for row in workbook.worksheets[1].iter_rows(values_only=True)]
    assert len(definitions) >= 12
    audit = AuditLog.objects.get(action="export")
    assert audit.username == community_staff.username and audit.object_type == "grids.incident_metrics"
    assert audit.detail == {"unit_kind": "grid", "start": "2026-03-01", "end": "2026-04-01", "within": None,
                            "rows": 2}


def test_the_export_is_scoped_like_the_page(tree, cohort, departments, client_for):
    handler = make_user(Role.DEPARTMENT_HANDLER, department=departments[1])
    response = client_for(handler).get(f"{URL}export/", {"kind": "department", **MARCH})
    rows = list(load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))
    assert [row[2] for row in rows[1:]] == ["部门1"]
    assert client_for(handler).get(f"{URL}export/", {"kind": "grid", **MARCH}).status_code == 400


# --- query count --------------------------------------------------------------------------------------------------------

def test_query_count_is_flat_as_units_and_cases_grow(tree, cohort, category, client_for, official, count_queries):
    client = client_for(official)

    def load(kind):
        return lambda: client.get(URL, {"kind": kind, **MARCH})

    for kind in ("grid", "department"):
        client.get(URL, {"kind": kind, **MARCH})                       # warm-up (content types, sessions)
    few = {kind: count_queries(load(kind)) for kind in ("grid", "community", "department")}
    community = Region.objects.get(pk=tree.communities[3].pk)
    for i in range(6):
        community = Region.objects.get(pk=community.pk)
        grid = Region.objects.add_child(community, create_kwargs=dict(
            level="grid", name=f"附加网格{i}", code=f"{community.code}{i + 10:03d}", grid_kind="basic"))
        for _ in range(3):
            case(grid, category, "rated", signed=2 * H, answered=D, closed=2 * D, resolution="resolved",
                 satisfaction="satisfied", lead=[(Department.objects.get(code="D1"), "done")])
    for n in range(5):
        Department.objects.create(code=f"Q{n}", name=f"新部门{n}", district=tree.district)
    many = {kind: count_queries(load(kind)) for kind in ("grid", "community", "department")}
    assert many == few
    _, html = page(client, kind="grid", **MARCH)
    assert len(unit_rows(html)) == 14
