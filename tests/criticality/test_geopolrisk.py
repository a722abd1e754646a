"""GeoPolRisk: the geopolrisk-py reference case, hand cases, grid == scalar, error messages.

Reference case: USA 2022, nickel (HS 260400), manganese (HS 260200), graphite (HS 250410 +
250490), the worked case of geopolrisk-py (``../shared/methods/03_geopolrisk.md`` §3.2).  Its
inputs and expected outputs are in ``tests/criticality/data/geopolrisk_reference_usa_2022_*.csv``,
written by ``tools/geopolrisk_reference_case.py`` from geopolrisk-py 2.0.1's own functions and
shipped databases (the case's workbook is not distributed with the package; see
docs/methods/geopolrisk.md).
"""

from __future__ import annotations

import doctest
import importlib
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import critmin.criticality as criticality
from critmin.criticality import CF_COPPER, geopolrisk, geopolrisk_grid
from critmin.errors import MethodError
from critmin.metrics import geopolrisk_stability

DATA = Path(__file__).parent / "data"
FIELDS = {  # result attribute -> column of the expected file
    "hhi": "hhi",
    "domestic_production": "domestic_production_t",
    "numerator": "numerator",
    "total_imports": "total_imports_t",
    "price": "price_usd_per_kg",
    "import_risk": "import_risk",
    "score": "score",
    "cf": "cf",
}


@pytest.fixture(scope="module")
def reference_inputs() -> pd.DataFrame:
    return pd.read_csv(
        DATA / "geopolrisk_reference_usa_2022_inputs.csv", keep_default_na=False, na_values=[""]
    )


@pytest.fixture(scope="module")
def reference_expected() -> pd.DataFrame:
    return pd.read_csv(DATA / "geopolrisk_reference_usa_2022_expected.csv").set_index("material")


def sig6(x: float) -> str:
    return f"{x:.6g}"


# ---------------------------------------------------------------- reference case


@pytest.mark.parametrize("material", ["Nickel", "Manganese", "Graphite"])
def test_reference_case_six_significant_digits(material, reference_inputs, reference_expected):
    d = reference_inputs[reference_inputs["material"] == material]
    prod = d[d["flow"] == "production"].set_index("country_iso3")["quantity_t"]
    imp = d[d["flow"] == "import"].set_index("country_iso3")
    result = geopolrisk(
        production=prod,
        imports=imp["quantity_t"],
        political_stability=imp["wgi_pv_estimate"],  # RAW estimates; NaN for S19 (Taiwan)
        domestic_production=float(prod.get("USA", 0.0)),
        import_values=imp["value_kusd"],
    )
    expected = reference_expected.loc[material]
    for attr, col in FIELDS.items():
        got, want = getattr(result, attr), float(expected[col])
        assert sig6(got) == sig6(want), f"{material} {attr}: {got!r} vs {want!r}"
        assert got == pytest.approx(want, rel=1e-12, abs=1e-300), f"{material} {attr}"


def test_reference_case_grid(reference_inputs, reference_expected):
    d = reference_inputs
    production = d[d["flow"] == "production"].rename(
        columns={"material": "commodity_id", "quantity_t": "value"}
    )[["commodity_id", "year", "country_iso3", "value"]]
    trade = d[d["flow"] == "import"]
    imports = pd.DataFrame(
        {
            "importer_iso3": trade["importer_iso3"],
            "exporter_iso3": trade["country_iso3"],
            "commodity_id": trade["material"],
            "year": trade["year"],
            "quantity_t": trade["quantity_t"],
            "value_kusd": trade["value_kusd"],
        }
    )
    stability = (
        trade[["country_iso3", "year", "wgi_pv_estimate"]]
        .drop_duplicates()
        .rename(columns={"wgi_pv_estimate": "estimate"})
    )
    grid = geopolrisk_grid(production, imports, stability)
    assert len(grid) == 3
    for material, expected in reference_expected.iterrows():
        row = grid.loc[("USA", material, 2022)]
        for attr, col in FIELDS.items():
            assert sig6(row[attr]) == sig6(float(expected[col])), f"{material} {attr}"
            assert row[attr] == pytest.approx(float(expected[col]), rel=1e-12)


def test_reference_case_partner_normalisation(reference_inputs):
    # critmin's g from the RAW estimate equals the normalised value geopolrisk-py used for
    # every partner; the one partner without an estimate (S19, "Other Asia, nes" = Taiwan)
    # gets 0.5 in both.
    trade = reference_inputs[reference_inputs["flow"] == "import"]
    g = geopolrisk_stability(trade["wgi_pv_estimate"])
    theirs = trade["g_geopolrisk_py"].fillna(0.5)
    np.testing.assert_allclose(g, theirs, rtol=0, atol=1e-12)
    assert trade.loc[trade["wgi_pv_estimate"].isna(), "country_iso3"].tolist() == ["S19"]


# ---------------------------------------------------------------- hand cases


def test_hand_case():
    # HHI: 0.8² + 0.2² = 0.68; g(CHN, PV 0) = 0.5, g(AUS, PV 2.5) = 0;
    # import risk = (100·0.5 + 100·0) / 200 = 0.25; score = 0.68 × 0.25 = 0.17
    r = geopolrisk(
        pd.Series({"CHN": 80.0, "AUS": 20.0}),
        pd.Series({"CHN": 100.0, "AUS": 100.0}),
        pd.Series({"CHN": 0.0, "AUS": 2.5}),
    )
    assert r.hhi == pytest.approx(0.68)
    assert r.numerator == pytest.approx(50.0)
    assert r.total_imports == 200.0
    assert r.import_risk == pytest.approx(0.25)
    assert r.score == pytest.approx(0.17)
    assert math.isnan(r.price) and math.isnan(r.cf)
    assert r.to_series()["score"] == pytest.approx(0.17)


def test_domestic_production_mitigates():
    args = (pd.Series({"CHN": 1.0}), pd.Series({"CHN": 100.0}), pd.Series({"CHN": -2.5}))
    assert geopolrisk(*args).import_risk == pytest.approx(1.0)  # g = 1, all imported
    assert geopolrisk(*args, domestic_production=300.0).import_risk == pytest.approx(0.25)
    assert geopolrisk(*args, domestic_production=300.0).score == pytest.approx(0.25)  # HHI 1


def test_only_domestic_production_gives_zero_risk():
    r = geopolrisk(pd.Series({"USA": 1.0}), pd.Series(dtype=float), pd.Series(dtype=float), 5.0)
    assert r.import_risk == 0.0 and r.score == 0.0


def test_price_and_cf():
    # value 300 (1000 USD) for 100 t -> 3 USD/kg; CF = score × price / CF_Cu
    r = geopolrisk(
        pd.Series({"CHN": 1.0}),
        pd.Series({"CHN": 100.0}),
        pd.Series({"CHN": 0.0}),
        import_values=pd.Series({"CHN": 300.0}),
    )
    assert r.price == pytest.approx(3.0)
    assert r.cf == pytest.approx(0.5 * 3.0 / CF_COPPER)


def test_region_members_are_riskless():
    r = geopolrisk(
        pd.Series({"DEU": 1.0, "CHN": 1.0}),
        pd.Series({"DEU": 50.0, "CHN": 50.0}),
        pd.Series({"DEU": -2.5, "CHN": -2.5}),
        region_members=["DEU", "FRA"],
    )
    assert r.numerator == pytest.approx(50.0)  # only China counts, g = 1
    assert r.import_risk == pytest.approx(0.5)


def test_missing_estimate_is_half():
    r = geopolrisk(pd.Series({"A": 1.0}), pd.Series({"TWN": 10.0}), pd.Series({"TWN": np.nan}))
    assert r.import_risk == pytest.approx(0.5)


# ---------------------------------------------------------------- errors


def _ok() -> dict:
    return {
        "production": pd.Series({"CHN": 80.0, "AUS": 20.0}),
        "imports": pd.Series({"CHN": 100.0}),
        "political_stability": pd.Series({"CHN": 0.0}),
    }


def test_negative_production_refused():
    kw = _ok() | {"production": pd.Series({"CHN": -1.0, "AUS": 20.0})}
    with pytest.raises(MethodError, match=r"values has 1 negative value\(s\): 'CHN'=-1"):
        geopolrisk(**kw)


def test_empty_production_refused():
    kw = _ok() | {"production": pd.Series(dtype=float)}
    with pytest.raises(MethodError, match="values is empty"):
        geopolrisk(**kw)


def test_misaligned_stability_refused():
    kw = _ok() | {"imports": pd.Series({"CHN": 100.0, "COD": 5.0})}
    with pytest.raises(
        MethodError, match=r"no political-stability value for partner\(s\) \['COD'\].*misaligned"
    ):
        geopolrisk(**kw)


def test_bad_imports_refused():
    with pytest.raises(MethodError, match="imports must be >= 0"):
        geopolrisk(**(_ok() | {"imports": pd.Series({"CHN": -1.0})}))
    with pytest.raises(MethodError, match="imports has NaN"):
        geopolrisk(**(_ok() | {"imports": pd.Series({"CHN": np.nan})}))
    with pytest.raises(MethodError, match=r"repeats partner\(s\) \['CHN'\]"):
        geopolrisk(**(_ok() | {"imports": pd.Series([1.0, 2.0], index=["CHN", "CHN"])}))
    with pytest.raises(MethodError, match="domestic_production must be"):
        geopolrisk(**_ok(), domestic_production=-5.0)
    with pytest.raises(MethodError, match="extra partners"):
        geopolrisk(**_ok(), import_values=pd.Series({"CHN": 1.0, "AUS": 2.0}))


def test_nothing_imported_nor_produced_refused():
    kw = _ok() | {"imports": pd.Series({"CHN": 0.0})}
    with pytest.raises(MethodError, match="both zero"):
        geopolrisk(**kw)


def test_grid_errors():
    production = pd.DataFrame(
        {"commodity_id": ["x"], "year": [2022], "country_iso3": ["CHN"], "value": [1.0]}
    )
    imports = pd.DataFrame(
        {
            "importer_iso3": ["USA"],
            "exporter_iso3": ["CHN"],
            "commodity_id": ["x"],
            "year": [2022],
            "quantity_t": [1.0],
        }
    )
    stability = pd.DataFrame({"country_iso3": ["CHN"], "year": [2021], "estimate": [0.0]})
    with pytest.raises(MethodError, match=r"no political-stability row.*\('CHN', 2022\)"):
        geopolrisk_grid(production, imports, stability)
    with pytest.raises(MethodError, match=r"lacks column\(s\) \['estimate'\]"):
        geopolrisk_grid(production, imports, stability.drop(columns="estimate"))
    with pytest.raises(MethodError, match="production repeats"):
        geopolrisk_grid(pd.concat([production, production]), imports, stability)
    with pytest.raises(MethodError, match="imports repeat"):
        geopolrisk_grid(production, pd.concat([imports, imports]), stability)
    with pytest.raises(MethodError, match="negative"):
        geopolrisk_grid(production.assign(value=-1.0), imports, stability)


# ---------------------------------------------------------------- grid == scalar (hypothesis)

COUNTRIES = ["AAA", "BBB", "CCC", "DDD", "EEE"]
quantity = st.one_of(st.just(0.0), st.floats(1e-3, 1e6, allow_nan=False))


@st.composite
def cases(draw):
    commodities = draw(
        st.lists(st.sampled_from(["li", "co", "ni"]), min_size=1, max_size=2, unique=True)
    )
    years = draw(st.lists(st.sampled_from([2021, 2022]), min_size=1, max_size=2, unique=True))
    prod_rows, imp_rows = [], []
    for c in commodities:
        for y in years:
            for country in draw(st.lists(st.sampled_from(COUNTRIES), min_size=1, unique=True)):
                value = draw(st.one_of(quantity, st.just(float("nan"))))
                prod_rows.append((c, y, country, value))
            for importer in draw(
                st.lists(st.sampled_from(COUNTRIES), min_size=1, max_size=3, unique=True)
            ):
                for partner in draw(st.lists(st.sampled_from(COUNTRIES), min_size=1, unique=True)):
                    if partner != importer:
                        imp_rows.append((importer, partner, c, y, draw(quantity), draw(quantity)))
    stab_rows = [
        (country, y, draw(st.one_of(st.floats(-3.0, 3.0), st.just(float("nan")))))
        for country in COUNTRIES
        for y in years
    ]
    production = pd.DataFrame(prod_rows, columns=["commodity_id", "year", "country_iso3", "value"])
    imports = pd.DataFrame(
        imp_rows,
        columns=[
            "importer_iso3",
            "exporter_iso3",
            "commodity_id",
            "year",
            "quantity_t",
            "value_kusd",
        ],
    )
    stability = pd.DataFrame(stab_rows, columns=["country_iso3", "year", "estimate"])
    return production, imports, stability


@settings(max_examples=60, deadline=None)
@given(cases())
def test_grid_equals_scalar(case):
    production, imports, stability = case
    grid = geopolrisk_grid(production, imports, stability)
    assert len(grid) == imports.groupby(["importer_iso3", "commodity_id", "year"]).ngroups
    for (importer, commodity, year), row in grid.iterrows():
        prod = production[(production.commodity_id == commodity) & (production.year == year)]
        prod = prod.set_index("country_iso3")["value"]
        imp = imports[
            (imports.importer_iso3 == importer)
            & (imports.commodity_id == commodity)
            & (imports.year == year)
        ].set_index("exporter_iso3")
        stab = stability[stability.year == year].set_index("country_iso3")["estimate"]
        domestic = float(np.nan_to_num(prod.get(importer, 0.0)))
        try:
            r = geopolrisk(prod, imp["quantity_t"], stab, domestic, import_values=imp["value_kusd"])
        except MethodError:
            # where the scalar function refuses, the grid gives NaN
            assert math.isnan(row["score"])
            continue
        for attr in (
            "hhi",
            "numerator",
            "total_imports",
            "domestic_production",
            "import_risk",
            "score",
            "price",
            "cf",
        ):
            want = getattr(r, attr)
            if math.isnan(want):
                assert math.isnan(row[attr]), attr
            else:
                assert row[attr] == pytest.approx(want, rel=1e-9, abs=1e-12), attr
        assert 0.0 <= r.import_risk <= 1.0 + 1e-12
        assert 0.0 <= r.score <= r.hhi + 1e-12


def test_grid_large_is_vectorised():
    # 200 importers × 100 partners × 5 commodities × 3 years = 300,000 trade rows
    rng = np.random.default_rng(0)
    countries = [f"C{i:03d}" for i in range(200)]
    keys = pd.MultiIndex.from_product(
        [countries, countries[:100], ["a", "b", "c", "d", "e"], [2020, 2021, 2022]],
        names=["importer_iso3", "exporter_iso3", "commodity_id", "year"],
    ).to_frame(index=False)
    imports = keys[keys.importer_iso3 != keys.exporter_iso3].assign(
        quantity_t=lambda d: rng.random(len(d))
    )
    production = (
        pd.MultiIndex.from_product(
            [["a", "b", "c", "d", "e"], [2020, 2021, 2022], countries],
            names=["commodity_id", "year", "country_iso3"],
        )
        .to_frame(index=False)
        .assign(value=lambda d: rng.random(len(d)))
    )
    stability = (
        pd.MultiIndex.from_product([countries, [2020, 2021, 2022]], names=["country_iso3", "year"])
        .to_frame(index=False)
        .assign(estimate=lambda d: rng.normal(size=len(d)))
    )
    grid = geopolrisk_grid(production, imports, stability)
    assert len(grid) == 200 * 5 * 3
    assert grid["score"].between(0, 1).all()


# ---------------------------------------------------------------- docs and API


@pytest.mark.parametrize("module", ["critmin.criticality.geopolrisk", "critmin.criticality.eu_crm"])
def test_docstring_examples_run(module):
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0


def test_public_api_is_explicit():
    public = {
        n
        for n in dir(criticality)
        if not n.startswith("_")
        and n != "annotations"
        and type(getattr(criticality, n)).__name__ != "module"
    }
    # ``geopolrisk`` is both a submodule and the function re-exported over it
    assert public == set(criticality.__all__)
