"""critmin: open critical-minerals supply-chain intelligence.

Tidy DataFrames for production, reserves, capacity, U.S. salient statistics, trade flows,
governance, export controls and country groups, each figure with its unit and source::

    import critmin
    critmin.production("lithium", year=2024)
    critmin.trade("cobalt", importer="IND", year=2023)

Errors are in :mod:`critmin.errors`; settings in :mod:`critmin.settings`.
"""

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
