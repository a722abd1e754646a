"""CEPII BACI: bilateral trade flows by HS6 product, exporter, importer and year.

BACI (Gaulier & Zignago 2010, CEPII Working Paper 2010-23; Etalab Open Licence 2.0)
reconciles UN Comtrade mirror flows.  Every release ships one CSV per year with the columns
``t,i,j,k,v,q`` (year, exporter code, importer code, HS6 product, value [thousand current
USD], quantity [t]), plus ``country_codes_V<release>.csv`` and
``product_codes_HS<nn>_V<release>.csv``.  The mineral extract in ``baci_minerals/`` (see
``PROVENANCE.md`` section 10) has the same layout, so :func:`read_baci` reads full release
files too (plain ``.csv`` or ``.gz``; ~10 M rows per year file) with pyarrow, typed columns
and no per-row Python.

Quirks handled here
-------------------
* ``q`` is empty, ``NA`` or a right-aligned ``NA`` where BACI has no quantity -> NaN.
* ``k`` may lose its leading zero in some files (``10121``); ``hs6`` is always six
  characters (``'010121'``).  ``k`` is read as text, so legacy non-WCO codes listed in the
  product list (``'9999AA'``) pass through as published.
* Country codes are BACI's numeric codes (India 699, France 251), resolved to ISO3 through
  the release's own country list.  Pseudo-codes keep what the list says: in V202401b
  ``490`` 'Other Asia, nes' -> ``'S19'`` (Taiwan), ``697`` 'Europe EFTA, nes' -> ``'R20'``,
  ``711`` 'Southern African Customs Union (...1999)' -> ``'ZA1'``; in V202201 the same
  entries say ``'N/A'``.  Historical codes share an ISO3 with their successor (58
  Belgium-Luxembourg and 56 Belgium -> ``'BEL'``; 280 and 276 -> ``'DEU'``; 736 and 729 ->
  ``'SDN'``); keep ``exporter_code``/``importer_code`` where that matters.
* Country lists come in two header layouts: ``country_code,country_name,country_iso2,
  country_iso3`` (V2023+) and ``country_code,country_name_abbreviation,country_name_full,
  iso_2digit_alpha,iso_3digit_alpha`` (V202201, cp1252-encoded).
"""

from __future__ import annotations

import csv
import gzip
import io
import logging
import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from critmin.errors import DataError, ParseError
from critmin.ingest._common import read_csv_text, require_columns, source_id

__all__ = [
    "BACI_COLUMNS",
    "NA_VALUES",
    "OUTPUT_COLUMNS",
    "read_baci",
    "read_baci_country_codes",
    "read_baci_product_codes",
]

logger = logging.getLogger(__name__)

#: The columns of every BACI trade file, in order.
BACI_COLUMNS = ["t", "i", "j", "k", "v", "q"]

#: Spellings of "no figure" in ``v``/``q``: empty, ``NA``, and ``NA`` right-aligned in a
#: fixed-width field (pyarrow trims numbers but not null markers).
NA_VALUES = ["", "NA", "NaN"] + [" " * n + "NA" for n in range(1, 32)]

#: Columns of the frame :func:`read_baci` returns.
OUTPUT_COLUMNS = [
    "year",
    "exporter_code",
    "importer_code",
    "exporter_iso3",
    "importer_iso3",
    "hs6",
    "value_kusd",
    "quantity_t",
    "source_id",
    "source_row",
]

_TYPES = {
    "t": pa.int16(),
    "i": pa.int32(),
    "j": pa.int32(),
    "k": pa.dictionary(pa.int32(), pa.string()),
    "v": pa.float64(),
    "q": pa.float64(),
}
_BLOCK = 1 << 24  # 16 MiB of text per batch when streaming
_COUNTRY_LAYOUTS = (
    ("country_code", "country_name", "country_iso2", "country_iso3"),
    ("country_code", "country_name_full", "iso_2digit_alpha", "iso_3digit_alpha"),
)
_ENCODINGS = ("utf-8-sig", "cp1252")
_HS6 = re.compile(r"\d{1,6}|[0-9A-Z]{6}")  # digits, or a legacy code such as '9999AA'


def read_baci_country_codes(path: str | Path) -> pd.DataFrame:
    """Read a BACI release's country list.

    Parameters
    ----------
    path : str or Path
        ``country_codes_V<release>.csv`` (either header layout, UTF-8 or cp1252).

    Returns
    -------
    pandas.DataFrame
        Columns ``code`` (int64, BACI country code), ``name``, ``iso2``, ``iso3`` (as the list
        says, including pseudo-codes such as ``'S19'`` or ``'N/A'``), ``source_id``,
        ``source_row``.

    Raises
    ------
    DataError
        If the file is missing or unreadable.
    ParseError
        If the header is neither known layout, a code is not an integer, or a code repeats.
    """
    p = Path(path)
    raw = read_csv_text(p, encodings=_ENCODINGS)
    for code, name, iso2, iso3 in _COUNTRY_LAYOUTS:
        if {code, name, iso2, iso3} <= set(raw.columns):
            break
    else:
        require_columns(raw, list(_COUNTRY_LAYOUTS[0]), p)
    codes = pd.to_numeric(raw[code].str.strip(), errors="coerce")
    if codes.isna().any() or (codes % 1 != 0).any():
        i = int((codes.isna() | (codes % 1 != 0)).to_numpy().argmax())
        raise ParseError(
            f"country code {raw[code].iloc[i]!r} is not an integer", str(p), i + 2, code
        )
    dup = codes.duplicated()
    if dup.any():
        i = int(dup.to_numpy().argmax())
        raise ParseError(f"country code {int(codes.iloc[i])} appears twice", str(p), i + 2, code)
    out = pd.DataFrame(
        {
            "code": codes.astype("int64"),
            "name": raw[name].str.strip(),
            "iso2": raw[iso2].str.strip(),
            "iso3": raw[iso3].str.strip(),
            "source_id": source_id(p),
            "source_row": np.arange(2, len(raw) + 2, dtype="int64"),
        }
    )
    return out


def read_baci_product_codes(path: str | Path) -> pd.DataFrame:
    """Read a BACI release's product list.

    Parameters
    ----------
    path : str or Path
        ``product_codes_HS<nn>_V<release>.csv`` (``code,description``).

    Returns
    -------
    pandas.DataFrame
        Columns ``hs6`` (6-character string, zero-padded: ``'010121'``; legacy non-WCO codes
        such as ``'9999AA'`` as published), ``description``, ``source_id``, ``source_row``.

    Raises
    ------
    DataError
        If the file is missing or unreadable.
    ParseError
        If a column is missing or a code is neither 1-6 digits nor a 6-character legacy code.
    """
    p = Path(path)
    raw = read_csv_text(p, encodings=_ENCODINGS)
    require_columns(raw, ["code", "description"], p)
    code = raw["code"].str.strip()
    bad = ~code.str.fullmatch(_HS6.pattern)
    if bad.any():
        i = int(bad.to_numpy().argmax())
        raise ParseError(
            f"product code {code.iloc[i]!r} is not an HS6 code (up to 6 digits, or 6 "
            "letters/digits for a legacy code like '9999AA')",
            str(p),
            i + 2,
            "code",
        )
    return pd.DataFrame(
        {
            "hs6": code.where(~code.str.isdigit(), code.str.zfill(6)),
            "description": raw["description"].str.strip(),
            "source_id": source_id(p),
            "source_row": np.arange(2, len(raw) + 2, dtype="int64"),
        }
    )


def read_baci(
    path: str | Path,
    country_codes: str | Path | pd.DataFrame | None = None,
    years: Iterable[int] | None = None,
    hs6: Iterable[str | int] | None = None,
) -> pd.DataFrame:
    """Read a BACI trade file (``t,i,j,k,v,q``) into typed columns.

    Parameters
    ----------
    path : str or Path
        A BACI CSV, plain or gzip-compressed (``.gz``): a release's year file or an extract
        with the same columns.
    country_codes : str, Path or DataFrame, optional
        The release's country list (a path, or the frame from :func:`read_baci_country_codes`).
        Default: the single ``country_codes_V*.csv`` beside `path` (the one whose release tag
        matches `path`'s name when there are several).
    years : iterable of int, optional
        Keep only these years [year]; applied batch by batch while reading.
    hs6 : iterable of str or int, optional
        Keep only these HS6 codes (``'260300'`` or ``260300``); applied while reading.

    Returns
    -------
    pandas.DataFrame
        One row per kept line, columns :data:`OUTPUT_COLUMNS`:

        * ``year`` (int16) [year];
        * ``exporter_code``, ``importer_code`` (int32) -- BACI country codes;
        * ``exporter_iso3``, ``importer_iso3`` (categorical) -- from the country list, as the
          list says (pseudo-codes such as ``'S19'`` kept);
        * ``hs6`` (categorical of 6-character strings, ``'260300'``);
        * ``value_kusd`` (float64) [thousand current USD];
        * ``quantity_t`` (float64) [t]; NaN where BACI has no quantity;
        * ``source_id`` (categorical) -- ``'<folder>/<file name>'``;
        * ``source_row`` (int64) -- 1-based line in the file (header = 1).

    Raises
    ------
    DataError
        If the file or the country list is missing or unreadable.
    ParseError
        If the header is not ``t,i,j,k,v,q``, a line is malformed (line, column and value
        named), a product code is not an HS6 code, or a country code is not in the list.

    Examples
    --------
    >>> trade = read_baci("baci_minerals/baci_hs92_minerals_1995_2024.csv.gz",
    ...                   years=[2022], hs6=["260300"])  # doctest: +SKIP
    """
    p = Path(path)
    if not p.is_file():
        raise DataError(
            f"file not found: {p}. Pass a BACI CSV (BACI_HS92_Y2022_V202401b.csv or .csv.gz)."
        )
    _check_header(p)
    cc = _country_table(p, country_codes)
    year_set = None if years is None else pa.array(sorted({int(y) for y in years}), pa.int16())
    hs_set = None if hs6 is None else pa.array(sorted(_hs6_spellings(hs6)), pa.string())

    convert = pacsv.ConvertOptions(
        column_types=_TYPES,
        include_columns=BACI_COLUMNS,
        null_values=NA_VALUES,
        strings_can_be_null=True,
        quoted_strings_can_be_null=True,
    )
    parse = pacsv.ParseOptions(ignore_empty_lines=False)
    try:
        if year_set is None and hs_set is None:
            table = pacsv.read_csv(p, convert_options=convert, parse_options=parse)
            rows = np.arange(2, table.num_rows + 2, dtype="int64")
        else:
            table, rows = _read_filtered(p, convert, parse, year_set, hs_set)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as err:
        raise _locate_bad_line(p, err) from err
    except (OSError, EOFError, gzip.BadGzipFile) as err:
        raise DataError(f"file {p}: cannot be read ({err}). Is it a complete BACI CSV?") from err

    out = _to_frame(table, rows, cc, p)
    logger.info("read %d BACI rows from %s", len(out), p)
    return out


def _hs6_spellings(codes: Iterable[str | int]) -> set[str]:
    """Validate HS6 filter codes; return each as written in files, with and without zeros."""
    out = set()
    for c in codes:
        s = str(c).strip()
        if not _HS6.fullmatch(s):
            raise ParseError(f"hs6 filter {c!r} is not an HS6 code; write e.g. '260300'")
        s = s.zfill(6) if s.isdigit() else s
        out |= {s, s.lstrip("0") or "0"}
    return out


def _open_text(path: Path) -> io.TextIOBase:
    """Open a plain or gzip CSV as text."""
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", newline="")
    return open(path, encoding="utf-8", newline="")


def _check_header(path: Path) -> None:
    """Raise :class:`ParseError` unless the first line is ``t,i,j,k,v,q``."""
    try:
        with _open_text(path) as fh:
            first = fh.readline()
    except (OSError, EOFError, UnicodeDecodeError) as err:
        raise DataError(f"file {path}: cannot be read ({err}). Is it a BACI CSV?") from err
    header = [h.strip().strip('"').lstrip("\ufeff") for h in first.rstrip("\r\n").split(",")]
    if header != BACI_COLUMNS:
        raise ParseError(
            f"header {header} is not BACI's {BACI_COLUMNS}. Pass a BACI trade file (the "
            "country and product lists have their own readers).",
            path=str(path),
            row=1,
        )


def _country_table(path: Path, country_codes: str | Path | pd.DataFrame | None) -> pd.DataFrame:
    """Return the country list for `path` (given, or found beside it)."""
    if isinstance(country_codes, pd.DataFrame):
        return country_codes
    if country_codes is not None:
        return read_baci_country_codes(country_codes)
    found = sorted(path.parent.glob("country_codes_V*.csv"))
    release = re.search(r"_(V\d{6}[a-z]?)", path.name)
    if release and len(found) > 1:
        found = [f for f in found if release.group(1) in f.name] or found
    if len(found) != 1:
        what = "no" if not found else f"{len(found)}"
        raise DataError(
            f"{what} country_codes_V*.csv beside {path}; pass country_codes= the country list "
            "of the same BACI release (e.g. country_codes_V202401b.csv)."
        )
    return read_baci_country_codes(found[0])


def _read_filtered(
    path: Path,
    convert: pacsv.ConvertOptions,
    parse: pacsv.ParseOptions,
    year_set: pa.Array | None,
    hs_set: pa.Array | None,
) -> tuple[pa.Table, np.ndarray]:
    """Stream `path` in batches, keeping the rows that pass the filters and their lines."""
    reader = pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(block_size=_BLOCK),
        parse_options=parse,
        convert_options=convert,
    )
    kept: list[pa.RecordBatch] = []
    lines: list[np.ndarray] = []
    offset = 2
    for batch in reader:
        mask = None
        if year_set is not None:
            mask = pc.is_in(batch.column("t"), value_set=year_set)
        if hs_set is not None:
            m = pc.is_in(batch.column("k"), value_set=hs_set)
            mask = m if mask is None else pc.and_(mask, m)
        idx = np.flatnonzero(mask.to_numpy(zero_copy_only=False))
        if len(idx):
            kept.append(batch.take(pa.array(idx)))
            lines.append(idx + offset)
        offset += batch.num_rows
    schema = pa.schema([(c, _TYPES[c]) for c in BACI_COLUMNS])
    table = pa.Table.from_batches(kept, schema=schema)
    rows = np.concatenate(lines) if lines else np.empty(0, dtype="int64")
    return table, rows.astype("int64")


def _to_frame(table: pa.Table, rows: np.ndarray, cc: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Turn the typed arrow table into the output frame (vectorised)."""
    for col in ("t", "i", "j", "k"):
        nulls = table.column(col).null_count
        if nulls:
            i = int(np.flatnonzero(table.column(col).is_null().to_numpy(zero_copy_only=False))[0])
            raise ParseError(
                f"empty {col!r} ({nulls} line(s)); t, i, j and k must be integers",
                str(path),
                int(rows[i]),
                col,
            )
    k = table.unify_dictionaries().column("k").combine_chunks()
    if not isinstance(k, pa.DictionaryArray):  # no rows: an empty plain array
        k = pa.array([], pa.string()).dictionary_encode()
    indices = k.indices.to_numpy(zero_copy_only=False)
    used = np.zeros(len(k.dictionary), dtype=bool)
    used[indices] = True  # a filtered batch keeps its whole dictionary
    published = [s.strip() for s in k.dictionary.to_pylist()]
    for n in np.flatnonzero(used):
        if not _HS6.fullmatch(published[n]):
            i = int(np.flatnonzero(indices == n)[0])
            raise ParseError(
                f"product code {published[n]!r} is not an HS6 code", str(path), int(rows[i]), "k"
            )
    normal = [s.zfill(6) if s.isdigit() else s for s in published]
    categories = sorted({normal[n] for n in np.flatnonzero(used)})
    position = {c: n for n, c in enumerate(categories)}
    lookup = np.array([position.get(s, 0) for s in normal], dtype="int32")
    hs6 = pd.Categorical.from_codes(lookup[indices], categories=categories)
    iso3_cats = pd.Index(pd.unique(cc["iso3"]))
    lut = np.full(int(cc["code"].max()) + 2, -1, dtype="int32")
    lut[cc["code"].to_numpy()] = iso3_cats.get_indexer(cc["iso3"])
    out = {
        "year": table.column("t").to_numpy().astype("int16"),
    }
    iso = {}
    for col, name in (("i", "exporter"), ("j", "importer")):
        c = table.column(col).to_numpy().astype("int32")
        safe = np.where((c >= 0) & (c < len(lut)), c, len(lut) - 1)
        idx = lut[safe]
        if (idx < 0).any():
            missing = sorted({int(x) for x in c[idx < 0]})
            first = int(np.flatnonzero(idx < 0)[0])
            src = cc["source_id"].iloc[0] if "source_id" in cc and len(cc) else "the list"
            raise ParseError(
                f"{name} code(s) {missing[:10]} not in the country list {src}. Use the "
                "country_codes_V*.csv of the same BACI release as the trade file (each "
                "release adds and retires codes).",
                path=str(path),
                row=int(rows[first]),
                column=col,
            )
        out[f"{name}_code"] = c
        iso[f"{name}_iso3"] = pd.Categorical.from_codes(idx, categories=iso3_cats)
    frame = pd.DataFrame(
        {
            "year": out["year"],
            "exporter_code": out["exporter_code"],
            "importer_code": out["importer_code"],
            "exporter_iso3": iso["exporter_iso3"],
            "importer_iso3": iso["importer_iso3"],
            "hs6": hs6,
            "value_kusd": table.column("v").to_numpy(zero_copy_only=False).astype("float64"),
            "quantity_t": table.column("q").to_numpy(zero_copy_only=False).astype("float64"),
            "source_id": pd.Categorical.from_codes(
                np.zeros(len(rows), dtype="int8"), categories=[source_id(path)]
            ),
            "source_row": rows,
        }
    )
    return frame


def _locate_bad_line(path: Path, err: Exception) -> ParseError:
    """Scan the file with the csv module for the first line pyarrow refused."""
    numeric = {"t": int, "i": int, "j": int, "k": int, "v": float, "q": float}
    nulls = {s.strip() for s in NA_VALUES}
    with _open_text(path) as fh:
        reader = csv.reader(fh)
        next(reader, None)
        for line, rec in enumerate(reader, start=2):
            if len(rec) != len(BACI_COLUMNS):
                return ParseError(
                    f"expected {len(BACI_COLUMNS)} fields t,i,j,k,v,q, found {len(rec)}: "
                    f"{','.join(rec)!r}. Repair or remove the line.",
                    path=str(path),
                    row=line,
                )
            for col, cell in zip(BACI_COLUMNS, rec, strict=True):
                s = cell.strip()
                if col in ("v", "q") and s in nulls:
                    continue
                try:
                    numeric[col](s)
                except ValueError:
                    return ParseError(
                        f"{cell!r} is not a number; BACI columns t,i,j,k are integers and v,q "
                        "numbers (q may be empty or NA). Repair the line.",
                        path=str(path),
                        row=line,
                        column=col,
                    )
    return ParseError(f"pyarrow could not read the file ({err})", path=str(path))
