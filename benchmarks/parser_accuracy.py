"""Accuracy of parse_processing_time on the labelled set, and parse/refuse counts on the corpus.

Run: python benchmarks/parser_accuracy.py [path/to/national_procedures.jsonl]
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from tthc_sla.errors import RuleParseError
from tthc_sla.rules._parser import parse_processing_time
from tthc_sla.rules._processing_time import CompositeProcessingTime, ProcessingTime

ROOT = Path(__file__).resolve().parent.parent
LABELS = ROOT / "tests" / "data" / "parser_labels.jsonl"
CORPUS = Path("/work/shared/corpus/national_procedures.jsonl")


def _simple(pt: ProcessingTime) -> tuple[str, Any]:
    return pt.kind.value, pt.amount


def classify(text: str, expect: Any) -> str:
    try:
        got = parse_processing_time(text)
    except RuleParseError:
        return "exact" if expect == "error" else "refused"
    if expect == "error":
        return "wrong"
    if "parts" in expect:
        want = [(p[1]["kind"], p[1].get("amount")) for p in expect["parts"]]
        ok = isinstance(got, CompositeProcessingTime) and [
            _simple(p) for _, p in got.parts
        ] == want
        return "exact" if ok else "wrong"
    ok = isinstance(got, ProcessingTime) and _simple(got) == (expect["kind"], expect.get("amount"))
    return "exact" if ok else "wrong"


def main() -> None:
    rows = [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines() if line]
    outcome = Counter(classify(r["text"], r["expect"]) for r in rows)
    n = len(rows)
    print(f"labelled set: {n} texts")
    print(f"  exact    {outcome['exact']:4d}  ({outcome['exact'] / n:.1%})")
    print(f"  wrong    {outcome['wrong']:4d}  (a parse the text does not state)")
    print(f"  refused  {outcome['refused']:4d}  (RuleParseError where a time was expected)")

    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else CORPUS
    counts: dict[str, Counter[str]] = {"time": Counter(), "text": Counter()}
    calls, start = 0, time.perf_counter()
    with corpus.open(encoding="utf-8") as f:
        for line in f:
            for ch in json.loads(line)["channels"]:
                for field in ("time", "text"):
                    calls += 1
                    try:
                        result = parse_processing_time(ch[field])
                    except RuleParseError:
                        counts[field]["refused"] += 1
                    else:
                        composite = isinstance(result, CompositeProcessingTime)
                        kind = "composite" if composite else "single"
                        counts[field]["parsed"] += 1
                        counts[field][kind] += 1
    elapsed = time.perf_counter() - start
    for field, c in counts.items():
        print(
            f"corpus {field:4s}: parsed {c['parsed']:5d} (single {c['single']}, composite "
            f"{c['composite']}), refused {c['refused']:5d}"
        )
    print(f"{calls} calls in {elapsed:.2f}s ({elapsed / calls * 1e6:.0f} µs per call)")


if __name__ == "__main__":
    main()
