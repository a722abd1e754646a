"""Shipped recovery defaults: published figures reproduced, ranges, regions, bad files.

The values asserted here are the published figures each row cites (EU Battery Regulation
2023/1542 Annex XII, Global E-waste Monitor 2024, India's Battery Waste Management Rules
2022, UNEP 2011), so a typo in ``defaults.csv`` fails a test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from critmin.circular.defaults import (
    DEFAULT_COLUMNS,
    DefaultsFileError,
    default_parameter_rows,
    left_out,
    load_defaults,
    regional_defaults,
    resolve_region,
    sample_rates,
)


@pytest.fixture(scope="module")
def table():
    return load_defaults()


def _row(df, parameter, product="", element="", process="", region="World"):
    r = df[
        (df["parameter"] == parameter)
        & (df["product"] == product)
        & (df["element"] == element)
        & (df["process"] == process)
        & (df["region"] == region)
    ]
    assert len(r) == 1, (parameter, product, element, process, region)
    return r.iloc[0]


def test_every_value_has_a_published_source_and_rates_are_fractions(table):
    src = table[table["sourced"]]
    assert len(src) >= 40
    for col in ("source_title", "organisation", "year"):
        assert (src[col].str.len() > 0).all(), col
    rates = src[src["parameter"].isin(["collection_rate", "recovery_efficiency"])]
    vals = rates[["value", "low", "high"]].to_numpy(float).ravel()
    vals = vals[~np.isnan(vals)]
    assert ((vals >= 0) & (vals <= 1)).all()
    # unsourced rows (if any are left) carry no number and say why
    un = left_out(table)
    assert un["note"].str.startswith("unsourced").all()
    assert table.loc[~table["sourced"], "value"].isna().all()
    # every sourced value lies in its published range; lifetimes have one and are > 0
    ranged = src.dropna(subset=["low", "high"])
    assert (ranged["low"] <= ranged["value"]).all() and (ranged["value"] <= ranged["high"]).all()
    life = src[src["parameter"] == "lifetime_mean"]
    assert life[["low", "high"]].notna().all().all() and (life["value"] > 0).all()


def test_every_iea_product_and_route_has_a_sourced_default(table):
    from critmin.circular.inflows import iea_mapping

    world = regional_defaults("World")
    have = set(
        zip(
            world.loc[world["sourced"], "parameter"],
            world.loc[world["sourced"], "product"],
            world.loc[world["sourced"], "element"],
            world.loc[world["sourced"], "process"],
            strict=True,
        )
    )
    m = iea_mapping()
    for p in set(m["product"]):
        assert ("lifetime_mean", p, "", "") in have, p
        assert ("collection_rate", p, "", "") in have, p
    for route, e in set(zip(m["route"], m["element"], strict=True)):
        assert ("recovery_efficiency", "", e, route) in have, (route, e)


def test_rows_sourced_for_issue_9(table):
    # Nature Energy 2025 (UK MOT records): BEV 18.4 yr; Held et al. 2021: national average
    # car lifespans 8.0-35.1 yr in 31 European countries (the range)
    for product in ("electric_vehicle", "ev_motor_magnet"):
        r = _row(table, "lifetime_mean", product)
        assert (r["value"], r["low"], r["high"]) == (18.4, 8.0, 35.1)
        assert r["year"] == "2025" and "Nature Energy" in r["source_title"]
        assert "10.1186/s12544-020-00464-0" in r["source_title"]
    assert "leaves use with the vehicle" in _row(table, "lifetime_mean", "ev_motor_magnet")["note"]
    r = _row(table, "lifetime_mean", "grid_storage_battery")  # NREL ReEDS: 15 yr packs
    assert (r["value"], r["low"], r["high"]) == (15, 10, 15)
    r = _row(table, "lifetime_mean", "electricity_network")  # ASCE 50 yr; lines 40-60 yr
    assert (r["value"], r["low"], r["high"]) == (50, 40, 60)
    r = _row(table, "lifetime_mean", "hydrogen_technology")  # PEM system 10-20 yr (Carmo 2013)
    assert (r["low"], r["high"]) == (10, 20) and r["value"] == pytest.approx(15)
    for e in ("Pr", "Tb"):  # "Less than 1% of REEs is recycled" (Ganguli & Cook 2018)
        r = _row(table, "recovery_efficiency", element=e, process="magnet_recycling")
        assert (r["low"], r["high"]) == (0.0, 0.01) and r["year"] == "2018"


def test_eu_battery_regulation_annex_xii_targets(table):
    # Part C: 90 % (2027) and 95 % (2031) for cobalt, copper, nickel
    for e in ("Co", "Ni", "Cu"):
        r = _row(table, "recovery_efficiency", element=e, process="battery_recycling")
        assert (r["low"], r["high"]) == (0.90, 0.95)
        assert r["value"] == pytest.approx(0.925)  # midpoint
        assert "2023/1542" in r["source_title"]
    # Part B: 65 % (2025) and 70 % (2030) of lithium-based batteries by weight
    r = _row(table, "recovery_efficiency", element="Li", process="battery_recycling")
    assert (r["low"], r["high"]) == (0.65, 0.70)


def test_collection_rates_of_the_three_regions(table):
    assert _row(table, "collection_rate", "consumer_electronics")["value"] == 0.223  # GEM 2024
    india = _row(table, "collection_rate", "ev_battery", region="India")
    assert india["value"] == 0.70 and "Battery Waste Management Rules 2022" in india["source_title"]
    us = _row(table, "collection_rate", "ev_battery", region="United States")
    assert (us["low"], us["high"]) == (0.0, 0.05)  # DOE: "less than 5%"
    assert _row(table, "collection_rate", "ev_battery")["value"] == 0.05  # ~95 % landfilled
    for e in ("Li", "Co", "Ni", "Mn", "graphite", "Cu"):  # BWMR: 70 % -> 90 % dry weight
        r = _row(
            table, "recovery_efficiency", element=e, process="battery_recycling", region="India"
        )
        assert (r["low"], r["high"]) == (0.70, 0.90)
    for e in ("Nd", "Dy"):  # UNEP 2011: EOL-RR below 1 %
        r = _row(table, "recovery_efficiency", element=e, process="magnet_recycling")
        assert (r["low"], r["high"]) == (0.0, 0.01)


def test_regional_rows_replace_world_rows_and_the_rest_falls_back():
    india = regional_defaults("IND")
    world = regional_defaults("World")
    cr = _row(india, "collection_rate", "ev_battery", region="India")
    assert cr["value"] == 0.70
    assert not (
        (india["parameter"] == "collection_rate")
        & (india["product"] == "ev_battery")
        & (india["region"] == "World")
    ).any()
    # no Indian lifetime: the World one is used
    assert (
        _row(india, "lifetime_mean", "ev_battery")["value"]
        == _row(world, "lifetime_mean", "ev_battery")["value"]
    )
    assert resolve_region("usa") == "United States"
    with pytest.raises(DefaultsFileError, match="World"):
        resolve_region("Atlantis")


def test_lifetime_spread_is_a_quarter_of_the_published_range(table):
    rows = default_parameter_rows(regional_defaults("World"))
    ev = rows[rows["product"] == "ev_battery"].set_index("parameter")["value"]
    assert ev["lifetime_mean"] == pytest.approx((8 + 15) / 2)
    assert ev["lifetime_std"] == pytest.approx((15 - 8) / 4)
    assert set(rows["parameter"]) <= {
        "lifetime_mean",
        "lifetime_std",
        "collection_rate",
        "recovery_efficiency",
    }


def test_draws_stay_in_the_published_range():
    t = regional_defaults("World")
    rows, draws = sample_rates(t, 2000, seed=1)
    lo = rows["low"].fillna(rows["value"]).to_numpy()
    hi = rows["high"].fillna(rows["value"]).to_numpy()
    assert (draws >= lo).all() and (draws <= hi).all()
    fixed = rows["low"].isna().to_numpy()
    assert np.all(draws[:, fixed] == rows.loc[fixed, "value"].to_numpy())
    ranged = ~fixed
    # uniform in [low, high]: the mean of 2000 draws is near the midpoint
    mid = (lo + hi)[ranged] / 2
    assert np.allclose(draws[:, ranged].mean(axis=0), mid, atol=0.03 * (hi - lo)[ranged].max())


def _write(tmp_path, rows):
    df = pd.DataFrame(rows, columns=list(DEFAULT_COLUMNS)).fillna("")
    path = tmp_path / "my_defaults.csv"
    df.to_csv(path, index=False)
    return path


GOOD = {
    "parameter": "collection_rate",
    "product": "ev_battery",
    "element": "",
    "process": "",
    "region": "World",
    "value": "0.5",
    "low": "",
    "high": "",
    "unit": "1",
    "distribution": "",
    "source_title": "T",
    "organisation": "O",
    "year": "2024",
    "locator": "",
    "url": "",
    "note": "",
}


@pytest.mark.parametrize(
    ("change", "column", "fix"),
    [
        ({"value": "50"}, "value", "fractions"),
        ({"value": "half"}, "value", "plain number"),
        ({"low": "0.6", "high": "0.4", "value": ""}, "low", "swap"),
        ({"organisation": ""}, "organisation", "cite"),
        ({"parameter": "lifetime"}, "parameter", "use one of"),
        ({"low": "0.1"}, "high", "give both"),
    ],
)
def test_a_bad_row_is_one_error_naming_file_row_column_and_fix(tmp_path, change, column, fix):
    path = _write(tmp_path, [GOOD, {**GOOD, "product": "solar_pv", **change}])
    with pytest.raises(DefaultsFileError) as exc:
        load_defaults(path)
    msg = str(exc.value)
    assert "my_defaults.csv, row 3" in msg and f"column {column!r}" in msg and fix in msg


def test_missing_columns_and_unreadable_csv(tmp_path):
    p = tmp_path / "cols.csv"
    p.write_text("parameter,value\ncollection_rate,0.5\n")
    with pytest.raises(DefaultsFileError, match="columns .* missing"):
        load_defaults(p)
    q = tmp_path / "broken.csv"
    q.write_text(",".join(DEFAULT_COLUMNS) + "\n" + ",".join(["x"] * 20) + "\n")
    with pytest.raises(DefaultsFileError, match="quote"):
        load_defaults(q)
