"""Helpers for the import/export tests: workbooks built in memory, uploads, and a few ready accounts."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from governance.lib.codes import credit_code_check_char
from governance.models import Role
from grids.models import ImportJob
from grids.services.imports import import_job_create, import_job_run
from tests.factories import make_grid_worker, make_user

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def make_xlsx(headers, rows, *, title="Sheet1") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def table(records: list[dict]) -> tuple[list[str], list[list]]:
    """Rows given as {header: value} dicts -> (headers, rows) in first-seen header order."""
    headers: list[str] = []
    for record in records:
        headers += [name for name in record if name not in headers]
    return headers, [[record.get(name) for name in headers] for record in records]


def upload(data: bytes, name: str = "data.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=XLSX)


def run_import(user, register: str, records: list[dict] | None = None, *, data: bytes | None = None) -> ImportJob:
    """Create the job through the upload service and run it (the on-commit enqueue does not fire in tests)."""
    if data is None:
        data = make_xlsx(*table(records))
    job = import_job_create(actor=user, register=register, upload=upload(data))
    return import_job_run(job_id=job.pk)


def read_sheet(data: bytes, index: int = 0):
    workbook = load_workbook(io.BytesIO(data))
    return workbook.worksheets[index]


def sheet_rows(data: bytes) -> list[list]:
    return [list(row) for row in read_sheet(data).iter_rows(values_only=True)]


def credit_code(n: int) -> str:
    first17 = f"91110105MA{n:07d}"
    return first17 + credit_code_check_char(first17)


@pytest.fixture
def worker(tree):
    """A grid worker (register editor) of tree.grids[0]."""
    return make_grid_worker(tree.grids[0])


@pytest.fixture
def community_staff(tree):
    """Community staff (editor) of tree.communities[0], which holds grids[0] and grids[1]."""
    return make_user(Role.COMMUNITY_STAFF, region=tree.communities[0])


@pytest.fixture
def official(tree):
    """A district official: may read the registers, may not edit them."""
    return make_user(Role.DISTRICT_OFFICIAL, region=tree.district)
