"""The packaged dataset: complete name resolution, provenance on every row, real figures."""

import csv
import hashlib

import pytest

from critmin import catalog
from critmin.ingest.schema import TABLES
from critmin.settings import PACKAGED_DATASET_DIR
from critmin.store import Store


@pytest.fixture(scope="module")
def store():
    return Store(PACKAGED_DATASET_DIR)


@pytest.fixture(scope="module")
def obs(store):
    return store.table("observations")


def _known_codes():
    return set(catalog.countries()["iso3"]) | set(catalog.aggregates()["code"])


def test_observation_columns_are_the_documented_schema(obs):
    assert list(obs.columns) == list(TABLES["observations"])


def test_no_country_or_commodity_left_unresolved(store, obs):
    known = _known_codes()
    assert obs["country_iso3"].notna().all()
    assert set(obs["country_iso3"]) <= known
    assert obs["commodity_id"].notna().all(), obs.loc[
        obs["commodity_id"].isna(), "commodity_source"
    ].unique()
    trade = store.query(
        "SELECT DISTINCT exporter_iso3 AS c FROM trade UNION SELECT DISTINCT importer_iso3 FROM trade"
    )
    assert trade["c"].notna().all() and set(trade["c"]) <= known
    gov = store.query("SELECT DISTINCT country_iso3 FROM governance")
    assert gov["country_iso3"].notna().all() and set(gov["country_iso3"]) <= known


def test_aggregates_are_only_documented_ones(obs):
    agg_codes = set(catalog.aggregates()["code"])
    used = set(obs["country_iso3"]) & agg_codes
    # every aggregate used is documented, and world totals are present
    assert "WLD" in used and used <= agg_codes


def test_every_row_carries_unit_source_and_line(obs):
    assert obs["source_id"].str.len().gt(0).all()
    assert obs["source_row"].ge(2).all()  # line 1 is the header
    has_value = obs["value"].notna() & ~obs["measure"].isin(["employment"])
    assert obs.loc[has_value, "unit"].str.len().gt(0).mean() > 0.99


def test_manifest_checksums_match_the_source_files(store, shared_data):
    for f in store.manifest["files"]:
        p = shared_data / f["source_id"]
        assert p.is_file(), f"dataset built from {f['source_id']}, not in {shared_data}"
        assert hashlib.sha256(p.read_bytes()).hexdigest() == f["sha256"], (
            f"{f['source_id']} changed since the packaged dataset was built; run "
            "`critmin data build --from ../shared/data --out src/critmin/data`"
        )


def _raw_mcs2026(shared_data, commodity, country, stats, year, detail_prefix=""):
    path = shared_data / "usgs_mcs2026" / "MCS2026_Commodities_Data.csv"
    with path.open(encoding="cp1252", newline="") as f:
        for line, r in enumerate(csv.DictReader(f), start=2):
            if (
                r["Commodity"] == commodity
                and r["Country"] == country
                and r["Statistics"] == stats
                and r["Year"] == str(year)
                and r["Statistics_detail"].startswith(detail_prefix)
                and "World" in r["Section"]
            ):
                return float(r["Value"].replace(",", "")), line
    raise LookupError((commodity, country, stats, year))


@pytest.mark.parametrize(
    ("commodity", "country", "iso3"),
    [
        ("Lithium", "Australia", "AUS"),
        ("Lithium", "World total", "WLD"),
        ("Cobalt", "Congo (Kinshasa)", "COD"),
        ("Rare Earths", "China", "CHN"),
        ("Rare Earths", "Burma", "MMR"),
    ],
)
def test_usgs_2025_mine_production_equals_the_published_cell(
    store, shared_data, commodity, country, iso3
):
    expected, line = _raw_mcs2026(
        shared_data, commodity, country, "Production", 2025, "Mine production"
    )
    got = store.query(
        "SELECT value, source_row FROM observations WHERE dataset='usgs_mcs2026' AND stage='mine' "
        "AND measure='production' AND year=2025 AND country_iso3=? AND commodity_id=? AND source_row=?",
        [iso3, catalog.resolve_commodity(commodity), line],
    )
    assert len(got) == 1 and got["value"].iloc[0] == expected


def test_trade_rows_equal_the_baci_file(store, shared_data):
    import gzip

    with gzip.open(
        shared_data / "baci_minerals" / "baci_hs92_minerals_1995_2024.csv.gz", "rt"
    ) as f:
        n = sum(1 for _ in f) - 1
    assert store.query("SELECT count(*) AS n FROM trade")["n"].iloc[0] == n


def test_trade_hs6_codes_map_to_commodities(store):
    t = store.query(
        "SELECT hs6, count(*) AS n, bool_and(commodity_id IS NOT NULL) AS ok FROM trade GROUP BY hs6"
    )
    unmapped = t[~t["ok"]]
    # documented in the catalog: precious-metal waste and scrap names no single commodity
    assert set(unmapped["hs6"]) <= {"711290"}, unmapped


def test_reconciliation_keeps_stated_totals(store, obs):
    rec = store.table("reconciliation")
    # a few USGS 2025 tables state several world rows for one series (titanium: ilmenite,
    # rutile, both); the first as published is the series total
    w = obs[obs["country_iso3"] == "WLD"].dropna(subset=["value"]).sort_values("source_row")
    w = w.drop_duplicates(
        ["dataset", "commodity_id", "series", "stage", "measure", "year", "unit", "basis"]
    )
    merged = rec.merge(
        w, on=["dataset", "commodity_id", "series", "stage", "measure", "year", "unit", "basis"]
    )
    assert (merged["world_stated"] == merged["value"]).all()
    assert set(rec["status"]) <= {"matches", "within rounding", "explained", "gap", "world only"}
    # most series reconcile; the rest are reported, not hidden
    ok = rec["status"].isin(["matches", "within rounding", "explained", "world only"]).mean()
    assert ok > 0.9


def test_governance_has_six_dimensions(store):
    g = store.query(
        "SELECT indicator, min(year) AS y0, max(year) AS y1 FROM governance GROUP BY indicator"
    )
    assert set(g["indicator"]) == {"va", "pv", "ge", "rq", "rl", "cc"}
    assert (g["y0"] == 1996).all() and (g["y1"] == 2023).all()


def test_groups_resolve_and_trust_is_india_and_us(store):
    g = store.table("groups")
    assert set(g.loc[g["group_id"] == "TRUST", "country_iso3"]) == {"IND", "USA"}
    assert g["country_iso3"].notna().all()


def test_export_controls_resolve_to_commodities(store):
    ec = store.table("export_controls")
    # every item names a commodity except phrases that name none ('Raw minerals', scrap,
    # catalysts, ...); a joint 'lead-zinc' becomes two rows
    vn = ec[ec["country_iso3"] == "VNM"]
    assert {"lead", "zinc"} <= set(vn["commodity_id"])
    china = ec[ec["country_iso3"] == "CHN"]
    assert set(china.loc[china["year_imposed"] == 2023, "commodity_id"]) >= {
        "gallium",
        "germanium",
        "graphite",
    }
    assert ec["commodity_id"].notna().mean() > 0.9
