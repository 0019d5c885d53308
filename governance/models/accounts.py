from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from governance.models.roles import ADMIN_ROLES, REGION_ROLES, Role


class User(AbstractUser):
    """An account. Staff accounts are bound to one region node or to one department."""

    Role = Role

    role = models.CharField(_("role"), max_length=32, choices=Role.choices, default=Role.RESIDENT, db_index=True)
    full_name = models.CharField(_("full name"), max_length=64, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    region = models.ForeignKey(
        "grids.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="accounts",
        verbose_name=_("jurisdiction"),
    )
    department = models.ForeignKey(
        "governance.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="accounts",
        verbose_name=_("department"),
    )
    may_view_special_groups = models.BooleanField(
        _("may view special-management groups"), default=False,
        help_text=_("Granted by the security administrator to staff who handle 特殊人群."),
    )
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        constraints = [
            models.CheckConstraint(condition=Q(role__in=Role.values), name="user_role_known"),
            models.CheckConstraint(
                condition=~Q(role__in=sorted(r.value for r in REGION_ROLES)) | Q(region__isnull=False),
                name="user_region_role_has_region",
            ),
            models.CheckConstraint(
                condition=~Q(role=Role.DEPARTMENT_HANDLER) | Q(department__isnull=False),
                name="user_department_role_has_department",
            ),
        ]

    def __str__(self):
        return self.full_name or self.username

    @property
    def is_platform_admin(self) -> bool:
        return self.role in ADMIN_ROLES

    @property
    def display_name(self) -> str:
        return self.full_name or self.username
