"""EU CRM supply risk computed for a country (India, the United States, ...) from the dataset.

The EU method (``../shared/methods/01_eu_crm_methodology.md`` §1.1; EC Guidelines
doi:10.2873/769526, 2023 Final Report doi:10.2873/725585) is applied with the assessed country in
the place of the EU, through the validated pure functions of :mod:`critmin.criticality.eu_crm`:

.. code-block:: text

    SR = [ HHI_GS × IR/2 + HHI_src × (1 − IR/2) ] × (1 − EOL_RIR) × SI_SR
    HHI_WGI,t = Σ_c S_c² × WGI_scaled_c × t_c,   WGI_scaled = (2.5 − mean of the six WGI) × 2

Where each input comes from, and what stands in for the EU-specific one:

* ``HHI_GS``: shares of world production of the stage the dataset holds (World Mining Data,
  else USGS MCS), the WGI six-indicator mean of the production year (latest earlier WGI year
  where the release ends first) and the EU 2023 study's trade parameters ``t`` for global supply
  (``eu_crm_2023_trade_parameters_t.csv``; unlisted countries t = 1).
* ``HHI_src``: the country's actual sourcing -- its own production (WMD/USGS) plus its imports by
  partner (BACI, the material's HS codes from ``wmd_hs_map``) -- stands in for "actual EU
  sourcing"; t = 1 (the EU's 0.8 for its trade-agreement partners does not carry over).
* ``IR``: the country's import reliance ``(M − X) / (P + M − X)`` from BACI imports M and
  exports X [t] and production P [t], clipped to [0, 1], stands in for the EU's.
* ``EOL_RIR`` and ``SI_SR``: the EU 2023 values (``eu_crm_2023_results.csv``; EOL_RIR also in
  ``wmd_hs_map``); the dataset has no national ones.

Every input is listed with its source and substitution note in the ``inputs`` table that
:func:`eu_crm_supply_risk` returns.  EI is EU-economy specific and is not computed, so the
criticality rule is not applied to other countries; ``sr_at_least_1`` says whether SR meets the
EU supply-risk threshold.

:func:`reproduce_eu_2023` re-derives the published 2023 table from its components (material SR
from the stage SRs, bottleneck stage, criticality rule) with the same functions, row by row.

The EU 2023 tables are read at run time from ``<source_dir>/../methods/validation`` (the shared
methods folder beside the source data, ``critmin.settings``); pass ``eu_results=`` /
``trade_parameters=`` paths where that folder is absent.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from critmin import catalog
from critmin.assessments.geopolrisk import _check_years, available_years, material_map, traded
from critmin.criticality.eu_crm import (
    SR_THRESHOLD,
    bottleneck_stage,
    is_critical,
    material_supply_risk,
    supply_risk,
)
from critmin.errors import DataError, NoData
from critmin.metrics.governance import WGI_DIMENSIONS, eu_wgi_scaled, wgi_weighted_hhi
from critmin.settings import get_settings
from critmin.store import get_store
from critmin.units import MASS_UNITS, canonical_unit

__all__ = [
    "EuCrmAssessment",
    "eu_2023_results",
    "eu_crm_supply_risk",
    "methods_dir",
    "reproduce_eu_2023",
    "trade_parameters",
]

logger = logging.getLogger(__name__)

RESULTS_FILE = "eu_crm_2023_results.csv"
TRADE_PARAMETERS_FILE = "eu_crm_2023_trade_parameters_t.csv"
_THRESHOLD_COL = "meets_thresholds_SR>=1_EI>=2.8"
_OFFICIAL_COL = "on_official_2023_CRM_list_per_cbs.nl"
_EU_STUDY = "EU CRM 2023 study (doi:10.2873/725585)"


# --------------------------------------------------------------------------------------------
# published tables


def methods_dir() -> Path:
    """The shared methods folder (``<source_dir>/../methods``) holding the EU 2023 tables."""
    return get_settings().source_dir.parent / "methods"


def _path(path: str | Path | None, name: str, arg: str) -> Path:
    p = Path(path) if path is not None else methods_dir() / "validation" / name
    if not p.is_file():
        raise DataError(
            f"EU CRM 2023 table {name} not found at {p}; pass its path with {arg}=... "
            "(it is ../shared/methods/validation/" + name + " in a source checkout, or set "
            "CRITMIN_SOURCE_DIR to the folder beside 'methods')"
        )
    return p


def eu_2023_results(path: str | Path | None = None) -> pd.DataFrame:
    """The EU CRM 2023 results table (90 materials) with a ``commodity_id`` column.

    Parameters
    ----------
    path : path, optional
        ``eu_crm_2023_results.csv``; default in :func:`methods_dir` ``/validation``.

    Returns
    -------
    pandas.DataFrame
        The file's columns as text (blank = not given) plus ``commodity_id`` (catalog, EU 2023
        names) and ``source_path``.

    Raises
    ------
    DataError
        If the file is absent (the message says how to pass it).
    """
    p = _path(path, RESULTS_FILE, "eu_results")
    df = pd.read_csv(p, dtype=str, keep_default_na=False)
    df["commodity_id"] = catalog.commodity_id_for(df["material"], source="eu_2023").to_numpy()
    df["source_path"] = str(p)
    return df


def trade_parameters(path: str | Path | None = None) -> pd.DataFrame:
    """EU CRM 2023 trade parameters t per material × country × stage × scope.

    Returns
    -------
    pandas.DataFrame
        ``material, country, t, stage, scope, source`` and ``commodity_id``, ``country_iso3``.
    """
    p = _path(path, TRADE_PARAMETERS_FILE, "trade_parameters")
    df = pd.read_csv(p, keep_default_na=False)
    df["commodity_id"] = catalog.commodity_id_for(df["material"], source="eu_2023").to_numpy()
    df["country_iso3"] = [catalog.resolve_country(c) for c in df["country"]]
    df["t"] = df["t"].astype(float)
    return df


def _num(text: str) -> float:
    return float(text) if str(text).strip() else float("nan")


def _decimals(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


def _rounded(value: float, ndigits: int) -> Decimal:
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-ndigits), ROUND_HALF_UP)


def reproduce_eu_2023(path: str | Path | None = None) -> pd.DataFrame:
    """Re-derive every row of the EU 2023 results table from its components.

    For each material: material SR = SR of the bottleneck stage = ``max(SR_E, SR_P)``
    (:func:`~critmin.criticality.material_supply_risk`, compared at the coarser published
    rounding, half-up), the bottleneck stage (:func:`~critmin.criticality.bottleneck_stage`; ties
    at the published rounding accepted) and the criticality rule ``SR ≥ 1 and EI ≥ 2.8``
    (:func:`~critmin.criticality.is_critical`) against the file's threshold column and the
    official 2023 list.  The stage SRs themselves cannot be recomputed: the file has no
    governance-weighted HHIs (see ``docs/methods/eu_crm_validation.md``).

    Parameters
    ----------
    path : path, optional
        ``eu_crm_2023_results.csv`` (default: the shared methods folder).

    Returns
    -------
    pandas.DataFrame
        One row per material: ``material, commodity_id, sr_published, ei, sr_extraction,
        sr_processing, bottleneck_published, sr_recomputed, bottleneck_recomputed,
        sr_reproduced, critical, threshold_published, rule_reproduced, official_list,
        list_reproduced`` (NA for group members the official list does not name) and
        ``reason`` (why a row does not reproduce).

    Raises
    ------
    DataError
        If the file is absent.

    Notes
    -----
    The same checks as ``tools/validate_eu_crm.py`` (which writes the validation page); with
    the 2023 table: 88 of 90 material SRs reproduce (not LREE, Praseodymium), the rule agrees
    on 90 of 90 rows and with the official list on 68 of 70 (copper and nickel are strategic,
    not critical).
    """
    table = eu_2023_results(path)
    rows = []
    for _, r in table.iterrows():
        e, p = _num(r["SR_extraction"]), _num(r["SR_processing"])
        sr_pub, ei = float(r["SR"]), float(r["EI"])
        flagged = r["bottleneck_stage_used"]
        flagged_text = r["SR_extraction"] if flagged == "Extraction" else r["SR_processing"]
        reasons: list[str] = []
        out: dict[str, object] = {
            "material": r["material"],
            "commodity_id": r["commodity_id"],
            "sr_published": sr_pub,
            "ei": ei,
            "sr_extraction": e,
            "sr_processing": p,
            "bottleneck_published": flagged,
        }
        if np.isnan(e) and np.isnan(p):
            out.update(sr_recomputed=np.nan, bottleneck_recomputed=None, sr_reproduced=False)
            reasons.append("no stage SR given")
        else:
            recomputed = float(material_supply_risk(e, p))
            stage = str(bottleneck_stage(e, p))
            texts = [t for t in (r["SR_extraction"], r["SR_processing"]) if t]
            nd = min(_decimals(r["SR"]), *(_decimals(t) for t in texts))
            ok = _rounded(recomputed, nd) == _rounded(sr_pub, nd)
            if not flagged_text:
                ok = False
                reasons.append(f"SR of the bottleneck stage ({flagged}) not given in the source")
            elif not ok:
                reasons.append(
                    f"max(stage SR) = {recomputed:g} ≠ published SR {r['SR']} at {nd} decimal(s)"
                )
            tie = not np.isnan(e) and not np.isnan(p) and _rounded(e, nd) == _rounded(p, nd)
            if flagged_text and stage != flagged and not tie:
                ok = False
                reasons.append(f"larger stage is {stage}, file flags {flagged}")
            out.update(sr_recomputed=recomputed, bottleneck_recomputed=stage, sr_reproduced=ok)
        if r["data_notes"] and not out["sr_reproduced"]:
            reasons.append(f"source note: {r['data_notes']}")
        crit = bool(is_critical(sr_pub, ei))
        official = r[_OFFICIAL_COL]
        out.update(
            critical=crit,
            threshold_published=r[_THRESHOLD_COL] == "yes",
            rule_reproduced=(r[_THRESHOLD_COL] == "yes") == crit,
            official_list=official,
            list_reproduced=(
                pd.NA if official.startswith("n/a") else bool((official == "yes") == crit)
            ),
        )
        if out["list_reproduced"] is False:
            reasons.append(
                f"official list says {official}, rule gives critical={crit}: listed as a "
                "strategic, not a critical, raw material (methods/01 §1.3)"
            )
        out["reason"] = "; ".join(reasons)
        rows.append(out)
    res = pd.DataFrame(rows)
    res["list_reproduced"] = res["list_reproduced"].astype("boolean")
    return res


# --------------------------------------------------------------------------------------------
# assessment of a country


@dataclass(frozen=True)
class EuCrmAssessment:
    """EU CRM supply risk of a country: results and the inputs behind them.

    Attributes
    ----------
    results : pandas.DataFrame
        One row per material (see :func:`eu_crm_supply_risk`).
    inputs : pandas.DataFrame
        ``commodity_id, material, input, value, detail, source, substitution``: every input of
        every SR, where it comes from and what it stands in for.
    """

    results: pd.DataFrame
    inputs: pd.DataFrame


_STAGE_WORD = {"mine": "Extraction"}


def _eu_stage(stage: str) -> str:
    return _STAGE_WORD.get(stage, "Processing")


def _shares_text(s: pd.Series, n: int = 5) -> str:
    top = s.sort_values(ascending=False).head(n)
    more = f" (+{len(s) - n} more)" if len(s) > n else ""
    return "; ".join(f"{k} {v:.3f}" for k, v in top.items()) + more


def _wgi_scaled(year: int) -> tuple[pd.Series, int | None]:
    """EU-scaled WGI (six-indicator mean) per country for `year` or the latest earlier year."""
    g = get_store().query(
        "SELECT country_iso3, year, indicator, estimate FROM governance "
        "WHERE country_iso3 IS NOT NULL AND year <= ?",
        [int(year)],
    )
    if g.empty:
        return pd.Series(dtype=float), None
    wy = int(g["year"].max())
    wide = g[g["year"] == wy].pivot_table(
        index="country_iso3", columns="indicator", values="estimate", aggfunc="mean"
    )
    mean = wide.reindex(columns=list(WGI_DIMENSIONS)).mean(axis=1, skipna=False)
    return eu_wgi_scaled(mean.dropna()), wy


def _hhi_wgi(shares: pd.Series, wgi: pd.Series, t: pd.Series | None) -> tuple[float, list[str]]:
    """HHI_WGI,t; suppliers without a WGI score contribute nothing (listed)."""
    pos = shares[shares > 0]
    lacking = sorted(set(pos.index) - set(wgi.index))
    w = wgi.reindex(pos.index).fillna(0.0)
    return wgi_weighted_hhi(pos / pos.sum(), w, t), lacking


def _trade(codes: list[str], year: int, country: str) -> tuple[pd.Series, float]:
    """Imports by partner [t] and total exports [t] of `country` over HS `codes` in `year`."""
    if not codes:
        return pd.Series(dtype=float), float("nan")
    q = get_store().query(
        "SELECT importer_iso3, exporter_iso3, sum(coalesce(quantity_t, 0)) AS q FROM trade "
        f"WHERE year = ? AND hs6 IN ({', '.join('?' * len(codes))}) "
        "AND (importer_iso3 = ? OR exporter_iso3 = ?) GROUP BY ALL",
        [int(year), *codes, country, country],
    )
    imp = q[(q["importer_iso3"] == country) & (q["exporter_iso3"] != country)]
    exp = q[(q["exporter_iso3"] == country) & (q["importer_iso3"] != country)]
    return imp.set_index("exporter_iso3")["q"].astype(float), float(exp["q"].sum())


def _production(commodity_id: str, year: int) -> tuple[pd.DataFrame, str]:
    """Country production rows [t] of one stage: WMD, else the newest USGS edition."""
    store = get_store()
    cols = "dataset, series, stage, country_iso3, value, unit, source_id"
    for where in ("dataset = 'wmd'", "dataset LIKE 'usgs_mcs%'"):
        d = store.query(
            f"SELECT {cols} FROM observations WHERE {where} AND measure = 'production' AND "
            "commodity_id = ? AND year = ? AND value IS NOT NULL",
            [commodity_id, int(year)],
        )
        codes = d["country_iso3"].fillna("")
        d = d.loc[np.array([bool(c) and not catalog.is_aggregate(c) for c in codes], dtype=bool)]
        d = d[d["stage"].isin(["mine", "refinery", "smelter", "processing", "primary"])]
        if d.empty:
            continue
        d = d[d["dataset"] == d["dataset"].max()]
        # one table: the stage and series with the most producing countries
        n = d.groupby(["stage", "series"])["country_iso3"].nunique()
        stage, series = n.sort_values(ascending=False).index[0]
        d = d[(d["stage"] == stage) & (d["series"] == series)]
        factor = MASS_UNITS.get(canonical_unit(d["unit"].iloc[0]))
        if factor is None:
            continue
        d = d.assign(value=d["value"].astype(float) * factor)
        d = d.groupby("country_iso3", as_index=False).agg(
            value=("value", "sum"),
            stage=("stage", "first"),
            dataset=("dataset", "first"),
            source_id=("source_id", "first"),
            series=("series", "first"),
        )
        return d, str(d["dataset"].iloc[0])
    return pd.DataFrame(), ""


def _add_input(
    rows: list[dict[str, object]],
    commodity_id: str,
    material: str,
    inp: str,
    value: float,
    detail: str,
    source: str,
    note: str = "",
) -> None:
    rows.append(
        {
            "commodity_id": commodity_id,
            "material": material,
            "input": inp,
            "value": value,
            "detail": detail,
            "source": source,
            "substitution": note,
        }
    )


def eu_crm_supply_risk(
    country: str,
    year: int | None = None,
    materials: str | Iterable[str] | None = None,
    *,
    eu_results: str | Path | None = None,
    trade_parameters_path: str | Path | None = None,
) -> EuCrmAssessment:
    """EU CRM supply risk of each material for `country`, with every input documented.

    Parameters
    ----------
    country : str
        Any name :func:`critmin.catalog.resolve_country` accepts (``"IND"``, ``"United
        States"``).
    year : int, optional
        Production and trade year; default the latest year with production and BACI trade
        (:func:`critmin.assessments.geopolrisk.available_years`).  The WGI of the same year is
        used, or of the latest earlier year the release covers.
    materials : str or iterable of str, optional
        Default every material of the EU 2023 table with production by country in `year`.
    eu_results, trade_parameters_path : path, optional
        The EU 2023 tables (default: the shared methods folder; see :func:`methods_dir`).

    Returns
    -------
    EuCrmAssessment
        ``results``: ``commodity_id, material, stage`` (``Extraction`` / ``Processing``, the
        stage of the production data), ``year, sourcing`` (``GS+country`` or ``GSonly``),
        ``hhi_gs, hhi_sourcing`` [-] (HHI_WGI,t), ``import_reliance, eol_rir, si_sr`` [-],
        ``sr`` [-], ``sr_at_least_1``, ``sr_eu_2023`` (the EU's published SR of the same stage,
        for comparison), ``top_producer, top_producer_share, top_source, top_source_share,
        production_dataset, wgi_year``; ``inputs``: see :class:`EuCrmAssessment`.

    Raises
    ------
    UnknownCountry, UnknownCommodity
        For names the catalog does not know.
    NoData
        If `year` lies outside the years with production and trade, or no material has data.
    DataError
        If the EU 2023 tables are absent (pass their paths).

    Notes
    -----
    ``SR = [HHI_GS·IR/2 + HHI_src·(1 − IR/2)]·(1 − EOL_RIR)·SI_SR``
    (:func:`critmin.criticality.supply_risk`; ``../shared/methods/01_eu_crm_methodology.md``
    §1.1).  Without any sourcing (the country neither produces nor imports the material's HS
    codes, or the material has no HS code) the global picture is used alone ("GSonly").
    """
    iso = catalog.resolve_country(country)
    (y,) = _check_years(year, available_years()) if year is not None else [available_years()[-1]]
    table = eu_2023_results(eu_results)
    tparams = trade_parameters(
        trade_parameters_path
        if trade_parameters_path is not None
        else Path(table["source_path"].iloc[0]).with_name(TRADE_PARAMETERS_FILE)
    )
    table = table[table["commodity_id"].notna()]
    if materials is not None:
        names = [materials] if isinstance(materials, str) else list(materials)
        wanted = {catalog.resolve_commodity(m) for m in names}
        table = table[table["commodity_id"].isin(wanted)]
        if table.empty:
            raise NoData(
                f"{sorted(wanted)} not in the EU CRM 2023 table; it covers "
                f"{sorted(eu_2023_results(eu_results)['commodity_id'].dropna())}"
            )
    mapping = material_map()
    hs = mapping.groupby("commodity_id")["hs6"].agg(lambda s: sorted(set(s)))
    eol_map = mapping.drop_duplicates("commodity_id").set_index("commodity_id")["eol_rir"]
    known_trade = set(traded([y])["commodity_id"])
    wgi, wgi_year = _wgi_scaled(y)
    wgi_note = (
        ""
        if wgi_year == y
        else f"WGI {wgi_year} stands in for {y} (the WGI release in the dataset ends in {wgi_year})"
    )
    name = catalog.country_name(iso)
    results: list[dict[str, object]] = []
    inputs: list[dict[str, object]] = []
    results_path = table["source_path"].iloc[0] if len(table) else ""
    for _, row in table.iterrows():
        cid = row["commodity_id"]
        prod, dataset = _production(cid, y)
        if prod.empty:
            continue
        stage = _eu_stage(str(prod["stage"].iloc[0]))
        mat = row["material"]

        add = partial(_add_input, inputs, cid, mat)

        world = prod.set_index("country_iso3")["value"]
        gshares = world / world.sum()
        prod_src = (
            f"{dataset}: {prod['source_id'].iloc[0]}, {y}, {prod['series'].iloc[0]} "
            f"({prod['stage'].iloc[0]}), {len(world)} producing countries"
        )
        add(
            "global supply shares",
            float(gshares.max()),
            _shares_text(gshares),
            prod_src,
            f"{y} production stands in for the EU's 2016-2020 average",
        )
        tg = tparams[
            (tparams["commodity_id"] == cid)
            & (tparams["stage"] == stage.lower())
            & (tparams["scope"] == "global_supply")
        ]
        t_global = tg.groupby("country_iso3")["t"].max() if len(tg) else None
        add(
            "t global supply",
            float(t_global.max()) if t_global is not None else 1.0,
            "; ".join(f"{k} {v:g}" for k, v in t_global.items())
            if t_global is not None
            else "none listed: t = 1 for every producer",
            f"{TRADE_PARAMETERS_FILE} ({_EU_STUDY})",
            "the EU 2023 export-restriction parameters (2016-2020) applied to " + str(y),
        )
        hhi_gs, lack_gs = _hhi_wgi(gshares, wgi, t_global)
        add(
            "WGI scaled",
            float((gshares**2 * wgi.reindex(gshares.index)).sum() / (gshares**2).sum()),
            "share²-weighted mean of (2.5 − mean of six WGI) × 2 over producers"
            + (f"; no WGI for {lack_gs} (terms left out)" if lack_gs else ""),
            f"World Bank WGI (governance table), {wgi_year}",
            wgi_note,
        )
        add("HHI_WGI,t global supply", hhi_gs, "Σ S² · WGI_scaled · t", "computed", "")

        codes = list(hs.get(cid, []))
        if codes and cid not in known_trade:
            codes = []  # BACI reports no trade in these codes this year: unknown, not zero
        imports, exports = _trade(codes, y, iso)
        own = float(world.get(iso, 0.0))
        sourcing = imports.copy()
        if own > 0:
            sourcing.loc[iso] = sourcing.get(iso, 0.0) + own
        sourcing = sourcing[sourcing > 0]
        trade_src = (
            f"BACI (trade), HS {', '.join(codes)}, {y}"
            if codes
            else (
                f"BACI reports no trade in HS {', '.join(hs.get(cid, []))} in {y}"
                if cid in hs.index
                else "no HS code for this material in wmd_hs_map"
            )
        )
        if codes and sourcing.sum() > 0:
            sshares = sourcing / sourcing.sum()
            hhi_src, lack_src = _hhi_wgi(sshares, wgi, None)
            m_tot = float(imports.sum())
            denom = own + m_tot - exports
            ir = float(np.clip((m_tot - exports) / denom, 0.0, 1.0)) if denom > 0 else 0.0
            kind = "GS+country"
            add(
                "sourcing shares",
                float(sshares.max()),
                _shares_text(sshares),
                f"{trade_src}; own production {prod_src.split(',')[0]}",
                f"{name}'s actual sourcing (own production + imports by partner) stands in "
                "for actual EU sourcing; production (content or stated basis) is added to "
                "traded gross tonnes",
            )
            add(
                "t sourcing",
                1.0,
                "t = 1 for every partner",
                "method default (unlisted countries t = 1)",
                "the EU's 0.8 for partners with an EU trade agreement does not carry over",
            )
            add(
                "HHI_WGI,t sourcing",
                hhi_src,
                "Σ S² · WGI_scaled"
                + (f"; no WGI for {lack_src} (terms left out)" if lack_src else ""),
                f"computed; World Bank WGI {wgi_year}",
                wgi_note,
            )
            add(
                "import reliance",
                ir,
                f"M {m_tot:,.0f} t, X {exports:,.0f} t, P {own:,.0f} t; (M − X)/(P + M − X) "
                "clipped to [0, 1]",
                f"{trade_src}; {prod_src.split(',')[0]} production",
                f"{name}'s import reliance stands in for the EU's",
            )
        else:
            hhi_src, ir, kind, sshares = np.nan, np.nan, "GSonly", pd.Series(dtype=float)
            add(
                "sourcing shares",
                np.nan,
                (
                    f"{name} neither produces nor imports it in {y}"
                    if codes
                    else "imports, exports and sourcing are unknown (no trade data)"
                )
                + ": global supply only",
                trade_src,
                "GSonly, as the EU method does where one picture is missing",
            )
        eol_pct = _num(row["EOL_RIR_pct"])
        if not np.isnan(eol_pct):
            eol, eol_src = eol_pct / 100.0, f"{RESULTS_FILE} EOL_RIR_pct ({_EU_STUDY})"
        else:
            eol = float(eol_map.get(cid, np.nan))
            eol_src = "wmd_hs_map eol_rir (World Mining Data hs_code_map 'EoL-RIR (2023)')"
        add(
            "EOL_RIR",
            eol,
            "end-of-life recycling input rate",
            eol_src,
            "the EU end-of-life recycling input rate (no national value in the dataset)",
        )
        si = _num(row["SI_SR"])
        add(
            "SI_SR",
            si,
            "substitution index for supply risk",
            f"{RESULTS_FILE} SI_SR ({_EU_STUDY})",
            "the EU 2023 substitution index (substitution options assumed the same)",
        )
        if np.isnan(si) or np.isnan(eol):
            sr = np.nan
        else:
            sr = float(
                supply_risk(
                    hhi_gs,
                    None if np.isnan(hhi_src) else hhi_src,
                    None if np.isnan(ir) else ir,
                    eol,
                    si,
                )
            )
        add(
            "SR",
            sr,
            "[HHI_GS·IR/2 + HHI_src·(1 − IR/2)]·(1 − EOL_RIR)·SI_SR"
            if kind != "GSonly"
            else "HHI_GS·(1 − EOL_RIR)·SI_SR",
            "computed (critmin.criticality.supply_risk)",
            "" if not np.isnan(sr) else "not computed: SI_SR or EOL_RIR missing in the source",
        )
        pub = _num(row["SR_extraction" if stage == "Extraction" else "SR_processing"])
        top_p = gshares.idxmax()
        results.append(
            {
                "commodity_id": cid,
                "material": mat,
                "stage": stage,
                "year": y,
                "sourcing": kind,
                "hhi_gs": hhi_gs,
                "hhi_sourcing": hhi_src,
                "import_reliance": ir,
                "eol_rir": eol,
                "si_sr": si,
                "sr": sr,
                "sr_at_least_1": bool(sr >= SR_THRESHOLD) if not np.isnan(sr) else pd.NA,
                "sr_eu_2023": pub,
                "top_producer": top_p,
                "top_producer_share": float(gshares.max()),
                "top_source": sshares.idxmax() if len(sshares) else None,
                "top_source_share": float(sshares.max()) if len(sshares) else np.nan,
                "production_dataset": dataset,
                "wgi_year": wgi_year,
            }
        )
    if not results:
        raise NoData(
            f"no EU CRM material has production by country in {y}; years with production "
            f"and trade: {available_years()}"
        )
    res = pd.DataFrame(results).sort_values("sr", ascending=False, ignore_index=True)
    res["sr_at_least_1"] = res["sr_at_least_1"].astype("boolean")
    inp = pd.DataFrame(inputs)
    inp.attrs["eu_results"] = results_path
    res.attrs["country"] = iso
    return EuCrmAssessment(results=res, inputs=inp)
