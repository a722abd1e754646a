"""Shipped, sourced default parameters for recovery runs (``defaults.csv``), with ranges.

critmin's parameter table (``parameters.csv``) leaves every lifetime, collection rate and
recovery efficiency to the user.  ``defaults.csv`` beside it ships published values for
them, one row per (parameter, product, element, process, region) with

    value, low, high, unit, distribution, source_title, organisation, year, locator, url, note

* ``value`` is the central value; when only a range is published, ``value`` is empty and
  the central value is the midpoint ``(low + high) / 2`` (computed on load).
* ``low``/``high`` is the published range (sources that disagree, a target path such as
  2027 -> 2031, or a bound such as "<5 %" read as 0-5 %).  :func:`sample_rates` draws
  collection rates and recovery efficiencies uniformly in it for the P5/P50/P95 bands.
* lifetimes are ``lifetime_mean`` rows with a family in ``distribution`` (``normal``);
  their spread is part of the distribution: ``std = (high - low) / 4``, i.e. the
  published range read as a 95 % interval of the lifetime (a critmin convention, stated
  in each row's note).  Lifetimes are not redrawn between draws.
* a row without value and range is **unsourced**: no published figure was found.  A
  default run leaves out the products (or product x element pairs) that need it and
  says so (:func:`left_out`).  Nothing is invented to fill it.
* ``region`` is ``World``, ``India`` or ``United States``; a regional row replaces the
  World row with the same key, the others stay World.

Collection for magnets and for the copper/nickel/manganese/cobalt of long-lived
equipment is shipped as 1 with the UNEP end-of-life recycling rate (EOL-RR, collection x
recovery; Graedel et al. 2011) as the recovery efficiency: the sources give only the
product of the two.  Read those rows' notes.

References
----------
.. [1] UNEP IRP (2011) Recycling Rates of Metals: A Status Report (Graedel et al.),
   ISBN 978-92-807-3161-3.
.. [2] Regulation (EU) 2023/1542 concerning batteries and waste batteries, Annex XII.
.. [3] Battery Waste Management Rules 2022, MoEFCC, Government of India.
.. [4] ITU and UNITAR (2024) The Global E-waste Monitor 2024.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from critmin.circular.products import COLUMNS, ParameterError, ProductSystem

logger = logging.getLogger(__name__)

__all__ = [
    "DEFAULTS_CSV",
    "DEFAULT_COLUMNS",
    "REGIONS",
    "DefaultsFileError",
    "default_parameter_rows",
    "fill_from_defaults",
    "left_out",
    "load_defaults",
    "regional_defaults",
    "resolve_region",
    "sample_rates",
    "template_with_defaults",
]

#: The shipped table.
DEFAULTS_CSV = Path(__file__).with_name("defaults.csv")
#: Its columns, in order.
DEFAULT_COLUMNS: tuple[str, ...] = (
    "parameter",
    "product",
    "element",
    "process",
    "region",
    "value",
    "low",
    "high",
    "unit",
    "distribution",
    "source_title",
    "organisation",
    "year",
    "locator",
    "url",
    "note",
)
#: Regions with rows of their own (others fall back to World).
REGIONS: tuple[str, ...] = ("World", "India", "United States")
_REGION_ALIASES = {
    "world": "World",
    "wld": "World",
    "india": "India",
    "ind": "India",
    "in": "India",
    "united states": "United States",
    "us": "United States",
    "usa": "United States",
    "united states of america": "United States",
}
_PARAMETERS = ("lifetime_mean", "collection_rate", "recovery_efficiency")
_RATES = ("collection_rate", "recovery_efficiency")
_FAMILIES = ("normal", "foldednormal", "lognormal")
_KEY = ["parameter", "product", "element", "process"]


class DefaultsFileError(ParameterError):
    """A defaults table is malformed; every problem names file, row, column and the fix."""


def resolve_region(region: str) -> str:
    """``'India'``/``'IND'`` -> ``'India'``, ``'US'``/``'USA'`` -> ``'United States'``, ...

    Raises
    ------
    DefaultsFileError
        Unknown region (the message lists the known ones).
    """
    key = str(region).strip().lower()
    if key in _REGION_ALIASES:
        return _REGION_ALIASES[key]
    msg = f"region {region!r} has no default parameters; use one of {list(REGIONS)}"
    raise DefaultsFileError(msg)


def _num(text: str) -> float | None:
    text = str(text).strip()
    if not text:
        return None
    return float(text)


def load_defaults(path: str | Path | None = None) -> pd.DataFrame:
    """Read and check a defaults table (default: the shipped ``defaults.csv``).

    Parameters
    ----------
    path : str or Path, optional
        A CSV with the columns of :data:`DEFAULT_COLUMNS`.

    Returns
    -------
    pandas.DataFrame
        The rows with ``value``/``low``/``high`` as floats (NaN where empty), ``value``
        filled with the midpoint where only a range is given, a ``sourced`` flag and
        ``source`` (one citation string: organisation (year) title, locator).

    Raises
    ------
    DefaultsFileError
        Missing columns, unknown parameters, non-numeric or out-of-range values, low >
        high, a value outside its range, sourced rows without title/organisation/year,
        lifetime rows without a known family or without a range, duplicate keys.  Each
        problem names the file, the row (CSV line) and the column, and the fix.
    """
    path = Path(path) if path is not None else DEFAULTS_CSV
    if not path.is_file():
        msg = f"defaults file {path} not found; pass an existing CSV with {list(DEFAULT_COLUMNS)}"
        raise DefaultsFileError(msg)
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
            raise DefaultsFileError(msg)
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    except pd.errors.ParserError as exc:
        msg = f"{path}: not a readable CSV ({exc}); fix: quote fields that contain commas"
        raise DefaultsFileError(msg) from None
    missing = [c for c in DEFAULT_COLUMNS if c not in raw.columns]
    if missing:
        msg = f"{path}: columns {missing} are missing; fix: the header must be {','.join(DEFAULT_COLUMNS)}"
        raise DefaultsFileError(msg)
    problems: list[str] = []

    def bad(i: int, col: str, what: str, fix: str) -> None:
        problems.append(f"{path.name}, row {i + 2} (CSV line), column {col!r}: {what}; fix: {fix}")

    rows = []
    for i, r in raw.iterrows():
        rec = {c: str(r[c]).strip() for c in DEFAULT_COLUMNS}
        if rec["parameter"] not in _PARAMETERS:
            bad(
                i,
                "parameter",
                f"unknown parameter {rec['parameter']!r}",
                f"use one of {list(_PARAMETERS)}",
            )
            continue
        nums: dict[str, float | None] = {}
        for col in ("value", "low", "high"):
            try:
                nums[col] = _num(rec[col])
            except ValueError:
                bad(i, col, f"{rec[col]!r} is not a number", "write a plain number such as 0.5")
                nums[col] = None
        v, lo, hi = nums["value"], nums["low"], nums["high"]
        if (lo is None) != (hi is None):
            bad(
                i,
                "low" if lo is None else "high",
                "only one end of the range is given",
                "give both low and high, or neither",
            )
        if lo is not None and hi is not None and lo > hi:
            bad(i, "low", f"low {lo} is above high {hi}", "swap them")
        if v is None and lo is not None and hi is not None:
            v = (lo + hi) / 2
        if v is not None and lo is not None and hi is not None and not lo <= v <= hi:
            bad(
                i,
                "value",
                f"value {v} lies outside its range {lo}-{hi}",
                "correct the value or the range",
            )
        if rec["parameter"] in _RATES:
            for col, x in (("value", v), ("low", lo), ("high", hi)):
                if x is not None and not 0 <= x <= 1:
                    bad(
                        i,
                        col,
                        f"rate {x} is outside [0, 1]",
                        "give rates as fractions (0.5, not 50)",
                    )
            if rec["unit"] not in ("1", ""):
                bad(i, "unit", f"unit {rec['unit']!r} for a rate", "use unit 1 (a fraction)")
        sourced = v is not None
        if rec["parameter"] == "lifetime_mean":
            if rec["distribution"] not in _FAMILIES:
                bad(
                    i,
                    "distribution",
                    f"lifetime family {rec['distribution']!r}",
                    f"use one of {list(_FAMILIES)}",
                )
            if sourced and (lo is None or hi is None):
                bad(
                    i,
                    "low",
                    "a lifetime needs its published range (the spread is (high - low)/4)",
                    "give low and high [yr]",
                )
            if v is not None and v <= 0:
                bad(i, "value", f"lifetime {v} yr is not positive", "give a lifetime in years > 0")
        if sourced:
            for col in ("source_title", "organisation", "year"):
                if not rec[col]:
                    bad(
                        i,
                        col,
                        "a row with a value has no " + col,
                        "cite the published source (title, organisation, year) or empty the value",
                    )
        rec.update(
            value=math.nan if v is None else v,
            low=math.nan if lo is None else lo,
            high=math.nan if hi is None else hi,
        )
        rec["sourced"] = sourced
        rec["region"] = rec["region"] or "World"
        rec["source"] = (
            f"{rec['organisation']} ({rec['year']}) {rec['source_title']}; {rec['locator']}".strip()
            if sourced
            else ""
        )
        rows.append(rec)
    df = pd.DataFrame(rows, columns=[*DEFAULT_COLUMNS, "sourced", "source"])
    if not df.empty:
        dup = df[df.duplicated([*_KEY, "region"], keep=False)]
        for i in dup.index:
            bad(
                int(i),
                "parameter",
                "the (parameter, product, element, process, region) key repeats",
                "keep one row per key",
            )
    if problems:
        raise DefaultsFileError(f"defaults file {path} has {len(problems)} problem(s):", problems)
    for col in ("value", "low", "high"):
        df[col] = df[col].astype(float)
    return df.reset_index(drop=True)


def regional_defaults(region: str = "World", path: str | Path | None = None) -> pd.DataFrame:
    """The defaults of one region: its own rows over the World rows.

    Parameters
    ----------
    region : str
        ``World``, ``India`` or ``United States`` (aliases: IND, US, USA).
    path : str or Path, optional
        A defaults table (default the shipped one).

    Returns
    -------
    pandas.DataFrame
        One row per key, with the column ``region`` saying where the row came from.
    """
    reg = resolve_region(region)
    df = load_defaults(path)
    world = df[df["region"] == "World"]
    own = df[df["region"] == reg] if reg != "World" else df.iloc[0:0]
    keep = world[~world.set_index(_KEY).index.isin(own.set_index(_KEY).index)]
    return pd.concat([keep, own], ignore_index=True)


def default_parameter_rows(table: pd.DataFrame) -> pd.DataFrame:
    """Sourced rows as a parameter table :meth:`ProductSystem.with_parameters` takes.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`regional_defaults` (or :func:`load_defaults`).

    Returns
    -------
    pandas.DataFrame
        Columns ``parameter, product, element, process, value, unit, distribution,
        source``; each lifetime gives a ``lifetime_mean`` and a ``lifetime_std`` row
        (``std = (high - low) / 4``).
    """
    out = []
    for r in table[table["sourced"]].itertuples(index=False):
        base = {
            "parameter": r.parameter,
            "product": r.product,
            "element": r.element,
            "process": r.process,
            "value": float(r.value),
            "unit": r.unit,
            "distribution": r.distribution,
            "source": f"{r.source} [{r.region}]",
        }
        out.append(base)
        if r.parameter == "lifetime_mean":
            out.append(
                {
                    **base,
                    "parameter": "lifetime_std",
                    "value": (float(r.high) - float(r.low)) / 4,
                    "source": f"(high - low)/4 of the published range {r.low:g}-{r.high:g} yr: "
                    + base["source"],
                }
            )
    return pd.DataFrame(
        out,
        columns=[
            "parameter",
            "product",
            "element",
            "process",
            "value",
            "unit",
            "distribution",
            "source",
        ],
    )


def _has_value(system: ProductSystem, row: pd.Series) -> bool | None:
    """Whether `system` already sets the parameter of a default `row` (None: not its key)."""
    prm, prod, elem, proc = row["parameter"], row["product"], row["element"], row["process"]
    if prod and prod not in system.products:
        return None
    if elem and elem not in system.elements:
        return None
    if proc and proc not in system.processes:
        return None
    if prm in ("lifetime_mean", "lifetime_std"):
        # any lifetime value of the product (its own family) keeps the whole default out
        return system._lifetime_values(prod)[0] is not None
    return system._value(prm, prod, elem, proc) is not None


def fill_from_defaults(
    system: ProductSystem, table: pd.DataFrame
) -> tuple[ProductSystem, pd.DataFrame]:
    """Fill the parameters `system` leaves empty from the sourced defaults; set values win.

    A row of a user file whose value is blank means "no value given": it never removes a
    default (:meth:`ProductSystem.with_parameters` ignores it), and this function fills
    it.  A product with any lifetime value of its own keeps its lifetime whole (no default
    lifetime row is mixed into it).

    Parameters
    ----------
    system : ProductSystem
        E.g. the shipped system with a user parameter file
        (:func:`critmin.circular.api.build_system`).
    table : pandas.DataFrame
        From :func:`regional_defaults`.

    Returns
    -------
    system : ProductSystem
        With the default rows added where `system` had no value.
    filled : pandas.DataFrame
        The default rows used (columns of :func:`default_parameter_rows`), i.e. what the
        user left blank and the defaults supplied.
    """
    rows = default_parameter_rows(table)
    use = [_has_value(system, r) is False for _, r in rows.iterrows()]
    filled = rows[use].reset_index(drop=True)
    if len(filled):
        logger.info("%d blank parameter(s) filled from the sourced defaults", len(filled))
        system = system.with_parameters(filled)
    return system, filled


def template_with_defaults(
    path: str | Path | None = None, region: str = "World", *, blank: bool = False
) -> pd.DataFrame:
    """The parameter file of an IEA-driven run, pre-filled with the sourced defaults.

    Every row the shipped defaults source gets its value, lifetime family (``normal``,
    std = (high - low)/4 of the published range) and citation in ``source``; only rows
    without a published value stay blank.  A run with the file
    (``critmin recovery run --params FILE``) uses your values where you change them and
    fills any row you blank from the defaults.

    Parameters
    ----------
    path : str or Path, optional
        Also write the template there as CSV.
    region : str
        Whose defaults (``World``, ``India``, ``United States``).
    blank : bool, default False
        Leave every value empty (the bare list of rows a run needs).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`~critmin.circular.products.COLUMNS`.
    """
    from critmin.circular.inflows import iea_parameter_template

    df = iea_parameter_template()
    if not blank:
        key = ["parameter", "product", "element", "process"]
        d = default_parameter_rows(regional_defaults(region))
        d = d.drop_duplicates(key).set_index(key)
        idx = pd.MultiIndex.from_frame(df[key])
        hit = idx.isin(d.index)
        got = d.reindex(idx[hit])
        df.loc[hit, "value"] = [f"{v:.6g}" for v in got["value"]]
        df.loc[hit, "distribution"] = got["distribution"].to_numpy()
        df.loc[hit, "source"] = got["source"].to_numpy()
    df = df[list(COLUMNS)]
    if path is not None:
        df.to_csv(path, index=False)
    return df


def left_out(table: pd.DataFrame) -> pd.DataFrame:
    """Unsourced rows: what a default run cannot use (and therefore leaves out).

    Returns
    -------
    pandas.DataFrame
        Columns ``parameter, product, element, process, region, note``.
    """
    cols = ["parameter", "product", "element", "process", "region", "note"]
    return table.loc[~table["sourced"], cols].reset_index(drop=True)


def sample_rates(
    table: pd.DataFrame, n: int, seed: int | None = 0
) -> tuple[pd.DataFrame, np.ndarray]:
    """Draw collection rates and recovery efficiencies uniformly in their ranges.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`regional_defaults`.
    n : int
        Number of draws.
    seed : int, optional
        Seed of :func:`numpy.random.default_rng`.

    Returns
    -------
    rows : pandas.DataFrame
        The sourced rate rows (``parameter, product, element, process, value, low,
        high``) in the column order of `draws`.
    draws : numpy.ndarray
        ``(n, len(rows))`` [-]; a row without a range keeps its value in every draw.
    """
    if n < 1:
        msg = f"n_draws={n}; give at least 1"
        raise ParameterError(msg)
    rows = table[table["sourced"] & table["parameter"].isin(_RATES)].reset_index(drop=True)
    rng = np.random.default_rng(seed)
    lo = rows["low"].fillna(rows["value"]).to_numpy(float)
    hi = rows["high"].fillna(rows["value"]).to_numpy(float)
    draws = lo + (hi - lo) * rng.random((int(n), len(rows)))
    return rows, draws


def quantiles(values: np.ndarray, qs: Sequence[float] = (5, 50, 95)) -> np.ndarray:
    """Percentiles over the first (draw) axis; ``qs`` in percent."""
    return np.percentile(values, list(qs), axis=0)
