"""Bad values are refused with an error of the library that names them, never a silent answer.

Covers the processing-time constructors and specs (types, NaN, infinities, signs, the maxima of
``MAX_AMOUNTS``), the parser (non-str input, negative times, absurd amounts, the dashes that
must keep their readings), the calendar's override arguments, and a RESCHEDULED ``new_due``
given as a date or with the wrong time-zone style.

Calendar facts used (2026, default schedule Mon-Fri 07:30-11:30 and 13:30-17:00): early
November has no day off; Sunday 8/11 is a weekly rest day; Tuesday 24/11 is Ngày Văn hóa Việt
Nam (a holiday from 2026); Monday 30/11 is an ordinary working day.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tthc_sla import (
    Dossier,
    Event,
    EventKind,
    Outcome,
    Procedure,
    ProcessingTime,
    ProcessingTimeKind,
    WeeklySchedule,
    WorkingCalendar,
    deadline,
    evaluate,
    parse_processing_time,
    vietnam_calendar,
)
from tthc_sla.errors import (
    CalendarRangeError,
    HistoryError,
    InputTypeError,
    PolicyError,
    RuleParseError,
    TimezoneMixError,
    TthcSlaError,
)
from tthc_sla.rules._processing_time import MAX_AMOUNTS

K = ProcessingTimeKind
E = EventKind
DT = datetime
CAL = vietnam_calendar()
VN = ZoneInfo("Asia/Ho_Chi_Minh")
AS_OF = DT(2026, 12, 31)

# --------------------------------------------------------------------- ProcessingTime values

CONSTRUCTORS: dict[ProcessingTimeKind, Callable[..., ProcessingTime]] = {
    K.WORKING_DAYS: ProcessingTime.working_days,
    K.CALENDAR_DAYS: ProcessingTime.calendar_days,
    K.WORKING_HOURS: ProcessingTime.working_hours,
    K.MONTHS: ProcessingTime.months,
}


@pytest.mark.parametrize("kind", list(CONSTRUCTORS))
@pytest.mark.parametrize(
    "value",
    [None, "5", b"5", True, False, float("nan"), float("inf"), float("-inf"), -5, -0.5, 0,
     [5], 10**30, 1e30, 10**400, 1e308],
    ids=repr,
)  # fmt: skip
def test_constructors_refuse_bad_amounts(kind: ProcessingTimeKind, value: object) -> None:
    # Each is refused by the library's own error (a ValueError, never a bare TypeError or an
    # OverflowError from math.isfinite(10**400)), naming the value and what was expected: an
    # InputTypeError naming ``amount`` for a value that is no number (a bool is none either),
    # a PolicyError for a number (or a missing amount) that breaks the rules.
    wrong_type = isinstance(value, str | bytes | bool | list)
    error = InputTypeError if wrong_type else PolicyError
    with pytest.raises(error, match="expected") as info:
        CONSTRUCTORS[kind](value)
    assert isinstance(info.value, ValueError)
    if wrong_type:
        assert isinstance(info.value, InputTypeError)
        assert info.value.name == "amount"
    if isinstance(value, float) and math.isnan(value):
        assert "nan" in str(info.value)
    else:
        assert repr(value)[:40] in str(info.value)


@pytest.mark.parametrize(
    ("kind", "limit"),
    [
        # A millennium: 1,000 x 366 days, 1,000 x 12 months, 1,000 x 366 days of 8 hours.
        (K.WORKING_DAYS, 366_000),
        (K.CALENDAR_DAYS, 366_000),
        (K.WORKING_HOURS, 2_928_000),
        (K.MONTHS, 12_000),
    ],
)
def test_maximum_amounts_both_sides(kind: ProcessingTimeKind, limit: int) -> None:
    assert MAX_AMOUNTS[kind] == limit
    assert CONSTRUCTORS[kind](limit).amount == limit
    with pytest.raises(PolicyError, match=rf"^{limit + 1}: expected at most {limit} "):
        CONSTRUCTORS[kind](limit + 1)
    with pytest.raises(PolicyError, match=r"difficult_area_extra of at most"):
        CONSTRUCTORS[kind](1, difficult_area_extra=limit + 1)
    assert CONSTRUCTORS[kind](1, difficult_area_extra=limit).difficult_area_extra == limit


def test_from_spec_refuses_non_str() -> None:
    with pytest.raises(InputTypeError, match=r"^spec=None: expected a str") as info:
        ProcessingTime.from_spec(None)  # type: ignore[arg-type]
    assert isinstance(info.value, TypeError)  # still a TypeError for callers that catch it
    with pytest.raises(InputTypeError, match=r"spec=15: expected a str"):
        ProcessingTime.from_spec(15)  # type: ignore[arg-type]


def test_from_spec_absurd_amounts() -> None:
    with pytest.raises(RuleParseError, match=rf"amount {10**30} not allowed: expected at most"):
        ProcessingTime.from_spec(f"{10**30}wd")
    assert ProcessingTime.from_spec("366000wd") == ProcessingTime.working_days(366_000)
    with pytest.raises(RuleParseError, match=r"'366001wd'.*at most 366000 working days"):
        ProcessingTime.from_spec("366001wd")
    assert ProcessingTime.from_spec("12000m").amount == 12_000
    with pytest.raises(RuleParseError, match=r"at most 12000 months"):
        ProcessingTime.from_spec("12001m")


def test_deadline_of_a_spec_with_a_refused_amount_says_why() -> None:
    # The spec is not handed to the Vietnamese parser, whose reason ("no processing time is
    # stated") would hide the real one.
    with pytest.raises(RuleParseError, match=r"at most 366000 working days"):
        deadline(DT(2026, 11, 2, 9), f"{10**30}wd", CAL)
    with pytest.raises(RuleParseError, match=r"amount 0 not allowed"):
        Procedure("1.001", "Cấp phép", "0wd")


@pytest.mark.parametrize(
    "spec", ["366000wd", "366000d", "2928000h", "12000m", "1.5wd", "same-day"]
)
def test_amounts_at_the_maximum_end_in_a_range_error(spec: str) -> None:
    # At the very end of what a calendar may cover (year 9998), adding the largest amount
    # would pass date.max: a CalendarRangeError, never an OverflowError or ValueError.
    late = WorkingCalendar(WeeklySchedule.default(), years=(9990, 9998))
    if spec in ("1.5wd", "same-day"):
        # Control: small amounts still work there (no statutory holidays in a bare calendar).
        assert deadline(DT(9998, 6, 1, 9), spec, late).due_at.year == 9998
        return
    with pytest.raises(CalendarRangeError, match=r"after the calendar's range \(9990-01-01"):
        deadline(DT(9998, 6, 1, 9), spec, late)
    with pytest.raises(CalendarRangeError):
        deadline(DT(2026, 11, 2, 9), spec, CAL)


# --------------------------------------------------------------------------- the parser


@pytest.mark.parametrize("value", [None, 15, b"15 ngay", ["15 ngày"]], ids=repr)
def test_parser_refuses_non_str(value: object) -> None:
    with pytest.raises(InputTypeError, match=rf"^text={re.escape(repr(value))}: expected a str"):
        parse_processing_time(value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("-5 ngày làm việc", "-5 ngày làm việc"),
        ("− 5 ngày làm việc", "-5 ngày làm việc"),  # U+2212 MINUS SIGN, then a space
        ("−5 ngày", "-5 ngày"),
        ("–5 ngày làm việc", "-5 ngày làm việc"),  # an en dash touching the digits
        ("Thời hạn giải quyết: -10 ngày kể từ ngày nhận đủ hồ sơ", "-10 ngày"),
        ("(-3 tháng)", "-3 tháng"),
        ("−30 phút", "-30 phút"),
        ("-1,5 ngày làm việc", "-1,5 ngày làm việc"),
        # A negative ceiling of an extension is no ceiling: refused, not dropped.
        ("15 ngày làm việc, gia hạn không quá -5 ngày", "-5 ngày"),
    ],
)
def test_parser_refuses_negative_times(text: str, shown: str) -> None:
    with pytest.raises(RuleParseError, match=rf"a negative time \({re.escape(shown)}\)"):
        parse_processing_time(text)


@pytest.mark.parametrize(
    ("text", "kind", "amount"),
    [
        # A dash followed by a space is a bullet or a separator in published texts.
        ("- 5 ngày làm việc", K.WORKING_DAYS, 5),
        ("Thời hạn giải quyết: - 10 ngày kể từ ngày nhận đủ hồ sơ", K.CALENDAR_DAYS, 10),
        ("Trực tiếp tại Bộ phận Một cửa - 07 ngày làm việc kể từ ngày nhận", K.WORKING_DAYS, 7),
        # A dash between two numbers is a range, whose upper bound is the limit.
        ("05 – 10 ngày", K.CALENDAR_DAYS, 10),
        ("05 − 10 ngày", K.CALENDAR_DAYS, 10),
        ("05 –10 ngày", K.CALENDAR_DAYS, 10),
        ("05 ngày –10 ngày", K.CALENDAR_DAYS, 10),
        ("từ 5 - 7 ngày", K.CALENDAR_DAYS, 7),
        ("5-7 ngày", K.CALENDAR_DAYS, 7),
    ],
)
def test_dashes_keep_their_readings(text: str, kind: ProcessingTimeKind, amount: int) -> None:
    pt = parse_processing_time(text)
    assert isinstance(pt, ProcessingTime)
    assert (pt.kind, pt.amount) == (kind, amount)


def test_parser_refuses_absurd_amounts() -> None:
    with pytest.raises(RuleParseError, match=r"an amount too large \(1000000000000000000000000000000 ngày làm việc\): expected at most 366000 working days"):  # noqa: E501
        parse_processing_time(f"{10**30} ngày làm việc")
    # Both sides of each maximum, including amounts of 7 digits (more than a real time has).
    assert parse_processing_time("366000 ngày").amount == 366_000  # type: ignore[union-attr]
    assert parse_processing_time("12000 tháng").amount == 12_000  # type: ignore[union-attr]
    hours = parse_processing_time("2928000 giờ làm việc")
    assert hours.amount == 2_928_000  # type: ignore[union-attr]
    for text in ("366001 ngày", "366001 ngày làm việc", "12001 tháng", "2928001 giờ"):
        with pytest.raises(RuleParseError, match=r"an amount too large"):
            parse_processing_time(text)
    # An extension or an extra for difficult areas is refused too, not dropped.
    with pytest.raises(RuleParseError, match=r"too large \(9999999 ngày\)"):
        parse_processing_time("15 ngày làm việc, gia hạn không quá 9999999 ngày")


def test_parser_huge_digit_runs_are_quick() -> None:
    # 100,000 digits: never converted to an int (CPython refuses over 4,300 digits).
    with pytest.raises(RuleParseError, match=r"an amount too large \(99999"):
        parse_processing_time("9" * 100_000 + " ngày")


@given(st.integers(1, 366_000))
def test_parser_reads_any_allowed_amount(n: int) -> None:
    pt = parse_processing_time(f"{n} ngày làm việc")
    assert isinstance(pt, ProcessingTime)
    assert (pt.kind, pt.amount) == (K.WORKING_DAYS, n)


@given(st.integers(1, 10**40), st.sampled_from(["-", "–", "−", "− "]))
def test_parser_refuses_any_negative_amount(n: int, minus: str) -> None:
    with pytest.raises(RuleParseError, match=r"a negative time|an amount too large"):
        parse_processing_time(f"{minus}{n} ngày")


# ---------------------------------------------------------------------- calendar overrides


@pytest.mark.parametrize("name", ["extra_days_off", "extra_workdays"])
@pytest.mark.parametrize(
    ("value", "hint"),
    [
        (date(2026, 11, 30), "wrap a single date in a list"),
        (DT(2026, 11, 30, 8), "wrap a single date in a list"),
        ((date(2026, 11, 30), "lý do"), "wrap a single pair in a list"),
        ({date(2026, 11, 30): "lý do"}, "for a dict pass .items()"),
        ("2026-11-30", ""),
        (20261130, ""),
        (None, ""),
    ],
    ids=repr,
)
def test_overrides_must_be_an_iterable(name: str, value: object, hint: str) -> None:
    expected = rf"^{name}={re.escape(repr(value))}: expected an iterable of dates or \(date, reason\) pairs"  # noqa: E501
    with pytest.raises(InputTypeError, match=expected + (f"; {re.escape(hint)}" if hint else "$")):
        vietnam_calendar(**{name: value})  # type: ignore[arg-type]
    with pytest.raises(InputTypeError, match=expected):
        CAL.with_overrides(**{name: value})  # type: ignore[arg-type]


def test_overrides_name_the_bad_item() -> None:
    with pytest.raises(InputTypeError, match=r"^extra_days_off\[1\]='2026-12-01': expected a"):
        vietnam_calendar(extra_days_off=[date(2026, 11, 30), "2026-12-01"])  # type: ignore[list-item]


def test_overrides_as_lists_still_work() -> None:
    assert CAL.is_working_day(date(2026, 11, 30))  # an ordinary Monday
    off = vietnam_calendar(extra_days_off=[date(2026, 11, 30)])
    assert not off.is_working_day(date(2026, 11, 30))
    named = vietnam_calendar(extra_days_off=[(date(2026, 11, 30), "lý do")])
    assert (date(2026, 11, 30), "lý do") in named.days_off(2026)
    sunday = vietnam_calendar(extra_workdays=(d for d in [date(2026, 11, 29)]))
    assert sunday.is_working_day(date(2026, 11, 29))


# ------------------------------------------------------------------- RESCHEDULED new_due

P3 = Procedure("1.001", "Cấp phép", "3wd")
# Received Mon 2/11 09:00: 3 working days (3, 4, 5/11) -> due Thu 5/11 17:00. An apology on
# Tue 3/11 is 2 working days before the due date (at least one is required).
FRI_6_15H = DT(2026, 11, 6, 15)
P16H = Procedure("1.005", "Cấp đổi", "16h")
# Received Mon 2/11 09:00: 2.5 h + 3.5 h on Monday, 7.5 h on Tuesday (13.5 h), the last 2.5 h
# from 07:30 on Wednesday -> due Wed 4/11 10:00, judged by moment.


def history(
    new_due: object,
    *,
    proc: Procedure = P3,
    tz: object = None,
    finish: datetime = FRI_6_15H,
) -> Dossier:
    def at(t: datetime) -> datetime:
        return t if tz is None else t.replace(tzinfo=tz)  # type: ignore[arg-type]

    return Dossier(
        "HS-1",
        proc,
        [
            Event(at(DT(2026, 11, 2, 9)), E.RECEIVED),
            Event(at(DT(2026, 11, 2, 9, 30)), E.RESCHEDULED, new_due=new_due),  # type: ignore[arg-type]
            Event(at(finish), E.RESOLVED),
        ],
    )


def test_date_new_due_is_the_close_of_that_working_day() -> None:
    # Fri 6/11 is a working day closing at 17:00: the date means 6/11 17:00.
    by_date = evaluate(history(date(2026, 11, 6)), CAL, as_of=AS_OF)
    by_moment = evaluate(history(DT(2026, 11, 6, 17, 0)), CAL, as_of=AS_OF)
    assert by_date.rescheduled_due == by_moment.rescheduled_due == DT(2026, 11, 6, 17, 0)
    # Resolved Fri 6/11 15:00: a day after the due date (late by 1 working day), by the new one.
    assert by_date.due_at == DT(2026, 11, 5, 17, 0)
    assert (by_date.outcome, by_date.late_working_days) == (Outcome.LATE, 1)
    assert by_date.met_rescheduled
    assert by_moment.met_rescheduled
    assert by_date.timeline == by_moment.timeline


def test_date_new_due_is_not_midnight() -> None:
    # Judged by moment (an hour rule): resolved Fri 6/11 16:00, after the due moment Wed 4/11
    # 10:00 but before the close of Fri 6/11: the new appointment is met. Midnight of 6/11
    # would not be.
    d = history(date(2026, 11, 6), proc=P16H, finish=DT(2026, 11, 6, 16))
    e = evaluate(d, CAL, as_of=AS_OF)
    assert e.due_at == DT(2026, 11, 4, 10, 0)
    assert e.outcome is Outcome.LATE
    assert e.rescheduled_due == DT(2026, 11, 6, 17, 0)
    assert e.met_rescheduled
    midnight = evaluate(
        history(DT(2026, 11, 6), proc=P16H, finish=DT(2026, 11, 6, 16)), CAL, as_of=AS_OF
    )
    assert not midnight.met_rescheduled


@pytest.mark.parametrize(
    ("day", "why"),
    [
        (date(2026, 11, 8), "a weekly rest day"),  # a Sunday
        (date(2026, 11, 24), "Ngày Văn hóa Việt Nam"),  # a holiday from 2026
    ],
)
def test_date_new_due_on_a_day_off_breaks_the_history(day: date, why: str) -> None:
    # 10 working days from Mon 2/11: 3-6, 9-13, 16/11 -> due Mon 16/11; both days are after it.
    p10 = Procedure("1.002", "Đăng ký", "10wd")
    d = history(day, proc=p10, finish=DT(2026, 11, 13, 9))
    pattern = rf"event 1: RESCHEDULED to {day}, a day off \({why}\); the new appointment must"
    with pytest.raises(HistoryError, match=pattern):
        evaluate(d, CAL, as_of=AS_OF)
    lenient = evaluate(d, CAL, as_of=AS_OF, strict=False)
    assert lenient.rescheduled_due is None
    assert lenient.outcome is Outcome.EARLY  # the rest of the history is still judged
    assert len(lenient.warnings) == 1
    assert re.search(pattern, lenient.warnings[0])


def test_date_new_due_not_after_the_due_date_is_refused() -> None:
    # Thu 5/11 closes at 17:00, the current due moment itself: not a later appointment.
    with pytest.raises(HistoryError, match=r"RESCHEDULED to 2026-11-05, not after the current"):
        evaluate(history(date(2026, 11, 5)), CAL, as_of=AS_OF)


def test_date_new_due_outside_the_calendar() -> None:
    with pytest.raises(CalendarRangeError, match=r"^new_due 2226-11-06 is after the calendar"):
        evaluate(history(date(2226, 11, 6)), CAL, as_of=AS_OF)


def test_date_new_due_in_an_aware_history_is_given_back_aware() -> None:
    e = evaluate(history(date(2026, 11, 6), tz=VN), CAL, as_of=AS_OF.replace(tzinfo=VN))
    assert e.rescheduled_due == DT(2026, 11, 6, 17, 0, tzinfo=VN)
    assert e.rescheduled_due is not None
    assert e.rescheduled_due.tzinfo is not None
    assert e.met_rescheduled
    # An aware new_due in another zone is the same moment: 10:00 UTC is 17:00 in Hà Nội.
    utc = evaluate(
        history(DT(2026, 11, 6, 10, tzinfo=UTC), tz=VN), CAL, as_of=AS_OF.replace(tzinfo=VN)
    )
    assert utc.rescheduled_due == e.rescheduled_due


@pytest.mark.parametrize("strict", [True, False])
def test_new_due_of_the_other_time_zone_style_is_refused(strict: bool) -> None:
    aware_due = DT(2026, 11, 6, 17, tzinfo=VN)
    with pytest.raises(TimezoneMixError) as info:
        evaluate(history(aware_due), CAL, as_of=AS_OF, strict=strict)
    assert repr(aware_due) in str(info.value)
    assert repr(DT(2026, 11, 2, 9, 30)) in str(info.value)  # the event's own timestamp

    naive_due = DT(2026, 11, 6, 17)
    with pytest.raises(TimezoneMixError) as info:
        evaluate(history(naive_due, tz=VN), CAL, as_of=AS_OF.replace(tzinfo=VN), strict=strict)
    assert repr(naive_due) in str(info.value)
    assert repr(DT(2026, 11, 2, 9, 30, tzinfo=VN)) in str(info.value)


def test_every_error_here_is_the_librarys() -> None:
    for error in (InputTypeError, PolicyError, RuleParseError, TimezoneMixError, HistoryError):
        assert issubclass(error, TthcSlaError)


@given(st.dates(date(2026, 11, 6), date(2027, 6, 30)))
def test_any_working_date_equals_its_close(day: date) -> None:
    if not CAL.is_working_day(day):
        with pytest.raises(HistoryError, match="a day off"):
            evaluate(history(day), CAL, as_of=AS_OF)
        return
    by_date = evaluate(history(day), CAL, as_of=AS_OF)
    by_close = evaluate(history(CAL.close_of_day(day)), CAL, as_of=AS_OF)
    assert by_date.rescheduled_due == by_close.rescheduled_due == CAL.close_of_day(day)
    assert by_date.met_rescheduled is by_close.met_rescheduled


# ------------------------------------------------------------------------ the batch path


def test_batch_takes_date_new_due_from_an_object_column() -> None:
    pd = pytest.importorskip("pandas")
    from tthc_sla.batch import evaluate_frame

    events = pd.DataFrame(
        {
            "dossier_id": ["HS-1"] * 3,
            "procedure": [P16H.code] * 3,
            "at": pd.to_datetime(["2026-11-02 09:00", "2026-11-02 09:30", "2026-11-06 16:00"]),
            "kind": ["received", "rescheduled", "resolved"],
            "new_due": pd.Series([None, date(2026, 11, 6), None], dtype=object),
        }
    )
    out = evaluate_frame(events, [P16H], CAL, as_of=AS_OF)
    # The same as the scalar evaluation above: late, but by the new appointment (6/11 17:00).
    assert out.loc[0, "outcome"] == "late"
    assert bool(out.loc[0, "met_rescheduled"])
    assert bool(out.loc[0, "scalar"])
    events.loc[1, "new_due"] = date(2026, 11, 8)  # a Sunday
    with pytest.raises(HistoryError, match=r"2026-11-08, a day off"):
        evaluate_frame(events, [P16H], CAL, as_of=AS_OF)
