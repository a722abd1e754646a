"""The user workspace: importing the user's own data, atomically.

File format for ``critmin data import FILE`` (CSV, UTF-8, or an Excel sheet), one row per
figure:

==============  ========  =====================================================================
column          required  meaning
==============  ========  =====================================================================
commodity       yes       a commodity name, alias or element ('lithium', 'REE', 'Nd')
country         yes       ISO3 code or country name ('IND', 'India'); 'World' for a world total
year            yes       integer year, 1900-2100
value           yes       a non-negative number; empty = not available
unit            yes       e.g. 't', 'metric tons', 'kt', 'kg', '%'
stage           no        mine, refinery, smelter, processing, primary, secondary, total (default: total)
measure         no        production, capacity, reserves, imports, exports, consumption, ... (default: production)
basis           no        content basis ('lithium content', 'REO', 'gross weight'); default ''
series          no        a label for the series; default 'user'
note            no        free text
==============  ========  =====================================================================

Every row is checked; all problems are reported together (file, line, column, value, fix),
and nothing is written unless the whole file passes.  The rows land in the workspace as
``dataset = 'user:<name>'`` (``<name>`` defaults to the file name); importing the same name
again replaces that dataset in one transaction.
"""

from __future__ import annotations

import logging
import math
from pathlib import Path

import duckdb
import pandas as pd

from critmin import units
from critmin.catalog import resolve_commodity, resolve_country
from critmin.errors import DataError, ImportRejected, ParseError, UnknownNameError
from critmin.ingest._common import MEASURES, STAGES, parse_value, read_csv_text
from critmin.ingest.schema import TABLES
from critmin.settings import get_settings
from critmin.store import reset_store

__all__ = [
    "REQUIRED_COLUMNS",
    "read_user_file",
    "validate_user_table",
    "import_file",
    "list_imports",
    "remove_import",
]

logger = logging.getLogger(__name__)

REQUIRED_COLUMNS = ["commodity", "country", "year", "value", "unit"]
OPTIONAL_COLUMNS = {
    "stage": "total",
    "measure": "production",
    "basis": "",
    "series": "user",
    "note": "",
}
_MAX_LISTED = 20


def read_user_file(path: str | Path, sheet: str | int | None = None) -> pd.DataFrame:
    """Read a user CSV or Excel file as strings, with the file named in every error."""
    p = Path(path)
    if not p.is_file():
        raise DataError(f"file not found: {p}")
    suffix = p.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls"):
        try:
            df = pd.read_excel(p, sheet_name=sheet if sheet is not None else 0, dtype=str)
        except (ValueError, OSError, KeyError) as err:
            raise DataError(
                f"file {p}: cannot read as Excel ({err}). Save it as .xlsx or CSV."
            ) from err
        return df.fillna("")
    if suffix in (".csv", ".txt", ""):
        return read_csv_text(p, encodings=("utf-8-sig",))
    raise DataError(f"file {p}: unsupported type {suffix!r}; use .csv (UTF-8) or .xlsx")


def validate_user_table(df: pd.DataFrame, name: str, path: str = "<table>") -> pd.DataFrame:
    """Validate a user table and return it as observation rows.

    Raises
    ------
    ImportRejected
        Listing every failing row (line, column, value, fix).  Nothing is written.
    """
    df = df.rename(columns=lambda c: str(c).strip().lower())
    missing = [c for c in REQUIRED_COLUMNS if c not in df.columns]
    if missing:
        raise ImportRejected(
            f"file {path}: missing required column(s) {missing}; found {list(df.columns)}. "
            f"Required: {REQUIRED_COLUMNS}; optional: {list(OPTIONAL_COLUMNS)}."
        )
    if df.empty:
        raise ImportRejected(f"file {path}: no data rows")
    for col, default in OPTIONAL_COLUMNS.items():
        if col not in df.columns:
            df[col] = default
    problems: list[str] = []

    def bad(line: int, col: str, value: object, why: str) -> None:
        problems.append(f"line {line}, column {col!r}, value {value!r}: {why}")

    rows = []
    com_cache: dict[str, str | None] = {}
    cty_cache: dict[str, str | None] = {}
    for i, r in enumerate(df.to_dict("records")):
        line = i + 2
        com, cty = str(r["commodity"]).strip(), str(r["country"]).strip()
        if com not in com_cache:
            try:
                com_cache[com] = resolve_commodity(com)
            except UnknownNameError as err:
                com_cache[com] = None
                bad(line, "commodity", com, str(err))
        elif com_cache[com] is None:
            bad(line, "commodity", com, "unknown commodity (see above)")
        if cty not in cty_cache:
            try:
                cty_cache[cty] = (
                    "WLD"
                    if cty.lower() in ("world", "wld", "world total")
                    else resolve_country(cty)
                )
            except UnknownNameError as err:
                cty_cache[cty] = None
                bad(line, "country", cty, str(err))
        elif cty_cache[cty] is None:
            bad(line, "country", cty, "unknown country (see above)")
        year_txt = str(r["year"]).strip()
        year = None
        try:
            year = int(float(year_txt))
            if not (1900 <= year <= 2100) or float(year_txt) != year:
                raise ValueError
        except ValueError:
            bad(line, "year", year_txt, "write a whole year between 1900 and 2100")
            year = None
        try:
            value, flag = parse_value(r["value"], strict=True)
        except ParseError as err:
            bad(line, "value", r["value"], str(err))
            value, flag = math.nan, ""
        unit = units.canonical_unit(r["unit"])
        if not unit:
            bad(line, "unit", r["unit"], "give a unit such as 't', 'kt', 'kg' or '%'")
        stage = str(r["stage"]).strip().lower() or "total"
        if stage not in STAGES:
            bad(line, "stage", r["stage"], f"use one of {list(STAGES)}")
        measure = str(r["measure"]).strip().lower() or "production"
        if measure not in MEASURES:
            bad(line, "measure", r["measure"], f"use one of {list(MEASURES)}")
        rows.append(
            {
                "dataset": f"user:{name}",
                "commodity_id": com_cache.get(com),
                "commodity_source": com,
                "series": str(r["series"]).strip() or "user",
                "stage": stage,
                "measure": measure,
                "country_iso3": cty_cache.get(cty),
                "country_source": cty,
                "year": year,
                "value": value,
                "unit": unit,
                "basis": str(r["basis"]).strip(),
                "flag": flag,
                "note": str(r["note"]).strip(),
                "source_id": str(path),
                "source_row": line,
            }
        )
    out = pd.DataFrame(rows, columns=list(TABLES["observations"]))
    key = ["commodity_id", "series", "stage", "measure", "country_iso3", "year", "basis"]
    dup = out[out.duplicated(key, keep=False) & out[key].notna().all(axis=1)]
    for _, grp in dup.groupby(key, dropna=False):
        lines = ", ".join(str(x) for x in grp["source_row"])
        first = grp.iloc[0]
        problems.append(
            f"lines {lines}: duplicate rows for {first.commodity_id} / {first.country_iso3} / "
            f"{first.year} / {first.stage} {first.measure}; keep one, or give them different "
            "'series' labels"
        )
    if problems:
        shown = problems[:_MAX_LISTED]
        more = (
            f"\n  ... and {len(problems) - _MAX_LISTED} more" if len(problems) > _MAX_LISTED else ""
        )
        raise ImportRejected(
            f"file {path}: {len(problems)} problem(s); nothing was imported:\n  "
            + "\n  ".join(shown)
            + more
        )
    out["year"] = out["year"].astype("int64")
    out["source_row"] = out["source_row"].astype("int64")
    return out


def _connect(create: bool) -> duckdb.DuckDBPyConnection:
    ws = get_settings().workspace_db
    if not ws.is_file() and not create:
        raise ImportRejected(f"the workspace {ws} has no imports yet")
    ws.parent.mkdir(parents=True, exist_ok=True)
    reset_store()  # an open store holds the workspace attached read-only
    try:
        return duckdb.connect(str(ws))
    except duckdb.IOException as err:
        raise ImportRejected(
            f"the workspace {ws} is in use by another process ({err}); close other critmin "
            "sessions (e.g. `critmin serve`) or set CRITMIN_HOME to another folder"
        ) from err


def import_file(
    path: str | Path, name: str | None = None, sheet: str | int | None = None
) -> pd.DataFrame:
    """Validate a user file and store it in the workspace, atomically.

    Parameters
    ----------
    path : path
        CSV (UTF-8) or Excel file in the documented format (module docstring).
    name : str, optional
        Dataset name; default the file's stem.  Re-importing a name replaces it.
    sheet : str or int, optional
        Excel sheet; default the first.

    Returns
    -------
    pandas.DataFrame
        The imported observation rows.
    """
    p = Path(path)
    name = name or p.stem
    if not name.replace("_", "").replace("-", "").isalnum():
        raise ImportRejected(
            f"dataset name {name!r}: use letters, digits, '-' and '_' only (pass --name)"
        )
    table = validate_user_table(read_user_file(p, sheet), name=name, path=str(p))
    con = _connect(create=True)
    try:
        con.execute("BEGIN TRANSACTION")
        cols = ", ".join(
            f'"{c}" {"BIGINT" if c in ("year", "source_row") else "DOUBLE" if c == "value" else "VARCHAR"}'
            for c in TABLES["observations"]
        )
        con.execute(f"CREATE TABLE IF NOT EXISTS user_observations ({cols})")
        con.execute(
            "CREATE TABLE IF NOT EXISTS imports (name VARCHAR, file VARCHAR, rows BIGINT, imported_at TIMESTAMP)"
        )
        con.execute("DELETE FROM user_observations WHERE dataset = ?", [f"user:{name}"])
        con.execute("DELETE FROM imports WHERE name = ?", [name])
        con.register("incoming", table)
        con.execute("INSERT INTO user_observations SELECT * FROM incoming")
        con.execute(
            "INSERT INTO imports VALUES (?, ?, ?, now())", [name, str(p.resolve()), len(table)]
        )
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    finally:
        con.close()
    logger.info("imported %d rows from %s as user:%s", len(table), p, name)
    return table


def list_imports() -> pd.DataFrame:
    """Return the workspace's imports (name, file, rows, imported_at)."""
    ws = get_settings().workspace_db
    if not ws.is_file():
        return pd.DataFrame(columns=["name", "file", "rows", "imported_at"])
    con = duckdb.connect(str(ws), read_only=True)
    try:
        return con.execute("SELECT * FROM imports ORDER BY name").df()
    finally:
        con.close()


def remove_import(name: str) -> None:
    """Remove an imported dataset from the workspace (one transaction)."""
    known = list(list_imports()["name"])
    if name not in known:
        raise ImportRejected(f"no import named {name!r}; imports are {known}")
    con = _connect(create=False)
    try:
        con.execute("BEGIN TRANSACTION")
        con.execute("DELETE FROM user_observations WHERE dataset = ?", [f"user:{name}"])
        con.execute("DELETE FROM imports WHERE name = ?", [name])
        con.execute("COMMIT")
    finally:
        con.close()
