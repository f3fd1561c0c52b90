"""Requests per second through ``tthc-sla serve-jsonl``, against the in-process cost.

A child process (``python -m tthc_sla serve-jsonl --procedures examples/procedures.csv``) is
fed N request lines through a real pipe and its answer lines are read back, three kinds in
turn:

* **deadline** — ``{"type": "deadline", "received_at": ..., "rule": ...}`` over a seeded mix of
  receipt moments in 2026 and six rules (Vietnamese text and specs, one of them a composite
  ``part``), a tenth with a policy or office calendar option;
* **calendar** — ``is_working_day``, ``add_working_days`` and ``working_days_between`` in turn
  over seeded dates;
* **evaluation** — one dossier of 2 to 6 events per request (receipt, steps, a pause, the
  resolution), half naming a procedure of the ``--procedures`` file, half giving it inline.

Two ways of calling: **pipelined** (a thread writes every request while the main thread reads
the answers: what a client does with a batch; the server still writes and flushes each answer on
its own) and **lock-step** (write one, wait for its answer, write the next: a synchronous client
with one request in flight). Each figure is the best of several runs, so that a burst of load
on a shared host spoils one run, not the figure. Beside them, the in-process cost per request of
``Server.answer`` (decode, handle, encode: what the child spends on a line), its JSON share, and
the plain library call it wraps, and the cost of a rule text parsed afresh (what the server's
rule cache saves). It never asserts on time.

Run: ``python benchmarks/bench_serve.py [--n 20000] [--repeat 5]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import threading
import time
import timeit
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from tthc_sla import (
    DeadlinePolicy,
    deadline,
    evaluate,
    parse_processing_time,
    read_procedures,
    vietnam_calendar,
)
from tthc_sla._serve import _DECODER, _ENCODER, Server

ROOT = Path(__file__).resolve().parents[1]
PROCEDURES = ROOT / "examples" / "procedures.csv"
SEED = 20261120
GOAL = 20_000  # deadline requests per second through a pipe

RULES = (
    ("15 ngày làm việc", None),
    ("15 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ", None),
    ("10wd", None),
    ("Trong ngày", None),
    ("8h", None),
    ("UBND cấp xã: 05 ngày làm việc; UBND cấp tỉnh: 10 ngày làm việc", "UBND cấp tỉnh"),
)


def _moment(rng: random.Random) -> datetime:
    day = date(2026, 1, 5) + timedelta(days=rng.randrange(340))
    return datetime.combine(day, datetime.min.time()) + timedelta(
        minutes=rng.randrange(7 * 60, 17 * 60)
    )


def deadline_requests(n: int) -> list[dict[str, Any]]:
    rng = random.Random(SEED)
    out = []
    for i in range(n):
        rule, part = RULES[i % len(RULES)]
        req: dict[str, Any] = {"v": 1, "id": i, "type": "deadline",
                               "received_at": _moment(rng).isoformat(timespec="minutes"),
                               "rule": rule}  # fmt: skip
        if part is not None:
            req["part"] = part
        if i % 20 == 7:
            req["policy"] = {"receipt_day_counts": True}
        elif i % 20 == 17:
            req["calendar"] = {"extra_days_off": [["2026-11-23", "Bão số 15"]]}
        out.append(req)
    return out


def calendar_requests(n: int) -> list[dict[str, Any]]:
    rng = random.Random(SEED + 1)
    out: list[dict[str, Any]] = []
    for i in range(n):
        a = _moment(rng).date()
        if i % 3 == 0:
            out.append({"v": 1, "id": i, "type": "is_working_day", "date": a.isoformat()})
        elif i % 3 == 1:
            out.append({"v": 1, "id": i, "type": "add_working_days", "date": a.isoformat(),
                        "n": rng.randrange(1, 40)})  # fmt: skip
        else:
            b = a + timedelta(days=rng.randrange(1, 60))
            out.append({"v": 1, "id": i, "type": "working_days_between", "a": a.isoformat(),
                        "b": b.isoformat()})  # fmt: skip
    return out


def evaluation_requests(n: int) -> list[dict[str, Any]]:
    rng = random.Random(SEED + 2)
    inline = {"code": "B-1", "rule": "10 ngày làm việc",
              "steps": [{"name": "Thẩm định", "unit": "Phòng A", "allotment": "6wd"}]}  # fmt: skip
    out = []
    for i in range(n):
        t = _moment(rng)
        events = [{"at": t.isoformat(timespec="minutes"), "kind": "tiếp nhận"}]
        by_code = i % 2 == 0
        if not by_code or i % 4 == 0:
            step = "Thẩm định"
            t += timedelta(hours=2)
            events.append({"at": t.isoformat(timespec="minutes"), "kind": "step_started",
                           "step": step})  # fmt: skip
            t += timedelta(days=rng.randrange(1, 9))
            events.append({"at": t.isoformat(timespec="minutes"), "kind": "step_finished",
                           "step": step})  # fmt: skip
        if i % 9 == 4:
            t += timedelta(hours=3)
            events.append({"at": t.isoformat(timespec="minutes"), "kind": "tạm dừng"})
            t += timedelta(days=3)
            events.append({"at": t.isoformat(timespec="minutes"), "kind": "tiếp tục"})
        if i % 5:
            t += timedelta(days=rng.randrange(1, 12), hours=1)
            events.append({"at": t.isoformat(timespec="minutes"), "kind": "đã giải quyết"})
        procedure: Any = "1.004227" if by_code else inline
        if by_code and i % 4 == 0:  # its steps are named differently: no step events
            events = [e for e in events if "step" not in e]
        out.append({"v": 1, "id": i, "type": "evaluate", "dossier_id": f"HS-{i}",
                    "procedure": procedure, "events": events, "as_of": "2026-12-31T17:00",
                    "channel": "trực tuyến" if i % 3 else "trực tiếp"})  # fmt: skip
    return out


def _lines(requests: Sequence[dict[str, Any]]) -> list[bytes]:
    return [(json.dumps(r, ensure_ascii=False) + "\n").encode("utf-8") for r in requests]


class Child:
    """The server process, started once."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tthc_sla", "serve-jsonl", "--procedures", str(PROCEDURES)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        assert self.proc.stdin is not None
        assert self.proc.stdout is not None
        self.stdin, self.stdout = self.proc.stdin, self.proc.stdout
        self.lockstep([b'{"type": "hello"}\n'])  # started and answering

    def pipelined(self, lines: Sequence[bytes]) -> tuple[float, list[bytes]]:
        data = b"".join(lines)

        def feed() -> None:
            self.stdin.write(data)
            self.stdin.flush()

        writer = threading.Thread(target=feed)
        readline = self.stdout.readline
        start = time.perf_counter()
        writer.start()
        answers = [readline() for _ in lines]
        seconds = time.perf_counter() - start
        writer.join()
        return seconds, answers

    def lockstep(self, lines: Sequence[bytes]) -> tuple[float, list[bytes]]:
        write, flush, readline = self.stdin.write, self.stdin.flush, self.stdout.readline
        answers = []
        start = time.perf_counter()
        for line in lines:
            write(line)
            flush()
            answers.append(readline())
        return time.perf_counter() - start, answers

    def close(self) -> int:
        self.stdin.close()
        return self.proc.wait()


def _check(requests: Sequence[dict[str, Any]], answers: Sequence[bytes]) -> None:
    for req, raw in zip(requests, answers, strict=True):
        a = json.loads(raw)
        if a["id"] != req["id"] or not a["ok"]:
            raise SystemExit(f"unexpected answer to {req}: {a}")


def _best(run: Callable[[], float], repeat: int) -> float:
    return min(run() for _ in range(repeat))


def _per_call(fn: Callable[[], object], number: int, repeat: int) -> float:
    """Best time per call, in µs."""
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number * 1e6


def _cycle(items: Sequence[Any]) -> Callable[[], Any]:
    state = {"i": 0}
    n = len(items)

    def nxt() -> Any:
        i = state["i"]
        state["i"] = i + 1 if i + 1 < n else 0
        return items[i]

    return nxt


def in_process(kinds: dict[str, list[dict[str, Any]]], repeat: int) -> None:
    server = Server(procedures=read_procedures(PROCEDURES))
    print("\nin process, per request (best of runs):")
    print(f"  {'kind':<11} {'answer()':>11} {'of it JSON':>11} {'library call':>13}")
    for kind, requests in kinds.items():
        answer_us, json_us, library_us = _in_process(server, kind, requests, repeat)
        print(f"  {kind:<11} {answer_us:8.2f} µs {json_us:8.2f} µs {library_us:10.2f} µs")
    text = RULES[0][0]
    parse_us = _per_call(lambda: parse_processing_time(text), 2000, repeat)
    hit_us = _per_call(lambda: server._rule(text, None), 20000, repeat)
    print(f"  a rule text parsed afresh: {parse_us:.2f} µs; from the server's rule cache: "
          f"{hit_us:.2f} µs")  # fmt: skip


def _in_process(
    server: Server, kind: str, requests: list[dict[str, Any]], repeat: int
) -> tuple[float, float, float]:
    """(answer(), its JSON decode + encode, the library call), in µs per request."""
    lines = [ln.rstrip(b"\n") for ln in _lines(requests)]
    for ln in lines:  # warm the caches, as a long-running server has them
        server.answer(ln)
    nxt_line = _cycle(lines)
    answer_us = _per_call(lambda: server.answer(nxt_line()), len(lines), repeat)
    pairs = [(ln, _DECODER.decode(server.answer(ln).decode("utf-8"))) for ln in lines]
    nxt_pair = _cycle(pairs)

    def json_only() -> bytes:
        line, answer = nxt_pair()
        _DECODER.decode(line.decode("utf-8"))
        return (_ENCODER.encode(answer) + "\n").encode("utf-8")

    json_us = _per_call(json_only, len(lines), repeat)
    decoded = [json.loads(ln) for ln in lines]
    return answer_us, json_us, _library_cost(kind, decoded, server, repeat)


def _library_cost(kind: str, requests: list[dict[str, Any]], server: Server, repeat: int) -> float:
    """The plain library call a request wraps, with its values already built."""
    cal = vietnam_calendar()
    policy = DeadlinePolicy()
    if kind == "deadline":
        calls = [
            (datetime.fromisoformat(r["received_at"]), server._rule(r["rule"], r.get("part")))
            for r in requests
            if "policy" not in r and "calendar" not in r
        ]
        nxt = _cycle(calls)

        def one() -> object:
            at, rule = nxt()
            return deadline(at, rule, cal, policy)

        return _per_call(one, len(calls), repeat)
    if kind == "calendar":
        ops = [
            (r["type"], date.fromisoformat(r.get("date") or r["a"]),
             r.get("n") or (r.get("b") and date.fromisoformat(r["b"])))
            for r in requests
        ]  # fmt: skip
        nxt_op = _cycle(ops)

        def question() -> object:
            op, a, b = nxt_op()
            if op == "is_working_day":
                return cal.is_working_day(a)
            if op == "add_working_days":
                return cal.add_working_days(a, b)
            return cal.working_days_between(a, b)

        return _per_call(question, len(ops), repeat)
    dossiers = [_dossier(server, r) for r in requests]
    as_of = datetime(2026, 12, 31, 17)
    nxt_d = _cycle(dossiers)
    return _per_call(lambda: evaluate(nxt_d(), cal, as_of=as_of, policy=policy), len(dossiers),
                     repeat)  # fmt: skip


def _dossier(server: Server, request: dict[str, Any]) -> Any:
    from tthc_sla import Dossier, Event

    proc = server._procedure(request["procedure"])
    events = [
        Event(datetime.fromisoformat(e["at"]), e["kind"], step=e.get("step"))
        for e in request["events"]
    ]
    return Dossier(request["dossier_id"], proc, events, channel=request.get("channel"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=20_000, help="requests per run (pipelined)")
    parser.add_argument("--repeat", type=int, default=5, help="runs; the best is shown")
    args = parser.parse_args()
    kinds = {
        "deadline": deadline_requests(args.n),
        "calendar": calendar_requests(args.n),
        "evaluation": evaluation_requests(args.n),
    }
    print(f"Python {platform.python_version()} on {platform.machine()}, "
          f"{os.cpu_count()} CPU(s); {args.n:,} requests a run, best of {args.repeat}")  # fmt: skip
    child = Child()
    print("\nthrough a pipe (python -m tthc_sla serve-jsonl):")
    print(f"  {'kind':<11} {'pipelined':>16} {'lock-step':>16}")
    deadline_rate = 0.0
    for kind, requests in kinds.items():
        lines = _lines(requests)
        _check(requests, child.pipelined(lines)[1])  # warm-up, and every answer is checked
        piped = _best(lambda lines=lines: child.pipelined(lines)[0], args.repeat)
        few = lines[: max(1, args.n // 4)]
        locked = _best(lambda few=few: child.lockstep(few)[0], args.repeat)
        rate, lock_rate = len(lines) / piped, len(few) / locked
        if kind == "deadline":
            deadline_rate = rate
        print(f"  {kind:<11} {rate:10,.0f} req/s {lock_rate:10,.0f} req/s")
    status = child.close()
    print(f"  (the server exited with status {status} at EOF)")
    verdict = "met" if deadline_rate >= GOAL else "NOT met"
    print(f"goal: >= {GOAL:,} deadline requests/s through a pipe: {verdict}")
    in_process(kinds, args.repeat)


if __name__ == "__main__":
    main()
