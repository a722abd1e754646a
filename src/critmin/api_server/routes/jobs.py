"""``/api/v1/jobs``: status, progress and results of asynchronous jobs."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Request

from critmin.api_server._jobs import Job
from critmin.api_server.deps import Jobs
from critmin.api_server.schemas import JobOut

router = APIRouter(tags=["jobs"])

JobId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[0-9a-f]+$")]


def job_out(request: Request, job: Job, with_result: bool = True) -> dict[str, Any]:
    """A job as the API shows it, with the address to poll."""
    out = job.public(with_result)
    out["status_url"] = str(request.url_for("get_job", job_id=job.id).path)
    return out


def _job(jobs: Any, job_id: str) -> Job:
    job = jobs.get(job_id)
    if job is None:
        raise HTTPException(
            404,
            f"no job {job_id!r}: it never existed or was dropped (the server keeps the latest "
            "finished jobs only; see GET /api/v1/limits)",
        )
    return job  # type: ignore[no-any-return]


@router.get("/jobs", response_model=list[JobOut], summary="List jobs")
def list_jobs(request: Request, jobs: Jobs) -> list[dict[str, Any]]:
    """Every job the server keeps, newest first, without results."""
    return [job_out(request, j, with_result=False) for j in jobs.list()]


@router.get(
    "/jobs/{job_id}",
    response_model=JobOut,
    summary="A job's status, progress and result",
    name="get_job",
    responses={404: {"description": "No such job"}},
)
def get_job(request: Request, job_id: JobId, jobs: Jobs) -> dict[str, Any]:
    """A job's status, progress and result.

    Status (queued, running, done, failed, cancelled), progress [0-1], the last message, and
    the result once done (or the error once failed).

    Poll until ``status`` is final.
    """
    return job_out(request, _job(jobs, job_id))


@router.delete(
    "/jobs/{job_id}",
    response_model=JobOut,
    summary="Cancel a queued job",
    responses={404: {"description": "No such job"}},
)
def cancel_job(request: Request, job_id: JobId, jobs: Jobs) -> dict[str, Any]:
    """Cancel a job that has not started; a running job runs to its end."""
    _job(jobs, job_id)
    return job_out(request, jobs.cancel(job_id))  # type: ignore[arg-type]
