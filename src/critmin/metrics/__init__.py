"""Supply metrics: concentration (shares, HHI, top-n, bloc share) and governance weighting.

Pure functions on pandas/numpy inputs; they never read the store.  See ``docs/methods/
concentration.md`` and ``docs/methods/governance.md`` for the formulas and their sources.
"""

from __future__ import annotations

from critmin.metrics.concentration import (
    bloc_share,
    concentration_table,
    group_shares,
    hhi,
    n_producers,
    shares,
    top_n_share,
    without,
)
from critmin.metrics.governance import (
    eu_wgi_scaled,
    geopolrisk_stability,
    wgi_mean,
    wgi_weighted_hhi,
)

__all__ = [
    # concentration
    "bloc_share",
    "concentration_table",
    "group_shares",
    "hhi",
    "n_producers",
    "shares",
    "top_n_share",
    "without",
    # governance
    "eu_wgi_scaled",
    "geopolrisk_stability",
    "wgi_mean",
    "wgi_weighted_hhi",
]
