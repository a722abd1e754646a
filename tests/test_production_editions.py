"""USGS production, reserves and capacity: one headline series, one row per country and year,
the newest edition by default and any edition as published on request (issue 11, 2-4)."""

import csv
import functools
import re

import pytest

import critmin
from critmin import api
from critmin.errors import CritminError
from critmin.ingest.headline import HEADLINE_RULES

WORLD2025 = ("usgs_mcs2025", "world_data", "MCS2025_World_Data.csv")
MCS2026 = ("usgs_mcs2026", "MCS2026_Commodities_Data.csv")


def _groups():
    """(commodity, stage, measure) of every USGS world table in the dataset."""
    o = api._world_tables(
        api.observations(measure=["production", "capacity", "reserves"], source="usgs")
    )
    return sorted(set(zip(o["commodity_id"], o["stage"], o["measure"], strict=True)))


def _query(cid, stage, measure, **kw):
    if measure == "reserves":
        return critmin.reserves(cid, **kw)
    f = critmin.production if measure == "production" else critmin.capacity
    return f(cid, stage=stage, **kw)


def _number(text):
    """A published cell as a float ('1,400' -> 1400.0); None for codes and blanks."""
    t = text.strip().replace(",", "")
    return float(t) if re.fullmatch(r"-?\d+(?:\.\d+)?", t) else None


def test_default_query_has_one_row_per_country_and_year():
    bad = []
    for cid, stage, measure in _groups():
        df = _query(cid, stage, measure)
        dup = df[df.duplicated(["country_iso3", "year"], keep=False)]
        if not dup.empty:
            bad.append((cid, stage, measure, sorted(set(dup["series"]))))
    assert bad == []


def test_headline_series_is_the_same_in_every_year():
    """One series per year, one basis across years; a rule's pattern matches every year."""
    bad = []
    for cid, stage, measure in _groups():
        df = _query(cid, stage, measure)
        if df.empty:
            continue
        per_year = df.groupby("year")["series"].nunique()
        bases = {b for b in df["basis"] if b}
        text = df["series"] + " [" + df["basis"] + "]"
        rule = HEADLINE_RULES.get((cid, stage, measure))
        matches = text.str.contains(rule[0], case=False, regex=True).all() if rule else True
        per_edition = df.groupby("dataset")["series"].nunique().max()
        if per_year.max() > 1 or len(bases) > 1 or not matches or (not rule and per_edition > 1):
            bad.append((cid, stage, measure, sorted(set(df["series"])), sorted(bases)))
    assert bad == []


def test_silicon_is_silicon_metal_in_every_year_and_edition():
    df = critmin.production("silicon", stage="smelter")
    wld = df[df["country_iso3"] == "WLD"].set_index("year")
    assert sorted(wld.index) == [2023, 2024, 2025]  # 2023 from MCS 2025, 2024-25 from MCS 2026
    assert all("silicon metal" in s.lower() for s in wld["series"])
    every = critmin.production("silicon", stage="smelter", series="all")
    assert any("ferrosilicon" in s.lower() for s in every["series"])  # still there on request


def test_newest_edition_wins_and_edition_gives_the_published_row(shared_data):
    """2024 lithium: MCS 2026's revision by default, MCS 2025's estimate with edition=2025."""
    with (shared_data.joinpath(*WORLD2025)).open(encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    header = [h.replace(" ", "") for h in rows[0]]
    c24 = header.index("PROD_EST_2024")
    d25 = critmin.production("lithium", stage="mine", year=2024, edition=2025)
    assert set(d25["dataset"]) == {"usgs_mcs2025"}
    assert not d25.duplicated(["country_iso3", "year"]).any()
    for r in d25.itertuples():
        raw = rows[r.source_row - 1]  # header is line 1
        assert raw[header.index("COMMODITY")].strip() == "Lithium"
        want = _number(raw[c24])
        if want is None:
            assert r.value != r.value or r.flag  # NaN or flagged code
        else:
            assert r.value == want
    d26 = critmin.production("lithium", stage="mine", year=2024)
    assert set(d26["dataset"]) == {"usgs_mcs2026"}


@pytest.mark.parametrize("cid", ["lithium", "cobalt", "chromium", "strontium", "rare_earths"])
def test_edition_2025_equals_every_raw_world_data_cell(shared_data, cid):
    with (shared_data.joinpath(*WORLD2025)).open(encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    header = [h.replace(" ", "") for h in rows[0]]
    cols = {2023: header.index("PROD_2023"), 2024: header.index("PROD_EST_2024")}
    df = critmin.production(cid, stage="mine", edition=2025)
    assert set(df["year"]) == {2023, 2024}
    checked = 0
    for r in df.itertuples():
        want = _number(rows[r.source_row - 1][cols[r.year]].lstrip(">"))
        if want is not None:
            assert r.value == want, (r.country_iso3, r.year)
            checked += 1
    assert checked >= 6


def test_edition_and_series_errors_name_the_fix():
    with pytest.raises(CritminError, match=r"unknown USGS edition '2019'.*\['2025', '2026'\]"):
        critmin.production("lithium", edition=2019)
    with pytest.raises(CritminError, match="applies to source 'usgs' only"):
        critmin.production("lithium", source="wmd", edition=2025)
    with pytest.raises(CritminError, match="'headline'.*'all'"):
        critmin.production("lithium", series="main")


def test_headline_stage_is_mine_else_the_first_published():
    assert api.headline_stage("lithium") == "mine"
    assert api.headline_stage("silicon") == "smelter"  # MCS publishes no silicon mining
    assert critmin.production("silicon", year=2024)["stage"].unique().tolist() == ["smelter"]
    both = critmin.production(["silicon", "lithium"], year=2024)  # each at its own stage
    stages = dict(zip(both["commodity_id"], both["stage"], strict=True))
    assert stages == {"silicon": "smelter", "lithium": "mine"}
    assert critmin.production("lithium")["year"].is_monotonic_increasing  # years in order


def _raw_2026(shared_data, commodity, country, detail, year):
    with shared_data.joinpath(*MCS2026).open(encoding="cp1252") as f:
        for r in csv.DictReader(f):
            if (
                r["Commodity"] == commodity
                and r["Country"] == country
                and r["Statistics_detail"] == detail
                and r["Year"] == str(year)
                and r["Section"].startswith("World")
            ):
                return r["Value"]
    raise LookupError((commodity, country, detail, year))


@pytest.fixture
def cli_run(cli_run):
    """`critmin` at 200 columns here: captions are read whole."""
    return functools.partial(cli_run, columns=200)


def test_cli_silicon_without_stage_uses_its_headline_stage(
    capsys, monkeypatch, shared_data, cli_run
):
    code, out, err = cli_run("production", "silicon", "--year", "2024", "--format", "csv")
    assert code == 0, err
    assert "stage: smelter" in err
    rows = list(csv.DictReader(out.splitlines()))
    assert {r["series"] for r in rows} == {"Silicon metal"}
    chn = next(r for r in rows if r["country_iso3"] == "CHN")
    raw = _raw_2026(shared_data, "Silicon", "China", "Silicon metal", 2024)
    assert float(chn["value"]) == _number(raw)
    code, out, err = cli_run("production", "silicon", "--year", "2024")
    assert code == 0 and "'Silicon metal'" in out  # the series is named in the table caption


def test_cli_edition_2025_prints_the_mcs2025_row(capsys, monkeypatch, shared_data, cli_run):
    code, out, err = cli_run(
        "production",
        "chromium",
        "--year",
        "2024",
        "--edition",
        "2025",
        "--format",
        "csv",
    )
    assert code == 0, err
    rows = {r["country_iso3"]: r for r in csv.DictReader(out.splitlines())}
    with (shared_data.joinpath(*WORLD2025)).open(encoding="utf-8-sig") as f:
        raw = [r for r in csv.DictReader(f) if r["COMMODITY"] == "Chromium"]
    zaf = next(r for r in raw if r["COUNTRY"].strip() == "South Africa")
    assert float(rows["ZAF"]["value"]) == _number(zaf["PROD_EST_ 2024"])
    assert rows["ZAF"]["basis"] == "gross weight"
    assert rows["ZAF"]["source"].startswith("usgs_mcs2025/")
    code, _out, err = cli_run("production", "lithium", "--edition", "2019")
    assert code != 0 and "2025" in err and "2026" in err


def test_a_commodity_keeps_its_id_across_editions():
    """MCS 2025 files bauxite and alumina under 'Bauxite', PGM metals under the PGM table."""
    for cid, stage in (("bauxite", "mine"), ("alumina", "refinery"), ("palladium", "mine")):
        df = critmin.production(cid, stage=stage)
        wld = df[df["country_iso3"] == "WLD"]
        assert sorted(wld["year"]) == [2023, 2024, 2025], cid
        assert set(df.loc[df["year"] == 2023, "dataset"]) == {"usgs_mcs2025"}
        assert len({b for b in df["basis"] if b}) == 1, cid
    assert critmin.production("bauxite_and_alumina", stage=None).empty
    raw = critmin.observations("bauxite", measure="production", stage="mine", year=2023)
    world = raw[raw["source_id"].str.contains("World_Data")]
    assert set(world["commodity_source"]) == {"Bauxite"}  # the published name is kept
