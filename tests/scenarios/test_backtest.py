"""Backtest: predicted against observed flows for Indonesia 2020 and China 2023."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from critmin.errors import ScenarioError
from critmin.scenarios.backtest import COMTRADE_FILE, EVENTS, backtest_all, headline
from critmin.store import get_store

DOCS = Path(__file__).resolve().parents[2] / "docs" / "backtest.md"


@pytest.fixture(scope="module")
def results(shared_data):
    return backtest_all(comtrade_path=shared_data / COMTRADE_FILE)


def test_numbers_for_both_events(results):
    assert set(results) == set(EVENTS) == {"indonesia_nickel_ore_2020", "china_ga_ge_graphite_2023"}
    idn = results["indonesia_nickel_ore_2020"].yearly
    assert list(idn["year"]) == [2020, 2021, 2022, 2023, 2024]
    chn = results["china_ga_ge_graphite_2023"].yearly
    baci = chn[chn["source"] == "BACI"]
    assert set(baci["hs6"]) == {"250410", "250490", "all"} and set(baci["year"]) == {2023, 2024}
    assert set(chn.loc[chn["source"] != "BACI", "hs6"]) == {"811292"}
    for r in results.values():
        y = r.yearly
        cols = ["observed_change_pct", "pred_p50_change_pct", "error_pp", "mae_share", "skill"]
        assert np.isfinite(y[cols].to_numpy(float)).all()
    notes = " ".join(results["china_ga_ge_graphite_2023"].notes)
    assert "gallium" in notes and "germanium" in notes and "811292 mixes" in notes


def test_observed_change_is_baci(results):
    q = (
        get_store()
        .query(
            "SELECT year, sum(quantity_t) AS q FROM trade WHERE exporter_iso3 = 'IDN' AND "
            "hs6 = '260400' AND year IN (2019, 2020) GROUP BY year ORDER BY year"
        )["q"]
        .to_numpy()
    )
    row = results["indonesia_nickel_ore_2020"].yearly.iloc[0]
    assert row["base_t"] == pytest.approx(q[0])
    assert row["observed_change_pct"] == pytest.approx(100 * (q[1] - q[0]) / q[0])
    assert row["pred_p50_change_pct"] == pytest.approx(-100.0)  # a ban: cut = 1


def test_metrics_are_as_defined(results):
    for r in results.values():
        y = r.yearly
        np.testing.assert_allclose(
            y["error_pp"], y["pred_p50_change_pct"] - y["observed_change_pct"]
        )
        np.testing.assert_allclose(y["skill"], 1 - y["mae_share"] / y["naive_mae_share"])
        assert y["coverage"].between(0, 1).all()
        assert (y["pred_p5_change_pct"] <= y["pred_p50_change_pct"] + 1e-9).all()
        assert (y["pred_p50_change_pct"] <= y["pred_p95_change_pct"] + 1e-9).all()
        inside = (y["observed_change_pct"] >= y["pred_p5_change_pct"] - 1e-9) & (
            y["observed_change_pct"] <= y["pred_p95_change_pct"] + 1e-9
        )
        assert (inside == y["inside_band"]).all()
        # per importer: the predicted flows never go below zero nor above the base
        imp = r.importers
        assert (imp["pred_p50_t"] >= -1e-6).all() and (
            imp["pred_p95_t"] <= imp["base_t"] + 1e-6
        ).all()
        # mae from the importer table
        for (src, year, code), g in imp.groupby(["source", "year", "hs6"]):
            row = y[(y["source"] == src) & (y["year"] == year) & (y["hs6"] == code)].iloc[0]
            d_obs = g["observed_t"] - g["base_t"]
            d_pred = g["pred_p50_t"] - g["base_t"]
            assert row["mae_share"] == pytest.approx(
                (d_pred - d_obs).abs().sum() / g["base_t"].sum()
            )


def test_docs_report_the_numbers(results):
    text = DOCS.read_text(encoding="utf-8")
    for r in headline(results).itertuples():
        if r.hs6 == "all" or r.source != "BACI" or r.event == "indonesia_nickel_ore_2020":
            assert f"{r.observed_change_pct:+.1f}" in text, (r.event, r.year)
            assert f"{r.error_pp:+.1f}" in text, (r.event, r.year)


def test_unknown_event():
    from critmin.scenarios.backtest import backtest

    with pytest.raises(ScenarioError, match="indonesia_nickel_ore_2020"):
        backtest("nickel")
