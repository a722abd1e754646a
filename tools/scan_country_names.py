# ruff: noqa: T201  (a command-line tool: printing is its output)
"""List every distinct country spelling in every source file, per source.

This is how ``src/critmin/catalog/countries.csv``, ``country_aliases.csv`` and
``aggregates.csv`` are maintained: run it after adding a source (or a new edition) and
add a row to ``country_aliases.csv`` for every spelling it reports as unresolved.

Usage::

    .venv/bin/python tools/scan_country_names.py              # every spelling, per source
    .venv/bin/python tools/scan_country_names.py --unresolved # only what the catalog misses
    .venv/bin/python tools/scan_country_names.py --data ../shared/data --methods ../shared/methods

Names are passed through :func:`critmin.ingest._common.clean_name` (NBSP, runs of
spaces, glued footnote digits) before they are listed, exactly as the ingest layer does.
The ``source`` shown beside each field is the value to pass to
:func:`critmin.catalog.to_iso3`.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data"
DEFAULT_METHODS = REPO.parent / "shared" / "methods"


@dataclass(frozen=True)
class Field:
    """One country field of one source file."""

    source: str  # the ``source`` argument for to_iso3
    root: str  # "data" or "methods"
    path: str  # relative to root
    column: str | int  # header name, or 0-based position when the header is unusable
    encoding: str = "utf-8-sig"
    kind: str = "name"  # "name", "iso3", "code" (numeric / source code)
    reader: str = "csv"  # "csv", "iea_grid"


#: Every country field of every source.  Keep in step with tests/catalog/test_countries.py.
FIELDS: list[Field] = [
    # USGS MCS 2026
    Field("usgs", "data", "usgs_mcs2026/MCS2026_Commodities_Data.csv", "Country", "cp1252"),
    Field(
        "usgs",
        "data",
        "usgs_mcs2026/industry_trends/MCS2026_Fig3_Major_Import_Sources.csv",
        "Import_Source_2021_24",
    ),
    Field(
        "usgs",
        "data",
        "usgs_mcs2026/industry_trends/MCS2026_T4_Country_Export_Control.csv",
        "Country",
    ),
    Field(
        "usgs", "data", "usgs_mcs2026/industry_trends/MCS2026_T5_Trade_Agreements.csv", "Country"
    ),
    # USGS MCS 2025
    Field("usgs", "data", "usgs_mcs2025/world_data/MCS2025_World_Data.csv", "COUNTRY"),
    Field(
        "usgs",
        "data",
        "usgs_mcs2025/industry_trends/MCS2025_Fig3_Major_Import_Sources.csv",
        "Country",
    ),
    # World Mining Data
    Field("wmd", "data", "world_mining_data/wmd_production_2018_2024.csv", "country"),
    Field(
        "wmd", "data", "world_mining_data/wmd_production_2018_2024.csv", "country_iso3", kind="iso3"
    ),
    Field(
        "wmd", "data", "world_mining_data/wmd_production_2018_2024.csv", "country_code", kind="code"
    ),
    # CEPII BACI
    Field("baci", "data", "baci_minerals/country_codes_V202401b.csv", "country_code", kind="code"),
    Field("baci", "data", "baci_minerals/country_codes_V202401b.csv", "country_name"),
    Field("baci", "data", "baci_minerals/country_codes_V202401b.csv", "country_iso3", kind="iso3"),
    Field(
        "baci",
        "data",
        "concordance/BACI_country_codes_V202201.csv",
        "country_code",
        "cp1252",
        kind="code",
    ),
    Field(
        "baci",
        "data",
        "concordance/BACI_country_codes_V202201.csv",
        "country_name_abbreviation",
        "cp1252",
    ),
    Field(
        "baci", "data", "concordance/BACI_country_codes_V202201.csv", "country_name_full", "cp1252"
    ),
    Field(
        "baci",
        "data",
        "concordance/BACI_country_codes_V202201.csv",
        "iso_3digit_alpha",
        "cp1252",
        kind="iso3",
    ),
    # World Bank WGI
    Field(
        "wgi", "data", "wgi/wgidataset_2024release_fullprecision_from_xlsx.csv", "code", kind="code"
    ),
    Field("wgi", "data", "wgi/wgidataset_2024release_fullprecision_from_xlsx.csv", "countryname"),
    Field("wgi", "data", "concordance/correspondence_BACI_WGI.csv", "country", kind="code"),
    Field("wgi", "data", "concordance/correspondence_BACI_WGI.csv", "Country/Territory"),
    # IEA Critical Minerals Data Explorer (presentation grid: labels in columns 0 and 6)
    Field(
        "iea",
        "data",
        "iea_critical_minerals/sheets_csv/2_Total_supply_for_key_minerals.csv",
        0,
        reader="iea_grid",
    ),
    Field(
        "iea",
        "data",
        "iea_critical_minerals/sheets_csv/2_Total_supply_for_key_minerals.csv",
        6,
        reader="iea_grid",
    ),
    # policy lists and OECD country risk
    Field("policy", "data", "policy/country_groups.csv", "member_as_published"),
    Field("oecd", "data", "oecd_crc_2026/oecd_crc_2026.csv", "country"),
    Field("oecd", "data", "oecd_crc_2026/oecd_crc_2026.csv", "iso3", kind="iso3"),
    # UN Comtrade extracts
    Field(
        "comtrade",
        "data",
        "trade/comtrade_china_exports_qennis/deep_dive_hs6_monthly.csv",
        "partner_name",
    ),
    Field(
        "comtrade",
        "data",
        "trade/comtrade_china_exports_qennis/country_monthly_stats.csv",
        "partner_name",
    ),
    # hpham210: header misaligned, position 6 = reporterISO, 7 = reporterDesc (see PROVENANCE 5b)
    Field(
        "comtrade",
        "data",
        "trade/comtrade_2023_reporter_world_hpham210/trade_data.csv",
        6,
        kind="iso3",
    ),
    Field("comtrade", "data", "trade/comtrade_2023_reporter_world_hpham210/trade_data.csv", 7),
    Field(
        "comtrade",
        "data",
        "trade/comtrade_2023_reporter_world_hpham210/trade_data.csv",
        11,
        kind="iso3",
    ),
    Field("comtrade", "data", "trade/comtrade_2023_reporter_world_hpham210/trade_data.csv", 12),
    # validation tables (methods)
    Field("eu_crm", "methods", "validation/eu_crm_2023_trade_parameters_t.csv", "country"),
    Field("geopolrisk", "methods", "validation/geopolrisk_wgi_normalization_2022.csv", "country"),
    Field(
        "geopolrisk",
        "methods",
        "validation/geopolrisk_wgi_normalization_2022.csv",
        "iso3",
        kind="iso3",
    ),
]

_QUAD = "trade/comtrade_quad_imports_areeshafirdaus01/sheets_csv/p3_minerals_quad_{}__Sheet1.csv"
FIELDS += [
    Field("comtrade", "data", _QUAD.format(part), col, kind=kind)
    for part in ("china", "world")
    for col, kind in (
        ("reporterDesc", "name"),
        ("reporterISO", "iso3"),
        ("partnerDesc", "name"),
        ("partnerISO", "iso3"),
    )
]

#: IEA grid rows that are not country labels (section titles are 'Copper - Mining' etc.).
IEA_NON_COUNTRY = {"Top 3 share"}


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _rows(path: Path, encoding: str) -> Iterator[list[str]]:
    opener: Callable[..., io.TextIOBase]
    if path.suffix == ".gz":
        opener = gzip.open
    else:
        opener = open
    with opener(path, "rt", encoding=encoding, newline="") as fh:
        yield from csv.reader(fh)


def read_field(field: Field, data: Path, methods: Path) -> list[str]:
    """Return the raw values (one per data row) of one field."""
    root = data if field.root == "data" else methods
    rows = _rows(root / field.path, field.encoding)
    header = next(rows)
    if field.reader == "iea_grid":
        out = []
        col = int(field.column)
        for row in rows:
            cell = row[col].strip() if len(row) > col else ""
            nxt = row[col + 1].strip() if len(row) > col + 1 else ""
            if not cell or cell in IEA_NON_COUNTRY or not _is_number(nxt):
                continue  # spacer, title, section heading ('Copper - Mining'), notes
            out.append(cell)
        return out
    col = field.column if isinstance(field.column, int) else header.index(field.column)
    return [row[col] for row in rows if len(row) > col]


def scan(data: Path = DEFAULT_DATA, methods: Path = DEFAULT_METHODS) -> dict[Field, Counter]:
    """Return, per field, a Counter of cleaned spellings."""
    from critmin.ingest._common import clean_name

    out: dict[Field, Counter] = {}
    for field in FIELDS:
        values = read_field(field, data, methods)
        # codes are only stripped: clean_name would cut 'S19' to 'S' (footnote rule)
        clean = clean_name if field.kind == "name" else (lambda v: str(v).strip())
        out[field] = Counter(c for c in (clean(v) for v in values) if c)
    return out


def main(argv: list[str] | None = None) -> int:
    """Print the spellings per source (optionally only the unresolved ones)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--methods", type=Path, default=DEFAULT_METHODS)
    ap.add_argument(
        "--unresolved",
        action="store_true",
        help="only list spellings critmin.catalog.to_iso3 does not resolve",
    )
    args = ap.parse_args(argv)

    import pandas as pd

    from critmin.catalog import country_aliases, to_iso3
    from critmin.catalog.countries import _key

    al = country_aliases()
    non_country = al[al["kind"] == "non_country"]
    total_missing = 0
    for field, counts in scan(args.data, args.methods).items():
        skip = {
            _key(a)
            for a, src in zip(non_country["alias"], non_country["source"], strict=True)
            if field.source in src.split(";")
        }
        names = sorted(counts)
        resolved = to_iso3(pd.Series(names, dtype=object), source=field.source)
        rows = []
        for name, code in zip(names, resolved, strict=True):
            if _key(name) in skip:
                label = "(not a country)"
            elif pd.isna(code):
                label = "UNRESOLVED"
                total_missing += 1
            else:
                label = code
            if not args.unresolved or label == "UNRESOLVED":
                rows.append((name, label))
        if not rows:
            continue
        print(
            f"\n## {field.root}/{field.path} [{field.column}] source={field.source!r} "
            f"({len(counts)} distinct)"
        )
        for name, label in rows:
            print(f"  {name!r:55} -> {label:15} ({counts[name]} rows)")
    print(f"\n{total_missing} unresolved spelling(s)")
    return 1 if total_missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
