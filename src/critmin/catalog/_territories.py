"""WGI stand-ins: which state's governance score a territory without its own WGI takes.

The World Bank WGI covers sovereign states and a few territories; BACI and World Mining Data
also report territories it does not cover (New Caledonia, a large nickel producer and
exporter; Gibraltar; Curaçao ...).  GeoPolRisk needs a political-stability score for every
trade partner (``docs/methods/geopolrisk.md``, "Partners without a WGI estimate").  The shipped
table ``wgi_stand_ins.csv`` names, per territory, the state whose estimate it takes and why,
with a citable source in every row:

* ``administering_state`` -- the administering power of the United Nations list of
  Non-Self-Governing Territories (2016), or the sovereign a cited government source names
  (Christmas Island: Australia, CIA World Factbook);
* ``same_entity`` -- the same economy under another code (BACI 490 "Other Asia, nes" =
  WGI "Taiwan, China", from the BACI-WGI crosswalk in ``../shared/data/concordance``).

Territories not in the table keep no estimate: the method's own missing-value rule applies
(g = 0.5, ``../shared/methods/03_geopolrisk.md`` §3.1), and the assessments list them.
"""

from __future__ import annotations

import logging
from functools import cache

import pandas as pd

from critmin.catalog._tables import read_table
from critmin.errors import DataError

__all__ = ["STAND_IN_RULES", "wgi_stand_ins"]

logger = logging.getLogger(__name__)

#: The rules a row of ``wgi_stand_ins.csv`` may state.
STAND_IN_RULES = ("administering_state", "same_entity")

_COLUMNS = ["territory_iso3", "territory", "wgi_iso3", "rule", "source"]


@cache
def _table() -> pd.DataFrame:
    df = read_table("wgi_stand_ins.csv")
    missing = [c for c in _COLUMNS if c not in df.columns]
    if missing:
        raise DataError(f"wgi_stand_ins.csv lacks column(s) {missing}; it needs {_COLUMNS}")
    bad = sorted(set(df["rule"]) - set(STAND_IN_RULES))
    if bad:
        raise DataError(f"wgi_stand_ins.csv: unknown rule(s) {bad}; use one of {STAND_IN_RULES}")
    if df["territory_iso3"].duplicated().any():
        dup = sorted(df.loc[df["territory_iso3"].duplicated(), "territory_iso3"])
        raise DataError(f"wgi_stand_ins.csv: territory listed twice: {dup}")
    empty = df.loc[df["source"].str.strip() == "", "territory_iso3"].tolist()
    if empty:
        raise DataError(f"wgi_stand_ins.csv: row(s) {empty} have no source; cite one")
    return df[_COLUMNS]


def wgi_stand_ins() -> pd.DataFrame:
    """The territory -> WGI stand-in table.

    Returns
    -------
    pandas.DataFrame
        ``territory_iso3``, ``territory``, ``wgi_iso3`` (the state whose WGI estimate the
        territory takes), ``rule`` (one of :data:`STAND_IN_RULES`) and ``source`` (the
        citation); a copy.

    Examples
    --------
    >>> t = wgi_stand_ins().set_index("territory_iso3")
    >>> t.at["NCL", "wgi_iso3"], t.at["NCL", "rule"]
    ('FRA', 'administering_state')
    """
    return _table().copy()
