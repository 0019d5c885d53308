"""任务派遣: give a registered, returned or reopened case its lead unit.

`incident_dispatch` is idempotent and safe under concurrency on SQLite and PostgreSQL alike: it claims the case
with a compare-and-set on (status, dispatch_attempts) before anything else, so of two runners (the on-commit task
and the sweep, or a task delivered twice) exactly one creates the lead Assignment and the DISPATCHED event; the
other sees the claim fail (or the status moved on) and returns the case unchanged. The one-active-lead
constraint backs this up.

Routing (grids.services.routing): a first dispatch follows the category leaf; after a return (退单) or a reopen
the case goes one level up from the last lead unit, or to the street centre, never to a unit that returned it.
When no unit is left, the case waits in its status and the street centre and district are notified to dispatch
it by hand (`incident_dispatch(..., actor=..., region=... | department=...)`)."""

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.lib.exceptions import InvalidTransition, NotFoundOrForbidden
from governance.models import Role
from governance.services.notifications import notify
from grids.incident_permissions import check
from grids.models import Assignment, HandlingLevel, Incident, Region, RegionLevel
from grids.services.incidents import _transition, case_deadline, case_limits, case_url
from grids.services.routing import (
    Route,
    district_officials,
    route,
    route_up,
    street_of,
    unit_accounts,
    unit_key,
)

logger = logging.getLogger(__name__)

S = Incident.Status
DISPATCHABLE = (S.REGISTERED, S.RETURNED, S.REOPENED)
# A case registered, returned or reopened this recently may still have its dispatch task in flight.
PENDING_GRACE = datetime.timedelta(seconds=30)
# The sweep stops retrying a case it could not route this many times (manual dispatch still works).
MAX_AUTO_ATTEMPTS = 10


def _auto_route(incident: Incident) -> Route | None:
    leads = list(incident.assignments.filter(role=Assignment.Role.LEAD).select_related("region", "department")
                 .order_by("-created_at", "-pk"))
    if not leads:
        return route(category=incident.category, grid=incident.grid)
    returned = {unit_key(region_id=a.region_id, department_id=a.department_id)
                for a in leads if a.state == Assignment.State.RETURNED}
    return route_up(category=incident.category, grid=incident.grid, level=leads[0].level, exclude=returned)


def _manual_route(incident: Incident, *, actor, region, department) -> Route:
    check(actor, "dispatch", incident)
    if (region is None) == (department is None):
        raise ValidationError({"__all__": _("Choose one unit: a region or a department. 请选择一个承办单位。")})
    if department is not None:
        if not department.is_active:
            raise ValidationError({"department": _("Choose an active department. 请选择有效的部门。")})
        return Route(level=HandlingLevel.DEPARTMENT, department=department)
    levels = {RegionLevel.GRID: HandlingLevel.GRID, RegionLevel.MICRO_GRID: HandlingLevel.GRID,
              RegionLevel.COMMUNITY: HandlingLevel.COMMUNITY, RegionLevel.STREET: HandlingLevel.STREET}
    if (not isinstance(region, Region) or region.level not in levels or region.valid_to is not None
            or not incident.grid.path.startswith(region.path)):
        raise ValidationError({"region": _("Choose the case's grid, community or street. 请选择案件所在的网格、社区或街道。")})
    if actor.role == Role.COMMUNITY_STAFF and region.level == RegionLevel.STREET:
        raise ValidationError({"region": _("A community dispatches within the community. 社区只能在本社区内派单。")})
    return Route(level=levels[region.level], region=region)


def incident_dispatch(*, incident_id, now=None, actor=None, region=None, department=None, note: str = "") -> Incident:
    """Dispatch a REGISTERED, RETURNED or REOPENED case to its lead unit (→ DISPATCHED), notify the unit.

    Without `actor`: automatic routing; any other status is a harmless no-op (a repeated task). With `actor` and a
    `region` or `department`: the dispatching centre chooses the unit (street staff or district officials within
    jurisdiction; community staff within their community)."""
    return _dispatch(incident_id=incident_id, now=now, actor=actor, region=region, department=department,
                     note=note)[0]


def _dispatch(*, incident_id, now, actor, region, department, note) -> tuple[Incident | None, bool]:
    """(the case, whether this call dispatched it)."""
    now = now or timezone.now()
    manual = actor is not None
    with transaction.atomic():
        row = Incident.objects.filter(pk=incident_id).values_list("status", "dispatch_attempts").first()
        if row is None:
            if manual:
                raise NotFoundOrForbidden(_("Case not found. 案件不存在。"))
            logger.warning("incident %s to dispatch does not exist", incident_id)
            return None, False
        status, attempts = row
        if status not in DISPATCHABLE:
            if manual:
                raise InvalidTransition(_("This case has already been dispatched. 案件已派遣。"),
                                        extra={"current": status, "target": S.DISPATCHED})
            return Incident.objects.get(pk=incident_id), False
        # Compare-and-set claim: only one concurrent runner moves the counter from `attempts`.
        claimed = (Incident.objects.filter(pk=incident_id, status=status, dispatch_attempts=attempts)
                   .update(dispatch_attempts=attempts + 1))
        if not claimed:
            return Incident.objects.get(pk=incident_id), False
        incident = (Incident.objects.select_for_update(of=("self",))
                    .select_related("grid", "category", "category__department").get(pk=incident_id))
        if incident.status != status:  # cannot happen after a successful claim; kept as a guard
            return incident, False
        target = (_manual_route(incident, actor=actor, region=region, department=department) if manual
                  else _auto_route(incident))
        if target is None:
            _notify_undispatchable(incident)
            return incident, False
        assignment = Assignment.objects.create(
            incident=incident, role=Assignment.Role.LEAD, level=target.level, region=target.region,
            department=target.department, assignee=target.assignee, state=Assignment.State.PENDING)
        limits = case_limits(incident)
        sign_for_by = case_deadline(incident, now, limits.sign_for_hours)
        if incident.handle_by is not None:
            sign_for_by = min(sign_for_by, incident.handle_by)
        _transition(incident, to=S.DISPATCHED, actor=actor, public=True,
                    note=" ".join(filter(None, [str(target.unit), (note or "").strip()[:1000]])),
                    updates={"dispatched_at": now, "sign_for_by": sign_for_by, "handling_level": target.level})
        recipients = unit_accounts(level=target.level, region=target.region, department=target.department)
        if target.assignee is not None:
            recipients.append(target.assignee)
        notify(recipients=recipients, kind="incident_dispatched",
               title=_("New case %(code)s: %(title)s 新派单") % {"code": incident.tracking_code,
                                                                 "title": incident.title},
               body=_("Sign for it by %(due)s. 请按时签收。") % {"due": f"{timezone.localtime(sign_for_by):%Y-%m-%d %H:%M}"},
               url=case_url(incident), obj=incident, dedupe_key=f"dispatch:{incident.pk}:{assignment.pk}")
        return incident, True


def _notify_undispatchable(incident: Incident) -> None:
    round_no = incident.assignments.count()
    recipients = (unit_accounts(level=HandlingLevel.STREET, region=street_of(incident.grid))
                  + district_officials(incident.grid))
    notify(recipients=recipients, kind="incident_undispatchable",
           title=_("Case %(code)s needs dispatching by hand 案件需人工派遣") % {"code": incident.tracking_code},
           body=incident.title, url=case_url(incident), obj=incident,
           dedupe_key=f"undispatchable:{incident.pk}:{round_no}")


def incident_dispatch_pending(*, now=None, batch_size: int = 200) -> int:
    """Sweep: dispatch cases left REGISTERED, RETURNED or REOPENED for more than 30 s (their task was lost).
    Each case in its own transaction; safe to run twice or concurrently. Returns how many were dispatched."""
    now = now or timezone.now()
    ids = list(Incident.objects
               .filter(status__in=DISPATCHABLE, updated_at__lt=now - PENDING_GRACE,
                       dispatch_attempts__lt=MAX_AUTO_ATTEMPTS)
               .order_by("updated_at", "pk").values_list("pk", flat=True)[:batch_size])
    dispatched = 0
    for pk in ids:
        try:
            _incident, done = _dispatch(incident_id=pk, now=now, actor=None, region=None, department=None, note="")
        except Exception:  # one bad case must not stop the sweep
            logger.exception("dispatch of incident %s failed in the sweep", pk)
            continue
        dispatched += done
    return dispatched
