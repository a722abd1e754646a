"""Bloc views of supply: shares of a stated world total, a bloc's share, the world without X.

All functions are pure and vectorised over groups (e.g. commodity × stage × year): they take a
long table with one row per group × producer and never read the store.  They build on
:func:`critmin.metrics.concentration.concentration_table` and
:func:`critmin.metrics.concentration.group_shares` (the formulas of
``../shared/methods/04_hhi_wgi_conventions.md`` §4.1) and add what a *stated* total changes:

* a source such as USGS states a world total that is more than the sum of the countries it
  names (an "Other countries" row, withheld figures, rounding).  A country's share is then
  ``s_i = x_i / W`` with ``W`` the stated total, and the named shares sum to the *coverage*
  ``k = Σ x_i / W`` (≤ 1 when the table reconciles).  The concentration indicators follow
  exactly from those of the named producers alone (shares ``x_i / Σ x``)::

      top-n = k × top-n(named)        HHI = k² × HHI(named)

  The HHI so computed leaves the unnamed remainder ``1 − k`` out: it is the HHI of the named
  producers' shares of the world, a lower bound of the true HHI (the remainder is spread over
  many small producers, each adding its share squared);
* the *bloc share* of a group of countries is ``Σ_{i ∈ bloc} s_i``.  A member whose figure
  the source withholds (USGS "W") adds nothing it can count, so the bloc share is then a
  **lower bound**; :func:`bloc_withheld` names such members so that a share is never shown
  as a bare 0 % when a member's output is only withheld;
* the world *without* some producers renormalises over what remains of the stated total,
  ``W − Σ_{excluded} x``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from critmin.errors import MethodError
from critmin.metrics.concentration import NAME_COLUMNS, _require_columns, concentration_table

__all__ = [
    "bloc_share",
    "bloc_shares",
    "bloc_withheld",
    "concentration_of_total",
    "concentration_without",
    "shares_of_total",
]

_POINTS_PER_FRACTION = 10_000.0  # methods/04 §4.1: HHI_pct = 10,000 × HHI_frac


def _by(by: Sequence[str] | str) -> list[str]:
    return [by] if isinstance(by, str) else list(by)


def _members(members: Iterable[str], name: str = "members") -> set[str]:
    if isinstance(members, str):
        raise MethodError(
            f"{name} must be a list of entity codes, got the string {members!r}; write [{members!r}]"
        )
    return set(members)


def _denominator(
    df: pd.DataFrame,
    by: list[str],
    value: str,
    entity: str,
    totals: pd.Series | None,
    exclude: set[str],
) -> pd.DataFrame:
    """Per group: the named sum, the excluded sum and the denominator of the shares."""
    if df.empty:
        raise MethodError("the table is empty; need at least one producer row")
    _require_columns(df, [*by, value, entity], NAME_COLUMNS)
    v = pd.to_numeric(df[value], errors="coerce")
    excl = df[entity].isin(exclude)
    g = df[by].assign(_rest=v.where(~excl), _excl=v.where(excl))
    sums = g.groupby(by, dropna=False, sort=True)[["_rest", "_excl"]].sum(min_count=1)
    sums = sums.rename(columns={"_rest": "named_sum", "_excl": "excluded_sum"})
    sums = sums.fillna({"named_sum": 0.0, "excluded_sum": 0.0})
    if totals is None:
        sums["denominator"] = sums["named_sum"]
        sums["stated"] = False
    else:
        if not isinstance(totals, pd.Series):
            raise MethodError("totals must be a pandas Series indexed by the group columns")
        t = pd.to_numeric(totals, errors="coerce")
        if len(by) > 1 and not isinstance(t.index, pd.MultiIndex):
            raise MethodError(f"totals must be indexed by {by} (a MultiIndex)")
        t = t.groupby(level=list(range(t.index.nlevels))).first()
        t.index = t.index.set_names(by) if len(by) > 1 else t.index.rename(by[0])
        stated = t.reindex(sums.index)
        ok = stated > 0
        sums["denominator"] = np.where(ok, stated - sums["excluded_sum"], sums["named_sum"]).astype(
            float
        )
        sums["stated"] = ok.to_numpy()
    return sums


def shares_of_total(
    df: pd.DataFrame,
    totals: pd.Series | None = None,
    by: Sequence[str] = ("commodity_id", "stage", "year"),
    value: str = "value",
    entity: str = "country_iso3",
    exclude: Iterable[str] = (),
) -> pd.DataFrame:
    """Each producer's share of a stated total (or of the sum of the producers).

    Parameters
    ----------
    df : pandas.DataFrame
        One row per group × producer (producers only: no world-total or "other" rows).
    totals : pandas.Series, optional
        Stated total per group [unit of `value`], indexed by `by`.  Where missing or <= 0 the
        shares are of the producers' sum.
    by : sequence of str, default ('commodity_id', 'stage', 'year')
        Columns that define a group.
    value : str, default 'value'
        Quantity column [any unit, one per group]; NaN = not known (share NaN).
    entity : str, default 'country_iso3'
        Producer column.
    exclude : iterable of str, default ()
        Producers removed first; their quantities are also taken off the stated total.

    Returns
    -------
    pandas.DataFrame
        The rows of `df` (less `exclude`) with ``share`` [-] and ``denominator`` [unit].

    Raises
    ------
    MethodError
        If the table is empty or a column is missing.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"year": [2024, 2024], "country_iso3": ["AUS", "CHL"],
    ...                    "value": [60.0, 20.0]})
    >>> shares_of_total(df, pd.Series({2024: 100.0}), by=["year"])["share"].tolist()
    [0.6, 0.2]
    """
    by = _by(by)
    excl = _members(exclude, "exclude")
    den = _denominator(df, by, value, entity, totals, excl)
    d = df[~df[entity].isin(excl)].copy()
    d = d.join(den["denominator"], on=by)
    d["share"] = pd.to_numeric(d[value], errors="coerce") / d["denominator"].where(
        d["denominator"] > 0
    )
    return d


def concentration_of_total(
    df: pd.DataFrame,
    totals: pd.Series | None = None,
    by: Sequence[str] = ("commodity_id", "stage", "year"),
    value: str = "value",
    entity: str = "country_iso3",
    exclude: Iterable[str] = (),
) -> pd.DataFrame:
    """Concentration indicators with shares of a stated total, for every group at once.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per group × producer (named producers only).
    totals : pandas.Series, optional
        Stated total per group, indexed by `by`; default the producers' sum (then the result
        equals :func:`critmin.metrics.concentration.concentration_table`).
    by, value, entity : see :func:`shares_of_total`.
    exclude : iterable of str, default ()
        Producers removed (the world *without* them); their quantities are taken off the
        stated total and the rest renormalised.

    Returns
    -------
    pandas.DataFrame
        Indexed by `by`: the columns of :func:`~critmin.metrics.concentration.concentration_table`
        (``total`` = named sum, ``n_producers``, ``n_missing``, ``top1_entity``, ``top1``,
        ``top3``, ``hhi_fraction``, ``hhi_points``) with the shares rescaled to the stated
        total, plus ``denominator`` [unit] (what the shares are of), ``coverage`` [-]
        (``Σ named / denominator``: the named producers' combined share) and
        ``share_basis`` (``"stated total"`` or ``"sum of producers"``).

    Raises
    ------
    MethodError
        As :func:`~critmin.metrics.concentration.concentration_table`.

    Notes
    -----
    With ``k`` = coverage, ``top-n = k × top-n(named)`` and ``HHI = k² × HHI(named)``
    (module docstring); ``HHI`` is then a lower bound of the HHI of the whole total.

    Examples
    --------
    Named producers 60 and 20 of a stated 100 (20 in "other countries"):

    >>> import pandas as pd
    >>> df = pd.DataFrame({"year": [2024, 2024], "country_iso3": ["AUS", "CHL"],
    ...                    "value": [60.0, 20.0]})
    >>> t = concentration_of_total(df, pd.Series({2024: 100.0}), by=["year"])
    >>> t[["top1", "hhi_fraction", "coverage"]].round(6).to_dict("records")
    [{'top1': 0.6, 'hhi_fraction': 0.4, 'coverage': 0.8}]
    """
    by = _by(by)
    excl = _members(exclude, "exclude")
    den = _denominator(df, by, value, entity, totals, excl)
    base = concentration_table(df, by=by, value=value, entity=entity, exclude=excl)
    den = den.reindex(base.index)
    k = base["total"] / den["denominator"].where(den["denominator"] > 0)
    out = base.copy()
    out["top1"] = out["top1"] * k
    out["top3"] = out["top3"] * k
    out["hhi_fraction"] = out["hhi_fraction"] * k**2
    out["hhi_points"] = out["hhi_fraction"] * _POINTS_PER_FRACTION
    out["denominator"] = den["denominator"]
    out["coverage"] = k
    out["share_basis"] = np.where(den["stated"], "stated total", "sum of producers")
    return out


def concentration_without(
    df: pd.DataFrame,
    exclude: Iterable[str],
    totals: pd.Series | None = None,
    by: Sequence[str] = ("commodity_id", "stage", "year"),
    value: str = "value",
    entity: str = "country_iso3",
) -> pd.DataFrame:
    """Concentration of the world without some producers (e.g. without China).

    Parameters
    ----------
    df : pandas.DataFrame
        One row per group × producer.
    exclude : iterable of str
        Producers removed (e.g. ``["CHN"]``).
    totals : pandas.Series, optional
        Stated total per group; the excluded quantities are taken off it.
    by, value, entity : see :func:`shares_of_total`.

    Returns
    -------
    pandas.DataFrame
        As :func:`concentration_of_total`, plus ``excluded_share`` [-] (the removed
        producers' share of the full total).  The remaining shares, with the unnamed remainder,
        sum to 1 over what is left.

    Raises
    ------
    MethodError
        If `exclude` is a single string, or as :func:`concentration_of_total`.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"year": [2024] * 3, "country_iso3": ["CHN", "AUS", "USA"],
    ...                    "value": [70.0, 20.0, 10.0]})
    >>> t = concentration_without(df, ["CHN"], by=["year"])
    >>> t[["top1_entity", "top1", "excluded_share"]].round(6).to_dict("records")
    [{'top1_entity': 'AUS', 'top1': 0.666667, 'excluded_share': 0.7}]
    """
    by = _by(by)
    excl = _members(exclude, "exclude")
    out = concentration_of_total(df, totals, by=by, value=value, entity=entity, exclude=excl)
    full = _denominator(df, by, value, entity, totals, set())
    den = _denominator(df, by, value, entity, totals, excl).reindex(out.index)
    out["excluded_share"] = den["excluded_sum"] / full["denominator"].reindex(out.index).where(
        full["denominator"].reindex(out.index) > 0
    )
    return out


def bloc_share(
    shares_frame: pd.DataFrame,
    members: Iterable[str],
    by: Sequence[str] = ("commodity_id", "stage", "year"),
    entity: str = "country_iso3",
    share: str = "share",
) -> pd.Series:
    """Combined share of a bloc's members in every group at once.

    Parameters
    ----------
    shares_frame : pandas.DataFrame
        One row per group × producer with a share column (:func:`shares_of_total` or
        :func:`critmin.metrics.concentration.group_shares`).
    members : iterable of str
        The bloc's members (e.g. ISO3 codes).  Members absent from a group add 0.
    by : sequence of str, default ('commodity_id', 'stage', 'year')
        Group columns.
    entity, share : str
        Producer and share columns.

    Returns
    -------
    pandas.Series
        ``Σ_{i ∈ members} s_i`` [-] per group (index `by`), NaN shares counted as 0; the
        frame version of :func:`critmin.metrics.concentration.bloc_share`.

    Raises
    ------
    MethodError
        If `members` is a single string or a column is missing.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"year": [2024] * 4, "country_iso3": ["CHN", "AUS", "USA", "IND"],
    ...                   "share": [0.6, 0.25, 0.1, 0.05]})
    >>> bloc_share(s, ["IND", "USA"], by=["year"]).round(12).to_dict()
    {2024: 0.15}
    """
    by = _by(by)
    mem = _members(members)
    _require_columns(shares_frame, [*by, entity, share])
    s = pd.to_numeric(shares_frame[share], errors="coerce").where(
        shares_frame[entity].isin(mem), 0.0
    )
    return s.fillna(0.0).groupby([shares_frame[c] for c in by], dropna=False, sort=True).sum()


def bloc_withheld(
    shares_frame: pd.DataFrame,
    members: Iterable[str],
    by: Sequence[str] = ("commodity_id", "stage", "year"),
    entity: str = "country_iso3",
    withheld: str = "withheld",
) -> pd.Series:
    """The bloc members whose figure is withheld, per group: the bloc share is a lower bound.

    Parameters
    ----------
    shares_frame : pandas.DataFrame
        One row per group × producer with a boolean column `withheld` (True where the source
        printed "W" and gave no figure, e.g. U.S. lithium mine production in USGS MCS).
    members : iterable of str
        The bloc's members (e.g. ISO3 codes).
    by : sequence of str, default ('commodity_id', 'stage', 'year')
        Group columns.
    entity, withheld : str
        Producer column and withheld flag column.

    Returns
    -------
    pandas.Series
        ``;``-joined members with a withheld figure, sorted (``""`` where none), per group
        (index `by`, the groups of :func:`bloc_share`).  Where it is not empty the bloc's
        output is *at least* what :func:`bloc_share` counts: report the share as a lower
        bound ("0 % + USA withheld"), never as a bare figure.

    Raises
    ------
    MethodError
        If `members` is a single string or a column is missing.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"year": [2024] * 3, "country_iso3": ["CHL", "USA", "IND"],
    ...                   "share": [0.2, float("nan"), float("nan")],
    ...                   "withheld": [False, True, False]})
    >>> bloc_withheld(s, ["IND", "USA"], by=["year"]).to_dict()
    {2024: 'USA'}
    """
    by = _by(by)
    mem = _members(members)
    _require_columns(shares_frame, [*by, entity, withheld])
    flag = shares_frame[withheld].fillna(False).astype(bool) & shares_frame[entity].isin(mem)
    names = shares_frame[entity].where(flag)
    keys = [shares_frame[c] for c in by]
    return names.groupby(keys, dropna=False, sort=True).agg(
        lambda x: ";".join(sorted(set(x.dropna().astype(str))))
    )


def bloc_shares(
    shares_frame: pd.DataFrame,
    blocs: Mapping[str, Iterable[str]],
    by: Sequence[str] = ("commodity_id", "stage", "year"),
    entity: str = "country_iso3",
    share: str = "share",
) -> pd.DataFrame:
    """Shares of several blocs at once: one column per bloc.

    Parameters
    ----------
    shares_frame : pandas.DataFrame
        As :func:`bloc_share`.
    blocs : mapping of str to iterable of str
        Bloc name -> members.
    by, entity, share : see :func:`bloc_share`.

    Returns
    -------
    pandas.DataFrame
        Index `by`, one column per bloc [-].

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"year": [2024] * 3, "country_iso3": ["CHN", "AUS", "USA"],
    ...                   "share": [0.7, 0.2, 0.1]})
    >>> bloc_shares(s, {"TRUST": ["IND", "USA"], "QUAD": ["AUS", "IND", "JPN", "USA"]},
    ...             by=["year"]).round(6).to_dict("records")
    [{'TRUST': 0.1, 'QUAD': 0.3}]
    """
    return pd.DataFrame(
        {name: bloc_share(shares_frame, mem, by, entity, share) for name, mem in blocs.items()}
    )
