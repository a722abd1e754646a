"""EU critical raw materials (CRM) assessment: supply risk from its components, criticality rule.

Formulas as ``../shared/methods/01_eu_crm_methodology.md`` §1.1 and §1.3 state them (EC
*Methodology for establishing the EU list of critical raw materials: guidelines*, 2017,
doi:10.2873/769526; used in the 2020 and 2023 assessments, *Study on the critical raw materials
for the EU 2023: final report*, doi:10.2873/725585):

.. code-block:: text

    SR_k = [ HHI_GS,k × IR_k/2 + HHI_EU,k × (1 − IR_k/2) ] × (1 − EOL_RIR) × SI_SR     [-]
    HHI_WGI,t = Σ_c S_c² × WGI_scaled_c × t_c                                         [-]

per stage k (extraction, processing), where ``HHI_GS`` is the governance-weighted HHI of global
supply and ``HHI_EU`` that of actual EU sourcing (domestic production + imports by origin), ``IR``
the EU import reliance of the stage, ``EOL_RIR`` the end-of-life recycling input rate and
``SI_SR`` the substitution index for supply risk (all fractions 0..1).  If only one of the two
sourcing pictures exists the assessment uses it alone: ``SR = HHI × (1 − EOL_RIR) × SI_SR``.
The material's SR is the SR of its bottleneck stage, which in the 2023 data is the larger of the
two stage values.  A material is critical if ``SR ≥ 1.0`` and ``EI ≥ 2.8``.

Status in the methods note: the SR formula, the scaling and the thresholds are [I] (read from
public implementations, consistent with the published 2023 numbers); the criticality rule
reproduces the official 2023 list (§1.3).  See ``docs/methods/eu_crm.md`` for the validation.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from critmin.errors import MethodError
from critmin.metrics.governance import wgi_weighted_hhi

__all__ = [
    "EI_THRESHOLD",
    "SR_THRESHOLD",
    "bottleneck_stage",
    "is_critical",
    "material_supply_risk",
    "supply_risk",
    "supply_risk_from_shares",
]

#: Supply-risk threshold of the EU criticality rule [-]: critical needs SR >= 1.0
#: (``../shared/methods/01_eu_crm_methodology.md`` §1.1 "SR threshold" and §1.3).
SR_THRESHOLD = 1.0

#: Economic-importance threshold of the EU criticality rule [-]: critical needs EI >= 2.8
#: (``../shared/methods/01_eu_crm_methodology.md`` §1.2 "EI threshold" and §1.3).
EI_THRESHOLD = 2.8

ArrayLike = float | np.ndarray | pd.Series


def _arr(x: object, name: str) -> np.ndarray:
    if x is None:
        return np.array(np.nan)
    try:
        return np.asarray(x, dtype=float)
    except (TypeError, ValueError) as exc:
        raise MethodError(f"{name} must be numeric, got {x!r}") from exc


def _check_fraction(a: np.ndarray, name: str, hint: str = "") -> None:
    bad = ~np.isnan(a) & ((a < 0) | (a > 1))
    if bad.any():
        vals = np.atleast_1d(a)[np.atleast_1d(bad)][:5].tolist()
        raise MethodError(
            f"{name} must be a fraction in [0, 1]; got {vals}" + (f" ({hint})" if hint else "")
        )


def _index_of(*xs: object) -> pd.Index | None:
    """Return the common index of the Series among `xs` (None if none is a Series)."""
    indexes = [x.index for x in xs if isinstance(x, pd.Series)]
    if not indexes:
        return None
    first = indexes[0]
    for other in indexes[1:]:
        if not first.equals(other):
            raise MethodError(
                "the Series inputs have different indexes (misaligned); align them first, "
                f"e.g. with .reindex(); first index starts {list(first[:5])}, another "
                f"{list(other[:5])}"
            )
    return first


def _wrap(values: np.ndarray, index: pd.Index | None, name: str) -> Any:
    if values.ndim == 0:
        return float(values) if values.dtype.kind == "f" else values.item()
    if index is not None and len(index) == len(values):
        return pd.Series(values, index=index, name=name)
    return values


def supply_risk(
    hhi_gs: ArrayLike | None,
    hhi_eu: ArrayLike | None,
    import_reliance: ArrayLike | None,
    eol_rir: ArrayLike,
    si_sr: ArrayLike,
) -> ArrayLike:
    """EU CRM supply risk of one stage from its components (elementwise over arrays).

    Parameters
    ----------
    hhi_gs : float, array or Series, or None
        Governance-weighted HHI of global supply, ``HHI_WGI,t`` [-] (0..10 for t = 1; see
        :func:`critmin.metrics.governance.wgi_weighted_hhi`).  None or NaN: no global-supply
        picture (the 2023 data's "EUonly").
    hhi_eu : float, array or Series, or None
        Governance-weighted HHI of actual EU sourcing [-].  None or NaN: "GSonly".
    import_reliance : float, array or Series, or None
        EU import reliance of the stage, IR [-] (fraction 0..1; divide percent by 100).  Needed
        only where both HHIs are given.
    eol_rir : float, array or Series
        End-of-life recycling input rate [-] (fraction 0..1).
    si_sr : float, array or Series
        Substitution index for supply risk [-] (0..1).

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        ``SR = [HHI_GS·IR/2 + HHI_EU·(1 − IR/2)] · (1 − EOL_RIR) · SI_SR`` [-]; with only one
        HHI, ``SR = HHI · (1 − EOL_RIR) · SI_SR``.  A Series if any input is a Series.

    Raises
    ------
    MethodError
        If a fraction is outside [0, 1] (e.g. percent given), an HHI is negative, both HHIs
        are missing, or IR is missing where both HHIs are given.

    Notes
    -----
    ``../shared/methods/01_eu_crm_methodology.md`` §1.1 (EC Guidelines doi:10.2873/769526;
    2023 Final Report doi:10.2873/725585).  The rounding of published values is not applied.

    Examples
    --------
    Global and EU sourcing with IR = 100 %: the two pictures weigh 1/2 each.

    >>> round(supply_risk(hhi_gs=4.0, hhi_eu=2.0, import_reliance=1.0, eol_rir=0.0,
    ...                   si_sr=1.0), 12)
    3.0

    Global supply only (the heavy rare earths of 2023: China ~100 % of separation), 1 %
    end-of-life recycling, no substitution:

    >>> round(supply_risk(5.66, None, None, eol_rir=0.01, si_sr=1.0), 4)
    5.6034
    """
    index = _index_of(hhi_gs, hhi_eu, import_reliance, eol_rir, si_sr)
    gs, eu = _arr(hhi_gs, "hhi_gs"), _arr(hhi_eu, "hhi_eu")
    ir, eol, si = (
        _arr(import_reliance, "import_reliance"),
        _arr(eol_rir, "eol_rir"),
        _arr(si_sr, "si_sr"),
    )
    for a, name in ((gs, "hhi_gs"), (eu, "hhi_eu")):
        if (~np.isnan(a) & (a < 0)).any():
            raise MethodError(f"{name} must be >= 0 (a governance-weighted HHI)")
    _check_fraction(ir, "import_reliance", "divide percent by 100")
    _check_fraction(eol, "eol_rir", "divide percent by 100")
    _check_fraction(si, "si_sr")
    if np.isnan(eol).any() or np.isnan(si).any():
        raise MethodError("eol_rir and si_sr must be given (no NaN)")
    gs, eu, ir, eol, si = np.broadcast_arrays(gs, eu, ir, eol, si)
    has_gs, has_eu = ~np.isnan(gs), ~np.isnan(eu)
    if (~has_gs & ~has_eu).any():
        raise MethodError(
            "neither hhi_gs nor hhi_eu is given for "
            f"{int((~has_gs & ~has_eu).sum())} entr(y/ies); at least one sourcing picture "
            "is needed"
        )
    both = has_gs & has_eu
    if (both & np.isnan(ir)).any():
        raise MethodError(
            "import_reliance is needed where both hhi_gs and hhi_eu are given "
            "(it weighs the two sourcing pictures)"
        )
    blended = np.where(
        both,
        np.nan_to_num(gs) * ir / 2.0 + np.nan_to_num(eu) * (1.0 - ir / 2.0),
        np.where(has_gs, gs, eu),
    )
    sr = blended * (1.0 - eol) * si
    return _wrap(sr, index, "SR")


def supply_risk_from_shares(
    global_shares: pd.Series | None,
    eu_shares: pd.Series | None,
    wgi_scaled: pd.Series,
    import_reliance: float | None,
    eol_rir: float,
    si_sr: float,
    t_global: pd.Series | None = None,
    t_eu: pd.Series | None = None,
) -> float:
    """EU CRM supply risk of one stage from country shares, WGI scores and trade parameters.

    Parameters
    ----------
    global_shares : pandas.Series or None
        Share of each country in global supply of the stage [-] (fractions summing to 1),
        indexed by country; None if there is no global-supply picture.
    eu_shares : pandas.Series or None
        Share of each country (EU members included) in actual EU sourcing [-]; None if absent.
    wgi_scaled : pandas.Series
        EU-scaled WGI per country [-] (0..10; :func:`critmin.metrics.governance.eu_wgi_scaled`).
    import_reliance : float or None
        EU import reliance of the stage [-] (fraction).
    eol_rir : float
        End-of-life recycling input rate [-] (fraction).
    si_sr : float
        Substitution index for supply risk [-].
    t_global, t_eu : pandas.Series, optional
        Trade-related parameter per country for each scope [-]; unlisted countries get 1.0.

    Returns
    -------
    float
        SR of the stage [-].

    Raises
    ------
    MethodError
        As :func:`supply_risk` and :func:`critmin.metrics.governance.wgi_weighted_hhi`.

    Notes
    -----
    ``HHI_WGI,t = Σ S² · WGI_scaled · t`` for each scope, then :func:`supply_risk`
    (``../shared/methods/01_eu_crm_methodology.md`` §1.1; doi:10.2873/769526).

    Examples
    --------
    >>> import pandas as pd
    >>> wgi = pd.Series({"CHN": 5.66, "DEU": 1.0})
    >>> round(supply_risk_from_shares(pd.Series({"CHN": 1.0}), None, wgi,
    ...                               None, eol_rir=0.01, si_sr=1.0), 4)
    5.6034
    >>> round(supply_risk_from_shares(pd.Series({"CHN": 1.0}), pd.Series({"DEU": 1.0}), wgi,
    ...                               import_reliance=0.5, eol_rir=0.0, si_sr=1.0), 4)
    2.165
    """
    if global_shares is None and eu_shares is None:
        raise MethodError("give global_shares, eu_shares or both")
    hhi_gs = (
        None if global_shares is None else wgi_weighted_hhi(global_shares, wgi_scaled, t_global)
    )
    hhi_eu = None if eu_shares is None else wgi_weighted_hhi(eu_shares, wgi_scaled, t_eu)
    return float(np.asarray(supply_risk(hhi_gs, hhi_eu, import_reliance, eol_rir, si_sr)))


def material_supply_risk(
    sr_extraction: ArrayLike | None, sr_processing: ArrayLike | None
) -> ArrayLike:
    """Material supply risk: the SR of the bottleneck stage, ``max(SR_extraction, SR_processing)``.

    Parameters
    ----------
    sr_extraction, sr_processing : float, array, Series or None
        Stage supply risks [-]; None or NaN where the stage was not assessed.

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        The larger stage value [-] (the one assessed, if only one).

    Raises
    ------
    MethodError
        If neither stage has a value.

    Notes
    -----
    ``../shared/methods/01_eu_crm_methodology.md`` §1.1: in the 2023 table the material SR equals
    the SR of the stage flagged as the bottleneck and, for all 38 rows with both stages, the
    larger of the two within rounding (rule [I], data check [V]).

    Examples
    --------
    >>> material_supply_risk(0.8, 1.9), material_supply_risk(2.4, None)
    (1.9, 2.4)
    """
    index = _index_of(sr_extraction, sr_processing)
    e, p = _arr(sr_extraction, "sr_extraction"), _arr(sr_processing, "sr_processing")
    e, p = np.broadcast_arrays(e, p)
    none = np.isnan(e) & np.isnan(p)
    if none.any():
        raise MethodError(
            f"neither stage has a supply risk for {int(none.sum())} entr(y/ies); "
            "give sr_extraction or sr_processing"
        )
    out = np.fmax(e, p)
    return _wrap(out, index, "SR")


def bottleneck_stage(
    sr_extraction: ArrayLike | None, sr_processing: ArrayLike | None
) -> str | np.ndarray | pd.Series:
    """Name of the stage whose SR is the material SR ('Extraction' or 'Processing').

    Parameters
    ----------
    sr_extraction, sr_processing : float, array, Series or None
        Stage supply risks [-]; None/NaN where not assessed.

    Returns
    -------
    str, numpy.ndarray or pandas.Series
        ``'Processing'`` where SR_processing > SR_extraction or only processing was assessed,
        else ``'Extraction'`` (ties go to extraction).

    Raises
    ------
    MethodError
        If neither stage has a value.

    Examples
    --------
    >>> bottleneck_stage(0.8, 1.9), bottleneck_stage(1.2, 1.2), bottleneck_stage(None, 0.3)
    ('Processing', 'Extraction', 'Processing')
    """
    index = _index_of(sr_extraction, sr_processing)
    e, p = _arr(sr_extraction, "sr_extraction"), _arr(sr_processing, "sr_processing")
    e, p = np.broadcast_arrays(e, p)
    if (np.isnan(e) & np.isnan(p)).any():
        raise MethodError("neither stage has a supply risk; give sr_extraction or sr_processing")
    proc = np.isnan(e) | (~np.isnan(p) & (p > e))
    out = np.where(proc, "Processing", "Extraction")
    if out.ndim == 0:
        return str(out)
    return _wrap(out, index, "bottleneck_stage")


def is_critical(
    sr: ArrayLike,
    ei: ArrayLike,
    sr_threshold: float = SR_THRESHOLD,
    ei_threshold: float = EI_THRESHOLD,
) -> bool | np.ndarray | pd.Series:
    """EU criticality rule: critical if ``SR ≥ 1.0`` and ``EI ≥ 2.8``.

    Parameters
    ----------
    sr : float, array or Series
        Supply risk [-].
    ei : float, array or Series
        Economic importance [-] (0..10 scale).
    sr_threshold : float, default :data:`SR_THRESHOLD` (1.0)
        SR threshold [-].
    ei_threshold : float, default :data:`EI_THRESHOLD` (2.8)
        EI threshold [-].

    Returns
    -------
    bool, numpy.ndarray of bool or pandas.Series of bool
        True where both thresholds are met (inclusive).

    Raises
    ------
    MethodError
        If an SR or EI value is missing (NaN): the rule cannot classify it.

    Notes
    -----
    ``../shared/methods/01_eu_crm_methodology.md`` §1.1 (SR ≥ 1.0), §1.2 (EI ≥ 2.8) and §1.3:
    applied to the 90 rows of the 2023 results it reproduces the official 2023 list except
    copper and nickel, which are "strategic but not critical".

    Examples
    --------
    >>> is_critical(1.0, 2.8), is_critical(0.99, 9.0), is_critical(5.6, 2.7)
    (True, False, False)
    """
    index = _index_of(sr, ei)
    s, e = _arr(sr, "sr"), _arr(ei, "ei")
    s, e = np.broadcast_arrays(s, e)
    if np.isnan(s).any() or np.isnan(e).any():
        raise MethodError(
            f"sr or ei is NaN for {int((np.isnan(s) | np.isnan(e)).sum())} entr(y/ies); the "
            "criticality rule needs both values"
        )
    out = (s >= sr_threshold) & (e >= ei_threshold)
    if out.ndim == 0:
        return bool(out)
    return _wrap(out, index, "critical")
