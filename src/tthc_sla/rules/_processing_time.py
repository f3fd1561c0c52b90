"""Processing-time rules: how long the law gives an agency to settle a dossier.

A :class:`ProcessingTime` is a value — a kind (working days, calendar days, working hours,
months, same day, immediate) and an amount — with the qualifiers the national procedure
database attaches to it: an excluded-time clause, the ceiling of an allowed extension (with its
:class:`ExtensionMode`: added to the time, or the whole time) and the extra time for communes in
difficult areas. A :class:`CompositeProcessingTime` holds one labelled time per case, level,
agency or step when a procedure states several.

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
    "ExtensionMode",
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


class ExtensionMode(enum.Enum):
    """What the ceiling of an extension is: time added to the base time, or the whole time.

    No legal rule settles it; the wording does, and Vietnamese texts use both forms, sometimes
    in the same law (Luật Hộ tịch 2014, arts. 18(2) and 25(2)).
    """

    __hash__ = object.__hash__

    ADDITIONAL = "additional"
    """kéo dài thêm, tăng thêm, gia hạn ... không quá N, thời gian gia hạn không quá N, kể từ
    ngày hết thời hạn — the base time plus at most N."""

    TOTAL = "total"
    """(trường hợp ... thì) thời hạn giải quyết không quá N, or N kể từ ngày nhận/thụ lý — at
    most N in all, counted from the same start as the base time."""

    AMBIGUOUS = "ambiguous"
    """(thời hạn được) kéo dài không quá N — the wording says neither; read the legal text."""


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
# A spec with an extension: "3wd+5wd" (additional), "same-day..5wd" (total), "2m?3m" (ambiguous).
_FULL_SPEC_RE = re.compile(
    r"(same-day|same_day|immediate|\d+(?:\.\d{1,9})?(?:wd|d|h|m))"
    r"(?:(\+|\.\.|\?)(\d+(?:\.\d{1,9})?(?:wd|d|h|m)))?"
)
_FULL_SPEC_MAX_LEN = 2 * _SPEC_MAX_LEN + 2
_MODE_SEP = {
    ExtensionMode.ADDITIONAL: "+",
    ExtensionMode.TOTAL: "..",
    ExtensionMode.AMBIGUOUS: "?",
}
_SEP_MODE = {sep: mode for mode, sep in _MODE_SEP.items()}

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
    """Whether ``text`` has the form of a short spec (``<number><unit>``, maybe followed by an
    extension: ``3wd+5wd``), whatever its amounts."""
    if len(text) > _FULL_SPEC_MAX_LEN:
        return False
    return _FULL_SPEC_RE.fullmatch(text.strip().lower()) is not None


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
        expected = f"a positive number as the amount of {kind.name}"
        if value is None:  # the right type, but this kind needs an amount
            raise PolicyError(value, expected)
        raise InputTypeError("amount", value, expected)
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
        raise InputTypeError("kind", value, "a ProcessingTimeKind")


def _check_note(instance: ProcessingTime, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, str):
        raise InputTypeError("note", value, "a non-empty string or None")
    if not value.strip():
        raise PolicyError(value, "a non-empty string or None as the note")


def _check_extension(instance: ProcessingTime, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, ProcessingTime):
        raise InputTypeError("extension", value, "a ProcessingTime or None")
    if value.kind in _NO_AMOUNT:
        raise PolicyError(value, "an extension with an amount (not SAME_DAY or IMMEDIATE)")
    if value.extension is not None:
        raise PolicyError(value, "an extension without an extension of its own")


def _not_longer(instance: ProcessingTime, extension: ProcessingTime) -> bool:
    """Whether ``extension`` is, in the same unit, no longer than the time it extends."""
    return (
        extension.kind is instance.kind
        and instance.amount is not None
        and extension.amount is not None
        and extension.amount <= instance.amount
    )


def _to_mode(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return ExtensionMode(value.strip().lower())
        except ValueError:
            return value  # refused by _check_mode, with the value named
    return value


def _check_mode(instance: ProcessingTime, attribute: attrs.Attribute[Any], value: Any) -> None:
    if instance.extension is None:
        if value is not None:
            raise PolicyError(value, "no extension_mode without an extension (extension_mode=None)")
        return
    if value is None:
        return  # set from the numbers after validation (ProcessingTime.__attrs_post_init__)
    if isinstance(value, str):  # a word that names no mode (_to_mode kept it)
        raise PolicyError(
            value, "an ExtensionMode (ADDITIONAL, TOTAL or AMBIGUOUS) as the extension_mode"
        )
    if not isinstance(value, ExtensionMode):
        raise InputTypeError(
            "extension_mode", value, "an ExtensionMode (ADDITIONAL, TOTAL or AMBIGUOUS) or None"
        )


def _total_not_longer(pt: ProcessingTime) -> PolicyError:
    # Checked where a ceiling is read (from_spec, the parser) or used (ceiling()), not on every
    # value: attrs.evolve(pt, amount=...) adding a difficult-area extra must not fail.
    return PolicyError(
        str(pt.extension),
        f"a TOTAL ceiling longer than the time itself ({pt.spec()}): a whole time of at most "
        "that would extend nothing; use ExtensionMode.ADDITIONAL if the text adds it to the time",
    )


def _check_extra(instance: ProcessingTime, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not _is_number(value):
        raise InputTypeError("difficult_area_extra", value, "a non-negative, finite number")
    if (isinstance(value, float) and not math.isfinite(value)) or value < 0:
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
    ``extension`` is the ceiling of an allowed extension ("gia hạn không quá 15 ngày") and
    ``extension_mode`` says what that ceiling is (:class:`ExtensionMode`): ``ADDITIONAL`` time
    on top of the base ("kéo dài thêm không quá 05 ngày làm việc"), the ``TOTAL`` time ("thời
    hạn giải quyết không quá 05 ngày làm việc"), or ``AMBIGUOUS``; it is ``None`` exactly when
    there is no extension, and when an extension is given without a mode it is ``ADDITIONAL``
    if the ceiling is, in the same unit, no longer than the time (the only reading that extends
    anything), else ``AMBIGUOUS``. :meth:`ceiling` is the longest time allowed.
    ``difficult_area_extra`` is the extra amount, in the same unit, for communes in mountainous,
    island or disadvantaged areas. A value of the wrong type (an amount that is a str or a
    bool, a kind that is not a :class:`ProcessingTimeKind`...) raises
    :class:`~tthc_sla.errors.InputTypeError` naming the field; bad values of the right type
    raise :class:`~tthc_sla.errors.PolicyError`: an amount that is missing (None), not finite
    (NaN, ±inf), zero or negative, a fraction of days or months, or above the maximum of its
    kind (``MAX_AMOUNTS``):

    * working days and calendar days: 366,000 (a millennium of days);
    * months: 12,000 (a millennium);
    * working hours: 2,928,000 (a millennium of 8-hour days).

    No legal processing time comes near these (the default calendar, 1995-2100, holds a tenth
    of them: longer times end in :class:`~tthc_sla.errors.CalendarRangeError` there); they keep
    absurd input (``10**30`` days) from ever reaching date arithmetic.
    ``difficult_area_extra`` has the same maximum.

    Legal basis: Civil Code 2015, arts. 146-148.

    Examples:
        >>> pt = ProcessingTime.working_days(15)
        >>> pt.kind, pt.amount, str(pt), pt.spec()
        (<ProcessingTimeKind.WORKING_DAYS: 'working_days'>, 15, '15 ngày làm việc', '15wd')
        >>> ProcessingTime.from_spec("1.5wd").amount
        1.5
        >>> ext = ProcessingTime.from_spec("3wd+5wd")   # Luật Hộ tịch 2014, art. 25(2)
        >>> ext.extension_mode, str(ext.ceiling())
        (<ExtensionMode.ADDITIONAL: 'additional'>, '8 ngày làm việc')
    """

    kind: ProcessingTimeKind = attrs.field(validator=_check_kind)
    amount: int | float | None = attrs.field(
        default=None, converter=_normalise_amount, validator=_check_amount
    )
    note: str | None = attrs.field(default=None, kw_only=True, validator=_check_note)
    extension: ProcessingTime | None = attrs.field(
        default=None, kw_only=True, validator=_check_extension
    )
    extension_mode: ExtensionMode | None = attrs.field(
        default=None, kw_only=True, converter=_to_mode, validator=_check_mode
    )
    difficult_area_extra: int | float = attrs.field(
        default=0, kw_only=True, converter=_normalise_amount, validator=_check_extra
    )

    def __attrs_post_init__(self) -> None:
        extension = self.extension
        if extension is not None and self.extension_mode is None:
            # Not given (attrs.evolve(pt, extension=...) too): the reading the numbers allow.
            mode = (
                ExtensionMode.ADDITIONAL
                if _not_longer(self, extension)
                else ExtensionMode.AMBIGUOUS
            )
            object.__setattr__(self, "extension_mode", mode)

    @classmethod
    def working_days(cls, n: int | float, **kw: Any) -> ProcessingTime:
        """``n`` working days (ngày làm việc).

        Examples:
            >>> str(ProcessingTime.working_days(5))
            '5 ngày làm việc'
        """
        return cls(ProcessingTimeKind.WORKING_DAYS, n, **kw)

    @classmethod
    def calendar_days(cls, n: int, **kw: Any) -> ProcessingTime:
        """``n`` calendar days (ngày).

        Examples:
            >>> str(ProcessingTime.calendar_days(30))
            '30 ngày'
        """
        return cls(ProcessingTimeKind.CALENDAR_DAYS, n, **kw)

    @classmethod
    def working_hours(cls, h: int | float, **kw: Any) -> ProcessingTime:
        """``h`` hours of working time (giờ làm việc).

        Examples:
            >>> str(ProcessingTime.working_hours(0.5))
            '0,5 giờ làm việc'
        """
        return cls(ProcessingTimeKind.WORKING_HOURS, h, **kw)

    @classmethod
    def months(cls, n: int, **kw: Any) -> ProcessingTime:
        """``n`` months (tháng).

        Examples:
            >>> str(ProcessingTime.months(3))
            '3 tháng'
        """
        return cls(ProcessingTimeKind.MONTHS, n, **kw)

    @classmethod
    def same_day(cls, **kw: Any) -> ProcessingTime:
        """Settled on the day of receipt (trong ngày).

        Examples:
            >>> str(ProcessingTime.same_day())
            'trong ngày'
        """
        return cls(ProcessingTimeKind.SAME_DAY, None, **kw)

    @classmethod
    def immediate(cls, **kw: Any) -> ProcessingTime:
        """Settled at once (ngay, trả ngay).

        Examples:
            >>> str(ProcessingTime.immediate())
            'ngay'
        """
        return cls(ProcessingTimeKind.IMMEDIATE, None, **kw)

    @classmethod
    def from_spec(cls, spec: str) -> ProcessingTime:
        """Read a short spec: ``"15wd"``, ``"30d"``, ``"8h"``, ``"1.5wd"``, ``"3m"``,
        ``"same-day"`` or ``"immediate"``, maybe followed by an extension: ``"3wd+5wd"`` (up to
        5 working days more, ``ADDITIONAL``), ``"same-day..5wd"`` (at most 5 working days in
        all, ``TOTAL``), ``"2m?3m"`` (``AMBIGUOUS``).

        Args:
            spec: the spec; surrounding whitespace and case are ignored.

        Returns:
            The processing time, with its extension if the spec has one; no note or extra.

        Raises:
            RuleParseError: the spec is not one of the forms above, or an amount is not
                allowed for its kind (zero, a fraction of days or months, above
                ``MAX_AMOUNTS``), or a total ceiling is not longer than the time.
            InputTypeError: ``spec`` is not a str.

        Examples:
            >>> ProcessingTime.from_spec("30d") == ProcessingTime.calendar_days(30)
            True
            >>> ProcessingTime.from_spec("same-day..5wd").extension_mode
            <ExtensionMode.TOTAL: 'total'>
        """
        if not isinstance(spec, str):
            raise InputTypeError(
                "spec", spec, "a str such as '15wd', '30d', '8h', '3m' or 'same-day'"
            )
        if len(spec) > _FULL_SPEC_MAX_LEN:
            raise RuleParseError(spec, "a spec is short, like '15wd', '30d', '8h', '3m'")
        s = spec.strip().lower()
        m = _FULL_SPEC_RE.fullmatch(s)
        if m is None:
            raise RuleParseError(
                spec,
                "expected <number><unit> with unit wd, d, h or m, or 'same-day', 'immediate', "
                "maybe followed by an extension: '+5wd' (added), '..5wd' (in all), '?5wd' "
                "(unknown)",
            )
        try:
            base = _from_simple_spec(spec, m.group(1))
            extension = None if m.group(2) is None else _from_simple_spec(spec, m.group(3))
        except PolicyError as exc:
            raise RuleParseError(
                spec, f"amount {exc.value!r} not allowed: expected {exc.expected}"
            ) from exc
        if extension is None:
            return base
        try:
            pt = cls(
                base.kind, base.amount, extension=extension, extension_mode=_SEP_MODE[m.group(2)]
            )
            if pt.extension_mode is ExtensionMode.TOTAL and _not_longer(pt, extension):
                raise _total_not_longer(pt)
        except PolicyError as exc:
            raise RuleParseError(spec, f"{exc.value!r}: expected {exc.expected}") from exc
        return pt

    def spec(self) -> str:
        """The short spec, the inverse of :meth:`from_spec` (the extension is kept, the note and
        the difficult-area extra are not).

        Examples:
            >>> ProcessingTime.working_hours(4).spec()
            '4h'
            >>> ProcessingTime.months(4, extension=ProcessingTime.months(2)).spec()
            '4m+2m'
        """
        base = self._simple_spec()
        if self.extension is None or self.extension_mode is None:
            return base
        return f"{base}{_MODE_SEP[self.extension_mode]}{self.extension._simple_spec()}"

    def _simple_spec(self) -> str:
        if self.kind is ProcessingTimeKind.SAME_DAY:
            return "same-day"
        if self.kind is ProcessingTimeKind.IMMEDIATE:
            return "immediate"
        assert self.amount is not None
        return f"{_format_number(self.amount)}{_SPEC_SUFFIX[self.kind]}"

    def ceiling(self) -> ProcessingTime:
        """The longest time allowed: the time with its extension used in full.

        * no extension: the time itself;
        * ``ADDITIONAL``: the time plus the extension, in their common unit ("03 ngày làm việc"
          extended by "không quá 05 ngày làm việc" gives 8 working days);
        * ``TOTAL``: the extension's ceiling, which counts from the same start as the time;
        * ``AMBIGUOUS``: refused, since the wording does not say which of the two it is.

        The note is kept; the difficult-area extra is kept when the result is in its unit.

        Returns:
            A processing time without extension.

        Raises:
            PolicyError: the mode is ``AMBIGUOUS`` (the message names the time and says so; set
                ``extension_mode`` from the legal text with ``attrs.evolve``), or an additional
                extension is in another unit than the time ("trong ngày" plus "02 ngày làm
                việc", "45 ngày" plus "21 ngày làm việc"), which no single time can express, or
                a total ceiling is no longer than the time in its unit.

        Legal basis: none settles the mode; the wording does (Luật Hộ tịch 2014 art. 18(2):
        total; art. 25(2): additional; Luật Khiếu nại 2011 art. 28: total).

        Examples:
            >>> ProcessingTime.from_spec("3wd+5wd").ceiling().spec()    # Luật Hộ tịch art. 25(2)
            '8wd'
            >>> ProcessingTime.from_spec("immediate..5wd").ceiling().spec()  # art. 18(2)
            '5wd'
            >>> ProcessingTime.from_spec("2m?3m").ceiling()
            Traceback (most recent call last):
            ...
            tthc_sla.errors.PolicyError: '2 tháng; thời hạn được kéo dài không quá 3 tháng': ...
        """
        extension, mode = self.extension, self.extension_mode
        if extension is None:
            return self
        base = ProcessingTime(self.kind, self.amount)
        if mode is ExtensionMode.TOTAL:
            if _not_longer(self, extension):
                raise _total_not_longer(self)
            if self.difficult_area_extra and extension.kind is not self.kind:
                raise PolicyError(
                    str(self),
                    f"a difficult-area extra in the unit of the total ceiling {extension} "
                    f"(it is {self.difficult_area_extra} {_VI_UNIT[self.kind]})",
                )
            return ProcessingTime(
                extension.kind,
                extension.amount,
                note=self.note,
                difficult_area_extra=self.difficult_area_extra,
            )
        if mode is ExtensionMode.ADDITIONAL:
            if extension.kind is not self.kind or self.amount is None:
                raise PolicyError(
                    str(self),
                    f"an additional extension in the unit of the time to add them up: {base} "
                    f"plus {extension} is no single time; compute the deadline of {base} and "
                    f"add {extension} to it",
                )
            assert extension.amount is not None
            return ProcessingTime(
                self.kind,
                self.amount + extension.amount,
                note=self.note,
                difficult_area_extra=self.difficult_area_extra,
            )
        raise PolicyError(
            str(self),
            f"an extension whose wording says whether its ceiling of {extension} is added to "
            f"{base} or is the whole time; this wording is "
            "ambiguous (ExtensionMode.AMBIGUOUS): read the legal text and set "
            "extension_mode=ExtensionMode.ADDITIONAL or TOTAL with attrs.evolve"
            + (f" (note: {self.note})" if self.note else ""),
        )

    def __str__(self) -> str:
        """Vietnamese wording: ``"15 ngày làm việc"``, ``"trong ngày"``, ``"ngay"``; an extension
        is worded after the time so that the parser reads it back with its mode:
        ``"3 ngày làm việc, kéo dài thêm không quá 5 ngày làm việc"``."""
        if self.kind is ProcessingTimeKind.SAME_DAY:
            base = "trong ngày"
        elif self.kind is ProcessingTimeKind.IMMEDIATE:
            base = "ngay"
        else:
            assert self.amount is not None
            base = f"{_format_number(self.amount, ',')} {_VI_UNIT[self.kind]}"
        extension, mode = self.extension, self.extension_mode
        if extension is None or mode is None:
            return base
        return _EXTENSION_WORDING[mode].format(base=base, ceiling=extension)


_EXTENSION_WORDING = {
    ExtensionMode.ADDITIONAL: "{base}, kéo dài thêm không quá {ceiling}",
    ExtensionMode.TOTAL: "{base}; trường hợp kéo dài thì thời hạn giải quyết không quá {ceiling}",
    ExtensionMode.AMBIGUOUS: "{base}; thời hạn được kéo dài không quá {ceiling}",
}


def _from_simple_spec(spec: str, s: str) -> ProcessingTime:
    """One time of a spec ("15wd", "same-day"); PolicyError for an amount not allowed."""
    if s in ("same-day", "same_day"):
        return ProcessingTime.same_day()
    if s == "immediate":
        return ProcessingTime.immediate()
    m = _SPEC_RE.fullmatch(s)
    assert m is not None, spec  # _FULL_SPEC_RE matched
    number = m.group(1)
    amount: int | float = float(number) if "." in number else int(number)
    return ProcessingTime(_SUFFIX_KIND[m.group(2)], amount)


def _check_parts(
    instance: CompositeProcessingTime, attribute: attrs.Attribute[Any], value: Any
) -> None:
    if not isinstance(value, tuple):
        raise InputTypeError("parts", value, "a non-empty tuple of (label, ProcessingTime) pairs")
    if not value:
        raise PolicyError(value, "a non-empty tuple of (label, ProcessingTime) pairs")
    seen: set[str] = set()
    for i, part in enumerate(value):
        if (
            not isinstance(part, tuple)
            or len(part) != 2
            or not isinstance(part[0], str)
            or not isinstance(part[1], ProcessingTime)
        ):
            raise InputTypeError(f"parts[{i}]", part, "a (label, ProcessingTime) pair")
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

    Examples:
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
