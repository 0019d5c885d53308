from django import template

register = template.Library()


@register.filter
def reports_after(row, day) -> list[str]:
    """The ledger row's reporting dates on or after `day` (ISO strings), soonest first."""
    iso = day.isoformat()
    return [d for d in row.reporting_dates if d >= iso]
