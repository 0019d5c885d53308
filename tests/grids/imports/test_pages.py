"""The import pages: who sees what, the self-refreshing job panel, the paginated error table, and a list
whose query count does not grow with the number of jobs."""

import pytest
from django.urls import reverse

from governance.models import Role
from grids.models import ImportJob
from tests.factories import make_grid_worker, make_user

pytestmark = pytest.mark.django_db


def _job(user, **fields):
    fields.setdefault("register", "residents")
    fields.setdefault("original_name", "居民.xlsx")
    return ImportJob.objects.create(scope=user.region, created_by=user, file="imports/x.xlsx", **fields)


def test_import_list_shows_only_my_jobs_newest_first(client_for, worker, tree):
    other = make_grid_worker(tree.grids[1])
    older = _job(worker, original_name="旧.xlsx")
    newer = _job(worker, original_name="新.xlsx", register="buildings")
    _job(other, original_name="别人的.xlsx")
    response = client_for(worker).get(reverse("grids:import_list"))
    assert response.status_code == 200
    text = response.content.decode()
    assert text.index("新.xlsx") < text.index("旧.xlsx")
    assert "别人的.xlsx" not in text
    assert reverse("grids:import_detail", args=[older.pk]) in text
    assert reverse("grids:import_detail", args=[newer.pk]) in text
    assert reverse("grids:import_create", args=["residents"]) in text  # editors get the import links
    assert reverse("grids:import_template", args=["organisations"]) in text


def test_import_list_query_count_is_flat(client_for, worker, count_queries):
    client = client_for(worker)
    for _ in range(2):
        _job(worker)
    url = reverse("grids:import_list")
    client.get(url)  # warm-up
    few = count_queries(lambda: client.get(url))
    for _ in range(25):
        _job(worker, status=ImportJob.Status.FAILED, errors=[{"row": 2, "column": "姓名", "message": "x"}])
    many = count_queries(lambda: client.get(url))
    assert many == few


def test_import_list_is_paginated(client_for, worker):
    for n in range(25):
        _job(worker, original_name=f"f{n:02d}.xlsx")
    client = client_for(worker)
    first = client.get(reverse("grids:import_list")).content.decode()
    second = client.get(reverse("grids:import_list"), {"page": 2}).content.decode()
    assert "f24.xlsx" in first and "f04.xlsx" not in first
    assert "f04.xlsx" in second and "f24.xlsx" not in second


def test_pages_need_register_access(client_for, worker, official):
    job = _job(worker)
    for role in (Role.RESIDENT, Role.AUDITOR, Role.SYSTEM_ADMIN):
        client = client_for(make_user(role))
        assert client.get(reverse("grids:import_list")).status_code == 404
        assert client.get(reverse("grids:import_detail", args=[job.pk])).status_code == 404
    page = client_for(official).get(reverse("grids:import_list"))
    assert page.status_code == 200  # readers see the page, but not the import links
    assert reverse("grids:import_create", args=["residents"]) not in page.content.decode()


def test_other_users_jobs_are_404(client_for, worker, tree, community_staff):
    job = _job(worker)
    assert client_for(community_staff).get(reverse("grids:import_detail", args=[job.pk])).status_code == 404
    assert client_for(make_grid_worker(tree.grids[0])).get(reverse("grids:import_detail", args=[job.pk])).status_code == 404
    assert client_for(worker).get(reverse("grids:import_detail", args=[job.pk])).status_code == 200


def test_running_job_panel_refreshes_itself(client_for, worker):
    job = _job(worker, status=ImportJob.Status.RUNNING, total_rows=200, processed_rows=50)
    client = client_for(worker)
    page = client.get(reverse("grids:import_detail", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in page
    assert f'hx-get="{reverse("grids:import_detail", args=[job.pk])}"' in page
    assert '<progress max="200" value="50"' in page
    assert "<script>" not in page and "onclick" not in page  # CSP: no inline script
    fragment = client.get(reverse("grids:import_detail", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    body = fragment.content.decode()
    assert "<html" not in body and 'id="import-job"' in body and 'hx-trigger="every 2s"' in body
    assert "HX-Request" in fragment["Vary"]


def test_finished_job_stops_polling_and_shows_counts(client_for, worker):
    job = _job(worker, status=ImportJob.Status.SUCCEEDED, total_rows=3, processed_rows=3, created_count=2,
               unchanged_count=1)
    fragment = client_for(worker).get(reverse("grids:import_detail", args=[job.pk]), HTTP_HX_REQUEST="true")
    body = fragment.content.decode()
    assert "hx-trigger" not in body
    assert '<progress max="3" value="3"' in body


def test_error_table_is_paginated(client_for, worker):
    errors = [{"row": n, "column": "身份证号", "message": f"错误{n}"} for n in range(2, 122)]
    job = _job(worker, status=ImportJob.Status.FAILED, total_rows=120, processed_rows=120, errors=errors)
    client = client_for(worker)
    first = client.get(reverse("grids:import_detail", args=[job.pk])).content.decode()
    assert "行号" in first and "列" in first and "原因" in first
    assert "错误2<" in first and "错误51<" in first and "错误52<" not in first
    third = client.get(reverse("grids:import_detail", args=[job.pk]), {"page": 3}).content.decode()
    assert "错误102<" in third and "错误121<" in third and "错误101<" not in third
