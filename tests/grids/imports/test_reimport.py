"""Importing the same file again changes nothing: every row unchanged, no service call, no updated_at
touched, no audit `update` row. Changing one cell updates exactly that row."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from governance.models import AuditLog
from grids.models import Building, CareGroup, Household, HousingUnit, ImportJob, Organisation, Resident
from tests.factories import BuildingFactory, HouseholdFactory, HousingUnitFactory, make_id_number
from tests.grids.imports.conftest import credit_code, make_xlsx, run_import, table

pytestmark = pytest.mark.django_db


def _stamps(model):
    return dict(model.objects.values_list("pk", "updated_at"))


def _records(tree):
    grid = tree.grids[0]
    unit = HousingUnitFactory(building=BuildingFactory(grid=grid, number="00003"), entrance="1单元", room="101")
    HouseholdFactory(grid=grid, number="H1", housing_unit=unit)
    CareGroup.objects.create(code="alone", name="独居老人")
    return [
        {"网格编码": grid.code, "姓名": f"居民{n}", "身份证号": make_id_number(birth=datetime.date(1960, 1, n + 1)),
         "性别": None, "出生日期": None, "联系电话": f"1381234567{n}", "户编号": "H1", "楼栋编号": 3, "单元": "1单元",
         "房号": 101, "居住类型": "户籍", "政治面貌": "群众", "状态": "在住", "关怀对象": "独居老人" if n % 2 else "",
         "紧急联系人": "", "紧急联系电话": "", "备注": f"第{n}户"}
        for n in range(5)
    ]


def test_reimporting_the_same_resident_file_changes_nothing(tree, worker):
    data = make_xlsx(*table(_records(tree)))
    first = run_import(worker, "residents", data=data)
    assert first.status == ImportJob.Status.SUCCEEDED and first.created_count == 5
    stamps = _stamps(Resident)
    marker = AuditLog.objects.order_by("-id").first().pk

    second = run_import(worker, "residents", data=data)
    assert second.status == ImportJob.Status.SUCCEEDED
    assert (second.created_count, second.updated_count, second.unchanged_count) == (0, 0, 5)
    assert _stamps(Resident) == stamps
    new_audit = AuditLog.objects.filter(pk__gt=marker)
    # Only the job's own row and the one `import` row: no `update` of any resident.
    assert sorted((row.action, row.object_type) for row in new_audit) == [
        ("create", "grids.importjob"), ("import", "grids.importjob")]


def test_changing_one_cell_updates_one_row(tree, worker):
    records = _records(tree)
    run_import(worker, "residents", records)
    stamps = _stamps(Resident)
    records[2]["联系电话"] = "13900000000"
    marker = AuditLog.objects.order_by("-id").first().pk
    job = run_import(worker, "residents", records)
    assert (job.created_count, job.updated_count, job.unchanged_count) == (0, 1, 4)
    changed = Resident.objects.get(name="居民2")
    assert changed.phone == "13900000000"
    assert _stamps(Resident)[changed.pk] != stamps[changed.pk]
    assert {pk: stamp for pk, stamp in _stamps(Resident).items() if pk != changed.pk} == \
           {pk: stamp for pk, stamp in stamps.items() if pk != changed.pk}
    updates = AuditLog.objects.filter(pk__gt=marker, action="update", object_type="grids.resident")
    assert [row.object_id for row in updates] == [str(changed.pk)]


def test_changing_only_care_groups_is_an_update(tree, worker):
    records = _records(tree)
    run_import(worker, "residents", records)
    records[0]["关怀对象"] = "独居老人"
    job = run_import(worker, "residents", records)
    assert (job.updated_count, job.unchanged_count) == (1, 4)


@pytest.mark.parametrize(("register", "model"), [
    ("buildings", Building), ("housing", HousingUnit), ("households", Household), ("organisations", Organisation),
])
def test_reimport_unchanged_for_every_register(tree, worker, register, model):
    grid = tree.grids[0]
    building = BuildingFactory(grid=grid, number="00009")
    HousingUnitFactory(building=building, entrance="", room="1")
    records = {
        "buildings": [{"网格编码": grid.code, "楼栋编号": 1, "楼栋名称": "1号楼", "类型": "住宅", "层数": 6, "地址": "路1号"}],
        "housing": [{"网格编码": grid.code, "楼栋编号": "9", "单元": "2单元", "房号": 201, "建筑面积（平方米）": 85.5,
                     "用途": "出租"}],
        "households": [{"网格编码": grid.code, "户编号": "H9", "户类型": "流动户", "楼栋编号": "9", "单元": "", "房号": 1}],
        "organisations": [
            {"网格编码": grid.code, "名称": "店", "类型": "商铺", "统一社会信用代码": credit_code(7), "楼栋编号": 9,
             "联系电话": "010-62345678", "从业人数": 3, "是否在营": "是"},
            {"网格编码": grid.code, "名称": "会", "类型": "社会组织", "统一社会信用代码": "", "楼栋编号": None,
             "联系电话": "", "从业人数": None, "是否在营": "否"}],
    }[register]
    data = make_xlsx(*table(records))
    first = run_import(worker, register, data=data)
    assert first.status == ImportJob.Status.SUCCEEDED, first.errors
    stamps = _stamps(model)
    second = run_import(worker, register, data=data)
    assert (second.created_count, second.updated_count, second.unchanged_count) == (0, 0, len(records))
    assert _stamps(model) == stamps
    assert not AuditLog.objects.filter(action="update", object_type__startswith="grids.").exists()


def test_unchanged_rows_make_no_writes(tree, worker):
    """Beyond the job's own bookkeeping, a re-import issues no INSERT/UPDATE against the registers."""
    data = make_xlsx(*table(_records(tree)))
    run_import(worker, "residents", data=data)
    with CaptureQueriesContext(connection) as ctx:
        run_import(worker, "residents", data=data)
    writes = [q["sql"] for q in ctx.captured_queries
              if q["sql"].startswith(("INSERT", "UPDATE")) and "grids_importjob" not in q["sql"]
              and "governance_auditlog" not in q["sql"]]
    assert writes == []


def test_reimport_queries_grow_per_chunk_not_per_row(tree, worker, count_queries):
    """Existing residents are looked up 50 rows at a time, so a re-import does not run a query per row."""
    records = [[tree.grids[0].code, f"居民{i}", make_id_number(birth=datetime.date(1950, 1, 1) + datetime.timedelta(days=i))]
               for i in range(300)]
    headers = ["网格编码", "姓名", "身份证号"]
    small, large = make_xlsx(headers, records[:100]), make_xlsx(headers, records)
    run_import(worker, "residents", data=large)
    few = count_queries(lambda: run_import(worker, "residents", data=small))
    many = count_queries(lambda: run_import(worker, "residents", data=large))
    assert ImportJob.objects.filter(unchanged_count__in=[100, 300]).count() == 2
    assert many - few <= 4 * 8  # four more chunks of 50, a handful of queries each (not 200+ more)
