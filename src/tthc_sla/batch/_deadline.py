"""The deadline over arrays: the columnar twin of ``rules/_deadline.py`` (its ``due``).

The same dispatch on the kind of rule, read from the rule plans (``rules._seam.plan_of``):
whole working days (with ``receipt_day_counts``), same day and immediate with the cut-off,
calendar days and months (the last day, then the next working day), and working hours (the
calendar's cumulative working time, ``searchsorted``, and the day's intervals). Plans that are
not ``vectorisable`` take the scalar replay; so do deadlines that leave the calendar.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import time

import attrs
import numpy as np

from tthc_sla.batch._arrays import EPOCH, CalendarArrays, NDArray, add_working_days, as_dates
from tthc_sla.rules import DeadlinePolicy, ProcessingTimeKind
from tthc_sla.rules._seam import RulePlan

__all__ = ["Plans", "compute_due", "earliest", "plans", "position", "shifted"]

_KINDS = list(ProcessingTimeKind)
_CODE = {k: i for i, k in enumerate(_KINDS)}
_WORKING_DAYS = _CODE[ProcessingTimeKind.WORKING_DAYS]
_CALENDAR_DAYS = _CODE[ProcessingTimeKind.CALENDAR_DAYS]
_WORKING_HOURS = _CODE[ProcessingTimeKind.WORKING_HOURS]
_MONTHS = _CODE[ProcessingTimeKind.MONTHS]


@attrs.frozen(eq=False)
class Plans:
    """Rule plans as columns, one entry per plan (or per dossier or step, after ``take``).

    Attributes:
        kind: the rule's kind, as its position in ``ProcessingTimeKind``.
        amount: the whole amount (days, months), or an hour rule's microseconds; 1 for a
            missing plan (a step without an allotment), 0 where there is no whole amount.
        same_day: a same-day or immediate rule.
        by_moment: judged by the due moment (DESIGN §7).
        vectorisable: this engine computes the deadline (else the scalar replay does).
        present: there is a plan (False for a step the procedure gives no allotment).
    """

    kind: NDArray
    amount: NDArray
    same_day: NDArray
    by_moment: NDArray
    vectorisable: NDArray
    present: NDArray

    def take(self, idx: NDArray) -> Plans:
        """The plans at ``idx``."""
        return Plans(*(getattr(self, f.name)[idx] for f in attrs.fields(Plans)))


def plans(items: Sequence[RulePlan | None]) -> Plans:
    """The columns of some rule plans; None is a missing plan (never judged)."""
    rows = [
        (_WORKING_DAYS, 1, False, False, True, False)
        if p is None
        else (
            _CODE[p.kind],
            p.hours_us if p.hours is not None else (p.whole_amount or 0),
            p.same_day,
            p.by_moment,
            p.vectorisable,
            True,
        )
        for p in items
    ]
    cols = list(zip(*rows, strict=True)) if rows else [()] * 6
    ints = [np.array(c, dtype=np.int64) for c in cols[:2]]
    flags = [np.array(c, dtype=bool) for c in cols[2:]]
    return Plans(*ints, *flags)


def compute_due(
    arr: CalendarArrays, plan: Plans, d0: NDArray, tod: NDArray, policy: DeadlinePolicy
) -> tuple[NDArray, NDArray, NDArray]:
    """``rules._deadline.due`` over arrays: (ok, due day index, due moment's time of day).

    The due moment is the close of the due date, except for working hours (an exact moment).
    ``ok`` is False where the computation leaves the calendar.
    """
    kind, amount = plan.kind, plan.amount
    n = len(d0)
    ok = np.ones(n, dtype=bool)
    due = np.zeros(n, dtype=np.int64)
    within = (
        arr.work[d0].astype(bool) & (arr.day_open[d0] <= tod) & (tod < arr.day_close[d0])
        if policy.receipt_day_counts
        else np.zeros(n, dtype=bool)
    )
    m = kind == _WORKING_DAYS
    if m.any():
        ok[m], due[m] = add_working_days(arr, d0[m], amount[m] - within[m])
    m = plan.same_day
    if m.any():
        today = arr.work[d0[m]].astype(bool) & (tod[m] <= _tod_us(policy.same_day_cutoff))
        o, r = add_working_days(arr, d0[m], np.ones(int(m.sum()), dtype=np.int64))
        ok[m], due[m] = o | today, np.where(today, d0[m], r)
    m = (kind == _CALENDAR_DAYS) | (kind == _MONTHS)
    if m.any():
        last = np.where(
            kind[m] == _MONTHS,
            _add_months(d0[m], amount[m], arr),
            d0[m] + amount[m] - within[m],
        )
        ok[m], due[m] = add_working_days(arr, last, np.zeros(int(m.sum()), dtype=np.int64))
    close = arr.day_close[np.clip(due, 0, arr.n_days - 1)]
    m = kind == _WORKING_HOURS
    if m.any():
        ok[m], due[m], close[m] = earliest(arr, position(arr, d0[m], tod[m]) + amount[m])
    return ok, due, close


def shifted(
    arr: CalendarArrays, by_moment: NDArray, day: NDArray, tod: NDArray, k: NDArray
) -> tuple[NDArray, NDArray, NDArray]:
    """Deadlines judged by date moved by ``k`` working days (the replay's
    ``due_end_of_day(cal, due date, k)``): (ok, day index, time of day). Those
    judged by moment are kept: with excluded time they take the scalar replay."""
    slot = arr.R[day] - 1 + k
    ok = (slot >= 0) & (slot < len(arr.W))
    day = np.where(by_moment, day, arr.W[np.clip(slot, 0, len(arr.W) - 1)])
    return ok, day, np.where(by_moment, tod, arr.day_close[day])


def _add_months(d: NDArray, months: NDArray, arr: CalendarArrays) -> NDArray:
    """d + relativedelta(months=m), clamped to the month's last day (day indices)."""
    days = as_dates(d, arr)
    month = days.astype("datetime64[M]")
    dom = (days - month.astype("datetime64[D]")).astype(np.int64)
    target = month + months.astype("timedelta64[M]")
    next_month = target + np.timedelta64(1, "M")  # numpy 2.5 deprecates a bare + 1 here
    length = (next_month.astype("datetime64[D]") - target.astype("datetime64[D]")).astype(np.int64)
    result = target.astype("datetime64[D]").view(np.int64) + np.minimum(dom, length - 1)
    out: NDArray = result + (EPOCH - arr.base)
    return out


def _tod_us(t: time) -> int:
    return ((t.hour * 60 + t.minute) * 60 + t.second) * 1_000_000 + t.microsecond


# ---------------------------------------------------------------------------- working time


def position(arr: CalendarArrays, d: NDArray, tod: NDArray) -> NDArray:
    """Working microseconds from the range's start up to the moment (day index, time of day):
    ``working_time_between(a, b)`` is ``position(b) - position(a)``."""
    r = arr.R[d]
    w = arr.work[d].astype(bool)
    j = np.where(w, r - 1, 0)
    sh = arr.shape[j]
    elapsed = np.clip(tod[:, None] - arr.starts[sh], 0, arr.lens[sh]).sum(axis=1)
    out: NDArray = np.where(w, arr.cum[j] + elapsed, arr.cum[r])
    return out


def earliest(arr: CalendarArrays, pos: NDArray) -> tuple[NDArray, NDArray, NDArray]:
    """(ok, day index, time of day) of the earliest moment at working position ``pos`` (> 0):
    ``add_working_time`` for a positive amount."""
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
