"""Element -> end use -> strategic sector, with shares and their sources.

One table (:func:`sector_table`) joins three sources, each row labelled in ``basis``:

``IEA dataset``
    Computed from the dataset's IEA Critical Minerals Data Explorer (May 2024) table
    ``demand``, sheet "1 Total demand for key minerals", base year 2023: demand of each
    clean technology / "Total demand" (lithium, cobalt, nickel, copper, graphite of all
    grades, and the magnet rare earths, whose share is given to each of Nd, Pr, Dy, Tb:
    the IEA's technology sheets split the group into these four).  Electric vehicles and
    grid battery storage -> ``batteries and EVs``; wind -> ``wind``; solar PV, electricity
    networks, hydrogen and other low-emission power keep their own (non-strategic) names.
    "Other uses" is not allocated.
``published share``
    Shipped in ``end_uses.csv`` beside this module: shares found with the search tool in
    a published source (title, organisation, year, locator), e.g. USGS MCS 2011 lithium
    pharmaceuticals 2 % of global use.
``listed, share not published``
    The seed article's sector map (``/work/shared/data/policy/seed_element_sector_map.csv``,
    in the dataset as ``sector_map``) says *which* strategic sector uses an element but
    gives no number; those rows have ``share`` NaN and are never used in arithmetic.

Sector names (:data:`SECTORS`) are the seed article's: defence, semiconductors and AI
hardware, quantum, medical imaging, batteries and EVs, wind, space, pharmaceuticals.

:func:`sector_shares` (numeric rows only, ``commodity_id, sector, share, ...``) is what
:func:`critmin.scenarios.sectors.share_matrix` and ``critmin plan stress --sector`` take;
:func:`hs6_sector_shares` spreads it over the HS6 codes of the scenario network.

Shares of different years are joined (IEA 2023, USGS 2010 for the lithium pharmaceutical
share): each row's ``data_year`` says which; a commodity's shares sum to at most 1 (tested).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from critmin.errors import CritminError, ParseError

__all__ = [
    "END_USES_CSV",
    "SECTORS",
    "EndUseFileError",
    "hs6_sector_shares",
    "published_shares",
    "resolve_sector",
    "sector_shares",
    "sector_table",
]

END_USES_CSV = Path(__file__).with_name("end_uses.csv")
#: The seed article's strategic sectors.
SECTORS: tuple[str, ...] = (
    "defence",
    "semiconductors and AI hardware",
    "quantum",
    "medical imaging",
    "batteries and EVs",
    "wind",
    "space",
    "pharmaceuticals",
)
_SEED_SECTOR = {
    "defence (missiles, fighter jets, radars)": "defence",
    "energy storage and electric vehicles": "batteries and EVs",
    "semiconductors and AI hardware": "semiconductors and AI hardware",
    "quantum computing": "quantum",
    "biotech imaging and medical diagnostics": "medical imaging",
    "energy (wind turbines)": "wind",
    "space": "space",
    "pharmaceuticals": "pharmaceuticals",
}
_IEA_SECTOR = {
    "Electric vehicles": "batteries and EVs",
    "Grid battery storage": "batteries and EVs",
    "Wind": "wind",
    "Solar PV": "solar PV",
    "Electricity networks": "electricity networks",
    "Hydrogen technologies": "hydrogen",
    "Other low emissions power generation": "other low-emission power",
    "Low emissions power generation": "other low-emission power",
}
_IEA_SHEET = "1 Total demand for key minerals"
#: The IEA's magnet rare earths, as its technology sheets split them.
_MAGNET_REE = ("neodymium", "praseodymium", "dysprosium", "terbium")
_ALIASES = {
    "defense": "defence",
    "military": "defence",
    "semiconductors": "semiconductors and AI hardware",
    "ai": "semiconductors and AI hardware",
    "ai hardware": "semiconductors and AI hardware",
    "chips": "semiconductors and AI hardware",
    "quantum computing": "quantum",
    "medical": "medical imaging",
    "imaging": "medical imaging",
    "batteries": "batteries and EVs",
    "evs": "batteries and EVs",
    "ev": "batteries and EVs",
    "electric vehicles": "batteries and EVs",
    "wind turbines": "wind",
    "pharma": "pharmaceuticals",
    "apis": "pharmaceuticals",
    "pharmaceutical": "pharmaceuticals",
    "aerospace": "space",
}
COLUMNS = [
    "commodity_id",
    "element",
    "sector",
    "end_use",
    "share",
    "unit",
    "data_year",
    "basis",
    "source",
]
_CSV_COLUMNS = [
    "commodity_id",
    "element",
    "end_use",
    "sector",
    "share",
    "unit",
    "data_year",
    "source_title",
    "organisation",
    "year",
    "locator",
    "url",
    "note",
]


class EndUseFileError(ParseError):
    """An end-use share file is malformed (file, row, column and the fix are named)."""


def resolve_sector(name: str) -> str:
    """A sector name or alias (``defense``, ``pharma``, ``AI``) -> its name in the table.

    Raises
    ------
    CritminError
        Unknown sector; the message lists the sectors of the table.
    """
    key = str(name).strip().lower()
    known = {s.lower(): s for s in _all_sectors()}
    if key in known:
        return known[key]
    if key in _ALIASES:
        return _ALIASES[key]
    from difflib import get_close_matches

    near = get_close_matches(key, list(known) + list(_ALIASES), n=3, cutoff=0.5)
    names = list(dict.fromkeys(known.get(n, _ALIASES.get(n)) for n in near))  # no repeats
    hint = f"; did you mean {', '.join(repr(n) for n in names)}?" if names else ""
    msg = f"unknown sector {name!r}{hint} Sectors: {', '.join(sorted(known.values()))}"
    raise CritminError(msg)


def _all_sectors() -> list[str]:
    return sorted(set(SECTORS) | set(_IEA_SECTOR.values()) | {"optoelectronics"})


def published_shares(path: str | Path | None = None) -> pd.DataFrame:
    """Read and check an end-use share file (default the shipped ``end_uses.csv``).

    Raises
    ------
    EndUseFileError
        A missing column, a share that is not a number in [0, 1], a row without its
        source, a repeated (commodity_id, sector), or shares of one commodity summing to
        more than 1; the message names the file, the row (CSV line), the column and the fix.
    """
    path = Path(path) if path is not None else END_USES_CSV
    if not path.is_file():
        msg = f"end-use file {path} not found; give a CSV with columns {_CSV_COLUMNS}"
        raise EndUseFileError(msg)
    import csv

    with path.open(newline="", encoding="utf-8") as fh:
        lines = list(csv.reader(fh))
    width = len(lines[0]) if lines else 0
    for n, cells in enumerate(lines[1:], start=2):
        if cells and len(cells) != width:
            msg = (
                f"{path.name}, row {n} (CSV line): {len(cells)} fields, the header has "
                f"{width}; fix: quote fields that contain commas"
            )
            raise EndUseFileError(msg)
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    except pd.errors.ParserError as exc:
        msg = f"{path}: not a readable CSV ({exc}); fix: quote fields that contain commas"
        raise EndUseFileError(msg) from None
    missing = [c for c in _CSV_COLUMNS if c not in df.columns]
    if missing:
        msg = f"{path}: columns {missing} are missing; fix: the header must be {','.join(_CSV_COLUMNS)}"
        raise EndUseFileError(msg)
    problems = []
    shares = pd.to_numeric(df["share"], errors="coerce")
    for i in df.index:
        line = f"{path.name}, row {i + 2} (CSV line)"
        s = shares[i]
        if np.isnan(s) or not 0 <= s <= 1:
            problems.append(
                f"{line}, column 'share': {df.at[i, 'share']!r} is not a fraction in [0, 1]; "
                "fix: write e.g. 0.02 for 2 %"
            )
        for col in ("commodity_id", "sector", "source_title", "organisation", "year"):
            if not df.at[i, col].strip():
                problems.append(
                    f"{line}, column {col!r}: empty; fix: fill it in (every share needs its source)"
                )
    dup = df[df.duplicated(["commodity_id", "sector"], keep=False)]
    for i in dup.index:
        problems.append(
            f"{path.name}, row {i + 2} (CSV line), column 'sector': ({df.at[i, 'commodity_id']}, "
            f"{df.at[i, 'sector']}) repeats; fix: sum the shares into one row"
        )
    total = shares.groupby(df["commodity_id"]).sum()
    for cid, t in total[total > 1 + 1e-9].items():
        problems.append(
            f"{path.name}, column 'share': shares of {cid!r} sum to {t:.3f} > 1; fix: correct them"
        )
    if problems:
        msg = f"end-use file {path} has {len(problems)} problem(s):\n  - " + "\n  - ".join(problems)
        raise EndUseFileError(msg)
    df["share"] = shares.astype(float)
    df["basis"] = "published share"
    df["source"] = [
        f"{o} ({y}) {t}; {loc}" + (f"; {u}" if u else "")
        for o, y, t, loc, u in zip(
            df["organisation"],
            df["year"],
            df["source_title"],
            df["locator"],
            df["url"],
            strict=True,
        )
    ]
    return df


@lru_cache(maxsize=1)
def _iea_rows() -> pd.DataFrame:
    from critmin import catalog
    from critmin.store import get_store

    dem = get_store().query(
        "SELECT mineral, sector_or_technology, value, year, source_id, source_row FROM demand "
        "WHERE scenario = 'Base year' AND sheet = ? AND \"case\" = 'Base case'",
        [_IEA_SHEET],
    )
    dem["cid"] = catalog.commodity_id_for(dem["mineral"], source="iea").to_numpy()
    rows = []
    for (mineral, cid), g in dem.groupby(["mineral", "cid"], dropna=True):
        total = g.loc[g["sector_or_technology"] == "Total demand", "value"]
        if total.empty or not float(total.iloc[0]) > 0:
            continue
        tot = float(total.iloc[0])
        g = g[g["sector_or_technology"].isin(list(_IEA_SECTOR))]
        targets = list(_MAGNET_REE) if cid == "magnet_rare_earths" else []
        targets = [str(cid), *targets]
        for sector, h in g.groupby(g["sector_or_technology"].map(_IEA_SECTOR)):
            share = float(h["value"].sum()) / tot
            techs = ", ".join(h["sector_or_technology"])
            src = "; ".join(
                f"{a}:{b}" for a, b in zip(h["source_id"], h["source_row"], strict=True)
            )
            for t in targets:
                rows.append(
                    {
                        "commodity_id": t,
                        "element": "",
                        "sector": sector,
                        "end_use": techs.lower(),
                        "share": share,
                        "unit": "fraction of world demand"
                        + (
                            " of the magnet rare earths (Nd, Pr, Dy, Tb together)"
                            if t != cid or cid == "magnet_rare_earths"
                            else ""
                        ),
                        "data_year": int(h["year"].iloc[0]),
                        "basis": "IEA dataset",
                        "source": f"IEA (2024) Critical Minerals Data Explorer, sheet '{_IEA_SHEET}', "
                        f"{mineral}: ({techs}) / Total demand; dataset rows {src}",
                    }
                )
    return pd.DataFrame(rows, columns=COLUMNS)


@lru_cache(maxsize=1)
def _seed_rows() -> pd.DataFrame:
    from critmin.store import get_store

    seed = get_store().query("SELECT * FROM sector_map")
    rows = []
    for r in seed.itertuples(index=False):
        cid = r.commodity_id if isinstance(r.commodity_id, str) and r.commodity_id else ""
        rows.append(
            {
                "commodity_id": cid or str(r.element).lower(),
                "element": str(r.element),
                "sector": _SEED_SECTOR.get(str(r.sector), str(r.sector)),
                "end_use": str(r.use),
                "share": np.nan,
                "unit": "",
                "data_year": np.nan,
                "basis": "listed, share not published",
                "source": f"{r.source_id}:{r.source_row} (seed article sector map)",
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS)


def _symbols() -> dict[str, str]:
    from critmin import catalog

    c = catalog.commodities().drop_duplicates("commodity_id")
    return {str(k): str(v) for k, v in zip(c["commodity_id"], c["symbol"].fillna(""), strict=True)}


def sector_table(
    commodity: str | None = None,
    sector: str | None = None,
    *,
    listed: bool = True,
    path: str | Path | None = None,
) -> pd.DataFrame:
    """Element -> end use -> sector rows with share, unit, basis and source.

    Parameters
    ----------
    commodity : str, optional
        A commodity name, alias or symbol (``lithium``, ``Nd``); unknown names raise
        :class:`~critmin.errors.UnknownCommodity` with the nearest names.
    sector : str, optional
        A sector or alias (``defence``, ``pharma``, ``AI``).
    listed : bool, default True
        Include the seed article's listings without a published share.
    path : str or Path, optional
        Your own end-use share file (same columns as ``end_uses.csv``) instead of the
        shipped one.

    Returns
    -------
    pandas.DataFrame
        ``commodity_id, element, sector, end_use, share [fraction], unit, data_year,
        basis, source``; numeric rows first, by commodity and descending share.  A listed
        row is dropped where a numeric row for the same commodity and sector exists.
    """
    pub = published_shares(path)[COLUMNS]
    parts = [_iea_rows(), pub]
    if listed:
        parts.append(_seed_rows())
    df = pd.concat([p for p in parts if len(p)], ignore_index=True)
    numeric = df[df["share"].notna()]
    have = set(zip(numeric["commodity_id"], numeric["sector"], strict=True))
    df = df[
        df["share"].notna()
        | ~pd.Series(
            [(c, s) in have for c, s in zip(df["commodity_id"], df["sector"], strict=True)],
            index=df.index,
        )
    ]
    sym = _symbols()
    df = df.assign(
        element=[sym.get(c) or e for e, c in zip(df["element"], df["commodity_id"], strict=True)]
    )
    if commodity is not None:
        from critmin import catalog

        cid = catalog.resolve_commodity(commodity)
        df = df[df["commodity_id"] == cid]
    if sector is not None:
        df = df[df["sector"] == resolve_sector(sector)]
    df = df.assign(_n=df["share"].isna()).sort_values(
        ["_n", "commodity_id", "share"], ascending=[True, True, False]
    )
    return df.drop(columns="_n").reset_index(drop=True)


def sector_shares(path: str | Path | None = None) -> pd.DataFrame:
    """Numeric end-use shares per commodity (the table ``plan`` and scenarios use).

    Returns
    -------
    pandas.DataFrame
        ``commodity_id, sector, share [fraction of the commodity's use, 0-1], unit,
        data_year, basis, source``; shares of one commodity sum to at most 1 (the rest is
        unallocated).
    """
    t = sector_table(listed=False, path=path)
    return t[["commodity_id", "sector", "share", "unit", "data_year", "basis", "source"]]


def hs6_sector_shares(path: str | Path | None = None) -> pd.DataFrame:
    """:func:`sector_shares` spread over the HS6 codes of each commodity (scenario network).

    Returns
    -------
    pandas.DataFrame
        ``commodity_id`` (HS6 code), ``sector, share, basis, source`` — the table
        :func:`critmin.scenarios.runner.run_scenario` takes as ``sector_shares``.
    """
    from critmin.scenarios.data import hs_stages

    st = hs_stages()
    codes = st.groupby("commodity_id")["hs6"].apply(list).to_dict()
    rows = []
    for r in sector_shares(path).itertuples(index=False):
        for code in codes.get(r.commodity_id, []):
            rows.append(
                {
                    "commodity_id": str(code),
                    "sector": r.sector,
                    "share": float(r.share),
                    "basis": f"{r.basis}, {r.commodity_id} {r.data_year}",
                    "source": r.source,
                }
            )
    return pd.DataFrame(rows, columns=["commodity_id", "sector", "share", "basis", "source"])
