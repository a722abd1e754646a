"""Default recycling in scenarios: allocation keeps the tonnes, and it fills part of a gap."""

from __future__ import annotations

import numpy as np
import pytest

from critmin.circular.links import ELEMENT_CONTENT_CODES, default_recycling_table
from critmin.circular.uncertainty import default_recovery
from critmin.scenarios.data import build_network
from critmin.scenarios.runner import run_scenario


@pytest.fixture(scope="module")
def net():
    return build_network(2022, commodities=["250410", "250490", "810510"])


def test_allocation_over_importers_and_codes_keeps_the_world_tonnes(net):
    years = [2030, 2035]
    tab = default_recycling_table(net, years, n_draws=100, seed=0)
    assert set(tab["commodity_id"]) <= set(ELEMENT_CONTENT_CODES)
    dr = default_recovery(years=range(2023, 2036), n_draws=100, seed=0)
    p50 = np.percentile(dr.draws_recovered, 50, axis=0)
    for elem in ("graphite", "Co"):
        e = dr.elements.index(elem)
        for y in years:
            got = tab[(tab["element"] == elem) & (tab["year"] == y)]["quantity_t"].sum()
            want = p50[dr.years.index(y), e]
            assert got == pytest.approx(want, rel=1e-9)
    assert (tab["quantity_t"] > 0).all()


def test_recycling_is_a_default_mitigation_and_shows_in_who_fills():
    on = run_scenario("drc_cobalt_quota_2025", n_draws=200, seed=1)
    off = run_scenario("drc_cobalt_quota_2025", n_draws=200, seed=1, recycling=None)
    assert on.metadata["recycling"].startswith("default") and "810510" in on.metadata["recycling"]
    fills = on.tables["fills"]
    rec = fills[(fills["source"] == "recycling") & (fills["commodity_id"] == "810510")]
    assert (rec["mean_t"] > 0).any()
    a = off.tables["shortfall"].set_index(["year", "importer_iso3", "commodity_id"])["mean_t"]
    b = on.tables["shortfall"].set_index(["year", "importer_iso3", "commodity_id"])["mean_t"]
    common = a.index.intersection(b.index)
    assert (b[common] <= a[common] + 1e-6).all() and (b[common] < a[common] - 1e-9).any()
