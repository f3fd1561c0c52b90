"""The shared rules give the same answers on Python values and on arrays.

``evaluation._judge`` (the outcome rules) and ``_counting`` (the report's counting rule) are
written once and run by both engines: the scalar replay calls them with dates, datetimes, ints
and bools; the columnar engine with numpy arrays and pandas columns. Each property draws a
batch of values, applies the rule once to the whole arrays and once per element with Python
values, and compares; the hand-checked examples pin what the rule says.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tthc_sla import _counting
from tthc_sla.evaluation import _judge

np = pytest.importorskip("numpy")
pd = pytest.importorskip("pandas")

EPOCH = date(2026, 1, 1)
DAY_US = 86_400_000_000

# A moment as (day number, microsecond of the day): the columnar engine's representation.
moments = st.tuples(st.integers(0, 30), st.integers(0, DAY_US - 1))
bools = st.booleans()


def _dt(day: int, us: int) -> datetime:
    return datetime.combine(EPOCH + timedelta(days=day), time()) + timedelta(microseconds=us)


def _us(day: int, us: int) -> int:
    return day * DAY_US + us


# ---------------------------------------------------------------------- hand-checked examples


def test_finished_by_date_and_by_moment() -> None:
    due = datetime(2026, 11, 25, 17, 0)
    # Finished on the due date at 16:00: on time by date and by moment.
    assert _judge.finished(due.date(), due - timedelta(hours=1), due.date(), due, False) == (
        False,
        False,
    )
    # At 17:30 on the due date: on time by date (Civil Code art. 148), late by moment.
    at = datetime(2026, 11, 25, 17, 30)
    assert _judge.finished(at.date(), at, due.date(), due, False) == (False, False)
    assert _judge.finished(at.date(), at, due.date(), due, True)[0] is True
    # The day before: early.
    assert _judge.finished(date(2026, 11, 24), at, due.date(), due, False) == (False, True)


def test_due_soon_is_at_most_one_working_day_left() -> None:
    due = datetime(2026, 11, 27, 17, 0)
    thu, wed, sat = datetime(2026, 11, 26, 9), datetime(2026, 11, 25, 9), datetime(2026, 11, 28)
    assert _judge.still_open(thu.date(), thu, due.date(), due, False, 1) == (False, True)
    assert _judge.still_open(wed.date(), wed, due.date(), due, False, 2) == (False, False)
    assert _judge.still_open(sat.date(), sat, due.date(), due, False, -1)[0] is True
    # On the due date after the due moment: not yet overdue by date, overdue by moment.
    late = datetime(2026, 11, 27, 17, 30)
    assert _judge.still_open(late.date(), late, due.date(), due, False, 0) == (False, True)
    assert _judge.still_open(late.date(), late, due.date(), due, True, 0)[0] is True


def test_past_clips_at_zero_for_days_and_time() -> None:
    assert _judge.past(3) == 3
    assert _judge.past(-2) == 0
    assert _judge.past(timedelta(hours=-1)) == timedelta(0)
    assert _judge.past(timedelta(minutes=90)) == timedelta(minutes=90)


# ---------------------------------------------------------------------- scalars == arrays


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(moments, moments, bools), min_size=1, max_size=40))
def test_finished_on_arrays_equals_finished_on_scalars(
    rows: list[tuple[tuple[int, int], tuple[int, int], bool]],
) -> None:
    f_day = np.array([f[0] for f, _, _ in rows])
    f_us = np.array([_us(*f) for f, _, _ in rows])
    d_day = np.array([d[0] for _, d, _ in rows])
    d_us = np.array([_us(*d) for _, d, _ in rows])
    by_moment = np.array([b for _, _, b in rows])
    late, early = _judge.finished(f_day, f_us, d_day, d_us, by_moment)
    for i, (f, d, b) in enumerate(rows):
        fd, dd = _dt(*f), _dt(*d)
        assert (bool(late[i]), bool(early[i])) == _judge.finished(fd.date(), fd, dd.date(), dd, b)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(moments, moments, bools, st.integers(-5, 5)), min_size=1, max_size=40))
def test_still_open_on_arrays_equals_still_open_on_scalars(
    rows: list[tuple[tuple[int, int], tuple[int, int], bool, int]],
) -> None:
    a_day = np.array([a[0] for a, _, _, _ in rows])
    a_us = np.array([_us(*a) for a, _, _, _ in rows])
    d_day = np.array([d[0] for _, d, _, _ in rows])
    d_us = np.array([_us(*d) for _, d, _, _ in rows])
    by_moment = np.array([b for _, _, b, _ in rows])
    left = np.array([k for _, _, _, k in rows])
    overdue, soon = _judge.still_open(a_day, a_us, d_day, d_us, by_moment, left)
    for i, (a, d, b, k) in enumerate(rows):
        ad, dd = _dt(*a), _dt(*d)
        expected = _judge.still_open(ad.date(), ad, dd.date(), dd, b, k)
        assert (bool(overdue[i]), bool(soon[i])) == expected


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(-(10**9), 10**9), min_size=1, max_size=40))
def test_past_on_arrays_equals_past_on_scalars(amounts: list[int]) -> None:
    clipped = _judge.past(np.array(amounts))
    assert clipped.tolist() == [_judge.past(a) for a in amounts]
    assert [_judge.past(timedelta(microseconds=a)) for a in amounts] == [
        timedelta(microseconds=int(c)) for c in clipped
    ]


# ---------------------------------------------------------------------- the counting rule

START, END = datetime(2026, 10, 1), datetime(2026, 10, 31, 23, 59, 59, 999999)

dossier_rows = st.fixed_dictionaries(
    {
        "received": moments,
        "closed": st.one_of(st.none(), moments),
        "is_resolution": bools,
        "channel": st.sampled_from(["online", "direct", None]),
        "outcome": st.sampled_from(["early", "on_time", "late"]),
        "overdue_at_end": bools,
        "met_rescheduled": bools,
        "working_days": st.integers(0, 60),
        "provisional": bools,
    }
)


def _rule_inputs(rows: list[dict[str, object]], columnar: bool) -> list[dict[str, object]] | dict:
    """The keyword arguments of _counting.count: one dict per row, or one of columns."""

    def one(r: dict[str, object]) -> dict[str, object]:
        closed = r["closed"]
        return {
            "received": _dt(*r["received"]) + timedelta(days=260),  # type: ignore[misc]
            "closed": datetime.max if closed is None else _dt(*closed) + timedelta(days=270),  # type: ignore[misc]
            "is_closed": closed is not None,
            "is_resolution": closed is not None and r["is_resolution"],
            "online": r["channel"] == "online",
            "direct": r["channel"] == "direct",
            "unknown_channel": r["channel"] is None,
            "early": r["outcome"] == "early",
            "on_time": r["outcome"] == "on_time",
            "late": r["outcome"] == "late",
            "overdue_at_end": r["overdue_at_end"],
            "met_rescheduled": r["met_rescheduled"],
            "working_days": r["working_days"],
            "provisional": r["provisional"],
        }

    per_row = [one(r) for r in rows]
    if not columnar:
        return per_row
    columns = {k: [p[k] for p in per_row] for k in per_row[0]}
    closed = pd.Series(columns.pop("closed"), dtype=object)
    frame = {k: pd.Series(v) for k, v in columns.items()}
    frame["closed"] = pd.to_datetime(closed.where(closed != datetime.max, pd.Timestamp.max))
    frame["received"] = pd.to_datetime(frame["received"])
    return frame


@settings(max_examples=60, deadline=None)
@given(st.lists(dossier_rows, min_size=1, max_size=40))
def test_count_on_columns_equals_count_on_values(rows: list[dict[str, object]]) -> None:
    columns = _rule_inputs(rows, columnar=True)
    assert isinstance(columns, dict)
    counted = _counting.count(start=pd.Timestamp(START), end=pd.Timestamp(END), **columns)
    for i, kwargs in enumerate(_rule_inputs(rows, columnar=False)):
        assert isinstance(kwargs, dict)
        expected = _counting.count(start=START, end=END, **kwargs)
        assert {k: int(v.iloc[i]) for k, v in counted.items()} == {
            k: int(v) for k, v in expected.items()
        }


def test_count_hand_checked() -> None:
    base = {
        "online": True, "direct": False, "unknown_channel": False, "early": False,
        "on_time": False, "late": True, "overdue_at_end": False, "met_rescheduled": False,
        "working_days": 12, "provisional": False,
    }  # fmt: skip

    def counted(received: datetime, closed: datetime, resolution: bool) -> set[str]:
        c = _counting.count(
            start=START, end=END, received=received, closed=closed, is_closed=True,
            is_resolution=resolution, **base,
        )  # fmt: skip
        assert all(int(v) in (0, 1) for k, v in c.items() if k != "resolved_working_days")
        return {k for k, v in c.items() if v}

    # Received in September, resolved late on 5 October: carried over, resolved late.
    sep20, oct5 = datetime(2026, 9, 20, 9), datetime(2026, 10, 5, 9)
    assert counted(sep20, oct5, True) == {
        "_in", "carried_over", "resolved", "late", "resolved_working_days",
    }  # fmt: skip
    # Resolved on 30 September: not in October's report at all.
    assert counted(sep20, datetime(2026, 9, 30, 9), True) == set()
    # Received 10 October online, withdrawn 3 November: pending within at the period's end.
    assert counted(datetime(2026, 10, 10, 9), datetime(2026, 11, 3, 9), False) == {
        "_in", "received", "received_online", "pending", "pending_within",
    }  # fmt: skip
    # Withdrawn on 12 October: excluded, and no working days counted.
    assert counted(datetime(2026, 10, 10, 9), datetime(2026, 10, 12, 9), False) == {
        "_in", "received", "received_online", "excluded",
    }  # fmt: skip


def test_counters_are_the_summary_fields() -> None:
    import attrs

    from tthc_sla import Summary

    assert tuple(f.name for f in attrs.fields(Summary)) == _counting.COUNTERS
