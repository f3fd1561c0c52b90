"""How a parse is compared with its hand label: the one rule, used by tests/test_parser.py and
benchmarks/parser_accuracy.py (both load this file by path)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tthc_sla.errors import RuleParseError
from tthc_sla.rules._parser import parse_processing_time
from tthc_sla.rules._processing_time import CompositeProcessingTime, ExtensionMode, ProcessingTime


def load(path: Path) -> list[dict[str, Any]]:
    """The labelled rows of a JSON Lines file."""
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def simple(pt: ProcessingTime) -> tuple[str, Any]:
    return pt.kind.value, pt.amount


def expected_simple(e: dict[str, Any]) -> tuple[str, Any]:
    return e["kind"], e.get("amount")


def same(pt: ProcessingTime, e: dict[str, Any], complete: bool) -> bool:
    """Whether ``pt`` reads as labelled: kind, amount, extension (and its mode), extra."""
    if simple(pt) != expected_simple(e):
        return False
    want = e.get("extension")
    if want is None:
        if complete and pt.extension is not None:
            return False
    elif (
        pt.extension is None
        or simple(pt.extension) != expected_simple(want)
        or ("mode" in want and pt.extension_mode is not ExtensionMode(want["mode"]))
    ):
        return False
    return pt.difficult_area_extra == e.get("difficult_area_extra", 0)


def classify(text: str, expect: Any, *, complete: bool = False) -> str:
    """'exact', 'refused' (RuleParseError where a time was expected) or 'wrong'.

    ``complete``: the label states everything (the 2026-11 sample): no labelled extension
    means none, and the parts' extensions count too.
    """
    try:
        got = parse_processing_time(text)
    except RuleParseError:
        return "exact" if expect == "error" else "refused"
    if expect == "error":
        return "wrong"
    if "parts" in expect:
        if not isinstance(got, CompositeProcessingTime):
            return "wrong"
        if not complete:
            want = [expected_simple(p[1]) for p in expect["parts"]]
            return "exact" if [simple(p) for _, p in got.parts] == want else "wrong"
        ok = len(got.parts) == len(expect["parts"]) and all(
            same(p, w[1], complete) for (_, p), w in zip(got.parts, expect["parts"], strict=False)
        )
        return "exact" if ok else "wrong"
    if not isinstance(got, ProcessingTime) or not same(got, expect, complete):
        return "wrong"
    return "exact"
