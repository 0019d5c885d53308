"""The community side of admission: the task ledger (社区工作事项台账), the gate for tasks departments send
down (下派任务), and the record of separate inspections, appraisals and rankings on admitted items.

- `AdmittedTask`: one row per admitted application and target community — period, resources, what it brings
  (报表, 台账, 检查考核, 会议, 牌子) and its reporting dates. Created when the review group admits, revoked with
  the application. The burden figures read these rows.
- `SentTask`: what a department actually sends to one community. It either cites an admitted item that covers that
  community on that day, or it arrives marked "not admitted" (with the gate's reason), and the community may refuse
  it with one action and a reason; the department sees the refusal.
- `ExtraDemand`: an attempt to inspect, appraise or rank a community separately on an admitted item
  (郑州二七区: departments may not), counted in the burden figures."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class AdmittedTaskStatus(models.TextChoices):
    ACTIVE = "active", _("Admitted")
    REVOKED = "revoked", _("Revoked")


class AdmittedTask(models.Model):
    Status = AdmittedTaskStatus

    application = models.ForeignKey("admission.Application", on_delete=models.PROTECT, related_name="ledger_rows",
                                    verbose_name=_("admission application"))
    community = models.ForeignKey("grids.Region", on_delete=models.PROTECT, related_name="admitted_tasks",
                                  verbose_name=_("community"), limit_choices_to={"level": "community"})
    admitted_on = models.DateField(_("admitted on"))
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("until"))
    funding_yuan = models.DecimalField(_("funding (yuan a year)"), max_digits=14, decimal_places=2, null=True,
                                       blank=True)
    staff = models.DecimalField(_("staff (full-time equivalents)"), max_digits=6, decimal_places=2, null=True,
                                blank=True)
    workload_hours_per_month = models.DecimalField(_("expected workload (hours a month)"), max_digits=7,
                                                   decimal_places=1, default=0)
    forms_count = models.PositiveSmallIntegerField(_("report forms (报表)"), default=0)
    ledgers_count = models.PositiveSmallIntegerField(_("ledgers (台账)"), default=0)
    inspections_count = models.PositiveSmallIntegerField(_("inspections and appraisals (检查考核)"), default=0)
    meetings_count = models.PositiveSmallIntegerField(_("meetings (会议)"), default=0)
    signboards_count = models.PositiveSmallIntegerField(_("signboards (牌子)"), default=0)
    reporting_dates = models.JSONField(_("reporting dates"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=AdmittedTaskStatus.choices,
                              default=AdmittedTaskStatus.ACTIVE, db_index=True)
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("admitted task")
        verbose_name_plural = _("task ledger")
        ordering = ["period_start", "id"]
        constraints = [
            models.UniqueConstraint(fields=["application", "community"], name="admittedtask_once_per_community"),
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="admittedtask_period_ordered"),
            models.CheckConstraint(condition=Q(status__in=AdmittedTaskStatus.values), name="admittedtask_status_known"),
        ]
        indexes = [models.Index(fields=["community", "status", "period_end"], name="admittedtask_ledger_idx")]

    def __str__(self):
        return f"{self.application_id} @ {self.community_id}"

    def in_force_on(self, day) -> bool:
        return (self.admitted_on <= day and self.period_start <= day <= self.period_end
                and (self.revoked_on is None or day < self.revoked_on))


class SentTaskKind(models.TextChoices):
    WORK = "work", _("Work task")
    REPORT = "report", _("Report or material to hand in")
    INSPECTION = "inspection", _("Inspection (检查)")
    APPRAISAL = "appraisal", _("Appraisal (考核)")
    RANKING = "ranking", _("Ranking or competition (评比)")


# Kinds a department may not add separately on an admitted item (郑州二七区).
SEPARATE_CHECK_KINDS = (SentTaskKind.INSPECTION, SentTaskKind.APPRAISAL, SentTaskKind.RANKING)


class SentTaskState(models.TextChoices):
    RECEIVED = "received", _("Received")
    ACCEPTED = "accepted", _("Accepted")
    REFUSED = "refused", _("Refused")
    DONE = "done", _("Done")


class GateReason(models.TextChoices):
    """Why a task arrived "not admitted" (blank when it is admitted)."""

    NONE = "", _("Admitted")
    NO_CITATION = "no_citation", _("Cites no admitted item")
    NOT_ADMITTED = "not_admitted", _("The cited item is not admitted")
    NOT_TARGETED = "not_targeted", _("The cited item was not admitted for this community")
    OUTSIDE_PERIOD = "outside_period", _("Outside the admitted period")
    SEPARATE_CHECK = "separate_check", _("A separate inspection, appraisal or ranking on an admitted item")


class SentTask(models.Model):
    State = SentTaskState
    Kind = SentTaskKind

    TRANSITIONS = {
        SentTaskState.RECEIVED: {SentTaskState.ACCEPTED, SentTaskState.REFUSED},
        SentTaskState.ACCEPTED: {SentTaskState.DONE},
        SentTaskState.REFUSED: set(),
        SentTaskState.DONE: set(),
    }

    department = models.ForeignKey("governance.Department", on_delete=models.PROTECT, related_name="sent_tasks",
                                   verbose_name=_("department"))
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+", verbose_name=_("sent by"))
    community = models.ForeignKey("grids.Region", on_delete=models.PROTECT, related_name="received_tasks",
                                  verbose_name=_("community"), limit_choices_to={"level": "community"})
    batch = models.CharField(_("batch"), max_length=32, db_index=True)
    title = models.CharField(_("task"), max_length=200)
    content = models.TextField(_("what is asked"), max_length=4000)
    kind = models.CharField(_("kind"), max_length=16, choices=SentTaskKind.choices, default=SentTaskKind.WORK)
    application = models.ForeignKey("admission.Application", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="sent_tasks", verbose_name=_("admitted item cited"))
    admitted_task = models.ForeignKey(AdmittedTask, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="sent_tasks", verbose_name=_("ledger row"))
    is_admitted = models.BooleanField(_("admitted"), default=False, db_index=True)
    gate_reason = models.CharField(_("why not admitted"), max_length=16, choices=GateReason.choices, blank=True,
                                   default=GateReason.NONE)
    due_date = models.DateField(_("due"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=SentTaskState.choices,
                             default=SentTaskState.RECEIVED, db_index=True)
    refusal_reason = models.TextField(_("reason for refusal"), blank=True, max_length=2000)
    acted_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    acted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name=_("answered by"))
    is_sample = models.BooleanField(_("sample data"), default=False)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("task sent to a community")
        verbose_name_plural = _("tasks sent to communities")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=SentTaskState.values), name="senttask_state_known"),
            models.CheckConstraint(condition=Q(kind__in=SentTaskKind.values), name="senttask_kind_known"),
            models.CheckConstraint(condition=Q(is_admitted=False) | Q(admitted_task__isnull=False),
                                   name="senttask_admitted_has_ledger_row"),
            models.CheckConstraint(condition=~Q(state=SentTaskState.REFUSED) | Q(is_admitted=False),
                                   name="senttask_only_unadmitted_refused"),
            models.UniqueConstraint(fields=["batch", "community"], name="senttask_once_per_batch_and_community"),
        ]
        indexes = [models.Index(fields=["community", "state"], name="senttask_inbox_idx"),
                   models.Index(fields=["department", "created_at"], name="senttask_outbox_idx")]

    def __str__(self):
        return self.title

    @property
    def may_be_refused(self) -> bool:
        return not self.is_admitted and self.state == SentTaskState.RECEIVED


class SentTaskEvent(models.Model):
    """Append-only history of a sent task."""

    task = models.ForeignKey(SentTask, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(_("from"), max_length=16, blank=True)
    to_state = models.CharField(_("to"), max_length=16)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("by"))
    note = models.TextField(_("note"), blank=True, max_length=2000)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("task event")
        verbose_name_plural = _("task events")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.task_id} {self.from_state}→{self.to_state}"


class ExtraDemandKind(models.TextChoices):
    INSPECTION = "inspection", _("Inspection (检查)")
    APPRAISAL = "appraisal", _("Appraisal (考核)")
    RANKING = "ranking", _("Ranking or competition (评比)")


class ExtraDemand(models.Model):
    """A department tried to inspect, appraise or rank a community separately on an admitted item."""

    class Source(models.TextChoices):
        SENT = "sent", _("Sent through the platform")
        RECORDED = "recorded", _("Recorded by the community")

    Kind = ExtraDemandKind

    application = models.ForeignKey("admission.Application", on_delete=models.PROTECT, related_name="extra_demands",
                                    verbose_name=_("admitted item"))
    community = models.ForeignKey("grids.Region", on_delete=models.PROTECT, related_name="extra_demands",
                                  verbose_name=_("community"))
    department = models.ForeignKey("governance.Department", on_delete=models.PROTECT, related_name="extra_demands",
                                   verbose_name=_("department"))
    kind = models.CharField(_("kind"), max_length=16, choices=ExtraDemandKind.choices)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    sent_task = models.OneToOneField(SentTask, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="extra_demand", verbose_name=_("task sent"))
    occurred_on = models.DateField(_("date"))
    note = models.TextField(_("what happened"), blank=True, max_length=2000)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("recorded by"))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("separate inspection attempt")
        verbose_name_plural = _("separate inspection attempts")
        ordering = ["-occurred_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ExtraDemandKind.values), name="extrademand_kind_known"),
        ]

    def __str__(self):
        return f"{self.kind} {self.application_id} @ {self.community_id}"
