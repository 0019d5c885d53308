"""12345 work-order import: CSV (with or without BOM) and .xlsx, idempotent by order number, all or nothing, every
error by row and column, broken files answered with a message."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from governance.lib.exceptions import PermissionDeniedError
from governance.models import AuditLog, Role
from grids.models import Incident
from grids.services.hotline import hotline_import
from tests.factories import make_grid_worker, make_user
from tests.grids.intake.helpers import make_building

pytestmark = pytest.mark.django_db

URL = "/intake/hotline/"
HEADER = ["工单编号", "诉求类型", "诉求分类", "标题", "内容", "所属网格", "地址", "来电号码", "来电人", "紧急程度"]


@pytest.fixture
def staff(tree):
    return make_user(Role.COMMUNITY_STAFF, region=tree.communities[0])


def _rows(tree, cats):
    return [
        ["GD001", "投诉", cats.lamp.code, "路灯不亮", "3号楼门前路灯坏了", tree.grids[0].code, "", "13812345678", "王女士",
         "紧急"],
        ["GD002", "求助", "垃圾堆放", "", "楼道堆满垃圾\n无人清理", tree.grids[1].code, "", "010-62345678", "", ""],
        ["GD003", "", cats.water.code, "积水", "路口积水", "", "幸福路12号3单元", "", "", "一般"],
    ]


def _csv(rows, *, bom=True, header=HEADER, encoding="utf-8") -> bytes:
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    data = buffer.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def _xlsx(rows, header=HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _upload(client, data, name="orders.csv"):
    return client.post(URL, {"file": SimpleUploadedFile(name, data)})


@pytest.fixture
def addressed(tree):
    return make_building(tree.grids[0], number="00012", name="12号楼", address="幸福路12号")


# --- happy paths -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("bom", [True, False], ids=["bom", "no-bom"])
def test_csv_import_creates_every_order(client_for, tree, cats, staff, addressed, bom):
    response = _upload(client_for(staff), _csv(_rows(tree, cats), bom=bom))
    assert response.status_code == 200
    cases = {i.hotline_order_no: i for i in Incident.objects.all()}
    assert set(cases) == {"GD001", "GD002", "GD003"}
    first, second, third = cases["GD001"], cases["GD002"], cases["GD003"]
    assert all(i.channel == "hotline" and i.reported_by == staff for i in cases.values())
    assert first.request_type == "complaint" and first.urgency == "urgent" and first.category == cats.lamp
    assert first.reporter_phone == "13812345678" and first.reporter_name == "王女士" and first.grid == tree.grids[0]
    assert second.category == cats.rubbish and second.title == "楼道堆满垃圾"  # by name; title from the content
    assert second.request_type == "help" and second.urgency == "normal"
    assert third.request_type == "other" and third.grid == tree.grids[0] and third.building == addressed
    page = response.content.decode()
    assert all(i.tracking_code in page for i in cases.values())
    audit = AuditLog.objects.filter(action=AuditLog.Action.IMPORT, object_type="grids.incident").get()
    assert audit.detail == {"channel": "hotline", "rows": 3, "created": 3, "skipped": 0}


def test_xlsx_import_with_numbers_stored_as_numbers(client_for, tree, cats, staff):
    rows = [[20260512001, "咨询", int(cats.lamp.code), "问路灯", "咨询路灯维修时间", int(tree.grids[0].code), "",
             13812345678, "张先生", "一般"]]
    response = _upload(client_for(staff), _xlsx(rows), name="工单.xlsx")
    assert response.status_code == 200, response.context["result"]
    incident = Incident.objects.get()
    assert incident.hotline_order_no == "20260512001" and incident.reporter_phone == "13812345678"


def test_the_same_file_twice_skips_what_is_already_imported_and_changes_nothing(client_for, tree, cats, staff,
                                                                               addressed):
    browser = client_for(staff)
    data = _csv(_rows(tree, cats))
    assert _upload(browser, data).status_code == 200
    before = {i.pk: (i.updated_at, i.status, i.title) for i in Incident.objects.all()}

    again = _upload(browser, data)
    assert again.status_code == 200
    result = again.context["result"]
    assert result.created == [] and [n for _row, n in result.skipped] == ["GD001", "GD002", "GD003"]
    assert {i.pk: (i.updated_at, i.status, i.title) for i in Incident.objects.all()} == before

    # An overlapping file: old rows skipped (even if edited since), the new one created.
    rows = _rows(tree, cats)
    rows[0][3] = "标题被改过"
    rows.append(["GD004", "建议", cats.lamp.code, "建议加装路灯", "小区北门太暗", tree.grids[0].code, "", "", "", ""])
    result = _upload(browser, _csv(rows)).context["result"]
    assert [n for _r, n, _c in result.created] == ["GD004"] and len(result.skipped) == 3
    assert Incident.objects.get(hotline_order_no="GD001").title == "路灯不亮"


def test_skipped_rows_are_not_checked(tree, cats, staff):
    hotline_import(actor=staff, data=_csv(_rows(tree, cats)[:1]))
    rows = _rows(tree, cats)[:1]
    rows[0][2] = "no such category"  # already imported: not read, so not an error
    result = hotline_import(actor=staff, data=_csv(rows))
    assert result.ok and result.skipped == [(2, "GD001")]


# --- errors: all or nothing --------------------------------------------------------------------------------------

def test_row_errors_are_all_reported_and_nothing_is_imported(client_for, tree, cats, staff):
    rows = _rows(tree, cats)[:2]
    rows.append(["GD003", "投诉", "不存在的分类", "x", "内容", tree.grids[0].code, "", "", "", ""])
    rows.append(["GD004", "投诉", cats.lamp.code, "x", "内容", tree.grids[2].code, "", "12345", "", "很急"])
    rows.append(["GD005", "投诉", cats.lamp.code, "x", "", "", "", "", "", ""])
    rows.append(["GD001", "投诉", cats.lamp.code, "x", "内容", tree.grids[0].code, "", "", "", ""])
    rows.append(["GD006", "投诉", cats.inactive.code, "长" * 101, "内容", "12345", "", "", "", ""])
    response = _upload(client_for(staff), _csv(rows))

    assert response.status_code == 400 and Incident.objects.count() == 0
    errors = {(e.row, e.column) for e in response.context["result"].errors}
    assert errors == {
        (4, "诉求分类"),  # unknown category
        (5, "所属网格"), (5, "来电号码"), (5, "紧急程度"),  # another community's grid, bad phone, unknown urgency
        (6, "内容"), (6, "所属网格"),  # required content; neither grid nor address
        (7, "工单编号"),  # the same order number as row 2
        (8, "诉求分类"), (8, "标题"), (8, "所属网格"),  # inactive category, title too long, malformed grid code
    }
    page = response.content.decode()
    assert 'id="import-errors"' in page and "不在您的管辖范围内" in page and "第2行" in page
    assert AuditLog.objects.filter(action=AuditLog.Action.IMPORT).count() == 0


def test_an_address_that_matches_no_single_grid_is_an_error(tree, cats, staff):
    make_building(tree.grids[0], number="00001", name="A", address="幸福路12号")
    make_building(tree.grids[1], number="00002", name="B", address="幸福路12号")
    rows = [["GD010", "投诉", cats.lamp.code, "x", "内容", "", "幸福路12号", "", "", ""],
            ["GD011", "投诉", cats.lamp.code, "x", "内容", "", "没有这个地方", "", "", ""]]
    result = hotline_import(actor=staff, data=_csv(rows))
    assert [(e.row, e.column) for e in result.errors] == [(2, "所属网格"), (3, "所属网格")]
    assert Incident.objects.count() == 0


def test_a_row_the_lifecycle_refuses_rolls_back_the_whole_file(tree, cats, staff, monkeypatch):
    import grids.services.incidents as lifecycle

    real = lifecycle.incident_report
    calls = []

    def refuse_second(**kwargs):
        calls.append(kwargs["hotline_order_no"])
        if len(calls) == 2:
            raise ValidationError({"title": "refused by the service"})
        return real(**kwargs)

    monkeypatch.setattr(lifecycle, "incident_report", refuse_second)
    rows = _rows(tree, cats)[:2] + [["GD009", "投诉", cats.lamp.code, "x", "内容", tree.grids[0].code, "", "", "", ""]]
    result = hotline_import(actor=staff, data=_csv(rows))
    assert calls == ["GD001", "GD002", "GD009"]  # every row tried, so every refusal is reported at once
    assert [(e.row, e.column, e.message) for e in result.errors] == [(3, "标题", "refused by the service")]
    assert result.created == [] and Incident.objects.count() == 0


@pytest.mark.parametrize(("data", "name", "fragment"), [
    (b"\x89\x00\x13garbage\xff\xfe", "orders.csv", "CSV"),
    ("工单编号,内容\nGD1,测试".encode("gbk"), "orders.csv", "UTF-8"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "orders.xls", ".xls"),
    (b"", "orders.csv", ""),
    (b"PK\x03\x04 this is not really a zip", "orders.xlsx", ".xlsx"),
    (b"not a workbook", "orders.xlsx", ".xlsx"),
    ("标题,内容\n问题,描述\n".encode(), "orders.csv", "工单编号"),
    ("\ufeff工单编号,诉求分类,内容\n".encode(), "orders.csv", "没有数据行"),
    ("工单编号,诉求分类,内容,不认识的列\nGD1,010101,x,y\n".encode(), "orders.csv", "不认识的列"),
], ids=["binary", "gbk", "old-xls", "empty", "broken-zip", "xlsx-name-not-xlsx", "missing-columns", "header-only",
        "unknown-column"])
def test_a_broken_file_gets_a_clear_message_and_imports_nothing(client_for, tree, cats, staff, data, name,
                                                                 fragment):
    response = _upload(client_for(staff), data, name=name)
    assert response.status_code == 400 and Incident.objects.count() == 0
    page = response.content.decode()
    if data:
        message = response.context["result"].file_error
        assert message and fragment in message
        assert 'id="import-file-error"' in page
    else:
        assert 'class="form-errors"' in page or 'id="import-file-error"' in page


def test_too_many_rows(tree, cats, staff, settings):
    settings.GONGZHI_HOTLINE_MAX_ROWS = 2
    result = hotline_import(actor=staff, data=_csv(_rows(tree, cats)))
    assert "2" in result.file_error and Incident.objects.count() == 0


def test_a_file_over_the_size_limit_is_refused_unread(client_for, staff, settings):
    settings.GONGZHI_IMPORT_MAX_BYTES = 100
    response = _upload(client_for(staff), b"x" * 200)
    assert response.status_code == 400 and "MB" in response.content.decode()


def test_only_community_and_street_staff_may_import(tree, cats):
    data = _csv(_rows(tree, cats)[:1])
    for user in (make_grid_worker(tree.grids[0]), make_user(Role.DISTRICT_OFFICIAL, region=tree.district),
                 make_user(Role.RESIDENT)):
        with pytest.raises(PermissionDeniedError):
            hotline_import(actor=user, data=data)
    assert hotline_import(actor=make_user(Role.STREET_STAFF, region=tree.streets[0]), data=data).ok
