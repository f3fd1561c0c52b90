"""The ``tthc-sla`` command line: a thin layer over the library.

Exit status 0 on success, 2 on bad input with a one-line message on standard error.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime, time
from typing import Any, TextIO

from tthc_sla.calendar import vietnam_calendar
from tthc_sla.errors import TthcSlaError
from tthc_sla.rules import DeadlinePolicy, ProcessingTime, deadline, parse_processing_time
from tthc_sla.rules._deadline import resolve_rule

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


_DUE_TEXT = {
    "vi": {
        "due": "Hạn trả kết quả",
        "start": "Bắt đầu tính",
        "rule": "Thời hạn giải quyết",
        "note": "Ghi chú",
        "skipped": "Ngày nghỉ đã trừ",
        "status": "Tình trạng",
        "confirmed": "theo lịch đã công bố chính thức",
        "provisional": "dự kiến (dùng ngày chưa có thông báo nghỉ lễ chính thức)",
    },
    "en": {
        "due": "Due",
        "start": "Clock start",
        "rule": "Processing time",
        "note": "Note",
        "skipped": "Days off skipped",
        "status": "Status",
        "confirmed": "on the officially announced calendar",
        "provisional": "provisional (uses days with no official notice yet)",
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

    due = sub.add_parser(
        "due",
        help="the deadline of a dossier received at a moment under a processing-time rule",
        description=(
            "Compute the due date and time (hạn trả kết quả) of a dossier. RULE is Vietnamese "
            "text ('15 ngày làm việc', 'Trong ngày') or a short spec: 15wd (working days), "
            "30d (calendar days), 8h (working hours), 3m (months), same-day, immediate."
        ),
    )
    due.add_argument("received_at", type=_moment, help="receipt moment, e.g. 2026-11-20T09:30")
    due.add_argument("rule", help="the processing time: text or spec")
    due.add_argument("--part", help="for a rule stating several times, the label of the one to use")
    due.add_argument(
        "--receipt-day-counts",
        action="store_true",
        help="count a receipt day within working hours as day 1 (default: Civil Code art. 147)",
    )
    due.add_argument(
        "--due-time",
        choices=("end_of_day", "same_time"),
        default="end_of_day",
        help="due at the close of the due date (default) or at the receipt's time of day",
    )
    due.add_argument(
        "--cutoff", type=_clock, default=time(15), help="same-day cut-off, HH:MM (default 15:00)"
    )
    due.add_argument(
        "--difficult-area", action="store_true", help="add the rule's difficult-area extra"
    )
    due.add_argument(
        "--day-off", type=_date, action="append", default=[], help="an extra office day off"
    )
    due.add_argument(
        "--workday", type=_date, action="append", default=[], help="an extra office working day"
    )
    due.add_argument("--lang", choices=("vi", "en"), default="vi", help="language of reasons")
    due.add_argument("--json", action="store_true", help="machine-readable JSON output")
    due.set_defaults(run=_run_due)
    return parser


def _moment(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"received_at {text!r}: expected an ISO moment like 2026-11-20T09:30 or "
            "2026-11-20T09:30+07:00"
        ) from None


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a date like 2026-11-24") from None


def _clock(text: str) -> time:
    try:
        return time.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a time like 15:00") from None


def _rule(text: str, part: str | None) -> ProcessingTime:
    try:
        rule: Any = ProcessingTime.from_spec(text)
    except ValueError:
        rule = parse_processing_time(text)
    if part is not None:
        if isinstance(rule, ProcessingTime):
            raise _UsageError(f"--part {part!r}: the rule {text!r} states a single time")
        rule = rule.part(part)
    return resolve_rule(rule)


def _run_due(args: argparse.Namespace, out: TextIO) -> None:
    cal = vietnam_calendar(extra_days_off=args.day_off, extra_workdays=args.workday)
    policy = DeadlinePolicy(
        receipt_day_counts=args.receipt_day_counts,
        due_time=args.due_time,
        same_day_cutoff=args.cutoff,
        difficult_area=args.difficult_area,
    )
    rule = _rule(args.rule, args.part)
    d = deadline(args.received_at, rule, cal, policy)
    lang: str = args.lang
    skipped = d.skipped if lang == "vi" else _skipped_en(cal, d.skipped)
    if args.json:
        doc = {
            "received_at": args.received_at.isoformat(),
            "rule": str(d.rule),
            "rule_spec": d.rule.spec(),
            "due_at": d.due_at.isoformat(),
            "due_date": d.due_date.isoformat(),
            "clock_start": d.clock_start.isoformat(),
            "provisional": d.provisional,
            "skipped": [_day_json(day, reason, lang) for day, reason in skipped],
            "note": d.rule.note,
        }
        json.dump(doc, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return
    wd = _WEEKDAYS[lang]
    labels = _DUE_TEXT[lang]
    out.write(f"{labels['due']}: {_fmt(d.due_at)} ({wd[d.due_date.weekday()]})\n")
    out.write(f"{labels['start']}: {_fmt(d.clock_start)}\n")
    out.write(f"{labels['rule']}: {d.rule}\n")
    if d.rule.note:
        out.write(f"{labels['note']}: {d.rule.note}\n")
    out.write(f"{labels['skipped']}:\n")
    if not skipped:
        out.write(_TEXT[lang]["none"] + "\n")
    for day, reason in skipped:
        out.write(f"  {day.isoformat()}  {wd[day.weekday()]:<9}  {reason}\n")
    status = labels["provisional"] if d.provisional else labels["confirmed"]
    out.write(f"{labels['status']}: {status}\n")


def _skipped_en(cal: Any, skipped: tuple[tuple[date, str], ...]) -> list[tuple[date, str]]:
    names = {}
    for year in {day.year for day, _ in skipped}:
        names.update(dict(cal.days_off(year, "en")))
    return [(day, names.get(day, reason)) for day, reason in skipped]


def _fmt(moment: datetime) -> str:
    text = moment.strftime("%Y-%m-%d %H:%M")
    if moment.tzinfo is not None:
        text += moment.strftime(" %z")
    return text


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
