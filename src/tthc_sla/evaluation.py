"""Evaluation: a dossier's history, replayed on a calendar, judged against its deadline."""

from __future__ import annotations

import enum
import functools
from datetime import date, datetime, timedelta, tzinfo

import attrs

from tthc_sla.calendar import WorkingCalendar
from tthc_sla.calendar._tz import VN_TZ, from_local, to_local
from tthc_sla.errors import HistoryError, InputTypeError, TimezoneMixError
from tthc_sla.history import _TRANSITIONS, Dossier, Event, EventKind, State, transition
from tthc_sla.procedure import Procedure
from tthc_sla.rules import DeadlinePolicy, ProcessingTime, ProcessingTimeKind
from tthc_sla.rules._deadline import compute_due, effective_rule

__all__ = ["Evaluation", "Outcome", "StepResult", "evaluate"]

_K = EventKind
# Enum member access is slow on Python 3.11 (a descriptor call); the hot loop uses these globals.
_SUBMITTED, _RECEIVED = _K.SUBMITTED, _K.RECEIVED
_STEP_STARTED, _STEP_FINISHED = _K.STEP_STARTED, _K.STEP_FINISHED
_SUPP_REQ, _SUPP_REC, _PAUSED, _RESUMED = (
    _K.SUPPLEMENT_REQUESTED,
    _K.SUPPLEMENT_RECEIVED,
    _K.PAUSED,
    _K.RESUMED,
)
_RESCHEDULED, _RESOLVED, _REJECTED, _RETURNED = (
    _K.RESCHEDULED,
    _K.RESOLVED,
    _K.REJECTED,
    _K.RETURNED,
)
_ZERO = timedelta(0)
_DEFAULT_POLICY = DeadlinePolicy()


class Outcome(enum.Enum):
    """How a dossier stands against its deadline."""

    __hash__ = object.__hash__  # identity hashing: members are singletons, and it is faster

    EARLY = "early"
    """Trước hạn: finished on a day before the due date."""
    ON_TIME = "on_time"
    """Đúng hạn: finished on the due date."""
    LATE = "late"
    """Quá hạn: finished after the due date."""
    ON_TRACK = "on_track"
    """Trong hạn: open, more than one working day left."""
    DUE_SOON = "due_soon"
    """Sắp đến hạn: open, at most one working day left (the last day an apology is allowed)."""
    OVERDUE = "overdue"
    """Quá hạn (đang giải quyết): open after the due date."""
    EXCLUDED = "excluded"
    """Rút / hủy: withdrawn or cancelled; not counted in rates."""
    NOT_RECEIVED = "not_received"
    """Chưa tiếp nhận: submitted but not yet accepted as complete; the clock has not started."""

    @property
    def is_finished(self) -> bool:
        return self in (Outcome.EARLY, Outcome.ON_TIME, Outcome.LATE)

    @property
    def is_open(self) -> bool:
        return self in (Outcome.ON_TRACK, Outcome.DUE_SOON, Outcome.OVERDUE)


@attrs.frozen
class StepResult:
    """How one step went: its unit, its own deadline from its actual start, its outcome.

    ``due_at`` and ``outcome`` are None for a step the procedure gives no allotment.
    """

    step: str
    unit: str | None
    started_at: datetime
    due_at: datetime | None
    finished_at: datetime | None
    outcome: Outcome | None


@attrs.frozen
class Evaluation:
    """The evaluation of a dossier at a moment.

    Attributes:
        dossier: the dossier evaluated.
        outcome: early / on time / late when finished; on track / due soon / overdue when open;
            excluded when withdrawn or cancelled; not received before the clock started.
        as_of: the moment of the evaluation (events after it were not seen).
        received_at: the receipt of the complete dossier (the last restart's, if any).
        due_at, due_date: the legal deadline, after restarts and excluded time.
        completed_at: the finishing moment (RESOLVED/REJECTED, or RETURNED per the policy).
        ended_at: the moment it was withdrawn or cancelled.
        finish_kind: the event that finished it.
        late_working_days: for a late or overdue dossier, working days past the due date.
        late_time: working time past the due moment.
        processing_working_days: for a finished dossier, the working days from receipt (the
            last restart's) to the finish: ``working_days_between(received date, finish date)``.
        excluded_working_days, excluded_time: the paused time added to the deadline.
        rescheduled_due: the new appointment of an apology, if any.
        met_rescheduled: finished late but by the new appointment.
        steps: per-step results.
        late_units: for a late or overdue dossier, the units whose steps overran.
        provisional: the deadline uses days past the calendar's confirmed horizon.
        by_moment: lateness is judged by the due moment (``due_time="same_time"``, hour rules),
            not by the due date.
        timeline: readable lines explaining how the deadline came to be.
        warnings: the history's problems, when evaluated with ``strict=False``.
    """

    dossier: Dossier
    outcome: Outcome
    as_of: datetime | None
    received_at: datetime | None
    due_at: datetime | None
    due_date: date | None
    completed_at: datetime | None
    ended_at: datetime | None
    finish_kind: EventKind | None
    late_working_days: int
    late_time: timedelta
    processing_working_days: int | None
    excluded_working_days: int
    excluded_time: timedelta
    rescheduled_due: datetime | None
    met_rescheduled: bool
    steps: tuple[StepResult, ...]
    late_units: tuple[str, ...]
    provisional: bool
    by_moment: bool
    trace: tuple[tuple[datetime, str, datetime | None, ProcessingTime | None], ...] = attrs.field(
        repr=False
    )
    warnings: tuple[str, ...]

    @property
    def timeline(self) -> tuple[str, ...]:
        """Readable lines (local time) explaining how the deadline came to be."""
        return tuple(
            f"{_fmt(at)} {text}"
            + (f": {rule}" if rule is not None else "")
            + (f" -> due {_fmt(due)}" if due is not None else "")
            for at, text, due, rule in self.trace
        )


_O_EARLY = Outcome.EARLY
_O_ON_TIME = Outcome.ON_TIME
_O_LATE = Outcome.LATE
_O_ON_TRACK = Outcome.ON_TRACK
_O_DUE_SOON = Outcome.DUE_SOON
_O_OVERDUE = Outcome.OVERDUE
_O_EXCLUDED = Outcome.EXCLUDED
_O_NOT_RECEIVED = Outcome.NOT_RECEIVED
_HOURS = ProcessingTimeKind.WORKING_HOURS
_S_NEW, _S_SUPPLEMENT = State.NEW, State.SUPPLEMENT


_Trace = tuple[datetime, str, datetime | None, ProcessingTime | None]


class _Run:
    """The mutable state of one replay (private; never escapes evaluate())."""

    __slots__ = (
        "due_at",
        "due_date",
        "exact",
        "excl_days",
        "excl_time",
        "pause_at",
        "received",
        "steps",
        "timeline",
    )

    def __init__(self) -> None:
        self.received: datetime | None = None
        self.due_date: date | None = None
        self.due_at: datetime | None = None
        self.exact = False
        self.pause_at: datetime | None = None
        self.excl_days = 0
        self.excl_time = _ZERO
        self.timeline: list[_Trace] = []
        # step name -> [unit, started, due_date, due_at, exact]
        self.steps: dict[str, list[object]] = {}


def _fmt(t: datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M")


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
    deadline. A finished dossier is early, on time or late by date (by moment under
    ``"same_time"`` and for hour rules); an open one is overdue past the due date and due soon
    with at most one working day left.

    Legal basis: Decree 61/2018/NĐ-CP art. 19(4) (restart after a supplement), art. 19(9)
    (apology at least one day before the due date, only once); Circular 01/2018/TT-VPCP.

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
    """
    if not isinstance(dossier, Dossier):
        raise InputTypeError("dossier", dossier, "a Dossier")
    if not dossier.events:
        return _fail(dossier, strict, HistoryError(dossier.id, None, "no events"), as_of)
    aware = dossier.events[0].at.tzinfo is not None
    if as_of is None:
        now = datetime.now(VN_TZ)
        as_of = now if aware else now.replace(tzinfo=None)
    elif not isinstance(as_of, datetime):
        raise InputTypeError("as_of", as_of, "a datetime.datetime")
    elif (as_of.tzinfo is not None) != aware:
        raise TimezoneMixError(as_of, dossier.events[0].at)
    as_of_local, tz = to_local(as_of, "as_of")

    proc = dossier.procedure
    rule, allot = _procedure_info(proc, policy.difficult_area or dossier.difficult_area)
    run = _Run()
    run.exact = policy.due_time == "same_time" or rule.kind is _HOURS
    warnings: list[str] = []
    state = _S_NEW
    prev: datetime | None = None
    finish: datetime | None = None
    finish_kind: EventKind | None = None
    resolved: tuple[datetime, EventKind] | None = None
    resched: datetime | None = None
    results: list[StepResult] = []
    ended: datetime | None = None

    for i, e in enumerate(dossier.events):
        if (e.at.tzinfo is not None) != aware:
            _problem(
                dossier, i, "naive and aware timestamps mixed in one history", strict, warnings
            )
            continue
        local = to_local(e.at)[0] if aware else e.at
        if local > as_of_local:
            break
        if prev is not None and local < prev:
            rule_broken = f"out of order: {e.at} is before the previous event's time"
            _problem(dossier, i, rule_broken, strict, warnings)
            continue
        kind = e.kind
        nxt = _TRANSITIONS[state].get(kind)
        if nxt is None:
            _problem(dossier, i, transition(state, kind)[1], strict, warnings)
            continue
        broken = ""
        if kind is _RECEIVED:
            _start_clock(run, local, rule, calendar, policy, "received")
        elif kind is _STEP_STARTED:
            broken = _start_step(run, e, local, allot, calendar, policy)
        elif kind is _STEP_FINISHED:
            broken = _finish_step(run, e, local, results, tz)
        elif kind in (_PAUSED, _SUPP_REQ):
            run.pause_at = local
            what = "supplement requested" if kind is _SUPP_REQ else "paused"
            run.timeline.append((local, what, None, None))
        elif kind is _RESUMED or (kind is _SUPP_REC and proc.supplement == "pause"):
            _exclude(run, local, calendar, "resumed" if kind is _RESUMED else "supplemented")
        elif kind is _SUPP_REC:
            assert run.pause_at is not None
            _shift_steps(run, run.pause_at, local, calendar)
            run.pause_at = None
            _start_clock(run, local, rule, calendar, policy, "supplement received, clock restarts")
        elif kind is _RESCHEDULED:
            broken = _reschedule(run, e, local, resched, calendar)
            if not broken:
                assert e.new_due is not None
                resched = to_local(e.new_due)[0] if aware else e.new_due
        elif kind in (_RESOLVED, _REJECTED):
            resolved = (local, kind)
            run.timeline.append((local, kind.value, None, None))
        elif kind is _RETURNED:
            run.timeline.append((local, "returned", None, None))
            if policy.finish == "returned":
                finish, finish_kind = local, kind
        elif kind is _SUBMITTED:
            run.timeline.append((local, "submitted", None, None))
        else:  # WITHDRAWN, CANCELLED
            ended = local
            run.timeline.append((local, kind.value, None, None))
        if broken:
            _problem(dossier, i, broken, strict, warnings)
            continue
        state = nxt
        prev = local
        if resolved is not None and policy.finish == "resolved" and finish is None:
            finish, finish_kind = resolved

    return _judge(
        dossier, calendar, run, results, finish, finish_kind, resched, ended,
        as_of_local, tz, warnings, state,
    )  # fmt: skip


@functools.lru_cache(maxsize=4096)
def _procedure_info(
    proc: Procedure, difficult: bool
) -> tuple[ProcessingTime, dict[str, tuple[str, ProcessingTime]]]:
    """The rule in force and the steps' allotments, computed once per procedure."""
    allot = {s.name: (s.unit, s.allotment) for s in proc.steps}
    return effective_rule(proc.rule, difficult), allot


def _problem(dossier: Dossier, index: int, rule: str, strict: bool, warnings: list[str]) -> None:
    error = HistoryError(dossier.id, index, rule)
    if strict:
        raise error
    warnings.append(str(error))


def _fail(
    dossier: Dossier, strict: bool, error: HistoryError, as_of: datetime | None
) -> Evaluation:
    if strict:
        raise error
    return Evaluation(
        dossier, _O_NOT_RECEIVED, as_of, None, None, None, None, None, None, 0, _ZERO, None,
        0, _ZERO, None, False, (), (), False, False, (), (str(error),),
    )  # fmt: skip


def _start_clock(
    run: _Run,
    local: datetime,
    rule: ProcessingTime,
    cal: WorkingCalendar,
    policy: DeadlinePolicy,
    why: str,
) -> None:
    due_date, due_at, _, _ = compute_due(local, rule, cal, policy, clock=False)
    run.received, run.due_date, run.due_at = local, due_date, due_at
    run.timeline.append((local, why, due_at, rule))


def _exclude(run: _Run, local: datetime, cal: WorkingCalendar, why: str) -> None:
    """End the excluded interval that started at run.pause_at; move the deadline(s) by it."""
    start = run.pause_at
    assert start is not None
    assert run.due_at is not None
    run.pause_at = None
    if run.exact:
        spent = cal._local_time_between(start, local)
        if spent:  # shifting by nothing must not move a due moment at an interval's end
            run.due_at = cal.add_working_time(run.due_at, spent)
        run.due_date = run.due_at.date()
        run.excl_time += spent
        moved = f"{spent}"
    else:
        k = cal.working_days_between(start.date(), local.date())
        run.due_date = cal.add_working_days(run.due_date or start.date(), k)
        run.due_at = cal.close_of_day(run.due_date)
        run.excl_days += k
        run.excl_time += cal._local_time_between(start, local)
        moved = f"{k} working day(s)"
    _shift_steps(run, start, local, cal)
    run.timeline.append((local, f"{why}: deadline moved by {moved}", run.due_at, None))


def _shift_steps(run: _Run, start: datetime, end: datetime, cal: WorkingCalendar) -> None:
    """Running steps do not lose the time the dossier was paused or with the applicant."""
    for entry in run.steps.values():
        if entry[2] is None:
            continue
        exact = bool(entry[4])
        due_at = entry[3]
        assert isinstance(due_at, datetime)
        if exact:
            spent = cal._local_time_between(start, end)
            new_due = cal.add_working_time(due_at, spent) if spent else due_at
        else:
            k = cal.working_days_between(start.date(), end.date())
            d = entry[2]
            assert isinstance(d, date)
            new_due = cal.close_of_day(cal.add_working_days(d, k))
        entry[2], entry[3] = new_due.date(), new_due


def _start_step(
    run: _Run,
    e: Event,
    local: datetime,
    allot: dict[str, tuple[str, ProcessingTime]],
    cal: WorkingCalendar,
    policy: DeadlinePolicy,
) -> str:
    name = e.step or ""
    if name in run.steps:
        return f"step {name!r} started again before it finished"
    unit, allotment = allot.get(name, (None, None))
    if allotment is None:
        run.steps[name] = [e.unit or unit, local, None, None, False]
        return ""
    due_date, due_at, _, _ = compute_due(local, allotment, cal, policy, clock=False)
    exact = policy.due_time == "same_time" or allotment.kind is _HOURS
    run.steps[name] = [e.unit or unit, local, due_date, due_at, exact]
    return ""


def _finish_step(
    run: _Run, e: Event, local: datetime, results: list[StepResult], tz: tzinfo | None
) -> str:
    name = e.step or ""
    entry = run.steps.pop(name, None)
    if entry is None:
        return f"step {name!r} finished but never started"
    unit, started, due_date, due_at, exact = entry
    outcome = None
    if due_at is not None:
        outcome = _finished_outcome(local, due_date, due_at, exact)  # type: ignore[arg-type]
        if tz is not None:
            due_at = from_local(due_at, tz)  # type: ignore[arg-type]
    if tz is not None:
        started, local = from_local(started, tz), from_local(local, tz)  # type: ignore[arg-type]
    results.append(StepResult(name, unit, started, due_at, local, outcome))  # type: ignore[arg-type]
    return ""


def _reschedule(
    run: _Run, e: Event, local: datetime, previous: datetime | None, cal: WorkingCalendar
) -> str:
    if previous is not None:
        return "a second RESCHEDULED; the appointment may be moved only once"
    if run.due_date is None or run.due_at is None:
        return "RESCHEDULED before there is a deadline"
    if cal.working_days_between(local.date(), run.due_date) < 1:
        return (
            f"RESCHEDULED on {local.date()}, later than one working day before the due date "
            f"{run.due_date} (Decree 61/2018/NĐ-CP art. 19(9))"
        )
    assert e.new_due is not None
    new_local = to_local(e.new_due)[0]
    if new_local <= run.due_at:
        return f"RESCHEDULED to {e.new_due}, not after the current due moment {run.due_at}"
    run.timeline.append((local, "apology and new appointment", new_local, None))
    return ""


def _finished_outcome(finish: datetime, due_date: date, due_at: datetime, exact: bool) -> Outcome:
    if exact and finish > due_at:
        return _O_LATE
    d = finish.date()
    if d < due_date:
        return _O_EARLY
    if d == due_date:
        return _O_ON_TIME
    return _O_LATE


def _open_outcome(
    as_of: datetime, due_date: date, due_at: datetime, exact: bool, cal: WorkingCalendar
) -> Outcome:
    if (exact and as_of > due_at) or as_of.date() > due_date:
        return _O_OVERDUE
    if cal.working_days_between(as_of.date(), due_date) <= 1:
        return _O_DUE_SOON
    return _O_ON_TRACK


def _judge(
    dossier: Dossier,
    cal: WorkingCalendar,
    run: _Run,
    results: list[StepResult],
    finish: datetime | None,
    finish_kind: EventKind | None,
    resched: datetime | None,
    ended: datetime | None,
    as_of: datetime,
    tz: tzinfo | None,
    warnings: list[str],
    state: State,
) -> Evaluation:
    def out(t: datetime | None) -> datetime | None:
        return t if t is None or tz is None else from_local(t, tz)

    as_of_out = as_of if tz is None else from_local(as_of, tz)
    if run.pause_at is not None and run.due_at is not None and ended is None and finish is None:
        # Paused, or waiting for the applicant, at as_of: the clock is stopped until then.
        if state is _S_SUPPLEMENT and dossier.procedure.supplement == "restart":
            run.timeline.append((as_of, "still waiting for the applicant's supplement", None, None))
        _exclude(run, as_of, cal, "still paused at the evaluation moment")
    # Steps still running at as_of.
    step_results = list(results)
    for name, (unit, started, due_date, due_at, exact) in run.steps.items():
        outcome = None
        if isinstance(due_date, date) and isinstance(due_at, datetime) and finish is None:
            outcome = _open_outcome(as_of, due_date, due_at, bool(exact), cal)
        assert isinstance(started, datetime)
        step_results.append(
            StepResult(
                name,
                unit if isinstance(unit, str) else None,
                from_local(started, tz),
                out(due_at) if isinstance(due_at, datetime) else None,
                None,
                outcome,
            )
        )
    late_days, late_time = 0, _ZERO
    taken: int | None = None
    met = False
    if ended is not None:
        outcome = _O_EXCLUDED
    elif run.due_date is None or run.due_at is None:
        outcome = _O_NOT_RECEIVED
    elif finish is not None:
        outcome = _finished_outcome(finish, run.due_date, run.due_at, run.exact)
        if run.received is not None:
            taken = cal.working_days_between(run.received.date(), finish.date())
        if outcome is _O_LATE:
            late_days = max(0, cal.working_days_between(run.due_date, finish.date()))
            late_time = max(_ZERO, cal._local_time_between(run.due_at, finish))
            if resched is not None:
                met = finish <= resched if run.exact else finish.date() <= resched.date()
    else:
        outcome = _open_outcome(as_of, run.due_date, run.due_at, run.exact, cal)
        if outcome is _O_OVERDUE:
            late_days = max(0, cal.working_days_between(run.due_date, as_of.date()))
            late_time = max(_ZERO, cal._local_time_between(run.due_at, as_of))
    late_units: tuple[str, ...] = ()
    if outcome in (_O_LATE, _O_OVERDUE):
        bad = (_O_LATE, _O_OVERDUE)
        late_units = tuple(
            dict.fromkeys(s.unit for s in step_results if s.outcome in bad and s.unit is not None)
        )
    return Evaluation(
        dossier=dossier,
        outcome=outcome,
        as_of=as_of_out,
        received_at=out(run.received),
        due_at=out(run.due_at),
        due_date=run.due_date,
        completed_at=out(finish),
        ended_at=out(ended),
        finish_kind=finish_kind,
        late_working_days=late_days,
        late_time=late_time,
        processing_working_days=taken,
        excluded_working_days=run.excl_days,
        excluded_time=run.excl_time,
        rescheduled_due=out(resched),
        met_rescheduled=met,
        steps=tuple(step_results),
        late_units=late_units,
        provisional=run.due_date is not None
        and cal.confirmed_until is not None
        and run.due_date > cal.confirmed_until,
        by_moment=run.exact,
        trace=tuple(run.timeline),
        warnings=tuple(warnings),
    )
