"""End uses and strategic sectors: which sectors a commodity feeds, with shares and sources.

See :mod:`critmin.enduse.sectors`; ``critmin.sectors(...)`` and ``critmin sectors`` are the
front doors.
"""

from critmin.enduse.sectors import (
    END_USES_CSV,
    SECTORS,
    EndUseFileError,
    hs6_sector_shares,
    published_shares,
    resolve_sector,
    sector_shares,
    sector_table,
)

__all__ = [
    "END_USES_CSV",
    "SECTORS",
    "EndUseFileError",
    "hs6_sector_shares",
    "published_shares",
    "resolve_sector",
    "sector_shares",
    "sector_table",
]
