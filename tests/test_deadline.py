"""Deadlines: every case of DESIGN §4 worked by hand, policy choices, properties, errors."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tthc_sla import (
    CalendarRangeError,
    CompositeProcessingTime,
    DeadlinePolicy,
    InputTypeError,
    PolicyError,
    ProcessingTime,
    RuleParseError,
    deadline,
    vietnam_calendar,
)

CAL = vietnam_calendar()
PT = ProcessingTime
DT = datetime
END = time(17, 0)


def due(received: datetime, rule: object, policy: DeadlinePolicy | None = None) -> datetime:
    return deadline(received, rule, CAL, policy or DeadlinePolicy()).due_at  # type: ignore[arg-type]


# --------------------------------------------------------------------------- working days


def test_working_days_over_tet_2026() -> None:
    # Received Thu 12/2/2026. Fri 13/2 = day 1; Sat 14/2..Sun 22/2 is the Tết break (TB
    # 9441/TB-BNV: Mon 16..Fri 20 off); Mon 23/2 = 2, Tue 24 = 3, Wed 25 = 4, Thu 26 = 5.
    d = deadline(DT(2026, 2, 12, 9), PT.working_days(5), CAL)
    assert d.due_date == date(2026, 2, 26)
    assert d.due_at == DT(2026, 2, 26, 17, 0)
    assert [day for day, _ in d.skipped] == [date(2026, 2, d) for d in range(16, 21)]
    assert d.skipped[0][1] == "Giao thừa Tết Nguyên Đán"
    assert not d.provisional


def test_working_days_over_24_november() -> None:
    # Fri 20/11/2026 + 3: Mon 23 = 1, Tue 24 off (Ngày Văn hóa Việt Nam), Wed 25 = 2, Thu 26 = 3.
    d = deadline(DT(2026, 11, 20, 10), "03 ngày làm việc", CAL)
    assert d.due_date == date(2026, 11, 26)
    assert d.skipped == ((date(2026, 11, 24), "Ngày Văn hóa Việt Nam"),)
    # The clock starts the next working morning (the receipt day does not count).
    assert d.clock_start == DT(2026, 11, 23, 7, 30)


def test_working_days_onto_make_up_saturday() -> None:
    # Wed 7/1/2026 + 3: Thu 8 = 1, Fri 9 = 2, Sat 10 (make-up day, CV 12729/VPCP-KGVX) = 3.
    d = deadline(DT(2026, 1, 7, 8), "3wd", CAL)
    assert d.due_date == date(2026, 1, 10)
    assert d.due_at == DT(2026, 1, 10, 17, 0)  # a make-up Saturday has weekday hours


def test_receipt_on_sunday_night() -> None:
    # Filed online Sun 22/11/2026 at 21:00: Monday 23 is day 1, Wed 25 day 2 (24/11 off).
    assert due(DT(2026, 11, 22, 21), "2wd") == DT(2026, 11, 25, 17)
    # With the receipt day counted, a Sunday receipt still falls back to the default rule.
    counted = DeadlinePolicy(receipt_day_counts=True)
    assert due(DT(2026, 11, 22, 21), "2wd", counted) == DT(2026, 11, 25, 17)


def test_receipt_day_counts_policy() -> None:
    counted = DeadlinePolicy(receipt_day_counts=True)
    # Mon 16/11 09:00, within hours: Monday is day 1, Tue 17 is day 2.
    assert due(DT(2026, 11, 16, 9), "2wd", counted) == DT(2026, 11, 17, 17)
    assert due(DT(2026, 11, 16, 9), "2wd") == DT(2026, 11, 18, 17)
    # Mon 16/11 at 18:00 is after hours: the default rule applies.
    assert due(DT(2026, 11, 16, 18), "2wd", counted) == DT(2026, 11, 18, 17)
    # 1 working day counted from a 09:00 receipt: due the same evening.
    assert due(DT(2026, 11, 16, 9), "1wd", counted) == DT(2026, 11, 16, 17)


def test_same_time_policy() -> None:
    same = DeadlinePolicy(due_time="same_time")
    # Mon 16/11 10:15 + 5 working days -> Mon 23/11 10:15 (Tue 24 not reached).
    d = deadline(DT(2026, 11, 16, 10, 15), "5wd", CAL, same)
    assert d.due_at == DT(2026, 11, 23, 10, 15)
    assert d.clock_start == DT(2026, 11, 16, 10, 15)
    # Received at lunch (12:00): the clock starts at 13:30, due at 13:30 two days later.
    assert due(DT(2026, 11, 16, 12), "2wd", same) == DT(2026, 11, 18, 13, 30)
    # Received Saturday: the clock starts Monday 07:30; + 1 -> Wed 25 07:30 (Tue 24 off).
    assert due(DT(2026, 11, 21, 15), "1wd", same) == DT(2026, 11, 25, 7, 30)


@given(
    st.dates(min_value=date(2010, 1, 1), max_value=date(2090, 1, 1)),
    st.integers(min_value=1, max_value=60),
)
def test_same_time_and_end_of_day_agree_at_start_of_day(d: date, n: int) -> None:
    start = CAL.add_working_days(d, 0)
    received = CAL.working_intervals(start)[0][0]  # the first working moment of a working day
    a = deadline(received, PT.working_days(n), CAL)
    b = deadline(received, PT.working_days(n), CAL, DeadlinePolicy(due_time="same_time"))
    assert a.due_date == b.due_date


def test_fractional_working_days() -> None:
    # "1,5 ngày làm việc" = 1.5 x 7.5 h = 11 h 15 min of working time from Mon 16/11 07:30:
    # Monday 7.5 h, then 3 h 45 min on Tuesday -> 11:15 on Tue 17; due at Tuesday's close.
    d = deadline(DT(2026, 11, 16, 7, 30), PT.working_days(1.5), CAL)
    assert d.due_date == date(2026, 11, 17)
    assert d.due_at == DT(2026, 11, 17, 17)
    same = deadline(DT(2026, 11, 16, 7, 30), PT.working_days(1.5), CAL, _same())
    assert same.due_at == DT(2026, 11, 17, 11, 15)


def _same() -> DeadlinePolicy:
    return DeadlinePolicy(due_time="same_time")


def test_difficult_area_extra() -> None:
    rule = PT.working_days(3, difficult_area_extra=10)
    assert deadline(DT(2026, 11, 16, 9), rule, CAL).due_date == date(2026, 11, 19)
    # +10: 13 working days from Mon 16/11: 17, 18, 19, 20, 23, (24 off), 25, 26, 27, 30,
    # 1/12, 2/12, 3/12 are 1..12, so day 13 is Fri 4/12.
    d = deadline(DT(2026, 11, 16, 9), rule, CAL, DeadlinePolicy(difficult_area=True))
    assert d.due_date == date(2026, 12, 4)
    assert d.rule.amount == 13


# --------------------------------------------------------------------------- calendar days, months


def test_calendar_days_end_on_a_day_off() -> None:
    # Received Mon 26/10/2026 + 29 days = Tue 24/11 (Ngày Văn hóa Việt Nam): the period ends on
    # the next working day, Wed 25/11 (Civil Code art. 148(5)).
    d = deadline(DT(2026, 10, 26, 9), PT.calendar_days(29), CAL)
    assert d.due_date == date(2026, 11, 25)
    assert d.skipped == ((date(2026, 11, 24), "Ngày Văn hóa Việt Nam"),)
    # Holidays inside a calendar-day period are not skipped: 30 days from 1/2/2026 is 3/3.
    inside = deadline(DT(2026, 2, 1, 9), PT.calendar_days(30), CAL)
    assert inside.due_date == date(2026, 3, 3)
    assert inside.skipped == ()


def test_calendar_days_ending_on_a_weekend() -> None:
    # Fri 20/11 + 30 days = Sun 20/12 -> Mon 21/12; a weekend is no named day off.
    d = deadline(DT(2026, 11, 20, 16), "30 ngày", CAL)
    assert d.due_date == date(2026, 12, 21)
    assert d.skipped == ()
    assert d.clock_start == DT(2026, 11, 21, 0, 0)  # art. 147: counting starts the next day


def test_months_clamp_to_month_end() -> None:
    # 31/1/2026 + 1 month -> 28/2/2026 (no 31/2), a Saturday -> Mon 2/3 (art. 148(3), (5)).
    assert deadline(DT(2026, 1, 31, 9), PT.months(1), CAL).due_date == date(2026, 3, 2)
    # 30/11/2026 + 3 months -> 28/2/2027 (Sunday) -> Mon 1/3/2027; provisional (after 2026).
    d = deadline(DT(2026, 11, 30, 9), "03 tháng", CAL)
    assert d.due_date == date(2027, 3, 1)
    assert d.provisional
    # 15/4/2026 + 1 month -> Fri 15/5/2026, a working day.
    assert deadline(DT(2026, 4, 15, 9), PT.months(1), CAL).due_date == date(2026, 5, 15)


# --------------------------------------------------------------------------- hours, same day


def test_working_hours() -> None:
    # "04 giờ làm việc" from Fri 20/11 15:00: 2 h on Friday, 2 h Monday morning -> Mon 09:30.
    d = deadline(DT(2026, 11, 20, 15), "04 giờ làm việc", CAL)
    assert d.due_at == DT(2026, 11, 23, 9, 30)
    assert d.clock_start == DT(2026, 11, 20, 15)
    # From Mon 23/11 16:00, 8 h: 1 h Monday, Tue 24 off, then 7 h on Wednesday: 4 h in the
    # morning (07:30-11:30) and 3 h from 13:30 -> 16:30.
    d = deadline(DT(2026, 11, 23, 16), "8h", CAL)
    assert d.due_at == DT(2026, 11, 25, 16, 30)
    assert d.skipped == ((date(2026, 11, 24), "Ngày Văn hóa Việt Nam"),)


def test_same_day_cutoff_at_15() -> None:
    # Mon 23/11: at 14:59 or 15:00 due that evening; at 15:01 due next working day's close,
    # which is Wed 25/11 because Tue 24/11 is off.
    assert due(DT(2026, 11, 23, 14, 59), "same-day") == DT(2026, 11, 23, 17)
    assert due(DT(2026, 11, 23, 15, 0), "Trong ngày") == DT(2026, 11, 23, 17)
    assert due(DT(2026, 11, 23, 15, 1), "same-day") == DT(2026, 11, 25, 17)
    # Received on a Saturday: the next working day.
    assert due(DT(2026, 11, 21, 9), "same-day") == DT(2026, 11, 23, 17)
    # A different cut-off.
    noon = DeadlinePolicy(same_day_cutoff=time(12))
    assert due(DT(2026, 11, 23, 13), "same-day", noon) == DT(2026, 11, 25, 17)
    # Immediate results follow the same rule.
    assert due(DT(2026, 11, 23, 9), PT.immediate()) == DT(2026, 11, 23, 17)


# --------------------------------------------------------------------------- time zones


def test_aware_receipt_gives_aware_due_in_the_callers_zone() -> None:
    # 02:00 UTC Fri 20/11 = 09:00 in Hà Nội; 2 working days -> Wed 25/11 17:00 local = 10:00 UTC.
    d = deadline(DT(2026, 11, 20, 2, tzinfo=UTC), "2wd", CAL)
    assert d.due_at == DT(2026, 11, 25, 10, tzinfo=UTC)
    assert d.due_date == date(2026, 11, 25)
    # 20:00 UTC Sun 22/11 is already Monday 03:00 in Hà Nội: the receipt date is Monday.
    late = deadline(DT(2026, 11, 22, 20, tzinfo=UTC), "1wd", CAL)
    assert late.due_date == date(2026, 11, 25)


# --------------------------------------------------------------------------- properties

receipts = st.datetimes(min_value=DT(2000, 1, 1), max_value=DT(2090, 1, 1))
kinds = st.sampled_from(["wd", "d", "h", "m"])


@given(receipts, kinds, st.integers(1, 90), st.integers(1, 90))
def test_monotone_in_amount(received: datetime, unit: str, a: int, b: int) -> None:
    lo, hi = sorted((a, b))
    if unit == "m":
        lo, hi = min(lo, 24), min(hi, 24)
    assert due(received, f"{lo}{unit}") <= due(received, f"{hi}{unit}")


@given(receipts, receipts, kinds, st.integers(1, 60), st.booleans(), st.booleans())
def test_monotone_in_receipt_time(
    r1: datetime, r2: datetime, unit: str, n: int, counts: bool, same_time: bool
) -> None:
    if counts and same_time:
        same_time = False
    policy = DeadlinePolicy(
        receipt_day_counts=counts, due_time="same_time" if same_time else "end_of_day"
    )
    lo, hi = sorted((r1, r2))
    n = min(n, 24) if unit == "m" else n
    assert due(lo, f"{n}{unit}", policy) <= due(hi, f"{n}{unit}", policy)


@given(receipts, st.integers(1, 200))
def test_working_days_due_is_n_working_days_after_receipt(received: datetime, n: int) -> None:
    d = deadline(received, PT.working_days(n), CAL)
    assert CAL.working_days_between(received.date(), d.due_date) == n
    assert d.due_at == CAL.close_of_day(d.due_date)


# --------------------------------------------------------------------------- errors


def test_errors() -> None:
    with pytest.raises(RuleParseError, match="Không quy định"):
        deadline(DT(2026, 11, 23, 9), "Không quy định", CAL)
    composite = CompositeProcessingTime(
        (("cấp xã", PT.working_days(5)), ("cấp tỉnh", PT.working_days(10)))
    )
    with pytest.raises(PolicyError, match=r"pick one with \.part\(label\)"):
        deadline(DT(2026, 11, 23, 9), composite, CAL)
    # 5 working days from Mon 23/11: (24 off) 25, 26, 27, 30, 1/12.
    assert deadline(DT(2026, 11, 23, 9), composite.part("cấp xã"), CAL).due_date == date(
        2026, 12, 1
    )
    with pytest.raises(InputTypeError, match="received_at"):
        deadline(date(2026, 11, 23), "5wd", CAL)  # type: ignore[arg-type]
    with pytest.raises(CalendarRangeError):
        deadline(DT(2100, 12, 20, 9), "15wd", CAL)
    with pytest.raises(PolicyError, match="receipt_day_counts=True only"):
        DeadlinePolicy(receipt_day_counts=True, due_time="same_time")
    with pytest.raises(InputTypeError, match=r"^same_day_cutoff='15:00'"):
        DeadlinePolicy(same_day_cutoff="15:00")  # type: ignore[arg-type]
    with pytest.raises(InputTypeError, match="calendar"):
        deadline(DT(2026, 11, 23, 9), "5wd", "VN")  # type: ignore[arg-type]


def test_provisional_past_the_horizon() -> None:
    assert not deadline(DT(2026, 12, 1, 9), "15wd", CAL).provisional  # due 22/12/2026
    assert deadline(DT(2026, 12, 20, 9), "15wd", CAL).provisional  # due in January 2027


def test_same_due_at_for_a_whole_day_of_receipts() -> None:
    # Default policy: any hour of receipt on the same day gives the same due date.
    days = {due(DT(2026, 11, 16, h), "5wd").date() for h in range(24)}
    assert days == {date(2026, 11, 23)}
    assert timedelta(0) == due(DT(2026, 11, 16, 23), "5wd") - due(DT(2026, 11, 16, 0), "5wd")


def test_extended_deadline_by_mode() -> None:
    # Luật Hộ tịch 2014 art. 25(2): 3 working days, "kéo dài thêm không quá 05 ngày làm việc"
    # (additional). Received Mon 16/11/2026: base Tue 17, Wed 18, Thu 19 -> 19/11; extended 8
    # working days: 17, 18, 19, 20, 23, (24/11 off), 25, 26, 27 -> Fri 27/11.
    from tthc_sla import PolicyError

    cal = CAL
    received = datetime(2026, 11, 16, 9)
    assert deadline(received, "3wd+5wd", cal).due_date == date(2026, 11, 19)
    assert deadline(received, "3wd+5wd", cal, extended=True).due_date == date(2026, 11, 27)
    # Art. 18(2) (marriage): same day, "thời hạn giải quyết không quá 05 ngày làm việc" (total):
    # 5 working days from Mon 16/11: 17, 18, 19, 20, 23 -> Mon 23/11.
    assert deadline(received, "same-day..5wd", cal, extended=True).due_date == date(2026, 11, 23)
    # No extension: the same deadline either way; an ambiguous wording is refused.
    assert deadline(received, "3wd", cal, extended=True).due_date == date(2026, 11, 19)
    with pytest.raises(PolicyError, match="ambiguous"):
        deadline(received, "2m?3m", cal, extended=True)
