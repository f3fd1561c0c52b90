"""From a receipt moment, a processing time and a calendar to a due moment, with the reasons."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import attrs
from dateutil.relativedelta import relativedelta

from tthc_sla.calendar import WorkingCalendar
from tthc_sla.calendar._seam import due_end_of_day, from_local, to_local
from tthc_sla.errors import CalendarRangeError, InputTypeError, PolicyError, RuleParseError
from tthc_sla.rules._parser import parse_processing_time
from tthc_sla.rules._plan import RulePlan, plan_of
from tthc_sla.rules._policy import DeadlinePolicy
from tthc_sla.rules._processing_time import (
    CompositeProcessingTime,
    ProcessingTime,
    ProcessingTimeKind,
    has_spec_form,
)

__all__ = ["Deadline", "compute_due", "counted_receipt", "deadline", "due", "resolve_rule"]

_K = ProcessingTimeKind
# Enum member access is slow on Python 3.11; the hot path compares with these globals.
_WORKING_DAYS, _MONTHS = _K.WORKING_DAYS, _K.MONTHS
_DAY = timedelta(days=1)
_DEFAULT_POLICY = DeadlinePolicy()


@attrs.frozen
class Deadline:
    """A computed deadline (hạn giải quyết, ngày hẹn trả kết quả) and why it is that day.

    Attributes:
        due_at: the due moment, in the caller's style (naive local, or aware in the caller's zone).
        due_date: the due date, local (Asia/Ho_Chi_Minh).
        clock_start: when the processing time started to run.
        provisional: the computation used a day past the calendar's ``confirmed_until``: the
            official notices for that year are not out yet, so the date may still move.
        skipped: the named days off (holidays, swapped days, closures) that the period stepped
            over, with their reasons; plain weekends are not listed.
        rule: the processing time applied (with the difficult-area extra if the policy added it).
        policy: the policy applied.
    """

    due_at: datetime
    due_date: date
    clock_start: datetime
    provisional: bool
    skipped: tuple[tuple[date, str], ...]
    rule: ProcessingTime
    policy: DeadlinePolicy


def resolve_rule(rule: ProcessingTime | CompositeProcessingTime | str) -> ProcessingTime:
    """Accept a ProcessingTime, a short spec ("15wd") or Vietnamese text ("15 ngày làm việc").

    Raises:
        RuleParseError: the text states no time, or a spec's amount is not allowed ("0wd",
            "1.5d", an amount above ``MAX_AMOUNTS``).
        PolicyError: the rule is composite: pick one part with ``rule.part(label)``.
        InputTypeError: ``rule`` is none of these.
    """
    if isinstance(rule, str):
        text = rule
        try:
            rule = ProcessingTime.from_spec(text)
        except RuleParseError:
            if has_spec_form(text):
                raise  # a spec whose amount is refused ("0wd", "10000000wd"): say why
            rule = parse_processing_time(text)
    if isinstance(rule, CompositeProcessingTime):
        raise PolicyError(
            str(rule),
            "a single processing time; this one has several parts: pick one with "
            f".part(label), label one of {list(rule.labels)}",
        )
    if not isinstance(rule, ProcessingTime):
        raise InputTypeError(
            "rule", rule, "a ProcessingTime, a spec like '15wd' or Vietnamese text"
        )
    return rule


def deadline(
    received_at: datetime,
    rule: ProcessingTime | CompositeProcessingTime | str,
    calendar: WorkingCalendar,
    policy: DeadlinePolicy = _DEFAULT_POLICY,
    *,
    extended: bool = False,
) -> Deadline:
    """The deadline of a dossier received at ``received_at`` under ``rule``.

    * Working days, default policy: the due date is the n-th working day after the receipt
      date, whatever the hour or the kind of day of receipt (Civil Code art. 147: the first
      day is not counted); due at the close of that day (art. 148).
    * Calendar days and months: the period's last day is the receipt date plus n days (months
      with the corresponding day, clamped to a shorter month's last day, art. 148(3)); if it is
      not a working day, the period ends on the next working day (art. 148(5)).
    * Working hours: from the receipt moment (moved to the next working moment) add the hours
      of working time; due at that exact moment.
    * Same day and immediate: due at the close of the receipt day if received on a working day
      by ``policy.same_day_cutoff``, else at the close of the next working day.

    Legal basis: Civil Code 2015 arts. 147-148; same day: Decree 23/2015/NĐ-CP art. 21 (as
    amended by 280/2025/NĐ-CP); the clock start by receipt date: ``legal_basis("clock_start",
    received)`` (docs/rules.md, legal basis).

    Args:
        received_at: the receipt of the complete, valid dossier (naive = local time).
        rule: a ProcessingTime, a spec ("15wd", "30d", "8h", "3m", "same-day") or the text.
        calendar: the working calendar of the agency.
        policy: the choices the law leaves open; Civil-Code defaults.
        extended: the longest time the rule allows, ``rule.ceiling()``: the base plus an
            additional extension ("kéo dài thêm không quá N"), or a total one ("thời hạn giải
            quyết không quá N"), counted from the same clock start.

    Raises:
        RuleParseError: a text rule states no time.
        PolicyError: a composite rule (pick a part), a bad policy, or ``extended`` with an
            extension whose wording does not say whether it adds to the time or replaces it.
        CalendarRangeError: the receipt (named ``received_at``) or the computation leaves the
            calendar's range.

    Examples:
        >>> from datetime import datetime
        >>> from tthc_sla import vietnam_calendar
        >>> d = deadline(datetime(2026, 11, 20, 9, 0), "2 ngày làm việc", vietnam_calendar())
        >>> d.due_at
        datetime.datetime(2026, 11, 25, 17, 0)
        >>> d.skipped
        ((datetime.date(2026, 11, 24), 'Ngày Văn hóa Việt Nam'),)
    """
    pt = resolve_rule(rule)
    if not isinstance(policy, DeadlinePolicy):
        raise InputTypeError("policy", policy, "a DeadlinePolicy")
    if not isinstance(calendar, WorkingCalendar):
        raise InputTypeError("calendar", calendar, "a WorkingCalendar (see vietnam_calendar())")
    local, tz = to_local(received_at, "received_at")
    if extended:
        pt = pt.ceiling()  # before the difficult-area extra, which applies to the longest time
    plan = plan_of(pt, policy, policy.difficult_area)
    pt = plan.rule
    try:
        due_date, due_at, clock, (skip_a, skip_b) = compute_due(local, plan, calendar, policy)
        skipped = calendar.days_off_between(skip_a, skip_b)
    except CalendarRangeError as exc:
        _name_range_error(exc, received_at, local.date(), pt, calendar)
        raise
    return Deadline(
        due_at=from_local(due_at, tz),
        due_date=due_date,
        clock_start=from_local(clock, tz),
        provisional=calendar.is_provisional_span(local.date(), due_date),
        skipped=skipped,
        rule=pt,
        policy=policy,
    )


def _name_range_error(
    exc: CalendarRangeError,
    received_at: datetime,
    d0: date,
    pt: ProcessingTime,
    cal: WorkingCalendar,
) -> None:
    """Raise the range error of :func:`deadline` in its own terms, if ``exc`` (raised by the
    calendar) is not: the receipt day outside the calendar is ``received_at``; a day the period
    reached (the last day of a period in calendar days or months) is its result, as in
    ``_last_day``. Errors that already name a result are left alone.

    Only called once a computation has failed: a period in calendar days may start before
    the calendar's range and still end within it.
    """
    first, last = cal.first, cal.last
    if d0 < first or d0 > last:
        side = "before" if d0 < first else "after"
        raise CalendarRangeError(received_at, first, last, what="received_at", side=side) from None
    day = exc.value
    if isinstance(day, date):
        call, side = f"{d0} + {pt}", "before" if day < first else "after"
        raise CalendarRangeError(call, first, last, what="the result of", side=side) from None


def compute_due(
    local: datetime, plan: RulePlan, cal: WorkingCalendar, policy: DeadlinePolicy
) -> tuple[date, datetime, datetime, tuple[date, date]]:
    """(due date, due moment, clock start, (a, b)) in local time, for :func:`deadline`: the
    period stepped over the named days off in (a, b]."""
    counted = counted_receipt(local, cal, policy)
    due_date, due_at = due(counted, plan, cal, policy)
    return (due_date, due_at, *_clock_and_span(counted, plan, cal, policy, due_date, due_at))


def due(
    local: datetime, plan: RulePlan, cal: WorkingCalendar, policy: DeadlinePolicy
) -> tuple[date, datetime]:
    """(due date, due moment) of a clock counted from ``local`` (local wall time, after the
    policy's after-hours rule): the one dispatch on the kind of rule, for ``deadline``, the
    scalar replay and its steps."""
    n = plan.whole_days
    if n is not None:  # the common case, memoised by the calendar
        return due_end_of_day(cal, local.date(), n)
    hours = plan.hours
    if hours is not None:
        due_at = cal.add_working_time(local, hours)
        return due_at.date(), due_at
    if plan.same_day:
        return same_day_due(local, cal, policy.same_day_cutoff)
    amount = plan.rule.amount
    assert amount is not None
    if plan.kind is _WORKING_DAYS:
        return _working_days(cal, local, amount, policy)
    due_date = cal.add_working_days(_last_day(local, plan, cal, policy), 0)
    if policy.due_time == "same_time":
        return due_date, _at_same_time(cal, due_date, local.time())
    return due_date, cal.close_of_day(due_date)


def _last_day(
    local: datetime, plan: RulePlan, cal: WorkingCalendar, policy: DeadlinePolicy
) -> date:
    """The last day of a period in calendar days or months, before moving off a day off
    (Civil Code art. 148(3))."""
    d0 = local.date()
    amount = plan.rule.amount
    assert amount is not None
    counts = policy.receipt_day_counts and _within_hours(cal, local)
    try:
        if plan.kind is _MONTHS:
            return d0 + relativedelta(months=int(amount))
        return d0 + int(amount) * _DAY - (_DAY if counts else timedelta(0))
    except (OverflowError, ValueError):  # past date.max (year 9999), from a calendar near it
        raise CalendarRangeError(
            f"{d0} + {plan.rule}", cal.first, cal.last, what="the result of", side="after"
        ) from None


def _clock_and_span(
    local: datetime,
    plan: RulePlan,
    cal: WorkingCalendar,
    policy: DeadlinePolicy,
    due_date: date,
    due_at: datetime,
) -> tuple[datetime, tuple[date, date]]:
    """When the clock started, and the span (a, b] whose named days off explain the due date."""
    d0 = local.date()
    if plan.same_day:
        start = local if due_date == d0 else _first_moment(cal, due_date)
        return start, (d0, due_date)
    amount = plan.rule.amount
    assert amount is not None
    if plan.hours is not None:
        return cal.next_working_moment(local), (d0, due_at.date())
    if plan.kind is _WORKING_DAYS:
        if int(amount) != amount or policy.due_time == "same_time":
            return cal.next_working_moment(local), (d0, due_date)
        if policy.receipt_day_counts and _within_hours(cal, local):
            return local, (d0, due_date)
        day_one = due_date if amount == 1 else cal.add_working_days(d0, 1)
        return _first_moment(cal, day_one), (d0, due_date)
    counts = policy.receipt_day_counts and _within_hours(cal, local)
    if counts or policy.due_time == "same_time":
        start = local
    else:
        start = datetime.combine(d0 + _DAY, time())
    last_day = _last_day(local, plan, cal, policy)
    # Only the days off that pushed the end past the last day explain anything here.
    return start, (last_day - _DAY, due_date - _DAY)


def counted_receipt(local: datetime, cal: WorkingCalendar, policy: DeadlinePolicy) -> datetime:
    """The receipt moment a deadline counts from: ``local`` itself, or under
    ``policy.after_hours`` a receipt at or after that time or on a day off moved to
    ``policy.after_hours_start`` of the next working day.

    Legal basis: Decree 297/2025/NĐ-CP art. 3(5) (for its procedures; no general rule found).
    """
    cutoff = policy.after_hours
    if cutoff is None:
        return local
    d0 = local.date()
    if cal.is_working_day(d0) and local.time() < cutoff:
        return local
    return datetime.combine(cal.add_working_days(d0, 1), policy.after_hours_start)


def same_day_due(local: datetime, cal: WorkingCalendar, cutoff: time) -> tuple[date, datetime]:
    """(due date, due moment) of a SAME_DAY or IMMEDIATE rule: the receipt day if it is a
    working day and the receipt is by the cut-off, else the next working day; due at its close.

    Legal basis: Decree 23/2015/NĐ-CP art. 21 (as amended by 280/2025/NĐ-CP) and the
    civil-status rules; the one-stop decrees' 15:00 clause is a forwarding rule (docs/rules.md).
    """
    d0 = local.date()
    today = cal.is_working_day(d0) and local.time() <= cutoff
    return due_end_of_day(cal, d0, 0 if today else 1)


def _first_moment(cal: WorkingCalendar, d: date) -> datetime:
    return cal.open_of_day(d)


def _within_hours(cal: WorkingCalendar, local: datetime) -> bool:
    """A working day, between its first opening and its close."""
    d = local.date()
    return cal.is_working_day(d) and cal.open_of_day(d) <= local < cal.close_of_day(d)


def _at_same_time(cal: WorkingCalendar, d: date, t: time) -> datetime:
    """``t`` on working day ``d``, clamped into the day's working hours."""
    moment = datetime.combine(d, t)
    return min(max(moment, cal.open_of_day(d)), cal.close_of_day(d))


def _day_length(cal: WorkingCalendar) -> timedelta:
    """The working time of a normal day, for fractions of a day ("1,5 ngày làm việc")."""
    hours = cal.schedule.hours(cal.schedule.makeup_weekday)
    return sum(
        (datetime.combine(date.min, e) - datetime.combine(date.min, s) for s, e in hours),
        timedelta(0),
    )


def _working_days(
    cal: WorkingCalendar, local: datetime, amount: float, policy: DeadlinePolicy
) -> tuple[date, datetime]:
    """(due date, due moment) for a number of working days, beyond the memoised common case."""
    d0 = local.date()
    whole = int(amount)
    if whole != amount:
        # A fraction of a working day is that fraction of a normal day's working time,
        # counted from the next working moment; the due date is the day it lands on.
        moment = cal.add_working_time(cal.next_working_moment(local), amount * _day_length(cal))
        due_date = moment.date()
        if policy.due_time == "same_time":
            return due_date, moment
        return due_date, cal.close_of_day(due_date)
    if policy.due_time == "same_time":
        clock = cal.next_working_moment(local)
        due_date = cal.add_working_days(clock.date(), whole)
        return due_date, _at_same_time(cal, due_date, clock.time())
    if policy.receipt_day_counts and _within_hours(cal, local):
        due_date = cal.add_working_days(d0, whole - 1)
        return due_date, cal.close_of_day(due_date)
    return due_end_of_day(cal, d0, whole)
