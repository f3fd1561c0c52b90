"""The event-table readers against dirty exports: every input row is accounted for (STYLE §25).

``tests/data/exports/cases.toml`` lists the variants of ``examples/events.csv`` (written by
``_make.py``) and what each must give: the clean file's evaluations, a refusal of the whole file,
or dossiers set aside whole and named by file, line, column and id. The expected lines and row
counts were counted by hand from the files (STYLE §15); the only thing taken from the code is
the clean file's own evaluation, which every clean variant must reproduce column for column.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import io
import re
import tomllib
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import attrs
import pytest

ROOT = Path(__file__).parent.parent
EXPORTS = Path(__file__).parent / "data" / "exports"
EVENTS = ROOT / "examples" / "events.csv"
PROCS = ROOT / "examples" / "procedures.csv"
AS_OF = "2026-10-31T23:59"
AS_OF_DT = datetime(2026, 10, 31, 23, 59)
CLEAN_IDS = frozenset(f"HS-{n:03d}" for n in range(1, 11))
CLEAN_ROWS = 37
EVALUATION_COLUMNS = [  # the flat layout of an evaluation, shared with batch.evaluate_frame
    "dossier_id",
    "procedure",
    "agency",
    "level",
    "field",
    "channel",
    "outcome",
    "received_at",
    "due_at",
    "due_date",
    "completed_at",
    "ended_at",
    "late_working_days",
    "late_time_hours",
    "excluded_working_days",
    "processing_working_days",
    "by_moment",
    "met_rescheduled",
    "rescheduled_due",
    "provisional",
    "late_units",
    "warnings",
]
REJECTS_COLUMNS = ["dossier_id", "lines", "line", "column", "problem"]

CASES: list[dict[str, Any]] = tomllib.loads((EXPORTS / "cases.toml").read_text("utf-8"))["case"]
EXPECTS = ("clean", "refused", "set_aside", "nothing")

ACCOUNT = re.compile(
    r"^tthc-sla: (?P<file>.+): (?P<read>\d+) rows? read; (?P<dossiers>\d+) dossiers?: "
    r"(?P<evaluated>\d+) evaluated \((?P<evaluated_rows>\d+) rows?\), "
    r"(?P<set_aside>\d+) set aside \((?P<set_aside_rows>\d+) rows?\)$"
)
ERROR = re.compile(
    r"^tthc-sla: error: (?P<file>.+?)(?:, line (?P<line>\d+))?(?:, column '(?P<column>.*?)')?"
    r"(?:, dossier '(?P<dossier>.*?)')?: (?P<problem>.*)$"
)


def _cases(*expects: str) -> list[Any]:
    return [pytest.param(c, id=c["file"]) for c in CASES if c["expect"] in (expects or EXPECTS)]


def _options(case: Mapping[str, Any]) -> list[str]:
    """The case's options, a value naming a file of the corpus made a path to it."""
    return [str(EXPORTS / o) if (EXPORTS / o).is_file() else o for o in case.get("options", [])]


def _api_options(case: Mapping[str, Any]) -> dict[str, Any]:
    """The case's CLI options as read_dossiers() keywords."""
    out: dict[str, Any] = {}
    options = _options(case)
    for name, value in zip(options[::2], options[1::2], strict=True):
        if name == "--encoding":
            out["encoding"] = value
        elif name == "--delimiter":
            out["delimiter"] = value
        elif name == "--columns":
            out["columns"] = tomllib.loads(Path(value).read_text("utf-8"))["columns"]
        elif name == "--years":
            first, last = value.split("..")
            out["years"] = (int(first), int(last))
        else:
            raise AssertionError(f"no keyword for {name}")
    return out


def _relabeled(value: Any, relabel: Mapping[str, str]) -> Any:
    """``value`` with each text written in place of the clean file's read as the clean one
    (whole strings, in dicts, tuples and lists)."""
    if isinstance(value, str):
        return relabel.get(value, value)
    if isinstance(value, dict):
        return {_relabeled(k, relabel): _relabeled(v, relabel) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return type(value)(_relabeled(v, relabel) for v in value)
    return value


def _written_back(rows: dict[str, dict[str, str]], relabel: Mapping[str, str]) -> Any:
    """CSV cells with the case's texts read back as the clean file's, as the writer escapes
    them: a formula gets a leading ' (docs/reports.md), and a text may sit inside a list."""
    escaped = {("'" + k if k.startswith(("=", "+", "-", "@")) else k): v
               for k, v in relabel.items()}  # fmt: skip

    def back(text: str) -> str:
        for written, clean in escaped.items():
            text = text.replace(written, clean)
        return text

    return {back(i): {c: back(v) for c, v in row.items()} for i, row in rows.items()}


def _messages(case: Mapping[str, Any]) -> list[str]:
    message = case.get("message", [])
    return [message] if isinstance(message, str) else list(message)


def _has(text: str, fragment: str) -> bool:
    return fragment.casefold() in text.casefold()


def _numbers(text: str) -> set[int]:
    return {int(n) for n in re.findall(r"\d+", text)}


# --------------------------------------------------------------------------- running


@attrs.frozen
class Run:
    code: int
    out: str
    err: list[str]  # standard error, line by line
    printed: str  # anything written to the real standard output (must be nothing)


def _main(argv: Sequence[str]) -> tuple[int, str]:
    from tthc_sla.cli import main

    out = io.StringIO()
    return main(list(argv), out=out), out.getvalue()


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> Run:
    capsys.readouterr()
    code, out = _main(argv)
    captured = capsys.readouterr()
    return Run(code, out, captured.err.splitlines(), captured.out)


@pytest.fixture(params=["auto", "columnar"])
def either_engine(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """A test over the command line twice: with the engine ``auto`` takes for these small
    files (the scalar one), and with the columnar engine, as a larger export would be read."""
    if request.param == "columnar":
        pytest.importorskip("pandas")
        from tthc_sla import _engines

        monkeypatch.setattr(_engines, "SMALL", 0)


def evaluate_cli(capsys: pytest.CaptureFixture[str], path: Path | str, *options: str) -> Run:
    argv = ["evaluate", str(path), "--procedures", str(PROCS), "--as-of", AS_OF, *options]
    return run_cli(capsys, *argv)


def evaluations(out: str) -> dict[str, dict[str, str]]:
    """The CSV output of ``evaluate`` by dossier id; fails on a repeated id or other columns."""
    reader = csv.DictReader(io.StringIO(out))
    rows = list(reader)
    assert reader.fieldnames == EVALUATION_COLUMNS
    by_id = {r["dossier_id"]: r for r in rows}
    assert len(by_id) == len(rows), "a dossier evaluated twice"
    return by_id


@functools.cache
def clean_evaluations() -> dict[str, dict[str, str]]:
    """The clean file's evaluation through the CLI, once per session."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code, out = _main(["evaluate", str(EVENTS), "--procedures", str(PROCS), "--as-of", AS_OF])
    assert code == 0, err.getvalue()
    rows = evaluations(out)
    assert set(rows) == CLEAN_IDS
    return rows


def accounting(err: list[str]) -> dict[str, Any]:
    """The closing accounting line of a run's standard error, parsed."""
    matches = [m for m in map(ACCOUNT.match, err) if m]
    assert len(matches) == 1, f"expected one accounting line in:\n{chr(10).join(err)}"
    m = matches[0]
    return {k: (v if k == "file" else int(v)) for k, v in m.groupdict().items()}


def check_accounting(
    run: Run, path: Path, *, rows: int, evaluated: int, set_aside: int, set_aside_rows: int
) -> None:
    got = accounting(run.err)
    assert got["file"].endswith(path.name)
    assert got["read"] == got["evaluated_rows"] + got["set_aside_rows"]
    assert got["dossiers"] == got["evaluated"] + got["set_aside"]
    assert (got["read"], got["evaluated"], got["set_aside"], got["set_aside_rows"]) == (
        rows,
        evaluated,
        set_aside,
        set_aside_rows,
    )
    assert got["evaluated_rows"] == rows - set_aside_rows
    if run.code == 0:
        assert ACCOUNT.match(run.err[-1]), "the accounting line must close the run"


def the_error(run: Run, path: Path) -> re.Match[str]:
    """The one ``tthc-sla: error:`` line of a failed run, parsed."""
    lines = [line for line in run.err if line.startswith("tthc-sla: error:")]
    assert len(lines) == 1, run.err
    m = ERROR.match(lines[0])
    assert m is not None, lines[0]
    assert m["file"].endswith(path.name), lines[0]
    return m


# --------------------------------------------------------------------------- the manifest


def test_the_manifest_covers_every_file_once() -> None:
    files = {c["file"] for c in CASES}
    assert len(files) == len(CASES) >= 45
    on_disk = {
        p.name
        for p in EXPORTS.iterdir()
        if p.name not in ("_make.py", "cases.toml", "columns_map.toml", "__pycache__")
    }
    assert files == on_disk
    for c in CASES:
        assert c["expect"] in EXPECTS, c["file"]
        assert c["what"], c["file"]
        if c["expect"] != "refused":
            assert isinstance(c["rows"], int), c["file"]
        if c["expect"] == "refused":
            assert isinstance(c["line"], int), c["file"]
            assert _messages(c), c["file"]
        if c["expect"] == "set_aside":
            assert set(c["set_aside"]) == set(c["lines"]), c["file"]
            for key, required in c["set_aside"].items():
                assert set(required) <= set(c["lines"][key]), c["file"]
            first = c["set_aside"][c["dossier"]]
            assert c["line"] in first, c["file"]


@pytest.mark.usefixtures("either_engine")
def test_the_clean_file_accounts_for_its_37_rows(capsys: pytest.CaptureFixture[str]) -> None:
    run = evaluate_cli(capsys, EVENTS)
    assert run.code == 0, run.err
    assert evaluations(run.out) == clean_evaluations()
    check_accounting(run, EVENTS, rows=37, evaluated=10, set_aside=0, set_aside_rows=0)
    assert run.err[-1] == (
        f"tthc-sla: {EVENTS}: 37 rows read; 10 dossiers: 10 evaluated (37 rows), "
        "0 set aside (0 rows)"
    )


# --------------------------------------------------------------------------- the CLI


@pytest.mark.usefixtures("either_engine")
@pytest.mark.parametrize("case", _cases("clean"))
def test_clean_variant_evaluates_like_the_clean_file(
    case: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    path = EXPORTS / case["file"]
    run = evaluate_cli(capsys, path, *_options(case))
    assert run.code == 0, run.err
    assert run.printed == ""
    assert not [line for line in run.err if line.startswith("tthc-sla: error:")]
    clean = clean_evaluations()
    relabel = case.get("relabel", {})
    got = _written_back(evaluations(run.out), relabel)
    assert set(got) == CLEAN_IDS
    for dossier_id, row in clean.items():
        assert got[dossier_id] == row, dossier_id
    check_accounting(run, path, rows=case["rows"], evaluated=10, set_aside=0, set_aside_rows=0)
    err = "\n".join(run.err)
    for fragment in case.get("stderr", []):
        assert _has(err, fragment), fragment
    # With --skip-bad nothing changes: there is nothing to set aside.
    again = evaluate_cli(capsys, path, *_options(case), "--skip-bad")
    assert (again.code, _written_back(evaluations(again.out), relabel)) == (0, clean)


@pytest.mark.usefixtures("either_engine")
@pytest.mark.parametrize("skip_bad", [False, True], ids=["strict", "skip-bad"])
@pytest.mark.parametrize("case", _cases("refused"))
def test_refused_file_exits_2_naming_the_line(
    case: dict[str, Any], skip_bad: bool, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = EXPORTS / case["file"]
    extra = ["--skip-bad", "--rejects", str(tmp_path / "rejects.csv")] if skip_bad else []
    run = evaluate_cli(capsys, path, *_options(case), *extra)
    assert run.code == 2
    assert (run.out, run.printed) == ("", "")
    if not skip_bad:
        assert len(run.err) == 1, run.err
    m = the_error(run, path)
    assert int(m["line"] or 0) == case["line"], m.group(0)
    for fragment in _messages(case):
        assert _has(m["problem"], fragment), (fragment, m.group(0))
    assert "Traceback" not in "\n".join(run.err)


@pytest.mark.usefixtures("either_engine")
@pytest.mark.parametrize("case", _cases("set_aside"))
def test_bad_dossier_without_skip_bad_exits_2_naming_the_first_problem(
    case: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    path = EXPORTS / case["file"]
    run = evaluate_cli(capsys, path, *_options(case))
    assert run.code == 2
    assert (run.out, run.printed) == ("", "")
    assert len(run.err) == 1, run.err
    m = the_error(run, path)
    assert int(m["line"] or 0) == case["line"], m.group(0)
    assert (m["dossier"] or "") == case["dossier"], m.group(0)
    if "column" in case:
        assert m["column"] == case["column"], m.group(0)
    for fragment in _messages(case):
        assert _has(m["problem"], fragment), (fragment, m.group(0))
    # A conflict between two rows names both of them.
    assert set(case["set_aside"][case["dossier"]]) <= {case["line"]} | _numbers(m["problem"])


@pytest.mark.usefixtures("either_engine")
@pytest.mark.parametrize("case", _cases("set_aside"))
def test_bad_dossier_with_skip_bad_is_set_aside_whole_and_named(
    case: dict[str, Any], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = EXPORTS / case["file"]
    rejects = tmp_path / "rejects.csv"
    run = evaluate_cli(capsys, path, *_options(case), "--skip-bad", "--rejects", str(rejects))
    set_aside: dict[str, list[int]] = case["set_aside"]
    lines: dict[str, list[int]] = case["lines"]
    named_ids = {k for k in set_aside if k}
    evaluated = CLEAN_IDS - named_ids
    # Evaluating nothing is a failure, even with --skip-bad.
    assert run.code == (0 if evaluated else 2), run.err
    assert run.printed == ""
    if run.code == 0:
        got = evaluations(run.out)
        assert set(got) == evaluated
        clean = clean_evaluations()
        for dossier_id in evaluated:
            assert got[dossier_id] == clean[dossier_id], dossier_id
    elif run.out:
        assert evaluations(run.out) == {}
    entries = len(named_ids) + len(set_aside.get("", []))
    rows_aside = sum(len(v) for v in lines.values())
    check_accounting(
        run,
        path,
        rows=case["rows"],
        evaluated=len(evaluated),
        set_aside=entries,
        set_aside_rows=rows_aside,
    )
    # Standard error names each set-aside dossier with one of its problem lines.
    for key, required in set_aside.items():
        if key:
            assert any(key in line and _numbers(line) & set(required) for line in run.err), (
                key,
                run.err,
            )
        else:
            for n in required:
                assert any(re.search(rf"\bline {n}\b", line) for line in run.err), (n, run.err)
    check_rejects(rejects, case)


def check_rejects(rejects: Path, case: Mapping[str, Any]) -> None:
    """The rejects CSV: one row per problem, every set-aside dossier with all its lines."""
    set_aside: dict[str, list[int]] = case["set_aside"]
    lines: dict[str, list[int]] = case["lines"]
    with rejects.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        assert next(reader) == REJECTS_COLUMNS
        records = [dict(zip(REJECTS_COLUMNS, r, strict=True)) for r in reader]
    by_id: dict[str, list[dict[str, str]]] = {}
    for r in records:
        by_id.setdefault(r["dossier_id"], []).append(r)
        assert r["problem"].strip(), r
        assert r["lines"] == " ".join(r["lines"].split()), r  # single spaces
    assert set(by_id) == set(set_aside)
    for key, required in set_aside.items():
        recs = by_id[key]
        if key:
            for r in recs:
                assert sorted(int(n) for n in r["lines"].split()) == lines[key], r
                assert int(r["line"]) in lines[key], r
        else:
            assert sorted(int(r["line"]) for r in recs) == sorted(required)
            for r in recs:
                assert r["lines"] == r["line"], r
        named = {int(r["line"]) for r in recs}
        for r in recs:
            named |= _numbers(r["problem"])
        assert set(required) <= named, (key, recs)
    first = [r for r in by_id[case["dossier"]] if int(r["line"]) == case["line"]]
    assert first, (case["dossier"], case["line"])
    if "column" in case:
        assert any(r["column"] == case["column"] for r in first), first
    for fragment in _messages(case):
        assert any(_has(r["problem"], fragment) for r in first), (fragment, first)


@pytest.mark.usefixtures("either_engine")
@pytest.mark.parametrize("skip_bad", [False, True], ids=["strict", "skip-bad"])
@pytest.mark.parametrize("case", _cases("nothing"))
def test_a_file_with_no_dossier_exits_2(
    case: dict[str, Any], skip_bad: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    path = EXPORTS / case["file"]
    run = evaluate_cli(capsys, path, *_options(case), *(["--skip-bad"] if skip_bad else []))
    assert run.code == 2
    assert run.printed == ""
    if run.out:
        assert evaluations(run.out) == {}
    check_accounting(run, path, rows=case["rows"], evaluated=0, set_aside=0, set_aside_rows=0)


# --------------------------------------------------------------------------- the Python API


@functools.cache
def _procedures() -> Any:
    from tthc_sla import read_procedures

    return read_procedures(PROCS)


def facts(e: Any, *, events: bool = True) -> dict[str, Any]:
    """What must not change between two readings of the same dossiers.

    ``events=False`` leaves out the events themselves, for a dossier that lost a row naming no
    dossier (HS-001's "returned", after its resolution: the evaluation is the same).
    """
    d = e.dossier
    out = {
        "procedure": d.procedure.code,
        "agency": d.agency,
        "level": d.level,
        "field": d.field,
        "channel": d.channel,
        "difficult_area": d.difficult_area,
        "events": [(x.at, x.kind, x.step, x.unit) for x in d.events],
        "outcome": e.outcome,
        "received_at": e.received_at,
        "due_at": e.due_at,
        "due_date": e.due_date,
        "completed_at": e.completed_at,
        "ended_at": e.ended_at,
        "late_working_days": e.late_working_days,
        "late_time": e.late_time,
        "excluded_working_days": e.excluded_working_days,
        "rescheduled_due": e.rescheduled_due,
        "met_rescheduled": e.met_rescheduled,
        "late_units": e.late_units,
        "steps": e.steps,
        "provisional": e.provisional,
        "warnings": e.warnings,
    }
    if not events:
        del out["events"]
    return out


def _evaluate_all(dossiers: Sequence[Any]) -> dict[str, dict[str, Any]]:
    from tthc_sla import evaluate, vietnam_calendar

    cal = vietnam_calendar()
    return {d.id: facts(evaluate(d, cal, as_of=AS_OF_DT)) for d in dossiers}


@functools.cache
def clean_facts() -> dict[str, dict[str, Any]]:
    from tthc_sla import read_dossiers

    table = read_dossiers(EVENTS, _procedures())
    assert [d.id for d in table.dossiers] == sorted(CLEAN_IDS)  # in order of first row
    return _evaluate_all(table.dossiers)


def test_the_clean_file_through_the_api() -> None:
    from tthc_sla import read_dossiers

    with EVENTS.open("rb") as f:  # an open file reads like its path
        table = read_dossiers(f, _procedures())
    assert (table.rows_read, table.rows_accepted, table.rows_set_aside) == (37, 37, 0)
    assert table.set_aside == ()
    assert table.lines["HS-001"] == (2, 3, 4, 5, 6, 7, 8)
    assert table.lines["HS-010"] == (38,)
    assert _evaluate_all(table.dossiers) == clean_facts()


@pytest.mark.parametrize("case", _cases("clean"))
def test_clean_variant_reads_equal_through_the_api(case: dict[str, Any]) -> None:
    from tthc_sla import read_dossiers

    table = read_dossiers(str(EXPORTS / case["file"]), _procedures(), **_api_options(case))
    assert table.rows_read == case["rows"]
    assert (table.rows_accepted, table.rows_set_aside, table.set_aside) == (case["rows"], 0, ())
    assert sum(len(table.lines[d.id]) for d in table.dossiers) == case["rows"]
    evaluated = _evaluate_all(table.dossiers)
    assert _relabeled(evaluated, case.get("relabel", {})) == clean_facts()


@pytest.mark.parametrize("case", _cases("refused"))
def test_refused_file_raises_even_when_skipping(case: dict[str, Any]) -> None:
    from tthc_sla import TableError, read_dossiers

    path = EXPORTS / case["file"]
    for skip_bad in (False, True):
        with pytest.raises(TableError) as info:
            read_dossiers(str(path), _procedures(), skip_bad=skip_bad, **_api_options(case))
        error = info.value
        assert error.path.endswith(case["file"])
        assert error.line == case["line"]
        for fragment in _messages(case):
            assert _has(error.problem, fragment), (fragment, error.problem)


@pytest.mark.parametrize("case", _cases("set_aside", "nothing"))
def test_every_row_is_accepted_or_set_aside_through_the_api(case: dict[str, Any]) -> None:
    from tthc_sla import HistoryError, TableError, evaluate, read_dossiers, vietnam_calendar

    path = str(EXPORTS / case["file"])
    options = _api_options(case)
    table = read_dossiers(path, _procedures(), skip_bad=True, **options)
    assert table.rows_read == case["rows"]
    assert table.rows_read == table.rows_accepted + table.rows_set_aside
    assert table.rows_accepted == sum(len(table.lines[d.id]) for d in table.dossiers)
    assert table.rows_set_aside == sum(len(s.lines) for s in table.set_aside)
    set_aside: dict[str, list[int]] = case.get("set_aside", {})
    lines: dict[str, list[int]] = case.get("lines", {})
    at_evaluation = case.get("at_evaluation", False)
    read_aside = set() if at_evaluation else {k for k in set_aside if k}
    assert {s.dossier_id for s in table.set_aside if s.dossier_id is not None} == read_aside
    nameless = sorted(n for s in table.set_aside if s.dossier_id is None for n in s.lines)
    assert nameless == sorted(set_aside.get("", []))
    for s in table.set_aside:
        assert s.errors
        for e in s.errors:
            assert isinstance(e, TableError)
            assert e.path.endswith(case["file"])
            assert e.line in s.lines
            assert e.dossier_id == s.dossier_id
        if s.dossier_id is None:
            assert len(s.lines) == 1
            continue
        assert sorted(s.lines) == lines[s.dossier_id]
        named = {e.line for e in s.errors}.union(*(_numbers(e.problem) for e in s.errors))
        assert set(set_aside[s.dossier_id]) <= named
    ids = [d.id for d in table.dossiers]
    expected_ids = (CLEAN_IDS - read_aside) if case["rows"] else set()
    assert len(ids) == len(set(ids))
    assert set(ids) == expected_ids
    cal = vietnam_calendar()
    clean = clean_facts()
    for d in table.dossiers:
        if at_evaluation and d.id in set_aside:
            with pytest.raises(HistoryError) as info:
                evaluate(d, cal, as_of=AS_OF_DT)
            # The offending event maps back to the line of its row.
            assert sorted(table.lines[d.id]) == lines[d.id]
            assert info.value.index is not None
            assert table.lines[d.id][info.value.index] in set_aside[d.id]
        else:
            want = {k: v for k, v in clean[d.id].items() if k != "events"}
            assert facts(evaluate(d, cal, as_of=AS_OF_DT), events=False) == want, d.id
    if case["expect"] == "nothing" or at_evaluation:
        read_dossiers(path, _procedures(), **options)  # nothing wrong in the reading
        return
    with pytest.raises(TableError) as info:
        read_dossiers(path, _procedures(), **options)
    error = info.value
    assert (error.line, error.dossier_id) == (case["line"], case["dossier"] or None)
    if "column" in case:
        assert error.column == case["column"]
    for fragment in _messages(case):
        assert _has(error.problem, fragment), (fragment, error.problem)


# --------------------------------------------------------------------------- built at run time


def _clean_records() -> tuple[list[str], list[list[str]]]:
    with EVENTS.open(encoding="utf-8", newline="") as f:
        header, *rows = csv.reader(f)
    assert len(rows) == CLEAN_ROWS
    return header, rows


def _moment(text: str) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _write_xlsx(path: Path, header: list[str], rows: list[list[str]]) -> Any:
    """The rows as a sheet: ``at`` and ``new_due`` as real datetimes, other cells as text.

    A text cell starting with "=" (HS-010's agency) is kept text: openpyxl would otherwise
    store it as a formula, which has no value until a spreadsheet computes it.
    """
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append(
            [
                _moment(v) if k in ("at", "new_due") else (v or None)
                for k, v in zip(header, r, strict=True)
            ]
        )
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"
    wb.save(path)
    return openpyxl.load_workbook(path).active


def test_xlsx_with_real_datetimes_reads_equal(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    header, rows = _clean_records()
    path = tmp_path / "events.xlsx"
    sheet = _write_xlsx(path, header, rows)
    assert isinstance(sheet["C2"].value, datetime)
    assert sheet["I38"].value == '=HYPERLINK("http://example.invalid")'
    assert sheet["I38"].data_type == "s"
    run = evaluate_cli(capsys, path)
    assert run.code == 0, run.err
    assert evaluations(run.out) == clean_evaluations()
    check_accounting(run, path, rows=37, evaluated=10, set_aside=0, set_aside_rows=0)


def test_xlsx_receipt_shown_as_a_date_alone_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # A cell formatted "dd/mm/yyyy" holds a date without a time of day; openpyxl hands it over
    # as midnight, which would silently pass the 15:00 rule. It is refused as in a CSV file.
    header, rows = _clean_records()
    at, kind, ids = header.index("at"), header.index("kind"), header.index("dossier_id")
    i = next(k for k, r in enumerate(rows) if r[ids] == "HS-001" and r[kind] == "received")
    path = tmp_path / "events.xlsx"
    sheet = _write_xlsx(path, header, rows)
    cell = sheet.cell(row=i + 2, column=at + 1)
    cell.value = datetime.combine(cell.value.date(), datetime.min.time())
    cell.number_format = "dd/mm/yyyy"
    sheet.parent.save(path)
    run = evaluate_cli(capsys, path)
    assert run.code == 2
    m = the_error(run, path)
    assert (m["line"], m["column"], m["dossier"]) == (str(i + 2), "at", "HS-001"), m.group(0)
    assert "a date without a time of day" in m["problem"]


def test_xlsx_bad_row_is_named_by_its_sheet_row(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    header, rows = _clean_records()
    rows[26 - 2][header.index("kind")] = "xem xét"  # HS-004, sheet row 26 (row 1: the header)
    path = tmp_path / "events.xlsx"
    _write_xlsx(path, header, rows)
    run = evaluate_cli(capsys, path)
    assert run.code == 2
    m = the_error(run, path)
    assert (m["line"], m["column"], m["dossier"]) == ("26", "kind", "HS-004"), m.group(0)
    rejects = tmp_path / "rejects.csv"
    run = evaluate_cli(capsys, path, "--skip-bad", "--rejects", str(rejects))
    assert run.code == 0, run.err
    assert set(evaluations(run.out)) == CLEAN_IDS - {"HS-004"}
    check_accounting(run, path, rows=37, evaluated=9, set_aside=1, set_aside_rows=4)
    check_rejects(
        rejects,
        {
            "set_aside": {"HS-004": [26]},
            "lines": {"HS-004": [24, 25, 26, 27]},
            "line": 26,
            "dossier": "HS-004",
            "column": "kind",
            "message": "xem xét",
        },
    )


def test_parquet_with_timestamps_reads_equal(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    pytest.importorskip("pyarrow")
    pd = pytest.importorskip("pandas")
    header, rows = _clean_records()
    frame = pd.DataFrame([[v or None for v in r] for r in rows], columns=header)
    frame["at"] = pd.to_datetime(frame["at"])
    frame["new_due"] = pd.to_datetime(frame["new_due"])
    path = tmp_path / "events.parquet"
    frame.to_parquet(path, engine="pyarrow", index=False)
    assert str(pd.read_parquet(path)["at"].dtype).startswith("datetime64")
    run = evaluate_cli(capsys, path)
    assert run.code == 0, run.err
    assert evaluations(run.out) == clean_evaluations()
    check_accounting(run, path, rows=37, evaluated=10, set_aside=0, set_aside_rows=0)


def test_a_17_mb_note_is_refused_naming_its_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    header, rows = _clean_records()
    rows[26 - 2][header.index("note")] = "x" * (17 * 1024 * 1024)  # HS-004, line 26
    path = tmp_path / "huge_note.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows([header, *rows])
    run = evaluate_cli(capsys, path)
    assert run.code == 2
    assert run.out == ""
    m = the_error(run, path)
    assert m["line"] == "26", m.group(0)
    # Skipping may set HS-004 aside instead of refusing the file, but never evaluate it
    # from the rest of its rows, and always say where the note is.
    run = evaluate_cli(capsys, path, "--skip-bad")
    assert any(re.search(r"\bline 26\b", line) for line in run.err), run.err
    if run.code == 0:
        assert set(evaluations(run.out)) == CLEAN_IDS - {"HS-004"}


@pytest.mark.usefixtures("either_engine")
def test_report_keeps_an_agency_named_total_apart_from_the_total_row(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    header, rows = _clean_records()
    rows[34 - 2][header.index("agency")] = "TOTAL"  # HS-008 (line 34), received 30/10
    path = tmp_path / "total_agency.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows([header, *rows])
    run = run_cli(
        capsys,
        "report",
        str(path),
        "--procedures",
        str(PROCS),
        "--period",
        "2026-10",
        "--by",
        "agency",
        "--format",
        "csv",
    )
    assert run.code == 0, run.err
    reader = csv.DictReader(io.StringIO(run.out))
    assert reader.fieldnames is not None
    assert reader.fieldnames[0] == "row"
    table = list(reader)
    totals = [r for r in table if r["row"] == "total"]
    assert len(totals) == 1
    assert {r["row"] for r in table} == {"group", "total"}
    named_total = [r for r in table if r["row"] == "group" and r["agency"] == "TOTAL"]
    assert len(named_total) == 1
    # HS-008 alone: received in October, resolved on time.
    assert (named_total[0]["to_handle"], named_total[0]["on_time"]) == ("1", "1")
    # HS-001 carried over from September and the nine dossiers received in October.
    assert totals[0]["to_handle"] == "10"
