"""The ``tthc-sla`` command line: a thin layer over the library.

Exit status 0 on success, 2 on bad input with a one-line message on standard error.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, TextIO

from tthc_sla.calendar import vietnam_calendar
from tthc_sla.errors import TthcSlaError

__all__ = ["main"]

_WEEKDAYS = {
    "vi": ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_TEXT = {
    "vi": {
        "title": "Lịch làm việc khu vực công năm {year}",
        "confirmed": "đã có thông báo chính thức",
        "provisional": "dự kiến: chưa có thông báo chính thức (xác nhận đến {until})",
        "off": "Ngày nghỉ (ngoài thứ Bảy, Chủ nhật):",
        "work": "Ngày làm việc bù (thứ Bảy, Chủ nhật đi làm):",
        "none": "  (không có)",
    },
    "en": {
        "title": "Public-sector working calendar {year}",
        "confirmed": "officially announced",
        "provisional": "provisional: no official notice yet (confirmed until {until})",
        "off": "Days off (besides Saturdays and Sundays):",
        "work": "Make-up working days (weekend days worked):",
        "none": "  (none)",
    },
}


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # argparse's own errors: exit 2, one line
        raise _UsageError(message)


def _year(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"year {text!r}: expected a year like 2026") from None


def _build_parser() -> _Parser:
    parser = _Parser(
        prog="tthc-sla",
        description="Deadlines and SLA outcomes for Vietnamese administrative procedures.",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    cal = sub.add_parser(
        "calendar",
        help="a year's days off and make-up working days, with their reasons",
        description="List a year's days off (holidays, swapped days) and make-up working days.",
    )
    cal.add_argument("year", type=_year, help="the year, e.g. 2026")
    cal.add_argument("--lang", choices=("vi", "en"), default="vi", help="language of reasons")
    cal.add_argument("--json", action="store_true", help="machine-readable JSON output")
    cal.set_defaults(run=_run_calendar)
    return parser


def _run_calendar(args: argparse.Namespace, out: TextIO) -> None:
    cal = vietnam_calendar()
    year: int = args.year
    lang: str = args.lang
    off = cal.days_off(year, lang)
    work = cal.make_up_workdays(year, lang)
    confirmed = cal.confirmed_until is not None and date(year, 12, 31) <= cal.confirmed_until
    if args.json:
        doc = {
            "year": year,
            "confirmed": confirmed,
            "confirmed_until": _iso(cal.confirmed_until),
            "days_off": [_day_json(d, r, lang) for d, r in off],
            "make_up_workdays": [_day_json(d, r, lang) for d, r in work],
        }
        json.dump(doc, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return
    text = _TEXT[lang]
    status = text["confirmed"] if confirmed else text["provisional"]
    out.write(text["title"].format(year=year) + f" ({status.format(until=cal.confirmed_until)})\n")
    _write_days(out, text["off"], off, lang)
    _write_days(out, text["work"], work, lang)


def _write_days(out: TextIO, title: str, days: list[tuple[date, str]], lang: str) -> None:
    out.write(f"\n{title}\n")
    if not days:
        out.write(_TEXT[lang]["none"] + "\n")
    for d, reason in days:
        out.write(f"  {d.isoformat()}  {_WEEKDAYS[lang][d.weekday()]:<9}  {reason}\n")


def _day_json(d: date, reason: str, lang: str) -> dict[str, str]:
    return {"date": d.isoformat(), "weekday": _WEEKDAYS[lang][d.weekday()], "reason": reason}


def _iso(d: date | None) -> str | None:
    return None if d is None else d.isoformat()


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run the command line; return the exit status."""
    stream = out if out is not None else sys.stdout
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
        run: Callable[[argparse.Namespace, TextIO], None] = args.run
        run(args, stream)
    except (_UsageError, TthcSlaError) as exc:
        message = " ".join(str(exc).split())
        print(f"tthc-sla: error: {message}", file=sys.stderr)
        return 2
    return 0
