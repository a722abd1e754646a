"""The FastAPI application: the REST API under ``/api/v1`` and the dashboard at ``/``.

Run it with ``critmin serve`` or ``uvicorn --factory critmin.api_server.app:create_app``.
The OpenAPI schema is at ``/api/v1/openapi.json``.  Everything is served from this process
and the installed packages: the dashboard's JavaScript and CSS from :mod:`critmin.web`,
plotly.js from the installed ``plotly`` package, the world map's geometry from a copy of
plotly's ``world_110m`` topojson shipped with critmin; the page fetches nothing else.

Errors are JSON ``{"detail", "error", "suggestions"}``: unknown names 404 (path) or 422
(query) with the nearest names, invalid values 422, writes and compute jobs without the API
key 401/403, features whose module is not in this build 501.  Echoed values are cut to 40
characters (:func:`critmin.errors.shorten`).

Every response carries security headers (:data:`SECURITY_HEADERS`): a Content-Security-Policy
that allows only this server's own scripts, styles, images and connections (the dashboard
has no inline script; plotly sets element styles from script, which the policy allows as
``style-src 'self' 'unsafe-inline'``: plotly.js injects its own stylesheet), no framing,
``nosniff`` and no referrer sent elsewhere.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from critmin.api_server._jobs import JobManager, QueueFull, error_status
from critmin.api_server.config import ServerConfig, get_config
from critmin.api_server.deps import DATA_LOCK, ApiKeyRequired, BadParameter, NotAvailable
from critmin.errors import ECHO_CHARS, CritminError, UnknownNameError, shorten

__all__ = ["SECURITY_HEADERS", "WEB_DIR", "create_app", "plotly_js_path"]

logger = logging.getLogger(__name__)

#: The dashboard's static files.
WEB_DIR = Path(__file__).resolve().parent.parent / "web"
PREFIX = "/api/v1"


def plotly_js_path() -> Path:
    """plotly.min.js inside the installed ``plotly`` package."""
    import plotly

    p = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
    if not p.is_file():  # pragma: no cover - a broken plotly install
        msg = f"plotly.min.js not found at {p}; reinstall plotly (pip install 'plotly>=5')"
        raise FileNotFoundError(msg)
    return p


#: Headers added to every response (dashboard, static files and API).
SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
        "worker-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}


class _SecurityHeaders:
    """ASGI middleware adding :data:`SECURITY_HEADERS` to every HTTP response."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.raw = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
        self.names = {k for k, _ in self.raw}

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(msg: Any) -> None:
            if msg["type"] == "http.response.start":
                kept = [h for h in msg.get("headers", []) if h[0].lower() not in self.names]
                msg = {**msg, "headers": kept + self.raw}
            await send(msg)

        await self.app(scope, receive, with_headers)


def _problem(status: int, detail: str, error: str, **extra: Any) -> JSONResponse:
    body = {"detail": detail, "error": error, "suggestions": [], **extra}
    return JSONResponse(jsonable_encoder(body), status_code=status)


class _BodyLimit:
    """ASGI middleware refusing request bodies above a size (413), read or declared."""

    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        too_big = f"request body over the limit of {self.max_bytes} bytes (CRITMIN_API_MAX_BODY)"
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await _problem(413, too_big, "PayloadTooLarge")(scope, receive, send)
            return
        seen = 0

        async def limited() -> Any:
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > self.max_bytes:
                    raise HTTPException(413, too_big)
            return msg

        await self.app(scope, limited, send)


def _allowed(app: FastAPI, request: Request) -> list[str]:
    """Every method some route of this path accepts."""
    from starlette.routing import Match

    methods: set[str] = set()
    for route in app.routes:
        match, _ = route.matches(request.scope)
        if match != Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    return sorted(methods)


def _handlers(app: FastAPI) -> None:
    @app.exception_handler(UnknownNameError)
    async def unknown(_: Request, err: UnknownNameError) -> JSONResponse:
        return _problem(404, str(err), type(err).__name__, suggestions=err.suggestions)

    @app.exception_handler(BadParameter)
    async def bad_param(_: Request, err: BadParameter) -> JSONResponse:
        return _problem(422, str(err), "BadParameter", suggestions=err.suggestions)

    @app.exception_handler(CritminError)
    async def critmin_error(_: Request, err: CritminError) -> JSONResponse:
        extra = {}
        if getattr(err, "errors", None):
            extra["errors"] = err.errors  # ScenarioError: every failing field
        return _problem(error_status(err), str(err), type(err).__name__, **extra)

    @app.exception_handler(NotAvailable)
    async def not_available(_: Request, err: NotAvailable) -> JSONResponse:
        return _problem(501, str(err), "NotAvailable")

    @app.exception_handler(ApiKeyRequired)
    async def api_key(_: Request, err: ApiKeyRequired) -> JSONResponse:
        return _problem(err.status, str(err), "ApiKeyRequired")

    @app.exception_handler(QueueFull)
    async def queue_full(_: Request, err: QueueFull) -> JSONResponse:
        return _problem(429, str(err), "QueueFull")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, err: StarletteHTTPException) -> JSONResponse:
        resp = _problem(err.status_code, str(err.detail), "HTTPError")
        for k, v in (err.headers or {}).items():
            resp.headers[k] = v
        if err.status_code == 405:
            # Starlette names the methods of the first route of the path only
            resp.headers["Allow"] = ", ".join(_allowed(app, request))
        return resp

    @app.exception_handler(RequestValidationError)
    async def validation(_: Request, err: RequestValidationError) -> JSONResponse:
        errors = []
        parts = []
        for e in err.errors():
            loc = [str(x) for x in e.get("loc", ())]
            where = ".".join(loc[1:]) if len(loc) > 1 else ".".join(loc)
            kind = loc[0] if loc else "request"
            value = e.get("input")
            shown = shorten(value)
            parts.append(f"{kind} {where!r}: {e.get('msg')} (got {shown})")
            if isinstance(value, str) and len(value) > ECHO_CHARS:
                value = value[:ECHO_CHARS] + "…"
            elif not isinstance(value, (str, int, float, bool, type(None))):
                value = shown  # a long list or object: its shortened repr
            errors.append(
                {"location": kind, "field": where, "message": e.get("msg"), "input": value}
            )
        return _problem(422, "; ".join(parts), "ValidationError", errors=errors)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, err: Exception) -> JSONResponse:  # pragma: no cover
        logger.exception("unexpected error on %s %s", request.method, request.url.path)
        return _problem(
            500,
            f"unexpected server error ({type(err).__name__}); the server log has the details",
            type(err).__name__,
        )


_ERROR_CODES = {
    "400": "Malformed request",
    "404": "Unknown name (with suggestions) or no such data",
    "405": "Method not allowed",
    "413": "Request body over the limit",
    "422": "Invalid parameter or body (every failing field listed)",
    "429": "Too many jobs waiting",
    "501": "A feature whose module is not in this build",
}


def _openapi(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI schema, with every error documented as a :class:`Problem`."""
    from fastapi.openapi.utils import get_openapi

    from critmin.api_server.schemas import Problem

    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title,
        version=app.version,
        summary=app.summary,
        description=app.description,
        routes=app.routes,
    )
    comps = schema.setdefault("components", {}).setdefault("schemas", {})
    comps.pop("HTTPValidationError", None)
    comps.pop("ValidationError", None)
    comps["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    body = {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for ops in schema.get("paths", {}).values():
        for op in ops.values():
            responses = op.setdefault("responses", {})
            codes = dict(_ERROR_CODES)
            if op.get("security"):
                codes |= {
                    "401": "Missing or wrong X-API-Key",
                    "403": "No API key configured: writes and compute jobs are disabled",
                }
            for code, text in codes.items():
                entry = responses.setdefault(code, {"description": text})
                entry["content"] = body
    app.openapi_schema = schema
    return schema


def new_job_manager(cfg: ServerConfig) -> JobManager:
    """A job manager with the server's settings (its pool starts with the first job)."""
    return JobManager(
        mode=cfg.job_mode,
        workers=cfg.workers,
        max_queued=cfg.max_queued,
        keep=cfg.keep_jobs,
        thread_lock=DATA_LOCK,
    )


def create_app(config: ServerConfig | None = None, **overrides: object) -> FastAPI:
    """Build the application.

    Parameters
    ----------
    config : ServerConfig, optional
        Default: :func:`~critmin.api_server.config.get_config` (``CRITMIN_*`` variables).
    **overrides
        Settings that win over `config` (e.g. ``api_key="..."``, ``job_mode="thread"``).

    Returns
    -------
    fastapi.FastAPI
    """
    import critmin

    cfg = config or get_config()
    if overrides:
        cfg = ServerConfig(**{**cfg.__dict__, **overrides})  # type: ignore[arg-type]

    @asynccontextmanager
    async def lifespan(app_: FastAPI) -> AsyncIterator[None]:
        app_.state.jobs = new_job_manager(cfg)  # a fresh pool each time the app starts
        yield
        app_.state.jobs.shutdown()

    app = FastAPI(
        title="critmin API",
        version=critmin.__version__,
        summary="Critical-minerals supply-chain intelligence from public data.",
        description=(
            "Production, reserves, trade, concentration, risk rankings, disruption scenarios "
            "and recovery runs. Every row carries its dataset, source file and line; every "
            "table response lists its sources. Reads are open; writes and compute jobs "
            "(scenario and recovery runs) need the X-API-Key header. Limits: GET /api/v1/limits."
        ),
        openapi_url=f"{PREFIX}/openapi.json",
        docs_url=None,  # Swagger UI would load its assets from a CDN
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.config = cfg
    app.state.jobs = new_job_manager(cfg)
    _handlers(app)
    if cfg.response_cache:
        from critmin.api_server._cache import CachedReads, ResponseCache
        from critmin.api_server.deps import data_version

        app.state.response_cache = ResponseCache(max_bytes=cfg.cache_mb << 20)
        app.add_middleware(CachedReads, cache=app.state.response_cache, version=data_version)
    app.add_middleware(_BodyLimit, max_bytes=cfg.max_body_bytes)
    app.add_middleware(_SecurityHeaders)

    from critmin.api_server.routes import (
        commodities,
        meta,
        metrics,
        production,
        recovery,
        risk,
        scenarios,
        trade,
    )
    from critmin.api_server.routes import (
        jobs as jobs_routes,
    )

    for mod in (
        meta,
        commodities,
        production,
        trade,
        metrics,
        risk,
        scenarios,
        recovery,
        jobs_routes,
    ):
        app.include_router(mod.router, prefix=PREFIX)
    from critmin.api_server.routes import plan as plan_routes

    app.include_router(plan_routes.router, prefix=PREFIX)

    @app.get("/static/plotly.min.js", include_in_schema=False)
    def plotly_js() -> FileResponse:
        return FileResponse(plotly_js_path(), media_type="text/javascript")

    @app.get("/static/topojson/{name}.json", include_in_schema=False)
    def topojson(name: str) -> FileResponse:
        p = WEB_DIR / "vendor" / f"{name}.json"
        if name != "world_110m" or not p.is_file():
            raise HTTPException(
                404, f"no topojson {shorten(name)}; this server ships world_110m only"
            )
        return FileResponse(p, media_type="application/json")

    app.mount("/static", StaticFiles(directory=WEB_DIR), name="static")
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(WEB_DIR / "index.html", media_type="text/html")

    return app
