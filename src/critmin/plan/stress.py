"""Reverse stress test: the smallest export cut that pushes a shortfall past a threshold (pure).

For a supplier ``s`` cutting a fraction ``c`` [0-1] of its exports, the importer's
shortfall as a fraction of its apparent consumption, ``F(c)``, is non-decreasing in ``c``
(more withheld never supplies more).  The smallest cut that breaks the threshold ``theta`` is

.. code-block:: text

    c* = min { c in [0, 1] : F(c) >= theta }           (None when F(1) < theta)

found by bisection on the scenario engine's ensemble quantile (P50 or P95 over draws)
in :func:`smallest_cut`.  Without any response (no spare capacity, stockpile, demand or
substitution response, the default) the engine's shortfall is the withheld delivery, so
``F(c) = c f_sj / C_j`` and :func:`linear_cut` gives the closed form
``c* = theta C_j / f_sj`` -- used by the tests as the hand-computed case.

Sectors: with an end-use share table (``critmin.scenarios.sectors`` conventions:
``commodity_id, sector, share``) the sector's shortfall fraction is
``sum_k h_ks S_k / sum_k h_ks C_k``; for one commodity code the share cancels, so the
sector breaks at the same cut as the code's whole consumption (pro-rata allocation of
the gap over uses, the convention of :func:`critmin.scenarios.sectors.to_sectors`).

References
----------
Breuer, T., Jandacka, M., Rheinberger, K., Summer, M. (2009).  How to find plausible,
severe and useful stress scenarios.  International Journal of Central Banking 5(3),
205-224 (reverse stress testing: search for the smallest shock that breaks a threshold).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from critmin.errors import MethodError

__all__ = ["linear_cut", "smallest_cut"]


def linear_cut(threshold: float, delivery_t: float, consumption_t: float) -> float | None:
    """Closed-form smallest cut when the shortfall is the withheld delivery.

    Parameters
    ----------
    threshold : float
        Shortfall that breaks the importer (or sector) [fraction of consumption, 0-1].
    delivery_t : float
        What the supplier ships the importer in the base year ``f_sj`` [t].
    consumption_t : float
        The importer's apparent consumption ``C_j`` [t].

    Returns
    -------
    float or None
        ``theta C_j / f_sj`` [fraction of the supplier's exports], or None when even a full
        cut stays below the threshold.

    Examples
    --------
    >>> linear_cut(0.2, delivery_t=50.0, consumption_t=100.0)
    0.4
    >>> linear_cut(0.2, delivery_t=10.0, consumption_t=100.0) is None
    True
    """
    _check_threshold(threshold)
    if consumption_t <= 0:
        msg = (
            f"apparent consumption is {consumption_t!r} t: a shortfall fraction is undefined "
            "(the importer is a net exporter on this basis); fix: choose another importer or code"
        )
        raise MethodError(msg)
    if delivery_t <= 0:
        return None
    c = threshold * consumption_t / delivery_t
    return float(c) if c <= 1.0 + 1e-12 else None


def _check_threshold(threshold: float) -> None:
    if not (np.isfinite(threshold) and 0.0 < threshold <= 1.0):
        msg = f"threshold {threshold!r}; fix: give a shortfall fraction in (0, 1], e.g. 0.2"
        raise MethodError(msg)


def smallest_cut(
    shortfall: Callable[[float], float], threshold: float, *, tol: float = 1e-3
) -> tuple[float | None, int]:
    """Smallest ``c`` in [0, 1] with ``shortfall(c) >= threshold``, by bisection.

    Parameters
    ----------
    shortfall : callable
        ``F(c)`` [fraction of consumption], non-decreasing in ``c``.
    threshold : float
        [fraction, 0-1].
    tol : float
        Width of the final bracket [fraction of exports].

    Returns
    -------
    cut : float or None
        The upper end of the final bracket (a cut that does break the threshold), or None
        when ``F(1) < threshold``.
    evaluations : int
        Calls of `shortfall`.

    Examples
    --------
    >>> cut, n = smallest_cut(lambda c: 0.5 * c, 0.2, tol=1e-6)
    >>> round(cut, 5), n
    (0.4, 21)
    """
    _check_threshold(threshold)
    if not 0 < tol < 1:
        msg = f"tol={tol!r}; fix: give a bracket width in (0, 1)"
        raise MethodError(msg)
    n = 1
    if shortfall(1.0) < threshold:
        return None, n
    lo, hi = 0.0, 1.0
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        n += 1
        if shortfall(mid) >= threshold:
            hi = mid
        else:
            lo = mid
    return hi, n
