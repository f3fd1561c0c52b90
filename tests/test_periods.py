"""Report periods as text (tthc_sla._periods), in the metrics and on the command line.

Every expected date below is written by hand from the rule: calendar months, quarters, halves
and years; and the reporting cut-off of Decree 09/2019/NĐ-CP art. 12 (law-2026-11.md §2.3):
a period runs from the 15th of the month before it to the 14th of its last month.
"""

from __future__ import annotations

import calendar
import csv
import io
import itertools
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tthc_sla import (
    Evaluation,
    InputTypeError,
    PolicyError,
    evaluate,
    late_by_unit,
    late_dossiers,
    read_dossiers,
    read_procedures,
    summarize,
    vietnam_calendar,
)
from tthc_sla._periods import CUTOFFS, parse_period, period_name
from tthc_sla.cli import main

ROOT = Path(__file__).resolve().parent.parent
EVENTS = ROOT / "examples" / "events.csv"
PROCS = ROOT / "examples" / "procedures.csv"
D = date

# ---------------------------------------------------------------------------- worked examples


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("2026-10", D(2026, 10, 1), D(2026, 10, 31)),
        ("2026-02", D(2026, 2, 1), D(2026, 2, 28)),
        ("2028-02", D(2028, 2, 1), D(2028, 2, 29)),  # 2028 is a leap year
        ("2100-02", D(2100, 2, 1), D(2100, 2, 28)),  # a century not divisible by 400 is not
        ("2000-02", D(2000, 2, 1), D(2000, 2, 29)),  # ... one divisible by 400 is
        ("2026-Q1", D(2026, 1, 1), D(2026, 3, 31)),
        ("2026-Q2", D(2026, 4, 1), D(2026, 6, 30)),
        ("2026-Q3", D(2026, 7, 1), D(2026, 9, 30)),
        ("2026-Q4", D(2026, 10, 1), D(2026, 12, 31)),
        ("2026-q4", D(2026, 10, 1), D(2026, 12, 31)),
        ("2026-H1", D(2026, 1, 1), D(2026, 6, 30)),
        ("2026-h2", D(2026, 7, 1), D(2026, 12, 31)),
        ("2026", D(2026, 1, 1), D(2026, 12, 31)),
        ("2026-10-05..2026-10-20", D(2026, 10, 5), D(2026, 10, 20)),
        ("2026-09..2026-11", D(2026, 9, 1), D(2026, 11, 30)),  # months: first day, last day
        ("2026-10..2026-10", D(2026, 10, 1), D(2026, 10, 31)),
        ("2026-10-05..2026-11", D(2026, 10, 5), D(2026, 11, 30)),
        ("2026-09..2026-10-14", D(2026, 9, 1), D(2026, 10, 14)),
        ("2028-02-29..2028-03-01", D(2028, 2, 29), D(2028, 3, 1)),
        # spaces, a typographic dash and an ellipsis, as copied from a document
        (" 2026\u2013Q4 ", D(2026, 10, 1), D(2026, 12, 31)),
        ("2026-10-01 .. 2026-10-31", D(2026, 10, 1), D(2026, 10, 31)),
        ("2026-10-01\u20262026-10-31", D(2026, 10, 1), D(2026, 10, 31)),
    ],
)
def test_calendar_periods(text: str, first: date, last: date) -> None:
    assert parse_period(text) == (first, last)
    assert parse_period(text, cutoff="calendar") == (first, last)


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        # a month: from the 15th of the month before to the 14th of the month
        ("2026-10", D(2026, 9, 15), D(2026, 10, 14)),
        ("2026-01", D(2025, 12, 15), D(2026, 1, 14)),  # the month before is last year's
        ("2026-03", D(2026, 2, 15), D(2026, 3, 14)),
        ("2028-03", D(2028, 2, 15), D(2028, 3, 14)),  # 29/2/2028 inside, nothing else moves
        # a quarter: from the 15th of the month before it to the 14th of its last month
        ("2026-Q1", D(2025, 12, 15), D(2026, 3, 14)),
        ("2026-Q2", D(2026, 3, 15), D(2026, 6, 14)),
        ("2026-Q3", D(2026, 6, 15), D(2026, 9, 14)),
        ("2026-q4", D(2026, 9, 15), D(2026, 12, 14)),
        # half years and the year
        ("2026-H1", D(2025, 12, 15), D(2026, 6, 14)),
        ("2026-H2", D(2026, 6, 15), D(2026, 12, 14)),
        ("2026", D(2025, 12, 15), D(2026, 12, 14)),
        # a month as a bound follows the cut-off; a date written in full is taken as given
        ("2026-09..2026-11", D(2026, 8, 15), D(2026, 11, 14)),
        ("2026-10-01..2026-10-31", D(2026, 10, 1), D(2026, 10, 31)),
        ("2026-10-01..2026-11", D(2026, 10, 1), D(2026, 11, 14)),
        ("2026-10..2026-10-31", D(2026, 9, 15), D(2026, 10, 31)),
    ],
)
def test_reporting_periods(text: str, first: date, last: date) -> None:
    assert parse_period(text, cutoff="reporting") == (first, last)


@pytest.mark.parametrize("cutoff", CUTOFFS)
def test_month_ranges_are_the_named_periods(cutoff: str) -> None:
    assert parse_period("2026-01..2026-03", cutoff) == parse_period("2026-Q1", cutoff)
    assert parse_period("2026-07..2026-12", cutoff) == parse_period("2026-H2", cutoff)
    assert parse_period("2026-01..2026-12", cutoff) == parse_period("2026", cutoff)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("2026-10", "Tháng 10/2026"),
        ("2026-01", "Tháng 01/2026"),
        ("2026-Q1", "Quý I/2026"),
        ("2026-Q4", "Quý IV/2026"),
        ("2026-H1", "6 tháng đầu năm 2026"),
        ("2026-H2", "6 tháng cuối năm 2026"),
        ("2026", "Năm 2026"),
    ],
)
@pytest.mark.parametrize("cutoff", CUTOFFS)
def test_named_periods_are_named_alike_under_both_cutoffs(
    text: str, name: str, cutoff: str
) -> None:
    assert period_name(*parse_period(text, cutoff)) == name


def test_the_form_names_periods_with_the_same_function() -> None:
    from tthc_sla import _form06

    assert _form06._period_name is period_name  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Q4",
        "2026-13",
        "2026-00",
        "2026-Q5",
        "2026-Q0",
        "2026-H3",
        "26-10",
        "2026-1",
        "2026-10-32",
        "2026-02-29..2026-03-01",  # 2026 is not a leap year
        "2026-9M",
        "2026/10",
        "2026-10..",
        "..2026-10",
        "2026-Q1..2026-Q2",  # bounds are dates or months only
        "2026-10-01..2026-10-02..2026-10-03",
        "tháng 10/2026",
    ],
)
def test_bad_text_is_refused_naming_it_and_the_forms(text: str) -> None:
    with pytest.raises(PolicyError) as info:
        parse_period(text)
    assert info.value.value == text
    message = str(info.value)
    assert repr(text) in message
    for form in ("YYYY-MM", "YYYY-Qn", "YYYY-H1", "YYYY", "FIRST..LAST"):
        assert form in message


@pytest.mark.parametrize("text", ["2026-10-31..2026-10-01", "2026-11..2026-10"])
def test_a_reversed_range_is_refused(text: str) -> None:
    with pytest.raises(PolicyError, match="FIRST on or before LAST"):
        parse_period(text)


def test_a_range_reversed_only_by_the_cutoff_is_refused() -> None:
    # 2026-10 as FIRST is 15/9 under the reporting cut-off, but 2026-09-20 as LAST is given.
    assert parse_period("2026-09-20..2026-10")[0] == D(2026, 9, 20)
    with pytest.raises(PolicyError, match="FIRST on or before LAST"):
        parse_period("2026-10..2026-09-20", "calendar")
    assert parse_period("2026-10..2026-09-20", "reporting") == (D(2026, 9, 15), D(2026, 9, 20))


def test_years_at_the_ends_of_the_calendar() -> None:
    assert parse_period("0001") == (D(1, 1, 1), D(1, 12, 31))
    assert parse_period("9999", "reporting") == (D(9998, 12, 15), D(9999, 12, 14))
    with pytest.raises(PolicyError, match="outside"):
        parse_period("0001", "reporting")  # it would start on 15/12 of year 0


@pytest.mark.parametrize("cutoff", ["fiscal", "Reporting", ""])
def test_an_unknown_cutoff_is_refused(cutoff: str) -> None:
    with pytest.raises(PolicyError, match=r"'calendar'.*'reporting'"):
        parse_period("2026-10", cutoff)


def test_values_that_are_not_text() -> None:
    with pytest.raises(InputTypeError) as info:
        parse_period(202610)  # type: ignore[arg-type]
    assert (info.value.name, info.value.value) == ("period", 202610)
    assert isinstance(info.value, TypeError)
    with pytest.raises(InputTypeError, match="period=None"):
        parse_period(None)  # type: ignore[arg-type]
    with pytest.raises(InputTypeError) as info:
        parse_period("2026-10", None)  # type: ignore[arg-type]
    assert info.value.name == "cutoff"


# ---------------------------------------------------------------------------- properties

_KINDS = {
    "month": lambda y: [f"{y:04d}-{m:02d}" for m in range(1, 13)],
    "quarter": lambda y: [f"{y:04d}-Q{q}" for q in range(1, 5)],
    "half": lambda y: [f"{y:04d}-H1", f"{y:04d}-H2"],
    "year": lambda y: [f"{y:04d}"],
}


def _year_bounds(year: int, cutoff: str) -> tuple[date, date]:
    """The year as the rule states it, independently of the code under test."""
    if cutoff == "calendar":
        return D(year, 1, 1), D(year, 12, 31)
    return D(year - 1, 12, 15), D(year, 12, 14)


@given(
    st.integers(2, 9998),
    st.sampled_from(sorted(_KINDS)),
    st.sampled_from(CUTOFFS),
)
def test_periods_of_one_kind_tile_the_year(year: int, kind: str, cutoff: str) -> None:
    periods = [parse_period(t, cutoff) for t in _KINDS[kind](year)]
    start, end = _year_bounds(year, cutoff)
    assert periods[0][0] == start
    assert periods[-1][1] == end
    for first, last in periods:
        assert first <= last
    for (_, last), (first, _) in itertools.pairwise(periods):
        assert first == last + timedelta(days=1)  # adjacent: no gap, no overlap
    # ... and the next year's first period follows this year's last one
    following = parse_period(_KINDS[kind](year + 1)[0], cutoff)
    assert following[0] == end + timedelta(days=1)


@given(st.integers(2, 9999), st.integers(1, 12))
def test_a_reporting_month_is_as_long_as_the_month_before(year: int, month: int) -> None:
    # 15th of the month before .. 14th: the previous month's length in days.
    first, last = parse_period(f"{year:04d}-{month:02d}", "reporting")
    before = (year, month - 1) if month > 1 else (year - 1, 12)
    assert (last - first).days + 1 == calendar.monthrange(*before)[1]
    first, last = parse_period(f"{year:04d}-{month:02d}")
    assert (first.day, last.day) == (1, calendar.monthrange(year, month)[1])


# ---------------------------------------------------------------------------- in the metrics

OCT = (D(2026, 10, 1), D(2026, 10, 31))


@pytest.fixture(scope="module")
def evaluations() -> list[Evaluation]:
    table = read_dossiers(EVENTS, read_procedures(PROCS))
    cal = vietnam_calendar()
    return [evaluate(d, cal, as_of=datetime(2026, 12, 31, 23, 59)) for d in table]


def test_summarize_reads_a_text_period(evaluations: list[Evaluation]) -> None:
    assert summarize(evaluations, period="2026-10") == summarize(evaluations, period=OCT)
    assert summarize(evaluations, period="2026-10", by="agency") == summarize(
        evaluations, period=OCT, by="agency"
    )
    q4 = (D(2026, 10, 1), D(2026, 12, 31))
    assert summarize(evaluations, period="2026-Q4") == summarize(evaluations, period=q4)
    assert late_dossiers(evaluations, period="2026-10") == late_dossiers(evaluations, period=OCT)
    assert late_by_unit(evaluations, period="2026-10") == late_by_unit(evaluations, period=OCT)


def test_summarize_with_the_reporting_cutoff(evaluations: list[Evaluation]) -> None:
    s = summarize(evaluations, period="2026-10", cutoff="reporting")
    assert s == summarize(evaluations, period=(D(2026, 9, 15), D(2026, 10, 14)))
    # 15/9..14/10: received HS-001 (21/9), HS-002 (5/10), HS-003 (1/10), HS-004 (8/10) and
    # HS-009 (12/10, withdrawn the same day); HS-001 resolved late on 14/10; 002, 003, 004
    # open and within their deadlines on 14/10; the others received from 15/10 on.
    assert (s.carried_over, s.received, s.resolved, s.late) == (0, 5, 1, 1)
    assert (s.pending, s.pending_within, s.excluded) == (3, 3, 1)
    late = late_dossiers(evaluations, period="2026-10", cutoff="reporting")
    assert [e.dossier.id for e in late] == ["HS-001"]
    assert late_by_unit(evaluations, period="2026-10", cutoff="reporting") == {
        "Phòng Kinh tế - Hạ tầng": 1
    }


def test_the_cutoff_leaves_dates_as_given_but_is_checked(evaluations: list[Evaluation]) -> None:
    assert summarize(evaluations, period=OCT, cutoff="reporting") == summarize(
        evaluations, period=OCT
    )
    with pytest.raises(PolicyError, match="'reporting'"):
        summarize(evaluations, period=OCT, cutoff="fiscal")
    with pytest.raises(PolicyError, match="'reporting'"):
        late_dossiers(evaluations, cutoff="fiscal")
    with pytest.raises(PolicyError, match="YYYY-Qn"):
        summarize(evaluations, period="October")
    with pytest.raises(InputTypeError, match="period text"):
        summarize(evaluations, period=202610)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- command line


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(argv), out=out), out.getvalue()


def _total(out: str) -> dict[str, str]:
    rows = list(csv.DictReader(io.StringIO(out)))
    return rows[-1]


def test_cli_report_for_a_quarter(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run("report", str(EVENTS), "--procedures", str(PROCS), "--period", "2026-Q4")
    assert code == 0
    assert "period 2026-Q4 (calendar cut-off): 2026-10-01..2026-12-31" in capsys.readouterr().err
    total = _total(out)
    # HS-001 (received 21/9, open on 1/10) is carried over; the nine others are received in
    # October. Resolved: 001, 003 and 007 late, 002 early, 006 and 008 on time; 009
    # withdrawn; 004, 005 and 010 still open on 31/12.
    assert (total["carried_over"], total["to_handle"]) == ("1", "10")
    assert (total["resolved"], total["early"], total["on_time"], total["late"]) == (
        "6",
        "1",
        "2",
        "3",
    )
    assert (total["pending"], total["excluded"]) == ("3", "1")
    code, same = run(
        "report", str(EVENTS), "--procedures", str(PROCS), "--period", "2026-10-01..2026-12-31"
    )
    assert (code, same) == (0, out)


def test_cli_report_with_the_reporting_cutoff(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ("report", str(EVENTS), "--procedures", str(PROCS), "--period", "2026-10")
    code, out = run(*argv, "--cutoff", "reporting")
    assert code == 0
    err = capsys.readouterr().err
    assert "period 2026-10 (reporting cut-off): 2026-09-15..2026-10-14" in err
    total = _total(out)
    # As in test_summarize_with_the_reporting_cutoff: 15/9..14/10.
    assert (total["carried_over"], total["to_handle"], total["resolved"]) == ("0", "5", "1")
    assert (total["late"], total["pending"], total["excluded"]) == ("1", "3", "1")
    code, given = run(*argv[:-1], "2026-09-15..2026-10-14")
    assert (code, given) == (0, out)
    code, calendar_out = run(*argv)
    assert _total(calendar_out)["to_handle"] == "10"  # the calendar October differs
    code, out = run(
        "list", "late", str(EVENTS), "--procedures", str(PROCS), "--period", "2026-10",
        "--cutoff", "reporting",
    )  # fmt: skip
    assert code == 0
    assert [r["dossier_id"] for r in csv.DictReader(io.StringIO(out))] == ["HS-001"]


@pytest.mark.parametrize(
    ("extra", "fragments"),
    [
        (["--period", "2026-13"], ["period '2026-13'", "YYYY-Qn", "a month is 01..12"]),
        (["--period", "Q4"], ["period 'Q4'", "YYYY-MM", "FIRST..LAST"]),
        (["--period", "2026-10-31..2026-10-01"], ["FIRST on or before LAST"]),
        (["--period", "2026-10", "--cutoff", "fiscal"], ["--cutoff", "invalid choice"]),
    ],
)
def test_cli_bad_period_exits_2_with_one_line(
    extra: list[str], fragments: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run("report", str(EVENTS), "--procedures", str(PROCS), *extra)
    err = capsys.readouterr().err
    assert (code, out) == (2, "")
    assert err.count("\n") == 1
    assert err.startswith("tthc-sla: error: ")
    for fragment in fragments:
        assert fragment in err


def test_cli_due_soon_takes_no_cutoff(capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = run(
        "list", "due-soon", str(EVENTS), "--procedures", str(PROCS), "--cutoff", "reporting"
    )
    assert code == 2
    assert "due-soon takes --as-of, not --period or --cutoff" in capsys.readouterr().err
