"""Reads for the Open311 server: the service list (active category leaves) and the public request queryset.

Every query the serializers need is made here (select_related/prefetch/annotations), so a list of 1000 requests
costs the same handful of queries as a list of one."""

import datetime
from dataclasses import dataclass, field

from django.db.models import F, Prefetch, Q, QuerySet

from grids.models import Assignment, Category, Incident, IncidentEvent, IncidentStatus

# Open311 has two states. Everything that is still being worked on, or may be again, is "open".
# Cases are filed under 细类 (level 3) or deeper, as grids.services.categories.REPORTABLE_DEPTH says.
REPORTABLE_DEPTH = 3
CLOSED_STATUSES = (IncidentStatus.CLOSED, IncidentStatus.RATED, IncidentStatus.REJECTED, IncidentStatus.MERGED)


@dataclass(frozen=True)
class Service:
    category: Category
    group: str                      # name of the top-level class (大类)
    breadcrumb: list[str] = field(default_factory=list)


def _service_from(node: Category, by_path: dict[str, Category], has_active_child: bool) -> Service | None:
    """A Service when a case may be filed under `node` (the rule of grids.services.categories
    .category_is_reportable): active, a 细类 (depth ≥ 3), every ancestor active, no active sub-category."""
    if not node.is_active or node.depth < REPORTABLE_DEPTH or has_active_child:
        return None
    ancestors = [by_path.get(node.path[: node.steplen * depth]) for depth in range(1, node.depth)]
    if any(a is None or not a.is_active for a in ancestors):
        return None
    names = [a.name for a in ancestors] + [node.name]
    return Service(category=node, group=names[0], breadcrumb=names)


def service_list() -> list[Service]:
    """The reportable categories of both trees (事件 and 部件), in tree order. One query, whatever the size."""
    nodes = list(Category.objects.order_by("path"))
    by_path = {node.path: node for node in nodes}
    parents_of_active = {node.path[: -node.steplen] for node in nodes if node.is_active and node.depth > 1}
    services = (_service_from(node, by_path, node.path in parents_of_active) for node in nodes)
    return [s for s in services if s is not None]


def service_get(service_code: str) -> Service | None:
    """Two queries: the node, then its ancestors and active children together."""
    node = Category.objects.filter(code=service_code).first()
    if node is None or not node.is_active or node.depth < REPORTABLE_DEPTH:
        return None
    prefixes = [node.path[: node.steplen * depth] for depth in range(1, node.depth)]
    related = list(Category.objects.filter(Q(path__in=prefixes)
                                           | Q(path__startswith=node.path, depth=node.depth + 1, is_active=True)))
    by_path = {a.path: a for a in related if a.depth < node.depth}
    return _service_from(node, by_path, any(a.depth > node.depth for a in related))


def _request_queryset() -> QuerySet[Incident]:
    leads = (Assignment.objects.filter(role=Assignment.Role.LEAD)
             .exclude(state__in=[Assignment.State.RETURNED, Assignment.State.WITHDRAWN])
             .select_related("department", "region").order_by("-created_at", "-id"))
    reasons = (IncidentEvent.objects.filter(public=True, to_status__in=[IncidentStatus.REJECTED, IncidentStatus.MERGED])
               .exclude(note="").only("id", "incident_id", "note", "created_at").order_by("-created_at", "-id"))
    return (Incident.objects
            .select_related("category", "grid")
            .annotate(duplicate_code=F("duplicate_of__tracking_code"))
            .prefetch_related(Prefetch("assignments", queryset=leads, to_attr="open311_leads"),
                              Prefetch("events", queryset=reasons, to_attr="open311_reasons")))


def request_list(*, ids: list[str] | None = None, service_codes: list[str] | None = None,
                 statuses: list[str] | None = None, start: datetime.datetime | None = None,
                 end: datetime.datetime | None = None) -> QuerySet[Incident]:
    """Public Open311 requests, newest first. `ids` (tracking codes) overrides every other filter (spec)."""
    qs = _request_queryset().order_by("-created_at", "-id")
    if ids:
        return qs.filter(tracking_code__in=ids)
    if service_codes:
        qs = qs.filter(category__code__in=service_codes)
    wanted = set(statuses or [])
    if wanted == {"open"}:
        qs = qs.exclude(status__in=CLOSED_STATUSES)
    elif wanted == {"closed"}:
        qs = qs.filter(status__in=CLOSED_STATUSES)
    if start is not None:
        qs = qs.filter(created_at__gte=start)
    if end is not None:
        qs = qs.filter(created_at__lte=end)
    return qs


def request_get(service_request_id: str) -> Incident | None:
    return _request_queryset().filter(tracking_code=service_request_id).first()


def request_exists(service_request_id: str) -> bool:
    return Incident.objects.filter(tracking_code=service_request_id).exists()
