"""The outcome rules (DESIGN §7), written once for both engines.

Each rule is an expression over comparable values with ``&``, ``|`` and comparisons only, so
the same function runs on Python values (dates, datetimes, ints, bools) in the scalar replay
and on numpy arrays (day numbers, microseconds, bool arrays) in ``tthc_sla.batch._replay``;
``tests/test_judge.py`` checks, rule by rule, that both give the same answers. A change of an
outcome rule is one edit here.

``by_moment`` is True when lateness is judged by the due moment (``due_time="same_time"``, an
hour rule), False when by the due date (Civil Code art. 148: a period in days ends at the end
of its last day).
"""

from __future__ import annotations

from typing import Any

__all__ = ["DUE_SOON_WORKING_DAYS", "finished", "past", "still_open"]

DUE_SOON_WORKING_DAYS = 1
"""Open with at most this many working days left is "due soon": the last day on which the
apology and new appointment is still allowed (``legal_basis("apology")``: one day before)."""


def finished(finish_day: Any, finish_at: Any, due_day: Any, due_at: Any, by_moment: Any) -> Any:
    """(late, early) of a finish: late after the due date, or (judged by moment) after the due
    moment; early on a day before the due date; otherwise on time."""
    late = (finish_day > due_day) | (by_moment & (finish_at > due_at))
    return late, finish_day < due_day


def still_open(
    as_of_day: Any, as_of: Any, due_day: Any, due_at: Any, by_moment: Any, days_left: Any
) -> Any:
    """(overdue, due soon) of an open dossier or step: overdue past the due date, or (judged
    by moment) past the due moment; due soon with at most ``DUE_SOON_WORKING_DAYS`` working
    days left, ``days_left = working_days_between(as_of date, due date)``."""
    overdue = (as_of_day > due_day) | (by_moment & (as_of > due_at))
    return overdue, days_left <= DUE_SOON_WORKING_DAYS


def past(amount: Any) -> Any:
    """Lateness: an amount (working days, working time) past the deadline, never negative."""
    zero = amount * 0  # 0, timedelta(0), or an array of zeros
    return amount * (amount > zero)


# Early / on time / late and overdue / due soon / on track are chosen from these flags in this
# order by both engines: ``LATE if late else EARLY if early else ON_TIME`` in the replay,
# ``np.where`` over outcome codes in batch/_replay.py.
