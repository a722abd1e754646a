"""Ranking: pure invariants (hypothesis), sensitivity, errors; the orchestration on real data
(driver text read against the store, ranks a permutation, year/stage/group paths)."""

from __future__ import annotations

import doctest
import importlib

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from critmin import catalog
from critmin.assessments.risk import risk, risk_indicators, risk_sensitivity, risk_years
from critmin.criticality.ranking import (
    DEFAULT_WEIGHTS,
    driver_text,
    minmax,
    rank_minerals,
    ranking_sensitivity,
)
from critmin.errors import MethodError, NoData, UnknownCountry, UnknownGroup
from critmin.store import get_store

INDICATORS = list(DEFAULT_WEIGHTS)


def test_doctests():
    mod = importlib.import_module("critmin.criticality.ranking")
    assert doctest.testmod(mod).failed == 0


# ------------------------------------------------------------------ pure invariants

values = st.floats(min_value=0, max_value=10, allow_nan=False, allow_infinity=False)


@st.composite
def indicator_frames(draw, min_rows=1, max_rows=25, nan=True):
    n = draw(st.integers(min_rows, max_rows))
    cols = {}
    for k in INDICATORS:
        col = draw(st.lists(values | st.just(np.nan) if nan else values, min_size=n, max_size=n))
        cols[k] = col
    return pd.DataFrame(cols, index=[f"m{i}" for i in range(n)])


@settings(max_examples=60, deadline=None)
@given(indicator_frames())
def test_ranks_are_a_permutation(ind):
    r = rank_minerals(ind)
    assert sorted(r["rank"]) == list(range(1, len(ind) + 1))
    assert set(r.index) == set(ind.index)
    s = r["score"].dropna()
    assert s.between(0, 1).all()
    assert (s.diff().dropna() <= 1e-12).all()  # sorted riskiest first
    assert r["score"].isna().sum() == (ind.isna().all(axis=1)).sum()
    assert r.loc[r["score"].isna(), "rank"].min() > len(s) if len(s) < len(r) else True


@settings(max_examples=60, deadline=None)
@given(indicator_frames(min_rows=2, nan=False), st.sampled_from(INDICATORS))
def test_one_indicator_weight_reproduces_sorting_by_it(ind, k):
    ind = ind[~ind[k].round(9).duplicated()]  # ties (also near-ties after rescaling) keep any order
    r = rank_minerals(ind, weights={k: 1.0})
    assert list(r.index) == list(ind[k].sort_values(ascending=False, kind="stable").index)
    assert list(rank_minerals(ind, by=k).index) == list(r.index)


def test_missing_indicators_are_left_out_and_weights_renormalised():
    ind = pd.DataFrame(
        {"hhi": [1.0, 0.0, 0.5], "import_reliance": [np.nan, 1.0, 0.0]}, index=["a", "b", "c"]
    )
    r = rank_minerals(ind)
    assert r.loc["a", "score"] == 1.0 and r.loc["a", "n_indicators"] == 1
    assert r.loc["b", "score"] == 0.5 and r.loc["c", "score"] == 0.25
    assert list(r.index) == ["a", "b", "c"]
    assert list(r.columns[:4]) == ["rank", "score", "n_indicators", "z_hhi"]


def test_minmax_and_driver_text():
    assert minmax(pd.Series([3.0, 3.0])).tolist() == [0.0, 0.0]
    assert minmax(pd.Series([np.nan, 1.0, 3.0])).tolist()[1:] == [0.0, 1.0]
    assert driver_text("China", 0.6949, "mine") == "China 69% of mining"
    assert driver_text("Indonesia", 0.665, "refinery") == "Indonesia 66% of refining"
    assert driver_text("China", float("nan"), "mine") == ""


def test_sensitivity_correlations_and_ranges():
    a = pd.Series({"x": 3.0, "y": 2.0, "z": 1.0, "w": 0.5})
    rev = -a
    s = ranking_sensitivity({"a": a, "same": a * 10, "reversed": rev})
    assert s.spearman.loc["a", "same"] == pytest.approx(1.0)
    assert s.spearman.loc["a", "reversed"] == pytest.approx(-1.0)
    assert s.ranks.loc["x", "rank_range"] == 3.0
    assert s.ranks.loc["x", "min_rank"] == 1.0 and s.ranks.loc["x", "max_rank"] == 4.0
    assert list(s.ranks.index) == ["x", "y", "z", "w"]
    # a DataFrame from rank_minerals uses its 'by' column
    ind = pd.DataFrame({"hhi": [0.1, 0.9, 0.5]}, index=["p", "q", "r"])
    s2 = ranking_sensitivity({"score": rank_minerals(ind), "hhi": rank_minerals(ind, by="hhi")})
    assert s2.spearman.loc["score", "hhi"] == pytest.approx(1.0)


def test_ranking_errors():
    ind = pd.DataFrame({"hhi": [0.1, 0.2]}, index=["a", "b"])
    with pytest.raises(MethodError, match="non-empty DataFrame"):
        rank_minerals(pd.DataFrame())
    with pytest.raises(MethodError, match="repeat mineral"):
        rank_minerals(pd.DataFrame({"hhi": [0.1, 0.2]}, index=["a", "a"]))
    with pytest.raises(MethodError, match="not columns of the table"):
        rank_minerals(ind, weights={"gdp": 1})
    with pytest.raises(MethodError, match="finite and >= 0"):
        rank_minerals(ind, weights={"hhi": -1})
    with pytest.raises(MethodError, match="all weights are 0"):
        rank_minerals(ind, weights={"hhi": 0})
    with pytest.raises(MethodError, match="by must be 'score' or an indicator"):
        rank_minerals(ind, by="price")
    with pytest.raises(MethodError, match="none of the default indicators"):
        rank_minerals(pd.DataFrame({"price": [1.0]}, index=["a"]))
    with pytest.raises(MethodError, match="not numeric"):
        rank_minerals(pd.DataFrame({"hhi": ["x"]}, index=["a"]), weights={"hhi": 1})
    with pytest.raises(MethodError, match="at least two variants"):
        ranking_sensitivity({"a": pd.Series({"x": 1.0})})
    with pytest.raises(MethodError, match="repeats minerals"):
        ranking_sensitivity({"a": pd.Series([1.0, 2.0], index=["x", "x"]), "b": pd.Series()})


# ------------------------------------------------------------------ orchestration, real data


@pytest.fixture(scope="module")
def india():
    return risk(country="IND")


def test_risk_ranks_are_a_permutation_with_indicators_beside(india):
    assert sorted(india["rank"]) == list(range(1, len(india) + 1))
    assert not india["commodity_id"].duplicated().any()
    for col in (
        "driver",
        "mine_top1_share",
        "mine_hhi",
        "refinery_hhi",
        "wgi_hhi",
        "import_reliance",
        "geopolrisk",
        "on_us_2025",
        "on_eu_2023",
        "on_india_2023",
        "export_controls",
        "concentration_source",
    ):
        assert col in india.columns
    assert (india["n_lists"] >= 1).all()  # default: minerals on at least one list
    assert india.attrs["year"] == risk_years()[-1]
    assert india["import_reliance"].dropna().between(0, 1).all()


@pytest.mark.parametrize("commodity", ["nickel", "cobalt", "rare_earths", "aluminium"])
def test_driver_names_the_largest_producer_read_from_the_data(india, commodity):
    row = india.set_index("commodity_id").loc[commodity]
    stage = row["stage"]
    dataset, year = row["concentration_source"].rsplit(" ", 1)
    s = get_store()
    stages = ("mine",) if stage == "mine" else ("refinery", "smelter", "processing", "primary")
    d = s.query(
        f"SELECT series, country_iso3, value FROM observations WHERE dataset = ? AND "
        f"commodity_id = ? AND year = ? AND measure = 'production' AND stage IN "
        f"({', '.join('?' * len(stages))}) AND value IS NOT NULL",
        [dataset, commodity, int(year), *stages],
    )
    d = d[~d["country_iso3"].isin(["WLD", "ROW"])]
    main = d.groupby("series")["country_iso3"].nunique().idxmax()
    top = d[d["series"] == main].sort_values("value", ascending=False).iloc[0]
    name = catalog.country_name(top["country_iso3"])
    assert row["driver"].startswith(f"{name} ")
    assert row["top1_country"] == top["country_iso3"]
    word = {"mine": "mining", "refinery": "refining", "smelter": "smelting"}[row["data_stage"]]
    assert row["driver"] == f"{name} {100 * row['top1_share']:.0f}% of {word}"


def test_weights_to_one_indicator_reproduce_sorting_by_it():
    r = risk(country="IND", weights={"import_reliance": 1.0})
    ir = r["import_reliance"]
    known = r[ir.notna()]
    assert (known["import_reliance"].diff().dropna() <= 1e-12).all()
    assert r.loc[ir.isna(), "rank"].min() > known["rank"].max()


def test_group_stage_and_year():
    g = risk(group="MSP", year=2020, stage="mine")
    assert (g["stage"] == "mine").all()
    assert g.attrs["is_group"] and "USA" in g.attrs["members"] and "IND" in g.attrs["members"]
    assert "European Union" in g.attrs["note"]
    assert g["home_share"].between(0, 1).all()
    ind = risk_indicators(country="USA", stage="refinery")
    assert ind["refinery_hhi"].notna().all()


def test_risk_sensitivity_variants():
    s = risk_sensitivity(country="USA")
    names = set(s.spearman.columns)
    assert {"score", "by hhi", "by import_reliance", "stage mine"} <= names
    assert {f"year {y}" for y in risk_years()[:-1]} <= names
    assert s.spearman.loc["score", "score"] == pytest.approx(1.0)
    assert (s.ranks["rank_range"] >= 0).all()
    assert "mineral" in s.ranks.columns


def test_risk_bad_inputs():
    with pytest.raises(UnknownCountry, match="unknown country 'Narnia'"):
        risk(country="Narnia")
    with pytest.raises(UnknownGroup, match="unknown country group 'NATO'"):
        risk(group="NATO")
    with pytest.raises(NoData) as e:
        risk(country="IND", year=2010)
    assert "no data for year 2010" in str(e.value) and str(risk_years()) in str(e.value)
    with pytest.raises(MethodError, match="exactly one of country"):
        risk(country="IND", group="MSP")
    with pytest.raises(MethodError, match="exactly one of country"):
        risk()
    with pytest.raises(MethodError, match="stage must be 'mine' or 'refinery'"):
        risk(country="IND", stage="smelter")
    with pytest.raises(MethodError, match="unknown list"):
        risk(country="IND", lists=["japan_2020"])
    with pytest.raises(NoData, match="no production by country"):
        risk(country="IND", minerals=["neodymium"])
