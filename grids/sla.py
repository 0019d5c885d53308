"""Time limits of the incident loop, as pure functions (no ORM): which limits apply to a case, and when a limit
that starts now runs out — on the clock, or (GONGZHI_WORKING_CALENDAR=True) in working hours only, skipping
weekends and public holidays (chinese-calendar, with 调休 working weekends)."""

import datetime
import logging
from dataclasses import dataclass
from zoneinfo import ZoneInfo

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limits:
    sign_for_hours: int
    handle_hours: int


def limits_for(*, sign_for_hours: int, handle_hours: int, urgent_handle_hours: int | None,
               emergency_handle_hours: int | None, urgency: str, emergency_cap_hours: int = 2) -> Limits:
    """The category's limits adjusted for urgency: urgent uses the category's urgent limit; an emergency its
    emergency limit (or the platform cap, default 2 h). Sign-for never exceeds handling."""
    handle = handle_hours
    if urgency == "urgent" and urgent_handle_hours:
        handle = urgent_handle_hours
    elif urgency == "emergency":
        handle = emergency_handle_hours or min(handle_hours, emergency_cap_hours)
    return Limits(sign_for_hours=min(sign_for_hours, handle), handle_hours=handle)


@dataclass(frozen=True)
class WorkingCalendar:
    """Working hours on working days. `is_workday(date)` decides the days; by default chinese-calendar,
    falling back to Monday–Friday (with a logged warning) for years it has no data for."""

    start: datetime.time = datetime.time(8, 30)
    end: datetime.time = datetime.time(17, 30)
    tz: str = "Asia/Shanghai"

    def is_workday(self, day: datetime.date) -> bool:
        try:
            import chinese_calendar

            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            logger.warning("chinese-calendar has no holiday data for %s; counting Monday-Friday only", day.year)
            return day.weekday() < 5

    def add_hours(self, start: datetime.datetime, hours: float) -> datetime.datetime:
        """`start` plus `hours` of working time (start is timezone-aware; the result is too)."""
        zone = ZoneInfo(self.tz)
        local = start.astimezone(zone)
        remaining = datetime.timedelta(hours=hours)
        day = local.date()
        cursor = local
        for _ in range(3660):  # ten years of days: a hard stop against bad data
            day_start = datetime.datetime.combine(day, self.start, zone)
            day_end = datetime.datetime.combine(day, self.end, zone)
            if self.is_workday(day) and cursor < day_end:
                begin = max(cursor, day_start)
                available = day_end - begin
                if remaining <= available:
                    return (begin + remaining).astimezone(start.tzinfo)
                remaining -= available
            day += datetime.timedelta(days=1)
            cursor = datetime.datetime.combine(day, self.start, zone)
        raise ValueError("deadline beyond ten years")


def deadline_after(start: datetime.datetime, hours: float, *, calendar: WorkingCalendar | None = None):
    """When a limit of `hours` that starts at `start` runs out."""
    if calendar is None:
        return start + datetime.timedelta(hours=hours)
    return calendar.add_hours(start, hours)


def warn_at(start: datetime.datetime, due: datetime.datetime, share: float) -> datetime.datetime:
    """The moment a warning is due: `share` (e.g. 0.8) of the way from start to deadline."""
    return start + (due - start) * share
