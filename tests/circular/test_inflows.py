"""IEA demand by technology → element inflows: sums, interpolation, cases, template.

The expectations are computed here from the dataset's IEA ``demand`` table itself (by
mineral name), independently of the mapping table in ``critmin.circular.inflows``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from critmin.circular import ELEMENTS, PRODUCTS
from critmin.circular.inflows import (
    IEA_PRODUCTS,
    IEA_ROUTES,
    iea_coverage,
    iea_demand,
    iea_inflows,
    iea_mapping,
    iea_parameter_template,
    iea_product_system,
    iea_unmapped,
    not_applicable_recovery,
    resolve_scenario,
)
from critmin.circular.products import ParameterError, ProductSystem, load_parameters
from critmin.store import get_store

# IEA mineral names of the ten critmin elements in the technology sheets (test's own list)
NAMES = {
    "Lithium": "Li",
    "Cobalt": "Co",
    "Nickel": "Ni",
    "Manganese": "Mn",
    "Battery-grade graphite": "graphite",
    "Neodymium": "Nd",
    "Praseodymium": "Pr",
    "Dysprosium": "Dy",
    "Terbium": "Tb",
    "Copper": "Cu",
}
TECH_SHEETS = (
    "4.1 Solar PV",
    "4.2 Wind",
    "4.3 EV",
    "4.4 Battery storage",
    "4.5 Electricity networks",
    "4.6 Hydrogen",
)
STEPS = "Stated Policies scenario"


@pytest.fixture(scope="module")
def demand():
    return get_store().table("demand")


@pytest.fixture(scope="module")
def steps(demand):
    return iea_inflows("STEPS", demand=demand)


def _iea_rows(demand, scenario=STEPS, case="Base case"):
    d = demand[
        demand["sheet"].isin(TECH_SHEETS)
        & demand["mineral"].isin(list(NAMES))
        & (demand["case"] == case)
        & demand["scenario"].isin(["Base year", scenario])
    ]
    return d.assign(element=d["mineral"].map(NAMES))


def test_element_inflows_equal_the_iea_rows_they_come_from(demand, steps):
    expected = _iea_rows(demand).groupby(["element", "year"])["value"].sum()
    given = steps[~steps["interpolated"]]
    got = given.groupby(["element", "year"])["value"].sum()
    assert set(got.index) == set(expected.index)
    pd.testing.assert_series_equal(got.sort_index(), expected.sort_index(), rtol=1e-12)
    assert (steps["unit"] == "kt").all() and (steps["region"] == "World").all()
    # every IEA year of every series is given, 2023 from the base year
    assert sorted(given["year"].unique()) == [2023, 2030, 2035, 2040, 2045, 2050]
    assert (given.loc[given["year"] == 2023, "scenario"] == "Base year").all()


def test_each_row_is_its_source_row(demand, steps):
    given = steps[~steps["interpolated"]]
    src = demand.set_index(["sheet", "sector_or_technology", "mineral", "scenario", "case", "year"])
    keys = given[["sheet", "sector_or_technology", "mineral", "scenario", "case", "year"]]
    vals = src.loc[pd.MultiIndex.from_frame(keys)]
    np.testing.assert_array_equal(given["value"].to_numpy(), vals["value"].to_numpy())
    np.testing.assert_array_equal(given["source_row"].to_numpy(), vals["source_row"].to_numpy())


def test_per_product_sums(demand, steps):
    d = _iea_rows(demand)
    ev = d[d["sheet"] == "4.3 EV"]
    batt = ev[ev["element"].isin(["Li", "Co", "Ni", "Mn", "graphite"])]
    got = steps[(steps["product"] == "ev_battery") & ~steps["interpolated"]]
    assert got["value"].sum() == pytest.approx(batt["value"].sum(), rel=1e-12)
    mag = ev[ev["element"].isin(["Nd", "Pr", "Dy", "Tb"])]
    got = steps[(steps["product"] == "ev_motor_magnet") & ~steps["interpolated"]]
    assert got["value"].sum() == pytest.approx(mag["value"].sum(), rel=1e-12)
    wind_ree = d[(d["sheet"] == "4.2 Wind") & d["element"].isin(["Nd", "Pr", "Dy", "Tb"])]
    got = steps[(steps["product"] == "wind_turbine_magnet") & ~steps["interpolated"]]
    assert got["value"].sum() == pytest.approx(wind_ree["value"].sum(), rel=1e-12)


def test_technology_sheets_agree_with_sheet_3_1(demand, steps):
    """The mapped 4.x series equal the explorer's sheet 3.1 where it has them."""
    s31 = demand[
        (demand["sheet"] == "3.1 Cleantech demand by tech")
        & (demand["sector_or_technology"] == "Electric vehicles")
        & (demand["mineral"] == "Lithium")
        & demand["scenario"].isin(["Base year", STEPS])
    ].set_index("year")["value"]
    ev_li = steps[(steps["product"] == "ev_battery") & (steps["element"] == "Li")]
    ev_li = ev_li[~ev_li["interpolated"]].set_index("year")["value"]
    pd.testing.assert_series_equal(ev_li.sort_index(), s31.sort_index(), check_names=False)


def test_linear_interpolation_between_iea_years(steps):
    s = steps[(steps["product"] == "ev_battery") & (steps["element"] == "Li")].set_index("year")
    assert list(s.index) == list(range(2023, 2051))
    v23, v30 = s.at[2023, "value"], s.at[2030, "value"]
    assert s.at[2024, "value"] == pytest.approx(v23 + (v30 - v23) / 7, rel=1e-12)
    assert s.loc[2024:2029, "interpolated"].all() and not s.at[2030, "interpolated"]
    assert s.loc[2024:2029, "source_row"].isna().all()
    assert (s.loc[2024:2029, "scenario"] == STEPS).all()


def test_case_applies_where_the_sheet_has_it(demand):
    base = iea_inflows("STEPS", demand=demand, annual=False)
    ree = iea_inflows("STEPS", "constrained rare earth", demand=demand, annual=False)
    wind = ree[ree["product"] == "wind_turbine_magnet"]
    assert (wind["case"] == "Constrained rare earth elements supply").all()
    assert (ree.loc[ree["product"] == "ev_battery", "case"] == "Base case").all()
    # the constrained case lowers wind Nd in 2040 (as the explorer says), EV untouched
    nd = lambda df: df[  # noqa: E731
        (df["product"] == "wind_turbine_magnet") & (df["element"] == "Nd") & (df["year"] == 2040)
    ]["value"].item()
    assert nd(ree) < nd(base)
    ev = lambda df: df[df["product"] == "ev_battery"]["value"].sum()  # noqa: E731
    assert ev(ree) == ev(base)


def test_unknown_scenario_and_missing_case_combination(demand):
    with pytest.raises(ParameterError, match="STEPS"):
        iea_inflows("BAU", demand=demand)
    with pytest.raises(ParameterError, match="that case has scenarios"):
        iea_inflows("NZE", "Lower battery sizes", demand=demand)
    assert resolve_scenario("nze") == "Net Zero Emissions by 2050 scenario"
    assert resolve_scenario("announced") == "Announced Pledges scenario"


def test_mapping_is_documented_and_consistent():
    m = iea_mapping()
    assert m["rationale"].str.len().min() > 20
    assert set(m["element"]) == set(ELEMENTS)  # all ten elements have an IEA inflow
    assert set(m["product"]) <= set(PRODUCTS) | set(IEA_PRODUCTS)
    assert not m.duplicated(["sheet", "mineral"]).any()
    assert (m["route"] == m["product"].map(IEA_ROUTES)).all()


def test_unmapped_rows_are_not_critmin_elements(demand):
    un = iea_unmapped(demand)
    tech = un[un["sheet"].isin(TECH_SHEETS)]
    assert not set(tech["mineral"]) & set(NAMES)
    assert {"Other uses", "Other low emissions power generation"} <= set(un["sector_or_technology"])


def test_coverage_never_exceeds_clean_technology_demand(demand):
    cov = iea_coverage("APS", demand=demand)
    assert len(cov) == 10 * 6
    assert (cov["share_of_cleantech"] <= 1 + 1e-5).all()
    assert (cov["share_of_total"].dropna() < 1).all()


def test_demand_bases(demand):
    best = iea_demand("STEPS", demand=demand, annual=False)
    tot = demand[
        (demand["sheet"] == "1 Total demand for key minerals")
        & (demand["sector_or_technology"] == "Total demand")
        & (demand["mineral"] == "Lithium")
        & demand["scenario"].isin(["Base year", STEPS])
    ].set_index("year")["value"]
    li = best[best["element"] == "Li"].set_index("year")
    assert (li["basis"] == "total").all()
    pd.testing.assert_series_equal(li["value"], tot.sort_index(), check_names=False)
    nd = best[best["element"] == "Nd"]
    assert (nd["basis"] == "clean technologies").all()
    cle = demand[
        (demand["sheet"] == "3.2 Cleantech demand by mineral")
        & (demand["mineral"] == "Neodymium")
        & demand["scenario"].isin(["Base year", STEPS])
    ].set_index("year")["value"]
    np.testing.assert_allclose(nd["value"].to_numpy(), cle.sort_index().to_numpy())
    assert best.groupby("element")["basis"].nunique().max() == 1
    annual = iea_demand("STEPS", demand=demand)
    assert annual.groupby("element")["year"].apply(list).map(len).eq(28).all()
    mod = iea_demand("STEPS", basis="modelled", demand=demand, annual=False)
    steps = iea_inflows("STEPS", demand=demand, annual=False)
    assert mod["value"].sum() == pytest.approx(steps["value"].sum(), rel=1e-12)


def test_history_goes_before_the_iea_years(demand):
    hist = pd.DataFrame(
        {
            "product": "ev_battery",
            "element": "Li",
            "region": "World",
            "year": [2020, 2021],
            "value": [1000.0, 2000.0],  # made-up test values [t]
            "unit": "t",
        }
    )
    df = iea_inflows("STEPS", demand=demand, history=hist)
    li = df[(df["product"] == "ev_battery") & (df["element"] == "Li")].set_index("year")
    assert li.at[2020, "value"] == 1.0 and li.at[2021, "unit"] == "kt"
    with pytest.raises(ParameterError, match="before the first IEA year"):
        iea_inflows("STEPS", demand=demand, history=hist.assign(year=[2022, 2023]))


def test_template_covers_an_iea_run_and_loads(tmp_path, fixtures, demand):
    path = tmp_path / "t.csv"
    t = iea_parameter_template(path)
    system = iea_product_system()
    loaded = load_parameters(path, products=system.products, processes=system.processes)
    assert len(loaded) == len(t) and loaded["value"].isna().all()
    assert set(t.loc[t["parameter"] == "collection_rate", "product"]) == set(IEA_ROUTES)
    # the filled test fixture (made-up values) leaves nothing missing for an IEA run
    filled = system.with_parameters(fixtures / "recovery" / "test_parameters.csv")
    inflows = iea_inflows("STEPS", demand=demand)
    filled = filled.with_parameters(dict(not_applicable_recovery(filled, inflows)))
    miss = filled.missing(
        sorted(set(inflows["product"])),
        sorted(set(inflows["element"])),
        needs=("lifetime", "collection_rate", "recovery_efficiency"),
    )
    assert miss.empty


def test_product_system_keeps_the_base():
    base = ProductSystem.default(inflow_at="middle").with_parameters(
        {("collection_rate", "ev_motor_magnet"): 0.5}  # made-up test value
    )
    s = iea_product_system(base)
    assert s.inflow_at == "middle" and s.collection_rate("ev_motor_magnet") == 0.5
    assert set(IEA_PRODUCTS) <= set(s.products) and s.routes["ev_battery"] == "battery_recycling"
    assert iea_product_system(s) is s


def test_not_applicable_only_where_no_inflow(demand):
    s = iea_product_system().with_parameters(
        {("recovery_efficiency", "ev_battery", "Nd"): 0.3}  # made-up test value
    )
    na = not_applicable_recovery(s, iea_inflows("STEPS", demand=demand))
    assert ("recovery_efficiency", "ev_battery", "Cu", "") in na
    assert ("recovery_efficiency", "ev_battery", "Nd", "") not in na  # user value kept
    assert ("recovery_efficiency", "ev_battery", "Li", "") not in na  # has inflow
    assert all(v[0] == 0.0 and v[3].startswith("not applicable") for v in na.values())


def test_coverage_table_in_the_docs_is_current(demand):
    """docs/recovery.md quotes iea_coverage('STEPS'); recompute it from the dataset."""
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "recovery.md").read_text()
    cov = iea_coverage("STEPS", demand=demand).set_index(["element", "year"])
    for e in ("Li", "Co", "Ni", "Cu"):
        cells = " / ".join(
            f"{100 * cov.at[(e, y), 'share_of_total']:.1f}" for y in (2023, 2030, 2050)
        )
        assert f"| {e} |" in doc and f"{cells} %" in doc, (e, cells)
