"""Cell parsing: what Excel really hands over (numbers for IDs, dates as cells or text, labels or codes)."""

import datetime
from decimal import Decimal

import pytest

from grids.imports import columns as c
from grids.imports.cells import CellError, parse_cell
from grids.imports.registers import REGISTERS

ID = REGISTERS["residents"].column("id_number")
PHONE = REGISTERS["residents"].column("phone")
BIRTH = REGISTERS["residents"].column("birth_date")
RESIDENCE = REGISTERS["residents"].column("residence_type")
CARE = REGISTERS["residents"].column("care_groups")
AREA = REGISTERS["housing"].column("area")
FLOORS = REGISTERS["buildings"].column("floors")
BUILDING_NUMBER = REGISTERS["buildings"].column("number")
ACTIVE = REGISTERS["organisations"].column("is_active")
NAME = REGISTERS["residents"].column("name")
GRID = REGISTERS["residents"].column("grid")


@pytest.mark.parametrize(("column", "raw", "expected"), [
    (ID, " 11010519491231002x ", "11010519491231002X"),
    (ID, 110105194912310021, "110105194912310021"),       # a whole number cell: its digits
    (PHONE, 13812345678, "13812345678"),
    (PHONE, 13812345678.0, "13812345678"),                # exact as a float below 10^15
    (PHONE, "+86 138 1234 5678", "13812345678"),
    (GRID, 110101001001001, "110101001001001"),
    (BIRTH, datetime.datetime(1990, 5, 6), datetime.date(1990, 5, 6)),
    (BIRTH, "1990-05-06", datetime.date(1990, 5, 6)),
    (BIRTH, "1990/5/6", datetime.date(1990, 5, 6)),
    (RESIDENCE, "流动", "floating"),
    (RESIDENCE, "FLOATING", "floating"),
    (RESIDENCE, "流动人口", "floating"),
    (CARE, "独居老人、残疾人,低保户，失独", ["独居老人", "残疾人", "低保户", "失独"]),
    (AREA, 85.5, Decimal("85.5")),
    (AREA, "60", Decimal("60")),
    (FLOORS, 6.0, 6),
    (FLOORS, "12", 12),
    (BUILDING_NUMBER, 12, "00012"),
    (ACTIVE, "否", False),
    (ACTIVE, True, True),
    (NAME, "  王芳\x00 ", "王芳"),
    (NAME, "'=HYPERLINK(1)", "=HYPERLINK(1)"),             # our own export's neutralising quote comes off
    (NAME, "'普通引号", "'普通引号"),
    (NAME, "   ", None),
    (NAME, None, None),
])
def test_parse(column, raw, expected):
    assert parse_cell(column, raw) == expected


@pytest.mark.parametrize(("column", "raw", "fragment"), [
    (ID, 1.10105194912310e17, "文本格式"),                # Excel's scientific notation: digits are lost
    (ID, "1101**********002X", "脱敏"),
    (PHONE, "138****5678", "脱敏"),
    (GRID, "11010100100", "15位"),
    (BIRTH, "06/05/1990", "YYYY-MM-DD"),
    (BIRTH, "1990-02-30", "YYYY-MM-DD"),
    (RESIDENCE, "外星", "可选"),
    (AREA, "八十", "数字"),
    (FLOORS, 6.5, "整数"),
    (ACTIVE, "也许", "是"),
])
def test_parse_errors(column, raw, fragment):
    with pytest.raises(CellError) as exc:
        parse_cell(column, raw)
    assert fragment in exc.value.message


def test_every_text_formatted_kind_is_marked():
    for spec in REGISTERS.values():
        for column in spec.columns:
            assert column.as_text == (column.kind in c.TEXT_FORMAT_KINDS)
            assert column.header and column.key and column.kind in c.KIND_LABELS
