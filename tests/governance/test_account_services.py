"""Account services: separated powers of the three administrators and the role/binding rule."""

import pytest
from django.utils import translation

from governance.lib.exceptions import InvalidInput, NotFoundOrForbidden, PermissionDeniedError
from governance.models import AuditLog, Role, User
from governance.services.accounts import (
    account_create,
    account_reset_password,
    account_set_active,
    account_set_role,
    account_unlock,
    account_update,
    binding_problem,
)
from tests.factories import make_user
from tests.governance.factories import STRONG_PASSWORD, WEAK_PASSWORDS

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_messages():
    """These tests read the English part of messages; pages default to zh-hans."""
    with translation.override("en"):
        yield


def _create(actor, **kwargs):
    values = {"username": "newuser", "full_name": "王小明", "password": STRONG_PASSWORD}
    values.update(kwargs)
    return account_create(actor=actor, **values)


# --- account_create ---------------------------------------------------------------------------------

def test_system_admin_creates_a_resident_with_binding(system_admin, tree):
    user = _create(system_admin, region=tree.grids[0], phone="13812345678")

    user.refresh_from_db()
    assert user.role == Role.RESIDENT
    assert user.region == tree.grids[0]
    assert user.phone == "13812345678"
    assert user.check_password(STRONG_PASSWORD)
    assert user.password_changed_at is not None
    assert user.is_active


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.SYSTEM_ADMIN])
def test_only_the_system_admin_creates_accounts(users_by_role, role):
    with pytest.raises(PermissionDeniedError):
        _create(users_by_role[role])
    assert not User.objects.filter(username="newuser").exists()


def test_create_has_no_role_parameter(system_admin):
    """The system admin cannot ask for a role: the service does not accept one."""
    with pytest.raises(TypeError):
        _create(system_admin, role=Role.SECURITY_ADMIN)


@pytest.mark.parametrize("password", WEAK_PASSWORDS)
def test_create_rejects_weak_passwords(system_admin, password):
    with pytest.raises(InvalidInput) as exc:
        _create(system_admin, password=password)
    assert exc.value.extra["field"] == "password1"
    assert not User.objects.filter(username="newuser").exists()


def test_create_rejects_password_like_the_username(system_admin):
    with pytest.raises(InvalidInput) as exc:
        _create(system_admin, username="zhangwei2026", password="Zhangwei2026")
    assert exc.value.extra["field"] == "password1"


def test_create_rejects_duplicate_username_case_insensitively(system_admin):
    make_user(Role.RESIDENT, username="taken")
    with pytest.raises(InvalidInput) as exc:
        _create(system_admin, username="TAKEN")
    assert exc.value.extra["field"] == "username"


@pytest.mark.parametrize("kwargs, field", [
    ({"username": ""}, "username"),
    ({"username": "has space"}, "username"),
    ({"username": "x" * 151}, "username"),
    ({"full_name": ""}, "full_name"),
    ({"full_name": "长" * 300}, "full_name"),
    ({"phone": "12345"}, "phone"),
])
def test_create_rejects_bad_fields(system_admin, kwargs, field):
    with pytest.raises(InvalidInput) as exc:
        _create(system_admin, **kwargs)
    assert exc.value.extra["field"] == field


def test_create_rejects_two_bindings(system_admin, tree, department):
    with pytest.raises(InvalidInput) as exc:
        _create(system_admin, region=tree.grids[0], department=department)
    assert "not both" in exc.value.message


# --- binding rule -----------------------------------------------------------------------------------

@pytest.mark.parametrize("role, good, bad", [
    (Role.GRID_WORKER, "grid", "community"),
    (Role.COMMUNITY_STAFF, "community", "grid"),
    (Role.STREET_STAFF, "street", "district"),
    (Role.DISTRICT_OFFICIAL, "district", "street"),
])
def test_region_roles_need_a_region_of_their_level(tree, role, good, bad):
    nodes = {"grid": tree.grids[0], "community": tree.communities[0], "street": tree.streets[0],
             "district": tree.district}
    assert binding_problem(role=role, region=nodes[good], department=None) is None
    assert binding_problem(role=role, region=nodes[bad], department=None)[0] == "region"
    assert binding_problem(role=role, region=None, department=None)[0] == "region"


def test_department_handler_needs_a_department(tree, department):
    assert binding_problem(role=Role.DEPARTMENT_HANDLER, region=None, department=department) is None
    assert binding_problem(role=Role.DEPARTMENT_HANDLER, region=None, department=None)[0] == "department"
    assert binding_problem(role=Role.DEPARTMENT_HANDLER, region=tree.grids[0], department=None)[0] == "department"


@pytest.mark.parametrize("role", [Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR])
def test_administrators_are_not_bound(tree, role):
    assert binding_problem(role=role, region=None, department=None) is None
    assert binding_problem(role=role, region=tree.grids[0], department=None)[0] == "region"


def test_binding_messages_are_bilingual(tree):
    with translation.override("en"):
        _, message = binding_problem(role=Role.GRID_WORKER, region=tree.communities[0], department=None)
    assert "A grid worker account must be bound to a grid" in message
    assert "网格员账号必须绑定到网格" in message


# --- account_update / set_active / reset_password ---------------------------------------------------

def test_update_keeps_binding_fitting_the_role(system_admin, tree):
    worker = make_user(Role.GRID_WORKER, region=tree.grids[0])

    account_update(actor=system_admin, user_id=worker.pk, full_name="新名字", region=tree.grids[1])
    worker.refresh_from_db()
    assert (worker.full_name, worker.region) == ("新名字", tree.grids[1])

    with pytest.raises(InvalidInput) as exc:
        account_update(actor=system_admin, user_id=worker.pk, full_name="新名字", region=tree.communities[0])
    assert exc.value.extra["field"] == "region"
    worker.refresh_from_db()
    assert worker.region == tree.grids[1]


def test_resident_can_be_rebound_to_any_level(system_admin, tree):
    """The path for moving staff to another level: resident accounts take any single binding."""
    resident = make_user(Role.RESIDENT, region=tree.grids[0])
    account_update(actor=system_admin, user_id=resident.pk, full_name="x", region=tree.streets[1])
    resident.refresh_from_db()
    assert resident.region == tree.streets[1]


def test_update_unknown_account_is_not_found(system_admin):
    with pytest.raises(NotFoundOrForbidden):
        account_update(actor=system_admin, user_id=999999, full_name="x")


def test_deactivate_and_reactivate(system_admin):
    resident = make_user(Role.RESIDENT)
    account_set_active(actor=system_admin, user_id=resident.pk, is_active=False)
    resident.refresh_from_db()
    assert not resident.is_active
    account_set_active(actor=system_admin, user_id=resident.pk, is_active=True)
    resident.refresh_from_db()
    assert resident.is_active


@pytest.mark.parametrize("role", [Role.SECURITY_ADMIN, Role.AUDITOR, Role.SYSTEM_ADMIN])
def test_system_admin_cannot_reset_or_deactivate_administrators(system_admin, role):
    other = make_user(role)
    with pytest.raises(PermissionDeniedError):
        account_reset_password(actor=system_admin, user_id=other.pk, password=STRONG_PASSWORD)
    with pytest.raises(PermissionDeniedError):
        account_set_active(actor=system_admin, user_id=other.pk, is_active=False)
    other.refresh_from_db()
    assert other.is_active and not other.check_password(STRONG_PASSWORD)


def test_system_admin_cannot_reset_a_superuser(system_admin):
    root = make_user(Role.RESIDENT, is_superuser=True, is_staff=True)
    with pytest.raises(PermissionDeniedError):
        account_reset_password(actor=system_admin, user_id=root.pk, password=STRONG_PASSWORD)


def test_system_admin_cannot_deactivate_self(system_admin):
    with pytest.raises(PermissionDeniedError):
        account_set_active(actor=system_admin, user_id=system_admin.pk, is_active=False)


def test_reset_password_validates_and_sets(system_admin):
    resident = make_user(Role.RESIDENT)
    with pytest.raises(InvalidInput):
        account_reset_password(actor=system_admin, user_id=resident.pk, password="weakweakweak")
    account_reset_password(actor=system_admin, user_id=resident.pk, password=STRONG_PASSWORD)
    resident.refresh_from_db()
    assert resident.check_password(STRONG_PASSWORD)
    assert resident.password_changed_at is not None


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.SYSTEM_ADMIN])
def test_only_the_system_admin_edits_accounts(users_by_role, role):
    target = make_user(Role.RESIDENT)
    actor = users_by_role[role]
    with pytest.raises(PermissionDeniedError):
        account_update(actor=actor, user_id=target.pk, full_name="x")
    with pytest.raises(PermissionDeniedError):
        account_set_active(actor=actor, user_id=target.pk, is_active=False)
    with pytest.raises(PermissionDeniedError):
        account_reset_password(actor=actor, user_id=target.pk, password=STRONG_PASSWORD)


# --- account_set_role (security admin) --------------------------------------------------------------

def test_security_admin_sets_role_and_audits_grant(security_admin, tree):
    account = make_user(Role.RESIDENT, region=tree.grids[0])

    account_set_role(actor=security_admin, user_id=account.pk, role=Role.GRID_WORKER)

    account.refresh_from_db()
    assert account.role == Role.GRID_WORKER
    grant = AuditLog.objects.get(action=AuditLog.Action.GRANT)
    assert grant.detail == {"from": "resident", "to": "grid_worker"}
    assert grant.object_type == "governance.user" and grant.object_id == str(account.pk)


def test_role_change_refused_when_binding_does_not_fit(security_admin, tree):
    account = make_user(Role.RESIDENT, region=tree.communities[0])
    with pytest.raises(InvalidInput) as exc:
        account_set_role(actor=security_admin, user_id=account.pk, role=Role.GRID_WORKER)
    assert exc.value.extra["field"] == "region"
    assert "网格员账号必须绑定到网格" in exc.value.message
    account.refresh_from_db()
    assert account.role == Role.RESIDENT
    assert not AuditLog.objects.filter(action=AuditLog.Action.GRANT).exists()


def test_special_groups_grant(security_admin, tree):
    account = make_user(Role.COMMUNITY_STAFF, region=tree.communities[0])
    account_set_role(actor=security_admin, user_id=account.pk, role=Role.COMMUNITY_STAFF,
                     may_view_special_groups=True)
    account.refresh_from_db()
    assert account.may_view_special_groups
    grant = AuditLog.objects.get(action=AuditLog.Action.GRANT)
    assert grant.detail == {"grant": "may_view_special_groups", "from": False, "to": True}


def test_special_groups_grant_only_for_region_staff(security_admin, department):
    handler = make_user(Role.DEPARTMENT_HANDLER, department=department)
    with pytest.raises(InvalidInput) as exc:
        account_set_role(actor=security_admin, user_id=handler.pk, role=Role.DEPARTMENT_HANDLER,
                         may_view_special_groups=True)
    assert exc.value.extra["field"] == "may_view_special_groups"


def test_unchanged_role_writes_no_grant_row(security_admin):
    account = make_user(Role.RESIDENT)
    account_set_role(actor=security_admin, user_id=account.pk, role=Role.RESIDENT)
    assert not AuditLog.objects.filter(action=AuditLog.Action.GRANT).exists()


def test_security_admin_cannot_change_own_role(security_admin):
    with pytest.raises(PermissionDeniedError):
        account_set_role(actor=security_admin, user_id=security_admin.pk, role=Role.SYSTEM_ADMIN)
    security_admin.refresh_from_db()
    assert security_admin.role == Role.SECURITY_ADMIN


def test_unknown_role_is_invalid(security_admin):
    account = make_user(Role.RESIDENT)
    with pytest.raises(InvalidInput):
        account_set_role(actor=security_admin, user_id=account.pk, role="superhero")


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.SECURITY_ADMIN])
def test_only_the_security_admin_grants(users_by_role, role):
    target = make_user(Role.RESIDENT)
    with pytest.raises(PermissionDeniedError):
        account_set_role(actor=users_by_role[role], user_id=target.pk, role=Role.AUDITOR)
    with pytest.raises(PermissionDeniedError):
        account_unlock(actor=users_by_role[role], user_id=target.pk)
    target.refresh_from_db()
    assert target.role == Role.RESIDENT


def test_inactive_administrator_can_do_nothing(system_admin, security_admin):
    system_admin.is_active = False
    security_admin.is_active = False
    target = make_user(Role.RESIDENT)
    with pytest.raises(PermissionDeniedError):
        _create(system_admin)
    with pytest.raises(PermissionDeniedError):
        account_set_role(actor=security_admin, user_id=target.pk, role=Role.AUDITOR)
