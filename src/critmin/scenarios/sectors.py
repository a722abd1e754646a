"""Map shortfalls per commodity to strategic sectors through end-use shares.

The caller gives an end-use share table ``commodity_id, sector, share``: the fraction of
a commodity's consumption that goes to each sector (e.g. rare-earth magnets -> defence,
wind, EVs).  Shares of one commodity sum to at most 1; the rest is labelled
:data:`OTHER` (``'other/unallocated'``).  A commodity without rows is wholly
``other/unallocated``.  critmin ships no share table: the figures and their sources are the
caller's.

The sector shortfall of a draw is ``S_sector[d, t, j, s] = sum_k S[d, t, j, k] *
H[k, s]``.  Because ``H >= 0``, the quantile of one commodity's contribution to a sector is
the share times the commodity's quantile; quantiles of the *sum over commodities* need the
per-draw values (:func:`~critmin.scenarios.ensemble.run_ensemble` with ``sector_shares``).

Summing tonnes of different commodities into one sector figure mixes materials; read
sector totals over commodities of one family (e.g. the rare-earth HS codes) or per
commodity (:func:`sector_breakdown`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd

from critmin.errors import MethodError

__all__ = ["OTHER", "SHARE_COLUMNS", "sector_breakdown", "share_matrix", "to_sectors"]

logger = logging.getLogger(__name__)

#: Label of the part of a commodity's use not allocated to a listed sector.
OTHER = "other/unallocated"
#: Columns of an end-use share table.
SHARE_COLUMNS: tuple[str, ...] = ("commodity_id", "sector", "share")


def share_matrix(
    shares: pd.DataFrame, commodities: Sequence[str], *, tol: float = 1e-9
) -> tuple[np.ndarray, list[str]]:
    """Build the commodity x sector share matrix from an end-use share table.

    Parameters
    ----------
    shares : pandas.DataFrame
        Columns ``commodity_id, sector, share`` [fraction, 0-1].
    commodities : sequence of str
        The commodity axis (e.g. ``network.commodities``).
    tol : float
        Tolerance on the sum of shares of one commodity.

    Returns
    -------
    H : numpy.ndarray
        ``(K, S + 1)`` shares; the last column is :data:`OTHER` = ``1 - sum of shares``.
        Every row sums to 1.
    sectors : list of str
        Sector names in column order (sorted, then :data:`OTHER`).

    Raises
    ------
    MethodError
        A column is missing, a share is outside [0, 1] or not a number, a (commodity,
        sector) pair repeats, or the shares of a commodity sum to more than 1.
    """
    missing = [c for c in SHARE_COLUMNS if c not in shares.columns]
    if missing:
        msg = f"share table lacks columns {missing}; it needs {list(SHARE_COLUMNS)}"
        raise MethodError(msg)
    df = shares[list(SHARE_COLUMNS)].copy()
    df["commodity_id"] = df["commodity_id"].astype(str).str.strip()
    df["sector"] = df["sector"].astype(str).str.strip()
    df["share"] = pd.to_numeric(df["share"], errors="coerce")
    bad = df[df["share"].isna() | (df["share"] < 0) | (df["share"] > 1)]
    if len(bad):
        msg = "end-use shares must be numbers in [0, 1]; fix these rows:\n" + bad.head(
            10
        ).to_string(index=False)
        raise MethodError(msg)
    if (df["sector"] == OTHER).any():
        msg = f"sector {OTHER!r} is reserved for the unallocated rest; drop those rows"
        raise MethodError(msg)
    dup = df[df.duplicated(["commodity_id", "sector"], keep=False)]
    if len(dup):
        msg = (
            "a (commodity_id, sector) pair appears more than once; sum or drop them:\n"
            + dup.head(10).to_string(index=False)
        )
        raise MethodError(msg)
    total = df.groupby("commodity_id")["share"].sum()
    over = total[total > 1 + tol]
    if len(over):
        msg = (
            "end-use shares of a commodity sum to more than 1; fix them so each sums to "
            "<= 1 (the rest is labelled 'other/unallocated'):\n" + over.to_string()
        )
        raise MethodError(msg)
    k_idx = {str(c): i for i, c in enumerate(commodities)}
    unknown = sorted(set(df["commodity_id"]) - set(k_idx))
    if unknown:
        logger.warning(
            "end-use shares for %d commodities not in the network ignored: %s",
            len(unknown),
            unknown[:10],
        )
        df = df[df["commodity_id"].isin(k_idx)]
    sectors = sorted(set(df["sector"]))
    s_idx = {s: i for i, s in enumerate(sectors)}
    h = np.zeros((len(k_idx), len(sectors) + 1))
    for cid, sector, share in df.itertuples(index=False):
        h[k_idx[cid], s_idx[sector]] = share
    h[:, -1] = np.clip(1.0 - h[:, :-1].sum(axis=1), 0.0, 1.0)
    return h, [*sectors, OTHER]


def to_sectors(values: np.ndarray, h: np.ndarray) -> np.ndarray:
    """Aggregate an array with a trailing commodity axis to sectors.

    Parameters
    ----------
    values : numpy.ndarray
        ``(..., K)`` e.g. per-draw shortfall ``(D, T, N, K)`` [t].
    h : numpy.ndarray
        ``(K, S)`` from :func:`share_matrix`.

    Returns
    -------
    numpy.ndarray
        ``(..., S)`` [same unit as `values`].
    """
    values = np.asarray(values, dtype=np.float64)
    if values.shape[-1] != h.shape[0]:
        msg = f"values have {values.shape[-1]} commodities, the share matrix {h.shape[0]}"
        raise MethodError(msg)
    return values @ h


def sector_breakdown(result: object, shares: pd.DataFrame) -> pd.DataFrame:
    """Per-commodity sector quantiles of an ensemble (exact: share x commodity quantile).

    Parameters
    ----------
    result : EnsembleResult
        From :func:`~critmin.scenarios.ensemble.run_ensemble`.
    shares : pandas.DataFrame
        End-use shares ``commodity_id, sector, share``.

    Returns
    -------
    pandas.DataFrame
        Columns ``year, importer_iso3, commodity_id, sector, share, p5_t, p50_t, p95_t,
        p5_pct, p50_pct, p95_pct`` for rows with a P95 shortfall above 0; ``*_pct`` is
        the sector part as % of the sector's part of the commodity's consumption, i.e.
        the commodity's own percentage.
    """
    table = result.shortfall_table(nonzero=True)  # type: ignore[attr-defined]
    net = result.network  # type: ignore[attr-defined]
    h, sectors = share_matrix(shares, net.commodities)
    long = pd.DataFrame(
        [
            {"commodity_id": c, "sector": s, "share": h[i, j]}
            for i, c in enumerate(net.commodities)
            for j, s in enumerate(sectors)
            if h[i, j] > 0
        ]
    )
    out = table.merge(long, on="commodity_id", how="left")
    for col in ("p5_t", "p50_t", "p95_t"):
        out[col] = out[col] * out["share"]
    cols = [
        "year",
        "importer_iso3",
        "commodity_id",
        "sector",
        "share",
        "p5_t",
        "p50_t",
        "p95_t",
        "p5_pct",
        "p50_pct",
        "p95_pct",
    ]
    return out[cols].reset_index(drop=True)
