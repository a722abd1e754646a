"""Latency and throughput of the REST API's main read endpoints under concurrent load.

Starts ``critmin`` (uvicorn, one process) on a free loopback port, then a *second process*
(this file with ``--load``) that sends requests with asyncio + httpx: for each endpoint a
warm-up, then ``--requests`` requests with ``--concurrency`` in flight, stopping early after
``--seconds``.  Prints p50 / p95 latency [ms] and requests per second per endpoint, in one
run; no assertions.  Loopback only; every loop is bounded in count and time.

    .venv/bin/python benchmarks/bench_api.py [--requests 300] [--concurrency 16] [--seconds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ENDPOINTS = [
    ("health", "/api/v1/health"),
    ("commodities", "/api/v1/commodities"),
    ("production lithium 2025", "/api/v1/commodities/lithium/production?year=2025"),
    ("production cobalt, all years", "/api/v1/commodities/cobalt/production?stage=all"),
    ("reserves lithium", "/api/v1/commodities/lithium/reserves"),
    ("concentration lithium", "/api/v1/commodities/lithium/concentration"),
    ("trade lithium IND 2023", "/api/v1/trade?commodity=lithium&importer=IND&year=2023"),
    ("trade partners IND", "/api/v1/trade/partners?commodity=lithium&country=IND"),
    ("risk ranking IND (cached)", "/api/v1/risk/ranking?subject=IND"),
]


async def _one(client, url: str, lat: list[float], errors: list[int]) -> None:
    t = time.perf_counter()
    r = await client.get(url)
    lat.append(time.perf_counter() - t)
    if r.status_code != 200:
        errors.append(r.status_code)


async def _endpoint(base: str, path: str, n: int, conc: int, seconds: float) -> dict:
    import httpx

    limits = httpx.Limits(max_connections=conc, max_keepalive_connections=conc)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
        for _ in range(3):  # warm-up (first call fills caches, opens the store)
            await client.get(path)
        lat: list[float] = []
        errors: list[int] = []
        sem = asyncio.Semaphore(conc)
        deadline = time.perf_counter() + seconds

        async def task() -> None:
            async with sem:
                if time.perf_counter() < deadline:
                    await _one(client, path, lat, errors)

        t0 = time.perf_counter()
        await asyncio.gather(*(task() for _ in range(n)))
        wall = time.perf_counter() - t0
    q = statistics.quantiles(lat, n=100) if len(lat) >= 2 else [lat[0]] * 99
    return {
        "n": len(lat),
        "errors": len(errors),
        "p50_ms": 1000 * statistics.median(lat),
        "p95_ms": 1000 * q[94],
        "rps": len(lat) / wall,
    }


def load(base: str, n: int, conc: int, seconds: float) -> None:
    """The load generator (runs in its own process); prints one JSON line per endpoint."""
    for name, path in ENDPOINTS:
        res = asyncio.run(_endpoint(base, path, n, conc, seconds))
        print(json.dumps({"name": name, "path": path, **res}), flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=300)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--load", metavar="BASE_URL", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.load:
        load(a.load, a.requests, a.concurrency, a.seconds)
        return
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    home = tempfile.mkdtemp(prefix="critmin-bench-")
    env = {**os.environ, "CRITMIN_HOME": home}
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
        import httpx

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
        print(
            f"critmin API on {base}: one uvicorn process; load from a second process, "
            f"{a.requests} requests per endpoint, {a.concurrency} in flight, at most {a.seconds:g} s "
            f"each; {os.cpu_count()} cores"
        )
        print(f"{'endpoint':32s} {'n':>5s} {'err':>4s} {'p50 ms':>8s} {'p95 ms':>8s} {'req/s':>8s}")
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
            ],
            capture_output=True,
            text=True,
            timeout=60 + len(ENDPOINTS) * (a.seconds + 30),
            check=True,
        )
        for line in gen.stdout.splitlines():
            r = json.loads(line)
            print(
                f"{r['name']:32s} {r['n']:5d} {r['errors']:4d} {r['p50_ms']:8.1f} "
                f"{r['p95_ms']:8.1f} {r['rps']:8.1f}"
            )
    finally:
        server.terminate()
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
