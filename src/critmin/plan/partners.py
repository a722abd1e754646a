"""Import mix that minimises supply risk within suppliers' exportable capacity (pure).

The importer buys a fixed quantity ``D`` [t] of one traded good.  The decision is the share
``s_i`` [fraction] bought from each supplier ``i``:

.. code-block:: text

    minimise    R(s)                                   risk of the mix [-]
    subject to  sum_i s_i = 1                          the whole quantity is bought
                0 <= s_i <= cap_i / D                  exportable capacity [t] / demand [t]
                s_i = 0 for suppliers not allowed      bloc-only or excluded countries
                sum_i c_i s_i <= B                     mean unit cost [USD/t] within budget B

Three risk measures ``R`` (``objective=``):

``'hhi_wgi'`` (default)
    ``R = sum_i w_i s_i**2``: the governance-weighted concentration of the EU CRM supply-risk
    method, ``HHI_WGI`` with ``w_i`` the EU-scaled WGI score [0-10] of the six-indicator
    mean (:func:`critmin.metrics.governance.wgi_weighted_hhi`, :func:`~critmin.metrics.governance.eu_wgi_scaled`;
    ``../shared/methods/01_eu_crm_methodology.md`` §1.1, EC Guidelines doi:10.2873/769526).
    It penalises both concentration and poor governance, so the optimum spreads supply.
``'import_risk'``
    ``R = sum_i g_i s_i``: the GeoPolRisk import-risk term per tonne imported, with
    ``g_i = clip((2.5 - PV_i) / 5, 0, 1)`` the political-stability weight of the WGI
    Political Stability estimate ``PV_i`` (:func:`critmin.metrics.governance.geopolrisk_stability`,
    Gemechu et al. 2015, geopolrisk-py; ``../shared/methods/03_geopolrisk.md`` §3.1).
    Multiplied by the HHI of world production and ``D / (p + D)`` it is the GeoPolRisk score
    (:func:`critmin.criticality.geopolrisk.geopolrisk`).  Linear: one LP.
    Linear, so its optimum fills the most stable suppliers to capacity (concentrated).
``'hhi'``
    ``R = sum_i s_i**2``: the Herfindahl-Hirschman index of the import mix
    (:func:`critmin.metrics.concentration.hhi`).

The quadratic objectives are separable convex QPs (``w_i >= 0``), solved exactly from their
KKT conditions (:func:`separable_qp`): for multipliers ``lam`` (of ``sum s_i = 1``) and
``mu >= 0`` (of the budget), ``s_i = clip((lam - mu c_i) / (2 w_i), 0, u_i)``; ``lam`` is
found exactly on the breakpoints of the piecewise-linear ``sum s_i(lam)`` (water-filling),
``mu`` by bisection until the budget holds.  A general QP solver is not needed and was not
reliable here: the HiGHS QP solver (highspy 1.16) reported "Solve error" on every
budget-constrained point of real mixes with tiny capacity shares (a supplier able to ship
5e-5 of the demand), which earlier left the frontier flat at the unconstrained optimum.

The linear problems (``'import_risk'`` and the cost minimisations) are solved by HiGHS
through :func:`scipy.optimize.linprog` (``method='highs'``).

The risk-cost frontier (:func:`frontier`) is the ε-constraint method: the cheapest feasible
mix fixes the lowest budget ``B_min``; the cheapest mix among the least risky ones fixes
``B_max``; the frontier is ``min R`` at ``n`` budgets evenly spaced in ``[B_min, B_max]``.
Risk is then non-increasing in budget (a larger budget only enlarges the feasible set), and
strictly falling up to ``B_max`` (the least risky mix is the only one with the least risk for
the quadratic objectives, and the cheapest of them for ``'import_risk'``), so the ``n``
points are distinct whenever ``B_max > B_min``; the last point is the optimum of
:func:`optimal_mix` without a budget.  Every point's unit cost is within its budget.

References
----------
Gemechu, E. D., Helbig, C., Sonnemann, G., Thorenz, A., Tuma, A. (2015).  Import-based
indicator for the geopolitical supply risk of raw materials in life cycle sustainability
assessments.  Journal of Industrial Ecology.  As cited by ``../shared/methods/03_geopolrisk.md``.

Haimes, Y. Y., Lasdon, L. S., Wismer, D. A. (1971).  On a bicriterion formulation of the
problems of integrated system identification and system optimization.  IEEE Transactions
on Systems, Man, and Cybernetics SMC-1(3), 296-297 (the ε-constraint method).

Huangfu, Q., Hall, J. A. J. (2018).  Parallelizing the dual revised simplex method.
Mathematical Programming Computation 10, 119-142 (HiGHS).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import linprog

from critmin.errors import MethodError
from critmin.metrics.concentration import hhi
from critmin.metrics.governance import wgi_weighted_hhi

__all__ = [
    "OBJECTIVES",
    "MixSolution",
    "PlanInfeasible",
    "frontier",
    "mix_risk",
    "optimal_mix",
    "separable_qp",
]

#: Risk measures :func:`optimal_mix` minimises.
OBJECTIVES: tuple[str, ...] = ("hhi_wgi", "import_risk", "hhi")
#: Objectives that are quadratic in the shares (solved by the HiGHS QP solver).
QUADRATIC: tuple[str, ...] = ("hhi_wgi", "hhi")


class PlanInfeasible(MethodError):
    """No import mix meets the constraints (capacity, allowed suppliers, budget)."""


@dataclass(frozen=True)
class MixSolution:
    """An optimal import mix.

    Attributes
    ----------
    shares : pandas.Series
        ``s_i`` [fraction], indexed by supplier; sums to 1.
    quantity_t : pandas.Series
        ``s_i * D`` [t].
    risk : float
        The objective at the solution (exact, also for ``'hhi'``) [-].
    hhi : float
        ``sum s_i**2`` [-].
    unit_cost : float
        ``sum c_i s_i`` [USD/t]; NaN without costs.
    objective : str
        ``'import_risk'`` or ``'hhi'``.
    solver : dict
        HiGHS status message, iterations and the number of LPs solved.
    """

    shares: pd.Series
    quantity_t: pd.Series
    risk: float
    hhi: float
    unit_cost: float
    objective: str
    solver: dict[str, object] = field(default_factory=dict)


def _series(values: pd.Series, name: str) -> pd.Series:
    if not isinstance(values, pd.Series):
        msg = (
            f"{name} must be a pandas Series indexed by supplier ISO3; got {type(values).__name__}"
        )
        raise MethodError(msg)
    s = pd.to_numeric(values, errors="coerce").astype(float)
    if s.index.has_duplicates:
        dup = sorted(set(s.index[s.index.duplicated()]))[:5]
        msg = f"{name} lists suppliers more than once: {dup}; fix: one row per supplier"
        raise MethodError(msg)
    return s


def mix_risk(shares: pd.Series, weights: pd.Series, objective: str = "import_risk") -> float:
    """Risk of an import mix.

    Parameters
    ----------
    shares : pandas.Series
        Import shares per supplier [fraction], summing to 1.
    weights : pandas.Series
        ``g_i`` [-, 0-1] for ``'import_risk'``, ``WGI_scaled_i`` [0-10] for ``'hhi_wgi'``;
        ignored for ``'hhi'``.
    objective : {'hhi_wgi', 'import_risk', 'hhi'}
        ``sum w_i s_i**2`` (:func:`critmin.metrics.governance.wgi_weighted_hhi`),
        ``sum g_i s_i`` or ``sum s_i**2`` (:func:`critmin.metrics.concentration.hhi`).

    Returns
    -------
    float
        [-].

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series({"A": 0.5, "B": 0.5})
    >>> mix_risk(s, pd.Series({"A": 0.2, "B": 0.6}))
    0.4
    >>> mix_risk(s, pd.Series({"A": 0.2, "B": 0.6}), "hhi")
    0.5
    """
    if objective == "hhi":
        return float(hhi(shares[shares > 0])) if (shares > 0).any() else float("nan")
    if objective == "hhi_wgi":
        pos = shares[shares > 0]
        return (
            float(wgi_weighted_hhi(pos, weights.reindex(pos.index))) if len(pos) else float("nan")
        )
    if objective != "import_risk":
        msg = f"objective={objective!r}; fix: use one of {list(OBJECTIVES)}"
        raise MethodError(msg)
    g = weights.reindex(shares.index)
    return float((g.fillna(0.0) * shares).sum())


def _fill(a: np.ndarray, w2: np.ndarray, ub: np.ndarray) -> np.ndarray:
    """Exact ``s(lam) = clip((lam - a) / w2, 0, ub)`` with ``sum s = 1`` (water-filling).

    ``sum s(lam)`` is piecewise linear and non-decreasing in ``lam`` with breakpoints at
    ``a_i`` and ``a_i + w2_i ub_i``: evaluate it at every breakpoint, then interpolate
    linearly inside the segment where it crosses 1.  Needs ``sum ub >= 1`` and ``w2 > 0``.
    """
    bp = np.unique(np.concatenate([a, a + w2 * ub]))
    f = np.clip((bp[:, None] - a[None, :]) / w2[None, :], 0.0, ub[None, :]).sum(axis=1)
    k = int(np.searchsorted(f, 1.0, side="left"))
    if k == 0:
        lam = bp[0]
    elif k >= len(bp):
        lam = bp[-1]
    else:
        lam = bp[k - 1] + (1.0 - f[k - 1]) * (bp[k] - bp[k - 1]) / (f[k] - f[k - 1])
    return _repair(np.clip((lam - a) / w2, 0.0, ub), ub)


def _repair(s: np.ndarray, ub: np.ndarray) -> np.ndarray:
    """Shares within ``[0, ub]`` summing to 1: round-off moved onto suppliers with room."""
    s = np.clip(s, 0.0, ub)
    gap = 1.0 - float(s.sum())
    if gap > 0:
        room = ub - s
        if room.sum() > 0:
            s = s + gap * room / room.sum()
    elif gap < 0 and s.sum() > 0:
        s = s + gap * s / s.sum()
    return np.clip(s, 0.0, ub)


def separable_qp(
    w: np.ndarray,
    ub: np.ndarray,
    c: np.ndarray | None = None,
    budget: float | None = None,
    *,
    max_iter: int = 200,
) -> tuple[np.ndarray, dict[str, object]]:
    """Exact minimiser of ``sum w_i s_i**2`` over import mixes, within a unit-cost budget.

    Solves ``min sum_i w_i s_i**2`` subject to ``sum_i s_i = 1``, ``0 <= s_i <= ub_i`` and
    (with `c` and `budget`) ``sum_i c_i s_i <= budget``, from the KKT conditions:
    ``s_i = clip((lam - mu c_i) / (2 w_i), 0, ub_i)``.  ``lam`` is exact for each ``mu``
    (:func:`_fill`); ``mu = 0`` if the budget does not bind, else ``mu`` is the root of
    ``c . s(mu) = budget`` (piecewise linear and falling in ``mu``), found by regula falsi
    (Illinois) within a bracket, to 1e-12 of the budget (relative) or a bracket of 1e-15.
    Within 1e-8 (relative) of the least unit cost the answer is the cheapest mix (filled
    cheapest first), where ``mu`` would be too large for the shares to stay accurate.
    Weights of 0 are raised to 1e-12 x the largest weight (a supplier that adds no risk is
    filled first; the change in risk is below 1e-12 relative).

    Parameters
    ----------
    w : numpy.ndarray
        Weights ``w_i >= 0`` [-] (EU-scaled WGI, or 1 for the HHI).
    ub : numpy.ndarray
        Share bounds ``cap_i / D`` [fraction], ``sum ub >= 1``.
    c : numpy.ndarray, optional
        Unit costs [USD/t].
    budget : float, optional
        Bound of ``sum c_i s_i`` [USD/t].

    Returns
    -------
    shares : numpy.ndarray
        The optimum [fraction], or NaN when no mix meets the budget.
    info : dict
        ``status`` (0 optimal, 2 infeasible), ``message``, ``iterations`` (bisection steps).

    Examples
    --------
    >>> import numpy as np
    >>> s, _ = separable_qp(np.array([1.0, 3.0]), np.array([1.0, 1.0]))
    >>> s.round(4).tolist()  # s_A = 3 s_B
    [0.75, 0.25]
    >>> s, _ = separable_qp(np.array([1.0, 3.0]), np.ones(2), np.array([300.0, 100.0]), 200.0)
    >>> s.round(4).tolist()  # the budget binds: 300 s_A + 100 (1 - s_A) = 200
    [0.5, 0.5]
    """
    w = np.asarray(w, dtype=float)
    ub = np.asarray(ub, dtype=float)
    top = float(w.max()) if len(w) and w.max() > 0 else 1.0
    w2 = 2.0 * np.maximum(w, 1e-12 * top)
    nan = np.full(len(w), np.nan)
    if ub.sum() < 1.0 - 1e-12:
        return nan, {"status": 2, "message": "infeasible: capacities below demand", "iterations": 0}
    s0 = _fill(np.zeros(len(w)), w2, ub)
    if c is None or budget is None:
        return s0, {"status": 0, "message": "optimal (KKT, exact)", "iterations": 0}
    c = np.asarray(c, dtype=float)
    # the least unit cost (fractional knapsack: cheapest first) decides feasibility
    order = np.argsort(c, kind="stable")
    take = np.minimum(
        ub[order], np.maximum(0.0, 1.0 - np.concatenate([[0.0], np.cumsum(ub[order])[:-1]]))
    )
    c_min = float(c[order] @ take)
    tol = 1e-12 * max(1.0, abs(budget))
    if budget < c_min - tol:
        msg = f"infeasible: the least unit cost is {c_min:,.6g} USD/t"
        return nan, {"status": 2, "message": msg, "iterations": 0}
    cheapest = np.zeros(len(w))
    cheapest[order] = take
    if budget <= c_min + 1e-8 * max(1.0, abs(c_min)):  # only the cheapest mix is left
        return cheapest, {"status": 0, "message": "optimal (the cheapest mix)", "iterations": 0}
    if float(c @ s0) <= budget + tol:
        return s0, {
            "status": 0,
            "message": "optimal (KKT, exact; budget not binding)",
            "iterations": 0,
        }
    spread = float(c.max() - c.min()) or 1.0
    lo, hi = 0.0, float(w2.max()) / spread
    it = 0
    s_hi = _fill(hi * c, w2, ub)
    while float(c @ s_hi) > budget + tol and it < max_iter:  # bracket: double mu
        lo, hi = hi, 2.0 * hi
        s_hi = _fill(hi * c, w2, ub)
        it += 1
    if float(c @ s_hi) > budget + tol:  # round-off near the least cost
        return cheapest, {"status": 0, "message": "optimal (the cheapest mix)", "iterations": it}
    # C(mu) = c . s(mu) is piecewise linear and non-increasing in mu (linear while the set
    # of suppliers at a bound stays the same): regula falsi with the Illinois step finds the
    # root in a few steps; bisection steps keep the bracket shrinking.
    c_lo, c_hi = float(c @ _fill(lo * c, w2, ub)), float(c @ s_hi)
    side = 0
    while hi - lo > 1e-15 * hi and it < max_iter:
        if it % 4 == 3:  # a bisection step every fourth: the bracket halves at least
            mid = 0.5 * (lo + hi)
        else:
            mid = lo + (c_lo - budget) * (hi - lo) / (c_lo - c_hi)
            if not lo < mid < hi:
                mid = 0.5 * (lo + hi)
        s_mid = _fill(mid * c, w2, ub)
        c_mid = float(c @ s_mid)
        it += 1
        if abs(c_mid - budget) <= tol:
            return s_mid, {
                "status": 0,
                "message": "optimal (KKT, exact; budget binding)",
                "iterations": it,
            }
        if c_mid > budget:
            lo, c_lo = mid, c_mid
            if side == -1:  # Illinois: the other end stayed twice, halve its weight
                c_hi = budget + 0.5 * (c_hi - budget)
            side = -1
        else:
            hi, c_hi, s_hi = mid, c_mid, s_mid
            if side == 1:
                c_lo = budget + 0.5 * (c_lo - budget)
            side = 1
    return s_hi, {"status": 0, "message": "optimal (KKT, exact; budget binding)", "iterations": it}


@dataclass
class _Problem:
    names: list[str]
    demand: float
    ub: np.ndarray  # share upper bounds
    g: np.ndarray
    c: np.ndarray | None
    objective: str
    calls: int = 0  # solver runs so far

    @property
    def n(self) -> int:
        return len(self.names)

    def _weights(self) -> np.ndarray:
        return np.ones(self.n) if self.objective == "hhi" else self.g

    def _lp(
        self, obj: np.ndarray, budget: float | None, risk_cap: float | None
    ) -> tuple[np.ndarray, dict[str, object]]:
        rows, b = [], []
        if budget is not None and self.c is not None:
            rows.append(self.c)
            b.append(budget)
        if risk_cap is not None:
            rows.append(self.g)
            b.append(risk_cap)
        self.calls += 1
        res = linprog(
            obj,
            A_ub=np.array(rows) if rows else None,
            b_ub=np.array(b) if b else None,
            A_eq=np.ones((1, self.n)),
            b_eq=np.array([1.0]),
            bounds=list(zip(np.zeros(self.n), self.ub, strict=True)),
            method="highs",
        )
        info: dict[str, object] = {"status": int(res.status), "message": str(res.message)}
        info["iterations"] = int(getattr(res, "nit", 0) or 0)
        if res.status != 0:
            return np.full(self.n, np.nan), info
        return np.asarray(res.x, dtype=float), info

    def _quadratic(self, budget: float | None) -> tuple[np.ndarray, dict[str, object]]:
        self.calls += 1
        return separable_qp(self._weights(), self.ub, self.c, budget)

    def solve(
        self, *, budget: float | None = None, risk_cap: float | None = None, minimise: str = "risk"
    ) -> tuple[np.ndarray, dict[str, object]]:
        if minimise == "cost":
            if self.c is None:
                msg = "no unit costs given; fix: pass cost= to plan the cost frontier"
                raise MethodError(msg)
            x, info = self._lp(self.c, budget, risk_cap)
        elif self.objective in QUADRATIC:
            x, info = self._quadratic(budget)
        else:
            x, info = self._lp(self.g, budget, risk_cap)
        if np.isnan(x).any():
            return x, info
        x[x < 1e-9] = 0.0  # solver round-off, not a purchase
        return x / x.sum(), info


def _problem(
    demand_t: float,
    capacity_t: pd.Series,
    weights: pd.Series,
    cost: pd.Series | None,
    allowed: list[str] | None,
    objective: str,
) -> _Problem:
    if objective not in OBJECTIVES:
        msg = f"objective={objective!r}; fix: use one of {list(OBJECTIVES)}"
        raise MethodError(msg)
    d = float(demand_t)
    if not np.isfinite(d) or d <= 0:
        msg = f"demand {demand_t!r} t; fix: give the quantity to import, > 0 t"
        raise MethodError(msg)
    cap = _series(capacity_t, "capacity_t")
    if (cap < 0).any() or cap.isna().any():
        bad = cap[(cap < 0) | cap.isna()].index[:5].tolist()
        msg = f"capacity of {bad} is negative or missing; fix: give capacities >= 0 t"
        raise MethodError(msg)
    g = _series(weights, "weights").reindex(cap.index)
    if objective != "hhi" and (g.isna().any() or (g < 0).any()):
        bad = g[g.isna() | (g < 0)].index[:5].tolist()
        msg = (
            f"no governance weight (or a negative one) for suppliers {bad}; fix: give a weight "
            "for every supplier or leave them out of capacity_t"
        )
        raise MethodError(msg)
    c = None
    if cost is not None:
        cs = _series(cost, "cost").reindex(cap.index)
        if cs.isna().any() or (cs < 0).any():
            bad = cs[cs.isna() | (cs < 0)].index[:5].tolist()
            msg = (
                f"no unit cost (or a negative one) for suppliers {bad}; fix: give cost for "
                "every supplier or leave them out of capacity_t"
            )
            raise MethodError(msg)
        c = cs.to_numpy(float)
    names = [str(i) for i in cap.index]
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        ub = np.nan_to_num(np.minimum(cap.to_numpy(float) / d, 1.0), nan=1.0)
    if allowed is not None:
        keep = np.isin(names, list(allowed))
        ub = np.where(keep, ub, 0.0)
    if ub.sum() < 1.0 - 1e-9:
        total = float(np.minimum(cap.to_numpy(float), d)[ub > 0].sum())
        msg = (
            f"the allowed suppliers can export at most {total:,.0f} t, less than the "
            f"{d:,.0f} t to import; fix: allow more suppliers (drop the bloc or an exclusion) "
            "or plan a smaller quantity (demand)"
        )
        raise PlanInfeasible(msg)
    return _Problem(names, d, ub, g.fillna(0.0).to_numpy(float), c, objective)


def _solution(p: _Problem, s: np.ndarray, info: dict[str, object]) -> MixSolution:
    shares = pd.Series(s, index=p.names, name="share")
    ir = float(np.dot(p.g, s))
    # HHI = sum of squared shares (metrics.concentration.hhi) of a mix that sums to 1
    h = float(np.dot(s, s)) if (s > 0).any() else float("nan")
    risk = {"import_risk": ir, "hhi": h, "hhi_wgi": float(np.dot(p.g, s**2))}[p.objective]
    return MixSolution(
        shares=shares,
        quantity_t=(shares * p.demand).rename("quantity_t"),
        risk=risk,
        hhi=h,
        unit_cost=float(np.dot(p.c, s)) if p.c is not None else float("nan"),
        objective=p.objective,
        solver=info,
    )


def optimal_mix(
    demand_t: float,
    capacity_t: pd.Series,
    weights: pd.Series,
    cost: pd.Series | None = None,
    *,
    allowed: list[str] | None = None,
    budget: float | None = None,
    objective: str = "hhi_wgi",
) -> MixSolution:
    """The least risky import mix within capacities (and a unit-cost budget).

    Parameters
    ----------
    demand_t : float
        Quantity to import ``D`` [t].
    capacity_t : pandas.Series
        Exportable capacity per supplier [t], indexed by ISO3.
    weights : pandas.Series
        Per supplier: EU-scaled WGI [0-10] (``'hhi_wgi'``), GeoPolRisk weight ``g_i``
        [-, 0-1] (``'import_risk'``); ignored for ``'hhi'``.
    cost : pandas.Series, optional
        Unit cost ``c_i`` per supplier [USD/t] (e.g. BACI unit values).
    allowed : list of str, optional
        Only these suppliers may be used; default all.
    budget : float, optional
        Upper bound of the mean unit cost ``sum c_i s_i`` [USD/t]; needs `cost`.
    objective : {'import_risk', 'hhi'}
        The risk measure (module docstring).

    Returns
    -------
    MixSolution

    Raises
    ------
    PlanInfeasible
        The allowed capacity is below the demand, or no mix meets the budget.
    MethodError
        Bad inputs (negative capacity, missing weight or cost, unknown objective).

    Examples
    --------
    >>> import pandas as pd
    >>> cap = pd.Series({"A": 60.0, "B": 100.0})
    >>> g = pd.Series({"A": 0.1, "B": 0.5})
    >>> optimal_mix(100.0, cap, g, objective="import_risk").shares.round(2).to_dict()
    {'A': 0.6, 'B': 0.4}
    """
    p = _problem(demand_t, capacity_t, weights, cost, allowed, objective)
    if budget is not None and p.c is None:
        msg = "budget given without cost; fix: pass cost= (unit cost per supplier, USD/t)"
        raise MethodError(msg)
    s, info = p.solve(budget=budget)
    if np.isnan(s).any():
        msg = (
            f"no import mix has a mean unit cost <= {budget:,.0f} USD/t within the capacities "
            f"(HiGHS: {info['message']}); fix: raise the budget or allow more suppliers"
        )
        raise PlanInfeasible(msg)
    info["lps"] = p.calls
    return _solution(p, s, info)


def frontier(
    demand_t: float,
    capacity_t: pd.Series,
    weights: pd.Series,
    cost: pd.Series,
    *,
    n_points: int = 7,
    allowed: list[str] | None = None,
    objective: str = "hhi_wgi",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Risk-cost frontier by the ε-constraint method (module docstring).

    Parameters
    ----------
    demand_t, capacity_t, weights, cost, allowed, objective
        As :func:`optimal_mix` (`cost` required).
    n_points : int
        Budgets on the frontier, >= 2.

    Returns
    -------
    points : pandas.DataFrame
        One row per budget: ``point, budget_usd_per_t, unit_cost_usd_per_t, risk, hhi`` [USD/t; -], budget increasing, risk non-increasing.
    shares : pandas.DataFrame
        ``(suppliers, points)`` the mix at each point [fraction].

    Raises
    ------
    PlanInfeasible, MethodError
        As :func:`optimal_mix`.
    """
    if int(n_points) < 2:
        msg = f"n_points={n_points}; fix: ask for at least 2 frontier points"
        raise MethodError(msg)
    p = _problem(demand_t, capacity_t, weights, cost, allowed, objective)
    s_cheap, _ = p.solve(minimise="cost")
    s_safe, _ = p.solve()
    assert p.c is not None
    if objective == "import_risk":
        r_min = float(np.dot(p.g, s_safe))
        s_top, _ = p.solve(minimise="cost", risk_cap=r_min + 1e-9 * max(1.0, abs(r_min)))
    else:  # convex QP: its optimum is the least risky mix
        s_top = s_safe
    b_lo, b_hi = float(np.dot(p.c, s_cheap)), float(np.dot(p.c, s_top))
    if b_hi < b_lo:
        b_hi = b_lo
    n_points = int(n_points)
    budgets = np.linspace(b_lo, b_hi, n_points)
    rows, mixes = [], {}
    for k, b in enumerate(budgets):
        slack = 1e-9 * max(1.0, abs(b))
        if k == n_points - 1:
            s, info = s_top, {"status": 0, "message": "the least risky mix"}
        else:
            s, info = p.solve(budget=b + slack)
        if np.isnan(s).any():  # every budget is >= the least unit cost: a solver failure
            msg = (
                f"frontier point {k} (budget {b:,.6g} USD/t): the solver failed "
                f"({info['message']}); fix: report this case (inputs: {p.n} suppliers)"
            )
            raise MethodError(msg)
        sol = _solution(p, s, info)
        rows.append(
            {
                "point": k,
                "budget_usd_per_t": float(b),
                "unit_cost_usd_per_t": sol.unit_cost,
                "risk": sol.risk,
                "hhi": sol.hhi,
            }
        )
        mixes[k] = sol.shares
    points = pd.DataFrame(rows)
    points.attrs["lps"] = p.calls
    return points, pd.DataFrame(mixes)
