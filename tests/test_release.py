"""The package as released: one version everywhere, data files shipped, every public name
documented in the API reference."""

from __future__ import annotations

import contextlib
import importlib.resources
import importlib.util
import io
import os
import tomllib
from pathlib import Path

import pytest

import tthc_sla
from tthc_sla.cli import main

ROOT = Path(__file__).parent.parent


def test_one_version() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert tthc_sla.__version__ == project["version"]
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_info, contextlib.redirect_stdout(out):
        main(["--version"])
    assert exit_info.value.code == 0
    assert out.getvalue().strip() == f"tthc-sla {project['version']}"


def test_data_files_and_marker_are_in_the_package() -> None:
    files = importlib.resources.files("tthc_sla")
    assert (files / "py.typed").is_file()
    assert (files / "data" / "vn_notices.toml").is_file()


def test_installed_package_under_test() -> None:
    # CI runs the suite a second time against the built wheel, with this variable set: the
    # package must then come from site-packages, not from the checkout's src/.
    if os.environ.get("TTHC_SLA_EXPECT_INSTALLED") == "1":
        assert "site-packages" in tthc_sla.__file__, tthc_sla.__file__
        assert not Path(tthc_sla.__file__).is_relative_to(ROOT / "src")


def test_every_public_name_has_reference_docs() -> None:
    pytest.importorskip("pandas")
    spec = importlib.util.spec_from_file_location("_docs_hooks", ROOT / "docs" / "_hooks.py")
    assert spec is not None
    assert spec.loader is not None
    hooks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hooks)
    assert hooks.missing_docs(ROOT / "docs" / "reference") == []

