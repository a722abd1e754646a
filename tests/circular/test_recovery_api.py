"""recovery_run / recovery_analysis, mass balance on every run, save/load, charts.

Parameters come from ``tests/fixtures/recovery/test_parameters.csv``: made-up values
labelled as test values in their ``source`` column (they are not data).
"""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

from critmin.circular.api import (
    RecoveryRun,
    build_system,
    list_recoveries,
    load_recovery,
    recovery_analysis,
    recovery_dir,
    recovery_run,
    save_recovery,
)
from critmin.circular.inflows import IEA_ROUTES, iea_demand, iea_inflows
from critmin.circular.products import MissingParameterError, ParameterError
from critmin.circular.recovery import (
    VARIABLES,
    MassBalanceError,
    MassBalanceWarning,
    check_mass_balance,
)
from critmin.report.recovery_charts import write_recovery_charts
from critmin.store import get_store


@pytest.fixture(scope="module")
def demand_table():
    return get_store().table("demand")


@pytest.fixture(scope="module")
def params(fixtures):
    return fixtures / "recovery" / "test_parameters.csv"


@pytest.fixture(scope="module")
def run(params, demand_table):
    return recovery_analysis(
        params,
        "iea",
        scenario="APS",
        collection=[0.25, 0.5, 1.0],
        recovery=[0.5, 1.0],
        strict=True,
        demand_table=demand_table,
    )


def test_iea_run_inflows_equal_the_iea_inflows(run, demand_table):
    res = run.result
    assert res.regions == ("World",) and res.years == tuple(range(2023, 2051))
    assert set(res.products) == set(IEA_ROUTES)
    inf = iea_inflows("APS", demand=demand_table)
    exp = inf.groupby(["element", "year"])["value"].sum() * 1e3  # kt -> t
    got = res.to_frame(by=("element", "year"), variables=("inflow",))
    got = got.set_index(["element", "year"])["value"]
    pd.testing.assert_series_equal(
        got.sort_index(), exp.sort_index(), rtol=1e-12, check_names=False
    )


def test_mass_balance_is_checked_on_every_run(run):
    assert run.violations.empty
    assert check_mass_balance(run.result, strict=True).empty


def test_a_broken_result_gives_a_table_and_raises_with_strict(run):
    broken = dataclasses.replace(run.result, recovered=run.result.recovered * 1.5)
    with pytest.warns(MassBalanceWarning):
        table = check_mass_balance(broken)
    assert len(table) > 0 and set(table["check"]) >= {"collected_split"}
    assert {"check", "product", "element", "region", "year", "residual"} <= set(table.columns)
    with pytest.raises(MassBalanceError) as err:
        RecoveryRun(result=broken).check(strict=True)
    assert len(err.value.violations) == len(table)


def test_summary_by_hand(run, demand_table):
    res = run.result
    s = run.summary().set_index("element")
    d = iea_demand("APS", demand=demand_table).set_index(["element", "year"])["value"] * 1e3
    li = res.elements.index("Li")
    rec = res.recovered[:, :, li, :].sum(axis=(1, 2))
    eol = res.eol[:, :, li, :].sum(axis=(1, 2))
    assert s.at["Li", "recovered_last"] == pytest.approx(rec[-1], rel=1e-12)
    assert s.at["Li", "eol_last"] == pytest.approx(eol[-1], rel=1e-12)
    assert s.at["Li", "share_last"] == pytest.approx(rec[-1] / d[("Li", 2050)], rel=1e-12)
    dem_cum = sum(d[("Li", y)] for y in res.years)
    assert s.at["Li", "share_cum"] == pytest.approx(rec.sum() / dem_cum, rel=1e-12)
    assert s.at["Li", "basis"] == "total" and s.at["Tb", "basis"] == "clean technologies"
    w = run.summary(range(2030, 2041)).set_index("element")
    assert w.at["Li", "recovered_cum"] == pytest.approx(rec[7:18].sum(), rel=1e-12)
    assert ((run.summary()[["share_last", "share_cum"]] >= 0).all()).all()


def test_sensitivity_is_bilinear_and_matches_the_run(run):
    sens = run.sensitivity
    full = sens[(sens["collection_rate"] == 1.0) & (sens["recovery_efficiency"] == 1.0)]
    quarter = sens[(sens["collection_rate"] == 0.25) & (sens["recovery_efficiency"] == 0.5)]
    np.testing.assert_allclose(
        quarter["secondary_supply"].to_numpy(), 0.125 * full["secondary_supply"].to_numpy()
    )
    # at c = r = 1 everything that reaches end of life is recovered
    eol = run.result.to_frame(by=("element", "region", "year"), variables=("eol",))
    np.testing.assert_allclose(full["secondary_supply"].to_numpy(), eol["value"].to_numpy())
    summ = run.sensitivity_summary()
    assert len(summ) == 10 * 3 * 2 and summ["share"].notna().all()


def test_missing_parameters_list_only_what_the_run_needs(demand_table):
    with pytest.raises(MissingParameterError) as err:
        recovery_run(None, "iea", demand_table=demand_table)
    miss = err.value.missing
    assert set(miss.loc[miss["parameter"] == "collection_rate", "product"]) == set(IEA_ROUTES)
    assert set(miss.loc[miss["parameter"] == "lifetime_mean", "product"]) == set(IEA_ROUTES)
    re = miss[miss["parameter"] == "recovery_efficiency"]
    pairs = set(zip(re["process"], re["element"], strict=True))
    assert ("battery_recycling", "Li") in pairs and ("magnet_recycling", "Nd") in pairs
    assert ("battery_recycling", "Nd") not in pairs  # no Nd in batteries: not applicable
    assert "content" not in set(miss["parameter"])  # element-mass inflows need no contents


def test_save_load_round_trip(run):
    path = save_recovery(run, "aps_test")
    assert path == recovery_dir("aps_test") and (path / "config.json").is_file()
    back = load_recovery("aps_test")
    a, b = run.result, back.result
    for f in ("years", "products", "elements", "regions", "unit"):
        assert getattr(a, f) == getattr(b, f)
    for v in (*VARIABLES, "collection_rate", "recovery_efficiency"):
        np.testing.assert_array_equal(getattr(a, v), getattr(b, v))
    pd.testing.assert_frame_equal(a.system.parameters, b.system.parameters)
    assert b.system.routes == a.system.routes and b.system.products == a.system.products
    for attr in ("demand", "sensitivity", "inflows"):
        pd.testing.assert_frame_equal(
            getattr(run, attr).reset_index(drop=True),
            getattr(back, attr),
            check_dtype=False,
        )
    assert back.config == json.loads(json.dumps(run.config))
    pd.testing.assert_frame_equal(back.summary(), run.summary())
    assert back.violations.empty
    assert list_recoveries()["name"].tolist() == ["aps_test"]
    with pytest.raises(ParameterError, match="exists"):
        save_recovery(run, "aps_test", overwrite=False)
    with pytest.raises(ParameterError, match="run name"):
        save_recovery(run, "../escape")


def test_load_checks_the_mass_balance_again(run):
    path = save_recovery(run.result, "tampered")
    long = pd.read_parquet(path / "result.parquet")
    rec = long["variable"] == "recovered"
    long.loc[rec, "value"] = long.loc[rec, "value"] * 2
    long.to_parquet(path / "result.parquet", index=False)
    with pytest.raises(MassBalanceError):
        load_recovery("tampered", strict=True)
    with pytest.warns(MassBalanceWarning):
        back = load_recovery("tampered")
    assert len(back.violations) > 0


def test_years_window_and_region(params, demand_table):
    res = recovery_run(params, years=range(2030, 2041), demand_table=demand_table)
    assert res.years[0] == 2023 and res.years[-1] == 2040  # starts at the first inflow
    with pytest.raises(ParameterError, match="World"):
        recovery_run(params, "iea", region="India", demand_table=demand_table)


def test_user_inflows_by_region(params, tmp_path):
    rows = [
        {"product": "ev_battery", "element": "Li", "region": r, "year": y, "value": v, "unit": "t"}
        for r, v in (("India", 10.0), ("US", 20.0))  # made-up test inflows
        for y in range(2020, 2031)
    ]
    path = tmp_path / "inflows.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    res = recovery_run(params, path, region="IND")
    assert res.regions == ("India",) and res.inflow.sum() == pytest.approx(110.0)
    both = recovery_analysis(params, path, region="all", demand=None)
    assert both.result.regions == ("India", "US") and both.violations.empty
    assert {"region", "recovered_last"} <= set(both.summary().columns)
    with pytest.raises(ParameterError, match="regions present"):
        recovery_run(params, path, region="Japan")


def test_config_file(params, tmp_path):
    cfg = tmp_path / "run.json"
    cfg.write_text(json.dumps({"parameters": str(params), "inflow_at": "middle"}))
    s = build_system(cfg)
    assert s.inflow_at == "middle" and s.collection_rate("ev_battery") == 0.5
    assert build_system({"parameters": str(params)}).collection_rate("wind_turbine") == 0.7


def test_charts_written(run, tmp_path):
    data = run.chart_data()
    html = write_recovery_charts(tmp_path / "r.html", **data, title="test")
    text = html.read_text(encoding="utf-8")
    assert html.stat().st_size > 1_000_000  # plotly.js embedded: works offline
    assert text.count("Plotly.newPlot") == 3 and '<script src="http' not in text
    png = write_recovery_charts(tmp_path / "r.png", **data)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
    only = write_recovery_charts(tmp_path / "s.html", data["secondary"])
    assert only.read_text(encoding="utf-8").count("Plotly.newPlot") == 1
    from critmin.errors import MethodError

    with pytest.raises(MethodError, match=".html or .png"):
        write_recovery_charts(tmp_path / "r.pdf", data["secondary"])
