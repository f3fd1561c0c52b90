"""Guards for the architecture: imports only point down the layers, and the public surface."""

from __future__ import annotations

import ast
import functools
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
    "_periods": 5,
    "batch": 6,
    "testing": 6,
    "cli": 6,
    "_tables": 6,
    "_fastread": 6,
    "_serve": 6,
    "_form06": 6,
    "_html": 6,
    "_engines": 6,
    "_partition": 6,
    "_writers": 6,
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


# ---------------------------------------------------------------------------- seams

# The package-internal interfaces (docs/design.md, "Seams"): the only private modules whose
# names another package may use. A package is a sub-package of tthc_sla (calendar, rules,
# evaluation, batch, testing, data) or the root (the top-level modules, one package).
SEAMS = {
    "calendar._seam": "what rules, evaluation and batch need of a calendar",
    "rules._seam": "rule plans, the one deadline dispatch, rule resolution",
    "evaluation._judge": "the outcome rules, shared by both engines",
    "evaluation._flat": "the flat layout of an evaluation (command line and batch)",
    "_counting": "the report's counting rule (metrics and batch)",
}


# Private attributes of other libraries' objects that tthc_sla reads, with the reason.
FOREIGN = {
    "_meta": "a dask DataFrame's empty frame of its schema (dask's own idiom for meta=)",
}


def _package(module: str) -> str:
    top = module.split(".")[0]
    return top if (SRC / top).is_dir() else "<root>"


@functools.cache  # (each package parsed once, not once per file that reads it)
def _private_names_defined(package: str) -> frozenset[str]:
    """Every private identifier a package defines: functions, classes, assignments,
    attributes set on self/cls, slots and module names."""
    paths = SRC.glob("*.py") if package == "<root>" else (SRC / package).rglob("*.py")
    names: set[str] = set()
    for path in paths:
        names.add(path.stem)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
            elif isinstance(node, ast.arg):
                names.add(node.arg)
            elif isinstance(node, ast.Constant) and str(node.value).isidentifier():
                names.add(str(node.value))  # __slots__ entries, getattr names
    return frozenset(n for n in names if n.startswith("_") and not n.startswith("__"))


def _crossings(path: Path) -> list[str]:
    module = ".".join(path.relative_to(SRC).with_suffix("").parts)
    return _crossings_in(module, path.read_text(encoding="utf-8"))


def _crossings_in(module: str, text: str) -> list[str]:
    own = _package(module)
    mine = _private_names_defined(own)
    found = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("tthc_sla."):
            target = node.module.removeprefix("tthc_sla.")
            if _package(target) == own or target in SEAMS:
                continue
            private_path = any(p.startswith("_") for p in target.split(".")[1:])
            for alias in node.names:
                if (
                    private_path
                    or alias.name.startswith("_")
                    or (_package(target) == "<root>" and target.startswith("_"))
                ):
                    found.append(f"{module}:{node.lineno} imports {target}.{alias.name}")
        elif isinstance(node, ast.ImportFrom) and node.module == "tthc_sla":
            for alias in node.names:
                if alias.name.startswith("_") and own != "<root>" and alias.name not in SEAMS:
                    found.append(f"{module}:{node.lineno} imports tthc_sla.{alias.name}")
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
            attr = node.attr
            private = attr.startswith("_") and not attr.startswith("__")
            if private and attr not in mine and attr not in FOREIGN:
                found.append(f"{module}:{node.lineno} reads .{attr} of another package")
    return found


def test_private_names_cross_packages_only_through_the_seams() -> None:
    found = [c for path in sorted(SRC.rglob("*.py")) for c in _crossings(path)]
    assert found == []


def test_the_seams_exist_and_are_documented() -> None:
    design = (Path(__file__).parent.parent / "docs" / "design.md").read_text(encoding="utf-8")
    for seam in SEAMS:
        path = SRC.joinpath(*seam.split(".")).with_suffix(".py")
        assert path.is_file(), seam
        assert f"`{seam}`" in design, f"docs/design.md does not name the seam {seam}"


def test_the_guard_sees_a_crossing() -> None:
    # The guard itself: a private calendar attribute read from the batch package is found.
    assert _crossings_in("batch._probe", "def f(cal):\n    return cal._ix\n") == [
        "batch._probe:2 reads ._ix of another package"
    ]
    assert _crossings_in("batch._probe", "from tthc_sla.calendar._tz import VN_TZ\n") == [
        "batch._probe:1 imports calendar._tz.VN_TZ"
    ]
    assert _crossings_in("batch._probe", "from tthc_sla.calendar._seam import dense\n") == []


# ---------------------------------------------------------------------------- sizes

MAX_FUNCTION_LINES = 80  # from `def` to the end, without the docstring
MAX_BATCH_FILE_LINES = 400


def _function_sizes() -> list[tuple[int, str]]:
    sizes = []
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = node.end_lineno - node.lineno + 1  # type: ignore[operator]
                first = node.body[0]
                if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                    lines -= first.end_lineno - first.lineno + 1  # type: ignore[operator]
                sizes.append((lines, f"{path.relative_to(SRC)}:{node.lineno} {node.name}"))
    return sizes


def test_no_function_is_longer_than_80_lines() -> None:
    assert [where for lines, where in _function_sizes() if lines > MAX_FUNCTION_LINES] == []


def test_batch_files_stay_small() -> None:
    big = {
        str(p.relative_to(SRC)): n
        for p in (SRC / "batch").rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) >= MAX_BATCH_FILE_LINES
    }
    assert big == {}
