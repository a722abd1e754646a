"""Product systems: the shipped parameter table, its sources, loaders and their errors."""

from __future__ import annotations

import pandas as pd
import pytest

from critmin.circular import lifetimes as lt
from critmin.circular.products import (
    COLUMNS,
    DEFAULT_ROUTES,
    ELEMENTS,
    PARAMETERS_CSV,
    PRODUCTS,
    MissingParameterError,
    ParameterError,
    ProductSystem,
    content_factor,
    default_parameters,
    load_parameters,
    parameter_template,
    unit_ratio,
    validate_inflows,
)
from critmin.errors import CritminError, MethodError

EU_NAME = {
    "Li": "Lithium",
    "Co": "Cobalt",
    "Ni": "Nickel",
    "Mn": "Manganese",
    "graphite": "Natural graphite",
    "Nd": "Neodymium",
    "Pr": "Praseodymium",
    "Dy": "Dysprosium",
    "Tb": "Terbium",
    "Cu": "Copper",
}
WMD_NAME = {
    "Li": "Lithium (Li2O)",
    "Co": "Cobalt",
    "Ni": "Nickel",
    "Mn": "Manganese",
    "graphite": "Graphite",
    "Cu": "Copper",
}


# ----------------------------------------------------------------------------- shipped table
def test_shipped_table_columns_and_coverage():
    raw = pd.read_csv(PARAMETERS_CSV, dtype=str, keep_default_na=False)
    assert tuple(raw.columns) == COLUMNS
    t = default_parameters()
    assert set(t["product"]) - {""} == set(PRODUCTS)
    assert set(t["element"]) - {""} == set(ELEMENTS)
    # the product systems the brief asks for
    assert sum(p.startswith("ev_battery_") for p in PRODUCTS) >= 4  # by chemistry
    for p in (
        "grid_storage_battery",
        "consumer_electronics",
        "wind_turbine_magnet",
        "ev_motor_magnet",
    ):
        assert p in PRODUCTS
    for e in ("Li", "Co", "Ni", "Mn", "graphite", "Nd", "Pr", "Dy", "Tb", "Cu"):
        assert e in ELEMENTS


def test_every_value_has_a_source_and_every_gap_says_user_must_supply():
    t = default_parameters()
    filled, empty = t[t["value"].notna()], t[t["value"].isna()]
    assert len(filled) and len(empty)
    assert (empty["source"] == "user must supply").all()
    assert not filled["source"].str.contains("user must supply").any()
    assert filled["source"].str.len().min() > 40
    # only the reference EOL-RIR is sourced from the shared files; nothing else is filled
    assert set(filled["parameter"]) == {"eol_rir"}


def test_eol_rir_matches_eu_crm_2023_table(shared_methods):
    eu = pd.read_csv(shared_methods / "validation" / "eu_crm_2023_results.csv")
    eu = eu.set_index("material")["EOL_RIR_pct"]
    s = ProductSystem.default()
    for e, name in EU_NAME.items():
        assert s.eol_rir(e) == pytest.approx(eu[name] / 100.0, abs=1e-12), e


def test_eol_rir_agrees_with_world_mining_data_map(shared_data):
    wmd = pd.read_csv(shared_data / "world_mining_data" / "hs_code_map.csv")
    wmd = wmd.set_index("Sheet_name")["EoL-RIR (2023)"]
    s = ProductSystem.default()
    for e, name in WMD_NAME.items():
        assert s.eol_rir(e) == pytest.approx(float(wmd[name]), abs=1e-12), e
    # WMD has rare earths only as a group (REO); the element rows must agree with it
    for e in ("Nd", "Pr", "Dy", "Tb"):
        assert s.eol_rir(e) == pytest.approx(float(wmd["Rare Earths (REO)"]), abs=1e-12)


def test_routes_cover_every_product():
    assert set(DEFAULT_ROUTES) == set(PRODUCTS)
    assert ProductSystem.default().processes == (
        "battery_recycling",
        "electronics_recycling",
        "magnet_recycling",
    )


# ----------------------------------------------------------------------------- missing values
def test_missing_parameter_error_names_parameter_product_element_and_fix():
    s = ProductSystem.default()
    with pytest.raises(MissingParameterError) as info:
        s.content("ev_battery_nmc811", "Co")
    msg = str(info.value)
    assert "parameter='content', product='ev_battery_nmc811', element='Co' [kg/kWh]" in msg
    assert "with_parameters" in msg and "CSV path" in msg and "dict" in msg
    assert info.value.missing.iloc[0]["parameter"] == "content"
    assert isinstance(info.value, MethodError) and isinstance(info.value, CritminError)


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (
            lambda s: s.lifetime("wind_turbine_magnet"),
            "parameter='lifetime_mean', product='wind_turbine_magnet' [yr]",
        ),
        (
            lambda s: s.collection_rate("consumer_electronics"),
            "parameter='collection_rate', product='consumer_electronics' [1]",
        ),
        (
            lambda s: s.recovery_efficiency("ev_motor_magnet", "Dy"),
            "parameter='recovery_efficiency', element='Dy', process='magnet_recycling' [1]",
        ),
    ],
)
def test_each_kind_of_missing_parameter(call, expected):
    with pytest.raises(MissingParameterError, match="needed by this run are empty") as info:
        call(ProductSystem.default())
    assert expected in str(info.value)


def test_missing_lists_everything_a_run_needs():
    s = ProductSystem.default()
    miss = s.missing(["ev_battery_lfp", "ev_motor_magnet"], ["Li", "Nd"])
    # 2 lifetimes + 2 collection rates + 4 contents + 2 recovery (one per route x element,
    # battery_recycling and magnet_recycling for Li and Nd) = 12
    assert len(miss) == 12
    assert set(miss["parameter"]) == {
        "lifetime_mean",
        "collection_rate",
        "content",
        "recovery_efficiency",
    }


def test_half_given_lifetime_names_the_missing_half():
    s = ProductSystem.default().with_parameters(
        {("lifetime_mean", "ev_battery_lfp"): {"value": 12, "unit": "yr", "distribution": "normal"}}
    )
    with pytest.raises(MissingParameterError, match="parameter='lifetime_std'.*normal lifetime"):
        s.lifetime("ev_battery_lfp")


# ----------------------------------------------------------------------------- supplying values
def full_dict(product="ev_battery_lfp"):
    return {
        ("collection_rate", product): 0.6,
        ("content", product, "Li"): (0.1, "kg/kWh"),
        ("recovery_efficiency", None, "Li", "battery_recycling"): (80, "%"),
    }


def test_with_parameters_dict_and_lifetimes():
    s = ProductSystem.default().with_parameters(
        full_dict(), lifetimes={"ev_battery_lfp": lt.weibull(2.5, 14)}
    )
    assert s.collection_rate("ev_battery_lfp") == 0.6
    assert s.content("ev_battery_lfp", "Li") == (0.1, "kg/kWh")
    assert s.recovery_efficiency("ev_battery_lfp", "Li") == pytest.approx(0.8)
    life = s.lifetime("ev_battery_lfp")
    assert life.family == "weibull" and life.params["weibull_shape"] == 2.5
    assert life.inflow_at == "end"
    src = s.sources()
    assert (src.loc[src["parameter"] == "collection_rate", "source"] == "user (Python)").all()
    assert len(s.missing(["ev_battery_lfp"], ["Li"])) == 0


def test_lifetime_rows_replace_previous_family():
    s = ProductSystem.default().with_parameters(lifetimes={"ev_battery_lfp": lt.normal(10, 2)})
    s = s.with_parameters(lifetimes={"ev_battery_lfp": lt.fixed(8)})
    life = s.lifetime("ev_battery_lfp")
    assert life.family == "fixed" and life.params["mean"] == 8


def test_product_specific_recovery_overrides_route():
    s = ProductSystem.default().with_parameters(
        {
            ("recovery_efficiency", None, "Co", "battery_recycling"): 0.9,
            ("recovery_efficiency", "ev_battery_nca", "Co"): 0.5,
        }
    )
    assert s.recovery_efficiency("ev_battery_nca", "Co") == 0.5
    assert s.recovery_efficiency("ev_battery_nmc811", "Co") == 0.9


def test_user_csv_round_trip(tmp_path):
    path = tmp_path / "my_params.csv"
    pd.DataFrame(
        [
            {
                "parameter": "lifetime_mean",
                "product": "ev_motor_magnet",
                "value": "15",
                "unit": "yr",
                "distribution": "lognormal",
                "source": "my study, table 2",
            },
            {
                "parameter": "lifetime_std",
                "product": "ev_motor_magnet",
                "value": "5",
                "unit": "yr",
                "distribution": "lognormal",
                "source": "my study, table 2",
            },
            {
                "parameter": "collection_rate",
                "product": "ev_motor_magnet",
                "value": "40",
                "unit": "%",
            },
            {
                "parameter": "content",
                "product": "ev_motor_magnet",
                "element": "Nd",
                "value": "0.25",
                "unit": "t/t",
            },
        ]
    ).to_csv(path, index=False)
    s = ProductSystem.from_csv(path)
    assert s.lifetime("ev_motor_magnet").family == "lognormal"
    assert s.collection_rate("ev_motor_magnet") == pytest.approx(0.4)
    src = s.sources().set_index("parameter")["source"]
    assert src["lifetime_mean"] == "my study, table 2"
    assert src["content"] == "user file my_params.csv"
    out = tmp_path / "all.csv"
    s.to_csv(out)
    again = ProductSystem(parameters=pd.read_csv(out, dtype=str, keep_default_na=False))
    assert again.collection_rate("ev_motor_magnet") == pytest.approx(0.4)


def test_parameter_template(tmp_path):
    path = tmp_path / "fill_me.csv"
    tpl = parameter_template(path)
    assert path.exists()
    assert tpl["value"].isna().all() and (tpl["source"] == "").all()
    assert len(tpl) == len(default_parameters()) - 10  # all but the 10 eol_rir rows


def test_extra_products_and_elements_can_be_declared():
    s = ProductSystem(
        products=(*PRODUCTS, "e_bike_battery"),
        elements=(*ELEMENTS, "Fe"),
        routes={**DEFAULT_ROUTES, "e_bike_battery": "battery_recycling"},
    ).with_parameters({("content", "e_bike_battery", "Fe"): (1.0, "kg/unit")})
    assert s.content("e_bike_battery", "Fe") == (1.0, "kg/unit")


# ----------------------------------------------------------------------------- bad tables
@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {("colection_rate", "ev_battery_lfp"): 0.5},
            r"unknown parameter 'colection_rate'; allowed: \['collection_rate'",
        ),
        (
            {("collection_rate", "ev_lfp"): 0.5},
            r"unknown product 'ev_lfp'; allowed: \['ev_battery_lfp'",
        ),
        (
            {("content", "ev_battery_lfp", "Lithium"): (0.1, "kg/kWh")},
            r"unknown element 'Lithium'; allowed: \['Li', 'Co'",
        ),
        (
            {("recovery_efficiency", None, "Li", "smelting"): 0.5},
            r"unknown process 'smelting'; allowed: \['battery_recycling'",
        ),
        (
            {("collection_rate", "ev_battery_lfp"): "half"},
            "value 'half' of 'collection_rate' is not a number",
        ),
        (
            {("collection_rate", "ev_battery_lfp"): 1.5},
            r"'collection_rate' = 1.5 .* outside \[0, 1\]",
        ),
        ({("collection_rate", "ev_battery_lfp"): (150, "%")}, r"= 1.5 .* outside \[0, 1\]"),
        (
            {("collection_rate", "ev_battery_lfp"): (0.5, "kg")},
            "unit 'kg' of 'collection_rate' not understood",
        ),
        ({("content", "ev_battery_lfp", "Li"): (-1, "kg/kWh")}, r"'content' = -1 .* outside"),
        (
            {("content", "ev_battery_lfp", "Li"): (0.1, "kWh")},
            "content unit 'kWh' must be '<mass>/<product unit>'",
        ),
        (
            {("content", "ev_battery_lfp"): (0.1, "kg/kWh")},
            "'content' needs a product and an element",
        ),
        ({("collection_rate", "ev_battery_lfp", "Li"): 0.5}, "'collection_rate' is per product"),
        (
            {("recovery_efficiency", "ev_battery_lfp", "Li", "battery_recycling"): 0.5},
            "needs either a process",
        ),
        ({("lifetime_mean", "ev_battery_lfp"): 10}, "needs the distribution family"),
        (
            {("lifetime_mean", "ev_battery_lfp"): {"value": 10, "distribution": "gamma"}},
            "needs the distribution family",
        ),
        (
            {("lifetime_std", "ev_battery_lfp"): {"value": 2, "distribution": "fixed"}},
            "'lifetime_std' is not a parameter of a fixed lifetime",
        ),
        (
            {
                ("lifetime_mean", "ev_battery_lfp"): {
                    "value": 2,
                    "unit": "months",
                    "distribution": "fixed",
                }
            },
            "unit 'months' of 'lifetime_mean' must be 'yr'",
        ),
        ({("eol_rir", "ev_battery_lfp", "Li"): 0.1}, "'eol_rir' is per element only"),
        ({("a", "b", "c", "d", "e"): 1}, "must be \\(parameter, product"),
    ],
)
def test_bad_parameter_rows_are_named(params, message):
    with pytest.raises(ParameterError, match=message):
        load_parameters(params)


def test_all_problems_reported_at_once_with_csv_lines(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "parameter,product,element,value\n"
        "collection_rate,ev_battery_lfp,,0.5\n"
        "colection_rate,ev_battery_lfp,,0.5\n"
        "content,ev_battery_lfp,Li,abc\n"
        "collection_rate,ev_battery_lfp,,0.7\n"
    )
    with pytest.raises(ParameterError) as info:
        load_parameters(path)
    msg = str(info.value)
    assert "bad.csv line 3, column 'parameter': unknown parameter 'colection_rate'" in msg
    assert "bad.csv line 4, column 'value': value 'abc' of 'content' is not a number" in msg
    assert len(info.value.problems) == 2
    path.write_text(
        "parameter,product,element,value\n"
        "collection_rate,ev_battery_lfp,,0.5\n"
        "collection_rate,ev_battery_lfp,,0.7\n"
    )
    with pytest.raises(ParameterError, match="bad.csv lines 2, 3: key .* given more than once"):
        load_parameters(path)


def test_bad_table_shapes(tmp_path):
    with pytest.raises(ParameterError, match="not found"):
        load_parameters(tmp_path / "nope.csv")
    with pytest.raises(ParameterError, match=r"lacks column\(s\) \['value'\]"):
        load_parameters(pd.DataFrame({"parameter": ["content"]}))
    with pytest.raises(ParameterError, match=r"unknown column\(s\) \['region'\]"):
        load_parameters(pd.DataFrame({"parameter": ["content"], "value": [1], "region": ["X"]}))


def test_lifetimes_argument_errors():
    s = ProductSystem.default()
    with pytest.raises(ParameterError, match="unknown product 'tv' in lifetimes"):
        s.with_parameters(lifetimes={"tv": lt.fixed(3)})
    with pytest.raises(ParameterError, match="must be a critmin.circular.lifetimes.Lifetime"):
        s.with_parameters(lifetimes={"ev_battery_lfp": 12})
    import numpy as np

    with pytest.raises(ParameterError, match="scalar parameters"):
        s.with_parameters(lifetimes={"ev_battery_lfp": lt.fixed(np.array([1.0, 2.0]))})


def test_bad_routes_and_names():
    with pytest.raises(ParameterError, match="product 'consumer_electronics' has no route"):
        ProductSystem(
            routes={p: r for p, r in DEFAULT_ROUTES.items() if p != "consumer_electronics"}
        )
    with pytest.raises(ParameterError, match="route for unknown product 'tv'"):
        ProductSystem(routes={**DEFAULT_ROUTES, "tv": "electronics_recycling"})
    with pytest.raises(ParameterError, match="inflow_at must be"):
        ProductSystem(inflow_at="noon")
    with pytest.raises(ParameterError, match="unknown product 'tv'; allowed"):
        ProductSystem.default().collection_rate("tv")
    with pytest.raises(ParameterError, match="unknown element 'Zn'; allowed"):
        ProductSystem.default().eol_rir("Zn")


def test_conflicting_lifetime_families():
    t = default_parameters()
    t = t[~((t["parameter"].str.startswith("lifetime")) & (t["product"] == "ev_battery_lfp"))]
    extra = pd.DataFrame(
        [
            {
                "parameter": "lifetime_mean",
                "product": "ev_battery_lfp",
                "value": 10,
                "unit": "yr",
                "distribution": "normal",
            },
            {
                "parameter": "lifetime_std",
                "product": "ev_battery_lfp",
                "value": 2,
                "unit": "yr",
                "distribution": "lognormal",
            },
        ]
    )
    s = ProductSystem(parameters=pd.concat([t, extra], ignore_index=True))
    with pytest.raises(ParameterError, match="name different families"):
        s.lifetime("ev_battery_lfp")


# ----------------------------------------------------------------------------- units
def test_units():
    assert content_factor("kg/kWh") == (1e-3, "kWh")
    assert content_factor("t/t") == (1.0, "t")
    assert unit_ratio("GWh", "kWh") == 1e6
    assert unit_ratio("kt", "t") == 1e3
    assert unit_ratio("unit", "unit") == 1.0
    with pytest.raises(ParameterError, match="cannot convert 'kWh' to 't'"):
        unit_ratio("kWh", "t")
    with pytest.raises(ParameterError, match="must be '<mass>/<product unit>'"):
        content_factor("lb/kWh")


# ----------------------------------------------------------------------------- inflow tables
def inflow_rows(**over):
    row = {"product": "ev_battery_lfp", "region": "IND", "year": 2020, "value": 1.0, "unit": "kWh"}
    row.update(over)
    return row


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            [inflow_rows(product="ev_lfp")],
            r"unknown product\(s\) \['ev_lfp'\]; allowed: \['ev_battery_lfp'",
        ),
        (
            [inflow_rows(value=-3)],
            r"1 negative inflow value\(s\), first: -3 for product 'ev_battery_lfp', region 'IND', "
            "year 2020",
        ),
        ([inflow_rows(value=None)], r"missing/non-numeric inflow value\(s\)"),
        ([inflow_rows(value="x")], r"missing/non-numeric inflow value\(s\)"),
        ([inflow_rows(year=2020.5)], r"non-integer year\(s\)"),
        ([inflow_rows(region="")], "empty region"),
        ([inflow_rows(), inflow_rows(year=2021, unit="MWh")], "mix units within a product"),
        ([inflow_rows(), inflow_rows()], "same product/region/year more than once"),
    ],
)
def test_bad_inflows(rows, message):
    with pytest.raises(ParameterError, match=message):
        validate_inflows(pd.DataFrame(rows), ProductSystem.default())


def test_bad_inflow_frames():
    s = ProductSystem.default()
    with pytest.raises(ParameterError, match=r"lack column\(s\) \['unit'\]"):
        validate_inflows(pd.DataFrame([inflow_rows()]).drop(columns="unit"), s)
    with pytest.raises(ParameterError, match="must be a pandas DataFrame"):
        validate_inflows([inflow_rows()], s)
    with pytest.raises(ParameterError, match="inflows are empty"):
        validate_inflows(pd.DataFrame(columns=["product", "region", "year", "value", "unit"]), s)
    with pytest.raises(ParameterError, match=r"unknown element\(s\) \['Lithium'\]"):
        validate_inflows(pd.DataFrame([inflow_rows(element="Lithium", unit="t")]), s)
