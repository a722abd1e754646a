"""critmin: open critical-minerals supply-chain intelligence.

Tidy DataFrames for production, reserves, capacity, U.S. salient statistics, trade flows,
governance, export controls and country groups, each figure with its unit and source::

    import critmin
    critmin.production("lithium", year=2024)
    critmin.trade("cobalt", importer="IND", year=2023)

Errors are in :mod:`critmin.errors`; settings in :mod:`critmin.settings`.  The analysis
subpackages load on first use, so ``import critmin`` stays light::

    critmin.plan.partners("lithium", importer="IND")   # resilience planner
    critmin.plan.stockpile("china_ree_2025", importer="IND", cover=0.95)
    critmin.circular.run_recovery                       # stock models and recovery
"""

import importlib as _importlib

__version__ = "0.1.0"

from critmin.api import (
    capacity,
    check,
    commodities,
    countries,
    export_controls,
    governance,
    group_members,
    groups,
    import_sources,
    observations,
    production,
    reserves,
    salient,
    sectors,
    sources,
    trade,
)
from critmin.errors import CritminError, UnknownCommodity, UnknownCountry
from critmin.workspace import import_file

__all__ = [
    "CritminError",
    "UnknownCommodity",
    "UnknownCountry",
    "__version__",
    "capacity",
    "check",
    "commodities",
    "countries",
    "export_controls",
    "governance",
    "group_members",
    "groups",
    "import_file",
    "import_sources",
    "observations",
    "production",
    "reserves",
    "salient",
    "sectors",
    "sources",
    "trade",
]

#: Subpackages reachable as attributes (``critmin.plan``), imported on first use.
_LAZY_SUBPACKAGES = frozenset(
    {"assessments", "circular", "criticality", "enduse", "metrics", "plan", "report", "scenarios"}
)


def __getattr__(name: str):  # noqa: ANN202 - PEP 562 module attribute hook
    if name in _LAZY_SUBPACKAGES:
        return _importlib.import_module(f"critmin.{name}")
    msg = f"module 'critmin' has no attribute {name!r}"
    raise AttributeError(msg)
