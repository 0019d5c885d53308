"""The community gate: tasks departments send down (下派任务), and the community's right to refuse.

A department sends a task to one or more communities of its district, citing one of its admitted applications or
nothing. For each community the gate decides on the day it is sent:
- admitted: the cited application is admitted, its ledger row for this community is active and in its period;
- otherwise it arrives marked "not admitted", with the reason (no citation, not admitted, not admitted for this
  community, outside the admitted period), and the community may refuse it with one action and a reason;
- an inspection, appraisal or ranking on an admitted item is not allowed either (郑州二七区): it arrives not
  admitted, and the attempt is counted (ExtraDemand). Community staff can also record such an attempt made
  off the platform (a phone call, a visit).
The department and the review group are told of refusals and attempts."""

import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.lib.exceptions import NotFoundOrForbidden, PermissionDeniedError
from governance.lib.transitions import ensure_transition
from governance.models import Department, Role
from governance.services.notifications import notify
from grids.models import Region, RegionLevel
from listings.admission.models import (
    SEPARATE_CHECK_KINDS,
    AdmittedTask,
    AdmittedTaskStatus,
    Application,
    ApplicationStatus,
    ExtraDemand,
    ExtraDemandKind,
    GateReason,
    SentTask,
    SentTaskEvent,
    SentTaskKind,
    SentTaskState,
)
from listings.admission.permissions import can_answer_task, can_record_for_community
from listings.admission.services.common import (
    application_url,
    community_staff,
    department_handlers,
    local_date,
    review_group,
    task_url,
)

T = SentTaskState


def _task_not_found() -> NotFoundOrForbidden:
    return NotFoundOrForbidden(_("This task does not exist. 任务不存在。"))


def gate(*, application: Application | None, row: AdmittedTask | None, kind: str, day) -> str:
    """The gate's reason for one community ("" = admitted). Pure: the caller loads the row."""
    if application is None:
        return GateReason.NO_CITATION
    if application.status != ApplicationStatus.ADMITTED:
        return GateReason.NOT_ADMITTED
    if row is None:
        return GateReason.NOT_TARGETED
    if row.status != AdmittedTaskStatus.ACTIVE:
        return GateReason.NOT_ADMITTED
    if not (row.period_start <= day <= row.period_end):
        return GateReason.OUTSIDE_PERIOD
    if kind in SEPARATE_CHECK_KINDS:
        return GateReason.SEPARATE_CHECK
    return GateReason.NONE


@transaction.atomic
def task_send(*, actor, title: str, content: str, communities, kind: str = SentTaskKind.WORK, application=None,
              due_date=None, now=None, is_sample: bool = False) -> list[SentTask]:
    """Send one task to each community; returns the rows (one per community), each through the gate."""
    now = now or timezone.now()
    today = local_date(now)
    if getattr(actor, "role", None) != Role.DEPARTMENT_HANDLER or not actor.department_id:
        raise PermissionDeniedError(_("Only department handlers send tasks to communities. "
                                      "仅部门承办人可以向社区派发任务。"))
    department = Department.objects.select_related("district").get(pk=actor.department_id)
    errors = {}
    title, content = (title or "").strip(), (content or "").strip()
    if not title:
        errors["title"] = _("Give the task a title. 请填写任务名称。")
    if not content:
        errors["content"] = _("Say what the community is asked to do. 请说明任务内容。")
    if kind not in SentTaskKind.values:
        errors["kind"] = _("Unknown kind of task. 未知的任务类型。")
    if due_date is not None and due_date < today:
        errors["due_date"] = _("The due date is in the past. 完成期限早于今天。")
    cited = None
    if application not in (None, ""):
        pk = getattr(application, "pk", application)
        cited = (Application.objects.filter(pk=pk, department_id=department.pk).first()
                 if str(pk).isdigit() else None)
        if cited is None:
            errors["application"] = _("The admitted item cited is not one of your department's. "
                                      "所引用的准入事项不属于本部门。")
    ids = {getattr(c, "pk", c) for c in communities or []}
    targets = []
    if not ids:
        errors["communities"] = _("Choose at least one community. 请至少选择一个社区。")
    elif not all(str(pk).isdigit() for pk in ids):
        errors["communities"] = _("Unknown community. 未知的社区。")
    else:
        targets = list(Region.objects.filter(pk__in=ids, level=RegionLevel.COMMUNITY,
                                             path__startswith=department.district.path).order_by("path"))
        if len(targets) != len(ids):
            errors["communities"] = _("Choose communities of this district only. 只能选择本区的社区。")
    if errors:
        raise ValidationError(errors)

    rows = {}
    if cited is not None:
        rows = {r.community_id: r for r in AdmittedTask.objects.filter(application=cited,
                                                                        community__in=targets)}
    batch = uuid.uuid4().hex
    sent = []
    separate = []
    for community in targets:
        row = rows.get(community.pk)
        reason = gate(application=cited, row=row, kind=kind, day=today)
        task = SentTask.objects.create(
            department=department, sender=actor, community=community, batch=batch, title=title, content=content,
            kind=kind, application=cited, admitted_task=row if reason == GateReason.NONE else None,
            is_admitted=reason == GateReason.NONE, gate_reason=reason, due_date=due_date, is_sample=is_sample)
        SentTaskEvent.objects.create(task=task, to_state=T.RECEIVED, actor=actor,
                                     note=_("Sent by %(department)s.") % {"department": department.name})
        if reason == GateReason.SEPARATE_CHECK:
            separate.append(ExtraDemand.objects.create(
                application=cited, community=community, department=department, kind=ExtraDemandKind(kind),
                source=ExtraDemand.Source.SENT, sent_task=task, occurred_on=today, recorded_by=actor,
                note=title))
        sent.append(task)
    _tell_communities(sent, department)
    if separate:
        _tell_review_group_of_checks(separate, district_id=department.district_id)
    return sent


def _tell_communities(tasks: list[SentTask], department: Department) -> None:
    staff_by_community: dict[int, list] = {}
    for user in community_staff([t.community_id for t in tasks]):
        staff_by_community.setdefault(user.region_id, []).append(user)
    for task in tasks:
        values = {"department": department.name, "title": task.title}
        if task.is_admitted:
            title = _("New task from %(department)s: %(title)s 新任务") % values
            body = _("Admitted task (cites an admitted item). 已准入事项。")
        else:
            title = _("Not admitted: %(title)s from %(department)s 未准入任务") % values
            body = _("This task was not admitted for your community; you may refuse it with a reason. "
                     "该任务未经准入，社区有权拒绝。")
        notify(recipients=staff_by_community.get(task.community_id, []), kind="task_received", title=title,
               body=body, url=task_url(task.pk), obj=task, dedupe_key=f"senttask:{task.pk}:received")


def _tell_review_group_of_checks(demands: list[ExtraDemand], *, district_id: int) -> None:
    recipients = review_group([district_id])
    for demand in demands:
        values = {"department": demand.department.name, "kind": demand.get_kind_display(),
                  "title": demand.application.title, "community": demand.community.name}
        notify(recipients=recipients, kind="extra_demand",
               title=_("Separate %(kind)s on an admitted item 对准入事项另行检查考核") % values,
               body=_("%(department)s: %(kind)s of %(community)s on “%(title)s”. Departments may not separately "
                      "inspect, appraise or rank communities on admitted items. "
                      "部门不得就准入事项另行检查、考核、评比。") % values,
               url=application_url(demand.application_id), obj=demand, dedupe_key=f"extrademand:{demand.pk}")


def _locked_task(task_id) -> SentTask:
    try:
        return SentTask.objects.select_for_update().get(pk=task_id)
    except (SentTask.DoesNotExist, ValueError, TypeError):
        raise _task_not_found() from None


def _require_answerer(actor, task: SentTask) -> None:
    if can_answer_task(actor, task):
        return
    from listings.admission.selectors.applications import sent_task_list

    if sent_task_list(user=actor).filter(pk=task.pk).exists():
        raise PermissionDeniedError(_("Only the community's staff answer its tasks. 仅本社区工作人员可以处理该任务。"))
    raise _task_not_found()


def _move(task: SentTask, to: str, *, actor, note: str = "") -> None:
    ensure_transition(table=SentTask.TRANSITIONS, current=task.state, target=to)
    SentTaskEvent.objects.create(task=task, from_state=task.state, to_state=to, actor=actor, note=note)
    task.state = to


@transaction.atomic
def task_refuse(*, actor, task_id: int, reason: str, now=None) -> SentTask:
    """The community refuses a task that was not admitted (one action, with a reason); the department is told."""
    now = now or timezone.now()
    task = _locked_task(task_id)
    _require_answerer(actor, task)
    if task.state == T.REFUSED:
        return task  # a double click
    if task.is_admitted:
        raise PermissionDeniedError(_("An admitted task cannot be refused; talk to the review group if it is wrong. "
                                      "已准入的任务不能拒绝，如有异议请联系区审核小组。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for refusing. 请填写拒绝理由。")})
    _move(task, T.REFUSED, actor=actor, note=reason)
    task.refusal_reason, task.acted_at, task.acted_by = reason, now, actor
    task.save(update_fields=["state", "refusal_reason", "acted_at", "acted_by", "updated_at"])
    recipients = department_handlers([task.department_id])
    if task.sender_id and all(u.pk != task.sender_id for u in recipients) and task.sender.is_active:
        recipients.append(task.sender)
    values = {"community": task.community.name, "title": task.title, "reason": reason}
    notify(recipients=recipients, kind="task_refused",
           title=_("%(community)s refused: %(title)s 社区拒绝了未准入任务") % values,
           body=_("Reason: %(reason)s") % values, url=task_url(task.pk), obj=task,
           dedupe_key=f"senttask:{task.pk}:refused")
    return task


@transaction.atomic
def task_accept(*, actor, task_id: int, note: str = "", now=None) -> SentTask:
    now = now or timezone.now()
    task = _locked_task(task_id)
    _require_answerer(actor, task)
    if task.state in (T.ACCEPTED, T.DONE):
        return task
    _move(task, T.ACCEPTED, actor=actor, note=(note or "").strip())
    task.acted_at, task.acted_by = now, actor
    task.save(update_fields=["state", "acted_at", "acted_by", "updated_at"])
    return task


@transaction.atomic
def task_complete(*, actor, task_id: int, note: str = "") -> SentTask:
    task = _locked_task(task_id)
    _require_answerer(actor, task)
    if task.state == T.DONE:
        return task
    _move(task, T.DONE, actor=actor, note=(note or "").strip())
    task.save(update_fields=["state", "updated_at"])
    return task


@transaction.atomic
def extra_demand_record(*, actor, admitted_task_id: int, kind: str, occurred_on, note: str = "",
                        now=None) -> ExtraDemand:
    """Community staff record a separate inspection, appraisal or ranking made on an admitted item."""
    now = now or timezone.now()
    row = (AdmittedTask.objects.select_related("application__department", "community")
           .filter(pk=admitted_task_id).first() if str(admitted_task_id).isdigit() else None)
    if row is None:
        raise _task_not_found()
    if not can_record_for_community(actor, row.community_id):
        from listings.admission.selectors.applications import ledger_list

        if ledger_list(user=actor).filter(pk=row.pk).exists():
            raise PermissionDeniedError(_("Only the community's staff record this. 仅本社区工作人员可以登记。"))
        raise _task_not_found()
    errors = {}
    if kind not in ExtraDemandKind.values:
        errors["kind"] = _("Choose inspection, appraisal or ranking. 请选择检查、考核或评比。")
    if occurred_on is None:
        errors["occurred_on"] = _("Give the date. 请填写日期。")
    elif occurred_on > local_date(now):
        errors["occurred_on"] = _("The date is in the future. 日期晚于今天。")
    elif occurred_on < row.admitted_on:
        errors["occurred_on"] = _("The date is before the item was admitted. 日期早于准入日期。")
    note = (note or "").strip()
    if not note:
        errors["note"] = _("Say what happened: who came, what they checked. 请说明情况。")
    if errors:
        raise ValidationError(errors)
    demand = ExtraDemand.objects.create(
        application=row.application, community=row.community, department=row.application.department, kind=kind,
        source=ExtraDemand.Source.RECORDED, occurred_on=occurred_on, note=note, recorded_by=actor)
    _tell_review_group_of_checks([demand], district_id=row.application.district_id)
    return demand
