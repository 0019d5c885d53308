"""Account writes, split along the three administrators' powers (三员分立).

- The system administrator (系统管理员) creates accounts, edits name/phone/binding, deactivates and reactivates
  them and resets passwords. A new account always starts as a resident: the system administrator cannot
  request or set a role. Accounts of the three administrators and superusers are protected from password
  resets and (de)activation here, so the system administrator cannot take over the other two jobs
  (break-glass for those accounts is the superuser in django-admin).
- The security administrator (安全管理员) sets roles and the special-groups grant and unlocks accounts locked
  by django-axes. The binding an account already has must fit the new role; changing the *level* of a
  binding (community staff -> street staff) therefore takes three steps: set the role to resident,
  the system administrator re-binds, then set the new role.
- The auditor (审计员) writes nothing here.

Every function re-checks the actor's role, runs in one transaction and raises ApplicationError subclasses
with translatable messages; `extra["field"]` names the form field a message belongs to.
"""

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.lib.exceptions import InvalidInput, NotFoundOrForbidden, PermissionDeniedError
from governance.lib.pii import normalize_phone, validate_phone
from governance.models import ADMIN_ROLES, REGION_ROLES, ROLE_REGION_LEVEL, AuditLog, Department, Role, User
from governance.services.audit import audit_record
from grids.models import Region

FULL_NAME_MAX = User._meta.get_field("full_name").max_length
PHONE_MAX = User._meta.get_field("phone").max_length
USERNAME_MAX = User._meta.get_field("username").max_length


# --- actor checks -------------------------------------------------------------------------------------

def _require_role(actor, role: str) -> None:
    if not (actor is not None and getattr(actor, "is_authenticated", False) and actor.is_active
            and actor.role == role):
        raise PermissionDeniedError(_("You do not have permission for this. 您无权执行此操作。"))


def _get_account(user_id) -> User:
    try:
        return User.objects.select_for_update().get(pk=user_id)
    except (User.DoesNotExist, ValueError, TypeError):
        raise NotFoundOrForbidden(_("Account not found. 未找到该账号。")) from None


def is_protected_account(user: User) -> bool:
    """Accounts the system administrator may not reset or (de)activate: the three administrators, superusers."""
    return user.is_superuser or user.role in ADMIN_ROLES


def _ensure_not_protected(*, actor, account: User) -> None:
    if account.pk == actor.pk:
        raise PermissionDeniedError(_("You cannot do this to your own account. 不能对自己的账号执行此操作。"))
    if is_protected_account(account):
        raise PermissionDeniedError(
            _("Administrator accounts cannot be reset or deactivated here. 管理员账号不能在此重置或停用。")
        )


# --- binding rules ------------------------------------------------------------------------------------

def _region_role_message(role: str) -> str:
    # One literal per role so translators see whole sentences.
    if role == Role.GRID_WORKER:
        return _("A grid worker account must be bound to a grid. 网格员账号必须绑定到网格。")
    if role == Role.COMMUNITY_STAFF:
        return _("A community staff account must be bound to a community. 社区工作人员账号必须绑定到社区。")
    if role == Role.STREET_STAFF:
        return _("A street staff account must be bound to a street. 街道工作人员账号必须绑定到街道。")
    return _("A district official account must be bound to a district. 区级账号必须绑定到区。")


def binding_problem(*, role: str, region: Region | None, department: Department | None) -> tuple[str, str] | None:
    """(field, message) when the binding does not fit the role, else None. Pure: reads only the given objects."""
    if region is not None and department is not None:
        return "region", _("An account is bound either to a region or to a department, not both. "
                           "账号只能绑定到一个区域或一个部门。")
    if role in ADMIN_ROLES and (region is not None or department is not None):
        return "region", _("Administrator accounts are not bound to a region or a department. "
                           "管理员账号不绑定区域或部门。")
    if role in REGION_ROLES:
        if region is None or region.level != ROLE_REGION_LEVEL[role]:
            return "region", _region_role_message(role)
    if role == Role.DEPARTMENT_HANDLER and department is None:
        return "department", _("A department handler account must be bound to a department. "
                               "部门承办人账号必须绑定到部门。")
    if region is not None and region.valid_to is not None and region.valid_to < timezone.localdate():
        return "region", _("This region is no longer in use. 该区域已停用。")
    if department is not None and not department.is_active:
        return "department", _("This department is no longer active. 该部门已停用。")
    return None


def _check_binding(*, role, region, department, hint: str = "") -> None:
    problem = binding_problem(role=role, region=region, department=department)
    if problem:
        field, message = problem
        raise InvalidInput(f"{message} {hint}".strip(), extra={"field": field})


# --- field checks -------------------------------------------------------------------------------------

def _clean_full_name(full_name: str) -> str:
    full_name = (full_name or "").strip()
    if not full_name:
        raise InvalidInput(_("Enter the full name. 请填写姓名。"), extra={"field": "full_name"})
    if len(full_name) > FULL_NAME_MAX:
        raise InvalidInput(
            _("The name is too long: at most %(max)d characters. 姓名过长。") % {"max": FULL_NAME_MAX},
            extra={"field": "full_name"},
        )
    return full_name


def _clean_phone(phone: str) -> str:
    phone = normalize_phone(phone or "")
    if not phone:
        return ""
    try:
        validate_phone(phone)
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), extra={"field": "phone"}) from None
    return phone[:PHONE_MAX]


def _check_password(password: str, *, user: User, field: str = "password1") -> None:
    try:
        password_validation.validate_password(password or "", user=user)
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), extra={"field": field}) from None


# --- system administrator -----------------------------------------------------------------------------

@transaction.atomic
def account_create(
    *,
    actor,
    username: str,
    full_name: str,
    password: str,
    phone: str = "",
    region: Region | None = None,
    department: Department | None = None,
) -> User:
    """Create an account with the resident role and the given binding (the role is the security admin's job)."""
    _require_role(actor, Role.SYSTEM_ADMIN)
    username = (username or "").strip()
    if not username:
        raise InvalidInput(_("Enter a username. 请填写用户名。"), extra={"field": "username"})
    if len(username) > USERNAME_MAX:
        raise InvalidInput(_("The username is too long. 用户名过长。"), extra={"field": "username"})
    try:
        User._meta.get_field("username").run_validators(username)
    except ValidationError:
        raise InvalidInput(
            _("A username may contain only letters, digits and @ . + - _ characters. "
              "用户名只能包含字母、数字和 @ . + - _ 符号。"),
            extra={"field": "username"},
        ) from None
    if User.objects.filter(username__iexact=username).exists():
        raise InvalidInput(_("This username is already taken. 该用户名已被使用。"), extra={"field": "username"})
    user = User(username=username, full_name=_clean_full_name(full_name), phone=_clean_phone(phone),
                role=Role.RESIDENT, region=region, department=department)
    _check_binding(role=user.role, region=region, department=department)
    _check_password(password, user=user)
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.full_clean(exclude=["password"])
    user.save()
    return user


@transaction.atomic
def account_update(
    *,
    actor,
    user_id: int,
    full_name: str,
    phone: str = "",
    region: Region | None = None,
    department: Department | None = None,
) -> User:
    """Edit name, phone and binding; the binding must fit the account's current role."""
    _require_role(actor, Role.SYSTEM_ADMIN)
    user = _get_account(user_id)
    user.full_name = _clean_full_name(full_name)
    user.phone = _clean_phone(phone)
    _check_binding(
        role=user.role, region=region, department=department,
        hint=_("To move the account to another level, ask the security administrator to set the role to "
               "resident first. 如需变更层级，请先请安全管理员将角色改为居民。") if user.role in REGION_ROLES else "",
    )
    user.region, user.department = region, department
    user.full_clean(exclude=["password"])
    user.save(update_fields=["full_name", "phone", "region", "department"])
    return user


@transaction.atomic
def account_set_active(*, actor, user_id: int, is_active: bool) -> User:
    _require_role(actor, Role.SYSTEM_ADMIN)
    user = _get_account(user_id)
    _ensure_not_protected(actor=actor, account=user)
    if user.is_active != is_active:
        user.is_active = is_active
        user.save(update_fields=["is_active"])
    return user


@transaction.atomic
def account_reset_password(*, actor, user_id: int, password: str) -> User:
    """Set a new password (validated by AUTH_PASSWORD_VALIDATORS); the account's other sessions end."""
    _require_role(actor, Role.SYSTEM_ADMIN)
    user = _get_account(user_id)
    _ensure_not_protected(actor=actor, account=user)
    _check_password(password, user=user)
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "password_changed_at"])
    return user


# --- security administrator ---------------------------------------------------------------------------

def may_hold_special_groups_grant(role: str) -> bool:
    return role in REGION_ROLES


@transaction.atomic
def account_set_role(*, actor, user_id: int, role: str, may_view_special_groups: bool = False) -> User:
    """Change an account's role and special-groups grant; each change writes a `grant` audit row."""
    _require_role(actor, Role.SECURITY_ADMIN)
    if role not in Role.values:
        raise InvalidInput(_("Choose a valid role. 请选择有效的角色。"), extra={"field": "role"})
    user = _get_account(user_id)
    if user.pk == actor.pk:
        raise PermissionDeniedError(
            _("You cannot change your own role or grants. 不能修改自己的角色或授权。"), extra={"field": "role"}
        )
    region = Region.objects.filter(pk=user.region_id).first() if user.region_id else None
    department = Department.objects.filter(pk=user.department_id).first() if user.department_id else None
    _check_binding(
        role=role, region=region, department=department,
        hint=_("Ask the system administrator to change the account's binding first. 请先请系统管理员修改账号绑定。"),
    )
    if may_view_special_groups and not may_hold_special_groups_grant(role):
        raise InvalidInput(
            _("Only staff bound to a region can be allowed to see special-management groups. "
              "只有绑定到区域的工作人员才能被授权查看特殊人群。"),
            extra={"field": "may_view_special_groups"},
        )
    old_role, old_grant = user.role, user.may_view_special_groups
    if old_role == role and old_grant == may_view_special_groups:
        return user
    user.role, user.may_view_special_groups = role, may_view_special_groups
    user.save(update_fields=["role", "may_view_special_groups"])
    if old_role != role:
        audit_record(action=AuditLog.Action.GRANT, obj=user, detail={"from": old_role, "to": role})
    if old_grant != may_view_special_groups:
        audit_record(action=AuditLog.Action.GRANT, obj=user,
                     detail={"grant": "may_view_special_groups", "from": old_grant, "to": may_view_special_groups})
    return user


@transaction.atomic
def account_unlock(*, actor, user_id: int) -> int:
    """Clear django-axes lockouts for this account's username (from every address); returns attempts cleared."""
    from axes.utils import reset

    _require_role(actor, Role.SECURITY_ADMIN)
    user = _get_account(user_id)
    cleared = reset(username=user.get_username())
    audit_record(action=AuditLog.Action.UPDATE, obj=user, detail={"operation": "unlock", "cleared": cleared})
    return cleared
