"""Policy tables: export controls, agreements, end uses, US import sources, groups and lists.

One reader per published table.  Every reader keeps names *as published* (cleaned with
:func:`~critmin.ingest._common.clean_name`) and tags each output row with ``source_id`` (the
file's path relative to the source data folder) and ``source_row`` (the 1-based line on which
the record starts; the header is line 1).

Readers, their source tables and their key in :func:`read_all_policy`:

* :func:`read_export_controls` -- MCS2026 T4 ``MCS2026_T4_Country_Export_Control.csv``
  (``export_controls``).
* :func:`read_agreements` -- MCS2026 T5 ``MCS2026_T5_Trade_Agreements.csv`` (``agreements``).
* :func:`read_end_uses` -- MCS2026 T6 and MCS2025 T4 ``*_Critical_Minerals_End_Use.csv``
  (``end_uses``).
* :func:`read_import_sources` -- MCS2026 Fig3 ``*_Major_Import_Sources.csv``, shares of US
  imports by country (``import_sources``).
* :func:`read_import_source_counts` -- MCS2025 Fig3, commodities per supplying country
  (``import_source_counts``).
* :func:`read_country_groups` -- ``policy/country_groups.csv`` plus :data:`TRUST_GROUP`
  (``groups``).
* :func:`read_critical_lists` -- India 2023, US 2022 / 2025 and EU 2023 lists
  (``critical_lists``).
* :func:`read_sector_map` -- ``policy/seed_element_sector_map.csv`` (``sector_map``).

:func:`read_all_policy` finds these files under a data folder by pattern (so a later release,
``MCS2027_…``, is picked up) and returns them in a dict under the keys above.

Sources
-------
U.S. Geological Survey, 2026, Mineral Commodity Summaries 2026 Data Release, ScienceBase item
696a75d5d4be0228872d3bf8.  U.S. Geological Survey, 2025, Mineral Commodity Summaries 2025 Data
Release, https://doi.org/10.5066/P13XCP3R.  The ``policy/`` files and the lists under
``methods/validation`` cite their sources row by row (see ``PROVENANCE.md`` section 9).
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
import logging
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from critmin.errors import DataError, ParseError
from critmin.ingest._common import clean_name, parse_value, read_text

__all__ = [
    "EXPORT_CONTROL_COLUMNS",
    "AGREEMENT_COLUMNS",
    "END_USE_COLUMNS",
    "IMPORT_SOURCE_COLUMNS",
    "IMPORT_SOURCE_COUNT_COLUMNS",
    "GROUP_COLUMNS",
    "CRITICAL_LIST_COLUMNS",
    "SECTOR_MAP_COLUMNS",
    "FILE_PATTERNS",
    "TRUST_GROUP",
    "OFFICIAL_GROUPS_SOURCE_ID",
    "T5_DATE_ERRATA",
    "split_commodity_years",
    "read_export_controls",
    "read_agreements",
    "read_end_uses",
    "read_import_sources",
    "read_import_source_counts",
    "read_country_groups",
    "read_critical_lists",
    "read_sector_map",
    "read_all_policy",
]

logger = logging.getLogger(__name__)

PathLike = str | os.PathLike[str]

# --------------------------------------------------------------------------------------------
# Output layouts
# --------------------------------------------------------------------------------------------

#: Columns of :func:`read_export_controls`.
EXPORT_CONTROL_COLUMNS: list[str] = [
    "country_source",  # country as published
    "control_type",  # e.g. "Export ban", "Export quota", "Export licensing requirement"
    "commodity_source",  # one item of the prose list, as published (e.g. "nickel ore")
    "qualifier",  # the list's head noun, e.g. "Raw minerals" in "Raw minerals, including ..."
    "commodity_phrase",  # the whole published Commodity_Year cell
    "year_imposed",  # int, the (YYYY) that follows the item
    "url",  # Data_source
    "note",  # Notes
    "source_id",
    "source_row",
]

#: Columns of :func:`read_agreements`.
AGREEMENT_COLUMNS: list[str] = [
    "country_source",  # partner as published (may name two, e.g. "Japan and Republic of Korea")
    "agreement",
    "signed",  # datetime.date; the 1st of the month when only the month is published
    "signed_precision",  # "day" or "month"
    "focus_area",
    "url",  # Source
    "note",  # erratum applied to the row, "" if none (see T5_DATE_ERRATA)
    "source_id",
    "source_row",
]

#: Columns of :func:`read_end_uses`.
END_USE_COLUMNS: list[str] = [
    "commodity_source",
    "applications",  # Primary_Applications, the published sentence
    "category_note",  # e.g. "Included in the Rare Earths chapter."
    "edition",  # "MCS2026", from the file name
    "source_id",
    "source_row",
]

#: Columns of :func:`read_import_sources` (US import sources, shares of imports).
IMPORT_SOURCE_COLUMNS: list[str] = [
    "commodity_source",
    "country_source",  # "" when the source prints NA (country not available)
    "country_flag",  # "not_available" for NA, else ""
    "share_pct",  # [%] share of US imports over `period`
    "share_flag",  # parse_value flag of the Percent cell
    "nir_pct",  # [%] US net import reliance as published
    "nir_flag",  # parse_value flag of the NIR cell ("lower_bound" for '>50', "net_exporter" for E)
    "period",  # e.g. "2021–24", from the header "Import_Source_2021_24"
    "critical",  # boolean (nullable): Critical_Mineral Y/N, <NA> where not given
    "edition",
    "source_id",
    "source_row",
]

#: Columns of :func:`read_import_source_counts` (MCS2025 Fig3: commodities per country).
IMPORT_SOURCE_COUNT_COLUMNS: list[str] = [
    "country_source",
    "commodity_count",  # int, commodities (US >50 % reliant) the country is a major source of
    "map_class",  # the published map bin, e.g. "19 to 24"
    "edition",
    "source_id",
    "source_row",
]

#: Columns of :func:`read_country_groups`.
GROUP_COLUMNS: list[str] = [
    "group_id",
    "group_name",
    "member_as_published",
    "as_of",
    "source",
    "source_id",
    "source_row",
]

#: Columns of :func:`read_critical_lists`.
CRITICAL_LIST_COLUMNS: list[str] = [
    "list_id",  # "india_2023", "us_2022", "us_2025", "eu_2023"
    "commodity_source",
    "note",  # qualification printed after the yes/no, "" if none
    "source",  # the row's citation
    "source_id",
    "source_row",
]

#: Columns of :func:`read_sector_map`.
SECTOR_MAP_COLUMNS: list[str] = ["element", "use", "sector", "source", "source_id", "source_row"]

#: File-name patterns :func:`read_all_policy` searches for (anywhere under the data folder).
FILE_PATTERNS: dict[str, str] = {
    "export_controls": "MCS[0-9][0-9][0-9][0-9]_*Export_Control*.csv",
    "agreements": "MCS[0-9][0-9][0-9][0-9]_*Trade_Agreements*.csv",
    "end_uses": "MCS[0-9][0-9][0-9][0-9]_*Critical_Minerals_End_Use*.csv",
    "import_sources": "MCS[0-9][0-9][0-9][0-9]_*Major_Import_Sources*.csv",
    "groups": "policy/country_groups.csv",
    "india_list": "policy/india_critical_minerals_[0-9][0-9][0-9][0-9].csv",
    "sector_map": "policy/seed_element_sector_map.csv",
    "us_lists": "usgs_critical_minerals_lists_*.csv",
    "eu_list": "eu_crm_[0-9][0-9][0-9][0-9]_results.csv",
}

#: The India–US TRUST initiative, defined here because ``policy/country_groups.csv`` does not
#: list it.  Members are names as published; ``source_id`` is relative to the data folder.
TRUST_GROUP: dict[str, Any] = {
    "group_id": "TRUST",
    "group_name": "Transforming Relationship Utilizing Strategic Technology (TRUST) initiative, "
    "India-United States",
    "members": ("India", "United States"),
    "as_of": "2025-02",
    "source": "seed article 000_47c4aec9adbe95c9.txt (news report on the India-US TRUST "
    "initiative, February 2025), lines 1-2: 'India and the United States have launched a "
    "bilateral initiative for cooperation in the recovery and processing of critical minerals' "
    "... 'Under the Transforming Relationship Utilizing Strategic Technology (TRUST) initiative "
    "announced during Prime Minister Narendra Modi\u2019s visit to Washington'",
    "source_id": "../seed/000_47c4aec9adbe95c9.txt",
    "source_row": 2,
}

#: Known disagreements between the two ``Signing_date`` cells of MCS T5, keyed by
#: ``(Country, first Signing_date, second Signing_date)`` exactly as published.  The value is
#: ``(date used, why)``.  Any other disagreement raises :class:`~critmin.errors.ParseError`.
T5_DATE_ERRATA: dict[tuple[str, str, str], tuple[str, str]] = {
    ("Japan and Republic of Korea", "23-Aug", "2025-09-23"): (
        "2025-09-23",
        "the two Signing_date cells disagree ('23-Aug' vs '2025-09-23'); the ISO date is used: "
        "the row's own Source URL is the State Department release of 2025/09 on the trilateral "
        "meeting in New York",
    ),
}

# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------

_SPACES = re.compile(r"\s+")
_EDITION = re.compile(r"MCS(\d{4})", re.IGNORECASE)


def _text(value: object) -> str:
    """Whitespace-normalise free text (URLs, notes); unlike clean_name, keep trailing digits."""
    if value is None:
        return ""
    return _SPACES.sub(" ", str(value).replace("\u00a0", " ").replace("\ufeff", "")).strip()


def _norm_header(name: str) -> str:
    """Compare header names loosely: case, spaces vs underscores, stray BOM."""
    return re.sub(r"[\s_]+", "_", name.replace("\ufeff", "").strip()).lower()


def _find_data_root(path: Path) -> Path | None:
    """Return the nearest ancestor holding ``PROVENANCE.md`` (or its ``data/`` holding it)."""
    for anc in path.parents:
        if (anc / "PROVENANCE.md").is_file():
            return anc
        if (anc / "data" / "PROVENANCE.md").is_file():
            return anc / "data"
    return None


def _source_id(path: PathLike, data_root: PathLike | None) -> str:
    """Path of `path` relative to the data folder (``..`` allowed), with forward slashes."""
    p = Path(path).resolve()
    root = Path(data_root).resolve() if data_root is not None else _find_data_root(p)
    if root is None:
        return f"{p.parent.name}/{p.name}"
    return Path(os.path.relpath(p, root)).as_posix()


class _Table:
    """A CSV read with the csv module: header, and records with the line each starts on."""

    def __init__(self, path: PathLike, data_root: PathLike | None) -> None:
        self.path = Path(path)
        self.source_id = _source_id(path, data_root)
        text = read_text(self.path)
        reader = csv.reader(io.StringIO(text, newline=""))
        self.header: list[str] = []
        self.records: list[tuple[int, list[str]]] = []
        last = 0
        try:
            for row in reader:
                start, last = last + 1, reader.line_num
                if not row or all(not c.strip() for c in row):
                    continue
                if not self.header:
                    self.header = [c.replace("\ufeff", "").strip() for c in row]
                    continue
                if len(row) != len(self.header):
                    raise ParseError(
                        f"{len(row)} fields where the header has {len(self.header)}; a comma "
                        "inside a cell must be quoted",
                        path=str(self.path),
                        row=start,
                    )
                self.records.append((start, row))
        except csv.Error as err:
            raise ParseError(
                f"not a readable CSV ({err})", path=str(self.path), row=last + 1
            ) from err
        if not self.header:
            raise ParseError("the file is empty (no header line)", path=str(self.path), row=1)

    def columns(self, required: Sequence[str], optional: Sequence[str] = ()) -> dict[str, int]:
        """Map loosely-matched column names to positions; ParseError naming what is missing."""
        pos: dict[str, int] = {}
        normed = [_norm_header(h) for h in self.header]
        for name in [*required, *optional]:
            key = _norm_header(name)
            if key in normed:
                pos[name] = normed.index(key)
        missing = [c for c in required if c not in pos]
        if missing:
            raise ParseError(
                f"missing column(s) {missing}; found {self.header}. Is this the right file for "
                "this reader?",
                path=str(self.path),
                row=1,
            )
        return pos

    def where(self, row: int, column: str | None = None) -> dict[str, Any]:
        """Keyword arguments for ParseError."""
        return {"path": str(self.path), "row": row, "column": column}

    def name(self, cells: list[str], pos: int, row: int, column: str) -> str:
        """Return a required name cell, cleaned; raise ParseError when it is empty."""
        value = clean_name(cells[pos])
        if not value:
            raise ParseError(
                f"empty {column!r}; every row needs one (fill it in or delete the row)",
                **self.where(row, column),
            )
        return value


def _frame(rows: list[dict[str, Any]], columns: list[str], **dtypes: str) -> pd.DataFrame:
    """Build an output frame with exactly `columns`; source_row int64 plus `dtypes`."""
    df = pd.DataFrame(rows, columns=columns)
    df["source_row"] = df["source_row"].astype("int64")
    for col, dtype in dtypes.items():
        df[col] = df[col].astype(dtype)
    return df.reset_index(drop=True)


def _edition(table: _Table, source_cells: Sequence[str]) -> str:
    """Edition ('MCS2026') from the file name; the Source column is the fallback and a check."""
    published = sorted({clean_name(s) for s in source_cells if clean_name(s)})
    m = _EDITION.search(table.path.name)
    if m:
        edition = f"MCS{m.group(1)}"
        if published and published != [edition]:
            logger.warning(
                "%s: Source column says %s but the file name says %s; using %s (the release "
                "the file belongs to)",
                table.source_id,
                ", ".join(published),
                edition,
                edition,
            )
        return edition
    if len(published) == 1:
        return published[0]
    raise ParseError(
        f"cannot tell the edition: no 'MCSyyyy' in the file name and Source column holds "
        f"{published or 'nothing'}",
        path=str(table.path),
    )


# --------------------------------------------------------------------------------------------
# T4: export controls
# --------------------------------------------------------------------------------------------

_PAREN = re.compile(r"\(([^()]*)\)")
_YEARISH = re.compile(r"[\d\s,;/\u2013\u2014-]+")
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)
_COMMA = re.compile(r"\s*,\s*")
#: Phrases whose 'and' never separates two items.
_IDIOMS = re.compile(r"waste and scrap|ores and concentrates", re.IGNORECASE)
#: A conjunction inside the scope of one of these modifiers is not split
#: ("catalysts and waste containing precious metals" is one item).
_MODIFIER_SCOPE = re.compile(r"\b(containing|related to)\b", re.IGNORECASE)
_INCLUDING = re.compile(r"^(?P<head>[^,()]+?),?\s+(?:including|such as)\s+(?P<body>.+)$", re.I)
_OF = re.compile(r"^(?P<head>[^,()]+?)\s+of\s+(?P<body>.+)$", re.IGNORECASE)


def _split_top(text: str, sep: re.Pattern[str]) -> list[str]:
    """Split `text` at matches of `sep` outside parentheses and outside :data:`_IDIOMS`."""
    depth, level = 0, []
    for ch in text:
        depth += ch == "("
        depth -= ch == ")"
        level.append(depth)
    protected = [m.span() for m in _IDIOMS.finditer(text)]
    cuts = [
        m.span()
        for m in sep.finditer(text)
        if level[m.start()] == 0 and not any(a <= m.start() < b for a, b in protected)
    ]
    parts, pos = [], 0
    for a, b in cuts:
        parts.append(text[pos:a])
        pos = b
    parts.append(text[pos:])
    return [p.strip() for p in parts]


def _split_segment(segment: str, where: dict[str, Any]) -> list[tuple[str, str]]:
    """Items ``(item, qualifier)`` of the list that precedes one ``(YYYY)``."""
    s = segment.strip(" ,;.")
    s = re.sub(r"^(?:and|or)\s+", "", s, flags=re.IGNORECASE).strip()
    if not s:
        return []
    head = ""
    m = _INCLUDING.match(s)
    if m is None:
        m = _OF.match(s)
        if m is not None and len(m.group("head").split()) > 4:
            m = None
    if m is not None:
        head, s = m.group("head").strip(), m.group("body").strip()
    chunks = _split_top(s, _COMMA)
    out: list[tuple[str, str]] = []
    for i, chunk in enumerate(chunks):
        oxford = False
        if i > 0 and re.match(r"(?:and|or)\s+", chunk, re.IGNORECASE):
            chunk = re.sub(r"^(?:and|or)\s+", "", chunk, flags=re.IGNORECASE)
            oxford = True
        parts = [chunk] if _MODIFIER_SCOPE.search(chunk) else _split_top(chunk, _AND)
        for j, part in enumerate(parts):
            item = clean_name(part)
            if not item:
                raise ParseError(f"empty item in the list {segment.strip()!r}", **where)
            # In "a, b, and c and d" the list closes at "c": "d" is outside the head's scope.
            out.append((item, "" if (oxford and j > 0) else head))
    return out


def split_commodity_years(
    cell: str, *, where: dict[str, Any] | None = None
) -> list[tuple[str, int, str]]:
    """Split a MCS T4 ``Commodity_Year`` cell into ``(item, year, qualifier)`` triples.

    A year in parentheses applies to the items written since the previous year.  Items are
    separated by commas (Oxford comma allowed) and by ``and``; ``waste and scrap`` and
    ``ores and concentrates`` are kept whole, as is an ``and`` inside a ``containing`` /
    ``related to`` phrase.  A head such as ``"Raw minerals, including ..."`` or
    ``"Ores and concentrates of ..."`` becomes the item's qualifier.  Parentheses holding
    words (``"Copper (refined and alloys)"``) stay part of the item.

    Parameters
    ----------
    cell : str
        The published cell.
    where : dict, optional
        ``path``, ``row``, ``column`` for error messages.

    Returns
    -------
    list of (str, int, str)
        Item as published, year [calendar year], qualifier (``""`` if none).

    Raises
    ------
    ParseError
        If the cell is empty, a parenthesised year is not 4 digits, an item is empty, or text
        after the last year has no year.

    Examples
    --------
    >>> split_commodity_years("Bauxite (2023), copper concentrates (2023), and nickel ore (2020).")
    [('Bauxite', 2023, ''), ('copper concentrates', 2023, ''), ('nickel ore', 2020, '')]
    >>> split_commodity_years("Raw minerals, including copper, and zinc (2024).")
    [('copper', 2024, 'Raw minerals'), ('zinc', 2024, 'Raw minerals')]
    """
    where = where or {}
    text = _text(cell)
    if not text:
        raise ParseError("empty commodity cell; write 'item (YYYY)'", **where)
    items: list[tuple[str, int, str]] = []
    pos = 0
    for m in _PAREN.finditer(text):
        inner = m.group(1).strip()
        if not (_YEARISH.fullmatch(inner) and any(c.isdigit() for c in inner)):
            continue  # a worded parenthesis belongs to the item
        if not re.fullmatch(r"\d{4}", inner) or not 1800 <= int(inner) <= 2200:
            raise ParseError(
                f"year ({inner}) in {text!r} is not a 4-digit year; write one year per "
                "parenthesis, e.g. 'gallium (2023)'",
                **where,
            )
        year = int(inner)
        found = _split_segment(text[pos : m.start()], where)
        if not found:
            raise ParseError(f"year ({year}) in {text!r} has no commodity before it", **where)
        items.extend((item, year, qual) for item, qual in found)
        pos = m.end()
    if not items:
        raise ParseError(
            f"no '(YYYY)' year in {text!r}; each commodity must be followed by the year the "
            "control was imposed",
            **where,
        )
    rest = text[pos:].strip(" .;,")
    if rest:
        raise ParseError(
            f"text {rest!r} after the last year in {text!r} has no '(YYYY)' year", **where
        )
    return items


def read_export_controls(path: PathLike, *, data_root: PathLike | None = None) -> pd.DataFrame:
    """Read MCS T4, mineral export controls by country, one row per commodity and year.

    The ``Commodity_Year`` prose (``"Bauxite (2023), copper concentrates (2023), and nickel
    ore (2020)."``) is split with :func:`split_commodity_years`.

    Parameters
    ----------
    path : str or path-like
        ``MCS2026_T4_Country_Export_Control.csv`` (UTF-8 with BOM; header
        ``Country,Control_Type,Commodity_Year,Data_source,Notes``).
    data_root : str or path-like, optional
        The source data folder ``source_id`` is relative to; found from ``PROVENANCE.md`` if
        not given.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`EXPORT_CONTROL_COLUMNS`; ``year_imposed`` [calendar year] is int64.

    Raises
    ------
    ParseError
        On a missing column, an empty country or control type, or a malformed commodity cell
        (file, line and column named).

    Examples
    --------
    >>> df = read_export_controls("MCS2026_T4_Country_Export_Control.csv")  # doctest: +SKIP
    >>> df.loc[df.country_source == "China", ["commodity_source", "year_imposed"]]  # doctest: +SKIP
    """
    t = _Table(path, data_root)
    c = t.columns(["Country", "Control_Type", "Commodity_Year", "Data_source", "Notes"])
    rows: list[dict[str, Any]] = []
    for line, cells in t.records:
        country = t.name(cells, c["Country"], line, "Country")
        control = t.name(cells, c["Control_Type"], line, "Control_Type")
        phrase = _text(cells[c["Commodity_Year"]])
        for item, year, qual in split_commodity_years(
            phrase, where=t.where(line, "Commodity_Year")
        ):
            rows.append(
                {
                    "country_source": country,
                    "control_type": control,
                    "commodity_source": item,
                    "qualifier": qual,
                    "commodity_phrase": phrase,
                    "year_imposed": year,
                    "url": _text(cells[c["Data_source"]]),
                    "note": _text(cells[c["Notes"]]),
                    "source_id": t.source_id,
                    "source_row": line,
                }
            )
    logger.info("%s: %d rows -> %d export-control items", t.source_id, len(t.records), len(rows))
    return _frame(rows, EXPORT_CONTROL_COLUMNS, year_imposed="int64")


# --------------------------------------------------------------------------------------------
# T5: agreements
# --------------------------------------------------------------------------------------------

_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_abbr) if m}
_AGREEMENT_HEADER = ["Country", "Agreement", "Signing_date", "Signing_date", "Focus_area", "Source"]

_DateParts = tuple[int | None, int, int | None]  # (year, month, day)


def _short_date(text: str, where: dict[str, Any]) -> list[_DateParts]:
    """Return the readings of a '20-Oct-25' cell; '25-Feb' may be day-month or year-month."""
    s = text.strip()
    bad = ParseError(
        f"date {text!r} is not in the form '20-Oct-25' (day-Mon-yy); correct the cell",
        **where,
    )
    m = re.fullmatch(r"(\d{1,2})-([A-Za-z]{3})-(\d{2}|\d{4})", s)
    if m:
        day, mon, yr = int(m.group(1)), _MONTHS.get(m.group(2).lower()), int(m.group(3))
        if mon is None:
            raise bad
        year = yr if yr > 99 else 2000 + yr
        try:
            dt.date(year, mon, day)
        except ValueError as err:
            raise bad from err
        return [(year, mon, day)]
    m = re.fullmatch(r"(\d{1,2})-([A-Za-z]{3})", s)
    if m:
        num, mon = int(m.group(1)), _MONTHS.get(m.group(2).lower())
        if mon is None:
            raise bad
        readings: list[_DateParts] = [(2000 + num, mon, None)]
        if 1 <= num <= calendar.monthrange(2000, mon)[1]:
            readings.append((None, mon, num))
        return readings
    m = re.fullmatch(r"([A-Za-z]{3})-(\d{2})", s)
    if m and m.group(1).lower() in _MONTHS:
        return [(2000 + int(m.group(2)), _MONTHS[m.group(1).lower()], None)]
    raise bad


def _iso_date(text: str, where: dict[str, Any]) -> tuple[int, int, int | None]:
    """Parse 'YYYY-MM-DD' or 'YYYY-MM'."""
    m = re.fullmatch(r"(\d{4})-(\d{2})(?:-(\d{2}))?", text.strip())
    bad = ParseError(f"date {text!r} is not an ISO date (YYYY-MM-DD or YYYY-MM)", **where)
    if not m:
        raise bad
    year, mon, day = int(m.group(1)), int(m.group(2)), m.group(3)
    try:
        dt.date(year, mon, int(day) if day else 1)
    except ValueError as err:
        raise bad from err
    return year, mon, int(day) if day else None


def _agree(readings: list[_DateParts], iso: tuple[int, int, int | None]) -> bool:
    """Tell whether one reading of the short cell matches the ISO cell where both say something."""
    y, m, d = iso
    return any(
        (ry is None or ry == y) and rm == m and (rd is None or d is None or rd == d)
        for ry, rm, rd in readings
    )


def read_agreements(path: PathLike, *, data_root: PathLike | None = None) -> pd.DataFrame:
    """Read MCS T5, US critical-mineral agreements and frameworks.

    The header repeats ``Signing_date``: the file is read by position, the first date
    (``'20-Oct-25'``, sometimes ``'25-Feb'`` without a year) is checked against the second
    (ISO, ``'2025-10-20'`` or ``'2025-02'``), and the ISO date is used.

    Parameters
    ----------
    path : str or path-like
        ``MCS2026_T5_Trade_Agreements.csv`` (header
        ``Country,Agreement,Signing_date,Signing_date,Focus_area,Source``).
    data_root : str or path-like, optional
        The source data folder ``source_id`` is relative to.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`AGREEMENT_COLUMNS`; ``signed`` holds :class:`datetime.date` (the 1st
        of the month when ``signed_precision`` is ``"month"``).

    Raises
    ------
    ParseError
        If the header is not the six columns above, a date cell is malformed, or the two
        dates disagree and the row is not listed in :data:`T5_DATE_ERRATA`.
    """
    t = _Table(path, data_root)
    got = [_norm_header(h) for h in t.header]
    if got != [_norm_header(h) for h in _AGREEMENT_HEADER]:
        raise ParseError(
            f"header {t.header} is not {_AGREEMENT_HEADER}; the columns are read by position",
            path=str(t.path),
            row=1,
        )
    rows: list[dict[str, Any]] = []
    for line, cells in t.records:
        country = t.name(cells, 0, line, "Country")
        agreement = _text(cells[1])
        if not agreement:
            raise ParseError("empty 'Agreement'", **t.where(line, "Agreement"))
        short, iso_text = cells[2].strip(), cells[3].strip()
        where = t.where(line, "Signing_date")
        note = ""
        if not iso_text and not short:
            raise ParseError("no signing date in either Signing_date column", **where)
        if iso_text:
            iso = _iso_date(iso_text, where)
            if short and not _agree(_short_date(short, where), iso):
                erratum = T5_DATE_ERRATA.get((country, short, iso_text))
                if erratum is None:
                    raise ParseError(
                        f"the two Signing_date cells disagree: {short!r} vs {iso_text!r}. "
                        "Correct one of them, or record the row in T5_DATE_ERRATA",
                        **where,
                    )
                iso = _iso_date(erratum[0], where)
                note = erratum[1]
                logger.warning("%s line %d: %s", t.source_id, line, note)
        else:
            full = [r for r in _short_date(short, where) if r[0] is not None and r[2] is not None]
            if not full:
                raise ParseError(f"date {short!r} has no year and no ISO date is given", **where)
            y, m, d = full[0]
            assert y is not None
            iso = (y, m, d)
        year, month, day = iso
        rows.append(
            {
                "country_source": country,
                "agreement": agreement,
                "signed": dt.date(year, month, day or 1),
                "signed_precision": "day" if day else "month",
                "focus_area": _text(cells[4]),
                "url": _text(cells[5]),
                "note": note,
                "source_id": t.source_id,
                "source_row": line,
            }
        )
    logger.info("%s: %d agreements", t.source_id, len(rows))
    return _frame(rows, AGREEMENT_COLUMNS)


# --------------------------------------------------------------------------------------------
# End uses
# --------------------------------------------------------------------------------------------


def read_end_uses(path: PathLike, *, data_root: PathLike | None = None) -> pd.DataFrame:
    """Read the USGS critical-minerals end-use table (MCS2026 T6, MCS2025 T4).

    Parameters
    ----------
    path : str or path-like
        ``MCS2026_T6_Critical_Minerals_End_Use.csv`` (header
        ``Source,Critical_Mineral,Primary_Applications,Category_Note``) or
        ``MCS2025_T4_Critical_Minerals_End_Use.csv`` (same columns written with spaces:
        ``Critical Mineral,Primary Applications``).
    data_root : str or path-like, optional
        The source data folder ``source_id`` is relative to.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`END_USE_COLUMNS`; ``edition`` comes from the file name.

    Raises
    ------
    ParseError
        On a missing column or an empty mineral name.
    """
    t = _Table(path, data_root)
    c = t.columns(["Source", "Critical_Mineral", "Primary_Applications", "Category_Note"])
    edition = _edition(t, [cells[c["Source"]] for _, cells in t.records])
    rows = [
        {
            "commodity_source": t.name(cells, c["Critical_Mineral"], line, "Critical_Mineral"),
            "applications": _text(cells[c["Primary_Applications"]]),
            "category_note": _text(cells[c["Category_Note"]]),
            "edition": edition,
            "source_id": t.source_id,
            "source_row": line,
        }
        for line, cells in t.records
    ]
    logger.info("%s: %d end-use rows (%s)", t.source_id, len(rows), edition)
    return _frame(rows, END_USE_COLUMNS)


# --------------------------------------------------------------------------------------------
# Fig3: US import sources
# --------------------------------------------------------------------------------------------

_PERIOD = re.compile(r"^import_source_(\d{4})_(\d{2}|\d{4})$")


def _import_format(t: _Table) -> str:
    """'shares' (commodity x country shares) or 'counts' (commodities per country)."""
    normed = {_norm_header(h) for h in t.header}
    if any(_PERIOD.match(h) for h in normed):
        return "shares"
    if {"country", "commodity_count"} <= normed:
        return "counts"
    return "unknown"


def read_import_sources(path: PathLike, *, data_root: PathLike | None = None) -> pd.DataFrame:
    """Read the Fig3 table of US import sources: each country's share of a commodity's imports.

    Parameters
    ----------
    path : str or path-like
        ``MCS2026_Fig3_Major_Import_Sources.csv`` (header
        ``Source,Commodity,Import_Source_2021_24,Percent,NIR,Critical_Mineral``).  The period
        is read from the third header name.  ``MCS2025_Fig3`` has a different content
        (commodity counts per country): read it with :func:`read_import_source_counts`.
    data_root : str or path-like, optional
        The source data folder ``source_id`` is relative to.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`IMPORT_SOURCE_COLUMNS`.  ``share_pct`` and ``nir_pct`` [%] are
        float64; NA cells are NaN with flag ``not_available``; ``'>50'`` gives 50.0 with
        ``lower_bound``; ``E`` gives NaN with ``net_exporter``.  A country printed ``NA``
        becomes ``""`` with ``country_flag`` ``not_available`` (it is not Namibia).

    Raises
    ------
    ParseError
        On a missing column, an empty commodity or country, a word or a negative number in
        Percent / NIR, or a Critical_Mineral cell other than Y/N.
    """
    t = _Table(path, data_root)
    fmt = _import_format(t)
    if fmt == "counts":
        raise ParseError(
            f"this file counts commodities per country (header {t.header}); it has no import "
            "shares. Read it with read_import_source_counts()",
            path=str(t.path),
            row=1,
        )
    if fmt != "shares":
        raise ParseError(
            f"no 'Import_Source_YYYY_YY' column in header {t.header}; cannot tell the period",
            path=str(t.path),
            row=1,
        )
    period_col = next(h for h in t.header if _PERIOD.match(_norm_header(h)))
    pm = _PERIOD.match(_norm_header(period_col))
    assert pm is not None
    period = f"{pm.group(1)}\u2013{pm.group(2)}"
    c = t.columns(["Source", "Commodity", period_col, "Percent", "NIR"], ["Critical_Mineral"])
    edition = _edition(t, [cells[c["Source"]] for _, cells in t.records])
    rows: list[dict[str, Any]] = []
    for line, cells in t.records:
        commodity = t.name(cells, c["Commodity"], line, "Commodity")
        country = t.name(cells, c[period_col], line, period_col)
        country_flag = ""
        if country.upper() in {"NA", "N/A"}:
            country, country_flag = "", "not_available"
        share, share_flag = parse_value(
            cells[c["Percent"]], strict=True, where=t.where(line, "Percent")
        )
        nir, nir_flag = parse_value(cells[c["NIR"]], strict=True, where=t.where(line, "NIR"))
        critical: bool | None = None
        if "Critical_Mineral" in c:
            raw = cells[c["Critical_Mineral"]].strip().lower()
            if raw in {"y", "yes"}:
                critical = True
            elif raw in {"n", "no"}:
                critical = False
            elif raw:
                raise ParseError(
                    f"Critical_Mineral is {cells[c['Critical_Mineral']]!r}; expected Y or N",
                    **t.where(line, "Critical_Mineral"),
                )
        rows.append(
            {
                "commodity_source": commodity,
                "country_source": country,
                "country_flag": country_flag,
                "share_pct": share,
                "share_flag": share_flag,
                "nir_pct": nir,
                "nir_flag": nir_flag,
                "period": period,
                "critical": critical,
                "edition": edition,
                "source_id": t.source_id,
                "source_row": line,
            }
        )
    logger.info("%s: %d import-source rows (%s, %s)", t.source_id, len(rows), edition, period)
    return _frame(
        rows, IMPORT_SOURCE_COLUMNS, share_pct="float64", nir_pct="float64", critical="boolean"
    )


def read_import_source_counts(path: PathLike, *, data_root: PathLike | None = None) -> pd.DataFrame:
    """Read the MCS2025 Fig3 map table: how many import-reliant commodities each country supplies.

    Parameters
    ----------
    path : str or path-like
        ``MCS2025_Fig3_Major_Import_Sources.csv`` (header
        ``Source,Country,Commodity_Count,Map_Class``): for each country, the number of
        commodities for which the US is more than 50 % import reliant and the country is a
        major source.
    data_root : str or path-like, optional
        The source data folder ``source_id`` is relative to.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`IMPORT_SOURCE_COUNT_COLUMNS`; ``commodity_count`` [commodities] int64.

    Raises
    ------
    ParseError
        On a missing column, an empty country, or a count that is not a whole number >= 0.
    """
    t = _Table(path, data_root)
    c = t.columns(["Source", "Country", "Commodity_Count", "Map_Class"])
    edition = _edition(t, [cells[c["Source"]] for _, cells in t.records])
    rows: list[dict[str, Any]] = []
    for line, cells in t.records:
        raw = cells[c["Commodity_Count"]].strip()
        if not raw.isdigit():
            raise ParseError(
                f"Commodity_Count {raw!r} is not a whole number",
                **t.where(line, "Commodity_Count"),
            )
        rows.append(
            {
                "country_source": t.name(cells, c["Country"], line, "Country"),
                "commodity_count": int(raw),
                "map_class": _text(cells[c["Map_Class"]]),
                "edition": edition,
                "source_id": t.source_id,
                "source_row": line,
            }
        )
    logger.info("%s: %d import-source count rows (%s)", t.source_id, len(rows), edition)
    return _frame(rows, IMPORT_SOURCE_COUNT_COLUMNS, commodity_count="int64")


# --------------------------------------------------------------------------------------------
# policy/ files
# --------------------------------------------------------------------------------------------


def read_country_groups(
    path: PathLike,
    *,
    data_root: PathLike | None = None,
    include_trust: bool = True,
    official: bool = True,
) -> pd.DataFrame:
    """Read ``policy/country_groups.csv`` (MSP, Quad, US FTA partners, FEOC nations) + TRUST.

    A group that critmin's catalog defines from its official list (``catalog/groups.csv``:
    the Minerals Security Partnership as listed by the U.S. Department of State, 14 countries
    and the EU) replaces the file's rows of that group; the members that differ are logged
    (the seed article's MSP list leaves out Norway).

    Parameters
    ----------
    path : str or path-like
        The file (header ``group_id,group_name,member_as_published,as_of,source``).
    data_root : str or path-like, optional
        The source data folder ``source_id`` is relative to.
    include_trust : bool, default True
        Append :data:`TRUST_GROUP` (India, United States) unless the file already has a
        ``TRUST`` group.
    official : bool, default True
        Replace the groups defined in ``critmin/catalog/groups.csv`` by that official list.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`GROUP_COLUMNS`, one row per member.

    Raises
    ------
    ParseError
        On a missing column or an empty group id or member.
    """
    t = _Table(path, data_root)
    c = t.columns(["group_id", "group_name", "member_as_published", "as_of", "source"])
    rows = [
        {
            "group_id": t.name(cells, c["group_id"], line, "group_id"),
            "group_name": _text(cells[c["group_name"]]),
            "member_as_published": t.name(
                cells, c["member_as_published"], line, "member_as_published"
            ),
            "as_of": _text(cells[c["as_of"]]),
            "source": _text(cells[c["source"]]),
            "source_id": t.source_id,
            "source_row": line,
        }
        for line, cells in t.records
    ]
    if official:
        rows = _apply_official_groups(rows, t.source_id)
    if include_trust:
        if any(r["group_id"] == TRUST_GROUP["group_id"] for r in rows):
            logger.info(
                "%s already defines TRUST; the built-in definition is not added", t.source_id
            )
        else:
            rows += [
                {
                    "group_id": TRUST_GROUP["group_id"],
                    "group_name": TRUST_GROUP["group_name"],
                    "member_as_published": member,
                    "as_of": TRUST_GROUP["as_of"],
                    "source": TRUST_GROUP["source"],
                    "source_id": TRUST_GROUP["source_id"],
                    "source_row": TRUST_GROUP["source_row"],
                }
                for member in TRUST_GROUP["members"]
            ]
    logger.info("%s: %d group memberships", t.source_id, len(rows))
    return _frame(rows, GROUP_COLUMNS)


#: ``source_id`` of the group definitions critmin ships (official lists, cited row by row).
OFFICIAL_GROUPS_SOURCE_ID = "critmin/catalog/groups.csv"


def _apply_official_groups(rows: list[dict[str, Any]], file_id: str) -> list[dict[str, Any]]:
    """Replace the file's rows of every group the catalog defines from an official list."""
    from critmin.catalog._tables import read_table

    off = read_table("groups.csv")
    out = list(rows)
    for gid, members in off.groupby("group_id", sort=False):
        mine = {r["member_as_published"] for r in out if r["group_id"] == gid}
        theirs = set(members["member_as_published"])
        if mine and mine != theirs:
            logger.warning(
                "%s: group %s replaced by the official list in %s (%d members); "
                "the file lacks %s and adds %s",
                file_id,
                gid,
                OFFICIAL_GROUPS_SOURCE_ID,
                len(theirs),
                sorted(theirs - mine) or "none",
                sorted(mine - theirs) or "none",
            )
        out = [r for r in out if r["group_id"] != gid]
        out += [
            {
                "group_id": gid,
                "group_name": m.group_name,
                "member_as_published": m.member_as_published,
                "as_of": m.as_of,
                "source": m.source,
                "source_id": OFFICIAL_GROUPS_SOURCE_ID,
                "source_row": int(i) + 2,  # line in the file (header is line 1)
            }
            for i, m in members.iterrows()
        ]
    return out


def read_sector_map(path: PathLike, *, data_root: PathLike | None = None) -> pd.DataFrame:
    """Read ``policy/seed_element_sector_map.csv``: element -> use -> strategic sector.

    Parameters
    ----------
    path : str or path-like
        The file (header ``element,use,sector,source``).
    data_root : str or path-like, optional
        The source data folder ``source_id`` is relative to.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`SECTOR_MAP_COLUMNS`; ``element`` as published (e.g.
        ``"Silicon (ultra-pure)"``).

    Raises
    ------
    ParseError
        On a missing column or an empty element, use or sector.
    """
    t = _Table(path, data_root)
    c = t.columns(["element", "use", "sector", "source"])
    rows = [
        {
            "element": t.name(cells, c["element"], line, "element"),
            "use": t.name(cells, c["use"], line, "use"),
            "sector": t.name(cells, c["sector"], line, "sector"),
            "source": _text(cells[c["source"]]),
            "source_id": t.source_id,
            "source_row": line,
        }
        for line, cells in t.records
    ]
    logger.info("%s: %d element-sector links", t.source_id, len(rows))
    return _frame(rows, SECTOR_MAP_COLUMNS)


# --------------------------------------------------------------------------------------------
# Critical-mineral lists
# --------------------------------------------------------------------------------------------

_YES_NO = re.compile(r"^\s*(yes|no)\b[\s:;,.-]*(.*)$", re.IGNORECASE | re.DOTALL)


def _yes_no(cell: str, where: dict[str, Any], *, allow_na: bool = False) -> tuple[bool, str]:
    """Leading yes/no of a cell and the qualification after it (outer parentheses dropped)."""
    m = _YES_NO.match(cell)
    if m is None:
        if allow_na and re.match(r"^\s*n/?a\b", cell, re.IGNORECASE):
            return False, _text(cell)
        raise ParseError(f"{cell!r} does not start with 'yes' or 'no'", **where)
    rest = _text(m.group(2))
    if rest.startswith("(") and rest.endswith(")"):
        rest = rest[1:-1].strip()
    return m.group(1).lower() == "yes", rest


def _list_rows(
    t: _Table,
    name_col: str,
    list_cols: dict[str, str],
    *,
    allow_na: bool = False,
) -> list[dict[str, Any]]:
    """Rows of the list ids in `list_cols` (list_id -> column) marked yes."""
    c = t.columns([name_col, *list_cols.values()], ["source"])
    rows: list[dict[str, Any]] = []
    for list_id, col in list_cols.items():
        for line, cells in t.records:
            on, note = _yes_no(cells[c[col]], t.where(line, col), allow_na=allow_na)
            if on:
                rows.append(
                    {
                        "list_id": list_id,
                        "commodity_source": t.name(cells, c[name_col], line, name_col),
                        "note": note,
                        "source": _text(cells[c["source"]]) if "source" in c else "",
                        "source_id": t.source_id,
                        "source_row": line,
                    }
                )
    return rows


def _read_india_list(path: Path, data_root: PathLike | None) -> list[dict[str, Any]]:
    """India's list: every row of ``india_critical_minerals_YYYY.csv`` is a listed mineral."""
    m = re.search(r"(\d{4})", path.name)
    list_id = f"india_{m.group(1)}" if m else "india"
    t = _Table(path, data_root)
    c = t.columns(["mineral_as_published"], ["source"])
    return [
        {
            "list_id": list_id,
            "commodity_source": t.name(cells, c["mineral_as_published"], line, "mineral"),
            "note": "",
            "source": _text(cells[c["source"]]) if "source" in c else "",
            "source_id": t.source_id,
            "source_row": line,
        }
        for line, cells in t.records
    ]


def _read_us_lists(path: Path, data_root: PathLike | None) -> list[dict[str, Any]]:
    """US lists: one list per ``on_YYYY_list`` / ``on_YYYY_final_list`` column."""
    t = _Table(path, data_root)
    cols = {}
    for h in t.header:
        m = re.fullmatch(r"on_(\d{4})_(?:final_)?list", _norm_header(h))
        if m:
            cols[f"us_{m.group(1)}"] = h
    if not cols:
        raise ParseError(f"no 'on_YYYY_list' column in header {t.header}", path=str(t.path), row=1)
    return _list_rows(t, "mineral", cols)


def _read_eu_list(path: Path, data_root: PathLike | None) -> list[dict[str, Any]]:
    """EU list from the official-list flag column, and a strategic list if a column has one."""
    t = _Table(path, data_root)
    cols = {}
    for h in t.header:
        norm = _norm_header(h)
        m = re.match(r"on_official_(\d{4})_crm_list", norm)
        if m:
            cols[f"eu_{m.group(1)}"] = h
    if not cols:
        raise ParseError(
            f"no 'on_official_YYYY_CRM_list…' column in header {t.header}",
            path=str(t.path),
            row=1,
        )
    year = next(iter(cols))[3:]
    for h in t.header:
        if "strategic" in _norm_header(h):
            cols[f"eu_{year}_strategic"] = h
    # 'n/a (member of group)' marks single REEs / PGMs: listed through HREE, LREE, PGM rows.
    return _list_rows(t, "material", cols, allow_na=True)


def read_critical_lists(data_dir: PathLike, *, methods_dir: PathLike | None = None) -> pd.DataFrame:
    """Read the India, US and EU critical-mineral lists into one long table.

    Parameters
    ----------
    data_dir : str or path-like
        The source data folder (holds ``policy/india_critical_minerals_2023.csv``).
    methods_dir : str or path-like, optional
        The folder of ``usgs_critical_minerals_lists_2022_2025.csv`` and
        ``eu_crm_2023_results.csv``; default ``data_dir.parent / 'methods' / 'validation'``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`CRITICAL_LIST_COLUMNS`; one row per listed commodity.  ``list_id`` is
        ``india_2023``, ``us_2022``, ``us_2025``, ``eu_2023`` (and ``eu_2023_strategic`` if
        the EU file has a strategic column).  Only rows marked *yes* are kept; the EU file's
        single rare earths and PGMs (``n/a (member of group)``) are listed through their
        group rows ``HREE``, ``LREE``, ``PGM``.

    Raises
    ------
    DataError
        If a list file is missing.
    ParseError
        On a missing column, an empty name or a flag that does not start with yes/no.
    """
    data_dir = Path(data_dir)
    mdir = (
        Path(methods_dir) if methods_dir is not None else data_dir.parent / "methods" / "validation"
    )
    rows: list[dict[str, Any]] = []
    for path in _glob(data_dir, FILE_PATTERNS["india_list"]):
        rows += _read_india_list(path, data_dir)
    for path in _glob(mdir, FILE_PATTERNS["us_lists"]):
        rows += _read_us_lists(path, data_dir)
    for path in _glob(mdir, FILE_PATTERNS["eu_list"]):
        rows += _read_eu_list(path, data_dir)
    df = _frame(rows, CRITICAL_LIST_COLUMNS)
    logger.info("critical lists: %s", df.groupby("list_id").size().to_dict())
    return df


# --------------------------------------------------------------------------------------------
# Everything
# --------------------------------------------------------------------------------------------


def _glob(folder: Path, pattern: str, *, recursive: bool = False) -> list[Path]:
    """Sorted matches of `pattern` in `folder`; DataError naming the pattern if none."""
    found = sorted(folder.glob(f"**/{pattern}" if recursive else pattern))
    if not found:
        raise DataError(
            f"no file matching {pattern!r} under {folder}. Check the data folder (pass the "
            "folder that holds usgs_mcs*/ and policy/, and methods_dir for methods/validation)."
        )
    return found


def _by_edition(paths: list[Path]) -> dict[int, Path]:
    """{edition year: path}, one file per edition (the first in sorted order)."""
    out: dict[int, Path] = {}
    for p in paths:
        m = _EDITION.search(p.name)
        if m is None:
            continue
        year = int(m.group(1))
        if year in out:
            logger.warning("two files for MCS%d: %s and %s; using the first", year, out[year], p)
            continue
        out[year] = p
    return dict(sorted(out.items()))


def read_all_policy(
    data_dir: PathLike, *, methods_dir: PathLike | None = None
) -> dict[str, pd.DataFrame]:
    """Find and read every policy table under a data folder.

    Files are found by :data:`FILE_PATTERNS`, so a later release (``MCS2027_T4_…``) is
    picked up.  Export controls and agreements come from the newest edition present; end uses
    and import sources from every edition present.

    Parameters
    ----------
    data_dir : str or path-like
        The source data folder (``../shared/data``).
    methods_dir : str or path-like, optional
        Folder of the methods validation lists; default
        ``data_dir.parent / 'methods' / 'validation'``.

    Returns
    -------
    dict of str to pandas.DataFrame
        ``export_controls``, ``agreements``, ``end_uses``, ``import_sources``,
        ``import_source_counts`` (editions whose Fig3 counts commodities per country),
        ``groups``, ``critical_lists``, ``sector_map``.

    Raises
    ------
    DataError
        If a table's file is not found.
    ParseError
        If a file is malformed.
    """
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise DataError(f"data folder {data_dir} not found")

    def newest(key: str, reader: Callable[..., pd.DataFrame]) -> pd.DataFrame:
        editions = _by_edition(_glob(data_dir, FILE_PATTERNS[key], recursive=True))
        if not editions:
            raise DataError(f"no MCSyyyy file for {key} under {data_dir}")
        year, path = max(editions.items())
        logger.info("%s: using MCS%d (%s)", key, year, path.name)
        return reader(path, data_root=data_dir)

    out: dict[str, pd.DataFrame] = {
        "export_controls": newest("export_controls", read_export_controls),
        "agreements": newest("agreements", read_agreements),
    }
    end_uses = _by_edition(_glob(data_dir, FILE_PATTERNS["end_uses"], recursive=True))
    out["end_uses"] = pd.concat(
        [read_end_uses(p, data_root=data_dir) for p in end_uses.values()], ignore_index=True
    )
    shares: list[pd.DataFrame] = []
    counts: list[pd.DataFrame] = []
    for path in _by_edition(
        _glob(data_dir, FILE_PATTERNS["import_sources"], recursive=True)
    ).values():
        fmt = _import_format(_Table(path, data_dir))
        if fmt == "counts":
            counts.append(read_import_source_counts(path, data_root=data_dir))
        else:
            shares.append(read_import_sources(path, data_root=data_dir))
    out["import_sources"] = (
        pd.concat(shares, ignore_index=True) if shares else _frame([], IMPORT_SOURCE_COLUMNS)
    )
    out["import_source_counts"] = (
        pd.concat(counts, ignore_index=True) if counts else _frame([], IMPORT_SOURCE_COUNT_COLUMNS)
    )
    out["groups"] = read_country_groups(
        _glob(data_dir, FILE_PATTERNS["groups"])[0], data_root=data_dir
    )
    out["critical_lists"] = read_critical_lists(data_dir, methods_dir=methods_dir)
    out["sector_map"] = read_sector_map(
        _glob(data_dir, FILE_PATTERNS["sector_map"])[0], data_root=data_dir
    )
    return out
