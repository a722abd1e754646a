"""Scenario engine: hand-computed cases, invariants and the per-draw reference loop oracle."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from critmin.errors import MethodError, ScenarioError, UnknownCommodity
from critmin.scenarios import (
    Link,
    Network,
    rank_mitigations,
    run_ensemble,
    sample_parameters,
    sector_breakdown,
    share_matrix,
    synthetic_network,
    to_sectors,
)
from critmin.scenarios.engine import ramp_factor

REPO = Path(__file__).resolve().parents[2]


def _load_reference():
    path = REPO / "benchmarks" / "reference_loop.py"
    spec = importlib.util.spec_from_file_location("critmin_reference_loop", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


reference = _load_reference()


# --------------------------------------------------------------------------- hand network
#
# Two exporters, three importers, one commodity K1 [t]:
#
#             XXX  YYY  ZZZ   exports  production  domestic use  consumption
#     AAA      10   20   30       60         100            40           40
#     BBB       5    0   15       20          40            20           20
#     XXX, YYY, ZZZ produce nothing: consumption = imports = 15, 20, 45.


def hand_network() -> Network:
    trade = pd.DataFrame(
        {
            "year": 2023,
            "exporter_iso3": ["AAA", "AAA", "AAA", "BBB", "BBB"],
            "importer_iso3": ["XXX", "YYY", "ZZZ", "XXX", "ZZZ"],
            "commodity_id": "K1",
            "quantity_t": [10.0, 20.0, 30.0, 5.0, 15.0],
        }
    )
    prod = pd.DataFrame(
        {
            "country_iso3": ["AAA", "BBB", "WLD"],
            "commodity_id": "K1",
            "stage": "mine",
            "value": [100.0, 40.0, 140.0],
        }
    )
    return Network.from_frames(trade, prod)


def hand_spec(cut=0.5, duration=1.0, responses=None, **shock):
    return {
        "base_year": 2023,
        "horizon": {"start": 2025, "end": 2026},
        "shocks": [
            {"country": "AAA", "cut": cut, "start_year": 2025, "duration": duration, **shock}
        ],
        "responses": responses or {},
        "draws": 3,
        "seed": 11,
    }


def short(spec, net=None, **kw):
    """Per-draw shortfall of draw 0 as {importer: [t per year]} for commodity 0."""
    net = net or hand_network()
    res = run_ensemble(spec, net, keep_draws=True, **kw)
    s = res.shortfall[0, :, :, 0]
    return {c: list(s[:, i]) for i, c in enumerate(net.countries)}, res


def test_network_arrays_by_hand():
    net = hand_network()
    assert net.countries == ("AAA", "BBB", "XXX", "YYY", "ZZZ")  # WLD dropped
    np.testing.assert_array_equal(net.imports[0], [0, 0, 15, 20, 45])
    np.testing.assert_array_equal(net.exports[0], [60, 20, 0, 0, 0])
    np.testing.assert_array_equal(net.consumption[0], [40, 20, 15, 20, 45])
    np.testing.assert_array_equal(net.domestic_use[0], [40, 20, 0, 0, 0])
    assert net.n_clipped == 0


def test_half_cut_without_responses():
    # each importer loses 0.5 x its imports from AAA: 5, 10, 15; only while the shock lasts
    s, res = short(hand_spec())
    assert s["XXX"] == [5.0, 0.0]
    assert s["YYY"] == [10.0, 0.0]
    assert s["ZZZ"] == [15.0, 0.0]
    assert s["AAA"] == s["BBB"] == [0.0, 0.0]
    np.testing.assert_allclose(res.shortfall_q[:, 0, 2:, 0], [[5, 10, 15]] * 3)
    # % of apparent consumption: 5/15, 10/20, 15/45
    np.testing.assert_allclose(res.shortfall_pct_q[1, 0, 2:, 0], [100 / 3, 50, 100 / 3])
    assert np.isnan(res.shortfall_pct_q[1, 0, 0, 0]) is np.False_  # AAA consumes 40 t


def test_part_year_shock_scales_the_loss():
    s, _ = short(hand_spec(duration=0.5))
    assert s["YYY"] == [5.0, 0.0]
    s, _ = short(hand_spec(duration=1.5))
    assert s["YYY"] == [10.0, 5.0]


def test_destinations():
    s, _ = short(hand_spec(destinations={"all_except": ["YYY"]}))
    assert [s[c][0] for c in ("XXX", "YYY", "ZZZ")] == [5.0, 0.0, 15.0]
    s, _ = short(hand_spec(destinations=["XXX"]))
    assert [s[c][0] for c in ("XXX", "YYY", "ZZZ")] == [5.0, 0.0, 0.0]
    groups = {"GRP": ["YYY", "ZZZ", "QQQ"]}  # QQQ is not in the network: ignored
    s, _ = short(hand_spec(destinations=["GRP"]), resolve_group=groups.__getitem__)
    assert [s[c][0] for c in ("XXX", "YYY", "ZZZ")] == [0.0, 10.0, 15.0]
    s, _ = short(hand_spec(destinations={"all_except": ["GRP"]}), resolve_group=groups.__getitem__)
    assert [s[c][0] for c in ("XXX", "YYY", "ZZZ")] == [5.0, 0.0, 0.0]
    with pytest.raises(ScenarioError, match=r"shocks\[0\]\.destinations\[0\].*GRP"):
        run_ensemble(hand_spec(destinations=["GRP"]), hand_network())
    with pytest.raises(ScenarioError, match="unknown group|neither"):
        run_ensemble(
            hand_spec(destinations=["NOPE"]), hand_network(), resolve_group=groups.__getitem__
        )


def test_spare_capacity_redistribution_by_hand():
    # BBB (not shocked) has spare 0.25 x 40 = 10 t, offered to its customers that are
    # short -- XXX (flow 5) and ZZZ (flow 15) -- pro rata: 2.5 and 7.5.  BBB's own
    # domestic use (20) has no gap; YYY does not buy from BBB.
    resp = {"spare_capacity": {"by_country": {"BBB": 0.25}, "ramp_up_years": 0}}
    s, res = short(hand_spec(responses=resp))
    assert [s[c][0] for c in ("XXX", "YYY", "ZZZ")] == [2.5, 10.0, 7.5]
    c = res.components
    np.testing.assert_allclose(c["available"][0, 0, :, 0], [0, 10, 0, 0, 0])
    np.testing.assert_allclose(c["supplied"][0, 0, :, 0], [0, 10, 0, 0, 0])
    np.testing.assert_allclose(res.fill_mean[0, 1, 2:, 0], [2.5, 0, 7.5])
    wf = res.who_fills("ZZZ", "K1")
    assert list(wf.index) == [
        "BBB",
        "recycling",
        "demand response",
        "substitution",
        "stockpile",
        "shortfall",
    ]
    np.testing.assert_allclose(wf[2025].to_numpy(), [7.5, 0, 0, 0, 0, 7.5])
    np.testing.assert_allclose(wf.sum().to_numpy(), res.means["lost"][:, 4, 0])
    # full spare (40 t) caps at each customer's gap: 20 offered to XXX (gap 5), 30... no:
    # a = 40 / 20 = 2 -> offers 10 (XXX) and 30 (ZZZ); received 5 and 15
    resp["spare_capacity"]["by_country"]["BBB"] = 1.0
    s, res = short(hand_spec(responses=resp))
    assert [s[c][0] for c in ("XXX", "YYY", "ZZZ")] == [0.0, 10.0, 0.0]
    np.testing.assert_allclose(res.components["supplied"][0, 0, 1, 0], 20.0)


def test_ramp_up_by_hand():
    f = ramp_factor(np.array([0.0, 2.0, 1.0]), np.array([2025, 2026, 2027]), 2025.0)
    np.testing.assert_allclose(f, [[1, 1, 1], [0.25, 0.75, 1], [0.5, 1, 1]])
    np.testing.assert_allclose(ramp_factor(np.array([2.0]), np.array([2024]), 2025.0), [[0]])
    # BBB's full spare 40 t reaches 25% in 2025 (10 t: offers 2.5 and 7.5) and 75% in 2026
    # (30 t: offers 7.5 and 22.5, capped at the gaps 5 and 15)
    resp = {"spare_capacity": {"by_country": {"BBB": 1.0}, "ramp_up_years": 2}}
    s, _ = short(hand_spec(duration=2, responses=resp))
    assert s["XXX"] == [2.5, 0.0] and s["ZZZ"] == [7.5, 0.0] and s["YYY"] == [10.0, 10.0]


def test_demand_response_and_substitution_by_hand():
    # gap g: demand response removes 0.2 g, substitution 0.5 of the rest: 0.4 g remains
    resp = {"demand_elasticity": 0.2, "substitution": {"by_commodity": {"K1": 0.5}}}
    s, res = short(hand_spec(responses=resp))
    np.testing.assert_allclose([s[c][0] for c in ("XXX", "YYY", "ZZZ")], [2, 4, 6])
    np.testing.assert_allclose(res.components["demand"][0, 0, 2:, 0], [1, 2, 3])
    np.testing.assert_allclose(res.components["substitution"][0, 0, 2:, 0], [2, 4, 6])


def test_recycling_by_hand():
    net = hand_network()
    rec = np.zeros((2, 5, 1))
    rec[0, 3, 0] = 3.0  # YYY recycles 3 t in 2025, half of it available
    s, res = short(hand_spec(responses={"recycling_availability": 0.5}), net, recycling=rec)
    assert s["YYY"] == [8.5, 0.0]
    frame = pd.DataFrame(
        {"year": [2025], "country_iso3": ["YYY"], "commodity_id": ["K1"], "quantity_t": [3.0]}
    )
    s2, _ = short(hand_spec(responses={"recycling_availability": 0.5}), net, recycling=frame)
    assert s2 == s
    with pytest.raises(ScenarioError, match="shape"):
        run_ensemble(hand_spec(), net, recycling=np.zeros((1, 1, 1)))


def test_stockpile_by_hand():
    # ZZZ holds 73 days of 45 t = 9 t; its gap is 15 t/yr: stock lasts 9/15 yr = 7.2 months;
    # 2025 shortfall 15 - 9 = 6, 2026 15.  XXX without stock runs short at once (0 months).
    resp = {"stockpile_days": {"by_country": {"ZZZ": 73}}}
    s, res = short(hand_spec(duration=2, responses=resp))
    assert s["ZZZ"] == [6.0, 15.0]
    assert s["XXX"] == [5.0, 5.0]
    months = res.components  # per-draw months are summarised as quantiles
    np.testing.assert_allclose(res.months_q[:, 4, 0], 7.2)
    np.testing.assert_allclose(res.months_q[:, 2, 0], 0.0)
    assert np.isinf(res.months_q[:, 0, 0]).all()  # AAA never short
    assert months["stockpile"][0, :, 4, 0].tolist() == [9.0, 0.0]
    # a year of consumption for everyone covers two years of a 1/3 cut: never runs out
    s, res = short(hand_spec(duration=2, responses={"stockpile_days": 365}))
    assert all(v == 0 for c in s for v in s[c])
    assert np.isinf(res.months_q).all() and (res.p_stock_exhausted == 0).all()
    table = res.stockpile_table()
    assert set(table["importer_iso3"]) == {"XXX", "YYY", "ZZZ"}


def two_stage_network(feed_share=1.0) -> Network:
    # AAA mines ORE and sells 10 t to refiner XXX; XXX makes 8 t REF, sells 6 to YYY and
    # uses 2 at home.
    trade = pd.DataFrame(
        {
            "year": 2023,
            "exporter_iso3": ["AAA", "XXX"],
            "importer_iso3": ["XXX", "YYY"],
            "commodity_id": ["ORE", "REF"],
            "quantity_t": [10.0, 6.0],
        }
    )
    prod = pd.DataFrame(
        {
            "country_iso3": ["AAA", "XXX"],
            "commodity_id": ["ORE", "REF"],
            "stage": ["mine", "refinery"],
            "value": [50.0, 8.0],
        }
    )
    return Network.from_frames(trade, prod, [("ORE", "REF", feed_share)])


def test_refiner_output_falls_with_the_ore_it_cannot_import():
    net = two_stage_network()
    assert net.countries == ("AAA", "XXX", "YYY")
    k_ore, k_ref = net.commodity("ORE"), net.commodity("REF")
    spec = hand_spec(commodities=["ORE"])
    res = run_ensemble(spec, net, keep_draws=True)
    s = res.shortfall[0, 0]
    # XXX misses 5 of its 10 t of ore: delta = 0.5, so it makes 4 t less REF, taken pro
    # rata from its uses: 3 t from YYY's 6, 1 t from its own 2.
    assert s[1, k_ore] == 5.0
    np.testing.assert_allclose(s[:, k_ref], [0, 1, 3])
    # with a feed share of 0.5 only half of the refinery output depends on that ore
    res = run_ensemble(spec, two_stage_network(0.5), keep_draws=True)
    np.testing.assert_allclose(res.shortfall[0, 0, :, k_ref], [0, 0.5, 1.5])
    # a direct 50% cut of XXX's REF exports combines with the induced cut per flow:
    # YYY loses 6 x (1 - 0.5 x 0.5) = 4.5, XXX's own use still loses 1
    spec = hand_spec(commodities=["ORE"])
    spec["shocks"].append(
        {"country": "XXX", "commodities": ["REF"], "cut": 0.5, "start_year": 2025, "duration": 1}
    )
    res = run_ensemble(spec, net, keep_draws=True)
    np.testing.assert_allclose(res.shortfall[0, 0, :, k_ref], [0, 1, 4.5])


# --------------------------------------------------------------------------- invariants


FULL = {
    "base_year": 2023,
    "horizon": {"start": 2024, "end": 2028},
    "seed": 5,
    "draws": 60,
    "shocks": [
        {
            "country": "CHN",
            "cut": {"triangular": [0.2, 0.6, 1.0]},
            "start_year": 2024,
            "duration": 2.5,
            "destinations": {"all_except": ["XAA", "XAB"]},
        },
        {
            "country": "XAC",
            "commodities": ["K002", "K005"],
            "cut": {"uniform": [0, 1]},
            "start_year": 2025,
            "duration": 1,
        },
    ],
    "responses": {
        "spare_capacity": {
            "default": {"uniform": [0, 0.3]},
            "by_country": {"XAD": 0.5},
            "ramp_up_years": {"uniform": [0, 3]},
        },
        "stockpile_days": {"default": {"uniform": [0, 90]}, "by_country": {"XAE": 200}},
        "demand_elasticity": {"default": {"beta": [2, 5]}},
        "substitution": {"by_commodity": {"K003": 0.3}},
        "recycling_availability": {"uniform": [0.5, 1]},
    },
}


@pytest.fixture(scope="module")
def synth():
    return synthetic_network(25, 8, n_links=3, seed=2)


@pytest.fixture(scope="module")
def recycling():
    return np.random.default_rng(0).uniform(0, 50, (5, 25, 8))


@pytest.fixture(scope="module")
def full_run(synth, recycling):
    return run_ensemble(FULL, synth, keep_draws=True, chunk_size=16, recycling=recycling)


def test_matches_the_reference_loop(synth, recycling, full_run):
    ref = reference.run_reference(FULL, synth, recycling=recycling)
    for name in (
        "shortfall",
        "lost",
        "redirected",
        "recycled",
        "demand",
        "substitution",
        "stockpile",
        "supplied",
    ):
        scale = max(1.0, np.abs(ref[name]).max())
        np.testing.assert_allclose(
            full_run.components[name], ref[name], rtol=1e-9, atol=1e-10 * scale, err_msg=name
        )
    # months: quantiles of the reference's per-draw months
    q = np.quantile(ref["months"], [0.05, 0.5, 0.95], axis=0, method="inverted_cdf")
    np.testing.assert_allclose(full_run.months_q, q, rtol=1e-9)
    assert full_run.shortfall.sum() > 0 and full_run.components["redirected"].sum() > 0


def test_reference_loop_on_hand_cases():
    net = two_stage_network()
    spec = hand_spec(commodities=["ORE"])
    ref = reference.run_reference(spec, net)
    np.testing.assert_allclose(ref["shortfall"][0, 0, :, net.commodity("REF")], [0, 1, 3])


def test_invariants(full_run):
    c = full_run.components
    tol = 1e-9 * c["lost"].max()
    assert (c["shortfall"] >= 0).all()
    assert (c["shortfall"] <= c["lost"] + tol).all()
    total = (
        c["redirected"]
        + c["recycled"]
        + c["demand"]
        + c["substitution"]
        + c["stockpile"]
        + c["shortfall"]
    )
    np.testing.assert_allclose(total, c["lost"], atol=tol)
    for name in ("redirected", "recycled", "demand", "substitution", "stockpile"):
        assert (c[name] >= 0).all(), name
    # mass balance of redirected flows: no producer supplies more than its spare capacity,
    # and what producers supply is what importers receive
    assert (c["supplied"] <= c["available"] * (1 + 1e-12) + 1e-9).all()
    np.testing.assert_allclose(
        c["supplied"].sum(axis=2), c["redirected"].sum(axis=2), rtol=1e-9, atol=tol
    )
    # the summaries agree with the per-draw arrays
    np.testing.assert_allclose(
        full_run.means["shortfall"], c["shortfall"].mean(axis=0), rtol=1e-9, atol=tol
    )
    np.testing.assert_allclose(
        full_run.shortfall_q,
        np.quantile(c["shortfall"], [0.05, 0.5, 0.95], axis=0),
        rtol=1e-12,
        atol=tol,
    )
    # no gap, no exhausted stockpile
    never = c["lost"].sum(axis=(0, 1)) == 0
    assert np.isinf(full_run.months_q[:, never]).all()


def test_responses_never_increase_shortfall(synth, recycling, full_run):
    bare = {**FULL, "responses": {}}
    res = run_ensemble(bare, synth, keep_draws=True, chunk_size=16)
    # the same seed gives the same cuts (one random stream per parameter)
    assert (res.components["lost"] >= full_run.components["lost"] - 1e-9).all()
    np.testing.assert_array_equal(res.shortfall, res.components["lost"])
    assert (full_run.shortfall <= res.shortfall + 1e-9).all()
    assert full_run.shortfall.sum() < res.shortfall.sum()


def test_zero_cut_gives_zero_shortfall(synth):
    spec = {**FULL, "shocks": [{**s, "cut": 0} for s in FULL["shocks"]]}
    res = run_ensemble(spec, synth, keep_draws=True)
    for arr in res.components.values():
        assert not arr.any()
    assert not res.shortfall_q.any()
    assert np.isinf(res.months_q).all()


def test_seed_reproducibility(synth):
    a = run_ensemble(FULL, synth, keep_draws=True)
    b = run_ensemble(FULL, synth, keep_draws=True)
    np.testing.assert_array_equal(a.shortfall, b.shortfall)
    c = run_ensemble({**FULL, "seed": 6}, synth, keep_draws=True)
    assert not np.array_equal(a.shortfall, c.shortfall)
    unseeded = {k: v for k, v in FULL.items() if k != "seed"}
    d = run_ensemble(unseeded, synth, keep_draws=True)
    e = run_ensemble({**FULL, "seed": d.spec.seed}, synth, keep_draws=True)
    np.testing.assert_array_equal(d.shortfall, e.shortfall)


def test_parameter_streams_are_independent(synth):
    base = sample_parameters(FULL, synth)
    more = dict(FULL)
    more["responses"] = {
        **FULL["responses"],
        "stockpile_days": {
            "default": {"uniform": [0, 90]},
            "by_country": {"XAE": 200, "XAF": {"uniform": [0, 9]}},
        },
    }
    other = sample_parameters(more, synth)
    np.testing.assert_array_equal(base.cut, other.cut)
    np.testing.assert_array_equal(base.spare, other.spare)
    j = synth.country("XAF")
    assert not np.array_equal(base.stock_days[:, j], other.stock_days[:, j])
    # the first n draws of a longer run are the same numbers
    longer = sample_parameters(FULL, synth, n_draws=200)
    np.testing.assert_array_equal(longer.cut[:60], base.cut)


# --------------------------------------------------------------------------- binding errors


@pytest.mark.parametrize(
    ("shock", "needle"),
    [
        ({"country": "AAB"}, r"shocks\[0\]\.country.*did you mean AAA"),
        ({"commodities": ["K2"]}, r"shocks\[0\]\.commodities\[0\].*K1"),
        ({"stage": "refinery"}, r"shocks\[0\]\.stage.*mine"),
        ({"commodities": ["K1"], "stage": "refinery"}, "stage"),
    ],
)
def test_binding_errors(shock, needle):
    with pytest.raises(ScenarioError, match=needle):
        run_ensemble(hand_spec(**shock), hand_network())


def test_overlapping_shocks_are_refused():
    spec = hand_spec(duration=2)
    spec["shocks"].append(
        {"country": "AAA", "cut": 0.2, "start_year": 2026, "duration": 1, "destinations": ["YYY"]}
    )
    with pytest.raises(ScenarioError, match=r"shocks\[0\] and shocks\[1\].*merge"):
        run_ensemble(spec, hand_network())
    spec["shocks"][1]["destinations"] = {"all_except": ["XXX", "YYY", "ZZZ"]}
    run_ensemble(spec, hand_network())  # disjoint destinations are fine


def test_unknown_response_keys():
    with pytest.raises(ScenarioError, match=r"stockpile_days\.by_country\.JPN"):
        run_ensemble(
            hand_spec(responses={"stockpile_days": {"by_country": {"JPN": 5}}}), hand_network()
        )
    with pytest.raises(ScenarioError, match=r"substitution\.by_commodity\.K9"):
        run_ensemble(
            hand_spec(responses={"substitution": {"by_commodity": {"K9": 0.1}}}), hand_network()
        )


# --------------------------------------------------------------------------- network


def test_network_from_frames_contract():
    trade = pd.DataFrame(
        {
            "year": [2022, 2023, 2023, 2023, 2023],
            "exporter_iso3": ["AAA", "AAA", "AAA", "HUB", "AAA"],
            "importer_iso3": ["HUB", "HUB", "HUB", "YYY", "AAA"],
            "commodity_id": ["K1"] * 5,
            "quantity_t": [1.0, 6.0, 4.0, 12.0, 99.0],
        }
    )
    prod = pd.DataFrame(
        {
            "country_iso3": ["AAA"],
            "commodity_id": ["K1"],
            "stage": ["mine"],
            "value": [50.0],
            "year": [2023],
        }
    )
    with pytest.raises(MethodError, match="year="):
        Network.from_frames(trade, prod)
    net = Network.from_frames(trade, prod, year=2023)
    hub = net.country("HUB")
    assert net.flows[0, net.country("AAA"), hub] == 10.0  # duplicates summed
    assert net.flows[0, 0, 0] == 0.0  # exporter == importer dropped
    # the hub re-exports more than it imports: consumption 10 - 12 < 0 is clipped to 0
    assert net.consumption_unclipped[0, hub] == -2.0 and net.consumption[0, hub] == 0.0
    assert net.n_clipped == 1
    res = run_ensemble(hand_spec(), net)
    assert np.isnan(res.shortfall_pct_q[1, 0, hub, 0])  # undefined % of zero consumption
    back_trade, back_prod = net.to_frames()
    again = Network.from_frames(back_trade, back_prod)
    np.testing.assert_array_equal(again.flows, net.flows)
    with pytest.raises(MethodError, match="quantity_t"):
        Network.from_frames(trade.drop(columns="quantity_t"), prod)
    two_stage = pd.concat([prod, prod.assign(stage="refinery", value=20.0)])
    with pytest.raises(MethodError, match="stages="):
        Network.from_frames(trade, two_stage, year=2023)
    net = Network.from_frames(trade, two_stage, year=2023, stages={"K1": "refinery"})
    assert net.production[0, net.country("AAA")] == 20.0 and net.stages == ("refinery",)
    with pytest.raises(MethodError, match="negative"):
        Network.from_frames(trade.assign(quantity_t=-1.0), prod, year=2023)


def test_links_are_checked():
    net = hand_network()
    args = {
        "year": 2023,
        "countries": net.countries,
        "commodities": ("A", "B"),
        "stages": ("mine", "refinery"),
        "flows": np.zeros((2, 5, 5)),
        "production": np.zeros((2, 5)),
    }
    with pytest.raises(MethodError, match="cycle"):
        Network(**args, links=[Link("A", "B", 0.5), Link("B", "A", 0.5)])
    with pytest.raises(MethodError, match="feed_share"):
        Network(**args, links=[Link("A", "B", 1.5)])
    with pytest.raises(UnknownCommodity):
        Network(**args, links=[("A", "C", 0.5)])
    with pytest.raises(MethodError, match="sum to more than 1"):
        Network(
            **{
                **args,
                "commodities": ("A", "B", "C"),
                "stages": ("m", "m", "r"),
                "flows": np.zeros((3, 5, 5)),
                "production": np.zeros((3, 5)),
            },
            links=[("A", "C", 0.6), ("B", "C", 0.6)],
        )
    with pytest.raises(MethodError, match="diagonal"):
        Network(**{**args, "flows": np.ones((2, 5, 5))})


# --------------------------------------------------------------------------- mitigations


def test_rank_mitigations_by_hand():
    # ZZZ loses 15 t in each of 2 years (30 t).  Expanding BBB by 0.25 (10 t) gives ZZZ
    # 7.5 t a year (15 t saved); 73 days of stock (9 t) saves 9 t.
    spec = hand_spec(duration=2)
    table = rank_mitigations(
        spec,
        hand_network(),
        "ZZZ",
        partner_expansion=0.25,
        ramp_up_years=0,
        stockpile_days=73,
        candidates={"substitute 10%": {"substitution": 0.1}},
    )
    assert list(table["mitigation"]) == [
        "baseline",
        "expand BBB",
        "stockpile ZZZ",
        "substitute 10%",
    ]
    np.testing.assert_allclose(table["p50_shortfall_t"], [30, 15, 21, 27])
    np.testing.assert_allclose(table["reduction_t"], [0, 15, 9, 3])
    np.testing.assert_allclose(table["reduction_pct"], [0, 50, 30, 10])
    with pytest.raises(ScenarioError, match="ramp_up_years"):
        rank_mitigations(spec, hand_network(), "ZZZ", partner_expansion=0.25)


# --------------------------------------------------------------------------- sectors


SHARES = pd.DataFrame(
    {
        "commodity_id": ["K1", "K1", "K9"],
        "sector": ["magnets", "catalysts", "magnets"],
        "share": [0.6, 0.3, 1.0],
    }
)


def test_share_matrix():
    h, sectors = share_matrix(SHARES, ["K1", "K2"])
    assert sectors == ["catalysts", "magnets", "other/unallocated"]
    np.testing.assert_allclose(h, [[0.3, 0.6, 0.1], [0, 0, 1]])
    np.testing.assert_allclose(to_sectors(np.array([[10.0, 5.0]]), h), [[3, 6, 6]])
    with pytest.raises(MethodError, match="sum to more than 1"):
        share_matrix(SHARES.assign(share=[0.7, 0.4, 1.0]), ["K1"])
    with pytest.raises(MethodError, match=r"\[0, 1\]"):
        share_matrix(SHARES.assign(share=[-0.1, 0.4, 1.0]), ["K1"])
    with pytest.raises(MethodError, match="more than once"):
        share_matrix(pd.concat([SHARES, SHARES]), ["K1"])
    with pytest.raises(MethodError, match="columns"):
        share_matrix(SHARES.drop(columns="share"), ["K1"])


def test_sector_results():
    res = run_ensemble(
        hand_spec(cut={"uniform": [0.2, 0.8]}),
        hand_network(),
        sector_shares=SHARES,
        keep_draws=True,
        n_draws=50,
    )
    assert res.sectors == ("catalysts", "magnets", "other/unallocated")
    per_draw = res.shortfall[..., 0:1] * np.array([0.3, 0.6, 0.1])
    np.testing.assert_allclose(res.sector_q, np.quantile(per_draw, [0.05, 0.5, 0.95], axis=0))
    cons = hand_network().consumption[0][:, None] * np.array([0.3, 0.6, 0.1])
    np.testing.assert_allclose(res.sector_pct_q[1, 0, 2:], 100 * res.sector_q[1, 0, 2:] / cons[2:])
    table = res.sector_table()
    assert set(table["sector"]) == set(res.sectors)
    brk = sector_breakdown(res, SHARES)
    row = brk[(brk.importer_iso3 == "ZZZ") & (brk.sector == "magnets") & (brk.year == 2025)]
    assert math.isclose(row["p50_t"].iloc[0], 0.6 * res.shortfall_q[1, 0, 4, 0])
