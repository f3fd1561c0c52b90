"""The ``tthc-sla`` command line: a thin layer over the library.

Exit status 0 on success, 2 on bad input with a one-line message on standard error.
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import json
import os
import sys
import tempfile
import tomllib
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, time, timedelta
from importlib.metadata import PackageNotFoundError, version
from typing import Any, Final, Protocol, TextIO, cast

import attrs

from tthc_sla import _engines, _fastread, _form06, _html, _partition, _serve, _tables, _writers
from tthc_sla._periods import CUTOFFS, parse_period
from tthc_sla.calendar import WorkingCalendar, vietnam_calendar
from tthc_sla.calendar._seam import VN_TZ
from tthc_sla.errors import PolicyError, RuleParseError, TableError, TthcSlaError
from tthc_sla.evaluation._flat import FLAT_COLUMNS
from tthc_sla.metrics import RATES, report_table
from tthc_sla.procedure import Procedure
from tthc_sla.rules import DeadlinePolicy, ProcessingTime, deadline, parse_processing_time
from tthc_sla.rules._seam import has_spec_form, resolve_rule

__all__ = ["main", "program"]

_WEEKDAYS = {
    "vi": ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_TEXT = {
    "vi": {
        "title": "Lịch làm việc khu vực công năm {year}",
        "confirmed": "đã có thông báo chính thức",
        "provisional": "dự kiến: chưa có thông báo chính thức (xác nhận đến {until})",
        "partial": "mới có thông báo cho một phần của năm; các ngày khác là dự kiến",
        "covered": "Đã có thông báo chính thức cho:",
        "mark": "(dự kiến)",
        "off": "Ngày nghỉ (ngoài thứ Bảy, Chủ nhật):",
        "work": "Ngày làm việc bù (thứ Bảy, Chủ nhật đi làm):",
        "none": "  (không có)",
    },
    "en": {
        "title": "Public-sector working calendar {year}",
        "confirmed": "officially announced",
        "provisional": "provisional: no official notice yet (confirmed until {until})",
        "partial": "announced in part; the other days are provisional",
        "covered": "Officially announced for:",
        "mark": "(provisional)",
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


def _version() -> str:
    try:
        return version("tthc_sla")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "unknown"


class _Commands(Protocol):
    """What the sub-command functions use of ``add_subparsers()``'s registry."""

    def add_parser(self, name: str, **kwargs: Any) -> _Parser: ...


def _build_parser() -> _Parser:
    parser = _Parser(
        prog="tthc-sla",
        description="Deadlines and SLA outcomes for Vietnamese administrative procedures.",
    )
    parser.add_argument(
        "--version", action="version", version=f"tthc-sla {_version()}", help="show the version"
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    _add_calendar(sub)
    _add_due(sub)
    _add_evaluate(sub)
    _add_report(sub)
    _add_list(sub)
    _add_serve(sub)
    return parser


def _add_calendar(sub: _Commands) -> None:
    cal = sub.add_parser(
        "calendar",
        help="a year's days off and make-up working days, with their reasons",
        description="List a year's days off (holidays, swapped days) and make-up working days.",
    )
    cal.add_argument("year", type=_year, help="the year, e.g. 2026")
    _lang_and_json_args(cal)
    _notices_arg(cal)
    cal.set_defaults(run=_run_calendar)


def _add_due(sub: _Commands) -> None:
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
    _policy_args(due)
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
    _notices_arg(due)
    _lang_and_json_args(due)
    due.set_defaults(run=_run_due)


def _add_evaluate(sub: _Commands) -> None:
    ev = sub.add_parser(
        "evaluate",
        help="evaluate every dossier of an event table",
        description=(
            "Evaluate the dossiers of EVENTS (one row per event: CSV, JSON Lines, .xlsx or "
            "Parquet) against the procedures of --procedures: one row per dossier with its "
            "outcome and deadline."
        ),
    )
    _table_args(ev)
    ev.add_argument("--as-of", type=_moment, help="evaluate as of this moment (default: now)")
    ev.add_argument(
        "--format",
        choices=_EVALUATE_FORMATS,
        help="output format (default: from --output's suffix, .csv .jsonl .json .parquet or "
        ".xlsx, else csv); parquet (Arrow types, categorical labels) and xlsx need --output",
    )
    ev.set_defaults(run=_run_evaluate)


def _add_report(sub: _Commands) -> None:
    rep = sub.add_parser(
        "report",
        help="the periodic report table (received, resolved, in progress) per group",
        description=(
            "The statutory periodic report of a period: counts per group, the early-and-on-time "
            "and late rates, and the reconciliation of each row. Dossiers are evaluated as of "
            "the period's end."
        ),
    )
    _table_args(rep)
    rep.add_argument("--period", required=True, type=_period, help=_PERIOD_HELP)
    _cutoff_arg(rep)
    rep.add_argument("--by", default="", help="group keys, comma-separated: " + ", ".join(_BY))
    rep.add_argument(
        "--rates",
        default="early_or_on_time,late",
        help="rates to show, comma-separated (early, on_time, early_or_on_time, late, "
        "late_over_to_handle, on_time_over_to_handle, progress_766)",
    )
    rep.add_argument(
        "--format",
        choices=_REPORT_FORMATS,
        help="output format (default: from --output's suffix, .csv .json .xlsx or .html, "
        "else table on a terminal and csv otherwise); xlsx: the form "
        "Biểu số 06/VPCP/KSTT (Circular 01/2020/TT-VPCP), needs --output; html: one "
        "self-contained printable page with bars, the monthly trend and the late list",
    )
    rep.add_argument("--unit", help="xlsx and html: the reporting unit printed on the form")
    rep.set_defaults(run=_run_report)


def _add_list(sub: _Commands) -> None:
    lst = sub.add_parser(
        "list",
        help="the lists agencies publish: due soon, late dossiers, late dossiers per unit",
        description=(
            "due-soon: open dossiers with at most one working day left (the daily reminder), as "
            "of --as-of; late: dossiers resolved late in --period or overdue at its end, with the "
            "units whose steps overran; units: how many late dossiers each unit is attributed."
        ),
    )
    lst.add_argument("which", choices=("due-soon", "late", "units"), help="which list")
    _table_args(lst)
    lst.add_argument("--as-of", type=_moment, help="for due-soon: the moment (default: now)")
    lst.add_argument("--period", type=_period, help="for late and units: " + _PERIOD_HELP)
    _cutoff_arg(lst)
    _listing_format_arg(lst)
    lst.set_defaults(run=_run_list)


def _add_serve(sub: _Commands) -> None:
    srv = sub.add_parser(
        "serve-jsonl",
        help="answer JSON requests, one a line, on standard input (for Java, .NET, PHP...)",
        description=(
            "Read one JSON request per line on standard input (deadline, calendar questions, "
            "dossier evaluation) and write one JSON answer per line, in order, until EOF. "
            "The protocol is in docs/integrating.md."
        ),
    )
    _notices_arg(srv)
    srv.add_argument(
        "--procedures", metavar="FILE", help="a procedures table, for evaluations naming a code"
    )
    srv.add_argument(
        "--years",
        type=_years,
        default=_tables.DEFAULT_YEARS,
        metavar="FIRST..LAST",
        help="the years the calendars cover (default 1995..2100)",
    )
    srv.set_defaults(run=_run_serve)


def _lang_and_json_args(p: argparse.ArgumentParser) -> None:
    """``--lang`` and ``--json``, the output options of ``calendar`` and ``due``."""
    p.add_argument("--lang", choices=("vi", "en"), default="vi", help="language of reasons")
    p.add_argument("--json", action="store_true", help="machine-readable JSON output")


def _listing_format_arg(p: argparse.ArgumentParser) -> None:
    """``--format`` of the commands that print a table (``report``, ``list``)."""
    p.add_argument(
        "--format",
        choices=_LISTING_FORMATS,
        help="output format (default: from --output's suffix, .csv or .json, else table on a "
        "terminal and csv otherwise)",
    )


def _run_serve(args: argparse.Namespace, out: TextIO) -> None:
    _serve.run(out, years=args.years, notices=args.notices, procedures=args.procedures)


_BY = ("agency", "level", "field", "channel", "procedure", "received_month")
_EVALUATE_FORMATS: Final = ("csv", "jsonl", "json", "table", "parquet", "xlsx")
_REPORT_FORMATS: Final = ("csv", "json", "table", "xlsx", "html")
_LISTING_FORMATS: Final = ("csv", "json", "table")


def _table_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("events", help="the event table: .csv (, ; or tab), .jsonl, .xlsx or .parquet")
    p.add_argument("--procedures", required=True, help="the procedures table, in the same forms")
    p.add_argument(
        "--skip-bad",
        action="store_true",
        help="set aside each dossier with a defect (all its rows), name it on standard error, "
        "and go on with the others",
    )
    p.add_argument(
        "--rejects", metavar="FILE", help="with --skip-bad: write what was set aside to FILE (CSV)"
    )
    p.add_argument(
        "--delimiter",
        help="the events' CSV delimiter: , ; tab or another character (default: sniffed)",
    )
    p.add_argument(
        "--encoding",
        help="the text encoding of the events when it is not UTF-8 or UTF-16, e.g. cp1258",
    )
    p.add_argument(
        "--columns",
        metavar="MAP.toml",
        help="a TOML file whose [columns] table maps your headers to the reader's columns",
    )
    p.add_argument("--sheet", help="the Excel sheet of the events (default: the first)")
    _notices_arg(p)
    p.add_argument(
        "--procedures-encoding", help="the text encoding of the procedures table, like --encoding"
    )
    p.add_argument(
        "--procedures-delimiter",
        help="the CSV delimiter of the procedures table (default: sniffed)",
    )
    p.add_argument(
        "--years",
        type=_years,
        default=_tables.DEFAULT_YEARS,
        metavar="FIRST..LAST",
        help="the years the calendar covers (default 1995..2100)",
    )
    _policy_args(p)
    p.add_argument(
        "--finish",
        choices=("resolved", "returned"),
        default="resolved",
        help="the event that finishes a dossier (default: resolved, i.e. the result is ready)",
    )
    p.add_argument("--output", "-o", help="write to this file instead of standard output")
    p.add_argument(
        "--engine",
        choices=_engines.ENGINES,
        default="auto",
        help="scalar: every history replayed in Python; columnar: the whole table with numpy "
        "(the batch extra), same output; auto (default): columnar when it is installed, "
        "scalar for a CSV or JSON Lines file under 1 MB (it finishes first)",
    )
    p.add_argument(
        "--partitions",
        type=_partitions,
        metavar="N",
        help="columnar engine: deal the events by dossier into N partitions on disk (in "
        "TMPDIR) and evaluate one at a time, for tables larger than memory (default: chosen "
        "from the table's size and the memory available; 1: read the table whole)",
    )
    p.add_argument(
        "--jobs",
        type=_jobs,
        metavar="N",
        help="with partitions: evaluate up to N of them at a time, each in a process of its "
        "own (default: the CPUs this process may use, at most the partitions and as many as "
        "fit in half the memory available; 1: one after the other)",
    )


def _notices_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--notices",
        metavar="FILE.toml",
        action="append",
        default=[],
        help="an official day-off notice file of the shipped schema, merged on top of the "
        "shipped notices (repeatable; docs/calendars.md says how to write one)",
    )


def _policy_args(p: argparse.ArgumentParser) -> None:
    """The deadline policy's options, the same for ``due`` and the table commands."""
    p.add_argument(
        "--receipt-day-counts",
        action="store_true",
        help="count a receipt day within working hours as day 1 (default: Civil Code art. 147)",
    )
    p.add_argument(
        "--due-time",
        choices=("end_of_day", "same_time"),
        default="end_of_day",
        help="due at the close of the due date (default) or at the receipt's time of day",
    )
    p.add_argument(
        "--after-hours",
        type=_clock,
        metavar="HH:MM",
        help="count a receipt at or after this time, or on a day off, from 08:00 of the next "
        "working day (e.g. 17:00, Decree 297/2025 art. 3(5); default: off)",
    )


def _count(what: str, most: int) -> Callable[[str], int]:
    """An argument type: a whole number of ``what`` from 1 to ``most``."""

    def count(text: str) -> int:
        try:
            n = int(text)
        except ValueError:
            n = 0
        if not 1 <= n <= most:
            raise argparse.ArgumentTypeError(f"{text!r}: expected a number of {what}, 1..{most}")
        return n

    return count


_partitions = _count("partitions", _partition.MOST_PARTS)
_jobs = _count("processes", 1024)


def _years(text: str) -> tuple[int, int]:
    try:
        first, last = (int(x) for x in text.split(".."))
        if not 1 <= first <= last <= 9998:  # (the calendar's bounds)
            raise ValueError
        return first, last
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"years {text!r}: expected FIRST..LAST with 1 <= FIRST <= LAST <= 9998, e.g. 1980..2200"
        ) from None


_PERIOD_HELP = (
    "a month YYYY-MM, a quarter YYYY-Qn, a half year YYYY-H1 or YYYY-H2, a year YYYY, or "
    "FIRST..LAST with each bound YYYY-MM-DD or YYYY-MM"
)


def _cutoff_arg(p: argparse.ArgumentParser) -> None:
    """``--cutoff`` of the commands that take ``--period`` (``report``, ``list``)."""
    p.add_argument(
        "--cutoff",
        choices=CUTOFFS,
        help="how --period's months, quarters, half years and years are cut: calendar "
        "(default), or reporting: from the 15th of the month before to the 14th of the last "
        "month (2026-10 is 2026-09-15..2026-10-14), the national reporting regime's default "
        "(Decree 09/2019/NĐ-CP art. 12), not verified for the TTHC report forms; dates "
        "written in full are used as they are",
    )


def _period(text: str) -> str:
    """``--period``, checked when the arguments are read; its dates depend on ``--cutoff``."""
    try:
        parse_period(text)
    except PolicyError as exc:
        raise argparse.ArgumentTypeError(f"period {text!r}: expected {exc.expected}") from None
    return text


def _period_dates(args: argparse.Namespace) -> tuple[date, date]:
    """The days of ``--period`` under ``--cutoff`` (calendar when not given)."""
    first, last = parse_period(args.period, args.cutoff or "calendar")
    _in_calendar(args, last, f"--period {args.period} ends on")
    return first, last


def _in_calendar(args: argparse.Namespace, day: date, what: str) -> None:
    """Refuse an evaluation moment (a period's end, ``--as-of``) outside the calendar's years
    up front: else every dossier would reach past the calendar, and be blamed for it."""
    first, last = args.years
    if not first <= day.year <= last:
        raise _UsageError(
            f"{what} {day.isoformat()}, outside the calendar's years {first}..{last} (the "
            "dossiers are evaluated as of it); --years FIRST..LAST widens the calendar"
        )


def _note_period(args: argparse.Namespace, first: date, last: date) -> None:
    """Name the days the period stands for on standard error, after the accounting line."""
    print(
        f"tthc-sla: period {args.period} ({args.cutoff or 'calendar'} cut-off): "
        f"{first.isoformat()}..{last.isoformat()}",
        file=sys.stderr,
    )


def _moment(text: str) -> datetime:
    """A moment of the command line; a date alone is refused, as the table readers refuse it:
    the time of day decides (the 15:00 rule, which day is over)."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r}: expected an ISO moment like 2026-11-20T09:30 or 2026-11-20T09:30+07:00"
        ) from None
    if len(text.strip()) <= len("2026-11-20"):  # fromisoformat takes a date as its midnight
        raise argparse.ArgumentTypeError(
            f"{text!r} is a date without a time of day; the time decides (the 15:00 rule, "
            f"which days are over): give it as {moment:%Y-%m-%d}T09:30, or "
            f"{moment:%Y-%m-%d}T23:59 for the end of the day"
        )
    return moment


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
    except RuleParseError:
        if has_spec_form(text):
            raise  # a spec whose amount is refused ("0wd", "10000000wd"): say why
        rule = parse_processing_time(text)
    if part is not None:
        if isinstance(rule, ProcessingTime):
            raise _UsageError(f"--part {part!r}: the rule {text!r} states a single time")
        rule = rule.part(part)
    elif not isinstance(rule, ProcessingTime):
        labels = ", ".join(repr(label) for label in rule.labels)
        raise _UsageError(f"the rule states several times: pick one with --part, one of {labels}")
    return resolve_rule(rule)


def _run_due(args: argparse.Namespace, out: TextIO) -> None:
    cal = vietnam_calendar(
        extra_days_off=args.day_off, extra_workdays=args.workday, notices=args.notices or None
    )
    policy = DeadlinePolicy(
        receipt_day_counts=args.receipt_day_counts,
        due_time=args.due_time,
        same_day_cutoff=args.cutoff,
        difficult_area=args.difficult_area,
        after_hours=args.after_hours,
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
            "skipped": [_day_json(cal, day, reason, lang) for day, reason in skipped],
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


class _Progress:
    """A progress line on standard error for long runs; silent when it is not a terminal."""

    def __init__(self, total: int, label: str) -> None:
        self.total = total
        self.label = label
        self.on = total >= 2000 and sys.stderr.isatty()
        self.step = max(1, total // 100)

    def tick(self, done: int) -> None:
        if self.on and (done % self.step == 0 or done == self.total):
            pct = 100 * done // self.total
            sys.stderr.write(f"\r{self.label} {done:,}/{self.total:,} ({pct}%)")
            if done == self.total:
                sys.stderr.write("\n")
            sys.stderr.flush()

    def phase(self, text: str) -> None:
        """A line naming what a long run does now (the columnar engine works in phases)."""
        if self.on:
            sys.stderr.write(f"{text}\n")
            sys.stderr.flush()


_Results = _engines.Results | _partition.PartResults


@attrs.define
class _Run:
    """One table command's input and accounting (private, mutable)."""

    table: _tables.DossierTable | _fastread.FrameTable | _partition.Split | _Read
    calendar: WorkingCalendar
    set_aside: list[_tables.SetAside]
    procedures: dict[str, Procedure]
    scratch: tempfile.TemporaryDirectory[str] | None = None  # the partitions, while running
    jobs: int = 1  # partitions evaluated at a time


def _load(args: argparse.Namespace) -> _Run:
    """Read the procedures and the events (as dossiers for the scalar engine, as a frame for
    the columnar one); file defects raise, dossier defects per --skip-bad."""
    if args.rejects and not args.skip_bad:
        raise _UsageError("--rejects needs --skip-bad (without it the first defect stops the run)")
    if args.engine == "columnar" and not _engines.columnar_available():
        raise _UsageError("--engine columnar needs numpy and pandas: pip install 'tthc_sla[batch]'")
    columns = _column_map(args.columns) if args.columns else None
    procedures = _tables.read_procedures(
        args.procedures, encoding=args.procedures_encoding, delimiter=args.procedures_delimiter
    )
    # --partitions names the columnar engine's way of reading; else a small text table takes
    # the scalar engine under auto (the same output, without loading numpy and pandas).
    columnar = _engines.columnar(args.engine, None if args.partitions else args.events)
    if columnar and _own_process:
        _arrow_pool(load=True)  # before any worker starts
    read = _fastread.read_events_frame if columnar else _tables.read_dossiers
    size = os.path.getsize(args.events) if os.path.isfile(args.events) else 0
    parts = args.partitions or (_partition.parts_for(args.events) if columnar else 1)
    if parts > 1 and not columnar:
        raise _UsageError(
            "--partitions needs the columnar engine: --engine columnar or auto (with the "
            "batch extra installed)"
        )
    loud = size > 20_000_000 and sys.stderr.isatty()  # a long read: say so on the terminal
    table: _tables.DossierTable | _fastread.FrameTable | _partition.Split | None = None
    scratch = None
    jobs = 1
    if parts > 1:
        jobs = args.jobs or _partition.jobs_for(args.events, parts)
        if jobs > 1:
            _partition.start_workers(jobs)  # their imports overlap the split
        table, scratch = _split(args, parts, columns, loud)
    if table is None:
        if loud:
            print(f"reading {args.events} ({size / 1e6:,.0f} MB)", file=sys.stderr)
        table = read(
            args.events,
            procedures,
            columns=columns,
            encoding=args.encoding,
            delimiter=args.delimiter,
            sheet=args.sheet,
            years=args.years,
            skip_bad=args.skip_bad,
        )
    if table.ignored_columns:
        shown = ", ".join(f"'{c}'" for c in table.ignored_columns)
        print(f"tthc-sla: {table.source}: columns not used: {shown}", file=sys.stderr)
    cal = vietnam_calendar(years=args.years, notices=args.notices or None)
    aside = [] if isinstance(table, _partition.Split) else list(table.set_aside)
    jobs = jobs if isinstance(table, _partition.Split) else 1
    return _Run(table, cal, aside, dict(procedures), scratch, jobs)


def _split(
    args: argparse.Namespace, parts: int, columns: dict[str, str] | None, loud: bool
) -> tuple[_partition.Split | None, tempfile.TemporaryDirectory[str] | None]:
    """The events dealt into partitions on disk; (None, None) when the file is read whole."""
    if loud:
        print(f"dealing {args.events} into {parts} partitions by dossier", file=sys.stderr)
    scratch = tempfile.TemporaryDirectory(prefix="tthc-sla-")
    split = _partition.split_events(
        args.events,
        parts=parts,
        workdir=scratch.name,
        columns=columns,
        encoding=args.encoding,
        delimiter=args.delimiter,
        sheet=args.sheet,
    )
    if isinstance(split, str):
        scratch.cleanup()
        if args.partitions:
            print(f"tthc-sla: note: {args.events} is read whole ({split})", file=sys.stderr)
        return None, None
    return split, scratch


def _column_map(path: str) -> dict[str, str]:
    try:
        with open(path, "rb") as f:
            doc = tomllib.load(f)
    except tomllib.TOMLDecodeError as exc:
        raise TableError(path, 0, f"not a valid TOML file ({exc})") from None
    columns = doc.get("columns")
    if not isinstance(columns, dict) or not all(isinstance(v, str) for v in columns.values()):
        raise TableError(
            path, 0, 'expected a [columns] table of "header as written" = "column" lines'
        )
    return columns


def _evaluate_all(args: argparse.Namespace, run: _Run, as_of: datetime) -> _Results:
    policy = DeadlinePolicy(
        receipt_day_counts=args.receipt_day_counts,
        due_time=args.due_time,
        finish=args.finish,
        after_hours=args.after_hours,
    )
    progress = _Progress(len(run.table) or 2000, "evaluating")
    if isinstance(run.table, _partition.Split):
        evaluate: Callable[..., tuple[_Results, list[_tables.SetAside]]] = functools.partial(
            _partition.evaluate_parts, years=args.years, phase=progress.phase, jobs=run.jobs
        )
    else:
        evaluate = functools.partial(_engines.evaluate_all, tick=progress.tick)
        if isinstance(run.table, _fastread.FrameTable):
            progress.phase(f"evaluating {len(run.table):,} dossiers (columnar engine)")
    results, aside = evaluate(
        run.table,
        run.calendar,
        as_of=as_of,
        policy=policy,
        skip_bad=args.skip_bad,
        procedures=run.procedures,
    )
    run.set_aside.extend(aside)
    run.table = _Read(run.table.source, run.table.rows_read)  # the events are not needed now
    return results


@attrs.frozen
class _Read:
    """What the accounting line needs of a table once it is evaluated."""

    source: str
    rows_read: int

    def __len__(self) -> int:
        return 0


def _local_as_of(args: argparse.Namespace) -> datetime:
    """``--as-of`` (default: now) as local wall time (the readers give local wall times),
    within the calendar's years."""
    moment: datetime = args.as_of or datetime.now(VN_TZ)
    if moment.tzinfo is not None:
        local = moment.astimezone(VN_TZ)
        moment = datetime.combine(local.date(), local.time())
    _in_calendar(args, moment.date(), "--as-of")
    return moment


def _finish(args: argparse.Namespace, run: _Run, evaluations: _Results) -> None:
    """Name what was set aside, write --rejects, print the accounting line; fail on nothing."""
    aside = sorted(run.set_aside, key=lambda s: s.lines[0])
    if aside:
        print(f"tthc-sla: set aside {len(aside)} dossier(s) or row(s):", file=sys.stderr)
        for s in aside[:50]:
            for error in s.errors:
                print(f"  {_one_line(str(error))}", file=sys.stderr)
        if len(aside) > 50:
            print(f"  ... and {len(aside) - 50} more (see --rejects)", file=sys.stderr)
    if args.rejects:
        _write_rejects(args.rejects, aside)
    table = run.table
    rows_aside = sum(len(s.lines) for s in aside)
    print(
        f"tthc-sla: {table.source}: {table.rows_read} rows read; "
        f"{len(evaluations) + len(aside)} dossiers: {len(evaluations)} evaluated "
        f"({table.rows_read - rows_aside} rows), {len(aside)} set aside ({rows_aside} rows)",
        file=sys.stderr,
    )
    provisional = evaluations.provisional()
    if provisional:
        until = run.calendar.confirmed_until
        print(
            f"tthc-sla: note: {provisional} dossier(s) have deadlines that touch days with no "
            f"official notice yet (confirmed until {until}): their outcomes are provisional",
            file=sys.stderr,
        )
    if not evaluations:
        raise _NothingEvaluatedError(f"{table.source}: no dossier was evaluated")


class _NothingEvaluatedError(Exception):
    pass


def _write_rejects(path: str, aside: Sequence[_tables.SetAside]) -> None:
    rows = [["dossier_id", "lines", "line", "column", "problem"]]
    for s in aside:
        lines = " ".join(str(n) for n in s.lines)
        for e in s.errors:
            row = [s.dossier_id, lines, e.line, e.column, e.problem]
            rows.append([_tables.safe_cell(v) for v in row])
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(_tables.csv_text(rows))


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _open_out(args: argparse.Namespace, out: TextIO) -> TextIO:
    if args.output:
        return open(args.output, "w", encoding="utf-8", newline="")
    return out


def _write_table(args: argparse.Namespace, out: TextIO, rows: Any, columns: Sequence[str]) -> None:
    """Rows to --output or standard output in ``args.format`` (the command chose it, from the
    suffix too), else a table on a terminal and CSV otherwise."""
    target = _open_out(args, out)
    fmt = args.format or ("table" if target.isatty() else "csv")
    try:
        _tables.write_rows(rows, target, fmt=fmt, columns=columns)
    finally:
        if target is not out:
            target.close()


_SUFFIX_FORMATS: Final = {
    "csv": "csv", "jsonl": "jsonl", "json": "json", "parquet": "parquet", "xlsx": "xlsx",
    "html": "html", "htm": "html",
}  # fmt: skip


def _output_format(args: argparse.Namespace, choices: Sequence[str]) -> str | None:
    """``--format``, else the format ``--output``'s suffix names (None: neither says); a
    suffix naming a format the command does not write is refused rather than filled with
    another format's bytes."""
    if args.format or not args.output:
        return cast(str | None, args.format)
    suffix = os.path.splitext(args.output)[1].lower().lstrip(".")
    fmt = _SUFFIX_FORMATS.get(suffix)
    if fmt is None or fmt in choices:
        return fmt
    raise _UsageError(
        f"--output {args.output}: {args.command} does not write {fmt}; give another suffix or "
        f"--format ({', '.join(choices)})"
    )


def _run_evaluate(args: argparse.Namespace, out: TextIO) -> None:
    fmt = _output_format(args, _EVALUATE_FORMATS) or "csv"
    if fmt in ("parquet", "xlsx") and not args.output:
        raise _UsageError(f"--format {fmt} writes a file: give --output FILE")
    as_of = _local_as_of(args)  # (before reading: a moment outside the calendar is refused)
    run = _load(args)
    results = _evaluate_all(args, run, as_of)
    _finish(args, run, results)
    if isinstance(results, _partition.PartResults) and fmt == "parquet":
        _writers.write_parquet_tables(args.output, results.tables())
    elif fmt == "parquet":
        _writers.write_parquet(args.output, rows=results.rows(), frame=results.frame)
    elif fmt == "xlsx":
        _writers.write_xlsx(args.output, results.rows(), FLAT_COLUMNS, title="evaluations")
    else:
        target = _open_out(args, out)
        try:
            tables = _columns_of(results) if fmt == "csv" else None
            if tables is not None:  # the same cells, formatted a column at a time
                _writers.write_csv_tables(target, tables)
            else:
                _tables.write_rows(results.rows(), target, fmt=fmt, columns=FLAT_COLUMNS)
        finally:
            if target is not out:
                target.close()


def _columns_of(results: _Results) -> Iterable[Any] | None:
    """The results as Arrow tables of the flat layout, when the columnar engine made them
    and pyarrow is there (None: write them a row at a time)."""
    if isinstance(results, _partition.PartResults):
        return results.tables()
    if results.frame is None or importlib.util.find_spec("pyarrow") is None:
        return None
    return _writers.arrow_tables(results.frame)


def _run_report(args: argparse.Namespace, out: TextIO) -> None:
    first, last = _period_dates(args)
    by = [k.strip() for k in args.by.split(",") if k.strip()]
    for key in by:
        if key not in _BY:
            raise _UsageError(f"--by {key!r}: expected some of {', '.join(_BY)}")
    if len(set(by)) < len(by):
        raise _UsageError(f"--by {args.by!r}: each key once")
    rates = [r.strip() for r in args.rates.split(",") if r.strip()]
    for rate in rates:
        if rate not in RATES:
            raise _UsageError(f"--rates {rate!r}: expected some of {', '.join(RATES)}")
    args.format = _output_format(args, _REPORT_FORMATS)
    if args.format == "xlsx" and not args.output:
        raise _UsageError("--format xlsx writes the form to a file: give --output FILE")
    run = _load(args)
    results = _evaluate_all(args, run, datetime.combine(last, time.max))
    _finish(args, run, results)
    _note_period(args, first, last)
    rows = report_table(results.summaries((first, last), by), by=by, rates=rates)
    if args.format == "xlsx":
        _form06.write_form06(args.output, rows, by=by, first=first, last=last,
                             title_unit=args.unit)  # fmt: skip
    elif args.format == "html":
        _write_html(args, out, results, rows, by, (first, last))
    else:
        columns = [
            "row", *by, *_REPORT_COLUMNS, *(f"rate_{r}" for r in rates), "provisional",
            "reconciles", "imbalance",
        ]  # fmt: skip
        _write_table(args, out, rows, columns)


def _write_html(
    args: argparse.Namespace,
    out: TextIO,
    results: _Results,
    rows: list[dict[str, Any]],
    by: list[str],
    period: tuple[date, date],
) -> None:
    """The report as one page: the table, the bars, the month-by-month line, the late list."""
    first, last = period
    spans = []
    start = first
    while start <= last:
        spans.append((start, min(last, _month_end(start))))
        start = spans[-1][1] + timedelta(days=1)
    sums = results.summaries_each(spans, ())
    months = [(a.strftime("%Y-%m"), s) for (a, _), s in zip(spans, sums, strict=True)]
    late, total = results.late_top(period, _HTML_LATE)
    page = _html.render_report_html(
        title=args.unit or "Tình hình, kết quả giải quyết thủ tục hành chính",
        first=first,
        last=last,
        by=by,
        rows=rows,
        monthly=months if len(months) > 1 else (),
        late=late,
        late_total=total,
    )
    target = _open_out(args, out)
    try:
        target.write(page)
    finally:
        if target is not out:
            target.close()


_HTML_LATE = 1_000  # late dossiers listed on the page (the most working days late first)


def _month_end(d: date) -> date:
    following = date(d.year + d.month // 12, d.month % 12 + 1, 1)
    return following - timedelta(days=1)


_LIST_COLUMNS = (
    "dossier_id",
    "agency",
    "procedure",
    "outcome",
    "received_at",
    "due_at",
    "completed_at",
    "late_working_days",
    "late_units",
    "provisional",
)


def _run_list(args: argparse.Namespace, out: TextIO) -> None:
    args.format = _output_format(args, _LISTING_FORMATS)  # a suffix it cannot write: now
    if args.which == "due-soon":
        if args.period is not None or args.cutoff is not None:
            raise _UsageError("due-soon takes --as-of, not --period or --cutoff")
        as_of = _local_as_of(args)
        run = _load(args)
        results = _evaluate_all(args, run, as_of)
        _finish(args, run, results)
        rows = results.due_soon()
        columns: Sequence[str] = _LIST_COLUMNS
    else:
        if args.period is None:
            raise _UsageError(f"{args.which} needs --period ({_PERIOD_HELP})")
        first, last = _period_dates(args)
        run = _load(args)
        results = _evaluate_all(args, run, datetime.combine(last, time.max))
        _finish(args, run, results)
        _note_period(args, first, last)
        if args.which == "late":
            rows = results.late((first, last))
            columns = _LIST_COLUMNS
        else:
            counts = results.units((first, last))
            rows = [{"unit": unit, "late_dossiers": n} for unit, n in counts.items()]
            columns = ("unit", "late_dossiers")
    _write_table(args, out, rows, columns)


_REPORT_COLUMNS = (
    "to_handle",
    "received_online",
    "received_direct",
    "received_unknown_channel",
    "carried_over",
    "resolved",
    "early",
    "on_time",
    "late",
    "pending",
    "pending_within",
    "pending_overdue",
    "excluded",
)


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
    cal = vietnam_calendar(notices=args.notices or None)
    year: int = args.year
    lang: str = args.lang
    off = cal.days_off(year, lang)
    work = cal.make_up_workdays(year, lang)
    covered = cal.covered_periods(year)
    confirmed = not cal.is_provisional_span(date(year, 1, 1), date(year, 12, 31))
    if args.json:
        doc = {
            "year": year,
            "confirmed": confirmed,
            "confirmed_until": _iso(cal.confirmed_until),
            "covered": [
                {
                    "first": p.first.isoformat(),
                    "last": p.last.isoformat(),
                    "occasion": p.occasion(lang),
                    "notices": list(p.notices),
                }
                for p in covered
            ],
            "days_off": [_day_json(cal, d, r, lang) for d, r in off],
            "make_up_workdays": [_day_json(cal, d, r, lang) for d, r in work],
        }
        json.dump(doc, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return
    text = _TEXT[lang]
    if confirmed:
        status = text["confirmed"]
    elif covered:
        status = text["partial"]
    else:
        status = text["provisional"]
    out.write(text["title"].format(year=year) + f" ({status.format(until=cal.confirmed_until)})\n")
    if covered and not confirmed:
        out.write(f"\n{text['covered']}\n")
        for p in covered:
            notices = "; ".join(p.notices)
            out.write(
                f"  {p.first.isoformat()}..{p.last.isoformat()}  {p.occasion(lang)}: {notices}\n"
            )
    _write_days(out, text["off"], off, lang, cal)
    _write_days(out, text["work"], work, lang, cal)


def _write_days(
    out: TextIO, title: str, days: list[tuple[date, str]], lang: str, cal: WorkingCalendar
) -> None:
    out.write(f"\n{title}\n")
    if not days:
        out.write(_TEXT[lang]["none"] + "\n")
    mark = _TEXT[lang]["mark"]
    for d, reason in days:
        flag = f"  {mark}" if cal.is_provisional(d) else ""
        out.write(f"  {d.isoformat()}  {_WEEKDAYS[lang][d.weekday()]:<9}  {reason}{flag}\n")


def _day_json(cal: WorkingCalendar, d: date, reason: str, lang: str) -> dict[str, Any]:
    return {
        "date": d.isoformat(),
        "weekday": _WEEKDAYS[lang][d.weekday()],
        "reason": reason,
        "provisional": cal.is_provisional(d),
    }


def _iso(d: date | None) -> str | None:
    return None if d is None else d.isoformat()


def program() -> int:
    """The ``tthc-sla`` program (its console script and ``python -m tthc_sla``): :func:`main`
    in a process of its own, set up for large tables first (what a library caller's process
    uses is left to it).

    * numpy asks the kernel for huge pages for each array of 4 MB or more (``madvise``);
      where the kernel's THP defrag setting is ``madvise`` (a common default), faulting such
      pages in may compact memory on the spot, a cost paid again for every large temporary
      array (numpy issue 31590). Off unless ``NUMPY_MADVISE_HUGEPAGE`` is set. Report over
      1M dossiers: system time 1.1-2.5 s -> 0.7-0.9 s.
    * The columnar engine takes Arrow's memory from jemalloc where this pyarrow has it, unless
      ``ARROW_DEFAULT_MEMORY_POOL`` chooses (``_arrow_pool``).
    """
    global _own_process  # the process is the program's to set up
    _own_process = True
    os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")
    if sys.argv[1:2] and sys.argv[1] in _TABLE_COMMANDS:
        _arrow_pool(load=False)
    return main()


_TABLE_COMMANDS = ("evaluate", "report", "list")
_own_process = False  # True in the tthc-sla program (program()), False under a library caller


def _arrow_pool(*, load: bool) -> None:
    """Arrow's allocations from jemalloc, in this process and (through the environment) the
    workers it starts, rather than mimalloc, pyarrow's default on Linux. Measured over 1M
    dossiers, alternated: report peak 1.23 -> 0.90-1.02 GB and 4.39-4.56 -> 4.03-4.20 s;
    evaluate to Parquet 1.26 -> 0.94 GB. Under an address-space limit (``ulimit -v``), from
    the system's malloc, chosen before pyarrow loads: mimalloc maps a 1 GiB arena at its
    first allocation when the limit leaves room for one (so a 300,000-dossier report ran in
    1,200 MB of address space and not in 1,700 MB), and jemalloc also reserves ahead. Nothing
    where pyarrow is missing or the variable is set. ``load``: choose jemalloc (which loads
    pyarrow, some 0.1 s: done when the columnar engine is taken, which loads it anyway);
    else only the address-space case, which needs no loading."""
    if "ARROW_DEFAULT_MEMORY_POOL" in os.environ or importlib.util.find_spec("pyarrow") is None:
        return
    if _partition.address_space_limit() is not None:
        os.environ["ARROW_DEFAULT_MEMORY_POOL"] = "system"  # read when pyarrow loads
        return
    if not load:
        return
    import pyarrow as pa

    if "jemalloc" not in pa.supported_memory_backends():  # (Windows builds)
        return
    pa.set_memory_pool(pa.jemalloc_memory_pool())
    os.environ["ARROW_DEFAULT_MEMORY_POOL"] = "jemalloc"  # read by the workers' pyarrow


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run the command line; return the exit status."""
    stream = out if out is not None else sys.stdout
    parser = _build_parser()
    if not (sys.argv[1:] if argv is None else argv):
        parser.print_help(stream)
        return 0
    try:
        args = parser.parse_args(argv)
        run: Callable[[argparse.Namespace, TextIO], None] = args.run
        try:
            run(args, stream)
        finally:
            _partition.close_workers()  # started ahead, not taken (the file was read whole)
    except BrokenPipeError:  # the reader went away (| head): stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except OSError as exc:
        print(f"tthc-sla: error: {exc.strerror}: {exc.filename}", file=sys.stderr)
        return 2
    except MemoryError as exc:  # numpy's and pyarrow's too: say what helps, not a traceback
        print(f"tthc-sla: error: out of memory ({_one_line(str(exc)) or 'no more to allocate'})"
              "; --partitions N reads and evaluates the table N parts at a time (docs/scale.md)",
              file=sys.stderr)  # fmt: skip
        return 2
    except (_UsageError, TthcSlaError, _NothingEvaluatedError, _partition.WorkerError) as exc:
        print(f"tthc-sla: error: {_one_line(str(exc))}", file=sys.stderr)
        return 2
    return 0
