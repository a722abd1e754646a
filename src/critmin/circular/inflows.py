"""Product inflows from IEA mineral demand by technology (World), for recovery runs.

The IEA *Critical Minerals Data Explorer* (May 2024, in the dataset as table ``demand``)
gives the demand of each mineral by clean-energy technology, in kt of the mineral, for the
base year 2023 and for 2030, 2035, 2040, 2045 and 2050 in three scenarios (STEPS, APS,
NZE) and several technology cases.  That demand is the mass of element **entering use** in
the technology's equipment in the year, so it is used as the element-mass inflow of
:func:`critmin.circular.recovery.run_recovery` (no contents needed): each IEA
(technology, mineral) series becomes the inflow of one critmin product and element.

The mapping (:func:`iea_mapping`, every row with its reason) uses the technology sheets
``4.1``-``4.6`` of the explorer, the only ones that split the magnet rare earths into Nd,
Pr, Dy and Tb and that carry the technology cases; they equal sheet ``3.1`` wherever both
give a series (tested).  Products:

=====================  ==========================  =========================================
product                IEA technology (sheet)      elements
=====================  ==========================  =========================================
``ev_battery``         Electric vehicles (4.3)     Li, Co, Ni, Mn, graphite (battery grade)
``ev_motor_magnet``    Electric vehicles (4.3)     Nd, Pr, Dy, Tb
``electric_vehicle``   Electric vehicles (4.3)     Cu
``grid_storage_battery``  Grid battery storage (4.4)  Li, Co, Ni, Mn, graphite, Cu
``wind_turbine_magnet``  Wind (4.2)                Nd, Pr, Dy, Tb
``wind_turbine``       Wind (4.2)                  Cu, Ni, Mn
``solar_pv``           Solar PV (4.1)              Cu, Ni
``electricity_network``  Electricity networks (4.5)  Cu
``hydrogen_technology``  Hydrogen technologies (4.6)  Co, Ni, Cu
=====================  ==========================  =========================================

``ev_motor_magnet``, ``grid_storage_battery`` and ``wind_turbine_magnet`` are products of
the default :class:`~critmin.circular.products.ProductSystem`; the other six are declared
by :func:`iea_product_system` (with their recycling routes, :data:`IEA_ROUTES`), because
the IEA does not split EV batteries by chemistry and gives the other technologies as
wholes.  Not mapped: minerals that are not critmin elements (silicon, vanadium, boron,
zinc, ...), and the IEA's "Other uses" and "Other low emissions power generation", which
are mixtures of many products with different lifetimes (see :func:`iea_coverage` for the
share of demand the mapping covers).

Between the IEA years the inflows are interpolated linearly (``annual=True``, rows
flagged ``interpolated``).  The stock model starts empty in 2023: products that entered
use before 2023 are not in it unless given as ``history`` (:func:`iea_inflows`), so
end-of-life flows of the first years are underestimated.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from critmin.circular.products import (
    _MASS_T,
    COLUMNS,
    DEFAULT_ROUTES,
    PARAMETER_SPECS,
    ParameterError,
    ProductSystem,
)

__all__ = [
    "IEA_BASE_CASE",
    "IEA_BASE_YEAR",
    "IEA_DEMAND_ELEMENTS",
    "IEA_PRODUCTS",
    "IEA_REGION",
    "IEA_ROUTES",
    "IEA_SCENARIOS",
    "iea_coverage",
    "iea_demand",
    "iea_inflows",
    "iea_mapping",
    "iea_parameter_template",
    "iea_product_system",
    "iea_unmapped",
    "load_iea_demand",
    "not_applicable_recovery",
    "resolve_case",
    "resolve_scenario",
]

logger = logging.getLogger(__name__)

#: Short names of the IEA scenarios → the labels in the data explorer.
IEA_SCENARIOS: dict[str, str] = {
    "STEPS": "Stated Policies scenario",
    "APS": "Announced Pledges scenario",
    "NZE": "Net Zero Emissions by 2050 scenario",
}
#: Scenario label of the 2023 rows (shared by every scenario).
IEA_BASE_YEAR = "Base year"
#: The IEA's central technology case.
IEA_BASE_CASE = "Base case"
#: The IEA demand is global.
IEA_REGION = "World"

#: Products declared for IEA inflows beyond the default system, with what they hold.
IEA_PRODUCTS: dict[str, str] = {
    "ev_battery": "EV traction batteries, all chemistries together (the IEA gives no split)",
    "electric_vehicle": "electric vehicles as wholes: copper in wiring, motor and battery",
    "wind_turbine": "wind turbines except their permanent magnets",
    "solar_pv": "solar PV installations",
    "electricity_network": "electricity networks (lines, cables, transformers)",
    "hydrogen_technology": "hydrogen technologies of the IEA explorer (sheet 4.6)",
}

#: Recycling route of each IEA product (labels; their efficiencies are user parameters).
IEA_ROUTES: dict[str, str] = {
    "ev_battery": "battery_recycling",
    "ev_motor_magnet": DEFAULT_ROUTES["ev_motor_magnet"],
    "electric_vehicle": "vehicle_recycling",
    "grid_storage_battery": DEFAULT_ROUTES["grid_storage_battery"],
    "wind_turbine_magnet": DEFAULT_ROUTES["wind_turbine_magnet"],
    "wind_turbine": "wind_turbine_recycling",
    "solar_pv": "pv_recycling",
    "electricity_network": "network_recycling",
    "hydrogen_technology": "hydrogen_equipment_recycling",
}

_EV, _GRID, _WIND = "4.3 EV", "4.4 Battery storage", "4.2 Wind"
_PV, _NET, _H2 = "4.1 Solar PV", "4.5 Electricity networks", "4.6 Hydrogen"
_TECH = {
    _EV: "Electric vehicles",
    _GRID: "Grid battery storage",
    _WIND: "Wind",
    _PV: "Solar PV",
    _NET: "Electricity networks",
    _H2: "Hydrogen technologies",
}
_BATTERY_WHY = (
    "battery material: the explorer's battery cases (smaller batteries, solid-state, "
    "silicon-rich anodes) change this series, so it is battery demand; no chemistry split, "
    "hence one product for all EV batteries"
)
_EV_REE_WHY = (
    "rare earths in EVs are in the NdFeB permanent magnets of traction motors (critmin "
    "assumption); the explorer's battery cases leave these series unchanged"
)
_EV_CU_WHY = (
    "EV copper (wiring, motor windings, battery current collectors) taken to leave use with "
    "the vehicle; part is in the battery (the 'Lower battery sizes' case lowers it)"
)
_GRID_WHY = "the whole grid battery system is one product (same lifetime)"
_WIND_REE_WHY = (
    "rare earths in wind turbines are in permanent-magnet generators; the 'Constrained rare "
    "earth elements supply' case lowers these series (and boron) together"
)
_WIND_WHY = "the rest of the turbine (cables, generator windings, steel alloys)"
_WHOLE_WHY = "one product for the technology's installed equipment"

_M = [
    (_EV, "Lithium", "ev_battery", "Li", _BATTERY_WHY),
    (_EV, "Cobalt", "ev_battery", "Co", _BATTERY_WHY),
    (_EV, "Nickel", "ev_battery", "Ni", _BATTERY_WHY),
    (_EV, "Manganese", "ev_battery", "Mn", _BATTERY_WHY),
    (_EV, "Battery-grade graphite", "ev_battery", "graphite", _BATTERY_WHY),
    (_EV, "Neodymium", "ev_motor_magnet", "Nd", _EV_REE_WHY),
    (_EV, "Praseodymium", "ev_motor_magnet", "Pr", _EV_REE_WHY),
    (_EV, "Dysprosium", "ev_motor_magnet", "Dy", _EV_REE_WHY),
    (_EV, "Terbium", "ev_motor_magnet", "Tb", _EV_REE_WHY),
    (_EV, "Copper", "electric_vehicle", "Cu", _EV_CU_WHY),
    (_GRID, "Lithium", "grid_storage_battery", "Li", _GRID_WHY),
    (_GRID, "Cobalt", "grid_storage_battery", "Co", _GRID_WHY),
    (_GRID, "Nickel", "grid_storage_battery", "Ni", _GRID_WHY),
    (_GRID, "Manganese", "grid_storage_battery", "Mn", _GRID_WHY),
    (_GRID, "Battery-grade graphite", "grid_storage_battery", "graphite", _GRID_WHY),
    (_GRID, "Copper", "grid_storage_battery", "Cu", _GRID_WHY),
    (_WIND, "Neodymium", "wind_turbine_magnet", "Nd", _WIND_REE_WHY),
    (_WIND, "Praseodymium", "wind_turbine_magnet", "Pr", _WIND_REE_WHY),
    (_WIND, "Dysprosium", "wind_turbine_magnet", "Dy", _WIND_REE_WHY),
    (_WIND, "Terbium", "wind_turbine_magnet", "Tb", _WIND_REE_WHY),
    (_WIND, "Copper", "wind_turbine", "Cu", _WIND_WHY),
    (_WIND, "Nickel", "wind_turbine", "Ni", _WIND_WHY),
    (_WIND, "Manganese", "wind_turbine", "Mn", _WIND_WHY),
    (_PV, "Copper", "solar_pv", "Cu", _WHOLE_WHY),
    (_PV, "Nickel", "solar_pv", "Ni", _WHOLE_WHY),
    (_NET, "Copper", "electricity_network", "Cu", _WHOLE_WHY),
    (_H2, "Cobalt", "hydrogen_technology", "Co", _WHOLE_WHY),
    (_H2, "Nickel", "hydrogen_technology", "Ni", _WHOLE_WHY),
    (_H2, "Copper", "hydrogen_technology", "Cu", _WHOLE_WHY),
]

#: IEA mineral names of total demand → critmin element (sheet 1 and sheet 3.2).
IEA_DEMAND_ELEMENTS: dict[str, str] = {
    "Lithium": "Li",
    "Cobalt": "Co",
    "Nickel": "Ni",
    "Manganese": "Mn",
    "Graphite (all grades: natural and synthetic)": "graphite",
    "Battery-grade graphite": "graphite",
    "Neodymium": "Nd",
    "Praseodymium": "Pr",
    "Dysprosium": "Dy",
    "Terbium": "Tb",
    "Copper": "Cu",
}
_TOTAL_SHEET = "1 Total demand for key minerals"
_CLEANTECH_SHEET = "3.2 Cleantech demand by mineral"
#: Factor converting a mass unit to kt (exactly 1 for kt).
_TO_KT = {u: f / _MASS_T["kt"] for u, f in _MASS_T.items()}
_DEMAND_COLUMNS = ("mineral", "scenario", "case", "sector_or_technology", "year", "value", "unit")


def iea_mapping() -> pd.DataFrame:
    """The mapping of IEA technology × mineral series to critmin products and elements.

    Returns
    -------
    pandas.DataFrame
        Columns ``sheet, sector_or_technology, mineral, product, element, route, rationale``;
        one row per mapped series.
    """
    rows = [
        {
            "sheet": s,
            "sector_or_technology": _TECH[s],
            "mineral": m,
            "product": p,
            "element": e,
            "route": IEA_ROUTES[p],
            "rationale": why,
        }
        for s, m, p, e, why in _M
    ]
    return pd.DataFrame(rows)


def load_iea_demand() -> pd.DataFrame:
    """Return the IEA demand table of the dataset in use (``store.table('demand')``)."""
    from critmin.store import get_store

    return get_store().table("demand")


def _check_demand(demand: pd.DataFrame | None) -> pd.DataFrame:
    d = load_iea_demand() if demand is None else demand
    lacking = [c for c in (*_DEMAND_COLUMNS, "sheet") if c not in d.columns]
    if lacking:
        msg = f"IEA demand table lacks column(s) {lacking}; expected the dataset's 'demand' table"
        raise ParameterError(msg)
    return d


def resolve_scenario(scenario: str) -> str:
    """Return the IEA label of a scenario given as STEPS/APS/NZE or (part of) its name.

    Raises
    ------
    ParameterError
        Unknown scenario (naming the known ones).
    """
    key = str(scenario).strip()
    if key.upper() in IEA_SCENARIOS:
        return IEA_SCENARIOS[key.upper()]
    hits = [v for v in IEA_SCENARIOS.values() if key.lower() and key.lower() in v.lower()]
    if len(hits) == 1:
        return hits[0]
    known = ", ".join(f"{k} ({v})" for k, v in IEA_SCENARIOS.items())
    msg = f"unknown IEA scenario {scenario!r}; use one of {known}"
    raise ParameterError(msg)


def resolve_case(case: str, demand: pd.DataFrame | None = None) -> str:
    """Return the IEA label of a technology case given as (part of) its name.

    Raises
    ------
    ParameterError
        Unknown or ambiguous case (naming the known ones).
    """
    d = _check_demand(demand)
    cases = sorted(d["case"].dropna().unique())
    key = str(case).strip().lower()
    exact = [c for c in cases if c.lower() == key]
    hits = exact or [c for c in cases if key and key in c.lower()]
    if len(hits) == 1:
        return hits[0]
    msg = f"unknown or ambiguous IEA case {case!r}; use one of {cases}"
    raise ParameterError(msg)


def iea_product_system(base: ProductSystem | None = None) -> ProductSystem:
    """A product system that also knows the IEA products (:data:`IEA_PRODUCTS`).

    Parameters
    ----------
    base : ProductSystem, optional
        Its parameters, elements, routes and age convention are kept; default the shipped
        configuration.

    Returns
    -------
    ProductSystem
        Products ``base.products`` + the IEA products; routes from :data:`IEA_ROUTES` for
        the added products.
    """
    base = base if base is not None else ProductSystem.default()
    extra = tuple(p for p in IEA_ROUTES if p not in base.products)
    if not extra:
        return base
    return ProductSystem(
        parameters=base.parameters,
        products=base.products + extra,
        elements=base.elements,
        routes={**base.routes, **{p: IEA_ROUTES[p] for p in extra}},
        inflow_at=base.inflow_at,
    )


def _case_of_sheets(d: pd.DataFrame, case: str, sheets: Iterable[str]) -> dict[str, str]:
    """The case used for each sheet: `case` where the sheet has it, else the base case."""
    out = {}
    for s in sheets:
        have = set(d.loc[d["sheet"] == s, "case"])
        out[s] = case if case in have else IEA_BASE_CASE
    if case != IEA_BASE_CASE and all(v == IEA_BASE_CASE for v in out.values()):
        msg = f"no mapped IEA technology sheet has case {case!r}"
        raise ParameterError(msg)
    return out


def _interpolate_annual(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Add linearly interpolated rows for the years between the given ones, per series.

    Given rows keep their values and columns; added rows get ``interpolated = True``, the
    series' constant columns carried forward and no ``source_row``.
    """
    parts = []
    for _, g in df.groupby(keys, sort=False, dropna=False):
        g = g.sort_values("year").set_index("year")
        yrs = np.arange(int(g.index.min()), int(g.index.max()) + 1)
        new = g.reindex(yrs)
        added = ~np.isin(yrs, g.index.to_numpy())
        new["value"] = np.where(
            added,
            np.interp(yrs, g.index.to_numpy(float), g["value"].to_numpy(float)),
            new["value"].to_numpy(float),
        )
        carry = [c for c in new.columns if c not in ("value", "source_row", "interpolated")]
        new[carry] = new[carry].ffill()
        new["interpolated"] = added
        parts.append(new.rename_axis("year").reset_index())
    return pd.concat(parts, ignore_index=True)


def _scenario_rows(
    d: pd.DataFrame, sheet: str, tech: str, minerals: Iterable[str], scenario: str, case: str
) -> pd.DataFrame:
    """Base-year + scenario rows of one sheet, technology and case."""
    sel = d[
        (d["sheet"] == sheet)
        & (d["sector_or_technology"] == tech)
        & d["mineral"].isin(list(minerals))
        & (d["case"] == case)
        & d["scenario"].isin([IEA_BASE_YEAR, scenario])
    ]
    return sel


def iea_inflows(
    scenario: str = "STEPS",
    case: str = IEA_BASE_CASE,
    *,
    demand: pd.DataFrame | None = None,
    annual: bool = True,
    elements: Iterable[str] | None = None,
    history: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Element inflows to use per product from IEA demand by technology (World) [kt/yr].

    Parameters
    ----------
    scenario : str, default 'STEPS'
        ``'STEPS'``, ``'APS'``, ``'NZE'`` or the explorer's label.
    case : str, default 'Base case'
        Technology case; sheets that do not have it use the base case (logged).
    demand : pandas.DataFrame, optional
        The IEA demand table (columns of the dataset's ``demand`` table); default the
        dataset's.
    annual : bool, default True
        Interpolate linearly between the IEA years (2023, 2030, ..., 2050); added rows have
        ``interpolated = True``.
    elements : iterable of str, optional
        Keep only these critmin elements.
    history : pandas.DataFrame, optional
        Earlier inflows ``[product, element, region, year, value, unit]`` (mass units) to
        put before the IEA years, e.g. from your own data; converted to kt.  Years must be
        before the first IEA year.

    Returns
    -------
    pandas.DataFrame
        ``product, element, region, year, value, unit`` (``unit = 'kt'``, ``region =
        'World'``) and, for tracing, ``interpolated, sheet, sector_or_technology, mineral,
        scenario, case, source_id, source_row``.

    Raises
    ------
    ParameterError
        Unknown scenario or case; a case the explorer lacks for this scenario; missing
        IEA years in a mapped series; bad history rows.
    """
    d = _check_demand(demand)
    scen = resolve_scenario(scenario)
    case_label = resolve_case(case, d)
    m = iea_mapping()
    if elements is not None:
        keep = set(elements)
        m = m[m["element"].isin(keep)]
        if m.empty:
            msg = f"no IEA series maps to elements {sorted(keep)}"
            raise ParameterError(msg)
    cases = _case_of_sheets(d, case_label, m["sheet"].unique())
    fallback = sorted(s for s, c in cases.items() if c != case_label)
    if case_label != IEA_BASE_CASE and fallback:
        logger.info("IEA case %r not in %s; their base case is used", case_label, fallback)
    frames, problems = [], []
    for (sheet, tech), g in m.groupby(["sheet", "sector_or_technology"], sort=False):
        rows = _scenario_rows(d, sheet, tech, g["mineral"], scen, cases[sheet])
        lacking = [
            mineral
            for mineral in g["mineral"]
            if (rows["mineral"] == mineral).sum() == 0
            or ((rows["mineral"] == mineral) & (rows["scenario"] == IEA_BASE_YEAR)).sum() != 1
            or ((rows["mineral"] == mineral) & (rows["scenario"] == scen)).sum() == 0
        ]
        if lacking:
            have = sorted(
                d.loc[(d["sheet"] == sheet) & (d["case"] == cases[sheet]), "scenario"].unique()
            )
            problems.append(
                f"sheet {sheet!r}, case {cases[sheet]!r}: no base-year + {scen!r} series for "
                f"{lacking}; that case has scenarios {have}"
            )
        frames.append(rows.merge(g, on=["sheet", "sector_or_technology", "mineral"]))
    if problems:
        msg = "the IEA explorer lacks series for this scenario and case"
        raise ParameterError(msg, problems)
    df = pd.concat(frames, ignore_index=True)
    bad_units = sorted(set(df["unit"]) - set(_MASS_T))
    if bad_units:
        msg = f"IEA demand units {bad_units} are not masses; expected kt"
        raise ParameterError(msg)
    df = df.assign(
        value=df["value"].astype(float) * df["unit"].map(_TO_KT),
        unit="kt",
        region=IEA_REGION,
    )
    cols = [
        "product",
        "element",
        "region",
        "year",
        "value",
        "unit",
        "sheet",
        "sector_or_technology",
        "mineral",
        "scenario",
        "case",
        "source_id",
        "source_row",
    ]
    df = df[[c for c in cols if c in df.columns]].copy()
    df["interpolated"] = False
    if annual:
        df = _interpolate_annual(df, ["product", "element", "region"])
        df.loc[df["interpolated"], "scenario"] = scen
    if history is not None:
        df = _with_history(df, history)
    df["year"] = df["year"].astype(int)
    df["source_row"] = pd.to_numeric(df["source_row"], errors="coerce").astype("Int64")
    order = {p: i for i, p in enumerate(IEA_ROUTES)}
    df = df.sort_values(
        ["product", "element", "year"], key=lambda s: s.map(order) if s.name == "product" else s
    )
    return df[[*cols[:6], "interpolated", *cols[6:]]].reset_index(drop=True)


def _with_history(df: pd.DataFrame, history: pd.DataFrame) -> pd.DataFrame:
    need = ["product", "element", "region", "year", "value", "unit"]
    lacking = [c for c in need if c not in history.columns]
    if lacking:
        msg = f"history lacks column(s) {lacking}; expected {need}"
        raise ParameterError(msg)
    h = history[need].copy()
    bad = sorted(set(h["unit"].astype(str)) - set(_MASS_T))
    if bad:
        msg = f"history units must be masses in {list(_MASS_T)}, got {bad}"
        raise ParameterError(msg)
    h["value"] = pd.to_numeric(h["value"], errors="coerce") * h["unit"].map(_TO_KT)
    h["unit"] = "kt"
    first = int(df["year"].min())
    late = h[h["year"].astype(int) >= first]
    if len(late):
        msg = f"history must end before the first IEA year {first}; it has years >= {first}"
        raise ParameterError(msg, [str(r) for r in late.head(5).to_dict("records")])
    h["interpolated"] = False
    h["scenario"] = "history (user)"
    return pd.concat([h, df], ignore_index=True)


def iea_demand(
    scenario: str = "STEPS",
    case: str = IEA_BASE_CASE,
    *,
    basis: str = "best",
    demand: pd.DataFrame | None = None,
    annual: bool = True,
) -> pd.DataFrame:
    """Demand per critmin element from the IEA explorer (World) [kt/yr], for shares.

    Parameters
    ----------
    scenario, case : str
        As :func:`iea_inflows`.  Total demand exists only for the base case; other cases
        change the technology sheets only, so with ``basis='modelled'`` the case matters.
    basis : {'best', 'total', 'cleantech', 'modelled'}
        ``'total'``: sheet 1 "Total demand" (Li, Co, Ni, Cu, graphite of all grades; the
        IEA gives no per-element total for Mn and the rare earths).  ``'cleantech'``:
        sheet 3.2 "Total clean technologies" (all ten elements; graphite battery grade).
        ``'modelled'``: the sum of the mapped inflows (:func:`iea_inflows`).  ``'best'``:
        total where the IEA gives it, else clean technologies.
    demand : pandas.DataFrame, optional
        The IEA demand table; default the dataset's.
    annual : bool, default True
        Interpolate linearly between the IEA years.

    Returns
    -------
    pandas.DataFrame
        ``element, region, year, value, unit, basis, mineral, interpolated, source_id,
        source_row`` (``unit = 'kt'``); ``basis`` says which demand each row is.
    """
    if basis not in ("best", "total", "cleantech", "modelled"):
        msg = f"basis must be 'best', 'total', 'cleantech' or 'modelled', got {basis!r}"
        raise ParameterError(msg)
    d = _check_demand(demand)
    scen = resolve_scenario(scenario)
    if basis == "modelled":
        inf = iea_inflows(scen, case, demand=d, annual=False)
        out = inf.groupby(["element", "year"], as_index=False)["value"].sum()
        out = out.assign(
            basis="modelled", mineral="", source_id=inf["source_id"].iloc[0], source_row=pd.NA
        )
    else:
        parts = []
        if basis in ("best", "total"):
            t = d[
                (d["sheet"] == _TOTAL_SHEET)
                & (d["sector_or_technology"] == "Total demand")
                & (d["case"] == IEA_BASE_CASE)
            ]
            parts.append(t.assign(basis="total"))
        if basis in ("best", "cleantech"):
            c = d[(d["sheet"] == _CLEANTECH_SHEET) & (d["case"] == IEA_BASE_CASE)]
            c = c[c["mineral"] != "Battery-grade graphite"] if basis == "best" else c
            if basis == "cleantech":
                c = c[c["mineral"] != "Graphite (all grades: natural and synthetic)"]
            parts.append(c.assign(basis="clean technologies"))
        out = pd.concat(parts, ignore_index=True)
        out = out[
            out["scenario"].isin([IEA_BASE_YEAR, scen])
            & out["mineral"].isin(list(IEA_DEMAND_ELEMENTS))
        ].copy()
        out["element"] = out["mineral"].map(IEA_DEMAND_ELEMENTS)
        if basis == "best":  # total wins where both exist
            has_total = set(out.loc[out["basis"] == "total", "element"])
            out = out[(out["basis"] == "total") | ~out["element"].isin(has_total)]
        out["value"] = out["value"].astype(float) * out["unit"].map(_TO_KT)
    out = out.assign(unit="kt", region=IEA_REGION, interpolated=False)
    cols = ["element", "region", "year", "value", "unit", "basis", "mineral", "interpolated"]
    cols += ["source_id", "source_row"]
    out = out[cols]
    if annual:
        out = _interpolate_annual(out, ["element", "region", "basis", "mineral"])[cols]
    out["year"] = out["year"].astype(int)
    out["source_row"] = pd.to_numeric(out["source_row"], errors="coerce").astype("Int64")
    return out.sort_values(["element", "year"]).reset_index(drop=True)


def iea_coverage(
    scenario: str = "STEPS", case: str = IEA_BASE_CASE, *, demand: pd.DataFrame | None = None
) -> pd.DataFrame:
    """How much of IEA demand the mapped inflows cover, per element and IEA year.

    Returns
    -------
    pandas.DataFrame
        ``element, year, modelled, cleantech, total, share_of_cleantech, share_of_total``
        [kt/yr and -]; ``total`` is NaN where the IEA gives no per-element total.
    """
    d = _check_demand(demand)
    mod = iea_demand(scenario, case, basis="modelled", demand=d, annual=False)
    cle = iea_demand(scenario, case, basis="cleantech", demand=d, annual=False)
    tot = iea_demand(scenario, case, basis="total", demand=d, annual=False)
    key = ["element", "year"]
    out = (
        mod[[*key, "value"]]
        .rename(columns={"value": "modelled"})
        .merge(cle[[*key, "value"]].rename(columns={"value": "cleantech"}), on=key, how="left")
        .merge(tot[[*key, "value"]].rename(columns={"value": "total"}), on=key, how="left")
    )
    out["share_of_cleantech"] = out["modelled"] / out["cleantech"]
    out["share_of_total"] = out["modelled"] / out["total"]
    return out


def iea_unmapped(demand: pd.DataFrame | None = None) -> pd.DataFrame:
    """IEA technology-sheet series that are not mapped, with the reason.

    Returns
    -------
    pandas.DataFrame
        ``sheet, sector_or_technology, mineral, reason``.
    """
    d = _check_demand(demand)
    m = iea_mapping()
    mapped = set(zip(m["sheet"], m["mineral"], strict=True))
    tech_sheets = d[d["sheet"].isin(_TECH)]
    rows = []
    for (sheet, tech, mineral), _ in tech_sheets.groupby(
        ["sheet", "sector_or_technology", "mineral"]
    ):
        if (sheet, mineral) in mapped:
            continue
        if str(mineral).startswith("Total"):
            reason = "a total of the sheet, not a mineral"
        else:
            reason = "not a critmin element"
        rows.append(
            {"sheet": sheet, "sector_or_technology": tech, "mineral": mineral, "reason": reason}
        )
    for tech, reason in (
        ("Other uses", "demand outside clean technologies: many products, no one lifetime"),
        (
            "Other low emissions power generation",
            "several technologies (e.g. nuclear, hydro) in one series; no one lifetime",
        ),
    ):
        for mineral in sorted(d.loc[d["sector_or_technology"] == tech, "mineral"].unique()):
            rows.append(
                {
                    "sheet": _TOTAL_SHEET,
                    "sector_or_technology": tech,
                    "mineral": mineral,
                    "reason": reason,
                }
            )
    return pd.DataFrame(rows, columns=["sheet", "sector_or_technology", "mineral", "reason"])


def iea_parameter_template(
    path: str | Path | None = None, *, elements: Iterable[str] | None = None
) -> pd.DataFrame:
    """The parameter rows an IEA-driven run needs, empty, to fill in.

    Element-mass inflows need no contents: the rows are a lifetime (``lifetime_mean`` and
    ``lifetime_std``, family in ``distribution``; or ``lifetime_shape`` +
    ``lifetime_scale`` with ``weibull``) and a collection rate per product, and a recovery
    efficiency per recycling route × element that the route receives.

    Parameters
    ----------
    path : str or Path, optional
        Also write the template there as CSV.
    elements : iterable of str, optional
        Only products and routes carrying these elements.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`~critmin.circular.products.COLUMNS`, ``value`` and ``source`` empty.
    """
    m = iea_mapping()
    if elements is not None:
        m = m[m["element"].isin(set(elements))]
    products = list(dict.fromkeys(m["product"]))
    rows: list[dict[str, object]] = []

    def add(parameter: str, product: str = "", element: str = "", process: str = "") -> None:
        rows.append(
            {
                "parameter": parameter,
                "product": product,
                "element": element,
                "process": process,
                "value": "",
                "unit": PARAMETER_SPECS[parameter].unit,
                "distribution": "",
                "source": "",
            }
        )

    for p in products:
        add("lifetime_mean", p)
        add("lifetime_std", p)
    for p in products:
        add("collection_rate", p)
    for (route, element), _ in m.groupby(["route", "element"], sort=False):
        add("recovery_efficiency", element=element, process=route)
    df = pd.DataFrame(rows, columns=list(COLUMNS))
    if path is not None:
        df.to_csv(path, index=False)
    return df


def not_applicable_recovery(
    system: ProductSystem, inflows: pd.DataFrame
) -> Mapping[tuple[str, str, str, str], tuple[float, str, str, str]]:
    """Recovery rows for (product, element) pairs with no element inflow at all.

    :func:`~critmin.circular.recovery.run_recovery` asks a recovery efficiency for every
    product × element of a run.  With element-mass inflows a product may carry no inflow
    of an element (no wind-turbine lithium); its efficiency then multiplies zero flows and
    cannot change any number.  These rows set it to 0 with the source saying so, for pairs
    the system has no value for.

    Parameters
    ----------
    system : ProductSystem
    inflows : pandas.DataFrame
        Element-level inflows (``product, element, value``).

    Returns
    -------
    dict
        ``{('recovery_efficiency', product, element, ''): (0.0, '1', '', source)}``.
    """
    if "element" not in inflows.columns:
        return {}
    flow = inflows.groupby(["product", "element"])["value"].sum()
    prods = [p for p in dict.fromkeys(inflows["product"]) if p in system.products]
    elems = [e for e in dict.fromkeys(inflows["element"]) if e in system.elements]
    out = {}
    for p in prods:
        for e in elems:
            if flow.get((p, e), 0.0) > 0:
                continue
            if system._recovery(p, e) is not None:
                continue
            src = f"not applicable: the inflows carry no {e} in {p} (value multiplies zero)"
            out[("recovery_efficiency", p, e, "")] = (0.0, "1", "", src)
    return out
