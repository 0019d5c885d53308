"""Jurisdiction: which part of the region tree an account may read. Every data read goes through here.

A region-bound account sees its node's subtree; a grid worker also sees the grids of its active
assignments. Department handlers, residents and the three administrators see no register data.
"""

from django.db.models import Q, QuerySet

from governance.models import REGION_ROLES, Role
from grids.models import Region

_CACHE_ATTR = "_gongzhi_jurisdiction_paths"


def _minimal(paths: list[str]) -> list[str]:
    """Drop paths already covered by an ancestor path."""
    result: list[str] = []
    for path in sorted(set(paths)):
        if not any(path.startswith(kept) for kept in result):
            result.append(path)
    return result


def jurisdiction_paths(user) -> list[str]:
    if not getattr(user, "is_authenticated", False) or not user.is_active or user.role not in REGION_ROLES:
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    paths = []
    if user.region_id:
        paths.append(Region.objects.filter(pk=user.region_id).values_list("path", flat=True).first())
    if user.role == Role.GRID_WORKER:
        paths += list(
            Region.objects.filter(assignments__worker__user=user, assignments__active=True).values_list("path", flat=True)
        )
    result = _minimal([p for p in paths if p])
    setattr(user, _CACHE_ATTR, result)
    return result


def scope_q(user, field: str = "grid") -> Q:
    """A Q object limiting `<field>` (a Region foreign key, or '' for Region itself) to the user's subtree."""
    prefix = f"{field}__path__startswith" if field else "path__startswith"
    paths = jurisdiction_paths(user)
    if not paths:
        return Q(pk__in=[])
    q = Q()
    for path in paths:
        q |= Q(**{prefix: path})
    return q


def regions_visible_to(user) -> QuerySet[Region]:
    return Region.objects.filter(scope_q(user, field=""))


def jurisdiction_roots(user) -> QuerySet[Region]:
    return Region.objects.filter(path__in=jurisdiction_paths(user)).order_by("path")


def can_read_registers(user) -> bool:
    return bool(jurisdiction_paths(user))
