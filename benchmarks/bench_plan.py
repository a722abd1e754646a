"""Benchmark ``critmin plan partners``: every commodity code x importer, exact KKT vs SLSQP.

For every HS6 code of the stage table with BACI quantities in the latest year and every
importer (default: the members of TRUST, QUAD, MSP and US FTA; ``--importers all`` for
every BACI importer), plan the least-risk mix (governance-weighted HHI) and its 7-point
risk-cost frontier, end to end through :func:`critmin.plan.partners`, and check every
frontier (budgets rising, risk falling at every step, unit cost within budget, last point =
the optimum).  Then, on the same inputs, time the solve alone:

* critmin: :func:`critmin.plan.partners.optimal_mix`, the exact KKT water-filling of
  :func:`critmin.plan.partners.separable_qp`;
* baseline: the naive call, ``scipy.optimize.minimize(method='SLSQP')`` on the exact
  quadratic ``sum w_i s_i**2`` with the same bounds and ``sum s_i = 1``, from today's mix.

Prints the totals, the ratio (baseline / critmin), the worst objective gap and the frontier
checks, in one run.  Target (issue 10): every pair in < 60 s on this machine (2 cores).

Run::

    .venv/bin/python benchmarks/bench_plan.py
    .venv/bin/python benchmarks/bench_plan.py --importers all --limit 400
"""

from __future__ import annotations

import argparse
import logging
import time

import numpy as np
import pandas as pd
from scipy.optimize import minimize

from critmin import api, plan
from critmin.errors import CritminError
from critmin.plan.partners import optimal_mix
from critmin.scenarios.data import build_network, hs_stages, latest_year


def slsqp(demand: float, cap: pd.Series, w: pd.Series, x0: np.ndarray) -> float:
    ub = np.minimum(cap.to_numpy() / demand, 1.0)
    wv = w.to_numpy()
    x0 = np.clip(x0, 0, ub)
    x0 = x0 / x0.sum() if x0.sum() > 0 else ub / ub.sum()
    res = minimize(
        lambda s: float(wv @ (s * s)),
        x0,
        jac=lambda s: 2 * wv * s,
        bounds=list(zip(np.zeros_like(ub), ub, strict=True)),
        constraints=[
            {"type": "eq", "fun": lambda s: s.sum() - 1.0, "jac": lambda s: np.ones_like(s)}
        ],
        method="SLSQP",
        options={"maxiter": 500, "ftol": 1e-12},
    )
    return float(wv @ (res.x * res.x))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--importers", default="groups", help="'groups' (default) or 'all'")
    ap.add_argument("--limit", type=int, default=0, help="stop after this many pairs (0 = all)")
    args = ap.parse_args()
    logging.disable(logging.WARNING)
    year = latest_year()
    codes = []
    for code in hs_stages()["hs6"]:
        try:
            build_network(year, commodities=[code])
            codes.append(code)
        except CritminError:
            continue
    if args.importers == "all":
        net = build_network(year, commodities=codes)
        importers = sorted(net.countries)
    else:
        importers = sorted(
            {m for g in ("TRUST", "QUAD", "MSP", "US_FTA") for m in api.group_members(g)} - {"EUU"}
        )
    pairs = [(c, i) for c in codes for i in importers]
    if args.limit:
        pairs = pairs[: args.limit]
    print(f"{len(codes)} HS6 codes x {len(importers)} importers = {len(pairs)} pairs, BACI {year}")
    t_all = time.perf_counter()
    t_ours = t_base = 0.0
    solved = skipped = 0
    worst = 0.0
    solves = 0
    bad_frontier: list[str] = []
    t_plan = 0.0  # plan.partners alone (the baseline's time is kept apart)
    for code, imp in pairs:
        t = time.perf_counter()
        try:
            p = plan.partners(code, imp, hs6=code, year=year)
        except CritminError:
            skipped += 1
            continue
        finally:
            t_plan += time.perf_counter() - t
        solved += 1
        solves += int(p.summary["lps_solved"])
        f = p.frontier
        span = f["budget_usd_per_t"].iloc[-1] > f["budget_usd_per_t"].iloc[0] * (1 + 1e-6)
        ok = (
            (np.diff(f["budget_usd_per_t"]) >= 0).all()
            and (np.diff(f["risk"]) <= 1e-9 * max(1.0, f["risk"].abs().max())).all()
            and (not span or (np.diff(f["risk"]) < 0).all())
            and (f["unit_cost_usd_per_t"] <= f["budget_usd_per_t"] * (1 + 1e-8)).all()
            and abs(f["risk"].iloc[-1] - p.summary["optimum_hhi_wgi"])
            <= 1e-9 * max(1.0, p.summary["optimum_hhi_wgi"])
        )
        if not ok:
            bad_frontier.append(f"{code}/{imp}")
        m = p.mix.dropna(subset=["capacity_t", "wgi_scaled"]).set_index("supplier")
        m = m[m["capacity_t"] > 0]
        d = float(p.summary["demand_t"])
        t0 = time.perf_counter()
        sol = optimal_mix(d, m["capacity_t"], m["wgi_scaled"], objective="hhi_wgi")
        t1 = time.perf_counter()
        base = slsqp(d, m["capacity_t"], m["wgi_scaled"], m["today_share"].to_numpy())
        t2 = time.perf_counter()
        t_ours += t1 - t0
        t_base += t2 - t1
        worst = max(worst, (sol.risk - base) / max(base, 1e-12))
    wall = time.perf_counter() - t_all
    print(f"planned {solved} pairs ({skipped} without imports or capacity: one clear error each)")
    print(
        f"end to end, every pair through plan.partners (data + optimum + 7-point frontier): "
        f"{t_plan:.1f} s, {solves} solves (target < 60 s: {'met' if t_plan < 60 else 'NOT met'}); "
        f"whole run with the checks and the SLSQP baseline {wall:.1f} s"
    )
    print(
        f"optimum solve only: critmin (exact KKT) {t_ours:.2f} s, SLSQP baseline {t_base:.2f} s, "
        f"ratio baseline/critmin = {t_base / t_ours:.2f}x"
    )
    print(f"worst relative objective gap critmin vs SLSQP: {worst:+.2e} (negative = critmin lower)")
    print(
        f"frontiers failing a check (monotone, distinct, within budget, last = optimum): "
        f"{len(bad_frontier)} of {solved}"
        + (f": {', '.join(bad_frontier[:10])}" if bad_frontier else "")
    )


if __name__ == "__main__":
    main()
