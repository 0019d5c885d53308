"""`me/` for every logged-in account; `audit-log/` for the auditor only (everyone else 404), read-only, filterable."""

import datetime

import pytest
from django.utils import timezone

from governance.models import AuditLog, Role
from tests.grids.api.helpers import API, ROLES, World, assert_error, body, client_for, measure_list

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return World()


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
def test_me_for_every_role(world, role):
    user = world.users[role]
    response = client_for(user).get(f"{API}me/")
    assert response.status_code == 200
    data = body(response)
    assert data["username"] == user.username and data["full_name"] == user.full_name
    assert data["role"] == user.role and data["role_label"] == user.get_role_display()
    if user.region_id:
        assert data["jurisdiction"] == {"id": user.region.pk, "name": user.region.name, "code": user.region.code,
                                        "level": user.region.level}
    else:
        assert data["jurisdiction"] is None
    if user.role == Role.DEPARTMENT_HANDLER:
        assert data["department"]["id"] == user.department_id
    else:
        assert data["department"] is None
    caps = data["capabilities"]
    assert caps["read_registers"] is (role not in {"resident", "department_handler", "system_admin",
                                                    "security_admin", "auditor"})
    assert caps["edit_registers"] is (user.role in {Role.GRID_WORKER, Role.COMMUNITY_STAFF, Role.STREET_STAFF})
    assert caps["view_special_groups"] is (user.role == Role.STREET_STAFF)
    assert caps["read_audit_log"] is (user.role == Role.AUDITOR)
    assert "password" not in response.content.decode()


def test_me_grid_worker_jurisdiction_is_the_grid(world):
    data = body(client_for(world.users["grid_worker_own"]).get(f"{API}me/"))
    assert data["jurisdiction"]["id"] == world.grid.pk and data["jurisdiction"]["level"] == "grid"


def test_me_anonymous_and_read_only(world):
    assert_error(client_for(None).get(f"{API}me/"), 403, "not_authenticated")
    client = client_for(world.users["resident"])
    assert_error(client.post(f"{API}me/", {"role": "auditor"}, format="json"), 405, "method_not_allowed")
    assert_error(client.patch(f"{API}me/", {"role": "auditor"}, format="json"), 405, "method_not_allowed")


@pytest.mark.parametrize("role", [r for r in ROLES if r not in ("anonymous", "auditor")])
def test_audit_log_is_404_for_everyone_but_the_auditor(world, role):
    assert_error(client_for(world.users[role]).get(f"{API}audit-log/"), 404, "not_found")


def test_audit_log_anonymous(world):
    assert_error(client_for(None).get(f"{API}audit-log/"), 403, "not_authenticated")


def test_audit_log_for_the_auditor(world):
    client = client_for(world.users["auditor"])
    response = client.get(f"{API}audit-log/")
    assert response.status_code == 200
    rows = body(response)["results"]
    assert rows and {"id", "created_at", "username", "role", "ip_address", "action", "object_type", "object_id",
                     "object_repr", "outcome", "detail"} <= set(rows[0])
    assert [r["id"] for r in rows] == sorted((r["id"] for r in rows), reverse=True)
    # PII never in the log: residents appear masked
    assert world.resident.name not in response.content.decode()
    for method in (client.post, client.put, client.patch, client.delete):
        assert_error(method(f"{API}audit-log/"), 405, "method_not_allowed")


def test_audit_log_filters(world):
    reveal_user = world.users["street_staff"]
    client_for(reveal_user).post(f"{API}residents/{world.resident.pk}/reveal/", {"field": "phone"}, format="json")
    client = client_for(world.users["auditor"])

    rows = body(client.get(f"{API}audit-log/", {"action": "reveal"}))["results"]
    assert len(rows) == 1 and rows[0]["username"] == reveal_user.username and rows[0]["detail"] == {"field": "phone"}
    rows = body(client.get(f"{API}audit-log/", {"username": reveal_user.username}))["results"]
    assert rows and {r["username"] for r in rows} == {reveal_user.username}
    rows = body(client.get(f"{API}audit-log/", {"object_type": "grids.resident", "action": "reveal"}))["results"]
    assert len(rows) == 1

    today = timezone.localdate()
    total = AuditLog.objects.count()
    everything = body(client.get(f"{API}audit-log/", {"date_from": today.isoformat(), "date_to": today.isoformat(),
                                                      "page_size": 200}))["results"]
    assert len(everything) == total
    tomorrow = (today + datetime.timedelta(days=1)).isoformat()
    yesterday = (today - datetime.timedelta(days=1)).isoformat()
    assert body(client.get(f"{API}audit-log/", {"date_from": tomorrow}))["results"] == []
    assert body(client.get(f"{API}audit-log/", {"date_to": yesterday}))["results"] == []

    assert_error(client.get(f"{API}audit-log/", {"date_from": "2026-13-40"}), 400, "invalid")
    assert_error(client.get(f"{API}audit-log/", {"action": "dance"}), 400, "invalid")
    assert_error(client.get(f"{API}audit-log/", {"username": "u" * 151}), 400, "invalid")
    assert_error(client.get(f"{API}audit-log/", {"cursor": "cD1hYmM="}), 404, "not_found")


def test_audit_log_query_count_is_flat(world, count_queries):
    url = f"{API}audit-log/?page_size=200"
    few, first = measure_list(count_queries, world.users["auditor"], url)
    AuditLog.objects.bulk_create([AuditLog(username=f"u{i}", action=AuditLog.Action.UPDATE, object_type="grids.building",
                                           detail={"fields": ["name"]}) for i in range(30)])
    many, second = measure_list(count_queries, world.users["auditor"], url)
    assert len(body(second)["results"]) > len(body(first)["results"])
    assert many == few


def test_me_query_count(world, count_queries):
    for role in ("grid_worker_own", "department_handler", "auditor"):
        n, _ = measure_list(count_queries, world.users[role], f"{API}me/")
        assert n <= 8, (role, n)
