"""The three administrator lists keep a flat number of queries as rows grow."""

import pytest
from django.urls import reverse

from governance.models import AuditLog, Role
from tests.factories import DepartmentFactory, make_user
from tests.governance.factories import make_audit_rows

pytestmark = pytest.mark.django_db


def _accounts(tree, department, count, prefix):
    for i in range(count):
        kind = i % 3
        if kind == 0:
            make_user(Role.GRID_WORKER, region=tree.grids[i % len(tree.grids)], username=f"{prefix}g{i}")
        elif kind == 1:
            make_user(Role.DEPARTMENT_HANDLER, department=department, username=f"{prefix}d{i}")
        else:
            make_user(Role.RESIDENT, username=f"{prefix}r{i}", last_login=None)


@pytest.mark.parametrize("url_name, owner", [
    ("accounts:list", Role.SYSTEM_ADMIN),
    ("accounts:grants", Role.SECURITY_ADMIN),
])
def test_account_lists_are_flat(client_for, count_queries, tree, url_name, owner):
    department = DepartmentFactory(district=tree.district)
    client = client_for(make_user(owner))
    url = reverse(url_name)
    _accounts(tree, department, 3, "a")
    client.get(url)  # warm-up
    few = count_queries(lambda: client.get(url))
    _accounts(tree, department, 30, "b")
    many = count_queries(lambda: client.get(url))
    assert many == few
    assert client.get(url).context["page"].paginator.count >= 33


def test_grants_list_with_lockouts_is_flat(client_for, count_queries, tree, security_admin):
    from axes.models import AccessAttempt

    client = client_for(security_admin)
    url = reverse("accounts:grants")

    def lock(users):
        for user in users:
            AccessAttempt.objects.create(username=user.username, ip_address="192.0.2.1", user_agent="t",
                                         failures_since_start=5, get_data="", post_data="", http_accept="",
                                         path_info="/accounts/login/")

    lock([make_user(Role.RESIDENT) for _ in range(2)])
    client.get(url)
    few = count_queries(lambda: client.get(url))
    lock([make_user(Role.RESIDENT) for _ in range(30)])
    response = client.get(url)
    many = count_queries(lambda: client.get(url))
    assert many == few
    assert response.content.decode().count('class="badge badge-danger"') == 32


def test_audit_list_is_flat(client_for, count_queries, auditor):
    client = client_for(auditor)
    url = reverse("audit:list")
    make_audit_rows(3, action=AuditLog.Action.GRANT, detail={"from": "resident", "to": "grid_worker"})
    client.get(url)
    few = count_queries(lambda: client.get(url))
    make_audit_rows(30, action=AuditLog.Action.CREATE, object_type="grids.building")
    many = count_queries(lambda: client.get(url))
    assert many == few
