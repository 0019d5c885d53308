"""Admission (准入): a department applies, the rules pre-check, the district review group decides.

申请 → 审批 → 准入 → 撤销, with a yearly review. Every write is one transaction; every status change appends an
AdmissionEvent; notifications are written in the same transaction and sent on commit. Each function re-checks who
may act: outside the actor's reach → NotFoundOrForbidden (a 404), in reach but the wrong role → PermissionDenied.

Submission runs the pure pre-check (listings/admission/rules.py) against the district's lists in force on the
task's start date and stores its track and reason codes:
- a blocking problem (no community, dates in the wrong order, an unknown item, an unlisted task without funding or
  purchase of service, the community's own self-governance work) → ValidationError, nothing saved;
- the negative list, or a certificate communities must not issue → submitted and refused at once, with the reason;
- otherwise submitted, and the review clock starts (GONGZHI_ADMISSION_REVIEW_WORKING_DAYS working days).
Admitting writes one task-ledger row (AdmittedTask) per target community."""

import re
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.lib.exceptions import NotFoundOrForbidden, PermissionDeniedError
from governance.lib.transitions import ensure_transition
from governance.models import Department, Role
from governance.services.notifications import notify
from grids.models import Region, RegionLevel
from listings.admission import rules
from listings.admission.labels import reason_text
from listings.admission.models import (
    AdmissionEvent,
    AdmittedTask,
    AdmittedTaskStatus,
    Application,
    ApplicationStatus,
    EventKind,
    ReportingCycle,
)
from listings.admission.permissions import can_review, is_handler_of
from listings.admission.services.common import (
    application_url,
    community_staff,
    department_handlers,
    lead_working_days,
    local_date,
    one_year_later,
    review_clock,
    review_group,
)
from listings.models import ListItem

S = ApplicationStatus
EDITABLE_FIELDS = (
    "title", "content", "legal_basis", "cited_item", "period_start", "period_end", "workload_hours_per_month",
    "forms_count", "ledgers_count", "inspections_count", "meetings_count", "signboards_count", "reporting_cycle",
    "funding_per_community_yuan", "staff_per_community", "purchase_of_service",
)
TEXT_FIELDS = ("title", "content", "legal_basis", "purchase_of_service")
_KEYWORD_SPLIT = re.compile(r"[\s,，、;；/]+")


def _not_found() -> NotFoundOrForbidden:
    return NotFoundOrForbidden(_("This application does not exist. 申请不存在。"))


def unknown_item_message() -> str:
    return _("The list item cited is not on this district's lists. 所引用的清单事项不在本区清单中。")


# --- the district's lists as the rules see them ----------------------------------------------------------------

def district_items(*, district_id: int, day) -> list[rules.Item]:
    """Every item of the district's lists (one query), marked in force or not on `day`."""
    items = (ListItem.objects.filter(kind__district_id=district_id).select_related("kind")
             .order_by("kind__position", "kind_id", "position", "code", "pk"))
    return [rules.Item(id=i.pk, code=i.code, name=i.name, purpose=i.kind.purpose,
                       keywords=tuple(w for w in _KEYWORD_SPLIT.split(i.keywords or "") if w),
                       in_force=i.in_force_on(day), funding_yuan=i.funding_yuan, list_name=i.kind.name,
                       issuing_office=i.issuing_office)
            for i in items]


def reasons_json(verdict: rules.Verdict, *, lead: int | None = None) -> list[dict]:
    rows = []
    for reason in verdict.reasons:
        row = {"code": str(reason.code), "severity": str(reason.severity)}
        if reason.item is not None:
            row.update({"item": reason.item.id, "item_name": reason.item.name, "list": reason.item.list_name})
            if reason.item.issuing_office:
                row["office"] = reason.item.issuing_office
        if reason.code == rules.Code.LATE:
            row.update({"lead": lead, "required": settings.GONGZHI_ADMISSION_LEAD_WORKING_DAYS})
        rows.append(row)
    return rows


def precheck(*, district_id: int, title: str, community_count: int, period_start, period_end, cited_item_id,
             funding_per_community_yuan=None, staff_per_community=None, purchase_of_service: str = "",
             now=None) -> tuple[rules.Verdict, int | None]:
    """The rules' verdict for these facts, as if submitted now (no writes). Returns (verdict, lead working days)."""
    now = now or timezone.now()
    today = local_date(now)
    lead = lead_working_days(today, period_start)
    facts = rules.Facts(title=title or "", community_count=community_count, period_start=period_start,
                        period_end=period_end, submitted_on=today, cited_item_id=cited_item_id,
                        funding_per_community_yuan=funding_per_community_yuan,
                        staff_per_community=staff_per_community, purchase_of_service=purchase_of_service or "",
                        lead_working_days=lead)
    items = district_items(district_id=district_id, day=period_start or today)
    verdict = rules.precheck(facts, items, lead_working_days_required=settings.GONGZHI_ADMISSION_LEAD_WORKING_DAYS)
    return verdict, lead


def application_precheck(*, actor, data: dict, communities, now=None) -> tuple[rules.Verdict, list[dict]]:
    """The pre-check shown on the form before submitting: nothing is written."""
    department = _require_department(actor)
    cited = data.get("cited_item")
    verdict, lead = precheck(
        district_id=department.district_id, title=data.get("title", ""), community_count=len(list(communities)),
        period_start=data.get("period_start"), period_end=data.get("period_end"),
        cited_item_id=getattr(cited, "pk", cited), funding_per_community_yuan=data.get("funding_per_community_yuan"),
        staff_per_community=data.get("staff_per_community"), purchase_of_service=data.get("purchase_of_service", ""),
        now=now)
    return verdict, reasons_json(verdict, lead=lead)


# --- who may act -----------------------------------------------------------------------------------------------

def _require_department(actor) -> Department:
    if getattr(actor, "role", None) != Role.DEPARTMENT_HANDLER or not actor.department_id:
        raise PermissionDeniedError(_("Only department handlers apply for admission. 仅部门承办人可以申请准入。"))
    return Department.objects.select_related("district").get(pk=actor.department_id)


def _locked(application_id: int) -> Application:
    try:
        return Application.objects.select_for_update().get(pk=application_id)
    except (Application.DoesNotExist, ValueError, TypeError):
        raise _not_found() from None


def _require_own(actor, application: Application) -> None:
    if not is_handler_of(actor, application.department_id):
        raise _not_found()


def _require_reviewer(actor, application: Application) -> None:
    """The review group of the application's district; a draft is the department's own (not found for others)."""
    if application.status != S.DRAFT and can_review(actor, application):
        return
    if (getattr(actor, "role", None) in (Role.DISTRICT_OFFICIAL, Role.STREET_STAFF, Role.COMMUNITY_STAFF)
            and application.status != S.DRAFT and _reaches(actor, application)):
        raise PermissionDeniedError(_review_group_only())
    if is_handler_of(actor, application.department_id):
        raise PermissionDeniedError(_review_group_only())
    raise _not_found()


def _review_group_only() -> str:
    return _("Only the district review group decides on admission. 仅区审核小组可以作出准入决定。")


def _reaches(actor, application) -> bool:
    from listings.admission.selectors.applications import application_list

    return application_list(user=actor).filter(pk=application.pk).exists()


# --- input --------------------------------------------------------------------------------------------------------

def _cited_item(value, *, district_id: int) -> ListItem | None:
    if value in (None, ""):
        return None
    pk = getattr(value, "pk", value)
    item = ListItem.objects.filter(pk=pk, kind__district_id=district_id).first() if str(pk).isdigit() else None
    if item is None:
        raise ValidationError({"cited_item": unknown_item_message()})
    return item


def _communities(values, *, district: Region) -> list[Region]:
    ids = {getattr(v, "pk", v) for v in values or []}
    if not all(str(pk).isdigit() for pk in ids):
        raise ValidationError({"communities": _("Unknown community. 未知的社区。")})
    found = list(Region.objects.filter(pk__in=ids, level=RegionLevel.COMMUNITY, path__startswith=district.path,
                                       valid_to__isnull=True).order_by("path"))
    if len(found) != len(ids):
        raise ValidationError({"communities": _("Choose communities of this district only. 只能选择本区的社区。")})
    return found


def _assign(application: Application, data: dict, *, district_id: int) -> None:
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    for name in EDITABLE_FIELDS:
        if name not in data:
            continue
        value = data[name]
        if name == "cited_item":
            value = _cited_item(value, district_id=district_id)
        elif name in TEXT_FIELDS:
            value = (value or "").strip()
        elif name in ("funding_per_community_yuan", "staff_per_community") and value in ("", None):
            value = None
        elif name.endswith("_count") and value in ("", None):
            value = 0
        elif name == "workload_hours_per_month" and value in ("", None):
            value = Decimal(0)
        elif name == "reporting_cycle" and not value:
            value = ReportingCycle.NONE
        setattr(application, name, value)
    application.full_clean(exclude=["applicant", "decided_by", "matched_item"])


def _event(application: Application, *, to: str = "", actor=None, note: str = "", kind: str = EventKind.STATUS,
           reasons=None) -> AdmissionEvent:
    return AdmissionEvent.objects.create(application=application, kind=kind, from_status=application.status,
                                         to_status=to or application.status, actor=actor, note=note,
                                         reason_codes=reasons or [])


def _move(application: Application, to: str, *, actor=None, note: str = "", reasons=None) -> None:
    ensure_transition(table=Application.TRANSITIONS, current=application.status, target=to)
    _event(application, to=to, actor=actor, note=note, reasons=reasons)
    application.status = to


# --- apply --------------------------------------------------------------------------------------------------------

@transaction.atomic
def application_create(*, actor, communities, submit: bool = False, now=None, is_sample: bool = False,
                       **data) -> Application:
    """A new application (a draft, or submitted at once with submit=True). Nothing is saved on bad input."""
    now = now or timezone.now()
    department = _require_department(actor)
    application = Application(department=department, district_id=department.district_id, applicant=actor,
                              is_sample=is_sample)
    _assign(application, data, district_id=department.district_id)
    targets = _communities(communities, district=department.district)
    _refresh_precheck(application, community_count=len(targets), now=now)
    application.save()
    application.communities.set(targets)
    _event(application, to=S.DRAFT, actor=actor, note=_("Draft created. 草稿已创建。"), kind=EventKind.EDITED)
    if submit:
        _submit(application, actor=actor, targets=targets, now=now)
    return application


@transaction.atomic
def application_update(*, actor, application_id: int, communities, submit: bool = False, now=None,
                       **data) -> Application:
    """Edit a draft or an application returned for changes (and submit it, with submit=True)."""
    now = now or timezone.now()
    application = _locked(application_id)
    _require_own(actor, application)
    if application.status not in Application.EDITABLE:
        raise PermissionDeniedError(_("Only a draft or an application returned for changes can be edited. "
                                      "仅草稿或退回修改的申请可以修改。"))
    department = _require_department(actor)
    _assign(application, data, district_id=department.district_id)
    targets = _communities(communities, district=department.district)
    _refresh_precheck(application, community_count=len(targets), now=now)
    application.save()
    application.communities.set(targets)
    _event(application, actor=actor, note=_("Edited. 已修改。"), kind=EventKind.EDITED)
    if submit:
        _submit(application, actor=actor, targets=targets, now=now)
    return application


@transaction.atomic
def application_submit(*, actor, application_id: int, now=None) -> Application:
    """Submit a draft, or resubmit an application returned for changes."""
    now = now or timezone.now()
    application = _locked(application_id)
    _require_own(actor, application)
    if application.status in Application.PENDING:
        return application  # already submitted: a double click is harmless
    if application.status not in Application.EDITABLE:
        ensure_transition(table=Application.TRANSITIONS, current=application.status, target=S.SUBMITTED)
    _submit(application, actor=actor, targets=list(application.communities.all()), now=now)
    return application


def _refresh_precheck(application: Application, *, community_count: int, now) -> rules.Verdict:
    verdict, lead = precheck(
        district_id=application.district_id, title=application.title, community_count=community_count,
        period_start=application.period_start, period_end=application.period_end,
        cited_item_id=application.cited_item_id, funding_per_community_yuan=application.funding_per_community_yuan,
        staff_per_community=application.staff_per_community, purchase_of_service=application.purchase_of_service,
        now=now)
    application.track = str(verdict.track)
    application.reason_codes = reasons_json(verdict, lead=lead)
    application.matched_item_id = verdict.matched_item.id if verdict.matched_item else None
    application.is_late = verdict.is_late
    application.lead_working_days = lead
    return verdict


def _raise_blocking(application: Application, verdict: rules.Verdict) -> None:
    errors: dict[str, list[str]] = {}
    for reason in verdict.blocking:
        field = rules.FIELD[reason.code]
        if reason.code == rules.Code.SELF_GOVERNANCE_ITEM and not application.cited_item_id:
            field = "title"
        errors.setdefault(field, []).append(reason_text(reason.code, reason.item.name if reason.item else ""))
    raise ValidationError(errors)


def _submit(application: Application, *, actor, targets, now) -> None:
    verdict = _refresh_precheck(application, community_count=len(targets), now=now)
    if verdict.blocking:
        _raise_blocking(application, verdict)
    resubmission = application.status == S.RETURNED
    note = (_("Resubmitted after changes. 修改后重新提交。") if resubmission else _("Submitted. 已提交。"))
    _move(application, S.SUBMITTED, actor=actor, note=note, reasons=application.reason_codes)
    application.applied_at = now
    application.submission_count += 1
    application.reminded_at = application.escalated_at = None
    fields = ["status", "applied_at", "submission_count", "reminded_at", "escalated_at", "track", "reason_codes",
              "matched_item", "is_late", "lead_working_days", "review_remind_at", "review_due_at", "decided_at",
              "decided_by", "decision_note", "updated_at"]
    if verdict.refused:
        reason = verdict.reasons[0]
        text = reason_text(reason.code, reason.item.name if reason.item else "")
        _move(application, S.REFUSED, actor=None, note=_("Refused automatically: %(reason)s") % {"reason": text},
              reasons=application.reason_codes)
        application.decided_at, application.decided_by, application.decision_note = now, None, text
        application.review_remind_at = application.review_due_at = None
        application.save(update_fields=fields)
        return
    application.review_remind_at, application.review_due_at = review_clock(now)
    application.decided_at, application.decided_by, application.decision_note = None, None, ""
    application.save(update_fields=fields)
    values = {"ref": application.reference, "title": application.title, "department": application.department.name,
              "due": timezone.localtime(application.review_due_at).strftime("%Y-%m-%d")}
    notify(recipients=review_group([application.district_id]), kind="admission_submitted",
           title=_("Admission application %(ref)s: %(title)s 新的准入申请") % values,
           body=_("%(department)s applies to put “%(title)s” on communities. Please decide by %(due)s. "
                  "请在期限内审核。") % values,
           url=application_url(application.pk), obj=application,
           dedupe_key=f"admission:{application.pk}:submitted:{application.submission_count}")


@transaction.atomic
def application_withdraw(*, actor, application_id: int, note: str = "") -> Application:
    application = _locked(application_id)
    _require_own(actor, application)
    if application.status == S.WITHDRAWN:
        return application
    note = (note or "").strip() or _("Withdrawn by the department. 部门撤回。")
    _move(application, S.WITHDRAWN, actor=actor, note=note)
    application.save(update_fields=["status", "updated_at"])
    return application


# --- review ---------------------------------------------------------------------------------------------------

@transaction.atomic
def application_take_up(*, actor, application_id: int) -> Application:
    """The review group takes a submitted application up (受理): submitted → under review."""
    application = _locked(application_id)
    _require_reviewer(actor, application)
    if application.status == S.UNDER_REVIEW:
        return application
    _move(application, S.UNDER_REVIEW, actor=actor, note=_("Taken up for review. 已受理。"))
    application.save(update_fields=["status", "updated_at"])
    return application


DECISIONS = {"admit": S.ADMITTED, "refuse": S.REFUSED, "return": S.RETURNED}


@transaction.atomic
def application_decide(*, actor, application_id: int, decision: str, note: str = "", now=None) -> Application:
    """Admit, refuse, or return for changes. Refusing and returning need reasons; admitting writes the ledger."""
    now = now or timezone.now()
    if decision not in DECISIONS:
        raise ValidationError({"decision": _("Choose admit, refuse or return. 请选择准入、不予准入或退回修改。")})
    application = _locked(application_id)
    _require_reviewer(actor, application)
    target = DECISIONS[decision]
    if application.status == target:
        return application  # a repeated click
    note = (note or "").strip()
    if decision in ("refuse", "return") and not note:
        raise ValidationError({"note": _("Give the reasons. 请填写理由。")})
    _move(application, target, actor=actor, note=note)
    application.decided_at, application.decided_by, application.decision_note = now, actor, note
    fields = ["status", "decided_at", "decided_by", "decision_note", "updated_at"]
    if target == S.ADMITTED:
        today = local_date(now)
        application.next_review_on = one_year_later(today)
        application.review_reminded_on = None
        fields += ["next_review_on", "review_reminded_on"]
        _write_ledger(application, today=today)
    application.save(update_fields=fields)
    _tell_decision(application, target)
    return application


def _write_ledger(application: Application, *, today) -> list[AdmittedTask]:
    """One ledger row per target community. Resources: the application's per-community funding and staff, or,
    where it gives none, what the cited list item carries ("权随责走、费随事转")."""
    dates = [d.isoformat() for d in rules.reporting_dates(application.period_start, application.period_end,
                                                          application.reporting_cycle)]
    item = application.cited_item
    funding = application.funding_per_community_yuan
    staff = application.staff_per_community
    if item is not None:
        funding = item.funding_yuan if funding is None else funding
        staff = item.staff_attached if staff is None else staff
    rows = []
    for community in application.communities.all().order_by("path"):
        row, _created = AdmittedTask.objects.get_or_create(application=application, community=community, defaults=dict(
            admitted_on=today, period_start=application.period_start, period_end=application.period_end,
            funding_yuan=funding, staff=staff,
            workload_hours_per_month=application.workload_hours_per_month, forms_count=application.forms_count,
            ledgers_count=application.ledgers_count, inspections_count=application.inspections_count,
            meetings_count=application.meetings_count, signboards_count=application.signboards_count,
            reporting_dates=dates))
        rows.append(row)
    return rows


def _tell_decision(application: Application, status: str) -> None:
    values = {"ref": application.reference, "title": application.title, "note": application.decision_note or "—"}
    titles = {
        S.ADMITTED: _("Admitted: %(title)s 准入申请已通过") % values,
        S.REFUSED: _("Refused: %(title)s 准入申请未通过") % values,
        S.RETURNED: _("Returned for changes: %(title)s 准入申请退回修改") % values,
        S.REVOKED: _("Admission revoked: %(title)s 准入事项已撤销") % values,
    }
    body = _("Application %(ref)s. Reasons: %(note)s") % values
    recipients = department_handlers([application.department_id])
    if application.applicant_id and application.applicant not in recipients:
        recipients.append(application.applicant)
    key = f"admission:{application.pk}:{status}:{application.submission_count}"
    notify(recipients=recipients, kind="admission_decided", title=titles[status], body=body,
           url=application_url(application.pk), obj=application, dedupe_key=key)
    if status in (S.ADMITTED, S.REVOKED):
        from django.urls import reverse

        staff = community_staff(application.communities.values_list("pk", flat=True))
        notify(recipients=staff, kind="admission_ledger", title=titles[status],
               body=_("The task ledger of your community changed: %(title)s. 本社区工作事项台账已更新。") % values,
               url=reverse("admission:community_tasks"), obj=application, dedupe_key=key)


@transaction.atomic
def application_revoke(*, actor, application_id: int, note: str, now=None) -> Application:
    """撤销: an admitted item leaves every ledger from today; departments can no longer cite it."""
    now = now or timezone.now()
    application = _locked(application_id)
    _require_reviewer(actor, application)
    if application.status == S.REVOKED:
        return application
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Give the reasons. 请填写理由。")})
    _move(application, S.REVOKED, actor=actor, note=note)
    application.revoked_at, application.decision_note, application.decided_by = now, note, actor
    application.save(update_fields=["status", "revoked_at", "decision_note", "decided_by", "updated_at"])
    application.ledger_rows.filter(status=AdmittedTaskStatus.ACTIVE).update(status=AdmittedTaskStatus.REVOKED,
                                                                            revoked_on=local_date(now))
    _tell_decision(application, S.REVOKED)
    return application


@transaction.atomic
def application_yearly_review(*, actor, application_id: int, outcome: str, note: str = "", now=None) -> Application:
    """The yearly review of an admitted item: confirm it for another year, or revoke it."""
    now = now or timezone.now()
    if outcome not in ("confirm", "revoke"):
        raise ValidationError({"outcome": _("Choose confirm or revoke. 请选择继续保留或撤销。")})
    if outcome == "revoke":
        return application_revoke(actor=actor, application_id=application_id, note=note, now=now)
    application = _locked(application_id)
    _require_reviewer(actor, application)
    if application.status != S.ADMITTED:
        raise PermissionDeniedError(_("Only an admitted item is reviewed yearly. 仅已准入事项需要年度复核。"))
    today = local_date(now)
    _event(application, actor=actor, kind=EventKind.YEARLY_REVIEW,
           note=(note or "").strip() or _("Confirmed for another year. 年度复核：继续保留。"))
    application.last_reviewed_on = today
    application.next_review_on = one_year_later(today)
    application.review_reminded_on = None
    application.save(update_fields=["last_reviewed_on", "next_review_on", "review_reminded_on", "updated_at"])
    return application
