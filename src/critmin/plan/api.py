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
    if isinstance(v, bool | np.bool_):
        return bool(v)
    if v is None or v is pd.NA or v is pd.NaT:
        return None
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
        One row per supplier with capacity: ``supplier, country, g, wgi_scaled, capacity_t,
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
    "wgi_scaled": "- (EU-scaled WGI, 0 best..10 worst governance)",
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
    # the frontier's mixes in both risk measures at once (mix_risk's formulas, vectorised)
    sh = mixes[points["point"]].to_numpy()
    points["import_risk"] = g.reindex(mixes.index).fillna(0.0).to_numpy() @ sh
    w_mix = w_eu.reindex(mixes.index).to_numpy()
    has_w = ~np.isnan(w_mix)[:, None] | (sh <= 0)
    points["hhi_wgi"] = np.where(
        has_w.all(axis=0), np.nan_to_num(w_mix)[:, None].T @ (sh * sh), np.nan
    ).ravel()
    mix = pd.DataFrame(
        {
            "supplier": cand.index,
            "g": g.to_numpy(),
            "wgi_scaled": w_eu.reindex(cand.index).to_numpy(),
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
                        "wgi_scaled": w_eu.reindex(extra.index).to_numpy(),
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
    change = mix["optimum_t"] - mix["today_t"] * (demand / d_today if d_today else 0)
    mix["change_t"] = change.where(change.abs() > 1e-6 * max(demand, 1.0), 0.0)
    mix = mix[(mix["today_t"] > 0) | (mix["optimum_t"] > 0) | (mix["capacity_t"] > 0)]
    mix = mix.sort_values(["optimum_t", "today_t", "capacity_t"], ascending=False)
    cols = [
        "supplier",
        "country",
        "g",
        "wgi_scaled",
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
        "today_hhi_wgi": mix_risk(t_pos / t_pos.sum(), w_eu, "hhi_wgi")
        if len(t_pos)
        else float("nan"),
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
        "solver": "exact KKT water-filling (critmin.plan.partners.separable_qp)"
        if objective in ("hhi_wgi", "hhi")
        else "HiGHS (scipy.optimize.linprog, method='highs')",
        "lps_solved": int(points.attrs.get("lps", 0)) + int(best.solver.get("lps", 0)),
    }
    notes.append(
        "exportable capacity = production - own apparent consumption on the BACI traded-good "
        "basis (= net exports); today's deliveries kept as a floor (docs/methods/plan.md)"
    )
    if wgi_year.notna().any() and int(wgi_year.max()) < basis.year:
        notes.append(
            f"WGI has no {basis.year} release: political stability of {int(wgi_year.max())} used"
        )
    units = {
        **_MIX_UNITS,
        "demand_t": "t",
        "today_unit_cost_usd_per_t": "USD/t (importer's BACI import value / quantity)",
    }
    if len(t_pos) < len(today_sh):
        notes.append("today's HHI_WGI leaves out suppliers without a WGI score")
    sources = [
        _inputs.trade_source(basis.year, basis.hs6),
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


# ----------------------------------------------------------------------------- stockpile


@dataclass
class StockpilePlan:
    """Result of :func:`stockpile`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per variant x commodity code: ``variant, hs6, commodity_id, stock_t,
        months, cost_musd, peak_shortfall_t, p_any_shortfall, consumption_t,
        unit_value_usd_per_t`` [t; months of apparent consumption; million USD; t/yr;
        fraction of draws; t/yr; USD/t].
    variants : pandas.DataFrame
        ``variant, computed, how``: what each variant assumes, or why it was not computed.
    summary : dict
        Preset, importer, cover, draws, years.
    notes, sources : list of str
    units : dict
    """

    table: pd.DataFrame
    variants: pd.DataFrame
    summary: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    units: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (NaN -> None)."""
        return {
            "summary": _jsonable(self.summary),
            "table": _records(self.table),
            "variants": _records(self.variants),
            "notes": list(self.notes),
            "sources": list(self.sources),
            "units": dict(self.units),
        }


_NO_RESPONSE: dict[str, Any] = {
    "spare_capacity": {"default": {"fixed": 0.0}},
    "stockpile_days": {"default": {"fixed": 0.0}},
    "demand_elasticity": {"default": {"fixed": 0.0}},
    "substitution": {"default": {"fixed": 0.0}},
    "recycling_availability": {"fixed": 1.0},
}


def _shock_codes(spec_dict: dict[str, Any]) -> list[str] | None:
    codes: list[str] = []
    for sh in spec_dict["shocks"]:
        if sh.get("commodities") == "all":
            return None
        codes.extend(sh["commodities"])
    return sorted(set(codes))


def _unit_values(year: int, codes: list[str], members: tuple[str, ...]) -> pd.Series:
    from critmin.scenarios.data import trade_frame

    tr = trade_frame(year, codes)
    tr = tr[(tr["quantity_t"] > 0) & tr["importer_iso3"].isin(members)]
    g = tr.groupby("commodity_id")[["value_kusd", "quantity_t"]].sum()
    return (1000.0 * g["value_kusd"] / g["quantity_t"]).reindex(codes)


def stockpile(
    preset: str,
    importer: str = "IND",
    *,
    cover: float = 0.95,
    draws: int | None = None,
    params: dict[str, Any] | None = None,
    spare: tuple[float, float] | None = None,
    ramp_up_years: float = 0.0,
    recycling: np.ndarray | pd.DataFrame | None = None,
    progress: ProgressFn | None = None,
) -> StockpilePlan:
    """Stockpile that covers the `cover` quantile of a scenario's shortfall for its duration.

    Parameters
    ----------
    preset : str
        Preset id (``critmin scenario list``) or a scenario file.
    importer : str
        Country (name or ISO3).
    cover : float
        Probability that the stock covers the cumulative shortfall [fraction, (0, 1)].
    draws : int, optional
        Ensemble draws (default the preset's).
    params : dict, optional
        Preset parameters (e.g. ``{"cut": 0.5}``).
    spare : (float, float), optional
        Partner response: other producers can add ``uniform(lo, hi)`` of their base-year
        production (net exports) [fraction] -- a user assumption; the presets set none.
    ramp_up_years : float
        Years until that spare output is fully available (with `spare`).
    recycling : numpy.ndarray or pandas.DataFrame, optional
        Secondary supply for the "with recycling" variant (as
        :func:`critmin.scenarios.runner.run_scenario`), e.g. from
        :func:`critmin.circular.links.secondary_supply_array`.
    progress : callable, optional
        ``progress(done, total)`` per variant.

    Returns
    -------
    StockpilePlan

    Raises
    ------
    ScenarioError, UnknownCountry, MethodError
        Unknown preset or importer, a bad cover.
    """
    from critmin import catalog
    from critmin.plan.stockpile import stockpile_size
    from critmin.scenarios.data import build_network
    from critmin.scenarios.ensemble import run_ensemble
    from critmin.scenarios.presets import resolve_group
    from critmin.scenarios.runner import resolve_source
    from critmin.scenarios.spec import load_spec

    if not (0.0 < float(cover) < 1.0):
        msg = f"cover={cover!r}; fix: give a probability in (0, 1), e.g. 0.95"
        raise MethodError(msg)
    iso = catalog.resolve_country(importer)
    spec, pre = resolve_source(preset, params)
    base = spec.to_dict()
    if draws is not None:
        base["draws"] = int(draws)
    net = build_network(spec.base_year, commodities=_shock_codes(base))
    if iso not in net.country_index:
        msg = f"{iso} has no BACI trade of the preset's codes in {net.year}; fix: choose another importer"
        raise MethodError(msg)
    j = net.country_index[iso]
    preset_resp = base.get("responses", {})
    has_spare = not load_spec(base).responses.spare_capacity.is_zero()
    variants: list[tuple[str, dict[str, Any] | None, Any, str]] = [
        ("no response", _NO_RESPONSE, None, "every response off: the stock alone covers the gap"),
    ]
    if has_spare:
        resp = {**_NO_RESPONSE, "spare_capacity": preset_resp["spare_capacity"]}
        variants.append(("partner response", resp, None, "the preset's spare capacity"))
    elif spare is not None:
        lo, hi = (float(x) for x in spare)
        resp = {
            **_NO_RESPONSE,
            "spare_capacity": {
                "default": {"uniform": [lo, hi]} if hi > lo else {"fixed": lo},
                "ramp_up_years": {"fixed": float(ramp_up_years)},
            },
        }
        variants.append(
            (
                "partner response",
                resp,
                None,
                f"user assumption: other producers add uniform({lo:g}, {hi:g}) of their net "
                f"exports, full after {ramp_up_years:g} years",
            )
        )
    else:
        variants.append(
            (
                "partner response",
                None,
                None,
                "not computed: the preset sets no spare capacity and critmin ships no figure "
                "for it; give spare=(lo, hi) (CLI --spare LO HI) as your assumption",
            )
        )
    if recycling is not None:
        variants.append(("with recycling", _NO_RESPONSE, recycling, "caller's secondary supply"))
    else:
        variants.append(
            (
                "with recycling",
                None,
                None,
                "not computed: the network is in tonnes of the traded good and critmin ships "
                "no tonnes-of-good per tonne of element factor for "
                "critmin.circular.links.secondary_supply_array; pass recycling= (Python API)",
            )
        )
    codes = list(net.commodities)
    cons = net.consumption[:, j]
    uv = _unit_values(net.year, codes, (iso,)).to_numpy(float)
    rows, vrows = [], []
    todo = [v for v in variants if v[1] is not None]
    done = 0
    for name, resp, rec, how in variants:
        vrows.append({"variant": name, "computed": resp is not None, "how": how})
        if resp is None:
            continue
        s = load_spec({**base, "responses": resp})
        res = run_ensemble(s, net, track=(iso,), resolve_group=resolve_group, recycling=rec)
        assert res.tracked is not None
        tab = stockpile_size(res.tracked[:, :, 0, :], cons, uv, cover, codes)
        tab.insert(0, "variant", name)
        tab["consumption_t"] = cons
        tab["unit_value_usd_per_t"] = uv
        rows.append(tab)
        done += 1
        if progress:
            progress(done, len(todo))
    from critmin.scenarios.data import hs_stages

    table = pd.concat(rows, ignore_index=True).rename(columns={"commodity_id": "hs6"})
    names = hs_stages().set_index("hs6")["commodity_id"]
    table.insert(2, "commodity_id", table["hs6"].map(names).to_numpy())
    notes = [
        "shortfall is the engine's gap after the responses of each variant, summed over the "
        f"horizon {spec.horizon.start}-{spec.horizon.end} [t]",
        "months are of base-year apparent consumption on the net-export basis (net imports: a "
        "lower bound where the importer also produces, so months are upper bounds)",
    ]
    if (cons <= 0).any():
        notes.append(
            f"{iso} is a net exporter of {[c for c, x in zip(codes, cons, strict=True) if x <= 0]}: "
            "months undefined"
        )
    if np.isnan(uv).any():
        notes.append("codes without BACI import values have no cost")
    summary = {
        "preset": pre.id if pre is not None else spec.name,
        "title": pre.title if pre is not None else spec.description,
        "importer": iso,
        "cover": float(cover),
        "draws": int(base["draws"]),
        "base_year": int(net.year),
        "horizon": [int(spec.horizon.start), int(spec.horizon.end)],
    }
    units = {
        "stock_t": "t of traded good",
        "months": "months of base-year apparent consumption",
        "cost_musd": "million USD at the importer's BACI unit value",
        "peak_shortfall_t": "t/yr (cover-quantile of the worst year)",
        "p_any_shortfall": "fraction of draws",
        "consumption_t": "t/yr",
        "unit_value_usd_per_t": "USD/t",
    }
    sources = [
        f"{_inputs.BACI}, {net.year}",
        f"scenario preset {summary['preset']} ({pre.source.get('file', '') if pre is not None and isinstance(pre.source, dict) else 'user spec'})",
    ]
    return StockpilePlan(
        table=table,
        variants=pd.DataFrame(vrows),
        summary=summary,
        notes=notes,
        sources=sources,
        units=units,
    )


# ----------------------------------------------------------------------------- stress


@dataclass
class StressPlan:
    """Result of :func:`stress`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per supplier (or bloc): ``supplier, kind, delivery_t, delivery_share,
        cut_p50, cut_p95, withheld_p50_t, withheld_p95_t, closed_form`` [t; fraction of
        the importer's imports; fraction of the supplier's exports; t].  ``cut_*`` is NaN
        where even a full cut stays below the threshold.
    summary : dict
        Importer, code, sector, its share, threshold, consumption [t], basis label.
    notes, sources : list of str
    units : dict
    """

    table: pd.DataFrame
    summary: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    units: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (NaN -> None)."""
        return {
            "summary": _jsonable(self.summary),
            "table": _records(self.table),
            "notes": list(self.notes),
            "sources": list(self.sources),
            "units": dict(self.units),
        }


def sector_share(sector: str | None, hs6: str) -> tuple[float | None, str]:
    """Share of a code's consumption that goes to a sector, and the label of the basis.

    The sector name goes through :func:`critmin.enduse.resolve_sector` (aliases such as
    ``batteries``, ``defense``, ``pharma``; an unknown name is an error listing the sectors),
    and its share of the code comes from the shipped element -> end use -> sector table
    spread over HS6 codes (:func:`critmin.enduse.hs6_sector_shares`).  A sector the table
    gives no numeric share for this code falls back to the code's whole consumption
    (labelled).
    """
    if sector is None:
        return None, "whole apparent consumption of the code"
    from critmin.enduse import hs6_sector_shares, resolve_sector

    name = resolve_sector(sector)
    table = hs6_sector_shares()
    rows = table[table["commodity_id"].astype(str) == hs6]
    hit = rows[rows["sector"] == name]
    if hit.empty:
        have = sorted(set(rows["sector"].astype(str)))
        listed = f" (the table has shares for {', '.join(have)})" if have else ""
        return None, (
            f"sector {name!r} has no published end-use share for HS {hs6}{listed}: the "
            "code's whole apparent consumption is used as the sector's"
        )
    share = float(hit["share"].sum())
    src = "; ".join(sorted(set(hit["basis"].astype(str))))
    return share, (
        f"sector {name!r} uses {share:.1%} of HS {hs6} ({src}); its shortfall is allocated "
        "pro rata, so its fraction equals the code's"
    )


def stress(
    commodity: str,
    importer: str = "IND",
    *,
    sector: str | None = None,
    threshold: float = 0.2,
    stage: str | None = None,
    hs6: str | None = None,
    blocs: Iterable[str] = (),
    top: int = 8,
    spare: tuple[float, float] | None = None,
    ramp_up_years: float = 0.0,
    draws: int = 200,
    tol: float = 1e-3,
    year: int | None = None,
    progress: ProgressFn | None = None,
) -> StressPlan:
    """Smallest export cut by one supplier (or bloc) that breaks the importer's threshold.

    Parameters
    ----------
    commodity, importer, stage, hs6, year
        As :func:`partners` (`importer` is one country).
    sector : str, optional
        Strategic sector (see :func:`sector_share`).
    threshold : float
        Shortfall that breaks the sector [fraction of its consumption, (0, 1]].
    blocs : iterable of str
        Groups tested as one supplier each (all members cut by the same fraction).
    top : int
        Suppliers tested, largest deliveries first.
    spare : (float, float), optional
        Other producers' spare capacity ``uniform(lo, hi)`` of their net exports (user
        assumption); without it the shortfall is deterministic and P50 = P95.
    ramp_up_years : float
        With `spare`.
    draws : int
        Ensemble draws per evaluation (1 without `spare`).
    tol : float
        Bisection bracket [fraction of exports].
    progress : callable, optional
        ``progress(done, total)`` per supplier.

    Returns
    -------
    StressPlan

    Raises
    ------
    MethodError
        Bad threshold; the importer is a net exporter (shortfall fraction undefined).
    """
    from critmin import catalog
    from critmin.plan.stress import _check_threshold, linear_cut, smallest_cut
    from critmin.scenarios.data import build_network
    from critmin.scenarios.engine import QUANTILES
    from critmin.scenarios.ensemble import run_ensemble
    from critmin.scenarios.spec import load_spec

    _check_threshold(float(threshold))
    basis = _inputs.trade_basis(commodity, importer, stage=stage, hs6=hs6, year=year)
    if basis.importer.is_group:
        msg = f"stress takes one importing country, got group {basis.importer.label}; fix: --importer IND"
        raise MethodError(msg)
    iso = basis.importer.members[0]
    net = build_network(basis.year, commodities=[basis.hs6])
    j = net.country_index[iso]
    cons = float(net.consumption[0, j])
    if cons <= 0:
        msg = (
            f"{iso} is a net exporter of {basis.hs6} in {basis.year} (apparent consumption 0 on "
            "the net-export basis): a shortfall fraction is undefined; fix: choose another "
            "importer or code"
        )
        raise MethodError(msg)
    share, label = sector_share(sector, basis.hs6)
    today = basis.today_t[basis.today_t > 0].sort_values(ascending=False)
    suppliers: list[tuple[str, str, list[str]]] = [
        (s, "country", [s]) for s in today.index[: int(top)]
    ]
    for b in blocs:
        members = [
            m for m in _inputs.resolve_importer(b).members if m != iso and m in net.country_index
        ]
        suppliers.append((str(b).upper(), "bloc", members))
    qi = {0.5: QUANTILES.index(0.5), 0.95: QUANTILES.index(0.95)}
    responses = dict(_NO_RESPONSE)
    n_draws = 1
    if spare is not None:
        lo, hi = (float(x) for x in spare)
        responses["spare_capacity"] = {
            "default": {"uniform": [lo, hi]} if hi > lo else {"fixed": lo},
            "ramp_up_years": {"fixed": float(ramp_up_years)},
        }
        n_draws = int(draws)
    y = int(net.year) + 1
    rows = []
    for n_done, (name, kind, members) in enumerate(suppliers, start=1):
        cache: dict[float, np.ndarray] = {}

        def frac(
            c: float, members: list[str] = members, cache: dict[float, np.ndarray] = cache
        ) -> np.ndarray:
            if c not in cache:
                spec = load_spec(
                    {
                        "name": "plan-stress",
                        "base_year": int(net.year),
                        "horizon": {"start": y, "end": y},
                        "shocks": [
                            {
                                "country": m,
                                "commodities": [basis.hs6],
                                "cut": {"fixed": float(c)},
                                "start_year": y,
                                "duration": 1,
                            }
                            for m in members
                        ],
                        "responses": responses,
                        "draws": n_draws,
                        "seed": 2026,
                    }
                )
                res = run_ensemble(spec, net)
                cache[c] = res.shortfall_q[:, 0, j, 0] / cons
            return cache[c]

        delivery = (
            float(net.flows[0][[net.country_index[m] for m in members], j].sum())
            if members
            else 0.0
        )
        out = {
            "supplier": name,
            "kind": kind,
            "delivery_t": delivery,
            "delivery_share": delivery / float(basis.today_t.sum()),
        }
        for q, key in ((0.5, "p50"), (0.95, "p95")):
            if not members:
                cut = None
            else:
                cut, _ = smallest_cut(
                    lambda c, q=q: float(frac(c)[qi[q]]), float(threshold), tol=tol
                )
            out[f"cut_{key}"] = np.nan if cut is None else cut
            out[f"withheld_{key}_t"] = np.nan if cut is None else cut * delivery
        lc = linear_cut(float(threshold), delivery, cons)
        out["closed_form"] = np.nan if lc is None else lc
        rows.append(out)
        if progress:
            progress(n_done, len(suppliers))
    table = pd.DataFrame(rows)
    table.insert(
        1,
        "country",
        [
            catalog.country_name(s) if k == "country" else s
            for s, k in zip(table["supplier"], table["kind"], strict=True)
        ],
    )
    notes = [label]
    if spare is None:
        notes.append(
            "no response assumed (critmin ships no spare-capacity figure): the shortfall is the "
            "withheld delivery, P50 = P95 and the cut equals the closed form "
            "threshold x consumption / delivery; give spare=(lo, hi) for an uncertain response"
        )
    notes.append(
        "consumption is apparent consumption on the net-export basis (net imports, a lower "
        "bound where the importer also produces: cuts are then lower bounds)"
    )
    notes += basis.notes[:1]
    summary = {
        "importer": iso,
        "commodity_id": basis.commodity_id,
        "hs6": basis.hs6,
        "description": basis.description,
        "year": basis.year,
        "shock_year": y,
        "sector": sector,
        "sector_share": share,
        "basis": label,
        "threshold": float(threshold),
        "consumption_t": cons,
        "imports_t": float(basis.today_t.sum()),
        "draws": n_draws,
        "tol": tol,
    }
    units = {
        "delivery_t": "t (base-year deliveries to the importer)",
        "delivery_share": "fraction of the importer's imports",
        "cut_p50": "fraction of the supplier's exports",
        "cut_p95": "fraction of the supplier's exports",
        "withheld_p50_t": "t",
        "withheld_p95_t": "t",
        "closed_form": "fraction (no-response formula)",
    }
    sources = [
        _inputs.trade_source(basis.year, basis.hs6),
        "critmin scenario engine (docs/scenarios.md)",
    ]
    return StressPlan(table=table, summary=summary, notes=notes, sources=sources, units=units)


# ----------------------------------------------------------------------------- bloc


@dataclass
class BlocPlan:
    """Result of :func:`bloc`.

    Attributes
    ----------
    production : pandas.DataFrame
        Per stage: ``stage, year, dataset, unit, bloc_total, world_total, bloc_share,
        members_producing, top_member`` [published unit, e.g. t content; fraction].
    trade : pandas.DataFrame
        Per HS6 code: ``hs6, stage, description, consumption_t, internal_t,
        imports_outside_t, exports_outside_t, gap_t, self_sufficiency, best_partner,
        best_partner_share, best_partner_capacity_t, partners_needed, single_cover_partner,
        single_cover`` [t; fraction]: the lead supplier of the least risky external mix,
        and the partner whose capacity alone covers most of the gap (ties: lower g).
    summary : dict
    notes, sources : list of str
    units : dict
    """

    production: pd.DataFrame
    trade: pd.DataFrame
    summary: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    units: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (NaN -> None)."""
        return {
            "summary": _jsonable(self.summary),
            "production": _records(self.production),
            "trade": _records(self.trade),
            "notes": list(self.notes),
            "sources": list(self.sources),
            "units": dict(self.units),
        }


def bloc(group: str, commodity: str, *, year: int | None = None) -> BlocPlan:
    """What a bloc mines, refines and consumes, its gap per stage and the best partner.

    Parameters
    ----------
    group : str
        Group id (``'TRUST'``, ``'MSP'``, ``'QUAD'``, ``'US_FTA'``) or a country.
    commodity : str
        Commodity name.
    year : int, optional
        BACI year for trade (default latest); production uses each stage's latest year.

    Returns
    -------
    BlocPlan

    Raises
    ------
    UnknownGroup, UnknownCommodity, NoData
    """
    from critmin.assessments.concentration import bloc_supply
    from critmin.errors import NoData
    from critmin.plan.bloc import trade_gap
    from critmin.scenarios.data import build_network

    imp = _inputs.resolve_importer(group)
    codes = _inputs.candidate_codes(commodity)
    cid = str(codes["commodity_id"].iloc[0])
    notes: list[str] = []
    prod_rows = []
    for stage in ("mine", "refinery", "smelter"):
        bs = pd.DataFrame()
        for source in ("usgs", "wmd"):
            try:
                bs = bloc_supply(cid, list(imp.members), stage=stage, source=source)
            except NoData:
                continue
            if not bs.empty:
                break
        if bs.empty:
            continue
        r = bs.sort_values("year").iloc[-1]
        prod_rows.append(
            {
                "stage": stage,
                "year": int(r["year"]),
                "dataset": r["dataset"],
                "unit": r["unit"],
                "bloc_total": r["bloc_total"],
                "world_total": r["world_total"],
                "bloc_share": r["bloc_share"],
                "members_producing": r["members_producing"],
                "top_member": r["top_member"],
            }
        )
    from critmin import api as _api

    for r in prod_rows:
        obs = _api.production(cid, stage=r["stage"], year=r["year"], country=list(imp.members))
        wh = sorted(set(obs.loc[obs["flag"].fillna("").str.contains("withheld"), "country_iso3"]))
        if wh:
            r["withheld"] = ";".join(wh)
            notes.append(
                f"{r['stage']} {r['year']}: {', '.join(wh)} withheld (USGS 'W'); the bloc total "
                "counts them as 0, a lower bound"
            )
    missing = sorted({"mine", "refinery"} - {r["stage"] for r in prod_rows})
    if missing:
        notes.append(
            f"no {' or '.join(missing)} production of {cid} in USGS MCS or World Mining Data "
            "(the sources bloc_supply reads; IEA publishes some refined output)"
        )
    rows = []
    for code in codes["hs6"]:
        try:
            net = build_network(year, commodities=[code])
        except NoData:
            notes.append(f"HS {code}: no BACI quantities in the year")
            continue
        gap = trade_gap(net.flows[0], net.consumption[0], list(net.countries), list(imp.members))
        row = codes.set_index("hs6").loc[code]
        out: dict[str, Any] = {
            "hs6": code,
            "stage": row["stage"],
            "description": row["description"],
            **gap,
        }
        out["self_sufficiency"] = float(np.clip(out["self_sufficiency"], 0.0, 1.0))
        out.update(
            best_partner=None,
            best_partner_share=np.nan,
            best_partner_capacity_t=np.nan,
            partners_needed=np.nan,
            single_cover_partner=None,
            single_cover=np.nan,
        )
        if gap["gap_t"] > 0:
            try:
                p = partners(code, group, demand_t=gap["gap_t"], year=net.year, n_points=2)
                top = p.mix.sort_values("optimum_share", ascending=False).iloc[0]
                out.update(
                    best_partner=top["supplier"],
                    best_partner_share=float(top["optimum_share"]),
                    best_partner_capacity_t=float(top["capacity_t"]),
                    partners_needed=int((p.mix["optimum_share"] > 0).sum()),
                )
                cover = (p.mix["capacity_t"].clip(upper=gap["gap_t"]) / gap["gap_t"]).fillna(0.0)
                one = p.mix.assign(cover=cover).sort_values(["cover", "g"], ascending=[False, True])
                out.update(
                    single_cover_partner=one["supplier"].iloc[0],
                    single_cover=float(one["cover"].iloc[0]),
                )
            except (PlanInfeasible, NoData) as err:
                notes.append(f"HS {code}: {err}")
        rows.append(out)
    trade = pd.DataFrame(rows)
    summary = {
        "group": imp.label,
        "members": list(imp.members),
        "commodity_id": cid,
        "trade_year": int(net.year) if rows else None,
    }
    notes += [
        "production is published output (content tonnes, USGS MCS); trade, consumption and gaps "
        "are BACI traded-good tonnes: the two bases are not added",
        "consumption is apparent consumption on the net-export basis (net imports of net importers)",
        "best partner: the largest supplier of the bloc's least-risky external mix for the gap "
        "(governance-weighted HHI, critmin plan partners)",
    ]
    if "EUU" in imp.members:
        notes.append("the group lists the EU as one member; EU member states are not counted")
    units = {
        "bloc_total": "published unit (see unit)",
        "world_total": "published unit",
        "bloc_share": "fraction of world production",
        "consumption_t": "t of traded good",
        "internal_t": "t",
        "imports_outside_t": "t",
        "exports_outside_t": "t",
        "gap_t": "t (net imports from non-members)",
        "self_sufficiency": "fraction (1 - gap / consumption)",
        "best_partner_share": "fraction of the gap",
        "best_partner_capacity_t": "t",
        "single_cover": "fraction of the gap one partner's exportable capacity covers",
    }
    sources = sorted(
        {f"{r['dataset']} production ({r['stage']}, {r['year']})" for r in prod_rows}
    ) + [f"{_inputs.BACI}, {summary['trade_year']}"]
    return BlocPlan(
        production=pd.DataFrame(prod_rows),
        trade=trade,
        summary=summary,
        notes=notes,
        sources=sources,
        units=units,
    )
