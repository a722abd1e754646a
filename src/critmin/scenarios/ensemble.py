"""Run a Monte Carlo ensemble in chunks of draws, locally or on a Dask cluster.

:func:`run_ensemble` binds a spec to a network (:func:`~critmin.scenarios.engine.prepare`),
draws every random parameter up front
(:func:`~critmin.scenarios.engine.sample_parameters`), then runs each block of linked
commodities chunk by chunk through :func:`~critmin.scenarios.engine.simulate_block`.  With
a ``dask.distributed.Client`` the chunks of a block are submitted to the workers and
gathered; the per-draw arrays, quantiles and means are identical to a local run because
the random numbers do not depend on the chunking and chunk results are reduced in chunk
order.

Memory: besides the inputs, a run holds the per-draw shortfall of one block at a time
(``draws x years x countries x block size x 8`` bytes), the summaries
(``years x countries x commodities``, and ``years x countries**2 x commodities`` for who
fills the gap when there is spare capacity) and, when sector shares are given, the
per-draw sector totals (``draws x years x countries x sectors``).
:func:`memory_estimate` adds these up from the plan's shapes, and :func:`run_ensemble`
refuses (:class:`~critmin.errors.ResourceLimitError`) a run whose estimate exceeds the
memory this machine has free (:func:`available_memory`) before it allocates anything.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from critmin.errors import ResourceLimitError, ScenarioError
from critmin.scenarios.engine import (
    COMPONENTS,
    QUANTILES,
    BlockInputs,
    ChunkResult,
    Draws,
    GroupResolver,
    Plan,
    prepare,
    sample_parameters,
    simulate_block,
)
from critmin.scenarios.network import Network
from critmin.scenarios.sectors import share_matrix
from critmin.scenarios.spec import ScenarioSpec, load_spec

__all__ = [
    "EnsembleResult",
    "available_memory",
    "check_memory",
    "memory_estimate",
    "run_ensemble",
]

logger = logging.getLogger(__name__)


@dataclass
class EnsembleResult:
    """The summarised outcome of an ensemble.

    Axes: ``q`` the quantile levels :data:`~critmin.scenarios.engine.QUANTILES`
    (P5, P50, P95), ``T`` the years, ``N`` the countries (as importers, or as exporters
    where said), ``K`` the commodities, ``S`` the sectors.  Commodities no shock reaches
    are zero throughout.

    Attributes
    ----------
    spec : ScenarioSpec
        The spec as run (with its seed).
    network : Network
        The network it ran on.
    n_draws : int
        Number of draws.
    shortfall_q : numpy.ndarray
        ``(q, T, N, K)`` quantiles over draws of the shortfall [t].
    shortfall_pct_q : numpy.ndarray
        ``(q, T, N, K)`` the same as % of base-year apparent consumption [%]; NaN where
        consumption is 0.
    means : dict of str to numpy.ndarray
        ``(T, N, K)`` mean over draws of every component of
        :data:`~critmin.scenarios.engine.COMPONENTS` [t].
    supplied_mean : numpy.ndarray
        ``(T, N_exporter, K)`` mean spare-capacity supply of each producer [t].
    fill_mean : numpy.ndarray or None
        ``(T, N_exporter, N_importer, K)`` mean spare-capacity supply from each producer
        to each importer [t]; None without spare capacity.
    months_q : numpy.ndarray
        ``(q, N, K)`` quantiles of the months until stockpiles no longer cover the gap
        [months]; ``inf`` = not within the horizon (or no gap).  Uses the
        ``inverted_cdf`` quantile, so every value is one that occurred.
    p_stock_exhausted : numpy.ndarray
        ``(N, K)`` share of draws in which the gap outruns the stockpile [fraction].
    sectors : tuple of str or None
        Sector names (the last is ``'other/unallocated'``).
    sector_q, sector_pct_q : numpy.ndarray or None
        ``(q, T, N, S)`` quantiles over draws of the shortfall per sector [t] and as % of
        the sector's apparent consumption ``sum_k share[k, s] * C[k]`` [%].
    components : dict of str to numpy.ndarray or None
        With ``keep_draws=True``: per-draw ``(D, T, N, K)`` arrays of every component,
        plus ``available`` and ``supplied`` (per producer) [t].
    track : tuple of str
        Importers whose per-draw shortfall is kept.
    tracked : numpy.ndarray or None
        ``(D, T, len(track), K)`` per-draw shortfall of the tracked importers [t].
    flops : float
        Floating-point operations of the matrix products [FLOP].
    timings : dict of str to float
        Wall time of the phases [s].
    """

    spec: ScenarioSpec
    network: Network
    n_draws: int
    shortfall_q: np.ndarray
    shortfall_pct_q: np.ndarray
    means: dict[str, np.ndarray]
    supplied_mean: np.ndarray
    fill_mean: np.ndarray | None
    months_q: np.ndarray
    p_stock_exhausted: np.ndarray
    sectors: tuple[str, ...] | None = None
    sector_q: np.ndarray | None = None
    sector_pct_q: np.ndarray | None = None
    components: dict[str, np.ndarray] | None = None
    track: tuple[str, ...] = ()
    tracked: np.ndarray | None = None
    flops: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def years(self) -> list[int]:
        """Simulated years."""
        return self.spec.years

    @property
    def shortfall(self) -> np.ndarray:
        """Per-draw shortfall ``(D, T, N, K)`` [t] (needs ``keep_draws=True``)."""
        if self.components is None:
            msg = "per-draw arrays were not kept; fix: run with keep_draws=True"
            raise ScenarioError(msg)
        return self.components["shortfall"]

    @property
    def shortfall_pct(self) -> np.ndarray:
        """Per-draw shortfall as % of apparent consumption ``(D, T, N, K)`` [%]."""
        return _pct(self.shortfall, self.network.consumption.T[None, None])

    def shortfall_table(self, *, nonzero: bool = True) -> pd.DataFrame:
        """Quantiles per year, importer and commodity as a tidy table.

        Parameters
        ----------
        nonzero : bool
            Keep only rows whose P95 shortfall is above 0.

        Returns
        -------
        pandas.DataFrame
            Columns ``year, importer_iso3, commodity_id, consumption_t, p5_t, p50_t,
            p95_t, mean_t, p5_pct, p50_pct, p95_pct``.
        """
        t_len, n, k = self.shortfall_q.shape[1:]
        ti, ni, ki = (
            a.ravel()
            for a in np.meshgrid(np.arange(t_len), np.arange(n), np.arange(k), indexing="ij")
        )
        q, pct = self.shortfall_q.reshape(3, -1), self.shortfall_pct_q.reshape(3, -1)
        df = pd.DataFrame(
            {
                "year": np.asarray(self.years)[ti],
                "importer_iso3": np.asarray(self.network.countries, dtype=object)[ni],
                "commodity_id": np.asarray(self.network.commodities, dtype=object)[ki],
                "consumption_t": self.network.consumption[ki, ni],
                "p5_t": q[0],
                "p50_t": q[1],
                "p95_t": q[2],
                "mean_t": self.means["shortfall"].ravel(),
                "p5_pct": pct[0],
                "p50_pct": pct[1],
                "p95_pct": pct[2],
            }
        )
        if nonzero:
            df = df[df["p95_t"] > 0]
        return df.reset_index(drop=True)

    def who_fills(self, importer: str, commodity: str) -> pd.DataFrame:
        """Mean decomposition of one importer's lost supply, per year.

        Parameters
        ----------
        importer : str
            ISO3 code.
        commodity : str
            Commodity id.

        Returns
        -------
        pandas.DataFrame
            Index: sources (each partner supplying spare capacity by ISO3, then
            ``recycling``, ``demand response``, ``substitution``, ``stockpile``,
            ``shortfall``); columns: years; values: mean tonnes.  The column sums equal
            the mean lost supply.
        """
        j, k = self.network.country(importer), self.network.commodity(commodity)
        rows: dict[str, np.ndarray] = {}
        if self.fill_mean is not None:
            by_exp = self.fill_mean[:, :, j, k]  # (T, N)
            for e in np.flatnonzero(by_exp.sum(axis=0) > 0):
                rows[self.network.countries[e]] = by_exp[:, e]
        for name, label in (
            ("recycled", "recycling"),
            ("demand", "demand response"),
            ("substitution", "substitution"),
            ("stockpile", "stockpile"),
            ("shortfall", "shortfall"),
        ):
            rows[label] = self.means[name][:, j, k]
        return pd.DataFrame(rows, index=self.years).T

    def stockpile_table(self) -> pd.DataFrame:
        """Months until stockpiles run out, per importer and commodity with a gap.

        Returns
        -------
        pandas.DataFrame
            Columns ``importer_iso3, commodity_id, p5_months, p50_months, p95_months,
            p_exhausted`` (``inf`` months: not within the horizon).
        """
        lost = self.means["lost"].sum(axis=0)  # (N, K)
        ni, ki = np.nonzero(lost > 0)
        return pd.DataFrame(
            {
                "importer_iso3": np.asarray(self.network.countries, dtype=object)[ni],
                "commodity_id": np.asarray(self.network.commodities, dtype=object)[ki],
                "p5_months": self.months_q[0, ni, ki],
                "p50_months": self.months_q[1, ni, ki],
                "p95_months": self.months_q[2, ni, ki],
                "p_exhausted": self.p_stock_exhausted[ni, ki],
            }
        )

    def sector_table(self, *, nonzero: bool = True) -> pd.DataFrame:
        """Sector quantiles per year and importer (needs ``sector_shares``).

        Returns
        -------
        pandas.DataFrame
            Columns ``year, importer_iso3, sector, p5_t, p50_t, p95_t, p5_pct, p50_pct,
            p95_pct``.
        """
        if self.sector_q is None or self.sectors is None or self.sector_pct_q is None:
            msg = "no sector results; fix: run with sector_shares="
            raise ScenarioError(msg)
        t_len, n, s = self.sector_q.shape[1:]
        ti, ni, si = (
            a.ravel()
            for a in np.meshgrid(np.arange(t_len), np.arange(n), np.arange(s), indexing="ij")
        )
        q, pct = self.sector_q.reshape(3, -1), self.sector_pct_q.reshape(3, -1)
        df = pd.DataFrame(
            {
                "year": np.asarray(self.years)[ti],
                "importer_iso3": np.asarray(self.network.countries, dtype=object)[ni],
                "sector": np.asarray(self.sectors, dtype=object)[si],
                "p5_t": q[0],
                "p50_t": q[1],
                "p95_t": q[2],
                "p5_pct": pct[0],
                "p50_pct": pct[1],
                "p95_pct": pct[2],
            }
        )
        if nonzero:
            df = df[df["p95_t"] > 0]
        return df.reset_index(drop=True)


def _pct(x: np.ndarray, cons: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(cons > 0, 100.0 * x / np.where(cons > 0, cons, 1.0), np.nan)


def _quantiles(values: np.ndarray, levels: Sequence[float], method: str = "linear") -> np.ndarray:
    """Quantiles over axis 0 of ``values`` (D, ...), as :func:`numpy.quantile` computes them.

    Sorts each cell's draws (numpy's SIMD sort is several times faster than the
    partition :func:`numpy.quantile` uses), in slices of cells to bound temporaries, and
    skips cells that are zero in every draw.  `method` is ``'linear'`` (numpy's default)
    or ``'inverted_cdf'`` (a value that occurred; used where values can be ``inf``).
    """
    d_len = values.shape[0]
    flat_in = values.reshape(d_len, -1)
    out = np.zeros((len(levels), flat_in.shape[1]))
    lv = np.asarray(levels, dtype=np.float64)
    if method == "linear":
        virt = lv * (d_len - 1)
        lo_i = np.floor(virt).astype(np.int64)
        hi_i = np.minimum(lo_i + 1, d_len - 1)
        g = (virt - lo_i)[:, None]
    elif method == "inverted_cdf":
        lo_i = np.clip(np.ceil(lv * d_len).astype(np.int64) - 1, 0, d_len - 1)
    else:
        msg = f"quantile method {method!r} not supported"
        raise ValueError(msg)
    step = max(1, (1 << 22) // max(1, d_len))  # ~32 MiB of float64 per slice
    for lo in range(0, flat_in.shape[1], step):
        cols = flat_in[:, lo : lo + step]
        nz = np.flatnonzero(np.any(cols != 0, axis=0))
        if not len(nz):
            continue
        srt = np.ascontiguousarray(cols[:, nz].T)
        srt.sort(axis=1)
        a = srt[:, lo_i].T  # (levels, cells)
        if method == "linear":
            b = srt[:, hi_i].T
            with np.errstate(invalid="ignore"):
                diff = b - a
                res = np.where(g >= 0.5, b - diff * (1 - g), a + diff * g)
            res = np.where(diff == 0, a, res)  # keeps inf (and equal values) exact
        else:
            res = a
        out[:, lo + nz] = res
    return out.reshape(len(levels), *values.shape[1:])


def _chunks(
    inp: BlockInputs,
    draws: Draws,
    bounds: Sequence[tuple[int, int]],
    client: Any,
    components: bool,
    threads: int = 1,
) -> Iterator[tuple[int, ChunkResult]]:
    """Yield ``(chunk index, result)`` for every chunk.

    Chunks run in this thread, in a thread pool (at most ``2 * threads`` in flight) or on
    a Dask client.
    """
    if client is None and threads <= 1:
        for i, (lo, hi) in enumerate(bounds):
            yield i, simulate_block(inp, draws.slice(lo, hi), components=components)
        return
    if client is None:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            window: dict[Any, int] = {}
            todo = iter(enumerate(bounds))
            for _ in range(2 * threads):
                nxt = next(todo, None)
                if nxt is not None:
                    i, (lo, hi) = nxt
                    window[
                        pool.submit(simulate_block, inp, draws.slice(lo, hi), components=components)
                    ] = i
            while window:
                done, _ = wait(list(window), return_when=FIRST_COMPLETED)
                for fut in done:
                    yield window.pop(fut), fut.result()
                    nxt = next(todo, None)
                    if nxt is not None:
                        i, (lo, hi) = nxt
                        window[
                            pool.submit(
                                simulate_block, inp, draws.slice(lo, hi), components=components
                            )
                        ] = i
        return
    from distributed import as_completed

    # hash=False: a unique key per run, so releasing it never touches another run's data
    [inp_future] = client.scatter([inp], broadcast=True, hash=False)
    futures = {
        client.submit(
            simulate_block, inp_future, draws.slice(lo, hi), components=components, pure=False
        ): i
        for i, (lo, hi) in enumerate(bounds)
    }
    try:
        for fut, res in as_completed(list(futures), with_results=True):
            yield futures[fut], res
    finally:
        pending = [f for f in futures if not f.done()]
        if pending:  # the caller stopped early: do not leave work on the cluster
            client.cancel(pending)
        inp_future.release()


_F8 = 8  # bytes of one float64


def _gib(n: float) -> str:
    return f"{n / 2**30:,.1f} GiB" if n >= 2**30 else f"{n / 2**20:,.0f} MiB"


def memory_estimate(
    plan: Plan,
    n_draws: int,
    *,
    chunk_size: int = 512,
    threads: int = 1,
    n_sectors: int = 0,
    n_track: int = 0,
    keep_draws: bool = False,
) -> dict[str, int]:
    """Bytes a :func:`run_ensemble` call holds at its peak, from the arrays' shapes.

    Parameters
    ----------
    plan : Plan
        From :func:`~critmin.scenarios.engine.prepare` (years, blocks, shocks, network).
    n_draws : int
        Draws ``D``.
    chunk_size, threads, keep_draws
        As for :func:`run_ensemble`.
    n_sectors : int
        Sectors of the sector shares (0 without them).
    n_track : int
        Importers whose per-draw shortfall is kept.

    Returns
    -------
    dict of str to int
        Bytes per part: ``draws`` (the sampled parameters, ``D x (S + 2N + 2K + 2)``),
        ``block`` (the per-draw shortfall of the largest block, ``Kb x (T_active + 1) x D x
        N``), ``sectors`` (``sectors x T x D x N``), ``tracked``, ``components`` (with
        `keep_draws`), ``summaries`` (independent of ``D``), ``chunks`` (working arrays of the
        chunks in flight), ``per_draw`` (what one more draw adds) and ``total``; float64
        throughout, so 8 bytes per cell.

    Examples
    --------
    The per-draw parts grow linearly: ``total = per_draw x D + fixed`` once ``D`` is over
    one chunk.
    """
    net = plan.network
    d = int(n_draws)
    t_len, n, k_len = len(plan.years), len(net.countries), len(net.commodities)
    s_len = len(plan.shocks)
    act = np.zeros(t_len, dtype=bool)
    for sh in plan.shocks:
        act |= np.asarray(sh.active) > 0
    t_act = int(act.sum())
    kb = max((len(b) for b in plan.blocks), default=0)
    spare = not plan.spec.responses.spare_capacity.is_zero()
    c_len = len(COMPONENTS)
    dc = min(chunk_size, d)
    in_flight = 1 if threads <= 1 else 2 * threads
    chunk = (
        kb * t_len * dc * n
        + kb * dc * n
        + c_len * t_len * n * kb
        + (kb * t_len * n * n if spare else 0)
        + 20 * dc * n
        + ((c_len + 2) * dc * t_len * n * kb if keep_draws else 0)
    )
    per_draw = {
        "draws": s_len + 2 * n + 2 * k_len + 2,
        "block": kb * (t_act + 1) * n,
        "sectors": n_sectors * t_len * n,
        "tracked": t_len * n_track * k_len,
        "components": (c_len + 2) * t_len * n * k_len if keep_draws else 0,
    }
    out = {k: _F8 * v * d for k, v in per_draw.items()}
    out["summaries"] = _F8 * (
        c_len * t_len * n * k_len
        + (k_len * t_len * n * n if spare else 0)
        + 3 * t_len * n * k_len
        + 5 * n * k_len
    )
    out["chunks"] = _F8 * in_flight * chunk
    out["per_draw"] = _F8 * sum(per_draw.values())
    out["total"] = sum(v for k, v in out.items() if k != "per_draw")
    return out


def available_memory() -> int | None:
    """Bytes of memory this process can still use, or None when the system does not say.

    The smaller of ``MemAvailable`` in ``/proc/meminfo`` (Linux; else free physical pages
    from :func:`os.sysconf`) and the room left under a cgroup memory limit (containers).
    """
    import os
    from pathlib import Path

    free: int | None = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                free = int(line.split()[1]) * 1024
                break
    except (OSError, ValueError, IndexError):
        free = None
    if free is None:
        try:
            free = int(os.sysconf("SC_AVPHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
        except (ValueError, OSError, AttributeError):
            free = None
    for limit_f, used_f in (
        ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
        (
            "/sys/fs/cgroup/memory/memory.limit_in_bytes",
            "/sys/fs/cgroup/memory/memory.usage_in_bytes",
        ),
    ):
        try:
            limit = Path(limit_f).read_text().strip()
            used = int(Path(used_f).read_text().strip())
        except (OSError, ValueError):
            continue
        if limit.isdigit() and int(limit) < 2**60:
            room = max(int(limit) - used, 0)
            free = room if free is None else min(free, room)
        break
    return free


def check_memory(
    estimate: Mapping[str, int],
    n_draws: int,
    chunk_size: int,
    available: int | None = None,
    what: str = "this scenario",
) -> None:
    """Refuse a run whose :func:`memory_estimate` is over the free memory.

    Parameters
    ----------
    estimate : mapping
        From :func:`memory_estimate`.
    n_draws, chunk_size : int
        Of the run (for the message).
    available : int, optional
        Free memory [bytes]; default :func:`available_memory` (no check when unknown).
    what : str
        Name of the run in the message.

    Raises
    ------
    ResourceLimitError
        Naming the estimate, the limit and the fix (the most draws that fit, or a smaller
        chunk when the chunks alone do not fit).
    """
    free = available_memory() if available is None else int(available)
    total = int(estimate["total"])
    if free is None or total <= free:
        return
    fixed = total - int(estimate["per_draw"]) * int(n_draws)
    fits = int((free - fixed) // max(int(estimate["per_draw"]), 1)) if free > fixed else 0
    if fits >= 1:
        fix = f"fix: give fewer draws (--draws {_round_down(fits):,} or fewer fit)"
    else:
        fix = "fix: give fewer draws"
    if estimate["chunks"] > free / 2:
        fix += f" and a smaller chunk_size (now {chunk_size:,} draws per chunk)"
    msg = (
        f"{what} with {int(n_draws):,} draws needs about {_gib(total)} of memory "
        f"({_gib(int(estimate['per_draw']) * 1000)} per 1,000 draws plus {_gib(fixed)} "
        f"fixed, float64 arrays), but only {_gib(free)} is free on this machine; {fix}"
    )
    raise ResourceLimitError(msg)


def _round_down(n: int) -> int:
    """`n` rounded down to two significant digits (a draw count to suggest)."""
    if n < 100:
        return n
    mag = 10 ** (len(str(n)) - 2)
    return (n // mag) * mag


def run_ensemble(
    spec: ScenarioSpec | Mapping[str, Any] | str,
    network: Network,
    *,
    chunk_size: int = 512,
    client: Any = None,
    n_draws: int | None = None,
    resolve_group: GroupResolver | None = None,
    recycling: np.ndarray | pd.DataFrame | None = None,
    sector_shares: pd.DataFrame | None = None,
    keep_draws: bool = False,
    track: Sequence[str] = (),
    threads: int = 1,
    block_size: int = 8,
) -> EnsembleResult:
    """Run the Monte Carlo ensemble of a scenario.

    Parameters
    ----------
    spec : ScenarioSpec, dict or path
        The scenario.
    network : Network
        Base-year trade and production.
    chunk_size : int
        Draws per chunk; bounds working memory (``~ 20 x chunk_size x countries x 8``
        bytes plus the chunk's output).  Results do not depend on it.
    client : dask.distributed.Client, optional
        Run the chunks on this cluster's workers; results identical to a local run.
    n_draws : int, optional
        Overrides ``spec.draws``.
    resolve_group : callable, optional
        ``resolve_group(group_id) -> iterable of ISO3`` for destination group ids.
    recycling : numpy.ndarray or pandas.DataFrame, optional
        Recycling supply [t], see :func:`~critmin.scenarios.engine.prepare`.
    sector_shares : pandas.DataFrame, optional
        End-use shares ``commodity_id, sector, share`` (see
        :func:`~critmin.scenarios.sectors.share_matrix`); adds sector quantiles.
    keep_draws : bool
        Keep every per-draw component ``(D, T, N, K)`` (memory ``9 x D x T x N x K x 8``
        bytes): for tests and small runs.
    track : sequence of str
        Importers whose per-draw shortfall ``(D, T, n, K)`` is kept.
    threads : int
        Without a `client`, run this many chunks at once in a thread pool (numpy releases
        the GIL).  Set the BLAS library to one thread (``OPENBLAS_NUM_THREADS=1``) when
        using more than one, or the two compete for the cores.  Results do not depend on it.
    block_size : int
        Commodities simulated together (linked ones always together).  The per-draw
        shortfall of one block is held at once: ``block_size x active years x draws x
        countries x 8`` bytes.  Results do not depend on it.

    Returns
    -------
    EnsembleResult

    Raises
    ------
    ScenarioError
        The spec is invalid or does not fit the network.
    """
    t_start = time.perf_counter()
    if chunk_size < 1:
        msg = f"chunk_size={chunk_size}; fix: give at least 1"
        raise ScenarioError(msg)
    spec = load_spec(spec)
    plan = prepare(
        spec, network, resolve_group=resolve_group, recycling=recycling, block_size=block_size
    )
    d_want = int(n_draws if n_draws is not None else spec.draws)
    if d_want >= 1:  # refuse before allocating anything (fewer than 1: sample_parameters says)
        n_sectors = 0
        if sector_shares is not None:
            n_sectors = int(pd.Series(sector_shares["sector"]).nunique())
        est = memory_estimate(
            plan,
            d_want,
            chunk_size=chunk_size,
            threads=threads if client is None else 1,
            n_sectors=n_sectors,
            n_track=len(tuple(track)),
            keep_draws=keep_draws,
        )
        check_memory(est, d_want, chunk_size, what=f"scenario {spec.name!r}")
    draws = sample_parameters(spec, network, n_draws)
    d_len = draws.n
    t_len, n, k_len = len(plan.years), len(network.countries), len(network.commodities)
    levels = list(QUANTILES)
    sums = np.zeros((len(COMPONENTS), t_len, n, k_len))
    # commodity-major (K, T, N, N) so that each block's slice is contiguous
    fill_sum = (
        np.zeros((k_len, t_len, n, n)) if not spec.responses.spare_capacity.is_zero() else None
    )
    shortfall_q = np.zeros((3, t_len, n, k_len))
    months_q = np.full((3, n, k_len), np.inf)
    p_exhausted = np.zeros((n, k_len))
    h_mat, sectors = (None, None)
    sector_draws = None
    if sector_shares is not None:
        h_mat, sectors = share_matrix(sector_shares, network.commodities)
        # sector-major (S, T, D, N): each block adds to it with one product
        sector_draws = np.zeros((h_mat.shape[1], t_len, d_len, n))
    track = tuple(track)
    track_idx = [network.country(c) for c in track]
    tracked = np.zeros((d_len, t_len, len(track), k_len)) if track else None
    comps = None
    if keep_draws:
        comps = {
            name: np.zeros((d_len, t_len, n, k_len))
            for name in (*COMPONENTS, "available", "supplied")
        }
    bounds = [(lo, min(lo + chunk_size, d_len)) for lo in range(0, d_len, chunk_size)]
    flops = 0.0
    t_sim = t_reduce = 0.0
    logger.info(
        "scenario %r: %d draws x %d years x %d countries, %d of %d commodities "
        "affected in %d blocks, %d chunks%s",
        spec.name,
        d_len,
        t_len,
        n,
        int(plan.affected.sum()),
        k_len,
        len(plan.blocks),
        len(bounds),
        " on a Dask client" if client is not None else "",
    )
    for block in plan.blocks:
        tb = time.perf_counter()
        inp = plan.block_inputs(block)
        glob = inp.commodities
        act = np.flatnonzero(inp.year_active)
        # commodity-major buffers of the active years: (Kb, T_active, D, N) and (Kb, D, N)
        buf = np.empty((len(glob), len(act), d_len, n))
        mbuf = np.empty((len(glob), d_len, n))
        pending: dict[int, ChunkResult] = {}
        nxt = 0
        for i, res in _chunks(inp, draws, bounds, client, keep_draws, threads):
            lo, hi = bounds[i]
            buf[:, :, lo:hi, :] = res.shortfall.transpose(3, 1, 0, 2)[:, act]
            mbuf[:, lo:hi, :] = res.months.transpose(2, 0, 1)
            if comps is not None and res.components is not None:
                for name, arr in res.components.items():
                    comps[name][lo:hi, :, :, glob] = arr
            res.shortfall = res.months = np.empty(0)
            res.components = None
            pending[i] = res
            while nxt in pending:  # reduce in chunk order: same sums as a local run
                r = pending.pop(nxt)
                sums[:, :, :, glob] += r.sums
                if fill_sum is not None and r.bilateral is not None:
                    for kb, k in enumerate(glob):
                        fill_sum[k] += r.bilateral[..., kb]
                flops += r.flops
                nxt += 1
        tr = time.perf_counter()
        t_sim += tr - tb
        for kb, k in enumerate(glob):
            for i, t in enumerate(act):
                shortfall_q[:, t, :, k] = _quantiles(buf[kb, i], levels)
                if tracked is not None:
                    tracked[:, t, :, k] = buf[kb, i][:, track_idx]
            months_q[:, :, k] = _quantiles(mbuf[kb], levels, method="inverted_cdf")
            p_exhausted[:, k] = np.isfinite(mbuf[kb]).mean(axis=0)
        if sector_draws is not None and h_mat is not None and len(act):
            # per active year, (S, Kb) @ (Kb, D * N): one pass over the block's draws
            h_b = np.ascontiguousarray(h_mat[glob].T)
            for i, t in enumerate(act):
                contrib = h_b @ buf[:, i].reshape(len(glob), -1)
                sector_draws[:, t] += contrib.reshape(-1, d_len, n)
                flops += 2.0 * contrib.size * len(glob)
            del contrib
        del buf, mbuf
        t_reduce += time.perf_counter() - tr

    tr = time.perf_counter()
    cons = network.consumption.T[None, None]  # (1, 1, N, K)
    means = {name: sums[i] / d_len for i, name in enumerate(COMPONENTS)}
    fill_mean = None
    supplied = np.zeros((t_len, n, k_len))
    if fill_sum is not None:
        fill_sum /= d_len
        fill_mean = fill_sum.transpose(1, 2, 3, 0)  # (T, N_exporter, N_importer, K) view
        supplied = fill_mean.sum(axis=2)
    sector_q = sector_pct_q = None
    if sector_draws is not None and h_mat is not None:
        sector_q = np.zeros((3, t_len, n, h_mat.shape[1]))
        for s_i in range(h_mat.shape[1]):
            for t in range(t_len):
                sector_q[:, t, :, s_i] = _quantiles(sector_draws[s_i, t], levels)
        sector_cons = network.consumption.T @ h_mat  # (N, S)
        sector_pct_q = _pct(sector_q, sector_cons[None, None])
    t_reduce += time.perf_counter() - tr
    result = EnsembleResult(
        spec=spec,
        network=network,
        n_draws=d_len,
        shortfall_q=shortfall_q,
        shortfall_pct_q=_pct(shortfall_q, cons),
        means=means,
        supplied_mean=supplied,
        fill_mean=fill_mean,
        months_q=months_q,
        p_stock_exhausted=p_exhausted,
        sectors=tuple(sectors) if sectors is not None else None,
        sector_q=sector_q,
        sector_pct_q=sector_pct_q,
        components=comps,
        track=track,
        tracked=tracked,
        flops=flops,
        timings={"total": time.perf_counter() - t_start, "simulate": t_sim, "reduce": t_reduce},
    )
    logger.info(
        "scenario %r done in %.2f s (%.2f GFLOP)", spec.name, result.timings["total"], flops / 1e9
    )
    return result
