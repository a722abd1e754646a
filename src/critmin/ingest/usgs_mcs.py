"""USGS Mineral Commodity Summaries (MCS): the data releases as observation tables.

Three file families of the USGS National Minerals Information Center data releases are read
(see ``PROVENANCE.md`` sections 1 and 2):

* :func:`read_mcs_commodities` -- ``MCSYYYY_Commodities_Data.csv`` (MCS 2026 onwards): one long
  table with U.S. salient statistics, world production / capacity / reserves by country and
  U.S. import sources.
* :func:`read_mcs_world_data` -- ``MCS2025_World_Data.csv``: world production (2023, 2024e),
  capacity and reserves (2024) by country, one wide row per country and table.
* :func:`read_mcs_salient` -- ``mcs2025-*_salient.csv``: U.S. salient statistics, one file per
  commodity, one column per series, the unit in the column-name suffix
  (:func:`parse_salient_column`).

:func:`critical_flags_2025` returns the per-commodity flag of the 2025 U.S. critical-minerals
list carried by the Commodities_Data file.

Every reader returns :data:`~critmin.ingest._common.OBSERVATION_COLUMNS`; names are kept as
published (cleaned of spaces and glued footnote digits); ``'World total'`` and
``'Other countries'`` rows are kept as published and never recomputed.

Value codes
-----------
On top of :func:`~critmin.ingest._common.parse_value` (``W``, ``NA``, ``—``, ``E``, ``>50``,
``<1``, ``10,000``) the readers decode the USGS codes in :data:`VALUE_CODES`:

* ``'s'`` and ``'Less than 1/2 unit.'`` -- below half a unit: value 0.5, flag
  ``upper_bound``.  (The 2026 file writes ``s`` where the MCS 2025 salient files write
  ``'Less than ½ unit.'`` for the same cells, e.g. crushed-stone exports.)
* ``'XX'`` -- not applicable: NaN, flag ``not_available``.
* ranges such as ``'500–17,000'`` or ``'10,000 - 15,000'`` -- value = the low end, flag
  ``lower_bound``; the range is kept in ``note``.
* a ``?`` before a number (``'?1'``, ``'?10'``) -- a minus sign (U+2212) lost when the 2026
  file was written in cp1252: the MCS 2025 salient files show ``−1`` and ``−10`` for the same
  cells (niobium and tantalum shipments from the Government stockpile, 2021).  Read as a
  negative number, with a note.  The U+2212 minus itself is read as ``-``.

The remaining words (:data:`QUALITATIVE_WORDS`: ``'Large'``, ``'Small'``, ``'Variable, ...'``)
stay NaN with flag ``qualitative``; the published text is copied into ``note``.

Stage and measure
-----------------
Commodities_Data rows get ``measure`` from ``Statistics`` (:data:`STATISTICS_MEASURE`) and
``stage`` from keywords in ``Statistics_detail`` (:data:`STAGE_KEYWORDS`), else from the
section (:data:`SECTION_STAGE`), else from the measure (:data:`MEASURE_STAGE`).  Unknown
statistics fall to measure ``'other'`` and unknown sections to the keyword rules (else
``'total'``), each with a logged warning.

Basis
-----
``basis`` is the content basis of a physical quantity (``'lithium content'``,
``'rare-earth-oxide equivalent'``, ``'gross weight'``, ``'K2O equivalent'``, ``'usable ore'``):
lower case except chemical formulae, ``''`` when not stated and always ``''`` for prices,
percentages, counts and money.  It is read from the row's own label first
(:data:`BASIS_PATTERNS`), then from a basis the row's ``Notes`` state
(:data:`NOTE_BASIS_PATTERNS`: chromium ``'…reported in gross weight.'``, strontium ``'Gross
weight of celestite in tons.'``), then from the section title, then from the chapter's
``'(Data in metric tons, lithium content, unless otherwise specified)'`` note.  A quantity in
dry tons (``'thousand metric dry tons'``) gets ``'dry weight'`` in its basis; its unit converts
as tonnes (:mod:`critmin.units`).

Source slips
------------
* World_Data: the magnesium-metal ``RESERVES_2024`` cells repeat ``CAP_EST_ 2024`` (its U.S.
  note: ``'Moved to capacity column not a reserve'``) and are read as not available; a
  reserves unit or basis stated on one row of a table (``'(Reserve data is thousand metric
  tons)'``, ``'ZrO2 content'``) applies to the whole table; one blank ``UNIT_MEAS`` is
  taken from its table; PGM reserves (in the ``'Palladium content'`` table) are
  :data:`WORLD_RESERVES_BASIS`.
* World_Data: the MCS 2025 strontium table says ``'strontium content'`` but holds celestite
  gross weight (:data:`WORLD_BASIS_FIXES`).
* Commodities_Data: one row is shifted left by a column (``'Yes'`` in ``Notes``,
  ``'Yttrium'`` in the critical-mineral column) and is shifted back.
* Not corrected: ``mcs2025-lead_salient.csv`` has column names that do not match its own
  metadata (e.g. ``USprod_Refinery_Primary_kt`` holds what the metadata calls recoverable mine
  production); columns are read under their published names.
"""

from __future__ import annotations

import logging
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from critmin.errors import DataError, ParseError
from critmin.ingest._common import (
    OBSERVATION_COLUMNS,
    clean_name,
    finish_observations,
    join_flags,
    parse_value,
    read_csv_text,
    require_columns,
)
from critmin.units import is_dry_unit

__all__ = [
    "BASIS_PATTERNS",
    "LABEL_BASIS",
    "NOTE_BASIS_PATTERNS",
    "COMMODITIES_COLUMNS",
    "ENCODINGS",
    "MEASURE_STAGE",
    "QUALITATIVE_WORDS",
    "SALIENT_MEASURES",
    "SALIENT_UNITS",
    "SECTION_BASIS",
    "SECTION_STAGE",
    "STAGE_KEYWORDS",
    "STATISTICS_MEASURE",
    "UNIT_FIXES",
    "VALUE_CODES",
    "WORLD_BASIS_FIXES",
    "WORLD_COLUMNS",
    "WORLD_RESERVES_BASIS",
    "critical_flags_2025",
    "dataset_from_path",
    "parse_salient_column",
    "read_mcs_commodities",
    "read_mcs_salient",
    "read_mcs_world_data",
]

logger = logging.getLogger(__name__)

#: Encodings tried in order: UTF-8 (with or without BOM), then Windows-1252 (the 2026 file).
ENCODINGS = ("utf-8-sig", "cp1252")

#: Columns the Commodities_Data reader needs (``Other notes`` and the critical-mineral flag
#: are optional).
COMMODITIES_COLUMNS = [
    "Section",
    "Commodity",
    "Country",
    "Statistics",
    "Statistics_detail",
    "Unit",
    "Year",
    "Value",
    "Notes",
]

#: Columns the world-data reader needs besides the ``PROD_*`` / ``CAP_*`` / ``RESERVES_*``
#: value columns (matched by :data:`_WORLD_VALUE_COLUMN`).
WORLD_COLUMNS = ["COMMODITY", "COUNTRY", "TYPE", "UNIT_MEAS"]

#: ``Statistics`` text (lower case) -> measure.  ``'Import sources …'`` (any period) is
#: ``import_share``; a ``Stock`` row whose detail mentions a change is ``stock_change``; a
#: ``Production`` row in percent (``'Continuously cast steel, percent'``) is ``other``.
#: ``Sold or used`` / ``Sold`` / ``Sales`` are USGS's production measure for industrial
#: minerals (sand and gravel, crushed stone, salt, phosphate rock...), so they are
#: ``production``; the detail text in ``series`` tells them apart.  Unknown text -> ``other``
#: with a logged warning.
STATISTICS_MEASURE: dict[str, str] = {
    "production": "production",
    "capacity": "capacity",
    "reserves": "reserves",
    "import": "imports",
    "export": "exports",
    "consumption": "consumption",
    "stock": "stocks",
    "shipment": "shipments",
    "price": "price",
    "employment": "employment",
    "net import reliance": "net_import_reliance",
    "sold or used": "production",
    "sold": "production",
    "sales": "production",
    "supply": "other",
}

#: Section title (cleaned, trailing ``':'`` dropped) -> stage used for production and
#: capacity rows whose detail names no stage.  ``None``: no section default (the measure
#: default of :data:`MEASURE_STAGE` applies).  Reserves are always ``mine``, trade rows
#: ``trade``, consumption rows ``consumption``, whatever the section.
SECTION_STAGE: dict[str, str | None] = {
    "Salient Statistics—United States": None,
    "Import Sources": "trade",
    "World Mine Production and Reserves": "mine",
    "World Mine Production (manganese content) and Reserves": "mine",
    "World Magnesite Mine Production and Reserves (gross weight)": "mine",
    "World Gem-Quality Natural Diamond Mine Production and Reserves": "mine",
    "World Natural Industrial Diamond Mine Production and Reserves": "mine",
    "World Mine and Refinery Production and Reserves": "total",  # detail says mine/refinery
    "World Alumina Refinery and Bauxite Mine Production and Bauxite Reserves": "total",  # idem
    "World Refinery Production and Capacity": "refinery",
    "World Refinery Production and Reserves": "refinery",
    "World Smelter Production and Capacity": "smelter",
    "World Primary Production and Reserves": "primary",
    "World Low-Purity Production and Production Capacity": "primary",  # gallium, primary
    "World Sponge Metal Production and Sponge and Pigment Capacity": "processing",
    "World Production Capacity": "processing",  # manufactured abrasives
    "World Lime Production and Limestone Reserves": "processing",
    "World Ammonia Production and Reserves": "processing",
    "World Production and Capacity": "total",  # cement (detail) and arsenic trioxide
    "World Production and Reserves": "total",  # boron, bromine, helium, salt, sulfur...
    "World Production": "total",  # pig iron, raw steel, ferrosilicon, silicon metal (detail)
}

#: Content basis stated by a section title, per measure.  The manganese title states the
#: basis of production only (its reserves are gross weight, as the chapter note says); the
#: magnesite title's ``(gross weight)`` covers production and reserves.  Sections not listed
#: here state no basis; an unknown section is searched with :data:`BASIS_PATTERNS`.
SECTION_BASIS: dict[str, dict[str, str]] = {
    "World Mine Production (manganese content) and Reserves": {
        "production": "manganese content",
    },
    "World Magnesite Mine Production and Reserves (gross weight)": {
        "production": "gross weight",
        "reserves": "gross weight",
    },
}

#: Basis of world-data reserves where the table's ``TYPE`` states a narrower basis than
#: the reserves (the PGM reserves sit in the ``'Palladium content'`` table but are total PGM).
WORLD_RESERVES_BASIS: dict[str, str] = {
    "platinum-group metals": "platinum-group-metal content",
}

#: Default stage per measure, used when neither the label nor the section names a stage.
#: Only ``production``, ``capacity``, ``employment`` and ``other`` look at keywords and
#: sections; the other measures always get this stage.
MEASURE_STAGE: dict[str, str] = {
    "production": "total",
    "capacity": "total",
    "employment": "total",
    "other": "total",
    "reserves": "mine",
    "imports": "trade",
    "exports": "trade",
    "import_share": "trade",
    "consumption": "consumption",
    "stocks": "total",
    "stock_change": "total",
    "shipments": "total",
    "price": "total",
    "net_import_reliance": "total",
    "recycling": "secondary",
}

_MEASURES_WITH_STAGE_KEYWORDS = {"production", "capacity", "employment", "other"}

#: Ordered (regex, stage) rules on a label (``Statistics_detail``, world-data ``TYPE`` or a
#: salient column name split into words); the first match wins.  Secondary (scrap) wins over
#: the plant type (``'Refinery: Secondary'`` is secondary), the plant type over ``primary``
#: (``'Production, Refinery: Primary (from ore)'`` is refinery).  Ferroalloys and pig iron
#: are smelter products; raw steel, cement, lime, pigments and abrasives are processing.
STAGE_KEYWORDS: list[tuple[str, str]] = [
    (r"natural and synthetic|\ball (?:forms|types)\b", "total"),
    (
        r"secondary|old scrap|new scrap|home scrap|from scrap|\(scrap\)|post-consumer|recycl"
        r"|spent catalyst|residues",
        "secondary",
    ),
    (r"smelter|pig iron|fer+o-?silicon|silicon metal|\bfesi\b", "smelter"),
    (r"refiner|\brefined\b|\bsponge\b", "refinery"),
    # a synthetic product is made, not mined ('Mine production: Synthetic', soda ash MCS 2026)
    (r"\bsynthetic\b", "processing"),
    (r"\bmines?\b|\bconcentrates?\b|\bores?\b", "mine"),
    (r"\bprimary\b", "primary"),
    (
        r"\bplant\b|pigment|clinker|cement|\bsteel\b|calcined|synthetic|manufactured"
        r"|laboratory-created|fused aluminum oxide|silicon carbide|metallic abrasives"
        r"|\bal2o3\b|\bsic\b|\bmet abras\b|\bmetallics\b|\bdioxide\b|arsenic trioxide",
        "processing",
    ),
]

#: Ordered (regex, basis) rules that find a content basis in a label; ``\1``, ``\2`` in the
#: basis are replaced by the groups (lower-cased unless a group is a chemical formula).
BASIS_PATTERNS: list[tuple[str, str]] = [
    (r"rare[- ]earth[- ]oxide|\bREO\b", "rare-earth-oxide equivalent"),
    (r"platinum-group[- ]metal|\bPGM\)? content", "platinum-group-metal content"),
    # before 'gross weight': '(arsenic trioxide, gross weight)' is tonnes of As2O3 (MCS 2026),
    # as 'arsenic trioxide or calculated equivalent' (MCS 2025)
    (r"arsenic trioxide", "arsenic trioxide equivalent"),
    (r"gros+ weight", "gross weight"),
    (
        r"\b(Y2O3|ZrO2|TiO2|K2O|MgO|Cr2O3|Ta2O5|B2O3|WO3|V2O5)\)?\s+(content|equivalent)",
        "\\1 \\2",
    ),
    (r"contained\s+\(?(Y2O3|ZrO2|TiO2|K2O|MgO|Cr2O3|Ta2O5)\b", "\\1 content"),
    (r"calcined equivalent", "calcined equivalent"),
    (r"\b([a-z-]+ oxide) equivalent", "\\1 equivalent"),
    (r"\bcontained\s+([a-z][a-z-]*)", "\\1 content"),
    (r"\b([a-z][a-z-]*)(?:\s+gas)?\s+content", "\\1 content"),
    (r"elemental iodine", "elemental iodine"),
    (r"usable ore", "usable ore"),
    (r"crude ore", "crude ore"),
    (r"recoverable ore", "recoverable ore"),
    (r"marketable phosphate rock", "marketable phosphate rock"),
]

#: Ordered (regex, basis) rules on one segment of a Commodities_Data row's ``Notes`` that
#: *state* the basis of the row's figure.  The chapter note may say ``'(Data in thousand metric
#: tons, chromium content, …)'`` while the row's own note says ``'Mine production and ore
#: reserves are reported in gross weight.'`` (chromium) or ``'Gross weight of celestite in
#: tons.'`` (strontium): the row's note wins over the chapter.  Notes that only mention a
#: basis (``'Calculated ZrO2 content as 65% of gross weight.'``) are not statements and do not
#: match.
NOTE_BASIS_PATTERNS: list[tuple[str, str]] = [
    (r"\breported in gross weight\b", "gross weight"),
    (r"^gross weight of\b", "gross weight"),
    (r"^calcined equivalent weights?\b", "calcined equivalent"),
]

#: Basis of a Commodities_Data label that names one metal of a multi-metal chapter (the PGM
#: chapter's ``'(Data in kilograms, platinum-group-metal content …)'`` note covers the whole
#: chapter; the palladium rows are palladium, as MCS 2025 labels them).
LABEL_BASIS: dict[str, str] = {
    "mine production: palladium": "palladium content",
    "mine production: platinum": "platinum content",
}

#: Basis corrections of MCS World_Data tables: (commodity, measure) -> (basis, reason).  The
#: MCS 2025 strontium table is labelled ``'Mine production, strontium content'``, but its
#: figures are celestite gross weight: the MCS 2026 file, which notes ``'Gross weight of
#: celestite in tons.'`` on every row, repeats the same 2024 figures for Argentina (700),
#: China (80,000) and Iran (200,000).
WORLD_BASIS_FIXES: dict[tuple[str, str], tuple[str, str]] = {
    ("strontium", "production"): (
        "gross weight",
        "published as strontium content; celestite gross weight as in MCS 2026",
    ),
    ("strontium", "reserves"): (
        "gross weight",
        "published as strontium content; celestite gross weight as in MCS 2026",
    ),
}

#: USGS value codes decoded on top of ``parse_value``: lower-case text -> (value, flag, note).
VALUE_CODES: dict[str, tuple[float, str, str]] = {
    "s": (0.5, "upper_bound", "'s': less than 1/2 unit"),
    "less than 1/2 unit.": (0.5, "upper_bound", "less than 1/2 unit"),
    "less than 1/2 unit": (0.5, "upper_bound", "less than 1/2 unit"),
    "less than ½ unit.": (0.5, "upper_bound", "less than 1/2 unit"),
    "less than ½ unit": (0.5, "upper_bound", "less than 1/2 unit"),
    "xx": (math.nan, "not_available", "XX: not applicable"),
}

#: Words that stay NaN with flag ``qualitative`` (the text is kept in ``note``).  Any other
#: unparsed text is also flagged ``qualitative`` and logged as a warning.
QUALITATIVE_WORDS = frozenset(
    {
        "large",
        "small",
        "moderate",
        "very small",
        "moderate to large",
        "variable, depending on type of product",
        "variable, depending on size, type, and quality",
        "less than 50,000 tons",
    }
)

#: Unit spellings corrected on reading (published -> corrected).
UNIT_FIXES: dict[str, str] = {
    "dollars per 100 mililiters": "dollars per 100 milliliters",
}

#: Salient column-name suffix (after the last ``_``) -> unit.  ``g`` is deliberately absent:
#: the only column using it (``Consump_g`` in the germanium file) holds kilograms, so it is
#: left unit-less with a warning rather than read as grams.  ``df`` (mercury price) and
#: ``ct`` (used for percentages in four NIR columns) are also absent.  Unknown suffix -> unit
#: ``''`` and a warning; net import reliance is always ``percent`` and employment always
#: ``number`` whatever the suffix.
SALIENT_UNITS: dict[str, str] = {
    "t": "metric tons",
    "kt": "thousand metric tons",
    "mmt": "million metric tons",
    "kg": "kilograms",
    "mct": "million carats",
    "mcm": "million cubic meters",
    "msqft": "million square feet",
    "mdol": "million dollars",
    "num": "number",
    "pct": "percent",
    "index": "index",
    "dt": "dollars per metric ton",
    "dst": "dollars per short ton",
    "dkg": "dollars per kilogram",
    "dg": "dollars per gram",
    "dlb": "dollars per pound",
    "ctslb": "cents per pound",
    "dto": "dollars per troy ounce",
    "dtoz": "dollars per troy ounce",
}

#: Salient column-name word (lower case, matched at the END of a word so that glued
#: qualifiers such as ``HPQProduction`` work) -> (measure, stage or None).  The first word of
#: the name that matches decides; words before it are a material qualifier (``Bort_``,
#: ``Alumina_``, ``Granite_``).  A name containing the word ``Price`` is always ``price``
#: (``Prod_Price_index`` is a producer price index).
SALIENT_MEASURES: dict[str, tuple[str, str | None]] = {
    "usprod": ("production", None),
    "prod": ("production", None),
    "production": ("production", None),
    "extracted": ("production", None),
    "sold": ("production", None),
    "soldfinished": ("production", None),
    "sales": ("production", None),
    "salescm": ("production", None),
    "products": ("production", "processing"),
    "mine": ("production", "mine"),
    "refinery": ("production", "refinery"),
    "recycled": ("production", "secondary"),
    "withdrawn": ("stock_change", None),
    "imports": ("imports", None),
    "exports": ("exports", None),
    "consump": ("consumption", None),
    "consumption": ("consumption", None),
    "apparent": ("consumption", None),
    "supply": ("other", None),
    "shipments": ("shipments", None),
    "stocks": ("stocks", None),
    "price": ("price", None),
    "employment": ("employment", None),
    "nir": ("net_import_reliance", None),
    "furnace": ("other", None),
    "continuous": ("other", None),
}

_WS = re.compile(r"\s+")
_ROUNDED = re.compile(r"\s*(?:[:,]\s*rounded\b|\(rounded\))", re.IGNORECASE)
_RANGE = re.compile(r"^(\d[\d,]*(?:\.\d+)?)\s*[–—-]\s*(\d[\d,]*(?:\.\d+)?)$")
_LOST_MINUS = re.compile(r"^\?\s*(\d[\d,]*(?:\.\d+)?)$")
_YEAR = re.compile(r"^\d{4}$")
_PERIOD = re.compile(r"^(\d{4})\s*[–—-]\s*(\d{2}|\d{4})$")
_DATA_IN = re.compile(
    r"\(Data (?:are )?in\s+(?P<unit>[^,()]+?)(?:,\s*(?P<basis>.+?))?,?\s+unless otherwise "
    r"(?:specified|noted)\)",
    re.IGNORECASE,
)
_WORLD_VALUE_COLUMN = re.compile(r"^(PROD|CAP|RESERVES?)_(EST_?)?(\d{4})$", re.IGNORECASE)
_WORLD_NOTE_COLUMN = re.compile(r"^(PROD|CAP|RESERVES?)_NOTES?$", re.IGNORECASE)
_WORLD_MEASURE = {
    "PROD": "production",
    "CAP": "capacity",
    "RESERVE": "reserves",
    "RESERVES": "reserves",
}
_SALIENT_ID_COLUMNS = {"datasource", "source", "commodity", "year"}
_FORMULA = re.compile(r"^[A-Z][a-z]?\d*(?:[A-Z][a-z]?\d*)+$|^[A-Z][a-z]?\d+$")


# --------------------------------------------------------------------------------------
# small shared helpers
# --------------------------------------------------------------------------------------
def _text(value: object) -> str:
    """NBSP to space, collapse whitespace, strip (no footnote stripping)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return _WS.sub(" ", str(value).replace("\u00a0", " ").replace("\ufeff", "")).strip()


def dataset_from_path(path: str | Path) -> str:
    """Return the dataset id of an MCS file from its name (``'MCS2026_…'`` -> ``'usgs_mcs2026'``).

    Parameters
    ----------
    path : str or Path
        A file or folder of an MCS data release; the edition year is taken from the file name
        (``MCS2026_Commodities_Data.csv``, ``mcs2025-lead_salient.csv``), else from the
        nearest parent folder named like ``usgs_mcs2025``.

    Returns
    -------
    str
        ``'usgs_mcsYYYY'``.

    Raises
    ------
    DataError
        If no edition year is found; pass ``dataset=`` to the reader instead.

    Examples
    --------
    >>> dataset_from_path("data/usgs_mcs2026/MCS2026_Commodities_Data.csv")
    'usgs_mcs2026'
    >>> dataset_from_path("MCS2027_Commodities_Data.csv")
    'usgs_mcs2027'
    """
    p = Path(path)
    for part in (p.name, *(q.name for q in p.parents)):
        m = re.search(r"mcs_?(\d{4})", part, re.IGNORECASE)
        if m:
            return f"usgs_mcs{m.group(1)}"
    raise DataError(
        f"cannot tell the MCS edition of {p}: its name holds no 'MCSYYYY'. Keep the published "
        "file name, or pass dataset='usgs_mcsYYYY' to the reader."
    )


def _source_id(path: Path) -> str:
    """Path from the ``usgs_mcsYYYY`` folder down, else the last two path parts."""
    parts = path.parts
    for i in range(len(parts) - 2, -1, -1):
        if re.fullmatch(r"usgs_mcs\d{4}", parts[i]):
            return "/".join(parts[i:])
    return "/".join(parts[-2:])


def _read_table(path: Path) -> tuple[list[str], pd.DataFrame, np.ndarray]:
    """Read a CSV as text: (header, body with integer columns, 1-based line of each row).

    Line numbers count the newlines inside quoted cells; rows whose cells are all blank (blank
    lines, ``',,,,'``) are dropped.
    """
    try:
        raw = read_csv_text(path, ENCODINGS, header=None, skip_blank_lines=False)
    except DataError as err:
        bad = _decode_error_line(path)
        if bad is None:
            raise
        line, byte = bad
        raise ParseError(
            f"byte {byte!r} cannot be decoded as {' or '.join(ENCODINGS)}. USGS publishes these "
            "files as UTF-8 or Windows-1252; re-download the file or re-save it as UTF-8.",
            path=str(path),
            row=line,
        ) from err
    if raw.empty:
        raise ParseError("the file is empty; expected a header line.", path=str(path), row=1)
    nl = np.zeros(len(raw), dtype="int64")
    for c in raw.columns:
        nl += raw[c].str.count("\n").to_numpy(dtype="int64")
    lines = 1 + np.arange(len(raw), dtype="int64") + np.concatenate(([0], np.cumsum(nl)[:-1]))
    header = [_text(h) for h in raw.iloc[0].tolist()]
    body = raw.iloc[1:]
    blank = np.ones(len(body), dtype=bool)
    for c in body.columns:
        blank &= (body[c].str.strip() == "").to_numpy()
    return header, body[~blank], lines[1:][~blank]


def _decode_error_line(path: Path) -> tuple[int, bytes] | None:
    """(line, byte) of the first byte no encoding in ENCODINGS decodes, or None."""
    try:
        data = Path(path).read_bytes()
    except OSError:
        return None
    errors = []
    for enc in ENCODINGS:
        try:
            data.decode(enc)
            return None
        except UnicodeDecodeError as err:
            errors.append(err)
    start = max(e.start for e in errors)
    return data[:start].count(b"\n") + 1, data[start : start + 1]


def _frame_for_columns(header: list[str]) -> pd.DataFrame:
    return pd.DataFrame(columns=pd.Index(header, dtype=object))


# --------------------------------------------------------------------------------------
# values, years, stages, bases
# --------------------------------------------------------------------------------------
class _CellParser:
    """Memoised :func:`_parse_cell` for one reader call (cells repeat a lot)."""

    def __init__(self) -> None:
        self.cache: dict[str, tuple[float, str, str]] = {}

    def __call__(self, text: str) -> tuple[float, str, str]:
        hit = self.cache.get(text)
        if hit is None:
            hit = self.cache[text] = _parse_cell(text)
        return hit


def _parse_cell(text: str) -> tuple[float, str, str]:
    """Parse a published cell into (value, flag, note) with the MCS codes of VALUE_CODES."""
    s = _text(text).replace("\u2212", "-")
    low = s.lower()
    if low in VALUE_CODES:
        out = VALUE_CODES[low]
    elif m := _RANGE.match(s):
        lo, _ = parse_value(m.group(1))
        out = (lo, "lower_bound", f"published as the range {s!r}")
    elif m := _LOST_MINUS.match(s):
        v, _ = parse_value(m.group(1))
        out = (-v, "", f"published as {s!r}: a minus sign lost in the cp1252 export")
    else:
        v, flag = parse_value(s)
        note = ""
        if flag == "qualitative":
            note = f"published value: {s!r}"
            if low not in QUALITATIVE_WORDS:
                logger.warning("unparsed MCS value %r kept as qualitative (NaN)", s)
        out = (v, flag, note)
    return out


def _parse_year(text: str, path: Path, line: int, column: str) -> tuple[int, str]:
    """Return (year, period) where period is the published text of a multi-year period."""
    s = _text(text)
    if _YEAR.match(s):
        year, period = int(s), ""
    elif m := _PERIOD.match(s):
        end = m.group(2)
        year = int(end) if len(end) == 4 else int(m.group(1)[:2] + end)
        period = s
    else:
        raise ParseError(
            f"year {s!r} is not a year; expected an integer such as 2024 (or a period such "
            "as '2021–24').",
            path=str(path),
            row=int(line),
            column=column,
        )
    if not 1900 <= year <= 2100:
        raise ParseError(
            f"year {s!r} is outside 1900–2100; expected the data year such as 2024.",
            path=str(path),
            row=int(line),
            column=column,
        )
    return year, period


_STAGE_RES = [(re.compile(p, re.IGNORECASE), s) for p, s in STAGE_KEYWORDS]
_BASIS_RES = [(re.compile(p, re.IGNORECASE), b) for p, b in BASIS_PATTERNS]
_NOTE_BASIS_RES = [(re.compile(p, re.IGNORECASE), b) for p, b in NOTE_BASIS_PATTERNS]


def _note_basis(note: str) -> str:
    """Return the basis a row's note states (see NOTE_BASIS_PATTERNS), '' if none."""
    for seg in _segments(note):
        for rx, basis in _NOTE_BASIS_RES:
            if rx.search(seg):
                return basis
    return ""


def _with_dry(basis: str, unit: str) -> str:
    """Add ``'dry weight'`` to the basis of a quantity in dry tons (the unit is then plain t).

    ``'thousand metric dry tons'`` (bauxite, alumina) converts like ``'thousand metric tons'``
    (:data:`critmin.units.UNIT_ALIASES`); the dryness is a basis, kept in ``basis``.
    """
    if not is_dry_unit(unit) or not _is_quantity_unit(unit):
        return basis
    if not basis:
        return "dry weight"
    return basis if "dry" in basis else f"{basis}, dry weight"


def _stage_from_text(text: str) -> str | None:
    for rx, stage in _STAGE_RES:
        if rx.search(text):
            return stage
    return None


def _basis_word(word: str) -> str:
    return word if _FORMULA.match(word) else word.lower()


def _basis_from_text(text: str) -> str:
    """Return the content basis stated in a label, '' if none (see BASIS_PATTERNS)."""
    if not text:
        return ""
    for rx, basis in _BASIS_RES:
        m = rx.search(text)
        if m:
            words = [_basis_word(g) for g in m.groups()]
            return re.sub(r"\\(\d)", lambda g, w=words: w[int(g.group(1)) - 1], basis)
    return ""


def _chapter_basis(text: str) -> str:
    """Basis from a '(Data in metric tons, lithium content, unless otherwise specified)' note."""
    m = _DATA_IN.search(text or "")
    if not m:
        return ""
    phrase = (m.group("basis") or "").strip()
    if not phrase:
        return ""
    found = _basis_from_text(phrase)
    if found:
        return found
    # e.g. 'metal', 'usable ore': a short phrase kept as published, drop parentheses
    return _WS.sub(" ", re.sub(r"\([^)]*\)", "", phrase)).strip().lower()


def _data_in_basis(text: str) -> str:
    """Basis from a salient metadata 'Data in metric tons of contained lithium …' text."""
    t = _text(text)
    if not t:
        return ""
    found = _basis_from_text(t)
    if found:
        return found
    m = re.search(r"\bof (metal|usable ore)\b", t)
    return m.group(1) if m else ""


def _is_quantity_unit(unit: str) -> bool:
    u = unit.lower()
    if not u or u in ("percent", "number", "index"):
        return False
    return not re.match(r"^(?:million )?(?:dollars|cents)\b", u)


def _clean_unit(unit: str) -> str:
    u = _text(unit)
    return UNIT_FIXES.get(u, u)


def _segments(note: str) -> list[str]:
    return [s.strip() for s in note.split(" -- ") if s.strip()]


def _is_estimated(note: str) -> bool:
    return any(re.match(r"estimated\b", s, re.IGNORECASE) for s in _segments(note))


def _join_notes(*notes: str) -> str:
    return " -- ".join(n for n in notes if n)


# --------------------------------------------------------------------------------------
# MCS 2026+ Commodities_Data
# --------------------------------------------------------------------------------------
def _measure_2026(stats: str, detail: str, unit: str, warned: set) -> str:
    key = stats.lower()
    if re.match(r"import sources\b", key):
        return "import_share"
    measure = STATISTICS_MEASURE.get(key)
    if measure is None:
        if key not in warned:
            warned.add(key)
            logger.warning(
                "unknown MCS Statistics %r: measure set to 'other'. Add it to "
                "critmin.ingest.usgs_mcs.STATISTICS_MEASURE.",
                stats,
            )
        return "other"
    if measure == "stocks" and re.search(r"\bchange", detail, re.IGNORECASE):
        return "stock_change"
    if measure == "production" and unit.lower() == "percent":
        return "other"
    return measure


def _section_basis(section: str, measure: str) -> str:
    if section in SECTION_BASIS:
        return SECTION_BASIS[section].get(measure, "")
    if section in SECTION_STAGE:
        return ""
    return _basis_from_text(section)


def _section_stage(section: str, warned: set) -> str | None:
    if section in SECTION_STAGE:
        return SECTION_STAGE[section]
    if section not in warned:
        warned.add(section)
        logger.warning(
            "unknown MCS section %r: stage taken from its wording (else 'total'). Add it to "
            "critmin.ingest.usgs_mcs.SECTION_STAGE.",
            section,
        )
    return _stage_from_text(section) or "total"


def _stage_2026(measure: str, section: str, detail: str, warned: set) -> str:
    sec_stage = _section_stage(section, warned)
    if measure not in _MEASURES_WITH_STAGE_KEYWORDS:
        return MEASURE_STAGE[measure]
    return _stage_from_text(detail) or sec_stage or MEASURE_STAGE[measure]


def _series_2026(stats: str, detail: str, period: str, measure: str) -> str:
    d = _ROUNDED.sub("", detail).strip(" :,")
    # 'Mine production: ilmenite, rounded' (total) vs 'Mine production: Ilmenite' (countries)
    d = re.sub(r": ([a-z])", lambda m: ": " + m.group(1).upper(), d)
    if measure == "import_share":
        label = f"Import sources {period}" if period else "Import sources"
        return label if d.lower() in ("", "all") else f"{label}: {d}"
    d = d or stats
    return f"{d} ({period})" if period else d


def _unshift(notes: str, crit: str, other: str) -> tuple[str, str, str, bool]:
    """Undo the one-column left shift of a row ('Yes' in Notes, a name in the flag column)."""
    if crit in ("Yes", "No", "") or notes not in ("Yes", "No"):
        return notes, crit, other, False
    return "", notes, _join_notes(crit, other), True


def read_mcs_commodities(path: str | Path, *, dataset: str | None = None) -> pd.DataFrame:
    """Read an MCS ``Commodities_Data`` file (MCS 2026 and later) into observations.

    Parameters
    ----------
    path : str or Path
        ``MCSYYYY_Commodities_Data.csv`` (cp1252 or UTF-8, long format, header
        ``MCS chapter,Section,Commodity,Country,Statistics,Statistics_detail,Unit,Year,Value,
        Notes,Is critical mineral 2025,Other notes``).
    dataset : str, optional
        Dataset id; default from the file name (``'usgs_mcs2026'`` for ``MCS2026_…``).

    Returns
    -------
    pandas.DataFrame
        One row per data row of the file, columns
        :data:`~critmin.ingest._common.OBSERVATION_COLUMNS`.  ``value`` in ``unit`` as
        published (e.g. [metric tons], [thousand metric tons], [percent],
        [dollars per metric ton]); ``series`` is the cleaned ``Statistics_detail`` with the
        ``': rounded'`` marker moved to ``flag`` and the word after each ``': '`` capitalised
        (the source writes ``'Mine production: ilmenite'`` on its total row and
        ``'Mine production: Ilmenite'`` on the country rows); import-source rows (year
        ``'2021–24'``) get ``year`` 2024, measure ``import_share`` and series
        ``'Import sources 2021–24[: form]'``.

    Raises
    ------
    DataError
        If the file is missing or not a CSV.
    ParseError
        If the file cannot be decoded (the line is named), a required column is missing, or a
        ``Year`` cell is not a year (file, line and column named).

    Notes
    -----
    ``flag`` joins the value flag (see :data:`VALUE_CODES`), ``estimated`` when ``Notes``
    says ``'Estimated.'`` and ``rounded`` when the detail says rounded.  ``note`` is the row's
    ``Notes`` (plus the published text of decoded codes); the chapter-wide ``Other notes`` is
    used only for ``basis``.  The one row shifted by a column (``'Yttrium'`` in the
    critical-mineral column) is shifted back.

    Examples
    --------
    >>> obs = read_mcs_commodities("usgs_mcs2026/MCS2026_Commodities_Data.csv")  # doctest: +SKIP
    >>> obs.query("country_source == 'World total'")  # doctest: +SKIP
    """
    path = Path(path)
    header, body, lines = _read_table(path)
    require_columns(_frame_for_columns(header), COMMODITIES_COLUMNS, path)
    ds = dataset or dataset_from_path(path)
    idx = {name: header.index(name) for name in header if name}

    def col(name: str) -> list[str]:
        if name not in idx:
            return [""] * len(body)
        return body[idx[name]].tolist()

    sections, commodities, countries = col("Section"), col("Commodity"), col("Country")
    stats_c, details, units_c = col("Statistics"), col("Statistics_detail"), col("Unit")
    years, values, notes_c = col("Year"), col("Value"), col("Notes")
    crit_c, other_c = col("Is critical mineral 2025"), col("Other notes")

    warned: set = set()
    parse_cell = _CellParser()
    chapter_basis: dict[str, str] = {}
    label_basis: dict[str, str] = {}
    out: dict[str, list] = {c: [] for c in OBSERVATION_COLUMNS}
    sid = _source_id(path)
    for i, line in enumerate(lines.tolist()):
        notes, _crit, other, shifted = _unshift(
            _text(notes_c[i]), _text(crit_c[i]), _text(other_c[i])
        )
        if shifted:
            logger.info("%s line %d: row shifted by one column; shifted back", path, line)
        section = _text(sections[i]).rstrip(":").strip()
        stats, detail = _text(stats_c[i]), _text(details[i])
        unit = _clean_unit(units_c[i])
        year, period = _parse_year(years[i], path, line, "Year")
        measure = _measure_2026(stats, detail, unit, warned)
        stage = _stage_2026(measure, section, detail, warned)
        value, vflag, vnote = parse_cell(values[i])
        flag = join_flags(
            vflag,
            "estimated" if _is_estimated(notes) else "",
            "rounded" if _ROUNDED.search(detail) else "",
        )
        basis = ""
        if _is_quantity_unit(unit) and measure not in ("price", "import_share"):
            if detail not in label_basis:
                label_basis[detail] = LABEL_BASIS.get(
                    _ROUNDED.sub("", detail).strip(" :,").lower()
                ) or _basis_from_text(detail)
            if other not in chapter_basis:
                chapter_basis[other] = _chapter_basis(other)
            basis = (
                label_basis[detail]
                or _note_basis(notes)
                or _section_basis(section, measure)
                or chapter_basis[other]
            )
            basis = _with_dry(basis, unit)
        out["dataset"].append(ds)
        out["commodity_source"].append(clean_name(commodities[i]))
        out["series"].append(_series_2026(stats, detail, period, measure))
        out["stage"].append(stage)
        out["measure"].append(measure)
        out["country_source"].append(clean_name(countries[i]))
        out["year"].append(year)
        out["value"].append(value)
        out["unit"].append(unit)
        out["basis"].append(basis)
        out["flag"].append(flag)
        out["note"].append(_join_notes(notes, vnote))
        out["source_id"].append(sid)
        out["source_row"].append(line)
    _close_world_tables(out, [_text(x).rstrip(":").strip() for x in sections])
    logger.info("read %d MCS observations from %s", len(lines), path)
    return finish_observations(pd.DataFrame(out))


_WORLD_TOTAL = re.compile(r"^world total\b", re.IGNORECASE)
#: separators between a series label and a country row's product-form qualifier
#: ('Mine production: Crude', 'Production—crude ore')
_QUALIFIER_SEP = (": ", "—")


def _close_world_tables(out: dict[str, list], sections: list[str]) -> None:
    """Give the country rows of each world table the series of the world-total row closing it.

    In the ``World …`` sections a table is the rows (same commodity, statistics, unit, year)
    up to and including one ``World total`` row.  Country rows often qualify the label with
    the form their figure is in (``'Mine production: crude'``, ``'…: steatite'``,
    ``'Production—crude ore'``) while the total says ``'Mine production'``; read as published
    they would be series of their own and the total would not close its table (talc 2024:
    7,200 against 1,548).  Such a row takes the total's series, stage and basis; the published
    label is kept in ``note``.  Only labels that extend the total's label are changed.
    """
    n = len(sections)
    groups: dict[tuple, list[int]] = {}
    for i in range(n):
        if sections[i].lower().startswith("world"):
            key = (
                out["commodity_source"][i],
                out["measure"][i],
                out["unit"][i],
                out["year"][i],
                sections[i],
            )
            groups.setdefault(key, []).append(i)
    for rows in groups.values():
        block: list[int] = []
        for i in sorted(rows, key=lambda k: out["source_row"][k]):
            block.append(i)
            if not _WORLD_TOTAL.match(out["country_source"][i]):
                continue
            series = out["series"][i]
            prefixes = tuple(series + sep for sep in _QUALIFIER_SEP)
            for k in block[:-1]:
                if out["series"][k].startswith(prefixes):
                    out["note"][k] = _join_notes(
                        out["note"][k], f"published as {out['series'][k]!r}"
                    )
                    out["series"][k] = series
                    out["stage"][k] = out["stage"][i]
                    out["basis"][k] = out["basis"][i]
            block = []


def critical_flags_2025(path: str | Path) -> pd.DataFrame:
    """Return the 2025 U.S. critical-mineral flag of each commodity in a Commodities_Data file.

    Parameters
    ----------
    path : str or Path
        ``MCSYYYY_Commodities_Data.csv`` with the column ``Is critical mineral 2025``.

    Returns
    -------
    pandas.DataFrame
        Columns ``chapter`` (``MCS chapter``, cleaned), ``commodity_source`` (``Commodity``,
        cleaned) and ``is_critical_2025`` (nullable boolean: True for ``Yes``, False for
        ``No``, ``<NA>`` when every row of the commodity is blank or the rows disagree, with a
        logged warning), one row per (chapter, commodity), sorted.

    Raises
    ------
    ParseError
        If the flag column (or ``Commodity``) is missing.

    Notes
    -----
    The one row shifted by a column (``Notes`` = ``'Yes'``, flag column = ``'Yttrium'``) is
    read with the flag taken from ``Notes``.
    """
    path = Path(path)
    header, body, _lines = _read_table(path)
    flag_col = "Is critical mineral 2025"
    require_columns(_frame_for_columns(header), ["Commodity", flag_col, "Notes"], path)
    idx = {name: header.index(name) for name in header if name}
    chapter = body[idx["MCS chapter"]].tolist() if "MCS chapter" in idx else [""] * len(body)
    seen: dict[tuple[str, str], set[str]] = {}
    for ch, com, notes, crit in zip(
        chapter,
        body[idx["Commodity"]].tolist(),
        body[idx["Notes"]].tolist(),
        body[idx[flag_col]].tolist(),
        strict=True,
    ):
        _n, crit_v, _o, _s = _unshift(_text(notes), _text(crit), "")
        key = (clean_name(ch), clean_name(com))
        s = seen.setdefault(key, set())
        if crit_v in ("Yes", "No"):
            s.add(crit_v)
        elif crit_v:
            logger.warning("%s: unexpected critical-mineral flag %r for %r", path, crit_v, com)
    rows = []
    for (ch, com), vals in sorted(seen.items()):
        if len(vals) > 1:
            logger.warning("%s: %r is flagged both Yes and No; set to <NA>", path, com)
        flag = pd.NA if len(vals) != 1 else (next(iter(vals)) == "Yes")
        rows.append((ch, com, flag))
    out = pd.DataFrame(rows, columns=["chapter", "commodity_source", "is_critical_2025"])
    out["is_critical_2025"] = out["is_critical_2025"].astype("boolean")
    return out


# --------------------------------------------------------------------------------------
# MCS 2025 world data
# --------------------------------------------------------------------------------------
def _world_columns(header: list[str], path: Path) -> tuple[list[tuple], dict[str, int]]:
    values, notes = [], {}
    for j, name in enumerate(header):
        key = re.sub(r"\s+", "", name)
        if m := _WORLD_VALUE_COLUMN.match(key):
            measure = _WORLD_MEASURE[m.group(1).upper()]
            values.append((j, measure, int(m.group(3)), bool(m.group(2)), name))
        elif m := _WORLD_NOTE_COLUMN.match(key):
            notes[_WORLD_MEASURE[m.group(1).upper()]] = j
    if not any(v[1] in ("production", "reserves") for v in values):
        raise ParseError(
            f"no production or reserves columns (PROD_YYYY, PROD_EST_YYYY, RESERVES_YYYY) in the "
            f"header {header}. Is this an MCS World_Data file?",
            path=str(path),
            row=1,
        )
    return values, notes


def _reserve_note_unit_basis(note: str) -> tuple[str, str]:
    """Return (unit, basis) stated by a short reserves note ('Crude Ore, million metric tons')."""
    if not note or len(note) > 40:
        return "", ""
    m = re.search(r"\b(million|thousand) metric tons\b", note, re.IGNORECASE)
    unit = f"{m.group(1).lower()} metric tons" if m else ""
    return unit, _basis_from_text(note)


def _world_series(measure: str, type_text: str, total: tuple[str, bool] = ("", False)) -> str:
    """Series label of a world-data row; ``total`` is (sub-table word, extra total row)."""
    t = re.sub(r",?\s*estimated\b", "", type_text, flags=re.IGNORECASE).strip(" ,")
    word, extra = total
    if measure == "reserves":
        base = t if "reserve" in t.lower() else "Reserves"
        return f"{base} ({word})" if word and base == "Reserves" else base
    if measure == "capacity" and "capacity" not in t.lower():
        t = f"Capacity ({t})"
    return f"{t} ({word})" if word and extra else t


def _world_total_word(country: str) -> str | None:
    """Sub-table word of a world-total row ('World total (rutile, rounded)' -> 'rutile').

    ``None`` when the row is not a world total, ``''`` when the total names no sub-table.
    """
    m = re.match(r"world total\b(.*)$", country, re.IGNORECASE)
    if not m:
        return None
    rest = re.sub(r"\brounded\b", "", m.group(1), flags=re.IGNORECASE)
    return re.sub(r"\s+", " ", re.sub(r"[(),]", " ", rest)).strip().lower()


def _world_subtables(
    commodities: list[str], countries: list[str], types: list[str]
) -> tuple[list[str], list[tuple[str, bool]]]:
    """Sub-tables of the world-data file: the table ``TYPE`` and world-total word of each row.

    A table is the rows of one (``COMMODITY``, ``TYPE``).  Two source layouts need more:

    * a table without a world-total row directly followed, in the same commodity, by a table
      that has one is the first country row of that table written with another label (soda
      ash: U.S. ``'Soda ash, natural, mine production'`` before ``'Mine production,
      natural'``; cobalt: U.S. ``'Mine production, estimated'``): it takes that table's
      ``TYPE``;
    * a world-total row names its sub-table (``'World total (ilmenite, rounded)'``,
      ``'World total (rounded), natural'``): reserves of the table are series ``'Reserves
      (ilmenite)'`` (the reserves column does not otherwise tell ilmenite from rutile), and a
      further total row in the same table (``'World total (ilmenite and rutile, rounded)'``)
      is a series of its own, ``'<label> (ilmenite and rutile)'``, since it closes no single
      table.

    Returns the per-row ``TYPE`` to use and the per-row (word, is-extra-total) pair.
    """
    n = len(types)
    words = [_world_total_word(c) for c in countries]
    keys = list(zip(commodities, types, strict=True))
    has_total = {k for k, w in zip(keys, words, strict=True) if w is not None}
    table_type = list(types)
    pending: list[int] = []
    for i in range(n):
        if pending and commodities[pending[0]] != commodities[i]:
            pending = []
        if keys[i] in has_total:
            for k in pending:
                table_type[k] = types[i]
            pending = []
        else:
            pending.append(i)
    eff = list(zip(commodities, table_type, strict=True))
    table_word: dict[tuple, str] = {}
    own: list[tuple[str, bool]] = [("", False)] * n
    for i in range(n):
        if words[i] is None:
            continue
        if eff[i] in table_word:
            own[i] = (words[i], True)
        else:
            table_word[eff[i]] = words[i]
    for i in range(n):
        if own[i] == ("", False) and table_word.get(eff[i]):
            own[i] = (table_word[eff[i]], False)
    return table_type, own


def _world_unit_fill(
    body: pd.DataFrame, c_com: int, c_type: int, c_unit: int, path: Path
) -> list[str]:
    units = [_clean_unit(u) for u in body[c_unit].tolist()]
    keys = list(zip(body[c_com].tolist(), body[c_type].tolist(), strict=True))
    block_unit: dict[tuple, str] = {}
    for k, u in zip(keys, units, strict=True):
        if u and k not in block_unit:
            block_unit[k] = u
    for i, (k, u) in enumerate(zip(keys, units, strict=True)):
        if not u and block_unit.get(k):
            units[i] = block_unit[k]
            logger.warning(
                "%s: blank UNIT_MEAS for %s / %s; took %r from the same table",
                path,
                _text(k[0]),
                _text(k[1]),
                units[i],
            )
    return units


def read_mcs_world_data(path: str | Path, *, dataset: str | None = None) -> pd.DataFrame:
    """Read the MCS 2025 ``World_Data`` file (wide) into long observations.

    Parameters
    ----------
    path : str or Path
        ``MCS2025_World_Data.csv`` (UTF-8 with BOM; header ``SOURCE,COMMODITY,COUNTRY,TYPE,
        UNIT_MEAS,PROD_2023,PROD_EST_ 2024,PROD_NOTES,CAP_2023,CAP_EST_ 2024,CAP_NOTES,
        RESERVES_2024,RESERVE_NOTES``).  Value columns are matched by a regex on the header
        with spaces removed, so ``'PROD_EST_ 2024'`` and ``'PROD_EST_2024'`` both work.
    dataset : str, optional
        Dataset id; default from the file name (``'usgs_mcs2025'``).

    Returns
    -------
    pandas.DataFrame
        :data:`~critmin.ingest._common.OBSERVATION_COLUMNS`; one row per (data row, value
        column) that the row's table reports: a value column is read for a whole
        (``COMMODITY``, ``TYPE``) table when any of its cells, or the matching notes column,
        is filled in that table (blank cells then become NaN with flag ``not_available``,
        or ``withheld`` when the note says ``'W …'``).  ``value`` in ``unit``
        (``UNIT_MEAS``, e.g. [metric tons], [thousand metric tons], [kilograms]); reserves
        take the unit and basis their note states (iron ore ``'Crude Ore, million metric
        tons'``, molybdenum ``'(Reserve data is thousand metric tons)'``).

    Raises
    ------
    DataError
        If the file is missing or not a CSV.
    ParseError
        If it cannot be decoded, a required column is missing, or no production / reserves
        column is found (the message names the file and the header).

    Notes
    -----
    Flags: ``estimated`` for ``*_EST_*`` columns, for production and capacity of tables whose
    ``TYPE`` says estimated, and for cells whose note starts with ``'estimated'``; ``rounded``
    for ``'World total (rounded)'`` rows; ``qualitative`` for blank reserves described by a
    word in ``RESERVE_NOTES`` (``'Large'``).  ``stage`` comes from ``TYPE`` through
    :data:`STAGE_KEYWORDS` (else ``'total'``); reserves are ``'mine'``.
    """
    path = Path(path)
    header, body, lines = _read_table(path)
    require_columns(_frame_for_columns(header), WORLD_COLUMNS, path)
    ds = dataset or dataset_from_path(path)
    values, note_cols = _world_columns(header, path)
    c_com, c_cty = header.index("COMMODITY"), header.index("COUNTRY")
    c_type, c_unit = header.index("TYPE"), header.index("UNIT_MEAS")
    units = _world_unit_fill(body, c_com, c_type, c_unit, path)
    res_notes = (
        [_text(n) for n in body[note_cols["reserves"]].tolist()]
        if "reserves" in note_cols
        else [""] * len(body)
    )

    keys = list(zip(body[c_com].tolist(), body[c_type].tolist(), strict=True))
    reported: set[tuple] = set()
    for j, measure, _y, _e, _n in values:
        cells = body[j].str.strip() != ""
        if measure in note_cols:
            cells |= body[note_cols[measure]].str.strip() != ""
        for k, filled in zip(keys, cells.tolist(), strict=True):
            if filled:
                reported.add((k, j))

    not_reserves = {
        k
        for k, n in zip(keys, res_notes, strict=True)
        if re.search(r"not a reserve", n, re.IGNORECASE)
    }
    for k in not_reserves:
        logger.warning(
            "%s: %s / %s: a RESERVE_NOTES cell says the reserves column is not reserves; "
            "the table's reserves are read as not available",
            path,
            _text(k[0]),
            _text(k[1]),
        )
    row_res = [_reserve_note_unit_basis(n) for n in res_notes]
    block_res: dict[tuple, tuple[str, str]] = {}
    for k, note, (u_row, b_row) in zip(keys, res_notes, row_res, strict=True):
        u_blk, b_blk = block_res.get(k, ("", ""))
        m = re.search(r"reserve data is (million|thousand) metric tons", note, re.IGNORECASE)
        block_res[k] = (
            u_blk or u_row or (f"{m.group(1).lower()} metric tons" if m else ""),
            b_blk or b_row,
        )

    sid = _source_id(path)
    parse_cell = _CellParser()
    out: dict[str, list] = {c: [] for c in OBSERVATION_COLUMNS}
    cols = {j: body[j].tolist() for j in range(len(header))}
    table_type, own_total = _world_subtables(
        [clean_name(c) for c in cols[c_com]],
        [clean_name(c) for c in cols[c_cty]],
        [_text(t) for t in cols[c_type]],
    )
    for i, line in enumerate(lines.tolist()):
        type_text = table_type[i]
        if type_text != _text(cols[c_type][i]):
            moved = f"published TYPE {_text(cols[c_type][i])!r}"
        else:
            moved = ""
        country = clean_name(cols[c_cty][i])
        commodity = clean_name(cols[c_com][i])
        type_stage = _stage_from_text(type_text) or "total"
        type_est = bool(re.search(r"\bestimated\b", _text(cols[c_type][i]), re.IGNORECASE))
        rounded = bool(re.search(r"\brounded\b", _text(cols[c_cty][i]), re.IGNORECASE))
        for j, measure, year, est_col, _name in values:
            if (keys[i], j) not in reported:
                continue
            note = _text(cols[note_cols[measure]][i]) if measure in note_cols else ""
            value, vflag, vnote = parse_cell(cols[j][i])
            if vflag == "not_available" and note:
                if re.match(r"W\b", note):
                    vflag = "withheld"
                elif measure == "reserves" and note.lower().rstrip(".") in QUALITATIVE_WORDS:
                    vflag = "qualitative"
                elif note.lower() == "xx":
                    vnote = "XX: not applicable"
            unit = units[i]
            basis = _basis_from_text(type_text) if _is_quantity_unit(unit) else ""
            if measure == "reserves":
                u_row, b_row = row_res[i]
                u_blk, b_blk = block_res[keys[i]]
                unit = u_row or u_blk or unit
                basis = (
                    b_row or b_blk or WORLD_RESERVES_BASIS.get(commodity.lower(), basis)
                    if _is_quantity_unit(unit)
                    else ""
                )
                stage = MEASURE_STAGE["reserves"]
                if keys[i] in not_reserves and not math.isnan(value):
                    vnote = f"published {cols[j][i]!r} in a reserves column marked not reserves"
                    value, vflag = math.nan, "not_available"
            else:
                stage = type_stage
            fix = WORLD_BASIS_FIXES.get((commodity.lower(), measure))
            if fix and _is_quantity_unit(unit) and basis != fix[0]:
                basis, vnote = fix[0], _join_notes(vnote, f"basis {fix[1]}")
            basis = _with_dry(basis, unit)
            flag = join_flags(
                vflag,
                "estimated"
                if est_col
                or (type_est and measure != "reserves")
                or re.match(r"estimated\b", note, re.IGNORECASE)
                else "",
                "rounded" if rounded else "",
            )
            out["dataset"].append(ds)
            out["commodity_source"].append(commodity)
            out["series"].append(_world_series(measure, type_text, own_total[i]))
            out["stage"].append(stage)
            out["measure"].append(measure)
            out["country_source"].append(country)
            out["year"].append(year)
            out["value"].append(value)
            out["unit"].append(unit)
            out["basis"].append(basis)
            out["flag"].append(flag)
            out["note"].append(_join_notes(note, vnote, moved))
            out["source_id"].append(sid)
            out["source_row"].append(line)
    logger.info("read %d MCS world observations from %s", len(out["year"]), path)
    return finish_observations(pd.DataFrame(out))


# --------------------------------------------------------------------------------------
# MCS 2025 salient statistics (one CSV per commodity)
# --------------------------------------------------------------------------------------
def _split_words(name: str) -> str:
    s = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name)
    return _WS.sub(" ", re.sub(r"[_\-,]", " ", s)).strip()


def parse_salient_column(name: str) -> tuple[str, str, str, str]:
    """Parse a salient-statistics column name into (measure, stage, unit, series).

    Parameters
    ----------
    name : str
        Column name such as ``'USprod_Mine_t'``, ``'Price_LME_ctslb'``, ``'NIR_pct'``,
        ``'Bort_Imports_mct'`` or ``'HPQProduction_t'``.

    Returns
    -------
    measure : str
        From the first word found in :data:`SALIENT_MEASURES` (``'other'`` with a warning if
        none); any name with the word ``Price`` is ``'price'``.
    stage : str
        From :data:`STAGE_KEYWORDS` on the words of the name for production, capacity and
        employment, else :data:`MEASURE_STAGE`.
    unit : str
        From the suffix after the last ``_`` through :data:`SALIENT_UNITS`; ``''`` with a
        logged warning if the suffix is unknown, or if a price column carries a quantity
        suffix (``'Price_Zircon_imported_t'``).  Net import reliance is always
        ``'percent'`` and employment ``'number'``.
    series : str
        The name without its unit suffix (the whole name if the suffix is unknown).

    Examples
    --------
    >>> parse_salient_column("USprod_Refinery_Secondary_kt")
    ('production', 'secondary', 'thousand metric tons', 'USprod_Refinery_Secondary')
    >>> parse_salient_column("Price_LME_ctslb")
    ('price', 'total', 'cents per pound', 'Price_LME')
    >>> parse_salient_column("Imports_Ores_kt")
    ('imports', 'trade', 'thousand metric tons', 'Imports_Ores')
    """
    n = _text(name)
    head, sep, suffix = n.rpartition("_")
    if not sep:
        head, suffix = n, ""
    tokens = [t for t in re.split(r"[_,\s]+", head if sep else n) if t]
    measure, stage_hint = "other", None
    for t in tokens:
        low = t.lower()
        hit = next((k for k in SALIENT_MEASURES if low.endswith(k)), None)
        if hit is not None:
            measure, stage_hint = SALIENT_MEASURES[hit]
            break
    else:
        logger.warning("salient column %r: no measure word found; measure set to 'other'", n)
    if any(t.lower().endswith("price") for t in tokens) or suffix.lower() == "index":
        measure, stage_hint = "price", None
    unit = SALIENT_UNITS.get(suffix.lower(), "")
    known = suffix.lower() in SALIENT_UNITS
    series = head if known else n
    if measure == "net_import_reliance":
        unit, series = "percent", head if sep else n
    elif measure == "employment":
        unit, series = "number", head if sep else n
    elif not known:
        logger.warning(
            "salient column %r: unknown unit suffix %r; unit left ''. Add it to "
            "critmin.ingest.usgs_mcs.SALIENT_UNITS if it is a unit.",
            n,
            suffix,
        )
    elif measure == "price" and _is_quantity_unit(unit) and unit != "index":
        logger.warning(
            "salient column %r: a price with the quantity suffix %r; unit left ''", n, suffix
        )
        unit = ""
    if measure in _MEASURES_WITH_STAGE_KEYWORDS:
        words = _split_words(head if sep else n)
        stage = _stage_from_text(words) or stage_hint or MEASURE_STAGE[measure]
    else:
        stage = MEASURE_STAGE[measure]
    return measure, stage, unit, series


_EST_RULES: list[tuple[str, str]] = [
    (r"estimated for all years|all years are estimated", "all"),
    (r"most recent (two|three) years|(two|three) most recent years", "recent_n"),
    (r"estimated for (\d{4}) and the most recent year", "year_and_last"),
    (r"estimated for (\d{4}) and (\d{4})", "two_years"),
    (r"estimated beginning in (\d{4})", "from"),
    (r"estimated for the most (?:recent|current) year", "last"),
    (r"estimated in (\d{4})", "year"),
]


def _estimated_years(definition: str, years: Iterable[int]) -> set[int]:
    """Years a salient metadata attribute definition says are estimated."""
    ys = sorted(set(years))
    if not ys or not definition:
        return set()
    out: set[int] = set()
    for pattern, kind in _EST_RULES:
        for m in re.finditer(pattern, definition, re.IGNORECASE):
            if kind == "all":
                out |= set(ys)
            elif kind == "recent_n":
                k = 2 if "two" in m.group(0).lower() else 3
                out |= set(ys[-k:])
            elif kind == "year_and_last":
                out |= {int(m.group(1)), ys[-1]}
            elif kind == "two_years":
                out |= {int(m.group(1)), int(m.group(2))}
            elif kind == "from":
                out |= {y for y in ys if y >= int(m.group(1))}
            elif kind == "last":
                out.add(ys[-1])
            elif kind == "year":
                out.add(int(m.group(1)))
    return out & set(ys)


def _meta_for(csv_path: Path) -> Path | None:
    """Return the ``*_meta.xml`` beside a salient CSV (longest stem prefixing the CSV stem)."""
    stem = csv_path.name.removesuffix("_salient.csv")
    exact = csv_path.with_name(f"{stem}_meta.xml")
    if exact.is_file():
        return exact
    cands = [
        m
        for m in csv_path.parent.glob("*_meta.xml")
        if stem.startswith(m.name.removesuffix("_meta.xml"))
    ]
    return max(cands, key=lambda m: len(m.name)) if cands else None


def _read_meta(csv_path: Path) -> tuple[dict[str, tuple[str, str]], str]:
    """Attribute label -> (definition, unit), and the commodity description, from the XML."""
    meta = _meta_for(csv_path)
    if meta is None:
        logger.info("%s: no metadata XML found; no estimated flags or chapter basis", csv_path)
        return {}, ""
    try:
        root = ET.parse(meta).getroot()
    except (ET.ParseError, OSError) as err:
        logger.warning("%s: unreadable metadata (%s); ignored", meta, err)
        return {}, ""
    attrs: dict[str, tuple[str, str]] = {}
    described = ""
    for a in root.iter("attr"):
        label = _text(a.findtext("attrlabl"))
        attrs[label] = (_text(a.findtext("attrdef")), _text(a.findtext(".//attrunit")))
        if label.lower() == "commodity":
            described = " ".join(_text(e.text) for e in a.iter("edomvd"))
    return attrs, described


def _salient_files(folder_or_file: Path) -> list[Path]:
    if folder_or_file.is_dir():
        files = sorted(folder_or_file.glob("*_salient.csv"))
        if not files:
            raise DataError(
                f"no '*_salient.csv' files in {folder_or_file}; pass the salient_commodity "
                "folder of an MCS data release or one of its files."
            )
        return files
    if not folder_or_file.exists():
        raise DataError(
            f"file not found: {folder_or_file}. Pass the salient_commodity folder or a "
            "'mcsYYYY-*_salient.csv' file."
        )
    return [folder_or_file]


def _read_one_salient(path: Path, dataset: str | None) -> dict[str, list]:
    ds = dataset or dataset_from_path(path)
    header, body, lines = _read_table(path)
    lower = [h.lower() for h in header]
    require_columns(_frame_for_columns(lower), ["commodity", "year"], path)
    c_com, c_year = lower.index("commodity"), lower.index("year")
    attrs, described = _read_meta(path)
    chapter_basis = _data_in_basis(described)
    years = [
        _parse_year(y, path, ln, header[c_year])
        for y, ln in zip(body[c_year].tolist(), lines.tolist(), strict=True)
    ]
    year_set = {y for y, _p in years}
    sid = _source_id(path)
    parse_cell = _CellParser()
    out: dict[str, list] = {c: [] for c in OBSERVATION_COLUMNS}
    seen: dict[str, int] = {}
    for j, name in enumerate(header):
        if lower[j] in _SALIENT_ID_COLUMNS:
            continue
        cells = body[j].tolist()
        if not name:
            if any(_text(c) for c in cells):
                logger.warning("%s: column %d has no header but holds data; skipped", path, j + 1)
            continue
        measure, stage, unit, series = parse_salient_column(name)
        seen[name] = seen.get(name, 0) + 1
        if seen[name] > 1:
            logger.warning("%s: duplicate column name %r (#%d)", path, name, seen[name])
            series = f"{series} [{seen[name]}]"
        definition, attr_unit = attrs.get(name, ("", ""))
        est_years = _estimated_years(definition, year_set) if seen[name] == 1 else set()
        basis = ""
        if _is_quantity_unit(unit):
            basis = (
                _basis_from_text(_split_words(name)) or _basis_from_text(attr_unit) or chapter_basis
            )
        for i, line in enumerate(lines.tolist()):
            year = years[i][0]
            value, vflag, vnote = parse_cell(cells[i])
            out["dataset"].append(ds)
            out["commodity_source"].append(clean_name(body[c_com].iat[i]))
            out["series"].append(series)
            out["stage"].append(stage)
            out["measure"].append(measure)
            out["country_source"].append("United States")
            out["year"].append(year)
            out["value"].append(value)
            out["unit"].append(unit)
            out["basis"].append(basis)
            out["flag"].append(join_flags(vflag, "estimated" if year in est_years else ""))
            out["note"].append(vnote)
            out["source_id"].append(sid)
            out["source_row"].append(line)
    return out


def read_mcs_salient(folder_or_file: str | Path, *, dataset: str | None = None) -> pd.DataFrame:
    """Read MCS salient-statistics CSVs (one per commodity) into observations.

    Parameters
    ----------
    folder_or_file : str or Path
        The ``salient_commodity`` folder (every ``*_salient.csv`` in it is read, including
        ``mcs2025-lithium_salient.csv``) or one such file.  Headers differ per commodity:
        ``DataSource`` (or ``Source``), ``Commodity``, ``Year``, then one column per series
        named like ``USprod_Mine_t`` (see :func:`parse_salient_column`); empty trailing
        header fields are ignored; files with or without BOM are read.
    dataset : str, optional
        Dataset id; default from each file name (``'usgs_mcs2025'``).

    Returns
    -------
    pandas.DataFrame
        :data:`~critmin.ingest._common.OBSERVATION_COLUMNS`, one row per (data row, value
        column), ``country_source`` ``'United States'``; ``value`` in ``unit`` from the
        column suffix (e.g. [metric tons], [thousand metric tons], [dollars per metric ton],
        [percent]).  ``series`` is the column name without its unit suffix (duplicate names
        get ``' [2]'``, ``' [3]'``).

    Raises
    ------
    DataError
        If the path does not exist or the folder holds no salient file.
    ParseError
        If a file cannot be decoded, lacks ``Commodity`` / ``Year``, or has a non-integer
        year (file, line and column named).

    Notes
    -----
    When the file's ``*_meta.xml`` is found (for the lithium CSV it is
    ``mcs2025-lithi_meta.xml``) it supplies the ``estimated`` flag (attribute definitions
    such as ``'Data are estimated for the most recent year.'``) and the chapter basis
    (``'Data in metric tons of contained lithium …'`` -> ``'lithium content'``).  Rows whose
    cells are all blank (trailing ``',,,,'`` lines) are not data rows.
    """
    p = Path(folder_or_file)
    parts = [_read_one_salient(f, dataset) for f in _salient_files(p)]
    merged: dict[str, list] = {c: [] for c in OBSERVATION_COLUMNS}
    for part in parts:
        for c in OBSERVATION_COLUMNS:
            merged[c].extend(part[c])
    logger.info("read %d MCS salient observations from %s", len(merged["year"]), p)
    return finish_observations(pd.DataFrame(merged))
