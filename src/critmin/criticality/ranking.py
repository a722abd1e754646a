"""Ranking minerals by supply risk, and how the ranking depends on the choices behind it.

Pure functions on DataFrames: they never read the store (``critmin.assessments.risk`` fetches
the indicators and calls them).

Score
-----
Each indicator ``k`` chosen for the score is rescaled across the minerals ranked to 0..1
(min-max: ``z_k = (x_k − min_k) / (max_k − min_k)``; a constant indicator gives 0 everywhere),
so that indicators on different scales (HHI 0..1, HHI_WGI 0..10, import reliance 0..1,
GeoPolRisk 0..1 but usually < 0.1) weigh as their weights say:

.. code-block:: text

    score_m = Σ_k w_k · z_mk / Σ_{k: x_mk known} w_k            [-], 0..1

Indicators a mineral lacks (NaN) are left out of its score and the weights of the others are
renormalised (``n_indicators`` counts those used); a mineral with none has no score and is
ranked last.  Ranks run 1 (riskiest) .. n, a permutation: ties in score keep the input order
(stable sort).

Min-max rescaling is the usual choice in composite supply-risk indices (e.g. the EU CRM method
rescales its components to fixed scales before combining); it is sensitive to the extremes of
the minerals ranked, which is why :func:`ranking_sensitivity` reports how ranks move.

Sensitivity
-----------
:func:`ranking_sensitivity` takes several rankings of the same minerals (by indicator, year,
stage, weights) and returns the Spearman rank correlation between every pair (over the minerals
both rank) and, per mineral, its rank under each variant with the range (max − min).

Examples
--------
>>> import pandas as pd
>>> ind = pd.DataFrame({"hhi": [0.75, 0.25, 0.5], "import_reliance": [1.0, 0.25, 0.0]},
...                    index=pd.Index(["cobalt", "copper", "lithium"], name="commodity_id"))
>>> rank_minerals(ind)[["rank", "score"]]  # doctest: +NORMALIZE_WHITESPACE
              rank  score
commodity_id
cobalt           1  1.000
lithium          2  0.250
copper           3  0.125
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from critmin.errors import MethodError

__all__ = [
    "DEFAULT_WEIGHTS",
    "RankingSensitivity",
    "driver_text",
    "minmax",
    "rank_minerals",
    "ranking_sensitivity",
]

#: Indicators in the default score and their weights [-]: concentration of the stage that drives
#: the risk (HHI), the same weighted by governance (EU HHI_WGI), import reliance and the
#: GeoPolRisk score.  List membership and export controls are shown beside the ranking but are
#: not in the default score (pass weights to include them).
DEFAULT_WEIGHTS: dict[str, float] = {
    "hhi": 1.0,
    "wgi_hhi": 1.0,
    "import_reliance": 1.0,
    "geopolrisk": 1.0,
}

#: Words used for a stage in a driver text.
STAGE_WORDS = {
    "mine": "mining",
    "refinery": "refining",
    "smelter": "smelting",
    "processing": "processing",
    "primary": "primary output",
}


def driver_text(country: str, share: float, stage: str) -> str:
    """The driver of a mineral's risk in words: its top producer and share of a stage.

    Parameters
    ----------
    country : str
        Name of the largest producer.
    share : float
        Its share of world production of the stage [-] (fraction).
    stage : str
        ``'mine'``, ``'refinery'``, ... (see :data:`STAGE_WORDS`).

    Returns
    -------
    str
        E.g. ``'China 69% of mining'``; empty when the share is unknown.

    Examples
    --------
    >>> driver_text("China", 0.6934, "mine"), driver_text("Indonesia", 0.5, "refinery")
    ('China 69% of mining', 'Indonesia 50% of refining')
    """
    if share is None or not np.isfinite(share) or not country:
        return ""
    return f"{country} {100 * share:.0f}% of {STAGE_WORDS.get(stage, stage)}"


def minmax(values: pd.Series) -> pd.Series:
    """Rescale to 0..1 across entries: ``(x − min) / (max − min)`` (NaN kept; constant -> 0).

    Examples
    --------
    >>> minmax(pd.Series([2.0, 4.0, float("nan"), 3.0])).tolist()
    [0.0, 1.0, nan, 0.5]
    """
    x = _as_float(pd.Series(values))
    lo, hi = x.min(), x.max()
    if not np.isfinite(lo) or hi == lo:
        return x.where(x.isna(), 0.0)
    return (x - lo) / (hi - lo)


def _weights(indicators: pd.DataFrame, weights: Mapping[str, float] | None) -> dict[str, float]:
    if weights is None:
        w = {k: v for k, v in DEFAULT_WEIGHTS.items() if k in indicators.columns}
        if not w:
            raise MethodError(
                f"none of the default indicators {list(DEFAULT_WEIGHTS)} is a column of the "
                f"table (it has {list(indicators.columns)}); pass weights={{column: weight}}"
            )
        return w
    w = {str(k): float(v) for k, v in weights.items()}
    missing = sorted(set(w) - set(indicators.columns))
    if missing:
        raise MethodError(
            f"weights name indicator(s) {missing} that are not columns of the table; "
            f"columns: {list(indicators.columns)}"
        )
    bad = {k: v for k, v in w.items() if not np.isfinite(v) or v < 0}
    if bad:
        raise MethodError(f"weights must be finite and >= 0; got {bad}")
    w = {k: v for k, v in w.items() if v > 0}
    if not w:
        raise MethodError("all weights are 0; give at least one positive weight")
    for k in w:
        if not pd.api.types.is_numeric_dtype(indicators[k]):
            raise MethodError(f"indicator {k!r} is not numeric (dtype {indicators[k].dtype})")
    return w


def _as_float(s: pd.Series) -> pd.Series:
    """Float copy of a numeric, boolean or nullable column (NA -> NaN)."""
    return pd.Series(s.to_numpy(dtype=float, na_value=np.nan), index=s.index, name=s.name)


def rank_minerals(
    indicators: pd.DataFrame,
    weights: Mapping[str, float] | None = None,
    by: str = "score",
) -> pd.DataFrame:
    """Rank minerals by a weighted score of indicators, or by one indicator.

    Parameters
    ----------
    indicators : pandas.DataFrame
        One row per mineral (the index names it, e.g. ``commodity_id``), numeric indicator
        columns where larger = riskier (e.g. ``hhi``, ``wgi_hhi``, ``import_reliance``,
        ``geopolrisk``), and any other columns (a ``driver`` text, sources) passed through.
    weights : mapping, optional
        Indicator column -> weight >= 0; default :data:`DEFAULT_WEIGHTS` restricted to the
        columns present.
    by : str, default 'score'
        ``'score'`` ranks by the weighted score; an indicator column ranks by that column alone
        (larger first).

    Returns
    -------
    pandas.DataFrame
        The input rows sorted riskiest first with ``rank`` (1..n, a permutation), ``score``
        [-] (0..1; NaN without any indicator), ``n_indicators`` (how many entered the score)
        and ``z_<indicator>`` (each rescaled indicator) in front of the original columns.

    Raises
    ------
    MethodError
        If the table is empty or has repeated minerals, a weight names a missing or
        non-numeric column, a weight is negative, all weights are 0, or `by` is unknown.

    Notes
    -----
    ``score = Σ w·z / Σ w`` over the indicators known for the mineral, ``z`` the min-max
    rescaled indicator (module docstring).  Giving weight to one indicator only sorts by that
    indicator (min-max rescaling is monotonic).

    Examples
    --------
    >>> import pandas as pd
    >>> ind = pd.DataFrame({"hhi": [0.6, 0.2], "import_reliance": [0.1, 0.9]},
    ...                    index=["cobalt", "copper"])
    >>> rank_minerals(ind, weights={"import_reliance": 1})["rank"].to_dict()
    {'copper': 1, 'cobalt': 2}
    """
    if not isinstance(indicators, pd.DataFrame) or indicators.empty:
        raise MethodError("indicators must be a non-empty DataFrame, one row per mineral")
    if indicators.index.has_duplicates:
        dups = sorted({str(k) for k in indicators.index[indicators.index.duplicated()]})
        raise MethodError(f"indicators repeat mineral(s) {dups[:10]}; give one row per mineral")
    w = _weights(indicators, weights)
    z = pd.DataFrame({f"z_{k}": minmax(indicators[k]) for k in w}, index=indicators.index)
    wv = np.array([w[k] for k in w])
    zv = z.to_numpy(dtype=float)
    known = ~np.isnan(zv)
    wsum = (known * wv).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(wsum > 0, np.nansum(zv * wv, axis=1) / wsum, np.nan)
    out = pd.concat(
        [
            pd.DataFrame(
                {"score": score, "n_indicators": known.sum(axis=1)}, index=indicators.index
            ),
            z,
            indicators.drop(columns=[c for c in ("rank", "score") if c in indicators]),
        ],
        axis=1,
    )
    if by == "score":
        key = out["score"]
    elif by in indicators.columns:
        if not pd.api.types.is_numeric_dtype(indicators[by]):
            raise MethodError(f"cannot rank by {by!r}: not numeric (dtype {indicators[by].dtype})")
        key = _as_float(indicators[by])
    else:
        raise MethodError(
            f"by must be 'score' or an indicator column; got {by!r} (columns: "
            f"{list(indicators.columns)})"
        )
    order = np.lexsort((np.arange(len(out)), -key.fillna(-np.inf).to_numpy(), key.isna()))
    out = out.iloc[order]
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    out.attrs["by"] = by
    out.attrs["weights"] = w
    return out


@dataclass(frozen=True)
class RankingSensitivity:
    """How a ranking changes across variants (indicator, year, stage, weights).

    Attributes
    ----------
    spearman : pandas.DataFrame
        Variant × variant Spearman rank correlation [-] over the minerals both variants rank
        (NaN where fewer than 3 are in common).
    ranks : pandas.DataFrame
        Mineral × variant rank (1 = riskiest among the minerals the variant ranks; NaN where it
        has no value), then ``min_rank``, ``max_rank``, ``rank_range`` (= max − min) and
        ``n_variants``; sorted by the first variant's rank.
    """

    spearman: pd.DataFrame
    ranks: pd.DataFrame


def ranking_sensitivity(variants: Mapping[str, pd.Series | pd.DataFrame]) -> RankingSensitivity:
    """Spearman rank correlation between rankings, and each mineral's rank range.

    Parameters
    ----------
    variants : mapping
        Name -> ranking.  A ranking is a Series of values where larger = riskier (a score or
        an indicator), indexed by mineral, or a DataFrame from :func:`rank_minerals` (its
        ``by`` column, or ``score``, is used).  NaN = the variant does not rank that mineral.

    Returns
    -------
    RankingSensitivity
        ``spearman`` (variant × variant) and ``ranks`` (mineral × variant, with the range).

    Raises
    ------
    MethodError
        If fewer than two variants are given or a variant repeats a mineral.

    Notes
    -----
    Spearman's ρ is the Pearson correlation of the ranks, computed pairwise over the minerals
    both variants rank (average ranks for ties; pandas ``corr(method="spearman")``).

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.Series({"co": 3.0, "li": 2.0, "ni": 1.0})
    >>> b = pd.Series({"co": 1.0, "li": 2.0, "ni": 3.0})
    >>> s = ranking_sensitivity({"a": a, "b": b, "a again": a})
    >>> s.spearman.round(6).loc["a", ["b", "a again"]].tolist()
    [-1.0, 1.0]
    >>> s.ranks.loc["co", ["a", "b", "rank_range"]].tolist()
    [1.0, 3.0, 2.0]
    """
    if len(variants) < 2:
        raise MethodError("give at least two variants to compare")
    values = {}
    for name, v in variants.items():
        if isinstance(v, pd.DataFrame):
            by = v.attrs.get("by", "score")
            col = by if by in v.columns else "score"
            if col not in v.columns:
                raise MethodError(f"variant {name!r} has no {col!r} column")
            s = v[col]
        else:
            s = v
        if s.index.has_duplicates:
            raise MethodError(f"variant {name!r} repeats minerals; give one value per mineral")
        values[str(name)] = _as_float(s)
    table = pd.DataFrame(values)
    spearman = table.corr(method="spearman", min_periods=3)
    ranks = table.rank(ascending=False, method="min")
    first = ranks.columns[0]
    ranks["min_rank"] = ranks[list(values)].min(axis=1)
    ranks["max_rank"] = ranks[list(values)].max(axis=1)
    ranks["rank_range"] = ranks["max_rank"] - ranks["min_rank"]
    ranks["n_variants"] = ranks[list(values)].notna().sum(axis=1)
    ranks = ranks.sort_values([first, "rank_range"], na_position="last", kind="stable")
    return RankingSensitivity(spearman=spearman, ranks=ranks)
