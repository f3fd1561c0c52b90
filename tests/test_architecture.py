"""Guards for the architecture: imports only point down the layers, and the public surface."""

from __future__ import annotations

import ast
from pathlib import Path

import tthc_sla

SRC = Path(tthc_sla.__file__).parent

# DESIGN.md §2, lowest first. A module may import its own layer or any layer below it.
LAYERS: dict[str, int] = {
    "errors": 0,
    "_counting": 0,
    "_vocab": 0,
    "_formats": 0,
    "_version": 0,
    "data": 1,
    "calendar": 1,
    "rules": 2,
    "procedure": 3,
    "history": 3,
    "evaluation": 4,
    "metrics": 5,
    "batch": 6,
    "testing": 6,
    "cli": 6,
    "_tables": 6,
    "_serve": 6,
    "__main__": 7,
    "__init__": 7,
}


def _layer_of(module: str) -> int:
    top = module.split(".")[0]
    assert top in LAYERS, f"module {module!r} has no layer in DESIGN §2; add it to LAYERS"
    return LAYERS[top]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("tthc_sla."):
            found.add(node.module.removeprefix("tthc_sla."))
        elif isinstance(node, ast.Import):
            found.update(
                a.name.removeprefix("tthc_sla.")
                for a in node.names
                if a.name.startswith("tthc_sla.")
            )
    return found


def test_imports_point_down() -> None:
    upward = []
    for path in sorted(SRC.rglob("*.py")):
        module = ".".join(path.relative_to(SRC).with_suffix("").parts)
        own = _layer_of(module)
        for target in _imports(path):
            if _layer_of(target) > own:
                upward.append(f"{module} imports {target}")
    assert upward == []


def test_public_names_snapshot() -> None:
    # A name appears or vanishes only on purpose: update this list, the docs and the CHANGELOG.
    assert sorted(tthc_sla.__all__) == sorted(
        [
            "CalendarDataError",
            "CalendarRangeError",
            "Channel",
            "Dossier",
            "Evaluation",
            "Event",
            "EventKind",
            "Outcome",
            "Procedure",
            "Step",
            "StepResult",
            "Summary",
            "due_soon",
            "late_by_unit",
            "late_dossiers",
            "report_table",
            "summarize",
            "evaluate",
            "CompositeProcessingTime",
            "Deadline",
            "DeadlinePolicy",
            "ProcessingTime",
            "ProcessingTimeKind",
            "deadline",
            "parse_processing_time",
            "DayKind",
            "DayOverride",
            "HistoryError",
            "InputTypeError",
            "PolicyError",
            "RuleParseError",
            "TimezoneMixError",
            "TthcSlaError",
            "WeeklySchedule",
            "WorkingCalendar",
            "vietnam_calendar",
            "DossierTable",
            "SetAside",
            "TableError",
            "read_dossiers",
            "read_procedures",
            "Regime",
            "legal_basis",
            "regime_on",
            "ExtensionMode",
        ]
    )
    for name in tthc_sla.__all__:
        assert getattr(tthc_sla, name) is not None


def test_init_only_reexports() -> None:
    tree = ast.parse((SRC / "__init__.py").read_text(encoding="utf-8"))
    defined = [
        n for n in tree.body if isinstance(n, ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef)
    ]
    assert defined == []
