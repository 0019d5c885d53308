"""The audit log: written for every write with actor and address, append-only, read by the auditor only."""

import csv
import datetime
import io

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from governance.lib.request_context import Actor, reset_actor, set_actor
from governance.models import AuditLog, Role
from governance.services.audit import audit_record
from tests.factories import DepartmentFactory, make_user
from tests.governance.factories import make_audit_rows

pytestmark = pytest.mark.django_db

AUDIT = reverse("audit:list")
EXPORT = reverse("audit:export")


# --- writes are logged ------------------------------------------------------------------------------

def test_model_create_and_update_are_logged_with_the_request_actor(tree):
    token = set_actor(Actor(user_id=42, username="staff42", role=Role.STREET_STAFF, ip_address="192.0.2.10"))
    try:
        department = DepartmentFactory(district=tree.district)
        department.phone = "010-12345678"
        department.save(update_fields=["phone"])
    finally:
        reset_actor(token)

    created = AuditLog.objects.get(action=AuditLog.Action.CREATE, object_type="governance.department")
    updated = AuditLog.objects.get(action=AuditLog.Action.UPDATE, object_type="governance.department")
    for row in (created, updated):
        assert (row.user_id, row.username, row.role, row.ip_address) == (42, "staff42", "street_staff", "192.0.2.10")
        assert row.object_id == str(department.pk)
    assert updated.detail == {"fields": ["phone"]}
    assert "010-12345678" not in str(updated.detail)  # values never copied into the log


def test_http_write_is_logged_with_user_and_remote_addr(client_for, system_admin, tree):
    resident = make_user(Role.RESIDENT)
    client_for(system_admin).post(reverse("accounts:edit", args=[resident.pk]),
                                  {"full_name": "新名字", "region": tree.grids[0].pk}, REMOTE_ADDR="203.0.113.99")
    row = AuditLog.objects.filter(action=AuditLog.Action.UPDATE, object_id=str(resident.pk)).latest("id")
    assert (row.user_id, row.username, row.ip_address) == (system_admin.pk, system_admin.username, "203.0.113.99")


def test_writes_outside_a_request_have_no_actor(tree):
    DepartmentFactory(district=tree.district)
    row = AuditLog.objects.get(action=AuditLog.Action.CREATE, object_type="governance.department")
    assert row.user_id is None and row.ip_address is None


def test_delete_is_logged(tree):
    department = DepartmentFactory(district=tree.district)
    pk = department.pk
    department.delete()
    assert AuditLog.objects.filter(action=AuditLog.Action.DELETE, object_id=str(pk)).exists()


# --- append-only ------------------------------------------------------------------------------------

@pytest.fixture
def row():
    return audit_record(action=AuditLog.Action.EXPORT, object_type="test", detail={"n": 1})


def test_queryset_update_raises(row):
    with pytest.raises(PermissionError):
        AuditLog.objects.update(username="changed")
    with pytest.raises(PermissionError):
        AuditLog.objects.filter(pk=row.pk).update(outcome=AuditLog.Outcome.FAILURE)


def test_queryset_delete_raises(row):
    with pytest.raises(PermissionError):
        AuditLog.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditLog.objects.filter(pk=row.pk).delete()


def test_instance_save_after_create_and_delete_raise(row):
    row.username = "changed"
    with pytest.raises(PermissionError):
        row.save()
    with pytest.raises(PermissionError):
        row.delete()
    row.refresh_from_db()
    assert row.username == ""


def test_raw_sql_update_is_refused_by_the_database(row):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE governance_auditlog SET username = 'forged' WHERE id = %s", [row.pk])
    assert AuditLog.objects.get(pk=row.pk).username == ""


@pytest.mark.postgres_only
def test_raw_sql_delete_is_refused_by_the_database(row):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM governance_auditlog WHERE id = %s", [row.pk])
    assert AuditLog.objects.filter(pk=row.pk).exists()


# --- the auditor's page -----------------------------------------------------------------------------

def test_auditor_sees_the_log(client_for, auditor):
    make_audit_rows(3, username="zhao", action=AuditLog.Action.GRANT, detail={"from": "resident", "to": "auditor"})
    response = client_for(auditor).get(AUDIT)
    assert response.status_code == 200
    html = response.content.decode()
    assert "zhao" in html and "&quot;to&quot;: &quot;auditor&quot;" in html


def test_audit_page_has_no_write_forms(client_for, auditor):
    html = client_for(auditor).get(AUDIT).content.decode()
    assert 'method="post"' not in html.replace('action="/accounts/logout/" method="post"', "").replace(
        'action="/i18n/setlang/" method="post"', "")


@pytest.mark.parametrize("params, expected", [
    ({"username": "zha"}, {"zhao"}),
    ({"action": "grant"}, {"zhao"}),
    ({"outcome": "failure"}, {"qian"}),
    ({"object_type": "grids.resident"}, {"sun"}),
    ({"ip_address": "192.0.2.77"}, {"sun"}),
    ({"date_from": "2026-03-02", "date_to": "2026-03-02"}, {"zhao", "qian"}),
    ({"date_to": "2026-03-01"}, {"sun"}),
])
def test_audit_filters(client_for, auditor, params, expected):
    import time_machine

    tz = timezone.get_current_timezone()
    with time_machine.travel(datetime.datetime(2026, 3, 2, 0, 30, tzinfo=tz), tick=False):
        make_audit_rows(1, username="zhao", action=AuditLog.Action.GRANT)
        make_audit_rows(1, username="qian", action=AuditLog.Action.LOGIN_FAILED, outcome=AuditLog.Outcome.FAILURE)
    with time_machine.travel(datetime.datetime(2026, 3, 1, 23, 30, tzinfo=tz), tick=False):
        make_audit_rows(1, username="sun", object_type="grids.resident", ip_address="192.0.2.77")
    client = client_for(auditor)
    response = client.get(AUDIT, params)
    assert response.status_code == 200
    shown = {row.username for row in response.context["rows"]}
    assert shown == expected


@pytest.mark.parametrize("params", [
    {"date_from": "not-a-date"}, {"action": "nonsense"}, {"page": "-1"}, {"page": "99999"},
    {"ip_address": "x" * 500}, {"username": "<script>"},
])
def test_bad_filters_never_500(client_for, auditor, params):
    make_audit_rows(2)
    assert client_for(auditor).get(AUDIT, params).status_code == 200


def test_audit_log_is_paginated_by_50(client_for, auditor):
    make_audit_rows(120)
    client = client_for(auditor)
    first = client.get(AUDIT)
    assert len(first.context["rows"]) == 50
    assert first.context["page"].paginator.num_pages >= 3
    third = client.get(AUDIT, {"page": 3})
    assert len(third.context["rows"]) == AuditLog.objects.count() - 100


def test_audit_rows_are_newest_first(client_for, auditor):
    make_audit_rows(1, username="older")
    make_audit_rows(1, username="newer")
    rows = client_for(auditor).get(AUDIT).context["rows"]
    names = [r.username for r in rows]
    assert names.index("newer") < names.index("older")


# --- export -----------------------------------------------------------------------------------------

def test_csv_export_is_filtered_and_audited(client_for, auditor):
    make_audit_rows(2, username="zhao", action=AuditLog.Action.GRANT)
    make_audit_rows(3, username="qian", action=AuditLog.Action.LOGIN)
    response = client_for(auditor).get(EXPORT, {"format": "csv", "action": "grant"}, REMOTE_ADDR="192.0.2.5")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content)))
    assert len(rows) == 1 + 2
    assert {r[1] for r in rows[1:]} == {"zhao"}

    export = AuditLog.objects.get(action=AuditLog.Action.EXPORT)
    assert (export.user_id, export.ip_address) == (auditor.pk, "192.0.2.5")
    assert export.detail == {"format": "csv", "rows": 2, "filters": {"action": "grant"}}


def test_csv_export_neutralises_formulas(client_for, auditor):
    make_audit_rows(1, username="evil", object_repr='=HYPERLINK("http://x")')
    response = client_for(auditor).get(EXPORT, {"username": "evil"})
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK" in content


def test_xlsx_export_is_audited(client_for, auditor):
    from openpyxl import load_workbook

    make_audit_rows(4, username="zhao", object_repr="=1+1\x01")
    response = client_for(auditor).get(EXPORT, {"format": "xlsx", "username": "zhao"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert len(values) == 1 + 4
    assert values[1][7] == "'=1+1"
    assert AuditLog.objects.get(action=AuditLog.Action.EXPORT).detail["format"] == "xlsx"


def test_only_the_auditor_exports(client_for, system_admin, security_admin):
    for user in (system_admin, security_admin):
        assert client_for(user).get(EXPORT).status_code == 404
    assert not AuditLog.objects.filter(action=AuditLog.Action.EXPORT).exists()


def test_resident_names_are_masked_for_the_auditor(client_for, auditor):
    """The auditor reads the log, not residents' data: names in object_repr of register rows are masked."""
    make_audit_rows(1, object_type="grids.resident", object_repr="张三丰")
    make_audit_rows(1, object_type="grids.specialgrouprecord", object_repr="李四 社区矫正")
    make_audit_rows(1, object_type="governance.department", object_repr="城管局")
    client = client_for(auditor)

    html = client.get(AUDIT).content.decode()
    assert "张三丰" not in html and "张**" in html
    assert "李四" not in html and "社区矫正" not in html
    assert "城管局" in html

    content = b"".join(client.get(EXPORT).streaming_content).decode("utf-8-sig")
    assert "张三丰" not in content and "社区矫正" not in content and "城管局" in content
