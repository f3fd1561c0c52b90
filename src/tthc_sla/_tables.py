"""Reading procedures and event tables (CSV or JSON Lines) into values, and writing results.

Every bad row raises (or, when skipping, reports) a :class:`TableError` naming the file, the
line and the problem. CSV output neutralises cells that a spreadsheet would run as formulas.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

import attrs

from tthc_sla.errors import TthcSlaError
from tthc_sla.evaluation import Evaluation
from tthc_sla.history import Dossier, Event
from tthc_sla.procedure import Procedure, Step

__all__ = [
    "EVALUATION_COLUMNS",
    "TableError",
    "read_dossiers",
    "read_procedures",
    "write_rows",
]

EVENT_COLUMNS = ("dossier_id", "procedure", "at", "kind")
DOSSIER_COLUMNS = ("agency", "level", "field", "channel", "difficult_area")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class TableError(TthcSlaError):
    """A bad row in an input table.

    Attributes:
        path: the file; line: the line number (1 = the header of a CSV); problem: what is wrong.
    """

    def __init__(self, path: str, line: int, problem: str) -> None:
        self.path = path
        self.line = line
        self.problem = problem
        super().__init__(f"{path}, line {line}: {problem}")


def _records(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, record) for each row of a CSV or JSON Lines file."""
    name = str(path)
    if path.suffix.lower() in (".jsonl", ".ndjson", ".json"):
        with path.open(encoding="utf-8-sig") as f:
            for n, line in enumerate(f, start=1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise TableError(name, n, f"not valid JSON ({exc.msg})") from None
                if not isinstance(record, dict):
                    raise TableError(name, n, "expected a JSON object per line")
                yield n, record
        return
    if path.suffix.lower() != ".csv":
        raise TableError(name, 0, "expected a .csv or .jsonl file")
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames is None:
            raise TableError(name, 1, "empty file: expected a header row")
        for record in reader:
            if None in record:
                raise TableError(name, reader.line_num, "more cells than the header has columns")
            yield reader.line_num, {k: (v if v != "" else None) for k, v in record.items()}


def _text(record: Mapping[str, Any], key: str) -> str | None:
    value = record.get(key)
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _steps(value: Any) -> tuple[Step, ...]:
    """Steps from JSON (a list of objects) or CSV text ``name|unit|allotment; ...``."""
    if value is None or value == "":
        return ()
    if isinstance(value, list):
        return tuple(Step(s["name"], s["unit"], s["allotment"]) for s in value)
    out = []
    for part in str(value).split(";"):
        if not part.strip():
            continue
        fields = [x.strip() for x in part.split("|")]
        if len(fields) != 3:
            raise ValueError(f"step {part.strip()!r}: expected name|unit|allotment")
        out.append(Step(*fields))
    return tuple(out)


def read_procedures(path: str | Path) -> dict[str, Procedure]:
    """Procedures by code from a CSV or JSON Lines file.

    Columns: ``code``, ``name``, ``rule`` (Vietnamese text or a spec such as ``15wd``), and
    optionally ``supplement`` (``restart`` or ``pause``), ``extra_days_difficult_area`` and
    ``steps`` (CSV: ``name|unit|allotment; ...``; JSON: a list of objects).
    """
    p = Path(path)
    out: dict[str, Procedure] = {}
    for line, record in _records(p):
        code = _text(record, "code")
        if code is None:
            raise TableError(str(p), line, "no procedure code (column 'code')")
        if code in out:
            raise TableError(str(p), line, f"procedure {code!r} is listed twice")
        try:
            extra = record.get("extra_days_difficult_area") or 0
            out[code] = Procedure(
                code,
                _text(record, "name") or code,
                _text(record, "rule") or "",
                _steps(record.get("steps")),
                supplement=_text(record, "supplement") or "restart",
                extra_days_difficult_area=float(extra) if "." in str(extra) else int(extra),
            )
        except (TthcSlaError, ValueError, KeyError, TypeError) as exc:
            raise TableError(str(p), line, f"procedure {code!r}: {exc}") from None
    return out


def _moment(value: Any, column: str) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value).strip().replace(" ", "T", 1))
    except ValueError:
        raise ValueError(
            f"{column}={value!r}: expected an ISO moment like 2026-11-20T09:30"
        ) from None


def _flag(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "x", "có"):
        return True
    if text in ("0", "false", "no", "", "không"):
        return False
    raise ValueError(f"difficult_area={value!r}: expected true or false")


@attrs.frozen
class _Skipped:
    line: int
    problem: str


def read_dossiers(
    path: str | Path,
    procedures: Mapping[str, Procedure],
    *,
    skip_bad: bool = False,
    on_skip: Callable[[TableError], None] | None = None,
) -> tuple[list[Dossier], dict[str, int]]:
    """Dossiers from an event table, in the order of their first row; and each one's first line.

    Columns: ``dossier_id``, ``procedure`` (its code), ``at``, ``kind`` (``received``,
    ``step_started``...), optionally ``step``, ``unit``, ``new_due``, ``note``, and the dossier's
    ``agency``, ``level``, ``field``, ``channel`` and ``difficult_area`` (on any of its rows).
    A dossier's events keep the file's order.
    """
    p = Path(path)
    name = str(p)
    events: dict[str, list[Event]] = {}
    attrs_of: dict[str, dict[str, Any]] = {}
    first_line: dict[str, int] = {}
    for line, record in _records(p):
        try:
            dossier_id = _text(record, "dossier_id")
            if dossier_id is None:
                raise ValueError("no dossier id (column 'dossier_id')")
            code = _text(record, "procedure")
            info = attrs_of.setdefault(dossier_id, {})
            if code is not None:
                if code not in procedures:
                    raise ValueError(f"unknown procedure {code!r} (not in the procedures file)")
                if info.setdefault("procedure", code) != code:
                    raise ValueError(f"dossier {dossier_id!r} has two procedures")
            kind = _text(record, "kind")
            at = _moment(record.get("at"), "at")
            if at is None or kind is None:
                raise ValueError("every row needs 'at' and 'kind'")
            event = Event(
                at,
                kind,
                step=_text(record, "step"),
                unit=_text(record, "unit"),
                new_due=_moment(record.get("new_due"), "new_due"),
                note=_text(record, "note"),
            )
            for column in DOSSIER_COLUMNS:
                value = record.get(column)
                if value is not None and value != "":
                    info.setdefault(column, value)
        except (TthcSlaError, ValueError) as exc:
            error = TableError(name, line, str(exc))
            if not skip_bad:
                raise error from None
            if on_skip is not None:
                on_skip(error)
            continue
        first_line.setdefault(dossier_id, line)
        events.setdefault(dossier_id, []).append(event)
    dossiers = []
    for dossier_id, evs in events.items():
        info = attrs_of[dossier_id]
        try:
            if "procedure" not in info:
                raise ValueError(f"dossier {dossier_id!r} names no procedure")
            dossiers.append(
                Dossier(
                    dossier_id,
                    procedures[info["procedure"]],
                    evs,
                    channel=info.get("channel"),
                    agency=_text(info, "agency"),
                    level=_text(info, "level"),
                    field=_text(info, "field"),
                    difficult_area=_flag(info.get("difficult_area")),
                )
            )
        except (TthcSlaError, ValueError) as exc:
            error = TableError(name, first_line[dossier_id], str(exc))
            if not skip_bad:
                raise error from None
            if on_skip is not None:
                on_skip(error)
    return dossiers, first_line


# --------------------------------------------------------------------------- output

EVALUATION_COLUMNS = (
    "dossier_id",
    "procedure",
    "agency",
    "level",
    "field",
    "channel",
    "outcome",
    "received_at",
    "due_at",
    "due_date",
    "completed_at",
    "ended_at",
    "late_working_days",
    "late_time_hours",
    "excluded_working_days",
    "met_rescheduled",
    "rescheduled_due",
    "late_units",
    "provisional",
    "warnings",
)


def evaluation_row(e: Evaluation) -> dict[str, Any]:
    """One evaluation as a flat row (the ``tthc-sla evaluate`` output)."""
    d = e.dossier
    return {
        "dossier_id": d.id,
        "procedure": d.procedure.code,
        "agency": d.agency,
        "level": d.level,
        "field": d.field,
        "channel": d.channel.value if d.channel else None,
        "outcome": e.outcome.value,
        "received_at": e.received_at,
        "due_at": e.due_at,
        "due_date": e.due_date,
        "completed_at": e.completed_at,
        "ended_at": e.ended_at,
        "late_working_days": e.late_working_days,
        "late_time_hours": round(e.late_time / timedelta(hours=1), 2),
        "excluded_working_days": e.excluded_working_days,
        "met_rescheduled": e.met_rescheduled,
        "rescheduled_due": e.rescheduled_due,
        "late_units": "; ".join(e.late_units),
        "provisional": e.provisional,
        "warnings": " | ".join(e.warnings),
    }


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def safe_cell(value: Any) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, dict):
        value = "; ".join(f"{k}: {v}" for k, v in value.items())
    text = str(_plain(value))
    if text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text


def write_rows(
    rows: Iterable[Mapping[str, Any]], out: TextIO, *, fmt: str, columns: Sequence[str]
) -> int:
    """Write rows as ``csv``, ``jsonl`` or a readable ``table``; return how many."""
    count = 0
    if fmt == "jsonl":
        for row in rows:
            out.write(json.dumps({k: _plain(row.get(k)) for k in columns}, ensure_ascii=False))
            out.write("\n")
            count += 1
        return count
    if fmt == "json":
        data = [{k: _plain(row.get(k)) for k in columns} for row in rows]
        json.dump(data, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return len(data)
    if fmt == "table":
        return _write_table(list(rows), out, columns)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([safe_cell(row.get(k)) for k in columns])
        count += 1
    return count


def _write_table(rows: list[Mapping[str, Any]], out: TextIO, columns: Sequence[str]) -> int:
    cells = [[safe_cell(r.get(k)) for k in columns] for r in rows]
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(columns)]
    buf = io.StringIO()
    buf.write("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip() + "\n")
    buf.write("  ".join("-" * w for w in widths) + "\n")
    for r in cells:
        buf.write("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() + "\n")
    out.write(buf.getvalue())
    return len(rows)
