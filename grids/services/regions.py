"""Writes to the region tree: new streets, communities, grids and micro-grids, edits, and grid versions."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from governance.lib.exceptions import PermissionDeniedError
from grids.models import LEVEL_ORDER, Region, RegionLevel
from grids.permissions import can_edit_regions, in_jurisdiction

REGION_FIELDS = {"name", "code", "grid_kind", "valid_from", "valid_to", "boundary", "absorbed_networks", "description"}


def _ensure_region_editor(actor, region: Region) -> None:
    if not can_edit_regions(actor) or not in_jurisdiction(actor, region):
        raise PermissionDeniedError(_("You may not change this part of the region tree. 您无权修改此区域。"))


def _check(region: Region, parent: Region | None) -> None:
    errors = {}
    if parent is not None:
        expected = LEVEL_ORDER[LEVEL_ORDER.index(parent.level) + 1] if parent.level != RegionLevel.MICRO_GRID else None
        if expected is None or region.level != expected:
            errors["level"] = _("A %(parent)s can only contain the next level down. 层级不正确。") % {
                "parent": RegionLevel(parent.level).label}
        elif region.code and not region.code.startswith(parent.code):
            errors["code"] = _("The code must start with the parent's code %(code)s. 编码须以上级编码开头。") % {
                "code": parent.code}
    try:
        region.full_clean(exclude=["path", "depth", "numchild"])
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, messages[0])
    if "code" not in errors and region.valid_to is None and Region.objects.filter(
            code=region.code, valid_to__isnull=True).exclude(pk=region.pk).exists():
        errors["code"] = _("This code is already in use by a current region. 该编码已被使用。")
    if errors:
        raise ValidationError(errors)


def _clean_fields(fields: dict) -> dict:
    unknown = set(fields) - REGION_FIELDS
    if unknown:
        raise ValidationError(_("Unknown fields: %(names)s") % {"names": ", ".join(sorted(unknown))})
    return {k: v.strip() if isinstance(v, str) else v for k, v in fields.items()}


@transaction.atomic
def region_create(*, actor, parent: Region, level: str, **fields) -> Region:
    parent = Region.objects.select_for_update().get(pk=parent.pk)
    _ensure_region_editor(actor, parent)
    fields = _clean_fields(fields)
    if level not in (RegionLevel.GRID,):
        fields["grid_kind"] = ""
    region = Region(level=level, **fields)
    _check(region, parent)
    try:
        with transaction.atomic():
            return Region.objects.add_child(parent, instance=region)
    except IntegrityError:
        raise ValidationError({"code": _("This code is already in use by a current region. 该编码已被使用。")}) from None


@transaction.atomic
def region_update(*, actor, region: Region, **fields) -> Region:
    region = Region.objects.select_for_update().get(pk=region.pk)
    _ensure_region_editor(actor, region)
    fields = _clean_fields(fields)
    if "code" in fields and fields["code"] != region.code and region.numchild:
        raise ValidationError({"code": _("A region with sub-regions keeps its code; start a new version instead. "
                                         "有下级区域时不能修改编码。")})
    for name, value in fields.items():
        setattr(region, name, value)
    parent = Region.objects.get_parent(region)
    _check(region, parent)
    region.save()
    return region


@transaction.atomic
def grid_new_version(*, actor, region: Region, starts: datetime.date, **changes) -> Region:
    """Close the current version of a grid the day before `starts` and open a new one with the same code
    (boundary or name changed). Register rows stay on the old node until moved; the old node stays readable."""
    region = Region.objects.select_for_update().get(pk=region.pk)
    _ensure_region_editor(actor, region)
    if region.level not in (RegionLevel.GRID, RegionLevel.MICRO_GRID):
        raise ValidationError({"level": _("Only grids are versioned. 只有网格有版本。")})
    if region.valid_from and starts <= region.valid_from:
        raise ValidationError({"valid_from": _("The new version must start after the current one. 新版本须晚于当前版本。")})
    region.valid_to = starts - datetime.timedelta(days=1)
    region.save(update_fields=["valid_to"])
    fields = {n: getattr(region, n) for n in ("name", "code", "grid_kind", "boundary", "absorbed_networks", "description")}
    fields.update(_clean_fields(changes))
    fields["valid_from"], fields["valid_to"] = starts, None
    return region_create(actor=actor, parent=Region.objects.get_parent(region), level=region.level, **fields)


