"""Inflow-driven and stock-driven dynamic stock models, computed by flodym.

Notation (``../shared/methods/05_dynamic_stock_models.md``): years ``t``, cohorts ``c``
(inflow year), inflow ``i(c)``, survival ``sf[t, c]`` from :mod:`critmin.circular.lifetimes`.

Inflow-driven (:func:`inflow_driven`, flodym :class:`flodym.InflowDrivenDSM`)::

    s_c[t, c] = i(c) * sf[t, c]                   stock by cohort at the end of year t
    o_c[t, c] = i(c) * pdf[t, c]                  outflow by cohort during year t
    pdf[c, c] = 1 - sf[c, c];  pdf[t, c] = sf[t-1, c] - sf[t, c]   (t > c)
    s(t) = Σ_c s_c[t, c];   o(t) = Σ_c o_c[t, c];   Δs(t) = s(t) - s(t-1),  s(-1) = 0
    mass balance:  i(t) - o(t) - Δs(t) = 0

Stock-driven (:func:`stock_driven`, flodym :class:`flodym.StockDrivenDSM`): given
``s(t)``, solve the lower-triangular system ``Σ_{c<=t} sf[t, c] i(c) = s(t)``::

    i(t) = (s(t) - Σ_{c<t} i(c) sf[t, c]) / sf[t, t]

then proceed as inflow-driven.  ODYM's ``NegativeInflowCorrect`` option is not
implemented: a negative implied inflow is reported (warning, or error on request).

Both reproduce the ODYM test cases in ``../shared/methods/validation/dsm`` with the
default age convention ``inflow_at="end"`` (see ``docs/methods/stock_models.md``).

Years must be consecutive whole years and flows are per year; the model starts empty
(no stock before the first year).
"""

from __future__ import annotations

import logging
import string
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import flodym
import numpy as np
import pandas as pd

from critmin.circular.lifetimes import Lifetime, padded_years, time_dimension
from critmin.errors import MethodError

__all__ = ["DSMResult", "NegativeInflowWarning", "inflow_driven", "stock_driven"]

logger = logging.getLogger(__name__)


class NegativeInflowWarning(UserWarning):
    """A stock-driven model implied a negative inflow (the stock fell faster than outflows)."""


@dataclass(frozen=True)
class DSMResult:
    """Result of a dynamic stock model; all flows are per year, stocks at year end.

    Arrays have time as their first axis; extra axes (if the input had them) follow.

    Attributes
    ----------
    years : numpy.ndarray
        Model years [yr], consecutive.
    inflow : numpy.ndarray
        ``i(t)`` [unit of the input per yr].
    stock : numpy.ndarray
        ``s(t)``, in use at the end of year ``t`` [unit of the input].
    outflow : numpy.ndarray
        ``o(t)``, leaving use during year ``t`` [unit per yr].
    stock_change : numpy.ndarray
        ``Δs(t) = s(t) - s(t-1)`` with ``s(-1) = 0`` [unit per yr].
    stock_by_cohort : numpy.ndarray
        ``s_c[t, c, ...]`` [unit].
    outflow_by_cohort : numpy.ndarray
        ``o_c[t, c, ...]`` [unit per yr].
    lifetime : Lifetime
        The lifetime used.
    columns : pandas.Index or None
        Column labels when the input was a DataFrame (one model per column).
    """

    years: np.ndarray
    inflow: np.ndarray
    stock: np.ndarray
    outflow: np.ndarray
    stock_change: np.ndarray
    stock_by_cohort: np.ndarray
    outflow_by_cohort: np.ndarray
    lifetime: Lifetime
    columns: pd.Index | None = None

    @property
    def balance(self) -> np.ndarray:
        """Mass-balance residual ``i(t) - o(t) - Δs(t)`` [unit per yr]; ~0 up to rounding."""
        return self.inflow - self.outflow - self.stock_change

    def to_frame(self) -> pd.DataFrame:
        """Inflow, outflow, stock and stock change with a year index.

        Returns
        -------
        pandas.DataFrame
            One column per variable for a 1-D model; for a model over DataFrame columns,
            columns are a MultiIndex ``(variable, column)``.  N-D array models are returned
            long (``year``, ``d0``, ``d1``, ..., ``variable``, ``value``).
        """
        idx = pd.Index(self.years, name="year")
        names = ("inflow", "outflow", "stock", "stock_change")
        arrays = (self.inflow, self.outflow, self.stock, self.stock_change)
        if self.inflow.ndim == 1:
            return pd.DataFrame(dict(zip(names, arrays, strict=True)), index=idx)
        if self.inflow.ndim == 2:
            cols = self.columns if self.columns is not None else pd.RangeIndex(self.inflow.shape[1])
            parts = {
                n: pd.DataFrame(a, index=idx, columns=cols)
                for n, a in zip(names, arrays, strict=True)
            }
            return pd.concat(parts, axis=1, names=["variable", cols.name or "series"])
        frames = []
        shape = self.inflow.shape
        grid = np.indices(shape).reshape(len(shape), -1)
        for n, a in zip(names, arrays, strict=True):
            df = pd.DataFrame({"year": self.years[grid[0]]})
            for k in range(1, len(shape)):
                df[f"d{k - 1}"] = grid[k]
            df["variable"] = n
            df["value"] = a.reshape(-1)
            frames.append(df)
        return pd.concat(frames, ignore_index=True)

    def cohort_frame(self, which: Literal["stock", "outflow"] = "stock") -> pd.DataFrame:
        """Stock (or outflow) by cohort of a 1-D model: rows = year, columns = cohort.

        Parameters
        ----------
        which : {'stock', 'outflow'}

        Returns
        -------
        pandas.DataFrame
            ``[year, cohort]`` [unit] or [unit per yr].
        """
        if self.inflow.ndim != 1:
            msg = "cohort_frame() is for 1-D models; index stock_by_cohort[t, c, ...] directly"
            raise MethodError(msg)
        arr = self.stock_by_cohort if which == "stock" else self.outflow_by_cohort
        return pd.DataFrame(
            arr,
            index=pd.Index(self.years, name="year"),
            columns=pd.Index(self.years, name="cohort"),
        )


def _as_time_array(
    data: Any, years: Sequence[int] | np.ndarray | None, what: str
) -> tuple[np.ndarray, np.ndarray, pd.Index | None]:
    """Return (values [t, ...], years, columns) from an array, Series or DataFrame."""
    columns = None
    if isinstance(data, pd.DataFrame):
        columns = data.columns
        if years is None:
            years = data.index.to_numpy()
        values = data.to_numpy(dtype=float)
    elif isinstance(data, pd.Series):
        if years is None:
            years = data.index.to_numpy()
        values = data.to_numpy(dtype=float)
    else:
        try:
            values = np.asarray(data, dtype=float)
        except (TypeError, ValueError) as exc:
            msg = f"{what} must be numeric (array, Series or DataFrame), got {type(data)}"
            raise MethodError(msg) from exc
        if values.ndim == 0:
            msg = f"{what} must have a time axis, got a scalar"
            raise MethodError(msg)
        if years is None:
            years = np.arange(values.shape[0])
    years = np.asarray(years)
    if values.shape[0] != years.shape[0]:
        msg = f"{what} has {values.shape[0]} time steps but {years.shape[0]} years were given"
        raise MethodError(msg)
    if not np.all(np.isfinite(values)):
        bad = np.argwhere(~np.isfinite(values))[0]
        msg = f"{what} has a missing or infinite value in year {years[bad[0]]}"
        raise MethodError(msg)
    time_dimension(years)  # validates consecutive whole years
    return values, years.astype(int), columns


def _dims(years: np.ndarray, shape: tuple[int, ...]) -> flodym.DimensionSet:
    letters = [c for c in string.ascii_lowercase if c != "t"]
    dims = [time_dimension(years)]
    for k, n in enumerate(shape[1:]):
        dims.append(flodym.Dimension(name=f"dim{k}", letter=letters[k], items=list(range(n))))
    return flodym.DimensionSet(dim_list=dims)


def _pad(values: np.ndarray, years: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Append repeats of the last time step so that flodym gets >= 3 years (cut later)."""
    padded = padded_years(years)
    extra = len(padded) - len(years)
    if extra:
        values = np.concatenate([values, np.repeat(values[-1:], extra, axis=0)])
    return values, padded


def _result(
    dsm: flodym.DynamicStockModel, years: np.ndarray, lifetime: Lifetime, columns: pd.Index | None
) -> DSMResult:
    n = len(years)
    stock = dsm.stock.values[:n].copy()
    change = np.diff(stock, axis=0, prepend=0.0)
    return DSMResult(
        years=years,
        inflow=dsm.inflow.values[:n].copy(),
        stock=stock,
        outflow=dsm.outflow.values[:n].copy(),
        stock_change=change,
        stock_by_cohort=dsm.get_stock_by_cohort()[:n, :n].copy(),
        outflow_by_cohort=dsm.get_outflow_by_cohort()[:n, :n].copy(),
        lifetime=lifetime,
        columns=columns,
    )


def inflow_driven(
    inflow: np.ndarray | pd.Series | pd.DataFrame | Sequence[float],
    lifetime: Lifetime,
    years: Sequence[int] | np.ndarray | None = None,
) -> DSMResult:
    """Stock and outflow from annual inflows and a lifetime distribution (flodym).

    Parameters
    ----------
    inflow : array-like, pandas.Series or pandas.DataFrame
        Inflow per year [any unit per yr], time on the first axis.  A Series or DataFrame
        supplies the years through its index; a DataFrame runs one model per column.
        Must be finite and ``>= 0``.
    lifetime : Lifetime
        From :mod:`critmin.circular.lifetimes`; array parameters broadcast against the
        non-time axes (e.g. one lifetime per DataFrame column).
    years : sequence of int, optional
        Consecutive model years [yr]; defaults to the index, or ``0..n-1``.

    Returns
    -------
    DSMResult
        ``stock``, ``outflow``, ``stock_change``, ``stock_by_cohort[t, c]`` ...

    Raises
    ------
    MethodError
        Negative, missing or infinite inflow; years not consecutive; bad lifetime.

    Examples
    --------
    Fixed lifetime of 2 years, inflow 10 per year:

    >>> from critmin.circular.lifetimes import fixed
    >>> r = inflow_driven([10, 10, 10, 10], fixed(2), years=[2020, 2021, 2022, 2023])
    >>> r.stock.tolist(), r.outflow.tolist()
    ([10.0, 20.0, 20.0, 20.0], [0.0, 0.0, 10.0, 10.0])
    """
    values, yrs, columns = _as_time_array(inflow, years, "inflow")
    if np.any(values < 0):
        bad = np.argwhere(values < 0)[0]
        msg = (
            f"inflow must be >= 0; got {values[tuple(bad)]:g} in year {yrs[bad[0]]}. "
            "A dynamic stock model takes additions to the stock; model removals as outflows."
        )
        raise MethodError(msg)
    padded, pyrs = _pad(values, yrs)
    dims = _dims(pyrs, padded.shape)
    model = lifetime.to_flodym(dims)
    dsm = flodym.InflowDrivenDSM(dims=dims, lifetime_model=model, name="critmin")
    dsm.inflow.values[...] = padded
    dsm.compute()
    if not np.all(np.isfinite(dsm.stock.values)):
        msg = f"dynamic stock model gave non-finite stocks; check the lifetime {lifetime!r}"
        raise MethodError(msg)
    logger.debug("inflow-driven DSM over %d years, shape %s, %r", len(yrs), values.shape, lifetime)
    return _result(dsm, yrs, lifetime, columns)


def stock_driven(
    stock: np.ndarray | pd.Series | pd.DataFrame | Sequence[float],
    lifetime: Lifetime,
    years: Sequence[int] | np.ndarray | None = None,
    *,
    solver: Literal["manual", "lapack"] = "manual",
    negative_inflow: Literal["warn", "raise", "allow"] = "warn",
) -> DSMResult:
    """Inflow and outflow implied by a stock path and a lifetime distribution (flodym).

    Parameters
    ----------
    stock : array-like, pandas.Series or pandas.DataFrame
        Stock in use at the end of each year [any unit], time on the first axis.  Finite
        and ``>= 0``.
    lifetime : Lifetime
        ``sf[t, t]`` must be > 0 (a fixed lifetime of 0 cannot drive a stock).
    years : sequence of int, optional
        Consecutive model years [yr]; defaults to the index, or ``0..n-1``.
    solver : {'manual', 'lapack'}, default 'manual'
        flodym's triangular solver: forward substitution, or LAPACK ``trtrs``.
    negative_inflow : {'warn', 'raise', 'allow'}, default 'warn'
        What to do if the stock falls faster than the outflow of the existing cohorts,
        which implies a negative inflow (ODYM's ``NegativeInflowCorrect`` is not applied).

    Returns
    -------
    DSMResult
        ``inflow`` is the solved inflow [unit per yr].

    Raises
    ------
    MethodError
        Negative or missing stock; ``sf[t, t] == 0``; negative inflow with
        ``negative_inflow="raise"``.

    Warns
    -----
    NegativeInflowWarning
        With ``negative_inflow="warn"`` when a solved inflow is < 0.
    """
    values, yrs, columns = _as_time_array(stock, years, "stock")
    if np.any(values < 0):
        bad = np.argwhere(values < 0)[0]
        msg = f"stock must be >= 0; got {values[tuple(bad)]:g} in year {yrs[bad[0]]}"
        raise MethodError(msg)
    if solver not in ("manual", "lapack"):
        msg = f"solver must be 'manual' or 'lapack', got {solver!r}"
        raise MethodError(msg)
    padded, pyrs = _pad(values, yrs)
    dims = _dims(pyrs, padded.shape)
    model = lifetime.to_flodym(dims)
    diag = np.diagonal(model.sf, axis1=0, axis2=1)
    if np.any(diag <= 0):
        msg = (
            f"stock-driven model needs sf[t, t] > 0, but {lifetime!r} removes a whole cohort "
            "in its inflow year (e.g. fixed lifetime 0); no inflow can build that stock"
        )
        raise MethodError(msg)
    dsm = flodym.StockDrivenDSM(dims=dims, lifetime_model=model, solver=solver, name="critmin")
    dsm.stock.values[...] = padded
    dsm.compute()
    inflow = dsm.inflow.values[: len(yrs)]
    tol = 1e-12 * max(1.0, float(np.max(np.abs(values))))
    if np.any(inflow < -tol):
        bad = np.argwhere(inflow < -tol)[0]
        msg = (
            f"stock-driven model implies a negative inflow of {inflow[tuple(bad)]:g} in year "
            f"{yrs[bad[0]]}: the stock falls faster than existing cohorts leave. Smooth the "
            "stock path or shorten the lifetime."
        )
        if negative_inflow == "raise":
            raise MethodError(msg)
        if negative_inflow == "warn":
            warnings.warn(msg, NegativeInflowWarning, stacklevel=2)
    logger.debug("stock-driven DSM over %d years, shape %s, %r", len(yrs), values.shape, lifetime)
    return _result(dsm, yrs, lifetime, columns)
