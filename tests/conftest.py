"""Shared test fixtures.

Real figures are checked against the source files in ``../shared/data`` (read at test time,
never copied into the repository).  ``CRITMIN_SHARED_DATA`` overrides the location.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED_DATA = Path(os.environ.get("CRITMIN_SHARED_DATA", REPO.parent / "shared" / "data"))
SHARED_METHODS = SHARED_DATA.parent / "methods"
#: The one reason every test that needs the raw source files gives when they are absent.
SKIP_REASON = (
    f"needs the raw source files in {SHARED_DATA} (../shared/data); "
    "set CRITMIN_SHARED_DATA to their folder to run these checks"
)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The folder of real source files (``../shared/data``)."""
    if not SHARED_DATA.is_dir():
        pytest.skip(SKIP_REASON)
    return SHARED_DATA


@pytest.fixture(scope="session")
def shared_methods() -> Path:
    """The folder of published method tables (``../shared/methods``)."""
    if not SHARED_METHODS.is_dir():
        pytest.skip(SKIP_REASON)
    return SHARED_METHODS


@pytest.fixture(scope="session")
def fixtures() -> Path:
    """The folder of hand-written parser fixtures."""
    return FIXTURES


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch):
    """Every test gets its own empty user workspace."""
    monkeypatch.setenv("CRITMIN_HOME", str(tmp_path / "critmin_home"))
    # code that defaults to the source folder (``critmin data build``) sees the same one
    monkeypatch.setenv("CRITMIN_SOURCE_DIR", str(SHARED_DATA))
