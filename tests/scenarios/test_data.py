"""The network from the dataset: BACI flows, the stage table, production, links."""

from __future__ import annotations

import csv

import numpy as np
import pandas as pd
import pytest

from critmin.errors import MethodError, NoData
from critmin.scenarios.data import (
    STAGE_LINKS,
    build_network,
    codes_for,
    hs_stages,
    links_table,
    network_summary,
    production_table,
    supplemented_codes,
    trade_years,
)
from critmin.store import get_store

YEAR = 2023


@pytest.fixture(scope="module")
def net():
    return build_network(YEAR)


def test_flows_equal_a_direct_duckdb_sum_of_trade(net):
    codes = list(net.commodities)
    marks = ", ".join("?" * len(codes))
    # BACI, plus China's Comtrade exports for the codes BACI HS92 lacks (811292, 380110)
    sup = supplemented_codes(YEAR, codes)
    assert sup == ["380110", "811292"]
    direct = get_store().query(
        "SELECT hs6, exporter_iso3, importer_iso3, sum(quantity_t) AS q FROM ("
        "SELECT hs6, exporter_iso3, importer_iso3, quantity_t FROM trade "
        f"WHERE year = ? AND hs6 IN ({marks}) UNION ALL "
        "SELECT hs6, exporter_iso3, importer_iso3, quantity_t FROM china_exports "
        "WHERE year = ? AND hs6 IN (?, ?)) "
        "WHERE quantity_t IS NOT NULL AND exporter_iso3 <> importer_iso3 GROUP BY ALL",
        [YEAR, *codes, YEAR, *sup],
    )
    # the supplemented codes have China as their only exporter
    assert set(direct.loc[direct["hs6"].isin(sup), "exporter_iso3"]) == {"CHN"}
    k = [net.commodity_index[c] for c in direct["hs6"]]
    e = [net.country_index[c] for c in direct["exporter_iso3"]]
    j = [net.country_index[c] for c in direct["importer_iso3"]]
    np.testing.assert_allclose(net.flows[k, e, j], direct["q"].to_numpy(), rtol=1e-12)
    # nothing else: the totals agree too, so no cell is filled twice or invented
    assert np.count_nonzero(net.flows) == int((direct["q"] > 0).sum())
    np.testing.assert_allclose(net.flows.sum(), direct["q"].sum(), rtol=1e-12)
    # every code of the stage table with quantities in that year is in the network
    have = get_store().query(
        "SELECT DISTINCT hs6 FROM trade WHERE year = ? AND quantity_t IS NOT NULL "
        "AND commodity_id IS NOT NULL",
        [YEAR],
    )
    assert set(have["hs6"]) | set(sup) == set(net.commodities)
    assert net.year == YEAR


def test_every_hs_code_of_the_mapped_commodities_has_a_stage():
    st = hs_stages()
    assert st["hs6"].is_unique
    assert set(st["stage"]) == {"ore", "refined"}
    traded = get_store().query(
        "SELECT DISTINCT hs6, commodity_id FROM trade WHERE commodity_id IS NOT NULL"
    )
    merged = traded.merge(st, on="hs6", how="left", suffixes=("", "_st"))
    assert merged["stage"].notna().all(), merged[merged["stage"].isna()]
    assert (merged["commodity_id"] == merged["commodity_id_st"]).all()
    # the catalog's HS codes of those commodities that BACI carries are all mapped
    from critmin import catalog

    cat = catalog.commodities().drop_duplicates("commodity_id").set_index("commodity_id")
    for cid in set(st["commodity_id"]):
        for col in ("hs6", "hs6_complementary"):
            cell = cat.loc[cid, col] if cid in cat.index else ""
            for code in str(cell or "").replace(",", ";").split(";"):
                if code.strip() and code.strip() in set(traded["hs6"]):
                    assert code.strip() in set(st["hs6"])


def test_descriptions_are_bacis_own(shared_data):
    """HS92 codes carry BACI's HS92 description; the two HS2012+ codes its HS12 one."""
    baci = {}
    for rel in (
        "concordance/BACI_product_codes_HS12_V202201.csv",
        "baci_minerals/product_codes_HS92_V202401b.csv",
    ):  # HS92 wins where both
        with (shared_data / rel).open(encoding="utf-8") as f:
            baci |= {r["code"]: r["description"] for r in csv.DictReader(f)}
    st = hs_stages()
    for code, desc in zip(st["hs6"], st["description"], strict=True):
        assert baci[code] == desc, code


def test_stages_follow_the_descriptions():
    st = hs_stages().set_index("hs6")
    for code, row in st.iterrows():
        if "ores and concentrates" in row["description"].lower():
            assert row["stage"] == "ore", code
    for code in ("283691", "282520", "284690", "284610", "280530", "282200", "810510"):
        assert st.loc[code, "stage"] == "refined"
    for code in ("250410", "250490", "260400", "261710"):
        assert st.loc[code, "stage"] == "ore"


def test_links_are_documented_and_off_by_default(net):
    st = set(hs_stages()["hs6"])
    for lk in STAGE_LINKS:
        assert lk.ore in st and lk.refined in st and lk.note
    assert net.links == ()
    on = build_network(YEAR, commodities=["REE"], feed_shares={"284690>280530": 0.4})
    assert [(lk.ore, lk.refined, lk.feed_share) for lk in on.links] == [("284690", "280530", 0.4)]
    with pytest.raises(MethodError, match=r"in \[0, 1\]"):
        links_table({"284690>280530": 1.5})
    with pytest.raises(MethodError, match="ORE>REFINED"):
        links_table({"284690": 0.5})


def test_net_export_production_gives_net_imports_as_consumption(net):
    x, m = net.exports, net.imports
    np.testing.assert_allclose(net.production, np.maximum(x - m, 0), rtol=1e-12, atol=1e-9)
    exporters = x > m
    assert np.all(net.consumption[exporters] == 0.0)  # exactly: no rounding residue
    np.testing.assert_allclose(net.consumption[~exporters], (m - x)[~exporters], atol=1e-6)


def test_content_mode_uses_published_production_times_the_users_factor():
    pub = production_table(YEAR, ["250410"])
    assert set(pub["stage"]) == {"mine"} and pub["dataset"].nunique() == 1
    # the chosen series is the published one, row for row
    raw = get_store().query(
        "SELECT country_iso3, value, unit FROM observations WHERE dataset = ? AND series = ? "
        "AND year = ? AND commodity_id = 'graphite' AND stage = 'mine' AND value IS NOT NULL "
        "AND country_iso3 NOT IN ('WLD', 'ROW')",
        [pub["dataset"].iloc[0], pub["series"].iloc[0], YEAR],
    )
    assert set(raw["unit"]) == {"t"}
    assert pub["value_t"].sum() == pytest.approx(raw["value"].sum())
    g = build_network(
        YEAR, commodities=["graphite"], production="content", content_factors={"250410": 2.0}
    )
    k = g.commodity_index["250410"]
    chn = pub.loc[pub["country_iso3"] == "CHN", "value_t"].iloc[0]
    assert g.production[k, g.country_index["CHN"]] == pytest.approx(2.0 * chn)
    # 250490 has no factor: net exports
    k2 = g.commodity_index["250490"]
    np.testing.assert_allclose(
        g.production[k2], np.maximum(g.exports[k2] - g.imports[k2], 0), atol=1e-9
    )
    with pytest.raises(MethodError, match="> 0"):
        build_network(YEAR, production="content", content_factors={"250410": 0})
    with pytest.raises(MethodError, match="net_exports"):
        build_network(YEAR, production="gross")


def test_codes_for_names_and_missing_data():
    assert codes_for("lithium") == ["282520", "283691"]
    assert codes_for(["neodymium"]) == ["280530", "284610", "284690"]  # its group's codes
    assert codes_for("gallium") == ["811292"]  # HS2012+ code, from China's Comtrade exports
    with pytest.raises(NoData, match="no HS6 code in the BACI extract"):
        codes_for("scandium")
    years = trade_years()
    with pytest.raises(NoData, match=f"{years[0]}-{years[-1]}"):
        build_network(1990)


def test_germanium_is_left_out_after_2016_and_summary_reports_it(net):
    assert "811230" not in net.commodities
    assert "811230" in build_network(2016, commodities=["germanium"]).commodities
    s = network_summary(net)
    assert list(s["hs6"]) == list(net.commodities)
    assert (s["trade_t"] > 0).all()
    assert isinstance(s, pd.DataFrame)
