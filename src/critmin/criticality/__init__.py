"""Criticality methods: GeoPolRisk and the EU CRM supply risk and criticality rule.

Pure functions on pandas/numpy inputs; they never read the store.  See ``docs/methods/
geopolrisk.md`` and ``docs/methods/eu_crm.md`` for the formulas, sources and validation.
"""

from __future__ import annotations

from critmin.criticality.eu_crm import (
    EI_THRESHOLD,
    SR_THRESHOLD,
    bottleneck_stage,
    is_critical,
    material_supply_risk,
    supply_risk,
    supply_risk_from_shares,
)
from critmin.criticality.geopolrisk import (
    CF_COPPER,
    GeoPolRiskResult,
    geopolrisk,
    geopolrisk_grid,
)

__all__ = [
    # GeoPolRisk
    "CF_COPPER",
    "GeoPolRiskResult",
    "geopolrisk",
    "geopolrisk_grid",
    # EU CRM
    "EI_THRESHOLD",
    "SR_THRESHOLD",
    "bottleneck_stage",
    "is_critical",
    "material_supply_risk",
    "supply_risk",
    "supply_risk_from_shares",
]
