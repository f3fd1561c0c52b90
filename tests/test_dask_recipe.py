"""The scale-out recipe: evaluate_frame per partition in Dask equals the single-machine result."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("numpy")
pd = pytest.importorskip("pandas")
dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

from tthc_sla import Summary, evaluate, summarize  # noqa: E402
from tthc_sla.batch import (  # noqa: E402
    evaluate_dask,
    evaluate_frame,
    events_frame,
    summarize_frame,
)

sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))
from bench_evaluate import CAL, CATALOG, make_dossiers  # noqa: E402

AS_OF = datetime(2025, 6, 30, 17)


@pytest.fixture(scope="module")
def client() -> Any:
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    )
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


def _sorted(frame: Any) -> Any:
    return frame.sort_values("dossier_id").reset_index(drop=True)


def test_partitions_equal_single_machine(client: Any) -> None:
    dossiers = make_dossiers(3000, seed=7)
    events = events_frame(dossiers)
    procs = {p.code: p for p in CATALOG}
    whole = evaluate_frame(events, procs, CAL, as_of=AS_OF)
    # Partitions cut through dossiers on purpose: the recipe must regroup them.
    ddf = dd.from_pandas(events, npartitions=7, sort=False)
    lazy = evaluate_dask(ddf, procs, CAL, as_of=AS_OF)
    parts = client.gather(client.compute(lazy.to_delayed()))
    together = pd.concat(parts, ignore_index=True)
    assert together["dossier_id"].is_unique
    pd.testing.assert_frame_equal(_sorted(together), _sorted(whole), check_dtype=False)

    # The recipe's second half: summarise each partition where it lies, add the summaries.
    period = (AS_OF.date() - timedelta(days=365), AS_OF.date())
    per_part = [
        dask.delayed(summarize_frame)(part, period=period, by=("procedure",))
        for part in lazy.to_delayed()
    ]
    grouped = client.gather(client.compute(per_part))
    keys = {k for g in grouped for k in g}
    added = {k: sum((g[k] for g in grouped if k in g), Summary()) for k in keys}
    scalar = summarize(
        (evaluate(d, CAL, as_of=AS_OF) for d in dossiers), period=period, by=("procedure",)
    )
    assert added == scalar
    assert sum(added.values(), Summary()).reconciles


def test_threaded_scheduler_without_a_cluster() -> None:
    events = events_frame(make_dossiers(500, seed=3))
    procs = list(CATALOG)
    whole = evaluate_frame(events, procs, CAL, as_of=AS_OF)
    ddf = dd.from_pandas(events, npartitions=3, sort=False)
    lazy = evaluate_dask(ddf, procs, CAL, as_of=AS_OF, shuffle_method="tasks")
    got = lazy.compute(scheduler="threads")
    pd.testing.assert_frame_equal(_sorted(got), _sorted(whole), check_dtype=False)
