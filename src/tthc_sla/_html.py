"""The periodic report as one printable HTML page: the page people look at.

:func:`render_report_html` turns what the command line already computes — the rows of
:func:`~tthc_sla.metrics.report_table`, a :class:`~tthc_sla.metrics.Summary` per month and the
flat rows of the late dossiers — into one self-contained page in Vietnamese.

Maintainer's notes:

* **Nothing leaves the page.** No script, no link, no image, font or style sheet from elsewhere:
  the style is inline, the charts are inline SVG, and a Content-Security-Policy meta forbids
  everything else, so the file can be mailed, archived and printed as it is.
* **Every number is text, and machine-readable.** Each number cell carries ``data-col`` (the
  report column, as in the CSV report) and ``data-value`` (the value as the CSV report writes
  it); the text shows it in Vietnamese form (``1.234``, ``98,17``). Charts repeat their values as
  text (``<title>``, ``aria-label`` and a line beside each chart), so the page reads without CSS,
  in grey print and with a screen reader.
* **Rates come from metrics.** Percentages are :meth:`Summary.percent` of the named rates
  (rounded half-up), never recomputed here; the page only draws and words them.
* Every text that comes from the data goes through :func:`html.escape`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final

from tthc_sla.errors import PolicyError
from tthc_sla.metrics import Summary

__all__ = ["render_report_html"]

# --------------------------------------------------------------------------- words

_KEY_LABELS: Final[Mapping[str, str]] = {
    "agency": "Cơ quan",
    "level": "Cấp",
    "field": "Lĩnh vực",
    "channel": "Kênh tiếp nhận",
    "procedure": "Thủ tục",
    "received_month": "Tháng tiếp nhận",
}
_CHANNELS: Final[Mapping[str, str]] = {
    "online": "Trực tuyến",
    "direct": "Trực tiếp",
    "postal": "Bưu chính",
}
# The report's column groups (metrics.md §1) in the order and words of the statutory form
# (Biểu số 06/VPCP/KSTT as one-stop software implements it, law-2026-11.md §2.2).
_GROUPS: Final[tuple[tuple[str, tuple[tuple[str, str], ...]], ...]] = (
    (
        "Số hồ sơ nhận giải quyết",
        (
            ("to_handle", "Tổng số"),
            ("received_online", "Trực tuyến"),
            ("received_direct", "Trực tiếp, dịch vụ bưu chính"),
            ("received_unknown_channel", "Không rõ kênh"),
            ("carried_over", "Từ kỳ trước"),
        ),
    ),
    (
        "Số hồ sơ đã giải quyết",
        (
            ("resolved", "Tổng số"),
            ("early", "Trước hạn"),
            ("on_time", "Đúng hạn"),
            ("late", "Quá hạn"),
        ),
    ),
    (
        "Số hồ sơ đang giải quyết",
        (("pending", "Tổng số"), ("pending_within", "Trong hạn"), ("pending_overdue", "Quá hạn")),
    ),
)
_RATE_LABELS: Final[Mapping[str, str]] = {
    "early_or_on_time": "Tỷ lệ trước hạn và đúng hạn (%)",
    "late": "Tỷ lệ quá hạn (%)",
    "early": "Tỷ lệ trước hạn (%)",
    "on_time": "Tỷ lệ đúng hạn (%)",
    "progress_766": "Tiến độ giải quyết, QĐ 766/QĐ-TTg (%)",
    "late_over_to_handle": "Tỷ lệ trễ hạn trên tổng số (%)",
    "on_time_over_to_handle": "Tỷ lệ đúng hạn trên tổng số (%)",
}
_CHECK_LABELS: Final[Mapping[str, str]] = {
    "to_handle = resolved + pending + excluded": (
        "tổng tiếp nhận = đã giải quyết + đang giải quyết + rút, hủy"
    ),
    "resolved = early + on_time + late": "đã giải quyết = trước hạn + đúng hạn + quá hạn",
    "pending = pending_within + pending_overdue": "đang giải quyết = trong hạn + quá hạn",
    "received = online + direct + unknown channel": (
        "mới tiếp nhận = trực tuyến + trực tiếp, bưu chính + không rõ kênh"
    ),
}
# The shares of a bar: dark, mid and hatched, so the three parts differ in grey print too.
_SHARES: Final[tuple[tuple[str, str, str], ...]] = (
    ("early", "Trước hạn", "#1b4f72"),
    ("on_time", "Đúng hạn", "#2e86c1"),
    ("late", "Quá hạn", "url(#tthc-hatch) #b03a2e"),
)
_LATE_COLUMNS: Final[tuple[tuple[str, str], ...]] = (
    ("dossier_id", "Mã hồ sơ"),
    ("agency", "Cơ quan"),
    ("procedure", "Thủ tục"),
    ("received_at", "Ngày tiếp nhận"),
    ("due_date", "Hạn giải quyết"),
    ("completed_at", "Ngày hoàn thành"),
    ("late_working_days", "Số ngày làm việc quá hạn"),
    ("late_units", "Đơn vị làm chậm"),
)

_CSS: Final = """
@page { size: A4 landscape; margin: 12mm; }
body { font-family: system-ui, "Segoe UI", Roboto, "Noto Sans", Arial, sans-serif;
       color: #111; background: #fff; margin: 1.5rem; line-height: 1.4; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
h2 { font-size: 1.15rem; margin: 1.5rem 0 .5rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
caption { text-align: left; font-weight: bold; padding: .25rem 0; }
th, td { border: 1px solid #666; padding: .2rem .4rem; vertical-align: top; }
thead th { background: #e8e8e8; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.total th, tr.total td { font-weight: bold; border-top: 2px solid #111; }
tr.mismatch th, tr.mismatch td { background: #fff1c2; }
.note { border-left: 4px solid #b03a2e; background: #fbeeec; padding: .4rem .7rem; }
.ok { border-left: 4px solid #1b4f72; padding: .4rem .7rem; }
.legend span { margin-right: 1.2rem; white-space: nowrap; }
svg.swatch { vertical-align: middle; margin-right: .3rem; }
svg.bar { width: 100%; max-width: 28rem; height: auto; display: block; }
svg.line { max-width: 100%; height: auto; }
svg text { font-family: inherit; }
.shares span { display: inline-block; margin-right: .8rem; white-space: nowrap; }
.meta { color: #333; margin: 0 0 .25rem; }
@media print {
  body { margin: 0; font-size: 9.5pt; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  thead { display: table-header-group; }
  tr, svg, .note { break-inside: avoid; }
  h2 { break-after: avoid; }
}
"""

# --------------------------------------------------------------------------- the page


def render_report_html(
    *,
    title: str,
    first: date,
    last: date,
    by: Sequence[str],
    rows: Sequence[Mapping[str, Any]],
    monthly: Sequence[tuple[str, Summary]] = (),
    late: Sequence[Mapping[str, Any]] = (),
    late_total: int | None = None,
    generated: datetime | None = None,
) -> str:
    """The periodic report of ``first..last`` as one self-contained, printable HTML page.

    Args:
        title: the page's heading (text; escaped).
        first: the period's first day.
        last: the period's last day.
        by: the group keys the rows were built with (their Vietnamese labels head the table).
        rows: the rows of :func:`~tthc_sla.metrics.report_table`, total row included.
        monthly: ``("YYYY-MM", summary of that month)`` in order; drawn as a line of the
            early-or-on-time share when there are two months or more.
        late: :func:`~tthc_sla.evaluation._flat.flat_row` of each late dossier, in the order
            to show (``metrics.late_dossiers`` gives the most working days late first).
        late_total: how many late dossiers the period has, when ``late`` shows only the first
            of them (the page then says so and names the command that lists them all).
        generated: when the page was made, shown at its foot; omitted when None.

    Returns:
        The page: UTF-8 HTML with inline style and SVG, no script and no external resource.

    Raises:
        PolicyError: ``first`` is after ``last``.

    Example:
        >>> from datetime import date
        >>> page = render_report_html(title="Báo cáo", first=date(2026, 10, 1),
        ...                           last=date(2026, 10, 31), by=(), rows=[])
        >>> "Từ ngày 01/10/2026 đến ngày 31/10/2026" in page
        True
    """
    if first > last:
        raise PolicyError((first, last), "first <= last (the period's first and last days)")
    parts = [
        "<!DOCTYPE html>",
        '<html lang="vi">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{_e(title)}</h1>",
        f'<p class="meta" data-period="{first.isoformat()}..{last.isoformat()}">'
        f"Kỳ báo cáo: Từ ngày {_day(first)} đến ngày {_day(last)}</p>",
        "</header>",
        "<main>",
        _report_table(rows, by),
        _notes(rows, by),
        _bars(rows, by),
    ]
    if len(monthly) >= 2:
        parts.append(_monthly(monthly))
    parts.append(_late(late, late_total, (first, last)))
    parts.append("</main>")
    parts.append(_footer(generated))
    parts.append("</body>")
    parts.append("</html>")
    return "\n".join(p for p in parts if p) + "\n"


def _footer(generated: datetime | None) -> str:
    lines = [
        "<footer>",
        '<p class="meta">Tỷ lệ trước hạn và đúng hạn = (trước hạn + đúng hạn) / đã giải '
        "quyết; các tỷ lệ làm tròn nửa lên đến hai chữ số thập phân. Tổng tiếp nhận = từ kỳ "
        "trước + mới tiếp nhận trong kỳ.</p>",
    ]
    if generated is not None:
        lines.append(
            f'<p class="meta" data-generated="{_e(generated.isoformat())}">'
            f"Lập lúc {generated:%H:%M} ngày {_day(generated)}</p>"
        )
    lines.append("</footer>")
    return "\n".join(lines)


# --------------------------------------------------------------------------- text helpers


def _e(value: Any) -> str:
    """Any value as escaped HTML text (attribute-safe)."""
    return html.escape(str(value), quote=True)


def _day(d: date) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year:04d}"


_SEPARATORS: Final = str.maketrans(",.", ".,")


def _vi_number(text: str) -> str:
    """A number written the Vietnamese way: dots between thousands, a decimal comma."""
    return text.translate(_SEPARATORS)


def _count(row: Mapping[str, Any], key: str) -> int:
    value = row.get(key)
    return 0 if value is None else int(value)


def _percent_text(value: Decimal | None) -> str:
    return "—" if value is None else _vi_number(f"{value:,f}")


def _raw(value: Any) -> str:
    """A value as the CSV report writes it (the ``data-value`` attribute)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _num_cell(key: str, value: Any) -> str:
    if value is None:
        text = "—"
    elif isinstance(value, Decimal):
        text = _percent_text(value)
    elif isinstance(value, int) and not isinstance(value, bool):
        text = _vi_number(f"{value:,d}")
    else:
        text = str(value)
    return f'<td class="num" data-col="{_e(key)}" data-value="{_e(_raw(value))}">{_e(text)}</td>'


def _key_text(name: str, value: Any) -> str:
    if value is None or value == "":
        return "(không rõ)"
    if name == "channel":
        return _CHANNELS.get(str(value), str(value))
    return str(value)


def _is_total(row: Mapping[str, Any]) -> bool:
    return row.get("row") == "total"


def _label(row: Mapping[str, Any], by: Sequence[str]) -> str:
    """A row's name in notes and charts: its key values, or "Tổng cộng"."""
    if _is_total(row):
        return "Tổng cộng"
    if not by:
        return "Tất cả hồ sơ"
    return " – ".join(_key_text(k, row.get(k)) for k in by)


def _resolved_summary(row: Mapping[str, Any]) -> Summary:
    """The counters of a row that the resolved dossiers' rates need."""
    return Summary(
        resolved=_count(row, "resolved"),
        early=_count(row, "early"),
        on_time=_count(row, "on_time"),
        late=_count(row, "late"),
    )


def _coord(x: float) -> str:
    """An SVG coordinate: at most four decimals, no trailing zeros."""
    text = f"{x:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


# --------------------------------------------------------------------------- the table


def _rate_names(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    names = ["early_or_on_time"]
    for row in rows:
        for key in row:
            name = key.removeprefix("rate_")
            if key.startswith("rate_") and name not in names:
                names.append(name)
    return names


def _columns(rows: Sequence[Mapping[str, Any]]) -> list[tuple[str, tuple[tuple[str, str], ...]]]:
    """The column groups shown: the unknown-channel column only when some row has one."""
    unknown = any(_count(r, "received_unknown_channel") for r in rows)
    out = []
    for group, columns in _GROUPS:
        shown = tuple(c for c in columns if c[0] != "received_unknown_channel" or unknown)
        out.append((group, shown))
    return out


def _report_table(rows: Sequence[Mapping[str, Any]], by: Sequence[str]) -> str:
    if not rows:
        return (
            '<section id="bang-tong-hop"><h2>Tình hình, kết quả giải quyết</h2>'
            "<p>Không có hồ sơ nào trong kỳ.</p></section>"
        )
    groups = _columns(rows)
    rates = _rate_names(rows)
    keys = list(by) or [""]
    top = [
        f'<th scope="col" rowspan="2">{_e(_KEY_LABELS.get(k, k) if k else "Phạm vi")}</th>'
        for k in keys
    ]
    sub: list[str] = []
    for group, columns in groups:
        top.append(f'<th scope="colgroup" colspan="{len(columns)}">{_e(group)}</th>')
        sub.extend(f'<th scope="col">{_e(label)}</th>' for _, label in columns)
    top.append('<th scope="col" rowspan="2">Rút, hủy</th>')
    top.extend(f'<th scope="col" rowspan="2">{_e(_RATE_LABELS.get(r, r))}</th>' for r in rates)
    top.append('<th scope="col" rowspan="2">Đối chiếu</th>')
    body = [_table_row(row, by, groups, rates) for row in rows]
    return "\n".join(
        [
            '<section id="bang-tong-hop">',
            "<h2>Tình hình, kết quả giải quyết thủ tục hành chính</h2>",
            '<table class="report">',
            "<caption>Số hồ sơ theo nhóm; tổng tiếp nhận gồm hồ sơ từ kỳ trước.</caption>",
            "<thead>",
            f"<tr>{''.join(top)}</tr>",
            f"<tr>{''.join(sub)}</tr>",
            "</thead>",
            "<tbody>",
            *body,
            "</tbody>",
            "</table>",
            "</section>",
        ]
    )


def _table_row(
    row: Mapping[str, Any],
    by: Sequence[str],
    groups: Sequence[tuple[str, tuple[tuple[str, str], ...]]],
    rates: Sequence[str],
) -> str:
    kind = "total" if _is_total(row) else "group"
    reconciles = row.get("reconciles", True) is not False
    classes = [kind] if reconciles else [kind, "mismatch"]
    if kind == "total" or not by:
        span = max(1, len(by))
        label = _label(row, by)
        cells = [f'<th scope="row" colspan="{span}" data-key="">{_e(label)}</th>']
    else:
        cells = [
            f'<th scope="row" data-key="{_e(k)}">{_e(_key_text(k, row.get(k)))}</th>' for k in by
        ]
    for _, columns in groups:
        cells.extend(_num_cell(key, row.get(key, 0)) for key, _ in columns)
    cells.append(_num_cell("excluded", row.get("excluded", 0)))
    for name in rates:
        key = f"rate_{name}"
        value = row[key] if key in row else _resolved_summary(row).percent(name)
        cells.append(_num_cell(key, value))
    mark = "Khớp" if reconciles else "Không khớp (xem ghi chú)"
    cells.append(f'<td data-col="reconciles" data-value="{_raw(reconciles)}">{mark}</td>')
    return f'<tr class="{" ".join(classes)}" data-row="{kind}">{"".join(cells)}</tr>'


# --------------------------------------------------------------------------- notes


def _notes(rows: Sequence[Mapping[str, Any]], by: Sequence[str]) -> str:
    """The reconciliation of every row and the provisional outcomes, said in words."""
    if not rows:
        return ""
    lines = ['<section id="doi-chieu">', "<h2>Đối chiếu số liệu</h2>"]
    bad = [r for r in rows if r.get("reconciles", True) is False]
    for row in bad:
        imbalance = row.get("imbalance") or {}
        said = "; ".join(
            f"{_CHECK_LABELS.get(k, k)}: chênh lệch {_vi_number(f'{int(v):+,d}')}"
            for k, v in imbalance.items()
        )
        lines.append(
            f'<p class="note" role="note" data-note="mismatch">Dòng “{_e(_label(row, by))}” '
            f"không khớp: {_e(said or 'các đẳng thức của báo cáo không thỏa')}.</p>"
        )
    if not bad:
        lines.append(
            '<p class="ok" data-note="ok">Mọi dòng đều khớp: tổng tiếp nhận = đã giải quyết + '
            "đang giải quyết + rút, hủy; đã giải quyết = trước hạn + đúng hạn + quá hạn.</p>"
        )
    totals = [r for r in rows if _is_total(r)]
    provisional = (
        _count(totals[0], "provisional") if totals else sum(_count(r, "provisional") for r in rows)
    )
    if provisional > 0:
        where = ", ".join(
            f"{_label(r, by)}: {_count(r, 'provisional')}"
            for r in rows
            if not _is_total(r) and _count(r, "provisional")
        )
        lines.append(
            f'<p class="note" role="note" data-note="provisional" data-value="{provisional}">'
            f"Có {provisional} hồ sơ có thời hạn kéo dài tới những ngày chưa có thông báo chính "
            "thức về lịch nghỉ, làm việc bù: kết quả của các hồ sơ này là tạm tính và có thể "
            f"thay đổi khi có thông báo ({_e(where)}).</p>"
        )
    lines.append("</section>")
    return "\n".join(lines)


# --------------------------------------------------------------------------- bars

_BAR_WIDTH: Final = 100  # user units: a segment's width is its share in percent
_BAR_HEIGHT: Final = 6


def _bars(rows: Sequence[Mapping[str, Any]], by: Sequence[str]) -> str:
    if not rows:
        return ""
    legend = "".join(
        f'<span><svg class="swatch" width="16" height="12" viewBox="0 0 4 3" aria-hidden="true">'
        f'<rect width="4" height="3" fill="{fill}" stroke="#111" stroke-width="0.25"/></svg>'
        f"{_e(name)}</span>"
        for _, name, fill in _SHARES
    )
    body = [_bar_row(row, by) for row in rows]
    return "\n".join(
        [
            '<section id="co-cau">',
            "<h2>Cơ cấu hồ sơ đã giải quyết: trước hạn, đúng hạn, quá hạn</h2>",
            '<svg width="0" height="0" aria-hidden="true" focusable="false"><defs>'
            '<pattern id="tthc-hatch" patternUnits="userSpaceOnUse" width="1.6" height="1.6" '
            'patternTransform="rotate(45)"><rect width="1.6" height="1.6" fill="#b03a2e"/>'
            '<rect width="0.5" height="1.6" fill="#ffffff"/></pattern></defs></svg>',
            f'<p class="legend">{legend}</p>',
            '<table class="bars">',
            '<thead><tr><th scope="col">Nhóm</th><th scope="col">Biểu đồ</th>'
            '<th scope="col">Tỷ lệ trên số hồ sơ đã giải quyết</th></tr></thead>',
            "<tbody>",
            *body,
            "</tbody>",
            "</table>",
            "</section>",
        ]
    )


def _bar_row(row: Mapping[str, Any], by: Sequence[str]) -> str:
    label = _label(row, by)
    s = _resolved_summary(row)
    kind = "total" if _is_total(row) else "group"
    head = f'<tr class="{kind}" data-row="{kind}"><th scope="row">{_e(label)}</th>'
    parts = {key: getattr(s, key) for key, _, _ in _SHARES}
    drawn = sum(parts.values())
    if s.resolved == 0 or drawn == 0:
        return f'{head}<td></td><td data-empty="true">Không có hồ sơ đã giải quyết.</td></tr>'
    words = []
    spans = []
    for key, name, _ in _SHARES:
        pct = s.percent(key)
        words.append(f"{name.lower()} {_percent_text(pct)} % ({parts[key]})")
        spans.append(
            f'<span data-share="{key}" data-value="{_raw(pct)}">'
            f"{_e(name)}: {_percent_text(pct)} % ({_vi_number(f'{parts[key]:,d}')})</span>"
        )
    said = f"{label}: {', '.join(words)}, trên {s.resolved} hồ sơ đã giải quyết"
    x = 0.0
    rects = []
    for key, _, fill in _SHARES:
        width = _BAR_WIDTH * parts[key] / drawn  # over the drawn parts, so the bar is whole
        rects.append(
            f'<rect data-share="{key}" x="{_coord(x)}" y="0" width="{_coord(width)}" '
            f'height="{_BAR_HEIGHT}" fill="{fill}" stroke="#ffffff" stroke-width="0.3"/>'
        )
        x += width
    svg = (
        f'<svg class="bar" viewBox="0 0 {_BAR_WIDTH} {_BAR_HEIGHT}" width="400" height="24" '
        f'role="img" aria-label="{_e(said)}"><title>{_e(said)}</title>{"".join(rects)}'
        f'<rect x="0" y="0" width="{_BAR_WIDTH}" height="{_BAR_HEIGHT}" fill="none" '
        'stroke="#111" stroke-width="0.3"/></svg>'
    )
    return f'{head}<td>{svg}</td><td class="shares">{"".join(spans)}</td></tr>'


# --------------------------------------------------------------------------- monthly line

_LEFT: Final = 50
_STEP: Final = 80
_TOP: Final = 20  # y of 100 %; the plot is 100 units high, so y = _TOP + 100 - percent
_MONTH = re.compile(r"(\d{4})-(\d{2})")


def _month_text(month: str) -> str:
    m = _MONTH.fullmatch(month)
    return f"{m.group(2)}/{m.group(1)}" if m else month


def _monthly(monthly: Sequence[tuple[str, Summary]]) -> str:
    values = [(month, s, s.percent("early_or_on_time")) for month, s in monthly]
    rows = []
    for month, s, pct in values:
        share = f"{_percent_text(pct)} %" if pct is not None else "không có hồ sơ đã giải quyết"
        rows.append(
            f'<tr data-month="{_e(month)}"><th scope="row">{_e(_month_text(month))}</th>'
            f"{_num_cell('resolved', s.resolved)}"
            f"{_num_cell('early_or_on_time', s.early + s.on_time)}"
            f'<td class="num" data-col="rate_early_or_on_time" data-value="{_raw(pct)}">'
            f"{_e(share)}</td></tr>"
        )
    return "\n".join(
        [
            '<section id="theo-thang">',
            "<h2>Tỷ lệ hồ sơ giải quyết trước hạn và đúng hạn theo tháng</h2>",
            _line_svg(values),
            '<table class="monthly">',
            '<thead><tr><th scope="col">Tháng</th><th scope="col">Đã giải quyết</th>'
            '<th scope="col">Trước hạn và đúng hạn</th><th scope="col">Tỷ lệ (%)</th></tr>'
            "</thead>",
            "<tbody>",
            *rows,
            "</tbody>",
            "</table>",
            "</section>",
        ]
    )


def _runs(points: Iterable[tuple[float, float] | None]) -> list[list[tuple[float, float]]]:
    """Consecutive defined points: a month without resolved dossiers breaks the line."""
    runs: list[list[tuple[float, float]]] = [[]]
    for p in points:
        if p is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append(p)
    return [r for r in runs if r]


def _line_svg(values: Sequence[tuple[str, Summary, Decimal | None]]) -> str:
    width = 2 * _LEFT + _STEP * (len(values) - 1)
    bottom = _TOP + 100
    parts = []
    for grid in (0, 25, 50, 75, 100):
        gy = bottom - grid
        parts.append(
            f'<line data-value="{grid}" x1="{_LEFT - 6}" y1="{gy}" x2="{width - _LEFT + 6}" '
            f'y2="{gy}" stroke="#bbbbbb" stroke-width="0.6"/>'
            f'<text x="{_LEFT - 10}" y="{gy + 3}" font-size="9" text-anchor="end">{grid} %</text>'
        )
    points: list[tuple[float, float] | None] = []
    marks = []
    said = []
    for i, (month, _, pct) in enumerate(values):
        x = _LEFT + _STEP * i
        label = _month_text(month)
        marks.append(
            f'<text x="{x}" y="{bottom + 16}" font-size="10" text-anchor="middle">'
            f"{_e(label)}</text>"
        )
        if pct is None:
            points.append(None)
            said.append(f"{label}: không có hồ sơ đã giải quyết")
            marks.append(
                f'<text data-month="{_e(month)}" data-value="" x="{x}" y="{bottom + 28}" '
                'font-size="8" text-anchor="middle">không có hồ sơ</text>'
            )
            continue
        y = bottom - float(pct)
        points.append((x, y))
        said.append(f"{label}: {_percent_text(pct)} %")
        marks.append(
            f'<circle data-month="{_e(month)}" data-value="{_raw(pct)}" cx="{_coord(x)}" '
            f'cy="{_coord(y)}" r="3.5" fill="#1b4f72"/>'
            f'<text x="{x}" y="{_coord(y - 7)}" font-size="9" text-anchor="middle">'
            f"{_percent_text(pct)} %</text>"
        )
    lines = [
        '<polyline fill="none" stroke="#1b4f72" stroke-width="2" points="'
        + " ".join(f"{_coord(x)},{_coord(y)}" for x, y in run)
        + '"/>'
        for run in _runs(points)
        if len(run) >= 2  # a lone month is its circle alone
    ]
    text = "Tỷ lệ trước hạn và đúng hạn theo tháng: " + "; ".join(said)
    return (
        f'<svg class="line" viewBox="0 0 {width} {bottom + 36}" width="{width}" '
        f'height="{bottom + 36}" role="img" aria-label="{_e(text)}"><title>{_e(text)}</title>'
        f"{''.join(parts)}{''.join(lines)}{''.join(marks)}</svg>"
    )


# --------------------------------------------------------------------------- late list


def _when(value: Any, *, with_time: bool = True) -> str:
    """A moment or a day as dd/mm/yyyy (HH:MM); ISO text is read first; empty for None."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return str(value)
    if isinstance(value, datetime):
        return f"{_day(value)} {value:%H:%M}" if with_time else _day(value)
    if isinstance(value, date):
        return _day(value)
    return str(value)


def _late_row(n: int, row: Mapping[str, Any]) -> str:
    cells = [f'<td class="num">{n}</td>']
    for key, _ in _LATE_COLUMNS:
        value = row.get(key)
        if key == "late_working_days":
            cells.append(_num_cell(key, value))
            continue
        if key == "due_date":
            by_moment = bool(row.get("by_moment")) and row.get("due_at") is not None
            value = row.get("due_at") if by_moment else value
            text = _when(value, with_time=by_moment)
            if row.get("provisional"):
                text += " (tạm tính)"
        elif key in ("received_at", "completed_at"):
            text = _when(value) or ("Chưa giải quyết" if key == "completed_at" else "")
        else:
            text = "" if value is None else str(value)
        cells.append(f'<td data-col="{key}" data-value="{_e(_raw(value))}">{_e(text)}</td>')
    return f"<tr>{''.join(cells)}</tr>"


def _late(late: Sequence[Mapping[str, Any]], total: int | None, period: tuple[date, date]) -> str:
    head = [
        '<section id="tre-han">',
        "<h2>Danh sách hồ sơ quá hạn</h2>",
    ]
    if not late:
        return "\n".join([*head, "<p>Không có hồ sơ quá hạn trong kỳ.</p>", "</section>"])
    if total is not None and total > len(late):
        shown, every = (_vi_number(f"{n:,d}") for n in (len(late), total))
        command = f"tthc-sla list late --period {period[0].isoformat()}..{period[1].isoformat()}"
        head.append(
            f'<p class="note" data-shown="{len(late)}" data-total="{total}">Trang này liệt kê '
            f"{shown} hồ sơ quá hạn nhiều ngày nhất trong tổng số {every}; danh sách đầy đủ: "
            f"<code>{_e(command)}</code>.</p>"
        )
    columns = "".join(f'<th scope="col">{_e(label)}</th>' for _, label in _LATE_COLUMNS)
    return "\n".join(
        [
            *head,
            '<table class="late">',
            "<caption>Hồ sơ giải quyết quá hạn trong kỳ hoặc đang quá hạn khi hết kỳ.</caption>",
            f'<thead><tr><th scope="col">STT</th>{columns}</tr></thead>',
            "<tbody>",
            *(_late_row(i, row) for i, row in enumerate(late, start=1)),
            "</tbody>",
            "</table>",
            "</section>",
        ]
    )
