"""The command line: output, languages, JSON, and exit code 2 with one line on bad input."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tthc_sla.cli import main


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue()


def test_calendar_lists_days_off_and_make_up_days_in_vietnamese() -> None:
    code, out = run("calendar", "2026")
    assert code == 0
    assert "2026-11-24  Thứ Ba     Ngày Văn hóa Việt Nam" in out
    assert "2026-01-10  Thứ Bảy" in out  # the make-up Saturday of CV 12729/VPCP-KGVX
    assert "đã có thông báo chính thức" in out


def test_calendar_english_and_provisional_years() -> None:
    code, out = run("calendar", "2027", "--lang", "en")
    assert code == 0
    assert "provisional" in out
    assert "Vietnam Cultural Day" in out


def test_calendar_json() -> None:
    code, out = run("calendar", "2026", "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["confirmed"] is True
    assert {"date": "2026-08-22", "weekday": "Thứ Bảy"}.items() <= doc["make_up_workdays"][
        1
    ].items()
    assert [d["date"] for d in doc["days_off"]][:2] == ["2026-01-01", "2026-01-02"]


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["calendar", "20x6"], "year '20x6'"),
        (["calendar", "2200"], "2200 is after"),
        (["calendar", "2026", "--lang", "fr"], "invalid choice"),
        (["due"], "required"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    argv: list[str], fragment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(*argv)
    err = capsys.readouterr().err
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert fragment in err


def test_python_dash_m_entry_point() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "tthc_sla", "calendar", "2026", "--lang", "en"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Vietnam Cultural Day" in proc.stdout


_HUGEPAGE_PROBE = """
import os, sys
from tthc_sla import cli
cli.main = lambda: 0  # the program's set-up only
cli.program()
import numpy
core = getattr(numpy, "_core", None) or numpy.core
print(os.environ["NUMPY_MADVISE_HUGEPAGE"], core.multiarray._get_madvise_hugepage())
"""


@pytest.mark.parametrize(
    ("given", "expected"),
    [(None, "0 False"), ("1", "1 True" if sys.platform == "linux" else "1 False")],
)
def test_the_program_runs_numpy_without_huge_page_advice_unless_told(
    given: str | None, expected: str
) -> None:
    # numpy reads NUMPY_MADVISE_HUGEPAGE once, at import: the program sets it first, and a
    # value the user gave wins.
    env = {k: v for k, v in os.environ.items() if k != "NUMPY_MADVISE_HUGEPAGE"}
    if given is not None:
        env["NUMPY_MADVISE_HUGEPAGE"] = given
    proc = subprocess.run(
        [sys.executable, "-c", _HUGEPAGE_PROBE],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == expected


_POOL_PROBE = """
import os, sys
from tthc_sla import cli
if sys.argv[1] == "set-up":  # the program's set-up only
    cli.main = lambda: 0
sys.argv = ["tthc-sla", *sys.argv[2:]]
cli.program()
imported = "pyarrow" in sys.modules
import pyarrow
backend = pyarrow.default_memory_pool().backend_name
print(imported, backend, os.environ.get("ARROW_DEFAULT_MEMORY_POOL"))
"""
_EXAMPLES = Path(__file__).parent.parent / "examples"
_REPORT = ["report", str(_EXAMPLES / "events.csv"), "--procedures",
           str(_EXAMPLES / "procedures.csv"), "--period", "2026-10", "-o", os.devnull]  # fmt: skip


def _pool_in_program(
    argv: list[str],
    given: str | None,
    preexec: Callable[[], None] | None = None,
    *,
    set_up_only: bool = False,
) -> list[str]:
    """Whether the program imported pyarrow, Arrow's pool after it, and the variable its
    workers would read (after the program's set-up only, or after the whole command)."""
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    if given is not None:
        env["ARROW_DEFAULT_MEMORY_POOL"] = given
    mode = "set-up" if set_up_only else "run"
    proc = subprocess.run(
        [sys.executable, "-c", _POOL_PROBE, mode, *argv],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        preexec_fn=preexec,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.split()


@pytest.mark.parametrize(
    ("engine", "given"), [("columnar", None), ("columnar", "system"), ("auto", None)]
)
def test_the_columnar_engine_takes_arrows_memory_from_jemalloc_where_it_is_built(
    engine: str, given: str | None
) -> None:
    pa = pytest.importorskip("pyarrow")
    pytest.importorskip("pandas")
    built = "jemalloc" in pa.supported_memory_backends()
    imported, backend, variable = _pool_in_program([*_REPORT, "--engine", engine], given)
    if engine == "auto":  # the small example takes the scalar engine: no pyarrow at all
        assert (imported, variable) == ("False", "None")
    elif given is not None:  # the user's choice
        assert (backend, variable) == (given, given)
    elif built:  # this process, and the workers it starts through the variable
        assert (imported, backend, variable) == ("True", "jemalloc", "jemalloc")
    else:
        assert variable == "None"


def test_other_commands_leave_pyarrow_alone() -> None:
    pytest.importorskip("pyarrow")
    imported, _, variable = _pool_in_program(["calendar"], None, set_up_only=True)
    assert (imported, variable) == ("False", "None")


def test_an_address_space_limit_takes_the_systems_malloc_before_pyarrow_loads() -> None:
    # Under ulimit -v, mimalloc's 1 GiB arena and jemalloc's reservations count against the
    # limit: the program names the system's malloc before pyarrow is loaded, for itself and
    # its workers, so mimalloc never maps its arena.
    pytest.importorskip("pyarrow")
    resource = pytest.importorskip("resource")

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (16 << 30, resource.RLIM_INFINITY))

    assert _pool_in_program(["report"], None, limited, set_up_only=True) == [
        "False",
        "system",
        "system",
    ]
    given = _pool_in_program(["report"], "mimalloc", limited, set_up_only=True)
    assert given[1:] == ["mimalloc", "mimalloc"]


def test_out_of_memory_is_one_line_naming_what_helps(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tthc_sla import _fastread, _tables

    def exhausted(*args: object, **kwargs: object) -> None:
        raise MemoryError("Unable to allocate 25.3 MiB for an array")

    monkeypatch.setattr(_fastread, "read_events_frame", exhausted)
    monkeypatch.setattr(_tables, "read_dossiers", exhausted)
    examples = Path(__file__).parent.parent / "examples"
    code = main(["report", str(examples / "events.csv"), "--procedures",
                 str(examples / "procedures.csv"), "--period", "2026-10"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1
    assert "out of memory (Unable to allocate 25.3 MiB for an array)" in err
    assert "--partitions N" in err


def test_due_with_vietnamese_text() -> None:
    # Fri 20/11/2026 + 15 working days, Tue 24/11 off: Mon 14/12 at the close of the day.
    code, out = run("due", "2026-11-20T09:30", "15 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ")
    assert code == 0
    assert "Hạn trả kết quả: 2026-12-14 17:00 (Thứ Hai)" in out
    assert "2026-11-24  Thứ Ba     Ngày Văn hóa Việt Nam" in out


def test_due_with_spec_json_and_policy_flags() -> None:
    code, out = run("due", "2026-11-16T09:00", "2wd", "--receipt-day-counts", "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["due_date"] == "2026-11-17"  # Monday counts as day 1
    assert doc["provisional"] is False
    code, out = run("due", "2026-11-23T15:30", "same-day", "--cutoff", "16:00", "--json")
    assert json.loads(out)["due_at"] == "2026-11-23T17:00:00"
    code, out = run("due", "2026-12-20T09:00", "15wd", "--lang", "en")
    assert "provisional" in out


def test_due_with_a_part_of_a_composite_rule() -> None:
    text = "UBND cấp xã: 05 ngày làm việc; UBND cấp tỉnh: 10 ngày làm việc"
    code, out = run("due", "2026-11-20T09:00", text, "--part", "UBND cấp tỉnh", "--json")
    assert code == 0
    # 10 working days from Fri 20/11: 23, (24 off), 25, 26, 27, 30, 1, 2, 3, 4, 7/12.
    assert json.loads(out)["due_date"] == "2026-12-07"


def test_due_office_day_off_and_english() -> None:
    code, out = run("due", "2026-11-20T09:00", "1wd", "--day-off", "2026-11-23", "--lang", "en")
    assert code == 0
    assert "Due: 2026-11-25 17:00 (Wednesday)" in out
    assert "Vietnam Cultural Day" in out


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["due", "2026-13-01", "15wd"], "argument received_at: '2026-13-01'"),
        (["due", "2026-11-20T09:00", "Không quy định"], "cannot read a processing time"),
        (["due", "2026-11-20T09:00", "15wd", "--part", "x"], "states a single time"),
        (
            ["due", "2026-11-20T09:00", "UBND cấp xã: 05 ngày làm việc; UBND cấp tỉnh: 10 ngày"],
            "pick one with --part, one of 'UBND cấp xã', 'UBND cấp tỉnh'",
        ),
        (["due", "2100-12-20T09:00", "30wd"], "after the calendar's range"),
        (["due", "2026-11-20T09:00", "15wd", "--cutoff", "3pm"], "'3pm'"),
    ],
)
def test_due_bad_input(argv: list[str], fragment: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = run(*argv)
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1
    assert fragment in err


def test_calendar_2027_marks_what_was_not_announced() -> None:
    # CV 10065/VPCP-KGVX (02/10/2026) arranged only Tết Đinh Mùi (4-10/2/2027) and National Day
    # (2-5/9/2027); New Year, Giỗ Tổ, 30/4-1/5 and 24/11/2027 have no notice yet.
    code, out = run("calendar", "2027")
    assert code == 0
    assert "mới có thông báo cho một phần của năm" in out
    assert "Tết Nguyên đán Đinh Mùi: CV 10065/VPCP-KGVX (02/10/2026)" in out
    lines = {line.split()[0]: line for line in out.splitlines() if line.startswith("  2027-")}
    assert lines["2027-02-09"].rstrip().endswith("Chủ nhật)")  # confirmed, no mark
    assert "(dự kiến)" not in lines["2027-09-03"]
    for day in ("2027-01-01", "2027-04-16", "2027-04-30", "2027-11-24"):
        assert lines[day].endswith("(dự kiến)"), day
    doc = json.loads(run("calendar", "2027", "--json")[1])
    marks = {d["date"]: d["provisional"] for d in doc["days_off"]}
    assert (marks["2027-02-05"], marks["2027-01-01"]) == (False, True)
    assert [(p["first"], p["last"]) for p in doc["covered"]] == [
        ("2027-01-18", "2027-03-14"),
        ("2027-07-05", "2027-10-17"),
    ]


def test_notices_option_adds_a_users_notice() -> None:
    # A test-only notice file (clearly marked as such) announcing New Year 2027: with it, 1/1
    # is confirmed and the bridge day 31/12/2026 is a day off.
    from pathlib import Path

    notices = str(Path(__file__).parent / "data" / "notices" / "new_year_2027_test.toml")
    code, out = run("calendar", "2027", "--notices", notices, "--json")
    assert code == 0
    marks = {d["date"]: d["provisional"] for d in json.loads(out)["days_off"]}
    assert marks["2027-01-01"] is False
    # Received Wed 30/12/2026, 1 working day: Thu 31/12 without the file; with it 31/12 is off,
    # Fri 1/1 is New Year, then the weekend: Mon 4/1/2027.
    code, out = run("due", "2026-12-30T09:00", "1wd", "--json")
    assert json.loads(out)["due_date"] == "2026-12-31"
    code, out = run("due", "2026-12-30T09:00", "1wd", "--notices", notices, "--json")
    assert json.loads(out)["due_date"] == "2027-01-04"


@pytest.mark.parametrize(
    ("argv", "option"),
    [
        (["due", "2026-11-23", "trong ngày"], "received_at"),
        (["due", "20261123", "trong ngày"], "received_at"),  # ISO basic form, a date too
        (["evaluate", "examples/events.csv", "--procedures", "examples/procedures.csv",
          "--as-of", "2026-10-31"], "--as-of"),
        (["list", "due-soon", "examples/events.csv", "--procedures", "examples/procedures.csv",
          "--as-of", "2026-10-31"], "--as-of"),
    ],
)  # fmt: skip
def test_a_date_alone_is_no_moment(
    capsys: pytest.CaptureFixture[str], argv: list[str], option: str
) -> None:
    # fromisoformat reads "2026-11-23" as its midnight: a same-day receipt "at 00:00" was due
    # that day whatever the real time, and --as-of 2026-10-31 hid that day's events. The
    # table readers refuse a date alone for the same reason.
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert f"argument {option}:" in err
    assert "a date without a time of day" in err
    assert "T23:59 for the end of the day" in err


def test_a_malformed_moment_names_its_own_option(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["evaluate", "examples/events.csv", "--procedures", "examples/procedures.csv",
            "--as-of", "2026-13-01T23:00"]  # fmt: skip
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "argument --as-of: '2026-13-01T23:00': expected an ISO moment" in err
    assert "received_at" not in err
