"""Scenario spec: parsing, distributions and validation errors (field path, value, fix)."""

from __future__ import annotations

import json
import logging

import numpy as np
import pytest

from critmin.errors import ScenarioError
from critmin.scenarios.spec import Dist, ScenarioSpec, load_spec


def base_spec(**over):
    spec = {
        "name": "test",
        "base_year": 2023,
        "horizon": {"start": 2025, "end": 2027},
        "shocks": [{"country": "CHN", "cut": 0.5, "start_year": 2025, "duration": 2}],
        "seed": 7,
    }
    spec.update(over)
    return spec


def errors_of(spec) -> tuple[str, list[dict]]:
    with pytest.raises(ScenarioError) as info:
        load_spec(spec)
    return str(info.value), info.value.errors


# ----------------------------------------------------------------------------- valid specs


def test_yaml_file_round_trip(tmp_path):
    text = """
name: china-ree
base_year: 2023
horizon: {start: 2025, end: 2029}
shocks:
  - country: chn
    commodities: ["280530", 284690]
    cut: {triangular: [0.3, 0.6, 0.9]}
    destinations: {all_except: [RUS, MSP]}
    start_year: 2025
    duration: 2
responses:
  spare_capacity:
    by_country: {AUS: {uniform: [0.0, 0.2]}}
    ramp_up_years: 2
  stockpile_days: {by_country: {JPN: 60}}
  demand_elasticity: {beta: [2, 5]}
draws: 500
seed: 42
"""
    path = tmp_path / "s.yaml"
    path.write_text(text)
    spec = load_spec(path)
    s = spec.shocks[0]
    assert s.country == "CHN"
    assert s.commodities == ["280530", "284690"]
    assert s.cut.kind == "triangular" and s.cut.params == (0.3, 0.6, 0.9)
    assert s.destinations.mode == "all_except" and s.destinations.ids == ["RUS", "MSP"]
    assert spec.responses.spare_capacity.by_country["AUS"].uniform == (0.0, 0.2)
    assert spec.responses.spare_capacity.ramp_up_years.fixed == 2.0
    assert spec.responses.stockpile_days.by_country["JPN"].fixed == 60.0
    assert spec.responses.demand_elasticity.default.beta == (2.0, 5.0)
    assert spec.years == [2025, 2026, 2027, 2028, 2029]
    # the dumped dict validates back to the same spec
    again = load_spec(spec.to_dict())
    assert again == spec
    # and through a JSON file
    jpath = tmp_path / "s.json"
    jpath.write_text(json.dumps(spec.to_dict()))
    assert load_spec(jpath) == spec


def test_defaults_are_neutral():
    spec = load_spec(base_spec())
    r = spec.responses
    assert r.spare_capacity.is_zero() and r.spare_capacity.ramp_up_years is None
    assert r.stockpile_days.is_zero()
    assert r.demand_elasticity.is_zero() and r.substitution.is_zero()
    assert r.recycling_availability.fixed == 1.0  # applies only to a caller-given array
    assert spec.shocks[0].destinations.mode == "all"
    assert spec.shocks[0].commodities == "all"


def test_destination_forms():
    for value, mode, ids in (
        ("all", "all", []),
        (["JPN", "KOR"], "only", ["JPN", "KOR"]),
        ("USA", "only", ["USA"]),
        ({"all_except": "RUS"}, "all_except", ["RUS"]),
    ):
        spec = base_spec()
        spec["shocks"][0]["destinations"] = value
        d = load_spec(spec).shocks[0].destinations
        assert (d.mode, d.ids) == (mode, ids)


@pytest.mark.parametrize(
    ("value", "support"),
    [
        (0.25, (0.25, 0.25)),
        ({"fixed": 0.3}, (0.3, 0.3)),
        ({"uniform": [0.1, 0.4]}, (0.1, 0.4)),
        ({"triangular": [0.0, 0.2, 1.0]}, (0.0, 1.0)),
        ({"beta": [2, 3]}, (0.0, 1.0)),
        ({"beta": [2, 3], "range": [10, 90]}, (10.0, 90.0)),
    ],
)
def test_distributions_sample_inside_support(value, support):
    d = Dist.model_validate(value)
    assert d.support == support
    x = d.sample(np.random.default_rng(0), 2000)
    assert x.shape == (2000,)
    assert x.min() >= support[0] and x.max() <= support[1]


def test_missing_seed_is_drawn_recorded_and_logged(caplog):
    spec = base_spec()
    del spec["seed"]
    with caplog.at_level(logging.INFO, logger="critmin.scenarios.spec"):
        a = load_spec(spec)
    b = load_spec(spec)
    assert isinstance(a.seed, int) and a.seed >= 0
    assert a.seed != b.seed  # fresh entropy each time
    assert f"seed={a.seed}" in caplog.text
    # the recorded seed is part of the spec, so the run can be repeated from its dump
    assert load_spec(a.to_dict()).seed == a.seed


# ----------------------------------------------------------------------------- errors


def test_cut_fraction_out_of_range():
    spec = base_spec()
    spec["shocks"][0]["cut"] = 1.5
    msg, errs = errors_of(spec)
    assert len(errs) == 1
    assert errs[0]["path"] == "shocks[0].cut"
    assert errs[0]["value"] == 1.5
    assert "[0, 1]" in errs[0]["problem"]
    assert "fraction" in errs[0]["fix"]
    assert "shocks[0].cut" in msg and "1.5" in msg and "Fix:" in msg


def test_distribution_reaching_out_of_range():
    spec = base_spec()
    spec["shocks"][0]["cut"] = {"uniform": [0.5, 1.2]}
    _, errs = errors_of(spec)
    assert errs[0]["path"] == "shocks[0].cut"
    assert "uniform" in errs[0]["problem"]


def test_unknown_distribution():
    spec = base_spec()
    spec["shocks"][0]["cut"] = {"normal": [0.5, 0.1]}
    msg, errs = errors_of(spec)
    assert errs[0]["path"] == "shocks[0].cut"
    assert "unknown distribution 'normal'" in errs[0]["problem"]
    for kind in ("fixed", "uniform", "triangular", "beta"):
        assert kind in errs[0]["fix"]


@pytest.mark.parametrize(
    ("value", "needle"),
    [
        ({"uniform": [0.8, 0.2]}, "reversed"),
        ({"triangular": [0.1, 0.9, 0.5]}, "order"),
        ({"beta": [0, 2]}, "> 0"),
        ({"fixed": 0.1, "uniform": [0, 1]}, "exactly one"),
        ({"uniform": [0, 1], "range": [0, 2]}, "beta"),
        (True, "not a number"),
    ],
)
def test_bad_distribution_parameters(value, needle):
    spec = base_spec()
    spec["shocks"][0]["cut"] = value
    _, errs = errors_of(spec)
    assert errs[0]["path"] == "shocks[0].cut"
    assert needle in errs[0]["problem"]


def test_negative_duration():
    spec = base_spec()
    spec["shocks"][0]["duration"] = -1
    _, errs = errors_of(spec)
    assert errs[0]["path"] == "shocks[0].duration"
    assert errs[0]["value"] == -1
    assert "> 0" in errs[0]["problem"] and "years" in errs[0]["fix"]


def test_missing_required_fields_name_the_fix():
    spec = base_spec()
    del spec["shocks"][0]["cut"]
    del spec["base_year"]
    _, errs = errors_of(spec)
    paths = {e["path"]: e for e in errs}
    assert "shocks[0].cut" in paths and "base_year" in paths
    assert "cut:" in paths["shocks[0].cut"]["fix"]
    assert "2023" in paths["base_year"]["fix"]


def test_typo_suggests_the_field():
    spec = base_spec()
    spec["shocks"][0]["duraton"] = 1
    _, errs = errors_of(spec)
    e = next(e for e in errs if e["path"] == "shocks[0].duraton")
    assert "unknown field" in e["problem"]
    assert "did you mean 'duration'" in e["fix"]


def test_every_failure_is_collected():
    spec = base_spec(draws=0)
    spec["shocks"][0].update(cut=2, duration=0, country="China")
    msg, errs = errors_of(spec)
    paths = {e["path"] for e in errs}
    assert {"shocks[0].cut", "shocks[0].duration", "shocks[0].country", "draws"} <= paths
    assert msg.startswith(f"invalid scenario spec: {len(errs)} problems")


def test_spare_capacity_needs_a_ramp_up_time():
    spec = base_spec(responses={"spare_capacity": {"by_country": {"AUS": 0.1}}})
    _, errs = errors_of(spec)
    assert errs[0]["path"] == "responses.spare_capacity.ramp_up_years"
    assert "required" in errs[0]["problem"]
    # zero spare capacity needs none
    load_spec(base_spec(responses={"spare_capacity": 0}))


@pytest.mark.parametrize(
    ("responses", "path"),
    [
        (
            {"stockpile_days": {"by_country": {"JPN": -5}}},
            "responses.stockpile_days.by_country.JPN",
        ),
        (
            {"stockpile_days": {"by_country": {"JP": 5}}},
            "responses.stockpile_days.by_country['JP']",
        ),
        ({"substitution": 1.2}, "responses.substitution.default"),
        (
            {"demand_elasticity": {"by_commodity": {"K1": -0.1}}},
            "responses.demand_elasticity.by_commodity.K1",
        ),
        ({"recycling_availability": 2}, "responses.recycling_availability"),
        (
            {"spare_capacity": {"default": -0.1, "ramp_up_years": 1}},
            "responses.spare_capacity.default",
        ),
        (
            {"spare_capacity": {"default": 0.1, "ramp_up_years": -1}},
            "responses.spare_capacity.ramp_up_years",
        ),
    ],
)
def test_response_bounds(responses, path):
    _, errs = errors_of(base_spec(responses=responses))
    assert errs[0]["path"] == path
    assert errs[0]["fix"]


def test_cross_field_checks():
    _, errs = errors_of(base_spec(horizon={"start": 2025, "end": 2024}))
    assert errs[0]["path"] == "horizon" and "end >= start" in errs[0]["fix"]
    spec = base_spec()
    spec["shocks"][0]["start_year"] = 2031
    _, errs = errors_of(spec)
    assert errs[0]["path"] == "shocks[0].start_year"
    spec = base_spec()
    spec["shocks"][0].update(start_year=2020, duration=1)
    _, errs = errors_of(spec)
    assert errs[0]["path"] == "shocks[0].duration"
    _, errs = errors_of(base_spec(base_year=2026))
    assert errs[0]["path"] == "base_year"


def test_bad_destinations():
    spec = base_spec()
    spec["shocks"][0]["destinations"] = {"all_but": ["RUS"]}
    _, errs = errors_of(spec)
    assert errs[0]["path"] == "shocks[0].destinations"
    assert "all_except" in errs[0]["fix"]


def test_direct_construction_raises_scenario_error():
    with pytest.raises(ScenarioError, match="shocks"):
        ScenarioSpec(base_year=2023, horizon={"start": 2025, "end": 2026}, shocks=[])
    assert issubclass(ScenarioError, ValueError)


def test_file_errors(tmp_path):
    with pytest.raises(ScenarioError, match="not found"):
        load_spec(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("base_year: 2023\nshocks: [\n  - country: CHN\n")
    with pytest.raises(ScenarioError, match="line"):
        load_spec(bad)
    lst = tmp_path / "list.yaml"
    lst.write_text("- 1\n- 2\n")
    with pytest.raises(ScenarioError, match="top level must be a mapping"):
        load_spec(lst)
    js = tmp_path / "bad.json"
    js.write_text('{"base_year": 2023,}')
    with pytest.raises(ScenarioError, match="invalid JSON"):
        load_spec(js)
    with pytest.raises(ScenarioError, match="cannot read"):
        load_spec(42)
