"""The confirmed horizon: which days official notices have settled, queried by binary search.

A notices file says, year by year, which stretches of days its notices settled (a whole year, or
the windows of the occasions announced so far). Merged, they form a few disjoint *confirmed
stretches*; every day outside them is *provisional*. Days before the first stretch are history
and count as confirmed (the file does not try to cover them), so the first stretch always starts
at ``date.min``. ``until`` is the last day of that first stretch: the classic "confirmed until".
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from datetime import date

__all__ = ["Horizon"]

_MIN = date.min.toordinal()
_MAX = date.max.toordinal()


class Horizon:
    """Disjoint, sorted confirmed stretches as two ordinal arrays; O(log n) queries.

    ``starts[i]..ends[i]`` (both included) is a confirmed stretch; stretches neither overlap
    nor touch (touching ones are merged), so a span of days is confirmed exactly when one
    stretch holds both of its ends.
    """

    __slots__ = ("ends", "starts", "until")

    def __init__(self, stretches: Iterable[tuple[int, int]]) -> None:
        starts: list[int] = []
        ends: list[int] = []
        for a, b in sorted(stretches):
            if ends and a <= ends[-1] + 1:
                ends[-1] = max(ends[-1], b)
            else:
                starts.append(a)
                ends.append(b)
        self.starts = tuple(starts)
        self.ends = tuple(ends)
        #: The last day of the stretch that starts at date.min (None: nothing is confirmed).
        self.until = ends[0] if starts and starts[0] == _MIN else None

    @classmethod
    def of_periods(cls, periods: Iterable[tuple[date, date]]) -> Horizon:
        """The horizon of covered periods; the days before the first one count as history."""
        spans = [(a.toordinal(), b.toordinal()) for a, b in periods]
        if not spans:
            return cls([(_MIN, _MAX)])
        first = min(a for a, _ in spans)
        return cls([*spans, (_MIN, max(_MIN, first - 1))])

    @classmethod
    def up_to(cls, until: date | None) -> Horizon:
        """Everything up to ``until`` confirmed (None: everything, a calendar without notices)."""
        return cls([(_MIN, _MAX if until is None else until.toordinal())])

    def confirmed(self, o: int) -> bool:
        """Whether the day with ordinal ``o`` is confirmed."""
        until = self.until
        if until is not None and o <= until:
            return True
        i = bisect_right(self.starts, o) - 1
        return i >= 0 and o <= self.ends[i]

    def span_confirmed(self, a: int, b: int) -> bool:
        """Whether every day of ordinals a..b (a <= b, both included) is confirmed."""
        until = self.until
        if until is not None and b <= until:
            return True
        i = bisect_right(self.starts, a) - 1
        return i >= 0 and b <= self.ends[i]

    def stretches(self, first: date, last: date) -> tuple[tuple[date, date], ...]:
        """The confirmed stretches clipped to first..last, in date order."""
        lo, hi = first.toordinal(), last.toordinal()
        return tuple(
            (date.fromordinal(max(a, lo)), date.fromordinal(min(b, hi)))
            for a, b in zip(self.starts, self.ends, strict=True)
            if b >= lo and a <= hi
        )
