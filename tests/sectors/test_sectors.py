"""Strategic-sector table: published shares reproduced, IEA shares recomputed, invariants."""

from __future__ import annotations

import pandas as pd
import pytest

from critmin.enduse import (
    SECTORS,
    EndUseFileError,
    hs6_sector_shares,
    published_shares,
    resolve_sector,
    sector_shares,
    sector_table,
)
from critmin.errors import CritminError, UnknownCommodity


def test_published_rows_reproduce_their_sources():
    t = sector_table().set_index(["commodity_id", "sector"])
    # USGS MCS 2011 lithium: "pharmaceuticals, 2%" of global end-use markets
    assert t.loc[("lithium", "pharmaceuticals"), "share"] == 0.02
    # USGS MCS 2011 gallium: 64 % integrated circuits, 35 % optoelectronic devices
    assert t.loc[("gallium", "semiconductors and AI hardware"), "share"] == 0.64
    assert t.loc[("gallium", "optoelectronics"), "share"] == 0.35
    assert "U.S. Geological Survey (2011)" in t.loc[("lithium", "pharmaceuticals"), "source"]


def test_iea_shares_are_recomputed_from_the_dataset():
    from critmin.store import get_store

    d = get_store().query(
        "SELECT mineral, sector_or_technology AS tech, value FROM demand WHERE scenario = "
        "'Base year' AND sheet = '1 Total demand for key minerals' AND \"case\" = 'Base case'"
    )
    li = d[d["mineral"] == "Lithium"].set_index("tech")["value"]
    want = (li["Electric vehicles"] + li["Grid battery storage"]) / li["Total demand"]
    got = sector_table("lithium", "batteries and EVs")["share"].iloc[0]
    assert got == pytest.approx(want, rel=1e-12)
    ree = d[d["mineral"] == "Magnet rare earth elements"].set_index("tech")["value"]
    for el in ("Nd", "Pr", "Dy", "Tb"):  # the IEA group share, given to each magnet REE
        assert sector_table(el, "wind")["share"].iloc[0] == pytest.approx(
            ree["Wind"] / ree["Total demand"], rel=1e-12
        )


def test_same_numbers_as_the_scenario_runners_own_iea_shares():
    from critmin.scenarios.runner import sector_shares_from_data

    old = sector_shares_from_data()
    old = old[old["commodity_id"] == "283691"].set_index("sector")["share"]
    new = hs6_sector_shares()
    new = new[new["commodity_id"] == "283691"].set_index("sector")["share"]
    assert new["batteries and EVs"] == pytest.approx(
        old["electric vehicles"] + old["grid battery storage"], rel=1e-12
    )


def test_shares_sum_to_at_most_one_and_every_share_has_a_source():
    s = sector_shares()
    assert s["share"].between(0, 1).all()
    assert (s.groupby("commodity_id")["share"].sum() <= 1 + 1e-12).all()
    assert (s["source"].str.len() > 20).all()
    assert not s.duplicated(["commodity_id", "sector"]).any()


def test_the_seed_sectors_and_the_pharmaceutical_minerals_are_covered():
    t = sector_table()
    assert set(SECTORS) <= set(t["sector"])
    pharma = sector_table(sector="pharma")
    assert {"Li", "Mg", "Zn", "Se"} <= set(pharma["element"])
    listed = pharma[pharma["share"].isna()]
    assert (listed["basis"] == "listed, share not published").all()
    defence = sector_table(sector="defense")
    assert {"Nd", "Pr", "Sm"} <= set(defence["element"])


def test_hs6_shares_copy_the_commodity_shares_to_its_codes():
    h = hs6_sector_shares()
    li = sector_shares().query("commodity_id == 'lithium'").set_index("sector")["share"]
    for code in ("282520", "283691"):
        got = h[h["commodity_id"] == code].set_index("sector")["share"]
        pd.testing.assert_series_equal(got.sort_index(), li.sort_index(), check_names=False)


def test_names_resolve_or_fail_with_suggestions():
    assert resolve_sector("AI") == "semiconductors and AI hardware"
    assert resolve_sector("Wind") == "wind"
    with pytest.raises(CritminError, match="did you mean"):
        resolve_sector("defnce")
    with pytest.raises(UnknownCommodity, match="lithium"):
        sector_table("lithum")


def test_a_bad_share_file_names_file_row_column_and_fix(tmp_path):
    cols = "commodity_id,element,end_use,sector,share,unit,data_year,source_title,organisation,year,locator,url,note"
    p = tmp_path / "shares.csv"
    p.write_text(cols + "\nlithium,Li,x,pharmaceuticals,2%,f,2010,T,O,2011,,,\n")
    with pytest.raises(EndUseFileError) as exc:
        published_shares(p)
    msg = str(exc.value)
    assert "shares.csv, row 2" in msg and "column 'share'" in msg and "fix:" in msg
    p.write_text(
        cols
        + "\nlithium,Li,x,pharmaceuticals,0.7,f,2010,T,O,2011,,,\nlithium,Li,y,wind,0.6,f,2010,T,O,2011,,,\n"
    )
    with pytest.raises(EndUseFileError, match="sum to 1.300"):
        published_shares(p)
    p.write_text(cols + "\nlithium,Li,x,pharmaceuticals,0.1,f,2010,,O,2011,,,\n")
    with pytest.raises(EndUseFileError, match="column 'source_title'"):
        published_shares(p)
