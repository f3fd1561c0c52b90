"""The columnar replay: the twin of ``evaluation/_replay.py`` over a whole table of events.

The scalar replay walks one history event by event; this one runs each of its concerns once
over every event of the table, as phases with explicit inputs and outputs:

* ``visible``: the events ``evaluate`` sees, those before the first one after ``as_of``;
* ``validate``: the histories the state machine (``history.TRANSITIONS``) accepts, checked on
  pairs of consecutive kinds, with times in order and steps that alternate (``_steps``);
* ``clock``: what each event does to the clock, read from ``history.EFFECT``: the last start
  or restarting supplement, the first finish, the end, the pauses;
* ``exclude``: the working days of the excluded intervals, which move the deadline;
* ``deadline``: ``_deadline.compute_due`` from the clock's start, moved by those days;
* ``judge``: the outcome rules of ``evaluation._judge``, called on arrays.

Steps and the units of late ones are ``_steps``; the dossiers this engine does not vectorise
are evaluated by the scalar ``evaluate`` (``_fallback``); the result is laid out by ``_output``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import attrs
import numpy as np

from tthc_sla.batch._arrays import CalendarArrays, NDArray, moments, split
from tthc_sla.batch._deadline import compute_due, position, shifted
from tthc_sla.batch._table import KINDS, Table, first_pos, last_pos, segment_cumsum
from tthc_sla.evaluation import Outcome
from tthc_sla.evaluation._judge import finished, past, still_open
from tthc_sla.history import EFFECT, TRANSITIONS, Effect, State
from tthc_sla.rules import DeadlinePolicy

__all__ = [
    "EFFECT_OF",
    "OUTCOME",
    "Clock",
    "Due",
    "Excluded",
    "Judged",
    "Visible",
    "clock",
    "deadline",
    "exclude",
    "finished_outcome",
    "judge",
    "open_outcome",
    "through",
    "validate",
    "visible",
]

_US = timedelta(microseconds=1)
_EPOCH = datetime(1970, 1, 1)

_EFFECTS = list(Effect)
EFFECT_OF = np.array([_EFFECTS.index(EFFECT[k]) for k in KINDS], dtype=np.int64)
"""Per kind code (position in ``EventKind``), its effect (position in ``Effect``)."""
START, RESTART, PAUSE, RESUME, FINISH, HAND_OVER, END, RESCHEDULE = (
    _EFFECTS.index(e)
    for e in (Effect.START, Effect.RESTART, Effect.PAUSE, Effect.RESUME, Effect.FINISH,
              Effect.HAND_OVER, Effect.END, Effect.RESCHEDULE)
)  # fmt: skip
STEP_START, STEP_FINISH = _EFFECTS.index(Effect.STEP_START), _EFFECTS.index(Effect.STEP_FINISH)

OUTCOME = {o: i for i, o in enumerate(Outcome)}
"""Outcome codes: positions in ``Outcome``."""
_EARLY, _ON_TIME, _LATE = OUTCOME[Outcome.EARLY], OUTCOME[Outcome.ON_TIME], OUTCOME[Outcome.LATE]
_ON_TRACK, _DUE_SOON = OUTCOME[Outcome.ON_TRACK], OUTCOME[Outcome.DUE_SOON]
_OVERDUE, _EXCLUDED = OUTCOME[Outcome.OVERDUE], OUTCOME[Outcome.EXCLUDED]
_NOT_RECEIVED = OUTCOME[Outcome.NOT_RECEIVED]


def _pairwise() -> tuple[NDArray, NDArray, int]:
    """The state machine as two tables: the state after each kind, and the kinds allowed in
    each state; and the state before the first event.

    In ``TRANSITIONS`` the state after an event depends on its kind only, so a history is
    valid exactly when each pair of consecutive kinds is: ``allowed[after[previous], kind]``.
    """
    states = list(State)
    after: dict[object, State] = {}
    allowed = np.zeros((len(states), len(KINDS)), dtype=bool)
    for state, row in TRANSITIONS.items():
        for kind, nxt in row.items():
            if after.setdefault(kind, nxt) is not nxt:
                raise RuntimeError(f"after {kind}, the state depends on the state before it")
            allowed[states.index(state), KINDS.index(kind)] = True
    state_after = np.array([states.index(after.get(k, State.NEW)) for k in KINDS])
    return state_after, allowed, states.index(State.NEW)


_STATE_AFTER, _ALLOWED, _NEW = _pairwise()


# ---------------------------------------------------------------------------- records


@attrs.frozen(eq=False)
class Visible:
    """The events ``evaluate`` sees (grouped order), and the evaluation moment.

    Per visible event: ``pos`` (its position in the table), ``g``, ``kind``, ``effect``, ``at``,
    ``day`` (day index) and ``tod`` (microseconds since midnight), ``first`` (of its
    dossier). Per dossier: ``starts``, ``counts`` and ``last`` (the position of its last
    visible event, 0 if none), and ``off_calendar`` (a day outside the calendar).
    """

    pos: NDArray
    g: NDArray
    kind: NDArray
    effect: NDArray
    at: NDArray
    day: NDArray
    tod: NDArray
    first: NDArray
    starts: NDArray
    counts: NDArray
    last: NDArray
    off_calendar: NDArray
    as_of_us: int
    as_of_day: int
    as_of_tod: int


@attrs.frozen(eq=False)
class Clock:
    """Per dossier, the visible positions of its clock's start (the last START or restarting
    RESTART), its finish and its end (-1: none), whether it was ever paused; per event, the
    ones that stop the clock, that end an interval of it (``closing``), and that end an
    interval of the steps (``shifting``: also the restarting supplements)."""

    start: NDArray
    has_clock: NDArray
    finish: NDArray
    finished: NDArray
    end: NDArray
    ended: NDArray
    any_pause: NDArray
    pausing: NDArray
    closing: NDArray
    shifting: NDArray


@attrs.frozen(eq=False)
class Excluded:
    """Excluded working days: the visible positions of the events that end an interval
    (``ends``) and the running sum of their working days (``shift``, with a leading 0: see
    ``through``; the steps move by them); per dossier, the total (``days``), those since the
    clock's start (``moved``), and those of an interval still running at ``as_of``
    (``running``)."""

    ends: NDArray
    shift: NDArray
    days: NDArray
    moved: NDArray
    running: NDArray


@attrs.frozen(eq=False)
class Due:
    """Per dossier, the clock start's day, the deadline (day index, time of day, moment in
    microseconds), and whether computing it left the calendar."""

    start_day: NDArray
    day: NDArray
    tod: NDArray
    us: NDArray
    off_calendar: NDArray


@attrs.frozen(eq=False)
class Judged:
    """Per dossier: outcome code, late working days and time (microseconds), and working
    days from receipt to finish (NaN when not finished)."""

    outcome: NDArray
    late_days: NDArray
    late_us: NDArray
    processing: NDArray


# ---------------------------------------------------------------------------- phases


def visible(table: Table, arr: CalendarArrays, as_of: datetime) -> Visible:
    """The events before the first one after ``as_of``, where ``evaluate`` stops."""
    as_of_us = (as_of - _EPOCH) // _US
    n = len(table.starts)
    after = table.at > as_of_us
    if after.any():
        seen = segment_cumsum(after.astype(np.int64), table.g, table.starts)
        pos = np.flatnonzero(seen == 0)
        g, kind, at = table.g[pos], table.kind[pos], table.at[pos]
    else:
        pos, g, kind, at = np.arange(len(table.g)), table.g, table.kind, table.at
    counts = np.bincount(g, minlength=n)
    starts = np.cumsum(counts) - counts
    day, tod = split(at, arr)
    outside = (day < 0) | (day >= arr.n_days)
    off_calendar = np.zeros(n, dtype=bool)
    off_calendar[g[outside]] = True
    as_of_day, as_of_tod = (int(x) for x in split(np.array(as_of_us), arr))
    if not 0 <= as_of_day < arr.n_days:
        off_calendar[:] = True
        as_of_day = 0
    return Visible(
        pos=pos, g=g, kind=kind, effect=EFFECT_OF[kind], at=at, day=np.clip(day, 0, arr.n_days - 1),
        tod=tod, first=np.r_[True, g[1:] != g[:-1]] if len(g) else np.zeros(0, dtype=bool),
        starts=starts, counts=counts, last=np.maximum(starts + counts - 1, 0),
        off_calendar=off_calendar, as_of_us=as_of_us, as_of_day=as_of_day, as_of_tod=as_of_tod,
    )  # fmt: skip


def validate(table: Table, vis: Visible) -> NDArray:
    """Per dossier, whether its history is broken for the state machine (pairs of kinds,
    times in order) or asks for the apology rules (RESCHEDULED, a ``new_due``): the scalar
    replay gives those their results, errors and warnings."""
    n = len(table.starts)
    bad = np.zeros(n, dtype=bool)
    kind = vis.kind
    if len(kind):
        before = np.where(vis.first, _NEW, _STATE_AFTER[np.r_[0, kind[:-1]]])
        wrong = ~_ALLOWED[before, kind]
        wrong[1:] |= (vis.at[1:] < vis.at[:-1]) & ~vis.first[1:]
        bad[vis.g[wrong]] = True
    for code in np.flatnonzero(EFFECT_OF == RESCHEDULE).tolist():  # seen or not
        bad[table.g[table.kind == code]] = True
    if "new_due" in table.events.columns:
        has_due = table.events["new_due"].notna().to_numpy()
        if has_due.any():
            bad[table.g[has_due[table.rows]]] = True
    return bad


def clock(table: Table, vis: Visible, policy: DeadlinePolicy) -> Clock:
    """What the events do to the clock (``history.EFFECT``), as ``evaluate`` dispatches on it:
    a RESTART restarts the clock, or resumes it for a procedure with ``supplement="pause"``."""
    n, g, effect = len(table.starts), vis.g, vis.effect
    restarting = effect == RESTART
    pause_supplement = table.pause_supplement[g]
    starting = (effect == START) | (restarting & ~pause_supplement)
    pausing = effect == PAUSE
    start = last_pos(starting, g, n)
    finish = first_pos(effect == (FINISH if policy.finish == "resolved" else HAND_OVER), g, n)
    end = first_pos(effect == END, g, n)
    any_pause = np.zeros(n, dtype=bool)
    any_pause[g[pausing]] = True
    return Clock(
        start=start, has_clock=start >= 0, finish=finish, finished=finish >= 0, end=end,
        ended=end >= 0, any_pause=any_pause, pausing=pausing,
        closing=(effect == RESUME) | (restarting & pause_supplement),
        shifting=(effect == RESUME) | restarting,
    )  # fmt: skip


def exclude(arr: CalendarArrays, vis: Visible, clk: Clock) -> Excluded:
    """Working days of the excluded intervals (``working_days_between(pause date, end
    date)``, as ``evaluate`` counts them under ``due_time="end_of_day"``).

    An interval ends with the event right after its pause: in a valid history the paused and
    supplement states allow nothing else that goes on (``TRANSITIONS``). A dossier still
    paused, or waiting for the applicant, at ``as_of`` is excluded up to then.
    """
    n, rank, day = len(vis.starts), arr.R, vis.day
    ends = np.flatnonzero(clk.shifting)
    k = rank[day[ends]] - rank[day[np.maximum(ends - 1, 0)]]
    shift = np.r_[0, np.cumsum(k)]
    closed = np.r_[0, np.cumsum(np.where(clk.closing[ends], k, 0))]
    last = through(ends, closed, vis.last)
    total = np.where(vis.counts > 0, last - through(ends, closed, vis.starts - 1), 0)
    since = np.where(clk.has_clock, last - through(ends, closed, clk.start), 0)
    last_pause = last_pos(clk.pausing, vis.g, n)
    still = (last_pause > last_pos(clk.shifting, vis.g, n)) & clk.has_clock
    still &= ~clk.ended & ~clk.finished
    running = np.where(still, rank[vis.as_of_day] - rank[_at(day, last_pause)], 0)
    return Excluded(ends, shift, total + running, since + running, running)


def through(ends: NDArray, cum: NDArray, pos: NDArray) -> NDArray:
    """``cum`` (running sums over the events at ``ends``, with a leading 0) up to and including
    the visible positions ``pos``: the difference of two positions of one dossier is what
    the intervals ended between them add up to."""
    out: NDArray = cum[np.searchsorted(ends, pos, side="right")]
    return out


def _at(values: NDArray, pos: NDArray) -> NDArray:
    """Per dossier, the value at a visible position (0 where there is no visible event)."""
    if not len(values):
        return np.zeros(len(pos), dtype=values.dtype)
    out: NDArray = values[np.maximum(pos, 0)]
    return out


def deadline(
    arr: CalendarArrays, table: Table, vis: Visible, clk: Clock, ex: Excluded,
    policy: DeadlinePolicy,
) -> Due:  # fmt: skip
    """The deadline from the clock's start (``_deadline.compute_due``), moved by the excluded
    working days since (adding working days is additive: ``W[R[due] - 1 + k]``)."""
    plan = table.plan
    start_day, start_tod = _at(vis.day, clk.start), _at(vis.tod, clk.start)
    ok, due0, due_tod = compute_due(arr, plan, start_day, start_tod, policy)
    moved, day, tod = shifted(arr, plan.by_moment, due0, due_tod, ex.moved)
    return Due(start_day, day, tod, moments(day, tod, arr), clk.has_clock & ~(ok & moved))


def finished_outcome(late: NDArray, early: NDArray) -> NDArray:
    """``LATE if late else EARLY if early else ON_TIME``, as codes."""
    out: NDArray = np.where(late, _LATE, np.where(early, _EARLY, _ON_TIME))
    return out


def open_outcome(overdue: NDArray, soon: NDArray) -> NDArray:
    """``OVERDUE if overdue else DUE_SOON if soon else ON_TRACK``, as codes."""
    out: NDArray = np.where(overdue, _OVERDUE, np.where(soon, _DUE_SOON, _ON_TRACK))
    return out


def judge(arr: CalendarArrays, table: Table, vis: Visible, clk: Clock, due: Due) -> Judged:
    """The outcome rules (``evaluation._judge``) on arrays, in the scalar replay's order:
    excluded, not received, finished (late, early, on time), open (overdue, due soon, on
    track); lateness with ``past``."""
    by_moment, rank = table.plan.by_moment, arr.R
    f_day, f_tod, f_us = (_at(x, clk.finish) for x in (vis.day, vis.tod, vis.at))
    done = clk.has_clock & clk.finished & ~clk.ended
    late, early = finished(f_day, f_us, due.day, due.us, by_moment)
    running = clk.has_clock & ~clk.finished & ~clk.ended
    as_of_day, as_of_us = vis.as_of_day, vis.as_of_us
    overdue, soon = still_open(
        as_of_day, as_of_us, due.day, due.us, by_moment, rank[due.day] - rank[as_of_day]
    )
    outcome = np.where(running, open_outcome(overdue, soon), _NOT_RECEIVED)
    outcome = np.where(done, finished_outcome(late, early), outcome)
    outcome = np.where(clk.ended, _EXCLUDED, outcome)
    late_done, late_open = done & late, running & overdue
    late_days = np.where(late_done, past(rank[f_day] - rank[due.day]), 0)
    late_days = np.where(late_open, past(rank[as_of_day] - rank[due.day]), late_days)
    late_us = np.zeros(len(outcome), dtype=np.int64)
    idx = np.flatnonzero(late_done | late_open)
    if idx.size:
        fin = late_done[idx]
        end_day = np.where(fin, f_day[idx], as_of_day)
        end_tod = np.where(fin, f_tod[idx], vis.as_of_tod)
        spent = position(arr, end_day, end_tod) - position(arr, due.day[idx], due.tod[idx])
        late_us[idx] = past(spent)
    processing = np.where(done, (rank[f_day] - rank[due.start_day]).astype(float), np.nan)
    return Judged(outcome, late_days, late_us, processing)
