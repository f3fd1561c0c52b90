"""The columnar twin of ``_tables.read_dossiers``: an event table read straight into the frame
that ``batch.evaluate_frame`` reads, with exactly the scalar reader's answers.

A CSV file's rows are read by ``pyarrow.csv`` (every column as text, with the delimiter and the
encoding that ``_formats`` found), a Parquet file's by ``pyarrow.parquet``; the columns are then
coerced over arrays. Event kinds, channels, yes/no flags, procedure codes, names and new
appointments are read one DISTINCT value at a time by the scalar reader's own cell functions
(``_tables._kind``, ``_text``, ``_moment``, ``_DOSSIER_READERS``); times are parsed by a
vectorised reader of the usual written forms (ISO 8601 with or without seconds, ``T`` or a
space, ``Z`` or an offset; ``dd/mm/yyyy HH:MM[:SS]``), which accepts only what
``datetime.fromisoformat`` and the scalar reader's dd/mm/yyyy pattern read the same way.

Maintainer's notes: this module never decides a defect. A row or a dossier that is not plainly
clean under the vectorised checks (a cell that does not read, a time in a form the vectorised
parser does not know, two values of a dossier-level column, a repeated event, a row without a
dossier id...) is handed whole, with its cells as the file gave them and its lines, to
``_tables.accumulate`` and ``_tables.assemble``, the two halves of ``read_dossiers``: what is
set aside and why, and what raises, is the scalar reader's own. A file that is unusual for
pyarrow (not a path; JSON Lines or Excel; an encoding other than UTF-8; a NUL; a carriage
return that ends no line; a quote the csv module would refuse; a blank first line; a record or
a field over the csv layer's limits; a Parquet time in nanoseconds; anything pyarrow raises,
such as a record with another number of cells) is read by ``read_dossiers`` itself and its
dossiers laid out as the frame (``FrameTable.fallback`` says why).

The CSV layer's line numbers are recomputed from the bytes: each record starts on the line
after the line break that ends the one before, line breaks inside quoted cells count, blank
lines are not records (``record_lines``, with ``quoted_spans`` telling which bytes are inside
quotes, the csv module's own rules restated over arrays). When the scalar reader's rules
change, the checks here must stay no more permissive than they are: ``tests/test_fastread.py``
compares both readers on the dirty-export corpus and on generated exports.

Needs pyarrow, numpy and pandas (the ``parquet`` and ``batch`` extras), imported when called.
"""

from __future__ import annotations

import codecs
import importlib
import mmap
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Final

import attrs

from tthc_sla import _formats, _tables
from tthc_sla._tables import DEFAULT_YEARS, EVENT_HEADERS, DossierTable, SetAside, Source
from tthc_sla.errors import TableError
from tthc_sla.history import Dossier, EventKind
from tthc_sla.procedure import Procedure

__all__ = ["FRAME_COLUMNS", "FrameTable", "read_events_frame"]

NDArray = Any  # numpy arrays (numpy is imported when called)

FRAME_COLUMNS: Final = (
    "dossier_id",
    "procedure",
    "at",
    "kind",
    "step",
    "unit",
    "new_due",
    "note",
    "agency",
    "level",
    "field",
    "channel",
    "difficult_area",
)
"""The columns of :attr:`FrameTable.events`, in order (``batch.events_frame``'s layout)."""

# What str.strip() removes (tests/test_fastread.py checks the list against str.isspace).
SPACE: Final = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_KINDS: Final = tuple(EventKind)
_STEP_KINDS: Final = (_KINDS.index(EventKind.STEP_STARTED), _KINDS.index(EventKind.STEP_FINISHED))
_RESCHEDULED: Final = _KINDS.index(EventKind.RESCHEDULED)
_EVENT_TEXTS: Final = ("step", "unit", "note")
# The text columns of the frame, as pandas categoricals (each distinct value once).
_CODED: Final = ("procedure", "kind", "step", "unit", "note", "agency", "level", "field", "channel")
_DOSSIER_LEVEL: Final = ("procedure", "agency", "level", "field", "channel", "difficult_area")
_US: Final = 1_000_000
_DAY_US: Final = 86_400 * _US
_VN_OFFSET_US: Final = 7 * 3_600 * _US
# Asia/Ho_Chi_Minh has been UTC+7 since 13 June 1975; earlier aware times go to the scalar reader.
_STEADY_FROM_US: Final = 2_191 * _DAY_US  # 1976-01-01 00:00, local
_BLOCK: Final = 4 << 20  # bytes of CSV per pyarrow chunk (fewer chunks, as fast)
_BAD: Final = -2  # the code of a cell that does not read (-1: an empty cell)


class _Unusual(Exception):  # noqa: N818 - not an error: the reason to read with the scalar reader
    """The file is read by ``read_dossiers``: why."""


# --------------------------------------------------------------------------- the result


@attrs.frozen(eq=False)
class FrameTable:
    """What :func:`read_events_frame` read: the events as a frame, what was set aside, and
    the accounting, equal to what :func:`read_dossiers` gives for the same file.

    Attributes:
        source: the file's name.
        format: ``csv``, ``jsonl``, ``xlsx`` or ``parquet``.
        events: a pandas DataFrame, one row per event of the dossiers read, columns
            :data:`FRAME_COLUMNS`: ``at`` as datetime64[us] (naive local wall time), ``kind``
            as the EventKind value, ``new_due`` as datetime64[us] (object, with ``date``
            values, when a new appointment is a date alone), the dossier's own values on each
            of its rows (``channel`` as the Channel value, ``difficult_area`` as bool). The
            dossiers come in order of their first row, each one's rows in event order.
        lines: per row of ``events``, the file line of its row (numpy int64).
        set_aside: the dossiers (and rows naming none) set aside, as ``read_dossiers`` gives.
        rows_read: the data rows read (blank lines are not rows).
        dossiers: the number of dossiers read.
        ignored_columns: headers that name no column the reader uses.
        scalar_rows: the rows read by the scalar reader's code (all of them when the whole
            file was).
        fallback: why the whole file was read by ``read_dossiers``; None if pyarrow read it.
    """

    source: str
    format: str
    events: Any
    lines: Any
    set_aside: tuple[SetAside, ...]
    rows_read: int
    dossiers: int
    ignored_columns: tuple[str, ...] = ()
    scalar_rows: int = 0
    fallback: str | None = None

    def __len__(self) -> int:
        return self.dossiers

    @property
    def rows_accepted(self) -> int:
        """The rows of the dossiers read."""
        return len(self.events)

    @property
    def rows_set_aside(self) -> int:
        """The rows of what was set aside."""
        return sum(len(s.lines) for s in self.set_aside)

    def dossier_lines(self) -> dict[str, tuple[int, ...]]:
        """Per dossier id, the lines of its rows in event order (as ``DossierTable.lines``)."""
        ids = self.events["dossier_id"].to_numpy()
        if not len(ids):
            return {}
        np = importlib.import_module("numpy")
        starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
        ends = np.r_[starts[1:], len(ids)]
        lines = self.lines.tolist()
        return {
            str(ids[s]): tuple(lines[s:e])
            for s, e in zip(starts.tolist(), ends.tolist(), strict=True)
        }

    def line_of(self, dossier_id: str, index: int | None) -> int:
        """The file line of a dossier's event ``index`` (its first line when None), as
        ``DossierTable.line_of``; a search of the whole frame (use :meth:`dossier_lines` for
        many)."""
        np = importlib.import_module("numpy")
        rows = np.flatnonzero(self.events["dossier_id"].to_numpy() == dossier_id)
        if not rows.size:
            raise KeyError(dossier_id)
        lines = self.lines[rows]
        return int(lines[index] if index is not None and 0 <= index < len(lines) else lines[0])


# --------------------------------------------------------------------------- the entry point


def read_events_frame(
    source: Source,
    procedures: Mapping[str, Procedure],
    *,
    columns: Mapping[str, str] | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
    years: tuple[int, int] = DEFAULT_YEARS,
    skip_bad: bool = False,
) -> FrameTable:
    """The events of a table as the frame ``batch.evaluate_frame`` reads, read over columns,
    with :func:`read_dossiers`' answers: the same dossiers and events, the same set-aside
    dossiers with the same reasons, the same accounting and the same refusals.

    Args and Raises: as :func:`read_dossiers` (``tthc_sla.read_dossiers``).

    Returns:
        A :class:`FrameTable`.

    Examples:
        >>> import tempfile, pathlib
        >>> procs = {"1.001": Procedure("1.001", "Cấp phép", "5wd")}
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "events.csv"
        >>> _ = path.write_text("Mã hồ sơ;Mã thủ tục;Thời điểm;Trạng thái\\n"
        ...     "A;1.001;20/11/2026 09:30;Tiếp nhận\\n"
        ...     "A;1.001;27/11/2026 10:00;Đã giải quyết\\n"
        ...     "B;1.001;2026-11-20;Tiếp nhận\\n", encoding="utf-8")
        >>> table = read_events_frame(path, procs, skip_bad=True)
        >>> table.events[["dossier_id", "at", "kind"]]
          dossier_id                  at      kind
        0          A 2026-11-20 09:30:00  received
        1          A 2026-11-27 10:00:00  resolved
        >>> print(table.set_aside[0].reason)
        line 4: 2026-11-20 is a date without a time of day; ...
        >>> table.rows_read, table.rows_accepted, table.rows_set_aside, table.scalar_rows
        (3, 2, 1, 1)
    """
    try:
        importlib.import_module("numpy")
        importlib.import_module("pandas")
    except ImportError:
        raise ImportError(
            "read_events_frame needs numpy and pandas: pip install 'tthc_sla[batch]'"
        ) from None
    if not isinstance(procedures, Mapping):
        raise TableError("procedures", 0, "expected a mapping of codes to Procedure values")
    user = _tables._user_map(columns, EVENT_HEADERS)
    try:
        opened = _open(source, user, encoding, delimiter, sheet)
        cells, rows = _read(opened, procedures, years)
    except _Unusual as why:
        table = _tables.read_dossiers(
            source,
            procedures,
            columns=columns,
            encoding=encoding,
            delimiter=delimiter,
            sheet=sheet,
            years=years,
            skip_bad=skip_bad,
        )
        return _from_dossier_table(table, str(why))
    return frame_of(opened, cells, rows, procedures, years, skip_bad)


def frame_of(
    opened: _Opened,
    cells: _Cells,
    rows: _Rows | None,
    procedures: Mapping[str, Procedure],
    years: tuple[int, int],
    skip_bad: bool,
) -> FrameTable:
    """The frame table of a file's cells (``rows``: read already, or None to read them);
    also ``_partition``'s, for the cells of one partition."""
    if rows is None:
        rows = _read_rows(opened, cells, procedures, years)
    frame_table = _columnar(opened, cells, rows, procedures, years, skip_bad)
    del cells, rows
    # pyarrow's allocator keeps the raw cells' pages for reuse (a third of the file's size);
    # the rest of the run is numpy and pandas, so give them back.
    importlib.import_module("pyarrow").default_memory_pool().release_unused()
    return frame_table


@attrs.frozen
class _Opened:
    """A file whose header has been read and mapped by the scalar reader's code."""

    path: str
    raw: _formats.RawTable  # its rows are not read (the table is closed)
    cols: _tables._Columns


def _open(
    source: Source,
    user: dict[str, str],
    encoding: str | None,
    delimiter: str | None,
    sheet: str | None,
) -> _Opened:
    """The file's format, header and column map, with the scalar reader's refusals."""
    if not isinstance(source, str | os.PathLike):
        raise _Unusual("an open file, not a path")
    path = os.fspath(source)
    fmt = _formats._format_of(path, None, by_name_only=True)
    if fmt not in ("csv", "parquet"):
        raise _Unusual(f"the {fmt} format")
    with _formats.open_table(path, encoding=encoding, delimiter=delimiter, sheet=sheet) as raw:
        cols = _tables._map_columns(raw, EVENT_HEADERS, _tables._EVENT_REQUIRED, user)
    # Without the closed file's reader (a generator), so that it pickles (``_partition``'s
    # workers get it).
    return _Opened(path, attrs.evolve(raw, rows=iter(())), cols)


# --------------------------------------------------------------------------- reading the cells


@attrs.frozen
class _Cells:
    """A file's cells as pyarrow read them (CSV: every column; Parquet: the columns used),
    and the line of each row."""

    table: Any  # pyarrow Table, columns named by their header as written
    lines: NDArray  # per row, the line where it starts
    empty_is_none: bool  # CSV: an empty cell is None in a record (as _formats gives it)


def _read(
    opened: _Opened, procedures: Mapping[str, Procedure], years: tuple[int, int]
) -> tuple[_Cells, _Rows]:
    """The file's cells read by pyarrow, and its rows read over columns."""
    try:
        pa = importlib.import_module("pyarrow")
    except ImportError:
        raise _Unusual("pyarrow is not installed") from None
    try:
        cells = _parquet_cells(opened) if opened.raw.format == "parquet" else _csv_cells(opened)
        return cells, _read_rows(opened, cells, procedures, years)
    except pa.ArrowException as exc:
        raise _Unusual(f"pyarrow: {exc}") from None


def _used_headers(opened: _Opened) -> list[str]:
    return [h for h in opened.raw.header if h in opened.cols.by_header]


def _parquet_cells(opened: _Opened) -> _Cells:
    np = importlib.import_module("numpy")
    pq = importlib.import_module("pyarrow.parquet")
    pf = pq.ParquetFile(opened.path)
    used = parquet_columns(opened, pf)
    table = pf.read(columns=used, use_threads=True)
    check_parquet_names(table, used)
    table = table.unify_dictionaries()  # a dictionary column: one dictionary for all chunks
    return _Cells(table, np.arange(table.num_rows, dtype=np.int64) + 2, False)


def parquet_columns(opened: _Opened, pf: Any) -> list[str]:
    """The columns to read of a Parquet file pyarrow reads as the scalar reader does."""
    for field in pf.schema_arrow:
        if getattr(field.type, "unit", None) == "ns":
            raise _Unusual(f"the nanosecond column '{field.name}'")
    return _used_headers(opened)


def check_parquet_names(table: Any, used: list[str]) -> None:
    if table.column_names != used:
        raise _Unusual("Parquet column names that pyarrow reads as paths")


def check_csv(opened: _Opened) -> None:
    """A CSV file whose encoding and delimiter pyarrow reads as the scalar reader does."""
    raw = opened.raw
    assert raw.encoding is not None
    assert raw.delimiter is not None
    if codecs.lookup(raw.encoding).name not in ("utf-8", "utf-8-sig"):
        raise _Unusual(f"the encoding {raw.encoding}")
    if not raw.delimiter.isascii() or raw.delimiter in '\r\n"':
        raise _Unusual(f"the delimiter {raw.delimiter!r}")


def _csv_cells(opened: _Opened) -> _Cells:
    check_csv(opened)
    data = _file_bytes(opened.path)
    skip = len(codecs.BOM_UTF8) if data[:3] == codecs.BOM_UTF8 else 0
    return text_cells(opened, data, skip)


def text_cells(opened: _Opened, data: Any, skip: int) -> _Cells:
    """The cells of CSV bytes (the header's record first, from ``skip``) whose format the
    scalar reader's code has checked; lines counted from the header's line as line 1. Also
    read by ``_partition`` one run of whole records at a time, behind the header's bytes."""
    np = importlib.import_module("numpy")
    raw = opened.raw
    assert raw.delimiter is not None
    text = np.frombuffer(data, dtype=np.uint8)[skip:]
    if data.find(b"\x00") >= 0:
        raise _Unusual("a NUL character")
    if data.find(b"\r") >= 0:
        returns = np.flatnonzero(text == 13)
        if returns[-1] + 1 == len(text) or np.any(text[returns + 1] != 10):
            raise _Unusual("a carriage return that ends no line")
    quotes = None
    if data.find(b'"', skip) >= 0:
        quotes = quoted_spans(text, ord(raw.delimiter))
        if quotes is None:
            raise _Unusual("a quote the csv module refuses")
    if quotes is None or quotes.breaks_inside(text) is False:
        table = _arrow_csv(data, skip, opened, breaks_in_cells=False)
        lines = _single_lines(text, table.num_rows)
        if lines is None:  # blank lines
            lines, _ = record_lines(text, quotes)
    else:
        lines, breaks = record_lines(text, quotes)
        table = _arrow_csv(data, skip, opened, breaks_in_cells=breaks)
    if len(lines) != table.num_rows:
        raise _Unusual("pyarrow reads another number of records")  # pragma: no cover
    return _Cells(table, lines, True)


def _file_bytes(path: str) -> Any:
    """The bytes of a file, mapped from the page cache rather than copied when it can be."""
    with open(path, "rb") as f:
        try:
            return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError):  # an empty file, a pipe...
            return f.read()


def _arrow_csv(data: Any, skip: int, opened: _Opened, *, breaks_in_cells: bool) -> Any:
    """Every cell as text, as pyarrow reads it (its header checked against ours); the columns
    whose values are read one distinct value at a time come dictionary-encoded."""
    pa = importlib.import_module("pyarrow")
    pv = importlib.import_module("pyarrow.csv")
    raw = opened.raw
    assert raw.delimiter is not None
    types = {h: pa.string() for h in raw.header}
    for column, header in opened.cols.header_of.items():
        if column not in ("dossier_id", "at"):
            types[header] = pa.dictionary(pa.int32(), pa.string())
    table = pv.read_csv(
        pa.BufferReader(pa.py_buffer(data).slice(skip)),
        read_options=pv.ReadOptions(
            use_threads=True, block_size=_BLOCK, autogenerate_column_names=False
        ),
        parse_options=pv.ParseOptions(
            delimiter=raw.delimiter,
            quote_char='"',
            double_quote=True,
            escape_char=False,
            newlines_in_values=breaks_in_cells,
            ignore_empty_lines=True,
        ),
        convert_options=pv.ConvertOptions(
            column_types=types,
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
            check_utf8=True,
        ),
    )
    if table.column_names != list(raw.header):
        raise _Unusual("pyarrow reads another header")
    table = table.unify_dictionaries()
    if len(data) > _formats.FIELD_LIMIT and _longest(table) > _formats.FIELD_LIMIT:
        raise _Unusual("a field over the csv module's limit")
    return table


def _longest(table: Any) -> int:
    """The longest cell of a table, in bytes."""
    pa = importlib.import_module("pyarrow")
    pc = importlib.import_module("pyarrow.compute")
    longest = 0
    for column in table.columns:
        for chunk in column.chunks:
            values = chunk.dictionary if pa.types.is_dictionary(chunk.type) else chunk
            if values.nbytes > _formats.FIELD_LIMIT:  # else no value can be that long
                longest = max(longest, pc.max(pc.binary_length(values)).as_py() or 0)
    return longest


def _single_lines(text: NDArray, records: int) -> NDArray | None:
    """The lines of the records of a text without line breaks inside quotes, when each line
    after the header is a record (None: there are blank lines)."""
    np = importlib.import_module("numpy")
    end = len(text)
    while end and text[end - 1] in (10, 13):
        end -= 1
    if _count_byte(text[:end], 10) != records:
        return None
    out: NDArray = np.arange(2, records + 2, dtype=np.int64)
    return out


_SCAN: Final = 1 << 20  # bytes compared at a time: the comparison stays in cache


def _count_byte(text: NDArray, byte: int) -> int:
    """How many times a byte occurs in a text, a slice at a time (no text-sized temporary:
    on a big file, a fresh mask costs more in page faults than the comparison)."""
    np = importlib.import_module("numpy")
    return sum(
        int(np.count_nonzero(text[i : i + _SCAN] == byte)) for i in range(0, len(text), _SCAN)
    )


def record_lines(text: NDArray, quotes: Quotes | None) -> tuple[NDArray, bool]:
    """The line where each record after the header starts, as the csv layer counts them
    (line breaks inside quotes count, blank lines are not records), and whether a cell holds
    a line break.

    Raises:
        _Unusual: the header is not on line 1, or a record spans more lines than the csv
            layer reads.
    """
    np = importlib.import_module("numpy")
    if not len(text):
        raise _Unusual("an empty text")
    breaks = np.flatnonzero(text == 10)
    inside = quotes.inside_at(breaks) if quotes is not None else np.zeros(len(breaks), bool)
    ends = np.flatnonzero(~inside)  # the breaks that end a line of records, by their number
    at = breaks[ends]
    start, stop = np.r_[0, at + 1], np.r_[at, len(text)]
    size = stop - start
    empty = (size == 0) | ((size == 1) & (text[np.minimum(start, len(text) - 1)] == 13))
    spans = np.diff(np.r_[-1, ends, len(breaks)]) - 1  # breaks inside quotes per record
    if empty[0] or (len(spans) and int(spans.max()) >= _formats.MAX_RECORD_LINES):
        raise _Unusual("a blank first line, or a record over the csv module's line limit")
    first_line = np.r_[1, ends + 2]
    out: NDArray = first_line[np.flatnonzero(~empty)[1:]]
    return out, bool(inside.any())


def _numpy_chunks(column: Any) -> list[NDArray]:
    np = importlib.import_module("numpy")
    return [np.asarray(c.to_numpy(zero_copy_only=False), dtype=np.int64) for c in column.chunks]


def _bool_chunks(column: Any) -> list[NDArray]:
    np = importlib.import_module("numpy")
    pc = importlib.import_module("pyarrow.compute")
    return [
        np.asarray(pc.fill_null(c, False).to_numpy(zero_copy_only=False)) for c in column.chunks
    ]


@attrs.frozen
class Quotes:
    """Where the quoted fields of a CSV text are: where each run of quotes starts and ends,
    and whether the text after it is inside a quoted field."""

    starts: NDArray
    ends: NDArray
    inside_after: NDArray

    def breaks_inside(self, text: NDArray) -> bool | None:
        """Whether a quoted field holds a line break; None when the quoted fields are too much
        of the text to look through them alone."""
        np = importlib.import_module("numpy")
        opens = np.flatnonzero(self.inside_after)
        if not opens.size:
            return False
        start, stop = self.ends[opens], self.starts[opens + 1]  # the text ends outside quotes
        size = stop - start
        total = int(size.sum())
        if total * 8 > len(text):
            return None
        at = np.arange(total) + np.repeat(start - np.r_[0, np.cumsum(size)[:-1]], size)
        return bool((text[at] == 10).any())

    def inside_at(self, positions: NDArray) -> NDArray:
        """Whether each position (not a quote) is inside a quoted field."""
        np = importlib.import_module("numpy")
        if not len(self.ends):
            return np.zeros(len(positions), dtype=bool)
        run = np.searchsorted(self.ends, positions, side="right") - 1
        out: NDArray = np.where(run >= 0, self.inside_after[np.maximum(run, 0)], False)
        return out


def quoted_spans(text: NDArray, delimiter: int) -> Quotes | None:
    """The quoted fields of a CSV text (bytes as uint8), or None when the csv module
    (``strict=True``, doubled quotes) would refuse one of its quotes; when it would not,
    pyarrow reads the same cells (the rules: :func:`quote_runs`)."""
    quotes, refused = quote_runs(text, delimiter)
    return None if refused else quotes


def quote_runs(text: NDArray, delimiter: int) -> tuple[Quotes, bool]:
    """The quoted fields of a CSV text (bytes as uint8) under the csv module's rules, and
    whether it would refuse one of its quotes (then the fields are those it would have read up
    to there; ``_partition`` cuts a text that ends inside a quoted field by them).

    A run of consecutive quotes at the start of a field (after a delimiter, a line break or at
    the start) opens a quoted field and toggles "inside quotes" when its length is odd; an odd
    run elsewhere ends a quoted field or is text (either way, outside afterwards); an even run
    changes nothing. A run that closes a field must be followed by a delimiter, a line break
    or the end, and the text must not end inside quotes.
    """
    np = importlib.import_module("numpy")
    at = np.flatnonzero(text == 34)
    if not at.size:
        return Quotes(at, at, np.zeros(0, dtype=bool)), False
    heads = np.r_[0, np.flatnonzero(np.diff(at) != 1) + 1]
    start = at[heads]
    size = np.diff(np.r_[heads, at.size])
    end = start + size
    before = np.where(start > 0, text[np.maximum(start - 1, 0)], 10)
    after = np.where(end < len(text), text[np.minimum(end, len(text) - 1)], 10)
    field_start = (before == delimiter) | (before == 10) | (before == 13)
    odd = size % 2 == 1
    toggle, reset = field_start & odd, ~field_start & odd
    flips = np.r_[0, np.cumsum(toggle)]  # toggles before each run
    last = np.maximum.accumulate(np.where(reset, np.arange(len(size)), -1))
    last_before = np.r_[-1, last[:-1]]
    inside = (flips[:-1] - np.where(last_before >= 0, flips[last_before + 1], 0)) % 2 == 1
    closing = (inside & odd) | (~inside & field_start & ~odd)
    ends_field = (after == delimiter) | (after == 10) | (after == 13)
    inside_after = np.where(reset, False, inside ^ toggle)
    refused = bool(np.any(closing & ~ends_field) or inside_after[-1])
    return Quotes(start, end, inside_after), refused


# --------------------------------------------------------------------------- reading the rows


@attrs.frozen
class _Mapped:
    """A column read one distinct value at a time: per row a code into ``values``, -1 for an
    empty cell, ``_BAD`` for a cell that does not read."""

    codes: NDArray
    values: list[Any]

    def objects(self) -> NDArray:
        """The values as an object array, with None at position -1."""
        return _objects([*self.values, None])


@attrs.frozen
class _Rows:
    """The rows read over columns, in file order."""

    g: NDArray  # per row its dossier (in order of first row), -1 for a row naming none
    blank: NDArray  # per row: a CSV record of blank cells, which the csv layer skips
    ids: list[str]  # per dossier its id
    at: NDArray  # per row its moment in microseconds, local wall time
    at_ok: NDArray  # per row: the time reads, as the scalar reader reads it
    kind: NDArray  # per row its kind's position in EventKind (-1, _BAD: none, does not read)
    new_due: _Mapped
    texts: dict[str, _Mapped]  # step, unit, note
    dossier: dict[str, _Mapped]  # procedure, agency, level, field, channel, difficult_area


def _objects(values: Sequence[Any]) -> NDArray:
    np = importlib.import_module("numpy")
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _read_rows(
    opened: _Opened, cells: _Cells, procedures: Mapping[str, Procedure], years: tuple[int, int]
) -> _Rows:
    """Every column read: the scalar cell functions on each distinct value, the times over
    arrays."""
    header_of = opened.cols.header_of
    n = cells.table.num_rows

    def column(name: str) -> Any:
        return cells.table.column(header_of[name]) if name in header_of else None

    def mapped(name: str, read: Callable[[Any], Any]) -> _Mapped:
        return _mapped(column(name), read, n)

    def known(value: Any, field: str) -> Any:  # the procedure, and its code known
        code = _tables._text(value, field)
        if code is not None and code not in procedures:
            raise _tables._RowError("unknown procedure", field)
        return code

    readers = dict(_tables._DOSSIER_READERS)
    readers["procedure"] = known
    g, ids = _dossier_ids(column("dossier_id"))
    at, at_ok = _moments(column("at"), years)
    return _Rows(
        g,
        _blank_records(cells, g),
        ids,
        at,
        at_ok,
        _kind_positions(mapped("kind", _tables._kind)),
        mapped("new_due", lambda v: _tables._moment(v, "new_due", years, date_ok=True)),
        {c: mapped(c, _in_column(_tables._text, c)) for c in _EVENT_TEXTS},
        {c: mapped(c, _in_column(readers[c], c)) for c in _DOSSIER_LEVEL},
    )


def _blank_records(cells: _Cells, g: NDArray) -> NDArray:
    """Per row: a CSV record whose cells are all blank (only rows naming no dossier can be)."""
    np = importlib.import_module("numpy")
    pa = importlib.import_module("pyarrow")
    blank = np.zeros(len(g), dtype=bool)
    maybe = np.flatnonzero(g < 0)
    if cells.empty_is_none and maybe.size:
        records = cells.table.take(pa.array(maybe)).to_pylist()
        blank[maybe] = [not "".join(r.values()).strip() for r in records]
    return blank


def _kind_positions(mapped: _Mapped) -> NDArray:
    np = importlib.import_module("numpy")
    table = np.array([*(_KINDS.index(k) for k in mapped.values), _BAD, -1], dtype=np.int64)
    out: NDArray = table[mapped.codes]
    return out


def _in_column(read: Callable[[Any, str], Any], column: str) -> Callable[[Any], Any]:
    """A cell reader of the scalar reader's, for the cells of one column."""
    return lambda value: read(value, column)


def _encoded(column: Any) -> tuple[NDArray, Any]:
    """Per row the index of its value among the distinct values (-1 for null), and those
    values (a pyarrow array; for a column encoded here, in order of first appearance)."""
    np = importlib.import_module("numpy")
    heads, indices, dictionary = _run_encoded(column)
    if heads is None:
        return indices, dictionary
    out: NDArray = np.repeat(indices, _run_sizes(heads, len(column)))
    return out, dictionary


def _run_encoded(column: Any) -> tuple[NDArray | None, NDArray, Any]:
    """:func:`_encoded` per run of equal neighbours, for a text column that has such runs
    (a dossier's rows): where each run starts (None: per row), its index, the values (the
    same, in the same order of first appearance). Only the first value of a run is hashed,
    and none when they are in order."""
    np = importlib.import_module("numpy")
    pa = importlib.import_module("pyarrow")
    pc = importlib.import_module("pyarrow.compute")
    if column.num_chunks == 0:
        return None, np.zeros(0, dtype=np.int64), pa.array([], type=column.type)
    dictionary = _shared_dictionary(column)
    if dictionary is not None:
        return None, _gathered(column, None), dictionary
    heads = None
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        heads = _run_heads(column)
        if heads.size * 4 > len(column) * 3:  # few repeats: not worth a copy of the heads
            heads = None
    if heads is None:
        whole = column.combine_chunks()  # dictionary chunks: their dictionaries unified
        encoded = whole if pa.types.is_dictionary(whole.type) else pc.dictionary_encode(whole)
    else:
        firsts = _taken(column, heads)
        if _all_distinct(firsts):  # each value in one run: they are the dictionary as they are
            return heads, np.arange(len(firsts), dtype=np.int64), firsts
        encoded = pc.dictionary_encode(firsts)
    indices = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)
    return heads, np.asarray(indices, dtype=np.int64), encoded.dictionary


def _taken(column: Any, rows: NDArray) -> Any:
    """Some rows (sorted) of a chunked column as one array, taken chunk by chunk (no copy of
    the whole column)."""
    np = importlib.import_module("numpy")
    pa = importlib.import_module("pyarrow")
    sizes = [len(c) for c in column.chunks]
    bounds = np.cumsum([0, *sizes])
    cuts = np.searchsorted(rows, bounds).tolist()
    pieces = [
        chunk.take(pa.array(rows[cuts[k] : cuts[k + 1]] - bounds[k]))
        for k, chunk in enumerate(column.chunks)
    ]
    return pa.concat_arrays(pieces) if pieces else pa.array([], type=column.type)


def _all_distinct(texts: Any) -> bool:
    """Whether the texts of an array are all different, when that is cheap to show: no null,
    and each text sorts after the one before (ids written in order); False: not shown."""
    pc = importlib.import_module("pyarrow.compute")
    n = len(texts)
    if texts.null_count:
        return False
    return n < 2 or pc.all(pc.less(texts.slice(0, n - 1), texts.slice(1))).as_py() is True


def _run_heads(column: Any) -> NDArray:
    """Where each run of equal, non-null neighbours of a text column starts (a run goes on
    from one chunk to the next)."""
    np = importlib.import_module("numpy")
    flags = [np.zeros(0, dtype=bool)]
    last = None  # the last row of the chunks before
    for chunk in column.chunks:
        m = len(chunk)
        if not m:
            continue
        flag = np.empty(m, dtype=bool)
        flag[0] = last is None or _differ(last, chunk.slice(0, 1))[0]
        flag[1:] = _differ(chunk.slice(0, m - 1), chunk.slice(1))
        flags.append(flag)
        last = chunk.slice(m - 1, 1)
    out: NDArray = np.flatnonzero(np.concatenate(flags))
    return out


def _differ(a: Any, b: Any) -> NDArray:
    """Per position of two arrays: their values differ, or one is null."""
    pc = importlib.import_module("pyarrow.compute")
    out: NDArray = pc.fill_null(pc.not_equal(a, b), True).to_numpy(zero_copy_only=False)
    return out


def _run_sizes(heads: NDArray, n: int) -> NDArray:
    np = importlib.import_module("numpy")
    out: NDArray = np.diff(np.r_[heads, n])
    return out


_SHARED_BYTES: Final = 1 << 20  # a larger dictionary is not compared chunk by chunk


def _shared_dictionary(column: Any) -> Any:
    """The dictionary every chunk of a dictionary column has (``combine_chunks`` keeps it as
    it is); None for another column, or one whose chunks' dictionaries it would unify."""
    pa = importlib.import_module("pyarrow")
    if not column.num_chunks or not pa.types.is_dictionary(column.type):
        return None
    dictionary = column.chunks[0].dictionary
    if column.num_chunks > 1 and dictionary.nbytes > _SHARED_BYTES:
        return None
    if not all(c.dictionary.equals(dictionary) for c in column.chunks[1:]):
        return None
    return dictionary


def _gathered(column: Any, table: NDArray | None) -> NDArray:
    """Per row of a dictionary column its index (-1 for null, as int64), or ``table`` at its
    index, written chunk by chunk into one array (no combined copy of the indices)."""
    np = importlib.import_module("numpy")
    pc = importlib.import_module("pyarrow.compute")
    out: NDArray = np.empty(len(column), dtype=np.int64 if table is None else table.dtype)
    at = 0
    for chunk in column.chunks:
        indices = chunk.indices
        if indices.null_count:
            indices = pc.fill_null(indices, -1)
        values = indices.to_numpy(zero_copy_only=False)
        out[at : at + len(values)] = values if table is None else table[values]
        at += len(values)
    return out


def _mapped(column: Any, read: Callable[[Any], Any], n: int) -> _Mapped:
    """A column read through ``read`` one distinct value at a time."""
    np = importlib.import_module("numpy")
    if column is None:
        return _Mapped(np.full(n, -1, dtype=np.int8), [])
    shared = _shared_dictionary(column)
    indices, dictionary = (None, shared) if shared is not None else _encoded(column)
    keys: dict[Any, int] = {}
    remap = np.full(len(dictionary) + 1, -1, dtype=np.int64)  # the last: a null
    for i, raw in enumerate(dictionary.to_pylist()):
        try:
            value = read(raw)
        except _tables._RowError:
            remap[i] = _BAD
            continue
        if value is not None:
            remap[i] = keys.setdefault(value, len(keys))
    remap = remap.astype(_code_type(len(keys)))
    codes = _gathered(column, remap) if indices is None else remap[indices]
    return _Mapped(codes, list(keys))


def _code_type(count: int) -> Any:
    """The narrowest integer type of the codes of ``count`` values (and -1, ``_BAD``): a
    column's codes stay in memory until the frame is built, one byte a row is plenty."""
    np = importlib.import_module("numpy")
    for kind in (np.int8, np.int16, np.int32):
        if count <= np.iinfo(kind).max:
            return kind
    return np.int64


def _dossier_ids(column: Any) -> tuple[NDArray, list[str]]:
    """Per row its dossier (numbered in order of first row; -1 where the id is missing or
    does not read), and the ids. Plain ASCII ids are taken as they are, others through
    ``_tables._text`` (trimmed, NFC). A run of rows with one id is read as one row."""
    np = importlib.import_module("numpy")
    pa = importlib.import_module("pyarrow")
    pc = importlib.import_module("pyarrow.compute")
    heads, indices, dictionary = _run_encoded(column)
    values = dictionary.to_pylist()
    plain = np.zeros(len(values), dtype=bool)
    if pa.types.is_string(dictionary.type) or pa.types.is_large_string(dictionary.type):
        same = pc.and_(
            pc.string_is_ascii(dictionary), pc.equal(pc.utf8_trim(dictionary, SPACE), dictionary)
        )
        same = pc.and_(same, pc.greater(pc.utf8_length(dictionary), 0))
        plain = np.asarray(pc.fill_null(same, False).to_numpy(zero_copy_only=False))
    if plain.all():
        g, ids = np.r_[np.arange(len(values), dtype=np.int64), -1][indices], values
    else:
        keys: dict[str, int] = {}
        remap = np.full(len(values) + 1, -1, dtype=np.int64)
        for i, raw in enumerate(values):
            try:
                text = raw if plain[i] else _tables._text(raw, "dossier_id")
            except _tables._RowError:
                continue
            if text is not None:
                remap[i] = keys.setdefault(text, len(keys))
        g, ids = remap[indices], list(keys)
    g, ids = _first_appearance(g, ids)  # per run or per row: the same numbering
    if heads is not None:
        g = np.repeat(g, _run_sizes(heads, len(column)))
    return g, ids


def _first_appearance(g: NDArray, ids: list[str]) -> tuple[NDArray, list[str]]:
    """The dossiers numbered in order of their first row (pyarrow's dictionary order already
    is; this checks it)."""
    np = importlib.import_module("numpy")
    pd = importlib.import_module("pandas")
    valid = g[g >= 0]
    if not valid.size:
        return g, ids
    if valid[0] == 0 and not np.any(valid[1:] > np.maximum.accumulate(valid)[:-1] + 1):
        return g, ids
    codes, uniques = pd.factorize(valid, sort=False)  # pragma: no cover - not seen
    out = np.full(len(g), -1, dtype=np.int64)
    out[g >= 0] = codes
    return out, [ids[int(u)] for u in uniques]


# --------------------------------------------------------------------------- times


@attrs.frozen
class _Form:
    """A written form of a moment read over arrays: a template (``d`` a digit, ``X`` a ``T``
    or a space, ``S`` a sign, any other character itself) and where its numbers are."""

    template: str
    year: slice
    month: slice
    day: slice
    second: bool = False
    fraction: int = 0  # digits of a fraction of a second after the seconds
    zone: int | None = None  # where the Z or the offset starts


def _forms() -> tuple[_Form, ...]:
    """The forms that ``datetime.fromisoformat`` (ISO) and ``_tables._DMY`` read."""
    iso = (slice(0, 4), slice(5, 7), slice(8, 10))
    out = []
    for seconds, digits in (("", 0), (":dd", 0), (":dd.ddd", 3), (":dd.dddddd", 6)):
        base = "dddd-dd-ddXdd:dd" + seconds
        for zone in ("", "Z", "Sdd:dd"):
            where = len(base) if zone else None
            out.append(_Form(base + zone, *iso, bool(seconds), digits, where))
    for seconds in ("", ":dd"):
        out.append(_Form("dd/dd/ddddXdd:dd" + seconds, slice(6, 10), slice(3, 5), slice(0, 2)))
        out[-1] = attrs.evolve(out[-1], second=bool(seconds))
    return tuple(out)


_FORMS: Final = _forms()
_LONGEST: Final = max(len(f.template) for f in _FORMS)


def _moments(column: Any, years: tuple[int, int]) -> tuple[NDArray, NDArray]:
    """Per row its moment (microseconds, local wall time) and whether it reads: text over
    arrays, a timestamp column by its type, anything else one distinct value at a time."""
    np = importlib.import_module("numpy")
    pa = importlib.import_module("pyarrow")
    kind = column.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        at, ok = _parse_chunks(column)
    elif pa.types.is_timestamp(kind):
        at, ok = _timestamps(column)
    else:
        mapped = _mapped(column, lambda v: _tables._moment(v, "at", years, date_ok=False), 0)
        table = np.array([*mapped.values, datetime(1970, 1, 1)], dtype="datetime64[us]")
        ok = mapped.codes >= 0
        return table.view(np.int64)[np.where(ok, mapped.codes, -1)], ok
    first, _ = _month_table()
    since, until = (first[min(max(y, 0), 10_000) * 12] * _DAY_US for y in (years[0], years[1] + 1))
    return at, ok & (at >= since) & (at < until)


_CHUNK_ROWS: Final = 1024  # chunks shorter than this on average are read combined


def _parse_chunks(column: Any) -> tuple[NDArray, NDArray]:
    """The moments of a text column, read chunk by chunk (no combined copy of its texts;
    many small chunks are combined: each costs a few calls)."""
    np = importlib.import_module("numpy")
    pa = importlib.import_module("pyarrow")
    if not column.num_chunks:
        return _parse_text(pa.array([], column.type))
    if column.num_chunks == 1 or len(column) < column.num_chunks * _CHUNK_ROWS:
        return _parse_text(column.combine_chunks())
    at = np.empty(len(column), dtype=np.int64)
    ok = np.empty(len(column), dtype=bool)
    start = 0
    for chunk in column.chunks:
        stop = start + len(chunk)
        at[start:stop], ok[start:stop] = _parse_text(chunk)
        start = stop
    return at, ok


def _parse_text(chunk: Any) -> tuple[NDArray, NDArray]:
    """The moments of a text array; cells that do not read as they are are read again
    trimmed."""
    np = importlib.import_module("numpy")
    pa = importlib.import_module("pyarrow")
    pc = importlib.import_module("pyarrow.compute")
    at, ok = _parse_forms(chunk)
    again = np.flatnonzero(~ok)
    if again.size:
        trimmed = pc.utf8_trim(chunk.take(pa.array(again)), SPACE)
        at2, ok2 = _parse_forms(trimmed)
        at[again], ok[again] = at2, ok2
    return at, ok


_TIME_ROWS: Final = 1 << 16  # texts read at a time: the temporaries stay in cache
_FORM_LENGTHS: Final = tuple(sorted({len(f.template) for f in _FORMS}))


def _parse_forms(chunk: Any) -> tuple[NDArray, NDArray]:
    """The moments of the cells written in one of ``_FORMS`` (others: not ok)."""
    np = importlib.import_module("numpy")
    pa = importlib.import_module("pyarrow")
    n = len(chunk)
    at = np.zeros(n, dtype=np.int64)
    ok = np.zeros(n, dtype=bool)
    buffers = chunk.buffers()
    if not n or buffers[2] is None:
        return at, ok
    width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
    offsets = np.frombuffer(buffers[1], dtype=width)[chunk.offset : chunk.offset + n + 1]
    data = np.frombuffer(buffers[2], dtype=np.uint8)
    nulls = None
    if chunk.null_count:
        nulls = np.asarray(chunk.is_null().to_numpy(zero_copy_only=False))
    for start in range(0, n, _TIME_ROWS):
        stop = min(start + _TIME_ROWS, n)
        block = offsets[start : stop + 1].astype(np.int64)
        lengths = np.diff(block)
        if nulls is not None:
            lengths[nulls[start:stop]] = -1
        _parse_block(data, block, lengths, at[start:stop], ok[start:stop])
    return at, ok


def _parse_block(
    data: NDArray, offsets: NDArray, lengths: NDArray, at: NDArray, ok: NDArray
) -> None:
    """Read a block of texts (their offsets into ``data``, their lengths, -1 for a null)
    into ``at`` and ``ok``, one length of the forms at a time."""
    np = importlib.import_module("numpy")
    m = len(lengths)
    counts = np.bincount(np.clip(lengths, 0, _LONGEST + 1), minlength=_LONGEST + 2)
    for length in _FORM_LENGTHS:
        if not counts[length]:
            continue
        if counts[length] == m:  # one length: the texts lie end to end
            rows = np.arange(m)
            chars = data[offsets[0] : offsets[0] + m * length].reshape(m, length)
        else:
            rows = np.flatnonzero(lengths == length)
            chars = data[offsets[rows, None] + np.arange(length)]
        chars = np.ascontiguousarray(chars.T)  # a row per position: fast to compare
        for form in _FORMS:
            if len(form.template) == length:
                _read_rows_in(form, chars, rows, at, ok)


def _read_rows_in(form: _Form, chars: NDArray, rows: NDArray, at: NDArray, ok: NDArray) -> None:
    """Read the texts of ``chars`` that have the form's telling character (``-`` or ``/``)
    in its place, into ``at`` and ``ok`` at their ``rows``."""
    np = importlib.import_module("numpy")
    where = 4 if form.template[4] == "-" else 2
    mine = chars[where] == ord(form.template[where])
    if not mine.any():
        return
    if not mine.all():
        chars, rows = chars[:, mine], rows[mine]
    found, moment = _read_form(form, chars)
    if len(rows) == len(at):  # every text: no gathering
        np.copyto(at, moment, where=found)
        ok |= found
    else:
        at[rows[found]] = moment[found]
        ok[rows[found]] = True


def _read_form(form: _Form, chars: NDArray) -> tuple[NDArray, NDArray]:
    """Which texts of ``chars`` (a row per position, a column per text, all of the form's
    length) are a real moment written in the form, and the moments (microseconds, local wall
    time)."""
    np = importlib.import_module("numpy")
    t = form.template
    digits = [i for i, c in enumerate(t) if c == "d"]
    ok = ((chars[digits] - 48) < 10).all(axis=0)  # uint8: below '0' wraps round
    for i, c in enumerate(t):
        if c == "X":
            ok &= (chars[i] == 84) | (chars[i] == 32)
        elif c == "S":
            ok &= (chars[i] == 43) | (chars[i] == 45)
        elif c != "d":
            ok &= chars[i] == ord(c)

    def number(start: int, stop: int) -> NDArray:
        out: NDArray = chars[start].astype(np.int64) - 48
        for i in range(start + 1, stop):
            out = out * 10 + (chars[i] - 48)
        return out

    y, m, d = (number(s.start, s.stop) for s in (form.year, form.month, form.day))
    hh, mm = number(11, 13), number(14, 16)
    ss = number(17, 19) if form.second else 0
    month = np.clip(y, 0, 9999) * 12 + np.clip(m, 1, 12) - 1  # months since 0000-01
    starts, lengths = _month_table()
    ok &= (y >= 1) & (m >= 1) & (m <= 12) & (d >= 1) & (d <= lengths[month])
    ok &= (hh <= 23) & (mm <= 59) & (ss <= 59)
    at = ((starts[month] + d - 1) * 86_400 + hh * 3_600 + mm * 60 + ss) * _US
    if form.fraction:
        at += number(20, 20 + form.fraction) * 10 ** (6 - form.fraction)
    if form.zone is not None:
        z = form.zone
        if t[z] == "S":
            oh, om = number(z + 1, z + 3), number(z + 4, z + 6)
            ok &= (oh <= 23) & (om <= 59)
            sign = np.where(chars[z] == 45, -1, 1)
            at -= sign * (oh * 3_600 + om * 60) * _US
        at += _VN_OFFSET_US
        ok &= at >= _STEADY_FROM_US
    return ok, at


_MONTHS: dict[str, tuple[NDArray, NDArray]] = {}  # the month table, built once


def _month_table() -> tuple[NDArray, NDArray]:
    """Per month since 0000-01 (to 10000-01), the days from 1970-01-01 to its first day; and
    per month to 9999-12 its number of days (proleptic Gregorian). Read-only, built once (it
    is read per block of texts)."""
    if "table" not in _MONTHS:
        first, lengths = _month_arrays()
        first.flags.writeable = lengths.flags.writeable = False
        _MONTHS["table"] = first, lengths
    return _MONTHS["table"]


def _month_arrays() -> tuple[NDArray, NDArray]:
    np = importlib.import_module("numpy")
    months = np.arange(10_000 * 12 + 1, dtype=np.int64)
    y, m = months // 12, months % 12 + 1
    y = y - (m <= 2)  # H. Hinnant's days_from_civil, for the first day of each month
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m + np.where(m > 2, -3, 9)) + 2) // 5
    first = era * 146_097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719_468
    return first, np.diff(first)


def _timestamps(column: Any) -> tuple[NDArray, NDArray]:
    """A timestamp column's moments: naive ones as they are, aware ones as local wall time."""
    np = importlib.import_module("numpy")
    pa = importlib.import_module("pyarrow")
    pc = importlib.import_module("pyarrow.compute")
    kind = column.type
    us = pc.cast(pc.cast(column, pa.timestamp("us", kind.tz)), pa.int64())
    ok = np.concatenate([np.zeros(0, bool), *_bool_chunks(pc.is_valid(us))])
    at = np.concatenate([np.zeros(0, np.int64), *_numpy_chunks(pc.fill_null(us, 0))])
    if kind.tz is not None:
        at = at + _VN_OFFSET_US
        ok &= at >= _STEADY_FROM_US
    return at, ok


# --------------------------------------------------------------------------- judging


@attrs.frozen
class _Judged:
    """The valid rows grouped by dossier, in event order, and which dossiers are clean."""

    order: NDArray  # positions of the rows naming a dossier: by dossier, then in event order
    identity: bool  # ``order`` is every row, in file order
    starts: NDArray  # per dossier, where its rows start in ``order``
    clean: NDArray  # per dossier: nothing for the scalar reader to say
    value: dict[str, NDArray]  # per dossier-level column, per dossier its value's code


def _row_ok(rows: _Rows) -> NDArray:
    """Per row: it names a dossier and every cell reads, and it makes a valid Event."""
    kind = rows.kind
    ok = (rows.g >= 0) & rows.at_ok & (kind >= 0) & (rows.new_due.codes != _BAD)
    for mapped in (*rows.texts.values(), *rows.dossier.values()):
        ok &= mapped.codes != _BAD
    no_step = rows.texts["step"].codes < 0
    for step_kind in _STEP_KINDS:  # a step's start or finish names its step
        ok &= ~((kind == step_kind) & no_step)
    rescheduled, has_due = kind == _RESCHEDULED, rows.new_due.codes >= 0
    out: NDArray = ok & (rescheduled == has_due)
    return out


def _order(g: NDArray, at: NDArray) -> tuple[NDArray, bool]:
    """The rows naming a dossier, by dossier, each dossier's stably sorted by time; and
    whether that is every row in file order (a file written dossier by dossier, in time)."""
    np = importlib.import_module("numpy")
    if np.any(g < 0):
        valid = np.flatnonzero(g >= 0)
        gv, av = g[valid], at[valid]
    else:
        valid, gv, av = np.arange(len(g)), g, at
    order = None
    if np.any(gv[1:] < gv[:-1]):
        order = np.argsort(gv, kind="stable")
    go, ao = (gv, av) if order is None else (gv[order], av[order])
    if np.any((go[1:] == go[:-1]) & (ao[1:] < ao[:-1])):
        order = np.lexsort((av, gv))  # stable: equal times keep the file's order
    if order is None:
        return valid, len(valid) == len(g)
    out: NDArray = valid[order]
    return out, False


def _judge(rows: _Rows) -> _Judged:
    """The rows grouped and ordered, and per dossier whether it is plainly clean: every row
    reads, one value per dossier-level column, a procedure, no event twice."""
    np = importlib.import_module("numpy")
    order, identity = _order(rows.g, rows.at)

    def ordered(values: NDArray) -> NDArray:
        return values if identity else values[order]

    grouped = ordered(rows.g)
    starts = np.flatnonzero(np.r_[True, grouped[1:] != grouped[:-1]]) if len(order) else order
    if not len(order):
        empty = np.zeros(0, bool)
        return _Judged(order, identity, starts, empty, dict.fromkeys(_DOSSIER_LEVEL, starts))
    clean = np.ones(len(starts), dtype=bool)
    bad = rows.g[np.flatnonzero(~_row_ok(rows))]  # a dossier's number is its position
    clean[bad[bad >= 0]] = False
    value: dict[str, NDArray] = {}
    same = grouped[1:] == grouped[:-1]  # row i and i + 1: one dossier
    top = np.iinfo(np.int64).max
    for name, mapped in rows.dossier.items():
        codes = ordered(mapped.codes)
        if not np.any(same & (codes[1:] != codes[:-1])):  # the common case: one code a dossier
            value[name] = codes[starts]
            continue
        codes = codes.astype(np.int64, copy=False)
        high = np.maximum.reduceat(codes, starts)
        low = np.minimum.reduceat(np.where(codes >= 0, codes, top), starts)
        clean &= (high < 0) | (low == high)  # one value per dossier
        value[name] = high
    clean &= value["procedure"] >= 0
    repeated = _repeated(rows, order, grouped, ordered(rows.at))
    if repeated.size:
        clean[repeated] = False
    return _Judged(order, identity, starts, clean, value)


def _repeated(rows: _Rows, order: NDArray, grouped: NDArray, at: NDArray) -> NDArray:
    """The dossiers with the same event twice (equal in every field, at the same time): two
    events at one time are compared side by side, three or more all with all."""
    np = importlib.import_module("numpy")
    pd = importlib.import_module("pandas")
    same = (grouped[1:] == grouped[:-1]) & (at[1:] == at[:-1])  # row i and i + 1
    pairs = np.flatnonzero(same)
    if not pairs.size:
        return pairs
    keys = [rows.kind, rows.new_due.codes, *(m.codes for m in rows.texts.values())]
    a, b = order[pairs], order[pairs + 1]
    equal = np.ones(len(pairs), dtype=bool)
    for key in keys:
        equal &= key[a] == key[b]
    found = [grouped[pairs[equal]]]
    longer = np.flatnonzero(same[1:] & same[:-1])  # rows i, i + 1 and i + 2 at one time
    if longer.size:
        run = np.cumsum(np.r_[True, ~same]) - 1  # per row, its run of rows at one time
        pos = np.flatnonzero(np.isin(run, run[longer]))
        table = pd.DataFrame(
            {"run": run[pos], **{str(i): k[order[pos]] for i, k in enumerate(keys)}}
        )
        found.append(grouped[pos[table.duplicated(keep=False).to_numpy()]])
    out: NDArray = np.unique(np.concatenate(found))  # a dossier's number is its position
    return out


# --------------------------------------------------------------------------- the frame


def _columnar(
    opened: _Opened,
    cells: _Cells,
    rows: _Rows,
    procedures: Mapping[str, Procedure],
    years: tuple[int, int],
    skip_bad: bool,
) -> FrameTable:
    """The clean dossiers from the arrays, the others through the scalar reader's code."""
    np = importlib.import_module("numpy")
    judged = _judge(rows)
    sizes = np.diff(np.r_[judged.starts, len(judged.order)])
    row_clean = np.repeat(judged.clean, sizes)
    routed = np.sort(np.r_[judged.order[~row_clean], np.flatnonzero((rows.g < 0) & ~rows.blank)])
    dossiers, lines, aside = _scalar(opened, cells, routed, procedures, years, skip_bad)
    everything = judged.identity and bool(judged.clean.all())
    keep = slice(None) if everything else judged.order[row_clean]  # a slice: no copies
    parts = _clean_parts(rows, judged, keep, cells.lines)
    if dossiers:
        parts = _merge(parts, _dossier_parts(dossiers, lines))
    events, frame_lines = _frame(parts)
    raw = opened.raw
    return FrameTable(
        raw.name,
        raw.format,
        events,
        frame_lines,
        tuple(aside),
        cells.table.num_rows - int(rows.blank.sum()),
        int(judged.clean.sum()) + len(dossiers),
        tuple(opened.cols.ignored),
        int(routed.size),
    )


def _scalar(
    opened: _Opened,
    cells: _Cells,
    routed: NDArray,
    procedures: Mapping[str, Procedure],
    years: tuple[int, int],
    skip_bad: bool,
) -> tuple[list[Dossier], dict[str, tuple[int, ...]], list[SetAside]]:
    """The routed rows (file order) read by ``_tables.accumulate`` and ``assemble``."""
    pa = importlib.import_module("pyarrow")
    if not routed.size:
        return [], {}, []
    records = cells.table.take(pa.array(routed)).to_pylist()
    if cells.empty_is_none:
        records = [{k: None if v == "" else v for k, v in r.items()} for r in records]
    raw = opened.raw
    numbered: Iterator[tuple[int, dict[str, Any]]] = zip(
        cells.lines[routed].tolist(), records, strict=True
    )
    table = _formats.RawTable(
        raw.name, raw.format, raw.header, raw.delimiter, raw.encoding, numbered
    )
    read = _tables.accumulate(table, opened.cols, procedures, years, skip_bad=skip_bad)
    return _tables.assemble(raw.name, read, procedures, skip_bad=skip_bad)


def _clean_parts(rows: _Rows, judged: _Judged, keep: NDArray, lines: NDArray) -> dict[str, NDArray]:
    """The frame's columns for the clean dossiers' rows (``keep``, in frame order)."""
    np = importlib.import_module("numpy")
    first_line = lines if judged.identity else lines[judged.order]
    if len(first_line):
        first_line = np.minimum.reduceat(first_line, judged.starts)
    # Each frame row's dossier (a dossier's number is its position): its values are taken
    # per row from the per-dossier arrays, rather than repeated over each dossier's rows.
    dossier = rows.g[keep]

    def per_dossier(values: NDArray) -> NDArray:
        out: NDArray = values.take(dossier)
        return out

    parts: dict[str, NDArray] = {
        "dossier_id": per_dossier(_objects(rows.ids)),
        "at": rows.at[keep],
        "kind": _coded(rows.kind[keep], [k.value for k in _KINDS]),
        "new_due": _due_parts(rows.new_due, keep),
        "line": lines[keep],
        "first": per_dossier(first_line),
    }
    for name in _EVENT_TEXTS:
        parts[name] = _coded(rows.texts[name].codes[keep], rows.texts[name].values)
    for name in _DOSSIER_LEVEL:
        # (the rows' own value codes first: those of dossiers set aside may be _BAD)
        codes = judged.value[name].take(dossier)
        values = rows.dossier[name].values
        if name == "difficult_area":
            flags = np.array([*(bool(v) for v in values), False], dtype=bool)
            parts[name] = flags.take(codes)
            continue
        if name == "channel":
            values = [None if v is None else v.value for v in values]
        parts[name] = _coded(codes, values)
    return parts


def _coded(codes: NDArray, values: Sequence[Any]) -> Any:
    """A text column as a pandas Categorical: per row a code into ``values`` (-1, or a value
    None: missing), each distinct value once rather than an object per row."""
    np = importlib.import_module("numpy")
    pd = importlib.import_module("pandas")
    if len(codes) and int(codes.min()) < -1:
        raise AssertionError("a code of a cell that does not read, in a clean dossier")
    seen: dict[Any, int] = {}
    remap = [-1 if v is None else seen.setdefault(v, len(seen)) for v in values]
    table = np.array([*remap, -1], dtype=np.int32)  # values read the same share a code
    dtype = pd.CategoricalDtype(pd.Index(list(seen), dtype=object))
    return pd.Categorical.from_codes(table[codes], dtype=dtype)


def _plain(column: Any) -> NDArray:
    """A column of parts as objects (None where missing)."""
    np = importlib.import_module("numpy")
    pd = importlib.import_module("pandas")
    if not isinstance(column, pd.Categorical):
        return column
    values = np.array([*column.categories.tolist(), None], dtype=object)
    out: NDArray = values[column.codes]
    return out


def _due_parts(mapped: _Mapped, keep: NDArray) -> NDArray:
    """New appointments: microseconds (NaT for none) or, when one is a date alone, objects."""
    np = importlib.import_module("numpy")
    if any(type(v) is date for v in mapped.values):
        out: NDArray = mapped.objects()[mapped.codes[keep]]
        return out
    table: NDArray = np.array([*mapped.values, None], dtype="datetime64[us]").view(np.int64)
    return table[mapped.codes[keep]]


def _dossier_parts(
    dossiers: Sequence[Dossier], lines: Mapping[str, tuple[int, ...]]
) -> dict[str, NDArray]:
    """The frame's columns for dossiers built by the scalar reader."""
    np = importlib.import_module("numpy")
    cols: dict[str, list[Any]] = {c: [] for c in (*FRAME_COLUMNS, "line", "first")}
    for d in dossiers:
        own = lines[d.id]
        channel = None if d.channel is None else d.channel.value
        for e, line in zip(d.events, own, strict=True):
            values = (
                d.id, d.procedure.code, e.at, e.kind.value, e.step, e.unit, e.new_due, e.note,
                d.agency, d.level, d.field, channel, d.difficult_area, line, min(own),
            )  # fmt: skip
            for c, v in zip(cols, values, strict=True):
                cols[c].append(v)
    parts = {c: _objects(v) for c, v in cols.items()}
    parts["at"] = np.array(cols["at"], dtype="datetime64[us]").view(np.int64)
    parts["difficult_area"] = np.array(cols["difficult_area"], dtype=bool)
    parts["line"] = np.array(cols["line"], dtype=np.int64)
    parts["first"] = np.array(cols["first"], dtype=np.int64)
    return parts


def _merge(a: dict[str, NDArray], b: dict[str, NDArray]) -> dict[str, NDArray]:
    """Two sets of frame columns as one, the dossiers in order of their first line."""
    np = importlib.import_module("numpy")
    if a["new_due"].dtype != b["new_due"].dtype:  # moments as microseconds, and objects
        a, b = ({**p, "new_due": _due_objects(p["new_due"])} for p in (a, b))
    both = {c: np.concatenate([_plain(a[c]), _plain(b[c])]) for c in a}
    order = np.argsort(both["first"], kind="stable")
    return {c: v[order] for c, v in both.items()}  # (_frame codes the texts again)


def _frame(parts: dict[str, NDArray]) -> tuple[Any, NDArray]:
    """The events DataFrame and the lines of its rows."""
    np = importlib.import_module("numpy")
    pd = importlib.import_module("pandas")
    data: dict[str, Any] = {}
    for c in FRAME_COLUMNS:
        v = parts[c]
        if c in _CODED and not isinstance(v, pd.Categorical):  # the scalar reader's values
            codes, uniques = pd.factorize(v, use_na_sentinel=True)
            v = _coded(codes, uniques.tolist())
        data[c] = pd.Series(v, dtype=object, copy=False) if v.dtype == object else v
    data["at"] = np.asarray(parts["at"], dtype=np.int64).view("datetime64[us]")
    due = parts["new_due"]
    data["new_due"] = due.view("datetime64[us]") if due.dtype == np.int64 else _new_due_column(due)
    data["difficult_area"] = np.asarray(parts["difficult_area"], dtype=bool)
    frame = pd.DataFrame(data, columns=list(FRAME_COLUMNS), copy=False)  # no block copies
    return frame, np.asarray(parts["line"], np.int64)


def _due_objects(values: NDArray) -> NDArray:
    """New appointments as Python values (datetime, date or None)."""
    np = importlib.import_module("numpy")
    if values.dtype != np.int64:
        return values
    out: NDArray = values.view("datetime64[us]").astype(object)  # NaT: None
    return out


def _new_due_column(values: NDArray) -> Any:
    """New appointments as datetime64[us]; as objects when one is a date alone (the close of
    that working day, which a timestamp would turn into midnight)."""
    np = importlib.import_module("numpy")
    pd = importlib.import_module("pandas")
    present = np.flatnonzero(~pd.isna(values))
    found = values[present].tolist()
    if any(type(v) is date for v in found):
        return pd.Series(values, dtype=object, copy=False)
    out = np.full(len(values), np.iinfo(np.int64).min, dtype=np.int64)
    if found:
        out[present] = np.array(found, dtype="datetime64[us]").view(np.int64)
    return out.view("datetime64[us]")


def _from_dossier_table(table: DossierTable, why: str) -> FrameTable:
    """The frame of what ``read_dossiers`` read, for a file read whole by it."""
    np = importlib.import_module("numpy")
    parts = _dossier_parts(table.dossiers, table.lines)
    if not len(parts["first"]):
        parts["at"] = np.zeros(0, dtype=np.int64)
    events, lines = _frame(parts)
    return FrameTable(
        table.source,
        table.format,
        events,
        lines,
        table.set_aside,
        table.rows_read,
        len(table.dossiers),
        table.ignored_columns,
        table.rows_read,
        why,
    )
