"""The input contract of the scenario engine: a trade-and-production network for one year.

A :class:`Network` holds, for every commodity ``k`` of a base year,

* ``flows[k, e, j]`` -- quantity exported by country ``e`` to country ``j`` [t]
  (bilateral trade, e.g. BACI ``quantity_t``; the diagonal is zero);
* ``production[k, i]`` -- production of country ``i`` at the commodity's stage [t];
* the derived ``imports[k, j] = sum_e flows[k, e, j]``, ``exports[k, i] = sum_j
  flows[k, i, j]`` and apparent consumption::

      C[k, i] = max(0, P[k, i] + M[k, i] - X[k, i])        [t]

  Apparent consumption is clipped at zero: a negative value arises where a country
  re-exports stocks or imports that its statistics do not show, or where production and
  trade come from sources on different bases.  For such countries the shortfall as a
  percentage of consumption is undefined (NaN); :attr:`Network.n_clipped` counts them.

Production and trade quantities of one commodity must be in the same unit and basis
(tonnes of the traded product).  Converting mine output (content) to traded gross weight
is the caller's job; the engine adds and compares them as they are.

Two stages are linked by :class:`Link`: an ore commodity feeds a refined commodity with a
feed share ``phi`` -- the fraction of the refined output that depends on that ore input.
A refiner ``j`` whose ore supply falls short by ``S_ore[j]`` tonnes (after every response)
loses the fraction ::

    delta[j] = min(1, sum_ore phi * min(1, S_ore[j] / C_ore[j]))

of its refined output, i.e. the ore it cannot get is assumed to be missing from its
refinery feed in proportion (all of a country's apparent ore consumption is taken as
refinery feed).  The lost output ``delta[j] * P_ref[j]`` is taken pro rata from every use of
that output: its exports to each customer and its own domestic use
``max(0, P_ref - X_ref)``; exports beyond its own production (re-exports) are not cut.
See ``docs/scenarios.md`` for the full model.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from critmin.errors import MethodError, UnknownCommodity, UnknownCountry

__all__ = [
    "PRODUCTION_COLUMNS",
    "TRADE_COLUMNS",
    "Link",
    "Network",
    "synthetic_network",
]

logger = logging.getLogger(__name__)

#: Columns :meth:`Network.from_frames` needs in the trade table.
TRADE_COLUMNS: tuple[str, ...] = (
    "year",
    "exporter_iso3",
    "importer_iso3",
    "commodity_id",
    "quantity_t",
)
#: Columns :meth:`Network.from_frames` needs in the production table (``year`` optional).
PRODUCTION_COLUMNS: tuple[str, ...] = ("country_iso3", "commodity_id", "stage", "value")
#: Columns of a link table.
LINK_COLUMNS: tuple[str, ...] = ("ore_commodity_id", "refined_commodity_id", "feed_share")


@dataclass(frozen=True)
class Link:
    """An ore commodity that feeds a refined commodity.

    Parameters
    ----------
    ore : str
        Commodity id of the input (e.g. a concentrate).
    refined : str
        Commodity id of the product made from it.
    feed_share : float
        Fraction of the refined output that depends on this ore input [fraction, 0-1].
        The feed shares of all ores of one refined commodity sum to at most 1.
    """

    ore: str
    refined: str
    feed_share: float

    def __post_init__(self) -> None:
        share = float(self.feed_share)
        if not 0.0 <= share <= 1.0:
            msg = (
                f"link {self.ore} -> {self.refined}: feed_share {self.feed_share!r} is not in "
                "[0, 1]; give the fraction of refined output that depends on this ore"
            )
            raise MethodError(msg)
        if str(self.ore) == str(self.refined):
            msg = f"link {self.ore} -> {self.refined}: a commodity cannot feed itself"
            raise MethodError(msg)
        object.__setattr__(self, "ore", str(self.ore))
        object.__setattr__(self, "refined", str(self.refined))
        object.__setattr__(self, "feed_share", share)


def _as_links(links: Iterable[Link | Sequence[object]] | pd.DataFrame | None) -> tuple[Link, ...]:
    if links is None:
        return ()
    if isinstance(links, pd.DataFrame):
        missing = [c for c in LINK_COLUMNS if c not in links.columns]
        if missing:
            msg = f"link table lacks columns {missing}; it needs {list(LINK_COLUMNS)}"
            raise MethodError(msg)
        return tuple(
            Link(str(o), str(r), float(s))
            for o, r, s in links[list(LINK_COLUMNS)].itertuples(index=False)
        )
    out = []
    for item in links:
        if isinstance(item, Link):
            out.append(item)
        else:
            o, r, s = item  # type: ignore[misc]
            out.append(Link(str(o), str(r), float(s)))  # type: ignore[arg-type]
    return tuple(out)


@dataclass(frozen=True, eq=False)
class Network:
    """Trade flows and production of every commodity of one base year, as arrays.

    Parameters
    ----------
    year : int
        The base year.
    countries : sequence of str
        ISO3 codes; the order of every country axis.
    commodities : sequence of str
        Commodity ids (e.g. HS6 codes); the order of every commodity axis.
    stages : sequence of str
        Supply-chain stage of each commodity (``'mine'``, ``'refinery'``, ...).
    flows : numpy.ndarray
        Shape ``(K, N, N)``: ``flows[k, e, j]`` exported by ``e`` to ``j`` [t]; >= 0,
        zero diagonal.
    production : numpy.ndarray
        Shape ``(K, N)`` [t]; >= 0.
    links : sequence of Link
        Ore -> refined links (acyclic).

    Attributes
    ----------
    imports, exports, consumption : numpy.ndarray
        Shape ``(K, N)`` [t]; see the module docstring for the formula.
    """

    year: int
    countries: tuple[str, ...]
    commodities: tuple[str, ...]
    stages: tuple[str, ...]
    flows: np.ndarray
    production: np.ndarray
    links: tuple[Link, ...] = field(default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "countries", tuple(str(c) for c in self.countries))
        object.__setattr__(self, "commodities", tuple(str(c) for c in self.commodities))
        object.__setattr__(self, "stages", tuple(str(s) for s in self.stages))
        object.__setattr__(self, "links", _as_links(self.links))
        q = np.ascontiguousarray(self.flows, dtype=np.float64)
        p = np.ascontiguousarray(self.production, dtype=np.float64)
        k, n = len(self.commodities), len(self.countries)
        problems = []
        if len(set(self.countries)) != n:
            problems.append("country codes are not unique")
        if len(set(self.commodities)) != k:
            problems.append("commodity ids are not unique")
        if len(self.stages) != k:
            problems.append(f"{len(self.stages)} stages for {k} commodities")
        if q.shape != (k, n, n):
            problems.append(f"flows has shape {q.shape}, expected {(k, n, n)}")
        if p.shape != (k, n):
            problems.append(f"production has shape {p.shape}, expected {(k, n)}")
        if problems:
            raise MethodError("invalid network: " + "; ".join(problems))
        for name, arr in (("flows", q), ("production", p)):
            if not np.all(np.isfinite(arr)):
                msg = f"{name} has NaN or infinite values; replace them by 0 or drop them"
                raise MethodError(msg)
            if np.any(arr < 0):
                msg = f"{name} has negative quantities; quantities are tonnes >= 0"
                raise MethodError(msg)
        if n and np.any(q[:, np.arange(n), np.arange(n)] != 0):
            msg = "flows has non-zero diagonal (a country exporting to itself); drop those rows"
            raise MethodError(msg)
        q.setflags(write=False)
        p.setflags(write=False)
        object.__setattr__(self, "flows", q)
        object.__setattr__(self, "production", p)
        self._check_links()

    def _check_links(self) -> None:
        idx = self.commodity_index
        shares: dict[str, float] = {}
        for link in self.links:
            for c in (link.ore, link.refined):
                if c not in idx:
                    raise UnknownCommodity(c, self.commodities)
            shares[link.refined] = shares.get(link.refined, 0.0) + link.feed_share
        over = {c: s for c, s in shares.items() if s > 1 + 1e-9}
        if over:
            msg = (
                f"feed shares of the ores of {over} sum to more than 1; each is the "
                "fraction of refined output that depends on that ore"
            )
            raise MethodError(msg)
        self.topological_order()  # raises on cycles

    # ------------------------------------------------------------------ indices

    @cached_property
    def country_index(self) -> dict[str, int]:
        """ISO3 code -> position on the country axis."""
        return {c: i for i, c in enumerate(self.countries)}

    @cached_property
    def commodity_index(self) -> dict[str, int]:
        """Commodity id -> position on the commodity axis."""
        return {c: i for i, c in enumerate(self.commodities)}

    def country(self, iso3: str) -> int:
        """Position of a country on the country axis; raises UnknownCountry."""
        try:
            return self.country_index[iso3]
        except KeyError:
            raise UnknownCountry(iso3, self.countries) from None

    def commodity(self, commodity_id: str) -> int:
        """Position of a commodity on the commodity axis; raises UnknownCommodity."""
        try:
            return self.commodity_index[str(commodity_id)]
        except KeyError:
            raise UnknownCommodity(str(commodity_id), self.commodities) from None

    @property
    def shape(self) -> tuple[int, int]:
        """``(n_commodities, n_countries)``."""
        return len(self.commodities), len(self.countries)

    # ------------------------------------------------------------------ derived arrays

    @cached_property
    def imports(self) -> np.ndarray:
        """Imports ``M[k, j] = sum_e flows[k, e, j]`` [t], shape ``(K, N)``."""
        return self.flows.sum(axis=1)

    @cached_property
    def exports(self) -> np.ndarray:
        """Exports ``X[k, i] = sum_j flows[k, i, j]`` [t], shape ``(K, N)``."""
        return self.flows.sum(axis=2)

    @cached_property
    def consumption_unclipped(self) -> np.ndarray:
        """``P + M - X`` before clipping [t], shape ``(K, N)``."""
        return self.production + self.imports - self.exports

    @cached_property
    def consumption(self) -> np.ndarray:
        """Apparent consumption ``max(0, P + M - X)`` [t], shape ``(K, N)``."""
        return np.maximum(self.consumption_unclipped, 0.0)

    @property
    def n_clipped(self) -> int:
        """Number of (commodity, country) cells whose apparent consumption was clipped to 0."""
        return int(np.count_nonzero(self.consumption_unclipped < 0))

    @cached_property
    def domestic_use(self) -> np.ndarray:
        """Own production used at home, ``max(0, P - X)`` [t], shape ``(K, N)``."""
        return np.maximum(self.production - self.exports, 0.0)

    @cached_property
    def output_share(self) -> np.ndarray:
        """Own-output share ``rho = P / max(P, X)`` [fraction], shape ``(K, N)``.

        The part of each use of a country's supply that is its own output (1 if it exports
        no more than it produces).
        """
        den = np.maximum(self.production, self.exports)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(den > 0, self.production / np.where(den > 0, den, 1.0), 0.0)

    # ------------------------------------------------------------------ links

    def parents(self, k: int) -> list[tuple[int, float]]:
        """Ore inputs of commodity `k` as ``(ore index, feed share)`` pairs."""
        idx = self.commodity_index
        name = self.commodities[k]
        return [(idx[lk.ore], lk.feed_share) for lk in self.links if lk.refined == name]

    def children(self, k: int) -> list[int]:
        """Refined commodities fed by commodity `k`."""
        idx = self.commodity_index
        name = self.commodities[k]
        return [idx[lk.refined] for lk in self.links if lk.ore == name]

    def topological_order(self) -> list[int]:
        """Commodity indices ordered so that every ore comes before what it feeds."""
        k = len(self.commodities)
        idx = self.commodity_index
        indeg = [0] * k
        out: dict[int, list[int]] = {}
        for lk in self.links:
            o, r = idx[lk.ore], idx[lk.refined]
            out.setdefault(o, []).append(r)
            indeg[r] += 1
        ready = [i for i in range(k) if indeg[i] == 0]
        order = []
        while ready:
            i = ready.pop(0)
            order.append(i)
            for r in out.get(i, []):
                indeg[r] -= 1
                if indeg[r] == 0:
                    ready.append(r)
        if len(order) != k:
            cyc = sorted(self.commodities[i] for i in range(k) if indeg[i] > 0)
            msg = f"links form a cycle among {cyc}; an ore cannot be made from its own product"
            raise MethodError(msg)
        return order

    # ------------------------------------------------------------------ construction

    @classmethod
    def from_frames(
        cls,
        trade: pd.DataFrame,
        production: pd.DataFrame,
        links: Iterable[Link | Sequence[object]] | pd.DataFrame | None = (),
        *,
        year: int | None = None,
        stages: Mapping[str, str] | None = None,
        exclude: Iterable[str] = ("WLD", "ROW"),
    ) -> Network:
        """Build a network from a tidy trade table and a tidy production table.

        Parameters
        ----------
        trade : pandas.DataFrame
            Columns ``year, exporter_iso3, importer_iso3, commodity_id, quantity_t``
            [t].  Duplicate rows are summed, rows with a missing quantity are dropped and
            rows with exporter == importer are dropped (each logged).
        production : pandas.DataFrame
            Columns ``country_iso3, commodity_id, stage, value`` [t], optionally ``year``
            (then filtered to the base year).  Values in the same unit and basis as the
            trade quantities of that commodity.
        links : sequence of Link or (ore, refined, feed_share) or DataFrame, optional
            Ore -> refined links; a DataFrame needs ``ore_commodity_id,
            refined_commodity_id, feed_share``.
        year : int, optional
            Base year; needed when `trade` holds several years.
        stages : mapping of str to str, optional
            The stage of each commodity's production to use; needed for commodities with
            production rows at more than one stage.  Commodities with no production rows
            get stage ``'trade'`` and zero production.
        exclude : iterable of str
            Country codes dropped from production (stated world totals, rest of world).

        Returns
        -------
        Network

        Raises
        ------
        MethodError
            A column is missing, quantities are negative, the year or a stage is ambiguous.
        """
        missing = [c for c in TRADE_COLUMNS if c not in trade.columns]
        if missing:
            msg = f"trade table lacks columns {missing}; it needs {list(TRADE_COLUMNS)}"
            raise MethodError(msg)
        missing = [c for c in PRODUCTION_COLUMNS if c not in production.columns]
        if missing:
            msg = (
                f"production table lacks columns {missing}; it needs "
                f"{list(PRODUCTION_COLUMNS)} (and optionally year)"
            )
            raise MethodError(msg)
        years = sorted(pd.unique(trade["year"]).tolist())
        if year is None:
            if len(years) != 1:
                msg = f"trade table holds years {years}; pass year= to choose the base year"
                raise MethodError(msg)
            year = int(years[0])
        t = trade.loc[trade["year"] == year, list(TRADE_COLUMNS)].copy()
        if t.empty:
            msg = f"trade table has no rows for year {year}; it holds {years}"
            raise MethodError(msg)
        for col in ("exporter_iso3", "importer_iso3", "commodity_id"):
            t[col] = t[col].astype(str).str.strip()
        t["quantity_t"] = pd.to_numeric(t["quantity_t"], errors="coerce")
        n_nan = int(t["quantity_t"].isna().sum())
        if n_nan:
            logger.warning("trade %d: %d rows without quantity_t dropped", year, n_nan)
            t = t[t["quantity_t"].notna()]
        if (t["quantity_t"] < 0).any():
            bad = t[t["quantity_t"] < 0].head(5)
            msg = f"trade has negative quantity_t, e.g.\n{bad.to_string(index=False)}"
            raise MethodError(msg)
        self_rows = t["exporter_iso3"] == t["importer_iso3"]
        if self_rows.any():
            logger.warning(
                "trade %d: %d rows with exporter == importer dropped", year, int(self_rows.sum())
            )
            t = t[~self_rows]

        p = production.copy()
        if "year" in p.columns:
            p = p[p["year"] == year]
        p = p[list(PRODUCTION_COLUMNS)].copy()
        for col in ("country_iso3", "commodity_id", "stage"):
            p[col] = p[col].astype(str).str.strip()
        excluded = set(exclude)
        dropped = p["country_iso3"].isin(excluded)
        if dropped.any():
            logger.info(
                "production: %d rows for %s dropped (not countries)",
                int(dropped.sum()),
                sorted(set(p.loc[dropped, "country_iso3"])),
            )
            p = p[~dropped]
        p["value"] = pd.to_numeric(p["value"], errors="coerce")
        p = p[p["value"].notna()]
        if (p["value"] < 0).any():
            bad = p[p["value"] < 0].head(5)
            msg = f"production has negative values, e.g.\n{bad.to_string(index=False)}"
            raise MethodError(msg)

        commodities = sorted(set(t["commodity_id"]) | set(p["commodity_id"]))
        stage_of: dict[str, str] = {}
        stages = dict(stages or {})
        keep = np.zeros(len(p), dtype=bool)
        for c in commodities:
            rows = (p["commodity_id"] == c).to_numpy()
            found = sorted(set(p.loc[rows, "stage"]))
            if c in stages:
                stage_of[c] = stages[c]
                keep |= rows & (p["stage"] == stages[c]).to_numpy()
            elif len(found) == 1:
                stage_of[c] = found[0]
                keep |= rows
            elif not found:
                stage_of[c] = "trade"
            else:
                msg = (
                    f"commodity {c!r} has production at stages {found}; pass "
                    f"stages={{{c!r}: {found[0]!r}}} to choose one"
                )
                raise MethodError(msg)
        p = p[keep]
        no_prod = [c for c in commodities if stage_of[c] == "trade"]
        if no_prod:
            logger.info("commodities without production rows (production = 0): %s", no_prod)

        countries = sorted(
            set(t["exporter_iso3"]) | set(t["importer_iso3"]) | set(p["country_iso3"])
        )
        c_idx = pd.Index(countries)
        k_idx = pd.Index(commodities)
        n, k = len(countries), len(commodities)
        flows = np.zeros((k, n, n))
        np.add.at(
            flows,
            (
                k_idx.get_indexer(t["commodity_id"]),
                c_idx.get_indexer(t["exporter_iso3"]),
                c_idx.get_indexer(t["importer_iso3"]),
            ),
            t["quantity_t"].to_numpy(dtype=np.float64),
        )
        prod = np.zeros((k, n))
        np.add.at(
            prod,
            (k_idx.get_indexer(p["commodity_id"]), c_idx.get_indexer(p["country_iso3"])),
            p["value"].to_numpy(dtype=np.float64),
        )
        net = cls(
            year=int(year),
            countries=tuple(countries),
            commodities=tuple(commodities),
            stages=tuple(stage_of[c] for c in commodities),
            flows=flows,
            production=prod,
            links=_as_links(links),
        )
        if net.n_clipped:
            logger.info(
                "network %d: apparent consumption clipped to 0 in %d cells", year, net.n_clipped
            )
        return net

    def to_frames(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Return the network as ``(trade, production)`` tables in the input layout."""
        k, e, j = np.nonzero(self.flows)
        trade = pd.DataFrame(
            {
                "year": self.year,
                "exporter_iso3": np.asarray(self.countries, dtype=object)[e],
                "importer_iso3": np.asarray(self.countries, dtype=object)[j],
                "commodity_id": np.asarray(self.commodities, dtype=object)[k],
                "quantity_t": self.flows[k, e, j],
            }
        )
        k, i = np.nonzero(self.production)
        prod = pd.DataFrame(
            {
                "country_iso3": np.asarray(self.countries, dtype=object)[i],
                "commodity_id": np.asarray(self.commodities, dtype=object)[k],
                "stage": np.asarray(self.stages, dtype=object)[k],
                "value": self.production[k, i],
            }
        )
        return trade, prod


def synthetic_network(
    n_countries: int = 220,
    n_commodities: int = 74,
    *,
    n_links: int = 10,
    seed: int = 0,
    year: int = 2023,
    dominant: str = "CHN",
) -> Network:
    """Make a random network of realistic size and sparsity (tests, demos, benchmarks).

    **Synthetic: not data.**  Countries are `dominant` plus made-up codes ``XAA``, ``XAB``...;
    commodities ``K001``...  Each commodity has 8-60 producers with log-normal output (the
    `dominant` country always produces, with a large share), each producer exports 20-90%
    of its output to 10-150 partners weighted by partner size, so about 5-10% of the
    exporter x importer pairs carry trade, as in BACI for mineral HS6 codes.  The first
    ``2 * n_links`` commodities form ``n_links`` ore -> refined pairs.

    Parameters
    ----------
    n_countries, n_commodities : int
        Size of the network.
    n_links : int
        Number of ore -> refined links.
    seed : int
        Seed of the generator.
    year : int
        Base year stamped on the network.
    dominant : str
        ISO3 code of the country with a large share of every commodity.

    Returns
    -------
    Network
    """
    if not 2 <= n_countries <= 677:
        msg = f"n_countries={n_countries}; give 2 to 677"
        raise MethodError(msg)
    rng = np.random.default_rng(seed)
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    fake = [f"X{a}{b}" for a in letters for b in letters]  # ISO 3166 user-assigned range
    countries = [dominant] + fake[: n_countries - 1]
    commodities = [f"K{i:03d}" for i in range(1, n_commodities + 1)]
    size = rng.lognormal(0.0, 1.5, n_countries)
    size[0] = size.max() * 2
    weight = size / size.sum()
    flows = np.zeros((n_commodities, n_countries, n_countries))
    prod = np.zeros((n_commodities, n_countries))
    for k in range(n_commodities):
        n_prod = max(2, min(int(rng.integers(8, 61)), n_countries // 2))
        others = rng.choice(
            np.arange(1, n_countries),
            size=n_prod - 1,
            replace=False,
            p=weight[1:] / weight[1:].sum(),
        )
        producers = np.concatenate([[0], others])
        out = rng.lognormal(8.0, 2.0, n_prod)
        out[0] = out[1:].sum() * rng.uniform(0.5, 4.0)  # dominant: 33-80% of world output
        prod[k, producers] = out
        for e, pe in zip(producers, out, strict=True):
            n_part = min(int(rng.integers(10, 151)), n_countries - 1)
            cand = np.delete(np.arange(n_countries), e)
            part = rng.choice(cand, size=n_part, replace=False, p=weight[cand] / weight[cand].sum())
            w = weight[part] * rng.lognormal(0.0, 1.0, n_part)
            flows[k, e, part] = pe * rng.uniform(0.2, 0.9) * w / w.sum()
    stages = [
        "mine"
        if (i < 2 * n_links and i % 2 == 0)
        else ("refinery" if i < 2 * n_links else "processing")
        for i in range(n_commodities)
    ]
    links = [
        Link(commodities[2 * i], commodities[2 * i + 1], float(rng.uniform(0.3, 1.0)))
        for i in range(n_links)
    ]
    return Network(
        year=year,
        countries=tuple(countries),
        commodities=tuple(commodities),
        stages=tuple(stages),
        flows=flows,
        production=prod,
        links=tuple(links),
    )
