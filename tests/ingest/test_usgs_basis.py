"""Basis and units from USGS row notes, checked against the raw rows (issue 11, item 3)."""

import csv

import pandas as pd
import pytest

from critmin.ingest.usgs_mcs import _note_basis, read_mcs_commodities, read_mcs_world_data
from critmin.units import canonical_unit, convert, is_dry_unit

MCS2026 = ("usgs_mcs2026", "MCS2026_Commodities_Data.csv")
WORLD2025 = ("usgs_mcs2025", "world_data", "MCS2025_World_Data.csv")


@pytest.fixture(scope="module")
def real_2026(shared_data):
    path = shared_data.joinpath(*MCS2026)
    obs = read_mcs_commodities(path).set_index("source_row")
    rows = {}  # 1-based first line of each record (header = line 1) -> row
    with path.open(encoding="cp1252", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        start = reader.line_num + 1
        for rec in reader:
            rows[start] = dict(zip(header, rec, strict=True))
            start = reader.line_num + 1
    return obs, rows


def _lines(rows, **eq):
    """File lines of the raw rows matching every column=value given."""
    return [ln for ln, r in rows.items() if all(r[k] == v for k, v in eq.items())]


def test_chromium_and_strontium_rows_are_gross_weight(real_2026):
    obs, rows = real_2026
    for commodity in ("Chromium", "Strontium"):
        lines = [
            ln
            for ln, r in rows.items()
            if r["Commodity"] == commodity
            and r["Section"].startswith("World")
            and r["Statistics"] == "Production"
        ]
        assert len(lines) >= 14
        notes = {rows[ln]["Notes"] for ln in lines}
        # the published notes say so on every row ...
        assert all("gross weight" in n.lower() for n in notes)
        # ... while the chapter note says content: the row's note wins
        assert all("content" in rows[ln]["Other notes"] for ln in lines)
        assert set(obs.loc[lines, "basis"]) == {"gross weight"}


def test_a_label_basis_still_wins_over_the_note(real_2026):
    obs, rows = real_2026
    lines = _lines(rows, Commodity="Chromium", Statistics_detail="Reserves: Cr2O3 content")
    assert lines and set(obs.loc[lines, "basis"]) == {"Cr2O3 content"}
    ore = _lines(rows, Commodity="Chromium", Statistics_detail="Reserves: Ore")
    assert ore and set(obs.loc[ore, "basis"]) == {"gross weight"}


def test_a_note_that_only_mentions_gross_weight_states_no_basis():
    assert _note_basis("Calculated ZrO2 content as 65% of gross weight.") == ""
    assert _note_basis("Estimated. -- Gross weight of celestite in tons.") == "gross weight"
    assert _note_basis("Mine production and ore reserves are reported in gross weight.") == (
        "gross weight"
    )


def test_dry_tons_convert_to_t_and_keep_dry_in_basis(real_2026):
    obs, rows = real_2026
    lines = _lines(rows, Unit="thousand metric dry tons")
    assert len(lines) == 160  # PROVENANCE-described file: bauxite and alumina rows
    sub = obs.loc[lines]
    assert sub["basis"].str.contains("dry weight").all()
    assert {canonical_unit(u) for u in sub["unit"]} == {"kt"}
    # a published figure converts to tonnes: value x 1000
    ln = next(ln for ln in lines if rows[ln]["Value"].replace(",", "").isdigit())
    published = float(rows[ln]["Value"].replace(",", ""))
    assert convert(obs.loc[ln, "value"], obs.loc[ln, "unit"], "t") == published * 1000
    # a price per dry ton is not a quantity: no basis
    price = _lines(rows, Unit="dollars per dry metric ton unit")
    assert price and set(obs.loc[price, "basis"]) == {""}


def test_dry_unit_parsing_by_hand():
    assert canonical_unit("thousand metric dry tons") == "kt"
    assert convert(2.5, "thousand metric dry tons", "t") == 2500.0
    assert is_dry_unit("thousand metric dry tons") and is_dry_unit("metric dry tons")
    assert not is_dry_unit("thousand metric tons")
    assert not is_dry_unit("dollars per dry metric ton unit")


def test_mcs2025_strontium_is_celestite_gross_weight(shared_data):
    """MCS 2025 labels it strontium content; its 2024 figures are MCS 2026's gross weight."""
    path = shared_data.joinpath(*WORLD2025)
    obs = read_mcs_world_data(path)
    sr = obs[(obs["commodity_source"] == "Strontium") & (obs["measure"] == "production")]
    assert set(sr["basis"]) == {"gross weight"}
    assert sr["note"].str.contains("published as strontium content").all()
    with path.open(encoding="utf-8-sig", newline="") as f:
        raw = [r for r in csv.DictReader(f) if r["COMMODITY"] == "Strontium"]
    assert {r["TYPE"] for r in raw} == {"Mine production, strontium content"}
    mcs26 = read_mcs_commodities(shared_data.joinpath(*MCS2026))
    s26 = mcs26[
        (mcs26["commodity_source"] == "Strontium")
        & (mcs26["year"] == 2024)
        & (mcs26["measure"] == "production")
        & (mcs26["stage"] == "mine")
    ].set_index("country_source")["value"]
    s25 = sr[sr["year"] == 2024].set_index("country_source")["value"]
    same = [c for c in ("Argentina", "China", "Iran") if s25[c] == s26[c]]
    assert same == ["Argentina", "China", "Iran"]  # the evidence the fix rests on
    assert pd.notna(s25["China"])
