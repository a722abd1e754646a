"""EU CRM supply risk for India and the US from the dataset; reproduction of the EU 2023 table.

Expected values are read at test time from the shared methods folder (EU 2023 results and trade
parameters) and from the store; none is typed here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from critmin import catalog
from critmin.assessments.eu_crm import (
    eu_2023_results,
    eu_crm_supply_risk,
    reproduce_eu_2023,
    trade_parameters,
)
from critmin.assessments.geopolrisk import available_years
from critmin.criticality import supply_risk
from critmin.errors import DataError, NoData, UnknownCountry
from critmin.metrics import eu_wgi_scaled, wgi_weighted_hhi
from critmin.settings import settings_context
from critmin.store import get_store

EU_SPECIFIC = ("import reliance", "EOL_RIR", "SI_SR", "sourcing shares", "t global supply")


@pytest.fixture(scope="module")
def india(shared_methods):
    return eu_crm_supply_risk("IND")


@pytest.fixture(scope="module")
def eu_table(shared_methods) -> pd.DataFrame:
    return pd.read_csv(
        shared_methods / "validation" / "eu_crm_2023_results.csv", dtype=str, keep_default_na=False
    )


def test_india_inputs_table_has_a_source_for_every_input(india):
    res, inp = india.results, india.inputs
    assert len(res) > 20
    assert set(inp.columns) == {
        "commodity_id",
        "material",
        "input",
        "value",
        "detail",
        "source",
        "substitution",
    }
    assert (inp["source"].str.strip().str.len() > 0).all()
    for cid, rows in inp.groupby("commodity_id"):
        names = set(rows["input"])
        assert {"global supply shares", "WGI scaled", "EOL_RIR", "SI_SR", "SR"} <= names, cid
        kind = res.set_index("commodity_id").loc[cid, "sourcing"]
        if kind == "GS+country":
            assert {"sourcing shares", "import reliance", "HHI_WGI,t sourcing"} <= names, cid
    # every input that stands in for an EU one says so
    subst = inp[inp["input"].isin(EU_SPECIFIC)]
    assert (subst["substitution"].str.len() > 0).all()


def test_sr_is_the_eu_formula_of_its_inputs(india):
    r = india.results.dropna(subset=["sr"])
    both = r[r["sourcing"] == "GS+country"]
    sr = supply_risk(
        both["hhi_gs"],
        both["hhi_sourcing"],
        both["import_reliance"],
        both["eol_rir"],
        both["si_sr"],
    )
    np.testing.assert_allclose(sr, both["sr"], rtol=1e-12)
    gs = r[r["sourcing"] == "GSonly"]
    np.testing.assert_allclose(gs["hhi_gs"] * (1 - gs["eol_rir"]) * gs["si_sr"], gs["sr"])
    assert r["import_reliance"].dropna().between(0, 1).all()
    assert (r["sr"] >= 0).all()
    assert (r["sr_at_least_1"] == (r["sr"] >= 1)).all()


def test_eol_rir_and_si_sr_are_the_eu_2023_values(india, eu_table):
    t = eu_table.assign(cid=catalog.commodity_id_for(eu_table["material"], source="eu_2023"))
    t = t.set_index("cid")
    for _, row in india.results.iterrows():
        pub = t.loc[row["commodity_id"]]
        if pub["SI_SR"]:
            assert row["si_sr"] == float(pub["SI_SR"])
        if pub["EOL_RIR_pct"]:
            assert row["eol_rir"] == pytest.approx(float(pub["EOL_RIR_pct"]) / 100)


def test_global_hhi_recomputed_from_the_store_for_nickel(india, shared_methods):
    y = available_years()[-1]
    s = get_store()
    prod = s.query(
        "SELECT country_iso3, value FROM observations WHERE dataset = 'wmd' AND "
        "commodity_id = 'nickel' AND year = ? AND country_iso3 <> 'WLD'",
        [y],
    ).set_index("country_iso3")["value"]
    g = s.query("SELECT country_iso3, year, indicator, estimate FROM governance")
    wy = max(int(v) for v in g["year"].unique() if int(v) <= y)
    wide = g[g["year"] == wy].pivot_table(
        index="country_iso3", columns="indicator", values="estimate"
    )
    wgi = eu_wgi_scaled(wide[["cc", "ge", "pv", "rl", "rq", "va"]].mean(axis=1).dropna())
    tp = trade_parameters(shared_methods / "validation" / "eu_crm_2023_trade_parameters_t.csv")
    t = tp[
        (tp["commodity_id"] == "nickel")
        & (tp["stage"] == "extraction")
        & (tp["scope"] == "global_supply")
    ].set_index("country_iso3")["t"]
    shares = prod[prod > 0] / prod.sum()
    want = wgi_weighted_hhi(shares, wgi.reindex(shares.index).fillna(0.0), t)
    got = india.results.set_index("commodity_id").loc["nickel"]
    assert got["stage"] == "Extraction"
    assert got["hhi_gs"] == pytest.approx(want, rel=1e-12)
    assert got["top_producer"] == shares.idxmax()


def test_united_states_too(shared_methods):
    a = eu_crm_supply_risk("United States", materials=["lithium", "cobalt", "gallium"])
    r = a.results.set_index("commodity_id")
    assert set(r.index) == {"lithium", "cobalt", "gallium"}
    assert r.loc["gallium", "sourcing"] == "GSonly"  # no HS code: sourcing unknown
    assert r["sr"].notna().all()
    assert (a.inputs["source"].str.len() > 0).all()


def test_reproduce_eu_2023_table(eu_table):
    rep = reproduce_eu_2023()
    assert len(rep) == len(eu_table) == 90
    assert set(rep.loc[~rep["sr_reproduced"], "material"]) == {"LREE", "Praseodymium"}
    assert rep["rule_reproduced"].all()
    assert int(rep["critical"].sum()) == int(
        (eu_table["meets_thresholds_SR>=1_EI>=2.8"] == "yes").sum()
    )
    listed = rep.dropna(subset=["list_reproduced"])
    assert set(listed.loc[~listed["list_reproduced"].astype(bool), "material"]) == {
        "Copper",
        "Nickel",
    }
    assert (rep.loc[~rep["sr_reproduced"], "reason"].str.len() > 0).all()


def test_eu_tables_absent_require_a_path(tmp_path):
    with pytest.raises(DataError, match="pass its path with eu_results="):
        eu_2023_results(tmp_path / "nope.csv")
    with settings_context(source_dir=tmp_path / "data"):
        with pytest.raises(DataError, match="eu_crm_2023_results.csv not found"):
            eu_crm_supply_risk("IND", materials="nickel")


def test_bad_inputs(shared_methods):
    with pytest.raises(UnknownCountry, match="unknown country 'Narnia'"):
        eu_crm_supply_risk("Narnia")
    with pytest.raises(NoData) as e:
        eu_crm_supply_risk("IND", year=1990)
    assert str(available_years()) in str(e.value)
    with pytest.raises(NoData, match="not in the EU CRM 2023 table"):
        eu_crm_supply_risk("IND", materials="uranium")
