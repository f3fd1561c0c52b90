"""The installed version, read from the package's metadata: ``pyproject.toml`` is its one source."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

__all__ = ["__version__"]

try:
    __version__: str = version("tthc_sla")
except PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0+unknown"
