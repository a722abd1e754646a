"""``/api/v1/recovery``: recovery runs (secondary supply from end-of-life products).

Thin shells over :mod:`critmin.circular.api`: a job runs
:func:`~critmin.circular.api.recovery_analysis` with the parameters the request sends
(or, without them, critmin's shipped sourced defaults with P5/P50/P95 bands) and IEA inflows;
saved runs are listed by :func:`~critmin.circular.api.list_recoveries` and read by
:func:`~critmin.circular.api.load_recovery`.  Jobs need the API key (``X-API-Key``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, status

from critmin.api_server._tasks import summarise_recovery
from critmin.api_server.deps import (
    BadParameter,
    Config,
    Jobs,
    call,
    optional_module,
    require_api_key,
)
from critmin.api_server.routes.metrics import generic
from critmin.api_server.schemas import GenericTable, JobOut, RecoveryRequest

router = APIRouter(tags=["recovery"])

R501 = {501: {"description": "critmin.circular.api is not in this build yet."}}


def _api() -> Any:
    return optional_module("critmin.circular.api", "recovery runs")


@router.get(
    "/recovery/runs", response_model=GenericTable, summary="Saved recovery runs", responses=R501
)
def list_runs(cfg: Config) -> dict[str, object]:
    """Recovery runs saved in the workspace (:func:`critmin.circular.api.list_recoveries`)."""
    df = call(_api().list_recoveries)
    df = df.astype({c: str for c in df.columns if df[c].dtype == object})
    return generic("Saved recovery runs", df, cfg.max_rows)


@router.get(
    "/recovery/runs/{name}",
    summary="One saved recovery run",
    responses={**R501, 404: {"description": "No such run"}, 200: {"description": "Run summary"}},
)
def get_run(
    name: Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")],
) -> dict[str, Any]:
    """A saved run: summary per element, secondary supply per year, share of demand."""
    api = _api()
    known = call(api.list_recoveries)
    if name not in set(known.get("name", [])):
        from critmin.errors import NoData

        raise NoData(
            f"no saved recovery run {name!r}; saved runs: {sorted(known.get('name', []))[:20]}"
        )
    return call(lambda: summarise_recovery(api.load_recovery(name)))


@router.post(
    "/recovery/jobs",
    response_model=JobOut,
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=[Depends(require_api_key)],
    summary="Run a recovery model (asynchronous)",
    responses={
        **R501,
        401: {"description": "No or a wrong X-API-Key"},
        403: {"description": "The server has no API key: compute jobs are disabled"},
        429: {"description": "Too many jobs waiting"},
    },
)
def create_job(request: Request, body: RecoveryRequest, cfg: Config, jobs: Jobs) -> dict[str, Any]:
    """Queue a recovery run with your parameters, or without them on the shipped defaults.

    (rows or CSV text; docs/recovery.md) and the IEA demand by technology as inflows.

    ``save_as`` also saves it.  Needs the X-API-Key header.
    """
    from critmin.api_server.routes.jobs import job_out

    _api()
    if (
        body.parameters is None
        and not body.parameters_csv
        and (body.collection is not None or body.recovery is not None)
    ):
        raise BadParameter(
            "parameters",
            "a collection x recovery grid needs your parameters (rows or parameters_csv); "
            "without them the job runs on critmin's sourced defaults (docs/recovery.md)",
        )
    n_rows = len(body.parameters or []) or (body.parameters_csv or "").count("\n")
    if n_rows > cfg.max_parameter_rows:
        raise BadParameter(
            "parameters", f"{n_rows} rows; at most {cfg.max_parameter_rows} are accepted"
        )
    if (body.first_year is None) != (body.last_year is None):
        raise BadParameter("first_year", "give both first_year and last_year, or neither")
    if body.first_year is not None and body.last_year is not None:
        if body.last_year < body.first_year:
            raise BadParameter("last_year", "last_year is before first_year")
        if body.last_year - body.first_year + 1 > cfg.max_horizon_years:
            raise BadParameter("last_year", f"at most {cfg.max_horizon_years} years")
    payload = body.model_dump()
    params = {
        "scenario": body.scenario,
        "region": body.region,
        "elements": body.elements,
        "save_as": body.save_as,
        "parameter_rows": n_rows,
    }
    job = jobs.submit("recovery", "critmin.api_server._tasks:run_recovery", payload, params)
    return job_out(request, job)
