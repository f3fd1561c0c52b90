"""Processing-time rules: how long the law gives an agency to settle a dossier.

A :class:`ProcessingTime` is a value — a kind (working days, calendar days, working hours,
months, same day, immediate) and an amount — with the qualifiers the national procedure
database attaches to it: an excluded-time clause, the ceiling of an allowed extension and the
extra time for communes in difficult areas. A :class:`CompositeProcessingTime` holds one
labelled time per case, level, agency or step when a procedure states several.

Legal basis: Civil Code 2015, arts. 146-148 (periods in days, months; end of a period).
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import attrs

from tthc_sla.errors import InputTypeError, PolicyError, RuleParseError

__all__ = [
    "MAX_AMOUNTS",
    "CompositeProcessingTime",
    "ProcessingTime",
    "ProcessingTimeKind",
    "has_spec_form",
    "too_large",
]


class ProcessingTimeKind(enum.Enum):
    """The unit a processing time is counted in."""

    __hash__ = object.__hash__  # identity hashing: members are singletons, and it is faster

    WORKING_DAYS = "working_days"
    """ngày làm việc — days the agency works (weekly rest days and days off skipped)."""

    CALENDAR_DAYS = "calendar_days"
    """ngày (ngày lịch) — plain days; a period ending on a day off ends on the next working day."""

    WORKING_HOURS = "working_hours"
    """giờ làm việc — hours of working time, counted inside the working intervals."""

    MONTHS = "months"
    """tháng — calendar months, clamped to the last day of a shorter month."""

    SAME_DAY = "same_day"
    """trong ngày — settled on the day of receipt (next working day after the cut-off)."""

    IMMEDIATE = "immediate"
    """ngay, trả ngay — settled at once on receipt."""


_NO_AMOUNT = frozenset({ProcessingTimeKind.SAME_DAY, ProcessingTimeKind.IMMEDIATE})
_FRACTIONAL = frozenset({ProcessingTimeKind.WORKING_DAYS, ProcessingTimeKind.WORKING_HOURS})

_VI_UNIT = {
    ProcessingTimeKind.WORKING_DAYS: "ngày làm việc",
    ProcessingTimeKind.CALENDAR_DAYS: "ngày",
    ProcessingTimeKind.WORKING_HOURS: "giờ làm việc",
    ProcessingTimeKind.MONTHS: "tháng",
}
_SPEC_SUFFIX = {
    ProcessingTimeKind.WORKING_DAYS: "wd",
    ProcessingTimeKind.CALENDAR_DAYS: "d",
    ProcessingTimeKind.WORKING_HOURS: "h",
    ProcessingTimeKind.MONTHS: "m",
}
_SUFFIX_KIND = {suffix: kind for kind, suffix in _SPEC_SUFFIX.items()}
# One number and one suffix, nothing nested: linear on any input. The whole part may be long
# (_SPEC_MAX_LEN bounds it) so that an absurd amount is refused for its size, not its form.
_SPEC_RE = re.compile(r"(\d+(?:\.\d{1,9})?)(wd|d|h|m)")
_SPEC_MAX_LEN = 40

# The largest amount of each kind: a millennium of days (1,000 x 366), of months, and of
# 8-hour working days. No legal processing time comes near (the longest run to a few years);
# the default calendar (1995-2100) holds a tenth of it, so a time between a century and this
# ends in CalendarRangeError there, and absurd input (10**30 days) is refused before any date
# arithmetic. A millennium, not a century, because a calendar may cover up to 9998 years.
MAX_AMOUNTS: Mapping[ProcessingTimeKind, int] = MappingProxyType(
    {
        ProcessingTimeKind.WORKING_DAYS: 366_000,
        ProcessingTimeKind.CALENDAR_DAYS: 366_000,
        ProcessingTimeKind.WORKING_HOURS: 2_928_000,
        ProcessingTimeKind.MONTHS: 12_000,
    }
)
_EN_UNIT = {
    ProcessingTimeKind.WORKING_DAYS: "working days",
    ProcessingTimeKind.CALENDAR_DAYS: "days",
    ProcessingTimeKind.WORKING_HOURS: "working hours",
    ProcessingTimeKind.MONTHS: "months",
}


def has_spec_form(text: str) -> bool:
    """Whether ``text`` has the form of a short spec (``<number><unit>``), whatever its amount."""
    return len(text) <= _SPEC_MAX_LEN and _SPEC_RE.fullmatch(text.strip().lower()) is not None


def too_large(kind: ProcessingTimeKind) -> str:
    """What is expected of an amount of ``kind`` above ``MAX_AMOUNTS`` (for error messages)."""
    return (
        f"at most {MAX_AMOUNTS[kind]} {_EN_UNIT[kind]} for {kind.name} (a millennium; no "
        "legal processing time comes near)"
    )


def _format_number(value: int | float, decimal: str = ".") -> str:
    if isinstance(value, int):
        return str(value)
    return repr(value).replace(".", decimal)


def _normalise_amount(value: Any) -> int | float | None:
    """Return ``value`` with whole floats turned into ints; other values unchanged.

    Floats past 2**53 are left alone, so that an error names them as given (``1e+30``).
    """
    if isinstance(value, float) and abs(value) < 2.0**53 and value.is_integer():
        return int(value)
    return value  # type: ignore[no-any-return]


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_amount(instance: ProcessingTime, attribute: attrs.Attribute[Any], value: Any) -> None:
    kind = instance.kind
    if kind in _NO_AMOUNT:
        if value is not None:
            raise PolicyError(value, f"no amount for {kind.name} (amount=None)")
        return
    if not _is_number(value):
        raise PolicyError(value, f"a positive number as the amount of {kind.name}")
    # An int is finite, and may be too large for math.isfinite (OverflowError).
    if (isinstance(value, float) and not math.isfinite(value)) or value <= 0:
        raise PolicyError(value, f"a positive, finite amount for {kind.name}")
    if value > MAX_AMOUNTS[kind]:
        raise PolicyError(value, too_large(kind))
    if isinstance(value, float) and kind not in _FRACTIONAL:
        raise PolicyError(
            value, f"a whole number of {_VI_UNIT[kind]} for {kind.name} (fractions only for "
            "WORKING_DAYS and WORKING_HOURS)"
        )


def _check_kind(instance: ProcessingTime, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, ProcessingTimeKind):
        raise PolicyError(value, "a ProcessingTimeKind")


def _check_note(instance: ProcessingTime, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise PolicyError(value, "a non-empty string or None as the note")


def _check_extension(instance: ProcessingTime, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, ProcessingTime):
        raise PolicyError(value, "a ProcessingTime or None as the extension")
    if value.kind in _NO_AMOUNT:
        raise PolicyError(value, "an extension with an amount (not SAME_DAY or IMMEDIATE)")


def _check_extra(instance: ProcessingTime, attribute: attrs.Attribute[Any], value: Any) -> None:
    if (
        not _is_number(value)
        or (isinstance(value, float) and not math.isfinite(value))
        or value < 0
    ):
        raise PolicyError(value, "a non-negative, finite number as difficult_area_extra")
    if value and instance.kind in _NO_AMOUNT:
        raise PolicyError(value, f"no difficult_area_extra for {instance.kind.name}")
    if value > MAX_AMOUNTS.get(instance.kind, 0):
        raise PolicyError(value, f"a difficult_area_extra of {too_large(instance.kind)}")
    if isinstance(value, float) and instance.kind not in _FRACTIONAL:
        raise PolicyError(value, f"a whole difficult_area_extra for {instance.kind.name}")


@attrs.frozen
class ProcessingTime:
    """A legal processing time (thời hạn giải quyết).

    ``amount`` is ``None`` exactly for ``SAME_DAY`` and ``IMMEDIATE``, and a positive number
    otherwise: a whole number (``5.0`` is stored as ``5``), with fractions allowed only for
    working days and working hours ("1,5 ngày làm việc", "30 phút" = 0.5 working hours).
    ``note`` keeps an excluded-time clause ("không tính thời gian ...") or another qualifier;
    ``extension`` is the ceiling of an allowed extension ("gia hạn không quá 15 ngày");
    ``difficult_area_extra`` is the extra amount, in the same unit, for communes in mountainous,
    island or disadvantaged areas. Bad values raise :class:`~tthc_sla.errors.PolicyError`:
    an amount that is not a number (None, a str, a bool), not finite (NaN, ±inf), zero or
    negative, a fraction of days or months, or above the maximum of its kind (``MAX_AMOUNTS``):

    * working days and calendar days: 366,000 (a millennium of days);
    * months: 12,000 (a millennium);
    * working hours: 2,928,000 (a millennium of 8-hour days).

    No legal processing time comes near these (the default calendar, 1995-2100, holds a tenth
    of them: longer times end in :class:`~tthc_sla.errors.CalendarRangeError` there); they keep
    absurd input (``10**30`` days) from ever reaching date arithmetic.
    ``difficult_area_extra`` has the same maximum.

    Legal basis: Civil Code 2015, arts. 146-148.

    Example:
        >>> pt = ProcessingTime.working_days(15)
        >>> pt.kind, pt.amount, str(pt), pt.spec()
        (<ProcessingTimeKind.WORKING_DAYS: 'working_days'>, 15, '15 ngày làm việc', '15wd')
        >>> ProcessingTime.from_spec("1.5wd").amount
        1.5
    """

    kind: ProcessingTimeKind = attrs.field(validator=_check_kind)
    amount: int | float | None = attrs.field(
        default=None, converter=_normalise_amount, validator=_check_amount
    )
    note: str | None = attrs.field(default=None, kw_only=True, validator=_check_note)
    extension: ProcessingTime | None = attrs.field(
        default=None, kw_only=True, validator=_check_extension
    )
    difficult_area_extra: int | float = attrs.field(
        default=0, kw_only=True, converter=_normalise_amount, validator=_check_extra
    )

    @classmethod
    def working_days(cls, n: int | float, **kw: Any) -> ProcessingTime:
        """``n`` working days (ngày làm việc).

        Example:
            >>> str(ProcessingTime.working_days(5))
            '5 ngày làm việc'
        """
        return cls(ProcessingTimeKind.WORKING_DAYS, n, **kw)

    @classmethod
    def calendar_days(cls, n: int, **kw: Any) -> ProcessingTime:
        """``n`` calendar days (ngày).

        Example:
            >>> str(ProcessingTime.calendar_days(30))
            '30 ngày'
        """
        return cls(ProcessingTimeKind.CALENDAR_DAYS, n, **kw)

    @classmethod
    def working_hours(cls, h: int | float, **kw: Any) -> ProcessingTime:
        """``h`` hours of working time (giờ làm việc).

        Example:
            >>> str(ProcessingTime.working_hours(0.5))
            '0,5 giờ làm việc'
        """
        return cls(ProcessingTimeKind.WORKING_HOURS, h, **kw)

    @classmethod
    def months(cls, n: int, **kw: Any) -> ProcessingTime:
        """``n`` months (tháng).

        Example:
            >>> str(ProcessingTime.months(3))
            '3 tháng'
        """
        return cls(ProcessingTimeKind.MONTHS, n, **kw)

    @classmethod
    def same_day(cls, **kw: Any) -> ProcessingTime:
        """Settled on the day of receipt (trong ngày).

        Example:
            >>> str(ProcessingTime.same_day())
            'trong ngày'
        """
        return cls(ProcessingTimeKind.SAME_DAY, None, **kw)

    @classmethod
    def immediate(cls, **kw: Any) -> ProcessingTime:
        """Settled at once (ngay, trả ngay).

        Example:
            >>> str(ProcessingTime.immediate())
            'ngay'
        """
        return cls(ProcessingTimeKind.IMMEDIATE, None, **kw)

    @classmethod
    def from_spec(cls, spec: str) -> ProcessingTime:
        """Read a short spec: ``"15wd"``, ``"30d"``, ``"8h"``, ``"1.5wd"``, ``"3m"``,
        ``"same-day"`` or ``"immediate"``.

        Args:
            spec: the spec; surrounding whitespace and case are ignored.

        Returns:
            The processing time, without note, extension or extra.

        Raises:
            RuleParseError: the spec is not one of the forms above, or its amount is not
                allowed for its kind (zero, a fraction of days or months, above
                ``MAX_AMOUNTS``).
            InputTypeError: ``spec`` is not a str.

        Example:
            >>> ProcessingTime.from_spec("30d") == ProcessingTime.calendar_days(30)
            True
        """
        if not isinstance(spec, str):
            raise InputTypeError(
                "spec", spec, "a str such as '15wd', '30d', '8h', '3m' or 'same-day'"
            )
        if len(spec) > _SPEC_MAX_LEN:
            raise RuleParseError(spec, "a spec is short, like '15wd', '30d', '8h', '3m'")
        s = spec.strip().lower()
        if s in ("same-day", "same_day"):
            return cls.same_day()
        if s == "immediate":
            return cls.immediate()
        m = _SPEC_RE.fullmatch(s)
        if m is None:
            raise RuleParseError(
                spec, "expected <number><unit> with unit wd, d, h or m, or 'same-day', 'immediate'"
            )
        number = m.group(1)
        amount: int | float = float(number) if "." in number else int(number)
        try:
            return cls(_SUFFIX_KIND[m.group(2)], amount)
        except PolicyError as exc:
            raise RuleParseError(
                spec, f"amount {exc.value!r} not allowed: expected {exc.expected}"
            ) from exc

    def spec(self) -> str:
        """The short spec, the inverse of :meth:`from_spec` (qualifiers are not kept).

        Example:
            >>> ProcessingTime.working_hours(4).spec()
            '4h'
        """
        if self.kind is ProcessingTimeKind.SAME_DAY:
            return "same-day"
        if self.kind is ProcessingTimeKind.IMMEDIATE:
            return "immediate"
        assert self.amount is not None
        return f"{_format_number(self.amount)}{_SPEC_SUFFIX[self.kind]}"

    def __str__(self) -> str:
        """Vietnamese wording: ``"15 ngày làm việc"``, ``"trong ngày"``, ``"ngay"``."""
        if self.kind is ProcessingTimeKind.SAME_DAY:
            return "trong ngày"
        if self.kind is ProcessingTimeKind.IMMEDIATE:
            return "ngay"
        assert self.amount is not None
        return f"{_format_number(self.amount, ',')} {_VI_UNIT[self.kind]}"


def _check_parts(
    instance: CompositeProcessingTime, attribute: attrs.Attribute[Any], value: Any
) -> None:
    if not isinstance(value, tuple) or not value:
        raise PolicyError(value, "a non-empty tuple of (label, ProcessingTime) pairs")
    seen: set[str] = set()
    for part in value:
        if (
            not isinstance(part, tuple)
            or len(part) != 2
            or not isinstance(part[0], str)
            or not isinstance(part[1], ProcessingTime)
        ):
            raise PolicyError(part, "a (label, ProcessingTime) pair")
        label = part[0]
        if not label.strip():
            raise PolicyError(label, "a non-empty label")
        if label in seen:
            raise PolicyError(label, "unique labels")
        seen.add(label)


def _to_tuple(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(tuple(p) if isinstance(p, list) else p for p in value)
    return value


@attrs.frozen
class CompositeProcessingTime:
    """Several labelled processing times: one per case, level, agency or step.

    The parts are alternatives when the labels name cases or levels ("UBND cấp xã", "cấp
    lại") and consecutive allotments when they name steps ("Bước 5", "thẩm định hồ sơ");
    the labels, taken from the text, tell which.

    Example:
        >>> c = CompositeProcessingTime((
        ...     ("UBND cấp xã", ProcessingTime.working_days(5)),
        ...     ("UBND cấp tỉnh", ProcessingTime.working_days(10)),
        ... ))
        >>> c.labels
        ('UBND cấp xã', 'UBND cấp tỉnh')
        >>> str(c.part("UBND cấp tỉnh"))
        '10 ngày làm việc'
        >>> str(c)
        'UBND cấp xã: 5 ngày làm việc; UBND cấp tỉnh: 10 ngày làm việc'
    """

    parts: tuple[tuple[str, ProcessingTime], ...] = attrs.field(
        converter=_to_tuple, validator=_check_parts
    )

    @property
    def labels(self) -> tuple[str, ...]:
        """The labels, in the order of the text."""
        return tuple(label for label, _ in self.parts)

    def part(self, label: str) -> ProcessingTime:
        """The time of the part labelled ``label``.

        Raises:
            PolicyError: no part has that label; the message lists the labels.
        """
        for name, pt in self.parts:
            if name == label:
                return pt
        raise PolicyError(label, f"one of the labels {list(self.labels)!r}")

    def __str__(self) -> str:
        return "; ".join(f"{label}: {pt}" for label, pt in self.parts)
