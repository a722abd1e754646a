"""``critmin concentration`` and ``critmin reliance``: readable in 80 columns, documented CSV
columns, errors on stderr with exit status 1.

The commands are registered on a fresh Typer app here (``register(app)``), and run through
:func:`critmin.cli.main` so that the error handling is the real one.
"""

from __future__ import annotations

import csv
import io
import json

import pytest

from critmin.store import get_store


@pytest.fixture
def run(cli_run):
    return cli_run


def _width(text: str) -> int:
    return max((len(line) for line in text.splitlines()), default=0)


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


# ---------------------------------------------------------------- concentration


def test_concentration_table_fits_80_columns_and_shows_the_top_producer(run):
    code, out, err = run("concentration", "lithium")
    assert code == 0, err
    assert _width(out) <= 80
    top = (
        get_store()
        .query(
            "SELECT country_iso3 FROM observations WHERE dataset = 'usgs_mcs2026' AND "
            "commodity_id = 'lithium' AND year = 2025 AND measure = 'production' AND stage = 'mine' "
            "AND country_iso3 NOT IN ('WLD', 'ROW') AND value IS NOT NULL ORDER BY value DESC LIMIT 1"
        )
        .iloc[0, 0]
    )
    assert f"{top} " in out and "hhi" in out and "usgs_mcs2026" in out


@pytest.mark.parametrize(
    "args",
    [
        ("concentration", "lithium", "--source", "both"),
        ("concentration", "rare earths", "--without", "CHN"),
        ("concentration", "lithium", "--group", "MSP"),
        ("concentration", "lithium", "--group", "IND,USA", "--source", "wmd"),
        ("concentration", "cobalt", "--measure", "reserves"),
    ],
)
def test_concentration_variants_fit_80_columns(run, args):
    code, out, err = run(*args)
    assert code == 0, err
    assert _width(out) <= 80


def test_concentration_csv_has_the_tidy_columns(run):
    code, out, err = run("concentration", "lithium", "--source", "both", "--format", "csv")
    assert code == 0, err
    rows = _csv(out)
    for col in (
        "commodity_id",
        "stage",
        "year",
        "source",
        "world_total",
        "top1_country",
        "top1_share",
        "top3_share",
        "hhi_fraction",
        "hhi_points",
        "n_producers",
    ):
        assert col in rows[0]
    years = {}
    for r in rows:
        years.setdefault(r["year"], set()).add(r["source"])
    assert all(v == {"usgs", "wmd"} for v in years.values())


def test_concentration_group_json(run):
    code, out, err = run("concentration", "lithium", "--group", "TRUST", "--format", "json")
    assert code == 0, err
    recs = json.loads(out)
    assert recs and all(r["group"] == "TRUST" and r["n_members"] == 2 for r in recs)


def test_bloc_share_with_a_withheld_member_says_withheld(run, shared_data):
    """Issue 11.6: USGS prints U.S. lithium mine output as 'W'; TRUST's share is no bare 0%."""
    with (shared_data / "usgs_mcs2026" / "MCS2026_Commodities_Data.csv").open(
        encoding="cp1252"
    ) as f:
        us = {
            r["Year"]: r["Value"]
            for r in csv.DictReader(f)
            if r["Commodity"] == "Lithium"
            and r["Country"] == "United States"
            and r["Statistics_detail"] == "Mine production"
        }
    assert us["2024"] == us["2025"] == "W"
    code, out, err = run("concentration", "lithium", "--group", "TRUST", "--format", "json")
    assert code == 0, err
    recs = {r["year"]: r for r in json.loads(out)}
    for y in (2024, 2025):
        assert recs[y]["members_withheld"] == "USA" and recs[y]["share_is_lower_bound"] is True
    code, out, err = run("concentration", "lithium", "--group", "TRUST", columns=100)
    assert code == 0, err
    rows = [ln for ln in out.splitlines() if "│ 2024 │" in ln or "│ 2025 │" in ln]
    assert rows and all("0.0% + USA withheld" in ln and "0 + W" in ln for ln in rows)
    assert "share_is_lower_bound" in out
    # a bloc whose members all report: a plain figure, no flag
    code, out, err = run("concentration", "cobalt", "--group", "MSP", "--format", "json")
    assert code == 0, err
    assert not any(r["share_is_lower_bound"] for r in json.loads(out))


def test_concentration_errors_go_to_stderr(run):
    code, out, err = run("concentration", "unobtainium")
    assert code == 1 and out == ""
    assert "unknown commodity 'unobtainium'" in err
    code, out, err = run("concentration", "lithium", "--group", "MPS")
    assert code == 1 and "unknown country group 'MPS'; did you mean 'MSP'" in err
    code, out, err = run("concentration", "lithium", "--year", "1990")
    assert code == 1 and "years with data: [2023, 2024, 2025]" in err


# ---------------------------------------------------------------- reliance


def test_reliance_usa_csv_columns_and_values(run):
    code, out, err = run("reliance", "--country", "USA", "--year", "2024", "--format", "csv")
    assert code == 0, err
    rows = _csv(out)
    for col in ("commodity", "computed_nir_pct", "published_nir_pct", "agree", "reason"):
        assert col in rows[0]
    cobalt = next(r for r in rows if r["commodity"] == "cobalt")
    pub = (
        get_store()
        .query(
            "SELECT value FROM observations WHERE dataset = 'usgs_mcs2026' AND commodity_id = 'cobalt' "
            "AND measure = 'net_import_reliance' AND year = 2024"
        )
        .iloc[0, 0]
    )
    assert float(cobalt["published_nir_pct"]) == pub
    assert abs(float(cobalt["computed_nir_pct"]) - pub) <= 2 and cobalt["agree"] == "True"


def test_reliance_usa_table_fits_80_columns(run):
    code, out, err = run("reliance", "--country", "USA", "--year", "2024")
    assert code == 0, err
    assert _width(out) <= 80
    assert "published figures reproduced" in out and "Not computed or not reproduced" in out


def _raw_nir(shared_data, commodity: str, year: str) -> str:
    """The NIR Value text USGS printed in the MCS 2026 salient rows."""
    with (shared_data / "usgs_mcs2026" / "MCS2026_Commodities_Data.csv").open(
        encoding="cp1252"
    ) as f:
        for r in csv.DictReader(f):
            if (
                r["Commodity"] == commodity
                and r["Statistics"] == "Net import reliance"
                and r["Year"] == year
            ):
                return r["Value"]
    raise AssertionError(commodity)


def _table_row(out: str, name: str) -> list[str]:
    line = next(ln for ln in out.splitlines() if ln.startswith(name + " "))
    return line.split()


def test_reliance_usa_table_pgm_and_withheld_rows(run, shared_data):
    """Issue 11.1/11.6: PGMs on USGS's apparent consumption; withheld says withheld, not 0."""
    code, out, err = run("reliance", "--country", "USA", "--year", "2024")
    assert code == 0, err
    for name, metal in (("palladium", "Palladium"), ("platinum", "Platinum")):
        cells = _table_row(out, name)
        printed = _raw_nir(shared_data, metal, "2024")
        assert cells[1] == f"{printed}%" and cells[-1] == "yes", cells
        assert " ".join(cells[2:4]) == "USGS AC"
    for name, commodity in (("lithium", "Lithium"), ("barite", "Barite"), ("iodine", "Iodine")):
        cells = _table_row(out, name)
        printed = _raw_nir(shared_data, commodity, "2024")  # '>50', '>75'
        assert cells[1:4] == [f"{printed}%", "(W)", "withheld"], cells
        assert cells[-1] == "–"
    assert "withheld = U.S." in " ".join(out.split())


def test_reliance_india_table(run):
    code, out, err = run("reliance", "--country", "IND", "--year", "2023")
    assert code == 0, err
    assert _width(out) <= 80
    assert "IND: import dependence by mineral and HS6 code, 2023" in out
    assert "260600" in out  # bauxite, with World Mining Data production


def test_reliance_india_grouped_without_fuels_and_gold(run):
    """Issue 11.9: one block per mineral; energy and gold codes out unless asked for."""
    code, out, err = run("reliance", "--country", "IND", "--year", "2023")
    assert code == 0, err
    body = out.split("dep.: NIR")[0]
    for hs in ("270900", "270119", "271111", "710812", "261690", "261210"):
        assert hs not in body
    assert "--fuels-and-gold brings them back" in out
    # each mineral named once: its codes follow it without repeating the name
    names = [ln.split()[0] for ln in body.splitlines()[3:] if ln[:1].strip()]
    assert len(names) == len(set(names)) and {"lithium", "graphite", "cobalt"} <= set(names)
    lines = body.splitlines()
    at = next(i for i, ln in enumerate(lines) if ln.startswith("lithium "))
    assert "282520" in lines[at] + lines[at + 1] and "283691" in lines[at] + lines[at + 1]
    code, out, err = run("reliance", "--country", "IND", "--year", "2023", "--fuels-and-gold")
    assert code == 0, err
    assert "270900" in out and "710812" in out and "Left out" not in out


def test_reliance_india_commodity_lists_every_supplier(run):
    code, out, err = run(
        "reliance", "--country", "IND", "--year", "2023", "--commodity", "lithium", columns=100
    )
    assert code == 0, err
    assert "Lithium oxide and" in out and "Carbonates: lithi" in out  # BACI labels, cut to fit
    sup = out.split("Every supplier of IND's imports, 2023")[1].split("Refined and product")[0]
    direct = (
        get_store()
        .query(
            "SELECT count(DISTINCT hs6 || exporter_iso3) FROM trade WHERE importer_iso3 = 'IND' "
            "AND year = 2023 AND commodity_id = 'lithium' AND value_kusd > 0"
        )
        .iloc[0, 0]
    )
    ranks = [ln.split() for ln in sup.splitlines() if "%" in ln]
    assert len(ranks) == direct
    # --suppliers as CSV: the same rows, shares of each code summing to 1
    code, out, err = run(
        "reliance",
        "--country",
        "IND",
        "--year",
        "2023",
        "--commodity",
        "Li",
        "--suppliers",
        "--format",
        "csv",
    )
    assert code == 0, err
    rows = _csv(out)
    assert len(rows) == direct
    for hs in {r["hs6"] for r in rows}:
        assert sum(float(r["share"]) for r in rows if r["hs6"] == hs) == pytest.approx(1.0)


def test_reliance_india_csv_sums(run):
    code, out, err = run(
        "reliance", "--country", "India", "--year", "2023", "--format", "csv", "--fuels-and-gold"
    )
    assert code == 0, err
    rows = _csv(out)
    total = sum(float(r["value_kusd"]) for r in rows)
    direct = (
        get_store()
        .query("SELECT sum(value_kusd) FROM trade WHERE importer_iso3 = 'IND' AND year = 2023")
        .iloc[0, 0]
    )
    assert total == pytest.approx(direct)
    # by default the energy ('Mineral Fuels' in World Mining Data's HS map) and gold codes are out
    code, out, err = run("reliance", "--country", "India", "--year", "2023", "--format", "csv")
    lean = _csv(out)
    assert {r["category"] for r in lean} & {"Mineral Fuels"} == set()
    assert all(r["commodity"] != "gold" for r in lean) and len(lean) < len(rows)


def test_reliance_errors(run):
    code, out, err = run("reliance", "--country", "USA", "--year", "2019")
    assert code == 1 and "years with data: [2021, 2022, 2023, 2024, 2025]" in err
    code, out, err = run("reliance", "--country", "Narnia")
    assert code == 1 and "unknown country 'Narnia'" in err
    code, out, err = run("reliance", "--country", "IND", "--year", "1990")
    assert code == 1 and "no BACI trade of IND" in err


def test_reliance_one_commodity_latest_year(run):
    code, out, err = run("reliance", "--commodity", "cobalt")
    assert code == 0, err
    assert _width(out) <= 80 and "cobalt" in out
    code, out, err = run("reliance", "--commodity", "cesium", "--format", "csv")
    assert code == 0, err
    (row,) = _csv(out)
    assert row["agree"] == "" and row["reason"].startswith("not computed")
    # cesium 2025: USGS's statement in words is the figure shown
    assert row["basis"] == "usgs_statement" and float(row["nir_pct"]) == 100


def test_reliance_usa_baci_view(run):
    code, out, err = run(
        "reliance",
        "--country",
        "USA",
        "--baci",
        "--hs6",
        "260300",
        "--year",
        "2024",
        "--format",
        "csv",
    )
    assert code == 0, err
    (row,) = _csv(out)
    direct = (
        get_store()
        .query(
            "SELECT sum(quantity_t) FROM trade WHERE importer_iso3 = 'USA' AND year = 2024 "
            "AND hs6 = '260300'"
        )
        .iloc[0, 0]
    )
    assert row["hs6"] == "260300" and float(row["imports_t"]) == pytest.approx(direct)
