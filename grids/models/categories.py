"""The responsibility list (责任清单): editable category trees for events (事件) and city components (部件).

Leaves carry who handles the matter, the time limits and the conditions for registering and closing a case."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node


class CategoryTree(models.TextChoices):
    EVENT = "event", _("Events (事件)")
    COMPONENT = "component", _("City components (部件)")


class HandlingLevel(models.TextChoices):
    GRID = "grid", _("Grid")
    COMMUNITY = "community", _("Community")
    STREET = "street", _("Street")
    DEPARTMENT = "department", _("Department")


class Category(MP_Node):
    Tree = CategoryTree
    Level = HandlingLevel

    steplen = 3

    tree = models.CharField(_("tree"), max_length=16, choices=CategoryTree.choices, db_index=True)
    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=100)
    keywords = models.CharField(_("search keywords"), max_length=200, blank=True)
    handling_level = models.CharField(_("handling level"), max_length=16, choices=HandlingLevel.choices, blank=True)
    department = models.ForeignKey("governance.Department", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="categories", verbose_name=_("responsible department"))
    sign_for_hours = models.PositiveIntegerField(_("sign-for limit (hours)"), default=24)
    handle_hours = models.PositiveIntegerField(_("handling limit (hours)"), default=7 * 24)
    urgent_handle_hours = models.PositiveIntegerField(_("handling limit when urgent (hours)"), null=True, blank=True)
    emergency_handle_hours = models.PositiveIntegerField(_("handling limit in an emergency (hours)"), null=True,
                                                         blank=True)
    opening_conditions = models.TextField(_("conditions for registering (立案条件)"), blank=True, max_length=2000)
    closing_conditions = models.TextField(_("conditions for closing (结案条件)"), blank=True, max_length=2000)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [
            models.CheckConstraint(condition=Q(tree__in=CategoryTree.values), name="category_tree_known"),
            models.CheckConstraint(condition=Q(sign_for_hours__gte=1) & Q(handle_hours__gte=1),
                                   name="category_limits_positive"),
            models.CheckConstraint(condition=~Q(handling_level="department") | Q(department__isnull=False),
                                   name="category_department_level_has_department"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    def clean(self):
        errors = {}
        if self.handling_level == HandlingLevel.DEPARTMENT and self.department_id is None:
            errors["department"] = _("A department-level item needs its responsible department. 请选择责任部门。")
        for name in ("urgent_handle_hours", "emergency_handle_hours"):
            value = getattr(self, name)
            if value is not None and value > self.handle_hours:
                errors[name] = _("An urgent limit cannot be longer than the normal one. 紧急时限不能长于一般时限。")
        if errors:
            raise ValidationError(errors)
