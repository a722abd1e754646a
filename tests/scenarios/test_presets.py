"""Presets from USGS MCS 2026 T4: they validate and match the T4 rows they cite."""

from __future__ import annotations

import csv

import pytest

from critmin.errors import ScenarioError
from critmin.scenarios.data import hs_stages
from critmin.scenarios.presets import (
    PRESETS_DIR,
    list_presets,
    load_preset,
    parse_param,
    preset_ids,
    resolve_group,
)
from critmin.store import get_store

EXPECTED = {
    "china_ga_ge_graphite_2023",
    "china_antimony_2024",
    "china_ree_2025",
    "indonesia_nickel_ore_2020",
    "drc_cobalt_quota_2025",
    "china_ree_outside_group",
}


def test_one_preset_per_event():
    assert set(preset_ids()) == EXPECTED
    table = list_presets()
    assert set(table["id"]) == EXPECTED
    assert table["t4_line"].notna().all()


@pytest.mark.parametrize("pid", sorted(EXPECTED))
def test_preset_matches_its_t4_row(pid):
    p = load_preset(pid)
    spec = p.spec
    assert spec.base_year < spec.horizon.start
    src = p.source
    t4 = get_store().table("export_controls")
    rows = t4[t4["source_row"] == src["line"]]
    assert set(rows["source_id"]) == {src["file"]}
    assert set(rows["country_iso3"]) == {src["country_iso3"]}
    for cid, year in src["commodities"].items():
        hit = rows[(rows["commodity_id"] == cid) & (rows["year_imposed"] == year)]
        assert len(hit) >= 1, (pid, cid, year)
    stage_of = hs_stages().set_index("hs6")["commodity_id"]
    shocked: set[str] = set()
    for shock in spec.shocks:
        assert shock.country == src["country_iso3"]
        cids = {stage_of[c] for c in shock.commodities}
        assert cids <= set(src["commodities"])
        shocked |= cids
        for cid in cids:  # the shock starts in the year T4 gives for that commodity
            assert shock.start_year == src["commodities"][cid]
    # every commodity of the row is simulated or said why not
    assert set(src["commodities"]) == shocked | set(p.unrepresented)


@pytest.mark.parametrize("pid", sorted(EXPECTED))
def test_cited_line_of_the_raw_file_is_the_row(pid, shared_data):
    p = load_preset(pid)
    with (shared_data / p.source["file"]).open(encoding="utf-8-sig") as f:
        lines = f.read().splitlines()
    row = next(csv.reader([lines[p.source["line"] - 1]]))
    assert row[0] == p.source["country"]
    assert row[1].strip() == p.source["control_type"]
    for part in p.source["quote"].split(", "):
        assert part in row[2]


def test_each_file_names_its_source_in_a_comment():
    for path in PRESETS_DIR.glob("*.yaml"):
        head = path.read_text(encoding="utf-8").splitlines()[:3]
        assert any("MCS2026_T4_Country_Export_Control.csv line" in h for h in head), path


def test_group_parameter_resolves_through_the_api():
    p = load_preset("china_ree_outside_group")
    assert p.spec.shocks[0].destinations.mode == "all_except"
    assert p.spec.shocks[0].destinations.ids == ["FEOC_COUNTRIES"]
    assert resolve_group("FEOC_COUNTRIES") == ["CHN", "IRN", "PRK", "RUS"]
    q = load_preset("china_ree_outside_group", group=["QUAD", "TRUST"])
    assert q.spec.shocks[0].destinations.ids == ["QUAD", "TRUST"]


def test_bad_inputs_name_the_fix():
    with pytest.raises(ScenarioError) as err:
        load_preset("china_ree")
    msg = str(err.value)
    assert "unknown preset 'china_ree'" in msg and "did you mean china_ree_2025" in msg
    for pid in EXPECTED:
        assert pid in msg
    with pytest.raises(ScenarioError, match="has no parameter 'gruop'; fix: use one of cut, group"):
        load_preset("china_ree_outside_group", gruop="QUAD")
    with pytest.raises(ScenarioError, match="'NATO' is not a group; fix: use one of FEOC"):
        load_preset("china_ree_outside_group", group="NATO")
    with pytest.raises(ScenarioError, match=r"shocks\[0\]\.cut: outside \[0, 1\]"):
        load_preset("china_ree_2025", cut=1.5)


def test_parse_param():
    assert parse_param("cut=0.5") == ("cut", 0.5)
    assert parse_param("group=QUAD") == ("group", "QUAD")
    assert parse_param("cut={uniform: [0.1, 0.4]}") == ("cut", {"uniform": [0.1, 0.4]})
    with pytest.raises(ScenarioError, match="NAME=VALUE"):
        parse_param("cut")


def test_cut_parameter_reaches_the_spec():
    p = load_preset("drc_cobalt_quota_2025", cut={"triangular": [0.1, 0.3, 0.5]})
    assert p.spec.shocks[0].cut.describe() == "triangular[0.1, 0.3, 0.5]"
    assert p.values == {"cut": {"triangular": [0.1, 0.3, 0.5]}}
    assert load_preset("indonesia_nickel_ore_2020").spec.shocks[0].cut.describe() == "1"
