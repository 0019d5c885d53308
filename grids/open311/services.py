"""The one Open311 write: a GeoReport v2 "POST requests" becomes an incident through the lifecycle's
`incident_report` (channel open311), plus one staff-only event row recording who submitted it.

What is kept of the spec's optional fields (data minimisation):
- first_name/last_name -> the reporter's name, phone -> the call-back phone (both encrypted at rest, never
  returned by any GET);
- account_id and the API client's name -> the staff-only submission note (who to ask about the case);
- media_url -> the same note as text (never fetched: no server-side request to a client-chosen URL);
- email and device_id are not stored (there is no e-mail channel to Open311 reporters)."""

from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from grids.models import Category, Channel, Incident, IncidentEvent, Region

SUBMISSION_EVENT = "open311_submission"


def reporter_name_from(first_name: str, last_name: str) -> str:
    """Chinese names are family name first with no space (last_name 王 + first_name 小明 = 王小明)."""
    first, last = (first_name or "").strip(), (last_name or "").strip()
    if first and last and all("\u3400" <= ch <= "\u9fff" for ch in first + last):
        return last + first
    return " ".join(part for part in (first, last) if part)


def _coordinate(value: float | None) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)


def _title(category: Category, description: str) -> str:
    first_line = (description or "").strip().splitlines()[0].strip() if (description or "").strip() else ""
    title = f"{category.name}：{first_line}" if first_line else category.name
    return title if len(title) <= 100 else title[:99] + "…"


@transaction.atomic
def open311_request_submit(*, client: str, category: Category, grid: Region, request_type: str,
                           description: str = "", address: str = "", latitude: float | None = None,
                           longitude: float | None = None, first_name: str = "", last_name: str = "",
                           phone: str = "", account_id: str = "", media_url: str = "", now=None) -> Incident:
    from grids.services.incidents import incident_report  # lifecycle module; imported late (no import cycle)

    incident = incident_report(
        channel=Channel.OPEN311,
        request_type=request_type,
        category=category,
        title=_title(category, description),
        # The model needs a description; an Open311 report may come without one (the service says what it is).
        description=description or category.name,
        grid=grid,
        address=address,
        latitude=_coordinate(latitude),
        longitude=_coordinate(longitude),
        reporter_name=reporter_name_from(first_name, last_name),
        reporter_phone=(phone or "").strip(),
        now=now,
    )
    lines = [_("Submitted through Open311 by %(client)s.") % {"client": client}]
    if account_id:
        lines.append(f"account_id: {account_id}")
    if media_url:
        lines.append(f"media_url: {media_url}")
    IncidentEvent.objects.create(incident=incident, kind=SUBMISSION_EVENT, note="\n".join(lines)[:4000], public=False)
    return incident
