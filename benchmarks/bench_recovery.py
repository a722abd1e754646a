"""Benchmark: critmin.circular.run_recovery against a plain-numpy cohort loop.

Model: 1900-2050 (151 years) x 10 products x 10 elements x 5 regions.
ALL INPUTS ARE SYNTHETIC (random inflows, contents, lifetimes and rates generated below
from a fixed seed); they describe no real product and must not be quoted as data.

Peers, all computing the same stock, end-of-life, collected and recovered arrays:

* numpy cohort loop, vectorised over (product, element, region): for each cohort year c,
  add I[c] * sf[t, c] to the stock of all later years (sf from scipy per product);
* numpy per-series loop (ODYM style): one small dynamic stock model per
  product x element x region series;
* critmin with engine="flodym" (flodym InflowDrivenDSM on the full array).

Prints wall times and ratios in one run; asserts nothing.  Run::

    .venv/bin/python benchmarks/bench_recovery.py
"""

from __future__ import annotations

import os

# One BLAS thread unless told otherwise: on a shared 2-core machine, multi-threaded
# OpenBLAS made the (1-2 ms) cohort einsums erratic (up to ~160 ms) in trial runs.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import platform  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import scipy.stats  # noqa: E402

from critmin.circular import lifetimes  # noqa: E402
from critmin.circular.products import ProductSystem  # noqa: E402
from critmin.circular.recovery import run_recovery  # noqa: E402

YEARS = np.arange(1900, 2051)
PRODUCTS = [
    "ev_battery_lfp",
    "ev_battery_nmc111",
    "ev_battery_nmc532",
    "ev_battery_nmc622",
    "ev_battery_nmc811",
    "ev_battery_nca",
    "grid_storage_battery",
    "consumer_electronics",
    "wind_turbine_magnet",
    "ev_motor_magnet",
]
ELEMENTS = ["Li", "Co", "Ni", "Mn", "graphite", "Nd", "Pr", "Dy", "Tb", "Cu"]
REGIONS = ["R1", "R2", "R3", "R4", "R5"]
REPEAT = 5


def synthetic_inputs(seed: int = 42):
    """SYNTHETIC inflows [t/yr of product], contents [t/t], lifetimes and rates."""
    rng = np.random.default_rng(seed)
    n_t, n_p, n_r, n_e = len(YEARS), len(PRODUCTS), len(REGIONS), len(ELEMENTS)
    growth = np.exp(0.03 * (YEARS - YEARS[0]))[:, None, None]
    x = growth * rng.uniform(0.5, 1.5, size=(n_t, n_p, n_r)) * 100.0  # synthetic
    content = rng.uniform(0.0, 0.2, size=(n_p, n_e))  # synthetic t/t
    families = ["normal", "lognormal", "weibull", "fixed"]
    lts = {}
    for i, p in enumerate(PRODUCTS):
        fam = families[i % 4]
        mean = float(rng.uniform(5, 25))
        if fam == "fixed":
            lts[p] = lifetimes.fixed(round(mean))
        elif fam == "weibull":
            lts[p] = lifetimes.weibull(float(rng.uniform(1.5, 3.5)), mean)
        elif fam == "normal":
            lts[p] = lifetimes.normal(mean, 0.3 * mean)
        else:
            lts[p] = lifetimes.lognormal(mean, 0.4 * mean)
    collection = rng.uniform(0.2, 0.9, size=n_p)  # synthetic
    recovery = rng.uniform(0.3, 0.95, size=n_e)  # synthetic, one process for all
    params = {}
    for i, p in enumerate(PRODUCTS):
        params[("collection_rate", p)] = (float(collection[i]), "1", "", "synthetic")
        for j, e in enumerate(ELEMENTS):
            params[("content", p, e)] = (float(content[i, j]), "t/t", "", "synthetic")
    for j, e in enumerate(ELEMENTS):
        params[("recovery_efficiency", None, e, "synthetic_process")] = (
            float(recovery[j]),
            "1",
            "",
            "synthetic",
        )
    system = ProductSystem.default().with_parameters(
        params, lifetimes=lts, routes={p: "synthetic_process" for p in PRODUCTS}
    )
    t_idx, p_idx, r_idx = np.meshgrid(np.arange(n_t), np.arange(n_p), np.arange(n_r), indexing="ij")
    inflows = pd.DataFrame(
        {
            "product": np.asarray(PRODUCTS)[p_idx.ravel()],
            "region": np.asarray(REGIONS)[r_idx.ravel()],
            "year": YEARS[t_idx.ravel()],
            "value": x.ravel(),
            "unit": "t",
        }
    )
    return system, inflows, x, content, lts, collection, recovery


def scipy_sf(lt: lifetimes.Lifetime, ages: np.ndarray) -> np.ndarray:
    """Survival at integer ages (ODYM convention, inflow_at='end'), straight from scipy."""
    prm = lt.params
    if lt.family == "fixed":
        return (ages < prm["mean"]).astype(float)
    if lt.family == "normal":
        return scipy.stats.norm.sf(ages, loc=prm["mean"], scale=prm["std"])
    if lt.family == "weibull":
        return scipy.stats.weibull_min.sf(ages, c=prm["weibull_shape"], scale=prm["weibull_scale"])
    m, s = prm["mean"], prm["std"]
    sigma = np.sqrt(np.log(1 + s * s / (m * m)))
    mu = np.log(m * m / np.sqrt(m * m + s * s))
    return scipy.stats.lognorm.sf(ages, s=sigma, scale=np.exp(mu))


def numpy_cohort_loop(x, content, lts, collection, recovery):
    """Plain numpy: loop over cohorts, vectorised over products x elements x regions."""
    n_t = x.shape[0]
    ages = np.arange(n_t)
    sf_age = np.stack([scipy_sf(lts[p], ages) for p in PRODUCTS], axis=1)  # [age, p]
    inflow = x[:, :, None, :] * content[None, :, :, None]  # [t, p, e, r]
    stock = np.zeros_like(inflow)
    for c in range(n_t):  # cohort loop
        stock[c:] += inflow[c][None] * sf_age[: n_t - c, :, None, None]
    eol = inflow - np.diff(stock, axis=0, prepend=0.0)
    collected = eol * collection[None, :, None, None]
    recovered = collected * recovery[None, None, :, None]
    return stock, eol, collected, recovered


def numpy_series_loop(x, content, lts, collection, recovery):
    """ODYM style: one small DSM per product x element x region series."""
    n_t, n_p, n_r = x.shape
    n_e = content.shape[1]
    ages = np.arange(n_t)
    stock = np.zeros((n_t, n_p, n_e, n_r))
    eol = np.zeros_like(stock)
    for i, p in enumerate(PRODUCTS):
        s_age = scipy_sf(lts[p], ages)
        sf = np.zeros((n_t, n_t))
        for c in range(n_t):
            sf[c:, c] = s_age[: n_t - c]
        for j in range(n_e):
            for k in range(n_r):
                inflow = x[:, i, k] * content[i, j]
                s_c = sf * inflow[None, :]
                stock[:, i, j, k] = s_c.sum(axis=1)
                eol[:, i, j, k] = inflow - np.diff(stock[:, i, j, k], prepend=0.0)
    collected = eol * collection[None, :, None, None]
    recovered = collected * recovery[None, None, :, None]
    return stock, eol, collected, recovered


def best_of(fn, repeat=REPEAT):
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main() -> None:
    system, inflows, x, content, lts, collection, recovery = synthetic_inputs()
    n_cells = len(YEARS) * len(PRODUCTS) * len(ELEMENTS) * len(REGIONS)
    print("critmin.circular recovery benchmark (SYNTHETIC inputs)")
    print(
        f"  model: {YEARS[0]}-{YEARS[-1]} ({len(YEARS)} yr) x {len(PRODUCTS)} products x "
        f"{len(ELEMENTS)} elements x {len(REGIONS)} regions = {n_cells:,} cells; "
        f"{len(inflows):,} inflow rows"
    )
    print(
        f"  machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"numpy {np.__version__}; OPENBLAS_NUM_THREADS="
        f"{os.environ['OPENBLAS_NUM_THREADS']}; best of {REPEAT}"
    )

    t_cm, res = best_of(lambda: run_recovery(system, inflows))
    t_fl, res_fl = best_of(lambda: run_recovery(system, inflows, engine="flodym"), repeat=2)
    t_np, (stock, eol, collected, recovered) = best_of(
        lambda: numpy_cohort_loop(x, content, lts, collection, recovery)
    )
    t_series, out_series = best_of(
        lambda: numpy_series_loop(x, content, lts, collection, recovery), repeat=2
    )

    # the same numbers? (units: critmin converts t -> t, so directly comparable)
    def maxdiff(a, b):
        return float(np.max(np.abs(a - b)) / max(1.0, float(np.max(np.abs(b)))))

    d_np = max(maxdiff(res.stock, stock), maxdiff(res.eol, eol), maxdiff(res.recovered, recovered))
    d_series = max(maxdiff(res.stock, out_series[0]), maxdiff(res.recovered, out_series[3]))
    d_fl = max(maxdiff(res.stock, res_fl.stock), maxdiff(res.recovered, res_fl.recovered))

    flops = 2 * 2 * len(YEARS) ** 2 * len(PRODUCTS) * len(ELEMENTS) * len(REGIONS)
    print()
    print(f"  {'implementation':<52}{'wall [s]':>10}{'ratio':>10}{'max rel diff':>14}")
    rows = [
        ("critmin run_recovery (einsum on flodym sf/pdf)", t_cm, 0.0),
        ("numpy cohort loop (vectorised over p,e,r)", t_np, d_np),
        ("numpy per-series loop (ODYM style, 500 DSMs)", t_series, d_series),
        ("critmin run_recovery(engine='flodym')", t_fl, d_fl),
    ]
    for name, t, d in rows:
        print(f"  {name:<52}{t:>10.4f}{t / t_cm:>10.2f}{d:>14.2e}")
    print()
    print(f"  ratio numpy-cohort-loop / critmin = {t_np / t_cm:.2f} (>1 means critmin is faster)")
    print(
        f"  cohort-sum work: {flops / 1e6:.1f} MFLOP -> "
        f"{flops / t_cm / 1e9:.3f} GFLOP/s effective for critmin end to end"
    )

    # where critmin's time goes (best of REPEAT per phase)
    from critmin.circular import recovery as rec  # private helpers, benchmark only

    needs = ("lifetime", "content", "collection_rate", "recovery_efficiency")
    t_prep, (inflow, yrs, prods, _, _) = best_of(
        lambda: rec._element_inflows(system, inflows, None, None, "raise", needs)
    )
    t_sf, (sf, pdf) = best_of(lambda: rec._survival_arrays(system, prods, yrs))
    t_sum, _ = best_of(lambda: rec._cohort_sums(inflow, sf, pdf))
    t_chk, _ = best_of(lambda: rec.check_mass_balance(res))
    print(
        "  critmin phases [s]: validate + pivot inflows + contents "
        f"{t_prep:.4f} | flodym sf/pdf {t_sf:.4f} | cohort einsums {t_sum:.4f} | "
        f"mass-balance check {t_chk:.4f}"
    )
    print(f"  cohort einsums alone vs numpy cohort loop: {t_np / t_sum:.2f}x")


if __name__ == "__main__":
    main()
