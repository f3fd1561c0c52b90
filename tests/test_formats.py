"""Reading input table files (CSV, JSON Lines, Excel, Parquet) into raw records: ``_formats``."""

from __future__ import annotations

import codecs
import csv
import io
import sys
import unicodedata
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tthc_sla import _formats
from tthc_sla._formats import BROKEN, CELL_COUNT, FIELD_LIMIT, RawTable, open_table
from tthc_sla.errors import TableError

ICT = timezone(timedelta(hours=7))


def _read(source: Any, **options: Any) -> tuple[RawTable, list[tuple[int, dict[str, Any]]]]:
    """The table (its fields) and all its rows."""
    with open_table(source, **options) as table:
        return table, list(table.rows)


def _rows(source: Any, **options: Any) -> list[tuple[int, dict[str, Any]]]:
    return _read(source, **options)[1]


def _until_error(source: Any, **options: Any) -> tuple[list[tuple[int, Any]], TableError]:
    """The rows yielded before the TableError, and the error."""
    got: list[tuple[int, Any]] = []
    with open_table(source, **options) as table, pytest.raises(TableError) as info:
        got.extend(table.rows)
    return got, info.value


def _write(tmp_path: Path, name: str, content: bytes | str) -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_bytes(content.encode("utf-8"))
    else:
        path.write_bytes(content)
    return path


def _small_chunks(monkeypatch: pytest.MonkeyPatch, size: int) -> None:
    """Read files a few bytes at a time, to cross every chunk boundary."""
    monkeypatch.setattr(_formats, "_HEAD", size)
    monkeypatch.setattr(_formats, "_CHUNK", size)


# --- CSV: delimiters ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "delimiter", "header", "first"),
    [
        ("id,at,kind\nA,2024-01-02,received\n", ",", ("id", "at", "kind"), (2, "A")),
        ("id;at;kind\nA;2024-01-02;received\n", ";", ("id", "at", "kind"), (2, "A")),
        ("id\tat\tkind\nA\t2024-01-02\treceived\n", "\t", ("id", "at", "kind"), (2, "A")),
        # a delimiter inside quotes does not count: one comma outside, two semicolons inside
        ('"id;x;y",at\nA,2024-01-02\n', ",", ("id;x;y", "at"), (2, "A")),
        # the first non-blank line decides (a semicolon in a later line does not)
        ("\n\nid;at\nA,B;2024-01-02\n", ";", ("id", "at"), (4, "A,B")),
        # no delimiter at all: one column, comma
        ("id\nA\n", ",", ("id",), (2, "A")),
        # a tie: comma first
        ("a,b;c\nA,B;C\n", ",", ("a", "b;c"), (2, "A")),
    ],
)
def test_delimiter_is_sniffed_from_the_header_line(
    tmp_path: Path, text: str, delimiter: str, header: tuple[str, ...], first: tuple[int, str]
) -> None:
    table, rows = _read(_write(tmp_path, "t.csv", text))
    assert (table.delimiter, table.header) == (delimiter, header)
    assert (rows[0][0], rows[0][1][header[0]]) == first


@pytest.mark.parametrize(
    ("given", "used"),
    [("tab", "\t"), ("TAB", "\t"), ("\\t", "\t"), ("\t", "\t"), ("semicolon", ";"), ("|", "|")],
)
def test_delimiter_can_be_forced(tmp_path: Path, given: str, used: str) -> None:
    # the header has more commas than the forced delimiter: the forced one wins
    text = f"a,1{used}b,2\nx{used}y\n"
    table, rows = _read(_write(tmp_path, "t.csv", text), delimiter=given)
    assert table.delimiter == used
    assert table.header == ("a,1", "b,2")
    assert rows == [(2, {"a,1": "x", "b,2": "y"})]


@pytest.mark.parametrize("bad", ["", "ab", '"', "\n", "colon"])
def test_bad_delimiter_refused(tmp_path: Path, bad: str) -> None:
    with pytest.raises(TableError, match="delimiter") as info:
        _read(_write(tmp_path, "t.csv", "a,b\n"), delimiter=bad)
    assert info.value.line == 0


# --- CSV: encodings -------------------------------------------------------------------------

TEXT = "Mã hồ sơ,Ngày nhận,Ghi chú\nHS-01,2024-03-01,Đã tiếp nhận\nHS-02,2024-03-02,\n"
EXPECTED = [
    (2, {"Mã hồ sơ": "HS-01", "Ngày nhận": "2024-03-01", "Ghi chú": "Đã tiếp nhận"}),
    (3, {"Mã hồ sơ": "HS-02", "Ngày nhận": "2024-03-02", "Ghi chú": None}),
]


_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"  # grave, acute, tilde, hook above, dot below


def _cp1258(text: str) -> bytes:
    """Text in Windows-1258, which holds a Vietnamese letter as a letter plus a tone mark.

    Python's codec maps no precomposed letter with a tone mark (ậ): the text is taken apart
    (NFD), and each letter is put back together without its tone mark (â + combining dot
    below), which the code page has.
    """
    out: list[str] = []
    tones: list[str] = []
    for char in unicodedata.normalize("NFD", text) + "\n":
        if char in _TONE_MARKS:
            tones.append(char)
        elif unicodedata.combining(char) and out:
            out[-1] += char
        else:
            if out:
                out[-1] = unicodedata.normalize("NFC", out[-1]) + "".join(tones)
            tones = []
            out.append(char)
    return "".join(out)[:-1].encode("cp1258", errors="strict")


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
        (codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), "utf-16"),
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "utf-16"),
        (codecs.BOM_UTF32_LE + TEXT.encode("utf-32-le"), "utf-32"),
    ],
)
def test_utf8_and_byte_order_marks_read_the_same(
    tmp_path: Path, data: bytes, encoding: str
) -> None:
    table, rows = _read(_write(tmp_path, "t.csv", data))
    assert table.encoding == encoding
    assert table.header == ("Mã hồ sơ", "Ngày nhận", "Ghi chú")  # no BOM left in the first name
    assert rows == EXPECTED


def test_not_utf8_refused_naming_the_line_and_the_option(tmp_path: Path) -> None:
    data = b"id,note\nA,ok\nB,fine\nC," + _cp1258("Đã") + b"\nD,x\n"  # Đ is byte 0xd0
    got, err = _until_error(_write(tmp_path, "t.csv", data))
    assert err.line == 4
    assert "not UTF-8 (byte 0xd0 cannot be decoded)" in err.problem
    assert "--encoding cp1258" in err.problem
    assert "encoding='cp1258'" in err.problem
    assert [line for line, _ in got] == [2, 3]  # what comes before is read; nothing after


def test_not_utf8_line_counts_every_kind_of_line_break(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = 'id,note\r\nA,"hai\rdòng"\r\n\r\nB,ạ\nC,'.encode() + b"\xff\n"
    for size in (1, 2, 3, 5, 64 * 1024):
        monkeypatch.setattr(_formats, "_HEAD", size)
        monkeypatch.setattr(_formats, "_CHUNK", size)
        got, err = _until_error(_write(tmp_path, "t.csv", data))
        assert err.line == 6, size
        assert [line for line, _ in got] == [2, 5]


def test_bad_utf16_after_its_byte_order_mark(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lone_surrogate = b"\x00\xdc"  # U+DC00, little-endian
    data = codecs.BOM_UTF16_LE + "id\r\nạ\n".encode("utf-16-le") + lone_surrogate + b"\n\x00"
    for size in (1, 3, 64 * 1024):
        _small_chunks(monkeypatch, size)
        got, err = _until_error(_write(tmp_path, "t.csv", data))
        assert (err.line, got) == (3, [(2, {"id": "ạ"})]), size
        assert err.problem == (
            "the file starts with a UTF-16 byte-order mark but is not UTF-16 "
            "(bytes 0x00 0xdc cannot be decoded)"
        )


def test_a_character_cut_at_the_end_of_the_file_is_refused(tmp_path: Path) -> None:
    _, err = _until_error(_write(tmp_path, "t.csv", b"id\nA\n\xc3"))
    assert (err.line, "byte 0xc3" in err.problem) == (3, True)


def test_named_encoding_cp1258(tmp_path: Path) -> None:
    data = _cp1258(TEXT)
    assert unicodedata.normalize("NFC", data.decode("cp1258")) == TEXT
    table, rows = _read(_write(tmp_path, "t.csv", data), encoding="cp1258")
    assert table.encoding == "cp1258"
    assert table.header[0] == "Ma\u0303 hô\u0300 sơ"  # as decoded: the layer above makes it NFC

    def nfc(value: str | None) -> str | None:
        return None if value is None else unicodedata.normalize("NFC", value)

    assert [(n, {nfc(k): nfc(v) for k, v in r.items()}) for n, r in rows] == EXPECTED


def test_named_encoding_that_does_not_fit_names_the_line(tmp_path: Path) -> None:
    _, err = _until_error(_write(tmp_path, "t.csv", b"id\nA\n\x81\n"), encoding="shift_jis")
    assert err.line == 3
    assert "encoding 'shift_jis'" in err.problem


@pytest.mark.parametrize("name", ["cp9999", "rot13"])
def test_unknown_encoding_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(TableError, match=f"'{name}'.*--encoding") as info:
        _read(_write(tmp_path, "t.csv", "a\n"), encoding=name)
    assert info.value.line == 0


def test_nul_refused_with_a_hint_at_utf16(tmp_path: Path) -> None:
    data = "id,at\nA,1\n".encode("utf-16-le")  # no byte-order mark: not guessed
    with pytest.raises(TableError) as info:
        _read(_write(tmp_path, "t.csv", data))
    err = info.value
    assert err.line == 1
    assert "NUL" in err.problem
    assert "--encoding utf-16-le" in err.problem


def test_a_workbook_named_csv_is_refused(tmp_path: Path) -> None:
    with pytest.raises(TableError, match="zip archive"):
        _read(_write(tmp_path, "t.csv", b"PK\x03\x04rest"))
    with pytest.raises(TableError, match="a Parquet file"):
        _read(_write(tmp_path, "t.csv", b"PAR1\x15\x04rest"))
    # text that merely starts with the same letters is text
    assert _rows(_write(tmp_path, "t.csv", "PAR1,x\n1,2\n")) == [(2, {"PAR1": "1", "x": "2"})]
    assert _read(io.BytesIO(b"PAR1,x\n1,2\n"))[0].format == "csv"


# --- CSV: quotes, fields, lines ---------------------------------------------------------------


def test_unclosed_quote_names_the_line_where_it_opens(tmp_path: Path) -> None:
    text = 'id,note\nA,ok\nB,"broken\nC,x\nD,y\nE,z\n'  # six lines; the quote opens on line 3
    got, err = _until_error(_write(tmp_path, "t.csv", text))
    assert err.line == 3
    assert "unclosed quote" in err.problem
    assert "opens on line 3" in err.problem
    assert got == [(2, {"id": "A", "note": "ok"})]  # nothing from lines 3-6


def test_text_after_a_closing_quote_refused(tmp_path: Path) -> None:
    got, err = _until_error(_write(tmp_path, "t.csv", 'id,note\nA,ok\nB,"say "hi""\n'))
    assert (err.line, len(got)) == (3, 1)
    assert "two quotes" in err.problem
    assert "Error" not in err.problem
    assert "'\"'" not in err.problem


def test_a_quote_closed_by_a_later_lines_quote_names_where_it_opens(tmp_path: Path) -> None:
    text = 'id,note,x\nA,"no end,\nB,ok,\nC,=HYPERLINK("http://x"),y\nD,z,\n'
    got, err = _until_error(_write(tmp_path, "t.csv", text))
    assert (err.line, got) == (2, [])
    assert "opens on line 2 runs on to line 4" in err.problem


def test_doubled_quotes_and_delimiters_inside_quotes(tmp_path: Path) -> None:
    rows = _rows(_write(tmp_path, "t.csv", 'id,note\nA,"say ""hi"", then go"\n'))
    assert rows == [(2, {"id": "A", "note": 'say "hi", then go'})]


def test_embedded_newlines_shift_the_next_line_number(tmp_path: Path) -> None:
    text = 'id,note\nA,"line one\nline two\nline three"\nB,x\r\nC,"a\r\nb"\r\nD,y\n'
    assert _rows(_write(tmp_path, "t.csv", text)) == [
        (2, {"id": "A", "note": "line one\nline two\nline three"}),
        (5, {"id": "B", "note": "x"}),
        (6, {"id": "C", "note": "a\r\nb"}),
        (8, {"id": "D", "note": "y"}),
    ]


def test_a_long_legitimate_note_is_read(tmp_path: Path) -> None:
    note = "\n".join(f"dòng {i}: ghi chú" for i in range(500))
    text = f'id,note\nA,"{note}"\nB,x\n'
    assert _rows(_write(tmp_path, "t.csv", text)) == [
        (2, {"id": "A", "note": note}),
        (502, {"id": "B", "note": "x"}),
    ]


def test_a_record_over_a_thousand_lines_is_a_misplaced_quote(tmp_path: Path) -> None:
    lines = [f"R{i},x" for i in range(1500)]
    text = 'id,note\nA,"stray\n' + "\n".join(lines) + '\nB",y\nC,z\n'
    # the quote opened on line 2 closes at 'B"' on line 1503: 1,502 lines in one record
    _, err = _until_error(_write(tmp_path, "t.csv", text))
    assert err.line == 2
    assert "stray quote" in err.problem


def test_blank_lines_skipped_but_counted(tmp_path: Path) -> None:
    text = "\n\nid,at\n\nA,1\n,\n  ,\t\n\nB,2\n\n"
    table, rows = _read(_write(tmp_path, "t.csv", text))
    assert table.header == ("id", "at")
    assert rows == [(5, {"id": "A", "at": "1"}), (9, {"id": "B", "at": "2"})]


def test_crlf_and_lone_cr(tmp_path: Path) -> None:
    assert _rows(_write(tmp_path, "t.csv", b"id,at\r\nA,1\r\n\r\nB,2\rC,3")) == [
        (2, {"id": "A", "at": "1"}),
        (4, {"id": "B", "at": "2"}),
        (5, {"id": "C", "at": "3"}),
    ]


def test_cells_are_not_stripped_and_empty_is_none(tmp_path: Path) -> None:
    rows = _rows(_write(tmp_path, "t.csv", 'id,a,b,c\n A ,,"", \n'))
    assert rows == [(2, {"id": " A ", "a": None, "b": None, "c": " "})]


def test_short_and_long_rows_carry_their_cell_count(tmp_path: Path) -> None:
    rows = _rows(_write(tmp_path, "t.csv", "id,a,b\nA,1\nB,1,2,3\nC,1,2\nD\n"))
    assert rows == [
        (2, {"id": "A", "a": "1", "b": None, CELL_COUNT: 2}),
        (3, {"id": "B", "a": "1", "b": "2", CELL_COUNT: 4}),
        (4, {"id": "C", "a": "1", "b": "2"}),
        (5, {"id": "D", "a": None, "b": None, CELL_COUNT: 1}),
    ]


def test_a_200_kb_field_is_read(tmp_path: Path) -> None:
    big = "ạ" * 200_000
    assert _rows(_write(tmp_path, "t.csv", f'id,note\nA,"{big}"\nB,x\n')) == [
        (2, {"id": "A", "note": big}),
        (3, {"id": "B", "note": "x"}),
    ]


def test_field_limit_is_16_mb(tmp_path: Path) -> None:
    at_limit = "x" * FIELD_LIMIT
    path = _write(tmp_path, "t.csv", f"id,note\nA,{at_limit}\n")
    assert _rows(path)[0][1]["note"] == at_limit
    over = "x" * (17 * 1024 * 1024)
    path = _write(tmp_path, "t.csv", f'id,note\nA,ok\n\nB,"{over}"\nC,x\n')
    got, err = _until_error(path)
    assert err.line == 4
    assert err.problem.startswith("a field of more than 16 MB (the limit)")
    assert [line for line, _ in got] == [2]


def test_field_limit_kept_when_the_csv_module_allows_more(tmp_path: Path) -> None:
    old = csv.field_size_limit(sys.maxsize)
    try:
        path = _write(tmp_path, "t.csv", f"id,note\nA,ok\nB,{'x' * (FIELD_LIMIT + 1)}\n")
        got, err = _until_error(path)
        assert (err.line, err.column, len(got)) == (3, "note", 1)
        assert csv.field_size_limit() == sys.maxsize  # never lowered
    finally:
        csv.field_size_limit(old)


# --- CSV: header ----------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "\n\n", " , \n\n"])
def test_empty_file_refused(tmp_path: Path, text: str) -> None:
    with pytest.raises(TableError, match="empty file: expected a header row"):
        _read(_write(tmp_path, "t.csv", text))


def test_exact_duplicate_header_refused_naming_both_positions(tmp_path: Path) -> None:
    with pytest.raises(TableError) as info:
        _read(_write(tmp_path, "t.csv", "id,a,at,b,c,d,e,f,at\n"))
    assert info.value.line == 1
    assert info.value.problem == "the column 'at' appears twice (columns 3 and 9)"


def test_near_duplicate_header_is_not_this_layers_business(tmp_path: Path) -> None:
    table, _ = _read(_write(tmp_path, "t.csv", "at,AT,At \n"))
    assert table.header == ("at", "AT", "At ")


def test_empty_header_cell_refused(tmp_path: Path) -> None:
    with pytest.raises(TableError) as info:
        _read(_write(tmp_path, "t.csv", "\nid,a, ,b\n"))
    assert (info.value.line, info.value.problem) == (2, "column 3 has no name")


def test_header_line_number_after_leading_blank_lines(tmp_path: Path) -> None:
    table, rows = _read(_write(tmp_path, "t.csv", "\n\nid\nA\n"))
    assert (table.header, rows) == (("id",), [(4, {"id": "A"})])


# --- CSV: chunk boundaries ------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    cells=st.lists(
        st.lists(st.text(alphabet='aạ,;"\r\n x', max_size=6), min_size=2, max_size=2),
        min_size=1,
        max_size=8,
    ),
    terminator=st.sampled_from(["\n", "\r\n", "\r"]),
    size=st.integers(min_value=1, max_value=9),
)
def test_any_chunk_size_reads_what_the_csv_module_reads(
    cells: list[list[str]], terminator: str, size: int
) -> None:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator=terminator)
    writer.writerow(["h1", "h2"])
    writer.writerows(cells)
    text = out.getvalue()
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    expected = []
    start = reader.line_num + 1
    for i, record in enumerate(reader):
        if i and "".join(record).strip():
            values = [c or None for c in record]
            row = dict(zip(("h1", "h2"), [*values, None, None], strict=False))
            if len(values) != 2:
                row[CELL_COUNT] = len(values)
            expected.append((start, row))
        start = reader.line_num + 1
    with pytest.MonkeyPatch.context() as monkeypatch:
        _small_chunks(monkeypatch, size)
        got = _rows(io.BytesIO(text.encode("utf-8")), format="csv", delimiter=",")
    assert got == expected


# --- JSON Lines -----------------------------------------------------------------------------


def test_jsonl_records_and_per_line_problems(tmp_path: Path) -> None:
    text = (
        codecs.BOM_UTF8.decode("utf-8")
        + '{"id": "A", "n": 1, "ok": true, "x": null, "f": 1.5, "tags": ["a"]}\r\n'
        + "\n"
        + "   \n"
        + '{"id": "B", "n": \n'
        + "[1, 2]\n"
        + '{"id": "C", "id": "D"}\n'
        + '{"id": "E", "n": NaN}\n'
        + '{"id": "F"}\n'
    )
    table, rows = _read(_write(tmp_path, "t.jsonl", text))
    assert (table.format, table.header, table.encoding) == (
        "jsonl",
        ("id", "n", "ok", "x", "f", "tags"),
        "utf-8-sig",
    )
    assert rows == [
        (1, {"id": "A", "n": 1, "ok": True, "x": None, "f": 1.5, "tags": ["a"]}),
        (4, {BROKEN: "not valid JSON (Expecting value at column 18)"}),
        (5, {BROKEN: "expected a JSON object per line"}),
        (6, {BROKEN: "the key 'id' appears twice"}),
        (7, {BROKEN: "not valid JSON (NaN is not a JSON value; write null)"}),
        (8, {"id": "F"}),
    ]


def test_jsonl_header_is_the_first_object(tmp_path: Path) -> None:
    table, rows = _read(_write(tmp_path, "t.ndjson", 'oops\n{"b": 1, "a": 2}\n{"c": 3}\n'))
    assert table.header == ("b", "a")
    assert [line for line, _ in rows] == [1, 2, 3]
    assert BROKEN in rows[0][1]


def test_jsonl_deep_nesting_is_a_broken_line(tmp_path: Path) -> None:
    rows = _rows(_write(tmp_path, "t.jsonl", '{"a": ' + "[" * 100_000 + "\n"))
    assert rows == [(1, {BROKEN: "not valid JSON (nested too deeply)"})]


def test_json_array_refused(tmp_path: Path) -> None:
    with pytest.raises(TableError, match="JSON array, not JSON Lines") as info:
        _read(_write(tmp_path, "t.json", '[\n  {"id": "A"}\n]\n'))
    assert info.value.line == 1


def test_jsonl_not_utf8_refused(tmp_path: Path) -> None:
    _, err = _until_error(_write(tmp_path, "t.jsonl", b'{"a": 1}\n{"a": "\xe0"}\n'))
    assert err.line == 2
    assert "--encoding" in err.problem


def test_empty_jsonl_has_no_records(tmp_path: Path) -> None:
    table, rows = _read(_write(tmp_path, "t.jsonl", "\n"))
    assert (table.header, rows) == ((), [])


# --- Excel ----------------------------------------------------------------------------------


def _workbook(tmp_path: Path, name: str = "t.xlsx") -> Path:
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Hồ sơ"
    ws["A2"], ws["B2"], ws["C2"], ws["D2"] = "Mã hồ sơ", "Ngày nhận", 2024, None
    ws.append(["HS-01", datetime(2024, 3, 1, 8, 30), 1, None])
    ws.append([None, None, None])
    ws.append(["HS-02", date(2024, 3, 2), 2.5, None])
    ws.append([" ", "", None])
    ws.append(["HS-03", "  text  ", True, None, "extra"])
    other = wb.create_sheet("Khác")
    other.append(["x"])
    other.append(["1"])
    path = tmp_path / name
    wb.save(path)
    return path


def test_xlsx_values_and_sheet_rows(tmp_path: Path) -> None:
    table, rows = _read(_workbook(tmp_path))
    assert (table.format, table.header, table.delimiter, table.encoding) == (
        "xlsx",
        ("Mã hồ sơ", "Ngày nhận", "2024"),
        None,
        None,
    )
    assert rows[0] == (
        3,
        {"Mã hồ sơ": "HS-01", "Ngày nhận": datetime(2024, 3, 1, 8, 30), "2024": 1},
    )
    assert isinstance(rows[0][1]["Ngày nhận"], datetime)
    assert rows[1][0] == 5
    # Excel stores every moment as a number; a cell shown as a date alone ("yyyy-mm-dd", the
    # format openpyxl gives a date) is read as a date, not as midnight.
    assert rows[1][1]["Ngày nhận"] == date(2024, 3, 2)
    assert type(rows[1][1]["Ngày nhận"]) is date
    assert rows[1][1]["2024"] == 2.5
    assert rows[2] == (
        7,
        {"Mã hồ sơ": "HS-03", "Ngày nhận": "  text  ", "2024": True, CELL_COUNT: 5},
    )
    assert len(rows) == 3


@pytest.mark.parametrize(
    ("number_format", "expected"),
    [
        ("dd/mm/yyyy", date(2026, 11, 20)),
        ("d-mmm-yy", date(2026, 11, 20)),
        ("mm-dd-yy", date(2026, 11, 20)),  # Excel's built-in date format 14
        ('dd/mm/yyyy "lúc" [$-42A]', date(2026, 11, 20)),  # literals and a locale: no time
        ("dd/mm/yyyy hh:mm", datetime(2026, 11, 20)),  # a receipt at midnight, shown as such
        ("yyyy-mm-dd h:mm:ss AM/PM", datetime(2026, 11, 20)),
        ("dd/mm/yyyy ", datetime(2026, 11, 20, 9, 30)),  # a time the format hides is kept
    ],
)
def test_xlsx_dates_shown_without_a_time_are_dates(
    tmp_path: Path, number_format: str, expected: object
) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["at"])
    ws.append([expected if isinstance(expected, datetime) else datetime(2026, 11, 20)])
    ws["A2"].number_format = number_format
    wb.save(tmp_path / "d.xlsx")
    _, rows = _read(tmp_path / "d.xlsx")
    assert rows == [(2, {"at": expected})]
    assert type(rows[0][1]["at"]) is type(expected)


def test_xlsx_sheet_by_name(tmp_path: Path) -> None:
    table, rows = _read(_workbook(tmp_path), sheet="Khác")
    assert (table.header, rows) == (("x",), [(2, {"x": "1"})])


def test_xlsx_unknown_sheet_refused_listing_the_sheets(tmp_path: Path) -> None:
    with pytest.raises(TableError) as info:
        _read(_workbook(tmp_path), sheet="Sheet1")
    assert info.value.problem == "no sheet named 'Sheet1': the workbook has 'Hồ sơ', 'Khác'"


def test_xlsx_header_problems(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    wb.active.append(["id", None, "at"])
    wb.save(tmp_path / "gap.xlsx")
    with pytest.raises(TableError) as info:
        _read(tmp_path / "gap.xlsx")
    assert (info.value.line, info.value.problem) == (1, "column 2 (B) has no name")
    wb = openpyxl.Workbook()
    wb.save(tmp_path / "empty.xlsx")
    with pytest.raises(TableError, match="empty file"):
        _read(tmp_path / "empty.xlsx")


def test_xlsm_suffix_and_broken_workbook(tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    table, _ = _read(_workbook(tmp_path, "t.xlsm"))
    assert table.format == "xlsx"
    with pytest.raises(TableError, match=r"not a valid Excel \.xlsx workbook"):
        _read(_write(tmp_path, "bad.xlsx", b"PK\x03\x04 not really a zip"))


# --- Parquet --------------------------------------------------------------------------------


def test_parquet_records(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    at = [datetime(2024, 3, 1, 1, 30, tzinfo=UTC), None, datetime(2024, 3, 3, tzinfo=UTC)]
    t = pa.table(
        {
            "id": ["A", "B", "C"],
            "at": pa.array(at, pa.timestamp("us", tz="Asia/Ho_Chi_Minh")),
            "local": pa.array([datetime(2024, 3, 1, 8, 30)] * 3, pa.timestamp("ns")),
            "n": [1, None, 3],
        }
    )
    pq.write_table(t, tmp_path / "t.parquet")
    monkeypatch.setattr(_formats, "_BATCH", 2)  # lines run on across batches
    table, rows = _read(tmp_path / "t.parquet")
    assert (table.format, table.header) == ("parquet", ("id", "at", "local", "n"))
    assert [line for line, _ in rows] == [2, 3, 4]
    first = rows[0][1]
    assert first["at"] == datetime(2024, 3, 1, 8, 30, tzinfo=ICT)
    assert first["at"].utcoffset() == timedelta(hours=7)
    assert type(first["local"]) is datetime
    assert first["local"].tzinfo is None
    assert rows[1][1] == {"id": "B", "at": None, "local": datetime(2024, 3, 1, 8, 30), "n": None}


def test_parquet_nanoseconds_refused_with_line(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    t = pa.table({"id": ["A", "B"], "at": pa.array([1_000, 1_001], pa.timestamp("ns"))})
    pq.write_table(t, tmp_path / "t.pq")
    _, err = _until_error(tmp_path / "t.pq")
    assert (err.line, err.column) == (3, "at")


def test_parquet_broken_file_refused(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    with pytest.raises(TableError, match="not a valid Parquet file") as info:
        _read(_write(tmp_path, "t.parquet", b"PAR1 but not really"))
    assert info.value.line == 0


# --- optional libraries -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "module", "message"),
    [
        ("t.xlsx", "openpyxl", "reading .xlsx files needs openpyxl: pip install 'tthc_sla[xlsx]'"),
        (
            "t.parquet",
            "pyarrow",
            "reading Parquet files needs pyarrow: pip install 'tthc_sla[parquet]'",
        ),
    ],
)
def test_missing_optional_library(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, module: str, message: str
) -> None:
    real = _formats.importlib.import_module

    def without(wanted: str) -> Any:
        if wanted.split(".")[0] == module:
            raise ModuleNotFoundError(f"No module named '{module}'")
        return real(wanted)

    monkeypatch.setattr(_formats.importlib, "import_module", without)
    with pytest.raises(TableError) as info:
        _read(_write(tmp_path, name, b"PK\x03\x04"))
    assert (info.value.line, info.value.problem) == (0, message)


def test_optional_libraries_not_imported_with_the_module() -> None:
    import subprocess

    code = (
        "import sys, tthc_sla._formats; "
        "print(sorted(m for m in ('openpyxl', 'pyarrow') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --- formats and sources ----------------------------------------------------------------------


def test_xls_refused(tmp_path: Path) -> None:
    with pytest.raises(TableError) as info:
        _read(_write(tmp_path, "t.XLS", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"))
    assert info.value.problem == (
        "the old binary Excel format (.xls) is not read: save the sheet as .xlsx or CSV"
    )
    with pytest.raises(TableError, match=r"\(\.xls\)"):
        _read(io.BytesIO(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100)))


@pytest.mark.parametrize("name", ["t.csv.gz", "t", "t.xml"])
def test_unknown_suffix_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(TableError, match=r"expected \.csv, .*\.parquet, \.pq"):
        _read(_write(tmp_path, name, "a\n1\n"))


def test_missing_file_raises_oserror(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        _read(tmp_path / "nope.csv")


def test_forced_format(tmp_path: Path) -> None:
    path = _write(tmp_path, "t.txt", '{"id": "A"}\n')
    assert _read(path)[0].format == "csv"
    table, rows = _read(path, format="jsonl")
    assert (table.format, rows) == ("jsonl", [(1, {"id": "A"})])
    with pytest.raises(TableError, match="unknown format 'xml': expected one of csv, jsonl"):
        _read(path, format="xml")


def test_streams_are_sniffed(tmp_path: Path) -> None:
    assert _read(io.BytesIO(b"id;at\nA;1\n"))[0].format == "csv"
    assert _read(io.BytesIO(codecs.BOM_UTF8 + b' \n{"id": "A"}\n'))[0].format == "jsonl"
    assert _read(io.BytesIO("{}".encode("utf-16")))[0].format == "jsonl"
    table, rows = _read(io.StringIO('\n{"id": "A"}\n'))
    assert (table.name, table.format, rows) == ("<stream>", "jsonl", [(2, {"id": "A"})])
    table, rows = _read(io.StringIO("id;at\r\nA;1\r\n"))
    assert (table.format, table.delimiter, rows) == ("csv", ";", [(2, {"id": "A", "at": "1"})])


class _Unseekable(io.RawIOBase):
    """A pipe-like binary stream."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        chunk = self._data.read(min(len(buffer), 3))  # a few bytes at a time, like a pipe
        buffer[: len(chunk)] = chunk
        return len(chunk)


def test_binary_streams_of_workbooks_and_parquet(tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    data = _workbook(tmp_path).read_bytes()
    table, rows = _read(io.BytesIO(data))
    assert (table.format, len(rows)) == ("xlsx", 3)
    table, rows = _read(_Unseekable(data))
    assert (table.format, len(rows)) == ("xlsx", 3)
    pq.write_table(pa.table({"id": ["A"]}), tmp_path / "t.parquet")
    table, rows = _read(_Unseekable((tmp_path / "t.parquet").read_bytes()))
    assert (table.format, rows) == ("parquet", [(2, {"id": "A"})])
    with (tmp_path / "t.parquet").open("rb") as f:  # an open file's name tells the format
        table, rows = _read(f)
    assert (table.name, table.format) == (str(tmp_path / "t.parquet"), "parquet")


def test_unseekable_csv_stream(tmp_path: Path) -> None:
    table, rows = _read(_Unseekable(TEXT.encode("utf-8")))
    assert (table.name, table.format, rows) == ("<stream>", "csv", EXPECTED)


def test_encoding_refused_for_a_text_stream() -> None:
    with pytest.raises(TableError, match="already decoded"):
        _read(io.StringIO("a\n"), encoding="utf-8")


def test_workbook_from_a_text_stream_refused() -> None:
    with pytest.raises(TableError, match="binary mode"):
        _read(io.StringIO("a\n"), format="xlsx")


def test_rows_only_inside_the_block(tmp_path: Path) -> None:
    with open_table(_write(tmp_path, "t.csv", "id\nA\nB\n")) as table:
        rows = table.rows
    with pytest.raises(ValueError, match="inside its `with open_table"):
        list(rows)


def test_path_given_as_str_and_name_kept(tmp_path: Path) -> None:
    path = _write(tmp_path, "t.CSV", "id\nA\n")
    table, rows = _read(str(path))
    assert (table.name, rows) == (str(path), [(2, {"id": "A"})])
