"""The opt-in after-hours receipt policy (Decree 297/2025/NĐ-CP art. 3(5)): a receipt after
17:00 or on a day off counts from 08:00 of the next working day. Off by default."""

from __future__ import annotations

import io
from datetime import UTC, datetime, time

import pytest

from tthc_sla import (
    DeadlinePolicy,
    Dossier,
    Event,
    InputTypeError,
    Outcome,
    PolicyError,
    Procedure,
    deadline,
    evaluate,
    vietnam_calendar,
)
from tthc_sla.cli import main

CAL = vietnam_calendar()
RULE_297 = DeadlinePolicy(after_hours=time(17, 0))


@pytest.mark.parametrize(
    ("received", "default_due", "policy_due"),
    [
        # Fri 20/11/2026 17:30. Default (receipt day not counted): Mon 23 (1), Tue 24 is Ngày
        # Văn hóa Việt Nam, Wed 25 (2), Thu 26 (3), Fri 27 (4), Mon 30 (5). Under the policy
        # the receipt counts from Mon 23 08:00, and Mon 23 is not counted: due Tue 1/12.
        (datetime(2026, 11, 20, 17, 30), datetime(2026, 11, 30, 17), datetime(2026, 12, 1, 17)),
        # Sun 22/11 10:00: the same two answers (a day off).
        (datetime(2026, 11, 22, 10), datetime(2026, 11, 30, 17), datetime(2026, 12, 1, 17)),
        # Fri 20/11 16:59: before 17:00 on a working day, nothing moves.
        (datetime(2026, 11, 20, 16, 59), datetime(2026, 11, 30, 17), datetime(2026, 11, 30, 17)),
    ],
)
def test_working_days(received: datetime, default_due: datetime, policy_due: datetime) -> None:
    assert deadline(received, "5wd", CAL).due_at == default_due
    d = deadline(received, "5wd", CAL, RULE_297)
    assert d.due_at == policy_due


def test_working_hours_and_clock_start() -> None:
    # 8 working hours from Fri 20/11 17:30. Default: from Mon 23 07:30, 4 h to 11:30 and 3.5 h
    # to 17:00 (7.5 h), Tue 24 is off, the last 0.5 h ends Wed 25 08:00. Under the policy from
    # Mon 23 08:00: 3.5 h + 3.5 h = 7 h, the last hour ends Wed 25 08:30.
    received = datetime(2026, 11, 20, 17, 30)
    assert deadline(received, "8h", CAL).due_at == datetime(2026, 11, 25, 8, 0)
    d = deadline(received, "8h", CAL, RULE_297)
    assert (d.due_at, d.clock_start) == (datetime(2026, 11, 25, 8, 30), datetime(2026, 11, 23, 8))


def test_receipt_day_counts_with_the_policy() -> None:
    # Counted from Mon 23/11 08:00, within working hours: Mon 23 is day 1; 5 working days end
    # Mon 30/11 (23, 25, 26, 27, 30).
    policy = DeadlinePolicy(after_hours=time(17, 0), receipt_day_counts=True)
    assert deadline(datetime(2026, 11, 20, 18), "5wd", CAL, policy).due_date.isoformat() == (
        "2026-11-30"
    )


def test_evaluate_uses_the_policy_and_keeps_the_real_receipt() -> None:
    proc = Procedure("2.001", "Đăng ký hộ kinh doanh", "5wd")
    d = Dossier("HS-1", proc, [Event(datetime(2026, 11, 20, 17, 30), "received"),
                               Event(datetime(2026, 12, 1, 9), "resolved")])  # fmt: skip
    late = evaluate(d, CAL, as_of=datetime(2026, 12, 31))
    assert (late.outcome, late.due_date.isoformat()) == (Outcome.LATE, "2026-11-30")
    on_time = evaluate(d, CAL, as_of=datetime(2026, 12, 31), policy=RULE_297)
    assert (on_time.outcome, on_time.due_date.isoformat()) == (Outcome.ON_TIME, "2026-12-01")
    assert on_time.received_at == datetime(2026, 11, 20, 17, 30)


def test_the_policy_is_validated() -> None:
    with pytest.raises(InputTypeError, match=r"^after_hours='17:00': expected a naive datetime"):
        DeadlinePolicy(after_hours="17:00")  # type: ignore[arg-type]
    with pytest.raises(PolicyError, match=r"after_hours= a naive datetime\.time"):
        DeadlinePolicy(after_hours=time(17, tzinfo=UTC))
    assert DeadlinePolicy().after_hours is None


def test_command_line() -> None:
    out = io.StringIO()
    assert main(["due", "2026-11-20T17:30", "5wd", "--after-hours", "17:00", "--json"], out) == 0
    assert '"due_date": "2026-12-01"' in out.getvalue()


def test_columnar_engine_agrees() -> None:
    pd = pytest.importorskip("pandas")
    from tthc_sla.batch import evaluate_frame

    proc = Procedure("2.001", "Đăng ký hộ kinh doanh", "5wd")
    frame = pd.DataFrame({
        "dossier_id": ["A", "A", "B"],
        "procedure": ["2.001"] * 3,
        "at": pd.to_datetime(["2026-11-20 17:30", "2026-12-01 09:00", "2026-11-22 10:00"]),
        "kind": ["received", "resolved", "received"],
    })  # fmt: skip
    out = evaluate_frame(frame, [proc], CAL, as_of=datetime(2026, 12, 31), policy=RULE_297)
    assert list(out["outcome"]) == ["on_time", "overdue"]
    assert [str(d.date()) for d in out["due_date"]] == ["2026-12-01", "2026-12-01"]
