"""The response cache: identical answers, invalidation when the data changes, bounds."""

from __future__ import annotations

import asyncio
import json
import shutil

import pandas as pd
import pytest
from fastapi.testclient import TestClient

import critmin
from critmin.api_server import create_app
from critmin.api_server._cache import CachedReads, ResponseCache, cacheable
from critmin.api_server.config import get_config
from critmin.api_server.deps import data_version, write_workspace
from critmin.store import active_dataset_dir, use_dataset

from .conftest import API_KEY

V = "/api/v1"
PROD = f"{V}/commodities/lithium/production"


@pytest.fixture
def cached_client():
    with TestClient(create_app(api_key=API_KEY, job_mode="thread")) as c:
        yield c


def _aus_2024(body: dict) -> float:
    return next(
        r["value"]
        for r in body["rows"]
        if r["country_iso3"] == "AUS" and r["year"] == 2024 and r["stage"] == "mine"
    )


# ----------------------------------------------------------------------------- identical


@pytest.mark.parametrize(
    "url",
    [
        f"{PROD}?year=2024",
        f"{V}/commodities/cobalt/production?stage=all",
        f"{V}/commodities/lithium/concentration",
        f"{V}/trade?commodity=lithium&importer=IND&year=2023",
        f"{V}/trade/partners?commodity=lithium&country=IND",
    ],
)
def test_a_cached_answer_is_the_fresh_answer_byte_for_byte(cached_client, url):
    first = cached_client.get(url)
    second = cached_client.get(url)
    assert first.status_code == second.status_code == 200
    assert first.headers["x-critmin-cache"] == "miss"
    assert second.headers["x-critmin-cache"] == "hit"
    assert second.content == first.content
    assert second.headers["content-type"] == first.headers["content-type"]
    assert "Content-Security-Policy" in second.headers  # the outer middleware still runs
    with TestClient(create_app(response_cache=False)) as plain:
        fresh = plain.get(url)
    assert "x-critmin-cache" not in fresh.headers
    assert fresh.content == second.content


def test_cached_rows_equal_the_python_api(cached_client):
    cached_client.get(f"{PROD}?year=2024")
    body = cached_client.get(f"{PROD}?year=2024").json()
    df = critmin.production("lithium", year=2024)
    assert body["count"] == len(df)
    aus = df[(df["country_iso3"] == "AUS")]
    assert _aus_2024(body) == pytest.approx(float(aus["value"].iloc[0]), rel=1e-12)


def test_only_read_endpoints_are_cached():
    assert cacheable("GET", f"{V}/commodities")
    assert cacheable("GET", f"{V}/commodities/rare earths/concentration")
    assert cacheable("GET", f"{V}/trade/partners")
    assert cacheable("GET", f"{V}/plan/partners")
    for path in (f"{V}/health", f"{V}/jobs", f"{V}/imports", f"{V}/recovery/runs", "/"):
        assert not cacheable("GET", path), path
    assert not cacheable("POST", f"{V}/commodities")
    assert not cacheable("GET", f"{V}/commodities/lithium/production/extra")


def test_a_bad_request_is_not_kept(cached_client):
    r1 = cached_client.get(f"{PROD}?stage=mien")
    r2 = cached_client.get(f"{PROD}?stage=mien")
    assert r1.status_code == r2.status_code == 422
    assert r2.headers["x-critmin-cache"] == "miss"


# ----------------------------------------------------------------------------- invalidation


CSV = "commodity,country,year,value,unit,stage\nlithium,India,2024,1500,t,mine\nlithium,World,2024,240000,t,mine\n"


def test_an_import_through_the_api_changes_the_answer(cached_client):
    url = f"{PROD}?source=user&stage=mine"
    before = cached_client.get(url)
    assert cached_client.get(url).headers["x-critmin-cache"] == "hit"
    assert all(r["country_iso3"] != "IND" for r in before.json().get("rows", []))
    r = cached_client.post(
        f"{V}/imports", json={"name": "mine", "csv": CSV}, headers={"X-API-Key": API_KEY}
    )
    assert r.status_code == 201, r.text
    after = cached_client.get(url)
    assert after.headers["x-critmin-cache"] == "miss"
    ind = next(x for x in after.json()["rows"] if x["country_iso3"] == "IND")
    assert ind["value"] == 1500 and ind["share"] == pytest.approx(1500 / 240000)
    assert (
        cached_client.delete(f"{V}/imports/mine", headers={"X-API-Key": API_KEY}).status_code == 204
    )
    gone = cached_client.get(url)
    assert gone.headers["x-critmin-cache"] == "miss"
    assert all(r["country_iso3"] != "IND" for r in gone.json().get("rows", []))


def _dataset_copy(src, dest, factor: float) -> None:
    """Dataset `src` with Australia's lithium values times `factor`, written to `dest`."""
    dest.mkdir(parents=True, exist_ok=True)
    obs = pd.read_parquet(src / "observations.parquet")
    mask = (obs["commodity_id"] == "lithium") & (obs["country_iso3"] == "AUS")
    obs.loc[mask, "value"] = obs.loc[mask, "value"] * factor
    obs.to_parquet(dest / "observations.parquet", index=False)
    manifest = json.loads((src / "manifest.json").read_text(encoding="utf-8"))
    manifest["test_factor"] = factor  # a rebuild rewrites the manifest
    (dest / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def test_data_use_and_a_rebuild_in_place_change_the_answer(cached_client, tmp_path):
    url = f"{PROD}?year=2024"
    packaged = _aus_2024(cached_client.get(url).json())
    assert cached_client.get(url).headers["x-critmin-cache"] == "hit"
    other = tmp_path / "doubled"
    src = active_dataset_dir()
    _dataset_copy(src, other, 2.0)
    use_dataset(other)  # what `critmin data use` does
    try:
        r = cached_client.get(url)
        assert r.headers["x-critmin-cache"] == "miss"
        assert _aus_2024(r.json()) == pytest.approx(2 * packaged)
        # rebuilt in place: same folder, new tables and manifest
        _dataset_copy(src, other, 3.0)
        r = cached_client.get(url)
        assert r.headers["x-critmin-cache"] == "miss"
        assert _aus_2024(r.json()) == pytest.approx(3 * packaged)
    finally:
        use_dataset(None)
    back = cached_client.get(url)
    assert _aus_2024(back.json()) == packaged
    shutil.rmtree(other)


def test_data_version_follows_workspace_writes(tmp_path):
    v0 = data_version()
    assert data_version() == v0  # nothing changed: the same stamp
    write_workspace(lambda: None)  # an API write, even one that leaves the file alone
    assert data_version() != v0


# ----------------------------------------------------------------------------- bounds


def test_lru_bounds_entries_and_bytes():
    c = ResponseCache(max_entries=2, max_bytes=10, max_entry_bytes=6)
    assert c.put("a", 200, [], b"1234")
    assert c.put("b", 200, [], b"12")
    assert c.get("a") is not None  # a is now the most recently used
    assert c.put("c", 200, [], b"123")  # three entries: b (least recently used) goes
    assert c.get("b") is None and len(c) == 2 and c.nbytes == 7
    assert c.put("d", 200, [], b"123456")  # three entries again: a goes; c + d = 9 bytes
    assert c.get("a") is None and c.nbytes == 9
    assert c.put("f", 200, [], b"12345")  # c goes (entries), then d (6 + 5 = 11 bytes > 10)
    assert [k for k in ("c", "d", "f") if c.get(k) is not None] == ["f"] and c.nbytes == 5
    assert not c.put("e", 200, [], b"1234567")  # over max_entry_bytes: not kept
    assert c.get("e") is None and c.nbytes == 5


def test_bad_cache_settings_are_named():
    with pytest.raises(ValueError, match="max_entries=0"):
        ResponseCache(max_entries=0)
    with pytest.raises(ValueError, match="CRITMIN_API_CACHE='maybe'"):
        get_config(environ={"CRITMIN_API_CACHE": "maybe"})
    assert get_config(environ={"CRITMIN_API_CACHE": "0"}).response_cache is False
    assert get_config(environ={}).response_cache is True
    assert get_config(environ={"CRITMIN_API_CACHE_MB": "16"}).cache_mb == 16


def test_an_answer_computed_while_the_data_changed_is_not_kept():
    stamps = iter(range(100))

    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    cache = ResponseCache()
    mw = CachedReads(app, cache, version=lambda: next(stamps))  # a new stamp on every call
    sent: list[dict] = []

    async def send(msg):
        sent.append(msg)

    async def receive():
        return {"type": "http.request", "body": b""}

    scope = {"type": "http", "method": "GET", "path": f"{V}/commodities", "query_string": b""}
    asyncio.run(mw(scope, receive, send))
    assert len(cache) == 0 and sent[-1]["body"] == b"{}"
    steady = CachedReads(app, cache, version=lambda: 1)
    asyncio.run(steady(scope, receive, send))
    assert len(cache) == 1
