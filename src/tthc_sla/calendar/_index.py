"""The compiled calendar index: flat arrays per block of days, built lazily, queried in O(1).

For every block of ``BLOCK`` consecutive days the index holds

* ``work``: one byte per day, 1 for a working day;
* ``rank``: for every day, the number of working days in the block up to and including it;
* ``wd``: the ordinals of the block's working days, sorted;
* ``shape``: for every working day, which day shape (intervals) it uses;
* ``cum``: cumulative working microseconds before each working day (length ``len(wd) + 1``);
* ``off_named`` / ``work_named``: the days off and the extra working days that carry a reason.

Adding n working days is ``wd[rank[d] + n - 1]`` and counting is ``rank[b] - rank[a]``; only a
computation that crosses into another block steps from block to block (a block is about eleven
years, so at most a few steps). Building a block is the only per-day loop, and it runs once.
"""

from __future__ import annotations

import threading
from array import array
from collections.abc import Callable, Iterable
from datetime import date, datetime
from itertools import accumulate, compress

import attrs

from tthc_sla.calendar._notices import DayKind, DayOverride
from tthc_sla.calendar._schedule import _DayShape

__all__ = ["BLOCK", "Block", "DayInfo", "Dense", "Index", "dense"]

BLOCK = 4096
_MAKEUP_SHAPE = 7

#: What the hour arithmetic needs of one day: (block number, rank in the block, working
#: microseconds in the block before the day, its shape or None on a day off, its opening, its
#: close).
DayInfo = tuple[int, int, int, _DayShape | None, datetime | None, datetime | None]

#: A source of statutory holidays: years -> {date: (reason_vi, reason_en)}.
StatutorySource = Callable[[Iterable[int]], dict[date, tuple[str, str]]]


@attrs.define(slots=True, eq=False)
class Block:
    first: int
    work: bytearray
    rank: array[int]
    wd: array[int]
    shape: bytearray
    cum: array[int]
    off_named: list[tuple[int, str, str]]
    work_named: list[tuple[int, str, str]]
    total: int = 0  # working days in the block
    total_us: int = 0  # working microseconds in the block

    def __attrs_post_init__(self) -> None:
        self.total = len(self.wd)
        self.total_us = self.cum[-1]


class Index:
    """Lazily compiled blocks for one calendar. Safe to share between threads."""

    __slots__ = (
        "base",
        "blocks",
        "days",
        "last",
        "layers",
        "lock",
        "memo",
        "midnights",
        "shapes",
        "statutory",
        "weekly",
    )

    def __init__(
        self,
        first: date,
        last: date,
        weekly_shapes: tuple[_DayShape, ...],
        statutory: StatutorySource | None,
        layers: tuple[tuple[DayOverride, ...], ...],
    ) -> None:
        self.base = first.toordinal()
        self.last = last.toordinal()
        self.shapes = weekly_shapes
        self.weekly = tuple(s.total > 0 for s in weekly_shapes[:7])
        self.statutory = statutory
        self.layers = layers  # lowest precedence first
        self.blocks: list[Block | None] = [None] * ((self.last - self.base) // BLOCK + 1)
        self.lock = threading.Lock()
        # (date, n) -> (n-th working day after date, its close): the common deadline, memoised.
        self.memo: dict[tuple[date, int], tuple[date, datetime]] = {}
        # date -> what the hour arithmetic needs of it (see WorkingCalendar._day); at most one
        # entry per day of the range, filled on first use.
        self.days: dict[date, DayInfo] = {}
        # working day ordinal -> its midnight, for the results of the hour arithmetic.
        self.midnights: dict[int, datetime] = {}

    def block(self, b: int) -> Block:
        blk = self.blocks[b]
        if blk is None:
            with self.lock:
                blk = self.blocks[b]
                if blk is None:
                    blk = self._compile(b)
                    self.blocks[b] = blk
        return blk

    def _compile(self, b: int) -> Block:
        first = self.base + b * BLOCK
        last = min(first + BLOCK - 1, self.last)
        exceptions = self._exceptions(first, last)
        n = last - first + 1
        # The weekly schedule laid over the block (a day's shape is its weekday's; a make-up
        # day's is _MAKEUP_SHAPE), then the days that differ from it, in order.
        days = [(first + 6 + k) % 7 for k in range(7)]  # date.fromordinal(1) is a Monday
        working = [self.weekly[d] for d in days] * (n // 7 + 1)
        del working[n:]
        day_shape = [d if self.weekly[d] else _MAKEUP_SHAPE for d in days]
        off_named: list[tuple[int, str, str]] = []
        work_named: list[tuple[int, str, str]] = []
        for o in sorted(exceptions):
            works, vi, en = exceptions[o]
            working[o - first] = works
            if not works:
                off_named.append((o, vi, en))
            elif not self.weekly[days[(o - first) % 7]]:
                work_named.append((o, vi, en))
        which = list(compress(range(n), working))  # the working days, by position
        shape = bytearray(day_shape[i % 7] for i in which)
        totals = [s.total for s in self.shapes]
        rank: array[int] = array("q", accumulate(working))
        wd: array[int] = array("q", [first + i for i in which])
        cum: array[int] = array("q", accumulate((totals[s] for s in shape), initial=0))
        return Block(first, bytearray(working), rank, wd, shape, cum, off_named, work_named)

    def _exceptions(self, first: int, last: int) -> dict[int, tuple[bool, str, str]]:
        """The status of the days from ``first`` to ``last`` (ordinals) that differ from the
        weekly schedule: ordinal -> (working, vi, en)."""
        exceptions: dict[int, tuple[bool, str, str]] = {}
        if self.statutory is not None:
            years = range(date.fromordinal(first).year, date.fromordinal(last).year + 1)
            for day, (vi, en) in self.statutory(years).items():
                o = day.toordinal()
                if first <= o <= last:
                    exceptions[o] = (False, vi, en)
        for layer in self.layers:
            for ov in layer:
                o = ov.date.toordinal()
                if first <= o <= last:
                    exceptions[o] = (ov.kind is DayKind.WORKDAY, ov.reason_vi, ov.reason_en)
        return exceptions


@attrs.frozen(eq=False)
class Dense:
    """The whole range's index as flat arrays (see ``calendar._seam.dense``).

    Day ``i`` is the day with ordinal ``base + i``. ``rank[i]``: working days up to and
    including day i; ``wd[j]``: the day index of the j-th working day (0-based); ``work[i]``:
    1 on a working day; ``shape[j]``: the shape of working day j; ``cum[j]``: working
    microseconds before working day j (``len(wd) + 1`` long); ``shapes``: the day shapes.
    """

    base: int
    rank: array[int]
    wd: array[int]
    work: bytes
    shape: bytes
    cum: array[int]
    shapes: tuple[_DayShape, ...]


def dense(ix: Index) -> Dense:
    """Every block of ``ix`` compiled and laid end to end with running offsets."""
    rank: array[int] = array("q")
    wd: array[int] = array("q")
    cum: array[int] = array("q")
    work = bytearray()
    shape = bytearray()
    count = 0
    total_us = 0
    for b in range(len(ix.blocks)):
        blk = ix.block(b)
        rank.extend([r + count for r in blk.rank])
        wd.extend([o - ix.base for o in blk.wd])
        cum.extend([c + total_us for c in blk.cum[:-1]])
        work += blk.work
        shape += blk.shape
        count += blk.total
        total_us += blk.total_us
    cum.append(total_us)
    return Dense(ix.base, rank, wd, bytes(work), bytes(shape), cum, ix.shapes)
