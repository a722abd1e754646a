"""Reading the catalog's shipped CSV tables (package data), as strings, nothing treated as NA."""

from __future__ import annotations

from importlib import resources

import pandas as pd


def read_table(name: str) -> pd.DataFrame:
    """Read the shipped catalog table `name` (e.g. ``"countries.csv"``)."""
    path = resources.files("critmin.catalog").joinpath(name)
    with path.open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype=str, keep_default_na=False, na_filter=False)
