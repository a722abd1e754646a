"""The vectorised disruption engine: draws on the leading axis, importers by matrix products.

The model (equations in ``docs/scenarios.md``), for every draw ``d``, year ``t`` and
commodity ``k`` (ores before the refined commodities they feed), all importers at once:

1. **Lost supply** ``L[d, j]`` [t]: the cut share of each shocked exporter's base-year
   flows, ``L = (r[d, s] * a[s, t]) @ B[s, j]`` with ``B[s, j] = Q[e_s, j] * dest_s[j]``
   (``a`` is the fraction of year ``t`` the shock is active), plus, for a refined
   commodity, the output its refiners lose for want of ore,
   ``(delta * rho)[d, e] @ W[e, j]``, less the part of that already counted in a direct
   cut (the two combine as ``1 - (1 - r)(1 - delta * rho)`` on each flow).
2. **Spare capacity** of producers under no active shock on ``k``:
   ``avail[d, e] = s[d, e] * P[e] * ramp[d, t] * (1 - delta[d, e])`` [t], offered to
   their existing customers (exports and own domestic use, ``W = Q + diag(max(0, P-X))``)
   that have a gap, pro rata to those flows:
   ``offer[d, j] = m[d, j] * ((avail / (m @ W.T)) @ W)[d, j]``, ``m = [L > 0]``; received
   ``R = min(L, offer)``; each producer's contribution is its pro-rata part of ``R``.
3. **Recycling** ``min(gap, alpha[d] * rec[t, j, k])`` from a caller-supplied array.
4. **Demand response** removes ``eta[d, k] * gap``; 5. **substitution** ``sigma[d, k] * gap``.
6. **Stockpiles** ``days[d, j] / 365 * C[j]`` [t] cover what is left until they run out;
   what they cannot cover is the **shortfall** ``S[d, t, j, k]`` [t].

Random numbers
--------------
All random numbers are drawn **up front**, before any chunking, by
:func:`sample_parameters`: one independent stream per parameter of the spec, keyed by the
parameter's path (``shocks[0].cut``, ``responses.stockpile_days.by_country.JPN``) via
``numpy.random.SeedSequence(seed, spawn_key=(crc32(path),))``.  They take
``O(draws * (shocks + countries + commodities))`` memory only.  Results therefore do not
depend on the chunk size or the number of Dask workers, and adding a parameter (as
:func:`rank_mitigations` does) leaves every other parameter's draws unchanged (common
random numbers).

Memory
------
:func:`simulate_block` works on one chunk of draws and one *block* of commodities (a
connected group of linked commodities) at a time; its working arrays are
``O(chunk_size * countries)`` per commodity and its output
``O(chunk_size * years * countries * block size)``.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from critmin.errors import ScenarioError, nearest
from critmin.scenarios.network import Network
from critmin.scenarios.spec import CommodityParam, CountryParam, Dist, ScenarioSpec, load_spec

__all__ = [
    "COMPONENTS",
    "QUANTILES",
    "BlockInputs",
    "BoundShock",
    "ChunkResult",
    "Draws",
    "Plan",
    "prepare",
    "rank_mitigations",
    "ramp_factor",
    "sample_parameters",
    "simulate_block",
]

logger = logging.getLogger(__name__)

#: Quantile levels reported (P5, P50, P95).
QUANTILES: tuple[float, float, float] = (0.05, 0.5, 0.95)

#: Per-draw components of the gap, in the order they act [t].
COMPONENTS: tuple[str, ...] = (
    "lost",  # gross lost supply
    "redirected",  # filled by spare capacity of other producers
    "recycled",  # filled by recycling supply
    "demand",  # removed by demand response
    "substitution",  # filled by substitutes
    "stockpile",  # drawn from stockpiles
    "shortfall",  # what is left
)

GroupResolver = Callable[[str], Iterable[str]]


# ============================================================================ parameters


def _stream(seed: int, path: str) -> np.random.Generator:
    """Return the generator of one parameter, independent of every other parameter's."""
    key = zlib.crc32(path.encode("utf-8"))
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(key,)))


@dataclass(frozen=True)
class Draws:
    """The sampled parameters of every draw (the only random numbers of a run).

    Attributes
    ----------
    cut : numpy.ndarray
        ``(D, S)`` cut fraction of each shock [fraction].
    spare : numpy.ndarray
        ``(D, N)`` spare capacity of each producer [fraction of base-year production].
    ramp_years : numpy.ndarray
        ``(D,)`` years to full spare capacity [years].
    stock_days : numpy.ndarray
        ``(D, N)`` stockpile of each importer [days of apparent consumption].
    demand : numpy.ndarray
        ``(D, K)`` demand response per commodity [fraction].
    substitution : numpy.ndarray
        ``(D, K)`` substitution per commodity [fraction].
    recycling_availability : numpy.ndarray
        ``(D,)`` usable fraction of the recycling array [fraction].
    """

    cut: np.ndarray
    spare: np.ndarray
    ramp_years: np.ndarray
    stock_days: np.ndarray
    demand: np.ndarray
    substitution: np.ndarray
    recycling_availability: np.ndarray

    @property
    def n(self) -> int:
        """Number of draws."""
        return int(self.cut.shape[0])

    def slice(self, lo: int, hi: int) -> Draws:
        """Draws ``lo`` to ``hi - 1``."""
        return Draws(
            **{k: np.ascontiguousarray(getattr(self, k)[lo:hi]) for k in self.__dataclass_fields__}
        )


def _country_values(param: CountryParam, path: str, net: Network, n: int, seed: int) -> np.ndarray:
    out = np.empty((n, len(net.countries)))
    out[:] = param.default.sample(_stream(seed, f"{path}.default"), n)[:, None]
    for iso3, dist in param.by_country.items():
        if iso3 not in net.country_index:
            near = nearest(iso3, net.countries, n=3)
            hint = f"did you mean {', '.join(near)}? " if near else ""
            msg = (
                f"{path}.by_country.{iso3}: country not in the network; fix: {hint}"
                "use an ISO3 code of a country that trades or produces in the base year"
            )
            raise ScenarioError(msg)
        out[:, net.country_index[iso3]] = dist.sample(_stream(seed, f"{path}.by_country.{iso3}"), n)
    return out


def _commodity_values(
    param: CommodityParam, path: str, net: Network, n: int, seed: int
) -> np.ndarray:
    out = np.empty((n, len(net.commodities)))
    out[:] = param.default.sample(_stream(seed, f"{path}.default"), n)[:, None]
    for cid, dist in param.by_commodity.items():
        if cid not in net.commodity_index:
            near = nearest(cid, net.commodities, n=3)
            hint = f"did you mean {', '.join(near)}? " if near else ""
            msg = (
                f"{path}.by_commodity.{cid}: commodity not in the network; fix: {hint}"
                "use a commodity id of the network"
            )
            raise ScenarioError(msg)
        out[:, net.commodity_index[cid]] = dist.sample(
            _stream(seed, f"{path}.by_commodity.{cid}"), n
        )
    return out


def sample_parameters(spec: ScenarioSpec, network: Network, n_draws: int | None = None) -> Draws:
    """Draw every random parameter of a scenario, for all draws at once.

    Parameters
    ----------
    spec : ScenarioSpec
        The scenario (its ``seed`` keys the streams).
    network : Network
        Gives the country and commodity axes.
    n_draws : int, optional
        Number of draws; default ``spec.draws``.  The first ``n`` draws of a larger run are
        the same numbers.

    Returns
    -------
    Draws
    """
    spec = load_spec(spec)
    n = int(n_draws if n_draws is not None else spec.draws)
    if n < 1:
        msg = f"n_draws={n}; fix: give at least 1 draw"
        raise ScenarioError(msg)
    seed = int(spec.seed)  # type: ignore[arg-type]
    cut = np.column_stack(
        [s.cut.sample(_stream(seed, f"shocks[{i}].cut"), n) for i, s in enumerate(spec.shocks)]
    )
    r = spec.responses
    ramp = (
        r.spare_capacity.ramp_up_years.sample(
            _stream(seed, "responses.spare_capacity.ramp_up_years"), n
        )
        if r.spare_capacity.ramp_up_years is not None
        else np.zeros(n)
    )
    return Draws(
        cut=cut,
        spare=_country_values(r.spare_capacity, "responses.spare_capacity", network, n, seed),
        ramp_years=ramp,
        stock_days=_country_values(r.stockpile_days, "responses.stockpile_days", network, n, seed),
        demand=_commodity_values(
            r.demand_elasticity, "responses.demand_elasticity", network, n, seed
        ),
        substitution=_commodity_values(r.substitution, "responses.substitution", network, n, seed),
        recycling_availability=r.recycling_availability.sample(
            _stream(seed, "responses.recycling_availability"), n
        ),
    )


def ramp_factor(ramp_years: np.ndarray, years: np.ndarray, origin: float) -> np.ndarray:
    """Average availability of spare capacity in each calendar year.

    Output rises linearly from 0 at `origin` to full after ``R`` years; the factor of year
    ``y`` is the mean of that ramp over ``[y, y + 1)``: ``F(x + 1) - F(x)`` with
    ``x = y - origin``, ``F(x) = x**2 / (2R)`` for ``0 <= x <= R`` and ``x - R/2`` beyond.

    Parameters
    ----------
    ramp_years : numpy.ndarray
        ``(D,)`` ramp-up time ``R`` of each draw [years]; 0 = immediate.
    years : numpy.ndarray
        ``(T,)`` calendar years.
    origin : float
        Start of the ramp [decimal year].

    Returns
    -------
    numpy.ndarray
        ``(D, T)`` factors in [0, 1].
    """
    r = np.asarray(ramp_years, dtype=np.float64)[:, None]
    x0 = np.asarray(years, dtype=np.float64)[None, :] - origin

    def big_f(x: np.ndarray) -> np.ndarray:
        x = np.maximum(x, 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            quad = np.where(r > 0, x * x / (2.0 * np.where(r > 0, r, 1.0)), 0.0)
        return np.where(x <= r, quad, x - r / 2.0)

    return np.clip(big_f(x0 + 1.0) - big_f(x0), 0.0, 1.0)


# ============================================================================ binding


@dataclass(frozen=True)
class BoundShock:
    """A shock of the spec resolved against a network.

    Attributes
    ----------
    index : int
        Position in ``spec.shocks``.
    exporter : int
        Country index of the shocked exporter.
    commodities : numpy.ndarray
        Commodity indices cut.
    dest : numpy.ndarray
        ``(N,)`` 1 for importers whose imports are cut, else 0.
    active : numpy.ndarray
        ``(T,)`` fraction of each simulated year the shock is in force [fraction].
    """

    index: int
    exporter: int
    commodities: np.ndarray
    dest: np.ndarray
    active: np.ndarray


@dataclass(frozen=True)
class BlockInputs:
    """Everything :func:`simulate_block` needs for one block of linked commodities.

    Plain arrays only, so that it pickles cheaply to Dask workers.  Axes: ``Kb``
    commodities of the block (ores first), ``N`` countries, ``T`` years.
    """

    commodities: np.ndarray  # (Kb,) global commodity indices
    years: np.ndarray  # (T,)
    year_active: np.ndarray  # (T,) bool
    month_origin: int  # year index months are counted from
    ramp_origin: float  # decimal year the spare-capacity ramp starts
    cons: np.ndarray  # (Kb, N) apparent consumption [t]
    rho: np.ndarray  # (Kb, N) own-output share of a country's uses
    shock_index: tuple[np.ndarray, ...]  # per kb: global shock indices hitting it
    shock_exporter: tuple[np.ndarray, ...]  # per kb: exporter of each of those shocks
    B: tuple[np.ndarray, ...]  # per kb: (S_k, N) cut flows at r = 1 [t]
    active: np.ndarray  # (S, T) active fraction of every shock
    producers: tuple[np.ndarray, ...]  # per kb: country indices with production > 0
    W_prod: tuple[np.ndarray, ...]  # per kb: (Np, N) uses of producers' supply [t]
    prod_free: np.ndarray  # (Kb, T, N) production of producers under no shock, else 0 [t]
    parents: tuple[tuple[tuple[int, float], ...], ...]  # per kb: (local ore index, share)
    has_children: np.ndarray  # (Kb,) bool
    recycling: np.ndarray | None  # (T, N, Kb) [t]
    spare_on: bool
    stock_on: bool


@dataclass(frozen=True)
class Plan:
    """A spec bound to a network: resolved shocks, affected commodities, blocks.

    Attributes
    ----------
    spec : ScenarioSpec
    network : Network
    years : numpy.ndarray
        Simulated years.
    shocks : tuple of BoundShock
    affected : numpy.ndarray
        ``(K,)`` bool: commodities with a direct or upstream shock; all others have zero
        shortfall and are not simulated.
    blocks : tuple of tuple of int
        Groups of affected commodities, each in ore-first order: commodities connected by
        links are always in the same block, and small groups are packed together up to
        `block_size` commodities (a block is the unit whose per-draw shortfall an
        ensemble holds in memory at once).
    origin : float
        Start of the earliest shock [decimal year]; the spare-capacity ramp starts here.
    month_origin : int
        Index of the first simulated year with an active shock; months until stockpiles run
        out are counted from 1 January of that year.
    recycling : numpy.ndarray, optional
        ``(T, N, K)`` recycling supply [t].
    """

    spec: ScenarioSpec
    network: Network
    years: np.ndarray
    shocks: tuple[BoundShock, ...]
    affected: np.ndarray
    blocks: tuple[tuple[int, ...], ...]
    origin: float
    month_origin: int
    recycling: np.ndarray | None = None

    def block_inputs(self, block: Sequence[int]) -> BlockInputs:
        """Collect the arrays :func:`simulate_block` needs for one block."""
        net, spec = self.network, self.spec
        block = list(block)
        local = {k: i for i, k in enumerate(block)}
        n, t_len = len(net.countries), len(self.years)
        active = np.array([s.active for s in self.shocks]).reshape(len(self.shocks), t_len)
        shock_index, shock_exp, b_mats, producers, w_prod, parents = [], [], [], [], [], []
        prod_free = np.zeros((len(block), t_len, n))
        year_active = np.zeros(t_len, dtype=bool)
        for kb, k in enumerate(block):
            hits = [s for s in self.shocks if k in s.commodities]
            shock_index.append(np.array([s.index for s in hits], dtype=np.int64))
            shock_exp.append(np.array([s.exporter for s in hits], dtype=np.int64))
            b = np.zeros((len(hits), n))
            for i, s in enumerate(hits):
                b[i] = net.flows[k, s.exporter] * s.dest
                year_active |= s.active > 0
            b_mats.append(b)
            w = net.flows[k].copy()
            w[np.arange(n), np.arange(n)] = net.domestic_use[k]
            pr = np.flatnonzero(net.production[k] > 0)
            producers.append(pr)
            w_prod.append(np.ascontiguousarray(w[pr]))
            free = np.broadcast_to(net.production[k], (t_len, n)).copy()
            for s in hits:
                free[s.active > 0, s.exporter] = 0.0
            prod_free[kb] = free
            parents.append(tuple((local[p], share) for p, share in net.parents(k) if p in local))
        rec = None
        if self.recycling is not None:
            rec = np.ascontiguousarray(self.recycling[:, :, block])
        return BlockInputs(
            commodities=np.array(block, dtype=np.int64),
            years=self.years.copy(),
            year_active=year_active,
            month_origin=self.month_origin,
            ramp_origin=self.origin,
            cons=net.consumption[block].copy(),
            rho=net.output_share[block].copy(),
            shock_index=tuple(shock_index),
            shock_exporter=tuple(shock_exp),
            B=tuple(b_mats),
            active=active,
            producers=tuple(producers),
            W_prod=tuple(w_prod),
            prod_free=prod_free,
            parents=tuple(parents),
            has_children=np.array([any(c in local for c in net.children(k)) for k in block]),
            recycling=rec,
            spare_on=not spec.responses.spare_capacity.is_zero(),
            stock_on=not spec.responses.stockpile_days.is_zero(),
        )


def _active_fraction(start: float, end: float, years: np.ndarray) -> np.ndarray:
    lo = np.maximum(years.astype(np.float64), start)
    hi = np.minimum(years.astype(np.float64) + 1.0, end)
    return np.clip(hi - lo, 0.0, 1.0)


def _resolve_ids(
    ids: Sequence[str], path: str, net: Network, resolve_group: GroupResolver | None
) -> set[int]:
    out: set[int] = set()
    for i, raw in enumerate(ids):
        code = raw.strip()
        if code.upper() in net.country_index:
            out.add(net.country_index[code.upper()])
            continue
        members = None
        if resolve_group is not None:
            try:
                members = list(resolve_group(code))
            except (KeyError, LookupError, ValueError):
                members = None
        if members is None:
            near = nearest(code, net.countries, n=3)
            hint = f"did you mean {', '.join(near)}? " if near else ""
            how = (
                ""
                if resolve_group is not None
                else " (no resolve_group function was given to resolve group ids)"
            )
            msg = (
                f"{path}[{i}]: {code!r} is neither a country of the network nor a known "
                f"group{how}; fix: {hint}use ISO3 codes of the network or a group id"
            )
            raise ScenarioError(msg)
        known = [m for m in members if m in net.country_index]
        if len(known) < len(members):
            logger.debug("group %s: %d members not in the network", code, len(members) - len(known))
        out.update(net.country_index[m] for m in known)
    return out


def _bind_shocks(
    spec: ScenarioSpec, net: Network, years: np.ndarray, resolve_group: GroupResolver | None
) -> tuple[BoundShock, ...]:
    n = len(net.countries)
    bound = []
    for i, s in enumerate(spec.shocks):
        path = f"shocks[{i}]"
        if s.country not in net.country_index:
            near = nearest(s.country, net.countries, n=3)
            hint = f"did you mean {', '.join(near)}? " if near else ""
            msg = (
                f"{path}.country: {s.country!r} is not a country of the network "
                f"(base year {net.year}); fix: {hint}use the ISO3 code of an exporter"
            )
            raise ScenarioError(msg)
        exp = net.country_index[s.country]
        if s.commodities == "all":
            ks = [k for k, st in enumerate(net.stages) if s.stage is None or st == s.stage]
            if not ks:
                msg = (
                    f"{path}.stage: no commodity of the network is at stage {s.stage!r}; "
                    f"fix: use one of {sorted(set(net.stages))}"
                )
                raise ScenarioError(msg)
        else:
            ks = []
            for j, cid in enumerate(s.commodities):
                if cid not in net.commodity_index:
                    near = nearest(cid, net.commodities, n=3)
                    hint = f"did you mean {', '.join(near)}? " if near else ""
                    msg = (
                        f"{path}.commodities[{j}]: {cid!r} is not a commodity of the "
                        f"network; fix: {hint}use commodity ids of the network"
                    )
                    raise ScenarioError(msg)
                k = net.commodity_index[cid]
                if s.stage is not None and net.stages[k] != s.stage:
                    msg = (
                        f"{path}.commodities[{j}]: {cid!r} is at stage "
                        f"{net.stages[k]!r}, not {s.stage!r}; fix: drop it or the stage"
                    )
                    raise ScenarioError(msg)
                ks.append(k)
        d = s.destinations
        if d.mode == "all":
            dest = np.ones(n)
        else:
            chosen = _resolve_ids(
                d.ids,
                f"{path}.destinations" + (".all_except" if d.mode == "all_except" else ""),
                net,
                resolve_group,
            )
            mask = np.zeros(n, dtype=bool)
            mask[list(chosen)] = True
            dest = (~mask if d.mode == "all_except" else mask).astype(np.float64)
        dest[exp] = 0.0
        bound.append(
            BoundShock(
                i,
                exp,
                np.array(sorted(set(ks)), dtype=np.int64),
                dest,
                _active_fraction(s.start_year, s.end, years),
            )
        )
    # Overlapping shocks on the same flow would make the lost supply non-linear in the cuts.
    for a in range(len(bound)):
        for b in range(a + 1, len(bound)):
            sa, sb = bound[a], bound[b]
            if sa.exporter != sb.exporter:
                continue
            common = np.intersect1d(sa.commodities, sb.commodities)
            both = sa.dest * sb.dest * (net.flows[common, sa.exporter, :] > 0)
            if not len(common) or not np.any(both):  # no flow is cut by both
                continue
            common = common[np.any(both, axis=1)]
            xa, xb = spec.shocks[a], spec.shocks[b]
            if max(xa.start_year, xb.start_year) < min(xa.end, xb.end):
                msg = (
                    f"shocks[{a}] and shocks[{b}] both cut {xa.country}'s exports of "
                    f"{net.commodities[common[0]]!r} to the same importers at the same "
                    "time; fix: merge them into one shock, or make their commodities, "
                    "destinations or years disjoint"
                )
                raise ScenarioError(msg)
    return tuple(bound)


def _recycling_array(
    recycling: np.ndarray | pd.DataFrame | None, net: Network, years: np.ndarray
) -> np.ndarray | None:
    if recycling is None:
        return None
    shape = (len(years), len(net.countries), len(net.commodities))
    if isinstance(recycling, pd.DataFrame):
        need = ["year", "country_iso3", "commodity_id", "quantity_t"]
        missing = [c for c in need if c not in recycling.columns]
        if missing:
            msg = f"recycling table lacks columns {missing}; it needs {need}"
            raise ScenarioError(msg)
        arr = np.zeros(shape)
        df = recycling[recycling["year"].isin(years)]
        ti = pd.Index(years).get_indexer(df["year"])
        ci = pd.Index(net.countries).get_indexer(df["country_iso3"].astype(str))
        ki = pd.Index(net.commodities).get_indexer(df["commodity_id"].astype(str))
        ok = (ci >= 0) & (ki >= 0)
        if not ok.all():
            logger.warning(
                "recycling: %d rows for countries/commodities not in the network ignored",
                int((~ok).sum()),
            )
        np.add.at(arr, (ti[ok], ci[ok], ki[ok]), df["quantity_t"].to_numpy(float)[ok])
    else:
        arr = np.asarray(recycling, dtype=np.float64)
        if arr.shape != shape:
            msg = (
                f"recycling array has shape {arr.shape}; fix: give (years, countries, "
                f"commodities) = {shape} in the network's order"
            )
            raise ScenarioError(msg)
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        msg = "recycling supply has negative or non-finite values; fix: give tonnes >= 0"
        raise ScenarioError(msg)
    return arr


def prepare(
    spec: ScenarioSpec | Mapping[str, Any] | str,
    network: Network,
    *,
    resolve_group: GroupResolver | None = None,
    recycling: np.ndarray | pd.DataFrame | None = None,
    block_size: int = 8,
) -> Plan:
    """Bind a scenario spec to a network.

    Parameters
    ----------
    spec : ScenarioSpec, dict or path
        The scenario.
    network : Network
        Base-year trade and production; ``spec.base_year`` should equal ``network.year``
        (a mismatch is logged, not refused).
    resolve_group : callable, optional
        ``resolve_group(group_id) -> iterable of ISO3`` for destination group ids (e.g.
        ``'MSP'``); raise ``KeyError`` for an unknown id.
    recycling : numpy.ndarray or pandas.DataFrame, optional
        Recycling supply [t]: an array ``(years, countries, commodities)`` in the order of
        ``spec.years`` and the network's axes, or a table with columns
        ``year, country_iso3, commodity_id, quantity_t``.
    block_size : int
        Affected commodities are grouped into blocks of up to this many (linked
        commodities always together); see :attr:`Plan.blocks`.

    Returns
    -------
    Plan

    Raises
    ------
    ScenarioError
        A shock or response names a country, commodity, stage or group the network does
        not have, or two shocks cut the same flow at the same time.
    """
    spec = load_spec(spec)
    if spec.base_year != network.year:
        logger.warning(
            "spec base_year %d differs from the network's year %d", spec.base_year, network.year
        )
    years = np.array(spec.years, dtype=np.int64)
    shocks = _bind_shocks(spec, network, years, resolve_group)
    k_all = len(network.commodities)
    affected = np.zeros(k_all, dtype=bool)
    for s in shocks:
        if np.any(s.active > 0):
            affected[s.commodities] = True
    for k in network.topological_order():
        if affected[k]:
            for c in network.children(k):
                affected[c] = True
    # connected components of the link graph among affected commodities
    comp = {k: k for k in range(k_all)}

    def find(x: int) -> int:
        while comp[x] != x:
            comp[x] = comp[comp[x]]
            x = comp[x]
        return x

    for link in network.links:
        o, r = network.commodity_index[link.ore], network.commodity_index[link.refined]
        if affected[o] and affected[r]:
            comp[find(o)] = find(r)
    order = [k for k in network.topological_order() if affected[k]]
    groups: dict[int, list[int]] = {}
    for k in order:
        groups.setdefault(find(k), []).append(k)
    packed: list[list[int]] = []
    for g in sorted(groups.values(), key=lambda g: min(g)):
        if packed and len(packed[-1]) + len(g) <= block_size:
            packed[-1].extend(g)
        else:
            packed.append(list(g))
    rank = {k: i for i, k in enumerate(network.topological_order())}
    blocks = tuple(tuple(sorted(b, key=rank.__getitem__)) for b in packed)
    starts = [s.start_year for s in spec.shocks]
    act_years = np.flatnonzero(np.any([s.active > 0 for s in shocks], axis=0))
    return Plan(
        spec=spec,
        network=network,
        years=years,
        shocks=shocks,
        affected=affected,
        blocks=blocks,
        origin=float(min(starts)),
        month_origin=int(act_years[0]) if len(act_years) else 0,
        recycling=_recycling_array(recycling, network, years),
    )


# ============================================================================ simulation


@dataclass
class ChunkResult:
    """What :func:`simulate_block` returns for one chunk of draws and one block.

    Attributes
    ----------
    shortfall : numpy.ndarray
        ``(dc, T, N, Kb)`` shortfall per draw, year, importer, commodity [t] (a transposed
        view of a commodity-major array).
    months : numpy.ndarray
        ``(dc, N, Kb)`` months from 1 January of the first shock year until stockpiles no
        longer cover the gap; 0 with no stock, ``inf`` if they never run out (or there is
        no gap) within the horizon [months].
    sums : numpy.ndarray
        ``(len(COMPONENTS), T, N, Kb)`` sums over the chunk's draws of each component [t].
    bilateral : numpy.ndarray or None
        ``(T, N_exporter, N_importer, Kb)`` sum over draws of spare-capacity supply from
        each producer to each importer [t]; None when there is no spare capacity.
    flops : float
        Floating-point operations of the matrix products [FLOP].
    components : dict of str to numpy.ndarray, optional
        With ``components=True``: per-draw ``(dc, T, N, Kb)`` arrays of each of
        :data:`COMPONENTS`, plus ``available`` (spare capacity offered by each producer)
        and ``supplied`` (what each producer actually supplied) [t].
    """

    shortfall: np.ndarray
    months: np.ndarray
    sums: np.ndarray
    bilateral: np.ndarray | None
    flops: float
    components: dict[str, np.ndarray] | None = field(default=None)


def simulate_block(inputs: BlockInputs, draws: Draws, *, components: bool = False) -> ChunkResult:
    """Run one chunk of draws through one block of commodities (the vectorised kernel).

    Parameters
    ----------
    inputs : BlockInputs
        From :meth:`Plan.block_inputs`.
    draws : Draws
        The chunk's sampled parameters (``Draws.slice``).
    components : bool
        Also return every per-draw component (memory ``x 9``; for tests and small runs).

    Returns
    -------
    ChunkResult
    """
    inp = inputs
    dc = draws.n
    t_len = len(inp.years)
    kb_len = len(inp.commodities)
    n = inp.cons.shape[1]
    # commodity-major internal layouts: every (commodity, year) slice is contiguous
    short_out = np.zeros((kb_len, t_len, dc, n))
    months = np.full((kb_len, dc, n), np.inf)
    sums = np.zeros((len(COMPONENTS), t_len, n, kb_len))
    bilateral = np.zeros((kb_len, t_len, n, n)) if inp.spare_on else None
    comp: dict[str, np.ndarray] | None = None
    if components:
        comp = {
            name: np.zeros((dc, t_len, n, kb_len))
            for name in (*COMPONENTS, "available", "supplied")
        }
    flops = 0.0
    ramp = ramp_factor(draws.ramp_years, inp.years, inp.ramp_origin) if inp.spare_on else None
    stock = None
    if inp.stock_on:
        stock = [draws.stock_days * (inp.cons[kb] / 365.0)[None, :] for kb in range(kb_len)]
    with np.errstate(divide="ignore", invalid="ignore"):
        inv_cons = np.where(inp.cons > 0, 1.0 / np.where(inp.cons > 0, inp.cons, 1.0), 0.0)
    frac: list[np.ndarray | None] = [None] * kb_len
    zeros_n = np.zeros((dc, n))

    for t in range(t_len):
        if not inp.year_active[t]:
            continue
        for kb in range(kb_len):
            k = int(inp.commodities[kb])
            s_idx = inp.shock_index[kb]
            lost = zeros_n
            rs = None
            if len(s_idx):
                rs = draws.cut[:, s_idx] * inp.active[s_idx, t]
                if np.any(rs):
                    if len(s_idx) <= 4:  # a few outer products beat a rank-1 GEMM
                        lost = rs[:, :1] * inp.B[kb][0]
                        for i in range(1, len(s_idx)):
                            lost += rs[:, i : i + 1] * inp.B[kb][i]
                    else:
                        lost = rs @ inp.B[kb]
                    flops += 2.0 * dc * len(s_idx) * n
            # ---- upstream: refiners short of ore lose output
            delta = None
            for p, share in inp.parents[kb]:
                if frac[p] is not None:
                    delta = share * frac[p] if delta is None else delta + share * frac[p]
            if delta is not None:
                np.minimum(delta, 1.0, out=delta)
                pr = inp.producers[kb]
                rd = delta[:, pr] * inp.rho[kb, pr]
                lost = lost + rd @ inp.W_prod[kb]
                flops += 2.0 * dc * len(pr) * n
                if rs is not None and np.any(rs):
                    # remove the double count on flows that are also cut directly
                    rd_e = delta[:, inp.shock_exporter[kb]] * inp.rho[kb, inp.shock_exporter[kb]]
                    lost -= (rs * rd_e) @ inp.B[kb]
                    flops += 2.0 * dc * len(s_idx) * n
                np.maximum(lost, 0.0, out=lost)
            if lost is zeros_n:  # nothing lost: no gap, no response, no shortfall
                if inp.has_children[kb]:
                    frac[kb] = None
                continue
            gap = lost.copy()
            # ---- spare capacity of producers under no shock, to customers with a gap
            red = zeros_n
            if inp.spare_on:
                pr = inp.producers[kb]
                base = inp.prod_free[kb, t, pr]
                if len(pr) and np.any(base):
                    avail = draws.spare[:, pr] * base * ramp[:, t, None]
                    if delta is not None:
                        avail *= 1.0 - delta[:, pr]
                    wp = inp.W_prod[kb]
                    has_gap = lost > 0.0
                    if np.all(has_gap == has_gap[:1]):  # same importers short in every draw
                        den = wp @ has_gap[0].astype(np.float64)
                        flops += 2.0 * len(pr) * n
                        den = np.broadcast_to(den, avail.shape)
                    else:
                        den = has_gap.astype(np.float64) @ wp.T
                        flops += 2.0 * dc * len(pr) * n
                    a = avail / np.where(den > 0, den, np.inf)  # 0 where no customer short
                    offer = a @ wp
                    flops += 2.0 * dc * len(pr) * n
                    offer *= has_gap
                    red = np.minimum(lost, offer)
                    ratio = red / np.where(offer > 0, offer, np.inf)
                    bilateral[kb, t, pr, :] += (a.T @ ratio) * wp
                    flops += 2.0 * dc * len(pr) * n
                    gap -= red
                    if comp is not None:
                        comp["available"][:, t, pr, kb] = avail
                        comp["supplied"][:, t, pr, kb] = a * (ratio @ wp.T)
            # ---- recycling, demand response, substitution
            rec = zeros_n
            if inp.recycling is not None:
                rec = np.minimum(
                    gap, draws.recycling_availability[:, None] * inp.recycling[t, :, kb][None, :]
                )
                gap -= rec
            eta = draws.demand[:, k]
            dem = zeros_n
            if np.any(eta):
                dem = gap * eta[:, None]
                gap -= dem
            sig = draws.substitution[:, k]
            sub = zeros_n
            if np.any(sig):
                sub = gap * sig[:, None]
                gap -= sub
            # ---- stockpiles, then the shortfall
            months_k = months[kb]
            elapsed = 12.0 * (t - inp.month_origin)
            if stock is not None:
                st = stock[kb]
                use = np.minimum(st, gap)
                runs_out = (gap > st) & np.isinf(months_k)
                if np.any(runs_out):
                    with np.errstate(divide="ignore", invalid="ignore"):
                        when = elapsed + 12.0 * st / gap
                    np.copyto(months_k, when, where=runs_out)
                st -= use
                short = gap - use
            else:
                use = zeros_n
                short = gap
                months_k[(gap > 0) & np.isinf(months_k)] = elapsed
            short_out[kb, t] = short
            if inp.has_children[kb]:
                frac[kb] = np.minimum(short * inv_cons[kb], 1.0)
            for i, x in enumerate((lost, red, rec, dem, sub, use, short)):
                if x is not zeros_n:
                    sums[i, t, :, kb] = x.sum(axis=0)
            if comp is not None:
                for name, x in zip(COMPONENTS, (lost, red, rec, dem, sub, use, short), strict=True):
                    comp[name][:, t, :, kb] = x
        # a parent's shortfall fraction is for this year only
        frac = [None] * kb_len
    return ChunkResult(
        shortfall=short_out.transpose(2, 1, 3, 0),
        months=months.transpose(1, 2, 0),
        sums=sums,
        bilateral=bilateral.transpose(1, 2, 3, 0) if bilateral is not None else None,
        flops=flops,
        components=comp,
    )


# ============================================================================ mitigations


def rank_mitigations(
    spec: ScenarioSpec | Mapping[str, Any] | str,
    network: Network,
    importer: str,
    *,
    commodities: Sequence[str] | None = None,
    partner_expansion: float | Dist | None = None,
    partners: Sequence[str] | None = None,
    top_partners: int = 5,
    ramp_up_years: float | Dist | None = None,
    stockpile_days: float | Dist | None = None,
    candidates: Mapping[str, Mapping[str, Any]] | None = None,
    n_draws: int | None = None,
    **run_kwargs: Any,
) -> pd.DataFrame:
    """Rank alternative responses by how much they cut one importer's P50 shortfall.

    Each candidate is the spec's responses plus one change, run with the same seed (common
    random numbers, see the module docstring).  The score is the median over draws of the
    importer's shortfall summed over the horizon years and the chosen commodities [t].

    Parameters
    ----------
    spec : ScenarioSpec, dict or path
        The base scenario.
    network : Network
        Base-year network.
    importer : str
        ISO3 code of the importer whose shortfall is scored.
    commodities : sequence of str, optional
        Commodity ids scored; default all.
    partner_expansion : float or Dist, optional
        Spare capacity granted to one partner at a time [fraction of its base-year
        production].  User-supplied; no candidates of this kind without it.
    partners : sequence of str, optional
        Partners to try; default the `top_partners` largest producers of the scored
        commodities that are not shocked.
    top_partners : int
        Number of partners tried when `partners` is not given.
    ramp_up_years : float or Dist, optional
        Ramp-up time for the partner expansions [years]; required unless the spec already
        sets ``responses.spare_capacity.ramp_up_years``.
    stockpile_days : float or Dist, optional
        A stockpile for `importer` [days of consumption]; user-supplied.
    candidates : mapping of str to dict, optional
        Further named candidates: each a dict of ``responses`` fields merged into the
        spec's responses (e.g. ``{"substitution": 0.2}``).
    n_draws : int, optional
        Draws per candidate; default ``spec.draws``.
    **run_kwargs
        Passed to :func:`critmin.scenarios.ensemble.run_ensemble` (``chunk_size``,
        ``client``, ``resolve_group``, ``recycling``).

    Returns
    -------
    pandas.DataFrame
        One row per candidate (the baseline first): ``mitigation, kind, p50_shortfall_t,
        reduction_t, reduction_pct``, ranked by ``reduction_t`` (largest first).
    """
    from critmin.scenarios.ensemble import run_ensemble

    spec = load_spec(spec)
    if importer not in network.country_index:
        near = nearest(importer, network.countries, n=3)
        msg = f"importer {importer!r} is not in the network; did you mean {near}?"
        raise ScenarioError(msg)
    ks = (
        list(range(len(network.commodities)))
        if commodities is None
        else [network.commodity(c) for c in commodities]
    )
    base_resp = spec.responses.model_dump(mode="python", exclude_none=True)

    def with_responses(changes: Mapping[str, Any]) -> ScenarioSpec:
        resp = _deep_merge(base_resp, changes)
        return load_spec({**spec.model_dump(mode="python", exclude_none=True), "responses": resp})

    runs: list[tuple[str, str, ScenarioSpec]] = [("baseline", "baseline", spec)]
    if partner_expansion is not None:
        shocked = {s.country for s in spec.shocks}
        if partners is None:
            total = network.production[ks].sum(axis=0)
            order = np.argsort(-total, kind="stable")
            partners = [
                network.countries[i]
                for i in order
                if total[i] > 0
                and network.countries[i] not in shocked
                and network.countries[i] != importer
            ][:top_partners]
        ramp = (
            ramp_up_years
            if ramp_up_years is not None
            else spec.responses.spare_capacity.ramp_up_years
        )
        if ramp is None:
            msg = (
                "rank_mitigations: partner expansions need a ramp-up time; fix: pass "
                "ramp_up_years= (years to full output, 0 for immediate)"
            )
            raise ScenarioError(msg)
        ramp_val = ramp.model_dump(exclude_none=True) if isinstance(ramp, Dist) else ramp
        exp_val = (
            partner_expansion.model_dump(exclude_none=True)
            if isinstance(partner_expansion, Dist)
            else partner_expansion
        )
        for p in partners:
            runs.append(
                (
                    f"expand {p}",
                    "partner_expansion",
                    with_responses(
                        {"spare_capacity": {"by_country": {p: exp_val}, "ramp_up_years": ramp_val}}
                    ),
                )
            )
    if stockpile_days is not None:
        val = (
            stockpile_days.model_dump(exclude_none=True)
            if isinstance(stockpile_days, Dist)
            else stockpile_days
        )
        runs.append(
            (
                f"stockpile {importer}",
                "stockpile",
                with_responses({"stockpile_days": {"by_country": {importer: val}}}),
            )
        )
    for name, changes in (candidates or {}).items():
        runs.append((name, "custom", with_responses(changes)))

    rows = []
    j = network.country_index[importer]
    for name, kind, s in runs:
        res = run_ensemble(s, network, n_draws=n_draws, track=[importer], **run_kwargs)
        per_draw = res.tracked[:, :, 0, :][:, :, ks].sum(axis=(1, 2))
        rows.append(
            {"mitigation": name, "kind": kind, "p50_shortfall_t": float(np.quantile(per_draw, 0.5))}
        )
        logger.debug(
            "mitigation %s: P50 shortfall of %s = %g t",
            name,
            network.countries[j],
            rows[-1]["p50_shortfall_t"],
        )
    out = pd.DataFrame(rows)
    base = out.loc[0, "p50_shortfall_t"]
    out["reduction_t"] = base - out["p50_shortfall_t"]
    out["reduction_pct"] = np.where(base > 0, 100.0 * out["reduction_t"] / (base or 1.0), 0.0)
    ranked = pd.concat(
        [out.iloc[:1], out.iloc[1:].sort_values("reduction_t", ascending=False, kind="stable")]
    )
    return ranked.reset_index(drop=True)


def _deep_merge(base: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, val in changes.items():
        if isinstance(val, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _deep_merge(out[key], val)
        else:
            out[key] = val
    return out
