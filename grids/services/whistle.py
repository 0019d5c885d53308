"""网格吹哨、部门报到: community or street staff summon departments onto a case they cannot solve alone.

Each summoned department gets a WhistleSummons with a report-in deadline (GONGZHI_REPORT_IN_HOURS), joins the
case as a co-handler (协办; the lead unit stays in charge) and is notified. A handler of the department reports
in once with the department's part; a second report-in changes nothing. Late report-ins are escalated by the
deadline sweep (grids.services.deadlines reads report_by / reported_at / escalated_at)."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.lib.exceptions import NotFoundOrForbidden, PermissionDeniedError
from governance.models import Department, Role
from governance.services.notifications import notify
from grids.incident_permissions import check
from grids.models import Assignment, WhistleCall, WhistleSummons
from grids.services.incidents import _event, _lock, _required_text, add_co_handler, case_url
from grids.services.routing import unit_accounts


def _departments(values) -> list[Department]:
    ids = []
    for value in values or []:
        pk = getattr(value, "pk", value)
        try:
            pk = int(pk)
        except (TypeError, ValueError):
            raise ValidationError({"departments": _("Unknown department. 部门无效。")}) from None
        if pk not in ids:
            ids.append(pk)
    if not ids:
        raise ValidationError({"departments": _("Summon at least one department. 请至少选择一个部门。")})
    found = {d.pk: d for d in Department.objects.filter(pk__in=ids, is_active=True)}
    if len(found) != len(ids):
        raise ValidationError({"departments": _("Choose active departments only. 请选择有效的部门。")})
    return [found[pk] for pk in ids]


@transaction.atomic
def whistle_blow(*, actor, incident_id, departments, reason, now=None) -> WhistleCall:
    """吹哨: community or street staff within jurisdiction summon one or more departments (case DISPATCHED, SIGNED
    or IN_HAND). Returns the WhistleCall; its summonses carry the report-in deadlines."""
    now = now or timezone.now()
    incident = _lock(incident_id)
    check(actor, "whistle", incident)
    reason = _required_text(reason, field="reason", max_length=2000,
                            message=_("Say what the departments are needed for. 请说明吹哨事由。"))
    summoned = _departments(departments)
    call = WhistleCall.objects.create(incident=incident, caller=actor, reason=reason)
    report_by = now + datetime.timedelta(hours=settings.GONGZHI_REPORT_IN_HOURS)
    for department in summoned:
        summons = WhistleSummons.objects.create(whistle=call, department=department, report_by=report_by)
        add_co_handler(incident, actor=actor, department=department, note=_("Summoned by a whistle call. 吹哨召集。"))
        notify(recipients=unit_accounts(level="department", department=department), kind="incident_whistle",
               title=_("Whistle: report in on case %(code)s 吹哨报到") % {"code": incident.tracking_code},
               body=_("Report in by %(due)s. %(reason)s") % {
                   "due": f"{timezone.localtime(report_by):%Y-%m-%d %H:%M}", "reason": reason},
               url=case_url(incident), obj=incident, dedupe_key=f"whistle:{summons.pk}", sms=True)
    _event(incident, kind="whistle", actor=actor, public=False,
           note=f"{'、'.join(d.name for d in summoned)}: {reason}")
    return call


@transaction.atomic
def whistle_report_in(*, actor, summons_id, part, now=None) -> WhistleSummons:
    """部门报到: a handler of the summoned department records the report-in and the department's part (once).
    Reporting in also signs for the department's co-handler assignment."""
    now = now or timezone.now()
    incident_id = WhistleSummons.objects.filter(pk=summons_id).values_list("whistle__incident_id", flat=True).first()
    if incident_id is None:
        raise NotFoundOrForbidden(_("Summons not found. 报到通知不存在。"))
    incident = _lock(incident_id)
    summons = WhistleSummons.objects.select_for_update(of=("self",)).select_related("department").get(pk=summons_id)
    if not (getattr(actor, "is_authenticated", False) and actor.is_active and actor.role == Role.DEPARTMENT_HANDLER
            and actor.department_id == summons.department_id):
        raise PermissionDeniedError(_("Only the summoned department reports in. 只有被召集的部门可以报到。"))
    if summons.reported_at is not None:
        return summons  # reported already: a second report-in is harmless
    part = _required_text(part, field="part", max_length=2000,
                          message=_("Say what your department will do. 请填写本部门承担的工作。"))
    summons.reported_at, summons.reported_by, summons.part = now, actor, part
    summons.save(update_fields=["reported_at", "reported_by", "part"])
    Assignment.objects.filter(incident=incident, department=summons.department, role=Assignment.Role.CO,
                              state=Assignment.State.PENDING).update(state=Assignment.State.SIGNED, signed_at=now,
                                                                     assignee=actor)
    _event(incident, kind="report_in", actor=actor, public=False, note=f"{summons.department.name}: {part}")
    return summons
