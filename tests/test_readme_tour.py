"""Every command of the README's tour runs and prints a non-empty table (or writes its file).

The commands are read from README.md at test time, so a tour line that stops working, or a
new line nobody tried, fails here.  Each runs in-process through the console-script entry
point, in a fresh workspace and a temporary working directory; ``critmin serve`` runs in a
subprocess and is asked for one page.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shlex
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"

#: Commands that act rather than show: one line saying what they wrote or did is their output.
ACTIONS = (("brief",), ("data", "import"), ("data", "build"), ("recovery", "template"))

#: Files a tour line reads, written here first (made-up figures, the documented layout).
INPUTS = {
    "my_estimates.csv": "commodity,country,year,value,unit,stage\nlithium,IND,2024,1200,t,mine\n",
}


def tour_lines() -> list[str]:
    """The ``critmin ...`` lines of the README's 'A short tour' code block."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## A short tour") :]
    block = re.search(r"```bash\n(.*?)```", section, re.S)
    assert block, "README.md: no bash block under '## A short tour'"
    return [ln.strip() for ln in block.group(1).splitlines() if ln.strip().startswith("critmin ")]


def _split(line: str) -> tuple[list[str], str | None]:
    """Arguments after ``critmin`` (comment dropped) and the file of a ``> FILE`` redirect."""
    tokens = shlex.split(line, comments=True)[1:]
    if ">" in tokens:
        i = tokens.index(">")
        return tokens[:i], tokens[i + 1]
    return tokens, None


def _written_files(args: list[str]) -> list[str]:
    """Files a command writes by an option (``-o``, ``--chart``) or a positional file name."""
    out = []
    for flag in ("-o", "--output", "--chart"):
        if flag in args:
            out.append(args[args.index(flag) + 1])
    if args[:2] == ["recovery", "template"]:
        out.append(args[2])
    return out


def _needs_chromium(args: list[str]) -> bool:
    return any(a.endswith(".pdf") or a.endswith(".png") for a in args)


LINES = tour_lines()


def test_the_tour_is_there():
    assert len(LINES) >= 15
    assert any(ln.startswith("critmin serve") for ln in LINES)


@pytest.mark.parametrize("line", [ln for ln in LINES if not ln.startswith("critmin serve")])
def test_tour_line_runs_and_prints(line, tmp_path, monkeypatch, capsys, request):
    from critmin.cli import main

    args, redirect = _split(line)
    if "../shared/data" in args:  # the source folder beside the checkout (or CRITMIN_SHARED_DATA)
        args[args.index("../shared/data")] = str(request.getfixturevalue("shared_data"))
    if _needs_chromium(args) and not Path("/usr/bin/chromium").exists():
        pytest.skip("/usr/bin/chromium not installed (Debian package chromium)")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "100")
    for name, text in INPUTS.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    # a tour line may read a file an earlier line wrote (recovery run --params params.csv)
    if args[:2] == ["recovery", "run"] and "--params" in args:
        with pytest.raises(SystemExit) as done:
            main(["recovery", "template", args[args.index("--params") + 1]])
        assert not done.value.code, capsys.readouterr().err
        capsys.readouterr()
    code = 0
    try:
        main(args)
    except SystemExit as e:
        code = e.code or 0
    out, err = capsys.readouterr()
    assert code == 0, f"`{line}` exited {code}: {err[-2000:]}"
    if redirect:
        text = (tmp_path / redirect).read_text(encoding="utf-8") if not out else out
        assert len(text.splitlines()) >= 2, f"`{line}`: nothing written"
    elif any(tuple(args[: len(a)]) == a for a in ACTIONS):
        assert out.strip(), f"`{line}` said nothing"
    else:
        lines = [ln for ln in out.splitlines() if ln.strip()]
        assert len(lines) >= 3, f"`{line}` printed almost nothing:\n{out}"
        has_table = any(ch in out for ch in "┃│─━") or "," in out
        assert has_table, f"`{line}` printed no table:\n{out}"
    for name in _written_files(args):
        p = tmp_path / name
        assert p.is_file() and p.stat().st_size > 0, f"`{line}` did not write {name}"


def _free_port() -> int:
    with contextlib.closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("line", [ln for ln in LINES if ln.startswith("critmin serve")])
def test_tour_serve_answers(line, tmp_path):
    args, _ = _split(line)
    port = _free_port()
    exe = Path(sys.executable).with_name("critmin")
    cmd = [str(exe), *args, "--port", str(port), "--log-level", "warning"]
    env = {**os.environ, "CRITMIN_HOME": str(tmp_path / "home")}
    log = tmp_path / "serve.log"
    with log.open("wb") as fh:
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=fh)
    try:
        body = None
        for _ in range(150):
            try:
                url = f"http://127.0.0.1:{port}/api/v1/commodities/lithium/production"
                with urllib.request.urlopen(url, timeout=2) as r:
                    body = json.loads(r.read())
                break
            except OSError:
                if proc.poll() is not None:
                    break
                time.sleep(0.2)
        assert body, f"`{line}` did not answer: {log.read_text(errors='replace')[-2000:]}"
        rows = body.get("rows") or body.get("data") or body
        assert len(rows) > 0
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as r:
            assert b"<html" in r.read().lower()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
