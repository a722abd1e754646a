"""``critmin risk``: readable in 80 columns, csv/json carry everything, errors on stderr."""

from __future__ import annotations

import csv
import io
import json
import struct

import pytest

from critmin.assessments.risk import risk, risk_years
from critmin.cli import app
from critmin.cli import risk as risk_cli

if not any(c.name == "risk" for c in app.registered_commands):
    risk_cli.register(app)  # until the lead registers the command in critmin.cli


def widest(text: str) -> int:
    return max((len(line) for line in text.splitlines()), default=0)


@pytest.mark.parametrize(
    "args",
    [
        ("--country", "IND"),
        ("--country", "USA", "--top", "30"),
        ("--group", "MSP"),
        ("--group", "QUAD", "--year", "2020", "--stage", "mine", "--top", "5"),
        ("--country", "India", "--stage", "refinery"),
    ],
)
def test_table_fits_80_columns(capsys, monkeypatch, args, cli_run):
    code, out, err = cli_run("risk", *args)
    assert code == 0, err
    assert widest(out) <= 80
    assert "score" in out and "driver" in out
    assert "lists: U = US 2025, E = EU 2023, I = India 2023" in " ".join(out.split())


def test_table_shows_the_ranking_and_driver(capsys, monkeypatch, cli_run):
    df = risk(country="IND")
    code, out, _ = cli_run("risk", "--country", "IND", "--top", "5")
    assert code == 0
    first = df.iloc[0]
    line = next(ln for ln in out.splitlines() if ln.strip().startswith("1 "))
    assert first["mineral"][:10] in line
    assert first["driver"][:15] in line
    assert f"Supply risk, India, {risk_years()[-1]}" in out
    assert f"{len(df) - 5} more with --top {len(df)}" in " ".join(out.split())


def test_csv_and_json_have_everything(capsys, monkeypatch, cli_run):
    df = risk(country="USA")
    code, out, _ = cli_run("risk", "--country", "USA", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == len(df)
    cols = set(rows[0])
    for c in (
        "rank",
        "commodity_id",
        "mineral",
        "score",
        "driver",
        "mine_top1_share",
        "mine_hhi",
        "refinery_hhi",
        "wgi_hhi",
        "import_reliance",
        "geopolrisk",
        "on_us_2025",
        "export_control_countries",
        "concentration_source",
        "reliance_source",
        "geopolrisk_source",
    ):
        assert c in cols, c
    code, out, _ = cli_run("risk", "--country", "USA", "--format", "json")
    recs = json.loads(out)
    assert [r["commodity_id"] for r in recs] == df["commodity_id"].tolist()


def test_sensitivity(capsys, monkeypatch, cli_run):
    code, out, err = cli_run("risk", "--country", "IND", "--sensitivity")
    assert code == 0, err
    assert widest(out) <= 80
    assert "Spearman rank correlation" in out and "by import_reliance" in out
    assert "range" in out
    code, out, _ = cli_run("risk", "--group", "TRUST", "--sensitivity", "--format", "json")
    data = json.loads(out)
    assert set(data) == {"spearman", "ranks"}
    assert data["spearman"]["score"]["score"] == pytest.approx(1.0)


@pytest.mark.parametrize("name", ["out.png", "out.html"])
def test_chart_written(capsys, monkeypatch, tmp_path, name, cli_run):
    path = tmp_path / name
    code, out, err = cli_run("risk", "--country", "IND", "--chart", str(path))
    assert code == 0, err
    assert path.stat().st_size > 10_000
    assert f"wrote {path}" in err
    if name.endswith(".png"):
        assert struct.unpack(">II", path.read_bytes()[16:24]) == (1000, 700)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--country", "Narnia"), "unknown country 'Narnia'"),
        (("--group", "NATO"), "unknown country group 'NATO'"),
        (("--country", "IND", "--year", "1990"), "no data for year 1990"),
        (("--country", "IND", "--stage", "smelter"), "stage must be 'mine' or 'refinery'"),
        ((), "give exactly one of country"),
        (("--country", "IND", "--group", "MSP"), "give exactly one of country"),
        (("--country", "IND", "--chart", "x.pdf"), "--chart must name a .png or .html file"),
        (("--country", "IND", "--top", "0"), "--top must be at least 1"),
    ],
)
def test_errors_go_to_stderr_with_exit_1(capsys, monkeypatch, args, message, cli_run):
    code, out, err = cli_run("risk", *args)
    assert code == 1
    assert out == ""
    assert message in err
    if "1990" in message:
        assert str(risk_years()) in err
