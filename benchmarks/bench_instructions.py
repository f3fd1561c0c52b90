"""Instructions per dossier, counted by valgrind: side-by-side comparisons a busy host cannot spoil.

On the shared development machine the same code's wall time moves by a third between hours
(``bench_evaluate.py`` measured one tree at 64,000 and 99,000 dossiers/s within minutes). The
number of instructions CPython executes for a seeded workload does not move: this script counts
them with valgrind's cachegrind (no cache simulation), for

* ``evaluate()`` over ``bench_evaluate.py``'s realistic histories (the scalar path), and
* ``tthc_sla.batch.evaluate_frame`` over the same dossiers as an events frame (with ``--frame``),

each per dossier, for this tree and for ``--against REV`` (a git revision, checked out into a
temporary worktree and imported from there; the workload is this tree's), with their ratio.
Each count is the difference between a run that evaluates the set ``--reps`` times and one that
only builds and warms it, so imports, the calendar's compilation and the table's construction
are not counted.

Instructions are a proxy for time, not a measure of it (a cache miss costs more than an add),
and a sound one for a change in Python code on the same interpreter: the issue's floor of
100,000 dossiers/s where the baseline measured 128,000 is a ratio of 0.78. Nothing asserts.

Needs ``valgrind`` on the PATH (the run takes about a minute per count).
Run: ``python benchmarks/bench_instructions.py [--against e04ba01] [--n 4000] [--frame]``.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).parent.parent

_CHILD = """
import sys
sys.path.insert(0, {bench!r})
from datetime import datetime
from bench_evaluate import CAL, CATALOG, make_dossiers
workload, n, reps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
dossiers = make_dossiers(n)
as_of = datetime(2027, 1, 1)
if workload == "scalar":
    from tthc_sla import evaluate
    def once():
        for d in dossiers:
            evaluate(d, CAL, as_of=as_of)
else:
    from tthc_sla.batch import evaluate_frame, events_frame
    frame = events_frame(dossiers)
    procs = {{p.code: p for p in CATALOG}}
    def once():
        evaluate_frame(frame, procs, CAL, as_of=as_of)
once()  # warm: memos, plans, caches
for _ in range(reps):
    once()
"""

_REFS = re.compile(r"I\s+refs:\s+([\d,]+)")


def count(src: Path, workload: str, n: int, reps: int) -> int:
    """The instructions of one child run importing tthc_sla from ``src``."""
    env = {**os.environ, "PYTHONPATH": str(src), "PYTHONHASHSEED": "0"}
    code = _CHILD.format(bench=str(ROOT / "benchmarks"))
    done = subprocess.run(
        ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
         sys.executable, "-c", code, workload, str(n), str(reps)],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    found = _REFS.search(done.stderr)
    if done.returncode != 0 or found is None:
        raise SystemExit(f"valgrind run failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def per_dossier(src: Path, workload: str, n: int, reps: int) -> float:
    return (count(src, workload, n, reps) - count(src, workload, n, 0)) / (n * reps)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--against", metavar="REV", help="also count this git revision's code")
    parser.add_argument("--n", type=int, default=4_000, help="dossiers (default 4,000)")
    parser.add_argument("--reps", type=int, default=2, help="evaluations of the set counted")
    parser.add_argument("--frame", action="store_true", help="also evaluate_frame")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not on the PATH (apt install valgrind)")
    workloads = ["scalar", "frame"] if args.frame else ["scalar"]
    with tempfile.TemporaryDirectory() as tmp:
        trees = {"this tree": ROOT / "src"}
        if args.against:
            work = Path(tmp) / "against"
            subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "--quiet",
                            str(work), args.against], check=True)  # fmt: skip
            trees = {args.against: work / "src", **trees}
        try:
            python = sys.version.split()[0]
            print(f"{args.n:,} dossiers of bench_evaluate.py, evaluated {args.reps}x after a "
                  f"warm-up; instructions per dossier (valgrind, Python {python})")  # fmt: skip
            for workload in workloads:
                found = {name: per_dossier(src, workload, args.n, args.reps)
                         for name, src in trees.items()}  # fmt: skip
                label = "evaluate()" if workload == "scalar" else "evaluate_frame"
                cells = "   ".join(f"{name}: {v:10,.0f}" for name, v in found.items())
                ratio = ""
                if args.against:
                    base, now = found[args.against], found["this tree"]
                    ratio = f"   ratio {base / now:.3f} (the speed of this tree, the other = 1)"
                print(f"  {label:<15} {cells}{ratio}")
        finally:
            if args.against:
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force",
                                str(Path(tmp) / "against")], check=False)  # fmt: skip


if __name__ == "__main__":
    main()
