"""``/api/v1/health``, ``/version``, ``/limits``, ``/sources``, ``/datasets``, ``/imports``."""

from __future__ import annotations

import importlib.util
import tempfile
from pathlib import Path as FsPath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, status

from critmin.api_server._frames import dataset_info, records
from critmin.api_server.deps import Config, call, require_api_key, write_workspace
from critmin.api_server.schemas import (
    NAME_PATTERN,
    DatasetInfo,
    GenericTable,
    Health,
    ImportRequest,
    ImportResult,
    Limits,
    SourceFile,
    Version,
)

router = APIRouter(tags=["meta"])

#: API version (the path prefix is /api/v1).
API_VERSION = "1.0"

#: Optional modules the routes use, and what they bring.
OPTIONAL_MODULES = {
    "concentration": "critmin.assessments.concentration",
    "reliance": "critmin.assessments.reliance",
    "risk": "critmin.assessments.risk",
    "risk_matrix": "critmin.report.charts",
    "geopolrisk": "critmin.assessments.geopolrisk",
    "recovery": "critmin.circular.api",
}
WRITE = {
    401: {"description": "Missing or wrong X-API-Key"},
    403: {"description": "Writes are disabled (no CRITMIN_API_KEY configured)"},
}


def _present(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def _manifest() -> dict[str, Any]:
    from critmin.store import get_store

    return call(lambda: get_store().manifest)


@router.get("/health", response_model=Health, summary="Server health")
def health(cfg: Config) -> dict[str, Any]:
    """``ok`` when the server answers; which optional modules this build has."""
    import critmin

    mods = {k: _present(v) for k, v in OPTIONAL_MODULES.items()}
    mods["scenario_runner"] = _present(cfg.scenario_runner)
    return {
        "status": "ok",
        "version": critmin.__version__,
        "dataset_built_at": _manifest().get("built_at"),
        "modules": mods,
        "writes_enabled": bool(cfg.api_key),
    }


@router.get("/version", response_model=Version, summary="Versions")
def version() -> dict[str, Any]:
    """Versions of critmin, of this API, and when the dataset was built from which datasets."""
    import critmin

    m = _manifest()
    return {
        "critmin": critmin.__version__,
        "api": API_VERSION,
        "dataset_built_at": m.get("built_at"),
        "datasets": list(m.get("datasets", [])),
    }


@router.get("/limits", response_model=Limits, summary="Limits the server enforces")
def limits(cfg: Config) -> dict[str, Any]:
    """Row, body, draw and job limits (set by ``CRITMIN_API_*`` variables, docs/api.md)."""
    return {
        "max_rows": cfg.max_rows,
        "max_body_bytes": cfg.max_body_bytes,
        "max_draws": cfg.max_draws,
        "max_list_values": cfg.max_list_values,
        "max_parameter_rows": cfg.max_parameter_rows,
        "max_horizon_years": cfg.max_horizon_years,
        "workers": cfg.workers,
        "max_queued": cfg.max_queued,
        "job_mode": cfg.job_mode,
    }


@router.get("/sources", response_model=list[SourceFile], summary="Source files of the dataset")
def sources() -> list[dict[str, Any]]:
    """Every file the dataset was built from, with checksum, publisher and licence.

    (:func:`critmin.sources`).
    """
    from critmin import api

    return records(call(api.sources))


@router.get("/datasets", response_model=list[DatasetInfo], summary="Datasets and editions")
def datasets() -> list[dict[str, Any]]:
    """The datasets in the build.

    (and the trade, governance and policy tables) with their publisher, edition, licence and
    address.
    """
    ids = list(_manifest().get("datasets", [])) + ["baci", "wgi", "policy"]
    return [dataset_info(d) for d in ids]


@router.get("/imports", response_model=GenericTable, summary="Your imports in the workspace")
def list_imports(cfg: Config) -> dict[str, Any]:
    """Datasets imported into the workspace (:func:`critmin.workspace.list_imports`)."""
    from critmin import workspace
    from critmin.api_server.routes.metrics import generic

    df = call(workspace.list_imports)
    df = df.astype({c: str for c in df.columns if c in ("file", "imported_at")})
    return generic("Workspace imports", df, cfg.max_rows)


@router.post(
    "/imports",
    response_model=ImportResult,
    status_code=status.HTTP_201_CREATED,
    summary="Import a data file (needs the API key)",
    dependencies=[Depends(require_api_key)],
    responses=WRITE,
)
def create_import(body: ImportRequest) -> dict[str, Any]:
    """Import a CSV into the workspace.

    The format of ``critmin data import``; stored as ``user:<name>`` by
    :func:`critmin.workspace.import_file` (atomic: all rows or none; every problem listed in
    one 422).
    """
    from critmin import workspace

    with tempfile.TemporaryDirectory(prefix="critmin-import-") as tmp:
        path = FsPath(tmp) / f"{body.name}.csv"
        path.write_text(body.csv, encoding="utf-8")
        table = write_workspace(workspace.import_file, path, name=body.name)
    return {"name": body.name, "dataset": f"user:{body.name}", "rows": len(table)}


@router.delete(
    "/imports/{name}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove an import (needs the API key)",
    dependencies=[Depends(require_api_key)],
    responses={**WRITE, 404: {"description": "No such import"}},
)
def delete_import(name: Annotated[str, Path(pattern=NAME_PATTERN)]) -> None:
    """Remove an imported dataset from the workspace (:func:`critmin.workspace.remove_import`)."""
    from critmin import workspace

    known = set(call(workspace.list_imports)["name"])
    if name not in known:
        raise HTTPException(404, f"no import named {name!r}; imports are {sorted(known)}")
    write_workspace(workspace.remove_import, name)
