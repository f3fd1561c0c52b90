"""The working calendar: hand-checked examples, conventions, properties and error paths."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tthc_sla import (
    CalendarRangeError,
    InputTypeError,
    PolicyError,
    TimezoneMixError,
    TthcSlaError,
    WeeklySchedule,
    WorkingCalendar,
    vietnam_calendar,
)
from tthc_sla.calendar import CoveredPeriod

CAL = vietnam_calendar()
D = date
H = timedelta(hours=1)

# Dates well inside the range, so that adding a few hundred working days stays inside.
dates = st.dates(min_value=D(1997, 1, 1), max_value=D(2099, 1, 1))
small = st.integers(min_value=-400, max_value=400)


# --------------------------------------------------------------------------- worked examples


def test_weekend_is_off_and_weekday_is_on() -> None:
    assert CAL.is_working_day(D(2026, 11, 23))  # Monday
    assert not CAL.is_working_day(D(2026, 11, 21))  # Saturday
    assert not CAL.is_working_day(D(2026, 11, 22))  # Sunday


def test_add_over_tet_2026() -> None:
    # Tết Bính Ngọ: Mon 16/2 .. Fri 20/2 are off (TB 9441/TB-BNV), with the weekends around it
    # the break runs Sat 14/2 .. Sun 22/2. From Thu 12/2: Fri 13/2 is day 1, Mon 23/2 day 2.
    assert CAL.add_working_days(D(2026, 2, 12), 1) == D(2026, 2, 13)
    assert CAL.add_working_days(D(2026, 2, 12), 2) == D(2026, 2, 23)
    assert CAL.working_days_between(D(2026, 2, 12), D(2026, 2, 23)) == 2


def test_add_over_24_november_2026() -> None:
    # Fri 20/11 + 2: Mon 23/11 is day 1, Tue 24/11 (Ngày Văn hóa Việt Nam) is off, Wed 25/11.
    assert CAL.add_working_days(D(2026, 11, 20), 2) == D(2026, 11, 25)


def test_add_onto_make_up_saturday() -> None:
    # New Year 2026: Thu 1/1 and Fri 2/1 off (CV 12729/VPCP-KGVX), Sat 10/1 worked instead.
    # From Fri 9/1: Sat 10/1 is day 1.
    assert CAL.add_working_days(D(2026, 1, 9), 1) == D(2026, 1, 10)
    assert CAL.add_working_days(D(2025, 12, 31), 1) == D(2026, 1, 5)


def test_zero_rolls_forward_only_from_days_off() -> None:
    assert CAL.add_working_days(D(2026, 11, 23), 0) == D(2026, 11, 23)
    assert CAL.add_working_days(D(2026, 11, 21), 0) == D(2026, 11, 23)
    assert CAL.add_working_days(D(2026, 11, 24), 0) == D(2026, 11, 25)


def test_negative_counts_back_strictly_before() -> None:
    # Wed 25/11 - 1 = Mon 23/11 (Tue 24/11 off); from Sat 28/11 - 1 = Fri 27/11.
    assert CAL.add_working_days(D(2026, 11, 25), -1) == D(2026, 11, 23)
    assert CAL.add_working_days(D(2026, 11, 28), -1) == D(2026, 11, 27)
    assert CAL.add_working_days(D(2026, 11, 28), -5) == D(2026, 11, 20)


def test_count_is_half_open() -> None:
    # (Mon, Mon] = the next Tue..Mon = 5 working days; (a, a] = 0; starting on a day off.
    assert CAL.working_days_between(D(2026, 11, 16), D(2026, 11, 23)) == 5
    assert CAL.working_days_between(D(2026, 11, 23), D(2026, 11, 23)) == 0
    assert CAL.working_days_between(D(2026, 11, 21), D(2026, 11, 23)) == 1
    assert CAL.working_days_between(D(2026, 11, 23), D(2026, 11, 21)) == -1


def test_across_compiled_blocks() -> None:
    # A whole year, counted by hand from the 2026 notices: 365 days - 104 weekend days
    # - 14 weekday days off (1-2/1, 16-20/2, 27/4, 30/4, 1/5, 31/8, 1/9, 2/9, 24/11)
    # + 2 make-up Saturdays (10/1, 22/8) = 249.
    assert CAL.working_days_between(D(2025, 12, 31), D(2026, 12, 31)) == 249
    # Mon 2/1/1995 is off (1/1 fell on a Sunday: compensatory day), so Tue 3/1 is day 1.
    far = CAL.add_working_days(D(1995, 1, 2), 20_000)  # crosses several blocks
    assert CAL.working_days_between(D(1995, 1, 2), far) == 20_000
    assert CAL.add_working_days(far, -19_999) == D(1995, 1, 3)
    with pytest.raises(CalendarRangeError):
        CAL.add_working_days(far, -20_000)  # the day before 3/1/1995 is out of range


def test_two_shifts() -> None:
    mon = D(2026, 11, 23)
    assert CAL.working_intervals(mon) == (
        (datetime(2026, 11, 23, 7, 30), datetime(2026, 11, 23, 11, 30)),
        (datetime(2026, 11, 23, 13, 30), datetime(2026, 11, 23, 17, 0)),
    )
    # 10:00 + 3h: 1.5h to 11:30, then 1.5h from 13:30 -> 15:00.
    assert CAL.add_working_time(datetime(2026, 11, 23, 10), 3 * H) == datetime(2026, 11, 23, 15)
    # 16:00 + 4h: 1h on Monday, Tuesday 24/11 off, 3h Wednesday from 07:30 -> 10:30.
    assert CAL.add_working_time(datetime(2026, 11, 23, 16), 4 * H) == datetime(2026, 11, 25, 10, 30)
    # A full morning from 07:30 ends at 11:30, not at 13:30 (earliest moment).
    assert CAL.add_working_time(datetime(2026, 11, 23, 7, 30), 4 * H) == datetime(
        2026, 11, 23, 11, 30
    )
    # Lunch time counts nothing.
    assert CAL.working_time_between(
        datetime(2026, 11, 23, 11, 30), datetime(2026, 11, 23, 13, 30)
    ) == timedelta(0)


def test_working_time_from_outside_hours() -> None:
    # Saturday evening + 1h: the clock starts Monday 07:30.
    assert CAL.add_working_time(datetime(2026, 11, 21, 20), H) == datetime(2026, 11, 23, 8, 30)
    assert CAL.next_working_moment(datetime(2026, 11, 21, 20)) == datetime(2026, 11, 23, 7, 30)
    assert CAL.next_working_moment(datetime(2026, 11, 23, 12)) == datetime(2026, 11, 23, 13, 30)
    assert CAL.next_working_moment(datetime(2026, 11, 23, 9)) == datetime(2026, 11, 23, 9)
    # Backwards from Monday 08:30 by 1h -> Monday 07:30 (the latest such moment, not Friday
    # 17:00); by 2h -> the hour 16:00-17:00 of Friday -> Fri 16:00.
    assert CAL.add_working_time(datetime(2026, 11, 23, 8, 30), -H) == datetime(2026, 11, 23, 7, 30)
    assert CAL.add_working_time(datetime(2026, 11, 23, 8, 30), -2 * H) == datetime(
        2026, 11, 20, 16, 0
    )


def test_make_up_saturday_uses_weekday_hours() -> None:
    saturday = [(a.time(), b.time()) for a, b in CAL.working_intervals(D(2026, 1, 10))]
    assert saturday == [(time(7, 30), time(11, 30)), (time(13, 30), time(17))]
    assert CAL.close_of_day(D(2026, 1, 10)) == datetime(2026, 1, 10, 17)
    assert CAL.working_intervals(D(2026, 1, 11)) == ()


def test_custom_hours_and_office_overrides() -> None:
    hours = ((time(8), time(12)), (time(13), time(17)))
    sched = WeeklySchedule(dict.fromkeys(range(5), hours) | {6: ((time(7, 30), time(11, 30)),)})
    cal = vietnam_calendar(
        schedule=sched,
        extra_days_off=[(D(2026, 11, 23), "Bão số 15")],
        extra_workdays=[D(2026, 11, 28)],  # a Saturday counter, this week only
    )
    assert cal.is_working_day(D(2026, 11, 22))  # Sundays are working days in this office
    assert cal.working_intervals(D(2026, 11, 22))[0][0] == datetime(2026, 11, 22, 7, 30)
    assert not cal.is_working_day(D(2026, 11, 23))
    assert cal.is_working_day(D(2026, 11, 28))
    assert cal.working_intervals(D(2026, 11, 28))[0] == (
        datetime(2026, 11, 28, 8),
        datetime(2026, 11, 28, 12),
    )
    assert (D(2026, 11, 23), "Bão số 15") in cal.days_off(2026)
    assert (D(2026, 11, 28), "Ngày làm việc của cơ quan") in cal.make_up_workdays(2026)
    # Office overrides beat the official notices: close on a make-up Saturday.
    closed = vietnam_calendar(extra_days_off=[D(2026, 1, 10)])
    assert not closed.is_working_day(D(2026, 1, 10))
    assert CAL.is_working_day(D(2026, 1, 10))


def test_with_overrides_and_hashing() -> None:
    a = CAL.with_overrides(extra_days_off=[D(2026, 12, 1)])
    b = vietnam_calendar(extra_days_off=[D(2026, 12, 1)])
    assert a == b
    assert hash(a) == hash(b)
    assert a != CAL
    assert vietnam_calendar() is CAL  # built once, shared
    assert not a.is_working_day(D(2026, 12, 1))


def test_days_off_reasons_and_languages() -> None:
    vi = dict(CAL.days_off(2026))
    en = dict(CAL.days_off(2026, lang="en"))
    assert vi[D(2026, 11, 24)] == "Ngày Văn hóa Việt Nam"
    assert en[D(2026, 11, 24)] == "Vietnam Cultural Day"
    assert D(2026, 4, 26) in vi  # Giỗ Tổ on a Sunday is still listed, with its name
    assert D(2026, 4, 27) in vi  # and its compensatory Monday
    assert D(2026, 11, 21) not in vi  # plain weekends are not
    assert CAL.days_off_between(D(2026, 2, 12), D(2026, 2, 23))[0] == (
        D(2026, 2, 16),
        "Giao thừa Tết Nguyên Đán",
    )
    assert CAL.days_off_between(D(2026, 11, 24), D(2026, 11, 30)) == ()  # (a, b]: a excluded


def test_statutory_layer_takes_no_swaps_from_holidays() -> None:
    # holidays.VN lists government swaps as "Ngày nghỉ (thay cho ...)"; the calendar takes
    # swaps only from its notices file, which also has the make-up Saturdays.
    plain = WorkingCalendar(statutory="VN", years=(2010, 2026))
    for year in range(2010, 2027):
        for _, reason in plain.days_off(year):
            assert not reason.startswith("Ngày nghỉ (thay cho"), (year, reason)
        assert plain.make_up_workdays(year) == []


def test_provisional_horizon() -> None:
    assert CAL.confirmed_until == D(2026, 12, 31)
    assert not CAL.is_provisional(D(2026, 12, 31))
    assert CAL.is_provisional(D(2027, 1, 1))  # New Year 2027: no notice yet
    assert not CAL.is_provisional(D(2027, 2, 8))  # Tết 2027: CV 10065/VPCP-KGVX
    assert not CAL.is_provisional(D(2010, 1, 1))  # the first notice year
    assert not CAL.is_provisional(D(1995, 1, 1))  # before the notices: history, not provisional
    assert CAL.is_provisional(D(2100, 12, 31))


def test_horizon_of_a_plain_calendar() -> None:
    # Without notices nothing is provisional; with confirmed_until alone, every day up to it
    # is confirmed (the meaning before covered periods existed).
    plain = WorkingCalendar(years=(2026, 2027))
    assert not plain.is_provisional(D(2027, 6, 1))
    assert plain.confirmed_periods == ((D(2026, 1, 1), D(2027, 12, 31)),)
    upto = WorkingCalendar(years=(2026, 2027), confirmed_until=D(2026, 6, 30))
    assert upto.covered == ()
    assert not upto.is_provisional_span(D(2026, 1, 5), D(2026, 6, 30))
    assert upto.is_provisional_span(D(2026, 6, 30), D(2026, 7, 1))
    assert upto.confirmed_periods == ((D(2026, 1, 1), D(2026, 6, 30)),)


def test_covered_periods_set_the_horizon() -> None:
    # Two windows of 2027 (hand-made, not the shipped data): days before the first window are
    # history; the gap between the windows is provisional.
    tet = CoveredPeriod(D(2027, 1, 18), D(2027, 3, 14), "Tết", "Tết", notices=("X",))
    may = CoveredPeriod(D(2027, 3, 15), D(2027, 5, 31), "30/4", "30/4", notices=("Y",))
    sep = CoveredPeriod(D(2027, 7, 5), D(2027, 10, 17), "2/9", "2/9", notices=("Z",))
    cal = WorkingCalendar(years=(2026, 2027), covered=(sep, may, tet))  # any order
    assert cal.covered == (tet, may, sep)
    assert cal.confirmed_until == D(2027, 5, 31)  # 18/1..14/3 and 15/3..31/5 join
    assert cal.confirmed_periods == (
        (D(2026, 1, 1), D(2027, 5, 31)),
        (D(2027, 7, 5), D(2027, 10, 17)),
    )
    assert cal.is_provisional(D(2027, 6, 1))
    assert not cal.is_provisional(D(2027, 7, 5))
    assert cal.is_provisional(D(2027, 10, 18))
    assert not cal.is_provisional_span(D(2027, 7, 5), D(2027, 10, 17))
    assert cal.is_provisional_span(D(2027, 5, 31), D(2027, 7, 5))
    assert cal.covered_periods(2027) == (tet, may, sep)
    assert cal.covered_periods(2026) == ()
    # The same values make the same (hashable) calendar; the periods are part of its identity.
    same = WorkingCalendar(
        years=(2026, 2027), covered=(tet, may, sep), confirmed_until=D(2027, 5, 31)
    )
    assert same == cal
    assert hash(same) == hash(cal)
    assert cal != WorkingCalendar(years=(2026, 2027), covered=(tet, sep))
    with pytest.raises(PolicyError, match="confirmed_until=2027-05-31"):
        WorkingCalendar(years=(2026, 2027), covered=(tet, may), confirmed_until=D(2026, 12, 31))
    with pytest.raises(PolicyError, match="do not overlap"):
        WorkingCalendar(covered=(tet, CoveredPeriod(D(2027, 3, 1), D(2027, 3, 2), "x", "x")))
    with pytest.raises(InputTypeError, match=r"^covered\[0\]=.*: expected a CoveredPeriod"):
        WorkingCalendar(covered=((D(2027, 1, 1), D(2027, 1, 2)),))  # type: ignore[arg-type]
    with pytest.raises(InputTypeError):
        CAL.is_provisional_span(D(2027, 1, 1), datetime(2027, 1, 2))  # type: ignore[arg-type]
    with pytest.raises(CalendarRangeError):
        CAL.covered_periods(2101)


def test_threads_share_one_index() -> None:
    cal = vietnam_calendar(years=(1995, 2100), extra_days_off=[D(2000, 3, 1)])  # a Wednesday
    results: list[int] = []

    def work() -> None:
        results.append(cal.working_days_between(D(1995, 1, 1), D(2100, 12, 31)))

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(results)) == 1
    assert results[0] == CAL.working_days_between(D(1995, 1, 1), D(2100, 12, 31)) - 1


# --------------------------------------------------------------------------- time zones


def test_naive_in_naive_out_aware_in_aware_out() -> None:
    utc = UTC
    # 03:00 UTC = 10:00 in Hà Nội; + 3h -> 15:00 local = 08:00 UTC.
    out = CAL.add_working_time(datetime(2026, 11, 23, 3, tzinfo=utc), 3 * H)
    assert out == datetime(2026, 11, 23, 8, tzinfo=utc)
    assert out.tzinfo is utc
    naive = CAL.add_working_time(datetime(2026, 11, 23, 10), 3 * H)
    assert naive.tzinfo is None


def test_mixing_naive_and_aware_raises() -> None:
    with pytest.raises(TimezoneMixError, match="naive and aware"):
        CAL.working_time_between(datetime(2026, 11, 23, 10), datetime(2026, 11, 23, 10, tzinfo=UTC))


# --------------------------------------------------------------------------- errors


def test_range_errors_name_the_value_and_the_bounds() -> None:
    with pytest.raises(CalendarRangeError, match=r"2101-01-03 is after .*1995-01-01\.\.2100-12-31"):
        CAL.is_working_day(D(2101, 1, 3))
    with pytest.raises(CalendarRangeError, match="before"):
        CAL.working_days_between(D(1994, 12, 31), D(2000, 1, 1))
    with pytest.raises(CalendarRangeError, match=r"result of add_working_days.* after"):
        CAL.add_working_days(D(2100, 12, 1), 100)
    with pytest.raises(CalendarRangeError, match=r"result of add_working_days.* before"):
        CAL.add_working_days(D(1995, 1, 10), -100)
    with pytest.raises(CalendarRangeError, match="after"):
        CAL.add_working_time(datetime(2100, 12, 1, 9), 1000 * H)
    with pytest.raises(CalendarRangeError):
        CAL.days_off(2101)
    small_cal = vietnam_calendar(years=(2026, 2026))
    with pytest.raises(CalendarRangeError):
        small_cal.add_working_days(D(2026, 12, 30), 5)


def test_type_errors_are_library_errors() -> None:
    with pytest.raises(InputTypeError, match=r"use \.date\(\)"):
        CAL.is_working_day(datetime(2026, 11, 23, 9))  # type: ignore[arg-type]
    with pytest.raises(InputTypeError):
        CAL.add_working_days(D(2026, 11, 23), 1.5)  # type: ignore[arg-type]
    with pytest.raises(InputTypeError):
        CAL.add_working_time(datetime(2026, 11, 23, 9), 3)  # type: ignore[arg-type]
    with pytest.raises(TthcSlaError):
        CAL.is_working_day("2026-11-23")  # type: ignore[arg-type]
    # Unhashable values must not escape as a bare TypeError from the calendar's day table.
    for call in (
        lambda: CAL.is_working_day([2026, 11, 23]),  # type: ignore[arg-type]
        lambda: CAL.add_working_days({}, 1),  # type: ignore[arg-type]
        lambda: CAL.working_days_between(D(2026, 11, 23), [1]),  # type: ignore[arg-type]
        lambda: CAL.close_of_day([2026, 11, 23]),  # type: ignore[arg-type]
    ):
        with pytest.raises(InputTypeError, match=r"expected a datetime\.date"):
            call()


def test_bad_settings_raise_policy_errors() -> None:
    with pytest.raises(PolicyError, match="start before end"):
        WeeklySchedule({0: ((time(12), time(8)),)})
    with pytest.raises(PolicyError, match="non-overlapping"):
        WeeklySchedule({0: ((time(8), time(12)), (time(11), time(13)))})
    with pytest.raises(PolicyError, match="weekday"):
        WeeklySchedule({7: ((time(8), time(12)),)})
    with pytest.raises(PolicyError, match="at least one weekday"):
        WeeklySchedule({})
    with pytest.raises(PolicyError, match="years"):
        vietnam_calendar(years=(2030, 2020))
    with pytest.raises(InputTypeError, match=r"^years=2026: expected"):
        vietnam_calendar(years=2026)  # type: ignore[arg-type]
    with pytest.raises(PolicyError, match="lang"):
        CAL.days_off(2026, lang="fr")
    with pytest.raises(PolicyError, match="once"):
        vietnam_calendar(extra_days_off=[D(2026, 12, 1)], extra_workdays=[D(2026, 12, 1)])
    with pytest.raises(PolicyError, match="working day"):
        CAL.close_of_day(D(2026, 11, 24))


# --------------------------------------------------------------------------- properties


@given(dates, small)
def test_add_count_round_trip(d: date, n: int) -> None:
    result = CAL.add_working_days(d, n)
    assert CAL.is_working_day(result)
    if n > 0:  # n working days in (d, result], from any d
        assert result > d
        assert CAL.working_days_between(d, result) == n
    elif n < 0:  # the mirror image: |n| working days in [result, d)
        assert result < d
        in_closed_open = CAL.working_days_between(result, d) + 1 - CAL.is_working_day(d)
        assert in_closed_open == -n
        if CAL.is_working_day(d):
            assert CAL.working_days_between(d, result) == n


@given(
    st.dates(min_value=D(1995, 1, 1), max_value=D(2097, 1, 1)),
    st.integers(0, 300),
    st.integers(0, 300),
)
def test_add_is_additive_on_working_days(d: date, a: int, b: int) -> None:
    start = CAL.add_working_days(d, 0)
    assert CAL.add_working_days(CAL.add_working_days(start, a), b) == CAL.add_working_days(
        start, a + b
    )


@given(dates, dates, small)
def test_monotone(d1: date, d2: date, n: int) -> None:
    lo, hi = min(d1, d2), max(d1, d2)
    assert CAL.add_working_days(lo, n) <= CAL.add_working_days(hi, n)
    assert CAL.add_working_days(lo, n) <= CAL.add_working_days(lo, n + 1)


@given(dates, dates, dates)
def test_count_is_additive(a: date, b: date, c: date) -> None:
    assert CAL.working_days_between(a, b) + CAL.working_days_between(
        b, c
    ) == CAL.working_days_between(a, c)


# +-3,000 working hours is about 1.5 years: the moments keep two years from the range's ends.
moments = st.datetimes(min_value=datetime(1997, 1, 1), max_value=datetime(2099, 1, 1))
amounts = st.integers(min_value=-3_000 * 3600, max_value=3_000 * 3600).map(
    lambda s: timedelta(seconds=s)
)


@given(moments, amounts)
def test_working_time_round_trip(at: datetime, amount: timedelta) -> None:
    result = CAL.add_working_time(at, amount)
    assert CAL.working_time_between(at, result) == amount
    if amount > timedelta(0):
        assert result > at
        # the earliest such moment: a moment earlier by a second has not got there yet
        assert CAL.working_time_between(at, result - timedelta(seconds=1)) < amount


@given(moments, moments)
def test_working_time_between_is_antisymmetric(a: datetime, b: datetime) -> None:
    assert CAL.working_time_between(a, b) == -CAL.working_time_between(b, a)
    if a <= b:
        assert timedelta(0) <= CAL.working_time_between(a, b) <= b - a


@given(moments, st.integers(0, 2000), st.integers(0, 2000))
def test_working_time_monotone(at: datetime, m1: int, m2: int) -> None:
    lo, hi = sorted((m1, m2))
    assert CAL.add_working_time(at, timedelta(minutes=lo)) <= CAL.add_working_time(
        at, timedelta(minutes=hi)
    )


# --------------------------------------------------------------------------- numpy oracle

np = pytest.importorskip("numpy")


def _non_working(cal: WorkingCalendar, first: date, last: date) -> list[date]:
    out = []
    d = first
    while d <= last:
        if not cal.is_working_day(d):
            out.append(d)
        d += timedelta(days=1)
    return out


ORACLE_RANGE = (D(2008, 1, 1), D(2040, 12, 31))
_BUSDAYCAL = np.busdaycalendar(
    weekmask="1111111",  # every day is a business day unless listed: make-up Saturdays work
    holidays=np.array(_non_working(CAL, *ORACLE_RANGE), dtype="datetime64[D]"),
)
oracle_dates = st.dates(min_value=D(2010, 1, 1), max_value=D(2038, 12, 31))


@settings(max_examples=300)
@given(oracle_dates, st.integers(-300, 300))
def test_add_matches_numpy(d: date, n: int) -> None:
    # ours(d, n>=1) = numpy roll='backward' then +n; n <= 0: roll='forward' then +n.
    roll = "backward" if n >= 1 else "forward"
    expected = np.busday_offset(np.datetime64(d), n, roll=roll, busdaycal=_BUSDAYCAL)
    assert np.datetime64(CAL.add_working_days(d, n)) == expected


@settings(max_examples=300)
@given(oracle_dates, oracle_dates)
def test_count_matches_numpy(a: date, b: date) -> None:
    # (a, b] is numpy's half-open [a + 1, b + 1). numpy's own sign convention for reversed
    # dates differs from ours (it counts (end, begin]), so the oracle only counts forwards.
    one = timedelta(days=1)
    lo, hi = min(a, b), max(a, b)
    forward = np.busday_count(
        np.datetime64(lo + one), np.datetime64(hi + one), busdaycal=_BUSDAYCAL
    )
    assert CAL.working_days_between(a, b) == (int(forward) if a <= b else -int(forward))


# --------------------------------------------------------------------------- brute-force oracle


def _brute_add(cal: WorkingCalendar, at: datetime, minutes: int) -> datetime:
    """Walk day by day through the working intervals: an oracle independent of the index."""
    t = at
    left = minutes
    while left > 0:
        day = t.date()
        for start, end in cal.working_intervals(day):
            if t < end:
                t = max(t, start)
                step = min(left, int((end - t).total_seconds() // 60))
                t += timedelta(minutes=step)
                left -= step
                if left == 0:
                    return t
        t = datetime.combine(day + timedelta(days=1), time())
    return t


@settings(max_examples=300)
@given(
    st.datetimes(min_value=datetime(2025, 12, 20), max_value=datetime(2026, 12, 20)).map(
        lambda d: d.replace(second=0, microsecond=0)
    ),
    st.integers(min_value=1, max_value=60 * 40),
)
def test_add_working_time_matches_an_interval_walk(at: datetime, minutes: int) -> None:
    assert CAL.add_working_time(at, timedelta(minutes=minutes)) == _brute_add(CAL, at, minutes)


def test_a_calendar_pickles_as_its_definition() -> None:
    """A worker process gets the same calendar: equal, the same hash, the same answers (its
    compiled index, which holds a lock, is rebuilt where it is unpickled)."""
    import pickle

    cal = vietnam_calendar(years=(2020, 2030), extra_workdays=[(date(2026, 11, 29), "Trực")])
    cal.add_working_days(date(2026, 11, 20), 5)  # a compiled block
    back = pickle.loads(pickle.dumps(cal))
    assert back == cal
    assert hash(back) == hash(cal)
    assert back.is_working_day(date(2026, 11, 29))  # the office's Sunday
    assert not back.is_working_day(date(2026, 11, 24))  # Ngày Văn hóa Việt Nam
    # Fri 20 + 5: Mon 23, (Tue 24 off), Wed 25, Thu 26, Fri 27, (Sat 28 off), Sun 29 (open)
    assert back.add_working_days(date(2026, 11, 20), 5) == date(2026, 11, 29)
    assert back.confirmed_until == cal.confirmed_until
    assert back.covered == cal.covered
