"""tthc_sla: deadlines and SLA outcomes for Vietnamese administrative procedures.

The public names are re-exported here; everything else is private.
"""

from tthc_sla.calendar import (
    DayKind,
    DayOverride,
    WeeklySchedule,
    WorkingCalendar,
    vietnam_calendar,
)
from tthc_sla.errors import (
    CalendarDataError,
    CalendarRangeError,
    HistoryError,
    InputTypeError,
    PolicyError,
    RuleParseError,
    TimezoneMixError,
    TthcSlaError,
)

__all__ = [
    "CalendarDataError",
    "CalendarRangeError",
    "DayKind",
    "DayOverride",
    "HistoryError",
    "InputTypeError",
    "PolicyError",
    "RuleParseError",
    "TimezoneMixError",
    "TthcSlaError",
    "WeeklySchedule",
    "WorkingCalendar",
    "vietnam_calendar",
]
