"""The choices the law leaves open when a processing time becomes a deadline."""

from __future__ import annotations

from datetime import time
from typing import Any

import attrs

from tthc_sla.errors import InputTypeError, PolicyError

__all__ = ["DeadlinePolicy"]

_DUE_TIMES = ("end_of_day", "same_time")
_FINISH = ("resolved", "returned")


def _one_of(choices: tuple[str, ...]) -> Any:
    def check(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if value not in choices:
            expected = " or ".join(repr(c) for c in choices)
            if not isinstance(value, str):
                raise InputTypeError(attribute.name, value, expected)
            raise PolicyError(value, f"{attribute.name}={expected}")

    return check


def _check_bool(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, bool):
        raise InputTypeError(attribute.name, value, "True or False")


def _check_cutoff(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, time):
        raise InputTypeError(attribute.name, value, "a naive datetime.time such as time(15, 0)")
    if value.tzinfo is not None:
        raise PolicyError(value, f"{attribute.name}= a naive datetime.time such as time(15, 0)")


def _check_optional_cutoff(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        _check_cutoff(_, attribute, value)


@attrs.frozen(kw_only=True, cache_hash=True)
class DeadlinePolicy:
    """How a processing time turns into a due moment, where the law leaves a choice.

    The defaults follow the Civil Code; each alternative is what some one-stop software does.

    Attributes:
        receipt_day_counts: ``False`` (default; Civil Code art. 147: the day of receipt is not
            counted, so for N working days the due date is the N-th working day after the
            receipt date, whatever the hour). ``True``: a receipt on a working day within its
            working hours makes that day day 1 (common one-stop practice); any other receipt
            falls back to the default rule. Only for ``due_time="end_of_day"``.
        due_time: ``"end_of_day"`` (default; Civil Code art. 148: a period in days ends at the
            end of its last day, so the due moment is the close of the due date's last working
            interval and outcomes are judged by date) or ``"same_time"`` (the clock starts at
            the receipt moment, moved to the next working moment, and the due moment keeps that
            time of day on the due date, as printed on many appointment slips).
        same_day_cutoff: for ``SAME_DAY`` and ``IMMEDIATE`` rules, a dossier received on a
            working day up to this time is due at that day's close, else at the close of the next
            working day (15:00: the certification and civil-status rules).
        difficult_area: apply the rule's ``difficult_area_extra`` (communes in mountainous,
            island or disadvantaged areas; e.g. +10 days in land procedures).
        finish: which event finishes a dossier for judging it: ``"resolved"`` (the result is
            ready: RESOLVED or REJECTED; default) or ``"returned"`` (handed over: RETURNED).
        after_hours: ``None`` (default: a receipt counts when it happens, whatever the hour,
            since no general rule was found) or a time such as ``time(17, 0)``: a receipt at or
            after that time, or on a day that is not a working day, counts as received at
            ``after_hours_start`` of the next working day. Decree 297/2025/NĐ-CP art. 3(5) sets
            this (17:00, 08:00) for online filings of its procedures; the counters are closed
            then, so in practice it moves online receipts.
        after_hours_start: the moment of the next working day such a receipt counts from
            (default 08:00, as in Decree 297/2025/NĐ-CP art. 3(5)).

    Examples:
        >>> DeadlinePolicy().due_time
        'end_of_day'
        >>> DeadlinePolicy(receipt_day_counts=True).receipt_day_counts
        True
        >>> DeadlinePolicy(due_time="at noon")
        Traceback (most recent call last):
        ...
        tthc_sla.errors.PolicyError: 'at noon': expected due_time='end_of_day' or 'same_time'
    """

    receipt_day_counts: bool = attrs.field(default=False, validator=_check_bool)
    due_time: str = attrs.field(default="end_of_day", validator=_one_of(_DUE_TIMES))
    same_day_cutoff: time = attrs.field(default=time(15, 0), validator=_check_cutoff)
    difficult_area: bool = attrs.field(default=False, validator=_check_bool)
    finish: str = attrs.field(default="resolved", validator=_one_of(_FINISH))
    after_hours: time | None = attrs.field(default=None, validator=_check_optional_cutoff)
    after_hours_start: time = attrs.field(default=time(8, 0), validator=_check_cutoff)

    def __attrs_post_init__(self) -> None:
        if self.receipt_day_counts and self.due_time == "same_time":
            raise PolicyError(
                "receipt_day_counts=True with due_time='same_time'",
                "receipt_day_counts=True only with due_time='end_of_day' (with 'same_time' "
                "the clock already runs from the receipt moment)",
            )
