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
from tthc_sla.rules import (
    CompositeProcessingTime,
    Deadline,
    DeadlinePolicy,
    ProcessingTime,
    ProcessingTimeKind,
    deadline,
    parse_processing_time,
)

__all__ = [
    "CalendarDataError",
    "CalendarRangeError",
    "CompositeProcessingTime",
    "DayKind",
    "DayOverride",
    "Deadline",
    "DeadlinePolicy",
    "HistoryError",
    "InputTypeError",
    "PolicyError",
    "ProcessingTime",
    "ProcessingTimeKind",
    "RuleParseError",
    "TimezoneMixError",
    "TthcSlaError",
    "WeeklySchedule",
    "WorkingCalendar",
    "deadline",
    "parse_processing_time",
    "vietnam_calendar",
]
