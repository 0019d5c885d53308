"""Every way a case comes in through a page: the resident's web form, a grid worker's patrol report, staff entry
of a walk-in or a phone call. (12345 files: grids.services.hotline; Open311: grids.open311.)

Each entry point checks who may use it, then calls the lifecycle's `incident_report` and stores the photos in
ONE transaction: a case never exists without the photos that came with it, nor photos without their case. If
anything fails, the photo files already written are removed again. Dispatch is enqueued by `incident_report`
on commit, so it never sees a half-written case.

Who may enter cases (re-checked here, whatever page or script calls):
- patrol: grid workers, into the grids of their own jurisdiction (their grid, micro-grids, assignments);
- staff entry (walk-in, phone): community and street staff, into grids of their jurisdiction;
- the web form: anyone, no account.
"""

from django.db import transaction

from governance.lib.exceptions import PermissionDeniedError
from governance.models import Role
from grids.models import Channel, RequestType, Urgency
from grids.services.photos import photos_attach, photos_discard

PATROL_ROLES = frozenset({Role.GRID_WORKER})
STAFF_ENTRY_ROLES = frozenset({Role.COMMUNITY_STAFF, Role.STREET_STAFF})
STAFF_CHANNELS = (Channel.WALK_IN, Channel.PHONE)

# The fields of incident_report a page may pass (the rest are set here: channel, reported_by, hotline ids).
REPORT_FIELDS = ("request_type", "category", "title", "description", "grid", "building", "address", "latitude",
                 "longitude", "reporter_name", "reporter_phone", "anonymous", "urgency")


def _has_jurisdiction(user) -> bool:
    from governance.selectors.jurisdiction import jurisdiction_paths

    return bool(jurisdiction_paths(user))


def can_patrol(user) -> bool:
    return getattr(user, "is_authenticated", False) and user.role in PATROL_ROLES and _has_jurisdiction(user)


def can_enter_cases(user) -> bool:
    """Staff entry of walk-ins and phone calls, and the 12345 import."""
    return getattr(user, "is_authenticated", False) and user.role in STAFF_ENTRY_ROLES and _has_jurisdiction(user)


def _ensure_grid_in_jurisdiction(user, grid) -> None:
    from grids.permissions import in_jurisdiction

    if not in_jurisdiction(user, grid):
        raise PermissionDeniedError("grid outside the jurisdiction", extra={"grid": getattr(grid, "pk", None)})


def _report(*, channel: str, data: dict, photos, reported_by=None, now=None):
    from grids.services.incidents import incident_report  # lifecycle module (imported lazily: see the contract)

    fields = {name: data[name] for name in REPORT_FIELDS if name in data and data[name] is not None}
    stored: list = []
    try:
        with transaction.atomic():
            incident = incident_report(channel=channel, reported_by=reported_by, now=now, **fields)
            photos_attach(incident=incident, photos=photos or [], uploaded_by=reported_by, stored=stored)
    except BaseException:
        photos_discard(stored)
        raise
    return incident


def intake_web_report(*, data: dict, photos=(), now=None):
    """A resident's report from the public form (no account)."""
    data = {**data, "urgency": Urgency.NORMAL}  # residents do not set urgency; the category and staff do
    return _report(channel=Channel.WEB, data=data, photos=photos, now=now)


def intake_patrol_report(*, actor, data: dict, photos=(), now=None):
    """A grid worker's report from patrol: their own grids only; they are the reporter."""
    if not can_patrol(actor):
        raise PermissionDeniedError("only grid workers file patrol reports")
    _ensure_grid_in_jurisdiction(actor, data.get("grid"))
    data = {**data, "reporter_name": "", "reporter_phone": "", "anonymous": False}
    data.setdefault("request_type", RequestType.OTHER)
    return _report(channel=Channel.PATROL, data=data, photos=photos, reported_by=actor, now=now)


def intake_staff_entry(*, actor, channel: str, data: dict, photos=(), now=None):
    """Community or street staff entering a walk-in or a phone call for a caller."""
    if not can_enter_cases(actor):
        raise PermissionDeniedError("only community and street staff enter cases")
    if channel not in STAFF_CHANNELS:
        raise PermissionDeniedError("staff entry is for walk-ins and phone calls")
    _ensure_grid_in_jurisdiction(actor, data.get("grid"))
    return _report(channel=channel, data=data, photos=photos, reported_by=actor, now=now)
