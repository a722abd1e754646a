"""Scenario and recovery runs as asynchronous jobs: progress, results, errors, limits."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from critmin.api_server import create_app

from .conftest import API_KEY

V = "/api/v1"
KEY = {"X-API-Key": API_KEY}
PARAMS = Path(__file__).resolve().parents[1] / "fixtures" / "recovery" / "test_parameters.csv"


@pytest.fixture
def client(app):
    """Compute jobs need the API key: this client sends it with every request."""
    with TestClient(app, headers=KEY) as c:
        yield c


@pytest.mark.parametrize("path", ["/scenarios/jobs", "/recovery/jobs"], ids=["scen", "rec"])
def test_compute_jobs_need_the_api_key(app, client_nokey, path):
    body: dict = {"preset": "china_ree_2025", "draws": 10}
    if "recovery" in path:
        body = {"parameters_csv": PARAMS.read_text()}
    r = client_nokey.post(V + path, json=body)
    assert r.status_code == 403 and r.json()["error"] == "ApiKeyRequired"
    assert "CRITMIN_API_KEY=" in r.json()["detail"]  # the fix: start the server with a key
    with TestClient(app) as anon:
        before = len(anon.get(f"{V}/jobs").json())
        r = anon.post(V + path, json=body)
        assert r.status_code == 401 and "X-API-Key" in r.json()["detail"]
        r = anon.post(V + path, json=body, headers={"X-API-Key": API_KEY + "x"})
        assert r.status_code == 401 and "wrong API key" in r.json()["detail"]
        assert len(anon.get(f"{V}/jobs").json()) == before  # nothing was queued
    # the OpenAPI schema marks both as needing the key
    op = client_nokey.get(f"{V}/openapi.json").json()["paths"][f"{V}{path}"]["post"]
    assert op["security"] and {"401", "403"} <= set(op["responses"])


def wait(client, job, timeout=120.0):
    url = job["status_url"]
    seen = []
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        j = client.get(url).json()
        seen.append((j["status"], j["progress"]))
        if j["status"] in ("done", "failed", "cancelled"):
            return j, seen
        time.sleep(0.05)
    raise AssertionError(f"job still {j['status']} after {timeout} s")


def test_presets_are_the_shipped_t4_presets(client):
    from critmin.scenarios.presets import preset_ids

    ps = client.get(f"{V}/scenarios/presets").json()
    assert [p["name"] for p in ps] == preset_ids()
    ree = next(p for p in ps if p["name"] == "china_ree_2025")
    assert ree["source"]["line"] == 15 and ree["source"]["file"].endswith(
        "T4_Country_Export_Control.csv"
    )
    assert ree["spec"]["shocks"][0]["country"] == "CHN"
    assert "cut" in ree["parameters"]


def test_preset_job_gives_the_runners_numbers(client):
    from critmin.scenarios.runner import run_scenario

    r = client.post(
        f"{V}/scenarios/jobs", json={"preset": "china_ree_2025", "draws": 200, "focus": ["IND"]}
    )
    assert r.status_code == 202, r.text
    job, seen = wait(client, r.json())
    assert job["status"] == "done", job["error"]
    assert job["progress"] == 1.0
    progress = [p for _, p in seen]
    assert progress == sorted(progress)  # never goes backwards
    res = job["result"]
    assert res["scenario"]["draws"] == 200 and res["scenario"]["seed"] == 2026
    assert res["scenario"]["preset"]["id"] == "china_ree_2025"
    years = res["scenario"]["years"]
    pair = next(p for p in res["pairs"] if p["importer"] == "IND")
    assert len(pair["fan"]["p50_t"]) == len(years)
    assert all(
        a <= b <= c
        for a, b, c in zip(
            pair["fan"]["p5_t"], pair["fan"]["p50_t"], pair["fan"]["p95_t"], strict=True
        )
    )
    # the same run in Python gives the same median shortfall (same seed)
    run = run_scenario("china_ree_2025", n_draws=200)
    st = run.tables["shortfall"]
    want = st[(st["importer_iso3"] == "IND") & (st["commodity_id"] == pair["commodity"])]
    want = want.set_index("year").reindex(years)["p50_t"].fillna(0.0).to_numpy()
    np.testing.assert_allclose(pair["fan"]["p50_t"], want, rtol=1e-9)
    fills = {w["source"]: w for w in pair["who_fills"]}
    assert "shortfall" in fills
    wf = run.who_fills("IND", pair["commodity"])
    assert fills["shortfall"]["total_t"] == pytest.approx(float(np.nansum(wf.loc["shortfall"])))
    srcs = {s["dataset"]: s for s in res["sources"]}
    assert srcs["usgs_mcs2026"]["rows"] == "15" and "baci" in srcs


def test_spec_job_and_params(client):
    spec = {
        "name": "cobalt-cut",
        "base_year": 2023,
        "horizon": {"start": 2024, "end": 2025},
        "shocks": [
            {
                "country": "COD",
                "commodities": ["282200"],
                "cut": 0.5,
                "start_year": 2024,
                "duration": 1,
            }
        ],
        "draws": 50,
        "seed": 1,
    }
    job, _ = wait(client, client.post(f"{V}/scenarios/jobs", json={"spec": spec}).json())
    assert job["status"] == "done", job["error"]
    assert job["result"]["scenario"]["name"] == "cobalt-cut"
    assert job["result"]["pairs"]
    r = client.post(
        f"{V}/scenarios/jobs",
        json={"preset": "china_ree_2025", "params": {"cut": 0.5}, "draws": 20},
    )
    job, _ = wait(client, r.json())
    assert job["status"] == "done"
    p = job["result"]["pairs"][0]["fan"]
    assert p["p5_t"] == pytest.approx(p["p95_t"])  # a fixed cut: no spread


@pytest.mark.parametrize(
    ("body", "status", "text"),
    [
        ({"preset": "china_ree_2052"}, 404, "china_ree_2025"),
        ({}, 422, "preset"),
        ({"preset": "china_ree_2025", "draws": 10**7}, 422, "at most"),
        ({"preset": "china_ree_2025", "params": {"cutt": 1}}, 422, "cut"),
        ({"spec": {"base_year": 2023}}, 422, "horizon"),
        ({"preset": "china_ree_2025", "unknown": 1}, 422, "unknown"),
        ({"preset": "china_ree_2025", "draws": 0}, 422, "draws"),
    ],
)
def test_bad_scenario_requests_are_4xx(client, body, status, text):
    r = client.post(f"{V}/scenarios/jobs", json=body)
    assert r.status_code == status, r.text
    assert text in r.text


def test_saving_a_run_needs_the_key_and_can_be_read_back(client):
    r = client.post(
        f"{V}/scenarios/jobs",
        json={"preset": "china_ree_2025", "draws": 20, "save_as": "ree"},
        headers={"X-API-Key": "not-the-key"},
    )
    assert r.status_code == 401
    r = client.post(
        f"{V}/scenarios/jobs",
        json={"preset": "china_ree_2025", "draws": 20, "save_as": "ree"},
        headers={"X-API-Key": API_KEY},
    )
    job, _ = wait(client, r.json())
    assert job["status"] == "done" and job["result"]["saved_as"] == "ree"
    listed = client.get(f"{V}/scenarios/saved").json()
    assert [x["name"] for x in listed["rows"]] == ["ree"]
    again = client.get(f"{V}/scenarios/saved/ree").json()
    assert again["pairs"][0]["fan"] == job["result"]["pairs"][0]["fan"]
    assert client.get(f"{V}/scenarios/saved/nope").status_code == 404


def test_unknown_job_is_404(client):
    assert client.get(f"{V}/jobs/0123abcd").status_code == 404
    assert client.get(f"{V}/jobs/not-hex!").status_code == 422
    assert client.delete(f"{V}/jobs/0123abcd").status_code == 404


def test_recovery_job_equals_the_python_api(client):
    from critmin.circular.api import recovery_analysis

    r = client.post(
        f"{V}/recovery/jobs", json={"parameters_csv": PARAMS.read_text(), "elements": ["Li", "Co"]}
    )
    assert r.status_code == 202, r.text
    job, _ = wait(client, r.json())
    assert job["status"] == "done", job["error"]
    res = job["result"]
    want = recovery_analysis(str(PARAMS), "iea", elements=["Li", "Co"]).summary()
    got = {s["element"]: s for s in res["summary"]}
    for row in want.itertuples():
        assert got[row.element]["recovered_cum"] == pytest.approx(row.recovered_cum, rel=1e-9)
    assert {s["element"] for s in res["series"]} == {"Li", "Co"}
    assert res["violations"] == 0
    assert res["sources"][0]["dataset"] == "iea_cmde_2024"
    assert any("TEST VALUE" in s for s in res["parameter_sources"])


def test_recovery_errors(client):
    # without parameters the job runs on the sourced defaults, but a grid needs parameters
    r = client.post(f"{V}/recovery/jobs", json={"collection": [0.5, 0.9]})
    assert r.status_code == 422 and "parameters" in r.json()["detail"]
    r = client.post(f"{V}/recovery/jobs", json={"parameters_csv": "a,b\n1,2\n", "first_year": 2030})
    assert r.status_code == 422
    r = client.post(
        f"{V}/recovery/jobs",
        json={"parameters_csv": "a,b\n1,2\n", "save_as": "x"},
        headers={"X-API-Key": ""},
    )
    assert r.status_code == 401
    # a job whose parameters are wrong fails with the library's message, not a crash
    job, _ = wait(
        client,
        client.post(
            f"{V}/recovery/jobs", json={"parameters_csv": "parameter,value\nlifetime_mean,3\n"}
        ).json(),
    )
    assert job["status"] == "failed"
    assert job["error"]["status"] in (404, 422) and job["error"]["detail"]
    assert client.get(f"{V}/recovery/runs").json()["count"] == 0


def test_jobs_in_worker_processes():
    """The default mode: jobs in a pool of spawned processes, progress over a queue."""
    app = create_app(job_mode="process", workers=1, api_key=API_KEY)
    with TestClient(app, headers=KEY) as c:
        r = c.post(f"{V}/scenarios/jobs", json={"preset": "china_antimony_2024", "draws": 100})
        job, seen = wait(c, r.json(), timeout=180)
        assert job["status"] == "done", job["error"]
        assert job["result"]["pairs"]
        assert any(s == "running" for s, _ in seen) or job["started"] is not None
        jobs = c.get(f"{V}/jobs").json()
        assert jobs[0]["id"] == job["id"] and jobs[0]["result"] is None


def test_queue_is_bounded():
    app = create_app(job_mode="thread", workers=1, max_queued=0, api_key=API_KEY)
    with TestClient(app, headers=KEY) as c:
        r = c.post(f"{V}/scenarios/jobs", json={"preset": "china_ree_2025", "draws": 10})
        assert r.status_code == 429 and r.json()["error"] == "QueueFull"
