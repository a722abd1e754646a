"""Recovery runs in one call, and saving them to the workspace.

Thin orchestration over :mod:`critmin.circular` (the interfaces call these):

* :func:`recovery_run` — parameters + inflows (IEA demand by technology, a DataFrame or a
  CSV) → :class:`~critmin.circular.recovery.RecoveryResult`, mass balance checked.
* :func:`recovery_analysis` — the same plus demand (for the share met by recycling and the
  recycling input rate) and an optional collection × recovery sensitivity grid, as a
  :class:`RecoveryRun`.
* :func:`save_recovery` / :func:`load_recovery` / :func:`list_recoveries` — a run as
  parquet tables + ``config.json`` in ``<CRITMIN_HOME>/recovery/<name>/``; the mass
  balance is checked again on load.

Parameters have no shipped values (see ``docs/recovery.md``): without them a run raises
:class:`~critmin.circular.products.MissingParameterError` listing what is missing;
:func:`critmin.circular.inflows.iea_parameter_template` writes the rows to fill in.

Examples
--------
>>> from critmin.circular.api import recovery_analysis, save_recovery
>>> run = recovery_analysis("my_parameters.csv", "iea", scenario="APS")  # doctest: +SKIP
>>> run.summary()  # doctest: +SKIP
>>> save_recovery(run, "aps_base")  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
import re
import shutil
import tempfile
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from critmin.circular.inflows import (
    IEA_BASE_CASE,
    IEA_REGION,
    iea_demand,
    iea_inflows,
    iea_product_system,
    load_iea_demand,
    not_applicable_recovery,
    resolve_case,
    resolve_scenario,
)
from critmin.circular.links import recycling_input_rate, region_iso3
from critmin.circular.products import _MASS_T, ParameterError, ProductSystem
from critmin.circular.recovery import (
    VARIABLES,
    MassBalanceWarning,
    RecoveryResult,
    check_mass_balance,
    run_recovery,
    sensitivity,
    share_of_demand,
)
from critmin.errors import MethodError

__all__ = [
    "RecoveryRun",
    "build_system",
    "list_recoveries",
    "load_inflows",
    "load_recovery",
    "recovery_analysis",
    "recovery_dir",
    "recovery_run",
    "save_recovery",
]

logger = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]
ParamsLike = ProductSystem | str | Path | Mapping[Any, Any] | pd.DataFrame | None
InflowsLike = str | Path | pd.DataFrame | None

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
_CONFIG_KEYS = {"parameters", "routes", "inflow_at"}


# ============================================================================ inputs
def _read_config_file(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".json":
        data = json.loads(text)
    else:
        import yaml

        data = yaml.safe_load(text)
    if not isinstance(data, dict):
        msg = f"config file {path} must hold a mapping with keys {sorted(_CONFIG_KEYS)}"
        raise ParameterError(msg)
    params = data.get("parameters")
    if isinstance(params, str) and not Path(params).is_absolute():
        data["parameters"] = str(path.parent / params)
    return data


def build_system(params: ParamsLike = None) -> ProductSystem:
    """The product system of a run (the shipped one extended by the IEA products).

    Parameters
    ----------
    params : ProductSystem, path, dict or DataFrame, optional
        A :class:`ProductSystem` (used as is, IEA products added); a parameter CSV
        (columns of :data:`~critmin.circular.products.COLUMNS`); a ``.json``/``.yaml``
        config ``{parameters: <csv path or list of rows>, routes: {...}, inflow_at: ...}``
        (paths relative to the file); the same as a dict; a dict of parameters as
        :meth:`ProductSystem.with_parameters` takes; or a parameter DataFrame.  None: no
        user parameters (a run then lists everything it needs).

    Returns
    -------
    ProductSystem
    """
    if isinstance(params, ProductSystem):
        return iea_product_system(params)
    config: dict[str, Any] = {}
    table: Any = None
    if isinstance(params, (str, Path)):
        path = Path(params)
        if not path.is_file():
            msg = f"parameter file {path} not found; write one with `critmin recovery template`"
            raise ParameterError(msg)
        if path.suffix.lower() in (".json", ".yaml", ".yml"):
            config = _read_config_file(path)
        else:
            table = path
    elif isinstance(params, Mapping) and params and set(params) <= _CONFIG_KEYS:
        config = dict(params)
    else:
        table = params
    if config:
        table = config.get("parameters")
        if isinstance(table, list):
            table = pd.DataFrame(table)
    inflow_at = config.get("inflow_at", ProductSystem.__dataclass_fields__["inflow_at"].default)
    system = iea_product_system(ProductSystem.default(inflow_at=inflow_at))
    if table is not None or config.get("routes"):
        system = system.with_parameters(table, routes=config.get("routes"))
    return system


def _filter_region(df: pd.DataFrame, region: str | None, what: str) -> pd.DataFrame:
    if region is None or str(region).lower() in ("all", "*"):
        return df
    want = region_iso3(region)
    labels = df["region"].astype(str)
    uniq = {lab: (lab.lower() == str(region).lower() or region_iso3(lab) == want) for lab in labels}
    keep = labels.map(uniq).astype(bool)
    if not keep.any():
        msg = (
            f"{what} have no rows for region {region!r}; regions present: "
            f"{sorted(labels.unique())} (or use region='all')"
        )
        raise ParameterError(msg)
    return df[keep.to_numpy()]


def load_inflows(
    inflows: InflowsLike = "iea",
    *,
    scenario: str = "STEPS",
    case: str = IEA_BASE_CASE,
    region: str | None = IEA_REGION,
    history: pd.DataFrame | str | Path | None = None,
    demand_table: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Inflows of a run: IEA demand by technology, a DataFrame or a CSV, for one region.

    Parameters
    ----------
    inflows : 'iea', DataFrame or path, default 'iea'
        ``'iea'`` (or None): :func:`~critmin.circular.inflows.iea_inflows` (World, annual).
        A table/CSV: ``product, region, year, value, unit`` (+ ``element`` for element
        masses), as :func:`~critmin.circular.recovery.run_recovery` takes.
    scenario, case : str
        IEA scenario and technology case (IEA inflows only).
    region : str or None, default 'World'
        Keep this region (label or country name/ISO3 that resolves to it); ``'all'`` or
        None keeps every region.  IEA inflows exist for World only.
    history : DataFrame or path, optional
        Earlier element inflows put before the IEA years (IEA only).
    demand_table : pandas.DataFrame, optional
        The IEA demand table (default the dataset's).

    Returns
    -------
    pandas.DataFrame
    """
    if _is_iea(inflows):
        if region is not None and str(region).lower() not in ("all", "*"):
            if region_iso3(region) != "WLD":
                msg = (
                    f"IEA demand by technology is global (World) only, not {region!r}; for "
                    "India or the US give your own inflows (a CSV with columns product, "
                    "region, year, value, unit[, element])"
                )
                raise ParameterError(msg)
        hist = pd.read_csv(history) if isinstance(history, (str, Path)) else history
        return iea_inflows(scenario, case, demand=demand_table, history=hist)
    if isinstance(inflows, (str, Path)):
        path = Path(inflows)
        if not path.is_file():
            msg = f"inflow file {path} not found (give 'iea' or a CSV path)"
            raise ParameterError(msg)
        df = pd.read_csv(path)
    elif isinstance(inflows, pd.DataFrame):
        df = inflows.copy()
    else:
        msg = f"inflows must be 'iea', a DataFrame or a CSV path, got {type(inflows).__name__}"
        raise ParameterError(msg)
    if "region" not in df.columns:
        msg = "inflows lack a 'region' column (use e.g. 'World', 'India', 'US')"
        raise ParameterError(msg)
    return _filter_region(df, region, "inflows").reset_index(drop=True)


def _model_years(
    df: pd.DataFrame, years: Sequence[int] | None
) -> tuple[pd.DataFrame, list[int], list[int]]:
    """Model years, the reporting window, and the inflows cut to the model years.

    The model starts empty, so it starts at the first inflow year even when the window
    starts later; inflow rows after the window are dropped (the model is causal).
    """
    first, last = int(df["year"].min()), int(df["year"].max())
    if years is None:
        return df, list(range(first, last + 1)), [first, last]
    yrs = sorted(int(y) for y in years)
    if not yrs:
        msg = "years is empty"
        raise ParameterError(msg)
    if yrs[-1] < last:
        logger.info("inflows after %d dropped (the model is causal)", yrs[-1])
        df = df[df["year"].astype(int) <= yrs[-1]]
    elif yrs[-1] > last:
        logger.info("no inflows after %d: zero inflow assumed for %d-%d", last, last + 1, yrs[-1])
    if yrs[0] > first:
        logger.info("model starts at the first inflow year %d, before the window", first)
    return df, list(range(min(first, yrs[0]), yrs[-1] + 1)), [yrs[0], yrs[-1]]


def _prepare(
    params: ParamsLike,
    inflows: InflowsLike,
    scenario: str,
    case: str,
    region: str | None,
    years: Sequence[int] | None,
    history: pd.DataFrame | str | Path | None,
    demand_table: pd.DataFrame | None,
) -> tuple[ProductSystem, pd.DataFrame, list[int], dict[str, Any]]:
    is_iea = _is_iea(inflows)
    if is_iea and demand_table is None:
        demand_table = load_iea_demand()
    system = build_system(params)
    df = load_inflows(
        inflows,
        scenario=scenario,
        case=case,
        region=region,
        history=history,
        demand_table=demand_table,
    )
    df, yrs, window = _model_years(df, years)
    na = not_applicable_recovery(system, df)
    if na:
        system = system.with_parameters(dict(na))
    source = "DataFrame" if isinstance(inflows, pd.DataFrame) else str(inflows)
    meta = {
        "inflows": "iea" if is_iea else source,
        "parameters": str(params) if isinstance(params, (str, Path)) else type(params).__name__,
        "scenario": resolve_scenario(scenario) if is_iea else None,
        "case": resolve_case(case, demand_table) if is_iea else None,
        "region": region,
        "years": [yrs[0], yrs[-1]],
        "window": window,
        "history": history is not None,
    }
    return system, df, yrs, meta


def recovery_run(
    params: ParamsLike,
    inflows: InflowsLike = "iea",
    *,
    scenario: str = "STEPS",
    case: str = IEA_BASE_CASE,
    region: str | None = IEA_REGION,
    years: Sequence[int] | None = None,
    elements: Iterable[str] | None = None,
    history: pd.DataFrame | str | Path | None = None,
    fill: str = "linear",
    strict: bool = False,
    demand_table: pd.DataFrame | None = None,
) -> RecoveryResult:
    """Run a recovery model from parameters and inflows in one call.

    Parameters
    ----------
    params : ProductSystem, path, dict or DataFrame
        See :func:`build_system`.  Every lifetime, collection rate and recovery efficiency
        the run needs must be supplied.
    inflows : 'iea', DataFrame or path, default 'iea'
        See :func:`load_inflows`.
    scenario, case, region, history
        See :func:`load_inflows`.
    years : sequence of int, optional
        Years wanted (first to last; default first to last inflow year).  The model starts
        empty, so it starts at the first inflow year when that is earlier (the result then
        begins earlier; the window is kept in the run's config).  Inflows after the last
        year are dropped; years after the last inflow get zero inflow.
    elements : iterable of str, optional
        Elements to model (default: all in the inflows).
    fill : {'linear', 'zero', 'raise'}, default 'linear'
        Missing years inside an inflow series (user tables; IEA inflows are annual).
    strict : bool, default False
        Raise :class:`~critmin.circular.recovery.MassBalanceError` on a violation.
    demand_table : pandas.DataFrame, optional
        The IEA demand table (default the dataset's).

    Returns
    -------
    RecoveryResult
        Arrays ``[t, p, e, r]`` [t, t/yr].

    Raises
    ------
    MissingParameterError
        Parameters the run needs are empty; the message lists them.
    """
    system, df, yrs, _ = _prepare(
        params, inflows, scenario, case, region, years, history, demand_table
    )
    return run_recovery(system, df, elements=elements, years=yrs, fill=fill, strict=strict)  # type: ignore[arg-type]


# ============================================================================ run object
@dataclass
class RecoveryRun:
    """A recovery result with its inputs, demand, sensitivity and mass-balance check.

    Attributes
    ----------
    result : RecoveryResult
    config : dict
        How it was made (inputs, scenario, region, years); saved as ``config.json``.
    inflows : pandas.DataFrame or None
        The inflows used.
    demand : pandas.DataFrame or None
        Demand ``[element, (region,) year, value, unit, basis]`` for shares.
    sensitivity : pandas.DataFrame or None
        :func:`~critmin.circular.recovery.sensitivity` output (element, region, year).
    violations : pandas.DataFrame
        :func:`~critmin.circular.recovery.check_mass_balance` table (empty if it holds).
    """

    result: RecoveryResult
    config: dict[str, Any] = field(default_factory=dict)
    inflows: pd.DataFrame | None = None
    demand: pd.DataFrame | None = None
    sensitivity: pd.DataFrame | None = None
    violations: pd.DataFrame = field(default_factory=pd.DataFrame)

    def check(self, strict: bool = False) -> pd.DataFrame:
        """Re-check the mass balance; return (and store) the violations table."""
        self.violations = check_mass_balance(self.result, strict=strict)
        return self.violations

    def _demand(self) -> pd.DataFrame:
        if self.demand is None or self.demand.empty:
            msg = "this run has no demand; give demand= to recovery_analysis"
            raise MethodError(msg)
        d = self.demand
        if "region" in d.columns and set(d["region"]) - set(self.result.regions):
            d = d.drop(columns="region")
        return d

    def share_of_demand(self) -> pd.DataFrame:
        """Secondary supply / demand per element (× region) × year, with the demand basis."""
        d = self._demand()
        out = share_of_demand(self.result, d[[c for c in d.columns if c != "basis"]])
        if "basis" in d.columns:
            out = out.merge(d.groupby("element")["basis"].first().reset_index(), on="element")
        return out

    def recycling_input_rate(self) -> pd.DataFrame:
        """Time-varying EoL recycling input rate, see :func:`~.links.recycling_input_rate`."""
        d = self._demand()
        return recycling_input_rate(self.result, d[[c for c in d.columns if c != "basis"]])

    def summary(self, years: Sequence[int] | None = None) -> pd.DataFrame:
        """Per element (× region): EoL flow, recovered and share of demand [t, -].

        Parameters
        ----------
        years : sequence of int, optional
            Window; default the run's window (``config['window']``), else all model years.
            "last" = its last year, "cum" = its sum.

        Returns
        -------
        pandas.DataFrame
            ``element, [region,] eol_last, recovered_last, demand_last, share_last,
            eol_cum, recovered_cum, demand_cum, share_cum, basis, unit`` (``unit = 't'``;
            shares NaN without demand; cumulative demand over the window years that have
            demand).
        """
        res = self.result
        yrs = self._window(years)
        bad = sorted(set(yrs) - set(res.years))
        if bad:
            msg = f"years {bad[:5]} are outside the run ({res.years[0]}-{res.years[-1]})"
            raise MethodError(msg)
        by_region = len(res.regions) > 1
        key = ["element", "region"] if by_region else ["element"]
        flows = res.to_frame(by=(*key, "year"), variables=("eol", "recovered"))
        flows = flows[flows["year"].isin(yrs)]
        wide = flows.pivot_table(
            index=[*key, "year"], columns="variable", values="value", aggfunc="sum"
        ).reset_index()
        if self.demand is not None and not self.demand.empty:
            d = self._demand()
            dk = [k for k in key if k in d.columns] + ["year"]
            d = d.assign(demand=pd.to_numeric(d["value"]) * d["unit"].map(_MASS_T))
            wide = wide.merge(d.groupby(dk, as_index=False)["demand"].sum(), on=dk, how="left")
            basis = d.groupby("element")["basis"].first() if "basis" in d.columns else None
        else:
            wide["demand"] = np.nan
            basis = None
        last = wide[wide["year"] == yrs[-1]].set_index(key)
        has_d = wide[wide["demand"].notna()]
        cum = wide.groupby(key)[["eol", "recovered"]].sum()
        cum_d = has_d.groupby(key)[["recovered", "demand"]].sum()
        out = pd.DataFrame(index=cum.index)
        out["eol_last"] = last["eol"]
        out["recovered_last"] = last["recovered"]
        out["demand_last"] = last["demand"]
        out["share_last"] = out["recovered_last"] / out["demand_last"].where(out["demand_last"] > 0)
        out["eol_cum"] = cum["eol"]
        out["recovered_cum"] = cum["recovered"]
        out["demand_cum"] = cum_d["demand"].reindex(out.index)
        out["share_cum"] = cum_d["recovered"].reindex(out.index) / out["demand_cum"].where(
            out["demand_cum"] > 0
        )
        out = out.reset_index()
        out["basis"] = out["element"].map(basis) if basis is not None else ""
        out["basis"] = out["basis"].fillna("")
        out["unit"] = res.unit
        order = {e: i for i, e in enumerate(res.elements)}
        return out.sort_values(key, key=lambda s: s.map(order) if s.name == "element" else s)[
            [*key, *[c for c in out.columns if c not in key]]
        ].reset_index(drop=True)

    def _demand_by_element_year(self) -> pd.DataFrame | None:
        """Demand [t] per element and year, summed over regions (None without demand)."""
        if self.demand is None or self.demand.empty:
            return None
        d = self._demand()
        d = d.assign(demand=pd.to_numeric(d["value"]) * d["unit"].map(_MASS_T))
        return d.groupby(["element", "year"], as_index=False)["demand"].sum()

    def sensitivity_summary(self, years: Sequence[int] | None = None) -> pd.DataFrame | None:
        """The sensitivity grid summed over the window: per element × collection × recovery.

        Returns
        -------
        pandas.DataFrame or None
            ``element, collection_rate, recovery_efficiency, secondary_supply`` [t, summed
            over regions and the window's years] and ``share`` [-] of the demand summed over
            the same years (NaN without demand); None if the run has no grid.
        """
        if self.sensitivity is None or self.sensitivity.empty:
            return None
        s = self.sensitivity
        if years is not None:
            s = s[s["year"].isin([int(y) for y in years])]
        key = ["element", "collection_rate", "recovery_efficiency"]
        out = s.groupby(key, as_index=False)["secondary_supply"].sum()
        d = self._demand_by_element_year()
        if d is None:
            out["share"] = np.nan
            return out
        yrs = s["year"].unique()
        have = d[d["year"].isin(yrs)]
        sup = (
            s[s["year"].isin(have["year"].unique())]
            .groupby(key, as_index=False)["secondary_supply"]
            .sum()
            .rename(columns={"secondary_supply": "_sup"})
        )
        dem = have.groupby("element", as_index=False)["demand"].sum()
        out = out.merge(sup, on=key, how="left").merge(dem, on="element", how="left")
        out["share"] = out["_sup"] / out["demand"].where(out["demand"] > 0)
        return out.drop(columns=["_sup", "demand"])

    def _window(self, years: Sequence[int] | None) -> list[int]:
        if years is not None:
            return [int(y) for y in years]
        w = self.config.get("window")
        if w:
            return [y for y in range(int(w[0]), int(w[-1]) + 1) if y in self.result.years]
        return list(self.result.years)

    def chart_data(self, years: Sequence[int] | None = None) -> dict[str, pd.DataFrame | None]:
        """Tables for :func:`critmin.report.recovery_charts.write_recovery_charts`."""
        yrs = self._window(years)
        sec = self.result.secondary_supply(by=("element", "year"))
        sec = sec[sec["year"].isin(yrs)]
        share = None
        if self.demand is not None and not self.demand.empty:
            sh = self.share_of_demand()
            share = (
                sh[sh["year"].isin(yrs)]
                .groupby(["element", "year"], as_index=False)
                .agg(secondary_supply=("secondary_supply", "sum"), demand=("demand", "sum"))
            )
            share["share"] = share["secondary_supply"] / share["demand"].where(share["demand"] > 0)
        return {
            "secondary": sec,
            "share": share,
            "sensitivity": self.sensitivity_summary(yrs),
        }

    def save(self, name: str, *, overwrite: bool = True) -> Path:
        """Save to the workspace (see :func:`save_recovery`)."""
        return save_recovery(self, name, overwrite=overwrite)


def _is_iea(x: object) -> bool:
    return x is None or (isinstance(x, str) and x.strip().lower() == "iea")


def _load_demand(
    demand: str | Path | pd.DataFrame | None,
    scenario: str,
    case: str,
    region: str | None,
    demand_table: pd.DataFrame | None,
) -> pd.DataFrame | None:
    if demand is None:
        return None
    if isinstance(demand, str) and demand.lower() == "iea":
        if region is not None and region_iso3(str(region)) != "WLD":
            logger.info("IEA demand is World only; no demand for region %r", region)
            return None
        d = iea_demand(scenario, case, demand=demand_table)
        return d[["element", "region", "year", "value", "unit", "basis"]]
    if isinstance(demand, (str, Path)):
        path = Path(demand)
        if not path.is_file():
            msg = f"demand file {path} not found (give 'iea' or a CSV path)"
            raise ParameterError(msg)
        d = pd.read_csv(path)
    else:
        d = demand.copy()
    if "region" in d.columns:
        d = _filter_region(d, region, "demand")
    if "basis" not in d.columns:
        d["basis"] = "user"
    return d.reset_index(drop=True)


def recovery_analysis(
    params: ParamsLike,
    inflows: InflowsLike = "iea",
    *,
    scenario: str = "STEPS",
    case: str = IEA_BASE_CASE,
    region: str | None = IEA_REGION,
    years: Sequence[int] | None = None,
    elements: Iterable[str] | None = None,
    history: pd.DataFrame | str | Path | None = None,
    demand: str | Path | pd.DataFrame | None = "iea",
    collection: Sequence[float] | None = None,
    recovery: Sequence[float] | None = None,
    relative: bool = False,
    fill: str = "linear",
    strict: bool = False,
    demand_table: pd.DataFrame | None = None,
    progress: Progress | None = None,
) -> RecoveryRun:
    """A recovery run with demand, sensitivity grid and mass-balance table.

    Parameters
    ----------
    params, inflows, scenario, case, region, years, elements, history, fill, strict
        As :func:`recovery_run`.
    demand : 'iea', DataFrame, path or None, default 'iea'
        Demand for the share met by recycling: ``'iea'`` = IEA World demand, total where
        the IEA gives it per element, else clean technologies
        (:func:`~critmin.circular.inflows.iea_demand`, ``basis='best'``); or a table
        ``element, [region,] year, value, unit``.  None: no shares.
    collection, recovery : sequence of float, optional
        Grid of collection rates and recovery efficiencies [-] applied to every product
        for :func:`~critmin.circular.recovery.sensitivity` (both needed).
    relative : bool, default False
        The grid values multiply the parameters' own rates.
    demand_table : pandas.DataFrame, optional
        The IEA demand table (default the dataset's).
    progress : callable, optional
        ``progress(step, i, n)`` after each step.

    Returns
    -------
    RecoveryRun
    """
    grid = collection is not None or recovery is not None
    if grid and (collection is None or recovery is None):
        msg = "give both collection and recovery values for the sensitivity grid"
        raise ParameterError(msg)
    steps = ["inputs", "stock model", "mass balance", "demand"] + (["sensitivity"] if grid else [])

    def tick(i: int) -> None:
        if progress is not None:
            progress(steps[i], i + 1, len(steps))

    wants_iea_demand = isinstance(demand, str) and demand.strip().lower() == "iea"
    if demand_table is None and (_is_iea(inflows) or wants_iea_demand):
        demand_table = load_iea_demand()  # read the dataset once for the whole run
    system, df, yrs, meta = _prepare(
        params, inflows, scenario, case, region, years, history, demand_table
    )
    tick(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MassBalanceWarning)
        result = run_recovery(system, df, elements=elements, years=yrs, fill=fill, strict=strict)  # type: ignore[arg-type]
    tick(1)
    violations = check_mass_balance(result, strict=strict)
    tick(2)
    dem = _load_demand(demand, scenario, case, region, demand_table)
    tick(3)
    sens = None
    if grid:
        sens = sensitivity(
            system,
            df,
            collection,  # type: ignore[arg-type]
            recovery,  # type: ignore[arg-type]
            relative=relative,
            elements=result.elements,
            years=yrs,
            fill=fill,  # type: ignore[arg-type]
        )
        tick(4)
    meta.update(
        {
            "elements": list(result.elements),
            "demand": demand if isinstance(demand, str) or demand is None else "DataFrame",
            "collection": None if collection is None else [float(c) for c in collection],
            "recovery": None if recovery is None else [float(r) for r in recovery],
            "relative": relative,
            "fill": fill,
        }
    )
    return RecoveryRun(
        result=result,
        config=meta,
        inflows=df.reset_index(drop=True),
        demand=dem,
        sensitivity=sens,
        violations=violations,
    )


# ============================================================================ save / load
def recovery_dir(name: str | None = None) -> Path:
    """Workspace folder of saved recovery runs (``<home>/recovery``), or of run `name`."""
    from critmin.settings import get_settings

    base = get_settings().home / "recovery"
    if name is None:
        return base
    if not _NAME.match(str(name)):
        msg = (
            f"run name {name!r} must be 1-100 letters, digits, '_', '-' or '.', starting with "
            "a letter or digit"
        )
        raise ParameterError(msg)
    return base / name


def _jsonable(v: Any) -> Any:
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if isinstance(v, np.ndarray):
        return _jsonable(v.tolist())
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return float(v)
    if isinstance(v, Path):
        return str(v)
    return v


def _to_parquet(df: pd.DataFrame, path: Path) -> None:
    df = df.copy()
    for c in df.columns:
        if df[c].dtype == object:
            df[c] = df[c].map(lambda x: None if x is None or x is pd.NA else x)
    df.to_parquet(path, index=False)


def save_recovery(run: RecoveryRun | RecoveryResult, name: str, *, overwrite: bool = True) -> Path:
    """Save a run to ``<CRITMIN_HOME>/recovery/<name>/`` (parquet tables + config.json).

    Files: ``result.parquet`` (every variable, long), ``parameters.parquet`` (the product
    system's table), and when present ``inflows.parquet``, ``demand.parquet``,
    ``sensitivity.parquet``; ``config.json`` holds the labels, rates, routes and inputs.
    Written to a temporary folder and moved in place, so a failed save leaves any
    earlier run of that name as it was.

    Parameters
    ----------
    run : RecoveryRun or RecoveryResult
    name : str
        Letters, digits, ``_``, ``-``, ``.``.
    overwrite : bool, default True
        Replace an existing run of that name.

    Returns
    -------
    pathlib.Path
        The run's folder.
    """
    if isinstance(run, RecoveryResult):
        run = RecoveryRun(result=run, violations=check_mass_balance(run))
    dest = recovery_dir(name)
    if dest.exists() and not overwrite:
        msg = f"a recovery run named {name!r} exists at {dest}; pass overwrite=True"
        raise ParameterError(msg)
    res = run.result
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=dest.parent))
    try:
        _to_parquet(res.to_frame(), tmp / "result.parquet")
        system = res.system
        if system is not None:
            _to_parquet(system.parameters, tmp / "parameters.parquet")
        for attr in ("inflows", "demand", "sensitivity"):
            df = getattr(run, attr)
            if df is not None:
                _to_parquet(df, tmp / f"{attr}.parquet")
        from critmin import __version__

        config = {
            "name": name,
            "saved": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
            "critmin_version": __version__,
            "inputs": run.config,
            "labels": {
                "years": list(res.years),
                "products": list(res.products),
                "elements": list(res.elements),
                "regions": list(res.regions),
            },
            "unit": res.unit,
            "collection_rate": res.collection_rate,
            "recovery_efficiency": res.recovery_efficiency,
            "system": None
            if system is None
            else {
                "products": list(system.products),
                "elements": list(system.elements),
                "routes": dict(system.routes),
                "inflow_at": system.inflow_at,
            },
            "mass_balance_violations": len(run.violations),
        }
        (tmp / "config.json").write_text(
            json.dumps(_jsonable(config), indent=1, allow_nan=True), encoding="utf-8"
        )
        if dest.exists():
            shutil.rmtree(dest)
        tmp.rename(dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    logger.info("saved recovery run %r to %s", name, dest)
    return dest


def _read_optional(path: Path) -> pd.DataFrame | None:
    return pd.read_parquet(path) if path.is_file() else None


def load_recovery(name: str, *, strict: bool = False) -> RecoveryRun:
    """Load a saved run and check its mass balance again.

    Parameters
    ----------
    name : str
        As given to :func:`save_recovery` (see :func:`list_recoveries`).
    strict : bool, default False
        Raise :class:`~critmin.circular.recovery.MassBalanceError` on a violation.

    Returns
    -------
    RecoveryRun
    """
    folder = recovery_dir(name)
    cfg_path = folder / "config.json"
    if not cfg_path.is_file():
        have = list_recoveries()["name"].tolist()
        msg = f"no saved recovery run {name!r} in {folder.parent}; saved runs: {have}"
        raise ParameterError(msg)
    cfg = json.loads(cfg_path.read_text(encoding="utf-8"))
    lab = cfg["labels"]
    years, products = [int(y) for y in lab["years"]], tuple(lab["products"])
    elements, regions = tuple(lab["elements"]), tuple(lab["regions"])
    long = pd.read_parquet(folder / "result.parquet")
    index = pd.MultiIndex.from_product(
        [years, products, elements, regions, list(VARIABLES)],
        names=["year", "product", "element", "region", "variable"],
    )
    values = long.set_index(list(index.names))["value"].reindex(index).to_numpy(float)
    shape = (len(years), len(products), len(elements), len(regions), len(VARIABLES))
    cube = values.reshape(shape)
    arrays = {v: np.ascontiguousarray(cube[..., i]) for i, v in enumerate(VARIABLES)}
    system = None
    params = _read_optional(folder / "parameters.parquet")
    if params is not None and cfg.get("system"):
        s = cfg["system"]
        system = ProductSystem(
            parameters=params,
            products=tuple(s["products"]),
            elements=tuple(s["elements"]),
            routes=s["routes"],
            inflow_at=s["inflow_at"],
        )
    result = RecoveryResult(
        years=tuple(years),
        products=products,
        elements=elements,
        regions=regions,
        collection_rate=np.asarray(cfg["collection_rate"], dtype=float),
        recovery_efficiency=np.asarray(cfg["recovery_efficiency"], dtype=float).reshape(
            len(products), len(elements)
        ),
        unit=cfg.get("unit", "t"),
        system=system,
        **arrays,
    )
    run = RecoveryRun(
        result=result,
        config=cfg.get("inputs", {}),
        inflows=_read_optional(folder / "inflows.parquet"),
        demand=_read_optional(folder / "demand.parquet"),
        sensitivity=_read_optional(folder / "sensitivity.parquet"),
    )
    run.check(strict=strict)
    return run


def list_recoveries() -> pd.DataFrame:
    """Saved recovery runs: ``name, saved, inflows, scenario, region, years, path``."""
    base = recovery_dir()
    rows = []
    for cfg_path in sorted(base.glob("*/config.json")) if base.is_dir() else []:
        try:
            cfg = json.loads(cfg_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        inp = cfg.get("inputs", {})
        yrs = cfg.get("labels", {}).get("years", [])
        rows.append(
            {
                "name": cfg_path.parent.name,
                "saved": cfg.get("saved", ""),
                "inflows": inp.get("inflows", ""),
                "scenario": inp.get("scenario") or "",
                "region": inp.get("region") or "",
                "years": f"{yrs[0]}-{yrs[-1]}" if yrs else "",
                "path": str(cfg_path.parent),
            }
        )
    cols = ["name", "saved", "inflows", "scenario", "region", "years", "path"]
    return pd.DataFrame(rows, columns=cols)
