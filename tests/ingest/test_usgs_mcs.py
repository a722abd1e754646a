"""Tests of critmin.ingest.usgs_mcs.

Fixture files in tests/fixtures/usgs_mcs/ are hand-written in each source's real format
(made-up values, real quirks).  The ``real_*`` tests read ../shared/data at test time and
compute every expectation from the raw file with the csv module.
"""

from __future__ import annotations

import csv
import logging
import math
import re
import shutil
import time
from pathlib import Path

import pandas as pd
import pytest

from critmin.errors import DataError, ParseError
from critmin.ingest import usgs_mcs
from critmin.ingest._common import FLAGS, MEASURES, OBSERVATION_COLUMNS, STAGES
from critmin.ingest.usgs_mcs import (
    critical_flags_2025,
    dataset_from_path,
    parse_salient_column,
    read_mcs_commodities,
    read_mcs_salient,
    read_mcs_world_data,
)

MCS2026 = "usgs_mcs2026/MCS2026_Commodities_Data.csv"
WORLD2025 = "usgs_mcs2025/world_data/MCS2025_World_Data.csv"
SALIENT2025 = "usgs_mcs2025/salient_commodity"

#: Every unit string the readers emit on the real files (the lead maps these to canonical
#: units); a new one makes test_real_units fail so that the mapping is extended on purpose.
KNOWN_UNITS = {
    "",
    "cents per pound",
    "dollars per 10-grams",
    "dollars per 100 milliliters",
    "dollars per 25 grams",
    "dollars per 50 grams",
    "dollars per carat",
    "dollars per dry metric ton unit",
    "dollars per gram",
    "dollars per kilogram",
    "dollars per metric ton",
    "dollars per pound",
    "dollars per short ton",
    "dollars per ton",
    "dollars per troy ounce",
    "index",
    "kilograms",
    "metric tons",
    "million carats",
    "million cubic meters",
    "million dollars",
    "million liters",
    "million metric tons",
    "million square feet",
    "number",
    "percent",
    "thousand carats",
    "thousand metric dry tons",
    "thousand metric tons",
    "thousands of carats",
    "tons",
}

#: The words the 2026 file uses instead of a figure (documented in the module).
WORDS_2026 = {
    "Large",
    "Small",
    "Moderate",
    "Moderate to large",
    "Very small",
    "Variable, depending on type of product",
    "Variable, depending on size, type, and quality",
}
#: ... and the MCS 2025 salient files.
WORDS_SALIENT = {"Small", "Variable, depending on type of product", "Less than 50,000 tons"}

NAN_FLAGS = {"withheld", "not_available", "net_exporter", "qualitative"}


# --------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------
def _csv_rows(path: Path, encoding: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and (line, row) of every non-blank data row, by the csv module."""
    with path.open(encoding=encoding, newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        rows = [(reader.line_num, r) for r in reader if any(c.strip() for c in r)]
    return header, rows


def _num(text: str) -> float:
    return float(text.replace(",", "").lstrip("><"))


def _row(df: pd.DataFrame, **where) -> pd.Series:
    sel = df
    for k, v in where.items():
        sel = sel[sel[k] == v]
    assert len(sel) == 1, f"{len(sel)} rows match {where}"
    return sel.iloc[0]


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.replace("\n", "\r\n").encode(encoding))
    return path


@pytest.fixture(scope="module")
def fx() -> Path:
    return Path(__file__).resolve().parents[1] / "fixtures" / "usgs_mcs"


@pytest.fixture(scope="module")
def commodities(fx) -> pd.DataFrame:
    return read_mcs_commodities(fx / MCS2026)


@pytest.fixture(scope="module")
def world(fx) -> pd.DataFrame:
    return read_mcs_world_data(fx / WORLD2025)


@pytest.fixture(scope="module")
def salient(fx) -> pd.DataFrame:
    return read_mcs_salient(fx / SALIENT2025)


# --------------------------------------------------------------------------------------
# Commodities_Data (MCS 2026) -- fixture
# --------------------------------------------------------------------------------------
def test_commodities_schema_and_row_count(commodities):
    assert list(commodities.columns) == OBSERVATION_COLUMNS
    assert len(commodities) == 25  # 25 data lines in the fixture, one observation each
    assert commodities["source_row"].tolist() == list(range(2, 27))
    assert set(commodities["dataset"]) == {"usgs_mcs2026"}
    assert set(commodities["source_id"]) == {MCS2026}
    assert set(commodities["stage"]) <= set(STAGES)
    assert set(commodities["measure"]) <= set(MEASURES)


def test_commodities_values_and_flags(commodities):
    r = _row(commodities, source_row=2)  # W
    assert math.isnan(r["value"]) and r["flag"] == "withheld"
    r = _row(commodities, source_row=3)  # "3,020"
    assert r["value"] == 3020.0 and r["flag"] == ""
    r = _row(commodities, source_row=4)  # "2,000", Notes 'Estimated.'
    assert r["value"] == 2000.0 and r["flag"] == "estimated" and r["note"] == "Estimated."
    r = _row(commodities, source_row=5)  # >50 estimated, cp1252 en dash and ± in the note
    assert (r["value"], r["flag"]) == (50.0, "lower_bound;estimated")
    assert "imports – exports ±" in r["note"]
    r = _row(commodities, source_row=10)  # World total, 'Mine production: rounded'
    assert (r["value"], r["flag"]) == (290000.0, "estimated;rounded")
    assert r["series"] == "Mine production" and r["country_source"] == "World total"
    r = _row(commodities, source_row=9)  # 'Other countries' kept as published
    assert (r["country_source"], r["value"]) == ("Other countries", 2_400_000.0)
    r = _row(commodities, source_row=26)  # em dash = zero
    assert (r["value"], r["flag"]) == (0.0, "zero")


def test_commodities_usgs_codes(commodities):
    r = _row(commodities, source_row=11)  # '?1': minus lost in cp1252
    assert r["value"] == -1.0 and r["flag"] == "" and "'?1'" in r["note"]
    r = _row(commodities, source_row=12)  # 's': less than 1/2 unit
    assert (r["value"], r["flag"]) == (0.5, "upper_bound")
    r = _row(commodities, source_row=13)  # 'Large'
    assert math.isnan(r["value"]) and r["flag"] == "qualitative"
    assert r["note"].endswith("published value: 'Large'")
    r = _row(commodities, source_row=18)  # en-dash range
    assert (r["value"], r["flag"]) == (50.0, "lower_bound;estimated")
    assert "'50–300'" in r["note"]
    r = _row(commodities, source_row=19)  # XX
    assert math.isnan(r["value"]) and r["flag"] == "not_available;rounded"
    assert r["series"] == "Production—All forms" and r["stage"] == "total"
    r = _row(commodities, source_row=20)  # E
    assert math.isnan(r["value"]) and r["flag"] == "net_exporter"
    assert r["measure"] == "net_import_reliance"


def test_commodities_import_sources_period(commodities):
    chile = _row(commodities, source_row=6)
    assert chile["year"] == 2024
    assert chile["series"] == "Import sources 2021–24"
    assert (chile["measure"], chile["stage"], chile["unit"]) == ("import_share", "trade", "percent")
    assert chile["value"] == 54.0 and chile["basis"] == ""
    arg = _row(commodities, source_row=7)
    assert arg["series"] == "Import sources 2021–24: Lithium carbonate"


@pytest.mark.parametrize(
    ("line", "measure", "stage"),
    [
        (2, "production", "total"),  # salient 'Production'
        (3, "imports", "trade"),
        (4, "exports", "trade"),
        (5, "net_import_reliance", "total"),
        (8, "production", "mine"),  # section default
        (9, "reserves", "mine"),
        (11, "shipments", "total"),
        (15, "reserves", "mine"),
        (16, "production", "refinery"),  # detail beats the mixed section
        (17, "production", "secondary"),  # 'Refinery: Secondary' is secondary
        (18, "price", "total"),
        (22, "capacity", "smelter"),
        (23, "production", "total"),  # 'Sold or used' is USGS's production measure
        (24, "other", "processing"),  # a production row in percent is not a quantity
        (25, "production", "primary"),  # low-purity gallium: primary
        (26, "stocks", "total"),
    ],
)
def test_commodities_stage_measure(commodities, line, measure, stage):
    r = _row(commodities, source_row=line)
    assert (r["measure"], r["stage"]) == (measure, stage)


@pytest.mark.parametrize(
    ("line", "basis"),
    [
        (2, "lithium content"),  # chapter note '(Data in metric tons, lithium content, ...)'
        (5, ""),  # percent: no basis
        (6, ""),  # import share
        (14, "manganese content"),  # section title, production only
        (15, "gross weight"),  # reserves: the chapter note, not the section title
        (16, "copper content"),
        (18, ""),  # price
        (21, "Y2O3 equivalent"),  # from the detail text
        (22, ""),  # '(Data in thousand metric tons unless otherwise specified)'
        (25, "gallium content"),
    ],
)
def test_commodities_basis(commodities, line, basis):
    assert _row(commodities, source_row=line)["basis"] == basis


def test_commodities_shifted_row(commodities):
    r = _row(commodities, source_row=21)  # '10,000 - 15,000',Yes,Yttrium,
    assert (r["value"], r["flag"]) == (10000.0, "lower_bound")
    assert r["note"] == "published as the range '10,000 - 15,000'"  # 'Yes' is not a note
    assert (r["stage"], r["measure"]) == ("mine", "production")


def test_critical_flags_fixture(fx):
    flags = critical_flags_2025(fx / MCS2026)
    assert list(flags.columns) == ["chapter", "commodity_source", "is_critical_2025"]
    by = flags.set_index("commodity_source")["is_critical_2025"]
    assert bool(by["Yttrium"]) and bool(by["Lithium"])  # Yttrium: the shifted row
    assert not bool(by["Stone (Crushed)"])
    assert pd.isna(by["Wollastonite"])  # only blank flags
    assert len(flags) == 15


def test_commodities_dataset_from_file_name(fx, tmp_path):
    p = tmp_path / "usgs_mcs2027" / "MCS2027_Commodities_Data.csv"
    p.parent.mkdir()
    shutil.copy(fx / MCS2026, p)
    obs = read_mcs_commodities(p)
    assert set(obs["dataset"]) == {"usgs_mcs2027"}
    assert set(obs["source_id"]) == {"usgs_mcs2027/MCS2027_Commodities_Data.csv"}
    assert dataset_from_path("MCS2027_Commodities_Data.csv") == "usgs_mcs2027"
    other = tmp_path / "commodities.csv"
    shutil.copy(fx / MCS2026, other)
    with pytest.raises(DataError, match="cannot tell the MCS edition"):
        read_mcs_commodities(other)
    assert set(read_mcs_commodities(other, dataset="usgs_mcs2026")["dataset"]) == {"usgs_mcs2026"}


def test_commodities_utf8_file_reads_the_same(fx, tmp_path, commodities):
    text = (fx / MCS2026).read_bytes().decode("cp1252")
    p = tmp_path / "MCS2026_Commodities_Data.csv"
    p.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    again = read_mcs_commodities(p)
    pd.testing.assert_frame_equal(
        again.drop(columns="source_id"), commodities.drop(columns="source_id")
    )


HEADER_2026 = (
    "MCS chapter,Section,Commodity,Country,Statistics,Statistics_detail,Unit,Year,Value,"
    "Notes,Is critical mineral 2025,Other notes\n"
)


def test_commodities_unknown_section_and_statistic_warn(tmp_path, caplog):
    p = _write(
        tmp_path / "MCS2026_Commodities_Data.csv",
        HEADER_2026
        + "X,World Widget Refinery Output,Widget,Chile,Production,Production,metric tons,"
        "2025,5,,No,\n"
        + "X,Salient Statistics—United States,Widget,United States,Recycling rate,Rate,"
        "percent,2025,7,,No,\n",
        "cp1252",
    )
    with caplog.at_level(logging.WARNING, logger="critmin.ingest.usgs_mcs"):
        obs = read_mcs_commodities(p)
    assert _row(obs, source_row=2)["stage"] == "refinery"  # from the section's wording
    assert _row(obs, source_row=3)["measure"] == "other"
    msgs = " ".join(r.getMessage() for r in caplog.records)
    assert "unknown MCS section 'World Widget Refinery Output'" in msgs
    assert "unknown MCS Statistics 'Recycling rate'" in msgs


def test_commodities_embedded_newline_and_blank_line_keep_line_numbers(tmp_path):
    p = _write(
        tmp_path / "MCS2026_Commodities_Data.csv",
        HEADER_2026
        + "X,World Mine Production and Reserves,Tin,Peru,Production,Mine production,metric tons,"
        '2025,"1,000","Estimated.\nSecond line",No,\n'
        + "\n"
        + "X,World Mine Production and Reserves,Tin,Chile,Production,Mine production,"
        "metric tons,2025,7,,No,\n",
    )
    obs = read_mcs_commodities(p)
    assert obs["source_row"].tolist() == [2, 5]
    assert obs["flag"].tolist() == ["estimated", ""]


# --------------------------------------------------------------------------------------
# Commodities_Data -- bad input
# --------------------------------------------------------------------------------------
def test_commodities_missing_file(tmp_path):
    with pytest.raises(DataError, match="file not found"):
        read_mcs_commodities(tmp_path / "MCS2026_Commodities_Data.csv")


def test_commodities_wrong_encoding(tmp_path):
    p = tmp_path / "MCS2026_Commodities_Data.csv"
    row = b"X,Salient,Lithium,United States,Production,Production,metric tons,2024,W,,Yes,\r\n"
    p.write_bytes(HEADER_2026.encode() + row + row.replace(b"Lithium", b"Lith\x81um"))
    with pytest.raises(ParseError, match=r"line 3: byte b'\\x81' cannot be decoded") as err:
        read_mcs_commodities(p)
    assert err.value.row == 3 and err.value.path == str(p)


def test_commodities_missing_column(fx, tmp_path):
    text = (fx / MCS2026).read_bytes().decode("cp1252")
    p = tmp_path / "MCS2026_Commodities_Data.csv"
    p.write_bytes(text.replace(",Statistics_detail,", ",Detail,", 1).encode("cp1252"))
    with pytest.raises(ParseError, match=r"line 1: missing column\(s\) \['Statistics_detail'\]"):
        read_mcs_commodities(p)


def test_commodities_bad_year(tmp_path):
    p = _write(
        tmp_path / "MCS2026_Commodities_Data.csv",
        HEADER_2026
        + "X,Salient,Tin,United States,Production,Production,metric tons,2024,5,,No,\n"
        + "X,Salient,Tin,United States,Production,Production,metric tons,20X4,5,,No,\n",
    )
    with pytest.raises(ParseError) as err:
        read_mcs_commodities(p)
    msg = str(err.value)
    assert "line 3" in msg and "column 'Year'" in msg and "'20X4' is not a year" in msg
    assert str(p) in msg


# --------------------------------------------------------------------------------------
# World data (MCS 2025) -- fixture
# --------------------------------------------------------------------------------------
def test_world_row_count_and_blocks(world):
    # a value column is read for a whole (COMMODITY, TYPE) table when any of its cells or
    # notes is filled: lithium 5 rows x (2 prod + reserves), abrasives 2 x 2 capacity,
    # iron ore 3, molybdenum 2 x 3, asbestos 2 prod + reserves word, magnesium 2 prod +
    # CAP_EST + reserves, titanium 2 x 3
    assert len(world) == 15 + 4 + 3 + 6 + 3 + 4 + 6
    assert list(world.columns) == OBSERVATION_COLUMNS
    assert set(world["dataset"]) == {"usgs_mcs2025"}
    assert set(world["source_id"]) == {WORLD2025}
    assert set(world["year"]) == {2023, 2024}
    abr = world[world["commodity_source"] == "Abrasives"]
    assert set(abr["measure"]) == {"capacity"} and set(abr["stage"]) == {"processing"}


def test_world_values_flags_names(world):
    total = world[world["country_source"] == "World total (rounded)"]  # footnote '10' dropped
    li = total[(total["commodity_source"] == "Lithium") & (total["measure"] == "production")]
    assert li.set_index("year")["value"].to_dict() == {2023: 204000.0, 2024: 240000.0}
    assert li.set_index("year")["flag"].to_dict() == {2023: "rounded", 2024: "estimated;rounded"}
    us = world[
        (world["country_source"] == "United States")
        & (world["measure"] == "production")
        & (world["commodity_source"] == "Lithium")
    ]
    assert us["flag"].tolist() == ["withheld", "withheld;estimated"]  # 'W for 23-24'
    ca = _row(world, country_source="Canada", measure="reserves")  # 'Canada ' and "1,200,000"
    assert ca["value"] == 1_200_000.0
    ca23 = _row(world, country_source="Canada", measure="production", year=2023)
    assert ca23["flag"] == "estimated" and ca23["note"] == "estimated 2023"
    other = _row(world, country_source="Other Countries", measure="reserves")
    assert (other["value"], other["flag"]) == (2_000_000.0, "lower_bound")
    nbsp = _row(world, country_source="United States and Canada", year=2024)
    assert nbsp["value"] == 60000.0 and nbsp["series"] == "Plant capacity, fused aluminum oxide"
    asb = _row(world, commodity_source="Asbestos", measure="reserves")
    assert math.isnan(asb["value"]) and asb["flag"] == "qualitative" and asb["note"] == "Large"


def test_world_reserve_units_and_basis(world):
    fe = _row(world, commodity_source="Iron Ore", measure="reserves")
    assert (fe["value"], fe["unit"], fe["basis"]) == (58000.0, "million metric tons", "crude ore")
    fe_p = _row(world, commodity_source="Iron Ore", measure="production", year=2024)
    assert (fe_p["unit"], fe_p["basis"]) == ("thousand metric tons", "usable ore")
    mo = world[(world["commodity_source"] == "Molybdenum") & (world["measure"] == "reserves")]
    # '(Reserve data is thousand metric tons)' on the total row covers the whole table
    assert set(mo["unit"]) == {"thousand metric tons"}
    assert (
        _row(world, commodity_source="Molybdenum", country_source="Chile", measure="reserves")[
            "value"
        ]
        == 1400.0
    )
    mg = _row(world, commodity_source="Magnesium metal", measure="reserves")
    assert math.isnan(mg["value"]) and mg["flag"] == "not_available"  # capacity, not reserves
    mg_cap = _row(world, commodity_source="Magnesium metal", measure="capacity")
    assert (mg_cap["year"], mg_cap["value"], mg_cap["stage"]) == (2024, 1800.0, "smelter")
    ti = _row(world, country_source="Sierra Leone", year=2023)
    assert ti["unit"] == "metric tons"  # blank UNIT_MEAS filled from its table
    assert ti["basis"] == "TiO2 content"


def test_world_header_without_space(fx, tmp_path, world):
    text = (fx / WORLD2025).read_text(encoding="utf-8-sig")
    assert "PROD_EST_ 2024" in text
    p = tmp_path / "usgs_mcs2025" / "world_data" / "MCS2025_World_Data.csv"
    p.parent.mkdir(parents=True)
    p.write_text(text.replace("_EST_ 2024", "_EST_2024"), encoding="utf-8")
    pd.testing.assert_frame_equal(read_mcs_world_data(p), world)


def test_world_no_value_columns(tmp_path):
    p = _write(
        tmp_path / "MCS2025_World_Data.csv",
        "SOURCE,COMMODITY,COUNTRY,TYPE,UNIT_MEAS,OUTPUT_2024\nMCS2025,Tin,Peru,Mine,t,5\n",
    )
    with pytest.raises(ParseError) as err:
        read_mcs_world_data(p)
    msg = str(err.value)
    assert str(p) in msg and "no production or reserves columns" in msg
    assert "'OUTPUT_2024'" in msg  # the header is shown


def test_world_missing_column_and_file(fx, tmp_path):
    text = (fx / WORLD2025).read_text(encoding="utf-8-sig").replace("COUNTRY,", "NATION,", 1)
    p = _write(tmp_path / "MCS2025_World_Data.csv", text)
    with pytest.raises(ParseError, match=r"missing column\(s\) \['COUNTRY'\]"):
        read_mcs_world_data(p)
    with pytest.raises(DataError, match="file not found"):
        read_mcs_world_data(tmp_path / "nothing" / "MCS2025_World_Data.csv")


def test_world_wrong_encoding(tmp_path):
    p = tmp_path / "MCS2025_World_Data.csv"
    p.write_bytes(
        b"SOURCE,COMMODITY,COUNTRY,TYPE,UNIT_MEAS,PROD_2023\r\nMCS2025,Tin,P\x9dru,,t,5\r\n"
    )
    with pytest.raises(ParseError, match="line 2: byte"):
        read_mcs_world_data(p)


# --------------------------------------------------------------------------------------
# Salient CSVs (MCS 2025) -- fixture
# --------------------------------------------------------------------------------------
def test_salient_counts_and_files(salient):
    # lithium 2 rows x 7 columns, cadmium 2 x 6 (no BOM), sand and gravel 2 x 4 (empty
    # trailing header field and blank trailing rows ignored), germanium 1 x 4
    assert len(salient) == 14 + 12 + 8 + 4
    assert set(salient["country_source"]) == {"United States"}
    assert set(salient["dataset"]) == {"usgs_mcs2025"}
    assert "usgs_mcs2025/salient_commodity/mcs2025-lithium_salient.csv" in set(salient["source_id"])
    assert set(salient["year"]) == {2020, 2022, 2023, 2024}


def test_salient_values_and_flags(salient):
    li = salient[salient["commodity_source"] == "Lithium"]
    imp = li[li["series"] == "Imports"].set_index("year")
    assert imp["value"].to_dict() == {2023: 3390.0, 2024: 3300.0}
    # metadata: 'Data are estimated for the most recent year.' (lithi_meta.xml)
    assert imp["flag"].to_dict() == {2023: "", 2024: "estimated"}
    emp = li[li["series"] == "Employment"]
    assert set(emp["flag"]) == {"estimated"}  # 'estimated for all years'
    assert set(li[li["series"] == "USprod"]["flag"]) == {"withheld"}
    assert set(li[li["measure"] == "imports"]["basis"]) == {"lithium content"}  # meta text
    nir = _row(li, series="NIR", year=2024)
    assert (nir["value"], nir["flag"], nir["unit"]) == (50.0, "lower_bound", "percent")

    cd = salient[salient["commodity_source"] == "Cadmium"]
    r = _row(cd, series="Imports_Sulfide", year=2022)
    assert (r["value"], r["flag"]) == (0.5, "upper_bound")
    r = _row(cd, series="Exports_Scrap", year=2023)
    assert (r["value"], r["flag"]) == (0.0, "zero")
    r = _row(cd, series="NIR_Metal", year=2023)
    assert math.isnan(r["value"]) and r["flag"] == "net_exporter"
    assert _row(cd, series="NIR_Metal", year=2022)["flag"] == "upper_bound"

    sg = salient[salient["commodity_source"] == "Sand and Gravel (Construction)"]
    assert set(sg["series"]) == {"USprod", "Exports", "Price", "NIR"}
    assert _row(sg, series="Exports", year=2024)["value"] == 0.5  # 'Less than ½ unit.'
    assert sg["source_row"].max() == 3

    ge = salient[salient["commodity_source"] == "Germanium"]
    assert _row(ge, series="Shipments_Gov")["value"] == -88.0  # U+2212 minus
    assert set(ge["series"]) == {"Shipments_Gov", "Consump_g", "Consump_g [2]", "NIR"}
    assert _row(ge, series="Consump_g")["unit"] == ""  # kilograms in fact; left unit-less
    assert _row(ge, series="NIR")["unit"] == "percent"  # 'NIR_ct'


def test_salient_single_file_and_errors(fx, tmp_path):
    one = read_mcs_salient(fx / SALIENT2025 / "mcs2025-cadmi_salient.csv")
    assert len(one) == 12
    with pytest.raises(DataError, match="file not found"):
        read_mcs_salient(tmp_path / "mcs2025-tin_salient.csv")
    with pytest.raises(DataError, match="no '\\*_salient.csv' files"):
        read_mcs_salient(tmp_path)
    bad = _write(
        tmp_path / "mcs2025-tin_salient.csv",
        "DataSource,Commodity,Year,USprod_t\nMCS2025,Tin,2023,5\nMCS2025,Tin,2024e,6\n",
    )
    with pytest.raises(ParseError) as err:
        read_mcs_salient(bad)
    msg = str(err.value)
    assert str(bad) in msg and "line 3" in msg and "column 'Year'" in msg and "'2024e'" in msg
    no_year = _write(
        tmp_path / "x" / "mcs2025-zinc_salient.csv",
        "DataSource,Commodity,Yr,USprod_t\nMCS2025,Zinc,2023,5\n",
    )
    with pytest.raises(ParseError, match=r"missing column\(s\) \['year'\]"):
        read_mcs_salient(no_year)
    enc = tmp_path / "y" / "mcs2025-lead_salient.csv"
    enc.parent.mkdir()
    enc.write_bytes(b"DataSource,Commodity,Year,USprod_t\r\nMCS2025,Le\x81d,2023,5\r\n")
    with pytest.raises(ParseError, match="line 2: byte"):
        read_mcs_salient(enc)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("USprod_Mine_t", ("production", "mine", "metric tons", "USprod_Mine")),
        (
            "USprod_Refinery_Secondary_kt",
            ("production", "secondary", "thousand metric tons", "USprod_Refinery_Secondary"),
        ),
        (
            "USprod_Smelter-primary_t",
            ("production", "smelter", "metric tons", "USprod_Smelter-primary"),
        ),
        (
            "USprod_Pig_iron_mmt",
            ("production", "smelter", "million metric tons", "USprod_Pig_iron"),
        ),
        ("USprod_Steel_mmt", ("production", "processing", "million metric tons", "USprod_Steel")),
        (
            "USprod_Recycling_kt",
            ("production", "secondary", "thousand metric tons", "USprod_Recycling"),
        ),
        ("Recycled_mmt", ("production", "secondary", "million metric tons", "Recycled")),
        ("Bauxite_Mine_kt", ("production", "mine", "thousand metric tons", "Bauxite_Mine")),
        ("HPQProduction_t", ("production", "total", "metric tons", "HPQProduction")),
        ("Imports_Ores_kt", ("imports", "trade", "thousand metric tons", "Imports_Ores")),
        ("Bort_Imports_mct", ("imports", "trade", "million carats", "Bort_Imports")),
        (
            "CrystalImports, piezoelectric_t",
            ("imports", "trade", "metric tons", "CrystalImports, piezoelectric"),
        ),
        ("Exports_kt", ("exports", "trade", "thousand metric tons", "Exports")),
        (
            "Consump_Apparent_kt",
            ("consumption", "consumption", "thousand metric tons", "Consump_Apparent"),
        ),
        ("Stocks_LME_t", ("stocks", "total", "metric tons", "Stocks_LME")),
        ("Shipments_Gov_kg", ("shipments", "total", "kilograms", "Shipments_Gov")),
        ("Withdrawn_mcm", ("stock_change", "total", "million cubic meters", "Withdrawn")),
        ("Price_LME_ctslb", ("price", "total", "cents per pound", "Price_LME")),
        ("Price_dtoz", ("price", "total", "dollars per troy ounce", "Price")),
        ("Prod_Price_index", ("price", "total", "index", "Prod_Price")),
        ("Employment_Sponge_t", ("employment", "refinery", "number", "Employment_Sponge")),
        ("Employment_Mine_Mill_num", ("employment", "mine", "number", "Employment_Mine_Mill")),
        ("NIR_pct", ("net_import_reliance", "total", "percent", "NIR")),
        ("NIR_ct", ("net_import_reliance", "total", "percent", "NIR")),
        ("USprod_Natural_mdol", ("production", "total", "million dollars", "USprod_Natural")),
    ],
)
def test_parse_salient_column(name, expected):
    assert parse_salient_column(name) == expected


@pytest.mark.parametrize(
    ("name", "expected", "message"),
    [
        ("Consump_g", ("consumption", "consumption", "", "Consump_g"), "unknown unit suffix 'g'"),
        ("Price_Imports_df", ("price", "total", "", "Price_Imports_df"), "unknown unit suffix"),
        (
            "Price_Zircon_imported_t",
            ("price", "total", "", "Price_Zircon_imported"),
            "a price with the quantity suffix 't'",
        ),
        ("Stocks_", ("stocks", "total", "", "Stocks_"), "unknown unit suffix ''"),
    ],
)
def test_parse_salient_column_warns(name, expected, message, caplog):
    with caplog.at_level(logging.WARNING, logger="critmin.ingest.usgs_mcs"):
        assert parse_salient_column(name) == expected
    assert message in caplog.text


def test_salient_units_table_is_documented():
    for suffix, unit in usgs_mcs.SALIENT_UNITS.items():
        assert suffix == suffix.lower() and unit
    assert "g" not in usgs_mcs.SALIENT_UNITS  # Consump_g holds kilograms
    assert set(usgs_mcs.MEASURE_STAGE) == set(MEASURES)
    assert set(usgs_mcs.STATISTICS_MEASURE.values()) <= set(MEASURES)
    assert {f for _v, f, _n in usgs_mcs.VALUE_CODES.values()} <= set(FLAGS)


# --------------------------------------------------------------------------------------
# Real files (../shared/data), expectations computed from the raw files
# --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def real_2026(shared_data):
    path = shared_data / MCS2026
    t0 = time.perf_counter()
    obs = read_mcs_commodities(path)
    seconds = time.perf_counter() - t0
    header, rows = _csv_rows(path, "cp1252")
    return obs, header, rows, seconds


def test_real_2026_one_observation_per_row(real_2026):
    obs, _header, rows, seconds = real_2026
    assert len(obs) == len(rows)
    assert obs["source_row"].tolist() == [line for line, _r in rows]
    assert seconds < 1.0
    assert set(obs["dataset"]) == {"usgs_mcs2026"}
    assert set(obs["source_id"]) == {MCS2026}


def test_real_2026_years(real_2026):
    obs, header, rows, _s = real_2026
    assert obs["year"].between(2020, 2025).all()
    iy = header.index("Year")
    periods = [line for line, r in rows if not r[iy].isdigit()]
    sel = obs[obs["source_row"].isin(periods)]
    assert len(sel) == len(periods) > 0
    assert set(sel["year"]) == {2024}
    assert set(sel["measure"]) == {"import_share"} and set(sel["unit"]) == {"percent"}
    assert sel["series"].str.startswith("Import sources 2021–24").all()


def test_real_2026_lithium_world_total(real_2026):
    obs, header, rows, _s = real_2026
    ix = {h: header.index(h) for h in header}
    for year in ("2024", "2025"):
        raw = [
            (line, r[ix["Value"]])
            for line, r in rows
            if r[ix["Commodity"]] == "Lithium"
            and r[ix["Country"]] == "World total"
            and r[ix["Statistics"]] == "Production"
            and r[ix["Year"]] == year
        ]
        assert len(raw) == 1
        line, text = raw[0]
        r = _row(obs, source_row=line)
        assert r["value"] == _num(text)
        assert (r["measure"], r["stage"], r["year"]) == ("production", "mine", int(year))
        assert (r["country_source"], r["basis"]) == ("World total", "lithium content")
        assert "rounded" in r["flag"].split(";")


def test_real_2026_no_unparsed_values(real_2026):
    obs, header, rows, _s = real_2026
    iv = header.index("Value")
    raw_value = {line: r[iv] for line, r in rows}
    nan = obs[obs["value"].isna()]
    # a missing figure always says why
    assert nan["flag"].map(lambda f: bool(set(f.split(";")) & NAN_FLAGS)).all()
    words = {
        raw_value[line].strip()
        for line in obs.loc[obs["flag"].str.contains("qualitative"), "source_row"]
    }
    assert words == WORDS_2026
    # every other cell became a number
    numeric = obs[~obs["flag"].str.contains("qualitative|withheld|not_available|net_exporter")]
    assert numeric["value"].notna().all()


def test_real_2026_measures_and_stages(real_2026):
    obs, header, rows, _s = real_2026
    ix = {h: header.index(h) for h in header}
    n_nir = sum(r[ix["Statistics"]] == "Net import reliance" for _l, r in rows)
    assert (obs["measure"] == "net_import_reliance").sum() == n_nir
    mine_lines = {
        line
        for line, r in rows
        if r[ix["Section"]] == "World Mine Production and Reserves"
        and r[ix["Statistics"]] == "Production"
    }
    world_mine = obs[obs["source_row"].isin(mine_lines)]
    not_mine = world_mine[world_mine["stage"] != "mine"]
    # soda ash 'Mine production: natural and synthetic' adds synthetic plant output: total;
    # 'Mine production: Synthetic' is made in plants, not mined (processing, as MCS 2025)
    stages = dict(zip(not_mine["series"], not_mine["stage"], strict=True))
    assert stages == {
        "Mine production: Natural and synthetic": "total",
        "Mine production: Synthetic": "processing",
    }
    # the total row's 'Mine production: ilmenite, rounded' joins the countries' series
    ti = world_mine[world_mine["commodity_source"] == "Titanium Mineral Concentrates"]
    tot = ti[ti["country_source"] == "World total"]
    assert "Mine production: Ilmenite" in set(tot["series"])
    assert set(tot["series"]) - {"Mine production: Ilmenite and rutile"} <= set(
        ti.loc[ti["country_source"] != "World total", "series"]
    )
    res = obs[obs["measure"] == "reserves"]
    assert len(res) == sum(r[ix["Statistics"]] == "Reserves" for _l, r in rows)
    assert set(res["stage"]) == {"mine"}
    trade = obs[obs["measure"].isin(["imports", "exports", "import_share"])]
    assert set(trade["stage"]) == {"trade"}
    assert set(obs["stage"]) <= set(STAGES) and set(obs["measure"]) <= set(MEASURES)
    # World total / Other countries rows are kept as published
    for name in ("World total", "Other countries"):
        assert (obs["country_source"] == name).sum() == sum(
            r[ix["Country"]] == name for _l, r in rows
        )


def test_real_critical_flags(shared_data):
    flags = critical_flags_2025(shared_data / MCS2026)
    header, rows = _csv_rows(shared_data / MCS2026, "cp1252")
    ic, ich = header.index("Commodity"), header.index("MCS chapter")
    assert len(flags) == len({(r[ich], r[ic]) for _l, r in rows})
    by = flags.set_index("commodity_source")["is_critical_2025"]
    assert bool(by["Yttrium"])  # the shifted row does not break it
    assert bool(by["Lithium"])
    assert not bool(by["Wollastonite"])  # 'No' plus two blanks
    assert flags["is_critical_2025"].notna().all()


def test_real_world_data(shared_data):
    path = shared_data / WORLD2025
    obs = read_mcs_world_data(path)
    header, rows = _csv_rows(path, "utf-8-sig")
    value_cols = [
        j
        for j, h in enumerate(header)
        if h.replace(" ", "").startswith(("PROD_2", "PROD_EST", "CAP_2", "CAP_EST", "RESERVES_2"))
    ]
    assert len(value_cols) == 5
    filled = {(line, header[j]) for line, r in rows for j in value_cols if r[j].strip()}
    col_of = {
        ("production", 2023): "PROD_2023",
        ("production", 2024): "PROD_EST_ 2024",
        ("capacity", 2023): "CAP_2023",
        ("capacity", 2024): "CAP_EST_ 2024",
        ("reserves", 2024): "RESERVES_2024",
    }
    got = {
        (r.source_row, col_of[(r.measure, r.year)]) for r in obs[obs["value"].notna()].itertuples()
    }
    assert got <= filled
    missing = filled - got
    # the only filled cells not read as figures: the magnesium-metal 'reserves' that repeat
    # its capacity ('Moved to capacity column not a reserve')
    ic = header.index("COMMODITY")
    line_com = {line: r[ic].strip() for line, r in rows}
    assert missing and {line_com[line] for line, _c in missing} == {"Magnesium metal"}
    assert {c for _l, c in missing} == {"RESERVES_2024"}
    assert set(obs["year"]) == {2023, 2024}
    assert set(obs["source_row"]) <= {line for line, _r in rows}

    icty, ip = header.index("COUNTRY"), header.index("PROD_EST_ 2024")
    raw = [
        (line, r[ip])
        for line, r in rows
        if r[ic].strip() == "Lithium" and r[icty].startswith("World total")
    ]
    assert len(raw) == 1
    line, text = raw[0]
    r = _row(obs, source_row=line, measure="production", year=2024)
    assert r["value"] == _num(text) and r["flag"] == "estimated;rounded"
    assert (r["stage"], r["basis"], r["country_source"]) == (
        "mine",
        "lithium content",
        "World total (rounded)",
    )
    assert not obs["country_source"].str.contains(r"\d$|\xa0|^\s|\s$").any()


_NUMERIC = re.compile(r"^[<>]?[\d,.\u2212-]+$|^\d[\d,.]*\s*[–-]\s*\d[\d,.]*$")
_CODES = {"", "W", "NA", "E", "—"}
_HALF_UNIT = {"Less than 1/2 unit.", "Less than ½ unit."}


def test_real_salient(shared_data):
    folder = shared_data / SALIENT2025
    obs = read_mcs_salient(folder)
    files = sorted(folder.glob("*_salient.csv"))
    expected, word_cells = 0, []
    for f in files:
        header, rows = _csv_rows(f, "utf-8-sig")
        cols = [
            j
            for j, h in enumerate(header)
            if h.strip() and h.strip().lower() not in ("datasource", "source", "commodity", "year")
        ]
        expected += len(rows) * len(cols)
        part = obs[obs["source_id"] == f"{SALIENT2025}/{f.name}"]
        assert len(part) == len(rows) * len(cols), f.name
        for _line, r in rows:
            for j in cols:
                v = " ".join(r[j].replace("\xa0", " ").split())
                if v not in _CODES and v not in _HALF_UNIT and not _NUMERIC.match(v):
                    word_cells.append(v)
    assert len(obs) == expected
    assert obs["source_id"].nunique() == len(files) == 85
    assert obs["year"].between(2020, 2024).all()
    # the only words in the value cells are the documented ones, and each is flagged
    assert set(word_cells) == WORDS_SALIENT
    assert obs["flag"].str.contains("qualitative").sum() == len(word_cells)
    nan = obs[obs["value"].isna()]
    assert nan["flag"].map(lambda f: bool(set(f.split(";")) & NAN_FLAGS)).all()

    li_path = folder / "mcs2025-lithium_salient.csv"
    header, rows = _csv_rows(li_path, "utf-8-sig")
    line, row = rows[-1]
    li = obs[obs["source_id"] == f"{SALIENT2025}/{li_path.name}"]
    r = _row(li, series="NIR", source_row=line)
    assert r["value"] == _num(row[header.index("NIR_pct")]) and r["year"] == int(row[2])
    assert "estimated" in r["flag"]  # lithi_meta.xml: estimated for the most recent year


def test_real_units(shared_data):
    units = set()
    units |= set(read_mcs_commodities(shared_data / MCS2026)["unit"])
    units |= set(read_mcs_world_data(shared_data / WORLD2025)["unit"])
    units |= set(read_mcs_salient(shared_data / SALIENT2025)["unit"])
    assert units == KNOWN_UNITS


# --------------------------------------------------------------------------------------
# Sub-tables: each world-total row closes its own country rows (real files)
# --------------------------------------------------------------------------------------
def _mcs2025_world(shared_data: Path) -> tuple[Path, list[str], list[tuple[int, list[str]]]]:
    path = shared_data / "usgs_mcs2025" / "world_data" / "MCS2025_World_Data.csv"
    header, rows = _csv_rows(path, "utf-8-sig")
    return path, header, rows


def test_world_titanium_reserves_split_by_world_total_row(shared_data):
    path, header, rows = _mcs2025_world(shared_data)
    c_com, c_cty, c_type = (header.index(c) for c in ("COMMODITY", "COUNTRY", "TYPE"))
    c_res = header.index("RESERVES_2024")
    obs = read_mcs_world_data(path)
    res = obs[(obs["commodity_source"] == "Titanium Mineral Concentrates")]
    res = res[res["measure"] == "reserves"]
    totals = [
        (line, r)
        for line, r in rows
        if r[c_com].startswith("Titanium Mineral") and r[c_cty].startswith("World total")
    ]
    assert len(totals) == 3
    series_of = {}
    for line, r in totals:
        (s,) = res.loc[res["source_row"] == line, "series"]
        series_of[line] = s
        assert res.loc[res["source_row"] == line, "value"].item() == _num(r[c_res])
    assert len(set(series_of.values())) == 3  # each total is a series of its own
    # the ilmenite and rutile totals close the country rows of their own TYPE
    for line, r in totals[:2]:
        expected = sum(
            _num(x[c_res])
            for _, x in rows
            if x[c_com] == r[c_com]
            and x[c_type] == r[c_type]
            and not x[c_cty].startswith("World")
            and x[c_res].strip()
        )
        got = res[
            (res["series"] == series_of[line]) & (~res["country_source"].str.startswith("World"))
        ]["value"]
        assert got.sum() == pytest.approx(expected)


def test_world_unlabelled_first_row_joins_the_table_it_opens(shared_data):
    # soda ash: the U.S. row is 'Soda ash, natural, mine production', the rest of its table
    # (closed by 'World total (rounded), natural') 'Mine production, natural'
    path, header, rows = _mcs2025_world(shared_data)
    c_com, c_cty, c_type = (header.index(c) for c in ("COMMODITY", "COUNTRY", "TYPE"))
    obs = read_mcs_world_data(path)
    soda = obs[(obs["commodity_source"] == "Soda ash") & (obs["measure"] == "production")]
    ((us_line, us),) = [
        (line, r) for line, r in rows if r[c_com] == "Soda ash" and r[c_cty] == "United States"
    ]
    nat_line, nat = next(
        (line, r) for line, r in rows if r[c_com] == "Soda ash" and "natural" in r[c_cty]
    )
    assert us[c_type] != nat[c_type]
    us_obs = soda[soda["source_row"] == us_line]
    assert set(us_obs["series"]) == set(soda.loc[soda["source_row"] == nat_line, "series"])
    assert us_obs["note"].str.contains(us[c_type], regex=False).all()


def test_commodities_country_qualifiers_join_the_world_table(shared_data):
    # talc 2024: country labels 'Mine production: crude', ': steatite', ... and the total
    # 'Mine production: rounded' form one table
    path = shared_data / "usgs_mcs2026" / "MCS2026_Commodities_Data.csv"
    header, rows = _csv_rows(path, "cp1252")
    h = {n: j for j, n in enumerate(header)}
    block = [
        (line, r)
        for line, r in rows
        if r[h["Commodity"]] == "Talc And Pyrophyllite"
        and r[h["Section"]].startswith("World")
        and r[h["Statistics"]] == "Production"
        and r[h["Year"]] == "2024"
    ]
    assert len({r[h["Statistics_detail"]] for _, r in block}) > 2
    obs = read_mcs_commodities(path)
    got = obs[obs["source_row"].isin([line for line, _ in block])]
    assert len(got) == len(block)
    assert got["series"].nunique() == 1
    world = got[got["country_source"] == "World total"]["value"].item()
    others = got[got["country_source"] != "World total"]["value"].sum()
    assert world == _num(block[-1][1][h["Value"]])
    assert others == pytest.approx(sum(_num(r[h["Value"]]) for _, r in block[:-1]))
    qualified = got[got["note"].str.contains("published as", na=False)]
    assert len(qualified) == sum(":" in r[h["Statistics_detail"]] for _, r in block[:-1])
