"""``critmin serve`` and ``critmin brief`` (registered on a Typer app as the lead will), and the brief."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from critmin.errors import CritminError, UnknownCommodity
from critmin.report.brief import build_brief, write_brief


@pytest.fixture
def cli():
    from critmin.cli import brief, serve

    app = typer.Typer()
    serve.register(app)
    brief.register(app)
    return app


def test_serve_starts_uvicorn_with_the_app(cli, monkeypatch):
    import uvicorn

    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append((app, kw)))
    r = CliRunner().invoke(cli, ["serve", "--host", "127.0.0.1", "--port", "8123"])
    assert r.exit_code == 0, r.output
    app, kw = calls[0]
    assert kw["host"] == "127.0.0.1" and kw["port"] == 8123
    assert app.openapi_url == "/api/v1/openapi.json"
    assert "/api/v1" in CliRunner().invoke(cli, ["serve", "--help"]).output


def test_brief_html_names_every_source(cli, tmp_path):
    out = tmp_path / "brief.html"
    r = CliRunner().invoke(cli, ["brief", "lithium", "--country", "IND", "-o", str(out)])
    assert r.exit_code == 0, r.output
    page = out.read_text(encoding="utf-8")
    assert "Lithium: supply brief for India" in page
    assert "290,000 t lithium content" in page  # USGS MCS 2026 world mine production 2025
    for src in (
        "usgs_mcs2026/MCS2026_Commodities_Data.csv",
        "MCS2026_T4_Country_Export_Control",
        "baci_hs92",
    ):
        assert src in page
    assert "PlotlyGeoAssets" in page and "world_110m" in page  # the map works offline
    assert "cdn.plot.ly/plotly" not in page and "<script src=" not in page


def test_brief_facts():
    b = build_brief("cobalt", "USA")
    heads = [h for h, _ in b.facts]
    assert any(h.startswith("Mine production") for h in heads)
    assert any(h.startswith("Supply-risk ranking for United States") for h in heads)
    assert len(b.figures) >= 3 and all(note for _, _, note in b.figures)
    with pytest.raises(UnknownCommodity):
        build_brief("cobalf")


def test_brief_pdf(tmp_path):
    if not Path("/usr/bin/chromium").is_file():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI must have /usr/bin/chromium (apt-get install -y chromium)")
        pytest.skip("/usr/bin/chromium not installed")
    out = write_brief("lithium", "IND", tmp_path / "brief.pdf")
    data = out.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 20_000
    if shutil.which("pdfinfo"):
        info = subprocess.run(
            ["pdfinfo", str(out)], capture_output=True, text=True, check=True
        ).stdout
        pages = int(next(ln for ln in info.splitlines() if ln.startswith("Pages:")).split()[1])
        assert 2 <= pages <= 4


def test_pdf_without_chromium_names_the_package(tmp_path, monkeypatch):
    monkeypatch.setenv("CRITMIN_CHROMIUM", str(tmp_path / "no-chromium"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(CritminError, match="apt-get install chromium") as e:
        write_brief("lithium", "IND", tmp_path / "b.pdf")
    assert "-o brief.html" in str(e.value) and "\n" not in str(e.value)
    with pytest.raises(CritminError, match=r"\.html or \.pdf"):
        write_brief("lithium", "IND", tmp_path / "b.docx")


def test_cli_pdf_without_a_browser_is_one_line_with_the_fix(tmp_path):
    """A fresh machine without Chromium: exit 1, one line naming the install step, no traceback."""
    import sys

    exe = Path(sys.executable).parent / "critmin"
    env = {**os.environ, "CRITMIN_CHROMIUM": str(tmp_path / "none"), "PATH": str(tmp_path)}
    env["CRITMIN_HOME"] = str(tmp_path / "home")
    r = subprocess.run(
        [str(exe), "brief", "lithium", "-o", str(tmp_path / "b.pdf")],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=300,
    )
    assert r.returncode == 1
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, r.stderr
    assert "apt-get install chromium" in lines[0] and "-o brief.html" in lines[0]
    assert "Traceback" not in r.stderr + r.stdout
    assert not (tmp_path / "b.pdf").exists()


_BAD_YEAR = r"\b(?:1[89]|20)\d{2}\.0\b|\b[12],\d{3}\b"


def test_brief_years_print_as_plain_numbers(tmp_path):
    """Years in fact headings, the sources table and chart axes: 2024, never 2,024 or 2024.0."""
    import re

    from critmin.report.brief import render_html

    b = build_brief("lithium", "IND")
    for head, _ in b.facts:
        assert not re.search(_BAD_YEAR, head), head
    for title, fig, _ in b.figures:
        assert not re.search(_BAD_YEAR, title), title
        if "Concentration" in title:
            assert fig.layout.xaxis.tickformat == "d" and fig.layout.xaxis.hoverformat == "d"
    page = render_html(b)
    table = page[page.index("<h2>Sources</h2>") :]
    cells = re.findall(r"<td>([^<]*)</td></tr>", table)  # the 'data years' column
    assert cells and all(re.fullmatch(r"(\d{4}(-\d{4})?)?", c) for c in cells), cells


def test_brief_pdf_years_and_layout(tmp_path):
    if not Path("/usr/bin/chromium").is_file() or not shutil.which("pdftotext"):
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI must have chromium and poppler-utils")
        pytest.skip("needs /usr/bin/chromium and pdftotext")
    import re

    out = write_brief("lithium", "IND", tmp_path / "brief.pdf")
    pages = []
    for n in range(1, 5):
        r = subprocess.run(
            ["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(out), "-"],
            capture_output=True,
            text=True,
            check=False,
        )
        if r.returncode != 0:
            break
        pages.append(r.stdout)
    text = "\n".join(pages)
    for m in re.finditer(r"(production|imports|Reserves|dependence|ranking for \w+) (\S+)", text):
        word = m.group(2).rstrip(",.;:)")
        assert re.fullmatch(r"\d{4}|\D.*", word), m.group(0)
    assert not re.search(r"\b20\d{2}\.0\b", text)
    # a section heading never ends a page alone: each page's last text line is not a heading
    for page in pages:
        lines = [ln.strip() for ln in page.splitlines() if ln.strip()]
        assert lines and lines[-1] not in ("Charts", "Sources", "Key figures"), lines[-3:]


def test_brief_map_shows_the_whole_world_with_the_largest_producer_darkest():
    """Cobalt: the DRC (largest producer) must be on the map and darkest; plotly's default
    fit to the producers once centred the view on the Pacific and cut Africa off."""
    b = build_brief("cobalt", "IND")
    fig = next(f for t, f, _ in b.figures if "share of world" in t)
    geo = fig.layout.geo
    assert geo.fitbounds is False and tuple(geo.lonaxis.range) == (-180, 180)
    ch = fig.data[0]
    z = dict(zip(ch.locations, ch.z, strict=True))
    assert max(z, key=z.get) == "COD"
    assert not ch.reversescale  # YlOrRd: high values dark


def test_brief_bloc_shares_say_a_withheld_member(shared_data):
    """U.S. lithium mine output is 'W' in MCS 2026: no bloc share with the U.S. is a bare figure."""
    import csv

    from critmin.report.brief import build_brief

    path = shared_data / "usgs_mcs2026" / "MCS2026_Commodities_Data.csv"
    with path.open(encoding="cp1252", newline="") as fh:
        us = [
            r
            for r in csv.DictReader(fh)
            if r["Commodity"] == "Lithium"
            and r["Country"] == "United States"
            and r["Section"].startswith("World Mine Production")
            and r["Statistics_detail"] == "Mine production"
        ]
    assert us and {r["Value"] for r in us} == {"W"}
    facts = dict(build_brief("lithium", "IND").facts)
    text = facts["Partner blocs' share of world mine production"]
    for g in ("TRUST", "QUAD", "MSP"):
        assert f"{g} " in text
        part = text.split(f"{g} ", 1)[1].split(";")[0]
        assert "+ USA withheld" in part, part
    assert "lower bound" in text
