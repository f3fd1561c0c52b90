"""The statutory form Biểu số 06/VPCP/KSTT written as an Excel workbook (tthc_sla._form06).

The expected texts, merged ranges and hand-checked counts below are written from the form as
one-stop software prints it (law-2026-11.md §2.2) and from the example dossiers, not from the
module's output; the numbers of the example rows are compared with report_table, cell by cell.
"""

from __future__ import annotations

import io
import sys
import zipfile
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pytest

openpyxl = pytest.importorskip("openpyxl")

from tthc_sla import (  # noqa: E402
    InputTypeError,
    PolicyError,
    Summary,
    TableError,
    evaluate,
    read_dossiers,
    read_procedures,
    report_table,
    summarize,
    vietnam_calendar,
)
from tthc_sla._form06 import write_form06  # noqa: E402

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
OCT = (date(2026, 10, 1), date(2026, 10, 31))

# The form's columns (3)..(13), in sheet columns C..M, and the report_table counts they hold.
FORM = {
    "C": "to_handle",  # (3) Tổng số = carried over + received
    "D": "received_online",  # (4) Trực tuyến
    "E": "received_direct",  # (5) Trực tiếp, dịch vụ bưu chính
    "F": "carried_over",  # (6) Từ kỳ trước
    "G": "resolved",  # (7) đã giải quyết: Tổng số
    "H": "early",  # (8) Trước hạn
    "I": "on_time",  # (9) Đúng hạn
    "J": "late",  # (10) Quá hạn
    "K": "pending",  # (11) đang giải quyết: Tổng số
    "L": "pending_within",  # (12) Trong hạn
    "M": "pending_overdue",  # (13) Quá hạn
}

HEADER_TEXTS = {
    "A5": "STT",
    "B5": "Lĩnh vực, công việc giải quyết theo cấp",
    "C5": "Số hồ sơ nhận giải quyết",
    "G5": "Số hồ sơ đã giải quyết",
    "K5": "Số lượng hồ sơ đang giải quyết",
    "O5": "Kiểm tra",
    "P5": "Ghi chú",
    "C6": "Tổng số",
    "D6": "Trong đó",
    "F6": "Từ kỳ trước",
    "G6": "Tổng số",
    "H6": "Trước hạn",
    "I6": "Đúng hạn",
    "J6": "Quá hạn",
    "K6": "Tổng số",
    "L6": "Trong hạn",
    "M6": "Quá hạn",
    "D7": "Trực tuyến",
    "E7": "Trực tiếp, dịch vụ bưu chính",
    **{f"{letter}8": f"({i})" for i, letter in enumerate("ABCDEFGHIJKLM", 1)},
}

HEADER_MERGES = {
    "A5:A7",
    "B5:B7",
    "C5:F5",
    "G5:J5",
    "K5:M5",
    "C6:C7",
    "D6:E6",
    "F6:F7",
    "G6:G7",
    "H6:H7",
    "I6:I7",
    "J6:J7",
    "K6:K7",
    "L6:L7",
    "M6:M7",
    "O5:O8",
    "P5:P8",
}

TITLE_MERGES = {"A1:C1", "A2:C3", "D1:J1", "D2:J2", "D3:J3", "K1:M2", "K4:M4"}

WITHDRAWN_ONE = "1 hồ sơ rút, hủy trong kỳ: có trong (3), không có trong (7), (11)"
UNKNOWN_ONE = "1 hồ sơ không ghi kênh nộp: có trong (3), không có trong (4), (5)"
PROVISIONAL_TWO = "2 hồ sơ có kết quả tạm tính: thời hạn vượt quá lịch nghỉ đã công bố"


def _example_rows(period: tuple[date, date], by: tuple[str, ...]) -> list[dict[str, Any]]:
    procedures = read_procedures(EXAMPLES / "procedures.csv")
    table = read_dossiers(EXAMPLES / "events.csv", procedures)
    cal = vietnam_calendar()
    as_of = datetime.combine(period[1], time.max)  # evaluated as of the period's end
    evaluations = [evaluate(d, cal, as_of=as_of) for d in table.dossiers]
    return report_table(summarize(evaluations, period=period, by=by), by=by)


def _sheet(
    tmp_path: Path,
    rows: Sequence[Mapping[str, Any]],
    by: tuple[str, ...],
    period: tuple[date, date] = OCT,
    **options: Any,
) -> Any:
    path = tmp_path / "bieu06.xlsx"
    write_form06(path, rows, by=by, first=period[0], last=period[1], **options)
    return openpyxl.load_workbook(path).active


def _numbers(ws: Any, row: int) -> dict[str, Any]:
    return {FORM[letter]: ws[f"{letter}{row}"].value for letter in FORM}


def _counts(row: Mapping[str, Any]) -> dict[str, Any]:
    return {name: row[name] for name in FORM.values()}


def _added(rows: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    return {name: sum(r[name] for r in rows) for name in FORM.values()}


# --------------------------------------------------------------------------- title and header


def test_title_block(tmp_path: Path) -> None:
    ws = _sheet(tmp_path, _example_rows(OCT, ("agency",)), ("agency",), title_unit="UBND xã X")
    assert ws["A1"].value == "Biểu số 06/VPCP/KSTT"
    assert ws["A2"].value == "Ban hành theo Thông tư số 01/2020/TT-VPCP ngày 21/10/2020"
    assert ws["D1"].value == (
        "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH TẠI CƠ QUAN, ĐƠN VỊ "
        "TRỰC TIẾP GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"
    )
    assert ws["D2"].value == "Kỳ báo cáo: Tháng 10/2026"
    assert ws["D3"].value == "(Từ ngày 01/10/2026 đến ngày 31/10/2026)"
    assert ws["K1"].value == "Đơn vị báo cáo: UBND xã X"
    assert ws["K4"].value == "Đơn vị tính: Số hồ sơ TTHC"
    merged = {str(r) for r in ws.merged_cells.ranges if r.max_row <= 4}
    assert merged == TITLE_MERGES
    assert ws["D1"].font.bold
    assert ws["D1"].alignment.wrap_text


def test_no_unit_no_unit_cell(tmp_path: Path) -> None:
    ws = _sheet(tmp_path, _example_rows(OCT, ("agency",)), ("agency",))
    assert ws["K1"].value is None
    assert "K1:M2" not in {str(r) for r in ws.merged_cells.ranges}


@pytest.mark.parametrize(
    ("first", "last", "name"),
    [
        # calendar periods
        (date(2026, 10, 1), date(2026, 10, 31), "Tháng 10/2026"),
        (date(2026, 2, 1), date(2026, 2, 28), "Tháng 02/2026"),
        (date(2026, 10, 1), date(2026, 12, 31), "Quý IV/2026"),
        (date(2026, 1, 1), date(2026, 6, 30), "6 tháng đầu năm 2026"),
        (date(2026, 7, 1), date(2026, 12, 31), "6 tháng cuối năm 2026"),
        (date(2026, 1, 1), date(2026, 9, 30), "9 tháng năm 2026"),
        (date(2026, 1, 1), date(2026, 12, 31), "Năm 2026"),
        # Decree 09/2019 art. 12: from the 15th of the month before to the 14th
        (date(2026, 9, 15), date(2026, 10, 14), "Tháng 10/2026"),
        (date(2025, 12, 15), date(2026, 3, 14), "Quý I/2026"),
        (date(2025, 12, 15), date(2026, 6, 14), "6 tháng đầu năm 2026"),
        (date(2025, 12, 15), date(2026, 12, 14), "Năm 2026"),
        # anything else: the dates
        (date(2026, 10, 1), date(2026, 10, 20), "01/10/2026 – 20/10/2026"),
        (date(2026, 11, 1), date(2026, 12, 31), "01/11/2026 – 31/12/2026"),
    ],
)
def test_period_name(tmp_path: Path, first: date, last: date, name: str) -> None:
    rows = report_table(Summary())
    ws = _sheet(tmp_path, rows, (), (first, last))
    assert ws["D2"].value == f"Kỳ báo cáo: {name}"
    assert ws["D3"].value == f"(Từ ngày {first:%d/%m/%Y} đến ngày {last:%d/%m/%Y})"


def test_period_name_given(tmp_path: Path) -> None:
    ws = _sheet(tmp_path, report_table(Summary()), (), period_name="Tháng 10 năm 2026")
    assert ws["D2"].value == "Kỳ báo cáo: Tháng 10 năm 2026"


def test_header_texts_and_merges(tmp_path: Path) -> None:
    ws = _sheet(tmp_path, _example_rows(OCT, ("level", "field")), ("level", "field"))
    found = {
        cell.coordinate: cell.value for row in ws["A5:P8"] for cell in row if cell.value is not None
    }
    assert found == HEADER_TEXTS
    merged = {str(r) for r in ws.merged_cells.ranges if r.min_row >= 5}
    assert merged == HEADER_MERGES
    for ref in HEADER_TEXTS:
        assert ws[ref].alignment.wrap_text, ref
        assert ws[ref].border.left.style == "thin", ref
    assert all(ws[f"{c}5"].font.bold for c in "ABCGKOP")
    assert ws["N5"].value is None
    assert ws["N9"].value is None


# --------------------------------------------------------------------------- data rows


def test_level_field_rows(tmp_path: Path) -> None:
    by = ("level", "field")
    rows = _example_rows(OCT, by)
    ws = _sheet(tmp_path, rows, by)
    groups = {(r["level"], r["field"]): r for r in rows if r["row"] == "group"}
    total = next(r for r in rows if r["row"] == "total")
    province = [groups["Cấp tỉnh", "Đất đai"]]
    commune = [groups["Cấp xã", f] for f in ("Chứng thực", "Hộ tịch", "Xây dựng")]
    # Levels from province to commune, each with its subtotal, its fields numbered under it.
    expected = [
        ("I", "Cấp tỉnh", _added(province), True),
        ("1", "Đất đai", _counts(province[0]), False),
        ("II", "Cấp xã", _added(commune), True),
        ("1", "Chứng thực", _counts(commune[0]), False),
        ("2", "Hộ tịch", _counts(commune[1]), False),
        ("3", "Xây dựng", _counts(commune[2]), False),
        (None, "Tổng cộng", _counts(total), True),
    ]
    for row, (stt, label, numbers, bold) in enumerate(expected, 9):
        assert (ws[f"A{row}"].value, ws[f"B{row}"].value) == (stt, label)
        assert _numbers(ws, row) == numbers, label
        assert ws[f"B{row}"].font.bold is bold
        assert all(ws[f"{c}{row}"].data_type == "n" for c in FORM)  # numbers, not text
    assert ws["A16"].value is None
    assert ws["B16"].value is None


def test_october_total_by_hand(tmp_path: Path) -> None:
    # The ten example dossiers in October 2026 (examples/events.csv):
    # carried over: HS-001 (received 21/9); received in October: 9, online HS-002, 004, 008,
    # 010, direct or postal HS-003, 005, 006, 007, 009. (3) = 1 + 9 = 10.
    # Resolved in October: 6, early HS-002 (20/10, due 26/10), on time HS-006, HS-008 (same
    # day), late HS-001 (14/10, due 12/10), HS-003 (27/10, due 22/10), HS-007 (26/10, due 23/10).
    # Open at 31/10: 3, within HS-010 (due 18/11), overdue HS-004 (due 30/10), HS-005 (due
    # 29/10). HS-009 was withdrawn: in (3), in neither (7) nor (11).
    ws = _sheet(tmp_path, _example_rows(OCT, ("level", "field")), ("level", "field"))
    assert ws["B15"].value == "Tổng cộng"
    assert [ws[f"{c}15"].value for c in "CDEFGHIJKLM"] == [10, 4, 5, 1, 6, 1, 2, 3, 3, 1, 2]
    assert ws["O15"].value == "(3) ≠ (7) + (11): lệch +1"
    assert ws["P15"].value == WITHDRAWN_ONE


def test_flags_of_the_example(tmp_path: Path) -> None:
    ws = _sheet(tmp_path, _example_rows(OCT, ("level", "field")), ("level", "field"))
    # Only Hộ tịch (HS-009 withdrawn) does not add up, and so its level and the total.
    expected = {
        9: ("khớp", None),
        10: ("khớp", None),
        11: ("(3) ≠ (7) + (11): lệch +1", WITHDRAWN_ONE),
        12: ("khớp", None),
        13: ("(3) ≠ (7) + (11): lệch +1", WITHDRAWN_ONE),
        14: ("khớp", None),
        15: ("(3) ≠ (7) + (11): lệch +1", WITHDRAWN_ONE),
    }
    assert {r: (ws[f"O{r}"].value, ws[f"P{r}"].value) for r in expected} == expected


def test_agency_rows(tmp_path: Path) -> None:
    by = ("agency",)
    rows = _example_rows(OCT, by)
    ws = _sheet(tmp_path, rows, by)
    groups = [r for r in rows if r["row"] == "group"]
    total = next(r for r in rows if r["row"] == "total")
    # Sorted by text as report_table gives them: "=" sorts before letters.
    labels = [
        '=HYPERLINK("http://example.invalid")',
        "Chi nhánh VPĐKĐĐ Hòa Vang",
        "UBND xã Hòa Vang",
    ]
    assert [r["agency"] for r in groups] == labels
    for row, (label, group) in enumerate(zip(labels, groups, strict=True), 9):
        assert (ws[f"A{row}"].value, ws[f"B{row}"].value) == (str(row - 8), label)
        assert ws[f"B{row}"].data_type == "s"  # a label is never a formula
        assert not ws[f"B{row}"].font.bold
        assert _numbers(ws, row) == _counts(group)
    assert (ws["A12"].value, ws["B12"].value) == (None, "Tổng cộng")
    assert _numbers(ws, 12) == _counts(total)
    # UBND xã Hòa Vang holds the withdrawn HS-009.
    assert [ws[f"O{r}"].value for r in (9, 10, 11, 12)] == [
        "khớp",
        "khớp",
        "(3) ≠ (7) + (11): lệch +1",
        "(3) ≠ (7) + (11): lệch +1",
    ]


def test_the_formula_label_is_text_in_the_file(tmp_path: Path) -> None:
    ws = _sheet(tmp_path, _example_rows(OCT, ("agency",)), ("agency",))
    assert ws["B9"].data_type == "s"
    path = tmp_path / "bieu06.xlsx"
    sheet = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet  # no formula anywhere in the form


def test_15_to_14_period_against_report_table(tmp_path: Path) -> None:
    period = (date(2026, 9, 15), date(2026, 10, 14))
    by = ("level", "field")
    rows = _example_rows(period, by)
    ws = _sheet(tmp_path, rows, by, period)
    assert ws["D2"].value == "Kỳ báo cáo: Tháng 10/2026"
    total = next(r for r in rows if r["row"] == "total")
    labels = [ws[f"B{r}"].value for r in range(9, ws.max_row + 1)]
    end = 9 + labels.index("Tổng cộng")
    assert _numbers(ws, end) == _counts(total)
    # HS-001 (received 21/9, in the period) is not carried over; nothing was before 15/9.
    assert total["carried_over"] == 0
    assert ws[f"F{end}"].value == 0


# --------------------------------------------------------------------------- by hand


def _hand_rows() -> list[dict[str, Any]]:
    summaries = {
        ("Bộ Tư pháp", "Lý lịch tư pháp"): Summary(
            carried_over=2,
            received=5,
            received_online=3,
            received_direct=2,
            resolved=4,
            early=1,
            on_time=2,
            late=1,
            pending=3,
            pending_within=2,
            pending_overdue=1,
        ),
        ("Cấp tỉnh", "Đất đai"): Summary(
            received=6, received_direct=6, resolved=6, on_time=5, late=1, provisional=2
        ),
        # a published-style slip: 3 resolved, but 1 early + 1 late
        ("Cấp tỉnh", "Xây dựng"): Summary(
            received=3, received_direct=3, resolved=3, early=1, late=1
        ),
        # one dossier without a channel, one withdrawn
        ("Cấp xã", "Hộ tịch"): Summary(
            received=4,
            received_online=1,
            received_direct=2,
            received_unknown_channel=1,
            resolved=3,
            early=3,
            excluded=1,
        ),
    }
    return report_table(summaries, by=("level", "field"))


def test_hand_checked_case(tmp_path: Path) -> None:
    ws = _sheet(tmp_path, _hand_rows(), ("level", "field"))
    seven_eight = "(7) ≠ (8) + (9) + (10): lệch +1"
    three_channels = "(3) ≠ (4) + (5) + (6): lệch +1"
    three_seven = "(3) ≠ (7) + (11): lệch +1"
    expected = [
        # STT, label, (3)..(13), Kiểm tra, Ghi chú
        ("I", "Bộ Tư pháp", [7, 3, 2, 2, 4, 1, 2, 1, 3, 2, 1], "khớp", None),
        ("1", "Lý lịch tư pháp", [7, 3, 2, 2, 4, 1, 2, 1, 3, 2, 1], "khớp", None),
        # 6 + 3 received direct; resolved 9 but 1 + 5 + 2 = 8
        ("II", "Cấp tỉnh", [9, 0, 9, 0, 9, 1, 5, 2, 0, 0, 0], seven_eight, PROVISIONAL_TWO),
        ("1", "Đất đai", [6, 0, 6, 0, 6, 0, 5, 1, 0, 0, 0], "khớp", PROVISIONAL_TWO),
        ("2", "Xây dựng", [3, 0, 3, 0, 3, 1, 0, 1, 0, 0, 0], seven_eight, None),
        # (3) = 4 but (4) + (5) + (6) = 3 and (7) + (11) = 3
        (
            "III",
            "Cấp xã",
            [4, 1, 2, 0, 3, 3, 0, 0, 0, 0, 0],
            f"{three_channels}\n{three_seven}",
            f"{UNKNOWN_ONE}\n{WITHDRAWN_ONE}",
        ),
        (
            "1",
            "Hộ tịch",
            [4, 1, 2, 0, 3, 3, 0, 0, 0, 0, 0],
            f"{three_channels}\n{three_seven}",
            f"{UNKNOWN_ONE}\n{WITHDRAWN_ONE}",
        ),
        # 7 + 9 + 4 = 20; 3 + 0 + 1 online; 2 + 9 + 2 direct; 2 carried over; 4 + 9 + 3
        # resolved = 16 but 5 + 7 + 3 = 15
        (
            None,
            "Tổng cộng",
            [20, 4, 13, 2, 16, 5, 7, 3, 3, 2, 1],
            f"{three_channels}\n{three_seven}\n{seven_eight}",
            f"{UNKNOWN_ONE}\n{WITHDRAWN_ONE}\n{PROVISIONAL_TWO}",
        ),
    ]
    for row, (stt, label, numbers, check, note) in enumerate(expected, 9):
        found = (
            ws[f"A{row}"].value,
            ws[f"B{row}"].value,
            [ws[f"{c}{row}"].value for c in "CDEFGHIJKLM"],
            ws[f"O{row}"].value,
            ws[f"P{row}"].value,
        )
        assert found == (stt, label, numbers, check, note), row
    assert ws["B17"].value is None


@pytest.mark.parametrize(
    ("summary", "check", "note"),
    [
        # The Lâm Đồng Q1/2020 shape: no channel known, 2 dossiers unaccounted for.
        (
            Summary(
                received=10,
                received_unknown_channel=10,
                resolved=5,
                early=5,
                pending=3,
                pending_within=3,
            ),
            "(3) ≠ (4) + (5) + (6): lệch +10\n(3) ≠ (7) + (11): lệch +2\n"
            "(3) ≠ (7) + (11) + rút/hủy: lệch +2",
            "10 hồ sơ không ghi kênh nộp: có trong (3), không có trong (4), (5)",
        ),
        # 5 received but 2 online + 2 direct and none unknown.
        (
            Summary(received=5, received_online=2, received_direct=2, resolved=5, on_time=5),
            "(3) ≠ (4) + (5) + (6): lệch +1\n(3) − (6) ≠ (4) + (5) + không rõ kênh: lệch +1",
            None,
        ),
        # 2 in progress but 1 within + 0 overdue.
        (
            Summary(received=2, received_direct=2, pending=2, pending_within=1),
            "(11) ≠ (12) + (13): lệch +1",
            None,
        ),
    ],
)
def test_a_single_summary_is_the_total_row(
    tmp_path: Path, summary: Summary, check: str, note: str | None
) -> None:
    ws = _sheet(tmp_path, report_table(summary), ())
    assert (ws["A9"].value, ws["B9"].value) == (None, "Tổng cộng")
    assert (ws["O9"].value, ws["P9"].value) == (check, note)
    assert ws["B10"].value is None


def test_other_keys_joined_as_the_label(tmp_path: Path) -> None:
    summaries = {
        ("UBND xã A", "Hộ tịch"): Summary(received=1, received_online=1, resolved=1, early=1),
        ("UBND xã A", None): Summary(received=2, received_direct=2, resolved=2, on_time=2),
    }
    rows = report_table(summaries, by=("agency", "field"))
    ws = _sheet(tmp_path, rows, ("agency", "field"))
    assert [ws[f"B{r}"].value for r in (9, 10, 11)] == [
        "UBND xã A — Hộ tịch",
        "UBND xã A — (không ghi)",
        "Tổng cộng",
    ]
    assert [ws[f"C{r}"].value for r in (9, 10, 11)] == [1, 2, 3]


# --------------------------------------------------------------------------- printing


def test_print_setup(tmp_path: Path) -> None:
    ws = _sheet(tmp_path, _example_rows(OCT, ("level", "field")), ("level", "field"))
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert int(ws.page_setup.fitToWidth) == 1
    assert int(ws.page_setup.fitToHeight) == 0  # as many pages down as needed
    assert ws.print_title_rows == "$5:$8"
    assert ws.print_area == "'Biểu 06'!$A$1:$M$15"  # the form; the checks are not printed
    assert ws.freeze_panes == "C9"
    widths = [ws.column_dimensions[c].width for c in "ABCDEFGHIJKLM"]
    assert all(w >= 6 for w in widths)
    assert sum(widths) <= 200
    assert ws["C9"].number_format == "#,##0"
    assert ws["C9"].border.bottom.style == "thin"


# --------------------------------------------------------------------------- errors


def test_writes_to_a_binary_stream() -> None:
    buffer = io.BytesIO()
    write_form06(buffer, _hand_rows(), by=("level", "field"), first=OCT[0], last=OCT[1])
    buffer.seek(0)
    assert openpyxl.load_workbook(buffer).active["B16"].value == "Tổng cộng"


def test_without_openpyxl(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    path = tmp_path / "f.xlsx"
    with pytest.raises(TableError, match=r"pip install 'tthc_sla\[excel\]'") as info:
        write_form06(path, _hand_rows(), by=("level", "field"), first=OCT[0], last=OCT[1])
    assert info.value.path == str(path)
    assert not path.exists()


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"first": date(2026, 11, 1), "last": date(2026, 10, 31)}, PolicyError),
        ({"first": datetime(2026, 10, 1), "last": date(2026, 10, 31)}, InputTypeError),
        ({"first": "2026-10-01", "last": date(2026, 10, 31)}, InputTypeError),
        ({"by": ("level", "agency")}, PolicyError),
        ({"by": ("level", 1)}, InputTypeError),
    ],
)
def test_bad_arguments(kwargs: dict[str, Any], error: type[Exception]) -> None:
    options: dict[str, Any] = {"by": ("level", "field"), "first": OCT[0], "last": OCT[1]}
    options.update(kwargs)
    with pytest.raises(error):
        write_form06(io.BytesIO(), _hand_rows(), **options)


@pytest.mark.parametrize(("value", "error"), [(-1, PolicyError), ("3", InputTypeError)])
def test_bad_counts(value: Any, error: type[Exception]) -> None:
    rows = _hand_rows()
    rows[0] = {**rows[0], "resolved": value}
    with pytest.raises(error):
        write_form06(io.BytesIO(), rows, by=("level", "field"), first=OCT[0], last=OCT[1])
