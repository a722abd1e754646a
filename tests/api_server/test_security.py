"""Security headers on every response, and bad values echoed only in part."""

from __future__ import annotations

import pytest

from critmin.api_server.app import SECURITY_HEADERS

V = "/api/v1"


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/static/js/main.js",
        "/static/plotly.min.js",
        f"{V}/health",
        f"{V}/nope",
        f"{V}/commodities/unobtainium/production",
    ],
)
def test_every_response_has_the_security_headers(client, path):
    r = client.get(path)
    for name, value in SECURITY_HEADERS.items():
        assert r.headers[name] == value, (path, name)
    csp = dict(p.strip().split(" ", 1) for p in r.headers["Content-Security-Policy"].split(";"))
    assert csp["default-src"] == "'self'" and csp["script-src"] == "'self'"  # no inline script
    assert csp["connect-src"] == "'self'" and csp["frame-ancestors"] == "'none'"
    assert r.headers["X-Content-Type-Options"] == "nosniff"


def test_dashboard_has_no_inline_script(client):
    """script-src 'self' blocks inline scripts: the page must have none."""
    import re

    html = client.get("/").text
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag, tag
    assert not re.search(r"<script\b[^>]*>\s*[^<\s]", html)  # no script body
    assert not re.search(r"\son[a-z]+=", html)  # no inline event handlers


LONG = "x" * 10_000


def test_long_unknown_commodity_is_echoed_in_part(client):
    from critmin.errors import UnknownCommodity

    err = UnknownCommodity(LONG, ["lithium"])
    assert f"'{'x' * 40}…'" in str(err) and len(str(err)) < 200
    r = client.get(f"{V}/export-controls", params={"commodity": "q" * 99})
    assert r.status_code == 422
    assert f"'{'q' * 40}…'" in r.json()["detail"] and "q" * 41 not in r.text


@pytest.mark.parametrize(
    "path",
    [
        f"{V}/commodities/{LONG}/production",
        f"{V}/trade?commodity={LONG}",
        f"{V}/commodities/lithium/production?stage={LONG}",
    ],
)
def test_long_values_are_cut_in_every_error(client, path):
    r = client.get(path)
    assert 400 <= r.status_code < 500
    assert "x" * 41 not in r.text  # neither the message nor the field list echoes it whole
    assert "x" * 40 + "…" in r.text
    assert len(r.text) < 2_000


def test_long_preset_name_is_cut(client):
    r = client.post(
        f"{V}/scenarios/jobs",
        json={"preset": LONG[:5000]},
        headers={"X-API-Key": "test-key-0123456789"},
    )
    assert r.status_code in (404, 422)
    assert "x" * 41 not in r.text and "x" * 40 + "…" in r.text
