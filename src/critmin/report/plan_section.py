"""The resilience-plan section of a brief: the least risky import mix and its frontier.

:func:`plan_section` runs :func:`critmin.plan.partners` for the brief's mineral and country
(the HS6 code the country imports most of, the latest BACI year, the default objective: the
governance-weighted HHI of the EU CRM method) and states in words, with units:

* today's import mix against the least risky mix within suppliers' exportable capacity
  (HHI_WGI [0-10], GeoPolRisk import risk [-], mean unit cost [USD/t]) and the partners
  that gain [t];
* the risk-cost frontier: the least-cost mix, a midpoint and the optimum (budget [USD/t]
  and HHI_WGI).

Method: ``docs/methods/plan.md``.  Sources: the BACI rows of the planned code and year, and
the WGI Political Stability rows of the suppliers.  A country that imports none of the
mineral gets no section: the reason goes to the brief's "not in this brief" line.

Examples
--------
>>> from critmin.report.plan_section import plan_section
>>> facts, sources = plan_section("lithium", "IND")  # doctest: +SKIP
>>> facts[0][0]  # doctest: +SKIP
'Least-risk import mix for India (critmin plan, HS 282520, 2024)'
"""

from __future__ import annotations

import logging
import math
from typing import Any

logger = logging.getLogger(__name__)

__all__ = ["add_plan_section", "plan_section"]


def _n(x: float, digits: int = 3) -> str:
    """A figure for a sentence: 3 significant digits, thousands separated."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.{digits}g}"


def plan_section(
    commodity: str, country: str
) -> tuple[list[tuple[str, str]], list[dict[str, Any]]]:
    """Facts and sources of the resilience-plan section for one mineral and country.

    Parameters
    ----------
    commodity : str
        Commodity id or name.
    country : str
        ISO3 or name of the importing country.

    Returns
    -------
    facts : list of (str, str)
        Heading and sentence of each fact (figures with units).
    sources : list of dict
        Entries of the brief's source table (dataset, title, edition, file, lines, years,
        ``what``).

    Raises
    ------
    CritminError
        No imports of the mineral, no capacity, or a bad name (the message says the fix).
    """
    import critmin
    from critmin import catalog
    from critmin.api_server._frames import source_refs
    from critmin.plan import partners

    p = partners(commodity, country)
    s = p.summary
    who = catalog.country_name(s["importer"]) if len(s["importer"]) == 3 else s["importer"]
    gain = ", ".join(
        f"{r.supplier} +{_n(r.change_t)} t" for r in p.gainers.head(5).itertuples(index=False)
    )
    mix = (
        f"For {_n(s['demand_t'])} t of HS {s['hs6']} ({s['description'][:60]}): today's suppliers "
        f"give HHI_WGI {_n(s['today_hhi_wgi'])} [0-10], import risk {_n(s['today_import_risk'])} "
        f"at {_n(s['today_unit_cost_usd_per_t'])} USD/t; the least risky mix within exportable "
        f"capacity gives HHI_WGI {_n(s['optimum_hhi_wgi'])}, import risk "
        f"{_n(s['optimum_import_risk'])} at {_n(s['optimum_unit_cost_usd_per_t'])} USD/t"
        + (f". Partners that gain: {gain}." if gain else ".")
    )
    f = p.frontier
    mid = f.iloc[len(f) // 2]
    frontier = (
        f"Least-cost mix {_n(f['budget_usd_per_t'].iloc[0])} USD/t at HHI_WGI "
        f"{_n(f['risk'].iloc[0])}; {_n(mid['budget_usd_per_t'])} USD/t buys HHI_WGI "
        f"{_n(mid['risk'])}; the least risky mix costs {_n(f['budget_usd_per_t'].iloc[-1])} USD/t "
        f"({len(f)} points; exact solution, docs/methods/plan.md)."
    )
    facts = [
        (f"Least-risk import mix for {who} (critmin plan, HS {s['hs6']}, {s['year']})", mix),
        ("Risk-cost frontier (mean unit cost vs HHI_WGI)", frontier),
    ]
    trade = critmin.trade(hs6=s["hs6"], year=int(s["year"]))
    suppliers = [c for c in p.mix["supplier"] if isinstance(c, str)]
    gov = critmin.governance(suppliers, indicator="pv") if suppliers else trade.iloc[0:0]
    if len(gov) and s.get("wgi_year"):
        gov = gov[gov["year"] == int(s["wgi_year"])]
    sources = [
        {**r, "what": "resilience plan: trade"} for r in source_refs(trade, default_dataset="baci")
    ] + [
        {**r, "what": "resilience plan: political stability"}
        for r in source_refs(gov, default_dataset="wgi")
    ]
    return facts, sources


def add_plan_section(brief: Any) -> None:
    """Add the section to a :class:`critmin.report.brief.Brief` (or its reason to ``missing``)."""
    from critmin.errors import CritminError

    try:
        facts, sources = plan_section(brief.commodity, brief.country)
    except CritminError as err:
        logger.info("no resilience-plan section: %s", err)
        brief.missing.append(f"resilience plan: {err}")
        return
    brief.facts += facts
    brief.sources += sources
