"""The critmin command: output people can read (80 columns) and paste, errors on stderr."""

import csv
import io
import json

import pytest


def _raw_world(shared_data, commodity, stats, year):
    with (shared_data / "usgs_mcs2026" / "MCS2026_Commodities_Data.csv").open(
        encoding="cp1252"
    ) as f:
        for r in csv.DictReader(f):
            if (
                r["Commodity"] == commodity
                and r["Country"] == "World total"
                and r["Statistics"] == stats
                and r["Year"] == str(year)
                and "World" in r["Section"]
            ):
                return r["Value"]
    raise LookupError(commodity)


def test_show_lithium_fits_80_columns_and_shows_the_published_figures(
    capsys, monkeypatch, shared_data, cli_run
):
    code, out, err = cli_run("show", "lithium")
    assert code == 0, err
    assert max(len(line) for line in out.splitlines()) <= 80
    assert (
        _raw_world(shared_data, "Lithium", "Production", 2025) in out
    )  # e.g. the stated world total
    assert _raw_world(shared_data, "Lithium", "Reserves", 2025) in out
    for part in (
        "Mine production",
        "Reserves",
        "net import reliance",
        "import sources",
        "Export controls",
        "Sources: usgs_mcs2026/MCS2026_Commodities_Data.csv",
    ):
        assert part in out


def test_production_csv_has_the_documented_columns(capsys, monkeypatch, shared_data, cli_run):
    code, out, _ = cli_run("production", "lithium", "--year", "2024", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0])[:3] == ["country_iso3", "country", "year"]
    assert {"value", "unit", "share", "source"} <= set(rows[0])
    aus = next(r for r in rows if r["country_iso3"] == "AUS")
    with (shared_data / "usgs_mcs2026" / "MCS2026_Commodities_Data.csv").open(
        encoding="cp1252"
    ) as f:
        raw = next(
            r
            for r in csv.DictReader(f)
            if r["Commodity"] == "Lithium"
            and r["Country"] == "Australia"
            and r["Year"] == "2024"
            and r["Statistics"] == "Production"
        )
    assert float(aus["value"]) == float(raw["Value"].replace(",", ""))
    assert aus["source"].startswith("usgs_mcs2026/MCS2026_Commodities_Data.csv:")
    shares = [
        float(r["share"]) for r in rows if r["country_iso3"] not in ("WLD", "ROW") and r["share"]
    ]
    assert all(0 <= s <= 1 for s in shares)


def test_production_json_and_table(capsys, monkeypatch, cli_run):
    code, out, _ = cli_run("production", "cobalt", "--format", "json")
    recs = json.loads(out)
    assert code == 0 and {"country_iso3", "value", "unit", "share", "source"} <= set(recs[0])
    code, out, _ = cli_run("production", "REE", "--year", "2025")
    assert code == 0 and "China" in out and max(map(len, out.splitlines())) <= 80


def test_unknown_commodity_is_one_line_on_stderr(capsys, monkeypatch, cli_run):
    code, out, err = cli_run("show", "lithum")
    assert code == 1
    assert "unknown commodity 'lithum'" in err and "'lithium'" in err
    assert "Traceback" not in err and out == ""


def test_stage_without_data_says_which_exist(capsys, monkeypatch, cli_run):
    code, _, err = cli_run("production", "lithium", "--stage", "smelter")
    assert code != 0 and "stages with data" in err


def test_commodities_lists_the_catalog(capsys, monkeypatch, cli_run):
    code, out, _ = cli_run("commodities", "--list", "india2023", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) >= 25 and all("IN" in r["lists"].split() for r in rows)


def test_data_check_and_sources(capsys, monkeypatch, cli_run):
    code, out, _ = cli_run("data", "check", "lithium")
    assert (
        code == 0 and "World totals vs country sums" in out and "USGS vs World Mining Data" in out
    )
    code, out, _ = cli_run("data", "sources", "--format", "csv")
    assert (
        code == 0 and "usgs_mcs2026/MCS2026_Commodities_Data.csv" in out and "public domain" in out
    )


@pytest.mark.parametrize("commodity", ["lithium", None])
def test_data_check_fits_100_columns_with_units(capsys, monkeypatch, commodity, cli_run):
    import critmin

    args = ["data", "check"] + ([commodity] if commodity else [])
    code, out, err = cli_run(*args, columns=100)
    assert code == 0, err
    assert max(len(line) for line in out.splitlines()) <= 100
    head = next(line for line in out.splitlines() if " stage " in line)
    for col in ("year", "world", "countries", "others", "unit", "gap %", "status", "note"):
        assert col in head
    assert "reserve\n" not in out and "commodit\n" not in out  # no word broken over lines
    rec = critmin.check()
    if commodity:
        rec = rec[rec["commodity_id"] == commodity]
        # every unit the commodity's series are stated in is printed beside its figures
        for unit in rec["unit"].unique():
            assert f" {unit} " in out
        # the numbered notes carry every explanation other than a match or 'Other countries'
        assert "world total rounded (granularity 1,000)" in out


def test_data_import_via_cli(capsys, monkeypatch, tmp_path, cli_run):
    p = tmp_path / "est.csv"
    p.write_text("commodity,country,year,value,unit,stage\nlithium,IND,2024,10,t,mine\n")
    code, out, _ = cli_run("data", "import", str(p))
    assert code == 0 and "Imported 1 rows as dataset user:est" in out
    p.write_text("commodity,country,year,value,unit\nlithium,IND,2024,-1,t\n")
    code, _, err = cli_run("data", "import", str(p))
    assert code == 1 and "negative" in err and "nothing was imported" in err


@pytest.mark.parametrize("cmd", [[], ["data"], ["show", "--help"], ["production", "--help"]])
def test_help_teaches(capsys, monkeypatch, cmd, cli_run):
    code, out, _ = cli_run(*cmd, columns=100)
    assert code in (0, 2) and "Usage" in out
