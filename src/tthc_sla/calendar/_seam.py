"""What the rules, evaluation and batch packages need of a calendar beyond its public API.

This module is the calendar package's one package-internal interface (docs/design.md, "Seams");
``tests/test_architecture.py`` refuses any other private name of the package used outside it.

* ``due_end_of_day(cal, d, n)``: ``(add_working_days(d, n), the close of that day)``, memoised
  per calendar: the common deadline (whole working days, due at the close) in one lookup.
* ``local_time_between(cal, a, b)``: ``working_time_between`` for two naive local moments.
* ``dense(cal)``: the compiled index over the whole range as flat arrays (``Dense``), for the
  columnar engine.
* ``VN_TZ``, ``to_local``, ``from_local``, ``naive``: the time-zone boundary (DESIGN §10: a
  history is brought to local wall time once, results go back to the caller's style once).
"""

from __future__ import annotations

import functools

from tthc_sla.calendar._calendar import WorkingCalendar
from tthc_sla.calendar._index import Dense
from tthc_sla.calendar._index import dense as _dense
from tthc_sla.calendar._tz import VN_TZ, from_local, naive, to_local

__all__ = [
    "VN_TZ",
    "Dense",
    "dense",
    "due_end_of_day",
    "from_local",
    "local_time_between",
    "naive",
    "to_local",
]

# Unbound methods: a call costs what the method call costs (the replay's hot path).
due_end_of_day = WorkingCalendar._due_end_of_day
local_time_between = WorkingCalendar._local_time_between


@functools.lru_cache(maxsize=16)
def dense(cal: WorkingCalendar) -> Dense:
    """The calendar's index over its whole range, compiled and laid end to end (cached)."""
    return _dense(cal._ix)
