"""The staff case pages (issue 3, §5 "Working the cases"): my cases, my unit's cases, and the case page with its
actions.

Access, the same on every page:
- anonymous → the login page; an account without a case scope (resident, the three administrators) → 404;
- a case outside the user's scope (region subtree, or the department's cases) → 404, exactly like a missing one
  (grids.selectors.incidents.access_incident);
- the case page offers only the actions `allowed_actions(user, incident)` allows now; every action is one POST
  that calls one lifecycle service, which checks everything again. A refused action (wrong status: the case
  moved on; wrong actor) comes back as a message on the page (409 / 403), a bad input as the same form with the
  messages and what was typed (400) — never a 500.

Personal data: the reporter's name and call-back phone are masked; showing one in full is a POST that writes a
`reveal` audit row (as on the register pages), and is refused when the report is anonymous to the handlers.
Photos are served through `incident_photo`, scoped like the case (media files are not public)."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms import Textarea
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from governance.lib.exceptions import (
    ApplicationError,
    InvalidTransition,
    NotFoundOrForbidden,
    PermissionDeniedError,
)
from governance.lib.pii import mask_name, mask_phone
from governance.lib.views import staff_page
from grids import forms_cases as f
from grids.incident_permissions import allowed_actions
from grids.models import Assignment, Incident, IncidentStatus, Supervision
from grids.selectors import cases as selectors
from grids.selectors.incidents import access_incident
from grids.services import dispatch, incidents, whistle
from grids.services.reveal import pii_reveal
from grids.views.common import paginate, pii_rows

S = IncidentStatus


# --- access ------------------------------------------------------------------------------------------------------
# Logged in, with a case scope (governance.lib.views.staff_page).
case_page = staff_page(selectors.can_work_cases)


# --- the queues --------------------------------------------------------------------------------------------------
def _queue_page(request, *, queue: str, queryset, title: str, intro: str):
    now = timezone.now()
    filterset = f.CaseFilterSet(request.GET, queryset=queryset, user=request.user, queue=queue)
    valid = filterset.is_valid()
    rows = filterset.qs if valid else queryset.none()
    page = paginate(request, rows)
    cases = []
    for incident in page:
        deadline = selectors.deadline_now(incident, now)
        cases.append({"incident": incident, "deadline": deadline, "lead": selectors.lead_unit(incident),
                      "deadline_label": DEADLINE_LABELS[deadline.key] if deadline else ""})
    filtered = any(request.GET.get(name) for name in filterset.form.fields if name != "page")
    return render(request, "grids/cases/queue.html", {
        "title": title, "intro": intro, "queue": queue, "filterset": filterset, "filters_open": filtered or not valid,
        "page": page, "cases": cases,
    })


@case_page
@require_GET
def my_cases(request):
    return _queue_page(request, queue="mine", queryset=selectors.case_queue_mine(user=request.user),
                       title=_("My cases"),
                       intro=_("Cases where you or your unit must act now, the nearest deadline first. "
                               "需要您或本单位办理的案件，期限最近的在前。"))


@case_page
@require_GET
def unit_cases(request):
    return _queue_page(request, queue="unit", queryset=selectors.case_queue_unit(user=request.user),
                       title=_("Unit cases"),
                       intro=_("Every case in your area or on your department. 辖区或本部门的全部案件。"))


# --- the actions ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Action:
    title: str
    button: str
    form: type
    perform: Callable
    done: str
    style: str = ""  # "primary" | "danger" | ""
    help: str = ""
    open: bool = False  # shown unfolded (the everyday steps)


def _extension_decide(user, incident, kw):
    if kw["extension_id"] is None:
        raise InvalidTransition(_("No extension request is awaiting a decision. 没有待审批的延期申请。"))
    return incidents.extension_decide(actor=user, **kw)


# In the order the page shows them: the everyday steps first.
ACTIONS = {
    "sign_for": Action(
        gettext_lazy("Sign for this case (签收)"), gettext_lazy("Sign for it"), f.EmptyForm,
        lambda u, i, kw: incidents.incident_sign_for(actor=u, incident_id=i.pk),
        gettext_lazy("Signed for. Contact the requester and start handling."), "primary",
        gettext_lazy("Confirms that your unit takes the case on."), True),
    "start": Action(
        gettext_lazy("Start handling (开始办理)"), gettext_lazy("Start handling"), f.NoteForm,
        lambda u, i, kw: incidents.incident_start(actor=u, incident_id=i.pk, **kw),
        gettext_lazy("Handling started."), "primary", "", True),
    "contact": Action(
        gettext_lazy("Log a contact with the requester (联系诉求人)"), gettext_lazy("Save the contact"), f.ContactForm,
        lambda u, i, kw: incidents.incident_contact(actor=u, incident_id=i.pk, **kw),
        gettext_lazy("Contact logged."), "",
        gettext_lazy("Every call or visit counts for the response rate, also when nobody answered."), True),
    "answer": Action(
        gettext_lazy("Answer the case (办理结果)"), gettext_lazy("Send the answer"), f.AnswerForm,
        lambda u, i, kw: incidents.incident_answer(actor=u, incident_id=i.pk, **kw),
        gettext_lazy("Answer sent; the case now waits for verification."), "primary",
        gettext_lazy("The resident reads this answer on the tracking page."), True),
    "verify": Action(
        gettext_lazy("Verify the result (核查)"), gettext_lazy("Record the verification"), f.VerifyForm,
        lambda u, i, kw: incidents.incident_verify(actor=u, incident_id=i.pk, **kw),
        gettext_lazy("Verification recorded."), "primary",
        gettext_lazy("Solved: the case is closed. Not solved: it goes back for rework (返工)."), True),
    "close": Action(
        gettext_lazy("Close the case (结案)"), gettext_lazy("Close the case"), f.NoteForm,
        lambda u, i, kw: incidents.incident_close(actor=u, incident_id=i.pk, **kw),
        gettext_lazy("Case closed."), "primary", "", True),
    "report_in": Action(
        gettext_lazy("Report in for your department (部门报到)"), gettext_lazy("Report in"), f.ReportInForm,
        lambda u, i, kw: whistle.whistle_report_in(actor=u, **kw),
        gettext_lazy("Reported in."), "primary", "", True),
    "extension_decide": Action(
        gettext_lazy("Decide the extension request (延期审批)"), gettext_lazy("Record the decision"),
        f.ExtensionDecideForm, _extension_decide, gettext_lazy("Decision recorded."), "primary", "", True),
    "register": Action(
        gettext_lazy("Register the case (立案)"), gettext_lazy("Register"), f.NoteForm,
        lambda u, i, kw: incidents.incident_register(actor=u, incident_id=i.pk, **kw),
        gettext_lazy("Registered; the case is being dispatched."), "primary", "", True),
    "dispatch": Action(
        gettext_lazy("Dispatch by hand (派遣)"), gettext_lazy("Dispatch"), f.DispatchForm,
        lambda u, i, kw: dispatch.incident_dispatch(incident_id=i.pk, actor=u, **kw),
        gettext_lazy("Dispatched."), "primary", gettext_lazy("Choose the unit that leads the handling."), True),
    "return": Action(
        gettext_lazy("Return a wrong dispatch (退单)"), gettext_lazy("Return the case"), f.ReturnForm,
        lambda u, i, kw: incidents.incident_return(actor=u, incident_id=i.pk, **kw),
        gettext_lazy("Returned; the case goes to another unit."), "danger",
        gettext_lazy("Only when the case is not your unit's matter; it is dispatched again, never back to you.")),
    "extension_request": Action(
        gettext_lazy("Ask for more time (申请延期)"), gettext_lazy("Ask for the extension"), f.ExtensionRequestForm,
        lambda u, i, kw: incidents.extension_request(actor=u, incident_id=i.pk, **kw),
        gettext_lazy("Extension requested; the level above decides."), "",
        gettext_lazy("The level above your unit decides.")),
    "add_co_handler": Action(
        gettext_lazy("Add a co-handler (协办)"), gettext_lazy("Add the co-handler"), f.CoHandlerForm,
        lambda u, i, kw: incidents.incident_add_co_handler(actor=u, incident_id=i.pk, **kw),
        gettext_lazy("Co-handler added."), "", gettext_lazy("Your unit stays in charge (首接负责).")),
    "whistle": Action(
        gettext_lazy("Blow the whistle (吹哨)"), gettext_lazy("Summon the departments"), f.WhistleForm,
        lambda u, i, kw: whistle.whistle_blow(actor=u, incident_id=i.pk, **kw),
        gettext_lazy("Departments summoned; each must report in."), "",
        gettext_lazy("Summoned departments must report in within the time limit.")),
    "merge": Action(
        gettext_lazy("Merge as a duplicate (合并)"), gettext_lazy("Merge"), f.MergeForm,
        lambda u, i, kw: incidents.incident_merge(actor=u, incident_id=i.pk, **kw),
        gettext_lazy("Merged into the earlier case."), "danger"),
    "reject": Action(
        gettext_lazy("Do not register (不予受理)"), gettext_lazy("Do not register"), f.ReasonForm,
        lambda u, i, kw: incidents.incident_reject(actor=u, incident_id=i.pk, **kw),
        gettext_lazy("The case was not registered."), "danger",
        gettext_lazy("The reason is shown to the resident on the tracking page.")),
}


def _form(name: str, request, incident, data=None, files=None):
    return ACTIONS[name].form(data, files, prefix=name, user=request.user, incident=incident)


def _typed_text(form) -> list[tuple[str, str]]:
    """Text the user typed into a form that can no longer be shown (the action is not possible any more)."""
    kept = []
    for name, field in form.fields.items():
        if isinstance(field.widget, Textarea):
            value = (form.data.get(form.add_prefix(name)) or "").strip()
            if value:
                kept.append((field.label, value))
    return kept


@case_page
@require_POST
def incident_action(request, pk, action):
    if action not in ACTIONS:
        raise Http404
    incident = access_incident(user=request.user, incident_id=pk)
    spec = ACTIONS[action]
    form = _form(action, request, incident, data=request.POST, files=request.FILES)
    error, status = "", 400
    if form.is_valid():
        try:
            spec.perform(request.user, incident, form.service_kwargs())
        except ValidationError as exc:
            form.add_service_errors(exc)
        except NotFoundOrForbidden:
            raise
        except InvalidTransition as exc:
            error, status = exc.message, 409
        except PermissionDeniedError as exc:
            error, status = exc.message, 403
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, spec.done)
            return redirect("grids:incident_detail", pk=incident.pk)
    incident = access_incident(user=request.user, incident_id=pk)  # as it is now (the failed call changed nothing)
    return _detail_page(request, incident, bound={action: form}, error=error, status=status)


# --- the case page -------------------------------------------------------------------------------------------------
REVEALABLE = ("reporter_name", "reporter_phone")
MASKS = {"reporter_name": mask_name, "reporter_phone": mask_phone}

DEADLINE_LABELS = {
    "sign_for": gettext_lazy("Sign for by"),
    "handle": gettext_lazy("Handle by"),
    "verify": gettext_lazy("Verify by"),
}
DEADLINE_STATES = {
    "overdue": (gettext_lazy("Overdue"), "badge-danger"),
    "warning": (gettext_lazy("Due soon"), "badge-warn"),
    "met": (gettext_lazy("On time"), "badge-success"),
    "late": (gettext_lazy("Late"), "badge-danger"),
}
EVENT_KINDS = {
    "contact": gettext_lazy("Contact with the requester"),
    "rework": gettext_lazy("Sent back for rework (返工)"),
    "whistle": gettext_lazy("Whistle blown (吹哨)"),
    "report_in": gettext_lazy("Department reported in (报到)"),
    "supervision": gettext_lazy("Supervision (催办/督办)"),
    "extension_requested": gettext_lazy("Extension requested (延期申请)"),
    "extension_approved": gettext_lazy("Extension approved"),
    "extension_refused": gettext_lazy("Extension refused"),
    "co_handler_added": gettext_lazy("Co-handler added (协办)"),
    "co_signed": gettext_lazy("Co-handler signed for its part"),
    "duplicate_linked": gettext_lazy("A duplicate was merged into this case"),
}
SUPERVISION_DEADLINES = {
    "sign_for": gettext_lazy("Sign-for"),
    "handle": gettext_lazy("Handling"),
    "verify": gettext_lazy("Verification"),
}


def _status_label(value: str) -> str:
    try:
        return str(S(value).label)
    except ValueError:
        return value


def _timeline(events) -> list[dict]:
    rows = []
    for event in events:
        if event.kind == "transition" or (event.to_status and event.kind not in EVENT_KINDS):
            label = (f"{_status_label(event.from_status)} → {_status_label(event.to_status)}" if event.from_status
                     else _status_label(event.to_status))
        else:
            label = str(EVENT_KINDS.get(event.kind, event.kind))
            if event.to_status:
                label = f"{label}: {_status_label(event.from_status)} → {_status_label(event.to_status)}"
        rows.append({"at": event.created_at, "label": label, "actor": event.actor, "note": event.note,
                     "public": event.public, "kind": event.kind})
    return rows


def _supervision_rows(supervisions) -> list[dict]:
    rows = []
    for record in supervisions:
        key = record.deadline.split(":", 1)[0]
        label = SUPERVISION_DEADLINES.get(key) or (_("Report-in") if key == "report_in" else key)
        rows.append({"record": record, "deadline": label, "step": Supervision.Step(record.step).label
                     if record.step in Supervision.Step.values else record.step})
    return rows


def _deadlines(incident, now) -> list[dict]:
    rows = []
    for mark in selectors.deadline_rows(incident, now):
        state = DEADLINE_STATES.get(mark.state)
        rows.append({"key": mark.key, "label": DEADLINE_LABELS[mark.key], "due": mark.due, "done_at": mark.done_at,
                     "running": mark.running, "badge": state[0] if state else "", "badge_class": state[1] if state
                     else "", "state": mark.state})
    return rows


def _detail_page(request, incident, *, bound=None, error="", kept=None, revealed=None, reveal_error="", status=200):
    user, now = request.user, timezone.now()
    bound = bound or {}
    allowed = allowed_actions(user, incident)
    forms = []
    for name, spec in ACTIONS.items():
        if name not in allowed:
            continue
        form = bound.get(name) or _form(name, request, incident)
        forms.append({"name": name, "spec": spec, "form": form, "open": spec.open or name in bound,
                      "url": reverse("grids:incident_action", args=[incident.pk, name])})
    gone = [name for name in bound if name not in allowed]
    if gone and not error:  # e.g. bad input, and meanwhile the case moved on
        error = _("That action is not possible on this case now. 该操作当前不可用。")
    if kept is None:
        kept = [item for name in gone for item in _typed_text(bound[name])]
    data = selectors.case_page_data(user=user, incident=incident)
    return render(request, "grids/cases/detail.html", {
        **data,  # the related rows; the presented ones below replace their raw form
        "incident": incident,
        "now": now,
        "current": selectors.deadline_now(incident, now),
        "deadlines": _deadlines(incident, now),
        "actions": forms,
        "action_error": error,
        "kept": kept,
        "pii": [] if incident.anonymous else pii_rows(incident, REVEALABLE, MASKS, revealed),
        "reveal_url": reverse("grids:incident_reveal", args=[incident.pk]),
        "reveal_error": reveal_error,
        "timeline": _timeline(data["events"]),
        "supervisions": _supervision_rows(data["supervisions"]),
        "lead": next((a for a in data["assignments"] if a.role == Assignment.Role.LEAD
                      and a.state in selectors.ACTIVE_STATES), None),
        "is_open": incident.status in Incident.OPEN,
    }, status=status)


@case_page
@require_GET
def incident_detail(request, pk):
    return _detail_page(request, access_incident(user=request.user, incident_id=pk))


@transaction.atomic
@case_page
@require_POST
def incident_reveal(request, pk):
    incident = access_incident(user=request.user, incident_id=pk)
    field = request.POST.get("field", "")
    try:
        value = pii_reveal(actor=request.user, obj=incident, field=field)
    except ApplicationError as exc:
        return _detail_page(request, incident, reveal_error=exc.message, status=400)
    return _detail_page(request, incident, revealed={field: value})


@case_page
@require_GET
def incident_photo(request, pk, photo_id):
    incident = access_incident(user=request.user, incident_id=pk)
    photo = selectors.case_photo(incident=incident, photo_id=photo_id)
    try:
        handle = photo.image.open("rb")
    except (FileNotFoundError, OSError, ValueError):
        raise Http404 from None
    response = FileResponse(handle, content_type="image/jpeg")  # photos are re-encoded to JPEG on upload
    response["Content-Disposition"] = f'inline; filename="{incident.tracking_code}-{photo.pk}.jpg"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
