"""Shared pieces of the ingest layer: the observation schema, value and name cleaning.

Every reader in :mod:`critmin.ingest` returns tables in the column layouts defined
here.  Readers keep names *as published* (``country_source``, ``commodity_source``);
:mod:`critmin.ingest.build` resolves them to ISO3 codes and commodity ids through
:mod:`critmin.catalog`, so a reader never needs the catalog.
"""

from __future__ import annotations

import io
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd

from critmin.errors import DataError, ParseError

#: Columns of the long observation table a reader returns (before catalog resolution).
OBSERVATION_COLUMNS: list[str] = [
    "dataset",  # source edition id, e.g. "usgs_mcs2026"
    "commodity_source",  # commodity name as published (cleaned of whitespace/footnotes)
    "series",  # the published series label, e.g. "Mine production", "Refinery production"
    "stage",  # one of STAGES
    "measure",  # one of MEASURES
    "country_source",  # country / aggregate name as published (cleaned)
    "year",  # int
    "value",  # float, NaN when withheld / not available
    "unit",  # unit as published, cleaned ("metric tons", "kilograms", "percent", ...)
    "basis",  # content basis: "lithium content", "REO", "gross weight", "" if not stated
    "flag",  # ";"-joined FLAGS tokens, "" when the value is a plain figure
    "note",  # the source's note for the row ("" if none)
    "source_id",  # file path relative to the source data folder
    "source_row",  # 1-based line number in that file (header is line 1)
]

#: Supply-chain stages.  ``total`` is used where a source does not split stages.
STAGES = (
    "mine",
    "refinery",
    "smelter",
    "processing",
    "primary",
    "secondary",
    "total",
    "consumption",
    "trade",
    "demand",
)

#: What a value measures.
MEASURES = (
    "production",
    "capacity",
    "reserves",
    "imports",
    "exports",
    "consumption",
    "stocks",
    "stock_change",
    "shipments",
    "price",
    "employment",
    "net_import_reliance",
    "import_share",
    "recycling",
    "other",
)

#: Flag tokens.  A row may carry several, joined with ";".
FLAGS = {
    "withheld": "W: withheld to avoid disclosing company proprietary data",
    "not_available": "NA / blank: not available",
    "zero": "—: zero (USGS MCS convention)",
    "net_exporter": "E: net exporter (net import reliance not meaningful)",
    "estimated": "estimated by the source",
    "lower_bound": "qualifier '>' : the true value is above the figure",
    "upper_bound": "qualifier '<' : the true value is below the figure",
    "qualitative": "a word instead of a figure (e.g. 'Large'); value is NaN",
    "projection": "a projection, not an observation",
    "rounded": "rounded by the source",
}

_NBSP = "\u00a0"
_FOOTNOTE = re.compile(r"(?<=[A-Za-z\)\.])\s+\d{1,2}$")
_SPACES = re.compile(r"\s+")
_NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?([eE][+-]?\d+)?$|^[+-]?\.\d+$")

_TOKENS = {
    "": (math.nan, "not_available"),
    "na": (math.nan, "not_available"),
    "n/a": (math.nan, "not_available"),
    "..": (math.nan, "not_available"),
    "w": (math.nan, "withheld"),
    "e": (math.nan, "net_exporter"),
    "—": (0.0, "zero"),
    "–": (0.0, "zero"),
    "--": (0.0, "zero"),
    "-": (0.0, "zero"),
}


def clean_name(text: object) -> str:
    r"""Normalise a published name: NBSP to space, collapse runs of spaces, strip, drop glued footnote digits.

    >>> clean_name("World total (rounded) 10")
    'World total (rounded)'
    >>> clean_name("United\\xa0States and Canada ")
    'United States and Canada'
    """
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    s = str(text).replace(_NBSP, " ").replace("\ufeff", "")
    s = _SPACES.sub(" ", s).strip()
    return _FOOTNOTE.sub("", s).strip()


def parse_value(
    text: object, *, strict: bool = False, where: dict | None = None
) -> tuple[float, str]:
    """Parse one published cell into ``(value, flag)``.

    Handles thousands separators (``'10,000'``), the codes ``W`` (withheld), ``NA``/blank
    (not available), ``—`` (zero), ``E`` (net exporter), qualifiers (``'>50'``, ``'<1'``),
    and words such as ``'Large'`` (NaN, flag ``qualitative``).

    Parameters
    ----------
    text : object
        The cell as read (str, number or None).
    strict : bool, default False
        Raise :class:`~critmin.errors.ParseError` on a word or a negative number instead of
        flagging it.  User imports are strict; agency files are not.
    where : dict, optional
        ``path``, ``row``, ``column`` for the error message.

    Returns
    -------
    value : float
        NaN when there is no figure.
    flag : str
        One of :data:`FLAGS` or ``""``.

    Examples
    --------
    >>> parse_value("10,000")
    (10000.0, '')
    >>> parse_value(">50")
    (50.0, 'lower_bound')
    >>> parse_value("W")
    (nan, 'withheld')
    """
    if text is None:
        return math.nan, "not_available"
    if isinstance(text, (int, float, np.integer, np.floating)) and not isinstance(text, bool):
        v = float(text)
        if math.isnan(v):
            return math.nan, "not_available"
        if strict and v < 0:
            raise ParseError(f"negative value {v!r}; quantities must be >= 0", **(where or {}))
        return v, ""
    s = str(text).replace(_NBSP, " ").strip()
    tok = _TOKENS.get(s.lower())
    if tok is not None:
        return tok
    flag = ""
    if s[:1] in "<>":
        flag = "lower_bound" if s[0] == ">" else "upper_bound"
        s = s[1:].strip()
    s_num = s.replace(" ", "")
    if _NUMBER.match(s_num):
        v = float(s_num.replace(",", ""))
        if strict and v < 0:
            raise ParseError(f"negative value {text!r}; quantities must be >= 0", **(where or {}))
        return v, flag
    if strict:
        raise ParseError(
            f"non-numeric value {text!r}; write a number (e.g. 1200.5), or leave it empty "
            "if not available",
            **(where or {}),
        )
    return math.nan, "qualitative"


def parse_values(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Vectorised :func:`parse_value` over a Series (non-strict); returns ``(value, flag)``."""
    uniq = pd.unique(values.astype("object").where(values.notna(), None))
    table = {u: parse_value(u) for u in uniq}
    pairs = [table[v] for v in values.astype("object").where(values.notna(), None)]
    val = pd.Series([p[0] for p in pairs], index=values.index, dtype="float64")
    flag = pd.Series([p[1] for p in pairs], index=values.index, dtype="object")
    return val, flag


def join_flags(*flags: str) -> str:
    """Join flag tokens with ``;``, dropping empties and duplicates, keeping order."""
    out: list[str] = []
    for f in flags:
        for t in str(f).split(";"):
            t = t.strip()
            if t and t not in out:
                out.append(t)
    return ";".join(out)


def source_id(path: str | Path) -> str:
    """Return a source id: the file's folder and name (``'wgi/wgidataset_2024release.xlsx'``).

    Sources live one folder deep in the source data folder, so this is the file's path
    relative to that folder.
    """
    p = Path(path)
    return f"{p.parent.name}/{p.name}"


def read_text(path: str | Path, encodings: tuple[str, ...] = ("utf-8-sig",)) -> str:
    """Read a whole text file, trying `encodings` in order.

    Raises
    ------
    DataError
        If the file does not exist, or no encoding decodes it; the message names the file,
        the byte offset of the first bad byte and the encodings tried.
    """
    p = Path(path)
    if not p.is_file():
        raise DataError(
            f"file not found: {p}. Check the path, or pass --from DIR pointing at the source folder."
        )
    raw = p.read_bytes()
    first_err: UnicodeDecodeError | None = None
    for enc in encodings:
        try:
            return raw.decode(enc)
        except UnicodeDecodeError as err:  # try the next one
            first_err = first_err or err
    assert first_err is not None
    raise DataError(
        f"file {p}: cannot decode byte {raw[first_err.start : first_err.start + 1]!r} at offset "
        f"{first_err.start} with {', '.join(encodings)}. The file is not in the encoding this "
        "source publishes; re-save it as the agency published it (or as UTF-8)."
    )


def read_csv_text(
    path: str | Path, encodings: tuple[str, ...] = ("utf-8-sig",), **kwargs: object
) -> pd.DataFrame:
    """Read a CSV as strings (no type inference, nothing treated as NA) with clear errors."""
    text = read_text(path, encodings)
    try:
        return pd.read_csv(
            io.StringIO(text), dtype=str, keep_default_na=False, na_filter=False, **kwargs
        )
    except (pd.errors.ParserError, ValueError) as err:
        raise DataError(f"file {path}: not a readable CSV ({err}).") from err


def require_columns(df: pd.DataFrame, required: list[str], path: str | Path) -> None:
    """Raise :class:`ParseError` naming the file and the missing columns, if any."""
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise ParseError(
            f"missing column(s) {missing}; found {list(df.columns)}. Is this the right file "
            "for this reader?",
            path=str(path),
            row=1,
        )


def empty_observations() -> pd.DataFrame:
    """Return an empty frame with :data:`OBSERVATION_COLUMNS`."""
    return pd.DataFrame({c: pd.Series(dtype="object") for c in OBSERVATION_COLUMNS})


def finish_observations(df: pd.DataFrame) -> pd.DataFrame:
    """Order and type the observation columns; fail loudly on a schema slip."""
    missing = [c for c in OBSERVATION_COLUMNS if c not in df.columns]
    if missing:
        raise AssertionError(f"reader forgot columns {missing}")
    out = df[OBSERVATION_COLUMNS].copy()
    out["year"] = out["year"].astype("int64")
    out["value"] = out["value"].astype("float64")
    out["source_row"] = out["source_row"].astype("int64")
    for c in ("flag", "note", "basis"):
        out[c] = out[c].fillna("").astype(str)
    bad_stage = set(out["stage"]) - set(STAGES)
    bad_measure = set(out["measure"]) - set(MEASURES)
    if bad_stage or bad_measure:
        raise AssertionError(f"unknown stage {bad_stage} or measure {bad_measure}")
    return out.reset_index(drop=True)
