from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditLogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The audit log is append-only.")

    def delete(self):
        raise PermissionError("The audit log is append-only.")


class AuditLog(models.Model):
    """Append-only: who did what, to what, from where, with what outcome.

    The model refuses update and delete; a database trigger refuses them too (see migrations)."""

    class Action(models.TextChoices):
        LOGIN = "login", _("Login")
        LOGOUT = "logout", _("Logout")
        LOGIN_FAILED = "login_failed", _("Failed login")
        LOCKED_OUT = "locked_out", _("Locked out")
        SESSION_EXPIRED = "session_expired", _("Session expired")
        CREATE = "create", _("Create")
        UPDATE = "update", _("Update")
        DELETE = "delete", _("Delete")
        EXPORT = "export", _("Export")
        IMPORT = "import", _("Import")
        REVEAL = "reveal", _("Unmasked view of personal data")
        GRANT = "grant", _("Role or permission change")

    class Outcome(models.TextChoices):
        SUCCESS = "success", _("Success")
        FAILURE = "failure", _("Failure")
        DENIED = "denied", _("Denied")

    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    # No foreign key: deleting an account must never rewrite its audit trail.
    user_id = models.BigIntegerField(_("user id"), null=True, blank=True, db_index=True)
    username = models.CharField(_("user"), max_length=150, blank=True, db_index=True)
    role = models.CharField(_("role"), max_length=32, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=32, choices=Action.choices, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.SUCCESS)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    objects = AuditLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit record")
        verbose_name_plural = _("audit log")
        ordering = ["-created_at", "-id"]
        default_permissions = ("view",)

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.username} {self.action} {self.object_type}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit log is append-only.")



AUDIT_EXCLUDED_MODELS = {
    "governance.auditlog", "sessions.session", "axes.accessattempt", "axes.accesslog", "axes.accessfailurelog",
    "django_celery_beat.periodictask", "django_celery_beat.periodictasks", "django_celery_beat.intervalschedule",
    "django_celery_beat.crontabschedule", "contenttypes.contenttype", "auth.permission", "admin.logentry",
    # Logs and outboxes of their own: the case history, 督办 records and notification deliveries.
    "grids.incidentevent", "grids.supervision", "governance.notification", "governance.delivery",
    # The list catalogue's own version history (the item change itself is audited).
    "listings.listitemrevision",
    # The certificate requests' own history, and the serial counter.
    "certificates.certificaterequestevent", "certificates.certificateserialcounter",
    # Admission's own histories (the application and task changes themselves are audited).
    "admission.admissionevent", "admission.senttaskevent",
}
