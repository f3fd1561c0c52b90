"""The analyst's path at scale: ``tthc-sla report`` and ``evaluate`` on a province-year export.

Generates a seeded export (default 1,000,000 dossiers, about 4.1 events each, the columns of
``examples/events.csv``), then prints side by side, each command in its own process:

* pyarrow's bare read of the same CSV (``pyarrow.csv.read_csv``, multi-threaded): the floor;
* ``tthc-sla report --period 2026-10 --by agency`` (the default engine): wall time and peak
  memory, and its ratio to the read (goal: <= 3x, <= 1.5 GB);
* ``tthc-sla evaluate --format parquet`` (goal: <= 4x the read);
* the same report with ``--partitions 8`` (the events dealt by dossier into partitions on disk,
  what a file larger than memory takes), evaluated one at a time (``--jobs 1``) and as many at
  a time as the CPUs and memory allow (each in a worker process; the largest worker's peak is
  shown beside the command's own); with ``--limit MB``, the report whole, in partitions and
  in as many as the command chooses, with the address space limited (``ulimit -v``);
* the same report with ``--engine scalar`` (skip it with ``--no-scalar``).

It never asserts on time. Run: ``python benchmarks/bench_cli.py [--n 1000000] [--no-scalar]``.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).parent.parent
PROCEDURES = ROOT / "examples" / "procedures.csv"
HEADER = "dossier_id,procedure,at,kind,step,unit,agency,level,field,channel\n"
CODES = ("1.001639", "1.004227", "2.000815", "1.000894")
AGENCIES = (*(f"UBND xã {i:03d}" for i in range(120)), "Sở Tư pháp", "Sở Xây dựng")
FIELDS = ("Hộ tịch", "Đất đai", "Chứng thực", "Xây dựng")
CHANNELS = ("online", "direct", "postal")


def generate(path: Path, n: int, seed: int = 20261130) -> int:
    """Write a seeded export of n dossiers received through 2026; return the rows written."""
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, 7, 30)
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write(HEADER)
        for i in range(n):
            at = start + timedelta(minutes=rng.randrange(0, 60 * 24 * 360))
            code = rng.choice(CODES)
            agency = rng.choice(AGENCIES)
            level = "Cấp tỉnh" if agency.startswith("Sở") else "Cấp xã"
            tail = f",{agency},{level},{rng.choice(FIELDS)},{rng.choice(CHANNELS)}\n"
            kinds = ["submitted", "received"]
            if code == "1.001639" and rng.random() < 0.5:
                kinds += ["step_started", "step_finished"]
            if rng.random() < 0.08:
                kinds += ["paused", "resumed"]
            kinds += ["resolved"] if rng.random() < 0.9 else []
            for kind in kinds:
                step = ",Thẩm định,Phòng Kinh tế - Hạ tầng" if kind.startswith("step") else ",,"
                f.write(f"HS-{i:07d},{code},{at:%Y-%m-%dT%H:%M},{kind}{step}{tail}")
                at += timedelta(hours=rng.choice((1, 2, 20, 48, 100, 200)))
                rows += 1
    return rows


def read_with_pyarrow(path: Path) -> float:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    t = time.perf_counter()
    options = pacsv.ConvertOptions(
        column_types=dict.fromkeys(HEADER.strip().split(","), pa.string())
    )
    pacsv.read_csv(path, convert_options=options)
    return time.perf_counter() - t


def run(argv: list[str], limit_mb: int = 0) -> tuple[float, float, int]:
    """(wall seconds, peak resident memory in MB, exit code) of one command, in a process
    (with ``limit_mb``: its address space limited to that, as a machine with less memory);
    the largest worker process's peak, if the command started any, is in ``WORKERS[0]``."""
    code = (
        "import resource, sys, time\n"
        "from tthc_sla import cli\n"
        f"sys.argv = ['tthc-sla', *{argv!r}]\n"
        "t = time.perf_counter()\n"
        "rc = getattr(cli, 'program', cli.main)()  # as the tthc-sla program runs\n"
        "wall = time.perf_counter() - t\n"
        "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        "workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "print(f'{wall} {peak} {rc} {workers}', file=sys.stderr)\n"
    )

    def limit() -> None:
        if limit_mb:
            size = limit_mb << 20
            resource.setrlimit(resource.RLIMIT_AS, (size, size))

    t = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=os.environ,
        check=False, preexec_fn=limit,
    )  # fmt: skip
    lines = done.stderr.strip().splitlines()
    try:
        wall, peak, rc, workers = lines[-1].split()
    except (IndexError, ValueError):  # the process died (out of memory)
        return time.perf_counter() - t, float("nan"), done.returncode
    WORKERS[0] = float(workers)
    return float(wall), float(peak), int(rc)


WORKERS = [0.0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="dossiers (default 1,000,000)")
    parser.add_argument("--no-scalar", action="store_true", help="skip the scalar engine")
    parser.add_argument("--partitions", type=int, default=8, help="for the partitioned run")
    parser.add_argument(
        "--limit", type=int, default=0, metavar="MB",
        help="also run the report whole and in partitions with the address space limited to "
        "MB (1,200 at 1M dossiers: less than reading the file whole takes)",
    )  # fmt: skip
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "province-2026.csv"
        t = time.perf_counter()
        rows = generate(path, args.n)
        size = path.stat().st_size / 1e6
        print(f"export: {args.n:,} dossiers, {rows:,} events, {size:,.0f} MB of CSV "
              f"(generated in {time.perf_counter() - t:.0f} s)")  # fmt: skip
        read = min(read_with_pyarrow(path) for _ in range(2))
        print(f"  pyarrow.csv.read_csv (all columns as text)   {read:7.2f} s")
        out = str(Path(tmp) / "r.csv")
        report = ["report", str(path), "--procedures", str(PROCEDURES), "--period", "2026-10",
                  "--by", "agency", "--format", "csv", "--output", out]  # fmt: skip
        wall, peak, rc = run(report)
        print(f"  tthc-sla report (default engine)          {wall:7.2f} s = {wall / read:5.1f}x "
              f"the read, peak {peak:,.0f} MB, exit {rc}  (goal <= 3x, <= 1,500 MB)")  # fmt: skip
        parquet = ["evaluate", str(path), "--procedures", str(PROCEDURES), "--as-of",
                   "2026-12-31T23:59", "--output", str(Path(tmp) / "e.parquet")]  # fmt: skip
        wall, peak, rc = run(parquet)
        print(f"  tthc-sla evaluate --format parquet        {wall:7.2f} s = {wall / read:5.1f}x "
              f"the read, peak {peak:,.0f} MB, exit {rc}  (goal <= 4x)")  # fmt: skip
        for jobs in ("1", ""):  # one partition at a time; as many at a time as CPUs allow
            more = ["--jobs", jobs] if jobs else []
            wall, peak, rc = run([*report, "--partitions", str(args.partitions), *more])
            label = f"--partitions {args.partitions} " + ("--jobs 1" if jobs else "(jobs: auto)")
            workers = f" + workers of {WORKERS[0]:,.0f} MB each" if WORKERS[0] else ""
            print(f"  tthc-sla report {label:<27}{wall:7.2f} s = {wall / read:5.1f}x the read, "
                  f"peak {peak:,.0f} MB{workers}, exit {rc}")  # fmt: skip
        if args.limit:
            for parts in ("1", str(args.partitions), ""):  # "": the command's own choice
                given = ["--partitions", parts] if parts else []
                wall, peak, rc = run([*report, *given], args.limit)
                died = "" if rc == 0 else " (out of memory)"
                label = f"--partitions {parts:<3}" if parts else "(partitions: auto)"
                print(f"  report {label:<18} in {args.limit:,} MB of address space "
                      f"{wall:7.2f} s, peak {peak:,.0f} MB, exit {rc}{died}")  # fmt: skip
        if not args.no_scalar:
            wall, peak, rc = run([*report, "--engine", "scalar"])
            print(f"  tthc-sla report --engine scalar           {wall:7.2f} s = "
                  f"{wall / read:5.1f}x the read, peak {peak:,.0f} MB, exit {rc}")  # fmt: skip


if __name__ == "__main__":
    main()
