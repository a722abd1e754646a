"""Shared test fixtures.

Real figures are checked against the source files in ``../shared/data`` (read at test time,
never copied into the repository).  ``CRITMIN_SHARED_DATA`` overrides the location.
"""

from __future__ import annotations

import os
from collections import Counter
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


@pytest.fixture
def cli_run(capsys, monkeypatch):
    """Run ``critmin ARGS`` in-process: ``cli_run(*args, columns=80) -> (code, stdout, stderr)``.

    ``COLUMNS`` sets the console width; typer's normal ``SystemExit(0)`` is caught, so the
    exit code can be asserted.  ``critmin.cli.main`` is looked up at call time, so a test
    that patches ``critmin.cli.app`` runs its own command tree.
    """
    from critmin import cli

    def run(*args: str, columns: int = 80) -> tuple[int, str, str]:
        monkeypatch.setenv("COLUMNS", str(columns))
        code = 0
        try:
            cli.main(list(args))
        except SystemExit as e:  # typer exits through SystemExit, 0 on success
            code = e.code or 0
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture(scope="session")
def iea_block(shared_data):
    """Read one block of the raw IEA supply sheet: ``iea_block(title) -> {year: {label: value}}``.

    Located by its cells (the year header row, the block's title cell, rows down to the next
    blank label), independently of critmin's IEA reader.
    """
    import csv

    path = shared_data / "iea_critical_minerals/sheets_csv/2_Total_supply_for_key_minerals.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        grid = list(csv.reader(fh))
    header = next(r for r in grid if sum(c.strip().isdigit() for c in r) >= 4)

    def read(title: str) -> dict[int, dict[str, float]]:
        r0, c0 = next((r, c) for r, row in enumerate(grid) for c, v in enumerate(row) if v == title)
        cols = []
        for c in range(c0 + 1, len(header)):
            if not header[c].strip().isdigit():
                break
            cols.append(c)
        out: dict[int, dict[str, float]] = {int(header[c]): {} for c in cols}
        for row in grid[r0 + 1 :]:
            if not row[c0].strip():
                break
            for c in cols:
                out[int(header[c])][row[c0].strip()] = float(row[c])
        return out

    return read


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


#: Set (as ``.ci/run`` does) to make any skipped test fail the run: in CI the source files
#: and the browser are there, so a skip means a check silently did not run.
NO_SKIPS_ENV = "CRITMIN_NO_SKIPS"


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # noqa: ANN001, ARG001
    """One line per skip reason (not one per test), and the CI rule that skips fail."""
    skipped = terminalreporter.stats.get("skipped", [])
    if not skipped:
        return
    reasons = Counter(
        (rep.longrepr[2] if isinstance(rep.longrepr, tuple) else str(rep.longrepr)).removeprefix(
            "Skipped: "
        )
        for rep in skipped
    )
    terminalreporter.section("skipped tests, by reason")
    for reason, n in reasons.most_common():
        terminalreporter.line(f"{n:5d} skipped: {reason}")
    if os.environ.get(NO_SKIPS_ENV):
        terminalreporter.line(
            f"{NO_SKIPS_ENV} is set (CI): {len(skipped)} skipped tests fail this run; "
            "install what the reasons above name (../shared/data, Debian chromium)",
            red=True,
        )


def pytest_sessionfinish(session, exitstatus):  # noqa: ANN001, ARG001
    """With ``CRITMIN_NO_SKIPS`` set, a run with skipped tests exits non-zero."""
    if not os.environ.get(NO_SKIPS_ENV):
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None and reporter.stats.get("skipped") and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
