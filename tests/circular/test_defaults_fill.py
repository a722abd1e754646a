"""User parameter files over the shipped defaults: set values win, blank values never erase.

The user files here are written by the tests with made-up values (0.42, 0.33, 9.5 yr);
the defaults are the shipped, sourced ``defaults.csv``.
"""

from __future__ import annotations

import pandas as pd
import pytest

from critmin.circular.api import build_system
from critmin.circular.defaults import (
    default_parameter_rows,
    fill_from_defaults,
    regional_defaults,
    template_with_defaults,
)
from critmin.circular.inflows import iea_parameter_template
from critmin.circular.products import COLUMNS, ParameterError
from critmin.circular.uncertainty import default_system, params_over_defaults

KEY = ["parameter", "product", "element", "process"]


@pytest.fixture(scope="module")
def world():
    return regional_defaults("World")


@pytest.fixture(scope="module")
def rows(world):
    return default_parameter_rows(world).set_index(KEY)["value"]


def _value(system, parameter, product="", element="", process=""):
    return system._value(parameter, product, element, process)


def test_template_is_prefilled_with_the_sourced_defaults(tmp_path, rows):
    path = tmp_path / "params.csv"
    t = template_with_defaults(path)
    assert list(t.columns) == list(COLUMNS)
    back = pd.read_csv(path, dtype=str, keep_default_na=False)
    # the same rows an IEA run needs, each with the default's value and its citation
    assert len(back) == len(iea_parameter_template())
    for r in back.itertuples(index=False):
        key = (r.parameter, r.product, r.element, r.process)
        if key in rows.index:
            assert float(r.value) == pytest.approx(rows[key], rel=1e-6)
            assert r.source.strip()
        else:
            assert r.value == ""
    life = back[back["parameter"].str.startswith("lifetime")]
    assert (life.loc[life["value"] != "", "distribution"] == "normal").all()
    blank = template_with_defaults(tmp_path / "empty.csv", blank=True)
    assert (blank["value"] == "").all()


def test_a_blank_row_never_overrides_a_default(tmp_path, world):
    path = tmp_path / "blank.csv"
    template_with_defaults(path, blank=True)
    system, filled = params_over_defaults(path)
    ref = default_system("World")[0]
    for p in ("ev_battery", "wind_turbine_magnet", "electric_vehicle"):
        assert system.collection_rate(p) == ref.collection_rate(p)
        assert system.lifetime(p) == ref.lifetime(p)
    assert _value(system, "recovery_efficiency", "", "Co", "battery_recycling") == pytest.approx(
        0.925
    )
    assert len(filled) == len(default_parameter_rows(world))
    # the with_parameters level: blank rows change nothing at all
    base = default_system("World")[0]
    same = base.with_parameters(path)
    assert (
        same.parameters.sort_values(KEY)
        .reset_index(drop=True)
        .equals(base.parameters.sort_values(KEY).reset_index(drop=True))
    )


def test_a_user_file_overrides_exactly_the_rows_it_fills(tmp_path, world):
    t = template_with_defaults(blank=True)
    t.loc[(t["parameter"] == "collection_rate") & (t["product"] == "ev_battery"), "value"] = "0.42"
    re_co = (
        (t["parameter"] == "recovery_efficiency")
        & (t["element"] == "Co")
        & (t["process"] == "battery_recycling")
    )
    t.loc[re_co, "value"] = "0.33"
    lt = (t["product"] == "wind_turbine") & t["parameter"].str.startswith("lifetime")
    t.loc[lt & (t["parameter"] == "lifetime_mean"), "value"] = "9.5"
    t.loc[lt & (t["parameter"] == "lifetime_std"), "value"] = "1.5"
    t.loc[lt, "distribution"] = "normal"
    path = tmp_path / "mine.csv"
    t.to_csv(path, index=False)
    system, filled = params_over_defaults(path)
    ref = default_system("World")[0]
    assert system.collection_rate("ev_battery") == 0.42
    assert system.recovery_efficiency("ev_battery", "Co") == 0.33
    assert system.recovery_efficiency("grid_storage_battery", "Co") == 0.33  # same route
    assert _value(system, "lifetime_mean", "wind_turbine") == 9.5
    # every other parameter is the default's
    assert system.recovery_efficiency("ev_battery", "Ni") == ref.recovery_efficiency(
        "ev_battery", "Ni"
    )
    assert system.collection_rate("grid_storage_battery") == ref.collection_rate(
        "grid_storage_battery"
    )
    assert system.lifetime("solar_pv") == ref.lifetime("solar_pv")
    # the four rows the user set are exactly the ones not filled
    n_all = len(default_parameter_rows(world))
    assert len(filled) == n_all - 4
    got = set(map(tuple, filled[KEY].to_numpy()))
    assert ("collection_rate", "ev_battery", "", "") not in got
    assert ("lifetime_mean", "wind_turbine", "", "") not in got


def test_a_user_lifetime_of_another_family_is_kept_whole(tmp_path):
    path = tmp_path / "weibull.csv"
    pd.DataFrame(
        [
            ["lifetime_shape", "solar_pv", "", "", "3", "1", "weibull", "made-up test value"],
            ["lifetime_scale", "solar_pv", "", "", "30", "yr", "weibull", "made-up test value"],
        ],
        columns=list(COLUMNS),
    ).to_csv(path, index=False)
    system, filled = params_over_defaults(path)
    pv = filled[filled["product"] == "solar_pv"]
    assert list(pv["parameter"]) == ["collection_rate"]  # no default mean/std mixed in
    assert system._lifetime_values("solar_pv")[0] == "weibull"
    assert fill_from_defaults(build_system(path), regional_defaults("World"))[1].equals(filled)


@pytest.mark.parametrize(
    ("row", "column", "fix"),
    [
        (["collection_rate", "ev_battery", "", "", "abc", "1", "", ""], "value", "plain number"),
        (["collection_rate", "e_scooter", "", "", "0.5", "1", "", ""], "product", "use one of"),
        (
            ["recovery_efficiency", "", "Zn", "battery_recycling", "0.5", "1", "", ""],
            "element",
            "fix",
        ),
    ],
)
def test_a_bad_parameter_file_is_one_error_naming_file_row_column_and_fix(
    tmp_path, row, column, fix
):
    path = tmp_path / "bad_params.csv"
    good = ["collection_rate", "solar_pv", "", "", "0.5", "1", "", "made-up test value"]
    pd.DataFrame([good, row], columns=list(COLUMNS)).to_csv(path, index=False)
    with pytest.raises(ParameterError) as exc:
        params_over_defaults(path)
    msg = str(exc.value)
    assert len(exc.value.problems) == 1
    assert "bad_params.csv line 3" in msg and f"column {column!r}" in msg and fix in msg
