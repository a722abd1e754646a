"""The Python API: friendly names, tidy frames, figures that match the store."""

import pytest

import critmin
from critmin.errors import UnknownCommodity, UnknownCountry, UnknownGroup
from critmin.store import get_store


@pytest.mark.parametrize(
    ("name", "cid"),
    [
        ("lithium", "lithium"),
        ("Lithium", "lithium"),
        ("Li", "lithium"),
        ("rare earths", "rare_earths"),
        ("REE", "rare_earths"),
        ("Nd", "neodymium"),
        ("cobalt", "cobalt"),
    ],
)
def test_friendly_commodity_names(name, cid):
    assert critmin.catalog.resolve_commodity(name) == cid


@pytest.mark.parametrize(
    ("name", "iso3"),
    [
        ("IND", "IND"),
        ("India", "IND"),
        ("india", "IND"),
        ("US", "USA"),
        ("United States", "USA"),
        ("Burma", "MMR"),
    ],
)
def test_friendly_country_names(name, iso3):
    assert critmin.catalog.resolve_country(name) == iso3


def test_unknown_names_suggest_the_nearest():
    with pytest.raises(UnknownCommodity, match="did you mean 'lithium'"):
        critmin.production("lithum")
    with pytest.raises(UnknownCountry, match="India"):
        critmin.trade("cobalt", importer="Indai")
    with pytest.raises(UnknownGroup, match="MSP"):
        critmin.groups("MSPP")


def test_production_shares_are_of_the_stated_world_total():
    df = critmin.production("cobalt", stage="mine", year=2025)
    world = df.loc[df["country_iso3"] == "WLD", "value"].iloc[0]
    cod = df[df["country_iso3"] == "COD"].iloc[0]
    assert cod["share"] == pytest.approx(cod["value"] / world)
    assert set(df["dataset"]) == {"usgs_mcs2026"}
    assert {"unit", "basis", "source_id", "source_row"} <= set(df.columns)


def test_reserves_and_capacity_are_tidy():
    r = critmin.reserves("lithium")
    assert (r["measure"] == "reserves").all() and "WLD" in set(r["country_iso3"])
    c = critmin.capacity("cobalt")
    assert c.empty or (c["measure"] == "capacity").all()


def test_salient_is_us_only():
    s = critmin.salient("cobalt")
    assert set(s["country_iso3"]) == {"USA"}
    assert {"imports", "exports", "net_import_reliance"} <= set(s["measure"])


def test_trade_equals_a_direct_store_query():
    df = critmin.trade("cobalt", importer="India", year=2023)
    direct = (
        get_store()
        .query(
            "SELECT sum(value_kusd) AS v FROM trade WHERE importer_iso3='IND' AND year=2023 AND commodity_id='cobalt'"
        )["v"]
        .iloc[0]
    )
    assert df["value_kusd"].sum() == pytest.approx(direct)
    assert (df["importer_iso3"] == "IND").all()


def test_governance_export_controls_groups():
    g = critmin.governance("India", indicator="pv", year=2023)
    assert len(g) == 1 and g["country_iso3"].iloc[0] == "IND"
    ec = critmin.export_controls(country="China")
    assert {"rare_earths", "gallium", "germanium", "graphite", "antimony"} <= set(
        ec["commodity_id"]
    )
    assert critmin.group_members("TRUST") == ["IND", "USA"]
    assert {"IND", "USA", "JPN", "AUS"} <= set(critmin.group_members("QUAD"))


def test_check_reports_reconciliation():
    rec = critmin.check()
    assert {"world_stated", "countries_sum", "gap", "status", "explanation"} <= set(rec.columns)


def test_sources_list_publishers_and_checksums():
    s = critmin.sources()
    assert s["sha256"].str.len().eq(64).all()
    assert s["licence"].notna().all()


def test_empty_query_is_an_empty_frame_not_an_error():
    assert critmin.production("lithium", year=1990).empty


def test_salient_leaves_out_the_us_line_of_world_tables():
    s = critmin.salient("cobalt", measure="production", year=2025)
    world = critmin.production("cobalt", stage="mine", year=2025, country="USA")
    # the U.S. row of the world mine-production table is not a salient statistic
    assert not set(zip(s["dataset"], s["source_row"], strict=True)) & set(
        zip(world["dataset"], world["source_row"], strict=True)
    )
    assert len(s) >= 1


def test_us_row_listed_twice_by_usgs_appears_once():
    # MCS2026 labels the U.S. salient palladium row like the U.S. line of the world table
    d = critmin.production("palladium", year=2025)
    us = d[d["country_iso3"] == "USA"]
    assert len(us) == 1
    world_total = d.loc[d["country_iso3"] == "WLD", "value"].iloc[0]
    assert us["share"].iloc[0] == pytest.approx(us["value"].iloc[0] / world_total)
