"""Latency of the REST API's read endpoints at 50 concurrent clients, cached vs uncached.

Starts ``critmin``'s app (uvicorn, one process, as ``critmin serve``) twice on free loopback
ports, one after the other: with the response cache (the default) and with
``CRITMIN_API_CACHE=0`` (every request routed, computed from the store's cached frames and
rendered; the path before the cache).  Load comes from a *second process* (this file with
``--load``): ``--concurrency`` clients, each on its own keep-alive connection, each sending
its next request as soon as the last one is answered (a closed loop), until ``--requests``
requests per endpoint are answered or ``--seconds`` pass.  The load generator is a minimal
HTTP/1.1 client on asyncio streams (``--client httpx`` uses httpx instead), so its own cost
stays small beside the server's on a shared machine.

Before timing, each endpoint's distinct URLs are requested once (warm-up: the first answer
fills the caches).  Issue 11 item 12 targets p95 < 50 ms for production, concentration and
trade at 50 clients.

Prints, in one run, per endpoint: p50 and p95 latency [ms] and requests per second of the
cached server, p95 / 50 ms (the target; below 1 meets it), the uncached server's p50 and p95,
and the speed-up (uncached p95 / cached p95).  No assertions.  Loopback only; every loop is
bounded in count and time.

    .venv/bin/python benchmarks/bench_api.py [--concurrency 50] [--requests 1000] [--seconds 15]
    .venv/bin/python benchmarks/bench_api.py --no-uncached      # the cached server only
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time

TARGET_MS = 50.0

_COMMODITIES = ["lithium", "cobalt", "nickel", "graphite", "copper", "gallium", "manganese"]

#: (name, URLs in turn, counted in the target).  Several URLs: clients take them in turn.
ENDPOINTS: list[tuple[str, list[str], bool]] = [
    ("health (not cached)", ["/api/v1/health"], False),
    ("commodities", ["/api/v1/commodities"], False),
    ("production lithium 2025", ["/api/v1/commodities/lithium/production?year=2025"], True),
    ("production cobalt, all stages", ["/api/v1/commodities/cobalt/production?stage=all"], True),
    (
        "production, 7 commodities",
        [f"/api/v1/commodities/{c}/production?stage=all" for c in _COMMODITIES],
        True,
    ),
    ("reserves lithium", ["/api/v1/commodities/lithium/reserves"], False),
    ("concentration lithium", ["/api/v1/commodities/lithium/concentration"], True),
    (
        "concentration, 7 commodities",
        [f"/api/v1/commodities/{c}/concentration" for c in _COMMODITIES],
        True,
    ),
    ("trade lithium IND 2023", ["/api/v1/trade?commodity=lithium&importer=IND&year=2023"], True),
    ("trade partners IND", ["/api/v1/trade/partners?commodity=lithium&country=IND"], True),
    ("risk ranking IND", ["/api/v1/risk/ranking?subject=IND"], False),
]

_LENGTH = re.compile(rb"\r\ncontent-length:\s*(\d+)", re.IGNORECASE)
_CHUNKED = re.compile(rb"\r\ntransfer-encoding:\s*chunked", re.IGNORECASE)


async def _read_response(reader: asyncio.StreamReader) -> int:
    """Read one HTTP/1.1 response; return its status code."""
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    m = _LENGTH.search(head)
    if m:
        await reader.readexactly(int(m.group(1)))
    elif _CHUNKED.search(head):
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    return status


async def _raw_client(host: str, port: int, paths: list[str], state: dict) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    reqs = [f"GET {p} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode() for p in paths]
    try:
        while state["next"] < state["n"] and time.perf_counter() < state["deadline"]:
            i = state["next"]
            state["next"] += 1
            t = time.perf_counter()
            writer.write(reqs[i % len(reqs)])
            status = await _read_response(reader)
            state["lat"].append(time.perf_counter() - t)
            if status != 200:
                state["errors"] += 1
    finally:
        writer.close()


async def _httpx_client(client, paths: list[str], state: dict) -> None:
    while state["next"] < state["n"] and time.perf_counter() < state["deadline"]:
        i = state["next"]
        state["next"] += 1
        t = time.perf_counter()
        r = await client.get(paths[i % len(paths)])
        state["lat"].append(time.perf_counter() - t)
        if r.status_code != 200:
            state["errors"] += 1


async def _endpoint(
    base: str, paths: list[str], n: int, conc: int, seconds: float, kind: str
) -> dict:
    import httpx

    host, port = base.rsplit("//", 1)[1].split(":")
    async with httpx.AsyncClient(base_url=base, timeout=60) as warm:
        for p in paths:  # warm-up: each distinct URL once
            await warm.get(p)
    state = {"next": 0, "n": n, "lat": [], "errors": 0}
    t0 = time.perf_counter()
    state["deadline"] = t0 + seconds
    if kind == "raw":
        await asyncio.gather(*(_raw_client(host, int(port), paths, state) for _ in range(conc)))
    else:
        limits = httpx.Limits(max_connections=conc, max_keepalive_connections=conc)
        async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
            await asyncio.gather(*(_httpx_client(client, paths, state) for _ in range(conc)))
    wall = time.perf_counter() - t0
    lat = state["lat"]
    q = statistics.quantiles(lat, n=100, method="inclusive") if len(lat) >= 2 else lat * 99
    return {
        "n": len(lat),
        "errors": state["errors"],
        "p50_ms": 1000 * statistics.median(lat),
        "p95_ms": 1000 * q[94],
        "rps": len(lat) / wall,
    }


def load(base: str, n: int, conc: int, seconds: float, kind: str) -> None:
    """The load generator (runs in its own process); prints one JSON line per endpoint."""
    for name, paths, _ in ENDPOINTS:
        res = asyncio.run(_endpoint(base, paths, n, conc, seconds, kind))
        print(json.dumps({"name": name, **res}), flush=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_server(cached: bool, a: argparse.Namespace) -> dict[str, dict]:
    """Start one server, load it from a second process, stop it; results by endpoint name."""
    import httpx

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    home = tempfile.mkdtemp(prefix="critmin-bench-")
    env = {**os.environ, "CRITMIN_HOME": home, "CRITMIN_API_CACHE": "1" if cached else "0"}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "critmin.api_server.app:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/api/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("the server did not start")
            time.sleep(0.2)
        gen = subprocess.run(
            [
                sys.executable,
                __file__,
                "--load",
                base,
                "--requests",
                str(a.requests),
                "--concurrency",
                str(a.concurrency),
                "--seconds",
                str(a.seconds),
                "--client",
                a.client,
            ],
            capture_output=True,
            text=True,
            timeout=60 + len(ENDPOINTS) * (a.seconds + 60),
            check=True,
        )
        return {r["name"]: r for r in map(json.loads, gen.stdout.splitlines())}
    finally:
        server.terminate()
        server.wait(timeout=20)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=1000, help="requests per endpoint")
    ap.add_argument("--concurrency", type=int, default=50, help="clients (connections)")
    ap.add_argument("--seconds", type=float, default=15.0, help="most time per endpoint [s]")
    ap.add_argument("--client", choices=["raw", "httpx"], default="raw")
    ap.add_argument("--no-uncached", action="store_true", help="skip the uncached server")
    ap.add_argument("--load", metavar="BASE_URL", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.load:
        load(a.load, a.requests, a.concurrency, a.seconds, a.client)
        return
    print(
        f"critmin API, one uvicorn process per run; load from a second process: "
        f"{a.concurrency} clients in a closed loop, {a.requests} requests per endpoint or "
        f"{a.seconds:g} s; client {a.client}; {os.cpu_count()} cores"
    )
    cached = run_server(True, a)
    uncached = {} if a.no_uncached else run_server(False, a)
    print(
        f"{'endpoint':30s} {'n':>5s} {'err':>3s} {'p50 ms':>7s} {'p95 ms':>7s} {'req/s':>7s} "
        f"{'p95/50ms':>8s} | {'uncached p50':>12s} {'p95 ms':>7s} {'speed-up':>8s}"
    )
    worst = 0.0
    for name, _, target in ENDPOINTS:
        r = cached[name]
        u = uncached.get(name)
        ratio = r["p95_ms"] / TARGET_MS
        if target:
            worst = max(worst, ratio)
        tail = (
            f"{u['p50_ms']:12.1f} {u['p95_ms']:7.1f} {u['p95_ms'] / r['p95_ms']:7.1f}x"
            if u
            else f"{'-':>12s} {'-':>7s} {'-':>8s}"
        )
        print(
            f"{name:30s} {r['n']:5d} {r['errors']:3d} {r['p50_ms']:7.1f} {r['p95_ms']:7.1f} "
            f"{r['rps']:7.0f} {ratio:7.2f}{'*' if target else ' '} | {tail}"
        )
        if u and u["errors"]:
            print(f"  (uncached: {u['errors']} errors)")
    print(
        f"* target endpoints (production, concentration, trade): worst p95 / 50 ms = "
        f"{worst:.2f} ({'meets' if worst < 1 else 'misses'} the target)"
    )


if __name__ == "__main__":
    main()
