"""Settings of the REST server, read from ``CRITMIN_*`` environment variables.

==========================  ===========================================================  =========
setting                     meaning                                                      default
==========================  ===========================================================  =========
``CRITMIN_API_KEY``         key that write endpoints require in the ``X-API-Key``        unset:
                            header (imports, saved scenarios, saved recovery runs)       writes off
``CRITMIN_API_MAX_ROWS``    most rows one table response returns                         10,000
``CRITMIN_API_MAX_DRAWS``   most Monte Carlo draws a scenario job may ask for            20,000
``CRITMIN_API_MAX_BODY``    largest request body accepted [bytes]                        1 MiB
``CRITMIN_API_JOBS``        where jobs run: ``process`` (a pool of spawned worker        process
                            processes) or ``thread`` (threads of the server)
``CRITMIN_API_WORKERS``     jobs that run at once                                        2
``CRITMIN_API_MAX_QUEUED``  jobs waiting to run before new ones are refused (429)        20
``CRITMIN_API_KEEP_JOBS``   finished jobs kept for ``GET /api/v1/jobs/{id}``             100
``CRITMIN_SCENARIO_RUNNER`` module that runs scenario presets/specs on the dataset       see below
``CRITMIN_API_CACHE``       keep rendered answers of read endpoints until the data       1 (on)
                            changes (``0`` turns it off; :mod:`~critmin.api_server.
                            _cache`)
``CRITMIN_API_CACHE_MB``    most memory the rendered answers may hold [MiB]              64
==========================  ===========================================================  =========

Reads are served by one uvicorn process: cached answers are sent from the event loop
without a worker thread; the rest run in the thread pool (40 threads, anyio's default)
behind one data lock.  More uvicorn processes would each hold their own store and cache
and compete for the same cores, so ``critmin serve`` starts one.

``CRITMIN_SCENARIO_RUNNER`` defaults to ``critmin.scenarios.runner``; until that module
exists the scenario endpoints answer 501.  The module must provide ``presets()`` (name ->
spec) and ``run(spec, *, n_draws=None, progress=None)`` returning an
:class:`~critmin.scenarios.EnsembleResult` (see ``docs/api.md``).

Examples
--------
>>> from critmin.api_server.config import get_config
>>> get_config(environ={"CRITMIN_API_WORKERS": "3"}).workers
3
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from critmin.errors import shorten

__all__ = ["ServerConfig", "get_config"]

#: Environment variable holding the API key of write endpoints.
API_KEY_ENV = "CRITMIN_API_KEY"


@dataclass(frozen=True)
class ServerConfig:
    """Settings of one server (see the module docstring for each field)."""

    api_key: str | None = None
    max_rows: int = 10_000
    max_draws: int = 20_000
    max_body_bytes: int = 1 << 20
    job_mode: str = "process"
    workers: int = 2
    max_queued: int = 20
    keep_jobs: int = 100
    scenario_runner: str = "critmin.scenarios.runner"
    #: Most values one list-valued query parameter (``year=...&year=...``) may carry.
    max_list_values: int = 50
    #: Most parameter rows a recovery job may send.
    max_parameter_rows: int = 5_000
    #: Longest simulated horizon of a scenario or recovery job [years].
    max_horizon_years: int = 150
    #: Keep rendered answers of read endpoints until the data changes.
    response_cache: bool = True
    #: Most memory the rendered answers may hold [MiB].
    cache_mb: int = 64


def _int(env: Mapping[str, str], name: str, default: int, lo: int = 1) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        msg = f"{name}={raw!r} is not a whole number; unset it or give e.g. {default}"
        raise ValueError(msg) from None
    if value < lo:
        msg = f"{name}={value} is below {lo}; give at least {lo}"
        raise ValueError(msg)
    return value


def get_config(environ: Mapping[str, str] | None = None, **overrides: object) -> ServerConfig:
    """Return the server settings: `overrides`, then the environment, then the defaults.

    Parameters
    ----------
    environ : mapping, optional
        Environment to read (default :data:`os.environ`).
    **overrides
        Field values that win over the environment (tests, ``create_app(...)``).

    Returns
    -------
    ServerConfig

    Raises
    ------
    ValueError
        A numeric variable is not a whole number or is too small, or ``CRITMIN_API_JOBS``
        is neither ``process`` nor ``thread``, or ``CRITMIN_API_CACHE`` is not 0 or 1.
    """
    env = os.environ if environ is None else environ
    mode = (env.get("CRITMIN_API_JOBS") or "process").strip().lower()
    if mode not in ("process", "thread"):
        msg = f"CRITMIN_API_JOBS={mode!r}; give 'process' or 'thread'"
        raise ValueError(msg)
    cache_raw = (env.get("CRITMIN_API_CACHE") or "1").strip().lower()
    if cache_raw not in ("0", "1", "on", "off", "true", "false", "yes", "no"):
        msg = f"CRITMIN_API_CACHE={shorten(cache_raw)}; give 1 (on) or 0 (off)"
        raise ValueError(msg)
    cfg = ServerConfig(
        api_key=(env.get(API_KEY_ENV) or "").strip() or None,
        max_rows=_int(env, "CRITMIN_API_MAX_ROWS", ServerConfig.max_rows),
        max_draws=_int(env, "CRITMIN_API_MAX_DRAWS", ServerConfig.max_draws),
        max_body_bytes=_int(env, "CRITMIN_API_MAX_BODY", ServerConfig.max_body_bytes, lo=1024),
        job_mode=mode,
        workers=_int(env, "CRITMIN_API_WORKERS", ServerConfig.workers),
        max_queued=_int(env, "CRITMIN_API_MAX_QUEUED", ServerConfig.max_queued, lo=0),
        keep_jobs=_int(env, "CRITMIN_API_KEEP_JOBS", ServerConfig.keep_jobs),
        scenario_runner=(env.get("CRITMIN_SCENARIO_RUNNER") or ServerConfig.scenario_runner),
        response_cache=cache_raw in ("1", "on", "true", "yes"),
        cache_mb=_int(env, "CRITMIN_API_CACHE_MB", ServerConfig.cache_mb),
    )
    if overrides:
        unknown = set(overrides) - set(ServerConfig.__dataclass_fields__)
        if unknown:
            msg = f"unknown server setting(s) {sorted(unknown)}"
            raise TypeError(msg)
        cfg = ServerConfig(**{**cfg.__dict__, **overrides})  # type: ignore[arg-type]
    return cfg
