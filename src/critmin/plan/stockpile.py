"""Stockpile that covers a quantile of an ensemble's cumulative shortfall (pure).

For each draw ``d`` of a scenario ensemble the importer's cumulative shortfall over the
shock's years is ``Z_d = sum_t S[d, t]`` [t] (annual shortfalls [t/yr] times one year).
The stockpile that covers the shortfall with probability ``q`` (``--cover``) is the
``q``-quantile of ``Z`` (``inverted_cdf``: a value that occurred, so the stock covers at
least a fraction ``q`` of the draws):

.. code-block:: text

    stock_q  = Q_q(Z)                                   [t]
    months   = stock_q / (C / 12)                       [months of apparent consumption]
    cost     = stock_q x u                              [USD], u the importer's BACI unit value

A stockpile sized this way releases its stock as the gap arises (the engine's
``stockpile_days`` response), so holding ``stock_q`` means no shortfall in a fraction
``q`` of the draws.

References
----------
Hyndman, R. J., Fan, Y. (1996).  Sample quantiles in statistical packages.  The American
Statistician 50(4), 361-365 (definition 1, inverted CDF).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from critmin.errors import MethodError

__all__ = ["stockpile_size"]


def stockpile_size(
    shortfall_t: np.ndarray,
    consumption_t: np.ndarray,
    unit_value_usd_per_t: np.ndarray,
    cover: float = 0.95,
    commodities: list[str] | None = None,
) -> pd.DataFrame:
    """Stockpile per commodity covering the `cover` quantile of cumulative shortfall.

    Parameters
    ----------
    shortfall_t : numpy.ndarray
        ``(D, T, K)`` per-draw annual shortfall of one importer [t/yr].
    consumption_t : numpy.ndarray
        ``(K,)`` base-year apparent consumption [t/yr].
    unit_value_usd_per_t : numpy.ndarray
        ``(K,)`` unit value of the importer's imports [USD/t]; NaN = no cost figure.
    cover : float
        Probability the stock covers the shortfall [fraction, (0, 1)].
    commodities : list of str, optional
        Labels of the ``K`` axis.

    Returns
    -------
    pandas.DataFrame
        ``commodity_id, stock_t, months, cost_musd, peak_shortfall_t, p_any_shortfall``
        [t; months; million USD; t/yr; fraction of draws].

    Examples
    --------
    Four draws, one year, one commodity: shortfalls 0, 10, 20, 40 t; P75 covers 20 t:

    >>> import numpy as np
    >>> s = np.array([0.0, 10, 20, 40]).reshape(4, 1, 1)
    >>> stockpile_size(s, np.array([120.0]), np.array([1e3]), cover=0.75)[["stock_t", "months"]]
       stock_t  months
    0     20.0     2.0
    """
    s = np.asarray(shortfall_t, dtype=float)
    if s.ndim != 3:
        msg = f"shortfall_t has shape {s.shape}; fix: give (draws, years, commodities)"
        raise MethodError(msg)
    if not (0.0 < float(cover) < 1.0):
        msg = f"cover={cover!r}; fix: give a probability in (0, 1), e.g. 0.95"
        raise MethodError(msg)
    if (s < -1e-9).any() or not np.isfinite(s).all():
        msg = "shortfall_t has negative or non-finite values; fix: give shortfalls >= 0 t"
        raise MethodError(msg)
    k = s.shape[2]
    c = np.broadcast_to(np.asarray(consumption_t, dtype=float), (k,))
    u = np.broadcast_to(np.asarray(unit_value_usd_per_t, dtype=float), (k,))
    z = s.sum(axis=1)  # (D, K)
    stock = np.quantile(z, float(cover), axis=0, method="inverted_cdf")
    with np.errstate(divide="ignore", invalid="ignore"):
        months = np.where(c > 0, stock / (c / 12.0), np.nan)
    peak = np.quantile(s.max(axis=1), float(cover), axis=0, method="inverted_cdf")
    return pd.DataFrame(
        {
            "commodity_id": commodities if commodities is not None else list(range(k)),
            "stock_t": stock,
            "months": months,
            "cost_musd": stock * u / 1e6,
            "peak_shortfall_t": peak,
            "p_any_shortfall": (z > 0).mean(axis=0),
        }
    )
