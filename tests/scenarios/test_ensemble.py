"""Ensemble runner: chunk-size invariance, thread pool and Dask cluster give the same numbers."""

from __future__ import annotations

import numpy as np
import pytest

import critmin.scenarios as scenarios
from critmin.errors import ScenarioError
from critmin.scenarios import run_ensemble, synthetic_network

SPEC = {
    "name": "synthetic-china",
    "base_year": 2023,
    "horizon": {"start": 2025, "end": 2028},
    "seed": 123,
    "draws": 250,
    "shocks": [
        {
            "country": "CHN",
            "cut": {"beta": [3, 2]},
            "start_year": 2025,
            "duration": 2,
            "destinations": {"all_except": ["XAA"]},
        },
    ],
    "responses": {
        "spare_capacity": {"default": {"uniform": [0, 0.2]}, "ramp_up_years": {"fixed": 1.5}},
        "stockpile_days": {"default": {"triangular": [0, 30, 90]}},
        "demand_elasticity": {"default": {"uniform": [0, 0.2]}},
        "substitution": {"default": 0.05},
    },
}

FIELDS = ("shortfall_q", "shortfall_pct_q", "months_q", "p_stock_exhausted", "supplied_mean")


@pytest.fixture(scope="module")
def net():
    return synthetic_network(40, 10, n_links=3, seed=9)


@pytest.fixture(scope="module")
def local(net):
    return run_ensemble(SPEC, net, chunk_size=64, keep_draws=True, track=["XAB", "XAC"])


def assert_same(a, b, exact: bool):
    check = (
        np.testing.assert_array_equal
        if exact
        else lambda x, y: np.testing.assert_allclose(x, y, rtol=1e-11, atol=1e-9)
    )
    for f in FIELDS:
        check(getattr(a, f), getattr(b, f))
    for name in a.means:
        check(a.means[name], b.means[name])
    check(a.fill_mean, b.fill_mean)
    if a.components is not None and b.components is not None:
        for name in a.components:
            check(a.components[name], b.components[name])


@pytest.mark.parametrize("chunk_size", [1, 7, 100, 250, 10_000])
def test_chunk_size_does_not_change_results(net, local, chunk_size):
    # random numbers are drawn up front, so every chunking sees the same draws; only the
    # summation order inside BLAS products differs (floating-point rounding)
    other = run_ensemble(SPEC, net, chunk_size=chunk_size, keep_draws=True)
    assert_same(local, other, exact=False)
    np.testing.assert_allclose(other.shortfall, local.shortfall, rtol=1e-11, atol=1e-9)


def test_thread_pool_gives_identical_results(net, local):
    threaded = run_ensemble(SPEC, net, chunk_size=64, keep_draws=True, threads=2)
    assert_same(local, threaded, exact=True)


def test_dask_cluster_gives_identical_results(net, local):
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2, processes=False, threads_per_worker=1, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        remote = run_ensemble(
            SPEC, net, chunk_size=64, keep_draws=True, client=client, track=["XAB", "XAC"]
        )
        other_chunks = run_ensemble(SPEC, net, chunk_size=100, client=client)
    assert_same(local, remote, exact=True)
    np.testing.assert_array_equal(local.tracked, remote.tracked)
    assert_same(local, other_chunks, exact=False)
    assert remote.flops == local.flops


def test_tracked_and_draw_prefix(net, local):
    j = [net.country("XAB"), net.country("XAC")]
    np.testing.assert_array_equal(local.tracked, local.shortfall[:, :, j, :])
    short = run_ensemble(SPEC, net, n_draws=50, keep_draws=True)
    np.testing.assert_allclose(short.shortfall, local.shortfall[:50], rtol=1e-11, atol=1e-9)


def test_result_tables(net, local):
    table = local.shortfall_table()
    assert list(table.columns) == [
        "year",
        "importer_iso3",
        "commodity_id",
        "consumption_t",
        "p5_t",
        "p50_t",
        "p95_t",
        "mean_t",
        "p5_pct",
        "p50_pct",
        "p95_pct",
    ]
    assert len(table) > 0 and (table["p95_t"] > 0).all()
    assert (table["p5_t"] <= table["p50_t"]).all() and (table["p50_t"] <= table["p95_t"]).all()
    assert set(table["year"]) <= {2025, 2026}  # the shock lasts two years
    row = table.sort_values("p50_t").iloc[-1]
    wf = local.who_fills(row["importer_iso3"], row["commodity_id"])
    j, k = net.country(row["importer_iso3"]), net.commodity(row["commodity_id"])
    np.testing.assert_allclose(wf.sum().to_numpy(), local.means["lost"][:, j, k], rtol=1e-9)
    stock = local.stockpile_table()
    assert {"p50_months", "p_exhausted"} <= set(stock.columns)
    assert ((stock["p_exhausted"] >= 0) & (stock["p_exhausted"] <= 1)).all()
    with pytest.raises(ScenarioError, match="sector_shares"):
        local.sector_table()
    assert local.timings["total"] > 0 and local.flops > 0


def test_no_per_draw_arrays_unless_asked(net):
    res = run_ensemble(SPEC, net, n_draws=20)
    assert res.components is None and res.tracked is None
    with pytest.raises(ScenarioError, match="keep_draws"):
        _ = res.shortfall
    with pytest.raises(ScenarioError, match="chunk_size"):
        run_ensemble(SPEC, net, chunk_size=0)


def test_unaffected_commodities_are_zero(net):
    spec = dict(SPEC)
    spec["shocks"] = [{**SPEC["shocks"][0], "commodities": ["K009"]}]
    res = run_ensemble(spec, net, n_draws=30)
    others = [k for k in range(len(net.commodities)) if net.commodities[k] != "K009"]
    assert not res.shortfall_q[..., others].any()
    assert res.shortfall_q[..., net.commodity("K009")].any()


def test_public_api():
    names = {n for n in dir(scenarios) if not n.startswith("_")}
    modules = {n for n in names if type(getattr(scenarios, n)).__name__ == "module"}
    assert set(scenarios.__all__) == names - modules
