"""The list catalogues (清单目录): which work a community does, per locality.

A district keeps its own lists (`ListKind`): the four kinds every locality has — self-governance (依法自治),
assisting government (依法协助政府), the negative list (严禁作为责任主体) and certificates (出具证明) — plus the
national list of certificates committees must not issue, and any further kind it adds (小微权力, 管理服务…).

Items carry their own validity (`valid_from`/`valid_to`) and status, so "the lists in force on a date" is a query,
and every change leaves an `ListItemRevision` row (a numbered snapshot with actor and time) beside the audit log.

In force on a day: valid_from <= day (<= valid_to, when set), and either the item is active, or it was suspended or
repealed with effect after its `valid_to` (its last day in force). So a repealed item still shows in the lists of
the days it was in force, and a repeal decided today "with effect from next month" keeps it in force until then.
A suspended or repealed item without `valid_to` never was in force (listings.services.catalogue always records the
last day in force when an item that has been in force is suspended or repealed)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ListPurpose(models.TextChoices):
    """What a list is for; the rules (admission, the community gate, certificates) read this, never a name."""

    SELF_GOVERNANCE = "self_governance", _("Self-governance (依法自治)")
    ASSISTING = "assisting", _("Assisting government (依法协助政府)")
    NEGATIVE = "negative", _("Never the responsible party (严禁作为责任主体)")
    CERTIFICATE = "certificate", _("Certificates that may be issued (出具证明)")
    CERTIFICATE_FORBIDDEN = "certificate_forbidden", _("Certificates that must not be issued (不得出具的证明)")
    OTHER = "other", _("Other list (其他清单)")


class ListKind(models.Model):
    """One list of one district: 依法自治事项清单 of 示范区, say."""

    Purpose = ListPurpose

    district = models.ForeignKey("grids.Region", on_delete=models.PROTECT, related_name="list_kinds",
                                 verbose_name=_("district"), limit_choices_to={"level": "district"})
    code = models.SlugField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=100)
    purpose = models.CharField(_("purpose"), max_length=32, choices=ListPurpose.choices)
    description = models.TextField(_("description"), blank=True, max_length=2000)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("list")
        verbose_name_plural = _("lists")
        ordering = ["district_id", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["district", "code"], name="listkind_code_unique_per_district"),
            models.CheckConstraint(condition=Q(purpose__in=ListPurpose.values), name="listkind_purpose_known"),
        ]

    def __str__(self):
        return self.name


class ListItemStatus(models.TextChoices):
    ACTIVE = "active", _("In force")
    SUSPENDED = "suspended", _("Suspended")
    REPEALED = "repealed", _("Repealed")


class ListItem(models.Model):
    """One item of a list: a task, a responsibility a community must never carry, or a certificate."""

    Status = ListItemStatus

    # Allowed status changes (listings.services.catalogue.list_item_set_status). A repealed item stays repealed:
    # a list that takes a task back adds a new item, so the history of the old one stays readable.
    TRANSITIONS = {
        ListItemStatus.ACTIVE: {ListItemStatus.SUSPENDED, ListItemStatus.REPEALED},
        ListItemStatus.SUSPENDED: {ListItemStatus.ACTIVE, ListItemStatus.REPEALED},
        ListItemStatus.REPEALED: set(),
    }

    kind = models.ForeignKey(ListKind, on_delete=models.PROTECT, related_name="items", verbose_name=_("list"))
    code = models.CharField(_("item number"), max_length=32)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=4000)
    legal_basis = models.TextField(_("legal basis"), blank=True, max_length=2000)
    responsible_department = models.ForeignKey(
        "governance.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="list_items",
        verbose_name=_("responsible department"))
    responsible_body = models.CharField(_("responsible body (责任主体)"), max_length=200, blank=True,
                                        help_text=_("The office in charge, when it is not one of our departments."))
    assist_method = models.TextField(_("how the community assists"), blank=True, max_length=2000)
    funding_yuan = models.DecimalField(_("funding attached (yuan a year)"), max_digits=14, decimal_places=2,
                                       null=True, blank=True)
    funding_note = models.CharField(_("funding arrangement"), max_length=300, blank=True)
    staff_attached = models.DecimalField(_("staff attached (full-time equivalents)"), max_digits=6,
                                         decimal_places=2, null=True, blank=True)
    issuing_office = models.CharField(
        _("office that issues it instead"), max_length=200, blank=True,
        help_text=_("For a certificate committees must not issue: the office a resident should go to."))
    keywords = models.CharField(_("matching keywords"), max_length=300, blank=True,
                                help_text=_("Words that identify this item in a task's title, separated by spaces."))
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=ListItemStatus.choices,
                              default=ListItemStatus.ACTIVE)
    is_sample = models.BooleanField(_("sample data"), default=False)
    version = models.PositiveIntegerField(_("version"), default=1)
    position = models.PositiveIntegerField(_("position"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("list item")
        verbose_name_plural = _("list items")
        ordering = ["kind_id", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "code"], name="listitem_code_unique_per_list"),
            models.CheckConstraint(condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                                   name="listitem_valid_dates_ordered"),
            models.CheckConstraint(condition=Q(status__in=ListItemStatus.values), name="listitem_status_known"),
            models.CheckConstraint(condition=Q(funding_yuan__isnull=True) | Q(funding_yuan__gte=0),
                                   name="listitem_funding_not_negative"),
        ]
        indexes = [models.Index(fields=["kind", "status", "valid_from"], name="listitem_in_force_idx")]

    def __str__(self):
        return f"{self.code} {self.name}"

    def clean(self):
        if self.valid_to and self.valid_from and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("The end date is before the start date. 结束日期早于开始日期。")})

    def in_force_on(self, day) -> bool:
        """Same rule as `in_force_q` (see the module docstring)."""
        if self.valid_from > day:
            return False
        if self.valid_to is None:
            return self.status == ListItemStatus.ACTIVE
        return day <= self.valid_to


def in_force_q(day, prefix: str = "") -> Q:
    """Items in force on `day` (prefix e.g. "item__" when filtering a related model). See the module docstring:
    active items by their dates; suspended or repealed ones up to their last day in force (`valid_to`)."""
    started = Q(**{f"{prefix}valid_from__lte": day})
    open_ended_active = Q(**{f"{prefix}valid_to__isnull": True, f"{prefix}status": ListItemStatus.ACTIVE})
    until = Q(**{f"{prefix}valid_to__gte": day})
    return started & (open_ended_active | until)


class ListItemRevision(models.Model):
    """A numbered snapshot of an item after each change: the version history a district can read back."""

    item = models.ForeignKey(ListItem, on_delete=models.CASCADE, related_name="revisions",
                             verbose_name=_("list item"))
    version = models.PositiveIntegerField(_("version"))
    snapshot = models.JSONField(_("snapshot"))
    change = models.CharField(_("change"), max_length=16)  # created / updated / imported / status
    actor = models.ForeignKey("governance.User", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("changed by"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("list item revision")
        verbose_name_plural = _("list item revisions")
        ordering = ["item_id", "-version"]
        constraints = [models.UniqueConstraint(fields=["item", "version"], name="listitemrevision_unique")]

    def __str__(self):
        return f"{self.item_id} v{self.version}"
