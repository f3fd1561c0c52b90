"""``evaluate``'s CSV written a column at a time (``_writers.write_csv_tables``) is, byte for
byte, the CSV written a row at a time (``_tables.write_rows`` over the flat rows): on the
example, the dirty-export corpus, generated histories, and frames of generated values where
every kind of cell is tried (text a spreadsheet would run as a formula, quotes, line breaks,
moments with and without microseconds, missing values, floats)."""

from __future__ import annotations

import io
import tomllib
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("numpy")
pytest.importorskip("pandas")
pytest.importorskip("pyarrow")

import numpy as np
import pandas as pd

from tthc_sla import _engines, _tables, _writers, read_procedures, vietnam_calendar
from tthc_sla._fastread import read_events_frame
from tthc_sla.batch import evaluate_frame
from tthc_sla.evaluation._flat import FLAT_COLUMNS

ROOT = Path(__file__).parent.parent
EXPORTS = Path(__file__).parent / "data" / "exports"
PROCS = read_procedures(ROOT / "examples" / "procedures.csv")
CAL = vietnam_calendar()
CASES = tomllib.loads((EXPORTS / "cases.toml").read_text("utf-8"))["case"]


def _by_rows(frame: Any) -> str:
    out = io.StringIO()
    _tables.write_rows(_engines._frame_rows(frame), out, fmt="csv", columns=FLAT_COLUMNS)
    return out.getvalue()


def _by_columns(frame: Any, rows: int = 7) -> str:
    out = io.StringIO()
    _writers.write_csv_tables(out, _writers.arrow_tables(frame, rows=rows))
    return out.getvalue()


def test_the_example() -> None:
    table = read_events_frame(ROOT / "examples" / "events.csv", PROCS)
    frame = evaluate_frame(table.events, PROCS, CAL, as_of=datetime(2026, 10, 31, 23, 59))
    text = _by_columns(frame, rows=3)
    assert text == _by_rows(frame)
    assert text.count("\n") == 11  # the header and the ten dossiers


@pytest.mark.parametrize(
    "case", [c for c in CASES if c["expect"] in ("clean", "set_aside")], ids=lambda c: c["file"]
)
def test_the_dirty_export_corpus(case: dict[str, Any]) -> None:
    options = {"--encoding": "encoding", "--delimiter": "delimiter", "--sheet": "sheet"}
    given_options = case.get("options", [])
    kwargs = {options[k]: v for k, v in zip(given_options[::2], given_options[1::2], strict=False)
              if k in options}  # fmt: skip
    if any(o == "--columns" for o in given_options):
        pytest.skip("a column map (read by the command line)")
    table = read_events_frame(EXPORTS / case["file"], PROCS, skip_bad=True, **kwargs)
    frame = evaluate_frame(table.events, PROCS, CAL, as_of=datetime(2026, 10, 31, 23, 59),
                           strict=False)  # fmt: skip
    assert _by_columns(frame) == _by_rows(frame)


_TEXT = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "UBND xã Hòa Vang",
            '=HYPERLINK("x")',
            "+84",
            "-1",
            "@a",
            "\tx",
            "\rx",
            'a "b", c',
            "hai\ndòng",
            "",
            " ",
            "Sở; Phòng",
        ]
    ),
    st.text(max_size=6),
)
_MOMENT = st.one_of(
    st.none(),
    st.datetimes(min_value=datetime(1996, 1, 1), max_value=datetime(2099, 12, 31)),
    st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31)).map(
        lambda d: d.replace(microsecond=0)
    ),
)


@st.composite
def _frames(draw: st.DrawFn) -> Any:
    n = draw(st.integers(0, 12))
    moments = {c: [draw(_MOMENT) for _ in range(n)] for c in _writers._MOMENTS}
    days = [draw(_MOMENT) for _ in range(n)]
    hours = [draw(st.sampled_from([0.0, 2.0, 0.1 + 0.2, 1e-05, 12345.67, 7.5])) for _ in range(n)]
    taken = [draw(st.one_of(st.none(), st.integers(0, 400))) for _ in range(n)]
    columns: dict[str, Any] = {}
    for c in FLAT_COLUMNS:
        if c in _writers._MOMENTS:
            columns[c] = pd.Series(moments[c], dtype="datetime64[us]")
        elif c == "due_date":
            columns[c] = pd.Series(
                [None if d is None else datetime(d.year, d.month, d.day) for d in days],
                dtype="datetime64[us]",
            )
        elif c in ("late_working_days", "excluded_working_days"):
            columns[c] = np.array([draw(st.integers(0, 10**6)) for _ in range(n)], np.int64)
        elif c == "processing_working_days":
            columns[c] = np.array([np.nan if t is None else float(t) for t in taken], float)
        elif c == "late_time_hours":
            columns[c] = np.array(hours, dtype=float)
        elif c in _writers._FLAGS:
            columns[c] = np.array([draw(st.booleans()) for _ in range(n)], dtype=bool)
        else:
            columns[c] = pd.Series([draw(_TEXT) for _ in range(n)], dtype=object)
    return pd.DataFrame(columns)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_frames(), st.integers(1, 5))
def test_generated_frames(frame: Any, rows: int) -> None:
    assert _by_columns(frame, rows) == _by_rows(frame)


def test_a_moment_with_microseconds_keeps_them() -> None:
    at = datetime(2026, 10, 5, 9, 0)
    frame = pd.DataFrame({c: pd.Series([None], dtype=object) for c in FLAT_COLUMNS}).astype(
        dict.fromkeys((*_writers._MOMENTS, "due_date"), "datetime64[us]")
    )
    frame["received_at"] = pd.Series([at + timedelta(microseconds=5)], dtype="datetime64[us]")
    frame["due_at"] = pd.Series([at], dtype="datetime64[us]")
    for c in ("late_working_days", "excluded_working_days"):
        frame[c] = np.array([0], np.int64)
    frame["processing_working_days"] = np.array([np.nan])
    frame["late_time_hours"] = np.array([0.0])
    for c in _writers._FLAGS:
        frame[c] = np.array([False])
    text = _by_columns(frame)
    assert "2026-10-05T09:00:00.000005,2026-10-05T09:00:00," in text  # as isoformat() writes
    assert text == _by_rows(frame)
