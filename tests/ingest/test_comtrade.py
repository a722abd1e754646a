"""China's Comtrade exports (qennis extract): months summed to years, quirks kept honest."""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from pathlib import Path

import pytest

from critmin.errors import ParseError
from critmin.ingest.comtrade import CHINA_EXPORT_COLUMNS, read_china_exports

FILE = "trade/comtrade_china_exports_qennis/deep_dive_hs6_monthly.csv"


def test_fixture_months_are_summed_per_year_partner_and_code(fixtures: Path) -> None:
    df = read_china_exports(fixtures / "comtrade" / "deep_dive_hs6_monthly.csv")
    assert list(df.columns) == CHINA_EXPORT_COLUMNS
    r = df.set_index(["year", "importer_source", "hs6"])
    fr = r.loc[(2021, "Freedonia", "811292")]
    assert fr["value_kusd"] == pytest.approx(4.0)  # (1000 + 3000) US$ = 4 kUSD
    assert fr["quantity_t"] == pytest.approx(0.030)  # (10 + 20) kg
    assert (fr["months"], fr["source_row"]) == (2, 2)  # first month at line 2
    # a month with a value but qty 0 has no quantity: the year's quantity is unknown, not 7 kg
    ru = r.loc[(2021, "Ruritania", "811292")]
    assert ru["value_kusd"] == pytest.approx(1.2) and math.isnan(ru["quantity_t"])
    assert set(df["exporter_iso3"]) == {"CHN"}
    assert len(df) == 4


def test_bad_cell_names_file_line_and_column(tmp_path: Path) -> None:
    p = tmp_path / "deep_dive_hs6_monthly.csv"
    p.write_text(
        "period_dt,partner_name,hs6,val,qty,uv\n2021-01-01,Freedonia,811292,1000,10,100\n"
        "2021-02-01,Freedonia,81129,1000,10,100\n",
        encoding="utf-8",
    )
    with pytest.raises(ParseError) as e:
        read_china_exports(p)
    msg = str(e.value)
    assert "deep_dive_hs6_monthly.csv" in msg and "line 3" in msg and "hs6" in msg
    assert "'81129' is not a 6-digit HS code" in msg


def test_real_file_sums_match_the_raw_rows(shared_data: Path) -> None:
    raw = defaultdict(float)
    with (shared_data / FILE).open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            raw[(int(row["period_dt"][:4]), row["partner_name"], row["hs6"])] += float(row["val"])
    df = read_china_exports(shared_data / FILE)
    assert len(df) == len(raw)
    got = {(r.year, r.importer_source, r.hs6): r.value_kusd * 1e3 for r in df.itertuples()}
    assert all(math.isclose(got[k], v, rel_tol=1e-12) for k, v in raw.items())
    assert set(df["hs6"]) == {"250410", "380110", "811292"}
    assert df["importer_source"].nunique() == 39 and set(df["source_id"]) == {FILE}


def test_the_dataset_carries_china_exports_for_codes_baci_lacks() -> None:
    from critmin.store import get_store

    s = get_store()
    assert "china_exports" in s.tables
    ce = s.table("china_exports")
    assert ce["importer_iso3"].notna().all() and set(ce["exporter_iso3"]) == {"CHN"}
    in_baci = set(s.query("SELECT DISTINCT hs6 FROM trade")["hs6"])
    assert {"811292", "380110"} <= set(ce["hs6"]) and not ({"811292", "380110"} & in_baci)


def test_reporter_world_relabels_the_shifted_header(fixtures: Path) -> None:
    from critmin.ingest.comtrade import REPORTER_WORLD_COLUMNS, read_reporter_world

    df = read_reporter_world(fixtures / "comtrade" / "trade_data.csv")
    assert list(df.columns) == REPORTER_WORLD_COLUMNS
    r = df.set_index(["flow", "hs"])
    # values sit one column left of their header name: 2000 kg is netWgt, 50000 US$ the value
    assert r.loc[("imports", "7502"), "quantity_t"] == pytest.approx(2.0)
    assert r.loc[("imports", "7502"), "value_kusd"] == pytest.approx(50.0)
    assert math.isnan(r.loc[("exports", "7502"), "quantity_t"])  # no net weight reported
    # a code filed under two minerals is one row with both labels
    assert r.loc[("imports", "850760"), "mineral_source"] == "Cobalt;Lithium"
    assert len(df) == 3 and set(df["reporter_source"]) == {"FRE"}


def test_reporter_world_refuses_an_unknown_layout(tmp_path: Path) -> None:
    from critmin.ingest.comtrade import read_reporter_world

    p = tmp_path / "trade_data.csv"
    p.write_text(
        "typeCode,freqCode,refYear,Country,flowCode,cmdCode,netWgt,primaryValue,isAggregate,Mineral\n"
        "A,2023,FRE,Q,7502,1,1,TRUE,,Nickel\n",
        encoding="utf-8",
    )
    with pytest.raises(ParseError, match=r"line 2.*flowCode|flowCode.*line 2") as e:
        read_reporter_world(p)
    assert "'Q' is not a flow code M/X" in str(e.value)
