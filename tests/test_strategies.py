"""The strategies of ``tthc_sla.testing`` aim where SLA bugs hide: outcomes on demand,
as-of moments at the deadline's boundaries, boundaries met by default, arguments checked.

The outcome tests check, draw by draw, that a history built for an outcome evaluates to it:
the strategies build it from their own model of DESIGN §5-§7, and ``evaluate`` judges it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from tthc_sla import (
    DeadlinePolicy,
    Dossier,
    Event,
    EventKind,
    Outcome,
    Procedure,
    WorkingCalendar,
    evaluate,
    vietnam_calendar,
)
from tthc_sla.testing import as_of_moments, calendars, dossiers

VN = ZoneInfo("Asia/Ho_Chi_Minh")
K = EventKind
O = Outcome  # noqa: E741
CAL = st.shared(calendars(), key="calendar")
GAPS = st.integers(0, 40 * 24 * 60).map(lambda m: timedelta(minutes=m))
NATIONAL = vietnam_calendar()
# A finished, excluded or unreceived dossier keeps its outcome at any later moment; an open
# one is built to have it as of its last event.
LASTING = (O.EARLY, O.ON_TIME, O.LATE, O.EXCLUDED, O.NOT_RECEIVED)


def _local(t: datetime) -> datetime:
    return t.astimezone(VN).replace(tzinfo=None) if t.tzinfo is not None else t


def _styled_like(d: Dossier, local: datetime) -> datetime:
    return local.replace(tzinfo=VN) if d.events[0].at.tzinfo is not None else local


def _last(d: Dossier) -> datetime:
    return _styled_like(d, max(_local(e.at) for e in d.events))


# --------------------------------------------------------------------------- outcome=


@pytest.mark.parametrize("outcome", list(Outcome), ids=lambda o: o.name)
@settings(max_examples=20, deadline=None)
@given(data=st.data())
def test_every_draw_evaluates_to_the_asked_outcome(outcome: Outcome, data: st.DataObject) -> None:
    cal = data.draw(CAL, label="calendar")
    d = data.draw(dossiers(calendar=cal, aware=None, outcome=outcome), label="dossier")
    assert evaluate(d, cal, as_of=_last(d)).outcome is outcome
    if outcome in LASTING:
        later = _last(d) + data.draw(GAPS, label="later")
        assert evaluate(d, cal, as_of=later).outcome is outcome


POLICIES = [
    DeadlinePolicy(due_time="same_time"),
    DeadlinePolicy(receipt_day_counts=True),
    DeadlinePolicy(finish="returned"),
    DeadlinePolicy(after_hours=time(17, 0)),
    DeadlinePolicy(same_day_cutoff=time(16, 30)),
]


@settings(max_examples=30, deadline=None)
@given(
    st.sampled_from(POLICIES),
    st.sets(st.sampled_from(list(Outcome)), min_size=1, max_size=3),
    st.data(),
)
def test_outcomes_hold_for_the_policy_they_were_built_for(
    policy: DeadlinePolicy, wanted: set[Outcome], data: st.DataObject
) -> None:
    d = data.draw(dossiers(policy=policy, outcome=wanted, min_date=date(2024, 1, 1),
                           max_date=date(2027, 12, 31)))  # fmt: skip
    assert evaluate(d, NATIONAL, as_of=_last(d), policy=policy).outcome in wanted


@settings(max_examples=40, deadline=None)
@given(dossiers(outcome={O.EARLY, O.LATE}, terminal=K.RETURNED, max_events=4))
def test_outcome_and_terminal_together(d: Dossier) -> None:
    assert d.events[-1].kind is K.RETURNED
    assert len(d.events) <= 4
    assert evaluate(d, NATIONAL, as_of=_last(d)).outcome in (O.EARLY, O.LATE)


@settings(max_examples=40, deadline=None)
@given(dossiers(outcome=O.DUE_SOON, procedures=Procedure("2.000815", "Chứng thực", "same-day")))
def test_a_same_day_procedure_reaches_due_soon(d: Dossier) -> None:
    # The due date is the receipt day (by 15:00) or the next working day: due soon at once.
    assert evaluate(d, NATIONAL, as_of=_last(d)).outcome is O.DUE_SOON


@pytest.mark.parametrize("most", [1, 2, 3, 5])
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_histories_stay_within_max_events(most: int, data: st.DataObject) -> None:
    d = data.draw(dossiers(max_events=most))
    assert 1 <= len(d.events) <= most
    assert evaluate(d, NATIONAL, as_of=_last(d)).warnings == ()


# --------------------------------------------------------------------------- as_of_moments


FIVE_DAYS = Procedure("1.001", "Cấp giấy phép", "5wd")
FOUR_HOURS = Procedure("1.002", "Cấp bản sao", "4h")


@settings(max_examples=40, deadline=None)
@given(dossiers(aware=None), st.data())
def test_as_of_moments_follow_the_last_event_in_its_style(d: Dossier, data: st.DataObject) -> None:
    moment = data.draw(as_of_moments(d))
    assert (moment.tzinfo is None) == (d.events[0].at.tzinfo is None)
    assert _local(moment) >= _local(_last(d))
    evaluate(d, NATIONAL, as_of=moment)  # a valid evaluation moment


@settings(max_examples=40, deadline=None)
@given(dossiers(terminal=K.RESOLVED), st.data())
def test_replayed_moments_lie_between_the_first_event_and_later(
    d: Dossier, data: st.DataObject
) -> None:
    moment = data.draw(as_of_moments(d, replay=True))
    assert moment >= min(e.at for e in d.events) - timedelta(microseconds=1)


def _outcomes_seen(d: Dossier, strategy: st.SearchStrategy[datetime]) -> set[Outcome]:
    seen: set[Outcome] = set()

    @settings(max_examples=150, derandomize=True, database=None, deadline=None)
    @given(strategy)
    def collect(as_of: datetime) -> None:
        seen.add(evaluate(d, NATIONAL, as_of=as_of).outcome)

    collect()
    return seen


def test_as_of_moments_reach_each_open_outcome() -> None:
    # Received Monday 16/11/2026, 5 working days: due Monday 23/11 (24/11 is a day off).
    d = Dossier("HS-1", FIVE_DAYS, [Event(datetime(2026, 11, 16, 9), K.RECEIVED)])
    assert _outcomes_seen(d, as_of_moments(d)) == {O.ON_TRACK, O.DUE_SOON, O.OVERDUE}


def test_replay_reaches_the_open_outcomes_of_a_finished_dossier() -> None:
    d = Dossier("HS-2", FIVE_DAYS, [
        Event(datetime(2026, 11, 16, 9), K.RECEIVED),
        Event(datetime(2026, 11, 25, 10), K.RESOLVED),
    ])  # fmt: skip
    assert _outcomes_seen(d, as_of_moments(d)) == {O.LATE}
    assert {O.ON_TRACK, O.DUE_SOON, O.OVERDUE, O.LATE} <= _outcomes_seen(
        d, as_of_moments(d, replay=True)
    )


def test_as_of_moments_meet_the_due_moment_of_an_hour_rule() -> None:
    # 4 working hours from Monday 16:00: 1 hour on Monday, 3 on Tuesday -> 10:30.
    d = Dossier("HS-3", FOUR_HOURS, [Event(datetime(2026, 11, 16, 16), K.RECEIVED)])
    due = datetime(2026, 11, 17, 10, 30)
    seen: set[datetime] = set()

    @settings(max_examples=200, derandomize=True, database=None, deadline=None)
    @given(as_of_moments(d))
    def collect(as_of: datetime) -> None:
        seen.add(as_of)

    collect()
    assert {due, due + timedelta(microseconds=1)} <= seen


# --------------------------------------------------------------------------- boundaries


def _boundaries(cal: WorkingCalendar, d: Dossier, as_of: datetime) -> set[str]:
    """The boundaries of docs/testing.md that a drawn dossier meets."""
    out: set[str] = set()
    if d.events[0].at.tzinfo is not None:
        return out
    e = evaluate(d, cal, as_of=as_of)
    kinds = [x.kind for x in d.events]
    if e.due_date is None or e.due_at is None:
        return out
    due, p1 = e.due_date, cal.add_working_days(e.due_date, -1)
    close = cal.close_of_day(due)
    finish = e.completed_at
    if finish is not None and finish.date() == due:
        out.add("finish on the due date after its close" if finish > close else "finish on time")
    if finish is not None and finish.date() == p1:
        out.add("finish the working day before the due date")
    if finish is not None and finish.date() == cal.add_working_days(due, 1):
        out.add("finish the working day after the due date")
    if e.outcome.is_open:
        left = cal.working_days_between(as_of.date(), due)
        if 0 <= left <= 2:
            out.add(f"open with {left} working day(s) left")
    for x in d.events:
        if x.kind in (K.RECEIVED, K.SUPPLEMENT_RECEIVED):
            minutes = abs((datetime.combine(x.at.date(), time(15)) - x.at) / timedelta(minutes=1))
            if minutes <= 1:
                out.add("receipt at 15:00 ± 1 minute")
            ahead = (date(x.at.year, 11, 24) - x.at.date()).days
            if x.at.year >= 2026 and 1 <= ahead <= 7:
                out.add("receipt in the week before 24/11")
        if x.at.date() in {day for day, _ in cal.make_up_workdays(x.at.year)}:
            out.add("an event on a make-up Saturday")
        if x.kind is K.RESCHEDULED and x.at.date() == p1:
            out.add("reschedule one working day before the due date")
    for a, b in zip(d.events, d.events[1:], strict=False):
        if a.kind is K.PAUSED and b.kind is K.RESUMED:
            days = [a.at.date() + timedelta(days=i) for i in range((b.at - a.at).days + 1)]
            if any(not cal.is_working_day(day) for day in days):
                out.add("a pause over days off")
        if {a.kind, b.kind} == {K.RESUMED, K.SUPPLEMENT_REQUESTED} or (
            {a.kind, b.kind} == {K.SUPPLEMENT_RECEIVED, K.PAUSED}
        ):
            out.add("a supplement request next to a pause")
    if e.met_rescheduled:
        out.add("late but by the new appointment")
    if K.REJECTED in kinds:
        out.add("a refusal")
    return out


EXPECTED_BOUNDARIES = {
    "finish on the due date after its close",
    "finish on time",
    "finish the working day before the due date",
    "finish the working day after the due date",
    "open with 0 working day(s) left",
    "open with 1 working day(s) left",
    "open with 2 working day(s) left",
    "receipt at 15:00 ± 1 minute",
    "receipt in the week before 24/11",
    "an event on a make-up Saturday",
    "reschedule one working day before the due date",
    "a pause over days off",
    "a supplement request next to a pause",
    "late but by the new appointment",
    "a refusal",
}


def test_the_default_strategy_meets_the_boundaries() -> None:
    met: set[str] = set()

    @settings(max_examples=300, derandomize=True, database=None, deadline=None)
    @given(dossiers(), GAPS)
    def collect(d: Dossier, gap: timedelta) -> None:
        met.update(_boundaries(NATIONAL, d, _last(d) + gap))

    collect()
    assert met >= EXPECTED_BOUNDARIES, EXPECTED_BOUNDARIES - met


# --------------------------------------------------------------------------- arguments


ONE = Dossier("HS-1", FIVE_DAYS, [Event(datetime(2026, 1, 5, 9), K.RECEIVED)])
BAD: list[Callable[[], object]] = [
    lambda: dossiers(outcome="on_time"),  # type: ignore[arg-type]
    lambda: dossiers(outcome=[]),
    lambda: dossiers(outcome=[O.EARLY, "late"]),  # type: ignore[list-item]
    lambda: dossiers(outcome=O.ON_TRACK, terminal=True),
    lambda: dossiers(outcome=O.EARLY, terminal=False),
    lambda: dossiers(outcome=O.EXCLUDED, terminal=K.RESOLVED),
    lambda: dossiers(outcome=O.LATE, max_events=1),
    lambda: dossiers(outcome=O.DUE_SOON, max_events=1),
    lambda: dossiers(outcome=O.LATE, terminal=K.RESOLVED, policy=DeadlinePolicy(finish="returned")),
    lambda: dossiers(outcome=O.LATE, policy=DeadlinePolicy(finish="returned"), max_events=2),
    lambda: as_of_moments("HS-1"),  # type: ignore[arg-type]
    lambda: as_of_moments(Dossier("HS-1", FIVE_DAYS, [])),
    lambda: as_of_moments(ONE, calendar="VN"),  # type: ignore[arg-type]
    lambda: as_of_moments(ONE, policy="default"),  # type: ignore[arg-type]
    lambda: as_of_moments(ONE, replay=1),  # type: ignore[arg-type]
]


@pytest.mark.parametrize("make", BAD)
def test_bad_arguments_are_refused(make: Callable[[], object]) -> None:
    with pytest.raises(InvalidArgument):
        make()


def test_the_message_says_why_an_outcome_cannot_be_reached() -> None:
    with pytest.raises(InvalidArgument, match="terminal event"):
        dossiers(outcome=O.LATE, terminal=False)
    with pytest.raises(InvalidArgument, match="at least 2 events"):
        dossiers(outcome=O.ON_TRACK, max_events=1)


def test_good_arguments_are_accepted() -> None:
    dossiers(outcome=O.NOT_RECEIVED, max_events=1)
    dossiers(outcome=O.EXCLUDED, max_events=1, terminal=K.CANCELLED)
    dossiers(outcome=(O.EARLY, O.ON_TIME), terminal=True)
    dossiers(outcome=O.LATE, policy=DeadlinePolicy(finish="returned"), max_events=3)
