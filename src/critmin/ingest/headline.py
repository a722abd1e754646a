"""Headline series: one USGS series per commodity, stage and measure, the same in every year.

A USGS world table can hold several series for one commodity and stage: silicon smelter
production is published as ferrosilicon *and* silicon metal, iron-ore mine production as
iron content *and* usable ore, titanium concentrates as ilmenite, rutile and their sum.  A
rule that picks "the series with the largest world total" per year flips between them
(silicon: silicon metal in 2024, ferrosilicon in 2025 in MCS 2026), and the editions label
the same series differently ('Plant production, silicon metal' in MCS 2025, 'Silicon metal'
in MCS 2026).  So the choice is written down once per commodity in :data:`HEADLINE_RULES`:
a regular expression over the text ``"<series> [<basis>]"`` of a row, with the reason.

* A (commodity, stage, measure) with a rule keeps the rows whose text matches it, in every
  edition and year (a year whose edition publishes no matching series has no headline row).
* Without a rule the commodity publishes one series per edition and year, which is its
  headline series.  Should a future edition add a second series, :func:`headline_mask`
  keeps, per edition, the series with the largest world total summed over all its years
  (stable across years) and logs a warning asking for a rule.

The rules are documented in ``docs/data.md`` ("Headline series"); the tests check that the
default query of every commodity and stage returns one series, on one basis and unit,
across all years.
"""

from __future__ import annotations

import logging
import re

import pandas as pd

__all__ = ["HEADLINE_RULES", "headline_mask", "headline_rule", "rules_table"]

logger = logging.getLogger(__name__)

#: (commodity_id, stage, measure) -> (regex on "<series> [<basis>]", reason).  Case-insensitive.
HEADLINE_RULES: dict[tuple[str, str, str], tuple[str, str]] = {
    ("silicon", "smelter", "production"): (
        r"silicon metal",
        "silicon metal, not ferrosilicon: the elemental product (the EU CRM 2023 list, catalog "
        "column eu_2023_name, names 'Silicon metal'); ferrosilicon is an iron alloy",
    ),
    ("iron_ore", "mine", "production"): (
        r"\[iron content\]",
        "iron content, as the metal content of every other ore; usable ore stays a series",
    ),
    ("iron_ore", "mine", "reserves"): (
        r"\[iron content\]",
        "iron content, the basis of the headline production",
    ),
    ("chromium", "mine", "reserves"): (
        r"\[gross weight\]",
        "ore (gross weight), the basis of chromium mine production, so reserves / production "
        "is a ratio of like quantities; MCS 2026 also gives 2025 reserves as Cr2O3 content",
    ),
    ("potash", "mine", "reserves"): (
        r"\[K2O equivalent\]",
        "K2O equivalent, the basis of potash mine production (not recoverable ore)",
    ),
    ("titanium_mineral_concentrates", "mine", "production"): (
        r"ilmenite and rutile",
        "ilmenite and rutile together: the total of the commodity, not one mineral",
    ),
    ("titanium_mineral_concentrates", "mine", "reserves"): (
        r"ilmenite and rutile",
        "ilmenite and rutile together, as production",
    ),
    ("mica", "mine", "production"): (
        r"scrap and flake",
        "scrap and flake mica, the table with a world total (sheet mica has none)",
    ),
    ("mica", "mine", "reserves"): (
        r"scrap and flake",
        "scrap and flake mica, as production",
    ),
    ("clays", "mine", "production"): (
        r"kaolin",
        "kaolin, the clay with the largest world total in every year",
    ),
    ("abrasives_manufactured", "processing", "capacity"): (
        r"fused aluminum oxide",
        "fused aluminum oxide, the larger capacity in every year",
    ),
    ("soda_ash", "mine", "reserves"): (
        r"natural(?! and)",
        "natural soda ash: synthetic soda ash is made, not mined",
    ),
    ("boron", "total", "production"): (
        r"all (?:forms|types)",
        "boron of all forms, the commodity total",
    ),
    ("boron", "mine", "production"): (
        r"crude ore",
        "crude ore, the mined form listed first",
    ),
    ("cement", "processing", "production"): (
        r"^cement production",
        "cement; 'Clinker capacity' (MCS 2025) is a capacity published in the production column",
    ),
}

_RULE_RES = {k: re.compile(p, re.IGNORECASE) for k, (p, _r) in HEADLINE_RULES.items()}


def headline_rule(commodity_id: str, stage: str, measure: str) -> tuple[str, str] | None:
    """Return the (pattern, reason) rule of a commodity, stage and measure, or None.

    >>> headline_rule("silicon", "smelter", "production")[0]
    'silicon metal'
    >>> headline_rule("lithium", "mine", "production") is None
    True
    """
    return HEADLINE_RULES.get((commodity_id, stage, measure))


def rules_table() -> pd.DataFrame:
    """The rules as a table: commodity_id, stage, measure, pattern, reason (for the docs)."""
    rows = [(c, s, m, p, r) for (c, s, m), (p, r) in HEADLINE_RULES.items()]
    return pd.DataFrame(rows, columns=["commodity_id", "stage", "measure", "pattern", "reason"])


def _row_text(df: pd.DataFrame) -> pd.Series:
    return df["series"].astype(str) + " [" + df["basis"].fillna("").astype(str) + "]"


def headline_mask(df: pd.DataFrame, *, fallback: bool = True) -> pd.Series:
    """True for the rows of the headline series (see the module docstring).

    Parameters
    ----------
    df : pandas.DataFrame
        Observation rows of one source family (USGS world tables), with columns
        ``dataset``, ``commodity_id``, ``stage``, ``measure``, ``series``, ``basis``,
        ``year``, ``country_iso3``, ``value``.
    fallback : bool, default True
        Choose among several series of a group without a rule (largest total over all
        years, per edition, with a warning).  ``False`` keeps such groups whole (for callers
        that choose their own main series, e.g. :func:`critmin.ingest.reconcile.compare_sources`).

    Returns
    -------
    pandas.Series of bool
        Aligned with ``df``.
    """
    keep = pd.Series(True, index=df.index)
    if df.empty:
        return keep
    text = _row_text(df)
    for (cid, stage, measure), part in df.groupby(
        ["commodity_id", "stage", "measure"], sort=False, dropna=False
    ):
        rx = _RULE_RES.get((cid, stage, measure))
        if rx is not None:
            keep.loc[part.index] = text.loc[part.index].map(lambda t, r=rx: bool(r.search(t)))
            continue
        n = part.groupby(["dataset", "year"])["series"].nunique()
        if not fallback or n.max() <= 1:
            continue
        for ds, d in part.groupby("dataset"):
            if d.groupby("year")["series"].nunique().max() <= 1:
                continue
            world = d[d["country_iso3"] == "WLD"].groupby("series")["value"].sum()
            alls = d.groupby("series")["value"].sum()
            score = world.reindex(alls.index).fillna(alls)
            best = score.idxmax()
            logger.warning(
                "%s %s %s in %s: several series %s and no headline rule; kept %r (largest "
                "total over all years). Add a rule to critmin.ingest.headline.HEADLINE_RULES.",
                cid,
                stage,
                measure,
                ds,
                sorted(alls.index),
                best,
            )
            keep.loc[d.index] = d["series"] == best
    return keep
