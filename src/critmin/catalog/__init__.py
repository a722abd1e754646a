"""The catalog: critmin's cross-source reference tables ("Rosetta stone").

* :mod:`critmin.catalog.countries` -- every source's country spelling or code -> ISO3 or a
  documented aggregate code (``WLD``, ``ROW``, ``EUU``, ...).
* :mod:`critmin.catalog.commodities` -- commodity ids and how each source names them
  (USGS chapter, WMD table, HS6 codes, IEA / EU / US / India list names, elements).
* :func:`wgi_stand_ins` -- territories without a WGI estimate and the state whose estimate
  they take, with the source (``wgi_stand_ins.csv``; used by GeoPolRisk).

The tables are CSV files shipped in this package and loaded once (cached); the functions
below return copies.  ``tools/scan_country_names.py`` lists every country spelling of every
source file and the ones the catalog misses.

Note: the functions :func:`countries` and :func:`commodities` are re-exported here and so
shadow the submodules of the same name as package attributes; import other module-level
names with ``from critmin.catalog.countries import SOURCES``.

Examples
--------
>>> from critmin.catalog import resolve_country, resolve_commodity, to_iso3
>>> resolve_country("South Korea"), resolve_commodity("REE")
('KOR', 'rare_earths')
>>> to_iso3(["Congo (Kinshasa)", "ZAR"], source="wgi").tolist()
['COD', 'COD']
"""

from critmin.catalog._territories import wgi_stand_ins
from critmin.catalog.commodities import (
    commodities,
    commodity_aliases,
    commodity_id_for,
    hs6_codes,
    members,
    resolve_commodity,
)
from critmin.catalog.countries import (
    aggregates,
    countries,
    country_aliases,
    country_name,
    is_aggregate,
    resolve_country,
    to_iso3,
)

__all__ = [
    # countries
    "aggregates",
    "countries",
    "country_aliases",
    "country_name",
    "is_aggregate",
    "resolve_country",
    "to_iso3",
    # commodities
    "commodities",
    "commodity_aliases",
    "commodity_id_for",
    "hs6_codes",
    "members",
    "resolve_commodity",
    # territories without a WGI estimate
    "wgi_stand_ins",
]
