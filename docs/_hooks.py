"""mkdocs hooks: the strict build fails on a public name without a docstring.

Every name in the ``__all__`` of ``tthc_sla``, ``tthc_sla.batch`` and ``tthc_sla.testing`` must
have a docstring of its own and a ``::: module.name`` entry in a page under ``docs/reference/``.
"""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path
from typing import Any

MODULES = ("tthc_sla", "tthc_sla.batch", "tthc_sla.testing")


def missing_docs(reference: Path) -> list[str]:
    """The public names without a docstring of their own or without a reference entry."""
    pages = "\n".join(p.read_text(encoding="utf-8") for p in sorted(reference.glob("*.md")))
    problems = []
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            obj = getattr(module, name)
            doc = obj.__doc__ if (inspect.isclass(obj) or callable(obj)) else None
            if inspect.isclass(obj) or inspect.isfunction(obj):
                own = obj.__dict__.get("__doc__") if inspect.isclass(obj) else doc
                if not (own or "").strip():
                    problems.append(f"{module_name}.{name} has no docstring")
            if f"::: {module_name}.{name}\n" not in pages + "\n":
                problems.append(f"{module_name}.{name} has no entry in docs/reference/")
    return problems


def on_pre_build(config: Any) -> None:
    from mkdocs.exceptions import PluginError

    problems = missing_docs(Path(config["docs_dir"]) / "reference")
    if problems:
        raise PluginError("public names without reference docs: " + "; ".join(problems))
