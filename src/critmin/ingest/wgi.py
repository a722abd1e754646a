"""World Bank Worldwide Governance Indicators (WGI).

Kaufmann & Kraay's six governance dimensions, per economy and year, published by the World
Bank as one workbook (``wgidataset_2024release.xlsx``, one sheet) in long format with the
header ``codeindyr,code,countryname,year,indicator,estimate,stddev,nsource,pctrank,
pctranklower,pctrankupper`` (see ``PROVENANCE.md`` section 3).  :func:`read_wgi` reads the
workbook or a CSV export of it.

Quirks handled here
-------------------
* Missing values are the text ``..`` -> NaN.
* ``code`` is the WGI code, mostly ISO3 but not always (``ROM`` Romania, ``ZAR`` DR Congo,
  ``ADO`` Andorra, ``TMP`` Timor-Leste, ``WBG`` West Bank and Gaza, ``KSV`` Kosovo, ``ANT``,
  ``JEY``).  It is returned as published in ``country_source``; ISO3 resolution happens in
  :mod:`critmin.ingest.build`.
* Estimates are in units of a standard normal (roughly -2.5 .. 2.5), but the 2024 release
  has six Political Stability values below -3 (Iraq 2004, Somalia 2007-2011); values outside
  :data:`ESTIMATE_RANGE` raise a warning listing them (or an error with ``strict=True``).
"""

from __future__ import annotations

import logging
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from critmin.errors import DataError, ParseError
from critmin.ingest._common import read_csv_text, require_columns, source_id

__all__ = ["ESTIMATE_RANGE", "INDICATORS", "NA_VALUES", "OUTPUT_COLUMNS", "read_wgi"]

logger = logging.getLogger(__name__)

#: The six WGI dimensions.
INDICATORS: dict[str, str] = {
    "va": "Voice and Accountability",
    "pv": "Political Stability and Absence of Violence/Terrorism",
    "ge": "Government Effectiveness",
    "rq": "Regulatory Quality",
    "rl": "Rule of Law",
    "cc": "Control of Corruption",
}

#: Text meaning "no figure".
NA_VALUES = ("..", "")

#: Plausible range of ``estimate`` [standard-normal units]; outside -> warning.
ESTIMATE_RANGE = (-3.0, 3.0)

#: Columns of the frame :func:`read_wgi` returns.
OUTPUT_COLUMNS = [
    "country_source",
    "country_name",
    "year",
    "indicator",
    "estimate",
    "stddev",
    "nsource",
    "pctrank",
    "pctranklower",
    "pctrankupper",
    "source_id",
    "source_row",
]

_NUMERIC = ["estimate", "stddev", "nsource", "pctrank", "pctranklower", "pctrankupper"]
_REQUIRED = ["code", "countryname", "year", "indicator", *_NUMERIC]
_HEADER_SCAN_ROWS = 30


def read_wgi(path: str | Path, strict: bool = False) -> pd.DataFrame:
    """Read the Worldwide Governance Indicators (xlsx as published, or a CSV of it).

    Parameters
    ----------
    path : str or Path
        ``wgidataset_<year>release.xlsx`` (the sheet whose header has ``code``,
        ``indicator``, ``estimate`` ... is found) or a ``.csv`` with the same header.
    strict : bool, default False
        Raise instead of warn when an estimate is outside :data:`ESTIMATE_RANGE`.

    Returns
    -------
    pandas.DataFrame
        One row per data row, columns :data:`OUTPUT_COLUMNS`:

        * ``country_source`` -- WGI code as published (``'ROM'``, ``'ZAR'``);
        * ``country_name`` -- as published;
        * ``year`` (int64) [year];
        * ``indicator`` -- one of :data:`INDICATORS` (``'va'`` ... ``'cc'``);
        * ``estimate`` [standard-normal units, about -2.5 .. 2.5];
        * ``stddev`` -- standard error of the estimate [same units];
        * ``nsource`` -- number of sources [count, float so it can be NaN];
        * ``pctrank``, ``pctranklower``, ``pctrankupper`` -- percentile rank and its 90 %
          interval [0..100];
        * ``source_id`` -- ``'<folder>/<file name>'``; ``source_row`` -- 1-based line of
          the CSV or row of the sheet (header = 1 for the CSV).

        ``..`` and blanks are NaN.

    Raises
    ------
    DataError
        If the file is missing or unreadable, or the suffix is neither .csv nor .xlsx.
    ParseError
        If no header is found, a column is missing, an indicator is not one of the six, a
        year is not an integer, or a number cell holds text other than ``..``.

    Warns
    -----
    UserWarning
        Estimates outside :data:`ESTIMATE_RANGE`, with their rows (unless `strict`).

    Examples
    --------
    >>> wgi = read_wgi("wgi/wgidataset_2024release.xlsx")  # doctest: +SKIP
    >>> wgi.query("indicator == 'pv' and year == 2023")  # doctest: +SKIP
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix == ".csv":
        raw = read_csv_text(p)
        rows = np.arange(2, len(raw) + 2, dtype="int64")
    elif suffix in (".xlsx", ".xlsm"):
        raw, rows = _read_xlsx(p)
    else:
        raise DataError(
            f"file {p}: unknown suffix {p.suffix!r}; pass the WGI .xlsx as published or a .csv "
            "export of it."
        )
    require_columns(raw, _REQUIRED, p)
    out = _tidy(raw, rows, p)
    _check_estimates(out, p, strict)
    logger.info("read %d WGI rows from %s", len(out), p)
    return out


def _read_xlsx(path: Path) -> tuple[pd.DataFrame, np.ndarray]:
    """Find the WGI header in a workbook and return its rows as text/number cells."""
    import openpyxl

    if not path.is_file():
        raise DataError(f"file not found: {path}. Check the path.")
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as err:
        raise DataError(f"file {path}: not a readable xlsx workbook ({err}).") from err
    try:
        for ws in wb.worksheets:
            it = ws.iter_rows(values_only=True)
            for n, row in enumerate(it, start=1):
                names = [str(c).strip().lower() if c is not None else "" for c in row]
                if {"code", "indicator", "estimate"} <= set(names):
                    return _sheet_rows(it, names, n)
                if n >= _HEADER_SCAN_ROWS:
                    break
    finally:
        wb.close()
    raise ParseError(
        f"no sheet has a WGI header (a row with code, countryname, year, indicator, estimate, "
        f"...) in its first {_HEADER_SCAN_ROWS} rows; sheets: {wb.sheetnames}. Is this the WGI "
        "workbook?",
        path=str(path),
    )


def _sheet_rows(it, names: list[str], header_row: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Collect the data rows after the header (skipping empty rows), as object columns."""
    width = len(names)
    data, rows = [], []
    for n, row in enumerate(it, start=header_row + 1):
        if row is None or all(c is None or (isinstance(c, str) and not c.strip()) for c in row):
            continue
        cells = list(row[:width]) + [None] * (width - len(row))
        data.append(["" if c is None else c for c in cells])
        rows.append(n)
    frame = pd.DataFrame(data, columns=names, dtype=object)
    return frame, np.asarray(rows, dtype="int64")


def _tidy(raw: pd.DataFrame, rows: np.ndarray, path: Path) -> pd.DataFrame:
    """Type, validate and rename the WGI columns."""
    text = {c: raw[c].map(lambda v: str(v).strip()) for c in ("code", "countryname", "indicator")}
    indicator = text["indicator"]
    bad = ~indicator.isin(list(INDICATORS))
    if bad.any():
        i = int(bad.to_numpy().argmax())
        raise ParseError(
            f"indicator {raw['indicator'].iloc[i]!r} is not a WGI dimension; expected one of "
            f"{list(INDICATORS)}",
            path=str(path),
            row=int(rows[i]),
            column="indicator",
        )
    year = pd.to_numeric(raw["year"].map(lambda v: str(v).strip()), errors="coerce")
    bad = year.isna() | (year % 1 != 0)
    if bad.any():
        i = int(bad.to_numpy().argmax())
        raise ParseError(
            f"year {raw['year'].iloc[i]!r} is not an integer year",
            path=str(path),
            row=int(rows[i]),
            column="year",
        )
    out = pd.DataFrame(
        {
            "country_source": text["code"],
            "country_name": text["countryname"],
            "year": year.astype("int64"),
            "indicator": indicator,
        }
    )
    for col in _NUMERIC:
        out[col] = _numbers(raw[col], rows, path, col)
    out["source_id"] = source_id(path)
    out["source_row"] = rows
    return out[OUTPUT_COLUMNS].reset_index(drop=True)


def _numbers(cells: pd.Series, rows: np.ndarray, path: Path, col: str) -> pd.Series:
    """Convert a column to float; ``..`` and blanks to NaN; other text -> ParseError."""
    as_text = cells.map(lambda v: v.strip() if isinstance(v, str) else v)
    missing = as_text.isin(NA_VALUES)
    values = pd.to_numeric(as_text.where(~missing, np.nan), errors="coerce").astype("float64")
    bad = values.isna() & ~missing
    if bad.any():
        i = int(bad.to_numpy().argmax())
        raise ParseError(
            f"{cells.iloc[i]!r} is not a number; WGI writes numbers, or '..' when missing",
            path=str(path),
            row=int(rows[i]),
            column=col,
        )
    return values


def _check_estimates(out: pd.DataFrame, path: Path, strict: bool) -> None:
    """Warn (or raise) on estimates outside :data:`ESTIMATE_RANGE`, showing the rows."""
    lo, hi = ESTIMATE_RANGE
    bad = out[(out["estimate"] < lo) | (out["estimate"] > hi)]
    if bad.empty:
        return
    shown = bad[["country_source", "year", "indicator", "estimate", "source_row"]].head(10)
    msg = (
        f"{len(bad)} WGI estimate(s) outside [{lo}, {hi}] in {path}:\n"
        f"{shown.to_string(index=False)}"
    )
    if strict:
        raise ParseError(msg, path=str(path), row=int(bad["source_row"].iloc[0]), column="estimate")
    warnings.warn(msg, UserWarning, stacklevel=3)
