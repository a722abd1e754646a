"""The REST API: the same figures as the Python API, useful 4xx errors, limits, API keys."""

from __future__ import annotations

import math
import sys

import pandas as pd
import pytest

import critmin
from critmin.api_server.config import get_config

from .conftest import API_KEY

V = "/api/v1"


def _close(a, b, rel=1e-9):
    if a is None or (isinstance(a, float) and math.isnan(a)):
        return b is None or (isinstance(b, float) and math.isnan(b))
    return b is not None and math.isclose(float(a), float(b), rel_tol=rel, abs_tol=1e-12)


# ----------------------------------------------------------------------------- meta


def test_health_version_limits(client):
    h = client.get(f"{V}/health").json()
    assert h["status"] == "ok" and h["version"] == critmin.__version__
    assert h["writes_enabled"] is True
    assert h["modules"]["scenario_runner"] is True
    v = client.get(f"{V}/version").json()
    assert v["api"] == "1.0" and "usgs_mcs2026" in v["datasets"]
    lim = client.get(f"{V}/limits").json()
    assert lim["max_rows"] == 10_000 and lim["max_draws"] == 20_000
    assert lim["max_body_bytes"] == 1 << 20


def test_openapi_schema_lists_the_resources(client):
    spec = client.get(f"{V}/openapi.json").json()
    paths = set(spec["paths"])
    for p in (
        "/api/v1/commodities",
        "/api/v1/commodities/{commodity}/production",
        "/api/v1/trade",
        "/api/v1/commodities/{commodity}/concentration",
        "/api/v1/risk/ranking",
        "/api/v1/scenarios/jobs",
        "/api/v1/jobs/{job_id}",
        "/api/v1/recovery/jobs",
        "/api/v1/sources",
    ):
        assert p in paths
    assert "X-API-Key" in str(spec["components"]["securitySchemes"])


def test_datasets_name_publisher_and_edition(client):
    ds = {d["dataset"]: d for d in client.get(f"{V}/datasets").json()}
    assert ds["usgs_mcs2026"]["edition"] == "MCS 2026"
    assert ds["iea_cmde_2024"]["edition"] == "May 2024"
    assert ds["baci"]["edition"] == "V202401b"
    assert "Geological Survey" in ds["usgs_mcs2026"]["publisher"]


def test_sources_are_the_manifest_files(client):
    files = client.get(f"{V}/sources").json()
    assert len(files) == len(critmin.sources())
    assert all(len(f["sha256"]) == 64 for f in files)


# ----------------------------------------------------------------------------- catalog


def test_commodities_and_one_commodity(client):
    allc = client.get(f"{V}/commodities").json()
    assert len(allc) == len(critmin.commodities())
    li = client.get(f"{V}/commodities/Li").json()  # an element symbol resolves
    assert li["commodity_id"] == "lithium"
    assert li["hs6"] == ["282520", "283691"]
    assert "India critical 2023" in li["lists"]
    cov = {(c["dataset"], c["stage"], c["measure"]) for c in li["coverage"]}
    assert ("usgs_mcs2026", "mine", "production") in cov
    with_data = {c["commodity_id"] for c in client.get(f"{V}/commodities?with_data=true").json()}
    assert "lithium" in with_data and len(with_data) < len(allc)


def test_unknown_commodity_is_404_with_suggestions(client):
    r = client.get(f"{V}/commodities/lithum/production")
    assert r.status_code == 404
    body = r.json()
    assert body["error"] == "UnknownCommodity"
    assert "lithium" in body["suggestions"]
    assert "did you mean" in body["detail"]


def test_groups(client):
    g = client.get(f"{V}/groups/trust").json()
    assert g["group_id"] == "TRUST" and g["members"] == ["IND", "USA"]
    assert client.get(f"{V}/groups/QAUD").status_code == 404
    assert {x["group_id"] for x in client.get(f"{V}/groups").json()} >= {"MSP", "QUAD", "TRUST"}


# ----------------------------------------------------------------------------- production


def test_production_rows_equal_the_python_api(client):
    body = client.get(f"{V}/commodities/lithium/production", params={"year": 2025}).json()
    want = critmin.production("lithium", year=2025)
    assert body["count"] == len(want) and not body["truncated"]
    got = pd.DataFrame(body["rows"])
    assert list(got["country_iso3"]) == list(want["country_iso3"])
    for a, b in zip(got.itertuples(), want.itertuples(), strict=True):
        assert _close(a.value, b.value) and _close(a.share, b.share)
        assert a.source_row == b.source_row and a.dataset == b.dataset
    aus = got[got["country_iso3"] == "AUS"].iloc[0]
    assert aus["value"] == 92_000 and aus["source_row"] == 4250  # MCS 2026, line 4250
    src = body["sources"][0]
    assert src["dataset"] == "usgs_mcs2026" and src["edition"] == "MCS 2026"
    assert src["source_id"].endswith("MCS2026_Commodities_Data.csv") and src["years"] == [2025]


def test_production_default_stage_is_the_commoditys_headline_stage(client, shared_data):
    """Silicon has no mine stage: the default is its smelter table, as in the Python API."""
    import csv

    body = client.get(f"{V}/commodities/silicon/production", params={"year": 2024}).json()
    assert body["count"] > 0 and {x["stage"] for x in body["rows"]} == {"smelter"}
    want = critmin.production("silicon", year=2024)
    assert [x["country_iso3"] for x in body["rows"]] == list(want["country_iso3"])
    # China's figure is the raw MCS 2026 row the API cites
    chn = next(x for x in body["rows"] if x["country_iso3"] == "CHN")
    with (shared_data / chn["source_id"]).open(encoding="cp1252", newline="") as fh:
        rows = list(csv.reader(fh))
    raw = dict(zip(rows[0], rows[chn["source_row"] - 1], strict=False))
    assert raw["Country"] == "China" and raw["Statistics_detail"] == "Silicon metal"
    assert raw["Year"] == "2024" and chn["value"] == float(raw["Value"].replace(",", ""))


def test_production_filters(client):
    r = client.get(
        f"{V}/commodities/lithium/production",
        params={"stage": "refinery", "source": "iea", "country": ["China", "CHL"], "year": 2023},
    ).json()
    assert {x["country_iso3"] for x in r["rows"]} == {"CHN", "CHL"}
    assert all(x["dataset"] == "iea_cmde_2024" for x in r["rows"])
    every = client.get(f"{V}/commodities/lithium/production", params={"stage": "all"}).json()
    # world tables only: the U.S.-only salient "Production" (stage total) is not a world table
    assert {x["stage"] for x in every["rows"]} == {"mine"}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"year": 3000}, "year"),
        ({"year": "abc"}, "year"),
        ({"year": 1800}, "year"),
        ({"stage": "mines"}, "stage"),
        ({"country": "Narnia"}, "country"),
        ({"source": "bad source!"}, "source"),
    ],
)
def test_bad_parameters_are_422_naming_the_parameter(client, params, field):
    r = client.get(f"{V}/commodities/lithium/production", params=params)
    assert r.status_code == 422, r.text
    assert field in r.json()["detail"]


def test_unknown_stage_and_country_suggest_names(client):
    r = client.get(f"{V}/commodities/lithium/production", params={"stage": "refinary"}).json()
    assert "refinery" in r["suggestions"]
    r = client.get(f"{V}/commodities/lithium/production", params={"country": "Inda"}).json()
    assert "India" in r["suggestions"]


def test_reserves_capacity_salient(client):
    res = client.get(f"{V}/commodities/lithium/reserves", params={"year": 2025}).json()
    want = critmin.reserves("lithium", year=2025)
    assert [r["value"] for r in res["rows"]] == [None if pd.isna(v) else v for v in want["value"]]
    sal = client.get(
        f"{V}/commodities/lithium/salient", params={"measure": "net_import_reliance"}
    ).json()
    assert sal["count"] == len(critmin.salient("lithium", measure="net_import_reliance"))
    assert client.get(f"{V}/commodities/cobalt/capacity").status_code == 200


def test_export_controls_and_import_sources(client):
    ec = client.get(f"{V}/commodities/lithium/export-controls").json()
    assert {r["country_iso3"] for r in ec["rows"]} == {"NAM", "ZWE"}
    assert ec["sources"][0]["source_id"].endswith("MCS2026_T4_Country_Export_Control.csv")
    chn = client.get(f"{V}/export-controls", params={"country": "CHN"}).json()
    assert chn["count"] == len(critmin.export_controls(country="CHN"))
    imp = client.get(f"{V}/commodities/lithium/import-sources").json()
    shares = {r["country_iso3"]: r["share_pct"] for r in imp["rows"]}
    assert shares["CHL"] == 54 and shares["ARG"] == 43
    assert imp["rows"][0]["nir_pct"] == 50


# ----------------------------------------------------------------------------- trade


def test_trade_pages_and_counts(client):
    want = critmin.trade("lithium", importer="IND", year=2023)
    r = client.get(
        f"{V}/trade", params={"commodity": "lithium", "importer": "IND", "year": 2023, "limit": 5}
    ).json()
    assert r["count"] == len(want) and len(r["rows"]) == 5 and r["truncated"]
    assert r["rows"][0]["value_kusd"] == pytest.approx(float(want["value_kusd"].iloc[0]))
    assert r["sources"][0]["dataset"] == "baci"
    r2 = client.get(
        f"{V}/trade",
        params={"commodity": "lithium", "importer": "IND", "year": 2023, "offset": 5, "limit": 5},
    ).json()
    assert r2["rows"][0]["source_row"] == int(want["source_row"].iloc[5])
    capped = client.get(f"{V}/trade", params={"hs6": "282520", "limit": 10**9}).json()
    assert capped["limit"] == get_config().max_rows


def test_trade_needs_a_filter_and_valid_codes(client):
    r = client.get(f"{V}/trade")
    assert r.status_code == 422 and "commodity" in r.json()["detail"]
    assert client.get(f"{V}/trade", params={"hs6": "12"}).status_code == 422
    assert client.get(f"{V}/trade", params={"commodity": "lithum"}).status_code == 422


def test_trade_partners_sum_the_flows(client):
    r = client.get(
        f"{V}/trade/partners", params={"commodity": "lithium", "country": "India", "year": 2024}
    ).json()
    t = critmin.trade("lithium", importer="IND", year=2024)
    assert r["total_value_kusd"] == pytest.approx(float(t["value_kusd"].sum()))
    by = t.groupby("exporter_iso3")["value_kusd"].sum()
    top = r["rows"][0]
    assert top["partner_iso3"] == by.idxmax() and top["value_kusd"] == pytest.approx(by.max())
    assert sum(x["share_value"] for x in r["rows"]) == pytest.approx(1.0)


# ----------------------------------------------------------------------------- metrics


def test_concentration_is_the_assessment(client):
    from critmin.assessments.concentration import concentration

    body = client.get(f"{V}/commodities/lithium/concentration", params={"source": "wmd"}).json()
    want = concentration("lithium", source="wmd")
    assert [r["year"] for r in body["rows"]] == list(want["year"])
    for a, b in zip(body["rows"], want.itertuples(), strict=True):
        assert _close(a["hhi_points"], b.hhi_points) and a["top1_country"] == b.top1_country
    assert body["rows"][0]["top1_name"] == "Australia"
    assert body["sources"][0]["dataset"] == "wmd"


def test_concentration_without_data_is_404(client):
    r = client.get(
        f"{V}/commodities/lithium/concentration", params={"measure": "reserves", "source": "wmd"}
    )
    assert r.status_code == 404 and r.json()["error"] == "NoData"


def test_bloc_share_is_the_assessment(client):
    from critmin.assessments.concentration import bloc_supply

    body = client.get(
        f"{V}/commodities/cobalt/bloc-share", params={"group": "msp", "year": 2025}
    ).json()
    want = bloc_supply("cobalt", "MSP", year=2025)
    assert body["group"] == "MSP"
    assert body["rows"][0]["bloc_share"] == pytest.approx(float(want["bloc_share"].iloc[0]))
    one = client.get(f"{V}/commodities/cobalt/bloc-share", params={"group": "India"}).json()
    assert one["members"] == ["IND"]
    bad = client.get(f"{V}/commodities/cobalt/bloc-share", params={"group": "QADU"})
    assert bad.status_code == 422 and "QUAD" in bad.json()["suggestions"]


def test_reliance(client):
    us = client.get(f"{V}/reliance/us", params={"commodity": "lithium"}).json()
    assert us["count"] > 0 and {r["commodity_id"] for r in us["rows"]} == {"lithium"}
    dep = client.get(
        f"{V}/reliance/import-dependence",
        params={"country": "IND", "commodity": "lithium", "year": 2023},
    ).json()
    assert {r["hs6"] for r in dep["rows"]} == {"282520", "283691"}


# ----------------------------------------------------------------------------- risk


def test_risk_ranking_is_the_assessment(client):
    from critmin.assessments.risk import risk

    body = client.get(f"{V}/risk/ranking", params={"subject": "India"}).json()
    want = risk(country="IND")
    assert [r["commodity_id"] for r in body["rows"]] == list(want["commodity_id"])
    assert body["rows"][0]["rank"] == 1 and body["meta"]["subject"] == "IND"
    assert {s["dataset"] for s in body["sources"]} >= {"baci", "wmd", "wgi"}
    grp = client.get(f"{V}/risk/ranking", params={"subject": "TRUST", "by": "hhi"}).json()
    assert grp["meta"]["is_group"] is True and grp["meta"]["members"] == ["IND", "USA"]
    w = client.get(
        f"{V}/risk/ranking", params={"subject": "IND", "w_hhi": 1, "w_import_reliance": 0}
    ).json()
    assert w["meta"]["weights"] == {"hhi": 1.0}  # zero weights are dropped by rank_minerals


def test_risk_matrix_and_years(client):
    m = client.get(f"{V}/risk/matrix", params={"subject": "QUAD"}).json()
    assert m["figure"]["data"][0]["type"] == "scatter"
    assert len(m["figure"]["data"][0]["x"]) > 5
    assert client.get(f"{V}/risk/years").json() == [2018, 2019, 2020, 2021, 2022, 2023, 2024]
    assert (
        client.get(f"{V}/risk/ranking", params={"subject": "IND", "year": 1999}).status_code == 404
    )
    assert client.get(f"{V}/risk/ranking", params={"subject": "Atlantis"}).status_code == 422


def test_geopolrisk_series(client):
    r = client.get(f"{V}/risk/geopolrisk", params={"country": "IND", "commodity": "cobalt"}).json()
    assert r["count"] > 0 and {x["commodity_id"] for x in r["rows"]} == {"cobalt"}


def test_a_missing_module_is_501_not_500(client, monkeypatch):
    monkeypatch.setitem(sys.modules, "critmin.assessments.risk", None)  # import fails
    r = client.get(f"{V}/risk/ranking", params={"subject": "IND"})
    assert r.status_code == 501
    assert r.json()["error"] == "NotAvailable" and "critmin.assessments.risk" in r.json()["detail"]


def test_no_runner_is_501(monkeypatch):
    from fastapi.testclient import TestClient

    from critmin.api_server import create_app

    app = create_app(scenario_runner="critmin.no_such_runner", job_mode="thread", api_key=API_KEY)
    with TestClient(app) as c:
        r = c.get(f"{V}/scenarios/presets")
        assert r.status_code == 501 and "critmin.no_such_runner" in r.json()["detail"]
        r = c.post(
            f"{V}/scenarios/jobs", json={"preset": "china_ree_2025"}, headers={"X-API-Key": API_KEY}
        )
        assert r.status_code == 501
        assert c.get(f"{V}/health").json()["modules"]["scenario_runner"] is False


# ----------------------------------------------------------------------------- writes


CSV = "commodity,country,year,value,unit,stage\nlithium,India,2024,1500,t,mine\nlithium,World,2024,240000,t,mine\n"


def test_writes_without_a_configured_key_are_403(client_nokey):
    r = client_nokey.post(f"{V}/imports", json={"name": "mine", "csv": CSV})
    assert r.status_code == 403
    assert "CRITMIN_API_KEY" in r.json()["detail"]
    assert client_nokey.get(f"{V}/health").json()["writes_enabled"] is False


def test_writes_need_the_right_key(client):
    r = client.post(f"{V}/imports", json={"name": "mine", "csv": CSV})
    assert r.status_code == 401
    r = client.post(
        f"{V}/imports", json={"name": "mine", "csv": CSV}, headers={"X-API-Key": "wrong"}
    )
    assert r.status_code == 401


def test_import_then_read_then_delete(client):
    h = {"X-API-Key": API_KEY}
    r = client.post(f"{V}/imports", json={"name": "myfile", "csv": CSV}, headers=h)
    assert r.status_code == 201, r.text
    assert r.json() == {"name": "myfile", "dataset": "user:myfile", "rows": 2}
    rows = client.get(
        f"{V}/commodities/lithium/production", params={"source": "user", "stage": "mine"}
    ).json()["rows"]
    ind = next(x for x in rows if x["country_iso3"] == "IND")
    assert ind["value"] == 1500 and ind["share"] == pytest.approx(1500 / 240000)
    assert ind["dataset"] == "user:myfile"
    assert client.get(f"{V}/imports").json()["count"] == 1
    assert client.delete(f"{V}/imports/myfile", headers=h).status_code == 204
    assert client.delete(f"{V}/imports/myfile", headers=h).status_code == 404


def test_a_bad_import_lists_every_problem(client):
    bad = "commodity,country,year,value,unit\nlithum,India,20x4,-1,t\n"
    r = client.post(
        f"{V}/imports", json={"name": "bad", "csv": bad}, headers={"X-API-Key": API_KEY}
    )
    assert r.status_code == 422
    d = r.json()["detail"]
    assert "lithum" in d and "year" in d and "nothing was imported" in d


def test_request_bodies_are_bounded(client):
    big = "x" * (get_config().max_body_bytes + 10)
    r = client.post(
        f"{V}/imports", json={"name": "big", "csv": big}, headers={"X-API-Key": API_KEY}
    )
    assert r.status_code == 413 and "CRITMIN_API_MAX_BODY" in r.json()["detail"]


def test_bad_json_body_is_422(client):
    r = client.post(
        f"{V}/scenarios/jobs", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 422


# ----------------------------------------------------------------------------- static


def test_dashboard_and_offline_assets(client):
    import plotly

    page = client.get("/")
    assert page.status_code == 200 and "/static/plotly.min.js" in page.text
    js = client.get("/static/plotly.min.js")
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
    from pathlib import Path

    assert (
        js.content == (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_bytes()
    )
    topo = client.get("/static/topojson/world_110m.json").json()
    assert "countries" in topo["objects"]
    assert client.get("/static/topojson/usa_50m.json").status_code == 404
    assert client.get("/static/js/main.js").status_code == 200


def test_no_cdn_links_in_the_dashboard():
    from critmin.api_server.app import WEB_DIR

    for p in (
        list(WEB_DIR.rglob("*.js")) + list(WEB_DIR.rglob("*.html")) + list(WEB_DIR.rglob("*.css"))
    ):
        text = p.read_text(encoding="utf-8")
        for bad in ("cdn.", "unpkg", "jsdelivr", "googleapis", '<script src="http'):
            assert bad not in text, f"{p.name} mentions {bad}"


def test_config_from_environment():
    cfg = get_config(
        {"CRITMIN_API_KEY": " k ", "CRITMIN_API_MAX_ROWS": "50", "CRITMIN_API_JOBS": "thread"}
    )
    assert cfg.api_key == "k" and cfg.max_rows == 50 and cfg.job_mode == "thread"
    assert get_config({"CRITMIN_API_KEY": ""}).api_key is None
    with pytest.raises(ValueError, match="CRITMIN_API_MAX_ROWS"):
        get_config({"CRITMIN_API_MAX_ROWS": "many"})
    with pytest.raises(ValueError, match="CRITMIN_API_JOBS"):
        get_config({"CRITMIN_API_JOBS": "gpu"})


def test_row_limit_truncates(app):
    from fastapi.testclient import TestClient

    from critmin.api_server import create_app

    with TestClient(create_app(max_rows=3, job_mode="thread")) as c:
        r = c.get(f"{V}/commodities/lithium/production").json()
        assert r["count"] == 3 and r["truncated"] is True
