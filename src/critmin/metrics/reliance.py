"""Net import reliance (USGS definition) and trade-based import dependence.

All functions are pure: they take quantities as scalars, arrays or pandas objects and return
pandas objects; they never read the store.

USGS definition (``../shared/methods/06_import_dependence.md``, "Definitions";
https://www.usgs.gov/news/featured-story/risk-and-reliance-us-economy-and-mineral-resources)::

    NIR [%] = 100 × (I − E + ΔS) / AC
    AC      = P + I − E + ΔS                    apparent consumption

with ``P`` domestic production (primary + secondary where the commodity's basis includes it),
``I`` imports, ``E`` exports and ``ΔS`` the adjustment for government and industry stock
changes.  The same algebra is the "trade exposure" ``TE = (I − E + ΔS) / (PP + SP + I − E +
ΔS)`` of the Nassar et al. (2020) supply-risk code (``../shared/methods/02_usgs_methodology.md``
§2.1), which fixes the sign of ``ΔS``: it is **added to supply**, so

    ΔS = S[t−1] − S[t]                          positive when stocks are drawn down

(a release from stocks supplies consumption like an import; a build-up absorbs supply).  Use
:func:`stock_release` to get ``ΔS`` from year-end stocks.

Reporting conventions (as USGS):

* net exporter (``I − E + ΔS < 0``): USGS prints "E", not a negative percentage; here the
  reliance is NaN and ``flag = "E"``;
* withheld or unknown production (USGS "W"): the balance cannot be closed; NaN, ``flag = "W"``;
* unknown trade or stock figures: NaN, ``flag = "NA"``;
* apparent consumption <= 0: NaN, ``flag = "NA"``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from critmin.errors import MethodError

__all__ = [
    "NET_EXPORTER",
    "NIR_TOLERANCE_PCT",
    "NOT_AVAILABLE",
    "WITHHELD",
    "compare_published",
    "net_import_reliance",
    "published_flag",
    "stock_release",
    "trade_import_share",
]

#: Flag for a net exporter (USGS prints "E").
NET_EXPORTER = "E"
#: Flag for withheld / unknown production (USGS prints "W").
WITHHELD = "W"
#: Flag for a missing trade, stock or consumption figure.
NOT_AVAILABLE = "NA"

#: Largest difference [percentage points] between a computed and a published NIR that still
#: counts as agreement.  USGS rounds the published NIR to whole percent and the salient inputs
#: to two or three significant digits; recomputing from the rounded inputs moves the result by
#: up to about one point where apparent consumption is small next to trade; 2 points leaves a
#: margin for that and nothing more.
NIR_TOLERANCE_PCT = 2.0

_Values = float | int | Sequence[float] | np.ndarray | pd.Series


def _broadcast(**named: _Values | None) -> tuple[pd.Index, dict[str, np.ndarray]]:
    """Broadcast the inputs to float arrays of one length; keep a Series index if given."""
    index: pd.Index | None = None
    arrays: dict[str, np.ndarray] = {}
    for name, v in named.items():
        if v is None:
            continue
        if isinstance(v, pd.DataFrame):
            raise MethodError(f"{name} must be a number, an array or a Series, not a DataFrame")
        if isinstance(v, pd.Series):
            if index is None:
                index = v.index
            elif not v.index.equals(index):
                raise MethodError(
                    f"{name} is indexed differently from the other inputs; align them first "
                    "(e.g. with .reindex(index))"
                )
        try:
            arrays[name] = np.asarray(v, dtype=float)
        except (TypeError, ValueError) as exc:
            raise MethodError(f"{name} must be numeric: {exc}") from exc
    try:
        shape = np.broadcast_shapes(*(a.shape for a in arrays.values()))
    except ValueError as exc:
        lengths = {k: a.shape for k, a in arrays.items()}
        raise MethodError(f"inputs have different lengths: {lengths}") from exc
    if len(shape) > 1:
        raise MethodError(f"inputs must be one-dimensional; got shape {shape}")
    n = shape[0] if shape else 1
    out = {
        k: np.broadcast_to(a.reshape(-1) if a.ndim else a, (n,)).copy() for k, a in arrays.items()
    }
    if index is None or len(index) != n:
        index = pd.RangeIndex(n)
    return index, out


def _check_nonnegative(arrays: dict[str, np.ndarray], names: Sequence[str]) -> None:
    for name in names:
        if name not in arrays:
            continue
        a = arrays[name]
        bad = np.flatnonzero(a < 0)
        if bad.size:
            raise MethodError(
                f"{name} has {bad.size} negative value(s) (first at position {int(bad[0])}: "
                f"{a[bad[0]]:g}); quantities must be >= 0 (use NaN for unknown values)"
            )


def net_import_reliance(
    production: _Values,
    imports: _Values,
    exports: _Values,
    stock_change: _Values = 0.0,
    consumption: _Values | None = None,
    apparent_consumption: _Values | None = None,
) -> pd.DataFrame:
    """Net import reliance as USGS defines it, with USGS's reporting conventions.

    Parameters
    ----------
    production : float, array-like or pandas.Series
        Domestic production ``P`` [any unit, the same for all inputs] (primary plus secondary
        where the commodity's NIR basis includes it).  NaN = withheld or unknown.
    imports, exports : float, array-like or pandas.Series
        Imports ``I`` and exports ``E`` [same unit].  NaN = unknown.
    stock_change : float, array-like or pandas.Series, default 0.0
        Stock adjustment ``ΔS`` [same unit], **positive when stocks are drawn down**
        (``ΔS = S[t−1] − S[t]``, see :func:`stock_release`), i.e. added to supply as in the
        USGS formula ``I − E + ΔS``.  NaN = unknown.
    consumption : float, array-like or pandas.Series, optional
        A stated consumption ``C`` [same unit] to use as the denominator instead of the
        apparent consumption, for commodities whose NIR USGS expresses "as a percentage of
        reported (or estimated) consumption".  The reliance is then the part of consumption not
        met by domestic production, ``(C − P) / C``.
    apparent_consumption : float, array-like or pandas.Series, optional
        USGS's stated apparent consumption ``AC`` [same unit] to divide the net imports by,
        ``NIR = (I − E + ΔS) / AC``, where the published ``AC`` covers supply the inputs do not
        list (secondary production of platinum-group metals).  ``production`` is then not
        used (it may be NaN).  Give either this or `consumption`, not both.

    Returns
    -------
    pandas.DataFrame
        One row per input element (index of the Series inputs, else 0..n−1), columns

        * ``net_imports`` -- ``I − E + ΔS`` [unit];
        * ``apparent_consumption`` -- ``P + I − E + ΔS`` [unit] (or ``C`` or ``AC`` if
          given);
        * ``nir_pct`` -- ``100 × net_imports / apparent_consumption`` [%], in [0, 100] (with a
          stated ``AC`` it can pass 100 where ``AC`` is rounded below ``I − E + ΔS``); NaN
          where ``flag`` is set;
        * ``flag`` -- ``""`` (computed), ``"E"`` (net exporter), ``"W"`` (production withheld
          or unknown) or ``"NA"`` (another input unknown, or consumption <= 0);
        * ``reason`` -- the flag in words.

    Raises
    ------
    MethodError
        If production, imports, exports or a consumption is negative, an input is not
        numeric, the inputs cannot be broadcast to one length, or both `consumption` and
        `apparent_consumption` are given.

    Notes
    -----
    USGS definition as recorded in ``../shared/methods/06_import_dependence.md``: "NIR =
    (imports − exports + adjustments for government and industry stock changes) / apparent
    consumption, apparent consumption = production + imports − exports ± stock changes";
    https://www.usgs.gov/news/featured-story/risk-and-reliance-us-economy-and-mineral-resources.
    A net exporter is reported as "E" (``../shared/methods/06`` marks this convention
    unverified at the source; the MCS 2026 data release prints "E" in the NIR column).

    Examples
    --------
    P = 10, I = 50, E = 10, ΔS = 0: AC = 50 and NIR = 40 / 50 = 80 %.

    >>> r = net_import_reliance(10.0, 50.0, 10.0)
    >>> float(r.at[0, "apparent_consumption"]), float(r.at[0, "nir_pct"]), r.at[0, "flag"]
    (50.0, 80.0, '')

    A net exporter and a withheld production:

    >>> r = net_import_reliance([100.0, float("nan")], [10.0, 5.0], [30.0, 1.0])
    >>> r["flag"].tolist(), r["nir_pct"].isna().tolist()
    (['E', 'W'], [True, True])

    A stated apparent consumption that includes recycled metal (I = 60, E = 30, AC = 100):

    >>> r = net_import_reliance(float("nan"), 60.0, 30.0, apparent_consumption=100.0)
    >>> float(r.at[0, "nir_pct"]), r.at[0, "flag"]
    (30.0, '')
    """
    if consumption is not None and apparent_consumption is not None:
        raise MethodError(
            "give either consumption (NIR = (C - P) / C) or apparent_consumption "
            "(NIR = (I - E + dS) / AC), not both"
        )
    index, a = _broadcast(
        production=production,
        imports=imports,
        exports=exports,
        stock_change=stock_change,
        consumption=consumption,
        apparent_consumption=apparent_consumption,
    )
    _check_nonnegative(
        a, ("production", "imports", "exports", "consumption", "apparent_consumption")
    )
    p, i, e, ds = a["production"], a["imports"], a["exports"], a["stock_change"]
    net = i - e + ds
    stated_ac = "apparent_consumption" in a
    if stated_ac:
        ac = a["apparent_consumption"]
        num = net
        p = np.zeros_like(net)  # not used: AC is stated
    elif "consumption" in a:
        ac = a["consumption"]
        num = ac - p
    else:
        ac = p + net
        num = net
    with np.errstate(divide="ignore", invalid="ignore"):
        nir = 100.0 * num / ac
    flag = np.full(len(index), "", dtype=object)
    reason = np.full(len(index), "", dtype=object)
    trade_unknown = np.isnan(i) | np.isnan(e) | np.isnan(ds)
    if "consumption" in a:
        trade_unknown = np.isnan(ac)
    elif stated_ac:
        trade_unknown = trade_unknown | np.isnan(ac)
    steps = [
        (np.isnan(p), WITHHELD, "production withheld or not known"),
        (
            trade_unknown,
            NOT_AVAILABLE,
            "consumption not known"
            if "consumption" in a
            else "imports, exports, stock change or apparent consumption not known"
            if stated_ac
            else "imports, exports or stock change not known",
        ),
        (num < 0, NET_EXPORTER, "net exporter"),
        (~(ac > 0), NOT_AVAILABLE, "apparent consumption is zero or negative"),
    ]
    for mask, code, words in steps:
        todo = mask & (flag == "")
        flag[todo] = code
        reason[todo] = words
    nir = np.where(flag == "", nir, np.nan)
    return pd.DataFrame(
        {
            "net_imports": net,
            "apparent_consumption": ac,
            "nir_pct": nir,
            "flag": flag,
            "reason": reason,
        },
        index=index,
    )


def stock_release(stocks: pd.Series) -> pd.Series:
    """Stock adjustment ``ΔS = S[t−1] − S[t]`` from year-end stocks (positive = drawdown).

    Parameters
    ----------
    stocks : pandas.Series
        Year-end stocks [any unit] indexed by consecutive years (ascending or not).

    Returns
    -------
    pandas.Series
        ``ΔS`` per year [same unit], the sign :func:`net_import_reliance` expects; NaN for the
        first year and wherever a stock figure or the previous year is missing.

    Raises
    ------
    MethodError
        If `stocks` is not a Series indexed by integer years, or repeats a year.

    Examples
    --------
    >>> import pandas as pd
    >>> stock_release(pd.Series({2021: 10.0, 2022: 7.0, 2023: 9.0})).tolist()
    [nan, 3.0, -2.0]
    """
    if not isinstance(stocks, pd.Series):
        raise MethodError("stocks must be a pandas Series indexed by year")
    if stocks.index.has_duplicates:
        raise MethodError(
            f"stocks repeat years {sorted(set(stocks.index[stocks.index.duplicated()]))}"
        )
    try:
        years = stocks.index.astype(int)
    except (TypeError, ValueError) as exc:
        raise MethodError(f"stocks must be indexed by integer years: {exc}") from exc
    s = pd.Series(stocks.to_numpy(dtype=float), index=years).sort_index()
    prev = s.reindex(s.index - 1).to_numpy()
    return pd.Series(prev - s.to_numpy(), index=s.index).reindex(years)


def trade_import_share(imports: _Values, exports: _Values) -> pd.Series:
    """Trade-only import indicator ``I / (I + E)`` [-], for when production is not known.

    Parameters
    ----------
    imports, exports : float, array-like or pandas.Series
        Imports and exports [one unit].

    Returns
    -------
    pandas.Series
        ``I / (I + E)`` in [0, 1]; NaN where both are zero or one is unknown.  This is **not**
        import reliance: it ignores domestic production, so a large producer that imports a
        little and exports nothing scores 1.

    Raises
    ------
    MethodError
        If a value is negative.

    Examples
    --------
    >>> trade_import_share([30.0, 0.0], [10.0, 0.0]).tolist()
    [0.75, nan]
    """
    index, a = _broadcast(imports=imports, exports=exports)
    _check_nonnegative(a, ("imports", "exports"))
    tot = a["imports"] + a["exports"]
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(tot > 0, a["imports"] / tot, np.nan)
    return pd.Series(out, index=index, name="trade_import_share")


def published_flag(value: float, flag: str | None) -> str:
    """USGS's printed qualifier for a published NIR figure.

    Parameters
    ----------
    value : float
        The published figure [%] (NaN where USGS printed a code).
    flag : str
        The observation's ``;``-joined flags (``lower_bound``, ``upper_bound``,
        ``net_exporter``, ``withheld``, ``not_available``, ...).

    Returns
    -------
    str
        ``">50"``, ``"<25"``, ``"E"``, ``"W"``, ``"NA"``, or ``""`` for a plain figure.

    Examples
    --------
    >>> published_flag(50.0, "lower_bound;estimated"), published_flag(float("nan"), "net_exporter")
    ('>50', 'E')
    """
    f = set((flag or "").split(";"))
    if "net_exporter" in f:
        return NET_EXPORTER
    if "withheld" in f:
        return WITHHELD
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return NOT_AVAILABLE
    if "lower_bound" in f:
        return f">{value:g}"
    if "upper_bound" in f:
        return f"<{value:g}"
    return ""


def compare_published(
    computed_pct: _Values,
    computed_flag: Sequence[str] | pd.Series,
    published_pct: _Values,
    published_qualifier: Sequence[str] | pd.Series,
    tolerance: float = NIR_TOLERANCE_PCT,
) -> pd.Series:
    """Whether computed NIR figures agree with published ones.

    Parameters
    ----------
    computed_pct : array-like
        Computed NIR [%] (NaN where not computed).
    computed_flag : sequence of str
        ``flag`` of :func:`net_import_reliance` (``""``, ``"E"``, ``"W"``, ``"NA"``).
    published_pct : array-like
        Published NIR [%] (NaN where USGS printed a code).
    published_qualifier : sequence of str
        :func:`published_flag` of each published figure.
    tolerance : float, default :data:`NIR_TOLERANCE_PCT`
        Largest absolute difference [percentage points] that counts as agreement.

    Returns
    -------
    pandas.Series
        Nullable boolean: ``True``/``False``, or ``<NA>`` where there is nothing to compare
        (no published figure: ``"NA"``, ``"W"``).  Rules: published ``"E"`` agrees with a
        computed ``"E"``; ``">x"`` agrees when computed > x; ``"<x"`` when computed < x; a plain
        figure when ``|computed − published| <= tolerance``.  A computation that could not be
        done (flag ``"W"`` or ``"NA"``) never agrees.

    Examples
    --------
    >>> compare_published([80.0, 60.0, float("nan"), 10.0], ["", "", "E", ""],
    ...                   [81.0, 50.0, float("nan"), 30.0], ["", ">50", "E", ""]).tolist()
    [True, True, True, False]
    """
    index, a = _broadcast(computed_pct=computed_pct, published_pct=published_pct)
    cflag = np.asarray(list(computed_flag), dtype=object)
    qual = np.asarray(list(published_qualifier), dtype=object)
    if len(cflag) != len(index) or len(qual) != len(index):
        raise MethodError(
            f"computed_flag ({len(cflag)}) and published_qualifier ({len(qual)}) must have "
            f"one entry per figure ({len(index)})"
        )
    c, p = a["computed_pct"], a["published_pct"]
    out: list[object] = []
    for ci, fi, pi, qi in zip(c, cflag, p, qual, strict=True):
        qi = qi or ""
        if qi in (NOT_AVAILABLE, WITHHELD):
            out.append(pd.NA)
        elif qi == NET_EXPORTER:
            out.append(fi == NET_EXPORTER)
        elif fi not in ("", None) or np.isnan(ci):
            out.append(False)
        elif qi.startswith(">"):
            out.append(bool(ci > float(qi[1:])))
        elif qi.startswith("<"):
            out.append(bool(ci < float(qi[1:])))
        elif np.isnan(pi):
            out.append(pd.NA)
        else:
            out.append(bool(abs(ci - pi) <= tolerance))
    return pd.Series(pd.array(out, dtype="boolean"), index=index, name="agree")
