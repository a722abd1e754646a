"""Tests of critmin.ingest.wgi (Worldwide Governance Indicators)."""

from __future__ import annotations

import csv
import math

import openpyxl
import pandas as pd
import pytest

from critmin.errors import DataError, ParseError
from critmin.ingest.wgi import ESTIMATE_RANGE, OUTPUT_COLUMNS, read_wgi


@pytest.fixture
def sample(fixtures):
    return fixtures / "wgi" / "wgi_sample.csv"


def _csv_rows(path):
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def _write_xlsx(path, rows, *, lead_rows=2, cover=True):
    """Write `rows` (header first) the way the World Bank does, after a cover sheet."""
    wb = openpyxl.Workbook()
    if cover:
        wb.active.title = "Cover"
        wb.active["A1"] = "Worldwide Governance Indicators, 2024 Update"
        ws = wb.create_sheet("wgidataset")
    else:
        ws = wb.active
    for n in range(lead_rows):
        ws.append([f"note {n}"] if n == 0 else [])
    ws.append(rows[0])
    for row in rows[1:]:
        if not any(row):
            ws.append([])
            continue
        numbers = [v if v == ".." else float(v) for v in row[5:]]  # '..' stays text
        ws.append([*row[:3], int(row[3]), row[4], *numbers])
    wb.save(path)
    return path


# ---------------------------------------------------------------- fixture: parsed cells


def test_csv_values(sample):
    w = read_wgi(sample)
    assert list(w.columns) == OUTPUT_COLUMNS
    assert len(w) == 9
    rom = w.iloc[0]
    assert (rom.country_source, rom.country_name, rom.year, rom.indicator) == (
        "ROM",
        "Romania",
        2022,
        "cc",
    )
    assert rom.estimate == -0.11874961853027344
    assert rom.nsource == 9.0 and rom.pctrankupper == 59.43396
    assert rom.source_row == 2 and rom.source_id == "wgi/wgi_sample.csv"
    zar = w[(w.country_source == "ZAR") & (w.indicator == "pv")].iloc[0]
    assert zar.country_name == "Congo, Dem. Rep." and zar.estimate == -2.0531
    assert zar.pctranklower == 0.0
    ado = w[w.country_source == "ADO"].iloc[0]
    for col in ("estimate", "stddev", "nsource", "pctrank", "pctranklower", "pctrankupper"):
        assert math.isnan(ado[col])
    assert w[w.country_source == "CHL"].year.tolist() == [1996, 2023, 2023, 2023]
    assert str(w.year.dtype) == "int64" and str(w.estimate.dtype) == "float64"


def test_xlsx_matches_csv(sample, tmp_path):
    rows = _csv_rows(sample)
    x = read_wgi(_write_xlsx(tmp_path / "wgidataset_2025release.xlsx", rows))
    c = read_wgi(sample)
    cols = [k for k in OUTPUT_COLUMNS if k not in ("source_id", "source_row")]
    # openpyxl writes 16 significant digits, so the last bit of a float may differ
    pd.testing.assert_frame_equal(x[cols], c[cols], check_exact=False, rtol=1e-15)
    assert x.source_row.tolist() == list(range(4, 13))  # two lead rows, header on row 3
    assert x.source_id.iloc[0] == f"{tmp_path.name}/wgidataset_2025release.xlsx"


def test_xlsx_header_on_first_row_and_blank_rows_skipped(sample, tmp_path):
    rows = _csv_rows(sample)
    rows.insert(4, [""] * len(rows[0]))
    x = read_wgi(_write_xlsx(tmp_path / "w.xlsx", rows, lead_rows=0, cover=False))
    assert len(x) == 9
    assert x.source_row.tolist() == [2, 3, 4, 6, 7, 8, 9, 10, 11]


def test_estimate_outside_range_warns(sample, tmp_path):
    text = sample.read_text(encoding="utf-8").replace("-2.0531", "-3.2", 1)
    p = tmp_path / "wgi.csv"
    p.write_text(text, encoding="utf-8")
    with pytest.warns(UserWarning, match=r"1 WGI estimate\(s\) outside \[-3.0, 3.0\]") as rec:
        w = read_wgi(p)
    assert "ZAR" in str(rec[0].message) and " 6" in str(rec[0].message)  # the row is shown
    assert w.estimate.min() == -3.2  # kept
    with pytest.raises(ParseError, match=r"line 6, column 'estimate': 1 WGI estimate"):
        read_wgi(p, strict=True)


# ---------------------------------------------------------------- bad input


def _variant(tmp_path, sample, old, new, name="bad.csv"):
    text = sample.read_text(encoding="utf-8")
    assert old in text
    p = tmp_path / name
    p.write_text(text.replace(old, new, 1), encoding="utf-8")
    return p


def test_missing_file(tmp_path):
    with pytest.raises(DataError, match="file not found"):
        read_wgi(tmp_path / "wgi.csv")
    with pytest.raises(DataError, match="file not found"):
        read_wgi(tmp_path / "wgi.xlsx")


def test_unknown_suffix(tmp_path):
    p = tmp_path / "wgi.txt"
    p.write_text("x")
    with pytest.raises(DataError, match=r"unknown suffix '.txt'"):
        read_wgi(p)


def test_bad_indicator(tmp_path, sample):
    p = _variant(tmp_path, sample, "2022,pv,0.5512", "2022,ps,0.5512")
    with pytest.raises(ParseError) as err:
        read_wgi(p)
    msg = str(err.value)
    assert "bad.csv" in msg and "line 5" in msg and "column 'indicator'" in msg
    assert "'ps' is not a WGI dimension" in msg and "'va', 'pv', 'ge', 'rq', 'rl', 'cc'" in msg


def test_bad_number(tmp_path, sample):
    p = _variant(tmp_path, sample, ",0.1612,", ",n/a,")
    with pytest.raises(ParseError, match=r"line 3, column 'stddev': 'n/a' is not a number"):
        read_wgi(p)


def test_bad_year(tmp_path, sample):
    p = _variant(tmp_path, sample, "Chile,1996,", "Chile,1996/97,")
    with pytest.raises(ParseError, match=r"line 7, column 'year': year '1996/97'"):
        read_wgi(p)


def test_missing_column(tmp_path, sample):
    p = _variant(tmp_path, sample, ",nsource,", ",sources,")
    with pytest.raises(ParseError, match=r"missing column\(s\) \['nsource'\]"):
        read_wgi(p)


def test_xlsx_without_header(tmp_path):
    p = tmp_path / "other.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["country", "value"])
    wb.save(p)
    with pytest.raises(ParseError, match=r"no sheet has a WGI header .* sheets: \['Sheet'\]"):
        read_wgi(p)


def test_not_an_xlsx(tmp_path):
    p = tmp_path / "broken.xlsx"
    p.write_text("not a zip")
    with pytest.raises(DataError, match="not a readable xlsx"):
        read_wgi(p)


def test_xlsx_bad_indicator_names_sheet_row(sample, tmp_path):
    rows = _csv_rows(sample)
    rows[2][4] = "CC"
    p = _write_xlsx(tmp_path / "w.xlsx", rows)
    with pytest.raises(ParseError, match=r"line 5, column 'indicator': indicator 'CC'"):
        read_wgi(p)


# ---------------------------------------------------------------- real files


def test_real_csv(shared_data):
    path = shared_data / "wgi" / "wgidataset_2024release_fullprecision_from_xlsx.csv"
    raw = _csv_rows(path)
    header, body = raw[0], raw[1:]
    est = header.index("estimate")
    outside = [
        r
        for r in body
        if r[est] != ".." and not ESTIMATE_RANGE[0] <= float(r[est]) <= ESTIMATE_RANGE[1]
    ]
    with pytest.warns(UserWarning, match=rf"^{len(outside)} WGI estimate\(s\) outside"):
        w = read_wgi(path)
    assert len(w) == len(body)
    assert w.estimate.isna().sum() == sum(r[est] == ".." for r in body)
    i = next(n for n, r in enumerate(body) if r[1] == "ROM" and r[4] == "rl" and r[3] == "2023")
    assert w.iloc[i].estimate == float(body[i][est])
    assert w.iloc[i].source_row == i + 2
    assert set(w.indicator) == {r[4] for r in body}


@pytest.mark.slow
def test_real_xlsx_equals_its_csv_dump(shared_data):
    folder = shared_data / "wgi"
    with pytest.warns(UserWarning):
        x = read_wgi(folder / "wgidataset_2024release.xlsx")
    with pytest.warns(UserWarning):
        c = read_wgi(folder / "wgidataset_2024release_fullprecision_from_xlsx.csv")
    cols = [k for k in OUTPUT_COLUMNS if k != "source_id"]
    assert x[cols].equals(c[cols])
