"""A run that cannot fit in memory is refused up front, with the estimate, the limit and the fix."""

from __future__ import annotations

import re
import tracemalloc

import pytest

from critmin.errors import ResourceLimitError
from critmin.scenarios import run_ensemble, synthetic_network
from critmin.scenarios.engine import COMPONENTS, prepare
from critmin.scenarios.ensemble import available_memory, check_memory, memory_estimate

from .test_ensemble import SPEC


@pytest.fixture(scope="module")
def net():
    return synthetic_network(40, 10, n_links=3, seed=9)


def test_estimate_counts_the_arrays_by_hand(net):
    plan = prepare(SPEC, net)
    d, n, k, t = 1000, len(net.countries), len(net.commodities), len(plan.years)
    est = memory_estimate(plan, d, chunk_size=64)
    # one shock: the sampled parameters are cut (D,1), spare and stockpile (D,N), demand and
    # substitution (D,K), ramp and recycling (D,)
    assert est["draws"] == 8 * d * (1 + 2 * n + 2 * k + 2)
    # summaries: component sums (C,T,N,K), who-fills sums (K,T,N,N), 3 quantiles (3,T,N,K),
    # months quantiles (3,N,K), P(exhausted) (N,K), stock-outs (N,K)
    c = len(COMPONENTS)
    assert est["summaries"] == 8 * (c * t * n * k + k * t * n * n + 3 * t * n * k + 5 * n * k)
    assert est["total"] == sum(v for key, v in est.items() if key not in ("total", "per_draw"))
    # linear in the draws once over one chunk
    est2 = memory_estimate(plan, 2 * d, chunk_size=64)
    assert est2["total"] - est["total"] == est["per_draw"] * d


def test_estimate_matches_what_a_run_allocates(net):
    """numpy reports its buffers to tracemalloc: the peak is within 15% of the estimate."""
    d = 4000
    est = memory_estimate(prepare(SPEC, net), d, chunk_size=256)["total"]
    tracemalloc.start()
    try:
        run_ensemble(SPEC, net, n_draws=d, chunk_size=256)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert 0.85 * est < peak < 1.15 * est, (est, peak)


def test_refusal_names_estimate_limit_and_a_draw_count_that_fits(net):
    plan = prepare(SPEC, net)
    d, free = 10_000_000, 2**30
    est = memory_estimate(plan, d)
    with pytest.raises(ResourceLimitError) as info:
        check_memory(est, d, 512, available=free, what="scenario 'x'")
    msg = str(info.value)
    assert "10,000,000 draws" in msg and "1.0 GiB is free" in msg
    assert f"{est['total'] / 2**30:,.1f} GiB" in msg
    fits = int(re.search(r"--draws ([\d,]+)", msg).group(1).replace(",", ""))
    assert memory_estimate(plan, fits)["total"] <= free < memory_estimate(plan, 2 * fits)["total"]
    check_memory(est, d, 512, available=est["total"])  # exactly enough: no error


def test_run_ensemble_refuses_before_allocating(net, monkeypatch):
    import critmin.scenarios.ensemble as ens

    monkeypatch.setattr(ens, "available_memory", lambda: 10 * 2**20)
    with pytest.raises(ResourceLimitError, match="only 10 MiB is free"):
        run_ensemble(SPEC, net, n_draws=1_000_000)


def test_available_memory_is_a_positive_byte_count():
    free = available_memory()
    assert free is None or free > 0


def test_cli_refuses_a_run_that_cannot_fit_in_one_line(capsys, monkeypatch):
    import critmin.cli as cli

    monkeypatch.setenv("COLUMNS", "100")
    with pytest.raises(SystemExit) as info:
        cli.main(["scenario", "run", "china_ree_2025", "--draws", "1000000000"])
    assert info.value.code == 1
    out = capsys.readouterr().err.strip()
    assert "Traceback" not in out and "MemoryError" not in out
    line = [x for x in out.splitlines() if "draws needs about" in x]
    assert line and "1,000,000,000 draws" in line[0] and "is free" in line[0]
    assert re.search(r"--draws [\d,]+ or fewer fit", out)
