"""Reading an uploaded workbook and writing the template and the exports. No ORM here.

Reading is defensive: the upload must be a real .xlsx (a zip whose declared content is bounded, opened by
openpyxl in read_only mode); anything else is a WorkbookError with a message for the user, never a 500.
Writing uses write-only workbooks, one row at a time; every text cell is neutralised against formula
injection, and ID, phone and code columns are text cells ("@") so Excel keeps every digit.
"""

import io
import os
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from governance.lib.exceptions import InvalidInput
from grids.imports import columns as c
from grids.imports.cells import FORMULA_PREFIXES, is_blank

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
INSTRUCTIONS_SHEET = "说明"
MAX_HEADER_COLUMNS = 200
HEADER_SEARCH_ROWS = 5
TEMPLATE_TEXT_ROWS = 1000  # empty rows pre-formatted as text in the template
# A zip bomb guard: the declared uncompressed size of all parts (zipfile enforces the declared sizes).
MAX_UNCOMPRESSED_FACTOR = 20
MIN_UNCOMPRESSED_LIMIT = 100 * 1024 * 1024
_HEADER_NOISE = re.compile(r"[\s*＊]|[（(]必填[)）]")
_BOLD = Font(bold=True)
_REQUIRED = Font(bold=True, color="9C0006")
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_WRAP = Alignment(wrap_text=True, vertical="top")


class WorkbookError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def unreadable_message() -> str:
    return _("The file could not be read; upload an .xlsx file. 文件无法读取，请上传.xlsx格式的Excel文件。")


def too_large_message(max_bytes: int) -> str:
    return _("The file is larger than %(mb)s MB; split it into smaller files. 文件超过%(mb)s MB，请拆分后上传。") % {
        "mb": f"{max_bytes / 1024 / 1024:g}"}


def read_upload(file) -> bytes:
    """The bytes of an uploaded .xlsx (or bytes as they are), refused with a clear message when it is larger than
    GONGZHI_IMPORT_MAX_BYTES or not named .xlsx (its content is checked by read_workbook)."""
    max_bytes = settings.GONGZHI_IMPORT_MAX_BYTES
    if isinstance(file, bytes | bytearray):
        return bytes(file)
    name = os.path.basename(getattr(file, "name", "") or "")
    size = getattr(file, "size", None)
    if size is not None and size > max_bytes:
        raise InvalidInput(too_large_message(max_bytes))
    if name and not name.lower().endswith(".xlsx"):
        raise InvalidInput(unreadable_message())
    return file.read(max_bytes + 1)


# --- reading ------------------------------------------------------------------------------------------

@dataclass
class SheetData:
    columns: list[c.Column | None]  # by position; None for a column with an empty header (ignored)
    rows: list[tuple[int, tuple]]  # (Excel row number, cell values), blank rows left out

    @property
    def present(self) -> set[str]:
        return {column.key for column in self.columns if column is not None}


def _normalise_header(value) -> str:
    return _HEADER_NOISE.sub("", str(value)) if value is not None else ""


def match_header(values: Sequence, columns: Sequence[c.Column]) -> list[c.Column | None]:
    """Map the header row onto the spec; raise WorkbookError naming missing, unknown and repeated columns."""
    lookup: dict[str, c.Column] = {}
    for column in columns:
        for name in (column.header, *column.header_aliases):
            lookup[_normalise_header(name)] = column
        lookup[column.key.lower()] = column
    mapped: list[c.Column | None] = []
    unknown, repeated, seen = [], [], set()
    for value in values:
        text = _normalise_header(value)
        if not text:
            mapped.append(None)
            continue
        column = lookup.get(text) or lookup.get(text.lower())
        if column is None:
            unknown.append(str(value).strip())
            mapped.append(None)
        elif column.key in seen:
            repeated.append(column.header)
            mapped.append(None)
        else:
            seen.add(column.key)
            mapped.append(column)
    missing = [column.header for column in columns if column.required and column.key not in seen]
    problems = []
    if missing:
        problems.append(_("Missing required columns: %(names)s. 缺少必填列：%(names)s。") % {"names": "、".join(missing)})
    if unknown:
        problems.append(_("Unknown columns: %(names)s (use the template's headers). "
                          "无法识别的列：%(names)s（请使用模板的表头）。") % {"names": "、".join(unknown[:20])})
    if repeated:
        problems.append(_("Columns appear twice: %(names)s. 重复的列：%(names)s。") % {"names": "、".join(repeated)})
    if problems:
        raise WorkbookError(" ".join(problems))
    while mapped and mapped[-1] is None:
        mapped.pop()
    return mapped


def _find_header(sheet, columns) -> tuple[int, list[c.Column | None]]:
    """The header is row 1, or the first of the top HEADER_SEARCH_ROWS rows that has every required column
    (rosters often carry a title such as "XX社区居民花名册" above it). Otherwise row 1's problems are reported."""
    first_error = None
    top = sheet.iter_rows(min_row=1, max_row=HEADER_SEARCH_ROWS, max_col=MAX_HEADER_COLUMNS, values_only=True)
    for number, values in enumerate(top, start=1):
        try:
            return number, match_header(values, columns)
        except WorkbookError as exc:
            first_error = first_error or exc
    raise first_error or WorkbookError(_("The file has no header row. 文件没有表头。"))


def _check_zip(data: bytes, max_bytes: int) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            declared = sum(info.file_size for info in archive.infolist())
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise WorkbookError(unreadable_message()) from None
    if "[Content_Types].xml" not in names:
        raise WorkbookError(unreadable_message())
    if declared > max(MIN_UNCOMPRESSED_LIMIT, MAX_UNCOMPRESSED_FACTOR * max_bytes):
        raise WorkbookError(_("The file is too large once unpacked. 文件解压后过大，请拆分后上传。"))


def read_workbook(data: bytes, columns: Sequence[c.Column], *, max_rows: int, max_bytes: int) -> SheetData:
    """Open an upload and check its size, format, header and row count. Raises WorkbookError."""
    if len(data) > max_bytes:
        raise WorkbookError(too_large_message(max_bytes))
    if not data:
        raise WorkbookError(unreadable_message())
    _check_zip(data, max_bytes)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any failure to parse is the same answer for the user
        raise WorkbookError(unreadable_message()) from None
    try:
        sheets = [ws for ws in workbook.worksheets if ws.title != INSTRUCTIONS_SHEET]
        if not sheets:
            raise WorkbookError(unreadable_message())
        sheet = sheets[0]
        header_row, mapped = _find_header(sheet, columns)
        rows: list[tuple[int, tuple]] = []
        width = len(mapped)
        first = header_row + 1
        for number, values in enumerate(sheet.iter_rows(min_row=first, max_col=width, values_only=True), start=first):
            if all(is_blank(value) for value, column in zip(values, mapped, strict=False) if column is not None):
                continue
            if len(rows) >= max_rows:
                raise WorkbookError(_("The file has more than %(max)d data rows; split it into smaller files. "
                                      "数据行超过%(max)d行，请拆分后上传。") % {"max": max_rows})
            rows.append((number, tuple(values)))
        if not rows:
            raise WorkbookError(_("The file has no data rows below the header. 文件中没有数据行。"))
        return SheetData(columns=mapped, rows=rows)
    except WorkbookError:
        raise
    except Exception:  # noqa: BLE001 - a corrupt sheet part: same answer as an unreadable file
        raise WorkbookError(unreadable_message()) from None
    finally:
        workbook.close()


# --- writing ------------------------------------------------------------------------------------------

def safe_text(value: str) -> str:
    """Text a spreadsheet will not run as a formula: = + - @ tab CR at the start get a leading quote."""
    text = "".join(ch for ch in value if ch in "\t\n\r" or ord(ch) >= 32)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _cell(ws, value, *, column: c.Column | None = None, font=None, text=False, wrap=False):
    if isinstance(value, str):
        value = safe_text(value)
    cell = WriteOnlyCell(ws, value=value)
    if text or (column is not None and column.as_text):
        cell.number_format = "@"
    elif column is not None and column.kind == c.DATE:
        cell.number_format = "yyyy-mm-dd"
    if font is not None:
        cell.font = font
    if wrap:
        cell.alignment = _WRAP
    return cell


def _width(column: c.Column) -> float:
    longest = max(len(column.header) * 2, len(column.example) + 2, 10)
    if column.kind == c.ID_NUMBER:
        longest = 22
    return min(longest + 2, 40)


def _data_sheet(workbook, columns: Sequence[c.Column], title: str):
    ws = workbook.create_sheet(title=title)
    for index, column in enumerate(columns, start=1):
        dimension = ws.column_dimensions[get_column_letter(index)]
        dimension.width = _width(column)
        if column.as_text:
            dimension.number_format = "@"  # new cells typed into this column stay text
    ws.freeze_panes = "A2"
    ws.append([_cell(ws, column.header, font=_REQUIRED if column.required else _BOLD, text=True)
               for column in columns])
    return ws


def _instructions_sheet(workbook, columns: Sequence[c.Column], title: str) -> None:
    ws = workbook.create_sheet(title=INSTRUCTIONS_SHEET)
    for letter, width in zip("ABCDEFG", (18, 18, 8, 26, 60, 36, 24), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    ws.append([_cell(ws, text, font=_BOLD) for text in ("列名", "英文键", "必填", "类型", "说明", "可选值", "示例")])
    for column in columns:
        ws.append([
            _cell(ws, column.header, font=_BOLD), _cell(ws, column.key), _cell(ws, "是" if column.required else "否"),
            _cell(ws, column.kind_label), _cell(ws, column.help, wrap=True), _cell(ws, column.allowed_text(), wrap=True),
            _cell(ws, column.example, text=True),
        ])
    ws.append([])
    notes = (
        f"填写说明：在“{title}”工作表中，第一行是表头，请勿修改；从第二行起每行一条记录，可删除不用的选填列。",
        "整个文件中只要有一行有错误，就不会导入任何数据；请按错误报告（行号、列、原因）修改后重新上传。",
        "已登记的记录按唯一标识（见各列说明）识别并更新；内容相同的记录保持不变，可重复导入同一文件。",
        "身份证号、电话、编码等列已设为文本格式，请勿改为数字格式，否则Excel会丢失后几位（如显示为1.1E+17）。",
        "导出文件与模板表头相同，可修改后重新导入；脱敏导出（含*）中的身份证号和电话无法导入。",
    )
    for note in notes:
        ws.append([_cell(ws, note)])


def template_workbook(columns: Sequence[c.Column], title: str) -> bytes:
    workbook = Workbook(write_only=True)
    ws = _data_sheet(workbook, columns, title)
    last_row = TEMPLATE_TEXT_ROWS + 1
    for index, column in enumerate(columns, start=1):
        if column.kind in (c.CHOICE, c.BOOL):
            labels = [label for _code, label in column.choices] if column.kind == c.CHOICE else ["是", "否"]
            validation = DataValidation(type="list", formula1='"' + ",".join(labels) + '"', allow_blank=True)
            letter = get_column_letter(index)
            validation.add(f"{letter}2:{letter}{last_row}")
            ws.data_validations.append(validation)
    text_columns = [column.as_text for column in columns]
    for _row in range(TEMPLATE_TEXT_ROWS):
        ws.append([_cell(ws, None, text=True) if is_text else None for is_text in text_columns])
    _instructions_sheet(workbook, columns, title)
    return _save(workbook)


def export_workbook(columns: Sequence[c.Column], title: str, rows: Iterable[dict]) -> tuple[bytes, int]:
    """rows: dicts keyed by column key. Returns (xlsx bytes, number of data rows)."""
    workbook = Workbook(write_only=True)
    ws = _data_sheet(workbook, columns, title)
    count = 0
    for values in rows:
        ws.append([_cell(ws, values.get(column.key), column=column) for column in columns])
        count += 1
    _instructions_sheet(workbook, columns, title)
    return _save(workbook), count


def _save(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
