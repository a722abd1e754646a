"""Benchmark of the scenario engine: a 10,000-draw ensemble at the size of the real base year.

SYNTHETIC NETWORK.  The data layer (BACI trade, production) is not wired yet, so this runs
on ``synthetic_network(220, 74)``: 220 countries x 74 HS6-like commodities with realistic
sparsity (about 6% of exporter x importer pairs trade), CHN the dominant producer of every
commodity and 10 ore -> refined links.  The "China rare-earth preset" here is a synthetic
stand-in: CHN cuts exports of *every* commodity of the base year (the worst case for the
engine, a superset of the rare-earth codes), all importers but two, for 3 of 5 years, with
every response switched on.  The real preset (MCS 2026 T4) will replace it once the data
layer lands.

Prints, in one run: wall time and peak memory of the 10,000-draw ensemble (local, one
thread; local, two threads; Dask LocalCluster with two workers), achieved FLOP/s of its
matrix products against this machine's measured numpy matmul rate, the ratio against the
plain per-draw reference loop (``reference_loop.py``, run on a few draws and scaled, as
said in the output), and times at 1k/2k/5k/10k draws to show linearity.

Run:  .venv/bin/python benchmarks/bench_scenario.py   (no assertions)
"""

from __future__ import annotations

import os

# One BLAS thread per chunk: the products are small (chunk x ~40) x (~40 x 220), where a
# multi-threaded BLAS spends more time synchronising than computing; the two cores are
# used by running two chunks at once instead (threads=2 / two Dask workers).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import gc  # noqa: E402
import importlib.util  # noqa: E402
import platform  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from critmin.scenarios import run_ensemble, synthetic_network  # noqa: E402

HERE = Path(__file__).resolve().parent
DRAWS = 10_000
CHUNK = 512
REF_DRAWS = 3


def load_reference():
    spec = importlib.util.spec_from_file_location("reference_loop", HERE / "reference_loop.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def preset(draws: int) -> dict:
    """Synthetic stand-in for the China rare-earth preset (see the module docstring)."""
    return {
        "name": "synthetic-china-all-commodities",
        "base_year": 2023,
        "horizon": {"start": 2025, "end": 2029},
        "shocks": [
            {
                "country": "CHN",
                "cut": {"triangular": [0.3, 0.7, 1.0]},
                "destinations": {"all_except": ["XAA", "XAB"]},
                "start_year": 2025,
                "duration": 3,
            }
        ],
        # arbitrary benchmark settings, not estimates
        "responses": {
            "spare_capacity": {
                "default": {"uniform": [0.0, 0.2]},
                "ramp_up_years": {"uniform": [1, 3]},
            },
            "stockpile_days": {"default": {"uniform": [0, 60]}},
            "demand_elasticity": {"default": {"uniform": [0.0, 0.3]}},
            "substitution": {"default": {"uniform": [0.0, 0.2]}},
        },
        "draws": draws,
        "seed": 2026,
    }


def sector_shares(commodities) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    sectors = ["defence", "electric vehicles", "wind", "electronics", "catalysts"]
    rows = []
    for c in commodities:
        w = rng.dirichlet(np.ones(len(sectors) + 1))[:-1]  # leaves some unallocated
        rows += [
            {"commodity_id": c, "sector": s, "share": float(x)}
            for s, x in zip(sectors, w, strict=True)
        ]
    return pd.DataFrame(rows)


def matmul_rate(m: int, k: int, n: int, seconds: float = 1.0) -> float:
    rng = np.random.default_rng(0)
    a, b = rng.random((m, k)), rng.random((k, n))
    a @ b
    reps, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        a @ b
        reps += 1
    return 2.0 * m * k * n * reps / (time.perf_counter() - t0)


def all_core_matmul_rate() -> float:
    """Square 2000 x 2000 matmul with BLAS free to use every core (fresh process)."""
    code = (
        "import numpy as np, time\n"
        "a=np.random.rand(2000,2000); b=np.random.rand(2000,2000); a@b\n"
        "r=0; t=time.perf_counter()\n"
        "while time.perf_counter()-t<2: a@b; r+=1\n"
        "print(2*2000**3*r/(time.perf_counter()-t))\n"
    )
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
    }
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    return float(out.stdout.strip())


def timed(fn):
    gc.collect()
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def main() -> None:
    print("critmin scenario engine benchmark")
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"numpy {np.__version__}, python {platform.python_version()}"
    )
    print(f"load average at start: {os.getloadavg()}")
    net = synthetic_network(220, 74, n_links=10, seed=0)
    k, n = net.shape
    print(
        f"network: SYNTHETIC, {n} countries x {k} commodities, "
        f"{int((net.flows > 0).sum())} flows ({(net.flows > 0).mean():.1%} of pairs), "
        f"{len(net.links)} ore->refined links, mean producers per commodity "
        f"{(net.production > 0).sum(axis=1).mean():.0f}"
    )
    shares = sector_shares(net.commodities)
    spec = preset(DRAWS)
    print(
        f"scenario: {spec['name']} (synthetic stand-in for the China rare-earth preset), "
        f"{DRAWS} draws, years {spec['horizon']['start']}-{spec['horizon']['end']}, "
        f"chunk_size={CHUNK}, sector shares for 5 sectors, BLAS threads = "
        f"{os.environ['OPENBLAS_NUM_THREADS']}"
    )
    print()

    # ---- main run, local, one thread: wall and peak memory
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    tracemalloc.start()
    res, wall1 = timed(
        lambda: run_ensemble(spec, net, chunk_size=CHUNK, sector_shares=shares, track=["XAC"])
    )
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    flops = res.flops
    print(
        f"10,000 draws, local, 1 thread : wall {wall1:6.2f} s "
        f"(simulate {res.timings['simulate']:.2f} s, quantiles/reduce "
        f"{res.timings['reduce']:.2f} s)"
    )
    print(
        f"  peak memory: {peak / 2**30:.2f} GiB traced by tracemalloc during the run; "
        f"process peak RSS {rss:.2f} GiB (was {base_rss:.2f} GiB before)"
    )
    res2, wall2 = timed(
        lambda: run_ensemble(spec, net, chunk_size=CHUNK, sector_shares=shares, threads=2)
    )
    same = np.array_equal(res2.shortfall_q, res.shortfall_q)
    print(f"10,000 draws, local, 2 threads: wall {wall2:6.2f} s (identical quantiles: {same})")
    wall_dask = None
    try:
        import distributed

        with (
            distributed.LocalCluster(
                n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            res3, wall_dask = timed(
                lambda: run_ensemble(
                    spec, net, chunk_size=CHUNK, sector_shares=shares, client=client
                )
            )
        same = np.array_equal(res3.shortfall_q, res.shortfall_q)
        print(
            f"10,000 draws, Dask LocalCluster(2 workers, processes=False): wall "
            f"{wall_dask:6.2f} s (identical quantiles: {same})"
        )
    except ImportError:
        print("dask.distributed not installed: cluster run skipped")
    best = min(w for w in (wall1, wall2, wall_dask) if w is not None)
    print()

    # ---- FLOP/s against the machine
    gemm1 = matmul_rate(CHUNK, 40, n)
    square1 = matmul_rate(2000, 2000, 2000)
    square_all = all_core_matmul_rate()
    print(f"matrix products of the run: {flops / 1e9:.1f} GFLOP")
    print(f"  achieved (1 thread run) : {flops / wall1 / 1e9:6.2f} GFLOP/s")
    print(f"  achieved (best run)     : {flops / best / 1e9:6.2f} GFLOP/s")
    print(
        f"  machine, numpy matmul  : {square1 / 1e9:6.2f} GFLOP/s 2000^3 on 1 thread, "
        f"{square_all / 1e9:6.2f} GFLOP/s 2000^3 on all cores, "
        f"{gemm1 / 1e9:6.2f} GFLOP/s for the engine's shape ({CHUNK}x40 @ 40x{n}) "
        "on 1 thread"
    )
    print(
        f"  share of the all-core matmul rate: {flops / best / square_all:.1%} "
        "(the rest of the time is element-wise work: responses, stockpiles, quantiles)"
    )
    print()

    # ---- reference loop, on a few draws, scaled
    ref = load_reference()
    ref_spec = preset(REF_DRAWS)
    _, ref_wall = timed(lambda: ref.run_reference(ref_spec, net))
    per_draw = ref_wall / REF_DRAWS
    scaled = per_draw * DRAWS
    print(
        f"reference per-draw loop: {REF_DRAWS} draws in {ref_wall:.1f} s = "
        f"{per_draw:.2f} s/draw -> {scaled:,.0f} s for {DRAWS} draws (scaled linearly, "
        "not run)"
    )
    print(
        f"  ratio reference / engine: {scaled / wall1:,.0f}x (1 thread), "
        f"{scaled / best:,.0f}x (best run)"
    )
    print()

    # ---- linearity in draws
    print("linearity (local, 1 thread):")
    rows = []
    for d in (1_000, 2_000, 5_000, 10_000):
        _, w = timed(
            lambda d=d: run_ensemble(preset(d), net, chunk_size=CHUNK, sector_shares=shares)
        )
        rows.append((d, w))
        print(f"  {d:6d} draws: {w:6.2f} s  ({w / d * 1e3:.3f} ms/draw)")
    d_arr = np.array([r[0] for r in rows], dtype=float)
    w_arr = np.array([r[1] for r in rows])
    slope, icpt = np.polyfit(d_arr, w_arr, 1)
    fit = slope * d_arr + icpt
    r2 = 1 - ((w_arr - fit) ** 2).sum() / ((w_arr - w_arr.mean()) ** 2).sum()
    print(f"  fit: {slope * 1e3:.3f} s per 1,000 draws + {icpt:.2f} s fixed, R^2 = {r2:.4f}")
    print()
    print("targets: >= 50x the reference loop, < 30 s, < 4 GiB, linear in draws")
    print(
        f"  ratio {scaled / best:,.0f}x | wall {best:.1f} s | peak {peak / 2**30:.2f} GiB traced,"
        f" {rss:.2f} GiB RSS | R^2 {r2:.4f}"
    )
    print(f"load average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
