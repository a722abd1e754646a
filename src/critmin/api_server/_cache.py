"""Rendered responses of the read endpoints, kept until the data changes.

A read endpoint's answer depends only on its path, its query string and the data the store
reads (the dataset folder in use and the user's workspace).  :class:`CachedReads` keeps the
rendered bytes of every ``GET`` on those endpoints answered 200 or 404 in a bounded LRU
(:class:`ResponseCache`) keyed on ``(path, query string, data version)``, and answers a
repeated request from it without routing, parameter validation, a worker thread, the data
lock, pandas or JSON rendering.  The bytes are those the endpoint rendered, so a cached
answer is identical to a fresh one.

Invalidation is by key: :func:`critmin.api_server.deps.data_version` changes when the dataset
in use changes (``critmin data use``, ``CRITMIN_DATASET_DIR``, a rebuild rewriting
``manifest.json``), when the workspace file changes (imports and removals, from the API or
the CLI of another process) and after every write through the API.  A response computed
while the data changed under it is not kept.

``CRITMIN_API_CACHE=0`` (or ``create_app(response_cache=False)``) turns the cache off; the
benchmark ``benchmarks/bench_api.py`` compares both paths.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

__all__ = ["CACHEABLE", "CachedReads", "ResponseCache", "cacheable"]

logger = logging.getLogger(__name__)

#: Paths (under ``/api/v1``) whose GET answer depends only on the query and the data.
#: Health, jobs, imports, saved runs and the dashboard are left out (they change otherwise).
CACHEABLE = re.compile(
    r"^/api/v1/(?:"
    r"commodities(?:/[^/]+(?:/(?:production|reserves|capacity|salient|export-controls"
    r"|import-sources|concentration|bloc-share))?)?"
    r"|countries|groups(?:/[^/]+)?|export-controls"
    r"|trade(?:/partners)?"
    r"|reliance/(?:us|import-dependence)"
    r"|risk/(?:ranking|matrix|years|geopolrisk)"
    r"|plan/(?:partners|stockpile|stress|bloc)"
    r")$"
)


def cacheable(method: str, path: str) -> bool:
    """True for a GET on a read endpoint whose answer depends only on query and data.

    Examples
    --------
    >>> cacheable("GET", "/api/v1/commodities/lithium/production")
    True
    >>> cacheable("GET", "/api/v1/health"), cacheable("POST", "/api/v1/imports")
    (False, False)
    """
    return method == "GET" and CACHEABLE.match(path) is not None


class ResponseCache:
    """A thread-safe LRU of rendered responses, bounded in entries and bytes.

    Parameters
    ----------
    max_entries : int
        Most responses kept.
    max_bytes : int
        Most body bytes kept in all [bytes]; the least recently used go first.
    max_entry_bytes : int
        Larger bodies are not kept [bytes].
    """

    def __init__(
        self, max_entries: int = 512, max_bytes: int = 64 << 20, max_entry_bytes: int = 8 << 20
    ) -> None:
        if max_entries < 1 or max_bytes < 1 or max_entry_bytes < 1:
            msg = (
                f"cache bounds must be positive (got max_entries={max_entries}, "
                f"max_bytes={max_bytes}, max_entry_bytes={max_entry_bytes}); give values >= 1"
            )
            raise ValueError(msg)
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.max_entry_bytes = max_entry_bytes
        self._data: OrderedDict[Hashable, tuple[int, list[tuple[bytes, bytes]], bytes]] = (
            OrderedDict()
        )
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._data)

    @property
    def nbytes(self) -> int:
        """Body bytes held [bytes]."""
        return self._bytes

    def get(self, key: Hashable) -> tuple[int, list[tuple[bytes, bytes]], bytes] | None:
        """The ``(status, headers, body)`` kept under `key`, or None (counts hits and misses)."""
        with self._lock:
            hit = self._data.get(key)
            if hit is None:
                self.misses += 1
                return None
            self._data.move_to_end(key)
            self.hits += 1
            return hit

    def put(
        self, key: Hashable, status: int, headers: list[tuple[bytes, bytes]], body: bytes
    ) -> bool:
        """Keep a response; False (and nothing kept) when the body is over ``max_entry_bytes``."""
        size = len(body)
        if size > self.max_entry_bytes:
            return False
        with self._lock:
            old = self._data.pop(key, None)
            if old is not None:
                self._bytes -= len(old[2])
            self._data[key] = (status, headers, body)
            self._bytes += size
            while len(self._data) > self.max_entries or self._bytes > self.max_bytes:
                _, dropped = self._data.popitem(last=False)
                self._bytes -= len(dropped[2])
        return True

    def clear(self) -> None:
        """Drop every response."""
        with self._lock:
            self._data.clear()
            self._bytes = 0


#: Statuses kept: an answer, and "no such data / unknown name" (both fixed by the data).
_KEPT = (200, 404)

#: Response headers not replayed from the cache (the outer middleware sets them afresh).
_DROP = {b"date", b"server"}


class CachedReads:
    """ASGI middleware answering repeated read requests from a :class:`ResponseCache`.

    Parameters
    ----------
    app : ASGI application
    cache : ResponseCache
    version : callable
        Returns a hashable stamp of the data in use
        (:func:`critmin.api_server.deps.data_version`).

    Notes
    -----
    Only ``200`` and ``404`` answers (no such data, unknown name) to :func:`cacheable`
    requests are kept; every answer to them carries ``x-critmin-cache: hit`` or ``miss``.
    """

    def __init__(self, app: Any, cache: ResponseCache, version: Callable[[], Hashable]) -> None:
        self.app = app
        self.cache = cache
        self.version = version

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not cacheable(scope["method"], scope["path"]):
            await self.app(scope, receive, send)
            return
        before = self.version()
        key = (scope["path"], scope.get("query_string", b""), before)
        hit = self.cache.get(key)
        if hit is not None:
            status, headers, body = hit
            await send(
                {
                    "type": "http.response.start",
                    "status": status,
                    "headers": [*headers, (b"x-critmin-cache", b"hit")],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return

        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(msg: Any) -> None:
            if msg["type"] == "http.response.start":
                start.update(msg)
                msg = {**msg, "headers": [*msg.get("headers", []), (b"x-critmin-cache", b"miss")]}
            elif msg["type"] == "http.response.body":
                chunks.append(msg.get("body", b""))
            await send(msg)

        await self.app(scope, receive, capture)
        status = start.get("status")
        if status not in _KEPT:
            return
        if self.version() != before:  # the data changed while this answer was computed
            logger.debug("not caching %s: the data changed during the request", scope["path"])
            return
        headers = [h for h in start.get("headers", []) if h[0].lower() not in _DROP]
        self.cache.put(key, status, headers, b"".join(chunks))
