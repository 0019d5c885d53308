from django.db import models
from django.utils.translation import gettext_lazy as _


class Department(models.Model):
    """A government department or public utility that handles dispatched work (城管, 住建, 派出所…)."""

    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("Government department")
        UTILITY = "utility", _("Public utility")
        POLICE = "police", _("Police station")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("code"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.GOVERNMENT)
    district = models.ForeignKey(
        "grids.Region", on_delete=models.PROTECT, related_name="departments", verbose_name=_("district"),
        limit_choices_to={"level": "district"},
    )
    phone = models.CharField(_("duty phone"), max_length=32, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["code"]

    def __str__(self):
        return self.name
