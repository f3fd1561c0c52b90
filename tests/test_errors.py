"""One error vocabulary (DESIGN §8): a value of the wrong type is an InputTypeError naming the
parameter or field; a value of the right type that breaks a rule is a PolicyError; a date or a
year outside a calendar is a CalendarRangeError naming the parameter (or the call whose result
left the range)."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from tthc_sla import (
    CalendarRangeError,
    CompositeProcessingTime,
    DayKind,
    DayOverride,
    DeadlinePolicy,
    Dossier,
    Event,
    InputTypeError,
    PolicyError,
    Procedure,
    ProcessingTime,
    ProcessingTimeKind,
    Step,
    Summary,
    TthcSlaError,
    WeeklySchedule,
    WorkingCalendar,
    deadline,
    evaluate,
    legal_basis,
    parse_processing_time,
    summarize,
    vietnam_calendar,
)

CAL = vietnam_calendar()
AT = datetime(2026, 11, 20, 9)
D = date
PROC = Procedure("1.001", "Cấp phép", "5wd")
PT = ProcessingTime
WD = ProcessingTimeKind.WORKING_DAYS
SRC = Path(__file__).resolve().parent.parent / "src" / "tthc_sla"

# --------------------------------------------------------------------------- wrong types

# (call, the parameter or field named, the value named): one row per raise site at least.
WRONG_TYPES: list[tuple[Callable[[], object], str, object]] = [
    # history.py
    (lambda: Event(AT, "received", step=5), "step", 5),  # type: ignore[arg-type]
    (lambda: Dossier("A", PROC, [], agency=7), "agency", 7),  # type: ignore[arg-type]
    (lambda: Event(AT, "rescheduled", new_due="2026-12-01"), "new_due", "2026-12-01"),  # type: ignore[arg-type]
    (lambda: Dossier("A", PROC, [Event(AT, "received"), "x"]), "events[1]", "x"),  # type: ignore[list-item]
    (lambda: Dossier(3, PROC, []), "id", 3),  # type: ignore[arg-type]
    (lambda: Dossier("A", "1.001", []), "procedure", "1.001"),  # type: ignore[arg-type]
    # procedure.py
    (lambda: Procedure("1.001", "Cấp phép", 5), "rule", 5),  # type: ignore[arg-type]
    (lambda: Step("Thẩm định", "Phòng A", 5), "allotment", 5),  # type: ignore[arg-type]
    (lambda: Step(5, "Phòng A", "5wd"), "name", 5),  # type: ignore[arg-type]
    (lambda: Procedure(None, "Cấp phép", "5wd"), "code", None),  # type: ignore[arg-type]
    (lambda: Procedure("1", "P", "5wd", 5), "steps", 5),  # type: ignore[arg-type]
    (lambda: Procedure("1", "P", "5wd", "ab"), "steps", "ab"),  # type: ignore[arg-type]
    (lambda: Procedure("1", "P", "5wd", ["x"]), "steps[0]", "x"),  # type: ignore[list-item]
    (lambda: Procedure("1", "P", "5wd", supplement=1), "supplement", 1),  # type: ignore[arg-type]
    (
        lambda: Procedure("1", "P", "5wd", extra_days_difficult_area="10"),  # type: ignore[arg-type]
        "extra_days_difficult_area",
        "10",
    ),
    # rules/_processing_time.py
    (lambda: PT.working_days("5"), "amount", "5"),  # type: ignore[arg-type]
    (lambda: PT("days", 5), "kind", "days"),  # type: ignore[arg-type]
    (lambda: PT.working_days(5, note=5), "note", 5),
    (lambda: PT.working_days(5, extension="5wd"), "extension", "5wd"),
    (
        lambda: PT.working_days(3, extension=PT.working_days(5), extension_mode=1),
        "extension_mode",
        1,
    ),
    (lambda: PT.working_days(5, difficult_area_extra="2"), "difficult_area_extra", "2"),
    (lambda: CompositeProcessingTime("ab"), "parts", "ab"),  # type: ignore[arg-type]
    (lambda: CompositeProcessingTime((("a", "5wd"),)), "parts[0]", ("a", "5wd")),  # type: ignore[arg-type]
    # rules/_policy.py
    (lambda: DeadlinePolicy(due_time=5), "due_time", 5),  # type: ignore[arg-type]
    (lambda: DeadlinePolicy(receipt_day_counts="yes"), "receipt_day_counts", "yes"),  # type: ignore[arg-type]
    (lambda: DeadlinePolicy(same_day_cutoff="15:00"), "same_day_cutoff", "15:00"),  # type: ignore[arg-type]
    # rules/_basis.py
    (lambda: legal_basis(5, D(2026, 1, 2)), "rule", 5),  # type: ignore[arg-type]
    # calendar/_calendar.py
    (lambda: WorkingCalendar(years=(2026,)), "years", (2026,)),  # type: ignore[arg-type]
    (lambda: WorkingCalendar(statutory=1), "statutory", 1),  # type: ignore[arg-type]
    (
        lambda: WorkingCalendar(covered=((D(2027, 1, 1), D(2027, 1, 2)),)),  # type: ignore[arg-type]
        "covered[0]",
        (D(2027, 1, 1), D(2027, 1, 2)),
    ),
    (lambda: CAL.days_off(2026, lang=1), "lang", 1),  # type: ignore[arg-type]
    (lambda: WorkingCalendar(overrides=(D(2026, 1, 2),)), "overrides[0]", D(2026, 1, 2)),  # type: ignore[arg-type]
    (lambda: CAL.days_off("2026"), "year", "2026"),  # type: ignore[arg-type]
    (lambda: CAL.covered_periods(2026.0), "year", 2026.0),  # type: ignore[arg-type]
    (lambda: vietnam_calendar(years=2026), "years", 2026),  # type: ignore[arg-type]
    # calendar/_schedule.py
    (lambda: WeeklySchedule([1]), "week", [1]),  # type: ignore[arg-type]
    (lambda: WeeklySchedule({"0": ((time(8), time(12)),)}), "week", "0"),  # type: ignore[dict-item]
    (lambda: WeeklySchedule({0: (time(8),)}), "week[0]", time(8)),  # type: ignore[dict-item]
    (lambda: WeeklySchedule({0: ((8, 12),)}), "week[0]", (8, 12)),  # type: ignore[dict-item]
    (
        lambda: WeeklySchedule({0: ((time(8), time(12)),)}, makeup_weekday="0"),  # type: ignore[arg-type]
        "makeup_weekday",
        "0",
    ),
    # metrics.py
    (lambda: Summary(resolved="3"), "resolved", "3"),  # type: ignore[arg-type]
    (lambda: Summary().rate(5), "name", 5),  # type: ignore[arg-type]
    (lambda: summarize([], by=(5,)), "by", 5),  # type: ignore[arg-type]
    (lambda: summarize([], period=5), "period", 5),  # type: ignore[arg-type]
    (lambda: summarize([], period=("a", "b")), "period", ("a", "b")),  # type: ignore[arg-type]
]


@pytest.mark.parametrize(
    ("call", "name", "value"), WRONG_TYPES, ids=[f"{n}={v!r}" for _, n, v in WRONG_TYPES]
)
def test_a_wrong_type_is_an_input_type_error_naming_the_parameter(
    call: Callable[[], object], name: str, value: object
) -> None:
    with pytest.raises(InputTypeError) as info:
        call()
    error = info.value
    assert (error.name, error.value) == (name, value)
    assert str(error).startswith(f"{name}={value!r}: expected ")
    # Still a library error and a TypeError, for callers that catch either.
    assert isinstance(error, TthcSlaError)
    assert isinstance(error, TypeError)
    assert not isinstance(error, PolicyError)


# --------------------------------------------------------------------------- right type, bad value

# The other side of each site split above: the right type, breaking a rule.
BROKEN_RULES: list[tuple[Callable[[], object], str]] = [
    (lambda: Dossier("", PROC, []), "a dossier id: a non-empty string"),
    (lambda: Event(AT, "rescheduled"), "RESCHEDULED with new_due="),
    (lambda: Event(AT, "received", new_due=D(2026, 12, 1)), "new_due only on a RESCHEDULED"),
    (lambda: Step(" ", "Phòng A", "5wd"), "name: a non-empty string"),
    (lambda: Procedure("1", "P", "5wd", supplement="wait"), "supplement='restart' or 'pause'"),
    (lambda: Procedure("1", "P", "5wd", extra_days_difficult_area=-1), "a number >= 0"),
    (lambda: PT(WD), "a positive number as the amount of WORKING_DAYS"),
    (lambda: PT.working_days(5, note="  "), "a non-empty string or None as the note"),
    (
        lambda: PT.working_days(3, extension=PT.working_days(5), extension_mode="more"),
        "an ExtensionMode",
    ),
    (lambda: PT.working_days(5, difficult_area_extra=-1), "a non-negative, finite number"),
    (lambda: CompositeProcessingTime(()), "a non-empty tuple"),
    (lambda: DeadlinePolicy(due_time="at noon"), "due_time='end_of_day' or 'same_time'"),
    (lambda: DeadlinePolicy(same_day_cutoff=time(15, tzinfo=UTC)), "a naive datetime.time"),
    (lambda: legal_basis("hẹn trả", D(2026, 1, 2)), "a rule of the legal-basis table"),
    (lambda: WorkingCalendar(years=(2030, 2020)), "first_year <= last_year"),
    (lambda: WorkingCalendar(statutory="US"), "statutory='VN'"),
    (lambda: CAL.days_off(2026, lang="fr"), "lang='vi' or lang='en'"),
    (lambda: WeeklySchedule({7: ((time(8), time(12)),)}), "a weekday number from 0"),
    (
        lambda: WeeklySchedule({0: ((time(8), time(12)),)}, makeup_weekday=5),
        "a weekday (0 = Monday) that has working hours",
    ),
    (lambda: Summary(resolved=-1), "resolved: a count"),
    (lambda: Summary().rate("punctuality"), "a rate name"),
    (lambda: summarize([], by=("colour",)), "a group key"),
    (lambda: summarize([], period=(D(2026, 10, 31), D(2026, 10, 1))), "first_day <= last_day"),
]


@pytest.mark.parametrize(("call", "expected"), BROKEN_RULES)
def test_a_bad_value_of_the_right_type_stays_a_policy_error(
    call: Callable[[], object], expected: str
) -> None:
    with pytest.raises(PolicyError, match=re.escape(expected)) as info:
        call()
    assert not isinstance(info.value, TypeError)


# --------------------------------------------------------------------------- ranges

SMALL = vietnam_calendar(years=(2026, 2026))
BEYOND = D(2101, 1, 1)
BEFORE = D(1990, 1, 1)
IN = D(2026, 11, 20)

# (call, the start of the message: the parameter and the value it received)
OUT_OF_RANGE: list[tuple[Callable[[], object], str]] = [
    (lambda: CAL.working_days_between(IN, BEYOND), "b 2101-01-01 is after"),
    (lambda: CAL.working_days_between(BEFORE, IN), "a 1990-01-01 is before"),
    (lambda: CAL.days_off_between(BEFORE, IN), "a 1990-01-01 is before"),
    (lambda: CAL.days_off_between(IN, BEYOND), "b 2101-01-01 is after"),
    (lambda: CAL.working_time_between(AT, datetime(2101, 1, 1, 9)), "b 2101-01-01 is after"),
    (lambda: CAL.working_time_between(datetime(1990, 1, 1, 9), AT), "a 1990-01-01 is before"),
    (
        lambda: CAL.working_time_between(
            AT.replace(tzinfo=UTC), datetime(2101, 1, 1, 9, tzinfo=UTC)
        ),
        "b 2101-01-01 is after",
    ),
    (lambda: CAL.add_working_time(datetime(2101, 1, 1, 9), timedelta(hours=1)), "at 2101-01-01"),
    (lambda: CAL.next_working_moment(datetime(1990, 1, 1, 9)), "at 1990-01-01 is before"),
    (lambda: CAL.is_working_time(datetime(2101, 1, 1, 9)), "at 2101-01-01 is after"),
    # The methods of one day call it ``date`` in their type errors too (``date=...: expected``).
    (lambda: CAL.is_working_day(BEYOND), "date 2101-01-01 is after"),
    (lambda: CAL.add_working_days(BEFORE, 1), "date 1990-01-01 is before"),
    (lambda: CAL.working_intervals(BEYOND), "date 2101-01-01 is after"),
    (lambda: CAL.close_of_day(BEYOND), "date 2101-01-01 is after"),
    (lambda: CAL.days_off(2101), "year 2101 is after"),
    (lambda: CAL.make_up_workdays(1990), "year 1990 is before"),
    (lambda: CAL.covered_periods(2101), "year 2101 is after"),
    (
        lambda: WorkingCalendar(
            years=(2026, 2026), overrides=(DayOverride(D(2027, 1, 4), DayKind.DAY_OFF, "x", "x"),)
        ),
        "overrides[0] 2027-01-04 is after",
    ),
    (
        lambda: vietnam_calendar(years=(2026, 2026), extra_days_off=[D(2027, 1, 4)]),
        "overrides[0] 2027-01-04 is after",
    ),
    # deadline(): the receipt outside the calendar is received_at, whatever the rule ...
    (lambda: deadline(datetime(2027, 1, 4, 9), "5wd", SMALL), "received_at 2027-01-04 09:00:00"),
    (lambda: deadline(datetime(2025, 12, 1, 9), "8h", SMALL), "received_at 2025-12-01 09:00:00"),
    (lambda: deadline(datetime(2025, 11, 1, 9), "30d", SMALL), "received_at 2025-11-01 09:00:00"),
    # ... and a period that ends outside is its result, as for working days.
    (
        lambda: deadline(datetime(2026, 12, 28, 9), "30d", SMALL),
        "the result of 2026-12-28 + 30 ngày is after",
    ),
    (
        lambda: deadline(datetime(2026, 12, 28, 9), "5wd", SMALL),
        "the result of add_working_days(2026-12-28, 5) is after",
    ),
]


@pytest.mark.parametrize(("call", "start"), OUT_OF_RANGE)
def test_a_range_error_names_the_parameter(call: Callable[[], object], start: str) -> None:
    with pytest.raises(CalendarRangeError) as info:
        call()
    message = str(info.value)
    assert message.startswith(start), message
    # ... and still names the bounds and the way out.
    bounds = r"(1995-01-01\.\.2100-12-31|2026-01-01\.\.2026-12-31|1995\.\.2100)"
    way_out = "; build the calendar with a wider years="
    assert re.search(rf"the calendar's range \({bounds}\){way_out}", message), message


def test_a_period_in_calendar_days_may_start_before_the_calendar() -> None:
    # Only a failed computation is reported: 30 days from 20/12/2025 end on 19/1/2026, inside.
    assert deadline(datetime(2025, 12, 20, 9), "30d", SMALL).due_date == D(2026, 1, 19)


def _range_error_calls(path: Path) -> list[ast.Call]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "CalendarRangeError"
    ]


@pytest.mark.parametrize(
    "path",
    [
        *sorted((SRC / "calendar").glob("*.py")),
        SRC / "rules" / "_deadline.py",
        SRC / "rules" / "_processing_time.py",
    ],
    ids=lambda p: f"{p.parent.name}/{p.name}",
)
def test_every_range_error_says_what_left_the_range(path: Path) -> None:
    # The default what="date" names no parameter: each raise site says which one (or "the
    # result of" a call).
    for call in _range_error_calls(path):
        keywords = {k.arg for k in call.keywords}
        assert "what" in keywords, f"{path.name}:{call.lineno}: CalendarRangeError without what="


# --------------------------------------------------------------------------- pickling


def _raised(call: Callable[[], object]) -> TthcSlaError:
    with pytest.raises(TthcSlaError) as info:
        call()
    return info.value


@pytest.mark.parametrize(
    "call",
    [
        lambda: CAL.add_working_days(date(2200, 1, 1), 1),  # CalendarRangeError
        lambda: parse_processing_time("bốn mươi hai"),  # RuleParseError
        lambda: evaluate(Dossier("A", Procedure("p", "P", "5wd"), []), CAL),  # HistoryError
        lambda: DeadlinePolicy(due_time="noon"),  # type: ignore[arg-type]  # PolicyError
        lambda: CAL.is_working_day("2026-11-24"),  # type: ignore[arg-type]  # InputTypeError
    ],
)
def test_an_error_pickles_with_its_message_and_facts(call: Callable[[], object]) -> None:
    """A worker process (tthc-sla --jobs, multiprocessing, Dask) hands its error back pickled:
    the same class, message and attributes, though each subclass's __init__ takes facts."""
    import pickle

    error = _raised(call)
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is type(error)
    assert str(back) == str(error)
    assert back.__dict__ == error.__dict__
    assert back.args == error.args


def test_every_error_class_pickles() -> None:
    import pickle

    import tthc_sla.errors as errors
    from tthc_sla import HistoryError, TableError
    from tthc_sla.errors import CalendarDataError, RuleParseError, TimezoneMixError

    made = [
        HistoryError("HS-1", 2, "out of order"),
        TableError("events.csv", 7, "a time without a date", column="Thời điểm"),
        CalendarRangeError(date(2200, 1, 1), date(1995, 1, 1), date(2100, 12, 31)),
        RuleParseError("ba tuần", "no unit"),
        PolicyError(3, "a positive number"),
        TimezoneMixError(datetime(2026, 1, 1), datetime(2026, 1, 1, tzinfo=UTC)),
        InputTypeError("as_of", "2026", "a datetime.datetime"),
        CalendarDataError("notices.toml", "a date twice"),
    ]
    classes = {type(e) for e in made}
    assert classes == {
        c for c in vars(errors).values() if isinstance(c, type) and issubclass(c, TthcSlaError)
    } - {TthcSlaError}
    for error in made:
        back = pickle.loads(pickle.dumps(error))
        assert (type(back), str(back), back.__dict__) == (type(error), str(error), error.__dict__)
