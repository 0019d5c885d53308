"""Who may do what in admission. Reads are scoped by listings.admission.selectors; these predicates decide
actions, and the services re-check them (pages, commands and the demo seed cannot bypass a rule).

- department handlers apply for their own department and send its tasks;
- district officials bound to the application's district are the review group (民政 + 组织部 + 社会工作部):
  they take up, admit, refuse, return, revoke and review yearly;
- community staff answer the tasks sent to their own community and record separate inspections;
- street staff and district officials read the ledgers and burden figures of their subtree."""

from governance.models import Role

ADMISSION_ROLES = frozenset({Role.DEPARTMENT_HANDLER, Role.DISTRICT_OFFICIAL, Role.STREET_STAFF, Role.COMMUNITY_STAFF})
BURDEN_ROLES = frozenset({Role.DISTRICT_OFFICIAL, Role.STREET_STAFF, Role.COMMUNITY_STAFF})


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def can_use_admission(user) -> bool:
    if not _active(user) or user.role not in ADMISSION_ROLES:
        return False
    return bool(user.department_id) if user.role == Role.DEPARTMENT_HANDLER else bool(user.region_id)


def can_apply(user) -> bool:
    return _active(user) and user.role == Role.DEPARTMENT_HANDLER and bool(user.department_id)


def is_handler_of(user, department_id) -> bool:
    return can_apply(user) and user.department_id == department_id


def can_review(user, application) -> bool:
    return (_active(user) and user.role == Role.DISTRICT_OFFICIAL
            and user.region_id is not None and user.region_id == application.district_id)


def can_answer_task(user, task) -> bool:
    return (_active(user) and user.role == Role.COMMUNITY_STAFF
            and user.region_id is not None and user.region_id == task.community_id)


def can_record_for_community(user, community_id) -> bool:
    return _active(user) and user.role == Role.COMMUNITY_STAFF and user.region_id == community_id


def can_read_burden(user) -> bool:
    return _active(user) and user.role in BURDEN_ROLES and bool(user.region_id)
