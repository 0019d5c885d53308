"""Reads of cases, scoped to the user:
- region-bound staff (grid worker, community, street, district) see cases whose grid is in their subtree;
- department handlers see cases their department has (or had) an assignment on, or was summoned to (吹哨);
- everybody else (residents, the three administrators, anonymous) sees none.
A case outside the scope is a 404, like a missing one (`access_incident`).

Lists carry what a list renders in a fixed number of queries (grid, category, the active assignments with their
units and people), an `is_overdue` flag and `next_deadline`, and are ordered by the nearest deadline first."""

from django.db.models import BooleanField, Case, DateTimeField, Exists, F, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.lib.exceptions import NotFoundOrForbidden
from governance.models import REGION_ROLES, Role
from governance.selectors.jurisdiction import jurisdiction_paths, scope_q
from grids.models import Assignment, HandlingLevel, Incident, IncidentEvent, WhistleSummons

S = Incident.Status
ACTIVE_STATES = (Assignment.State.PENDING, Assignment.State.SIGNED)
# Statuses in which the handling deadline runs (the case is not yet answered).
HANDLING = (S.REGISTERED, S.DISPATCHED, S.RETURNED, S.SIGNED, S.IN_HAND, S.REOPENED)


def _visible_q(user) -> Q:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    if user.role in REGION_ROLES:
        return scope_q(user, field="grid")
    if user.role == Role.DEPARTMENT_HANDLER and user.department_id:
        return Q(Exists(Assignment.objects.filter(incident=OuterRef("pk"), department_id=user.department_id))) | Q(
            Exists(WhistleSummons.objects.filter(whistle__incident=OuterRef("pk"), department_id=user.department_id)))
    return Q(pk__in=[])


def _annotated(qs: QuerySet[Incident], *, now) -> QuerySet[Incident]:
    overdue = (Q(status__in=HANDLING, handle_by__lt=now) | Q(status=S.DISPATCHED, sign_for_by__lt=now)
               | Q(status=S.ANSWERED, verify_by__lt=now))
    active = (Assignment.objects.filter(state__in=ACTIVE_STATES)
              .select_related("region", "department", "assignee").order_by("role", "pk"))
    return (qs.select_related("grid", "category")
            .prefetch_related(Prefetch("assignments", queryset=active, to_attr="active_assignments"))
            .annotate(
                is_overdue=Case(When(overdue, then=Value(True)), default=Value(False), output_field=BooleanField()),
                next_deadline=Case(
                    When(status=S.DISPATCHED, then="sign_for_by"),
                    When(status__in=HANDLING, then="handle_by"),
                    When(status=S.ANSWERED, then="verify_by"),
                    default=Value(None), output_field=DateTimeField()),
            )
            .order_by(F("next_deadline").asc(nulls_last=True), "-created_at", "-pk"))


def incident_list(*, user, now=None) -> QuerySet[Incident]:
    """Every case the user may see (any status), nearest deadline first."""
    now = now or timezone.now()
    return _annotated(Incident.objects.filter(_visible_q(user)), now=now)


def access_incident(*, user, incident_id) -> Incident:
    """Fetch and authorise in one step: a case outside the scope looks exactly like a missing one."""
    try:
        return incident_list(user=user).get(pk=incident_id)
    except (Incident.DoesNotExist, ValueError, TypeError):
        raise NotFoundOrForbidden(_("Case not found. 案件不存在或不在您的管辖范围内。")) from None


def _unit_q(user) -> Q:
    """Assignments held by the user's unit (see grids.incident_permissions.acts_for)."""
    if user.role == Role.DEPARTMENT_HANDLER and user.department_id:
        return Q(department_id=user.department_id)
    if user.role == Role.GRID_WORKER:
        paths = jurisdiction_paths(user)
        return scope_q(user, field="region") & Q(level=HandlingLevel.GRID) if paths else Q(pk__in=[])
    level = {Role.COMMUNITY_STAFF: HandlingLevel.COMMUNITY, Role.STREET_STAFF: HandlingLevel.STREET}.get(user.role)
    if level is not None and user.region_id:
        return Q(region_id=user.region_id, level=level, department__isnull=True)
    return Q(pk__in=[])


def incident_queue_mine(*, user, now=None) -> QuerySet[Incident]:
    """My work: open cases with an active assignment naming me, or a pending/signed assignment of my unit, or an
    unanswered whistle summons to my department."""
    if not getattr(user, "is_authenticated", False):
        return Incident.objects.none()
    mine = Q(assignee_id=user.pk) | _unit_q(user)
    q = Q(Exists(Assignment.objects.filter(mine, incident=OuterRef("pk"), state__in=ACTIVE_STATES)))
    if user.role == Role.DEPARTMENT_HANDLER and user.department_id:
        q |= Q(Exists(WhistleSummons.objects.filter(whistle__incident=OuterRef("pk"), department_id=user.department_id,
                                                    reported_at__isnull=True)))
    return incident_list(user=user, now=now).filter(q, status__in=Incident.OPEN)


def incident_queue_unit(*, user, now=None) -> QuerySet[Incident]:
    """My unit's view: every open case in my jurisdiction (region staff) or on my department (handlers)."""
    return incident_list(user=user, now=now).filter(status__in=Incident.OPEN)


def incident_by_tracking_code(code) -> Incident | None:
    """Public tracking (no account): the case with this code and its public events (`public_events`), or None.
    Callers show only non-personal fields (no reporter data)."""
    code = (code or "").strip().upper()
    if not code or len(code) > 20:
        return None
    public = IncidentEvent.objects.filter(public=True).order_by("created_at", "pk")
    return (Incident.objects.select_related("category", "grid", "duplicate_of")
            .prefetch_related(Prefetch("events", queryset=public, to_attr="public_events"))
            .filter(tracking_code=code).first())
