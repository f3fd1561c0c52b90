"""The columnar path: vectorised due dates against numpy, and evaluate_frame throughput.

1. Due dates for 1,000,000 dossiers (random receipt dates 2021-2029, 1..60 working days) with
   ``tthc_sla.batch.due_dates`` and with ``numpy.busday_offset`` given an exact calendar
   (weekmask "1111111", every non-working day of the calendar as a holiday), same arrays, same
   run; the results are checked equal. Target: at most 0.06x numpy's time.
2. ``evaluate_frame`` on realistic dossiers (``bench_evaluate.make_dossiers``: steps, pauses,
   working-day, same-day and working-hour rules) in dossiers/s on one core, with the scalar
   ``evaluate`` rate on a sample for comparison and the share that took the scalar fallback.
   Target: >= 200,000 dossiers/s.

Times are the best of several runs; nothing asserts on time.
Run: ``python benchmarks/bench_batch.py [--n 1000000] [--dossiers 200000]``.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date, datetime
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from bench_evaluate import CAL, CATALOG, make_dossiers
from tthc_sla import evaluate
from tthc_sla.batch import calendar_arrays, due_dates, evaluate_frame, events_frame


def best_of(repeat: int, fn: object) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        best = min(best, time.perf_counter() - start)
    return best


def bench_due_dates(n: int, repeat: int) -> None:
    rng = np.random.default_rng(20261123)
    lo = np.datetime64("2021-01-01")
    span = (np.datetime64("2029-12-31") - lo).astype(int)
    received = lo + rng.integers(0, span + 1, n).astype("timedelta64[D]")
    amount = rng.integers(1, 61, n)
    arr = calendar_arrays(CAL)
    off = np.flatnonzero(arr.work == 0) + (arr.base - date(1970, 1, 1).toordinal())
    busdays = np.busdaycalendar(weekmask="1111111", holidays=off.astype("datetime64[D]"))

    ours = due_dates(received, amount, CAL)  # warm (arrays compiled and cached)
    theirs = np.busday_offset(received, amount, roll="backward", busdaycal=busdays)
    assert np.array_equal(ours, theirs), "due_dates and numpy.busday_offset disagree"

    t_ours = best_of(repeat, lambda: due_dates(received, amount, CAL))
    t_np = best_of(
        max(1, repeat // 3),
        lambda: np.busday_offset(received, amount, roll="backward", busdaycal=busdays),
    )
    print(f"due dates, {n:,} dossiers (2021-2029, 1..60 working days), results equal")
    print(f"  tthc_sla.batch.due_dates   {t_ours * 1e3:8.2f} ms")
    print(f"  numpy.busday_offset        {t_np * 1e3:8.2f} ms  (exact calendar)")
    print(f"  ratio                      {t_ours / t_np:8.3f}x  (target <= 0.06x)")


def bench_frame(n: int, repeat: int, scalar_sample: int) -> None:
    start = time.perf_counter()
    dossiers = make_dossiers(n)
    frame = events_frame(dossiers)
    built = time.perf_counter() - start
    procs = {p.code: p for p in CATALOG}
    as_of = datetime(2027, 1, 1)
    result = evaluate_frame(frame, procs, CAL, as_of=as_of)  # warm
    t_frame = best_of(repeat, lambda: evaluate_frame(frame, procs, CAL, as_of=as_of))
    # and as of a moment inside the period: open dossiers, pauses still running
    mid = datetime(2025, 6, 30, 17)
    mid_result = evaluate_frame(frame, procs, CAL, as_of=mid)
    t_mid = best_of(repeat, lambda: evaluate_frame(frame, procs, CAL, as_of=mid))

    sample = dossiers[:scalar_sample]
    for d in sample:
        evaluate(d, CAL, as_of=as_of)
    t_scalar = best_of(repeat, lambda: [evaluate(d, CAL, as_of=as_of) for d in sample])

    print(
        f"evaluate_frame, {n:,} dossiers, {len(frame):,} events "
        f"(table built in {built:.1f} s, not timed)"
    )
    outcomes = result["outcome"].value_counts().to_dict()
    for label, seconds, res in (
        ("as_of=2027-01-01", t_frame, result),
        ("as_of=2025-06-30", t_mid, mid_result),
    ):
        share = res.attrs["scalar_fallback"] / len(res)
        print(
            f"  evaluate_frame {label}  {seconds:6.3f} s = {n / seconds:10,.0f} dossiers/s"
            f"  (scalar fallback {res.attrs['scalar_fallback']:,} = {share:.2%})"
        )
    print(
        f"  scalar evaluate (sample of {len(sample):,})  {len(sample) / t_scalar:10,.0f} dossiers/s"
    )
    print(f"  speed-up over the scalar path: {(n / t_frame) / (len(sample) / t_scalar):.1f}x")
    print(f"  outcomes: {outcomes}")
    print("  target: >= 200,000 dossiers/s on one core")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="due dates to compute")
    parser.add_argument("--dossiers", type=int, default=200_000)
    parser.add_argument("--scalar-sample", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    bench_due_dates(args.n, args.repeat * 4)
    bench_frame(args.dossiers, args.repeat, args.scalar_sample)


if __name__ == "__main__":
    main()
