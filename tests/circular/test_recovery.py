"""Recovery runs: hand-computed flows, invariants, engines, sensitivity, share of demand, errors.

All parameter values here are made up for the tests (they are not data).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

import critmin.circular as cc
from critmin.circular import lifetimes as lt
from critmin.circular.products import MissingParameterError, ParameterError, ProductSystem
from critmin.circular.recovery import (
    VARIABLES,
    MassBalanceError,
    MassBalanceWarning,
    check_mass_balance,
    run_recovery,
    sensitivity,
    share_of_demand,
)
from critmin.circular.stock import inflow_driven
from critmin.errors import MethodError

YEARS = list(range(2020, 2030))


def make_system(collection=0.5, recovery=0.8, lifetimes=None):
    """A two-product test system (made-up numbers)."""
    params = {
        ("collection_rate", "ev_battery_lfp"): collection,
        ("collection_rate", "ev_motor_magnet"): collection,
        ("content", "ev_battery_lfp", "Li"): (0.5, "kg/kWh"),
        ("content", "ev_battery_lfp", "Nd"): (0.0, "kg/kWh"),
        ("content", "ev_motor_magnet", "Li"): (0.0, "t/t"),
        ("content", "ev_motor_magnet", "Nd"): (0.3, "t/t"),
        ("recovery_efficiency", None, "Li", "battery_recycling"): recovery,
        ("recovery_efficiency", None, "Nd", "battery_recycling"): recovery,
        ("recovery_efficiency", None, "Li", "magnet_recycling"): recovery,
        ("recovery_efficiency", None, "Nd", "magnet_recycling"): recovery,
    }
    lts = lifetimes or {"ev_battery_lfp": lt.fixed(2), "ev_motor_magnet": lt.normal(6, 2)}
    return ProductSystem.default().with_parameters(params, lifetimes=lts)


def make_inflows(years=YEARS, regions=("IND", "USA")):
    rows = []
    for k, r in enumerate(regions):
        for i, y in enumerate(years):
            rows.append(
                {"product": "ev_battery_lfp", "region": r, "year": y, "value": 10.0, "unit": "kWh"}
            )
            rows.append(
                {
                    "product": "ev_motor_magnet",
                    "region": r,
                    "year": y,
                    "value": (1 + k) * (1.0 + i),
                    "unit": "t",
                }
            )
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------- by hand
def test_fixed_two_years_by_hand():
    # 10 kWh/yr x 0.5 kg/kWh = 5 kg = 0.005 t Li per year; fixed lifetime 2:
    # stock 0.005, 0.010, 0.010 ...; EoL 0, 0, 0.005 ...; collected x0.5; recovered x0.8
    s = make_system()
    res = run_recovery(s, make_inflows(), elements=["Li"])
    i = res.products.index("ev_battery_lfp")
    li = res.elements.index("Li")
    r = res.regions.index("IND")
    np.testing.assert_allclose(res.inflow[:, i, li, r], 0.005)
    np.testing.assert_allclose(res.stock[:, i, li, r], [0.005] + [0.010] * 9)
    np.testing.assert_allclose(res.eol[:, i, li, r], [0, 0] + [0.005] * 8, atol=1e-15)
    np.testing.assert_allclose(res.collected[:, i, li, r], [0, 0] + [0.0025] * 8, atol=1e-15)
    np.testing.assert_allclose(res.recovered[:, i, li, r], [0, 0] + [0.002] * 8, atol=1e-15)
    np.testing.assert_allclose(res.losses[:, i, li, r], [0, 0] + [0.0005] * 8, atol=1e-15)
    np.testing.assert_allclose(res.uncollected[:, i, li, r], [0, 0] + [0.0025] * 8, atol=1e-15)
    assert res.unit == "t"
    sup = res.secondary_supply(by=("element", "year"))
    # two regions, magnets carry no Li
    assert sup.loc[sup["year"] == 2025, "value"].item() == pytest.approx(0.004)


def test_matches_independent_flodym_dsm_per_series():
    s = make_system()
    res = run_recovery(s, make_inflows())
    p = res.products.index("ev_motor_magnet")
    e = res.elements.index("Nd")
    for r, region in enumerate(res.regions):
        inflow = res.inflow[:, p, e, r]
        ref = inflow_driven(inflow, lt.normal(6, 2), years=res.years)
        np.testing.assert_allclose(res.stock[:, p, e, r], ref.stock, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(res.eol[:, p, e, r], ref.outflow, rtol=1e-12, atol=1e-15)
        # 0.3 t Nd per t magnet; region k has (1 + k) * (1 + i) t of magnets
        k = ["IND", "USA"].index(region)
        np.testing.assert_allclose(inflow, 0.3 * (1 + k) * np.arange(1, 11))


@pytest.mark.parametrize(
    "lifetimes",
    [
        None,
        {"ev_battery_lfp": lt.weibull(2.0, 5.0), "ev_motor_magnet": lt.lognormal(7, 3)},
        {"ev_battery_lfp": lt.normal(4, 1), "ev_motor_magnet": lt.normal(9, 3)},
    ],
)
def test_engines_agree(lifetimes):
    s = make_system(lifetimes=lifetimes)
    a = run_recovery(s, make_inflows())
    b = run_recovery(s, make_inflows(), engine="flodym")
    for v in VARIABLES:
        np.testing.assert_allclose(getattr(a, v), getattr(b, v), rtol=1e-12, atol=1e-14)


def test_middle_convention_shifts_outflows():
    s_end = make_system(
        lifetimes={"ev_battery_lfp": lt.normal(4, 1), "ev_motor_magnet": lt.normal(6, 2)}
    )
    s_mid = dataclasses.replace(s_end, inflow_at="middle")
    assert s_mid.lifetime("ev_battery_lfp").inflow_at == "middle"
    a, b = run_recovery(s_end, make_inflows()), run_recovery(s_mid, make_inflows())
    assert b.eol.sum() > a.eol.sum()  # half a year older at every year end


# ----------------------------------------------------------------------------- invariants
def test_mass_balance_and_orderings():
    res = run_recovery(
        make_system(
            lifetimes={"ev_battery_lfp": lt.weibull(1.5, 3.0), "ev_motor_magnet": lt.normal(5, 2)}
        ),
        make_inflows(),
    )
    assert check_mass_balance(res, strict=True).empty
    tol = 1e-12
    assert np.all(res.recovered <= res.collected + tol)
    assert np.all(res.collected <= res.eol + tol)
    assert np.all(res.recovered >= -tol)
    assert np.all(np.cumsum(res.eol, axis=0) <= np.cumsum(res.inflow, axis=0) + tol)
    np.testing.assert_allclose(res.eol, res.collected + res.uncollected)
    np.testing.assert_allclose(res.collected, res.recovered + res.losses)
    d_stock = np.diff(res.stock, axis=0, prepend=0.0)
    np.testing.assert_allclose(res.inflow - res.eol, d_stock, atol=1e-12)


def test_secondary_supply_linear_in_collection_times_recovery():
    inflows = make_inflows()
    base = run_recovery(make_system(collection=0.4, recovery=0.5), inflows)
    double_c = run_recovery(make_system(collection=0.8, recovery=0.5), inflows)
    double_r = run_recovery(make_system(collection=0.4, recovery=1.0), inflows)
    np.testing.assert_allclose(double_c.recovered, 2 * base.recovered, rtol=1e-12)
    np.testing.assert_allclose(double_r.recovered, 2 * base.recovered, rtol=1e-12)
    np.testing.assert_allclose(double_c.eol, base.eol)  # EoL does not depend on the rates


def test_sensitivity_grid_is_bilinear_and_matches_runs():
    s = make_system()
    grid = sensitivity(s, make_inflows(), collection=[0.0, 0.5, 1.0], recovery=[0.25, 1.0])
    assert len(grid) == 3 * 2 * 2 * 2 * len(YEARS)  # c x r x elements x regions x years
    one = grid[(grid.collection_rate == 1.0) & (grid.recovery_efficiency == 1.0)]
    for c in (0.0, 0.5, 1.0):
        for r in (0.25, 1.0):
            sub = grid[(grid.collection_rate == c) & (grid.recovery_efficiency == r)]
            np.testing.assert_allclose(
                sub.secondary_supply.to_numpy(), c * r * one.secondary_supply.to_numpy()
            )
    run = run_recovery(make_system(collection=0.5, recovery=0.25), make_inflows())
    sub = grid[(grid.collection_rate == 0.5) & (grid.recovery_efficiency == 0.25)]
    expect = run.secondary_supply()
    np.testing.assert_allclose(
        sub.secondary_supply.to_numpy(), expect["value"].to_numpy(), rtol=1e-12
    )


def test_sensitivity_needs_no_rates_unless_relative():
    s = ProductSystem.default().with_parameters(
        {("content", "ev_battery_lfp", "Li"): (0.5, "kg/kWh")},
        lifetimes={"ev_battery_lfp": lt.fixed(2)},
    )
    inflows = make_inflows()
    inflows = inflows[inflows["product"] == "ev_battery_lfp"]
    out = sensitivity(s, inflows, [0.5], [0.5], elements=["Li"], by=("year",))
    assert list(out.columns) == [
        "collection_rate",
        "recovery_efficiency",
        "year",
        "secondary_supply",
        "unit",
    ]
    assert out.loc[out.year == 2025, "secondary_supply"].item() == pytest.approx(0.25 * 2 * 0.005)
    with pytest.raises(MissingParameterError, match="collection_rate"):
        sensitivity(s, inflows, [1.0], [1.0], elements=["Li"], relative=True)


def test_sensitivity_relative():
    s = make_system(collection=0.4, recovery=0.5)
    rel = sensitivity(s, make_inflows(), [1.0, 2.0], [1.0], relative=True, by=("year",))
    run = run_recovery(s, make_inflows())
    base = run.secondary_supply(by=("year",))["value"].to_numpy()
    np.testing.assert_allclose(rel[rel.collection_rate == 1.0].secondary_supply, base)
    np.testing.assert_allclose(rel[rel.collection_rate == 2.0].secondary_supply, 2 * base)
    with pytest.raises(MethodError, match="above 1"):
        sensitivity(s, make_inflows(), [3.0], [1.0], relative=True)


@pytest.mark.parametrize(
    ("c", "r", "message"),
    [
        ([1.5], [0.5], r"rates in \[0, 1\]"),
        ([-0.1], [0.5], "finite and >= 0"),
        ([], [0.5], "at least one value"),
    ],
)
def test_sensitivity_bad_values(c, r, message):
    with pytest.raises(MethodError, match=message):
        sensitivity(make_system(), make_inflows(), c, r)


# ----------------------------------------------------------------------------- inputs
def test_element_level_inflows_need_no_content():
    # IEA-style: element demand by technology in kt; content rows stay empty
    s = ProductSystem.default().with_parameters(
        {
            ("collection_rate", "wind_turbine_magnet"): 0.5,
            ("recovery_efficiency", None, "Dy", "magnet_recycling"): 0.9,
        },
        lifetimes={"wind_turbine_magnet": lt.fixed(3)},
    )
    inflows = pd.DataFrame(
        {
            "product": "wind_turbine_magnet",
            "element": "Dy",
            "region": "World",
            "year": [2023, 2024, 2025, 2026],
            "value": 1.0,
            "unit": "kt",
        }
    )
    res = run_recovery(s, inflows)
    assert res.elements == ("Dy",)
    np.testing.assert_allclose(res.inflow[:, 0, 0, 0], 1000.0)
    np.testing.assert_allclose(res.recovered[:, 0, 0, 0], [0, 0, 0, 450.0])
    with pytest.raises(ParameterError, match="element-level inflows must be masses"):
        run_recovery(s, inflows.assign(unit="kWh"))


def test_inflow_unit_multiples_are_converted():
    s = make_system()
    kwh = make_inflows()
    gwh = kwh.copy()
    mask = gwh["product"] == "ev_battery_lfp"
    gwh.loc[mask, "value"] = gwh.loc[mask, "value"] / 1e6
    gwh.loc[mask, "unit"] = "GWh"
    a, b = run_recovery(s, kwh), run_recovery(s, gwh)
    np.testing.assert_allclose(a.stock, b.stock, rtol=1e-12)


def test_inflow_unit_must_match_content_unit():
    bad = make_inflows()
    bad.loc[bad["product"] == "ev_battery_lfp", "unit"] = "t"
    with pytest.raises(
        ParameterError, match="inflow unit 't' does not match content unit 'kg/kWh'"
    ):
        run_recovery(make_system(), bad)


def test_gaps_raise_or_fill():
    sparse = make_inflows(years=[2023, 2025, 2030], regions=("World",))
    with pytest.raises(ParameterError, match=r"missing years.*fill='linear'") as info:
        run_recovery(make_system(), sparse)
    assert "[2024, 2026, 2027, 2028, 2029]" in str(info.value)
    lin = run_recovery(make_system(), sparse, fill="linear")
    p = lin.products.index("ev_motor_magnet")
    e = lin.elements.index("Nd")
    # magnets: 1, 2, 3 t at 2023, 2025, 2030 -> 1, 1.5, 2, 2.2, 2.4, 2.6, 2.8, 3 t; x 0.3
    np.testing.assert_allclose(lin.inflow[:, p, e, 0] / 0.3, [1, 1.5, 2, 2.2, 2.4, 2.6, 2.8, 3])
    zero = run_recovery(make_system(), sparse, fill="zero")
    np.testing.assert_allclose(zero.inflow[:, p, e, 0] / 0.3, [1, 0, 2, 0, 0, 0, 0, 3])
    with pytest.raises(MethodError, match="fill must be"):
        run_recovery(make_system(), sparse, fill="cubic")


def test_years_extend_past_last_inflow():
    res = run_recovery(make_system(), make_inflows(), years=range(2015, 2036))
    assert res.years[0] == 2015 and res.years[-1] == 2035
    i = res.products.index("ev_battery_lfp")
    li = res.elements.index("Li")
    assert res.inflow[:5, i, li].sum() == 0  # before the first inflow
    assert res.stock[-1, i, li].sum() == pytest.approx(0.0)  # fixed 2 yr: all gone
    assert res.eol[15:17, i, li].sum() > 0  # last cohorts leave after the inflows stop
    with pytest.raises(ParameterError, match="outside the model years"):
        run_recovery(make_system(), make_inflows(), years=range(2022, 2030))


def test_products_missing_in_a_region_are_zero():
    inflows = make_inflows()
    inflows = inflows[~((inflows["product"] == "ev_motor_magnet") & (inflows["region"] == "USA"))]
    res = run_recovery(make_system(), inflows)
    p = res.products.index("ev_motor_magnet")
    assert res.inflow[:, p, :, res.regions.index("USA")].sum() == 0


# ----------------------------------------------------------------------------- errors
def test_run_names_every_missing_parameter():
    s = ProductSystem.default().with_parameters(lifetimes={"ev_battery_lfp": lt.fixed(2)})
    inflows = make_inflows()
    inflows = inflows[inflows["product"] == "ev_battery_lfp"]
    with pytest.raises(MissingParameterError) as info:
        run_recovery(s, inflows, elements=["Li", "Co"])
    msg = str(info.value)
    assert "5 parameter value(s) needed by this run are empty" in msg
    assert "parameter='collection_rate', product='ev_battery_lfp' [1]" in msg
    assert "parameter='content', product='ev_battery_lfp', element='Li' [kg/kWh]" in msg
    assert "parameter='content', product='ev_battery_lfp', element='Co' [kg/kWh]" in msg
    assert "parameter='recovery_efficiency', element='Li', process='battery_recycling'" in msg
    assert "element='Co', process='battery_recycling'" in msg
    assert "lifetime" not in msg.split("Missing:")[1]  # the lifetime was given


def test_run_refuses_unknown_product_and_negative_inflow():
    inflows = make_inflows()
    with pytest.raises(ParameterError, match=r"unknown product\(s\) \['tv'\]; allowed"):
        run_recovery(make_system(), pd.concat([inflows, inflows.head(1).assign(product="tv")]))
    neg = inflows.copy()
    neg.loc[0, "value"] = -5.0
    with pytest.raises(ParameterError, match=r"negative inflow value\(s\), first: -5"):
        run_recovery(make_system(), neg)
    with pytest.raises(ParameterError, match=r"unknown element 'Zn'"):
        run_recovery(make_system(), inflows, elements=["Zn"])
    with pytest.raises(MethodError, match="engine must be"):
        run_recovery(make_system(), inflows, engine="gpu")


def test_mass_balance_violation_warns_or_raises():
    res = run_recovery(make_system(), make_inflows())
    broken = dataclasses.replace(res, recovered=res.recovered * 1.1 + 1.0)
    with pytest.warns(MassBalanceWarning, match="mass balance violated"):
        table = check_mass_balance(broken)
    assert set(table["check"]) == {"collected_split", "order"}
    assert {"product", "element", "region", "year", "residual"} <= set(table.columns)
    with pytest.raises(MassBalanceError, match="worst: ") as info:
        check_mass_balance(broken, strict=True)
    assert len(info.value.violations) == len(table)
    nan = dataclasses.replace(res, stock=res.stock * np.nan)
    with pytest.raises(MassBalanceError):
        check_mass_balance(nan, strict=True)


# ----------------------------------------------------------------------------- outputs
def test_to_frame_sums_and_layout():
    res = run_recovery(make_system(), make_inflows())
    full = res.to_frame()
    assert list(full.columns) == [
        "year",
        "product",
        "element",
        "region",
        "variable",
        "value",
        "unit",
    ]
    assert len(full) == res.stock.size * len(VARIABLES)
    by_el = res.to_frame(by=("element",), variables=("stock",))
    assert by_el.set_index("element").loc["Nd", "value"] == pytest.approx(
        res.stock[:, :, res.elements.index("Nd")].sum()
    )
    with pytest.raises(MethodError, match="unknown axis/variable"):
        res.to_frame(by=("country",))


def test_share_of_demand_with_aliases_and_units():
    res = run_recovery(make_system(), make_inflows())
    demand = pd.DataFrame(
        {
            "element": ["Lithium", "Neodymium", "Cobalt"],
            "year": [2029, 2029, 2029],
            "value": [0.001, 0.002, 5.0],
            "unit": ["kt", "kt", "kt"],
        }
    )
    out = share_of_demand(res, demand)
    assert set(out["element"]) == {"Li", "Nd"}  # Co not modelled
    li = out.set_index("element").loc["Li"]
    sup = res.recovered[res.years.index(2029), :, res.elements.index("Li")].sum()
    assert li["secondary_supply"] == pytest.approx(sup)
    assert li["demand"] == pytest.approx(1.0)
    assert li["share"] == pytest.approx(sup / 1.0)
    assert li["eol_rir_reference"] == 0.0  # EU EOL-RIR of lithium, reference only
    regional = share_of_demand(res, demand.assign(region="IND"))
    assert set(regional["region"]) == {"IND"}
    with pytest.raises(ParameterError, match="demand units must be masses"):
        share_of_demand(res, demand.assign(unit="kWh"))
    with pytest.raises(ParameterError, match=r"lacks column\(s\) \['unit'\]"):
        share_of_demand(res, demand.drop(columns="unit"))
    with pytest.raises(ParameterError, match=">= 0"):
        share_of_demand(res, demand.assign(value=-1.0))


def test_share_is_nan_for_zero_demand():
    res = run_recovery(make_system(), make_inflows())
    out = share_of_demand(
        res, pd.DataFrame({"element": ["Li"], "year": [2029], "value": [0.0], "unit": ["t"]})
    )
    assert np.isnan(out["share"].item())


def test_public_api_is_explicit():
    import types

    public = {
        n
        for n in dir(cc)
        if not n.startswith("_") and not isinstance(getattr(cc, n), types.ModuleType)
    }
    assert public == {n for n in cc.__all__ if not isinstance(getattr(cc, n), types.ModuleType)}
