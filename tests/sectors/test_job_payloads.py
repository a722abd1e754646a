"""Dashboard payloads: sectors per scenario pair; a recovery job without parameters."""

from __future__ import annotations

import pytest

from critmin.api_server import _tasks


def test_recovery_job_without_parameters_uses_the_defaults():
    out = _tasks.run_recovery({}, lambda *a: None)
    bands = {r["element"]: r for r in out["bands"]}
    assert {"Li", "Co", "Ni"} <= set(bands)
    for r in bands.values():
        assert r["p5_cum_t"] <= r["p50_cum_t"] <= r["p95_cum_t"] <= r["eol_cum_t"] * (1 + 1e-12)
    # the shipped defaults source every IEA product and route (issue 9): nothing left out
    assert out["left_out"] == [] and {"Nd", "Pr", "Dy", "Tb"} <= set(bands)
    assert "defaults.csv" in out["parameters_basis"]


def test_scenario_pairs_carry_their_sector_split():
    from critmin.scenarios.runner import run_scenario

    run = run_scenario("drc_cobalt_quota_2025", n_draws=200, seed=2)
    out = _tasks.summarise_run(run)
    pair = out["pairs"][0]
    sec = pair["sectors"]
    assert sec and {"batteries and EVs", "other/unallocated"} <= {s["sector"] for s in sec}
    assert sum(s["share"] for s in sec) == pytest.approx(1.0)
    st = run.tables["shortfall"]
    p50 = st[
        (st["importer_iso3"] == pair["importer"])
        & (st["commodity_id"] == pair["commodity"])
        & (st["year"] == pair["peak_year"])
    ]["p50_t"].iloc[0]
    assert sum(s["p50_t"] for s in sec) == pytest.approx(p50)
