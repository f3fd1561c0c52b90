"""The result table: the columnar twin of ``evaluation/_flat.py`` (the one flat layout of an
evaluation, ``FLAT_COLUMNS``, with the same separators and the same rounding of hours), plus
``scalar``; and the events table of some dossiers (``events_frame``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from tthc_sla.batch._arrays import CalendarArrays, NDArray, moments
from tthc_sla.batch._replay import Clock, Due, Excluded, Judged, Visible
from tthc_sla.batch._table import DOSSIER_COLUMNS, Table
from tthc_sla.errors import TimezoneMixError
from tthc_sla.evaluation import Outcome
from tthc_sla.evaluation._flat import FLAT_COLUMNS, hours
from tthc_sla.history import Dossier

__all__ = ["OUTPUT_COLUMNS", "empty_result", "events_frame", "result_frame"]

OUTPUT_COLUMNS = (*FLAT_COLUMNS, "scalar")
"""The columns of :func:`evaluate_frame`'s result, in order: the flat layout of an evaluation
(``tthc-sla evaluate``'s columns) and ``scalar``, True on the rows the scalar ``evaluate``
gave."""

_OUTCOME_VALUES = np.array([o.value for o in Outcome], dtype=object)
_NAT = np.iinfo(np.int64).min
_US = timedelta(microseconds=1)


def _moment(us: NDArray, present: NDArray) -> NDArray:
    out: NDArray = np.where(present, us, _NAT).view("datetime64[us]")
    return out


def _hours(late_us: NDArray) -> NDArray:
    """Working microseconds as ``late_time_hours``: ``_flat.hours`` of each distinct value,
    so the rounding is Python's ``round(x, 2)``."""
    out = np.zeros(len(late_us), dtype=float)
    idx = np.flatnonzero(late_us)
    if idx.size:
        values, inv = np.unique(late_us[idx], return_inverse=True)
        table = np.array([hours(v * _US) for v in values.tolist()], dtype=float)
        out[idx] = table[inv]
    return out


def result_frame(
    arr: CalendarArrays, table: Table, vis: Visible, clk: Clock, ex: Excluded, due: Due,
    judged: Judged, provisional: NDArray, late_units: NDArray, scalar: NDArray,
) -> pd.DataFrame:  # fmt: skip
    """The result rows of the vectorised evaluation (the scalar rows are written later)."""
    n = len(table.starts)
    has_clock, by_moment = clk.has_clock, table.plan.by_moment
    at = vis.at if len(vis.at) else np.zeros(1, dtype=np.int64)
    return frame(
        {
            "dossier_id": table.ids,
            "procedure": table.procedure,
            **table.meta,
            "outcome": _OUTCOME_VALUES[judged.outcome],
            "received_at": _moment(at[np.maximum(clk.start, 0)], has_clock),
            "due_at": _moment(due.us, has_clock),
            "due_date": _moment(moments(due.day, 0, arr), has_clock),
            "completed_at": _moment(at[np.maximum(clk.finish, 0)], clk.finished & ~clk.ended),
            "ended_at": _moment(at[np.maximum(clk.end, 0)], clk.ended),
            "late_working_days": judged.late_days,
            "late_time_hours": _hours(judged.late_us),
            "excluded_working_days": np.where(by_moment, 0, ex.days),
            "processing_working_days": judged.processing,
            "by_moment": by_moment,
            "met_rescheduled": np.zeros(n, dtype=bool),
            "rescheduled_due": np.full(n, _NAT, dtype=np.int64).view("datetime64[us]"),
            "provisional": provisional,
            "late_units": late_units,
            "warnings": np.full(n, "", dtype=object),
            "scalar": scalar,
        }
    )


def frame(columns: dict[str, NDArray]) -> pd.DataFrame:
    """A DataFrame of ``OUTPUT_COLUMNS`` that keeps object columns as objects (no
    string-dtype conversion pass) and holds the arrays as they are: ``copy=False`` keeps
    pandas from stacking the columns of one type into a new block (a copy of the result), and
    from copying each object column into its Series (pandas 3 copies arrays by default)."""
    assert tuple(columns) == OUTPUT_COLUMNS
    return pd.DataFrame(
        {
            c: pd.Series(v, dtype=object, copy=False) if v.dtype == object else v
            for c, v in columns.items()
        },
        copy=False,
    )


def empty_result() -> pd.DataFrame:
    """The result of a table without events."""
    moment = np.array([], dtype="datetime64[us]")
    obj = np.array([], dtype=object)
    dtypes = {
        "late_working_days": np.int64, "late_time_hours": float,
        "excluded_working_days": np.int64, "processing_working_days": float, "by_moment": bool,
        "met_rescheduled": bool, "provisional": bool, "scalar": bool,
    }  # fmt: skip
    moments_ = {"received_at", "due_at", "due_date", "completed_at", "ended_at", "rescheduled_due"}
    out = frame(
        {
            c: moment if c in moments_ else np.array([], dtype=dtypes[c]) if c in dtypes else obj
            for c in OUTPUT_COLUMNS
        }
    )
    out.attrs["scalar_fallback"] = 0
    out.attrs["dossiers"] = 0
    return out


def events_frame(dossiers: Sequence[Dossier]) -> pd.DataFrame:
    """The events table of some dossiers (one row per event), as :func:`evaluate_frame` reads it.

    Timestamps must be naive local wall time (the columnar path has no time zones).

    Examples:
        >>> from datetime import datetime
        >>> from tthc_sla import Dossier, Event, Procedure
        >>> p = Procedure("1.001", "Cấp phép", "2wd")
        >>> d = Dossier("A", p, [Event(datetime(2026, 11, 20, 9), "received")], agency="UBND")
        >>> events_frame([d])[["dossier_id", "procedure", "kind", "agency"]]
          dossier_id procedure      kind agency
        0          A     1.001  received   UBND
    """
    cols: dict[str, list[Any]] = {
        c: []
        for c in ("dossier_id", "procedure", "at", "kind", "step", "unit", "new_due", "note",
                  *DOSSIER_COLUMNS)
    }  # fmt: skip
    for d in dossiers:
        channel = None if d.channel is None else d.channel.value
        for e in d.events:
            if e.at.tzinfo is not None:
                raise TimezoneMixError(e.at, "the naive events table")
            cols["dossier_id"].append(d.id)
            cols["procedure"].append(d.procedure.code)
            cols["at"].append(e.at)
            cols["kind"].append(e.kind.value)
            cols["step"].append(e.step)
            cols["unit"].append(e.unit)
            cols["new_due"].append(e.new_due)
            cols["note"].append(e.note)
            cols["agency"].append(d.agency)
            cols["level"].append(d.level)
            cols["field"].append(d.field)
            cols["channel"].append(channel)
            cols["difficult_area"].append(d.difficult_area)
    out = pd.DataFrame({c: pd.Series(v, dtype=object) for c, v in cols.items()}, columns=list(cols))
    out["at"] = pd.to_datetime(out["at"]).astype("datetime64[us]")
    # A date new_due (the close of that working day) stays a date: to_datetime would make it
    # midnight, an earlier appointment than the one given.
    if not any(type(v) is date for v in cols["new_due"]):
        out["new_due"] = pd.to_datetime(out["new_due"]).astype("datetime64[us]")
    out["difficult_area"] = out["difficult_area"].astype(bool)
    return out
