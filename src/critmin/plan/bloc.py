"""What a bloc produces, trades and lacks at each stage (pure).

Per stage, the bloc's share of published world production comes from
:func:`critmin.assessments.concentration.bloc_supply` (content tonnes, USGS).  Per traded
code, from the network (traded-good tonnes), its trade with non-members and the gap it
must buy outside:

.. code-block:: text

    M_out      = sum_{e not in B, j in B} f_ej                    imports from outside [t]
    X_out      = sum_{e in B, j not in B} f_ej                    exports to outside [t]
    C_bloc     = sum_{i in B} C_i                                 apparent consumption [t]
    gap        = max(0, M_out - X_out)                            net external need [t]

The partner that fills the gap best is the largest supplier of the bloc's least risky
external mix (:func:`critmin.plan.partners.optimal_mix` with the bloc as importer).
"""

from __future__ import annotations

import numpy as np

from critmin.errors import MethodError

__all__ = ["trade_gap"]


def trade_gap(
    flows: np.ndarray, consumption: np.ndarray, countries: list[str], members: list[str]
) -> dict[str, float]:
    """The bloc's trade with non-members and its net external need for one code.

    Parameters
    ----------
    flows : numpy.ndarray
        ``(N, N)`` exporter x importer [t].
    consumption : numpy.ndarray
        ``(N,)`` apparent consumption [t].
    countries : list of str
        ISO3 of the axes.
    members : list of str
        The bloc.

    Returns
    -------
    dict
        ``internal_t, imports_outside_t, exports_outside_t, consumption_t, gap_t,
        self_sufficiency`` [t; fraction = 1 - gap / consumption, NaN without consumption].

    Examples
    --------
    >>> import numpy as np
    >>> f = np.array([[0, 5, 0], [0, 0, 0], [20, 10, 0]], dtype=float)  # A, B in the bloc
    >>> trade_gap(f, np.array([20.0, 15, 0]), ["A", "B", "C"], ["A", "B"])["gap_t"]
    30.0
    """
    f = np.asarray(flows, dtype=float)
    n = len(countries)
    if f.shape != (n, n):
        msg = f"flows have shape {f.shape}; fix: give ({n}, {n}) for {n} countries"
        raise MethodError(msg)
    inb = np.isin(countries, members)
    internal = float(f[np.ix_(inb, inb)].sum())
    m_out = float(f[np.ix_(~inb, inb)].sum())
    x_out = float(f[np.ix_(inb, ~inb)].sum())
    cons = float(np.asarray(consumption, dtype=float)[inb].sum())
    gap = max(0.0, m_out - x_out)
    return {
        "internal_t": internal,
        "imports_outside_t": m_out,
        "exports_outside_t": x_out,
        "consumption_t": cons,
        "gap_t": gap,
        "self_sufficiency": 1.0 - gap / cons if cons > 0 else float("nan"),
    }
