"""The working calendar: which days and hours count, and O(1) arithmetic on them."""

from __future__ import annotations

import functools
import os
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

import attrs
import holidays

from tthc_sla.calendar._horizon import Horizon
from tthc_sla.calendar._index import BLOCK as _BLOCK
from tthc_sla.calendar._index import Block, DayInfo, Index
from tthc_sla.calendar._notices import (
    CoveredPeriod,
    DayKind,
    DayOverride,
    Notices,
    PathArg,
    load_notices,
)
from tthc_sla.calendar._schedule import WeeklySchedule
from tthc_sla.calendar._tz import check_date, from_local, same_style, to_local
from tthc_sla.errors import CalendarRangeError, InputTypeError, PolicyError

__all__ = ["WorkingCalendar", "vietnam_calendar"]

_MEMO_MAX = 100_000
_US = timedelta(microseconds=1)
_MIDNIGHT = time()
_DAY_ONE = datetime(1, 1, 1)  # + timedelta(days=ordinal - 1) is that day
_LANGS = ("vi", "en")
# The `holidays` package lists government day-off swaps under these labels; the calendar takes
# swaps from its own notices file instead (which has the make-up Saturdays too).
_SWAP_PREFIXES = ("Ngày nghỉ (thay cho", "Day off (substituted")


def _check_years(_: object, __: object, value: tuple[int, int]) -> None:
    pair = (
        isinstance(value, tuple)
        and len(value) == 2
        and all(isinstance(y, int) and not isinstance(y, bool) for y in value)
    )
    if not pair:
        raise InputTypeError("years", value, "a (first_year, last_year) pair of ints")
    if not 1 <= value[0] <= value[1] <= 9998:
        raise PolicyError(
            value, "years=(first_year, last_year) with 1 <= first_year <= last_year <= 9998"
        )


def _check_statutory(_: object, __: object, value: str | None) -> None:
    if value is not None and not isinstance(value, str):
        raise InputTypeError("statutory", value, "'VN' or None")
    if value not in (None, "VN"):
        raise PolicyError(value, "statutory='VN' (Labour Code holidays via holidays.VN) or None")


def _tuple(items: Iterable[DayOverride]) -> tuple[DayOverride, ...]:
    return tuple(items)


def _periods(items: Iterable[CoveredPeriod]) -> tuple[CoveredPeriod, ...]:
    out = tuple(items)
    for i, p in enumerate(out):
        if not isinstance(p, CoveredPeriod):
            raise InputTypeError(f"covered[{i}]", p, "a CoveredPeriod")
    return tuple(sorted(out, key=lambda p: (p.first, p.last)))


def _check_lang(lang: str) -> str:
    if lang not in _LANGS:
        if not isinstance(lang, str):
            raise InputTypeError("lang", lang, "'vi' or 'en'")
        raise PolicyError(lang, "lang='vi' or lang='en'")
    return lang


@functools.lru_cache(maxsize=32)
def _vn_statutory_cached(years: tuple[int, ...]) -> dict[date, tuple[str, str]]:
    vi = holidays.country_holidays("VN", years=years, language="vi")
    en = holidays.country_holidays("VN", years=years, language="en_US")
    out: dict[date, tuple[str, str]] = {}
    for day, name in vi.items():
        names_vi = [n for n in name.split("; ") if not n.startswith(_SWAP_PREFIXES)]
        names_en = [n for n in en.get(day, name).split("; ") if not n.startswith(_SWAP_PREFIXES)]
        if names_vi:
            out[day] = ("; ".join(names_vi), "; ".join(names_en) or "; ".join(names_vi))
    return out


def _vn_statutory(years: Iterable[int]) -> dict[date, tuple[str, str]]:
    return _vn_statutory_cached(tuple(years))


@attrs.frozen
class WorkingCalendar:
    """A working calendar: weekly hours, statutory holidays, official notices, office overrides.

    A day is a working day when the highest layer that speaks of it says so, from the top: the
    office's own ``overrides`` → official public-sector ``notices`` (swapped days off, make-up
    Saturdays) → ``statutory`` holidays (Labour Code art. 112 via ``holidays.VN``) → the weekly
    ``schedule``. Use :func:`vietnam_calendar` to build the national public-sector calendar.

    The calendar covers the whole years ``years``; any query or result outside raises
    :class:`~tthc_sla.CalendarRangeError`, naming the parameter that is out of range (``b``
    of ``working_days_between(a, b)``, ``at``, ``year``...) or the call whose result is. It
    is immutable and hashable (the notices, covered periods and overrides are part of its
    identity); its compiled index is built lazily per block of days and shared safely between
    threads.

    Which days official notices have settled: ``covered`` holds the periods the notices covered
    (whole years, or the windows of the occasions announced so far); a day in none of them, after
    the first, is *provisional* (:meth:`is_provisional`). ``confirmed_until`` is the last day of
    the stretch confirmed without a gap; without ``covered`` it alone sets the horizon (every
    day up to it confirmed), and with neither every day counts as confirmed.

    Day arithmetic conventions:

    * ``working_days_between(a, b)`` counts the working days in the half-open range (a, b];
      negative when b < a.
    * ``add_working_days(d, n)`` for n >= 1 is the n-th working day strictly after d, so that
      ``working_days_between(d, add_working_days(d, n)) == n``; n = 0 returns d if it is a working
      day, else the next one; n < 0 mirrors backwards: the |n|-th working day strictly before
      d, so that [result, d) holds |n| working days.

    Legal basis: Labour Code 2019 art. 112 (holidays); Decision 188/1999/QĐ-TTg (weekly rest).

    Examples:
        >>> from datetime import date
        >>> cal = vietnam_calendar()
        >>> cal.is_working_day(date(2026, 11, 24))   # Ngày Văn hóa Việt Nam
        False
        >>> cal.add_working_days(date(2026, 11, 20), 2)   # Fri -> Mon 23, (Tue 24 off) -> Wed 25
        datetime.date(2026, 11, 25)
        >>> cal.working_days_between(date(2026, 11, 20), date(2026, 11, 25))
        2
    """

    schedule: WeeklySchedule = attrs.field(factory=WeeklySchedule.default)
    years: tuple[int, int] = attrs.field(default=(1995, 2100), kw_only=True, validator=_check_years)
    statutory: str | None = attrs.field(default=None, kw_only=True, validator=_check_statutory)
    notices: tuple[DayOverride, ...] = attrs.field(default=(), kw_only=True, converter=_tuple)
    overrides: tuple[DayOverride, ...] = attrs.field(default=(), kw_only=True, converter=_tuple)
    confirmed_until: date | None = attrs.field(default=None, kw_only=True)
    covered: tuple[CoveredPeriod, ...] = attrs.field(default=(), kw_only=True, converter=_periods)
    _ix: Index = attrs.field(init=False, eq=False, repr=False)
    _horizon: Horizon = attrs.field(init=False, eq=False, repr=False)

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled as its definition (the compiled index holds a lock, and is rebuilt lazily
        # where the calendar is unpickled: a worker process, a cache on disk).
        return (
            _rebuild,
            (self.schedule, self.years, self.statutory, self.notices, self.overrides,
             self.confirmed_until, self.covered),
        )  # fmt: skip

    def __attrs_post_init__(self) -> None:
        self._init_horizon()
        first, last = date(self.years[0], 1, 1), date(self.years[1], 12, 31)
        seen: dict[date, DayKind] = {}
        for i, ov in enumerate(self.overrides):
            if not isinstance(ov, DayOverride):
                raise InputTypeError(f"overrides[{i}]", ov, "a DayOverride")
            if not first <= ov.date <= last:
                raise CalendarRangeError(ov.date, first, last, what=f"overrides[{i}]")
            if seen.get(ov.date, ov.kind) is not ov.kind:
                raise PolicyError(ov.date, "a date that is either a day off or a workday, not both")
            seen[ov.date] = ov.kind
        source = _vn_statutory if self.statutory == "VN" else None
        ix = Index(first, last, self.schedule._shapes(), source, (self.notices, self.overrides))
        object.__setattr__(self, "_ix", ix)

    def _init_horizon(self) -> None:
        if self.confirmed_until is not None:
            check_date(self.confirmed_until, "confirmed_until")
        if not self.covered:
            object.__setattr__(self, "_horizon", Horizon.up_to(self.confirmed_until))
            return
        for p in self.covered:
            check_date(p.first, "covered[].first")
            check_date(p.last, "covered[].last")
            if p.last < p.first:
                raise PolicyError(p, "a covered period whose first day is not after its last")
        for a, b in zip(self.covered, self.covered[1:], strict=False):
            if b.first <= a.last:
                raise PolicyError((a, b), "covered periods that do not overlap")
        horizon = Horizon.of_periods((p.first, p.last) for p in self.covered)
        assert horizon.until is not None  # of_periods confirms the days before the first period
        until = date.fromordinal(horizon.until)
        if self.confirmed_until is None:
            object.__setattr__(self, "confirmed_until", until)
        elif self.confirmed_until != until:
            raise PolicyError(
                self.confirmed_until,
                f"confirmed_until={until} (the end of the first confirmed stretch of covered=), "
                "or leave it out",
            )
        object.__setattr__(self, "_horizon", horizon)

    # ------------------------------------------------------------------ range and lookups

    @property
    def first(self) -> date:
        """The first day the calendar covers."""
        return date(self.years[0], 1, 1)

    @property
    def last(self) -> date:
        """The last day the calendar covers."""
        return date(self.years[1], 12, 31)

    def _out_of_range(self, d: date, name: str = "date") -> CalendarRangeError:
        return CalendarRangeError(d, self.first, self.last, what=name)

    def _result_out_of_range(self, call: str, backwards: bool) -> CalendarRangeError:
        side = "before" if backwards else "after"
        return CalendarRangeError(call, self.first, self.last, what="the result of", side=side)

    def _locate(self, d: object, name: str = "date") -> tuple[Block, int, int]:
        """(block, block number, index in block) of a date, with type and range checks."""
        if type(d) is not date:
            check_date(d, name)
        o = d.toordinal()  # type: ignore[attr-defined]
        ix = self._ix
        if o < ix.base or o > ix.last:
            raise self._out_of_range(d, name)  # type: ignore[arg-type]
        b, i = divmod(o - ix.base, _BLOCK)
        blk = ix.blocks[b]
        if blk is None:
            blk = ix.block(b)
        return blk, b, i

    def _nth(self, b: int, k: int, call: str) -> int:
        """The ordinal of working day number k (0-based, may leave the block) of block b."""
        ix = self._ix
        n_blocks = len(ix.blocks)
        blk = ix.block(b)
        while k < 0:
            b -= 1
            if b < 0:
                raise self._result_out_of_range(call, backwards=True)
            blk = ix.block(b)
            k += blk.total
        while k >= blk.total:
            k -= blk.total
            b += 1
            if b >= n_blocks:
                raise self._result_out_of_range(call, backwards=False)
            blk = ix.block(b)
        return blk.wd[k]

    # ------------------------------------------------------------------ days

    def is_working_day(self, d: date) -> bool:
        """Whether ``d`` is a working day.

        Examples:
            >>> from datetime import date
            >>> cal = vietnam_calendar()
            >>> cal.is_working_day(date(2026, 1, 10))   # make-up Saturday (CV 12729/VPCP-KGVX)
            True
        """
        return self._info(d)[3] is not None

    def add_working_days(self, d: date, n: int) -> date:
        """The n-th working day after ``d`` (see the class conventions for n <= 0).

        Raises:
            CalendarRangeError: ``d`` or the result is outside the calendar.

        Examples:
            >>> from datetime import date
            >>> cal = vietnam_calendar()
            >>> cal.add_working_days(date(2026, 2, 13), 1)   # Fri before Tết -> Mon 23/2
            datetime.date(2026, 2, 23)
            >>> cal.add_working_days(date(2026, 2, 14), 0)   # a Saturday rolls forward
            datetime.date(2026, 2, 23)
            >>> cal.add_working_days(date(2026, 2, 23), -1)
            datetime.date(2026, 2, 13)
        """
        if type(n) is not int and (not isinstance(n, int) or isinstance(n, bool)):
            raise InputTypeError("n", n, "an int number of working days")
        ix = self._ix
        info = self._info(d)
        b, r = info[0], info[1]  # r: working days in the block up to and including d
        if n > 0:
            k = r + n - 1
        elif n == 0:
            if info[3] is not None:
                return d
            k = r
        else:
            k = r - (info[3] is not None) + n
        wd = ix.blocks[b].wd  # type: ignore[union-attr]  # compiled by _day
        if 0 <= k < len(wd):
            return date.fromordinal(wd[k])
        return date.fromordinal(self._nth(b, k, f"add_working_days({d}, {n})"))

    def working_days_between(self, a: date, b: date) -> int:
        """The number of working days in (a, b]; negative when b < a.

        Examples:
            >>> from datetime import date
            >>> cal = vietnam_calendar()
            >>> cal.working_days_between(date(2026, 2, 13), date(2026, 2, 23))
            1
            >>> cal.working_days_between(date(2026, 2, 23), date(2026, 2, 13))
            -1
        """
        days = self._ix.days
        try:
            ia, ib = days.get(a), days.get(b)
        except TypeError:  # unhashable: _locate names the argument
            ia = ib = None
        if ia is not None and ib is not None and ia[0] == ib[0]:
            return ib[1] - ia[1]
        blk_a, ba, i = self._locate(a, "a")
        blk_b, bb, j = self._locate(b, "b")
        if ba == bb:
            return blk_b.rank[j] - blk_a.rank[i]
        sign = 1
        if bb < ba:
            blk_a, ba, i, blk_b, bb, j, sign = blk_b, bb, j, blk_a, ba, i, -1
        between = sum(self._ix.block(k).total for k in range(ba, bb))
        return sign * (between - blk_a.rank[i] + blk_b.rank[j])

    def days_off(self, year: int, lang: str = "vi") -> list[tuple[date, str]]:
        """The days off of ``year`` other than plain weekly rest days, with their reasons.

        Statutory holidays are listed even when they fall on a weekend; swapped days off and
        office closures are listed too. Reasons are Vietnamese, or English with ``lang="en"``.

        Examples:
            >>> cal = vietnam_calendar()
            >>> [str(d) for d, _ in cal.days_off(2026)][:3]
            ['2026-01-01', '2026-01-02', '2026-02-16']
        """
        return self._named(year, lang, work=False)

    def make_up_workdays(self, year: int, lang: str = "vi") -> list[tuple[date, str]]:
        """The weekly rest days of ``year`` that are working days (make-up Saturdays...).

        Examples:
            >>> cal = vietnam_calendar()
            >>> [str(d) for d, _ in cal.make_up_workdays(2026)]
            ['2026-01-10', '2026-08-22']
        """
        return self._named(year, lang, work=True)

    def _named(self, year: int, lang: str, *, work: bool) -> list[tuple[date, str]]:
        pos = 2 if _check_lang(lang) == "en" else 1
        self._check_year(year)
        lo, hi = date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal()
        return [(date.fromordinal(e[0]), str(e[pos])) for e in self._named_between(lo, hi, work)]

    def _named_between(self, lo: int, hi: int, work: bool) -> Iterator[tuple[int, str, str]]:
        """Named days with ordinals in [lo, hi] (both within range)."""
        ix = self._ix
        for b in range((lo - ix.base) // _BLOCK, (hi - ix.base) // _BLOCK + 1):
            entries = ix.block(b).work_named if work else ix.block(b).off_named
            start = bisect_left(entries, (lo,))
            stop = bisect_right(entries, (hi, "\uffff"))
            yield from entries[start:stop]

    def days_off_between(self, a: date, b: date, lang: str = "vi") -> tuple[tuple[date, str], ...]:
        """The named days off in (a, b] (holidays, swaps, closures; not plain weekends).

        This is what a deadline "stepped over": the explanation an official gives a citizen.

        Examples:
            >>> from datetime import date
            >>> cal = vietnam_calendar(years=(2026, 2026))
            >>> cal.days_off_between(date(2026, 11, 20), date(2026, 11, 25), lang="en")
            ((datetime.date(2026, 11, 24), 'Vietnam Cultural Day'),)
        """
        pos = 2 if _check_lang(lang) == "en" else 1
        check_date(a, "a")
        check_date(b, "b")
        if b <= a:
            return ()
        self._locate(a, "a")
        self._locate(b, "b")
        lo, hi = a.toordinal() + 1, b.toordinal()
        return tuple(
            (date.fromordinal(e[0]), str(e[pos])) for e in self._named_between(lo, hi, False)
        )

    # ------------------------------------------------------------------ confirmed horizon

    def is_provisional(self, d: date) -> bool:
        """Whether ``d`` lies outside the periods the official notices covered.

        A provisional day's status is the statutory rule's best estimate: a notice still to
        come may swap it. Days before the first covered period are history and count as
        confirmed. O(log n) in the number of confirmed stretches (O(1) up to
        ``confirmed_until``).

        Examples:
            >>> from datetime import date
            >>> cal = vietnam_calendar()
            >>> cal.is_provisional(date(2027, 2, 5))   # Tết Đinh Mùi: CV 10065/VPCP-KGVX
            False
            >>> cal.is_provisional(date(2027, 4, 30))  # 30/4/2027: no notice yet
            True
        """
        if type(d) is not date:
            check_date(d)
        until = self.confirmed_until  # None: no notices, nothing provisional
        if until is None or d <= until:
            return False
        return not self._horizon.confirmed(d.toordinal())

    def is_provisional_span(self, first: date, last: date) -> bool:
        """Whether any day of ``first``..``last`` (both included) is provisional.

        The question a result asks of the calendar: did its computation touch a day no notice
        has settled yet? A deadline from receipt to due date is confirmed when the whole span
        is, even past ``confirmed_until``. The order of the two dates does not matter.
        O(log n) in the number of confirmed stretches.

        Examples:
            >>> from datetime import date
            >>> cal = vietnam_calendar()
            >>> cal.is_provisional_span(date(2027, 2, 1), date(2027, 2, 22))   # inside Tết's window
            False
            >>> cal.is_provisional_span(date(2026, 12, 20), date(2027, 1, 12))  # New Year 2027
            True
        """
        if type(first) is not date:
            check_date(first, "first")
        if type(last) is not date:
            check_date(last, "last")
        until = self.confirmed_until  # None: no notices, nothing provisional
        if until is None or (first <= until and last <= until):
            return False
        a, b = first.toordinal(), last.toordinal()
        if b < a:
            a, b = b, a
        return not self._horizon.span_confirmed(a, b)

    @property
    def confirmed_periods(self) -> tuple[tuple[date, date], ...]:
        """The confirmed stretches within the calendar's range, as (first, last) pairs.

        Adjacent covered periods are joined; the first stretch includes the days before the
        first covered period (history). For a columnar check, a span a..b is confirmed exactly
        when one stretch holds both a and b.

        Examples:
            >>> for first, last in vietnam_calendar().confirmed_periods:
            ...     print(first, last)
            1995-01-01 2026-12-31
            2027-01-18 2027-03-14
            2027-07-05 2027-10-17
        """
        return self._horizon.stretches(self.first, self.last)

    def covered_periods(self, year: int) -> tuple[CoveredPeriod, ...]:
        """The periods of ``year`` that official notices covered, with their notices.

        A year announced in full gives one period, 1/1..31/12; a year announced in part gives
        the window of each arranged occasion (every other day of it is provisional); a year
        with no notice gives ``()``.

        Raises:
            CalendarRangeError: ``year`` is outside the calendar.
            InputTypeError: ``year`` is not an int.

        Examples:
            >>> for p in vietnam_calendar().covered_periods(2027):
            ...     print(p.first, p.last, p.occasion(), p.notices)
            2027-01-18 2027-03-14 Tết Nguyên đán Đinh Mùi ('CV 10065/VPCP-KGVX (02/10/2026)',)
            2027-07-05 2027-10-17 Quốc khánh ('CV 10065/VPCP-KGVX (02/10/2026)',)
        """
        self._check_year(year)
        return tuple(p for p in self.covered if p.first.year <= year <= p.last.year)

    def _check_year(self, year: object) -> None:
        if not isinstance(year, int) or isinstance(year, bool):
            raise InputTypeError("year", year, "an int year such as 2026")
        if not self.years[0] <= year <= self.years[1]:
            raise CalendarRangeError(year, self.years[0], self.years[1], what="year")

    # ------------------------------------------------------------------ hours

    def working_intervals(self, d: date) -> tuple[tuple[datetime, datetime], ...]:
        """The working intervals of ``d`` as naive local datetimes (empty on a day off)."""
        blk, _, i = self._locate(d)
        if not blk.work[i]:
            return ()
        k = blk.rank[i] - 1
        shape = self._ix.shapes[blk.shape[k]]
        day = datetime.combine(d, _MIDNIGHT)
        return tuple(
            (day + s * _US, day + e * _US) for s, e in zip(shape.starts, shape.ends, strict=True)
        )

    def close_of_day(self, d: date) -> datetime:
        """The end of the last working interval of working day ``d`` (naive local time).

        Raises:
            PolicyError: ``d`` is not a working day.
        """
        return self._day_bounds(d)[1]

    def open_of_day(self, d: date) -> datetime:
        """The start of the first working interval of working day ``d`` (naive local time).

        Raises:
            PolicyError: ``d`` is not a working day.
        """
        return self._day_bounds(d)[0]

    def _due_end_of_day(self, d: date, n: int) -> tuple[date, datetime]:
        """(add_working_days(d, n), its close), memoised: batches share a few thousand pairs."""
        key = (d, n)
        memo = self._ix.memo
        hit = memo.get(key)
        if hit is None:
            due = self.add_working_days(d, n)
            hit = (due, self._day_bounds(due)[1])
            if len(memo) >= _MEMO_MAX:
                memo.clear()
            memo[key] = hit
        return hit

    def _day_bounds(self, d: date) -> tuple[datetime, datetime]:
        info = self._info(d)
        opening, close = info[4], info[5]
        if opening is None or close is None:
            raise PolicyError(d, "a working day (it has no working hours)")
        return opening, close

    def _info(self, d: date, name: str = "date") -> DayInfo:
        """What the hour arithmetic needs of ``d``: kept after the first lookup."""
        try:
            info = self._ix.days.get(d)
        except TypeError:  # unhashable: _locate names the argument
            info = None
        return self._day(d, name) if info is None else info

    def _day(self, d: date, name: str = "date") -> DayInfo:
        """What the hour arithmetic needs of ``d`` (checked, then kept in the index)."""
        blk, b, i = self._locate(d, name)
        r = blk.rank[i]
        info: DayInfo
        if blk.work[i]:
            k = r - 1
            shape = self._ix.shapes[blk.shape[k]]
            day = datetime(d.year, d.month, d.day)
            info = (b, r, blk.cum[k], shape, day + shape.open_td, day + shape.close_td)
        else:
            info = (b, r, blk.cum[r], None, None, None)
        self._ix.days[d] = info
        return info

    def is_working_time(self, at: datetime) -> bool:
        """Whether ``at`` falls inside a working interval (start included, end excluded)."""
        local, _ = to_local(at)
        blk, _, i = self._locate(local.date(), "at")
        if not blk.work[i]:
            return False
        shape = self._ix.shapes[blk.shape[blk.rank[i] - 1]]
        t = _us_of_day(local)
        return any(s <= t < e for s, e in zip(shape.starts, shape.ends, strict=True))

    def _pos(self, local: datetime, name: str = "date") -> tuple[int, int]:
        """(block number, working microseconds from the block's start up to ``local``); a day
        outside the calendar is reported as the parameter ``name``."""
        d = local.date()
        b, _, before, shape, _, _ = self._ix.days.get(d) or self._day(d, name)
        if shape is None:
            return b, before
        return b, before + shape.elapsed(_us_of_day(local))

    def working_time_between(self, a: datetime, b: datetime) -> timedelta:
        """The working time between two moments; negative when b < a.

        Examples:
            >>> from datetime import datetime
            >>> cal = vietnam_calendar()
            >>> cal.working_time_between(datetime(2026, 11, 23, 10), datetime(2026, 11, 25, 8))
            datetime.timedelta(seconds=19800)
        """
        if type(a) is datetime and type(b) is datetime and a.tzinfo is None and b.tzinfo is None:
            return self._local_time_between(a, b, "a", "b")
        la, _ = to_local(a, "a")
        lb, _ = to_local(b, "b")
        same_style(a, b)
        return self._local_time_between(la, lb, "a", "b")

    def _local_time_between(
        self, la: datetime, lb: datetime, name_a: str = "date", name_b: str = "date"
    ) -> timedelta:
        """working_time_between for two naive local moments (the library's internal calls);
        a day outside the calendar is reported as ``name_a`` or ``name_b``."""
        ba, pa = self._pos(la, name_a)
        bb, pb = self._pos(lb, name_b)
        if ba == bb:
            return (pb - pa) * _US
        sign = 1
        if bb < ba:
            ba, pa, bb, pb, sign = bb, pb, ba, pa, -1
        between = sum(self._ix.block(k).total_us for k in range(ba, bb))
        return sign * (between - pa + pb) * _US

    def add_working_time(self, at: datetime, amount: timedelta) -> datetime:
        """The moment at which ``amount`` of working time has elapsed after ``at``.

        For a positive amount, the earliest such moment (4 hours from 07:30 is 11:30, not
        13:30). For zero, ``at`` itself if it is working time, else the next working moment.
        A negative amount counts backwards to the latest such moment. In every case
        ``working_time_between(at, result) == amount``.

        Examples:
            >>> from datetime import datetime, timedelta
            >>> cal = vietnam_calendar()
            >>> cal.add_working_time(datetime(2026, 11, 23, 16), timedelta(hours=4))
            datetime.datetime(2026, 11, 25, 10, 30)
        """
        if type(at) is datetime and at.tzinfo is None:
            local, tz = at, None
        else:
            local, tz = to_local(at)
        if not isinstance(amount, timedelta):
            raise InputTypeError("amount", amount, "a datetime.timedelta")
        x = (amount.days * 86_400 + amount.seconds) * 1_000_000 + amount.microseconds
        ix = self._ix
        b, target = self._pos(local, "at")
        blk = ix.blocks[b]
        assert blk is not None  # compiled by _pos
        target += x
        if x > 0:
            if target > blk.total_us:
                blk, b, target = self._into_block(b, target, at, amount)
            k = bisect_left(blk.cum, target) - 1
            t = ix.shapes[blk.shape[k]].earliest(target - blk.cum[k])
        else:
            if target < 0 or target >= blk.total_us:
                blk, b, target = self._into_block(b, target, at, amount)
            k = bisect_right(blk.cum, target) - 1
            t = ix.shapes[blk.shape[k]].latest(target - blk.cum[k])
        o = blk.wd[k]
        midnight = ix.midnights.get(o)
        if midnight is None:
            midnight = ix.midnights[o] = _DAY_ONE + timedelta(o - 1)
        result = midnight + t * _US
        return result if tz is None else from_local(result, tz)

    def _into_block(
        self, b: int, target: int, at: datetime, amount: timedelta
    ) -> tuple[Block, int, int]:
        """Carry a position ``target`` past block b's end (or before its start) into its block.

        A positive amount lands in the block where ``target <= total_us`` (the earliest moment);
        otherwise in the block where ``0 <= target < total_us`` (the latest moment).
        """
        ix = self._ix
        n_blocks = len(ix.blocks)
        blk = ix.block(b)
        call = f"add_working_time({at}, {amount!r})"
        positive = amount > timedelta(0)
        while target < 0:
            b -= 1
            if b < 0:
                raise self._result_out_of_range(call, True)
            blk = ix.block(b)
            target += blk.total_us
        while target > blk.total_us or (not positive and target == blk.total_us):
            target -= blk.total_us
            b += 1
            if b >= n_blocks:
                raise self._result_out_of_range(call, False)
            blk = ix.block(b)
        return blk, b, target

    def next_working_moment(self, at: datetime) -> datetime:
        """``at`` if it is working time, else the start of the next working interval.

        Examples:
            >>> from datetime import datetime
            >>> vietnam_calendar().next_working_moment(datetime(2026, 11, 23, 12, 0))
            datetime.datetime(2026, 11, 23, 13, 30)
        """
        return self.add_working_time(at, timedelta(0))

    # ------------------------------------------------------------------ variants

    def with_overrides(
        self,
        *,
        extra_days_off: Iterable[date | tuple[date, str]] = (),
        extra_workdays: Iterable[date | tuple[date, str]] = (),
    ) -> WorkingCalendar:
        """A copy with more office overrides (a typhoon closure, a Sunday counter...).

        Examples:
            >>> from datetime import date
            >>> cal = vietnam_calendar().with_overrides(
            ...     extra_days_off=[(date(2026, 11, 23), "Bão số 15")])
            >>> for day, reason in cal.days_off(2026)[-2:]:
            ...     print(day, reason)
            2026-11-23 Bão số 15
            2026-11-24 Ngày Văn hóa Việt Nam
        """
        extra = _overrides(extra_days_off, extra_workdays)
        merged: dict[date, DayOverride] = {ov.date: ov for ov in self.overrides}
        merged.update({ov.date: ov for ov in extra})
        ordered = tuple(merged[d] for d in sorted(merged))
        return attrs.evolve(self, overrides=ordered)


def _rebuild(
    schedule: WeeklySchedule,
    years: tuple[int, int],
    statutory: str | None,
    notices: tuple[DayOverride, ...],
    overrides: tuple[DayOverride, ...],
    confirmed_until: date | None,
    covered: tuple[CoveredPeriod, ...],
) -> WorkingCalendar:
    """A calendar as pickled by ``WorkingCalendar.__reduce__``."""
    return WorkingCalendar(
        schedule, years=years, statutory=statutory, notices=notices, overrides=overrides,
        confirmed_until=confirmed_until, covered=covered,
    )  # fmt: skip


def _us_of_day(t: datetime) -> int:
    return ((t.hour * 60 + t.minute) * 60 + t.second) * 1_000_000 + t.microsecond


def _override(item: object, kind: DayKind, name: str) -> DayOverride:
    default = {
        DayKind.DAY_OFF: ("Ngày nghỉ của cơ quan", "Office day off"),
        DayKind.WORKDAY: ("Ngày làm việc của cơ quan", "Office working day"),
    }[kind]
    if isinstance(item, DayOverride):
        return item
    if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], str):
        d, reason = check_date(item[0], name), item[1]
        return DayOverride(d, kind, reason, reason)
    d = check_date(item, name)
    return DayOverride(d, kind, *default)


_OVERRIDES_EXPECTED = "an iterable of dates or (date, reason) pairs"


def _override_items(value: object, name: str) -> tuple[object, ...]:
    """The items of ``extra_days_off=`` / ``extra_workdays=``, refusing what is not a collection
    of them: a single date (a classic slip: ``extra_days_off=date(...)``), a single pair, a str
    (iterable, but of characters), a dict (iterable, but of its keys), a number, None."""
    if isinstance(value, date):
        raise InputTypeError(name, value, f"{_OVERRIDES_EXPECTED}; wrap a single date in a list")
    if (
        isinstance(value, tuple)
        and len(value) == 2
        and isinstance(value[0], date)
        and isinstance(value[1], str)
    ):
        raise InputTypeError(name, value, f"{_OVERRIDES_EXPECTED}; wrap a single pair in a list")
    if isinstance(value, Mapping):  # iterating would keep the dates and drop the reasons
        raise InputTypeError(name, value, f"{_OVERRIDES_EXPECTED}; for a dict pass .items()")
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise InputTypeError(name, value, _OVERRIDES_EXPECTED)
    return tuple(value)


def _overrides(
    days_off: Iterable[date | tuple[date, str]], workdays: Iterable[date | tuple[date, str]]
) -> tuple[DayOverride, ...]:
    """The overrides of ``extra_days_off=`` and ``extra_workdays=`` (the same names in
    :func:`vietnam_calendar` and :meth:`WorkingCalendar.with_overrides`), sorted by date."""
    off = _override_items(days_off, "extra_days_off")
    work = _override_items(workdays, "extra_workdays")
    out = [_override(x, DayKind.DAY_OFF, f"extra_days_off[{i}]") for i, x in enumerate(off)]
    out += [_override(x, DayKind.WORKDAY, f"extra_workdays[{i}]") for i, x in enumerate(work)]
    dates = [o.date for o in out]
    dup = {d for d in dates if dates.count(d) > 1}
    if dup:
        raise PolicyError(sorted(dup), "each override date listed once")
    return tuple(sorted(out, key=lambda o: o.date))


def vietnam_calendar(
    *,
    schedule: WeeklySchedule | None = None,
    extra_days_off: Iterable[date | tuple[date, str]] = (),
    extra_workdays: Iterable[date | tuple[date, str]] = (),
    years: tuple[int, int] = (1995, 2100),
    notices: PathArg | Iterable[PathArg] | None = None,
) -> WorkingCalendar:
    """The national public-sector working calendar of Vietnam.

    Statutory holidays (Labour Code 2019 art. 112, incl. Tết and Giỗ Tổ from the lunar
    calendar, and 24/11 from 2026), the public-sector swaps and make-up Saturdays of the
    official notices shipped with the library (plus any user notices files), and the office's
    own overrides on top.

    Args:
        schedule: weekly hours; ``WeeklySchedule.default()`` when omitted.
        extra_days_off: the office's extra days off: an iterable of dates or ``(date, reason)``
            pairs (a list even for one day: ``[date(2026, 11, 30)]``).
        extra_workdays: the office's extra working days (a Sunday counter...), same form.
        years: the whole years the calendar covers.
        notices: a notices TOML file, or a list of them, of the shipped file's schema, merged
            on top of the shipped notices in order (a notice published after this release);
            the confirmed horizon follows what they announce. See ``docs/calendars.md``.

    Raises:
        InputTypeError: ``extra_days_off`` or ``extra_workdays`` is not an iterable of dates or
            pairs (a single date, a str, a number), or one of its items is not a date;
            ``notices`` is not a path or a list of paths; or ``years`` is not a pair of ints.
        CalendarDataError: a notices file cannot be read, is malformed, or conflicts with an
            earlier one; the message names the file and the entry.
        PolicyError: a date listed twice, or ``years`` out of order or past 9998.
        CalendarRangeError: an extra day off or workday outside ``years``.

    Examples:
        >>> cal = vietnam_calendar()
        >>> cal.confirmed_until
        datetime.date(2026, 12, 31)
    """
    merged = None if notices is None else _merged_notices(notices)
    return _vietnam_calendar(
        schedule or WeeklySchedule.default(),
        _overrides(extra_days_off, extra_workdays),
        _years_arg(years),
        merged,
    )


_NOTICES_EXPECTED = "a path to a notices TOML file, or a list of such paths"


def _merged_notices(value: object) -> Notices | None:
    """The shipped notices merged with the user files of ``notices=`` (None: none given)."""
    if isinstance(value, str | os.PathLike):
        paths: tuple[object, ...] = (value,)
    elif isinstance(value, bytes | Mapping) or not isinstance(value, Iterable):
        raise InputTypeError("notices", value, _NOTICES_EXPECTED)
    else:
        paths = tuple(value)
    for i, p in enumerate(paths):
        if not isinstance(p, str | os.PathLike):
            raise InputTypeError(f"notices[{i}]", p, _NOTICES_EXPECTED)
    if not paths:
        return None
    return load_notices(*paths)  # type: ignore[arg-type]  # checked just above


def _years_arg(years: object) -> tuple[int, int]:
    if not isinstance(years, tuple | list) or len(years) != 2:
        raise InputTypeError("years", years, "a (first_year, last_year) pair")
    return (years[0], years[1])


@functools.lru_cache(maxsize=64)
def _vietnam_calendar(
    schedule: WeeklySchedule,
    overrides: tuple[DayOverride, ...],
    years: tuple[int, int],
    merged: Notices | None,
) -> WorkingCalendar:
    notices = load_notices() if merged is None else merged
    return WorkingCalendar(
        schedule,
        years=years,
        statutory="VN",
        notices=notices.days,
        overrides=overrides,
        covered=notices.periods,
    )
