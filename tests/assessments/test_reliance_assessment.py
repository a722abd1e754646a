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
    # only USGS's statements in words remain (cesium, rubidium: nothing to compute)
    said = blind["basis"] == "usgs_statement"
    assert set(blind.loc[said, "commodity_id"]) <= {"cesium", "rubidium"}
    assert (blind.loc[~said, "published_flag"] == "NA").all() and blind["agree"].isna().all()


def test_computed_equals_the_formula_on_its_own_columns(nir):
    ok = nir[nir["computed_flag"] == ""]
    b = ok[ok["basis"] == "balance"]
    net = b.imports - b.exports + b.stock_change
    assert np.allclose(b.computed_nir_pct, 100 * net / (b.production + net))
    # (I - E + dS) / AC on USGS's apparent consumption (PGMs, fused aluminum oxide)
    on_ac = {(c, r.product) for c, rules in US_NIR_RULES.items() for r in rules if r.apparent}
    is_ac = pd.Series(list(zip(ok.commodity_id, ok["product"], strict=True)), index=ok.index)
    a = ok[is_ac.isin(on_ac)]
    assert set(a["commodity_id"]) == {"palladium", "platinum", "abrasives_manufactured"}
    assert (a["basis"] == "usgs_apparent_consumption").all()
    # (C - P) / C on a stated consumption, or on USGS's apparent consumption (rare earths)
    cp = ok[(ok["basis"] != "balance") & ~is_ac.isin(on_ac)]
    assert {"rare_earths", "manganese"} <= set(cp["commodity_id"])
    assert np.allclose(cp.computed_nir_pct, 100 * (cp.consumption - cp.production) / cp.consumption)
    net = a.imports - a.exports + a.stock_change
    assert np.allclose(a.computed_nir_pct, 100 * net / a.consumption)
    assert (a.consumption == a.published_consumption).all()
    # the figure shown is the computed one wherever one is computed
    assert (ok["nir_pct"] == ok["computed_nir_pct"]).all() and (ok["nir_flag"] == "").all()


def _raw_nir_rows(shared_data) -> dict[tuple[str, str, str], str]:
    """(Commodity, Statistics_detail, Year) -> the raw Value text of MCS 2026 NIR rows."""
    out = {}
    with (shared_data / "usgs_mcs2026" / "MCS2026_Commodities_Data.csv").open(
        encoding="cp1252"
    ) as f:
        for r in csv.DictReader(f):
            if r["Statistics"] == "Net import reliance" and "Salient" in r["Section"]:
                out[(r["Commodity"], r["Statistics_detail"], r["Year"])] = r["Value"]
    return out


@pytest.mark.parametrize("metal", ["Palladium", "Platinum"])
def test_pgm_nir_equals_the_published_figure_in_the_raw_file(nir, shared_data, metal):
    """Issue 11.1: recycled PGMs are in USGS's apparent consumption, not the salient table."""
    raw = _raw_salient(shared_data, metal)
    pub = _raw_nir_rows(shared_data)
    for y in (2021, 2022, 2023, 2024, 2025):
        r = _row(nir, metal.lower(), y)
        printed = pub[
            (metal, f"Net import reliance as a percentage of apparent consumption: {metal}", str(y))
        ]
        assert r.basis == "usgs_apparent_consumption"
        assert round(r.nir_pct) == int(printed) and bool(r.agree), (metal, y)
        ac = raw[(f"Consumption, apparent: {metal}", str(y))]
        net = (
            raw[(f"Imports for consumption: {metal}", str(y))] - raw[(f"Exports: {metal}", str(y))]
        )
        assert r.nir_pct == pytest.approx(100 * net / ac)


def test_pgm_method_reproduces_the_2025_edition_salient_csv(shared_data):
    """The same formula on the MCS 2025 salient file (another edition, another layout)."""
    from critmin.metrics.reliance import net_import_reliance

    path = shared_data / "usgs_mcs2025" / "salient_commodity" / "mcs2025-plati_salient.csv"
    with path.open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 5
    for metal in ("Palladium", "Platinum"):
        col = {
            k: np.array([float(r[f"{k}_{metal}_kg"]) for r in rows])
            for k in ("Imports", "Exports", "Consump")
        }
        r = net_import_reliance(
            np.nan, col["Imports"], col["Exports"], apparent_consumption=col["Consump"]
        )
        published = [float(r_[f"NIR_{metal}_pct"]) for r_ in rows]
        assert np.round(r["nir_pct"].to_numpy()).tolist() == published, metal


# ---------------------------------------------------------------- conventions


def test_withheld_production_is_W_and_says_so(nir, shared_data):
    r = _row(nir, "lithium", 2024)
    assert np.isnan(r.computed_nir_pct) and r.computed_flag == "W"
    assert r.published_flag == ">50" and pd.isna(r.agree)
    assert "withheld" in r.reason and r.check == "withheld (USGS figure shown)"
    # the figure shown is USGS's own marker from the raw file, never a number of ours or 0
    raw = _raw_nir_rows(shared_data)
    printed = raw[
        ("Lithium", "Net import reliance as a percentage of apparent consumption", "2024")
    ]
    assert r.basis == "withheld" and r.nir_flag + "" == printed == ">50"


def test_every_withheld_row_shows_usgs_figure_not_a_computed_one(nir):
    w = nir[nir["basis"] == "withheld"]
    assert {"barite", "bauxite", "iodine", "lithium", "tungsten"} <= set(w["commodity_id"])
    assert w["computed_nir_pct"].isna().all() and (w["computed_flag"] == "W").all()
    assert w["agree"].isna().all() and w["reason"].str.startswith("withheld (").all()
    # shown = published, value and marker; a missing published figure stays "W", not 0
    pd.testing.assert_series_equal(w["nir_pct"], w["published_nir_pct"], check_names=False)
    assert (w["nir_flag"] == w["published_flag"].replace("NA", "W")).all()
    assert w.loc[w["published_nir_pct"].isna(), "nir_pct"].isna().all()
    # a computed row never rests on a withheld input
    assert not nir.loc[nir["basis"] != "withheld", "reason"].str.contains("' withheld").any()


@pytest.mark.parametrize(
    ("cid", "name", "year"), [("cesium", "cesium", 2025), ("rubidium", "rubidium", 2024)]
)
def test_cesium_and_rubidium_show_usgs_statement(shared_data, cid, name, year):
    import re

    text = (shared_data / "usgs_mcs2026" / "MCS2026_Commodities_Data.csv").read_text(
        encoding="cp1252"
    )
    said = re.search(rf"was (\d+)% net import reliant for its {name} needs", text)
    d = us_reliance(commodity=cid)
    r = _row(d, cid, year)
    assert r.basis == "usgs_statement" and r.nir_pct == float(said.group(1))
    assert said.group(0) in r.reason
    others = d[d.year != year]
    assert others["nir_pct"].isna().all() and (others["basis"] == "not_computed").all()


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
    assert basis == {"cobalt"}
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


# ---------------------------------------------------------------- issue 11.9: India's view


def test_hs6_labels_are_baci_product_descriptions(ind, shared_data):
    with (shared_data / "baci_minerals" / "product_codes_HS92_V202401b.csv").open(
        encoding="utf-8"
    ) as f:
        baci = {r["code"]: r["description"].strip() for r in csv.DictReader(f)}
    labelled = ind[ind["description"] != ""]
    assert len(labelled) >= len(ind) - 1  # 711290 has no description in critmin's HS table
    for r in labelled.itertuples():
        assert r.description == baci[r.hs6], r.hs6


def test_fuels_and_gold_left_out_on_request(ind):
    lean = import_dependence("IND", year=2023, fuels_and_gold=False)
    hsmap = get_store().table("wmd_hs_map")
    fuels = set(hsmap.loc[hsmap["category"] == "Mineral Fuels", "hs6"])
    gone = set(ind["hs6"]) - set(lean["hs6"])
    assert gone == set(ind.loc[ind["hs6"].isin(fuels) | (ind.commodity_id == "gold"), "hs6"])
    assert {"270900", "270119", "710812", "261690"} <= gone  # crude oil, coal, gold
    kept = ind.set_index("hs6").loc[lean["hs6"]].reset_index()
    pd.testing.assert_frame_equal(kept[lean.columns], lean, check_like=True)
    # asked by name, gold stays
    assert set(import_dependence("IND", 2023, commodity="gold", fuels_and_gold=False)["hs6"]) == {
        "261690",
        "710812",
    }


def test_commodity_filter_is_the_subset_of_the_full_table(ind):
    li = import_dependence("IND", year=2023, commodity="Li")
    assert set(li["commodity_id"]) == {"lithium"}
    assert set(li["hs6"]) == set(ind.loc[ind.commodity_id == "lithium", "hs6"])
    with pytest.raises(UnknownCommodity, match="unknown commodity 'lithum'"):
        import_dependence("IND", year=2023, commodity="lithum")


def test_import_partners_lists_every_supplier(ind):
    from critmin.assessments.reliance import import_partners

    p = import_partners("IND", 2023)
    by = p.groupby("hs6")
    assert np.allclose(by["share"].sum(), 1.0)
    d = ind.set_index("hs6")
    codes = list(by.groups)
    assert (by.size() == d.loc[codes, "n_partners"]).all()  # none cut off
    assert np.allclose(by["value_kusd"].sum(), d.loc[codes, "value_kusd"])
    first = p[p["rank"] == 1].set_index("hs6")
    assert (first["exporter_iso3"] == d.loc[first.index, "top_partner"]).all()
    direct = get_store().query(
        "SELECT count(DISTINCT exporter_iso3) FROM trade WHERE importer_iso3 = 'IND' "
        "AND year = 2023 AND hs6 = '282520' AND value_kusd > 0"
    )
    assert (p["hs6"] == "282520").sum() == direct.iloc[0, 0]
    with pytest.raises(NoData, match="no BACI imports of IND in 1990"):
        import_partners("IND", 1990)


def test_product_imports_commodity_filter():
    from critmin.assessments.product_imports import product_imports

    full = product_imports("IND")
    li = product_imports("IND", commodity="lithium")
    assert len(li) > 0 and li["mineral"].str.contains("Lithium").all()
    assert set(li["hs"]) == set(full.loc[full["mineral"].str.contains("Lithium"), "hs"])
    # platinum is filed under the extract's "Platinum Group Metals"
    assert product_imports("IND", commodity="platinum")["mineral"].str.contains("Platinum").all()
    with pytest.raises(NoData, match="no UN Comtrade codes filed under tin .* files codes under"):
        product_imports("IND", commodity="tin")


def test_every_rule_finds_its_rows_in_the_dataset(nir):
    """A commodity id renamed in the dataset (feldspar under a joint chapter id) is still found."""
    live = nir[~nir["basis"].isin(["not_computed", "usgs_statement"])]
    lost = live.groupby(["commodity_id", "product"])["reason"].agg(
        lambda r: r.str.contains("not in the table").all()
    )
    assert not lost.any(), lost[lost].index.tolist()
    assert _row(nir, "feldspar", 2024).check == "agrees"
