"""One Excel cell -> one Python value, by column kind. No ORM here.

Rules (what officials actually hand you):
- text is stripped; control characters are dropped; a leading ' in front of = + - @ (our own formula
  neutralisation on export) is removed, so an export imports back unchanged;
- ID numbers, phones and codes are read as text even when Excel stored them as numbers: a whole number
  becomes its digits, but a float such as 1.10105E+17 has already lost digits and is refused;
- dates come from Excel date cells or "YYYY-MM-DD" text;
- choices accept the Chinese label, the code (any case) and a few common aliases.
Business rules (checksums, formats, uniqueness, jurisdiction) are NOT here: the register services own them.
"""

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from grids.imports import columns as c

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Largest integer a spreadsheet float keeps exactly (Excel keeps 15 significant digits).
_EXACT_FLOAT_LIMIT = 10**15
_DATE_RE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_DIGITS_RE = re.compile(r"^\d+$")
CARE_GROUP_SEPARATORS = re.compile(r"[、,，;；\n]+")


class CellError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def clean_text(value: str) -> str:
    text = "".join(ch for ch in value if ch in "\t\n" or ord(ch) >= 32).strip()
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@":
        text = text[1:]
    return text


def _number_as_text(value) -> str:
    """A number cell in a text column (ID, phone, code)."""
    if isinstance(value, bool):
        raise CellError(_("Enter text here, not TRUE/FALSE. 此处应填写文本。"))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < _EXACT_FLOAT_LIMIT:
        return str(int(value))
    raise CellError(_("Excel stored this number as a number (e.g. 1.10105E+17) and its last digits are lost; "
                      "format the column as text and type the full number again. "
                      "该号码被Excel存成了数字，后几位已丢失，请将此列设为文本格式后重新填写完整号码。"))


def _as_text(value) -> str:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time.min else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, datetime.time):
        return value.isoformat()
    return clean_text(str(value))


def _code_text(value) -> str:
    return clean_text(value) if isinstance(value, str) else _number_as_text(value)


def _not_masked(text: str) -> str:
    if "*" in text:
        raise CellError(_("This value is masked (contains *) and cannot be imported; enter the full value or use "
                          "an export with full ID numbers. 该值已脱敏（含*），无法导入，请填写完整号码。"))
    return text


def _parse_choice(column: c.Column, value) -> str:
    text = _as_text(value)
    lookup = {}
    for code, label in column.choices:
        lookup[label] = code
        lookup[code.lower()] = code
    for alias, code in column.aliases:
        lookup[alias.lower()] = code
    code = lookup.get(text) or lookup.get(text.lower())
    if code is None:
        raise CellError(_("Unknown value “%(value)s”; allowed: %(allowed)s. 不是可选值，可选：%(allowed)s。")
                        % {"value": text[:50], "allowed": column.allowed_text()})
    return code


def _parse_int(value) -> int:
    if isinstance(value, bool):
        raise CellError(_("Enter a whole number. 请填写整数。"))
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = _as_text(value)
    if _DIGITS_RE.match(text):
        return int(text)
    raise CellError(_("Enter a whole number. 请填写整数。"))


def _parse_decimal(value) -> Decimal:
    if isinstance(value, bool):
        raise CellError(_("Enter a number. 请填写数字。"))
    if isinstance(value, int | float):
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    try:
        number = Decimal(_as_text(value))
    except InvalidOperation:
        raise CellError(_("Enter a number. 请填写数字。")) from None
    if not number.is_finite():
        raise CellError(_("Enter a number. 请填写数字。"))
    return number


def _parse_date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    match = _DATE_RE.match(_as_text(value)) if isinstance(value, str) else None
    if match:
        try:
            return datetime.date(*(int(part) for part in match.groups()))
        except ValueError:
            pass
    raise CellError(_("Enter a date as YYYY-MM-DD (or an Excel date). 日期格式应为YYYY-MM-DD。"))


def _parse_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    text = _as_text(value).lower()
    if text in c.BOOL_TRUE:
        return True
    if text in c.BOOL_FALSE:
        return False
    raise CellError(_("Enter 是 (yes) or 否 (no). 请填写“是”或“否”。"))


def _parse_grid_code(value) -> str:
    text = _code_text(value)
    if not (_DIGITS_RE.match(text) and len(text) in (15, 18)):
        raise CellError(_("A grid code has 15 digits (18 for a micro-grid). 网格编码应为15位数字（微网格为18位）。"))
    return text


def _parse_building_number(value) -> str:
    text = _code_text(value)
    return text.zfill(5) if _DIGITS_RE.match(text) and len(text) < 5 else text


def _parse_care_groups(value) -> list[str]:
    return [name.strip() for name in CARE_GROUP_SEPARATORS.split(_as_text(value)) if name.strip()]


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not clean_text(value))


def parse_cell(column: c.Column, value):
    """The Python value of one cell, or None when it is blank. Raises CellError with a bilingual message."""
    if is_blank(value):
        return None
    kind = column.kind
    if kind == c.ID_NUMBER:
        from governance.lib.pii import normalize_id_number

        return normalize_id_number(_not_masked(_code_text(value)))
    if kind == c.PHONE:
        from governance.lib.pii import normalize_phone

        return normalize_phone(_not_masked(_code_text(value)))
    if kind == c.DIGITS:
        return _code_text(value)
    if kind == c.GRID:
        return _parse_grid_code(value)
    if kind == c.BUILDING:
        return _parse_building_number(value)
    if kind == c.CHOICE:
        return _parse_choice(column, value)
    if kind == c.INT:
        return _parse_int(value)
    if kind == c.DECIMAL:
        return _parse_decimal(value)
    if kind == c.DATE:
        return _parse_date(value)
    if kind == c.BOOL:
        return _parse_bool(value)
    if kind == c.CARE_GROUPS:
        return _parse_care_groups(value) or None
    return _as_text(value)
