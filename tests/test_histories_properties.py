"""Properties of histories and their evaluation, drawn with the public strategies only.

The strategies of ``tthc_sla.testing`` are what users get; these tests are their first users.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from tthc_sla import (
    Dossier,
    Evaluation,
    Event,
    EventKind,
    HistoryError,
    Outcome,
    Procedure,
    ProcessingTimeKind,
    WorkingCalendar,
    evaluate,
    vietnam_calendar,
)
from tthc_sla.testing import (
    BROKEN_RULES,
    calendars,
    dossiers,
    invalid_dossiers,
    procedures,
    processing_times,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
K = EventKind
# One calendar per example, shared between the test and the dossier strategy.
CAL = st.shared(calendars(), key="calendar")
RANK = {Outcome.EARLY: 0, Outcome.ON_TIME: 1, Outcome.LATE: 2}
# Day rules only: hour rules exclude paused time exactly, not in whole days (DESIGN §5).
DAY_RULES = processing_times(
    kinds=[
        ProcessingTimeKind.WORKING_DAYS,
        ProcessingTimeKind.CALENDAR_DAYS,
        ProcessingTimeKind.MONTHS,
        ProcessingTimeKind.SAME_DAY,
        ProcessingTimeKind.IMMEDIATE,
    ]
)
# The words each broken rule is reported with (DESIGN §5: the error names the rule broken).
RULE_WORDS = {
    "out_of_order": "out of order",
    "resumed_without_pause": "RESUMED without a PAUSED",
    "second_receipt": "second receipt",
    "after_terminal": "after the dossier was",
    "second_reschedule": "second RESCHEDULED",
    "late_reschedule": "later than one working day before the due date",
    "step_not_started": "never started",
    "not_received": "before the dossier was received",
    "mixed_timezones": "naive and aware",
}
MOMENTS = st.datetimes(datetime(2015, 1, 1), datetime(2035, 12, 31))
GAPS = st.integers(0, 40 * 24 * 60).map(lambda m: timedelta(minutes=m))


def _local(t: datetime) -> datetime:
    return t.astimezone(VN).replace(tzinfo=None) if t.tzinfo is not None else t


def _styled_like(d: Dossier, local: datetime) -> datetime:
    """A local wall time in the style of the dossier's first event (which sets the style)."""
    return local.replace(tzinfo=VN) if d.events[0].at.tzinfo is not None else local


def _last_moment(d: Dossier) -> datetime:
    return _styled_like(d, max(_local(e.at) for e in d.events))


def _received(cal: WorkingCalendar, d: Dossier, at: datetime) -> tuple[date, datetime]:
    e = evaluate(d, cal, as_of=at)
    assert e.due_date is not None
    assert e.due_at is not None
    return e.due_date, e.due_at


# --------------------------------------------------------------------------- valid histories


@settings(max_examples=150, deadline=None)
@given(CAL, dossiers(calendar=CAL, aware=None), GAPS)
def test_valid_histories_evaluate_without_changing_the_dossier(
    cal: WorkingCalendar, d: Dossier, later: timedelta
) -> None:
    before, digest = attrs.asdict(d), hash(d)
    as_of = _last_moment(d) + later
    e = evaluate(d, cal, as_of=as_of)
    assert isinstance(e.outcome, Outcome)
    assert e.warnings == ()
    assert attrs.asdict(d) == before
    assert hash(d) == digest
    assert e.dossier == d
    assert e.outcome is _expected_outcome(cal, d, e, _local(as_of))


def _expected_outcome(cal: WorkingCalendar, d: Dossier, e: Evaluation, as_of: datetime) -> Outcome:
    """DESIGN §7, default policy, from the evaluation's own deadline."""
    kinds = {ev.kind for ev in d.events}
    if kinds & {K.WITHDRAWN, K.CANCELLED}:
        return Outcome.EXCLUDED
    if K.RECEIVED not in kinds:
        return Outcome.NOT_RECEIVED
    assert e.due_date is not None
    assert e.due_at is not None
    due_date, due_at = e.due_date, _local(e.due_at)
    exact = d.procedure.rule.kind is ProcessingTimeKind.WORKING_HOURS  # judged by moment
    if e.completed_at is not None:
        finish = _local(e.completed_at)
        if (exact and finish > due_at) or finish.date() > due_date:
            assert e.late_working_days == max(0, cal.working_days_between(due_date, finish.date()))
            return Outcome.LATE
        return Outcome.ON_TIME if finish.date() == due_date else Outcome.EARLY
    if (exact and as_of > due_at) or as_of.date() > due_date:
        return Outcome.OVERDUE
    if cal.working_days_between(as_of.date(), due_date) <= 1:
        return Outcome.DUE_SOON
    return Outcome.ON_TRACK


@settings(max_examples=150, deadline=None)
@given(CAL, invalid_dossiers(calendar=CAL, aware=None))
def test_invalid_histories_fail_at_the_known_event(
    cal: WorkingCalendar, case: tuple[Dossier, str, int]
) -> None:
    d, rule, index = case
    as_of = _last_moment(d)
    with pytest.raises(HistoryError) as info:
        evaluate(d, cal, as_of=as_of)
    assert info.value.index == index
    assert RULE_WORDS[rule] in info.value.rule
    e = evaluate(d, cal, as_of=as_of, strict=False)
    assert len(e.warnings) == 1
    assert f"event {index}:" in e.warnings[0]


# --------------------------------------------------------------------------- algebra of pauses


@settings(max_examples=100, deadline=None)
@given(
    CAL,
    procedures(rules=DAY_RULES, max_steps=0),
    MOMENTS,
    st.floats(0, 1),
    GAPS,
)
def test_a_pause_of_k_working_days_moves_the_due_date_by_k(
    cal: WorkingCalendar, proc: Procedure, t0: datetime, where: float, length: timedelta
) -> None:
    plain = Dossier("P", proc, [Event(t0, K.RECEIVED)])
    due_date, due_at = _received(cal, plain, t0)
    pause = t0 + (due_at - t0) * where  # inside the period
    resume = pause + length
    paused = attrs.evolve(
        plain, events=(*plain.events, Event(pause, K.PAUSED), Event(resume, K.RESUMED))
    )
    e = evaluate(paused, cal, as_of=resume)
    k = cal.working_days_between(pause.date(), resume.date())
    assert e.due_date == cal.add_working_days(due_date, k)
    assert e.excluded_working_days == k


@settings(max_examples=100, deadline=None)
@given(CAL, procedures(supplement="restart", max_steps=0), MOMENTS, GAPS, GAPS, GAPS)
def test_a_restart_equals_a_fresh_receipt_at_the_supplement(
    cal: WorkingCalendar,
    proc: Procedure,
    t0: datetime,
    wait: timedelta,
    away: timedelta,
    work: timedelta,
) -> None:
    requested = t0 + wait
    supplemented = requested + away
    finished = supplemented + work
    restarted = Dossier(
        "R",
        proc,
        [
            Event(t0, K.RECEIVED),
            Event(requested, K.SUPPLEMENT_REQUESTED),
            Event(supplemented, K.SUPPLEMENT_RECEIVED),
            Event(finished, K.RESOLVED),
        ],
    )
    fresh = attrs.evolve(
        restarted, events=(Event(supplemented, K.RECEIVED), Event(finished, K.RESOLVED))
    )
    a = evaluate(restarted, cal, as_of=finished)
    b = evaluate(fresh, cal, as_of=finished)
    assert (a.outcome, a.due_at, a.due_date, a.received_at, a.late_working_days) == (
        b.outcome,
        b.due_at,
        b.due_date,
        b.received_at,
        b.late_working_days,
    )


# --------------------------------------------------------------------------- monotonicity, replay


@settings(max_examples=100, deadline=None)
@given(CAL, dossiers(calendar=CAL, aware=None, terminal=K.RESOLVED), GAPS)
def test_a_later_resolution_is_never_better(
    cal: WorkingCalendar, d: Dossier, delay: timedelta
) -> None:
    last = d.events[-1]
    later = attrs.evolve(d, events=(*d.events[:-1], attrs.evolve(last, at=last.at + delay)))
    as_of = _last_moment(later)
    a = evaluate(d, cal, as_of=as_of)
    b = evaluate(later, cal, as_of=as_of)
    if a.outcome is Outcome.NOT_RECEIVED:  # no receipt: nothing to judge
        assert b.outcome is Outcome.NOT_RECEIVED
        return
    assert RANK[a.outcome] <= RANK[b.outcome]
    assert a.late_working_days <= b.late_working_days


@settings(max_examples=100, deadline=None)
@given(CAL, dossiers(calendar=CAL, aware=None), st.data())
def test_evaluation_as_of_a_moment_equals_the_truncated_history(
    cal: WorkingCalendar, d: Dossier, data: st.DataObject
) -> None:
    i = data.draw(st.integers(0, len(d.events) - 1), label="event")
    m = _styled_like(d, _local(d.events[i].at) + data.draw(GAPS, label="after"))
    seen = tuple(e for e in d.events if _local(e.at) <= _local(m))
    truncated = attrs.evolve(d, events=seen)
    full = evaluate(d, cal, as_of=m)
    assert attrs.evolve(full, dossier=truncated) == evaluate(truncated, cal, as_of=m)


# --------------------------------------------------------------------------- registration, args


@settings(max_examples=30, deadline=None)
@given(st.from_type(Dossier))
def test_from_type_draws_valid_dossiers(d: Dossier) -> None:
    # Registered through the hypothesis entry point; valid on the national calendar.
    e = evaluate(d, vietnam_calendar(), as_of=_last_moment(d))
    assert e.warnings == ()


@pytest.mark.parametrize(
    "make",
    [
        lambda: dossiers(max_events=0),
        lambda: dossiers(min_date=date(2030, 1, 1), max_date=date(2020, 1, 1)),
        lambda: dossiers(min_date=datetime(2020, 1, 1)),
        lambda: dossiers(terminal=K.RETURNED, max_events=2),
        lambda: dossiers(terminal=K.PAUSED),
        lambda: dossiers(calendar=vietnam_calendar(years=(2020, 2021))),
        lambda: dossiers(aware="yes"),
        lambda: invalid_dossiers(rules=["no_such_rule"]),
        lambda: invalid_dossiers(max_events=1),
        lambda: calendars(min_year=2030, max_year=2020),
        lambda: processing_times(kinds=[]),
        lambda: processing_times(max_amount=0),
        lambda: procedures(max_steps=-1),
        lambda: procedures(supplement="restart later"),
    ],
)
def test_bad_arguments_are_refused(make: object) -> None:
    with pytest.raises(InvalidArgument):
        make()  # type: ignore[operator]


def test_every_rule_has_its_words() -> None:
    assert set(RULE_WORDS) == set(BROKEN_RULES)
