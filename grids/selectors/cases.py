"""Reads behind the staff case pages (grids.views.cases): the two queues, the deadline marks and everything the
case page shows, on top of the lifecycle's scoped selectors (grids.selectors.incidents).

- `case_queue_mine`: open cases where the user or the user's unit must act now — an active assignment of the
  unit or naming the user, an unanswered whistle summons to the user's department (incident_queue_mine), plus
  the work a dispatcher or verifier finds without an assignment: a case awaiting registration, dispatch by hand,
  verification (核查) or closing in the user's jurisdiction, an extension request the user's level decides, and a
  case the deadline sweep escalated to the user's level (督办), until it is closed.
  These mirror the rules of grids.incident_permissions (which still decides each button on the case page).
- `case_queue_unit`: every case the user may see (region subtree, or the department's cases), any status; the
  page filters it to open cases by default.
- `deadline_now` / `deadline_rows`: which deadline runs, and whether it is overdue or in its warning share
  (settings.GONGZHI_DEADLINE_WARNING_SHARE, the same share the deadline sweep warns at). No queries.
- `case_page_data`: the case page's related rows in a fixed number of queries, however long the timeline is.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from governance.lib.exceptions import NotFoundOrForbidden
from governance.models import REGION_ROLES, Department, Role
from governance.selectors.jurisdiction import regions_visible_to
from grids.incident_permissions import EXTENSION_DECIDER
from grids.models import (
    Assignment,
    Category,
    ContactLog,
    ExtensionRequest,
    Incident,
    IncidentEvent,
    IncidentPhoto,
    Region,
    RegionLevel,
    Supervision,
    WhistleCall,
    WhistleSummons,
)
from grids.selectors.incidents import HANDLING, _unit_q, incident_list

S = Incident.Status
ACTIVE_STATES = (Assignment.State.PENDING, Assignment.State.SIGNED)
CASE_ROLES = REGION_ROLES | {Role.DEPARTMENT_HANDLER}
DISPATCHERS = (Role.COMMUNITY_STAFF, Role.STREET_STAFF)
# The rung of the escalation ladder (grids.services.deadlines.LADDER) each role's unit stands on.
SUPERVISING_LEVEL = {Role.COMMUNITY_STAFF: "community", Role.STREET_STAFF: "street", Role.DISTRICT_OFFICIAL: "district"}


def can_work_cases(user) -> bool:
    """Staff with a case scope: region-bound staff and department handlers (others get 404 on these pages)."""
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return False
    if user.role == Role.DEPARTMENT_HANDLER:
        return bool(user.department_id)
    return user.role in REGION_ROLES


# --- the queues ------------------------------------------------------------------------------------------------
def _actionable_q(user) -> Q:
    """Open cases waiting on this user's role without an assignment of the user's unit (see module docstring).
    The scope (the user's subtree) comes from incident_list; this only adds the statuses and conditions."""
    role = user.role
    q = Q(pk__in=[])
    if role in DISPATCHERS:
        q |= Q(status__in=[S.REPORTED, S.VERIFIED])  # register (立案); close (结案)
    if role in (*DISPATCHERS, Role.DISTRICT_OFFICIAL):
        q |= Q(status__in=[S.REGISTERED, S.RETURNED, S.REOPENED])  # dispatch by hand
    if role in (Role.GRID_WORKER, Role.COMMUNITY_STAFF):
        q |= Q(status=S.ANSWERED)  # 核查
    supervising = SUPERVISING_LEVEL.get(role)
    if supervising:  # escalated to this level by the deadline sweep (督办): followed until it is closed
        q |= Q(Exists(Supervision.objects.filter(incident=OuterRef("pk"), step=Supervision.Step.ESCALATED,
                                                 level=supervising)))
    levels = [level for level, decider in EXTENSION_DECIDER.items() if decider == role]
    if levels:
        pending = ExtensionRequest.objects.filter(incident=OuterRef("pk"), state=ExtensionRequest.State.PENDING)
        lead = Assignment.objects.filter(incident=OuterRef("pk"), role=Assignment.Role.LEAD, state__in=ACTIVE_STATES,
                                         level__in=levels)
        q |= Q(Exists(pending)) & Q(Exists(lead))
    return q


def case_queue_mine(*, user, now=None) -> QuerySet[Incident]:
    """Open cases where the user or the user's unit must act; the nearest deadline first (overdue ones lead)."""
    if not can_work_cases(user):
        return Incident.objects.none()
    mine = Q(assignee_id=user.pk) | _unit_q(user)
    q = Q(Exists(Assignment.objects.filter(mine, incident=OuterRef("pk"), state__in=ACTIVE_STATES)))
    if user.role == Role.DEPARTMENT_HANDLER:
        q |= Q(Exists(WhistleSummons.objects.filter(whistle__incident=OuterRef("pk"), department_id=user.department_id,
                                                    reported_at__isnull=True)))
    else:
        q |= _actionable_q(user)
    return incident_list(user=user, now=now).filter(q, status__in=Incident.OPEN)


def case_queue_unit(*, user, now=None) -> QuerySet[Incident]:
    """Every case in the user's jurisdiction (region staff) or on the user's department (handlers), any status."""
    if not can_work_cases(user):
        return Incident.objects.none()
    return incident_list(user=user, now=now)


def filter_regions(*, user) -> QuerySet[Region]:
    """The regions offered by the "area" filter: the user's subtree; for a department handler, the district of
    the department (its cases may lie anywhere in it)."""
    if user.role == Role.DEPARTMENT_HANDLER:
        district_path = (Department.objects.filter(pk=user.department_id)
                         .values_list("district__path", flat=True).first())
        if not district_path:
            return Region.objects.none()
        return Region.objects.filter(path__startswith=district_path, valid_to__isnull=True).order_by("path")
    return regions_visible_to(user).filter(valid_to__isnull=True).order_by("path")


# --- deadlines ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DeadlineMark:
    key: str  # sign_for / handle / verify
    due: datetime.datetime
    state: str  # running: "overdue" | "warning" | "ok"; finished: "met" | "late"; "" when not applicable
    done_at: datetime.datetime | None = None

    @property
    def running(self) -> bool:
        return self.state in ("overdue", "warning", "ok")


def _share() -> float:
    return float(getattr(settings, "GONGZHI_DEADLINE_WARNING_SHARE", 0.8))


def _handle_start(incident: Incident) -> datetime.datetime | None:
    if incident.reopen_count:  # a reopened case runs a fresh limit from its new dispatch
        return max(filter(None, [incident.registered_at, incident.dispatched_at, incident.closed_at]), default=None)
    return incident.registered_at or incident.created_at


def _running_state(start, due, now) -> str:
    if due < now:
        return "overdue"
    if start is not None and start < due and now >= start + (due - start) * _share():
        return "warning"
    return "ok"


def deadline_now(incident: Incident, now) -> DeadlineMark | None:
    """The deadline running in the case's current status (the one the queues sort by), or None."""
    status = incident.status
    if status == S.DISPATCHED and incident.sign_for_by:
        return DeadlineMark("sign_for", incident.sign_for_by,
                            _running_state(incident.dispatched_at, incident.sign_for_by, now))
    if status in HANDLING and incident.handle_by:
        return DeadlineMark("handle", incident.handle_by, _running_state(_handle_start(incident), incident.handle_by,
                                                                         now))
    if status == S.ANSWERED and incident.verify_by:
        return DeadlineMark("verify", incident.verify_by,
                            _running_state(incident.answered_at, incident.verify_by, now))
    return None


def deadline_rows(incident: Incident, now) -> list[DeadlineMark]:
    """Every deadline the case has, running (overdue / warning / ok) or finished (met / late)."""
    status = incident.status
    rows = []
    if incident.sign_for_by:
        if status == S.DISPATCHED:
            rows.append(DeadlineMark("sign_for", incident.sign_for_by,
                                     _running_state(incident.dispatched_at, incident.sign_for_by, now)))
        elif incident.signed_at:
            rows.append(DeadlineMark("sign_for", incident.sign_for_by,
                                     "met" if incident.signed_at <= incident.sign_for_by else "late",
                                     incident.signed_at))
        else:
            rows.append(DeadlineMark("sign_for", incident.sign_for_by, ""))
    if incident.handle_by:
        if status in HANDLING:
            rows.append(DeadlineMark("handle", incident.handle_by,
                                     _running_state(_handle_start(incident), incident.handle_by, now)))
        elif incident.answered_at:
            rows.append(DeadlineMark("handle", incident.handle_by,
                                     "met" if incident.answered_at <= incident.handle_by else "late",
                                     incident.answered_at))
        else:
            rows.append(DeadlineMark("handle", incident.handle_by, ""))
    if incident.verify_by:
        if status == S.ANSWERED:
            rows.append(DeadlineMark("verify", incident.verify_by,
                                     _running_state(incident.answered_at, incident.verify_by, now)))
        elif incident.closed_at:
            rows.append(DeadlineMark("verify", incident.verify_by,
                                     "met" if incident.closed_at <= incident.verify_by else "late", incident.closed_at))
        else:
            rows.append(DeadlineMark("verify", incident.verify_by, ""))
    return rows


# --- the case page -----------------------------------------------------------------------------------------------
def _ancestor_paths(path: str, steplen: int) -> list[str]:
    return [path[:n] for n in range(steplen, len(path) + 1, steplen)]


def case_page_data(*, user, incident: Incident) -> dict:
    """The case page's rows: one query each, whatever their number (events with their actors, photos, contacts,
    assignments, whistle calls with every summons, extension requests, supervision records), plus the category
    path, the place (grid → community → street), the case this one duplicates and the duplicates merged into it
    (those two scoped: only visible cases are linked)."""
    events = list(IncidentEvent.objects.filter(incident=incident).select_related("actor").order_by("created_at", "pk"))
    photos = list(IncidentPhoto.objects.filter(incident=incident).order_by("created_at", "pk"))
    contacts = list(ContactLog.objects.filter(incident=incident).select_related("by").order_by("contacted_at", "pk"))
    assignments = list(Assignment.objects.filter(incident=incident)
                       .select_related("region", "department", "assignee").order_by("created_at", "pk"))
    summonses = WhistleSummons.objects.select_related("department", "reported_by").order_by("pk")
    whistles = list(WhistleCall.objects.filter(incident=incident).select_related("caller")
                    .prefetch_related(Prefetch("summonses", queryset=summonses)).order_by("created_at", "pk"))
    extensions = list(ExtensionRequest.objects.filter(incident=incident)
                      .select_related("requested_by", "decided_by").order_by("created_at", "pk"))
    supervisions = list(Supervision.objects.filter(incident=incident).order_by("created_at", "pk"))
    category_path = list(Category.objects.filter(path__in=_ancestor_paths(incident.category.path, Category.steplen))
                         .order_by("depth").values_list("name", flat=True))
    places = {r.level: r for r in Region.objects.filter(
        path__in=_ancestor_paths(incident.grid.path, Region.steplen)[1:-1]).only("pk", "name", "level", "code")}
    visible = incident_list(user=user)
    duplicate_of = None
    if incident.duplicate_of_id:
        target = Incident.objects.filter(pk=incident.duplicate_of_id).values_list("pk", "tracking_code").first()
        duplicate_of = {"pk": target[0], "code": target[1],
                        "visible": visible.filter(pk=target[0]).exists()} if target else None
    duplicates = list(visible.filter(duplicate_of=incident).order_by("pk").values_list("pk", "tracking_code"))
    building = incident.building if incident.building_id else None
    return {
        "events": events,
        "photos": photos,
        "contacts": contacts,
        "assignments": assignments,
        "whistles": whistles,
        "extensions": extensions,
        "supervisions": supervisions,
        "category_path": category_path,
        "street": places.get(RegionLevel.STREET),
        "community": places.get(RegionLevel.COMMUNITY),
        "building": building,
        "duplicate_of": duplicate_of,
        "duplicates": duplicates,
    }


def case_photo(*, incident: Incident, photo_id) -> IncidentPhoto:
    """A photo of a case the caller already fetched through access_incident (so: in scope)."""
    try:
        return IncidentPhoto.objects.get(pk=int(photo_id), incident=incident)
    except (IncidentPhoto.DoesNotExist, ValueError, TypeError):
        raise NotFoundOrForbidden(_("Photo not found. 照片不存在。")) from None


# --- choices for the action forms -----------------------------------------------------------------------------------
def _district_path(incident: Incident) -> str:
    return incident.grid.path[: Region.steplen]


def district_departments(incident: Incident) -> QuerySet[Department]:
    """Active departments of the case's district (dispatch, co-handlers, whistle)."""
    return Department.objects.filter(district__path=_district_path(incident), is_active=True).order_by("code")


def dispatch_regions(*, user, incident: Incident) -> list[Region]:
    """The region units a case can be dispatched to by this user: its grid, community and (street or district
    staff) its street."""
    levels = [RegionLevel.GRID, RegionLevel.MICRO_GRID, RegionLevel.COMMUNITY]
    if user.role != Role.COMMUNITY_STAFF:
        levels.append(RegionLevel.STREET)
    paths = _ancestor_paths(incident.grid.path, Region.steplen)
    return list(Region.objects.filter(path__in=paths, level__in=levels, valid_to__isnull=True).order_by("path"))


def co_handler_regions(incident: Incident) -> list[Region]:
    """Region units offered as co-handlers (协办): the streets and communities of the district and the grids of the
    case's community (the service accepts any current grid of the district)."""
    community_path = incident.grid.path[: Region.steplen * 3]
    return list(Region.objects.filter(valid_to__isnull=True, path__startswith=_district_path(incident))
                .filter(Q(level__in=[RegionLevel.STREET, RegionLevel.COMMUNITY])
                        | Q(level__in=[RegionLevel.GRID, RegionLevel.MICRO_GRID], path__startswith=community_path))
                .order_by("path"))


def summonses_to_report(*, user, incident: Incident) -> QuerySet[WhistleSummons]:
    """The user's department's summonses on this case not yet reported in."""
    if user.role != Role.DEPARTMENT_HANDLER or not user.department_id:
        return WhistleSummons.objects.none()
    return (WhistleSummons.objects.filter(whistle__incident=incident, department_id=user.department_id,
                                          reported_at__isnull=True).select_related("whistle").order_by("pk"))


def pending_extension(incident: Incident) -> ExtensionRequest | None:
    return (ExtensionRequest.objects.filter(incident=incident, state=ExtensionRequest.State.PENDING)
            .select_related("requested_by").first())


def visible_case_by_code(*, user, code: str) -> Incident | None:
    code = (code or "").strip().upper()
    if not code or len(code) > 20:
        return None
    return incident_list(user=user).filter(tracking_code=code).first()


def lead_unit(incident: Incident):
    """The active lead assignment from the queue's prefetch (`active_assignments`), or None."""
    for assignment in getattr(incident, "active_assignments", []):
        if assignment.role == Assignment.Role.LEAD:
            return assignment
    return None
