"""IEA figures in ``critmin production`` and ``critmin concentration``: rare-earth refining by
the commodity name, the latest historical year by default, projections marked, a stated
fallback where USGS lacks the stage.  Figures are checked against the raw IEA sheet."""

from __future__ import annotations

import csv
import io

import pytest


@pytest.fixture
def run(cli_run):
    return cli_run


def test_production_rare_earth_refining_by_name_equals_the_raw_sheet(shared_data, run, iea_block):
    raw = iea_block("Magnet rare earth elements - Refining")
    base = min(raw)
    code, out, err = run(
        "production", "rare earths", "--stage", "refinery", "--source", "iea", "--format", "csv"
    )
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {int(r["year"]) for r in rows} == {base}  # default: historical, not 2040
    assert {r["projection"] for r in rows} == {"False"}
    got = {r["country"]: float(r["value"]) for r in rows}
    assert got["China"] == pytest.approx(raw[base]["China"])
    assert got["World"] == pytest.approx(raw[base]["Total"])
    share = {r["country"]: float(r["share"]) for r in rows}
    assert share["China"] == pytest.approx(raw[base]["China"] / raw[base]["Total"], rel=1e-9)


def test_production_projection_year_is_marked(shared_data, run, iea_block):
    later = max(iea_block("Magnet rare earth elements - Refining"))
    code, out, err = run(
        "production", "REE", "--stage", "refinery", "--source", "iea", "--year", str(later)
    )
    assert code == 0, err
    assert f"{later} (projection)" in out and "PROJECTION" in out
    assert "magnet_rare_earths" in out


def test_usgs_without_refining_falls_back_to_the_iea_and_says_so(run):
    for cmd in ("production", "concentration"):
        code, out, err = run(cmd, "rare earths", "--stage", "refinery")
        assert code == 0, err
        assert "note: source 'usgs' has no refinery production of" in err
        assert "IEA" in err and "magnet_rare_earths" in out


def test_concentration_iea_table_marks_projections_and_prints_plain_years(
    shared_data, run, iea_block
):
    raw = iea_block("Magnet rare earth elements - Refining")
    base, later = min(raw), max(raw)
    code, out, err = run("concentration", "rare earths", "--stage", "refinery", "--source", "iea")
    assert code == 0, err
    rows = [line for line in out.splitlines() if line.startswith("│")]
    assert rows and all(line.startswith(f"│ {base} ") and "proj" not in line for line in rows)
    assert f"{base:,}" not in out and f"{base}.0" not in out
    code, out, err = run(
        "concentration", "REE", "--stage", "refinery", "--source", "iea", "--year", str(later)
    )
    assert code == 0, err
    assert f"{later} proj" in out


def test_concentration_unknown_source_is_one_clear_error(run):
    code, out, err = run("concentration", "cobalt", "--source", "IEA2024")
    assert code == 1
    assert "source must be 'usgs', 'wmd', 'iea' or 'both', got 'IEA2024'" in err
    assert "Traceback" not in err


def test_rest_api_labels_iea_projections_and_reads_rare_earth_refining(shared_data, iea_block):
    from fastapi.testclient import TestClient

    from critmin.api_server.app import create_app

    raw = iea_block("Magnet rare earth elements - Refining")
    base = min(raw)
    c = TestClient(create_app())
    r = c.get(
        "/api/v1/commodities/rare_earths/concentration",
        params={"source": "iea", "stage": "refinery"},
    )
    assert r.status_code == 200, r.text
    (row,) = r.json()["rows"]
    assert (row["commodity_id"], row["year"], row["projection"]) == (
        "magnet_rare_earths",
        base,
        False,
    )
    assert row["top1_share"] == pytest.approx(raw[base]["China"] / raw[base]["Total"], rel=1e-9)
    r = c.get(
        "/api/v1/commodities/cobalt/production", params={"source": "iea", "stage": "refinery"}
    )
    assert r.status_code == 200, r.text
    years = {(x["year"], x["projection"]) for x in r.json()["rows"]}
    assert all(p is (y > base) for y, p in years) and any(p for _, p in years)


def test_a_year_without_iea_data_lists_historical_and_projection_years(shared_data, run, iea_block):
    raw = iea_block("Magnet rare earth elements - Refining")
    base, later = min(raw), sorted(y for y in raw if y > min(raw))
    code, out, err = run(
        "production", "rare earths", "--stage", "refinery", "--source", "iea", "--year", "1999"
    )
    assert code == 1 and "Traceback" not in err
    assert f"years with data: {base}, " + ", ".join(f"{y} (projection)" for y in later) in err
    assert "np.int64" not in err
    code, out, err = run(
        "concentration", "REE", "--stage", "refinery", "--source", "iea", "--year", "1999"
    )
    assert code == 1
    assert f"years with data: [{base}]; projection years (ask for one): {later}" in err


def test_python_api_reads_rare_earth_refining_through_the_ieas_group(iea_block):
    """critmin.production('rare earths', source='iea') is the IEA's magnet REE rows (kt)."""
    import critmin

    raw = iea_block("Magnet rare earth elements - Refining")[2023]
    got = critmin.production("rare earths", stage="refinery", source="iea", year=2023)
    assert set(got["commodity_id"]) == {"magnet_rare_earths"}
    chn = got.loc[got["country_iso3"] == "CHN", "value"].iloc[0]
    assert chn == pytest.approx(raw["China"])
    # the REST endpoint gives the same rows
    from fastapi.testclient import TestClient

    from critmin.api_server import create_app

    with TestClient(create_app(job_mode="thread")) as c:
        body = c.get(
            "/api/v1/commodities/rare%20earths/production",
            params={"stage": "refinery", "source": "iea", "year": 2023},
        ).json()
    assert [r["country_iso3"] for r in body["rows"]] == list(got["country_iso3"])
