"""Concentration assessment on the packaged dataset: figures recomputed from the raw rows,
invariants over every commodity × stage × year, bloc shares, the world without X, errors."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from critmin.assessments.concentration import (
    bloc_supply,
    concentration,
    iea_commodities,
    iea_years,
    without,
)
from critmin.errors import MethodError, NoData, UnknownCommodity, UnknownGroup
from critmin.ingest.reconcile import rounding_granularity
from critmin.store import get_store


@pytest.fixture(scope="module")
def usgs() -> pd.DataFrame:
    return concentration(source="usgs")


@pytest.fixture(scope="module")
def wmd() -> pd.DataFrame:
    return concentration(source="wmd")


def _rows(dataset: str, commodity: str, series: str, year: int, measure="production"):
    return get_store().query(
        "SELECT country_iso3, value FROM observations WHERE dataset = ? AND commodity_id = ? "
        "AND series = ? AND year = ? AND measure = ?",
        [dataset, commodity, series, year, measure],
    )


# ---------------------------------------------------------------- against the raw rows


def test_usgs_lithium_2024_shares_of_the_stated_world_total(usgs):
    row = usgs[
        (usgs.commodity_id == "lithium") & (usgs.stage == "mine") & (usgs.year == 2024)
    ].iloc[0]
    raw = _rows(row.dataset, "lithium", row.series, 2024).set_index("country_iso3")["value"]
    world = raw["WLD"]
    countries = raw.drop(["WLD", "ROW"], errors="ignore").dropna()
    top = countries.sort_values(ascending=False)
    assert row.world_total == world and row.world_total_stated
    assert row.top1_country == top.index[0]
    assert row.top1_share == pytest.approx(top.iloc[0] / world)
    assert row.top3_share == pytest.approx(top.iloc[:3].sum() / world)
    assert row.hhi_fraction == pytest.approx(((countries / world) ** 2).sum())
    assert row.hhi_points == pytest.approx(10_000 * row.hhi_fraction)
    assert row.n_producers == int((countries > 0).sum())
    assert row.other_share == pytest.approx(raw.get("ROW", 0.0) / world)
    # the withheld U.S. figure is counted, not guessed
    assert row.n_withheld == int(raw.isna().sum())
    assert row.dataset == "usgs_mcs2026"  # the newest edition covering 2024


def test_wmd_shares_of_the_country_sum(wmd):
    row = wmd[(wmd.commodity_id == "cobalt") & (wmd.year == 2022)].iloc[0]
    raw = _rows("wmd", "cobalt", row.series, 2022).set_index("country_iso3")["value"]
    countries = raw.drop("WLD")
    assert row.share_basis == "sum of producers"
    assert row.top1_share == pytest.approx(countries.max() / countries.sum())
    assert row.hhi_fraction == pytest.approx(((countries / countries.sum()) ** 2).sum())
    assert row.world_total == raw["WLD"]  # the stated total is reported, not used for shares
    assert row.coverage == pytest.approx(1.0)


def test_reserves_are_concentration_of_reserves():
    r = concentration("lithium", measure="reserves")
    assert set(r["measure"]) == {"reserves"}
    row = r.iloc[-1]
    raw = _rows(row.dataset, "lithium", row.series, int(row.year), "reserves")
    raw = raw.set_index("country_iso3")["value"]
    assert row.top1_share == pytest.approx(
        raw.drop(["WLD", "ROW"], errors="ignore").max() / raw["WLD"]
    )


# ---------------------------------------------------------------- invariants, whole dataset


def test_whole_dataset_is_fast_and_one_row_per_key():
    t0 = time.perf_counter()
    both = concentration(source="both")
    usgs = concentration(source="usgs")
    wmd = concentration(source="wmd")
    res = concentration(measure="reserves")
    assert time.perf_counter() - t0 < 5.0  # vectorised: all four in well under a few seconds
    for df in (usgs, wmd, res):
        assert not df.duplicated(["commodity_id", "stage", "measure", "year"]).any()
    assert not both.duplicated(["commodity_id", "stage", "measure", "year", "source"]).any()
    assert len(usgs) > 100 and len(wmd) > 100 and len(res) > 50


@pytest.mark.parametrize("source", ["usgs", "wmd"])
def test_top1_le_top3_and_hhi_bounds(source, usgs, wmd):
    df = {"usgs": usgs, "wmd": wmd}[source]
    ok = df[df["n_producers"] > 0]
    assert (ok.top1_share <= ok.top3_share + 1e-12).all()
    assert (ok.top3_share <= ok.coverage + 1e-12).all()
    # HHI of shares of the total: coverage²/n <= HHI <= top1 × coverage (= [1/n, 1] when
    # the total is the sum of the producers)
    lo = ok.coverage**2 / ok.n_producers - 1e-12
    hi = ok.top1_share * ok.coverage + 1e-12
    assert ((ok.hhi_fraction >= lo) & (ok.hhi_fraction <= hi)).all()
    if source == "wmd":
        assert (
            (ok.hhi_fraction >= 1 / ok.n_producers - 1e-12) & (ok.hhi_fraction <= 1 + 1e-12)
        ).all()


def test_usgs_named_other_and_unreported_add_up_to_one(usgs):
    s = usgs[usgs.world_total_stated]
    total = s.coverage + s.other_share.fillna(0.0) + s.unreported_share
    assert np.allclose(total, 1.0)


def test_coverage_reconciles_with_the_world_total(usgs):
    # where the build's reconciliation says the total matches its parts (within rounding),
    # named + other countries cover the world total to within the total's rounding
    rec = get_store().table("reconciliation")
    rec = rec[rec["status"].isin(["matches", "within rounding"])]
    m = usgs.merge(
        rec[["dataset", "commodity_id", "series", "year", "world_stated"]],
        on=["dataset", "commodity_id", "series", "year"],
    )
    assert len(m) > 50
    gran = m["world_stated"].map(rounding_granularity) / m["world_stated"]
    tol = np.maximum(gran, 0.005 + 1e-9)  # reconcile_totals' 0.5 % tolerance
    covered = m.coverage + m.other_share.fillna(0.0)
    assert ((covered - 1).abs() <= tol + 1e-9).all()


def test_both_sources_side_by_side_same_commodity_year():
    both = concentration(source="both")
    g = both.groupby(["commodity_id", "stage", "measure", "year"])["source"]
    assert (g.nunique() == 2).all() and (g.size() == 2).all()
    assert (both.iloc[::2]["source"] == "usgs").all() and (both.iloc[1::2]["source"] == "wmd").all()
    assert (
        both.iloc[::2]["commodity_id"].to_numpy() == both.iloc[1::2]["commodity_id"].to_numpy()
    ).all()
    assert (both.iloc[::2]["year"].to_numpy() == both.iloc[1::2]["year"].to_numpy()).all()


# ---------------------------------------------------------------- bloc views


def test_bloc_share_of_all_countries_is_the_coverage():
    c = concentration("lithium", stage="mine")
    producers = (
        get_store()
        .query(
            "SELECT DISTINCT country_iso3 FROM observations WHERE commodity_id = 'lithium' "
            "AND measure = 'production' AND country_iso3 NOT IN ('WLD', 'ROW')"
        )["country_iso3"]
        .tolist()
    )
    b = bloc_supply("lithium", producers, stage="mine")
    m = b.merge(c, on=["commodity_id", "stage", "year", "source"])
    assert np.allclose(m.bloc_share, m.coverage)
    # ... which is 1 within the reconciliation of the world total (Other countries, rounding)
    gran = m.world_total_x.map(rounding_granularity) / m.world_total_x
    assert ((m.bloc_share + m.other_share.fillna(0) - 1).abs() <= np.maximum(gran, 0.005)).all()


def test_trust_is_india_plus_us_and_matches_raw_rows():
    b = bloc_supply("rare earths", "TRUST", source="wmd")
    assert (b["n_members"] == 2).all() and (b["group"] == "TRUST").all()
    row = b[b.year == 2023].iloc[0]
    raw = _rows("wmd", "rare_earths", row.series, 2023).set_index("country_iso3")["value"]
    countries = raw.drop("WLD")
    expect = countries.reindex(["IND", "USA"]).fillna(0).sum() / countries.sum()
    assert row.bloc_share == pytest.approx(expect)
    assert row.bloc_total == pytest.approx(countries.reindex(["IND", "USA"]).fillna(0).sum())


def test_groups_from_the_groups_table():
    ids = set(get_store().table("groups")["group_id"])
    assert {"MSP", "QUAD", "TRUST", "US_FTA"} <= ids
    for gid in ("MSP", "QUAD", "US_FTA"):
        members = set(get_store().table("groups").query("group_id == @gid")["country_iso3"])
        b = bloc_supply("lithium", gid)
        assert (b["n_members"] == len(members - {"EUU"})).all()
        produced = set(";".join(b["members_producing"]).split(";")) - {""}
        assert produced <= members


def test_unknown_group_suggests():
    with pytest.raises(UnknownGroup, match=r"unknown country group 'MPS'; did you mean 'MSP'"):
        bloc_supply("lithium", "MPS")


def test_world_without_china_renormalises():
    w = without("rare earths", ["CHN"], stage="mine")
    assert set(w["scope"]) == {"world", "world without CHN"}
    assert (w.groupby("year").size() == 2).all()
    rest = w[w.scope != "world"].iloc[-1]
    raw = _rows(rest.dataset, "rare_earths", rest.series, int(rest.year)).set_index("country_iso3")[
        "value"
    ]
    world, chn = raw["WLD"], raw["CHN"]
    assert rest.excluded_share == pytest.approx(chn / world)
    others = raw.drop(["WLD", "ROW", "CHN"], errors="ignore").dropna()
    assert rest.top1_share == pytest.approx(others.max() / (world - chn))
    assert rest.top1_country != "CHN"
    # named rest + other countries + unreported = 1 over what is left
    assert rest.coverage + rest.other_share + rest.unreported_share == pytest.approx(1.0)


# ---------------------------------------------------------------- bad input


def test_unknown_commodity():
    with pytest.raises(UnknownCommodity, match="unknown commodity 'unobtainium'"):
        concentration("unobtainium")


def test_year_without_data_names_the_years():
    with pytest.raises(NoData, match=r"in 1990 .*years with data: \[2023, 2024, 2025\]"):
        concentration("lithium", stage="mine", year=1990)


def test_stage_without_data_names_the_stages():
    with pytest.raises(NoData, match=r"at stage smelter .*stages with data: \['mine'\]"):
        concentration("lithium", stage="smelter")


def test_reserves_both_sources_is_nodata():
    with pytest.raises(NoData, match="World Mining Data has no reserves"):
        concentration("lithium", measure="reserves", source="both")


def test_bad_source_and_measure():
    with pytest.raises(MethodError, match="source must be 'usgs', 'wmd', 'iea' or 'both'"):
        concentration("lithium", source="IEA 2024")  # type: ignore[arg-type]
    with pytest.raises(MethodError, match="measure must be 'production' or 'reserves'"):
        concentration("lithium", measure="capacity")  # type: ignore[arg-type]


def test_without_needs_countries():
    with pytest.raises(MethodError, match="exclude is empty"):
        without("lithium", [])


# ---------------------------------------------------------------- IEA (refining by country)


@pytest.mark.parametrize("year", [2023, 2030])
def test_iea_rare_earth_refining_shares_equal_the_raw_file(shared_data, year, iea_block):
    block = iea_block("Magnet rare earth elements - Refining")[year]
    total, rest = block["Total"], block["Rest of world"]
    named = {k: v for k, v in block.items() if k not in ("Total", "Rest of world", "Top 3 share")}
    shares = sorted((v / total for v in named.values()), reverse=True)
    got = concentration("rare earths", stage="refinery", source="iea", year=year)
    assert len(got) == 1
    r = got.iloc[0]
    assert r["commodity_id"] == "magnet_rare_earths"
    assert r["world_total"] == pytest.approx(total, rel=1e-9)
    assert r["top1_country"] == "CHN"
    assert r["top1_share"] == pytest.approx(named["China"] / total, rel=1e-9)
    assert r["top3_share"] == pytest.approx(sum(shares[:3]), rel=1e-9)
    # "Rest of world" is not one producer: it is other_share, out of the HHI (lower bound) ...
    assert r["other_share"] == pytest.approx(rest / total, rel=1e-9)
    lower = sum(s**2 for s in shares)
    assert r["hhi_fraction"] == pytest.approx(lower, rel=1e-9)
    # ... and counted as one producer in the upper bound
    assert r["hhi_points_upper"] == pytest.approx(10_000 * (lower + (rest / total) ** 2), rel=1e-9)
    assert r["n_producers"] == sum(v > 0 for v in named.values())
    assert bool(r["projection"]) is (year != 2023)


def test_iea_default_year_is_historical_never_a_projection(shared_data, iea_block):
    raw = iea_block("Magnet rare earth elements - Refining")
    base = min(raw)  # the base year: the first column of the sheet; later ones are projections
    yrs = iea_years("rare earths", "refinery")
    assert yrs == {"historical": [base], "projection": sorted(y for y in raw if y > base)}
    for cid in ("rare earths", "cobalt", "lithium", "nickel"):
        df = concentration(cid, stage="refinery", source="iea")
        assert set(df["year"]) == {base}, cid
        assert not df["projection"].any()
    assert set(without("cobalt", ["CHN"], stage="refinery", source="iea")["year"]) == {base}
    assert set(bloc_supply("cobalt", "MSP", stage="refinery", source="iea")["year"]) == {base}


def test_iea_reaches_a_group_through_its_members():
    assert iea_commodities("rare earths") == ["magnet_rare_earths"]
    assert iea_commodities("cobalt") == ["cobalt"]
    assert iea_commodities("gallium") == []


def test_usgs_without_the_stage_points_to_the_iea():
    with pytest.raises(NoData, match=r"stages with data: \['mine'\]; the IEA publishes it"):
        concentration("rare earths", stage="refinery")


def test_hhi_upper_bound_never_below_the_lower(usgs):
    both = usgs.dropna(subset=["hhi_points", "hhi_points_upper"])
    assert (both["hhi_points_upper"] >= both["hhi_points"] - 1e-9).all()
    assert not usgs["projection"].any()
