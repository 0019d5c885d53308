"""Shared by the admission services: the working calendar, local dates, who to tell, links."""

import datetime
import logging

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from governance.models import Role, User
from grids.sla import WorkingCalendar, warn_at
from listings.admission import rules


def calendar() -> WorkingCalendar:
    """Working hours (the day ends at GONGZHI_WORKDAY_END); the days themselves come from `is_workday`."""
    return WorkingCalendar(start=datetime.time.fromisoformat(settings.GONGZHI_WORKDAY_START),
                           end=datetime.time.fromisoformat(settings.GONGZHI_WORKDAY_END), tz=settings.TIME_ZONE)


logger = logging.getLogger(__name__)
_WARNED_YEARS: set[int] = set()


def is_workday(day: datetime.date) -> bool:
    """chinese-calendar's working days (调休 included); Monday–Friday for a year it has no data for yet, with one
    warning per year (admission counts many days at a time: the lead time runs into next year's plans)."""
    import chinese_calendar

    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        if day.year not in _WARNED_YEARS:
            _WARNED_YEARS.add(day.year)
            logger.warning("chinese-calendar has no holiday data for %s; counting Monday-Friday only", day.year)
        return day.weekday() < 5


def local_date(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


def lead_working_days(submitted_on: datetime.date, period_start: datetime.date | None) -> int | None:
    if period_start is None:
        return None
    return rules.working_days_between(submitted_on, period_start, is_workday)


def review_clock(applied_at: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime]:
    """(reminder moment, deadline) of a review that starts at `applied_at`: the deadline is the end of the working
    day GONGZHI_ADMISSION_REVIEW_WORKING_DAYS working days after the submission day; the reminder falls at
    GONGZHI_DEADLINE_WARNING_SHARE of the way there."""
    cal = calendar()
    due_day = rules.add_working_days(local_date(applied_at), settings.GONGZHI_ADMISSION_REVIEW_WORKING_DAYS,
                                     is_workday)
    due = datetime.datetime.combine(due_day, cal.end, timezone.get_default_timezone())
    return warn_at(applied_at, due, settings.GONGZHI_DEADLINE_WARNING_SHARE), due


def one_year_later(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


# --- recipients ---------------------------------------------------------------------------------------------

def review_group(district_ids) -> list[User]:
    return list(User.objects.filter(role=Role.DISTRICT_OFFICIAL, region_id__in=set(district_ids), is_active=True)
                .order_by("pk"))


def department_handlers(department_ids) -> list[User]:
    return list(User.objects.filter(role=Role.DEPARTMENT_HANDLER, department_id__in=set(department_ids),
                                    is_active=True).order_by("pk"))


def community_staff(community_ids) -> list[User]:
    return list(User.objects.filter(role=Role.COMMUNITY_STAFF, region_id__in=set(community_ids), is_active=True)
                .order_by("pk"))


def application_url(application_id: int) -> str:
    return reverse("admission:application_detail", args=[application_id])


def task_url(task_id: int) -> str:
    return reverse("admission:task_detail", args=[task_id])
