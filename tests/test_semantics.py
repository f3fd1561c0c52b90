"""The one definition of the semantics: its tables are complete, results are built through
constructors generated from the classes' fields, and the step rules are the same for every
kind of allotment."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import attrs
import pytest

from tthc_sla import (
    DeadlinePolicy,
    Dossier,
    Event,
    EventKind,
    Outcome,
    Procedure,
    Step,
    evaluate,
    vietnam_calendar,
)
from tthc_sla.evaluation import Evaluation, StepResult
from tthc_sla.evaluation._result import filler
from tthc_sla.history import EFFECT, TRANSITIONS, Effect, State

CAL = vietnam_calendar()


def test_every_event_kind_has_an_effect_and_every_state_a_row() -> None:
    assert set(EFFECT) == set(EventKind)
    assert set(TRANSITIONS) == set(State)
    assert set(EFFECT.values()) == set(Effect)  # no effect without an event kind


def test_filler_builds_what_the_class_builds() -> None:
    values = ("Thẩm định", "Phòng A", datetime(2026, 11, 20, 9), None, None, Outcome.LATE)
    assert filler(StepResult)(*values) == StepResult(*values)
    fields = [f.name for f in attrs.fields(StepResult)]
    assert filler(StepResult)(**dict(zip(fields, values, strict=True))) == StepResult(*values)


def test_filler_refuses_a_class_it_would_bypass_a_check_of() -> None:
    @attrs.frozen(slots=False)
    class Checked:
        n: int = attrs.field(validator=attrs.validators.instance_of(int))

    with pytest.raises(TypeError, match="bypass"):
        filler(Checked)
    with pytest.raises(TypeError, match="bypass"):
        filler(attrs.frozen(type("Slotted", (), {"__annotations__": {"n": int}})))


def test_an_evaluation_equals_one_built_by_its_class() -> None:
    p = Procedure("1.001", "Cấp phép", "2wd", steps=(Step("Thẩm định", "Phòng A", "1wd"),))
    d = Dossier(
        "HS-1",
        p,
        [
            Event(datetime(2026, 11, 20, 9), "received"),
            Event(datetime(2026, 11, 20, 10), "step_started", step="Thẩm định"),
            Event(datetime(2026, 11, 26, 9), "step_finished", step="Thẩm định"),
            Event(datetime(2026, 11, 26, 10), "resolved"),
        ],
    )
    e = evaluate(d, CAL, as_of=datetime(2026, 12, 1))
    rebuilt = Evaluation(**{f.name: getattr(e, f.name) for f in attrs.fields(Evaluation)})
    assert rebuilt == e
    assert e.outcome is Outcome.LATE  # due Wed 25/11 (Tue 24/11 is off), resolved Thu 26/11
    assert e.late_units == ("Phòng A",)


def test_a_step_deadline_is_not_moved_by_the_after_hours_rule() -> None:
    # The after-hours rule (Decree 297/2025 art. 3(5)) moves receipts, not a step handed over
    # late in the day, whatever the kind of allotment. A 2-calendar-day step started on Wed
    # 18/11/2026 at 16:30 is due Fri 20/11 at the close; finished Mon 23/11, it is late. (Before
    # the single dispatch, a calendar-day step was moved to Thu 19/11 08:00 and due Mon 23/11.)
    p = Procedure("1.002", "Xác nhận", "10wd", steps=(Step("Xác minh", "Công an xã", "2d"),))
    d = Dossier(
        "HS-2",
        p,
        [
            Event(datetime(2026, 11, 18, 9), "received"),
            Event(datetime(2026, 11, 18, 16, 30), "step_started", step="Xác minh"),
            Event(datetime(2026, 11, 23, 10), "step_finished", step="Xác minh"),
            Event(datetime(2026, 11, 23, 11), "resolved"),
        ],
    )
    policy = DeadlinePolicy(after_hours=time(16, 0))
    (step,) = evaluate(d, CAL, as_of=datetime(2026, 12, 1), policy=policy).steps
    assert step.due_at == datetime(2026, 11, 20, 17, 0)
    assert step.outcome is Outcome.LATE
    # A whole-working-day step was already counted from its start: 2wd from Wed is Fri.
    p2 = attrs.evolve(p, steps=(Step("Xác minh", "Công an xã", "2wd"),))
    (step2,) = evaluate(attrs.evolve(d, procedure=p2), CAL, as_of=datetime(2026, 12, 1),
                        policy=policy).steps  # fmt: skip
    assert step2.due_at == step.due_at
    assert step2.due_at.date() - date(2026, 11, 18) == timedelta(days=2)
