"""``/api/v1/plan/...``: the same figures as the Python API, one clear error per bad request."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from critmin import plan
from critmin.api_server import create_app

V = "/api/v1/plan"


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(api_key="plan-test-key", job_mode="thread", workers=1)) as c:
        yield c


def test_partners_matches_python_api(client):
    r = client.get(
        f"{V}/partners",
        params={"commodity": "lithium", "importer": "IND", "stage": "refinery", "bloc": "MSP"},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    py = plan.partners("lithium", "IND", stage="refinery", bloc="MSP")
    got = {row["supplier"]: row["optimum_share"] for row in body["tables"]["mix"]}
    want = py.mix.set_index("supplier")["optimum_share"].to_dict()
    assert got == pytest.approx(want, abs=1e-9)
    assert sum(got.values()) == pytest.approx(1.0)
    assert len(body["tables"]["frontier"]) == 7
    assert body["units"]["capacity_t"].startswith("t")
    assert any("BACI" in s for s in body["sources"])


def test_partners_errors_say_how_to_fix(client):
    r = client.get(f"{V}/partners", params={"commodity": "lithum"})
    assert r.status_code == 404
    assert "lithium" in r.json()["detail"]
    r = client.get(
        f"{V}/partners",
        params={"commodity": "lithium", "stage": "refinery", "bloc": "TRUST", "demand_t": 1e9},
    )
    assert r.status_code == 422
    assert "fix" in r.json()["detail"]


def test_stress_stockpile_bloc(client):
    r = client.get(
        f"{V}/stress",
        params={"commodity": "lithium", "stage": "refinery", "sector": "defence", "top": 2},
    )
    assert r.status_code == 200, r.text
    rows = r.json()["tables"]["table"]
    assert rows[0]["cut_p50"] == pytest.approx(rows[0]["closed_form"], abs=1.5e-3)
    r = client.get(f"{V}/stockpile", params={"preset": "china_ree_2025", "draws": 50})
    assert r.status_code == 200, r.text
    assert {v["variant"] for v in r.json()["tables"]["variants"]} >= {
        "no response",
        "with recycling",
    }
    r = client.get(
        f"{V}/stockpile", params={"preset": "china_ree_2025", "spare_lo": 0.3, "spare_hi": 0.1}
    )
    assert r.status_code == 422 and "spare_lo <= spare_hi" in r.json()["detail"]
    r = client.get(f"{V}/bloc", params={"group": "TRUST", "commodity": "cobalt"})
    assert r.status_code == 200, r.text
    assert r.json()["summary"]["members"] == ["IND", "USA"]
