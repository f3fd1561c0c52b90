"""Working calendars: schedules, holidays, official notices, office overrides."""

from tthc_sla.calendar._calendar import WorkingCalendar, vietnam_calendar
from tthc_sla.calendar._notices import (
    CoveredPeriod,
    DayKind,
    DayOverride,
    Notices,
    NoticeYear,
    load_notices,
)
from tthc_sla.calendar._schedule import WeeklySchedule

__all__ = [
    "CoveredPeriod",
    "DayKind",
    "DayOverride",
    "NoticeYear",
    "Notices",
    "WeeklySchedule",
    "WorkingCalendar",
    "load_notices",
    "vietnam_calendar",
]
