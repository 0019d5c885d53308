import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from governance.models import Role
from grids.imports.columns import GRID, ID_NUMBER, PHONE
from grids.imports.registers import REGISTERS
from grids.models import Building, Household, HousingUnit, Organisation, Resident
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _template(client, register):
    response = client.get(reverse("grids:import_template", args=[register]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert "attachment" in response["Content-Disposition"]
    return load_workbook(io.BytesIO(response.content))


def test_resident_template_has_chinese_headers_text_id_column_and_instructions(client_for, worker):
    workbook = _template(client_for(worker), "residents")
    sheet = workbook.worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    assert headers[:3] == ["网格编码", "姓名", "身份证号"]
    assert "联系电话" in headers and "关怀对象" in headers
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    for header in ("身份证号", "联系电话", "紧急联系电话", "网格编码"):
        letter = sheet.cell(row=1, column=headers.index(header) + 1).column_letter
        # Both the column style and the pre-formatted cells are text, so Excel keeps all 18 digits.
        assert sheet.column_dimensions[letter].number_format == "@"
        assert sheet[f"{letter}2"].number_format == "@"
        assert sheet[f"{letter}500"].number_format == "@"
    name_letter = sheet.cell(row=1, column=headers.index("姓名") + 1).column_letter
    assert sheet[f"{name_letter}2"].number_format == "General"

    assert workbook.sheetnames[1] == "说明"
    notes = [[cell.value for cell in row] for row in workbook["说明"].iter_rows()]
    assert notes[0][:7] == ["列名", "英文键", "必填", "类型", "说明", "可选值", "示例"]
    by_header = {row[0]: row for row in notes[1:] if row[0]}
    assert by_header["身份证号"][1] == "id_number" and by_header["身份证号"][2] == "是"
    assert by_header["身份证号"][6] == "11010519491231002X"
    assert "户籍" in by_header["居住类型"][5] and "流动" in by_header["居住类型"][5]


@pytest.mark.parametrize("register", list(REGISTERS))
def test_every_register_has_a_template_with_its_spec_headers(client_for, worker, register):
    spec = REGISTERS[register]
    sheet = _template(client_for(worker), register).worksheets[0]
    assert [cell.value for cell in sheet[1]] == [column.header for column in spec.columns]
    for index, column in enumerate(spec.columns, start=1):
        if column.kind in (ID_NUMBER, PHONE, GRID):
            assert sheet.cell(row=2, column=index).number_format == "@"


def test_choice_codes_match_the_models():
    """The spec's choice codes are exactly the models' values (a renamed choice must fail here)."""
    expected = {
        ("residents", "residence_type"): Resident.ResidenceType.values,
        ("residents", "political_status"): Resident.PoliticalStatus.values,
        ("residents", "status"): Resident.Status.values,
        ("residents", "gender"): Resident.Gender.values,
        ("households", "kind"): Household.Kind.values,
        ("buildings", "kind"): Building.Kind.values,
        ("housing", "usage"): HousingUnit.Usage.values,
        ("organisations", "kind"): Organisation.Kind.values,
    }
    for (register, key), values in expected.items():
        assert [code for code, _label in REGISTERS[register].column(key).choices] == values


def test_template_needs_register_access(client_for, tree):
    resident = make_user(Role.RESIDENT)
    response = client_for(resident).get(reverse("grids:import_template", args=["residents"]))
    assert response.status_code == 404


def test_unknown_register_is_404(client_for, worker):
    assert client_for(worker).get(reverse("grids:import_template", args=["pets"])).status_code == 404
