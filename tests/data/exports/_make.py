"""Rebuild the dirty exports of ``examples/events.csv`` in this folder.

Run once, by hand, from anywhere: ``python tests/data/exports/_make.py``. The files it writes
are committed; ``cases.toml`` (the manifest, with every expected line number counted by hand
from the written files) is not written here. Each variant carries one defect or one
re-encoding, so that a failing case points at one thing.

Lines are the file's physical lines, 1 = the header (JSON Lines: 1 = the first record). In the
clean file HS-001 is on lines 2-8, HS-002 9-15, HS-003 16-23, HS-004 24-27, HS-005 28-29,
HS-006 30-31, HS-007 32-33, HS-008 34-35, HS-009 36-37 and HS-010 38.
"""

from __future__ import annotations

import csv
import io
import json
import random
import unicodedata
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

HERE = Path(__file__).parent
CLEAN = HERE.parent.parent.parent / "examples" / "events.csv"

# Column positions in the clean header.
ID, PROC, AT, KIND, STEP, UNIT, NEW_DUE, NOTE, AGENCY, FIELD, CHANNEL, LEVEL = range(12)

VI_HEADERS = [
    "Mã hồ sơ",
    "Mã thủ tục",
    "Thời điểm",
    "Loại sự kiện",
    "Bước",
    "Đơn vị",
    "Hẹn trả mới",
    "Ghi chú",
    "Cơ quan",
    "Lĩnh vực",
    "Kênh",
    "Cấp",
]
VI_HEADERS_ALT = [
    "Số hồ sơ",
    "Mã TTHC",
    "Thời gian",
    "Sự kiện",
    "Bước xử lý",
    "Đơn vị xử lý",
    "Ngày hẹn trả mới",
    "Ghi chú",
    "Cơ quan giải quyết",
    "Lĩnh vực",
    "Hình thức nộp",
    "Cấp thực hiện",
]
VI_HEADERS_ALT2 = [
    "Mã HS",
    "Mã TTHC",
    "Ngày giờ",
    "Trạng thái",
    "Bước",
    "Đơn vị",
    "Hẹn trả mới",
    "Ghi chú",
    "Cơ quan",
    "Lĩnh vực",
    "Kênh nộp",
    "Cấp",
]
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
# The other words, in mixed case: "Tiếp Nhận" is read like "tiếp nhận".
VI_KINDS_ALT = {
    "submitted": "Nộp Hồ Sơ",
    "received": "TIẾP NHẬN",
    "step_started": "Chuyển xử lý",
    "step_finished": "Kết thúc bước",
    "supplement_requested": "Yêu cầu bổ sung",
    "supplement_received": "Nhận bổ sung",
    "paused": "Tạm Dừng",
    "resumed": "Tiếp tục",
    "rescheduled": "Hẹn lại",
    "resolved": "Hoàn thành",
    "returned": "Đã trả kết quả",
    "withdrawn": "Rút hồ sơ",
}
VI_CHANNELS = {"direct": "trực tiếp", "online": "Trực tuyến", "postal": "dịch vụ bưu chính"}

Row = list[str]


def _clean() -> tuple[str, Row, list[Row]]:
    text = CLEAN.read_text(encoding="utf-8")
    header, *rows = csv.reader(io.StringIO(text))
    assert len(rows) == 37, len(rows)
    return text, header, rows


TEXT, HEADER, ROWS = _clean()
RAW = TEXT.splitlines()  # RAW[n - 1] is line n


def render(
    header: Row,
    rows: list[Row],
    *,
    delimiter: str = ",",
    quote_all: bool = False,
    newline: str = "\n",
) -> str:
    """CSV in the clean file's own style: a cell is quoted only where it has to be.

    (``csv.writer`` would also quote HS-010's ``=HYPERLINK("...")``, which the clean file
    writes bare; quoting only where needed keeps every variant's diff to its one defect.)
    """

    def cell(value: str) -> str:
        if quote_all or delimiter in value or "\n" in value or "\r" in value:
            return '"' + value.replace('"', '""') + '"'
        if value.startswith('"'):
            return '"' + value.replace('"', '""') + '"'
        return value

    return "".join(delimiter.join(map(cell, r)) + newline for r in [header, *rows])


def put(name: str, data: str | bytes) -> None:
    (HERE / name).write_bytes(data.encode("utf-8") if isinstance(data, str) else data)


def copy_rows() -> list[Row]:
    return [list(r) for r in ROWS]


def edited(line: int, column: int, value: str) -> list[Row]:
    """The clean rows with one cell changed: the row of file line ``line``."""
    rows = copy_rows()
    rows[line - 2][column] = value
    return rows


def raw_edited(line: int, new: str) -> str:
    """The clean text with file line ``line`` replaced verbatim."""
    lines = list(RAW)
    lines[line - 1] = new
    return "\n".join(lines) + "\n"


def map_times(fn: Callable[[datetime], str], rows: list[Row] | None = None) -> list[Row]:
    """The rows with every ``at`` and ``new_due`` rewritten by ``fn``."""
    rows = copy_rows() if rows is None else rows
    for r in rows:
        for c in (AT, NEW_DUE):
            if r[c]:
                r[c] = fn(datetime.fromisoformat(r[c]))
    return rows


def map_column(column: int, fn: Callable[[str], str]) -> list[Row]:
    rows = copy_rows()
    for r in rows:
        if r[column]:
            r[column] = fn(r[column])
    return rows


def cp1258(text: str) -> bytes:
    """Windows-1258 bytes: tone marks as combining characters, vowel shapes precomposed.

    Python's cp1258 codec has â, ă, ê, ô, ơ, ư precomposed but no combining circumflex, breve
    or horn, and no precomposed toned vowels beyond a few; so plain NFD does not encode.
    """
    shapes = {"\u0302", "\u0306", "\u031b"}
    out: list[str] = []
    for ch in unicodedata.normalize("NFD", text):
        if ch in shapes:
            i = len(out) - 1
            while unicodedata.combining(out[i]):
                i -= 1
            out[i] = unicodedata.normalize("NFC", out[i] + ch)
        else:
            out.append(ch)
    return "".join(out).encode("cp1258")


def jsonl(header: Row, rows: list[Row]) -> list[str]:
    return [
        json.dumps({k: v for k, v in zip(header, r, strict=True) if v}, ensure_ascii=False)
        for r in rows
    ]


def main() -> None:
    clean = render(HEADER, ROWS)
    assert clean == TEXT, "the clean file no longer renders to itself"

    # ------------------------------------------------------------ read equal to the clean file
    put("sep_semicolon.csv", render(HEADER, ROWS, delimiter=";"))
    put("sep_tab.csv", render(HEADER, ROWS, delimiter="\t"))
    put("utf8_bom.csv", b"\xef\xbb\xbf" + clean.encode("utf-8"))
    put("utf16le_bom.csv", b"\xff\xfe" + clean.encode("utf-16-le"))
    put("utf16be_bom.csv", b"\xfe\xff" + clean.encode("utf-16-be"))
    put("cp1258.csv", cp1258(clean))
    put("headers_vi.csv", render(VI_HEADERS, ROWS))
    put("headers_vi_alt.csv", render(VI_HEADERS_ALT, ROWS))
    put("headers_vi_alt2.csv", render(VI_HEADERS_ALT2, ROWS))
    put("headers_vi_upper.csv", render([h.upper() for h in VI_HEADERS], ROWS))
    put("headers_vi_nfd.csv", render([unicodedata.normalize("NFD", h) for h in VI_HEADERS], ROWS))
    put("headers_upper.csv", render([h.upper() for h in HEADER], ROWS))
    put("headers_spaced.csv", render([f"  {h} " for h in HEADER], ROWS))
    put("time_ddmmyyyy.csv", render(HEADER, map_times(lambda t: t.strftime("%d/%m/%Y %H:%M"))))
    put("time_seconds.csv", render(HEADER, map_times(lambda t: t.strftime("%Y-%m-%dT%H:%M:%S"))))
    put("time_iso_space.csv", render(HEADER, map_times(lambda t: t.strftime("%Y-%m-%d %H:%M"))))
    put("rows_newest_first.csv", render(HEADER, ROWS[::-1]))
    shuffled = copy_rows()
    random.Random(2026).shuffle(shuffled)
    put("rows_shuffled.csv", render(HEADER, shuffled))
    put(
        "time_offset_plus0700.csv",
        render(HEADER, map_times(lambda t: t.strftime("%Y-%m-%dT%H:%M+07:00"))),
    )
    put(
        "time_utc_z.csv",
        render(HEADER, map_times(lambda t: (t - timedelta(hours=7)).strftime("%Y-%m-%dT%H:%MZ"))),
    )
    put(
        "time_offset_plus0000.csv",
        render(
            HEADER,
            map_times(lambda t: (t - timedelta(hours=7)).strftime("%Y-%m-%dT%H:%M+00:00")),
        ),
    )
    styles: list[Callable[[datetime], str]] = [
        lambda t: t.strftime("%Y-%m-%dT%H:%M"),
        lambda t: t.strftime("%Y-%m-%dT%H:%M+07:00"),
        lambda t: (t - timedelta(hours=7)).strftime("%Y-%m-%dT%H:%MZ"),
        lambda t: (t + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M+09:00"),
    ]
    mixed = copy_rows()
    for i, r in enumerate(mixed):
        for c in (AT, NEW_DUE):
            if r[c]:
                r[c] = styles[i % 4](datetime.fromisoformat(r[c]))
    put("time_mixed_offsets.csv", render(HEADER, mixed))
    put("kinds_vi.csv", render(HEADER, map_column(KIND, VI_KINDS.__getitem__)))
    put("kinds_vi_alt.csv", render(HEADER, map_column(KIND, VI_KINDS_ALT.__getitem__)))
    put("kinds_upper.csv", render(HEADER, map_column(KIND, str.upper)))
    put("channels_vi.csv", render(HEADER, map_column(CHANNEL, VI_CHANNELS.__getitem__)))
    put("new_due_date_only.csv", render(HEADER, edited(29, NEW_DUE, "2026-11-06")))
    put("crlf.csv", render(HEADER, ROWS, newline="\r\n"))
    blank = RAW[:1]
    for n, line in enumerate(RAW[1:], start=2):
        blank.append(line)
        if n % 6 == 0:
            blank.append("")
    put("blank_lines.csv", "\n".join(blank) + "\n\n")
    spaced = copy_rows()
    for r in spaced:
        for c, v in enumerate(r):
            if v and not v.startswith("="):
                r[c] = f" {v}  " if c % 2 else f"{v}   "
    put("trailing_spaces.csv", render(HEADER, spaced))
    big = ("thiếu bản vẽ mặt bằng, mặt cắt; " * 7000)[:200_000]
    put("note_200kb.csv", render(HEADER, edited(26, NOTE, big)))
    put(
        "extra_column.csv",
        render([*HEADER, "Người xử lý"], [[*r, f"cán bộ {i % 3}"] for i, r in enumerate(ROWS)]),
    )
    put("events.jsonl", "\n".join(jsonl(HEADER, ROWS)) + "\n")
    mapped = ["Mã hồ sơ gốc", *HEADER[1:]]
    put("columns_user_map.csv", render(mapped, ROWS))
    put("columns_map.toml", '[columns]\n"Mã hồ sơ gốc" = "dossier_id"\n')
    flags = {2: "không", 9: "false", 16: "0", 24: "no", 28: "Không", 30: "FALSE"}
    put(
        "difficult_area_falsy.csv",
        render(
            [*HEADER, "difficult_area"],
            [[*r, flags.get(n, "")] for n, r in enumerate(ROWS, start=2)],
        ),
    )
    put(
        "note_multiline.csv",
        render(HEADER, edited(26, NOTE, 'thiếu bản vẽ,\nmặt bằng; "bản gốc"')),
    )
    # Cells the output must escape or quote (the CSV writers, by rows and by columns): ids
    # read as formulas by a spreadsheet, a quote, a comma, a line break inside a label; the
    # manifest's relabel maps each back to the clean file's text.
    escape = copy_rows()
    ids = {"HS-001": "=HS-001", "HS-002": "+HS-002", "HS-003": "-HS-003", "HS-006": "@HS-006",
           "HS-007": 'HS-007 "bis"', "HS-008": "HS-008, bis"}  # fmt: skip
    for r in escape:
        r[ID] = ids.get(r[ID], r[ID])
    escape[9 - 2][AGENCY] = "UBND xã\nHòa Vang"
    put("output_cells_to_escape.csv", render(HEADER, escape))
    # A carriage return alone inside a quoted label: quoted on output from Python 3.12 on, not
    # by 3.11's csv module (the column writer asks the running Python).
    put("output_cell_carriage_return.csv",
        render(HEADER, edited(24, AGENCY, "Chi nhánh\rVPĐKĐĐ Hòa Vang")))  # fmt: skip
    # A quote inside a bare cell is text (csv module and pyarrow alike), and quotes do not
    # pair up across lines: a reader cutting the file where quotes balance would go wrong.
    put("note_stray_quote.csv", render(HEADER, edited(26, NOTE, 'ống 5" inch')))
    put(
        "values_nfd.csv",
        render(HEADER, [[unicodedata.normalize("NFD", v) for v in r] for r in ROWS]),
    )
    # One value written three ways that read the same (as is, decomposed, padded with spaces),
    # row after row, and each dossier's agency, field, channel and level stated on every one of
    # its rows: a step started as "Thẩm định" may finish under its decomposed form, and a
    # dossier's agency written three ways is one agency.
    mixed = copy_rows()
    stated: dict[str, Row] = {}
    for n, r in enumerate(mixed):
        own = stated.setdefault(r[ID], list(r))
        for c in (AGENCY, FIELD, CHANNEL, LEVEL):
            r[c] = own[c]
        for c, v in enumerate(r):
            if c not in (ID, AT, NEW_DUE) and v and not v.startswith("="):
                r[c] = (v, unicodedata.normalize("NFD", v), f" {v} ")[n % 3]
    put("values_mixed_forms.csv", render(HEADER, mixed))
    put("quoted_all.csv", render(HEADER, ROWS, quote_all=True))

    # ------------------------------------------------------------ refused as a whole
    put("empty.csv", b"")
    put(
        "unclosed_quote.csv",
        raw_edited(
            26, 'HS-004,1.004227,2026-10-09T10:00,supplement_requested,,,,"thiếu bản vẽ,,,,'
        ),
    )
    # The quote above is "closed" by the first quote of HS-010's =HYPERLINK("...") on line 38;
    # here nothing follows the open quote but the end of the file.
    put("unclosed_quote_last_row.csv", raw_edited(38, RAW[37].replace(",Cấp xã", ',"Cấp xã')))
    put("column_twice.csv", render([*HEADER[:-1], "agency"], ROWS))
    put(
        "two_headers_one_column.csv",
        render([*HEADER, "Mã hồ sơ"], [[*r, r[ID]] for r in ROWS]),
    )
    put(
        "missing_kind_column.csv",
        render(
            [h for i, h in enumerate(HEADER) if i != KIND],
            [[v for i, v in enumerate(r) if i != KIND] for r in ROWS],
        ),
    )
    put("wrong_delimiter_forced.csv", clean)
    put("columns_unmapped.csv", render(mapped, ROWS))
    put("cp1258_without_encoding.csv", cp1258(clean))
    latin = TEXT.replace("chờ thực hiện nghĩa vụ tài chính", "\x00").encode("utf-8")
    put("latin1_byte.csv", latin.replace(b"\x00", "café crème".encode("latin-1")))
    put(
        "unknown_format.xml",
        '<?xml version="1.0" encoding="utf-8"?>\n<events>\n'
        '  <event dossier_id="HS-008" procedure="1.000894" at="2026-10-30T10:00" '
        'kind="received"/>\n</events>\n',
    )

    # ------------------------------------------------------------ dossiers set aside
    put("at_date_only.csv", render(HEADER, edited(18, AT, "2026-10-06")))
    put("at_year_2200.csv", render(HEADER, edited(15, AT, "2200-10-20T10:00")))
    put("at_impossible_date.csv", render(HEADER, edited(5, AT, "2026-02-30T08:00")))
    put("at_missing.csv", render(HEADER, edited(21, AT, "")))
    put("procedure_unknown_later_row.csv", render(HEADER, edited(12, PROC, "1.001640")))
    put("procedure_two.csv", render(HEADER, edited(31, PROC, "1.000894")))
    put("agency_two.csv", render(HEADER, edited(33, AGENCY, "UBND phường Hải Châu")))
    put("channel_two.csv", render(HEADER, edited(35, CHANNEL, "direct")))
    put("field_two.csv", render(HEADER, edited(37, FIELD, "Chứng thực")))
    dup = copy_rows()
    dup.insert(35 - 1, list(dup[35 - 2]))  # line 35 again, as line 36
    put("row_duplicate.csv", render(HEADER, dup))
    put("dossier_id_missing.csv", render(HEADER, edited(8, ID, "")))
    put("kind_unknown.csv", render(HEADER, edited(26, KIND, "xem xét")))
    put("channel_unknown.csv", render(HEADER, edited(9, CHANNEL, "fax")))
    put(
        "difficult_area_maybe.csv",
        render(
            [*HEADER, "difficult_area"],
            [[*r, "maybe" if n == 28 else ""] for n, r in enumerate(ROWS, start=2)],
        ),
    )
    put("cells_too_many.csv", raw_edited(22, RAW[21] + ",thừa"))
    put("cells_too_few.csv", raw_edited(27, "HS-004,1.004227,2026-10-19T08:00,supplement_received"))
    put("history_resumed_without_paused.csv", "\n".join(RAW[:17] + RAW[18:]) + "\n")
    typo = edited(3, STEP, "Thẩm đinh")  # HS-001's first step, a letter wrong (start...
    typo[4 - 2][STEP] = "Thẩm đinh"  # ... and finish): not a step of 1.001639
    put("history_step_not_in_procedure.csv", render(HEADER, typo))
    put(
        "every_row_bad.csv",
        render(
            HEADER,
            map_times(lambda t: t.strftime("%d.%m.%Y %H:%M"), [list(r) for r in ROWS]),
        ),
    )
    two = edited(18, AT, "2026-10-06")
    two[33 - 2][KIND] = "xem xét"
    put("two_bad_dossiers.csv", render(HEADER, two))
    multi = edited(26, NOTE, "thiếu bản vẽ,\nmặt bằng")
    multi[33 - 2][KIND] = "xem xét"  # file line 34: the note above takes two lines
    put("note_multiline_then_bad.csv", render(HEADER, multi))
    blank_bad = list(blank)  # blank_lines.csv, with HS-007's second row's kind unknown
    i = blank_bad.index(RAW[32])
    blank_bad[i] = RAW[32].replace(",resolved,", ",xem xét,")
    put("blank_lines_then_bad.csv", "\n".join(blank_bad) + "\n\n")
    bad_kind = render(HEADER, edited(33, KIND, "xem xét"))
    put("utf16le_then_bad.csv", b"\xff\xfe" + bad_kind.encode("utf-16-le"))
    records = jsonl(HEADER, ROWS)
    records[7 - 1] = records[7 - 1][:60]  # HS-001's "returned", cut short
    put("jsonl_broken_line.jsonl", "\n".join(records) + "\n")
    records = jsonl(HEADER, ROWS)
    records.insert(11 - 1, '["HS-011", "1.000894", "2026-10-12T08:00", "received"]')
    put("jsonl_not_object.jsonl", "\n".join(records) + "\n")

    # ------------------------------------------------------------ nothing to evaluate
    put("header_only.csv", RAW[0] + "\n")


if __name__ == "__main__":
    main()
