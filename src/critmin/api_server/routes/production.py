"""Production, reserves, capacity, U.S. salient statistics, export controls, import sources.

Thin shells over :func:`critmin.production`, :func:`critmin.reserves`,
:func:`critmin.capacity`, :func:`critmin.salient`, :func:`critmin.export_controls` and
:func:`critmin.import_sources`: the same rows, as JSON, with a ``sources`` block.
"""

from __future__ import annotations

from typing import Annotated

import pandas as pd
from fastapi import APIRouter, Query

from critmin.api_server._frames import records, source_refs
from critmin.api_server.deps import (
    BadParameter,
    CommodityId,
    Config,
    Years,
    cached_call,
    resolve_commodity_param,
    resolve_country,
)
from critmin.api_server.schemas import (
    ExportControlTable,
    ImportSourceTable,
    ObservationRow,
    ObservationTable,
)

router = APIRouter(tags=["production"])

_OBS_COLUMNS = list(ObservationRow.model_fields)

Stage = Annotated[
    list[str] | None,
    Query(
        max_length=20,
        description="Stage(s): mine, refinery, smelter, processing, primary, secondary, total; "
        "'all' for every stage.",
    ),
]
Countries = Annotated[
    list[str] | None,
    Query(max_length=50, description="Keep only these countries (ISO3 or names)."),
]
Source = Annotated[
    str,
    Query(
        min_length=1,
        max_length=60,
        pattern=r"^[A-Za-z0-9_:-]+$",
        description="usgs (newest MCS edition per year), wmd, iea, user, or a dataset id "
        "such as usgs_mcs2025 or user:mydata.",
    ),
]
Aggregates = Annotated[
    bool,
    Query(description="Keep the stated world total (WLD) and 'other countries' (ROW) rows."),
]


def _stages(stage: list[str] | None, default: str | None) -> list[str] | None:
    from critmin.errors import nearest, shorten
    from critmin.ingest._common import STAGES

    if not stage:
        return [default] if default else None
    if any(s.lower() == "all" for s in stage):
        return None
    out = []
    for s in stage:
        if s.lower() not in STAGES:
            raise BadParameter(
                "stage",
                f"unknown stage {shorten(s)}; use one of {list(STAGES)} or 'all'",
                nearest(s, STAGES),
            )
        out.append(s.lower())
    return out


def _countries(country: list[str] | None) -> list[str] | None:
    return None if not country else [resolve_country(c) for c in country]


def _table(commodity: str, measure: str, df: pd.DataFrame, max_rows: int) -> dict[str, object]:
    from critmin import catalog

    name = str(catalog.commodities().set_index("commodity_id").at[commodity, "name"])
    if "flag" in df:  # IEA projection years are labelled, not silently mixed in
        df = df.assign(projection=df["flag"].fillna("").astype(str).str.contains("projection"))
    truncated = len(df) > max_rows
    if truncated:
        df = df.iloc[:max_rows]
    return {
        "commodity_id": commodity,
        "name": name,
        "measure": measure,
        "count": len(df),
        "truncated": truncated,
        "rows": records(df, _OBS_COLUMNS),
        "sources": source_refs(df),
    }


@router.get(
    "/commodities/{commodity}/production",
    response_model=ObservationTable,
    summary="Production by country",
)
def production(
    commodity: CommodityId,
    cfg: Config,
    stage: Stage = None,
    year: Years = None,
    country: Countries = None,
    source: Source = "usgs",
    include_aggregates: Aggregates = True,
) -> dict[str, object]:
    """Production by country with each country's share of the stated world total.

    The rows of :func:`critmin.production` (default stage: the commodity's headline stage,
    ``mine`` where it has one, else its first published stage, e.g. silicon ``smelter``;
    source ``usgs``: the newest USGS MCS edition for each year).  ``share`` is the fraction of the stated world
    total (``WLD`` row), or of the country sum where no total is stated.
    """
    from critmin import api

    df = cached_call(
        api.production,
        commodity,
        stage=_stages(stage, None) if stage else "headline",
        year=year,
        country=_countries(country),
        source=source,
        include_aggregates=include_aggregates,
    )
    return _table(commodity, "production", df, cfg.max_rows)


@router.get(
    "/commodities/{commodity}/reserves",
    response_model=ObservationTable,
    summary="Reserves by country",
)
def reserves(
    commodity: CommodityId,
    cfg: Config,
    year: Years = None,
    country: Countries = None,
    source: Source = "usgs",
    include_aggregates: Aggregates = True,
) -> dict[str, object]:
    """Reserves by country with shares of the stated world total (:func:`critmin.reserves`)."""
    from critmin import api

    df = cached_call(
        api.reserves,
        commodity,
        year=year,
        country=_countries(country),
        source=source,
        include_aggregates=include_aggregates,
    )
    return _table(commodity, "reserves", df, cfg.max_rows)


@router.get(
    "/commodities/{commodity}/capacity",
    response_model=ObservationTable,
    summary="Production capacity by country",
)
def capacity(
    commodity: CommodityId,
    cfg: Config,
    stage: Stage = None,
    year: Years = None,
    country: Countries = None,
    source: Source = "usgs",
    include_aggregates: Aggregates = True,
) -> dict[str, object]:
    """Production capacity by country (:func:`critmin.capacity`)."""
    from critmin import api

    df = cached_call(
        api.capacity,
        commodity,
        stage=_stages(stage, None),
        year=year,
        country=_countries(country),
        source=source,
        include_aggregates=include_aggregates,
    )
    return _table(commodity, "capacity", df, cfg.max_rows)


@router.get(
    "/commodities/{commodity}/salient",
    response_model=ObservationTable,
    summary="U.S. salient statistics",
)
def salient(
    commodity: CommodityId,
    cfg: Config,
    measure: Annotated[
        list[str] | None,
        Query(max_length=20, description="e.g. net_import_reliance, imports, consumption."),
    ] = None,
    year: Years = None,
) -> dict[str, object]:
    """U.S. production, trade, consumption, prices and net import reliance.

    (:func:`critmin.salient`).
    """
    from critmin import api

    df = cached_call(api.salient, commodity, measure=measure, year=year)
    df = df.assign(share=float("nan"), world_total=float("nan"), country=df.get("country_source"))
    return _table(commodity, "salient", df, cfg.max_rows)


def _controls(country: list[str] | None, commodity: str | None) -> dict[str, object]:
    from critmin import api

    df = cached_call(api.export_controls, country=_countries(country), commodity=commodity)
    df = df.assign(dataset="usgs_mcs2026")
    return {"count": len(df), "rows": records(df), "sources": source_refs(df)}


@router.get(
    "/commodities/{commodity}/export-controls",
    response_model=ExportControlTable,
    summary="Export controls on a commodity",
)
def commodity_export_controls(
    commodity: CommodityId, country: Countries = None
) -> dict[str, object]:
    """Export bans, quotas and licensing in force.

    (USGS MCS 2026 table T4) on a commodity, its family members and its parent group.
    """
    return _controls(country, commodity)


@router.get(
    "/export-controls", response_model=ExportControlTable, summary="Export controls in force"
)
def export_controls(
    country: Countries = None,
    commodity: Annotated[str | None, Query(max_length=100)] = None,
) -> dict[str, object]:
    """Every export control in force (USGS MCS 2026 table T4), optionally filtered."""
    cid = resolve_commodity_param(commodity) if commodity else None
    return _controls(country, cid)


@router.get(
    "/commodities/{commodity}/import-sources",
    response_model=ImportSourceTable,
    summary="U.S. import sources",
)
def import_sources(
    commodity: CommodityId,
    edition: Annotated[
        str | None, Query(max_length=20, description="e.g. MCS2026; default the newest.")
    ] = None,
) -> dict[str, object]:
    """U.S.

    import sources with country shares and the published net import reliance (USGS MCS Fig. 3;
    :func:`critmin.import_sources`).
    """
    from critmin import api

    df = cached_call(api.import_sources, commodity)
    if not df.empty:
        ed = edition or str(df["edition"].max())
        df = df[df["edition"].astype(str).str.lower() == ed.lower()]
        ds = "usgs_mcs" + ed[-4:] if ed[-4:].isdigit() else "usgs_mcs"
        df = df.assign(dataset=ds)
    return {"count": len(df), "rows": records(df), "sources": source_refs(df)}
