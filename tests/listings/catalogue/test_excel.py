"""Excel: the template's headers, a filled template imported, the per-row error report (nothing half-imported), broken
files, idempotent re-import of an export, the audited export of a list in force on a day, and the pages."""

import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from governance.lib.exceptions import InvalidInput, PermissionDeniedError
from governance.models import AuditLog, Role
from listings.imports import ITEM_COLUMNS
from listings.models import ListItem, ListItemRevision
from listings.services.excel import list_items_export, list_items_import, list_items_template
from tests.factories import DepartmentFactory, make_user
from tests.listings.factories import make_list_item

pytestmark = pytest.mark.django_db

D = datetime.date
HEADERS = [column.header for column in ITEM_COLUMNS]


def _xlsx(rows, headers=None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers or HEADERS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _row(**values):
    by_header = {column.key: column.header for column in ITEM_COLUMNS}
    cells = dict.fromkeys(HEADERS)
    for key, value in values.items():
        cells[by_header[key]] = value
    return [cells[header] for header in HEADERS]


def _sheet(content: bytes):
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    return workbook, rows[0], [dict(zip(rows[0], row, strict=False)) for row in rows[1:] if any(row)]


def test_template_has_the_chinese_headers_and_instructions():
    workbook, header, rows = _sheet(list_items_template())
    assert list(header) == HEADERS
    assert header[:2] == ("编号", "事项名称")
    assert rows == []
    assert "说明" in workbook.sheetnames


def test_a_filled_template_is_imported(official, assisting, department):
    data = _xlsx([
        _row(code="XZ-01", name="协助开展低保入户调查", legal_basis="《社会救助暂行办法》第十一条",
             department_code="110101-MZ", funding_yuan=30000, staff_attached=0.5, keywords="低保、入户调查",
             valid_from=datetime.datetime(2024, 1, 1), status="有效", is_sample="是", position=10),
        _row(code=2, name="协助开展消防宣传", department="测试区民政局", valid_from="2024-03-01",
             valid_to="2026-12-31"),
    ])
    result = list_items_import(actor=official, kind=assisting, file=data)

    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    first = ListItem.objects.get(code="XZ-01")
    assert first.responsible_department == department
    assert (first.funding_yuan, first.staff_attached, first.keywords) == (Decimal("30000"), Decimal("0.5"),
                                                                          "低保 入户调查")
    assert first.is_sample and first.position == 10 and first.valid_from == D(2024, 1, 1)
    second = ListItem.objects.get(code="2")  # a number cell in the code column is read as text
    assert second.responsible_department == department and second.valid_to == D(2026, 12, 31)
    assert [r.change for r in ListItemRevision.objects.all()] == ["imported", "imported"]
    audit = AuditLog.objects.filter(action="import").get()
    assert audit.outcome == "success" and audit.detail["created"] == 2 and audit.user_id == official.pk


def test_row_errors_are_all_reported_and_nothing_is_imported(official, assisting):
    existing = make_list_item(kind=assisting, code="XZ-01", name="原名称")
    data = _xlsx([
        _row(code="XZ-01", name="改了名字", valid_from="2024-01-01", responsible_body="区民政局"),  # valid on its own
        _row(code="XZ-02", name="结束早于开始", valid_from="2025-06-01", valid_to="2025-01-01",
             responsible_body="区民政局"),
        _row(code="XZ-03", name="负数经费", valid_from="2025-01-01", funding_yuan=-100, responsible_body="区民政局"),
        _row(code="XZ-04", name="", valid_from="2025-01-01"),
        _row(code="XZ-05", name="没有责任部门", valid_from="2025-01-01"),
        _row(code="XZ-06", name="未知部门", valid_from="2025-01-01", department_code="NOPE"),
        _row(code="XZ-02", name="重复", valid_from="2025-01-01", responsible_body="区民政局"),
        _row(code="XZ-08", name="坏日期", valid_from="明天", responsible_body="区民政局"),
        _row(code="XZ-09", name="未知状态", valid_from="2025-01-01", status="作废中", responsible_body="区民政局"),
    ])
    result = list_items_import(actor=official, kind=assisting, file=data)

    assert not result.ok
    by_row = {(error["row"], error["column"]): error["message"] for error in result.errors}
    assert "结束日期早于开始日期" in by_row[(3, "截止日期")]
    assert "不能为负数" in by_row[(4, "保障经费（元/年）")]
    assert "此列必填" in by_row[(5, "事项名称")]
    assert "责任部门或责任主体" in by_row[(6, "责任部门编码")]
    assert "没有编码为NOPE的部门" in by_row[(7, "责任部门编码")]
    assert "与第3行重复" in by_row[(8, "编号")]
    assert "日期格式" in by_row[(9, "生效日期")]
    assert "不是可选值" in by_row[(10, "状态")]
    assert not any(row == 2 for row, _column in by_row)
    # Nothing half-imported: the valid row 2 was rolled back with the rest.
    existing.refresh_from_db()
    assert existing.name == "原名称" and existing.version == 1
    assert ListItem.objects.count() == 1 and ListItemRevision.objects.count() == 1
    assert AuditLog.objects.filter(action="import", outcome="failure").exists()


@pytest.mark.parametrize(("name", "content", "chinese"), [
    ("list.xlsx", b"this is not a spreadsheet", "文件无法读取"),
    ("list.xlsx", b"", "文件无法读取"),
    ("list.csv", b"code,name\n1,x\n", "文件无法读取"),
    ("list.xlsx", None, "文件无法读取"),  # a zip that is not a workbook
    ("list.xlsx", "wrong-headers", "缺少必填列"),
    ("list.xlsx", "no-rows", "没有数据行"),
])
def test_a_broken_file_is_refused_with_a_clear_message(official, assisting, name, content, chinese):
    if content is None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("hello.txt", "not a workbook")
        content = buffer.getvalue()
    elif content == "wrong-headers":
        content = _xlsx([["XZ-01", "名称"]], headers=["序列", "标题"])
    elif content == "no-rows":
        content = _xlsx([])
    with pytest.raises(InvalidInput) as exc:
        list_items_import(actor=official, kind=assisting, file=SimpleUploadedFile(name, content))
    assert chinese in exc.value.message
    assert not ListItem.objects.exists()


def test_too_many_rows_are_refused(official, assisting, monkeypatch):
    monkeypatch.setattr("listings.services.excel.MAX_ROWS", 3)
    data = _xlsx([_row(code=f"XZ-{n}", name="x", valid_from="2024-01-01", responsible_body="y") for n in range(4)])
    with pytest.raises(InvalidInput) as exc:
        list_items_import(actor=official, kind=assisting, file=data)
    assert "数据行超过3行" in exc.value.message


@override_settings(GONGZHI_IMPORT_MAX_BYTES=100)
def test_too_large_a_file_is_refused(official, assisting):
    upload = SimpleUploadedFile("list.xlsx", b"x" * 200)
    with pytest.raises(InvalidInput) as exc:
        list_items_import(actor=official, kind=assisting, file=upload)
    assert "文件超过" in exc.value.message


def test_export_then_import_changes_nothing(official, assisting, department):
    make_list_item(kind=assisting, code="XZ-01", name="协助开展低保入户调查", responsible_department=department,
                   funding_yuan=Decimal("30000.00"), staff_attached=Decimal("0.50"), keywords="低保 入户调查",
                   legal_basis="=《社会救助暂行办法》", is_sample=True, position=10)
    make_list_item(kind=assisting, code="XZ-02", name="已废止事项", valid_to=D(2025, 12, 31), status="repealed")
    exported = list_items_export(actor=official, kind=assisting, everything=True)
    revisions = ListItemRevision.objects.count()
    audits = AuditLog.objects.exclude(action__in=["import", "export"]).count()

    result = list_items_import(actor=official, kind=assisting, file=exported.content)
    again = list_items_import(actor=official, kind=assisting, file=exported.content)

    assert result.ok and (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert again.ok and again.unchanged == 2
    assert ListItemRevision.objects.count() == revisions
    assert AuditLog.objects.exclude(action__in=["import", "export"]).count() == audits
    assert ListItem.objects.get(code="XZ-01").legal_basis == "=《社会救助暂行办法》"  # formula-safe both ways


def test_a_changed_row_is_a_new_version_and_status_changes_follow_the_rules(official, assisting):
    make_list_item(kind=assisting, code="XZ-01", name="原名称", valid_from=D(2024, 1, 1))
    make_list_item(kind=assisting, code="XZ-02", name="已废止", valid_to=D(2024, 12, 31), status="repealed")
    data = _xlsx([
        _row(code="XZ-01", name="新名称", valid_from="2024-01-01", responsible_body="区民政局", status="废止"),
    ])
    result = list_items_import(actor=official, kind=assisting, file=data)
    assert result.ok and result.updated == 1
    item = ListItem.objects.get(code="XZ-01")
    assert (item.name, item.status, item.version) == ("新名称", "repealed", 2)
    assert item.valid_to is not None  # ended the day before the import: earlier lists keep it
    assert item.revisions.get(version=2).change == "imported"

    revive = _xlsx([_row(code="XZ-02", name="已废止", valid_from="2024-01-01", responsible_body="区民政局",
                         status="有效")])
    refused = list_items_import(actor=official, kind=assisting, file=revive)
    assert not refused.ok and "不能改为" in refused.errors[0]["message"]
    assert ListItem.objects.get(code="XZ-02").status == "repealed"


def test_import_needs_a_district_official_of_the_list(tree, other_official, assisting):
    data = _xlsx([_row(code="XZ-01", name="x", valid_from="2024-01-01", responsible_body="y")])
    for user in (other_official, make_user(Role.COMMUNITY_STAFF, region=tree.communities[0])):
        with pytest.raises(PermissionDeniedError):
            list_items_import(actor=user, kind=assisting, file=data)
    assert not ListItem.objects.exists()


def test_export_of_the_list_in_force_on_a_day_is_audited(official, assisting):
    make_list_item(kind=assisting, code="XZ-01", name="长期事项")
    make_list_item(kind=assisting, code="XZ-02", name="2025年底废止", valid_to=D(2025, 12, 31), status="repealed")

    past = list_items_export(actor=official, kind=assisting, day=D(2025, 6, 1))
    now = list_items_export(actor=official, kind=assisting, day=D(2026, 6, 1))

    assert [row["编号"] for row in _sheet(past.content)[2]] == ["XZ-01", "XZ-02"]
    assert [row["编号"] for row in _sheet(now.content)[2]] == ["XZ-01"]
    assert _sheet(past.content)[2][1]["状态"] == "废止"
    assert past.filename == "依法协助政府工作事项清单-2025-06-01.xlsx"
    audits = list(AuditLog.objects.filter(action="export").order_by("pk"))
    assert [a.detail["rows"] for a in audits] == [2, 1]
    assert audits[0].detail["day"] == "2025-06-01" and audits[0].object_id == str(assisting.pk)
    assert audits[0].user_id == official.pk


def test_export_is_for_staff_of_the_district(tree, other_official, assisting):
    from governance.lib.exceptions import NotFoundOrForbidden

    reader = make_user(Role.COMMUNITY_STAFF, region=tree.communities[0])
    assert list_items_export(actor=reader, kind=assisting).rows == 0
    with pytest.raises(NotFoundOrForbidden):
        list_items_export(actor=other_official, kind=assisting)


# --- the pages ------------------------------------------------------------------------------------------------------

def test_import_page_success_and_errors(client_for, official, assisting):
    client = client_for(official)
    url = reverse("listings:import")
    assert client.get(f"{url}?kind={assisting.pk}").status_code == 200

    bad = _xlsx([_row(code="XZ-01", name="x", valid_from="2025-01-01")])
    response = client.post(url, {"kind": assisting.pk, "file": SimpleUploadedFile("list.xlsx", bad)})
    assert response.status_code == 400 and 'id="import-errors"' in response.content.decode()
    assert "责任部门或责任主体" in response.content.decode()

    broken = client.post(url, {"kind": assisting.pk, "file": SimpleUploadedFile("list.xlsx", b"garbage")})
    assert broken.status_code == 400 and "文件无法读取" in broken.content.decode()

    good = _xlsx([_row(code="XZ-01", name="协助开展消防宣传", valid_from="2025-01-01", responsible_body="区消防救援大队")])
    done = client.post(url, {"kind": assisting.pk, "file": SimpleUploadedFile("list.xlsx", good)})
    assert done.status_code == 302
    assert ListItem.objects.get(code="XZ-01").name == "协助开展消防宣传"


def test_export_and_template_downloads(client_for, official, assisting):
    make_list_item(kind=assisting, code="XZ-01", name="长期事项")
    client = client_for(official)
    response = client.get(reverse("listings:export"), {"kind": assisting.pk, "on": "2025-01-01"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    assert [row["编号"] for row in _sheet(response.content)[2]] == ["XZ-01"]
    template = client.get(reverse("listings:template"))
    assert template.status_code == 200 and list(_sheet(template.content)[1]) == HEADERS
    department_reader = make_user(Role.DEPARTMENT_HANDLER, department=DepartmentFactory(district=assisting.district))
    assert client_for(department_reader).get(reverse("listings:export"), {"kind": assisting.pk}).status_code == 200
