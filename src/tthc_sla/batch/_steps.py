"""Steps over arrays: the columnar twin of the scalar replay's steps (``evaluation/_replay.py``:
``STEP_START``, ``STEP_FINISH``, ``_shift_steps``, ``_close`` and ``_late_units``).

Each step's deadline runs from its actual start with its own allotment (``plan_of(allotment,
policy)``), moves by the excluded working days it lived through, and is judged at its finish
or, while the dossier is open, at ``as_of`` (``evaluation._judge``). The units of the steps
that overran are listed for late and overdue dossiers only, in the order ``evaluate`` lists
them: finished steps in finish order, then running steps in start order.
"""

from __future__ import annotations

import attrs
import numpy as np
import pandas as pd

from tthc_sla.batch._arrays import CalendarArrays, NDArray, moments
from tthc_sla.batch._deadline import Plans, compute_due, plans, shifted
from tthc_sla.batch._replay import (
    OUTCOME,
    STEP_FINISH,
    STEP_START,
    Clock,
    Excluded,
    Visible,
    finished_outcome,
    open_outcome,
    through,
)
from tthc_sla.batch._table import Table, factorize_runs, values_at
from tthc_sla.evaluation import Outcome
from tthc_sla.evaluation._flat import LIST_SEPARATOR
from tthc_sla.evaluation._judge import finished, still_open
from tthc_sla.procedure import Procedure
from tthc_sla.rules import DeadlinePolicy
from tthc_sla.rules._seam import RulePlan, plan_of

__all__ = ["StepEvents", "late_units", "step_events"]

_LATE, _OVERDUE = OUTCOME[Outcome.LATE], OUTCOME[Outcome.OVERDUE]
_NOT_JUDGED = -1  # a running step of a finished dossier (outcome None)


@attrs.frozen(eq=False)
class StepEvents:
    """The visible step events grouped by (dossier, step name), in history order in each group.

    Attributes:
        pos: their visible positions.
        new_group: the first of its group.
        name: the step name's code (``len(names)`` for a missing or empty name).
        names: the step names.
        broken: per dossier, a step event without a name, or a step's starts and finishes
            that do not alternate (the scalar replay reports those).
    """

    pos: NDArray
    new_group: NDArray
    name: NDArray
    names: NDArray
    broken: NDArray


def step_events(table: Table, vis: Visible) -> StepEvents:
    """The step events the scalar replay would see, grouped, and the histories they break."""
    idx = np.flatnonzero((vis.effect == STEP_START) | (vis.effect == STEP_FINISH))
    rows = table.rows[vis.pos[idx]]
    if "step" in table.events.columns:
        code, found = factorize_runs(values_at(table.events, "step", rows))
        names = np.asarray(found, dtype=object)
    else:
        code, names = np.full(len(rows), -1, dtype=np.int64), np.zeros(0, dtype=object)
    missing = np.flatnonzero(names == "")
    nameless = (code < 0) | np.isin(code, missing)
    code = np.where(nameless, len(names), code)
    key = vis.g[idx] * (len(names) + 1) + code
    order = np.argsort(key, kind="stable")
    k = key[order]
    new_group = np.r_[True, k[1:] != k[:-1]] if len(k) else np.zeros(0, dtype=bool)
    at = np.arange(len(k))
    parity = (at - np.maximum.accumulate(np.where(new_group, at, 0))) % 2
    pos = idx[order]
    broken = np.zeros(len(table.starts), dtype=bool)
    broken[vis.g[idx[nameless]]] = True  # Event() refuses it: let the scalar replay say so
    broken[vis.g[idx[_unknown(table, vis.g[idx], code, names)]]] = True  # the same
    broken[vis.g[pos[(vis.effect[pos] == STEP_START) != (parity == 0)]]] = True
    return StepEvents(pos, new_group, code[order], names, broken)


def _unknown(table: Table, g: NDArray, code: NDArray, names: NDArray) -> NDArray:
    """Per step event (of dossiers ``g``, names ``code``; ``len(names)``: no name), a name that
    is not one of the steps of a procedure that has steps (the scalar replay reports it)."""
    own = [{s.name for s in p.steps} for p in table.procedures]
    unknown = np.array(
        [[bool(steps) and n not in steps for n in names.tolist()] + [False] for steps in own],
        dtype=bool,
    ).reshape(len(own), len(names) + 1)
    out: NDArray = unknown[table.pidx[g], code]
    return out


def late_units(
    arr: CalendarArrays, table: Table, vis: Visible, steps: StepEvents, clk: Clock,
    ex: Excluded, late: NDArray, policy: DeadlinePolicy,
) -> tuple[NDArray, NDArray]:  # fmt: skip
    """Per dossier, the units of its late steps joined with ``LIST_SEPARATOR``, and the
    dossiers whose step deadlines need the scalar replay; ``late``: the late and overdue
    dossiers this engine evaluates (the only ones whose steps are judged)."""
    n = len(table.starts)
    units = np.full(n, "", dtype=object)
    scalar = np.zeros(n, dtype=bool)
    if not any(p.steps for p in table.procedures):
        return units, scalar
    srt = steps.pos
    want = np.flatnonzero((vis.effect[srt] == STEP_START) & late[vis.g[srt]])
    if not want.size:
        return units, scalar
    s_pos = srt[want]
    gs = vis.g[s_pos]
    nxt = np.minimum(want + 1, len(srt) - 1)
    has_fin = (want + 1 < len(srt)) & ~steps.new_group[nxt]
    f_pos = np.where(has_fin, srt[nxt], 0)
    plan, unit_of = _step_plans(table, gs, steps.name[want], steps.names, policy)
    # as for the dossier: exact (hour) deadlines are vectorised only without pauses
    scalar[gs[plan.present & (~plan.vectorisable | (plan.by_moment & clk.any_pause[gs]))]] = True
    ev_unit = values_at(table.events, "unit", table.rows[vis.pos[s_pos]])
    unit = np.where(pd.isna(ev_unit) | (ev_unit == ""), unit_of, ev_unit)
    ok, due0, due_tod = compute_due(arr, plan, vis.day[s_pos], vis.tod[s_pos], policy)
    started = through(ex.ends, ex.shift, s_pos)
    shift = np.where(
        has_fin,
        through(ex.ends, ex.shift, f_pos) - started,
        through(ex.ends, ex.shift, vis.last[gs]) - started + ex.running[gs],
    )
    moved, due_day, due_tod = shifted(arr, plan.by_moment, due0, due_tod, shift)
    scalar[gs[plan.present & ~(ok & moved)]] = True
    outcome = _judge_steps(arr, vis, plan, due_day, moments(due_day, due_tod, arr), f_pos,
                           has_fin, clk.finished[gs])  # fmt: skip
    overran = plan.present & ((outcome == _LATE) | (outcome == _OVERDUE)) & ~pd.isna(unit)
    if overran.any():
        key = np.where(has_fin, f_pos, len(vis.g) + s_pos)
        _join(units, gs[overran], key[overran], unit[overran])
    return units, scalar


def _step_plans(
    table: Table, gs: NDArray, name: NDArray, names: NDArray, policy: DeadlinePolicy
) -> tuple[Plans, NDArray]:
    """Per step start, the plan of its allotment and the allotment's unit (a step the
    procedure does not list has neither: recorded, never judged)."""
    width = len(names) + 1
    key = table.pidx[gs] * width + name  # (procedure, step name), a few distinct values
    seen = np.zeros(len(table.procedures) * width, dtype=bool)
    seen[key] = True
    pairs = np.flatnonzero(seen)
    index = np.zeros(len(seen), dtype=np.int64)
    index[pairs] = np.arange(len(pairs))
    inv = index[key]
    found: list[tuple[str | None, RulePlan | None]] = []
    for pair in pairs.tolist():
        proc: Procedure = table.procedures[pair // width]
        step_name = names[pair % width] if pair % width < len(names) else ""
        step = {s.name: s for s in proc.steps}.get(step_name)
        found.append((None, None) if step is None else (step.unit, plan_of(step.allotment, policy)))
    unit_of = np.array([u for u, _ in found] or [None], dtype=object)[inv]
    return plans([p for _, p in found]).take(inv), unit_of


def _judge_steps(
    arr: CalendarArrays, vis: Visible, plan: Plans, due_day: NDArray, due_us: NDArray,
    f_pos: NDArray, has_fin: NDArray, dossier_finished: NDArray,
) -> NDArray:  # fmt: skip
    """Outcome codes of the steps: judged at their finish, or at ``as_of`` while the dossier
    is open (``evaluation._judge``, as for the dossier)."""
    late, early = finished(vis.day[f_pos], vis.at[f_pos], due_day, due_us, plan.by_moment)
    overdue, soon = still_open(
        vis.as_of_day, vis.as_of_us, due_day, due_us, plan.by_moment,
        arr.R[due_day] - arr.R[vis.as_of_day],
    )  # fmt: skip
    running = np.where(dossier_finished, _NOT_JUDGED, open_outcome(overdue, soon))
    out: NDArray = np.where(has_fin, finished_outcome(late, early), running)
    return out


def _join(out: NDArray, g: NDArray, key: NDArray, unit: NDArray) -> None:
    """Per dossier, its units in key order, once each, joined with ``LIST_SEPARATOR``."""
    by = np.lexsort((key, g))
    g, unit = g[by], unit[by]
    codes, uniques = pd.factorize(unit, sort=False)
    _, first = np.unique(g * len(uniques) + codes, return_index=True)
    first.sort()
    g, names = g[first], np.asarray(uniques, dtype=object)[codes[first]]
    heads = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
    sizes = np.diff(np.r_[heads, len(g)])
    one = heads[sizes == 1]
    out[g[one]] = names[one]
    for h, size in zip(heads[sizes > 1].tolist(), sizes[sizes > 1].tolist(), strict=True):
        out[g[h]] = LIST_SEPARATOR.join(names[h : h + size].tolist())
