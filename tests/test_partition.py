"""Tables larger than memory: the events dealt into partitions by dossier give the answers
of the whole file.

The split reads a CSV file a run of whole records at a time; the runs are made tiny here so
that every kind of record boundary (a quoted line break, a blank line, CRLF, a file without a
last line break) falls at a cut somewhere. Each partition read by the column reader must give
the dossiers, lines, set-aside dossiers (reasons, lines) and accounting of the whole file, and
the command line must print the same, in the same order.
"""

from __future__ import annotations

import io
import random
import tempfile
import tomllib
import unicodedata
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("numpy")
pytest.importorskip("pandas")
pytest.importorskip("pyarrow")

from tthc_sla import _partition, read_procedures
from tthc_sla._fastread import FrameTable, read_events_frame
from tthc_sla._tables import DEFAULT_YEARS

ROOT = Path(__file__).parent.parent
EXPORTS = Path(__file__).parent / "data" / "exports"
EVENTS = ROOT / "examples" / "events.csv"
PROCS_PATH = ROOT / "examples" / "procedures.csv"
PROCS = read_procedures(PROCS_PATH)
CASES: list[dict[str, Any]] = tomllib.loads((EXPORTS / "cases.toml").read_text("utf-8"))["case"]


# --------------------------------------------------------------------------- generated exports


def _export(seed: int) -> tuple[str, str]:
    """A seeded CSV export (text, newline) with what makes record boundaries hard: notes with
    quoted line breaks and delimiters, blank lines, ids written with spaces or decomposed
    accents, rows of one dossier far apart, defects (a bad time, an unknown procedure, a row
    naming no dossier), CRLF, a BOM, sometimes no last line break."""
    rng = random.Random(seed)
    newline = rng.choice(["\n", "\r\n"])
    header = "dossier_id,procedure,at,kind,note,agency,channel"
    rows: list[str] = []
    for i in range(rng.randint(1, 40)):
        base = rng.choice([f"HS-{i:03d}", f"Hồ sơ {i}"])
        code = rng.choice(
            ["1.001639", "1.004227", "2.000815", "9.999999" if i % 9 == 8 else "1.000894"]
        )
        day = rng.randint(1, 28)
        for j, kind in enumerate(["received", "resolved"][: rng.randint(1, 2)]):
            written = rng.choice([base, f" {base} ", unicodedata.normalize("NFD", base), base])
            at = f"2026-10-{day:02d}T{8 + j * 2:02d}:{rng.randint(0, 59):02d}"
            if rng.random() < 0.05:
                at = "2026-13-01T09:00"  # not a time
            note = rng.choice(["", "", "ghi chú", '"hai\ndòng, có ""ngoặc"""', '"a,b"'])
            rows.append(f"{written},{code},{at},{kind},{note},UBND xã {i % 3},online")
    if rng.random() < 0.3:
        rows.append(",1.001639,2026-10-05T09:00,received,,UBND xã 0,online")  # no id
    rng.shuffle(rows)
    for _ in range(rng.randint(0, 3)):
        rows.insert(rng.randint(0, len(rows)), "")  # blank lines
    text = newline.join([header, *rows]) + (newline if rng.random() < 0.8 else "")
    if rng.random() < 0.3:
        text = "\ufeff" + text
    return text, newline


def _facts(table: FrameTable) -> tuple[Any, ...]:
    """A reading's dossiers (id, events, lines), set-aside dossiers and accounting, in an
    order that does not depend on how the rows were dealt."""
    frame = table.events.astype(object).where(table.events.notna(), None)
    rows = sorted(
        (tuple(r), int(line))
        for r, line in zip(frame.itertuples(index=False), table.lines.tolist(), strict=True)
    )
    aside = sorted(
        (s.lines, s.dossier_id, tuple(str(e) for e in s.errors)) for s in table.set_aside
    )
    return (table.source, table.rows_read, table.dossiers, rows, aside)


def _parts(path: Path, parts: int, skip_bad: bool = True) -> tuple[Any, ...]:
    with tempfile.TemporaryDirectory() as tmp:
        split = _partition.split_events(str(path), parts=parts, workdir=tmp)
        assert isinstance(split, _partition.Split), split
        read = [
            _partition.read_part(split, i, PROCS, DEFAULT_YEARS, skip_bad=skip_bad)
            for i in range(parts)
        ]
    tables = [t for t in read if t is not None]
    rows = sorted(r for t in tables for r in _facts(t)[3])
    aside = sorted(a for t in tables for a in _facts(t)[4])
    source = tables[0].source if tables else None
    return (source, sum(t.rows_read for t in tables), sum(t.dossiers for t in tables), rows, aside)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    run=st.sampled_from([1, 40, 200, 1000, 1 << 20]),
    parts=st.integers(1, 5),
)
def test_the_partitions_read_as_the_whole_file(seed: int, run: int, parts: int) -> None:
    text, _ = _export(seed)
    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as mp:
        mp.setattr(_partition, "_RUN", run)
        path = Path(tmp) / "events.csv"
        path.write_bytes(text.encode("utf-8"))
        whole = read_events_frame(path, PROCS, skip_bad=True)
        assert whole.fallback is None
        assert _parts(path, parts) == _facts(whole)


def test_a_defect_is_named_by_its_line_in_the_file(tmp_path: Path) -> None:
    # Hand-checked: line 1 the header, line 2 A's receipt, lines 3-4 B's receipt with a note
    # over two lines, line 5 blank, line 6 C's receipt with a time that is not one.
    path = tmp_path / "events.csv"
    path.write_text(
        "dossier_id,procedure,at,kind,note\n"
        "A,1.001639,2026-10-05T09:00,received,\n"
        'B,1.001639,2026-10-05T09:00,received,"hai\ndòng"\n'
        "\n"
        "C,1.001639,2026-10-32T09:00,received,\n",
        encoding="utf-8",
    )
    for parts in (1, 2, 3):
        got = _parts(path, parts)
        assert got[1:3] == (3, 2)  # rows read, dossiers
        ((lines, dossier, errors),) = got[4]
        assert (lines, dossier) == ((6,), "C")
        assert errors == (
            f"{path}, line 6, column 'at', dossier 'C': 2026-10-32T09:00 is not a "
            "real date and time",
        )


def test_a_stray_quote_does_not_make_one_long_run(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # A quote inside an unquoted cell is text for the csv module (line 2); a run is still cut
    # at the csv module's record ends, so the runs stay short, and read as the whole file.
    rows = ['A,1.001639,2026-10-05T09:00,received,ống 5" inch']
    rows += [f"B{i},1.001639,2026-10-05T09:00,received,x" for i in range(200)]
    path = tmp_path / "events.csv"
    path.write_text("dossier_id,procedure,at,kind,note\n" + "\n".join(rows) + "\n", "utf-8")
    sizes: list[int] = []
    read = _partition._fastread.text_cells

    def counted(opened: Any, data: Any, skip: int) -> Any:
        sizes.append(len(data))
        return read(opened, data, skip)

    monkeypatch.setattr(_partition, "_RUN", 300)
    monkeypatch.setattr(_partition._fastread, "text_cells", counted)
    got = _parts(path, 3)
    assert len(sizes) > 20
    assert max(sizes) < 400  # the header, 300 bytes and the rest of a record
    monkeypatch.undo()
    assert got == _facts(read_events_frame(path, PROCS, skip_bad=True))


def test_parquet_partitions_read_as_the_whole_file(tmp_path: Path) -> None:
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow.parquet")
    text, _ = _export(11)
    frame = pd.read_csv(io.StringIO(text.lstrip("\ufeff")), dtype=str, keep_default_na=False)
    path = tmp_path / "events.parquet"
    frame.to_parquet(path, index=False)
    whole = read_events_frame(path, PROCS, skip_bad=True)
    for parts in (1, 3):
        assert _parts(path, parts) == _facts(whole)


def test_files_the_split_does_not_take_are_named() -> None:
    for name in ("cp1258.csv", "events.jsonl"):
        with tempfile.TemporaryDirectory() as tmp:
            why = _partition.split_events(str(EXPORTS / name), parts=2, workdir=tmp)
        assert isinstance(why, str)
        assert why


def test_how_many_partitions(tmp_path: Path) -> None:
    # 60,000 bytes of CSV count as 1,000 rows at most, which take 450,000 bytes read whole.
    path = tmp_path / "events.csv"
    path.write_bytes(b"x" * 60_000)
    assert _partition.parts_for(str(path), memory=10**12) == 1  # plenty: read it whole
    assert _partition.parts_for(str(path), memory=900_000) == 1  # the whole takes half
    assert _partition.parts_for(str(path), memory=450_000) == 4  # a quarter of it each
    assert _partition.parts_for(str(path), memory=225_000) == 8
    assert _partition.parts_for("/no/such/file.csv", memory=1) == 1
    memory = _partition.available_memory()
    assert memory is None or memory > 0


def test_a_container_limit_counts(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    meminfo, limit, used = tmp_path / "meminfo", tmp_path / "memory.max", tmp_path / "usage"
    meminfo.write_text("MemTotal:  8000000 kB\nMemAvailable:  2000000 kB\n")
    used.write_text("300000000\n")
    monkeypatch.setattr(_partition, "_MEMINFO", str(meminfo))
    monkeypatch.setattr(_partition, "_CGROUP_FILES", ((str(limit), str(used)),))
    limit.write_text("max\n")  # no limit: the system's available memory
    assert _partition.available_memory() == 2_048_000_000
    limit.write_text("1000000000\n")  # 1 GB, 300 MB of it used
    assert _partition.available_memory() == 700_000_000
    monkeypatch.setattr(_partition, "_CGROUP_FILES", (("/no/such", "/no/such"),))
    assert _partition.available_memory() == 2_048_000_000
    monkeypatch.setattr(_partition, "_MEMINFO", "/no/such")
    assert _partition.available_memory() is None


def test_an_address_space_limit_counts(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    meminfo, status = tmp_path / "meminfo", tmp_path / "status"
    meminfo.write_text("MemAvailable:  2000000 kB\n")
    status.write_text("Name:\tpython\nVmPeak:\t  150000 kB\nVmSize:\t  100000 kB\n")
    monkeypatch.setattr(_partition, "_MEMINFO", str(meminfo))
    monkeypatch.setattr(_partition, "_STATUS", str(status))
    monkeypatch.setattr(_partition, "_CGROUP_FILES", ())
    monkeypatch.setattr(_partition, "address_space_limit", lambda: 2_000_000_000)
    # 2 GB, less the 100 MB mapped and the 600 MiB reserve: 2e9 - 102.4e6 - 629,145,600.
    assert _partition.available_memory() == 1_268_454_400
    monkeypatch.setattr(_partition, "address_space_limit", lambda: 500_000_000)
    assert _partition.available_memory() == 0  # less than the reserve: no room
    monkeypatch.setattr(_partition, "address_space_limit", lambda: None)
    assert _partition.available_memory() == 2_048_000_000


def test_no_room_at_all_is_the_most_partitions(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_bytes(b"x" * 60_000)  # 450,000 bytes to read it whole
    assert _partition.parts_for(str(path), memory=0) == _partition.MOST_PARTS
    assert _partition.parts_for(str(path), memory=3) == _partition.MOST_PARTS
    assert _partition.parts_for(str(path), memory=4_000) == 450


def test_the_address_space_limit_is_this_processs() -> None:
    resource = pytest.importorskip("resource")
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    lower = 1 << 42 if hard == resource.RLIM_INFINITY else min(hard, 1 << 42)
    resource.setrlimit(resource.RLIMIT_AS, (lower, hard))
    try:
        assert _partition.address_space_limit() == lower
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
    assert _partition.address_space_limit() == (None if soft == resource.RLIM_INFINITY else soft)


def test_the_hash_is_fixed_and_spreads_ids() -> None:
    pa = pytest.importorskip("pyarrow")
    np = pytest.importorskip("numpy")
    ids = pa.array([f"HS-{i:07d}" for i in range(40_000)], pa.large_string())
    hashed = _partition._hash(ids)
    assert hashed.tolist()[:2] == _partition._hash(ids.slice(0, 2)).tolist()
    counts = np.bincount(hashed % 8, minlength=8)
    assert counts.min() > 4_500
    assert counts.max() < 5_500
    same = pa.chunked_array([pa.array([" HS-1", "HS-1", unicodedata.normalize("NFD", "Hồ"), "Hồ"])])
    part = _partition._part_of(same, 97, 4)
    assert part[0] == part[1]
    assert part[2] == part[3]


# --------------------------------------------------------------------------- the command line


def _run(capsys: pytest.CaptureFixture[str], argv: Sequence[str]) -> tuple[int, str, str]:
    from tthc_sla.cli import main

    capsys.readouterr()
    out = io.StringIO()
    code = main(list(argv), out=out)
    err = capsys.readouterr().err
    kept = [line for line in err.splitlines() if "is read whole" not in line]
    return code, out.getvalue(), "\n".join(kept)


def _same(capsys: pytest.CaptureFixture[str], argv: list[str], parts: int = 3) -> None:
    whole = _run(capsys, [*argv, "--partitions", "1"])
    split = _run(capsys, [*argv, "--partitions", str(parts)])
    assert split == whole


COMMANDS = [
    ["evaluate", "--as-of", "2026-10-31T23:59", "--format", "csv"],
    ["report", "--period", "2026-10", "--by", "agency", "--format", "csv"],
    ["report", "--period", "2026-Q4", "--by", "level,field", "--format", "json"],
    ["list", "late", "--period", "2026-10", "--format", "csv"],
    ["list", "units", "--period", "2026-09-01..2026-10-31", "--format", "csv"],
    ["list", "due-soon", "--as-of", "2026-10-27T09:00", "--format", "csv"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_the_example_export_in_partitions(
    capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    head = command[:2] if command[0] == "list" else command[:1]
    rest = command[len(head) :]
    for parts in (2, 4, 7):
        _same(capsys, [*head, str(EVENTS), "--procedures", str(PROCS_PATH), *rest], parts)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["file"])
def test_the_dirty_export_corpus_in_partitions(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, case: dict[str, Any]
) -> None:
    monkeypatch.setattr(_partition, "_RUN", 300)  # a file of the corpus is cut in many runs
    path = str(EXPORTS / case["file"])
    options = [str(EXPORTS / o) if (EXPORTS / o).is_file() else o for o in case.get("options", [])]
    base = ["--procedures", str(PROCS_PATH), *options]
    _same(capsys, ["evaluate", path, "--as-of", "2026-10-31T23:59", *base, "--skip-bad"])
    _same(capsys, ["report", path, "--period", "2026-10", "--by", "agency", *base,
                   "--format", "csv", "--skip-bad"])  # fmt: skip
    # Without --skip-bad the first defect stops the run: the one the whole file stops at.
    _same(capsys, ["report", path, "--period", "2026-10", *base, "--format", "csv"])


def _histories(path: Path, seed: int, n: int = 400) -> None:
    """A seeded export of fuller histories: steps, pauses, supplements, resolutions, returns,
    withdrawals, a few broken histories, rows of a dossier far apart."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        at = datetime(2026, 9, 1, 7, 30) + timedelta(minutes=rng.randrange(0, 60 * 24 * 55))
        code = rng.choice(["1.001639", "1.004227", "2.000815", "1.000894"])
        meta = f"UBND xã {rng.choice('ABC')},{rng.choice(['online', 'direct', ''])}"
        kinds = [("received", "", "")]
        if code == "1.001639" and rng.random() < 0.6:
            kinds += [("step_started", "Thẩm định", ""), ("step_finished", "Thẩm định", "")]
        if rng.random() < 0.2:
            kinds += [("paused", "", ""), ("resumed", "", "")]
        if rng.random() < 0.1:
            kinds += [("supplement_requested", "", ""), ("supplement_received", "", "")]
        kinds += rng.choice([[("resolved", "", "")], [("resolved", "", ""), ("returned", "", "")],
                             [("withdrawn", "", "")], []])  # fmt: skip
        if rng.random() < 0.03:
            kinds.insert(0, ("resumed", "", ""))  # a broken history
        for kind, step, unit in kinds:
            rows.append(f"D-{i:04d},{code},{at:%Y-%m-%dT%H:%M},{kind},{step},{unit},{meta}")
            at += timedelta(hours=rng.choice([1, 3, 20, 50, 200]))
    rng.shuffle(rows)
    header = "dossier_id,procedure,at,kind,step,unit,agency,channel"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")


@pytest.mark.parametrize("seed", [1, 2])
def test_fuller_histories_in_partitions(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, seed: int
) -> None:
    path = tmp_path / "events.csv"
    _histories(path, seed)
    base = [str(path), "--procedures", str(PROCS_PATH), "--skip-bad"]
    for argv in (
        ["evaluate", *base, "--as-of", "2026-10-31T23:59", "--format", "jsonl"],
        ["report", *base, "--period", "2026-10", "--by", "agency,channel", "--format", "csv"],
        ["list", "late", *base, "--period", "2026-Q4", "--format", "csv"],
        ["list", "units", *base, "--period", "2026-10", "--format", "csv"],
        ["list", "due-soon", *base, "--as-of", "2026-10-20T09:00", "--format", "csv"],
    ):
        _same(capsys, argv, parts=5)
    code, _, err = _run(capsys, ["report", *base, "--period", "2026-10", "--format", "csv"])
    assert code == 0
    assert "set aside" in err  # the broken histories are there, and named the same way
    # Without --skip-bad, the run stops at the defect the whole file stops at.
    for argv in (
        ["report", *base, "--period", "2026-10", "--format", "csv"],
        ["evaluate", *base, "--as-of", "2026-10-31T23:59", "--format", "csv"],
    ):
        strict = [a for a in argv if a != "--skip-bad"]
        whole = _run(capsys, [*strict, "--partitions", "1"])
        assert whole[0] == 2
        for parts in (2, 5, 9):
            assert _run(capsys, [*strict, "--partitions", str(parts)]) == whole


def test_the_html_page_in_partitions(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import tthc_sla.cli as cli

    path = tmp_path / "events.csv"
    _histories(path, 5)
    pages = {}
    for most in (3, 1_000):  # the first 3 late dossiers of each partition are enough
        monkeypatch.setattr(cli, "_HTML_LATE", most)
        for parts in (1, 4):
            out = tmp_path / f"{most}-{parts}.html"
            argv = ["report", str(path), "--procedures", str(PROCS_PATH), "--skip-bad",
                    "--period", "2026-Q4", "--by", "agency", "--format", "html", "--output",
                    str(out), "--partitions", str(parts)]  # fmt: skip
            assert _run(capsys, argv)[0] == 0
            pages[most, parts] = out.read_text("utf-8")
        assert pages[most, 4] == pages[most, 1]
    assert 'data-shown="3"' in pages[3, 1]


def test_parquet_output_in_partitions(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    tables = {}
    for parts in (1, 3):
        out = tmp_path / f"{parts}.parquet"
        argv = ["evaluate", str(EVENTS), "--procedures", str(PROCS_PATH), "--as-of",
                "2026-10-31T23:59", "--output", str(out), "--partitions", str(parts)]  # fmt: skip
        assert _run(capsys, argv)[0] == 0
        tables[parts] = pq.read_table(out)
    assert tables[3].schema == tables[1].schema
    assert tables[3].to_pylist() == tables[1].to_pylist()  # labels: dictionaries may differ
    assert tables[1].num_rows == 10


def test_partitions_need_the_columnar_engine(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["report", str(EVENTS), "--procedures", str(PROCS_PATH), "--period", "2026-10"]
    code, _, err = _run(capsys, [*argv, "--engine", "scalar", "--partitions", "2"])
    assert code == 2
    assert "--partitions needs the columnar engine" in err
    code, _, err = _run(capsys, [*argv, "--partitions", "0"])
    assert code == 2
    assert "'0': expected a number of partitions, 1..4096" in err


# --------------------------------------------------------------------------- worker processes


def test_how_many_jobs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    small, big = tmp_path / "small.csv", tmp_path / "big.csv"
    small.write_bytes(b"x" * 60_000)  # 1,000 rows at most: not worth starting a worker
    with big.open("wb") as f:
        f.truncate(600_000_000)  # 10 million rows at most: each needs 450 bytes read whole
    assert _partition.jobs_for(str(small), 8, memory=10**12, cpus=4) == 1
    assert _partition.jobs_for(str(big), 1, memory=10**12, cpus=4) == 1  # read whole
    assert _partition.jobs_for(str(big), 8, memory=10**12, cpus=4) == 4  # the CPUs
    assert _partition.jobs_for(str(big), 3, memory=10**12, cpus=4) == 3  # the partitions
    # 4.5 GB in 8 partitions of 562.5 MB: half of 2.4 GB holds 2 of them at a time
    assert _partition.jobs_for(str(big), 8, memory=2_400_000_000, cpus=4) == 2
    assert _partition.jobs_for(str(big), 8, memory=100, cpus=4) == 1
    assert _partition.jobs_for("/no/such/file.csv", 8, memory=10**12, cpus=4) == 1


def test_a_container_cpu_quota_counts(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    v2, quota, period = tmp_path / "cpu.max", tmp_path / "quota", tmp_path / "period"
    monkeypatch.setattr(_partition.os, "sched_getaffinity", lambda _: {0, 1, 2, 3}, raising=False)
    monkeypatch.setattr(_partition, "_CPU_FILES", ((str(v2), ""), (str(quota), str(period))))
    assert _partition.usable_cpus() == 4  # no file: the affinity
    v2.write_text("max 100000\n")
    assert _partition.usable_cpus() == 4  # no quota
    v2.write_text("150000 100000\n")  # 1.5 CPUs of time: 2 processes can use it
    assert _partition.usable_cpus() == 2
    v2.write_text("50000 100000\n")
    assert _partition.usable_cpus() == 1
    v2.unlink()
    quota.write_text("-1\n")  # cgroup v1: no quota
    period.write_text("100000\n")
    assert _partition.usable_cpus() == 4
    quota.write_text("300000\n")
    assert _partition.usable_cpus() == 3


def test_workers_answer_in_partition_order() -> None:
    # abs runs in the workers as it would here; answers come back in order
    assert list(_partition._each(abs, 5, 2)) == [0, 1, 2, 3, 4]


def test_the_first_partition_error_is_raised() -> None:
    import functools

    # int("x", i): partition 0 fails with base 0, partition 1 with base 1; 0's error wins
    with pytest.raises(ValueError, match="base 0"):
        list(_partition._each(functools.partial(int, "x"), 3, 2))


def test_a_worker_that_dies_is_named() -> None:
    import os

    with pytest.raises(_partition.WorkerError, match="ended abruptly"):
        list(_partition._each(os._exit, 2, 2))  # the worker exits without an answer


def test_without_an_interpreter_to_start_partitions_run_here(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_partition.sys, "executable", "/no/such/python")
    _partition.start_workers(2)  # nothing started, nothing raised
    assert not _partition._AHEAD
    assert list(_partition._each(abs, 3, 2)) == [0, 1, 2]


def test_workers_started_ahead_end() -> None:
    _partition.start_workers(2)
    procs = list(_partition._AHEAD[0].procs)
    _partition.close_workers()
    assert not _partition._AHEAD
    assert all(p.poll() is not None for p in procs)


def test_the_example_export_evaluated_in_workers(capsys: pytest.CaptureFixture[str]) -> None:
    base = [str(EVENTS), "--procedures", str(PROCS_PATH)]
    for command in (COMMANDS[0], COMMANDS[1], COMMANDS[3]):
        head = command[:2] if command[0] == "list" else command[:1]
        argv = [*head, *base, *command[len(head) :]]
        whole = _run(capsys, [*argv, "--partitions", "1"])
        assert _run(capsys, [*argv, "--partitions", "4", "--jobs", "2"]) == whole


def test_broken_histories_in_workers(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    _histories(path, 3)
    base = [str(path), "--procedures", str(PROCS_PATH)]
    report = ["report", *base, "--period", "2026-10", "--by", "agency", "--format", "csv"]
    whole = _run(capsys, [*report, "--skip-bad", "--partitions", "1"])
    assert "set aside" in whole[2]
    assert _run(capsys, [*report, "--skip-bad", "--partitions", "5", "--jobs", "3"]) == whole
    # Without --skip-bad: the defect the whole file stops at, one at a time or in workers.
    strict = _run(capsys, [*report, "--partitions", "1"])
    assert strict[0] == 2
    assert _run(capsys, [*report, "--partitions", "5", "--jobs", "1"]) == strict
    assert _run(capsys, [*report, "--partitions", "5", "--jobs", "3"]) == strict


def test_jobs_is_a_positive_number(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["report", str(EVENTS), "--procedures", str(PROCS_PATH), "--period", "2026-10"]
    code, _, err = _run(capsys, [*argv, "--partitions", "2", "--jobs", "0"])
    assert code == 2
    assert "'0': expected a number of processes, 1..1024" in err
