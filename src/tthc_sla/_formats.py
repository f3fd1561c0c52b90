"""Opening an input table file (CSV, JSON Lines, Excel .xlsx, Parquet) and yielding its raw records.

This module knows file formats and nothing else: it finds the format, the text encoding and
the CSV delimiter, reads the header and yields each record as ``(line, {header: value})``.
It does not interpret columns (no header aliases, no dates): ``_tables`` does that on top.

Every defect of the file format is turned into a :class:`~tthc_sla.errors.TableError` naming
the file and the line (0 = the file as a whole); nothing is dropped or changed silently.
Problems that concern a single record and that the layer above decides about are not
raised but marked in the record itself:

* :data:`CELL_COUNT`: a CSV record whose number of cells differs from the header's, or an Excel
  row with a value to the right of the header's last column; its value is the number of cells
  found (missing cells are None; cells beyond the header are not in the record).
* :data:`BROKEN`: a JSON Lines line that is not a JSON object; its value says why.

Line numbers, per format:

* CSV: the physical line where the record starts (the header is line 1 when it is the first
  line; blank lines, and the lines inside a quoted field that holds line breaks, count).
* JSON Lines: the line.
* Excel: the sheet's row number.
* Parquet: the record's index + 2, so that the first record is "line 2" as in a CSV file whose
  header is line 1.

The optional libraries (openpyxl for .xlsx, pyarrow for Parquet) are imported only when such
a file is read.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import importlib
import io
import itertools
import json
import os
import re
import warnings
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import IO, Any, Final

import attrs

from tthc_sla.errors import TableError

__all__ = [
    "BROKEN",
    "CELL_COUNT",
    "FIELD_LIMIT",
    "FORMATS",
    "MAX_RECORD_LINES",
    "RawTable",
    "open_table",
]

FIELD_LIMIT: Final = 16 * 1024 * 1024
"""The longest field read, in characters (CSV)."""

MAX_RECORD_LINES: Final = 1000
"""The most physical lines one CSV record may span (a longer one is a misplaced quote)."""

FORMATS: Final = ("csv", "jsonl", "xlsx", "parquet")
"""The formats read, as named by ``format=``."""

CELL_COUNT: Final = "\x00cells"
"""Key added to a record whose number of cells differs from the header's: the cells found."""

BROKEN: Final = "\x00broken"
"""Key of the only item of a JSON Lines record that could not be read: what is wrong."""

_SUFFIXES: Final = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".parquet": "parquet",
    ".pq": "parquet",
}
_ACCEPTED: Final = (
    ".csv, .tsv, .txt (CSV), .jsonl, .ndjson, .json (JSON Lines), "
    ".xlsx, .xlsm (Excel) or .parquet, .pq (Parquet)"
)
_LABEL: Final = {"csv": "CSV", "jsonl": "JSON Lines", "xlsx": "Excel .xlsx", "parquet": "Parquet"}
_XLS: Final = "the old binary Excel format (.xls) is not read: save the sheet as .xlsx or CSV"
_DELIMITER_WORDS: Final = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";"}
_HEAD: Final = 64 * 1024  # bytes read up front, for the byte-order mark and sniffing
_CHUNK: Final = 1024 * 1024  # bytes (or characters, for a text stream) read at a time
_BATCH: Final = 65536  # Parquet records per batch
_LOOK_AHEAD: Final = 1000  # JSON Lines lines read for the header before giving up
_ZIP: Final = b"PK\x03\x04"
_PARQUET: Final = b"PAR1"
_OLE: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old .xls (and .doc) container
_BOMS: Final = (  # UTF-32 first: its little-endian mark starts with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)
_EMPTY_TO_NONE: Final[dict[str, None]] = {"": None}
_NOT_SNIFFED: Final = str.maketrans("", "", ",;\t")
_OTHER_BREAKS: Final = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"  # str.splitlines breaks there too
_ENCODING_HINT: Final = (
    "if it was saved in another encoding, name it: --encoding cp1258 on the command line, "
    "encoding='cp1258' in Python"
)


@attrs.frozen
class RawTable:
    """An open input table: what was found about the file, and its records.

    Attributes:
        name: the path as given (``str(path)``), or the open file's name (``<stream>`` if none).
        format: one of :data:`FORMATS`.
        header: the column names as written (CSV: the header row, without a byte-order mark;
            Excel: the header row, trailing empty cells dropped; Parquet: the schema's names;
            JSON Lines: the keys of the first object, in order, or ``()`` if there is none).
        delimiter: the CSV delimiter used (None for the other formats).
        encoding: the text encoding used for CSV and JSON Lines (``"utf-8"``, ``"utf-8-sig"``,
            ``"utf-16"``, ``"utf-32"`` or the one named; a text stream's own ``encoding``).
        rows: ``(line, {header as written: value})`` per record, in file order; read lazily,
            and only inside the ``with open_table(...)`` block.
    """

    name: str
    format: str
    header: tuple[str, ...]
    delimiter: str | None
    encoding: str | None
    rows: Iterator[tuple[int, dict[str, Any]]]


@contextlib.contextmanager
def open_table(
    source: str | os.PathLike[str] | IO[Any],
    *,
    format: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
) -> Iterator[RawTable]:
    """Open an input table and yield its header and (lazily) its records.

    Values: CSV, a ``str`` as written (nothing stripped) or None for an empty cell; JSON Lines,
    the values as parsed (a nested list or object is passed on as is); Excel, openpyxl's cell
    values (``str``, ``int``, ``float``, ``bool``, ``datetime``, ``date``, ``time``, ...; None
    for an empty cell); Parquet, pyarrow's values (a timestamp becomes a ``datetime``, aware if
    the column has a time zone). CSV, Excel and Parquet records have a key per header column;
    a JSON Lines record has the keys its object has. Blank records (CSV: only empty or blank
    cells; JSON Lines: a blank line; Excel: a row of empty cells) are skipped.

    Line numbers: CSV, the physical line where the record starts; JSON Lines, the line; Excel,
    the sheet's row; Parquet, the record's index + 2 (the first record is "line 2", as in a CSV
    file whose header is line 1).

    Args:
        source: a path, or an open file: binary (the format is then sniffed from its first
            bytes unless its name tells it) or text (CSV or JSON Lines).
        format: one of :data:`FORMATS`; by default from the suffix (``.csv .tsv .txt``,
            ``.jsonl .ndjson .json``, ``.xlsx .xlsm``, ``.parquet .pq``).
        encoding: the text encoding of a CSV or JSON Lines file; by default a byte-order mark
            (UTF-8, UTF-16, UTF-32) decides, else the file must be UTF-8. Not for a text stream.
        delimiter: the CSV delimiter: one character, or ``tab``, ``\\t``, ``comma``,
            ``semicolon``; by default the most frequent of ``,`` ``;`` and tab outside quotes
            in the first non-blank line (``,`` if none).
        sheet: the Excel sheet's name; by default the first sheet.

    An option that does not apply to the format (``sheet`` for a CSV file, ...) is ignored.

    Refused as well (TableError, at the line): a NUL character in CSV or JSON Lines text; a
    CSV field over :data:`FIELD_LIMIT` characters; a CSV record that spans more than
    :data:`MAX_RECORD_LINES` lines (a quote closed only by a stray quote far below); a Parquet
    time with nanoseconds, which Python's ``datetime`` cannot hold (nanosecond columns whose
    values are whole microseconds are read as usual).

    Yields:
        The table; its ``rows`` are read while the ``with`` block runs, and the file is closed
        when it ends (an open file passed in is left open).

    Raises:
        TableError: the format, the encoding, the header or the CSV structure is at fault.
        OSError: the file cannot be opened (it does not exist, ...).
    """
    with contextlib.ExitStack() as stack:
        state = _State()
        stack.callback(state.close)
        yield _open(stack, state, source, format, encoding, delimiter, sheet)


class _State:
    """Whether the ``with`` block that owns the rows has ended."""

    __slots__ = ("closed",)

    def __init__(self) -> None:
        self.closed = False

    def close(self) -> None:
        self.closed = True

    def check(self) -> None:
        if self.closed:
            raise ValueError(
                "the rows of a table are read only inside its `with open_table(...)` block"
            )


def _open(
    stack: contextlib.ExitStack,
    state: _State,
    source: str | os.PathLike[str] | IO[Any],
    format: str | None,
    encoding: str | None,
    delimiter: str | None,
    sheet: str | None,
) -> RawTable:
    """Find the format and open the table (the body of :func:`open_table`)."""
    if isinstance(source, str | os.PathLike):
        name = os.fspath(source)
        fmt = _format_of(name, format, by_name_only=True)
        assert fmt is not None
        f: IO[bytes] = stack.enter_context(open(name, "rb"))  # noqa: SIM115 - closed by the stack
        return _open_binary(stack, state, f, name, fmt, encoding, delimiter, sheet)
    raw_name = getattr(source, "name", None)
    name = raw_name if isinstance(raw_name, str) and raw_name else "<stream>"
    fmt = _format_of(name, format, by_name_only=False)
    if _is_text(source):
        if encoding is not None:
            raise TableError(
                name,
                0,
                f"encoding '{encoding}' named for an open text stream, which is "
                "already decoded: name no encoding, or pass the file in binary mode",
            )
        if fmt in ("xlsx", "parquet"):
            raise TableError(
                name,
                0,
                f"a {_LABEL[fmt]} file cannot be read from a text stream: open it in binary mode",
            )
        return _open_text_stream(state, source, name, fmt, delimiter)
    return _open_binary(stack, state, source, name, fmt, encoding, delimiter, sheet)


def _format_of(name: str, format: str | None, *, by_name_only: bool) -> str | None:
    """The format named, else the one the name's suffix tells (None: sniff it, for a stream)."""
    if format is not None:
        fmt = format.lower().lstrip(".")
        if fmt not in FORMATS:
            raise TableError(
                name, 0, f"unknown format '{format}': expected one of {', '.join(FORMATS)}"
            )
        return fmt
    suffix = os.path.splitext(name)[1].lower()
    if suffix == ".xls":
        raise TableError(name, 0, _XLS)
    if suffix in _SUFFIXES:
        return _SUFFIXES[suffix]
    if not by_name_only:
        return None
    shown = f"the suffix '{suffix}'" if suffix else "a name without a suffix"
    raise TableError(name, 0, f"cannot tell the format from {shown}: expected {_ACCEPTED}")


def text_table(name: str) -> bool:
    """Whether a file's name says it holds a text table (CSV or JSON Lines)."""
    return _SUFFIXES.get(os.path.splitext(name)[1].lower()) in ("csv", "jsonl")


def _is_text(source: IO[Any]) -> bool:
    """Whether an open file yields ``str`` (rather than ``bytes``)."""
    if isinstance(source, io.TextIOBase):
        return True
    if isinstance(source, io.RawIOBase | io.BufferedIOBase):
        return False
    return isinstance(source.read(0), str)


def _read_head(read: Callable[[int], bytes]) -> bytes:
    """Up to :data:`_HEAD` bytes from the start (a raw stream may return less per read)."""
    parts: list[bytes] = []
    size = 0
    want = max(_HEAD, 4)  # a byte-order mark takes up to 4 bytes
    while size < want:
        part = read(want - size)
        if not part:
            break
        parts.append(part)
        size += len(part)
    return b"".join(parts)


def _bom(head: bytes) -> tuple[str, str, str] | None:
    """(codec, encoding reported, label) for a byte-order mark at the start, if there is one."""
    for mark, codec, label in _BOMS:
        if head.startswith(mark):
            reported = codec
            if codec == "utf-8-sig":  # the mark is dropped from the text, which is plain UTF-8
                codec = "utf-8"
            return codec, reported, label
    return None


def _is_parquet(head: bytes) -> bool:
    """Whether the bytes start a Parquet file: its mark, then binary data (not a CSV's text)."""
    return head.startswith(_PARQUET) and len(head) > 4 and not chr(head[4]).isprintable()


def _sniff_format(head: bytes, name: str) -> str:
    """The format of a binary stream whose name does not tell it, from its first bytes."""
    if head.startswith(_ZIP):
        return "xlsx"
    if _is_parquet(head):
        return "parquet"
    if head.startswith(_OLE):
        raise TableError(name, 0, _XLS)
    bom = _bom(head)
    text = head.decode(bom[0] if bom else "utf-8", errors="replace").lstrip("\ufeff").lstrip()
    return "jsonl" if text.startswith("{") else "csv"


def _open_binary(
    stack: contextlib.ExitStack,
    state: _State,
    f: IO[bytes],
    name: str,
    fmt: str | None,
    encoding: str | None,
    delimiter: str | None,
    sheet: str | None,
) -> RawTable:
    """Open a table from a binary file (a path opened here, or a stream passed in)."""
    seekable = _seekable(f)
    start = f.tell() if seekable else 0
    head = _read_head(f.read)
    if fmt is None:
        fmt = _sniff_format(head, name)
    if fmt in ("xlsx", "parquet"):
        if seekable:
            f.seek(start)
        else:  # the libraries need to seek: hold the stream in memory
            f = io.BytesIO(head + f.read())
        if fmt == "xlsx":
            return _open_xlsx(stack, state, f, name, head, sheet)
        return _open_parquet(state, f, name, head)
    _refuse_binary_container(head, name, fmt)
    if encoding is not None:
        codec = _codec(encoding, name)
        reported, label = encoding, None
    else:
        bom = _bom(head)
        codec, reported, label = bom if bom else ("utf-8", "utf-8", "UTF-8")
        if bom and bom[1] == "utf-8-sig":
            head = head[len(codecs.BOM_UTF8) :]
    chunks = _decode(f.read, head, codec, state, encoding, label)
    if fmt == "csv":
        return _open_csv(name, chunks, delimiter, reported)
    return _open_jsonl(name, chunks, reported)


def _seekable(f: IO[Any]) -> bool:
    try:
        return bool(f.seekable())
    except (AttributeError, ValueError, OSError):
        return False


def _refuse_binary_container(head: bytes, name: str, fmt: str) -> None:
    """Refuse a workbook or a Parquet file given as CSV or JSON Lines, with what it is."""
    if head.startswith(_ZIP):
        what = "a zip archive (such as an Excel .xlsx workbook)"
        fix = "give it the .xlsx suffix if it is a workbook"
    elif _is_parquet(head):
        what, fix = "a Parquet file", "give it the .parquet suffix"
    elif head.startswith(_OLE):
        raise TableError(name, 0, _XLS)
    else:
        return
    raise TableError(name, 0, f"this is {what}, not a {_LABEL[fmt]} text file: {fix}")


def _codec(encoding: str, name: str) -> str:
    """The codec of an encoding named by the user, checked to be a known text encoding."""
    try:
        info = codecs.lookup(encoding)
    except LookupError:
        raise TableError(name, 0, f"unknown encoding '{encoding}' (--encoding)") from None
    if not getattr(info, "_is_text_encoding", True):
        raise TableError(name, 0, f"'{encoding}' is not a text encoding (--encoding)")
    return info.name


# --- text: decoding and lines ---------------------------------------------------------------


class _TextProblem(Exception):  # noqa: N818 - not an error of its own: a TableError's problem
    """The text cannot be read on: raised by a text source after the text before the fault.

    The source does not know the line it is on; :func:`_line_batches`, which has counted the
    lines, turns it into a :class:`TableError`.
    """

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


def _decode(
    read: Callable[[int], bytes],
    head: bytes,
    codec: str,
    state: _State,
    named: str | None,
    label: str | None,
) -> Iterator[str]:
    """The text of a binary file, decoded chunk by chunk (strictly), without a leading BOM.

    Args:
        read: reads the bytes after ``head``.
        head: the first bytes (a UTF-8 byte-order mark already removed).
        codec: the codec.
        state: whether the ``with`` block has ended.
        named: the encoding named by the user (None: found from the byte-order mark, or UTF-8).
        label: the encoding's name for messages, when it was not named.

    Raises:
        _TextProblem: bytes that cannot be decoded, or a NUL character (after the text before).
    """
    decoder = codecs.getincrementaldecoder(codec)("strict")
    guessed = named is None and label == "UTF-8"
    data = head
    first = True
    while True:
        final = not data
        before = decoder.getstate()
        problem = None
        try:
            text = decoder.decode(data, final)
        except UnicodeDecodeError as exc:  # the text before the bad bytes is read, then refused
            text = _decoded_before(exc, before, data, codec)
            problem = _decode_problem(exc, named, label)
        if text:
            if first:
                first = False
                if text.startswith("\ufeff"):
                    text = text[1:]
            at = text.find("\x00")
            if at >= 0:
                text, problem = text[:at], _nul_problem(guessed)
            if text:
                yield text
        if problem is not None:
            raise _TextProblem(problem)
        if final:
            return
        state.check()
        data = read(_CHUNK)


def _decoded_before(
    exc: UnicodeDecodeError, before: tuple[bytes, int], data: bytes, codec: str
) -> str:
    """The text of a chunk up to the bytes that cannot be decoded.

    Args:
        exc: the decoding error.
        before: the decoder's state before the chunk (its pending bytes, its flag).
        data: the chunk.
        codec: the codec.
    """
    full = before[0] + data  # the decoder's pending bytes, then the chunk
    obj = exc.object
    if obj == full:
        offset = exc.start
    elif full.endswith(obj):  # a decoder that dropped a byte-order mark first
        offset = len(full) - len(obj) + exc.start
    else:  # pragma: no cover - no such decoder is known; name the chunk's first line
        offset = 0
    decoder = codecs.getincrementaldecoder(codec)("replace")
    with contextlib.suppress(Exception):
        decoder.setstate((b"", before[1]))
    return decoder.decode(full[:offset], False)


def _bad_bytes(exc: UnicodeDecodeError) -> str:
    """The bytes that cannot be decoded, as ``byte 0xe0`` (or ``bytes 0x00 0xd8``)."""
    bad = exc.object[exc.start : exc.end][:4]
    shown = " ".join(f"0x{b:02x}" for b in bad)
    return f"byte {shown}" if len(bad) == 1 else f"bytes {shown}"


def _decode_problem(exc: UnicodeDecodeError, named: str | None, label: str | None) -> str:
    """What to say of bytes that cannot be decoded."""
    what = _bad_bytes(exc)
    if named is not None:
        return (
            f"the file is not in the encoding '{named}' that was named ({what} cannot be "
            "decoded); name the right one: --encoding on the command line, encoding= in Python"
        )
    if label == "UTF-8":
        return f"the file is not UTF-8 ({what} cannot be decoded); {_ENCODING_HINT}"
    return (
        f"the file starts with a {label} byte-order mark but is not {label} "
        f"({what} cannot be decoded)"
    )


def _nul_problem(guessed: bool) -> str:
    """What to say of a NUL character: no table holds one (binary data, or a wrong encoding)."""
    problem = "a NUL character (byte 0x00) in the text: this is not a text file"
    if guessed:
        return problem + (
            ", or it is UTF-16 without a byte-order mark (name it: --encoding utf-16-le on the "
            "command line, encoding='utf-16-le' in Python)"
        )
    return problem + ", or the encoding is not the right one"


def _read_text(read: Callable[[int], str]) -> str:
    """The next chunk of a text stream, a decoding error turned into a _TextProblem."""
    try:
        return read(_CHUNK)
    except UnicodeDecodeError as exc:
        raise _TextProblem(f"the stream cannot be decoded ({_bad_bytes(exc)})") from None


def _text_chunks(read: Callable[[int], str], first: list[str], state: _State) -> Iterator[str]:
    """The text of a text stream (``first`` already read), chunk by chunk, without a BOM.

    Raises:
        _TextProblem: the stream cannot be decoded, or a NUL character (after the text before).
    """
    pending = first[::-1]
    start = True
    while True:
        if pending:
            text = pending.pop()
        else:
            state.check()
            text = _read_text(read)
            if not text:
                return
        if start:
            start = False
            if text.startswith("\ufeff"):
                text = text[1:]
        at = text.find("\x00")
        if at >= 0:
            if at:
                yield text[:at]
            raise _TextProblem(_nul_problem(False))
        yield text


def _line_batches(chunks: Iterable[str], universal: bool, name: str) -> Iterator[list[str]]:
    """The lines of the text, each with its line break, a list per chunk.

    Args:
        chunks: the text.
        universal: break lines at ``\\r\\n``, ``\\r`` and ``\\n`` (CSV, as the csv module
            does with ``newline=""``), else at ``\\n`` only (JSON Lines).
        name: the file's name, for errors.

    Raises:
        TableError: the text source's problem, at the line where it is.
    """
    newline = "" if universal else "\n"
    emitted = 0  # lines yielded so far
    carry: list[str] = []  # the start of a line that goes on in the next chunk
    source = iter(chunks)
    while True:
        try:
            chunk = next(source, None)
        except _TextProblem as exc:  # at the end of the text so far: after `emitted` + carry
            tail = "".join(carry)
            line = emitted + 1 + (universal and tail.endswith("\r"))
            raise TableError(name, line, exc.problem) from None
        if chunk is None:
            break
        if "\n" not in chunk and not (universal and "\r" in chunk):
            carry.append(chunk)
            continue
        if carry:
            carry.append(chunk)
            chunk = "".join(carry)
            carry = []
        if universal and not any(map(chunk.__contains__, _OTHER_BREAKS)):
            lines = chunk.splitlines(keepends=True)  # the same split, but faster
        else:
            lines = io.StringIO(chunk, newline=newline).readlines()
        if not lines[-1].endswith("\n"):  # unfinished, or a "\r" that a "\n" may follow
            carry.append(lines.pop())
        if lines:
            emitted += len(lines)
            yield lines
    if carry:
        yield ["".join(carry)]


def _lines(chunks: Iterable[str], universal: bool, name: str) -> Iterator[str]:
    return itertools.chain.from_iterable(_line_batches(chunks, universal, name))


def _open_text_stream(
    state: _State, source: IO[Any], name: str, fmt: str | None, delimiter: str | None
) -> RawTable:
    """Open a CSV or JSON Lines table from a text stream."""
    first: list[str] = []
    problem: _TextProblem | None = None
    while True:  # read up to the first non-blank character, to sniff the format
        try:
            text = _read_text(source.read)
        except _TextProblem as exc:  # raised where it is, once the lines before are read
            problem = exc
            break
        if not text:
            break
        first.append(text)
        if text.strip():
            break
    if fmt is None:
        fmt = "jsonl" if "".join(first).lstrip("\ufeff").lstrip().startswith("{") else "csv"
    chunks = _text_chunks(_raiser(problem) if problem else source.read, first, state)
    encoding = getattr(source, "encoding", None)
    reported = encoding if isinstance(encoding, str) else None
    if fmt == "csv":
        return _open_csv(name, chunks, delimiter, reported)
    return _open_jsonl(name, chunks, reported)


def _raiser(problem: _TextProblem) -> Callable[[int], str]:
    """A read function that raises the problem met while sniffing."""

    def read(size: int) -> str:
        raise problem

    return read


# --- CSV ------------------------------------------------------------------------------------


def _open_csv(
    name: str, chunks: Iterator[str], delimiter: str | None, encoding: str | None
) -> RawTable:
    """Sniff the delimiter, read the header and set up the records of a CSV file."""
    lines = _lines(chunks, True, name)
    if delimiter is None:
        before: list[str] = []
        for line in lines:
            before.append(line)
            if line.translate(_NOT_SNIFFED).strip():
                delimiter = _sniff_delimiter(line)
                break
        else:
            delimiter = ","
        lines = itertools.chain(before, lines)
    else:
        delimiter = _delimiter(delimiter, name)
    exact = _raise_field_limit()
    reader = csv.reader(lines, delimiter=delimiter, quotechar='"', doublequote=True, strict=True)
    start = 1
    try:
        for cells in reader:
            if not _blank(cells):
                break
            start = reader.line_num + 1
        else:
            raise TableError(name, 0, "empty file: expected a header row")
    except csv.Error as exc:
        raise _csv_error(exc, name, start, reader.line_num) from None
    header = _header(cells, name, start, str)
    rows = _csv_rows(reader, header, name, check_length=not exact)
    return RawTable(name, "csv", header, delimiter, encoding, rows)


def _sniff_delimiter(line: str) -> str:
    """The most frequent of ``,`` ``;`` and tab outside double quotes (``,`` if none)."""
    outside = "".join(line.split('"')[0::2])
    counts = [(outside.count(c), -i, c) for i, c in enumerate((",", ";", "\t"))]
    count, _, best = max(counts)
    return best if count else ","


def _delimiter(delimiter: str, name: str) -> str:
    """The delimiter named by the user, checked."""
    word = _DELIMITER_WORDS.get(delimiter.strip().lower()) if len(delimiter) > 1 else None
    if word is not None:
        return word
    if len(delimiter) == 1 and delimiter not in '"\r\n\x00':
        return delimiter
    raise TableError(
        name,
        0,
        f"cannot use '{delimiter}' as the delimiter (--delimiter): expected one "
        "character other than a quote or a line break, or tab, comma or semicolon",
    )


def _raise_field_limit() -> bool:
    """Let the csv module read fields up to :data:`FIELD_LIMIT` characters (never lowered).

    Returns:
        Whether the csv module now refuses longer fields itself (its limit is the field length
        it accepts), so that the records need no check of their own.
    """
    limit = csv.field_size_limit()
    if limit < FIELD_LIMIT:
        csv.field_size_limit(FIELD_LIMIT)
        limit = FIELD_LIMIT
    return bool(limit == FIELD_LIMIT)


def _blank(cells: list[str]) -> bool:
    """Whether a record has only empty or blank cells (it is then not a record)."""
    first = cells[0] if cells else ""
    return (not first or first.isspace()) and not "".join(cells).strip()


def _header(
    cells: Iterable[Any], name: str, line: int, show: Callable[[int], str]
) -> tuple[str, ...]:
    """The header's names as written, checked: none is empty and none appears twice."""
    header = tuple(cells)
    seen: dict[str, int] = {}
    for i, cell in enumerate(header, start=1):
        if not cell.strip():
            hint = " (a delimiter at the end of the header line?)" if i == len(header) > 1 else ""
            raise TableError(name, line, f"column {show(i)} has no name{hint}")
        if cell in (CELL_COUNT, BROKEN):
            raise TableError(name, line, f"column {show(i)} has a name with a NUL character")
        if cell in seen:
            raise TableError(
                name,
                line,
                f"the column '{cell}' appears twice (columns {show(seen[cell])} and {show(i)})",
                column=cell,
            )
        seen[cell] = i
    return header


def _csv_rows(
    reader: Any, header: tuple[str, ...], name: str, *, check_length: bool
) -> Iterator[tuple[int, dict[str, Any]]]:
    """The records after the header: ``(line where it starts, {header: cell or None})``."""
    n = len(header)
    none_if_empty = _EMPTY_TO_NONE.get
    most = MAX_RECORD_LINES - 1
    start = reader.line_num + 1
    try:
        for cells in reader:
            end = reader.line_num
            if end - start > most:
                raise TableError(name, start, _long_record(start, end))
            first = cells[0] if cells else ""
            if (not first or first.isspace()) and not "".join(cells).strip():
                start = end + 1
                continue
            if check_length and max(map(len, cells)) > FIELD_LIMIT:
                at = next(i for i, c in enumerate(cells) if len(c) > FIELD_LIMIT)
                column = header[at] if at < n else None
                raise TableError(name, start, _too_long(start), column=column)
            row: dict[str, Any] = dict(zip(header, map(none_if_empty, cells, cells)))  # noqa: B905
            if len(cells) != n:
                for missing in header[len(cells) :]:
                    row[missing] = None
                row[CELL_COUNT] = len(cells)
            yield start, row
            start = end + 1
    except csv.Error as exc:
        raise _csv_error(exc, name, start, reader.line_num) from None


def _long_record(start: int, end: int) -> str:
    return (
        f"the record that starts on line {start} runs on to line {end}: a quoted field that "
        f"opens there is closed only by a stray quote, far below; put the missing quote back "
        f"(a record may span at most {MAX_RECORD_LINES:,} lines)"
    )


def _too_long(start: int) -> str:
    return (
        f"a field of more than {FIELD_LIMIT // (1024 * 1024)} MB (the limit) in the record that "
        f"starts on line {start}; if no field is that long, a quote that opens on that line is "
        "probably never closed"
    )


def _csv_error(exc: csv.Error, name: str, start: int, current: int) -> TableError:
    """A csv module error, said without jargon, at the line where it arose."""
    message = str(exc)
    if message.startswith("unexpected end of data"):
        return TableError(
            name,
            start,
            f"an unclosed quote: the quoted field that opens on line {start} is "
            "never closed, so every later line would be swallowed; close or remove the quote",
        )
    if message.startswith("field larger than field limit"):
        return TableError(name, start, _too_long(start))
    if "expected after" in message and current > start:  # "',' expected after '"'"
        return TableError(
            name,
            start,
            f"the quoted field that opens on line {start} runs on to line "
            f"{current}, where a quote is followed by more text: a closing quote is probably "
            f"missing on line {start} (or a quote inside the field is not doubled)",
        )
    if "expected after" in message:
        return TableError(
            name,
            current,
            "a quoted field is followed by more text before the next delimiter "
            "(or a quote inside a quoted field is not doubled); write a quote inside a quoted "
            'field as two quotes ("")',
        )
    if message.startswith("new-line character seen in unquoted field"):
        return TableError(
            name,
            current,
            "a line break inside an unquoted field (a lone carriage return?); "
            "quote the field, or remove the line break",
        )
    if "NUL" in message:  # pragma: no cover - NUL characters are refused before the csv module
        return TableError(name, current, "a NUL character (byte 0x00): this is not a text file")
    return TableError(name, current, f"the CSV structure is broken ({message})")  # pragma: no cover


# --- JSON Lines -----------------------------------------------------------------------------


class _DuplicateKeyError(Exception):
    """A JSON object names a key twice."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


class _BadConstantError(Exception):
    """NaN, Infinity or -Infinity: Python reads them, but they are not JSON."""

    def __init__(self, word: str) -> None:
        super().__init__(word)
        self.word = word


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object, refusing a key that appears twice."""
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKeyError(key)
            seen.add(key)
    return obj


def _constant(word: str) -> Any:
    """Refuse NaN, Infinity and -Infinity."""
    raise _BadConstantError(word)


_JSON: Final = json.JSONDecoder(object_pairs_hook=_pairs, parse_constant=_constant)


def _json_record(text: str) -> dict[str, Any]:
    """The record of one JSON Lines line: its object, or ``{BROKEN: what is wrong}``."""
    try:
        value = _JSON.decode(text.rstrip("\r\n"))
    except json.JSONDecodeError as exc:
        return {BROKEN: f"not valid JSON ({exc.msg} at column {exc.colno})"}
    except _DuplicateKeyError as exc:
        return {BROKEN: f"the key '{exc.key}' appears twice"}
    except _BadConstantError as exc:
        return {BROKEN: f"not valid JSON ({exc.word} is not a JSON value; write null)"}
    except RecursionError:
        return {BROKEN: "not valid JSON (nested too deeply)"}
    if not isinstance(value, dict):
        return {BROKEN: "expected a JSON object per line"}
    if CELL_COUNT in value or BROKEN in value:
        return {BROKEN: "a key with a NUL character"}
    return value


def _open_jsonl(name: str, chunks: Iterator[str], encoding: str | None) -> RawTable:
    """Read up to the first object (for the header) and set up the records of a JSON Lines file."""
    numbered = enumerate(_lines(chunks, False, name), start=1)
    ahead: list[tuple[int, dict[str, Any]]] = []
    header: tuple[str, ...] = ()
    for n, text in numbered:
        if not text or text.isspace():
            continue
        if len(ahead) >= _LOOK_AHEAD:  # no object yet: leave the header empty
            ahead.append((n, _json_record(text)))
            break
        if not ahead and text.lstrip().startswith("["):
            raise TableError(
                name, n, "this is a JSON array, not JSON Lines: write one JSON object per line"
            )
        record = _json_record(text)
        ahead.append((n, record))
        if BROKEN not in record:
            header = tuple(record)
            break
    return RawTable(name, "jsonl", header, None, encoding, _jsonl_rows(ahead, numbered))


def _jsonl_rows(
    ahead: list[tuple[int, dict[str, Any]]], numbered: Iterator[tuple[int, str]]
) -> Iterator[tuple[int, dict[str, Any]]]:
    yield from ahead
    for n, text in numbered:
        if text and not text.isspace():
            yield n, _json_record(text)


# --- Excel ----------------------------------------------------------------------------------


def _column_letter(i: int) -> str:
    letters = ""
    while i:
        i, rest = divmod(i - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _show_xlsx_column(i: int) -> str:
    return f"{i} ({_column_letter(i)})"


def _is_blank_cell(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _open_xlsx(
    stack: contextlib.ExitStack,
    state: _State,
    f: IO[bytes],
    name: str,
    head: bytes,
    sheet: str | None,
) -> RawTable:
    """Open an Excel workbook (read-only) and read the chosen sheet's header."""
    try:
        openpyxl: Any = importlib.import_module("openpyxl")
    except ImportError:
        raise TableError(
            name, 0, "reading .xlsx files needs openpyxl: pip install 'tthc_sla[xlsx]'"
        ) from None
    if head.startswith(_OLE):
        raise TableError(name, 0, _XLS)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
            workbook = openpyxl.load_workbook(f, read_only=True, data_only=True)
    except Exception as exc:  # the library raises many kinds for a file it cannot read
        raise TableError(name, 0, f"not a valid Excel .xlsx workbook ({_said(exc)})") from None
    stack.callback(workbook.close)
    names = list(workbook.sheetnames)
    if sheet is None:
        if not workbook.worksheets:
            raise TableError(name, 0, "the workbook has no worksheet")
        ws = workbook.worksheets[0]
    elif sheet in names:
        ws = workbook[sheet]
        if not hasattr(ws, "iter_rows"):
            raise TableError(name, 0, f"the sheet '{sheet}' is a chart, not a worksheet")
    else:
        listed = ", ".join(f"'{n}'" for n in names)
        raise TableError(name, 0, f"no sheet named '{sheet}': the workbook has {listed}")
    values = _xlsx_values(ws, name, state)
    found = next(((n, c) for n, c in values if not all(map(_is_blank_cell, c))), None)
    if found is None:
        raise TableError(name, 0, "empty file: expected a header row")
    line, cells = found[0], list(found[1])
    while cells and _is_blank_cell(cells[-1]):
        cells.pop()
    texts = ["" if c is None else c if isinstance(c, str) else str(c) for c in cells]
    header = _header(texts, name, line, _show_xlsx_column)
    return RawTable(name, "xlsx", header, None, None, _xlsx_rows(values, header))


def _said(exc: BaseException) -> str:
    """An exception's message, for a library error shown to the user."""
    return str(exc) or type(exc).__name__


def _xlsx_values(ws: Any, name: str, state: _State) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """(row number, cell values) for each row of the sheet, all its cells read."""
    ws.reset_dimensions()  # a sheet's recorded size can be wrong: read every cell there is
    row = 0
    try:
        rows = iter(ws.iter_rows())
    except Exception as exc:  # the library raises many kinds for a damaged file
        raise TableError(name, 0, f"the sheet cannot be read ({_said(exc)})") from None
    while True:
        state.check()
        try:
            cells = next(rows, None)
        except Exception as exc:  # the library raises many kinds for a damaged file
            raise TableError(
                name, row + 1, f"the sheet cannot be read from here on ({_said(exc)})"
            ) from None
        if cells is None:
            return
        row += 1
        yield row, tuple(_xlsx_value(c) for c in cells)


_MIDNIGHT: Final = datetime.min.time()
_FORMAT_LITERALS: Final = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.')


def _xlsx_value(cell: Any) -> Any:
    """A cell's value; a date shown without a time of day (a number format with no hours or
    seconds: "dd/mm/yyyy") is a ``date``, not the midnight openpyxl makes of it, so that the
    readers refuse it where the time decides (a receipt) and read it as the close of the day
    where a date is enough (a new appointment)."""
    value = cell.value
    if type(value) is datetime and value.time() == _MIDNIGHT:
        shown = _FORMAT_LITERALS.sub("", str(getattr(cell, "number_format", "") or ""))
        if not any(c in "hHsS" for c in shown):
            return value.date()
    return value


def _xlsx_rows(
    values: Iterator[tuple[int, tuple[Any, ...]]], header: tuple[str, ...]
) -> Iterator[tuple[int, dict[str, Any]]]:
    """The records after the header: ``(sheet row, {header: value})``."""
    n = len(header)
    for line, cells in values:
        if all(map(_is_blank_cell, cells)):
            continue
        found = len(cells)
        if found > n:
            last = max(i for i, c in enumerate(cells) if not _is_blank_cell(c)) + 1
            found = last if last > n else n
        row = {h: (None if c == "" else c) for h, c in zip(header, cells, strict=False)}
        for missing in header[len(cells) :]:
            row[missing] = None
        if found > n:
            row[CELL_COUNT] = found
        yield line, row


# --- Parquet --------------------------------------------------------------------------------


def _open_parquet(state: _State, f: IO[bytes], name: str, head: bytes) -> RawTable:
    """Open a Parquet file and read its schema's names."""
    try:
        pa: Any = importlib.import_module("pyarrow")
        pq: Any = importlib.import_module("pyarrow.parquet")
    except ImportError:
        raise TableError(
            name, 0, "reading Parquet files needs pyarrow: pip install 'tthc_sla[parquet]'"
        ) from None
    try:
        pf = pq.ParquetFile(f)
        schema = pf.schema_arrow
    except Exception as exc:  # the library raises many kinds for a file it cannot read
        raise TableError(name, 0, f"not a valid Parquet file ({_said(exc)})") from None
    header = _header(schema.names, name, 1, str)
    casts = _microsecond_casts(pa, schema)
    return RawTable(name, "parquet", header, None, None, _parquet_rows(pa, pf, casts, name, state))


def _microsecond_casts(pa: Any, schema: Any) -> dict[int, Any]:
    """The columns held in nanoseconds, which Python values hold only to the microsecond."""
    casts: dict[int, Any] = {}
    for i, field in enumerate(schema):
        t = field.type
        if getattr(t, "unit", None) != "ns":
            continue
        if pa.types.is_timestamp(t):
            casts[i] = pa.timestamp("us", tz=t.tz)
        elif pa.types.is_time64(t):
            casts[i] = pa.time64("us")
        elif pa.types.is_duration(t):
            casts[i] = pa.duration("us")
    return casts


def _parquet_rows(
    pa: Any, pf: Any, casts: dict[int, Any], name: str, state: _State
) -> Iterator[tuple[int, dict[str, Any]]]:
    """The records: ``(index + 2, {column: value})``."""
    line = 2
    batches = pf.iter_batches(batch_size=_BATCH)
    while True:
        state.check()
        try:
            batch = next(batches, None)
        except Exception as exc:  # the library raises many kinds for a damaged file
            raise TableError(
                name, line, f"the Parquet file cannot be read from here on ({_said(exc)})"
            ) from None
        if batch is None:
            return
        if casts:
            batch = _to_microseconds(pa, batch, casts, name, line)
        rows = batch.to_pylist()
        yield from zip(itertools.count(line), rows)
        line += len(rows)


def _to_microseconds(pa: Any, batch: Any, casts: dict[int, Any], name: str, line: int) -> Any:
    """The batch with its nanosecond columns in microseconds, refusing a loss of precision."""
    columns = list(batch.columns)
    for i, target in casts.items():
        try:
            columns[i] = columns[i].cast(target)
        except pa.ArrowInvalid:
            at = _first_lossy(columns[i], target)
            column = batch.schema.names[i]
            raise TableError(
                name,
                line + at,
                "a time with nanoseconds, which this library cannot hold: "
                "round the column to microseconds",
                column=column,
            ) from None
    return pa.RecordBatch.from_arrays(columns, names=batch.schema.names)


def _first_lossy(column: Any, target: Any) -> int:
    """The index of the first value that microseconds cannot hold (0 if it cannot be found)."""
    try:
        pc: Any = importlib.import_module("pyarrow.compute")
        back = column.cast(target, safe=False).cast(column.type)
        found = pc.index(pc.not_equal(back, column), True).as_py()
    except Exception:  # pragma: no cover - only to point at the value
        return 0
    return max(int(found), 0)
