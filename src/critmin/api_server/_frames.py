"""DataFrames to wire rows, and the ``sources`` block every table response carries."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

import pandas as pd

__all__ = ["dataset_info", "records", "source_refs"]

_SHORT = {
    "usgs_mcs": "USGS Mineral Commodity Summaries",
    "wmd": "World Mining Data",
    "baci": "CEPII BACI",
    "wgi": "World Bank Worldwide Governance Indicators",
    "iea_cmde": "IEA Critical Minerals Data Explorer",
    "policy": "Policy and reference tables",
}


def records(df: pd.DataFrame, columns: list[str] | None = None) -> list[dict[str, Any]]:
    """Rows of `df` as JSON-compatible dicts (NaN and NA become None, numpy -> Python)."""
    if columns is not None:
        df = df[[c for c in columns if c in df.columns]]
    if df.empty:
        return []
    return json.loads(df.to_json(orient="records", double_precision=15, date_format="iso"))  # type: ignore[no-any-return]


@lru_cache(maxsize=256)
def dataset_info(dataset: str) -> dict[str, str]:
    """Publisher, title, edition, licence and address of a dataset id.

    Parameters
    ----------
    dataset : str
        E.g. ``usgs_mcs2026``, ``iea_cmde_2024``, ``wmd``, ``baci``, ``user:mydata``.

    Returns
    -------
    dict
        ``dataset, family, title, publisher, edition, licence, url``.

    Examples
    --------
    >>> dataset_info("usgs_mcs2026")["edition"]
    'MCS 2026'
    """
    from critmin.ingest.sources import SOURCES, family_of

    if dataset.startswith("user:"):
        return {
            "dataset": dataset,
            "family": "user",
            "title": f"Your import {dataset[5:]!r} (workspace)",
            "publisher": "workspace import",
            "edition": "",
            "licence": "",
            "url": "",
        }
    fam = family_of(dataset)
    meta = SOURCES.get(fam, {})
    title = meta.get("title", dataset)
    if fam == "usgs_mcs" and (m := re.search(r"(\d{4})$", dataset)):
        edition = f"MCS {m.group(1)}"
    elif fam == "iea_cmde":
        m = re.search(r"([A-Z][a-z]+ \d{4})", title)
        edition = m.group(1) if m else dataset.rsplit("_", 1)[-1]
    elif fam == "baci":
        m = re.search(r"release (V\w+)", title)
        edition = m.group(1) if m else ""
    elif fam == "wgi":
        m = re.search(r"(\d{4}) update", title)
        edition = f"{m.group(1)} update" if m else ""
    elif fam == "wmd":
        m = re.search(r"(\d{4}-\d{4})", title)
        edition = m.group(1) if m else ""
    else:
        edition = ""
    return {
        "dataset": dataset,
        "family": fam,
        "title": _SHORT.get(fam, title),
        "publisher": meta.get("publisher", ""),
        "edition": edition,
        "licence": meta.get("licence", ""),
        "url": meta.get("url", ""),
    }


def _rows_text(rows: pd.Series) -> str:
    vals = sorted({int(r) for r in rows.dropna()})
    if not vals:
        return ""
    if len(vals) <= 4:
        return ", ".join(str(v) for v in vals)
    return f"{vals[0]}-{vals[-1]} ({len(vals)} rows)"


def source_refs(
    df: pd.DataFrame,
    dataset_col: str = "dataset",
    default_dataset: str | None = None,
) -> list[dict[str, Any]]:
    """The ``sources`` block of a response: one entry per dataset x source file.

    Parameters
    ----------
    df : pandas.DataFrame
        Rows with ``source_id``, ``source_row`` and (optionally) ``year`` and a dataset column.
    dataset_col : str
        Column naming the dataset.
    default_dataset : str, optional
        Dataset id of every row where the table has no dataset column (trade: ``baci``).
    """
    if df.empty:
        return []
    d = df
    if dataset_col not in d.columns:
        d = d.assign(**{dataset_col: default_dataset or ""})
    if "source_id" not in d.columns:
        d = d.assign(source_id="")
    out = []
    for (ds, sid), g in d.groupby([dataset_col, "source_id"], sort=True, dropna=True):
        info = dataset_info(str(ds))
        years = sorted({int(y) for y in g["year"].dropna()}) if "year" in g.columns else []
        rows = g["source_row"] if "source_row" in g.columns else pd.Series(dtype=float)
        out.append(
            {
                **{
                    k: info[k]
                    for k in ("dataset", "title", "publisher", "edition", "licence", "url")
                },
                "source_id": str(sid),
                "rows": _rows_text(rows),
                "years": years,
            }
        )
    return out
