"""The dashboard in headless Chromium: every page loads, reacts, and shows the API's figures."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from .conftest import WEB_KEY, shot

PARAMS = Path(__file__).resolve().parents[1] / "fixtures" / "recovery" / "test_parameters.csv"


def _num(x):
    return None if x in ("", None) else float(x)


def _check_overview(page, api, commodity, stage, source):
    """The top-producer table and the map show exactly the API's rows for the year shown."""
    year = int(page.input_value("#ov-year"))
    rows = api.get(
        f"/commodities/{commodity}/production", params={"stage": stage, "source": source}
    ).json()["rows"]
    dom = page.eval_on_selector_all(
        "#top-producers tbody tr",
        "trs => trs.map(t => [t.dataset.iso3, t.dataset.value, t.dataset.share, t.cells[5].textContent])",
    )
    assert dom, "no producers shown"
    # (IEA's workbook holds several years on one line, so the year is part of the key)
    by_ref = {(r["dataset"], r["source_row"], r["year"]): r for r in rows}
    series = None
    for iso, value, share, ref in dom:
        ds, line = ref.split()
        r = by_ref[(ds, int(line), year)]
        assert r["country_iso3"] == iso
        assert _num(value) == r["value"]
        if iso != "WLD":
            assert (
                _num(share) == pytest.approx(r["share"], rel=1e-12, abs=1e-15)
                if r["share"] is not None
                else share == ""
            )
        series = (r["dataset"], r["series"])
    table = [r for r in rows if r["year"] == year and (r["dataset"], r["series"]) == series]
    want = {
        r["country_iso3"]: 100 * r["share"]
        for r in table
        if r["country_iso3"] not in ("WLD", "ROW", None)
        and r["share"] is not None
        and r["value"] is not None
    }
    trace = page.evaluate(
        "() => { const t = document.getElementById('fig-map').data[0]; return [t.locations, t.z]; }"
    )
    got = dict(zip(trace[0], trace[1], strict=True))
    assert set(got) == set(want)
    for iso, z in got.items():
        assert math.isclose(z, want[iso], rel_tol=1e-12)
    cap = page.inner_text("#cap-map")
    assert series[0] in cap and str(year) in cap
    return year, table


def test_overview_shows_the_apis_figures_with_sources(page, server, api):
    page.goto(f"{server}/#overview/lithium")
    page.wait_for_function("() => document.body.dataset.overviewReady === 'lithium'")
    year, table = _check_overview(page, api, "lithium", "mine", "usgs")
    world = next(r for r in table if r["country_iso3"] == "WLD")
    assert f"{world['value']:,.0f}" in page.inner_text("#kpi-world")
    assert "MCS 2026" in page.inner_text("#cap-map")
    # concentration table = the API's latest row per stage and source
    conc = {}
    for src in ("usgs", "wmd"):
        for r in api.get("/commodities/lithium/concentration", params={"source": src}).json()[
            "rows"
        ]:
            k = (r["stage"], r["source"])
            if k not in conc or r["year"] > conc[k]["year"]:
                conc[k] = r
    dom = page.eval_on_selector_all(
        "#conc-table tbody tr",
        "trs => trs.map(t => [t.dataset.stage, t.dataset.source, t.dataset.hhi])",
    )
    assert len(dom) == len(conc)
    for stage, src, hhi in dom:
        assert float(hhi) == pytest.approx(conc[(stage, src)]["hhi_points"], rel=1e-12)
    # export controls and U.S. import sources, each with its source line
    ctl = page.eval_on_selector_all(
        "#controls-table tbody tr", "trs => trs.map(t => t.dataset.iso3)"
    )
    assert sorted(ctl) == sorted(
        r["country_iso3"] for r in api.get("/commodities/lithium/export-controls").json()["rows"]
    )
    assert page.inner_text("#us-nir") == "50%"
    assert "MCS2026_Fig3" in page.inner_text("#cap-imports")
    shot(page, "overview_lithium")


def test_choosing_a_mineral_and_a_stage(page, server, api):
    page.goto(f"{server}/#overview")
    page.wait_for_function("() => document.body.dataset.overviewReady === 'lithium'")
    page.select_option("#ov-commodity", "cobalt")
    page.wait_for_function("() => document.body.dataset.overviewReady === 'cobalt'")
    _check_overview(page, api, "cobalt", "mine", "usgs")
    shot(page, "overview_cobalt_mine")
    labels = page.eval_on_selector_all(
        "#ov-stage option", "os => os.map(o => [o.value, o.textContent])"
    )
    value = next(v for v, label in labels if label.startswith("refinery") and "IEA" in label)
    page.select_option("#ov-stage", value)
    page.wait_for_function(
        "() => document.getElementById('fig-map').layout.title.text.includes('refinery')"
    )
    _check_overview(page, api, "cobalt", "refinery", "iea")
    assert "IEA Critical Minerals Data Explorer" in page.inner_text("#cap-map")
    shot(page, "overview_cobalt_refinery")


def test_country_and_bloc_view(page, server, api):
    page.goto(f"{server}/#country")
    page.wait_for_function("() => document.body.dataset.countryReady === 'IND'")
    want = api.get("/risk/ranking", params={"subject": "IND", "year": 2024}).json()["rows"]
    dom = page.eval_on_selector_all(
        "#risk-table tbody tr",
        "trs => trs.map(t => [t.dataset.commodity, t.dataset.rank, t.dataset.score])",
    )
    assert [c for c, _, _ in dom] == [r["commodity_id"] for r in want]
    for (_, rank, score), r in zip(dom, want, strict=True):
        assert int(rank) == r["rank"]
        assert (_num(score) or 0) == pytest.approx(r["score"] or 0, rel=1e-12)
    fig = api.get("/risk/matrix", params={"subject": "IND", "year": 2024}).json()["figure"]
    xs = page.evaluate("() => document.getElementById('fig-matrix').data[0].x")
    assert xs == pytest.approx(fig["data"][0]["x"])
    part = page.evaluate("() => document.getElementById('fig-partners').data[0]")
    tp = api.get("/trade/partners", params={"commodity": "lithium", "country": "IND"}).json()
    assert part["x"][-1] == pytest.approx(tp["rows"][0]["value_kusd"])  # largest partner on top
    assert "CEPII BACI" in page.inner_text("#cap-partners")
    shot(page, "country_india")
    page.select_option("#ct-subject", "TRUST")
    page.wait_for_function("() => document.body.dataset.countryReady === 'TRUST'")
    assert "TRUST" in page.inner_text("#tbl-risk")
    bars = page.evaluate("() => document.getElementById('fig-partners').data[0].y")
    bloc = api.get(
        "/commodities/lithium/bloc-share", params={"group": "TRUST", "source": "usgs"}
    ).json()
    assert bars == pytest.approx([100 * (r["bloc_share"] or 0) for r in bloc["rows"]])
    shot(page, "country_trust")


def test_scenario_runner_runs_a_preset(page, server, api):
    page.goto(f"{server}/?key={WEB_KEY}#scenarios")
    assert "key=" not in page.url  # taken out of the address bar, kept for the tab
    page.wait_for_function("() => document.body.dataset.scenarioState === 'ready'")
    page.select_option("#sc-preset", "china_ree_2025")
    page.fill("#sc-draws", "300")
    page.click("#sc-run")
    page.wait_for_function(
        "() => ['done', 'failed'].includes(document.body.dataset.scenarioState)", timeout=120_000
    )
    assert page.evaluate("document.body.dataset.scenarioState") == "done", page.inner_text(
        "#sc-error"
    )
    assert page.evaluate("document.getElementById('sc-progress').value") == 1
    job = next(
        j for j in api.get("/jobs").json() if j["kind"] == "scenario" and j["status"] == "done"
    )
    res = api.get(f"/jobs/{job['id']}").json()["result"]
    assert res["scenario"]["draws"] == 300
    pair = res["pairs"][0]
    fan = page.evaluate("() => document.getElementById('fig-fan').data.map(t => t.y)")
    assert fan[2] == pytest.approx(pair["fan"]["p50_pct"])
    assert fan[0] == pytest.approx(pair["fan"]["p95_pct"]) and fan[1] == pytest.approx(
        pair["fan"]["p5_pct"]
    )
    flows = page.evaluate("() => document.getElementById('fig-flows').data[0].y")
    assert flows == pytest.approx([f["base_t"] for f in pair["flows"]])
    cap = page.inner_text("#cap-scenario")
    assert "CEPII BACI" in cap and "MCS2026_T4" in cap
    shot(page, "scenario_china_ree")
    page.select_option("#sc-unit", "t")
    fan_t = page.evaluate("() => document.getElementById('fig-fan').data[2].y")
    assert fan_t == pytest.approx(pair["fan"]["p50_t"])


def test_recovery_view_runs_with_user_parameters(page, server, api):
    page.goto(f"{server}/?key={WEB_KEY}#recovery")
    page.wait_for_function("() => document.body.dataset.recoveryState === 'ready'")
    page.fill("#rc-params", PARAMS.read_text())
    page.fill("#rc-elements", "Li,Co,Nd")
    page.click("#rc-run")
    page.wait_for_function(
        "() => ['done', 'failed'].includes(document.body.dataset.recoveryState)", timeout=120_000
    )
    assert page.evaluate("document.body.dataset.recoveryState") == "done", page.inner_text(
        "#rc-error"
    )
    job = next(
        j for j in api.get("/jobs").json() if j["kind"] == "recovery" and j["status"] == "done"
    )
    res = api.get(f"/jobs/{job['id']}").json()["result"]
    dom = dict(
        page.eval_on_selector_all(
            "#recovery-table tbody tr",
            "trs => trs.map(t => [t.dataset.element, t.dataset.recovered])",
        )
    )
    assert set(dom) == {"Li", "Co", "Nd"}
    for s in res["summary"]:
        assert float(dom[s["element"]]) == pytest.approx(s["recovered_last"], rel=1e-12)
    assert "IEA Critical Minerals Data Explorer" in page.inner_text("#cap-recovery")
    shot(page, "recovery_run")


def test_sources_page(page, server, api):
    page.goto(f"{server}/#sources")
    page.wait_for_selector("#datasets-table tbody tr")
    n = page.eval_on_selector_all("#datasets-table tbody tr", "trs => trs.length")
    assert n == len(api.get("/datasets").json())
    page.wait_for_selector("#tbl-endpoints tr")
    assert "/api/v1/risk/ranking" in page.inner_text("#tbl-endpoints")
    shot(page, "sources")


def test_dashboard_runs_under_its_content_security_policy(page, server):
    """The page is served with a self-only policy and renders a plotly chart without a violation.

    (A blocked script, style or fetch is logged as a console error, which the ``page``
    fixture turns into a failure.)
    """
    resp = page.goto(f"{server}/#overview/lithium")
    csp = resp.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "frame-ancestors 'none'" in csp
    assert resp.headers["x-frame-options"] == "DENY"
    page.wait_for_function("() => document.body.dataset.overviewReady === 'lithium'")
    assert page.evaluate("document.getElementById('fig-map').data.length") >= 1
