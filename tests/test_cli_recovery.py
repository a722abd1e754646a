"""``critmin recovery``: errors that say what to supply, 80-column tables, charts, save/show.

Parameters come from ``tests/fixtures/recovery/test_parameters.csv`` (made-up values,
labelled as test values in their ``source`` column).
"""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from critmin.circular.api import recovery_analysis
from critmin.circular.inflows import IEA_ROUTES
from critmin.cli import app
from critmin.cli import recovery as recovery_cli
from critmin.cli._render import fmt_num


@pytest.fixture(autouse=True)
def _registered():
    """Register the sub-app as cli/__init__.py does (no-op once it is registered there)."""
    if not any(g.name == "recovery" for g in app.registered_groups):
        app.add_typer(recovery_cli.app, name="recovery")


@pytest.fixture(scope="module")
def params(fixtures):
    return fixtures / "recovery" / "test_parameters.csv"


def widest(text):
    return max((len(line) for line in text.splitlines()), default=0)


def test_without_params_runs_on_the_shipped_defaults(capsys, monkeypatch, cli_run):
    code, out, err = cli_run("recovery", "run", "--draws", "50", columns=100)
    assert code == 0 and "Traceback" not in err
    assert widest(out) <= 100
    for word in ("P5", "P50", "P95", "India", "United States", "Left out"):
        assert word in out
    for element in ("Li", "Co", "Ni", "Mn", "graphite", "Nd", "Pr", "Dy", "Tb", "Cu"):
        assert f"\n{element} " in out
    assert "Left out: nothing" in out  # every IEA product and route has a sourced default


def test_default_table_is_readable_at_80_columns(capsys, monkeypatch, cli_run):
    code, out, _ = cli_run("recovery", "run", "--draws", "50", columns=80)
    assert code == 0 and widest(out) <= 80
    table = out.split("Mass balance")[0]
    assert "…" not in table and "e-0" not in table  # no cut cells, no exponents
    rows = {line.split()[0]: line.split() for line in table.splitlines() if line[:1].isalpha()}
    assert rows["graphite"][1] in ("kg", "t", "kt", "Mt")  # element names whole, a unit each
    assert rows["Nd"][1] in ("kg", "t")  # small flows in small units, not 7e-05 kt


def test_default_run_csv_is_ordered_p5_p50_p95(capsys, monkeypatch, cli_run):
    code, out, _ = cli_run("recovery", "run", "--draws", "50", "-f", "csv")
    assert code == 0
    df = pd.read_csv(io.StringIO(out))
    assert (df["p5_cum_t"] <= df["p50_cum_t"]).all() and (df["p50_cum_t"] <= df["p95_cum_t"]).all()
    assert (df["p95_cum_t"] <= df["eol_cum_t"] * (1 + 1e-12)).all()  # recovered <= end of life


def test_defaults_command_lists_rows_and_unsourced_rows(capsys, monkeypatch, cli_run):
    code, out, _ = cli_run("recovery", "defaults", "--unsourced", columns=100)
    assert code == 0 and "No unsourced rows" in out
    code, out, _ = cli_run("recovery", "defaults", columns=80)
    assert code == 0 and widest(out) <= 80 and "…" not in out
    assert "hydrogen_equipment_recycling" in out and "18.4 yr" in out and "[1] " in out
    code, out, _ = cli_run("recovery", "defaults", "-f", "csv")
    df = pd.read_csv(io.StringIO(out))
    assert {"source_title", "organisation", "year", "low", "high"} <= set(df.columns)


def test_with_params_only_the_old_path_lists_what_is_missing(
    capsys, monkeypatch, tmp_path, cli_run
):
    path = tmp_path / "empty.csv"
    code, _, _ = cli_run("recovery", "template", str(path), "--empty")
    assert code == 0
    code, out, err = cli_run("recovery", "run", "--params", str(path), "--no-defaults")
    assert code == 1 and out == "" and err.count("error:") == 1
    for word in ("lifetime", "collection_rate", "recovery_efficiency"):
        assert word in err
    for product in IEA_ROUTES:
        assert product in err


def test_template_then_run_works_out_of_the_box(capsys, monkeypatch, tmp_path, cli_run):
    path = tmp_path / "params.csv"
    code, out, _ = cli_run("recovery", "template", str(path))
    assert code == 0 and path.is_file() and widest(out) <= 80
    t = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert set(t.loc[t["parameter"] == "collection_rate", "product"]) == set(IEA_ROUTES)
    assert (t["value"] != "").all() and (t["source"] != "").all()  # pre-filled, with sources
    code, _, err = cli_run("recovery", "template", str(path))
    assert code == 1 and "--force" in err
    code, out, err = cli_run("recovery", "run", "--params", str(path))
    assert code == 0, err
    assert "Recovery, World, IEA STEPS" in out and widest(out) <= 80
    # a blank template: every row comes from the defaults, and the run says so
    code, _, _ = cli_run("recovery", "template", str(path), "--empty", "--force")
    assert code == 0 and (pd.read_csv(path, dtype=str, keep_default_na=False)["value"] == "").all()
    code, out, err = cli_run("recovery", "run", "--params", str(path))
    assert code == 0, err
    assert "came from the defaults" in " ".join(out.split())
    # --with-defaults: blank rows no longer wipe the sourced defaults
    code, out, err = cli_run(
        "recovery",
        "run",
        "--params",
        str(path),
        "--with-defaults",
        "--draws",
        "20",
    )
    assert code == 0 and "no sourced value" not in out + err and "P50" in out
    code, out, err = cli_run("recovery", "run", "--params", str(path), "--no-defaults")
    assert code == 1 and f"the parameter file {path}" in err and "collection_rate" in err


def test_a_bad_parameter_file_is_one_error(capsys, monkeypatch, tmp_path, cli_run):
    path = tmp_path / "bad.csv"
    path.write_text(
        "parameter,product,element,process,value,unit,distribution,source\n"
        "collection_rate,ev_battery,,,0.3,1,,made-up test value\n"
        "collection_rate,e_scooter,,,0.5,1,,made-up test value\n"
        "recovery_efficiency,,Co,battery_recycling,ninety,1,,made-up test value\n"
    )
    code, out, err = cli_run("recovery", "run", "--params", str(path))
    assert code == 1 and out == "" and err.count("error:") == 1
    assert "bad.csv line 3, column 'product'" in err and "e_scooter" in err
    assert "bad.csv line 4, column 'value'" in err and "'ninety'" in err and "fix:" in err
    code, _, _ = cli_run("recovery", "template", str(path), "--inflows", "products", "--force")
    assert code == 0 and "content" in set(pd.read_csv(path)["parameter"])


def test_run_table_fits_80_columns_and_shows_the_api_numbers(capsys, monkeypatch, params, cli_run):
    code, out, err = cli_run("recovery", "run", "--params", str(params))
    assert code == 0, err
    assert widest(out) <= 80
    assert "Recovery, World, IEA STEPS, Base case, 2023-2050" in out
    assert "Mass balance: holds" in out
    s = recovery_analysis(params).summary().set_index("element")
    lines = {line.split()[0]: line for line in out.splitlines() if line.strip()}
    for e in ("Li", "Co", "Ni", "Mn", "graphite", "Nd", "Pr", "Dy", "Tb", "Cu"):
        assert fmt_num(s.at[e, "recovered_last"] / 1e3) in lines[e]
        assert fmt_num(s.at[e, "eol_cum"] / 1e3) in lines[e]
    assert f"{100 * s.at['Li', 'share_last']:.1f}%" in lines["Li"]


def test_run_csv_equals_the_api(capsys, monkeypatch, params, cli_run):
    code, out, _ = cli_run("recovery", "run", "-p", str(params), "--scenario", "NZE",
        "--years", "2030:2040", "--format", "csv",
    )  # fmt: skip
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    s = recovery_analysis(params, scenario="NZE", years=range(2030, 2041)).summary()
    assert [r["element"] for r in rows] == s["element"].tolist()
    assert float(rows[0]["recovered_cum"]) == pytest.approx(s["recovered_cum"].iloc[0], rel=1e-9)


def test_charts_save_show_and_list(capsys, monkeypatch, params, tmp_path, cli_run):
    html, png = tmp_path / "r.html", tmp_path / "r.png"
    code, out, err = cli_run("recovery", "run", "-p", str(params),
        "--collection", "0.25,0.5,1", "--recovery", "0.5:1:2",
        "--chart", str(html), "--save", "steps",
    )  # fmt: skip
    assert code == 0, err
    assert html.stat().st_size > 1_000_000 and "Charts written" in out and widest(out) <= 80
    first = out.split("Charts written")[0]
    code, out2, err = cli_run("recovery", "show", "steps", "--chart", str(png))
    assert code == 0, err
    assert png.read_bytes()[:4] == b"\x89PNG" and png.stat().st_size > 10_000
    assert out2.split("Charts written")[0] == first  # same table and mass-balance line
    code, out3, _ = cli_run("recovery", "list")
    assert code == 0 and "steps" in out3 and widest(out3) <= 80


def test_show_rechecks_the_mass_balance(capsys, monkeypatch, params, cli_run):
    from critmin.circular.api import recovery_dir

    code, _, err = cli_run("recovery", "run", "-p", str(params), "--save", "t")
    assert code == 0, err
    path = recovery_dir("t") / "result.parquet"
    long = pd.read_parquet(path)
    rec = long["variable"] == "recovered"
    long.loc[rec, "value"] *= 3
    long.to_parquet(path, index=False)
    code, out, err = cli_run("recovery", "show", "t")
    assert code == 0 and "Mass balance: VIOLATED" in out and "collected_split" in out
    assert widest(out) <= 80
    code, out, err = cli_run("recovery", "show", "t", "--strict")
    assert code == 1 and "mass balance violated" in err and "Traceback" not in err


def test_bad_options_are_one_line_errors(capsys, monkeypatch, params, cli_run):
    code, _, err = cli_run("recovery", "run", "-p", str(params), "--region", "IN")
    assert code == 1 and "World" in err and "Traceback" not in err
    code, _, err = cli_run("recovery", "run", "-p", str(params), "--years", "x")
    assert code == 1 and "FIRST:LAST" in err
    code, _, err = cli_run("recovery", "run", "-p", str(params), "--collection", "0.5")
    assert code == 1 and "both" in err
    code, _, err = cli_run("recovery", "show", "nothing")
    assert code == 1 and "no saved recovery run" in err
