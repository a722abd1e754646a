"""Gallium and germanium are simulated on their current HS code (811292), not skipped."""

from __future__ import annotations

import numpy as np

from critmin.scenarios.data import hs_stages, supplemented_codes
from critmin.scenarios.presets import load_preset
from critmin.scenarios.runner import run_scenario


def test_the_preset_shocks_811292_and_artificial_graphite():
    p = load_preset("china_ga_ge_graphite_2023")
    assert set(p.unrepresented) == {"germanium"}  # inside 811292, not separable
    codes = {c for s in p.spec.shocks for c in s.commodities}
    st = hs_stages().set_index("hs6")
    assert "811292" in st.index and "Gallium, germanium" in st.loc["811292", "description"]
    assert "380110" in st.index and st.loc["380110", "description"] == "Graphite: artificial"
    assert {"811292", "380110", "250410", "250490"} == codes


def test_china_only_codes_give_each_importer_the_cut_itself():
    run = run_scenario("china_ga_ge_graphite_2023", n_draws=400, seed=7)
    assert supplemented_codes(2022, ["811292", "380110", "250410"]) == ["380110", "811292"]
    sf = run.tables["shortfall"]
    ga = sf[(sf["commodity_id"] == "811292") & (sf["year"] == 2023)]
    assert len(ga) >= 20  # China's partners in the Comtrade file, each with a shortfall
    # only China exports 811292 in the data, so an importer's consumption is its imports
    # from China and its shortfall share is the drawn cut: the same for every importer
    assert np.allclose(ga["p50_pct"], ga["p50_pct"].iloc[0])
    assert 0 < ga["p50_pct"].iloc[0] < 100
    art = sf[(sf["commodity_id"] == "380110") & (sf["year"] == 2023)]
    assert np.allclose(art["p50_pct"], ga["p50_pct"].iloc[0])
