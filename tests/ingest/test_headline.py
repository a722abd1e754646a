"""Headline-series rules on hand-made rows (made-up values)."""

import logging

import pandas as pd

from critmin.ingest.headline import HEADLINE_RULES, headline_mask, headline_rule


def _rows(rows):
    cols = ["dataset", "commodity_id", "stage", "measure", "series", "basis", "year"]
    cols += ["country_iso3", "value"]
    return pd.DataFrame(rows, columns=cols)


def test_a_rule_keeps_its_series_in_every_edition_and_year():
    # the per-year largest total flips (metal 60 > ferro 50 in 2024; ferro 70 > metal 40 in
    # 2025); the rule keeps silicon metal in both years and both label spellings
    df = _rows(
        [
            ("usgs_mcs2025", "silicon", "smelter", "production", "Plant production, silicon metal",
             "", 2023, "WLD", 30.0),
            ("usgs_mcs2025", "silicon", "smelter", "production",
             "Plant production, Ferosilicon, silicon content", "silicon content", 2023, "WLD", 90.0),
            ("usgs_mcs2026", "silicon", "smelter", "production", "Silicon metal",
             "silicon content", 2024, "WLD", 60.0),
            ("usgs_mcs2026", "silicon", "smelter", "production", "Ferrosilicon",
             "silicon content", 2024, "WLD", 50.0),
            ("usgs_mcs2026", "silicon", "smelter", "production", "Silicon metal",
             "silicon content", 2025, "WLD", 40.0),
            ("usgs_mcs2026", "silicon", "smelter", "production", "Ferrosilicon",
             "silicon content", 2025, "WLD", 70.0),
        ]
    )  # fmt: skip
    keep = df[headline_mask(df)]
    assert keep["year"].tolist() == [2023, 2024, 2025]
    assert all("silicon metal" in s.lower() for s in keep["series"])


def test_a_rule_can_match_the_basis():
    df = _rows(
        [
            ("usgs_mcs2025", "chromium", "mine", "reserves", "Reserves", "gross weight", 2024,
             "WLD", 9.0),
            ("usgs_mcs2026", "chromium", "mine", "reserves", "Reserves: Cr2O3 content",
             "Cr2O3 content", 2025, "WLD", 4.0),
        ]
    )  # fmt: skip
    assert headline_mask(df).tolist() == [True, False]


def test_without_a_rule_one_series_is_kept_whole():
    df = _rows(
        [
            ("usgs_mcs2026", "lithium", "mine", "production", "Mine production", "lithium content",
             y, c, v)
            for y in (2024, 2025)
            for c, v in (("AUS", 5.0), ("WLD", 9.0))
        ]
    )  # fmt: skip
    assert headline_mask(df).all()


def test_fallback_keeps_the_largest_total_over_all_years_and_warns(caplog):
    # a per-year choice would take B in 2024 (8 > 5) and A in 2025 (9 > 1); over both years A
    # totals 14 and B 9, so A is kept in both years
    df = _rows(
        [
            ("usgs_mcs2027", "newium", "mine", "production", "A", "", 2024, "WLD", 5.0),
            ("usgs_mcs2027", "newium", "mine", "production", "B", "", 2024, "WLD", 8.0),
            ("usgs_mcs2027", "newium", "mine", "production", "A", "", 2025, "WLD", 9.0),
            ("usgs_mcs2027", "newium", "mine", "production", "B", "", 2025, "WLD", 1.0),
        ]
    )
    with caplog.at_level(logging.WARNING, logger="critmin.ingest.headline"):
        keep = df[headline_mask(df)]
    assert keep["series"].tolist() == ["A", "A"]
    assert "HEADLINE_RULES" in caplog.text
    assert headline_mask(df, fallback=False).all()  # callers that choose for themselves


def test_every_rule_is_a_known_stage_and_measure_with_a_reason():
    from critmin.ingest._common import MEASURES, STAGES

    for (cid, stage, measure), (pattern, reason) in HEADLINE_RULES.items():
        assert stage in STAGES and measure in MEASURES, cid
        assert pattern and len(reason) > 20
        assert headline_rule(cid, stage, measure) == (pattern, reason)
