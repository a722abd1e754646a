"""Bloc views (pure): stated-total shares, bloc share, world without X; invariants, errors."""

from __future__ import annotations

import doctest
import importlib

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from critmin.errors import MethodError
from critmin.metrics import bloc_share as scalar_bloc_share
from critmin.metrics import concentration_table, hhi, shares, top_n_share
from critmin.metrics.blocs import (
    bloc_share,
    bloc_shares,
    bloc_withheld,
    concentration_of_total,
    concentration_without,
    shares_of_total,
)


def _frame(values: dict[str, float], year: int = 2024) -> pd.DataFrame:
    return pd.DataFrame(
        {"year": year, "country_iso3": list(values), "value": list(values.values())}
    )


# ---------------------------------------------------------------- hand-computed


def test_stated_total_shares_by_hand():
    # 60 and 20 of a stated 100 (20 "other countries"): shares 0.6 and 0.2, coverage 0.8,
    # HHI = 0.36 + 0.04 = 0.40, top1 0.6, top3 = 0.8
    df = _frame({"AUS": 60.0, "CHL": 20.0})
    t = concentration_of_total(df, pd.Series({2024: 100.0}), by=["year"]).loc[2024]
    assert t["top1"] == pytest.approx(0.6)
    assert t["top3"] == pytest.approx(0.8)
    assert t["hhi_fraction"] == pytest.approx(0.40)
    assert t["hhi_points"] == pytest.approx(4000.0)
    assert t["coverage"] == pytest.approx(0.8)
    assert t["denominator"] == 100.0
    assert t["share_basis"] == "stated total"
    assert t["top1_entity"] == "AUS"


def test_without_total_equals_concentration_table():
    df = _frame({"AUS": 60.0, "CHL": 30.0, "CHN": 10.0})
    a = concentration_of_total(df, by=["year"])
    b = concentration_table(df, by=["year"], exclude=())
    for c in ("top1", "top3", "hhi_fraction", "hhi_points", "n_producers"):
        assert a.loc[2024, c] == pytest.approx(b.loc[2024, c])
    assert a.loc[2024, "coverage"] == pytest.approx(1.0)
    assert a.loc[2024, "share_basis"] == "sum of producers"


def test_missing_or_zero_stated_total_falls_back_to_sum():
    df = pd.concat([_frame({"A": 3.0, "B": 1.0}, 2023), _frame({"A": 1.0, "B": 1.0}, 2024)])
    t = concentration_of_total(df, pd.Series({2023: 0.0}), by=["year"])
    assert t.loc[2023, "top1"] == pytest.approx(0.75)
    assert (t["share_basis"] == "sum of producers").all()


def test_world_without_china_by_hand():
    # 70 / 20 / 10 of a stated 110 (10 unnamed): without CHN the rest is 40;
    # AUS 20/40 = 0.5, USA 0.25, coverage 0.75, excluded share 70/110
    df = _frame({"CHN": 70.0, "AUS": 20.0, "USA": 10.0})
    t = concentration_without(df, ["CHN"], pd.Series({2024: 110.0}), by=["year"]).loc[2024]
    assert t["top1_entity"] == "AUS"
    assert t["top1"] == pytest.approx(0.5)
    assert t["hhi_fraction"] == pytest.approx(0.5**2 + 0.25**2)
    assert t["coverage"] == pytest.approx(0.75)
    assert t["excluded_share"] == pytest.approx(70.0 / 110.0)
    assert t["denominator"] == pytest.approx(40.0)


def test_bloc_share_matches_scalar_version():
    s = shares(pd.Series({"CHN": 60.0, "AUS": 25.0, "USA": 10.0, "IND": 5.0}))
    frame = pd.DataFrame({"year": 2024, "country_iso3": s.index, "share": s.to_numpy()})
    assert bloc_share(frame, ["IND", "USA"], by=["year"])[2024] == pytest.approx(
        scalar_bloc_share(s, ["IND", "USA"])
    )
    assert bloc_share(frame, ["JPN"], by=["year"])[2024] == 0.0  # absent member adds 0


def test_bloc_shares_several_at_once():
    frame = pd.DataFrame(
        {"year": 2024, "country_iso3": ["CHN", "AUS", "USA"], "share": [0.7, 0.2, 0.1]}
    )
    t = bloc_shares(
        frame, {"TRUST": ["IND", "USA"], "QUAD": ["AUS", "IND", "JPN", "USA"]}, by=["year"]
    )
    assert t.loc[2024, "TRUST"] == pytest.approx(0.1)
    assert t.loc[2024, "QUAD"] == pytest.approx(0.3)


def test_shares_of_total_nan_is_unknown():
    df = _frame({"A": 50.0, "B": np.nan})
    s = shares_of_total(df, pd.Series({2024: 100.0}), by=["year"]).set_index("country_iso3")
    assert s.loc["A", "share"] == 0.5 and np.isnan(s.loc["B", "share"])


# ---------------------------------------------------------------- errors


def test_single_string_members_is_an_error():
    frame = pd.DataFrame({"year": [2024], "country_iso3": ["USA"], "share": [1.0]})
    with pytest.raises(MethodError, match=r"got the string 'USA'; write \['USA'\]"):
        bloc_share(frame, "USA", by=["year"])
    with pytest.raises(MethodError, match="exclude must be a list"):
        concentration_without(_frame({"A": 1.0}), "CHN", by=["year"])


def test_missing_columns_are_named():
    with pytest.raises(MethodError, match=r"column\(s\) \['share'\] not in the table"):
        bloc_share(pd.DataFrame({"year": [1], "country_iso3": ["A"]}), ["A"], by=["year"])
    with pytest.raises(MethodError, match=r"column\(s\) \['qty'\]"):
        concentration_of_total(_frame({"A": 1.0}), by=["year"], value="qty")


def test_empty_table_is_an_error():
    with pytest.raises(MethodError, match="empty"):
        concentration_of_total(_frame({}), by=["year"])


def test_totals_must_be_series_with_group_index():
    df = pd.DataFrame(
        {"c": ["x", "x"], "year": [2024, 2024], "country_iso3": ["A", "B"], "value": [1.0, 1.0]}
    )
    with pytest.raises(MethodError, match="MultiIndex"):
        concentration_of_total(df, pd.Series({2024: 5.0}), by=["c", "year"])
    with pytest.raises(MethodError, match="pandas Series"):
        concentration_of_total(df, {"x": 5.0}, by=["c", "year"])  # type: ignore[arg-type]


def test_negative_value_is_an_error():
    with pytest.raises(MethodError, match="negative"):
        concentration_of_total(_frame({"A": -1.0, "B": 2.0}), by=["year"])


# ---------------------------------------------------------------- invariants (hypothesis)

_values = st.lists(st.floats(0.01, 1e6), min_size=1, max_size=12)


@settings(max_examples=150, deadline=None)
@given(vals=_values, extra=st.floats(0.0, 1e6), drop=st.integers(0, 11))
def test_invariants_stated_total(vals, extra, drop):
    names = [f"C{i:02d}" for i in range(len(vals))]
    df = _frame(dict(zip(names, vals, strict=True)))
    total = sum(vals) + extra
    t = concentration_of_total(df, pd.Series({2024: total}), by=["year"]).loc[2024]
    k = sum(vals) / total
    n = len(vals)
    # named shares sum to the coverage; 1/n·k² <= HHI <= top1·k; top1 <= top3 <= coverage
    assert t["coverage"] == pytest.approx(k)
    assert t["top1"] <= t["top3"] + 1e-12 <= t["coverage"] + 2e-12
    assert k**2 / n - 1e-12 <= t["hhi_fraction"] <= t["top1"] * k + 1e-12
    # equal to the scalar functions on the named shares, rescaled
    s = shares(pd.Series(vals, index=names))
    assert t["hhi_fraction"] == pytest.approx(hhi(s) * k**2)
    assert t["top3"] == pytest.approx(top_n_share(s, 3) * k)
    # bloc share of all producers = coverage (= 1 when the total is the sum)
    sh = shares_of_total(df, pd.Series({2024: total}), by=["year"])
    assert bloc_share(sh, names, by=["year"])[2024] == pytest.approx(k)
    # the world without one producer renormalises over what remains of the total
    if n > 1:
        x = names[drop % n]
        w = concentration_without(df, [x], pd.Series({2024: total}), by=["year"]).loc[2024]
        rest = total - vals[drop % n]
        assert w["coverage"] == pytest.approx((sum(vals) - vals[drop % n]) / rest)
        rest_sh = shares_of_total(df, pd.Series({2024: total}), by=["year"], exclude=[x])
        assert rest_sh["share"].sum() + (1 - w["coverage"]) == pytest.approx(1.0)
        assert w["excluded_share"] == pytest.approx(vals[drop % n] / total)


@settings(max_examples=100, deadline=None)
@given(vals=_values)
def test_hhi_in_unit_interval_from_sum(vals):
    names = [f"C{i:02d}" for i in range(len(vals))]
    t = concentration_of_total(_frame(dict(zip(names, vals, strict=True))), by=["year"]).loc[2024]
    n = int(t["n_producers"])
    assert 1 / n - 1e-12 <= t["hhi_fraction"] <= 1 + 1e-12
    assert t["coverage"] == pytest.approx(1.0)


def test_docstring_examples_run():
    mod = importlib.import_module("critmin.metrics.blocs")
    res = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert res.attempted > 0 and res.failed == 0


# ---------------------------------------------------------------- withheld members (issue 11.6)


def test_bloc_withheld_names_members_by_hand():
    s = pd.DataFrame(
        {
            "year": [2024, 2024, 2024, 2025, 2025],
            "country_iso3": ["CHL", "USA", "IND", "USA", "IND"],
            "share": [0.4, np.nan, np.nan, 0.1, np.nan],
            "withheld": [False, True, False, False, np.nan],
        }
    )
    w = bloc_withheld(s, ["IND", "USA"], by=["year"])
    # 2024: USA withheld (IND merely absent: NaN, not withheld); 2025: none
    assert w.to_dict() == {2024: "USA", 2025: ""}
    # the share counts what is known: 0 in 2024 is a lower bound, 0.1 in 2025 is a figure
    assert bloc_share(s, ["IND", "USA"], by=["year"]).to_dict() == {2024: 0.0, 2025: 0.1}
    # a non-member's withheld figure does not flag the bloc
    assert bloc_withheld(s, ["CHL"], by=["year"]).to_dict() == {2024: "", 2025: ""}


def test_bloc_withheld_bad_input():
    s = pd.DataFrame({"year": [2024], "country_iso3": ["USA"], "share": [np.nan]})
    with pytest.raises(MethodError, match=r"\['withheld'\] not in the table"):
        bloc_withheld(s, ["USA"], by=["year"])
    with pytest.raises(MethodError, match="members"):
        bloc_withheld(s.assign(withheld=True), "USA", by=["year"])
