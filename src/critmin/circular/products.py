"""Product systems for recovery modelling: products, element contents, lifetimes, rates.

A :class:`ProductSystem` holds one configuration: which products and elements exist,
every parameter with its unit and source, and which recycling process (route) each
product goes to.  Its parameters live in one long table (the shipped
``parameters.csv`` merged with what the user supplies)::

    parameter, product, element, process, value, unit, distribution, source

The shipped table (``critmin/circular/parameters.csv``) gives a value only where a source
is at hand; every other row is left **empty** with source ``user must supply``, and a run
that needs an empty value raises :class:`MissingParameterError` naming each one and how
to supply it.  Nothing in it is typed from memory.

Parameters (``PARAMETER_SPECS`` lists them with units and bounds):

* ``lifetime_mean``, ``lifetime_std`` [yr] and ``lifetime_shape`` [-],
  ``lifetime_scale`` [yr] per product; the ``distribution`` column names the lifetime
  family (``fixed`` uses ``lifetime_mean`` as the lifetime; ``normal``, ``lognormal``,
  ``foldednormal`` use mean and std; ``weibull`` uses shape and scale).
* ``content`` per product × element [mass of element / product unit], e.g. ``kg/kWh``,
  ``kg/t``, ``t/t``, ``kg/unit``.
* ``collection_rate`` per product [-]: share of end-of-life flow collected for recycling.
* ``recovery_efficiency`` per process × element [-] (or per product × element, which takes
  precedence): share of the collected element recovered as secondary material.
* ``eol_rir`` per element [%]: the EU end-of-life recycling input rate (EC 2023), shipped
  as a *reference* to compare a run's secondary-supply share with; never used as a
  collection rate or recovery efficiency.

For the ``distribution`` column of non-lifetime rows: free text describing an uncertainty
distribution (not used by :func:`critmin.circular.recovery.run_recovery`).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from critmin.circular.lifetimes import DEFAULT_INFLOW_AT, Lifetime, from_spec
from critmin.errors import MethodError

__all__ = [
    "COLUMNS",
    "DEFAULT_ROUTES",
    "ELEMENTS",
    "PARAMETERS_CSV",
    "PARAMETER_SPECS",
    "PRODUCTS",
    "MissingParameterError",
    "ParameterError",
    "ParameterSpec",
    "ProductSystem",
    "default_parameters",
    "load_parameters",
    "parameter_template",
    "validate_inflows",
]

logger = logging.getLogger(__name__)

#: The shipped parameter table.
PARAMETERS_CSV = Path(__file__).with_name("parameters.csv")

#: Columns of a parameter table (``process``, ``unit``, ``distribution``, ``source`` optional
#: in user tables).
COLUMNS = ("parameter", "product", "element", "process", "value", "unit", "distribution", "source")

#: Products known to the default system.
PRODUCTS: tuple[str, ...] = (
    "ev_battery_lfp",
    "ev_battery_nmc111",
    "ev_battery_nmc532",
    "ev_battery_nmc622",
    "ev_battery_nmc811",
    "ev_battery_nca",
    "grid_storage_battery",
    "consumer_electronics",
    "wind_turbine_magnet",
    "ev_motor_magnet",
)

#: Elements (and graphite) tracked by the default system.
ELEMENTS: tuple[str, ...] = ("Li", "Co", "Ni", "Mn", "graphite", "Nd", "Pr", "Dy", "Tb", "Cu")

#: Recycling route per product (labels only; their efficiencies are parameters).
DEFAULT_ROUTES: dict[str, str] = {
    **{p: "battery_recycling" for p in PRODUCTS if "battery" in p},
    "consumer_electronics": "electronics_recycling",
    "wind_turbine_magnet": "magnet_recycling",
    "ev_motor_magnet": "magnet_recycling",
}

USER_MUST_SUPPLY = "user must supply"


@dataclass(frozen=True)
class ParameterSpec:
    """What one parameter means and which keys and values it takes."""

    description: str
    unit: str
    keyed_by: tuple[str, ...]
    lower: float
    upper: float
    lower_open: bool = False


#: Parameter names → specification.
PARAMETER_SPECS: dict[str, ParameterSpec] = {
    "lifetime_mean": ParameterSpec(
        "mean lifetime (the lifetime itself for 'fixed')", "yr", ("product",), 0.0, math.inf
    ),
    "lifetime_std": ParameterSpec(
        "standard deviation of the lifetime", "yr", ("product",), 0.0, math.inf, True
    ),
    "lifetime_shape": ParameterSpec("Weibull shape k", "1", ("product",), 0.0, math.inf, True),
    "lifetime_scale": ParameterSpec("Weibull scale λ", "yr", ("product",), 0.0, math.inf, True),
    "content": ParameterSpec(
        "element content per product unit",
        "mass/product unit",
        ("product", "element"),
        0.0,
        math.inf,
    ),
    "collection_rate": ParameterSpec(
        "share of the end-of-life flow collected for recycling", "1", ("product",), 0.0, 1.0
    ),
    "recovery_efficiency": ParameterSpec(
        "share of the collected element recovered as secondary material",
        "1",
        ("process|product", "element"),
        0.0,
        1.0,
    ),
    "eol_rir": ParameterSpec(
        "end-of-life recycling input rate (reference only)", "1", ("element",), 0.0, 1.0
    ),
}

_LIFETIME_PARAMS = ("lifetime_mean", "lifetime_std", "lifetime_shape", "lifetime_scale")
_LIFETIME_FAMILIES = ("fixed", "normal", "foldednormal", "lognormal", "weibull")
_FAMILY_NEEDS = {
    "fixed": ("lifetime_mean",),
    "normal": ("lifetime_mean", "lifetime_std"),
    "foldednormal": ("lifetime_mean", "lifetime_std"),
    "lognormal": ("lifetime_mean", "lifetime_std"),
    "weibull": ("lifetime_shape", "lifetime_scale"),
}
_FRACTION_UNITS = {"": 1.0, "1": 1.0, "-": 1.0, "fraction": 1.0, "%": 0.01, "percent": 0.01}

#: Mass units [t].  (Kept private here until critmin.units settles; same sizes.)
_MASS_T = {"g": 1e-6, "kg": 1e-3, "t": 1.0, "kt": 1e3, "Mt": 1e6}
#: Other product units in families, with their size relative to the family's base.
_UNIT_FAMILIES: dict[str, dict[str, float]] = {
    "mass": _MASS_T,
    "energy": {"Wh": 1e-3, "kWh": 1.0, "MWh": 1e3, "GWh": 1e6, "TWh": 1e9},
    "power": {"W": 1e-3, "kW": 1.0, "MW": 1e3, "GW": 1e6},
    "count": {
        "unit": 1.0,
        "units": 1.0,
        "item": 1.0,
        "items": 1.0,
        "thousand units": 1e3,
        "million units": 1e6,
    },
}


class ParameterError(MethodError):
    """A parameter table or inflow table is invalid; the message lists every problem."""

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        self.problems = list(problems)
        if self.problems:
            shown = self.problems[:25]
            message += "\n  - " + "\n  - ".join(shown)
            if len(self.problems) > len(shown):
                message += f"\n  ... and {len(self.problems) - len(shown)} more"
        super().__init__(message)


class MissingParameterError(ParameterError):
    """A run needs parameters whose value is empty ('user must supply').

    Attributes
    ----------
    missing : pandas.DataFrame
        The needed rows (parameter, product, element, process, unit).
    """

    def __init__(self, missing: pd.DataFrame) -> None:
        self.missing = missing.reset_index(drop=True)
        lines = []
        for r in self.missing.itertuples(index=False):
            keys = [f"parameter={r.parameter!r}"]
            for k in ("product", "element", "process"):
                v = getattr(r, k)
                if v:
                    keys.append(f"{k}={v!r}")
            unit = f" [{r.unit}]" if r.unit else ""
            note = f" ({r.note})" if getattr(r, "note", "") else ""
            lines.append(", ".join(keys) + unit + note)
        msg = (
            f"{len(lines)} parameter value(s) needed by this run are empty "
            f"(source '{USER_MUST_SUPPLY}'). Supply them with "
            "ProductSystem.with_parameters(...) as a dict such as "
            "{('collection_rate', 'ev_battery_lfp'): 0.5, "
            "('content', 'ev_battery_lfp', 'Li'): (0.1, 'kg/kWh')}, "
            "lifetimes={'ev_battery_lfp': critmin.circular.lifetimes.weibull(...)}, a DataFrame, "
            "or a CSV path with columns " + ", ".join(COLUMNS) + " "
            "(critmin.circular.products.parameter_template() writes one to fill in); "
            "or run fewer products/elements. Missing:"
        )
        super().__init__(msg, lines)


def _blank(v: Any) -> str:
    """Normalise a key cell: NaN/None → '', else stripped str."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    s = str(v).strip()
    return "" if s.lower() in ("nan", "none") else s


def default_parameters() -> pd.DataFrame:
    """Return the shipped parameter table (``parameters.csv``), normalised.

    Returns
    -------
    pandas.DataFrame
        Columns ``COLUMNS``; ``value`` is float (NaN where the user must supply it).
    """
    return load_parameters(PARAMETERS_CSV, source_label="critmin parameters.csv")


def parameter_template(
    path: str | Path | None = None, *, only_missing: bool = True
) -> pd.DataFrame:
    """Return a parameter table to fill in (by default the shipped rows left empty).

    Parameters
    ----------
    path : str or Path, optional
        If given, also write it there as CSV.
    only_missing : bool, default True
        Keep only rows whose value is empty.

    Returns
    -------
    pandas.DataFrame
    """
    df = default_parameters()
    if only_missing:
        df = df[df["value"].isna()].reset_index(drop=True)
    df = df.assign(source="")
    if path is not None:
        df.to_csv(path, index=False)
    return df


def _records_from_mapping(params: Mapping[Any, Any]) -> pd.DataFrame:
    rows = []
    for key, val in params.items():
        k = (key,) if isinstance(key, str) else tuple(key)
        if not 1 <= len(k) <= 4:
            msg = (
                f"parameter key {key!r} must be (parameter, product[, element[, process]]), "
                "e.g. ('content', 'ev_battery_lfp', 'Li')"
            )
            raise ParameterError(msg)
        names = ("parameter", "product", "element", "process")
        rec: dict[str, Any] = dict(zip(names, k, strict=False))
        if isinstance(val, Mapping):
            rec.update(val)
        elif isinstance(val, tuple):
            rec.update(dict(zip(("value", "unit", "distribution", "source"), val, strict=False)))
        else:
            rec["value"] = val
        rows.append(rec)
    return pd.DataFrame(rows)


def load_parameters(
    source: str | Path | pd.DataFrame | Mapping[Any, Any] | Sequence[Mapping[str, Any]],
    *,
    products: Iterable[str] | None = None,
    elements: Iterable[str] | None = None,
    processes: Iterable[str] | None = None,
    source_label: str | None = None,
) -> pd.DataFrame:
    """Read and validate a parameter table; every problem is reported at once.

    Parameters
    ----------
    source : path, DataFrame, dict or list of dicts
        A CSV file or DataFrame with columns ``parameter, product, element, value`` and
        optionally ``process, unit, distribution, source``; or a dict
        ``{(parameter, product[, element[, process]]): value | (value, unit) | {...}}``.
    products, elements, processes : iterable of str, optional
        Allowed names; default :data:`PRODUCTS`, :data:`ELEMENTS` and the processes of
        :data:`DEFAULT_ROUTES`.  Pass longer lists to model further products or elements.
    source_label : str, optional
        Source recorded for rows without one (default: the file name, or
        ``'user (Python)'``).

    Returns
    -------
    pandas.DataFrame
        Columns ``COLUMNS``; keys as str ('' where not applicable), ``value`` float.

    Raises
    ------
    ParameterError
        Unknown parameter, product, element or process (naming the allowed values); a value
        that is not a number or out of bounds; a unit that cannot be read; a key given
        twice; a lifetime row without a distribution family.
    """
    allowed_p = tuple(products) if products is not None else PRODUCTS
    allowed_e = tuple(elements) if elements is not None else ELEMENTS
    allowed_proc = (
        tuple(processes) if processes is not None else tuple(sorted(set(DEFAULT_ROUTES.values())))
    )
    where = "row"
    offset = 0
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.is_file():
            msg = f"parameter file {path} not found"
            raise ParameterError(msg)
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
        label = source_label or f"user file {path.name}"
        where, offset = f"{path.name} line", 2
    elif isinstance(source, pd.DataFrame):
        df = source.copy()
        label = source_label or "user (DataFrame)"
    elif isinstance(source, Mapping):
        df = _records_from_mapping(source)
        label = source_label or "user (Python)"
    else:
        df = pd.DataFrame(list(source))
        label = source_label or "user (Python)"

    missing_cols = [c for c in ("parameter", "value") if c not in df.columns]
    if missing_cols:
        msg = (
            f"parameter table lacks column(s) {missing_cols}; it needs "
            "parameter, product, element, value (and optionally process, unit, distribution, "
            "source)"
        )
        raise ParameterError(msg)
    unknown_cols = [c for c in df.columns if c not in COLUMNS]
    if unknown_cols:
        msg = f"parameter table has unknown column(s) {unknown_cols}; allowed: {list(COLUMNS)}"
        raise ParameterError(msg)
    for c in COLUMNS:
        if c not in df.columns:
            df[c] = ""
    out = pd.DataFrame({c: df[c].map(_blank) for c in COLUMNS if c != "value"})
    problems: list[str] = []
    values = np.full(len(df), np.nan)
    for i, (row, raw) in enumerate(zip(out.itertuples(index=False), df["value"], strict=True)):
        at = f"{where} {i + offset}"
        prm = row.parameter
        spec = PARAMETER_SPECS.get(prm)
        if spec is None:
            problems.append(
                f"{at}, column 'parameter': unknown parameter {prm!r}; allowed: "
                f"{sorted(PARAMETER_SPECS)}; fix: correct the name (as in `critmin recovery template`)"
            )
        if row.product and row.product not in allowed_p:
            problems.append(
                f"{at}, column 'product': unknown product {row.product!r}; allowed: "
                f"{list(allowed_p)}; fix: use one of these names"
            )
        if row.element and row.element not in allowed_e:
            problems.append(
                f"{at}, column 'element': unknown element {row.element!r}; allowed: "
                f"{list(allowed_e)}; fix: use one of these symbols"
            )
        if row.process and row.process not in allowed_proc:
            problems.append(
                f"{at}, column 'process': unknown process {row.process!r}; allowed: "
                f"{list(allowed_proc)}; fix: use one of these routes"
            )
        if spec is None:
            continue
        problems.extend(_check_keys(at, prm, row))
        text = _blank(raw)
        if text == "":
            continue
        try:
            v = float(text)
        except ValueError:
            problems.append(
                f"{at}, column 'value': value {text!r} of {prm!r} is not a number; fix: write "
                "a plain number such as 0.5 (rates as fractions), or leave it blank for the default"
            )
            continue
        if not math.isfinite(v):
            problems.append(
                f"{at}, column 'value': value {text!r} of {prm!r} is not finite; fix: write a "
                "finite number, or leave it blank for the default"
            )
            continue
        values[i] = v
        problems.extend(_check_value(at, prm, spec, v, row))
    out.insert(4, "value", values)
    out.loc[out["source"] == "", "source"] = label
    if not problems:
        key = ["parameter", "product", "element", "process"]
        dup = out[out.duplicated(key, keep=False)]
        for k, g in dup.groupby(key, sort=False):
            rows = ", ".join(str(j + offset) for j in g.index)
            problems.append(
                f"{where}s {rows}: key {dict(zip(key, k, strict=True))} given more than once"
            )
    if problems:
        msg = f"invalid parameter table ({label}): {len(problems)} problem(s)"
        raise ParameterError(msg, problems)
    return out[list(COLUMNS)].reset_index(drop=True)


def _check_keys(at: str, prm: str, row: Any) -> list[str]:
    """Which of product/element/process a parameter row must (not) have."""
    probs = []
    if prm in _LIFETIME_PARAMS or prm == "collection_rate":
        if not row.product:
            probs.append(f"{at}: {prm!r} needs a product")
        if row.element or row.process:
            probs.append(f"{at}: {prm!r} is per product; leave element and process empty")
    elif prm == "content":
        if not (row.product and row.element):
            probs.append(f"{at}: 'content' needs a product and an element")
        if row.process:
            probs.append(f"{at}: 'content' takes no process")
    elif prm == "recovery_efficiency":
        if not row.element:
            probs.append(f"{at}: 'recovery_efficiency' needs an element")
        if bool(row.product) == bool(row.process):
            probs.append(
                f"{at}: 'recovery_efficiency' needs either a process (route) or a product, not both"
            )
    elif prm == "eol_rir":
        if not row.element or row.product or row.process:
            probs.append(f"{at}: 'eol_rir' is per element only")
    return probs


def _check_value(at: str, prm: str, spec: ParameterSpec, v: float, row: Any) -> list[str]:
    probs = []
    unit = row.unit
    if spec.unit == "1":
        if unit not in _FRACTION_UNITS:
            probs.append(
                f"{at}: unit {unit!r} of {prm!r} not understood; use '1' (fraction) or '%'"
            )
            return probs
        v = v * _FRACTION_UNITS[unit]
    elif spec.unit == "yr" and unit not in ("", "yr", "a", "year", "years"):
        probs.append(f"{at}: unit {unit!r} of {prm!r} must be 'yr'")
    elif prm == "content":
        try:
            content_factor(unit)
        except ParameterError as exc:
            probs.append(f"{at}: {exc}")
    low_ok = v > spec.lower if spec.lower_open else v >= spec.lower
    if not (low_ok and v <= spec.upper):
        lo = "(" if spec.lower_open else "["
        probs.append(
            f"{at}: {prm!r} = {v:g} (as fraction/base unit) is outside {lo}{spec.lower:g}, "
            f"{spec.upper:g}]"
        )
    if prm in _LIFETIME_PARAMS:
        fam = row.distribution.lower()
        if fam not in _LIFETIME_FAMILIES:
            probs.append(
                f"{at}: lifetime row of product {row.product!r} needs the distribution family "
                f"in column 'distribution' (one of {list(_LIFETIME_FAMILIES)}), got {fam!r}"
            )
        elif prm not in _FAMILY_NEEDS[fam]:
            probs.append(
                f"{at}: {prm!r} is not a parameter of a {fam} lifetime (it uses "
                f"{list(_FAMILY_NEEDS[fam])})"
            )
    return probs


def content_factor(unit: str) -> tuple[float, str]:
    """Split a content unit ``'<mass>/<product unit>'``.

    Parameters
    ----------
    unit : str
        E.g. ``'kg/kWh'``, ``'t/t'``, ``'g/unit'``.

    Returns
    -------
    factor : float
        Size of the numerator in tonnes [t].
    denominator : str
        The product unit.

    Raises
    ------
    ParameterError
        No ``/``, or a numerator that is not a mass unit.
    """
    num, sep, den = str(unit).partition("/")
    num, den = num.strip(), den.strip()
    if not sep or not den or num not in _MASS_T:
        msg = (
            f"content unit {unit!r} must be '<mass>/<product unit>' with mass in "
            f"{list(_MASS_T)} (e.g. 'kg/kWh', 't/t', 'kg/unit')"
        )
        raise ParameterError(msg)
    return _MASS_T[num], den


def unit_ratio(from_unit: str, to_unit: str) -> float:
    """Factor converting a quantity in `from_unit` to `to_unit` (same family only).

    Raises
    ------
    ParameterError
        Units of different families or unknown units.
    """
    if from_unit == to_unit:
        return 1.0
    for fam in _UNIT_FAMILIES.values():
        if from_unit in fam and to_unit in fam:
            return fam[from_unit] / fam[to_unit]
    msg = f"cannot convert {from_unit!r} to {to_unit!r}"
    raise ParameterError(msg)


@dataclass(frozen=True, eq=False)
class ProductSystem:
    """One configuration of products, elements, parameters and recycling routes.

    Build it with :meth:`default` (the shipped table) and add what you know with
    :meth:`with_parameters`; or :meth:`from_csv` for a parameter file.  Immutable: every
    change returns a new, re-validated system.

    Parameters
    ----------
    parameters : pandas.DataFrame, optional
        The long parameter table (see :data:`COLUMNS`); default the shipped one.
    products : tuple of str
        Allowed product names (default :data:`PRODUCTS`).
    elements : tuple of str
        Allowed element names (default :data:`ELEMENTS`).
    routes : dict of str to str
        Recycling process of each product (default :data:`DEFAULT_ROUTES`); the
        ``process`` key of ``recovery_efficiency`` rows.
    inflow_at : {'end', 'middle', 'start'}
        Age convention for every lifetime (see :mod:`critmin.circular.lifetimes`).

    Raises
    ------
    ParameterError
        Invalid table, or routes that miss a product or name an unknown one.

    Examples
    --------
    >>> from critmin.circular.lifetimes import fixed
    >>> s = ProductSystem.default().with_parameters(
    ...     {("collection_rate", "ev_motor_magnet"): 0.5,
    ...      ("content", "ev_motor_magnet", "Nd"): (0.3, "t/t"),
    ...      ("recovery_efficiency", None, "Nd", "magnet_recycling"): 0.9},
    ...     lifetimes={"ev_motor_magnet": fixed(15)})
    >>> s.collection_rate("ev_motor_magnet"), s.recovery_efficiency("ev_motor_magnet", "Nd")
    (0.5, 0.9)
    """

    parameters: pd.DataFrame = field(default_factory=default_parameters)
    products: tuple[str, ...] = PRODUCTS
    elements: tuple[str, ...] = ELEMENTS
    routes: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_ROUTES))
    inflow_at: Literal["start", "middle", "end"] = DEFAULT_INFLOW_AT
    _lookup: dict[tuple[str, str, str, str], tuple[float, str, str]] = field(
        init=False, repr=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        """Validate routes and the parameter table."""
        object.__setattr__(self, "products", tuple(self.products))
        object.__setattr__(self, "elements", tuple(self.elements))
        object.__setattr__(self, "routes", dict(self.routes))
        if self.inflow_at not in ("start", "middle", "end"):
            msg = f"inflow_at must be 'start', 'middle' or 'end', got {self.inflow_at!r}"
            raise ParameterError(msg)
        unrouted = [p for p in self.products if p not in self.routes]
        bad = [p for p in self.routes if p not in self.products]
        if unrouted or bad:
            msg = "routes must name a recycling process for every product and only for those"
            probs = [f"product {p!r} has no route" for p in unrouted]
            probs += [
                f"route for unknown product {p!r}; allowed: {list(self.products)}" for p in bad
            ]
            raise ParameterError(msg, probs)
        object.__setattr__(
            self,
            "parameters",
            load_parameters(
                self.parameters,
                products=self.products,
                elements=self.elements,
                processes=self._allowed_processes(self.routes),
                source_label="(unlabelled)",
            ),
        )
        t = self.parameters
        keys = zip(t["parameter"], t["product"], t["element"], t["process"], strict=True)
        vals = zip(t["value"], t["unit"], t["distribution"], strict=True)
        object.__setattr__(self, "_lookup", dict(zip(keys, vals, strict=True)))

    @staticmethod
    def _allowed_processes(routes: Mapping[str, str]) -> tuple[str, ...]:
        return tuple(sorted(set(routes.values()) | set(DEFAULT_ROUTES.values())))

    @property
    def processes(self) -> tuple[str, ...]:
        """Recycling processes used by the routes."""
        return tuple(sorted(set(self.routes.values())))

    # ------------------------------------------------------------------ constructors
    @classmethod
    def default(cls, **kwargs: Any) -> ProductSystem:
        """Return the shipped configuration (``parameters.csv``); `kwargs` set other fields."""
        return cls(**kwargs)

    @classmethod
    def from_csv(cls, path: str | Path, **kwargs: Any) -> ProductSystem:
        """Shipped defaults overridden by the rows of a user parameter CSV at `path`."""
        return cls.default(**kwargs).with_parameters(path)

    def with_parameters(
        self,
        params: str | Path | pd.DataFrame | Mapping[Any, Any] | None = None,
        *,
        lifetimes: Mapping[str, Lifetime] | None = None,
        routes: Mapping[str, str] | None = None,
    ) -> ProductSystem:
        """Return a copy with user parameters merged over these ones.

        Parameters
        ----------
        params : path, DataFrame or dict, optional
            See :func:`load_parameters`.  A row with a value replaces the row with the
            same (parameter, product, element, process); any lifetime row with a value
            for a product replaces all lifetime rows of that product.  A row whose value
            is blank means "no value given" and changes nothing (a template left
            partly empty never wipes a value already set).
        lifetimes : dict of product to Lifetime, optional
            Lifetimes with scalar parameters, converted to table rows.
        routes : dict of product to process, optional
            Change recycling routes (new process names are allowed here).

        Returns
        -------
        ProductSystem
        """
        new_routes = {**self.routes, **(dict(routes) if routes else {})}
        procs = self._allowed_processes(new_routes)
        frames = []
        if params is not None:
            frames.append(
                load_parameters(
                    params, products=self.products, elements=self.elements, processes=procs
                )
            )
        if lifetimes:
            frames.append(_lifetime_rows(lifetimes, self.products))
        table = self.parameters
        if frames:
            new = pd.concat(frames, ignore_index=True)
            blank = new["value"].isna()
            if blank.any():
                logger.debug("%d parameter row(s) with a blank value ignored", int(blank.sum()))
            new = new[~blank]
            key = ["parameter", "product", "element", "process"]
            lt_products = set(new.loc[new["parameter"].isin(_LIFETIME_PARAMS), "product"])
            drop = table["parameter"].isin(_LIFETIME_PARAMS) & table["product"].isin(lt_products)
            table = table[~drop]
            merged = table.merge(new[key], on=key, how="left", indicator=True)
            table = table[(merged["_merge"] == "left_only").to_numpy()]
            table = pd.concat([table, new], ignore_index=True)
        return type(self)(
            parameters=table,
            products=self.products,
            elements=self.elements,
            routes=new_routes,
            inflow_at=self.inflow_at,
        )

    # ------------------------------------------------------------------ lookups
    def _check_names(self, products: Iterable[str] = (), elements: Iterable[str] = ()) -> None:
        probs = [
            f"unknown product {p!r}; allowed: {list(self.products)}"
            for p in products
            if p not in self.products
        ]
        probs += [
            f"unknown element {e!r}; allowed: {list(self.elements)}"
            for e in elements
            if e not in self.elements
        ]
        if probs:
            msg = "unknown name(s)"
            raise ParameterError(msg, probs)

    def missing(
        self,
        products: Iterable[str] | None = None,
        elements: Iterable[str] | None = None,
        needs: Iterable[str] = ("lifetime", "content", "collection_rate", "recovery_efficiency"),
    ) -> pd.DataFrame:
        """Parameters a run over `products` × `elements` needs but that are empty.

        Parameters
        ----------
        products, elements : iterable of str, optional
            Default: all of the system's.
        needs : iterable of str
            Any of ``lifetime``, ``content``, ``collection_rate``, ``recovery_efficiency``.

        Returns
        -------
        pandas.DataFrame
            Columns parameter, product, element, process, unit, note (empty if complete).
        """
        prods = list(self.products if products is None else products)
        elems = list(self.elements if elements is None else elements)
        self._check_names(prods, elems)
        needs = set(needs)
        rows: list[dict[str, str]] = []
        for p in prods:
            if "lifetime" in needs:
                rows += self._missing_lifetime(p)
            if "collection_rate" in needs and self._value("collection_rate", p) is None:
                rows.append(_miss("collection_rate", p, unit="1"))
            for e in elems:
                if "content" in needs and self._value("content", p, e) is None:
                    hit = self._lookup.get(("content", p, e, ""))
                    unit = hit[1] if hit else "mass/product unit"
                    rows.append(_miss("content", p, e, unit=unit))
                if "recovery_efficiency" in needs and self._recovery(p, e) is None:
                    rows.append(
                        _miss(
                            "recovery_efficiency",
                            "",
                            e,
                            self.routes[p],
                            unit="1",
                            note=f"route of {p}; or give a product-specific row",
                        )
                    )
        cols = ["parameter", "product", "element", "process", "unit", "note"]
        out = pd.DataFrame(rows, columns=cols)
        return out.drop_duplicates(["parameter", "product", "element", "process"])

    def require(
        self,
        products: Iterable[str] | None = None,
        elements: Iterable[str] | None = None,
        needs: Iterable[str] = ("lifetime", "content", "collection_rate", "recovery_efficiency"),
    ) -> None:
        """Raise :class:`MissingParameterError` listing every empty parameter a run needs."""
        miss = self.missing(products, elements, needs)
        if len(miss):
            raise MissingParameterError(miss)

    def _value(
        self, parameter: str, product: str = "", element: str = "", process: str = ""
    ) -> float | None:
        hit = self._lookup.get((parameter, product, element, process))
        if hit is None or math.isnan(hit[0]):
            return None
        v = float(hit[0])
        if PARAMETER_SPECS[parameter].unit == "1":
            v *= _FRACTION_UNITS[hit[1]]
        return v

    def _recovery(self, product: str, element: str) -> float | None:
        own = self._value("recovery_efficiency", product, element)
        if own is not None:
            return own
        if ("recovery_efficiency", product, element, "") in self._lookup:
            return None  # a product-specific row exists but is empty
        return self._value("recovery_efficiency", "", element, self.routes[product])

    def _lifetime_values(self, product: str) -> tuple[str | None, dict[str, float]]:
        """(family, {parameter: value}) of the lifetime rows of `product` that have values."""
        vals: dict[str, float] = {}
        fams = set()
        for prm in _LIFETIME_PARAMS:
            hit = self._lookup.get((prm, product, "", ""))
            if hit is not None and not math.isnan(hit[0]):
                vals[prm] = float(hit[0])
                fams.add(hit[2].lower())
        if len(fams) > 1:
            msg = f"lifetime rows of product {product!r} name different families {sorted(fams)}"
            raise ParameterError(msg)
        return (fams.pop() if fams else None), vals

    def _missing_lifetime(self, product: str) -> list[dict[str, str]]:
        fam, have = self._lifetime_values(product)
        if fam is None:
            return [
                _miss(
                    "lifetime_mean",
                    product,
                    unit="yr",
                    note="and lifetime_std (normal/lognormal) with the family in "
                    "'distribution', or lifetime_shape + lifetime_scale for weibull",
                )
            ]
        return [
            _miss(p, product, unit=PARAMETER_SPECS[p].unit, note=f"{fam} lifetime")
            for p in _FAMILY_NEEDS[fam]
            if p not in have
        ]

    def lifetime(self, product: str) -> Lifetime:
        """Return the lifetime distribution of `product` (raises if not supplied).

        Returns
        -------
        Lifetime
            With this system's ``inflow_at`` convention.
        """
        self._check_names([product])
        if self._missing_lifetime(product):
            self.require([product], [], needs=("lifetime",))
        fam, v = self._lifetime_values(product)
        return from_spec(
            fam,
            mean=v.get("lifetime_mean"),
            std=v.get("lifetime_std"),  # type: ignore[arg-type]
            shape=v.get("lifetime_shape"),
            scale=v.get("lifetime_scale"),
            inflow_at=self.inflow_at,
        )

    def content(self, product: str, element: str) -> tuple[float, str]:
        """Return the content of `element` in `product`: (value, unit), e.g. (0.1, 'kg/kWh')."""
        self._check_names([product], [element])
        hit = self._lookup.get(("content", product, element, ""))
        if hit is None or math.isnan(hit[0]):
            self.require([product], [element], needs=("content",))
        return float(hit[0]), hit[1]  # type: ignore[index]

    def collection_rate(self, product: str) -> float:
        """Return the collection rate of `product` [-]."""
        self._check_names([product])
        v = self._value("collection_rate", product)
        if v is None:
            self.require([product], [], needs=("collection_rate",))
        return float(v)  # type: ignore[arg-type]

    def recovery_efficiency(self, product: str, element: str) -> float:
        """Return the recovery efficiency of `element` in `product` [-] (route or product row)."""
        self._check_names([product], [element])
        v = self._recovery(product, element)
        if v is None:
            self.require([product], [element], needs=("recovery_efficiency",))
        return float(v)  # type: ignore[arg-type]

    def eol_rir(self, element: str) -> float | None:
        """Return the EU end-of-life recycling input rate of `element` [-] (reference), or None."""
        self._check_names([], [element])
        return self._value("eol_rir", "", element)

    def sources(self) -> pd.DataFrame:
        """Return every parameter that has a value, with its unit and source."""
        t = self.parameters
        return t[t["value"].notna()].reset_index(drop=True)

    def to_csv(self, path: str | Path) -> None:
        """Write the parameter table (all rows) to `path`."""
        self.parameters.to_csv(path, index=False)


def _miss(
    parameter: str,
    product: str = "",
    element: str = "",
    process: str = "",
    unit: str = "",
    note: str = "",
) -> dict[str, str]:
    return {
        "parameter": parameter,
        "product": product,
        "element": element,
        "process": process,
        "unit": unit,
        "note": note,
    }


def _lifetime_rows(lifetimes: Mapping[str, Lifetime], products: Sequence[str]) -> pd.DataFrame:
    names = {
        "mean": "lifetime_mean",
        "std": "lifetime_std",
        "weibull_shape": "lifetime_shape",
        "weibull_scale": "lifetime_scale",
    }
    rows = []
    for product, lt in lifetimes.items():
        if product not in products:
            msg = f"unknown product {product!r} in lifetimes; allowed: {list(products)}"
            raise ParameterError(msg)
        if not isinstance(lt, Lifetime):
            msg = f"lifetimes[{product!r}] must be a critmin.circular.lifetimes.Lifetime"
            raise ParameterError(msg)
        for k, v in lt.params.items():
            if np.ndim(v) != 0:
                msg = f"lifetimes[{product!r}] must have scalar parameters, {k} is an array"
                raise ParameterError(msg)
            rows.append(
                {
                    "parameter": names[k],
                    "product": product,
                    "element": "",
                    "process": "",
                    "value": float(v),
                    "unit": "1" if k == "weibull_shape" else "yr",
                    "distribution": lt.family,
                    "source": "user (Python, lifetimes=)",
                }
            )
    return pd.DataFrame(rows, columns=list(COLUMNS))


# ---------------------------------------------------------------------- inflows
INFLOW_COLUMNS = ("product", "region", "year", "value", "unit")


def validate_inflows(inflows: pd.DataFrame, system: ProductSystem) -> pd.DataFrame:
    """Check a tidy inflow table and return it normalised.

    Parameters
    ----------
    inflows : pandas.DataFrame
        Columns ``product, region, year, value, unit`` (product units, e.g. ``kWh``, ``t``,
        ``unit``), or additionally ``element`` when values are already element masses
        (e.g. IEA mineral demand by technology, ``kt``).
    system : ProductSystem
        Gives the allowed product (and element) names.

    Returns
    -------
    pandas.DataFrame
        Same columns, ``year`` int, ``value`` float; one unit per product (per element).

    Raises
    ------
    ParameterError
        Missing columns, unknown product or element (naming the allowed ones), negative
        or missing values, mixed units within a product, duplicate rows.
    """
    if not isinstance(inflows, pd.DataFrame):
        msg = f"inflows must be a pandas DataFrame with columns {list(INFLOW_COLUMNS)}"
        raise ParameterError(msg)
    has_element = "element" in inflows.columns
    need = list(INFLOW_COLUMNS) + (["element"] if has_element else [])
    lacking = [c for c in need if c not in inflows.columns]
    if lacking:
        msg = f"inflows lack column(s) {lacking}; expected {need}"
        raise ParameterError(msg)
    df = inflows[need].copy()
    if df.empty:
        msg = "inflows are empty"
        raise ParameterError(msg)
    for c in ("product", "region", "unit") + (("element",) if has_element else ()):
        col = df[c].astype(object)
        df[c] = col.where(col.notna(), "").astype(str).str.strip()
    probs: list[str] = []
    bad_p = sorted(set(df["product"]) - set(system.products))
    if bad_p:
        probs.append(f"unknown product(s) {bad_p}; allowed: {list(system.products)}")
    if has_element:
        bad_e = sorted(set(df["element"]) - set(system.elements))
        if bad_e:
            probs.append(f"unknown element(s) {bad_e}; allowed: {list(system.elements)}")
    if (df["region"] == "").any():
        probs.append("empty region in inflows (use e.g. 'World' for a global model)")
    year = pd.to_numeric(df["year"], errors="coerce")
    bad_year = year.isna() | (year % 1 != 0)
    if bad_year.any():
        probs.append(f"non-integer year(s) {df.loc[bad_year, 'year'].head(5).tolist()}")
    value = pd.to_numeric(df["value"], errors="coerce")
    nan = value.isna() | ~np.isfinite(value.fillna(0))
    if nan.any():
        r = df[nan].iloc[0]
        probs.append(
            f"{int(nan.sum())} missing/non-numeric inflow value(s), first: product "
            f"{r['product']!r}, region {r['region']!r}, year {r['year']}"
        )
    neg = value < 0
    if neg.any():
        r = df[neg].iloc[0]
        probs.append(
            f"{int(neg.sum())} negative inflow value(s), first: {value[neg].iloc[0]:g} for "
            f"product {r['product']!r}, region {r['region']!r}, year {r['year']}; inflows "
            "(products entering use) must be >= 0"
        )
    if probs:
        msg = "invalid inflows"
        raise ParameterError(msg, probs)
    df["year"] = year.astype(int)
    df["value"] = value.astype(float)
    key = ["product", "element"] if has_element else ["product"]
    units = df.groupby(key)["unit"].unique()
    mixed = units[units.map(len) > 1]
    if len(mixed):
        msg = "inflows mix units within a product; convert them to one unit first"
        raise ParameterError(msg, [f"{k}: {sorted(u)}" for k, u in mixed.items()])
    dkey = key + ["region", "year"]
    dup = df.duplicated(dkey, keep=False)
    if dup.any():
        msg = "inflows give the same product/region/year more than once; aggregate them first"
        raise ParameterError(msg, [str(r) for r in df.loc[dup, dkey].head(10).to_dict("records")])
    return df.reset_index(drop=True)
