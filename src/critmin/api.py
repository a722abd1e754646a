"""The Python API: tidy pandas DataFrames for every part of the dataset.

Friendly names work everywhere: commodities by name, alias or element (``"lithium"``,
``"rare earths"``, ``"REE"``, ``"Nd"``), countries by ISO3, ISO2 or name (``"IND"``,
``"India"``).  An unknown name raises an error listing the nearest known names.

Every returned figure keeps its ``unit``, ``basis`` and ``source_id``/``source_row``.

Examples
--------
>>> import critmin
>>> df = critmin.production("lithium", stage="mine", year=2024)
>>> df[["country_iso3", "value", "unit", "share"]].head(3)  # doctest: +SKIP
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

from critmin import catalog
from critmin.errors import CritminError, StoreError, UnknownGroup
from critmin.ingest.headline import headline_mask
from critmin.ingest.reconcile import WORLD
from critmin.store import get_store

__all__ = [
    "capacity",
    "check",
    "commodities",
    "countries",
    "export_controls",
    "governance",
    "group_members",
    "groups",
    "headline_stage",
    "import_sources",
    "observations",
    "production",
    "reserves",
    "salient",
    "sources",
    "trade",
]

_SOURCE_PREFIX = {"usgs": "usgs_mcs", "wmd": "wmd", "iea": "iea", "user": "user:"}


def _commodity_ids(commodity: str | Iterable[str] | None) -> list[str] | None:
    if commodity is None:
        return None
    names = [commodity] if isinstance(commodity, str) else list(commodity)
    return [catalog.resolve_commodity(n) for n in names]


def iea_commodities(commodity: str) -> list[str]:
    """The commodity ids under which the IEA publishes a commodity.

    The commodity itself if the IEA rows have it, else its member groups and elements that
    have IEA rows (``rare_earths`` -> ``["magnet_rare_earths"]``: the IEA Critical Minerals
    Data Explorer publishes magnet rare earth elements only), else ``[]``.

    Parameters
    ----------
    commodity : str
        Any name :func:`critmin.catalog.resolve_commodity` accepts.

    Returns
    -------
    list of str
        Commodity ids with rows in the IEA dataset.
    """
    from critmin.catalog.commodities import _descendants

    cid = catalog.resolve_commodity(commodity)
    have = set(
        get_store()
        .query("SELECT DISTINCT commodity_id FROM observations WHERE starts_with(dataset, 'iea')")[
            "commodity_id"
        ]
        .dropna()
    )
    if cid in have:
        return [cid]
    return [d for d in _descendants(cid) if d in have]


def _country_ids(country: str | Iterable[str] | None) -> list[str] | None:
    if country is None:
        return None
    names = [country] if isinstance(country, str) else list(country)
    return [catalog.resolve_country(n) for n in names]


def _years(year: int | Iterable[int] | None) -> list[int] | None:
    if year is None:
        return None
    return [int(year)] if isinstance(year, (int, np.integer)) else [int(y) for y in year]


def observations(
    commodity: str | Iterable[str] | None = None,
    measure: str | Iterable[str] | None = None,
    stage: str | Iterable[str] | None = None,
    country: str | Iterable[str] | None = None,
    year: int | Iterable[int] | None = None,
    source: str | None = None,
) -> pd.DataFrame:
    """Return observation rows, filtered.

    Parameters
    ----------
    commodity, country : str or list of str, optional
        Friendly names (resolved through the catalog).
    measure, stage : str or list of str, optional
        E.g. ``measure="production", stage="mine"``.
    year : int or list of int, optional
    source : str, optional
        ``"usgs"``, ``"wmd"``, ``"iea"``, ``"user"``, or an exact dataset id
        (``"usgs_mcs2025"``, ``"user:mydata"``).
    """
    store = get_store()
    where = {
        "commodity_id": _commodity_ids(commodity),
        "measure": [measure] if isinstance(measure, str) else measure,
        "stage": [stage] if isinstance(stage, str) else stage,
        "year": _years(year),
    }
    cty = _country_ids(country)
    if cty is not None:
        where["country_iso3"] = cty
    df = store.select(
        "observations", where, order="dataset, commodity_id, series, year, source_row"
    )
    if source is not None:
        prefix = _SOURCE_PREFIX.get(source, source)
        df = (
            df[df["dataset"].str.startswith(prefix)]
            if prefix in _SOURCE_PREFIX.values()
            else df[df["dataset"] == source]
        )
    return df.reset_index(drop=True)


def _world_tables(df: pd.DataFrame) -> pd.DataFrame:
    """Drop USGS rows in which only the United States appears (the salient statistics).

    Those are U.S. figures (see :func:`salient`), not world tables: shares of them are
    meaningless.  A world table always has other countries or a stated world total, in
    each of its years (MCS 2026 labels the U.S. salient bromine production 2021-2025 exactly
    like the world table of 2024-2025, so the test is per year).
    """
    if df.empty:
        return df
    usgs = df["dataset"].str.startswith("usgs_mcs")
    key = ["dataset", "commodity_id", "series", "stage", "measure", "year"]
    not_us = df["country_iso3"].fillna("") != "USA"
    world = not_us.groupby([df[k] for k in key], dropna=False).transform("any")
    df = df[~usgs | world]
    # A few MCS chapters label the U.S. salient row exactly like the U.S. line of the world
    # table (e.g. "Mine production: Palladium"); keep one.  Within a chapter the world
    # table follows the salient statistics, so the later line is the world table's.
    same = [*key, "country_iso3", "unit", "basis"]
    u = df[df["dataset"].str.startswith("usgs_mcs")]
    u = u.sort_values("source_row").drop_duplicates(same, keep="last")
    df = pd.concat([u, df[~df["dataset"].str.startswith("usgs_mcs")]])
    return df.sort_index().reset_index(drop=True)


def _newest_edition(df: pd.DataFrame) -> pd.DataFrame:
    """Per commodity, stage, measure and year keep the newest USGS edition.

    An edition revises the years it shares with the one before (MCS 2026 restates 2024,
    which MCS 2025 published as an estimate), so for a year both cover the newest edition
    is the answer; other sources are untouched.
    """
    if df.empty:
        return df
    usgs = df["dataset"].str.startswith("usgs_mcs")
    u = df[usgs]
    newest = u.groupby(["commodity_id", "stage", "measure", "year"])["dataset"].transform("max")
    return pd.concat([u[u["dataset"] == newest], df[~usgs]], ignore_index=True)


def _headline(df: pd.DataFrame) -> pd.DataFrame:
    """Keep the headline series of the USGS rows (:mod:`critmin.ingest.headline`)."""
    if df.empty:
        return df
    usgs = df["dataset"].str.startswith("usgs_mcs")
    u = df[usgs]
    return pd.concat([u[headline_mask(u).to_numpy()], df[~usgs]]).sort_index()


def _edition_dataset(edition: int | str, source: str) -> str:
    """``2025``, ``'2025'``, ``'MCS2025'`` or ``'usgs_mcs2025'`` -> ``'usgs_mcs2025'``."""
    if source != "usgs":
        raise CritminError(
            f"edition={edition!r} applies to source 'usgs' only, not {source!r}; "
            "drop edition= or use source='usgs'"
        )
    m = re.fullmatch(r"(?:usgs_mcs|mcs)?(\d{4})", str(edition).strip(), re.IGNORECASE)
    have = sorted(
        get_store()
        .query("SELECT DISTINCT dataset FROM observations WHERE dataset LIKE 'usgs_mcs%'")[
            "dataset"
        ]
        .tolist()
    )
    ds = f"usgs_mcs{m.group(1)}" if m else None
    if ds not in have:
        years = [h.removeprefix("usgs_mcs") for h in have]
        raise CritminError(
            f"unknown USGS edition {str(edition)[:40]!r}; editions in the dataset: {years}. "
            "Pass one of them (e.g. edition=2025), or no edition for the newest revision"
        )
    return ds


def _aggregate_mask(iso3: pd.Series) -> pd.Series:
    """True where a code is an aggregate (WLD, ROW, EUU, ...) or missing, not a country."""
    codes = iso3.fillna("")
    uniq = {c: (not c) or catalog.is_aggregate(c) for c in codes.unique()}
    return codes.map(uniq).astype(bool)


def _with_shares(df: pd.DataFrame, include_aggregates: bool) -> pd.DataFrame:
    if df.empty:
        return df.assign(
            share=pd.Series(dtype=float),
            world_total=pd.Series(dtype=float),
            country=pd.Series(dtype=str),
        )
    key = ["dataset", "commodity_id", "series", "stage", "measure", "year", "unit", "basis"]
    iso = df["country_iso3"].fillna("")
    is_world = iso == WORLD
    is_country = ~_aggregate_mask(iso)
    world = df[is_world].groupby(key, dropna=False)["value"].first().rename("world_total")
    csum = (
        df[is_country].groupby(key, dropna=False)["value"].sum(min_count=1).rename("countries_sum")
    )
    df = df.join(world, on=key).join(csum, on=key)
    denom = df["world_total"].where(df["world_total"] > 0, df["countries_sum"])
    df["share"] = df["value"] / denom
    df["country"] = [catalog.country_name(c) for c in df["country_iso3"]]
    if not include_aggregates:
        df = df[is_country.values]
    return df.drop(columns=["countries_sum"]).reset_index(drop=True)


_COLUMNS = [
    "commodity_id",
    "series",
    "stage",
    "measure",
    "year",
    "country_iso3",
    "country",
    "country_source",
    "value",
    "unit",
    "basis",
    "share",
    "world_total",
    "flag",
    "dataset",
    "source_id",
    "source_row",
]


def headline_stage(commodity: str, measure: str = "production", source: str = "usgs") -> str | None:
    """The stage a commodity is shown at when no stage is given.

    ``'mine'`` when the source publishes a mine stage of the commodity, else the first
    stage it publishes (the earliest line of the newest edition: silicon -> ``'smelter'``,
    aluminium -> ``'smelter'``).  ``None`` when the source has no world table of it.

    Parameters
    ----------
    commodity : str
        Commodity name, alias or element.
    measure : str, default "production"
    source : str, default "usgs"
    """
    df = _world_tables(observations(commodity, measure=measure, source=source))
    if df.empty:
        return None
    if (df["stage"] == "mine").any():
        return "mine"
    newest = df[df["dataset"] == df["dataset"].max()]
    return str(newest.sort_values("source_row")["stage"].iloc[0])


def _stage_measure(
    measure: str,
    commodity: str | Iterable[str],
    stage: str | Iterable[str] | None,
    year: int | Iterable[int] | None,
    country: str | Iterable[str] | None,
    source: str,
    include_aggregates: bool,
    edition: int | str | None = None,
    series: str = "headline",
) -> pd.DataFrame:
    if series not in ("headline", "all"):
        raise CritminError(
            f"series={str(series)[:40]!r} is not an option; use 'headline' (one series per "
            "commodity and stage, the same in every year) or 'all'"
        )
    if source == "iea":  # the IEA publishes some commodities only as groups (rare earths)
        names = [commodity] if isinstance(commodity, str) else list(commodity)
        commodity = [c for n in names for c in (iea_commodities(n) or [n])]
    headline: dict[str, str] | None = None
    if stage == "headline":  # each commodity at its own headline stage
        headline = {
            c: headline_stage(c, measure, source) or "mine" for c in _commodity_ids(commodity)
        }
        stage = sorted(set(headline.values()))
    ds = _edition_dataset(edition, source) if edition is not None else None
    df = observations(commodity, measure=measure, stage=stage, year=year, source=ds or source)
    if headline is not None:
        df = df[(df["stage"] == df["commodity_id"].map(headline)).to_numpy()]
    df = _world_tables(df)
    if series == "headline":
        df = _headline(df)
    df = _newest_edition(df) if source == "usgs" and ds is None else df
    df = _with_shares(df, include_aggregates)
    cty = _country_ids(country)
    if cty is not None:
        df = df[df["country_iso3"].isin(cty)]
    order = df.assign(_agg=_aggregate_mask(df["country_iso3"].fillna("")))
    order = order.sort_values(
        ["commodity_id", "stage", "year", "series", "_agg", "value"],
        ascending=[True, True, True, True, True, False],
        na_position="last",
    )
    return order[_COLUMNS].reset_index(drop=True)


def production(
    commodity: str | Iterable[str],
    stage: str | Iterable[str] | None = "headline",
    year: int | Iterable[int] | None = None,
    country: str | Iterable[str] | None = None,
    source: str = "usgs",
    include_aggregates: bool = True,
    edition: int | str | None = None,
    series: str = "headline",
) -> pd.DataFrame:
    """Production by country, with each country's share of the stated world total.

    Parameters
    ----------
    commodity : str or list of str
        Commodity name, alias or element.
    stage : str, default "headline"
        ``"mine"``, ``"refinery"``, ``"smelter"``, ... or None for all.  ``"headline"``:
        the commodity's headline stage (:func:`headline_stage`: mine if published, else the
        first published stage).
    year : int or list of int, optional
        Default all years in the data.
    country : str or list of str, optional
        Keep only these countries.
    source : {"usgs", "wmd", "iea", "user"} or a dataset id, default "usgs"
        For ``"usgs"`` the newest MCS edition is used for each year it covers (a year both
        editions publish is answered by the newer one's revision).
    include_aggregates : bool, default True
        Keep the stated world total (``WLD``) and ``Other countries`` (``ROW``) rows.
    edition : int or str, optional
        A USGS edition (``2025``, ``2026``, ``"usgs_mcs2025"``): that edition's figures as
        published, instead of the newest revision of each year.
    series : {"headline", "all"}, default "headline"
        ``"headline"``: one USGS series per commodity and stage, the same in every year and
        edition (the rules of :mod:`critmin.ingest.headline`, docs/data.md); ``"all"``:
        every published series (e.g. silicon's ferrosilicon beside silicon metal).

    Returns
    -------
    pandas.DataFrame
        Columns commodity_id, series, stage, measure, year, country_iso3, country, value,
        unit, basis, share [fraction of the stated world total, or of the country sum where
        no total is stated], world_total, flag, dataset, source_id, source_row.  With the
        default ``series``, one row per country and year.

    Raises
    ------
    CritminError
        For an unknown ``edition`` (the editions in the dataset are listed), an edition with
        a source other than ``"usgs"``, or an unknown ``series`` option.
    """
    return _stage_measure(
        "production",
        commodity,
        stage,
        year,
        country,
        source,
        include_aggregates,
        edition=edition,
        series=series,
    )


def reserves(
    commodity: str | Iterable[str],
    year: int | Iterable[int] | None = None,
    country: str | Iterable[str] | None = None,
    source: str = "usgs",
    include_aggregates: bool = True,
    edition: int | str | None = None,
    series: str = "headline",
) -> pd.DataFrame:
    """Reserves by country with shares of the stated world total (columns as :func:`production`).

    ``edition`` and ``series`` as in :func:`production` (headline reserves are on the basis
    of headline production where the source has both, e.g. chromium ore in gross weight).
    """
    return _stage_measure(
        "reserves",
        commodity,
        None,
        year,
        country,
        source,
        include_aggregates,
        edition=edition,
        series=series,
    )


def capacity(
    commodity: str | Iterable[str],
    stage: str | Iterable[str] | None = None,
    year: int | Iterable[int] | None = None,
    country: str | Iterable[str] | None = None,
    source: str = "usgs",
    include_aggregates: bool = True,
    edition: int | str | None = None,
    series: str = "headline",
) -> pd.DataFrame:
    """Production capacity by country (columns as :func:`production`; ``edition``, ``series`` too)."""
    return _stage_measure(
        "capacity",
        commodity,
        stage,
        year,
        country,
        source,
        include_aggregates,
        edition=edition,
        series=series,
    )


def salient(
    commodity: str | Iterable[str],
    measure: str | Iterable[str] | None = None,
    year: int | Iterable[int] | None = None,
) -> pd.DataFrame:
    """U.S. salient statistics (production, imports, exports, consumption, stocks, prices, NIR).

    Rows come from every USGS edition (the 2026 release covers 2021-2025, the 2025
    per-commodity files 2020-2024); where editions overlap both are kept, with ``dataset``
    telling them apart.  U.S. rows of the *world* tables (series in which other countries
    also appear, e.g. the U.S. line of world mine production) are left out: those are in
    :func:`production` and :func:`reserves`.
    """
    df = observations(commodity, measure=measure, country="USA", year=year, source="usgs")
    if df.empty:
        return df
    world_series = get_store().query(
        "SELECT DISTINCT dataset, commodity_id, series FROM observations "
        "WHERE dataset LIKE 'usgs_mcs%' AND country_iso3 <> 'USA' AND commodity_id IN "
        f"({', '.join('?' * df['commodity_id'].nunique())})",
        list(df["commodity_id"].unique()),
    )
    key = ["dataset", "commodity_id", "series"]
    merged = df.merge(world_series.assign(_world=True), on=key, how="left")
    return df[merged["_world"].isna().to_numpy()].reset_index(drop=True)


def trade(
    commodity: str | Iterable[str] | None = None,
    hs6: str | Iterable[str] | None = None,
    exporter: str | Iterable[str] | None = None,
    importer: str | Iterable[str] | None = None,
    year: int | Iterable[int] | None = None,
) -> pd.DataFrame:
    """Bilateral trade flows (CEPII BACI): year, exporter_iso3, importer_iso3, hs6, value_kusd, quantity_t."""
    store = get_store()
    where = {
        "commodity_id": _commodity_ids(commodity),
        "hs6": [hs6] if isinstance(hs6, str) else hs6,
        "exporter_iso3": _country_ids(exporter),
        "importer_iso3": _country_ids(importer),
        "year": _years(year),
    }
    return store.select("trade", where, order="year, hs6, exporter_iso3, importer_iso3")


def governance(
    country: str | Iterable[str] | None = None,
    indicator: str | Iterable[str] | None = None,
    year: int | Iterable[int] | None = None,
) -> pd.DataFrame:
    """World Bank WGI estimates: country_iso3, year, indicator (va, pv, ge, rq, rl, cc), estimate, ..."""
    where = {
        "country_iso3": _country_ids(country),
        "indicator": [indicator] if isinstance(indicator, str) else indicator,
        "year": _years(year),
    }
    return get_store().select("governance", where, order="country_iso3, indicator, year")


def export_controls(
    country: str | Iterable[str] | None = None, commodity: str | Iterable[str] | None = None
) -> pd.DataFrame:
    """Export bans, quotas and licensing in force (USGS MCS 2026 table T4), one row per commodity."""
    df = get_store().table("export_controls")
    cty = _country_ids(country)
    if cty is not None:
        df = df[df["country_iso3"].isin(cty)]
    cids = _commodity_ids(commodity)
    if cids is not None:
        fam = set(cids) | {m for c in cids for m in catalog.members(c)}
        parents = set(
            catalog.commodities().set_index("commodity_id")["parent"].reindex(list(cids)).dropna()
        )
        df = df[df["commodity_id"].isin(fam | parents)]
    return df.reset_index(drop=True)


def import_sources(commodity: str | Iterable[str] | None = None) -> pd.DataFrame:
    """U.S. import sources (USGS Fig3): country shares of imports and the published NIR."""
    df = get_store().table("import_sources")
    cids = _commodity_ids(commodity)
    if cids is not None:
        df = df[df["commodity_id"].isin(cids)]
    return df.sort_values(
        ["edition", "commodity_id", "share_pct"], ascending=[False, True, False]
    ).reset_index(drop=True)


def groups(group: str | None = None) -> pd.DataFrame:
    """Country groups (MSP, Quad, US FTA partners, TRUST, ...): group_id, country_iso3, member_as_published."""
    df = get_store().table("groups")
    if group is not None:
        gid = _group_id(df, group)
        df = df[df["group_id"] == gid]
    return df.reset_index(drop=True)


def _group_id(df: pd.DataFrame, group: str) -> str:
    ids = {g.lower(): g for g in df["group_id"].unique()}
    if group.lower() in ids:
        return ids[group.lower()]
    raise UnknownGroup(group, list(ids.values()))


def group_members(group: str | Iterable[str]) -> list[str]:
    """ISO3 members of a group id (``"MSP"``, ``"QUAD"``, ``"TRUST"``) or of a list of countries."""
    if not isinstance(group, str):
        return sorted(set(_country_ids(group) or []))
    df = groups(group)
    return sorted(set(df["country_iso3"].dropna()) - {"EUU"})


def commodities() -> pd.DataFrame:
    """The commodity catalog (ids, names, list memberships, HS6 codes, elements)."""
    return catalog.commodities()


def countries() -> pd.DataFrame:
    """The country catalog (ISO3, ISO2, name, codes)."""
    return catalog.countries()


def sources() -> pd.DataFrame:
    """The files the dataset in use was built from, with checksums and their publishers."""
    from critmin.ingest.sources import SOURCES, family_of

    store = get_store()
    files = pd.DataFrame(store.manifest.get("files", []))
    if files.empty:
        raise StoreError(
            "the dataset manifest lists no source files; rebuild with `critmin data build`"
        )
    fam = files["source_id"].map(lambda s: _family_for_file(s))
    meta = pd.DataFrame(SOURCES).T
    files["family"] = fam
    return files.join(meta[["publisher", "licence", "url"]], on="family").assign(
        family=lambda d: d["family"].map(family_of)
    )


def _family_for_file(source_id: str) -> str:
    top = source_id if source_id.startswith(("trade/", "concordance/")) else source_id.split("/")[0]
    for prefix, fam in (
        ("usgs_mcs", "usgs_mcs"),
        ("world_mining", "wmd"),
        ("baci", "baci"),
        ("wgi", "wgi"),
        ("iea", "iea_cmde"),
        ("trade/comtrade_china", "comtrade_china"),
        ("trade/comtrade_2023_reporter_world", "comtrade_world"),
        ("concordance/BACI_product_codes", "baci"),
    ):
        if top.startswith(prefix):
            return fam
    return "policy"


def check() -> pd.DataFrame:
    """Reconciliation of stated world totals against country sums (see :mod:`critmin.ingest.reconcile`)."""
    return get_store().table("reconciliation")


def sectors(
    commodity: str | None = None, sector: str | None = None, *, listed: bool = True
) -> pd.DataFrame:
    """Strategic sectors of a commodity (or the commodities of a sector), with shares.

    ``critmin.sectors("lithium")``, ``critmin.sectors(sector="defence")``; see
    :func:`critmin.enduse.sectors.sector_table` (columns ``commodity_id, element, sector,
    end_use, share [fraction], unit, data_year, basis, source``).  Numeric shares only,
    for arithmetic: :func:`critmin.enduse.sector_shares`.
    """
    from critmin.enduse import sector_table

    return sector_table(commodity, sector, listed=listed)
