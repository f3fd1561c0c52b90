"""Tests of tthc_sla.rules._processing_time: constructors, validation, specs, wording, and the
extension modes with their ceilings (domain/law-2026-11.md §5)."""

from __future__ import annotations

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tthc_sla.errors import InputTypeError, PolicyError, RuleParseError
from tthc_sla.rules._processing_time import (
    MAX_AMOUNTS,
    CompositeProcessingTime,
    ExtensionMode,
    ProcessingTime,
    ProcessingTimeKind,
    has_spec_form,
)

K = ProcessingTimeKind
M = ExtensionMode
PT = ProcessingTime


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
    ("build", "value", "error"),
    [
        (lambda: ProcessingTime.working_days(0), 0, PolicyError),
        (lambda: ProcessingTime.working_days(-3), -3, PolicyError),
        (lambda: ProcessingTime.calendar_days(1.5), 1.5, PolicyError),
        (lambda: ProcessingTime.months(2.5), 2.5, PolicyError),
        (lambda: ProcessingTime.working_days(float("nan")), None, PolicyError),
        (lambda: ProcessingTime.working_days(float("inf")), float("inf"), PolicyError),
        (lambda: ProcessingTime.working_days("5"), "5", InputTypeError),  # type: ignore[arg-type]
        (lambda: ProcessingTime.working_days(True), True, InputTypeError),
        (lambda: ProcessingTime(K.WORKING_DAYS), None, PolicyError),
        (lambda: ProcessingTime(K.SAME_DAY, 1), 1, PolicyError),
        (lambda: ProcessingTime.calendar_days(5, difficult_area_extra=-1), -1, PolicyError),
        (lambda: ProcessingTime.calendar_days(5, difficult_area_extra=0.5), 0.5, PolicyError),
        (lambda: ProcessingTime.same_day(difficult_area_extra=2), 2, PolicyError),
        (lambda: ProcessingTime.calendar_days(5, note="  "), "  ", PolicyError),
        (
            lambda: ProcessingTime.calendar_days(5, extension=ProcessingTime.same_day()),
            None,
            PolicyError,
        ),
        (lambda: ProcessingTime("days", 5), "days", InputTypeError),  # type: ignore[arg-type]
    ],
)
def test_validation_names_the_value(build: object, value: object, error: type[Exception]) -> None:
    # A value of the wrong type is an InputTypeError; a value of the right type that breaks a
    # rule (zero, a fraction of days, a blank note...) a PolicyError.
    with pytest.raises(error) as info:
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


def _with_extension(
    base: ProcessingTime, extension: ProcessingTime, mode: ExtensionMode
) -> ProcessingTime:
    if mode is M.TOTAL and extension.kind is base.kind and base.amount is not None:
        # a total ceiling must be longer than the time (and within the maximum)
        assert extension.amount is not None
        longer = min(base.amount + extension.amount, MAX_AMOUNTS[base.kind])
        if longer <= base.amount:
            mode = M.ADDITIONAL
        else:
            extension = attrs.evolve(extension, amount=longer)
    return ProcessingTime(base.kind, base.amount, extension=extension, extension_mode=mode)


def extended_times() -> st.SearchStrategy[ProcessingTime]:
    timed = processing_times().filter(lambda pt: pt.amount is not None)
    return st.builds(_with_extension, processing_times(), timed, st.sampled_from(M))


@given(processing_times())
def test_spec_round_trip(pt: ProcessingTime) -> None:
    assert ProcessingTime.from_spec(pt.spec()) == pt


@given(extended_times())
def test_spec_round_trip_with_extension(pt: ProcessingTime) -> None:
    assert ProcessingTime.from_spec(pt.spec()) == pt
    assert has_spec_form(pt.spec())


@given(extended_times())
def test_ceiling_is_the_longest_time(pt: ProcessingTime) -> None:
    assert pt.extension is not None
    try:
        ceiling = pt.ceiling()
    except PolicyError:
        assert (
            pt.extension_mode is M.AMBIGUOUS
            or pt.extension.kind is not pt.kind
            or (pt.amount or 0) + (pt.extension.amount or 0) > MAX_AMOUNTS[pt.kind]  # too long
        )
        return
    assert ceiling.extension is None
    if ceiling.kind is pt.kind and pt.amount is not None:
        assert ceiling.amount is not None
        assert ceiling.amount > pt.amount


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
    ("parts", "error"),
    [
        ((), PolicyError),
        ((("", ProcessingTime.working_days(5)),), PolicyError),
        (
            (("a", ProcessingTime.working_days(5)), ("a", ProcessingTime.working_days(6))),
            PolicyError,
        ),
        ((("a", "5wd"),), InputTypeError),  # parts[0] is no (label, ProcessingTime) pair
        (("a",), InputTypeError),
    ],
)
def test_composite_validation(parts: tuple[object, ...], error: type[Exception]) -> None:
    with pytest.raises(error):
        CompositeProcessingTime(parts)  # type: ignore[arg-type]


# ------------------------------------------------------------------ extension modes


def test_extension_modes_are_documented() -> None:
    assert [m.value for m in M] == ["additional", "total", "ambiguous"]
    assert all(m.__doc__ for m in M)  # the Vietnamese wording is in each member's docstring


def test_no_extension_no_mode() -> None:
    pt = PT.working_days(3)
    assert pt.extension_mode is None
    assert pt.ceiling() is pt  # the base when there is no extension
    with pytest.raises(PolicyError, match="no extension_mode without an extension"):
        PT.working_days(3, extension_mode=M.TOTAL)


@pytest.mark.parametrize(
    ("extension", "mode"),
    [
        # not given: the reading the numbers allow. A ceiling not longer than the time (same
        # unit) extends nothing as a total, so it can only be added (Law 47/2014 art. 41(2)).
        (PT.months(2), M.ADDITIONAL),
        (PT.months(4), M.ADDITIONAL),
        (PT.months(6), M.AMBIGUOUS),  # 6 months in all, or 4 + 6? (TT 53/2026's form)
        (PT.calendar_days(30), M.AMBIGUOUS),  # another unit: no inference
    ],
)
def test_default_mode(extension: ProcessingTime, mode: ExtensionMode) -> None:
    pt = PT.months(4, extension=extension)
    assert pt.extension_mode is mode
    # attrs.evolve adding an extension gets the same default
    assert attrs.evolve(PT.months(4), extension=extension).extension_mode is mode
    assert PT.months(4, extension=extension, extension_mode=None).extension_mode is mode


@pytest.mark.parametrize(
    ("build", "shown", "error"),
    [
        (
            lambda: PT.working_days(3, extension=PT.working_days(5), extension_mode="more"),
            "more",
            PolicyError,  # a word that names no mode
        ),
        (
            lambda: PT.working_days(3, extension=PT.working_days(5), extension_mode=1),
            "extension_mode=1",
            InputTypeError,  # not a mode nor a word
        ),
        (
            lambda: PT.working_days(
                3, extension=PT.working_days(5, extension=PT.working_days(1))
            ),
            "an extension without an extension of its own",
            PolicyError,
        ),
        (
            lambda: attrs.evolve(PT.from_spec("3wd+5wd"), extension=None),
            "ADDITIONAL",
            PolicyError,
        ),
    ],
)
def test_extension_validation(build: object, shown: str, error: type[Exception]) -> None:
    with pytest.raises(error) as info:
        build()  # type: ignore[operator]
    assert "expected" in str(info.value)
    assert shown in str(info.value)


def test_adding_the_difficult_area_extra_keeps_a_value() -> None:
    # deadline() adds the extra with attrs.evolve(pt, amount=...): a total ceiling that the
    # sum reaches must not make the value invalid (it is checked where it is read or used).
    pt = PT.from_spec("15wd..25wd")
    assert attrs.evolve(pt, amount=25).amount == 25


def test_mode_accepts_its_value() -> None:
    pt = PT.working_days(3, extension=PT.working_days(5), extension_mode="total")
    assert pt.extension_mode is M.TOTAL
    assert pt == PT.from_spec("3wd..5wd")
    assert hash(pt) == hash(PT.from_spec("3wd..5wd"))


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("3wd+5wd", PT.working_days(3, extension=PT.working_days(5), extension_mode=M.ADDITIONAL)),
        ("immediate..5wd", PT.immediate(extension=PT.working_days(5), extension_mode=M.TOTAL)),
        ("same-day..3wd", PT.same_day(extension=PT.working_days(3), extension_mode=M.TOTAL)),
        ("2m?3m", PT.months(2, extension=PT.months(3), extension_mode=M.AMBIGUOUS)),
        (
            " 45D+21WD ",
            PT.calendar_days(45, extension=PT.working_days(21), extension_mode=M.ADDITIONAL),
        ),
        ("1.5wd+0.5wd", PT.working_days(1.5, extension=PT.working_days(0.5))),
    ],
)
def test_from_spec_with_extension(spec: str, expected: ProcessingTime) -> None:
    got = PT.from_spec(spec)
    assert got == expected
    assert got.extension_mode is expected.extension_mode


@pytest.mark.parametrize(
    "spec",
    ["3wd+", "+5wd", "3wd++5wd", "3wd+same-day", "3wd..3wd", "3wd..2wd", "3wd+0wd", "3wd+1.5d",
     "3wd+5wd+1wd", "3wd...5wd", "3wd?", "3wd+5"],
)
def test_from_spec_with_extension_refuses(spec: str) -> None:
    with pytest.raises(RuleParseError):
        PT.from_spec(spec)


def test_spec_form() -> None:
    assert has_spec_form("3wd+0wd")  # the form of a spec, whatever its amounts
    assert has_spec_form("15wd")
    assert not has_spec_form("3 ngày làm việc")
    assert not has_spec_form("1" * 100 + "wd")


@pytest.mark.parametrize(
    ("pt", "text"),
    [
        (PT.from_spec("3wd+5wd"), "3 ngày làm việc, kéo dài thêm không quá 5 ngày làm việc"),
        (
            PT.from_spec("immediate..5wd"),
            "ngay; trường hợp kéo dài thì thời hạn giải quyết không quá 5 ngày làm việc",
        ),
        (PT.from_spec("2m?3m"), "2 tháng; thời hạn được kéo dài không quá 3 tháng"),
    ],
)
def test_str_with_extension(pt: ProcessingTime, text: str) -> None:
    assert str(pt) == text


@pytest.mark.parametrize(
    ("pt", "ceiling"),
    [
        # Luật Hộ tịch 2014 art. 25(2): "03 ngày làm việc ... thời hạn được kéo dài thêm không
        # quá 05 ngày làm việc" -> additional: 3 + 5 = 8 working days.
        (PT.from_spec("3wd+5wd"), PT.working_days(8)),
        # Luật Hộ tịch 2014 art. 18(2): "ngay ... Trường hợp cần xác minh ... thì thời hạn giải
        # quyết không quá 05 ngày làm việc" -> total: 5 working days in all.
        (PT.from_spec("immediate..5wd"), PT.working_days(5)),
        # Decree 99/2022 art. 16(1): same day; "thời hạn giải quyết hồ sơ không quá 03 ngày làm
        # việc kể từ ngày nhận được hồ sơ hợp lệ" -> total: 3 working days from receipt.
        (PT.from_spec("same-day..3wd"), PT.working_days(3)),
        # Luật Khiếu nại 2011 art. 28: "không quá 30 ngày ... kéo dài hơn nhưng không quá 45
        # ngày, kể từ ngày thụ lý" -> total: 45 days, not 75.
        (PT.from_spec("30d..45d"), PT.calendar_days(45)),
        # Law 47/2014 art. 41(2): "04 tháng ... kéo dài thêm nhưng không quá 02 tháng"
        # -> additional: 6 months.
        (PT.from_spec("4m+2m"), PT.months(6)),
        # fractions add up; the note and the difficult-area extra stay
        (
            PT.working_days(
                1.5, extension=PT.working_days(0.5), note="không tính thời gian thẩm định",
                difficult_area_extra=10,
            ),
            PT.working_days(2, note="không tính thời gian thẩm định", difficult_area_extra=10),
        ),
        (
            PT.calendar_days(
                30, extension=PT.calendar_days(45), extension_mode=M.TOTAL, difficult_area_extra=5
            ),
            PT.calendar_days(45, difficult_area_extra=5),
        ),
    ],
)
def test_ceiling(pt: ProcessingTime, ceiling: ProcessingTime) -> None:
    assert pt.ceiling() == ceiling


@pytest.mark.parametrize(
    ("pt", "match"),
    [
        # TT 53/2026/TT-BGDĐT: "02 tháng ...; thời hạn này được kéo dài không quá 03 tháng"
        # -> ambiguous: 3 months in all, or 5? The error names the text and says so.
        (PT.from_spec("2m?3m"), r"'2 tháng; thời hạn được kéo dài không quá 3 tháng'.*ambiguous"),
        # an additional extension in another unit is no single time (Decree 193/2025 texts:
        # "45 ngày ... được tăng thêm 21 ngày làm việc"; Decree 23/2015 art. 21: same day,
        # "kéo dài thêm không quá 02 ngày làm việc")
        (PT.from_spec("45d+21wd"), r"45 ngày plus 21 ngày làm việc is no single time"),
        (PT.from_spec("same-day+2wd"), r"trong ngày plus 2 ngày làm việc"),
        # a total no longer than the time itself extends nothing
        (
            PT.working_days(3, extension=PT.working_days(3), extension_mode=M.TOTAL),
            r"TOTAL ceiling longer than the time itself \(3wd\.\.3wd\)",
        ),
        # a difficult-area extra in days cannot follow a total ceiling in months
        (
            PT.calendar_days(
                30, extension=PT.months(2), extension_mode=M.TOTAL, difficult_area_extra=10
            ),
            r"difficult-area extra",
        ),
    ],
)
def test_ceiling_refused(pt: ProcessingTime, match: str) -> None:
    with pytest.raises(PolicyError, match=match):
        pt.ceiling()
