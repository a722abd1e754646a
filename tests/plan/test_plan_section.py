"""The brief's resilience-plan section: figures from the planner and the raw BACI file."""

from __future__ import annotations

import duckdb
import pytest

from critmin.plan import partners
from critmin.report.brief import Brief
from critmin.report.plan_section import add_plan_section, plan_section


@pytest.fixture(scope="module")
def li_ind():
    return plan_section("lithium", "IND"), partners("lithium", "IND")


def test_demand_is_indias_baci_imports(li_ind, shared_data):
    (facts, _), p = li_ind
    baci = shared_data / "baci_minerals"
    con = duckdb.connect()
    codes = con.execute(
        f"SELECT country_code FROM read_csv_auto('{baci / 'country_codes_V202401b.csv'}') "
        "WHERE country_iso3 = 'IND'"
    ).fetchone()[0]
    q = con.execute(
        f"SELECT sum(q) FROM read_csv_auto('{baci / 'baci_hs92_minerals_1995_2024.csv.gz'}') "
        f"WHERE t = {p.summary['year']} AND j = {codes} AND k = {p.summary['hs6']}"
    ).fetchone()[0]
    assert p.summary["demand_t"] == pytest.approx(q, rel=1e-9)
    assert f"For {q:,.0f} t of HS {p.summary['hs6']}" in facts[0][1]


def test_facts_state_the_planners_figures(li_ind):
    (facts, sources), p = li_ind
    s, f = p.summary, p.frontier
    head, mix = facts[0]
    assert "India" in head and s["hs6"] in head and str(s["year"]) in head
    assert f"HHI_WGI {s['today_hhi_wgi']:.3g}" in mix
    assert f"HHI_WGI {s['optimum_hhi_wgi']:.3g}" in mix
    assert f"{s['optimum_unit_cost_usd_per_t']:,.0f} USD/t" in mix
    top = p.gainers.iloc[0]
    assert f"{top['supplier']} +" in mix
    frontier = facts[1][1]
    assert f"Least-cost mix {f['budget_usd_per_t'].iloc[0]:,.0f} USD/t" in frontier
    assert f"costs {f['budget_usd_per_t'].iloc[-1]:,.0f} USD/t" in frontier
    whats = {x["what"] for x in sources}
    assert whats == {"resilience plan: trade", "resilience plan: political stability"}
    assert all(x["source_id"] and x["rows"] for x in sources)


def test_no_imports_goes_to_missing_with_the_reason():
    b = Brief("lithium", "NRU", "t")  # Nauru: no BACI imports of lithium compounds
    add_plan_section(b)
    assert b.facts == [] and len(b.missing) == 1
    assert b.missing[0].startswith("resilience plan: ") and "fix" in b.missing[0]
