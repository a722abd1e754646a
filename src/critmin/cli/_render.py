"""Shared rendering helpers for the CLI: Rich console, number formatting, table/CSV/JSON output."""

from __future__ import annotations

import enum
import json
import math
import os
import sys

import pandas as pd
from rich.console import Console
from rich.table import Table


class OutputFormat(str, enum.Enum):
    """Output formats of table-producing commands."""

    table = "table"
    csv = "csv"
    json = "json"


def console() -> Console:
    """A Rich console; width from $COLUMNS, else the terminal, never wider than 100."""
    width = int(os.environ.get("COLUMNS", "0")) or None
    c = Console(width=width, soft_wrap=False, highlight=False)
    if c.width > 100:
        c = Console(width=100, soft_wrap=False, highlight=False)
    return c


def fmt_num(v: object, digits: int = 3) -> str:
    """Format a figure for people: thousands separators, about `digits` significant digits."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    x = float(v)  # type: ignore[arg-type]
    if x == 0:
        return "0"
    if abs(x) >= 10 ** (digits - 1):
        return f"{x:,.0f}"
    decimals = max(0, digits - 1 - int(math.floor(math.log10(abs(x)))))
    return f"{x:,.{decimals}f}"


def fmt_pct(share: object) -> str:
    """Format a 0-1 share as a percentage."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return ""
    return f"{100 * float(share):.1f}%"  # type: ignore[arg-type]


def value_text(value: object, flag: str) -> str:
    """A figure with its source code where the figure is missing or qualified (W, NA, >)."""
    flag = flag or ""
    if "withheld" in flag:
        return "W"
    if "lower_bound" in flag:
        return ">" + fmt_num(value)
    if "upper_bound" in flag:
        return "<" + fmt_num(value)
    if "not_available" in flag and (
        value is None or (isinstance(value, float) and math.isnan(value))
    ):
        return "NA"
    if "net_exporter" in flag:
        return "E"
    return fmt_num(value)


def emit(
    df: pd.DataFrame, fmt: OutputFormat, title: str | None = None, caption: str | None = None
) -> None:
    """Print `df` as a Rich table, CSV or JSON (records) on stdout."""
    if fmt == OutputFormat.csv:
        df.to_csv(sys.stdout, index=False)
        return
    if fmt == OutputFormat.json:
        sys.stdout.write(json.dumps(json.loads(df.to_json(orient="records")), indent=1) + "\n")
        return
    t = Table(title=title, caption=caption, title_justify="left", caption_justify="left")
    for c in df.columns:
        numeric = pd.api.types.is_numeric_dtype(df[c])
        t.add_column(str(c), justify="right" if numeric else "left", overflow="fold")
    for row in df.itertuples(index=False):
        t.add_row(
            *[fmt_num(v) if isinstance(v, float) else ("" if v is None else str(v)) for v in row]
        )
    console().print(t)
