"""``/api/v1/risk/...``: supply-risk rankings and the risk matrix of a country or a group.

The same calls as ``critmin risk``: :func:`critmin.assessments.risk.risk` for the ranking,
:func:`critmin.report.charts.risk_matrix` for the matrix (sent as plotly JSON, drawn as it
is by the dashboard) and :func:`critmin.assessments.geopolrisk.geopolrisk_series`.  A build
without those modules answers 501 for these routes only.
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any, Literal

import pandas as pd
from fastapi import APIRouter, Query

from critmin.api_server._frames import dataset_info
from critmin.api_server.deps import (
    Config,
    cached_call,
    call,
    optional_module,
    resolve_commodity_param,
    resolve_country,
    resolve_group,
)
from critmin.api_server.routes.metrics import generic
from critmin.api_server.schemas import GenericTable

router = APIRouter(tags=["risk"])

R501 = {501: {"description": "critmin.assessments.risk is not in this build yet."}}

Subject = Annotated[
    str,
    Query(
        min_length=1,
        max_length=100,
        description="A country (IND, India, USA) or a group id (MSP, QUAD, US_FTA, TRUST).",
        examples=["IND"],
    ),
]
RiskYear = Annotated[
    int | None,
    Query(ge=1900, le=2100, description="Assessment year (2018-2024 with the packaged data)."),
]
RiskStage = Annotated[
    Literal["mine", "refinery"] | None,
    Query(description="Stage whose concentration counts; default the more concentrated one."),
]
Weight = Annotated[float | None, Query(ge=0, le=1000)]
_INDICATORS = ("hhi", "wgi_hhi", "import_reliance", "geopolrisk")


def _subject(subject: str) -> dict[str, Any]:
    gid, members = resolve_group(subject, "subject")
    return {"country": gid} if members == [gid] else {"group": gid}


def _sources(df: pd.DataFrame) -> list[dict[str, Any]]:
    """SourceRefs from the ``*_source`` columns (``'wmd 2024'``, ``'BACI 2024; ...'``)."""
    seen: dict[str, set[int]] = {}
    texts = set()
    for col in ("concentration_source", "reliance_source", "geopolrisk_source"):
        if col in df.columns:
            texts |= {str(t) for t in df[col].dropna().unique()}
    for text in texts:
        for m in re.finditer(r"\b(usgs_mcs\d{4}|iea_cmde_\d{4}|wmd|WMD|BACI)\b\s*(\d{4})?", text):
            ds = {"WMD": "wmd", "BACI": "baci"}.get(m.group(1), m.group(1))
            seen.setdefault(ds, set())
            if m.group(2):
                seen[ds].add(int(m.group(2)))
    if "wgi_year" in df.columns and df["wgi_year"].notna().any():
        seen["wgi"] = {int(y) for y in df["wgi_year"].dropna().unique()}
    if "export_controls" in df.columns:
        seen.setdefault("usgs_mcs2026", set())
    out = []
    for ds, years in sorted(seen.items()):
        info = dataset_info(ds)
        out.append(
            {
                **{
                    k: info[k]
                    for k in ("dataset", "title", "publisher", "edition", "licence", "url")
                },
                "source_id": "",
                "rows": "",
                "years": sorted(years),
            }
        )
    return out


def _ranking(
    subject: str,
    year: int | None,
    stage: str | None,
    weights: dict[str, float] | None,
    by: str,
) -> pd.DataFrame:
    mod = optional_module("critmin.assessments.risk", "risk rankings")
    return cached_call(
        mod.risk, **_subject(subject), year=year, stage=stage, weights=weights, by=by
    )


def _weights(**w: float | None) -> dict[str, float] | None:
    given = {k: float(v) for k, v in w.items() if v is not None}
    return given or None


@router.get(
    "/risk/ranking",
    response_model=GenericTable,
    summary="Minerals ranked by supply risk for a country or group",
    responses=R501,
)
def ranking(
    cfg: Config,
    subject: Subject,
    year: RiskYear = None,
    stage: RiskStage = None,
    by: Annotated[
        Literal["score", "hhi", "wgi_hhi", "import_reliance", "geopolrisk"],
        Query(description="Rank by the weighted score or by one indicator."),
    ] = "score",
    w_hhi: Weight = None,
    w_wgi_hhi: Weight = None,
    w_import_reliance: Weight = None,
    w_geopolrisk: Weight = None,
) -> dict[str, object]:
    """Minerals ranked riskiest first.

    (:func:`critmin.assessments.risk.risk`, as ``critmin risk``): score, driver, HHI,
    WGI-weighted HHI, import reliance, GeoPolRisk, critical lists and export controls, with each
    indicator's dataset and year in ``*_source``.

    Weights (``w_*``) default to 1 for every indicator when none is given.
    """
    w = _weights(
        hhi=w_hhi, wgi_hhi=w_wgi_hhi, import_reliance=w_import_reliance, geopolrisk=w_geopolrisk
    )
    df = _ranking(subject, year, stage, w, by)
    out = generic(f"Supply-risk ranking: {df.attrs.get('name', subject)}", df, cfg.max_rows)
    out["sources"] = _sources(df)
    out["meta"] = {k: v for k, v in df.attrs.items() if k != "weights"} | {
        "weights": dict(df.attrs.get("weights", {})),
        "indicators": list(_INDICATORS),
    }
    return out


@router.get(
    "/risk/matrix",
    summary="Risk matrix (plotly figure JSON)",
    responses={**R501, 200: {"description": "A plotly figure: {data, layout}, and sources."}},
)
def matrix(
    subject: Subject,
    year: RiskYear = None,
    stage: RiskStage = None,
    x: Annotated[
        Literal["hhi", "wgi_hhi", "mine_hhi", "refinery_hhi", "top1_share"], Query()
    ] = "hhi",
    y: Annotated[
        Literal["import_reliance", "geopolrisk", "home_share"], Query()
    ] = "import_reliance",
) -> dict[str, Any]:
    """The risk matrix of :func:`critmin.report.charts.risk_matrix`.

    (concentration against import reliance, bubble area GeoPolRisk, colour the score) as plotly
    JSON, with the rows it shows and their sources.
    """
    charts = optional_module("critmin.report.charts", "risk matrices")
    df = _ranking(subject, year, stage, None, "score")
    title = f"Supply-risk matrix: {df.attrs.get('name', subject)}, {df.attrs.get('year', '')}"
    fig = call(charts.risk_matrix, df, x=x, y=y, title=title)
    return {
        "figure": json.loads(fig.to_json()),
        "x": x,
        "y": y,
        "meta": {k: v for k, v in df.attrs.items() if k != "weights"},
        "sources": _sources(df),
    }


@router.get(
    "/risk/years",
    response_model=list[int],
    summary="Years a risk ranking can be made for",
    responses=R501,
)
def years() -> list[int]:
    """Years with world production and BACI trade (:func:`critmin.assessments.risk.risk_years`)."""
    mod = optional_module("critmin.assessments.risk", "risk rankings")
    return [int(y) for y in call(mod.risk_years)]


@router.get(
    "/risk/geopolrisk",
    response_model=GenericTable,
    summary="GeoPolRisk time series of a country",
    responses=R501,
)
def geopolrisk(
    cfg: Config,
    country: Annotated[str, Query(min_length=1, max_length=100, examples=["IND"])],
    commodity: Annotated[list[str] | None, Query(max_length=50)] = None,
) -> dict[str, object]:
    """GeoPolRisk of one importing country for every material and assessable year.

    (:func:`critmin.assessments.geopolrisk.geopolrisk_series`).
    """
    mod = optional_module("critmin.assessments.geopolrisk", "GeoPolRisk scores")
    iso = resolve_country(country)
    mats = [resolve_commodity_param(c) for c in commodity] if commodity else None
    df = cached_call(mod.geopolrisk_series, iso, mats)
    out = generic(f"GeoPolRisk of {iso}", df.reset_index(drop=True), cfg.max_rows, country=iso)
    ds = sorted({str(d) for d in df.get("production_dataset", pd.Series(dtype=str)).dropna()})
    out["sources"] = [
        {
            **{
                k: dataset_info(d)[k]
                for k in ("dataset", "title", "publisher", "edition", "licence", "url")
            },
            "source_id": "",
            "rows": "",
            "years": sorted({int(y) for y in df["year"].dropna()}) if "year" in df else [],
        }
        for d in [*ds, "baci", "wgi"]
    ]
    return out
