"""The upload is checked before a job exists: a broken, renamed or non-Excel file, a file that is too large
or has too many rows gets a clear message and a 400 — never a 500, never a job."""

import io
import os
import zipfile

import pytest
from django.urls import reverse

from governance.models import Role
from grids.models import ImportJob
from tests.factories import make_user
from tests.grids.imports.conftest import make_xlsx, upload

pytestmark = pytest.mark.django_db

UNREADABLE = "文件无法读取，请上传.xlsx格式的Excel文件"


def _post(client, data, name="data.xlsx", register="residents"):
    return client.post(reverse("grids:import_create", args=[register]), {"file": upload(data, name)})


def _zip_without_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    return buffer.getvalue()


def _zip_with_content_types_only() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    return buffer.getvalue()


@pytest.mark.parametrize(("data", "name"), [
    (os.urandom(4096), "random.xlsx"),
    ("网格编码,姓名,身份证号\n110101001001001,王芳,11010519491231002X\n".encode(), "renamed.xlsx"),
    (b"", "empty.xlsx"),
    (_zip_without_workbook(), "archive.xlsx"),
    (_zip_with_content_types_only(), "almost.xlsx"),
    (make_xlsx(["网格编码", "姓名", "身份证号"], [["1", "2", "3"]]), "data.csv"),
], ids=["random-bytes", "csv-renamed", "empty", "zip-not-xlsx", "broken-xlsx", "csv-extension"])
def test_unreadable_files_get_a_clear_message(client_for, worker, data, name):
    response = _post(client_for(worker), data, name)
    assert response.status_code == 400
    assert UNREADABLE in response.content.decode()
    assert not ImportJob.objects.exists()


def test_oversize_file_refused(client_for, worker, settings, tree):
    settings.GONGZHI_IMPORT_MAX_BYTES = 2048
    data = make_xlsx(["网格编码", "姓名", "身份证号"], [[tree.grids[0].code, "王芳" * 200, "x"] for _ in range(50)])
    assert len(data) > 2048
    response = _post(client_for(worker), data)
    assert response.status_code == 400
    assert "文件超过" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_too_many_rows_refused(client_for, worker, settings, tree):
    settings.GONGZHI_IMPORT_MAX_ROWS = 3
    data = make_xlsx(["网格编码", "楼栋编号", "楼栋名称"], [[tree.grids[0].code, str(n), "楼"] for n in range(1, 5)])
    response = _post(client_for(worker), data, register="buildings")
    assert response.status_code == 400
    assert "数据行超过3行" in response.content.decode()
    assert not ImportJob.objects.exists()
    # Exactly the limit is fine.
    data = make_xlsx(["网格编码", "楼栋编号", "楼栋名称"], [[tree.grids[0].code, str(n), "楼"] for n in range(1, 4)])
    assert _post(client_for(worker), data, register="buildings").status_code == 302


def test_header_only_file_refused(client_for, worker):
    response = _post(client_for(worker), make_xlsx(["网格编码", "姓名", "身份证号"], []))
    assert response.status_code == 400 and "没有数据行" in response.content.decode()


def test_missing_file_is_a_form_error(client_for, worker):
    response = client_for(worker).post(reverse("grids:import_create", args=["residents"]), {})
    assert response.status_code == 400
    assert not ImportJob.objects.exists()


def test_only_editors_may_import(client_for, official, tree):
    url = reverse("grids:import_create", args=["residents"])
    assert client_for(official).get(url).status_code == 403  # may read the registers, may not change them
    data = make_xlsx(["网格编码", "姓名", "身份证号"], [[tree.grids[0].code, "王芳", "11010519491231002X"]])
    assert client_for(official).post(url, {"file": upload(data)}).status_code == 403
    assert client_for(make_user(Role.RESIDENT)).get(url).status_code == 404
    assert client_for(make_user(Role.SYSTEM_ADMIN)).get(url).status_code == 404
    assert not ImportJob.objects.exists()
