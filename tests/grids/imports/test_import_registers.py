"""Happy path of every register: rows are created through the register services, references resolve by
natural key, the job succeeds with counts and one `import` audit row naming the importer."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from governance.lib.pii import blind_index
from governance.models import AuditLog
from grids.models import Building, CareGroup, Household, HousingUnit, ImportJob, Organisation, Resident
from tests.factories import BuildingFactory, HouseholdFactory, HousingUnitFactory, make_id_number
from tests.grids.imports.conftest import credit_code, make_xlsx, run_import, table, upload

pytestmark = pytest.mark.django_db

VALID = "11010519491231002X"


def _succeeded(job, created=0, updated=0, unchanged=0):
    assert job.status == ImportJob.Status.SUCCEEDED, job.errors
    assert (job.created_count, job.updated_count, job.unchanged_count) == (created, updated, unchanged)
    assert job.processed_rows == job.total_rows == created + updated + unchanged
    assert job.errors == []


def test_buildings(tree, worker):
    grid = tree.grids[0]
    job = run_import(worker, "buildings", [
        {"网格编码": grid.code, "楼栋编号": 1, "楼栋名称": "1号楼", "类型": "住宅", "层数": 6, "地址": "幸福路1号"},
        {"网格编码": grid.code, "楼栋编号": "00002", "楼栋名称": "2号楼", "类型": "commercial", "层数": None, "地址": ""},
    ])
    _succeeded(job, created=2)
    first, second = Building.objects.order_by("number")
    assert (first.number, first.name, first.kind, first.floors, first.address) == ("00001", "1号楼", "residential", 6,
                                                                                   "幸福路1号")
    assert first.community == tree.communities[0] and first.grid == grid
    assert (second.number, second.kind, second.floors) == ("00002", "commercial", None)


def test_housing_units_resolve_the_building_within_the_grids_community(tree, worker):
    grid = tree.grids[0]
    building = BuildingFactory(grid=grid, number="00007")
    BuildingFactory(grid=tree.grids[2], number="00007")  # same number, another community: not this one
    job = run_import(worker, "housing", [
        {"网格编码": grid.code, "楼栋编号": "7", "单元": "1单元", "房号": 101, "建筑面积（平方米）": 85.5, "用途": "出租"},
        {"网格编码": grid.code, "楼栋编号": "00007", "单元": "", "房号": "102", "建筑面积（平方米）": "60", "用途": None},
    ])
    _succeeded(job, created=2)
    units = list(HousingUnit.objects.order_by("room"))
    assert [(u.building_id, u.entrance, u.room, u.area, u.usage, u.grid_id) for u in units] == [
        (building.pk, "1单元", "101", Decimal("85.50"), "rented", grid.pk),
        (building.pk, "", "102", Decimal("60.00"), "self_occupied", grid.pk),
    ]


def test_households_with_housing_by_building_entrance_and_room(tree, worker):
    grid = tree.grids[0]
    unit = HousingUnitFactory(building=BuildingFactory(grid=grid, number="00003"), entrance="2单元", room="301")
    job = run_import(worker, "households", [
        {"网格编码": grid.code, "户编号": "H001", "户类型": "常住户", "楼栋编号": "00003", "单元": "2单元", "房号": "301"},
        {"网格编码": grid.code, "户编号": "H002", "户类型": "", "楼栋编号": None, "单元": None, "房号": None},
    ])
    _succeeded(job, created=2)
    h1, h2 = Household.objects.order_by("number")
    assert (h1.grid, h1.kind, h1.housing_unit) == (grid, "resident", unit)
    assert (h2.kind, h2.housing_unit) == ("registered", None)


def test_residents_with_references_and_care_groups(tree, worker):
    grid = tree.grids[0]
    unit = HousingUnitFactory(building=BuildingFactory(grid=grid, number="00003"), entrance="1单元", room="101")
    household = HouseholdFactory(grid=grid, number="H000123")
    alone = CareGroup.objects.create(code="alone", name="独居老人")
    disabled = CareGroup.objects.create(code="disabled", name="残疾人")
    other_id = make_id_number(birth=datetime.date(1990, 5, 6), male=True)
    job = run_import(worker, "residents", [
        {"网格编码": grid.code, "姓名": " 王芳 ", "身份证号": VALID.lower(), "性别": "女",
         "出生日期": datetime.date(1949, 12, 31), "联系电话": 13812345678, "户编号": "H000123", "楼栋编号": "3",
         "单元": "1单元", "房号": "101",
         "居住类型": "常住", "政治面貌": "中共党员", "状态": "在住", "关怀对象": "独居老人、残疾人", "紧急联系人": "李明",
         "紧急联系电话": "13987654321", "备注": "需上门探访"},
        {"网格编码": grid.code, "姓名": "李强", "身份证号": other_id, "性别": None, "出生日期": "1990-05-06",
         "联系电话": None, "户编号": None, "楼栋编号": None, "单元": None, "房号": None, "居住类型": None,
         "政治面貌": "党员", "状态": None, "关怀对象": "disabled", "紧急联系人": None, "紧急联系电话": None, "备注": None},
    ])
    _succeeded(job, created=2)
    wang = Resident.objects.get(id_number_hash=blind_index(VALID))
    assert (wang.name, wang.id_number, wang.gender, str(wang.birth_date)) == ("王芳", VALID, "F", "1949-12-31")
    assert (wang.phone, wang.household, wang.housing_unit) == ("13812345678", household, unit)
    assert (wang.residence_type, wang.political_status, wang.status) == ("resident", "party_member", "active")
    assert set(wang.care_groups.all()) == {alone, disabled}
    assert (wang.emergency_contact, wang.emergency_phone, wang.notes) == ("李明", "13987654321", "需上门探访")
    li = Resident.objects.get(id_number_hash=blind_index(other_id))
    assert (li.residence_type, li.political_status, li.household) == ("registered", "party_member", None)
    assert list(li.care_groups.all()) == [disabled]


def test_organisations_by_credit_code_or_grid_and_name(tree, worker):
    grid = tree.grids[0]
    building = BuildingFactory(grid=grid, number="00012")
    code = credit_code(1)
    job = run_import(worker, "organisations", [
        {"网格编码": grid.code, "名称": "幸福便利店", "类型": "商铺", "统一社会信用代码": code.lower(), "楼栋编号": "12",
         "联系电话": "010-62345678", "从业人数": 5, "是否在营": "是"},
        {"网格编码": grid.code, "名称": "社区志愿者协会", "类型": "社会组织", "统一社会信用代码": None, "楼栋编号": None,
         "联系电话": None, "从业人数": None, "是否在营": "否"},
    ])
    _succeeded(job, created=2)
    shop = Organisation.objects.get(credit_code=code)
    assert (shop.kind, shop.building, shop.contact_phone, shop.employees, shop.is_active) == (
        "shop", building, "010-62345678", 5, True)
    club = Organisation.objects.get(name="社区志愿者协会")
    assert (club.kind, club.credit_code, club.is_active) == ("social", "", False)

    # Again, with a credit code now known for the club: matched by grid + name, updated, not duplicated.
    club_code = credit_code(2)
    job = run_import(worker, "organisations", [
        {"网格编码": grid.code, "名称": "社区志愿者协会", "类型": "社会组织", "统一社会信用代码": club_code, "是否在营": "否"},
    ])
    _succeeded(job, updated=1)
    assert Organisation.objects.count() == 2
    club.refresh_from_db()
    assert club.credit_code == club_code


def test_update_by_natural_key(tree, worker):
    grid = tree.grids[0]
    BuildingFactory(grid=grid, number="00001", name="旧名", kind="residential")
    job = run_import(worker, "buildings", [{"网格编码": grid.code, "楼栋编号": "1", "楼栋名称": "新名"}])
    _succeeded(job, updated=1)
    building = Building.objects.get()
    assert building.name == "新名" and building.kind == "residential"  # a missing optional column is left alone


def test_upload_page_end_to_end_audited_as_the_importer(tree, worker, client_for, django_capture_on_commit_callbacks):
    grid = tree.grids[0]
    data = make_xlsx(*table([{"网格编码": grid.code, "楼栋编号": "1", "楼栋名称": "1号楼"}]))
    client = client_for(worker)
    assert client.get(reverse("grids:import_create", args=["buildings"])).status_code == 200
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("grids:import_create", args=["buildings"]), {"file": upload(data, "楼栋.xlsx")})
    assert len(callbacks) == 1  # the task was enqueued after commit (and ran eagerly)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("grids:import_detail", args=[job.pk])
    assert (job.register, job.original_name, job.scope, job.created_by) == ("buildings", "楼栋.xlsx", grid, worker)
    assert job.status == ImportJob.Status.SUCCEEDED and job.created_count == 1
    assert not job.file  # the upload (personal data) is deleted once the job is finished
    created = AuditLog.objects.get(action="create", object_type="grids.building")
    assert created.user_id == worker.pk
    imported = AuditLog.objects.get(action="import")
    assert imported.user_id == worker.pk and imported.outcome == "success"
    assert imported.detail["register"] == "buildings"
    assert (imported.detail["created"], imported.detail["updated"], imported.detail["unchanged"]) == (1, 0, 0)
    page = client.get(reverse("grids:import_detail", args=[job.pk]))
    assert page.status_code == 200 and "<progress" in page.content.decode()
