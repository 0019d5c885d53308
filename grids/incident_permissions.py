"""Who may do what on a case, now: role and relationship (`*_rule`), and the statuses an action needs
(`ACTION_STATES`). The case page shows `allowed_actions(user, incident)`; every service calls `check(...)`, so no
path (page, API, task, command) can bypass a rule.

Units: a region node (grid, community, street) or a department. A user acts for
  - a grid unit: a grid worker whose jurisdiction covers that grid (assigned to it or bound to it), or the
    assignment's named assignee;
  - a community / street unit: community / street staff bound to exactly that node;
  - a department unit: a department handler of that department.
"""

from django.utils.translation import gettext as _

from governance.lib.exceptions import InvalidTransition, PermissionDeniedError
from governance.models import Role
from grids.models import Assignment, ExtensionRequest, HandlingLevel, Incident, IncidentStatus, WhistleSummons
from grids.permissions import in_jurisdiction

S = IncidentStatus
ACTIVE_STATES = (Assignment.State.PENDING, Assignment.State.SIGNED)
DISPATCHER_ROLES = frozenset({Role.COMMUNITY_STAFF, Role.STREET_STAFF})

ACTIONS = (
    "register", "dispatch", "reject", "merge", "sign_for", "return", "start", "contact", "answer", "verify",
    "close", "whistle", "report_in", "extension_request", "extension_decide", "add_co_handler",
)

# The statuses in which each action is possible at all (then the actor rule decides).
ACTION_STATES = {
    "register": {S.REPORTED},
    "dispatch": {S.REGISTERED, S.RETURNED, S.REOPENED},
    "reject": {S.REPORTED, S.REGISTERED, S.DISPATCHED, S.RETURNED},
    "merge": {S.REPORTED, S.REGISTERED, S.DISPATCHED, S.RETURNED},
    "sign_for": {S.DISPATCHED, S.SIGNED, S.IN_HAND},  # the lead signs in DISPATCHED; co-handlers later too
    "return": {S.DISPATCHED, S.SIGNED},
    "start": {S.SIGNED},
    "contact": {S.SIGNED, S.IN_HAND, S.ANSWERED},
    "answer": {S.IN_HAND},
    "verify": {S.ANSWERED},
    "close": {S.VERIFIED},
    "whistle": {S.DISPATCHED, S.SIGNED, S.IN_HAND},
    "report_in": set(S.values),  # a late report-in is still recorded
    "extension_request": {S.SIGNED, S.IN_HAND},
    "extension_decide": set(Incident.OPEN),
    "add_co_handler": {S.DISPATCHED, S.SIGNED, S.IN_HAND},
}

# Who decides an extension, by the lead unit's level: one level up.
EXTENSION_DECIDER = {
    HandlingLevel.GRID: Role.COMMUNITY_STAFF,
    HandlingLevel.COMMUNITY: Role.STREET_STAFF,
    HandlingLevel.STREET: Role.DISTRICT_OFFICIAL,
    HandlingLevel.DEPARTMENT: Role.DISTRICT_OFFICIAL,
}


class Facts:
    """What the rules read about one case, loaded once (a handful of queries) and reused by every rule."""

    def __init__(self, incident: Incident):
        self.incident = incident
        self._assignments = None
        self._summonses = None
        self._extension = False
        self._answerer = False

    @property
    def assignments(self) -> list[Assignment]:
        if self._assignments is None:
            self._assignments = list(self.incident.assignments.select_related("region", "department"))
        return self._assignments

    @property
    def summonses(self) -> list[WhistleSummons]:
        if self._summonses is None:
            self._summonses = list(WhistleSummons.objects.filter(whistle__incident=self.incident))
        return self._summonses

    @property
    def pending_extension(self) -> ExtensionRequest | None:
        if self._extension is False:
            self._extension = self.incident.extensions.filter(state=ExtensionRequest.State.PENDING).first()
        return self._extension

    @property
    def answerer_id(self) -> int | None:
        """Who gave the answer now awaiting verification (they may not verify it themselves)."""
        if self._answerer is False:
            self._answerer = (self.incident.events.filter(to_status=S.ANSWERED).order_by("-created_at", "-pk")
                              .values_list("actor_id", flat=True).first())
        return self._answerer

    @property
    def active_lead(self) -> Assignment | None:
        return next((a for a in self.assignments if a.role == Assignment.Role.LEAD and a.state in ACTIVE_STATES),
                    None)


def _staff(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def acts_for(user, assignment: Assignment) -> bool:
    """True when `user` may act for the assignment's unit."""
    if not _staff(user):
        return False
    if assignment.assignee_id is not None and assignment.assignee_id == user.pk:
        return True
    if assignment.department_id is not None:
        return user.role == Role.DEPARTMENT_HANDLER and user.department_id == assignment.department_id
    if assignment.level == HandlingLevel.GRID:
        return user.role == Role.GRID_WORKER and in_jurisdiction(user, assignment.region)
    role = {HandlingLevel.COMMUNITY: Role.COMMUNITY_STAFF, HandlingLevel.STREET: Role.STREET_STAFF}.get(assignment.level)
    return role is not None and user.role == role and user.region_id == assignment.region_id


def my_assignments(user, facts: Facts, *, role=None, states=ACTIVE_STATES) -> list[Assignment]:
    return [a for a in facts.assignments
            if (role is None or a.role == role) and a.state in states and acts_for(user, a)]


def is_dispatcher(user, incident: Incident) -> bool:
    """Community or street staff whose jurisdiction covers the case's grid."""
    return _staff(user) and user.role in DISPATCHER_ROLES and in_jurisdiction(user, incident.grid)


def _lead(user, facts, states=ACTIVE_STATES) -> bool:
    return bool(my_assignments(user, facts, role=Assignment.Role.LEAD, states=states))


def _sign_for_rule(user, incident, facts) -> bool:
    for a in my_assignments(user, facts, states=(Assignment.State.PENDING,)):
        if a.role == Assignment.Role.CO or incident.status == S.DISPATCHED:
            return True
    return False


def _verify_rule(user, incident, facts) -> bool:
    if not _staff(user) or user.role not in (Role.GRID_WORKER, Role.COMMUNITY_STAFF):
        return False
    return in_jurisdiction(user, incident.grid) and facts.answerer_id != user.pk


def _dispatch_rule(user, incident, facts) -> bool:
    return (_staff(user) and user.role in (Role.COMMUNITY_STAFF, Role.STREET_STAFF, Role.DISTRICT_OFFICIAL)
            and in_jurisdiction(user, incident.grid))


def _report_in_rule(user, incident, facts) -> bool:
    return (_staff(user) and user.role == Role.DEPARTMENT_HANDLER
            and any(s.department_id == user.department_id and s.reported_at is None for s in facts.summonses))


def can_decide_extension(user, incident, facts) -> bool:
    if facts.pending_extension is None or not _staff(user):
        return False
    lead = facts.active_lead
    if lead is None:
        return False
    return user.role == EXTENSION_DECIDER.get(lead.level) and in_jurisdiction(user, incident.grid)


def _extension_request_rule(user, incident, facts) -> bool:
    return _lead(user, facts, states=(Assignment.State.SIGNED,)) and facts.pending_extension is None


RULES = {
    "register": lambda u, i, f: is_dispatcher(u, i),
    "dispatch": _dispatch_rule,
    "reject": lambda u, i, f: is_dispatcher(u, i),
    "merge": lambda u, i, f: is_dispatcher(u, i),
    "sign_for": _sign_for_rule,
    "return": lambda u, i, f: _lead(u, f),
    "start": lambda u, i, f: _lead(u, f, states=(Assignment.State.SIGNED,)),
    "contact": lambda u, i, f: bool(my_assignments(u, f)),
    "answer": lambda u, i, f: _lead(u, f, states=(Assignment.State.SIGNED,)),
    "verify": _verify_rule,
    "close": lambda u, i, f: is_dispatcher(u, i),
    "whistle": lambda u, i, f: is_dispatcher(u, i),
    "report_in": _report_in_rule,
    "extension_request": _extension_request_rule,
    "extension_decide": can_decide_extension,
    "add_co_handler": lambda u, i, f: is_dispatcher(u, i) or _lead(u, f, states=(Assignment.State.SIGNED,)),
}


def can(user, action: str, incident: Incident, *, facts: Facts | None = None) -> bool:
    if incident.status not in ACTION_STATES[action]:
        return False
    return bool(RULES[action](user, incident, facts or Facts(incident)))


def allowed_actions(user, incident: Incident) -> set[str]:
    """The actions `user` may take on the case now (for the case page's buttons)."""
    if not _staff(user):
        return set()
    facts = Facts(incident)
    return {action for action in ACTIONS if can(user, action, incident, facts=facts)}


def check(user, action: str, incident: Incident, *, facts: Facts | None = None) -> None:
    """For services: InvalidTransition when the status does not allow the action, PermissionDeniedError when the
    status does but this user may not."""
    if incident.status not in ACTION_STATES[action]:
        raise InvalidTransition(
            _("This case is “%(status)s”; that action is not possible now. 案件当前状态不允许此操作。") % {
                "status": S(incident.status).label},
            extra={"current": incident.status, "action": action})
    if not RULES[action](user, incident, facts or Facts(incident)):
        raise PermissionDeniedError(
            _("You may not do this on this case. 您无权对此案件执行该操作。"), extra={"action": action})


__all__ = ["ACTIONS", "ACTION_STATES", "Facts", "acts_for", "allowed_actions", "can", "can_decide_extension", "check",
           "is_dispatcher", "my_assignments"]
