"""The community-worker roster. This slice holds what dispatch needs: workers and their grids."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from governance.lib.fields import EncryptedTextField


class Worker(models.Model):
    class Post(models.TextChoices):  # 3岗
        HEAD = "head", _("Head (正职: 书记/主任)")
        DEPUTY = "deputy", _("Deputy (副职)")
        STAFF = "staff", _("Staff (其他社区工作者)")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="worker", verbose_name=_("account"))
    community = models.ForeignKey("grids.Region", on_delete=models.PROTECT, related_name="workers",
                                  verbose_name=_("community"))
    name = models.CharField(_("name"), max_length=64)
    phone = EncryptedTextField(_("phone"), blank=True)
    post = models.CharField(_("post"), max_length=16, choices=Post.choices, default=Post.STAFF)
    title = models.CharField(_("title"), max_length=32, blank=True, help_text=_("e.g. 书记, 主任, 专职网格员"))
    grade = models.PositiveSmallIntegerField(_("grade"), null=True, blank=True)
    hire_date = models.DateField(_("hire date"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("community worker")
        verbose_name_plural = _("community workers")
        ordering = ["community_id", "name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(grade__isnull=True) | Q(grade__gte=1, grade__lte=18),
                                   name="worker_grade_1_18"),
        ]

    def __str__(self):
        return self.name

    @property
    def audit_repr(self) -> str:
        from governance.lib.pii import mask_name

        return mask_name(self.name)


class GridAssignment(models.Model):
    class Duty(models.TextChoices):
        GRID_HEAD = "grid_head", _("Grid head (网格长)")
        FULL_TIME = "full_time", _("Full-time grid worker (专职网格员)")
        PART_TIME = "part_time", _("Part-time grid worker (兼职网格员)")

    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("worker"))
    grid = models.ForeignKey("grids.Region", on_delete=models.PROTECT, related_name="assignments",
                             verbose_name=_("grid"))
    duty = models.CharField(_("duty"), max_length=16, choices=Duty.choices, default=Duty.FULL_TIME)
    active = models.BooleanField(_("active"), default=True)
    since = models.DateField(_("since"), null=True, blank=True)
    until = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("grid assignment")
        verbose_name_plural = _("grid assignments")
        constraints = [
            models.UniqueConstraint(fields=["worker", "grid", "duty"], condition=Q(active=True),
                                    name="assignment_active_unique"),
        ]

    def __str__(self):
        return f"{self.worker} → {self.grid}"
