"""One unit registry for critmin.

Sources spell units many ways ("metric tons", "metr. t", "thousand metric tons", "kt",
"_kt" column suffixes).  :func:`canonical_unit` maps a published spelling to a short
canonical symbol; :func:`convert` converts between mass units; :func:`require_single_unit`
refuses to aggregate values in mixed units.  Content basis (lithium content vs gross
weight, REO, Li2O ...) is *not* a unit: it travels in the ``basis`` column and two rows
with different bases are never added either.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

from critmin.errors import CritminError

__all__ = [
    "MASS_UNITS",
    "UNIT_ALIASES",
    "MixedUnitsError",
    "canonical_unit",
    "convert",
    "is_dry_unit",
    "require_single_unit",
]


class MixedUnitsError(CritminError):
    """Values in different units or on different bases were about to be added."""


#: Mass units and their size in metric tonnes.
MASS_UNITS: dict[str, float] = {
    "g": 1e-6,
    "kg": 1e-3,
    "t": 1.0,
    "kt": 1e3,
    "Mt": 1e6,
    "Gt": 1e9,
    "troy oz": 31.1034768e-6,  # definition of the troy ounce (exactly 31.1034768 g)
}

#: Published spellings → canonical symbol (keys lower-case, spaces collapsed).
UNIT_ALIASES: dict[str, str] = {
    "metric tons": "t",
    "metric ton": "t",
    "tonnes": "t",
    "t": "t",
    "metr. t": "t",
    "thousand metric tons": "kt",
    # dry tons are tonnes of dried material: the dryness is a basis ('dry weight'), the
    # unit converts as tonnes (USGS bauxite and alumina)
    "thousand metric dry tons": "kt",
    "metric dry tons": "t",
    "dry metric tons": "t",
    "thousand dry metric tons": "kt",
    "kilotons": "kt",
    "kt": "kt",
    "million metric tons": "Mt",
    "mmt": "Mt",
    "billion metric tons": "Gt",
    "kilograms": "kg",
    "kilogram": "kg",
    "kg": "kg",
    "grams": "g",
    "g": "g",
    "troy ounces": "troy oz",
    "thousand carats": "kct",
    "thousands of carats": "kct",
    "million carats": "Mct",
    "dollars per metric ton": "USD/t",
    "dollars per kilogram": "USD/kg",
    "dollars per pound": "USD/lb",
    "cents per pound": "USc/lb",
    "dollars per troy ounce": "USD/troy oz",
    "dollars per gram": "USD/g",
    "dollars per carat": "USD/ct",
    "dollars per short ton": "USD/short ton",
    "dollars per dry metric ton unit": "USD/dmtu",
    "million dollars": "MUSD",
    "thousand us dollars": "kUSD",
    "number": "count",
    "percent": "%",
    "pct": "%",
    "%": "%",
}

_SPACE = re.compile(r"\s+")
_DRY = re.compile(r"^(?:thousand |million )?(?:metric dry|dry metric) tons?$", re.IGNORECASE)


def is_dry_unit(text: object) -> bool:
    """True for a quantity published in dry tons (``'thousand metric dry tons'``).

    Such a unit converts as tonnes (:func:`canonical_unit` gives ``'kt'``); the reader puts
    ``'dry weight'`` in the row's basis so the dryness is not lost.  Prices per dry ton
    (``'dollars per dry metric ton unit'``) are not quantities and return False.

    >>> is_dry_unit("thousand metric dry tons")
    True
    >>> is_dry_unit("dollars per dry metric ton unit")
    False
    """
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return False
    return bool(_DRY.match(_SPACE.sub(" ", str(text).replace("\u00a0", " ")).strip()))


def canonical_unit(text: object) -> str:
    """Return the canonical symbol for a published unit spelling.

    Unknown spellings are returned cleaned but otherwise unchanged (so nothing is lost);
    :func:`unknown_units` lists them for the build report.

    >>> canonical_unit("Metric tons")
    't'
    >>> canonical_unit("thousand metric tons")
    'kt'
    """
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return ""
    s = _SPACE.sub(" ", str(text).replace("\u00a0", " ")).strip()
    if s in MASS_UNITS:  # exact symbols first: "Mt" is million tonnes, never "mt"
        return s
    return UNIT_ALIASES.get(s.lower(), s)


def unknown_units(units: Iterable[str]) -> list[str]:
    """Return the spellings :func:`canonical_unit` does not know (sorted)."""
    known = set(UNIT_ALIASES.values())
    return sorted({u for u in units if u and u not in known})


def convert(values: pd.Series | float, from_unit: str, to_unit: str) -> pd.Series | float:
    """Convert mass values between units of :data:`MASS_UNITS`.

    Raises
    ------
    MixedUnitsError
        If either unit is not a mass unit (e.g. ``%`` or ``carats``).
    """
    f, t = canonical_unit(from_unit), canonical_unit(to_unit)
    if f == t:
        return values
    if f not in MASS_UNITS or t not in MASS_UNITS:
        raise MixedUnitsError(
            f"cannot convert {from_unit!r} to {to_unit!r}: only mass units "
            f"{sorted(MASS_UNITS)} convert; keep other units separate"
        )
    return values * (MASS_UNITS[f] / MASS_UNITS[t])


def require_single_unit(df: pd.DataFrame, what: str = "values") -> tuple[str, str]:
    """Check that `df` holds one unit and one basis; return ``(unit, basis)``.

    Raises
    ------
    MixedUnitsError
        Listing the unit/basis combinations found, so the caller can filter to one.
    """
    combos = df[["unit", "basis"]].drop_duplicates()
    if len(combos) > 1:
        listing = "; ".join(
            f"{u or '?'} [{b or 'basis not stated'}]" for u, b in combos.itertuples(index=False)
        )
        raise MixedUnitsError(
            f"refusing to add {what} in mixed units/bases: {listing}. Filter to one series "
            "(e.g. by `series` or `basis`) before aggregating."
        )
    if combos.empty:
        return "", ""
    unit, basis = combos.iloc[0]
    return str(unit), str(basis)
