"""Wire schemas of ``/api/v1/plan/...`` (kept apart from :mod:`critmin.api_server.schemas`)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["PlanResult"]


class PlanResult(BaseModel):
    """One planner result: a summary, named tables, and the units and sources of every figure."""

    model_config = ConfigDict(extra="forbid")

    kind: str = Field(description="partners, stockpile, stress or bloc")
    summary: dict[str, Any] = Field(description="Headline figures (see units).")
    tables: dict[str, list[dict[str, Any]]] = Field(
        description="Named tables as rows (mix, frontier, gainers; table, variants; "
        "production, trade)."
    )
    units: dict[str, str] = Field(description="Unit of every column and headline figure.")
    sources: list[str] = Field(description="Datasets and methods every figure comes from.")
    notes: list[str] = Field(description="Data rules applied and what is missing.")
