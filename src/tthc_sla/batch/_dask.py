"""``evaluate_dask``: ``evaluate_frame`` over a dask DataFrame, one partition at a time."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from tthc_sla.batch._frame import evaluate_frame
from tthc_sla.batch._output import empty_result
from tthc_sla.batch._table import procedure_table
from tthc_sla.calendar import WorkingCalendar
from tthc_sla.errors import InputTypeError
from tthc_sla.procedure import Procedure
from tthc_sla.rules import DeadlinePolicy

__all__ = ["evaluate_dask"]

_DEFAULT_POLICY = DeadlinePolicy()


def evaluate_dask(
    events: Any,
    procedures: Mapping[str, Procedure] | Sequence[Procedure],
    calendar: WorkingCalendar,
    *,
    as_of: datetime,
    policy: DeadlinePolicy = _DEFAULT_POLICY,
    strict: bool = True,
    shuffle_method: str | None = None,
) -> Any:
    """:func:`evaluate_frame` over a ``dask.dataframe`` of events, one partition at a time.

    All the events of a dossier must be in one partition, in history order. The events are
    tagged with their position (partition, row), shuffled on ``dossier_id`` (hashing: every
    row of a dossier goes to the same output partition), put back in their original order
    inside each partition, and evaluated there; the result is a lazy dask DataFrame with one
    row per dossier (``OUTPUT_COLUMNS``). ``shuffle_method`` goes to dask's ``shuffle``
    (``"tasks"`` without a distributed cluster; dask picks ``"p2p"`` on one). Needs the
    ``dask`` extra.

    Example (needs dask; see docs/scale.md)::

        result = evaluate_dask(dd.from_pandas(events, npartitions=8), procs, cal,
                               as_of=datetime(2026, 12, 31, 23, 59)).compute()
    """
    procs = procedure_table(procedures)
    tagged_meta = events._meta.assign(_part=np.int64(0), _row=np.int64(0))
    tagged = events.map_partitions(_dask_tag, meta=tagged_meta)
    shuffled = tagged.shuffle(on="dossier_id", shuffle_method=shuffle_method)
    # A calendar holds a lock (its lazily compiled index), so it travels as its field values
    # and is rebuilt, once per worker process, on the other side.
    state = _calendar_state(calendar)
    return shuffled.map_partitions(
        _dask_run, procs, state, as_of, policy, strict, meta=empty_result()
    )


_CALENDAR_FIELDS = (
    "schedule", "years", "statutory", "notices", "overrides", "confirmed_until", "covered",
)  # fmt: skip


def _calendar_state(calendar: WorkingCalendar) -> tuple[Any, ...]:
    """The calendar's defining values: picklable and hashable, unlike the calendar's index."""
    if not isinstance(calendar, WorkingCalendar):
        raise InputTypeError("calendar", calendar, "a WorkingCalendar (see vietnam_calendar())")
    return tuple(getattr(calendar, f) for f in _CALENDAR_FIELDS)


@functools.lru_cache(maxsize=8)
def _calendar_of(state: tuple[Any, ...]) -> WorkingCalendar:
    schedule, years, statutory, notices, overrides, confirmed, covered = state
    return WorkingCalendar(
        schedule,
        years=years,
        statutory=statutory,
        notices=notices,
        overrides=overrides,
        confirmed_until=confirmed,
        covered=covered,
    )


def _dask_tag(df: pd.DataFrame, partition_info: dict[str, Any] | None = None) -> pd.DataFrame:
    """Tag each event with its place (partition, row) so that the shuffle can be undone."""
    number = 0 if partition_info is None else int(partition_info["number"])
    return df.assign(_part=number, _row=np.arange(len(df), dtype=np.int64))


def _dask_run(
    df: pd.DataFrame,
    procs: dict[str, Procedure],
    state: tuple[Any, ...],
    as_of: datetime,
    policy: DeadlinePolicy,
    strict: bool,
) -> pd.DataFrame:
    """One partition: its events back in their original order, then evaluate_frame."""
    calendar = _calendar_of(state)
    df = df.sort_values(["_part", "_row"], kind="stable")
    result = evaluate_frame(df, procs, calendar, as_of=as_of, policy=policy, strict=strict)
    result.attrs = {}
    return result
