"""The command line's two engines over one read table, with the same answers.

``scalar``: every dossier through :func:`tthc_sla.evaluate` (the core library only).
``columnar``: the whole table through :func:`tthc_sla.batch.evaluate_frame` (the ``batch``
extra), with the histories it cannot judge given back to the scalar path so that what is set
aside, and why, is the scalar engine's. ``auto`` takes the columnar engine when numpy and
pandas are installed, except for a small text table (:data:`SMALL`). Both give flat rows
(``evaluation._flat``), summaries, and the lists.
"""

from __future__ import annotations

import importlib.util
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Final

import attrs

from tthc_sla import _formats, _tables
from tthc_sla._fastread import FrameTable
from tthc_sla.calendar import WorkingCalendar
from tthc_sla.errors import TthcSlaError
from tthc_sla.evaluation import Evaluation, evaluate
from tthc_sla.evaluation._flat import FLAT_COLUMNS, LIST_SEPARATOR, flat_row
from tthc_sla.history import Dossier, Event
from tthc_sla.metrics import due_soon, late_by_unit, late_dossiers, summarize
from tthc_sla.procedure import Procedure
from tthc_sla.rules import DeadlinePolicy

__all__ = ["ENGINES", "SMALL", "Results", "columnar", "columnar_available", "evaluate_all"]

ENGINES = ("auto", "scalar", "columnar")

SMALL: Final = 1_000_000
"""Bytes of CSV or JSON Lines below which ``--engine auto`` takes the scalar engine: it has
evaluated such a file (some 3,000 dossiers) before numpy and pandas would have loaded (about
0.5 s of a 1.2 s run; the engines break even near 5,000 dossiers, see docs/scale.md)."""


def columnar_available() -> bool:
    """Whether the columnar engine's extra (numpy and pandas) is installed."""
    return all(importlib.util.find_spec(m) is not None for m in ("numpy", "pandas"))


@attrs.define
class Results:
    """What one engine made of a table: evaluations (scalar) or a frame (columnar)."""

    evaluations: list[Evaluation] | None = None
    frame: Any = None  # pandas.DataFrame, OUTPUT_COLUMNS of evaluate_frame

    def __len__(self) -> int:
        return len(self.evaluations) if self.evaluations is not None else len(self.frame)

    def provisional(self) -> int:
        if self.evaluations is not None:
            return sum(1 for e in self.evaluations if e.provisional)
        return int(self.frame["provisional"].sum())

    def rows(self) -> Iterator[dict[str, Any]]:
        """The flat rows, in the table's order of dossiers."""
        if self.evaluations is not None:
            return (flat_row(e) for e in self.evaluations)
        return _frame_rows(self.frame)

    def summaries(self, period: tuple[date, date], by: Sequence[str]) -> Any:
        if self.evaluations is not None:
            return summarize(self.evaluations, period=period, by=by)
        from tthc_sla.batch import summarize_frame

        return summarize_frame(self.frame, period=period, by=by)

    def summaries_each(self, periods: Sequence[tuple[date, date]], by: Sequence[str]) -> list[Any]:
        """:meth:`summaries` of several periods."""
        return [self.summaries(period, by) for period in periods]

    def late(self, period: tuple[date, date]) -> list[dict[str, Any]]:
        if self.evaluations is not None:
            return [flat_row(e) for e in late_dossiers(self.evaluations, period=period)]
        from tthc_sla.batch import late_frame

        return list(_frame_rows(late_frame(self.frame, period=period)))

    def late_top(self, period: tuple[date, date], most: int) -> tuple[list[dict[str, Any]], int]:
        """The first ``most`` rows of :meth:`late`, and how many it has."""
        rows = self.late(period)
        return rows[:most], len(rows)

    def due_soon(self) -> list[dict[str, Any]]:
        if self.evaluations is not None:
            return [flat_row(e) for e in due_soon(self.evaluations)]
        from tthc_sla.batch import due_soon_frame

        return list(_frame_rows(due_soon_frame(self.frame)))

    def units(self, period: tuple[date, date]) -> dict[str, int]:
        """How many late dossiers each unit is attributed, most first (``late_by_unit``)."""
        if self.evaluations is not None:
            return late_by_unit(self.evaluations, period=period)
        return units_of(self.late(period))


def units_of(late: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """How many late dossiers each unit is attributed, most first (ties in list order), from
    the flat rows of a late list: ``late_by_unit`` over rows."""
    counts: Counter[str] = Counter()
    for row in late:
        if row["late_units"]:
            counts.update(row["late_units"].split(LIST_SEPARATOR))
    return dict(counts.most_common())


def evaluate_all(
    table: _tables.DossierTable | FrameTable,
    calendar: WorkingCalendar,
    *,
    as_of: datetime,
    policy: DeadlinePolicy,
    skip_bad: bool,
    procedures: Mapping[str, Procedure] | None = None,
    tick: Callable[[int], None] | None = None,
) -> tuple[Results, list[_tables.SetAside]]:
    """Evaluate a read table: a ``DossierTable`` (``read_dossiers``) with the scalar engine, a
    ``FrameTable`` (``read_events_frame``) with the columnar one. Dossiers whose history breaks
    a rule are set aside (``skip_bad``) or raise, named by the file line of the offending row,
    by either engine. ``procedures``: the table the frame's codes name (a frame table)."""
    if isinstance(table, FrameTable):
        assert procedures is not None
        return _columnar(_Frame(table, procedures), calendar, as_of=as_of, policy=policy,
                         skip_bad=skip_bad)  # fmt: skip

    def one(d: Dossier) -> Evaluation:
        return evaluate(d, calendar, as_of=as_of, policy=policy)

    evaluations, aside = _tables.evaluate_table(table, one, skip_bad=skip_bad, tick=tick)
    return Results(evaluations=evaluations), aside


def columnar(engine: str, events: str | None = None) -> bool:
    """Whether ``--engine`` (auto, scalar, columnar) means the columnar engine for the
    events file ``events`` (None: any input, e.g. one already dealt into partitions): auto
    takes it when numpy and pandas are installed, unless ``events`` is a CSV or JSON Lines file
    of fewer than :data:`SMALL` bytes."""
    if engine != "auto":
        return engine == "columnar"
    return columnar_available() and not (events is not None and _small_text(events))


def _small_text(path: str) -> bool:
    """Whether ``path`` is a text table (by its name) of fewer than SMALL bytes."""
    try:
        return _formats.text_table(path) and os.path.isfile(path) and os.path.getsize(path) < SMALL
    except OSError:  # unreadable: the reader names the problem
        return False


@attrs.frozen
class _Frame:
    """A frame table with the procedures its codes name."""

    table: FrameTable
    procedures: Mapping[str, Procedure]


def _columnar(
    read: _Frame,
    calendar: WorkingCalendar,
    *,
    as_of: datetime,
    policy: DeadlinePolicy,
    skip_bad: bool,
) -> tuple[Results, list[_tables.SetAside]]:
    from tthc_sla.batch import evaluate_frame

    def one(d: Dossier) -> Evaluation:
        return evaluate(d, calendar, as_of=as_of, policy=policy)

    try:
        frame = evaluate_frame(
            read.table.events, read.procedures, calendar, as_of=as_of, policy=policy,
            strict=False,
        )  # fmt: skip
    except TthcSlaError:  # a day outside the calendar: the scalar path names the dossier
        evaluations, aside = _tables.evaluate_table(_dossier_table(read), one, skip_bad=skip_bad)
        return Results(evaluations=evaluations), aside
    broken = (frame["warnings"] != "").to_numpy()
    if not broken.any():
        return Results(frame=frame), []
    # The broken histories, in the table's order, through the scalar path: the same error
    # (strict) or the same set-aside dossiers, named by line (skip_bad).
    ids = set(frame["dossier_id"][broken].tolist())
    _, aside = _tables.evaluate_table(_dossier_table(read, ids), one, skip_bad=skip_bad)
    kept = frame[~broken].reset_index(drop=True)
    kept.attrs = dict(frame.attrs)
    return Results(frame=kept), aside


def _dossier_table(read: _Frame, ids: set[str] | None = None) -> _tables.DossierTable:
    """Some dossiers of a frame table (all when ``ids`` is None) as a ``DossierTable``."""
    table = read.table
    events = table.events
    if ids is not None:
        events = events[events["dossier_id"].isin(ids).to_numpy()]
    dossiers = []
    for dossier_id, rows in events.groupby("dossier_id", sort=False):
        records = rows.to_dict("records")
        first = records[0]
        dossiers.append(
            Dossier(
                str(dossier_id),
                read.procedures[first["procedure"]],
                [_event(r) for r in records],
                channel=_value(first["channel"]),
                agency=_value(first["agency"]),
                level=_value(first["level"]),
                field=_value(first["field"]),
                difficult_area=bool(first["difficult_area"]),
            )
        )
    lines = table.dossier_lines()
    return _tables.DossierTable(
        table.source,
        table.format,
        tuple(dossiers),
        {d.id: lines[d.id] for d in dossiers},
        (),
        0,
    )


def _event(record: dict[str, Any]) -> Event:
    new_due = _value(record["new_due"])
    if hasattr(new_due, "to_pydatetime"):  # a pandas timestamp; a date stays a date
        new_due = new_due.to_pydatetime()
    return Event(
        record["at"].to_pydatetime(),
        record["kind"],
        step=_value(record["step"]),
        unit=_value(record["unit"]),
        new_due=new_due,
        note=_value(record["note"]),
    )


def _value(value: Any) -> Any:
    """A cell of the frame as a Python value: None for a missing one."""
    return None if value is None or value != value else value


def _frame_rows(frame: Any) -> Iterator[dict[str, Any]]:
    """The rows of an evaluate_frame result as the Python values ``flat_row`` gives."""
    columns = {c: frame[c].tolist() for c in FLAT_COLUMNS if c not in _MOMENTS}
    for c in _MOMENTS:
        columns[c] = _python_times(frame[c], "datetime64[us]")
    columns["due_date"] = _python_times(frame["due_date"], "datetime64[D]")
    columns["processing_working_days"] = [
        None if v != v else int(v) for v in columns["processing_working_days"]
    ]
    for values in zip(*(columns[c] for c in FLAT_COLUMNS), strict=True):
        yield dict(zip(FLAT_COLUMNS, values, strict=True))


_MOMENTS = ("received_at", "due_at", "completed_at", "ended_at", "rescheduled_due")


def _python_times(column: Any, unit: str) -> list[Any]:
    """A column of moments as datetimes (``datetime64[D]``: dates), None for NaT; numpy's
    own conversion for a datetime64 column, one value at a time otherwise."""
    if column.dtype.kind == "M" and getattr(column.dtype, "tz", None) is None:
        out: list[Any] = column.to_numpy(dtype=unit).astype(object).tolist()
        return out
    moments = [_moment(v) for v in column.tolist()]
    if unit == "datetime64[D]":
        return [None if v is None else v.date() for v in moments]
    return moments


def _moment(value: Any) -> datetime | None:
    """A pandas timestamp (or NaT) as a datetime (or None)."""
    if value is None or value != value:  # NaT is not equal to itself
        return None
    out: datetime = value.to_pydatetime()
    return out
