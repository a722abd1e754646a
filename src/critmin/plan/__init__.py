"""Resilience planner: partner sourcing, stockpile sizing, reverse stress test, bloc gaps.

Pure solvers (:mod:`~critmin.plan.partners`, ...) work on arrays and Series; the functions
re-exported here read the dataset and call them.  Formulation: ``docs/methods/plan.md``.
"""

from __future__ import annotations

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
