"""``/api/v1/plan/...``: the resilience planner (:mod:`critmin.plan`), synchronous GETs.

The same calls as ``critmin plan``: partner sourcing, stockpile sizing, reverse stress test
and bloc gaps.  Results are cached until the data changes.  Draws are bounded so that a
request answers in seconds (larger runs: the Python API or ``critmin plan``).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from critmin.api_server.deps import cached_call
from critmin.api_server.plan_schemas import PlanResult

router = APIRouter(tags=["plan"])

Name = Annotated[str, Query(min_length=1, max_length=100)]
OptName = Annotated[str | None, Query(min_length=1, max_length=100)]
Stage = Annotated[Literal["mine", "refinery", "ore", "refined"] | None, Query()]
Year = Annotated[int | None, Query(ge=1995, le=2100, description="BACI year; default latest.")]
Spare = Annotated[float | None, Query(ge=0, le=1, description="Spare capacity bound [fraction].")]


def _pack(kind: str, d: dict[str, Any], tables: tuple[str, ...]) -> dict[str, Any]:
    return {
        "kind": kind,
        "summary": d["summary"],
        "tables": {t: d[t] for t in tables},
        "units": d["units"],
        "sources": d["sources"],
        "notes": d["notes"],
    }


def _spare(lo: float | None, hi: float | None) -> tuple[float, float] | None:
    if lo is None and hi is None:
        return None
    lo_, hi_ = float(lo or 0.0), float(hi if hi is not None else lo or 0.0)
    if hi_ < lo_:
        from critmin.errors import MethodError

        msg = f"spare_hi={hi_} is below spare_lo={lo_}; fix: give spare_lo <= spare_hi"
        raise MethodError(msg)
    return lo_, hi_


def _partners(**kw: Any) -> dict[str, Any]:
    from critmin.plan import partners

    return _pack("partners", partners(**kw).to_dict(), ("mix", "frontier", "gainers"))


def _stockpile(**kw: Any) -> dict[str, Any]:
    from critmin.plan import stockpile

    return _pack("stockpile", stockpile(**kw).to_dict(), ("table", "variants"))


def _stress(**kw: Any) -> dict[str, Any]:
    from critmin.plan import stress

    return _pack("stress", stress(**kw).to_dict(), ("table",))


def _bloc(**kw: Any) -> dict[str, Any]:
    from critmin.plan import bloc

    return _pack("bloc", bloc(**kw).to_dict(), ("production", "trade"))


@router.get("/plan/partners", response_model=PlanResult, summary="Least-risk import mix")
def plan_partners(
    commodity: Annotated[str, Query(min_length=1, max_length=100, examples=["lithium"])],
    importer: Annotated[str, Query(min_length=1, max_length=100, examples=["IND"])] = "IND",
    stage: Stage = None,
    hs6: OptName = None,
    bloc: OptName = None,
    exclude: OptName = None,
    objective: Literal["hhi_wgi", "import_risk", "hhi"] = "hhi_wgi",
    points: Annotated[int, Query(ge=5, le=25)] = 7,
    demand_t: Annotated[
        float | None, Query(ge=0.001, le=1e12, description="Tonnes to plan [t].")
    ] = None,
    year: Year = None,
) -> dict[str, Any]:
    """The import mix that minimises risk within exportable capacities, with the frontier."""
    return cached_call(
        _partners,
        commodity=commodity,
        importer=importer,
        stage=stage,
        hs6=hs6,
        bloc=bloc,
        exclude=exclude,
        objective=objective,
        n_points=points,
        demand_t=demand_t,
        year=year,
    )


@router.get("/plan/stockpile", response_model=PlanResult, summary="Stockpile covering a scenario")
def plan_stockpile(
    preset: Annotated[str, Query(min_length=1, max_length=100, examples=["china_ree_2025"])],
    importer: Annotated[str, Query(min_length=1, max_length=100, examples=["IND"])] = "IND",
    cover: Annotated[float, Query(gt=0, lt=1)] = 0.95,
    draws: Annotated[int, Query(ge=10, le=2000)] = 500,
    spare_lo: Spare = None,
    spare_hi: Spare = None,
    ramp_up_years: Annotated[float, Query(ge=0, le=50)] = 0.0,
) -> dict[str, Any]:
    """Stock (t, months, cost) covering the `cover` quantile of the preset's shortfall."""
    return cached_call(
        _stockpile,
        preset=preset,
        importer=importer,
        cover=cover,
        draws=draws,
        spare=_spare(spare_lo, spare_hi),
        ramp_up_years=ramp_up_years,
    )


@router.get("/plan/stress", response_model=PlanResult, summary="Reverse stress test")
def plan_stress(
    commodity: Annotated[str, Query(min_length=1, max_length=100, examples=["lithium"])],
    importer: Annotated[str, Query(min_length=1, max_length=100, examples=["IND"])] = "IND",
    sector: OptName = None,
    threshold: Annotated[float, Query(gt=0, le=1)] = 0.2,
    stage: Stage = None,
    hs6: OptName = None,
    bloc: OptName = None,
    top: Annotated[int, Query(ge=1, le=20)] = 8,
    spare_lo: Spare = None,
    spare_hi: Spare = None,
    draws: Annotated[int, Query(ge=10, le=1000)] = 200,
) -> dict[str, Any]:
    """Smallest export cut by one supplier (or bloc) that breaks the threshold at P50/P95."""
    return cached_call(
        _stress,
        commodity=commodity,
        importer=importer,
        sector=sector,
        threshold=threshold,
        stage=stage,
        hs6=hs6,
        blocs=(bloc,) if bloc else (),
        top=top,
        spare=_spare(spare_lo, spare_hi),
        draws=draws,
    )


@router.get("/plan/bloc", response_model=PlanResult, summary="Bloc production, trade and gaps")
def plan_bloc(
    group: Annotated[str, Query(min_length=1, max_length=100, examples=["TRUST"])],
    commodity: Annotated[str, Query(min_length=1, max_length=100, examples=["lithium"])],
    year: Year = None,
) -> dict[str, Any]:
    """What the bloc mines, refines and consumes, the gap per code and who fills it."""
    return cached_call(_bloc, group=group, commodity=commodity, year=year)
