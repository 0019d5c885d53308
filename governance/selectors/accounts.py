"""Account reads for the system administrator and the security administrator.

Both see every account's username, name, role and binding (that is their job) but nothing from the
registers; phone numbers appear only on the system administrator's edit form."""

from axes.helpers import get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.lib.exceptions import NotFoundOrForbidden
from governance.models import Department, Role, User
from grids.models import Region, RegionLevel

BINDABLE_LEVELS = [RegionLevel.DISTRICT, RegionLevel.STREET, RegionLevel.COMMUNITY, RegionLevel.GRID]


def _allowed(actor, role: str) -> bool:
    return bool(actor is not None and getattr(actor, "is_authenticated", False) and actor.is_active
                and actor.role == role)


def _require(actor, role: str) -> None:
    if not _allowed(actor, role):
        raise NotFoundOrForbidden(_("Not found. 未找到。"))


def is_system_admin(user) -> bool:
    return _allowed(user, Role.SYSTEM_ADMIN)


def is_security_admin(user) -> bool:
    return _allowed(user, Role.SECURITY_ADMIN)


def _base_accounts() -> QuerySet[User]:
    return (User.objects.select_related("region", "department")
            .only("id", "username", "full_name", "role", "is_active", "is_superuser", "last_login",
                  "may_view_special_groups", "region__id", "region__name", "region__level", "region__code",
                  "department__id", "department__name", "department__code")
            .order_by("username", "id"))


def search_accounts(queryset: QuerySet[User], text: str) -> QuerySet[User]:
    text = (text or "").strip()
    if not text:
        return queryset
    return queryset.filter(Q(username__icontains=text) | Q(full_name__icontains=text)
                           | Q(region__name__icontains=text) | Q(department__name__icontains=text))


def account_list(*, actor) -> QuerySet[User]:
    """All accounts, for the system administrator's list."""
    _require(actor, Role.SYSTEM_ADMIN)
    return _base_accounts()


def account_get(*, actor, user_id: int) -> User:
    """One account for the system administrator's forms (phone included)."""
    _require(actor, Role.SYSTEM_ADMIN)
    account = User.objects.select_related("region", "department").filter(pk=user_id).first()
    if account is None:
        raise NotFoundOrForbidden(_("Account not found. 未找到该账号。"))
    return account


def _locked_q() -> Exists:
    attempts = AccessAttempt.objects.filter(username=OuterRef("username"),
                                            failures_since_start__gte=get_failure_limit(None, None))
    cool_off = get_cool_off()
    if cool_off:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    return Exists(attempts)


def grant_list(*, actor) -> QuerySet[User]:
    """All accounts with role, grant and lockout state, for the security administrator."""
    _require(actor, Role.SECURITY_ADMIN)
    return _base_accounts().annotate(is_locked=_locked_q())


def grant_account_get(*, actor, user_id: int) -> User:
    _require(actor, Role.SECURITY_ADMIN)
    account = grant_list(actor=actor).filter(pk=user_id).first()
    if account is None:
        raise NotFoundOrForbidden(_("Account not found. 未找到该账号。"))
    return account


def bindable_regions() -> QuerySet[Region]:
    """Current nodes an account can be bound to, in tree order."""
    current = Q(valid_to__isnull=True) | Q(valid_to__gte=timezone.localdate())
    return (Region.objects.filter(current, level__in=BINDABLE_LEVELS)
            .only("id", "name", "level", "code", "depth", "path").order_by("path"))


def bindable_departments() -> QuerySet[Department]:
    return Department.objects.filter(is_active=True).only("id", "name", "code").order_by("code")
