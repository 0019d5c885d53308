"""The review-deadline sweep of admission (every 5 minutes from beat, or the in-process scheduler).

The clock lives in columns written at each submission (Application.review_remind_at / review_due_at, in working
days), so the sweep finds every deadline whatever happened to Redis or a worker. Three steps, each at most once:

1. REMINDER to the review group (the district officials of the application's district) once
   GONGZHI_DEADLINE_WARNING_SHARE of the review time has passed, while the deadline is still ahead;
2. ESCALATION once the deadline has passed without a decision: the review group (with SMS) and the applying
   department are told, and the application is marked (escalated_at) — lists show it as overdue;
3. YEARLY REVIEW DUE: an admitted item whose next yearly review date has come is put before the review group.

Safe to run twice, or twice at once: each step is a compare-and-set UPDATE on its marker (reminded_at,
escalated_at, review_reminded_on) guarded by the status and the deadline value read; only the run whose UPDATE
changed the row writes the event and the notifications, in the same transaction. On PostgreSQL a concurrent run
blocks on the row until the first commits and then matches nothing; SQLite serialises writers. A resubmission
clears the markers and sets a new deadline, so the steps fire again for the new clock."""

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from listings.admission.models import AdmissionEvent, Application, ApplicationStatus, EventKind
from listings.admission.services.common import application_url, department_handlers, local_date, review_group

logger = logging.getLogger(__name__)


def admission_review_sweep(*, now=None, batch_size: int = 200) -> dict:
    now = now or timezone.now()
    counts = {"reminded": 0, "escalated": 0, "yearly_due": 0, "errors": 0}
    _reminders(now, batch_size, counts)
    _escalations(now, batch_size, counts)
    _yearly(now, batch_size, counts)
    return counts


def _recipients_by_district(applications) -> dict[int, list]:
    found: dict[int, list] = {}
    for user in review_group({a.district_id for a in applications}):
        found.setdefault(user.region_id, []).append(user)
    return found


def _safely(counts, key, fn, *args) -> None:
    try:
        if fn(*args):
            counts[key] += 1
    except Exception:  # noqa: BLE001 - one bad row must not stop every deadline behind it
        counts["errors"] += 1
        logger.exception("admission sweep: %s failed for %s", key, args[0].pk)


def _values(application: Application) -> dict:
    return {"ref": application.reference, "title": application.title, "department": application.department.name,
            "due": timezone.localtime(application.review_due_at).strftime("%Y-%m-%d %H:%M")}


def _reminders(now, batch_size, counts) -> None:
    batch = list(Application.objects.filter(status__in=Application.PENDING, reminded_at__isnull=True,
                                            review_remind_at__lte=now, review_due_at__gt=now)
                 .select_related("department").order_by("review_due_at", "pk")[:batch_size])
    if not batch:
        return
    recipients = _recipients_by_district(batch)
    for application in batch:
        _safely(counts, "reminded", _remind_one, application, recipients.get(application.district_id, []), now)


@transaction.atomic
def _remind_one(application: Application, recipients, now) -> bool:
    won = Application.objects.filter(pk=application.pk, status__in=Application.PENDING, reminded_at__isnull=True,
                                     review_due_at=application.review_due_at).update(reminded_at=now)
    if not won:
        return False
    from governance.services.notifications import notify

    values = _values(application)
    AdmissionEvent.objects.create(application=application, kind=EventKind.REMINDER, from_status=application.status,
                                  to_status=application.status,
                                  note=_("Reminder: the review is due %(due)s. 审核即将到期。") % values)
    notify(recipients=recipients, kind="admission_reminder",
           title=_("Review due soon: %(title)s 准入审核即将到期") % values,
           body=_("Application %(ref)s from %(department)s is due for a decision by %(due)s. 请在期限内作出决定。")
           % values, url=application_url(application.pk), obj=application,
           dedupe_key=f"admission:{application.pk}:reminder:{application.review_due_at.isoformat()}")
    return True


def _escalations(now, batch_size, counts) -> None:
    batch = list(Application.objects.filter(status__in=Application.PENDING, escalated_at__isnull=True,
                                            review_due_at__lte=now)
                 .select_related("department").order_by("review_due_at", "pk")[:batch_size])
    if not batch:
        return
    recipients = _recipients_by_district(batch)
    handlers: dict[int, list] = {}
    for user in department_handlers({a.department_id for a in batch}):
        handlers.setdefault(user.department_id, []).append(user)
    for application in batch:
        _safely(counts, "escalated", _escalate_one, application, recipients.get(application.district_id, []),
                handlers.get(application.department_id, []), now)


@transaction.atomic
def _escalate_one(application: Application, reviewers, handlers, now) -> bool:
    won = Application.objects.filter(pk=application.pk, status__in=Application.PENDING, escalated_at__isnull=True,
                                     review_due_at=application.review_due_at).update(escalated_at=now)
    if not won:
        return False
    from governance.services.notifications import notify

    values = _values(application)
    key = f"admission:{application.pk}:escalated:{application.review_due_at.isoformat()}"
    AdmissionEvent.objects.create(application=application, kind=EventKind.ESCALATED, from_status=application.status,
                                  to_status=application.status,
                                  note=_("Overdue: the review was due %(due)s. 审核已超期，已督办。") % values)
    notify(recipients=reviewers, kind="admission_escalated", sms=True,
           title=_("Review overdue: %(title)s 准入审核已超期") % values,
           body=_("Application %(ref)s from %(department)s was due for a decision by %(due)s. Decide now. "
                  "请立即作出决定。") % values, url=application_url(application.pk), obj=application, dedupe_key=key)
    notify(recipients=handlers, kind="admission_escalated",
           title=_("Review overdue: %(title)s 准入审核已超期") % values,
           body=_("The review group has not decided on %(ref)s by %(due)s; it has been reminded. 已督促审核小组。")
           % values, url=application_url(application.pk), obj=application, dedupe_key=key)
    return True


def _yearly(now, batch_size, counts) -> None:
    today = local_date(now)
    batch = list(Application.objects.filter(status=ApplicationStatus.ADMITTED, next_review_on__lte=today,
                                            review_reminded_on__isnull=True)
                 .select_related("department").order_by("next_review_on", "pk")[:batch_size])
    if not batch:
        return
    recipients = _recipients_by_district(batch)
    for application in batch:
        _safely(counts, "yearly_due", _yearly_one, application, recipients.get(application.district_id, []))


@transaction.atomic
def _yearly_one(application: Application, recipients) -> bool:
    due = application.next_review_on
    won = Application.objects.filter(pk=application.pk, status=ApplicationStatus.ADMITTED, next_review_on=due,
                                     review_reminded_on__isnull=True).update(review_reminded_on=due)
    if not won:
        return False
    from governance.services.notifications import notify

    values = {"ref": application.reference, "title": application.title, "due": due.isoformat()}
    AdmissionEvent.objects.create(application=application, kind=EventKind.YEARLY_DUE, from_status=application.status,
                                  to_status=application.status,
                                  note=_("The yearly review is due (%(due)s). 年度复核到期。") % values)
    notify(recipients=recipients, kind="admission_yearly_review",
           title=_("Yearly review due: %(title)s 准入事项年度复核") % values,
           body=_("Admitted item %(ref)s is due for its yearly review since %(due)s: confirm it or revoke it. "
                  "请进行年度复核。") % values, url=application_url(application.pk), obj=application,
           dedupe_key=f"admission:{application.pk}:yearly:{due.isoformat()}")
    return True
