"""Assessments: orchestration that reads the store and calls the pure metrics.

One module per assessment, for example

* :mod:`critmin.assessments.concentration` -- supply concentration for every commodity ×
  stage × year (USGS and World Mining Data), bloc shares, the world without some producers;
* :mod:`critmin.assessments.reliance` -- U.S. net import reliance recomputed from the USGS
  salient statistics and checked against the published figures; BACI-based import dependence
  for any country.

The formulas live in :mod:`critmin.metrics` and :mod:`critmin.criticality` (pure
functions); these modules only fetch, select and join.  Functions are not re-exported here,
so that a module such as ``critmin.assessments.concentration`` is never shadowed by a
function of the same name: ``from critmin.assessments.concentration import concentration``.
"""

from __future__ import annotations

__all__: list[str] = []
