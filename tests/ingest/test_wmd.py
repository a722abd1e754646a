"""Tests of critmin.ingest.wmd (World Mining Data)."""

from __future__ import annotations

import csv
import math
from collections import Counter, defaultdict

import pytest

from critmin.errors import DataError, ParseError
from critmin.ingest._common import OBSERVATION_COLUMNS
from critmin.ingest.wmd import (
    STAGE_OVERRIDES,
    basis_from_table_name,
    read_wmd,
    read_wmd_hs_map,
    stage_for_table,
)


@pytest.fixture
def wmd_dir(fixtures):
    return fixtures / "wmd"


@pytest.fixture
def obs(wmd_dir):
    return read_wmd(wmd_dir / "wmd_production.csv")


def _row(obs, table, country, year):
    hit = obs[
        (obs.commodity_source == table) & (obs.country_source == country) & (obs.year == year)
    ]
    assert len(hit) == 1, (table, country, year)
    return hit.iloc[0]


# ---------------------------------------------------------------- fixture: parsed cells


def test_schema_and_row_count(obs):
    assert list(obs.columns) == OBSERVATION_COLUMNS
    assert len(obs) == 11
    assert set(obs.dataset) == {"wmd"} and set(obs.measure) == {"production"}
    assert obs.source_row.tolist() == list(range(2, 13))
    assert set(obs.source_id) == {"wmd/wmd_production.csv"}


def test_values_units_and_flags(obs):
    chile = _row(obs, "Lithium (Li2O)", "Chile", 2022)
    assert chile.value == 40350.5
    assert chile.flag == "estimated"
    assert chile.unit == "metr. t"
    assert chile.basis == "Li2O"
    assert chile.source_row == 3
    aus = _row(obs, "Lithium (Li2O)", "Australia", 2022)
    assert aus.flag == "" and aus.note == ""
    gold = _row(obs, "Gold", "Ghana", 2024)  # ' 95000 ' padded in the file
    assert gold.value == 95000.0 and gold.unit == "kg" and gold.flag == "estimated"
    gas = _row(obs, "Natural Gas", "Norway", 2023)
    assert gas.unit == "Mio m3"  # trailing digit is part of the unit, not a footnote
    selenium = _row(obs, "Selenium", "Japan", 2023)
    assert math.isnan(selenium.value) and selenium.flag == "not_available"


def test_total_row_kept_with_note(obs):
    total = _row(obs, "Lithium (Li2O)", "Total", 2022)
    assert total.value == 101550.5
    assert "DELETE" in total.note
    assert total.flag == ""


def test_p_code_is_a_note_not_a_flag(obs):
    india = _row(obs, "Iron (Fe)", "India", 2022)
    assert india.flag == ""
    assert "'p'" in india.note
    assert india.basis == "Fe content"


def test_stage_rule(obs):
    # override beats the map's 'Processing' (WMD cobalt is mine output)
    assert _row(obs, "Cobalt", "Congo, D.R.", 2023).stage == "mine"
    # map: Extraction -> mine, Processing -> refinery
    assert _row(obs, "Copper", "Zambia", 2023).stage == "mine"
    assert _row(obs, "Selenium", "Japan", 2023).stage == "refinery"
    # in neither: mine with a note
    sc = _row(obs, "Scandium (Sc2O3)", "Philippines", 2024)
    assert sc.stage == "mine" and "assumed" in sc.note
    assert sc.basis == "Sc2O3"


def test_stage_without_map_uses_overrides_only(tmp_path, wmd_dir):
    only = tmp_path / "prod.csv"
    only.write_bytes((wmd_dir / "wmd_production.csv").read_bytes())
    obs = read_wmd(only)
    assert _row(obs, "Cobalt", "Congo, D.R.", 2023).stage == "mine"
    sel = _row(obs, "Selenium", "Japan", 2023)
    assert sel.stage == "mine" and "assumed" in sel.note
    with_map = read_wmd(only, hs_code_map=wmd_dir / "hs_code_map.csv")
    assert _row(with_map, "Selenium", "Japan", 2023).stage == "refinery"


@pytest.mark.parametrize(
    ("name", "basis"),
    [
        ("Lithium (Li2O)", "Li2O"),
        ("Rare Earths (REO)", "REO"),
        ("Iron (Fe)", "Fe content"),
        ("Tungsten (W)", "W content"),
        ("Vanadium (V)", "V content"),
        ("Chromium (Cr2O3)", "Cr2O3"),
        ("Beryllium (conc.)", "concentrate"),
        ("Diamonds (Gem)", ""),
        ("Diamonds (Ind)", ""),
        ("Kaolin (China-Clay)", ""),
        ("Salt (rock, brines, marine)", ""),
        ("Copper", ""),
    ],
)
def test_basis_from_table_name(name, basis):
    assert basis_from_table_name(name) == basis


def test_stage_for_table_cases():
    assert stage_for_table("Aluminium", "Processing") == ("smelter", "")
    assert stage_for_table("Tin", "Extraction") == ("mine", "")
    assert stage_for_table("Arsenic", "Processing") == ("refinery", "")
    stage, note = stage_for_table("Unobtainium", None)
    assert stage == "mine" and note


# ---------------------------------------------------------------- hs map


def test_hs_map_exploded(wmd_dir):
    hs = read_wmd_hs_map(wmd_dir / "hs_code_map.csv")
    li = hs[hs.raw_material == "Lithium (Li2O)"]
    assert li.hs6.tolist() == ["282520", "283691"]
    assert li.hs6_role.tolist() == ["main", "complementary"]
    assert li.description.tolist() == ["Lithium oxide and hydroxide", ""]
    assert set(li.stage) == {"refinery"} and set(li.stage_source) == {"Processing"}
    assert set(li.symbol) == {"Li"} and set(li.eol_rir) == {0.0}
    kaolin = hs[hs.raw_material == "Kaolin (China-Clay)"]
    assert kaolin.hs6.tolist() == ["250700", "250830", "250840"]
    perlite = hs[hs.raw_material == "Perlite"]
    assert perlite.hs6.tolist() == [""] and perlite.eol_rir.iloc[0] == 0.4
    assert perlite.stage.iloc[0] == "" and perlite.reference.iloc[0] == ""
    sel = hs[hs.raw_material == "Selenium"]
    assert sel.reference.iloc[0] == "" and sel.source_row.iloc[0] == 8
    assert len(hs) == 12
    assert hs.hs6.str.fullmatch(r"\d{6}|").all()


# ---------------------------------------------------------------- bad input


def _variant(tmp_path, src, old, new, name="bad.csv"):
    text = src.read_text(encoding="utf-8")
    assert old in text
    p = tmp_path / name
    p.write_text(text.replace(old, new, 1), encoding="utf-8")
    return p


def test_missing_file(tmp_path):
    with pytest.raises(DataError, match="file not found"):
        read_wmd(tmp_path / "nope.csv")


def test_missing_hs_map_file(wmd_dir, tmp_path):
    with pytest.raises(DataError, match="hs_code_map file not found"):
        read_wmd(wmd_dir / "wmd_production.csv", hs_code_map=tmp_path / "none.csv")


def test_missing_column(tmp_path, wmd_dir):
    p = _variant(tmp_path, wmd_dir / "wmd_production.csv", "data_source", "source")
    with pytest.raises(ParseError, match=r"missing column\(s\) \['data_source'\]"):
        read_wmd(p)


def test_unknown_data_source_code(tmp_path, wmd_dir):
    p = _variant(
        tmp_path,
        wmd_dir / "wmd_production.csv",
        "2023,700500.0,metr. t,r",
        "2023,700500.0,metr. t,x",
    )
    with pytest.raises(
        ParseError, match=r"line 8, column 'data_source': unknown data_source code 'x'"
    ):
        read_wmd(p)


def test_bad_year(tmp_path, wmd_dir):
    p = _variant(
        tmp_path, wmd_dir / "wmd_production.csv", "Brazil,76,BRA,2022", "Brazil,76,BRA,22/23"
    )
    with pytest.raises(ParseError, match=r"line 6, column 'year': year '22/23'"):
        read_wmd(p)


def test_malformed_row(tmp_path, wmd_dir):
    p = _variant(
        tmp_path,
        wmd_dir / "wmd_production.csv",
        "Copper,Zambia,894,ZMB,2023,",
        "Copper,Zambia,894,ZMB,2023,1,2,3,4,",
    )
    with pytest.raises(DataError, match="not a readable CSV"):
        read_wmd(p)


def test_hs_map_bad_code(tmp_path, wmd_dir):
    p = _variant(tmp_path, wmd_dir / "hs_code_map.csv", ",,260300,", ",,2603,")
    with pytest.raises(ParseError, match=r"line 3, column 'HS Code': HS code '2603'"):
        read_wmd_hs_map(p)


def test_hs_map_bad_eol(tmp_path, wmd_dir):
    p = _variant(tmp_path, wmd_dir / "hs_code_map.csv", ",0.01,", ",1.5,")
    with pytest.raises(ParseError, match=r"line 8, column 'EoL-RIR \(2023\)'"):
        read_wmd_hs_map(p)


# ---------------------------------------------------------------- real file


def _raw(path):
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_real_file_against_plain_read(shared_data):
    path = shared_data / "world_mining_data" / "wmd_production_2018_2024.csv"
    raw = _raw(path)
    obs = read_wmd(path)
    assert len(obs) == len(raw)
    # every value equals the raw cell, in file order
    assert [float(r["value"]) for r in raw] == obs.value.tolist()
    # estimated flags are exactly the 'e' rows
    assert (obs.flag == "estimated").sum() == Counter(r["data_source"] for r in raw)["e"]
    # per-table sums
    sums = defaultdict(float)
    for r in raw:
        sums[r["commodity"]] += float(r["value"])
    got = obs.groupby("commodity_source").value.sum()
    for table, s in sums.items():
        assert got[table] == pytest.approx(s, rel=1e-12)
    # one cell, located by the plain read
    i = next(
        k
        for k, r in enumerate(raw)
        if r["commodity"] == "Cobalt" and r["year"] == "2022" and r["country_iso3"] == "COD"
    )
    assert obs.iloc[i].value == float(raw[i]["value"])
    assert obs.iloc[i].country_source == raw[i]["country"]
    assert obs.iloc[i].source_row == i + 2
    totals = sum(r["country_code"] == "DELETE" for r in raw)
    assert (obs.country_source == "Total").sum() == totals


def test_real_file_stages_and_units(shared_data):
    obs = read_wmd(shared_data / "world_mining_data" / "wmd_production_2018_2024.csv")
    stage = obs.groupby("commodity_source").stage.first()
    for table, (expected, _) in STAGE_OVERRIDES.items():
        assert stage[table] == expected
    assert stage["Copper"] == "mine"  # Extraction in the map
    assert stage["Cadmium"] == "refinery"  # Processing in the map, not overridden
    assert not obs.note.str.contains("assumed").any()  # every real table has a stage
    assert set(obs.unit) == {"metr. t", "kg", "ct", "Mio m3"}


def test_real_hs_map(shared_data):
    path = shared_data / "world_mining_data" / "hs_code_map.csv"
    raw = _raw(path)
    hs = read_wmd_hs_map(path)
    assert hs.raw_material.nunique() == len(raw)
    n_main = sum(r["HS Code"] != "Not Available" for r in raw)
    assert (hs.hs6_role == "main").sum() == n_main
    n_comp = sum(len([c for c in r["HS Code - Complementary"].split(";") if c]) for r in raw)
    assert (hs.hs6_role == "complementary").sum() == n_comp
    copper = next(r for r in raw if r["Sheet_name"] == "Copper")
    got = hs[(hs.raw_material == "Copper") & (hs.hs6_role == "main")].iloc[0]
    assert got.hs6 == copper["HS Code"]
    assert got.eol_rir == float(copper["EoL-RIR (2023)"])
