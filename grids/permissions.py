"""Who may do what in the registers. Reads are scoped by governance.selectors.jurisdiction; these predicates
decide actions. Services re-check them, so no path (page, API, import, command) can bypass a rule."""

from django.conf import settings

from governance.models import Role
from governance.selectors.jurisdiction import jurisdiction_paths

REGISTER_EDITORS = frozenset({Role.GRID_WORKER, Role.COMMUNITY_STAFF, Role.STREET_STAFF})
REGION_EDITORS = frozenset({Role.COMMUNITY_STAFF, Role.STREET_STAFF, Role.DISTRICT_OFFICIAL})


def can_read_registers(user) -> bool:
    return bool(jurisdiction_paths(user))


def can_edit_registers(user) -> bool:
    return can_read_registers(user) and user.role in REGISTER_EDITORS


def can_edit_regions(user) -> bool:
    return can_read_registers(user) and user.role in REGION_EDITORS


def can_view_special_groups(user) -> bool:
    if not can_read_registers(user):
        return False
    return user.may_view_special_groups or user.role in settings.GONGZHI_SPECIAL_GROUP_ROLES


def in_jurisdiction(user, region) -> bool:
    return region is not None and any(region.path.startswith(p) for p in jurisdiction_paths(user))
