"""Concentration metrics: hand-computed cases, invariants (hypothesis) and error messages."""

from __future__ import annotations

import doctest
import importlib
import math
import types

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import critmin.metrics as metrics
from critmin.errors import MethodError
from critmin.metrics import (
    bloc_share,
    concentration_table,
    group_shares,
    hhi,
    n_producers,
    shares,
    top_n_share,
    without,
)

# ---------------------------------------------------------------- hand-computed cases


def test_shares_hand_computed():
    s = shares(pd.Series({"AUS": 3.0, "CHL": 1.0}))
    assert s.to_dict() == {"AUS": 0.75, "CHL": 0.25}


def test_shares_nan_is_unknown_and_left_out():
    s = shares(pd.Series({"AUS": 3.0, "COD": np.nan, "IDN": 1.0}))
    assert s["AUS"] == 0.75 and s["IDN"] == 0.25
    assert math.isnan(s["COD"])
    assert list(s.index) == ["AUS", "COD", "IDN"]  # order kept


def test_hhi_two_producers_by_hand():
    # 0.6² + 0.4² = 0.36 + 0.16 = 0.52; in points 60² + 40² = 3600 + 1600 = 5200
    assert hhi(pd.Series({"A": 0.6, "B": 0.4})) == pytest.approx(0.52, abs=1e-15)
    assert hhi(pd.Series({"A": 0.6, "B": 0.4}), scale="points") == pytest.approx(5200.0, abs=1e-9)


def test_hhi_doj_worked_example():
    # methods/04 §4.1: shares 30, 30, 20, 20 % -> 900 + 900 + 400 + 400 = 2,600 points
    assert hhi([0.3, 0.3, 0.2, 0.2], scale="points") == pytest.approx(2600.0, abs=1e-9)


def test_hhi_monopoly_and_equal_split():
    assert hhi([1.0]) == 1.0
    assert hhi([1.0], scale="points") == 10_000.0
    assert hhi([0.25] * 4) == pytest.approx(0.25)  # 1/N


def test_hhi_of_shares_of_values_equals_geopolrisk_form():
    # methods/03: HHI = Σ P² / (Σ P)²; P = 5, 3, 2 -> (25 + 9 + 4) / 100 = 0.38
    assert hhi(shares(pd.Series([5.0, 3.0, 2.0]))) == pytest.approx(0.38, abs=1e-15)


def test_top_n_share_hand_computed():
    s = pd.Series({"CHN": 0.5, "AUS": 0.2, "CHL": 0.2, "ARG": 0.1})
    assert top_n_share(s, 1) == 0.5
    assert top_n_share(s, 3) == pytest.approx(0.9)
    assert top_n_share(s, 10) == pytest.approx(1.0)


def test_n_producers_counts_positive_only():
    assert n_producers(pd.Series({"A": 5.0, "B": 0.0, "C": np.nan, "D": 1.0})) == 2


def test_bloc_share_hand_computed():
    s = pd.Series({"CHN": 0.6, "AUS": 0.25, "USA": 0.1, "IND": 0.05})
    assert bloc_share(s, ["IND", "USA"]) == pytest.approx(0.15)
    assert bloc_share(s, ["IND", "JPN"]) == pytest.approx(0.05)  # JPN produces nothing
    assert bloc_share(s, []) == 0.0


def test_without_china_hand_computed():
    v = pd.Series({"CHN": 70.0, "AUS": 20.0, "USA": 10.0})
    rest = without(v, ["CHN"])
    assert rest.to_dict() == pytest.approx({"AUS": 2 / 3, "USA": 1 / 3})
    assert hhi(rest) == pytest.approx(4 / 9 + 1 / 9)  # 5/9


# ---------------------------------------------------------------- errors


def test_negative_quantity_is_named():
    with pytest.raises(MethodError, match=r"1 negative value.*'CHN'=-5"):
        shares(pd.Series({"CHN": -5.0, "AUS": 10.0}))


def test_all_zero_refused():
    with pytest.raises(MethodError, match="sum to zero"):
        shares(pd.Series({"A": 0.0, "B": 0.0}))


def test_empty_refused():
    with pytest.raises(MethodError, match="empty"):
        shares(pd.Series([], dtype=float))
    with pytest.raises(MethodError, match="empty"):
        hhi(pd.Series([], dtype=float))


def test_all_nan_refused():
    with pytest.raises(MethodError, match="all NaN"):
        shares(pd.Series([np.nan, np.nan]))


def test_hhi_refuses_percent_shares():
    with pytest.raises(MethodError, match=r"sum to 100, not 1.*divided by 100"):
        hhi([60.0, 40.0])


def test_hhi_refuses_unknown_scale():
    with pytest.raises(MethodError, match="scale must be"):
        hhi([1.0], scale="percent")  # type: ignore[arg-type]


def test_top_n_requires_positive_integer():
    for bad in (0, -1, 1.5, True):
        with pytest.raises(MethodError, match="positive integer"):
            top_n_share([1.0], bad)  # type: ignore[arg-type]


def test_members_as_string_refused():
    with pytest.raises(MethodError, match=r"write \['IND'\]"):
        bloc_share(pd.Series({"IND": 1.0}), "IND")
    with pytest.raises(MethodError, match=r"write \['CHN'\]"):
        without(pd.Series({"CHN": 1.0}), "CHN")


def test_without_everything_refused():
    with pytest.raises(MethodError, match="nothing remains"):
        without(pd.Series({"CHN": 1.0, "AUS": 0.0}), ["CHN"])


def test_repeated_entity_refused():
    with pytest.raises(MethodError, match=r"values index repeats \['CHN'\]"):
        shares(pd.Series([1.0, 2.0, 3.0], index=["CHN", "CHN", "AUS"]))
    with pytest.raises(MethodError, match=r"shares index repeats \['CHN'\]"):
        hhi(pd.Series([0.5, 0.5], index=["CHN", "CHN"]))


def test_dataframe_refused_with_hint():
    with pytest.raises(MethodError, match="select one column"):
        shares(pd.DataFrame({"a": [1.0]}))


# ---------------------------------------------------------------- concentration_table


@pytest.fixture
def production_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "commodity_id": ["lithium"] * 5 + ["cobalt"] * 3 + ["gallium"] * 2,
            "stage": ["mine"] * 10,
            "year": [2023] * 10,
            "country_iso3": ["AUS", "CHL", "CHN", "ARG", "WLD", "COD", "IDN", "RUS", "CHN", "JPN"],
            "value": [60.0, 30.0, 6.0, 4.0, 100.0, 80.0, 20.0, np.nan, 0.0, 0.0],
        }
    )


def test_concentration_table_hand_computed(production_table):
    t = concentration_table(production_table)
    li = t.loc[("lithium", "mine", 2023)]
    # WLD dropped; shares .6 .3 .06 .04: HHI = .36 + .09 + .0036 + .0016 = .4552
    assert li["total"] == 100.0
    assert li["top1_entity"] == "AUS"
    assert li["top1"] == pytest.approx(0.6)
    assert li["top3"] == pytest.approx(0.96)
    assert li["hhi_fraction"] == pytest.approx(0.4552)
    assert li["hhi_points"] == pytest.approx(4552.0)
    assert li["n_producers"] == 4 and li["n_missing"] == 0
    co = t.loc[("cobalt", "mine", 2023)]
    # RUS unknown: left out and counted; .8² + .2² = .68
    assert co["hhi_fraction"] == pytest.approx(0.68)
    assert co["n_producers"] == 2 and co["n_missing"] == 1
    ga = t.loc[("gallium", "mine", 2023)]
    assert ga["n_producers"] == 0 and math.isnan(ga["hhi_fraction"])
    assert ga["top1_entity"] is None or pd.isna(ga["top1_entity"])


def test_concentration_table_ties_broken_by_entity():
    df = pd.DataFrame({"year": [1, 1], "country_iso3": ["ZAF", "AUS"], "value": [5.0, 5.0]})
    t = concentration_table(df, by=["year"])
    assert t.loc[1, "top1_entity"] == "AUS"
    assert t.loc[1, "top1"] == 0.5


def test_group_shares(production_table):
    g = group_shares(production_table)
    li = g[g["commodity_id"] == "lithium"].set_index("country_iso3")["share"]
    assert "WLD" not in li.index
    assert li.sum() == pytest.approx(1.0)
    assert g[g["commodity_id"] == "gallium"]["share"].isna().all()


def test_concentration_table_errors(production_table):
    with pytest.raises(MethodError, match=r"column\(s\) \['tonnes'\] not in the table"):
        concentration_table(production_table, value="tonnes")
    dup = pd.concat([production_table, production_table.iloc[[0]]])
    with pytest.raises(MethodError, match="repeat an entity within a group"):
        concentration_table(dup)
    neg = production_table.assign(value=production_table["value"].where(lambda v: v != 6.0, -6.0))
    with pytest.raises(MethodError, match=r"1 negative value\(s\) in column 'value'"):
        concentration_table(neg)


# ---------------------------------------------------------------- invariants (hypothesis)

quantities = st.lists(
    st.floats(min_value=0.0, max_value=1e9, allow_nan=False, allow_subnormal=False),
    min_size=1,
    max_size=25,
).filter(lambda xs: sum(xs) > 0)


def _series(xs: list[float]) -> pd.Series:
    return pd.Series(xs, index=[f"C{i:02d}" for i in range(len(xs))])


@given(quantities)
def test_shares_sum_to_one(xs):
    assert shares(_series(xs)).sum() == pytest.approx(1.0, abs=1e-12)


@given(quantities)
def test_hhi_bounds(xs):
    s = shares(_series(xs))
    n = n_producers(s)
    h = hhi(s)
    assert 1.0 / n - 1e-12 <= h <= 1.0 + 1e-12
    assert hhi(s, scale="points") == pytest.approx(10_000 * h)
    # Σ s² <= max(s) · Σ s = top1
    assert h <= top_n_share(s, 1) + 1e-12


@given(quantities)
def test_top_n_monotone(xs):
    s = shares(_series(xs))
    t1, t3 = top_n_share(s, 1), top_n_share(s, 3)
    assert t1 <= t3 + 1e-12
    assert t3 <= 1.0 + 1e-12


@given(quantities)
def test_bloc_of_everyone_is_one(xs):
    s = shares(_series(xs))
    assert bloc_share(s, list(s.index)) == pytest.approx(1.0, abs=1e-12)


@given(quantities, st.data())
def test_without_renormalises(xs, data):
    v = _series(xs)
    keep_any = [c for c in v.index if v[c] > 0]
    drop = data.draw(st.lists(st.sampled_from(list(v.index)), max_size=len(v)))
    if all(c in drop for c in keep_any):
        with pytest.raises(MethodError):
            without(v, drop)
        return
    rest = without(v, drop)
    assert not set(rest.index) & set(drop)
    assert rest.sum() == pytest.approx(1.0, abs=1e-12)
    # ratios between remaining producers are unchanged
    a = rest.idxmax()
    for c in rest.index:
        if v[a] > 0:
            assert rest[c] / rest[a] == pytest.approx(v[c] / v[a], rel=1e-9)


@settings(max_examples=50)
@given(st.lists(st.tuples(st.sampled_from(["li", "co", "ni"]), quantities), min_size=1, max_size=3))
def test_table_equals_scalar_functions(groups):
    rows = []
    for commodity, xs in dict(groups).items():
        for i, x in enumerate(xs):
            rows.append({"commodity_id": commodity, "country_iso3": f"C{i:02d}", "value": x})
    df = pd.DataFrame(rows)
    t = concentration_table(df, by=["commodity_id"])
    for commodity, d in df.groupby("commodity_id"):
        s = shares(d.set_index("country_iso3")["value"])
        r = t.loc[commodity]
        assert r["hhi_fraction"] == pytest.approx(hhi(s), rel=1e-12)
        assert r["top1"] == pytest.approx(top_n_share(s, 1), rel=1e-12)
        assert r["top3"] == pytest.approx(top_n_share(s, 3), rel=1e-12)
        assert r["n_producers"] == n_producers(s)
        assert s[r["top1_entity"]] == pytest.approx(s.max())


# ---------------------------------------------------------------- docs and API


@pytest.mark.parametrize("module", ["critmin.metrics.concentration", "critmin.metrics.governance"])
def test_docstring_examples_run(module):
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0


def test_public_api_is_explicit():
    public = {
        n
        for n in dir(metrics)
        if not n.startswith("_")
        and n != "annotations"
        and not isinstance(getattr(metrics, n), types.ModuleType)
    }
    assert public == set(metrics.__all__)
    assert all(callable(getattr(metrics, n)) for n in metrics.__all__)


# ---------------------------------------------------------------- bounds with a remainder row


def test_hhi_bounds_by_hand():
    from critmin.metrics.concentration import hhi_bounds

    # named 50 % and 30 % of a stated total, 20 % "rest of world"
    lo, up = hhi_bounds(0.5**2 + 0.3**2, 0.2)
    assert lo == pytest.approx(0.34)
    assert up == pytest.approx(0.38)  # the rest as one producer: + 0.2²
    # rows exceeding the total (negative remainder): the bounds meet
    assert hhi_bounds(0.5, -0.03) == (0.5, 0.5)
    s_lo, s_up = hhi_bounds(pd.Series([0.25, 0.5], index=["a", "b"]), pd.Series([0.5, 0.0]))
    assert list(s_up.index) == ["a", "b"] and s_up.tolist() == pytest.approx([0.5, 0.5])


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.floats(0.0, 1e6), min_size=1, max_size=8),
    st.lists(st.floats(0.0, 1e6), min_size=1, max_size=5),
)
def test_hhi_bounds_bracket_every_split_of_the_remainder(named, rest):
    from critmin.metrics.concentration import hhi_bounds

    total = sum(named) + sum(rest)
    if total <= 0:
        return
    s_named = [x / total for x in named]
    true_hhi = sum(s**2 for s in s_named) + sum((x / total) ** 2 for x in rest)
    lo, up = hhi_bounds(sum(s**2 for s in s_named), 1.0 - sum(s_named))
    assert lo - 1e-12 <= true_hhi <= up + 1e-12


def test_hhi_bounds_refuses_points_and_percent():
    from critmin.metrics.concentration import hhi_bounds

    with pytest.raises(MethodError, match="divide points by 10,000"):
        hhi_bounds(2600.0, 0.1)
    with pytest.raises(MethodError, match="divide percent by 100"):
        hhi_bounds(0.3, 20.0)
