"""Columnar evaluation: due dates and SLA outcomes for whole tables, on the compiled arrays.

The scalar API builds Python objects per event and walks each history; this module takes a
table of events (one row per event, pandas) and does the same arithmetic with numpy gathers on
the calendar's compiled arrays: a dense rank table ``R`` (working days up to and including each
day) and the working-day ordinals ``W``, so that ``add_working_days(d, n)`` is
``W[R[d] + n - 1]`` and ``working_days_between(a, b)`` is ``R[b] - R[a]`` for a million rows.

Results equal :func:`tthc_sla.evaluate` dossier by dossier. A few histories are not worth
vectorising; :func:`evaluate_frame` sends exactly those through the scalar ``evaluate`` and
marks them in the ``scalar`` column (see its docstring and ``docs/scale.md``).

Needs the ``batch`` extra (numpy and pandas); the core library never imports this module.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from types import SimpleNamespace
from typing import Any

import attrs
import numpy as np
import pandas as pd

from tthc_sla.calendar import WorkingCalendar
from tthc_sla.errors import CalendarRangeError, InputTypeError, PolicyError, TimezoneMixError
from tthc_sla.evaluation import Evaluation, Outcome, evaluate
from tthc_sla.history import Dossier, Event, EventKind, to_channel, to_flag, to_kind
from tthc_sla.metrics import Summary, group_order
from tthc_sla.procedure import Procedure
from tthc_sla.rules import DeadlinePolicy, ProcessingTime, ProcessingTimeKind
from tthc_sla.rules._plan import effective_rule

__all__ = [
    "OUTPUT_COLUMNS",
    "CalendarArrays",
    "calendar_arrays",
    "due_dates",
    "evaluate_dask",
    "evaluate_frame",
    "events_frame",
    "summarize_frame",
    "working_days_between",
]

NDArray = np.ndarray[Any, Any]

_EPOCH = date(1970, 1, 1).toordinal()  # ordinal of day 0 of datetime64[D]
_DAY_US = 86_400_000_000
_US = timedelta(microseconds=1)
_DEFAULT_POLICY = DeadlinePolicy()

#: The columns of :func:`evaluate_frame`'s result, in order.
OUTPUT_COLUMNS = (
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
    "excluded_working_days",
    "processing_working_days",
    "by_moment",
    "met_rescheduled",
    "provisional",
    "late_units",
    "warnings",
    "scalar",
)
_DOSSIER_COLUMNS = ("agency", "level", "field", "channel", "difficult_area")


# ---------------------------------------------------------------------------- calendar arrays


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
    """The calendar's compiled blocks, concatenated with running offsets (cached per calendar).

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
    ix = calendar._ix
    ranks: list[NDArray] = []
    wds: list[NDArray] = []
    works: list[NDArray] = []
    shapes: list[NDArray] = []
    cums: list[NDArray] = []
    offset = 0
    offset_us = 0
    for b in range(len(ix.blocks)):
        blk = ix.block(b)
        ranks.append(np.frombuffer(blk.rank, dtype=np.int64) + offset)
        wds.append(np.frombuffer(blk.wd, dtype=np.int64) - ix.base)
        works.append(np.frombuffer(bytes(blk.work), dtype=np.uint8))
        shapes.append(np.frombuffer(bytes(blk.shape), dtype=np.uint8).astype(np.int64))
        cums.append(np.frombuffer(blk.cum, dtype=np.int64)[:-1] + offset_us)
        offset += blk.total
        offset_us += blk.total_us
    rank = np.concatenate(ranks)
    wd = np.concatenate(wds)
    shape = np.concatenate(shapes)
    cum = np.concatenate([*cums, np.array([offset_us], dtype=np.int64)])
    work = np.concatenate(works)
    width = max(1, *(len(s.starts) for s in ix.shapes))
    n_shapes = len(ix.shapes)
    starts = np.zeros((n_shapes, width), dtype=np.int64)
    lens = np.zeros((n_shapes, width), dtype=np.int64)
    shape_cum = np.zeros((n_shapes, width + 1), dtype=np.int64)
    opens = np.zeros(n_shapes, dtype=np.int64)
    closes = np.zeros(n_shapes, dtype=np.int64)
    for s, sh in enumerate(ix.shapes):
        m = len(sh.starts)
        starts[s, :m] = sh.starts
        starts[s, m:] = sh.ends[-1] if m else 0
        lens[s, :m] = [e - a for a, e in zip(sh.starts, sh.ends, strict=True)]
        shape_cum[s, : m + 1] = sh.cum
        shape_cum[s, m + 1 :] = sh.total
        opens[s] = sh.starts[0] if m else 0
        closes[s] = sh.ends[-1] if m else 0
    day_open = np.zeros(len(rank), dtype=np.int64)
    day_close = np.zeros(len(rank), dtype=np.int64)
    day_open[wd] = opens[shape]
    day_close[wd] = closes[shape]
    for a in (rank, wd, work, shape, cum, day_open, day_close, starts, lens, shape_cum):
        a.flags.writeable = False
    return CalendarArrays(
        base=ix.base,
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


def _to_day_index(values: Any, arr: CalendarArrays, name: str) -> NDArray:
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
    idx = days.view(np.int64) + (_EPOCH - arr.base)
    if idx.size:
        lo, hi = idx.min(), idx.max()
        if lo < 0 or hi >= arr.n_days:
            bad = idx[(idx < 0) | (idx >= arr.n_days)][0]
            raise CalendarRangeError(_date_of(int(bad), arr), arr.first, arr.last)
    return idx


def _date_of(i: int, arr: CalendarArrays) -> date:
    return date.fromordinal(i + arr.base)


def _to_datetime64(idx: NDArray, arr: CalendarArrays) -> NDArray:
    return (idx + (arr.base - _EPOCH)).astype("datetime64[D]")


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
    d = _to_day_index(received, arr, "received")
    nn = np.asarray(n)
    if nn.dtype.kind not in "iu":
        raise InputTypeError("n", n, "ints (numbers of working days)")
    d, nn = np.broadcast_arrays(d, nn.astype(np.int64))
    w = arr.work[d].astype(np.int64)
    k = arr.R[d] + nn - w - ((nn > 0) & (w == 0))
    if k.size and (k.min() < 0 or k.max() >= len(arr.W)):
        i = int(np.flatnonzero((k < 0) | (k >= len(arr.W)))[0])
        call = f"add_working_days({_date_of(int(d.flat[i]), arr)}, {int(nn.flat[i])})"
        side = "before" if k.flat[i] < 0 else "after"
        raise CalendarRangeError(call, arr.first, arr.last, what="the result of", side=side)
    return _to_datetime64(arr.W[k], arr)


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
    ia = _to_day_index(a, arr, "a")
    ib = _to_day_index(b, arr, "b")
    result: NDArray = arr.R[ib] - arr.R[ia]
    return result


# ---------------------------------------------------------------------------- working time


def _position(arr: CalendarArrays, d: NDArray, tod: NDArray) -> NDArray:
    """Working microseconds from the range's start up to the moment (day index, time of day)."""
    r = arr.R[d]
    w = arr.work[d].astype(bool)
    j = np.where(w, r - 1, 0)
    sh = arr.shape[j]
    elapsed = np.clip(tod[:, None] - arr.starts[sh], 0, arr.lens[sh]).sum(axis=1)
    out: NDArray = np.where(w, arr.cum[j] + elapsed, arr.cum[r])
    return out


def _earliest(arr: CalendarArrays, pos: NDArray) -> tuple[NDArray, NDArray, NDArray]:
    """(ok, day index, time of day) of the earliest moment at working position ``pos`` (> 0)."""
    k = np.searchsorted(arr.cum, pos, side="left") - 1
    ok = (k >= 0) & (k < len(arr.W))
    k = np.clip(k, 0, len(arr.W) - 1)
    off = pos - arr.cum[k]
    sh = arr.shape[k]
    sc = arr.shape_cum[sh]
    j = (sc[:, 1:] < off[:, None]).sum(axis=1)
    j = np.minimum(j, arr.starts.shape[1] - 1)
    tod = arr.starts[sh, j] + off - sc[np.arange(len(j)), j]
    return ok, arr.W[k], tod


# ---------------------------------------------------------------------------- the frame


_KINDS = list(EventKind)
_KCODE = {k: i for i, k in enumerate(_KINDS)}
_K = EventKind
_STATES = ("new", "open", "supplement", "paused", "resolved", "returned", "ended")
_AFTER = {
    _K.SUBMITTED: 0, _K.RECEIVED: 1, _K.STEP_STARTED: 1, _K.STEP_FINISHED: 1,
    _K.RESCHEDULED: 1, _K.SUPPLEMENT_REQUESTED: 2, _K.SUPPLEMENT_RECEIVED: 1, _K.PAUSED: 3,
    _K.RESUMED: 1, _K.RESOLVED: 4, _K.REJECTED: 4, _K.RETURNED: 5, _K.WITHDRAWN: 6,
    _K.CANCELLED: 6,
}  # fmt: skip
# In a valid history the state after an event depends on the event's kind only, so validity
# is a check on consecutive pairs: ALLOWED[state after the previous kind, kind].
_STATE_AFTER = np.array([_AFTER[k] for k in _KINDS] + [0], dtype=np.int64)  # [-1]: "no event"


def _allowed_table() -> NDArray:
    from tthc_sla.history import TRANSITIONS, State

    table = np.zeros((len(_STATES), len(_KINDS)), dtype=bool)
    for s, name in enumerate(_STATES):
        for kind, nxt in TRANSITIONS[State(name)].items():
            assert _AFTER[kind] == _STATES.index(nxt.value)
            table[s, _KCODE[kind]] = True
    return table


_ALLOWED = _allowed_table()
(C_SUB, C_REC, C_STS, C_STF, C_SRQ, C_SRC, C_PAU, C_RES, C_RSC, C_RSV, C_REJ, C_RET, C_WDR,
 C_CAN) = (_KCODE[k] for k in _KINDS)  # fmt: skip
_OUTCOMES = np.array([o.value for o in Outcome], dtype=object)
_O = {o: i for i, o in enumerate(Outcome)}
O_EARLY, O_ON_TIME, O_LATE = _O[Outcome.EARLY], _O[Outcome.ON_TIME], _O[Outcome.LATE]
O_ON_TRACK, O_DUE_SOON, O_OVERDUE = _O[Outcome.ON_TRACK], _O[Outcome.DUE_SOON], _O[Outcome.OVERDUE]
O_EXCLUDED, O_NOT_RECEIVED = _O[Outcome.EXCLUDED], _O[Outcome.NOT_RECEIVED]

_PK = ProcessingTimeKind
_RULE_KINDS = list(_PK)
_RK = {k: i for i, k in enumerate(_RULE_KINDS)}
RK_WD, RK_CD, RK_WH, RK_M, RK_SD, RK_IM = (
    _RK[_PK.WORKING_DAYS], _RK[_PK.CALENDAR_DAYS], _RK[_PK.WORKING_HOURS], _RK[_PK.MONTHS],
    _RK[_PK.SAME_DAY], _RK[_PK.IMMEDIATE],
)  # fmt: skip


def _rule_code(pt: ProcessingTime, policy: DeadlinePolicy) -> tuple[int, int, bool, bool]:
    """(kind code, integer amount or hours in microseconds, exact, vectorisable)."""
    kind = pt.kind
    exact = policy.due_time == "same_time" or kind is _PK.WORKING_HOURS
    if policy.after_hours is not None:  # receipts moved by the clock: the scalar path
        return _RK[kind], 0, exact, False
    amount = pt.amount
    if kind is _PK.WORKING_HOURS:
        assert amount is not None
        return _RK[kind], timedelta(hours=amount) // _US, True, True
    if amount is None:
        return _RK[kind], 0, exact, not exact
    whole = int(amount)
    return _RK[kind], whole, exact, whole == amount and not exact


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


def _first_non_null(values: NDArray, g: NDArray, n: int) -> NDArray:
    """Per group (g sorted), the first non-null value; None where all are null."""
    out = np.full(n, None, dtype=object)
    mask = ~pd.isna(values)
    idx = np.flatnonzero(mask)
    if idx.size:
        gi = g[idx]
        first = np.r_[True, gi[1:] != gi[:-1]]
        out[gi[first]] = values[idx[first]]
    return out


def _last_pos(flag: NDArray, g: NDArray, n: int) -> NDArray:
    """Per group (g sorted), the position of the last flagged row, -1 if none."""
    out = np.full(n, -1, dtype=np.int64)
    idx = np.flatnonzero(flag)
    if idx.size:
        gi = g[idx]
        last = np.r_[gi[1:] != gi[:-1], True]
        out[gi[last]] = idx[last]
    return out


def _first_pos(flag: NDArray, g: NDArray, n: int) -> NDArray:
    out = np.full(n, -1, dtype=np.int64)
    idx = np.flatnonzero(flag)
    if idx.size:
        gi = g[idx]
        first = np.r_[True, gi[1:] != gi[:-1]]
        out[gi[first]] = idx[first]
    return out


def _add_wd(arr: CalendarArrays, d: NDArray, n: NDArray) -> tuple[NDArray, NDArray]:
    """(ok, add_working_days(d, n)) on day indices; ok is False where it leaves the range."""
    ok = (d >= 0) & (d < arr.n_days)
    d = np.clip(d, 0, arr.n_days - 1)
    w = arr.work[d].astype(np.int64)
    k = arr.R[d] + n - w - ((n > 0) & (w == 0))
    ok &= (k >= 0) & (k < len(arr.W))
    return ok, arr.W[np.clip(k, 0, len(arr.W) - 1)]


def _add_months(d: NDArray, months: NDArray, arr: CalendarArrays) -> NDArray:
    """d + relativedelta(months=m), clamped to the month's last day (day indices)."""
    days = _to_datetime64(d, arr)
    month = days.astype("datetime64[M]")
    dom = (days - month.astype("datetime64[D]")).astype(np.int64)
    target = month + months.astype("timedelta64[M]")
    next_month = target + np.timedelta64(1, "M")  # numpy 2.5 deprecates a bare + 1 here
    length = (next_month.astype("datetime64[D]") - target.astype("datetime64[D]")).astype(np.int64)
    result = target.astype("datetime64[D]").view(np.int64) + np.minimum(dom, length - 1)
    out: NDArray = result + (_EPOCH - arr.base)
    return out


def _compute_due(
    arr: CalendarArrays,
    kind: NDArray,
    amount: NDArray,
    d0: NDArray,
    tod: NDArray,
    policy: DeadlinePolicy,
) -> tuple[NDArray, NDArray, NDArray]:
    """compute_due for the vectorised kinds: (ok, due day index, due moment's time of day).

    The due moment is the close of the due date, except for working hours (an exact moment).
    """
    n = len(d0)
    ok = np.ones(n, dtype=bool)
    due = np.zeros(n, dtype=np.int64)
    within = (
        arr.work[d0].astype(bool) & (arr.day_open[d0] <= tod) & (tod < arr.day_close[d0])
        if policy.receipt_day_counts
        else np.zeros(n, dtype=bool)
    )
    m = kind == RK_WD
    if m.any():
        o, r = _add_wd(arr, d0[m], amount[m] - within[m])
        ok[m], due[m] = o, r
    m = (kind == RK_SD) | (kind == RK_IM)
    if m.any():
        cutoff = _tod_us(policy.same_day_cutoff)
        same = arr.work[d0[m]].astype(bool) & (tod[m] <= cutoff)
        o, r = _add_wd(arr, d0[m], np.ones(int(m.sum()), dtype=np.int64))
        ok[m], due[m] = o | same, np.where(same, d0[m], r)
    m = (kind == RK_CD) | (kind == RK_M)
    if m.any():
        last = np.where(
            kind[m] == RK_M,
            _add_months(d0[m], amount[m], arr),
            d0[m] + amount[m] - within[m],
        )
        o, r = _add_wd(arr, last, np.zeros(int(m.sum()), dtype=np.int64))
        ok[m], due[m] = o, r
    close = arr.day_close[np.clip(due, 0, arr.n_days - 1)]
    m = kind == RK_WH
    if m.any():
        pos = _position(arr, d0[m], tod[m]) + amount[m]
        o, day, t = _earliest(arr, pos)
        ok[m], due[m], close[m] = o, day, t
    return ok, due, close


def _tod_us(t: time) -> int:
    return ((t.hour * 60 + t.minute) * 60 + t.second) * 1_000_000 + t.microsecond


def _segment_cumsum(x: NDArray, g: NDArray, starts: NDArray) -> NDArray:
    """Cumulative sums of x restarting at each group (g sorted; starts[g] its first row)."""
    cs = np.cumsum(x)
    if not len(cs):
        return cs
    before = np.where(starts > 0, cs[np.maximum(starts - 1, 0)], 0)
    out: NDArray = cs - before[g]
    return out


def _procedure_table(
    procedures: Mapping[str, Procedure] | Sequence[Procedure],
) -> dict[str, Procedure]:
    if isinstance(procedures, Mapping):
        table = dict(procedures)
    else:
        table = {}
        for p in procedures:
            if not isinstance(p, Procedure):
                raise InputTypeError("procedures", p, "Procedure objects")
            table[p.code] = p
    for p in table.values():
        if not isinstance(p, Procedure):
            raise InputTypeError("procedures", p, "Procedure objects")
    return table


def _column(events: pd.DataFrame, name: str, n: int) -> NDArray:
    if name in events.columns:
        values: NDArray = events[name].to_numpy(dtype=object, na_value=None)
        return values
    return np.full(n, None, dtype=object)


def _channels(values: NDArray) -> NDArray:
    """Channel values as their string values (None kept), read like ``Dossier(channel=)``."""
    codes, uniq = pd.factorize(values, sort=False)
    names = [c.value if c is not None else None for c in (to_channel(v) for v in uniq)]
    out: NDArray = np.array([*names, None], dtype=object)[codes]
    return out


def _check_one_value(events: pd.DataFrame, name: str, order: Any, g: NDArray, ids: Any) -> None:
    """Every non-null value of a dossier-level column is the same within each dossier.

    The readers refuse a dossier whose rows disagree (two procedures, two agencies...); the
    columnar engine does the same rather than take the first value. Channel words and yes/no
    flags are compared as read (``trực tuyến`` and ``online`` agree). The common table (one
    value repeated on every row, or on none) costs one vectorised comparison of neighbours.
    """
    if name not in events.columns:
        return
    column = events[name]
    if isinstance(column.dtype, pd.CategoricalDtype):
        values: NDArray = column.cat.codes.to_numpy()
        null = values < 0
    elif column.dtype == object or column.dtype == bool:
        values = column.to_numpy()
        null = None
    else:  # extension dtypes (string[pyarrow]...): objects, with None for missing values
        values = column.to_numpy(dtype=object, na_value=None)
        null = None
    if order is not None:
        values = values[order]
    same = g[1:] == g[:-1]
    try:
        if not (same & (values[1:] != values[:-1])).any():
            return
    except TypeError:  # pd.NA in an object column: compare without the missing values below
        pass
    if null is None:
        null = pd.isna(values)
    elif order is not None:
        null = null[order]
    keep = ~null
    values, gk = values[keep], g[keep]
    pairs = np.flatnonzero((gk[1:] == gk[:-1]) & (values[1:] != values[:-1]))
    if isinstance(column.dtype, pd.CategoricalDtype):
        values = column.cat.categories.to_numpy()[values]
    read = to_channel if name == "channel" else to_flag if name == "difficult_area" else None
    for i in pairs:
        a, b = values[i], values[i + 1]
        if read is not None and read(a) == read(b):
            continue
        raise PolicyError(
            f"dossier {ids[gk[i]]}: {name} {a} and {b}",
            f"one {name} per dossier (the same on every row that states it)",
        )


def _take(events: pd.DataFrame, name: str, rows: NDArray) -> NDArray:
    """The values of a column at some rows, as objects with None for missing values."""
    if name not in events.columns:
        return np.full(len(rows), None, dtype=object)
    out = np.asarray(events[name].to_numpy()[rows], dtype=object)
    missing = pd.isna(out)
    if missing.any():
        out[missing] = None
    return out


def _first_non_null_rows(
    events: pd.DataFrame, name: str, rows: NDArray, g: NDArray, starts: NDArray
) -> NDArray:
    """Per dossier, its first non-null value of a column (rows: the events' original rows)."""
    out = _take(events, name, rows[starts])
    null = pd.isna(out)
    if name in events.columns and null.any():
        need = np.flatnonzero(null[g])
        found = _first_non_null(_take(events, name, rows[need]), g[need], len(starts))
        out[null] = found[null]
    return out


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
    ``RETURNED``), open outcomes at ``as_of``, late working days, and the per-step deadlines
    that attribute lateness to units.

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
        One row per dossier, in order of first appearance, with the columns ``OUTPUT_COLUMNS``.

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
    procs = _procedure_table(procedures)
    arr = calendar_arrays(calendar)
    out = _Frame(events, procs, calendar, arr, as_of, policy, strict).run()
    out.attrs["as_of"] = as_of
    return out


_FRAME_KEYS = ("agency", "level", "field", "channel", "procedure", "received_month")
_COUNTERS = tuple(f.name for f in attrs.fields(Summary))


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
    counts = _frame_counts(frame, period)
    if not by:
        return Summary(**{c: int(counts[c].sum()) for c in _COUNTERS})
    keys = pd.DataFrame(
        {
            k: frame["received_at"].dt.strftime("%Y-%m") if k == "received_month" else frame[k]
            for k in by
        }
    )[counts["_in"]]
    sums = (
        counts[counts["_in"]][list(_COUNTERS)]
        .groupby([keys[k].astype(object).where(keys[k].notna(), None) for k in by], dropna=False)
        .sum()
    )
    out = {}
    for key, row in sums.iterrows():
        tup = key if isinstance(key, tuple) else (key,)
        clean = tuple(None if (k is None or k != k) else k for k in tup)
        out[clean] = Summary(**{c: int(row[c]) for c in _COUNTERS})
    order = group_order(list(by))
    return dict(sorted(out.items(), key=lambda kv: order(kv[0])))


def _frame_counts(frame: pd.DataFrame, period: tuple[date, date] | None) -> pd.DataFrame:
    """One row of counters per dossier (zeros outside the report), and an ``_in`` flag."""
    received = frame["received_at"]
    completed, ended = frame["completed_at"], frame["ended_at"]
    closed = completed.where(completed.notna(), ended)
    has = received.notna()
    outcome = frame["outcome"]
    if period is None:
        inside = has
        new = has
        closed_in = closed.notna()
        overdue = outcome == "overdue"
    else:
        first, last = period
        if not isinstance(first, date) or not isinstance(last, date) or first > last:
            raise PolicyError(period, "period=(first_day, last_day) with first_day <= last_day")
        end = pd.Timestamp(datetime.combine(last, time.max))
        start = pd.Timestamp(first)
        inside = has & (received <= end) & ~(closed.notna() & (closed < start))
        as_of = frame.attrs.get("as_of")
        open_at_end = closed.isna() | (closed > end)
        if as_of is not None and as_of.date() < last and bool((inside & open_at_end).any()):
            raise PolicyError(
                f"a frame evaluated as of {as_of}",
                f"evaluations as of the period's end ({last}) or later",
            )
        new = inside & (received >= start)
        closed_in = closed.notna() & (closed <= end)
        by_moment = frame["by_moment"].astype(bool)
        overdue = (by_moment & (frame["due_at"] < end)) | (
            ~by_moment & (frame["due_date"] < pd.Timestamp(last))
        )
    resolved = inside & closed_in & completed.notna()
    pending = inside & ~closed_in
    channel = frame["channel"]
    c: dict[str, Any] = {
        "_in": inside,
        "carried_over": inside & ~new,
        "received": new,
        "received_online": new & (channel == "online"),
        "received_direct": new & channel.isin(["direct", "postal"]),
        "received_unknown_channel": new & channel.isna(),
        "resolved": resolved,
        "early": resolved & (outcome == "early"),
        "on_time": resolved & (outcome == "on_time"),
        "late": resolved & (outcome == "late"),
        "pending": pending,
        "pending_within": pending & ~overdue,
        "pending_overdue": pending & overdue,
        "excluded": inside & closed_in & completed.isna(),
        "met_rescheduled": resolved & frame["met_rescheduled"].astype(bool),
        "resolved_working_days": frame["processing_working_days"].fillna(0).where(resolved, 0),
        "provisional": inside & frame["provisional"].astype(bool),
    }
    return pd.DataFrame(
        {k: v.astype(bool) if k == "_in" else v.astype(np.int64) for k, v in c.items()}
    )


class _Frame:
    """One evaluation of an events table (private, mutable scratch state)."""

    def __init__(
        self,
        events: pd.DataFrame,
        procs: dict[str, Procedure],
        cal: WorkingCalendar,
        arr: CalendarArrays,
        as_of: datetime,
        policy: DeadlinePolicy,
        strict: bool,
    ) -> None:
        self.events = events
        self.procs = procs
        self.cal = cal
        self.arr = arr
        self.as_of = as_of
        self.policy = policy
        self.strict = strict

    # The whole computation reads top to bottom; splitting it further would only move state.
    def run(self) -> pd.DataFrame:
        ev, arr, policy = self.events, self.arr, self.policy
        n_ev = len(ev)
        codes, ids = pd.factorize(ev["dossier_id"], sort=False)
        if n_ev and codes.min() < 0:
            raise PolicyError(None, "a dossier_id on every event (found a missing one)")
        n = len(ids)
        if n == 0:
            return _empty_result()
        codes = codes.astype(np.int64)
        order = None
        if np.any(codes[1:] < codes[:-1]):
            order = np.argsort(codes, kind="stable")
            codes = codes[order]

        def col(values: NDArray) -> NDArray:
            return values if order is None else values[order]

        self.order = order
        g = codes
        starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])

        # kinds
        kcodes, kuniq = pd.factorize(ev["kind"], sort=False)
        if n_ev and kcodes.min() < 0:
            raise PolicyError(None, "an event kind on every event (found a missing one)")
        kmap = np.array([_KCODE[to_kind(k)] for k in kuniq], dtype=np.int64)
        kind = col(kmap[kcodes])

        at_col = ev["at"]
        if not pd.api.types.is_datetime64_any_dtype(at_col.dtype):
            raise InputTypeError("events['at']", at_col.dtype, "a datetime64 column")
        if getattr(at_col.dtype, "tz", None) is not None:
            raise TimezoneMixError(
                "an aware 'at' column",
                "use .dt.tz_convert('Asia/Ho_Chi_Minh').dt.tz_localize(None)",
            )
        at = col(at_col.to_numpy(dtype="datetime64[us]").view(np.int64))
        if np.any(at == np.iinfo(np.int64).min):
            raise InputTypeError("events['at']", "NaT", "a timestamp on every event")

        # dossier-level columns
        rows = np.arange(n_ev) if order is None else order
        self.rows = rows
        for name in ("procedure", *_DOSSIER_COLUMNS):
            _check_one_value(ev, name, order, g, ids)
        proc_codes = _first_non_null_rows(ev, "procedure", rows, g, starts)
        meta = {c: _first_non_null_rows(ev, c, rows, g, starts) for c in _DOSSIER_COLUMNS}
        meta["channel"] = _channels(meta["channel"])
        dcodes, duniq = pd.factorize(meta["difficult_area"], sort=False, use_na_sentinel=True)
        dmap = np.array([to_flag(x) for x in duniq] + [False], dtype=bool)
        difficult = dmap[dcodes]  # code -1 (missing) reads the trailing False
        difficult |= policy.difficult_area

        # procedures -> rule table, per (procedure, difficult)
        pcodes, puniq = pd.factorize(proc_codes, sort=False)
        plist: list[Procedure] = []
        for code in puniq:
            p = self.procs.get(code)
            if p is None:
                raise PolicyError(code, f"a procedure code in procedures (have {len(self.procs)})")
            plist.append(p)
        if np.any(pcodes < 0):
            missing = ids[int(np.flatnonzero(pcodes < 0)[0])]
            raise PolicyError(missing, "a dossier with a procedure code")
        pidx = pcodes.astype(np.int64)
        rule_tab = np.zeros((len(plist), 2, 4), dtype=np.int64)
        for i, p in enumerate(plist):
            for dflag in (0, 1):
                rk, amt, exact, vec = _rule_code(effective_rule(p.rule, bool(dflag)), policy)
                rule_tab[i, dflag] = (rk, amt, exact, vec)
        rinfo = rule_tab[pidx, difficult.astype(np.int64)]
        rkind, ramount, rexact, rvec = (rinfo[:, j] for j in range(4))
        pause_supp = np.array([p.supplement == "pause" for p in plist], dtype=bool)[pidx]

        fallback = ~rvec.astype(bool)

        # visible prefix: evaluate stops at the first event after as_of
        as_of_us = int((self.as_of - datetime(1970, 1, 1)) // _US)
        after = (at > as_of_us).astype(np.int64)
        seen = _segment_cumsum(after, g, starts)
        vis = seen == 0
        sel = np.flatnonzero(vis)
        g_v, kind_v, at_v = g[sel], kind[sel], at[sel]
        m_ev = len(sel)
        counts_v = np.bincount(g_v, minlength=n)
        starts_v = np.cumsum(counts_v) - counts_v
        first_v = np.r_[True, g_v[1:] != g_v[:-1]] if m_ev else np.zeros(0, dtype=bool)

        # calendar positions of the events
        day_abs = np.floor_divide(at_v, _DAY_US)
        tod_v = at_v - day_abs * _DAY_US
        day_v = day_abs + (_EPOCH - arr.base)
        out_range = (day_v < 0) | (day_v >= arr.n_days)
        fallback[g_v[out_range]] = True
        day_v = np.clip(day_v, 0, arr.n_days - 1)
        asof_day = (as_of_us // _DAY_US) + (_EPOCH - arr.base)
        asof_tod = as_of_us - (as_of_us // _DAY_US) * _DAY_US
        if not 0 <= asof_day < arr.n_days:
            fallback[:] = True
            asof_day = 0

        # validation: pairs of consecutive kinds, timestamps in order, steps alternating
        prev_kind = np.r_[-1, kind_v[:-1]] if m_ev else kind_v
        state_before = np.where(first_v, 0, _STATE_AFTER[prev_kind])
        bad = ~_ALLOWED[state_before, kind_v]
        bad[1:] |= (at_v[1:] < at_v[:-1]) & ~first_v[1:]
        fallback[g_v[bad]] = True
        resched = kind == C_RSC
        fallback[g[resched]] = True
        if "new_due" in ev.columns:
            has_due = ev["new_due"].notna().to_numpy()
            if has_due.any():
                fallback[g[col(has_due)]] = True

        is_step = (kind_v == C_STS) | (kind_v == C_STF)
        sidx = np.flatnonzero(is_step)
        step_names = _take(ev, "step", rows[sel[sidx]])
        null_step = pd.isna(step_names) | (step_names == "")
        if null_step.any():
            fallback[g_v[sidx[null_step]]] = True  # Event() raises: let the scalar path say so
            step_names = np.where(null_step, "", step_names)
        scode, suniq = pd.factorize(step_names, sort=False)
        skey = g_v[sidx] * (len(suniq) + 1) + scode
        sorder = np.argsort(skey, kind="stable")
        sk = skey[sorder]
        newgrp = np.r_[True, sk[1:] != sk[:-1]] if len(sk) else np.zeros(0, dtype=bool)
        grp_start = np.maximum.accumulate(np.where(newgrp, np.arange(len(sk)), 0))
        parity = (np.arange(len(sk)) - grp_start) % 2
        started = kind_v[sidx[sorder]] == C_STS
        fallback[g_v[sidx[sorder][started != (parity == 0)]]] = True

        # clock: the last RECEIVED or restarting SUPPLEMENT_RECEIVED
        pause_v = pause_supp[g_v]
        restart = (kind_v == C_REC) | ((kind_v == C_SRC) & ~pause_v)
        closing = (kind_v == C_RES) | ((kind_v == C_SRC) & pause_v)
        shifting = (kind_v == C_RES) | (kind_v == C_SRC)
        pausing = (kind_v == C_PAU) | (kind_v == C_SRQ)
        c = _last_pos(restart, g_v, n)
        has_clock = c >= 0
        ci = np.maximum(c, 0)
        # excluded time, exact dossiers: vectorised only without pauses and supplements
        any_pause = np.zeros(n, dtype=bool)
        any_pause[g_v[pausing]] = True
        rexact_b = rexact.astype(bool)
        fallback |= rexact_b & any_pause

        rank = arr.R
        prev_day = np.r_[0, day_v[:-1]] if m_ev else day_v
        k_ev = np.where(shifting, rank[day_v] - rank[prev_day], 0)
        k_close = np.where(closing, k_ev, 0)
        cs_close = _segment_cumsum(k_close, g_v, starts_v)
        cs_shift = _segment_cumsum(k_ev, g_v, starts_v)
        last_v = starts_v + counts_v - 1
        last_vi = np.maximum(last_v, 0)
        total_close = np.where(counts_v > 0, cs_close[last_vi] if m_ev else 0, 0)

        # finish and end
        if policy.finish == "resolved":
            fin_flag = (kind_v == C_RSV) | (kind_v == C_REJ)
        else:
            fin_flag = kind_v == C_RET
        f = _first_pos(fin_flag, g_v, n)
        finished = f >= 0
        e = _first_pos((kind_v == C_WDR) | (kind_v == C_CAN), g_v, n)
        ended = e >= 0

        # still paused (or waiting for the applicant) at as_of
        lp = _last_pos(pausing, g_v, n)
        lc = _last_pos(shifting, g_v, n)
        still = (lp > lc) & has_clock & ~ended & ~finished
        lpi = np.maximum(lp, 0)
        ext = np.where(still, rank[asof_day] - rank[day_v[lpi]] if m_ev else 0, 0)
        excl_days = total_close + ext

        # the dossier's deadline
        d_c = day_v[ci] if m_ev else np.zeros(n, dtype=np.int64)
        t_c = tod_v[ci] if m_ev else np.zeros(n, dtype=np.int64)
        ok, due0, due_tod = _compute_due(arr, rkind, ramount, d_c, t_c, policy)
        k_due = np.where(has_clock, (cs_close[last_vi] - cs_close[ci]) if m_ev else 0, 0) + ext
        kk = rank[due0] - 1 + k_due
        ok &= (kk >= 0) & (kk < len(arr.W))
        due_day = np.where(rexact_b, due0, arr.W[np.clip(kk, 0, len(arr.W) - 1)])
        due_tod = np.where(rexact_b, due_tod, arr.day_close[due_day])
        fallback |= has_clock & ~ok
        due_us = (due_day + (arr.base - _EPOCH)) * _DAY_US + due_tod

        # outcomes
        fi = np.maximum(f, 0)
        f_day = day_v[fi] if m_ev else np.zeros(n, dtype=np.int64)
        f_us = at_v[fi] if m_ev else np.zeros(n, dtype=np.int64)
        outcome = np.full(n, O_NOT_RECEIVED, dtype=np.int64)
        late = np.zeros(n, dtype=np.int64)
        fin = has_clock & finished & ~ended
        early = f_day < due_day
        fin_late = (f_day > due_day) | (rexact_b & (f_us > due_us))
        fo = np.where(fin_late, O_LATE, np.where(early, O_EARLY, O_ON_TIME))
        outcome = np.where(fin, fo, outcome)
        late = np.where(fin & (fo == O_LATE), np.maximum(0, rank[f_day] - rank[due_day]), late)
        opn = has_clock & ~finished & ~ended
        asof_us_day = as_of_us
        overdue = (asof_day > due_day) | (rexact_b & (asof_us_day > due_us))
        soon = (rank[due_day] - rank[asof_day]) <= 1
        oo = np.where(overdue, O_OVERDUE, np.where(soon, O_DUE_SOON, O_ON_TRACK))
        outcome = np.where(opn, oo, outcome)
        late = np.where(opn & overdue, np.maximum(0, rank[asof_day] - rank[due_day]), late)
        outcome = np.where(ended, O_EXCLUDED, outcome)
        del asof_tod

        # steps: deadlines from each step's start, for the late and overdue dossiers
        late_units = np.full(n, "", dtype=object)
        is_late = (outcome == O_LATE) | (outcome == O_OVERDUE)
        if len(sidx) and plist and any(p.steps for p in plist):
            self._steps(
                SimpleNamespace(
                    g_v=g_v, kind_v=kind_v, sidx=sidx, sorder=sorder, newgrp=newgrp,
                    scode=scode, suniq=suniq, rows=rows, sel=sel, pidx=pidx,
                    plist=plist, day_v=day_v, tod_v=tod_v, at_v=at_v, cs_shift=cs_shift,
                    last_vi=last_vi, ext=ext, finished=finished, asof_day=asof_day,
                    as_of_us=as_of_us, is_late=is_late, late_units=late_units,
                    fallback=fallback, any_pause=any_pause,
                ),
            )  # fmt: skip

        # assemble
        base_days = arr.base - _EPOCH
        nat = np.iinfo(np.int64).min

        def moment(us: NDArray, present: NDArray) -> NDArray:
            return np.where(present, us, nat).view("datetime64[us]")

        ei = np.maximum(e, 0)
        rec_us = at_v[ci] if m_ev else np.zeros(n, dtype=np.int64)
        out = _frame(
            {
                "dossier_id": np.asarray(ids, dtype=object),
                "procedure": proc_codes,
                "agency": meta["agency"],
                "level": meta["level"],
                "field": meta["field"],
                "channel": meta["channel"],
                "outcome": _OUTCOMES[outcome],
                "received_at": moment(rec_us, has_clock),
                "due_at": moment(due_us, has_clock),
                "due_date": moment((due_day + base_days) * _DAY_US, has_clock),
                "completed_at": moment(f_us, finished & ~ended),
                "ended_at": moment(at_v[ei] if m_ev else rec_us, ended),
                "late_working_days": late,
                "excluded_working_days": np.where(rexact_b, 0, excl_days),
                "processing_working_days": np.where(
                    fin, (rank[f_day] - rank[d_c]).astype(float), np.nan
                ),
                "by_moment": rexact_b,
                "met_rescheduled": np.zeros(n, dtype=bool),
                "provisional": self._provisional(d_c + base_days, due_day + base_days, has_clock),
                "late_units": late_units,
                "warnings": np.full(n, "", dtype=object),
                "scalar": fallback,
            }
        )
        fb = np.flatnonzero(fallback)
        if fb.size:
            self._scalar(out, fb, g, starts, codes, ids, proc_codes, meta, plist, pidx, col)
        out.attrs["scalar_fallback"] = int(fb.size)
        out.attrs["dossiers"] = n
        return out

    def _provisional(self, start_day: NDArray, due_day: NDArray, has_clock: NDArray) -> NDArray:
        """Whether each deadline's span, clock start..due date, touches a provisional day (as
        evaluate: ``calendar.is_provisional_span``): confirmed when one confirmed stretch holds
        both ends."""
        starts, ends = _confirmed_stretches(self.cal)
        lo, hi = np.minimum(start_day, due_day), np.maximum(start_day, due_day)
        i = np.searchsorted(starts, lo, side="right") - 1
        confirmed = (i >= 0) & (hi <= ends[np.maximum(i, 0)])
        out: NDArray = has_clock & ~confirmed
        return out

    def _steps(self, v: SimpleNamespace) -> None:
        """Per-step deadlines and outcomes; the units of late steps for late dossiers."""
        arr, policy = self.arr, self.policy
        g_v, kind_v, sidx, sorder = v.g_v, v.kind_v, v.sidx, v.sorder
        is_late, fallback = v.is_late, v.fallback
        srt = sidx[sorder]  # visible positions of step events, grouped by (dossier, step)
        starts_mask = kind_v[srt] == C_STS
        want = starts_mask & is_late[g_v[srt]] & ~fallback[g_v[srt]]
        if not want.any():
            return
        sp = np.flatnonzero(want)
        s_pos = srt[sp]
        nxt = sp + 1
        has_next = nxt < len(srt)
        nxt = np.minimum(nxt, len(srt) - 1)
        has_fin = has_next & ~v.newgrp[nxt]
        f_pos = np.where(has_fin, srt[nxt], -1)
        gs = g_v[s_pos]
        names = v.suniq[v.scode[sorder][sp]]
        plist: list[Procedure] = v.plist
        pidx = v.pidx[gs]
        # allotments per (procedure, step name)
        pairs = pd.factorize(pd.Series(list(zip(pidx.tolist(), names.tolist(), strict=True))))
        pcodes_, puniq = pairs
        tab = np.zeros((len(puniq), 4), dtype=np.int64)
        units: list[str | None] = []
        for i, (pi, name) in enumerate(puniq):
            allot = {s.name: s for s in plist[pi].steps}.get(name)
            if allot is None:
                tab[i] = (-1, 0, 0, 1)
                units.append(None)
            else:
                tab[i] = _rule_code(allot.allotment, policy)
                units.append(allot.unit)
        info = tab[pcodes_]
        skind, samount, sexact, svec = (info[:, j] for j in range(4))
        has_allot = skind >= 0
        sexact_b = sexact.astype(bool)
        bad = has_allot & ((svec == 0) | (sexact_b & v.any_pause[gs]))
        if bad.any():
            fallback[gs[bad]] = True
        ev_unit = _take(self.events, "unit", v.rows[v.sel[s_pos]])
        alloc_unit = np.array(units, dtype=object)[pcodes_]
        unit = np.where(pd.isna(ev_unit) | (ev_unit == ""), alloc_unit, ev_unit)
        day_v, tod_v, at_v = v.day_v, v.tod_v, v.at_v
        ok, due0, due_tod = _compute_due(
            arr, np.where(has_allot, skind, RK_WD), np.maximum(samount, 1), day_v[s_pos],
            tod_v[s_pos], policy,
        )  # fmt: skip
        cs = v.cs_shift
        fi = np.maximum(f_pos, 0)
        shift = np.where(has_fin, cs[fi] - cs[s_pos], cs[v.last_vi[gs]] - cs[s_pos] + v.ext[gs])
        kk = arr.R[due0] - 1 + shift
        ok &= (kk >= 0) & (kk < len(arr.W))
        fallback[gs[has_allot & ~ok]] = True
        due_day = np.where(sexact_b, due0, arr.W[np.clip(kk, 0, len(arr.W) - 1)])
        due_tod = np.where(sexact_b, due_tod, arr.day_close[due_day])
        due_us = (due_day + (arr.base - _EPOCH)) * _DAY_US + due_tod
        f_day, f_us = day_v[fi], at_v[fi]
        late_fin = (f_day > due_day) | (sexact_b & (f_us > due_us))
        asof_day = v.asof_day
        overdue = (asof_day > due_day) | (sexact_b & (v.as_of_us > due_us))
        late_open = ~v.finished[gs] & overdue
        bad_step = has_allot & np.where(has_fin, late_fin, late_open) & ~pd.isna(unit)
        if not bad_step.any():
            return
        # finished steps in finish order, then running steps in start order
        key = np.where(has_fin, f_pos, len(kind_v) + s_pos)
        gb, kb, ub = gs[bad_step], key[bad_step], unit[bad_step]
        by = np.lexsort((kb, gb))
        acc: dict[int, list[str]] = {}
        for gi, u in zip(gb[by].tolist(), ub[by].tolist(), strict=True):
            units_of = acc.get(gi)
            if units_of is None:
                acc[gi] = [u]
            elif u not in units_of:
                units_of.append(u)
        v.late_units[np.fromiter(acc, dtype=np.int64, count=len(acc))] = [
            ";".join(x) for x in acc.values()
        ]

    def _scalar(
        self,
        out: pd.DataFrame,
        fb: NDArray,
        g: NDArray,
        starts: NDArray,
        codes: NDArray,
        ids: Any,
        proc_codes: NDArray,
        meta: dict[str, NDArray],
        plist: list[Procedure],
        pidx: NDArray,
        col: Callable[[NDArray], NDArray],
    ) -> None:
        """Evaluate the fallback dossiers with the scalar evaluate and write their rows."""
        ev = self.events
        n_ev = len(ev)
        ends = np.r_[starts[1:], len(g)]
        at_obj = col(ev["at"].to_numpy(dtype=object))
        kinds = col(ev["kind"].to_numpy(dtype=object))
        extra = {c: col(_column(ev, c, n_ev)) for c in ("step", "unit", "new_due", "note")}
        rows: dict[str, list[Any]] = {c: [] for c in OUTPUT_COLUMNS}
        for i in fb.tolist():
            evs = []
            for j in range(int(starts[i]), int(ends[i])):
                evs.append(
                    Event(
                        _as_py(at_obj[j]),
                        kinds[j],
                        step=_as_py(extra["step"][j]),
                        unit=_as_py(extra["unit"][j]),
                        new_due=_as_py(extra["new_due"][j]),
                        note=_as_py(extra["note"][j]),
                    )
                )
            dossier = Dossier(
                str(ids[i]),
                plist[int(pidx[i])],
                evs,
                channel=meta["channel"][i],
                agency=_as_py(meta["agency"][i]),
                level=_as_py(meta["level"][i]),
                field=_as_py(meta["field"][i]),
                difficult_area=to_flag(_as_py(meta["difficult_area"][i])),
            )
            e = evaluate(
                dossier, self.cal, as_of=self.as_of, policy=self.policy, strict=self.strict
            )
            row = _row_of(e)
            for c in OUTPUT_COLUMNS[6:]:
                rows[c].append(row[c])
        for c in OUTPUT_COLUMNS[6:]:
            column = out[c].to_numpy(copy=True)
            column[fb] = np.array(rows[c], dtype=column.dtype)
            out[c] = column


def _confirmed_stretches(calendar: WorkingCalendar) -> tuple[NDArray, NDArray]:
    """The calendar's confirmed stretches as day numbers since 1970-01-01: (starts, ends)."""
    periods = calendar.confirmed_periods
    starts = np.array([a.toordinal() - _EPOCH for a, _ in periods], dtype=np.int64)
    ends = np.array([b.toordinal() - _EPOCH for _, b in periods], dtype=np.int64)
    return starts, ends


def _row_of(e: Evaluation) -> dict[str, Any]:
    """The result columns of one scalar evaluation."""
    due_date = None if e.due_date is None else datetime.combine(e.due_date, time())
    return {
        "outcome": e.outcome.value,
        "received_at": e.received_at,
        "due_at": e.due_at,
        "due_date": due_date,
        "completed_at": e.completed_at,
        "ended_at": e.ended_at,
        "late_working_days": e.late_working_days,
        "excluded_working_days": e.excluded_working_days,
        "processing_working_days": (
            np.nan if e.processing_working_days is None else float(e.processing_working_days)
        ),
        "by_moment": e.by_moment,
        "met_rescheduled": e.met_rescheduled,
        "provisional": e.provisional,
        "late_units": ";".join(e.late_units),
        "warnings": "\n".join(e.warnings),
        "scalar": True,
    }


def _frame(columns: dict[str, NDArray]) -> pd.DataFrame:
    """A DataFrame that keeps object columns as objects (no string-dtype conversion pass)."""
    return pd.DataFrame(
        {c: pd.Series(v, dtype=object) if v.dtype == object else v for c, v in columns.items()}
    )


def _empty_result() -> pd.DataFrame:
    moment = np.array([], dtype="datetime64[us]")
    obj = np.array([], dtype=object)
    out = _frame(
        {
            "dossier_id": obj, "procedure": obj, "agency": obj, "level": obj, "field": obj,
            "channel": obj, "outcome": obj, "received_at": moment, "due_at": moment,
            "due_date": moment, "completed_at": moment, "ended_at": moment,
            "late_working_days": np.array([], dtype=np.int64),
            "excluded_working_days": np.array([], dtype=np.int64),
            "processing_working_days": np.array([], dtype=float),
            "by_moment": np.array([], dtype=bool),
            "met_rescheduled": np.array([], dtype=bool),
            "provisional": np.array([], dtype=bool), "late_units": obj, "warnings": obj,
            "scalar": np.array([], dtype=bool),
        }
    )  # fmt: skip
    out.attrs["scalar_fallback"] = 0
    out.attrs["dossiers"] = 0
    return out


# ---------------------------------------------------------------------------- conversions


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
                  *_DOSSIER_COLUMNS)
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
    frame = pd.DataFrame(
        {c: pd.Series(v, dtype=object) for c, v in cols.items()}, columns=list(cols)
    )
    frame["at"] = pd.to_datetime(frame["at"]).astype("datetime64[us]")
    # A date new_due (the close of that working day) stays a date: to_datetime would make it
    # midnight, an earlier appointment than the one given.
    if not any(type(v) is date for v in cols["new_due"]):
        frame["new_due"] = pd.to_datetime(frame["new_due"]).astype("datetime64[us]")
    frame["difficult_area"] = frame["difficult_area"].astype(bool)
    return frame


# ---------------------------------------------------------------------------- Dask


def evaluate_dask(
    events: Any,
    procedures: Mapping[str, Procedure] | Sequence[Procedure],
    calendar: WorkingCalendar,
    *,
    as_of: datetime,
    policy: DeadlinePolicy = _DEFAULT_POLICY,
    strict: bool = True,
    shuffle_method: str | None = None,
) -> Any:
    """:func:`evaluate_frame` over a ``dask.dataframe`` of events, one partition at a time.

    All the events of a dossier must be in one partition, in history order. The events are
    tagged with their position (partition, row), shuffled on ``dossier_id`` (hashing: every
    row of a dossier goes to the same output partition), put back in their original order
    inside each partition, and evaluated there; the result is a lazy dask DataFrame with one
    row per dossier (``OUTPUT_COLUMNS``). ``shuffle_method`` goes to dask's ``shuffle``
    (``"tasks"`` without a distributed cluster; dask picks ``"p2p"`` on one). Needs the
    ``dask`` extra.

    Example (needs dask; see docs/scale.md)::

        result = evaluate_dask(dd.from_pandas(events, npartitions=8), procs, cal,
                               as_of=datetime(2026, 12, 31, 23, 59)).compute()
    """
    procs = _procedure_table(procedures)
    tagged_meta = events._meta.assign(_part=np.int64(0), _row=np.int64(0))
    tagged = events.map_partitions(_dask_tag, meta=tagged_meta)
    shuffled = tagged.shuffle(on="dossier_id", shuffle_method=shuffle_method)
    # A calendar holds a lock (its lazily compiled index), so it travels as its field values
    # and is rebuilt, once per worker process, on the other side.
    state = _calendar_state(calendar)
    return shuffled.map_partitions(
        _dask_run, procs, state, as_of, policy, strict, meta=_empty_result()
    )


_CALENDAR_FIELDS = (
    "schedule", "years", "statutory", "notices", "overrides", "confirmed_until", "covered",
)


def _calendar_state(calendar: WorkingCalendar) -> tuple[Any, ...]:
    """The calendar's defining values: picklable and hashable, unlike the calendar's index."""
    if not isinstance(calendar, WorkingCalendar):
        raise InputTypeError("calendar", calendar, "a WorkingCalendar (see vietnam_calendar())")
    return tuple(getattr(calendar, f) for f in _CALENDAR_FIELDS)


@functools.lru_cache(maxsize=8)
def _calendar_of(state: tuple[Any, ...]) -> WorkingCalendar:
    schedule, years, statutory, notices, overrides, confirmed, covered = state
    return WorkingCalendar(
        schedule,
        years=years,
        statutory=statutory,
        notices=notices,
        overrides=overrides,
        confirmed_until=confirmed,
        covered=covered,
    )


def _dask_tag(df: pd.DataFrame, partition_info: dict[str, Any] | None = None) -> pd.DataFrame:
    """Tag each event with its place (partition, row) so that the shuffle can be undone."""
    number = 0 if partition_info is None else int(partition_info["number"])
    return df.assign(_part=number, _row=np.arange(len(df), dtype=np.int64))


def _dask_run(
    df: pd.DataFrame,
    procs: dict[str, Procedure],
    state: tuple[Any, ...],
    as_of: datetime,
    policy: DeadlinePolicy,
    strict: bool,
) -> pd.DataFrame:
    """One partition: its events back in their original order, then evaluate_frame."""
    calendar = _calendar_of(state)
    df = df.sort_values(["_part", "_row"], kind="stable")
    result = evaluate_frame(df, procs, calendar, as_of=as_of, policy=policy, strict=strict)
    result.attrs = {}
    return result
