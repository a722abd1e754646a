"""``/api/v1/scenarios``: disruption scenarios as asynchronous jobs, presets, saved runs.

Thin shells over :mod:`critmin.scenarios.runner` (the same calls as ``critmin scenario``):
``POST /api/v1/scenarios/jobs`` validates the request (an unknown preset 404, a bad spec or
preset parameter 422 listing every failure, too many draws 422) and queues a job that runs
:func:`~critmin.scenarios.runner.run_scenario` in a worker process; ``GET
/api/v1/jobs/{id}`` gives its progress and, once done, the fan chart (P5/P50/P95 shortfall
per year) and who fills the gap for the most affected importers.  ``save_as`` also saves
the run in the workspace (:func:`~critmin.scenarios.runner.save`).  Jobs need the API key
(``X-API-Key``), like imports: they take minutes of CPU.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Request, status

from critmin.api_server._tasks import preset_list, runner_module, summarise_run
from critmin.api_server.deps import (
    BadParameter,
    Config,
    Jobs,
    NotAvailable,
    cached_call,
    call,
    require_api_key,
)
from critmin.api_server.routes.jobs import job_out
from critmin.api_server.routes.metrics import generic
from critmin.api_server.schemas import GenericTable, JobOut, ScenarioPreset, ScenarioRequest

router = APIRouter(tags=["scenarios"])

R501 = {501: {"description": "The scenario runner is not in this build."}}


def _runner(cfg: Any) -> Any:
    try:
        return runner_module(cfg.scenario_runner)
    except NotImplementedError as err:
        raise NotAvailable(str(err)) from None


def _check(spec: Any, cfg: Any, draws: int | None) -> None:
    n = draws or spec.draws
    if n > cfg.max_draws:
        raise BadParameter(
            "draws", f"{n} draws asked for; this server runs at most {cfg.max_draws} per job"
        )
    span = spec.horizon.end - spec.horizon.start + 1
    if span > cfg.max_horizon_years:
        raise BadParameter(
            "spec.horizon", f"{span} years; this server simulates at most {cfg.max_horizon_years}"
        )


@router.get(
    "/scenarios/presets",
    response_model=list[ScenarioPreset],
    summary="Preset scenarios",
    responses=R501,
)
def presets(cfg: Config) -> list[dict[str, Any]]:
    """The shipped presets: real export controls.

    (USGS MCS 2026 T4) with their source row, parameters and full spec
    (:mod:`critmin.scenarios.presets`).
    """
    _runner(cfg)
    return cached_call(preset_list)


@router.post(
    "/scenarios/jobs",
    response_model=JobOut,
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=[Depends(require_api_key)],
    summary="Run a scenario (asynchronous)",
    responses={
        **R501,
        401: {"description": "No or a wrong X-API-Key"},
        403: {"description": "The server has no API key: compute jobs are disabled"},
        404: {"description": "Unknown preset"},
        429: {"description": "Too many jobs waiting"},
    },
)
def create_job(request: Request, body: ScenarioRequest, cfg: Config, jobs: Jobs) -> dict[str, Any]:
    """Queue a scenario run: a ``preset`` id with optional ``params``, or a ``spec``.

    (docs/scenarios.md), with ``draws`` to override the spec's.

    Answers 202 with the job; poll its ``status_url``.
    """
    _runner(cfg)
    from critmin.scenarios import load_spec
    from critmin.scenarios.presets import is_preset, load_preset, preset_ids

    if body.spec is not None:
        spec = call(load_spec, body.spec)  # ScenarioError -> 422 listing every failure
        source = spec.to_dict()
    elif body.preset:
        if not call(is_preset, body.preset):
            from critmin.errors import nearest, shorten

            ids = call(preset_ids)
            near = nearest(body.preset, ids, n=3)
            raise HTTPException(
                404,
                f"unknown preset {shorten(body.preset)}"
                + (f"; did you mean {', '.join(near)}?" if near else "")
                + f" Presets: {', '.join(ids)}",
            )
        spec = call(load_preset, body.preset, body.params or {}).spec
        source = None
    else:
        raise BadParameter("preset", "give a preset id (GET /api/v1/scenarios/presets) or a spec")
    _check(spec, cfg, body.draws)
    payload = {
        "runner": cfg.scenario_runner,
        "preset": body.preset if source is None else None,
        "params": body.params if source is None else None,
        "spec": source,
        "draws": body.draws,
        "focus": [c.upper() for c in body.focus],
        "save_as": body.save_as,
    }
    params = {
        "preset": payload["preset"],
        "name": spec.name,
        "draws": body.draws or spec.draws,
        "save_as": body.save_as,
    }
    job = jobs.submit("scenario", "critmin.api_server._tasks:run_scenario", payload, params)
    return job_out(request, job)


@router.get(
    "/scenarios/saved",
    response_model=GenericTable,
    summary="Scenario runs saved in the workspace",
    responses=R501,
)
def list_saved(cfg: Config) -> dict[str, Any]:
    """Saved runs (:func:`critmin.scenarios.runner.list_saved`)."""
    df = call(_runner(cfg).list_saved)
    return generic("Saved scenario runs", df, cfg.max_rows)


@router.get(
    "/scenarios/saved/{name}",
    summary="One saved scenario run",
    responses={**R501, 404: {"description": "No such saved run"}, 200: {"description": "Summary"}},
)
def get_saved(
    name: Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")], cfg: Config
) -> dict[str, Any]:
    """A saved run summarised as a finished job's result (fan charts, who fills the gap)."""
    mod = _runner(cfg)
    saved = set(call(mod.list_saved)["name"])
    if name not in saved:
        from critmin.errors import NoData

        raise NoData(f"no saved scenario run {name!r}; saved runs: {sorted(saved)[:20]}")
    return call(lambda: summarise_run(mod.load(name), ["IND", "USA"]))
