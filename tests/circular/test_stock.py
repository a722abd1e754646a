"""Dynamic stock models: ODYM reference cases, hand-computed cases, invariants, bad inputs.

The ODYM cases are read at test time from ``../shared/methods/validation/dsm`` (IndEcol/ODYM
tests/test_dynamic_stock_model.py @0da9fcb).  Each printed value is matched to the precision
it carries: |computed - printed| <= half a unit in its last printed digit.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from critmin.circular import lifetimes as lt
from critmin.circular.stock import NegativeInflowWarning, inflow_driven, stock_driven
from critmin.errors import MethodError

CASE_OF_SUFFIX = {"FixedLT": "Fixed", "NormLT": "Normal", "WeibullLT": "Weibull"}


# ----------------------------------------------------------------------------- helpers
def half_unit(text: str) -> float:
    """Half a unit in the last printed digit of a number as written in the file."""
    exp = Decimal(text.strip()).as_tuple().exponent
    return 0.5 * 10.0 ** int(exp)


def parse_lifetime(text: str) -> lt.Lifetime:
    """'Normal mean=5 sd=1.5' -> lifetimes.normal(5, 1.5) (from the file's own words)."""
    family, *pairs = text.split()
    kv = dict(p.split("=") for p in pairs)
    names = {"mean": "mean", "sd": "std", "shape": "shape", "scale": "scale"}
    return lt.from_spec(family, **{names[k]: float(v) for k, v in kv.items()})


def dsm_dir(shared_methods: Path) -> Path:
    return shared_methods / "validation" / "dsm"


def t10(shared_methods: Path) -> pd.DataFrame:
    return pd.read_csv(dsm_dir(shared_methods) / "odym_inflow_driven_T10.csv", dtype=str)


def case_inputs(shared_methods: Path, case: str) -> tuple[np.ndarray, lt.Lifetime, pd.DataFrame]:
    df = t10(shared_methods)
    g = df[df["case"] == case].sort_values("t_index", key=lambda s: s.astype(int))
    assert g["lifetime"].nunique() == 1
    return g["inflow"].astype(float).to_numpy(), parse_lifetime(g["lifetime"].iloc[0]), g


def assert_matches_printed(computed: np.ndarray, printed: pd.DataFrame | pd.Series) -> float:
    """Assert each value within half a unit of its last digit; return max abs diff."""
    texts = np.asarray(printed, dtype=str)
    expected = texts.astype(float)
    tol = np.vectorize(half_unit)(texts) + 1e-15
    diff = np.abs(computed - expected)
    bad = diff > tol
    assert not bad.any(), (
        f"{bad.sum()} value(s) differ beyond their printed precision; first at "
        f"{np.argwhere(bad)[0]}: computed {computed[bad][0]!r} vs printed {texts[bad][0]}"
    )
    return float(diff.max())


# ----------------------------------------------------------------------------- ODYM cases
def test_every_dsm_reference_file_is_covered(shared_methods):
    files = sorted(p.name for p in dsm_dir(shared_methods).glob("*.csv"))
    assert files, "no ODYM reference files found"
    known = re.compile(
        r"^odym_(inflow_driven_T10|(Stock|Outflow)_TC_(FixedLT|NormLT|WeibullLT))\.csv$"
    )
    assert all(known.match(f) for f in files), f"unhandled reference file(s): {files}"


@pytest.mark.parametrize("case", ["Fixed", "Normal", "Weibull"])
def test_inflow_driven_reproduces_odym_totals(shared_methods, case):
    inflow, lifetime, g = case_inputs(shared_methods, case)
    r = inflow_driven(inflow, lifetime)
    assert_matches_printed(r.stock, g["stock_expected"])
    assert_matches_printed(r.outflow, g["outflow_expected"])
    assert_matches_printed(r.stock_change, g["stock_change_expected"])
    # and to the absolute tolerance stated in docs/methods/stock_models.md
    np.testing.assert_allclose(r.stock, g["stock_expected"].astype(float), rtol=0, atol=5e-9)
    np.testing.assert_allclose(r.outflow, g["outflow_expected"].astype(float), rtol=0, atol=5e-9)


def cohort_files(shared_methods: Path) -> list[Path]:
    return sorted(dsm_dir(shared_methods).glob("odym_*_TC_*.csv"))


def test_inflow_driven_reproduces_every_odym_cohort_file(shared_methods):
    files = cohort_files(shared_methods)
    assert len(files) >= 4
    for path in files:
        kind, suffix = re.match(r"odym_(Stock|Outflow)_TC_(\w+)\.csv", path.name).groups()
        tc = pd.read_csv(path, dtype=str).drop(columns=["source"]).set_index("t_index\\cohort")
        inflow, lifetime, _ = case_inputs(shared_methods, CASE_OF_SUFFIX[suffix])
        r = inflow_driven(inflow, lifetime)
        computed = r.stock_by_cohort if kind == "Stock" else r.outflow_by_cohort
        assert computed.shape == tc.shape, path.name
        assert_matches_printed(computed, tc)


@pytest.mark.parametrize("solver", ["manual", "lapack"])
@pytest.mark.parametrize("case", ["Fixed", "Normal", "Weibull"])
def test_stock_driven_recovers_odym_inflow(shared_methods, case, solver):
    inflow, lifetime, g = case_inputs(shared_methods, case)
    stock = g["stock_expected"].astype(float).to_numpy()
    r = stock_driven(stock, lifetime, solver=solver)
    # the printed stocks carry ~1e-8 absolute precision; the solved inflow inherits it
    np.testing.assert_allclose(r.inflow, inflow, rtol=0, atol=1e-7)
    np.testing.assert_allclose(r.outflow, g["outflow_expected"].astype(float), rtol=0, atol=1e-7)


@pytest.mark.parametrize("suffix", ["FixedLT", "NormLT"])
def test_stock_driven_reproduces_odym_stock_by_cohort(shared_methods, suffix):
    tc = pd.read_csv(dsm_dir(shared_methods) / f"odym_Stock_TC_{suffix}.csv")
    tc = tc.drop(columns=["source"]).set_index("t_index\\cohort").to_numpy()
    _, lifetime, g = case_inputs(shared_methods, CASE_OF_SUFFIX[suffix])
    r = stock_driven(g["stock_expected"].astype(float).to_numpy(), lifetime)
    np.testing.assert_allclose(r.stock_by_cohort, tc, rtol=0, atol=1e-7)


def test_middle_convention_does_not_reproduce_odym(shared_methods):
    inflow, lifetime, g = case_inputs(shared_methods, "Normal")
    r = inflow_driven(inflow, lifetime.with_convention("middle"))
    assert np.abs(r.stock - g["stock_expected"].astype(float)).max() > 0.1


@pytest.mark.parametrize(
    ("inflow_at", "expected"), [("end", 30.5), ("middle", 30.0), ("start", 29.5)]
)
def test_stationary_stock_by_convention(inflow_at, expected):
    # flodym tests/test_stocks.py (methods/05 §5.5 b): constant inflow 1/yr, LogNormal(30, 10)
    years = np.arange(201)
    r = inflow_driven(np.ones(201), lt.lognormal(30, 10, inflow_at=inflow_at), years=years)
    assert r.stock[-1] == pytest.approx(expected, abs=0.01)


def test_quadrature_convention_centres_stationary_stock():
    r = inflow_driven(np.ones(201), lt.lognormal(30, 10, n_pts_per_interval=6))
    assert r.stock[-1] == pytest.approx(30.0, abs=0.01)


def test_round_trip_lognormal_flodym_case():
    # flodym tests/test_stocks.py (methods/05 §5.5 a): inflow exp(-x^2), LogNormal(60, 25)
    x = np.linspace(-2, 2, 201)
    inflow = np.exp(-(x**2))
    life = lt.lognormal(60, 25)
    r = inflow_driven(inflow, life)
    for solver in ("manual", "lapack"):
        back = stock_driven(r.stock, life, solver=solver)
        np.testing.assert_allclose(back.inflow, inflow, rtol=1e-9, atol=1e-12)


# ----------------------------------------------------------------------------- by hand
def test_fixed_two_years_inflow_ten_by_hand():
    # product entering in year c is in use at the end of c and c+1, leaves in c+2
    r = inflow_driven([10, 10, 10, 10, 10], lt.fixed(2), years=range(2020, 2025))
    assert r.stock.tolist() == [10, 20, 20, 20, 20]
    assert r.outflow.tolist() == [0, 0, 10, 10, 10]
    assert r.stock_change.tolist() == [10, 10, 0, 0, 0]
    assert r.stock_by_cohort.tolist() == [
        [10, 0, 0, 0, 0],
        [10, 10, 0, 0, 0],
        [0, 10, 10, 0, 0],
        [0, 0, 10, 10, 0],
        [0, 0, 0, 10, 10],
    ]
    assert r.outflow_by_cohort.tolist() == [
        [0, 0, 0, 0, 0],
        [0, 0, 0, 0, 0],
        [10, 0, 0, 0, 0],
        [0, 10, 0, 0, 0],
        [0, 0, 10, 0, 0],
    ]
    frame = r.to_frame()
    assert list(frame.index) == [2020, 2021, 2022, 2023, 2024]
    assert frame.loc[2022, "outflow"] == 10
    assert r.cohort_frame().loc[2022, 2021] == 10


def test_fixed_non_integer_lifetime_leaves_after_ceil():
    # L = 3.5: present at the end of ages 0..3, gone at age 4 (ODYM/flodym comment)
    r = inflow_driven([1, 0, 0, 0, 0, 0], lt.fixed(3.5))
    assert r.stock.tolist() == [1, 1, 1, 1, 0, 0]
    assert r.outflow.tolist() == [0, 0, 0, 0, 1, 0]


def test_zero_lifetime_leaves_in_inflow_year():
    r = inflow_driven([5, 5, 5], lt.fixed(0))
    assert r.stock.tolist() == [0, 0, 0]
    assert r.outflow.tolist() == [5, 5, 5]


def test_weibull_by_hand():
    # S(a) = exp(-(a/2)^1); inflow 1 in year 0 only
    r = inflow_driven([1, 0, 0], lt.weibull(1.0, 2.0))
    np.testing.assert_allclose(r.stock, [1, np.exp(-0.5), np.exp(-1.0)], rtol=1e-12)
    np.testing.assert_allclose(
        r.outflow, [0, 1 - np.exp(-0.5), np.exp(-0.5) - np.exp(-1)], rtol=1e-12
    )


def test_series_input_uses_index_years():
    s = pd.Series([1.0, 2.0, 3.0], index=[2001, 2002, 2003])
    r = inflow_driven(s, lt.fixed(1))
    assert r.years.tolist() == [2001, 2002, 2003]
    assert r.stock.tolist() == [1, 2, 3]
    assert r.outflow.tolist() == [0, 1, 2]


def test_dataframe_runs_one_model_per_column_with_own_lifetime():
    df = pd.DataFrame({"a": [1.0, 1, 1, 1], "b": [1.0, 1, 1, 1]}, index=range(2000, 2004))
    r = inflow_driven(df, lt.fixed(np.array([1.0, 3.0])))
    assert r.stock[:, 0].tolist() == [1, 1, 1, 1]
    assert r.stock[:, 1].tolist() == [1, 2, 3, 3]
    wide = r.to_frame()
    assert wide[("stock", "b")].tolist() == [1, 2, 3, 3]


def test_nd_array_to_frame_long():
    r = inflow_driven(np.ones((3, 2, 2)), lt.fixed(1))
    long = r.to_frame()
    assert set(long.columns) == {"year", "d0", "d1", "variable", "value"}
    assert len(long) == 4 * 3 * 2 * 2


# ----------------------------------------------------------------------------- invariants
@settings(max_examples=40, deadline=None)
@given(
    inflow=st.lists(st.floats(0, 1e6, allow_nan=False), min_size=1, max_size=40),
    family=st.sampled_from(["fixed", "normal", "lognormal", "weibull"]),
    a=st.floats(0.5, 30),
    b=st.floats(0.2, 10),
)
def test_mass_balance_and_cumulative_outflow(inflow, family, a, b):
    life = {
        "fixed": lambda: lt.fixed(a),
        "normal": lambda: lt.normal(a, b),
        "lognormal": lambda: lt.lognormal(a, b),
        "weibull": lambda: lt.weibull(b, a),
    }[family]()
    r = inflow_driven(inflow, life)
    scale = max(1.0, max(inflow))
    assert np.abs(r.balance).max() <= 1e-9 * scale * len(inflow)
    assert np.all(np.cumsum(r.outflow) <= np.cumsum(r.inflow) + 1e-9 * scale * len(inflow))
    assert np.all(r.stock >= -1e-9 * scale)
    np.testing.assert_allclose(r.stock_by_cohort.sum(axis=1), r.stock, atol=1e-9 * scale)


@settings(max_examples=25, deadline=None)
@given(
    inflow=st.lists(st.floats(0.1, 1e3, allow_nan=False), min_size=2, max_size=30),
    mean=st.floats(2, 20),
)
def test_stock_driven_inverts_inflow_driven(inflow, mean):
    life = lt.weibull(2.0, mean)
    r = inflow_driven(inflow, life)
    back = stock_driven(r.stock, life)
    np.testing.assert_allclose(back.inflow, inflow, rtol=1e-7, atol=1e-7)


# ----------------------------------------------------------------------------- bad inputs
def test_negative_inflow_is_refused():
    with pytest.raises(MethodError, match=r"inflow must be >= 0; got -1 in year 2001"):
        inflow_driven([1, -1, 2], lt.fixed(2), years=[2000, 2001, 2002])


def test_missing_inflow_is_refused():
    with pytest.raises(MethodError, match="missing or infinite value in year 1"):
        inflow_driven([1, np.nan], lt.fixed(2))


def test_gap_in_years_is_refused():
    with pytest.raises(MethodError, match="years must be consecutive"):
        inflow_driven([1, 1], lt.fixed(2), years=[2000, 2002])


def test_length_mismatch_is_refused():
    with pytest.raises(MethodError, match="3 time steps but 2 years"):
        inflow_driven([1, 1, 1], lt.fixed(2), years=[2000, 2001])


def test_scalar_inflow_is_refused():
    with pytest.raises(MethodError, match="must have a time axis"):
        inflow_driven(5.0, lt.fixed(2))


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: lt.fixed(-1), "'lifetime' must be >= 0"),
        (lambda: lt.normal(5, 0), "'std' must be > 0"),
        (lambda: lt.lognormal(0, 1), "'mean' must be > 0"),
        (lambda: lt.weibull(-1, 1), "'shape' must be > 0"),
        (lambda: lt.weibull(1, np.inf), "'scale' must be finite"),
        (lambda: lt.normal("x", 1), "'mean' must be a number"),
        (lambda: lt.from_spec("gamma", mean=1), "unknown lifetime distribution 'gamma'"),
        (lambda: lt.from_spec("normal", mean=1), r"missing \['std'\]"),
        (lambda: lt.from_spec("fixed", mean=1, std=2), r"does not use \['std'\]"),
        (lambda: lt.fixed(2, inflow_at="noon"), "inflow_at must be"),
        (lambda: lt.fixed(2, n_pts_per_interval=11), "n_pts_per_interval must be in 1..10"),
        (lambda: lt.Lifetime("normal", {"mean": 1.0}), r"needs parameters \['mean', 'std'\]"),
    ],
)
def test_bad_lifetimes(make, message):
    with pytest.raises(MethodError, match=message):
        make()


def test_lifetime_array_shape_mismatch():
    with pytest.raises(MethodError, match=r"shape \(3,\), which does not broadcast"):
        inflow_driven(np.ones((3, 2)), lt.fixed(np.array([1.0, 2.0, 3.0])))


def test_stock_driven_refuses_zero_lifetime():
    with pytest.raises(MethodError, match=r"needs sf\[t, t\] > 0"):
        stock_driven([1, 2, 3], lt.fixed(0))


def test_stock_driven_refuses_negative_stock():
    with pytest.raises(MethodError, match="stock must be >= 0; got -2 in year 1"):
        stock_driven([1, -2, 3], lt.fixed(2))


def test_stock_driven_negative_inflow_warns_or_raises():
    stock = [10, 10, 0, 0]  # falls faster than a 5-year fixed lifetime lets it
    with pytest.warns(NegativeInflowWarning, match="negative inflow of -10 in year 2"):
        r = stock_driven(stock, lt.fixed(5))
    assert r.inflow.tolist() == [10, 0, -10, 0]
    with pytest.raises(MethodError, match="negative inflow"):
        stock_driven(stock, lt.fixed(5), negative_inflow="raise")
    r = stock_driven(stock, lt.fixed(5), negative_inflow="allow")
    assert r.inflow[2] == -10


def test_stock_driven_bad_solver():
    with pytest.raises(MethodError, match="solver must be"):
        stock_driven([1, 2], lt.fixed(2), solver="qr")


def test_cohort_frame_only_for_1d():
    r = inflow_driven(np.ones((3, 2)), lt.fixed(1))
    with pytest.raises(MethodError, match="cohort_frame"):
        r.cohort_frame()


@pytest.mark.parametrize("n", [1, 2])
def test_one_and_two_year_models(n):
    r = inflow_driven([4.0] * n, lt.fixed(1))
    assert r.stock.tolist() == [4.0] * n
    assert r.outflow.tolist() == [0.0, 4.0][:n]
    assert r.stock_by_cohort.shape == (n, n)
    back = stock_driven(r.stock, lt.fixed(1))
    assert back.inflow.tolist() == [4.0] * n


def test_survival_doc_example():
    np.testing.assert_array_equal(
        lt.fixed(2).survival([2000, 2001, 2002, 2003]),
        [[1, 0, 0, 0], [1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 1, 1]],
    )


def test_lifetime_repr_and_flodym_class():
    life = lt.weibull(1.2, 1.0)
    assert "weibull" in repr(life) and "inflow_at='end'" in repr(life)
    import flodym

    assert life.flodym_class is flodym.WeibullLifetime
