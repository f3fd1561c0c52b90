"""The columnar engine reads values with the readers' vocabulary and checks (issue: one place
decides how a record becomes an event), and the dirty-export corpus gives it the same answers."""

from __future__ import annotations

import csv
import tomllib
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

np = pytest.importorskip("numpy")
pd = pytest.importorskip("pandas")

from tthc_sla import (  # noqa: E402
    Evaluation,
    HistoryError,
    PolicyError,
    TableError,
    evaluate,
    read_dossiers,
    read_procedures,
    vietnam_calendar,
)
from tthc_sla.batch import evaluate_frame, events_frame  # noqa: E402
from tthc_sla.evaluation._flat import LIST_SEPARATOR  # noqa: E402

ROOT = Path(__file__).parent.parent
EVENTS = ROOT / "examples" / "events.csv"
PROCS = read_procedures(ROOT / "examples" / "procedures.csv")
EXPORTS = ROOT / "tests" / "data" / "exports"
CAL = vietnam_calendar()
AS_OF = datetime(2026, 10, 31, 23, 59)

_VI = {"received": "Tiếp nhận", "resolved": "Đã giải quyết", "step_started": "chuyển xử lý",
       "step_finished": "KẾT THÚC BƯỚC", "paused": "tạm dừng", "resumed": "tiếp tục",
       "withdrawn": "rút hồ sơ", "returned": "trả kết quả", "submitted": "nộp hồ sơ",
       "supplement_requested": "yêu cầu bổ sung", "supplement_received": "đã bổ sung",
       "rescheduled": "xin lỗi và hẹn lại"}  # fmt: skip
_CHANNELS = {"online": "Trực tuyến", "direct": "trực tiếp", "postal": "Dịch vụ bưu chính"}


def _raw_frame() -> Any:
    with EVENTS.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    frame = pd.DataFrame(rows).replace("", None)
    frame["at"] = pd.to_datetime(frame["at"])
    frame["new_due"] = pd.to_datetime(frame["new_due"])
    return frame


def _outcomes(frame: Any) -> dict[str, tuple[Any, ...]]:
    return {
        r.dossier_id: (r.outcome, r.due_date, r.late_working_days, r.channel)
        for r in frame.itertuples()
    }


def test_vietnamese_words_in_a_raw_frame() -> None:
    plain = evaluate_frame(_raw_frame(), PROCS, CAL, as_of=AS_OF)
    words = _raw_frame()
    words["kind"] = words["kind"].map(_VI)
    words["channel"] = words["channel"].map(_CHANNELS.get)
    words["difficult_area"] = ["không"] * len(words)
    assert _outcomes(evaluate_frame(words, PROCS, CAL, as_of=AS_OF)) == _outcomes(plain)


@pytest.mark.parametrize(
    ("column", "value", "phrase"),
    [
        ("procedure", "2.000815", "procedure 1.001639 and 2.000815"),
        ("procedure", "9.999", "procedure 1.001639 and 9.999"),
        ("agency", "UBND phường X", "agency"),
        ("channel", "postal", "channel"),
    ],
)
def test_a_conflicting_later_row_is_refused(column: str, value: str, phrase: str) -> None:
    # HS-001's third row (index 2) states another value: the readers refuse the dossier, and
    # so does the columnar engine, instead of taking the first row's value.
    frame = _raw_frame()
    frame.loc[2, column] = value
    with pytest.raises(PolicyError, match=phrase) as info:
        evaluate_frame(frame, PROCS, CAL, as_of=AS_OF)
    assert "HS-001" in str(info.value)


def test_same_channel_in_two_words_is_no_conflict() -> None:
    frame = _raw_frame()
    frame.loc[2, "channel"] = "Trực tiếp"  # HS-001 is 'direct' on its first row
    assert evaluate_frame(frame, PROCS, CAL, as_of=AS_OF).loc[0, "channel"] == "direct"


def test_difficult_area_is_strict_in_frames() -> None:
    frame = _raw_frame()
    frame["difficult_area"] = None
    frame.loc[0, "difficult_area"] = "maybe"
    with pytest.raises(PolicyError, match="yes/no"):
        evaluate_frame(frame, PROCS, CAL, as_of=AS_OF)


def _corpus_cases() -> list[dict[str, Any]]:
    manifest = EXPORTS / "cases.toml"
    if not manifest.is_file():
        return []
    return list(tomllib.loads(manifest.read_text(encoding="utf-8"))["case"])


def _python_options(case: dict[str, Any]) -> dict[str, Any]:
    """The manifest's command-line options as read_dossiers arguments."""
    opts = case.get("options", [])
    out: dict[str, Any] = {}
    for flag, value in zip(opts[::2], opts[1::2], strict=True):
        if flag == "--columns":
            doc = tomllib.loads((EXPORTS / value).read_text(encoding="utf-8"))
            out["columns"] = doc["columns"]
        else:
            out[flag.removeprefix("--")] = value
    return out


@pytest.mark.parametrize("case", _corpus_cases(), ids=lambda c: c["file"])
def test_corpus_through_the_columnar_engine(case: dict[str, Any]) -> None:
    # Whatever the readers accept from a dirty export, the columnar engine evaluates exactly as
    # the scalar one, and a history the scalar engine refuses it refuses too (both read the
    # same dossiers: one place decides what a row means).
    path = EXPORTS / case["file"]
    try:
        table = read_dossiers(path, PROCS, skip_bad=True, **_python_options(case))
    except TableError:
        assert case["expect"] == "refused"
        return
    assert case["expect"] != "refused"
    scalar: dict[str, Evaluation | None] = {}
    for d in table:
        try:
            scalar[d.id] = evaluate(d, CAL, as_of=AS_OF)
        except HistoryError:
            scalar[d.id] = None
    good = [d for d in table if scalar[d.id] is not None]
    if case["expect"] == "clean":
        assert len(good) == 10
    if good:
        out = evaluate_frame(events_frame(good), PROCS, CAL, as_of=AS_OF)
        assert list(out["dossier_id"]) == [d.id for d in good]
        for row in out.itertuples():
            e = scalar[row.dossier_id]
            assert e is not None
            assert row.outcome == e.outcome.value
            assert (None if pd.isna(row.due_at) else row.due_at.to_pydatetime()) == e.due_at
            assert row.late_working_days == e.late_working_days
            assert row.late_units == LIST_SEPARATOR.join(e.late_units)
    for d in table:
        if scalar[d.id] is None:
            with pytest.raises(HistoryError, match=d.id):
                evaluate_frame(events_frame([d]), PROCS, CAL, as_of=AS_OF)
