"""``summarize_frame``: the columnar twin of ``metrics.summarize``, on an ``evaluate_frame``
result. Both count with the one counting rule of the report (``_counting.count``): here its
inputs are pandas columns, one value per dossier.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Any

import numpy as np
import pandas as pd

from tthc_sla._counting import COUNTERS, count, in_report
from tthc_sla.errors import PolicyError
from tthc_sla.metrics import Summary, group_order

__all__ = ["due_soon_frame", "late_frame", "summarize_frame"]

_FRAME_KEYS = ("agency", "level", "field", "channel", "procedure", "received_month")


def summarize_frame(
    frame: pd.DataFrame,
    *,
    period: tuple[date, date] | None = None,
    by: Sequence[str] = (),
) -> Any:
    """:func:`tthc_sla.summarize` on the columns of an :func:`evaluate_frame` result.

    The same counts, rules and errors as the scalar ``summarize`` (a test compares them), with
    group keys ``agency``, ``level``, ``field``, ``channel``, ``procedure``, ``received_month``.
    Partition results summarised separately add up to the summary of the whole.

    Examples:
        >>> import pandas as pd
        >>> from datetime import date, datetime
        >>> from tthc_sla import Procedure, vietnam_calendar
        >>> from tthc_sla.batch import evaluate_frame
        >>> events = pd.DataFrame({"dossier_id": ["A", "A", "B"], "procedure": ["p"] * 3,
        ...     "at": pd.to_datetime(["2026-10-05 09:00", "2026-10-07 09:00", "2026-10-29 09:00"]),
        ...     "kind": ["received", "resolved", "received"], "channel": ["online"] * 3})
        >>> out = evaluate_frame(events, [Procedure("p", "P", "5wd")], vietnam_calendar(),
        ...                      as_of=datetime(2026, 10, 31, 23, 59))
        >>> s = summarize_frame(out, period=(date(2026, 10, 1), date(2026, 10, 31)))
        >>> s.received, s.early, s.pending_within
        (2, 1, 1)
    """
    for key in by:
        if key not in _FRAME_KEYS:
            raise PolicyError(key, f"a group key: one of {sorted(_FRAME_KEYS)}")
    frame, counts = _frame_counts(frame, period)
    if not by:
        return Summary(**{c: int(counts[c].sum()) for c in COUNTERS})
    keys = pd.DataFrame(
        {
            k: frame["received_at"].dt.strftime("%Y-%m") if k == "received_month" else frame[k]
            for k in by
        }
    )[counts["_in"]]
    sums = (
        counts[counts["_in"]][list(COUNTERS)]
        .groupby([keys[k].astype(object).where(keys[k].notna(), None) for k in by], dropna=False)
        .sum()
    )
    out = {}
    for key, row in sums.iterrows():
        tup = key if isinstance(key, tuple) else (key,)
        clean = tuple(None if (k is None or k != k) else k for k in tup)
        out[clean] = Summary(**{c: int(row[c]) for c in COUNTERS})
    order = group_order(list(by))
    return dict(sorted(out.items(), key=lambda kv: order(kv[0])))


def _bounds(period: tuple[date, date]) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The first and last moments of a period, or PolicyError."""
    first, last = period
    if not isinstance(first, date) or not isinstance(last, date) or first > last:
        raise PolicyError(period, "period=(first_day, last_day) with first_day <= last_day")
    return pd.Timestamp(first), pd.Timestamp(datetime.combine(last, time.max))


def _reported(frame: pd.DataFrame, period: tuple[date, date] | None) -> pd.DataFrame:
    """The rows of the dossiers in the report of ``period`` (``_counting.in_report``; all rows
    without a period): a month's report over a year's results counts a sixth of them, not all."""
    if period is None:
        return frame
    start, end = _bounds(period)
    completed = frame["completed_at"].to_numpy()
    closed = np.where(np.isnat(completed), frame["ended_at"].to_numpy(), completed)
    closed[np.isnat(closed)] = end  # open: any moment from the period's start on
    received = frame["received_at"].to_numpy()
    keep = in_report(start=start, end=end, received=received, closed=closed)
    return frame if keep.all() else frame[keep]


def _frame_counts(
    frame: pd.DataFrame, period: tuple[date, date] | None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rows of the period's report (``_reported``), and for each its counters and an
    ``_in`` flag."""
    frame = _reported(frame, period)
    received = frame["received_at"]
    completed = frame["completed_at"]
    closed = completed.where(completed.notna(), frame["ended_at"])
    is_closed = closed.notna()
    outcome = frame["outcome"]
    if period is None:
        start, end = pd.Timestamp.min, pd.Timestamp.max
        overdue = outcome == "overdue"
    else:
        last = period[1]
        start, end = _bounds(period)
        as_of = frame.attrs.get("as_of")
        open_at_end = ~is_closed | (closed > end)  # (every row is in the report)
        if as_of is not None and as_of.date() < last and bool(open_at_end.any()):
            raise PolicyError(
                f"a frame evaluated as of {as_of}",
                f"evaluations as of the period's end ({last}) or later",
            )
        by_moment = frame["by_moment"].astype(bool)
        overdue = (by_moment & (frame["due_at"] < end)) | (
            ~by_moment & (frame["due_date"] < pd.Timestamp(last))
        )
    channel = frame["channel"]
    c = count(
        start=start,
        end=end,
        received=received,
        closed=closed.where(is_closed, end),  # open: any moment from the period's start on
        is_closed=is_closed,
        is_resolution=completed.notna(),
        online=channel == "online",
        direct=channel.isin(["direct", "postal"]),
        unknown_channel=channel.isna(),
        early=outcome == "early",
        on_time=outcome == "on_time",
        late=outcome == "late",
        overdue_at_end=overdue,
        met_rescheduled=frame["met_rescheduled"].astype(bool),
        working_days=frame["processing_working_days"].fillna(0),
        provisional=frame["provisional"].astype(bool),
    )
    return frame, pd.DataFrame(
        {k: v.astype(bool) if k == "_in" else v.astype(np.int64) for k, v in c.items()}
    )


def late_frame(frame: pd.DataFrame, *, period: tuple[date, date] | None = None) -> pd.DataFrame:
    """:func:`tthc_sla.late_dossiers` on an :func:`evaluate_frame` result: the rows of the
    dossiers resolved late in the period or overdue at its end, most working days late first,
    then by id (the monthly list of late dossiers, with ``late_units``).

    Examples:
        >>> import pandas as pd
        >>> from datetime import date, datetime
        >>> from tthc_sla import Procedure, vietnam_calendar
        >>> from tthc_sla.batch import evaluate_frame
        >>> events = pd.DataFrame({"dossier_id": ["A", "A", "B"], "procedure": ["p"] * 3,
        ...     "at": pd.to_datetime(["2026-10-05 09:00", "2026-10-09 09:00", "2026-10-05 09:00"]),
        ...     "kind": ["received", "resolved", "received"]})
        >>> out = evaluate_frame(events, [Procedure("p", "P", "2wd")], vietnam_calendar(),
        ...                      as_of=datetime(2026, 10, 31, 23, 59))
        >>> late_frame(out, period=(date(2026, 10, 1), date(2026, 10, 31)))["dossier_id"].tolist()
        ['B', 'A']
    """
    frame, counts = _frame_counts(frame, period)
    keep = (counts["_in"] & ((counts["late"] > 0) | (counts["pending_overdue"] > 0))).to_numpy()
    return frame[keep].sort_values(
        ["late_working_days", "dossier_id"], ascending=[False, True], kind="stable"
    )


def due_soon_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """:func:`tthc_sla.due_soon` on an :func:`evaluate_frame` result: the rows of the open
    dossiers with at most one working day left, soonest first, then by id."""
    soon = frame[(frame["outcome"] == "due_soon").to_numpy()]
    return soon.sort_values(["due_date", "dossier_id"], kind="stable")
