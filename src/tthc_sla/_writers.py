"""Table outputs of the command line beyond text: Parquet (Arrow types) and Excel.

Parquet: the flat layout of an evaluation (``evaluation._flat``) with Arrow types — moments
as ``timestamp[us]`` (naive local wall time), ``due_date`` as ``date32``, counts as ``int64``
(``processing_working_days`` null when unfinished), flags as ``bool``, and the repeated labels
(procedure, agency, level, field, channel, outcome) dictionary-encoded (categoricals). The same
table comes from either engine. Excel: one sheet, the header frozen, moments as Excel dates.
Parquet needs the ``parquet`` extra (pyarrow), Excel the ``excel`` extra (openpyxl).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import Any, TextIO

from tthc_sla._tables import CSV_QUOTED, FORMULA_STARTS, csv_text
from tthc_sla.errors import TableError
from tthc_sla.evaluation._flat import FLAT_COLUMNS

__all__ = [
    "arrow_tables",
    "write_csv_tables",
    "write_parquet",
    "write_parquet_tables",
    "write_xlsx",
]

_MOMENTS = ("received_at", "due_at", "completed_at", "ended_at", "rescheduled_due")
_LABELS = ("procedure", "agency", "level", "field", "channel", "outcome")
_INTS = ("late_working_days", "excluded_working_days", "processing_working_days")
_FLAGS = ("by_moment", "met_rescheduled", "provisional")
_CSV_ROWS = 100_000  # rows formatted at a time


def _module(name: str, extra: str, path: str) -> Any:
    try:
        return __import__(name)
    except ImportError:
        raise TableError(
            path, 0, f"writing this format needs {name}: pip install 'tthc_sla[{extra}]'"
        ) from None


def write_parquet(path: str, *, rows: Iterable[Mapping[str, Any]] = (), frame: Any = None) -> int:
    """Write evaluations as Parquet: from flat rows, or from an ``evaluate_frame`` result
    (its columns, without a pass over rows); returns the number of rows."""
    pa = _module("pyarrow", "parquet", path)
    import pyarrow.parquet as pq

    table = _arrow_table(pa, rows, frame)
    pq.write_table(table, path)
    return int(table.num_rows)


def write_parquet_tables(path: str, tables: Iterable[Any]) -> int:
    """Write Arrow tables of the flat layout (``_arrow_table``'s) as one Parquet file, a row
    group or more each, for more rows than memory holds; returns the number of rows."""
    pa = _module("pyarrow", "parquet", path)
    import pyarrow.parquet as pq

    types = _types(pa)
    n = 0
    with pq.ParquetWriter(path, pa.schema([(c, types[c]) for c in FLAT_COLUMNS])) as writer:
        for table in tables:
            writer.write_table(table)
            n += table.num_rows
    return n


def arrow_tables(frame: Any, rows: int = 100_000) -> Iterator[Any]:
    """An ``evaluate_frame`` result as Arrow tables of the flat layout, ``rows`` at a time."""
    import pyarrow as pa

    for start in range(0, len(frame), rows):
        yield _arrow_table(pa, (), frame.iloc[start : start + rows])


def write_csv_tables(out: TextIO, tables: Iterable[Any]) -> int:
    """Write Arrow tables of the flat layout as CSV: the cells ``_tables.write_rows`` writes
    of their rows (``safe_cell`` of each value, quoted as ``_tables.CSV_QUOTED`` says), byte
    for byte, formatted and joined a column at a time by pyarrow rather than a
    cell at a time; returns the number of rows."""
    pc = importlib.import_module("pyarrow.compute")
    out.write(csv_text([list(FLAT_COLUMNS)]))
    special = CSV_QUOTED
    n = 0
    for whole in tables:
        for start in range(0, whole.num_rows, _CSV_ROWS):  # (string offsets are 32 bits)
            table = whole.slice(start, _CSV_ROWS)
            cells = [_csv_cells(table.column(c), special) for c in FLAT_COLUMNS]
            rows = pc.binary_join_element_wise(*cells, ",")
            out.write(_text_of(pc.binary_join_element_wise(rows, "", "\n")))
        n += whole.num_rows
    return n


def _quoted(pc: Any, cells: Any, special: tuple[str, ...]) -> Any:
    """Cells in quotes (a quote in them doubled) where the csv module would quote them."""
    needs = _any_match(pc, pc.match_substring, cells, special)
    if needs is None:
        return cells
    doubled = pc.replace_substring(cells, '"', '""')
    return pc.if_else(needs, pc.binary_join_element_wise('"', doubled, '"', ""), cells)


def _any_match(pc: Any, test: Any, text: Any, patterns: Iterable[str]) -> Any:
    """Per cell, whether ``test`` (a pyarrow compute function of the text and a pattern) holds
    for any of the patterns; None when it holds for no cell."""
    found = None
    for pattern in patterns:
        one = test(text, pattern)
        found = one if found is None else pc.or_(found, one)
    return None if found is None or not pc.any(found).as_py() else found


def _text_of(lines: Any) -> str:
    """The text of a string array without nulls, its values one after the other."""
    np = importlib.import_module("numpy")
    if hasattr(lines, "combine_chunks"):
        lines = lines.combine_chunks()
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32)
    first, last = int(offsets[lines.offset]), int(offsets[lines.offset + len(lines)])
    return str(memoryview(lines.buffers()[2].slice(first, last - first)), "utf-8")


def _csv_cells(column: Any, special: tuple[str, ...]) -> Any:
    """A column's cells as ``safe_cell`` writes its values and the csv module quotes them, as
    a string array without nulls: moments and dates in ISO form, counts as digits, flags as
    true/false, text that a spreadsheet would run as a formula behind a quote mark, nothing for
    a missing value. Only text can hold a character the csv module quotes (``special``)."""
    np = importlib.import_module("numpy")
    pa = importlib.import_module("pyarrow")
    pc = importlib.import_module("pyarrow.compute")
    typ = column.type
    if pa.types.is_timestamp(typ):  # datetime.isoformat: microseconds only when there are some
        text = pc.replace_substring(pc.cast(column, pa.string()), " ", "T", max_replacements=1)
        whole = pc.utf8_slice_codeunits(text, 0, 19)  # (the cast writes all six digits)
        us = column.to_numpy().view(np.int64)
        fraction = (us % 1_000_000 != 0) & (us != np.iinfo(np.int64).min)  # (min: NaT)
        text = pc.if_else(pa.array(fraction), text, whole) if fraction.any() else whole
    elif pa.types.is_date32(typ):
        text = pc.cast(column, pa.string())
    elif pa.types.is_boolean(typ):
        text = pc.if_else(column, "true", "false")
    elif pa.types.is_integer(typ):
        text = pc.cast(column, pa.string())
    elif pa.types.is_floating(typ):  # str(float) of each distinct value
        values = column.to_numpy(zero_copy_only=False)
        found, where = np.unique(values, return_inverse=True)
        table = pa.array([str(float(v)) for v in found.tolist()], pa.string())
        return table.take(pa.array(where.reshape(-1)))
    elif pa.types.is_dictionary(typ):  # the labels, each distinct one formatted once
        chunks = [
            _quoted(pc, _escaped(pc, c.dictionary), special).take(c.indices) for c in column.chunks
        ]
        text = pa.chunked_array(chunks, pa.string())
    else:
        text = _quoted(pc, _escaped(pc, column), special)
    return pc.fill_null(text, "")


def _escaped(pc: Any, text: Any) -> Any:
    """Text a spreadsheet would run as a formula, behind a quote mark (``safe_cell``)."""
    risky = _any_match(pc, pc.starts_with, text, FORMULA_STARTS)
    if risky is None:
        return text
    return pc.if_else(risky, pc.binary_join_element_wise("'", text, ""), text)


def _arrow_table(pa: Any, rows: Iterable[Mapping[str, Any]], frame: Any) -> Any:
    types = _types(pa)
    if frame is not None:
        arrays = [_from_frame(pa, frame[c], c, types[c]) for c in FLAT_COLUMNS]
    else:
        listed = list(rows)
        arrays = [_from_values(pa, [r[c] for r in listed], c, types[c]) for c in FLAT_COLUMNS]
    return pa.Table.from_arrays(arrays, schema=pa.schema([(c, types[c]) for c in FLAT_COLUMNS]))


def _types(pa: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for c in FLAT_COLUMNS:
        if c in _MOMENTS:
            out[c] = pa.timestamp("us")
        elif c == "due_date":
            out[c] = pa.date32()
        elif c in _LABELS:
            out[c] = pa.dictionary(pa.int32(), pa.string())
        elif c in _INTS:
            out[c] = pa.int64()
        elif c in _FLAGS:
            out[c] = pa.bool_()
        elif c == "late_time_hours":
            out[c] = pa.float64()
        else:
            out[c] = pa.string()
    return out


def _from_values(pa: Any, values: list[Any], column: str, typ: Any) -> Any:
    if column in _LABELS:
        return pa.array(values, pa.string()).dictionary_encode().cast(typ)
    return pa.array(values, typ)


def _from_frame(pa: Any, series: Any, column: str, typ: Any) -> Any:
    if column in _LABELS:  # hashed by pandas: only the distinct labels become Arrow strings
        pd = importlib.import_module("pandas")
        np = importlib.import_module("numpy")
        codes, labels = pd.factorize(series, use_na_sentinel=True)
        return pa.DictionaryArray.from_arrays(
            pa.array(codes.astype(np.int32), mask=codes < 0),
            pa.array(np.asarray(labels, dtype=object), pa.string()),
        )
    if column == "due_date":
        return pa.array(series, pa.timestamp("us"), from_pandas=True).cast(pa.date32())
    if column == "processing_working_days":
        return pa.array(series, pa.float64(), from_pandas=True).cast(typ)
    if column in ("late_units", "warnings"):
        return pa.array(series.astype(object), typ, from_pandas=True)
    return pa.array(series, typ, from_pandas=True)


def write_xlsx(
    path: str, rows: Iterable[Mapping[str, Any]], columns: Sequence[str], *, title: str
) -> int:
    """Write rows as one Excel sheet (header bold and frozen); returns the number of rows.
    Text is written as text: a cell starting with ``=`` is never a formula."""
    openpyxl = _module("openpyxl", "excel", path)
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(list(columns))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    n = 0
    for row in rows:
        sheet.append([_cell(row.get(c)) for c in columns])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text, not a formula
            elif isinstance(cell.value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm:ss"
            elif isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
        n += 1
    book.save(path)
    return n


def _cell(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | datetime | date):
        return value
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)
