"""The command line's two engines give the same output, cell for cell.

``--engine scalar`` replays every history in Python; ``--engine columnar`` evaluates the table
with ``tthc_sla.batch``. Every command that evaluates (evaluate, report, list) is run with
both over the example export, every file of the dirty-export corpus, and generated tables;
standard output, standard error and the exit code must be identical (Parquet and Excel outputs
are read back and compared too).
"""

from __future__ import annotations

import io
import random
import tomllib
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("numpy")
pytest.importorskip("pandas")

ROOT = Path(__file__).parent.parent
EXPORTS = Path(__file__).parent / "data" / "exports"
EVENTS = ROOT / "examples" / "events.csv"
PROCS = ROOT / "examples" / "procedures.csv"
CASES: list[dict[str, Any]] = tomllib.loads((EXPORTS / "cases.toml").read_text("utf-8"))["case"]


def _run(capsys: pytest.CaptureFixture[str], argv: Sequence[str]) -> tuple[int, str, str]:
    from tthc_sla.cli import main

    capsys.readouterr()
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue(), capsys.readouterr().err


def _both(capsys: pytest.CaptureFixture[str], argv: Sequence[str]) -> tuple[int, str, str]:
    scalar = _run(capsys, [*argv, "--engine", "scalar"])
    columnar = _run(capsys, [*argv, "--engine", "columnar"])
    assert columnar == scalar
    return scalar


COMMANDS = [
    ["evaluate", "--as-of", "2026-10-31T23:59", "--format", "csv"],
    ["evaluate", "--as-of", "2026-10-20T10:00", "--format", "jsonl"],
    ["report", "--period", "2026-10", "--by", "agency", "--format", "csv"],
    ["report", "--period", "2026-Q4", "--by", "level,field", "--format", "csv"],
    [
        "report",
        "--period",
        "2026-10",
        "--cutoff",
        "reporting",
        "--by",
        "channel",
        "--format",
        "json",
    ],
    ["list", "late", "--period", "2026-10", "--format", "csv"],
    ["list", "units", "--period", "2026-09-01..2026-10-31", "--format", "csv"],
    ["list", "due-soon", "--as-of", "2026-10-27T09:00", "--format", "csv"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_example_export(capsys: pytest.CaptureFixture[str], command: list[str]) -> None:
    argv = [*command[:1], *(command[1:2] if command[0] == "list" else [])]
    rest = command[2:] if command[0] == "list" else command[1:]
    code, out, _ = _both(capsys, [*argv, str(EVENTS), "--procedures", str(PROCS), *rest])
    assert code == 0
    assert out.strip()


def _options(case: dict[str, Any]) -> list[str]:
    return [str(EXPORTS / o) if (EXPORTS / o).is_file() else o for o in case.get("options", [])]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["file"])
def test_dirty_export_corpus(capsys: pytest.CaptureFixture[str], case: dict[str, Any]) -> None:
    path = EXPORTS / case["file"]
    base = ["--procedures", str(PROCS), *_options(case)]
    for extra in ([], ["--skip-bad"]):
        _both(capsys, ["evaluate", str(path), "--as-of", "2026-10-31T23:59", *base, *extra])
        _both(capsys, ["report", str(path), "--period", "2026-10", "--by", "agency", *base,
                       "--format", "csv", *extra])  # fmt: skip


KINDS_OPEN = ["received", "step_started", "step_finished", "paused", "resumed"]


def _generated(tmp: Path, seed: int, n: int = 300) -> Path:
    """A seeded export: receipts in September and October 2026, steps, pauses, supplements,
    resolutions, returns, withdrawals, a few broken histories and a few rows naming no
    dossier."""
    rng = random.Random(seed)
    codes = ["P-15WD", "P-10WD-PAUSE", "P-8H", "P-30D", "P-3M", "P-SAME-DAY"]
    lines = ["dossier_id,procedure,at,kind,step,unit,agency,level,field,channel"]
    for i in range(n):
        at = datetime(2026, 9, 1, 7, 30) + timedelta(minutes=rng.randrange(0, 60 * 24 * 55))
        proc = rng.choice(codes)
        meta = [
            rng.choice(["UBND xã A", "UBND xã B", "Sở Tư pháp"]),
            rng.choice(["Cấp xã", "Cấp tỉnh"]),
            rng.choice(["Hộ tịch", "Đất đai", "Chứng thực"]),
            rng.choice(["online", "direct", "postal", ""]),
        ]
        events = [("received", "", "")]
        if rng.random() < 0.3:
            events += [("step_started", "Thẩm định", "Phòng A"), ("step_finished", "Thẩm định", "")]
        if rng.random() < 0.15:
            events += [("paused", "", ""), ("resumed", "", "")]
        if rng.random() < 0.1:
            events += [("supplement_requested", "", ""), ("supplement_received", "", "")]
        end = rng.random()
        if end < 0.6:
            events += [("resolved", "", "")] + (
                [("returned", "", "")] if rng.random() < 0.5 else []
            )
        elif end < 0.65:
            events += [("withdrawn", "", "")]
        if rng.random() < 0.03:
            events.insert(0, ("resumed", "", ""))  # a broken history
        for kind, step, unit in events:
            lines.append(",".join([f"G-{seed}-{i:04d}", proc, at.isoformat(timespec="minutes"),
                                   kind, step, unit, *meta]))  # fmt: skip
            at += timedelta(hours=rng.choice([1, 3, 20, 50, 200]))
    lines.append(",".join(["", codes[0], "2026-10-01T09:00", "received", "", "", *meta]))
    path = tmp / f"generated-{seed}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


GENERATED_PROCEDURES = """code,name,rule,supplement,extra_days_difficult_area,steps
P-15WD,Cấp phép,15 ngày làm việc,restart,,Thẩm định|Phòng A|10wd
P-10WD-PAUSE,Đăng ký đất đai,10 ngày làm việc,pause,10,Thẩm định|Văn phòng Đăng ký|7wd
P-8H,Xác nhận,08 giờ làm việc,restart,,Thẩm định|Phòng A|4h
P-30D,Giải quyết khiếu nại,30 ngày,restart,,
P-3M,Cấp chứng chỉ,03 tháng,restart,,
P-SAME-DAY,Chứng thực,Trong ngày,restart,,
"""


@pytest.fixture
def procedures(tmp_path: Path) -> str:
    path = tmp_path / "procedures.csv"
    path.write_text(GENERATED_PROCEDURES, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_generated_tables(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, procedures: str, seed: int
) -> None:
    path = str(_generated(tmp_path, seed))
    base = ["--procedures", procedures, "--skip-bad"]
    code, out, _ = _both(capsys, ["evaluate", path, "--as-of", "2026-10-31T23:59", *base])
    assert code == 0
    assert out.count("\n") > 250  # most dossiers evaluated, not set aside
    _both(capsys, ["report", path, "--period", "2026-10", "--by", "agency,channel", *base])
    _both(capsys, ["list", "late", path, "--period", "2026-Q4", *base, "--format", "csv"])
    _both(capsys, ["list", "units", path, "--period", "2026-10", *base, "--format", "csv"])


def test_parquet_and_excel_outputs_are_the_same(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, procedures: str
) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    openpyxl = pytest.importorskip("openpyxl")
    path = str(_generated(tmp_path, 7))
    tables = {}
    sheets = {}
    for engine in ("scalar", "columnar"):
        out = tmp_path / f"{engine}.parquet"
        argv = ["evaluate", path, "--procedures", procedures, "--skip-bad", "--as-of",
                "2026-10-31T23:59", "--output", str(out), "--engine", engine]  # fmt: skip
        assert _run(capsys, argv)[0] == 0
        tables[engine] = pq.read_table(out)
        xlsx = tmp_path / f"{engine}.xlsx"
        assert _run(capsys, [*argv[:-4], "--output", str(xlsx), "--engine", engine])[0] == 0
        sheet = openpyxl.load_workbook(xlsx).active
        sheets[engine] = [[c.value for c in row] for row in sheet.iter_rows()]
    assert tables["columnar"].equals(tables["scalar"])
    schema = tables["scalar"].schema
    assert str(schema.field("received_at").type) == "timestamp[us]"
    assert str(schema.field("due_date").type) == "date32[day]"
    assert (
        str(schema.field("outcome").type) == "dictionary<values=string, indices=int32, ordered=0>"
    )
    assert str(schema.field("processing_working_days").type) == "int64"
    assert sheets["columnar"] == sheets["scalar"]
    assert sheets["scalar"][0][:3] == ["dossier_id", "procedure", "agency"]


def test_the_columnar_engine_evaluates_with_the_batch_path(tmp_path: Path, procedures: str) -> None:
    # The equality above would hold trivially if the columnar engine fell back to the scalar
    # one: here it must return a frame in which only the broken histories took the scalar path.
    from tthc_sla import _engines, _tables, vietnam_calendar
    from tthc_sla._fastread import read_events_frame
    from tthc_sla.rules import DeadlinePolicy

    procs = _tables.read_procedures(procedures)
    table = read_events_frame(_generated(tmp_path, 11), procs, skip_bad=True)
    assert table.fallback is None  # pyarrow read it
    results, aside = _engines.evaluate_all(
        table, vietnam_calendar(), as_of=datetime(2026, 10, 31, 23, 59), policy=DeadlinePolicy(),
        skip_bad=True, procedures=procs,
    )  # fmt: skip
    assert results.evaluations is None
    assert len(results) + len(aside) == len(table)
    broken = len(aside)
    assert 0 < broken < 30  # a few generated histories are broken on purpose
    # The broken histories and a few the columnar engine leaves to the scalar path (an hour
    # rule with a pause); the rest, about 95 %, were evaluated with numpy.
    fallback = results.frame.attrs["scalar_fallback"]
    assert broken <= fallback < 0.1 * len(table)


def test_auto_takes_the_scalar_engine_for_a_small_text_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Below SMALL bytes of CSV or JSON Lines the scalar engine has finished before numpy and
    # pandas would have loaded; the choice goes by the name and the size, and the engines give
    # the same output (the tests above).
    from tthc_sla import _engines

    assert _engines.SMALL == 1_000_000
    assert not _engines.columnar("auto", str(EVENTS))  # 2 KB of CSV
    assert _engines.columnar("columnar", str(EVENTS))
    assert not _engines.columnar("scalar", str(EVENTS))
    assert _engines.columnar("auto", None)  # no file to weigh (one dealt into partitions)
    below, at = tmp_path / "below.csv", tmp_path / "at.jsonl"
    below.write_bytes(b"x" * (_engines.SMALL - 1))
    at.write_bytes(b"x" * _engines.SMALL)
    assert not _engines.columnar("auto", str(below))
    assert _engines.columnar("auto", str(at))
    for name in ("small.xlsx", "small.parquet"):  # compressed: few bytes hold many rows
        (tmp_path / name).write_bytes(b"x" * 100)
        assert _engines.columnar("auto", str(tmp_path / name))
    (tmp_path / "small.jsonl").write_bytes(b"x" * 100)
    assert not _engines.columnar("auto", str(tmp_path / "small.jsonl"))
    # Not a file it can weigh (missing, standard input): the columnar reader names the problem.
    assert _engines.columnar("auto", str(tmp_path / "missing.csv"))
    assert _engines.columnar("auto", "-")
    monkeypatch.setattr(_engines, "columnar_available", lambda: False)
    assert not _engines.columnar("auto", str(at))


def test_the_command_line_reads_a_small_table_with_the_scalar_engine(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tthc_sla import _engines, _fastread, _tables

    readers: list[str] = []

    def spied(name: str, real: Any) -> Any:
        def spy(*args: Any, **kwargs: Any) -> Any:
            readers.append(name)
            return real(*args, **kwargs)

        return spy

    for module, name in ((_fastread, "read_events_frame"), (_tables, "read_dossiers")):
        monkeypatch.setattr(module, name, spied(name, getattr(module, name)))
    argv = ["report", str(EVENTS), "--procedures", str(PROCS), "--period", "2026-10"]

    def first_reader(*more: str) -> tuple[str, tuple[int, str, str]]:
        readers.clear()
        output = _run(capsys, [*argv, *more])
        assert output[0] == 0
        return readers[0], output

    small, output = first_reader()  # the example: 2 KB of CSV
    assert small == "read_dossiers"
    # --partitions names the columnar engine's way of reading, whatever the size.
    assert first_reader("--partitions", "1") == ("read_events_frame", output)
    monkeypatch.setattr(_engines, "SMALL", 0)  # no table is small
    assert first_reader() == ("read_events_frame", output)
