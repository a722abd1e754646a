"""Commodities: one id per commodity, and how every source names it.

Two shipped tables, loaded once and cached:

``commodities.csv``
    One row per commodity.  ``commodity_id`` is a lower-case slug (``lithium``,
    ``rare_earths``, ``platinum_group_metals``, ``neodymium``).  Columns:

    * ``name``, ``kind`` (``element`` | ``group`` | ``material``), ``parent`` (the group or
      element family it belongs to: ``neodymium -> light_rare_earths -> rare_earths``,
      ``bauxite -> bauxite_and_alumina -> aluminium``), ``symbol`` (element symbol);
    * ``usgs_2026_chapter`` (MCS 2026 'MCS chapter') and ``usgs_2026_name`` (MCS 2026
      'Commodity'); ``usgs_2025_name`` (MCS 2025 salient 'Commodity'; the World_Data
      spellings that differ are aliases); ``wmd_names`` (World Mining Data tables,
      ``;``-joined); ``iea_name``; ``eu_2023_name`` (EU CRM 2023 study 'material');
      ``us_2022_name``, ``us_2025_name`` (USGS critical-minerals lists);
      ``india_2023_name`` (India's 30 critical minerals);
    * ``hs6`` and ``hs6_complementary`` -- HS92 6-digit codes as named in World Mining
      Data's ``hs_code_map.csv`` ('HS Code' and 'HS Code - Complementary'); every one occurs
      in the BACI extract (column ``k``).  A code belongs to the commodity that has it in
      ``hs6``; 270112 is also a complementary code of steam coal.  BACI code 711290
      (waste and scrap of precious metals other than gold and platinum) is named by no
      source and is left unmapped;
    * ``on_us_2022_list``, ``on_us_2025_list``, ``on_eu_2023_list``, ``on_india_2023_list``
      -- derived from the list files: true when the list names the commodity, names a
      group it belongs to (for the EU, only the members the EU table lists under the
      group), or names one of its members; false when the list names it as not critical;
    * ``note``.

``commodity_aliases.csv``
    ``alias, commodity_id, kind, source, note``.  ``kind`` is ``name`` (resolves
    everywhere), ``symbol`` (element symbol), ``source`` (resolves only for
    :func:`commodity_id_for` with that source: MCS 2025 World_Data ``'Bauxite'`` covers
    bauxite *and* alumina) or ``non_commodity`` (a token found in a commodity column that
    is not a commodity; resolves to NaN on purpose).

Matching ignores case, accents, underscores, hyphens and dashes, and runs of spaces.
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
from critmin.errors import UnknownCommodity

__all__ = [
    "COMMODITY_SOURCES",
    "commodities",
    "commodity_aliases",
    "commodity_id_for",
    "hs6_codes",
    "members",
    "resolve_commodity",
]

logger = logging.getLogger(__name__)

#: Source ids understood by :func:`commodity_id_for`, with the catalog columns that hold
#: each source's names.  A dataset id starting with one of the keys (or a synonym in
#: ``_SOURCE_SYNONYMS``, e.g. ``"usgs_mcs2026"``) selects that source.
COMMODITY_SOURCES: dict[str, tuple[str, ...]] = {
    "usgs_2026": ("usgs_2026_chapter", "usgs_2026_name"),
    "usgs_2025": ("usgs_2025_name",),
    "wmd": ("wmd_names",),
    "baci": ("hs6", "hs6_complementary"),
    "iea": ("iea_name",),
    "eu_2023": ("eu_2023_name",),
    "us_2022": ("us_2022_name",),
    "us_2025": ("us_2025_name",),
    "india_2023": ("india_2023_name",),
    "seed": (),
    "comtrade": (),
}
_SOURCE_SYNONYMS = {
    "usgs_mcs2026": "usgs_2026",
    "usgs_mcs2025": "usgs_2025",
    "world_mining_data": "wmd",
    "hs6": "baci",
    "hs92": "baci",
    "eu_crm": "eu_2023",
    "india": "india_2023",
}
_NAME_COLUMNS = (
    "usgs_2026_chapter",
    "usgs_2026_name",
    "usgs_2025_name",
    "wmd_names",
    "iea_name",
    "eu_2023_name",
    "us_2022_name",
    "us_2025_name",
    "india_2023_name",
)
_FLAG_COLUMNS = ("on_us_2022_list", "on_us_2025_list", "on_eu_2023_list", "on_india_2023_list")
_DASHES = str.maketrans({"_": " ", "-": " ", "\u2013": " ", "\u2014": " ", "\u00a0": " "})


@cache
def _commodities() -> pd.DataFrame:
    df = read_table("commodities.csv")
    for col in _FLAG_COLUMNS:
        df[col] = df[col].map({"true": True, "false": False}).astype(bool)
    return df


@cache
def _aliases() -> pd.DataFrame:
    return read_table("commodity_aliases.csv")


def commodities() -> pd.DataFrame:
    """Return the commodity table (one row per commodity; see the module docstring).

    Returns
    -------
    pandas.DataFrame
        String columns (``""`` where a source does not name the commodity) and four
        boolean ``on_*_list`` columns.  A copy.

    Examples
    --------
    >>> df = commodities().set_index("commodity_id")
    >>> df.loc["neodymium", ["parent", "symbol"]].tolist()
    ['light_rare_earths', 'Nd']
    """
    return _commodities().copy()


def commodity_aliases() -> pd.DataFrame:
    """Return the alias table (``alias, commodity_id, kind, source, note``)."""
    return _aliases().copy()


def _key(text: object) -> str:
    s = unicodedata.normalize("NFKD", str(text).translate(_DASHES))
    s = "".join(c for c in s if not unicodedata.combining(c))
    return " ".join(s.casefold().split())


def _split(cell: str) -> list[str]:
    return [p.strip() for p in cell.split(";") if p.strip()]


def _source_family(source: str | None) -> str | None:
    if source is None:
        return None
    s = str(source).strip().lower()
    for prefix, fam in _SOURCE_SYNONYMS.items():
        if s.startswith(prefix):
            return fam
    for fam in sorted(COMMODITY_SOURCES, key=len, reverse=True):
        if s.startswith(fam):
            return fam
    if s.startswith("usgs_mcs"):
        # a newer MCS edition than the catalog knows (e.g. usgs_mcs2027): USGS keeps its
        # chapter names from year to year, so read it with the newest known edition's names
        return max(f for f in COMMODITY_SOURCES if f.startswith("usgs_"))
    raise ValueError(
        f"unknown commodity source {source!r}; use one of {sorted(COMMODITY_SOURCES)} (or a "
        "dataset id such as 'usgs_mcs2026'), or source=None for names only."
    )


def _add(idx: dict[str, str], text: str, cid: str, what: str) -> None:
    k = _key(text)
    if not k:
        return
    if k in idx and idx[k] != cid:
        raise AssertionError(f"catalog clash: {what} {text!r} maps to {idx[k]} and {cid}")
    idx[k] = cid


@cache
def _global_index() -> dict[str, str]:
    """Key -> commodity_id for ids, names, every source's names, name and symbol aliases."""
    idx: dict[str, str] = {}
    c = _commodities()
    for cid, name in zip(c["commodity_id"], c["name"], strict=True):
        _add(idx, cid, cid, "id")
        _add(idx, name, cid, "name")
    for col in _NAME_COLUMNS:
        for cid, cell in zip(c["commodity_id"], c[col], strict=True):
            for text in _split(cell):
                _add(idx, text, cid, col)
    al = _aliases()
    keep = al["kind"].isin(["name", "symbol"])
    for alias, cid in zip(al.loc[keep, "alias"], al.loc[keep, "commodity_id"], strict=True):
        _add(idx, alias, cid, "alias")
    return idx


@cache
def _source_index(family: str) -> dict[str, str]:
    """Key -> commodity_id (``""`` = known non-commodity) from one source's own names."""
    idx: dict[str, str] = {}
    c = _commodities()
    cols = COMMODITY_SOURCES[family]
    if family == "baci":
        # main codes first: a code belongs to the commodity that has it as its main code
        for col in cols:
            for cid, cell in zip(c["commodity_id"], c[col], strict=True):
                for code in _split(cell):
                    idx.setdefault(code, cid)
        return idx
    for col in cols:
        for cid, cell in zip(c["commodity_id"], c[col], strict=True):
            for text in _split(cell):
                _add(idx, text, cid, col)
    al = _aliases()
    scoped = al[al["kind"].isin(["source", "non_commodity"])]
    for alias, cid, src in zip(
        scoped["alias"], scoped["commodity_id"], scoped["source"], strict=True
    ):
        if family in src.split(";"):
            idx[_key(alias)] = cid
    return idx


def _hs_key(value: object) -> str | None:
    s = str(value).strip()
    if s.endswith(".0"):
        s = s[:-2]
    return s.zfill(6) if s.isdigit() and len(s) <= 6 else None


def _lookup(value: object, family: str | None) -> str | float:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return np.nan
    if family is not None:
        scoped = _source_index(family)
        k = _hs_key(value) if family == "baci" else _key(value)
        hit = scoped.get(k) if k is not None else None
        if hit is not None:
            return hit or np.nan
        if family == "baci" and k is not None:
            return np.nan  # an HS code the catalog does not map
    return _global_index().get(_key(value), np.nan)


def commodity_id_for(names: Iterable[object] | pd.Series, source: str | None = None) -> pd.Series:
    """Map source commodity names (or BACI HS6 codes) to commodity ids, vectorised.

    Parameters
    ----------
    names : iterable or pandas.Series
        Names as published (``clean_name`` applied), or HS92 codes for ``source="baci"``
        (int or str; ``250410`` or ``"250410"``).
    source : str, optional
        One of :data:`COMMODITY_SOURCES` (``"usgs_2026"``, ``"usgs_2025"``, ``"wmd"``,
        ``"baci"``, ``"iea"``, ``"eu_2023"``, ``"us_2022"``, ``"us_2025"``,
        ``"india_2023"``, ``"seed"``, ``"comtrade"``) or a dataset id such as
        ``"usgs_mcs2026"``.  The source's own names and aliases are tried first, then the
        names valid everywhere.

    Returns
    -------
    pandas.Series
        Commodity ids (object dtype), NaN where the catalog has no such commodity; same
        index as `names` when it is a Series.

    Raises
    ------
    ValueError
        If `source` is not a known source.

    Examples
    --------
    >>> commodity_id_for(["Gemanium", "Rare earths", "Bauxite"], source="usgs_2025").tolist()
    ['germanium', 'rare_earths', 'bauxite_and_alumina']
    >>> commodity_id_for([283691, "284690"], source="baci").tolist()
    ['lithium', 'rare_earths']
    """
    family = _source_family(source)
    values = names if isinstance(names, pd.Series) else pd.Series(list(names), dtype=object)
    obj = values.astype(object)
    table = {u: _lookup(u, family) for u in pd.unique(obj) if not pd.isna(u)}
    out = obj.map(table).astype(object).rename("commodity_id")
    missing = sorted(str(u) for u, cid in table.items() if isinstance(cid, float))
    if missing:
        logger.info(
            "commodity_id_for(source=%r): %d unmapped name(s): %s",
            source,
            len(missing),
            missing[:20],
        )
    return out


def _candidates() -> list[str]:
    c = _commodities()
    al = _aliases()
    return list(c["commodity_id"]) + list(c["name"]) + list(al.loc[al["kind"] == "name", "alias"])


def resolve_commodity(name: str) -> str:
    """Resolve user input (id, name, any source's name, alias or element symbol).

    Parameters
    ----------
    name : str
        E.g. ``"lithium"``, ``"Li"``, ``"rare earths"``, ``"REE"``, ``"Nd"``, ``"PGM"``.

    Returns
    -------
    str
        The commodity id.

    Raises
    ------
    UnknownCommodity
        If nothing matches; the message suggests the nearest ids, names and aliases.

    Examples
    --------
    >>> resolve_commodity("REE"), resolve_commodity("Nd"), resolve_commodity("Li")
    ('rare_earths', 'neodymium', 'lithium')
    """
    cid = _global_index().get(_key(name)) if name is not None else None
    if not cid:
        raise UnknownCommodity(str(name), _candidates())
    return cid


@cache
def _children() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    c = _commodities()
    for cid, parent in zip(c["commodity_id"], c["parent"], strict=True):
        if parent:
            out.setdefault(parent, []).append(cid)
    return out


def _descendants(cid: str) -> list[str]:
    out: list[str] = []
    for child in _children().get(cid, []):
        out.append(child)
        out.extend(_descendants(child))
    return out


def members(commodity_id: str) -> list[str]:
    """Return the commodities that belong to a group or element family (not groups themselves).

    Recursive: ``members("rare_earths")`` lists the rare-earth elements of both the light
    and the heavy group.  A commodity without members gives ``[]``.

    Parameters
    ----------
    commodity_id : str
        Any input :func:`resolve_commodity` accepts.

    Examples
    --------
    >>> "neodymium" in members("rare_earths")
    True
    >>> members("zirconium_and_hafnium")
    ['hafnium', 'zirconium']
    """
    cid = resolve_commodity(commodity_id)
    kinds = dict(zip(_commodities()["commodity_id"], _commodities()["kind"], strict=True))
    return [d for d in _descendants(cid) if kinds[d] != "group"]


def hs6_codes(commodity_id: str, include_members: bool = True) -> list[str]:
    """Return the HS92 6-digit codes used for a commodity's trade.

    Parameters
    ----------
    commodity_id : str
        Any input :func:`resolve_commodity` accepts.
    include_members : bool, default True
        Add the codes of the commodity's members (``platinum_group_metals`` -> the
        platinum, palladium and rhodium codes).

    Returns
    -------
    list of str
        Main codes first, then complementary ones, then members' codes; no duplicates.
        Empty where no source names a code (e.g. gallium).

    Examples
    --------
    >>> hs6_codes("lithium")
    ['282520', '283691']
    """
    cid = resolve_commodity(commodity_id)
    c = _commodities().set_index("commodity_id")
    ids = [cid] + (_descendants(cid) if include_members else [])
    out: list[str] = []
    for i in ids:
        for code in _split(c.at[i, "hs6"]) + _split(c.at[i, "hs6_complementary"]):
            if code not in out:
                out.append(code)
    return out
