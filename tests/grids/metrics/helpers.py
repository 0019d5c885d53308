"""The hand-computed cohort of the metrics tests (see test_metrics.py's docstring for the table): constants and
the case builder, which writes incidents straight with the ORM (statuses and timestamps set by hand)."""

import datetime
import itertools
from zoneinfo import ZoneInfo

from grids.models import Assignment, Incident

TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime.datetime(2026, 3, 1, 9, 0, tzinfo=TZ)
NOW = T0 + datetime.timedelta(days=30)
START, END = datetime.date(2026, 3, 1), datetime.date(2026, 4, 1)
H = datetime.timedelta(hours=1)
D = datetime.timedelta(days=1)
_codes = itertools.count(1)


def case(grid, category, status, *, registered=T0, dispatched=True, sign_for_by=None, handle_by=None, signed=None,
         phone="", anonymous=False, contact=None, answered=None, closed=None, rework=0, extension=0, resolution="",
         satisfaction="", lead=(), co=()):
    incident = Incident.objects.create(
        tracking_code=f"T{next(_codes):08d}", channel="web", request_type="complaint", category=category,
        title="测试", description="测试", grid=grid, status=status, reporter_phone=phone, anonymous=anonymous,
        registered_at=registered,
        dispatched_at=T0 + H if dispatched else None,
        sign_for_by=(sign_for_by or T0 + 25 * H) if dispatched else None,
        handle_by=(handle_by or T0 + 7 * D) if dispatched else None,
        signed_at=T0 + signed if signed is not None else None,
        first_contact_at=T0 + contact if contact is not None else None,
        answered_at=T0 + answered if answered is not None else None,
        closed_at=T0 + closed if closed is not None else None,
        rework_count=rework, extension_count=extension, resolution=resolution, satisfaction=satisfaction)
    for department, state in lead:
        Assignment.objects.create(incident=incident, role="lead", level="department", department=department,
                                  state=state)
    for department in co:
        Assignment.objects.create(incident=incident, role="co", level="department", department=department,
                                  state="signed")
    return incident
