"""The region tree 区 → 街道 → 社区 → 网格 → 微网格, one network for every former grid system.

Subtree queries use treebeard's materialised path (`path__startswith`), indexed, on SQLite and PostgreSQL alike.
"""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node


class RegionLevel(models.TextChoices):
    DISTRICT = "district", _("District")
    STREET = "street", _("Street")
    COMMUNITY = "community", _("Community")
    GRID = "grid", _("Grid")
    MICRO_GRID = "micro_grid", _("Micro-grid")


LEVEL_ORDER = [RegionLevel.DISTRICT, RegionLevel.STREET, RegionLevel.COMMUNITY, RegionLevel.GRID,
               RegionLevel.MICRO_GRID]
# Code length per level: 6-digit county, +3 street, +3 community (12-digit 统计用区划代码),
# +3 grid sequence (15 digits), +3 micro-grid sequence.
CODE_LENGTH = {
    RegionLevel.DISTRICT: 6,
    RegionLevel.STREET: 9,
    RegionLevel.COMMUNITY: 12,
    RegionLevel.GRID: 15,
    RegionLevel.MICRO_GRID: 18,
}


class GridKind(models.TextChoices):
    BASIC = "basic", _("Basic grid")
    DEDICATED = "dedicated", _("Dedicated grid")


class FormerNetwork(models.TextChoices):
    PARTY = "party", _("Party building (党建)")
    LAW = "law", _("Comprehensive governance (综治)")
    CIVIL = "civil", _("Civil affairs (民政)")
    URBAN = "urban", _("Urban management (城管)")


class Region(MP_Node):
    Level = RegionLevel
    Kind = GridKind

    steplen = 4

    level = models.CharField(_("level"), max_length=16, choices=RegionLevel.choices, db_index=True)
    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("code"), max_length=18, db_index=True)
    grid_kind = models.CharField(_("grid kind"), max_length=16, choices=GridKind.choices, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    boundary = models.JSONField(_("boundary (GeoJSON polygon)"), null=True, blank=True)
    absorbed_networks = models.JSONField(_("former networks absorbed"), default=list, blank=True)
    description = models.TextField(_("description"), blank=True, max_length=2000)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        constraints = [
            models.UniqueConstraint(fields=["code"], condition=Q(valid_to__isnull=True), name="region_current_code_unique"),
            models.CheckConstraint(condition=Q(level__in=RegionLevel.values), name="region_level_known"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_from__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="region_valid_range_ordered",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_grid(self) -> bool:
        return self.level in (RegionLevel.GRID, RegionLevel.MICRO_GRID)

    def clean(self):
        errors = {}
        expected = CODE_LENGTH.get(self.level)
        if expected and not re.fullmatch(rf"\d{{{expected}}}", self.code or ""):
            errors["code"] = _("A %(level)s code has exactly %(n)d digits. 编码位数不正确。") % {
                "level": RegionLevel(self.level).label, "n": expected}
        if self.level in (RegionLevel.GRID, RegionLevel.MICRO_GRID):
            if self.level == RegionLevel.GRID and not self.grid_kind:
                errors["grid_kind"] = _("Choose basic or dedicated. 请选择网格类型。")
        elif self.grid_kind:
            errors["grid_kind"] = _("Only grids have a grid kind.")
        unknown = set(self.absorbed_networks or []) - set(FormerNetwork.values)
        if unknown:
            errors["absorbed_networks"] = _("Unknown former network: %(codes)s") % {"codes": ", ".join(sorted(unknown))}
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            errors["valid_to"] = _("The end date must not be before the start date. 结束日期不能早于开始日期。")
        if self.boundary is not None:
            from grids.geo import geojson_polygon_problem

            problem = geojson_polygon_problem(self.boundary)
            if problem:
                errors["boundary"] = problem
        if errors:
            raise ValidationError(errors)
