"""Template helpers of the grid pages: optional links, masking, labels."""

from django import template
from django.urls import NoReverseMatch, reverse

from governance.lib.pii import mask_id_number, mask_phone
from grids.models import FormerNetwork, RegionLevel

register = template.Library()


@register.simple_tag
def url_if_exists(name, *args, **kwargs) -> str:
    """Like {% url %}, but an empty string when the URL name (still) does not exist:
    {% url_if_exists 'grids:register_export' register as export_url %}{% if export_url %}…{% endif %}"""
    try:
        return reverse(name, args=args or None, kwargs=kwargs or None)
    except NoReverseMatch:
        return ""


@register.filter
def masked_id(value) -> str:
    return mask_id_number(value or "")


@register.filter
def masked_phone(value) -> str:
    return mask_phone(value or "")


@register.filter
def network_labels(codes) -> list[str]:
    """Labels of the former networks a grid absorbed (unknown codes shown as they are)."""
    labels = dict(FormerNetwork.choices)
    return [str(labels.get(code, code)) for code in (codes or [])]


@register.filter
def level_label(level) -> str:
    try:
        return str(RegionLevel(level).label)
    except ValueError:
        return str(level or "")
