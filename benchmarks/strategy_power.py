"""How often the plain first test, drawn with ``tthc_sla.testing``, finds a plausible SLA bug.

Run with ``python benchmarks/strategy_power.py`` (``--seeds 2`` for a quick look, ``--help``
for the options). A script, not a test: it prints figures and never asserts on them.

What a QA team writes first, against a system with one bug:

    @settings(max_examples=100, database=None, derandomize=False)
    @given(dossiers(), <a gap after the last event>)
    def test_agrees(dossier, gap):
        as_of = <the last event's moment> + gap
        mine, ours = my_system(dossier, as_of), evaluate(dossier, calendar, as_of=as_of)
        assert (mine.outcome, mine.due_date) == (ours.outcome, ours.due_date)

Each "system" here is a mutant built on the library: the same ``evaluate`` with one plausible
mistake (a wrong policy, a calendar without some days off, events it ignores, a wrong judging
rule). Each bug is attacked by that test once per seed (``hypothesis.seed``), 100 examples a
run; a run *kills* its bug when an example disagrees. The gap is the one the project's own
property tests draw: 0 to 40 days, in minutes. Shrinking is switched off (``phases``) because
it only changes how a failure is reported, not whether one is found, and it costs time; every
other setting is hypothesis's default. A run that stops on anything but a disagreement (a
health check, an error) is reported as an error, never as a kill.

It also prints the outcome distribution of ``dossiers()`` over 1,500 draws, each evaluated at a
moment drawn as in the test.

``--as-of moments`` draws the evaluation moment with ``as_of_moments(dossier)`` instead of the
plain gap (the recipe of docs/testing.md), for comparison.
"""

from __future__ import annotations

import argparse
import sys
import time as clock
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import attrs
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from tthc_sla import (
    DeadlinePolicy,
    Dossier,
    Evaluation,
    Event,
    EventKind,
    Outcome,
    ProcessingTimeKind,
    WorkingCalendar,
    evaluate,
    vietnam_calendar,
)
from tthc_sla.testing import dossiers

try:  # added with issue #13; absent from older versions of the strategies
    from tthc_sla.testing import as_of_moments
except ImportError:  # pragma: no cover - only when measuring the old strategies
    as_of_moments = None

K = EventKind
VN = ZoneInfo("Asia/Ho_Chi_Minh")
CAL = vietnam_calendar()
DEFAULT = DeadlinePolicy()
GAPS = st.integers(0, 40 * 24 * 60).map(lambda m: timedelta(minutes=m))
YEARS = range(1995, 2101)


class DisagreementError(AssertionError):
    """The system under test and the library disagree on an example (the bug is found)."""


# --------------------------------------------------------------------------- helpers


def local(t: datetime) -> datetime:
    """Local wall time (naive) of a naive or aware moment."""
    return t.astimezone(VN).replace(tzinfo=None) if t.tzinfo is not None else t


def last_moment(d: Dossier) -> datetime:
    """The last event's moment, in the dossier's style."""
    last = max(local(e.at) for e in d.events)
    return last.replace(tzinfo=VN) if d.events[0].at.tzinfo is not None else last


def reference(d: Dossier, as_of: datetime) -> Evaluation:
    return evaluate(d, CAL, as_of=as_of)


Verdict = tuple[Outcome, date | None]
System = Callable[[Dossier, datetime], Verdict]


def verdict(e: Evaluation) -> Verdict:
    return e.outcome, e.due_date


def with_policy(**changes: Any) -> System:
    policy = attrs.evolve(DEFAULT, **changes)
    return lambda d, as_of: verdict(evaluate(d, CAL, as_of=as_of, policy=policy, strict=False))


def with_calendar(make: Callable[[], WorkingCalendar]) -> System:
    cache: list[WorkingCalendar] = []

    def system(d: Dossier, as_of: datetime) -> Verdict:
        if not cache:
            cache.append(make())
        return verdict(evaluate(d, cache[0], as_of=as_of, strict=False))

    return system


def with_dossier(change: Callable[[Dossier], Dossier]) -> System:
    return lambda d, as_of: verdict(evaluate(change(d), CAL, as_of=as_of, strict=False))


def judged(rejudge: Callable[[Evaluation], Outcome]) -> System:
    """The library's deadline, judged by a different rule."""

    def system(d: Dossier, as_of: datetime) -> Verdict:
        e = reference(d, as_of)
        return rejudge(e), e.due_date

    return system


def without(*kinds: EventKind) -> Callable[[Dossier], Dossier]:
    return lambda d: attrs.evolve(d, events=tuple(e for e in d.events if e.kind not in kinds))


def _no_culture_day() -> WorkingCalendar:
    """The national calendar without 24/11 (Ngày Văn hóa Việt Nam, from 2026) or its
    compensatory day: a system whose holiday list predates Resolution 80-NQ/TW."""
    work = [
        (d, "24/11 unknown to this system")
        for y in range(2026, YEARS.stop)
        for d, name in CAL.days_off(y, lang="en")
        if d.month == 11 and d.day in (24, 25, 26) and "Cultural" in name and d.weekday() < 5
    ]
    return vietnam_calendar(extra_workdays=work)


def _shifted(d: Dossier, by: timedelta) -> Dossier:
    def move(e: Event) -> Event:
        new_due = e.new_due + by if isinstance(e.new_due, datetime) else e.new_due
        return attrs.evolve(e, at=e.at + by, new_due=new_due)

    return attrs.evolve(d, events=tuple(move(e) for e in d.events))


def _hour_off(d: Dossier, as_of: datetime) -> Verdict:
    """Reads every stored time an hour late (UTC+8 instead of Asia/Ho_Chi_Minh, UTC+7)."""
    hour = timedelta(hours=1)
    return verdict(evaluate(_shifted(d, hour), CAL, as_of=as_of + hour, strict=False))


def _by_moment(e: Evaluation) -> Outcome:
    """OpenCPS's rule (domain/metrics.md §5): early before the due moment, late after it,
    overdue once the due moment is reached."""
    if e.due_at is None:
        return e.outcome
    due_at = local(e.due_at)
    if e.outcome.is_finished and e.completed_at is not None:
        finish = local(e.completed_at)
        if finish < due_at:
            return Outcome.EARLY
        return Outcome.ON_TIME if finish == due_at else Outcome.LATE
    if e.outcome.is_open and e.as_of is not None and local(e.as_of) >= due_at:
        return Outcome.OVERDUE
    return e.outcome


def _after_close_late(e: Evaluation) -> Outcome:
    """A finish on the due date but after its close is late (the date rule says on time)."""
    finish, due_at = e.completed_at, e.due_at
    if e.outcome is Outcome.ON_TIME and finish and due_at and local(finish) > local(due_at):
        return Outcome.LATE
    return e.outcome


def _rescheduled_on_time(e: Evaluation) -> Outcome:
    """A late dossier that met its new appointment is counted on time (DESIGN §5: it is not)."""
    return Outcome.ON_TIME if e.outcome is Outcome.LATE and e.met_rescheduled else e.outcome


def _working_days_left(e: Evaluation) -> int | None:
    if e.as_of is None or e.due_date is None:
        return None
    return CAL.working_days_between(local(e.as_of).date(), e.due_date)


def _due_soon_two_days(e: Evaluation) -> Outcome:
    """Due soon with two working days left (the rule: at most one)."""
    left = _working_days_left(e)
    if e.outcome is Outcome.ON_TRACK and left is not None and left <= 2:
        return Outcome.DUE_SOON
    return e.outcome


def _due_soon_on_due_date_only(e: Evaluation) -> Outcome:
    """Due soon only on the due date itself (the rule: also the working day before)."""
    left = _working_days_left(e)
    if e.outcome is Outcome.DUE_SOON and left is not None and left >= 1:
        return Outcome.ON_TRACK
    return e.outcome


def _overdue_on_due_date(e: Evaluation) -> Outcome:
    """Overdue from the due date on (the rule: once the due date has passed)."""
    as_of, due = e.as_of, e.due_date
    if e.outcome is Outcome.DUE_SOON and as_of and due and local(as_of).date() >= due:
        return Outcome.OVERDUE
    return e.outcome


def _hours_by_date(e: Evaluation) -> Outcome:
    """An hour rule judged by date: a finish on the due date after the due moment passes."""
    hours = e.dossier.procedure.rule.kind is ProcessingTimeKind.WORKING_HOURS
    if not hours or e.due_date is None:
        return e.outcome
    finish, as_of = e.completed_at, e.as_of
    if e.outcome is Outcome.LATE and finish and local(finish).date() == e.due_date:
        return Outcome.ON_TIME
    if e.outcome is Outcome.OVERDUE and as_of and local(as_of).date() == e.due_date:
        return Outcome.DUE_SOON
    return e.outcome


def _refusals_excluded(e: Evaluation) -> Outcome:
    """A refusal after appraisal left out of the rates (DESIGN §7: judged like a resolution)."""
    return Outcome.EXCLUDED if e.finish_kind is K.REJECTED else e.outcome


def _swap_supplement(d: Dossier) -> Dossier:
    other = "pause" if d.procedure.supplement == "restart" else "restart"
    return attrs.evolve(d, procedure=attrs.evolve(d.procedure, supplement=other))


#: name -> (what the system gets wrong, the system)
BUGS: dict[str, tuple[str, System]] = {
    "receipt_day_counted": (
        "the day of receipt is day 1 (DeadlinePolicy(receipt_day_counts=True))",
        with_policy(receipt_day_counts=True),
    ),
    "cutoff_17h": (
        "same-day cut-off at 17:00 instead of 15:00",
        with_policy(same_day_cutoff=time(17, 0)),
    ),
    "notices_ignored": (
        "holidays.VN only: no public-sector notices (bridge days off, make-up Saturdays)",
        with_calendar(lambda: WorkingCalendar(statutory="VN")),
    ),
    "weekends_only": (
        "no holidays at all, weekends only",
        with_calendar(WorkingCalendar),
    ),
    "no_24_11": (
        "24/11 (Ngày Văn hóa Việt Nam, from 2026) not a day off",
        with_calendar(_no_culture_day),
    ),
    "same_time_deadlines": (
        "due at the receipt's time of day, judged by moment (due_time='same_time')",
        with_policy(due_time="same_time"),
    ),
    "after_hours_17h": (
        "receipts after 17:00 or on a day off count from the next working day",
        with_policy(after_hours=time(17, 0)),
    ),
    "finish_on_return": (
        "finished at the hand-over (RETURNED), not at the result",
        with_policy(finish="returned"),
    ),
    "pause_restart_swapped": (
        "a supplement pauses where it restarts, and restarts where it pauses",
        with_dossier(_swap_supplement),
    ),
    "pauses_ignored": (
        "PAUSED/RESUMED ignored: excluded time counted",
        with_dossier(without(K.PAUSED, K.RESUMED)),
    ),
    "supplements_ignored": (
        "supplement requests ignored: neither restart nor pause",
        with_dossier(without(K.SUPPLEMENT_REQUESTED, K.SUPPLEMENT_RECEIVED)),
    ),
    "difficult_area_ignored": (
        "the difficult-area extra time never applied",
        with_dossier(lambda d: attrs.evolve(d, difficult_area=False)),
    ),
    "hour_off_timezone": (
        "every time read an hour late (UTC+8 for Asia/Ho_Chi_Minh)",
        _hour_off,
    ),
    "judged_by_moment": (
        "early/late by the due moment, as OpenCPS does, not by the due date",
        judged(_by_moment),
    ),
    "after_close_late": (
        "a finish after 17:00 on the due date judged late",
        judged(_after_close_late),
    ),
    "hours_by_date": (
        "hour rules judged by date, not by the due moment",
        judged(_hours_by_date),
    ),
    "rescheduled_on_time": (
        "a late dossier that met its new appointment counted on time",
        judged(_rescheduled_on_time),
    ),
    "due_soon_two_days": (
        "due soon with two working days left",
        judged(_due_soon_two_days),
    ),
    "due_soon_due_date_only": (
        "due soon only on the due date itself",
        judged(_due_soon_on_due_date_only),
    ),
    "overdue_on_due_date": (
        "overdue on the due date itself",
        judged(_overdue_on_due_date),
    ),
    "refusals_excluded": (
        "a refusal after appraisal (REJECTED) excluded from the rates",
        judged(_refusals_excluded),
    ),
}


# --------------------------------------------------------------------------- the first test


def _moment(how: str) -> Callable[[st.DataObject, Dossier], datetime]:
    if how == "moments":
        if as_of_moments is None:
            raise SystemExit("--as-of moments needs tthc_sla.testing.as_of_moments")

        def draw_moment(data: st.DataObject, d: Dossier) -> datetime:
            moment: datetime = data.draw(as_of_moments(d), label="as_of")
            return moment

        return draw_moment

    def draw_gap(data: st.DataObject, d: Dossier) -> datetime:
        return last_moment(d) + data.draw(GAPS, label="gap")

    return draw_gap


def attack(system: System, seed: int, examples: int, how: str) -> str:
    """Run the first test once; "killed", "survived" or "error: ..."."""
    draw_as_of = _moment(how)

    @hypothesis_seed(seed)
    @settings(
        max_examples=examples,
        database=None,
        derandomize=False,
        deadline=None,
        phases=(Phase.explicit, Phase.generate),
    )
    @given(dossiers(), st.data())
    def test_agrees(d: Dossier, data: st.DataObject) -> None:
        as_of = draw_as_of(data, d)
        ours = verdict(reference(d, as_of))
        try:
            mine = system(d, as_of)
        except Exception as error:  # a crash on a valid history is a disagreement too
            raise DisagreementError(f"the system raised {error!r}") from error
        if mine != ours:
            raise DisagreementError(f"{mine} != {ours}")

    try:
        test_agrees()
    except DisagreementError:
        return "killed"
    except Exception as error:  # reported, never counted as a kill
        return f"error: {type(error).__name__}: {str(error)[:120]}"
    return "survived"


def distribution(draws: int, seed: int, how: str) -> Counter[str]:
    """Outcomes of ``draws`` dossiers, each evaluated at a moment drawn as in the test."""
    draw_as_of = _moment(how)
    seen: Counter[str] = Counter()

    @hypothesis_seed(seed)
    @settings(
        max_examples=draws,
        database=None,
        deadline=None,
        phases=(Phase.generate,),
        suppress_health_check=list(HealthCheck),
    )
    @given(dossiers(), st.data())
    def collect(d: Dossier, data: st.DataObject) -> None:
        seen[reference(d, draw_as_of(data, d)).outcome.name] += 1

    collect()
    return seen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=5, help="seeds per bug (default 5)")
    parser.add_argument("--examples", type=int, default=100, help="examples per run (100)")
    parser.add_argument("--draws", type=int, default=1500, help="draws for the distribution")
    parser.add_argument("--bugs", default="", help="comma-separated bug names (default: all)")
    parser.add_argument("--as-of", dest="how", choices=("gap", "moments"), default="gap")
    args = parser.parse_args(argv)
    chosen = [b for b in args.bugs.split(",") if b] or list(BUGS)
    unknown = [b for b in chosen if b not in BUGS]
    if unknown:
        parser.error(f"unknown bugs {unknown}; known: {', '.join(BUGS)}")

    print(f"python {sys.version.split()[0]}; {args.examples} examples a run, "
          f"seeds 0..{args.seeds - 1}, as-of drawn by {args.how!r}")  # fmt: skip
    started = clock.perf_counter()
    total = killed = 0
    errors: list[str] = []
    width = max(len(b) for b in chosen)
    for name in chosen:
        what, system = BUGS[name]
        results = [attack(system, s, args.examples, args.how) for s in range(args.seeds)]
        k = results.count("killed")
        total += len(results)
        killed += k
        errors += [f"{name} seed {s}: {r}" for s, r in enumerate(results) if r.startswith("error")]
        marks = "".join("x" if r == "killed" else "." if r == "survived" else "E" for r in results)
        print(f"  {name:<{width}}  {k}/{len(results)} {100 * k / len(results):5.1f} %  "
              f"{marks}  {what}")  # fmt: skip
    print(f"overall: {killed}/{total} runs killed their bug = {100 * killed / total:.1f} %")
    for line in errors:
        print("  " + line)
    print(f"({clock.perf_counter() - started:.0f} s)")

    if args.draws:
        started = clock.perf_counter()
        seen = distribution(args.draws, 0, args.how)
        n = sum(seen.values())
        print(f"outcomes of {n} draws of dossiers():")
        for outcome in Outcome:
            c = seen.get(outcome.name, 0)
            print(f"  {outcome.name:<13}{c:6d}  {100 * c / n:5.1f} %")
        print(f"({clock.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
