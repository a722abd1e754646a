"""Plain per-draw, per-importer reference implementation of the scenario engine.

The baseline of ``bench_scenario.py`` and the test oracle of ``tests/scenarios``: the same
equations as :mod:`critmin.scenarios.engine` (see ``docs/scenarios.md``), written as loops
over draws, years, commodities and importers, with only the sums over exporters done by
``numpy.dot`` on vectors.  It shares nothing with the engine except the random numbers:
``sample_parameters`` gives the same draws for the same seed, so both must produce the
same numbers (to floating-point rounding).  Shock binding (destinations, active
fractions), the ramp-up, the link formula and every response are re-implemented here.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

import numpy as np

from critmin.scenarios.engine import sample_parameters
from critmin.scenarios.network import Network
from critmin.scenarios.spec import load_spec


def _ramp(r: float, x: float) -> float:
    """Mean availability over [x, x + 1) of a linear ramp reaching 1 after r years."""

    def big_f(v: float) -> float:
        v = max(v, 0.0)
        if v <= r:
            return v * v / (2.0 * r) if r > 0 else 0.0
        return v - r / 2.0

    return min(1.0, max(0.0, big_f(x + 1.0) - big_f(x)))


def _dest(shock, net: Network, resolve_group: Callable[[str], Iterable[str]] | None) -> list:
    n = len(net.countries)
    if shock.destinations.mode == "all":
        out = [1.0] * n
    else:
        listed = set()
        for code in shock.destinations.ids:
            if code in net.country_index:
                listed.add(code)
            else:
                listed.update(m for m in resolve_group(code) if m in net.country_index)
        inside = [1.0 if c in listed else 0.0 for c in net.countries]
        out = inside if shock.destinations.mode == "only" else [1.0 - v for v in inside]
    out[net.country_index[shock.country]] = 0.0
    return out


def run_reference(
    spec, network: Network, *, n_draws: int | None = None, resolve_group=None, recycling=None
) -> dict[str, np.ndarray]:
    """Run the scenario draw by draw; return per-draw arrays.

    Returns
    -------
    dict
        ``shortfall``, ``lost``, ``redirected``, ``recycled``, ``demand``,
        ``substitution``, ``stockpile`` and ``supplied`` (per producer), each
        ``(D, T, N, K)`` [t], and ``months`` ``(D, N, K)``.
    """
    spec = load_spec(spec)
    net = network
    draws = sample_parameters(spec, net, n_draws)
    years = spec.years
    n_d, n_t, n_c, n_k = draws.n, len(years), len(net.countries), len(net.commodities)
    q, prod, cons = net.flows, net.production, net.consumption
    exports = net.exports
    domestic = np.maximum(prod - exports, 0.0)
    rho = np.zeros_like(prod)
    for k in range(n_k):
        for i in range(n_c):
            m = max(prod[k, i], exports[k, i])
            rho[k, i] = prod[k, i] / m if m > 0 else 0.0
    # W[k, e, :] = flows with the producer's own domestic use on the diagonal
    w = q.copy()
    for k in range(n_k):
        for i in range(n_c):
            w[k, i, i] = domestic[k, i]
    shocks = []
    for si, s in enumerate(spec.shocks):
        if s.commodities == "all":
            ks = {k for k in range(n_k) if s.stage is None or net.stages[k] == s.stage}
        else:
            ks = {net.commodity_index[c] for c in s.commodities}
        active = []
        for y in years:
            active.append(
                min(
                    1.0,
                    max(
                        0.0,
                        min(y + 1.0, s.start_year + s.duration)
                        - max(float(y), float(s.start_year)),
                    ),
                )
            )
        shocks.append((si, net.country_index[s.country], ks, _dest(s, net, resolve_group), active))
    origin = min(s.start_year for s in spec.shocks)
    first = [t for t in range(n_t) if any(sh[4][t] > 0 for sh in shocks)]
    month0 = first[0] if first else 0
    order = net.topological_order()
    parents = {k: net.parents(k) for k in range(n_k)}
    spare_on = not spec.responses.spare_capacity.is_zero()

    names = (
        "shortfall",
        "lost",
        "redirected",
        "recycled",
        "demand",
        "substitution",
        "stockpile",
        "supplied",
    )
    out = {name: np.zeros((n_d, n_t, n_c, n_k)) for name in names}
    months = np.full((n_d, n_c, n_k), math.inf)

    for d in range(n_d):
        stock = {
            (j, k): draws.stock_days[d, j] / 365.0 * cons[k, j]
            for j in range(n_c)
            for k in range(n_k)
        }
        for t in range(n_t):
            frac: dict[int, list[float]] = {}
            for k in order:
                # --- direct cuts: per importer, sum over the shocks hitting it
                cut_of = {}  # (exporter, importer) -> direct cut fraction
                lost = [0.0] * n_c
                for si, e, ks, dest, active in shocks:
                    if k not in ks:
                        continue
                    r = draws.cut[d, si] * active[t]
                    for j in range(n_c):
                        if dest[j] > 0 and r > 0:
                            lost[j] += r * q[k, e, j]
                            cut_of[(e, j)] = cut_of.get((e, j), 0.0) + r
                # --- refiners short of ore
                delta = [0.0] * n_c
                have_parent = False
                for p, share in parents[k]:
                    if p in frac:
                        have_parent = True
                        for i in range(n_c):
                            delta[i] += share * frac[p][i]
                delta = [min(1.0, v) for v in delta]
                if have_parent:
                    coef = np.array([delta[e] * rho[k, e] for e in range(n_c)])
                    for j in range(n_c):
                        keep = np.array([1.0 - cut_of.get((e, j), 0.0) for e in range(n_c)])
                        lost[j] += float(np.dot(coef * keep, w[k, :, j]))
                        lost[j] = max(lost[j], 0.0)
                if not any(v > 0 for v in lost):
                    continue
                # --- spare capacity of producers under no active shock
                red = [0.0] * n_c
                if spare_on:
                    shocked_now = {
                        e for si, e, ks, dest, active in shocks if k in ks and active[t] > 0
                    }
                    ramp = _ramp(draws.ramp_years[d], years[t] - origin)
                    gap_mask = np.array([1.0 if v > 0 else 0.0 for v in lost])
                    a = np.zeros(n_c)
                    for e in range(n_c):
                        if prod[k, e] <= 0 or e in shocked_now:
                            continue
                        avail = draws.spare[d, e] * prod[k, e] * ramp * (1.0 - delta[e])
                        den = float(np.dot(w[k, e, :], gap_mask))
                        if den > 0:
                            a[e] = avail / den
                    ratio = np.zeros(n_c)
                    for j in range(n_c):
                        if gap_mask[j] == 0:
                            continue
                        offer = float(np.dot(a, w[k, :, j]))
                        red[j] = min(lost[j], offer)
                        ratio[j] = red[j] / offer if offer > 0 else 0.0
                    for e in range(n_c):
                        out["supplied"][d, t, e, k] = a[e] * float(np.dot(w[k, e, :], ratio))
                # --- per importer: recycling, demand, substitution, stockpile
                for j in range(n_c):
                    gap = lost[j] - red[j]
                    rec = 0.0
                    if recycling is not None:
                        rec = min(gap, draws.recycling_availability[d] * recycling[t, j, k])
                    gap -= rec
                    dem = draws.demand[d, k] * gap
                    gap -= dem
                    sub = draws.substitution[d, k] * gap
                    gap -= sub
                    st = stock[(j, k)]
                    use = min(st, gap)
                    if gap > st and math.isinf(months[d, j, k]):
                        months[d, j, k] = 12.0 * (t - month0) + 12.0 * st / gap
                    stock[(j, k)] = st - use
                    short = gap - use
                    for name, v in (
                        ("lost", lost[j]),
                        ("redirected", red[j]),
                        ("recycled", rec),
                        ("demand", dem),
                        ("substitution", sub),
                        ("stockpile", use),
                        ("shortfall", short),
                    ):
                        out[name][d, t, j, k] = v
                frac[k] = [
                    min(1.0, out["shortfall"][d, t, j, k] / cons[k, j]) if cons[k, j] > 0 else 0.0
                    for j in range(n_c)
                ]
    out["months"] = months
    return out
