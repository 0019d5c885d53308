"""Admission application pages: list, new/edit with the rules' pre-check, detail with timeline and decisions."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from governance.lib.exceptions import InvalidTransition
from listings.admission.forms import ApplicationForm, DecisionForm, NoteForm, RevokeForm, YearlyReviewForm
from listings.admission.labels import reason_rows
from listings.admission.models import Application, ApplicationStatus, Track
from listings.admission.permissions import can_apply, can_review, is_handler_of
from listings.admission.selectors.applications import (
    access_application,
    application_rows,
    application_timeline,
    district_communities,
    extra_demand_rows,
    ledger_list,
)
from listings.admission.services import applications as svc
from listings.admission.views.common import admission_page, paginate


def _detail_url(application) -> str:
    return reverse("admission:application_detail", args=[application.pk])


@admission_page
@require_GET
def application_list(request):
    status = request.GET.get("status", "")
    if status not in {"pending", "overdue", *ApplicationStatus.values}:
        status = ""
    track = request.GET.get("track", "")
    if track not in Track.values:
        track = ""
    q = request.GET.get("q", "").strip()[:50]
    page = paginate(request, application_rows(user=request.user, status=status, q=q, track=track))
    return render(request, "listings/admission/application_list.html", {
        "page": page, "status": status, "track": track, "q": q, "now": timezone.now(),
        "status_choices": [("", _("All")), ("pending", _("Waiting for a decision")),
                           ("overdue", _("Review overdue")), *ApplicationStatus.choices],
        "track_choices": [c for c in Track.choices if c[0]],
        "can_apply": can_apply(request.user),
    })


def _form_page(request, application=None):
    user = request.user
    if not can_apply(user):
        raise PermissionDenied
    department = user.department
    today = timezone.localdate()
    form = ApplicationForm(request.POST or None, department=department,
                           communities=district_communities(district=department.district), day=today,
                           instance=application)
    status, precheck = 200, None
    if request.method == "POST":
        action = request.POST.get("action", "check")
        if not form.is_valid():
            status = 400
        elif action == "check":
            verdict, reasons = svc.application_precheck(actor=user, data=form.service_data(),
                                                        communities=form.cleaned_data["communities"])
            precheck = {"track": Track(str(verdict.track)).label if str(verdict.track) in Track.values else "",
                        "track_code": str(verdict.track), "reasons": reason_rows(reasons),
                        "blocked": bool(verdict.blocking), "refused": verdict.refused}
        else:
            submit = action == "submit"
            try:
                if application is None:
                    obj = svc.application_create(actor=user, communities=form.cleaned_data["communities"],
                                                 submit=submit, **form.service_data())
                else:
                    obj = svc.application_update(actor=user, application_id=application.pk,
                                                 communities=form.cleaned_data["communities"], submit=submit,
                                                 **form.service_data())
            except ValidationError as exc:
                form.add_service_errors(exc)
                status = 400
            else:
                _submitted_message(request, obj)
                return redirect(_detail_url(obj))
    title = _("New admission application") if application is None else _("Edit %(ref)s") % {
        "ref": application.reference}
    return render(request, "listings/admission/application_form.html", {
        "form": form, "application": application, "precheck": precheck, "title": title,
        "lead_days": _lead_days(), "review_days": _review_days(),
    }, status=status)


def _lead_days() -> int:
    from django.conf import settings

    return settings.GONGZHI_ADMISSION_LEAD_WORKING_DAYS


def _review_days() -> int:
    from django.conf import settings

    return settings.GONGZHI_ADMISSION_REVIEW_WORKING_DAYS


def _submitted_message(request, application: Application) -> None:
    if application.status == ApplicationStatus.REFUSED:
        messages.error(request, _("Refused at once: %(reason)s") % {"reason": application.decision_note})
    elif application.status == ApplicationStatus.SUBMITTED:
        messages.success(request, _("Submitted. The review group decides by %(due)s. 已提交。") % {
            "due": timezone.localtime(application.review_due_at).strftime("%Y-%m-%d")})
    else:
        messages.success(request, _("Saved as a draft. 已保存草稿。"))


@admission_page
@require_http_methods(["GET", "POST"])
def application_create(request):
    return _form_page(request)


@admission_page
@require_http_methods(["GET", "POST"])
def application_edit(request, pk):
    application = access_application(user=request.user, application_id=pk)
    if not is_handler_of(request.user, application.department_id):
        raise PermissionDenied
    if application.status not in Application.EDITABLE:
        messages.error(request, _("Only a draft or an application returned for changes can be edited. "
                                  "仅草稿或退回修改的申请可以修改。"))
        return redirect(_detail_url(application))
    return _form_page(request, application)


def _status_label(value: str) -> str:
    return ApplicationStatus(value).label if value in ApplicationStatus.values else value


def _labelled(events) -> list:
    events = list(events)
    for event in events:
        event.from_label, event.to_label = _status_label(event.from_status), _status_label(event.to_status)
    return events


def _detail(request, application, *, forms=None, status=200):
    user = request.user
    now = timezone.now()
    owner = is_handler_of(user, application.department_id)
    reviewer = can_review(user, application)
    forms = forms or {}
    ledger = (ledger_list(user=user).filter(application=application).select_related("community")
              .annotate(task_count=Count("sent_tasks")).order_by("community__path"))
    context = {
        "application": application, "reasons": reason_rows(application.reason_codes),
        "communities": list(application.communities.order_by("path")),
        "timeline": _labelled(application_timeline(application=application)),
        "ledger": list(ledger) if application.status in (ApplicationStatus.ADMITTED, ApplicationStatus.REVOKED)
        else [],
        "extra_demands": list(extra_demand_rows(user=user).filter(application=application)[:50]),
        "is_owner": owner, "is_reviewer": reviewer, "now": now,
        "overdue": application.is_review_overdue(now),
        "can_edit": owner and application.status in Application.EDITABLE,
        "can_submit": owner and application.status in Application.EDITABLE,
        "can_withdraw": owner and application.status in (*Application.EDITABLE, *Application.PENDING),
        "can_take_up": reviewer and application.status == ApplicationStatus.SUBMITTED,
        "can_decide": reviewer and application.status in Application.PENDING,
        "can_revoke": reviewer and application.status == ApplicationStatus.ADMITTED,
        "decision_form": forms.get("decide") or DecisionForm(),
        "revoke_form": forms.get("revoke") or RevokeForm(),
        "yearly_form": forms.get("yearly_review") or YearlyReviewForm(),
        "withdraw_form": forms.get("withdraw") or NoteForm(),
    }
    return render(request, "listings/admission/application_detail.html", context, status=status)


@admission_page
@require_GET
def application_detail(request, pk):
    return _detail(request, access_application(user=request.user, application_id=pk))


ACTIONS = {
    "submit": None, "withdraw": NoteForm, "take_up": None, "decide": DecisionForm, "revoke": RevokeForm,
    "yearly_review": YearlyReviewForm,
}


@admission_page
@require_POST
def application_action(request, pk, action):
    if action not in ACTIONS:
        raise Http404
    user = request.user
    application = access_application(user=user, application_id=pk)
    form_class = ACTIONS[action]
    form = form_class(request.POST) if form_class else None
    if form is not None and not form.is_valid():
        return _detail(request, application, forms={action: form}, status=400)
    data = form.cleaned_data if form is not None else {}
    try:
        if action == "submit":
            application = svc.application_submit(actor=user, application_id=application.pk)
            _submitted_message(request, application)
        elif action == "withdraw":
            svc.application_withdraw(actor=user, application_id=application.pk, note=data["note"])
            messages.success(request, _("Withdrawn. 已撤回。"))
        elif action == "take_up":
            svc.application_take_up(actor=user, application_id=application.pk)
            messages.success(request, _("Taken up for review. 已受理。"))
        elif action == "decide":
            application = svc.application_decide(actor=user, application_id=application.pk,
                                                 decision=data["decision"], note=data["note"])
            messages.success(request, _("Decision recorded: %(status)s. 已作出决定。") % {
                "status": application.get_status_display()})
        elif action == "revoke":
            svc.application_revoke(actor=user, application_id=application.pk, note=data["note"])
            messages.success(request, _("Revoked: the item has left the communities' ledgers. 已撤销。"))
        elif action == "yearly_review":
            svc.application_yearly_review(actor=user, application_id=application.pk, outcome=data["outcome"],
                                          note=data["note"])
            messages.success(request, _("Yearly review recorded. 已完成年度复核。"))
    except ValidationError as exc:
        if form is None:
            for message in exc.messages:
                messages.error(request, message)
            return redirect(_detail_url(application))
        form.add_service_errors(exc)
        return _detail(request, access_application(user=user, application_id=pk), forms={action: form}, status=400)
    except InvalidTransition:
        messages.error(request, _("This action is not possible in the application's present state. "
                                  "申请当前状态下不能进行此操作。"))
    return redirect(_detail_url(application))
