"""The risk-cost frontier: hand-computed points, tiny capacities, real data, a quiet CLI."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import minimize

from critmin.errors import MethodError
from critmin.plan.partners import frontier, optimal_mix, separable_qp

ABC = ["A", "B", "C"]


def _check_frontier(pts: pd.DataFrame, n: int) -> None:
    """Invariants every frontier keeps."""
    assert len(pts) == n
    assert (np.diff(pts["budget_usd_per_t"]) > 0).all()  # distinct budgets, rising
    assert (np.diff(pts["risk"]) < 0).all()  # risk falls at every step: n distinct points
    assert (pts["unit_cost_usd_per_t"] <= pts["budget_usd_per_t"] * (1 + 1e-8)).all()


def test_quadratic_frontier_by_hand():
    # min sum s_i^2 (weights 1), costs 100/200/300 USD/t, no binding capacity, 100 t.
    # Least cost: all A (100 USD/t, HHI 1).  Least risk: 1/3 each (200 USD/t, HHI 1/3).
    # Budgets 100, 125, 150, 175, 200.  For B >= 133.3 all three buy:
    # s = 1/3 + beta (200 - c), beta = (200 - B) / 20000, HHI = 1/3 + 20000 beta^2;
    # B = 150: beta = 0.0025, s = (7/12, 1/3, 1/12), HHI = 1/3 + 0.125
    # B = 175: beta = 0.00125, HHI = 1/3 + 0.03125.
    # B = 125: C drops out; s_A + s_B = 1 and 100 s_A + 200 s_B = 125: s = (0.75, 0.25, 0),
    # HHI = 0.625 (KKT: mu = 0.01, lam = 2.5, C's (lam - 300 mu)/2 < 0).
    cap = pd.Series(100.0, index=ABC)
    w = pd.Series(1.0, index=ABC)
    c = pd.Series([100.0, 200.0, 300.0], index=ABC)
    pts, mixes = frontier(100.0, cap, w, c, n_points=5, objective="hhi")
    _check_frontier(pts, 5)
    assert pts["budget_usd_per_t"].tolist() == pytest.approx([100, 125, 150, 175, 200])
    want = [1.0, 0.625, 1 / 3 + 0.125, 1 / 3 + 0.03125, 1 / 3]
    # each budget gets a slack of 1e-9 (relative): risks within 1e-8 of the hand values
    assert pts["risk"].tolist() == pytest.approx(want, abs=1e-8)
    assert mixes[1].tolist() == pytest.approx([0.75, 0.25, 0.0], abs=1e-8)
    assert mixes[2].tolist() == pytest.approx([7 / 12, 1 / 3, 1 / 12], abs=1e-8)
    assert pts["unit_cost_usd_per_t"].tolist() == pytest.approx([100, 125, 150, 175, 200])
    # the last point is the optimum without a budget, at its own cost
    best = optimal_mix(100.0, cap, w, c, objective="hhi")
    assert best.risk == pytest.approx(pts["risk"].iloc[-1], abs=1e-12)
    assert best.unit_cost == pytest.approx(pts["budget_usd_per_t"].iloc[-1])


def test_linear_frontier_by_hand():
    # import risk: A g=0.5 at 100 USD/t, B g=0.1 at 300 USD/t; s_B = (B - 100) / 200,
    # risk = 0.5 - 0.4 s_B: budgets 100..300 -> 0.5, 0.4, 0.3, 0.2, 0.1
    cap = pd.Series({"A": 100.0, "B": 100.0})
    g = pd.Series({"A": 0.5, "B": 0.1})
    c = pd.Series({"A": 100.0, "B": 300.0})
    pts, _ = frontier(100.0, cap, g, c, n_points=5, objective="import_risk")
    _check_frontier(pts, 5)
    assert pts["budget_usd_per_t"].tolist() == pytest.approx([100, 150, 200, 250, 300])
    assert pts["risk"].tolist() == pytest.approx([0.5, 0.4, 0.3, 0.2, 0.1], abs=1e-9)


def _slsqp(w, ub, c, budget):
    """An independent solution of the budget-constrained QP (scipy SLSQP)."""
    cons = [{"type": "eq", "fun": lambda s: s.sum() - 1.0}]
    cons.append({"type": "ineq", "fun": lambda s: budget - c @ s})
    x0 = np.minimum(ub, 1.0 / len(ub))
    res = minimize(
        lambda s: float(w @ (s * s)),
        x0 / x0.sum(),
        jac=lambda s: 2 * w * s,
        bounds=list(zip(np.zeros_like(ub), ub, strict=True)),
        constraints=cons,
        method="SLSQP",
        options={"maxiter": 1000, "ftol": 1e-14},
    )
    return float(w @ (res.x * res.x))


def test_tiny_capacity_shares_keep_the_frontier_falling():
    # A supplier able to ship 5e-5 of the demand (0.1 t of 1,900 t) is the cheapest: the
    # case that made the HiGHS QP solver fail and the frontier go flat after point 0.
    cap = pd.Series({"Z": 0.1, "N": 8600.0, "B": 6000.0, "A": 5000.0, "C": 21000.0})
    w = pd.Series({"Z": 7.4, "N": 7.0, "B": 5.6, "A": 1.8, "C": 3.1})
    c = pd.Series({"Z": 150.0, "N": 286.0, "B": 743.0, "A": 9154.0, "C": 12400.0})
    demand = 1900.0
    pts, mixes = frontier(demand, cap, w, c, n_points=7, objective="hhi_wgi")
    _check_frontier(pts, 7)
    ub = np.minimum(cap.to_numpy() / demand, 1.0)
    for k in range(1, 6):  # interior points equal an independent solver's optimum
        ref = _slsqp(w.to_numpy(), ub, c.to_numpy(), pts["budget_usd_per_t"].iloc[k])
        assert pts["risk"].iloc[k] == pytest.approx(ref, rel=1e-5)
        assert pts["risk"].iloc[k] <= ref + 1e-9  # exact: never worse than SLSQP
    assert ((mixes.mul(demand)).le(cap + 1e-9, axis=0)).all().all()


def test_separable_qp_by_hand_and_infeasible_budget():
    s, info = separable_qp(np.array([1.0, 3.0]), np.ones(2))
    assert s.tolist() == pytest.approx([0.75, 0.25]) and info["status"] == 0
    s, info = separable_qp(np.array([1.0, 1.0]), np.ones(2), np.array([100.0, 200.0]), 90.0)
    assert np.isnan(s).all() and "least unit cost is 100" in info["message"]
    # a weight of 0 (a supplier that adds no risk) is filled first, up to its capacity
    s, _ = separable_qp(np.array([0.0, 1.0]), np.array([0.4, 1.0]))
    assert s.tolist() == pytest.approx([0.4, 0.6])


def test_too_few_points_is_one_clear_error():
    cap = pd.Series({"A": 100.0, "B": 100.0})
    with pytest.raises(MethodError, match="n_points=1; fix"):
        frontier(100.0, cap, cap / 100, cap, n_points=1)


# ----------------------------------------------------------------------------- real data


def test_lithium_india_frontier_spans_cost_to_risk():
    from critmin.plan import partners

    p = partners("lithium", "IND")
    pts = p.frontier
    _check_frontier(pts, 7)
    s = p.summary
    # the optimum printed beside today's mix is the frontier's last point, within its budget
    assert s["optimum_unit_cost_usd_per_t"] == pytest.approx(pts["budget_usd_per_t"].iloc[-1])
    assert s["optimum_hhi_wgi"] == pytest.approx(pts["risk"].iloc[-1], rel=1e-9)
    # and the first point is the least-cost mix: no mix is cheaper
    cheapest = p.mix.dropna(subset=["capacity_t"]).sort_values("unit_value_usd_per_t")
    left, cost = 1.0, 0.0
    for r in cheapest.itertuples(index=False):
        take = min(r.capacity_t / s["demand_t"], left)
        cost += take * r.unit_value_usd_per_t
        left -= take
    assert pts["budget_usd_per_t"].iloc[0] == pytest.approx(cost, rel=1e-9)


@pytest.mark.parametrize("objective", ["hhi_wgi", "import_risk"])
def test_cli_prints_no_solver_banner(objective):
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "from critmin.cli import main; main()",
            "plan",
            "partners",
            "lithium",
            "--importer",
            "IND",
            "--objective",
            objective,
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "COLUMNS": "200"},
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert "Risk-cost frontier" in out.stdout
    for banner in ("Running HiGHS", "Copyright", "THIRD_PARTY_NOTICES"):
        assert banner not in out.stdout and banner not in out.stderr
