"""``tthc-sla serve-jsonl``: the JSON-lines protocol, through a real pipe and in process.

Expected dates are worked out by hand from the 2026 calendar (comments give the count); the
evaluation answers are checked against the table readers on the same rows (one reading).
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tthc_sla import _serve, evaluate, read_dossiers, read_procedures, vietnam_calendar
from tthc_sla._serve import MAX_LINE, PROTOCOL_VERSION, REQUEST_TYPES, Server, serve
from tthc_sla.cli import main

ROOT = Path(__file__).resolve().parents[1]
PROCEDURES = ROOT / "examples" / "procedures.csv"
SERVER = [sys.executable, "-m", "tthc_sla", "serve-jsonl"]


def ask(server: Server, request: dict[str, Any] | str) -> dict[str, Any]:
    line = request if isinstance(request, str) else json.dumps(request, ensure_ascii=False)
    raw = server.answer(line.encode("utf-8"))
    assert raw.endswith(b"\n")
    assert raw.count(b"\n") == 1  # one answer, one line
    answer: dict[str, Any] = json.loads(raw)
    return answer


@pytest.fixture(scope="module")
def server() -> Server:
    return Server(procedures=read_procedures(PROCEDURES))


# --------------------------------------------------------------------------- hand-checked


def test_deadline_of_the_readme_example(server: Server) -> None:
    # Fri 20/11/2026 + 15 working days; Tue 24/11 is Ngày Văn hóa Việt Nam (off from 2026):
    # 23 (1), 25-27 (2-4), 30/11-4/12 (5-9), 7-11/12 (10-14), Mon 14/12 (15), due at 17:00.
    a = ask(server, {"v": 1, "id": 1, "type": "deadline", "received_at": "2026-11-20T09:30",
                     "rule": "15 ngày làm việc"})  # fmt: skip
    assert a == {
        "id": 1,
        "ok": True,
        "received_at": "2026-11-20T09:30:00",
        "due_at": "2026-12-14T17:00:00",
        "due_date": "2026-12-14",
        "clock_start": "2026-11-23T07:30:00",
        "provisional": False,
        "rule": "15 ngày làm việc",
        "rule_spec": "15wd",
        "note": None,
        "skipped": [{"date": "2026-11-24", "reason": "Ngày Văn hóa Việt Nam"}],
    }


def test_calendar_questions(server: Server) -> None:
    # Mon 23/11 is day 1, Tue 24/11 is off, Wed 25/11 is day 2.
    a = ask(server, {"id": "a", "type": "add_working_days", "date": "2026-11-20", "n": 2})
    assert a == {"id": "a", "ok": True, "date": "2026-11-25"}
    # Tết Bính Ngọ: off Sat 14/2 to Sun 22/2/2026; (12/2, 23/2] holds Fri 13/2 and Mon 23/2.
    a = ask(server, {"id": "b", "type": "working_days_between", "a": "2026-02-12",
                     "b": "2026-02-23"})  # fmt: skip
    assert a == {"id": "b", "ok": True, "days": 2}
    assert ask(server, {"type": "is_working_day", "date": "2026-11-24"})["working_day"] is False
    # Sat 10/1/2026 is a make-up working day (CV 12729/VPCP-KGVX).
    assert ask(server, {"type": "is_working_day", "date": "10/01/2026"})["working_day"] is True
    a = ask(server, {"type": "add_working_days", "date": "2026-11-25", "n": -2})
    assert a["date"] == "2026-11-20"


def test_hello_names_the_version_and_the_request_types(server: Server) -> None:
    a = ask(server, {"type": "hello", "id": 0})
    assert a["ok"] is True
    assert a["v"] == PROTOCOL_VERSION == 1
    assert a["versions"] == [1]
    assert a["types"] == list(REQUEST_TYPES)
    assert a["years"] == [1995, 2100]
    assert a["procedures"] == 4
    assert a["server"].startswith("tthc-sla ")


def test_id_is_echoed_as_given_or_null(server: Server) -> None:
    for rid in ("x-1", 7, 2.5, None):
        assert ask(server, {"type": "hello", "id": rid})["id"] == rid
    assert ask(server, {"type": "hello"})["id"] is None


def test_deadline_policy_calendar_and_language(server: Server) -> None:
    base = {"type": "deadline", "received_at": "2026-11-20T09:30", "rule": "2wd"}
    # Office closed Mon 23/11 (a typhoon): 25/11 (1), 26/11 (2).
    a = ask(server, {**base, "calendar": {"extra_days_off": [["2026-11-23", "Bão số 15"]]}})
    assert a["due_date"] == "2026-11-26"
    assert a["skipped"] == [
        {"date": "2026-11-23", "reason": "Bão số 15"},
        {"date": "2026-11-24", "reason": "Ngày Văn hóa Việt Nam"},
    ]
    # The receipt day counts as day 1 when received within working hours: 20/11 (1), 23/11 (2).
    a = ask(server, {**base, "policy": {"receipt_day_counts": True}})
    assert a["due_date"] == "2026-11-23"
    # Same time of day on the due date: Wed 25/11 at 09:30.
    a = ask(server, {**base, "policy": {"due_time": "same_time"}})
    assert a["due_at"] == "2026-11-25T09:30:00"
    a = ask(server, {**base, "lang": "en"})
    assert a["skipped"] == [{"date": "2026-11-24", "reason": "Vietnam Cultural Day"}]
    # Same day, received at 15:30 after the 15:00 cut-off: the close of the next working day;
    # with a 16:00 cut-off, the close of the same day.
    same = {"type": "deadline", "received_at": "2026-11-23T15:30", "rule": "Trong ngày"}
    assert ask(server, same)["due_at"] == "2026-11-25T17:00:00"
    a = ask(server, {**same, "policy": {"same_day_cutoff": "16:00"}})
    assert a["due_at"] == "2026-11-23T17:00:00"
    # A Saturday counter with its own hours: Sat 21/11 is day 1 of 1wd.
    sat = {"5": [["07:30", "11:30"]]}
    a = ask(server, {**base, "rule": "1wd", "calendar": {"schedule": {**sat, "0": [["07:30",
        "11:30"], ["13:30", "17:00"]]}}})  # fmt: skip
    assert (a["due_date"], a["due_at"]) == ("2026-11-21", "2026-11-21T11:30:00")


def test_a_moment_with_an_offset_is_read_as_local_wall_time(server: Server) -> None:
    a = ask(server, {"type": "deadline", "received_at": "2026-11-20T02:30Z", "rule": "15wd"})
    assert a["received_at"] == "2026-11-20T09:30:00"
    assert a["due_at"] == "2026-12-14T17:00:00"


def test_composite_rule_needs_a_part(server: Server) -> None:
    text = "UBND cấp xã: 05 ngày làm việc; UBND cấp tỉnh: 10 ngày làm việc"
    a = ask(server, {"type": "deadline", "received_at": "2026-11-20T09:00", "rule": text})
    assert a["error"]["type"] == "PolicyError"
    assert a["error"]["field"] == "rule"
    assert '"UBND cấp xã", "UBND cấp tỉnh"' in a["error"]["message"]
    a = ask(server, {"type": "deadline", "received_at": "2026-11-20T09:00", "rule": text,
                     "part": "UBND cấp tỉnh"})  # fmt: skip
    # 10 working days from Fri 20/11: 23, (24 off), 25, 26, 27, 30, 1, 2, 3, 4, 7/12.
    assert a["due_date"] == "2026-12-07"


# --------------------------------------------------------------------------- evaluations


EXPORT = (
    "dossier_id,procedure,at,kind,step,unit,channel\n"
    "HS-1,1.001639,2026-09-21T09:00,received,,,direct\n"
    "HS-1,1.001639,2026-09-21T10:00,step_started,Thẩm định,,\n"
    "HS-1,1.001639,2026-10-09T16:00,step_finished,Thẩm định,,\n"
    "HS-1,1.001639,2026-10-12T08:00,step_started,Ký duyệt,,\n"
    "HS-1,1.001639,2026-10-16T10:00,step_finished,Ký duyệt,,\n"
    "HS-1,1.001639,2026-10-16T11:00,đã giải quyết,,,\n"
)


def test_evaluation_agrees_with_the_table_readers(server: Server) -> None:
    procs = read_procedures(PROCEDURES)
    table = read_dossiers(io.StringIO(EXPORT), procs)
    as_of = "2026-10-31T23:59"
    (dossier,) = table.dossiers
    from datetime import datetime

    e = evaluate(dossier, vietnam_calendar(), as_of=datetime.fromisoformat(as_of))
    events = [
        {k: v for k, v in zip(("at", "kind", "step"), row.split(",")[2:5], strict=True) if v}
        for row in EXPORT.splitlines()[1:]
    ]
    a = ask(server, {"type": "evaluate", "dossier_id": "HS-1", "procedure": "1.001639",
                     "events": events, "channel": "trực tiếp", "as_of": as_of})  # fmt: skip
    assert a["ok"] is True, a
    assert a["outcome"] == e.outcome.value
    assert a["due_at"] == e.due_at.isoformat()  # type: ignore[union-attr]
    assert a["late_units"] == list(e.late_units)
    assert [(s["step"], s["outcome"]) for s in a["steps"]] == [
        (s.step, s.outcome.value if s.outcome else None) for s in e.steps
    ]


def test_evaluation_with_an_inline_procedure(server: Server) -> None:
    # 5 working days from Fri 20/11: 23, (24 off), 25, 26, 27, Mon 30/11; resolved Fri 27/11.
    a = ask(server, {
        "id": "e1", "type": "evaluate", "dossier_id": "HS-9", "as_of": "2026-12-31T17:00",
        "procedure": {"code": "1.001", "rule": "5 ngày làm việc",
                      "steps": [{"name": "Thẩm định", "unit": "Phòng A", "allotment": "3wd"}]},
        "events": [
            {"at": "27/11/2026 10:00", "kind": "Đã giải quyết"},  # out of order: sorted
            {"at": "20/11/2026 09:30", "kind": "Tiếp nhận"},
        ],
    })  # fmt: skip
    assert a["ok"] is True, a
    assert (a["outcome"], a["due_date"], a["processing_working_days"]) == ("early", "2026-11-30", 4)
    assert a["received_at"] == "2026-11-20T09:30:00"
    assert a["completed_at"] == "2026-11-27T10:00:00"


def test_open_dossier_as_of_and_non_strict_warnings(server: Server) -> None:
    proc = {"code": "1.001", "rule": "5wd"}
    events = [{"at": "2026-11-20T09:30", "kind": "received"}]
    # As of Fri 27/11 one working day is left before Mon 30/11: due soon.
    a = ask(server, {"type": "evaluate", "dossier_id": "A", "procedure": proc, "events": events,
                     "as_of": "2026-11-27T09:00"})  # fmt: skip
    assert a["outcome"] == "due_soon"
    broken = [*events, {"at": "2026-11-23T09:00", "kind": "resumed"}]
    a = ask(server, {"type": "evaluate", "dossier_id": "A", "procedure": proc, "events": broken,
                     "as_of": "2026-11-27T09:00", "strict": False})  # fmt: skip
    assert a["ok"] is True
    assert len(a["warnings"]) == 1
    assert "datetime." not in a["warnings"][0]


# --------------------------------------------------------------------------- errors

BAD: list[tuple[str, str, str | None, str]] = [
    # (request line, error type, field, a fragment of the message)
    ("{not json", "JSONError", None, "not valid JSON"),
    ('{"type": "hello", "v": NaN}', "JSONError", None, "NaN is not JSON"),
    ("[1, 2]", "RequestError", None, "expected a JSON object"),
    ('{"id": 3, "type": "deadlines"}', "RequestError", "type", "is not a request type"),
    ('{"id": 3}', "RequestError", "type", "missing"),
    ('{"id": 3, "type": "hello", "v": 2}', "VersionError", "v", "version 1"),
    ('{"id": 3, "type": "hello", "v": "1"}', "VersionError", "v", "version 1"),
    ('{"id": 3, "type": "deadline", "rule": "15wd"}', "RequestError", "received_at", "missing"),
    ('{"type": "deadline", "received_at": "2026-11-31T09:00", "rule": "15wd"}',
     "TableError", "received_at", "not a real date"),
    ('{"type": "deadline", "received_at": "2026-11-20", "rule": "15wd"}',
     "TableError", "received_at", "without a time of day"),
    ('{"type": "deadline", "received_at": 20261120, "rule": "15wd"}',
     "RequestError", "received_at", "found a number"),
    ('{"type": "deadline", "received_at": "2026-11-20T09:00", "rule": "theo quy định"}',
     "RuleParseError", "rule", "cannot read a processing time"),
    ('{"type": "deadline", "received_at": "2026-11-20T09:00", "rule": "0wd"}',
     "RuleParseError", "rule", "0wd"),
    ('{"type": "deadline", "received_at": "2026-11-20T09:00", "rule": "15wd", "polcy": {}}',
     "RequestError", "polcy", "unknown field"),
    ('{"type": "deadline", "received_at": "2026-11-20T09:00", "rule": "15wd",'
     ' "policy": {"due_time": "noon"}}', "PolicyError", "policy.due_time", '"noon"'),
    ('{"type": "deadline", "received_at": "2026-11-20T09:00", "rule": "15wd",'
     ' "policy": {"same_day_cutoff": "3pm"}}', "PolicyError", "policy.same_day_cutoff", "15:00"),
    ('{"type": "deadline", "received_at": "2026-11-20T09:00", "rule": "15wd",'
     ' "policy": {"receipt_day_counts": "maybe"}}',
     "PolicyError", "policy.receipt_day_counts", "yes/no"),
    ('{"type": "deadline", "received_at": "2026-11-20T09:00", "rule": "15wd",'
     ' "calendar": {"extra_days_off": ["2026-11-23", "2026-11-23"]}}',
     "PolicyError", "calendar", "2026-11-23"),
    ('{"type": "deadline", "received_at": "2026-11-20T09:00", "rule": "15wd",'
     ' "calendar": {"extra_days_off": ["23/11"]}}',
     "TableError", "calendar.extra_days_off[0]", "23/11"),
    ('{"type": "deadline", "received_at": "2026-11-20T09:00", "rule": "15wd",'
     ' "calendar": {"schedule": {"0": [["11:00", "08:00"]]}}}',
     "PolicyError", "calendar.schedule", "(11:00, 08:00)"),
    ('{"type": "deadline", "received_at": "2026-11-20T09:00", "rule": "15wd",'
     ' "calendar": {"schedule": {"7": []}}}', "RequestError", "calendar.schedule.7", "weekday"),
    ('{"type": "deadline", "received_at": "2100-12-31T09:00", "rule": "8h"}',
     "CalendarRangeError", "received_at", "add_working_time(2100-12-31 09:00:00, 8:00:00)"),
    ('{"type": "deadline", "received_at": "2100-12-20T09:00", "rule": "30wd"}',
     "CalendarRangeError", "received_at", "--years"),
    ('{"type": "add_working_days", "date": "2026-11-20", "n": 1.5}',
     "RequestError", "n", "whole number"),
    ('{"type": "add_working_days", "date": "2026-11-20T09:00", "n": 1}',
     "TableError", "date", "a date and time"),
    ('{"type": "working_days_between", "a": "2026-11-20"}', "RequestError", "b", "missing"),
    ('{"type": "is_working_day", "date": "1990-01-01"}', "TableError", "date", "--years"),
    ('{"type": "evaluate", "dossier_id": "X", "procedure": "9.999", "events": []}',
     "RequestError", "procedure", "unknown procedure"),
    ('{"type": "evaluate", "dossier_id": "X", "procedure": {"code": "1"}, "events": []}',
     "RequestError", "procedure.rule", "no processing time"),
    ('{"type": "evaluate", "dossier_id": "X", "procedure": {"code": "1", "rule": "5wd",'
     ' "supplement": "wait"}, "events": []}', "PolicyError", "procedure", "supplement"),
    ('{"type": "evaluate", "dossier_id": "X", "procedure": {"code": "1", "rule": "5wd",'
     ' "steps": [{"name": "A"}]}, "events": []}', "RequestError", "procedure.steps", "allotment"),
    ('{"type": "evaluate", "dossier_id": "X", "procedure": {"code": "1", "rule": "5wd",'
     ' "steps": [{"name": 5, "unit": "A", "allotment": "2wd"}]}, "events": []}',
     "InputTypeError", "procedure.steps", "name=5: expected a non-empty string"),
    ('{"type": "evaluate", "procedure": "1.001639", "events": []}',
     "RequestError", "dossier_id", "missing"),
    ('{"type": "evaluate", "dossier_id": "X", "procedure": "1.001639", "events": []}',
     "HistoryError", "events", "no events"),
    ('{"type": "evaluate", "dossier_id": "X", "procedure": "1.001639",'
     ' "events": [{"at": "2026-11-20T09:00", "kind": "nhận"}]}',
     "TableError", "events[0].kind", "not an event kind"),
    ('{"type": "evaluate", "dossier_id": "X", "procedure": "1.001639",'
     ' "events": [{"at": "2026-11-20T09:00", "kind": "received", "when": 1}]}',
     "RequestError", "events[0].when", "unknown field"),
    ('{"type": "evaluate", "dossier_id": "X", "procedure": "1.001639",'
     ' "events": [{"at": "2026-11-20T09:00", "kind": "received"},'
     ' {"at": "2026-11-21T09:00", "kind": "step_started"}]}',
     "TableError", "events[1].step", "without the step"),
    ('{"type": "evaluate", "dossier_id": "X", "procedure": "1.001639",'
     ' "events": [{"at": "2026-11-20T09:00", "kind": "received"},'
     ' {"at": "2026-11-20T09:00", "kind": "received"}]}',
     "TableError", "events[1]", "repeats events[0]"),
    ('{"type": "evaluate", "dossier_id": "X", "procedure": "1.001639",'
     ' "events": [{"at": "2026-11-20T09:00", "kind": "received"},'
     ' {"at": "2026-11-23T09:00", "kind": "resumed"}]}',
     "HistoryError", "events[1]", "events[1]:"),
    ('{"type": "evaluate", "dossier_id": "X", "procedure": "1.001639", "channel": "fax",'
     ' "events": [{"at": "2026-11-20T09:00", "kind": "received"}]}',
     "TableError", "channel", "not a channel"),
    ('{"type": "evaluate", "dossier_id": "X", "procedure": "1.001639",'
     ' "events": [{"at": "2026-11-20T09:00", "kind": "received"}], "as_of": "soon"}',
     "TableError", "as_of", "not a date and time"),
    ('{"type": "hello", "id": {"a": 1}}', "RequestError", "id", "a string or a finite number"),
    ('{"type": "hello", "id": 1e400}', "RequestError", "id", "a string or a finite number"),
    ('{"type": "add_working_days", "date": "2026-11-20", "n": 1e400}',
     "RequestError", "n", "whole number"),
]  # fmt: skip


@pytest.mark.parametrize(("line", "kind", "field", "fragment"), BAD)
def test_bad_requests_are_answered_with_an_error_naming_the_field(
    server: Server, line: str, kind: str, field: str | None, fragment: str
) -> None:
    a = ask(server, line)
    assert a["ok"] is False
    assert set(a) == {"id", "ok", "error"}
    assert set(a["error"]) == {"type", "field", "message"}
    assert (a["error"]["type"], a["error"]["field"]) == (kind, field), a
    assert fragment in a["error"]["message"]
    _no_python_in(a["error"]["message"])


def _no_python_in(message: str) -> None:
    for python in ("Traceback", "datetime.", "<EventKind", "tzinfo=", "Error(", "\n"):
        assert python not in message


def test_odd_bytes_are_answered_too(server: Server) -> None:
    assert ask(server, '\ufeff{"type": "hello", "id": 1}')["ok"] is True  # a .NET BOM
    a = json.loads(server.answer(b'{"type": "hello", "id": 1}\r\n'))
    assert a["ok"] is True
    a = json.loads(server.answer(b'{"type": "hello", "id": "\xff"}'))
    assert a["error"]["type"] == "JSONError"
    assert "UTF-8" in a["error"]["message"]
    raw = server.answer(b'{"type": "hello", "id": "\\ud800"}')  # a lone surrogate
    assert raw.isascii()
    assert json.loads(raw)["id"] == "\ud800"
    a = json.loads(server.answer(b"[" * 100_000))
    assert a["error"]["type"] == "JSONError"
    a = json.loads(server.answer(b'{"type": "hello", "id": 1' + b"0" * 5000 + b"}"))
    assert a["error"]["type"] == "JSONError"


# --------------------------------------------------------------------------- caches


def test_calendars_rules_and_policies_are_cached_and_bounded() -> None:
    server = Server()
    req = {"type": "is_working_day", "date": "2026-11-23"}
    options = {"extra_days_off": ["2026-11-23"]}
    assert ask(server, {**req, "calendar": options})["working_day"] is False
    cal = next(iter(server._calendars.values()))
    ask(server, {**req, "calendar": {"extra_days_off": ["2026-11-23"]}})
    assert list(server._calendars.values()) == [cal]  # the same object, not rebuilt
    for day in range(1, 301):
        d = f"{1996 + day // 28}-02-{day % 28 + 1:02d}"
        assert ask(server, {**req, "calendar": {"extra_days_off": [d]}})["ok"] is True
    assert len(server._calendars) == _serve._CACHE_SIZE
    for i in range(3):
        ask(server, {"type": "deadline", "received_at": "2026-11-20T09:30", "rule": "15wd",
                     "policy": {"receipt_day_counts": True}, "id": i})  # fmt: skip
    assert len(server._rules) == 1
    assert len(server._policies) == 1


# --------------------------------------------------------------------------- the loop


def test_serve_skips_blank_lines_and_refuses_overlong_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_serve, "MAX_LINE", 100)
    lines = [
        b'{"type": "hello", "id": 1}\n',
        b"\n",
        b"   \r\n",
        b'{"type": "hello", "id": "' + b"x" * 200 + b'"}\n',
        b'{"type": "add_working_days", "date": "2026-11-20", "n": 2, "id": 3}\n',
    ]
    out = io.BytesIO()
    serve(io.BytesIO(b"".join(lines)), out, Server())
    answers = [json.loads(x) for x in out.getvalue().splitlines()]
    assert [a["id"] for a in answers] == [1, None, 3]
    assert "longer than 100 bytes" in answers[1]["error"]["message"]
    assert answers[2]["date"] == "2026-11-25"
    assert MAX_LINE == 16 * 1024 * 1024


def test_main_serves_standard_input(monkeypatch: pytest.MonkeyPatch) -> None:
    stdin = io.TextIOWrapper(io.BytesIO(b'{"type": "hello", "id": 1}\n{"id": 2}\n'))
    monkeypatch.setattr(sys, "stdin", stdin)
    out = io.StringIO()
    assert main(["serve-jsonl", "--procedures", str(PROCEDURES)], out=out) == 0
    first, second = (json.loads(x) for x in out.getvalue().splitlines())
    assert first["procedures"] == 4
    assert second["error"]["field"] == "type"


def test_bad_start_up_options_exit_2_with_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "missing.csv"
    proc = subprocess.run(
        [*SERVER, "--procedures", str(missing)], input=b"", capture_output=True, check=False
    )
    assert proc.returncode == 2
    assert proc.stderr.decode().count("\n") == 1
    proc = subprocess.run([*SERVER, "--years", "2100..1990"], input=b"", capture_output=True)
    assert proc.returncode == 2


def _mixed_requests(n: int) -> Iterator[tuple[bytes, int | None, str | None]]:
    """(line, the id the answer must carry, the error type expected or None)."""
    good: list[dict[str, Any]] = [
        {"type": "deadline", "received_at": "2026-11-20T09:30", "rule": "15 ngày làm việc"},
        {"type": "deadline", "received_at": "2026-11-23T15:30", "rule": "same-day",
         "policy": {"same_day_cutoff": "16:00"}},
        {"type": "add_working_days", "date": "2026-11-20", "n": 2},
        {"type": "working_days_between", "a": "2026-02-12", "b": "2026-02-23"},
        {"type": "is_working_day", "date": "2026-11-24",
         "calendar": {"extra_workdays": [["2026-11-24", "Trực"]]}},
        {"type": "evaluate", "dossier_id": "HS-1", "procedure": "1.001639",
         "as_of": "2026-12-31T17:00",
         "events": [{"at": "2026-11-20T09:30", "kind": "tiếp nhận"},
                    {"at": "2026-12-15T10:00", "kind": "đã giải quyết"}]},
        {"type": "hello"},
    ]  # fmt: skip
    bad: list[tuple[dict[str, Any] | bytes, str]] = [
        (b'{"type": "deadline", "received_at": ', "JSONError"),
        ({"type": "deadlines"}, "RequestError"),
        ({"type": "deadline", "rule": "15wd"}, "RequestError"),
        ({"type": "deadline", "received_at": "2026-02-30T09:00", "rule": "15wd"}, "TableError"),
        ({"type": "deadline", "received_at": "2026-11-20T09:00", "rule": "nhanh"},
         "RuleParseError"),
        ({"type": "evaluate", "dossier_id": "X", "procedure": "1.001639",
          "events": [{"at": "2026-11-20T09:00", "kind": "resolved"}]}, "HistoryError"),
        ({"type": "hello", "v": 3}, "VersionError"),
    ]  # fmt: skip
    for i in range(n):
        if i % 3 == 2:
            request, kind = bad[(i // 3) % len(bad)]
            if isinstance(request, bytes):
                yield request + b"\n", None, kind
                continue
            yield _line({**request, "id": i}), i, kind
        else:
            yield _line({**good[i % len(good)], "id": i, "v": 1}), i, None


def _line(request: dict[str, Any]) -> bytes:
    return (json.dumps(request, ensure_ascii=False) + "\n").encode("utf-8")


def test_a_thousand_mixed_requests_through_a_real_pipe() -> None:
    requests = list(_mixed_requests(1000))
    proc = subprocess.Popen(
        [*SERVER, "--procedures", str(PROCEDURES)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdin is not None
    assert proc.stdout is not None
    assert proc.stderr is not None

    def feed() -> None:  # a thread: neither side may fill a pipe the other is not reading
        assert proc.stdin is not None
        for line, _, _ in requests:
            proc.stdin.write(line)
        proc.stdin.flush()

    writer = threading.Thread(target=feed)
    writer.start()
    answers = [json.loads(proc.stdout.readline()) for _ in requests]
    writer.join()
    for (_, rid, kind), a in zip(requests, answers, strict=True):
        assert a["id"] == rid
        if kind is None:
            assert a["ok"] is True, a
        else:
            assert a["ok"] is False
            assert a["error"]["type"] == kind
            _no_python_in(a["error"]["message"])
    assert answers[0]["due_at"] == "2026-12-14T17:00:00"
    assert answers[12]["outcome"] == "late"  # the evaluation: due 14/12, resolved 15/12
    # Still alive and answering, one request at a time.
    assert proc.poll() is None
    proc.stdin.write(b'{"id": "last", "type": "add_working_days", "date": "2026-11-20", "n": 2}\n')
    proc.stdin.flush()
    assert json.loads(proc.stdout.readline()) == {"id": "last", "ok": True, "date": "2026-11-25"}
    proc.stdin.close()
    assert proc.wait(timeout=30) == 0
    assert proc.stdout.read() == b""
    assert proc.stderr.read() == b""


def test_a_client_that_goes_away_ends_the_server_quietly() -> None:
    proc = subprocess.Popen(
        SERVER, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdin is not None
    assert proc.stdout is not None
    assert proc.stderr is not None
    proc.stdout.close()  # the reader goes away: the server's next write is a broken pipe
    try:
        proc.stdin.write(b'{"type": "hello"}\n' * 20_000)
        proc.stdin.close()
    except BrokenPipeError:
        pass  # the server already ended
    assert proc.wait(timeout=30) == 0
    assert proc.stderr.read() == b""


# --------------------------------------------------------------------------- Java


JAVA = ROOT / "examples" / "java" / "TthcSlaClient.java"


@pytest.mark.skipif(
    shutil.which("javac") is None or shutil.which("java") is None, reason="no Java toolchain"
)
def test_the_java_client_example_runs(tmp_path: Path) -> None:
    subprocess.run(
        ["javac", "-encoding", "UTF-8", "-d", str(tmp_path), str(JAVA)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    proc = subprocess.run(
        ["java", "-cp", str(tmp_path), "TthcSlaClient", *SERVER],
        capture_output=True,
        timeout=300,
        check=False,
    )
    out = proc.stdout.decode("utf-8")
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    assert "due_at=2026-12-14T17:00:00" in out
    assert "skipped=2026-11-24 Ngày Văn hóa Việt Nam" in out
    assert "add_working_days=2026-11-25" in out
    assert "working_days_between=2" in out
    assert "outcome=early" in out
    assert "error: RuleParseError in rule" in out
    assert "answers in order: true" in out


# --------------------------------------------------------------------------- any input

_json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)
_field_names = st.sampled_from(
    sorted({name for names in _serve._FIELDS.values() for name in names} - {"type", "v", "id"})
)
_values = st.one_of(
    _json_values,
    st.sampled_from(["2026-11-20T09:30", "2026-11-20", "20/11/2026 09:30", "15wd", "Trong ngày",
                     "received", "tiếp nhận", "online", "1.001639", "16:00", "same_time"]),
    st.lists(st.fixed_dictionaries({"at": st.sampled_from(["2026-11-20T09:30", "x", 5]),
                                    "kind": st.sampled_from(["received", "resolved", "paused"])}),
             max_size=3),
    st.fixed_dictionaries({}, optional={"code": st.text(max_size=3), "rule": st.text(max_size=5),
                                        "steps": _json_values}),
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    kind=st.sampled_from([*REQUEST_TYPES, "other"]),
    fields=st.dictionaries(_field_names, _values, max_size=6),
)
def test_any_request_gets_one_answer_and_never_an_internal_error(
    server: Server, kind: str, fields: dict[str, Any]
) -> None:
    a = ask(server, json.dumps({"type": kind, "id": 1, **fields}))
    assert a["id"] == 1
    if not a["ok"]:
        assert a["error"]["type"] != "InternalError", a
        _no_python_in(a["error"]["message"])


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200) | _json_values.map(lambda v: json.dumps(v).encode()))
def test_any_line_gets_one_answer(server: Server, line: bytes) -> None:
    raw = server.answer(line)
    assert raw.endswith(b"\n")
    assert raw.count(b"\n") == 1
    assert json.loads(raw)["ok"] in (True, False)
