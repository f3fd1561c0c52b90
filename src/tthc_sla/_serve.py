"""The JSON-lines server behind ``tthc-sla serve-jsonl``: the library for other languages.

A Java, .NET or PHP one-stop system starts one child process and keeps it: it writes one JSON
request per line on the child's standard input and reads one JSON answer per line, in the same
order, from its standard output. The protocol (version 1) is documented in
``docs/integrating.md``; this module is its one implementation.

Maintainer's notes:

* **Values are read as the table readers read them.** Moments, event kinds, channels, flags and
  text go through the ``_tables`` cell helpers (``_moment``, ``_kind``, ``_channel``, ``_flag``,
  ``_text``) and a dossier is assembled by ``_tables._dossier``, so a history sent here and the
  same rows in an export file give the same dossier. A cell defect (``_RowError``) becomes an
  answer of type ``TableError`` whose ``field`` is the request's path (``events[2].at``).
* **Never a traceback, never a Python repr.** Every line gets exactly one answer: a result, or
  an error object naming its type, the field at fault and a message. Library messages that
  carry a ``datetime.date(...)`` repr are rewritten to ISO text (``_plain``).
* **Caches are per server and bounded**: calendars by their options, policies by theirs,
  rules by their text, inline procedures by their fields, each keyed on a frozen copy of the
  request's JSON value (``_frozen``) and evicted oldest first. Building a calendar costs
  milliseconds and parsing a Vietnamese rule tens of microseconds; a request costs a few.
* Answers give moments as local wall time in Asia/Ho_Chi_Minh, without an offset (a request
  moment with an offset is converted first), as the table readers and ``tthc-sla evaluate`` do.
"""

from __future__ import annotations

import io
import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, time, timedelta
from typing import IO, Any, Final, Protocol

from tthc_sla import _tables
from tthc_sla._tables import _channel, _flag, _moment, _RowError, _text
from tthc_sla._version import __version__
from tthc_sla.calendar import WeeklySchedule, WorkingCalendar, vietnam_calendar
from tthc_sla.calendar._seam import VN_TZ
from tthc_sla.errors import (
    CalendarRangeError,
    HistoryError,
    PolicyError,
    RuleParseError,
    TthcSlaError,
)
from tthc_sla.evaluation import Evaluation, evaluate
from tthc_sla.evaluation._flat import hours
from tthc_sla.history import Dossier, Event
from tthc_sla.procedure import Procedure
from tthc_sla.rules import (
    CompositeProcessingTime,
    DeadlinePolicy,
    ProcessingTime,
    deadline,
    parse_processing_time,
)
from tthc_sla.rules._seam import has_spec_form

__all__ = ["PROTOCOL_VERSION", "REQUEST_TYPES", "Server", "serve"]

PROTOCOL_VERSION: Final = 1
"""The protocol version this server speaks (a request's ``"v"``; omitted means 1)."""

REQUEST_TYPES: Final = (
    "hello",
    "deadline",
    "is_working_day",
    "add_working_days",
    "working_days_between",
    "evaluate",
)

MAX_LINE: Final = 16 * 1024 * 1024
"""The longest request line read, in bytes (as the table readers' longest field)."""

_CACHE_SIZE: Final = 256  # calendars, policies, procedures: each distinct set of options
_RULE_CACHE_SIZE: Final = 4096  # rule texts: a procedure database has a few thousand

_COMMON = frozenset({"v", "id", "type"})
_FIELDS: Final[Mapping[str, frozenset[str]]] = {
    "hello": _COMMON,
    "deadline": _COMMON | {"received_at", "rule", "part", "extended", "policy", "calendar", "lang"},
    "is_working_day": _COMMON | {"date", "calendar"},
    "add_working_days": _COMMON | {"date", "n", "calendar"},
    "working_days_between": _COMMON | {"a", "b", "calendar"},
    "evaluate": _COMMON
    | {
        "dossier_id",
        "procedure",
        "events",
        "agency",
        "level",
        "field",
        "channel",
        "difficult_area",
        "as_of",
        "policy",
        "calendar",
        "strict",
    },
}
_EVENT_FIELDS = frozenset({"at", "kind", "step", "unit", "new_due", "note"})
_PROCEDURE_FIELDS = frozenset(
    {"code", "name", "rule", "steps", "supplement", "extra_days_difficult_area"}
)
_CALENDAR_FIELDS = frozenset({"schedule", "makeup_weekday", "extra_days_off", "extra_workdays"})
_POLICY_FLAGS = ("receipt_day_counts", "difficult_area")
_POLICY_TIMES = ("same_day_cutoff", "after_hours", "after_hours_start")
_POLICY_CHOICES: Final[Mapping[str, tuple[str, ...]]] = {
    "due_time": ("end_of_day", "same_time"),
    "finish": ("resolved", "returned"),
}
_POLICY_FIELDS = frozenset({*_POLICY_FLAGS, *_POLICY_TIMES, *_POLICY_CHOICES})
_PROCEDURE_COLUMNS = _tables._Columns(
    {}, {c: f"procedure.{c}" for c in _tables.PROCEDURE_HEADERS}, [], {}
)
_DECODER = json.JSONDecoder(parse_constant=lambda name: _reject_constant(name))
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)
_ASCII_ENCODER = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"), allow_nan=False)


class _RefusalError(Exception):
    """A request answered with an error: its type, the field at fault, the message."""

    def __init__(self, kind: str, field: str | None, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.field = field
        self.message = message


def _reject_constant(name: str) -> Any:
    raise _RefusalError("JSONError", None, f"{name} is not JSON (numbers must be finite)")


def _json_kind(value: Any) -> str:
    """What a JSON value is, in JSON's words."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _shown(value: Any) -> str:
    """A request value in a message, as JSON (never a Python repr), shortened."""
    try:
        text = json.dumps(value, ensure_ascii=False)
    except ValueError:  # a number too large to be finite
        text = "a number"
    return text if len(text) <= 60 else text[:57] + "..."


def _missing(field: str, what: str) -> _RefusalError:
    return _RefusalError("RequestError", field, f"missing: {what}")


def _wrong(field: str, value: Any, expected: str) -> _RefusalError:
    return _RefusalError("RequestError", field, f"expected {expected}, found {_json_kind(value)}")


def _object(value: Any, field: str, allowed: frozenset[str], what: str) -> dict[str, Any]:
    if type(value) is not dict:
        raise _wrong(field, value, f"an object ({what})")
    extra = value.keys() - allowed
    if extra:
        raise _unknown(field + ".", sorted(extra)[0], allowed, what)
    return value


def _unknown(prefix: str, key: str, allowed: Iterable[str], what: str) -> _RefusalError:
    known = ", ".join(sorted(allowed))
    return _RefusalError(
        "RequestError", f"{prefix}{key}", f"unknown field for {what}; expected: {known}"
    )


def _frozen(value: Any) -> Any:
    """A hashable copy of a JSON value: the key of the caches."""
    if type(value) is dict:
        return tuple(sorted((k, _frozen(v)) for k, v in value.items()))
    if type(value) is list:
        return (list, *(_frozen(v) for v in value))
    return (type(value), value)  # 1, 1.0 and true are different requests


def _remember(cache: dict[Any, Any], key: Any, value: Any, size: int) -> None:
    if len(cache) >= size:
        del cache[next(iter(cache))]  # the oldest entry
    cache[key] = value


_REPR = re.compile(r"datetime\.(datetime|date|time)\(([0-9, ]*)\)|<\w+\.\w+: '([^']*)'>")
_DELTA = re.compile(
    r"datetime\.timedelta\((0|(?:(?:days|seconds|microseconds)=-?[0-9]+(?:, )?)*)\)"
)


def _plain(message: str) -> str:
    """A library message with its Python reprs of dates, times and enums as plain text."""

    def one(m: re.Match[str]) -> str:
        if m.group(3) is not None:
            return m.group(3)
        try:
            args = [int(x) for x in m.group(2).split(",") if x.strip()]
            y, mo, d, h, mi, sec = (*args, 0, 0, 0, 0, 0, 0)[:6]
            if m.group(1) == "time":
                return time(y, mo, d).isoformat(timespec="minutes" if len(args) <= 2 else "auto")
            if m.group(1) == "date":
                return date(y, mo, d).isoformat()
            return datetime(y, mo, d, h, mi, sec).isoformat()
        except ValueError:
            return m.group(0)

    def delta(m: re.Match[str]) -> str:
        parts = (p.split("=") for p in m.group(1).split(", ") if p and p != "0")
        return str(timedelta(**{k: int(v) for k, v in parts}))

    text = _DELTA.sub(delta, _REPR.sub(one, message)).replace("a list value", "an array")
    return " ".join(text.replace("a dict value", "an object").split())


class Server:
    """Answers protocol requests, one JSON line at a time (one thread; see ``serve``).

    Args:
        years: the years the calendars cover (``--years``).
        notices: notice files merged on top of the shipped ones (``--notices``).
        procedures: procedures by code, for evaluations that name theirs (``--procedures``).

    Raises:
        CalendarDataError, PolicyError, InputTypeError: the start-up options are wrong (the
            server exits 2).

    Examples:
        >>> server = Server()
        >>> print(server.answer(b'{"id": 7, "type": "add_working_days", '
        ...                     b'"date": "2026-11-20", "n": 2}').decode(), end="")
        {"id":7,"ok":true,"date":"2026-11-25"}
    """

    def __init__(
        self,
        *,
        years: tuple[int, int] = _tables.DEFAULT_YEARS,
        notices: Iterable[str] = (),
        procedures: Mapping[str, Procedure] | None = None,
    ) -> None:
        self.years = years
        self.notices = tuple(notices)
        self.procedures: Mapping[str, Procedure] = procedures or {}
        self.calendar = vietnam_calendar(years=years, notices=self.notices or None)
        self.policy = DeadlinePolicy()
        self._calendars: dict[Any, WorkingCalendar] = {}
        self._policies: dict[Any, DeadlinePolicy] = {}
        self._rules: dict[tuple[str, str | None], ProcessingTime] = {}
        self._inline: dict[Any, Procedure] = {}
        self._handlers: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "hello": self._hello,
            "deadline": self._deadline,
            "is_working_day": self._is_working_day,
            "add_working_days": self._add_working_days,
            "working_days_between": self._working_days_between,
            "evaluate": self._evaluate,
        }

    # ------------------------------------------------------------------ one line

    def answer(self, line: bytes | str) -> bytes:
        """The answer line (UTF-8, ending in a newline) to one request line."""
        request_id: Any = None
        try:
            request = self._decode(line)
            if type(request) is not dict:
                raise _RefusalError(
                    "RequestError",
                    None,
                    f'expected a JSON object such as {{"type": "hello"}}, found '
                    f"{_json_kind(request)}",
                )
            request_id = request.get("id")
            if request_id is not None and (
                type(request_id) not in (str, int, float) or request_id in _INFINITIES
            ):
                request_id = None
                raise _wrong("id", request.get("id"), "a string or a finite number")
            answer = {"id": request_id, "ok": True}
            answer.update(self._dispatch(request))
        except _RefusalError as fail:
            answer = _error(request_id, fail.kind, fail.field, fail.message)
        except Exception as exc:  # a defect of the server itself: answered, never a traceback
            answer = _error(
                request_id,
                "InternalError",
                None,
                _plain(f"{type(exc).__name__}: {exc} (a defect of tthc-sla: please report it)"),
            )
        return _encode(answer)

    @staticmethod
    def _decode(line: bytes | str) -> Any:
        try:
            text = line.decode("utf-8") if isinstance(line, bytes) else line
        except UnicodeDecodeError as exc:
            raise _RefusalError(
                "JSONError", None, f"the line is not UTF-8 (byte {exc.start + 1})"
            ) from None
        if text.startswith("\ufeff"):  # a byte-order mark (.NET writers add one)
            text = text[1:]
        text = text.rstrip("\r\n")  # so that an error's column counts on the request's line
        try:
            return _DECODER.decode(text)
        except json.JSONDecodeError as exc:
            raise _RefusalError(
                "JSONError", None, f"the line is not valid JSON: {exc.msg} at column {exc.colno}"
            ) from None
        except RecursionError:
            raise _RefusalError(
                "JSONError", None, "the line nests arrays or objects too deeply"
            ) from None
        except ValueError:  # an integer with thousands of digits
            raise _RefusalError(
                "JSONError", None, "the line holds a number with too many digits to read"
            ) from None

    def _dispatch(self, request: dict[str, Any]) -> dict[str, Any]:
        v = request.get("v", PROTOCOL_VERSION)
        if v != PROTOCOL_VERSION or type(v) is not int:
            raise _RefusalError(
                "VersionError",
                "v",
                f"protocol version {_shown(v)} is not served; this server speaks version "
                f'{PROTOCOL_VERSION} (send "v": {PROTOCOL_VERSION}, or ask with a hello request)',
            )
        kind = request.get("type")
        handler = self._handlers.get(kind) if type(kind) is str else None
        if handler is None or type(kind) is not str:
            if kind is None:
                raise _missing("type", "the request type, one of " + ", ".join(REQUEST_TYPES))
            raise _RefusalError(
                "RequestError",
                "type",
                f"{_shown(kind)} is not a request type: expected one of "
                + ", ".join(REQUEST_TYPES),
            )
        allowed = _FIELDS[kind]
        if not request.keys() <= allowed:
            key = sorted(request.keys() - allowed)[0]
            raise _unknown("", key, allowed, f"a {kind} request")
        try:
            return handler(request)
        except _RowError as exc:
            raise _RefusalError("TableError", exc.column, exc.problem) from None
        except TthcSlaError as exc:
            raise _RefusalError(type(exc).__name__, None, _plain(str(exc))) from None

    # ------------------------------------------------------------------ requests

    def _hello(self, request: dict[str, Any]) -> dict[str, Any]:
        until = self.calendar.confirmed_until
        return {
            "v": PROTOCOL_VERSION,
            "versions": [PROTOCOL_VERSION],
            "server": f"tthc-sla {__version__}",
            "types": list(REQUEST_TYPES),
            "years": list(self.years),
            "confirmed_until": None if until is None else until.isoformat(),
            "procedures": len(self.procedures),
        }

    def _deadline(self, request: dict[str, Any]) -> dict[str, Any]:
        received = self._moment(request, "received_at", "the receipt moment, e.g. 2026-11-20T09:30")
        rule = self._rule(request.get("rule"), request.get("part"))
        cal = self._calendar(request.get("calendar"))
        policy = self._policy(request.get("policy"))
        extended = _flag(request.get("extended"), "extended") or False
        lang = request.get("lang", "vi")
        if lang != "vi" and lang != "en":
            raise _RefusalError("RequestError", "lang", f'{_shown(lang)}: expected "vi" or "en"')
        try:
            d = deadline(received, rule, cal, policy, extended=extended)
        except CalendarRangeError as exc:
            raise _range_fail("received_at", exc) from None
        except PolicyError as exc:
            raise _RefusalError(
                "PolicyError", "extended" if extended else "policy", _plain(str(exc))
            ) from None
        skipped = d.skipped
        if lang == "en" and skipped:
            names: dict[date, str] = {}
            for year in {day.year for day, _ in skipped}:
                names.update(cal.days_off(year, "en"))
            skipped = tuple((day, names.get(day, reason)) for day, reason in skipped)
        pt = d.rule
        return {
            "received_at": received.isoformat(),
            "due_at": d.due_at.isoformat(),
            "due_date": d.due_date.isoformat(),
            "clock_start": d.clock_start.isoformat(),
            "provisional": d.provisional,
            "rule": str(pt),
            "rule_spec": pt.spec(),
            "note": pt.note,
            "skipped": [{"date": day.isoformat(), "reason": reason} for day, reason in skipped],
        }

    def _is_working_day(self, request: dict[str, Any]) -> dict[str, Any]:
        day = self._date(request, "date")
        cal = self._calendar(request.get("calendar"))
        return {"working_day": cal.is_working_day(day)}

    def _add_working_days(self, request: dict[str, Any]) -> dict[str, Any]:
        day = self._date(request, "date")
        n = request.get("n")
        if type(n) is not int:
            if n is None:
                raise _missing("n", "the number of working days to add (negative: back)")
            raise _wrong("n", n, "a whole number of working days")
        cal = self._calendar(request.get("calendar"))
        try:
            return {"date": cal.add_working_days(day, n).isoformat()}
        except CalendarRangeError as exc:
            raise _range_fail("n", exc) from None

    def _working_days_between(self, request: dict[str, Any]) -> dict[str, Any]:
        a = self._date(request, "a")
        b = self._date(request, "b")
        cal = self._calendar(request.get("calendar"))
        return {"days": cal.working_days_between(a, b)}

    def _evaluate(self, request: dict[str, Any]) -> dict[str, Any]:
        dossier_id = _text(request.get("dossier_id"), "dossier_id")
        if dossier_id is None:
            raise _missing("dossier_id", "the dossier's id (mã hồ sơ)")
        proc = self._procedure(request.get("procedure"))
        raw_events = request.get("events")
        if type(raw_events) is not list:
            if raw_events is None:
                raise _missing("events", "the dossier's events, an array of {at, kind, ...}")
            raise _wrong("events", raw_events, "an array of events {at, kind, ...}")
        cal = self._calendar(request.get("calendar"))
        policy = self._policy(request.get("policy"))
        raw_as_of = request.get("as_of")
        if raw_as_of is not None and type(raw_as_of) is not str:
            raise _wrong("as_of", raw_as_of, "a string such as 2026-11-30T17:00")
        as_of = _moment(raw_as_of, "as_of", self.years, date_ok=False)
        if as_of is None:
            now = datetime.now(VN_TZ)
            as_of = datetime.combine(now.date(), now.time())
        assert isinstance(as_of, datetime)
        strict = _flag(request.get("strict"), "strict")
        acc = _tables._Acc(0)
        for i, raw in enumerate(raw_events):
            acc.events.append(self._event(i, raw))
            acc.lines.append(i)
        values: dict[str, tuple[Any, Any, int]] = {"procedure": (proc.code, proc.code, 0)}
        for name, read in _DOSSIER_FIELDS:
            raw = request.get(name)
            value = read(raw, name)
            if value is not None:
                values[name] = (raw, value, 0)
        acc.values.update(values)
        built = _tables._dossier(dossier_id, acc, {proc.code: proc})
        if not isinstance(built, Dossier):
            problem, second = built
            if problem.startswith("repeats line "):  # _dossier names file lines; here: events
                first = problem.split()[2]
                raise _RefusalError(
                    "TableError",
                    f"events[{second}]",
                    f"repeats events[{first}] (the same event twice)",
                )
            raise _RefusalError("TableError", None, _plain(problem))
        try:
            e = evaluate(built, cal, as_of=as_of, policy=policy, strict=strict is not False)
        except HistoryError as exc:
            index = exc.index
            field = "events" if index is None else f"events[{acc.lines[index]}]"
            shown = "the history" if index is None else field
            raise _RefusalError("HistoryError", field, _plain(f"{shown}: {exc.rule}")) from None
        except CalendarRangeError as exc:
            raise _range_fail("events", exc) from None
        return _evaluation(e)

    # ------------------------------------------------------------------ values

    def _moment(self, request: dict[str, Any], field: str, what: str) -> datetime:
        raw = request.get(field)
        if type(raw) is not str:
            if raw is None:
                raise _missing(field, what)
            raise _wrong(field, raw, "a string such as 2026-11-20T09:30")
        value = _moment(raw, field, self.years, date_ok=False)
        if value is None:
            raise _missing(field, what)
        assert isinstance(value, datetime)
        return value

    def _date(self, request: dict[str, Any], field: str) -> date:
        raw = request.get(field)
        if raw is None:
            raise _missing(field, "a date such as 2026-11-20")
        return self._day(raw, field)

    def _day(self, raw: Any, field: str) -> date:
        if type(raw) is not str:
            raise _wrong(field, raw, "a date such as 2026-11-20")
        value = _moment(raw, field, self.years, date_ok=True)
        if value is None:
            raise _missing(field, "a date such as 2026-11-20")
        if isinstance(value, datetime):
            raise _RefusalError(
                "TableError", field, f"{raw} is a date and time: expected a date such as 2026-11-20"
            )
        return value

    def _rule(self, raw: Any, part: Any) -> ProcessingTime:
        if type(raw) is not str:
            if raw is None:
                raise _missing("rule", 'the processing time: "15 ngày làm việc" or "15wd"')
            raise _wrong("rule", raw, 'a string such as "15 ngày làm việc" or "15wd"')
        if part is not None and type(part) is not str:
            raise _wrong("part", part, "a string: the label of one part of the rule")
        key = (raw, part)
        hit = self._rules.get(key)
        if hit is not None:
            return hit
        try:
            try:
                rule: ProcessingTime | CompositeProcessingTime = ProcessingTime.from_spec(raw)
            except RuleParseError:
                if has_spec_form(raw):
                    raise  # a spec whose amount is refused ("0wd"): say why
                rule = parse_processing_time(raw)
        except RuleParseError as exc:
            raise _RefusalError("RuleParseError", "rule", _plain(str(exc))) from None
        if part is not None:
            if isinstance(rule, ProcessingTime):
                raise _RefusalError(
                    "PolicyError", "part", f"the rule {_shown(raw)} states a single time"
                )
            try:
                rule = rule.part(part)
            except PolicyError as exc:
                raise _RefusalError("PolicyError", "part", _plain(str(exc))) from None
        elif not isinstance(rule, ProcessingTime):
            labels = ", ".join(_shown(label) for label in rule.labels)
            raise _RefusalError(
                "PolicyError",
                "rule",
                f'the rule states several times: pick one with "part", one of {labels}',
            )
        _remember(self._rules, key, rule, _RULE_CACHE_SIZE)
        return rule

    def _policy(self, raw: Any) -> DeadlinePolicy:
        if raw is None:
            return self.policy
        key = _frozen(raw)
        hit = self._policies.get(key)
        if hit is not None:
            return hit
        options = _object(raw, "policy", _POLICY_FIELDS, "a deadline policy")
        kwargs: dict[str, Any] = {}
        for name, value in options.items():
            field = f"policy.{name}"
            if name in _POLICY_FLAGS:
                try:
                    flag = _flag(value, field)
                except _RowError as exc:
                    raise _RefusalError("PolicyError", field, exc.problem) from None
                if flag is not None:
                    kwargs[name] = flag
            elif name in _POLICY_CHOICES:
                choices = _POLICY_CHOICES[name]
                if value not in choices:
                    expected = " or ".join(f'"{c}"' for c in choices)
                    raise _RefusalError(
                        "PolicyError", field, f"{_shown(value)}: expected {expected}"
                    )
                kwargs[name] = value
            elif value is not None or name != "after_hours":
                kwargs[name] = _clock(value, field)
            else:
                kwargs[name] = None
        try:
            policy = DeadlinePolicy(**kwargs)
        except PolicyError as exc:
            raise _RefusalError("PolicyError", "policy", _plain(str(exc))) from None
        _remember(self._policies, key, policy, _CACHE_SIZE)
        return policy

    def _calendar(self, raw: Any) -> WorkingCalendar:
        if raw is None:
            return self.calendar
        key = _frozen(raw)
        hit = self._calendars.get(key)
        if hit is not None:
            return hit
        options = _object(raw, "calendar", _CALENDAR_FIELDS, "the calendar's options")
        schedule = None
        if options.get("schedule") is not None or options.get("makeup_weekday") is not None:
            schedule = self._schedule(options.get("schedule"), options.get("makeup_weekday"))
        days_off = self._days(options.get("extra_days_off"), "calendar.extra_days_off")
        workdays = self._days(options.get("extra_workdays"), "calendar.extra_workdays")
        try:
            cal = vietnam_calendar(
                schedule=schedule,
                extra_days_off=days_off,
                extra_workdays=workdays,
                years=self.years,
                notices=self.notices or None,
            )
        except PolicyError as exc:
            raise _RefusalError("PolicyError", "calendar", _plain(str(exc))) from None
        _remember(self._calendars, key, cal, _CACHE_SIZE)
        return cal

    def _days(self, raw: Any, field: str) -> list[date | tuple[date, str]]:
        if raw is None:
            return []
        if type(raw) is not list:
            raise _wrong(field, raw, "an array of dates or [date, reason] pairs")
        out: list[date | tuple[date, str]] = []
        for i, item in enumerate(raw):
            where = f"{field}[{i}]"
            if type(item) is list:
                if len(item) != 2 or type(item[1]) is not str or not item[1].strip():
                    raise _wrong(where, item, 'a date or a ["2026-11-30", "reason"] pair')
                out.append((self._day(item[0], where), item[1].strip()))
            else:
                out.append(self._day(item, where))
        return out

    def _schedule(self, raw: Any, makeup: Any) -> WeeklySchedule:
        week: dict[int, list[tuple[time, time]]] = {}
        if raw is None:
            default = WeeklySchedule.default()
            week = {i: list(default.hours(i)) for i in range(7)}
        else:
            if type(raw) is not dict:
                raise _wrong("calendar.schedule", raw, 'an object {"0": [["07:30", "11:30"]]}')
            for key, intervals in raw.items():
                field = f"calendar.schedule.{key}"
                if key not in ("0", "1", "2", "3", "4", "5", "6"):
                    raise _RefusalError(
                        "RequestError", field, 'expected a weekday from "0" (Monday) to "6"'
                    )
                if type(intervals) is not list:
                    raise _wrong(field, intervals, 'an array of ["07:30", "11:30"] pairs')
                day = []
                for j, pair in enumerate(intervals):
                    if type(pair) is not list or len(pair) != 2:
                        raise _wrong(f"{field}[{j}]", pair, 'a ["07:30", "11:30"] pair')
                    day.append((_clock(pair[0], f"{field}[{j}]"), _clock(pair[1], f"{field}[{j}]")))
                week[int(key)] = day
        if makeup is not None and type(makeup) is not int:
            raise _wrong("calendar.makeup_weekday", makeup, "a weekday number, 0 = Monday")
        try:
            return WeeklySchedule(week, makeup_weekday=0 if makeup is None else makeup)
        except PolicyError as exc:
            field = "calendar.schedule" if raw is not None else "calendar.makeup_weekday"
            raise _RefusalError("PolicyError", field, _plain(str(exc))) from None

    def _procedure(self, raw: Any) -> Procedure:
        if type(raw) is str:
            proc = self.procedures.get(raw.strip())
            if proc is None:
                hint = (
                    "not in the --procedures table"
                    if self.procedures
                    else "the server was started without --procedures"
                )
                raise _RefusalError(
                    "RequestError",
                    "procedure",
                    f"unknown procedure {_shown(raw)} ({hint}); or give the procedure inline: "
                    '{"code": ..., "rule": ...}',
                )
            return proc
        if raw is None:
            raise _missing("procedure", 'its code, or the procedure {"code": ..., "rule": ...}')
        key = _frozen(raw)
        hit = self._inline.get(key)
        if hit is not None:
            return hit
        fields = _object(raw, "procedure", _PROCEDURE_FIELDS, "a procedure")
        code = _text(fields.get("code"), "procedure.code")
        if code is None:
            raise _missing("procedure.code", "the procedure's code (mã thủ tục)")
        steps = fields.get("steps")
        if steps is not None and type(steps) is not list:
            raise _wrong("procedure.steps", steps, "an array of {name, unit, allotment}")
        try:  # the steps first, so that a step's defect is named as one
            _tables._steps(steps)
        except _RowError as exc:
            raise _RefusalError("RequestError", "procedure.steps", _plain(exc.problem)) from None
        except TthcSlaError as exc:
            raise _RefusalError(type(exc).__name__, "procedure.steps", _plain(str(exc))) from None
        try:
            proc = _tables._procedure(code, fields, _PROCEDURE_COLUMNS)
        except _RowError as exc:
            problem = _plain(exc.problem.removeprefix(f"procedure {code}: "))
            field = exc.column or "procedure"
            if not field.startswith("procedure"):
                field = f"procedure.{field}"
            if field == "procedure.rule":
                kind = (
                    "RequestError" if "states no processing time" in problem else "RuleParseError"
                )
            else:
                kind = "PolicyError" if field == "procedure" else "TableError"
            raise _RefusalError(kind, field, problem) from None
        _remember(self._inline, key, proc, _CACHE_SIZE)
        return proc

    def _event(self, i: int, raw: Any) -> Event:
        if type(raw) is not dict:
            raise _wrong(f"events[{i}]", raw, "an event object {at, kind, ...}")
        if not raw.keys() <= _EVENT_FIELDS:
            key = sorted(raw.keys() - _EVENT_FIELDS)[0]
            raise _unknown(f"events[{i}].", key, _EVENT_FIELDS, "an event")
        for name in ("at", "new_due"):
            value = raw.get(name)
            if value is not None and type(value) is not str:
                raise _wrong(f"events[{i}].{name}", value, "a string such as 2026-11-20T09:30")
        try:
            return _tables.event_of(raw, self.years)
        except _RowError as exc:
            field = f"events[{i}]" if exc.column is None else f"events[{i}].{exc.column}"
            raise _RefusalError("TableError", field, _plain(exc.problem)) from None


_DOSSIER_FIELDS: tuple[tuple[str, Callable[[Any, str], Any]], ...] = (
    ("agency", _text),
    ("level", _text),
    ("field", _text),
    ("channel", _channel),
    ("difficult_area", _flag),
)


def _clock(value: Any, field: str) -> time:
    if type(value) is str:
        try:
            t = time.fromisoformat(value.strip())
            if t.tzinfo is None:
                return t
        except ValueError:
            pass
    raise _RefusalError(
        "PolicyError", field, f"{_shown(value)}: expected a time of day such as 15:00"
    )


def _range_fail(field: str, exc: CalendarRangeError) -> _RefusalError:
    problem = str(exc).split(";")[0]
    return _RefusalError(
        "CalendarRangeError",
        field,
        _plain(f"{problem}; start serve-jsonl with a wider --years FIRST..LAST"),
    )


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _evaluation(e: Evaluation) -> dict[str, Any]:
    d = e.dossier
    return {
        "dossier_id": d.id,
        "procedure": d.procedure.code,
        "outcome": e.outcome.value,
        "received_at": _iso(e.received_at),
        "due_at": _iso(e.due_at),
        "due_date": _iso(e.due_date),
        "completed_at": _iso(e.completed_at),
        "ended_at": _iso(e.ended_at),
        "late_working_days": e.late_working_days,
        "late_time_hours": hours(e.late_time),
        "processing_working_days": e.processing_working_days,
        "excluded_working_days": e.excluded_working_days,
        "rescheduled_due": _iso(e.rescheduled_due),
        "met_rescheduled": e.met_rescheduled,
        "late_units": list(e.late_units),
        "provisional": e.provisional,
        "steps": [
            {
                "step": s.step,
                "unit": s.unit,
                "started_at": _iso(s.started_at),
                "due_at": _iso(s.due_at),
                "finished_at": _iso(s.finished_at),
                "outcome": None if s.outcome is None else s.outcome.value,
            }
            for s in e.steps
        ],
        "warnings": [_plain(w) for w in e.warnings],
    }


def _error(request_id: Any, kind: str, field: str | None, message: str) -> dict[str, Any]:
    return {
        "id": request_id,
        "ok": False,
        "error": {"type": kind, "field": field, "message": message},
    }


def _encode(answer: dict[str, Any]) -> bytes:
    try:
        return (_ENCODER.encode(answer) + "\n").encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate sent as "\ud800": answered in ASCII escapes
        return (_ASCII_ENCODER.encode(answer) + "\n").encode("ascii")
    except ValueError:  # not JSON (a defect: every value is checked): still one answer line
        return _encode(_error(None, "InternalError", None, _NOT_JSON))


_INFINITIES = (float("inf"), float("-inf"))
_NOT_JSON = "the answer could not be written as JSON (a defect of tthc-sla: please report it)"


# ---------------------------------------------------------------------- the loop


class _Sink(Protocol):
    def write(self, data: bytes, /) -> object: ...
    def flush(self) -> object: ...


def serve(stdin: IO[bytes], stdout: _Sink, server: Server) -> None:
    """Answer every request line of ``stdin`` on ``stdout``, flushing after each, until EOF.

    Blank lines are not requests and get no answer. A line longer than ``MAX_LINE`` bytes is
    answered with an error and skipped. A broken pipe (the client went away) propagates as
    ``BrokenPipeError``, for the command line to end quietly.
    """
    readline, write, flush, answer = stdin.readline, stdout.write, stdout.flush, server.answer
    try:
        while True:
            limit = MAX_LINE  # read here, so that a test may lower it
            line = readline(limit + 1)
            if not line:
                return
            if len(line) > limit and not line.endswith(b"\n"):
                while True:  # drop the rest of the overlong line
                    more = readline(limit)
                    if not more or more.endswith(b"\n"):
                        break
                too_long = f"the line is longer than {limit:,} bytes; send one request a line"
                out = _encode(_error(None, "RequestError", None, too_long))
            elif line.isspace():
                continue
            else:
                out = answer(line)
            write(out)
            flush()
    except KeyboardInterrupt:  # stopped from a terminal
        return


class _FdSink:
    """Answers straight to a file descriptor: one system call per answer, nothing buffered
    (measured: a tenth of the server's time per request, against a buffered write + flush)."""

    def __init__(self, fd: int) -> None:
        self._fd = fd

    def write(self, data: bytes, /) -> object:
        written = os.write(self._fd, data)
        while written < len(data):  # a pipe may take a long answer in parts
            written += os.write(self._fd, data[written:])
        return written

    def flush(self) -> object:
        return None


class _TextSink:
    """Answers into a text stream without a file descriptor (an ``io.StringIO`` in tests)."""

    def __init__(self, out: IO[str]) -> None:
        self._out = out

    def write(self, data: bytes, /) -> object:
        return self._out.write(data.decode("utf-8"))

    def flush(self) -> object:
        return self._out.flush()


def run(
    out: IO[str],
    *,
    years: tuple[int, int],
    notices: Iterable[str] = (),
    procedures: str | None = None,
    stdin: IO[bytes] | None = None,
) -> None:
    """``tthc-sla serve-jsonl``: start a server with its options and serve standard input.

    Answers are written as UTF-8 bytes, whatever the locale (a Windows code page cannot hold
    Vietnamese), straight to ``out``'s file descriptor when it has one.

    Raises:
        TableError: the ``--procedures`` table is wrong.
        CalendarDataError: a ``--notices`` file is wrong.
    """
    table = _tables.read_procedures(procedures) if procedures else None
    server = Server(years=years, notices=notices, procedures=table)
    sink: _Sink
    try:
        fd = out.fileno()
    except (AttributeError, OSError, io.UnsupportedOperation):
        sink = _TextSink(out)
    else:
        out.flush()
        sink = _FdSink(fd)
    serve(sys.stdin.buffer if stdin is None else stdin, sink, server)
