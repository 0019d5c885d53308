"""Reads of the roster, scoped: a worker is visible when their community is in the user's jurisdiction."""

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from governance.lib.exceptions import NotFoundOrForbidden
from governance.models import Role, User
from governance.selectors.jurisdiction import jurisdiction_paths, regions_visible_to, scope_q
from grids.models import Region, RegionLevel
from workforce.models import GridAssignment, Worker


def _worker_scope(user) -> Q:
    """Workers of communities in the subtree, plus (for a grid worker) the workers assigned to their grids."""
    paths = jurisdiction_paths(user)
    if not paths:
        return Q(pk__in=[])
    q = Q()
    for path in paths:
        q |= Q(community__path__startswith=path) | Q(assignments__grid__path__startswith=path, assignments__active=True)
        # A grid-level path never matches a community path as prefix; the assignment clause covers it.
    return q


def worker_list(*, user) -> QuerySet[Worker]:
    ids = Worker.objects.filter(_worker_scope(user)).values("pk")
    active = GridAssignment.objects.filter(active=True).select_related("grid").order_by("grid__code")
    return (Worker.objects.filter(pk__in=ids).select_related("community", "user")
            .prefetch_related(Prefetch("assignments", queryset=active, to_attr="active_assignments"))
            .annotate(grid_count=Count("assignments", filter=Q(assignments__active=True), distinct=True))
            .order_by("community__code", "name", "id"))


def access_worker(*, user, worker_id) -> Worker:
    try:
        return worker_list(user=user).get(pk=worker_id)
    except (Worker.DoesNotExist, ValueError, TypeError):
        raise NotFoundOrForbidden(_("Worker not found. 社区工作者不存在或不在您的管辖范围内。")) from None


def workers_on_grid(*, grid: Region) -> QuerySet[Worker]:
    """Active workers assigned to a grid (used by dispatch later)."""
    return Worker.objects.filter(assignments__grid=grid, assignments__active=True, is_active=True).distinct()


def worker_assignments(*, worker: Worker) -> QuerySet[GridAssignment]:
    """All grid assignments of one (already authorised) worker, current first."""
    return worker.assignments.select_related("grid").order_by("-active", "grid__code", "-since", "-id")


def community_choices(*, user) -> QuerySet[Region]:
    """Current communities in the user's jurisdiction (where a worker may be put on the roster)."""
    return regions_visible_to(user).filter(level=RegionLevel.COMMUNITY, valid_to__isnull=True).order_by("path")


def assignable_grids(*, user, worker: Worker) -> QuerySet[Region]:
    """Current grids and micro-grids of the worker's community that are also in the user's jurisdiction."""
    return (regions_visible_to(user)
            .filter(path__startswith=worker.community.path, level__in=[RegionLevel.GRID, RegionLevel.MICRO_GRID],
                    valid_to__isnull=True)
            .order_by("path"))


def linkable_accounts(*, user, worker: Worker | None = None):
    """Active grid-worker accounts bound inside the user's jurisdiction and not yet linked to another worker
    (the service narrows this to the worker's own community)."""
    free = Q(worker__isnull=True)
    if worker is not None and worker.pk:
        free |= Q(worker=worker)
    return (User.objects.filter(scope_q(user, field="region"), free, role=Role.GRID_WORKER, is_active=True)
            .select_related("region").order_by("region__path", "username"))
