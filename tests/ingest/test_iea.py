"""Tests of critmin.ingest.iea (IEA Critical Minerals Data Explorer).

The fixture workbook is generated at test time by :func:`build_workbook` below, in the
layout of the May 2024 edition (title with unit, scenario row over a year row, spacer rows
and columns, side-by-side Mining | Refining blocks, 'Top 3 share' and 'Share of ...' rows,
float artefacts); the values are made up.
"""

from __future__ import annotations

import math

import openpyxl
import pytest

from critmin.errors import DataError, ParseError
from critmin.ingest._common import OBSERVATION_COLUMNS
from critmin.ingest.iea import (
    BASE_YEAR_SCENARIO,
    CLEANTECH_TOTAL,
    DEMAND_COLUMNS,
    DEMAND_SHEETS,
    read_iea_demand,
    read_iea_supply,
)

SUPPLY = "2 Total supply for key minerals"
STEPS, APS, NZE = (
    "Stated Policies scenario",
    "Announced Pledges scenario",
    "Net Zero Emissions by 2050 scenario",
)

# (mineral, left label, left rows, right label, right rows); rows: (label, [2023..2040]).
# 'Total' rows are computed as the sum of the rows above unless given.
SUPPLY_BLOCKS = [
    (
        "Copper",
        "Mining",
        [
            ("Chile", [5000.5, 5100, 4500, 4000]),
            ("Peru", [2600, 2376.8000000000002, 2000, 1000]),
            ("Rest of world", [1000.1, 1100, 900, 800]),
        ],
        "Refining",
        [("China", [10000, 12000, 13000, 13000]), ("Rest of world", [5000, 5500, 5600, 5700])],
    ),
    (
        "Cobalt",
        "Mining",
        [
            ("Democratic Republic of Congo", [150, 210, 170, 130]),
            ("Rest of world", [40.00000000000003, 47, 35.5, 30]),
        ],
        "Refining",
        [
            ("China", [170, 230, 228, 228]),
            ("Finland", [18.8, 19.9, 19.7, 19.7]),
            ("Canada", [6.9, 8.2, 3.5, 3.5]),
            ("Rest of world", [20, 32.5, 33, 32.6]),
            ("Total clean technologies", None),
        ],
    ),
    (
        "Lithium",
        "Mining",
        [
            ("Australia", [80.5, 146, 143, 128]),
            ("Chile", [45, 55.8, 55.9, 55.9]),
            ("China", [30.25, 103, 102.9, 102.9]),
            ("Rest of world", [10.000000000000004, 64.2, 56.9, 47.8]),
        ],
        "Chemicals",
        [
            ("China", [100, 213, 215, 215]),
            ("Chile", [40, 55.8, 55.9, 55.9]),
            ("Rest of world", [1.4000000000000057, 26.9, 29, 29]),
        ],
    ),
    (
        "Nickel",
        "Mining",
        [
            ("Indonesia", [1000, 2500, 2900, 3100]),
            ("Philippines", [400, 340, 250, 150]),
            ("Canada", [100, 150, 130, 97]),  # also inside 'Rest of world'
            ("Rest of world", [200, 210, 220, 230]),
            ("Total", [1600, 3050, 3370, 3480]),
        ],
        "Refining",
        [("Indonesia", [1400, 1800, 2100, 2100]), ("Rest of world", [2400, 2500, 2400, 2400])],
    ),
    (
        "Graphite",
        "Mining (natural)",
        [("China", [1300, 1900, 2150, 2160]), ("Rest of world", [300, 800, 850, 890])],
        "Battery grade",
        [("China", [1850, 5100, 6900, 6890]), ("Rest of world", [180, 380, 560, 590])],
    ),
    (
        "Magnet rare earth elements",
        "Mining",
        [("China", [44.3, 57.6, 62.4, 62.4]), ("Rest of world", [28, 50, 51, 51])],
        "Refining",
        [("China", [70.3, 80.8, 85.7, 85.7]), ("Rest of world", [6, 25, 25, 25])],
    ),
]

DEMAND_TITLES = {
    "4.1 Solar PV": "solar PV",
    "4.2 Wind": "wind",
    "4.3 EV": "electric vehicles",
    "4.4 Battery storage": "grid battery storage",
    "4.5 Electricity networks": "electricity networks",
    "4.6 Hydrogen": "hydrogen technologies",
}


def _series(base):
    """16 made-up values: 2023, then 5 years x 3 scenarios."""
    return [base] + [round(base * (1 + 0.1 * k), 6) for k in range(1, 16)]


def _write_supply(ws, shift, omit, rename):
    top = 1 + shift
    ws.cell(top + 1, 1, "Total supply for key energy transition minerals, base case (kt)")
    for k, y in enumerate((2023, 2030, 2035, 2040)):
        ws.cell(top + 3, 2 + k, y)
        ws.cell(top + 3, 8 + k, y)
    r = top + 5
    for mineral, left, lrows, right, rrows in SUPPLY_BLOCKS:
        height = 0
        for col, label, rows in ((1, left, lrows), (7, right, rrows)):
            title = f"{mineral} - {label}"
            if title == omit:
                continue
            ws.cell(r, col, rename.get(title, title))
            body = [x for x in rows if x[1] is not None]
            total_label = next((x[0] for x in rows if x[1] is None), "Total")
            given_total = [x for x in body if x[0] == "Total"]
            body = [x for x in body if x[0] != "Total"]
            if mineral == "Cobalt" and col == 1:
                body.insert(1, ("", None))  # blank label beside the taller refining block
            total = (
                given_total[0][1]
                if given_total
                else [sum(x[1][k] for x in body if x[1]) for k in range(4)]
            )
            rows_out = body + [(total_label, total), ("Top 3 share", [0.81, 0.8, 0.79, 0.78])]
            for n, (name, vals) in enumerate(rows_out, start=1):
                if name:
                    ws.cell(r + n, col, name)
                for k, v in enumerate(vals or []):
                    ws.cell(r + n, col + 1 + k, v)
            height = max(height, len(rows_out))
        r += height + 2
    ws.cell(r, 1, "Notes: Supply projections use the pipeline of mining and refining projects.")


def _write_demand(ws, sheet, shift, omit, junk):
    top = 1 + shift
    layout = DEMAND_SHEETS[sheet][0]
    what = DEMAND_TITLES.get(sheet, "key energy transition minerals")
    ws.cell(
        top + 1,
        1,
        f"Mineral demand for {what} (kt)" if layout == "case_blocks" else f"Demand for {what} (kt)",
    )
    for col, name in ((4, STEPS), (10, APS), (16, NZE)):
        ws.cell(top + 3, col, name)
    ws.cell(top + 4, 2, 2023)
    for start in (4, 10, 16):
        for k, y in enumerate((2030, 2035, 2040, 2045, 2050)):
            ws.cell(top + 4, start + k, y)
    cols = [2, *range(4, 9), *range(10, 15), *range(16, 21)]
    if layout == "mineral_blocks":
        blocks = [
            (
                "Copper",
                [
                    ("Solar PV", 1208.23),
                    ("Electric vehicles", 395.95),
                    ("Total clean technologies", 1604.18),
                    ("Other uses", 19500.5),
                    ("Total demand", 21104.68),
                    ("Share of clean technologies in total demand ", 0.076),
                ],
            ),
            ("Cobalt", [("Electric vehicles", 61.84), ("Total cobalt", 61.84)]),
            (
                "Lithium",
                [
                    ("Electric vehicles", 82.85),
                    ("Grid battery storage", 9.22),
                    ("Total clean technologies", 92.07),
                ],
            ),
        ]
    elif layout == "mineral_rows":
        blocks = [
            (None, [("Copper", 6371.7), ("Cobalt", 64.39), ("Lithium", 92.07), ("Total", 6528.16)])
        ]
    else:
        blocks = [("Base case", [("Copper", 395.95), ("Lithium", 82.85), ("Total " + what, 478.8)])]
        if sheet == "4.3 EV":
            blocks.append(("Lower battery sizes", [("Lithium", 80.1)]))
    r = top + 6
    for block, rows in blocks:
        if omit is not None and block == omit:
            continue
        if block is not None:
            ws.cell(r, 1, block)
            r += 1
        for label, base in rows:
            ws.cell(r, 1, label)
            values = _series(base)
            for c, v in zip(cols, values, strict=True):
                if block == "Lower battery sizes" and c >= 16:
                    continue  # not modelled in Net Zero: left blank
                ws.cell(r, c, v)
            if sheet.startswith("1 "):
                ws.cell(r, 23, "helper")  # hidden lookup columns W, X of the real sheet
                ws.cell(r, 24, label)
            r += 1
        r += 2
    if junk:
        ws.cell(top + 7, 5, junk)


def build_workbook(
    path, *, shift=0, omit_supply=None, omit_demand=None, omit_sheet=None, rename=None, junk=None
):
    """Write an IEA-style workbook to `path` and return it."""
    wb = openpyxl.Workbook()
    wb.active.title = "Cover"
    wb.active["B3"] = "Critical Minerals Data Explorer"
    for sheet in ["1 Total demand for key minerals", SUPPLY, *list(DEMAND_SHEETS)[1:]]:
        if sheet == omit_sheet:
            continue
        ws = wb.create_sheet(sheet)
        if sheet == SUPPLY:
            _write_supply(ws, shift, omit_supply, rename or {})
        else:
            omit = omit_demand[1] if omit_demand and omit_demand[0] == sheet else None
            _write_demand(ws, sheet, shift, omit, junk if sheet.startswith("1 ") else None)
    wb.create_sheet("Notice")["B2"] = "CC BY 4.0"
    wb.save(path)
    return path


@pytest.fixture
def workbook(tmp_path):
    return build_workbook(tmp_path / "CM_Data_Explorer_test.xlsx")


def _one(df, **where):
    hit = df
    for k, v in where.items():
        hit = hit[hit[k] == v]
    assert len(hit) == 1, where
    return hit.iloc[0]


# ---------------------------------------------------------------- supply: fixture


def test_supply_schema_and_counts(workbook):
    s = read_iea_supply(workbook)
    assert list(s.columns) == OBSERVATION_COLUMNS
    n_rows = sum(
        len([x for x in rows if x[1] is not None and x[0] != "Total"]) + 1
        for _, _, lrows, _, rrows in SUPPLY_BLOCKS
        for rows in (lrows, rrows)
    )
    assert len(s) == n_rows * 4
    assert set(s.dataset) == {"iea_cmde_2024"} and set(s.measure) == {"production"}
    assert set(s.unit) == {"kt"} and set(s.basis) == {""}
    assert not s.country_source.str.contains("share").any()


def test_supply_values_and_rows(workbook):
    s = read_iea_supply(workbook)
    peru = _one(s, commodity_source="Copper", country_source="Peru", year=2030)
    assert peru.value == 2376.8  # float artefact removed
    assert peru.stage == "mine" and peru.flag == "projection"
    assert peru.series == "Mining, base case"
    assert peru.source_row == 8  # title row 2, years row 4, block title row 6
    chile = _one(s, commodity_source="Copper", country_source="Chile", year=2023)
    assert chile.value == 5000.5 and chile.flag == "" and chile.series == "Mining"
    china_ref = _one(
        s, commodity_source="Copper", stage="refinery", country_source="China", year=2040
    )
    assert china_ref.value == 13000.0 and china_ref.series == "Refining, base case"
    li = _one(
        s, commodity_source="Lithium", stage="refinery", country_source="Rest of world", year=2023
    )
    assert li.value == 1.4 and li.series == "Chemicals"
    gr = s[(s.commodity_source == "Graphite")]
    assert set(zip(gr.series, gr.stage, strict=True)) >= {
        ("Mining (natural)", "mine"),
        ("Battery grade", "refinery"),
    }


def test_supply_total_slip_and_blank_label_row(workbook):
    s = read_iea_supply(workbook)
    tot = _one(s, commodity_source="Cobalt", stage="refinery", country_source="Total", year=2023)
    assert tot.value == pytest.approx(170 + 18.8 + 6.9 + 20)
    assert tot.note == "published as 'Total clean technologies'"
    # the right block's third row sits beside a blank left label: still read
    canada = _one(
        s, commodity_source="Cobalt", stage="refinery", country_source="Canada", year=2035
    )
    assert canada.value == 3.5
    assert len(s[(s.commodity_source == "Cobalt") & (s.stage == "mine")]) == 3 * 4


def test_supply_lithium_total_invariant(workbook):
    s = read_iea_supply(workbook)
    li = s[(s.commodity_source == "Lithium") & (s.stage == "mine") & (s.year == 2023)]
    total = li[li.country_source == "Total"].value.iloc[0]
    assert total == pytest.approx(li[li.country_source != "Total"].value.sum(), abs=1e-9)


def test_supply_inconsistent_block_noted(workbook):
    s = read_iea_supply(workbook)
    row = _one(
        s, commodity_source="Nickel", stage="mine", country_source="Rest of world", year=2023
    )
    assert row.note == "the rows of this block add up to +100 more than its 'Total'"
    assert (s[s.commodity_source != "Nickel"].note.str.contains("add up")).sum() == 0


def test_supply_moved_rows_still_parse(workbook, tmp_path):
    moved = read_iea_supply(build_workbook(tmp_path / "moved.xlsx", shift=3))
    base = read_iea_supply(workbook)
    assert moved.drop(columns=["source_row", "source_id"]).equals(
        base.drop(columns=["source_row", "source_id"])
    )
    assert (moved.source_row - base.source_row).eq(3).all()


def test_supply_sheet_found_without_number_prefix(tmp_path):
    p = build_workbook(tmp_path / "wb.xlsx")
    wb = openpyxl.load_workbook(p)
    wb[SUPPLY].title = "Total supply for key minerals"
    wb.save(p)
    assert len(read_iea_supply(p)) > 0


# ---------------------------------------------------------------- supply: bad input


def test_supply_missing_block(tmp_path):
    p = build_workbook(tmp_path / "wb.xlsx", omit_supply="Cobalt - Refining")
    with pytest.raises(ParseError) as err:
        read_iea_supply(p)
    msg = str(err.value)
    assert f"sheet '{SUPPLY}'" in msg and "no block titled 'Cobalt - Refining'" in msg
    assert "Cobalt - Mining" in msg  # lists what was found


def test_supply_unknown_stage_label(tmp_path):
    p = build_workbook(tmp_path / "wb.xlsx", rename={"Copper - Refining": "Copper - Smelting"})
    with pytest.raises(ParseError, match=r"line 6: sheet .*stage label 'Smelting'.*STAGE_LABELS"):
        read_iea_supply(p)


def test_supply_missing_sheet(tmp_path):
    p = build_workbook(tmp_path / "wb.xlsx", omit_sheet=SUPPLY)
    with pytest.raises(ParseError, match=rf"sheet '{SUPPLY}' not found; the workbook has"):
        read_iea_supply(p)


def test_missing_file_and_not_xlsx(tmp_path):
    with pytest.raises(DataError, match="file not found"):
        read_iea_supply(tmp_path / "none.xlsx")
    bad = tmp_path / "bad.xlsx"
    bad.write_text("not a workbook")
    with pytest.raises(DataError, match="not a readable xlsx"):
        read_iea_demand(bad)


# ---------------------------------------------------------------- demand: fixture


def test_demand_columns_and_sheets(workbook):
    d = read_iea_demand(workbook)
    assert list(d.columns) == DEMAND_COLUMNS
    assert set(d.sheet) == set(DEMAND_SHEETS)
    assert set(d.scenario) == {BASE_YEAR_SCENARIO, STEPS, APS, NZE}
    assert set(d.unit) == {"kt"}
    assert not d.sector_or_technology.str.startswith("Share of").any()
    assert "helper" not in set(d.sector_or_technology) | set(d.mineral)


def test_demand_mineral_blocks(workbook):
    d = read_iea_demand(workbook)
    one = d[d.sheet == "1 Total demand for key minerals"]
    cu = _one(one, mineral="Copper", sector_or_technology="Solar PV", year=2023)
    assert cu.value == 1208.23 and cu.scenario == BASE_YEAR_SCENARIO and cu.case == "Base case"
    assert cu.source_row == 8  # title 2, scenarios 4, years 5, 'Copper' 7
    nze = _one(one, mineral="Copper", sector_or_technology="Solar PV", year=2050, scenario=NZE)
    assert nze.value == pytest.approx(1208.23 * 2.5)
    # 16 figures per row, 5 + 2 + 3 rows kept (the share row dropped)
    assert len(one) == 16 * 10


def test_demand_mineral_rows_and_case_blocks(workbook):
    d = read_iea_demand(workbook)
    r = _one(d, sheet="3.2 Cleantech demand by mineral", mineral="Cobalt", year=2023)
    assert r.value == 64.39 and r.sector_or_technology == CLEANTECH_TOTAL
    pv = _one(d, sheet="4.1 Solar PV", mineral="Copper", year=2035, scenario=APS)
    assert pv.sector_or_technology == "Solar PV" and pv.case == "Base case"
    assert pv.value == pytest.approx(395.95 * 1.7)
    ev = d[(d.sheet == "4.3 EV") & (d.case == "Lower battery sizes")]
    assert set(ev.scenario) == {BASE_YEAR_SCENARIO, STEPS, APS}  # NZE cells blank
    assert len(ev) == 11
    assert set(d[d.sheet == "4.4 Battery storage"].sector_or_technology) == {"Grid battery storage"}


def test_demand_moved_rows_still_parse(workbook, tmp_path):
    moved = read_iea_demand(build_workbook(tmp_path / "moved.xlsx", shift=2))
    base = read_iea_demand(workbook)
    cols = [c for c in DEMAND_COLUMNS if c not in ("source_row", "source_id")]
    assert moved[cols].equals(base[cols])
    assert (moved.source_row - base.source_row).eq(2).all()


# ---------------------------------------------------------------- demand: bad input


def test_demand_missing_block(tmp_path):
    p = build_workbook(tmp_path / "wb.xlsx", omit_demand=("4.2 Wind", "Base case"))
    with pytest.raises(ParseError, match=r"sheet '4.2 Wind': no block titled 'Base case'"):
        read_iea_demand(p)


def test_demand_missing_mineral_block(tmp_path):
    p = build_workbook(
        tmp_path / "wb.xlsx", omit_demand=("1 Total demand for key minerals", "Cobalt")
    )
    with pytest.raises(
        ParseError,
        match=r"1 Total demand for key minerals': no block titled "
        r"'Cobalt'.*expected \['Copper', 'Cobalt', 'Lithium'\]",
    ):
        read_iea_demand(p)


def test_demand_missing_sheet(tmp_path):
    p = build_workbook(tmp_path / "wb.xlsx", omit_sheet="4.6 Hydrogen")
    with pytest.raises(ParseError, match=r"sheet '4.6 Hydrogen' not found"):
        read_iea_demand(p)


def test_demand_word_in_value_cell(tmp_path):
    p = build_workbook(tmp_path / "wb.xlsx", junk="see note")
    with pytest.raises(ParseError, match=r"line 8: sheet .*cell E8: 'see note' is not a number"):
        read_iea_demand(p)


# ---------------------------------------------------------------- real workbook

IEA = "iea_critical_minerals/CM_Data_Explorer_May2024.xlsx"


def test_real_supply_lithium_total_invariant(shared_data):
    s = read_iea_supply(shared_data / IEA)
    li = s[(s.commodity_source == "Lithium") & (s.stage == "mine")]
    for year, g in li.groupby("year"):
        total = g[g.country_source == "Total"].value.iloc[0]
        parts = g[g.country_source != "Total"].value.sum()
        assert total == pytest.approx(parts, abs=0.05), year
        assert "Rest of world" in set(g.country_source)
    # every block-year adds up, or carries the note saying it does not
    for key, g in s.groupby(["commodity_source", "stage", "year"]):
        total = g[g.country_source == "Total"].value.iloc[0]
        parts = g[g.country_source != "Total"].value.sum()
        assert abs(total - parts) < 0.05 or g.note.str.contains("add up").any(), key


def test_real_supply_cell_matches_plain_read(shared_data):
    ws = openpyxl.load_workbook(shared_data / IEA, read_only=True, data_only=True)[SUPPLY]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    start = next(i for i, r in enumerate(rows) if r[0] == "Lithium - Mining")
    t = next(i for i in range(start, len(rows)) if rows[i][0] == "Total")
    s = read_iea_supply(shared_data / IEA)
    got = _one(s, commodity_source="Lithium", stage="mine", country_source="Total", year=2023)
    assert got.value == rows[t][1]
    assert got.source_row == t + 1
    assert not s.value.map(lambda v: len(repr(v)) > 14).any()  # no float artefacts left
    assert set(s.unit) == {"kt"}


def test_real_demand_invariants(shared_data):
    d = read_iea_demand(shared_data / IEA)
    one = (
        d[d.sheet == "1 Total demand for key minerals"]
        .set_index(["mineral", "scenario", "year", "sector_or_technology"])
        .value.unstack()
    )
    lhs = one["Total clean technologies"] + one["Other uses"]
    assert ((lhs - one["Total demand"]).abs() <= 1e-6 * one["Total demand"].abs() + 1e-9).all()
    # the same figure in three sheets
    key = ["scenario", "year"]
    s1 = (
        d[
            (d.sheet.str.startswith("1 "))
            & (d.mineral == "Copper")
            & (d.sector_or_technology == "Solar PV")
        ]
        .set_index(key)
        .value
    )
    s41 = (
        d[(d.sheet == "4.1 Solar PV") & (d.case == "Base case") & (d.mineral == "Copper")]
        .set_index(key)
        .value
    )
    assert s1.sort_index().equals(s41.sort_index())
    s32 = d[(d.sheet.str.startswith("3.2")) & (d.mineral == "Copper")].set_index(key).value
    tct = (
        d[
            (d.sheet.str.startswith("1 "))
            & (d.mineral == "Copper")
            & (d.sector_or_technology == CLEANTECH_TOTAL)
        ]
        .set_index(key)
        .value
    )
    assert s32.sort_index().equals(tct.sort_index())
    assert not any(math.isnan(v) for v in d.value)
    assert set(d.scenario) == {BASE_YEAR_SCENARIO, STEPS, APS, NZE}
