"""The resilience planner on the dataset: partners, stockpile, stress test, bloc gaps.

Thin orchestration: each function reads its inputs through :mod:`critmin.plan._inputs`
(the scenario network, BACI unit values, WGI weights, groups) and hands arrays to the
pure solvers of :mod:`critmin.plan.partners`, :mod:`~critmin.plan.stockpile`,
:mod:`~critmin.plan.stress` and :mod:`~critmin.plan.bloc`.  Formulation, units and data
rules: ``docs/methods/plan.md``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from critmin.errors import MethodError
from critmin.plan import _inputs
from critmin.plan.partners import OBJECTIVES, PlanInfeasible, frontier, mix_risk, optimal_mix

__all__ = ["PartnerPlan", "partners"]

logger = logging.getLogger(__name__)


def _jsonable(v: Any) -> Any:
    if isinstance(v, float | np.floating):
        return None if not np.isfinite(v) else float(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_jsonable(x) for x in v]
    return v


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    return [_jsonable(r) for r in df.to_dict(orient="records")]


@dataclass
class PartnerPlan:
    """Result of :func:`partners`.

    Attributes
    ----------
    mix : pandas.DataFrame
        One row per supplier with capacity: ``supplier, country, g, capacity_t,
        unit_value_usd_per_t, today_t, today_share, optimum_share, optimum_t, change_t``
        [-; t; USD/t; fraction].
    frontier : pandas.DataFrame
        Risk-cost frontier, see :func:`critmin.plan.partners.frontier`.
    summary : dict
        Importer, code, year, demand [t], today's and the optimum's risk, HHI and unit cost.
    gainers : pandas.DataFrame
        Suppliers whose deliveries grow, largest first [t].
    notes : list of str
        Data rules applied (re-exporters, code choice, missing values).
    sources : list of str
        Datasets every figure comes from.
    units : dict of str to str
        Unit of every column.
    """

    mix: pd.DataFrame
    frontier: pd.DataFrame
    summary: dict[str, Any]
    gainers: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    units: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (NaN -> None)."""
        return {
            "summary": _jsonable(self.summary),
            "mix": _records(self.mix),
            "frontier": _records(self.frontier),
            "gainers": _records(self.gainers),
            "notes": list(self.notes),
            "sources": list(self.sources),
            "units": dict(self.units),
        }


_MIX_UNITS = {
    "g": "- (GeoPolRisk political-stability weight, 0 stable..1 unstable)",
    "capacity_t": "t of traded good",
    "unit_value_usd_per_t": "USD/t (BACI FOB-reported export value / quantity)",
    "today_t": "t",
    "today_share": "fraction",
    "optimum_share": "fraction",
    "optimum_t": "t",
    "change_t": "t",
    "budget_usd_per_t": "USD/t",
    "unit_cost_usd_per_t": "USD/t",
    "risk": "- (objective)",
    "import_risk": "- (sum g_i s_i)",
    "hhi": "- (import-mix HHI)",
    "hhi_wgi": "- (sum WGI_scaled_i s_i^2, 0-10)",
}


def partners(
    commodity: str,
    importer: str = "IND",
    *,
    stage: str | None = None,
    hs6: str | None = None,
    bloc: str | Iterable[str] | None = None,
    exclude: str | Iterable[str] | None = None,
    objective: str = "hhi_wgi",
    n_points: int = 7,
    demand_t: float | None = None,
    year: int | None = None,
) -> PartnerPlan:
    """The least risky import mix for an importer, its risk-cost frontier and the gainers.

    Parameters
    ----------
    commodity : str
        Commodity name or HS6 code (e.g. ``'lithium'``, ``'282520'``).
    importer : str
        Country (name or ISO3) or group id (``'MSP'``, ``'TRUST'``: members' imports from
        non-members).
    stage : {'mine', 'refinery', 'ore', 'refined', 'smelter'}, optional
        Restrict to the commodity's ore or refined codes.
    hs6 : str, optional
        Plan this code (default: the code of the commodity/stage the importer imports most).
    bloc : str or iterable of str, optional
        Source only from these countries/groups (e.g. ``'MSP'``).
    exclude : str or iterable of str, optional
        Never source from these countries/groups (e.g. ``'CHN'``).
    objective : {'hhi_wgi', 'import_risk', 'hhi'}
        Risk measure (:mod:`critmin.plan.partners`): governance-weighted HHI of the EU CRM
        method (default), GeoPolRisk import risk, or plain HHI of the mix.
    n_points : int
        Frontier points (>= 5 in the CLI).
    demand_t : float, optional
        Quantity to plan [t]; default today's imports from outside suppliers.
    year : int, optional
        BACI year; default the latest.

    Returns
    -------
    PartnerPlan

    Raises
    ------
    PlanInfeasible
        The allowed suppliers cannot export the demand (the message gives the maximum and
        the fix).
    NoData, UnknownCommodity, UnknownCountry, MethodError
        Bad names or no trade.

    Examples
    --------
    >>> plan = partners("lithium", "IND", stage="refinery", bloc="MSP")  # doctest: +SKIP
    >>> plan.mix[["supplier", "today_share", "optimum_share"]]  # doctest: +SKIP
    """
    if objective not in OBJECTIVES:
        msg = f"objective={objective!r}; fix: use one of {list(OBJECTIVES)}"
        raise MethodError(msg)
    basis = _inputs.trade_basis(commodity, importer, stage=stage, hs6=hs6, year=year)
    notes = list(basis.notes)
    today = basis.today_t
    d_today = float(today.sum())
    if d_today <= 0 and demand_t is None:
        msg = (
            f"{basis.importer.label} imports no {basis.hs6} ({basis.commodity_id}) from outside "
            f"suppliers in {basis.year}; fix: give demand_t (--demand) to plan a new supply"
        )
        raise PlanInfeasible(msg)
    demand = float(demand_t) if demand_t is not None else d_today
    cand = basis.capacity_t[basis.capacity_t > 0]
    no_uv = sorted(set(cand.index) - set(basis.unit_value.dropna().index))
    if no_uv:
        notes.append(
            f"suppliers without a BACI unit value left out (no cost figure): {', '.join(no_uv)}"
        )
        cand = cand.drop(no_uv)
    allowed = None
    if bloc is not None:
        allowed = _inputs.resolve_countries([bloc] if isinstance(bloc, str) else bloc)
    excluded = _inputs.resolve_countries([exclude] if isinstance(exclude, str) else exclude)
    if excluded:
        base = set(cand.index) if allowed is None else set(allowed)
        allowed = sorted(base - set(excluded))
    g, wgi_year = _inputs.stability_weights(list(cand.index), basis.year)
    w_eu, eu_year = _inputs.eu_wgi_weights(basis.year)
    if objective == "hhi_wgi":
        lack = sorted(set(cand.index) - set(w_eu.index))
        if lack:
            notes.append(
                f"suppliers without a WGI score for the EU scaling left out: {', '.join(lack)}"
            )
            cand = cand.drop(lack)
            g = g.drop(lack)
    weights = {"import_risk": g, "hhi": g, "hhi_wgi": w_eu.reindex(cand.index)}[objective]
    cost = basis.unit_value.reindex(cand.index)
    try:
        best = optimal_mix(demand, cand, weights, cost, allowed=allowed, objective=objective)
        points, mixes = frontier(
            demand, cand, weights, cost, n_points=n_points, allowed=allowed, objective=objective
        )
    except PlanInfeasible as err:
        what = f"{basis.importer.label} {basis.hs6} ({basis.commodity_id}, {basis.year})"
        raise PlanInfeasible(f"{what}: {err}") from None
    from critmin import catalog

    all_g, _ = _inputs.stability_weights(list(today.index), basis.year)
    points["import_risk"] = [mix_risk(mixes[k], g) for k in points["point"]]
    points["hhi_wgi"] = [
        mix_risk(mixes[k], w_eu, "hhi_wgi") if set(mixes[k][mixes[k] > 0].index) <= set(w_eu.index) else np.nan
        for k in points["point"]
    ]
    mix = pd.DataFrame(
        {
            "supplier": cand.index,
            "g": g.to_numpy(),
            "capacity_t": cand.to_numpy(),
            "unit_value_usd_per_t": cost.to_numpy(),
        }
    )
    extra = today[(today > 0) & ~today.index.isin(cand.index)]
    if len(extra):
        mix = pd.concat(
            [
                mix,
                pd.DataFrame(
                    {
                        "supplier": extra.index,
                        "g": all_g.reindex(extra.index).to_numpy(),
                        "capacity_t": np.nan,
                        "unit_value_usd_per_t": np.nan,
                    }
                ),
            ],
            ignore_index=True,
        )
    mix["country"] = [catalog.country_name(c) for c in mix["supplier"]]
    mix["today_t"] = today.reindex(mix["supplier"]).fillna(0.0).to_numpy()
    mix["today_share"] = mix["today_t"] / d_today if d_today > 0 else 0.0
    mix["optimum_share"] = best.shares.reindex(mix["supplier"]).fillna(0.0).to_numpy()
    mix["optimum_t"] = mix["optimum_share"] * demand
    mix["change_t"] = mix["optimum_t"] - mix["today_t"] * (demand / d_today if d_today else 0)
    mix = mix[(mix["today_t"] > 0) | (mix["optimum_t"] > 0) | (mix["capacity_t"] > 0)]
    mix = mix.sort_values(["optimum_t", "today_t", "capacity_t"], ascending=False)
    cols = [
        "supplier",
        "country",
        "g",
        "capacity_t",
        "unit_value_usd_per_t",
        "today_t",
        "today_share",
        "optimum_share",
        "optimum_t",
        "change_t",
    ]
    mix = mix[cols].reset_index(drop=True)
    gainers = mix.loc[mix["change_t"] > 1e-6, ["supplier", "country", "change_t"]]
    today_sh = today[today > 0] / d_today if d_today > 0 else today[today > 0]
    today_uv = basis.importer_unit_value
    t_pos = today_sh[today_sh.index.isin(w_eu.index)]
    summary = {
        "importer": basis.importer.label,
        "importer_members": list(basis.importer.members),
        "commodity_id": basis.commodity_id,
        "hs6": basis.hs6,
        "stage": basis.stage,
        "description": basis.description,
        "year": basis.year,
        "objective": objective,
        "demand_t": demand,
        "today_import_risk": mix_risk(today_sh, all_g) if len(today_sh) else float("nan"),
        "today_hhi": mix_risk(today_sh, all_g, "hhi") if len(today_sh) else float("nan"),
        "today_unit_cost_usd_per_t": today_uv,
        "today_hhi_wgi": mix_risk(t_pos / t_pos.sum(), w_eu, "hhi_wgi") if len(t_pos) else float("nan"),
        "optimum_import_risk": mix_risk(best.shares, g),
        "optimum_hhi_wgi": mix_risk(best.shares, w_eu, "hhi_wgi")
        if set(best.shares[best.shares > 0].index) <= set(w_eu.index)
        else float("nan"),
        "optimum_hhi": best.hhi,
        "optimum_unit_cost_usd_per_t": best.unit_cost,
        "bloc": None if bloc is None else (bloc if isinstance(bloc, str) else list(bloc)),
        "excluded": excluded,
        "n_suppliers_allowed": int((best.shares.index.isin(allowed)).sum())
        if allowed is not None
        else len(cand),
        "wgi_year": int(wgi_year.max()) if wgi_year.notna().any() else None,
        "solver": "HiGHS (scipy.optimize.linprog, method='highs')",
        "lps_solved": int(points.attrs.get("lps", 0)) + 1,
    }
    notes.append(
        "exportable capacity = production - own apparent consumption on the BACI traded-good "
        "basis (= net exports); today's deliveries kept as a floor (docs/methods/plan.md)"
    )
    if wgi_year.notna().any() and int(wgi_year.max()) < basis.year:
        notes.append(f"WGI has no {basis.year} release: political stability of {int(wgi_year.max())} used")
    units = {**_MIX_UNITS, "demand_t": "t", "today_unit_cost_usd_per_t": "USD/t (importer's BACI import value / quantity)"}
    if len(t_pos) < len(today_sh):
        notes.append("today's HHI_WGI leaves out suppliers without a WGI score")
    sources = [
        f"{_inputs.BACI}, {basis.year}, HS6 {basis.hs6}",
        f"{_inputs.WGI}; g = clip((2.5 - PV)/5, 0, 1), ../shared/methods/03_geopolrisk.md §3.1",
        f"World Bank WGI six-indicator mean, {eu_year}, EU-scaled 0-10 (HHI_WGI, EC Guidelines "
        "doi:10.2873/769526)",
    ]
    return PartnerPlan(
        mix=mix,
        frontier=points,
        summary=summary,
        gainers=gainers.reset_index(drop=True),
        notes=notes,
        sources=sources,
        units=units,
    )


ProgressFn = Callable[[int, int], None]
