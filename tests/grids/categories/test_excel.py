"""Excel export and import of a tree: the round trip changes nothing, errors are reported per row and column,
nothing is half-imported, and a broken file gets a clear message."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from governance.lib.exceptions import InvalidInput, PermissionDeniedError
from governance.models import AuditLog
from grids.models import Category
from grids.services.categories import CATEGORY_COLUMNS, categories_export, categories_import, category_seed_defaults
from tests.grids.categories.conftest import make_xlsx, sheet_rows, snapshot

pytestmark = pytest.mark.django_db

HEADERS = [column.header for column in CATEGORY_COLUMNS]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(data: bytes, name: str = "categories.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=XLSX)


def records(data: bytes) -> list[dict]:
    rows = sheet_rows(data)
    return [dict(zip(rows[0], row, strict=False)) for row in rows[1:]]


def table(rows: list[dict]) -> bytes:
    headers = []
    for row in rows:
        headers += [key for key in row if key not in headers]
    return make_xlsx(headers, [[row.get(h) for h in headers] for row in rows])


def test_export_lists_the_tree_in_order_with_the_import_headers(small_tree, departments):
    rows = records(categories_export(tree="event"))
    assert list(rows[0]) == HEADERS
    assert [r["编码"] for r in rows] == ["01", "0101", "010101", "010102"]
    spoil = rows[3]
    assert (spoil["上级编码"], spoil["处置层级"], spoil["责任部门编码"], spoil["责任部门"], spoil["签收时限（小时）"],
            spoil["处置时限（小时）"], spoil["紧急处置时限（小时）"], spoil["特急处置时限（小时）"], spoil["是否启用"]) == (
        "0101", "部门", departments["CGZF"].code, departments["CGZF"].name, 24, 168, 72, None, "是")
    assert [r["编码"] for r in records(categories_export(tree="component"))] == ["B01", "B0101", "B010101"]


def test_export_then_import_changes_nothing(official, tree, departments):
    category_seed_defaults(district=tree.district)
    Category.objects.filter(code="010101").update(opening_conditions="=HYPERLINK(\"x\")\n第二行")  # formula-like text
    before, audits = snapshot(), AuditLog.objects.count()
    for which in ("event", "component"):
        result = categories_import(actor=official, file=upload(categories_export(tree=which)), tree=which)
        assert result.ok, result.errors
        assert result.created == result.updated == 0 and result.unchanged == result.rows > 20
    assert snapshot() == before
    assert AuditLog.objects.count() == audits + 2  # only the two `import` rows
    assert AuditLog.objects.filter(action="import", object_type="grids.category").count() == 2


def test_import_creates_updates_and_resolves_parents_and_departments(official, small_tree, departments):
    data = table([
        # a child listed before its parent: the import orders them
        {"编码": "010201", "上级编码": "0102", "名称": "私搭乱建", "处置层级": "部门", "责任部门": "城管执法局",
         "处置时限（小时）": 360, "立案条件": "未经批准搭建。", "结案条件": "已拆除。", "关键词": "违建"},
        {"编码": "0102", "上级编码": "01", "名称": "违法建设"},
        {"编码": "010101", "上级编码": "0101", "名称": "暴露垃圾", "处置层级": "社区", "签收时限（小时）": 12},
        {"编码": "010102", "上级编码": "0101", "名称": "积存渣土", "处置层级": "部门",
         "责任部门编码": departments["ZJ"].code, "是否启用": "否"},
    ])
    result = categories_import(actor=official, file=upload(data), tree="event")
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (2, 2, 0)
    built = Category.objects.get(code="010201")
    assert (built.depth, built.department, built.handle_hours, built.sign_for_hours) == (
        3, departments["CGZF"], 360, 24)
    assert Category.objects.get_parent(built).code == "0102"
    garbage = Category.objects.get(code="010101")
    assert (garbage.sign_for_hours, garbage.handle_hours, garbage.keywords) == (12, 168, "")  # blank cell clears
    spoil = Category.objects.get(code="010102")
    assert (spoil.department, spoil.is_active, spoil.urgent_handle_hours) == (departments["ZJ"], False, 72)


def test_every_error_is_reported_and_nothing_is_imported(official, small_tree, departments):
    before, audits = snapshot(), AuditLog.objects.filter(action="import").count()
    data = table([
        {"编码": "010103", "上级编码": "0101", "名称": "道路不洁", "处置层级": "街道"},  # fine alone
        {"编码": "010104", "上级编码": "0101", "名称": "垃圾桶满溢", "处置层级": "省级"},  # row 3: unknown level
        {"编码": "010105", "上级编码": "0101", "名称": "", "处置层级": "社区", "签收时限（小时）": "两天"},  # row 4
        {"编码": "010103", "上级编码": "0101", "名称": "重复", "处置层级": "街道"},  # row 5: duplicate code
        {"编码": "0201", "上级编码": "01", "名称": "编码不对"},  # row 6: code does not start with 01
        {"编码": "010106", "上级编码": "0101", "名称": "无部门", "处置层级": "部门"},  # row 7: department missing
        {"编码": "010107", "上级编码": "0101", "名称": "外区", "处置层级": "部门", "责任部门编码": "NOPE"},  # row 8
        {"编码": "010108", "上级编码": "0101", "名称": "时限", "处置层级": "社区", "签收时限（小时）": 48,
         "处置时限（小时）": 24},  # row 9
        {"编码": "B0102", "上级编码": "B01", "名称": "另一棵树", "处置层级": "街道"},  # row 10: parent in the other tree
        {"编码": "010101", "上级编码": "01", "名称": "暴露垃圾"},  # row 11: moving is refused
        {"编码": "01010901", "上级编码": "010109", "名称": "上级缺失", "处置层级": "社区"},  # row 12: no parent
    ])
    result = categories_import(actor=official, file=upload(data), tree="event")
    assert not result.ok and result.created == result.updated == 0
    found = {(e["row"], e["column"]) for e in result.errors}
    assert {(3, "处置层级"), (4, "名称"), (4, "签收时限（小时）"), (5, "编码"), (6, "编码"), (7, "责任部门编码"),
            (8, "责任部门编码"), (9, "签收时限（小时）"), (10, "上级编码"), (11, "上级编码"), (12, "上级编码")} <= found
    assert 2 not in {e["row"] for e in result.errors}
    assert all(e["message"] for e in result.errors)
    assert [e["row"] for e in result.errors] == sorted(e["row"] for e in result.errors)
    assert snapshot() == before  # row 2 was valid but is not imported either
    assert AuditLog.objects.filter(action="import", outcome="failure").count() == audits + 1


def test_a_row_of_the_other_tree_is_refused(official, small_tree):
    data = table([{"编码": "B010101", "上级编码": "B0101", "名称": "上水井盖", "处置层级": "部门"}])
    result = categories_import(actor=official, file=upload(data), tree="event")
    assert [(e["row"], e["column"]) for e in result.errors] == [(2, "编码")]


@pytest.mark.parametrize("data, name, needle", [
    (b"not a spreadsheet", "categories.xlsx", "could not be read"),
    (b"", "categories.xlsx", "could not be read"),
    (make_xlsx(["编码"], [["01"]]), "categories.xlsx", "Missing required columns"),
    (make_xlsx(["编码", "名称", "颜色"], [["01", "x", "红"]]), "categories.xlsx", "Unknown columns"),
    (make_xlsx(["编码", "名称"], []), "categories.xlsx", "no data rows"),
    (make_xlsx(["编码", "名称"], [["01", "x"]]), "categories.csv", "could not be read"),
])
def test_a_broken_file_gets_a_clear_message(official, small_tree, data, name, needle):
    with translation.override("en"), pytest.raises(InvalidInput) as exc_info:
        categories_import(actor=official, file=upload(data, name), tree="event")
    assert needle in exc_info.value.message


def test_only_district_officials_import(people, small_tree):
    data = table([{"编码": "010103", "上级编码": "0101", "名称": "道路不洁", "处置层级": "街道"}])
    with pytest.raises(PermissionDeniedError):
        categories_import(actor=people.street_staff, file=upload(data), tree="event")
    assert not Category.objects.filter(code="010103").exists()
