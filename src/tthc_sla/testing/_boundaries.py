"""Where SLA bugs hide: the days and moments the history strategies aim at.

An SLA system goes wrong at a boundary: a resolution on the due date after 17:00, a receipt a
minute after the 15:00 cut-off, a deadline that steps over Tết, 24/11 or a make-up Saturday,
an evaluation one or two working days before the due date. A history drawn uniformly in time
meets these boundaries rarely, so a 100-example test misses the bugs; the strategies draw
them on purpose, beside uniform draws that keep the breadth.

This module holds the pieces that do not depend on the history model: the special days of a
calendar (:func:`anchor`), times of day for a receipt (:func:`receipt_time`), the boundary
moments of a day (:func:`marks`), the moment that decides an outcome against a deadline
(:func:`deciding_moment`, :func:`window`), and the public :func:`as_of_moments`. Every
moment here is naive local wall time; the caller styles it.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta, tzinfo
from typing import TypeVar
from zoneinfo import ZoneInfo

import attrs
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy

from tthc_sla.calendar import WorkingCalendar, vietnam_calendar
from tthc_sla.errors import TthcSlaError
from tthc_sla.evaluation import Outcome, evaluate
from tthc_sla.history import Dossier, EventKind
from tthc_sla.rules import DeadlinePolicy

__all__ = [
    "Due",
    "anchor",
    "as_of_moments",
    "deciding_moment",
    "end_of",
    "later_moment",
    "marks",
    "moment_in",
    "pick",
    "receipt_time",
    "start_of",
    "window",
]

T = TypeVar("T")
_US = timedelta(microseconds=1)
_MIN = timedelta(minutes=1)
_DAY = timedelta(days=1)
_VN = ZoneInfo("Asia/Ho_Chi_Minh")
#: Gaps after the last event for the as-of moments that are not boundaries (minutes).
_MAX_GAP_MINUTES = 40 * 24 * 60


def start_of(d: date) -> datetime:
    return datetime.combine(d, time())


def end_of(d: date) -> datetime:
    return datetime.combine(d, time.max)


def pick(draw: st.DrawFn, items: Sequence[T]) -> T:
    """One of ``items`` (shrinking towards the first)."""
    return items[draw(st.integers(0, len(items) - 1))] if len(items) > 1 else items[0]


def moment_in(draw: st.DrawFn, lo: datetime, hi: datetime) -> datetime:
    """A moment in [lo, hi], to the minute (or ``lo``)."""
    span = int((hi - lo) / _MIN)
    return min(hi, lo + draw(st.integers(0, max(0, span))) * _MIN)


# --------------------------------------------------------------------------- special days


@functools.lru_cache(maxsize=32)
def _anchors(cal: WorkingCalendar, first: date, last: date) -> tuple[tuple[date, ...], ...]:
    """The special days in first..last, in groups to draw from (empty ones left out): Tết,
    24/11 (Ngày Văn hóa Việt Nam), make-up working days, the days off of official notices
    (bridges), the other statutory holidays, and the office's own overrides."""
    office = {o.date for o in cal.overrides}
    notice = {o.date for o in cal.notices}
    tet: list[date] = []
    culture: list[date] = []
    makeup: list[date] = []
    notice_off: list[date] = []
    holiday: list[date] = []
    own: list[date] = []
    lo, hi = max(first.year, cal.years[0]), min(last.year, cal.years[1])
    for year in range(lo, hi + 1):
        for d, name in cal.days_off(year, lang="en"):
            if not first <= d <= last:
                continue
            if d in office:
                own.append(d)
            elif d in notice:
                notice_off.append(d)
            elif "Lunar New Year" in name:
                tet.append(d)
            elif "Cultural Day" in name:
                culture.append(d)
            else:
                holiday.append(d)
        for d, _ in cal.make_up_workdays(year):
            if first <= d <= last:
                (own if d in office else makeup).append(d)
    # 24/11 (new in 2026: the day older systems miss) weighs triple.
    groups = (tet, culture, culture, culture, makeup, notice_off, holiday, own)
    return tuple(tuple(g) for g in groups if g)


def anchor(draw: st.DrawFn, cal: WorkingCalendar, first: date, last: date) -> date | None:
    """A special day of ``cal`` in first..last: the kind first, then a day of that kind."""
    groups = _anchors(cal, first, last)
    if not groups:
        return None
    return pick(draw, pick(draw, groups))


# --------------------------------------------------------------------------- times of day


@functools.lru_cache(maxsize=256)
def _day_groups(
    intervals: tuple[tuple[time, time], ...], cutoff: time
) -> tuple[tuple[time, ...], tuple[time, ...], tuple[time, ...]]:
    """(around the cut-off, working-interval edges, night) times of a day."""
    day = date(2000, 1, 3)

    def at(moment: datetime) -> time:
        return moment.time()

    c = datetime.combine(day, cutoff)
    close = datetime.combine(day, intervals[-1][1] if intervals else time(17))
    # The first of each group is what hypothesis draws first and shrinks to: the boundary
    # that reveals the most bugs (a minute after the cut-off, inside working hours).
    around = [at(c + _MIN), at(c - _MIN), cutoff, at(c + _US)]
    if close > c + _MIN:
        around += [at(c + (close - c) / 2), at(close - _US), at(close)]
    edges: list[time] = []
    for start, end in intervals:
        for t in (start, end):
            moment = datetime.combine(day, t)
            edges += [at(moment - _US), t, at(moment + _US)]
    if not edges:
        edges = [time(7, 30), time(12), time(17)]
    night = (time(0), time(23, 0), time(23, 30), time(23, 59), time(23, 59, 59, 999_999))
    return tuple(dict.fromkeys(around)), tuple(dict.fromkeys(edges)), night


# The groups of receipt_time, by weight: eleven choices.
_GROUPS = ("around",) * 3 + ("edges",) * 2 + ("night",) * 2 + ("inside",) * 3 + ("any",)
_FOCUSED = ("around",) * 6 + ("edges", "night", "inside", "inside", "any")


def receipt_time(
    draw: st.DrawFn, cal: WorkingCalendar, d: date, cutoff: time, *, focus: bool = False
) -> time:
    """A time of day for a receipt (or a supplement's return) on ``d``: around the same-day
    cut-off (15:00 ± 1 minute, up to the close), on a working interval's edge (± 1 µs), at
    night (the date changes an hour later), inside working hours, or anything. With
    ``focus`` (a same-day rule), around the cut-off most of the time."""
    intervals = tuple((s.time(), e.time()) for s, e in cal.working_intervals(d))
    around, edges, night = _day_groups(intervals, cutoff)
    group = (_FOCUSED if focus else _GROUPS)[draw(st.integers(0, 10))]
    if group == "around":
        return pick(draw, around)
    if group == "edges":
        return pick(draw, edges)
    if group == "night":
        return pick(draw, night)
    if group == "inside" and intervals:
        start, end = pick(draw, intervals)
        lo = datetime.combine(d, start)
        return moment_in(draw, lo, datetime.combine(d, end) - _MIN).time()
    return draw(st.times())


def marks(cal: WorkingCalendar, d: date, cutoff: time) -> list[datetime]:
    """The boundary moments of day ``d``: midnight, the working intervals' edges ± 1 µs, the
    cut-off ± 1 minute, the close ± 1 µs, half an hour after it, the last microsecond."""
    intervals = tuple((s.time(), e.time()) for s, e in cal.working_intervals(d))
    around, edges, _ = _day_groups(intervals, cutoff)
    times = {time(0), time(23, 59, 59, 999_999), *around, *edges}
    if intervals:
        close = datetime.combine(d, intervals[-1][1])
        times.add((close + timedelta(minutes=30)).time())
    return sorted(datetime.combine(d, t) for t in times)


def later_moment(
    draw: st.DrawFn, cal: WorkingCalendar, lo: datetime, hi: datetime, cutoff: time
) -> datetime:
    """A moment in [lo, hi]: the same one, later that day, days or weeks later."""
    if hi <= lo:
        return lo
    mode = draw(st.integers(0, 5))
    if mode == 0:
        return lo
    if mode <= 2:
        d = lo.date()
    elif mode <= 4:
        d = lo.date() + draw(st.integers(1, 10)) * _DAY
    else:
        d = lo.date() + draw(st.integers(11, 90)) * _DAY
    d = min(d, hi.date())
    t = datetime.combine(d, receipt_time(draw, cal, d, cutoff))
    return min(max(t, lo), hi)


# --------------------------------------------------------------------------- deciding moments


@attrs.frozen
class Due:
    """A deadline as the strategies see it: due date, due moment (local), and whether the
    outcome is judged by the moment (``due_time="same_time"``, hour rules) or by the date."""

    date: date
    at: datetime
    exact: bool


def _open_lo(due: Due) -> datetime:
    """The first moment past the deadline."""
    return due.at + _US if due.exact else start_of(due.date + _DAY)


def _last_in_time(due: Due) -> datetime:
    """The last moment still within the deadline."""
    return due.at if due.exact else end_of(due.date)


def window(
    outcome: Outcome, due: Due, cal: WorkingCalendar, lo: datetime, hi: datetime
) -> tuple[datetime, datetime] | None:
    """The moments in [lo, hi] at which a finish (for EARLY, ON_TIME, LATE) or an evaluation
    of an open dossier (ON_TRACK, DUE_SOON, OVERDUE) gives ``outcome`` against ``due``; None
    if there is none. DESIGN §7: by date, or by moment when ``due.exact``; due soon from the
    working day before the due date."""
    if outcome is Outcome.EARLY:
        a, b = lo, start_of(due.date) - _US
    elif outcome is Outcome.ON_TIME:
        a, b = max(lo, start_of(due.date)), _last_in_time(due)
    elif outcome in (Outcome.LATE, Outcome.OVERDUE):
        a, b = max(lo, _open_lo(due)), hi
    elif outcome is Outcome.ON_TRACK:
        a, b = lo, start_of(cal.add_working_days(due.date, -1)) - _US
    elif outcome is Outcome.DUE_SOON:
        a, b = max(lo, start_of(cal.add_working_days(due.date, -1))), _last_in_time(due)
    else:
        return None
    b = min(b, hi)
    return (a, b) if a <= b else None


def _days(a: date, b: date) -> list[date]:
    """The calendar days a..b."""
    return [a + i * _DAY for i in range((b - a).days + 1)]


def _groups(
    outcome: Outcome,
    due: Due,
    cal: WorkingCalendar,
    cutoff: time,
    rescheduled: datetime | None,
) -> list[list[datetime]]:
    """Boundary moments for ``outcome``, in groups; a group listed twice weighs double."""
    d = due.date
    on_due = marks(cal, d, cutoff)
    exact_marks = [due.at - _MIN, due.at - _US, due.at, due.at + _US, due.at + _MIN]
    if outcome is Outcome.EARLY:
        p1 = cal.add_working_days(d, -1)
        before = [m for day in _days(p1, d - _DAY) for m in marks(cal, day, cutoff)]
        return [marks(cal, p1, cutoff), before]
    if outcome is Outcome.ON_TIME:
        if due.exact:
            return [exact_marks[::-1], exact_marks, on_due]
        close = cal.close_of_day(d)
        in_hours = [m for m in on_due if m <= close]
        after = [m for m in on_due if m > close]
        return [after, in_hours, after, after]
    if outcome in (Outcome.LATE, Outcome.OVERDUE):
        n1 = cal.add_working_days(d, 1)
        next_days = [m for day in _days(d + _DAY, n1) for m in marks(cal, day, cutoff)]
        out = [next_days, marks(cal, n1, cutoff)]
        if due.exact:  # just past the due moment, on the due date
            out = [exact_marks, on_due] * 4 + out
        if outcome is Outcome.LATE and rescheduled is not None:
            # Late but by the new appointment (met_rescheduled), soon after the due date or
            # at the appointment itself; or just after the appointment.
            r = rescheduled
            if due.exact:
                met = [m for g in out for m in g if m <= r] + [r - _MIN, r]
                missed = [r + _US, r + _MIN]
            else:
                met = [m for g in out for m in g if m.date() <= r.date()]
                met += marks(cal, r.date(), cutoff)
                missed = marks(cal, r.date() + _DAY, cutoff)
            out = [met, met, missed, met, met, *out]
        return out
    p1 = cal.add_working_days(d, -1)
    if outcome is Outcome.ON_TRACK:
        p2 = cal.add_working_days(d, -2)
        two_left = [m for day in _days(p2, p1 - _DAY) for m in marks(cal, day, cutoff)]
        return [two_left] * 6
    # DUE_SOON: one working day left, or the due date itself.
    one_left = [m for day in _days(p1, d - _DAY) for m in marks(cal, day, cutoff)]
    return [on_due + (exact_marks if due.exact else []), one_left, on_due, one_left]


def deciding_moment(
    draw: st.DrawFn,
    outcome: Outcome,
    due: Due,
    cal: WorkingCalendar,
    lo: datetime,
    hi: datetime,
    cutoff: time,
    rescheduled: datetime | None = None,
) -> datetime | None:
    """A moment in [lo, hi] that gives ``outcome`` against ``due`` (see :func:`window`),
    most often a boundary: for a finish, the due date before and after the close, the
    working days before and after it, the due moment ± 1 µs / 1 minute, the new appointment
    of a rescheduled dossier; for an open dossier, two, one and zero working days before
    the due date, and just past it. None if no moment in [lo, hi] gives ``outcome``."""
    span = window(outcome, due, cal, lo, hi)
    if span is None:
        return None
    a, b = span
    candidates = _groups(outcome, due, cal, cutoff, rescheduled)
    groups = [g for g in ([m for m in c if a <= m <= b] for c in candidates) if g]
    choice = draw(st.integers(0, len(groups)))  # the last choice: anywhere in the window
    if choice < len(groups):
        return pick(draw, groups[choice])
    if outcome in (Outcome.LATE, Outcome.OVERDUE) and draw(st.booleans()):
        b = min(b, a + 60 * _DAY)  # mostly within two months of the due date
    if outcome in (Outcome.EARLY, Outcome.ON_TRACK) and draw(st.booleans()):
        return a  # at once (the same moment as the last event)
    return moment_in(draw, a, b)


# --------------------------------------------------------------------------- as-of moments


def _local(t: datetime) -> datetime:
    return t.astimezone(_VN).replace(tzinfo=None) if t.tzinfo is not None else t


def _styler(dossier: Dossier) -> tzinfo | None:
    return dossier.events[0].at.tzinfo


def _around(cal: WorkingCalendar, due: Due, cutoff: time) -> list[datetime]:
    """Evaluation moments around a deadline: two, one and zero working days before it, the
    due moment ± 1 µs / 1 minute, and the days after it up to the next working day."""
    d = due.date
    first = cal.add_working_days(d, -2)
    last = cal.add_working_days(d, 1)
    out = [m for day in _days(first, last) for m in marks(cal, day, cutoff)]
    out += [due.at - _MIN, due.at - _US, due.at, due.at + _US, due.at + _MIN]
    return sorted(set(out))


@attrs.frozen
class _Plan:
    last: datetime  # local
    after: tuple[datetime, ...]  # boundary moments at or after the last event
    before: tuple[datetime, ...]  # boundary moments between the receipt and the last event
    tz: tzinfo | None


def _plan(dossier: Dossier, cal: WorkingCalendar, policy: DeadlinePolicy, replay: bool) -> _Plan:
    locals_ = [_local(e.at) for e in dossier.events]
    last = max(locals_)
    tz = _styler(dossier)
    cutoff = policy.same_day_cutoff

    def styled(m: datetime) -> datetime:
        return m if tz is None else m.replace(tzinfo=_VN).astimezone(tz)

    def due_as_of(m: datetime) -> Due | None:
        e = evaluate(dossier, cal, as_of=styled(m), policy=policy, strict=False)
        if e.due_date is None or e.due_at is None:
            return None
        return Due(e.due_date, _local(e.due_at), e.by_moment)

    after: list[datetime] = []
    before: list[datetime] = []
    # A deadline past the calendar ends the search: the moments found so far are kept, and the
    # gaps after the last event are drawn as for any dossier.
    with contextlib.suppress(TthcSlaError):
        due = due_as_of(last)
        if due is not None:
            after = [m for m in _around(cal, due, cutoff) if m >= last]
        if replay:
            clock = (EventKind.RECEIVED, EventKind.SUPPLEMENT_RECEIVED)
            events = zip(locals_, dossier.events, strict=True)
            received = [t for t, e in events if e.kind in clock]
            start = min(received, default=last)
            moments = sorted({t for t in locals_ if start <= t < last})
            for i, t in enumerate(moments):
                nxt = moments[i + 1] if i + 1 < len(moments) else last
                before += [t, nxt - _US]
                due_t = due_as_of(t)
                if due_t is not None:
                    before += [m for m in _around(cal, due_t, cutoff) if t <= m < nxt]
    return _Plan(last, tuple(after), tuple(sorted(set(before))), tz)


@st.composite
def _as_of_moments(
    draw: st.DrawFn,
    dossier: Dossier,
    cal: WorkingCalendar,
    policy: DeadlinePolicy,
    replay: bool,
    cache: list[_Plan],
) -> datetime:
    if not cache:
        cache.append(_plan(dossier, cal, policy, replay))
    plan = cache[0]
    groups = [g for g in (plan.after, plan.after, plan.before, plan.before) if g]
    choice = draw(st.integers(0, len(groups)))
    if choice < len(groups):
        m = pick(draw, groups[choice])
    else:
        m = plan.last + draw(st.integers(0, _MAX_GAP_MINUTES)) * _MIN
    return m if plan.tz is None else m.replace(tzinfo=_VN).astimezone(plan.tz)


def as_of_moments(
    dossier: Dossier,
    *,
    calendar: WorkingCalendar | None = None,
    policy: DeadlinePolicy | None = None,
    replay: bool = False,
) -> SearchStrategy[datetime]:
    """Moments to evaluate ``dossier`` at, aimed at the boundaries of its deadline.

    Most moments are boundaries of the deadline as of the dossier's last event: two, one and
    zero working days before the due date (on track / due soon), the due date before and
    after its close, the due moment ± 1 µs and ± 1 minute (for rules judged by moment), and
    the days after it up to the next working day (overdue); the others lie up to 40 days
    after the last event. Every moment is at or after the last event, unless ``replay``:
    then some lie between the receipt and the last event, around the deadline as it stood
    then (an evaluation as of a moment sees only the events up to it, DESIGN §7: a report
    replayed at the end of last month). A dossier paused at its last event keeps the same
    number of working days left at any later moment.

    The moments are in the dossier's style: naive local time for a naive history, aware in
    the zone of its first event for an aware one.

    Args:
        dossier: the dossier to evaluate.
        calendar: the calendar it is evaluated on; ``vietnam_calendar()`` by default.
        policy: the deadline policy it is evaluated with; the default one by default.
        replay: also draw moments before the last event.

    Returns:
        A strategy of :class:`~datetime.datetime`.

    Raises:
        InvalidArgument: arguments of the wrong type, or a dossier without events.

    Examples:
        >>> from datetime import datetime
        >>> from hypothesis import given, settings
        >>> from tthc_sla import Dossier, Event, Procedure, evaluate, vietnam_calendar
        >>> d = Dossier("HS-1", Procedure("1.001", "Cấp phép", "5wd"),
        ...             [Event(datetime(2026, 11, 16, 9), "received")])
        >>> seen = set()
        >>> @settings(max_examples=60, database=None, derandomize=True)
        ... @given(as_of_moments(d))
        ... def test(as_of):
        ...     assert as_of >= datetime(2026, 11, 16, 9)
        ...     seen.add(evaluate(d, vietnam_calendar(), as_of=as_of).outcome.value)
        >>> test()
        >>> sorted(seen)
        ['due_soon', 'on_track', 'overdue']
    """
    if not isinstance(dossier, Dossier):
        raise InvalidArgument(f"dossier={dossier!r} must be a Dossier")
    if not dossier.events:
        raise InvalidArgument(f"dossier {dossier.id!r} has no events: nothing to evaluate")
    if calendar is None:
        calendar = vietnam_calendar()
    if not isinstance(calendar, WorkingCalendar):
        raise InvalidArgument(
            f"calendar={calendar!r} must be None (the national calendar) or a WorkingCalendar"
        )
    if policy is None:
        policy = DeadlinePolicy()
    if not isinstance(policy, DeadlinePolicy):
        raise InvalidArgument(f"policy={policy!r} must be a DeadlinePolicy")
    if not isinstance(replay, bool):
        raise InvalidArgument(f"replay={replay!r} must be True or False")
    return _as_of_moments(dossier, calendar, policy, replay, [])
