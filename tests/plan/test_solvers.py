"""Pure planner solvers: hand-computed cases, independent exact solutions, invariants."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from critmin.errors import MethodError
from critmin.plan.bloc import trade_gap
from critmin.plan.partners import PlanInfeasible, frontier, mix_risk, optimal_mix
from critmin.plan.stockpile import stockpile_size
from critmin.plan.stress import linear_cut, smallest_cut


def greedy_import_risk(demand, cap, g):
    """Exact optimum of min sum g s (fractional knapsack): fill the most stable first."""
    s = pd.Series(0.0, index=cap.index)
    left = 1.0
    for i in g.sort_values(kind="stable").index:
        take = min(cap[i] / demand, left)
        s[i] = take
        left -= take
    return s


def water_fill(u, w):
    """Exact optimum of min sum w s^2, 0 <= s <= u, sum s = 1: s_i = min(u_i, lam / w_i)."""
    lo, hi = 0.0, 1e6
    for _ in range(200):
        lam = 0.5 * (lo + hi)
        if np.minimum(u, lam / w).sum() >= 1.0:
            hi = lam
        else:
            lo = lam
    return np.minimum(u, hi / w)


# ----------------------------------------------------------------------------- hand cases


def test_two_suppliers_by_hand():
    # A is more stable but can ship only 60 of the 100 t: 60% A, 40% B; risk 0.1*0.6+0.5*0.4
    cap = pd.Series({"A": 60.0, "B": 100.0})
    g = pd.Series({"A": 0.1, "B": 0.5})
    sol = optimal_mix(100.0, cap, g, objective="import_risk")
    assert sol.shares.to_dict() == pytest.approx({"A": 0.6, "B": 0.4})
    assert sol.risk == pytest.approx(0.26)
    assert sol.quantity_t.to_dict() == pytest.approx({"A": 60.0, "B": 40.0})


def test_hhi_three_equal_suppliers_by_hand():
    # no binding capacity: the least concentrated mix is 1/3 each, HHI = 1/3
    cap = pd.Series({"A": 100.0, "B": 100.0, "C": 100.0})
    sol = optimal_mix(100.0, cap, pd.Series(1.0, index=cap.index), objective="hhi")
    assert sol.hhi == pytest.approx(1 / 3, abs=1e-4)
    # one capped at 10%: the others share 90% equally -> HHI = 0.01 + 2 * 0.45^2 = 0.415
    cap2 = pd.Series({"A": 10.0, "B": 100.0, "C": 100.0})
    sol2 = optimal_mix(100.0, cap2, pd.Series(1.0, index=cap.index), objective="hhi")
    assert sol2.shares["A"] == pytest.approx(0.1, abs=1e-3)
    assert sol2.hhi == pytest.approx(0.415, abs=1e-4)


def test_hhi_wgi_by_hand():
    # min 1 s_A^2 + 3 s_B^2, s_A + s_B = 1: s_A = 3 s_B = 3/4, value 9/16 + 3/16 = 0.75
    cap = pd.Series({"A": 100.0, "B": 100.0})
    w = pd.Series({"A": 1.0, "B": 3.0})
    sol = optimal_mix(100.0, cap, w, objective="hhi_wgi")
    assert sol.shares["A"] == pytest.approx(0.75, abs=1e-3)
    assert sol.risk == pytest.approx(0.75, abs=1e-5)
    assert mix_risk(pd.Series({"A": 0.75, "B": 0.25}), w, "hhi_wgi") == pytest.approx(0.75)


def test_budget_binds_by_hand():
    # A: stable, 300 USD/t; B: unstable, 100 USD/t.  Budget 200 USD/t -> s_A = 0.5
    cap = pd.Series({"A": 100.0, "B": 100.0})
    g = pd.Series({"A": 0.1, "B": 0.5})
    c = pd.Series({"A": 300.0, "B": 100.0})
    sol = optimal_mix(100.0, cap, g, c, budget=200.0, objective="import_risk")
    assert sol.shares["A"] == pytest.approx(0.5)
    assert sol.unit_cost == pytest.approx(200.0)


# ----------------------------------------------------------------------------- errors


def test_infeasible_capacity_names_the_fix():
    cap = pd.Series({"A": 30.0, "B": 20.0})
    with pytest.raises(PlanInfeasible, match=r"at most 50 t.*fix"):
        optimal_mix(100.0, cap, pd.Series({"A": 0.1, "B": 0.2}))


def test_bloc_only_infeasible():
    cap = pd.Series({"A": 30.0, "B": 200.0})
    with pytest.raises(PlanInfeasible, match="allow more suppliers"):
        optimal_mix(100.0, cap, pd.Series({"A": 0.1, "B": 0.2}), allowed=["A"])


def test_budget_infeasible():
    cap = pd.Series({"A": 100.0})
    with pytest.raises(PlanInfeasible, match="raise the budget"):
        optimal_mix(100.0, cap, pd.Series({"A": 0.1}), pd.Series({"A": 300.0}), budget=100.0)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"demand_t": -1.0}, "demand"),
        ({"objective": "risk"}, "objective"),
        ({"capacity_t": pd.Series({"A": -5.0, "B": 100.0})}, "negative"),
    ],
)
def test_bad_inputs(kwargs, match):
    args = {
        "demand_t": 100.0,
        "capacity_t": pd.Series({"A": 60.0, "B": 100.0}),
        "weights": pd.Series({"A": 0.1, "B": 0.5}),
    }
    args.update(kwargs)
    with pytest.raises(MethodError, match=match):
        optimal_mix(**args)


# ----------------------------------------------------------------------------- properties

instances = st.integers(min_value=2, max_value=12).flatmap(
    lambda n: st.tuples(
        st.lists(st.floats(1.0, 100.0), min_size=n, max_size=n),
        st.lists(st.floats(0.0, 1.0), min_size=n, max_size=n),
        st.lists(st.floats(10.0, 1000.0), min_size=n, max_size=n),
    )
)


def _frame(caps, gs, costs):
    idx = [f"C{i}" for i in range(len(caps))]
    cap = pd.Series(caps, index=idx)
    demand = 0.8 * cap.sum()
    return demand, cap, pd.Series(gs, index=idx), pd.Series(costs, index=idx)


@settings(max_examples=40, deadline=None)
@given(instances)
def test_import_risk_matches_greedy(inst):
    demand, cap, g, _ = _frame(*inst)
    sol = optimal_mix(demand, cap, g, objective="import_risk")
    exact = greedy_import_risk(demand, cap, g)
    assert sol.risk == pytest.approx(float((g * exact).sum()), abs=1e-7)
    assert sol.shares.sum() == pytest.approx(1.0)
    assert (sol.quantity_t <= cap + 1e-6).all()


@settings(max_examples=40, deadline=None)
@given(instances)
def test_quadratic_matches_water_filling(inst):
    demand, cap, _, costs = _frame(*inst)
    w = costs / 100.0  # any positive weights
    u = np.minimum(cap.to_numpy() / demand, 1.0)
    exact = water_fill(u, w.to_numpy())
    best = float((w.to_numpy() * exact**2).sum())
    sol = optimal_mix(demand, cap, w, objective="hhi_wgi")
    # Kelley cuts stop when the LP's under-estimate is below 1e-9 (relative)
    assert best - 1e-9 <= sol.risk <= best + 1e-8 * max(1.0, best)
    assert (sol.quantity_t <= cap + 1e-6).all()


@settings(max_examples=25, deadline=None)
@given(instances, st.sampled_from(["import_risk", "hhi", "hhi_wgi"]))
def test_frontier_invariants(inst, objective):
    demand, cap, g, c = _frame(*inst)
    pts, mixes = frontier(demand, cap, g, c, n_points=6, objective=objective)
    assert len(pts) == 6
    assert (np.diff(pts["budget_usd_per_t"]) >= -1e-9).all()
    assert (np.diff(pts["risk"]) <= 1e-6 * max(1.0, pts["risk"].abs().max())).all()
    assert (pts["unit_cost_usd_per_t"] <= pts["budget_usd_per_t"] * (1 + 1e-7) + 1e-6).all()
    np.testing.assert_allclose(mixes.sum(axis=0), 1.0)
    assert ((mixes.mul(demand)).le(cap + 1e-6, axis=0)).all().all()


# ----------------------------------------------------------------------------- stress


def test_linear_cut_by_hand():
    # 20% of 100 t consumption = 20 t; the supplier ships 50 t -> a 40% cut
    assert linear_cut(0.2, delivery_t=50.0, consumption_t=100.0) == pytest.approx(0.4)
    assert linear_cut(0.2, delivery_t=10.0, consumption_t=100.0) is None
    with pytest.raises(MethodError, match="net exporter"):
        linear_cut(0.2, delivery_t=10.0, consumption_t=0.0)
    with pytest.raises(MethodError, match="threshold"):
        linear_cut(1.5, delivery_t=10.0, consumption_t=10.0)


def test_smallest_cut_brackets_the_root():
    cut, _ = smallest_cut(lambda c: c**2, 0.25, tol=1e-6)
    assert 0.5 <= cut <= 0.5 + 1e-6
    assert smallest_cut(lambda c: 0.1 * c, 0.2)[0] is None


# ----------------------------------------------------------------------------- stockpile


def test_stockpile_by_hand():
    # 4 draws x 2 years: cumulative 0, 10, 30, 60 t; P75 (inverted CDF) = 30 t
    s = np.array([[0, 0], [5, 5], [10, 20], [30, 30]], dtype=float)[:, :, None]
    tab = stockpile_size(s, np.array([120.0]), np.array([2000.0]), cover=0.75)
    assert tab["stock_t"].iloc[0] == 30.0
    assert tab["months"].iloc[0] == pytest.approx(3.0)  # 30 t / (120 t / 12)
    assert tab["cost_musd"].iloc[0] == pytest.approx(0.06)  # 30 t x 2000 USD/t
    assert tab["p_any_shortfall"].iloc[0] == pytest.approx(0.75)
    # the stock covers at least `cover` of the draws
    assert (s.sum(axis=1)[:, 0] <= tab["stock_t"].iloc[0]).mean() >= 0.75


def test_stockpile_bad_cover():
    with pytest.raises(MethodError, match="cover"):
        stockpile_size(np.zeros((2, 1, 1)), np.ones(1), np.ones(1), cover=1.0)


# ----------------------------------------------------------------------------- bloc


def test_trade_gap_by_hand():
    # A, B in the bloc; C outside ships A 20 and B 10; A ships B 5 (internal)
    f = np.array([[0, 5, 0], [0, 0, 0], [20, 10, 0]], dtype=float)
    gap = trade_gap(f, np.array([20.0, 15, 0]), ["A", "B", "C"], ["A", "B"])
    assert gap == pytest.approx(
        {
            "internal_t": 5.0,
            "imports_outside_t": 30.0,
            "exports_outside_t": 0.0,
            "consumption_t": 35.0,
            "gap_t": 30.0,
            "self_sufficiency": 1 - 30 / 35,
        }
    )
