"""Resilience planner: partner sourcing, stockpile sizing, reverse stress test, bloc gaps.

Pure solvers (modules :mod:`critmin.plan.partners`, ``stockpile``, ``stress``, ``bloc``)
work on arrays and Series; the functions of the same names re-exported here
(:mod:`critmin.plan.api`) read the dataset and call them.  Formulation: ``docs/methods/plan.md``.
"""

from __future__ import annotations

# The pure modules share names with the functions re-exported below: load them first, so
# that the package attributes ``partners``, ``stockpile``, ``stress`` and ``bloc`` end up
# bound to the functions (the modules stay importable as ``critmin.plan.<name>``).
import critmin.plan.bloc
import critmin.plan.partners
import critmin.plan.stockpile
import critmin.plan.stress  # noqa: F401
from critmin.plan.api import (
    BlocPlan,
    PartnerPlan,
    StockpilePlan,
    StressPlan,
    bloc,
    partners,
    stockpile,
    stress,
)
from critmin.plan.partners import OBJECTIVES, MixSolution, PlanInfeasible, frontier, optimal_mix

__all__ = [
    "OBJECTIVES",
    "BlocPlan",
    "MixSolution",
    "PartnerPlan",
    "PlanInfeasible",
    "StockpilePlan",
    "StressPlan",
    "bloc",
    "frontier",
    "optimal_mix",
    "partners",
    "stockpile",
    "stress",
]
