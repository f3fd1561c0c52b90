"""The statutory report form "Biểu số 06/VPCP/KSTT" as an Excel workbook (command-line layer).

Maintainer's notes. The form is laid out from the rows of :func:`tthc_sla.metrics.report_table`
and nothing is counted here: every number in the numbered columns is a count of the library,
put where the form wants it, and every place where the form's own arithmetic does not hold is
said beside the form, in two columns after column (13) that are not printed.

The layout (law-2026-11.md §2.2; the docs' section "The statutory form in Excel"):

* rows 1-4, the title block: the form number and the circular on the left, the title, "Kỳ báo
  cáo: ..." and "(Từ ngày dd/mm/yyyy đến ngày dd/mm/yyyy)" in the middle, the reporting unit
  on the right, "Đơn vị tính: Số hồ sơ TTHC" above the table;
* rows 5-7, the three-row merged header as one-stop software prints it ("Trong đó" spans only
  the two channels; "Từ kỳ trước" spans rows 6-7), and row 8, the numbering (1)...(13);
* from row 9, the data: with ``by=("level", ...)`` a bold row per level numbered I, II, ...
  with its subtotal and its groups numbered 1, 2, ... under it; otherwise one row per group
  numbered 1, 2, ...; then the bold total row "Tổng cộng";
* column N is left empty; column O, "Kiểm tra", says "khớp" or the identities that fail, in
  the form's column numbers; column P, "Ghi chú", counts the dossiers with no channel (in (3),
  not in (4) or (5)), the withdrawn or cancelled ones (in (3), not in (7) or (11)) and the
  provisional outcomes.

openpyxl is imported only when a form is written (the ``excel`` extra).
"""

from __future__ import annotations

import importlib
import itertools
import os
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO

import attrs

from tthc_sla._counting import COUNTERS
from tthc_sla._periods import period_name as _period_name
from tthc_sla.errors import InputTypeError, PolicyError, TableError
from tthc_sla.metrics import Summary

__all__ = ["write_form06"]

# Legal basis: Circular 01/2020/TT-VPCP, Biểu số 06/VPCP/KSTT, as one-stop software prints it.
FORM_NUMBER = "Biểu số 06/VPCP/KSTT"
ISSUED_BY = "Ban hành theo Thông tư số 01/2020/TT-VPCP ngày 21/10/2020"
TITLE = (
    "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH TẠI CƠ QUAN, ĐƠN VỊ "
    "TRỰC TIẾP GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"
)
UNIT = "Đơn vị tính: Số hồ sơ TTHC"
TOTAL_LABEL = "Tổng cộng"
NO_VALUE = "(không ghi)"
SHEET_TITLE = "Biểu 06"

# The counts in the form's columns (3) to (13), in order.
FORM_COLUMNS = (
    "to_handle",
    "received_online",
    "received_direct",
    "carried_over",
    "resolved",
    "early",
    "on_time",
    "late",
    "pending",
    "pending_within",
    "pending_overdue",
)

# The counters of a report row that add up into a subtotal: the Summary fields the report
# table shows (all but the two it keeps for averages and the apology count).
_COUNTERS = tuple(c for c in COUNTERS if c not in ("met_rescheduled", "resolved_working_days"))

# Summary.checks()'s identities in the form's column numbers.
_IDENTITIES = {
    "to_handle = resolved + pending + excluded": "(3) ≠ (7) + (11) + rút/hủy",
    "resolved = early + on_time + late": "(7) ≠ (8) + (9) + (10)",
    "pending = pending_within + pending_overdue": "(11) ≠ (12) + (13)",
    "received = online + direct + unknown channel": "(3) − (6) ≠ (4) + (5) + không rõ kênh",
}

# Header cells: (range, text). Rows 5-7 as one-stop software prints the form; row 8 numbers it.
HEADER: tuple[tuple[str, str], ...] = (
    ("A5:A7", "STT"),
    ("B5:B7", "Lĩnh vực, công việc giải quyết theo cấp"),
    ("C5:F5", "Số hồ sơ nhận giải quyết"),
    ("G5:J5", "Số hồ sơ đã giải quyết"),
    ("K5:M5", "Số lượng hồ sơ đang giải quyết"),
    ("C6:C7", "Tổng số"),
    ("D6:E6", "Trong đó"),
    ("F6:F7", "Từ kỳ trước"),
    ("G6:G7", "Tổng số"),
    ("H6:H7", "Trước hạn"),
    ("I6:I7", "Đúng hạn"),
    ("J6:J7", "Quá hạn"),
    ("K6:K7", "Tổng số"),
    ("L6:L7", "Trong hạn"),
    ("M6:M7", "Quá hạn"),
    ("D7", "Trực tuyến"),
    ("E7", "Trực tiếp, dịch vụ bưu chính"),
    ("O5:O8", "Kiểm tra"),
    ("P5:P8", "Ghi chú"),
)
HEADER_ROWS = (5, 8)
FIRST_DATA_ROW = 9
FORM_LAST_COLUMN = "M"

_WIDTHS = {"A": 6, "B": 38, "N": 2, "O": 28, "P": 42} | dict.fromkeys("CDEFGHIJKLM", 10)
_HEIGHTS = {1: 36, 2: 18, 3: 18, 4: 18, 5: 30, 6: 22, 7: 48, 8: 16}
_FONT = "Times New Roman"
_FLAG_FILL = "F2F2F2"


@attrs.frozen
class _Line:
    """One data row of the form: ``kind`` is "level", "item" or "total"."""

    kind: str
    stt: str
    label: str
    counts: Mapping[str, Any]


def write_form06(
    out: str | os.PathLike[str] | BinaryIO,
    rows: Sequence[Mapping[str, Any]],
    *,
    by: str | Sequence[str],
    first: date,
    last: date,
    title_unit: str | None = None,
    period_name: str | None = None,
) -> None:
    """Write the report rows as the statutory form Biểu số 06/VPCP/KSTT, an Excel workbook.

    Column (3) is the library's ``to_handle`` (carried over + received); it equals
    (4) + (5) + (6) only when every dossier received has a channel, and (7) + (11) only when
    none was withdrawn or cancelled: the columns "Kiểm tra" and "Ghi chú" beside the form say
    so, with the library's reconciliation (``reconciles``, ``imbalance``). They are outside the
    print area: the printed page is the form, A4 landscape, one page wide, with the header rows
    repeated on every page.

    Legal basis: Circular 01/2020/TT-VPCP, Biểu số 06/VPCP/KSTT (law-2026-11.md §2.2).

    Args:
        out: a path, or a binary file open for writing.
        rows: rows of :func:`tthc_sla.metrics.report_table`, in their order; a ``"total"`` row
            is used as the form's total, otherwise the groups are added up.
        by: the group keys of the rows. When the first is ``"level"`` and more follow (the
            form's own grouping "theo cấp": ``("level", "field")``), each level is a bold
            subtotal row numbered I, II, ... with its groups numbered 1, 2, ... under it;
            otherwise each group is a row numbered 1, 2, ..., its keys joined as the label.
        first: the period's first day.
        last: the period's last day.
        title_unit: the reporting unit, printed top right ("Đơn vị báo cáo: ...").
        period_name: what follows "Kỳ báo cáo:"; by default named from the dates when they
            are a calendar month, quarter, half-year, nine months or year, or the same under
            the 15th-to-14th convention of Decree 09/2019/NĐ-CP art. 12.

    Raises:
        InputTypeError: ``first`` or ``last`` is not a date, a key of ``by`` is not a string,
            or a count is not an integer.
        PolicyError: ``first`` is after ``last``, a row lacks a key of ``by``, or a count is
            negative.
        TableError: openpyxl is not installed.

    Example:
        >>> import io
        >>> from datetime import date
        >>> from tthc_sla import Summary, report_table
        >>> rows = report_table(Summary(received=2, received_online=2, resolved=2, early=2))
        >>> buffer = io.BytesIO()
        >>> write_form06(buffer, rows, by=(), first=date(2026, 10, 1), last=date(2026, 10, 31))
        >>> buffer.getvalue()[:2]
        b'PK'
    """
    keys = (by,) if isinstance(by, str) else tuple(by)
    for key in keys:
        if not isinstance(key, str):
            raise InputTypeError("by", key, "group keys named as in report_table(..., by=...)")
    _check_period(first, last)
    lines = _lines(rows, keys)
    xl = _openpyxl(_name(out))
    workbook = xl.Workbook()
    ws = workbook.active
    ws.title = SHEET_TITLE
    name = period_name if period_name is not None else _period_name(first, last)
    _title_block(ws, xl, first, last, name, title_unit)
    _header(ws, xl)
    last_row = _body(ws, xl, lines)
    _page_setup(ws, xl, last_row)
    workbook.save(out)


# --------------------------------------------------------------------------- layout


def _check_period(first: Any, last: Any) -> None:
    for name, day in (("first", first), ("last", last)):
        if not isinstance(day, date) or isinstance(day, datetime):
            raise InputTypeError(name, day, "a date (a datetime.date, not a datetime)")
    if first > last:
        raise PolicyError((first, last), "first= and last= with first <= last")


def _lines(rows: Sequence[Mapping[str, Any]], by: tuple[str, ...]) -> list[_Line]:
    """The form's data rows, in the order of ``rows``, and the total row."""
    groups = [r for r in rows if r.get("row") != "total"]
    totals = [r for r in rows if r.get("row") == "total"]
    for r in rows:
        _check_counts(r)
        missing = [k for k in by if k not in r and r.get("row") != "total"]
        if missing:
            raise PolicyError(by, f"group keys that the rows have (a row lacks {missing})")
    if len(by) > 1 and by[0] == "level":
        body = _by_level(groups, by[1:])
    elif by:
        body = [_Line("item", str(i), _label(r, by), r) for i, r in enumerate(groups, 1)]
    else:
        body = []
    total = totals[-1] if totals else _subtotal(groups)
    return [*body, _Line("total", "", TOTAL_LABEL, total)]


def _by_level(groups: Sequence[Mapping[str, Any]], rest: tuple[str, ...]) -> list[_Line]:
    """A subtotal row per run of one level (the rows' order is kept), its groups under it."""
    out = []
    runs = itertools.groupby(groups, key=lambda r: r["level"])
    for n, (level, run) in enumerate(runs, 1):
        members = list(run)
        out.append(_Line("level", _roman(n), _text_of(level), _subtotal(members)))
        for i, r in enumerate(members, 1):
            out.append(_Line("item", str(i), _label(r, rest), r))
    return out


def _label(row: Mapping[str, Any], keys: tuple[str, ...]) -> str:
    return " — ".join(_text_of(row[k]) for k in keys)


def _text_of(value: Any) -> str:
    return NO_VALUE if value is None or value == "" else str(value)


def _check_counts(row: Mapping[str, Any]) -> None:
    for name in (*_COUNTERS, "to_handle"):
        value = row.get(name, 0)
        if type(value) is not int:
            raise InputTypeError(name, value, "a count, a non-negative integer")
        if value < 0:
            raise PolicyError(value, f"{name}: a count, a non-negative integer")


def _subtotal(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The counts of ``rows`` added up, with the library's reconciliation of the sums."""
    s = Summary(**{name: sum(r.get(name, 0) for r in rows) for name in _COUNTERS})
    checks = s.checks()
    out: dict[str, Any] = {name: getattr(s, name) for name in _COUNTERS}
    out.update(
        to_handle=s.to_handle,
        reconciles=not any(checks.values()),
        imbalance={k: v for k, v in checks.items() if v},
    )
    return out


def _roman(n: int) -> str:
    """I, II, III, IV, ... (the form numbers levels in Roman numerals)."""
    out = []
    for value, letters in (
        (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
        (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
    ):  # fmt: skip
        times, n = divmod(n, value)
        out.append(letters * times)
    return "".join(out)


def _check_text(row: Mapping[str, Any]) -> str:
    """ "khớp", or each identity of the form or of the library that fails, with its imbalance."""
    c3, c4, c5, c6, c7, _, _, _, c11, _, _ = (row.get(k, 0) for k in FORM_COLUMNS)
    fails = []
    if c3 != c4 + c5 + c6:
        fails.append(f"(3) ≠ (4) + (5) + (6): lệch {c3 - c4 - c5 - c6:+d}")
    if c3 != c7 + c11:
        fails.append(f"(3) ≠ (7) + (11): lệch {c3 - c7 - c11:+d}")
    for key, value in dict(row.get("imbalance") or {}).items():
        fails.append(f"{_IDENTITIES.get(key, key)}: lệch {value:+d}")
    if not fails and row.get("reconciles") is False:
        fails.append("không khớp (reconciles = False)")
    return "\n".join(fails) or "khớp"


def _note_text(row: Mapping[str, Any]) -> str:
    notes = []
    if n := row.get("received_unknown_channel", 0):
        notes.append(f"{n} hồ sơ không ghi kênh nộp: có trong (3), không có trong (4), (5)")
    if n := row.get("excluded", 0):
        notes.append(f"{n} hồ sơ rút, hủy trong kỳ: có trong (3), không có trong (7), (11)")
    if n := row.get("provisional", 0):
        notes.append(f"{n} hồ sơ có kết quả tạm tính: thời hạn vượt quá lịch nghỉ đã công bố")
    return "\n".join(notes)


# --------------------------------------------------------------------------- writing


def _name(out: object) -> str:
    if isinstance(out, str | os.PathLike):
        return str(Path(out))
    return str(getattr(out, "name", "<stream>"))


def _openpyxl(name: str) -> Any:
    """openpyxl with its styles, imported on first use."""
    try:
        xl: Any = importlib.import_module("openpyxl")
        importlib.import_module("openpyxl.styles")
        importlib.import_module("openpyxl.utils")
        importlib.import_module("openpyxl.worksheet.page")
    except ImportError:
        raise TableError(
            name, 0, "writing the Excel form needs openpyxl: pip install 'tthc_sla[excel]'"
        ) from None
    return xl


def _put(ws: Any, xl: Any, ref: str, value: Any, **style: Any) -> Any:
    """Write a value into a cell (a range is merged first) and style every cell of it.

    Style keys: ``bold``, ``italic``, ``size``, ``horizontal``, ``border``, ``fill``,
    ``number``. Text is always text: a label that starts with "=" is never a formula.
    """
    if ":" in ref:
        ws.merge_cells(ref)
    cell = ws[ref.split(":")[0]]
    cell.value = None if value == "" else value
    if isinstance(value, str):
        cell.data_type = "s"
    s = xl.styles
    font = s.Font(
        name=_FONT,
        size=style.get("size", 11),
        bold=style.get("bold", False),
        italic=style.get("italic", False),
    )
    align = s.Alignment(
        horizontal=style.get("horizontal", "center"), vertical="center", wrap_text=True
    )
    thin = s.Side(style="thin")
    border = s.Border(left=thin, right=thin, top=thin, bottom=thin)
    fill = s.PatternFill("solid", fgColor=style["fill"]) if style.get("fill") else None
    for row in ws[ref] if ":" in ref else ((cell,),):
        for c in row:
            c.font, c.alignment = font, align
            if style.get("border", True):
                c.border = border
            if fill is not None:
                c.fill = fill
    if "number" in style:
        cell.number_format = style["number"]
    return cell


def _title_block(ws: Any, xl: Any, first: date, last: date, name: str, unit: str | None) -> None:
    """Rows 1-4: form number and circular, title and period, reporting unit, unit of count."""
    plain = {"border": False}
    _put(ws, xl, "A1:C1", FORM_NUMBER, bold=True, horizontal="left", **plain)
    _put(ws, xl, "A2:C3", ISSUED_BY, italic=True, size=10, horizontal="left", **plain)
    _put(ws, xl, "D1:J1", TITLE, bold=True, size=12, **plain)
    _put(ws, xl, "D2:J2", f"Kỳ báo cáo: {name}", bold=True, **plain)
    dates = f"(Từ ngày {first:%d/%m/%Y} đến ngày {last:%d/%m/%Y})"
    _put(ws, xl, "D3:J3", dates, italic=True, **plain)
    if unit is not None:
        _put(ws, xl, "K1:M2", f"Đơn vị báo cáo: {unit}", bold=True, horizontal="right", **plain)
    _put(ws, xl, "K4:M4", UNIT, italic=True, horizontal="right", **plain)


def _header(ws: Any, xl: Any) -> None:
    """Rows 5-8: the merged header and the numbering row (1)...(13)."""
    for ref, text in HEADER:
        flag = ref[0] in "OP"
        _put(ws, xl, ref, text, bold=True, fill=_FLAG_FILL if flag else None)
    for i in range(1, 14):
        _put(ws, xl, f"{xl.utils.get_column_letter(i)}8", f"({i})", italic=True, size=10)
    for letter, width in _WIDTHS.items():
        ws.column_dimensions[letter].width = width
    for row, height in _HEIGHTS.items():
        ws.row_dimensions[row].height = height


def _body(ws: Any, xl: Any, lines: Sequence[_Line]) -> int:
    """The data rows from row 9; returns the last row written."""
    row = FIRST_DATA_ROW - 1
    for row, line in enumerate(lines, FIRST_DATA_ROW):
        bold = line.kind != "item"
        _put(ws, xl, f"A{row}", line.stt, bold=bold)
        _put(ws, xl, f"B{row}", line.label, bold=bold, horizontal="left")
        for i, name in enumerate(FORM_COLUMNS, 3):
            ref = f"{xl.utils.get_column_letter(i)}{row}"
            value = line.counts.get(name, 0)
            _put(ws, xl, ref, value, bold=bold, horizontal="right", number="#,##0")
        flag = {"italic": True, "horizontal": "left", "size": 10, "fill": _FLAG_FILL}
        check, note = _check_text(line.counts), _note_text(line.counts)
        _put(ws, xl, f"O{row}", check, **flag)
        _put(ws, xl, f"P{row}", note, **flag)
        tall = max(_wrapped(check, _WIDTHS["O"]), _wrapped(note, _WIDTHS["P"]))
        if tall > 1:  # Excel does not grow a row for wrapped text written by openpyxl
            ws.row_dimensions[row].height = 14 * tall
    return row


def _wrapped(text: str, width: int) -> int:
    """How many lines a text takes in a column ``width`` characters wide (at the small size)."""
    return sum(-(-len(part) // int(width * 1.1)) or 1 for part in text.split("\n"))


def _page_setup(ws: Any, xl: Any, last_row: int) -> None:
    """A4 landscape, one page wide, header rows repeated, panes frozen below the header."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins = xl.worksheet.page.PageMargins(
        left=0.4, right=0.4, top=0.5, bottom=0.5, header=0.3, footer=0.3
    )
    ws.print_title_rows = f"{HEADER_ROWS[0]}:{HEADER_ROWS[1]}"
    ws.print_area = f"A1:{FORM_LAST_COLUMN}{max(last_row, HEADER_ROWS[1])}"
    ws.freeze_panes = f"C{FIRST_DATA_ROW}"
