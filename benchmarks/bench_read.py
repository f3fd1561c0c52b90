"""Reading an event table: pyarrow's bare CSV reads, ``read_events_frame``, ``read_dossiers``.

A seeded export (``--dossiers`` dossiers of 6-10 events each, from ``bench_evaluate``'s
generator: steps, pauses, five procedures) is written as CSV to a temporary folder, one row per
event with the dossier's agency, level, field and channel on every row, Vietnamese in the
names. Then, on that same file in the same run:

1. ``pyarrow.csv.read_csv(path)`` as called bare (its defaults: the types inferred, the times
   parsed as timestamps), and the same with every column as text, the floor: a reader cannot
   do less than cut the bytes into cells;
2. ``tthc_sla._fastread.read_events_frame``: the frame ``batch.evaluate_frame`` reads, with the
   scalar reader's answers; goal: at most 2x pyarrow's bare read;
3. ``tthc_sla.read_dossiers``: the scalar reader (on ``--scalar-sample`` dossiers' rows when
   the file is big, scaled up: it is linear).

The readers' results are checked to agree (rows read, dossiers). Times are the best of
``--repeat`` runs, the runs of the first three interleaved (a busy machine slows them alike);
nothing asserts on time. pyarrow cuts the cells on every core, while most of
``read_events_frame``'s own work is numpy on one: the ratio to the all-text read grows with
the cores.

Run: ``python benchmarks/bench_read.py [--dossiers 100000] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pv

sys.path.insert(0, str(Path(__file__).parent))

from bench_evaluate import CATALOG, make_dossiers
from tthc_sla import read_dossiers
from tthc_sla._fastread import read_events_frame

HEADER = ["dossier_id", "procedure", "at", "kind", "step", "unit", "new_due", "note"]
HEADER += ["agency", "level", "field", "channel"]
AGENCIES = ("UBND xã Hòa Vang", "UBND phường Hải Châu", "Sở Tư pháp", "Chi nhánh VPĐKĐĐ")
LEVELS = ("Cấp xã", "Cấp tỉnh")
FIELDS = ("Xây dựng", "Đất đai", "Tư pháp", "Hộ tịch")


def write_export(path: Path, dossiers: int) -> int:
    """The export of ``dossiers`` seeded dossiers; returns the number of rows."""
    rows = 0
    units = {(p.code, s.name): s.unit for p in CATALOG for s in p.steps}
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(HEADER)
        for i, d in enumerate(make_dossiers(dossiers)):
            agency, level, field = AGENCIES[i % 4], LEVELS[i % 2], FIELDS[i % 3]
            channel = d.channel.value if d.channel else ""
            for e in d.events:
                unit = units.get((d.procedure.code, e.step), "") if e.step else ""
                note = "chờ ý kiến, bổ sung" if e.kind.value == "paused" else ""
                writer.writerow(
                    [d.id, d.procedure.code, e.at.strftime("%Y-%m-%d %H:%M:%S"), e.kind.value,
                     e.step or "", unit, "", note, agency, level, field, channel]
                )  # fmt: skip
                rows += 1
    return rows


def best_of(repeat: int, *fns: Callable[[], Any]) -> list[tuple[float, Any]]:
    """Each function's best time and last result, the runs interleaved (a busy machine slows
    all of them alike)."""
    best: list[tuple[float, Any]] = [(float("inf"), None) for _ in fns]
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            start = time.perf_counter()
            result = fn()
            best[i] = (min(best[i][0], time.perf_counter() - start), result)
    return best


def bare_read(path: Path) -> Any:
    return pv.read_csv(path)


def text_read(path: Path) -> Any:
    convert = pv.ConvertOptions(column_types=dict.fromkeys(HEADER, pa.string()))
    return pv.read_csv(path, convert_options=convert)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dossiers", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scalar-sample", type=int, default=20_000)
    args = parser.parse_args()
    procs = {p.code: p for p in CATALOG}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events.csv"
        rows = write_export(path, args.dossiers)
        size = os.path.getsize(path)
        print(f"export: {args.dossiers:,} dossiers, {rows:,} rows, {size / 2**20:.1f} MiB CSV")
        print(f"        pyarrow {pa.__version__}, {pa.cpu_count()} threads")
        (t_bare, bare), (t_text, _), (t_fast, fast) = best_of(
            args.repeat,
            lambda: bare_read(path),
            lambda: text_read(path),
            lambda: read_events_frame(path, procs),
        )
        assert fast.fallback is None, fast.fallback
        assert (fast.rows_read, fast.rows_accepted, fast.dossiers) == (rows, rows, args.dossiers)
        assert bare.num_rows == rows
        sample = min(args.scalar_sample, args.dossiers)
        small = path if sample == args.dossiers else Path(tmp) / "sample.csv"
        sample_rows = rows if small == path else write_export(small, sample)
        ((t_scalar, table),) = best_of(1, lambda: read_dossiers(small, procs))
        assert (table.rows_read, len(table)) == (sample_rows, sample)
        t_scalar *= rows / sample_rows
    scaled = "" if sample == args.dossiers else f"  (from {sample:,} dossiers, scaled)"
    print("                                   time  / bare  / text")
    print(f"  pyarrow.csv.read_csv (bare)  {t_bare:7.3f} s  1.00x  {t_bare / t_text:5.2f}x")
    print(f"  read_csv, every column text  {t_text:7.3f} s  {t_text / t_bare:4.2f}x  1.00x")
    fast = f"{t_fast / t_bare:4.2f}x  {t_fast / t_text:5.2f}x"
    print(f"  read_events_frame            {t_fast:7.3f} s  {fast}  (goal: <= 2x bare)")
    slow = f"{t_scalar / t_bare:4.1f}x  {t_scalar / t_text:5.1f}x"
    print(f"  read_dossiers                {t_scalar:7.3f} s  {slow}{scaled}")
    print(f"  rows/s: read_events_frame {rows / t_fast:,.0f}, read_dossiers {rows / t_scalar:,.0f}")
    print(f"  speed-up over read_dossiers: {t_scalar / t_fast:.1f}x")


if __name__ == "__main__":
    main()
