"""The calendar as numpy arrays, and day arithmetic over arrays of dates.

The columnar twin of the calendar's compiled index (``calendar/_index.py``), read only through
the calendar's seam: ``calendar._seam.dense`` gives the whole range as flat Python arrays, which
become read-only numpy arrays here without a copy. Adding working days is ``W[R[d] + n - 1]``
and counting them is ``R[b] - R[a]``, as in ``WorkingCalendar.add_working_days`` and
``working_days_between``.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import date
from typing import Any

import attrs
import numpy as np

from tthc_sla.calendar import WorkingCalendar
from tthc_sla.calendar._seam import dense
from tthc_sla.errors import CalendarRangeError, InputTypeError

__all__ = [
    "DAY_US",
    "EPOCH",
    "CalendarArrays",
    "NDArray",
    "add_working_days",
    "as_dates",
    "calendar_arrays",
    "day_index",
    "due_dates",
    "moments",
    "provisional",
    "split",
    "working_days_between",
]

NDArray = np.ndarray[Any, Any]

EPOCH = date(1970, 1, 1).toordinal()  # ordinal of day 0 of datetime64[D]
DAY_US = 86_400_000_000


@attrs.frozen(eq=False)
class CalendarArrays:
    """A calendar compiled into dense numpy arrays over its whole range (read-only).

    Day ``i`` is the day with ordinal ``base + i``; working day ``j`` (0-based, in order) is
    the day ``W[j]``.

    Attributes:
        base: the ordinal of the first day of the range.
        n_days: the number of days in the range.
        R: working days up to and including each day (int64, length n_days).
        W: the day indices of the working days, sorted (int64).
        work: 1 on a working day (uint8, length n_days).
        shape: the day shape (0..7) of each working day (int64, length len(W)).
        cum: working microseconds before each working day (int64, length len(W) + 1).
        day_open, day_close: first opening and last close of each day, in microseconds from
            midnight (0 on days off).
        starts, lens, shape_cum: per shape, the intervals' starts and lengths in microseconds,
            padded to the same width with empty intervals, and the working time before each.
        first, last: the calendar's first and last day.
    """

    base: int
    n_days: int
    R: NDArray
    W: NDArray
    work: NDArray
    shape: NDArray
    cum: NDArray
    day_open: NDArray
    day_close: NDArray
    starts: NDArray
    lens: NDArray
    shape_cum: NDArray
    first: date
    last: date


@functools.lru_cache(maxsize=16)
def calendar_arrays(calendar: WorkingCalendar) -> CalendarArrays:
    """The calendar's compiled index over its whole range as numpy arrays (cached per calendar).

    Examples:
        >>> from datetime import date
        >>> from tthc_sla import vietnam_calendar
        >>> arr = calendar_arrays(vietnam_calendar())
        >>> i = date(2026, 11, 23).toordinal() - arr.base      # a Monday
        >>> int(arr.R[i + 2] - arr.R[i])                        # Tue 24/11 is off
        1
    """
    if not isinstance(calendar, WorkingCalendar):
        raise InputTypeError("calendar", calendar, "a WorkingCalendar (see vietnam_calendar())")
    index = dense(calendar)
    rank = np.frombuffer(index.rank, dtype=np.int64)
    wd = np.frombuffer(index.wd, dtype=np.int64)
    work = np.frombuffer(index.work, dtype=np.uint8)
    shape = np.frombuffer(index.shape, dtype=np.uint8).astype(np.int64)
    cum = np.frombuffer(index.cum, dtype=np.int64)
    starts, lens, shape_cum, opens, closes = _shape_table(index.shapes)
    day_open = np.zeros(len(rank), dtype=np.int64)
    day_close = np.zeros(len(rank), dtype=np.int64)
    day_open[wd] = opens[shape]
    day_close[wd] = closes[shape]
    for a in (rank, wd, work, shape, cum, day_open, day_close, starts, lens, shape_cum):
        a.flags.writeable = False
    return CalendarArrays(
        base=index.base,
        n_days=len(rank),
        R=rank,
        W=wd,
        work=work,
        shape=shape,
        cum=cum,
        day_open=day_open,
        day_close=day_close,
        starts=starts,
        lens=lens,
        shape_cum=shape_cum,
        first=calendar.first,
        last=calendar.last,
    )


def _shape_table(shapes: Sequence[Any]) -> tuple[NDArray, NDArray, NDArray, NDArray, NDArray]:
    """Per day shape: interval starts and lengths (padded with empty intervals at the close),
    the working time before each interval, the first opening and the last close."""
    width = max(1, *(len(s.starts) for s in shapes))
    n = len(shapes)
    starts = np.zeros((n, width), dtype=np.int64)
    lens = np.zeros((n, width), dtype=np.int64)
    shape_cum = np.zeros((n, width + 1), dtype=np.int64)
    opens = np.zeros(n, dtype=np.int64)
    closes = np.zeros(n, dtype=np.int64)
    for s, sh in enumerate(shapes):
        m = len(sh.starts)
        starts[s, :m] = sh.starts
        starts[s, m:] = sh.ends[-1] if m else 0
        lens[s, :m] = [e - a for a, e in zip(sh.starts, sh.ends, strict=True)]
        shape_cum[s, : m + 1] = sh.cum
        shape_cum[s, m + 1 :] = sh.total
        opens[s] = sh.starts[0] if m else 0
        closes[s] = sh.ends[-1] if m else 0
    return starts, lens, shape_cum, opens, closes


# ---------------------------------------------------------------------------- day indices


def day_index(values: Any, arr: CalendarArrays, name: str) -> NDArray:
    """Day indices (ordinal - base) of an array of dates, range-checked."""
    days = np.asarray(values)
    if days.dtype.kind != "M":
        try:
            days = days.astype("datetime64[D]")
        except (TypeError, ValueError) as exc:
            raise InputTypeError(name, values, "dates (numpy datetime64[D] or similar)") from exc
    days = days.astype("datetime64[D]")
    if np.isnat(days).any():
        raise InputTypeError(name, values, "dates without NaT")
    idx = days.view(np.int64) + (EPOCH - arr.base)
    if idx.size:
        lo, hi = idx.min(), idx.max()
        if lo < 0 or hi >= arr.n_days:
            bad = idx[(idx < 0) | (idx >= arr.n_days)][0]
            raise CalendarRangeError(_date_of(int(bad), arr), arr.first, arr.last)
    return idx


def _date_of(i: int, arr: CalendarArrays) -> date:
    return date.fromordinal(i + arr.base)


def as_dates(idx: NDArray, arr: CalendarArrays) -> NDArray:
    """Day indices as ``datetime64[D]``."""
    days: NDArray = np.asarray(idx + (arr.base - EPOCH), dtype=np.int64)
    return days.view("datetime64[D]")


def split(us: NDArray, arr: CalendarArrays) -> tuple[NDArray, NDArray]:
    """Moments in microseconds since 1970 as (day index, microseconds since midnight)."""
    day = np.floor_divide(us, DAY_US)
    tod = us - day * DAY_US
    return day + (EPOCH - arr.base), tod


def moments(day: NDArray, tod: NDArray | int, arr: CalendarArrays) -> NDArray:
    """(day index, time of day) as microseconds since 1970: the inverse of :func:`split`."""
    out: NDArray = (day + (arr.base - EPOCH)) * DAY_US + tod
    return out


def _slot(arr: CalendarArrays, d: NDArray, n: NDArray) -> NDArray:
    """The index in ``W`` of ``add_working_days(d, n)``; outside ``W`` when off the range.

    For n >= 1 it is ``R[d] - 1 + n``, whether ``d`` is a working day or not; for n <= 0 it is
    ``R[d] - work[d] + n`` (``d`` itself or the next working day, and backwards from there).
    """
    out: NDArray
    if (n > 0).all():  # the common case, one gather
        out = arr.R[d] + (n - 1)
    else:
        w = arr.work[d].astype(np.int64)
        out = arr.R[d] + n - w - ((n > 0) & (w == 0))
    return out


def add_working_days(arr: CalendarArrays, d: NDArray, n: NDArray) -> tuple[NDArray, NDArray]:
    """(ok, add_working_days(d, n)) on day indices; ok is False where it leaves the range."""
    ok = (d >= 0) & (d < arr.n_days)
    k = _slot(arr, np.clip(d, 0, arr.n_days - 1), n)
    ok &= (k >= 0) & (k < len(arr.W))
    return ok, arr.W[np.clip(k, 0, len(arr.W) - 1)]


def due_dates(received: Any, n: Any, calendar: WorkingCalendar) -> NDArray:
    """``calendar.add_working_days`` over arrays: the n-th working day after each date.

    Same conventions as the scalar method: n >= 1 is the n-th working day strictly after the
    date (``W[R[d] + n - 1]``); n = 0 is the date itself if it is a working day, else the next
    one; n < 0 mirrors backwards. ``n`` broadcasts against ``received``.

    Args:
        received: dates (``datetime64[D]`` or anything ``np.asarray`` turns into dates).
        n: working days to add (ints).
        calendar: the working calendar.

    Returns:
        The due dates as ``datetime64[D]``.

    Raises:
        CalendarRangeError: a date or a result is outside the calendar, naming the first one.

    Examples:
        >>> import numpy as np
        >>> from tthc_sla import vietnam_calendar
        >>> days = np.array(["2026-11-20", "2026-11-21"], dtype="datetime64[D]")
        >>> due_dates(days, [2, 0], vietnam_calendar())        # 24/11 is off; Sat -> Mon
        array(['2026-11-25', '2026-11-23'], dtype='datetime64[D]')
    """
    arr = calendar_arrays(calendar)
    d = day_index(received, arr, "received")
    nn = np.asarray(n)
    if nn.dtype.kind not in "iu":
        raise InputTypeError("n", n, "ints (numbers of working days)")
    d, nn = np.broadcast_arrays(d, nn.astype(np.int64))
    k = _slot(arr, d, nn)
    if k.size and (k.min() < 0 or k.max() >= len(arr.W)):
        i = int(np.flatnonzero((k < 0) | (k >= len(arr.W)))[0])
        call = f"add_working_days({_date_of(int(d.flat[i]), arr)}, {int(nn.flat[i])})"
        side = "before" if k.flat[i] < 0 else "after"
        raise CalendarRangeError(call, arr.first, arr.last, what="the result of", side=side)
    return as_dates(arr.W[k], arr)


def working_days_between(a: Any, b: Any, calendar: WorkingCalendar) -> NDArray:
    """``calendar.working_days_between`` over arrays: working days in (a, b], ``R[b] - R[a]``.

    Examples:
        >>> import numpy as np
        >>> from tthc_sla import vietnam_calendar
        >>> a = np.array(["2026-11-20", "2026-11-25"], dtype="datetime64[D]")
        >>> working_days_between(a, np.datetime64("2026-11-25"), vietnam_calendar())
        array([2, 0])
    """
    arr = calendar_arrays(calendar)
    ia = day_index(a, arr, "a")
    ib = day_index(b, arr, "b")
    result: NDArray = arr.R[ib] - arr.R[ia]
    return result


def provisional(
    calendar: WorkingCalendar, arr: CalendarArrays, first: NDArray, last: NDArray
) -> NDArray:
    """``calendar.is_provisional_span`` over arrays of day indices: a span is confirmed when
    one of the calendar's confirmed stretches holds both of its ends."""
    periods = calendar.confirmed_periods
    starts = np.array([a.toordinal() - arr.base for a, _ in periods], dtype=np.int64)
    ends = np.array([b.toordinal() - arr.base for _, b in periods], dtype=np.int64)
    lo, hi = np.minimum(first, last), np.maximum(first, last)
    i = np.searchsorted(starts, lo, side="right") - 1
    confirmed = (i >= 0) & (hi <= ends[np.maximum(i, 0)])
    out: NDArray = ~confirmed
    return out
