"""One typed settings object, with ``CRITMIN_*`` environment overrides.

=====================  =====================================================  ==========================
setting                meaning                                                 environment variable
=====================  =====================================================  ==========================
``home``               the user workspace (imports, saved scenarios)           ``CRITMIN_HOME``
``dataset_dir``        the built dataset read by the store                     ``CRITMIN_DATASET_DIR``
``source_dir``         the agency source files ``critmin data build`` reads    ``CRITMIN_SOURCE_DIR``
=====================  =====================================================  ==========================

``home`` defaults to the platform's user data directory (``platformdirs``); ``dataset_dir`` to
the dataset packaged with critmin; ``source_dir`` to ``../shared/data`` beside a source checkout.

Examples
--------
>>> from critmin.settings import get_settings, settings_context
>>> with settings_context(home="/tmp/ws"):
...     str(get_settings().home)
'/tmp/ws'
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import platformdirs

__all__ = ["Settings", "get_settings", "settings_context", "PACKAGED_DATASET_DIR"]

#: The dataset shipped inside the package.
PACKAGED_DATASET_DIR = Path(__file__).resolve().parent / "data"
_REPO_SOURCE_DIR = Path(__file__).resolve().parents[3] / "shared" / "data"


@dataclass(frozen=True)
class Settings:
    """critmin's settings; build with :func:`get_settings`."""

    home: Path
    dataset_dir: Path
    source_dir: Path

    @property
    def workspace_db(self) -> Path:
        """The user's DuckDB workspace file (inside ``home``)."""
        return self.home / "workspace.duckdb"


_override: dict[str, Path] = {}


def get_settings() -> Settings:
    """Return the settings in force: overrides, then environment, then defaults."""
    env = os.environ
    s = Settings(
        home=Path(env.get("CRITMIN_HOME") or platformdirs.user_data_dir("critmin")),
        dataset_dir=Path(env.get("CRITMIN_DATASET_DIR") or PACKAGED_DATASET_DIR),
        source_dir=Path(env.get("CRITMIN_SOURCE_DIR") or _REPO_SOURCE_DIR),
    )
    return replace(s, **_override) if _override else s


@contextlib.contextmanager
def settings_context(**changes: str | Path) -> Iterator[Settings]:
    """Temporarily change settings (``home``, ``dataset_dir``, ``source_dir``)."""
    unknown = set(changes) - {"home", "dataset_dir", "source_dir"}
    if unknown:
        raise TypeError(f"unknown setting(s) {sorted(unknown)}; use home, dataset_dir, source_dir")
    saved = dict(_override)
    _override.update({k: Path(v) for k, v in changes.items()})
    try:
        yield get_settings()
    finally:
        _override.clear()
        _override.update(saved)
