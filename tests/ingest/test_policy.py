"""Tests of critmin.ingest.policy: hand-written fixtures, bad inputs, and the real files."""

from __future__ import annotations

import csv
import datetime as dt
import math
import re
import shutil
from pathlib import Path

import pytest

from critmin.errors import DataError, ParseError
from critmin.ingest import policy
from critmin.ingest.policy import (
    AGREEMENT_COLUMNS,
    CRITICAL_LIST_COLUMNS,
    END_USE_COLUMNS,
    EXPORT_CONTROL_COLUMNS,
    GROUP_COLUMNS,
    IMPORT_SOURCE_COLUMNS,
    IMPORT_SOURCE_COUNT_COLUMNS,
    SECTOR_MAP_COLUMNS,
    read_agreements,
    read_all_policy,
    read_country_groups,
    read_critical_lists,
    read_end_uses,
    read_export_controls,
    read_import_source_counts,
    read_import_sources,
    read_sector_map,
    split_commodity_years,
)

T4 = "usgs_mcs2026/industry_trends/MCS2026_T4_Country_Export_Control.csv"
T5 = "usgs_mcs2026/industry_trends/MCS2026_T5_Trade_Agreements.csv"
T6 = "usgs_mcs2026/industry_trends/MCS2026_T6_Critical_Minerals_End_Use.csv"
T4_2025 = "usgs_mcs2025/industry_trends/MCS2025_T4_Critical_Minerals_End_Use.csv"
FIG3 = "usgs_mcs2026/industry_trends/MCS2026_Fig3_Major_Import_Sources.csv"
FIG3_2025 = "usgs_mcs2025/industry_trends/MCS2025_Fig3_Major_Import_Sources.csv"
GROUPS = "policy/country_groups.csv"
INDIA = "policy/india_critical_minerals_2023.csv"
SECTORS = "policy/seed_element_sector_map.csv"
US_LISTS = "usgs_critical_minerals_lists_2022_2025.csv"
EU_LIST = "eu_crm_2023_results.csv"

T4_HEADER = "Country,Control_Type,Commodity_Year,Data_source,Notes\n"
T5_HEADER = "Country,Agreement,Signing_date,Signing_date,Focus_area,Source\n"
FIG3_HEADER = "Source,Commodity,Import_Source_2021_24,Percent,NIR,Critical_Mineral\n"


@pytest.fixture()
def fx(fixtures: Path) -> Path:
    """The hand-written data folder."""
    return fixtures / "policy" / "data"


@pytest.fixture()
def fx_methods(fixtures: Path) -> Path:
    """The hand-written methods/validation folder."""
    return fixtures / "policy" / "methods" / "validation"


def raw_rows(path: Path) -> list[dict[str, str]]:
    """Independent read: the csv module, BOM stripped, no cleaning."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def write(tmp_path: Path, name: str, text: str, *, bom: bool = True) -> Path:
    """Write a small bad-input file (BOM + LF, like the real tables)."""
    p = tmp_path / name
    p.write_bytes((("\ufeff" if bom else "") + text).encode("utf-8"))
    return p


# ------------------------------------------------------------------------------------------
# T4 export controls: fixture
# ------------------------------------------------------------------------------------------


def test_export_controls_fixture_items_and_years(fx: Path) -> None:
    df = read_export_controls(fx / T4)
    got = list(
        df[["country_source", "commodity_source", "year_imposed", "qualifier"]].itertuples(
            index=False, name=None
        )
    )
    assert got == [
        # "Tin ore (2019), bauxite (2021), and cobalt concentrates (2021)."
        ("Freedonia", "Tin ore", 2019, ""),
        ("Freedonia", "bauxite", 2021, ""),
        ("Freedonia", "cobalt concentrates", 2021, ""),
        # "Raw minerals, including lead, tin, and zinc (2022)."
        ("Ruritania", "lead", 2022, "Raw minerals"),
        ("Ruritania", "tin", 2022, "Raw minerals"),
        ("Ruritania", "zinc", 2022, "Raw minerals"),
        # "Ores and concentrates of chromium and vanadium (2018)."
        ("Elbonia", "chromium", 2018, "Ores and concentrates"),
        ("Elbonia", "vanadium", 2018, "Ores and concentrates"),
        # "Copper waste and scrap (2021) and slag containing cobalt and nickel (2024)."
        ("Genovia", "Copper waste and scrap", 2021, ""),
        ("Genovia", "slag containing cobalt and nickel", 2024, ""),
        # "Nickel (matte and mixed hydroxide) and aluminum ingots (2020)."
        ("Latveria", "Nickel (matte and mixed hydroxide)", 2020, ""),
        ("Latveria", "aluminum ingots", 2020, ""),
        # "Manganese (2019),\nand natural graphite (2020)."  (a two-line quoted cell)
        ("Wakanda", "Manganese", 2019, ""),
        ("Wakanda", "natural graphite", 2020, ""),
        # "Raw materials of iron, manganese, and rare earths and refined tin (2014)."
        ("Sokovia", "iron", 2014, "Raw materials"),
        ("Sokovia", "manganese", 2014, "Raw materials"),
        ("Sokovia", "rare earths", 2014, "Raw materials"),
        ("Sokovia", "refined tin", 2014, ""),
    ]


def test_export_controls_fixture_rows_columns_and_provenance(fx: Path) -> None:
    df = read_export_controls(fx / T4)
    assert list(df.columns) == EXPORT_CONTROL_COLUMNS
    assert df["year_imposed"].dtype == "int64"
    assert df["source_row"].dtype == "int64"
    assert set(df["source_id"]) == {T4}
    first_line = df.groupby("country_source", sort=False)["source_row"].first().to_dict()
    # Wakanda's record spans lines 7-8, so Sokovia starts on line 9.
    assert first_line == {
        "Freedonia": 2,
        "Ruritania": 3,
        "Elbonia": 4,
        "Genovia": 5,
        "Latveria": 6,
        "Wakanda": 7,
        "Sokovia": 9,
    }
    genovia = df[df.country_source == "Genovia"].iloc[0]
    assert genovia["control_type"] == "Temporary export ban"  # trailing space dropped
    assert genovia["commodity_phrase"] == (
        "Copper waste and scrap (2021) and slag containing cobalt and nickel (2024)."
    )
    wakanda = df[df.country_source == "Wakanda"].iloc[0]
    assert wakanda["commodity_phrase"] == "Manganese (2019), and natural graphite (2020)."
    latveria = df[df.country_source == "Latveria"].iloc[0]
    assert latveria["url"] == "https://example.org/latveria,decree-12"
    assert latveria["note"].startswith("Excludes controls that were lifted.")


def test_split_commodity_years_single_item() -> None:
    assert split_commodity_years("Natural sand (2023).") == [("Natural sand", 2023, "")]


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("Bauxite (23).", "year (23) in 'Bauxite (23).' is not a 4-digit year"),
        ("Bauxite (2023, 2024).", "year (2023, 2024) in 'Bauxite (2023, 2024).' is not a 4-digit"),
        ("Bauxite and nickel ore.", "no '(YYYY)' year in 'Bauxite and nickel ore.'"),
        ("Bauxite (2023) and nickel ore.", "text 'and nickel ore' after the last year"),
        ("(2023) Bauxite.", "year (2023) in '(2023) Bauxite.' has no commodity before it"),
        ("Bauxite, , and tin (2023).", "empty item in the list"),
    ],
)
def test_export_controls_bad_commodity_cell(tmp_path: Path, cell: str, message: str) -> None:
    p = write(tmp_path, "MCS2026_T4.csv", T4_HEADER + f'Freedonia,Export ban,"{cell}",u,n\n')
    with pytest.raises(ParseError) as err:
        read_export_controls(p)
    assert message in str(err.value)
    assert err.value.row == 2
    assert err.value.column == "Commodity_Year"
    assert str(p) in str(err.value)


def test_export_controls_empty_country(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        "t4.csv",
        T4_HEADER + "Freedonia,Export ban,Tin (2020).,u,n\n ,Export ban,Tin (2021).,u,n\n",
    )
    with pytest.raises(ParseError, match=r"line 3, column 'Country': empty 'Country'"):
        read_export_controls(p)


def test_export_controls_missing_column(tmp_path: Path) -> None:
    p = write(
        tmp_path, "t4.csv", "Country,Control_Type,Commodity,Data_source,Notes\nA,B,C (2020),u,n\n"
    )
    with pytest.raises(ParseError, match=r"line 1: missing column\(s\) \['Commodity_Year'\]"):
        read_export_controls(p)


def test_ragged_row_is_refused(tmp_path: Path) -> None:
    p = write(tmp_path, "t4.csv", T4_HEADER + "Freedonia,Export ban,Tin (2020).,u,n,extra\n")
    with pytest.raises(ParseError, match=r"line 2: 6 fields where the header has 5"):
        read_export_controls(p)


def test_missing_file_is_a_data_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="file not found"):
        read_export_controls(tmp_path / "nope.csv")


# ------------------------------------------------------------------------------------------
# T5 agreements
# ------------------------------------------------------------------------------------------


def test_agreements_fixture(fx: Path) -> None:
    df = read_agreements(fx / T5)
    assert list(df.columns) == AGREEMENT_COLUMNS
    got = list(
        df[["country_source", "signed", "signed_precision", "source_row"]].itertuples(
            index=False, name=None
        )
    )
    assert got == [
        ("Freedonia", dt.date(2024, 3, 14), "day", 2),
        ("Ruritania", dt.date(2025, 2, 1), "month", 3),  # '25-Feb' + '2025-02'
        ("Elbonia and Genovia", dt.date(2023, 6, 5), "day", 4),
        ("Latveria", dt.date(2022, 12, 1), "day", 5),
    ]
    assert df.loc[2, "agreement"] == "Trilateral Cooperation"
    assert df.loc[3, "agreement"].endswith("Supply Chains, and Promote Investment")
    assert df.loc[0, "focus_area"] == "Mining, processing, refining."
    assert df.loc[0, "url"] == "https://example.org/freedonia-framework"
    assert (df["note"] == "").all()


def test_agreements_dates_disagree(tmp_path: Path) -> None:
    p = write(tmp_path, "t5.csv", T5_HEADER + "Freedonia,Framework,14-Mar-24,2024-03-15,F,u\n")
    with pytest.raises(ParseError) as err:
        read_agreements(p)
    assert "the two Signing_date cells disagree: '14-Mar-24' vs '2024-03-15'" in str(err.value)
    assert (err.value.row, err.value.column) == (2, "Signing_date")


def test_agreements_erratum_only_for_the_listed_row(tmp_path: Path) -> None:
    body = "Japan and Republic of Korea,Trilateral Cooperation ,23-Aug,2025-09-23,C,u\n"
    df = read_agreements(write(tmp_path, "ok.csv", T5_HEADER + body))
    assert df.loc[0, "signed"] == dt.date(2025, 9, 23)
    assert "disagree" in df.loc[0, "note"]
    other = body.replace("Japan and Republic of Korea", "Freedonia")
    with pytest.raises(ParseError, match="disagree: '23-Aug' vs '2025-09-23'"):
        read_agreements(write(tmp_path, "bad.csv", T5_HEADER + other))


@pytest.mark.parametrize(
    ("short", "iso", "message"),
    [
        ("14/03/2024", "2024-03-14", "date '14/03/2024' is not in the form '20-Oct-25'"),
        ("14-Mar-24", "14-03-2024", "date '14-03-2024' is not an ISO date"),
        ("30-Feb-24", "2024-02-28", "date '30-Feb-24' is not in the form"),
        ("", "", "no signing date in either Signing_date column"),
    ],
)
def test_agreements_bad_dates(tmp_path: Path, short: str, iso: str, message: str) -> None:
    p = write(tmp_path, "t5.csv", T5_HEADER + f"Freedonia,Framework,{short},{iso},F,u\n")
    with pytest.raises(ParseError, match=re.escape(message)):
        read_agreements(p)


def test_agreements_header_is_positional(tmp_path: Path) -> None:
    p = write(
        tmp_path, "t5.csv", "Country,Agreement,Signing_date,Focus_area,Source\nA,B,1-Jan-25,F,u\n"
    )
    with pytest.raises(ParseError, match=r"line 1: header .* the columns are read by position"):
        read_agreements(p)


# ------------------------------------------------------------------------------------------
# End uses
# ------------------------------------------------------------------------------------------


def test_end_uses_both_header_spellings(fx: Path) -> None:
    new = read_end_uses(fx / T6)
    old = read_end_uses(fx / T4_2025)  # 'Critical Mineral' with a space; CRLF
    assert list(new.columns) == END_USE_COLUMNS == list(old.columns)
    assert list(new["commodity_source"]) == ["Tin", "Cerium", "Ytterbium"]
    assert new.loc[1, "applications"] == "Catalysts, glass, and polishing compounds."
    assert new.loc[1, "category_note"] == "Included in the Rare Earths chapter."
    assert set(new["edition"]) == {"MCS2026"}
    assert list(old["commodity_source"]) == ["Tin", "Rhodium"]
    assert list(old["source_row"]) == [2, 3]
    assert set(old["edition"]) == {"MCS2025"}
    assert set(old["source_id"]) == {T4_2025}


def test_end_uses_empty_mineral(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        "MCS2026_T6.csv",
        "Source,Critical_Mineral,Primary_Applications,Category_Note\nMCS2026,,Solder.,\n",
    )
    with pytest.raises(ParseError, match=r"line 2, column 'Critical_Mineral': empty"):
        read_end_uses(p)


# ------------------------------------------------------------------------------------------
# Fig3 import sources
# ------------------------------------------------------------------------------------------


def test_import_sources_fixture(fx: Path) -> None:
    df = read_import_sources(fx / FIG3)
    assert list(df.columns) == IMPORT_SOURCE_COLUMNS
    assert set(df["period"]) == {"2021\u201324"}
    assert set(df["edition"]) == {"MCS2026"}
    tin = df[df.commodity_source == "Tin"]
    assert list(tin["country_source"]) == ["Freedonia", "Ruritania", "Other"]
    assert list(tin["share_pct"]) == [60.0, 25.0, 15.0]
    assert set(tin["nir_pct"]) == {50.0} and set(tin["nir_flag"]) == {"lower_bound"}
    zinc = df[df.commodity_source == "Zinc, refined"]
    assert zinc["nir_pct"].isna().all() and set(zinc["nir_flag"]) == {"net_exporter"}
    cesium = df[df.commodity_source == "Cesium"].iloc[0]
    assert (cesium["country_source"], cesium["country_flag"]) == ("", "not_available")
    assert (cesium["share_pct"], cesium["nir_pct"]) == (100.0, 100.0)
    assert not cesium["critical"]
    hafnium = df[df.commodity_source == "Hafnium"].iloc[0]
    assert math.isnan(hafnium["share_pct"]) and hafnium["share_flag"] == "not_available"
    assert df["critical"].dtype == "boolean"
    assert list(df["critical"]) == [True] * 5 + [False, True]
    assert list(df["source_row"]) == list(range(2, 9))


def test_import_sources_bad_percent(tmp_path: Path) -> None:
    p = write(tmp_path, "MCS2026_Fig3.csv", FIG3_HEADER + "MCS2026,Tin,Freedonia,sixty,50,Y\n")
    with pytest.raises(ParseError) as err:
        read_import_sources(p)
    assert "non-numeric value 'sixty'" in str(err.value)
    assert (err.value.row, err.value.column) == (2, "Percent")


def test_import_sources_bad_flag_and_empty_country(tmp_path: Path) -> None:
    p = write(tmp_path, "a.csv", FIG3_HEADER + "MCS2026,Tin,Freedonia,60,50,maybe\n")
    with pytest.raises(ParseError, match="Critical_Mineral is 'maybe'; expected Y or N"):
        read_import_sources(p)
    p = write(tmp_path, "b.csv", FIG3_HEADER + "MCS2026,Tin,,60,50,Y\n")
    with pytest.raises(ParseError, match="column 'Import_Source_2021_24': empty"):
        read_import_sources(p)


def test_import_source_counts_fixture_and_dispatch(fx: Path) -> None:
    with pytest.raises(ParseError, match=r"Read it with read_import_source_counts\(\)"):
        read_import_sources(fx / FIG3_2025)
    df = read_import_source_counts(fx / FIG3_2025)
    assert list(df.columns) == IMPORT_SOURCE_COUNT_COLUMNS
    assert list(
        df[["country_source", "commodity_count", "map_class"]].itertuples(index=False, name=None)
    ) == [
        ("Freedonia", 21, "19 to 24"),
        ("Ruritania", 2, "1 to 3"),
    ]
    # The Source cells say MCS2024; the file belongs to the MCS2025 release.
    assert set(df["edition"]) == {"MCS2025"}


# ------------------------------------------------------------------------------------------
# Groups, lists, sector map
# ------------------------------------------------------------------------------------------


def test_country_groups_fixture_adds_trust(fx: Path) -> None:
    df = read_country_groups(fx / GROUPS)
    assert list(df.columns) == GROUP_COLUMNS
    assert list(df.loc[df.group_id == "FMP", "member_as_published"]) == [
        "Freedonia",
        "Ruritania",
        "Elbonian Union",
    ]
    trust = df[df.group_id == "TRUST"]
    assert list(trust["member_as_published"]) == ["India", "United States"]
    assert set(trust["source_id"]) == {"../seed/000_47c4aec9adbe95c9.txt"}
    assert list(df.loc[~df.group_id.isin(["TRUST", "MSP"]), "source_row"]) == [2, 3, 4, 5, 6]
    # the official MSP list is added like TRUST, with its lines in critmin's catalog table
    msp = df[df.group_id == "MSP"]
    assert set(msp["source_id"]) == {"critmin/catalog/groups.csv"}
    assert list(msp["source_row"]) == list(range(2, 2 + len(msp)))
    plain = read_country_groups(fx / GROUPS, include_trust=False)
    assert "TRUST" not in set(plain["group_id"])


def test_country_groups_trust_not_duplicated(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        "groups.csv",
        "group_id,group_name,member_as_published,as_of,source\nTRUST,TRUST,India,2025-02,s\n",
        bom=False,
    )
    assert list(read_country_groups(p, official=False)["member_as_published"]) == ["India"]


def test_country_groups_empty_member(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        "g.csv",
        "group_id,group_name,member_as_published,as_of,source\nFMP,F,,2025,s\n",
        bom=False,
    )
    with pytest.raises(ParseError, match="line 2, column 'member_as_published': empty"):
        read_country_groups(p)


def test_critical_lists_fixture(fx: Path, fx_methods: Path) -> None:
    df = read_critical_lists(fx)  # methods folder found beside the data folder
    assert list(df.columns) == CRITICAL_LIST_COLUMNS
    by_list = {k: list(v) for k, v in df.groupby("list_id")["commodity_source"]}
    assert by_list == {
        "india_2023": ["Antimony", "PGE", "REE", "Phosphorous"],
        "us_2022": ["Antimony", "Tin"],
        "us_2025": ["Antimony", "Tin", "Copper"],
        "eu_2023": ["Antimony", "LREE"],
    }
    us25 = df[df.list_id == "us_2025"].set_index("commodity_source")
    assert (
        us25.loc["Antimony", "note"] == "derived: 2022 list + 1 addition = 3; no removals implied"
    )
    assert us25.loc["Copper", "note"] == ""
    assert us25.loc["Copper", "source_row"] == 4
    assert set(df.loc[df.list_id == "eu_2023", "source_id"]) == {
        "../methods/validation/eu_crm_2023_results.csv"
    }
    assert df.equals(read_critical_lists(fx, methods_dir=fx_methods))


def test_critical_lists_bad_flag_and_strategic_column(
    tmp_path: Path, fx: Path, fx_methods: Path
) -> None:
    data = tmp_path / "data"
    shutil.copytree(fx, data)
    methods = tmp_path / "methods" / "validation"
    shutil.copytree(fx_methods, methods)
    eu = methods / EU_LIST
    with eu.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    rows[0].append("on_strategic_list")
    for r, flag in zip(rows[1:], ["yes", "yes", "no", "no"], strict=True):
        r.append(flag)
    with eu.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    df = read_critical_lists(data)
    assert list(df.loc[df.list_id == "eu_2023_strategic", "commodity_source"]) == [
        "Antimony",
        "Copper",
    ]

    us = methods / US_LISTS
    us.write_text(
        us.read_text(encoding="utf-8").replace("Gold,no,no", "Gold,no,maybe"), encoding="utf-8"
    )
    with pytest.raises(ParseError) as err:
        read_critical_lists(data)
    assert "'maybe' does not start with 'yes' or 'no'" in str(err.value)
    assert (err.value.row, err.value.column) == (5, "on_2025_final_list")


def test_sector_map_fixture(fx: Path) -> None:
    df = read_sector_map(fx / SECTORS)
    assert list(df.columns) == SECTOR_MAP_COLUMNS
    assert list(df["element"]) == ["Neodymium", "Silicon (ultra-pure)"]
    assert df.loc[0, "sector"] == "defence (missiles, radars)"


# ------------------------------------------------------------------------------------------
# read_all_policy
# ------------------------------------------------------------------------------------------

KEYS = {
    "export_controls",
    "agreements",
    "end_uses",
    "import_sources",
    "import_source_counts",
    "groups",
    "critical_lists",
    "sector_map",
}


def test_read_all_policy_fixture_prefers_newest_edition(
    tmp_path: Path, fx: Path, fx_methods: Path
) -> None:
    data = tmp_path / "data"
    shutil.copytree(fx, data)
    shutil.copytree(fx_methods, tmp_path / "methods" / "validation")
    out = read_all_policy(data)
    assert set(out) == KEYS
    assert set(out["export_controls"]["country_source"]) >= {"Freedonia", "Sokovia"}
    assert set(out["end_uses"]["edition"]) == {"MCS2025", "MCS2026"}
    assert len(out["end_uses"]) == 5
    assert set(out["import_sources"]["edition"]) == {"MCS2026"}
    assert set(out["import_source_counts"]["edition"]) == {"MCS2025"}

    newer = data / "usgs_mcs2027" / "industry_trends" / "MCS2027_T5_Country_Export_Control.csv"
    newer.parent.mkdir(parents=True)
    newer.write_bytes(("\ufeff" + T4_HEADER + "Genovia,Export ban,Tin (2026).,u,n\n").encode())
    out = read_all_policy(data)
    assert list(out["export_controls"]["country_source"]) == ["Genovia"]
    assert set(out["export_controls"]["source_id"]) == {
        "usgs_mcs2027/industry_trends/MCS2027_T5_Country_Export_Control.csv"
    }


def test_read_all_policy_missing_table(tmp_path: Path, fx: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(fx, data)
    (data / T5).unlink()
    with pytest.raises(DataError, match=r"no file matching 'MCS\[0-9\].*Trade_Agreements"):
        read_all_policy(data)


# ------------------------------------------------------------------------------------------
# Real files under ../shared/data
# ------------------------------------------------------------------------------------------


def test_real_export_controls(shared_data: Path) -> None:
    raw = raw_rows(shared_data / T4)
    df = read_export_controls(shared_data / T4)
    assert len(raw) == 19
    assert df["source_row"].nunique() == len(raw)
    for i, r in enumerate(raw):
        items = df[df.source_row == i + 2]
        assert len(items) >= 1, r["Country"]
        assert set(items["country_source"]) == {r["Country"].strip()}
        cell_years = {int(y) for y in re.findall(r"\b(\d{4})\b", r["Commodity_Year"])}
        assert cell_years == set(items["year_imposed"]), r["Country"]


def test_real_export_controls_china(shared_data: Path) -> None:
    (cell,) = [r["Commodity_Year"] for r in raw_rows(shared_data / T4) if r["Country"] == "China"]
    # Plain read: in China's cell every item is directly followed by its own year.
    expected = {
        (item.strip(), int(year))
        for item, year in re.findall(r"(?:^|,\s*)(?:and\s+)?([^,()]+?)\s*\((\d{4})\)", cell)
    }
    df = read_export_controls(shared_data / T4)
    china = df[df.country_source == "China"]
    assert set(zip(china["commodity_source"], china["year_imposed"], strict=True)) == expected
    assert len(china) == len(expected) == cell.count("(")
    years = dict(zip(china["commodity_source"].str.lower(), china["year_imposed"], strict=True))
    assert years["antimony"] == 2024
    assert years["gallium"] == years["germanium"] == years["graphite"] == 2023
    assert years["rare earths"] == 2025


def test_real_agreements(shared_data: Path) -> None:
    with open(shared_data / T5, encoding="utf-8-sig", newline="") as fh:
        raw = list(csv.reader(fh))
    assert raw[0].count("Signing_date") == 2
    df = read_agreements(shared_data / T5)
    assert len(df) == len(raw) - 1 == 9
    for (_, row), cells in zip(df.iterrows(), raw[1:], strict=True):
        iso = cells[3]
        assert row["signed"].isoformat()[: len(iso)] == iso
        assert row["signed_precision"] == ("day" if len(iso) == 10 else "month")
        assert row["country_source"] == cells[0].strip()
    # The one disagreeing row is resolved by the documented erratum, and only that one.
    assert list(df.loc[df.note != "", "source_row"]) == [7]


def test_real_end_uses(shared_data: Path) -> None:
    for rel, edition in [(T6, "MCS2026"), (T4_2025, "MCS2025")]:
        raw = raw_rows(shared_data / rel)
        df = read_end_uses(shared_data / rel)
        assert len(df) == len(raw)
        assert set(df["edition"]) == {edition}
        name_col = next(k for k in raw[0] if k.replace(" ", "_") == "Critical_Mineral")
        assert list(df["commodity_source"]) == [r[name_col].strip() for r in raw]


def test_real_import_sources_2026(shared_data: Path) -> None:
    raw = raw_rows(shared_data / FIG3)
    df = read_import_sources(shared_data / FIG3)
    assert len(df) == len(raw) == 191
    assert set(df["period"]) == {"2021\u201324"}
    shares = df.groupby("commodity_source")["share_pct"].sum()
    assert (shares <= 100).all(), shares[shares > 100]
    for (_, row), r in zip(df.iterrows(), raw, strict=True):
        if r["NIR"] == "NA":
            assert math.isnan(row["nir_pct"]) and row["nir_flag"] == "not_available"
        else:
            assert row["nir_pct"] == float(r["NIR"])
        assert row["critical"] == (r["Critical_Mineral"] == "Y")


def test_real_import_source_counts_2025(shared_data: Path) -> None:
    raw = raw_rows(shared_data / FIG3_2025)
    df = read_import_source_counts(shared_data / FIG3_2025)
    assert len(df) == len(raw)
    assert list(df["commodity_count"]) == [int(r["Commodity_Count"]) for r in raw]


def test_real_groups(shared_data: Path) -> None:
    raw = raw_rows(shared_data / GROUPS)
    df = read_country_groups(shared_data / GROUPS, official=False)
    assert len(df) == len(raw) + 2  # + TRUST
    msp_raw = sum(r["group_id"] == "MSP" for r in raw)
    assert (df.group_id == "MSP").sum() == msp_raw
    df = read_country_groups(shared_data / GROUPS)
    assert len(df) == len(raw) - msp_raw + 15 + 2  # the official MSP list replaces the seed's
    trust = df[df.group_id == "TRUST"]
    assert list(trust["member_as_published"]) == ["India", "United States"]
    seed = (shared_data / trust["source_id"].iloc[0]).resolve()
    lines = seed.read_text(encoding="utf-8").splitlines()
    cited = lines[int(trust["source_row"].iloc[0]) - 1]
    assert "Transforming Relationship Utilizing Strategic Technology (TRUST)" in cited
    assert lines[0].startswith("India and the United States have launched a bilateral initiative")


def test_msp_is_the_state_department_list_of_14_countries_and_the_eu(shared_data: Path) -> None:
    raw = raw_rows(shared_data / GROUPS)
    seed_msp = {r["member_as_published"] for r in raw if r["group_id"] == "MSP"}
    df = read_country_groups(shared_data / GROUPS)
    msp = df[df.group_id == "MSP"]
    members = set(msp["member_as_published"])
    assert len(members) == 15 and "European Union" in members  # "14 countries and the EU"
    assert members - seed_msp == {"Norway"}  # the seed article's list leaves Norway out
    assert set(msp["source_id"]) == {"critmin/catalog/groups.csv"}
    assert (
        msp["source"]
        .str.contains("https://2021-2025.state.gov/minerals-security-partnership/")
        .all()
    )
    for m in members:  # every member is named in the quoted sentence of the cited page
        assert m.replace("United Kingdom", "the United Kingdom") in msp["source"].iloc[0]


def test_real_critical_lists(shared_data: Path, shared_methods: Path) -> None:
    df = read_critical_lists(shared_data)
    n = df.groupby("list_id").size().to_dict()
    assert n["india_2023"] == len(raw_rows(shared_data / INDIA)) == 30
    us = raw_rows(shared_methods / "validation" / US_LISTS)
    assert n["us_2025"] == sum(r["on_2025_final_list"].lower().startswith("yes") for r in us)
    assert n["us_2022"] == sum(r["on_2022_list"].lower().startswith("yes") for r in us)
    eu = raw_rows(shared_methods / "validation" / EU_LIST)
    assert n["eu_2023"] == sum(r["on_official_2023_CRM_list_per_cbs.nl"] == "yes" for r in eu)
    assert set(n) == {"india_2023", "us_2022", "us_2025", "eu_2023"}  # no strategic column yet


def test_real_sector_map(shared_data: Path) -> None:
    df = read_sector_map(shared_data / SECTORS)
    assert len(df) == len(raw_rows(shared_data / SECTORS))


def test_real_read_all_policy_provenance(shared_data: Path) -> None:
    out = read_all_policy(shared_data)
    assert set(out) == KEYS
    for key, df in out.items():
        assert len(df) > 0, key
        assert df["source_row"].min() >= 1, key
        for sid in df["source_id"].unique():
            # critmin's own cited tables (catalog/groups.csv) live in the package
            root = Path(policy.__file__).parents[2] if sid.startswith("critmin/") else shared_data
            assert (root / sid).is_file(), (key, sid)
    assert set(out["end_uses"]["edition"]) == {"MCS2025", "MCS2026"}


def test_public_names() -> None:
    defined = {
        n
        for n, v in vars(policy).items()
        if not n.startswith("_")
        and ((callable(v) and getattr(v, "__module__", None) == policy.__name__) or n.isupper())
    }
    assert set(policy.__all__) == defined
