"""Default recovery runs: bands from the published ranges, mass balance, regions, overrides.

Hand-computed checks: with every range collapsed the draws equal the model's own
secondary supply; India's lithium yield is (0.70 x EV-battery EoL + 0.05 x grid-battery
EoL) / EoL (BWMR collection target for EV batteries, World rate for grid batteries) x a
recovery efficiency in [0.70, 0.90] (BWMR recovery targets).  Leaving out is tested on a
copy of the defaults with two rows blanked (a made-up test table).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from critmin.circular.defaults import DEFAULTS_CSV
from critmin.circular.uncertainty import default_recovery


@pytest.fixture(scope="module")
def dr():
    return default_recovery(n_draws=300, seed=3)


def test_bands_are_ordered_and_never_exceed_the_end_of_life_flow(dr):
    b = dr.bands()
    assert (b["p5_t"] <= b["p50_t"] + 1e-9).all() and (b["p50_t"] <= b["p95_t"] + 1e-9).all()
    assert (b["p95_t"] <= b["eol_t"] * (1 + 1e-12) + 1e-9).all()
    assert (dr.draws_recovered >= 0).all()
    assert len(dr.run.violations) == 0  # the central run's mass balance holds
    s = dr.summary()
    assert (s["p50_cum_t"] <= s["eol_cum_t"]).all()
    assert s["last_year"].iloc[0] == 2040


def _blanked_defaults(tmp_path):
    """The shipped table with the grid-battery lifetime and the Pr magnet rate unsourced."""
    d = pd.read_csv(DEFAULTS_CSV, dtype=str, keep_default_na=False)
    gone = ((d["parameter"] == "lifetime_mean") & (d["product"] == "grid_storage_battery")) | (
        (d["parameter"] == "recovery_efficiency") & (d["element"] == "Pr")
    )
    cols = ["value", "low", "high", "source_title", "organisation", "year", "locator", "url"]
    d.loc[gone, cols] = ""
    d.loc[gone, "note"] = "unsourced: blanked for this test"
    path = tmp_path / "blanked.csv"
    d.to_csv(path, index=False)
    return path


def test_unsourced_products_are_left_out_and_listed(dr, tmp_path):
    assert dr.left_out.empty  # the shipped table sources every IEA product and route
    run = default_recovery(n_draws=20, defaults=_blanked_defaults(tmp_path))
    lost = set(run.left_out["product"])
    assert "grid_storage_battery" in lost
    assert "grid_storage_battery" not in run.run.result.products
    # Pr has no sourced magnet recovery rate: only the Pr pairs are dropped
    pairs = set(zip(run.left_out["product"], run.left_out["element"], strict=True))
    assert {("wind_turbine_magnet", "Pr"), ("ev_motor_magnet", "Pr")} <= pairs
    assert ("wind_turbine_magnet", "Nd") not in pairs
    assert "wind_turbine_magnet" in run.run.result.products
    assert (run.left_out["inflow_left_out_t"] > 0).all()
    assert run.left_out["note"].str.contains("blanked for this test").all()


def test_collapsed_ranges_reproduce_the_model(tmp_path):
    d = pd.read_csv(DEFAULTS_CSV, dtype=str, keep_default_na=False)
    rate = d["parameter"].isin(["collection_rate", "recovery_efficiency"]) & (d["low"] != "")
    mid = (d.loc[rate, "low"].astype(float) + d.loc[rate, "high"].astype(float)) / 2
    d.loc[rate, "value"] = mid.map(repr)
    d.loc[rate, ["low", "high"]] = ""
    path = tmp_path / "fixed.csv"
    d.to_csv(path, index=False)
    run = default_recovery(n_draws=2, defaults=path)
    model = run.run.result.recovered.sum(axis=(1, 3))
    np.testing.assert_allclose(run.draws_recovered[0], model, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(run.draws_recovered[1], model, rtol=1e-12, atol=1e-9)


def test_india_lithium_yield_is_collection_target_times_recovery_target(dr):
    y = dr.regional_yield().set_index(["region", "element"])
    li = y.loc[("India", "Li")]
    res = dr.run.result
    ti = [res.years.index(t) for t in dr.window()]
    e = res.elements.index("Li")
    eol = res.eol[ti].sum(axis=(0, 3))[:, e]  # per product, cumulated over the window
    ev, gs = (eol[res.products.index(p)] for p in ("ev_battery", "grid_storage_battery"))
    assert eol.sum() == pytest.approx(ev + gs)  # lithium only in the two battery products
    cr = (0.70 * ev + 0.05 * gs) / (ev + gs)
    assert cr * 0.70 - 1e-9 <= li["p5"] <= li["p50"] <= li["p95"] <= cr * 0.90 + 1e-9
    us = y.loc[("United States", "Li")]
    # US collection 0-5 % (DOE) x EU Annex XII Part B 65-70 %
    assert 0 <= us["p5"] and us["p95"] <= 0.05 * 0.70 + 1e-9
    w = y.loc[("World", "Li")]
    assert 0.05 * 0.65 - 1e-9 <= w["p5"] <= w["p95"] <= 0.05 * 0.70 + 1e-9


def test_a_user_row_overrides_the_default_in_every_draw():
    run = default_recovery(n_draws=50, params={("collection_rate", "ev_battery"): 0.5})
    res = run.run.result
    i = res.products.index("ev_battery")
    assert res.collection_rate[i] == 0.5
    e = res.elements.index("Li")
    eol = res.eol[:, i, e, :].sum()
    eol_gs = res.eol[:, res.products.index("grid_storage_battery"), e, :].sum()
    rec = run.draws_recovered[:, :, e].sum(axis=1)
    # Li from EV batteries (your 0.5) and grid batteries (default 0.05), both x one battery
    # recovery efficiency drawn in [0.65, 0.70]
    base = 0.5 * eol + 0.05 * eol_gs
    assert np.all(rec >= 0.65 * base * (1 - 1e-12)) and np.all(rec <= 0.70 * base * (1 + 1e-12))


def test_iea_inflows_are_world_only():
    from critmin.circular.products import ParameterError

    with pytest.raises(ParameterError, match="World only"):
        default_recovery("India", n_draws=5)
