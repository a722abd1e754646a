"""Default recovery runs: secondary supply with P5/P50/P95 from the shipped, sourced ranges.

:func:`default_recovery` is what ``critmin recovery run`` does without ``--params``:

1. the shipped defaults of a region (:mod:`critmin.circular.defaults`; regional rows over
   the World rows; your parameter file, if given, over both);
2. IEA inflows (World) or yours; products and product x element pairs whose parameters
   are unsourced are **left out** of the inflows and listed (:attr:`DefaultRecovery.left_out`);
3. one stock model at the central values (mass balance checked as in every run);
4. ``n_draws`` draws of every collection rate and recovery efficiency, uniform in its
   published range, applied to the run's end-of-life flows:

       R[d, t, e, r] = sum_p EoL[t, p, e, r] * CR[d, p] * RE[d, p, e]

   Lifetimes are not redrawn: their spread is already in the lifetime distribution, so
   the stock model runs once (the draws are exact for the central lifetimes).

Because ``0 <= CR, RE <= 1`` in every draw, ``0 <= R <= EoL`` per draw (tested).

:meth:`DefaultRecovery.regional_yield` gives, for World, India and the United States, the
share of each element's end-of-life flow that comes back as secondary supply with that
region's rates, weighted by the run's product mix (IEA inflows are World only, so
tonnes for India or the US need your own inflows: ``--inflows FILE --region India``).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from critmin.circular.defaults import (
    REGIONS,
    default_parameter_rows,
    fill_from_defaults,
    left_out,
    regional_defaults,
    resolve_region,
    sample_rates,
)
from critmin.circular.inflows import IEA_BASE_CASE, load_iea_demand, not_applicable_recovery
from critmin.circular.products import ParameterError, ProductSystem
from critmin.circular.recovery import MassBalanceWarning

__all__ = [
    "DefaultRecovery",
    "default_recovery",
    "default_system",
    "params_over_defaults",
    "rate_arrays",
]

Progress = Callable[[str, int, int], None]


def default_system(
    region: str = "World", params: Any = None, defaults: str | Path | None = None
) -> tuple[ProductSystem, pd.DataFrame]:
    """The IEA product system with the shipped defaults of `region` (and `params` over them).

    Returns
    -------
    system : ProductSystem
    table : pandas.DataFrame
        The defaults table used (:func:`~critmin.circular.defaults.regional_defaults`).
    """
    from critmin.circular.api import build_system

    table = regional_defaults(region, defaults)
    if params is None:
        return build_system(None).with_parameters(default_parameter_rows(table)), table
    system, _ = params_over_defaults(params, region, defaults)
    return system, table


def params_over_defaults(
    params: Any, region: str = "World", defaults: str | Path | None = None
) -> tuple[ProductSystem, pd.DataFrame]:
    """Your parameters over the shipped sourced defaults: your values win, blanks are filled.

    Parameters
    ----------
    params : path, DataFrame or dict
        As :func:`critmin.circular.api.build_system` (a CSV from ``critmin recovery
        template``, a JSON/YAML config, ...).  A row with an empty value is "no value
        given" and takes the default.
    region : str
        Whose defaults fill the blanks (``World``, ``India``, ``United States``).
    defaults : path, optional
        Another defaults table.

    Returns
    -------
    system : ProductSystem
    filled : pandas.DataFrame
        The default rows that filled a blank (parameter, product, element, process,
        value, unit, distribution, source).
    """
    from critmin.circular.api import build_system

    table = regional_defaults(region, defaults)
    return fill_from_defaults(build_system(params), table)


def rate_arrays(
    system: ProductSystem,
    products: Sequence[str],
    elements: Sequence[str],
    rows: pd.DataFrame,
    draws: np.ndarray,
    cr0: np.ndarray,
    re0: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Per-draw collection rates ``(D, P)`` and recovery efficiencies ``(D, P, E)``.

    Starts from the run's own rates (`cr0`, `re0`) and replaces, per draw, those a sampled
    row sets: ``collection_rate`` by product, ``recovery_efficiency`` by route x element
    (every product on that route), then by product x element (which wins).  A rate whose
    value in the run differs from the default row's (your parameter file replaced it)
    keeps your value in every draw.
    """
    n = draws.shape[0]
    p_idx = {p: i for i, p in enumerate(products)}
    e_idx = {e: i for i, e in enumerate(elements)}
    cr = np.broadcast_to(cr0, (n, len(products))).copy()
    re = np.broadcast_to(re0, (n, len(products), len(elements))).copy()
    routes = system.routes
    order = sorted(range(len(rows)), key=lambda j: bool(rows.at[j, "product"]))
    for j in order:
        r = rows.iloc[j]
        if r["parameter"] == "collection_rate":
            i = p_idx.get(r["product"])
            if i is not None and np.isclose(cr0[i], r["value"]):
                cr[:, i] = draws[:, j]
            continue
        k = e_idx.get(r["element"])
        if k is None:
            continue
        if r["product"]:
            targets = [p_idx[r["product"]]] if r["product"] in p_idx else []
        else:
            targets = [p_idx[p] for p in products if routes.get(p) == r["process"]]
        for i in targets:
            if np.isclose(re0[i, k], r["value"]):
                re[:, i, k] = draws[:, j]
    return cr, re


@dataclass
class DefaultRecovery:
    """A default recovery run with uncertainty bands.

    Attributes
    ----------
    run : RecoveryRun
        The central run (central values of every range), with demand and mass balance.
    draws_recovered : numpy.ndarray
        ``(D, T, E)`` secondary supply per draw [t/yr] (summed over products and regions).
    table : pandas.DataFrame
        The defaults used (with sources).
    left_out : pandas.DataFrame
        Unsourced parameters and the inflows they took out of the run
        (``parameter, product, element, process, region, note, inflow_left_out_t``).
    region : str
    config : dict
    """

    run: Any
    draws_recovered: np.ndarray
    table: pd.DataFrame
    left_out: pd.DataFrame
    region: str = "World"
    config: dict[str, Any] = field(default_factory=dict)
    _eol: np.ndarray | None = None

    @property
    def years(self) -> list[int]:
        """Model years of the run."""
        return [int(y) for y in self.run.result.years]

    @property
    def elements(self) -> list[str]:
        """Elements of the run."""
        return list(self.run.result.elements)

    def window(self) -> list[int]:
        """Reported years (the run's window within its model years)."""
        w = self.run.config.get("window") or [self.years[0], self.years[-1]]
        return [y for y in self.years if w[0] <= y <= w[-1]]

    def bands(self) -> pd.DataFrame:
        """Secondary supply per element and year: P5, P50, P95 [t/yr] and the central run.

        Returns
        -------
        pandas.DataFrame
            ``element, year, p5_t, p50_t, p95_t, central_t, eol_t`` (eol: end-of-life flow
            of the run's products [t/yr]).
        """
        q = np.percentile(self.draws_recovered, [5, 50, 95], axis=0)  # (3, T, E)
        res = self.run.result
        central = res.recovered.sum(axis=(1, 3))
        eol = res.eol.sum(axis=(1, 3))
        rows = []
        for ti, y in enumerate(res.years):
            for ei, e in enumerate(res.elements):
                rows.append(
                    {
                        "element": e,
                        "year": int(y),
                        "p5_t": q[0, ti, ei],
                        "p50_t": q[1, ti, ei],
                        "p95_t": q[2, ti, ei],
                        "central_t": central[ti, ei],
                        "eol_t": eol[ti, ei],
                    }
                )
        return pd.DataFrame(rows)

    def summary(self) -> pd.DataFrame:
        """Per element: last-year and cumulative secondary supply P5/P50/P95 and share of demand.

        Returns
        -------
        pandas.DataFrame
            ``element, last_year, p5_last_t, p50_last_t, p95_last_t, share_p50_last,
            p5_cum_t, p50_cum_t, p95_cum_t, share_p50_cum, eol_cum_t, basis`` [t, -]; the
            cumulative columns sum the window's years per draw before taking quantiles.
        """
        res = self.run.result
        yrs = self.window()
        ti = [res.years.index(y) for y in yrs]
        last = self.draws_recovered[:, ti[-1], :]
        cum = self.draws_recovered[:, ti, :].sum(axis=1)
        ql = np.percentile(last, [5, 50, 95], axis=0)
        qc = np.percentile(cum, [5, 50, 95], axis=0)
        eol_cum = res.eol.sum(axis=(1, 3))[ti].sum(axis=0)
        central = self.run.summary(years=yrs).set_index("element")
        out = pd.DataFrame(
            {
                "element": res.elements,
                "last_year": yrs[-1],
                "p5_last_t": ql[0],
                "p50_last_t": ql[1],
                "p95_last_t": ql[2],
                "p5_cum_t": qc[0],
                "p50_cum_t": qc[1],
                "p95_cum_t": qc[2],
                "eol_cum_t": eol_cum,
            }
        )
        dl = central["demand_last"].reindex(out["element"]).to_numpy(float)
        dc = central["demand_cum"].reindex(out["element"]).to_numpy(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            out["share_p50_last"] = np.where(dl > 0, out["p50_last_t"] / dl, np.nan)
            out["share_p50_cum"] = np.where(dc > 0, out["p50_cum_t"] / dc, np.nan)
        out["basis"] = central["basis"].reindex(out["element"]).fillna("").to_numpy()
        return out

    def regional_yield(self, regions: Sequence[str] = REGIONS, seed: int = 0) -> pd.DataFrame:
        """Share of each element's end-of-life flow recovered with each region's rates.

        The run's (World) end-of-life flows, cumulated over the window, weight the
        products; the region's sourced collection rates and recovery efficiencies (its
        own rows over the World rows) are drawn as in the run.

        Returns
        -------
        pandas.DataFrame
            ``region, element, p5, p50, p95`` [-, fraction of EoL flow], plus
            ``regional_rows`` (how many of the rates are the region's own).
        """
        res = self.run.result
        ti = [res.years.index(y) for y in self.window()]
        eol = res.eol[ti].sum(axis=(0, 3))  # (P, E)
        tot = eol.sum(axis=0)
        n = self.draws_recovered.shape[0]
        out = []
        for reg in regions:
            reg = resolve_region(reg)
            table = regional_defaults(reg, self.config.get("defaults"))
            system = self.run.result.system
            # central rates of the region where it has rows; World's otherwise
            cr0 = res.collection_rate.copy()
            re0 = res.recovery_efficiency.copy()
            rows, draws = sample_rates(table, n, seed)
            cr, re = _region_rates(system, res.products, res.elements, rows, draws, cr0, re0)
            rec = np.einsum("pe,dp,dpe->de", eol, cr, re)
            with np.errstate(divide="ignore", invalid="ignore"):
                y = np.where(tot > 0, rec / tot, np.nan)
            q = np.nanpercentile(y, [5, 50, 95], axis=0) if np.isfinite(y).any() else None
            own = int((table["region"] == reg).sum()) if reg != "World" else 0
            for ei, e in enumerate(res.elements):
                out.append(
                    {
                        "region": reg,
                        "element": e,
                        "p5": np.nan if q is None else q[0, ei],
                        "p50": np.nan if q is None else q[1, ei],
                        "p95": np.nan if q is None else q[2, ei],
                        "regional_rows": own,
                    }
                )
        return pd.DataFrame(out)


def _region_rates(
    system: Any,
    products: Sequence[str],
    elements: Sequence[str],
    rows: pd.DataFrame,
    draws: np.ndarray,
    cr0: np.ndarray,
    re0: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Like :func:`rate_arrays` but every row applies (the region's values replace)."""
    n = draws.shape[0]
    p_idx = {p: i for i, p in enumerate(products)}
    e_idx = {e: i for i, e in enumerate(elements)}
    cr = np.broadcast_to(cr0, (n, len(products))).copy()
    re = np.broadcast_to(re0, (n, len(products), len(elements))).copy()
    routes = system.routes if system is not None else {}
    for j in sorted(range(len(rows)), key=lambda j: bool(rows.at[j, "product"])):
        r = rows.iloc[j]
        if r["parameter"] == "collection_rate":
            if r["product"] in p_idx:
                cr[:, p_idx[r["product"]]] = draws[:, j]
            continue
        k = e_idx.get(r["element"])
        if k is None:
            continue
        if r["product"]:
            targets = [p_idx[r["product"]]] if r["product"] in p_idx else []
        else:
            targets = [p_idx[p] for p in products if routes.get(p) == r["process"]]
        for i in targets:
            re[:, i, k] = draws[:, j]
    return cr, re


def _drop_unsourced(
    system: ProductSystem, df: pd.DataFrame, table: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Remove inflows whose parameters are missing; return (kept, left-out table)."""
    na = not_applicable_recovery(system, df)
    if na:
        system = system.with_parameters(dict(na))
    whole: set[str] = set()
    pairs: set[tuple[str, str]] = set()
    for prod, g in df.groupby("product", sort=False):
        elems = list(dict.fromkeys(g["element"]))
        miss = system.missing(
            [prod], elems, needs=("lifetime", "collection_rate", "recovery_efficiency")
        )
        if (miss["parameter"] != "recovery_efficiency").any():
            whole.add(str(prod))
        for e in miss.loc[miss["parameter"] == "recovery_efficiency", "element"]:
            pairs.add((str(prod), str(e)))
    drop = df["product"].isin(whole) | pd.Series(
        [(p, e) in pairs for p, e in zip(df["product"], df["element"], strict=True)],
        index=df.index,
    )
    gone = df[drop].assign(t=lambda d: pd.to_numeric(d["value"]) * _to_t(d["unit"]))
    lost = gone.groupby(["product", "element"], as_index=False)["t"].sum()
    notes = left_out(table)
    rows = []
    for r in lost.itertuples(index=False):
        why = notes[(notes["product"] == r.product)]
        if r.product not in whole:
            route = system.routes.get(r.product, "")
            why = notes[(notes["element"] == r.element) & (notes["process"] == route)]
        rows.append(
            {
                "product": r.product,
                "element": r.element,
                "inflow_left_out_t": float(r.t),
                "parameter": "; ".join(why["parameter"]) or "missing parameter",
                "note": "; ".join(dict.fromkeys(why["note"])) or "no sourced value",
            }
        )
    return df[~drop].reset_index(drop=True), pd.DataFrame(
        rows, columns=["product", "element", "inflow_left_out_t", "parameter", "note"]
    )


def _to_t(unit: pd.Series) -> pd.Series:
    from critmin.circular.api import _MASS_T

    return unit.map(_MASS_T).astype(float)


def default_recovery(
    region: str = "World",
    *,
    scenario: str = "STEPS",
    case: str = IEA_BASE_CASE,
    years: Sequence[int] | None = range(2023, 2041),
    n_draws: int = 500,
    seed: int | None = 0,
    params: Any = None,
    inflows: Any = "iea",
    defaults: str | Path | None = None,
    demand: Any = "iea",
    demand_table: pd.DataFrame | None = None,
    progress: Progress | None = None,
) -> DefaultRecovery:
    """Secondary supply per element with P5/P50/P95 from the shipped, sourced defaults.

    Parameters
    ----------
    region : str
        Whose rates: ``World``, ``India`` or ``United States``.  With IEA inflows (World
        only) only ``World`` gives tonnes; use :meth:`DefaultRecovery.regional_yield`
        for the others, or give your own `inflows` with a region column.
    scenario, case : str
        IEA scenario and technology case (IEA inflows).
    years : sequence of int
        Window reported (default 2023-2040).
    n_draws : int
        Draws of the rate ranges (default 500).
    seed : int, optional
        Seed of the draws.
    params : path, DataFrame or dict, optional
        Your parameters; they replace any default row with the same key.
    inflows : 'iea', DataFrame or path
        As :func:`~critmin.circular.api.load_inflows`.
    defaults : path, optional
        Another defaults table (same columns as the shipped ``defaults.csv``).
    demand : 'iea', DataFrame, path or None
        Demand for the share met (as :func:`~critmin.circular.api.recovery_analysis`).
    demand_table : pandas.DataFrame, optional
        The IEA demand table (default the dataset's).
    progress : callable, optional
        ``progress(step, i, n)``.

    Returns
    -------
    DefaultRecovery

    Raises
    ------
    DefaultsFileError
        A malformed defaults table (file, row, column, fix).
    ParameterError
        Every inflow needs an unsourced parameter (nothing left to run).
    """
    from critmin.circular.api import _is_iea, load_inflows, recovery_analysis

    steps = ["defaults", "inflows", "stock model", "draws"]

    def tick(i: int) -> None:
        if progress is not None:
            progress(steps[i], i + 1, len(steps))

    reg = resolve_region(region)
    system, table = default_system(reg, params, defaults)
    tick(0)
    is_iea = _is_iea(inflows)
    if is_iea and reg != "World":
        msg = (
            f"IEA inflows are World only, so a run in tonnes for {reg} needs your own "
            f"inflows: --inflows FILE --region {reg!r} (or use region 'World' and read "
            "the regional yield table)"
        )
        raise ParameterError(msg)
    if demand_table is None and (is_iea or (isinstance(demand, str) and demand == "iea")):
        demand_table = load_iea_demand()
    df = load_inflows(inflows, scenario=scenario, case=case, region=reg, demand_table=demand_table)
    if "element" not in df.columns:
        msg = "default runs need element-mass inflows (an 'element' column); give contents and use --params"
        raise ParameterError(msg)
    kept, lost = _drop_unsourced(system, df, table)
    if kept.empty:
        msg = "every inflow needs a parameter critmin has no source for; give --params FILE"
        raise ParameterError(msg, [f"{r.product} {r.element}: {r.note}" for r in lost.itertuples()])
    tick(1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MassBalanceWarning)
        run = recovery_analysis(
            system,
            kept,
            scenario=scenario,
            case=case,
            region=reg,
            years=years,
            demand=demand,
            demand_table=demand_table,
        )
    run.config.update({"defaults": str(defaults) if defaults else "shipped", "rates_region": reg})
    if is_iea:
        from critmin.circular.inflows import resolve_case, resolve_scenario

        run.config.update(
            inflows="iea",
            scenario=resolve_scenario(scenario),
            case=resolve_case(case, demand_table),
        )
    tick(2)
    res = run.result
    rows, draws = sample_rates(table, n_draws, seed)
    cr, re = rate_arrays(
        res.system or system,
        res.products,
        res.elements,
        rows,
        draws,
        res.collection_rate,
        res.recovery_efficiency,
    )
    rec = np.einsum("tper,dp,dpe->dte", res.eol, cr, re)
    tick(3)
    return DefaultRecovery(
        run=run,
        draws_recovered=rec,
        table=table,
        left_out=lost,
        region=reg,
        config={
            "n_draws": int(n_draws),
            "seed": seed,
            "scenario": scenario,
            "defaults": defaults,
            "unsourced": left_out(table),
        },
    )
