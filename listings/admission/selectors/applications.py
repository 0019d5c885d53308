"""Reads of admission, scoped to the reader. Outside the scope an object does not exist (NotFoundOrForbidden → 404).

- department handler: its own department's applications (drafts included) and sent tasks;
- district official: every submitted application of its district, every ledger row and sent task in it;
- street staff: applications that target a community of its street, and those communities' ledgers and tasks;
- community staff: applications that target its community, its ledger and its incoming tasks;
- anyone else (residents, grid workers, the three administrators): nothing."""

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.lib.exceptions import NotFoundOrForbidden
from governance.models import Role
from governance.selectors.jurisdiction import scope_q
from grids.models import Region, RegionLevel
from listings.admission.models import (
    AdmittedTask,
    Application,
    ApplicationStatus,
    ExtraDemand,
    SentTask,
)
from listings.admission.permissions import can_use_admission

REGION_READERS = (Role.DISTRICT_OFFICIAL, Role.STREET_STAFF, Role.COMMUNITY_STAFF)


def application_list(*, user) -> QuerySet[Application]:
    qs = Application.objects.all()
    if not can_use_admission(user):
        return qs.none()
    if user.role == Role.DEPARTMENT_HANDLER:
        return qs.filter(department_id=user.department_id)
    if user.role == Role.DISTRICT_OFFICIAL:
        return qs.filter(scope_q(user, "district")).exclude(status=ApplicationStatus.DRAFT)
    targets = Application.communities.through.objects.filter(application_id=OuterRef("pk")).filter(
        scope_q(user, "region"))
    return qs.filter(Exists(targets)).exclude(status=ApplicationStatus.DRAFT)


def application_rows(*, user, status: str = "", q: str = "", track: str = "") -> QuerySet[Application]:
    """The list page: everything a row shows, in a constant number of queries."""
    qs = (application_list(user=user)
          .select_related("department", "cited_item", "matched_item")
          .annotate(community_count=Count("communities", distinct=True))
          .order_by("-created_at", "-id"))
    if status == "pending":
        qs = qs.filter(status__in=Application.PENDING)
    elif status == "overdue":
        qs = qs.filter(status__in=Application.PENDING, review_due_at__lte=timezone.now())
    elif status:
        qs = qs.filter(status=status)
    if track:
        qs = qs.filter(track=track)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(content__icontains=q) | Q(department__name__icontains=q))
    return qs


def access_application(*, user, application_id) -> Application:
    try:
        return (application_list(user=user).select_related("department", "district", "applicant", "cited_item__kind",
                                                            "matched_item__kind", "decided_by")
                .get(pk=application_id))
    except (Application.DoesNotExist, ValueError, TypeError):
        raise NotFoundOrForbidden(_("This application does not exist. 申请不存在。")) from None


def application_timeline(*, application) -> QuerySet:
    return application.events.select_related("actor").order_by("created_at", "id")


def admitted_for_citation(*, user, day) -> QuerySet[Application]:
    """The department's admitted applications a new task may cite (those whose ledger is in force on `day`)."""
    if not can_use_admission(user) or user.role != Role.DEPARTMENT_HANDLER:
        return Application.objects.none()
    return (Application.objects.filter(department_id=user.department_id, status=ApplicationStatus.ADMITTED,
                                       period_end__gte=day)
            .order_by("-decided_at", "-id"))


# --- the community side --------------------------------------------------------------------------------------

def _region_scope(user, field: str) -> Q:
    if user.role in REGION_READERS:
        return scope_q(user, field)
    return Q(pk__in=[])


def ledger_list(*, user) -> QuerySet[AdmittedTask]:
    qs = AdmittedTask.objects.all()
    if not can_use_admission(user):
        return qs.none()
    if user.role == Role.DEPARTMENT_HANDLER:
        return qs.filter(application__department_id=user.department_id)
    return qs.filter(_region_scope(user, "community"))


def ledger_rows(*, user, community=None, current_only: bool = False, day=None) -> QuerySet[AdmittedTask]:
    qs = (ledger_list(user=user).select_related("application__department", "application__cited_item", "community")
          .order_by("community__path", "-period_end", "id"))
    if community is not None:
        qs = qs.filter(community=community)
    if current_only and day is not None:
        qs = qs.filter(status="active", period_end__gte=day)
    return qs


def sent_task_list(*, user) -> QuerySet[SentTask]:
    qs = SentTask.objects.all()
    if not can_use_admission(user):
        return qs.none()
    if user.role == Role.DEPARTMENT_HANDLER:
        return qs.filter(department_id=user.department_id)
    return qs.filter(_region_scope(user, "community"))


def sent_task_rows(*, user, community=None, state: str = "", admitted: str = "") -> QuerySet[SentTask]:
    qs = (sent_task_list(user=user)
          .select_related("department", "community", "application", "sender", "acted_by")
          .order_by("-created_at", "-id"))
    if community is not None:
        qs = qs.filter(community=community)
    if state:
        qs = qs.filter(state=state)
    if admitted == "no":
        qs = qs.filter(is_admitted=False)
    elif admitted == "yes":
        qs = qs.filter(is_admitted=True)
    return qs


def access_sent_task(*, user, task_id) -> SentTask:
    try:
        return (sent_task_list(user=user)
                .select_related("department", "community", "application", "admitted_task", "sender", "acted_by")
                .get(pk=task_id))
    except (SentTask.DoesNotExist, ValueError, TypeError):
        raise NotFoundOrForbidden(_("This task does not exist. 任务不存在。")) from None


def access_ledger_row(*, user, row_id) -> AdmittedTask:
    try:
        return ledger_list(user=user).select_related("application__department", "community").get(pk=row_id)
    except (AdmittedTask.DoesNotExist, ValueError, TypeError):
        raise NotFoundOrForbidden(_("This task does not exist. 任务不存在。")) from None


def extra_demand_rows(*, user, community=None) -> QuerySet[ExtraDemand]:
    qs = ExtraDemand.objects.all()
    if not can_use_admission(user):
        return qs.none()
    if user.role == Role.DEPARTMENT_HANDLER:
        qs = qs.filter(department_id=user.department_id)
    else:
        qs = qs.filter(_region_scope(user, "community"))
    if community is not None:
        qs = qs.filter(community=community)
    return qs.select_related("application", "community", "department").order_by("-occurred_on", "-id")


def communities_visible_to(user) -> QuerySet[Region]:
    """The communities whose ledger and figures this account reads (region accounts only)."""
    if not can_use_admission(user) or user.role not in REGION_READERS:
        return Region.objects.none()
    return Region.objects.filter(scope_q(user, ""), level=RegionLevel.COMMUNITY).order_by("path")


def district_communities(*, district) -> QuerySet[Region]:
    return Region.objects.filter(path__startswith=district.path, level=RegionLevel.COMMUNITY,
                                 valid_to__isnull=True).order_by("path")
