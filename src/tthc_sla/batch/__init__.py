"""Columnar evaluation: due dates and SLA outcomes for whole tables, on the compiled arrays.

The scalar API builds Python objects per event and walks each history; this module takes a
table of events (one row per event, pandas) and does the same arithmetic with numpy gathers on
the calendar's compiled arrays: a dense rank table ``R`` (working days up to and including each
day) and the working-day ordinals ``W``, so that ``add_working_days(d, n)`` is
``W[R[d] + n - 1]`` and ``working_days_between(a, b)`` is ``R[b] - R[a]`` for a million rows.

Results equal :func:`tthc_sla.evaluate` dossier by dossier. A few histories are not worth
vectorising; :func:`evaluate_frame` sends exactly those through the scalar ``evaluate`` and
marks them in the ``scalar`` column (see its docstring and ``docs/scale.md``).

Needs the ``batch`` extra (numpy and pandas); the core library never imports this module.

Maintainer's notes: the package mirrors the scalar engine file for file and reads the same
definitions (DESIGN §10). ``_arrays``: the calendar's index (``calendar._seam.dense``) as
numpy arrays. ``_deadline``: ``rules/_deadline.py``'s dispatch over arrays, from the rule plans.
``_table``: the events table read once. ``_replay`` and ``_steps``: ``evaluation/_replay.py``
as phases (``history.TRANSITIONS`` and ``EFFECT``, ``evaluation._judge``). ``_output``:
``evaluation/_flat.py``'s layout. ``_frame``: ``evaluate_frame``, the phases in order.
``_fallback``: the dossiers given to the scalar ``evaluate``. ``_summary``:
``metrics.summarize`` (``_counting.count``). ``_dask``: the partitioned recipe.
"""

from tthc_sla.batch._arrays import (
    CalendarArrays,
    calendar_arrays,
    due_dates,
    working_days_between,
)
from tthc_sla.batch._dask import evaluate_dask
from tthc_sla.batch._frame import evaluate_frame
from tthc_sla.batch._output import OUTPUT_COLUMNS, events_frame
from tthc_sla.batch._summary import due_soon_frame, late_frame, summarize_frame

__all__ = [
    "OUTPUT_COLUMNS",
    "CalendarArrays",
    "calendar_arrays",
    "due_dates",
    "due_soon_frame",
    "evaluate_dask",
    "evaluate_frame",
    "events_frame",
    "late_frame",
    "summarize_frame",
    "working_days_between",
]
