"""Micro-benchmark: tthc_sla's working calendar against ``holidays``, numpy and pandas.

Run with ``python benchmarks/bench_calendar.py`` (numpy is required, pandas is optional).
This is a script, not a test: it prints timings and never asserts on them.

Note: the environment variables OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE may be set on this
machine and slow numpy's linear algebra. ``np.busday_offset`` / ``np.busday_count`` don't use
BLAS, so the script leaves them alone (it only prints them).

Method: every measurement is ``timeit.Timer(...).repeat(repeat=5, number=1)`` over a loop of K
calls, best of the repeats, with K chosen so that one loop takes about 0.2 s. The loop walks a
list of random dates in 2021-2029 (the same seeded list, cycled, for every library; slow calls
only get through a prefix of it), so that no library is flattered by caching one date. Each
call goes through a local variable bound in the timeit setup, so the loop overhead is the same
for everyone and is included in every number.

Equivalent work per operation:

* add N working days: ``cal.add_working_days(d, N)`` | ``vn.get_nth_working_day(d, N)`` |
  ``np.busday_offset(np.datetime64(d), N, roll='forward', busdaycal=bc)``;
* count working days: ``cal.working_days_between(a, b)`` | ``vn.get_working_days_count(a, b)``
  | ``np.busday_count(np.datetime64(a), np.datetime64(b), busdaycal=bc)``;
* add h working hours, two shifts 07:30-11:30 and 13:30-17:00:
  ``cal.add_working_time(dt, timedelta(hours=h))`` | ``ts + CustomBusinessHour(n=h, ...)``.

numpy "exact" uses ``weekmask='1111111'`` with every non-working day of the tthc_sla calendar
over 2020-2035 as holidays (the only way numpy can express make-up Saturdays); numpy "1111100"
uses the usual Monday-Friday mask with the weekday days off, for reference (it misses the
make-up Saturdays, as does pandas).
"""

from __future__ import annotations

import itertools
import os
import platform
import random
import sys
import timeit
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from importlib import metadata
from typing import Any

import holidays
import numpy as np

import tthc_sla

try:
    import pandas as pd
except ImportError:  # pandas is optional: its row is skipped
    pd = None

SEED = 20240601
N_DATES = 2000
TARGET_S = 0.2  # wall time of one timed loop
REPEAT = 5
MAX_CALLS = 500_000
DAYS_N = (1, 15, 90)
HOURS_H = (4, 40)
SHIFTS_START = ["07:30", "13:30"]
SHIFTS_END = ["11:30", "17:00"]
FIRST_DAY, LAST_DAY = date(2021, 1, 1), date(2029, 12, 31)
HOLIDAY_YEARS = range(2020, 2031)
NUMPY_YEARS = (2020, 2035)

# Flat in N: the N = 90 call may cost at most this much more than the N = 1 call.
FLAT_TOLERANCE = 1.25
TARGET_VS_HOLIDAYS = 20.0  # x faster than holidays at N = 15
TARGET_VS_NUMPY = 0.3  # tthc_sla time / numpy scalar time for add, at most
TARGET_VS_CBH = 15.0  # x faster than CustomBusinessHour


@dataclass(frozen=True)
class Row:
    """One line of the result table: a tthc_sla operation against one peer."""

    operation: str
    tthc_us: float
    peer: str
    peer_us: float | None  # None: no peer (or the peer was skipped)
    numpy_peer: bool = False  # print tthc_sla / numpy as well
    note: str = ""


# ---------------------------------------------------------------------------- inputs


def random_dates(rng: random.Random, n: int) -> list[date]:
    lo, hi = FIRST_DAY.toordinal(), LAST_DAY.toordinal()
    return [date.fromordinal(rng.randint(lo, hi)) for _ in range(n)]


def random_datetimes(rng: random.Random, days: Sequence[date]) -> list[datetime]:
    """The dates at a random minute between 06:00 and 18:00 (inside and outside the shifts)."""
    return [
        datetime.combine(d, time()) + timedelta(minutes=rng.randrange(6 * 60, 18 * 60))
        for d in days
    ]


def non_working_days(cal: tthc_sla.WorkingCalendar, first: date, last: date) -> list[date]:
    days = (first + timedelta(days=i) for i in range((last - first).days + 1))
    return [d for d in days if not cal.is_working_day(d)]


# ---------------------------------------------------------------------------- timing


def per_call_us(call: str, names: dict[str, Any], args: Sequence[Any], loop_var: str) -> float:
    """Best-of-REPEAT time of one ``call`` in microseconds, loop overhead included.

    ``call`` is evaluated as ``for <loop_var> in xs: <call>`` inside timeit's function, where
    ``xs`` and every entry of ``names`` are local variables.
    """
    setup = "; ".join([f"{k} = _ns[{k!r}]" for k in names] + ["xs = _ns['xs']"])
    stmt = f"for {loop_var} in xs: {call}"

    def run(k: int, repeat: int) -> float:
        xs = list(itertools.islice(itertools.cycle(args), k))
        timer = timeit.Timer(stmt, setup, globals={"_ns": {**names, "xs": xs}})
        return min(timer.repeat(repeat=repeat, number=1)) / k

    probe = run(50, 1)  # warms up and calibrates
    if probe * 50 < 0.01:
        probe = run(max(50, min(MAX_CALLS, int(0.01 / probe))), 1)
    k = max(20, min(MAX_CALLS, int(TARGET_S / probe)))
    return run(k, REPEAT) * 1e6


# ---------------------------------------------------------------------------- sanity


def sanity_line(
    cal: tthc_sla.WorkingCalendar,
    vn: holidays.HolidayBase,
    bc_exact: np.busdaycalendar,
    days: Sequence[date],
    moments: Sequence[datetime],
    cbh: Callable[[int], Any] | None,
) -> list[str]:
    sample = list(days[:300])
    d64 = np.array(sample, dtype="datetime64[D]")
    np_same = 0
    hol_same = 0
    for n in DAYS_N:
        ours = np.array([cal.add_working_days(d, n) for d in sample], dtype="datetime64[D]")
        theirs = np.busday_offset(d64, n, roll="backward", busdaycal=bc_exact)
        np_same += int((ours == theirs).sum())
        hol_same += sum(
            cal.add_working_days(d, n) == vn.get_nth_working_day(d, n) for d in sample[:100]
        )
    ends = [d + timedelta(days=365) for d in sample]
    ours_count = np.array(
        [cal.working_days_between(a, b) for a, b in zip(sample, ends, strict=True)]
    )
    # working_days_between counts (a, b]; busday_count counts [a, b): shift both by a day.
    one = np.timedelta64(1, "D")  # numpy 2.5 deprecates adding a bare integer
    theirs_count = np.busday_count(
        d64 + one, np.array(ends, dtype="datetime64[D]") + one, busdaycal=bc_exact
    )
    count_same = int((ours_count == theirs_count).sum())
    lines = [
        f"sanity: add_working_days(d, n) == np.busday_offset(d, n, roll='backward') [exact "
        f"calendar]: {np_same}/{len(sample) * len(DAYS_N)}; working_days_between(a, a+365d) == "
        f"np.busday_count(a+1, b+1): {count_same}/{len(sample)}",
        f"        add_working_days == holidays.VN get_nth_working_day: "
        f"{hol_same}/{100 * len(DAYS_N)} (holidays.VN lacks the public-sector notices)",
    ]
    if cbh is not None:
        same = equivalent = total = 0
        for h in HOURS_H:
            off = cbh(h)
            amount = timedelta(hours=h)
            for t in moments[:200]:
                ours_t = cal.add_working_time(t, amount)
                theirs_t = (pd.Timestamp(t) + off).to_pydatetime()
                total += 1
                same += ours_t == theirs_t
                equivalent += cal.working_time_between(t, theirs_t) == amount
        lines.append(
            f"        add_working_time == ts + CustomBusinessHour: identical {same}/{total}, "
            f"same working time elapsed {equivalent}/{total} (pandas ends at the next shift's "
            "start, tthc_sla at the earliest moment; pandas has no make-up Saturdays)"
        )
    return lines


# ---------------------------------------------------------------------------- main


def environment_line() -> str:
    blas = {k: os.environ[k] for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if k in os.environ}
    parts = [
        f"python {platform.python_version()}",
        f"tthc_sla {metadata.version('tthc_sla')}",
        f"holidays {holidays.__version__}",
        f"numpy {np.__version__}",
        f"pandas {pd.__version__}" if pd is not None else "pandas: not installed",
        f"OPENBLAS env: {blas or 'unset'} (busday_* don't use BLAS)",
    ]
    return "; ".join(parts)


def fmt_row(r: Row) -> str:
    peer_us = f"{r.peer_us:10.3f}" if r.peer_us is not None else f"{'-':>10}"
    ratio = f"{r.peer_us / r.tthc_us:9.1f}x" if r.peer_us is not None else f"{'-':>10}"
    vs_np = (
        f"{r.tthc_us / r.peer_us:10.2f}" if r.numpy_peer and r.peer_us is not None else f"{'':>10}"
    )
    line = f"{r.operation:<30} {r.tthc_us:9.3f}  {r.peer:<38} {peer_us} {ratio} {vs_np}"
    return f"{line}  {r.note}".rstrip()


def main() -> None:
    print(environment_line())
    rng = random.Random(SEED)
    days = random_dates(rng, N_DATES)
    moments = random_datetimes(rng, days)
    month_pairs = [(d, d + timedelta(days=30)) for d in days]
    year_pairs = [(d, d + timedelta(days=365)) for d in days]
    moment_pairs = [(t, t + timedelta(days=30, hours=rng.randrange(-5, 6))) for t in moments]

    cal = tthc_sla.vietnam_calendar()
    for d in (FIRST_DAY, LAST_DAY + timedelta(days=400)):  # compile the blocks we use
        cal.add_working_days(d, 1)
    vn = holidays.VN(years=HOLIDAY_YEARS)
    first_np, last_np = date(NUMPY_YEARS[0], 1, 1), date(NUMPY_YEARS[1], 12, 31)
    off_days = non_working_days(cal, first_np, last_np)
    off_weekdays = [d for d in off_days if d.weekday() < 5]
    bc_exact = np.busdaycalendar(weekmask="1111111", holidays=off_days)
    bc_week = np.busdaycalendar(weekmask="1111100", holidays=off_weekdays)
    print(
        f"{N_DATES} random dates in {FIRST_DAY.year}-{LAST_DAY.year} (seed {SEED}); numpy exact "
        f"calendar: {len(off_days)} non-working days {NUMPY_YEARS[0]}-{NUMPY_YEARS[1]}; "
        f"{len(off_weekdays)} of them on Mon-Fri; best of {REPEAT}, ~{TARGET_S} s per loop"
    )

    cbh: Callable[[int], Any] | None = None
    if pd is not None:
        cbh_holidays = [np.datetime64(d, "D") for d in off_weekdays]

        def cbh(h: int) -> Any:
            return pd.offsets.CustomBusinessHour(
                n=h,
                start=SHIFTS_START,
                end=SHIFTS_END,
                holidays=cbh_holidays,
                weekmask="Mon Tue Wed Thu Fri",
            )

    rows: list[Row] = []
    tthc_add: dict[int, float] = {}
    numpy_exact_add: dict[int, float] = {}
    holidays_add: dict[int, float] = {}
    np_names = {"f": np.busday_offset, "dt64": np.datetime64}
    np_call = "f(dt64(d), n, roll='forward', busdaycal=bc)"

    # -- add N working days
    for n in DAYS_N:
        op = f"add_working_days N={n}"
        ours = per_call_us("f(d, n)", {"f": cal.add_working_days, "n": n}, days, "d")
        hol = per_call_us("f(d, n)", {"f": vn.get_nth_working_day, "n": n}, days, "d")
        exact = per_call_us(np_call, {**np_names, "n": n, "bc": bc_exact}, days, "d")
        week = per_call_us(np_call, {**np_names, "n": n, "bc": bc_week}, days, "d")
        tthc_add[n], holidays_add[n], numpy_exact_add[n] = ours, hol, exact
        rows.append(Row(op, ours, "holidays get_nth_working_day", hol))
        rows.append(Row(op, ours, "np.busday_offset exact (1111111)", exact, numpy_peer=True))
        rows.append(Row(op, ours, "np.busday_offset 1111100 (ref)", week, numpy_peer=True))
    d64 = [np.datetime64(d, "D") for d in days]
    pre = per_call_us(
        "f(d, n, roll='forward', busdaycal=bc)",
        {"f": np.busday_offset, "n": 15, "bc": bc_exact},
        d64,
        "d",
    )
    note = "(ref: input already datetime64)"
    rows.append(
        Row("add_working_days N=15", tthc_add[15], "np.busday_offset exact", pre, True, note)
    )

    # -- count working days
    tthc_count: dict[str, float] = {}
    numpy_exact_count: dict[str, float] = {}
    np_count = "f(dt64(a), dt64(b), busdaycal=bc)"
    np_count_names = {"f": np.busday_count, "dt64": np.datetime64}
    for label, pairs in (("~1 month", month_pairs), ("~1 year", year_pairs)):
        op = f"working_days_between {label}"
        ours = per_call_us("f(a, b)", {"f": cal.working_days_between}, pairs, "a, b")
        hol = per_call_us("f(a, b)", {"f": vn.get_working_days_count}, pairs, "a, b")
        exact = per_call_us(np_count, {**np_count_names, "bc": bc_exact}, pairs, "a, b")
        week = per_call_us(np_count, {**np_count_names, "bc": bc_week}, pairs, "a, b")
        tthc_count[label], numpy_exact_count[label] = ours, exact
        rows.append(Row(op, ours, "holidays get_working_days_count", hol))
        rows.append(Row(op, ours, "np.busday_count exact (1111111)", exact, numpy_peer=True))
        rows.append(Row(op, ours, "np.busday_count 1111100 (ref)", week, numpy_peer=True))

    # -- add h working hours
    tthc_awt: dict[int, float] = {}
    cbh_awt: dict[int, float] = {}
    stamps = [pd.Timestamp(t) for t in moments] if pd is not None else []
    for h in HOURS_H:
        op = f"add_working_time h={h}"
        amount = timedelta(hours=h)
        ours = per_call_us(
            "f(t, amount)", {"f": cal.add_working_time, "amount": amount}, moments, "t"
        )
        tthc_awt[h] = ours
        if cbh is None:
            print(f"pandas is not installed: skipping CustomBusinessHour for h={h}")
            rows.append(Row(op, ours, "CustomBusinessHour (skipped)", None))
            continue
        theirs = per_call_us("t + off", {"off": cbh(h)}, stamps, "t")
        cbh_awt[h] = theirs
        rows.append(Row(op, ours, "pd.Timestamp + CustomBusinessHour(n=h)", theirs))

    ours = per_call_us("f(a, b)", {"f": cal.working_time_between}, moment_pairs, "a, b")
    rows.append(Row("working_time_between ~1 month", ours, "(no equivalent peer call)", None))

    # -- report
    print()
    header = (
        f"{'operation':<30} {'tthc µs':>9}  {'peer':<38} {'peer µs':>10} "
        f"{'peer/tthc':>10} {'tthc/numpy':>10}"
    )
    print(header)
    print("-" * len(header))
    previous = ""
    for r in rows:
        if previous and r.operation.split()[0] != previous:
            print()
        previous = r.operation.split()[0]
        print(fmt_row(r))
    print()

    flat = tthc_add[90] / tthc_add[1]
    print(
        f"tthc_sla flat in N: add_working_days N=90 / N=1 = {flat:.2f} "
        f"({'flat' if flat <= FLAT_TOLERANCE else 'NOT flat'}); holidays N=90 / N=1 = "
        f"{holidays_add[90] / holidays_add[1]:.1f}; numpy N=90 / N=1 = "
        f"{numpy_exact_add[90] / numpy_exact_add[1]:.2f}"
    )
    for line in sanity_line(cal, vn, bc_exact, days, moments, cbh):
        print(line)
    print()

    print("targets:")
    vs_hol = holidays_add[15] / tthc_add[15]
    ok = vs_hol >= TARGET_VS_HOLIDAYS and flat <= FLAT_TOLERANCE
    print(
        f"  [{'met' if ok else 'MISSED'}] >= {TARGET_VS_HOLIDAYS:g}x faster than holidays at "
        f"N=15 and flat in N: {vs_hol:.1f}x, N=90/N=1 = {flat:.2f}"
    )
    worst_np = max(tthc_add[n] / numpy_exact_add[n] for n in DAYS_N)
    print(
        f"  [{'met' if worst_np <= TARGET_VS_NUMPY else 'MISSED'}] add <= {TARGET_VS_NUMPY:g}x "
        f"numpy scalar call: worst tthc/numpy over N = {worst_np:.2f} "
        f"(count: {max(tthc_count[k] / numpy_exact_count[k] for k in tthc_count):.2f}, "
        "not a target)"
    )
    if cbh_awt:
        worst_cbh = min(cbh_awt[h] / tthc_awt[h] for h in cbh_awt)
        print(
            f"  [{'met' if worst_cbh >= TARGET_VS_CBH else 'MISSED'}] add_working_time >= "
            f"{TARGET_VS_CBH:g}x faster than CustomBusinessHour: worst over h = {worst_cbh:.1f}x"
        )
    else:
        print("  [skipped] add_working_time vs CustomBusinessHour: pandas is not installed")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
