"""Accuracy of parse_processing_time on both labelled sets, and parse/refuse counts and speed on
the corpus.

* ``tests/data/parser_labels.jsonl``: 371 texts labelled by hand (283 free texts, 88 portal
  values); an extension is compared where one is labelled, with its mode.
* ``tests/data/parser_sample_2026_11.jsonl``: 160 texts drawn at random in November 2026 and
  labelled completely (see ``parser_sample_2026_11.md``): a missing extension means none, and
  the parts' extensions count too.

Run: python benchmarks/parser_accuracy.py [--corpus PATH] [--against GIT_REV]

``--against`` also times the parser of that revision on the same corpus in the same run (read
with ``git show``; the working tree is not touched) and prints the ratio.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tthc_sla.errors import RuleParseError
from tthc_sla.rules._parser import parse_processing_time
from tthc_sla.rules._processing_time import (
    CompositeProcessingTime,
)

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
SETS = (
    ("labelled set (parser_labels.jsonl)", DATA / "parser_labels.jsonl", False),
    ("2026-11 sample (parser_sample_2026_11.jsonl)", DATA / "parser_sample_2026_11.jsonl", True),
)
CORPUS = Path("/work/shared/corpus/national_procedures.jsonl")
REPEATS = 5

Parser = Callable[[str], Any]


def _labels_module() -> Any:
    """tests/_labels.py: how a parse is compared with its label, the same rule as the tests."""
    path = DATA.parent / "_labels.py"
    spec = importlib.util.spec_from_file_location("tthc_sla_tests_labels", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


classify = _labels_module().classify


def accuracy(name: str, path: Path, complete: bool) -> None:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    outcome = Counter(classify(r["text"], r["expect"], complete=complete) for r in rows)
    n = len(rows)
    print(f"{name}: {n} texts")
    print(f"  exact    {outcome['exact']:4d}  ({outcome['exact'] / n:.1%})")
    print(f"  wrong    {outcome['wrong']:4d}  (a parse the text does not state)")
    print(f"  refused  {outcome['refused']:4d}  (RuleParseError where a time was expected)")


def corpus_values(corpus: Path) -> list[tuple[str, str]]:
    values = []
    with corpus.open(encoding="utf-8") as f:
        for line in f:
            for ch in json.loads(line)["channels"]:
                values += [("time", ch["time"]), ("text", ch["text"])]
    return values


def timed(parse: Parser, values: list[tuple[str, str]]) -> float:
    """The best of REPEATS runs over every value, in seconds."""
    best = float("inf")
    for _ in range(REPEATS):
        start = time.perf_counter()
        for _, value in values:
            with contextlib.suppress(RuleParseError):
                parse(value)
        best = min(best, time.perf_counter() - start)
    return best


def parser_at(rev: str) -> Parser:
    """parse_processing_time as of git revision ``rev`` (its module alone, loaded apart)."""
    source = subprocess.run(
        ["git", "show", f"{rev}:src/tthc_sla/rules/_parser.py"],
        cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False, encoding="utf-8") as f:
        f.write(source)
    try:
        spec = importlib.util.spec_from_file_location("_parser_at_rev", f.name)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        os.unlink(f.name)
    return module.parse_processing_time  # type: ignore[no-any-return]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--against", metavar="GIT_REV", help="also time the parser of this revision")
    args = ap.parse_args()
    for name, path, complete in SETS:
        accuracy(name, path, complete)

    values = corpus_values(args.corpus)
    counts: dict[str, Counter[str]] = {"time": Counter(), "text": Counter()}
    for field, value in values:
        try:
            result = parse_processing_time(value)
        except RuleParseError:
            counts[field]["refused"] += 1
        else:
            kind = "composite" if isinstance(result, CompositeProcessingTime) else "single"
            counts[field]["parsed"] += 1
            counts[field][kind] += 1
    for field, c in counts.items():
        print(
            f"corpus {field:4s}: parsed {c['parsed']:5d} (single {c['single']}, composite "
            f"{c['composite']}), refused {c['refused']:5d}"
        )
    elapsed = timed(parse_processing_time, values)
    n = len(values)
    print(f"speed: {n} calls in {elapsed:.3f}s ({elapsed / n * 1e6:.0f} µs per call, best of "
          f"{REPEATS})")
    if args.against:
        before = timed(parser_at(args.against), values)
        print(
            f"  {args.against}: {before:.3f}s ({before / n * 1e6:.0f} µs per call); this tree / "
            f"{args.against} = {elapsed / before:.2f}"
        )


if __name__ == "__main__":
    main()
