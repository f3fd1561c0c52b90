"""Evaluation of dossier histories: each rule of DESIGN §5–7 worked by hand.

Every evaluation names its ``as_of`` moment, so that no test depends on today's date.

Calendar facts used (2026): Tuesday 24/11 is Ngày Văn hóa Việt Nam (off); weekends are off.
Working days from Monday 16/11/2026: 17, 18, 19, 20, 23, 25, 26, 27, 30/11, 1/12, 2/12 ...
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tthc_sla import (
    DeadlinePolicy,
    Dossier,
    Event,
    EventKind,
    HistoryError,
    Outcome,
    Procedure,
    Step,
    evaluate,
    vietnam_calendar,
)

CAL = vietnam_calendar()
DT = datetime
K = EventKind
P5 = Procedure("1.001", "Cấp giấy phép", "5wd")  # 5 working days
AS_OF = DT(2027, 1, 31)


def dossier(*events: Event, proc: Procedure = P5, **kw: object) -> Dossier:
    return Dossier("HS-1", proc, events, **kw)  # type: ignore[arg-type]


def ev(*args: object, **kw: object) -> Event:
    return Event(*args, **kw)  # type: ignore[arg-type]


def received_mon_16() -> Event:
    return ev(DT(2026, 11, 16, 9), K.RECEIVED)  # due Mon 23/11 (17, 18, 19, 20, 23)


# --------------------------------------------------------------------------- finished


@pytest.mark.parametrize(
    ("finish", "outcome", "late_days"),
    [
        (DT(2026, 11, 20, 16), Outcome.EARLY, 0),  # a day before the due date
        (DT(2026, 11, 23, 8), Outcome.ON_TIME, 0),  # on the due date
        (DT(2026, 11, 23, 16, 59), Outcome.ON_TIME, 0),
        (DT(2026, 11, 25, 9), Outcome.LATE, 1),  # Tue 24 off: Wed 25 is 1 working day late
        (DT(2026, 11, 27, 9), Outcome.LATE, 3),
    ],
)
def test_finished_outcomes_by_date(finish: datetime, outcome: Outcome, late_days: int) -> None:
    e = evaluate(dossier(received_mon_16(), ev(finish, K.RESOLVED)), CAL, as_of=AS_OF)
    assert e.due_date == date(2026, 11, 23)
    assert e.due_at == DT(2026, 11, 23, 17)
    assert e.outcome is outcome
    assert e.late_working_days == late_days
    assert e.completed_at == finish
    assert e.finish_kind is K.RESOLVED


def test_late_time_counts_working_time_past_the_due_moment() -> None:
    # Due Mon 23/11 17:00; resolved Wed 25/11 09:30: Tue 24 off, 07:30-09:30 = 2 h late.
    e = evaluate(
        dossier(received_mon_16(), ev(DT(2026, 11, 25, 9, 30), K.RESOLVED)), CAL, as_of=AS_OF
    )
    assert e.late_time == timedelta(hours=2)


def test_rejection_after_appraisal_is_judged_like_a_resolution() -> None:
    e = evaluate(dossier(received_mon_16(), ev(DT(2026, 11, 25, 9), K.REJECTED)), CAL, as_of=AS_OF)
    assert e.outcome is Outcome.LATE
    assert e.finish_kind is K.REJECTED


def test_same_time_policy_judges_by_moment() -> None:
    same = DeadlinePolicy(due_time="same_time")
    # Received Mon 16/11 09:00, due Mon 23/11 09:00. Resolved 23/11 at 08:59: on time; 10:00: late.
    on = dossier(received_mon_16(), ev(DT(2026, 11, 23, 8, 59), K.RESOLVED))
    late = dossier(received_mon_16(), ev(DT(2026, 11, 23, 10), K.RESOLVED))
    assert evaluate(on, CAL, policy=same, as_of=AS_OF).outcome is Outcome.ON_TIME
    e = evaluate(late, CAL, policy=same, as_of=AS_OF)
    assert e.outcome is Outcome.LATE
    assert e.late_working_days == 0  # late on the due date itself
    assert e.late_time == timedelta(hours=1)
    # The default policy calls the same 10:00 finish on time (judged by date).
    assert evaluate(late, CAL, as_of=AS_OF).outcome is Outcome.ON_TIME


def test_hour_rules_are_judged_by_moment() -> None:
    proc = Procedure("2.002", "Chứng thực", "04 giờ làm việc")
    # Received Mon 23/11 15:00: 2 h Monday, then 2 h Wednesday (24 off) -> due Wed 09:30.
    received = ev(DT(2026, 11, 23, 15), K.RECEIVED)
    e = evaluate(
        dossier(received, ev(DT(2026, 11, 25, 9, 45), K.RESOLVED), proc=proc), CAL, as_of=AS_OF
    )
    assert e.due_at == DT(2026, 11, 25, 9, 30)
    assert e.outcome is Outcome.LATE
    e = evaluate(
        dossier(received, ev(DT(2026, 11, 25, 9, 15), K.RESOLVED), proc=proc), CAL, as_of=AS_OF
    )
    assert e.outcome is Outcome.ON_TIME


def test_finish_on_return_policy() -> None:
    events = (
        received_mon_16(),
        ev(DT(2026, 11, 23, 10), K.RESOLVED),
        ev(DT(2026, 11, 25, 8), K.RETURNED),
    )
    assert evaluate(dossier(*events), CAL, as_of=AS_OF).outcome is Outcome.ON_TIME
    returned = evaluate(
        dossier(*events), CAL, policy=DeadlinePolicy(finish="returned"), as_of=AS_OF
    )
    assert returned.outcome is Outcome.LATE
    assert returned.completed_at == DT(2026, 11, 25, 8)
    # Resolved but not yet handed over: still open under the "returned" policy.
    e = evaluate(
        dossier(*events[:2]),
        CAL,
        as_of=DT(2026, 11, 23, 12),
        policy=DeadlinePolicy(finish="returned"),
    )
    assert e.outcome is Outcome.DUE_SOON


# --------------------------------------------------------------------------- open


@pytest.mark.parametrize(
    ("as_of", "outcome", "late_days"),
    [
        (DT(2026, 11, 18, 12), Outcome.ON_TRACK, 0),  # Wed 18: 19, 20, 23 left = 3 days
        (DT(2026, 11, 20, 12), Outcome.DUE_SOON, 0),  # Fri 20: only Mon 23 left
        (DT(2026, 11, 23, 16), Outcome.DUE_SOON, 0),  # the due date itself
        (DT(2026, 11, 24, 9), Outcome.OVERDUE, 0),  # a day off after the due date
        (DT(2026, 11, 26, 9), Outcome.OVERDUE, 2),  # 25, 26
    ],
)
def test_open_outcomes(as_of: datetime, outcome: Outcome, late_days: int) -> None:
    e = evaluate(dossier(received_mon_16()), CAL, as_of=as_of)
    assert e.outcome is outcome
    assert e.late_working_days == late_days
    assert e.completed_at is None


def test_as_of_sees_only_earlier_events() -> None:
    d = dossier(received_mon_16(), ev(DT(2026, 11, 25, 9), K.RESOLVED))
    assert evaluate(d, CAL, as_of=DT(2026, 11, 20, 12)).outcome is Outcome.DUE_SOON
    assert evaluate(d, CAL, as_of=DT(2026, 11, 24, 12)).outcome is Outcome.OVERDUE
    assert evaluate(d, CAL, as_of=DT(2026, 11, 25, 12)).outcome is Outcome.LATE
    before = evaluate(d, CAL, as_of=DT(2026, 11, 16, 8))
    assert before.outcome is Outcome.NOT_RECEIVED


def test_submitted_only_and_withdrawn() -> None:
    sub = ev(DT(2026, 11, 14, 20), K.SUBMITTED)
    assert evaluate(dossier(sub), CAL, as_of=AS_OF).outcome is Outcome.NOT_RECEIVED
    gone = dossier(received_mon_16(), ev(DT(2026, 11, 30, 9), K.WITHDRAWN))
    e = evaluate(gone, CAL, as_of=AS_OF)
    assert e.outcome is Outcome.EXCLUDED
    assert evaluate(dossier(sub, ev(DT(2026, 11, 15), K.CANCELLED)), CAL, as_of=AS_OF).outcome is (
        Outcome.EXCLUDED
    )


# --------------------------------------------------------------------------- restart, pause


def test_supplement_restarts_the_clock() -> None:
    # Received Mon 16/11; supplement requested Wed 18; complete dossier back Mon 30/11 10:00.
    # Decree 61/2018 art. 19(4): the 5 days run again from 30/11: 1, 2, 3, 4, 7/12.
    events = (
        received_mon_16(),
        ev(DT(2026, 11, 18, 10), K.SUPPLEMENT_REQUESTED),
        ev(DT(2026, 11, 30, 10), K.SUPPLEMENT_RECEIVED),
        ev(DT(2026, 12, 7, 16), K.RESOLVED),
    )
    e = evaluate(dossier(*events), CAL, as_of=AS_OF)
    assert e.due_date == date(2026, 12, 7)
    assert e.received_at == DT(2026, 11, 30, 10)
    assert e.outcome is Outcome.ON_TIME
    assert any("clock restarts" in line for line in e.timeline)


def test_supplement_under_pause_semantics_excludes_the_wait() -> None:
    proc = Procedure("3.003", "Đất đai", "5wd", supplement="pause")
    events = (
        received_mon_16(),
        ev(DT(2026, 11, 18, 10), K.SUPPLEMENT_REQUESTED),
        ev(DT(2026, 11, 20, 10), K.SUPPLEMENT_RECEIVED),
    )
    # Waiting Wed 18 -> Fri 20 = 2 working days (19, 20) excluded: 23/11 + 2 = 26/11 (24 off).
    e = evaluate(dossier(*events, proc=proc), CAL, as_of=DT(2026, 11, 21))
    assert e.due_date == date(2026, 11, 26)
    assert e.excluded_working_days == 2


def test_pause_moves_the_due_date_by_whole_working_days() -> None:
    events = (
        received_mon_16(),
        ev(DT(2026, 11, 17, 15), K.PAUSED),  # financial obligation
        ev(DT(2026, 11, 25, 8), K.RESUMED),  # (17, 25] = 18, 19, 20, 23, 25: 5 working days
        ev(DT(2026, 12, 1, 10), K.RESOLVED),
    )
    e = evaluate(dossier(*events), CAL, as_of=AS_OF)
    # 23/11 + 5 working days = 25, 26, 27, 30/11, 1/12.
    assert e.due_date == date(2026, 12, 1)
    assert e.excluded_working_days == 5
    assert e.outcome is Outcome.ON_TIME
    assert any("deadline moved by 5 working day(s)" in line for line in e.timeline)


def test_pause_under_same_time_is_exact_working_time() -> None:
    same = DeadlinePolicy(due_time="same_time")
    events = (
        received_mon_16(),  # due Mon 23/11 09:00
        ev(DT(2026, 11, 17, 15), K.PAUSED),
        ev(DT(2026, 11, 17, 16, 30), K.RESUMED),  # 1 h 30 min excluded
    )
    e = evaluate(dossier(*events), CAL, policy=same, as_of=DT(2026, 11, 18))
    assert e.due_at == DT(2026, 11, 23, 10, 30)
    assert e.excluded_time == timedelta(hours=1, minutes=30)


def test_still_paused_at_as_of_is_not_overdue() -> None:
    events = (received_mon_16(), ev(DT(2026, 11, 17, 9), K.PAUSED))
    # Paused since Tue 17: as of Mon 30/11 the clock has been stopped for (17, 30] =
    # 18, 19, 20, 23, (24 off), 25, 26, 27, 30 = 8 working days: due 23/11 + 8 = Fri 4/12.
    e = evaluate(dossier(*events), CAL, as_of=DT(2026, 11, 30, 12))
    assert e.outcome is Outcome.ON_TRACK
    assert e.due_date == date(2026, 12, 4)


# --------------------------------------------------------------------------- reschedule


def test_reschedule_does_not_make_a_late_dossier_on_time() -> None:
    events = (
        received_mon_16(),
        # Apology on Thu 19/11, at least one working day before the due date 23/11.
        ev(DT(2026, 11, 19, 10), K.RESCHEDULED, new_due=DT(2026, 11, 27, 17)),
        ev(DT(2026, 11, 26, 10), K.RESOLVED),
    )
    e = evaluate(dossier(*events), CAL, as_of=AS_OF)
    assert e.outcome is Outcome.LATE
    assert e.met_rescheduled
    assert e.rescheduled_due == DT(2026, 11, 27, 17)
    later = evaluate(dossier(*events[:2], ev(DT(2026, 11, 30, 10), K.RESOLVED)), CAL, as_of=AS_OF)
    assert later.outcome is Outcome.LATE
    assert not later.met_rescheduled


def test_reschedule_too_late_or_twice_is_an_error() -> None:
    too_late = dossier(
        received_mon_16(),
        # Fri 20/11: (20, 23] holds one working day, still allowed; Mon 23/11 itself is not.
        ev(DT(2026, 11, 23, 8), K.RESCHEDULED, new_due=DT(2026, 11, 27, 17)),
    )
    with pytest.raises(HistoryError, match=r"event 1: RESCHEDULED on 2026-11-23, later than"):
        evaluate(too_late, CAL, as_of=AS_OF)
    ok = dossier(received_mon_16(), ev(DT(2026, 11, 20, 8), K.RESCHEDULED, new_due=DT(2026, 12, 1)))
    assert evaluate(ok, CAL, as_of=DT(2026, 11, 21)).rescheduled_due == DT(2026, 12, 1)
    twice = dossier(
        received_mon_16(),
        ev(DT(2026, 11, 17, 8), K.RESCHEDULED, new_due=DT(2026, 11, 27, 17)),
        ev(DT(2026, 11, 18, 8), K.RESCHEDULED, new_due=DT(2026, 11, 30, 17)),
    )
    with pytest.raises(HistoryError, match="only once"):
        evaluate(twice, CAL, as_of=AS_OF)


# --------------------------------------------------------------------------- steps and units

PROC_STEPS = Procedure(
    "4.004",
    "Cấp phép xây dựng",
    "5wd",
    steps=(
        Step("Thẩm định", "Phòng Quản lý đô thị", "3wd"),
        Step("Ký duyệt", "Lãnh đạo UBND", "1wd"),
    ),
)


def test_steps_chain_from_their_actual_start_and_late_units_are_named() -> None:
    events = (
        received_mon_16(),  # due Mon 23/11
        ev(DT(2026, 11, 16, 10), K.STEP_STARTED, step="Thẩm định"),  # due Thu 19/11
        ev(DT(2026, 11, 23, 9), K.STEP_FINISHED, step="Thẩm định"),  # 2 days late
        ev(DT(2026, 11, 23, 10), K.STEP_STARTED, step="Ký duyệt"),  # due Wed 25/11 (24 off)
        ev(DT(2026, 11, 25, 9), K.STEP_FINISHED, step="Ký duyệt"),  # on time
        ev(DT(2026, 11, 25, 10), K.RESOLVED),
    )
    e = evaluate(dossier(*events, proc=PROC_STEPS), CAL, as_of=AS_OF)
    assert e.outcome is Outcome.LATE
    first, second = e.steps
    assert (first.step, first.unit, first.due_at) == (
        "Thẩm định",
        "Phòng Quản lý đô thị",
        DT(2026, 11, 19, 17),
    )
    assert first.outcome is Outcome.LATE
    assert second.due_at == DT(2026, 11, 25, 17)
    assert second.outcome is Outcome.ON_TIME
    assert e.late_units == ("Phòng Quản lý đô thị",)


def test_open_overdue_step_is_attributed() -> None:
    events = (received_mon_16(), ev(DT(2026, 11, 16, 10), K.STEP_STARTED, step="Thẩm định"))
    e = evaluate(dossier(*events, proc=PROC_STEPS), CAL, as_of=DT(2026, 11, 25, 9))
    assert e.outcome is Outcome.OVERDUE
    assert e.steps[0].outcome is Outcome.OVERDUE
    assert e.late_units == ("Phòng Quản lý đô thị",)


def test_on_time_dossier_has_no_late_units_even_if_a_step_overran() -> None:
    events = (
        received_mon_16(),
        ev(DT(2026, 11, 16, 10), K.STEP_STARTED, step="Thẩm định"),
        ev(DT(2026, 11, 20, 9), K.STEP_FINISHED, step="Thẩm định"),  # 1 day late
        ev(DT(2026, 11, 20, 10), K.RESOLVED),
    )
    e = evaluate(dossier(*events, proc=PROC_STEPS), CAL, as_of=AS_OF)
    assert e.outcome is Outcome.EARLY
    assert e.steps[0].outcome is Outcome.LATE
    assert e.late_units == ()


# --------------------------------------------------------------------------- other inputs


def test_difficult_area_dossier_gets_the_extra_days() -> None:
    proc = Procedure("5.005", "Đăng ký đất đai", "3wd", extra_days_difficult_area=10)
    plain = evaluate(dossier(received_mon_16(), proc=proc), CAL, as_of=DT(2026, 11, 17))
    far = evaluate(
        dossier(received_mon_16(), proc=proc, difficult_area=True), CAL, as_of=DT(2026, 11, 17)
    )
    assert plain.due_date == date(2026, 11, 19)
    assert far.due_date == date(2026, 12, 4)  # 13 working days (see test_deadline)


def test_aware_history_gives_aware_results() -> None:
    received = ev(DT(2026, 11, 16, 2, tzinfo=UTC), K.RECEIVED)  # 09:00 in Hà Nội
    e = evaluate(dossier(received), CAL, as_of=DT(2026, 11, 18, tzinfo=UTC))
    assert e.due_at == DT(2026, 11, 23, 10, tzinfo=UTC)  # 17:00 local
    with pytest.raises(Exception, match="naive and aware"):
        evaluate(dossier(received), CAL, as_of=DT(2026, 11, 18))


# --------------------------------------------------------------------------- broken histories


@pytest.mark.parametrize(
    ("events", "index", "fragment"),
    [
        (
            (ev(DT(2026, 11, 16, 9), K.STEP_STARTED, step="x"),),
            0,
            "before the dossier was received",
        ),
        (
            (received_mon_16(), ev(DT(2026, 11, 15, 9), K.RESOLVED)),
            1,
            "out of order",
        ),
        ((received_mon_16(), ev(DT(2026, 11, 17), K.RESUMED)), 1, "RESUMED without a PAUSED"),
        ((received_mon_16(), ev(DT(2026, 11, 17), K.RECEIVED)), 1, "a second receipt"),
        (
            (received_mon_16(), ev(DT(2026, 11, 17), K.RESOLVED), ev(DT(2026, 11, 18), K.PAUSED)),
            2,
            "after the dossier was resolved",
        ),
        (
            (received_mon_16(), ev(DT(2026, 11, 17), K.STEP_FINISHED, step="Ký")),
            1,
            "finished but never started",
        ),
        (
            (received_mon_16(), ev(DT(2026, 11, 17), K.PAUSED), ev(DT(2026, 11, 18), K.RESOLVED)),
            2,
            "while the clock is paused",
        ),
        (
            (received_mon_16(), ev(DT(2026, 11, 17, tzinfo=UTC), K.RESOLVED)),
            1,
            "naive and aware",
        ),
    ],
)
def test_broken_histories(events: tuple[Event, ...], index: int, fragment: str) -> None:
    d = dossier(*events)
    with pytest.raises(HistoryError, match=fragment) as info:
        evaluate(d, CAL, as_of=AS_OF)
    assert info.value.dossier_id == "HS-1"
    assert info.value.index == index
    # Non-strict: the offending event is skipped and reported.
    e = evaluate(d, CAL, as_of=AS_OF, strict=False)
    assert len(e.warnings) == 1
    assert f"event {index}" in e.warnings[0]


def test_empty_history() -> None:
    with pytest.raises(HistoryError, match="no events"):
        evaluate(dossier(), CAL, as_of=AS_OF)
    assert evaluate(dossier(), CAL, strict=False, as_of=AS_OF).warnings


def test_evaluation_does_not_mutate_its_input() -> None:
    d = dossier(received_mon_16(), ev(DT(2026, 11, 17, 9), K.PAUSED))
    before = (d, hash(d), d.events)
    evaluate(d, CAL, as_of=DT(2026, 11, 30))
    assert (d, hash(d), d.events) == before


def test_a_pause_over_no_working_time_does_not_move_an_exact_deadline() -> None:
    # 6 working hours from Mon 16/11 09:00: 2.5 h to 11:30, 3.5 h from 13:30 -> 17:00.
    # A pause over the lunch break (12:00-13:00) excludes no working time.
    proc = Procedure("6.006", "Cấp bản sao", "6h")
    events = (
        received_mon_16(),
        ev(DT(2026, 11, 16, 12), K.PAUSED),
        ev(DT(2026, 11, 16, 13), K.RESUMED),
    )
    e = evaluate(dossier(*events, proc=proc), CAL, as_of=DT(2026, 11, 16, 17, 30))
    assert e.due_at == DT(2026, 11, 16, 17)
    assert e.outcome is Outcome.OVERDUE


def test_results_are_the_same_values_attrs_would_build() -> None:
    # The replay fills Evaluation and StepResult without calling the classes (for speed); the
    # instances must be indistinguishable from the ones attrs' __init__ builds.
    import attrs

    from tthc_sla import Evaluation, StepResult

    proc = Procedure("1.002", "Thẩm định", "5wd", steps=(Step("Thẩm định", "Phòng A", "2wd"),))
    e = evaluate(
        dossier(
            ev(DT(2026, 11, 16, 9), "received"),
            ev(DT(2026, 11, 16, 10), "step_started", step="Thẩm định"),
            ev(DT(2026, 11, 30, 10), "step_finished", step="Thẩm định"),
            ev(DT(2026, 11, 30, 15), "resolved"),
            proc=proc,
        ),
        CAL,
        as_of=AS_OF,
    )
    for value, cls in ((e, Evaluation), (e.steps[0], StepResult)):
        names = [f.name for f in attrs.fields(cls)]  # type: ignore[arg-type]
        assert list(vars(value)) == names
        rebuilt = cls(*(getattr(value, name) for name in names))
        assert rebuilt == value
        assert hash(rebuilt) == hash(value)
        assert repr(rebuilt) == repr(value)
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            value.outcome = Outcome.EARLY  # type: ignore[misc]
    assert e.outcome is Outcome.LATE
    assert e.late_units == ("Phòng A",)


def test_arguments_of_the_wrong_type_are_named() -> None:
    from tthc_sla import InputTypeError

    d = dossier(ev(DT(2026, 11, 16, 9), "received"))
    with pytest.raises(InputTypeError, match="dossier"):
        evaluate("HS-1", CAL, as_of=AS_OF)  # type: ignore[arg-type]
    with pytest.raises(InputTypeError, match="calendar"):
        evaluate(d, "vietnam", as_of=AS_OF)  # type: ignore[arg-type]
    with pytest.raises(InputTypeError, match="policy"):
        evaluate(d, CAL, as_of=AS_OF, policy="end_of_day")  # type: ignore[arg-type]
    with pytest.raises(InputTypeError, match="as_of"):
        evaluate(d, CAL, as_of="2026-11-30")  # type: ignore[arg-type]
    with pytest.raises(TypeError):  # InputTypeError is a TypeError too
        evaluate(d, None)  # type: ignore[arg-type]
