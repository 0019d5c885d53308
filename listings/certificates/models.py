"""Certificates (出具证明): what residents ask for, what the community issues, and the issuing register (开具台账).

A `CertificateRequest` names one item of the district's lists. Only an item of a certificate list (purpose
CERTIFICATE) in force on the day can be issued; a request naming an item of the list of certificates committees
must not issue (CERTIFICATE_FORBIDDEN) is kept, refused at once, with the office that issues it instead.

    submitted ──► issued ──► revoked
        └───────► refused

Every change appends a `CertificateRequestEvent` (actor, time, note). Issuing creates the `Certificate`: the
document's own data, copied at the moment of issue (title, holder's name, community name, the certified fact) so
that a later edit of the lists or the region tree never rewrites a certificate already in someone's hands. Its
serial number (`110199-2026-000123-7KQ4MZ`: district, year, sequence, six random characters) is what the QR code
and the public verification page use; the random part keeps serials from being enumerated.

Personal data: the applicant's ID number and phone are encrypted at rest (EncryptedTextField), with a blind index
for exact lookups; names appear in the audit log only masked (`audit_repr`)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from governance.lib.fields import EncryptedTextField
from governance.lib.pii import mask_name


class RequestStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Waiting to be checked")
    ISSUED = "issued", _("Issued")
    REFUSED = "refused", _("Refused")
    REVOKED = "revoked", _("Revoked")


class RequestChannel(models.TextChoices):
    ONLINE = "online", _("Online")
    WALK_IN = "walk_in", _("At the community office")


class CertificateRequest(models.Model):
    Status = RequestStatus
    Channel = RequestChannel

    # Allowed next states. Review changes to this table like schema changes.
    TRANSITIONS = {
        RequestStatus.SUBMITTED: {RequestStatus.ISSUED, RequestStatus.REFUSED},
        RequestStatus.ISSUED: {RequestStatus.REVOKED},
        RequestStatus.REFUSED: set(),
        RequestStatus.REVOKED: set(),
    }

    community = models.ForeignKey("grids.Region", on_delete=models.PROTECT, related_name="certificate_requests",
                                  verbose_name=_("community"), limit_choices_to={"level": "community"})
    item = models.ForeignKey("listings.ListItem", on_delete=models.PROTECT, related_name="certificate_requests",
                             verbose_name=_("certificate"))
    purpose = models.CharField(_("purpose of use"), max_length=200)
    channel = models.CharField(_("channel"), max_length=16, choices=RequestChannel.choices)
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="certificate_requests", verbose_name=_("resident account"))
    applicant_name = models.CharField(_("applicant's full name"), max_length=64, db_index=True)
    applicant_id_number = EncryptedTextField(_("ID number"), blank=True)
    applicant_id_number_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    applicant_phone = EncryptedTextField(_("phone"), blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("entered by"))
    status = models.CharField(_("status"), max_length=16, choices=RequestStatus.choices,
                              default=RequestStatus.SUBMITTED, db_index=True)
    forbidden = models.BooleanField(_("on the list of certificates committees must not issue"), default=False)
    other_office = models.CharField(_("office that issues it instead"), max_length=200, blank=True)
    refusal_reason = models.TextField(_("reason for refusal"), blank=True, max_length=1000)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("certificate request")
        verbose_name_plural = _("certificate requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=RequestStatus.values), name="certrequest_status_known"),
            models.CheckConstraint(condition=Q(channel__in=RequestChannel.values), name="certrequest_channel_known"),
            models.CheckConstraint(condition=~Q(channel=RequestChannel.ONLINE) | Q(applicant__isnull=False),
                                   name="certrequest_online_has_account"),
            models.CheckConstraint(condition=~Q(status=RequestStatus.REFUSED) | ~Q(refusal_reason=""),
                                   name="certrequest_refusal_has_reason"),
            # A double submit cannot leave two open requests of one account for one certificate.
            models.UniqueConstraint(fields=["applicant", "item"], name="certrequest_one_open_per_account_item",
                                    condition=Q(status=RequestStatus.SUBMITTED, applicant__isnull=False)),
        ]
        indexes = [models.Index(fields=["community", "status", "created_at"], name="certrequest_register_idx")]

    def __str__(self):
        return f"#{self.pk} {mask_name(self.applicant_name)}"

    @property
    def audit_repr(self) -> str:
        return f"#{self.pk} {mask_name(self.applicant_name)}"


class CertificateRequestEvent(models.Model):
    """Append-only history of a request: one row per change of status."""

    request = models.ForeignKey(CertificateRequest, on_delete=models.CASCADE, related_name="events",
                                verbose_name=_("certificate request"))
    from_status = models.CharField(_("from"), max_length=16, blank=True)
    to_status = models.CharField(_("to"), max_length=16)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("by"))
    note = models.TextField(_("note"), blank=True, max_length=1000)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("certificate request event")
        verbose_name_plural = _("certificate request events")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.request_id}: {self.from_status or '—'} → {self.to_status}"


class CertificateState(models.TextChoices):
    """What the public verification page says."""

    VALID = "valid", _("Valid")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


class Certificate(models.Model):
    """The issued document. Its text fields are copies made at the moment of issue."""

    State = CertificateState

    request = models.OneToOneField(CertificateRequest, on_delete=models.PROTECT, related_name="certificate",
                                   verbose_name=_("certificate request"))
    serial = models.CharField(_("serial number"), max_length=32, unique=True)
    district_code = models.CharField(_("district code"), max_length=6)
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("sequence"))
    title = models.CharField(_("certificate"), max_length=200)
    item_code = models.CharField(_("item number"), max_length=32)
    community = models.ForeignKey("grids.Region", on_delete=models.PROTECT, related_name="certificates",
                                  verbose_name=_("issuing community"))
    community_name = models.CharField(_("issuing community"), max_length=100)
    holder_name = models.CharField(_("full name"), max_length=64)
    content = models.TextField(_("certified fact"), max_length=2000)
    purpose = models.CharField(_("purpose of use"), max_length=200)
    issued_at = models.DateTimeField(_("issued at"))
    issued_on = models.DateField(_("issue date"))
    valid_until = models.DateField(_("valid until"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name=_("issued by"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("revoked by"))
    revocation_reason = models.TextField(_("reason for revocation"), blank=True, max_length=1000)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["district_code", "year", "sequence"], name="certificate_sequence_unique"),
            models.CheckConstraint(condition=Q(valid_until__gte=F("issued_on")), name="certificate_valid_after_issue"),
            models.CheckConstraint(condition=Q(revoked_at__isnull=True) | ~Q(revocation_reason=""),
                                   name="certificate_revocation_has_reason"),
        ]

    def __str__(self):
        return self.serial

    @property
    def audit_repr(self) -> str:
        return f"{self.serial} {mask_name(self.holder_name)}"

    def state_on(self, day) -> str:
        if self.revoked_at is not None:
            return CertificateState.REVOKED
        if day > self.valid_until:
            return CertificateState.EXPIRED
        return CertificateState.VALID


class CertificateSerialCounter(models.Model):
    """The last sequence number used per district and year (row-locked while a serial is drawn)."""

    district_code = models.CharField(max_length=6)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["district_code", "year"], name="certcounter_unique")]

    def __str__(self):
        return f"{self.district_code}/{self.year}: {self.last}"
