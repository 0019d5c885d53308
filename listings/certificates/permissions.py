"""Who may do what with certificates. Small predicates; the services check them again.

- residents ask online, read their own requests and download their own issued certificates;
- community staff enter walk-in requests, read their community's register, and issue, refuse and revoke;
- street staff and district officials read the register of their subtree (read only);
- everyone else (grid workers, department handlers, administrators) has no business here: 404.
"""

from governance.models import Role
from governance.selectors.jurisdiction import jurisdiction_paths

REGISTER_ROLES = frozenset({Role.COMMUNITY_STAFF, Role.STREET_STAFF, Role.DISTRICT_OFFICIAL})


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def is_resident(user) -> bool:
    return _active(user) and user.role == Role.RESIDENT


def can_read_register(user) -> bool:
    return _active(user) and user.role in REGISTER_ROLES and bool(jurisdiction_paths(user))


def can_handle_community(user, community) -> bool:
    """Community staff of this community (its subtree holds their jurisdiction root) may issue, refuse, revoke and
    enter walk-ins for it."""
    if not _active(user) or user.role != Role.COMMUNITY_STAFF or community is None:
        return False
    return any(community.path.startswith(path) for path in jurisdiction_paths(user))


def can_handle(user, request) -> bool:
    return can_handle_community(user, request.community)


def can_enter_walk_in(user) -> bool:
    return _active(user) and user.role == Role.COMMUNITY_STAFF and bool(jurisdiction_paths(user))
