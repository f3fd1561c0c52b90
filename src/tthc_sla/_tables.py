"""The table readers: procedures and event tables in, dossiers out, every row accounted for.

This is the one place where a record of a file becomes a :class:`Procedure`, an :class:`Event`
and a :class:`Dossier`: the command line and Python callers use it, and the columnar engine reads
the values with the same vocabulary (``_vocab``). The file formats themselves (CSV with any usual
delimiter and encoding, JSON Lines, Excel, Parquet) are read by ``_formats``.

A dossier is either built from all of its rows or set aside whole, with every defect named by
file, line, column and dossier id (:class:`SetAside`); rows that name no dossier are set aside on
their own. Nothing is dropped or changed silently. CSV output neutralises cells that a
spreadsheet would run as formulas.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from os import PathLike
from typing import IO, Any, Final, TextIO

import attrs

from tthc_sla import _formats
from tthc_sla._vocab import fold
from tthc_sla.calendar._seam import VN_TZ
from tthc_sla.errors import (
    CalendarRangeError,
    HistoryError,
    RuleParseError,
    TableError,
    TthcSlaError,
)
from tthc_sla.evaluation import Evaluation
from tthc_sla.history import Channel, Dossier, Event, EventKind, to_channel, to_flag, to_kind
from tthc_sla.procedure import Procedure, Step

__all__ = [
    "EVENT_HEADERS",
    "PROCEDURE_HEADERS",
    "DossierTable",
    "SetAside",
    "read_dossiers",
    "read_procedures",
    "write_rows",
]

Source = str | PathLike[str] | IO[Any]

# The recognised headers of each column besides its own name, matched after trimming, NFC and
# case folding (docs/reports.md has the table). A user map (columns=) adds names.
EVENT_HEADERS: Final[Mapping[str, tuple[str, ...]]] = {
    "dossier_id": ("Mã hồ sơ", "Số hồ sơ", "Mã HS"),
    "procedure": ("Mã thủ tục", "Mã TTHC"),
    "at": ("Thời điểm", "Thời gian", "Ngày giờ"),
    "kind": ("Loại sự kiện", "Sự kiện", "Trạng thái"),
    "step": ("Bước", "Bước xử lý"),
    "unit": ("Đơn vị", "Đơn vị xử lý"),
    "new_due": ("Hẹn trả mới", "Ngày hẹn trả mới"),
    "note": ("Ghi chú",),
    "agency": ("Cơ quan", "Cơ quan giải quyết"),
    "level": ("Cấp", "Cấp thực hiện"),
    "field": ("Lĩnh vực",),
    "channel": ("Kênh", "Kênh nộp", "Hình thức nộp"),
    "difficult_area": ("Vùng khó khăn",),
}
_EVENT_REQUIRED = ("dossier_id", "procedure", "at", "kind")
# What a dossier is grouped by: the same on every row that states it, or the dossier is refused.
_DOSSIER_FIELDS = ("procedure", "agency", "level", "field", "channel", "difficult_area")

PROCEDURE_HEADERS: Final[Mapping[str, tuple[str, ...]]] = {
    "code": ("Mã thủ tục", "Mã TTHC"),
    "name": ("Tên thủ tục",),
    "rule": ("Thời hạn giải quyết",),
    "supplement": (),
    "extra_days_difficult_area": (),
    "steps": (),
}
_PROCEDURE_REQUIRED = ("code", "rule")

DEFAULT_YEARS: Final = (1995, 2100)
_YEARS_HINT = "widen the years: --years on the command line, years= in Python"


class _RowError(Exception):
    """A defect of one cell (column) or of the whole row (column None)."""

    def __init__(self, problem: str, column: str | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.column = column


# --------------------------------------------------------------------------- headers


@attrs.frozen
class _Columns:
    """How a file's headers map to the reader's columns."""

    by_header: dict[str, str]  # header as written -> column
    header_of: dict[str, str]  # column -> header as written
    ignored: list[str]
    names: dict[str, str]  # folded name -> column (for JSON Lines keys met later)


def _user_map(columns: Mapping[str, str] | None, known: Mapping[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    if columns is None:
        return out
    if not isinstance(columns, Mapping):
        raise TableError("columns", 0, "expected a mapping of headers to column names")
    for header, name in columns.items():
        if not isinstance(header, str) or not isinstance(name, str) or name not in known:
            raise TableError(
                "columns",
                0,
                f"the map sends {header!s} to {name!s}: expected one of {', '.join(known)}",
            )
        out[fold(header)] = name
    return out


def _map_columns(
    raw: _formats.RawTable,
    known: Mapping[str, tuple[str, ...]],
    required: Sequence[str],
    user: dict[str, str],
) -> _Columns:
    names = {fold(alias): col for col, aliases in known.items() for alias in (col, *aliases)}
    names.update(user)
    by_header: dict[str, str] = {}
    header_of: dict[str, str] = {}
    ignored: list[str] = []
    for header in raw.header:
        col = names.get(fold(header))
        if col is None:
            ignored.append(header)
            continue
        if col in header_of:
            raise TableError(
                raw.name,
                1,
                f"the columns '{header_of[col]}' and '{header}' both name {col}: keep one, or "
                "send one elsewhere with a column map (--columns, columns= in Python)",
                column=header,
            )
        by_header[header] = col
        header_of[col] = header
    missing = [c for c in required if c not in header_of]
    if missing and raw.format != "jsonl":
        raise TableError(raw.name, 1, _missing_columns(raw, missing, known, required))
    return _Columns(by_header, header_of, ignored, names)


def _missing_columns(
    raw: _formats.RawTable,
    missing: Sequence[str],
    known: Mapping[str, tuple[str, ...]],
    required: Sequence[str],
) -> str:
    expected = "; ".join(f"{c} ({', '.join(known[c])})" for c in required)
    found = ", ".join(f"'{h}'" for h in raw.header) or "nothing"
    text = f"no column for {', '.join(missing)}. Expected: {expected}. Found: {found}."
    if len(raw.header) <= 2:
        joined = "".join(raw.header)
        for name, char in (("';'", ";"), ("tab", "\t"), ("','", ",")):
            if char != raw.delimiter and joined.count(char) >= 2:
                text += f" The header looks {name}-separated: try --delimiter {name}."
                break
    return text


# --------------------------------------------------------------------------- cells


def _text(value: Any, column: str) -> str | None:
    """A text cell: trimmed, NFC; empty is None."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        return text if text.isascii() else unicodedata.normalize("NFC", text)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value:  # NaN: a missing value in a numeric column
            return None
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise _RowError(f"expected text, found a {type(value).__name__} value", column)


_DMY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _moment(
    value: Any, column: str, years: tuple[int, int], *, date_ok: bool
) -> datetime | date | None:
    """A moment cell as local wall time: ISO 8601 or dd/mm/yyyy HH:MM[:SS]; an offset is
    converted to Asia/Ho_Chi_Minh. A date alone only where ``date_ok``."""
    if value is None:
        return None
    if isinstance(value, datetime):
        moment: datetime | date = value
    elif isinstance(value, date):
        moment = value
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        moment = _parse_moment(text, column)
    else:
        raise _RowError(f"expected a date and time, found the number {value}", column)
    if isinstance(moment, datetime):
        if moment.tzinfo is not None:
            local = moment.astimezone(VN_TZ)
            moment = datetime.combine(local.date(), local.time())
    elif not date_ok:
        raise _RowError(
            f"{_shown(value)} is a date without a time of day; the time decides the outcome "
            "(the 15:00 rule, same-day deadlines): give it as 2026-11-20 09:30 or 20/11/2026 09:30",
            column,
        )
    if not years[0] <= moment.year <= years[1]:
        raise _RowError(
            f"{_shown(value)} is outside the calendar's years {years[0]}..{years[1]}; if it is "
            f"right, {_YEARS_HINT}",
            column,
        )
    return moment


def _parse_moment(text: str, column: str) -> datetime | date:
    if "/" in text:
        m = _DMY.fullmatch(text)
        if m is None:
            raise _RowError(_bad_moment(text), column)
        day, month, year, hh, mm, ss = m.groups()
        try:
            if hh is None:
                return date(int(year), int(month), int(day))
            return datetime(int(year), int(month), int(day), int(hh), int(mm), int(ss or 0))
        except ValueError:
            raise _RowError(f"{text} is not a real date and time", column) from None
    try:
        if len(text) == 10 and _ISO_DATE.fullmatch(text):
            return date.fromisoformat(text)
        return datetime.fromisoformat(text)
    except ValueError:
        if _ISO_DATE.match(text):
            raise _RowError(f"{text} is not a real date and time", column) from None
        raise _RowError(_bad_moment(text), column) from None


def _bad_moment(text: str) -> str:
    return (
        f"{_shown(text)} is not a date and time: expected 2026-11-20 09:30 (ISO 8601, with an "
        "optional offset such as +07:00 or Z) or 20/11/2026 09:30"
    )


def _shown(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _flag(value: Any, column: str) -> bool | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, float) and value in (0.0, 1.0):
        value = int(value)
    flag = _flag_of(value) if isinstance(value, str | int) else None
    if flag is None:
        raise _RowError(
            f"{_shown(value)} is not a yes/no value: expected true/false, 1/0, có/không or yes/no",
            column,
        )
    return flag


@functools.lru_cache(maxsize=4096)
def _flag_of(value: str | int) -> bool | None:
    try:
        return to_flag(value)
    except TthcSlaError:
        return None


def _channel(value: Any, column: str) -> Channel | None:
    text = _text(value, column)
    if text is None:
        return None
    channel = _channel_of(text)
    if channel is None:
        raise _RowError(
            f"{_shown(text)} is not a channel: expected online, direct or postal (trực tuyến, "
            "trực tiếp, bưu chính)",
            column,
        )
    return channel


@functools.lru_cache(maxsize=4096)
def _channel_of(text: str) -> Channel | None:
    try:
        return to_channel(text)
    except TthcSlaError:
        return None


# --------------------------------------------------------------------------- procedures


def read_procedures(
    source: Source,
    *,
    columns: Mapping[str, str] | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
) -> dict[str, Procedure]:
    """Procedures by code from a table (CSV, JSON Lines, Excel or Parquet).

    Columns: ``code`` (Mã thủ tục), ``name`` (Tên thủ tục), ``rule`` (Thời hạn giải quyết:
    Vietnamese text or a spec such as ``15wd``), and optionally ``supplement`` (``restart`` or
    ``pause``), ``extra_days_difficult_area`` and ``steps`` (CSV: ``name|unit|allotment; ...``;
    JSON: a list of objects). A procedure table is small and every procedure matters, so the
    first bad row raises.

    Args:
        source: a path, or an open file (text or binary).
        columns: extra header names: ``{"header as written": "code"}``.
        encoding: the text encoding, when it is not UTF-8 (with or without BOM) or UTF-16.
        delimiter: force the CSV delimiter (sniffed otherwise).
        sheet: the Excel sheet (the first one otherwise).

    Raises:
        TableError: a defect, named by file, line and column.

    Examples:
        >>> procs = read_procedures(io.StringIO("Mã thủ tục,Tên thủ tục,Thời hạn giải quyết\\n"
        ...                                      "1.001,Cấp phép,15 ngày làm việc\\n"))
        >>> procs["1.001"].rule.spec()
        '15wd'
    """
    user = _user_map(columns, PROCEDURE_HEADERS)
    out: dict[str, Procedure] = {}
    with _formats.open_table(source, encoding=encoding, delimiter=delimiter, sheet=sheet) as raw:
        cols = _map_columns(raw, PROCEDURE_HEADERS, _PROCEDURE_REQUIRED, user)
        name = raw.name
        for line, record in raw.rows:
            try:
                row = _canonical(record, cols, raw)
                code = _text(row.get("code"), cols.header_of.get("code", "code"))
                if code is None:
                    raise _RowError("no procedure code", cols.header_of.get("code"))
                if code in out:
                    raise _RowError(f"procedure {code} is listed twice", cols.header_of["code"])
                out[code] = _procedure(code, row, cols)
            except _RowError as exc:
                raise TableError(name, line, exc.problem, column=exc.column) from None
    return out


def _procedure(code: str, row: dict[str, Any], cols: _Columns) -> Procedure:
    rule = _text(row.get("rule"), "rule")
    if rule is None:
        raise _RowError(f"procedure {code} states no processing time", cols.header_of["rule"])
    extra_text = _text(row.get("extra_days_difficult_area"), "extra_days_difficult_area")
    try:
        extra: int | float = 0
        if extra_text is not None:
            extra = float(extra_text) if "." in extra_text else int(extra_text)
    except ValueError:
        raise _RowError(
            f"{extra_text} is not a number of days", cols.header_of["extra_days_difficult_area"]
        ) from None
    try:
        return Procedure(
            code,
            _text(row.get("name"), "name") or code,
            rule,
            _steps(row.get("steps")),
            supplement=_text(row.get("supplement"), "supplement") or "restart",
            extra_days_difficult_area=extra,
        )
    except RuleParseError as exc:
        raise _RowError(f"procedure {code}: {exc}", cols.header_of["rule"]) from None
    except TthcSlaError as exc:
        raise _RowError(f"procedure {code}: {exc}") from None


def _steps(value: Any) -> tuple[Step, ...]:
    """Steps from JSON (a list of objects) or text ``name|unit|allotment; ...``."""
    if value is None or value == "":
        return ()
    if isinstance(value, list):
        out = []
        for s in value:
            if not isinstance(s, dict) or not {"name", "unit", "allotment"} <= s.keys():
                raise _RowError("each step needs name, unit and allotment", "steps")
            out.append(Step(s["name"], s["unit"], s["allotment"]))
        return tuple(out)
    steps = []
    for part in str(value).split(";"):
        if not part.strip():
            continue
        fields = [x.strip() for x in part.split("|")]
        if len(fields) != 3:
            raise _RowError(f"step '{part.strip()}': expected name|unit|allotment", "steps")
        steps.append(Step(*fields))
    return tuple(steps)


def _canonical(record: dict[str, Any], cols: _Columns, raw: _formats.RawTable) -> dict[str, Any]:
    """A record keyed by column name; a row-level format defect raises _RowError."""
    if _formats.BROKEN in record:
        raise _RowError(str(record[_formats.BROKEN]))
    if _formats.CELL_COUNT in record:
        raise _RowError(
            f"{record[_formats.CELL_COUNT]} cells, but the header has {len(raw.header)} columns"
            " (a stray delimiter or quote?)"
        )
    row: dict[str, Any] = {}
    by_header = cols.by_header
    for key, value in record.items():
        col = by_header.get(key)
        if col is None:
            if raw.format != "jsonl" or key in cols.ignored:
                continue
            col = cols.names.get(fold(key))  # a JSON Lines key first met on a later line
            if col is None:
                cols.ignored.append(key)
                continue
        if col in row:
            raise _RowError(f"two keys name {col}", key)
        row[col] = value
    return row


# --------------------------------------------------------------------------- dossiers


@attrs.frozen
class SetAside:
    """A dossier set aside whole (or a row that names no dossier), with every defect found.

    Attributes:
        dossier_id: the dossier's id; None for a row that names no dossier.
        lines: the lines of all its rows, in file order.
        errors: what is wrong, each named by file, line, column and dossier.
    """

    dossier_id: str | None
    lines: tuple[int, ...]
    errors: tuple[TableError, ...]

    @property
    def reason(self) -> str:
        """The defects in one line."""
        return "; ".join(f"line {e.line}: {e.problem}" for e in self.errors)


@attrs.frozen(eq=False)
class DossierTable:
    """What :func:`read_dossiers` read: the dossiers, what was set aside, and the accounting.

    Iterating gives the dossiers. ``rows_read == rows_accepted + rows_set_aside`` always.

    Attributes:
        source: the file's name.
        format: ``csv``, ``jsonl``, ``xlsx`` or ``parquet``.
        dossiers: the dossiers built from all of their rows, in order of their first row.
        lines: per dossier id, the lines of its rows in event order (so event ``i`` of a
            dossier is on line ``lines[id][i]``: see :meth:`line_of`).
        set_aside: the dossiers (and rows naming none) set aside, in order of their first row.
        rows_read: the data rows read (blank lines are not rows).
        ignored_columns: headers that name no column the reader uses.
    """

    source: str
    format: str
    dossiers: tuple[Dossier, ...]
    lines: Mapping[str, tuple[int, ...]]
    set_aside: tuple[SetAside, ...]
    rows_read: int
    ignored_columns: tuple[str, ...] = ()

    def __iter__(self) -> Iterator[Dossier]:
        return iter(self.dossiers)

    def __len__(self) -> int:
        return len(self.dossiers)

    @property
    def rows_accepted(self) -> int:
        """The rows of the dossiers read."""
        return sum(len(lines) for lines in self.lines.values())

    @property
    def rows_set_aside(self) -> int:
        """The rows of what was set aside."""
        return sum(len(s.lines) for s in self.set_aside)

    def line_of(self, dossier_id: str, index: int | None) -> int:
        """The file line of a dossier's event ``index`` (its first line when None)."""
        lines = self.lines[dossier_id]
        return lines[index] if index is not None and 0 <= index < len(lines) else lines[0]


@attrs.define
class _Acc:
    """One dossier's rows while reading (private, mutable)."""

    first: int
    lines: list[int] = attrs.Factory(list)
    events: list[Event] = attrs.Factory(list)  # the events of the rows in ``lines``
    values: dict[str, tuple[Any, Any, int]] = attrs.Factory(dict)  # field: (text, value, line)
    errors: list[TableError] = attrs.Factory(list)


def read_dossiers(
    source: Source,
    procedures: Mapping[str, Procedure],
    *,
    columns: Mapping[str, str] | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
    years: tuple[int, int] = DEFAULT_YEARS,
    skip_bad: bool = False,
) -> DossierTable:
    """Dossiers from an event table (CSV, JSON Lines, Excel or Parquet), one row per event.

    Columns (or their Vietnamese headers, docs/reports.md): ``dossier_id``, ``procedure`` (its
    code), ``at``, ``kind`` (``received``... or a Vietnamese word such as ``tiếp nhận``), and
    optionally ``step``, ``unit``, ``new_due``, ``note`` and the dossier's ``agency``,
    ``level``, ``field``, ``channel``, ``difficult_area`` (on any of its rows; where stated
    twice, the same). Times are ISO 8601 or ``dd/mm/yyyy HH:MM[:SS]``; an offset is converted to
    Asia/Ho_Chi_Minh wall time, so the dossiers are naive local time. A dossier's events are
    ordered by time (stable for equal times), whatever the order of the rows.

    Every row is accounted for: a dossier is built from all of its rows or set aside whole.

    Args:
        source: a path, or an open file (text or binary).
        procedures: the procedures by code (see :func:`read_procedures`).
        columns: extra header names: ``{"header as written": "dossier_id", ...}``.
        encoding: the text encoding, when it is not UTF-8 (with or without BOM) or UTF-16.
        delimiter: force the CSV delimiter (sniffed otherwise).
        sheet: the Excel sheet (the first one otherwise).
        years: the years a time may fall in (the calendar's range).
        skip_bad: set defective dossiers aside and go on; otherwise the first defect raises.

    Returns:
        A :class:`DossierTable`.

    Raises:
        TableError: a defect of the file (always), or of a row (unless ``skip_bad``).

    Examples:
        >>> procs = {"1.001": Procedure("1.001", "Cấp phép", "5wd")}
        >>> table = read_dossiers(io.StringIO(
        ...     "Mã hồ sơ;Mã thủ tục;Thời điểm;Trạng thái\\n"
        ...     "A;1.001;20/11/2026 09:30;Tiếp nhận\\n"
        ...     "A;1.001;27/11/2026 10:00;Đã giải quyết\\n"
        ...     "B;1.001;2026-11-20;Tiếp nhận\\n"), procs, skip_bad=True)
        >>> [(d.id, [e.kind.value for e in d.events]) for d in table]
        [('A', ['received', 'resolved'])]
        >>> print(table.set_aside[0].reason)
        line 4: 2026-11-20 is a date without a time of day; ...
        >>> table.rows_read, table.rows_accepted, table.rows_set_aside
        (3, 2, 1)
    """
    if not isinstance(procedures, Mapping):
        raise TableError("procedures", 0, "expected a mapping of codes to Procedure values")
    user = _user_map(columns, EVENT_HEADERS)
    with _formats.open_table(source, encoding=encoding, delimiter=delimiter, sheet=sheet) as raw:
        cols = _map_columns(raw, EVENT_HEADERS, _EVENT_REQUIRED, user)
        read = accumulate(raw, cols, procedures, years, skip_bad=skip_bad)
    dossiers, lines, aside = assemble(raw.name, read, procedures, skip_bad=skip_bad)
    return DossierTable(
        raw.name, raw.format, tuple(dossiers), lines, tuple(aside), read.rows, tuple(cols.ignored)
    )


@attrs.define
class _Read:
    """The rows of a table read into their dossiers (private, mutable): the dossiers' rows by
    id in order of first row, the rows that name no dossier, and the number of rows."""

    accs: dict[str, _Acc] = attrs.Factory(dict)
    loose: list[SetAside] = attrs.Factory(list)
    rows: int = 0


def accumulate(
    raw: _formats.RawTable,
    cols: _Columns,
    procedures: Mapping[str, Procedure],
    years: tuple[int, int],
    *,
    skip_bad: bool,
) -> _Read:
    """Read each row of ``raw`` into its dossier, in file order (the first half of
    :func:`read_dossiers`; ``_fastread`` gives it the rows it does not read itself).

    Without ``skip_bad`` the first defective row raises its TableError.
    """
    read = _Read()
    accs, name, header_of = read.accs, raw.name, cols.header_of
    for line, record in raw.rows:
        read.rows += 1
        dossier_id: str | None = None
        acc: _Acc | None = None
        try:
            row = _canonical_or_id(record, cols, raw)
            raw_id = row.dossier_id if isinstance(row, _Unreadable) else row.get("dossier_id")
            dossier_id = _text(raw_id, "dossier_id")
            if dossier_id is None:
                raise _RowError("no dossier id", header_of.get("dossier_id", "dossier_id"))
            acc = accs.get(dossier_id)
            if acc is None:
                acc = accs[dossier_id] = _Acc(line)
            acc.lines.append(line)
            if isinstance(row, _Unreadable):
                raise _RowError(row.problem)
            _add_row(acc, row, line, procedures, years, header_of)
        except _RowError as exc:
            error = TableError(
                name,
                line,
                exc.problem,
                column=None if exc.column is None else header_of.get(exc.column, exc.column),
                dossier_id=dossier_id,
            )
            if not skip_bad:
                raise error from None
            if acc is None:
                read.loose.append(SetAside(None, (line,), (error,)))
            else:
                acc.errors.append(error)
    return read


def assemble(
    name: str, read: _Read, procedures: Mapping[str, Procedure], *, skip_bad: bool
) -> tuple[list[Dossier], dict[str, tuple[int, ...]], list[SetAside]]:
    """The dossiers of the rows read (in order of first row), their lines in event order,
    and what is set aside (the second half of :func:`read_dossiers`; ``read.accs`` is emptied).

    Without ``skip_bad`` the first dossier that cannot be built raises its TableError.
    """
    accs = read.accs
    dossiers: list[Dossier] = []
    lines: dict[str, tuple[int, ...]] = {}
    aside: list[SetAside] = []
    for dossier_id in list(accs):
        acc = accs.pop(dossier_id)  # freed as soon as its dossier is built
        if not acc.errors:
            built = _dossier(dossier_id, acc, procedures)
            if isinstance(built, Dossier):
                dossiers.append(built)
                lines[dossier_id] = tuple(acc.lines)
                continue
            problem, line = built
            error = TableError(name, line, problem, dossier_id=dossier_id)
            if not skip_bad:
                raise error
            acc.errors.append(error)
        aside.append(SetAside(dossier_id, tuple(acc.lines), tuple(acc.errors)))
    if read.loose:
        aside = sorted([*aside, *read.loose], key=lambda s: s.lines[0])
    return dossiers, lines, aside


@attrs.frozen
class _Unreadable:
    """A row whose cells cannot be read, but whose dossier id can."""

    problem: str
    dossier_id: str


def _canonical_or_id(
    record: dict[str, Any], cols: _Columns, raw: _formats.RawTable
) -> dict[str, Any] | _Unreadable:
    """The row by column; for a row with a format defect, its dossier id and the defect."""
    try:
        return _canonical(record, cols, raw)
    except _RowError as exc:
        id_header = cols.header_of.get("dossier_id")
        value = None if id_header is None else record.get(id_header)
        if exc.column is None and isinstance(value, str) and value.strip():
            return _Unreadable(exc.problem, value)
        raise


def _add_row(
    acc: _Acc,
    row: dict[str, Any],
    line: int,
    procedures: Mapping[str, Procedure],
    years: tuple[int, int],
    header_of: dict[str, str],
) -> None:
    """Read one row into its dossier: the event, and the dossier's own values."""
    event = event_of(row, years)
    values = acc.values
    for field, read in _DOSSIER_READERS:
        raw = row.get(field)
        if raw is None:
            continue
        known = values.get(field)
        if known is not None and known[0] == raw:
            continue  # the text of an earlier row again: nothing new to read
        value = read(raw, field)
        if value is None:
            continue
        if field == "procedure" and value not in procedures:
            raise _RowError(f"unknown procedure {value} (not in the procedures table)", field)
        if known is None:
            values[field] = (raw, value, line)
        elif known[1] != value:
            raise _RowError(
                f"a second {field} for the dossier: {_value_text(value)} here, "
                f"{_value_text(known[1])} on line {known[2]}",
                field,
            )
    acc.events.append(event)


_DOSSIER_READERS: tuple[tuple[str, Callable[[Any, str], Any]], ...] = (
    ("procedure", _text),
    ("agency", _text),
    ("level", _text),
    ("field", _text),
    ("channel", _channel),
    ("difficult_area", _flag),
)


def _kind(value: Any) -> EventKind:
    text = _text(value, "kind")
    if text is None:
        raise _RowError("no event kind", "kind")
    kind = _kind_of(text)
    if kind is None:
        raise _RowError(
            f"{_shown(text)} is not an event kind: expected received, step_started, "
            "resolved... or a Vietnamese word such as tiếp nhận, đã giải quyết (docs/reports.md)",
            "kind",
        )
    return kind


@functools.lru_cache(maxsize=4096)
def _kind_of(text: str) -> EventKind | None:
    """The event kind a word stands for (memoised: an export repeats a dozen words)."""
    try:
        return to_kind(text)
    except TthcSlaError:
        return None


def event_of(row: Mapping[str, Any], years: tuple[int, int]) -> Event:
    """The event of a record keyed by column name (``at``, ``kind``, ``step``, ``unit``,
    ``new_due``, ``note``): the one place where a record becomes an :class:`Event` (the table
    readers and ``tthc-sla serve-jsonl`` both call it). A defect raises ``_RowError``."""
    at = _moment(row.get("at"), "at", years, date_ok=False)
    if at is None:
        raise _RowError("no time", "at")
    assert isinstance(at, datetime)
    kind = _kind(row.get("kind"))
    new_due = _moment(row.get("new_due"), "new_due", years, date_ok=True)
    try:
        return Event(
            at,
            kind,
            step=_text(row.get("step"), "step"),
            unit=_text(row.get("unit"), "unit"),
            new_due=new_due,
            note=_text(row.get("note"), "note"),
        )
    except TthcSlaError as exc:
        raise _RowError(_event_problem(exc), _event_column(exc)) from None


def _value_text(value: Any) -> str:
    if isinstance(value, Channel):
        return value.value
    if isinstance(value, bool):
        return "yes" if value else "no"
    return f"'{value}'"


def _event_problem(exc: TthcSlaError) -> str:
    text = str(exc)
    if "step=" in text:
        return "a step event without the step's name"
    if "RESCHEDULED with new_due" in text:
        return "a rescheduled event without the new appointment (new_due)"
    if "new_due only" in text:
        return "a new appointment (new_due) on an event that is not a reschedule"
    return text


def _event_column(exc: TthcSlaError) -> str | None:
    text = str(exc)
    if "step=" in text:
        return "step"
    if "new_due" in text:
        return "new_due"
    return None


def _dossier(
    dossier_id: str, acc: _Acc, procedures: Mapping[str, Procedure]
) -> Dossier | tuple[str, int]:
    """The dossier of a clean accumulation, or the problem that prevents it and its line."""
    values = acc.values
    if "procedure" not in values:
        return "no row of the dossier names its procedure", acc.first
    events, lines = acc.events, acc.lines
    if any(events[i].at < events[i - 1].at for i in range(1, len(events))):
        # Rows out of time order (newest first, shuffled): sort, stably, so that events at
        # the same time keep the file's order; the lines follow their events.
        order = sorted(range(len(events)), key=lambda i: events[i].at)
        events[:] = [events[i] for i in order]
        lines[:] = [lines[i] for i in order]
    for i in range(1, len(events)):
        if events[i].at == events[i - 1].at:
            twin = _twin(events, i)
            if twin is not None:
                first, second = sorted((lines[twin], lines[i]))
                return f"repeats line {first} (the same event twice)", second
    flag = values.get("difficult_area")
    try:
        return Dossier(
            dossier_id,
            procedures[values["procedure"][1]],
            events,
            channel=_first(values, "channel"),
            agency=_first(values, "agency"),
            level=_first(values, "level"),
            field=_first(values, "field"),
            difficult_area=bool(flag and flag[1]),
        )
    except TthcSlaError as exc:
        return str(exc), acc.first


def _twin(events: list[Event], i: int) -> int | None:
    """The index of an earlier event equal to event ``i`` (at the same time), if any."""
    at = events[i].at
    j = i - 1
    while j >= 0 and events[j].at == at:
        if events[j] == events[i]:
            return j
        j -= 1
    return None


def _first(values: dict[str, tuple[Any, Any, int]], field: str) -> Any:
    found = values.get(field)
    return None if found is None else found[1]


# --------------------------------------------------------------------------- evaluation


def evaluate_table(
    table: DossierTable,
    evaluate_one: Callable[[Dossier], Evaluation],
    *,
    skip_bad: bool,
    tick: Callable[[int], None] | None = None,
) -> tuple[list[Evaluation], list[SetAside]]:
    """Evaluate each dossier; a broken history is named by the line of its offending row.

    A dossier whose history breaks a rule, or whose deadline leaves the calendar, raises a
    TableError naming the file line (not an event index), or with ``skip_bad`` is set aside.
    """
    out: list[Evaluation] = []
    aside: list[SetAside] = []
    for n, d in enumerate(table.dossiers, start=1):
        try:
            out.append(evaluate_one(d))
        except HistoryError as exc:
            error = TableError(
                table.source, table.line_of(d.id, exc.index), exc.rule, dossier_id=d.id
            )
            if not skip_bad:
                raise error from None
            aside.append(SetAside(d.id, tuple(sorted(table.lines[d.id])), (error,)))
        except TthcSlaError as exc:
            problem = str(exc)
            if isinstance(exc, CalendarRangeError):
                problem = f"{problem.split(';')[0]}; {_YEARS_HINT}"
            error = TableError(table.source, table.line_of(d.id, None), problem, dossier_id=d.id)
            if not skip_bad:
                raise error from None
            aside.append(SetAside(d.id, tuple(sorted(table.lines[d.id])), (error,)))
        if tick is not None:
            tick(n)
    return out, aside


# --------------------------------------------------------------------------- output

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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
    kind = type(value)  # the usual cells first, by their exact type (a million rows: 22 M cells)
    if kind is str or kind is datetime or kind is date:
        text: str = value if kind is str else value.isoformat()
        return "'" + text if text.startswith(FORMULA_STARTS) else text
    if kind is int or kind is float:
        return str(value)
    return _any_cell(value)


def _any_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, dict):
        value = "; ".join(f"{k}: {v}" for k, v in value.items())
    text = str(_plain(value))
    if text.startswith(FORMULA_STARTS):
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
    out.write(csv_text([list(columns)]))
    chunk: list[list[str]] = []
    for row in rows:
        chunk.append([safe_cell(row.get(k)) for k in columns])
        if len(chunk) == _CSV_CHUNK:
            out.write(csv_text(chunk))
            count += len(chunk)
            chunk = []
    out.write(csv_text(chunk))
    return count + len(chunk)


CSV_QUOTED: Final = (",", '"', "\n", "\r")
"""A CSV cell holding any of these is quoted (a quote in it doubled): the csv module's rule
from Python 3.12 on, kept on 3.11 too (its csv module writes a lone carriage return bare,
which no CSV reader, the csv module included, reads back)."""
_CSV_CHUNK: Final = 10_000  # rows formatted at a time


def csv_text(rows: list[list[str]]) -> str:
    """Rows of cells as CSV text (lines ended by ``\\n``), quoted as ``CSV_QUOTED`` says."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    text = buf.getvalue()
    if "\r" in text and not _CSV_QUOTES_CR:  # (rare: a cell with a carriage return)
        text = "".join((",".join(map(_csv_quoted, r)) if r != [""] else '""') + "\n" for r in rows)
    return text


def _csv_quoted(cell: str) -> str:
    if any(c in cell for c in CSV_QUOTED):
        return '"' + cell.replace('"', '""') + '"'
    return cell


def _quotes_cr() -> bool:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(["a\rb"])
    return buf.getvalue().startswith('"')


_CSV_QUOTES_CR: Final = _quotes_cr()  # True from Python 3.12 on


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
