"""Export: scoped to the jurisdiction, the list page's filters, masked by default, full values for editors
only, audited without values, formula injection neutralised, ID/phone as text cells, importable again."""

import pytest
from django.urls import reverse

from governance.models import AuditLog, Role
from grids.models import CareGroup, ImportJob, Resident
from tests.factories import (
    BuildingFactory,
    HouseholdFactory,
    HousingUnitFactory,
    OrganisationFactory,
    ResidentFactory,
    make_user,
)
from tests.grids.imports.conftest import read_sheet, run_import, sheet_rows

pytestmark = pytest.mark.django_db

VALID = "11010519491231002X"


def _export(client, register="residents", **params):
    return client.get(reverse("grids:register_export", args=[register]), params)


def _by_header(data):
    rows = sheet_rows(data)
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_export_is_scoped_to_the_community(tree, client_for, community_staff):
    mine = [ResidentFactory(grid=tree.grids[0]), ResidentFactory(grid=tree.grids[1])]
    ResidentFactory(grid=tree.grids[2])  # another community
    ResidentFactory(grid=tree.grids[5])  # another street
    response = _export(client_for(community_staff))
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]
    rows = _by_header(response.content)
    assert sorted(row["姓名"] for row in rows) == sorted(r.name for r in mine)
    assert {row["网格编码"] for row in rows} == {tree.grids[0].code, tree.grids[1].code}


def test_export_masks_id_numbers_and_phones_by_default(tree, client_for, community_staff):
    ResidentFactory(grid=tree.grids[0], name="王芳", id_number=VALID, phone="13812345678",
                    emergency_phone="13987654321")
    response = _export(client_for(community_staff))
    row = _by_header(response.content)[0]
    assert row["身份证号"] == "1101**********002X"
    assert row["联系电话"] == "138****5678" and row["紧急联系电话"] == "139****4321"
    assert VALID.encode() not in response.content
    audit = AuditLog.objects.get(action="export")
    assert audit.user_id == community_staff.pk and audit.object_type == "grids.resident"
    assert audit.detail == {"register": "residents", "rows": 1, "unmasked": False, "filters": {}}


def test_unmasked_export_for_editors_with_text_cells(tree, client_for, community_staff):
    ResidentFactory(grid=tree.grids[0], name="王芳", id_number=VALID, phone="13812345678")
    response = _export(client_for(community_staff), unmasked="1")
    assert response.status_code == 200
    sheet = read_sheet(response.content)
    headers = [cell.value for cell in sheet[1]]
    id_cell = sheet.cell(row=2, column=headers.index("身份证号") + 1)
    phone_cell = sheet.cell(row=2, column=headers.index("联系电话") + 1)
    assert (id_cell.value, id_cell.data_type, id_cell.number_format) == (VALID, "s", "@")
    assert (phone_cell.value, phone_cell.data_type, phone_cell.number_format) == ("13812345678", "s", "@")
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.b
    audit = AuditLog.objects.get(action="export")
    assert audit.detail["unmasked"] is True and audit.detail["rows"] == 1
    assert VALID not in str(audit.detail) and "13812345678" not in str(audit.detail)


def test_unmasked_export_refused_to_readers_and_audited(tree, client_for, official):
    ResidentFactory(grid=tree.grids[0], id_number=VALID)
    response = _export(client_for(official), unmasked="1")
    assert response.status_code == 403
    denied = AuditLog.objects.get(action="export")
    assert denied.outcome == "denied" and denied.detail["unmasked"] is True
    masked = _export(client_for(official))  # the masked export is fine for a reader
    assert masked.status_code == 200 and VALID.encode() not in masked.content


def test_export_needs_register_access(tree, client_for):
    assert _export(client_for(make_user(Role.RESIDENT))).status_code == 404
    assert _export(client_for(make_user(Role.AUDITOR))).status_code == 404
    assert not AuditLog.objects.filter(action="export").exists()


def test_export_honours_the_list_filters(tree, client_for, community_staff):
    ResidentFactory(grid=tree.grids[0], name="王芳", residence_type="floating")
    ResidentFactory(grid=tree.grids[1], name="李四", residence_type="registered")
    ResidentFactory(grid=tree.grids[1], name="王五", residence_type="floating", id_number=VALID)
    client = client_for(community_staff)
    rows = _by_header(_export(client, region=tree.grids[1].pk).content)
    assert sorted(row["姓名"] for row in rows) == ["李四", "王五"]
    rows = _by_header(_export(client, residence_type="floating", q="王", page=3).content)
    assert sorted(row["姓名"] for row in rows) == ["王五", "王芳"]
    rows = _by_header(_export(client, q=VALID).content)
    assert [row["姓名"] for row in rows] == ["王五"]
    details = [row.detail for row in AuditLog.objects.filter(action="export").order_by("id")]
    assert details[0]["filters"] == {"region": tree.grids[1].pk}
    assert details[1]["filters"] == {"residence_type": "floating", "q": "王"}
    assert details[2]["filters"] == {"q": "1101**********002X"}  # an ID number searched for is masked


def test_export_with_a_region_outside_the_jurisdiction_is_refused(tree, client_for, community_staff):
    response = _export(client_for(community_staff), region=tree.grids[5].pk)
    assert response.status_code == 400
    assert not AuditLog.objects.filter(action="export").exists()


def test_formula_injection_is_neutralised(tree, client_for, community_staff):
    ResidentFactory(grid=tree.grids[0], name='=HYPERLINK("http://evil.example","点我")', notes="+cmd|' /C calc'!A0",
                    relation_to_head="@SUM(1)", emergency_contact="-2+3")
    response = _export(client_for(community_staff))
    sheet = read_sheet(response.content)
    headers = [cell.value for cell in sheet[1]]
    for header, expected in (("姓名", '\'=HYPERLINK("http://evil.example","点我")'), ("备注", "'+cmd|' /C calc'!A0"),
                             ("与户主关系", "'@SUM(1)"), ("紧急联系人", "'-2+3")):
        cell = sheet.cell(row=2, column=headers.index(header) + 1)
        assert cell.data_type == "s" and cell.value == expected
    assert b"<f>" not in response.content  # no formula anywhere in the workbook


def test_round_trip_unmasked_export_imports_back_unchanged(tree, client_for, community_staff):
    grid = tree.grids[0]
    unit = HousingUnitFactory(building=BuildingFactory(grid=grid, number="00003"), entrance="1单元", room="101")
    household = HouseholdFactory(grid=grid, number="0012", housing_unit=unit)
    group = CareGroup.objects.create(code="alone", name="独居老人")
    first = ResidentFactory(grid=grid, name='=HYPERLINK("x")', id_number=VALID, phone="13812345678",
                            household=household, housing_unit=unit, residence_type="floating", notes="-负数开头")
    first.care_groups.add(group)
    ResidentFactory(grid=tree.grids[1], phone="", political_status="party_member", status="moved_out")
    client = client_for(community_staff)
    marker = AuditLog.objects.order_by("-id").first().pk
    for register in ("residents", "households", "buildings", "housing"):
        exported = _export(client, register, unmasked="1")
        stamps = dict(Resident.objects.values_list("pk", "updated_at"))
        job = run_import(community_staff, register, data=exported.content)
        assert job.status == ImportJob.Status.SUCCEEDED, (register, job.errors)
        assert job.created_count == job.updated_count == 0 and job.unchanged_count == job.total_rows > 0
        assert dict(Resident.objects.values_list("pk", "updated_at")) == stamps
    assert not AuditLog.objects.filter(pk__gt=marker, action="update").exists()


def test_round_trip_organisations(tree, client_for, community_staff):
    from tests.grids.imports.conftest import credit_code

    OrganisationFactory(grid=tree.grids[0], name="店", credit_code=credit_code(3), contact_phone="010-62345678",
                        employees=4, building=BuildingFactory(grid=tree.grids[0], number="00001"))
    OrganisationFactory(grid=tree.grids[1], name="会", is_active=False)
    exported = _export(client_for(community_staff), "organisations", unmasked="1")
    job = run_import(community_staff, "organisations", data=exported.content)
    assert (job.status, job.unchanged_count, job.total_rows) == (ImportJob.Status.SUCCEEDED, 2, 2), job.errors


def test_masked_export_cannot_be_imported_by_mistake(tree, client_for, community_staff):
    ResidentFactory(grid=tree.grids[0], id_number=VALID)
    exported = _export(client_for(community_staff))
    job = run_import(community_staff, "residents", data=exported.content)
    assert job.status == ImportJob.Status.FAILED
    assert "脱敏" in job.errors[0]["message"] and job.errors[0]["column"] == "身份证号"


@pytest.mark.parametrize("register", ["households", "buildings", "housing", "organisations"])
def test_every_register_exports_with_template_headers(tree, client_for, community_staff, register):
    from grids.imports.registers import REGISTERS

    HousingUnitFactory(building=BuildingFactory(grid=tree.grids[0]))
    HouseholdFactory(grid=tree.grids[0])
    OrganisationFactory(grid=tree.grids[0])
    response = _export(client_for(community_staff), register)
    rows = sheet_rows(response.content)
    assert rows[0] == [column.header for column in REGISTERS[register].columns]
    assert len(rows) == 2
