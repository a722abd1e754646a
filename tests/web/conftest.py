"""Browser tests: the dashboard in a real headless Chromium (Debian's), driven by Playwright.

The server runs in a subprocess (uvicorn, a free loopback port, its own workspace).
Chromium is Debian's ``/usr/bin/chromium`` (``apt-get install -y chromium chromium-driver``);
Playwright only drives it (``executable_path``): ``playwright install`` is never needed.

The server sends its Content-Security-Policy (``script-src 'self'``, no ``unsafe-eval``), so
``wait_for_function`` gets arrow functions (``"() => ..."``): a bare expression would be
``eval``-ed in the page and refused.  A policy violation is a console error, which fails the
test.

Without ``/usr/bin/chromium`` (or the ``playwright`` package) the tests are skipped, except
in CI (``CI=true``), where they fail: CI must run them.  Screenshots go to
``artifacts/screenshots/`` (git-ignored).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

#: The test server's API key (compute jobs need it); pages open ``/?key=...`` to use it.
WEB_KEY = "web-test-key-0123456789"
CHROMIUM = Path(os.environ.get("CRITMIN_CHROMIUM", "/usr/bin/chromium"))
REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "artifacts" / "screenshots"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def _unavailable(reason: str) -> None:
    if _in_ci():
        pytest.fail(f"browser tests must run in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """Base URL of a critmin server started for these tests (stopped at the end)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    home = tmp_path_factory.mktemp("web_home")
    env = {**os.environ, "CRITMIN_HOME": str(home), "CRITMIN_API_WORKERS": "1"}
    env["CRITMIN_API_KEY"] = WEB_KEY
    log = (home / "server.log").open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "critmin.api_server.app:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited: {(home / 'server.log').read_text()[-2000:]}")
            try:
                if httpx.get(f"{base}/api/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start within 90 s")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture(scope="session")
def api(server):
    """An HTTP client on the server's API."""
    with httpx.Client(base_url=f"{server}/api/v1", timeout=120) as c:
        yield c


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium under Playwright."""
    if not CHROMIUM.is_file():
        _unavailable(f"{CHROMIUM} not found: apt-get install -y chromium chromium-driver")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install playwright)")
    pw = sync_playwright().start()
    b = pw.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
    yield b
    b.close()
    pw.stop()


@pytest.fixture
def page(browser, server):
    """A fresh page; at the end, no request left the machine and no script failed."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    pg = ctx.new_page()
    outside, errors = [], []
    pg.on(
        "request", lambda r: None if r.url.startswith((server, "data:")) else outside.append(r.url)
    )
    pg.on("pageerror", lambda e: errors.append(str(e)))

    def on_console(m):
        # an API answer the page handles (404 no data, 501 not in this build) is logged too
        if m.type == "error" and "the server responded with a status of" not in m.text:
            errors.append(m.text)

    pg.on("console", on_console)
    pg.set_default_timeout(60_000)
    yield pg
    ctx.close()
    assert outside == [], f"the page fetched from outside the server: {outside}"
    assert errors == [], f"errors in the page: {errors}"


def shot(pg, name: str) -> Path:
    """Save a full-page screenshot as a test artifact."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    pg.screenshot(path=str(path), full_page=True)
    return path
