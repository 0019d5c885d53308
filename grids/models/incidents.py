"""The incident loop (网格事件 / 接诉即办): a case from report to rating, with an event row per change.

Every deadline is a column, so the minute sweep (grids.services.deadlines) finds it in the database whatever
happened to Redis or a worker."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from governance.lib.fields import EncryptedTextField


class Channel(models.TextChoices):
    WEB = "web", _("Resident web form")
    PATROL = "patrol", _("Grid-worker patrol")
    WALK_IN = "walk_in", _("Walk-in (staff entry)")
    PHONE = "phone", _("Phone call (staff entry)")
    HOTLINE = "hotline", _("12345 hotline")
    OPEN311 = "open311", _("Open311 API")


class RequestType(models.TextChoices):
    CONSULT = "consult", _("Enquiry (咨询)")
    HELP = "help", _("Request for help (求助)")
    COMPLAINT = "complaint", _("Complaint (投诉)")
    REPORT = "report", _("Report (举报)")
    SUGGESTION = "suggestion", _("Suggestion (建议)")
    PRAISE = "praise", _("Praise (表扬)")
    OTHER = "other", _("Other")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")
    EMERGENCY = "emergency", pgettext_lazy("urgency", "Emergency")


class IncidentStatus(models.TextChoices):
    REPORTED = "reported", _("Reported")
    REGISTERED = "registered", _("Registered (立案)")
    REJECTED = "rejected", _("Not registered")
    MERGED = "merged", _("Merged as a duplicate")
    DISPATCHED = "dispatched", _("Dispatched")
    RETURNED = "returned", _("Returned by the unit (退单)")
    SIGNED = "signed", _("Signed for")
    IN_HAND = "in_hand", _("Being handled")
    ANSWERED = "answered", _("Answered")
    VERIFIED = "verified", _("Verified")
    CLOSED = "closed", pgettext_lazy("case status", "Closed")
    RATED = "rated", _("Rated")
    REOPENED = "reopened", _("Reopened")


class Incident(models.Model):
    Status = IncidentStatus
    Channel = Channel
    RequestType = RequestType
    Urgency = Urgency

    # Allowed next states. Review changes to this table like schema changes (tests cover every pair).
    TRANSITIONS = {
        IncidentStatus.REPORTED: {IncidentStatus.REGISTERED, IncidentStatus.REJECTED, IncidentStatus.MERGED},
        IncidentStatus.REGISTERED: {IncidentStatus.DISPATCHED, IncidentStatus.MERGED, IncidentStatus.REJECTED},
        # Until a unit signs for it, the dispatching centre may still merge a duplicate or reject the case.
        IncidentStatus.DISPATCHED: {IncidentStatus.SIGNED, IncidentStatus.RETURNED, IncidentStatus.MERGED,
                                    IncidentStatus.REJECTED},
        IncidentStatus.RETURNED: {IncidentStatus.DISPATCHED, IncidentStatus.MERGED, IncidentStatus.REJECTED},
        IncidentStatus.SIGNED: {IncidentStatus.IN_HAND, IncidentStatus.RETURNED},
        IncidentStatus.IN_HAND: {IncidentStatus.ANSWERED},
        IncidentStatus.ANSWERED: {IncidentStatus.VERIFIED, IncidentStatus.IN_HAND},  # IN_HAND again = rework (返工)
        IncidentStatus.VERIFIED: {IncidentStatus.CLOSED},
        IncidentStatus.CLOSED: {IncidentStatus.RATED},
        IncidentStatus.RATED: {IncidentStatus.REOPENED},
        IncidentStatus.REOPENED: {IncidentStatus.DISPATCHED},
        IncidentStatus.REJECTED: set(),
        IncidentStatus.MERGED: set(),
    }
    OPEN = (IncidentStatus.REPORTED, IncidentStatus.REGISTERED, IncidentStatus.DISPATCHED, IncidentStatus.RETURNED,
            IncidentStatus.SIGNED, IncidentStatus.IN_HAND, IncidentStatus.ANSWERED, IncidentStatus.VERIFIED,
            IncidentStatus.REOPENED)
    FINISHED = (IncidentStatus.CLOSED, IncidentStatus.RATED)

    tracking_code = models.CharField(_("tracking code"), max_length=20, unique=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, db_index=True)
    request_type = models.CharField(_("request type"), max_length=16, choices=RequestType.choices)
    category = models.ForeignKey("grids.Category", on_delete=models.PROTECT, related_name="incidents",
                                 verbose_name=_("category"))
    urgency = models.CharField(_("urgency"), max_length=16, choices=Urgency.choices, default=Urgency.NORMAL)
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), max_length=4000)
    # Where: the grid (always resolved), optionally a building, an address and a map point.
    grid = models.ForeignKey("grids.Region", on_delete=models.PROTECT, related_name="incidents", verbose_name=_("grid"))
    building = models.ForeignKey("grids.Building", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="incidents", verbose_name=_("building"))
    address = models.CharField(_("address"), max_length=200, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    # Who: contact data is encrypted; "anonymous" hides it from handlers (never from the record).
    reporter_name = EncryptedTextField(_("reporter's name"), blank=True)
    reporter_phone = EncryptedTextField(_("call-back phone"), blank=True)
    anonymous = models.BooleanField(_("anonymous to the handlers"), default=False)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="reported_incidents", verbose_name=_("entered by"))
    hotline_order_no = models.CharField(_("12345 order number"), max_length=40, null=True, blank=True, unique=True)
    external_id = models.CharField(_("external id"), max_length=64, blank=True)

    status = models.CharField(_("status"), max_length=16, choices=IncidentStatus.choices,
                              default=IncidentStatus.REPORTED, db_index=True)
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="duplicates", verbose_name=_("duplicate of"))
    handling_level = models.CharField(_("handling level"), max_length=16, blank=True)
    answer = models.TextField(_("answer to the resident"), blank=True, max_length=4000)
    rework_count = models.PositiveSmallIntegerField(_("rework count"), default=0)
    extension_count = models.PositiveSmallIntegerField(_("extensions"), default=0)
    reopen_count = models.PositiveSmallIntegerField(_("reopened"), default=0)

    # Deadlines (database columns: the sweep reads them) and the escalation already applied.
    sign_for_by = models.DateTimeField(_("sign for by"), null=True, blank=True)
    handle_by = models.DateTimeField(_("handle by"), null=True, blank=True)
    verify_by = models.DateTimeField(_("verify by"), null=True, blank=True)
    rate_by = models.DateTimeField(_("rating window ends"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    dispatch_attempts = models.PositiveSmallIntegerField(default=0)

    # Milestones (for metrics).
    created_at = models.DateTimeField(_("reported at"), auto_now_add=True, db_index=True)
    registered_at = models.DateTimeField(_("registered at"), null=True, blank=True, db_index=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    signed_at = models.DateTimeField(_("signed for at"), null=True, blank=True)
    first_contact_at = models.DateTimeField(_("first contact at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # The resident's rating (回访/评价).
    resolution = models.CharField(_("resolved?"), max_length=16, blank=True,
                                  choices=[("resolved", _("Resolved")), ("partly", _("Partly resolved")),
                                           ("unresolved", _("Not resolved"))])
    satisfaction = models.CharField(_("satisfaction"), max_length=16, blank=True,
                                    choices=[("satisfied", _("Satisfied")), ("basically", _("Basically satisfied")),
                                             ("dissatisfied", _("Dissatisfied"))])
    rating_comment = models.TextField(_("comment"), blank=True, max_length=1000)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "sign_for_by"], name="incident_sign_due"),
            models.Index(fields=["status", "handle_by"], name="incident_handle_due"),
            models.Index(fields=["status", "verify_by"], name="incident_verify_due"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=IncidentStatus.values), name="incident_status_known"),
            models.CheckConstraint(condition=Q(sign_for_by__isnull=True) | Q(handle_by__isnull=True)
                                   | Q(sign_for_by__lte=F("handle_by")), name="incident_sign_before_handle"),
        ]

    def __str__(self):
        return f"{self.tracking_code} {self.title}"


class IncidentEvent(models.Model):
    """Append-only history of a case: every transition and every notable action (contact, whistle, 督办)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=32, default="transition")
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    note = models.TextField(_("note"), blank=True, max_length=4000)
    public = models.BooleanField(_("shown on the public tracking page"), default=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.incident_id} {self.kind} {self.from_status}→{self.to_status}"


class Assignment(models.Model):
    """A unit working on a case: the lead (首接负责) or a co-handler (协办). Units are a region node or a department."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Lead unit")
        CO = "co", _("Co-handler")

    class State(models.TextChoices):
        PENDING = "pending", _("Awaiting sign-for")
        SIGNED = "signed", _("Signed for")
        RETURNED = "returned", _("Returned")
        DONE = "done", _("Done")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="assignments")
    role = models.CharField(_("role"), max_length=8, choices=Role.choices)
    level = models.CharField(_("level"), max_length=16)  # grids.models.categories.HandlingLevel
    region = models.ForeignKey("grids.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey("governance.Department", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="assignments")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="incident_assignments")
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.TextField(blank=True, max_length=1000)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(region__isnull=False) | Q(department__isnull=False),
                                   name="assignment_has_unit"),
            models.UniqueConstraint(fields=["incident"], condition=Q(role="lead", state__in=["pending", "signed"]),
                                    name="assignment_one_active_lead"),
        ]

    def __str__(self):
        return f"{self.incident_id} {self.role} {self.department or self.region}"


class WhistleCall(models.Model):
    """网格吹哨: community or street staff summon departments onto a case."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="whistles")
    caller = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"), max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.incident_id} whistle {self.pk}"


class WhistleSummons(models.Model):
    """部门报到: one summoned department's part in a whistle call, with its report-in deadline."""

    whistle = models.ForeignKey(WhistleCall, on_delete=models.CASCADE, related_name="summonses")
    department = models.ForeignKey("governance.Department", on_delete=models.PROTECT, related_name="summonses")
    report_by = models.DateTimeField(_("report in by"))
    reported_at = models.DateTimeField(_("reported in at"), null=True, blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    part = models.TextField(_("the department's part"), blank=True, max_length=2000)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["whistle", "department"], name="summons_once_per_department")]
        # The sweep looks only at summonses not yet reported in.
        indexes = [models.Index(fields=["report_by"], condition=Q(reported_at__isnull=True),
                                name="summons_report_in_due")]

    def __str__(self):
        return f"{self.whistle_id} {self.department_id}"


class Supervision(models.Model):
    """催办/督办 records written by the deadline sweep: one per (case, deadline, step), so a sweep run twice or
    concurrently writes each only once."""

    class Step(models.TextChoices):
        WARNING = "warning", _("Warning before the deadline")
        OVERDUE = "overdue", _("Overdue")
        ESCALATED = "escalated", _("Escalated one level up (督办)")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="supervisions")
    deadline = models.CharField(_("deadline"), max_length=32)  # sign_for / handle / verify / report_in:<summons id>
    step = models.CharField(_("step"), max_length=16, choices=Step.choices)
    level = models.CharField(_("escalated to"), max_length=16, blank=True)
    due_at = models.DateTimeField(_("due at"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["incident", "deadline", "step", "due_at"],
                                               name="supervision_once")]

    def __str__(self):
        return f"{self.incident_id} {self.deadline} {self.step}"


class ExtensionRequest(models.Model):
    """延期: the handler asks, one level up decides."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="extensions")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    new_handle_by = models.DateTimeField(_("new deadline"))
    reason = models.TextField(_("reason"), max_length=2000)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["incident"], condition=Q(state="pending"),
                                               name="extension_one_pending")]

    def __str__(self):
        return f"{self.incident_id} extension {self.state}"


class ContactLog(models.Model):
    """Who called whom, when and how (counts for the response rate)."""

    class Method(models.TextChoices):
        PHONE = "phone", _("Phone")
        VISIT = "visit", _("Visit")
        SMS = "sms", _("SMS")
        OTHER = "other", _("Other")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="contacts")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    method = models.CharField(_("method"), max_length=16, choices=Method.choices)
    reached = models.BooleanField(_("reached the requester"), default=True)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    contacted_at = models.DateTimeField(_("contacted at"))

    def __str__(self):
        return f"{self.incident_id} {self.method}"


class IncidentPhoto(models.Model):
    class Kind(models.TextChoices):
        REPORT = "report", _("With the report")
        BEFORE = "before", _("Before handling")
        AFTER = "after", _("After handling")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="photos")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.REPORT)
    image = models.ImageField(_("photo"), upload_to="incidents/%Y/%m/")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.incident_id} {self.kind}"
