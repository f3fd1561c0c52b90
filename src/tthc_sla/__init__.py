"""tthc_sla: deadlines and SLA outcomes for Vietnamese administrative procedures.

The public names are re-exported here; everything else is private.
"""

from tthc_sla._tables import DossierTable, SetAside, read_dossiers, read_procedures
from tthc_sla._version import __version__ as __version__
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
    TableError,
    TimezoneMixError,
    TthcSlaError,
)
from tthc_sla.evaluation import Evaluation, Outcome, StepResult, evaluate
from tthc_sla.history import Channel, Dossier, Event, EventKind
from tthc_sla.metrics import (
    Summary,
    due_soon,
    late_by_unit,
    late_dossiers,
    report_table,
    summarize,
)
from tthc_sla.procedure import Procedure, Step
from tthc_sla.rules import (
    CompositeProcessingTime,
    Deadline,
    DeadlinePolicy,
    ExtensionMode,
    ProcessingTime,
    ProcessingTimeKind,
    Regime,
    deadline,
    legal_basis,
    parse_processing_time,
    regime_on,
)

__all__ = [
    "CalendarDataError",
    "CalendarRangeError",
    "Channel",
    "CompositeProcessingTime",
    "DayKind",
    "DayOverride",
    "Deadline",
    "DeadlinePolicy",
    "Dossier",
    "DossierTable",
    "Evaluation",
    "Event",
    "EventKind",
    "ExtensionMode",
    "HistoryError",
    "InputTypeError",
    "Outcome",
    "PolicyError",
    "Procedure",
    "ProcessingTime",
    "ProcessingTimeKind",
    "Regime",
    "RuleParseError",
    "SetAside",
    "Step",
    "StepResult",
    "Summary",
    "TableError",
    "TimezoneMixError",
    "TthcSlaError",
    "WeeklySchedule",
    "WorkingCalendar",
    "deadline",
    "due_soon",
    "evaluate",
    "late_by_unit",
    "late_dossiers",
    "legal_basis",
    "parse_processing_time",
    "read_dossiers",
    "read_procedures",
    "regime_on",
    "report_table",
    "summarize",
    "vietnam_calendar",
]
