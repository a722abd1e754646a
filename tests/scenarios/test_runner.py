"""Running presets on the dataset: invariants, save/load, mitigations, sectors, charts."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from critmin.errors import ScenarioError
from critmin.scenarios.data import build_network
from critmin.scenarios.runner import (
    TABLES,
    list_saved,
    load,
    rank_scenario,
    run_scenario,
    save,
    scenarios_dir,
    sector_shares_from_data,
)
from critmin.store import get_store

RESPONSES = {  # arbitrary test settings, not estimates
    "spare_capacity": {"default": {"uniform": [0.0, 0.3]}, "ramp_up_years": 0},
    "stockpile_days": {"default": {"uniform": [0, 90]}},
    "demand_elasticity": {"default": 0.1},
}


@pytest.fixture(scope="module")
def ree():
    return run_scenario("china_ree_2025", n_draws=300)


def _imports_from(year: int, exporter: str, codes: list[str]) -> pd.DataFrame:
    marks = ", ".join("?" * len(codes))
    return get_store().query(
        "SELECT importer_iso3, hs6 AS commodity_id, sum(quantity_t) AS q FROM trade "
        f"WHERE year = ? AND exporter_iso3 = ? AND hs6 IN ({marks}) AND quantity_t IS NOT NULL "
        "GROUP BY ALL",
        [year, exporter, *codes],
    )


def test_shortfall_never_exceeds_imports_from_the_shocked_country(ree):
    imp = _imports_from(2024, "CHN", ["284690", "284610", "280530"])
    t = ree.tables["shortfall"].merge(imp, on=["importer_iso3", "commodity_id"], how="left")
    assert len(t) > 100
    assert t["q"].notna().all()  # only CHN's customers lose anything
    assert (t["p95_t"] <= t["q"] * (1 + 1e-12)).all()
    assert (t["p5_t"] <= t["p50_t"]).all() and (t["p50_t"] <= t["p95_t"]).all()
    # the same with every response on (they can only lower it)
    spec = ree.spec.to_dict() | {"responses": RESPONSES}
    run = run_scenario(spec, n_draws=200)
    t2 = run.tables["shortfall"].merge(imp, on=["importer_iso3", "commodity_id"], how="left")
    assert (t2["p95_t"] <= t2["q"] * (1 + 1e-12)).all()
    assert run.result.means["shortfall"].sum() < ree.result.means["shortfall"].sum()


def test_zero_cut_gives_zero_shortfall():
    run = run_scenario("china_ree_2025", n_draws=50, params={"cut": 0})
    assert run.tables["shortfall"].empty
    assert run.tables["fills"].empty
    assert all(np.all(v == 0) for v in run.result.means.values())


def test_outside_group_spares_the_group():
    run = run_scenario("china_ree_outside_group", n_draws=20, params={"group": "QUAD"})
    losers = set(run.tables["shortfall"]["importer_iso3"])
    assert not losers & {"AUS", "IND", "JPN", "USA"}
    assert "DEU" in losers
    # a halt: the shortfall is the whole base-year flow from China
    imp = _imports_from(2024, "CHN", ["284690"]).set_index("importer_iso3")["q"]
    deu = run.tables["shortfall"].query("importer_iso3 == 'DEU' and commodity_id == '284690'")
    assert np.allclose(deu["p50_t"], imp["DEU"])


def test_who_fills_adds_up_to_the_loss():
    spec = {**run_scenario("china_ree_2025", n_draws=10).spec.to_dict(), "responses": RESPONSES}
    run = run_scenario(spec, n_draws=200)
    res, net = run.result, run.network
    j, k = net.country_index["USA"], net.commodity_index["284690"]
    table = run.who_fills("USA", "284690")
    np.testing.assert_allclose(table.sum(axis=0).to_numpy(), res.means["lost"][:, j, k], rtol=1e-9)
    partners = [s for s in table.index if len(s) == 3 and s.isupper()]
    assert partners and "shortfall" in table.index
    # the flows table: shocked = base - cut + redirected, and the cut is China's
    fl = run.tables["flows"].query("importer_iso3 == 'USA' and commodity_id == '284690'")
    assert np.allclose(fl["shocked_t"], fl["base_t"] - fl["cut_mean_t"] + fl["redirected_mean_t"])
    assert set(fl.loc[fl["cut_mean_t"] > 0, "exporter_iso3"]) == {"CHN"}
    with pytest.raises(ScenarioError, match="no lost supply of 284690 for ISL"):
        run.who_fills("ISL", "284690")


def test_save_load_round_trip(ree):
    path = save(ree, "ree-test")
    assert path == scenarios_dir() / "ree-test"
    assert {p.name for p in path.iterdir()} == {"spec.yaml", "metadata.json"} | {
        f"{t}.parquet" for t in TABLES
    }
    again = load("ree-test")
    assert again.spec.to_dict() == ree.spec.to_dict()
    for name in TABLES:
        pd.testing.assert_frame_equal(again.tables[name], ree.tables[name], check_dtype=False)
    assert again.metadata["preset"]["source"]["line"] == 15
    assert again.metadata["seed"] == ree.spec.seed
    assert again.summary("IND").equals(ree.summary("IND"))
    assert list(list_saved()["name"]) == ["ree-test"]
    json.loads((path / "metadata.json").read_text())
    with pytest.raises(ScenarioError, match="exists"):
        save(ree, "ree-test")
    save(ree, "ree-test", overwrite=True)
    with pytest.raises(ScenarioError, match="saved runs: ree-test"):
        load("ree-tset")
    with pytest.raises(ScenarioError, match="run name"):
        save(ree, "../escape")


def test_mitigations_ranked_by_reduction():
    ranked = rank_scenario(
        "china_ree_2025",
        "IND",
        partner_expansion=0.3,
        ramp_up_years=0,
        stockpile_days=[30, 180],
        n_draws=100,
    )
    assert ranked.loc[0, "mitigation"] == "baseline"
    red = ranked["reduction_t"].to_numpy()[1:]
    assert np.all(np.diff(red) <= 0)
    assert np.all(red >= -1e-9)  # a mitigation never raises the shortfall
    days = ranked.set_index("mitigation")["reduction_t"]
    assert days["stockpile IND 180 d"] >= days["stockpile IND 30 d"]
    assert ranked["kind"].str.contains("partner_expansion").sum() == 5
    with pytest.raises(ScenarioError, match="no default size"):
        rank_scenario("china_ree_2025", "IND")


def test_sector_shares_from_iea_numbers():
    shares = sector_shares_from_data()
    assert (shares.groupby("commodity_id")["share"].sum() <= 1 + 1e-9).all()
    dem = (
        get_store()
        .query(
            "SELECT sector_or_technology AS s, value FROM demand WHERE mineral = 'Lithium' AND "
            "scenario = 'Base year' AND sheet = '1 Total demand for key minerals'"
        )
        .set_index("s")["value"]
    )
    li = shares[(shares["commodity_id"] == "283691")].set_index("sector")["share"]
    assert li["electric vehicles"] == pytest.approx(dem["Electric vehicles"] / dem["Total demand"])
    assert "other uses" not in li.index  # the rest stays unallocated
    assert not shares["commodity_id"].isin(["284690", "280530"]).any()  # no REE numbers
    even = sector_shares_from_data(assume_even_split=True)
    ree = even[even["commodity_id"] == "284690"]
    assert len(ree) and ree["basis"].str.startswith("assumption: even split").all()
    assert ree["share"].sum() == pytest.approx(1.0)


def test_sector_table_and_progress():
    calls = []
    run = run_scenario(
        "drc_cobalt_quota_2025",
        n_draws=1100,
        progress=lambda stage, done, total: calls.append((stage, done, total)),
    )
    sim = [c for c in calls if c[0] == "simulate"]
    assert sim and sim[-1][1] == sim[-1][2] == 3  # 1 block x 3 chunks of 512
    assert calls[0][0] == "network" and calls[-1] == ("summarise", 1, 1)
    sec = run.tables["sectors"]
    assert {"batteries and EVs", "other/unallocated"} <= set(sec["sector"])  # seed sector names
    one = sec.query("importer_iso3 == 'CHN' and commodity_id == '810510' and year == 2025")
    total = (
        run.tables["shortfall"]
        .query("importer_iso3 == 'CHN' and commodity_id == '810510' and year == 2025")["p50_t"]
        .iloc[0]
    )
    assert one["p50_t"].sum() == pytest.approx(total)


def test_recycling_table_lowers_the_shortfall(ree):
    rec = pd.DataFrame(
        {
            "year": ree.spec.years,
            "country_iso3": "USA",
            "commodity_id": "284690",
            "quantity_t": 500.0,
        }
    )
    run = run_scenario("china_ree_2025", n_draws=300, recycling=rec)
    a = ree.tables["shortfall"].query("importer_iso3 == 'USA' and commodity_id == '284690'")
    b = run.tables["shortfall"].query("importer_iso3 == 'USA' and commodity_id == '284690'")
    assert np.all(b["mean_t"].to_numpy() < a["mean_t"].to_numpy())
    fills = run.who_fills("USA", "284690")
    # mean over draws of min(gap, 500 t): below 500 t only in draws with a small cut
    assert 450.0 < fills.loc["recycling"].max() <= 500.0


def test_bad_inputs_give_field_path_and_fix(tmp_path):
    with pytest.raises(ScenarioError) as err:
        run_scenario("china_ree")
    assert "china_ree_2025" in str(err.value) and "indonesia_nickel_ore_2020" in str(err.value)
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "base_year: 2024\nhorizon: {start: 2025, end: 2026}\nshocks:\n"
        "  - {country: CHN, commodities: ['284690'], cut: 1.5, start_year: 2025, duration: 1}\n"
        "respones: {}\n"
    )
    with pytest.raises(ScenarioError) as err:
        run_scenario(bad)
    msg = str(err.value)
    assert "shocks[0].cut: outside [0, 1] (got 1.5). Fix:" in msg
    assert "unknown field 'respones'" in msg and "did you mean 'responses'" in msg
    ok = tmp_path / "ok.yaml"
    ok.write_text(
        "base_year: 2024\nhorizon: {start: 2025, end: 2026}\nshocks:\n"
        "  - {country: CHN, commodities: ['999999'], cut: 1, start_year: 2025, duration: 1}\n"
    )
    with pytest.raises(ScenarioError, match=r"shocks\[0\]\.commodities\[0\]: '999999'"):
        run_scenario(ok)
    with pytest.raises(ScenarioError, match="not found|unknown scenario file"):
        run_scenario(tmp_path / "missing.yaml")


def test_charts_from_a_loaded_run(ree, tmp_path):
    from critmin.report.scenario_charts import fan_chart, flows_sankey, write_scenario_charts

    save(ree, "charts")
    run = load("charts")
    fig = fan_chart(run.tables["shortfall"], "IND", "280530", years=run.spec.years)
    p50 = ree.tables["shortfall"].query("importer_iso3 == 'IND' and commodity_id == '280530'")
    assert list(fig.data[2].y) == list(p50["p50_t"])
    sk = flows_sankey(run.tables["flows"], "IND", "280530")
    assert sk.data[0].type == "sankey"
    html = write_scenario_charts(
        tmp_path / "c.html", run.tables["shortfall"], run.tables["flows"], "IND"
    )
    text = html.read_text()
    assert "plotly" in text and text.count("<div") >= 2
    png = write_scenario_charts(
        tmp_path / "c.png", run.tables["shortfall"], run.tables["flows"], "IND"
    )
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_base_year_override_builds_that_network():
    run = run_scenario("china_antimony_2024", n_draws=20, base_year=2022)
    assert run.metadata["base_year"] == 2022 == run.network.year
    assert run.network is build_network(2022)  # cached, immutable
