"""Governance scalings of the World Bank WGI and governance-weighted concentration.

The Worldwide Governance Indicators (WGI) estimates are approximately standard-normal across
countries, range about −2.5..+2.5, higher = better governance
(``../shared/methods/04_hhi_wgi_conventions.md`` §4.3).  Two published methods rescale them so
that a larger number means a riskier supplier:

* EU criticality assessment (``../shared/methods/01_eu_crm_methodology.md`` §1.1 "Scaling"):
  ``WGI_scaled = (2.5 − mean of the six WGI estimates) × 2``, nominal range 0..10, not clipped
  -> :func:`eu_wgi_scaled`; it enters the governance-weighted HHI
  ``HHI_WGI,t = Σ_c S_c² · WGI_scaled_c · t_c`` -> :func:`wgi_weighted_hhi`.
* GeoPolRisk (``../shared/methods/03_geopolrisk.md`` §3.1): political (in)stability
  ``g = clip((2.5 − PV) / 5, 0, 1)`` from the Political Stability and Absence of Violence
  estimate only; a missing estimate gets 0.5 -> :func:`geopolrisk_stability`.

Sources: European Commission, *Methodology for establishing the EU list of critical raw
materials: guidelines* (2017), doi:10.2873/769526, and *Study on the critical raw materials for
the EU 2023: final report*, doi:10.2873/725585 (the scaling itself is marked [I] in methods/01:
read from implementations, consistent with published values); geopolrisk-py (akoyamp/geopolrisk-py
@b453938) for the GeoPolRisk normalisation, verified on all 5,112 country-years of its WGI
table.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import overload

import numpy as np
import pandas as pd

from critmin.errors import MethodError
from critmin.metrics.concentration import _as_series, _check_shares

__all__ = [
    "GEOPOLRISK_MISSING_STABILITY",
    "WGI_BOUND",
    "WGI_DIMENSIONS",
    "eu_wgi_scaled",
    "geopolrisk_stability",
    "wgi_mean",
    "wgi_weighted_hhi",
]

#: Nominal bound of a WGI estimate [-]: estimates lie in about −2.5..+2.5
#: (methods/04 §4.3); both rescalings below are anchored on it.
WGI_BOUND = 2.5

#: The six WGI dimensions averaged by the EU scaling (methods/01 §1.1, "mean over cc, ge, pv,
#: rl, rq, va"): control of corruption, government effectiveness, political stability and
#: absence of violence, rule of law, regulatory quality, voice and accountability.
WGI_DIMENSIONS = ("cc", "ge", "pv", "rl", "rq", "va")

#: Political (in)stability g given to a partner without a WGI estimate in the GeoPolRisk method
#: [-] (methods/03 §3.1: "Missing WGI → 0.5").
GEOPOLRISK_MISSING_STABILITY = 0.5


def wgi_mean(estimates: pd.DataFrame, dimensions: Sequence[str] = WGI_DIMENSIONS) -> pd.Series:
    """Mean of the six WGI estimates per country (the input of the EU scaling).

    Parameters
    ----------
    estimates : pandas.DataFrame
        WGI estimates [-] (about −2.5..+2.5), one row per country (or country × year) and one
        column per dimension.
    dimensions : sequence of str, default :data:`WGI_DIMENSIONS`
        The columns to average.

    Returns
    -------
    pandas.Series
        Row mean [-]; NaN where any dimension is missing (the EU scaling needs all six).

    Raises
    ------
    MethodError
        If a dimension column is missing.

    Examples
    --------
    >>> import pandas as pd
    >>> est = pd.DataFrame({d: [0.5] for d in WGI_DIMENSIONS}, index=["DEU"])
    >>> wgi_mean(est).to_dict()
    {'DEU': 0.5}
    """
    missing = [d for d in dimensions if d not in estimates.columns]
    if missing:
        raise MethodError(
            f"WGI dimension column(s) {missing} not found; the table has "
            f"{list(estimates.columns)}. Pass dimensions= to name them"
        )
    return estimates[list(dimensions)].astype(float).mean(axis=1, skipna=False)


@overload
def eu_wgi_scaled(wgi_mean: pd.Series) -> pd.Series: ...


@overload
def eu_wgi_scaled(wgi_mean: np.ndarray) -> np.ndarray: ...


@overload
def eu_wgi_scaled(wgi_mean: float) -> float: ...


def eu_wgi_scaled(wgi_mean: pd.Series | float | np.ndarray) -> pd.Series | float | np.ndarray:
    """EU CRM governance score: ``WGI_scaled = (2.5 − WGI_mean) × 2``.

    Parameters
    ----------
    wgi_mean : float, numpy.ndarray or pandas.Series
        Mean of the six WGI estimates of a country [-] (see :func:`wgi_mean`).

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        Scaled score [-], nominally 0 (best) .. 10 (worst); same type as the input.  Not clipped:
        an estimate outside ±2.5 gives a score outside 0..10, as in the implementation the
        method note follows.

    Notes
    -----
    ``../shared/methods/01_eu_crm_methodology.md`` §1.1 "Scaling (WGI and HHI)" and
    ``../shared/methods/04_hhi_wgi_conventions.md`` §4.3 (status [I]: read from
    meyerdata/CritMAT ``hhi_wgi_tp.py``; EC Guidelines doi:10.2873/769526).  Plausibility
    check in methods/01: China's six-indicator mean of about −0.33 gives about 5.66, the
    HHI_WGI,t implied by the published 2023 SR of the single-country HREE.

    Examples
    --------
    >>> eu_wgi_scaled(2.5), eu_wgi_scaled(-2.5), eu_wgi_scaled(0.0)
    (0.0, 10.0, 5.0)
    >>> round(eu_wgi_scaled(-0.33), 2)
    5.66
    """
    if isinstance(wgi_mean, pd.Series):
        return (WGI_BOUND - wgi_mean.astype(float)) * 2.0
    arr = np.asarray(wgi_mean, dtype=float)
    out = (WGI_BOUND - arr) * 2.0
    return float(out) if out.ndim == 0 else out


@overload
def geopolrisk_stability(pv_estimate: pd.Series, missing: float | None = ...) -> pd.Series: ...


@overload
def geopolrisk_stability(pv_estimate: np.ndarray, missing: float | None = ...) -> np.ndarray: ...


@overload
def geopolrisk_stability(pv_estimate: float, missing: float | None = ...) -> float: ...


def geopolrisk_stability(
    pv_estimate: pd.Series | float | np.ndarray,
    missing: float | None = GEOPOLRISK_MISSING_STABILITY,
) -> pd.Series | float | np.ndarray:
    """GeoPolRisk political (in)stability: ``g = clip((2.5 − PV) / 5, 0, 1)``.

    Parameters
    ----------
    pv_estimate : float, numpy.ndarray or pandas.Series
        RAW WGI *Political Stability and Absence of Violence/Terrorism* estimate [-]
        (about −2.5..+2.5, higher = more stable).
    missing : float or None, default 0.5
        Value of g for a missing (NaN) estimate; ``None`` keeps NaN.

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        g [-] in 0 (most stable) .. 1 (most unstable); same type as the input.

    Notes
    -----
    ``../shared/methods/03_geopolrisk.md`` §3.1 and ``../shared/methods/04_hhi_wgi_conventions.md``
    §4.3: verified against geopolrisk-py's WGI table (akoyamp/geopolrisk-py
    ``src/geopolrisk/lib/wgi.db``, tables Estimate vs Normalized, 5,112 country-years, 0
    mismatches); the 2022 rows are in
    ``../shared/methods/validation/geopolrisk_wgi_normalization_2022.csv``.  The clip matters:
    e.g. Afghanistan's 2022 estimate −2.55 gives g = 1.

    Examples
    --------
    >>> geopolrisk_stability(2.5), geopolrisk_stability(-2.5), geopolrisk_stability(0.0)
    (0.0, 1.0, 0.5)
    >>> geopolrisk_stability(-2.55), geopolrisk_stability(float("nan"))
    (1.0, 0.5)
    """
    if isinstance(pv_estimate, pd.Series):
        g = ((WGI_BOUND - pv_estimate.astype(float)) / (2 * WGI_BOUND)).clip(0.0, 1.0)
        return g if missing is None else g.fillna(missing)
    arr = np.asarray(pv_estimate, dtype=float)
    out = np.clip((WGI_BOUND - arr) / (2 * WGI_BOUND), 0.0, 1.0)
    if missing is not None:
        out = np.where(np.isnan(out), missing, out)
    return float(out) if out.ndim == 0 else out


def wgi_weighted_hhi(
    shares: pd.Series,
    wgi_scaled: pd.Series,
    t: pd.Series | None = None,
) -> float:
    """Governance-weighted HHI of the EU CRM method: ``HHI_WGI,t = Σ_c S_c² · WGI_scaled_c · t_c``.

    Parameters
    ----------
    shares : pandas.Series
        Share of each supplier country in supply [-] (fractions summing to 1), indexed by
        country.  NaN shares are ignored.  Global supply (GS) or actual EU sourcing (EU).
    wgi_scaled : pandas.Series
        EU-scaled governance score of each country [-] (0..10, :func:`eu_wgi_scaled`), indexed
        like `shares`.  Every country with a positive share needs a value.
    t : pandas.Series, optional
        Trade-related parameter per country [-] (1.1..1.5 for export restrictions, 0.8 for EU
        sourcing from partners with an EU trade agreement); countries not listed get 1.0.

    Returns
    -------
    float
        HHI_WGI,t [-], 0..10 when all t = 1.

    Raises
    ------
    MethodError
        If `shares` are not valid shares, a supplier has no (or a NaN) WGI score, or a t value
        is negative or repeated.

    Notes
    -----
    ``../shared/methods/01_eu_crm_methodology.md`` §1.1 (status [I]; EC Guidelines
    doi:10.2873/769526, 2023 Final Report doi:10.2873/725585).  Shares are fractions, so the
    index runs 0..10 with the 0..10 WGI score; the percent² convention divided by 10,000 is the
    same number (methods/04 §4.1).  The rule mapping export restrictions to t is not published
    in readable form (methods/01 "Trade-related variable t"): t is an input here.

    Examples
    --------
    China alone (share 1) with a scaled WGI of 5.66:

    >>> import pandas as pd
    >>> wgi_weighted_hhi(pd.Series({"CHN": 1.0}), pd.Series({"CHN": 5.66}))
    5.66

    Two suppliers, one with an export restriction (t = 1.1):

    >>> s = pd.Series({"CHN": 0.6, "AUS": 0.4})
    >>> w = pd.Series({"CHN": 5.7, "AUS": 1.6})
    >>> round(wgi_weighted_hhi(s, w, t=pd.Series({"CHN": 1.1})), 6)
    2.5132
    """
    known = _check_shares(_as_series(shares, "shares"))
    w = _as_series(wgi_scaled, "wgi_scaled")
    if w.index.has_duplicates:
        dups = sorted(set(w.index[w.index.duplicated()]))
        raise MethodError(f"wgi_scaled index repeats {dups}; give one score per country")
    suppliers = known[known > 0]
    w_aligned = w.reindex(suppliers.index)
    lacking = list(w_aligned.index[w_aligned.isna()])
    if lacking:
        raise MethodError(
            f"no WGI score for supplier(s) {lacking[:10]}"
            + (f" and {len(lacking) - 10} more" if len(lacking) > 10 else "")
            + "; the indexes of shares and wgi_scaled are misaligned (use the same country "
            "codes, e.g. ISO3)"
        )
    if t is None:
        t_aligned = pd.Series(1.0, index=suppliers.index)
    else:
        tt = _as_series(t, "t")
        if tt.index.has_duplicates:
            dups = sorted(set(tt.index[tt.index.duplicated()]))
            raise MethodError(f"t index repeats {dups}; give one trade parameter per country")
        if (tt < 0).any():
            raise MethodError(f"t must be >= 0; got {tt[tt < 0].to_dict()}")
        t_aligned = tt.reindex(suppliers.index).fillna(1.0)
    terms = suppliers.to_numpy() ** 2 * w_aligned.to_numpy() * t_aligned.to_numpy()
    return float(terms.sum())
