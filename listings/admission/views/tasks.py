"""The community gate pages: the task ledger and incoming tasks (community side), tasks sent and their refusals
(department side), sending a task, one task with its history, refusing, and recording a separate inspection."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from governance.lib.exceptions import InvalidTransition
from governance.models import Role
from listings.admission.forms import CommunityChoiceField, ExtraDemandForm, NoteForm, RefuseForm, SendTaskForm
from listings.admission.models import GateReason, SentTaskKind, SentTaskState
from listings.admission.permissions import can_answer_task, can_apply, can_record_for_community
from listings.admission.selectors.applications import (
    access_sent_task,
    admitted_for_citation,
    communities_visible_to,
    district_communities,
    extra_demand_rows,
    ledger_rows,
    sent_task_list,
    sent_task_rows,
)
from listings.admission.services import tasks as svc
from listings.admission.views.common import admission_page, paginate

TABS_REGION = ("incoming", "ledger", "checks")
TABS_DEPARTMENT = ("sent", "ledger", "checks")


def _tasks_url(**params) -> str:
    url = reverse("admission:community_tasks")
    query = "&".join(f"{k}={v}" for k, v in params.items() if v)
    return f"{url}?{query}" if query else url


def _community_filter(request, communities):
    """The ?community= filter for street and district accounts (one of their communities), else None."""
    field = CommunityChoiceField(queryset=communities, required=False)
    try:
        return field.clean(request.GET.get("community") or None)
    except ValidationError:
        return None


@admission_page
@require_GET
def community_tasks(request):
    user = request.user
    department_side = user.role == Role.DEPARTMENT_HANDLER
    tabs = TABS_DEPARTMENT if department_side else TABS_REGION
    tab = request.GET.get("tab") if request.GET.get("tab") in tabs else tabs[0]
    today = timezone.localdate()
    communities = communities_visible_to(user)
    community = None
    if not department_side and user.role != Role.COMMUNITY_STAFF:
        community = _community_filter(request, communities)
    state = request.GET.get("state") if request.GET.get("state") in SentTaskState.values else ""
    admitted = request.GET.get("admitted") if request.GET.get("admitted") in ("yes", "no") else ""
    counts = (sent_task_list(user=user).filter(**({"community": community} if community else {}))
              .aggregate(waiting=Count("pk", filter=Q(is_admitted=False, state=SentTaskState.RECEIVED)),
                         refused=Count("pk", filter=Q(state=SentTaskState.REFUSED)),
                         received=Count("pk", filter=Q(state=SentTaskState.RECEIVED))))
    if tab in ("incoming", "sent"):
        page = paginate(request, sent_task_rows(user=user, community=community, state=state, admitted=admitted))
    elif tab == "ledger":
        current = request.GET.get("all") != "1"
        page = paginate(request, ledger_rows(user=user, community=community, current_only=current, day=today)
                        .annotate(task_count=Count("sent_tasks")))
    else:
        page = paginate(request, extra_demand_rows(user=user, community=community))
    return render(request, "listings/admission/community_tasks.html", {
        "tab": tab, "tabs": tabs, "page": page, "today": today, "department_side": department_side,
        "community": community,
        "communities": None if department_side or user.role == Role.COMMUNITY_STAFF else communities,
        "state": state, "admitted": admitted, "counts": counts, "show_all": request.GET.get("all") == "1",
        "state_choices": SentTaskState.choices, "can_send": can_apply(user),
        "can_answer": user.role == Role.COMMUNITY_STAFF, "refuse_form": RefuseForm(),
        "can_record": user.role == Role.COMMUNITY_STAFF and can_record_for_community(user, user.region_id),
    })


@admission_page
@require_http_methods(["GET", "POST"])
def task_send(request):
    user = request.user
    if not can_apply(user):
        raise PermissionDenied
    today = timezone.localdate()
    department = user.department
    initial = {}
    if request.GET.get("application", "").isdigit():
        initial["application"] = request.GET["application"]
    form = SendTaskForm(request.POST or None, initial=initial,
                        admitted=admitted_for_citation(user=user, day=today),
                        communities=district_communities(district=department.district))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.service_data()
            try:
                sent = svc.task_send(actor=user, title=data["title"], content=data["content"], kind=data["kind"],
                                     application=data["application"], communities=data["communities"],
                                     due_date=data["due_date"])
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                not_admitted = sum(1 for t in sent if not t.is_admitted)
                messages.success(request, ngettext(
                    "Sent to %(count)d community. 已派发。", "Sent to %(count)d communities. 已派发。", len(sent))
                    % {"count": len(sent)})
                if not_admitted:
                    messages.warning(request, ngettext(
                        "%(count)d of them arrives marked “not admitted”: the community may refuse it. "
                        "未经准入，社区有权拒绝。",
                        "%(count)d of them arrive marked “not admitted”: the communities may refuse them. "
                        "未经准入，社区有权拒绝。", not_admitted) % {"count": not_admitted})
                return redirect(_tasks_url(tab="sent"))
        status = 400
    return render(request, "listings/admission/task_send.html", {
        "form": form, "separate_kinds": [SentTaskKind.INSPECTION.label, SentTaskKind.APPRAISAL.label,
                                         SentTaskKind.RANKING.label],
    }, status=status)


def _labelled(events) -> list:
    events = list(events)
    for event in events:
        event.to_label = SentTaskState(event.to_state).label if event.to_state in SentTaskState.values else ""
    return events


def _task_page(request, task, *, refuse_form=None, status=200):
    user = request.user
    answerer = can_answer_task(user, task)
    return render(request, "listings/admission/task_detail.html", {
        "task": task, "timeline": _labelled(task.events.select_related("actor").order_by("created_at", "id")),
        "can_refuse": answerer and task.may_be_refused,
        "can_accept": answerer and task.state == SentTaskState.RECEIVED,
        "can_complete": answerer and task.state == SentTaskState.ACCEPTED,
        "refuse_form": refuse_form or RefuseForm(), "note_form": NoteForm(),
        "gate_reason": GateReason(task.gate_reason).label if task.gate_reason else "",
        "extra_demand": getattr(task, "extra_demand", None) if task.gate_reason == GateReason.SEPARATE_CHECK else None,
    }, status=status)


@admission_page
@require_GET
def task_detail(request, pk):
    return _task_page(request, access_sent_task(user=request.user, task_id=pk))


@admission_page
@require_POST
def task_refuse(request, pk):
    user = request.user
    task = access_sent_task(user=user, task_id=pk)
    form = RefuseForm(request.POST)
    if not form.is_valid():
        return _task_page(request, task, refuse_form=form, status=400)
    try:
        svc.task_refuse(actor=user, task_id=task.pk, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        form.add_service_errors(exc)
        return _task_page(request, task, refuse_form=form, status=400)
    except InvalidTransition:
        messages.error(request, _("This task has already been answered. 该任务已处理。"))
        return redirect(reverse("admission:task_detail", args=[task.pk]))
    messages.success(request, _("Refused. The department has been told. 已拒绝，并已告知部门。"))
    return redirect(_tasks_url(tab="incoming"))


def _answer(request, pk, service, done_message):
    user = request.user
    task = access_sent_task(user=user, task_id=pk)
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        service(actor=user, task_id=task.pk, note=note)
    except InvalidTransition:
        messages.error(request, _("This task has already been answered. 该任务已处理。"))
    else:
        messages.success(request, done_message)
    return redirect(reverse("admission:task_detail", args=[task.pk]))


@admission_page
@require_POST
def task_accept(request, pk):
    return _answer(request, pk, svc.task_accept, _("Accepted. 已接收。"))


@admission_page
@require_POST
def task_done(request, pk):
    return _answer(request, pk, svc.task_complete, _("Marked done. 已完成。"))


@admission_page
@require_http_methods(["GET", "POST"])
def extra_demand_create(request):
    user = request.user
    if user.role != Role.COMMUNITY_STAFF or not can_record_for_community(user, user.region_id):
        raise PermissionDenied
    today = timezone.localdate()
    rows = ledger_rows(user=user, current_only=True, day=today)
    initial = {"occurred_on": today}
    if request.GET.get("row", "").isdigit():
        initial["admitted_task"] = request.GET["row"]
    form = ExtraDemandForm(request.POST or None, rows=rows, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                svc.extra_demand_record(actor=user, admitted_task_id=data["admitted_task"].pk, kind=data["kind"],
                                        occurred_on=data["occurred_on"], note=data["note"])
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("Recorded. The review group has been told. 已登记，并已报告区审核小组。"))
                return redirect(_tasks_url(tab="checks"))
        status = 400
    return render(request, "listings/admission/extra_demand_form.html", {"form": form}, status=status)
