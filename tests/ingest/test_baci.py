"""Tests of critmin.ingest.baci (CEPII BACI)."""

from __future__ import annotations

import csv
import gzip
import io
import math
import shutil

import numpy as np
import pytest

from critmin.errors import DataError, ParseError
from critmin.ingest.baci import (
    OUTPUT_COLUMNS,
    read_baci,
    read_baci_country_codes,
    read_baci_product_codes,
)


@pytest.fixture
def baci_dir(fixtures):
    return fixtures / "baci"


@pytest.fixture
def gz_copy(tmp_path, baci_dir):
    """The fixture gzip-compressed, beside a copy of its country list."""
    gz = tmp_path / "baci_trade.csv.gz"
    with open(baci_dir / "baci_trade.csv", "rb") as src, gzip.open(gz, "wb") as dst:
        shutil.copyfileobj(src, dst)
    shutil.copy(baci_dir / "country_codes_V202401b.csv", tmp_path)
    return gz


# ---------------------------------------------------------------- fixture: parsed cells


def test_plain_csv(baci_dir):
    t = read_baci(baci_dir / "baci_trade.csv")
    assert list(t.columns) == OUTPUT_COLUMNS
    assert len(t) == 9
    assert str(t.year.dtype) == "int16"
    assert str(t.exporter_code.dtype) == "int32"
    for col in ("exporter_iso3", "importer_iso3", "hs6", "source_id"):
        assert str(t[col].dtype) == "category"
    first = t.iloc[0]
    assert (first.year, first.exporter_code, first.importer_code) == (2021, 36, 156)
    assert (first.exporter_iso3, first.importer_iso3, first.hs6) == ("AUS", "CHN", "260300")
    assert first.value_kusd == 1500.25 and first.quantity_t == 3000.0
    assert first.source_row == 2
    assert t.source_row.tolist() == list(range(2, 11))
    assert set(t.source_id) == {"baci/baci_trade.csv"}


def test_quantity_missing_spellings(baci_dir):
    t = read_baci(baci_dir / "baci_trade.csv")
    q = dict(zip(t.source_row, t.quantity_t, strict=True))
    assert math.isnan(q[3])  # empty
    assert math.isnan(q[4])  # NA
    assert math.isnan(q[7])  # right-aligned NA
    assert q[6] == 0.12


def test_hs6_zero_padded_and_pseudo_code(baci_dir):
    t = read_baci(baci_dir / "baci_trade.csv")
    row = t[t.source_row == 5].iloc[0]
    assert row.hs6 == "010121"  # k written without its leading zero
    assert row.exporter_code == 490 and row.exporter_iso3 == "S19"  # as the list says
    belux = t[t.source_row == 9].iloc[0]
    assert belux.exporter_code == 58 and belux.exporter_iso3 == "BEL"
    assert list(t.hs6.cat.categories) == ["010121", "260300", "282520", "9999AA"]
    assert t[t.source_row == 10].hs6.iloc[0] == "9999AA"  # legacy non-WCO code, as published


def test_gz_with_sibling_country_list(gz_copy):
    t = read_baci(gz_copy)
    assert len(t) == 9
    assert set(t.source_id) == {f"{gz_copy.parent.name}/baci_trade.csv.gz"}
    assert t.value_kusd.sum() == pytest.approx(
        1500.25 + 2500.5 + 100 + 12.5 + 0.563 + 99.9 + 3000 + 7.25 + 1.5
    )


def test_filters_keep_line_numbers(gz_copy, baci_dir):
    t = read_baci(gz_copy, years=[2022], hs6=["260300", 282520])
    assert t.source_row.tolist() == [6, 7, 8, 9]
    assert t.hs6.tolist() == ["282520", "282520", "260300", "260300"]
    assert t.value_kusd.tolist() == [0.563, 99.9, 3000.0, 7.25]
    only = read_baci(gz_copy, country_codes=baci_dir / "country_codes_V202401b.csv", hs6=["010121"])
    assert only.source_row.tolist() == [5]
    legacy = read_baci(gz_copy, hs6=["9999AA", 10121])
    assert legacy.source_row.tolist() == [5, 10]
    none = read_baci(gz_copy, years=[1990])
    assert len(none) == 0 and list(none.columns) == OUTPUT_COLUMNS


def test_country_codes_frame_accepted(baci_dir):
    cc = read_baci_country_codes(baci_dir / "country_codes_V202401b.csv")
    t = read_baci(baci_dir / "baci_trade.csv", country_codes=cc)
    assert t.importer_iso3.iloc[2] == "JPN"


def test_country_codes(baci_dir):
    cc = read_baci_country_codes(baci_dir / "country_codes_V202401b.csv")
    assert list(cc.columns) == ["code", "name", "iso2", "iso3", "source_id", "source_row"]
    s19 = cc[cc.code == 490].iloc[0]
    assert s19["name"] == "Other Asia, nes" and s19.iso2 == "" and s19.iso3 == "S19"
    assert len(cc) == 9 and cc.source_row.iloc[-1] == 10


def test_country_codes_old_layout_cp1252(tmp_path):
    text = (
        '"country_code","country_name_abbreviation","country_name_full","iso_2digit_alpha",'
        '"iso_3digit_alpha"\n'
        '384,"Côte d\'Ivoire","Côte d\'Ivoire","CI","CIV"\n'
        '490,"Other Asia, nes","Other Asia, not elsewhere specified","N/A","N/A"\n'
    )
    p = tmp_path / "country_codes_V202201.csv"
    p.write_bytes(text.encode("cp1252"))
    cc = read_baci_country_codes(p)
    assert cc.set_index("code").loc[384, "name"] == "Côte d'Ivoire"
    assert cc.set_index("code").loc[490, "iso3"] == "N/A"


def test_product_codes(baci_dir, tmp_path):
    pc = read_baci_product_codes(baci_dir / "product_codes_HS92_V202401b.csv")
    assert pc.hs6.tolist() == ["010121", "260300", "282520"]
    assert pc.description.iloc[0] == "Horses: live, pure-bred breeding animals"
    old = tmp_path / "product_codes_HS12_V202201.csv"
    old.write_text('"code","description"\n10121,"Horses"\n', encoding="utf-8")
    assert read_baci_product_codes(old).hs6.tolist() == ["010121"]


# ---------------------------------------------------------------- bad input


def test_missing_file(tmp_path):
    with pytest.raises(DataError, match="file not found"):
        read_baci(tmp_path / "BACI_HS92_Y2022_V202401b.csv")


def test_unknown_country_code(baci_dir):
    with pytest.raises(ParseError) as err:
        read_baci(baci_dir / "baci_unknown_code.csv")
    msg = str(err.value)
    assert "baci_unknown_code.csv" in msg and "line 3" in msg and "column 'j'" in msg
    assert "importer code(s) [999]" in msg
    assert "country_codes_V202401b.csv" in msg and "same BACI release" in msg


def test_no_country_list(tmp_path, baci_dir):
    p = tmp_path / "trade.csv"
    shutil.copy(baci_dir / "baci_trade.csv", p)
    with pytest.raises(DataError, match="no country_codes_V.*pass country_codes="):
        read_baci(p)


def _bad(tmp_path, baci_dir, old, new):
    text = (baci_dir / "baci_trade.csv").read_text()
    assert old in text
    p = tmp_path / "trade.csv"
    p.write_text(text.replace(old, new, 1))
    shutil.copy(baci_dir / "country_codes_V202401b.csv", tmp_path)
    return p


def test_malformed_value(tmp_path, baci_dir):
    p = _bad(tmp_path, baci_dir, "2500.5,", "25OO.5,")
    with pytest.raises(ParseError, match=r"line 3, column 'v': '25OO.5' is not a number"):
        read_baci(p)


def test_malformed_field_count(tmp_path, baci_dir):
    p = _bad(tmp_path, baci_dir, "2022,699,842,282520,0.563,0.12", "2022,699,842,282520")
    with pytest.raises(ParseError, match=r"line 6: expected 6 fields t,i,j,k,v,q, found 4"):
        read_baci(p)


def test_malformed_in_filtered_read(tmp_path, baci_dir):
    p = _bad(tmp_path, baci_dir, "2022,152,156,260300,3000", "2022,152,156,260300,3e")
    with pytest.raises(ParseError, match=r"line 8, column 'v'"):
        read_baci(p, years=[2022])


def test_bad_product_code_in_trade(tmp_path, baci_dir):
    p = _bad(tmp_path, baci_dir, "2021,152,392,260300", "2021,152,392,26-300")
    with pytest.raises(ParseError, match=r"line 4, column 'k': product code '26-300'"):
        read_baci(p)
    # a filtered read only sees the rows it keeps
    assert len(read_baci(p, years=[2022])) == 6


def test_empty_country_field(tmp_path, baci_dir):
    p = _bad(tmp_path, baci_dir, "2022,58,36,", "2022,,36,")
    with pytest.raises(ParseError, match=r"line 9, column 'i': empty 'i'"):
        read_baci(p)


def test_wrong_header(tmp_path, baci_dir):
    p = _bad(tmp_path, baci_dir, "t,i,j,k,v,q", "year,exporter,importer,k,v,q")
    with pytest.raises(ParseError, match=r"line 1: header .* is not BACI's"):
        read_baci(p)


def test_bad_hs6_filter(baci_dir):
    with pytest.raises(ParseError, match="hs6 filter '2603-00'"):
        read_baci(baci_dir / "baci_trade.csv", hs6=["2603-00"])


def test_bad_product_code(tmp_path):
    p = tmp_path / "product_codes_HS92_V202401b.csv"
    p.write_text("code,description\n2603000,Too long\n")
    with pytest.raises(ParseError, match=r"line 2, column 'code': product code '2603000'"):
        read_baci_product_codes(p)


def test_duplicate_country_code(tmp_path):
    p = tmp_path / "country_codes_V202401b.csv"
    p.write_text("country_code,country_name,country_iso2,country_iso3\n36,A,AU,AUS\n36,B,AU,AUS\n")
    with pytest.raises(ParseError, match="line 3.*country code 36 appears twice"):
        read_baci_country_codes(p)


# ---------------------------------------------------------------- real file

BACI = "baci_minerals/baci_hs92_minerals_1995_2024.csv.gz"


def _plain_rows(path):
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        next(reader)
        yield from reader


@pytest.mark.slow
def test_real_file_counts_and_sums(shared_data):
    path = shared_data / BACI
    n = 0
    n_empty_q = 0
    v_sum = 0.0
    first_2022 = None
    for line, (t, _i, _j, k, v, q) in enumerate(_plain_rows(path), start=2):
        n += 1
        n_empty_q += q.strip() in ("", "NA")
        if t == "2022" and k == "260300":
            v_sum += float(v)
            first_2022 = first_2022 or line
    trade = read_baci(path)
    assert len(trade) == n
    assert trade.quantity_t.isna().sum() == n_empty_q
    sel = trade[(trade.year == 2022) & (trade.hs6 == "260300")]
    assert sel.value_kusd.sum() == pytest.approx(v_sum, rel=1e-12)
    assert sel.source_row.iloc[0] == first_2022
    assert set(trade.source_id) == {BACI}


@pytest.mark.slow
def test_real_file_filtered_rows_point_at_their_lines(shared_data):
    path = shared_data / BACI
    got = read_baci(path, years=[2023], hs6=["282520"])
    lines = {}
    for line, rec in enumerate(_plain_rows(path), start=2):
        if rec[0] == "2023" and rec[3] == "282520":
            lines[line] = rec
    assert got.source_row.tolist() == sorted(lines)
    for row in got.head(50).itertuples():
        t, i, j, k, v, q = lines[row.source_row]
        assert (row.exporter_code, row.importer_code, row.value_kusd) == (int(i), int(j), float(v))
        if q.strip():
            assert row.quantity_t == float(q)


@pytest.mark.slow
def test_real_iso3_from_release_list(shared_data):
    folder = shared_data / "baci_minerals"
    with open(folder / "country_codes_V202401b.csv", encoding="utf-8", newline="") as fh:
        iso = {int(r["country_code"]): r["country_iso3"] for r in csv.DictReader(fh)}
    trade = read_baci(folder / "baci_hs92_minerals_1995_2024.csv.gz", years=[2020])
    pairs = set(zip(trade.exporter_code, trade.exporter_iso3, strict=True))
    assert all(iso[c] == i for c, i in pairs)
    assert (490, iso[490]) in pairs  # the pseudo-code keeps what the list says


def test_real_code_lists(shared_data):
    folder = shared_data / "baci_minerals"
    cc = read_baci_country_codes(folder / "country_codes_V202401b.csv")
    pc = read_baci_product_codes(folder / "product_codes_HS92_V202401b.csv")
    with open(folder / "country_codes_V202401b.csv", encoding="utf-8", newline="") as fh:
        assert len(cc) == sum(1 for _ in csv.DictReader(fh))
    raw = (folder / "product_codes_HS92_V202401b.csv").read_text(encoding="utf-8")
    assert len(pc) == sum(1 for _ in csv.DictReader(io.StringIO(raw)))
    assert pc.hs6.str.len().eq(6).all()
    assert np.all(np.diff(cc.source_row) == 1)
