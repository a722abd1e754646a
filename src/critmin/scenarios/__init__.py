"""Disruption scenarios: what a cut of a country's exports does to every importer.

The pieces, in the order a run uses them:

* :mod:`~critmin.scenarios.spec` -- :class:`ScenarioSpec` (pydantic), :func:`load_spec`
  for YAML/JSON files; every invalid field raises one :class:`~critmin.errors.ScenarioError`.
* :mod:`~critmin.scenarios.network` -- :class:`Network`, the input contract: per commodity
  the exporter x importer flows [t], production [t], apparent consumption and ore ->
  refined :class:`Link` s; :meth:`Network.from_frames` builds it from tidy tables.
* :mod:`~critmin.scenarios.engine` -- the vectorised kernel (draws as the leading axis,
  importers by matrix products) and :func:`rank_mitigations`.
* :mod:`~critmin.scenarios.ensemble` -- :func:`run_ensemble`, chunked, locally or on a Dask
  cluster, returning an :class:`EnsembleResult` (P5/P50/P95 shortfall in tonnes and % of
  consumption, who fills the gap, months of stockpile).
* :mod:`~critmin.scenarios.sectors` -- end-use shares to strategic sectors.

The model and every parameter are documented in ``docs/scenarios.md``.
"""

from critmin.scenarios.engine import (
    COMPONENTS,
    QUANTILES,
    Draws,
    Plan,
    prepare,
    rank_mitigations,
    sample_parameters,
    simulate_block,
)
from critmin.scenarios.ensemble import EnsembleResult, run_ensemble
from critmin.scenarios.network import Link, Network, synthetic_network
from critmin.scenarios.sectors import OTHER, sector_breakdown, share_matrix, to_sectors
from critmin.scenarios.spec import (
    Dist,
    Horizon,
    Responses,
    ScenarioSpec,
    Shock,
    load_spec,
)

__all__ = [
    "COMPONENTS",
    "OTHER",
    "QUANTILES",
    "Dist",
    "Draws",
    "EnsembleResult",
    "Horizon",
    "Link",
    "Network",
    "Plan",
    "Responses",
    "ScenarioSpec",
    "Shock",
    "load_spec",
    "prepare",
    "rank_mitigations",
    "run_ensemble",
    "sample_parameters",
    "sector_breakdown",
    "share_matrix",
    "simulate_block",
    "synthetic_network",
    "to_sectors",
]
