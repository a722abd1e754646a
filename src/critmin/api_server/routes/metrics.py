"""Concentration, bloc shares and import reliance: :mod:`critmin.assessments` over HTTP.

The same calls as ``critmin concentration`` and ``critmin reliance``:
:func:`critmin.assessments.concentration.concentration`, :func:`~critmin.assessments.
concentration.bloc_supply`, :func:`critmin.assessments.reliance.us_reliance` and
:func:`~critmin.assessments.reliance.import_dependence`.  Each module is imported when a
request needs it; a build without it answers 501 for these routes only.
"""

from __future__ import annotations

from typing import Annotated, Literal

import pandas as pd
from fastapi import APIRouter, Query

from critmin.api_server._frames import records, source_refs
from critmin.api_server.deps import (
    CommodityId,
    Config,
    Years,
    cached_call,
    call,
    optional_module,
    resolve_commodity_param,
    resolve_country,
    resolve_group,
)
from critmin.api_server.routes.production import Stage, _stages
from critmin.api_server.schemas import (
    BlocShareRow,
    BlocShareTable,
    ConcentrationRow,
    ConcentrationTable,
    GenericTable,
)

router = APIRouter(tags=["metrics"])

R501 = {501: {"description": "The assessment module is not in this build yet."}}

ConcSource = Annotated[
    Literal["usgs", "wmd", "iea", "both"],
    Query(
        description="usgs (newest MCS edition per year), wmd (World Mining Data), iea (IEA "
        "Critical Minerals Data Explorer: historical year unless a projection year is asked "
        "for; rows flag projections) or both (usgs and wmd)."
    ),
]
Measure = Annotated[Literal["production", "reserves"], Query()]


def _conc() -> object:
    return optional_module("critmin.assessments.concentration", "concentration figures")


def _name(commodity: str) -> str:
    from critmin import catalog

    return str(catalog.commodities().set_index("commodity_id").at[commodity, "name"])


@router.get(
    "/commodities/{commodity}/concentration",
    response_model=ConcentrationTable,
    summary="Concentration per stage and year",
    responses=R501,
)
def concentration(
    commodity: CommodityId,
    stage: Stage = None,
    year: Years = None,
    source: ConcSource = "usgs",
    measure: Measure = "production",
) -> dict[str, object]:
    """Top producer, top-1 and top-3 shares, HHI and number of producers for every stage and year.

    (:func:`critmin.assessments.concentration.concentration`, as ``critmin concentration``).

    Shares are of the stated world total (USGS) or of the sum of the producing countries (World
    Mining Data).  Default: every stage.
    """
    from critmin import catalog

    mod = _conc()
    df = cached_call(
        mod.concentration,  # type: ignore[attr-defined]
        commodity,
        stage=_stages(stage, None),
        year=year,
        source=source,
        measure=measure,
    )
    df = df.assign(
        top1_name=[
            catalog.country_name(c) if isinstance(c, str) else None for c in df["top1_country"]
        ]
    )
    return {
        "commodity_id": commodity,
        "name": _name(commodity),
        "rows": records(df, list(ConcentrationRow.model_fields)),
        "sources": source_refs(df),
    }


@router.get(
    "/commodities/{commodity}/bloc-share",
    response_model=BlocShareTable,
    summary="Share of world supply from a group of countries",
    responses=R501,
)
def bloc_share(
    commodity: CommodityId,
    group: Annotated[
        str,
        Query(
            min_length=1,
            max_length=100,
            description="Group id (MSP, QUAD, US_FTA, TRUST, ...) or one country.",
            examples=["TRUST"],
        ),
    ],
    stage: Stage = None,
    year: Years = None,
    source: ConcSource = "usgs",
    measure: Measure = "production",
) -> dict[str, object]:
    """The group's combined share of world supply per stage and year.

    (:func:`critmin.assessments.concentration.bloc_supply`, as ``critmin concentration
    --group``).

    Default stage: mine.
    """
    mod = _conc()
    gid, members = resolve_group(group)
    arg: str | list[str] = gid if members != [gid] else members
    df = cached_call(
        mod.bloc_supply,  # type: ignore[attr-defined]
        commodity,
        arg,
        stage=_stages(stage, "mine"),
        year=year,
        source=source,
        measure=measure,
    )
    return {
        "commodity_id": commodity,
        "group": gid,
        "members": members,
        "rows": records(df, list(BlocShareRow.model_fields)),
        "sources": source_refs(df),
    }


def generic(title: str, df: pd.DataFrame, max_rows: int, **meta: object) -> dict[str, object]:
    """A :class:`~critmin.api_server.schemas.GenericTable` from a DataFrame."""
    truncated = len(df) > max_rows
    if truncated:
        df = df.iloc[:max_rows]
    return {
        "title": title,
        "columns": [str(c) for c in df.columns],
        "rows": records(df),
        "count": len(df),
        "truncated": truncated,
        "sources": source_refs(df) if "dataset" in df.columns else [],
        "meta": meta,
    }


@router.get(
    "/reliance/us",
    response_model=GenericTable,
    summary="U.S. net import reliance, recomputed",
    responses=R501,
)
def us_reliance(
    cfg: Config,
    commodity: Annotated[str | None, Query(max_length=100)] = None,
    year: Annotated[int | None, Query(ge=1900, le=2100)] = None,
) -> dict[str, object]:
    """U.S.

    net import reliance recomputed from the USGS salient statistics and checked against the
    published figures (:func:`critmin.assessments.reliance.us_reliance`).
    """
    mod = optional_module("critmin.assessments.reliance", "U.S. reliance figures")
    cid = resolve_commodity_param(commodity) if commodity else None
    df = cached_call(mod.us_reliance, year=year)  # all commodities, cached; filtered here
    if cid is not None:
        df = df[df["commodity_id"] == cid]
    return generic("U.S. net import reliance", df.reset_index(drop=True), cfg.max_rows)


@router.get(
    "/reliance/import-dependence",
    response_model=GenericTable,
    summary="Import dependence of any country (BACI)",
    responses=R501,
)
def import_dependence(
    cfg: Config,
    country: Annotated[str, Query(min_length=1, max_length=100, examples=["IND"])],
    commodity: Annotated[str | None, Query(max_length=100)] = None,
    year: Years = None,
) -> dict[str, object]:
    """Import dependence of a country per HS6 code and year from BACI trade.

    (and production where comparable): :func:`critmin.assessments.reliance.import_dependence`.
    """
    mod = optional_module("critmin.assessments.reliance", "import-dependence figures")
    iso = resolve_country(country)
    hs6 = None
    if commodity:
        from critmin import catalog

        cid = resolve_commodity_param(commodity)
        hs6 = call(catalog.hs6_codes, cid)
    df = cached_call(mod.import_dependence, iso, year=year, hs6=hs6)
    return generic(
        f"Import dependence of {iso}", df.reset_index(drop=True), cfg.max_rows, country=iso
    )
