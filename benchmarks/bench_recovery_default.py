"""Benchmark: the full default recovery run (``critmin recovery run`` without --params).

Real inputs: the shipped sourced defaults (src/critmin/circular/defaults.csv) and the
dataset's IEA demand by technology (STEPS, World, 2023-2040), 500 draws of the published
rate ranges.

* critmin: :func:`critmin.circular.uncertainty.default_recovery` — one stock model, then
  the draws applied to its end-of-life flows in one einsum.
* baseline: the naive Monte Carlo the draws replace — one full ``run_recovery`` per draw
  with that draw's collection rates and recovery efficiencies (timed for ``N_BASE``
  draws, scaled to the same number of draws).  Both give the same secondary supply per
  draw (checked below, to 1e-9 relative).

Prints wall times and the ratio in one run; asserts only that the two agree.  Run::

    .venv/bin/python benchmarks/bench_recovery_default.py
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402

from critmin.circular.defaults import sample_rates  # noqa: E402
from critmin.circular.recovery import MassBalanceWarning, run_recovery  # noqa: E402
from critmin.circular.uncertainty import default_recovery, rate_arrays  # noqa: E402

N_DRAWS = 500
N_BASE = 20


def main() -> None:
    default_recovery(n_draws=10)  # warm caches (dataset, flodym imports)
    t0 = time.perf_counter()
    dr = default_recovery(n_draws=N_DRAWS, seed=0)
    t_critmin = time.perf_counter() - t0

    res = dr.run.result
    system = res.system
    inflows = dr.run.inflows
    rows, draws = sample_rates(dr.table, N_DRAWS, seed=0)
    cr, re = rate_arrays(
        system,
        res.products,
        res.elements,
        rows,
        draws,
        res.collection_rate,
        res.recovery_efficiency,
    )
    t0 = time.perf_counter()
    worst = 0.0
    for d in range(N_BASE):
        params = {("collection_rate", p): float(cr[d, i]) for i, p in enumerate(res.products)}
        sysd = system.with_parameters(params)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", MassBalanceWarning)
            rd = run_recovery(sysd, inflows, years=list(res.years))
        # recovery efficiencies per product x element of this draw, applied to the run
        rec = np.einsum("tper,pe->te", rd.collected, re[d])
        ref = dr.draws_recovered[d]
        scale = max(float(np.abs(ref).max()), 1e-30)
        worst = max(worst, float(np.abs(rec - ref).max()) / scale)
    t_base = (time.perf_counter() - t0) * N_DRAWS / N_BASE
    print(
        f"default recovery run: {len(res.products)} products x {len(res.elements)} elements x "
        f"{len(res.years)} years, {N_DRAWS} draws"
    )
    print(f"critmin default_recovery (one stock model + einsum): {t_critmin:8.3f} s")
    print(f"baseline: one run_recovery per draw ({N_BASE} timed, scaled): {t_base:8.3f} s")
    print(f"ratio baseline / critmin: {t_base / t_critmin:8.1f}x")
    print(f"max relative difference per draw: {worst:.2e}")
    if worst > 1e-9:
        raise SystemExit("the two methods disagree")


if __name__ == "__main__":
    main()
