"""The legal basis by receipt date (domain/law-2026-11.md §1, §7): 61/2018 before 1/7/2025,
118/2025 from then; an article that could not be established is never guessed."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import pytest

from tthc_sla import (
    Dossier,
    Event,
    HistoryError,
    PolicyError,
    Procedure,
    Regime,
    evaluate,
    legal_basis,
    regime_on,
    vietnam_calendar,
)
from tthc_sla.rules import BASIS, REGIME_CHANGE

ROOT = Path(__file__).parent.parent


def test_the_regime_changes_on_1_july_2025() -> None:
    # Decree 118/2025/NĐ-CP is in force from 01/7/2025 (law-2026-11.md §1.0).
    assert date(2025, 7, 1) == REGIME_CHANGE
    assert regime_on(date(2025, 6, 30)) is Regime.DECREE_61_2018
    assert regime_on(datetime(2025, 6, 30, 23, 59)) is Regime.DECREE_61_2018
    assert regime_on(date(2025, 7, 1)) is Regime.DECREE_118_2025


def test_each_rule_cites_the_regime_of_the_receipt() -> None:
    for rule, (before, since) in BASIS.items():
        assert legal_basis(rule, date(2024, 1, 2)) == before
        assert legal_basis(rule, date(2026, 1, 2)) == since
    # What was read in the sources: the clock start of 118/2025 as amended by 309/2026.
    assert legal_basis("clock_start", date(2026, 9, 1), short=True) == (
        "Decree 118/2025/NĐ-CP art. 17(3) as amended by 309/2026/NĐ-CP art. 8(3)"
    )
    before = legal_basis("apology", date(2025, 6, 30), short=True)
    assert before == "Decree 61/2018/NĐ-CP art. 19(9)"


def test_no_article_of_118_is_guessed() -> None:
    # The articles of 118/2025 that were read (17(3), 18(2), 21, 35, 40) may be cited; any other
    # article number of 118/2025 in the table would be a guess.
    read = {"17(3)", "18(2)", "21", "35", "40"}
    for _, since in BASIS.values():
        for match in re.finditer(r"118/2025(?:/NĐ-CP)? arts?\. (\d+(?:\(\d+\))?(?:, \d+)*)", since):
            cited = {a.strip() for a in match.group(1).split(",")}
            assert cited <= read, since


def test_unknown_rule_is_refused() -> None:
    with pytest.raises(PolicyError, match="a rule of the legal-basis table"):
        legal_basis("hẹn trả", date(2026, 1, 2))


@pytest.mark.parametrize(
    ("received", "cited"),
    [(datetime(2024, 11, 4, 9), "Decree 61/2018/NĐ-CP art. 19(9)"),
     (datetime(2026, 11, 2, 9), "not established")],
)  # fmt: skip
def test_a_late_apology_cites_the_rule_of_its_receipt(received: datetime, cited: str) -> None:
    # 3 working days; the apology on the due date itself is later than one working day before.
    proc = Procedure("1.001", "Cấp phép", "3wd")
    cal = vietnam_calendar()
    due = cal.add_working_days(received.date(), 3)
    d = Dossier("A", proc, [
        Event(received, "received"),
        Event(datetime.combine(due, received.time()), "rescheduled",
              new_due=datetime.combine(cal.add_working_days(due, 2), received.time())),
    ])  # fmt: skip
    with pytest.raises(HistoryError, match=re.escape(f"apology rule: {cited}")):
        evaluate(d, cal, as_of=datetime(2026, 12, 31))


def test_no_text_says_61_2018_is_in_force_today() -> None:
    # 61/2018 may be cited as the rule before 1/7/2025, never alone as the current one.
    for path in [*(ROOT / "src").rglob("*.py"), *(ROOT / "docs").glob("*.md")]:
        text = path.read_text(encoding="utf-8")
        for line in text.splitlines():
            if "61/2018" in line and "in force" in line.lower():
                assert "until" in line or "before" in line or "2025" in line, (path, line)
