"""Supply-risk ranking of minerals for a country or a group, from the dataset.

Fetches one row of indicators per mineral and ranks them with the pure
:func:`critmin.criticality.ranking.rank_minerals` (``docs/methods/ranking.md``).

Indicators (larger = riskier), all computed from the dataset for the assessment year ``Y``:

* **concentration per stage** -- ``mine_*`` and ``refinery_*`` (refinery, smelter, processing or
  primary output): the largest producer, its share and the HHI (fraction) of world production.
  Source per commodity and stage: the latest year ≤ Y in World Mining Data (2018-2024), the
  newest USGS MCS edition (2023-2025) or the IEA Critical Minerals Data Explorer (2023,
  historical series only), in that order of preference at equal year.  Shares are of the named
  countries' sum where the table lists every producer (WMD, no "other countries" row) and of
  the stated world total where it has an "other countries" row (USGS, IEA); the HHI sums the
  named countries only (a lower bound where "other countries" is large).
* **driving stage** -- the stage given (``stage=``) or the one with the larger HHI; ``hhi``,
  ``top1_*`` and the ``driver`` text ("China 69% of mining") describe it; ``data_stage`` is
  the stage as the source names it (``smelter`` for aluminium: "China 60% of smelting").
* ``wgi_hhi`` -- the EU CRM governance-weighted HHI of the driving stage, ``Σ s² · (2.5 −
  mean of six WGI) × 2`` (t = 1), WGI of the production year or the latest earlier one.
* ``import_reliance`` -- ``(M − X) / (P + M − X)`` clipped to [0, 1], with BACI imports M and
  exports X [t] over the material's HS codes (``wmd_hs_map``) and production P [t] (WMD) of
  year Y; for a group only trade with non-members counts and P sums the members.  Mixes traded
  gross weight with production on its stated basis, as GeoPolRisk does.  NaN where BACI reports
  no trade at all in the material's codes that year (unknown, not zero).
* ``geopolrisk`` -- the GeoPolRisk score of year Y
  (:mod:`critmin.assessments.geopolrisk`; for a group, imports from members get g = 0 and
  domestic production sums the members).
* lists and controls (shown, not in the default score): ``on_us_2025``, ``on_eu_2023``,
  ``on_india_2023`` (catalog flags), ``n_lists``; ``export_controls``: countries with an export
  ban, quota or licensing on the mineral (or its group/members) imposed by Y and in force
  (USGS MCS 2026 table T4).
* ``home_share`` -- the country's (or the bloc's) share of the driving stage.

Years: Y must have world production and BACI trade (2018-2024); default the latest.

Examples
--------
>>> from critmin.assessments.risk import risk
>>> risk(country="IND").head(5)[["rank", "mineral", "score", "driver"]]  # doctest: +SKIP
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from critmin import catalog
from critmin.assessments.geopolrisk import (
    available_years,
    geopolrisk_inputs,
    geopolrisk_series,
    material_map,
    traded,
    world_production,
)
from critmin.criticality.geopolrisk import geopolrisk
from critmin.criticality.ranking import (
    DEFAULT_WEIGHTS,
    RankingSensitivity,
    driver_text,
    rank_minerals,
    ranking_sensitivity,
)
from critmin.errors import CritminError, MethodError, NoData, UnknownGroup
from critmin.metrics.governance import WGI_DIMENSIONS, eu_wgi_scaled, wgi_weighted_hhi
from critmin.metrics.reliance import net_import_reliance
from critmin.store import get_store

__all__ = [
    "LISTS",
    "RiskSubject",
    "risk",
    "risk_indicators",
    "risk_sensitivity",
    "risk_years",
]

logger = logging.getLogger(__name__)

#: Critical-mineral lists shown beside the ranking: id -> catalog column.
LISTS = {
    "us_2025": "on_us_2025_list",
    "eu_2023": "on_eu_2023_list",
    "india_2023": "on_india_2023_list",
}

_STAGES = ("mine", "refinery")
_DOWNSTREAM = ("refinery", "smelter", "processing", "primary")
_PRIORITY = {"wmd": 0, "usgs": 1, "iea": 2}


@dataclass(frozen=True)
class RiskSubject:
    """Who is assessed: one country or a group of countries.

    Attributes
    ----------
    code : str
        ISO3 of the country, or the group id (``"MSP"``).
    name : str
        Display name.
    members : tuple of str
        ISO3 members (the country itself for a country).
    is_group : bool
        True for a group.
    note : str
        Remarks on membership (e.g. the EU named as a member without member states).
    """

    code: str
    name: str
    members: tuple[str, ...]
    is_group: bool
    note: str = ""


def _subject(country: str | None, group: str | None) -> RiskSubject:
    if (country is None) == (group is None):
        raise MethodError("give exactly one of country= (e.g. 'IND') or group= (e.g. 'MSP')")
    if country is not None:
        iso = catalog.resolve_country(country)
        return RiskSubject(iso, catalog.country_name(iso), (iso,), False)
    groups = get_store().table("groups")
    ids = {g.lower(): g for g in groups["group_id"].unique()}
    gid = ids.get(str(group).lower())
    if gid is None:
        raise UnknownGroup(str(group), list(ids.values()))
    rows = groups[groups["group_id"] == gid]
    members = sorted(set(rows["country_iso3"].dropna()) - {"EUU"})
    note = (
        "the European Union is named as a member, but no source lists its member states: "
        "only the EU countries named separately count"
        if "EUU" in set(rows["country_iso3"])
        else ""
    )
    return RiskSubject(gid, str(rows["group_name"].iloc[0]), tuple(members), True, note)


def risk_years() -> list[int]:
    """Years a risk ranking can be computed for: world production and BACI trade both exist."""
    return available_years()


def _year(year: int | None) -> int:
    have = risk_years()
    if year is None:
        return have[-1]
    if int(year) not in have:
        raise NoData(
            f"no data for year {year}: the ranking needs world production by country and BACI "
            f"trade, available for {have[0]}-{have[-1]} ({have})"
        )
    return int(year)


# --------------------------------------------------------------------------------------------
# concentration


def _production_rows(year: int) -> pd.DataFrame:
    """Production rows of every commodity, stage, dataset and year ≤ `year` (one series each)."""
    d = get_store().query(
        "SELECT dataset, commodity_id, series, stage, year, country_iso3, value, unit, flag, "
        "source_id FROM observations WHERE measure = 'production' AND year <= ? AND "
        "stage IN ('mine', 'refinery', 'smelter', 'processing', 'primary') AND "
        "(dataset = 'wmd' OR dataset LIKE 'usgs_mcs%' OR dataset LIKE 'iea%') AND "
        "coalesce(flag, '') NOT LIKE '%projection%' AND commodity_id IS NOT NULL",
        [int(year)],
    )
    d["family"] = d["dataset"].str.extract(r"^(wmd|usgs|iea)", expand=False)
    d["stage_group"] = np.where(d["stage"] == "mine", "mine", "refinery")
    usgs = d["family"] == "usgs"
    newest = d[usgs].groupby(["commodity_id", "stage", "year"])["dataset"].transform("max")
    d = pd.concat([d[usgs][d.loc[usgs, "dataset"] == newest], d[~usgs]], ignore_index=True)
    iso = d["country_iso3"].fillna("")
    agg = {c: (not c) or catalog.is_aggregate(c) for c in iso.unique()}
    d["is_country"] = ~iso.map(agg).astype(bool)
    key = ["family", "commodity_id", "stage_group", "year"]
    stats = (
        d.groupby([*key, "series"])
        .agg(
            n=("is_country", "sum"),
            world=("value", lambda v: float(v[d.loc[v.index, "country_iso3"] == "WLD"].sum())),
        )
        .reset_index()
        .sort_values([*key, "n", "world", "series"], ascending=[True] * 4 + [False, False, True])
    )
    # world tables only: a stated world total or at least three producing countries (the
    # USGS salient statistics of the United States alone are not world production)
    stats = stats[(stats["world"] > 0) | (stats["n"] >= 3)]
    main = stats.drop_duplicates(key)
    d = d.merge(main[[*key, "series"]], on=[*key, "series"])
    d = d.sort_values("value", ascending=False, na_position="last")
    return d.drop_duplicates([*key, "country_iso3"]).reset_index(drop=True)


def _concentration(year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per commodity × stage group: the chosen table's summary and its country shares."""
    d = _production_rows(year)
    key = ["family", "commodity_id", "stage_group", "year"]
    has_row = d.groupby(key)["country_iso3"].transform(lambda s: (s == "ROW").any())
    world = (
        d["value"].where(d["country_iso3"] == "WLD").groupby([d[k] for k in key]).transform("max")
    )
    c = d[d["is_country"] & d["value"].notna()].copy()
    csum = c.groupby(key)["value"].transform("sum")
    denom = np.where(has_row[c.index] & (world[c.index] > 0), world[c.index], csum)
    c["share"] = c["value"] / np.where(denom > 0, denom, np.nan)
    c = c[c["share"].notna()]
    summary = (
        c.sort_values([*key, "share"], ascending=[True] * 4 + [False])
        .groupby(key)
        .agg(
            top1_country=("country_iso3", "first"),
            top1_share=("share", "first"),
            hhi=("share", lambda s: float((s**2).sum())),
            n_producers=("share", lambda s: int((s > 0).sum())),
            dataset=("dataset", "first"),
            source_id=("source_id", "first"),
            data_stage=("stage", "first"),
        )
        .reset_index()
    )
    summary = summary[summary["n_producers"] > 0]
    summary["_prio"] = summary["family"].map(_PRIORITY)
    chosen = summary.sort_values(
        ["commodity_id", "stage_group", "year", "_prio"], ascending=[True, True, False, True]
    ).drop_duplicates(["commodity_id", "stage_group"])
    shares = c.merge(chosen[key], on=key)[["commodity_id", "stage_group", "country_iso3", "share"]]
    return chosen.drop(columns="_prio").reset_index(drop=True), shares


def _wgi_scaled(year: int) -> tuple[pd.Series, int]:
    g = get_store().query(
        "SELECT country_iso3, year, indicator, estimate FROM governance WHERE year <= ? "
        "AND country_iso3 IS NOT NULL",
        [int(year)],
    )
    wy = int(g["year"].max())
    wide = g[g["year"] == wy].pivot_table(
        index="country_iso3", columns="indicator", values="estimate", aggfunc="mean"
    )
    mean = wide.reindex(columns=list(WGI_DIMENSIONS)).mean(axis=1, skipna=False).dropna()
    return eu_wgi_scaled(mean), wy


def _wgi_hhi(shares: pd.Series, wgi: pd.Series) -> float:
    """HHI_WGI of the shares (of the world); producers without WGI contribute nothing."""
    pos = shares[shares > 0]
    if pos.empty:
        return float("nan")
    norm = pos / pos.sum()
    return wgi_weighted_hhi(norm, wgi.reindex(norm.index).fillna(0.0)) * float(pos.sum()) ** 2


# --------------------------------------------------------------------------------------------
# reliance and GeoPolRisk


def _reliance(subject: RiskSubject, year: int, production: pd.DataFrame) -> pd.DataFrame:
    """BACI import reliance per commodity for a country or a group (external trade only)."""
    mapping = material_map()
    codes = sorted(set(mapping["hs6"]))
    members = list(subject.members)
    ph_c, ph_m = ", ".join("?" * len(codes)), ", ".join("?" * len(members))
    t = get_store().query(
        f"SELECT hs6, importer_iso3 IN ({ph_m}) AS imp_in, exporter_iso3 IN ({ph_m}) AS exp_in, "
        "sum(coalesce(quantity_t, 0)) AS q FROM trade "
        f"WHERE year = ? AND hs6 IN ({ph_c}) AND (importer_iso3 IN ({ph_m}) OR "
        f"exporter_iso3 IN ({ph_m})) GROUP BY ALL",
        [*members, *members, int(year), *codes, *members, *members],
    )
    t = t.merge(mapping[["hs6", "commodity_id"]].drop_duplicates(), on="hs6")
    m = t[t["imp_in"] & ~t["exp_in"]].groupby("commodity_id")["q"].sum()
    x = t[t["exp_in"] & ~t["imp_in"]].groupby("commodity_id")["q"].sum()
    own = production[production["country_iso3"].isin(members)].groupby("commodity_id")["value"]
    p = own.sum()
    ids = sorted(set(mapping["commodity_id"]))
    df = pd.DataFrame(
        {
            "imports_t": m.reindex(ids).fillna(0.0),
            "exports_t": x.reindex(ids).fillna(0.0),
            "production_t": p.reindex(ids).fillna(0.0),
        }
    )
    nir = net_import_reliance(df["production_t"], df["imports_t"], df["exports_t"])
    # for ranking, a net exporter (flag E) or a country whose trade balances out relies on
    # no imports (0); a commodity it neither makes nor trades has no reliance figure (NaN)
    any_flow = df[["production_t", "imports_t", "exports_t"]].sum(axis=1) > 0
    ir = np.where(
        nir["nir_pct"].notna(),
        np.clip(nir["nir_pct"] / 100.0, 0.0, 1.0),
        np.where(any_flow, 0.0, np.nan),
    )
    known = set(traded([year])["commodity_id"])
    df["import_reliance"] = np.where(df.index.isin(list(known)), ir, np.nan)
    ds = production.groupby("commodity_id")["dataset"].first()
    df["reliance_source"] = [
        f"BACI {year}; production {ds.get(c, 'none')} {year}" for c in df.index
    ]
    return df


def _geopolrisk_country(iso: str, years: list[int]) -> pd.DataFrame:
    s = geopolrisk_series(iso)
    return s[s["year"].isin(years)][["commodity_id", "year", "score"]]


def _geopolrisk_group(members: tuple[str, ...], years: list[int]) -> pd.DataFrame:
    inp = geopolrisk_inputs(years, list(members))
    out = []
    imp = inp.imports.groupby(["commodity_id", "year", "exporter_iso3"])["quantity_t"].sum()
    stab = inp.stability.set_index(["year", "country_iso3"])["estimate"]
    for (cid, y), prod in inp.production.groupby(["commodity_id", "year"]):
        world = prod.set_index("country_iso3")["value"]
        dom = float(world.reindex(list(members)).fillna(0.0).sum())
        try:
            f = imp.loc[(cid, y)]
        except KeyError:
            f = pd.Series(dtype=float)
        f = f[f > 0]
        if f.sum() + dom <= 0:
            continue
        pv = stab.loc[y].reindex(f.index) if y in stab.index.get_level_values(0) else None
        r = geopolrisk(
            world,
            f,
            pv if pv is not None else pd.Series(np.nan, index=f.index),
            dom,
            region_members=members,
        )
        out.append({"commodity_id": cid, "year": y, "score": r.score})
    return pd.DataFrame(out, columns=["commodity_id", "year", "score"])


# --------------------------------------------------------------------------------------------
# indicators


def _controls(year: int) -> pd.DataFrame:
    ec = get_store().table("export_controls")
    ec = ec[(ec["year_imposed"].fillna(0) <= year) & ec["commodity_id"].notna()]
    cat = catalog.commodities().set_index("commodity_id")
    parent = cat["parent"].to_dict()

    def family(cid: str) -> set[str]:
        fam, p = {cid}, parent.get(cid, "")
        while p:
            fam.add(p)
            p = parent.get(p, "")
        return fam | set(catalog.members(cid))

    rows = []
    for cid in cat.index:
        fam = family(cid)
        hit = sorted(set(ec.loc[ec["commodity_id"].isin(fam), "country_iso3"].dropna()))
        rows.append((cid, len(hit), ", ".join(hit)))
    return pd.DataFrame(
        rows, columns=["commodity_id", "export_controls", "export_control_countries"]
    ).set_index("commodity_id")


def _indicators_for_year(
    subject: RiskSubject,
    year: int,
    stage: str | None,
    gpr: pd.DataFrame,
) -> pd.DataFrame:
    chosen, shares = _concentration(year)
    wgi, wgi_year = _wgi_scaled(year)
    cat = catalog.commodities().set_index("commodity_id")
    wide = {}
    for st in _STAGES:
        c = chosen[chosen["stage_group"] == st].set_index("commodity_id")
        wide[st] = pd.DataFrame(
            {
                f"{st}_top1_country": c["top1_country"],
                f"{st}_top1_share": c["top1_share"],
                f"{st}_hhi": c["hhi"],
                f"{st}_source": c["dataset"] + " " + c["year"].astype(str),
                f"{st}_year": c["year"],
                f"{st}_data_stage": c["data_stage"],
            }
        )
    ind = wide["mine"].join(wide["refinery"], how="outer")
    if stage is not None:
        ind = ind[ind[f"{stage}_hhi"].notna()]
        drive = pd.Series(stage, index=ind.index)
    else:
        mh = ind["mine_hhi"].fillna(-1.0)
        rh = ind["refinery_hhi"].fillna(-1.0)
        drive = pd.Series(np.where(rh > mh, "refinery", "mine"), index=ind.index)
    ind["stage"] = drive
    for col in ("top1_country", "top1_share", "hhi", "source", "data_stage"):
        ind[col if col != "source" else "concentration_source"] = [
            ind.at[cid, f"{st}_{col}"] for cid, st in drive.items()
        ]
    sh = {
        key: g.set_index("country_iso3")["share"]
        for key, g in shares.groupby(["commodity_id", "stage_group"])
    }
    wgi_hhi, home = [], []
    for cid, st in drive.items():
        s = sh[(cid, st)]
        wgi_hhi.append(_wgi_hhi(s, wgi))
        home.append(float(s.reindex(list(subject.members)).fillna(0.0).sum()))
    ind["wgi_hhi"] = wgi_hhi
    ind["home_share"] = home
    ind["wgi_year"] = wgi_year
    # reliance and GeoPolRisk of the year
    prod = world_production([year])
    rel = _reliance(subject, year, prod)
    ind = ind.join(rel[["import_reliance", "reliance_source"]], how="left")
    g = gpr[gpr["year"] == year].set_index("commodity_id")["score"]
    ind["geopolrisk"] = g.reindex(ind.index)
    ind["geopolrisk_source"] = np.where(
        ind["geopolrisk"].notna(), f"BACI, WMD {year}; WGI PV {min(year, wgi_year)}", None
    )
    for lst, col in LISTS.items():
        ind[f"on_{lst}"] = cat[col].reindex(ind.index).fillna(False).astype(bool)
    ind["n_lists"] = ind[[f"on_{lst}" for lst in LISTS]].sum(axis=1).astype(int)
    ind = ind.join(_controls(year), how="left")
    ind["export_controls"] = ind["export_controls"].fillna(0).astype(int)
    ind["mineral"] = cat["name"].reindex(ind.index).fillna(pd.Series(ind.index, ind.index))
    ind["top1_name"] = [catalog.country_name(c) if c else "" for c in ind["top1_country"]]
    ind["driver"] = [
        driver_text(n, s, st)
        for n, s, st in zip(ind["top1_name"], ind["top1_share"], ind["data_stage"], strict=True)
    ]
    ind["year"] = year
    ind.index.name = "commodity_id"
    return ind


_FRONT = [
    "mineral",
    "driver",
    "stage",
    "data_stage",
    "top1_country",
    "top1_share",
    "hhi",
    "wgi_hhi",
    "import_reliance",
    "geopolrisk",
    "home_share",
    "n_lists",
    "on_us_2025",
    "on_eu_2023",
    "on_india_2023",
    "export_controls",
    "export_control_countries",
    "mine_top1_country",
    "mine_top1_share",
    "mine_hhi",
    "mine_source",
    "refinery_top1_country",
    "refinery_top1_share",
    "refinery_hhi",
    "refinery_source",
    "concentration_source",
    "reliance_source",
    "geopolrisk_source",
    "year",
    "wgi_year",
]


def _select(
    ind: pd.DataFrame, minerals: Iterable[str] | None, lists: Iterable[str]
) -> pd.DataFrame:
    if minerals is not None:
        wanted = [catalog.resolve_commodity(m) for m in minerals]
        missing = [m for m in wanted if m not in ind.index]
        if missing:
            raise NoData(
                f"no production by country for {missing} in the dataset for this year; "
                f"minerals with data: {sorted(ind.index)[:40]}"
            )
        return ind.loc[wanted]
    lists = list(lists)
    bad = sorted(set(lists) - set(LISTS))
    if bad:
        raise MethodError(f"unknown list(s) {bad}; use {sorted(LISTS)}")
    if not lists:
        return ind
    keep = ind[[f"on_{lst}" for lst in lists]].any(axis=1)
    return _drop_covered_groups(ind[keep])


def _drop_covered_groups(ind: pd.DataFrame) -> pd.DataFrame:
    """Leave out a group (``platinum_group_metals``) when one of its members is ranked."""
    kinds = catalog.commodities().set_index("commodity_id")["kind"]
    drop = [
        cid
        for cid in ind.index
        if kinds.get(cid) == "group" and set(catalog.members(cid)) & set(ind.index)
    ]
    return ind.drop(index=drop)


def risk_indicators(
    country: str | None = None,
    group: str | None = None,
    year: int | None = None,
    stage: str | None = None,
    minerals: Iterable[str] | None = None,
    lists: Iterable[str] = tuple(LISTS),
) -> pd.DataFrame:
    """One row of supply-risk indicators per mineral for a country or a group.

    Parameters
    ----------
    country : str, optional
        Any name :func:`critmin.catalog.resolve_country` accepts.  Give this or `group`.
    group : str, optional
        A group id of ``critmin.groups()`` (``"MSP"``, ``"QUAD"``, ``"TRUST"``, ...).
    year : int, optional
        Assessment year; default the latest of :func:`risk_years`.
    stage : {'mine', 'refinery'}, optional
        Use this stage's concentration (minerals without it are left out); default the stage
        with the larger HHI per mineral.
    minerals : iterable of str, optional
        The minerals to assess; default every mineral with production data that is on one of
        `lists`, leaving out a group (e.g. ``platinum_group_metals``) when one of its members
        is there (the group's figures would count them twice).
    lists : iterable of str, default all of :data:`LISTS`
        Keep minerals on at least one of these lists (``us_2025``, ``eu_2023``,
        ``india_2023``); empty = every mineral with production data.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``commodity_id``; columns described in the module docstring, sources in the
        ``*_source`` columns.  ``attrs`` holds the subject, year and members.

    Raises
    ------
    UnknownCountry, UnknownGroup, UnknownCommodity
        For names that do not resolve.
    NoData
        If `year` lies outside :func:`risk_years` (the message lists them) or a requested
        mineral has no data.
    MethodError
        If both or neither of `country`/`group` are given, or `stage` is unknown.
    """
    subject = _subject(country, group)
    y = _year(year)
    if stage is not None and stage not in _STAGES:
        raise MethodError(f"stage must be 'mine' or 'refinery' (or None for both); got {stage!r}")
    gpr = (
        _geopolrisk_group(subject.members, [y])
        if subject.is_group
        else _geopolrisk_country(subject.code, [y])
    )
    ind = _select(_indicators_for_year(subject, y, stage, gpr), minerals, lists)
    if ind.empty:
        raise NoData(f"no mineral has {stage or 'any'} production data for {y}")
    ind = ind[[c for c in _FRONT if c in ind.columns]]
    ind.attrs.update(
        subject=subject.code,
        name=subject.name,
        members=list(subject.members),
        is_group=subject.is_group,
        year=y,
        stage=stage,
        note=subject.note,
    )
    return ind


def risk(
    country: str | None = None,
    group: str | None = None,
    year: int | None = None,
    stage: str | None = None,
    weights: Mapping[str, float] | None = None,
    by: str = "score",
    minerals: Iterable[str] | None = None,
    lists: Iterable[str] = tuple(LISTS),
) -> pd.DataFrame:
    """Minerals ranked by supply risk for a country (``"IND"``) or a group (``"MSP"``).

    Parameters
    ----------
    country, group, year, stage, minerals, lists
        See :func:`risk_indicators`.
    weights : mapping, optional
        Indicator -> weight for the score; default
        :data:`critmin.criticality.ranking.DEFAULT_WEIGHTS` (``hhi``, ``wgi_hhi``,
        ``import_reliance``, ``geopolrisk``, 1 each).
    by : str, default 'score'
        ``'score'`` or one indicator column to rank by.

    Returns
    -------
    pandas.DataFrame
        Riskiest first: ``rank``, ``commodity_id``, ``score`` [-], ``n_indicators``, the
        rescaled ``z_*`` columns and every indicator of :func:`risk_indicators`, including the
        ``driver`` in words.

    Raises
    ------
    UnknownCountry, UnknownGroup, NoData, MethodError
        As :func:`risk_indicators` and :func:`critmin.criticality.ranking.rank_minerals`.
    """
    ind = risk_indicators(country, group, year, stage, minerals, lists)
    ranked = rank_minerals(ind, weights=weights, by=by).reset_index()
    front = ["rank", "commodity_id", "mineral", "score", "n_indicators", "driver"]
    ranked = ranked[front + [c for c in ranked.columns if c not in front]]
    ranked.attrs.update(ind.attrs)
    return ranked


def risk_sensitivity(
    country: str | None = None,
    group: str | None = None,
    year: int | None = None,
    stage: str | None = None,
    weights: Mapping[str, float] | None = None,
    minerals: Iterable[str] | None = None,
    lists: Iterable[str] = tuple(LISTS),
) -> RankingSensitivity:
    """How the ranking changes with the indicator, the year and the stage.

    Variants: ``score`` (the base ranking of `year`), ``by <indicator>`` for each indicator of
    the score, ``year <y>`` for every year of :func:`risk_years` and ``stage mine`` /
    ``stage refinery`` (base year).  Minerals are those of the base ranking.

    Parameters
    ----------
    country, group, year, stage, weights, minerals, lists
        As :func:`risk`.

    Returns
    -------
    critmin.criticality.ranking.RankingSensitivity
        ``spearman`` (variant × variant rank correlation) and ``ranks`` (mineral × variant,
        with ``min_rank``, ``max_rank``, ``rank_range``).

    Raises
    ------
    UnknownCountry, UnknownGroup, NoData, MethodError
        As :func:`risk`.
    """
    subject = _subject(country, group)
    y = _year(year)
    years = risk_years()
    gpr = (
        _geopolrisk_group(subject.members, years)
        if subject.is_group
        else _geopolrisk_country(subject.code, years)
    )
    base_ind = _select(_indicators_for_year(subject, y, stage, gpr), minerals, lists)
    keep = list(base_ind.index)
    w = dict(weights) if weights is not None else dict(DEFAULT_WEIGHTS)
    variants: dict[str, pd.DataFrame] = {"score": rank_minerals(base_ind, w)}
    for k in w:
        variants[f"by {k}"] = rank_minerals(base_ind, w, by=k)
    for yy in years:
        if yy == y:
            continue
        ind = _indicators_for_year(subject, yy, stage, gpr)
        ind = ind.reindex([m for m in keep if m in ind.index])
        if len(ind) >= 2:
            variants[f"year {yy}"] = rank_minerals(ind, w)
    if stage is None:
        for st in _STAGES:
            try:
                ind = _indicators_for_year(subject, y, st, gpr)
            except CritminError as exc:  # pragma: no cover - data dependent
                logger.info("stage %s: %s", st, exc)
                continue
            ind = ind.reindex([m for m in keep if m in ind.index])
            if len(ind) >= 2:
                variants[f"stage {st}"] = rank_minerals(ind, w)
    out = ranking_sensitivity(variants)
    names = base_ind["mineral"]
    out.ranks.insert(0, "mineral", names.reindex(out.ranks.index))
    return out
