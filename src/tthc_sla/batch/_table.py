"""The events table read once: the columnar twin of building ``Dossier`` and ``Event`` values.

Every column is read once into arrays over the events grouped by dossier (a stable sort only
when the rows of different dossiers interleave): the dossiers' ids, the kinds (with the readers'
vocabulary, ``history.to_kind``), the moments in microseconds, the dossier-level columns (one
value per dossier, checked like ``Dossier`` and the table readers do: ``to_channel``,
``to_flag``), and the table from procedures to rule plans (``rules._seam.plan_of``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

import attrs
import numpy as np
import pandas as pd

from tthc_sla.batch._arrays import NDArray
from tthc_sla.batch._deadline import Plans, plans
from tthc_sla.errors import InputTypeError, PolicyError, TimezoneMixError
from tthc_sla.history import EventKind, to_channel, to_flag, to_kind
from tthc_sla.procedure import Procedure
from tthc_sla.rules import DeadlinePolicy
from tthc_sla.rules._seam import plan_of

__all__ = [
    "DOSSIER_COLUMNS",
    "KINDS",
    "Table",
    "factorize_runs",
    "first_pos",
    "last_pos",
    "procedure_table",
    "read_table",
    "segment_cumsum",
    "values_at",
]

KINDS = list(EventKind)
_KIND_CODE = {k: i for i, k in enumerate(KINDS)}
DOSSIER_COLUMNS = ("agency", "level", "field", "channel", "difficult_area")


@attrs.frozen(eq=False)
class Table:
    """The events table as arrays; events are in grouped order (by dossier, history order).

    Attributes:
        events: the table as given.
        ids: per dossier, its id (in order of first appearance).
        g: per event, its dossier (non-decreasing).
        starts: per dossier, the position of its first event.
        rows: per event, its row in ``events``.
        kind: per event, its kind (position in ``EventKind``).
        at: per event, its moment in microseconds since 1970 (naive local wall time).
        procedure: per dossier, its procedure code.
        meta: per dossier, ``agency``, ``level``, ``field`` and ``channel`` (the channel's
            value), None where missing.
        difficult: per dossier, its own difficult-area flag.
        procedures: the procedures the dossiers use; ``pidx``: per dossier, its procedure.
        plan: per dossier, its rule's plan under the policy and its difficult-area flag.
        pause_supplement: per dossier, a supplement pauses its clock (instead of restarting).
    """

    events: pd.DataFrame
    ids: NDArray
    g: NDArray
    starts: NDArray
    rows: NDArray
    kind: NDArray
    at: NDArray
    procedure: NDArray
    meta: dict[str, NDArray]
    difficult: NDArray
    procedures: list[Procedure]
    pidx: NDArray
    plan: Plans
    pause_supplement: NDArray


class _Groups(NamedTuple):
    g: NDArray
    starts: NDArray
    order: NDArray | None  # rows in grouped order; None when the table came grouped
    same: NDArray  # per pair of neighbours: the same dossier
    ids: NDArray


def procedure_table(
    procedures: Mapping[str, Procedure] | Sequence[Procedure],
) -> dict[str, Procedure]:
    """The procedures by code, each checked to be a Procedure."""
    if isinstance(procedures, Mapping):
        table = dict(procedures)
    else:
        table = {}
        for p in procedures:
            if not isinstance(p, Procedure):
                raise InputTypeError("procedures", p, "Procedure objects")
            table[p.code] = p
    for p in table.values():
        if not isinstance(p, Procedure):
            raise InputTypeError("procedures", p, "Procedure objects")
    return table


def read_table(
    events: pd.DataFrame, procs: dict[str, Procedure], policy: DeadlinePolicy
) -> Table | None:
    """The events table as arrays, or None when it has no events."""
    codes, found = _dossier_codes(events["dossier_id"])
    ids = np.asarray(found, dtype=object)
    if len(codes) == 0:
        return None
    order = None
    if np.any(codes[1:] < codes[:-1]):
        order = np.argsort(codes, kind="stable")
        codes = codes[order]
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    groups = _Groups(codes, starts, order, codes[1:] == codes[:-1], ids)
    kind = _kinds(events["kind"], order)
    at = _moments(events["at"], order)
    firsts = {
        name: _one_per_dossier(events, name, groups, read)
        for name, read in (("procedure", None), *_READS.items())
    }
    meta = {c: _as_read(firsts[c], _READS[c], None) for c in ("agency", "level", "field")}
    meta["channel"] = _as_read(firsts["channel"], _channel_value, None)
    difficult = _as_read(firsts["difficult_area"], to_flag, False)
    procedure, plist, pidx = _procedures(firsts["procedure"], procs, ids)
    table = [
        [plan_of(p.rule, policy, flag) for flag in (False, True)] for p in plist
    ]  # per (procedure, difficult area)
    flat = plans([plan for row in table for plan in row])
    by_dossier = flat.take(pidx * 2 + (difficult | policy.difficult_area))
    pause = np.array([p.supplement == "pause" for p in plist], dtype=bool)[pidx]
    rows = np.arange(len(codes)) if order is None else order
    return Table(
        events, ids, codes, starts, rows, kind, at, procedure,
        meta, difficult, plist, pidx, by_dossier, pause,
    )  # fmt: skip


def _dossier_codes(column: pd.Series) -> tuple[NDArray, Any]:
    """Per row, its dossier (in order of first appearance), and the ids."""
    if column.dtype == object:
        codes, ids = factorize_runs(column.to_numpy())
    else:
        codes, ids = pd.factorize(column, sort=False)
    if len(codes) and codes.min() < 0:
        raise PolicyError(None, "a dossier_id on every event (found a missing one)")
    return codes.astype(np.int64), ids


def factorize_runs(values: NDArray) -> tuple[NDArray, Any]:
    """``pd.factorize`` of an object array whose equal values often come in runs (a dossier's
    rows, a step's start and finish): only the first value of each run is hashed."""
    try:
        heads = np.flatnonzero(np.r_[True, values[1:] != values[:-1]]) if len(values) else None
    except (TypeError, ValueError):  # pd.NA and the like: hash every value
        heads = None
    if heads is None or len(heads) * 4 > len(values) * 3:
        codes, uniques = pd.factorize(values, sort=False)
        return codes, uniques
    codes, uniques = _factorize_in_order(values[heads])
    return np.repeat(codes, np.diff(np.r_[heads, len(values)])), uniques


def _factorize_in_order(values: NDArray) -> tuple[NDArray, Any]:
    """``pd.factorize``; texts each greater than the one before (ids written in order) are
    all different, so they are their own uniques, without hashing them."""
    texts = len(values) > 1 and pd.api.types.infer_dtype(values, skipna=False) == "string"
    if texts and bool(np.all(values[1:] > values[:-1])):
        return np.arange(len(values), dtype=np.intp), values
    codes, uniques = pd.factorize(values, sort=False)
    return codes, uniques


def _kinds(column: pd.Series, order: NDArray | None) -> NDArray:
    codes, uniques = pd.factorize(column, sort=False)
    if len(codes) and codes.min() < 0:
        raise PolicyError(None, "an event kind on every event (found a missing one)")
    kind: NDArray = np.array([_KIND_CODE[to_kind(k)] for k in uniques], dtype=np.int64)[codes]
    return kind if order is None else kind[order]


def _moments(column: pd.Series, order: NDArray | None) -> NDArray:
    if not pd.api.types.is_datetime64_any_dtype(column.dtype):
        raise InputTypeError("events['at']", column.dtype, "a datetime64 column")
    if getattr(column.dtype, "tz", None) is not None:
        raise TimezoneMixError(
            "an aware 'at' column",
            "use .dt.tz_convert('Asia/Ho_Chi_Minh').dt.tz_localize(None)",
        )
    at: NDArray = column.to_numpy(dtype="datetime64[us]").view(np.int64)
    if order is not None:
        at = at[order]
    if np.any(at == np.iinfo(np.int64).min):
        raise InputTypeError("events['at']", "NaT", "a timestamp on every event")
    return at


# ---------------------------------------------------------------------------- dossier level


def _channel_value(value: Any) -> str | None:
    channel = to_channel(value)
    return None if channel is None else channel.value


_Read = Callable[[Any], Any] | None
# How the readers read each dossier-level column; values that read the same agree.
_READS: dict[str, _Read] = {
    "agency": None,
    "level": None,
    "field": None,
    "channel": _channel_value,
    "difficult_area": to_flag,
}


class _Coded(NamedTuple):
    """Per dossier a value as a code: a position in ``labels``, -1 where it has none."""

    codes: NDArray
    labels: list[Any]

    def used(self) -> tuple[NDArray, list[int]]:
        """The codes renumbered in order of first dossier, and the codes used (-1 among
        them where some dossier has none)."""
        idx, found = pd.factorize(self.codes, sort=False)
        return idx, [int(c) for c in found.tolist()]


def _one_per_dossier(events: pd.DataFrame, name: str, groups: _Groups, read: _Read) -> _Coded:
    """Per dossier, the first value its rows state of a dossier-level column (missing if none).

    Every non-null value of a dossier must read the same (``trực tuyến`` and ``online``
    agree), else PolicyError: the readers refuse such a dossier, and so does this engine,
    rather than take the first value. The common table (one value repeated on every row of a
    dossier, or on none) costs one comparison of neighbours; any other is factorized once and
    checked on the codes. A categorical column (the column reader's) is read on its codes.
    """
    n = len(groups.starts)
    if name not in events.columns:
        return _Coded(np.full(n, -1, dtype=np.int64), [])
    column = events[name]
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes = column.cat.codes.to_numpy().astype(np.int64)
        codes = codes if groups.order is None else codes[groups.order]
        uniques = column.cat.categories.to_numpy(dtype=object)
        if _same_within(codes, groups):
            return _Coded(codes[groups.starts], uniques.tolist())
    else:
        if isinstance(column.dtype, np.dtype):
            values = column.to_numpy()
        else:  # extension dtypes (string[pyarrow]...): objects, with None for missing values
            values = column.to_numpy(dtype=object, na_value=None)
        if groups.order is not None:
            values = values[groups.order]
        if _same_within(values, groups):
            same, found = pd.factorize(values[groups.starts], sort=False)
            return _Coded(same.astype(np.int64), np.asarray(found, dtype=object).tolist())
        codes, found = pd.factorize(values, sort=False)
        uniques = np.asarray(found, dtype=object)
    _check_one_value(name, codes, uniques, groups, read)
    first = first_pos(codes >= 0, groups.g, n)
    return _Coded(np.where(first >= 0, codes[np.maximum(first, 0)], -1), uniques.tolist())


def _same_within(values: NDArray, groups: _Groups) -> bool:
    """Whether every row holds the same value as its neighbour in the same dossier."""
    try:
        return not bool((groups.same & (values[1:] != values[:-1])).any())
    except (TypeError, ValueError):  # pd.NA in an object column: compare codes instead
        return False


def _check_one_value(
    name: str, codes: NDArray, uniques: NDArray, groups: _Groups, read: _Read
) -> None:
    """PolicyError naming the first dossier whose non-null values read differently, with the
    first two such values of its rows."""
    keyed = codes
    if read is not None:
        keys: dict[Any, int] = {}
        as_read = [keys.setdefault(read(u), len(keys)) for u in uniques.tolist()]
        keyed = np.array([*as_read, -1], dtype=np.int64)[codes]
    high = np.maximum.reduceat(keyed, groups.starts)
    low = np.minimum.reduceat(np.where(keyed < 0, np.iinfo(np.int64).max, keyed), groups.starts)
    conflict = np.flatnonzero((high >= 0) & (low != high))
    if not conflict.size:
        return
    gi = int(conflict[0])
    rows = np.flatnonzero((groups.g == gi) & (keyed >= 0))
    k = int(np.flatnonzero(keyed[rows][1:] != keyed[rows][:-1])[0])
    a, b = uniques[codes[rows[k]]], uniques[codes[rows[k + 1]]]
    raise PolicyError(
        f"dossier {groups.ids[gi]}: {name} {a} and {b}",
        f"one {name} per dossier (the same on every row that states it)",
    )


def _as_read(values: _Coded, read: _Read, missing: Any) -> NDArray:
    """Per dossier values as the readers read them (one call per distinct value a dossier
    holds), ``missing`` where there is none."""
    idx, used = values.used()
    labels = values.labels
    read_values = [
        missing if c < 0 else labels[c] if read is None else read(labels[c]) for c in used
    ]
    out: NDArray = np.array(read_values, dtype=bool if missing is False else object)[idx]
    return out


def _procedures(
    values: _Coded, procs: dict[str, Procedure], ids: NDArray
) -> tuple[NDArray, list[Procedure], NDArray]:
    """Per dossier its procedure code, the procedures the dossiers use (PolicyError for an
    unknown or missing code), and per dossier its position among them."""
    idx, used = values.used()
    written: list[Any] = []  # the codes as the table writes them
    plist: list[Procedure] = []
    position = np.full(len(used), -1, dtype=np.int64)
    for i, c in enumerate(used):
        if c < 0:
            continue
        code = values.labels[c]
        p = procs.get(code)
        if p is None:
            raise PolicyError(code, f"a procedure code in procedures (have {len(procs)})")
        position[i] = len(plist)
        written.append(code)
        plist.append(p)
    pidx = position[idx]
    if np.any(pidx < 0):
        missing = ids[int(np.flatnonzero(pidx < 0)[0])]
        raise PolicyError(missing, "a dossier with a procedure code")
    codes = np.array(written, dtype=object)[pidx]
    return codes, plist, pidx


# ---------------------------------------------------------------------------- grouped events


def values_at(events: pd.DataFrame, name: str, rows: NDArray) -> NDArray:
    """The values of a column at some rows, as objects with None for missing values."""
    if name not in events.columns:
        return np.full(len(rows), None, dtype=object)
    column = events[name]
    if isinstance(column.dtype, pd.CategoricalDtype):  # (the column readers' text columns)
        values = np.array([*column.cat.categories.tolist(), None], dtype=object)
        at: NDArray = values[column.cat.codes.to_numpy()[rows]]
        return at
    out = np.asarray(column.to_numpy()[rows], dtype=object)
    missing = pd.isna(out)
    if missing.any():
        out[missing] = None
    return out


def first_pos(flag: NDArray, g: NDArray, n: int) -> NDArray:
    """Per group (g sorted), the position of the first flagged row, -1 if none."""
    out = np.full(n, -1, dtype=np.int64)
    idx = np.flatnonzero(flag)
    if idx.size:
        gi = g[idx]
        first = np.r_[True, gi[1:] != gi[:-1]]
        out[gi[first]] = idx[first]
    return out


def last_pos(flag: NDArray, g: NDArray, n: int) -> NDArray:
    """Per group (g sorted), the position of the last flagged row, -1 if none."""
    out = np.full(n, -1, dtype=np.int64)
    idx = np.flatnonzero(flag)
    if idx.size:
        gi = g[idx]
        last = np.r_[gi[1:] != gi[:-1], True]
        out[gi[last]] = idx[last]
    return out


def segment_cumsum(x: NDArray, g: NDArray, starts: NDArray) -> NDArray:
    """Cumulative sums of x restarting at each group (g sorted; starts[g] its first row)."""
    cs = np.cumsum(x)
    if not len(cs):
        return cs
    before = np.where(starts > 0, cs[np.maximum(starts - 1, 0)], 0)
    out: NDArray = cs - before[g]
    return out
