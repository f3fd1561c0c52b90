"""The dossiers this engine does not vectorise, evaluated by the scalar ``evaluate`` itself.

Their rows are the scalar engine's own flat rows (``evaluation._flat.flat_row``), so their
results, errors and warnings are the scalar ones: broken histories, RESCHEDULED events,
``due_time="same_time"``, fractional amounts, exact time with pauses, days off the calendar.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

import numpy as np
import pandas as pd

from tthc_sla.batch._arrays import NDArray
from tthc_sla.batch._table import Table
from tthc_sla.calendar import WorkingCalendar
from tthc_sla.evaluation import evaluate
from tthc_sla.evaluation._flat import FLAT_COLUMNS, flat_row
from tthc_sla.history import Dossier, Event
from tthc_sla.rules import DeadlinePolicy

__all__ = ["write_scalar_rows"]

# The columns an evaluation fills (the first six describe the dossier, read from the table).
_EVALUATED = FLAT_COLUMNS[6:]
_EVENT_COLUMNS = ("at", "kind", "step", "unit", "new_due", "note")


def write_scalar_rows(
    out: pd.DataFrame, which: NDArray, table: Table, calendar: WorkingCalendar,
    as_of: datetime, policy: DeadlinePolicy, strict: bool,
) -> None:  # fmt: skip
    """Evaluate the dossiers ``which`` with the scalar ``evaluate`` and write their rows."""
    ends = np.r_[table.starts[1:], len(table.g)]
    pos = np.concatenate([np.arange(table.starts[i], ends[i]) for i in which.tolist()])
    rows = table.rows[pos]
    columns = {c: _python_values(table.events, c, rows) for c in _EVENT_COLUMNS}
    found: dict[str, list[Any]] = {c: [] for c in _EVALUATED}
    first = 0
    for i in which.tolist():
        size = int(ends[i] - table.starts[i])
        events = [
            Event(*(columns[c][j] for c in _EVENT_COLUMNS[:2]),
                  **{c: columns[c][j] for c in _EVENT_COLUMNS[2:]})
            for j in range(first, first + size)
        ]  # fmt: skip
        first += size
        dossier = Dossier(
            str(table.ids[i]),
            table.procedures[int(table.pidx[i])],
            events,
            channel=table.meta["channel"][i],
            agency=table.meta["agency"][i],
            level=table.meta["level"][i],
            field=table.meta["field"][i],
            difficult_area=bool(table.difficult[i]),
        )
        e = evaluate(dossier, calendar, as_of=as_of, policy=policy, strict=strict)
        row = flat_row(e)
        for c in _EVALUATED:
            found[c].append(row[c])
    due_dates = found["due_date"]
    found["due_date"] = [None if d is None else datetime.combine(d, time()) for d in due_dates]
    found["processing_working_days"] = [
        np.nan if d is None else float(d) for d in found["processing_working_days"]
    ]
    for c, values in (*found.items(), ("scalar", [True] * len(which))):
        column = out[c].to_numpy(copy=True)
        column[which] = np.array(values, dtype=column.dtype)
        out[c] = column


def _python_values(events: pd.DataFrame, name: str, rows: NDArray) -> list[Any]:
    """A column's values at some rows, as the Python values the scalar API expects."""
    if name not in events.columns:
        return [None] * len(rows)
    values = events[name].iloc[rows].to_numpy(dtype=object, na_value=None)
    return [_as_py(v) for v in values]


def _as_py(value: Any) -> Any:
    """A pandas/numpy scalar as the Python value the scalar API expects (missing -> None)."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, np.datetime64):
        return None if np.isnat(value) else pd.Timestamp(value).to_pydatetime()
    if isinstance(value, np.generic):
        return value.item()
    return value
