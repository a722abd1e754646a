"""The planner on the shipped dataset: invariants, cross-checks and errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from critmin import api, plan
from critmin.errors import MethodError, UnknownCommodity, UnknownCountry
from critmin.plan import PlanInfeasible


@pytest.fixture(scope="module")
def li_ind():
    return plan.partners("lithium", "IND", stage="refinery")


def test_partners_invariants(li_ind):
    mix = li_ind.mix
    assert mix["optimum_share"].sum() == pytest.approx(1.0)
    assert mix["today_share"].sum() == pytest.approx(1.0)
    has_cap = mix["capacity_t"].notna()
    assert (mix.loc[has_cap, "optimum_t"] <= mix.loc[has_cap, "capacity_t"] * (1 + 1e-9)).all()
    assert (mix.loc[~has_cap, "optimum_t"] == 0).all()  # no cost figure -> not planned
    # today's deliveries are a floor of capacity (re-exporters keep what they ship today)
    assert (mix.loc[has_cap, "capacity_t"] >= mix.loc[has_cap, "today_t"] - 1e-9).all()
    assert li_ind.summary["optimum_hhi_wgi"] <= li_ind.summary["today_hhi_wgi"] + 1e-9


def test_partners_frontier_monotone(li_ind):
    fr = li_ind.frontier
    assert len(fr) >= 5
    assert (np.diff(fr["budget_usd_per_t"]) >= 0).all()
    assert (np.diff(fr["risk"]) <= 1e-9).all()
    assert fr["risk"].iloc[-1] == pytest.approx(li_ind.summary["optimum_hhi_wgi"], rel=1e-6)


def test_today_matches_baci_trade(li_ind):
    # today's imports equal IND's BACI imports of 282520 in 2024 read through critmin.api.trade
    tr = api.trade("lithium", year=2024, importer="IND")
    tr = tr[tr["hs6"].astype(str) == "282520"]
    assert li_ind.summary["demand_t"] == pytest.approx(float(tr["quantity_t"].sum()), rel=1e-9)


def test_bloc_only_and_exclusion():
    msp = set(api.group_members("MSP"))
    p = plan.partners("lithium", "IND", stage="refinery", bloc="MSP")
    used = set(p.mix.loc[p.mix["optimum_share"] > 0, "supplier"])
    assert used <= msp
    q = plan.partners("lithium", "IND", stage="refinery", exclude="CHN")
    assert q.mix.set_index("supplier").loc["CHN", "optimum_share"] == 0.0


def test_objectives_differ_in_what_they_minimise():
    lin = plan.partners("lithium", "IND", stage="refinery", objective="import_risk")
    quad = plan.partners("lithium", "IND", stage="refinery", objective="hhi")
    assert lin.summary["optimum_import_risk"] <= quad.summary["optimum_import_risk"] + 1e-9
    assert quad.summary["optimum_hhi"] <= lin.summary["optimum_hhi"] + 1e-9


def test_infeasible_demand_gives_one_fix():
    with pytest.raises(PlanInfeasible, match=r"IND 282520.*fix"):
        plan.partners("lithium", "IND", stage="refinery", bloc="TRUST", demand_t=1e9)


@pytest.mark.parametrize(
    ("kwargs", "err", "match"),
    [
        ({"commodity": "lithum"}, UnknownCommodity, "lithium"),
        ({"importer": "Indai"}, UnknownCountry, "India"),
        ({"stage": "smelting"}, MethodError, "refinery"),
        ({"objective": "risk"}, MethodError, "hhi_wgi"),
    ],
)
def test_bad_requests(kwargs, err, match):
    args = {"commodity": "lithium", "importer": "IND"}
    args.update(kwargs)
    with pytest.raises(err, match=match):
        plan.partners(**args)


def test_stress_matches_closed_form():
    p = plan.stress("lithium", "IND", stage="refinery", threshold=0.2, sector="defence")
    t = p.table.dropna(subset=["closed_form"])
    assert len(t) >= 1
    # no response: the engine's shortfall is the withheld delivery -> bisection = formula
    np.testing.assert_allclose(t["cut_p50"], t["closed_form"], atol=1.5e-3)
    np.testing.assert_allclose(t["cut_p95"], t["cut_p50"])
    # a cut that breaks withholds threshold x consumption
    np.testing.assert_allclose(
        t["withheld_p50_t"], 0.2 * p.summary["consumption_t"], rtol=2e-3 / t["cut_p50"].min()
    )
    assert "whole apparent consumption" in p.notes[0]


def test_stress_with_spare_needs_a_bigger_cut():
    base = plan.stress("lithium", "IND", stage="refinery", threshold=0.2, top=1)
    resp = plan.stress("lithium", "IND", stage="refinery", threshold=0.2, top=1, spare=(0.0, 0.3))
    r0, r1 = base.table.iloc[0], resp.table.iloc[0]
    assert r1["cut_p95"] >= r0["cut_p95"] - 1e-3  # spare capacity only narrows the gap
    assert r1["cut_p50"] >= r1["cut_p95"] - 1e-3 or np.isnan(r1["cut_p50"])


def test_stockpile_invariants():
    p95 = plan.stockpile("china_ree_2025", "IND", cover=0.95, draws=300, spare=(0.0, 0.2))
    p50 = plan.stockpile("china_ree_2025", "IND", cover=0.5, draws=300)
    t95 = p95.table.set_index(["variant", "hs6"])
    t50 = p50.table.set_index(["variant", "hs6"])
    none95 = t95.loc["no response"]
    assert (none95["stock_t"] >= t50.loc["no response"]["stock_t"] - 1e-9).all()
    assert (t95.loc["partner response"]["stock_t"] <= none95["stock_t"] + 1e-6).all()
    # cost = stock x unit value
    np.testing.assert_allclose(
        none95["cost_musd"], none95["stock_t"] * none95["unit_value_usd_per_t"] / 1e6
    )
    # without a response the gap is the withheld delivery: at most China's base-year
    # deliveries to IND per year, times the 5 years of the horizon
    net = __import__("critmin.scenarios.data", fromlist=["x"]).build_network(
        2024, commodities=list(none95.index)
    )
    ci = net.country_index
    most = net.flows[:, ci["CHN"], ci["IND"]] * 5
    assert (none95["stock_t"].to_numpy() <= most + 1e-6).all()
    v = p95.variants.set_index("variant")
    assert not v.loc["with recycling", "computed"]


def test_bloc_gap_invariants():
    b = plan.bloc("TRUST", "rare earths")
    t = b.trade
    np.testing.assert_allclose(
        t["gap_t"], np.maximum(0.0, t["imports_outside_t"] - t["exports_outside_t"])
    )
    assert t["self_sufficiency"].between(0, 1).all()
    assert set(t["best_partner"].dropna()).isdisjoint({"IND", "USA"})
    pr = b.production
    assert (pr["bloc_total"] <= pr["world_total"]).all()
    assert set(b.summary["members"]) == {"IND", "USA"}


def test_to_dict_is_json_ready(li_ind):
    import json

    d = json.loads(json.dumps(li_ind.to_dict(), allow_nan=False))
    assert d["units"]["capacity_t"].startswith("t")
    assert any("BACI" in s for s in d["sources"])
    assert isinstance(pd.DataFrame(d["mix"]), pd.DataFrame)
