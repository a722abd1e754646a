"""End-of-life flows and secondary supply of elements from product stocks.

For products ``p``, elements ``e``, regions ``r``, years ``t`` and cohorts ``c``::

    I[t,p,e,r]   = X[t,p,r] · κ[p,e]                  element inflow to use [t/yr]
                   (X product inflow [product unit/yr], κ content [t element/product unit];
                    or I given directly as element masses, e.g. IEA demand by technology)
    S[t,p,e,r]   = Σ_c I[c,p,e,r] · sf_p[t,c]         in-use stock at year end [t]
    EoL[t,p,e,r] = Σ_c I[c,p,e,r] · pdf_p[t,c]        end-of-life (outflow from use) [t/yr]
    Col          = EoL · CR[p]                         collected [t/yr]
    Unc          = EoL − Col                           not collected [t/yr]
    Rec          = Col · RE[route(p), e]               recovered = secondary supply [t/yr]
    Loss         = Col − Rec                           lost in recycling [t/yr]

``sf_p`` and ``pdf_p`` come from flodym's lifetime models (one model per lifetime family,
its parameters an array over the products of that family); the cohort sums are
named-dimension einsums (``"cper,tcp->tper"``) over all products × elements × regions ×
years at once.  ``engine="flodym"`` instead runs :class:`flodym.InflowDrivenDSM` on the
full ``(t, p, e, r)`` array (same numbers, more memory; kept as a cross-check).

Every run checks the mass balance (:func:`check_mass_balance`): ``I − EoL = ΔS`` for each
(product, element, region) cohort system, ``EoL = Col + Unc``, ``Col = Rec + Loss``,
``0 ≤ Rec ≤ Col ≤ EoL`` and ``S ≥ 0``.  Violations warn (:class:`MassBalanceWarning`) or
raise (:class:`MassBalanceError`, ``strict=True``).
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import flodym
import numpy as np
import pandas as pd

from critmin.circular.lifetimes import from_spec, survival_matrix, time_dimension
from critmin.circular.products import (
    _MASS_T,
    ParameterError,
    ProductSystem,
    content_factor,
    unit_ratio,
    validate_inflows,
)
from critmin.errors import MethodError

__all__ = [
    "ELEMENT_ALIASES",
    "VARIABLES",
    "MassBalanceError",
    "MassBalanceWarning",
    "RecoveryResult",
    "check_mass_balance",
    "run_recovery",
    "sensitivity",
    "share_of_demand",
]

logger = logging.getLogger(__name__)

#: Result variables, in order.
VARIABLES = ("inflow", "stock", "eol", "collected", "uncollected", "recovered", "losses")

#: Names used by demand tables (e.g. IEA) → critmin element ids.
ELEMENT_ALIASES: dict[str, str] = {
    "lithium": "Li",
    "cobalt": "Co",
    "nickel": "Ni",
    "manganese": "Mn",
    "graphite": "graphite",
    "natural graphite": "graphite",
    "battery-grade graphite": "graphite",
    "neodymium": "Nd",
    "praseodymium": "Pr",
    "dysprosium": "Dy",
    "terbium": "Tb",
    "copper": "Cu",
}

Fill = Literal["raise", "zero", "linear"]


class MassBalanceError(MethodError):
    """A recovery result violates the mass balance (``strict=True``).

    Attributes
    ----------
    violations : pandas.DataFrame
        As returned by :func:`check_mass_balance`.
    """

    def __init__(self, message: str, violations: pd.DataFrame) -> None:
        self.violations = violations
        super().__init__(message)


class MassBalanceWarning(UserWarning):
    """A recovery result violates the mass balance (default, non-strict check)."""


@dataclass(frozen=True)
class RecoveryResult:
    """Element flows and stocks of a product system, arrays indexed ``[t, p, e, r]``.

    Attributes
    ----------
    years, products, elements, regions : tuple
        Labels of the four axes.
    inflow : numpy.ndarray
        Element entering use [t/yr].
    stock : numpy.ndarray
        Element in use at year end [t].
    eol : numpy.ndarray
        End-of-life flow (outflow from use) [t/yr].
    collected, uncollected : numpy.ndarray
        Split of ``eol`` by the collection rate [t/yr].
    recovered, losses : numpy.ndarray
        Split of ``collected`` by the recovery efficiency [t/yr]; ``recovered`` is the
        secondary supply.
    collection_rate : numpy.ndarray
        ``[p]`` [-].
    recovery_efficiency : numpy.ndarray
        ``[p, e]`` [-].
    unit : str
        Mass unit of all arrays, ``'t'`` (flows per year).
    system : ProductSystem or None
        The configuration that produced it.
    """

    years: tuple[int, ...]
    products: tuple[str, ...]
    elements: tuple[str, ...]
    regions: tuple[str, ...]
    inflow: np.ndarray
    stock: np.ndarray
    eol: np.ndarray
    collected: np.ndarray
    uncollected: np.ndarray
    recovered: np.ndarray
    losses: np.ndarray
    collection_rate: np.ndarray
    recovery_efficiency: np.ndarray
    unit: str = "t"
    system: ProductSystem | None = field(default=None, repr=False)

    def to_frame(
        self,
        by: Sequence[str] = ("product", "element", "region", "year"),
        variables: Sequence[str] = VARIABLES,
    ) -> pd.DataFrame:
        """Tidy table, summed over the axes not in `by`.

        Parameters
        ----------
        by : sequence of {'product', 'element', 'region', 'year'}
            Axes to keep.
        variables : sequence of str
            Any of :data:`VARIABLES`.

        Returns
        -------
        pandas.DataFrame
            The kept axes (in the order year, product, element, region), then
            ``variable, value, unit`` [t or t/yr].
        """
        axes = ("year", "product", "element", "region")
        bad = [b for b in by if b not in axes] + [v for v in variables if v not in VARIABLES]
        if bad:
            msg = f"unknown axis/variable {bad}; axes {list(axes)}, variables {list(VARIABLES)}"
            raise MethodError(msg)
        keep = [a for a in axes if a in by]
        labels = {
            "year": self.years,
            "product": self.products,
            "element": self.elements,
            "region": self.regions,
        }
        drop = tuple(i for i, a in enumerate(axes) if a not in by)
        index = pd.MultiIndex.from_product(
            [*[labels[a] for a in keep], list(variables)], names=[*keep, "variable"]
        )
        arrays = [getattr(self, v).sum(axis=drop) if drop else getattr(self, v) for v in variables]
        stacked = np.stack(arrays, axis=-1)
        out = pd.DataFrame({"value": stacked.reshape(-1)}, index=index).reset_index()
        out["unit"] = self.unit
        return out[[*keep, "variable", "value", "unit"]]

    def secondary_supply(self, by: Sequence[str] = ("element", "region", "year")) -> pd.DataFrame:
        """Recovered element (secondary supply) [t/yr] summed to `by`.

        Returns
        -------
        pandas.DataFrame
            The kept axes (year, product, element, region order), then ``value, unit``.
        """
        df = self.to_frame(by=by, variables=("recovered",))
        return df.drop(columns="variable")


# ---------------------------------------------------------------------- inflow arrays
def _wide_inflows(
    df: pd.DataFrame, keys: list[str], years: Sequence[int] | None, fill: Fill
) -> tuple[pd.DataFrame, np.ndarray]:
    """Pivot to years × series, checking and filling gaps inside each series."""
    wide = df.pivot_table(index="year", columns=keys, values="value", aggfunc="sum")
    lo, hi = int(wide.index.min()), int(wide.index.max())
    if years is not None:
        yrs = np.asarray(time_dimension(years).items)
        outside = sorted(set(wide.index) - set(yrs.tolist()))
        if outside:
            msg = (
                f"inflows have years {outside[:5]}... outside the model years "
                f"{yrs[0]}-{yrs[-1]}; widen `years` or drop those rows"
            )
            raise ParameterError(msg)
    else:
        yrs = np.arange(lo, hi + 1)
    wide = wide.reindex(yrs)
    inside = wide.isna() & wide.ffill().notna() & wide.bfill().notna()
    if inside.to_numpy().any():
        if fill == "raise":
            probs = []
            for col in wide.columns[inside.any().to_numpy()]:
                gaps = wide.index[inside[col].to_numpy()].tolist()
                probs.append(f"{col}: missing years {gaps[:8]}{' ...' if len(gaps) > 8 else ''}")
            msg = (
                "inflow series have missing years between their first and last year; "
                "give every year, or pass fill='linear' (interpolate) or fill='zero'"
            )
            raise ParameterError(msg, probs)
        if fill == "linear":
            wide = wide.interpolate(method="index", limit_area="inside")
        elif fill != "zero":
            msg = f"fill must be 'raise', 'zero' or 'linear', got {fill!r}"
            raise MethodError(msg)
    return wide.fillna(0.0), yrs


@dataclass(frozen=True)
class _Flows:
    years: np.ndarray
    products: tuple[str, ...]
    elements: tuple[str, ...]
    regions: tuple[str, ...]
    inflow: np.ndarray
    stock: np.ndarray
    eol: np.ndarray


def _element_inflows(
    system: ProductSystem,
    inflows: pd.DataFrame,
    elements: Iterable[str] | None,
    years: Sequence[int] | None,
    fill: Fill,
    needs: tuple[str, ...],
) -> tuple[np.ndarray, np.ndarray, tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Validate inflows and return I[t,p,e,r] [t/yr] with its labels."""
    df = validate_inflows(inflows, system)
    element_level = "element" in df.columns
    present = set(df["product"].unique())
    products = tuple(p for p in system.products if p in present)
    regions = tuple(sorted(df["region"].unique()))
    if elements is None:
        if element_level:
            present_e = set(df["element"].unique())
        else:  # elements with a content value for at least one product of the run
            present_e = {
                e
                for e in system.elements
                for p in products
                if system._value("content", p, e) is not None
            }
            present_e = present_e or set(system.elements)
        elems = tuple(e for e in system.elements if e in present_e)
        logger.info("modelling elements %s", list(elems))
    else:
        elems = tuple(elements)
        system._check_names([], elems)
    if not elems:
        msg = "no elements to model"
        raise MethodError(msg)
    run_needs = needs if not element_level else tuple(n for n in needs if n != "content")
    system.require(products, elems, needs=run_needs)

    if element_level:
        df = df[df["element"].isin(elems)]
        if df.empty:
            msg = f"inflows have no rows for elements {list(elems)}"
            raise ParameterError(msg)
        bad = sorted(set(df["unit"]) - set(_MASS_T))
        if bad:
            msg = (
                f"element-level inflows must be masses in {list(_MASS_T)}, got units {bad}; "
                "drop the 'element' column to give product units with contents"
            )
            raise ParameterError(msg)
        df = df.assign(value=df["value"] * df["unit"].map(_MASS_T))
        wide, yrs = _wide_inflows(df, ["product", "element", "region"], years, fill)
        full = pd.MultiIndex.from_product([products, elems, regions])
        arr = wide.reindex(columns=full, fill_value=0.0).to_numpy()
        inflow = arr.reshape(len(yrs), len(products), len(elems), len(regions))
        return inflow, yrs, products, elems, regions

    wide, yrs = _wide_inflows(df, ["product", "region"], years, fill)
    full = pd.MultiIndex.from_product([products, regions])
    x = wide.reindex(columns=full, fill_value=0.0).to_numpy()
    x = x.reshape(len(yrs), len(products), len(regions))
    unit_of = df.groupby("product")["unit"].first()
    kappa = np.zeros((len(products), len(elems)))
    probs = []
    for i, p in enumerate(products):
        for j, e in enumerate(elems):
            value, unit = system.content(p, e)
            mass_t, den = content_factor(unit)
            try:
                ratio = unit_ratio(unit_of[p], den)
            except ParameterError:
                probs.append(
                    f"{p}: inflow unit {unit_of[p]!r} does not match content unit {unit!r} of {e}"
                )
                continue
            kappa[i, j] = value * mass_t * ratio
    if probs:
        msg = "inflow units do not match the content units"
        raise ParameterError(msg, probs)
    inflow = np.einsum("tpr,pe->tper", x, kappa)
    return inflow, yrs, products, elems, regions


def _lifetime_groups(system: ProductSystem, products: Sequence[str]) -> dict[str, list[int]]:
    groups: dict[str, list[int]] = {}
    for i, p in enumerate(products):
        groups.setdefault(system.lifetime(p).family, []).append(i)
    return groups


def _group_lifetime(system: ProductSystem, products: Sequence[str], idx: list[int]):
    """One Lifetime whose parameters are arrays over the products `idx` (same family)."""
    lts = [system.lifetime(products[i]) for i in idx]
    fam = lts[0].family
    names = {"mean": "mean", "std": "std", "weibull_shape": "shape", "weibull_scale": "scale"}
    kw = {names[k]: np.array([float(lt.params[k]) for lt in lts]) for k in lts[0].params}
    return from_spec(fam, inflow_at=system.inflow_at, **kw)


def _survival_arrays(
    system: ProductSystem, products: Sequence[str], years: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``sf[t, c, p]`` and ``pdf[t, c, p]`` from flodym, one lifetime model per family."""
    n_t, n_p = len(years), len(products)
    sf = np.zeros((n_t, n_t, n_p))
    pdf = np.zeros((n_t, n_t, n_p))
    for idx in _lifetime_groups(system, products).values():
        lt = _group_lifetime(system, products, idx)
        pdim = flodym.Dimension(name="product", letter="p", items=[products[i] for i in idx])
        sf_g, pdf_g = survival_matrix(lt, years, extra_dims=[pdim])
        sf[:, :, idx] = sf_g
        pdf[:, :, idx] = pdf_g
    # flush subnormal values (far tails, < 2.2e-308) to zero: they change nothing
    # measurable but make the BLAS products below ~100x slower
    tiny = np.finfo(float).tiny
    sf[np.abs(sf) < tiny] = 0.0
    pdf[np.abs(pdf) < tiny] = 0.0
    return sf, pdf


def _cohort_sums(
    inflow: np.ndarray, sf: np.ndarray, pdf: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Stock and outflow: ``Σ_c I[c,p,e,r] · sf[t,c,p]`` (and with ``pdf``)."""
    stock = np.einsum("cper,tcp->tper", inflow, sf, optimize=True)
    eol = np.einsum("cper,tcp->tper", inflow, pdf, optimize=True)
    return stock, eol


def _flows_flodym(
    system: ProductSystem,
    inflow: np.ndarray,
    years: np.ndarray,
    products: Sequence[str],
    elements: Sequence[str],
    regions: Sequence[str],
) -> tuple[np.ndarray, np.ndarray]:
    """Stock and outflow from flodym's InflowDrivenDSM over (t, p, e, r), per family."""
    stock = np.zeros_like(inflow)
    eol = np.zeros_like(inflow)
    edim = flodym.Dimension(name="element", letter="e", items=list(elements))
    rdim = flodym.Dimension(name="region", letter="r", items=list(regions))
    for idx in _lifetime_groups(system, products).values():
        lt = _group_lifetime(system, products, idx)
        pdim = flodym.Dimension(name="product", letter="p", items=[products[i] for i in idx])
        dims = flodym.DimensionSet(dim_list=[time_dimension(years), pdim, edim, rdim])
        pdims = flodym.DimensionSet(dim_list=[pdim])
        params = {
            k: flodym.FlodymArray(dims=pdims, values=np.asarray(v)) for k, v in lt.params.items()
        }
        model = lt.flodym_class(dims=dims, inflow_at=lt.inflow_at, **params)
        dsm = flodym.InflowDrivenDSM(dims=dims, lifetime_model=model, name="recovery")
        dsm.inflow.values[...] = inflow[:, idx]
        dsm.compute()
        stock[:, idx] = dsm.stock.values
        eol[:, idx] = dsm.outflow.values
    return stock, eol


def _flows(
    system: ProductSystem,
    inflows: pd.DataFrame,
    elements: Iterable[str] | None,
    years: Sequence[int] | None,
    fill: Fill,
    needs: tuple[str, ...],
    engine: str,
) -> _Flows:
    if engine not in ("einsum", "flodym"):
        msg = f"engine must be 'einsum' or 'flodym', got {engine!r}"
        raise MethodError(msg)
    inflow, yrs, products, elems, regions = _element_inflows(
        system, inflows, elements, years, fill, needs
    )
    if engine == "einsum":
        sf, pdf = _survival_arrays(system, products, yrs)
        stock, eol = _cohort_sums(inflow, sf, pdf)
    else:
        stock, eol = _flows_flodym(system, inflow, yrs, products, elems, regions)
    logger.debug(
        "recovery DSM %s: %d years x %d products x %d elements x %d regions",
        engine,
        len(yrs),
        len(products),
        len(elems),
        len(regions),
    )
    return _Flows(yrs, products, elems, regions, inflow, stock, eol)


def _rates(
    system: ProductSystem, products: Sequence[str], elements: Sequence[str]
) -> tuple[np.ndarray, np.ndarray]:
    cr = np.array([system.collection_rate(p) for p in products])
    re = np.array([[system.recovery_efficiency(p, e) for e in elements] for p in products])
    return cr, re


def run_recovery(
    system: ProductSystem,
    inflows: pd.DataFrame,
    *,
    elements: Iterable[str] | None = None,
    years: Sequence[int] | None = None,
    fill: Fill = "raise",
    engine: Literal["einsum", "flodym"] = "einsum",
    strict: bool = False,
) -> RecoveryResult:
    """End-of-life flows, collection, recovery and in-use stock per element.

    Parameters
    ----------
    system : ProductSystem
        Lifetimes, contents, collection rates and recovery efficiencies; every one the
        run needs must have a value (else :class:`MissingParameterError` lists them).
    inflows : pandas.DataFrame
        Tidy ``[product, region, year, value, unit]`` of products entering use
        [product unit/yr] (``unit`` must match the content's denominator, e.g. ``kWh`` for
        ``kg/kWh``, or a multiple such as ``GWh``); or with an ``element`` column, element
        masses entering use [mass unit/yr] (no contents needed).  The model starts empty in
        the first year: give inflows from the start of each product's history.
    elements : iterable of str, optional
        Elements to model.  Default: those in element-level inflows; otherwise every element
        with a content value for at least one product of the run (all of the system's if
        none has one, so that the error lists what to supply).  A product without a content
        value for a modelled element raises :class:`MissingParameterError` (give 0 where
        a product contains none).
    years : sequence of int, optional
        Consecutive model years; default first to last inflow year.  Years with no inflow
        row count as zero inflow (e.g. extend past the last inflow to follow outflows).
    fill : {'raise', 'zero', 'linear'}, default 'raise'
        Missing years *inside* a series (between its first and last year): error, zero,
        or linear interpolation (e.g. IEA's 2023, 2030, 2035, ... steps).
    engine : {'einsum', 'flodym'}, default 'einsum'
        Cohort sums by einsum over flodym survival arrays, or flodym's InflowDrivenDSM.
    strict : bool, default False
        Raise :class:`MassBalanceError` instead of warning on a mass-balance violation.

    Returns
    -------
    RecoveryResult
        Arrays ``[t, p, e, r]`` in tonnes [t, t/yr].

    Raises
    ------
    MissingParameterError
        A needed parameter is empty; the message names each and how to supply it.
    ParameterError
        Unknown product/element, negative or missing inflow, unit mismatch, gaps.
    """
    flows = _flows(
        system,
        inflows,
        elements,
        years,
        fill,
        ("lifetime", "content", "collection_rate", "recovery_efficiency"),
        engine,
    )
    cr, re = _rates(system, flows.products, flows.elements)
    collected = np.einsum("tper,p->tper", flows.eol, cr)
    recovered = np.einsum("tper,pe->tper", collected, re)
    result = RecoveryResult(
        years=tuple(int(y) for y in flows.years),
        products=flows.products,
        elements=flows.elements,
        regions=flows.regions,
        inflow=flows.inflow,
        stock=flows.stock,
        eol=flows.eol,
        collected=collected,
        uncollected=flows.eol - collected,
        recovered=recovered,
        losses=collected - recovered,
        collection_rate=cr,
        recovery_efficiency=re,
        system=system,
    )
    check_mass_balance(result, strict=strict)
    return result


def check_mass_balance(
    result: RecoveryResult, strict: bool = False, rtol: float = 1e-9
) -> pd.DataFrame:
    """Check the mass balance of a recovery result; return the violations as a table.

    Checks, per product × element × region × year:

    * ``stock``: ``inflow − eol − Δstock = 0`` (``Δstock`` of the first year = its stock);
    * ``eol_split``: ``eol − collected − uncollected = 0``;
    * ``collected_split``: ``collected − recovered − losses = 0``;
    * ``order``: ``0 ≤ recovered ≤ collected ≤ eol`` and ``stock ≥ 0`` (residual = the
      amount by which the inequality fails).

    Parameters
    ----------
    result : RecoveryResult
    strict : bool, default False
        Raise :class:`MassBalanceError` if anything fails; otherwise warn
        (:class:`MassBalanceWarning`).
    rtol : float, default 1e-9
        Tolerance relative to the largest stock or inflow of the result.

    Returns
    -------
    pandas.DataFrame
        Columns ``check, product, element, region, year, residual, tolerance`` [t, t/yr];
        empty when the balance holds.
    """
    scale = max(
        float(np.abs(result.stock).max(initial=0.0)), float(np.abs(result.inflow).max(initial=0.0))
    )
    tol = rtol * scale + 1e-12
    d_stock = np.diff(result.stock, axis=0, prepend=0.0)
    residuals = {
        "stock": result.inflow - result.eol - d_stock,
        "eol_split": result.eol - result.collected - result.uncollected,
        "collected_split": result.collected - result.recovered - result.losses,
    }
    order = np.maximum.reduce(
        [
            -np.minimum(result.recovered, 0.0),
            np.maximum(result.recovered - result.collected, 0.0),
            np.maximum(result.collected - result.eol, 0.0),
            -np.minimum(result.stock, 0.0),
            -np.minimum(result.uncollected, 0.0),
            -np.minimum(result.losses, 0.0),
        ]
    )
    frames = []
    for name, res in [*residuals.items(), ("order", order)]:
        bad = ~(np.abs(res) <= tol)  # NaN counts as a violation
        if bad.any():
            t, p, e, r = np.nonzero(bad)
            frames.append(
                pd.DataFrame(
                    {
                        "check": name,
                        "product": np.asarray(result.products)[p],
                        "element": np.asarray(result.elements)[e],
                        "region": np.asarray(result.regions)[r],
                        "year": np.asarray(result.years)[t],
                        "residual": res[bad],
                        "tolerance": tol,
                    }
                )
            )
    cols = ["check", "product", "element", "region", "year", "residual", "tolerance"]
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=cols)
    if len(out):
        worst = out.loc[out["residual"].abs().fillna(np.inf).idxmax()]
        msg = (
            f"mass balance violated in {len(out)} cell(s) (checks "
            f"{sorted(set(out['check']))}); worst: {worst['check']} {worst['residual']:g} t "
            f"for {worst['product']}/{worst['element']}/{worst['region']}/{worst['year']} "
            f"(tolerance {tol:g} t). Call check_mass_balance(result) for the table."
        )
        if strict:
            raise MassBalanceError(msg, out)
        warnings.warn(msg, MassBalanceWarning, stacklevel=2)
    return out


def share_of_demand(result: RecoveryResult, demand: pd.DataFrame) -> pd.DataFrame:
    """Secondary supply as a share of demand, per element (and region) and year.

    Parameters
    ----------
    result : RecoveryResult
    demand : pandas.DataFrame
        Tidy ``[element, year, value, unit]`` with an optional ``region`` column, e.g.
        IEA total demand by mineral [kt/yr].  Element names may be critmin ids or names
        in :data:`ELEMENT_ALIASES` (``'Lithium'``, ``'Battery-grade graphite'``).  Without a
        region column, the result is summed over its regions.

    Returns
    -------
    pandas.DataFrame
        ``element, [region,] year, secondary_supply, demand, share, unit`` with
        ``share = secondary_supply / demand`` [-] (NaN where demand is 0), and
        ``eol_rir_reference`` [-], the EU 2023 end-of-life recycling input rate of the
        element when the system has one (for comparison only).  Only years and elements
        present in both are kept.
    """
    need = ["element", "year", "value", "unit"]
    lacking = [c for c in need if c not in demand.columns]
    if lacking:
        msg = f"demand lacks column(s) {lacking}; expected {need} (+ optional region)"
        raise ParameterError(msg)
    by_region = "region" in demand.columns
    d = demand.copy()
    d["element"] = [
        e if e in result.elements else ELEMENT_ALIASES.get(str(e).strip().lower(), str(e))
        for e in d["element"]
    ]
    bad_units = sorted(set(d["unit"]) - set(_MASS_T))
    if bad_units:
        msg = f"demand units must be masses in {list(_MASS_T)}, got {bad_units}"
        raise ParameterError(msg)
    d["demand"] = pd.to_numeric(d["value"], errors="coerce") * d["unit"].map(_MASS_T)
    if d["demand"].isna().any() or (d["demand"] < 0).any():
        msg = "demand values must be numbers >= 0"
        raise ParameterError(msg)
    unknown = sorted(set(d["element"]) - set(result.elements))
    if unknown:
        logger.info("share_of_demand: no secondary supply modelled for %s", unknown)
    by = ["element", "region", "year"] if by_region else ["element", "year"]
    d = d.groupby(by, as_index=False)["demand"].sum()
    sup = result.secondary_supply(by=by).rename(columns={"value": "secondary_supply"})
    out = sup.drop(columns="unit").merge(d, on=by, how="inner")
    with np.errstate(divide="ignore", invalid="ignore"):
        out["share"] = np.where(out["demand"] > 0, out["secondary_supply"] / out["demand"], np.nan)
    out["unit"] = result.unit
    if result.system is not None:
        out["eol_rir_reference"] = [result.system.eol_rir(e) for e in out["element"]]
    return out.reset_index(drop=True)


def sensitivity(
    system: ProductSystem,
    inflows: pd.DataFrame,
    collection: Sequence[float],
    recovery: Sequence[float],
    *,
    relative: bool = False,
    elements: Iterable[str] | None = None,
    years: Sequence[int] | None = None,
    fill: Fill = "raise",
    by: Sequence[str] = ("element", "region", "year"),
) -> pd.DataFrame:
    """Secondary supply over a grid of collection rates × recovery efficiencies.

    The dynamic stock model runs once; each grid point only rescales the end-of-life flows,
    so secondary supply is linear in ``collection × recovery``.

    Parameters
    ----------
    system : ProductSystem
        Lifetimes and contents are needed; collection rates and recovery efficiencies only
        if ``relative=True``.
    inflows : pandas.DataFrame
        As for :func:`run_recovery`.
    collection, recovery : sequence of float
        With ``relative=False`` (default): values [-] in [0, 1] applied to every product
        (collection) and every product × element (recovery).  With ``relative=True``:
        multipliers [-] of the system's own rates (their products must stay <= 1).
    relative : bool, default False
    elements, years, fill
        As for :func:`run_recovery`.
    by : sequence of {'product', 'element', 'region', 'year'}
        Axes kept in the output.

    Returns
    -------
    pandas.DataFrame
        ``collection_rate, recovery_efficiency`` (the grid values) + `by` +
        ``secondary_supply, unit`` [t/yr].
    """
    c = np.asarray(collection, dtype=float).reshape(-1)
    r = np.asarray(recovery, dtype=float).reshape(-1)
    if c.size == 0 or r.size == 0:
        msg = "collection and recovery must each give at least one value"
        raise MethodError(msg)
    if not (np.all(np.isfinite(c)) and np.all(np.isfinite(r))) or (c < 0).any() or (r < 0).any():
        msg = f"collection and recovery values must be finite and >= 0, got {c}, {r}"
        raise MethodError(msg)
    if not relative and ((c > 1).any() or (r > 1).any()):
        msg = "collection and recovery values are rates in [0, 1] (use relative=True for factors)"
        raise MethodError(msg)
    needs = ("lifetime", "content")
    if relative:
        needs += ("collection_rate", "recovery_efficiency")
    flows = _flows(system, inflows, elements, years, fill, needs, "einsum")
    n_p, n_e = len(flows.products), len(flows.elements)
    if relative:
        cr, re = _rates(system, flows.products, flows.elements)
        if c.max() * cr.max() > 1 or r.max() * re.max() > 1:
            msg = "relative factors push a collection rate or recovery efficiency above 1"
            raise MethodError(msg)
    else:
        cr, re = np.ones(n_p), np.ones((n_p, n_e))
    base = np.einsum("tper,p,pe->tper", flows.eol, cr, re)  # secondary supply at c = r = 1
    axes = ("year", "product", "element", "region")
    bad = [b for b in by if b not in axes]
    if bad:
        msg = f"unknown axis {bad}; use any of {list(axes)}"
        raise MethodError(msg)
    keep = [a for a in axes if a in by]
    drop = tuple(i for i, a in enumerate(axes) if a not in by)
    base = base.sum(axis=drop) if drop else base
    grid = np.einsum("i,j,...->ij...", c, r, base)
    labels = {
        "year": tuple(int(y) for y in flows.years),
        "product": flows.products,
        "element": flows.elements,
        "region": flows.regions,
    }
    index = pd.MultiIndex.from_product(
        [c.tolist(), r.tolist(), *[labels[a] for a in keep]],
        names=["collection_rate", "recovery_efficiency", *keep],
    )
    out = pd.DataFrame({"secondary_supply": grid.reshape(-1)}, index=index).reset_index()
    out["unit"] = "t"
    return out[["collection_rate", "recovery_efficiency", *by, "secondary_supply", "unit"]]
