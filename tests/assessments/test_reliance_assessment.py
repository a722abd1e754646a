"""Import reliance on the packaged dataset.

U.S.: the NIR recomputed from the salient statistics (never from the published NIR rows) is
checked against figures worked out here from the raw salient values (the USGS file in
``../shared/data`` and the dataset), and against the published NIR.  Any country: BACI sums
against direct DuckDB sums of the trade table.
"""

from __future__ import annotations

import csv

import numpy as np
import pandas as pd
import pytest

import critmin.assessments.reliance as rel
from critmin.assessments.reliance import (
    CHECKS,
    GROSS_WEIGHT_PRODUCTION,
    US_NIR_RULES,
    import_dependence,
    us_reliance,
)
from critmin.errors import NoData, UnknownCommodity, UnknownCountry
from critmin.metrics import hhi, shares
from critmin.metrics.reliance import NIR_TOLERANCE_PCT
from critmin.store import get_store


@pytest.fixture(scope="module")
def nir() -> pd.DataFrame:
    return us_reliance()


def _raw_salient(shared_data, commodity: str) -> dict[tuple[str, str], float]:
    """(Statistics_detail, year) -> value of the U.S. salient rows in the USGS MCS 2026 file."""
    out = {}
    with (shared_data / "usgs_mcs2026" / "MCS2026_Commodities_Data.csv").open(
        encoding="cp1252"
    ) as f:
        for r in csv.DictReader(f):
            if r["Commodity"] == commodity and "Salient" in r["Section"]:
                try:
                    out[(r["Statistics_detail"], r["Year"])] = float(r["Value"].replace(",", ""))
                except ValueError:
                    pass
    return out


def _row(df, cid, year, product=""):
    r = df[(df.commodity_id == cid) & (df.year == year) & (df["product"] == product)]
    assert len(r) == 1, (cid, year, product)
    return r.iloc[0]


# ---------------------------------------------------------------- against the raw values


def test_cobalt_from_the_raw_usgs_file(nir, shared_data):
    raw = _raw_salient(shared_data, "Cobalt")
    y, p = "2024", "2023"
    stocks = ("Stocks, yearend: Industry", "Stocks, yearend: LME, U.S. warehouse")
    ds = sum(raw[(s, p)] for s in stocks) - sum(raw[(s, y)] for s in stocks)
    prod = raw[("Production: Secondary", y)]
    net = raw[("Imports for consumption", y)] - raw[("Exports", y)] + ds
    expect = 100 * net / (prod + net)
    r = _row(nir, "cobalt", 2024)
    assert r.production == prod and r.stock_change == pytest.approx(ds)
    assert r.apparent_consumption == pytest.approx(prod + net)
    assert r.computed_nir_pct == pytest.approx(expect)
    published = raw[("Net import reliance as a percentage of apparent consumption", y)]
    assert r.published_nir_pct == published
    assert abs(expect - published) <= NIR_TOLERANCE_PCT and bool(r.agree)
    # and the recomputed apparent consumption is USGS's to within 1 %
    apparent = raw[("Consumption (includes secondary): Apparent", y)]
    assert r.apparent_consumption == pytest.approx(apparent, rel=0.01)


def test_copper_refined_basis_from_the_dataset(nir):
    s = get_store().query(
        "SELECT series, year, value FROM observations WHERE dataset = 'usgs_mcs2026' "
        "AND commodity_id = 'copper' AND country_iso3 = 'USA' AND year IN (2022, 2023)"
    )
    v = s.groupby(["series", "year"])["value"].first()
    stock = "Stocks, refined, held by U.S. producers, consumers, and metal exchanges, yearend"
    prod = (
        v[("Production, Refinery: Primary (from ore)", 2023)]
        + v[("Copper recovered from old (post-consumer) scrap", 2023)]
    )
    net = (
        v[("Imports for consumption: Refined", 2023)]
        - v[("Exports: Refined", 2023)]
        + v[(stock, 2022)]
        - v[(stock, 2023)]
    )
    r = _row(nir, "copper", 2023)
    assert r.computed_nir_pct == pytest.approx(100 * net / (prod + net))
    assert bool(r.agree)


def test_first_year_stock_change_uses_the_2025_edition(nir):
    prev = (
        get_store()
        .query(
            "SELECT sum(value) FROM observations WHERE dataset = 'usgs_mcs2025' "
            "AND commodity_id = 'aluminium' AND country_iso3 = 'USA' AND year = 2020 "
            "AND series IN ('Stocks_industry', 'Stocks_LME')"
        )
        .iloc[0, 0]
    )
    now = (
        get_store()
        .query(
            "SELECT sum(value) FROM observations WHERE dataset = 'usgs_mcs2026' "
            "AND commodity_id = 'aluminium' AND country_iso3 = 'USA' AND year = 2021 "
            "AND measure = 'stocks'"
        )
        .iloc[0, 0]
    )
    r = _row(nir, "aluminium", 2021)
    assert r.stock_change == pytest.approx(prev - now)
    assert "taken as 0" not in r.reason


def test_computed_from_inputs_not_from_published_rows(monkeypatch):
    """Drop every published NIR row: the computed figures must not change."""
    full = us_reliance(2024)
    real = rel._salient

    def without_nir(dataset):
        df = real(dataset)
        return df[df["measure"] != "net_import_reliance"]

    monkeypatch.setattr(rel, "_salient", without_nir)
    blind = us_reliance(2024)
    pd.testing.assert_series_equal(full["computed_nir_pct"], blind["computed_nir_pct"])
    assert (blind["published_flag"] == "NA").all() and blind["agree"].isna().all()


def test_computed_equals_the_formula_on_its_own_columns(nir):
    b = nir[nir["consumption"].isna() & (nir["computed_flag"] == "")]
    net = b.imports - b.exports + b.stock_change
    assert np.allclose(b.computed_nir_pct, 100 * net / (b.production + net))
    c = nir[nir["consumption"].notna() & (nir["computed_flag"] == "")]
    assert len(c) > 0
    assert np.allclose(c.computed_nir_pct, 100 * (c.consumption - c.production) / c.consumption)


# ---------------------------------------------------------------- conventions


def test_withheld_production_is_W_and_says_so(nir):
    r = _row(nir, "lithium", 2024)
    assert np.isnan(r.computed_nir_pct) and r.computed_flag == "W"
    assert r.published_flag == ">50" and not bool(r.agree)
    assert "withheld" in r.reason and r.check == "cannot compute (withheld or missing input)"


def test_net_exporter_is_E_and_agrees(nir):
    r = _row(nir, "molybdenum", 2024)
    assert r.computed_flag == "E" and np.isnan(r.computed_nir_pct)
    assert r.published_flag == "E" and bool(r.agree)


def test_lower_bound_agrees_when_above(nir):
    r = _row(nir, "germanium", 2024)
    assert r.published_flag == ">50" and r.computed_nir_pct > 50 and bool(r.agree)


def test_products_of_one_commodity_are_separate_rows(nir):
    z = nir[(nir.commodity_id == "zinc") & (nir.year == 2024)].set_index("product")
    assert set(z.index) == {"ores and concentrates", "refined zinc"}
    assert z.loc["ores and concentrates", "published_flag"] == "E"
    assert z.loc["refined zinc", "published_nir_pct"] > 50


def test_every_rule_has_a_row_per_year_and_checks_are_known(nir):
    years = sorted(nir["year"].unique())
    n_rules = sum(len(r) for r in US_NIR_RULES.values())
    assert len(nir) == n_rules * len(years)
    assert set(nir["check"]) <= set(CHECKS)
    assert ((nir["check"] == "agrees") == nir["agree"].fillna(False).astype(bool)).all()


def test_agreement_and_the_documented_mismatches(nir):
    """The mismatch categories of docs/methods/reliance.md: if this fails, update the page."""
    computed = nir[nir["computed_flag"].isin(["", "E"]) & nir["agree"].notna()]
    assert computed["agree"].astype(bool).mean() >= 0.9
    basis = set(nir.loc[nir["check"] == CHECKS[4], "commodity_id"])
    assert basis == {"abrasives_manufactured", "cobalt", "palladium", "platinum", "rare_earths"}
    other = set(nir.loc[nir["check"] == CHECKS[5], "commodity_id"])
    assert other == {"gold", "sand_and_gravel_construction", "zeolites"}
    withheld = set(nir.loc[nir["check"] == CHECKS[3], "commodity_id"])
    assert {"lithium", "barite", "bauxite", "silicon", "tungsten", "titanium_metal"} <= withheld


# ---------------------------------------------------------------- bad input


def test_year_without_salient_data_names_the_years():
    with pytest.raises(
        NoData, match=r"for 2019 .*years with data: \[2021, 2022, 2023, 2024, 2025\]"
    ):
        us_reliance(2019)


def test_unknown_commodity_and_no_rule():
    with pytest.raises(UnknownCommodity, match="unknown commodity 'kryptonite'"):
        us_reliance(2024, commodity="kryptonite")
    with pytest.raises(NoData, match=r"no U.S. net import reliance rule for \['uranium'\]"):
        us_reliance(2024, commodity="uranium")


# ---------------------------------------------------------------- any country (BACI)


@pytest.fixture(scope="module")
def ind() -> pd.DataFrame:
    return import_dependence("IND", year=2023)


def test_india_sums_equal_direct_duckdb_sums(ind):
    s = get_store()
    imp = s.query(
        "SELECT hs6, sum(quantity_t) AS q, sum(value_kusd) AS v, count(DISTINCT exporter_iso3) AS n "
        "FROM trade WHERE importer_iso3 = 'IND' AND year = 2023 GROUP BY hs6"
    ).set_index("hs6")
    exp = s.query(
        "SELECT hs6, sum(quantity_t) AS q FROM trade WHERE exporter_iso3 = 'IND' AND year = 2023 "
        "GROUP BY hs6"
    ).set_index("hs6")
    d = ind.set_index("hs6")
    assert d["imports_t"].sum() == pytest.approx(imp["q"].sum())
    assert d["value_kusd"].sum() == pytest.approx(imp["v"].sum())
    assert d["exports_t"].sum() == pytest.approx(exp["q"].sum())
    assert d.loc[imp.index, "n_partners"].tolist() == imp["n"].tolist()
    assert (d["net_imports_t"] == d["imports_t"] - d["exports_t"]).all()


def test_india_import_hhi_and_top_partner(ind):
    code = ind.sort_values("value_kusd").iloc[-1]["hs6"]
    flows = (
        get_store()
        .query(
            "SELECT exporter_iso3, sum(value_kusd) AS v FROM trade WHERE importer_iso3 = 'IND' "
            "AND year = 2023 AND hs6 = ? GROUP BY 1",
            [code],
        )
        .set_index("exporter_iso3")["v"]
    )
    r = ind.set_index("hs6").loc[code]
    sh = shares(flows)
    assert r.import_hhi == pytest.approx(hhi(sh))
    assert r.top_partner == sh.idxmax() and r.top_partner_share == pytest.approx(sh.max())


def test_india_dependence_formulas_and_labels(ind):
    nir_rows = ind[ind["indicator"] == "net_import_reliance"]
    trade_rows = ind[ind["indicator"] == "trade_only"]
    assert len(nir_rows) > 0 and len(trade_rows) > 0
    assert set(nir_rows["commodity_id"]) <= GROSS_WEIGHT_PRODUCTION
    assert trade_rows["production_t"].isna().all()
    ok = nir_rows[nir_rows["flag"] == ""]
    expect = ok.net_imports_t / (ok.production_t + ok.net_imports_t)
    assert np.allclose(ok.import_dependence, expect)
    t = trade_rows[(trade_rows.imports_t + trade_rows.exports_t) > 0]
    assert np.allclose(t.import_dependence, t.imports_t / (t.imports_t + t.exports_t))
    # a complementary HS code never gets the commodity's whole production
    assert ind.loc[ind.hs6 == "270111", "indicator"].eq("trade_only").all()


def test_india_production_is_world_mining_data(ind):
    r = ind[(ind.hs6 == "260600")].iloc[0]  # bauxite, a gross-weight mine product
    p = (
        get_store()
        .query(
            "SELECT value FROM observations WHERE dataset = 'wmd' AND commodity_id = 'bauxite' "
            "AND country_iso3 = 'IND' AND year = 2023 AND measure = 'production'"
        )
        .iloc[0, 0]
    )
    assert r.production_t == p and r.indicator == "net_import_reliance"


def test_import_dependence_bad_input():
    with pytest.raises(
        NoData, match=r"no BACI trade of IND for years \[1990\]; years with trade: \[1995"
    ):
        import_dependence("IND", year=1990)
    with pytest.raises(UnknownCountry, match="unknown country 'Narnia'"):
        import_dependence("Narnia")


def test_single_commodity_keeps_nullable_agree():
    d = us_reliance(commodity="cesium")
    assert str(d["agree"].dtype) == "boolean" and d["agree"].isna().all()
    d = us_reliance(commodity=["zinc", "mica"])
    assert set(d["commodity_id"]) == {"zinc", "mica"} and str(d["agree"].dtype) == "boolean"
