"""IEA Critical Minerals Data Explorer (May 2024 edition): supply and demand grids.

IEA (2024), *Critical Minerals Data Explorer*, IEA, Paris, CC BY 4.0 (see ``PROVENANCE.md``
section 4).  The workbook's sheets are presentation grids, not tables: a title cell with the
unit (``'... (kt)'``), a row of scenario names over a row of years, blank spacer rows and
columns, blocks headed by a title cell (``'Copper - Mining'``, ``'Copper'``, ``'Base case'``),
side-by-side blocks (Mining | Refining), derived rows (``'Top 3 share'``, ``'Share of clean
technologies in total demand'``) and binary float artefacts (``2376.8000000000002``).

Both readers locate everything by its cells -- the year header, the scenario row above it,
the block titles -- never by fixed row numbers, so an edition with moved rows still parses;
a sheet or block that is expected but absent raises :class:`~critmin.errors.ParseError`
naming the sheet and what was looked for.

Decisions
---------
* Values are rounded to 12 significant digits (:data:`SIGNIFICANT_DIGITS`), which removes
  the float artefacts and nothing the IEA published.
* ``'Top 3 share'`` and ``'Share of ...'`` rows are dropped: they are ratios derived from the
  rows kept, so they can be recomputed, and keeping them beside kt would invite adding them.
* Supply: the first (lowest) year of the header is the base year (2023, no flag); later years
  carry ``flag='projection'`` and a ``series`` naming the case the title states
  (``'Mining, base case'``).  The cobalt refining block labels its total row
  ``'Total clean technologies'`` (a slip: the row sums the block); every label starting
  with "Total" becomes ``country_source='Total'`` with a note giving the published label.
* Demand: the base-year column has no scenario above it; its rows get
  ``scenario=`` :data:`BASE_YEAR_SCENARIO`.  Sheets without case blocks (1, 3.1, 3.2) carry
  ``case=`` :data:`DEFAULT_CASE`: their figures equal the 'Base case' blocks of the
  technology sheets 4.x.  Sheet 3.2 has one figure per mineral, all clean technologies,
  labelled :data:`CLEANTECH_TOTAL` (sheet 1's label for the same figure).  Blank cells are
  not emitted (the IEA leaves a scenario blank where a case was not modelled, e.g. 4.3 EV
  'Lower battery sizes' has no Net Zero figures).
"""

from __future__ import annotations

import logging
import math
import re
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from critmin.errors import DataError, ParseError
from critmin.ingest._common import finish_observations, join_flags, parse_value, source_id

__all__ = [
    "BASE_YEAR_SCENARIO",
    "CLEANTECH_TOTAL",
    "DATASET",
    "DEFAULT_CASE",
    "DEMAND_COLUMNS",
    "DEMAND_SHEETS",
    "DROPPED_ROWS",
    "REQUIRED_SUPPLY_MINERALS",
    "SIGNIFICANT_DIGITS",
    "STAGE_LABELS",
    "SUPPLY_SHEET",
    "read_iea_demand",
    "read_iea_supply",
]

logger = logging.getLogger(__name__)

#: Dataset id of the supply observations.
DATASET = "iea_cmde_2024"

#: The supply sheet.
SUPPLY_SHEET = "2 Total supply for key minerals"

#: Minerals whose mining block and refining-stage block must both be present.
REQUIRED_SUPPLY_MINERALS = (
    "Copper",
    "Cobalt",
    "Lithium",
    "Nickel",
    "Graphite",
    "Magnet rare earth elements",
)

#: Supply block label (after ``'<mineral> - '``, lower case, by prefix) -> critmin stage.
STAGE_LABELS: dict[str, str] = {
    "mining": "mine",
    "refining": "refinery",
    "chemicals": "refinery",  # 'Lithium - Chemicals'
    "battery grade": "refinery",  # 'Graphite - Battery grade'
}

#: Demand sheets -> (layout, blocks or rows that must be present).  Layouts:
#: ``mineral_blocks`` (block title = mineral, rows = sectors), ``mineral_rows`` (rows =
#: minerals, no blocks), ``case_blocks`` (block title = case, rows = minerals; the sector is
#: the technology in the sheet title).
DEMAND_SHEETS: dict[str, tuple[str, tuple[str, ...]]] = {
    "1 Total demand for key minerals": ("mineral_blocks", ("Copper", "Cobalt", "Lithium")),
    "3.1 Cleantech demand by tech": ("mineral_blocks", ("Copper", "Cobalt", "Lithium")),
    "3.2 Cleantech demand by mineral": ("mineral_rows", ("Copper", "Cobalt", "Lithium")),
    "4.1 Solar PV": ("case_blocks", ("Base case",)),
    "4.2 Wind": ("case_blocks", ("Base case",)),
    "4.3 EV": ("case_blocks", ("Base case",)),
    "4.4 Battery storage": ("case_blocks", ("Base case",)),
    "4.5 Electricity networks": ("case_blocks", ("Base case",)),
    "4.6 Hydrogen": ("case_blocks", ("Base case",)),
}

#: Row labels (lower case, by prefix) of derived ratio rows that are dropped.
DROPPED_ROWS = ("top 3 share", "share of")

#: ``scenario`` of the base-year column, which has no scenario heading.
BASE_YEAR_SCENARIO = "Base year"

#: ``case`` of sheets without case blocks.
DEFAULT_CASE = "Base case"

#: ``sector_or_technology`` of sheet 3.2 (all clean technologies).
CLEANTECH_TOTAL = "Total clean technologies"

#: Values are rounded to this many significant digits.
SIGNIFICANT_DIGITS = 12

#: Columns of the frame :func:`read_iea_demand` returns.
DEMAND_COLUMNS = [
    "mineral",
    "scenario",
    "case",
    "sector_or_technology",
    "year",
    "value",
    "unit",
    "sheet",
    "source_id",
    "source_row",
]

_UNIT = re.compile(r"\(([^()]+)\)\s*$")
_CASE = re.compile(r",\s*([^,()]+?)\s*\([^()]*\)\s*$")
_BLOCK_TITLE = re.compile(r"^(?P<mineral>[^:]{1,60}?)\s+-\s+(?P<label>[^:]{1,40})$")
_TECH = re.compile(r"^mineral demand for (?P<what>.+?)\s*\(", re.IGNORECASE)


@dataclass
class _Run:
    """A contiguous run of year columns and the scenario written above it."""

    cols: list[int]
    years: list[int]
    scenario: str


def _tidy(text: object) -> str:
    """Collapse whitespace (NBSP included) and strip; keep digits (``'Top 3 share'``)."""
    if text is None:
        return ""
    return " ".join(str(text).replace("\u00a0", " ").split())


def _round(v: float) -> float:
    """Round to :data:`SIGNIFICANT_DIGITS` (removes ``2376.8000000000002`` artefacts)."""
    return v if math.isnan(v) or v == 0 else float(f"{v:.{SIGNIFICANT_DIGITS}g}")


def _open(path: Path):
    """Open the workbook read-only with cached values."""
    import openpyxl

    if not path.is_file():
        raise DataError(f"file not found: {path}. Pass the IEA CM_Data_Explorer .xlsx.")
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
            return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as err:
        raise DataError(f"file {path}: not a readable xlsx workbook ({err}).") from err


def _grid(wb, name: str, path: Path) -> tuple[str, list[list]]:
    """Return (sheet name, rows padded to one width) for `name`.

    The sheet is found by exact name, else by name without its number prefix
    (``'Total supply for key minerals'``), case-insensitive.
    """

    def bare(s: str) -> str:
        return re.sub(r"^[\d.]+\s+", "", s).strip().lower()

    found = name if name in wb.sheetnames else None
    if found is None:
        matches = [s for s in wb.sheetnames if bare(s) == bare(name)]
        if len(matches) == 1:
            found = matches[0]
    if found is None:
        raise ParseError(
            f"sheet {name!r} not found; the workbook has {wb.sheetnames}. Is this the IEA "
            "Critical Minerals Data Explorer workbook?",
            path=str(path),
        )
    rows = [list(r) for r in wb[found].iter_rows(values_only=True)]
    width = max((len(r) for r in rows), default=0)
    return found, [r + [None] * (width - len(r)) for r in rows]


def _is_year(v: object) -> bool:
    """Return True for a year heading (an integer 1990..2100, as number or text)."""
    if isinstance(v, bool):
        return False
    if isinstance(v, (int, float)):
        return float(v).is_integer() and 1990 <= v <= 2100
    return isinstance(v, str) and v.strip().isdigit() and 1990 <= int(v) <= 2100


def _header(grid: list[list], sheet: str, path: Path) -> tuple[int, list[_Run]]:
    """Find the year-header row and split its year columns into runs with their scenarios."""
    r, cols = -1, []
    for n, row in enumerate(grid):
        cols = [c for c, v in enumerate(row) if _is_year(v)]
        if len(cols) >= 2:
            r = n
            break
    if r < 0:
        raise ParseError(
            f"sheet {sheet!r}: no row of year headings (e.g. 2023, 2030, 2035) found",
            path=str(path),
        )
    runs: list[_Run] = []
    for c in cols:
        if runs and runs[-1].cols[-1] == c - 1:
            runs[-1].cols.append(c)
        else:
            runs.append(_Run([c], [], ""))
        runs[-1].years.append(int(float(grid[r][c])))
    # the scenario row: the nearest row above with text over the year columns
    for above in range(r - 1, max(r - 4, -1), -1):
        texts = {c: _tidy(grid[above][c]) for c in cols if isinstance(grid[above][c], str)}
        if any(texts.values()):
            for run in runs:
                run.scenario = next((texts[c] for c in run.cols if texts.get(c)), "")
            break
    return r, runs


def _title(grid: list[list], header_row: int, sheet: str, path: Path) -> tuple[int, str, str]:
    """Return (row, title, unit) of the sheet title above the header (unit in parentheses)."""
    for r in range(header_row):
        for v in grid[r]:
            if isinstance(v, str) and _UNIT.search(v.strip()):
                return r, _tidy(v), _UNIT.search(v.strip()).group(1).strip()
    raise ParseError(
        f"sheet {sheet!r}: no title with the unit in parentheses (e.g. 'Total supply for key "
        "energy transition minerals, base case (kt)') above the year headings",
        path=str(path),
    )


def _value(v: object, sheet: str, path: Path, r: int, c: int) -> tuple[float, str] | None:
    """Parse one value cell; None for a blank; ParseError for a word."""
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    value, flag = parse_value(v)
    if flag == "qualitative":
        from openpyxl.utils import get_column_letter

        raise ParseError(
            f"sheet {sheet!r}, cell {get_column_letter(c + 1)}{r + 1}: {v!r} is not a number",
            path=str(path),
            row=r + 1,
        )
    return _round(value), flag


def _has_numbers(row: list, runs: list[_Run]) -> bool:
    """Return True if any year column of `row` holds a value."""
    return any(
        row[c] is not None and not (isinstance(row[c], str) and not row[c].strip())
        for run in runs
        for c in run.cols
    )


def _dropped(label: str) -> bool:
    return label.lower().startswith(DROPPED_ROWS)


def read_iea_supply(path: str | Path) -> pd.DataFrame:
    """Read mining and refining production by country from the supply sheet.

    Parameters
    ----------
    path : str or Path
        The IEA Critical Minerals Data Explorer workbook (``CM_Data_Explorer_May2024.xlsx``).

    Returns
    -------
    pandas.DataFrame
        Observations, columns :data:`critmin.ingest._common.OBSERVATION_COLUMNS`:
        ``dataset='iea_cmde_2024'``, ``measure='production'``, ``commodity_source`` the part
        of the block title before ``' - '`` (``'Lithium'``, ``'Magnet rare earth
        elements'``), ``stage`` from the part after it through :data:`STAGE_LABELS`,
        ``series`` that part (``'Mining'``, ``'Chemicals'``, ``'Mining (natural)'``) plus
        ``', <case>'`` for projection years, ``country_source`` as published (``'Rest of
        world'``, ``'Total'``), ``year`` [year], ``value`` [unit], ``unit`` from the title
        (``'kt'``), ``basis=''`` (the sheet states none), ``flag`` ``'projection'`` after the
        base year, ``source_id`` the workbook, ``source_row`` the row in sheet
        :data:`SUPPLY_SHEET`.  ``'Top 3 share'`` rows are dropped.

    Raises
    ------
    DataError
        If the file is missing or not an xlsx workbook.
    ParseError
        If the sheet, its year headings, its title (with the unit) or a block of
        :data:`REQUIRED_SUPPLY_MINERALS` is missing, a block label is not in
        :data:`STAGE_LABELS`, or a value cell holds a word.
    """
    p = Path(path)
    wb = _open(p)
    try:
        sheet, grid = _grid(wb, SUPPLY_SHEET, p)
    finally:
        wb.close()
    hdr, runs = _header(grid, sheet, p)
    _, title, unit = _title(grid, hdr, sheet, p)
    m = _CASE.search(title)
    case = m.group(1) if m else ""
    base_year = min(y for run in runs for y in run.years)

    blocks = []  # (row, col, mineral, label, stage, run)
    for r in range(hdr + 1, len(grid)):
        for c, v in enumerate(grid[r]):
            mt = _BLOCK_TITLE.match(_tidy(v)) if isinstance(v, str) else None
            if not mt:
                continue
            run = next((run for run in runs if run.cols[0] > c), None)
            if run is not None and _has_numbers(grid[r], [run]):
                continue  # a data row whose label happens to contain ' - '
            label = mt.group("label")
            stage = next((s for k, s in STAGE_LABELS.items() if label.lower().startswith(k)), None)
            if stage is None:
                raise ParseError(
                    f"sheet {sheet!r}: block {_tidy(v)!r} has stage label {label!r}, not one of "
                    f"{list(STAGE_LABELS)}; add it to critmin.ingest.iea.STAGE_LABELS",
                    path=str(p),
                    row=r + 1,
                )
            if run is None:
                raise ParseError(
                    f"sheet {sheet!r}: block {_tidy(v)!r} has no year columns to its right",
                    path=str(p),
                    row=r + 1,
                )
            blocks.append((r, c, mt.group("mineral"), label, stage, run))
    _require_supply_blocks(blocks, sheet, p)

    records = []
    n_dropped = 0
    for r0, c, mineral, label, stage, run in blocks:
        end = min([b[0] for b in blocks if b[1] == c and b[0] > r0], default=len(grid))
        for r in range(r0 + 1, end):
            name = _tidy(grid[r][c])
            if not name or not _has_numbers(grid[r], [run]):
                continue
            if _dropped(name):
                n_dropped += 1
                continue
            note = ""
            if name.lower().startswith("total") and name != "Total":
                note, name = f"published as {name!r}", "Total"
            for col, year in zip(run.cols, run.years, strict=True):
                parsed = _value(grid[r][col], sheet, p, r, col)
                if parsed is None:
                    continue
                projected = year > base_year
                records.append(
                    {
                        "commodity_source": mineral,
                        "series": f"{label}, {case}" if projected and case else label,
                        "stage": stage,
                        "country_source": name,
                        "year": year,
                        "value": parsed[0],
                        "flag": join_flags(parsed[1], "projection" if projected else ""),
                        "note": note,
                        "source_row": r + 1,
                    }
                )
    out = _note_inconsistent_totals(pd.DataFrame.from_records(records), sheet)
    out["dataset"] = DATASET
    out["measure"] = "production"
    out["unit"] = unit
    out["basis"] = ""
    out["source_id"] = source_id(p)
    logger.info("read %d IEA supply rows (%d share rows dropped) from %s", len(out), n_dropped, p)
    return finish_observations(out)


def _note_inconsistent_totals(out: pd.DataFrame, sheet: str) -> pd.DataFrame:
    """Note (and log) blocks whose rows do not add up to their 'Total' row.

    In the May 2024 edition the nickel and graphite blocks list six countries, but their
    'Rest of world' already includes the sixth, so the rows exceed 'Total' by that country.
    The figures are kept as published; the 'Rest of world' rows (else the 'Total' row) of
    such a block and year get a note with the excess.
    """
    keys = ["commodity_source", "stage", "year"]
    is_total = out["country_source"].eq("Total")
    total = out[is_total].set_index(keys)["value"]
    parts = out[~is_total].groupby(keys)["value"].sum()
    diff = (parts - total).dropna()
    bad = diff[diff.abs() > (total.reindex(diff.index).abs() * 1e-3).clip(lower=0.05)]
    if bad.empty:
        return out
    logger.warning(
        "sheet %r: in %d block-years the rows exceed 'Total' (source inconsistency, kept as "
        "published): %s",
        sheet,
        len(bad),
        "; ".join(f"{m} {s} {y}: {d:+.1f}" for (m, s, y), d in bad.items()),
    )
    rest = out["country_source"].str.lower().eq("rest of world")
    for (m, s, y), d in bad.items():
        where = out["commodity_source"].eq(m) & out["stage"].eq(s) & out["year"].eq(y)
        target = where & rest if (where & rest).any() else where & is_total
        msg = f"the rows of this block add up to {d:+.6g} more than its 'Total'"
        out.loc[target, "note"] = [
            "; ".join(x for x in (n, msg) if x) for n in out.loc[target, "note"]
        ]
    return out


def _require_supply_blocks(blocks: list, sheet: str, path: Path) -> None:
    """Raise unless every required mineral has a mine block and a refining-stage block."""
    have = {(b[2].lower(), b[4]) for b in blocks}
    for mineral in REQUIRED_SUPPLY_MINERALS:
        for stage, what in (("mine", "Mining"), ("refinery", "Refining")):
            if not any(m.startswith(mineral.lower()) and s == stage for m, s in have):
                found = sorted({f"{b[2]} - {b[3]}" for b in blocks})
                raise ParseError(
                    f"sheet {sheet!r}: no block titled '{mineral} - {what}' (a cell "
                    f"'<mineral> - <{'|'.join(k for k, v in STAGE_LABELS.items() if v == stage)}>'"
                    f" below the year headings); blocks found: {found}",
                    path=str(path),
                )


def read_iea_demand(path: str | Path) -> pd.DataFrame:
    """Read mineral demand by scenario, case, sector or technology and year.

    Reads every sheet in :data:`DEMAND_SHEETS`: total demand by sector ('1 Total demand for
    key minerals'), clean-technology demand by mineral and sector ('3.1 ...') and by mineral
    ('3.2 ...'), and the technology sheets with their alternative cases ('4.1 Solar PV' ...
    '4.6 Hydrogen').  Figures appear in several sheets (e.g. copper for solar PV in 1, 3.1 and
    4.1); filter on ``sheet`` to avoid counting them twice.

    Parameters
    ----------
    path : str or Path
        The IEA Critical Minerals Data Explorer workbook.

    Returns
    -------
    pandas.DataFrame
        One row per non-blank value cell, columns :data:`DEMAND_COLUMNS`:

        * ``mineral`` -- as published (``'Lithium'``, ``'Graphite (all grades: natural and
          synthetic)'``, ``'Total rare earth elements'``, ``'Total solar PV'``);
        * ``scenario`` -- as published (``'Stated Policies scenario'``, ``'Announced Pledges
          scenario'``, ``'Net Zero Emissions by 2050 scenario'``) or :data:`BASE_YEAR_SCENARIO`;
        * ``case`` -- the block title in sheets 4.x (``'Base case'``, ``'Wider adoption of
          Ga-As technology'``), else :data:`DEFAULT_CASE`;
        * ``sector_or_technology`` -- as published (``'Electric vehicles'``, ``'Other uses'``,
          ``'Total demand'``, ``'Total copper'``), the technology of a 4.x sheet's title with
          a capital (``'Solar PV'``), or :data:`CLEANTECH_TOTAL` for sheet 3.2;
        * ``year`` (int64) [year]; ``value`` (float64) [unit]; ``unit`` from the sheet title
          (``'kt'``); ``sheet``; ``source_id``; ``source_row`` (row in the sheet).

        ``'Share of clean technologies in total demand'`` rows are dropped.

    Raises
    ------
    DataError
        If the file is missing or not an xlsx workbook.
    ParseError
        If a sheet of :data:`DEMAND_SHEETS`, its year headings, its title with the unit, or a
        required block or row is missing, a data row precedes every block title, or a value
        cell holds a word.
    """
    p = Path(path)
    wb = _open(p)
    try:
        grids = [(_grid(wb, name, p), layout, req) for name, (layout, req) in DEMAND_SHEETS.items()]
    finally:
        wb.close()
    frames = [_demand_sheet(sheet, grid, layout, req, p) for (sheet, grid), layout, req in grids]
    out = pd.concat(frames, ignore_index=True)
    out["unit"] = out["unit"].astype(str)
    logger.info("read %d IEA demand rows from %d sheets of %s", len(out), len(frames), p)
    return out[DEMAND_COLUMNS]


def _demand_sheet(
    sheet: str, grid: list[list], layout: str, required: tuple[str, ...], path: Path
) -> pd.DataFrame:
    """Parse one demand sheet of the given layout."""
    hdr, runs = _header(grid, sheet, path)
    title_row, title, unit = _title(grid, hdr, sheet, path)
    first_year_col = min(run.cols[0] for run in runs)
    label_col = min(
        (
            c
            for r in range(hdr + 1, len(grid))
            for c in range(first_year_col)
            if isinstance(grid[r][c], str) and grid[r][c].strip()
        ),
        default=0,
    )
    tech = ""
    if layout == "case_blocks":
        mt = _TECH.match(title)
        what = mt.group("what") if mt else re.sub(r"^[\d.]+\s+", "", sheet)
        tech = what[:1].upper() + what[1:]

    records = []
    seen: set[str] = set()
    block = None
    for r in range(hdr + 1, len(grid)):
        label = _tidy(grid[r][label_col])
        if not label:
            continue
        if not _has_numbers(grid[r], runs):
            block = label
            continue
        if _dropped(label):
            continue
        if layout == "mineral_rows":
            mineral, case, sector = label, DEFAULT_CASE, CLEANTECH_TOTAL
            seen.add(label)
        else:
            if block is None:
                raise ParseError(
                    f"sheet {sheet!r}: data row {label!r} comes before any block title "
                    f"(expected a {'mineral' if layout == 'mineral_blocks' else 'case'} title "
                    "row first)",
                    path=str(path),
                    row=r + 1,
                )
            seen.add(block)
            if layout == "mineral_blocks":
                mineral, case, sector = block, DEFAULT_CASE, label
            else:
                mineral, case, sector = label, block, tech
        for run in runs:
            scenario = run.scenario or BASE_YEAR_SCENARIO
            for col, year in zip(run.cols, run.years, strict=True):
                parsed = _value(grid[r][col], sheet, path, r, col)
                if parsed is None or math.isnan(parsed[0]):
                    continue
                records.append((mineral, scenario, case, sector, year, parsed[0], r + 1))
    missing = [x for x in required if x not in seen]
    if missing:
        what = "row" if layout == "mineral_rows" else "block titled"
        raise ParseError(
            f"sheet {sheet!r}: no {what} {missing[0]!r} with figures below the year headings "
            f"(expected {list(required)}; found {sorted(seen)})",
            path=str(path),
        )
    out = pd.DataFrame.from_records(
        records,
        columns=[
            "mineral",
            "scenario",
            "case",
            "sector_or_technology",
            "year",
            "value",
            "source_row",
        ],
    )
    out["unit"] = unit
    out["sheet"] = sheet
    out["source_id"] = source_id(path)
    return out.astype({"year": "int64", "value": "float64", "source_row": "int64"})
