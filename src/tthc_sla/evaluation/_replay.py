"""The scalar engine: a dossier's history replayed on a calendar, then judged.

The replay reads the state machine (``history.TRANSITIONS``), what each event does to the clock
(``history.EFFECT``), the rule plans (``rules._plan``) and the one deadline dispatch
(``rules._deadline.due``); the outcome rules are ``evaluation._judge``. Its columnar mirror is
``tthc_sla.batch._replay``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from tthc_sla.calendar import WorkingCalendar
from tthc_sla.calendar._seam import (
    VN_TZ,
    due_end_of_day,
    from_local,
    local_time_between,
    naive,
    to_local,
)
from tthc_sla.errors import CalendarRangeError, HistoryError, InputTypeError, TimezoneMixError
from tthc_sla.evaluation._judge import finished, past, still_open
from tthc_sla.evaluation._result import Evaluation, Outcome, StepResult, filler
from tthc_sla.history import EFFECT, TRANSITIONS, Dossier, Effect, Event, EventKind, State
from tthc_sla.history import transition as _transition
from tthc_sla.procedure import Procedure
from tthc_sla.rules import DeadlinePolicy, ProcessingTime, legal_basis
from tthc_sla.rules._seam import RulePlan, counted_receipt, due, plan_of

__all__ = ["evaluate"]

_ZERO = timedelta(0)
_DEFAULT_POLICY = DeadlinePolicy()
# Enum member access is slow on Python 3.11 (a descriptor call); the hot loop uses globals.
_START, _RESTART, _PAUSE, _RESUME = Effect.START, Effect.RESTART, Effect.PAUSE, Effect.RESUME
_FINISH, _HAND_OVER, _END = Effect.FINISH, Effect.HAND_OVER, Effect.END
_RESCHEDULE = Effect.RESCHEDULE
_STEP_START, _STEP_FINISH = Effect.STEP_START, Effect.STEP_FINISH
_RESUMED = EventKind.RESUMED
_O_EARLY, _O_ON_TIME, _O_LATE = Outcome.EARLY, Outcome.ON_TIME, Outcome.LATE
_O_ON_TRACK, _O_DUE_SOON, _O_OVERDUE = Outcome.ON_TRACK, Outcome.DUE_SOON, Outcome.OVERDUE
_O_EXCLUDED, _O_NOT_RECEIVED = Outcome.EXCLUDED, Outcome.NOT_RECEIVED
_S_NEW, _S_SUPPLEMENT = State.NEW, State.SUPPLEMENT
_TEXT = {k: k.value.replace("_", " ") for k in EventKind}
_MIXED = "naive and aware timestamps mixed in one history"

# Results are built by constructors generated from the classes' attrs fields (see filler).
_evaluation: Callable[..., Evaluation] = filler(Evaluation)
_step_result: Callable[..., StepResult] = filler(StepResult)

_Trace = tuple[datetime, str, datetime | None, ProcessingTime | None]

# The state machine with each event's effect and the next state's own row beside it, so the
# replay looks each event up once: state -> kind -> (next state, its row, effect).
_MOVES: dict[State, dict[EventKind, tuple[State, Any, Effect]]] = {s: {} for s in TRANSITIONS}
for _state, _row in TRANSITIONS.items():
    _MOVES[_state].update({k: (nxt, _MOVES[nxt], EFFECT[k]) for k, nxt in _row.items()})
del _state, _row


class _Step:
    """A step running at some point of the replay: its unit, its start, and its own deadline
    from its actual start (DESIGN §6), which moves with paused time; none without an
    allotment (the step is recorded, never judged)."""

    __slots__ = ("by_moment", "due_at", "due_date", "started", "unit")

    def __init__(
        self,
        unit: str | None,
        started: datetime,
        plan: RulePlan | None,
        cal: WorkingCalendar,
        policy: DeadlinePolicy,
    ) -> None:
        self.unit = unit
        self.started = started
        if plan is None:
            self.due_date, self.due_at, self.by_moment = None, None, False
        else:
            self.due_date, self.due_at = due(started, plan, cal, policy)
            self.by_moment = plan.by_moment


class _Run:
    """The whole state of one replay (private; never escapes evaluate())."""

    __slots__ = (
        "due_at",
        "due_date",
        "ended",
        "exact",
        "excl_days",
        "excl_time",
        "finish",
        "finish_kind",
        "pause_at",
        "received",
        "resched",
        "results",
        "state",
        "steps",
        "timeline",
        "warnings",
    )

    def __init__(self, exact: bool) -> None:
        self.exact = exact  # judged by moment (DESIGN §7)
        self.state = _S_NEW
        self.received: datetime | None = None
        self.due_date: date | None = None
        self.due_at: datetime | None = None
        self.pause_at: datetime | None = None
        self.excl_days = 0
        self.excl_time = _ZERO
        self.finish: datetime | None = None
        self.finish_kind: EventKind | None = None
        self.resched: datetime | None = None
        self.ended: datetime | None = None
        self.timeline: list[_Trace] = []
        self.steps: dict[str, _Step] = {}
        self.results: list[StepResult] = []  # in local time until _result
        self.warnings: list[str] = []


_StepPlans = dict[str, tuple[str | None, RulePlan]]
_NO_ALLOTMENT: tuple[None, None] = (None, None)


@functools.lru_cache(maxsize=4096)
def _procedure_plan(
    proc: Procedure, policy: DeadlinePolicy, difficult: bool
) -> tuple[RulePlan, _StepPlans, bool]:
    """What a replay needs of a procedure, decided once: the rule's plan, each step's (unit,
    plan of its allotment), and whether a supplement pauses the clock (instead of restarting)."""
    steps: _StepPlans = {s.name: (s.unit, plan_of(s.allotment, policy)) for s in proc.steps}
    return plan_of(proc.rule, policy, difficult), steps, proc.supplement == "pause"


def evaluate(
    dossier: Dossier,
    calendar: WorkingCalendar,
    *,
    as_of: datetime | None = None,
    policy: DeadlinePolicy = _DEFAULT_POLICY,
    strict: bool = True,
) -> Evaluation:
    """Replay a dossier's history up to ``as_of`` and judge it against its deadline.

    The clock starts at RECEIVED. A supplement request restarts it from zero when the complete
    dossier comes back (or pauses it, for a procedure with ``supplement="pause"``); PAUSED ...
    RESUMED excludes that time, in whole working days under ``due_time="end_of_day"`` and as
    exact working time under ``"same_time"`` or for hour rules. RESCHEDULED (once, at least one
    working day before the due date) records a new appointment without moving the legal
    deadline; its ``new_due`` is a moment, or a date meaning the close of that working day on
    ``calendar`` (a date that is a day off breaks the history). A finished dossier is early,
    on time or late by date (by moment under ``"same_time"`` and for hour rules); an open one
    is overdue past the due date and due soon with at most one working day left.

    Legal basis: by the receipt date, ``rules.legal_basis`` ("supplement_restart", "apology"):
    Decree 61/2018/NĐ-CP art. 19(4), 19(9) before 1/7/2025; Decree 118/2025/NĐ-CP from then
    (table in docs/rules.md).

    Args:
        dossier: the dossier.
        calendar: the agency's working calendar.
        as_of: evaluate as of this moment (default: now in Asia/Ho_Chi_Minh); later events are
            not seen, so a report for last month is evaluated as of its end.
        policy: the deadline policy.
        strict: raise HistoryError on a broken history (default); with False the offending
            events are skipped and reported in ``warnings``.

    Raises:
        HistoryError: the history breaks a rule (strict mode), naming the dossier and event.
        TimezoneMixError: ``as_of`` or a RESCHEDULED ``new_due`` (a datetime) is aware in a
            naive history or naive in an aware one, in strict mode or not.
        CalendarRangeError: a day of the history, or a ``new_due`` date, is outside the
            calendar.
        InputTypeError: ``dossier``, ``calendar``, ``policy`` or ``as_of`` is of the wrong type.
    """
    if type(dossier) is not Dossier and not isinstance(dossier, Dossier):
        raise InputTypeError("dossier", dossier, "a Dossier")
    if type(calendar) is not WorkingCalendar and not isinstance(calendar, WorkingCalendar):
        raise InputTypeError("calendar", calendar, "a WorkingCalendar (see vietnam_calendar())")
    if type(policy) is not DeadlinePolicy and not isinstance(policy, DeadlinePolicy):
        raise InputTypeError("policy", policy, "a DeadlinePolicy")
    events = dossier.events
    if not events:
        return _fail(dossier, strict, HistoryError(dossier.id, None, "no events"), as_of)
    aware = events[0].at.tzinfo is not None
    if as_of is None:
        now = datetime.now(VN_TZ)
        as_of = now if aware else naive(now)
    elif not isinstance(as_of, datetime):
        raise InputTypeError("as_of", as_of, "a datetime.datetime")
    elif (as_of.tzinfo is not None) != aware:
        raise TimezoneMixError(as_of, events[0].at)
    as_of_local, tz = to_local(as_of, "as_of") if aware else (as_of, None)
    plans = _procedure_plan(
        dossier.procedure, policy, policy.difficult_area or dossier.difficult_area
    )
    run = _Run(plans[0].by_moment)
    _replay(run, dossier, aware, as_of_local, calendar, policy, plans, strict)
    if run.steps or run.pause_at is not None:
        _close(run, dossier, as_of_local, calendar)
    return _result(run, dossier, as_of_local, tz, calendar)


def _replay(
    run: _Run,
    dossier: Dossier,
    aware: bool,
    as_of: datetime,
    cal: WorkingCalendar,
    policy: DeadlinePolicy,
    plans: tuple[RulePlan, _StepPlans, bool],
    strict: bool,
) -> None:
    """Play the events up to ``as_of`` on ``run``, dispatching on each event's effect
    (``history.EFFECT``); ``plans`` is what ``_procedure_plan`` decided."""
    plan, step_plans, pause_supplement = plans
    finishing = _FINISH if policy.finish == "resolved" else _HAND_OVER
    timeline, steps, current, prev = run.timeline, run.steps, run.state, datetime.min
    moves = _MOVES[current]
    for i, e in enumerate(dossier.events):
        local = e.at
        if (local.tzinfo is not None) != aware:
            _problem(run, dossier, i, _MIXED, strict)
            continue
        if aware:
            local = to_local(local)[0]
        if local > as_of:
            break
        if local < prev:
            _problem(run, dossier, i, f"out of order: {e.at} is before the previous event's time",
                     strict)  # fmt: skip
            continue
        # What the event does (EFFECT), as the state machine allows it in the current state.
        kind = e.kind
        try:
            state, next_moves, effect = moves[kind]
        except KeyError:
            _problem(run, dossier, i, _transition(current, kind)[1], strict)
            continue
        if effect is _STEP_START:
            if not _start_step(run, dossier, i, local, step_plans, cal, policy, strict):
                continue
        elif effect is _STEP_FINISH:
            name = e.step or ""
            step = steps.pop(name, None)
            if step is None:
                _problem(run, dossier, i, f"step {name!r} finished but never started", strict)
                continue
            outcome = None  # judged against its own deadline
            if step.due_at is not None:
                d = local.date()
                late, early = finished(d, local, step.due_date, step.due_at, step.by_moment)
                outcome = _O_LATE if late else _O_EARLY if early else _O_ON_TIME
            run.results.append(  # by position, in the order of StepResult's fields
                _step_result(name, step.unit, step.started, step.due_at, local, outcome)
            )
        elif effect is _START:
            _start_clock(run, local, plan, cal, policy, "received")
        elif effect is _RESTART and not pause_supplement:
            _shift_steps(run, run.pause_at, local, cal)  # type: ignore[arg-type]
            run.pause_at = None
            _start_clock(run, local, plan, cal, policy, "supplement received, clock restarts")
        elif effect is _RESUME or effect is _RESTART:
            _exclude(run, local, cal, "resumed" if kind is _RESUMED else "supplemented")
        elif effect is _RESCHEDULE:
            broken = _reschedule(run, e, local, aware, cal)
            if broken:
                _problem(run, dossier, i, broken, strict)
                continue
        else:
            timeline.append((local, _TEXT[kind], None, None))
            if effect is _PAUSE:
                run.pause_at = local
            elif effect is finishing and run.finish is None:
                run.finish, run.finish_kind = local, kind
            elif effect is _END:
                run.ended = local
        current, moves = state, next_moves
        prev = local
    run.state = current


def _start_step(
    run: _Run,
    dossier: Dossier,
    i: int,
    local: datetime,
    step_plans: _StepPlans,
    cal: WorkingCalendar,
    policy: DeadlinePolicy,
    strict: bool,
) -> bool:
    """Event ``i`` starts its step, with the step's own deadline from now; False (a problem)
    when the step is already running. A step the procedure does not have, when it has steps,
    is a problem too (a typo would hide who was late), then recorded unjudged."""
    e = dossier.events[i]
    name = e.step or ""
    if name in run.steps:
        _problem(run, dossier, i, f"step {name!r} started again before finishing", strict)
        return False
    if step_plans and name not in step_plans:
        known = ", ".join(repr(s) for s in step_plans)
        _problem(run, dossier, i, f"step {name!r} is not a step of procedure "
                 f"{dossier.procedure.code} (its steps: {known}); it cannot be judged, nor its "
                 "unit found late", strict)  # fmt: skip
    unit, step_plan = step_plans.get(name, _NO_ALLOTMENT)
    run.steps[name] = _Step(e.unit or unit, local, step_plan, cal, policy)
    return True


def _problem(run: _Run, dossier: Dossier, index: int, rule: str, strict: bool) -> None:
    error = HistoryError(dossier.id, index, rule)
    if strict:
        raise error
    run.warnings.append(str(error))


def _fail(
    dossier: Dossier, strict: bool, error: HistoryError, as_of: datetime | None
) -> Evaluation:
    if strict:
        raise error
    return _evaluation(
        dossier=dossier, outcome=_O_NOT_RECEIVED, as_of=as_of, received_at=None, due_at=None,
        due_date=None, completed_at=None, ended_at=None, finish_kind=None, late_working_days=0,
        late_time=_ZERO, processing_working_days=None, excluded_working_days=0,
        excluded_time=_ZERO, rescheduled_due=None, met_rescheduled=False, steps=(),
        late_units=(), provisional=False, by_moment=False, trace=(), warnings=(str(error),),
    )  # fmt: skip


def _start_clock(
    run: _Run,
    local: datetime,
    plan: RulePlan,
    cal: WorkingCalendar,
    policy: DeadlinePolicy,
    why: str,
) -> None:
    """The clock starts (or restarts from zero) at ``local``: a new deadline from the plan."""
    counted = local if policy.after_hours is None else counted_receipt(local, cal, policy)
    run.due_date, run.due_at = due(counted, plan, cal, policy)
    run.received = local
    run.timeline.append((local, why, run.due_at, plan.rule))


def _exclude(run: _Run, local: datetime, cal: WorkingCalendar, why: str) -> None:
    """End the excluded interval that started at run.pause_at; move the deadline(s) by it."""
    start = run.pause_at
    assert start is not None
    assert run.due_at is not None
    assert run.due_date is not None
    run.pause_at = None
    spent = local_time_between(cal, start, local)
    run.excl_time += spent
    k = None
    if run.exact:
        if spent:  # shifting by nothing must not move a due moment at an interval's end
            run.due_at = cal.add_working_time(run.due_at, spent)
        run.due_date = run.due_at.date()
        moved = f"{spent}"
    else:
        k = cal.working_days_between(start.date(), local.date())
        run.due_date, run.due_at = due_end_of_day(cal, run.due_date, k)
        run.excl_days += k
        moved = f"{k} working day(s)"
    _shift_steps(run, start, local, cal, spent, k)
    run.timeline.append((local, f"{why}: deadline moved by {moved}", run.due_at, None))


def _shift_steps(
    run: _Run,
    start: datetime,
    end: datetime,
    cal: WorkingCalendar,
    spent: timedelta | None = None,
    k: int | None = None,
) -> None:
    """Running steps do not lose the time the dossier was paused or with the applicant.

    ``spent`` (working time) and ``k`` (working days) measure [start, end] when the caller has
    them already.
    """
    for step in run.steps.values():
        if step.due_date is None or step.due_at is None:
            continue
        if step.by_moment:  # an exact step deadline moves by the working time
            if spent is None:
                spent = local_time_between(cal, start, end)
            if spent:
                step.due_at = cal.add_working_time(step.due_at, spent)
                step.due_date = step.due_at.date()
        else:  # a step deadline in whole days moves by the working days
            if k is None:
                k = cal.working_days_between(start.date(), end.date())
            step.due_date, step.due_at = due_end_of_day(cal, step.due_date, k)


def _reschedule(run: _Run, e: Event, local: datetime, aware: bool, cal: WorkingCalendar) -> str:
    """An apology and a new appointment (once, at least one working day before the due date,
    ``legal_basis("apology")``), or the rule it breaks."""
    new_local, broken = _new_due(e, aware, cal)
    if new_local is None:
        return broken
    if run.resched is not None:
        return "a second RESCHEDULED; the appointment may be moved only once"
    if run.due_date is None or run.due_at is None:
        return "RESCHEDULED before there is a deadline"
    if cal.working_days_between(local.date(), run.due_date) < 1:
        received = run.received.date() if run.received else local.date()
        basis = legal_basis("apology", received, short=True)
        return (
            f"RESCHEDULED on {local.date()}, later than one working day before the due date "
            f"{run.due_date} (apology rule: {basis}; see the legal-basis table in docs/rules.md)"
        )
    if new_local <= run.due_at:
        return f"RESCHEDULED to {e.new_due}, not after the current due moment {run.due_at}"
    run.timeline.append((local, "apology and new appointment", new_local, None))
    run.resched = new_local
    return ""


def _new_due(e: Event, aware: bool, cal: WorkingCalendar) -> tuple[datetime | None, str]:
    """The new appointment of a RESCHEDULED event as a local moment, or the rule it breaks.

    A date is the close of that working day (as a due date is); a day off is a broken rule. A
    datetime must be naive in a naive history and aware in an aware one, like every timestamp
    of the history: a mix raises TimezoneMixError, in strict mode or not (the caller's data
    types are wrong, not the history).
    """
    new_due = e.new_due
    if isinstance(new_due, datetime):
        if (new_due.tzinfo is not None) != aware:
            raise TimezoneMixError(new_due, e.at)
        return (to_local(new_due)[0] if aware else new_due), ""
    assert isinstance(new_due, date)  # Event checks it
    if not cal.first <= new_due <= cal.last:
        raise CalendarRangeError(new_due, cal.first, cal.last, what="new_due")
    if not cal.is_working_day(new_due):
        why = dict(cal.days_off(new_due.year)).get(new_due, "a weekly rest day")
        return None, (
            f"RESCHEDULED to {new_due}, a day off ({why}); the new appointment must be a "
            "working day (a date means the close of that day)"
        )
    return cal.close_of_day(new_due), ""


def _close(run: _Run, dossier: Dossier, as_of: datetime, cal: WorkingCalendar) -> None:
    """What stands at ``as_of``: a clock still stopped, steps still running (judged open)."""
    stopped = run.pause_at is not None and run.due_at is not None
    if stopped and run.ended is None and run.finish is None:
        # Paused, or waiting for the applicant, at as_of: the clock is stopped until then.
        if run.state is _S_SUPPLEMENT and dossier.procedure.supplement == "restart":
            run.timeline.append((as_of, "still waiting for the applicant's supplement", None, None))
        _exclude(run, as_of, cal, "still paused at the evaluation moment")
    for name, step in run.steps.items():
        outcome = None
        if step.due_date is not None and step.due_at is not None and run.finish is None:
            outcome = _open(as_of, step.due_date, step.due_at, step.by_moment, cal)
        run.results.append(_step_result(name, step.unit, step.started, step.due_at, None, outcome))


def _open(
    as_of: datetime, due_date: date, due_at: datetime, by_moment: bool, cal: WorkingCalendar
) -> Outcome:
    """Overdue, due soon or on track at ``as_of``."""
    d = as_of.date()
    overdue, soon = still_open(
        d, as_of, due_date, due_at, by_moment, cal.working_days_between(d, due_date)
    )
    return _O_OVERDUE if overdue else _O_DUE_SOON if soon else _O_ON_TRACK


def _result(
    run: _Run, dossier: Dossier, as_of: datetime, tz: tzinfo | None, cal: WorkingCalendar
) -> Evaluation:
    """Judge the replay (DESIGN §7, ``evaluation._judge``) and build the Evaluation, giving
    its moments back in the caller's style."""
    due_date, due_at, received, finish = run.due_date, run.due_at, run.received, run.finish
    late_days, late_time = 0, _ZERO
    taken: int | None = None
    met = False
    if run.ended is not None:
        outcome = _O_EXCLUDED
    elif due_date is None or due_at is None:
        outcome = _O_NOT_RECEIVED
    elif finish is not None:
        d = finish.date()
        late, early = finished(d, finish, due_date, due_at, run.exact)
        outcome = _O_LATE if late else _O_EARLY if early else _O_ON_TIME
        if received is not None:
            taken = cal.working_days_between(received.date(), d)
        if late:
            late_days = past(cal.working_days_between(due_date, d))
            late_time = past(local_time_between(cal, due_at, finish))
            if run.resched is not None:
                r = run.resched
                met = finish <= r if run.exact else d <= r.date()
    else:
        outcome = _open(as_of, due_date, due_at, run.exact, cal)
        if outcome is _O_OVERDUE:
            late_days = past(cal.working_days_between(due_date, as_of.date()))
            late_time = past(local_time_between(cal, due_at, as_of))
    late = outcome is _O_LATE or outcome is _O_OVERDUE
    provisional = due_date is not None and cal.is_provisional_span(
        received.date() if received is not None else due_date, due_date
    )
    ended, resched, steps = run.ended, run.resched, tuple(run.results)
    if tz is not None:  # back to the caller's style, once
        as_of, received, due_at = from_local(as_of, tz), _out(received, tz), _out(due_at, tz)
        finish, ended, resched = _out(finish, tz), _out(ended, tz), _out(resched, tz)
        steps = tuple(_step_out(s, tz) for s in steps)
    return _evaluation(  # by position, in the order of Evaluation's fields
        dossier,
        outcome,
        as_of,
        received,
        due_at,
        due_date,
        finish,
        ended,
        run.finish_kind,
        late_days,
        late_time,
        taken,
        run.excl_days,
        run.excl_time,
        resched,
        met,
        steps,
        _late_units(steps) if late else (),
        provisional,
        run.exact,
        tuple(run.timeline),
        tuple(run.warnings),
    )


def _out(t: datetime | None, tz: tzinfo) -> datetime | None:
    return None if t is None else from_local(t, tz)


def _step_out(s: StepResult, tz: tzinfo) -> StepResult:
    return _step_result(
        step=s.step, unit=s.unit, started_at=from_local(s.started_at, tz),
        due_at=_out(s.due_at, tz), finished_at=_out(s.finished_at, tz), outcome=s.outcome,
    )  # fmt: skip


def _late_units(steps: tuple[StepResult, ...]) -> tuple[str, ...]:
    """The units of the steps that overran (late or overdue), in order, once each."""
    units: list[str] = []
    for s in steps:
        unit, outcome = s.unit, s.outcome
        late = outcome is _O_LATE or outcome is _O_OVERDUE
        if late and unit is not None and unit not in units:
            units.append(unit)
    return tuple(units)
