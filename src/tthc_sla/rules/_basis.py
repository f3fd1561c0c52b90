"""The legal basis of each rule the library computes, by the regime in force at the receipt.

The one-stop mechanism was governed by Decree 61/2018/NĐ-CP (as amended by 107/2021/NĐ-CP) until
30 June 2025 and by Decree 118/2025/NĐ-CP (as amended by 367/2025/NĐ-CP and, from 5 August 2026,
by 309/2026/NĐ-CP) from 1 July 2025. The table below is data, one row per rule, with the source of
each citation in domain/law-2026-11.md and domain/regulations.md; where the body of 118/2025 could
not be read, the row says "not established" and never guesses an article number. docs/rules.md
shows the same table.

As far as established, the two regimes do not differ in anything the library computes (the
restart after a supplement, the single apology, the 15:00 forwarding rule, the clock start at the
receipt of a complete dossier), so no ``DeadlinePolicy`` setting depends on the date: the table
says which text applies, for messages and reports.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import date, datetime
from types import MappingProxyType
from typing import Final

from tthc_sla.errors import InputTypeError, PolicyError

__all__ = ["BASIS", "REGIME_CHANGE", "Regime", "legal_basis", "regime_on"]


class Regime(enum.Enum):
    """The one-stop regime in force on a day."""

    DECREE_61_2018 = "Decree 61/2018/NĐ-CP (as amended by 107/2021/NĐ-CP)"
    """Nghị định 61/2018/NĐ-CP: in force until 30/6/2025."""
    DECREE_118_2025 = "Decree 118/2025/NĐ-CP (as amended by 367/2025/NĐ-CP and 309/2026/NĐ-CP)"
    """Nghị định 118/2025/NĐ-CP: in force from 1/7/2025."""


REGIME_CHANGE: Final = date(2025, 7, 1)
"""The first day of Decree 118/2025/NĐ-CP (law-2026-11.md §1.0)."""

_NOT_ESTABLISHED = "not established (the body of 118/2025 could not be read)"

# rule: (basis before 1/7/2025, basis from 1/7/2025)
BASIS: Final[Mapping[str, tuple[str, str]]] = MappingProxyType(
    {
        "clock_start": (
            "Decree 61/2018/NĐ-CP art. 17(1)-(4): the time runs from the receipt of a complete, "
            "valid dossier",
            "Decree 118/2025/NĐ-CP art. 17(3) as amended by 309/2026/NĐ-CP art. 8(3): from the "
            "receipt of a complete dossier shown on the receipt slip; for a dossier lodged "
            "outside its home area, from the competent body's receipt",
        ),
        "day_counting": (
            "Civil Code 2015 arts. 147-148 (the first day is not counted; a period ends at the "
            "end of its last day; a last day off moves to the next working day)",
            "Civil Code 2015 arts. 147-148 (unchanged)",
        ),
        "same_day": (
            "Decree 23/2015/NĐ-CP art. 21 and the civil-status rules: received after 15:00, due "
            "the next working day",
            "Decree 23/2015/NĐ-CP art. 21 as amended by 280/2025/NĐ-CP (unchanged rule)",
        ),
        "forwarding_15h": (
            "Decree 61/2018/NĐ-CP art. 18(2): forward the same day, or at the start of the next "
            "working day if received after 15:00 (a forwarding rule, not a deadline rule)",
            "Decree 118/2025/NĐ-CP art. 18(2) as amended by 309/2026/NĐ-CP art. 9 (same rule)",
        ),
        "supplement_restart": (
            "Decree 61/2018/NĐ-CP art. 19(4) as amended: the time restarts from the beginning "
            "once the complete dossier is back",
            f"{_NOT_ESTABLISHED}; Decree 297/2025/NĐ-CP art. 6(4)(a) restarts for its "
            "procedures, and the library keeps restart as the default",
        ),
        "apology": (
            "Decree 61/2018/NĐ-CP art. 19(9): an apology with a new appointment, no later than "
            "1 day before the due date, once only; Circular 01/2018/TT-VPCP Mẫu 04",
            f"{_NOT_ESTABLISHED}; once only and 1 day before in provincial restatements (e.g. "
            "Lai Châu QĐ 88/2025/QĐ-UBND art. 3(6)); form: Circular 03/2025/TT-VPCP Mẫu 04 "
            '"Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết"',
        ),
        "steps": (
            "Decree 61/2018/NĐ-CP art. 19(5)-(7): each body's task and time limit in the "
            "transfer slip; no formula for the split",
            f"{_NOT_ESTABLISHED}; the internal procedures approved by each ministry or province "
            "still fix the split",
        ),
        "rejection": (
            "Decree 61/2018/NĐ-CP art. 19(8): a refusal after appraisal is the result, within "
            "the processing time",
            _NOT_ESTABLISHED,
        ),
        "withdrawal": (
            "no clause found in 61/2018 (withdrawal treated as terminal, excluded from rates)",
            "Decree 118/2025/NĐ-CP art. 21 (stopping at the applicant's request); Circular "
            '03/2025/TT-VPCP art. 7, Mẫu 05 "Thông báo dừng giải quyết hồ sơ"',
        ),
        "excluded_time": (
            "the specialised rule of each procedure (e.g. land: financial obligations, expert "
            "assessment not counted)",
            "the specialised rule of each procedure (land: Decree 151/2025/NĐ-CP procedure "
            "texts, QĐ 2304/QĐ-BNNMT)",
        ),
        "report_form": (
            "Circular 01/2020/TT-VPCP, Biểu số 06/VPCP/KSTT",
            "Circular 01/2020/TT-VPCP, Biểu số 06/VPCP/KSTT as one-stop software implements it; "
            "TTHC control moved to the Ministry of Justice (Decree 09/2026/NĐ-CP; 118/2025 arts. "
            "35, 40 as amended by 309/2026)",
        ),
    }
)


def regime_on(day: date) -> Regime:
    """The one-stop regime in force on a day (a datetime: its date).

    Examples:
        >>> regime_on(date(2025, 6, 30)).name, regime_on(date(2025, 7, 1)).name
        ('DECREE_61_2018', 'DECREE_118_2025')
    """
    if not isinstance(day, date):
        raise InputTypeError("day", day, "a datetime.date or datetime.datetime")
    d = day.date() if isinstance(day, datetime) else day
    return Regime.DECREE_61_2018 if d < REGIME_CHANGE else Regime.DECREE_118_2025


def legal_basis(rule: str, received: date, *, short: bool = False) -> str:
    """The legal basis of a rule for a dossier received on a day, in one line.

    Args:
        rule: a key of :data:`BASIS` ("clock_start", "apology", ...).
        received: the receipt day (a datetime: its date).
        short: only the citation, without what the text says (for error messages).

    Examples:
        >>> legal_basis("apology", date(2024, 3, 1))[:29]
        'Decree 61/2018/NĐ-CP art. 19('
        >>> legal_basis("clock_start", date(2026, 9, 1))[:35]
        'Decree 118/2025/NĐ-CP art. 17(3) as'
        >>> legal_basis("apology", date(2026, 9, 1), short=True)
        'not established (the body of 118/2025 could not be read)'
    """
    expected = f"a rule of the legal-basis table: one of {', '.join(BASIS)}"
    if not isinstance(rule, str):
        raise InputTypeError("rule", rule, expected)
    row = BASIS.get(rule)
    if row is None:
        raise PolicyError(rule, expected)
    text = row[0] if regime_on(received) is Regime.DECREE_61_2018 else row[1]
    if short:
        text = text.split(":")[0].split(";")[0]
    return text
