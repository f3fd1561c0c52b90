"""Strategies for dossiers with valid histories, and for histories with one known defect.

The histories follow a model of the state machine written here from the design (DESIGN §5),
not taken from ``tthc_sla.history``: a disagreement between the two is what the property
tests are for. Deadlines, needed to place a RESCHEDULED event and the event that decides an
outcome, come from the public :func:`~tthc_sla.deadline` and calendar arithmetic, with the
pause and restart rules of DESIGN §5 applied here.

Maintainer's note: two builders share the model. ``_build`` walks the state machine freely
(the breadth: any order of events); ``_build_for`` builds a history for an outcome: a receipt
aimed at a boundary, episodes that keep the outcome within reach, then the deciding event at
a boundary of the deadline (``_boundaries.deciding_moment``). ``dossiers()`` mixes them, one
free walk for four built histories, with outcome weights by kind of rule (``_MIX_*``).
Hypothesis draws a few fresh examples per run and many small mutations of them, and it
starts from and shrinks to the first choice of each draw: every choice here lists its most
revealing option first, and the weights were tuned with ``benchmarks/strategy_power.py``.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import attrs
from hypothesis import reject
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy

from tthc_sla.calendar import WorkingCalendar, vietnam_calendar
from tthc_sla.errors import CalendarRangeError
from tthc_sla.evaluation import Outcome
from tthc_sla.history import Channel, Dossier, Event, EventKind
from tthc_sla.procedure import Procedure
from tthc_sla.rules import DeadlinePolicy, ProcessingTimeKind, deadline
from tthc_sla.testing._boundaries import (
    Due,
    anchor,
    deciding_moment,
    later_moment,
    moment_in,
    pick,
    receipt_time,
    start_of,
    window,
)
from tthc_sla.testing._values import check_int, procedures, processing_times

__all__ = ["BROKEN_RULES", "dossiers", "invalid_dossiers"]

_K = EventKind
_VN = ZoneInfo("Asia/Ho_Chi_Minh")
_ZONES: tuple[tzinfo, ...] = (
    _VN,
    UTC,
    timezone(timedelta(hours=7)),
    ZoneInfo("Europe/Paris"),
    ZoneInfo("America/New_York"),
)
_US = timedelta(microseconds=1)
_MIN = timedelta(minutes=1)
_DAY = timedelta(days=1)
_TERMINAL_KINDS = frozenset({_K.RESOLVED, _K.REJECTED, _K.RETURNED, _K.WITHDRAWN, _K.CANCELLED})
_FINISH_KINDS = (_K.RESOLVED, _K.REJECTED)

#: The rules :func:`invalid_dossiers` knows how to break, one per generated history.
BROKEN_RULES: tuple[str, ...] = (
    "out_of_order",
    "resumed_without_pause",
    "second_receipt",
    "after_terminal",
    "second_reschedule",
    "late_reschedule",
    "step_not_started",
    "not_received",
    "mixed_timezones",
)


class _S(enum.Enum):
    NEW = "new"
    OPEN = "open"
    SUPPLEMENT = "supplement"
    PAUSED = "paused"
    RESOLVED = "resolved"
    RETURNED = "returned"
    ENDED = "ended"


_ENDS = {_K.WITHDRAWN: _S.ENDED, _K.CANCELLED: _S.ENDED}
# DESIGN §5, written out independently of tthc_sla.history.
_NEXT: dict[_S, dict[EventKind, _S]] = {
    _S.NEW: {_K.SUBMITTED: _S.NEW, _K.RECEIVED: _S.OPEN, **_ENDS},
    _S.OPEN: {
        _K.STEP_STARTED: _S.OPEN,
        _K.STEP_FINISHED: _S.OPEN,
        _K.RESCHEDULED: _S.OPEN,
        _K.SUPPLEMENT_REQUESTED: _S.SUPPLEMENT,
        _K.PAUSED: _S.PAUSED,
        _K.RESOLVED: _S.RESOLVED,
        _K.REJECTED: _S.RESOLVED,
        **_ENDS,
    },
    _S.SUPPLEMENT: {_K.SUPPLEMENT_RECEIVED: _S.OPEN, _K.REJECTED: _S.RESOLVED, **_ENDS},
    _S.PAUSED: {_K.RESUMED: _S.OPEN, **_ENDS},
    _S.RESOLVED: {_K.RETURNED: _S.RETURNED},
    _S.RETURNED: {},
    _S.ENDED: {},
}
# The order of each list is the shrinking order; repeats weight the draw.
_CHOICES: dict[_S, tuple[EventKind, ...]] = {
    _S.NEW: (_K.RECEIVED, _K.RECEIVED, _K.RECEIVED, _K.SUBMITTED, _K.WITHDRAWN, _K.CANCELLED),
    _S.OPEN: (
        _K.RESOLVED,
        _K.STEP_STARTED,
        _K.STEP_STARTED,
        _K.STEP_FINISHED,
        _K.STEP_FINISHED,
        _K.PAUSED,
        _K.SUPPLEMENT_REQUESTED,
        _K.RESCHEDULED,
        _K.RESCHEDULED,
        _K.RESOLVED,
        _K.REJECTED,
        _K.WITHDRAWN,
        _K.CANCELLED,
    ),
    _S.SUPPLEMENT: (_K.SUPPLEMENT_RECEIVED,) * 4 + (_K.REJECTED, _K.WITHDRAWN, _K.CANCELLED),
    _S.PAUSED: (_K.RESUMED,) * 4 + (_K.WITHDRAWN, _K.CANCELLED),
    _S.RESOLVED: (_K.RETURNED,),
    _S.RETURNED: (),
    _S.ENDED: (),
}
# A kind that is valid in each state without conditions (for inserting a harmless event).
_HARMLESS: dict[_S, EventKind | None] = {
    _S.NEW: _K.SUBMITTED,
    _S.OPEN: _K.PAUSED,
    _S.SUPPLEMENT: _K.SUPPLEMENT_RECEIVED,
    _S.PAUSED: _K.RESUMED,
    _S.RESOLVED: _K.RETURNED,
    _S.RETURNED: None,
    _S.ENDED: None,
}


# --------------------------------------------------------------------------- arguments


@attrs.frozen(repr=False)
class _Spec:
    calendar: WorkingCalendar | SearchStrategy[WorkingCalendar] | None
    procedures: SearchStrategy[Procedure]
    min_date: date
    max_date: date
    max_events: int
    aware: bool | None
    final_ok: frozenset[EventKind] | None  # the kinds a history may end with; None: any
    allow_terminal: bool
    policy: DeadlinePolicy
    # The outcomes to build histories for (outcome=), or that may be built (outcome=None).
    targets: tuple[Outcome, ...] = ()
    # outcome=None: the free walk of the state machine and weights by rule (_MIX_*).
    walk: bool = True

    def __repr__(self) -> str:
        # Short: hypothesis may show a strategy's arguments, and a calendar's repr is long.
        cal = self.calendar
        shown = f"WorkingCalendar(years={cal.years})" if isinstance(cal, WorkingCalendar) else cal
        ends = None if self.final_ok is None else sorted(k.name for k in self.final_ok)
        procs = "default" if self.procedures is _default_procedures() else repr(self.procedures)
        procs = procs if len(procs) <= 200 else procs[:200] + "..."
        return (
            f"_Spec(calendar={shown!r}, procedures={procs}, "
            f"min_date={self.min_date}, max_date={self.max_date}, "
            f"max_events={self.max_events}, aware={self.aware}, final_ok={ends}, "
            f"allow_terminal={self.allow_terminal}, targets={[o.name for o in self.targets]}, "
            f"walk={self.walk})"
        )

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))  # hypothesis's printer would spell out every attrs field


_O = Outcome
_FINISHED = (_O.EARLY, _O.ON_TIME, _O.LATE)
_OPEN = (_O.ON_TRACK, _O.DUE_SOON, _O.OVERDUE)
# outcome=None: for four histories in five, an outcome to build, drawn with weights that
# depend on the rule (the fifth history comes from the free walk). Each weighs most the
# outcomes whose boundaries reveal bugs for that kind of rule: for rules judged by the
# moment (hours, due_time="same_time"), a finish or an evaluation just after the due
# moment on the due date; for same-day rules, a finish on the due date and the due-soon
# day; for rules in days, the last two working days before the due date. The first of each
# is what hypothesis draws first and shrinks to.
_Mix = tuple[tuple[Outcome, int], ...]
_MIX_EXACT: _Mix = (
    (_O.LATE, 5),
    (_O.OVERDUE, 4),
    (_O.ON_TIME, 2),
    (_O.DUE_SOON, 2),
    (_O.ON_TRACK, 1),
    (_O.EARLY, 2),
    (_O.EXCLUDED, 1),
)
_MIX_SAME_DAY: _Mix = (
    (_O.ON_TIME, 4),
    (_O.LATE, 3),
    (_O.DUE_SOON, 3),
    (_O.OVERDUE, 1),
    (_O.EARLY, 2),
    (_O.EXCLUDED, 1),
    (_O.NOT_RECEIVED, 1),
)
_MIX_DAYS: _Mix = (
    (_O.ON_TRACK, 4),
    (_O.DUE_SOON, 4),
    (_O.ON_TIME, 4),
    (_O.LATE, 3),
    (_O.OVERDUE, 1),
    (_O.EARLY, 2),
    (_O.EXCLUDED, 1),
)
_SAME_DAY_KINDS = (ProcessingTimeKind.SAME_DAY, ProcessingTimeKind.IMMEDIATE)
_ANY = (_O.EXCLUDED, _O.NOT_RECEIVED)  # reachable from any receipt (or without one)


def _terminal_arg(
    terminal: bool | EventKind | Iterable[EventKind] | None,
) -> tuple[frozenset[EventKind] | None, bool]:
    if terminal is None:
        return None, True
    if terminal is True:
        return _TERMINAL_KINDS, True
    if terminal is False:
        return None, False
    kinds = {terminal} if isinstance(terminal, EventKind) else terminal
    if isinstance(kinds, str | bytes) or not isinstance(kinds, Iterable):
        raise InvalidArgument(
            f"terminal={terminal!r} must be None, a bool, or EventKind member(s) among "
            f"{sorted(k.name for k in _TERMINAL_KINDS)}"
        )
    out = frozenset(kinds)
    bad = [k for k in out if k not in _TERMINAL_KINDS]
    if not out or bad:
        raise InvalidArgument(
            f"terminal={terminal!r}: expected a non-empty set of "
            f"{sorted(k.name for k in _TERMINAL_KINDS)}"
        )
    return out, True


def _outcome_arg(outcome: object) -> tuple[Outcome, ...] | None:
    if outcome is None:
        return None
    if isinstance(outcome, Outcome):
        return (outcome,)
    if isinstance(outcome, str | bytes) or not isinstance(outcome, Iterable):
        raise InvalidArgument(
            f"outcome={outcome!r} must be None, an Outcome or a set of Outcome members "
            "(e.g. Outcome.ON_TIME or {Outcome.EARLY, Outcome.ON_TIME})"
        )
    out = tuple(dict.fromkeys(outcome))
    bad = [o for o in out if not isinstance(o, Outcome)]
    if bad or not out:
        raise InvalidArgument(
            f"outcome={outcome!r}: expected a non-empty set of Outcome members, "
            f"among {[o.name for o in Outcome]}"
        )
    return out


def _finish_kinds(policy: DeadlinePolicy) -> frozenset[EventKind]:
    """The kinds that finish a dossier for judging it (DeadlinePolicy.finish)."""
    if policy.finish == "returned":
        return frozenset({_K.RETURNED})
    return frozenset({_K.RESOLVED, _K.REJECTED})


def _unreachable(
    o: Outcome, final_ok: frozenset[EventKind] | None, allow_terminal: bool,
    policy: DeadlinePolicy, max_events: int,
) -> str | None:  # fmt: skip
    """Why histories that end as ``final_ok`` allows cannot evaluate to ``o``; None if they can."""
    if o in _FINISHED:
        if not allow_terminal:
            return "a finished dossier needs a terminal event (terminal=False)"
        finish = _finish_kinds(policy)
        ends = finish | {_K.RETURNED}
        if final_ok is not None and not final_ok & ends:
            return f"a finished dossier ends with one of {sorted(k.name for k in ends)}"
        direct = final_ok is None or bool(final_ok & finish)
        need = 2 if direct and _K.RETURNED not in finish else 3
    elif o is _O.EXCLUDED:
        if not allow_terminal:
            return "an excluded dossier ends with WITHDRAWN or CANCELLED (terminal=False)"
        if final_ok is not None and not final_ok & {_K.WITHDRAWN, _K.CANCELLED}:
            return "an excluded dossier ends with WITHDRAWN or CANCELLED"
        need = 1
    else:
        if final_ok is not None:
            return "an open or unreceived dossier has no terminal event (terminal=True)"
        need = 2 if o in _OPEN else 1
    if max_events < need:
        return f"it needs at least {need} events, max_events={max_events}"
    return None


def _spec(
    calendar: object,
    procs: object,
    min_date: object,
    max_date: object,
    max_events: object,
    aware: object,
    terminal: bool | EventKind | Iterable[EventKind] | None,
    policy: object,
    min_events: int,
    outcome: object = None,
) -> _Spec:
    for name, value in (("min_date", min_date), ("max_date", max_date)):
        if not isinstance(value, date) or isinstance(value, datetime):
            raise InvalidArgument(f"{name}={value!r} must be a datetime.date")
    assert isinstance(min_date, date)
    assert isinstance(max_date, date)
    if min_date > max_date:
        raise InvalidArgument(f"min_date={min_date} must be <= max_date={max_date}")
    events = check_int("max_events", max_events, min_events, 1000)
    if aware is not None and not isinstance(aware, bool):
        raise InvalidArgument(f"aware={aware!r} must be True, False or None (either)")
    if policy is None:
        policy = DeadlinePolicy()
    if not isinstance(policy, DeadlinePolicy):
        raise InvalidArgument(f"policy={policy!r} must be a DeadlinePolicy")
    if procs is None:
        procs = _default_procedures()
    elif isinstance(procs, Procedure):
        procs = st.just(procs)
    if not isinstance(procs, SearchStrategy):
        raise InvalidArgument(f"procedures={procs!r} must be a Procedure or a strategy of them")
    if calendar is not None and not isinstance(calendar, WorkingCalendar | SearchStrategy):
        raise InvalidArgument(
            f"calendar={calendar!r} must be None (the national calendar), a WorkingCalendar "
            "or a strategy of them"
        )
    if isinstance(calendar, WorkingCalendar):
        _check_covers(calendar, min_date, max_date)
    final_ok, allow_terminal = _terminal_arg(terminal)
    wanted = _outcome_arg(outcome)
    if wanted is None:  # the outcomes that histories ending as terminal= allows can have
        targets = tuple(
            o for o in Outcome if _unreachable(o, final_ok, allow_terminal, policy, events) is None
        )
    else:
        for o in wanted:
            why = _unreachable(o, final_ok, allow_terminal, policy, events)
            if why is not None:
                raise InvalidArgument(
                    f"outcome={o!r} cannot be reached with terminal={terminal!r}, "
                    f"max_events={events}, policy={policy!r}: {why}"
                )
        targets = wanted
    spec = _Spec(
        calendar, procs, min_date, max_date, events, aware, final_ok, allow_terminal, policy,
        targets, wanted is None,
    )  # fmt: skip
    need = _distances(spec)[_S.NEW]
    if need > events:
        raise InvalidArgument(
            f"max_events={events} is too small: a history ending with terminal={terminal!r} "
            f"needs at least {need} events"
        )
    return spec


@functools.lru_cache(maxsize=1)
def _default_procedures() -> SearchStrategy[Procedure]:
    """:func:`procedures`, half of the time with short rules (10 working days at most,
    same-day, a few working hours, 3 calendar days or months): their deadlines fall near
    the receipt, so a history reaches the due date and the days off around it often."""
    k = ProcessingTimeKind
    short = st.one_of(
        processing_times(kinds=[k.WORKING_DAYS], max_amount=10),
        processing_times(kinds=[k.SAME_DAY, k.IMMEDIATE]),
        processing_times(kinds=[k.WORKING_HOURS], max_amount=16),
        processing_times(kinds=[k.WORKING_HOURS], max_amount=8),
        processing_times(kinds=[k.WORKING_HOURS], max_amount=4),
        processing_times(kinds=[k.CALENDAR_DAYS, k.MONTHS], max_amount=3),
    )
    return st.one_of(procedures(rules=short), procedures())


def _check_covers(cal: WorkingCalendar, min_date: date, max_date: date) -> None:
    if min_date < cal.first or max_date > cal.last:
        raise InvalidArgument(
            f"the calendar covers {cal.first}..{cal.last}, not min_date={min_date}.."
            f"max_date={max_date}; build it with a wider years= or narrow the dates"
        )


def _distances(spec: _Spec) -> dict[_S, int]:
    """The fewest events from each state to an acceptable end of the history."""
    big = 10**6
    dist = dict.fromkeys(_S, big)
    if spec.final_ok is None:
        return dict.fromkeys(_S, 0) | {_S.NEW: 1}
    for _ in range(len(_S) + 1):
        for s, moves in _NEXT.items():
            for kind, nxt in moves.items():
                best = 1 if kind in spec.final_ok else 1 + dist[nxt]
                dist[s] = min(dist[s], best)
    return dist


# --------------------------------------------------------------------------- the model


@attrs.define
class _Model:
    """Where a history stands, by DESIGN §5: state, running steps and the current deadline."""

    cal: WorkingCalendar
    proc: Procedure
    policy: DeadlinePolicy
    state: _S = _S.NEW
    running: frozenset[str] = frozenset()
    due_date: date | None = None
    due_at: datetime | None = None  # local wall time
    pause_at: datetime | None = None
    rescheduled: bool = False
    received: bool = False
    submitted: bool = False
    last: datetime | None = None  # local wall time

    @property
    def exact(self) -> bool:
        return (
            self.policy.due_time == "same_time"
            or self.proc.rule.kind is ProcessingTimeKind.WORKING_HOURS
        )

    def copy(self) -> _Model:
        return attrs.evolve(self)

    def can_reschedule(self) -> bool:
        return (
            self.state is _S.OPEN
            and not self.rescheduled
            and self.due_date is not None
            and self.last is not None
            and self.cal.working_days_between(self.last.date(), self.due_date) >= 1
        )

    def allowed(self, kind: EventKind) -> bool:
        if kind not in _NEXT[self.state]:
            return False
        steps = {s.name for s in self.proc.steps}
        if kind is _K.STEP_STARTED:
            return bool(steps - self.running)
        if kind is _K.STEP_FINISHED:
            return bool(self.running)
        if kind is _K.RESCHEDULED:
            return self.can_reschedule()
        if kind is _K.SUBMITTED:
            return self.last is None
        return True

    def _clock(self, at: datetime) -> None:
        d = deadline(at, self.proc.rule, self.cal, self.policy)
        self.due_date, self.due_at = d.due_date, d.due_at

    def _exclude(self, until: datetime) -> None:
        start = self.pause_at
        assert start is not None
        assert self.due_at is not None
        assert self.due_date is not None
        if self.exact:
            spent = self.cal.working_time_between(start, until)
            if spent:  # a pause over no working time leaves the due moment where it is
                self.due_at = self.cal.add_working_time(self.due_at, spent)
            self.due_date = self.due_at.date()
        else:
            k = self.cal.working_days_between(start.date(), until.date())
            self.due_date = self.cal.add_working_days(self.due_date, k)
            self.due_at = self.cal.close_of_day(self.due_date)
        self.pause_at = None

    def apply(self, kind: EventKind, at: datetime, step: str | None) -> None:
        if kind is _K.RECEIVED:
            self.received = True
            self._clock(at)
        elif kind in (_K.PAUSED, _K.SUPPLEMENT_REQUESTED):
            self.pause_at = at
        elif kind is _K.RESUMED or (
            kind is _K.SUPPLEMENT_RECEIVED and self.proc.supplement == "pause"
        ):
            self._exclude(at)
        elif kind is _K.SUPPLEMENT_RECEIVED:
            self.pause_at = None
            self._clock(at)
        elif kind is _K.STEP_STARTED:
            assert step is not None
            self.running |= {step}
        elif kind is _K.STEP_FINISHED:
            self.running -= {step}
        elif kind is _K.RESCHEDULED:
            self.rescheduled = True
        elif kind is _K.SUBMITTED:
            self.submitted = True
        self.state = _NEXT[self.state][kind]
        self.last = at


# --------------------------------------------------------------------------- moments


def _times_of_day(cal: WorkingCalendar, d: date) -> SearchStrategy[time]:
    """Times of day on ``d``: interval edges (and a microsecond off), inside working hours,
    the same-day cut-off, or anything."""
    return _times_for(tuple((s.time(), e.time()) for s, e in cal.working_intervals(d)))


@functools.lru_cache(maxsize=64)
def _times_for(intervals: tuple[tuple[time, time], ...]) -> SearchStrategy[time]:
    day = date(2000, 1, 3)
    edges: list[time] = [time(0), time(23, 59, 59, 999_999), time(12), time(15), time(15, 0, 0, 1)]
    spans: list[tuple[datetime, int]] = []
    for start, end in intervals:
        for t in (start, end):
            moment = datetime.combine(day, t)
            edges += [t, (moment - _US).time(), (moment + _US).time()]
        begin = datetime.combine(day, start)
        spans.append((begin, int((datetime.combine(day, end) - begin) / timedelta(minutes=1))))
    options: list[SearchStrategy[time]] = [
        st.sampled_from(edges),
        st.integers(0, 24 * 60 - 1).map(lambda m: time(m // 60, m % 60)),
        st.times(),
    ]
    if spans:
        inside = st.sampled_from(spans).flatmap(
            lambda span: st.integers(0, max(0, span[1] - 1)).map(
                lambda m: (span[0] + timedelta(minutes=m)).time()
            )
        )
        options.insert(0, inside)
    return st.one_of(options)


@functools.lru_cache(maxsize=256)
def _choice(options: tuple[EventKind, ...]) -> SearchStrategy[EventKind]:
    return st.sampled_from(options)


def _moment_on(draw: st.DrawFn, cal: WorkingCalendar, d: date) -> datetime:
    return datetime.combine(d, draw(_times_of_day(cal, d)))


def _first_moment(draw: st.DrawFn, model: _Model, spec: _Spec) -> datetime:
    """The first event's moment (a receipt, most often), aimed at the days where deadlines
    go wrong half of the time: just before a special day (Tết, 24/11, a make-up Saturday, a
    notice's bridge day, a holiday, an office closure or counter) so that the period steps
    over it, or so that the deadline falls next to it; else any day. The time of day is
    often at the same-day cut-off (15:00 ± 1 minute), an interval's edge or night."""
    cal = model.cal
    lo, hi = spec.min_date, spec.max_date
    plan = draw(st.integers(0, 9))
    d: date | None = None
    if plan <= 5:
        special = anchor(draw, cal, lo, hi)
        if special is not None and plan <= 3:
            # On it, or a few working days before it, within the rule's reach.
            reach = max(1, _reach(model, special))
            d = cal.add_working_days(special, -min(reach, pick(draw, (1, 0, 2, 1, 3, 5, 8))))
        elif special is not None:  # so that the period ends on it or next to it
            d = special - (_span(model, special) + pick(draw, (0, 0, 1, -1, 2))) * _DAY
    if d is None:
        d = draw(st.dates(lo, hi))
    d = min(max(d, lo), hi)
    focus = model.proc.rule.kind in _SAME_DAY_KINDS
    return datetime.combine(
        d, receipt_time(draw, cal, d, model.policy.same_day_cutoff, focus=focus)
    )


def _span(model: _Model, d: date) -> int:
    """Calendar days from a receipt on ``d`` to its due date (0 if past the calendar)."""
    try:
        due = deadline(datetime.combine(d, time(9)), model.proc.rule, model.cal, model.policy)
    except CalendarRangeError:
        return 0
    return (due.due_date - d).days


def _reach(model: _Model, d: date) -> int:
    """Working days from a receipt on ``d`` to its due date (0 if past the calendar)."""
    try:
        return model.cal.working_days_between(d, d + _span(model, d) * _DAY)
    except CalendarRangeError:
        return 0


def _next_moment(draw: st.DrawFn, model: _Model, hi: datetime, near_due: bool) -> datetime:
    """A moment at or after the model's last one, at most ``hi``."""
    lo = model.last
    assert lo is not None
    cal = model.cal
    modes = ["same", "later_today", "days", "weeks"]
    if model.due_date is not None and model.state is _S.OPEN:
        modes += ["near_due"] * (4 if near_due else 1)
    mode = draw(st.sampled_from(modes))
    if mode == "same":
        t = lo
    elif mode == "later_today":
        t = datetime.combine(lo.date(), draw(_times_of_day(cal, lo.date())))
    elif mode == "days":
        d = lo.date() + draw(st.integers(1, 10)) * _DAY
        t = _moment_on(draw, cal, min(d, hi.date()))
    elif mode == "weeks":
        d = lo.date() + draw(st.integers(11, 90)) * _DAY
        t = _moment_on(draw, cal, min(d, hi.date()))
    else:
        assert model.due_date is not None
        d = model.due_date + draw(st.integers(-2, 2)) * _DAY
        t = _moment_on(draw, cal, min(max(d, lo.date()), hi.date()))
    return min(max(t, lo), hi)


def _reschedule_moment(draw: st.DrawFn, model: _Model, hi: datetime) -> datetime:
    """A moment at or after the last one, still at least one working day before the due date."""
    lo = model.last
    assert lo is not None
    assert model.due_date is not None
    last_day = min(model.due_date - _DAY, hi.date())
    d = lo.date() + draw(st.integers(0, max(0, (last_day - lo.date()).days))) * _DAY
    t = min(max(lo, _moment_on(draw, model.cal, d)), hi)
    if model.cal.working_days_between(t.date(), model.due_date) < 1:
        t = lo  # can_reschedule() checked the last moment's day
    return t


def _new_due(draw: st.DrawFn, model: _Model) -> datetime:
    """An appointment after the current due moment (local time)."""
    assert model.due_at is not None
    if draw(st.booleans()):
        return model.due_at + draw(st.integers(1, 60 * 24 * 60)) * timedelta(minutes=1)
    d = model.cal.add_working_days(model.due_at.date(), draw(st.integers(1, 30)))
    return model.cal.close_of_day(d)


def _styled(local: datetime, tz: tzinfo | None) -> datetime:
    """A local wall time in the history's style: naive, or aware in ``tz``."""
    if tz is None:
        return local
    return local.replace(tzinfo=_VN).astimezone(tz)


# --------------------------------------------------------------------------- the walk


@attrs.frozen
class _Built:
    dossier: Dossier
    locals: tuple[datetime, ...]  # each event's local wall time
    models: tuple[_Model, ...]  # the model before each event, and after the last
    tz: tzinfo | None


def _resolve_calendar(draw: st.DrawFn, spec: _Spec) -> WorkingCalendar:
    cal = spec.calendar
    if cal is None:
        return vietnam_calendar()
    if isinstance(cal, SearchStrategy):
        drawn = draw(cal)
        if not isinstance(drawn, WorkingCalendar):
            raise InvalidArgument(f"calendar strategy drew {drawn!r}, not a WorkingCalendar")
        _check_covers(drawn, spec.min_date, spec.max_date)
        return drawn
    return cal


def _setup(
    draw: st.DrawFn, spec: _Spec
) -> tuple[WorkingCalendar, Procedure, DeadlinePolicy, bool, tzinfo | None]:
    """The calendar, the procedure, the policy (with the difficult-area extra if the dossier
    asks for it), whether it does, and the history's time zone (None: naive)."""
    cal = _resolve_calendar(draw, spec)
    proc = draw(spec.procedures)
    if not isinstance(proc, Procedure):
        raise InvalidArgument(f"the procedures strategy drew {proc!r}, not a Procedure")
    difficult = draw(st.booleans())
    policy = spec.policy
    if difficult and not policy.difficult_area:
        policy = attrs.evolve(policy, difficult_area=True)
    aware = draw(st.booleans()) if spec.aware is None else spec.aware
    tz = draw(st.sampled_from(_ZONES)) if aware else None
    return cal, proc, policy, difficult, tz


def _build(
    draw: st.DrawFn, spec: _Spec, *, max_events: int, reschedule: str | None = None
) -> _Built:
    """A history from a free walk of the state machine (the breadth of the strategies)."""
    cal, proc, policy, difficult, tz = _setup(draw, spec)
    hi = datetime.combine(spec.max_date, time.max)
    dist = _distances(spec)
    n_target = draw(st.integers(dist[_S.NEW], max_events))

    model = _Model(cal, proc, policy)
    models = [model.copy()]
    events: list[Event] = []
    locals_: list[datetime] = []
    try:
        while len(events) < n_target:
            left = n_target - len(events)  # events still to place, this one included
            feasible = []
            for kind in _CHOICES[model.state]:
                if not model.allowed(kind):
                    continue
                if not spec.allow_terminal and kind in _TERMINAL_KINDS:
                    continue
                if (
                    spec.final_ok is not None
                    and kind not in spec.final_ok
                    and dist[_NEXT[model.state][kind]] > left - 1
                ):
                    continue
                feasible.append(kind)
            if not feasible:
                break
            going = [k for k in feasible if k not in _TERMINAL_KINDS]
            ending = [k for k in feasible if k in _TERMINAL_KINDS]
            if left > 1:
                # Keep going while there is room: end the history on its last event.
                feasible = going or feasible
            elif going and ending:
                ends = draw(st.booleans())  # half the histories that may end here do
                feasible = ending if ends else going
            if reschedule == "prefer" and _K.RESCHEDULED in feasible:
                feasible = [_K.RESCHEDULED]
            elif reschedule == "avoid" and feasible != [_K.RESCHEDULED]:
                feasible = [k for k in feasible if k is not _K.RESCHEDULED]
            kind = draw(_choice(tuple(feasible)))
            step: str | None = None
            unit: str | None = None
            new_due: datetime | None = None
            if model.last is None:
                at = _first_moment(draw, model, spec)
            elif kind is _K.RESCHEDULED:
                at = _reschedule_moment(draw, model, hi)
                new_due = _new_due(draw, model)
            else:
                at = _next_moment(draw, model, hi, near_due=kind in _FINISH_KINDS)
            if kind is _K.STEP_STARTED:
                names = sorted({s.name for s in proc.steps} - model.running)
                step = draw(st.sampled_from(names))
            elif kind is _K.STEP_FINISHED:
                step = draw(st.sampled_from(sorted(model.running)))
            if step is not None and draw(st.booleans()):
                unit = proc.step(step).unit
            model.apply(kind, at, step)
            events.append(
                Event(
                    _styled(at, tz),
                    kind,
                    step=step,
                    unit=unit,
                    new_due=None if new_due is None else _styled(new_due, tz),
                )
            )
            locals_.append(at)
            models.append(model.copy())
    except CalendarRangeError:
        # A deadline beyond the calendar (a very long rule near max_date): not a valid case.
        reject()

    return _Built(_dossier(draw, proc, events, difficult), tuple(locals_), tuple(models), tz)


def _dossier(draw: st.DrawFn, proc: Procedure, events: list[Event], difficult: bool) -> Dossier:
    return Dossier(
        f"H{draw(st.integers(1, 999_999)):06d}",
        proc,
        events,
        channel=draw(st.sampled_from((None, *Channel))),
        agency=draw(st.sampled_from((None, "UBND xã Hòa Bình", "Sở Tư pháp"))),
        level=draw(st.sampled_from((None, "xã", "huyện", "tỉnh"))),
        field=draw(st.sampled_from((None, "Hộ tịch", "Đất đai", "Xây dựng"))),
        difficult_area=difficult,
    )


# --------------------------------------------------------------------------- histories by outcome


class _Writer:
    """A history being written: the events, their local moments and the model before each."""

    def __init__(
        self, cal: WorkingCalendar, proc: Procedure, policy: DeadlinePolicy, tz: tzinfo | None
    ) -> None:
        self.model = _Model(cal, proc, policy)
        self.events: list[Event] = []
        self.locals: list[datetime] = []
        self.models: list[_Model] = [self.model.copy()]
        self.tz = tz
        self.rescheduled: datetime | None = None  # the new appointment, local

    @property
    def last(self) -> datetime:
        assert self.model.last is not None
        return self.model.last

    def add(
        self,
        kind: EventKind,
        at: datetime,
        *,
        step: str | None = None,
        unit: str | None = None,
        new_due: datetime | None = None,
    ) -> None:
        self.model.apply(kind, at, step)
        styled_due = None if new_due is None else _styled(new_due, self.tz)
        self.events.append(
            Event(_styled(at, self.tz), kind, step=step, unit=unit, new_due=styled_due)
        )
        self.locals.append(at)
        self.models.append(self.model.copy())
        if kind is _K.RESCHEDULED:
            self.rescheduled = new_due

    def truncate(self, n: int) -> None:
        """Keep the first ``n`` events."""
        dropped = self.events[n:]
        del self.events[n:], self.locals[n:], self.models[n + 1 :]
        self.model = self.models[n].copy()
        if any(e.kind is _K.RESCHEDULED for e in dropped):
            self.rescheduled = None

    def built(self, draw: st.DrawFn, difficult: bool) -> _Built:
        dossier = _dossier(draw, self.model.proc, self.events, difficult)
        return _Built(dossier, tuple(self.locals), tuple(self.models), self.tz)


def _due(model: _Model) -> Due | None:
    if model.due_date is None or model.due_at is None:
        return None
    return Due(model.due_date, model.due_at, model.exact)


def _reachable(target: Outcome, model: _Model, at: datetime, hi: datetime) -> bool:
    """Whether a history whose model stands as ``model`` at moment ``at`` can still end as
    ``target`` by ``hi`` with one more event (two for a finish and its hand-over)."""
    if target is _O.EXCLUDED:
        return model.state in (_S.NEW, _S.OPEN, _S.PAUSED, _S.SUPPLEMENT)
    if target is _O.NOT_RECEIVED:
        return model.state is _S.NEW
    if model.state is not _S.OPEN and not (model.state is _S.SUPPLEMENT and target in _FINISHED):
        return False
    due = _due(model)
    return due is not None and window(target, due, model.cal, at, hi) is not None


def _ceiling(target: Outcome, model: _Model, hi: datetime) -> datetime:
    """The latest moment for an event before the deciding one, so that ``target`` stays
    within reach (a pause moves the deadline later, never earlier)."""
    due = _due(model)
    if due is None or target in (_O.LATE, _O.OVERDUE, _O.EXCLUDED):
        return hi
    if target is _O.EARLY:
        return min(hi, start_of(due.date) - _US)
    if target is _O.ON_TRACK:
        return min(hi, start_of(model.cal.add_working_days(due.date, -1)) - _US)
    return min(hi, due.at if due.exact else datetime.combine(due.date, time.max))


def _off_stretch(cal: WorkingCalendar, d: date) -> tuple[date, date] | None:
    """(the last working day before the next run of days off after ``d``, the first working
    day after that run), looking three weeks ahead."""
    x = d + _DAY
    for _ in range(21):
        if not cal.is_working_day(x):
            break
        x += _DAY
    else:
        return None
    y = x
    for _ in range(30):
        if cal.is_working_day(y):
            return x - _DAY, y
        y += _DAY
    return None


def _pause(draw: st.DrawFn, w: _Writer, ceil: datetime, start: EventKind, end: EventKind) -> None:
    """PAUSED..RESUMED (or a supplement's request and return): across a run of days off
    (a weekend, Tết...), within a day, or over days."""
    cal = w.model.cal
    cutoff = w.model.policy.same_day_cutoff
    lo = w.last
    mode = draw(st.integers(0, 3))
    stretch = _off_stretch(cal, lo.date()) if mode <= 1 else None
    if stretch is not None:
        before, after = stretch
        p_day = max(before, lo.date())
        p = datetime.combine(p_day, receipt_time(draw, cal, p_day, cutoff))
        r_day = after if draw(st.booleans()) else after - _DAY  # or the last day off itself
        r = datetime.combine(r_day, receipt_time(draw, cal, r_day, cutoff))
    elif mode == 2:  # within the day
        p = later_moment(draw, cal, lo, min(ceil, datetime.combine(lo.date(), time.max)), cutoff)
        r = p + draw(st.integers(0, 8 * 60)) * _MIN
    else:
        p = later_moment(draw, cal, lo, ceil, cutoff)
        r_day = p.date() + draw(st.integers(1, 10)) * _DAY
        r = datetime.combine(r_day, receipt_time(draw, cal, r_day, cutoff))
    p = min(max(p, lo), ceil)
    w.add(start, p)
    r = min(max(r, p), ceil)
    w.add(end, r)


def _reschedule(draw: st.DrawFn, w: _Writer, ceil: datetime) -> None:
    """RESCHEDULED on the last day it is allowed (one working day before the due date) most
    of the time, or earlier; the new appointment after the due moment."""
    m = w.model
    due = _due(m)
    assert due is not None
    hi = min(ceil, start_of(due.date) - _US)
    if hi < w.last:
        return
    p1 = m.cal.add_working_days(due.date, -1)
    cutoff = m.policy.same_day_cutoff
    if draw(st.integers(0, 3)) < 3 and p1 >= w.last.date():
        day = p1 + draw(st.integers(0, max(0, (due.date - p1).days - 1))) * _DAY
        at = datetime.combine(day, receipt_time(draw, m.cal, day, cutoff))
    else:
        at = later_moment(draw, m.cal, w.last, hi, cutoff)
    at = min(max(at, w.last), hi)
    if m.cal.working_days_between(at.date(), due.date) < 1:
        return
    w.add(_K.RESCHEDULED, at, new_due=_new_due(draw, m))


def _step(draw: st.DrawFn, w: _Writer, ceil: datetime, budget: int) -> None:
    m = w.model
    cutoff = m.policy.same_day_cutoff
    names = sorted({s.name for s in m.proc.steps} - m.running)
    if names:
        name = pick(draw, names)
        unit = m.proc.step(name).unit if draw(st.booleans()) else None
        at = later_moment(draw, m.cal, w.last, ceil, cutoff)
        w.add(_K.STEP_STARTED, at, step=name, unit=unit)
        budget -= 1
    if m.running and budget >= 1 and draw(st.booleans()):
        name = pick(draw, sorted(m.running))
        w.add(_K.STEP_FINISHED, later_moment(draw, m.cal, w.last, ceil, cutoff), step=name)


def _middle(draw: st.DrawFn, w: _Writer, target: Outcome, budget: int, hi: datetime) -> None:
    """Episodes between the receipt and the deciding event: pauses (often across days off),
    supplements, a pause next to a supplement request, steps, a reschedule."""
    episodes = draw(st.integers(0, 3))
    # A late dossier is often one that was rescheduled: met by the new appointment or not.
    resched_late = target is _O.LATE and draw(st.integers(0, 5)) < 5
    for i in range(episodes + resched_late):
        if budget <= 0 or w.model.state is not _S.OPEN:
            return
        last_one = i == episodes + resched_late - 1
        # Before a reschedule, stay before the due date (it must come a working day before).
        ceil = _ceiling(_O.EARLY if resched_late else target, w.model, hi)
        if ceil < w.last:
            return
        kind = 5 if resched_late and last_one else draw(st.integers(0, 5))
        if kind == 0 and budget >= 2:
            _pause(draw, w, ceil, _K.PAUSED, _K.RESUMED)
            budget -= 2
        elif kind == 1 and budget >= 2:
            _pause(draw, w, ceil, _K.SUPPLEMENT_REQUESTED, _K.SUPPLEMENT_RECEIVED)
            budget -= 2
        elif kind == 2 and budget >= 4:
            # A supplement request next to a pause: the restart and the excluded time meet.
            first, second = (
                ((_K.PAUSED, _K.RESUMED), (_K.SUPPLEMENT_REQUESTED, _K.SUPPLEMENT_RECEIVED))
                if draw(st.booleans())
                else ((_K.SUPPLEMENT_REQUESTED, _K.SUPPLEMENT_RECEIVED), (_K.PAUSED, _K.RESUMED))
            )
            _pause(draw, w, ceil, *first)
            ceil = _ceiling(target, w.model, hi)
            if ceil >= w.last:
                _pause(draw, w, ceil, *second)
            budget -= 4
        elif kind == 3 and w.model.proc.steps:
            before = len(w.events)
            _step(draw, w, ceil, budget)
            budget -= len(w.events) - before
        elif kind >= 4 and w.model.can_reschedule():
            before = len(w.events)
            _reschedule(draw, w, ceil)
            budget -= len(w.events) - before


def _finish(draw: st.DrawFn, w: _Writer, spec: _Spec, target: Outcome, hi: datetime) -> None:
    m = w.model
    due = _due(m)
    assert due is not None
    cutoff = m.policy.same_day_cutoff
    x = deciding_moment(draw, target, due, m.cal, w.last, hi, cutoff, w.rescheduled)
    assert x is not None  # _reachable checked it
    final_ok = spec.final_ok
    kinds = [_K.RESOLVED, _K.RESOLVED, _K.REJECTED] if m.state is _S.OPEN else [_K.REJECTED]
    by_return = m.policy.finish == "returned"
    must_return = by_return or (final_ok is not None and not final_ok & set(kinds))
    if final_ok is not None and not must_return:
        kinds = [k for k in kinds if k in final_ok]
    kind = pick(draw, kinds)
    if by_return:
        first = x if draw(st.booleans()) else moment_in(draw, w.last, x)
        w.add(kind, first)
        w.add(_K.RETURNED, x)
        return
    w.add(kind, x)
    may_return = final_ok is None or _K.RETURNED in final_ok
    if len(w.events) < spec.max_events and may_return and (must_return or draw(st.booleans())):
        w.add(_K.RETURNED, later_moment(draw, m.cal, x, hi, cutoff))


def _stay_open(draw: st.DrawFn, w: _Writer, target: Outcome, hi: datetime) -> None:
    """The last event of an open history, placed so that as of it the dossier is ``target``:
    often a pause or a supplement request, after which the working days left stay the same
    at any later moment."""
    m = w.model
    due = _due(m)
    assert due is not None
    x = deciding_moment(draw, target, due, m.cal, w.last, hi, m.policy.same_day_cutoff)
    assert x is not None
    kinds = [_K.PAUSED, _K.PAUSED, _K.SUPPLEMENT_REQUESTED, _K.SUPPLEMENT_REQUESTED]
    names = sorted({s.name for s in m.proc.steps} - m.running)
    kinds += [_K.STEP_STARTED] * bool(names) + [_K.STEP_FINISHED] * bool(m.running)
    kind = pick(draw, kinds)
    if kind is _K.STEP_STARTED:
        w.add(kind, x, step=pick(draw, names))
    elif kind is _K.STEP_FINISHED:
        w.add(kind, x, step=pick(draw, sorted(m.running)))
    else:
        w.add(kind, x)


def _end(draw: st.DrawFn, w: _Writer, spec: _Spec, hi: datetime) -> None:
    kinds = [k for k in (_K.WITHDRAWN, _K.CANCELLED) if spec.final_ok is None or k in spec.final_ok]
    at = later_moment(draw, w.model.cal, w.last, hi, w.model.policy.same_day_cutoff)
    w.add(pick(draw, kinds), at)


def _build_for(draw: st.DrawFn, spec: _Spec) -> _Built:
    """A history built to evaluate to one of ``spec.targets`` (DESIGN §7), by construction: the
    receipt first, then episodes that keep the target within reach, then the deciding event
    at a boundary of the deadline the model computes (for an open outcome, as of that last
    event). Procedures or date ranges that cannot reach any target are drawn again, three
    times, then rejected."""
    hi = datetime.combine(spec.max_date, time.max)
    floor = datetime.combine(spec.min_date, time())
    for _attempt in range(3):
        cal, proc, policy, difficult, tz = _setup(draw, spec)
        w = _Writer(cal, proc, policy, tz)
        targets = _weighted(w.model, spec.targets) if spec.walk else spec.targets
        wish = pick(draw, targets)
        try:
            r = _first_moment(draw, w.model, spec)
            probe = w.model.copy()
            probe.apply(_K.RECEIVED, r, None)
            if not (wish in _ANY or _reachable(wish, probe, r, hi)):
                # Move the receipt to where the outcome can be reached.
                r = _repair(draw, probe, r, spec, wish)
                probe = w.model.copy()
                probe.apply(_K.RECEIVED, r, None)
            if wish in _ANY or _reachable(wish, probe, r, hi):
                target = wish
            else:  # this procedure cannot: another outcome among those wanted, if any
                feasible = [t for t in targets if t in _ANY or _reachable(t, probe, r, hi)]
                if not feasible:
                    continue
                target = pick(draw, feasible)
            if target is _O.NOT_RECEIVED or (target is _O.EXCLUDED and spec.max_events == 1):
                w.add(_K.SUBMITTED if target is _O.NOT_RECEIVED else _K.WITHDRAWN, r)
                return w.built(draw, difficult)
            need = 2 if target in _FINISHED and policy.finish == "returned" else 1
            if (
                spec.final_ok is not None
                and target in _FINISHED
                and not spec.final_ok & {_K.RESOLVED, _K.REJECTED}
            ):
                need = 2
            budget = spec.max_events - 1 - need
            if budget >= 1 and draw(st.integers(0, 3)) == 3:
                w.add(_K.SUBMITTED, max(floor, r - draw(st.integers(0, 3 * 24 * 60)) * _MIN))
                budget -= 1
            w.add(_K.RECEIVED, r)
            received = len(w.events)
            if target is not _O.EXCLUDED or draw(st.booleans()):
                _middle(draw, w, target, budget, hi)
            while not _reachable(target, w.model, w.last, hi):
                # The receipt alone can reach the target (checked above): never past it.
                assert len(w.events) > received, target
                w.truncate(len(w.events) - 1)
            if target in _FINISHED:
                _finish(draw, w, spec, target, hi)
            elif target is _O.EXCLUDED:
                _end(draw, w, spec, hi)
            else:
                _stay_open(draw, w, target, hi)
            return w.built(draw, difficult)
        except CalendarRangeError:
            # A deadline past the calendar (a long rule near its end): not a valid case.
            continue
    reject()
    raise AssertionError("unreachable")  # pragma: no cover - reject() raises


def _repair(draw: st.DrawFn, probe: _Model, r: datetime, spec: _Spec, target: Outcome) -> datetime:
    """A receipt moment from which ``target`` may be reachable: the end of the same day (a
    deadline after the receipt date, for EARLY), or earlier (a deadline inside the dates)."""
    due = _due(probe)
    assert due is not None
    if target is _O.EARLY and due.date <= r.date():
        return datetime.combine(r.date(), time.max)
    late = (due.date - spec.max_date).days
    room = 1 if target in (_O.LATE, _O.OVERDUE) else 0
    if late + room > 0 or r.date() >= spec.max_date:
        d = r.date() - (max(late, 0) + room + draw(st.integers(1, 30))) * _DAY
        d = max(d, spec.min_date)
        return datetime.combine(d, r.time())
    return r


def _weighted(model: _Model, allowed: tuple[Outcome, ...]) -> tuple[Outcome, ...]:
    """The outcomes to draw from for this rule (repeated by weight), among ``allowed``."""
    if model.exact:
        mix = _MIX_EXACT
    elif model.proc.rule.kind in _SAME_DAY_KINDS:
        mix = _MIX_SAME_DAY
    else:
        mix = _MIX_DAYS
    out = tuple(o for o, weight in mix if o in allowed for _ in range(weight))
    return out or allowed


@st.composite
def _dossiers(draw: st.DrawFn, spec: _Spec) -> Dossier:
    walk = spec.walk and (not spec.targets or draw(st.integers(0, 4)) == 4)
    if walk:
        return _build(draw, spec, max_events=spec.max_events).dossier
    return _build_for(draw, spec).dossier


def dossiers(
    *,
    calendar: WorkingCalendar | SearchStrategy[WorkingCalendar] | None = None,
    procedures: Procedure | SearchStrategy[Procedure] | None = None,
    min_date: date = date(2015, 1, 1),
    max_date: date = date(2035, 12, 31),
    max_events: int = 12,
    aware: bool | None = False,
    terminal: bool | EventKind | Iterable[EventKind] | None = None,
    policy: DeadlinePolicy | None = None,
    outcome: Outcome | Iterable[Outcome] | None = None,
) -> SearchStrategy[Dossier]:
    """Dossiers whose histories are valid on ``calendar`` (DESIGN §5), aimed at the
    boundaries where SLA bugs hide.

    A history walks the state machine: perhaps SUBMITTED, then RECEIVED (most of the time),
    then steps of the procedure started and finished, pauses and resumes, supplement requests
    and receipts, at most one RESCHEDULED (at least one working day before the current due
    date, to a moment after the current due moment), and possibly a resolution or refusal,
    a hand-over, a withdrawal or a cancellation. Times never go back, and every timestamp
    lies within ``min_date..max_date`` (local dates).

    Most histories are built towards an outcome (early, on time, late, on track, due soon,
    overdue, excluded, not received) and end with the event that decides it placed at a
    boundary of the deadline, which the strategy computes with :func:`~tthc_sla.deadline`
    and the pause and restart rules: a resolution on the due date before and after its close,
    on the working days before and after it, at the due moment ± 1 µs or 1 minute for rules
    judged by moment, by or after a new appointment; an open history's last event two, one
    or zero working days before the due date, often a pause (the working days left then stay
    the same at any later moment). Receipts fall around the 15:00 same-day cut-off (± 1
    minute), on interval edges, at night, just before Tết, 24/11, a make-up Saturday, a
    notice's bridge day or a holiday (or so that the deadline lands next to one); pauses span
    weekends and days off; supplement requests (a restart) come next to pauses; a reschedule
    comes exactly one working day before the due date. One history in five comes from a
    free walk of the state machine, for breadth. See docs/testing.md.

    With ``outcome``, every history evaluates to that outcome (or one of that set) on
    ``calendar`` with ``policy``, by construction: a finished or excluded outcome as of its
    last event or any later moment; an open outcome (ON_TRACK, DUE_SOON, OVERDUE) as of its
    last event. A procedure that cannot reach the outcome (a same-day rule is never on track;
    a rule longer than ``min_date..max_date`` is never late) is drawn again, and after three
    tries the example is rejected.

    The RESCHEDULED rule depends on the calendar and on the deadline policy, and so do the
    outcomes: evaluate the dossier with the same ones. To see a calendar drawn from a
    strategy, share it: ``cal = st.shared(calendars(), key="cal")``, pass ``calendar=cal``
    and draw ``cal`` in the test too.

    Args:
        calendar: ``None`` for the national calendar ``vietnam_calendar()``, a calendar, or a
            strategy of calendars; it must cover ``min_date..max_date``.
        procedures: a procedure or a strategy of them; by default :func:`procedures`, half
            of the time with short rules (at most 10 working days, same-day, hours, 30
            calendar days, 3 months).
        min_date: the earliest local date of an event.
        max_date: the latest local date of an event.
        max_events: the most events in a history (>= 1).
        aware: ``False`` for naive local times, ``True`` for aware times (in Asia/Ho_Chi_Minh,
            UTC, +07:00, Europe/Paris or America/New_York), ``None`` for either.
        terminal: ``None``: histories may end anywhere; ``True``: every history ends with a
            terminal event (RESOLVED, REJECTED, RETURNED, WITHDRAWN or CANCELLED); ``False``:
            no history has one (still open); an EventKind or a set of them: every history
            ends with one of these kinds.
        policy: the deadline policy the histories are built for (the RESCHEDULED rule, the
            outcomes); the default one by default.
        outcome: ``None`` (the mix above), an :class:`~tthc_sla.Outcome`, or a set of them
            (drawn with equal weight).

    Returns:
        A strategy of :class:`~tthc_sla.Dossier`.

    Raises:
        InvalidArgument: bad dates, ``max_events`` too small for ``terminal`` or ``outcome``,
            an ``outcome`` that ``terminal`` rules out, a calendar that does not cover the
            dates, or arguments of the wrong type.

    Examples:
        >>> from datetime import date, datetime
        >>> from hypothesis import given, settings
        >>> from tthc_sla import EventKind, Outcome, evaluate, vietnam_calendar
        >>> @settings(max_examples=20)
        ... @given(dossiers(min_date=date(2026, 1, 1), max_date=date(2026, 12, 31),
        ...                 terminal=EventKind.RESOLVED))
        ... def test(d):
        ...     e = evaluate(d, vietnam_calendar(), as_of=datetime(2027, 1, 1))
        ...     assert e.outcome.is_finished
        >>> test()
        >>> @settings(max_examples=20)
        ... @given(dossiers(outcome=Outcome.ON_TIME))
        ... def test_on_time(d):
        ...     e = evaluate(d, vietnam_calendar(), as_of=datetime(2036, 1, 1))
        ...     assert e.outcome is Outcome.ON_TIME
        >>> test_on_time()
    """
    spec = _spec(
        calendar, procedures, min_date, max_date, max_events, aware, terminal, policy, 1, outcome
    )
    return _dossiers(spec)


# --------------------------------------------------------------------------- invalid histories


@attrs.frozen
class _Breakage:
    rule: str
    index: int
    event: Event


def _between(draw: st.DrawFn, lo: datetime | None, hi: datetime | None, spec: _Spec) -> datetime:
    """A local moment in [lo, hi] (either bound may be open: then within a few days)."""
    if lo is None and hi is None:
        return datetime.combine(spec.min_date, time(9))
    if lo is None:
        assert hi is not None
        floor = datetime.combine(spec.min_date, time())
        return max(floor, hi - draw(st.integers(0, 3 * 86_400)) * timedelta(seconds=1))
    if hi is None:
        ceiling = datetime.combine(spec.max_date, time.max)
        return min(ceiling, lo + draw(st.integers(0, 10 * 86_400)) * timedelta(seconds=1))
    span = int((hi - lo) / timedelta(seconds=1))
    return min(hi, lo + draw(st.integers(0, max(0, span))) * timedelta(seconds=1))


def _candidates(built: _Built, rule: str, spec: _Spec) -> list[int]:
    """The insertion positions at which breaking ``rule`` is the only problem."""
    models = built.models
    events = built.dossier.events
    n = len(events)
    steps = {s.name for s in built.dossier.procedure.steps}
    out: list[int] = []
    first_resched = next((i for i, e in enumerate(events) if e.kind is _K.RESCHEDULED), None)
    hi = datetime.combine(spec.max_date, time.max)
    for p in range(n + 1):
        m = models[p]
        prev = built.locals[p - 1] if p else None
        nxt = built.locals[p] if p < n else None
        s = m.state
        ok = False
        if rule in ("out_of_order", "mixed_timezones"):
            ok = p >= 1 and _HARMLESS[s] is not None
            if rule == "out_of_order":
                ok = ok and prev is not None and prev > datetime.combine(spec.min_date, time())
        elif rule == "resumed_without_pause":
            ok = s in (_S.OPEN, _S.SUPPLEMENT)
        elif rule == "second_receipt":
            ok = m.received
        elif rule == "after_terminal":
            ok = s in (_S.RESOLVED, _S.RETURNED, _S.ENDED)
        elif rule == "second_reschedule":
            ok = s is _S.OPEN and first_resched is not None and p > first_resched
        elif rule == "late_reschedule":
            ok = (
                s is _S.OPEN
                and not m.rescheduled
                and m.due_date is not None
                and datetime.combine(m.due_date, time()) <= (nxt or hi)
            )
        elif rule == "step_not_started":
            ok = s is _S.OPEN and bool(steps - m.running)
        elif rule == "not_received":
            ok = s is _S.NEW
        if ok:
            out.append(p)
    return out


def _breakage(draw: st.DrawFn, built: _Built, rule: str, p: int, spec: _Spec) -> _Breakage:
    m = built.models[p]
    n = len(built.locals)
    prev = built.locals[p - 1] if p else None
    nxt = built.locals[p] if p < n else None
    proc = built.dossier.procedure
    steps = sorted(s.name for s in proc.steps)
    tz = built.tz
    kind: EventKind
    step: str | None = None
    new_due: datetime | None = None
    at = _between(draw, prev, nxt, spec)
    if rule in ("out_of_order", "mixed_timezones"):
        harmless = _HARMLESS[m.state]
        assert harmless is not None
        kind = harmless
        if rule == "out_of_order":
            assert prev is not None
            floor = datetime.combine(spec.min_date, time())
            back = draw(st.integers(1, 3 * 86_400)) * timedelta(seconds=1)
            at = max(floor, prev - back)
        else:
            tz = draw(st.sampled_from(_ZONES)) if built.tz is None else None
    elif rule == "resumed_without_pause":
        kind = _K.RESUMED
    elif rule == "second_receipt":
        kind = _K.RECEIVED
    elif rule == "after_terminal":
        options = [k for k in _K if k is not _K.RECEIVED and k not in _NEXT[m.state]]
        kind = draw(st.sampled_from(options))
    elif rule == "second_reschedule":
        kind = _K.RESCHEDULED
    elif rule == "late_reschedule":
        kind = _K.RESCHEDULED
        assert m.due_date is not None
        floor = datetime.combine(m.due_date, time())
        at = _between(draw, max(prev, floor) if prev else floor, nxt, spec)
    elif rule == "step_not_started":
        kind = _K.STEP_FINISHED
        step = draw(st.sampled_from(sorted(set(steps) - m.running)))
    else:  # not_received
        options = [
            _K.STEP_STARTED,
            _K.STEP_FINISHED,
            _K.SUPPLEMENT_REQUESTED,
            _K.SUPPLEMENT_RECEIVED,
            _K.PAUSED,
            _K.RESUMED,
            _K.RESCHEDULED,
            _K.RESOLVED,
            _K.REJECTED,
        ]  # not RETURNED: before a receipt it also comes before any resolution (two rules)
        if not steps:
            options = options[2:]
        kind = draw(st.sampled_from(options))
    if kind in (_K.STEP_STARTED, _K.STEP_FINISHED) and step is None:
        step = draw(st.sampled_from(steps or ["Thẩm định"]))
    if kind is _K.RESCHEDULED:
        base = m.due_at or at
        new_due = base + draw(st.integers(1, 30 * 24 * 60)) * timedelta(minutes=1)
    event = Event(
        _styled(at, tz), kind, step=step, new_due=None if new_due is None else _styled(new_due, tz)
    )
    return _Breakage(rule, p, event)


def _ending(
    spec: _Spec, final_ok: frozenset[EventKind] | None, allow_terminal: bool, max_events: int
) -> _Spec:
    """``spec`` for histories that end as ``final_ok`` and ``allow_terminal`` say, with at most
    ``max_events`` events, and the outcomes such histories can have."""
    targets = tuple(
        o
        for o in Outcome
        if _unreachable(o, final_ok, allow_terminal, spec.policy, max_events) is None
    )
    return attrs.evolve(
        spec,
        final_ok=final_ok,
        allow_terminal=allow_terminal,
        max_events=max_events,
        targets=targets,
        walk=True,
    )


@st.composite
def _invalid_dossiers(
    draw: st.DrawFn, spec: _Spec, rules: tuple[str, ...]
) -> tuple[Dossier, str, int]:
    wanted = draw(st.sampled_from(rules))
    final_ok, allow_terminal = spec.final_ok, spec.allow_terminal
    if wanted == "after_terminal":
        final_ok, allow_terminal = _TERMINAL_KINDS, True
    elif wanted == "late_reschedule":
        final_ok, allow_terminal = None, False
    # Half of the valid histories the defect goes into are built towards an outcome, as
    # dossiers() builds them (a boundary of the deadline), half come from the free walk.
    base = _ending(spec, final_ok, allow_terminal, spec.max_events - 1)
    if draw(st.booleans()) and base.targets:
        built = _build_for(draw, base)
    else:
        built = _build(
            draw,
            attrs.evolve(spec, final_ok=final_ok, allow_terminal=allow_terminal),
            max_events=spec.max_events - 1,
            reschedule={"second_reschedule": "prefer", "late_reschedule": "avoid"}.get(wanted),
        )
    feasible = {r: _candidates(built, r, spec) for r in rules}
    if not feasible[wanted]:
        others = [r for r in rules if feasible[r]]
        if not others:
            reject()
        wanted = draw(st.sampled_from(others))
    p = draw(st.sampled_from(feasible[wanted]))
    broken = _breakage(draw, built, wanted, p, spec)
    events = list(built.dossier.events)
    events.insert(p, broken.event)
    return attrs.evolve(built.dossier, events=tuple(events)), wanted, p


def invalid_dossiers(
    *,
    calendar: WorkingCalendar | SearchStrategy[WorkingCalendar] | None = None,
    procedures: Procedure | SearchStrategy[Procedure] | None = None,
    min_date: date = date(2015, 1, 1),
    max_date: date = date(2035, 12, 31),
    max_events: int = 12,
    aware: bool | None = False,
    rules: Iterable[str] | None = None,
    policy: DeadlinePolicy | None = None,
) -> SearchStrategy[tuple[Dossier, str, int]]:
    """Dossiers whose history breaks exactly one rule, with the rule and the event's index.

    Each example is ``(dossier, rule, index)``: a valid history (as from :func:`dossiers`)
    with one event inserted at ``index`` that breaks ``rule``, so that the events before it
    are valid and skipping it leaves a valid history. The rules (:data:`BROKEN_RULES`):

    * ``"out_of_order"``: earlier than the previous event;
    * ``"resumed_without_pause"``: RESUMED while the clock runs or a supplement is awaited;
    * ``"second_receipt"``: a second RECEIVED;
    * ``"after_terminal"``: any event after a resolution (other than RETURNED), a hand-over,
      a withdrawal or a cancellation;
    * ``"second_reschedule"``: a second RESCHEDULED;
    * ``"late_reschedule"``: RESCHEDULED on or after the due date (less than one working day
      before it);
    * ``"step_not_started"``: STEP_FINISHED for a step of the procedure that is not running;
    * ``"not_received"``: a processing event before RECEIVED;
    * ``"mixed_timezones"``: a naive time in an aware history, or the reverse.

    Evaluate with ``as_of`` at or after the last event: later events are not seen.

    Args:
        calendar: as for :func:`dossiers`.
        procedures: as for :func:`dossiers`.
        min_date: as for :func:`dossiers`.
        max_date: as for :func:`dossiers`.
        max_events: the most events, the inserted one included (>= 2).
        aware: as for :func:`dossiers`.
        rules: the rules to break, a subset of :data:`BROKEN_RULES`; all by default.
        policy: as for :func:`dossiers`.

    Returns:
        A strategy of ``(Dossier, rule, index)`` tuples.

    Raises:
        InvalidArgument: as for :func:`dossiers`, or an unknown rule.

    Examples:
        >>> from datetime import datetime
        >>> from hypothesis import given, settings
        >>> from tthc_sla import HistoryError, evaluate, vietnam_calendar
        >>> @settings(max_examples=20)
        ... @given(invalid_dossiers(rules=["second_receipt"]))
        ... def test(case):
        ...     dossier, rule, index = case
        ...     try:
        ...         evaluate(dossier, vietnam_calendar(), as_of=datetime(2036, 1, 1))
        ...     except HistoryError as e:
        ...         assert e.index == index
        >>> test()
    """
    if rules is None:
        chosen = BROKEN_RULES
    else:
        if isinstance(rules, str) or not isinstance(rules, Iterable):
            raise InvalidArgument(f"rules={rules!r} must be an iterable of rule names")
        chosen = tuple(dict.fromkeys(rules))
        unknown = [r for r in chosen if r not in BROKEN_RULES]
        if unknown or not chosen:
            raise InvalidArgument(
                f"rules={rules!r}: expected a non-empty subset of {list(BROKEN_RULES)}"
            )
    spec = _spec(calendar, procedures, min_date, max_date, max_events, aware, None, policy, 2)
    return _invalid_dossiers(spec, chosen)
