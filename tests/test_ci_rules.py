"""The CI rule: with CRITMIN_NO_SKIPS set (as .ci/run sets it), a skipped test fails the run."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


@pytest.fixture
def suite(tmp_path):
    """A two-test suite with the project's conftest: one passes, one needs ../shared."""
    shutil.copy(HERE / "conftest.py", tmp_path / "conftest.py")
    (tmp_path / "test_x.py").write_text(
        "def test_ok():\n    assert 1 + 1 == 2\n\n"
        "def test_needs_sources(shared_data):\n    assert shared_data.is_dir()\n",
        encoding="utf-8",
    )
    return tmp_path


def _run(suite: Path, **env: str) -> subprocess.CompletedProcess:
    e = {k: v for k, v in os.environ.items() if k != "CRITMIN_NO_SKIPS"}
    e.update(env, CRITMIN_SHARED_DATA=str(suite / "absent" / "data"))
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(suite)],
        capture_output=True,
        text=True,
        env=e,
        cwd=suite,
        check=False,
    )


def test_without_sources_the_checks_skip_with_one_reason(suite):
    proc = _run(suite)
    assert proc.returncode == 0, proc.stdout
    assert "1 passed, 1 skipped" in proc.stdout
    assert "1 skipped: needs the raw source files in" in proc.stdout
    assert "set CRITMIN_SHARED_DATA" in proc.stdout


def test_in_ci_a_skip_fails_the_run(suite):
    proc = _run(suite, CRITMIN_NO_SKIPS="1")
    assert proc.returncode == 1, proc.stdout
    assert "CRITMIN_NO_SKIPS is set (CI): 1 skipped tests fail this run" in proc.stdout
