"""The one flat layout of an evaluation: the columns of ``tthc-sla evaluate`` and of
``batch.evaluate_frame`` (which adds its ``scalar`` column), with the same separators."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tthc_sla.evaluation._result import Evaluation

__all__ = ["FLAT_COLUMNS", "LIST_SEPARATOR", "WARNING_SEPARATOR", "flat_row", "hours"]

FLAT_COLUMNS = (
    "dossier_id",
    "procedure",
    "agency",
    "level",
    "field",
    "channel",
    "outcome",
    "received_at",
    "due_at",
    "due_date",
    "completed_at",
    "ended_at",
    "late_working_days",
    "late_time_hours",
    "excluded_working_days",
    "processing_working_days",
    "by_moment",
    "met_rescheduled",
    "rescheduled_due",
    "provisional",
    "late_units",
    "warnings",
)
"""The columns, in order."""

LIST_SEPARATOR = "; "
"""Between the units of ``late_units``."""
WARNING_SEPARATOR = " | "
"""Between the history's problems in ``warnings``."""

_HOUR = timedelta(hours=1)


def hours(t: timedelta) -> float:
    """Working time as hours, to two decimals (``late_time_hours``)."""
    return round(t / _HOUR, 2)


def flat_row(e: Evaluation) -> dict[str, Any]:
    """One evaluation as a flat row (Python values: None where a value is missing)."""
    d = e.dossier
    return {
        "dossier_id": d.id,
        "procedure": d.procedure.code,
        "agency": d.agency,
        "level": d.level,
        "field": d.field,
        "channel": d.channel.value if d.channel else None,
        "outcome": e.outcome.value,
        "received_at": e.received_at,
        "due_at": e.due_at,
        "due_date": e.due_date,
        "completed_at": e.completed_at,
        "ended_at": e.ended_at,
        "late_working_days": e.late_working_days,
        "late_time_hours": hours(e.late_time),
        "excluded_working_days": e.excluded_working_days,
        "processing_working_days": e.processing_working_days,
        "by_moment": e.by_moment,
        "met_rescheduled": e.met_rescheduled,
        "rescheduled_due": e.rescheduled_due,
        "provisional": e.provisional,
        "late_units": LIST_SEPARATOR.join(e.late_units),
        "warnings": WARNING_SEPARATOR.join(e.warnings),
    }
