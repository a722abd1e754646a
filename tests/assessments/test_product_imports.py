"""India's refined and product imports (UN Comtrade) beside the BACI ore codes."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest

from critmin.assessments.product_imports import product_imports, stage_of_code

WORLD = "trade/comtrade_2023_reporter_world_hpham210/trade_data.csv"
CHINA = "trade/comtrade_china_exports_qennis/deep_dive_hs6_monthly.csv"


@pytest.mark.parametrize(
    ("hs", "stage"),
    [
        ("260300", "ore"),
        ("2612", "ore"),
        ("7502", "refined"),
        ("380110", "refined"),
        ("283691", "refined"),
        ("850760", "product"),
        ("850511", "product"),
    ],
)
def test_stage_from_the_hs_chapter(hs, stage):
    assert stage_of_code(hs) == stage


def _raw_world(shared_data: Path, reporter: str, flow: str, code: str) -> tuple[float, float]:
    """(value US$, net weight kg) read positionally: value j belongs to header name j + 1."""
    with (shared_data / WORLD).open(encoding="utf-8") as f:
        rows = csv.reader(f)
        header = next(rows)
        pos = {name: j - 1 for j, name in enumerate(header)}
        pos["reporterISO"] = header.index("Country") - 1
        for r in rows:
            if (r[pos["reporterISO"]], r[pos["flowCode"]], r[pos["cmdCode"]]) == (
                reporter,
                flow,
                code,
            ):
                return float(r[pos["primaryValue"]]), float(r[pos["netWgt"]] or "nan")
    raise AssertionError(f"{reporter} {flow} {code} not in {WORLD}")


def test_india_imports_nickel_cells_and_anode_graphite(shared_data):
    df = product_imports("IND").set_index("hs")
    for code in ("7502", "850760", "380110"):
        assert code in df.index, code
        value, kg = _raw_world(shared_data, "IND", "M", code)
        assert math.isclose(df.loc[code, "imports_kusd"], value / 1e3, rel_tol=1e-12)
        assert math.isclose(df.loc[code, "imports_t"], kg / 1e3, rel_tol=1e-12)
    assert (
        df.loc["850760", "stage"] == "product" and "lithium-ion" in df.loc["850760", "description"]
    )
    assert (
        df.loc["7502", "stage"] == "refined"
        and "Nickel: unwrought" in df.loc["7502", "description"]
    )
    # net imports = imports - exports, both from the same file
    _, kg_x = _raw_world(shared_data, "IND", "X", "7502")
    assert math.isclose(df.loc["7502", "net_imports_t"], df.loc["7502", "imports_t"] - kg_x / 1e3)
    # codes BACI already carries are not repeated here
    assert "250410" not in df.index and "283691" not in df.index


def test_china_share_is_chinas_exports_over_indias_imports(shared_data):
    kg = 0.0
    with (shared_data / CHINA).open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if (
                r["partner_name"] == "India"
                and r["hs6"] == "380110"
                and r["period_dt"][:4] == "2023"
            ):
                kg += float(r["qty"])
    _, imp_kg = _raw_world(shared_data, "IND", "M", "380110")
    df = product_imports("IND").set_index("hs")
    assert math.isclose(df.loc["380110", "china_share"], kg / imp_kg, rel_tol=1e-9)


def test_cli_shows_the_refined_and_product_codes(capsys, monkeypatch):
    from critmin.cli import main

    monkeypatch.setenv("COLUMNS", "100")
    try:
        main(["reliance", "--country", "IND", "--year", "2023"])
    except SystemExit as e:
        assert not e.code
    out = capsys.readouterr().out
    assert "Refined and product codes the BACI extract lacks" in out
    for code in ("7502", "850760", "380110"):
        assert f" {code} " in out
    assert "Not in the data: 850511 permanent magnets" in out
    assert max(len(line) for line in out.splitlines()) <= 100
