"""Reader for China's exports by partner from UN Comtrade (monthly), summed to years.

The BACI HS92 extract stops where later HS editions moved a product to a new code:
germanium (HS92 811230) has BACI rows up to 2016 only, and gallium and germanium are traded
since under HS 811292 (China's tariff lines 81129210 unwrought gallium and 81129220
unwrought germanium, ``concordance/qennis_china_cn8_hs_map_gallium_germanium_graphite_ree.csv``),
which the HS92 extract does not carry; nor does it carry artificial graphite (380110).  The
one source of these codes among critmin's files is UN Comtrade's record of **China's**
exports to 39 partners, monthly 2017-2024, as processed by qennis/ChinaCriticalMineralComtrade
(``trade/comtrade_china_exports_qennis/deep_dive_hs6_monthly.csv``; header
``period_dt,partner_name,hs6,val,qty,uv``; val in US$, qty in kg).

:func:`read_china_exports` sums the months of each year, partner and code.  Conventions:

* a month with a value but ``qty`` 0 has no reported quantity (its ``uv`` is infinite in the
  file), so a year's quantity is null when any of its trade months lacks one;
* ``source_row`` is the first line of the months summed, and ``months`` how many there were;
* the reporter is China only and the file holds 39 partners: it is not a world trade matrix,
  so critmin keeps it in its own table (``china_exports``) and uses it only where BACI has no
  code (the scenario network, with a note).

Source
------
UN Comtrade (United Nations Statistics Division), reporter China, flow export, monthly;
aggregated by qennis/ChinaCriticalMineralComtrade (commit b722e752, 2025-12-15).
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd

from critmin.errors import ParseError
from critmin.ingest._common import read_csv_text, require_columns, source_id

__all__ = [
    "CHINA_EXPORT_COLUMNS",
    "REPORTER_WORLD_COLUMNS",
    "read_china_exports",
    "read_reporter_world",
]

logger = logging.getLogger(__name__)

#: Columns of :func:`read_china_exports` (before the build resolves ``importer_source``).
CHINA_EXPORT_COLUMNS: list[str] = [
    "year",
    "exporter_iso3",
    "importer_source",
    "hs6",
    "value_kusd",
    "quantity_t",
    "months",
    "source_id",
    "source_row",
]


def read_china_exports(path: str | Path) -> pd.DataFrame:
    """Read China's monthly exports by partner and HS6 code and sum them to years.

    Parameters
    ----------
    path : str or path-like
        ``deep_dive_hs6_monthly.csv`` (header ``period_dt,partner_name,hs6,val,qty,uv``).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`CHINA_EXPORT_COLUMNS`: ``value_kusd`` [thousand current USD],
        ``quantity_t`` [t; null where a trade month has no quantity], ``months`` [count].

    Raises
    ------
    ParseError
        A missing column, or a date, code or number that does not parse (file, line, column).
    """
    raw = read_csv_text(path)
    require_columns(raw, ["period_dt", "partner_name", "hs6", "val", "qty"], path)
    line = pd.Series(np.arange(2, len(raw) + 2), index=raw.index)
    year = pd.to_numeric(raw["period_dt"].str[:4], errors="coerce")
    val = pd.to_numeric(raw["val"], errors="coerce")
    qty = pd.to_numeric(raw["qty"], errors="coerce")
    hs6 = raw["hs6"].str.strip()
    expected = {
        "period_dt": "a date YYYY-MM-DD",
        "hs6": "a 6-digit HS code",
        "val": "a non-negative number [US$]",
        "qty": "a non-negative number [kg]",
    }
    for col, bad in (
        ("period_dt", year.isna() | ~raw["period_dt"].str.match(r"^\d{4}-\d{2}")),
        ("hs6", ~hs6.str.fullmatch(r"\d{6}")),
        ("val", val.isna() | (val < 0)),
        ("qty", qty.isna() | (qty < 0)),
    ):
        if bad.any():
            i = bad.idxmax()
            raise ParseError(
                f"{str(raw.at[i, col])[:40]!r} is not {expected[col]}; fix the cell (UN Comtrade "
                "monthly exports as processed by qennis/ChinaCriticalMineralComtrade)",
                path=str(path),
                row=int(line[i]),
                column=col,
            )
    df = pd.DataFrame(
        {
            "year": year.astype(int),
            "importer_source": raw["partner_name"].str.strip(),
            "hs6": hs6,
            "val": val,
            # a trade month with a value but no quantity: the quantity is unknown, not zero
            "qty": qty.where(~((qty == 0) & (val > 0))),
            "line": line,
        }
    )
    g = df.groupby(["year", "importer_source", "hs6"], sort=True)
    out = g.agg(
        value_usd=("val", "sum"),
        qty_kg=("qty", lambda s: s.sum() if s.notna().all() else np.nan),
        months=("val", "size"),
        source_row=("line", "min"),
    ).reset_index()
    out["exporter_iso3"] = "CHN"
    out["value_kusd"] = out["value_usd"] / 1e3
    out["quantity_t"] = out["qty_kg"] / 1e3
    out["source_id"] = _source_id(path)
    logger.info(
        "%s: %d monthly rows -> %d partner-years (%d without a quantity)",
        _source_id(path),
        len(df),
        len(out),
        int(out["quantity_t"].isna().sum()),
    )
    return out[CHINA_EXPORT_COLUMNS]


def _source_id(path: str | Path) -> str:
    """``trade/<folder>/<file>``: the Comtrade extracts sit two folders deep."""
    p = Path(path)
    if p.parent.parent.name == "trade":
        return f"trade/{p.parent.name}/{p.name}"
    return source_id(p)


#: Columns of :func:`read_reporter_world`.
REPORTER_WORLD_COLUMNS: list[str] = [
    "year",
    "reporter_source",
    "flow",
    "hs",
    "mineral_source",
    "value_kusd",
    "quantity_t",
    "source_id",
    "source_row",
]

#: Fields the reader needs, by their Comtrade names.
_RW_FIELDS = ("refYear", "reporterISO", "flowCode", "cmdCode", "netWgt", "primaryValue")


def read_reporter_world(path: str | Path) -> pd.DataFrame:
    """Read every reporter's 2023 imports and exports from World (UN Comtrade, hpham210 extract).

    The file (``trade/comtrade_2023_reporter_world_hpham210/trade_data.csv``) is a UN
    Comtrade Plus download with an added ``Mineral`` column.  Its header is misaligned: the
    data rows lack Comtrade's leading ``typeCode``, so the value at position ``j`` belongs to
    header name ``j + 1`` (the author also renamed ``reporterISO`` to ``Country``); the last
    column, ``Mineral``, is labelled correctly.  The reader relabels positionally and checks
    the result (years, flow codes) before trusting it.  A code the author filed under several
    minerals (850760 lithium-ion cells under five) is one row, its minerals ';'-joined.

    Parameters
    ----------
    path : str or path-like
        ``trade_data.csv``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`REPORTER_WORLD_COLUMNS`: ``flow`` ``imports``/``exports``; ``hs`` the
        code as published (6 digits, or a 4-digit heading such as ``7502``); ``value_kusd``
        [thousand current USD, Comtrade primaryValue]; ``quantity_t`` [t, netWgt; null where
        not reported].

    Raises
    ------
    ParseError
        The header is not the known layout, or a relabelled cell does not parse (line, column).
    """
    import csv
    import io

    from critmin.ingest._common import read_text

    text = read_text(path)
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise ParseError("empty file", path=str(path), row=1)
    header = rows[0]
    if header[:1] == ["typeCode"] and header[-1] == "Mineral":
        # the author's shift: position j holds header[j + 1]; undo the reporterISO rename
        names = [n if n != "Country" else "reporterISO" for n in header[1:-1]] + ["", "Mineral"]
    else:
        names = header
    missing = [f for f in (*_RW_FIELDS, "Mineral") if f not in names]
    if missing:
        raise ParseError(
            f"missing column(s) {missing} after relabelling the shifted header; is this the "
            "hpham210 Comtrade extract (header starting typeCode, ending Mineral)?",
            path=str(path),
            row=1,
        )
    pos = {f: names.index(f) for f in (*_RW_FIELDS, "Mineral")}
    recs = []
    for line, cells in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        get = {f: (cells[i].strip() if i < len(cells) else "") for f, i in pos.items()}
        if not get["refYear"].isdigit() or get["flowCode"] not in ("M", "X"):
            col = "refYear" if not get["refYear"].isdigit() else "flowCode"
            raise ParseError(
                f"{get[col][:40]!r} is not a {'year' if col == 'refYear' else 'flow code M/X'} "
                "after relabelling the shifted header; the layout is not the one this reader knows",
                path=str(path),
                row=line,
                column=col,
            )
        try:
            value = float(get["primaryValue"])
            qty = float(get["netWgt"]) if get["netWgt"] else np.nan
        except ValueError as err:
            raise ParseError(
                f"not a number ({err}); fix the cell",
                path=str(path),
                row=line,
                column="primaryValue/netWgt",
            ) from err
        recs.append(
            {
                "year": int(get["refYear"]),
                "reporter_source": get["reporterISO"],
                "flow": "imports" if get["flowCode"] == "M" else "exports",
                "hs": get["cmdCode"],
                "mineral_source": get["Mineral"],
                "value_kusd": value / 1e3,
                "quantity_t": qty / 1e3,
                "source_id": _source_id(path),
                "source_row": line,
            }
        )
    df = pd.DataFrame(recs, columns=REPORTER_WORLD_COLUMNS)
    key = ["year", "reporter_source", "flow", "hs"]
    minerals = df.groupby(key)["mineral_source"].agg(lambda s: ";".join(sorted(set(s))))
    df = df.drop_duplicates(key, keep="first").drop(columns="mineral_source")
    df = df.join(minerals, on=key)
    logger.info("%s: %d rows, %d codes", _source_id(path), len(df), df["hs"].nunique())
    return df[REPORTER_WORLD_COLUMNS].reset_index(drop=True)
