"""Column layouts of the built dataset's tables (the package's own schema).

Each table is a parquet file in the dataset folder.  Every row carries ``source_id`` (the
source file, relative to the source data folder) and ``source_row`` (its 1-based line in
that file, header = line 1), so any figure leads back to where it was published.
"""

from __future__ import annotations

#: table name -> {column: description}.  Rendered in docs/data.md.
TABLES: dict[str, dict[str, str]] = {
    "observations": {
        "dataset": "source edition id (usgs_mcs2026, usgs_mcs2025, wmd, iea_cmde_2024, user:NAME)",
        "commodity_id": "catalog commodity id (critmin.catalog)",
        "commodity_source": "commodity name as published",
        "series": "published series label (e.g. 'Mine production')",
        "stage": "supply-chain stage: mine, refinery, smelter, processing, primary, ...",
        "measure": "production, capacity, reserves, imports, exports, consumption, ...",
        "country_iso3": "ISO3 code, or an aggregate code (WLD world total, ROW other countries)",
        "country_source": "country name as published",
        "year": "calendar year [year]",
        "value": "the figure, in `unit`, on `basis`; null where withheld / not available",
        "unit": "canonical unit symbol (t, kt, kg, %, USD/t, ...)",
        "basis": "content basis (lithium content, REO, gross weight, ...); '' if not stated",
        "flag": "';'-joined flags: withheld, not_available, zero, estimated, lower_bound, ...",
        "note": "the source's note for the row",
        "source_id": "source file, relative to the source data folder",
        "source_row": "1-based line number in the source file (header = 1)",
    },
    "trade": {
        "year": "calendar year [year]",
        "exporter_iso3": "exporter ISO3",
        "importer_iso3": "importer ISO3",
        "hs6": "HS 6-digit product code (HS92 nomenclature for BACI HS92)",
        "commodity_id": "catalog commodity the HS6 code belongs to",
        "value_kusd": "trade value [thousand current USD]",
        "quantity_t": "quantity [t]; null where the source has none",
        "source_id": "source file",
        "source_row": "1-based line number in the source file",
    },
    "china_exports": {
        "year": "calendar year [year]",
        "exporter_iso3": "always CHN (the file's only reporter)",
        "importer_iso3": "partner ISO3 (39 partners in the file)",
        "importer_source": "partner name as published",
        "hs6": "HS 6-digit code in the HS edition of the year (e.g. 811292, 380110)",
        "value_kusd": "trade value, months summed [thousand current USD]",
        "quantity_t": "quantity, months summed [t]; null where a month has no quantity",
        "months": "number of monthly rows summed [count]",
        "source_id": "source file",
        "source_row": "1-based line of the first month summed",
    },
    "trade_world": {
        "year": "calendar year [year]",
        "reporter_iso3": "reporting country ISO3",
        "flow": "imports or exports (partner: World)",
        "hs": "HS code as published: 6 digits, or a 4-digit heading (e.g. 7502)",
        "description": "the code's description from BACI's HS12 code list (a heading: its subheadings)",
        "mineral_source": "the extract author's mineral label(s), ';'-joined",
        "value_kusd": "trade value, Comtrade primaryValue [thousand current USD]",
        "quantity_t": "net weight [t]; null where not reported",
        "source_id": "source file",
        "source_row": "1-based line number in the source file",
    },
    "governance": {
        "country_iso3": "ISO3 code",
        "country_source": "WGI code as published",
        "year": "calendar year [year]",
        "indicator": "WGI dimension: va, pv, ge, rq, rl, cc",
        "estimate": "WGI estimate [-2.5 .. 2.5, approx.]",
        "stddev": "standard error of the estimate",
        "nsource": "number of sources",
        "pctrank": "percentile rank [0..100]",
        "source_id": "source file",
        "source_row": "1-based line number in the source file",
    },
}

#: Small policy / reference tables (columns documented by their readers in ingest/policy.py).
POLICY_TABLES = (
    "export_controls",
    "agreements",
    "end_uses",
    "import_sources",
    "groups",
    "critical_lists",
    "sector_map",
)
