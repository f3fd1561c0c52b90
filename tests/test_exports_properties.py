"""Reading an event table does not depend on how the export was written (STYLE §10, §25).

The clean example is rewritten in a drawn form (row order, encoding, delimiter, time style,
Vietnamese or English headers and event kinds) and must give exactly the evaluations of the
clean file. Only the writing of the drawn form is done here, from the clean file's cells; the
expected evaluations are the clean file's own.
"""

from __future__ import annotations

import csv
import functools
import io
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).parent.parent
EVENTS = ROOT / "examples" / "events.csv"
PROCS = ROOT / "examples" / "procedures.csv"
AS_OF = datetime(2026, 10, 31, 23, 59)

VI_HEADERS = {
    "dossier_id": "Mã hồ sơ",
    "procedure": "Mã thủ tục",
    "at": "Thời điểm",
    "kind": "Loại sự kiện",
    "step": "Bước",
    "unit": "Đơn vị",
    "new_due": "Hẹn trả mới",
    "note": "Ghi chú",
    "agency": "Cơ quan",
    "field": "Lĩnh vực",
    "channel": "Kênh",
    "level": "Cấp",
}
VI_KINDS = {
    "submitted": "nộp hồ sơ",
    "received": "tiếp nhận",
    "step_started": "bắt đầu bước",
    "step_finished": "kết thúc bước",
    "supplement_requested": "yêu cầu bổ sung",
    "supplement_received": "đã bổ sung",
    "paused": "tạm dừng",
    "resumed": "tiếp tục",
    "rescheduled": "xin lỗi và hẹn lại",
    "resolved": "đã giải quyết",
    "returned": "trả kết quả",
    "withdrawn": "rút hồ sơ",
}
UTC_SHIFT = timedelta(hours=7)  # Asia/Ho_Chi_Minh is UTC+7 all year
TIME_STYLES = {
    "iso_t": lambda t: t.strftime("%Y-%m-%dT%H:%M"),
    "iso_space": lambda t: t.strftime("%Y-%m-%d %H:%M"),
    "ddmmyyyy": lambda t: t.strftime("%d/%m/%Y %H:%M"),
    "utc_z": lambda t: (t - UTC_SHIFT).strftime("%Y-%m-%dT%H:%MZ"),
    "plus_0700": lambda t: t.strftime("%Y-%m-%dT%H:%M+07:00"),
}


def _clean_cells() -> tuple[list[str], list[list[str]]]:
    with EVENTS.open(encoding="utf-8", newline="") as f:
        header, *rows = csv.reader(f)
    return header, rows


HEADER, ROWS = _clean_cells()


def write_export(
    path: Path,
    *,
    order: list[int],
    encoding: str,
    delimiter: str,
    time_style: str,
    vi_headers: bool,
    vi_kinds: bool,
) -> None:
    """The clean file's cells, written in the drawn form."""
    fmt = TIME_STYLES[time_style]
    header = [VI_HEADERS[h] for h in HEADER] if vi_headers else list(HEADER)
    rows = []
    for i in order:
        record = dict(zip(HEADER, ROWS[i], strict=True))
        for key in ("at", "new_due"):
            if record[key]:
                record[key] = fmt(datetime.fromisoformat(record[key]))
        if vi_kinds:
            record["kind"] = VI_KINDS[record["kind"]]
        rows.append([record[h] for h in HEADER])
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\n").writerows([header, *rows])
    path.write_bytes(buf.getvalue().encode(encoding))


def summary(e: Any) -> dict[str, Any]:
    return {
        "outcome": e.outcome,
        "due_at": e.due_at,
        "completed_at": e.completed_at,
        "late_working_days": e.late_working_days,
        "late_units": e.late_units,
        "steps": e.steps,
    }


@functools.cache
def _procedures() -> Any:
    from tthc_sla import read_procedures

    return read_procedures(PROCS)


def _evaluations(path: Path) -> dict[str, dict[str, Any]]:
    from tthc_sla import evaluate, read_dossiers, vietnam_calendar

    table = read_dossiers(path, _procedures())
    assert table.rows_read == table.rows_accepted == len(ROWS)
    assert table.set_aside == ()
    cal = vietnam_calendar()
    out = {d.id: summary(evaluate(d, cal, as_of=AS_OF)) for d in table.dossiers}
    assert len(out) == len(table.dossiers)
    return out


@functools.cache
def clean_evaluations() -> dict[str, dict[str, Any]]:
    return _evaluations(EVENTS)


@settings(max_examples=60, deadline=None)
@given(
    order=st.permutations(range(len(ROWS))),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]),
    delimiter=st.sampled_from([",", ";", "\t"]),
    time_style=st.sampled_from(sorted(TIME_STYLES)),
    vi_headers=st.booleans(),
    vi_kinds=st.booleans(),
)
def test_any_form_of_the_export_reads_to_the_same_evaluations(
    order: list[int],
    encoding: str,
    delimiter: str,
    time_style: str,
    vi_headers: bool,
    vi_kinds: bool,
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events.csv"
        write_export(
            path,
            order=order,
            encoding=encoding,
            delimiter=delimiter,
            time_style=time_style,
            vi_headers=vi_headers,
            vi_kinds=vi_kinds,
        )
        assert _evaluations(path) == clean_evaluations()
