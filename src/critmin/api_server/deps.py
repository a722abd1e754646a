"""Dependencies shared by the routes: settings, the data lock, name resolution, the API key.

The data lock
-------------
:func:`critmin.store.get_store` hands every caller one shared DuckDB connection, and a DuckDB
connection must not run two queries at once from two threads.  FastAPI runs the (synchronous)
routes in a thread pool, so every call into the Python API goes through :func:`call`, which
holds :data:`DATA_LOCK`.  Queries take milliseconds; jobs that compute for longer run in
worker processes with their own store (:mod:`critmin.api_server._jobs`).
"""

from __future__ import annotations

import hmac
import importlib
import threading
from collections.abc import Callable
from types import ModuleType
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Path, Query, Request
from fastapi.security import APIKeyHeader
from pydantic import Field

from critmin.api_server._jobs import JobManager
from critmin.api_server.config import API_KEY_ENV, ServerConfig
from critmin.errors import UnknownNameError

__all__ = [
    "DATA_LOCK",
    "ApiKeyRequired",
    "BadParameter",
    "CommodityId",
    "Config",
    "Jobs",
    "NotAvailable",
    "Years",
    "cached_call",
    "call",
    "data_version",
    "optional_module",
    "require_api_key",
    "resolve_commodity_param",
    "resolve_country",
    "resolve_group",
    "write_workspace",
]

T = TypeVar("T")

#: Held around every call into the Python API (see the module docstring).
DATA_LOCK = threading.RLock()


class NotAvailable(Exception):
    """A feature whose module is not part of this build yet (HTTP 501)."""


class BadParameter(Exception):
    """A query parameter that does not resolve (HTTP 422), with suggestions."""

    def __init__(self, param: str, message: str, suggestions: list[str] | None = None) -> None:
        self.param = param
        self.suggestions = suggestions or []
        super().__init__(f"query parameter {param!r}: {message}")


class ApiKeyRequired(Exception):
    """A write without a valid API key (HTTP 401, or 403 when writes are off)."""

    def __init__(self, status: int, message: str) -> None:
        self.status = status
        super().__init__(message)


def call(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Call a Python-API function while holding the data lock."""
    with DATA_LOCK:
        return fn(*args, **kwargs)


def optional_module(path: str, what: str) -> ModuleType:
    """Import a module another part of critmin provides, or raise :class:`NotAvailable`.

    Parameters
    ----------
    path : str
        Dotted module path, e.g. ``critmin.assessments.risk``.
    what : str
        What the feature is, for the message (``"risk rankings"``).
    """
    try:
        return importlib.import_module(path)
    except ImportError as err:
        msg = (
            f"{what} are not available in this build: module {path} cannot be imported "
            f"({err}). They appear here once that module is installed; nothing is wrong "
            "with the request."
        )
        raise NotAvailable(msg) from None


def get_config(request: Request) -> ServerConfig:
    """The server's settings."""
    return request.app.state.config  # type: ignore[no-any-return]


def get_jobs(request: Request) -> JobManager:
    """The server's job manager."""
    return request.app.state.jobs  # type: ignore[no-any-return]


Config = Annotated[ServerConfig, Depends(get_config)]
Jobs = Annotated[JobManager, Depends(get_jobs)]

_api_key_header = APIKeyHeader(
    name="X-API-Key",
    auto_error=False,
    description=f"Key of write endpoints; the server's {API_KEY_ENV}.",
)


def require_api_key(
    request: Request, key: Annotated[str | None, Depends(_api_key_header)] = None
) -> None:
    """Refuse a write or a compute job unless ``X-API-Key`` carries the configured key.

    403 when the server has no key (writes and jobs are off), 401 when the header is missing
    or wrong; the message says the fix.
    """
    cfg: ServerConfig = request.app.state.config
    if not cfg.api_key:
        raise ApiKeyRequired(
            403,
            "writes and compute jobs are disabled on this server: no API key is configured. "
            f"Start the server with {API_KEY_ENV}=<a long random key> in its environment and "
            "send that key in the X-API-Key header (the dashboard: open it once as "
            "/?key=<the key>).",
        )
    if not key:
        raise ApiKeyRequired(
            401,
            "this endpoint writes or starts a compute job: send the server's API key "
            f"({API_KEY_ENV}) in the X-API-Key header",
        )
    if not hmac.compare_digest(key.encode("utf-8"), cfg.api_key.encode("utf-8")):
        raise ApiKeyRequired(
            401, f"wrong API key in the X-API-Key header; send the server's {API_KEY_ENV}"
        )


def _commodity(
    commodity: Annotated[
        str,
        Path(
            min_length=1,
            max_length=100,
            description="Commodity name, alias or element: lithium, 'rare earths', REE, Nd.",
            examples=["lithium"],
        ),
    ],
) -> str:
    from critmin import catalog

    return call(catalog.resolve_commodity, commodity)  # UnknownCommodity -> 404


CommodityId = Annotated[str, Depends(_commodity)]

#: A list of years, each 1900-2100 (``?year=2023&year=2024``); bad values get a 422.
Years = Annotated[
    list[Annotated[int, Field(ge=1900, le=2100)]] | None,
    Query(max_length=50, description="Year(s), 1900-2100; repeat for several."),
]


def resolve_country(name: str, param: str = "country") -> str:
    """ISO3 of a country name or code given in a query parameter (422 with suggestions)."""
    from critmin import catalog

    try:
        return call(catalog.resolve_country, name)
    except UnknownNameError as err:
        raise BadParameter(param, str(err), err.suggestions) from None


def resolve_commodity_param(name: str, param: str = "commodity") -> str:
    """Commodity id of a name given in a query parameter (422 with suggestions)."""
    from critmin import catalog

    try:
        return call(catalog.resolve_commodity, name)
    except UnknownNameError as err:
        raise BadParameter(param, str(err), err.suggestions) from None


def resolve_group(name: str, param: str = "group") -> tuple[str, list[str]]:
    """A group id (MSP, QUAD, TRUST, ...) or one country, and its ISO3 members (422 if unknown)."""
    from critmin import api

    groups = call(api.groups)
    ids = {g.lower(): g for g in groups["group_id"].unique()}
    if name.lower() in ids:
        gid = ids[name.lower()]
        return gid, call(api.group_members, gid)
    try:
        iso = resolve_country(name, param)
    except BadParameter as err:
        from critmin.errors import nearest, shorten

        sugg = nearest(name, list(ids.values())) + err.suggestions
        raise BadParameter(
            param,
            f"{shorten(name)} is neither a group ({', '.join(sorted(ids.values()))}) nor a country",
            sugg[:5],
        ) from None
    return iso, [iso]


_CACHE: dict[tuple[Any, ...], Any] = {}
_CACHE_ORDER: list[tuple[Any, ...]] = []
_CACHE_SIZE = 256


def _frozen(v: Any) -> Any:
    if isinstance(v, (list, tuple, set)):
        return tuple(_frozen(x) for x in v)
    if isinstance(v, dict):
        return tuple(sorted((k, _frozen(x)) for k, x in v.items()))
    return v


#: Bumped by every workspace write through the API (file times can be too coarse to tell
#: two writes in the same few milliseconds apart).
_GENERATION = [0]


def _stamp(path: Any) -> tuple[int, int, int] | None:
    """``(mtime [ns], size [bytes], inode)`` of a file, or None when it does not exist."""
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size, st.st_ino


def data_version() -> tuple[Any, ...]:
    """A stamp of what the store reads; it changes whenever a read could answer differently.

    The dataset folder in use (``critmin data use``, ``CRITMIN_DATASET_DIR``) and its
    ``manifest.json`` (a rebuild in place rewrites it), the workspace file's path and stamp
    (imports from the API or from the CLI of another process), and a counter of the API's
    own workspace writes.  Costs a few ``stat`` calls (tens of microseconds).
    """
    from critmin.settings import get_settings
    from critmin.store import active_dataset_dir

    ddir = active_dataset_dir()
    ws = get_settings().workspace_db
    return str(ddir), _stamp(ddir / "manifest.json"), str(ws), _stamp(ws), _GENERATION[0]


def cached_call(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """:func:`call`, remembering the result until the data changes (slow assessments).

    The result is shared between requests: callers must not modify it in place.
    """
    with DATA_LOCK:
        key = (
            fn.__module__,
            fn.__qualname__,
            _frozen(args),
            _frozen(kwargs),
            data_version(),
        )
        if key in _CACHE:
            return _CACHE[key]  # type: ignore[no-any-return]
        out = fn(*args, **kwargs)
        _CACHE[key] = out
        _CACHE_ORDER.append(key)
        while len(_CACHE_ORDER) > _CACHE_SIZE:
            _CACHE.pop(_CACHE_ORDER.pop(0), None)
        return out


def write_workspace(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a workspace write (import, removal) with the shared store closed.

    The shared store attaches the workspace file read-only, and DuckDB refuses a second,
    writing connection to a file that one process already has attached; so the store is
    closed first (holding the data lock) and reopened by the next read.
    """
    import critmin.store as store_mod

    with DATA_LOCK:
        _GENERATION[0] += 1
        store_mod.reset_store()
        try:
            return fn(*args, **kwargs)
        finally:
            _GENERATION[0] += 1
