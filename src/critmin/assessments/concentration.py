"""Supply concentration for every commodity × stage × year, bloc shares, the world without X.

Inputs are the world production and reserves tables of the dataset:

* **USGS** (Mineral Commodity Summaries 2025 and 2026 data releases): per year the newest
  edition that covers it.  Shares are of the **stated world total** (``WLD`` row).  The
  "Other countries" row (``ROW``) is not a producer: its share is reported as
  ``other_share`` and it is left out of the HHI and the top-n.  A withheld figure (``W``) is
  not known: the country is counted in ``n_withheld`` and adds nothing (USGS's world totals
  leave withheld U.S. figures out as well, e.g. lithium).  What the named countries and
  "Other countries" do not account for (withheld figures, rounding of the total) is
  ``unreported_share``; so ``Σ named shares + other_share + unreported_share = 1``.
* **World Mining Data** (``wmd``, 2018–2024): shares are of the **sum of the countries**
  (WMD lists every producer; its "Total" row is kept as ``world_total``).
* **IEA** Critical Minerals Data Explorer (``iea``, May 2024 edition): mining and refining by
  country, base year 2023 and base-case projections for 2030, 2035 and 2040.  Shares are of
  the stated ``Total`` (``WLD``); "Rest of world" (``ROW``) is many producers, not one: like
  USGS "Other countries" it is ``other_share`` and stays out of the HHI and the top-n, so
  ``hhi_points`` is a lower bound and ``hhi_points_upper`` (the rest counted as one producer)
  an upper bound (:func:`critmin.metrics.concentration.hhi_bounds`).  Without a ``year`` only
  the historical years are used (:func:`iea_years`); a projection year must be asked for and
  its rows have ``projection=True``.  The IEA publishes some minerals only as a group: a
  commodity without IEA rows is read through its member groups that have them
  (:func:`iea_commodities`; rare earths -> "Magnet rare earth elements"), and the rows keep
  the group's ``commodity_id``.

A source may publish several tables for one commodity, stage and year (e.g. gross weight and
content, or a U.S.-only salient line).  A *world table* is one with a stated world total or
at least three producing countries; of those, the **main series** is the one with the
largest world total (stated, else the country sum), and only it is kept (``series`` names
it).  The formulas are :mod:`critmin.metrics.concentration` and :mod:`critmin.metrics.blocs`;
see ``docs/methods/concentration.md`` and ``docs/methods/blocs.md``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Literal

import numpy as np
import pandas as pd

from critmin import catalog
from critmin.errors import MethodError, NoData
from critmin.metrics.blocs import (
    bloc_share,
    bloc_withheld,
    concentration_of_total,
    shares_of_total,
)
from critmin.metrics.concentration import hhi_bounds

__all__ = [
    "MIN_COUNTRIES",
    "bloc_supply",
    "concentration",
    "iea_commodities",
    "iea_years",
    "without",
]

logger = logging.getLogger(__name__)

#: A series without a stated world total counts as a world table when it names at least
#: this many producing countries (the same rule as ``critmin show``).
MIN_COUNTRIES = 3

_WORLD, _OTHERS = "WLD", "ROW"
_KEY = ["commodity_id", "stage", "measure", "year"]
_BASE_KEY = ["dataset", *_KEY, "series", "unit", "basis"]
_SERIES_KEY = [*_BASE_KEY, "block"]
#: Measures of the U.S. salient-statistics section (see :mod:`critmin.assessments.reliance`).
_SALIENT_MEASURES = ("imports", "exports", "consumption", "net_import_reliance", "stocks", "price")
_SOURCES = {"usgs": "usgs_mcs", "wmd": "wmd", "iea": "iea"}
#: Sources whose shares are of a stated world total with an "other countries" row.
_STATED = ("usgs", "iea")
_PROJECTION = "projection"
_ORDER = {"usgs": 0, "wmd": 1, "iea": 2}

Source = Literal["usgs", "wmd", "iea", "both"]
Measure = Literal["production", "reserves"]


def _as_list(x: str | Iterable[str] | None) -> list[str] | None:
    if x is None:
        return None
    return [x] if isinstance(x, str) else list(x)


def _years(year: int | Iterable[int] | None) -> list[int] | None:
    if year is None:
        return None
    return [int(year)] if np.isscalar(year) else [int(y) for y in year]  # type: ignore[arg-type]


def iea_commodities(commodity: str) -> list[str]:
    """The commodity ids under which the IEA publishes a commodity (:func:`critmin.api.iea_commodities`)."""
    from critmin.api import iea_commodities as ids

    return ids(commodity)


def iea_years(
    commodity: str | Iterable[str] | None = None, stage: str | Iterable[str] | None = None
) -> dict[str, list[int]]:
    """Historical and projection years of the IEA production rows.

    Parameters
    ----------
    commodity, stage : str or list of str, optional
        Filters (commodity names are read through :func:`iea_commodities`).

    Returns
    -------
    dict
        ``{"historical": [...], "projection": [...]}`` [year]; a year is a projection when
        the IEA rows carry the ``projection`` flag (every year after the base year).
    """
    names = _as_list(commodity)
    cids = None if names is None else [c for n in names for c in iea_commodities(n)]
    rows = _fetch("iea", "production", cids, _as_list(stage), None, projections=True)
    proj = rows["flag"].fillna("").str.contains(_PROJECTION)
    return {
        "historical": sorted(int(y) for y in rows.loc[~proj, "year"].unique()),
        "projection": sorted(int(y) for y in rows.loc[proj, "year"].unique()),
    }


def _fetch(
    source: str,
    measure: str,
    commodity: list[str] | None,
    stage: list[str] | None,
    year: list[int] | None,
    projections: bool = False,
) -> pd.DataFrame:
    """Observation rows of one source's world tables (countries, WLD and ROW).

    IEA: commodities are read through :func:`iea_commodities`; without `year` (and unless
    `projections`) projection rows are left out, so defaults are historical.
    """
    from critmin.store import get_store

    where = ["o.measure = ?", "starts_with(o.dataset, ?)"]
    params: list[object] = [measure, _SOURCES[source]]
    if source == "iea":
        if commodity is not None:
            commodity = sorted({c for n in commodity for c in iea_commodities(n)}) or commodity
        if year is None and not projections:
            where.append(f"coalesce(o.flag, '') NOT LIKE '%{_PROJECTION}%'")
    for col, vals in (("commodity_id", commodity), ("stage", stage), ("year", year)):
        if vals is not None:
            where.append(f"o.{col} IN ({', '.join('?' * len(vals))})")
            params += vals
    cols = ", ".join(f"o.{c}" for c in [*_BASE_KEY, "country_iso3", "value", "flag", "source_row"])
    # U.S. salient-statistics rows reuse labels such as "Production" in the same file as the
    # world table; the salient section ends with its last trade/consumption/NIR row
    salient = ", ".join(f"'{m}'" for m in _SALIENT_MEASURES)
    return get_store().query(
        f"""
        WITH sal AS (
            SELECT dataset, commodity_id, source_id, max(source_row) AS last_row
            FROM observations WHERE country_iso3 = 'USA' AND measure IN ({salient})
            GROUP BY ALL)
        SELECT {cols} FROM observations o
        LEFT JOIN sal USING (dataset, commodity_id, source_id)
        WHERE {" AND ".join(where)}
          AND NOT (o.country_iso3 = 'USA' AND o.source_row <= coalesce(sal.last_row, -1))
        """,
        params,
    )


def _main_series(df: pd.DataFrame, source: str) -> pd.DataFrame:
    """Keep world tables only, the newest USGS edition per year and the main series."""
    if df.empty:
        return df
    df = df.assign(
        basis=df["basis"].fillna(""),
        country_iso3=df["country_iso3"].fillna(""),
        flag=df["flag"].fillna(""),
    ).sort_values("source_row", kind="stable")
    # a few USGS series hold several sub-tables, each closed by its own world-total row
    # (iron ore reserves: crude ore, then iron content): a sub-table is the rows up to and
    # including one world-total row
    is_world = (df["country_iso3"] == _WORLD).astype(int)
    if source == "usgs":
        df["block"] = is_world.groupby([df[c] for c in _BASE_KEY], dropna=False).cumsum() - is_world
    else:
        df["block"] = 0
    codes = df["country_iso3"].unique()
    agg_codes = {c for c in codes if (not c) or catalog.is_aggregate(c)}
    df = df.assign(_country=~df["country_iso3"].isin(agg_codes))
    info = pd.DataFrame(index=df.groupby(_SERIES_KEY, dropna=False, sort=False).size().index)
    world = df[df["country_iso3"] == _WORLD].groupby(_SERIES_KEY, dropna=False)["value"].max()
    ctry = df[df["_country"]]
    nprod = ctry[ctry["value"] > 0].groupby(_SERIES_KEY, dropna=False)["country_iso3"].nunique()
    csum = ctry.groupby(_SERIES_KEY, dropna=False)["value"].sum(min_count=1)
    info["stated"] = world.reindex(info.index)
    info["n"] = nprod.reindex(info.index).fillna(0)
    info["csum"] = csum.reindex(info.index)
    info = info[
        (info["stated"].notna() & (info["n"] >= 1)) | (info["n"] >= MIN_COUNTRIES)
    ].reset_index()
    if info.empty:
        return df.iloc[0:0]
    if source == "usgs":
        newest = info.groupby(_KEY)["dataset"].transform("max")
        info = info[info["dataset"] == newest]
    info["_size"] = info["stated"].fillna(info["csum"]).fillna(0.0)
    info["_has_world"] = info["stated"].notna()
    info = info.sort_values(
        [*_KEY, "_has_world", "_size", "series"], ascending=[True] * 4 + [False, False, True]
    ).drop_duplicates(_KEY)
    keep = info[_SERIES_KEY]
    return df.merge(keep, on=_SERIES_KEY, how="inner")


def _concentration_one(
    source: str,
    measure: str,
    commodity: list[str] | None,
    stage: list[str] | None,
    year: list[int] | None,
    exclude: Iterable[str] = (),
) -> pd.DataFrame:
    rows = _main_series(_fetch(source, measure, commodity, stage, year), source)
    if rows.empty:
        return pd.DataFrame()
    excl = set(exclude)
    key = _SERIES_KEY
    world = rows[rows["country_iso3"] == _WORLD].groupby(key, dropna=False)["value"].max()
    others = (
        rows[rows["country_iso3"] == _OTHERS].groupby(key, dropna=False)["value"].sum(min_count=1)
    )
    ctry = rows[rows["_country"]].copy()
    ctry["value"] = ctry["value"].astype(float)
    # one row per producer and group (a country printed twice in a table is summed)
    ctry = ctry.groupby([*key, "country_iso3"], dropna=False, as_index=False).agg(
        value=("value", lambda v: v.sum(min_count=1)),
        flag=("flag", lambda f: ";".join(sorted({x for x in f if x}))),
    )
    totals = world if source in _STATED else None
    t = concentration_of_total(ctry, totals, by=key, exclude=excl)
    t = t.reset_index()
    t["world_total"] = world.reindex(pd.MultiIndex.from_frame(t[key])).to_numpy()
    csum = ctry.groupby(key, dropna=False)["value"].sum(min_count=1)
    t["countries_sum"] = csum.reindex(pd.MultiIndex.from_frame(t[key])).to_numpy()
    t["world_total_stated"] = t["world_total"].notna()
    t["world_total"] = t["world_total"].fillna(t["countries_sum"])
    oth = others.reindex(pd.MultiIndex.from_frame(t[key])).to_numpy()
    den = t["denominator"].where(t["denominator"] > 0)
    if source in _STATED:
        t["other_share"] = oth / den
        t["unreported_share"] = 1.0 - t["coverage"] - t["other_share"].fillna(0.0)
    else:
        t["other_share"] = np.nan
        t["unreported_share"] = np.nan
    t["hhi_points_upper"] = 10_000.0 * hhi_bounds(t["hhi_fraction"], 1.0 - t["coverage"])[1]
    proj = rows["flag"].str.contains(_PROJECTION).groupby([rows[k] for k in key]).any()
    t["projection"] = proj.reindex(pd.MultiIndex.from_frame(t[key])).fillna(False).to_numpy()
    withheld = ctry[ctry["flag"].str.contains("withheld") & ctry["value"].isna()]
    nw = withheld.groupby(key, dropna=False).size()
    t["n_withheld"] = nw.reindex(pd.MultiIndex.from_frame(t[key])).fillna(0).astype(int).to_numpy()
    t["source"] = source
    t = t.rename(
        columns={
            "top1_entity": "top1_country",
            "top1": "top1_share",
            "top3": "top3_share",
        }
    )
    return t


_COLUMNS = [
    "commodity_id",
    "stage",
    "measure",
    "year",
    "source",
    "dataset",
    "series",
    "unit",
    "basis",
    "world_total",
    "world_total_stated",
    "countries_sum",
    "share_basis",
    "n_producers",
    "n_withheld",
    "top1_country",
    "top1_share",
    "top3_share",
    "hhi_fraction",
    "hhi_points",
    "coverage",
    "other_share",
    "unreported_share",
    "hhi_points_upper",
    "projection",
]


def _nodata(
    source: str,
    measure: str,
    commodity: list[str] | None,
    stage: list[str] | None,
    year: list[int] | None,
) -> NoData:
    """A NoData error naming the stages and years that do exist."""
    srcs = ["usgs", "wmd"] if source == "both" else [source]
    have = pd.concat(
        [_main_series(_fetch(s, measure, commodity, None, None), s) for s in srcs],
        ignore_index=True,
    )
    what = f"{measure} of {', '.join(commodity) if commodity else 'any commodity'}"
    if stage:
        what += f" at stage {', '.join(stage)}"
    if year:
        what += f" in {', '.join(map(str, year))}"
    msg = f"no {what} in source {source!r}"
    if have.empty:
        return NoData(msg + f"; that source has no {measure} table for it")
    stages = sorted(have["stage"].unique())
    if stage and not set(stage) & set(stages):
        alt = ""
        if (
            source != "iea"
            and commodity
            and not _fetch("iea", measure, commodity, stage, None).empty
        ):
            alt = "; the IEA publishes it: use source 'iea' (--source iea)"
        return NoData(msg + f"; stages with data: {stages}{alt}")
    sel = have[have["stage"].isin(stage)] if stage else have
    years = sorted(int(y) for y in sel["year"].unique())
    later = ""
    if source == "iea":
        proj = iea_years(commodity, stage)["projection"]
        later = f"; projection years (ask for one): {proj}" if proj else ""
    return NoData(
        msg + f"; years with data: {years}" + later + (f"; stages: {stages}" if stage else "")
    )


def concentration(
    commodity: str | Iterable[str] | None = None,
    stage: str | Iterable[str] | None = None,
    year: int | Iterable[int] | None = None,
    source: Source = "usgs",
    measure: Measure = "production",
    exclude: Iterable[str] = (),
) -> pd.DataFrame:
    """Supply concentration for every commodity × stage × year (one main series each).

    Parameters
    ----------
    commodity : str or list of str, optional
        Commodity names, aliases or elements; default all.
    stage : str or list of str, optional
        ``"mine"``, ``"refinery"``, ``"smelter"``, ...; default all.
    year : int or list of int, optional
        Default all years.
    source : {"usgs", "wmd", "iea", "both"}, default "usgs"
        ``"both"`` keeps the commodity × stage × year present in both sources and puts their
        rows next to each other (USGS first).  ``"iea"``: the IEA Critical Minerals Data
        Explorer (module docstring); without `year` its historical years only.
    measure : {"production", "reserves"}, default "production"
        Reserves are USGS only (stage ``mine``).
    exclude : iterable of str, default ()
        Countries (ISO3) to remove: the concentration of the world without them (see
        :func:`without`).

    Returns
    -------
    pandas.DataFrame
        One row per commodity × stage × measure × year × source, columns ``commodity_id``,
        ``stage``, ``measure``, ``year``, ``source``, ``dataset``, ``series``, ``unit``,
        ``basis``, ``world_total`` [unit] (stated where published, else the country sum),
        ``world_total_stated`` (bool), ``countries_sum``, ``share_basis``, ``n_producers``,
        ``n_withheld``, ``top1_country``, ``top1_share``, ``top3_share`` [-],
        ``hhi_fraction`` [-], ``hhi_points`` [%²], ``coverage`` [-] (named countries' combined
        share), ``other_share`` (USGS "Other countries", IEA "Rest of world") and
        ``unreported_share`` [-], ``hhi_points_upper`` [%²] (the HHI if everything not named
        were one producer: ``hhi_points`` is the lower bound) and ``projection`` (bool: the
        row is a projection, IEA only).

    Raises
    ------
    UnknownCommodity
        If a commodity name does not resolve.
    MethodError
        If `source` or `measure` is not one of the values above.
    NoData
        If nothing matches (the message lists the stages and years that exist).

    Examples
    --------
    >>> df = concentration("lithium", stage="mine", source="both")  # doctest: +SKIP
    >>> df[["year", "source", "top1_country", "top1_share", "hhi_points"]]  # doctest: +SKIP
    """
    if source not in ("usgs", "wmd", "iea", "both"):
        raise MethodError(
            f"source must be 'usgs', 'wmd', 'iea' or 'both', got {source!r}; "
            "'iea' is the IEA Critical Minerals Data Explorer (mining and refining)"
        )
    if measure not in ("production", "reserves"):
        raise MethodError(f"measure must be 'production' or 'reserves', got {measure!r}")
    names = _as_list(commodity)
    cids = None if names is None else [catalog.resolve_commodity(n) for n in names]
    stages = _as_list(stage)
    years = _years(year)
    excl = [catalog.resolve_country(c) for c in _as_list(exclude) or []]
    srcs = ["usgs", "wmd"] if source == "both" else [source]
    parts = [_concentration_one(s, measure, cids, stages, years, excl) for s in srcs]
    parts = [p for p in parts if not p.empty]
    if not parts:
        raise _nodata(source, measure, cids, stages, years)
    df = pd.concat(parts, ignore_index=True)
    if source == "both":
        n_src = df.groupby(_KEY)["source"].transform("nunique")
        df = df[n_src == 2]
        if df.empty:
            raise NoData(
                f"USGS and World Mining Data have no {measure} of "
                f"{', '.join(cids) if cids else 'any commodity'} for the same stage and year"
                + ("; World Mining Data has no reserves" if measure == "reserves" else "")
            )
    df["_src"] = df["source"].map(_ORDER)
    df = df.sort_values([*_KEY, "_src"]).reset_index(drop=True)
    return df[_COLUMNS]


def without(
    commodity: str | Iterable[str],
    exclude: Iterable[str] = ("CHN",),
    stage: str | Iterable[str] | None = "mine",
    year: int | Iterable[int] | None = None,
    source: Source = "usgs",
    measure: Measure = "production",
) -> pd.DataFrame:
    """Concentration of the world without some producers, next to the full world.

    Parameters
    ----------
    commodity : str or list of str
        Commodity names, aliases or elements.
    exclude : iterable of str, default ("CHN",)
        Countries (names or codes) removed.
    stage, year, source, measure
        As :func:`concentration`.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`concentration` plus ``scope`` (``"world"`` or
        ``"world without CHN, ..."``), ``excluded`` (``;``-joined ISO3) and
        ``excluded_share`` [-] (their share of the full world total); two rows per
        commodity × stage × year × source.  Without the excluded countries the shares are of
        the stated world total less their production, so the rest renormalises to 1.

    Raises
    ------
    MethodError
        If `exclude` is empty or a single string is not a country.
    NoData, UnknownCommodity, UnknownCountry
        As :func:`concentration`.
    """
    names = _as_list(exclude) or []
    if not names:
        raise MethodError("exclude is empty; name the countries to remove, e.g. ['CHN']")
    excl = sorted({catalog.resolve_country(c) for c in names})
    full = concentration(commodity, stage, year, source, measure)
    rest = concentration(commodity, stage, year, source, measure, exclude=excl)
    key = [*_KEY, "source"]
    sh = _shares(commodity, stage, year, source, measure)
    ex = sh[sh["country_iso3"].isin(excl)].groupby(key)["share"].sum()
    label = "world without " + ", ".join(excl)
    full = full.assign(scope="world", excluded="", excluded_share=np.nan)
    rest = rest.assign(scope=label, excluded=";".join(excl))
    rest["excluded_share"] = ex.reindex(pd.MultiIndex.from_frame(rest[key])).fillna(0.0).to_numpy()
    out = pd.concat([full, rest], ignore_index=True)
    out["_scope"] = (out["scope"] != "world").astype(int)
    out["_src"] = out["source"].map(_ORDER)
    out = out.sort_values([*_KEY, "_src", "_scope"]).reset_index(drop=True)
    return out[[*_COLUMNS[:5], "scope", "excluded", "excluded_share", *_COLUMNS[5:]]]


def _shares(
    commodity: str | Iterable[str] | None,
    stage: str | Iterable[str] | None,
    year: int | Iterable[int] | None,
    source: Source,
    measure: Measure,
) -> pd.DataFrame:
    """Per-country shares of the main series (denominators as in :func:`concentration`)."""
    names = _as_list(commodity)
    cids = None if names is None else [catalog.resolve_commodity(n) for n in names]
    stages, years = _as_list(stage), _years(year)
    srcs = ["usgs", "wmd"] if source == "both" else [source]
    out = []
    for s in srcs:
        rows = _main_series(_fetch(s, measure, cids, stages, years), s)
        if rows.empty:
            continue
        world = (
            rows[rows["country_iso3"] == _WORLD].groupby(_SERIES_KEY, dropna=False)["value"].max()
        )
        ctry = rows[rows["_country"]]
        # withheld ("W", no figure): kept apart from a true zero so a bloc share can say so
        ctry = (
            ctry.assign(_w=ctry["flag"].fillna("").str.contains("withheld"))
            .groupby([*_SERIES_KEY, "country_iso3"], dropna=False, as_index=False)
            .agg(value=("value", "sum"), _n=("value", "count"), withheld=("_w", "any"))
        )
        ctry["value"] = ctry["value"].where(ctry["_n"] > 0)
        ctry["withheld"] = ctry["withheld"] & ctry["value"].isna()
        ctry = ctry.drop(columns="_n")
        sh = shares_of_total(ctry, world if s in _STATED else None, by=_SERIES_KEY)
        out.append(sh.assign(source=s))
    if not out:
        raise _nodata(source, measure, cids, stages, years)
    return pd.concat(out, ignore_index=True)


def bloc_supply(
    commodity: str | Iterable[str],
    group_or_countries: str | Iterable[str],
    stage: str | Iterable[str] | None = "mine",
    year: int | Iterable[int] | None = None,
    source: Source = "usgs",
    measure: Measure = "production",
) -> pd.DataFrame:
    """Share of world supply coming from a group of countries.

    Parameters
    ----------
    commodity : str or list of str
        Commodity names, aliases or elements.
    group_or_countries : str or list of str
        A group id of the ``groups`` table (``"MSP"``, ``"QUAD"``, ``"US_FTA"``, ``"TRUST"``
        = India + United States, ``"FEOC_COUNTRIES"``), or a list of countries (names or
        codes).
    stage, year, source, measure
        As :func:`concentration`.

    Returns
    -------
    pandas.DataFrame
        One row per commodity × stage × year × source: ``commodity_id``, ``stage``,
        ``measure``, ``year``, ``source``, ``dataset``, ``series``, ``unit``, ``basis``, ``group``,
        ``n_members``, ``members_producing`` (``;``-joined ISO3 of members with output > 0),
        ``bloc_total`` [unit], ``world_total`` [unit] (the denominator), ``bloc_share`` [-],
        ``top_member``, ``top_member_share`` [-], ``members_withheld`` (``;``-joined ISO3 of
        members whose figure the source withholds, "W") and ``share_is_lower_bound`` (bool:
        a member is withheld, so ``bloc_share`` and ``bloc_total`` count only the others and
        the true share is at least that; :func:`critmin.metrics.blocs.bloc_withheld`).

    Raises
    ------
    UnknownGroup
        If a group id does not resolve (the message suggests the nearest ones).
    UnknownCountry, UnknownCommodity, NoData
        As :func:`concentration`.

    Notes
    -----
    The MSP lists the European Union as a member; the groups table names no EU member
    states, so only the countries named individually count (a lower bound of the MSP share).
    """
    from critmin import api

    if isinstance(group_or_countries, str):
        members = api.group_members(group_or_countries)
        gname = api.groups(group_or_countries)["group_id"].iloc[0]
    else:
        members = sorted({catalog.resolve_country(c) for c in group_or_countries})
        gname = "+".join(members)
    if not members:
        raise MethodError(f"group {group_or_countries!r} has no member countries")
    sh = _shares(commodity, stage, year, source, measure)
    if source == "both":  # as concentration(): only what both sources cover
        sh = sh[sh.groupby(_KEY)["source"].transform("nunique") == 2]
        if sh.empty:
            raise NoData(
                f"USGS and World Mining Data have no {measure} for the same stage and year"
            )
    key = [*_SERIES_KEY, "source"]
    share = bloc_share(sh, members, by=key)
    withheld = bloc_withheld(sh, members, by=key)
    mem = sh[sh["country_iso3"].isin(members)]
    tot = mem.groupby(key, dropna=False)["value"].sum(min_count=1)
    den = sh.groupby(key, dropna=False)["denominator"].first()
    producing = (
        mem[mem["value"] > 0]
        .sort_values("share", ascending=False)
        .groupby(key, dropna=False)["country_iso3"]
        .agg(";".join)
    )
    top = (
        mem[mem["value"] > 0]
        .sort_values(["share", "country_iso3"], ascending=[False, True])
        .drop_duplicates(key)
        .set_index(key)
    )
    out = pd.DataFrame({"bloc_share": share})
    out["bloc_total"] = tot.reindex(out.index).fillna(0.0)
    out["world_total"] = den.reindex(out.index)
    out["members_producing"] = producing.reindex(out.index).fillna("")
    out["top_member"] = top["country_iso3"].reindex(out.index)
    out["top_member_share"] = top["share"].reindex(out.index)
    out["members_withheld"] = withheld.reindex(out.index).fillna("")
    out["share_is_lower_bound"] = out["members_withheld"] != ""
    out = out.reset_index()
    out["group"] = gname
    out["n_members"] = len(members)
    out["_src"] = out["source"].map(_ORDER)
    out = out.sort_values([*_KEY, "_src"]).reset_index(drop=True)
    cols = [
        "commodity_id",
        "stage",
        "measure",
        "year",
        "source",
        "dataset",
        "series",
        "unit",
        "basis",
        "group",
        "n_members",
        "members_producing",
        "bloc_total",
        "world_total",
        "bloc_share",
        "top_member",
        "top_member_share",
        "members_withheld",
        "share_is_lower_bound",
    ]
    return out[cols]
