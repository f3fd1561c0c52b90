"""The HTML report page: self-contained, well formed, and its numbers are the CSV report's.

The page is parsed back with ``html.parser`` into a small tree; every number it shows is compared
with the CSV report that ``tthc-sla report`` writes for the same inputs, or with shares computed
here by hand from that CSV, or with hand-built summaries whose shares are known.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from tthc_sla import (
    Evaluation,
    PolicyError,
    Summary,
    evaluate,
    late_dossiers,
    read_dossiers,
    read_procedures,
    report_table,
    summarize,
    vietnam_calendar,
)
from tthc_sla._html import render_report_html
from tthc_sla.cli import main
from tthc_sla.evaluation._flat import flat_row

ROOT = Path(__file__).parent.parent
EVENTS = ROOT / "examples" / "events.csv"
PROCEDURES = ROOT / "examples" / "procedures.csv"
OCTOBER = (date(2026, 10, 1), date(2026, 10, 31))
SEPTEMBER = (date(2026, 9, 1), date(2026, 9, 30))
TWO_MONTHS = (date(2026, 9, 1), date(2026, 10, 31))
CENT = Decimal("0.01")

# --------------------------------------------------------------------------- a parsed page

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = field(default_factory=list)

    def iter(self) -> Iterator[Node]:
        yield self
        for c in self.children:
            if isinstance(c, Node):
                yield from c.iter()

    def all(self, tag: str, **attrs: str) -> list[Node]:
        """Descendants (and self) with this tag and these attribute values (``data_col`` is
        ``data-col``)."""
        want = {k.replace("_", "-"): v for k, v in attrs.items()}
        return [
            n
            for n in self.iter()
            if n.tag == tag and all(n.attrs.get(k) == v for k, v in want.items())
        ]

    def one(self, tag: str, **attrs: str) -> Node:
        found = self.all(tag, **attrs)
        assert len(found) == 1, (tag, attrs, len(found))
        return found[0]

    def text(self) -> str:
        parts: list[str] = []
        for c in self.children:
            parts.append(c if isinstance(c, str) else c.text())
        return " ".join("".join(parts).split())


class _Tree(HTMLParser):
    """Builds the tree and records every nesting defect instead of guessing around it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]
        self.errors: list[str] = []
        self.declarations: list[str] = []

    def _node(self, tag: str, attrs: list[tuple[str, str | None]]) -> Node:
        names = [k for k, _ in attrs]
        if len(names) != len(set(names)):
            self.errors.append(f"<{tag}> repeats an attribute: {names}")
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        return node

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = self._node(tag, attrs)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._node(tag, attrs)
        if tag not in _VOID and not any(n.tag == "svg" for n in self.stack):
            self.errors.append(f"<{tag}/> self-closed outside SVG")

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            self.errors.append(f"</{tag}> closes a void element")
        elif self.stack[-1].tag != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1].tag}>")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)

    def handle_decl(self, decl: str) -> None:
        self.declarations.append(decl)


def parse(page: str) -> Node:
    tree = _Tree()
    tree.feed(page)
    tree.close()
    assert tree.errors == []
    assert [n.tag for n in tree.stack] == ["#document"], "elements left open"
    assert tree.declarations == ["DOCTYPE html"]
    return tree.root


def section(root: Node, ident: str) -> Node:
    return root.one("section", id=ident)


# --------------------------------------------------------------------------- real inputs


@functools.cache
def _evaluations(last: date) -> tuple[Evaluation, ...]:
    """Every example dossier evaluated as of the end of ``last``, as the command line does."""
    procedures = read_procedures(PROCEDURES)
    table = read_dossiers(EVENTS, procedures)
    cal = vietnam_calendar()
    as_of = datetime.combine(last, time.max)
    return tuple(evaluate(d, cal, as_of=as_of) for d in table.dossiers)


def _months(first: date, last: date) -> list[tuple[str, Summary]]:
    evaluations = _evaluations(last)
    spans = [("2026-09", SEPTEMBER), ("2026-10", OCTOBER)]
    return [
        (name, summarize(evaluations, period=span))
        for name, span in spans
        if first <= span[0] and span[1] <= last
    ]


@functools.cache
def _page(first: date, last: date) -> str:
    evaluations = _evaluations(last)
    summaries = summarize(evaluations, period=(first, last), by=("agency",))
    return render_report_html(
        title="Báo cáo tình hình giải quyết TTHC",
        first=first,
        last=last,
        by=("agency",),
        rows=report_table(summaries, by=("agency",)),
        monthly=_months(first, last),
        late=[flat_row(e) for e in late_dossiers(evaluations, period=(first, last))],
        generated=datetime(2026, 11, 2, 8, 15),
    )


@functools.cache
def _cli(*argv: str) -> tuple[dict[str, str], ...]:
    """What the command line writes as CSV for these arguments, read back."""
    out = io.StringIO()
    assert main([*argv, str(EVENTS), "--procedures", str(PROCEDURES), "--format", "csv"], out) == 0
    return tuple(csv.DictReader(io.StringIO(out.getvalue())))


def _cli_report(period: str) -> tuple[dict[str, str], ...]:
    return _cli("report", "--period", period, "--by", "agency")


def _plain(cell: str) -> str:
    """A CSV cell without the quote the CSV writer puts before formula-like text."""
    return cell[1:] if cell[:1] == "'" and cell[1:2] in ("=", "+", "-", "@") else cell


def _csv_label(row: dict[str, str]) -> str:
    return "Tổng cộng" if row["row"] == "total" else _plain(row["agency"])


def _vi_decimal(text: str) -> Decimal | None:
    """A number as the page writes it (1.234 / 98,17 / —) read back."""
    if text == "—":
        return None
    assert re.fullmatch(r"\d{1,3}(\.\d{3})*(,\d+)?", text), text
    return Decimal(text.replace(".", "").replace(",", "."))


def _share(part: str, resolved: str) -> Decimal:
    """part / resolved in percent, rounded half-up to two places: worked out here, not taken
    from the library."""
    return (Decimal(100 * int(part)) / Decimal(int(resolved))).quantize(CENT, ROUND_HALF_UP)


PERIODS = [
    pytest.param("2026-10", OCTOBER, id="october"),
    pytest.param("2026-09-01..2026-10-31", TWO_MONTHS, id="september-october"),
]

# --------------------------------------------------------------------------- the page itself

_RESOURCE_ATTRIBUTES = {
    "src",
    "srcset",
    "href",
    "xlink:href",
    "action",
    "formaction",
    "poster",
    "background",
    "data",
    "ping",
    "manifest",
}
_FOREIGN_TAGS = {
    "script",
    "link",
    "img",
    "iframe",
    "object",
    "embed",
    "base",
    "audio",
    "video",
    "source",
    "form",
    "image",
    "use",
    "foreignobject",
}


@pytest.mark.parametrize(("_", "period"), PERIODS)
def test_the_page_is_self_contained(_: str, period: tuple[date, date]) -> None:
    page = _page(*period)
    root = parse(page)
    assert root.one("html").attrs["lang"] == "vi"
    assert root.all("meta", charset="utf-8")
    policy = root.one("meta", http_equiv="Content-Security-Policy").attrs["content"]
    assert "default-src 'none'" in policy
    assert [n.tag for n in root.iter() if n.tag in _FOREIGN_TAGS] == []
    for node in root.iter():
        for name, value in node.attrs.items():
            assert not name.startswith("on"), (node.tag, name)
            assert name not in _RESOURCE_ATTRIBUTES, (node.tag, name, value)
            assert "url(" not in value or value.startswith("url(#"), (node.tag, name, value)
            if "http" in value:  # only words about the data may mention an address
                assert name.startswith(("data-", "aria-")) or name == "title", (name, value)
    style = "".join(n.text() for n in root.all("style"))
    for word in ("http", "url(", "@import", "@font-face", "//"):
        assert word not in style
    assert "@media print" in style
    # The one address in the inputs is an agency's name (a spreadsheet formula), shown as text.
    agencies = [n.text() for n in root.all("th", data_key="agency")]
    assert '=HYPERLINK("http://example.invalid")' in agencies
    assert "=HYPERLINK(&quot;http://example.invalid&quot;)" in page


def test_heading_and_period() -> None:
    root = parse(_page(*OCTOBER))
    assert root.one("h1").text() == "Báo cáo tình hình giải quyết TTHC"
    assert root.one("head").one("title").text() == "Báo cáo tình hình giải quyết TTHC"
    period = root.one("p", data_period="2026-10-01..2026-10-31")
    assert period.text() == "Kỳ báo cáo: Từ ngày 01/10/2026 đến ngày 31/10/2026"
    assert "Lập lúc 08:15 ngày 02/11/2026" in root.one("footer").text()
    ids = [n.attrs["id"] for n in root.iter() if "id" in n.attrs]
    assert len(ids) == len(set(ids))


# --------------------------------------------------------------------------- the table

_SHOWN = {
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
    "excluded",
    "rate_early_or_on_time",
}


@pytest.mark.parametrize(("argument", "period"), PERIODS)
def test_every_number_of_the_table_is_the_csv_reports(
    argument: str, period: tuple[date, date]
) -> None:
    expected = {(r["row"], _csv_label(r)): r for r in _cli_report(argument)}
    table = section(parse(_page(*period)), "bang-tong-hop").one("table")
    heads = table.one("thead").text()
    # The form's own headings (law-2026-11.md §2.2).
    for label in ("Cơ quan", "Số hồ sơ nhận giải quyết", "Trực tuyến",
                  "Trực tiếp, dịch vụ bưu chính", "Từ kỳ trước"):  # fmt: skip
        assert label in heads
    for label in ("Số hồ sơ đã giải quyết", "Trước hạn", "Đúng hạn", "Quá hạn",
                  "Số hồ sơ đang giải quyết"):  # fmt: skip
        assert label in heads
    assert "Trong hạn" in heads
    assert "Rút, hủy" in heads
    assert "Tỷ lệ trước hạn và đúng hạn (%)" in heads
    rows = [tr for tr in table.all("tr") if "data-row" in tr.attrs]
    assert len(rows) == len(expected)
    assert [tr.attrs["data-row"] for tr in rows][-1] == "total"
    for tr in rows:
        kind = tr.attrs["data-row"]
        label = tr.one("th").text()
        want = expected[(kind, label)]
        cells = {td.attrs["data-col"]: td for td in tr.all("td") if "data-col" in td.attrs}
        assert cells.keys() >= _SHOWN, sorted(_SHOWN - cells.keys())
        for col, td in cells.items():
            assert td.attrs["data-value"] == want[col], (label, col)
            if col != "reconciles":
                number = _vi_decimal(td.text())
                assert number == (Decimal(want[col]) if want[col] else None), (label, col)
        if "received_unknown_channel" not in cells:  # shown only when some row has one
            assert want["received_unknown_channel"] == "0"


def test_the_october_table_by_hand() -> None:
    # UBND xã Hòa Vang in October, from examples/events.csv: HS-001 carried over from
    # September and HS-002, HS-006, HS-007, HS-008, HS-009 received (2 online, 4 direct);
    # HS-002 early, HS-006 and HS-008 on time, HS-001 and HS-007 late; HS-009 withdrawn.
    table = section(parse(_page(*OCTOBER)), "bang-tong-hop")
    row = next(tr for tr in table.all("tr", data_row="group") if "UBND" in tr.one("th").text())
    got = {td.attrs["data-col"]: td.text() for td in row.all("td") if "data-col" in td.attrs}
    assert got["to_handle"] == "6"
    assert got["carried_over"] == "1"
    assert (got["received_online"], got["received_direct"]) == ("2", "3")
    assert (got["resolved"], got["early"], got["on_time"], got["late"]) == ("5", "1", "2", "2")
    assert got["excluded"] == "1"
    assert got["rate_early_or_on_time"] == "60,00"  # 3 / 5


# --------------------------------------------------------------------------- the bars


@pytest.mark.parametrize(("argument", "period"), PERIODS)
def test_bar_shares_are_the_csv_counts_over_resolved(
    argument: str, period: tuple[date, date]
) -> None:
    bars = section(parse(_page(*period)), "co-cau")
    by_label = {tr.one("th").text(): tr for tr in bars.all("tr") if "data-row" in tr.attrs}
    csv_rows = _cli_report(argument)
    assert set(by_label) == {_csv_label(r) for r in csv_rows}
    for r in csv_rows:
        tr = by_label[_csv_label(r)]
        if r["resolved"] == "0":
            assert tr.all("svg") == []
            assert "Không có hồ sơ đã giải quyết" in tr.text()
            continue
        svg = tr.one("svg")
        assert svg.attrs["role"] == "img"
        said = svg.one("title").text()
        assert svg.attrs["aria-label"] == said
        widths = {rect.attrs["data-share"]: float(rect.attrs["width"]) for rect in svg.all("rect")
                  if "data-share" in rect.attrs}  # fmt: skip
        for share in ("early", "on_time", "late"):
            pct = _share(r[share], r["resolved"])
            span = tr.one("span", data_share=share)
            assert Decimal(span.attrs["data-value"]) == pct
            written = f"{pct} %".replace(".", ",")
            assert written in span.text()
            assert written in said
            assert widths[share] / sum(widths.values()) == pytest.approx(
                int(r[share]) / int(r["resolved"]), abs=1e-5
            )


def test_the_october_bars_by_hand() -> None:
    # UBND xã Hòa Vang: 1 early, 2 on time, 2 late of 5 resolved (see the table test above).
    bars = section(parse(_page(*OCTOBER)), "co-cau")
    tr = next(tr for tr in bars.all("tr", data_row="group") if "UBND" in tr.one("th").text())
    shares = {s.attrs["data-share"]: s.text() for s in tr.all("span")}
    assert shares == {
        "early": "Trước hạn: 20,00 % (1)",
        "on_time": "Đúng hạn: 40,00 % (2)",
        "late": "Quá hạn: 40,00 % (2)",
    }


def _two_groups() -> list[dict[str, Any]]:
    a = Summary(received=4, received_direct=4, resolved=4, early=3, on_time=1)
    b = Summary(received=4, received_online=4, resolved=4, early=1, on_time=1, late=2)
    return report_table({("Xã A",): a, ("Xã B",): b}, by=("agency",))


def _hand_page(rows: list[dict[str, Any]], **options: Any) -> Node:
    page = render_report_html(
        title="Thử", first=date(2026, 10, 1), last=date(2026, 10, 31), by=("agency",),
        rows=rows, **options,
    )  # fmt: skip
    return parse(page)


def test_bar_widths_are_proportional_to_hand_made_shares() -> None:
    # Xã A: 3 early, 1 on time, 0 late -> 75 / 25 / 0 %; Xã B: 1, 1, 2 -> 25 / 25 / 50 %;
    # the total: 4, 2, 2 of 8 -> 50 / 25 / 25 %.
    expected = {
        "Xã A": (0.75, 0.25, 0.0),
        "Xã B": (0.25, 0.25, 0.5),
        "Tổng cộng": (0.5, 0.25, 0.25),
    }
    bars = section(_hand_page(_two_groups()), "co-cau")
    lengths = []
    for tr in bars.all("tr"):
        if "data-row" not in tr.attrs:
            continue
        rects = [r for r in tr.one("svg").all("rect") if "data-share" in r.attrs]
        assert [r.attrs["data-share"] for r in rects] == ["early", "on_time", "late"]
        widths = [float(r.attrs["width"]) for r in rects]
        xs = [float(r.attrs["x"]) for r in rects]
        total = sum(widths)
        lengths.append(total)
        assert [w / total for w in widths] == pytest.approx(expected[tr.one("th").text()])
        assert xs == pytest.approx([0, widths[0], widths[0] + widths[1]])  # stacked, no gaps
    assert len(lengths) == 3
    assert lengths == pytest.approx([lengths[0]] * 3)  # every bar is the same whole
    text = bars.text()
    assert "Trước hạn: 75,00 % (3)" in text
    assert "Quá hạn: 50,00 % (2)" in text


def test_late_is_drawn_with_a_pattern_and_every_share_is_named() -> None:
    bars = section(_hand_page(_two_groups()), "co-cau")
    fills = {
        r.attrs["data-share"]: r.attrs["fill"] for r in bars.all("rect") if "data-share" in r.attrs
    }
    assert fills["late"].startswith("url(#")
    pattern = fills["late"].removeprefix("url(#").split(")")[0]
    assert bars.all("pattern", id=pattern)
    assert len({fills["early"], fills["on_time"], fills["late"]}) == 3
    legend = bars.one("p", **{"class": "legend"}).text()
    for name in ("Trước hạn", "Đúng hạn", "Quá hạn"):
        assert name in legend


# --------------------------------------------------------------------------- monthly line


def test_the_monthly_line_has_one_mark_per_month_with_csv_shares() -> None:
    root = parse(_page(*TWO_MONTHS))
    months = section(root, "theo-thang")
    svg = months.one("svg")
    marks = {n.attrs["data-month"]: n for n in svg.iter() if "data-month" in n.attrs}
    assert set(marks) == {"2026-09", "2026-10"}
    labels = [t.text() for t in svg.all("text")]
    assert "09/2026" in labels
    assert "10/2026" in labels
    for month, argument in (("2026-09", "2026-09"), ("2026-10", "2026-10")):
        groups = [r for r in _cli_report(argument) if r["row"] == "group"]
        resolved = sum(int(r["resolved"]) for r in groups)
        good = sum(int(r["early"]) + int(r["on_time"]) for r in groups)
        mark = marks[month]
        if resolved == 0:  # no share to draw: a note, not a point at 0 %
            assert mark.tag == "text"
            assert mark.attrs["data-value"] == ""
            continue
        assert mark.tag == "circle"
        pct = _share(str(good), str(resolved))
        assert Decimal(mark.attrs["data-value"]) == pct
        assert f"{pct} %".replace(".", ",") in labels
        row = months.one("tr", data_month=month)
        assert row.one("td", data_col="rate_early_or_on_time").text() == f"{pct} %".replace(
            ".", ","
        )
    # By hand: September's only dossier, HS-001 (received 21/09), was resolved on 14/10, so
    # September has nothing resolved; October: 1 early + 2 on time of 6 resolved = 50 %.
    assert marks["2026-09"].tag == "text"
    assert marks["2026-10"].attrs["data-value"] == "50.00"
    assert "09/2026: không có hồ sơ đã giải quyết" in svg.one("title").text()


def test_one_month_draws_no_line() -> None:
    assert parse(_page(*OCTOBER)).all("section", id="theo-thang") == []


def _point(text: str) -> tuple[float, float]:
    x, y = text.split(",")
    return float(x), float(y)


def test_monthly_points_are_placed_by_hand_made_shares() -> None:
    # Shares by hand: 3 of 4 -> 75 %, 2 of 2 -> 100 %, 1 of 5 -> 20 %.
    months = [
        ("2026-07", Summary(resolved=4, early=2, on_time=1, late=1)),
        ("2026-08", Summary(resolved=2, on_time=2)),
        ("2026-09", Summary(resolved=5, early=1, late=4)),
    ]
    svg = section(_hand_page(_two_groups(), monthly=months), "theo-thang").one("svg")
    circles = svg.all("circle")
    assert [c.attrs["data-value"] for c in circles] == ["75.00", "100.00", "20.00"]
    xs = [float(c.attrs["cx"]) for c in circles]
    ys = [float(c.attrs["cy"]) for c in circles]
    assert xs[1] - xs[0] == pytest.approx(xs[2] - xs[1])
    assert xs[1] > xs[0]
    # Heights are proportional: (y75 - y100) / (y75 - y20) = (75 - 100) / (75 - 20).
    assert (ys[0] - ys[1]) / (ys[0] - ys[2]) == pytest.approx(-25 / 55)
    assert ys[1] < ys[0] < ys[2]  # higher share, higher on the page
    # ... and placed on the chart's own scale: its 0 % and 100 % grid lines.
    grid = {int(g.attrs["data-value"]): float(g.attrs["y1"]) for g in svg.all("line")}
    zero, full = grid[0], grid[100]
    assert ys == pytest.approx([zero + (full - zero) * v for v in (0.75, 1.0, 0.2)])
    assert grid[50] == pytest.approx((zero + full) / 2)
    points = [_point(p) for p in svg.one("polyline").attrs["points"].split()]
    assert [x for x, _ in points] == pytest.approx(xs)
    assert [y for _, y in points] == pytest.approx(ys)
    assert [t.text() for t in svg.all("text") if t.text().endswith("/2026")] == [
        "07/2026",
        "08/2026",
        "09/2026",
    ]


def test_a_month_without_resolved_dossiers_breaks_the_line() -> None:
    months = [
        ("2026-06", Summary(resolved=1, early=1)),
        ("2026-07", Summary()),
        ("2026-08", Summary(resolved=2, on_time=1, late=1)),
        ("2026-09", Summary(resolved=4, early=4)),
    ]
    svg = section(_hand_page(_two_groups(), monthly=months), "theo-thang").one("svg")
    assert [c.attrs["data-month"] for c in svg.all("circle")] == ["2026-06", "2026-08", "2026-09"]
    assert [len(p.attrs["points"].split()) for p in svg.all("polyline")] == [2]
    assert svg.one("text", data_month="2026-07").attrs["data-value"] == ""


# --------------------------------------------------------------------------- the late list


def test_the_late_list_is_the_command_lines() -> None:
    listed = _cli("list", "late", "--period", "2026-10")
    table = section(parse(_page(*OCTOBER)), "tre-han").one("table")
    heads = table.one("thead").text()
    for label in ("Mã hồ sơ", "Cơ quan", "Thủ tục", "Hạn giải quyết", "Đơn vị làm chậm"):
        assert label in heads
    rows = table.one("tbody").all("tr")
    ids = [tr.one("td", data_col="dossier_id").text() for tr in rows]
    assert ids == [r["dossier_id"] for r in listed]
    # By hand from examples/events.csv: resolved late in October HS-001, HS-003, HS-007;
    # still open and past the due date on 31/10: HS-004 (due 30/10), HS-005 (due 29/10).
    assert sorted(ids) == ["HS-001", "HS-003", "HS-004", "HS-005", "HS-007"]
    for tr, want in zip(rows, listed, strict=True):
        cell = {td.attrs["data-col"]: td.text() for td in tr.all("td") if "data-col" in td.attrs}
        received = datetime.fromisoformat(want["received_at"])
        assert cell["received_at"] == received.strftime("%d/%m/%Y %H:%M")
        assert cell["due_date"] == datetime.fromisoformat(want["due_at"]).strftime("%d/%m/%Y")
        if want["completed_at"]:
            completed = datetime.fromisoformat(want["completed_at"])
            assert cell["completed_at"] == completed.strftime("%d/%m/%Y %H:%M")
        else:
            assert cell["completed_at"] == "Chưa giải quyết"
        assert cell["late_working_days"] == want["late_working_days"]
        assert cell["late_units"] == want["late_units"]
        assert cell["agency"] == want["agency"]
        assert cell["procedure"] == want["procedure"]


def test_a_long_late_list_shows_the_most_late_and_says_how_many(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # October of the example has 5 late dossiers (above); with room for 2 on the page, the
    # page lists the first 2 of `list late` (most working days late first) and says 5.
    import tthc_sla.cli as cli

    monkeypatch.setattr(cli, "_HTML_LATE", 2)
    out = tmp_path / "page.html"
    argv = ["report", str(EVENTS), "--procedures", str(PROCEDURES), "--period", "2026-10",
            "--format", "html", "--output", str(out)]  # fmt: skip
    assert main(argv, io.StringIO()) == 0
    late = section(parse(out.read_text("utf-8")), "tre-han")
    ids = [tr.one("td", data_col="dossier_id").text() for tr in late.one("tbody").all("tr")]
    listed = _cli("list", "late", "--period", "2026-10")
    assert ids == [r["dossier_id"] for r in listed][:2]
    note = late.one("p", data_total="5")
    assert note.attrs["data-shown"] == "2"
    assert "2 hồ sơ quá hạn nhiều ngày nhất trong tổng số 5" in note.text()
    assert "tthc-sla list late --period 2026-10-01..2026-10-31" in note.text()


def test_a_whole_late_list_has_no_such_note() -> None:
    page = parse(_page(*OCTOBER))
    assert section(page, "tre-han").all("p", data_total="5") == []


def test_no_late_dossier_is_said() -> None:
    late = section(_hand_page(_two_groups()), "tre-han")
    assert late.all("table") == []
    assert "Không có hồ sơ quá hạn" in late.text()


# --------------------------------------------------------------------------- notes, text


def test_the_examples_reconcile_and_say_so() -> None:
    notes = section(parse(_page(*OCTOBER)), "doi-chieu")
    assert [p.attrs["data-note"] for p in notes.all("p")] == ["ok"]


def test_rows_that_do_not_reconcile_and_provisional_outcomes_are_noted() -> None:
    # Xã A received 3 but accounts for 2 (2 resolved, nothing pending or withdrawn): off by 1.
    bad = Summary(received=3, received_direct=3, resolved=2, early=1, on_time=1)
    provisional = Summary(received=2, received_online=2, pending=2, pending_within=2, provisional=2)
    rows = report_table({("Xã A",): bad, ("Xã B",): provisional}, by=("agency",))
    root = _hand_page(rows)
    notes = section(root, "doi-chieu")
    mismatch = notes.all("p", data_note="mismatch")
    said = " ".join(p.text() for p in mismatch)
    assert "“Xã A”" in said
    assert "“Tổng cộng”" in said  # the total inherits the slip
    assert "chênh lệch +1" in said
    assert "Xã B" not in said
    note = notes.one("p", data_note="provisional")
    assert note.attrs["data-value"] == "2"
    assert "Có 2 hồ sơ" in note.text()
    assert "tạm tính" in note.text()
    table = section(root, "bang-tong-hop")
    flags = {
        tr.one("th").text(): tr.one("td", data_col="reconciles").attrs["data-value"]
        for tr in table.all("tr")
        if "data-row" in tr.attrs
    }
    assert flags == {"Xã A": "false", "Xã B": "true", "Tổng cộng": "false"}


def test_vietnamese_number_forms() -> None:
    # 1,234 received, 1,000 early + 234 on time of 1,234 resolved; 1 of 3 resolved early.
    big = Summary(received=1234, received_direct=1234, resolved=1234, early=1000, on_time=234)
    third = Summary(received=3, received_online=3, resolved=3, early=1, late=2)
    rows = report_table({("Phường A",): big, ("Phường B",): third}, by=("agency",))
    table = section(_hand_page(rows), "bang-tong-hop")
    cells = {
        (tr.one("th").text(), td.attrs["data-col"]): td
        for tr in table.all("tr")
        if "data-row" in tr.attrs
        for td in tr.all("td")
        if "data-col" in td.attrs
    }
    assert cells[("Phường A", "to_handle")].text() == "1.234"
    assert cells[("Phường A", "to_handle")].attrs["data-value"] == "1234"
    assert cells[("Tổng cộng", "to_handle")].text() == "1.237"
    assert cells[("Phường A", "rate_early_or_on_time")].text() == "100,00"
    assert cells[("Phường B", "rate_early_or_on_time")].text() == "33,33"
    assert cells[("Phường B", "rate_early_or_on_time")].attrs["data-value"] == "33.33"


def test_every_text_is_escaped() -> None:
    title = '<script>alert("x")</script> & Co'
    agency = '<b onclick="x()">Xã "A"</b>'
    s = Summary(received=1, received_direct=1, resolved=1, late=1)
    rows = report_table({(agency,): s}, by=("agency",))
    late = [
        {
            "dossier_id": "<i>HS-1</i>",
            "agency": agency,
            "procedure": "1.000&1",
            "received_at": datetime(2026, 10, 1, 9, 0),
            "due_date": date(2026, 10, 2),
            "completed_at": datetime(2026, 10, 5, 9, 0),
            "late_working_days": 1,
            "late_units": "<img src=x onerror=alert(1)>",
        }
    ]
    page = render_report_html(
        title=title, first=date(2026, 10, 1), last=date(2026, 10, 31), by=("agency",),
        rows=rows, late=late,
    )  # fmt: skip
    root = parse(page)
    assert {n.tag for n in root.iter()}.isdisjoint({"script", "b", "i", "img"})
    assert root.one("h1").text() == title
    assert root.one("head").one("title").text() == title
    assert root.one("th", data_key="agency").text() == agency
    late_row = section(root, "tre-han").one("tbody").one("tr")
    assert late_row.one("td", data_col="late_units").text() == "<img src=x onerror=alert(1)>"
    assert late_row.one("td", data_col="dossier_id").text() == "<i>HS-1</i>"


def test_a_reversed_period_is_refused() -> None:
    with pytest.raises(PolicyError, match="first <= last"):
        render_report_html(
            title="x", first=date(2026, 11, 1), last=date(2026, 10, 1), by=(), rows=[]
        )
