"""Commodity catalog: every source's commodity names map to exactly one commodity id.

Source files are read at test time from ``../shared/data`` and ``../shared/methods`` with the
csv module; what cannot map is listed in the failure message (or documented below).
"""

from __future__ import annotations

import csv
import gzip
import re
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from critmin.catalog import (
    commodities,
    commodity_aliases,
    commodity_id_for,
    hs6_codes,
    members,
    resolve_commodity,
)
from critmin.catalog.commodities import COMMODITY_SOURCES, _global_index, _key
from critmin.errors import UnknownCommodity
from critmin.ingest._common import clean_name

MCS26 = "usgs_mcs2026/MCS2026_Commodities_Data.csv"
TRENDS26 = "usgs_mcs2026/industry_trends/"
TRENDS25 = "usgs_mcs2025/industry_trends/"

#: BACI HS6 codes no source assigns to a commodity.
UNMAPPED_HS6 = {"711290": "waste and scrap of precious metals other than gold or platinum"}
#: HS6 codes named for two commodities by hs_code_map (main code of the first).
SHARED_HS6 = {"270112": ("coking_coal", "steam_coal")}


def _dict_rows(path: Path, encoding: str = "utf-8-sig") -> list[dict[str, str]]:
    with open(path, encoding=encoding, newline="") as fh:
        return list(csv.DictReader(fh))


def _distinct(rows: list[dict[str, str]], column: str) -> list[str]:
    return sorted({clean_name(r[column]) for r in rows if clean_name(r[column])})


def _assert_maps(names: list[str], source: str, where: str, allow: set[str] = frozenset()):
    ids = commodity_id_for(pd.Series(names, dtype=object), source=source)
    missing = [n for n, i in zip(names, ids, strict=True) if pd.isna(i) and n not in allow]
    assert not missing, f"{where}: no commodity for {missing}"
    return dict(zip(names, ids, strict=True))


def _non_commodities(source: str) -> set[str]:
    al = commodity_aliases()
    al = al[al["kind"] == "non_commodity"]
    return {a for a, s in zip(al["alias"], al["source"], strict=True) if source in s.split(";")}


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return commodities().set_index("commodity_id")


# ---------------------------------------------------------------- critical-mineral lists


def test_india_30_resolve(shared_data, table):
    names = _distinct(
        _dict_rows(shared_data / "policy/india_critical_minerals_2023.csv"), "mineral_as_published"
    )
    assert len(names) == 30
    got = _assert_maps(names, "india_2023", "India 2023 list")
    for name, cid in got.items():
        assert table.at[cid, "india_2023_name"] == name
        assert table.at[cid, "on_india_2023_list"], cid
        assert resolve_commodity(name) == cid
    assert got["REE"] == "rare_earths" and got["PGE"] == "platinum_group_metals"


def test_us_lists_resolve(shared_methods, table):
    rows = _dict_rows(shared_methods / "validation/usgs_critical_minerals_lists_2022_2025.csv")
    on25 = [r["mineral"].strip() for r in rows if r["on_2025_final_list"].startswith("yes")]
    on22 = [r["mineral"].strip() for r in rows if r["on_2022_list"].startswith("yes")]
    assert len(on25) == 60 and len(on22) == 50
    got25 = _assert_maps(on25, "us_2025", "US 2025 list")
    got22 = _assert_maps(on22, "us_2022", "US 2022 list")
    assert len(set(got25.values())) == 60
    for name, cid in got25.items():
        assert table.at[cid, "us_2025_name"] == name and table.at[cid, "on_us_2025_list"]
    for name, cid in got22.items():
        assert table.at[cid, "us_2022_name"] == name and table.at[cid, "on_us_2022_list"]
    assert got25["Metallurgical coal"] == "coking_coal"
    assert got25["Phosphate"] == "phosphate_rock"


def test_eu_2023_list_resolves(shared_methods, table):
    rows = _dict_rows(shared_methods / "validation/eu_crm_2023_results.csv")
    got = _assert_maps([r["material"] for r in rows], "eu_2023", "EU 2023 study")
    assert len(set(got.values())) == len(rows)
    group = None
    for r in rows:
        cid, flag = got[r["material"]], r["on_official_2023_CRM_list_per_cbs.nl"]
        assert table.at[cid, "eu_2023_name"] == r["material"]
        if flag.startswith("n/a (member of group)"):
            # members follow their group in the file: HREE, LREE, PGM
            assert group is not None and cid in members(group)
            assert table.at[cid, "on_eu_2023_list"] == table.at[group, "on_eu_2023_list"]
            continue
        group = cid if table.at[cid, "kind"] == "group" else None
        assert table.at[cid, "on_eu_2023_list"] == (flag == "yes"), cid
    assert got["HREE"] == "heavy_rare_earths" and got["LREE"] == "light_rare_earths"


def test_us_2025_flag_agrees_with_mcs2026_column(shared_data):
    """MCS2026 'Is critical mineral 2025' per (chapter, commodity) == on_us_2025_list."""
    rows = _dict_rows(shared_data / MCS26, "cp1252")
    pairs = Counter(
        (clean_name(r["Commodity"]), r["Is critical mineral 2025"])
        for r in rows
        if r["Is critical mineral 2025"] in ("Yes", "No")
    )
    names = sorted({p[0] for p in pairs})
    ids = dict(zip(names, commodity_id_for(names, source="usgs_2026"), strict=True))
    flags = commodities().set_index("commodity_id")["on_us_2025_list"]
    bad = [(n, f) for (n, f) in pairs if bool(flags[ids[n]]) != (f == "Yes")]
    assert not bad


# ---------------------------------------------------------------- USGS


def test_every_mcs2026_chapter_maps_to_exactly_one_commodity(shared_data, table):
    rows = _dict_rows(shared_data / MCS26, "cp1252")
    chapters = _distinct(rows, "MCS chapter")
    assert len(chapters) == 89
    got = _assert_maps(chapters, "usgs_2026", "MCS2026 chapters")
    col = Counter(table["usgs_2026_chapter"])
    assert all(col[ch] == 1 for ch in chapters)
    assert len(set(got.values())) == 89
    assert got["RARE EARTHS"] == "rare_earths" and got["CEMENT"] == "cement"


def test_every_mcs2026_commodity_maps_within_its_chapter(shared_data):
    rows = _dict_rows(shared_data / MCS26, "cp1252")
    pairs = sorted({(clean_name(r["MCS chapter"]), clean_name(r["Commodity"])) for r in rows})
    chapter_id = commodity_id_for([p[0] for p in pairs], source="usgs_2026")
    commodity = commodity_id_for([p[1] for p in pairs], source="usgs_2026")
    assert commodity.notna().all(), [p for p, c in zip(pairs, commodity, strict=True) if pd.isna(c)]
    for (ch, name), ch_id, cid in zip(pairs, chapter_id, commodity, strict=True):
        assert cid == ch_id or cid in members(ch_id) or ch_id in _ancestors(cid), (ch, name)


def _ancestors(cid: str) -> list[str]:
    parent = commodities().set_index("commodity_id")["parent"]
    out = []
    while parent[cid]:
        cid = parent[cid]
        out.append(cid)
    return out


def test_mcs2025_world_data_and_salient_map(shared_data):
    world = _distinct(
        _dict_rows(shared_data / "usgs_mcs2025/world_data/MCS2025_World_Data.csv"), "COMMODITY"
    )
    got = _assert_maps(world, "usgs_2025", "MCS2025 World_Data")
    assert got["Gemanium"] == "germanium"
    assert got["Bauxite"] == "bauxite_and_alumina"  # holds alumina refinery rows too
    salient = set()
    for f in sorted((shared_data / "usgs_mcs2025/salient_commodity").glob("*_salient.csv")):
        salient |= set(_distinct(_dict_rows(f), "Commodity"))
    assert len(salient) == 85
    got = _assert_maps(sorted(salient), "usgs_2025", "MCS2025 salient")
    assert len(set(got.values())) == 85


@pytest.mark.parametrize(
    "relpath,column,source",
    [
        (TRENDS26 + "MCS2026_Fig3_Major_Import_Sources.csv", "Commodity", "usgs_2026"),
        (TRENDS26 + "MCS2026_T6_Critical_Minerals_End_Use.csv", "Critical_Mineral", "usgs_2026"),
        (TRENDS26 + "MCS2026_Fig10_Price_Growth_Rates.csv", "critical_mineral_priced", "usgs_2026"),
        (TRENDS26 + "MCS2026_Fig11_Pch_Consump_2024_2025.csv", "Mineral_Commodity", "usgs_2026"),
        (TRENDS26 + "MCS2026_Fig12_Pch_Consump_2021_2025.csv", "Mineral_Commodity", "usgs_2026"),
        (TRENDS26 + "MCS2026_Fig13_Scrap.csv", "Scrap_type", "usgs_2026"),
        (TRENDS25 + "MCS2025_T4_Critical_Minerals_End_Use.csv", "Critical Mineral", "usgs_2025"),
        (TRENDS25 + "MCS2025_Fig10_Price_Growth_Rates.csv", "critical_mineral_priced", "usgs_2025"),
        (TRENDS25 + "MCS2025_Fig11_Pch_Consump_2023_2024.csv", "Mineral_Commodity", "usgs_2025"),
        (TRENDS25 + "MCS2025_Fig12_Pch_Consump_2020_2024.csv", "Mineral_Commodity", "usgs_2025"),
    ],
    ids=lambda v: v.split("/")[-1] if "/" in str(v) else str(v),
)
def test_usgs_figure_names_map(shared_data, relpath, column, source):
    names = _distinct(_dict_rows(shared_data / relpath), column)
    _assert_maps(names, source, relpath, allow=_non_commodities(source))


# ---------------------------------------------------------------- WMD, BACI, IEA, others


def test_every_wmd_table_maps_to_exactly_one_commodity(shared_data, table):
    tables = _distinct(
        _dict_rows(shared_data / "world_mining_data/wmd_production_2018_2024.csv", "utf-8"),
        "commodity",
    )
    assert len(tables) >= 65
    _assert_maps(tables, "wmd", "WMD tables")
    listed = Counter(n for cell in table["wmd_names"] for n in cell.split(";") if n)
    assert {t: listed[t] for t in tables} == dict.fromkeys(tables, 1)


def test_hs_code_map_rows_are_on_their_commodity(shared_data, table):
    rows = _dict_rows(shared_data / "world_mining_data/hs_code_map.csv", "utf-8")
    ids = commodity_id_for([r["Sheet_name"] for r in rows], source="wmd")
    for r, cid in zip(rows, ids, strict=True):
        main = [c for c in r["HS Code"].split(";") if c.strip() and c != "Not Available"]
        comp = [c for c in r["HS Code - Complementary"].split(";") if c.strip()]
        assert table.at[cid, "hs6"].split(";") == (main or [""]), r["Sheet_name"]
        assert table.at[cid, "hs6_complementary"].split(";") == (comp or [""])


@pytest.fixture(scope="module")
def baci_k(shared_data) -> list[str]:
    with gzip.open(shared_data / "baci_minerals/baci_hs92_minerals_1995_2024.csv.gz", "rt") as f:
        reader = csv.reader(f)
        k = next(reader).index("k")
        return sorted({row[k] for row in reader})


def test_every_baci_k_code_maps_to_exactly_one_commodity(baci_k, table):
    assert len(baci_k) == 74
    ids = commodity_id_for(baci_k, source="baci")
    unmapped = {k for k, i in zip(baci_k, ids, strict=True) if pd.isna(i)}
    assert unmapped == set(UNMAPPED_HS6)
    main = Counter(c for cell in table["hs6"] for c in cell.split(";") if c)
    comp = Counter(c for cell in table["hs6_complementary"] for c in cell.split(";") if c)
    for k, cid in zip(baci_k, ids, strict=True):
        if k in UNMAPPED_HS6:
            continue
        if k in SHARED_HS6:
            assert (
                cid,
                *[i for i in table.index if k in table.at[i, "hs6_complementary"]],
            ) == SHARED_HS6[k]
            continue
        assert main[k] + comp[k] == 1, k
    # every code the catalog names is a BACI HS92 product code in the extract
    named = set(main) | set(comp)
    assert named <= set(baci_k)
    assert all(re.fullmatch(r"\d{6}", c) for c in named)


def test_iea_names_map(shared_data):
    base = shared_data / "iea_critical_minerals/sheets_csv"
    labels = set()
    with open(base / "3_2_Cleantech_demand_by_mineral.csv", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    labels |= {r[0].strip() for r in rows[5:] if r and r[0].strip() and r[1].strip()}
    with open(base / "2_Total_supply_for_key_minerals.csv", encoding="utf-8") as f:
        for r in csv.reader(f):
            for cell in (r[0], r[6]) if len(r) > 6 else r[:1]:
                if " - " in cell:
                    labels.add(cell.split(" - ")[0].strip())
    with open(base / "1_Total_demand_for_key_minerals.csv", encoding="utf-8") as f:
        labels |= {
            r[0].strip()
            for r in csv.reader(f)
            if r
            and r[0].strip()
            and not any(c.strip() for c in r[1:20])
            and not r[0].startswith(("Demand", "Notes"))
        }
    labels.discard("Total")  # sheet 3.2: the sum over all minerals, not a commodity
    assert len(labels) >= 40
    got = _assert_maps(sorted(labels), "iea", "IEA sheets")
    assert got["Magnet rare earth elements"] == "magnet_rare_earths"
    assert got["Total rare earth elements"] == "rare_earths"
    assert got["Graphite (all grades: natural and synthetic)"] == "graphite"


def test_seed_and_trade_extract_names_map(shared_data):
    seed = _distinct(_dict_rows(shared_data / "policy/seed_element_sector_map.csv"), "element")
    got = _assert_maps(seed, "seed", "seed map", allow=_non_commodities("seed"))
    assert got["Rare earths (magnets)"] == "magnet_rare_earths"
    groups = _distinct(
        _dict_rows(
            shared_data / "trade/comtrade_china_exports_qennis/country_monthly_stats.csv", "utf-8"
        ),
        "broad_group",
    )
    _assert_maps(groups, "comtrade", "qennis broad groups", allow=_non_commodities("comtrade"))
    with open(
        shared_data / "trade/comtrade_2023_reporter_world_hpham210/trade_data.csv", encoding="utf-8"
    ) as f:
        minerals = sorted({r[47] for r in list(csv.reader(f))[1:]})
    _assert_maps(minerals, "comtrade", "hpham210 Mineral column")


# ---------------------------------------------------------------- table integrity


def test_commodity_table_is_well_formed(table):
    assert table.index.is_unique
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", i) for i in table.index)
    assert set(table["kind"]) == {"element", "group", "material"}
    assert set(table["parent"]) - {""} <= set(table.index)
    for cid in table.index:  # no cycles
        assert cid not in _ancestors(cid)
    assert (
        table.loc[table["kind"] == "group"].index.isin(table["parent"])
        | (table.index[table["kind"] == "group"] == "magnet_rare_earths")
    ).all()
    assert table["name"].is_unique
    for col in (
        "usgs_2026_chapter",
        "usgs_2026_name",
        "usgs_2025_name",
        "iea_name",
        "eu_2023_name",
        "us_2025_name",
        "india_2023_name",
    ):
        vals = table.loc[table[col] != "", col]
        assert vals.is_unique, col
    sym = table.loc[table["symbol"] != "", "symbol"]
    assert sym.is_unique and (table.loc[sym.index, "kind"] == "element").all()


def test_alias_table_is_consistent(table):
    al = commodity_aliases()
    assert set(al["kind"]) <= {"name", "symbol", "source", "non_commodity"}
    assert set(al.loc[al["kind"] != "non_commodity", "commodity_id"]) <= set(table.index)
    assert (al.loc[al["kind"] == "non_commodity", "commodity_id"] == "").all()
    keys = al["alias"].map(_key)
    assert not keys.duplicated().any(), al[keys.duplicated(keep=False)]
    valid = set(COMMODITY_SOURCES) | {"common", "symbol"}
    assert all(set(s.split(";")) <= valid for s in al["source"])
    symbols = al[al["kind"] == "symbol"]
    assert (
        dict(zip(symbols["commodity_id"], symbols["alias"], strict=True))
        == table.loc[table["symbol"] != "", "symbol"].to_dict()
    )
    _global_index()  # raises if two ids share a name, alias or symbol


def test_every_id_name_and_alias_round_trips(table):
    for cid, name in zip(table.index, table["name"], strict=True):
        assert resolve_commodity(cid) == cid
        assert resolve_commodity(name) == cid
    al = commodity_aliases()
    for alias, cid in zip(al["alias"], al["commodity_id"], strict=True):
        kind = al.loc[al["alias"] == alias, "kind"].item()
        if kind in ("name", "symbol"):
            assert resolve_commodity(alias) == cid, alias


# ---------------------------------------------------------------- user-facing API


@pytest.mark.parametrize(
    "text,cid",
    [
        ("lithium", "lithium"),
        ("Lithium", "lithium"),
        ("Li", "lithium"),
        (" LITHIUM ", "lithium"),
        ("rare earths", "rare_earths"),
        ("Rare Earths", "rare_earths"),
        ("REE", "rare_earths"),
        ("REEs", "rare_earths"),
        ("rare_earths", "rare_earths"),
        ("Nd", "neodymium"),
        ("neodymium", "neodymium"),
        ("Co", "cobalt"),
        ("PGM", "platinum_group_metals"),
        ("Platinum-group metals", "platinum_group_metals"),
        ("aluminum", "aluminium"),
        ("Gemanium", "germanium"),
        ("natural graphite", "graphite"),
        ("HREE", "heavy_rare_earths"),
        ("Bauxite", "bauxite"),
        ("cement", "cement"),
        ("Sand and gravel (industrial)", "sand_and_gravel_industrial"),
    ],
)
def test_resolve_commodity(text, cid):
    assert resolve_commodity(text) == cid


def test_ree_spellings_agree():
    assert resolve_commodity("REE") == resolve_commodity("rare earths") == "rare_earths"


def test_unknown_commodity_suggests():
    with pytest.raises(UnknownCommodity) as err:
        resolve_commodity("lithum")
    assert "lithium" in str(err.value)
    assert isinstance(err.value, KeyError) and isinstance(err.value, ValueError)


def test_members():
    ree = members("rare_earths")
    assert "neodymium" in ree and "dysprosium" in ree and "yttrium" in ree
    assert len(ree) == 15
    assert set(members("light_rare_earths")) == {
        "cerium",
        "lanthanum",
        "neodymium",
        "praseodymium",
        "samarium",
    }
    assert set(members("platinum_group_metals")) == {
        "iridium",
        "osmium",
        "palladium",
        "platinum",
        "rhodium",
        "ruthenium",
    }
    assert members("lithium") == []
    assert members("REE") == ree


def test_hs6_codes():
    assert hs6_codes("lithium") == ["282520", "283691"]
    assert hs6_codes("rare_earths") == ["284690", "284610", "280530"]
    assert set(hs6_codes("platinum_group_metals")) >= {"711011", "711021", "711031"}
    assert hs6_codes("platinum_group_metals", include_members=False) == []
    assert hs6_codes("gallium") == []


def test_commodity_id_for_sources():
    assert commodity_id_for(["Bauxite"], source="usgs_2026").tolist() == ["bauxite"]
    assert commodity_id_for(["Bauxite"], source="usgs_mcs2025").tolist() == ["bauxite_and_alumina"]
    assert commodity_id_for([250410, "250490"], source="baci").tolist() == ["graphite"] * 2
    assert commodity_id_for(["711290", "999999"], source="baci").isna().all()
    assert commodity_id_for(["Commodity"], source="usgs_2025").isna().all()
    assert commodity_id_for(["Unobtainium"]).isna().all()
    s = pd.Series(["Lithium (Li2O)", None], index=[5, 6])
    out = commodity_id_for(s, source="world_mining_data")
    assert out.index.tolist() == [5, 6] and out.iloc[0] == "lithium" and pd.isna(out.iloc[1])
    with pytest.raises(ValueError, match="unknown commodity source"):
        commodity_id_for(["Lithium"], source="nowhere")
