"""Net import reliance (pure): hand-computed cases, USGS conventions, errors, comparison rules."""

from __future__ import annotations

import doctest
import importlib
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from critmin.errors import MethodError
from critmin.metrics.reliance import (
    NET_EXPORTER,
    NIR_TOLERANCE_PCT,
    NOT_AVAILABLE,
    WITHHELD,
    compare_published,
    net_import_reliance,
    published_flag,
    stock_release,
    trade_import_share,
)

# ---------------------------------------------------------------- hand-computed cases


def test_nir_by_hand_80_percent():
    # P=10, I=50, E=10, dS=0: AC = 10 + 50 - 10 = 50; NIR = (50 - 10) / 50 = 80 %
    r = net_import_reliance(10.0, 50.0, 10.0)
    assert r.at[0, "net_imports"] == 40.0
    assert r.at[0, "apparent_consumption"] == 50.0
    assert r.at[0, "nir_pct"] == pytest.approx(80.0, abs=1e-12)
    assert r.at[0, "flag"] == "" and r.at[0, "reason"] == ""


def test_no_domestic_production_is_100_percent():
    r = net_import_reliance(0.0, 30.0, 5.0)
    assert r.at[0, "nir_pct"] == pytest.approx(100.0)


def test_stock_drawdown_adds_to_supply():
    # stocks fell by 10 (dS = +10): AC = 10 + 50 - 10 + 10 = 60; NIR = (40 + 10) / 60
    r = net_import_reliance(10.0, 50.0, 10.0, stock_change=10.0)
    assert r.at[0, "apparent_consumption"] == 60.0
    assert r.at[0, "nir_pct"] == pytest.approx(100.0 * 50.0 / 60.0)
    # a build-up of 10 (dS = -10) absorbs supply: AC = 40, NIR = 30 / 40
    r = net_import_reliance(10.0, 50.0, 10.0, stock_change=-10.0)
    assert r.at[0, "nir_pct"] == pytest.approx(75.0)


def test_net_exporter_is_nan_with_flag_E():
    r = net_import_reliance(100.0, 10.0, 30.0)
    assert math.isnan(r.at[0, "nir_pct"])
    assert r.at[0, "flag"] == NET_EXPORTER == "E"
    assert r.at[0, "reason"] == "net exporter"
    assert r.at[0, "net_imports"] == -20.0  # the balance itself is kept


def test_zero_net_imports_is_zero_not_exporter():
    r = net_import_reliance(100.0, 10.0, 10.0)
    assert r.at[0, "nir_pct"] == 0.0 and r.at[0, "flag"] == ""


def test_withheld_production_cannot_be_computed():
    r = net_import_reliance(float("nan"), 50.0, 10.0)
    assert math.isnan(r.at[0, "nir_pct"])
    assert r.at[0, "flag"] == WITHHELD == "W"
    assert "withheld" in r.at[0, "reason"]


def test_unknown_trade_or_stock_is_NA():
    for kw in ({"imports": np.nan}, {"exports": np.nan}, {"stock_change": np.nan}):
        args = {"production": 1.0, "imports": 5.0, "exports": 1.0, "stock_change": 0.0} | kw
        r = net_import_reliance(**args)
        assert r.at[0, "flag"] == NOT_AVAILABLE, kw
        assert math.isnan(r.at[0, "nir_pct"])


def test_withheld_takes_precedence_over_net_exporter():
    r = net_import_reliance(float("nan"), 1.0, 50.0)
    assert r.at[0, "flag"] == "W"


def test_stated_consumption_basis():
    # USGS "percentage of reported consumption": (C - P) / C
    r = net_import_reliance(0.0, 8.0, 0.0, consumption=10.0)
    assert r.at[0, "nir_pct"] == pytest.approx(100.0)
    r = net_import_reliance(4.0, 8.0, 0.0, consumption=10.0)
    assert r.at[0, "nir_pct"] == pytest.approx(60.0)
    assert r.at[0, "apparent_consumption"] == 10.0
    r = net_import_reliance(12.0, 8.0, 0.0, consumption=10.0)
    assert r.at[0, "flag"] == "E"
    r = net_import_reliance(1.0, 8.0, 0.0, consumption=float("nan"))
    assert r.at[0, "flag"] == "NA" and r.at[0, "reason"] == "consumption not known"


def test_stated_apparent_consumption_basis_by_hand():
    """USGS's AC counts recycled metal the inputs do not list: NIR = (I - E + dS) / AC."""
    # I = 70, E = 40, dS = 5 -> net 35; AC = 100 (stated): 35 %; P is not used (NaN is fine)
    r = net_import_reliance(np.nan, 70.0, 40.0, 5.0, apparent_consumption=100.0).iloc[0]
    assert r["nir_pct"] == pytest.approx(35.0) and r["flag"] == ""
    assert r["apparent_consumption"] == 100.0 and r["net_imports"] == pytest.approx(35.0)
    # the balance with P = 10 would give 35 / 45 = 77.8 %: the stated AC is what moves it
    assert net_import_reliance(10.0, 70.0, 40.0, 5.0).iloc[0]["nir_pct"] == pytest.approx(
        100 * 35 / 45
    )
    r = net_import_reliance(
        np.nan, [10.0, 50.0, 50.0], [30.0, 10.0, 10.0], apparent_consumption=[80.0, np.nan, 0.0]
    )
    assert r["flag"].tolist() == [NET_EXPORTER, NOT_AVAILABLE, NOT_AVAILABLE]
    assert r["nir_pct"].isna().all()


def test_stated_apparent_consumption_bad_input():
    with pytest.raises(MethodError, match="either consumption .* or apparent_consumption"):
        net_import_reliance(1.0, 2.0, 1.0, consumption=5.0, apparent_consumption=5.0)
    with pytest.raises(MethodError, match="apparent_consumption has 1 negative value"):
        net_import_reliance(1.0, 2.0, 1.0, apparent_consumption=-5.0)


def test_vectorised_and_keeps_series_index():
    idx = pd.Index([2021, 2022, 2023], name="year")
    p = pd.Series([10.0, np.nan, 100.0], index=idx)
    i = pd.Series([50.0, 50.0, 10.0], index=idx)
    e = pd.Series([10.0, 10.0, 30.0], index=idx)
    r = net_import_reliance(p, i, e)
    assert list(r.index) == [2021, 2022, 2023]
    assert r["flag"].tolist() == ["", "W", "E"]
    assert r.at[2021, "nir_pct"] == pytest.approx(80.0)


def test_scalar_broadcasts_against_arrays():
    r = net_import_reliance([0.0, 10.0], 50.0, 10.0)
    assert r["nir_pct"].round(9).tolist() == [100.0, 80.0]


# ---------------------------------------------------------------- errors


def test_negative_quantity_is_an_error_naming_it():
    with pytest.raises(MethodError, match=r"imports has 1 negative value\(s\) .*-5"):
        net_import_reliance(1.0, -5.0, 0.0)


def test_misaligned_series_are_an_error():
    a = pd.Series([1.0, 2.0], index=[2021, 2022])
    b = pd.Series([1.0, 2.0], index=[2022, 2023])
    with pytest.raises(MethodError, match="indexed differently"):
        net_import_reliance(a, b, 0.0)


def test_different_lengths_are_an_error():
    with pytest.raises(MethodError, match="different lengths"):
        net_import_reliance([1.0, 2.0], [1.0, 2.0, 3.0], 0.0)


def test_dataframe_input_is_an_error():
    with pytest.raises(MethodError, match="not a DataFrame"):
        net_import_reliance(pd.DataFrame({"a": [1.0]}), 1.0, 1.0)


def test_non_numeric_is_an_error():
    with pytest.raises(MethodError, match="must be numeric"):
        net_import_reliance("ten", 1.0, 1.0)


# ---------------------------------------------------------------- invariants


@settings(max_examples=200, deadline=None)
@given(
    p=st.floats(0, 1e6),
    i=st.floats(0, 1e6),
    e=st.floats(0, 1e6),
    ds=st.floats(-1e5, 1e5),
)
def test_nir_in_0_100_or_flagged(p, i, e, ds):
    r = net_import_reliance(p, i, e, ds).iloc[0]
    net = i - e + ds
    if r["flag"] == "":
        assert -1e-9 <= r["nir_pct"] <= 100.0 + 1e-9
        assert r["apparent_consumption"] == pytest.approx(p + net)
    elif net < 0:
        assert r["flag"] == "E"
    else:
        assert r["flag"] == "NA"  # AC <= 0


# ---------------------------------------------------------------- helpers


def test_stock_release_sign_and_first_year():
    ds = stock_release(pd.Series({2021: 10.0, 2022: 7.0, 2023: 9.0}))
    assert math.isnan(ds[2021])
    assert ds[2022] == 3.0  # drawn down by 3: adds 3 to supply
    assert ds[2023] == -2.0


def test_stock_release_gap_year_is_nan_and_order_kept():
    ds = stock_release(pd.Series({2023: 9.0, 2021: 10.0}))
    assert list(ds.index) == [2023, 2021]
    assert ds.isna().all()  # 2022 missing: no change for 2023 either


def test_stock_release_errors():
    with pytest.raises(MethodError, match="Series"):
        stock_release([1.0, 2.0])
    with pytest.raises(MethodError, match="repeat years"):
        stock_release(pd.Series([1.0, 2.0], index=[2021, 2021]))


def test_trade_import_share():
    s = trade_import_share([30.0, 0.0, 5.0], [10.0, 0.0, 0.0])
    assert s[0] == 0.75 and math.isnan(s[1]) and s[2] == 1.0
    with pytest.raises(MethodError, match="negative"):
        trade_import_share(-1.0, 1.0)


def test_published_flag_codes():
    assert published_flag(50.0, "lower_bound;estimated") == ">50"
    assert published_flag(25.0, "upper_bound") == "<25"
    assert published_flag(0.5, "upper_bound") == "<0.5"
    assert published_flag(float("nan"), "net_exporter;estimated") == "E"
    assert published_flag(float("nan"), "withheld") == "W"
    assert published_flag(float("nan"), "not_available") == "NA"
    assert published_flag(float("nan"), "") == "NA"
    assert published_flag(72.0, "estimated") == ""
    assert published_flag(72.0, None) == ""


def test_compare_published_rules():
    tol = NIR_TOLERANCE_PCT
    cases = [
        # computed, flag, published, qualifier, expected
        (80.0, "", 80.0 + tol, "", True),
        (80.0, "", 80.0 + tol + 0.01, "", False),
        (60.0, "", 50.0, ">50", True),
        (50.0, "", 50.0, ">50", False),  # strictly above the bound
        (10.0, "", 25.0, "<25", True),
        (30.0, "", 25.0, "<25", False),
        (np.nan, "E", np.nan, "E", True),
        (5.0, "", np.nan, "E", False),
        (np.nan, "W", 50.0, ">50", False),  # not computed never agrees
        (np.nan, "NA", 80.0, "", False),
        (80.0, "", np.nan, "NA", pd.NA),  # nothing published
        (80.0, "", np.nan, "W", pd.NA),
    ]
    got = compare_published(
        [c[0] for c in cases], [c[1] for c in cases], [c[2] for c in cases], [c[3] for c in cases]
    )
    for (c, f, p, q, want), g in zip(cases, got, strict=True):
        if want is pd.NA:
            assert g is pd.NA, (c, f, p, q)
        else:
            assert g == want, (c, f, p, q)
    assert str(got.dtype) == "boolean"


def test_compare_published_length_mismatch():
    with pytest.raises(MethodError, match="one entry per figure"):
        compare_published([1.0, 2.0], [""], [1.0, 2.0], ["", ""])


def test_docstring_examples_run():
    mod = importlib.import_module("critmin.metrics.reliance")
    res = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert res.attempted > 0 and res.failed == 0
