"""Reconciliation of stated world totals: hand-computed cases."""

import math

import pandas as pd
import pytest

from critmin.ingest.reconcile import compare_sources, reconcile_totals, rounding_granularity


def _obs(rows):
    base = {
        "dataset": "usgs_mcs2026",
        "commodity_id": "lithium",
        "series": "Mine production",
        "stage": "mine",
        "measure": "production",
        "year": 2024,
        "unit": "t",
        "basis": "lithium content",
        "flag": "",
        "note": "",
        "source_id": "f.csv",
        "commodity_source": "Lithium",
        "country_source": "",
    }
    return pd.DataFrame([{**base, "source_row": i + 2, **r} for i, r in enumerate(rows)])


@pytest.mark.parametrize(
    ("total", "gran"),
    [
        (222000.0, 1000.0),
        (290000.0, 10000.0),
        (7.0, 1.0),
        (1234.5, 1.0),
        (0.0, 1.0),
        (float("nan"), 1.0),
    ],
)
def test_rounding_granularity(total, gran):
    assert rounding_granularity(total) == gran


def test_exact_sum_matches():
    rec = reconcile_totals(
        _obs(
            [
                {"country_iso3": "AUS", "value": 60.0},
                {"country_iso3": "CHL", "value": 40.0},
                {"country_iso3": "WLD", "value": 100.0},
            ]
        )
    )
    (r,) = rec.itertuples()
    assert (r.countries_sum, r.gap, r.status, r.n_countries) == (100.0, 0.0, "matches", 2)


def test_others_are_part_of_the_world_total():
    rec = reconcile_totals(
        _obs(
            [
                {"country_iso3": "AUS", "value": 60.0},
                {"country_iso3": "ROW", "value": 15.0},
                {"country_iso3": "WLD", "value": 75.0},
            ]
        )
    )
    assert rec["gap"].iloc[0] == 0.0
    assert rec["others_stated"].iloc[0] == 15.0
    assert "Other countries" in rec["explanation"].iloc[0]


def test_rounded_total_within_granularity():
    # 222,970 of countries against a total rounded to 222,000: gap -970, granularity 1,000
    rec = reconcile_totals(
        _obs(
            [
                {"country_iso3": "AUS", "value": 200_000.0},
                {"country_iso3": "CHL", "value": 22_970.0},
                {"country_iso3": "WLD", "value": 222_000.0},
            ]
        )
    )
    r = rec.iloc[0]
    assert r["gap"] == -970.0
    assert math.isclose(r["gap_pct"], -970 / 2220, rel_tol=1e-12)
    assert r["status"] == "within rounding"


def test_withheld_country_explains_a_positive_gap():
    rec = reconcile_totals(
        _obs(
            [
                {"country_iso3": "USA", "value": float("nan"), "flag": "withheld"},
                {"country_iso3": "AUS", "value": 50_000.0},
                {"country_iso3": "WLD", "value": 64_000.0},
            ]
        )
    )
    r = rec.iloc[0]
    assert r["withheld"] == "USA" and r["gap"] == 14_000.0 and r["status"] == "explained"


def test_unexplained_gap_is_reported_not_hidden():
    rec = reconcile_totals(
        _obs(
            [
                {"country_iso3": "AUS", "value": 50_000.0},
                {"country_iso3": "WLD", "value": 64_321.0},
            ]
        )
    )
    assert rec["status"].iloc[0] == "gap"
    assert rec["world_stated"].iloc[0] == 64_321.0  # the stated total is kept


def test_compare_sources_uses_shares():
    usgs = _obs(
        [
            {"country_iso3": "AUS", "value": 60.0},
            {"country_iso3": "CHL", "value": 40.0},
            {"country_iso3": "WLD", "value": 100.0},
        ]
    )
    wmd = _obs(
        [
            {"country_iso3": "AUS", "value": 300.0, "dataset": "wmd", "unit": "t", "basis": "Li2O"},
            {"country_iso3": "CHL", "value": 100.0, "dataset": "wmd", "basis": "Li2O"},
        ]
    )
    cmp = compare_sources(pd.concat([usgs, wmd]))
    r = cmp.iloc[0]
    assert (r["top_a"], r["top_b"], bool(r["same_top"])) == ("AUS", "AUS", True)
    assert math.isclose(r["max_abs_share_diff"], 0.15)  # 0.75 - 0.60


def test_compare_sources_leaves_out_single_country_series_and_counts_a_repeat_once():
    usgs = _obs(
        [
            {"country_iso3": "AUS", "value": 60.0},
            {"country_iso3": "CHL", "value": 40.0},
            {"country_iso3": "CHL", "value": 40.0},  # listed twice, as USGS does for some rows
            {"country_iso3": "WLD", "value": 100.0},
        ]
    )
    salient = _obs(
        [{"country_iso3": "USA", "value": 5.0, "series": "Production: Mine", "year": 2023}]
    )
    wmd = _obs(
        [
            {"country_iso3": "AUS", "value": 50.0, "dataset": "wmd"},
            {"country_iso3": "CHL", "value": 50.0, "dataset": "wmd"},
            {"country_iso3": "AUS", "value": 50.0, "dataset": "wmd", "year": 2023},
            {"country_iso3": "CHL", "value": 50.0, "dataset": "wmd", "year": 2023},
        ]
    )
    cmp = compare_sources(pd.concat([usgs, salient, wmd]))
    # 2023 has only a U.S.-only salient series on the USGS side: no world table to compare
    assert list(cmp["year"]) == [2024]
    assert math.isclose(cmp["top_a_share"].iloc[0], 0.60)
    assert math.isclose(cmp["max_abs_share_diff"].iloc[0], 0.10)  # CHL 0.40 (not 0.80) vs 0.50


def _gap_case(rows):
    return reconcile_totals(_obs(rows)).iloc[0]


def test_group_of_countries_is_part_of_the_sum():
    r = _gap_case(
        [
            {"country_iso3": "USA_CAN", "value": 60.0},
            {"country_iso3": "CHN", "value": 40.0},
            {"country_iso3": "WLD", "value": 100.0},
        ]
    )
    assert r["countries_sum"] == 100.0 and r["status"] == "matches"


def test_country_repeated_with_the_same_figure_counts_once():
    r = _gap_case(
        [
            {"country_iso3": "USA", "value": 7.0},
            {"country_iso3": "USA", "value": 7.0},
            {"country_iso3": "ZAF", "value": 13.0},
            {"country_iso3": "WLD", "value": 20.0},
        ]
    )
    assert r["countries_sum"] == 20.0 and r["status"] == "matches"


def test_included_in_world_total_note_explains_a_positive_gap():
    r = _gap_case(
        [
            {"country_iso3": "AUT", "value": float("nan"), "note": "Included in World total"},
            {"country_iso3": "CHN", "value": 800.0},
            {"country_iso3": "WLD", "value": 1234.0},
        ]
    )
    assert r["status"] == "explained" and "AUT" in r["explanation"]


def test_power_of_ten_slip_stays_a_gap_and_is_described():
    r = _gap_case(
        [
            {"country_iso3": "CHN", "value": 30000.0},
            {"country_iso3": "IND", "value": 14000.0},
            {"country_iso3": "WLD", "value": 4400.0},
        ]
    )
    assert r["status"] == "gap"
    assert "10 times the stated total" in r["explanation"]


def test_rows_listed_after_the_total_are_named():
    r = _gap_case(
        [
            {"country_iso3": "GRC", "value": 60.0},
            {"country_iso3": "TUR", "value": 40.0},
            {"country_iso3": "WLD", "value": 100.0},
            {"country_iso3": "CHN", "value": 1500.0},
        ]
    )
    assert r["status"] == "explained" and "CHN" in r["explanation"]
    assert r["gap"] == -1500.0


def test_lower_bound_total_with_unlisted_remainder_is_explained():
    r = _gap_case(
        [
            {"country_iso3": "ZAF", "value": 350.0},
            {"country_iso3": "KAZ", "value": 230.0},
            {"country_iso3": "ROW", "value": float("nan"), "flag": "not_available"},
            {"country_iso3": "WLD", "value": 1234.0, "flag": "lower_bound;rounded"},
        ]
    )
    assert r["status"] == "explained" and "lower bound" in r["explanation"]


def test_lower_bound_total_below_its_rows_stays_a_gap():
    r = _gap_case(
        [
            {"country_iso3": "ZAF", "value": 1350.0},
            {"country_iso3": "WLD", "value": 1234.0, "flag": "lower_bound"},
        ]
    )
    assert r["status"] == "gap"
