"""Admission applications (社区工作事项准入申请): a department asks to put a task on communities.

申请 → 审批 → 准入 → 撤销 (北京西城), with a yearly review of every admitted item. The lifecycle is an explicit
table (`Application.TRANSITIONS`); every change appends an `AdmissionEvent`. The pure rules module
(listings/admission/rules.py) pre-checks every submission; its track and reason codes are stored here, and the
review deadline (working days, settings.GONGZHI_ADMISSION_REVIEW_WORKING_DAYS) is a column the sweep reads."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under review")
    RETURNED = "returned", _("Returned for changes")
    ADMITTED = "admitted", _("Admitted")
    REFUSED = "refused", _("Refused")
    REVOKED = "revoked", _("Revoked")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Track(models.TextChoices):
    """The rules' verdict on a submission (see rules.py)."""

    NONE = "", _("Not checked yet")
    FAST_TRACK = "fast_track", _("Fast track (assisting item)")
    FULL_REVIEW = "full_review", _("Full review (unlisted task)")
    REFUSED = "refused", _("Refused (negative list)")
    NOT_NEEDED = "not_needed", _("No admission needed (self-governance)")
    INCOMPLETE = "incomplete", _("Incomplete")


class ReportingCycle(models.TextChoices):
    NONE = "none", _("No reports")
    END = "end", _("Once, at the end")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    HALF_YEARLY = "half_yearly", _("Every half year")
    YEARLY = "yearly", _("Yearly")


class Application(models.Model):
    Status = ApplicationStatus

    # Allowed next states. Review changes to this table like schema changes.
    TRANSITIONS = {
        ApplicationStatus.DRAFT: {ApplicationStatus.SUBMITTED, ApplicationStatus.WITHDRAWN},
        ApplicationStatus.SUBMITTED: {ApplicationStatus.UNDER_REVIEW, ApplicationStatus.ADMITTED,
                                      ApplicationStatus.REFUSED, ApplicationStatus.RETURNED,
                                      ApplicationStatus.WITHDRAWN},
        ApplicationStatus.UNDER_REVIEW: {ApplicationStatus.ADMITTED, ApplicationStatus.REFUSED,
                                         ApplicationStatus.RETURNED, ApplicationStatus.WITHDRAWN},
        ApplicationStatus.RETURNED: {ApplicationStatus.SUBMITTED, ApplicationStatus.WITHDRAWN},
        ApplicationStatus.ADMITTED: {ApplicationStatus.REVOKED},
        ApplicationStatus.REFUSED: set(),
        ApplicationStatus.REVOKED: set(),
        ApplicationStatus.WITHDRAWN: set(),
    }
    PENDING = (ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_REVIEW)  # the review clock runs
    EDITABLE = (ApplicationStatus.DRAFT, ApplicationStatus.RETURNED)
    OPEN = (ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_REVIEW, ApplicationStatus.RETURNED)

    department = models.ForeignKey("governance.Department", on_delete=models.PROTECT,
                                   related_name="admission_applications", verbose_name=_("department"))
    district = models.ForeignKey("grids.Region", on_delete=models.PROTECT, related_name="admission_applications",
                                 verbose_name=_("district"), limit_choices_to={"level": "district"})
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="admission_applications", verbose_name=_("applicant"))
    title = models.CharField(_("task"), max_length=200)
    content = models.TextField(_("what the communities would do"), max_length=4000)
    legal_basis = models.TextField(_("legal basis"), blank=True, max_length=2000)
    cited_item = models.ForeignKey("listings.ListItem", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="admission_applications", verbose_name=_("list item cited"))
    communities = models.ManyToManyField("grids.Region", related_name="admission_targets",
                                         verbose_name=_("communities"), limit_choices_to={"level": "community"})
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("until"))
    workload_hours_per_month = models.DecimalField(_("expected workload (hours a month per community)"),
                                                   max_digits=7, decimal_places=1, default=0)
    forms_count = models.PositiveSmallIntegerField(_("report forms (报表)"), default=0)
    ledgers_count = models.PositiveSmallIntegerField(_("ledgers (台账)"), default=0)
    inspections_count = models.PositiveSmallIntegerField(_("inspections and appraisals (检查考核)"), default=0)
    meetings_count = models.PositiveSmallIntegerField(_("meetings (会议)"), default=0)
    signboards_count = models.PositiveSmallIntegerField(_("signboards (牌子)"), default=0)
    reporting_cycle = models.CharField(_("reporting"), max_length=16, choices=ReportingCycle.choices,
                                       default=ReportingCycle.NONE)
    funding_per_community_yuan = models.DecimalField(_("funding per community (yuan a year)"), max_digits=14,
                                                     decimal_places=2, null=True, blank=True)
    staff_per_community = models.DecimalField(_("staff per community (full-time equivalents)"), max_digits=6,
                                              decimal_places=2, null=True, blank=True)
    purchase_of_service = models.TextField(_("purchase-of-service arrangement (政府购买服务)"), blank=True,
                                           max_length=2000)
    status = models.CharField(_("status"), max_length=16, choices=ApplicationStatus.choices,
                              default=ApplicationStatus.DRAFT, db_index=True)
    # The rules' verdict, stored at each submission (and refreshed on every draft save).
    track = models.CharField(_("track"), max_length=16, choices=Track.choices, blank=True, default=Track.NONE)
    reason_codes = models.JSONField(_("reason codes"), default=list, blank=True)
    matched_item = models.ForeignKey("listings.ListItem", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("matched list item"))
    is_late = models.BooleanField(_("applied late"), default=False)
    lead_working_days = models.IntegerField(_("working days before the start"), null=True, blank=True)
    applied_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submission_count = models.PositiveSmallIntegerField(_("submissions"), default=0)
    # The review clock (working days): reminder at GONGZHI_DEADLINE_WARNING_SHARE of it, escalation when late.
    review_remind_at = models.DateTimeField(_("review reminder due"), null=True, blank=True)
    review_due_at = models.DateTimeField(_("review due"), null=True, blank=True, db_index=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("decided by"))
    decision_note = models.TextField(_("reasons"), blank=True, max_length=2000)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    # Yearly review of every admitted item.
    next_review_on = models.DateField(_("next yearly review"), null=True, blank=True)
    last_reviewed_on = models.DateField(_("last yearly review"), null=True, blank=True)
    review_reminded_on = models.DateField(_("yearly review reminder sent for"), null=True, blank=True)
    is_sample = models.BooleanField(_("sample data"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("admission application")
        verbose_name_plural = _("admission applications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ApplicationStatus.values), name="application_status_known"),
            models.CheckConstraint(condition=Q(track__in=Track.values), name="application_track_known"),
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="application_period_ordered"),
            models.CheckConstraint(condition=Q(funding_per_community_yuan__isnull=True)
                                   | Q(funding_per_community_yuan__gte=0), name="application_funding_not_negative"),
            models.CheckConstraint(condition=Q(staff_per_community__isnull=True) | Q(staff_per_community__gte=0),
                                   name="application_staff_not_negative"),
            models.CheckConstraint(condition=Q(workload_hours_per_month__gte=0),
                                   name="application_workload_not_negative"),
        ]
        indexes = [models.Index(fields=["status", "review_remind_at"], name="application_remind_idx"),
                   models.Index(fields=["department", "status"], name="application_department_idx")]

    def __str__(self):
        return f"{self.reference} {self.title}"

    @property
    def reference(self) -> str:
        """A human reference number, e.g. ZR-2026-00012 (year of creation, id)."""
        year = self.created_at.year if self.created_at else ""
        return f"ZR-{year}-{self.pk or 0:05d}"

    def clean(self):
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": _("The end date is before the start date. 结束日期早于开始日期。")})

    @property
    def is_pending(self) -> bool:
        return self.status in self.PENDING

    def is_review_overdue(self, now) -> bool:
        return self.is_pending and self.review_due_at is not None and self.review_due_at <= now


class EventKind(models.TextChoices):
    STATUS = "status", _("Status change")
    EDITED = "edited", _("Edited")
    REMINDER = "reminder", _("Review reminder")
    ESCALATED = "escalated", _("Review overdue (escalated)")
    YEARLY_REVIEW = "yearly_review", _("Yearly review")
    YEARLY_DUE = "yearly_due", _("Yearly review due")


class AdmissionEvent(models.Model):
    """Append-only history of an application: who, when, from which status to which, and why."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices, default=EventKind.STATUS)
    from_status = models.CharField(_("from"), max_length=16, blank=True)
    to_status = models.CharField(_("to"), max_length=16, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("by"))
    note = models.TextField(_("note"), blank=True, max_length=2000)
    reason_codes = models.JSONField(_("reason codes"), default=list, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("admission event")
        verbose_name_plural = _("admission events")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.application_id} {self.kind} {self.from_status}→{self.to_status}"
