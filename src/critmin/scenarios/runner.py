"""Run a scenario on the dataset, summarise it, save it in the workspace and load it again.

:func:`run_scenario` is the one entry point the CLI, the API and notebooks share::

    from critmin.scenarios.runner import run_scenario, save, load

    run = run_scenario("china_ree_2025", n_draws=2000)    # a preset id, a file, a dict or a spec
    run.summary(importer="IND")                            # peak-year P5/P50/P95 per commodity
    run.who_fills("IND", "284690")                         # partners, stockpile, ... per year
    run.tables["shortfall"]                                # the full tidy table
    save(run, "ree-india")                                 # <home>/scenarios/ree-india/
    again = load("ree-india")                              # the same tables and spec

It builds the base-year network from BACI (:func:`critmin.scenarios.data.build_network`),
resolves group ids through :func:`critmin.api.group_members`, runs
:func:`~critmin.scenarios.ensemble.run_ensemble` and turns the result into tables:

==============  ==========================================================================
table           columns
==============  ==========================================================================
shortfall       year, importer_iso3, commodity_id (HS6), commodity, consumption_t, p5_t,
                p50_t, p95_t, mean_t, p5_pct, p50_pct, p95_pct  [t of the traded good; %
                of base-year apparent consumption]
fills           year, importer_iso3, commodity_id, source, kind, mean_t: who fills the
                lost supply (each partner's spare capacity, recycling, demand response,
                substitution, stockpile) and the remaining shortfall; sums to the mean loss
flows           year, importer_iso3, commodity_id, exporter_iso3, base_t, cut_mean_t,
                redirected_mean_t, shocked_t: each supplier's base-year flow, the mean cut,
                the mean spare capacity it redirects, and the result (for the Sankey)
stockpiles      importer_iso3, commodity_id, p5_months, p50_months, p95_months,
                p_exhausted
sectors         per-commodity sector quantiles (:func:`~critmin.scenarios.sectors.
                sector_breakdown`) with the shares of :func:`sector_shares_from_data`
network         one row per commodity of the network (:func:`~critmin.scenarios.data.
                network_summary`)
==============  ==========================================================================

End-use shares
--------------
:func:`sector_shares_from_data` gives numeric shares only where a source in the dataset
gives numbers: the IEA Critical Minerals Data Explorer 2024, sheet "1 Total demand for
key minerals", base year 2023, demand by technology over total demand (copper, cobalt,
lithium, nickel, graphite; "Other uses" stays unallocated).  The seed article's sector
map and USGS MCS 2026 T6 list *which* sectors use a mineral, not how much; with
``assume_even_split=True`` each commodity without IEA numbers is split evenly over the
sectors those sources list, and every such row says so in its ``basis`` column.  The
split is off by default.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from critmin.errors import ScenarioError, nearest
from critmin.scenarios import ensemble as _ensemble
from critmin.scenarios.data import build_network, hs_stages, network_summary
from critmin.scenarios.engine import prepare, rank_mitigations, sample_parameters
from critmin.scenarios.ensemble import EnsembleResult, run_ensemble
from critmin.scenarios.network import Network
from critmin.scenarios.presets import Preset, is_preset, load_preset, resolve_group
from critmin.scenarios.sectors import sector_breakdown
from critmin.scenarios.spec import ScenarioSpec, load_spec

__all__ = [
    "TABLES",
    "ScenarioRun",
    "list_saved",
    "load",
    "rank_scenario",
    "resolve_source",
    "run_scenario",
    "save",
    "scenarios_dir",
    "sector_shares_from_data",
]

logger = logging.getLogger(__name__)

#: Tables of a run, in the order they are saved.
TABLES: tuple[str, ...] = ("shortfall", "fills", "flows", "stockpiles", "sectors", "network")

#: ``progress(stage, done, total)``: stage is ``'network'``, ``'simulate'`` or ``'summarise'``.
Progress = Callable[[str, int, int], None]

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
_IEA_SHEET = "1 Total demand for key minerals"
_IEA_TOTALS = ("Total demand", "Total clean technologies", "Other uses")
_LINKS_LABEL = "(ore links)"


# ============================================================================ run object


@dataclass
class ScenarioRun:
    """The outcome of :func:`run_scenario`: the spec, the tables and (in memory) the result.

    Attributes
    ----------
    spec : ScenarioSpec
        The spec as run (draws and seed filled in): ``spec.to_dict()`` repeats the run.
    tables : dict of str to pandas.DataFrame
        See the module docstring (:data:`TABLES`).
    metadata : dict
        Preset and its T4 source, parameters, base year, network options, draws, seed,
        timings, critmin version, creation time.
    result : EnsembleResult or None
        The full result (arrays); None for a run loaded from the workspace.
    network : Network or None
        The network it ran on; None for a loaded run.
    """

    spec: ScenarioSpec
    tables: dict[str, pd.DataFrame]
    metadata: dict[str, Any]
    result: EnsembleResult | None = None
    network: Network | None = field(default=None, repr=False)

    @property
    def name(self) -> str:
        """The scenario's name (``spec.name``)."""
        return self.spec.name

    @property
    def shortfall(self) -> pd.DataFrame:
        """The shortfall table (P5/P50/P95 per year, importer and commodity)."""
        return self.tables["shortfall"]

    def who_fills(self, importer: str, commodity: str) -> pd.DataFrame:
        """Mean decomposition of one importer's lost supply of one commodity, per year.

        Parameters
        ----------
        importer : str
            ISO3 code.
        commodity : str
            HS6 code (a commodity id of the network).

        Returns
        -------
        pandas.DataFrame
            Index: sources (partners by ISO3, then recycling, demand response,
            substitution, stockpile, shortfall); columns: years; values: mean t.  Each
            column sums to the mean lost supply.
        """
        f = self.tables["fills"]
        sub = f[(f["importer_iso3"] == importer) & (f["commodity_id"] == str(commodity))]
        if sub.empty:
            have = sorted(set(f["importer_iso3"]))
            msg = (
                f"no lost supply of {commodity} for {importer} in this run; importers with a "
                f"loss: {', '.join(have[:20])}{' ...' if len(have) > 20 else ''}"
            )
            raise ScenarioError(msg)
        order = list(dict.fromkeys(sub["source"]))
        out = sub.pivot_table(
            index="source", columns="year", values="mean_t", aggfunc="sum", sort=False
        )
        return out.reindex(order)

    def summary(self, importer: str | None = None, top: int = 10) -> pd.DataFrame:
        """The peak year of each importer x commodity shortfall, largest first.

        Parameters
        ----------
        importer : str, optional
            Only this importer (ISO3).
        top : int
            Number of rows.

        Returns
        -------
        pandas.DataFrame
            Columns ``importer_iso3, commodity_id, commodity, year, p5_t, p50_t, p95_t,
            p50_pct`` [t; %], the year being the one with the largest P50.
        """
        df = self.tables["shortfall"]
        if importer is not None:
            df = df[df["importer_iso3"] == importer]
        if df.empty:
            return pd.DataFrame(
                columns=[
                    "importer_iso3",
                    "commodity_id",
                    "commodity",
                    "year",
                    "p5_t",
                    "p50_t",
                    "p95_t",
                    "p50_pct",
                ]
            )
        idx = df.groupby(["importer_iso3", "commodity_id"])["p50_t"].idxmax()
        peak = df.loc[idx.to_numpy()]
        peak = peak.sort_values(["p50_t", "p95_t"], ascending=False, kind="stable").head(top)
        cols = [
            "importer_iso3",
            "commodity_id",
            "commodity",
            "year",
            "p5_t",
            "p50_t",
            "p95_t",
            "p50_pct",
        ]
        return peak[cols].reset_index(drop=True)


# ============================================================================ inputs


def resolve_source(
    source: str | Path | Mapping[str, Any] | ScenarioSpec | Preset,
    params: Mapping[str, Any] | None = None,
) -> tuple[ScenarioSpec, Preset | None]:
    """Turn a preset id, a preset or spec file, a dict or a spec into ``(spec, preset)``.

    Raises
    ------
    ScenarioError
        Unknown preset (the message lists the presets), a file that does not exist, or an
        invalid spec (field paths and fixes).
    """
    if isinstance(source, Preset):
        if params:
            source = load_preset(source.path, params)
        assert source.spec is not None
        return source.spec, source
    if isinstance(source, ScenarioSpec | Mapping):
        if params:
            msg = "params apply to presets only; fix: put the values in the spec itself"
            raise ScenarioError(msg)
        return load_spec(source), None
    text = str(source)
    if is_preset(text):
        p = load_preset(text, params)
        assert p.spec is not None
        return p.spec, p
    path = Path(text)
    if path.is_file():
        if path.suffix.lower() in (".yaml", ".yml") and _is_preset_file(path):
            p = load_preset(path, params)
            assert p.spec is not None
            return p.spec, p
        if params:
            msg = f"{path} is a plain spec file; params apply to presets only"
            raise ScenarioError(msg)
        return load_spec(path), None
    from critmin.scenarios.presets import preset_ids

    ids = preset_ids()
    near = nearest(text, ids, n=3)
    hint = f"did you mean {', '.join(near)}? " if near else ""
    what = "scenario file" if path.suffix else "preset"
    msg = (
        f"unknown {what} {text!r}; {hint}presets: {', '.join(ids)}. Fix: use a preset id "
        "(critmin scenario list) or the path of a .yaml/.json scenario file"
    )
    raise ScenarioError(msg)


def _is_preset_file(path: Path) -> bool:
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError):
        return False
    return isinstance(data, Mapping) and "preset" in data and "spec" in data


# ============================================================================ progress


_PATCH_LOCK = threading.Lock()


@contextlib.contextmanager
def _chunk_progress(callback: Progress | None, total: int) -> Iterator[None]:
    """Count the engine's chunks while a local run is in progress.

    ``run_ensemble`` has no progress hook, so for the duration of the run the ensemble
    module's ``simulate_block`` is wrapped by a counting function (serialised by a lock;
    the engine's numbers are untouched).
    """
    if callback is None:
        yield
        return
    original = _ensemble.simulate_block
    done = [0]
    lock = threading.Lock()

    def counting(*args: Any, **kwargs: Any) -> Any:
        out = original(*args, **kwargs)
        with lock:
            done[0] += 1
            n = done[0]
        callback("simulate", n, total)
        return out

    with _PATCH_LOCK:
        _ensemble.simulate_block = counting  # type: ignore[assignment]
        try:
            yield
        finally:
            _ensemble.simulate_block = original  # type: ignore[assignment]


# ============================================================================ sectors


def sector_shares_from_data(*, assume_even_split: bool = False) -> pd.DataFrame:
    """End-use shares per HS6 code from the dataset (see the module docstring).

    Parameters
    ----------
    assume_even_split : bool
        Also split, evenly, each code whose commodity has no IEA numbers over the sectors
        the seed article's sector map (else USGS MCS 2026 T6) lists for it.  An
        assumption, labelled in ``basis``; off by default.

    Returns
    -------
    pandas.DataFrame
        Columns ``commodity_id`` (HS6), ``sector``, ``share`` [fraction of the commodity's
        use, 0-1; the rest is 'other/unallocated'], ``basis``, ``source``.
    """
    from critmin import catalog
    from critmin.store import get_store

    st = hs_stages()
    codes_of = st.groupby("commodity_id")["hs6"].apply(list).to_dict()
    store = get_store()
    dem = store.query(
        "SELECT mineral, sector_or_technology, value, unit, source_id, source_row, year "
        "FROM demand WHERE scenario = 'Base year' AND sheet = ? AND \"case\" = 'Base case'",
        [_IEA_SHEET],
    )
    dem["cid"] = catalog.commodity_id_for(dem["mineral"], source="iea").to_numpy()
    rows: list[dict[str, Any]] = []
    numeric: set[str] = set()
    for (mineral, cid), g in dem.groupby(["mineral", "cid"], dropna=True):
        total = g.loc[g["sector_or_technology"] == "Total demand", "value"]
        if total.empty or not total.iloc[0] > 0 or cid not in codes_of:
            continue
        year = int(g["year"].iloc[0])
        for r in g[~g["sector_or_technology"].isin(_IEA_TOTALS)].itertuples(index=False):
            share = float(r.value) / float(total.iloc[0])
            for code in codes_of[cid]:
                rows.append(
                    {
                        "commodity_id": code,
                        "sector": str(r.sector_or_technology).lower(),
                        "share": share,
                        "basis": f"IEA demand by technology / total demand, {mineral}, {year}",
                        "source": f"{r.source_id}:{r.source_row}",
                    }
                )
        numeric.add(str(cid))
    if assume_even_split:
        rows += _even_split(st, numeric)
    out = pd.DataFrame(rows, columns=["commodity_id", "sector", "share", "basis", "source"])
    return out.groupby(["commodity_id", "sector"], as_index=False, sort=True).agg(
        share=("share", "sum"), basis=("basis", "first"), source=("source", "first")
    )


def _split_applications(text: str) -> list[str]:
    parts = re.split(r",\s*|\s+and\s+", str(text).strip().rstrip("."))
    return [p.strip().lower() for p in parts if p.strip() and p.strip().lower() != "and"]


def _even_split(st: pd.DataFrame, numeric: set[str]) -> list[dict[str, Any]]:
    from critmin import catalog
    from critmin.store import get_store

    store = get_store()
    parent = catalog.commodities().drop_duplicates("commodity_id")
    parent = parent.set_index("commodity_id")["parent"].to_dict()

    def family(cid: str) -> list[str]:
        out, up = [cid], parent.get(cid)
        while isinstance(up, str) and up:
            out.append(up)
            up = parent.get(up)
        return out

    seed = store.query("SELECT commodity_id, sector, source_id, source_row FROM sector_map")
    seed = seed[seed["commodity_id"].notna()]
    seed_by: dict[str, list[tuple[str, str]]] = {}
    for r in seed.itertuples(index=False):
        for cid in family(str(r.commodity_id)):
            seed_by.setdefault(cid, []).append((str(r.sector), f"{r.source_id}:{r.source_row}"))
    t6 = store.query(
        "SELECT commodity_id, applications, source_id, source_row FROM end_uses "
        "WHERE edition = 'MCS2026' AND commodity_id IS NOT NULL"
    )
    t6_by = {str(r.commodity_id): r for r in t6.itertuples(index=False)}
    rows = []
    for cid, g in st.groupby("commodity_id"):
        if cid in numeric:
            continue
        sectors: list[tuple[str, str]] = []
        what = ""
        if cid in seed_by:
            seen: dict[str, str] = {}
            for sec, src in seed_by[cid]:
                seen.setdefault(sec, src)
            sectors = list(seen.items())
            what = "the seed article's sector map"
        elif cid in t6_by:
            r = t6_by[cid]
            sectors = [
                (a, f"{r.source_id}:{r.source_row}") for a in _split_applications(r.applications)
            ]
            what = "USGS MCS 2026 T6 end uses"
        if not sectors:
            continue
        for code in g["hs6"]:
            for sec, src in sectors:
                rows.append(
                    {
                        "commodity_id": code,
                        "sector": sec,
                        "share": 1.0 / len(sectors),
                        "basis": f"assumption: even split over the {len(sectors)} sectors "
                        f"listed in {what} (no numeric share in the data)",
                        "source": src,
                    }
                )
    return rows


def _sector_table(shares: pd.DataFrame | str | None) -> pd.DataFrame | None:
    if shares is None:
        return None
    if isinstance(shares, str):
        if shares == "enduse":
            from critmin.enduse import hs6_sector_shares

            return hs6_sector_shares()
        if shares == "data":
            return sector_shares_from_data()
        if shares == "data+even":
            return sector_shares_from_data(assume_even_split=True)
        msg = f"sector_shares={shares!r}; fix: use 'enduse', 'data', 'data+even', a table or None"
        raise ScenarioError(msg)
    return shares


# ============================================================================ tables


def _fills_and_flows(
    res: EnsembleResult, spec: ScenarioSpec, net: Network, cut_mean: np.ndarray, plan: Any
) -> tuple[pd.DataFrame, pd.DataFrame]:
    years = np.asarray(spec.years)
    countries = np.asarray(net.countries, dtype=object)
    lost = res.means["lost"]  # (T, N, K)
    fills, flows = [], []
    comp_labels = (
        ("recycled", "recycling"),
        ("demand", "demand response"),
        ("substitution", "substitution"),
        ("stockpile", "stockpile"),
        ("shortfall", "shortfall"),
    )
    for k in np.flatnonzero(plan.affected):
        code = net.commodities[k]
        js = np.flatnonzero(lost[:, :, k].sum(axis=0) > 0)
        if not len(js):
            continue
        # direct cuts of each shock, mean over draws: (T, N_exporter, N_importer)
        direct = np.zeros((len(years), len(net.countries), len(js)))
        for s in plan.shocks:
            if k in s.commodities:
                direct[:, s.exporter, :] += (
                    cut_mean[s.index]
                    * s.active[:, None]
                    * (net.flows[k, s.exporter, js] * s.dest[js])
                )
        red = (
            res.fill_mean[:, :, js, k]
            if res.fill_mean is not None
            else np.zeros((len(years), len(net.countries), len(js)))
        )
        base = net.flows[k][:, js]  # (N_exporter, n_js)
        via_links = np.maximum(lost[:, js, k] - direct.sum(axis=1), 0.0)  # (T, n_js)
        for ti, year in enumerate(years):
            # who fills: partners, then the other components
            e_i, j_i = np.nonzero(red[ti] > 0)
            if len(e_i):
                fills.append(
                    pd.DataFrame(
                        {
                            "year": int(year),
                            "importer_iso3": countries[js[j_i]],
                            "commodity_id": code,
                            "source": countries[e_i],
                            "kind": "partner",
                            "mean_t": red[ti][e_i, j_i],
                        }
                    )
                )
            for comp, label in comp_labels:
                fills.append(
                    pd.DataFrame(
                        {
                            "year": int(year),
                            "importer_iso3": countries[js],
                            "commodity_id": code,
                            "source": label,
                            "kind": label,
                            "mean_t": res.means[comp][ti, js, k],
                        }
                    )
                )
            e_i, j_i = np.nonzero((base > 0) | (red[ti] > 0) | (direct[ti] > 0))
            cut = direct[ti][e_i, j_i]
            rd = red[ti][e_i, j_i]
            b = base[e_i, j_i]
            flows.append(
                pd.DataFrame(
                    {
                        "year": int(year),
                        "importer_iso3": countries[js[j_i]],
                        "commodity_id": code,
                        "exporter_iso3": countries[e_i],
                        "base_t": b,
                        "cut_mean_t": cut,
                        "redirected_mean_t": rd,
                        "shocked_t": b - cut + rd,
                    }
                )
            )
            jl = np.flatnonzero(via_links[ti] > 1e-9 * np.maximum(lost[ti, js, k], 1.0))
            if len(jl):
                flows.append(
                    pd.DataFrame(
                        {
                            "year": int(year),
                            "importer_iso3": countries[js[jl]],
                            "commodity_id": code,
                            "exporter_iso3": _LINKS_LABEL,
                            "base_t": 0.0,
                            "cut_mean_t": via_links[ti, jl],
                            "redirected_mean_t": 0.0,
                            "shocked_t": -via_links[ti, jl],
                        }
                    )
                )
    fcols = ["year", "importer_iso3", "commodity_id", "source", "kind", "mean_t"]
    wcols = [
        "year",
        "importer_iso3",
        "commodity_id",
        "exporter_iso3",
        "base_t",
        "cut_mean_t",
        "redirected_mean_t",
        "shocked_t",
    ]
    f = pd.concat(fills, ignore_index=True) if fills else pd.DataFrame(columns=fcols)
    w = pd.concat(flows, ignore_index=True) if flows else pd.DataFrame(columns=wcols)
    if len(f):
        f = f.sort_values(["importer_iso3", "commodity_id", "year"], kind="stable")
    if len(w):
        w = w.sort_values(
            ["importer_iso3", "commodity_id", "year", "base_t"],
            ascending=[True, True, True, False],
            kind="stable",
        )
    return f.reset_index(drop=True)[fcols], w.reset_index(drop=True)[wcols]


def _commodity_names(codes: pd.Series) -> pd.Series:
    st = hs_stages().set_index("hs6")["commodity_id"]
    return codes.map(st).fillna("")


# ============================================================================ run


def run_scenario(
    source: str | Path | Mapping[str, Any] | ScenarioSpec | Preset,
    n_draws: int | None = None,
    seed: int | None = None,
    base_year: int | None = None,
    progress: Progress | None = None,
    client: Any = None,
    recycling: np.ndarray | pd.DataFrame | str | None = "default",
    *,
    params: Mapping[str, Any] | None = None,
    commodities: Sequence[str] | str | None = None,
    production: str = "net_exports",
    content_factors: Mapping[str, float] | None = None,
    feed_shares: Mapping[object, float] | pd.DataFrame | None = None,
    sector_shares: pd.DataFrame | str | None = "enduse",
    chunk_size: int = 512,
    threads: int = 1,
) -> ScenarioRun:
    """Run a scenario on the dataset's network of its base year.

    Parameters
    ----------
    source : str, Path, dict, ScenarioSpec or Preset
        A preset id (``critmin scenario list``), a preset file, a spec file
        (``.yaml``/``.json``), a spec dict or a validated spec.
    n_draws : int, optional
        Draws; default the spec's ``draws``.
    seed : int, optional
        Overrides the spec's seed.
    base_year : int, optional
        Overrides the spec's base year (the BACI year of the network).
    progress : callable, optional
        ``progress(stage, done, total)`` with stage ``'network'``, ``'simulate'`` (one
        call per chunk of draws, local runs) and ``'summarise'``.
    client : dask.distributed.Client, optional
        Run the chunks on a Dask cluster (results identical to a local run).
    recycling : numpy.ndarray, pandas.DataFrame, 'default' or None
        Secondary supply [t of the traded good]: an array ``(years, countries,
        commodities)`` in the network's order, or a table ``year, country_iso3,
        commodity_id (HS6), quantity_t`` (e.g. from ``critmin.circular``).  ``'default'``
        (the default): critmin's default recovery run (shipped sourced parameters, World
        P50) split over importers by their share of world apparent consumption, for the
        HS6 codes counted in element content
        (:func:`critmin.circular.links.default_recycling_table`); None: no recycling.
    params : mapping, optional
        Preset parameters, e.g. ``{"cut": 0.5}`` or ``{"group": "QUAD"}``.
    commodities : str or sequence of str, optional
        Restrict the network to these commodities or HS6 codes; default all codes of the
        base year.
    production, content_factors, feed_shares
        Network options, see :func:`critmin.scenarios.data.build_network`.
    sector_shares : DataFrame, 'enduse', 'data', 'data+even' or None
        End-use shares for the ``sectors`` table; ``'enduse'`` (default) the shipped
        sector table (:func:`critmin.enduse.hs6_sector_shares`: IEA 2023 shares from the
        dataset mapped to the seed's strategic sectors, plus published shares);
        ``'data'`` the IEA technology shares only, ``'data+even'`` adds the labelled
        even-split assumption.
    chunk_size, threads
        Passed to :func:`~critmin.scenarios.ensemble.run_ensemble`.

    Returns
    -------
    ScenarioRun

    Raises
    ------
    ScenarioError
        Unknown preset or file, invalid spec, or a spec that does not fit the network.
    """
    t0 = time.perf_counter()
    spec, preset = resolve_source(source, params)
    changes: dict[str, Any] = {}
    if n_draws is not None:
        changes["draws"] = int(n_draws)
    if seed is not None:
        changes["seed"] = int(seed)
    if base_year is not None:
        changes["base_year"] = int(base_year)
    if changes:
        spec = load_spec({**spec.to_dict(), **changes})
    if progress:
        progress("network", 0, 1)
    net = build_network(
        spec.base_year,
        commodities=commodities,
        production=production,
        content_factors=content_factors,
        feed_shares=feed_shares,
    )
    t_net = time.perf_counter() - t0
    if progress:
        progress("network", 1, 1)
    if preset is not None and preset.unrepresented:
        logger.info(
            "preset %s: not simulated on its own: %s",
            preset.id,
            "; ".join(f"{k}: {v}" for k, v in preset.unrepresented.items()),
        )
    rec_note = "none" if recycling is None else "caller-supplied"
    if isinstance(recycling, str):
        if recycling != "default":
            msg = f"recycling={recycling!r}; fix: use 'default', an array, a table or None"
            raise ScenarioError(msg)
        from critmin.circular.links import default_recycling_table

        recycling = default_recycling_table(net, spec.years)
        rec_note = (
            "default: critmin default recovery (World P50) for HS6 "
            + ", ".join(sorted(set(recycling["commodity_id"])))
            if len(recycling)
            else "default: no HS6 code of this network is counted in element content"
        )
        if recycling.empty:
            recycling = None
    plan = prepare(spec, net, resolve_group=resolve_group)
    n_chunks = math.ceil(spec.draws / chunk_size) * len(plan.blocks)
    shares = _sector_table(sector_shares)
    with _chunk_progress(progress if client is None else None, n_chunks):
        res = run_ensemble(
            spec,
            net,
            chunk_size=chunk_size,
            client=client,
            resolve_group=resolve_group,
            recycling=recycling,
            threads=threads,
        )
    if progress:
        progress("summarise", 0, 1)
    t1 = time.perf_counter()
    cut_mean = sample_parameters(spec, net, res.n_draws).cut.mean(axis=0)
    shortfall = res.shortfall_table(nonzero=True)
    shortfall.insert(3, "commodity", _commodity_names(shortfall["commodity_id"]).to_numpy())
    fills, flows = _fills_and_flows(res, spec, net, cut_mean, plan)
    tables = {
        "shortfall": shortfall,
        "fills": fills,
        "flows": flows,
        "stockpiles": res.stockpile_table(),
        "sectors": _sectors(res, shares),
        "network": network_summary(net),
    }
    meta = _metadata(spec, preset, net, res, production, content_factors, feed_shares, shares)
    meta["recycling"] = rec_note
    meta["timings_s"] = {
        "network": round(t_net, 3),
        "ensemble": round(res.timings.get("total", 0.0), 3),
        "tables": round(time.perf_counter() - t1, 3),
        "total": round(time.perf_counter() - t0, 3),
    }
    if progress:
        progress("summarise", 1, 1)
    return ScenarioRun(spec=spec, tables=tables, metadata=meta, result=res, network=net)


def _sectors(res: EnsembleResult, shares: pd.DataFrame | None) -> pd.DataFrame:
    cols = [
        "year",
        "importer_iso3",
        "commodity_id",
        "sector",
        "share",
        "p5_t",
        "p50_t",
        "p95_t",
        "p5_pct",
        "p50_pct",
        "p95_pct",
    ]
    if shares is None or shares.empty:
        return pd.DataFrame(columns=cols)
    table = sector_breakdown(res, shares)
    table = table[table["sector"].notna()]
    return table.reset_index(drop=True)


def _metadata(
    spec: ScenarioSpec,
    preset: Preset | None,
    net: Network,
    res: EnsembleResult,
    production: str,
    content_factors: Mapping[str, float] | None,
    feed_shares: Any,
    shares: pd.DataFrame | None,
) -> dict[str, Any]:
    import critmin

    affected = sorted(set(res.shortfall_table(nonzero=True)["commodity_id"]))
    return {
        "name": spec.name,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "critmin_version": getattr(critmin, "__version__", ""),
        "preset": None
        if preset is None
        else {
            "id": preset.id,
            "title": preset.title,
            "source": preset.source,
            "parameters": _jsonable(preset.values),
            "unrepresented": preset.unrepresented,
        },
        "n_draws": int(res.n_draws),
        "seed": int(spec.seed) if spec.seed is not None else None,
        "base_year": int(net.year),
        "years": [int(y) for y in spec.years],
        "network": {
            "source": "CEPII BACI HS92 (trade table), quantities [t gross weight]",
            "production": production,
            "content_factors": dict(content_factors or {}),
            "feed_shares": _jsonable(feed_shares) if isinstance(feed_shares, Mapping) else None,
            "links": [[lk.ore, lk.refined, lk.feed_share] for lk in net.links],
            "n_countries": len(net.countries),
            "n_commodities": len(net.commodities),
            "n_clipped": int(net.n_clipped),
        },
        "commodities_with_shortfall": affected,
        "sector_shares": None if shares is None else sorted(set(shares.get("basis", []))),
        "units": {
            "t": "tonnes of the traded good (BACI gross weight)",
            "pct": "% of base-year apparent consumption (net imports with "
            "production='net_exports')",
            "months": "months from 1 January of the first shock year until stockpiles no "
            "longer cover the gap (inf: not within the horizon)",
        },
    }


def _jsonable(obj: Any) -> Any:
    return json.loads(json.dumps(obj, default=str))


# ============================================================================ mitigations


def rank_scenario(
    source: str | Path | Mapping[str, Any] | ScenarioSpec | Preset,
    importer: str,
    *,
    partner_expansion: float | Mapping[str, Any] | None = None,
    ramp_up_years: float | Mapping[str, Any] | None = None,
    stockpile_days: float | Sequence[float] | None = None,
    partners: Sequence[str] | None = None,
    top_partners: int = 5,
    commodities: Sequence[str] | None = None,
    n_draws: int | None = None,
    seed: int | None = None,
    base_year: int | None = None,
    params: Mapping[str, Any] | None = None,
    production: str = "net_exports",
    content_factors: Mapping[str, float] | None = None,
    feed_shares: Mapping[object, float] | pd.DataFrame | None = None,
    client: Any = None,
) -> pd.DataFrame:
    """Rank mitigations by how much they cut one importer's P50 shortfall.

    A thin shell over :func:`critmin.scenarios.engine.rank_mitigations` on the dataset's
    network.  The sizes of the mitigations are the caller's: critmin has no default
    expansion, ramp-up or stockpile.

    Parameters
    ----------
    source : str, Path, dict, ScenarioSpec or Preset
        The scenario (as for :func:`run_scenario`).
    importer : str
        ISO3 code of the importer whose shortfall is scored (e.g. ``'IND'``, ``'USA'``).
    partner_expansion : float or dict, optional
        Extra output granted to one partner at a time [fraction of its base-year
        production, i.e. of its net exports by default].
    ramp_up_years : float or dict, optional
        Years to reach that output; required with `partner_expansion`.
    stockpile_days : float or sequence of float, optional
        Stockpile(s) for the importer [days of apparent consumption]; one candidate each.
    partners : sequence of str, optional
        Partners to try; default the `top_partners` largest unshocked producers.
    commodities : sequence of str, optional
        HS6 codes scored; default those the scenario's shocks reach.

    Returns
    -------
    pandas.DataFrame
        ``mitigation, kind, p50_shortfall_t, reduction_t, reduction_pct``: the baseline
        first, then the candidates by reduction, largest first.

    Raises
    ------
    ScenarioError
        No candidate given, or the importer is not in the network.
    """
    if partner_expansion is None and stockpile_days is None:
        msg = (
            "nothing to rank: give partner_expansion (with ramp_up_years) and/or "
            "stockpile_days; critmin has no default size for either"
        )
        raise ScenarioError(msg)
    spec, _ = resolve_source(source, params)
    changes: dict[str, Any] = {}
    if n_draws is not None:
        changes["draws"] = int(n_draws)
    if seed is not None:
        changes["seed"] = int(seed)
    if base_year is not None:
        changes["base_year"] = int(base_year)
    if changes:
        spec = load_spec({**spec.to_dict(), **changes})
    net = build_network(
        spec.base_year,
        production=production,
        content_factors=content_factors,
        feed_shares=feed_shares,
    )
    if importer not in net.country_index:
        near = nearest(importer, net.countries, n=3)
        msg = f"importer {importer!r} is not in the {net.year} network; did you mean {near}?"
        raise ScenarioError(msg)
    if commodities is None:
        plan = prepare(spec, net, resolve_group=resolve_group)
        commodities = [net.commodities[k] for k in np.flatnonzero(plan.affected)]
    days = (
        []
        if stockpile_days is None
        else list(stockpile_days)
        if isinstance(stockpile_days, Sequence)
        else [stockpile_days]
    )
    candidates = {
        f"stockpile {importer} {d:g} d": {"stockpile_days": {"by_country": {importer: float(d)}}}
        for d in days
    }
    return rank_mitigations(
        spec,
        net,
        importer,
        commodities=list(commodities),
        partner_expansion=partner_expansion,
        partners=partners,
        top_partners=top_partners,
        ramp_up_years=ramp_up_years,
        candidates=candidates,
        n_draws=n_draws,
        resolve_group=resolve_group,
        client=client,
    )


# ============================================================================ workspace


def scenarios_dir() -> Path:
    """The workspace folder of saved runs: ``<home>/scenarios``."""
    from critmin.settings import get_settings

    return get_settings().home / "scenarios"


def _check_name(name: str) -> str:
    if not isinstance(name, str) or not _NAME.match(name):
        msg = (
            f"run name {name!r}; fix: use 1-100 letters, digits, '_', '-' or '.', "
            "starting with a letter or digit"
        )
        raise ScenarioError(msg)
    return name


def save(
    run: ScenarioRun, name: str, *, overwrite: bool = False, importer: str | None = None
) -> Path:
    """Save a run in the workspace: ``<home>/scenarios/<name>/``.

    Writes ``spec.yaml`` (the spec as run, with its seed), ``metadata.json`` and one
    parquet file per table.  The folder is written in full, then moved into place.

    Parameters
    ----------
    run : ScenarioRun
        From :func:`run_scenario`.
    name : str
        Folder name.
    overwrite : bool
        Replace a saved run of the same name.
    importer : str, optional
        The importer (ISO3) the run was looked at for; kept in ``metadata.json`` so that
        showing the saved run later shows the same importer by default.

    Returns
    -------
    pathlib.Path
        The folder.

    Raises
    ------
    ScenarioError
        Bad name, or the name is taken and `overwrite` is false.
    """
    import yaml

    _check_name(name)
    root = scenarios_dir()
    dest = root / name
    if dest.exists() and not overwrite:
        msg = f"a saved run {name!r} exists at {dest}; fix: choose another name or overwrite=True"
        raise ScenarioError(msg)
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=root))
    try:
        (tmp / "spec.yaml").write_text(
            yaml.safe_dump(run.spec.to_dict(), sort_keys=False, allow_unicode=True),
            encoding="utf-8",
        )
        meta = {**run.metadata, "saved_as": name, "tables": [t for t in TABLES if t in run.tables]}
        if importer is not None:
            meta["importer"] = importer
        (tmp / "metadata.json").write_text(
            json.dumps(_jsonable(meta), indent=1, allow_nan=True), encoding="utf-8"
        )
        for tname in TABLES:
            if tname in run.tables:
                run.tables[tname].to_parquet(tmp / f"{tname}.parquet", index=False)
        if dest.exists():
            shutil.rmtree(dest)
        tmp.rename(dest)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    logger.info("scenario run saved in %s", dest)
    return dest


def list_saved() -> pd.DataFrame:
    """Saved runs in the workspace: ``name, created, preset, importer, n_draws, base_year, path``."""
    rows = []
    root = scenarios_dir()
    if root.is_dir():
        for d in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
            try:
                meta = json.loads((d / "metadata.json").read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            rows.append(
                {
                    "name": d.name,
                    "created": meta.get("created"),
                    "preset": (meta.get("preset") or {}).get("id", ""),
                    "importer": meta.get("importer") or "",
                    "n_draws": meta.get("n_draws"),
                    "base_year": meta.get("base_year"),
                    "path": str(d),
                }
            )
    cols = ["name", "created", "preset", "importer", "n_draws", "base_year", "path"]
    return pd.DataFrame(rows, columns=cols)


def load(name: str) -> ScenarioRun:
    """Load a saved run (its spec, tables and metadata; not the per-draw arrays).

    Raises
    ------
    ScenarioError
        No saved run of that name (the message lists the saved runs).
    """
    _check_name(name)
    d = scenarios_dir() / name
    if not (d / "metadata.json").is_file():
        saved = list(list_saved()["name"])
        near = nearest(name, saved, n=3)
        hint = f"did you mean {', '.join(near)}? " if near else ""
        msg = (
            f"no saved scenario run {name!r} in {scenarios_dir()}; {hint}saved runs: "
            f"{', '.join(saved) or '(none)'}. Fix: save one with save(run, name) or "
            "`critmin scenario run ... --save NAME`"
        )
        raise ScenarioError(msg)
    spec = load_spec(d / "spec.yaml")
    meta = json.loads((d / "metadata.json").read_text(encoding="utf-8"))
    tables = {
        t: pd.read_parquet(d / f"{t}.parquet") for t in TABLES if (d / f"{t}.parquet").is_file()
    }
    return ScenarioRun(spec=spec, tables=tables, metadata=meta)
