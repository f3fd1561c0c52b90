"""Tests of tthc_sla.rules._processing_time: constructors, validation, specs, wording."""

from __future__ import annotations

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tthc_sla.errors import PolicyError, RuleParseError
from tthc_sla.rules._processing_time import (
    CompositeProcessingTime,
    ProcessingTime,
    ProcessingTimeKind,
)

K = ProcessingTimeKind


@pytest.mark.parametrize(
    ("made", "kind", "amount"),
    [
        (ProcessingTime.working_days(15), K.WORKING_DAYS, 15),
        (ProcessingTime.working_days(1.5), K.WORKING_DAYS, 1.5),
        (ProcessingTime.calendar_days(30), K.CALENDAR_DAYS, 30),
        (ProcessingTime.working_hours(8), K.WORKING_HOURS, 8),
        (ProcessingTime.working_hours(0.5), K.WORKING_HOURS, 0.5),
        (ProcessingTime.months(3), K.MONTHS, 3),
        (ProcessingTime.same_day(), K.SAME_DAY, None),
        (ProcessingTime.immediate(), K.IMMEDIATE, None),
    ],
)
def test_constructors(made: ProcessingTime, kind: ProcessingTimeKind, amount: object) -> None:
    assert made.kind is kind
    assert made.amount == amount
    assert made.note is None
    assert made.extension is None
    assert made.difficult_area_extra == 0


def test_whole_floats_become_ints() -> None:
    pt = ProcessingTime.working_days(5.0)
    assert pt.amount == 5
    assert isinstance(pt.amount, int)
    assert ProcessingTime.calendar_days(30.0) == ProcessingTime.calendar_days(30)


def test_kind_values_are_lower_case_strings() -> None:
    assert [k.value for k in K] == [
        "working_days", "calendar_days", "working_hours", "months", "same_day", "immediate"
    ]
    assert all(k.__doc__ for k in K)  # the Vietnamese term is in each member's docstring


def test_qualifiers() -> None:
    pt = ProcessingTime.calendar_days(
        15,
        note="không kể thời gian thẩm định giá",
        extension=ProcessingTime.calendar_days(15),
        difficult_area_extra=10,
    )
    assert pt.extension == ProcessingTime.calendar_days(15)
    assert pt.difficult_area_extra == 10
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        pt.amount = 3  # type: ignore[misc]
    assert hash(pt) == hash(attrs.evolve(pt))


@pytest.mark.parametrize(
    ("build", "value"),
    [
        (lambda: ProcessingTime.working_days(0), 0),
        (lambda: ProcessingTime.working_days(-3), -3),
        (lambda: ProcessingTime.calendar_days(1.5), 1.5),
        (lambda: ProcessingTime.months(2.5), 2.5),
        (lambda: ProcessingTime.working_days(float("nan")), None),
        (lambda: ProcessingTime.working_days(float("inf")), float("inf")),
        (lambda: ProcessingTime.working_days("5"), "5"),  # type: ignore[arg-type]
        (lambda: ProcessingTime.working_days(True), True),
        (lambda: ProcessingTime(K.WORKING_DAYS), None),
        (lambda: ProcessingTime(K.SAME_DAY, 1), 1),
        (lambda: ProcessingTime.calendar_days(5, difficult_area_extra=-1), -1),
        (lambda: ProcessingTime.calendar_days(5, difficult_area_extra=0.5), 0.5),
        (lambda: ProcessingTime.same_day(difficult_area_extra=2), 2),
        (lambda: ProcessingTime.calendar_days(5, note="  "), "  "),
        (lambda: ProcessingTime.calendar_days(5, extension=ProcessingTime.same_day()), None),
        (lambda: ProcessingTime("days", 5), "days"),  # type: ignore[arg-type]
    ],
)
def test_validation_names_the_value(build: object, value: object) -> None:
    with pytest.raises(PolicyError) as info:
        build()  # type: ignore[operator]
    assert "expected" in str(info.value)
    if value is not None:
        assert repr(value) in str(info.value)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("15wd", ProcessingTime.working_days(15)),
        ("30d", ProcessingTime.calendar_days(30)),
        ("8h", ProcessingTime.working_hours(8)),
        ("1.5wd", ProcessingTime.working_days(1.5)),
        ("0.5h", ProcessingTime.working_hours(0.5)),
        ("3m", ProcessingTime.months(3)),
        ("same-day", ProcessingTime.same_day()),
        ("immediate", ProcessingTime.immediate()),
        (" 15WD ", ProcessingTime.working_days(15)),
    ],
)
def test_from_spec(spec: str, expected: ProcessingTime) -> None:
    assert ProcessingTime.from_spec(spec) == expected


@pytest.mark.parametrize(
    "spec", ["", "15", "wd", "15 wd", "0wd", "1.5d", "2.5m", "-3d", "15w", "x" * 1000, "1e3d"]
)
def test_from_spec_refuses(spec: str) -> None:
    with pytest.raises(RuleParseError):
        ProcessingTime.from_spec(spec)


def test_from_spec_type() -> None:
    with pytest.raises(TypeError):
        ProcessingTime.from_spec(15)  # type: ignore[arg-type]


def processing_times() -> st.SearchStrategy[ProcessingTime]:
    whole = st.integers(min_value=1, max_value=10_000)
    fraction = st.integers(min_value=1, max_value=10_000).map(lambda n: n / 4)
    return st.one_of(
        whole.map(ProcessingTime.working_days),
        fraction.map(ProcessingTime.working_days),
        whole.map(ProcessingTime.calendar_days),
        whole.map(ProcessingTime.working_hours),
        fraction.map(ProcessingTime.working_hours),
        whole.map(ProcessingTime.months),
        st.just(ProcessingTime.same_day()),
        st.just(ProcessingTime.immediate()),
    )


@given(processing_times())
def test_spec_round_trip(pt: ProcessingTime) -> None:
    assert ProcessingTime.from_spec(pt.spec()) == pt


@given(processing_times())
def test_str_is_vietnamese(pt: ProcessingTime) -> None:
    text = str(pt)
    assert text
    assert "." not in text  # Vietnamese decimal comma


@pytest.mark.parametrize(
    ("pt", "text"),
    [
        (ProcessingTime.working_days(15), "15 ngày làm việc"),
        (ProcessingTime.calendar_days(30), "30 ngày"),
        (ProcessingTime.working_hours(4), "4 giờ làm việc"),
        (ProcessingTime.working_days(1.5), "1,5 ngày làm việc"),
        (ProcessingTime.months(3), "3 tháng"),
        (ProcessingTime.same_day(), "trong ngày"),
        (ProcessingTime.immediate(), "ngay"),
    ],
)
def test_str(pt: ProcessingTime, text: str) -> None:
    assert str(pt) == text


def test_composite() -> None:
    c = CompositeProcessingTime(
        (("UBND cấp xã", ProcessingTime.working_days(5)),
         ("UBND cấp tỉnh", ProcessingTime.working_days(10)))
    )
    assert c.labels == ("UBND cấp xã", "UBND cấp tỉnh")
    assert c.part("UBND cấp tỉnh") == ProcessingTime.working_days(10)
    assert str(c) == "UBND cấp xã: 5 ngày làm việc; UBND cấp tỉnh: 10 ngày làm việc"
    with pytest.raises(PolicyError, match="UBND cấp xã"):
        c.part("UBND cấp huyện")


@pytest.mark.parametrize(
    "parts",
    [
        (),
        (("", ProcessingTime.working_days(5)),),
        (("a", ProcessingTime.working_days(5)), ("a", ProcessingTime.working_days(6))),
        (("a", "5wd"),),
        ("a",),
    ],
)
def test_composite_validation(parts: tuple[object, ...]) -> None:
    with pytest.raises(PolicyError):
        CompositeProcessingTime(parts)  # type: ignore[arg-type]
