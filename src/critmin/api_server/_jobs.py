"""Asynchronous jobs: long runs (scenario ensembles, recovery runs) off the request path.

A job is a function named by its dotted path, ``"package.module:function"``, called as
``function(payload, progress)`` where ``payload`` is a JSON-compatible dict and
``progress(fraction, message)`` reports how far it got (``fraction`` in [0, 1]).  It returns
a JSON-compatible dict (the job's result).

Jobs run in a pool of *spawned* worker processes by default (``CRITMIN_API_JOBS=process``):
the server keeps answering reads while a job computes, a crashing job cannot take the server
down, and each worker opens its own store.  Progress travels back over a queue read by one
thread of the server.  ``CRITMIN_API_JOBS=thread`` runs jobs in threads of the server instead
(no start-up cost; every job then holds the data lock while it runs, see
:mod:`critmin.api_server.deps`).

Errors critmin raises on purpose inside a job become a failed job with the message and the
HTTP status the same error gets in a request; anything else becomes a failed job with a
generic message (the traceback goes to the server log).
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import multiprocessing as mp
import threading
import time
import traceback
import uuid
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

from critmin.errors import CritminError

__all__ = ["Job", "JobManager", "QueueFull", "error_status"]

logger = logging.getLogger(__name__)

Progress = Callable[[float, str], None]

_WORKER_QUEUE: Any = None


class QueueFull(Exception):
    """Too many jobs are waiting; the client should retry later (HTTP 429)."""


def error_status(err: BaseException) -> int:
    """HTTP status of an error critmin raises on purpose (the same in requests and jobs)."""
    from critmin.errors import ImportRejected, NoData, StoreError, UnknownNameError

    if isinstance(err, (UnknownNameError, NoData)):
        return 404
    if isinstance(err, StoreError) and not isinstance(err, ImportRejected):
        return 503
    if isinstance(err, (CritminError, ValueError)):
        return 422
    return 500


def _resolve(path: str) -> Callable[[dict[str, Any], Progress], dict[str, Any]]:
    mod, _, name = path.partition(":")
    return getattr(importlib.import_module(mod), name)  # type: ignore[no-any-return]


def _call(
    job_id: str, func_path: str, payload: dict[str, Any], report: Callable[..., None]
) -> dict[str, Any]:
    """Run one job function and wrap its outcome as ``{"ok": ..., ...}``."""

    def progress(fraction: float, message: str = "") -> None:
        report(job_id, max(0.0, min(1.0, float(fraction))), str(message))

    try:
        result = _resolve(func_path)(payload, progress)
        return {"ok": True, "result": result}
    except CritminError as err:
        return {
            "ok": False,
            "status": error_status(err),
            "error": type(err).__name__,
            "detail": str(err),
        }
    except NotImplementedError as err:
        return {"ok": False, "status": 501, "error": "NotAvailable", "detail": str(err)}
    except Exception as err:  # noqa: BLE001 - a job must never kill its worker
        logger.error("job %s (%s) failed:\n%s", job_id, func_path, traceback.format_exc())
        return {
            "ok": False,
            "status": 500,
            "error": type(err).__name__,
            "detail": f"the job failed unexpectedly ({type(err).__name__}: {err}); "
            "the server log has the traceback",
        }


def _worker_init(q: Any) -> None:
    """Initialiser of a worker process: remember the progress queue, quiet logging."""
    global _WORKER_QUEUE
    _WORKER_QUEUE = q
    logging.basicConfig(level=logging.WARNING)


def _worker_report(job_id: str, fraction: float, message: str) -> None:
    _WORKER_QUEUE.put((job_id, fraction, message))


def _process_entry(job_id: str, func_path: str, payload: dict[str, Any]) -> dict[str, Any]:
    """What a worker process runs for one job."""
    _worker_report(job_id, 0.0, "started")
    return _call(job_id, func_path, payload, _worker_report)


@dataclass
class Job:
    """One job and its state.

    Attributes
    ----------
    id : str
        Random hex id.
    kind : str
        ``"scenario"`` or ``"recovery"``.
    status : str
        ``queued``, ``running``, ``done``, ``failed`` or ``cancelled``.
    progress : float
        Fraction done [0-1].
    message : str
        The last progress message.
    result : dict or None
        The result once done.
    error : dict or None
        ``{"status", "error", "detail"}`` once failed.
    """

    id: str
    kind: str
    params: dict[str, Any]
    status: str = "queued"
    progress: float = 0.0
    message: str = "queued"
    created: float = field(default_factory=time.time)
    started: float | None = None
    finished: float | None = None
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    future: Future[Any] | None = field(default=None, repr=False)

    def public(self, with_result: bool = True) -> dict[str, Any]:
        """The job as the API shows it."""
        return {
            "id": self.id,
            "kind": self.kind,
            "status": self.status,
            "progress": round(self.progress, 4),
            "message": self.message,
            "created": self.created,
            "started": self.started,
            "finished": self.finished,
            "params": self.params,
            "result": self.result if with_result else None,
            "error": self.error,
        }


class JobManager:
    """Runs jobs in a pool and keeps their state.

    Parameters
    ----------
    mode : {'process', 'thread'}
        Where jobs run.
    workers : int
        Jobs that run at once.
    max_queued : int
        Waiting jobs beyond which :meth:`submit` raises :class:`QueueFull`.
    keep : int
        Finished jobs kept (oldest dropped first).
    thread_lock : threading.Lock, optional
        In thread mode, held while a job runs (the data lock).
    """

    def __init__(
        self,
        mode: str = "process",
        workers: int = 2,
        max_queued: int = 20,
        keep: int = 100,
        thread_lock: Any = None,
    ) -> None:
        self.mode = mode
        self.workers = workers
        self.max_queued = max_queued
        self.keep = keep
        self._thread_lock = thread_lock
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._executor: Executor | None = None
        self._queue: Any = None
        self._drainer: threading.Thread | None = None
        self._closed = False

    # ------------------------------------------------------------------ pool
    def _pool(self) -> Executor:
        if self._executor is not None:
            return self._executor
        if self.mode == "thread":
            self._executor = ThreadPoolExecutor(self.workers, thread_name_prefix="critmin-job")
            return self._executor
        ctx = mp.get_context("spawn")
        if self._queue is None:
            self._queue = ctx.Queue()
            self._drainer = threading.Thread(
                target=self._drain, name="critmin-job-progress", daemon=True
            )
            self._drainer.start()
        self._executor = ProcessPoolExecutor(
            self.workers, mp_context=ctx, initializer=_worker_init, initargs=(self._queue,)
        )
        return self._executor

    def _drain(self) -> None:
        while True:
            try:
                item = self._queue.get()
            except (EOFError, OSError):
                return
            if item is None:
                return
            self._report(*item)

    def _report(self, job_id: str, fraction: float, message: str) -> None:
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None or job.status not in ("queued", "running"):
                return
            if job.status == "queued":
                job.status, job.started = "running", time.time()
            job.progress = max(job.progress, fraction)
            if message:
                job.message = message

    # ------------------------------------------------------------------ api
    def submit(
        self, kind: str, func_path: str, payload: dict[str, Any], params: dict[str, Any]
    ) -> Job:
        """Queue a job; return it (status ``queued``).

        Raises
        ------
        QueueFull
            When ``max_queued`` jobs are already waiting.
        RuntimeError
            After :meth:`shutdown`.
        """
        with self._lock:
            if self._closed:
                msg = "the job manager is shut down"
                raise RuntimeError(msg)
            waiting = sum(j.status == "queued" for j in self._jobs.values())
            if waiting >= self.max_queued:
                msg = (
                    f"{waiting} jobs are already waiting (limit {self.max_queued}); "
                    "retry when some have finished"
                )
                raise QueueFull(msg)
            job = Job(id=uuid.uuid4().hex, kind=kind, params=params)
            self._jobs[job.id] = job
            self._trim()
        try:
            fut = self._start(job, func_path, payload)
        except BrokenProcessPool:
            self._executor = None  # a worker died: start a fresh pool
            fut = self._start(job, func_path, payload)
        job.future = fut
        fut.add_done_callback(lambda f, j=job: self._finish(j, f))
        return job

    def _start(self, job: Job, func_path: str, payload: dict[str, Any]) -> Future[Any]:
        pool = self._pool()
        if self.mode == "process":
            return pool.submit(_process_entry, job.id, func_path, payload)
        return pool.submit(self._thread_entry, job.id, func_path, payload)

    def _thread_entry(self, job_id: str, func_path: str, payload: dict[str, Any]) -> dict[str, Any]:
        self._report(job_id, 0.0, "started")
        lock = self._thread_lock or contextlib.nullcontext()
        with lock:
            return _call(job_id, func_path, payload, self._report)

    def _finish(self, job: Job, fut: Future[Any]) -> None:
        with self._lock:
            job.finished = time.time()
            if job.started is None:
                job.started = job.finished
            if fut.cancelled():
                job.status, job.message = "cancelled", "cancelled before it started"
                return
            exc = fut.exception()
            if exc is not None:
                logger.error("job %s crashed: %r", job.id, exc)
                if isinstance(exc, BrokenProcessPool):
                    self._executor = None
                job.status = "failed"
                job.error = {
                    "status": 500,
                    "error": type(exc).__name__,
                    "detail": f"the job's worker stopped ({type(exc).__name__}); "
                    "retry, or lower the draws",
                }
                job.message = "failed"
                return
            out = fut.result()
            if out.get("ok"):
                job.status, job.progress, job.message = "done", 1.0, "done"
                job.result = out["result"]
            else:
                job.status, job.message = "failed", "failed"
                job.error = {k: out[k] for k in ("status", "error", "detail")}

    def get(self, job_id: str) -> Job | None:
        """The job with this id, or None."""
        with self._lock:
            return self._jobs.get(job_id)

    def list(self) -> list[Job]:
        """Every job kept, newest first."""
        with self._lock:
            return list(reversed(self._jobs.values()))

    def cancel(self, job_id: str) -> Job | None:
        """Cancel a queued job (a running one runs to its end); return it, or None."""
        job = self.get(job_id)
        if job is not None and job.future is not None and job.status == "queued":
            job.future.cancel()
        return job

    def _trim(self) -> None:
        done = [j.id for j in self._jobs.values() if j.status in ("done", "failed", "cancelled")]
        for jid in done[: max(0, len(done) - self.keep)]:
            del self._jobs[jid]

    def wait(self, job_id: str, timeout: float = 60.0) -> Job:
        """Block until a job has finished (tests, scripts); return it."""
        end = time.monotonic() + timeout
        while True:
            job = self.get(job_id)
            if job is None:
                raise KeyError(job_id)
            if job.status in ("done", "failed", "cancelled"):
                return job
            if time.monotonic() > end:
                msg = f"job {job_id} still {job.status} after {timeout} s"
                raise TimeoutError(msg)
            time.sleep(0.05)

    def shutdown(self) -> None:
        """Stop the pool (running jobs finish first) and the progress thread."""
        with self._lock:
            self._closed = True
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
        if self._queue is not None:
            with contextlib.suppress(OSError, ValueError):
                self._queue.put(None)
            if self._drainer is not None:
                self._drainer.join(timeout=5)
            with contextlib.suppress(OSError, ValueError):
                self._queue.close()
                self._queue.join_thread()
            self._queue = None
