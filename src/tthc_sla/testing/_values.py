"""Strategies for the values a history is judged with: calendars, processing times, procedures."""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import date, timedelta

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy

from tthc_sla.calendar import WorkingCalendar, vietnam_calendar
from tthc_sla.procedure import Procedure, Step
from tthc_sla.rules import MAX_AMOUNTS, ProcessingTime, ProcessingTimeKind

__all__ = ["calendars", "check_int", "procedures", "processing_times"]

#: The years a generated calendar covers around ``min_year..max_year``: one before, and enough
#: after for the longest default rule (60 months + 10 months of difficult-area extra) to end.
MARGIN_BEFORE = 1
MARGIN_AFTER = 8
_YEAR_BOUNDS = (1900, 2200)

_K = ProcessingTimeKind
_FRACTIONAL = (_K.WORKING_DAYS, _K.WORKING_HOURS)
_N_VARIANTS = 6  # distinct override sets per year range, the first one empty
_Variant = tuple[tuple[date, ...], tuple[date, ...]]  # (office days off, office workdays)
_CLOSURE_REASONS = ("Bão số 3", "Nghỉ theo quyết định của UBND tỉnh", "Sự cố mất điện")
_COUNTER_REASONS = ("Làm việc sáng thứ Bảy", "Tiếp nhận hồ sơ ngày nghỉ")

_PROCEDURE_NAMES = (
    "Đăng ký khai sinh",
    "Cấp giấy chứng nhận quyền sử dụng đất",
    "Cấp giấy phép xây dựng",
    "Đăng ký kinh doanh hộ cá thể",
    "Chứng thực bản sao từ bản chính",
    "Cấp phiếu lý lịch tư pháp",
)
_STEP_NAMES = (
    "Tiếp nhận và chuyển hồ sơ",
    "Thẩm định",
    "Lấy ý kiến cơ quan liên quan",
    "Trình ký",
    "Phê duyệt",
    "Vào sổ, đóng dấu",
    "Chuyển trả kết quả",
)
_UNITS = (
    "Bộ phận Một cửa",
    "Phòng Tư pháp",
    "Phòng Tài nguyên và Môi trường",
    "Văn phòng đăng ký đất đai",
    "Lãnh đạo UBND",
)

_EXTRA = st.one_of(st.just(0), st.integers(1, 10))
_STEP_ORDERS = st.permutations(_STEP_NAMES)
_UNIT_CHOICE = st.sampled_from(_UNITS)
_SUPPLEMENT_CHOICE = st.sampled_from(("restart", "pause"))
_NAME_CHOICE = st.sampled_from(_PROCEDURE_NAMES)
_CODE_A = st.integers(1, 3)
_CODE_B = st.integers(0, 999_999)


def check_int(name: str, value: object, min_value: int, max_value: int | None = None) -> int:
    """``value`` as an int in the bounds, or InvalidArgument naming the argument."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidArgument(f"{name}={value!r} must be an int")
    if value < min_value or (max_value is not None and value > max_value):
        upper = "" if max_value is None else f" and <= {max_value}"
        raise InvalidArgument(f"{name}={value!r} must be >= {min_value}{upper}")
    return value


# --------------------------------------------------------------------------- calendars


def _variants(min_year: int, max_year: int) -> tuple[_Variant, ...]:
    """A few fixed sets of office overrides inside the years (the first one empty).

    A fixed, small set keeps the number of distinct calendars (each compiles its own index,
    about 10 ms per block of eleven years) small, and lets hypothesis shrink towards the plain
    national calendar.
    """
    rng = random.Random(f"tthc_sla.calendars:{min_year}:{max_year}")
    first = date(min_year, 1, 1).toordinal()
    last = date(max_year, 12, 31).toordinal()
    n = max(1, (max_year - min_year + 1) // 2)
    out: list[_Variant] = [((), ())]
    for _ in range(_N_VARIANTS - 1):
        off: set[date] = set()
        for _ in range(n):  # closures of one to three consecutive weekdays
            start = date.fromordinal(rng.randint(first, last))
            for i in range(rng.choice((1, 1, 2, 3))):
                d = start + timedelta(days=i)
                if d.weekday() < 5 and d.toordinal() <= last:
                    off.add(d)
        work: set[date] = set()
        while len(work) < n:  # weekend counters
            d = date.fromordinal(rng.randint(first, last))
            if d.weekday() >= 5:
                work.add(d)
        out.append((tuple(sorted(off)), tuple(sorted(work))))
    return tuple(out)


def _build_calendar(years: tuple[int, int], variant: _Variant) -> WorkingCalendar:
    off, work = variant
    days_off = [(d, _CLOSURE_REASONS[d.toordinal() % len(_CLOSURE_REASONS)]) for d in off]
    workdays = [(d, _COUNTER_REASONS[d.toordinal() % len(_COUNTER_REASONS)]) for d in work]
    # vietnam_calendar memoises on its arguments: equal draws share one compiled calendar.
    return vietnam_calendar(years=years, extra_days_off=days_off, extra_workdays=workdays)


def calendars(
    *, min_year: int = 2015, max_year: int = 2035, overrides: bool = True
) -> SearchStrategy[WorkingCalendar]:
    """Working calendars: the national calendar, with optional office overrides.

    Each calendar is :func:`~tthc_sla.vietnam_calendar` covering ``min_year - 1`` to
    ``max_year + 8`` (so that the deadlines of dossiers received in ``min_year..max_year``
    stay inside it). With ``overrides=True`` some calendars add office closures (one to three
    consecutive weekdays: a typhoon, a power cut) and weekend counters (a Saturday opened to
    receive dossiers), about one of each per two years inside ``min_year..max_year``. They
    come from five fixed sets, so that few distinct calendars get compiled (about 10 ms per
    eleven years each); examples shrink towards the plain national calendar.

    Args:
        min_year: the first year the calendar must cover (1900..2200).
        max_year: the last year the calendar must cover (``min_year``..2200).
        overrides: whether to add office overrides.

    Returns:
        A strategy of :class:`~tthc_sla.WorkingCalendar`.

    Raises:
        InvalidArgument: a bad year range.

    Examples:
        >>> from hypothesis import given
        >>> @given(calendars(min_year=2026, max_year=2026))
        ... def test(cal):
        ...     assert cal.years == (2025, 2034)
        >>> test()
    """
    check_int("min_year", min_year, *_YEAR_BOUNDS)
    check_int("max_year", max_year, *_YEAR_BOUNDS)
    if min_year > max_year:
        raise InvalidArgument(f"min_year={min_year} must be <= max_year={max_year}")
    if not isinstance(overrides, bool):
        raise InvalidArgument(f"overrides={overrides!r} must be True or False")
    years = (min_year - MARGIN_BEFORE, max_year + MARGIN_AFTER)
    variants = _variants(min_year, max_year) if overrides else (((), ()),)
    return st.sampled_from(variants).map(lambda v: _build_calendar(years, v))


# --------------------------------------------------------------------------- processing times


def _kinds_arg(kinds: Iterable[ProcessingTimeKind] | None) -> tuple[ProcessingTimeKind, ...]:
    if kinds is None:
        return tuple(_K)
    if isinstance(kinds, str | bytes) or not isinstance(kinds, Iterable):
        raise InvalidArgument(f"kinds={kinds!r} must be an iterable of ProcessingTimeKind")
    out: list[ProcessingTimeKind] = []
    for k in kinds:
        if not isinstance(k, ProcessingTimeKind):
            raise InvalidArgument(f"kinds contains {k!r}; expected ProcessingTimeKind members")
        if k not in out:
            out.append(k)
    if not out:
        raise InvalidArgument("kinds=() is empty; pass at least one ProcessingTimeKind or None")
    return tuple(out)


def _amounts(kind: ProcessingTimeKind, max_amount: int) -> SearchStrategy[int | float]:
    whole: SearchStrategy[int | float] = st.integers(1, max_amount)
    if kind in _FRACTIONAL:
        # "1,5 ngày làm việc", "30 phút": halves, strictly below max_amount.
        halves = st.integers(0, max_amount - 1).map(lambda n: n + 0.5)
        return st.one_of(whole, halves)
    return whole


def _timed(kind: ProcessingTimeKind, max_amount: int) -> SearchStrategy[ProcessingTime]:
    if kind is _K.SAME_DAY:
        return st.just(ProcessingTime.same_day())
    if kind is _K.IMMEDIATE:
        return st.just(ProcessingTime.immediate())
    return st.builds(
        lambda amount, more: ProcessingTime(kind, amount, difficult_area_extra=more),
        _amounts(kind, max_amount),
        _EXTRA,
    )


def processing_times(
    *, kinds: Iterable[ProcessingTimeKind] | None = None, max_amount: int = 60
) -> SearchStrategy[ProcessingTime]:
    """Processing times (thời hạn giải quyết) of the given kinds.

    Amounts are whole numbers from 1 to ``max_amount``, and also halves for working days and
    working hours ("1,5 ngày làm việc"); ``SAME_DAY`` and ``IMMEDIATE`` have no amount. Some
    times carry a difficult-area extra of 1 to 10 (applied only when a dossier asks for it).

    Args:
        kinds: the kinds to draw from; all kinds by default.
        max_amount: the largest amount (>= 1). Months above 60 need a calendar wider than
            :func:`calendars` gives by default.

    Returns:
        A strategy of :class:`~tthc_sla.ProcessingTime`.

    Raises:
        InvalidArgument: an empty or ill-typed ``kinds``, ``max_amount`` < 1, or above the
            largest amount a chosen kind allows.

    Examples:
        >>> from hypothesis import given
        >>> from tthc_sla import ProcessingTimeKind
        >>> @given(processing_times(kinds=[ProcessingTimeKind.MONTHS], max_amount=3))
        ... def test(pt):
        ...     assert pt.amount in (1, 2, 3)
        >>> test()
    """
    chosen = _kinds_arg(kinds)
    check_int("max_amount", max_amount, 1)
    for k in chosen:
        limit = MAX_AMOUNTS.get(k)
        if limit is not None and max_amount > limit:
            raise InvalidArgument(
                f"max_amount={max_amount}: expected at most {limit} for {k.name} "
                "(ProcessingTime refuses larger amounts)"
            )
    return st.one_of([_timed(k, max_amount) for k in chosen])


# --------------------------------------------------------------------------- procedures


def _allotments(draw: st.DrawFn, rule: ProcessingTime, n: int) -> list[ProcessingTime]:
    """``n`` allotments of the rule's kind adding up to at most the rule (fewer if they can't)."""
    if rule.amount is None:
        return [rule] * n
    fractional = rule.kind in _FRACTIONAL
    unit = 2 if fractional else 1  # in halves for the fractional kinds
    budget = int(rule.amount * unit)
    n = min(n, budget)
    out: list[ProcessingTime] = []
    remaining = budget
    for i in range(n):
        units = draw(st.integers(1, remaining - (n - 1 - i)))
        remaining -= units
        amount: int | float = units / unit if fractional else units
        out.append(ProcessingTime(rule.kind, amount))
    return out


@st.composite
def _procedures(
    draw: st.DrawFn,
    max_steps: int,
    supplement: str | None,
    rules: SearchStrategy[ProcessingTime],
) -> Procedure:
    rule = draw(rules)
    n = draw(st.integers(0, max_steps))
    allotments = _allotments(draw, rule, n)
    names = list(draw(_STEP_ORDERS))
    names += [f"Bước {i + 1}" for i in range(len(names), len(allotments))]
    steps = [
        Step(names[i], draw(_UNIT_CHOICE), allotment) for i, allotment in enumerate(allotments)
    ]
    mode = supplement or draw(_SUPPLEMENT_CHOICE)
    extra = 0
    if rule.amount is not None:
        extra = draw(_EXTRA)
    code = f"{draw(_CODE_A)}.{draw(_CODE_B):06d}"
    return Procedure(
        code,
        draw(_NAME_CHOICE),
        rule,
        steps,
        supplement=mode,
        extra_days_difficult_area=extra,
    )


def procedures(
    *,
    max_steps: int = 3,
    supplement: str | None = None,
    rules: SearchStrategy[ProcessingTime] | None = None,
) -> SearchStrategy[Procedure]:
    """Procedures with a processing time and up to ``max_steps`` steps.

    The steps have distinct names, a responsible unit each, and allotments of the rule's own
    kind that add up to at most the rule (a rule of 2 working days has at most 4 half-day
    steps; a same-day rule's steps are same-day too). Some procedures give communes in
    difficult areas extra time.

    Args:
        max_steps: the most steps a procedure has (>= 0).
        supplement: ``"restart"`` or ``"pause"`` for every procedure; both by default.
        rules: a strategy for the processing time; :func:`processing_times` by default.

    Returns:
        A strategy of :class:`~tthc_sla.Procedure`.

    Raises:
        InvalidArgument: a bad ``max_steps``, ``supplement`` or ``rules``.

    Examples:
        >>> from hypothesis import given, settings
        >>> @settings(max_examples=20)
        ... @given(procedures(max_steps=2, supplement="pause"))
        ... def test(p):
        ...     assert len(p.steps) <= 2 and p.supplement == "pause"
        >>> test()
    """
    check_int("max_steps", max_steps, 0, 100)
    if supplement not in (None, "restart", "pause"):
        raise InvalidArgument(f"supplement={supplement!r} must be None, 'restart' or 'pause'")
    if rules is None:
        rules = processing_times()
    elif not isinstance(rules, SearchStrategy):
        raise InvalidArgument(f"rules={rules!r} must be a strategy of ProcessingTime")
    return _procedures(max_steps, supplement, rules)
