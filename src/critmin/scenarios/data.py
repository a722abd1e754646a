"""Build the scenario engine's :class:`~critmin.scenarios.network.Network` from the dataset.

The network of a base year is the CEPII BACI (HS92) bilateral trade of that year for the
HS6 codes of the stage table, plus production, plus the ore -> refined links the user
switches on.  This module is the thin orchestration layer between the store and the
engine: it reads the store, the engine does not.

Stage table
-----------
``hs_stages.csv`` (shipped beside this module, loaded by :func:`hs_stages`) gives every
HS6 code of the BACI extract that the catalog maps to a commodity:

=================  =================================================================
column             meaning
=================  =================================================================
hs6                the HS92 six-digit code (the network's commodity id)
commodity_id       the catalog commodity (as in the ``trade`` table)
stage              ``ore`` (mined product, its concentrate, natural mineral, crude
                   fuel) or ``refined`` (metal, chemical, compound, alloy, unwrought
                   or semi-manufactured form), decided from BACI's description
production_stage   the ``observations.stage`` whose production matches the traded
                   good (``mine`` for ores; ``refinery``, ``smelter`` or ``primary``
                   for refined goods); empty where no published production matches
description        BACI's own product description (``product_codes_HS92_V202401b``)
note               why, and what the code mixes
=================  =================================================================

:data:`STAGE_LINKS` lists the ore -> refined relations between codes of the extract
(e.g. lithium carbonate 283691 -> lithium hydroxide 282520).  Their *feed shares* (the
fraction of the refined output that depends on the ore input) have no source in the
data critmin ships, so every link is off until the user gives its feed share
(``feed_shares=``).

Units and production
--------------------
BACI quantities are tonnes of **gross weight of the traded good**.  USGS and WMD
production is published in **content** (lithium content, REO, Li2O, cobalt content, ...)
or in gross tonnes of a different good (mine output of ore vs traded concentrate).
Adding the two would mix bases, so the network offers two ways, chosen by
``production=``:

``"net_exports"`` (default)
    Production of each country is its **net exports** of the code,
    ``P[i] = max(0, X[i] - M[i])`` [t of the traded good]: the least production its own
    trade requires.  No conversion factor is needed, every quantity is in the traded
    good's tonnes, and apparent consumption ``P + M - X`` becomes ``max(0, M - X)``: the
    net imports of a net importer (a *lower bound* of its consumption where it also
    produces, so shortfall percentages are upper bounds) and 0 for a net exporter (its
    percentage is undefined).  Spare capacity is then a fraction of a producer's net
    exports.
``"content"``
    Published production at the code's ``production_stage`` (USGS MCS 2026, else MCS
    2025, else World Mining Data, else IEA, for the base year) times a **user-supplied**
    factor per HS code, ``content_factors={"283691": f}`` [t of traded good per t of
    the published basis].  critmin ships no such factor: grades, hydration and purity
    vary by producer and no source in the data gives them.  Codes without a factor, or
    without production data for the base year, fall back to net exports (logged).

Examples
--------
>>> from critmin.scenarios.data import build_network, hs_stages
>>> hs_stages().set_index("hs6").loc["283691", "stage"]
'refined'
>>> net = build_network(2023, commodities=["lithium"])  # doctest: +SKIP
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from critmin.errors import MethodError, NoData
from critmin.scenarios.network import Network

__all__ = [
    "DATASET_PREFERENCE",
    "HS_STAGES_CSV",
    "PRODUCTION_MODES",
    "STAGE_LINKS",
    "StageLink",
    "build_network",
    "codes_for",
    "hs_stages",
    "latest_year",
    "links_table",
    "network_summary",
    "production_table",
    "trade_frame",
    "trade_years",
    "supplemented_codes",
    "SUPPLEMENT_TABLE",
]

logger = logging.getLogger(__name__)

#: The shipped stage table (one row per HS6 code of the BACI extract mapped to a commodity).
HS_STAGES_CSV = Path(__file__).resolve().with_name("hs_stages.csv")

#: How production enters the network (see the module docstring).
PRODUCTION_MODES: tuple[str, ...] = ("net_exports", "content")

#: Production datasets in order of preference for ``production="content"``.
DATASET_PREFERENCE: tuple[str, ...] = ("usgs_mcs2026", "usgs_mcs2025", "wmd", "iea_cmde_2024")


@dataclass(frozen=True)
class StageLink:
    """A documented ore -> refined relation between two HS6 codes of the BACI extract.

    Attributes
    ----------
    ore : str
        HS6 code of the input.
    refined : str
        HS6 code of the product made from it.
    commodity_id : str
        The commodity family.
    note : str
        What the relation is.  Its feed share is the user's (no source in the data).
    """

    ore: str
    refined: str
    commodity_id: str
    note: str


#: Ore -> refined relations between codes of the BACI extract.  Feed shares are
#: user parameters: none is switched on by default.
STAGE_LINKS: tuple[StageLink, ...] = (
    StageLink(
        "283691",
        "282520",
        "lithium",
        "lithium carbonate is converted to lithium hydroxide (one of two routes; the other "
        "starts from spodumene, whose HS code 253090 is not in the BACI extract)",
    ),
    StageLink(
        "284690",
        "280530",
        "rare_earths",
        "rare-earth metals are reduced from rare-earth compounds (oxides, fluorides); "
        "rare-earth ores have no code in the BACI extract",
    ),
    StageLink(
        "260800",
        "811230",
        "germanium",
        "germanium is recovered as a by-product of zinc ore processing (811230 has BACI "
        "rows up to 2016 only)",
    ),
    StageLink(
        "260600",
        "760110",
        "aluminium",
        "aluminium is smelted from alumina refined from bauxite (alumina, 281820, is not in "
        "the BACI extract)",
    ),
    StageLink("261100", "810110", "tungsten", "tungsten powders and metal are made from ores"),
    StageLink("261690", "710812", "gold", "unwrought gold is refined from precious-metal ores"),
)


# ----------------------------------------------------------------------------- tables


#: Table of flows used where the BACI extract has no code (China's exports, UN Comtrade).
SUPPLEMENT_TABLE = "china_exports"


@functools.cache
def _stages_cached() -> pd.DataFrame:
    df = pd.read_csv(HS_STAGES_CSV, dtype=str, keep_default_na=False)
    return df


def hs_stages() -> pd.DataFrame:
    """The stage table: one row per HS6 code (see the module docstring).

    Returns
    -------
    pandas.DataFrame
        Columns ``hs6, commodity_id, stage, production_stage, description, note``.
    """
    return _stages_cached().copy()


def _store():  # noqa: ANN202 - imported lazily: the store opens the dataset
    from critmin.store import get_store

    return get_store()


def trade_years() -> list[int]:
    """Years of the ``trade`` table (BACI)."""
    df = _store().query("SELECT DISTINCT year FROM trade ORDER BY year")
    return [int(y) for y in df["year"]]


def latest_year() -> int:
    """The latest year of the ``trade`` table: the default base year."""
    return trade_years()[-1]


def codes_for(commodities: Iterable[str] | str | None = None) -> list[str]:
    """HS6 codes of the stage table for commodity names, catalog ids or HS6 codes.

    Parameters
    ----------
    commodities : str or iterable of str, optional
        ``"lithium"``, ``"REE"``, ``"283691"``, ...; default every code of the table.

    Returns
    -------
    list of str
        Sorted HS6 codes.

    Raises
    ------
    UnknownCommodity
        A name resolves to no commodity.
    NoData
        The commodity has no code in the table (e.g. gallium).
    """
    st = _stages_cached()
    if commodities is None:
        return sorted(st["hs6"])
    if isinstance(commodities, str):
        commodities = [commodities]
    out: set[str] = set()
    known = set(st["hs6"])
    for item in commodities:
        key = str(item).strip()
        if key in known:
            out.add(key)
            continue
        from critmin import catalog

        cid = catalog.resolve_commodity(key)
        family = {cid, *catalog.members(cid)}
        parent = catalog.commodities().set_index("commodity_id")["parent"].to_dict()
        up = parent.get(cid)
        while isinstance(up, str) and up:  # an element of a group: the group's codes
            family.add(up)
            up = parent.get(up)
        codes = sorted(st.loc[st["commodity_id"].isin(family), "hs6"])
        if not codes:
            msg = (
                f"{key!r} ({cid}) has no HS6 code in the BACI extract, so it has no trade "
                f"network; commodities with codes: {', '.join(sorted(set(st['commodity_id'])))}"
            )
            raise NoData(msg)
        out.update(codes)
    return sorted(out)


def trade_frame(year: int, codes: Iterable[str] | None = None) -> pd.DataFrame:
    """BACI trade of one year for the given HS6 codes, in the network's input layout.

    Parameters
    ----------
    year : int
        The year.
    codes : iterable of str, optional
        HS6 codes; default every code of the stage table.

    Returns
    -------
    pandas.DataFrame
        Columns ``year, exporter_iso3, importer_iso3, commodity_id (= hs6), quantity_t,
        value_kusd`` [t gross weight; thousand current USD]; rows without a quantity are
        kept (the network drops and logs them).
    """
    codes = list(codes) if codes is not None else codes_for(None)
    if not codes:
        msg = "no HS6 codes given; fix: pass codes of the stage table (hs_stages())"
        raise MethodError(msg)
    marks = ", ".join("?" * len(codes))
    store = _store()
    df = store.query(
        "SELECT year, exporter_iso3, importer_iso3, hs6 AS commodity_id, quantity_t, "
        f"value_kusd FROM trade WHERE year = ? AND hs6 IN ({marks})",
        [int(year), *codes],
    )
    missing = sorted(set(codes) - set(df["commodity_id"]))
    if missing and SUPPLEMENT_TABLE in store.tables:
        extra = store.query(
            "SELECT year, exporter_iso3, importer_iso3, hs6 AS commodity_id, quantity_t, "
            f"value_kusd FROM {SUPPLEMENT_TABLE} WHERE year = ? AND hs6 IN "
            f"({', '.join('?' * len(missing))})",
            [int(year), *missing],
        )
        if not extra.empty:
            logger.info(
                "%s: not in BACI in %d; China's exports from UN Comtrade (%s) used instead",
                sorted(set(extra["commodity_id"])),
                year,
                SUPPLEMENT_TABLE,
            )
            df = pd.concat([df, extra], ignore_index=True)
    df["year"] = df["year"].astype(int)
    return df


def supplemented_codes(year: int, codes: Iterable[str]) -> list[str]:
    """The codes whose flows in `year` come from China's exports (UN Comtrade), not BACI.

    For these codes the network holds only China's exports to the file's 39 partners: other
    exporters are not in the data, so partners cannot step in and an importer's
    consumption is its imports from China.
    """
    codes = list(codes)
    if not codes:
        return []
    store = _store()
    if SUPPLEMENT_TABLE not in store.tables:
        return []
    marks = ", ".join("?" * len(codes))
    have = store.query(
        f"SELECT DISTINCT hs6 FROM trade WHERE year = ? AND hs6 IN ({marks})", [int(year), *codes]
    )
    sup = store.query(
        f"SELECT DISTINCT hs6 FROM {SUPPLEMENT_TABLE} WHERE year = ? AND hs6 IN ({marks})",
        [int(year), *codes],
    )
    return sorted(set(sup["hs6"]) - set(have["hs6"]))


def _to_tonnes(values: pd.Series, unit: str) -> pd.Series | None:
    from critmin.units import MASS_UNITS, canonical_unit, convert

    u = canonical_unit(unit)
    if u == "thousand metric dry tons":
        return values * 1e3
    if u not in MASS_UNITS:
        return None
    return convert(values, u, "t")


def production_table(year: int, codes: Iterable[str] | None = None) -> pd.DataFrame:
    """Published production matched to each HS6 code's stage, for one year.

    For each code with a ``production_stage``, the first dataset of
    :data:`DATASET_PREFERENCE` with country rows for that commodity, stage and year is
    used; within it, the series with the most countries (world tables rather than the US
    salient series).  World and rest-of-world rows are dropped; values are converted to
    tonnes of the published basis.

    Parameters
    ----------
    year : int
        The year.
    codes : iterable of str, optional
        HS6 codes; default every code of the stage table.

    Returns
    -------
    pandas.DataFrame
        Columns ``hs6, commodity_id, stage, country_iso3, value_t, basis, dataset,
        series, unit_published, source_id`` [t of the published basis: content, REO,
        gross ore ...].  Not the traded good's basis: see the module docstring.
    """
    st = _stages_cached()
    codes = set(codes) if codes is not None else set(st["hs6"])
    want = st[st["hs6"].isin(codes) & (st["production_stage"] != "")]
    if want.empty:
        return pd.DataFrame(
            columns=[
                "hs6",
                "commodity_id",
                "stage",
                "country_iso3",
                "value_t",
                "basis",
                "dataset",
                "series",
                "unit_published",
                "source_id",
            ]
        )
    cids = sorted(set(want["commodity_id"]))
    marks = ", ".join("?" * len(cids))
    obs = _store().query(
        "SELECT dataset, commodity_id, series, stage, country_iso3, value, unit, basis, "
        f"source_id FROM observations WHERE measure = 'production' AND year = ? AND "
        f"commodity_id IN ({marks}) AND value IS NOT NULL AND country_iso3 IS NOT NULL "
        "AND country_iso3 NOT IN ('WLD', 'ROW')",
        [int(year), *cids],
    )
    obs = obs[obs["country_iso3"].str.fullmatch(r"[A-Z]{3}")]
    out = []
    for row in want.itertuples(index=False):
        cand = obs[
            (obs["commodity_id"] == row.commodity_id) & (obs["stage"] == row.production_stage)
        ]
        for ds in DATASET_PREFERENCE:
            sub = cand[cand["dataset"] == ds]
            if sub["country_iso3"].nunique() < 2:
                continue
            counts = sub.groupby("series")["country_iso3"].nunique()
            series = counts.sort_values(ascending=False, kind="stable").index[0]
            sub = sub[sub["series"] == series]
            if sub[["unit", "basis"]].drop_duplicates().shape[0] > 1:
                logger.info(
                    "production of %s (%s) in %s %s mixes units or bases; skipped",
                    row.hs6,
                    row.commodity_id,
                    ds,
                    series,
                )
                continue
            tonnes = _to_tonnes(sub["value"], str(sub["unit"].iloc[0]))
            if tonnes is None:
                logger.info(
                    "production of %s in %r is not a mass; skipped", row.hs6, sub["unit"].iloc[0]
                )
                continue
            out.append(
                pd.DataFrame(
                    {
                        "hs6": row.hs6,
                        "commodity_id": row.commodity_id,
                        "stage": row.production_stage,
                        "country_iso3": sub["country_iso3"].to_numpy(),
                        "value_t": tonnes.to_numpy(dtype=float),
                        "basis": sub["basis"].fillna("").to_numpy(),
                        "dataset": ds,
                        "series": series,
                        "unit_published": sub["unit"].to_numpy(),
                        "source_id": sub["source_id"].to_numpy(),
                    }
                )
            )
            break
    if not out:
        return production_table(year, codes=[])
    df = pd.concat(out, ignore_index=True)
    return (
        df.groupby(
            ["hs6", "commodity_id", "stage", "country_iso3", "basis", "dataset", "series"],
            as_index=False,
        )
        .agg(
            value_t=("value_t", "sum"),
            unit_published=("unit_published", "first"),
            source_id=("source_id", "first"),
        )[
            [
                "hs6",
                "commodity_id",
                "stage",
                "country_iso3",
                "value_t",
                "basis",
                "dataset",
                "series",
                "unit_published",
                "source_id",
            ]
        ]
        .reset_index(drop=True)
    )


def _link_key(key: object) -> tuple[str, str]:
    if isinstance(key, str):
        for sep in (">", "->", ","):
            if sep in key:
                a, b = key.split(sep, 1)
                return a.strip().lstrip("-").strip(), b.strip().lstrip(">").strip()
        msg = f"feed share key {key!r}; fix: write 'ORE>REFINED', e.g. '283691>282520'"
        raise MethodError(msg)
    a, b = key  # type: ignore[misc]
    return str(a).strip(), str(b).strip()


def links_table(
    feed_shares: Mapping[object, float] | pd.DataFrame | None = None,
    codes: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Ore -> refined links with the user's feed shares, for the network.

    Parameters
    ----------
    feed_shares : mapping or DataFrame, optional
        Feed share per link [fraction of the refined output that depends on the ore,
        0-1]: keys ``"283691>282520"`` or ``("283691", "282520")``, or a table with
        ``ore_commodity_id, refined_commodity_id, feed_share``.  Pairs not in
        :data:`STAGE_LINKS` are accepted (logged).  User-supplied: critmin has no source
        for any feed share, so without this argument no link is active.
    codes : iterable of str, optional
        Keep only links whose two codes are both here (e.g. the network's codes).

    Returns
    -------
    pandas.DataFrame
        Columns ``ore_commodity_id, refined_commodity_id, feed_share, note`` for the
        links with a feed share > 0.
    """
    cols = ["ore_commodity_id", "refined_commodity_id", "feed_share", "note"]
    if feed_shares is None:
        return pd.DataFrame(columns=cols)
    if isinstance(feed_shares, pd.DataFrame):
        need = ["ore_commodity_id", "refined_commodity_id", "feed_share"]
        missing = [c for c in need if c not in feed_shares.columns]
        if missing:
            msg = f"feed share table lacks columns {missing}; it needs {need}"
            raise MethodError(msg)
        items = {
            (str(o), str(r)): float(s) for o, r, s in feed_shares[need].itertuples(index=False)
        }
    else:
        items = {_link_key(k): float(v) for k, v in feed_shares.items()}
    notes = {(lk.ore, lk.refined): lk.note for lk in STAGE_LINKS}
    rows = []
    for (ore, ref), share in items.items():
        if not 0.0 <= share <= 1.0:
            msg = (
                f"feed share of {ore}>{ref} is {share!r}; fix: give the fraction of the "
                "refined output that depends on this ore, in [0, 1]"
            )
            raise MethodError(msg)
        if (ore, ref) not in notes:
            logger.info("link %s>%s is not one of STAGE_LINKS; used as given", ore, ref)
        if share > 0:
            rows.append((ore, ref, share, notes.get((ore, ref), "user link")))
    df = pd.DataFrame(rows, columns=cols)
    if codes is not None:
        keep = set(codes)
        dropped = df[~(df["ore_commodity_id"].isin(keep) & df["refined_commodity_id"].isin(keep))]
        if len(dropped):
            logger.warning(
                "links without trade of both codes in the base year dropped: %s",
                [f"{o}>{r}" for o, r in dropped[cols[:2]].itertuples(index=False)],
            )
        df = df.drop(dropped.index)
    return df.reset_index(drop=True)


# ----------------------------------------------------------------------------- network


def _net_export_production(exports: np.ndarray, imports: np.ndarray) -> np.ndarray:
    """Net exports ``max(0, X - M)`` [t], exact for the engine's consumption.

    Nudged down by at most a few ulp so that the engine's apparent consumption
    ``(P + M) - X`` of a net exporter is exactly 0, never a rounding residue (which would
    make its shortfall percentage explode).
    """
    p = np.maximum(exports - imports, 0.0)
    for _ in range(4):
        over = (p > 0) & ((p + imports) - exports > 0)
        if not over.any():
            break
        p[over] = np.nextafter(p[over], 0.0)
    return p


@functools.lru_cache(maxsize=8)
def _build_cached(
    dataset: str,
    year: int,
    codes: tuple[str, ...],
    production: str,
    factors: tuple[tuple[str, float], ...],
    links: tuple[tuple[str, str, float], ...],
) -> Network:
    st = _stages_cached().set_index("hs6")
    trade = trade_frame(year, codes)
    present = sorted(set(trade.loc[trade["quantity_t"].notna(), "commodity_id"]))
    absent = sorted(set(codes) - set(present))
    if absent:
        logger.info(
            "base year %d: no BACI quantities for %s; left out of the network", year, absent
        )
    if not present:
        msg = f"no BACI trade with quantities in {year} for {list(codes)}"
        raise NoData(msg)
    n_noq = int(trade["quantity_t"].isna().sum())
    if n_noq:
        logger.info(
            "base year %d: %d BACI rows without a quantity (value only) left out", year, n_noq
        )
    trade = trade[trade["commodity_id"].isin(present) & trade["quantity_t"].notna()]
    stages = {c: str(st.loc[c, "stage"]) for c in present}
    link_df = pd.DataFrame(
        list(links), columns=["ore_commodity_id", "refined_commodity_id", "feed_share"]
    )
    link_df = links_table(link_df, codes=present) if len(link_df) else None
    empty = pd.DataFrame(columns=["country_iso3", "commodity_id", "stage", "value"])
    base = Network.from_frames(
        trade[["year", "exporter_iso3", "importer_iso3", "commodity_id", "quantity_t"]],
        empty,
        link_df,
        year=year,
        stages=stages,
    )
    prod = _net_export_production(base.exports, base.imports)
    fac = dict(factors)
    if production == "content" and fac:
        pub = production_table(year, [c for c in present if c in fac])
        c_idx = base.country_index
        for code in [c for c in present if c in fac]:
            rows = pub[pub["hs6"] == code]
            if rows.empty:
                logger.warning(
                    "%s: no published production matches it in %d; net exports used", code, year
                )
                continue
            k = base.commodity_index[code]
            prod[k] = 0.0
            unknown = sorted(set(rows["country_iso3"]) - set(c_idx))
            if unknown:
                logger.info("%s: producers without BACI trade ignored: %s", code, unknown)
            for iso3, value in zip(rows["country_iso3"], rows["value_t"], strict=True):
                if iso3 in c_idx:
                    prod[k, c_idx[iso3]] += float(value) * fac[code]
    return Network(
        year=base.year,
        countries=base.countries,
        commodities=base.commodities,
        stages=base.stages,
        flows=base.flows,
        production=prod,
        links=base.links,
    )


def build_network(
    base_year: int | None = None,
    *,
    commodities: Iterable[str] | str | None = None,
    production: str = "net_exports",
    content_factors: Mapping[str, float] | None = None,
    feed_shares: Mapping[object, float] | pd.DataFrame | None = None,
) -> Network:
    """Build the base-year network from BACI trade and production.

    Parameters
    ----------
    base_year : int, optional
        Year of the trade data; default the latest BACI year (:func:`latest_year`).
    commodities : str or iterable of str, optional
        Commodity names, catalog ids or HS6 codes (see :func:`codes_for`); default every
        code of the stage table.  The network's commodity ids are the HS6 codes; codes
        without BACI quantities in the base year are left out (logged).
    production : {'net_exports', 'content'}
        How production enters (module docstring).  Default ``'net_exports'``: every
        quantity in tonnes of the traded good, no conversion factor.
    content_factors : mapping of str to float, optional
        With ``production='content'``: tonnes of the traded good per tonne of published
        production, per HS6 code.  User-supplied (no source in the data); codes without
        one use net exports.
    feed_shares : mapping or DataFrame, optional
        Feed shares of ore -> refined links (:func:`links_table`); user-supplied.

    Returns
    -------
    Network
        Commodities are HS6 codes, stages ``ore``/``refined``, flows and production in
        tonnes [t].  Built networks are cached (they are immutable).

    Raises
    ------
    MethodError
        Unknown production mode, a bad factor or feed share.
    NoData
        No BACI quantities for the codes in that year (the message lists the years).
    """
    if production not in PRODUCTION_MODES:
        msg = f"production={production!r}; fix: use one of {list(PRODUCTION_MODES)}"
        raise MethodError(msg)
    years = trade_years()
    year = int(base_year) if base_year is not None else years[-1]
    if year not in years:
        msg = f"no BACI trade for base year {year}; years with data: {years[0]}-{years[-1]}"
        raise NoData(msg)
    codes = tuple(codes_for(commodities))
    factors: dict[str, float] = {}
    for key, val in (content_factors or {}).items():
        f = float(val)
        if not np.isfinite(f) or f <= 0:
            msg = (
                f"content factor of {key!r} is {val!r}; fix: give tonnes of the traded good "
                "per tonne of published production, > 0"
            )
            raise MethodError(msg)
        for code in codes_for([key]):
            factors[code] = f
    if content_factors and production != "content":
        logger.warning("content_factors given with production=%r: ignored", production)
    links = links_table(feed_shares)
    from critmin.store import active_dataset_dir

    return _build_cached(
        str(active_dataset_dir()),
        year,
        codes,
        production,
        tuple(sorted(factors.items())),
        tuple(
            (o, r, float(s))
            for o, r, s in links[
                ["ore_commodity_id", "refined_commodity_id", "feed_share"]
            ].itertuples(index=False)
        ),
    )


def network_summary(network: Network) -> pd.DataFrame:
    """One row per commodity of a network: what it holds.

    Returns
    -------
    pandas.DataFrame
        Columns ``hs6, commodity_id, stage, description, n_flows, trade_t, producers,
        production_t, n_clipped`` [t].
    """
    st = _stages_cached().set_index("hs6")
    rows = []
    for k, code in enumerate(network.commodities):
        rows.append(
            {
                "hs6": code,
                "commodity_id": st["commodity_id"].get(code, ""),
                "stage": network.stages[k],
                "description": st["description"].get(code, ""),
                "n_flows": int(np.count_nonzero(network.flows[k])),
                "trade_t": float(network.flows[k].sum()),
                "producers": int(np.count_nonzero(network.production[k])),
                "production_t": float(network.production[k].sum()),
                "n_clipped": int(np.count_nonzero(network.consumption_unclipped[k] < 0)),
            }
        )
    return pd.DataFrame(rows)
