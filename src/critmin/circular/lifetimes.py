"""Lifetime distributions for dynamic stock models, built on flodym's lifetime models.

A :class:`Lifetime` is a small, immutable description of a lifetime distribution (its
family, its parameters and the age convention).  It does no survival mathematics itself:
:meth:`Lifetime.to_flodym` builds the matching :mod:`flodym.lifetime_models` object, which
computes the survival factors ``sf`` and the outflow probabilities ``pdf`` used by
:mod:`critmin.circular.stock` and :mod:`critmin.circular.recovery`.

Age convention
--------------
Let ``c`` be the year a cohort enters use (its inflow year) and ``t`` a later model year.
``sf[t, c]`` is the share of cohort ``c`` still in use **at the end of year t**, and
``S(a)`` the survival function of the chosen distribution at age ``a`` [yr].

critmin's default, ``inflow_at="end"``, is the ODYM convention (IndEcol/ODYM
``dynamic_stock_model.py`` ``compute_sf``; see ``../shared/methods/05_dynamic_stock_models.md``
section 5.2)::

    sf[t, c] = S(t - c)      for t >= c,   0 for t < c

i.e. age is counted in whole years and is 0 in the inflow year.  Consequences:

* fixed lifetime ``L``: a product entering in year ``c`` is in use at the end of years
  ``c .. c + ceil(L) - 1`` and leaves in year ``c + ceil(L)`` (``L = 5`` → leaves in year
  ``c + 5``; ``L = 3.5`` → leaves in year ``c + 4``).  ``L = 0`` → leaves in its inflow year.
* distributions with ``S(0) < 1`` (normal) already send part of a cohort out in its
  inflow year; there is no truncation at negative ages (ODYM and flodym agree).
* the mean residence time in the stock is about ``mean + 0.5`` years and a constant
  inflow ``i`` builds a stationary stock of about ``i * (mean + 0.5)`` (flodym test
  ``test_stocks.py``: 30.5 for a lognormal of mean 30).

flodym measures age from the inflow time *within* the year to the *end* of each year.
Its three settings are::

    inflow_at="end"     sf[t, c] = S(t - c)          ← reproduces ODYM (critmin default)
    inflow_at="middle"  sf[t, c] = S(t - c + 0.5)    ← flodym's default (half-year convention)
    inflow_at="start"   sf[t, c] = S(t - c + 1)

``"middle"`` treats inflows as spread over the year (on average at mid-year); it removes
the half-year bias above (stationary stock ≈ ``i * mean``) but no longer reproduces ODYM.
``n_pts_per_interval`` in 2..10 averages ``S`` over the inflow year by Gauss–Lobatto
quadrature (flodym; ``inflow_at`` is then ignored) and is meant for lifetimes of about a
year or less.

Distributions (``a`` = age [yr]; flodym's formulas, ODYM-identical except as noted):

* :func:`fixed` — ``S(a) = 1 if a < L else 0``.
* :func:`normal` — ``S(a) = 1 - Φ((a - mean) / std)``.
* :func:`folded_normal` — normal folded at 0, parameters of the normal *before* folding.
* :func:`lognormal` — ``mean`` and ``std`` are those of the lognormal itself:
  ``σ_ln = sqrt(ln(1 + std²/mean²))``, ``μ_ln = ln(mean² / sqrt(mean² + std²))``.  ODYM's
  code swaps ``std²/mean²`` for ``mean²/std²``, so ODYM and critmin agree only when
  ``mean == std`` (methods/05 §5.2).
* :func:`weibull` — ``S(a) = exp(-(a / scale) ** shape)``.

References
----------
.. [1] Lauinger, D. et al. flodym — Flexible Open Dynamic Material Systems Model,
   ``flodym/lifetime_models.py`` (pik-piam/flodym, v1.1.0).
.. [2] Pauliuk, S. & Heeren, N. (2020) ODYM — An open software framework for studying
   dynamic material systems. J. Ind. Ecol. 24, 446–458. doi:10.1111/jiec.12952
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import flodym
import numpy as np

from critmin.errors import MethodError

__all__ = [
    "DEFAULT_INFLOW_AT",
    "FAMILIES",
    "InflowAt",
    "Lifetime",
    "fixed",
    "folded_normal",
    "from_spec",
    "lognormal",
    "normal",
    "padded_years",
    "survival_matrix",
    "time_dimension",
    "weibull",
]

logger = logging.getLogger(__name__)

InflowAt = Literal["start", "middle", "end"]

#: critmin's default age convention: ``"end"`` reproduces ODYM (see module docstring).
DEFAULT_INFLOW_AT: InflowAt = "end"

_FLODYM_CLASSES: dict[str, type[flodym.LifetimeModel]] = {
    "fixed": flodym.FixedLifetime,
    "normal": flodym.NormalLifetime,
    "foldednormal": flodym.FoldedNormalLifetime,
    "lognormal": flodym.LogNormalLifetime,
    "weibull": flodym.WeibullLifetime,
}

#: Lifetime families and the flodym parameter names each one needs.
FAMILIES: dict[str, tuple[str, ...]] = {
    "fixed": ("mean",),
    "normal": ("mean", "std"),
    "foldednormal": ("mean", "std"),
    "lognormal": ("mean", "std"),
    "weibull": ("weibull_shape", "weibull_scale"),
}

_ALIASES = {
    "fixed": "fixed",
    "normal": "normal",
    "norm": "normal",
    "foldednormal": "foldednormal",
    "folded_normal": "foldednormal",
    "foldnorm": "foldednormal",
    "lognormal": "lognormal",
    "log_normal": "lognormal",
    "lognorm": "lognormal",
    "weibull": "weibull",
}

ParamValue = float | np.ndarray | flodym.FlodymArray


def _check_param(name: str, value: Any, *, positive: bool) -> ParamValue:
    """Validate one lifetime parameter: finite, and > 0 (or >= 0)."""
    if isinstance(value, flodym.FlodymArray):
        arr = value.values
    else:
        try:
            arr = np.asarray(value, dtype=float)
        except (TypeError, ValueError) as exc:
            msg = f"lifetime parameter {name!r} must be a number or array, got {value!r}"
            raise MethodError(msg) from exc
    if arr.size == 0:
        msg = f"lifetime parameter {name!r} is empty"
        raise MethodError(msg)
    if not np.all(np.isfinite(arr)):
        msg = f"lifetime parameter {name!r} must be finite, got {value!r}"
        raise MethodError(msg)
    bad = arr <= 0 if positive else arr < 0
    if np.any(bad):
        rel = "> 0" if positive else ">= 0"
        msg = f"lifetime parameter {name!r} must be {rel}, got {value!r}"
        raise MethodError(msg)
    if isinstance(value, flodym.FlodymArray):
        return value
    return float(arr) if arr.ndim == 0 else arr


def _check_inflow_at(inflow_at: str, n_pts_per_interval: int) -> None:
    if inflow_at not in ("start", "middle", "end"):
        msg = f"inflow_at must be 'start', 'middle' or 'end', got {inflow_at!r}"
        raise MethodError(msg)
    if not 1 <= int(n_pts_per_interval) <= 10:
        msg = f"n_pts_per_interval must be in 1..10 (flodym), got {n_pts_per_interval!r}"
        raise MethodError(msg)


@dataclass(frozen=True)
class Lifetime:
    """A lifetime distribution and its age convention, realised by a flodym lifetime model.

    Build one with :func:`fixed`, :func:`normal`, :func:`folded_normal`, :func:`lognormal`,
    :func:`weibull` or :func:`from_spec` rather than directly.

    Parameters
    ----------
    family : {'fixed', 'normal', 'foldednormal', 'lognormal', 'weibull'}
        Distribution family.
    params : mapping of str to float, numpy.ndarray or flodym.FlodymArray
        Parameters under flodym's names (``mean``, ``std``, ``weibull_shape``,
        ``weibull_scale``) [yr, except ``weibull_shape`` which is dimensionless].  Arrays
        broadcast against the non-time dimensions of the stock (numpy rules, from the
        right); a :class:`flodym.FlodymArray` is cast by dimension letter.
    inflow_at : {'end', 'middle', 'start'}, default 'end'
        When in its inflow year a cohort enters use (see the module docstring).
        ``'end'`` reproduces ODYM.
    n_pts_per_interval : int, default 1
        Gauss–Lobatto points per inflow year (flodym); 1 uses ``inflow_at``.
    """

    family: str
    params: Mapping[str, ParamValue] = field(default_factory=dict)
    inflow_at: InflowAt = DEFAULT_INFLOW_AT
    n_pts_per_interval: int = 1

    def __post_init__(self) -> None:
        """Check family, parameter names and age convention."""
        if self.family not in FAMILIES:
            msg = f"unknown lifetime family {self.family!r}; use one of {sorted(FAMILIES)}"
            raise MethodError(msg)
        need = set(FAMILIES[self.family])
        have = set(self.params)
        if need != have:
            msg = f"{self.family} lifetime needs parameters {sorted(need)}, got {sorted(have)}"
            raise MethodError(msg)
        _check_inflow_at(self.inflow_at, self.n_pts_per_interval)

    @property
    def flodym_class(self) -> type[flodym.LifetimeModel]:
        """The :mod:`flodym.lifetime_models` class that realises this lifetime."""
        return _FLODYM_CLASSES[self.family]

    def to_flodym(self, dims: flodym.DimensionSet) -> flodym.LifetimeModel:
        """Build the flodym lifetime model over `dims` (time must be the first dimension).

        Parameters
        ----------
        dims : flodym.DimensionSet
            Dimensions of the stock; the first is time (letter ``t``) with one item per
            model year.

        Returns
        -------
        flodym.LifetimeModel
            Its ``sf`` and ``pdf`` properties are the survival and outflow-probability
            arrays of shape ``(n_years, n_years, *other_dims)`` indexed ``[t, c, ...]``.
        """
        shape = tuple(dims.shape)
        for name, value in self.params.items():
            if isinstance(value, np.ndarray):
                try:
                    np.broadcast_shapes(value.shape, shape)
                except ValueError:
                    msg = (
                        f"lifetime parameter {name!r} has shape {value.shape}, which does not "
                        f"broadcast to the stock's shape {shape} (time first)"
                    )
                    raise MethodError(msg) from None
        try:
            return self.flodym_class(
                dims=dims,
                time_letter=dims.letters[0],
                inflow_at=self.inflow_at,
                n_pts_per_interval=self.n_pts_per_interval,
                **dict(self.params),
            )
        except ValueError as exc:  # pydantic / flodym shape errors
            name = self.flodym_class.__name__
            msg = f"cannot build flodym {name} over dims {dims.letters}: {exc}"
            raise MethodError(msg) from exc

    def survival(self, years: Sequence[int] | np.ndarray) -> np.ndarray:
        """Return the survival matrix ``sf[t, c]`` over `years`.

        Parameters
        ----------
        years : sequence of int
            Consecutive model years [yr].

        Returns
        -------
        numpy.ndarray
            Shape ``(n, n)`` (plus any parameter-array dimensions): share of cohort ``c``
            still in use at the end of year ``t`` [-]; zero above the diagonal.
        """
        return survival_matrix(self, years)[0]

    def with_convention(self, inflow_at: InflowAt, n_pts_per_interval: int = 1) -> Lifetime:
        """Return the same distribution under another age convention."""
        return Lifetime(self.family, dict(self.params), inflow_at, n_pts_per_interval)

    def __repr__(self) -> str:
        """Show family, parameters and convention."""
        prm = ", ".join(f"{k}={_fmt(v)}" for k, v in self.params.items())
        return f"Lifetime({self.family}: {prm}; inflow_at={self.inflow_at!r})"


def _fmt(v: ParamValue) -> str:
    if isinstance(v, flodym.FlodymArray):
        return f"FlodymArray{v.dims.letters}"
    if isinstance(v, np.ndarray):
        return f"array{v.shape}"
    return f"{v:g}"


def fixed(
    lifetime: ParamValue, *, inflow_at: InflowAt = DEFAULT_INFLOW_AT, n_pts_per_interval: int = 1
) -> Lifetime:
    """Build a fixed lifetime: every product of a cohort leaves at the same age.

    Parameters
    ----------
    lifetime : float or array
        Age at which the cohort leaves [yr], ``>= 0``.  Under the default convention a
        cohort entering in year ``c`` leaves in year ``c + ceil(lifetime)``.
    inflow_at, n_pts_per_interval
        Age convention, see :class:`Lifetime`.

    Returns
    -------
    Lifetime

    Examples
    --------
    >>> fixed(2).survival([2000, 2001, 2002, 2003])
    array([[1., 0., 0., 0.],
           [1., 1., 0., 0.],
           [0., 1., 1., 0.],
           [0., 0., 1., 1.]])
    """
    return Lifetime(
        "fixed",
        {"mean": _check_param("lifetime", lifetime, positive=False)},
        inflow_at,
        n_pts_per_interval,
    )


def normal(
    mean: ParamValue,
    std: ParamValue,
    *,
    inflow_at: InflowAt = DEFAULT_INFLOW_AT,
    n_pts_per_interval: int = 1,
) -> Lifetime:
    """Build a normal lifetime (not truncated at age 0, as in ODYM and flodym).

    Parameters
    ----------
    mean : float or array
        Mean lifetime [yr], ``>= 0``.
    std : float or array
        Standard deviation [yr], ``> 0``.
    inflow_at, n_pts_per_interval
        Age convention, see :class:`Lifetime`.

    Returns
    -------
    Lifetime
    """
    return Lifetime(
        "normal",
        {
            "mean": _check_param("mean", mean, positive=False),
            "std": _check_param("std", std, positive=True),
        },
        inflow_at,
        n_pts_per_interval,
    )


def folded_normal(
    mean: ParamValue,
    std: ParamValue,
    *,
    inflow_at: InflowAt = DEFAULT_INFLOW_AT,
    n_pts_per_interval: int = 1,
) -> Lifetime:
    """Build a folded-normal lifetime; `mean`, `std` are those of the normal *before* folding.

    Parameters
    ----------
    mean : float or array
        Mean of the underlying normal [yr], ``>= 0``.
    std : float or array
        Standard deviation of the underlying normal [yr], ``> 0``.
    inflow_at, n_pts_per_interval
        Age convention, see :class:`Lifetime`.

    Returns
    -------
    Lifetime
    """
    return Lifetime(
        "foldednormal",
        {
            "mean": _check_param("mean", mean, positive=False),
            "std": _check_param("std", std, positive=True),
        },
        inflow_at,
        n_pts_per_interval,
    )


def lognormal(
    mean: ParamValue,
    std: ParamValue,
    *,
    inflow_at: InflowAt = DEFAULT_INFLOW_AT,
    n_pts_per_interval: int = 1,
) -> Lifetime:
    """Build a lognormal lifetime from the mean and standard deviation of the lognormal itself.

    Parameters
    ----------
    mean : float or array
        Mean lifetime [yr], ``> 0``.
    std : float or array
        Standard deviation of the lifetime [yr], ``> 0``.
    inflow_at, n_pts_per_interval
        Age convention, see :class:`Lifetime`.

    Returns
    -------
    Lifetime

    Notes
    -----
    flodym's standard moment conversion is used; ODYM's code differs unless
    ``mean == std`` (see the module docstring).
    """
    return Lifetime(
        "lognormal",
        {
            "mean": _check_param("mean", mean, positive=True),
            "std": _check_param("std", std, positive=True),
        },
        inflow_at,
        n_pts_per_interval,
    )


def weibull(
    shape: ParamValue,
    scale: ParamValue,
    *,
    inflow_at: InflowAt = DEFAULT_INFLOW_AT,
    n_pts_per_interval: int = 1,
) -> Lifetime:
    """Build a Weibull lifetime, ``S(a) = exp(-(a / scale) ** shape)``.

    Parameters
    ----------
    shape : float or array
        Shape parameter ``k`` [-], ``> 0``.
    scale : float or array
        Scale parameter ``λ`` [yr], ``> 0``.
    inflow_at, n_pts_per_interval
        Age convention, see :class:`Lifetime`.

    Returns
    -------
    Lifetime
    """
    return Lifetime(
        "weibull",
        {
            "weibull_shape": _check_param("shape", shape, positive=True),
            "weibull_scale": _check_param("scale", scale, positive=True),
        },
        inflow_at,
        n_pts_per_interval,
    )


def from_spec(
    family: str,
    *,
    mean: ParamValue | None = None,
    std: ParamValue | None = None,
    shape: ParamValue | None = None,
    scale: ParamValue | None = None,
    inflow_at: InflowAt = DEFAULT_INFLOW_AT,
    n_pts_per_interval: int = 1,
) -> Lifetime:
    """Build a lifetime from a family name and keyword parameters (as in a parameter table).

    Parameters
    ----------
    family : str
        ``fixed``, ``normal``, ``foldednormal``, ``lognormal`` or ``weibull`` (case and
        ``_`` insensitive).
    mean, std : float or array, optional
        [yr]; ``mean`` is the lifetime for ``fixed``.
    shape, scale : float or array, optional
        Weibull shape [-] and scale [yr].
    inflow_at, n_pts_per_interval
        Age convention, see :class:`Lifetime`.

    Returns
    -------
    Lifetime

    Raises
    ------
    MethodError
        Unknown family, or a parameter the family needs is missing, or one it does not use
        is given.
    """
    key = str(family).strip().lower().replace("-", "_").replace(" ", "_")
    fam = _ALIASES.get(key)
    if fam is None:
        msg = f"unknown lifetime distribution {family!r}; use one of {sorted(FAMILIES)}"
        raise MethodError(msg)
    given = {"mean": mean, "std": std, "shape": shape, "scale": scale}
    need = {
        "fixed": ("mean",),
        "normal": ("mean", "std"),
        "foldednormal": ("mean", "std"),
        "lognormal": ("mean", "std"),
        "weibull": ("shape", "scale"),
    }[fam]
    missing = [k for k in need if given[k] is None]
    extra = [k for k, v in given.items() if v is not None and k not in need]
    if missing or extra:
        msg = f"a {fam} lifetime needs {list(need)}"
        if missing:
            msg += f"; missing {missing}"
        if extra:
            msg += f"; does not use {extra}"
        raise MethodError(msg)
    conv = {"inflow_at": inflow_at, "n_pts_per_interval": n_pts_per_interval}
    if fam == "fixed":
        return fixed(mean, **conv)  # type: ignore[arg-type]
    if fam == "weibull":
        return weibull(shape, scale, **conv)  # type: ignore[arg-type]
    ctor = {"normal": normal, "foldednormal": folded_normal, "lognormal": lognormal}[fam]
    return ctor(mean, std, **conv)  # type: ignore[arg-type]


def time_dimension(years: Sequence[int] | np.ndarray, letter: str = "t") -> flodym.Dimension:
    """Build a flodym time dimension of consecutive whole years.

    Parameters
    ----------
    years : sequence of int
        Model years [yr]; must be consecutive (step 1).  flodym supports uneven steps, but
        critmin keeps annual flows so that "outflow in year t" has one meaning.
    letter : str, default 't'

    Returns
    -------
    flodym.Dimension

    Raises
    ------
    MethodError
        Empty, non-integer or non-consecutive years.
    """
    arr = np.asarray(years)
    if arr.ndim != 1 or arr.size == 0:
        msg = "years must be a non-empty 1-D sequence"
        raise MethodError(msg)
    if not np.issubdtype(arr.dtype, np.integer):
        if not np.all(np.mod(arr.astype(float), 1) == 0):
            msg = f"years must be whole numbers, got {arr[:5].tolist()}..."
            raise MethodError(msg)
        arr = arr.astype(int)
    if arr.size > 1 and not np.all(np.diff(arr) == 1):
        gaps = arr[1:][np.diff(arr) != 1][:5].tolist()
        msg = (
            "years must be consecutive (annual steps); the step is not 1 before "
            f"{gaps}. Fill the missing years (e.g. interpolate the inflows) first."
        )
        raise MethodError(msg)
    return flodym.Dimension(name="Time", letter=letter, items=[int(y) for y in arr])


def survival_matrix(
    lifetime: Lifetime,
    years: Sequence[int] | np.ndarray,
    extra_dims: Sequence[flodym.Dimension] = (),
) -> tuple[np.ndarray, np.ndarray]:
    """Compute survival and outflow-probability arrays of `lifetime` with flodym.

    Parameters
    ----------
    lifetime : Lifetime
    years : sequence of int
        Consecutive model years [yr].
    extra_dims : sequence of flodym.Dimension, optional
        Further dimensions (e.g. products) over which array parameters vary.

    Returns
    -------
    sf : numpy.ndarray
        ``sf[t, c, ...]``, share of cohort ``c`` in use at the end of year ``t`` [-].
    pdf : numpy.ndarray
        ``pdf[t, c, ...]``, share of cohort ``c`` leaving use during year ``t`` [-]:
        ``pdf[c, c] = 1 - sf[c, c]``, ``pdf[t, c] = sf[t-1, c] - sf[t, c]``.
    """
    n = len(years)
    dims = flodym.DimensionSet(dim_list=[time_dimension(padded_years(years)), *extra_dims])
    model = lifetime.to_flodym(dims)
    return model.sf[:n, :n], model.pdf[:n, :n]


#: flodym derives period bounds from at least three time items.
MIN_FLODYM_YEARS = 3


def padded_years(years: Sequence[int] | np.ndarray) -> np.ndarray:
    """Return `years` extended by following years to at least :data:`MIN_FLODYM_YEARS`.

    flodym needs three time items to compute period bounds; dynamic stock models are causal
    (year ``t`` depends only on years ``<= t``), so results for the original years are
    unchanged by appended years and are cut back afterwards.
    """
    arr = np.asarray(years, dtype=int)
    if arr.size >= MIN_FLODYM_YEARS or arr.size == 0:
        return arr
    extra = arr[-1] + np.arange(1, MIN_FLODYM_YEARS - arr.size + 1)
    return np.concatenate([arr, extra])
