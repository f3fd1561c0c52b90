"""The columnar path (tthc_sla.batch) against the scalar API and against numpy."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

np = pytest.importorskip("numpy")
pd = pytest.importorskip("pandas")

from tthc_sla import (  # noqa: E402
    CalendarRangeError,
    DeadlinePolicy,
    Dossier,
    Evaluation,
    Event,
    HistoryError,
    PolicyError,
    Procedure,
    Step,
    TimezoneMixError,
    evaluate,
    summarize,
    vietnam_calendar,
)
from tthc_sla.batch import (  # noqa: E402
    OUTPUT_COLUMNS,
    calendar_arrays,
    due_dates,
    evaluate_frame,
    events_frame,
    summarize_frame,
    working_days_between,
)
from tthc_sla.evaluation._flat import FLAT_COLUMNS, flat_row  # noqa: E402
from tthc_sla.testing import calendars, dossiers, invalid_dossiers  # noqa: E402

CAL = vietnam_calendar(years=(2014, 2040))
DEFAULT = DeadlinePolicy()
FIRST, LAST = date(2016, 1, 1), date(2038, 12, 31)  # +-400 working days stay inside


days = st.dates(FIRST, LAST)


# ---------------------------------------------------------------------------- day arithmetic


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(days, st.integers(-400, 400)), min_size=1, max_size=50))
def test_due_dates_equal_scalar_and_numpy(pairs: list[tuple[date, int]]) -> None:
    arr = calendar_arrays(CAL)
    off = np.flatnonzero(arr.work == 0) + (arr.base - date(1970, 1, 1).toordinal())
    busdays = np.busdaycalendar(weekmask="1111111", holidays=off.astype("datetime64[D]"))
    d = np.array([p[0] for p in pairs], dtype="datetime64[D]")
    n = np.array([p[1] for p in pairs], dtype=np.int64)
    got = due_dates(d, n, CAL)
    assert got.dtype == np.dtype("datetime64[D]")
    assert [x.item() for x in got] == [CAL.add_working_days(a, k) for a, k in pairs]
    # numpy rolls before offsetting: "strictly after d" is roll="backward" for n >= 1, and
    # "d itself or the next working day" / "strictly before d" is roll="forward" for n <= 0.
    forward = np.busday_offset(d, n, roll="forward", busdaycal=busdays)
    backward = np.busday_offset(d, n, roll="backward", busdaycal=busdays)
    np.testing.assert_array_equal(got, np.where(n > 0, backward, forward))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(days, days), min_size=1, max_size=50))
def test_working_days_between_equal_scalar_and_numpy(pairs: list[tuple[date, date]]) -> None:
    arr = calendar_arrays(CAL)
    off = np.flatnonzero(arr.work == 0) + (arr.base - date(1970, 1, 1).toordinal())
    busdays = np.busdaycalendar(weekmask="1111111", holidays=off.astype("datetime64[D]"))
    a = np.array([p[0] for p in pairs], dtype="datetime64[D]")
    b = np.array([p[1] for p in pairs], dtype="datetime64[D]")
    got = working_days_between(a, b, CAL)
    assert got.tolist() == [CAL.working_days_between(x, y) for x, y in pairs]
    # (a, b] is numpy's [a + 1, b + 1); numpy's own negative counts use another convention
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    one = np.timedelta64(1, "D")
    count = np.busday_count(lo + one, hi + one, busdaycal=busdays)
    np.testing.assert_array_equal(got, np.where(a <= b, count, -count))


def test_due_dates_worked_examples() -> None:
    cal = vietnam_calendar()
    # Fri 20/11/2026 + 2: Mon 23, (Tue 24 Ngày Văn hóa Việt Nam off) Wed 25; Sat 21 + 0: Mon 23;
    # Wed 25 - 1: Mon 23; 2026-01-07 + 3: Thu 8, Fri 9, Sat 10 (make-up workday).
    got = due_dates(
        np.array(["2026-11-20", "2026-11-21", "2026-11-25", "2026-01-07"], dtype="datetime64[D]"),
        np.array([2, 0, -1, 3]),
        cal,
    )
    assert got.astype(str).tolist() == ["2026-11-25", "2026-11-23", "2026-11-23", "2026-01-10"]
    # n broadcasts; lists of strings are accepted
    assert due_dates(["2026-11-20"], 2, cal).astype(str).tolist() == ["2026-11-25"]


def test_due_dates_out_of_range() -> None:
    cal = vietnam_calendar()
    with pytest.raises(CalendarRangeError, match=r"add_working_days\(2100-12-01, 100\)"):
        due_dates(np.array(["2026-01-01", "2100-12-01"], dtype="datetime64[D]"), [1, 100], cal)
    with pytest.raises(CalendarRangeError, match="1994-12-31 is before"):
        due_dates(
            np.array(["2026-01-01", "1994-12-31", "1990-01-01"], dtype="datetime64[D]"), 1, cal
        )
    with pytest.raises(CalendarRangeError, match=r"add_working_days\(1995-01-02, -5\)"):
        due_dates(np.array(["1995-01-02"], dtype="datetime64[D]"), -5, cal)
    with pytest.raises(CalendarRangeError, match="2101-01-01 is after"):
        working_days_between(["2026-01-01"], ["2101-01-01"], cal)


def test_calendar_arrays_are_cached_and_read_only() -> None:
    arr = calendar_arrays(CAL)
    assert calendar_arrays(vietnam_calendar(years=(2014, 2040))) is arr
    assert not arr.R.flags.writeable
    assert arr.R[-1] == len(arr.W)
    # R is the number of working days up to and including each day
    assert np.array_equal(np.cumsum(arr.work), arr.R)


# ---------------------------------------------------------------------------- evaluate_frame


def _moment(x: Any) -> datetime | None:
    return None if pd.isna(x) else pd.Timestamp(x).to_pydatetime()


def _expected(e: Evaluation) -> dict[str, Any]:
    # The scalar engine's own flat row (the layout the CLI writes, FLAT_COLUMNS).
    return flat_row(e)


def _actual(row: Any) -> dict[str, Any]:
    out = {c: getattr(row, c) for c in OUTPUT_COLUMNS if c != "scalar"}
    for c in ("received_at", "due_at", "completed_at", "ended_at", "rescheduled_due"):
        out[c] = _moment(out[c])
    due = _moment(out["due_date"])
    out["due_date"] = None if due is None else due.date()
    for c in ("agency", "level", "field", "channel"):
        out[c] = None if pd.isna(out[c]) else out[c]
    out["late_working_days"] = int(out["late_working_days"])
    out["late_time_hours"] = float(out["late_time_hours"])
    out["excluded_working_days"] = int(out["excluded_working_days"])
    out["met_rescheduled"] = bool(out["met_rescheduled"])
    out["by_moment"] = bool(out["by_moment"])
    out["provisional"] = bool(out["provisional"])
    days = out["processing_working_days"]
    out["processing_working_days"] = None if pd.isna(days) else int(days)
    return out


def _check(
    ds: list[Dossier],
    cal: Any,
    as_of: datetime,
    policy: DeadlinePolicy = DEFAULT,
    strict: bool = True,
) -> pd.DataFrame:
    procs = {d.procedure.code: d.procedure for d in ds}
    result = evaluate_frame(events_frame(ds), procs, cal, as_of=as_of, policy=policy, strict=strict)
    assert list(result.columns) == list(OUTPUT_COLUMNS)
    assert len(result) == len(ds)
    for d, row in zip(ds, result.itertuples(index=False), strict=True):
        e = evaluate(d, cal, as_of=as_of, policy=policy, strict=strict)
        assert _actual(row) == _expected(e), d
    assert result.attrs["scalar_fallback"] == int(result["scalar"].sum())
    return result


policies = st.builds(
    DeadlinePolicy,
    receipt_day_counts=st.booleans(),
    difficult_area=st.booleans(),
    finish=st.sampled_from(["resolved", "returned"]),
    same_day_cutoff=st.sampled_from([time(15), time(11, 30)]),
) | st.just(DeadlinePolicy(due_time="same_time"))


@st.composite
def batches(draw: st.DrawFn) -> tuple[Any, list[Dossier], DeadlinePolicy, datetime]:
    cal = draw(st.shared(calendars(min_year=2024, max_year=2027), key="cal"))
    policy = draw(policies)
    ds = draw(
        st.lists(
            dossiers(
                calendar=cal, min_date=date(2024, 1, 1), max_date=date(2027, 12, 31),
                policy=policy,
            ),
            min_size=1,
            max_size=12,
        )
    )  # fmt: skip
    # Unique ids (one procedure per code, too): a batch is a table of distinct dossiers.
    codes: dict[str, Procedure] = {}
    out = []
    for i, d in enumerate(ds):
        proc = codes.setdefault(f"{d.procedure.code}-{i}", d.procedure)
        proc = attrs.evolve(proc, code=f"{d.procedure.code}-{i}")
        out.append(attrs.evolve(d, id=f"D{i}", procedure=proc))
    moments = [e.at for d in out for e in d.events]
    as_of = draw(
        st.one_of(
            st.sampled_from(moments),
            st.datetimes(datetime(2024, 1, 1), datetime(2029, 1, 1)),
        )
    )
    return cal, out, policy, as_of


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batches())
def test_evaluate_frame_equals_evaluate(
    batch: tuple[Any, list[Dossier], DeadlinePolicy, datetime],
) -> None:
    cal, ds, policy, as_of = batch
    result = _check(ds, cal, as_of, policy)
    # The columnar summary equals the scalar one, for a period ending on the as_of day.
    evaluations = [evaluate(d, cal, as_of=as_of, policy=policy) for d in ds]
    period = (as_of.date() - timedelta(days=45), as_of.date())
    for by in ((), ("channel",), ("procedure", "received_month")):
        assert summarize_frame(result, period=period, by=by) == summarize(
            evaluations, period=period, by=by
        )
    assert summarize_frame(result) == summarize(evaluations)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        invalid_dossiers(min_date=date(2024, 1, 1), max_date=date(2027, 12, 31)),
        min_size=1,
        max_size=5,
    ),
    st.datetimes(datetime(2028, 1, 1), datetime(2029, 1, 1)),
)
def test_broken_histories_like_evaluate(
    broken: list[tuple[Dossier, str, int]], as_of: datetime
) -> None:
    assume(all(rule != "mixed_timezones" for _, rule, _ in broken))
    cal = vietnam_calendar()
    ds = [
        attrs.evolve(
            d, id=f"B{i}", procedure=attrs.evolve(d.procedure, code=f"{d.procedure.code}-{i}")
        )
        for i, (d, _, _) in enumerate(broken)
    ]
    # non-strict: warnings and results as the scalar path gives them
    result = _check(ds, cal, as_of, strict=False)
    assert result["scalar"].all()  # broken histories go through the scalar path

    # strict: the same error as the first broken dossier raises in evaluate
    def scalar_run() -> None:
        for d in ds:
            evaluate(d, cal, as_of=as_of)

    with pytest.raises(HistoryError) as scalar_error:
        scalar_run()
    with pytest.raises(HistoryError) as batch_error:
        evaluate_frame(events_frame(ds), [d.procedure for d in ds], cal, as_of=as_of)
    assert str(batch_error.value) == str(scalar_error.value)


# ---------------------------------------------------------------------------- worked examples

PROC = Procedure(
    "1.004",
    "Cấp giấy phép xây dựng",
    "5wd",
    steps=(
        Step("Thẩm định", "Phòng Quản lý đô thị", "3wd"),
        Step("Ký duyệt", "Lãnh đạo UBND", "1wd"),
    ),
)


def _worked() -> list[Dossier]:
    t = datetime
    return [
        # docs/histories.md: due 23/11 moved by a 2-day pause to 26/11; resolved 27/11: late by
        # one working day, attributed to the appraisal unit.
        Dossier("HS-1", PROC, [
            Event(t(2026, 11, 16, 8, 40), "submitted"),
            Event(t(2026, 11, 16, 9, 0), "received"),
            Event(t(2026, 11, 16, 10, 0), "step_started", step="Thẩm định"),
            Event(t(2026, 11, 17, 15, 0), "paused"),
            Event(t(2026, 11, 19, 9, 0), "resumed"),
            Event(t(2026, 11, 25, 9, 0), "step_finished", step="Thẩm định"),
            Event(t(2026, 11, 25, 10, 0), "step_started", step="Ký duyệt"),
            Event(t(2026, 11, 26, 16, 0), "step_finished", step="Ký duyệt"),
            Event(t(2026, 11, 27, 9, 30), "resolved"),
            Event(t(2026, 11, 27, 14, 0), "returned"),
        ], agency="UBND quận 1", channel="online"),
        # still open: due Mon 23/11, overdue at 1/12 by (23, 1/12] = 25, 26, 27, 30, 1 = 5 days
        Dossier("HS-2", PROC, [Event(t(2026, 11, 16, 9), "received")]),
        # withdrawn
        Dossier("HS-3", PROC, [
            Event(t(2026, 11, 16, 9), "received"), Event(t(2026, 11, 17, 9), "withdrawn"),
        ]),
        # only submitted
        Dossier("HS-4", PROC, [Event(t(2026, 11, 16, 9), "submitted")]),
        # hidden after as_of
        Dossier("HS-5", PROC, [Event(t(2026, 12, 5, 9), "received")]),
    ]  # fmt: skip


def test_worked_dossiers() -> None:
    cal = vietnam_calendar()
    result = _check(_worked(), cal, datetime(2026, 12, 1))
    assert result["outcome"].tolist() == [
        "late", "overdue", "excluded", "not_received", "not_received"
    ]  # fmt: skip
    assert result["late_units"].tolist()[:2] == ["Phòng Quản lý đô thị", ""]  # HS-2 has no steps
    assert result["late_working_days"].tolist()[:2] == [1, 5]
    assert result.attrs["scalar_fallback"] == 0


def test_interleaved_rows_and_hour_rules() -> None:
    cal = vietnam_calendar()
    hours = Procedure("1.005", "Cấp đổi", "8h", steps=(Step("Xử lý", "Phòng PT", "6h"),))
    ds = [
        *_worked(),
        Dossier("H-1", hours, [
            Event(datetime(2026, 11, 20, 16), "received"),  # 1h Fri + 4h + 3h Mon: due 16:30
            Event(datetime(2026, 11, 20, 16), "step_started", step="Xử lý"),
            Event(datetime(2026, 11, 23, 16), "step_finished", step="Xử lý"),  # due 14:30
            Event(datetime(2026, 11, 23, 16, 45), "resolved"),
        ]),
    ]  # fmt: skip
    frame = events_frame(ds)
    # Round-robin interleaving of the dossiers' rows, each history still in order.
    frame = frame.assign(seq=frame.groupby("dossier_id").cumcount())
    frame = frame.sort_values(["seq", "dossier_id"], kind="stable").drop(columns="seq")
    procs = [PROC, hours]
    as_of = datetime(2026, 12, 1)
    got = evaluate_frame(frame, procs, cal, as_of=as_of).set_index("dossier_id")
    row = got.loc["H-1"]
    assert row["due_at"] == pd.Timestamp("2026-11-23 16:30")
    assert row["outcome"] == "late"
    assert row["late_units"] == "Phòng PT"
    assert not got["scalar"].any()
    for d in ds:
        assert _actual(next(got.loc[[d.id]].reset_index().itertuples(index=False))) == _expected(
            evaluate(d, cal, as_of=as_of)
        )


# ---------------------------------------------------------------------------- error paths


def test_errors() -> None:
    cal = vietnam_calendar()
    frame = events_frame(_worked())
    with pytest.raises(PolicyError, match=r"1\.004"):
        evaluate_frame(frame, [], cal, as_of=datetime(2026, 12, 1))
    bad_kind = frame.assign(kind=frame["kind"].replace("paused", "napping"))
    with pytest.raises(PolicyError, match="napping"):
        evaluate_frame(bad_kind, [PROC], cal, as_of=datetime(2026, 12, 1))
    with pytest.raises(TimezoneMixError):
        evaluate_frame(
            frame,
            [PROC],
            cal,
            as_of=datetime(2026, 12, 1, tzinfo=datetime.now().astimezone().tzinfo),
        )
    with pytest.raises(PolicyError, match="'at'"):
        evaluate_frame(frame.drop(columns="at"), [PROC], cal, as_of=datetime(2026, 12, 1))
    # out of the calendar's range: the scalar path raises, so does the batch
    small = vietnam_calendar(years=(2026, 2026))
    late = Dossier("R-1", PROC, [Event(datetime(2026, 12, 28, 9), "received")])
    with pytest.raises(CalendarRangeError) as scalar_error:
        evaluate(late, small, as_of=datetime(2026, 12, 31))
    with pytest.raises(CalendarRangeError) as batch_error:
        evaluate_frame(events_frame([late]), [PROC], small, as_of=datetime(2026, 12, 31))
    assert str(batch_error.value) == str(scalar_error.value)
    # strict: the scalar error; non-strict: the scalar warnings
    broken = Dossier("HS-9", PROC, [
        Event(datetime(2026, 11, 16, 9), "received"),
        Event(datetime(2026, 11, 17, 9), "resumed"),
    ])  # fmt: skip
    with pytest.raises(HistoryError, match="RESUMED without a PAUSED"):
        evaluate_frame(events_frame([broken]), [PROC], cal, as_of=datetime(2026, 12, 1))
    result = evaluate_frame(
        events_frame([broken]), [PROC], cal, as_of=datetime(2026, 12, 1), strict=False
    )
    assert result["warnings"].tolist() == [
        "dossier 'HS-9', event 1: RESUMED without a PAUSED before it"
    ]
    assert result.attrs["scalar_fallback"] == 1


def test_empty_frame() -> None:
    frame = events_frame(_worked()).head(0)
    result = evaluate_frame(frame, [PROC], vietnam_calendar(), as_of=datetime(2026, 12, 1))
    assert list(result.columns) == list(OUTPUT_COLUMNS)
    assert len(result) == 0


def test_as_of_at_the_microsecond() -> None:
    # A dossier received at 23:59:59.999999 on the last day before as_of is seen.
    at = datetime(2026, 11, 30, 23, 59, 59, 999_999)
    d = Dossier("E-1", PROC, [Event(at, "received")])
    _check([d], vietnam_calendar(), at)
    _check([d], vietnam_calendar(), at - timedelta(microseconds=1))


# ---------------------------------------------------------------------------- the flat layout


def test_output_columns_are_the_flat_layout() -> None:
    # One layout for the CLI and the columnar engine, which adds its ``scalar`` column.
    assert (*FLAT_COLUMNS, "scalar") == OUTPUT_COLUMNS
    empty = evaluate_frame(
        events_frame(_worked()).head(0), [PROC], vietnam_calendar(), as_of=datetime(2026, 12, 1)
    )
    assert empty["late_time_hours"].dtype == float
    assert empty["rescheduled_due"].dtype == np.dtype("datetime64[us]")


def test_late_time_hours_equal_scalar_on_a_generated_table() -> None:
    # Every dossier of a realistic generated table (steps, pauses, working-day, same-day and
    # working-hour rules), as of two moments: the vectorised working time past the due moment,
    # rounded to hours, is the scalar Evaluation.late_time through the same rounding.
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))
    from bench_evaluate import CAL as BENCH_CAL
    from bench_evaluate import CATALOG, make_dossiers

    ds = make_dossiers(3000, seed=11)
    procs = {p.code: p for p in CATALOG}
    frame = events_frame(ds)
    for as_of in (datetime(2025, 6, 30, 17), datetime(2027, 1, 1)):
        result = evaluate_frame(frame, procs, BENCH_CAL, as_of=as_of)
        assert not result["scalar"].any()  # all of them on the vectorised path
        got = result["late_time_hours"].tolist()
        expected = [flat_row(evaluate(d, BENCH_CAL, as_of=as_of))["late_time_hours"] for d in ds]
        assert got == expected
        assert sum(h > 0 for h in got) > 100  # the test sees late and overdue dossiers


def test_separators_of_the_flat_layout() -> None:
    cal = vietnam_calendar()
    t = datetime
    # Both steps overrun: appraisal due Thu 19/11 (3 working days from Mon 16/11), finished
    # Mon 23/11; signing due Wed 25/11 (1 working day from 23/11, Tue 24/11 is off), finished
    # Thu 26/11. The dossier, due Mon 23/11, is resolved late on Fri 27/11.
    both = Dossier("HS-7", PROC, [
        Event(t(2026, 11, 16, 9), "received"),
        Event(t(2026, 11, 16, 10), "step_started", step="Thẩm định"),
        Event(t(2026, 11, 23, 9), "step_finished", step="Thẩm định"),
        Event(t(2026, 11, 23, 10), "step_started", step="Ký duyệt"),
        Event(t(2026, 11, 26, 9), "step_finished", step="Ký duyệt"),
        Event(t(2026, 11, 27, 9), "resolved"),
    ])  # fmt: skip
    result = _check([both], cal, t(2026, 12, 1))
    assert result["late_units"].tolist() == ["Phòng Quản lý đô thị; Lãnh đạo UBND"]
    # 23/11 17:00 to 27/11 09:00: 25 and 26/11 (7.5 h each) and 1.5 h on the 27th
    assert result["late_time_hours"].tolist() == [16.5]
    broken = Dossier("HS-8", PROC, [
        Event(t(2026, 11, 16, 9), "received"),
        Event(t(2026, 11, 17, 9), "resumed"),
        Event(t(2026, 11, 18, 9), "resumed"),
    ])  # fmt: skip
    result = _check([broken], cal, t(2026, 12, 1), strict=False)
    assert result["warnings"].tolist() == [
        "dossier 'HS-8', event 1: RESUMED without a PAUSED before it"
        " | dossier 'HS-8', event 2: RESUMED without a PAUSED before it"
    ]


def test_summarize_frame_refuses_results_older_than_the_period_end() -> None:
    """As ``summarize``: a dossier of the report still open at an ``as_of`` before the
    period's end would be counted wrong; one closed before the period is not in it."""
    events = pd.DataFrame(
        {
            "dossier_id": ["A", "A", "B"],
            "procedure": ["p"] * 3,
            "at": pd.to_datetime(["2026-09-01 09:00", "2026-09-02 09:00", "2026-10-05 09:00"]),
            "kind": ["received", "resolved", "received"],
        }
    )
    october = (date(2026, 10, 1), date(2026, 10, 31))
    procs = [Procedure("p", "P", "5wd")]
    early = evaluate_frame(events, procs, CAL, as_of=datetime(2026, 10, 20))
    with pytest.raises(PolicyError, match="as of the period's end"):
        summarize_frame(early, period=october)
    closed_only = evaluate_frame(events[:2], procs, CAL, as_of=datetime(2026, 10, 20))
    assert summarize_frame(closed_only, period=october).carried_over == 0  # A is not in it
    assert summarize_frame(early, period=(date(2026, 9, 1), date(2026, 9, 30))).resolved == 1


def test_a_step_the_procedure_does_not_have_is_a_history_problem_in_both_engines() -> None:
    # A step named "Thẩm đinh" (a typo) was recorded unjudged without a word: its unit could
    # never be found late. Both engines now report it, strict or not, as they report a step
    # started twice; a procedure without steps still records any step.
    at = datetime(2026, 11, 2, 9)
    typo = Dossier("T", PROC, [
        Event(at, "received"),
        Event(at + timedelta(hours=1), "step_started", step="Thẩm đinh", unit="Phòng QLĐT"),
        Event(at + timedelta(days=6), "step_finished", step="Thẩm đinh"),
    ])  # fmt: skip
    with pytest.raises(HistoryError, match=r"'Thẩm đinh' is not a step of procedure 1.004 "
                       r"\(its steps: 'Thẩm định', 'Ký duyệt'\)"):  # fmt: skip
        evaluate(typo, CAL, as_of=at + timedelta(days=10))
    loose = evaluate(typo, CAL, as_of=at + timedelta(days=10), strict=False)
    assert len(loose.warnings) == 1
    assert [(s.step, s.due_at, s.outcome) for s in loose.steps] == [("Thẩm đinh", None, None)]
    result = _check([typo], CAL, at + timedelta(days=10), strict=False)
    assert bool(result["scalar"].iloc[0])  # the columnar engine left it to the scalar replay
    with pytest.raises(HistoryError, match="is not a step of procedure"):
        evaluate_frame(events_frame([typo]), [PROC], CAL, as_of=at + timedelta(days=10))
    plain = attrs.evolve(PROC, code="1.005", steps=())
    free = attrs.evolve(typo, id="F", procedure=plain)
    assert evaluate(free, CAL, as_of=at + timedelta(days=10)).warnings == ()
    assert not bool(_check([free], CAL, at + timedelta(days=10))["scalar"].iloc[0])
