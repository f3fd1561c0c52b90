"""``tthc-sla evaluate`` and ``report`` on the example dataset, bad rows, and safe CSV."""

from __future__ import annotations

import argparse
import csv
import io
import json
from datetime import timedelta
from pathlib import Path

import pytest

from tthc_sla.cli import main

ROOT = Path(__file__).parent.parent
EVENTS = str(ROOT / "examples" / "events.csv")
PROCS = str(ROOT / "examples" / "procedures.csv")


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(argv), out=out), out.getvalue()


def test_evaluate_example_dataset() -> None:
    code, out = run("evaluate", EVENTS, "--procedures", PROCS, "--as-of", "2026-10-31T23:59")
    assert code == 0
    rows = {r["dossier_id"]: r for r in csv.DictReader(io.StringIO(out))}
    # HS-001: received Mon 21/9/2026, 15 working days -> Mon 12/10; resolved Wed 14/10:
    # 2 working days late, the appraisal step (10 days, due 5/10, done 9/10) overran.
    assert rows["HS-001"]["due_date"] == "2026-10-12"
    assert rows["HS-001"]["outcome"] == "late"
    assert rows["HS-001"]["late_working_days"] == "2"
    assert rows["HS-001"]["late_units"] == "Phòng Kinh tế - Hạ tầng"
    # HS-003 (supplement="pause" procedure): paused Tue 6/10 -> Tue 13/10, (6, 13] = 5 working
    # days: due 15/10 + 5 = Thu 22/10.
    assert rows["HS-003"]["due_date"] == "2026-10-22"
    assert rows["HS-003"]["excluded_working_days"] == "5"
    # Same-day certification: 14:30 is before the 15:00 cut-off, 15:30 is after it.
    assert (rows["HS-006"]["outcome"], rows["HS-007"]["outcome"]) == ("on_time", "late")
    assert rows["HS-009"]["outcome"] == "excluded"
    # Formula injection from a name in the input is neutralised.
    assert rows["HS-010"]["agency"].startswith("'=")


def test_evaluate_jsonl_output() -> None:
    code, out = run(
        "evaluate",
        EVENTS,
        "--procedures",
        PROCS,
        "--as-of",
        "2026-10-31T23:59",
        "--format",
        "jsonl",
    )
    assert code == 0
    first = json.loads(out.splitlines()[0])
    assert first["dossier_id"] == "HS-001"
    assert first["met_rescheduled"] is False


def test_report_by_agency_for_october() -> None:
    code, out = run(
        "report", EVENTS, "--procedures", PROCS, "--period", "2026-10", "--by", "agency"
    )
    assert code == 0
    rows = {r["agency"]: r for r in csv.DictReader(io.StringIO(out))}
    xa = rows["UBND xã Hòa Vang"]
    # Carried over HS-001; received HS-002, 006, 007, 008, 009; resolved early 002, on time
    # 006 and 008, late 001 and 007; HS-009 withdrawn.
    assert (xa["carried_over"], xa["to_handle"]) == ("1", "6")
    assert (xa["resolved"], xa["early"], xa["on_time"], xa["late"]) == ("5", "1", "2", "2")
    assert (xa["excluded"], xa["rate_early_or_on_time"], xa["rate_late"]) == ("1", "60.00", "40.00")
    assert rows[""]["row"] == "total"
    assert rows[""]["reconciles"] == "true"
    code, out = run(
        "report", EVENTS, "--procedures", PROCS, "--period", "2026-10", "--format", "json"
    )
    assert json.loads(out)[0]["to_handle"] == 10


def _write(tmp: Path, name: str, text: str) -> str:
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_bad_rows_name_file_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    events = _write(
        tmp_path,
        "e.csv",
        "dossier_id,procedure,at,kind\n"
        "A,1.000894,2026-10-12T08:00,received\n"
        "B,1.000894,12/10/2026,received\n"
        "C,9.999,2026-10-12T08:00,received\n"
        "A,1.000894,2026-10-11T08:00,resolved\n"
        "D,1.000894,2026-10-12T08:00,received\n",
    )
    code, out = run("evaluate", events, "--procedures", PROCS, "--as-of", "2026-10-31T23:59")
    err = capsys.readouterr().err
    assert (code, out) == (2, "")
    assert err.count("\n") == 1
    assert "e.csv, line 3, column 'at', dossier 'B': 12/10/2026 is a date without a time" in err
    rejects = tmp_path / "rejects.csv"
    code, out = run(
        "evaluate", events, "--procedures", PROCS, "--as-of", "2026-10-31T23:59", "--skip-bad",
        "--rejects", str(rejects),
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code == 0
    # A's rows sorted by time put the resolution (line 5, 11/10) before the receipt (line 2):
    # the history is broken at line 5, and A is set aside whole.
    assert "line 4, column 'procedure', dossier 'C': unknown procedure 9.999" in err
    assert "line 5, dossier 'A': RESOLVED before the dossier was received" in err
    assert err.splitlines()[-1].endswith(
        "e.csv: 5 rows read; 4 dossiers: 1 evaluated (1 rows), 3 set aside (4 rows)"
    )
    assert [r["dossier_id"] for r in csv.DictReader(io.StringIO(out))] == ["D"]
    written = list(csv.DictReader(rejects.open(encoding="utf-8")))
    assert [(r["dossier_id"], r["lines"], r["line"], r["column"]) for r in written] == [
        ("A", "2 5", "5", ""),
        ("B", "3", "3", "at"),
        ("C", "4", "4", "procedure"),
    ]


def test_nothing_evaluated_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    events = _write(tmp_path, "e.csv", "dossier_id,procedure,at,kind\nB,1.000894,x,received\n")
    code, out = run("evaluate", events, "--procedures", PROCS, "--skip-bad")
    err = capsys.readouterr().err
    assert (code, out) == (2, "")
    assert "1 rows read; 1 dossiers: 0 evaluated (0 rows), 1 set aside (1 rows)" in err
    assert err.splitlines()[-1] == "tthc-sla: error: " + events + ": no dossier was evaluated"


def test_report_total_row_is_not_a_group(tmp_path: Path) -> None:
    events = _write(
        tmp_path,
        "e.csv",
        "dossier_id,procedure,at,kind,agency\n"
        "A,1.000894,2026-10-12T08:00,received,TOTAL\n"
        "B,1.000894,2026-10-12T08:00,received,UBND xã B\n",
    )
    code, out = run("report", events, "--procedures", PROCS, "--period", "2026-10", "--by",
                    "agency")  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0
    assert [(r["row"], r["agency"], r["to_handle"]) for r in rows] == [
        ("group", "TOTAL", "1"),
        ("group", "UBND xã B", "1"),
        ("total", "", "2"),
    ]


def test_provisional_deadlines_are_flagged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Received a week before the last day with announced days off, with 15 working days: the
    # due date falls past that day, so the outcome is provisional.
    from tthc_sla import vietnam_calendar

    until = vietnam_calendar().confirmed_until
    assert until is not None
    at = until - timedelta(days=7)
    events = _write(
        tmp_path, "e.csv", f"dossier_id,procedure,at,kind\nA,1.001639,{at}T08:00,received\n"
    )
    code, out = run("report", events, "--procedures", PROCS, "--period", f"{at:%Y-%m}")
    assert code == 0
    (row,) = csv.DictReader(io.StringIO(out))
    assert row["provisional"] == "1"
    note = "1 dossier(s) have deadlines that touch days with no official notice yet"
    assert f"{note} (confirmed until {until})" in capsys.readouterr().err


def test_version_usage_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    from tthc_sla.cli import _build_parser

    code, out = run()
    assert code == 0
    assert out.startswith("usage: tthc-sla")
    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out.startswith("tthc-sla ")
    # Every option of every command says what it does.
    parser = _build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                for opt in sub._actions:
                    assert opt.help, f"{name} {opt.dest} has no help text"


def test_evaluate_table_format() -> None:
    code, out = run(
        "evaluate", EVENTS, "--procedures", PROCS, "--as-of", "2026-10-31T23:59", "--format",
        "table",
    )  # fmt: skip
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:2] == ["dossier_id", "procedure"]
    assert set(lines[1]) == {"-", " "}
    assert len(lines) == 12  # header, rule, ten dossiers


def test_bad_procedures_and_arguments(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    procs = _write(tmp_path, "p.csv", "code,name,rule\nX,Thủ tục X,Không quy định\n")
    code, _ = run("evaluate", EVENTS, "--procedures", procs)
    assert code == 2
    assert "p.csv, line 2, column 'rule': procedure X: cannot read a processing time" in (
        capsys.readouterr().err
    )
    code, _ = run("report", EVENTS, "--procedures", PROCS, "--period", "Q4")
    assert code == 2
    assert "period 'Q4'" in capsys.readouterr().err
    code, _ = run("report", EVENTS, "--procedures", PROCS, "--period", "2026-10", "--by", "x")
    assert code == 2
    assert "--by 'x'" in capsys.readouterr().err
    code, _ = run("evaluate", str(tmp_path / "missing.csv"), "--procedures", PROCS)
    assert code == 2


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_line_only_on_a_terminal_and_for_large_inputs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tthc_sla import cli

    err = _Tty()
    monkeypatch.setattr(cli.sys, "stderr", err)
    progress = cli._Progress(5000, "evaluating")
    for n in range(1, 5001):
        progress.tick(n)
    text = err.getvalue()
    assert text.endswith("evaluating 5,000/5,000 (100%)\n")
    assert text.count("\r") == 100
    small = _Tty()
    monkeypatch.setattr(cli.sys, "stderr", small)
    for n in range(1, 11):
        cli._Progress(10, "evaluating").tick(n)
    assert small.getvalue() == ""
    pipe = io.StringIO()  # not a terminal: quiet however large
    monkeypatch.setattr(cli.sys, "stderr", pipe)
    for n in range(1, 5001):
        cli._Progress(5000, "evaluating").tick(n)
    assert pipe.getvalue() == ""


def test_lists() -> None:
    code, out = run("list", "late", EVENTS, "--procedures", PROCS, "--period", "2026-10")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    # Most working days late first: HS-003 (3), HS-001 (2), then the 1-day ones by id.
    assert [r["dossier_id"] for r in rows] == ["HS-003", "HS-001", "HS-005", "HS-007", "HS-004"]
    code, out = run("list", "units", EVENTS, "--procedures", PROCS, "--period", "2026-10")
    units = {r["unit"]: r["late_dossiers"] for r in csv.DictReader(io.StringIO(out))}
    assert units == {
        "Văn phòng Đăng ký đất đai": "2",
        "Sở Nông nghiệp và Môi trường": "1",
        "Phòng Kinh tế - Hạ tầng": "1",
    }
    # As of Wed 28/10 evening only HS-005 (due Thu 29/10) has at most one working day left.
    code, out = run(
        "list", "due-soon", EVENTS, "--procedures", PROCS, "--as-of", "2026-10-28T18:00"
    )
    assert [r["dossier_id"] for r in csv.DictReader(io.StringIO(out))] == ["HS-005"]


def test_list_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = run("list", "late", EVENTS, "--procedures", PROCS)
    assert code == 2
    assert "late needs --period" in capsys.readouterr().err
    code, _ = run("list", "due-soon", EVENTS, "--procedures", PROCS, "--period", "2026-10")
    assert code == 2
    assert "due-soon takes --as-of" in capsys.readouterr().err


def test_the_output_suffix_chooses_the_format(tmp_path: Path) -> None:
    # report -o r.xlsx wrote CSV text into the .xlsx file; each command now writes what the
    # suffix names, or refuses a suffix it cannot write, before reading anything.
    openpyxl = pytest.importorskip("openpyxl")
    report = ["report", EVENTS, "--procedures", PROCS, "--period", "2026-10"]
    assert run(*report, "-o", str(tmp_path / "r.xlsx"))[0] == 0
    form = openpyxl.load_workbook(tmp_path / "r.xlsx").active
    assert form["A1"].value.startswith("Biểu số 06/VPCP/KSTT")
    assert run(*report, "-o", str(tmp_path / "r.html"))[0] == 0
    assert (tmp_path / "r.html").read_text("utf-8").startswith("<!DOCTYPE html>")
    assert run(*report, "-o", str(tmp_path / "r.json"))[0] == 0
    assert "to_handle" in json.loads((tmp_path / "r.json").read_text("utf-8"))[-1]
    evaluate = ["evaluate", EVENTS, "--procedures", PROCS, "--as-of", "2026-10-31T23:59"]
    assert run(*evaluate, "-o", str(tmp_path / "e.json"))[0] == 0
    assert len(json.loads((tmp_path / "e.json").read_text("utf-8"))) == 10
    # --format wins over the suffix.
    assert run(*report, "--format", "csv", "-o", str(tmp_path / "c.xlsx"))[0] == 0
    assert (tmp_path / "c.xlsx").read_text("utf-8").startswith("row,")


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["report", EVENTS, "--procedures", PROCS, "--period", "2026-10"],
         "report does not write parquet"),
        (["list", "late", EVENTS, "--procedures", PROCS, "--period", "2026-10"],
         "list does not write parquet"),
        (["evaluate", EVENTS, "--procedures", PROCS], "evaluate does not write html"),
    ],
)  # fmt: skip
def test_a_suffix_the_command_cannot_write_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], named: str
) -> None:
    suffix = "html" if argv[0] == "evaluate" else "parquet"
    target = tmp_path / f"out.{suffix}"
    assert run(*argv, "-o", str(target))[0] == 2
    err = capsys.readouterr().err
    assert named in err
    assert err.count("\n") == 1
    assert not target.exists()


@pytest.mark.parametrize(
    "argv",
    [
        ["report", EVENTS, "--procedures", PROCS, "--period", "2101"],
        ["report", EVENTS, "--procedures", PROCS, "--period", "2101", "--skip-bad"],
        ["list", "late", EVENTS, "--procedures", PROCS, "--period", "2026-01..2101-01"],
        ["evaluate", EVENTS, "--procedures", PROCS, "--as-of", "2101-01-01T00:00"],
        ["evaluate", EVENTS, "--procedures", PROCS, "--as-of", "2026-11-30T09:00",
         "--years", "2000..2025"],
    ],
)  # fmt: skip
def test_a_moment_outside_the_calendar_is_refused_not_blamed_on_dossiers(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    # Every dossier is evaluated as of the period's end (or --as-of): past the calendar's
    # years, each one failed in turn and --skip-bad set them aside as if their data were bad.
    assert run(*argv)[0] == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "outside the calendar's years" in err
    assert "--years FIRST..LAST" in err
    assert "dossier" not in err.replace("the dossiers are", "")


@pytest.mark.parametrize(
    ("more", "said"),
    [
        (["--rates", "early,foo"], "--rates 'foo': expected some of early, on_time"),
        (["--by", "agency,agency"], "--by 'agency,agency': each key once"),
        (["--years", "1..9999"], "expected FIRST..LAST with 1 <= FIRST <= LAST <= 9998"),
        (["--years", "2030..2020"], "expected FIRST..LAST with 1 <= FIRST <= LAST <= 9998"),
        (["--engine", "scalar", "--partitions", "2"], "--engine columnar or auto"),
    ],
)
def test_report_options_are_named_in_their_errors(
    capsys: pytest.CaptureFixture[str], more: list[str], said: str
) -> None:
    argv = ["report", EVENTS, "--procedures", PROCS, "--period", "2026-10", *more]
    assert run(*argv)[0] == 2
    err = capsys.readouterr().err
    assert said in err
    assert err.count("\n") == 1
