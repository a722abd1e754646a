"""The stress test's sector goes through the shipped element -> sector table."""

from __future__ import annotations

import pytest

from critmin.enduse import sector_table
from critmin.errors import CritminError
from critmin.plan.api import sector_share


def test_an_alias_finds_the_sectors_share_of_the_code():
    # artificial graphite (380110) is a graphite code: its battery share is graphite's
    t = sector_table("graphite", listed=False)
    want = t.loc[t["sector"] == "batteries and EVs", "share"].sum()
    assert 0 < want < 1
    share, label = sector_share("batteries", "380110")
    assert share == pytest.approx(want)
    assert "batteries and EVs" in label


def test_a_sector_without_a_share_falls_back_to_the_whole_code_and_says_so():
    share, label = sector_share("defence", "380110")
    assert share is None and "whole apparent consumption" in label


def test_an_unknown_sector_is_one_error_with_the_nearest_names():
    with pytest.raises(CritminError, match="did you mean 'batteries and EVs'") as err:
        sector_share("batteris", "380110")
    assert str(err.value).count("'batteries and EVs'") == 1


def test_the_trade_source_names_comtrade_where_baci_lacks_the_code():
    from critmin.plan._inputs import BACI, COMTRADE_CHN, trade_source
    from critmin.store import get_store

    year = 2024
    in_baci = set(get_store().query("SELECT DISTINCT hs6 FROM trade WHERE year = ?", [year])["hs6"])
    assert "380110" not in in_baci and "250410" in in_baci
    assert trade_source(year, "380110").startswith(COMTRADE_CHN)
    assert trade_source(year, "250410") == f"{BACI}, {year}, HS6 250410"
