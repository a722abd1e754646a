"""Reconciliation: stated world totals against the sum of country rows, and USGS against WMD.

A stated world total is kept as published, never replaced by a sum.  The difference is a
reconciliation figure, explained where the source explains it:

* ``Other countries`` rows (aggregate code ``ROW``) are part of the world total;
* withheld country figures (``W``) are missing from the sum;
* world totals are *rounded* by the source: a gap no larger than the rounding granularity of
  the stated total (the largest power of ten dividing it, e.g. 1,000 for 222,000) is "within
  rounding";
* notes such as "Excludes U.S. production" say a country is outside the total;
* country rows without a figure whose note says "Included in World total" are in the total
  but not in the sum;
* country rows printed below the total row of their table (World Mining Data appends some
  producers under its 'Total' line) are outside that total;
* a published group of countries (``USA_CAN``) is part of the sum, and a country listed twice
  with the same figure in one series is counted once;
* a total published as a lower bound (``'>1,200,000'``) may exceed its listed rows;
* a stated total that is a power of ten away from its rows stays a gap, described as a
  probable digit slip in the source.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from critmin.ingest.headline import headline_mask

__all__ = ["reconcile_totals", "compare_sources", "rounding_granularity", "WORLD", "OTHERS"]

WORLD = "WLD"
OTHERS = "ROW"
_KEY = ["dataset", "commodity_id", "series", "stage", "measure", "year", "unit", "basis"]
_RECONCILIATION_COLUMNS = [
    *_KEY,
    "world_stated",
    "countries_sum",
    "others_stated",
    "n_countries",
    "withheld",
    "gap",
    "gap_pct",
    "status",
    "explanation",
]


def rounding_granularity(total: float) -> float:
    """Largest power of ten (>= 1) that divides a stated total, as a rounding bound.

    >>> rounding_granularity(222000.0)
    1000.0
    >>> rounding_granularity(290000.0)
    10000.0
    >>> rounding_granularity(1234.5)
    1.0
    """
    if not np.isfinite(total) or total <= 0 or total != math.floor(total):
        return 1.0
    g, t = 1.0, int(total)
    while t % 10 == 0 and t > 0:
        t //= 10
        g *= 10.0
    return g


def reconcile_totals(obs: pd.DataFrame, tolerance_pct: float = 0.5) -> pd.DataFrame:
    """Compare each stated world total with the sum of its country rows.

    Parameters
    ----------
    obs : pandas.DataFrame
        Observations (``critmin.ingest.schema.TABLES['observations']`` columns).
    tolerance_pct : float, default 0.5
        Gaps up to this share of the world total [%] count as matching (on top of rounding).

    Returns
    -------
    pandas.DataFrame
        One row per series with a stated world total: ``world_stated``, ``countries_sum``,
        ``others_stated``, ``n_countries``, ``withheld`` (ISO3 list), ``gap`` (world − countries −
        others), ``gap_pct`` [%], ``status`` (matches, within rounding, explained, gap) and
        ``explanation`` in words.
    """
    world = obs[(obs["country_iso3"] == WORLD) & obs["value"].notna()]
    if world.empty:
        return pd.DataFrame(columns=_RECONCILIATION_COLUMNS)
    # If a series states several world rows (e.g. two roundings), keep the first as published.
    world = world.sort_values("source_row").drop_duplicates(_KEY)
    world_pos = world[[*_KEY, "source_id", "source_row"]].rename(
        columns={"source_id": "world_source", "source_row": "world_row"}
    )
    world = world[[*_KEY, "value", "note", "flag"]].rename(
        columns={"value": "world_stated", "note": "world_note", "flag": "world_flag"}
    )
    keyed = obs.merge(world[_KEY], on=_KEY, how="inner")
    iso = keyed["country_iso3"].fillna("")
    # a country (ISO3) or a published group of countries ('United States and Canada': USA_CAN)
    is_country = ~iso.isin([WORLD, OTHERS]) & iso.str.fullmatch(r"[A-Z]{3}(?:_[A-Z]{3})*")
    countries = keyed[is_country]
    # a country listed twice with the same figure in one series (MCS 2026 repeats the U.S.
    # salient-statistics mine production of palladium and platinum next to the world table)
    # is one country row
    countries = countries.drop_duplicates([*_KEY, "country_iso3", "value"])
    included = (
        countries[
            countries["value"].isna()
            & countries["note"].str.contains(r"included in world total", case=False, na=False)
        ]
        .groupby(_KEY, dropna=False)["country_iso3"]
        .agg(lambda s: ",".join(sorted(set(s))))
        .rename("included")
    )
    agg = countries.groupby(_KEY, dropna=False).agg(
        countries_sum=("value", lambda v: float(np.nansum(v))),
        n_countries=("value", lambda v: int(v.notna().sum())),
    )
    wh = (
        countries[countries["flag"].str.contains("withheld", na=False)]
        .groupby(_KEY, dropna=False)["country_iso3"]
        .agg(lambda s: ",".join(sorted(set(s))))
        .rename("withheld")
    )
    others = (
        keyed[iso == OTHERS]
        .groupby(_KEY, dropna=False)["value"]
        .agg(lambda v: float(np.nansum(v)))
        .rename("others_stated")
    )
    # country rows printed after the total row of their table (World Mining Data appends a
    # few producers below the 'Total' line)
    pos = countries.merge(world_pos, on=_KEY, how="left")
    after = pos[
        (pos["source_id"] == pos["world_source"])
        & (pos["source_row"] > pos["world_row"])
        & pos["value"].notna()
    ]
    after = after.groupby(_KEY, dropna=False).agg(
        after_sum=("value", "sum"),
        after=("country_iso3", lambda s: ",".join(sorted(set(s)))),
    )
    out = (
        world.set_index(_KEY).join(agg).join(others).join(wh).join(included).join(after)
    ).reset_index()
    out["included"] = out["included"].fillna("")
    out["after"] = out["after"].fillna("")
    out["after_sum"] = out["after_sum"].fillna(0.0)
    out["countries_sum"] = out["countries_sum"].fillna(0.0)
    out["n_countries"] = out["n_countries"].fillna(0).astype(int)
    out["others_stated"] = out["others_stated"].fillna(0.0)
    out["withheld"] = out["withheld"].fillna("")
    out["gap"] = out["world_stated"] - out["countries_sum"] - out["others_stated"]
    out["gap_pct"] = np.where(
        out["world_stated"] > 0, 100 * out["gap"] / out["world_stated"], np.nan
    )
    status, why = zip(*(_explain(r) for r in out.itertuples(index=False)), strict=True)
    out["status"], out["explanation"] = list(status), list(why)
    return out[_RECONCILIATION_COLUMNS]


def _explain(r) -> tuple[str, str]:  # noqa: ANN001 - a namedtuple row
    parts = []
    if r.others_stated:
        parts.append(f"'Other countries' stated ({r.others_stated:,.6g})")
    if r.n_countries == 0:
        return "world only", "only a world total is published for this series"
    gran = rounding_granularity(r.world_stated)
    tol = max(gran, abs(r.world_stated) * 0.005)
    note = str(r.world_note or "")
    if abs(r.gap) <= 1e-9 * max(1.0, abs(r.world_stated)):
        return "matches", "; ".join(parts) or "sum of countries equals the stated total"
    if abs(r.gap) <= tol:
        parts.append(f"world total rounded (granularity {gran:,.0f})")
        return "within rounding", "; ".join(parts)
    if r.withheld and r.gap > 0:
        parts.append(f"withheld (W) figures missing from the sum: {r.withheld}")
        return "explained", "; ".join(parts)
    if "xclude" in note:
        parts.append(f"world note: {note.strip()[:80]}")
        return "explained", "; ".join(parts)
    after_sum = getattr(r, "after_sum", 0.0)
    if after_sum and r.gap < 0 and abs(r.gap + after_sum) <= tol:
        parts.append(
            f"the stated total leaves out the rows listed after it: {r.after} "
            f"({after_sum:,.6g}); the rows above it add up to it"
        )
        return "explained", "; ".join(parts)
    if "lower_bound" in str(r.world_flag or "") and r.gap > 0 and not r.others_stated:
        parts.append(
            f"world total published as a lower bound ('more than'); the remaining "
            f"{r.gap:,.6g} is not assigned to countries"
        )
        return "explained", "; ".join(parts)
    if getattr(r, "included", "") and r.gap > 0:
        parts.append(f"figures the source notes as 'Included in World total': {r.included}")
        return "explained", "; ".join(parts)
    listed = r.countries_sum + r.others_stated
    if r.world_stated > 0 and listed > 0:
        ratio = listed / r.world_stated
        power = round(math.log10(ratio))
        if power != 0 and abs(listed - r.world_stated * 10.0**power) <= tol * 10.0**power:
            parts.append(
                f"unexplained gap {r.gap:,.6g} ({r.gap_pct:.1f}% of world): the rows add up to "
                f"{10**power:g} times the stated total (a digit slip in the source?)"
            )
            return "gap", "; ".join(parts)
    parts.append(f"unexplained gap {r.gap:,.6g} ({r.gap_pct:.1f}% of world)")
    return "gap", "; ".join(parts)


def compare_sources(
    obs: pd.DataFrame,
    a: str = "usgs",
    b: str = "wmd",
    stage: str = "mine",
) -> pd.DataFrame:
    """Compare country shares of production between two sources, per commodity and year.

    Shares are unit-free, so sources reporting on different bases (lithium content vs
    Li2O) can be compared.  USGS shares use the stated world total; a source without one
    (WMD) uses the sum of its country rows.  USGS rows are those of the headline series
    where :data:`critmin.ingest.headline.HEADLINE_RULES` names one (silicon: silicon metal in
    every year), else the series with the largest total.

    Parameters
    ----------
    obs : pandas.DataFrame
        Observations.
    a, b : str
        Dataset prefixes (``'usgs'`` matches every ``usgs_mcs*`` edition; the newest edition
        wins for a year both cover).
    stage : str
        Stage to compare.

    Returns
    -------
    pandas.DataFrame
        commodity_id, year, top_a, top_a_share, top_b, top_b_share, same_top (bool),
        max_abs_share_diff [share points, 0-1], n_common.
    """
    rows = []
    sa, sb = (_shares_by(obs, p, stage) for p in (a, b))
    if sa.empty or sb.empty:
        return pd.DataFrame(
            columns=[
                "commodity_id",
                "year",
                "top_a",
                "top_a_share",
                "top_b",
                "top_b_share",
                "same_top",
                "max_abs_share_diff",
                "n_common",
            ]
        )
    common = (
        sa[["commodity_id", "year"]]
        .drop_duplicates()
        .merge(sb[["commodity_id", "year"]].drop_duplicates())
    )
    ga = dict(tuple(sa.groupby(["commodity_id", "year"])))
    gb = dict(tuple(sb.groupby(["commodity_id", "year"])))
    for cid, yr in common.itertuples(index=False):
        xa = ga[(cid, yr)].set_index("country_iso3")["share"]
        xb = gb[(cid, yr)].set_index("country_iso3")["share"]
        both = pd.concat([xa, xb], axis=1, keys=["a", "b"]).fillna(0.0)
        rows.append(
            {
                "commodity_id": cid,
                "year": int(yr),
                "top_a": xa.idxmax(),
                "top_a_share": float(xa.max()),
                "top_b": xb.idxmax(),
                "top_b_share": float(xb.max()),
                "same_top": xa.idxmax() == xb.idxmax(),
                "max_abs_share_diff": float((both["a"] - both["b"]).abs().max()),
                "n_common": int(((both["a"] > 0) & (both["b"] > 0)).sum()),
            }
        )
    return pd.DataFrame(rows)


def _shares_by(obs: pd.DataFrame, prefix: str, stage: str) -> pd.DataFrame:
    d = obs[
        obs["dataset"].str.startswith(prefix)
        & (obs["stage"] == stage)
        & (obs["measure"] == "production")
        & obs["commodity_id"].notna()
    ]
    if d.empty:
        return pd.DataFrame(columns=["commodity_id", "year", "country_iso3", "share"])
    if prefix.startswith("usgs"):  # the headline series where a rule names it (silicon metal)
        d = d[headline_mask(d, fallback=False).to_numpy()]
    # one series per commodity-year: newest edition, then the series with the largest total
    d = d.sort_values("dataset", ascending=False)
    newest = d.groupby(["commodity_id", "year"])["dataset"].transform("first")
    d = d[d["dataset"] == newest]
    tot = d[d["country_iso3"] == WORLD].groupby(["commodity_id", "year", "series"])["value"].sum()
    iso = d["country_iso3"].fillna("")
    c = d[~iso.isin([WORLD, OTHERS]) & (iso.str.len() == 3)]
    csum = c.groupby(["commodity_id", "year", "series"])["value"].sum()
    # without a stated world total the sum of countries is the denominator, but only for a
    # table of several countries: a U.S.-only salient series is not a world table
    n = c.groupby(["commodity_id", "year", "series"])["country_iso3"].nunique()
    denom = tot.reindex(csum.index).fillna(csum.where(n >= 2)).where(lambda s: s > 0)
    # a commodity-year whose totals are all zero or missing has no share to compare
    main_series = denom.dropna().groupby(level=[0, 1]).idxmax()
    keep = pd.MultiIndex.from_tuples(
        list(main_series.values), names=["commodity_id", "year", "series"]
    )
    c = c.set_index(["commodity_id", "year", "series"]).loc[lambda x: x.index.isin(keep)]
    c = c.assign(share=c["value"] / denom.reindex(c.index).values).reset_index()
    # a country listed twice with the same figure counts once (as in reconcile_totals);
    # a country with several rows of different figures (sub-forms) counts their sum
    c = c.drop_duplicates(["commodity_id", "year", "series", "country_iso3", "value"])
    c = c.groupby(["commodity_id", "year", "country_iso3"], as_index=False)["share"].sum()
    return c[["commodity_id", "year", "country_iso3", "share"]].dropna()
