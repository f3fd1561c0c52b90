"""``evaluate_frame``: the columnar twin of ``evaluation.evaluate``, for a whole table of events.

It reads the table once (``_table``), runs the replay's phases in order (``_replay``,
``_steps``), lays the result out (``_output``) and hands the dossiers it does not vectorise to
the scalar ``evaluate`` (``_fallback``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

import numpy as np
import pandas as pd

from tthc_sla.batch import _replay as replay
from tthc_sla.batch._arrays import CalendarArrays, calendar_arrays, provisional
from tthc_sla.batch._fallback import write_scalar_rows
from tthc_sla.batch._output import empty_result, result_frame
from tthc_sla.batch._replay import OUTCOME
from tthc_sla.batch._steps import late_units, step_events
from tthc_sla.batch._table import Table, procedure_table, read_table
from tthc_sla.calendar import WorkingCalendar
from tthc_sla.errors import InputTypeError, PolicyError, TimezoneMixError
from tthc_sla.evaluation import Outcome
from tthc_sla.procedure import Procedure
from tthc_sla.rules import DeadlinePolicy

__all__ = ["evaluate_frame"]

_DEFAULT_POLICY = DeadlinePolicy()
_LATE, _OVERDUE = OUTCOME[Outcome.LATE], OUTCOME[Outcome.OVERDUE]


def evaluate_frame(
    events: pd.DataFrame,
    procedures: Mapping[str, Procedure] | Sequence[Procedure],
    calendar: WorkingCalendar,
    *,
    as_of: datetime,
    policy: DeadlinePolicy = _DEFAULT_POLICY,
    strict: bool = True,
) -> pd.DataFrame:
    """Evaluate a table of events, one result row per dossier, equal to :func:`evaluate`.

    ``events`` has one row per event, in each dossier's history order (rows of different
    dossiers may interleave): ``dossier_id``, ``procedure`` (the procedure's code), ``at``
    (datetime64, naive local wall time), ``kind`` (an :class:`EventKind` value such as
    ``"received"``), and optionally ``step``, ``unit``, ``new_due``, ``note`` and the dossier's
    ``agency``, ``level``, ``field``, ``channel``, ``difficult_area`` (the same on every row
    that states it, else PolicyError; read with the vocabulary of the table readers, so
    Vietnamese event kinds and channel words work). ``new_due``: datetime64 values or datetimes
    are moments; ``datetime.date`` values in an object column mean the close of that working
    day.

    Vectorised with numpy on the compiled calendar: validation of the state machine (valid
    histories are checked pairwise), receipt and restarts at the last ``SUPPLEMENT_RECEIVED``,
    excluded working days from ``PAUSED``/``RESUMED`` and pause-type supplements (the due date
    is ``W[R[due] - 1 + excluded]``), working-day, calendar-day, month, same-day and
    working-hour rules, ``receipt_day_counts``, the finish (``RESOLVED``/``REJECTED`` or
    ``RETURNED``), open outcomes at ``as_of``, late working days and working time, and the
    per-step deadlines that attribute lateness to units.

    These dossiers take the scalar :func:`evaluate` instead (``scalar`` is True on their rows,
    and ``result.attrs["scalar_fallback"]`` counts them): a broken history (so errors and
    warnings are exactly the scalar ones), ``RESCHEDULED`` events, ``due_time="same_time"``,
    fractional working days, exact time (a working-hour rule or step) combined with pauses or
    supplements, and anything that touches a day outside the calendar (the scalar path then
    raises the same ``CalendarRangeError``).

    Args:
        events: the events table.
        procedures: the procedures by code (a mapping, or a sequence of Procedure).
        calendar: the working calendar.
        as_of: the evaluation moment (naive local time); later events are not seen.
        policy: the deadline policy.
        strict: as in :func:`evaluate`: raise HistoryError on a broken history, or report the
            problems in the ``warnings`` column.

    Returns:
        One row per dossier, in order of first appearance, with the columns ``OUTPUT_COLUMNS``
        (the flat layout of ``tthc-sla evaluate``, and ``scalar``).

    Raises:
        HistoryError: a broken history, in strict mode.
        PolicyError: an unknown procedure code, event kind or channel, or two values of a
            dossier-level column for one dossier.
        CalendarRangeError: a date outside the calendar.

    Examples:
        >>> from datetime import datetime
        >>> import pandas as pd
        >>> from tthc_sla import Procedure, vietnam_calendar
        >>> ev = pd.DataFrame({
        ...     "dossier_id": ["A", "A", "B"],
        ...     "procedure": ["1.001"] * 3,
        ...     "at": pd.to_datetime(["2026-11-20 09:00", "2026-11-26 10:00", "2026-11-20 10:00"]),
        ...     "kind": ["received", "resolved", "received"],
        ... })
        >>> out = evaluate_frame(ev, [Procedure("1.001", "Cấp phép", "2wd")], vietnam_calendar(),
        ...                      as_of=datetime(2026, 11, 27, 12))
        >>> out[["dossier_id", "outcome", "due_date", "late_working_days"]]
          dossier_id  outcome   due_date  late_working_days
        0          A     late 2026-11-25                  1
        1          B  overdue 2026-11-25                  2
    """
    if not isinstance(events, pd.DataFrame):
        raise InputTypeError("events", events, "a pandas DataFrame")
    for col in ("dossier_id", "procedure", "at", "kind"):
        if col not in events.columns:
            raise PolicyError(list(events.columns), f"an events table with a {col!r} column")
    if not isinstance(as_of, datetime):
        raise InputTypeError("as_of", as_of, "a datetime.datetime")
    if as_of.tzinfo is not None:
        raise TimezoneMixError(as_of, "the naive 'at' column")
    if not isinstance(policy, DeadlinePolicy):
        raise InputTypeError("policy", policy, "a DeadlinePolicy")
    procs = procedure_table(procedures)
    arr = calendar_arrays(calendar)
    table = read_table(events, procs, policy)
    out = empty_result() if table is None else _run(table, calendar, arr, as_of, policy, strict)
    out.attrs["as_of"] = as_of
    return out


def _run(
    table: Table, calendar: WorkingCalendar, arr: CalendarArrays, as_of: datetime,
    policy: DeadlinePolicy, strict: bool,
) -> pd.DataFrame:  # fmt: skip
    """The phases of the replay in order, then the scalar rows."""
    vis = replay.visible(table, arr, as_of)
    steps = step_events(table, vis)
    scalar = replay.validate(table, vis) | steps.broken | vis.off_calendar
    scalar |= ~table.plan.vectorisable
    clk = replay.clock(table, vis, policy)
    scalar |= table.plan.by_moment & clk.any_pause  # exact time: no pauses on this path
    ex = replay.exclude(arr, vis, clk)
    due = replay.deadline(arr, table, vis, clk, ex, policy)
    scalar |= due.off_calendar
    judged = replay.judge(arr, table, vis, clk, due)
    late = (judged.outcome == _LATE) | (judged.outcome == _OVERDUE)
    units, more = late_units(arr, table, vis, steps, clk, ex, late & ~scalar, policy)
    scalar |= more
    spans = clk.has_clock & provisional(calendar, arr, due.start_day, due.day)
    out = result_frame(arr, table, vis, clk, ex, due, judged, spans, units, scalar)
    which = np.flatnonzero(scalar)
    if which.size:
        write_scalar_rows(out, which, table, calendar, as_of, policy, strict)
    out.attrs["scalar_fallback"] = int(which.size)
    out.attrs["dossiers"] = len(table.starts)
    return out
