"""Links: the scenario engine's recycling array, the recycling input rate, EU CRM SR.

All parameter values are made up for the tests (they are not data).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from critmin.circular import lifetimes as lt
from critmin.circular.links import (
    apply_recycling_rate,
    recycling_input_rate,
    secondary_supply_array,
)
from critmin.circular.products import ProductSystem
from critmin.circular.recovery import run_recovery
from critmin.errors import MethodError
from critmin.scenarios import Network
from critmin.scenarios.engine import prepare

YEARS = list(range(2020, 2031))


def system():
    """Two products, two elements, made-up values."""
    params = {
        ("collection_rate", "ev_battery_lfp"): 0.5,
        ("collection_rate", "ev_motor_magnet"): 0.8,
        ("content", "ev_battery_lfp", "Li"): (0.5, "kg/kWh"),
        ("content", "ev_battery_lfp", "Nd"): (0.0, "kg/kWh"),
        ("content", "ev_motor_magnet", "Li"): (0.0, "t/t"),
        ("content", "ev_motor_magnet", "Nd"): (0.3, "t/t"),
        ("recovery_efficiency", None, "Li", "battery_recycling"): 0.9,
        ("recovery_efficiency", None, "Nd", "battery_recycling"): 0.9,
        ("recovery_efficiency", None, "Li", "magnet_recycling"): 0.7,
        ("recovery_efficiency", None, "Nd", "magnet_recycling"): 0.7,
    }
    lts = {"ev_battery_lfp": lt.fixed(2), "ev_motor_magnet": lt.normal(4, 1)}
    return ProductSystem.default().with_parameters(params, lifetimes=lts)


def inflows(regions=("India", "US")):
    rows = []
    for k, r in enumerate(regions):
        for i, y in enumerate(YEARS):
            rows.append(
                {
                    "product": "ev_battery_lfp",
                    "region": r,
                    "year": y,
                    "value": 1000.0 * (k + 1),
                    "unit": "kWh",
                }
            )
            rows.append(
                {
                    "product": "ev_motor_magnet",
                    "region": r,
                    "year": y,
                    "value": 1.0 + i,
                    "unit": "t",
                }
            )
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def res():
    return run_recovery(system(), inflows(), strict=True)


@pytest.fixture(scope="module")
def world():
    return run_recovery(system(), inflows(("World",)), strict=True)


def test_array_shape_axes_and_totals(res):
    importers = ["USA", "DEU", "IND"]
    commodities = ["lithium", "Nd", "282520", "cobalt"]
    years = [2024, 2025, 2026]
    arr = secondary_supply_array(res, importers, commodities, years)
    assert arr.shape == (3, 3, 4) and arr.dtype == np.float64 and (arr >= 0).all()
    rec = res.recovered.sum(axis=1)  # [t, e, r]
    ti = [res.years.index(y) for y in years]
    li, nd = res.elements.index("Li"), res.elements.index("Nd")
    ind, usa = res.regions.index("India"), res.regions.index("US")
    np.testing.assert_array_equal(arr[:, 2, 0], rec[ti, li, ind])  # IND lithium
    np.testing.assert_array_equal(arr[:, 0, 1], rec[ti, nd, usa])  # USA Nd
    assert (arr[:, 1, :] == 0).all()  # DEU: no region in the result
    assert (arr[:, :, 2] == 0).all()  # HS code: never guessed
    assert (arr[:, :, 3] == 0).all()  # cobalt not modelled
    assert arr.sum() == pytest.approx(res.recovered[ti][:, :, [li, nd]].sum(), rel=1e-12)
    assert arr[:, 0, 0].sum() > 0 and arr[:, 2, 1].sum() > 0


def test_elements_and_factors_for_hs_codes(res):
    arr = secondary_supply_array(
        res,
        ["IND"],
        ["282520"],
        [2025],
        elements={"282520": "Li"},
        factors={"282520": 5.0},  # made-up t commodity per t Li
    )
    li, ind = res.elements.index("Li"), res.regions.index("India")
    expect = 5.0 * res.recovered[res.years.index(2025), :, li, ind].sum()
    assert arr[0, 0, 0] == pytest.approx(expect, rel=1e-12)


def test_world_result_needs_shares(world):
    with pytest.raises(MethodError, match="World only; pass shares"):
        secondary_supply_array(world, ["IND", "USA"], ["Li"], [2025])
    arr = secondary_supply_array(world, ["IND", "USA"], ["Li"], [2025], shares={"IND": 0.2})
    li = world.elements.index("Li")
    total = world.recovered[world.years.index(2025), :, li, 0].sum()
    assert arr[0, 0, 0] == pytest.approx(0.2 * total, rel=1e-12) and arr[0, 1, 0] == 0
    arr2 = secondary_supply_array(world, ["IND", "USA"], ["Li"], [2025], shares=[0.25, 0.75])
    assert arr2.sum() == pytest.approx(total, rel=1e-12)
    with pytest.raises(MethodError, match="sum to more than 1"):
        secondary_supply_array(world, ["IND", "USA"], ["Li"], [2025], shares=[0.7, 0.7])
    with pytest.raises(MethodError, match="not modelled"):
        secondary_supply_array(world, ["IND"], ["Li"], [2040], shares=[1.0])


def test_shares_need_a_world_region_and_not_for_own_regions(res):
    with pytest.raises(MethodError, match="split a World region"):
        secondary_supply_array(res, ["IND"], ["Li"], [2025], shares={"IND": 0.5})
    both = run_recovery(system(), inflows(("World", "India")), strict=True)
    with pytest.raises(MethodError, match="own region"):
        secondary_supply_array(both, ["IND", "USA"], ["Li"], [2025], shares={"IND": 0.5})
    arr = secondary_supply_array(both, ["IND", "USA"], ["Li"], [2025], shares={"USA": 0.5})
    li, t = both.elements.index("Li"), both.years.index(2025)
    w, i = both.regions.index("World"), both.regions.index("India")
    assert arr[0, 0, 0] == pytest.approx(both.recovered[t, :, li, i].sum(), rel=1e-12)
    assert arr[0, 1, 0] == pytest.approx(0.5 * both.recovered[t, :, li, w].sum(), rel=1e-12)


def test_the_engine_takes_the_array(res):
    trade = pd.DataFrame(
        {
            "year": 2023,
            "exporter_iso3": ["CHL", "CHL", "AUS"],
            "importer_iso3": ["IND", "USA", "IND"],
            "commodity_id": "lithium",
            "quantity_t": [100.0, 50.0, 30.0],
        }
    )
    prod = pd.DataFrame(
        {"country_iso3": ["CHL", "AUS"], "commodity_id": "lithium", "stage": "mine", "value": 1e3}
    )
    net = Network.from_frames(trade, prod)
    spec = {
        "base_year": 2023,
        "horizon": {"start": 2025, "end": 2026},
        "shocks": [{"country": "CHL", "cut": 0.5, "start_year": 2025, "duration": 1.0}],
        "draws": 2,
        "seed": 1,
    }
    years = [2025, 2026]
    arr = secondary_supply_array(res, net.countries, net.commodities, years)
    plan = prepare(spec, net, recycling=arr)
    np.testing.assert_array_equal(plan.recycling, arr)
    i = net.countries.index("IND")
    li, ind = res.elements.index("Li"), res.regions.index("India")
    np.testing.assert_array_equal(
        plan.recycling[:, i, 0],
        res.recovered[[res.years.index(y) for y in years], :, li, ind].sum(1),
    )


def test_recycling_input_rate_by_hand(res):
    demand = pd.DataFrame(
        {
            "element": ["Li", "Li", "Lithium", "Nd"],
            "region": ["India", "India", "US", "India"],
            "year": [2025, 2026, 2025, 2025],
            "value": [10.0, 0.0, 1e-6, 2.0],  # made-up demand [kt]
            "unit": "kt",
        }
    )
    rir = recycling_input_rate(res, demand).set_index(["element", "region", "year"])
    li, nd = res.elements.index("Li"), res.elements.index("Nd")
    ind, usa = res.regions.index("India"), res.regions.index("US")
    t25 = res.years.index(2025)
    rec_li = res.recovered[t25, :, li, ind].sum()
    assert rir.at[("Li", "India", 2025), "eol_rir"] == pytest.approx(rec_li / 10e3, rel=1e-12)
    rec_nd = res.recovered[t25, :, nd, ind].sum()
    assert rir.at[("Nd", "India", 2025), "eol_rir"] == pytest.approx(rec_nd / 2e3, rel=1e-12)
    assert np.isnan(rir.at[("Li", "India", 2026), "eol_rir"])  # zero demand
    assert res.recovered[t25, :, li, usa].sum() > 1e-3  # more than 1e-6 kt demand
    assert rir.at[("Li", "US", 2025), "eol_rir"] == 1.0
    assert rir.at[("Li", "US", 2025), "exceeds_demand"]
    r = rir["eol_rir"].dropna()
    assert ((r >= 0) & (r <= 1)).all()
    assert rir.at[("Li", "India", 2025), "eol_rir_reference"] == 0.0  # EU 2023: Li 0 %


def test_apply_recycling_rate_by_hand():
    comp = pd.DataFrame(
        {
            "material": ["Lithium", "Nd", "Co"],
            "stage": ["processing", "processing", "extraction"],
            "hhi_gs": [4.0, 5.0, 2.0],  # made-up components
            "hhi_eu": [2.0, np.nan, 1.0],
            "import_reliance": [1.0, np.nan, 0.5],
            "si_sr": [0.9, 1.0, 0.8],
            "eol_rir": [0.0, 0.01, 0.22],
        }
    )
    rir = pd.DataFrame(
        {"element": ["Li", "Li", "Nd"], "year": [2030, 2040, 2030], "eol_rir": [0.1, 0.3, 0.05]}
    )
    out = apply_recycling_rate(comp, rir).set_index(["element", "year"])
    assert set(out.index) == {("Li", 2030), ("Li", 2040), ("Nd", 2030)}  # Co: no rate
    li = (4.0 * 1.0 / 2 + 2.0 * (1 - 1.0 / 2)) * 0.9
    assert out.at[("Li", 2030), "supply_risk"] == pytest.approx(li * 0.9, rel=1e-12)
    assert out.at[("Li", 2040), "supply_risk"] == pytest.approx(li * 0.7, rel=1e-12)
    assert out.at[("Li", 2040), "supply_risk_static"] == pytest.approx(li, rel=1e-12)
    assert out.at[("Nd", 2030), "supply_risk"] == pytest.approx(5.0 * 0.95, rel=1e-12)
    assert out.at[("Nd", 2030), "eol_rir_static"] == 0.01
    assert out.at[("Nd", 2030), "stage"] == "processing"
    series = rir.set_index(["element", "year"])["eol_rir"]
    again = apply_recycling_rate(comp, series).set_index(["element", "year"])
    pd.testing.assert_series_equal(again["supply_risk"], out["supply_risk"])
    with pytest.raises(MethodError, match="fractions"):
        apply_recycling_rate(comp, rir.assign(eol_rir=[10.0, 30.0, 5.0]))
    with pytest.raises(MethodError, match="lacks"):
        apply_recycling_rate(comp.drop(columns="si_sr"), rir)


def test_rate_from_a_run_feeds_the_supply_risk(res):
    demand = pd.DataFrame(
        {"element": "Li", "year": YEARS, "value": 50.0, "unit": "t"}  # made-up demand
    )
    rir = recycling_input_rate(res, demand)
    comp = pd.DataFrame(
        {
            "element": ["Li"],
            "hhi_gs": [3.0],
            "hhi_eu": [np.nan],
            "import_reliance": [np.nan],
            "si_sr": [1.0],
        }
    )
    out = apply_recycling_rate(comp, rir)
    li = res.elements.index("Li")
    by_hand = np.minimum(1.0, res.recovered[:, :, li, :].sum(axis=(1, 2)) / 50.0)
    np.testing.assert_allclose(rir["eol_rir"], by_hand, rtol=1e-12)
    np.testing.assert_allclose(out["supply_risk"], 3.0 * (1 - by_hand), rtol=1e-12)
    assert out["supply_risk"].iloc[-1] < out["supply_risk"].iloc[0] == 3.0  # nothing at start
