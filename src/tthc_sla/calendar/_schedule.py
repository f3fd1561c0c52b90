"""Weekly working hours: any number of intervals per weekday."""

from __future__ import annotations

import itertools
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from datetime import time, timedelta

import attrs

from tthc_sla.errors import InputTypeError, PolicyError

__all__ = ["WeeklySchedule"]

Interval = tuple[time, time]
_WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _us(t: time) -> int:
    return ((t.hour * 60 + t.minute) * 60 + t.second) * 1_000_000 + t.microsecond


def _convert_week(
    value: Mapping[int, Iterable[Interval]] | tuple[tuple[Interval, ...], ...],
) -> tuple[tuple[Interval, ...], ...]:
    if isinstance(value, tuple) and len(value) == 7 and all(isinstance(v, tuple) for v in value):
        items: Iterable[tuple[int, Iterable[Interval]]] = enumerate(value)
    elif isinstance(value, Mapping):
        items = value.items()
    else:
        raise InputTypeError(
            "week", value, "a mapping {weekday: ((start, end), ...)} with weekday 0 = Monday"
        )
    week: list[tuple[Interval, ...]] = [() for _ in range(7)]
    for weekday, intervals in items:
        if not isinstance(weekday, int) or isinstance(weekday, bool):
            raise InputTypeError("week", weekday, "weekday numbers from 0 (Monday) to 6 as keys")
        if not 0 <= weekday <= 6:
            raise PolicyError(weekday, "a weekday number from 0 (Monday) to 6 (Sunday)")
        week[weekday] = _convert_day(weekday, intervals)
    return tuple(week)


_PAIR = "a (start, end) pair of datetime.time"


def _convert_day(weekday: int, intervals: Iterable[Interval]) -> tuple[Interval, ...]:
    out: list[Interval] = []
    for interval in intervals:
        try:
            start, end = interval
        except (TypeError, ValueError):
            raise InputTypeError(f"week[{weekday}]", interval, _PAIR) from None
        if not isinstance(start, time) or not isinstance(end, time):
            raise InputTypeError(f"week[{weekday}]", interval, _PAIR)
        if start.tzinfo is not None or end.tzinfo is not None:
            raise PolicyError(interval, "naive times (hours are local Asia/Ho_Chi_Minh wall time)")
        if not start < end:
            raise PolicyError(interval, f"start before end on {_WEEKDAY_NAMES[weekday]}")
        out.append((start, end))
    out.sort()
    for (_, end_a), (start_b, _) in itertools.pairwise(out):
        if start_b < end_a:
            raise PolicyError(tuple(out), f"non-overlapping intervals on {_WEEKDAY_NAMES[weekday]}")
    return tuple(out)


@attrs.frozen
class _DayShape:
    """A day's intervals in microseconds since midnight, with cumulative working time."""

    starts: tuple[int, ...]
    ends: tuple[int, ...]
    cum: tuple[int, ...]  # cum[j]: working time before interval j; cum[-1]: the day's total
    open_td: timedelta  # the first opening, from midnight
    close_td: timedelta  # the last close, from midnight

    @classmethod
    def of(cls, intervals: tuple[Interval, ...]) -> _DayShape:
        starts = tuple(_us(s) for s, _ in intervals)
        ends = tuple(_us(e) for _, e in intervals)
        cum = [0]
        for s, e in zip(starts, ends, strict=True):
            cum.append(cum[-1] + e - s)
        us = timedelta(microseconds=1)
        first = starts[0] * us if starts else timedelta(0)
        last = ends[-1] * us if ends else timedelta(0)
        return cls(starts, ends, tuple(cum), first, last)

    @property
    def total(self) -> int:
        return self.cum[-1]

    def elapsed(self, t: int) -> int:
        """Working microseconds in [00:00, t)."""
        j = bisect_left(self.starts, t) - 1  # the last interval that started before t
        if j < 0:
            return 0
        end = self.ends[j]
        return self.cum[j] + (end if t > end else t) - self.starts[j]

    def earliest(self, offset: int) -> int:
        """The earliest time of day at which ``offset`` (> 0) working microseconds have elapsed."""
        j = bisect_left(self.cum, offset, 1) - 1
        return self.starts[j] + offset - self.cum[j]

    def latest(self, offset: int) -> int:
        """The latest time of day at which exactly ``offset`` (< total) working us have elapsed."""
        j = min(bisect_right(self.cum, offset) - 1, len(self.starts) - 1)
        return self.starts[j] + offset - self.cum[j]


@attrs.frozen
class WeeklySchedule:
    """Working hours per weekday: any number of intervals a day (two shifts by default).

    Hours are local Asia/Ho_Chi_Minh wall time. A day without intervals is a weekly rest day.
    A make-up working day (a Saturday worked in exchange for a bridge day off) uses the hours
    of ``makeup_weekday`` (Monday by default): the public-sector notices move a whole normal
    working day onto the Saturday.

    Legal basis: Decision 188/1999/QĐ-TTg (40-hour week, Saturday and Sunday off); the daily
    hours are set by each ministry or province, hence a parameter.

    Attributes:
        week: ``{weekday: ((start, end), ...)}`` with weekday 0 = Monday, or seven tuples.
        makeup_weekday: the weekday whose hours a make-up working day uses.

    Examples:
        >>> from datetime import time
        >>> s = WeeklySchedule({0: ((time(8), time(12)), (time(13), time(17)))})
        >>> s.hours(0)
        ((datetime.time(8, 0), datetime.time(12, 0)), (datetime.time(13, 0), datetime.time(17, 0)))
        >>> s.hours(5)
        ()
        >>> WeeklySchedule.default().working_weekdays
        (0, 1, 2, 3, 4)
    """

    week: tuple[tuple[Interval, ...], ...] = attrs.field(converter=_convert_week)
    makeup_weekday: int = attrs.field(default=0, kw_only=True)

    def __attrs_post_init__(self) -> None:
        if not any(self.week):
            raise PolicyError(self.week, "at least one weekday with working hours")
        makeup = self.makeup_weekday
        if not isinstance(makeup, int) or isinstance(makeup, bool):
            raise InputTypeError("makeup_weekday", makeup, "a weekday number, 0 = Monday")
        if not 0 <= makeup <= 6 or not self.week[makeup]:
            raise PolicyError(makeup, "a weekday (0 = Monday) that has working hours")

    @classmethod
    def default(cls) -> WeeklySchedule:
        """Monday to Friday, 07:30–11:30 and 13:30–17:00 (a common provincial timetable)."""
        day = ((time(7, 30), time(11, 30)), (time(13, 30), time(17, 0)))
        return cls(dict.fromkeys(range(5), day))

    def hours(self, weekday: int) -> tuple[Interval, ...]:
        """The working intervals of a weekday (0 = Monday)."""
        return self.week[weekday]

    @property
    def working_weekdays(self) -> tuple[int, ...]:
        """The weekdays that have working hours."""
        return tuple(i for i, day in enumerate(self.week) if day)

    def _shapes(self) -> tuple[_DayShape, ...]:
        """Eight shapes: one per weekday, then the make-up day's."""
        shapes = [_DayShape.of(day) for day in self.week]
        shapes.append(shapes[self.makeup_weekday])
        return tuple(shapes)
