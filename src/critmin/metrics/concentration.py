"""Supply concentration: shares, Herfindahl-Hirschman index, top-n share, bloc share.

All functions are pure: they take quantities or shares as pandas objects and return numbers or
pandas objects; they never read the store.

Conventions (``../shared/methods/04_hhi_wgi_conventions.md`` §4.1, "HHI and WGI conventions"):

* a *share* is a fraction of the total, 0..1, summing to 1 over all producers;
* ``HHI_frac = Σ_i s_i²`` in [1/N, 1] (``scale="fraction"``);
* ``HHI_pct = Σ_i (100·s_i)² = 10,000 × HHI_frac`` in [10,000/N, 10,000] (``scale="points"``),
  the unit of the U.S. DOJ/FTC merger guidelines (worked example there: shares 30, 30, 20, 20 %
  give 2,600 points).

Missing values (NaN) mean "not known" (withheld, not reported): they are left out of the total
and keep NaN as their share.  Negative quantities are an error.

The Herfindahl-Hirschman index is the one used by both the EU criticality assessment and the
GeoPolRisk method; see :mod:`critmin.metrics.governance` and :mod:`critmin.criticality`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from critmin.errors import MethodError

__all__ = [
    "SHARE_TOLERANCE",
    "bloc_share",
    "concentration_table",
    "group_shares",
    "hhi",
    "hhi_bounds",
    "n_producers",
    "shares",
    "top_n_share",
    "without",
]

#: Largest tolerated deviation of ``Σ shares`` from 1 [-] before a function that expects shares
#: refuses them (floating-point sums of many shares differ from 1 by ~1e-16 per term).
SHARE_TOLERANCE = 1e-6

_POINTS_PER_FRACTION = 10_000.0  # (100 %)² -- methods/04 §4.1: HHI_pct = 10,000 × HHI_frac
#: hhi_bounds accepts a fractional HHI up to this value: named shares of a stated total can
#: sum above 1 where a source's rows exceed its total (IEA nickel, USGS rounding).
_MAX_FRACTION = 4.0


def _as_series(values: pd.Series | Sequence[float] | np.ndarray, name: str) -> pd.Series:
    """Return `values` as a float Series (a copy), or raise MethodError."""
    if isinstance(values, pd.Series):
        s = values
    elif isinstance(values, pd.DataFrame):
        raise MethodError(
            f"{name} must be a pandas Series (one value per entity), got a DataFrame with "
            f"columns {list(values.columns)}; select one column"
        )
    else:
        s = pd.Series(np.asarray(values, dtype=float).reshape(-1))
    try:
        return s.astype(float)
    except (TypeError, ValueError) as exc:
        raise MethodError(f"{name} must be numeric; got dtype {s.dtype}") from exc


#: The fix named when a frame lacks the producer/value/group columns a method reads.
NAME_COLUMNS = "Pass by=, value= and entity= to name the columns"


def _require_columns(df: pd.DataFrame, columns: Sequence[str], fix: str | None = None) -> None:
    """Raise one MethodError naming the columns `df` lacks, the ones it has and the fix."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        msg = f"column(s) {missing} not in the table; it has {list(df.columns)}"
        raise MethodError(msg + (f". {fix}" if fix else ""))


def _check_unique(s: pd.Series, name: str) -> None:
    if s.index.has_duplicates:
        dups = sorted({str(k) for k in s.index[s.index.duplicated()]})
        raise MethodError(
            f"{name} index repeats {dups[:10]}; give one value per entity (aggregate first, "
            "e.g. values.groupby(level=0).sum())"
        )


def _check_nonnegative(s: pd.Series, name: str) -> None:
    neg = s[s < 0]
    if len(neg):
        listed = ", ".join(f"{k!r}={v:g}" for k, v in neg.head(10).items())
        raise MethodError(
            f"{name} has {len(neg)} negative value(s): {listed}; quantities must be >= 0 "
            "(use NaN for unknown values)"
        )


def _check_shares(s: pd.Series, name: str = "shares") -> pd.Series:
    """Validate shares (fractions summing to 1, NaN ignored); return the non-NaN ones."""
    if s.empty:
        raise MethodError(f"{name} is empty; need at least one producer")
    _check_unique(s, name)
    _check_nonnegative(s, name)
    known = s.dropna()
    if known.empty:
        raise MethodError(f"{name} is all NaN; need at least one known share")
    total = float(known.sum())
    if abs(total - 1.0) > SHARE_TOLERANCE:
        raise MethodError(
            f"{name} sum to {total:.6g}, not 1; pass fractions of the total "
            "(compute them with critmin.metrics.shares(values); percent shares must be divided "
            "by 100)"
        )
    return known


def shares(values: pd.Series | Sequence[float] | np.ndarray) -> pd.Series:
    """Shares of the total: ``s_i = x_i / Σ_j x_j``.

    Parameters
    ----------
    values : pandas.Series or array-like
        Quantity per entity (e.g. mine production per country) [any unit, the same for all
        entries].  NaN means "not known": it is left out of the total and its share is NaN.

    Returns
    -------
    pandas.Series
        Share per entity [-] (fraction 0..1), same index and order as `values`; the non-NaN
        shares sum to 1.

    Raises
    ------
    MethodError
        If `values` is empty or all NaN, has a negative value, or sums to zero.

    Notes
    -----
    Conventions as in ``../shared/methods/04_hhi_wgi_conventions.md`` §4.1 ("HHI and WGI
    conventions").

    Examples
    --------
    >>> import pandas as pd
    >>> shares(pd.Series({"AUS": 60.0, "CHL": 30.0, "CHN": 10.0})).round(3).to_dict()
    {'AUS': 0.6, 'CHL': 0.3, 'CHN': 0.1}
    >>> shares(pd.Series({"AUS": 3.0, "COD": float("nan"), "IDN": 1.0})).to_dict()
    {'AUS': 0.75, 'COD': nan, 'IDN': 0.25}
    """
    s = _as_series(values, "values")
    if s.empty:
        raise MethodError("values is empty; need at least one producer")
    _check_unique(s, "values")
    _check_nonnegative(s, "values")
    known = s.dropna()
    if known.empty:
        raise MethodError("values are all NaN; need at least one known quantity")
    total = float(known.sum())
    if total == 0.0:
        raise MethodError(
            f"values sum to zero over {len(known)} entries; shares are undefined "
            "(no production recorded)"
        )
    return s / total


def hhi(
    shares: pd.Series | Sequence[float] | np.ndarray,
    scale: Literal["fraction", "points"] = "fraction",
) -> float:
    """Herfindahl-Hirschman index of concentration, ``HHI = Σ_i s_i²``.

    Parameters
    ----------
    shares : pandas.Series or array-like
        Share per entity [-] (fractions summing to 1; NaN entries are ignored).  Compute them
        from quantities with :func:`shares`.
    scale : {'fraction', 'points'}, default 'fraction'
        ``'fraction'``: shares as fractions, HHI in [1/N, 1] [-].
        ``'points'``: shares in percent, HHI in [10,000/N, 10,000] [%²] (= 10,000 × fraction).

    Returns
    -------
    float
        The index [-] or [%²].

    Raises
    ------
    MethodError
        If `shares` is empty or all NaN, has a negative entry, does not sum to 1 (within
        :data:`SHARE_TOLERANCE`), or `scale` is unknown.

    Notes
    -----
    ``HHI_frac = Σ s_i²``, ``HHI_pct = Σ (100·s_i)² = 10,000 × HHI_frac``
    (``../shared/methods/04_hhi_wgi_conventions.md`` §4.1).  The GeoPolRisk method writes the
    same index as ``Σ P_i² / (Σ P_i)²`` (``../shared/methods/03_geopolrisk.md`` §3.1).

    Examples
    --------
    Two producers with 60 % and 40 %: 0.6² + 0.4² = 0.52, i.e. 5,200 points.

    >>> round(hhi([0.6, 0.4]), 12)
    0.52
    >>> round(hhi([0.6, 0.4], scale="points"), 6)
    5200.0

    The worked example of the U.S. DOJ HHI page (shares 30, 30, 20, 20 %):

    >>> round(hhi([0.3, 0.3, 0.2, 0.2], scale="points"), 6)
    2600.0
    """
    if scale not in ("fraction", "points"):
        raise MethodError(f"scale must be 'fraction' or 'points', got {scale!r}")
    known = _check_shares(_as_series(shares, "shares"))
    value = float(np.square(known.to_numpy()).sum())
    return value * _POINTS_PER_FRACTION if scale == "points" else value


def hhi_bounds(
    hhi_named: float | pd.Series | np.ndarray,
    remainder: float | pd.Series | np.ndarray,
) -> tuple[float | pd.Series | np.ndarray, float | pd.Series | np.ndarray]:
    """Bounds of the HHI when part of the total is an unnamed remainder ("Rest of world").

    A remainder row (USGS "Other countries", IEA "Rest of world") is an unknown number of
    producers, not one.  Split into many small producers it adds nothing to ``Σ s_i²``; held by
    one producer it adds ``r²``; every other split lies in between (``Σ r_j² ≤ (Σ r_j)²`` for
    ``r_j ≥ 0``).  So

    ``HHI_named ≤ HHI ≤ HHI_named + r²``

    with ``HHI_named = Σ_named s_i²`` (shares of the whole total) and ``r = 1 − Σ_named s_i``.
    A negative remainder (the named rows exceed the stated total, a source inconsistency) is
    taken as 0; ``hhi_named`` may then exceed 1 slightly and is accepted up to
    :data:`_MAX_FRACTION` (a larger value is taken to be in points).

    Parameters
    ----------
    hhi_named : float or array-like
        ``Σ s_i²`` over the named producers, shares of the whole total [-].
    remainder : float or array-like
        The share of the total not named [-] (NaN propagates).

    Returns
    -------
    tuple
        ``(lower, upper)`` [-], same shape as the inputs; multiply by 10,000 for points.

    Raises
    ------
    MethodError
        If `hhi_named` is negative or above 1, or `remainder` above 1.

    Examples
    --------
    IEA magnet rare-earth refining pattern: named shares 0.6 and 0.3, rest of world 0.1:

    >>> lo, up = hhi_bounds(0.6**2 + 0.3**2, 0.1)
    >>> round(lo, 12), round(up, 12)
    (0.45, 0.46)
    """
    h = np.asarray(hhi_named, dtype=float)
    r = np.asarray(remainder, dtype=float)
    if np.any(h < 0) or np.any(h > _MAX_FRACTION):
        bad = h[(h < 0) | (h > _MAX_FRACTION)] if h.ndim else h
        raise MethodError(
            f"hhi_named must be a fractional HHI (about 0..1), got {np.ravel(bad)[:3]}; "
            "divide points by 10,000"
        )
    if np.any(r > 1 + SHARE_TOLERANCE):
        bad = r[r > 1 + SHARE_TOLERANCE] if r.ndim else r
        raise MethodError(
            f"remainder must be a share <= 1, got {np.ravel(bad)[:3]}; divide percent by 100"
        )
    upper = h + np.square(np.clip(r, 0.0, None))
    if isinstance(hhi_named, pd.Series):
        return hhi_named.astype(float), pd.Series(upper, index=hhi_named.index)
    if np.ndim(upper) == 0:
        return float(h), float(upper)
    return h, upper


def top_n_share(shares: pd.Series | Sequence[float] | np.ndarray, n: int) -> float:
    """Return the combined share of the `n` largest producers.

    Parameters
    ----------
    shares : pandas.Series or array-like
        Share per entity [-] (fractions summing to 1; NaN ignored).
    n : int
        Number of producers, >= 1.  If fewer producers exist, all are counted (result 1).

    Returns
    -------
    float
        Sum of the `n` largest shares [-].

    Raises
    ------
    MethodError
        If `n` is not a positive integer or `shares` are not valid shares.

    Examples
    --------
    >>> round(top_n_share([0.5, 0.2, 0.2, 0.1], n=3), 12)
    0.9
    >>> top_n_share([0.5, 0.2, 0.2, 0.1], n=1)
    0.5
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise MethodError(f"n must be a positive integer, got {n!r}")
    known = _check_shares(_as_series(shares, "shares"))
    return float(known.nlargest(int(n)).sum())


def n_producers(values: pd.Series | Sequence[float] | np.ndarray) -> int:
    """Count the entities with a positive quantity (or share).

    Parameters
    ----------
    values : pandas.Series or array-like
        Quantity or share per entity [any unit].  NaN and zero entries are not counted.

    Returns
    -------
    int
        Count of entries > 0.

    Raises
    ------
    MethodError
        If a value is negative.

    Examples
    --------
    >>> n_producers([5.0, 0.0, float("nan"), 2.0])
    2
    """
    s = _as_series(values, "values")
    _check_nonnegative(s, "values")
    return int((s > 0).sum())


def bloc_share(shares: pd.Series, members: Iterable[str]) -> float:
    """Return the combined share of a group of countries (a bloc, e.g. MSP or TRUST).

    Parameters
    ----------
    shares : pandas.Series
        Share per entity [-], indexed by entity (e.g. ISO3); fractions summing to 1, NaN ignored.
    members : iterable of str
        The bloc's members.  Members absent from `shares` produce nothing and add 0.

    Returns
    -------
    float
        ``Σ_{i ∈ members} s_i`` [-], in [0, 1].

    Raises
    ------
    MethodError
        If `shares` are not valid shares, or `members` is a single string (pass a list).

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series({"CHN": 0.6, "AUS": 0.25, "USA": 0.1, "IND": 0.05})
    >>> round(bloc_share(s, ["IND", "USA"]), 12)
    0.15
    """
    if isinstance(members, str):
        raise MethodError(
            f"members must be a list of entity codes, got the string {members!r}; "
            f"write [{members!r}]"
        )
    known = _check_shares(_as_series(shares, "shares"))
    wanted = set(members)
    return float(known[known.index.isin(wanted)].sum())


def without(values: pd.Series | Sequence[float] | np.ndarray, excluded: Iterable[str]) -> pd.Series:
    """Shares of the remaining producers once some are removed (e.g. the world without China).

    Parameters
    ----------
    values : pandas.Series
        Quantity or share per entity [any unit], indexed by entity.  NaN is "not known".
    excluded : iterable of str
        Entities to remove.  Entities not in `values` are ignored.

    Returns
    -------
    pandas.Series
        Shares of the remaining entities [-], renormalised to sum to 1 (NaN kept as NaN).
        Pass them to :func:`hhi` or :func:`top_n_share` for the concentration of the rest.

    Raises
    ------
    MethodError
        If nothing with a positive quantity remains, a value is negative, or `excluded` is a
        single string.

    Examples
    --------
    >>> import pandas as pd
    >>> v = pd.Series({"CHN": 70.0, "AUS": 20.0, "USA": 10.0})
    >>> without(v, ["CHN"]).round(6).to_dict()
    {'AUS': 0.666667, 'USA': 0.333333}
    >>> round(hhi(without(v, ["CHN"])), 6)
    0.555556
    """
    if isinstance(excluded, str):
        raise MethodError(
            f"excluded must be a list of entity codes, got the string {excluded!r}; "
            f"write [{excluded!r}]"
        )
    s = _as_series(values, "values")
    drop = set(excluded)
    rest = s[~s.index.isin(drop)]
    if rest.dropna().empty or float(rest.dropna().sum()) == 0.0:
        raise MethodError(
            f"nothing remains after removing {sorted(drop)}: the remaining "
            f"{len(rest)} entities have no positive quantity"
        )
    return shares(rest)


# --------------------------------------------------------------------------------------------
# vectorised over groups


def _prepare_groups(
    df: pd.DataFrame, by: Sequence[str], value: str, entity: str, exclude: Iterable[str]
) -> pd.DataFrame:
    if isinstance(by, str):
        by = [by]
    _require_columns(df, [*by, value, entity], NAME_COLUMNS)
    d = df.loc[~df[entity].isin(set(exclude)), [*by, entity, value]].copy()
    try:
        d[value] = pd.to_numeric(d[value], errors="raise").astype(float)
    except (TypeError, ValueError) as exc:
        raise MethodError(f"column {value!r} must be numeric: {exc}") from exc
    neg = d[d[value] < 0]
    if len(neg):
        raise MethodError(
            f"{len(neg)} negative value(s) in column {value!r}, e.g.\n"
            f"{neg.head(5).to_string()}\nquantities must be >= 0 (use NaN for unknown)"
        )
    dup = d.duplicated([*by, entity], keep=False)
    if dup.any():
        raise MethodError(
            f"{int(dup.sum())} rows repeat an entity within a group, e.g.\n"
            f"{d[dup].head(6).to_string()}\naggregate them first (one row per "
            f"{[*by, entity]})"
        )
    return d


def group_shares(
    df: pd.DataFrame,
    by: Sequence[str] = ("commodity_id", "stage", "year"),
    value: str = "value",
    entity: str = "country_iso3",
    exclude: Iterable[str] = ("WLD",),
) -> pd.DataFrame:
    """Share of each entity within its group, for many groups at once.

    Parameters
    ----------
    df : pandas.DataFrame
        Long table with one row per group × entity.
    by : sequence of str, default ('commodity_id', 'stage', 'year')
        Columns that define a group.
    value : str, default 'value'
        Column of quantities [any unit, one unit per group]; NaN = not known.
    entity : str, default 'country_iso3'
        Column naming the producer.
    exclude : iterable of str, default ('WLD',)
        Entities that are not producers (e.g. a stated world total) and are dropped first.

    Returns
    -------
    pandas.DataFrame
        ``by`` + `entity` + `value` columns and ``share`` [-]; NaN share where the quantity is
        NaN or the group total is zero.

    Raises
    ------
    MethodError
        If a column is missing, a quantity is negative or an entity repeats within a group.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"year": [2023, 2023, 2023], "country_iso3": ["AUS", "CHL", "WLD"],
    ...                    "value": [3.0, 1.0, 4.0]})
    >>> group_shares(df, by=["year"])["share"].tolist()
    [0.75, 0.25]
    """
    by = [by] if isinstance(by, str) else list(by)
    d = _prepare_groups(df, by, value, entity, exclude)
    total = d.groupby(by, dropna=False, sort=False)[value].transform("sum")
    d["share"] = (d[value] / total.where(total > 0)).astype(float)
    return d


def concentration_table(
    df: pd.DataFrame,
    by: Sequence[str] = ("commodity_id", "stage", "year"),
    value: str = "value",
    entity: str = "country_iso3",
    exclude: Iterable[str] = ("WLD",),
) -> pd.DataFrame:
    """Concentration indicators for every group (e.g. commodity × stage × year) at once.

    Parameters
    ----------
    df : pandas.DataFrame
        Long table with one row per group × entity (e.g. ``observations``).
    by : sequence of str, default ('commodity_id', 'stage', 'year')
        Columns that define a group.
    value : str, default 'value'
        Column of quantities [any unit, one unit per group]; NaN = not known (left out).
    entity : str, default 'country_iso3'
        Column naming the producer.
    exclude : iterable of str, default ('WLD',)
        Entities that are not producers (a stated world total) and are dropped first.

    Returns
    -------
    pandas.DataFrame
        One row per group, indexed by `by`, with columns

        * ``total`` -- sum of known quantities [unit of `value`];
        * ``n_producers`` -- entities with a quantity > 0 [-];
        * ``n_missing`` -- entities whose quantity is NaN (not known) [-];
        * ``top1_entity`` -- the largest producer (ties: first in entity order);
        * ``top1``, ``top3`` -- share of the largest one and three producers [-];
        * ``hhi_fraction`` -- ``Σ s²`` [-]; ``hhi_points`` -- ``10,000 × Σ s²`` [%²].

        Groups whose known total is zero get ``n_producers = 0`` and NaN indicators.  The
        per-entity shares are given by :func:`group_shares`.

    Raises
    ------
    MethodError
        If a column is missing, a quantity is negative or an entity repeats within a group.

    Notes
    -----
    Same formulas as :func:`shares`, :func:`hhi` and :func:`top_n_share`
    (``../shared/methods/04_hhi_wgi_conventions.md`` §4.1), computed with one sort and one
    group-by over the whole table.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({
    ...     "commodity_id": ["lithium"] * 3 + ["cobalt"] * 2,
    ...     "year": [2023] * 5,
    ...     "country_iso3": ["AUS", "CHL", "CHN", "COD", "IDN"],
    ...     "value": [60.0, 30.0, 10.0, 80.0, 20.0]})
    >>> t = concentration_table(df, by=["commodity_id", "year"])
    >>> t[["top1_entity", "top1", "hhi_points", "n_producers"]].round(6)
    ... # doctest: +NORMALIZE_WHITESPACE
                      top1_entity  top1  hhi_points  n_producers
    commodity_id year
    cobalt       2023         COD   0.8      6800.0            2
    lithium      2023         AUS   0.6      4600.0            3
    """
    by = [by] if isinstance(by, str) else list(by)
    d = group_shares(df, by, value, entity, exclude)
    known = d[d[value].notna()].copy()
    known["_sq"] = known["share"] ** 2
    known["_pos"] = known[value] > 0
    known = known.sort_values([*by, "share", entity], ascending=[True] * len(by) + [False, True])
    known["_rank"] = known.groupby(by, dropna=False, sort=False).cumcount()
    known["_top3"] = known["share"].where(known["_rank"] < 3)
    grouped = known.groupby(by, dropna=False, sort=True)
    out = pd.DataFrame(
        {
            "total": grouped[value].sum(),
            "n_producers": grouped["_pos"].sum().astype(int),
            "hhi_fraction": grouped["_sq"].sum(min_count=1),
            "top3": grouped["_top3"].sum(min_count=1),
        }
    )
    first = known[known["_rank"] == 0].set_index(by)
    out["top1_entity"] = first[entity]
    out["top1"] = first["share"]
    missing = d[d[value].isna()].groupby(by, dropna=False).size()
    all_groups = d.groupby(by, dropna=False, sort=True).size().index
    out = out.reindex(all_groups)
    out["n_producers"] = out["n_producers"].fillna(0).astype(int)
    out["n_missing"] = missing.reindex(all_groups, fill_value=0).astype(int)
    out["total"] = out["total"].fillna(0.0)
    zero = out["total"] <= 0
    out.loc[zero, ["hhi_fraction", "top3", "top1"]] = np.nan
    out.loc[zero, "top1_entity"] = None
    out["hhi_points"] = out["hhi_fraction"] * _POINTS_PER_FRACTION
    cols = [
        "total",
        "n_producers",
        "n_missing",
        "top1_entity",
        "top1",
        "top3",
        "hhi_fraction",
        "hhi_points",
    ]
    return out[cols]
