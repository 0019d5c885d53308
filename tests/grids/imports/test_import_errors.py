"""Per-row error report: every error as {row, column (Chinese header), message}; if any row is wrong,
nothing at all is written — also when something unexpected blows up half way."""

import pytest

from governance.models import AuditLog
from grids.models import Building, ImportJob, Resident
from grids.services import registers as register_services
from tests.factories import ResidentFactory, make_id_number
from tests.grids.imports.conftest import make_xlsx, run_import

pytestmark = pytest.mark.django_db

VALID = "11010519491231002X"
BAD_CHECKSUM = "110105194912310021"


def _errors(job):
    return {(error["row"], error["column"]): error["message"] for error in job.errors}


def test_error_report_names_rows_and_chinese_columns_and_writes_nothing(tree, worker):
    grid = tree.grids[0].code
    good = make_id_number()
    headers = ["网格编码", "姓名", "身份证号", "联系电话"]
    rows = [
        [grid, "王芳", VALID, "13812345678"],             # row 2: fine
        [grid, "李四", BAD_CHECKSUM, ""],                  # row 3: bad checksum (the service's rule)
        [grid, None, good, ""],                           # row 4: missing required name
        ["110101999999999", "张三", make_id_number(), ""],  # row 5: unknown grid code
        [grid, "王芳二", VALID, ""],                        # row 6: same ID number as row 2
        [grid, "赵六", make_id_number(), "12345"],          # row 7: bad phone
        [None, None, None, None],                         # blank row: skipped, still numbered
        [grid, "钱七", 110105194912310021.0, ""],          # row 9: Excel turned the ID into a float
        [grid, "孙八", "1101**********002X", ""],           # row 10: a masked ID from a masked export
    ]
    job = run_import(worker, "residents", data=make_xlsx(headers, rows))

    assert job.status == ImportJob.Status.FAILED
    errors = _errors(job)
    assert "校验位" in errors[(3, "身份证号")]
    assert "必填" in errors[(4, "姓名")]
    assert "110101999999999" in errors[(5, "网格编码")] and "未找到" in errors[(5, "网格编码")]
    assert "第2行" in errors[(6, "身份证号")]
    assert "手机号" in errors[(7, "联系电话")]
    assert "文本格式" in errors[(9, "身份证号")]
    assert "脱敏" in errors[(10, "身份证号")]
    assert not any(row == 2 for row, _column in errors)
    assert job.total_rows == job.processed_rows == 8
    assert (job.created_count, job.updated_count, job.unchanged_count) == (0, 0, 0)
    assert Resident.objects.count() == 0
    assert not AuditLog.objects.filter(object_type="grids.resident").exists()
    failed = AuditLog.objects.get(action="import")
    assert failed.outcome == "failure" and failed.user_id == worker.pk and failed.detail["rows_with_errors"] == 7


def test_several_errors_in_one_row_are_all_reported(tree, worker):
    job = run_import(worker, "residents", data=make_xlsx(
        ["网格编码", "姓名", "身份证号", "联系电话", "居住类型"],
        [[tree.grids[0].code, "王芳", BAD_CHECKSUM, "12345", "外星"]]))
    assert {column for row, column in _errors(job)} == {"身份证号", "联系电话", "居住类型"}


def test_grid_outside_jurisdiction_uses_the_services_rule(tree, worker):
    job = run_import(worker, "residents", data=make_xlsx(
        ["网格编码", "姓名", "身份证号"], [[tree.grids[5].code, "王芳", VALID]]))
    assert "管辖范围" in _errors(job)[(2, "网格编码")]
    assert Resident.objects.count() == 0


def test_existing_record_outside_jurisdiction_is_refused_even_if_unchanged(tree, worker):
    """No probing other grids: a matching record elsewhere is an error, never "unchanged"."""
    other = ResidentFactory(grid=tree.grids[5], name="王芳", id_number=VALID, phone="")
    job = run_import(worker, "residents", data=make_xlsx(
        ["网格编码", "姓名", "身份证号"], [[tree.grids[5].code, other.name, VALID]]))
    assert job.status == ImportJob.Status.FAILED
    assert "管辖范围" in _errors(job)[(2, "")]


def test_non_editor_job_fails_cleanly(tree, worker):
    """Rights are re-checked when the job runs (e.g. the role changed after the upload)."""
    from grids.services.imports import import_job_create, import_job_run
    from tests.grids.imports.conftest import upload

    job = import_job_create(actor=worker, register="buildings", upload=upload(make_xlsx(
        ["网格编码", "楼栋编号", "楼栋名称"], [[tree.grids[0].code, "1", "1号楼"]])))
    worker.role = "district_official"
    worker.save()
    job = import_job_run(job_id=job.pk)
    assert job.status == ImportJob.Status.FAILED and "无权" in job.errors[0]["message"]
    assert Building.objects.count() == 0


def _five_buildings(grid_code):
    return make_xlsx(["网格编码", "楼栋编号", "楼栋名称"], [[grid_code, str(n), f"{n}号楼"] for n in range(1, 6)])


@pytest.mark.parametrize("fail_on_call", [3, 5 + 3], ids=["during-validation", "during-writing"])
def test_unexpected_exception_midway_leaves_nothing_written(tree, worker, monkeypatch, fail_on_call):
    """Rows are validated (5 service calls, rolled back) then written (5 more, one transaction). A crash on
    row 3 of either pass must leave no building and no audit `create` row, and the job FAILED."""
    real = register_services.building_create
    calls = []

    def flaky(**kwargs):
        calls.append(kwargs["number"])
        if len(calls) == fail_on_call:
            raise RuntimeError("disk on fire")
        return real(**kwargs)

    monkeypatch.setattr(register_services, "building_create", flaky)
    job = run_import(worker, "buildings", data=_five_buildings(tree.grids[0].code))
    assert len(calls) == fail_on_call
    assert job.status == ImportJob.Status.FAILED
    assert job.errors[0]["row"] == 4  # row 3 of the data = Excel row 4
    assert "意外错误" in job.errors[0]["message"]
    assert Building.objects.count() == 0
    assert not AuditLog.objects.filter(action="create", object_type="grids.building").exists()
    assert (job.created_count, job.updated_count) == (0, 0)


def test_header_errors_name_the_columns(tree, worker, client_for):
    from django.urls import reverse

    from tests.grids.imports.conftest import upload

    data = make_xlsx(["网格编码", "名字", "身份证号", "爱好"], [[tree.grids[0].code, "王芳", VALID, "下棋"]])
    response = client_for(worker).post(reverse("grids:import_create", args=["residents"]), {"file": upload(data)})
    assert response.status_code == 400
    text = response.content.decode()
    assert "缺少必填列：姓名" in text
    assert "名字" in text and "爱好" in text and "无法识别的列" in text
    assert not ImportJob.objects.exists()


def test_gender_and_birth_date_must_match_the_id_number(tree, worker):
    job = run_import(worker, "residents", data=make_xlsx(
        ["网格编码", "姓名", "身份证号", "性别", "出生日期"],
        [[tree.grids[0].code, "王芳", VALID, "男", "1949-12-30"]]))
    errors = _errors(job)
    assert "不一致" in errors[(2, "性别")] and "不一致" in errors[(2, "出生日期")]
    assert Resident.objects.count() == 0


def test_a_title_row_above_the_header_is_allowed(tree, worker):
    import io

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["幸福社区楼栋登记表（2026年）"])
    sheet.append([])
    sheet.append(["网格编码", "楼栋编号", "楼栋名称"])
    sheet.append([tree.grids[0].code, "1", "1号楼"])
    sheet.append([tree.grids[0].code, "1", "重复"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    job = run_import(worker, "buildings", data=buffer.getvalue())
    errors = _errors(job)
    assert list(errors) == [(5, "楼栋编号")] and "第4行" in errors[(5, "楼栋编号")]
