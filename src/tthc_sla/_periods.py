"""Report periods as agencies count them: months, quarters, half years and years.

Two conventions (``cutoff=``): ``"calendar"``, the calendar's own months (the default), and
``"reporting"``, the national reporting regime's cut-off, which runs a period from the 15th of
the month before it to the 14th of its last month. Whether the TTHC report forms use the
second is not verified (law-2026-11.md §2.3): it is a named choice, never a silent one.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date, timedelta
from typing import Final

from tthc_sla.errors import InputTypeError, PolicyError

__all__ = ["CUTOFFS", "FORMS", "check_cutoff", "parse_period", "period_name"]

CUTOFFS: Final = ("calendar", "reporting")

FORMS: Final = (
    "a period: YYYY-MM (a month), YYYY-Qn (a quarter, n = 1..4), YYYY-H1 or YYYY-H2 (a half "
    "year), YYYY (a year), or FIRST..LAST with each bound YYYY-MM-DD or YYYY-MM"
)

# Each named form as (first month, last month) of its year; "Q" and "H" in upper case.
_SPANS_OF: Final = {
    **{f"Q{q}": (3 * q - 2, 3 * q) for q in range(1, 5)},
    "H1": (1, 6),
    "H2": (7, 12),
}
_YEAR: Final = re.compile(r"(\d{4})", re.ASCII)
_MONTH: Final = re.compile(r"(\d{4})-(\d{2})", re.ASCII)
_NAMED: Final = re.compile(r"(\d{4})-(Q[1-4]|H[12])", re.ASCII)
_DAY: Final = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)
_DASHES: Final = {ord(c): "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"}


def check_cutoff(cutoff: object) -> str:
    """``cutoff`` itself when it names a convention of :data:`CUTOFFS`, else an error.

    Raises:
        InputTypeError: ``cutoff`` is not a string.
        PolicyError: ``cutoff`` is another string.
    """
    expected = (
        "cutoff='calendar' (calendar months) or 'reporting' (from the 15th of the month "
        "before to the 14th, Decree 09/2019/NĐ-CP art. 12)"
    )
    if not isinstance(cutoff, str):
        raise InputTypeError("cutoff", cutoff, expected)
    if cutoff not in CUTOFFS:
        raise PolicyError(cutoff, expected)
    return cutoff


def parse_period(text: str, cutoff: str = "calendar") -> tuple[date, date]:
    """The first and last day (inclusive) of a report period written as text.

    Forms: ``2026-10`` (a month), ``2026-Q4`` or ``2026-q4`` (a quarter), ``2026-H1`` and
    ``2026-H2`` (half years), ``2026`` (a year), and ``FIRST..LAST`` where each bound is a date
    (``2026-10-01``) or a month (``2026-09``: its first day as FIRST, its last day as LAST).
    With ``cutoff="calendar"`` months, quarters, halves and years are the calendar's; with
    ``cutoff="reporting"`` each runs from the 15th of the month before it to the 14th of its
    last month (2026-10 is 2026-09-15..2026-10-14, 2026-Q1 is 2025-12-15..2026-03-14), and so
    does a month written as a bound of ``FIRST..LAST``. Dates written in full are taken as
    given under either convention.

    Legal basis: Decree 09/2019/NĐ-CP art. 12, for ``cutoff="reporting"``.

    Args:
        text: the period; spaces and typographic dashes are allowed (``2026–Q4``).
        cutoff: ``"calendar"`` or ``"reporting"``.

    Returns:
        ``(first_day, last_day)``.

    Raises:
        InputTypeError: ``text`` or ``cutoff`` is not a string.
        PolicyError: ``text`` is in none of the forms, names a day that does not exist or a
            range whose FIRST is after its LAST, or ``cutoff`` is another word.

    Example:
        >>> parse_period("2026-Q4")
        (datetime.date(2026, 10, 1), datetime.date(2026, 12, 31))
        >>> parse_period("2026-Q4", cutoff="reporting")
        (datetime.date(2026, 9, 15), datetime.date(2026, 12, 14))
    """
    if not isinstance(text, str):
        raise InputTypeError("period", text, FORMS)
    check_cutoff(cutoff)
    s = "".join(unicodedata.normalize("NFC", text).translate(_DASHES).split())
    s = s.replace("\u2026", "..")
    if ".." in s:
        first_text, _, last_text = s.partition("..")
        first = _bound(text, first_text, cutoff, 0)
        last = _bound(text, last_text, cutoff, 1)
        if first > last:
            raise PolicyError(text, f"FIRST..LAST with FIRST on or before LAST ({FORMS})")
        return first, last
    if m := _YEAR.fullmatch(s):
        return _span(text, int(m[1]), 1, 12, cutoff)
    if m := _MONTH.fullmatch(s):
        month = _month(text, m[2])
        return _span(text, int(m[1]), month, month, cutoff)
    if m := _NAMED.fullmatch(s.upper()):
        return _span(text, int(m[1]), *_SPANS_OF[m[2]], cutoff)
    raise PolicyError(text, FORMS)


def _bound(text: str, part: str, cutoff: str, side: int) -> date:
    """A bound of FIRST..LAST: a date as written, or a month's first (side 0) or last day."""
    if m := _DAY.fullmatch(part):
        try:
            return date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            raise PolicyError(text, f"{FORMS} ({part} is not a day of the calendar)") from None
    if m := _MONTH.fullmatch(part):
        month = _month(text, m[2])
        return _span(text, int(m[1]), month, month, cutoff)[side]
    raise PolicyError(text, FORMS)


def _month(text: str, digits: str) -> int:
    month = int(digits)
    if not 1 <= month <= 12:
        raise PolicyError(text, f"{FORMS} (a month is 01..12)")
    return month


def _span(
    text: str, year: int, first_month: int, last_month: int, cutoff: str
) -> tuple[date, date]:
    """The days of the months ``first_month..last_month`` of ``year`` under ``cutoff``."""
    try:
        if cutoff == "calendar":
            return date(year, first_month, 1), _month_end(date(year, last_month, 1))
        # Decree 09/2019/NĐ-CP art. 12: from the 15th of the month before to the 14th of the last.
        before = date(year, first_month, 1) - timedelta(days=1)
        return before.replace(day=15), date(year, last_month, 14)
    except (ValueError, OverflowError):
        raise PolicyError(text, f"{FORMS} (the days fall outside years 1..9999)") from None


def _month_end(d: date) -> date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


_HALVES: Final = {(1, 6): "6 tháng đầu năm", (7, 12): "6 tháng cuối năm", (1, 9): "9 tháng năm"}
_QUARTERS: Final = ("I", "II", "III", "IV")


def period_name(first: date, last: date) -> str:
    """The period's Vietnamese name when its dates make one, else its dates.

    Named: a month ("Tháng 10/2026"), a quarter ("Quý IV/2026"), a half year ("6 tháng đầu
    năm 2026", "6 tháng cuối năm 2026"), nine months ("9 tháng năm 2026") or a year ("Năm
    2026"), in calendar months or in the 15th-to-14th periods of the reporting regime; any
    other span is shown as its dates, "dd/mm/yyyy – dd/mm/yyyy".

    Legal basis: Decree 09/2019/NĐ-CP art. 12, for the 15th-to-14th periods.

    Example:
        >>> period_name(date(2025, 12, 15), date(2026, 3, 14))
        'Quý I/2026'
        >>> period_name(date(2026, 10, 1), date(2026, 10, 20))
        '01/10/2026 – 20/10/2026'
    """
    dates = f"{first:%d/%m/%Y} – {last:%d/%m/%Y}"
    if first.day == 1 and last == _month_end(last):
        year, month = first.year, first.month
    elif first.day == 15 and last.day == 14:
        year, month = first.year + first.month // 12, first.month % 12 + 1
    else:
        return dates
    span = last.month - month + 1
    if year != last.year or span < 1:
        return dates
    if span == 1:
        return f"Tháng {last.month:02d}/{year}"
    if span == 3 and last.month % 3 == 0:
        return f"Quý {_QUARTERS[last.month // 3 - 1]}/{year}"
    if span == 12:
        return f"Năm {year}"
    name = _HALVES.get((month, last.month))
    return dates if name is None else f"{name} {year}"
