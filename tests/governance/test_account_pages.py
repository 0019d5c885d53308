"""The system administrator's and security administrator's pages, through HTTP."""

import pytest
from django.urls import reverse

from governance.models import AuditLog, Role, User
from tests.factories import PASSWORD, make_user
from tests.governance.factories import STRONG_PASSWORD

pytestmark = pytest.mark.django_db

CREATE = reverse("accounts:create")


def _create_data(**overrides):
    data = {"username": "li.na", "full_name": "李娜", "phone": "13812345678",
            "password1": STRONG_PASSWORD, "password2": STRONG_PASSWORD, "region": "", "department": ""}
    data.update(overrides)
    return data


# --- create -----------------------------------------------------------------------------------------

def test_create_account_through_the_page_is_audited_with_actor_and_address(client_for, system_admin, tree):
    client = client_for(system_admin)

    response = client.post(CREATE, _create_data(region=tree.grids[0].pk), REMOTE_ADDR="203.0.113.7")

    assert response.status_code == 302 and response["Location"] == reverse("accounts:list")
    account = User.objects.get(username="li.na")
    assert account.role == Role.RESIDENT and account.region == tree.grids[0]
    row = AuditLog.objects.get(action=AuditLog.Action.CREATE, object_type="governance.user", object_id=str(account.pk))
    assert row.user_id == system_admin.pk
    assert row.username == "sysadmin"
    assert row.role == Role.SYSTEM_ADMIN
    assert row.ip_address == "203.0.113.7"
    assert STRONG_PASSWORD not in str(row.detail)


def test_created_account_can_log_in(client, client_for, system_admin):
    client_for(system_admin).post(CREATE, _create_data())
    response = client.post(reverse("accounts:login"), {"username": "li.na", "password": STRONG_PASSWORD})
    assert response.status_code == 302


def test_create_form_has_no_role_field(client_for, system_admin):
    html = client_for(system_admin).get(CREATE).content.decode()
    assert 'name="username"' in html and 'name="region"' in html
    assert 'name="role"' not in html
    assert 'name="may_view_special_groups"' not in html


def test_posting_a_role_to_the_create_form_is_ignored(client_for, system_admin):
    client_for(system_admin).post(CREATE, _create_data(role=Role.SECURITY_ADMIN, may_view_special_groups="on"))
    account = User.objects.get(username="li.na")
    assert account.role == Role.RESIDENT and not account.may_view_special_groups


def test_empty_form_shows_messages_not_500(client_for, system_admin):
    response = client_for(system_admin).post(CREATE, {})
    assert response.status_code == 200
    html = response.content.decode()
    assert "form-errors" in html
    assert html.count('class="error"') >= 4  # username, full name, both passwords
    assert not User.objects.filter(role=Role.RESIDENT, username="").exists()


def test_300_character_name_is_refused_and_kept(client_for, system_admin):
    name = "长" * 300
    response = client_for(system_admin).post(CREATE, _create_data(full_name=name))
    assert response.status_code == 200
    html = response.content.decode()
    assert name in html  # the user's typing is kept
    assert 'id="id_full_name_error"' in html
    assert not User.objects.filter(username="li.na").exists()


def test_script_in_name_is_stored_and_rendered_escaped(client_for, system_admin):
    name = "<script>alert(1)</script>"
    client = client_for(system_admin)
    response = client.post(CREATE, _create_data(full_name=name))
    assert response.status_code == 302
    assert User.objects.get(username="li.na").full_name == name
    html = client.get(reverse("accounts:list")).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)</script>" not in html


def test_script_in_name_is_escaped_when_the_form_is_redisplayed(client_for, system_admin):
    response = client_for(system_admin).post(CREATE, _create_data(full_name="<script>x</script>", password2="other"))
    html = response.content.decode()
    assert "<script>x</script>" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html


def test_weak_password_shows_the_validators_messages(client_for, system_admin):
    response = client_for(system_admin).post(CREATE, _create_data(password1="abcdefgh", password2="abcdefgh"),
                                             HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_password1_error"' in html
    assert "at least 3 of" in html  # CharacterClassValidator
    assert 'value="li.na"' in html and 'value="李娜"' in html  # typing kept
    assert not User.objects.filter(username="li.na").exists()


def test_password_mismatch(client_for, system_admin):
    response = client_for(system_admin).post(CREATE, _create_data(password2=STRONG_PASSWORD + "x"))
    assert 'id="id_password2_error"' in response.content.decode()


def test_two_bindings_are_refused(client_for, system_admin, tree, department):
    response = client_for(system_admin).post(CREATE, _create_data(region=tree.grids[0].pk, department=department.pk))
    assert response.status_code == 200
    assert "账号只能绑定到一个区域或一个部门" in response.content.decode()


def test_nonsense_ids_are_form_errors(client_for, system_admin):
    response = client_for(system_admin).post(CREATE, _create_data(region="abc", department="999999"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_region_error"' in html and 'id="id_department_error"' in html


def test_unknown_account_is_404(client_for, system_admin):
    assert client_for(system_admin).get(reverse("accounts:edit", args=[999999])).status_code == 404


# --- list -------------------------------------------------------------------------------------------

def test_list_shows_accounts_with_binding_and_searches(client_for, system_admin, tree, department):
    make_user(Role.GRID_WORKER, region=tree.grids[0], username="gw1", full_name="张网格")
    make_user(Role.DEPARTMENT_HANDLER, department=department, username="dh1", full_name="赵部门")
    client = client_for(system_admin)

    html = client.get(reverse("accounts:list")).content.decode()
    assert "gw1" in html and "张网格" in html and tree.grids[0].name in html
    assert "dh1" in html and department.name in html

    html = client.get(reverse("accounts:list"), {"q": "张网"}).content.decode()
    assert "gw1" in html and "dh1" not in html

    html = client.get(reverse("accounts:list"), {"role": Role.DEPARTMENT_HANDLER}).content.decode()
    assert "dh1" in html and "gw1" not in html


def test_list_filters_by_status_and_keeps_the_search_text(client_for, system_admin):
    make_user(Role.RESIDENT, username="on1")
    make_user(Role.RESIDENT, username="off1", is_active=False)
    client = client_for(system_admin)
    html = client.get(reverse("accounts:list"), {"is_active": "false"}).content.decode()
    assert "off1" in html and "on1" not in html
    html = client.get(reverse("accounts:list"), {"q": "<b>on"}).content.decode()
    assert 'value="&lt;b&gt;on"' in html


def test_list_is_paginated(client_for, system_admin):
    for i in range(55):
        make_user(Role.RESIDENT, username=f"r{i:03d}")
    client = client_for(system_admin)
    first = client.get(reverse("accounts:list")).content.decode()
    assert "r000" in first and "r054" not in first
    assert "page=2" in first
    second = client.get(reverse("accounts:list"), {"page": 2}).content.decode()
    assert "r054" in second
    assert client.get(reverse("accounts:list"), {"page": "zzz"}).status_code == 200


def test_list_does_not_show_reset_buttons_for_administrators(client_for, system_admin, auditor):
    html = client_for(system_admin).get(reverse("accounts:list")).content.decode()
    assert reverse("accounts:reset_password", args=[auditor.pk]) not in html
    assert reverse("accounts:set_active", args=[auditor.pk]) not in html


# --- edit, deactivate, reset --------------------------------------------------------------------------

def test_edit_binding_must_fit_role_and_keeps_typing(client_for, system_admin, tree):
    worker = make_user(Role.GRID_WORKER, region=tree.grids[0])
    url = reverse("accounts:edit", args=[worker.pk])
    response = client_for(system_admin).post(
        url, {"full_name": "改过的名字", "phone": "", "region": tree.communities[0].pk, "department": ""},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "A grid worker account must be bound to a grid" in html
    assert 'value="改过的名字"' in html
    worker.refresh_from_db()
    assert worker.region == tree.grids[0] and worker.full_name != "改过的名字"


def test_edit_saves(client_for, system_admin, tree):
    worker = make_user(Role.GRID_WORKER, region=tree.grids[0])
    response = client_for(system_admin).post(
        reverse("accounts:edit", args=[worker.pk]),
        {"full_name": "新名", "phone": "010-62345678", "region": tree.grids[1].pk, "department": ""},
        REMOTE_ADDR="198.51.100.20",
    )
    assert response.status_code == 302
    worker.refresh_from_db()
    assert (worker.full_name, worker.phone, worker.region) == ("新名", "010-62345678", tree.grids[1])
    row = AuditLog.objects.filter(action=AuditLog.Action.UPDATE, object_id=str(worker.pk)).latest("id")
    assert row.user_id == system_admin.pk and row.ip_address == "198.51.100.20"
    assert row.detail == {"fields": ["department", "full_name", "phone", "region"]}


def test_deactivate_then_user_cannot_log_in_then_reactivate(client, client_for, system_admin):
    resident = make_user(Role.RESIDENT, username="resi")
    admin_client = client_for(system_admin)
    url = reverse("accounts:set_active", args=[resident.pk])

    assert admin_client.post(url, {}).status_code == 302
    resident.refresh_from_db()
    assert not resident.is_active
    assert client.post(reverse("accounts:login"), {"username": "resi", "password": PASSWORD}).status_code == 200

    admin_client.post(url, {"is_active": "on"})
    resident.refresh_from_db()
    assert resident.is_active
    assert client.post(reverse("accounts:login"), {"username": "resi", "password": PASSWORD}).status_code == 302


def test_deactivated_user_is_logged_out(client_for, system_admin, tree):
    resident = make_user(Role.RESIDENT)
    resident_client = client_for(resident)
    assert resident_client.get(reverse("resident_home")).status_code == 200
    client_for(system_admin).post(reverse("accounts:set_active", args=[resident.pk]), {})
    assert resident_client.get(reverse("resident_home")).status_code == 302


def test_deactivating_an_administrator_shows_a_message(client_for, system_admin, security_admin):
    response = client_for(system_admin).post(reverse("accounts:set_active", args=[security_admin.pk]), {}, follow=True)
    assert "管理员账号不能在此重置或停用" in response.content.decode()
    security_admin.refresh_from_db()
    assert security_admin.is_active


def test_reset_password_page(client, client_for, system_admin):
    resident = make_user(Role.RESIDENT, username="resi")
    url = reverse("accounts:reset_password", args=[resident.pk])
    admin_client = client_for(system_admin)

    weak = admin_client.post(url, {"password1": "password", "password2": "password"})
    assert weak.status_code == 200 and 'id="id_password1_error"' in weak.content.decode()

    assert admin_client.post(url, {"password1": STRONG_PASSWORD, "password2": STRONG_PASSWORD}).status_code == 302
    assert client.post(reverse("accounts:login"), {"username": "resi", "password": STRONG_PASSWORD}).status_code == 302


def test_reset_password_of_an_auditor_is_refused(client_for, system_admin, auditor):
    response = client_for(system_admin).post(reverse("accounts:reset_password", args=[auditor.pk]),
                                             {"password1": STRONG_PASSWORD, "password2": STRONG_PASSWORD})
    assert response.status_code == 200
    auditor.refresh_from_db()
    assert not auditor.check_password(STRONG_PASSWORD)


def test_system_admin_pages_cannot_change_roles(client_for, system_admin, tree):
    resident = make_user(Role.RESIDENT, region=tree.grids[0])
    client_for(system_admin).post(
        reverse("accounts:edit", args=[resident.pk]),
        {"full_name": "x", "region": tree.grids[0].pk, "role": Role.GRID_WORKER, "may_view_special_groups": "on"},
    )
    resident.refresh_from_db()
    assert resident.role == Role.RESIDENT and not resident.may_view_special_groups
    assert not AuditLog.objects.filter(action=AuditLog.Action.GRANT).exists()


# --- security administrator ---------------------------------------------------------------------------

def test_grant_page_changes_role_and_audits(client_for, security_admin, tree):
    account = make_user(Role.RESIDENT, region=tree.streets[0])
    response = client_for(security_admin).post(
        reverse("accounts:grant_edit", args=[account.pk]),
        {"role": Role.STREET_STAFF, "may_view_special_groups": "on"}, REMOTE_ADDR="192.0.2.55",
    )
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.role == Role.STREET_STAFF and account.may_view_special_groups
    rows = list(AuditLog.objects.filter(action=AuditLog.Action.GRANT).order_by("id"))
    assert rows[0].detail == {"from": "resident", "to": "street_staff"}
    assert all(r.user_id == security_admin.pk and r.ip_address == "192.0.2.55" for r in rows)
    assert all("李" not in str(r.detail) and account.full_name not in str(r.detail) for r in rows)


def test_grant_page_shows_binding_error_and_keeps_choice(client_for, security_admin, tree):
    account = make_user(Role.RESIDENT, region=tree.communities[0])
    response = client_for(security_admin).post(reverse("accounts:grant_edit", args=[account.pk]),
                                               {"role": Role.GRID_WORKER}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert "A grid worker account must be bound to a grid" in html
    assert "网格员账号必须绑定到网格" in html
    assert f'<option value="{Role.GRID_WORKER}" selected>' in html
    account.refresh_from_db()
    assert account.role == Role.RESIDENT


def test_grant_page_rejects_unknown_role(client_for, security_admin):
    account = make_user(Role.RESIDENT)
    response = client_for(security_admin).post(reverse("accounts:grant_edit", args=[account.pk]), {"role": "god"})
    assert response.status_code == 200 and 'id="id_role_error"' in response.content.decode()


def test_security_admin_cannot_change_own_role_through_the_page(client_for, security_admin):
    response = client_for(security_admin).post(reverse("accounts:grant_edit", args=[security_admin.pk]),
                                               {"role": Role.AUDITOR})
    assert response.status_code == 200
    security_admin.refresh_from_db()
    assert security_admin.role == Role.SECURITY_ADMIN


def test_grants_list_shows_roles_and_grants(client_for, security_admin, tree):
    make_user(Role.STREET_STAFF, region=tree.streets[0], username="street1", may_view_special_groups=True)
    html = client_for(security_admin).get(reverse("accounts:grants")).content.decode()
    assert "street1" in html and "badge-warning" in html


def test_grants_list_does_not_show_phone_numbers(client_for, security_admin):
    make_user(Role.RESIDENT, phone="13900001111")
    html = client_for(security_admin).get(reverse("accounts:grants")).content.decode()
    assert "13900001111" not in html
