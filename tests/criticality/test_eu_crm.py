"""EU CRM supply risk and criticality rule, reproduced row by row from the 2023 results table.

Expected values are read at test time from
``../shared/methods/validation/eu_crm_2023_results.csv`` (via the ``shared_methods`` fixture);
the thresholds are read from ``../shared/methods/01_eu_crm_methodology.md``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from critmin.criticality import (
    EI_THRESHOLD,
    SR_THRESHOLD,
    bottleneck_stage,
    is_critical,
    material_supply_risk,
    supply_risk,
    supply_risk_from_shares,
)
from critmin.errors import MethodError
from critmin.metrics import eu_wgi_scaled

REPO = Path(__file__).resolve().parents[2]

# Rows whose material SR cannot be reproduced from the file's stage SRs, with the reason;
# the same list is in docs/methods/eu_crm_validation.md (written by tools/validate_eu_crm.py).
NOT_REPRODUCED = {
    "LREE": "material SR 3.7 but processing SR 3.58 and extraction SR blank ('281%' in source)",
    "Praseodymium": "SR of the bottleneck stage (processing) not given in the source",
}
# Materials the rule classifies as not critical although the official 2023 list has them:
# strategic but not critical (methods/01 §1.3).
STRATEGIC_NOT_CRITICAL = {"Copper", "Nickel"}


@pytest.fixture(scope="module")
def results(shared_methods) -> pd.DataFrame:
    path = shared_methods / "validation" / "eu_crm_2023_results.csv"
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _num(text: str) -> float:
    return float(text) if text.strip() else float("nan")


def _decimals(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


def _round(x: float, nd: int) -> Decimal:
    return Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-nd), ROUND_HALF_UP)


# ---------------------------------------------------------------- thresholds from methods/01


def test_thresholds_are_those_of_methods_01(shared_methods):
    text = (shared_methods / "01_eu_crm_methodology.md").read_text(encoding="utf-8")
    sr = re.search(r"SR threshold: SR ≥ (\d+(?:\.\d+)?)", text)
    ei = re.search(r"EI threshold: EI ≥ (\d+(?:\.\d+)?)", text)
    assert sr and ei
    assert float(sr.group(1)) == SR_THRESHOLD
    assert float(ei.group(1)) == EI_THRESHOLD


# ---------------------------------------------------------------- hand cases


def test_supply_risk_both_pictures_by_hand():
    # [4·0.5/2 + 2·(1 − 0.5/2)] = 1 + 1.5 = 2.5; × (1 − 0.2) × 0.9 = 1.8
    assert supply_risk(4.0, 2.0, 0.5, 0.2, 0.9) == pytest.approx(1.8)
    # IR = 0: only EU sourcing counts; IR = 1: half and half
    assert supply_risk(4.0, 2.0, 0.0, 0.0, 1.0) == pytest.approx(2.0)
    assert supply_risk(4.0, 2.0, 1.0, 0.0, 1.0) == pytest.approx(3.0)


def test_supply_risk_single_picture():
    assert supply_risk(5.0, None, None, 0.1, 0.8) == pytest.approx(3.6)  # GS only
    assert supply_risk(np.nan, 5.0, np.nan, 0.1, 0.8) == pytest.approx(3.6)  # EU only


def test_supply_risk_vectorised_and_series():
    got = supply_risk(np.array([4.0, 5.0]), np.array([2.0, np.nan]), 1.0, 0.0, 1.0)
    np.testing.assert_allclose(got, [3.0, 5.0])
    s = supply_risk(pd.Series({"Ga": 4.0, "Ge": 1.0}), None, None, 0.0, 1.0)
    assert isinstance(s, pd.Series)
    assert s.to_dict() == {"Ga": 4.0, "Ge": 1.0}


def test_hree_plausibility():
    # methods/01 §1.1: GS only, China ~100 %, EOL_RIR 1 %, SI_SR 1 -> SR 5.6 with China's
    # six-indicator WGI mean ≈ −0.33 (plausibility only; the mean is not read from a source)
    hhi_gs = eu_wgi_scaled(-0.33) * 1.0**2
    assert _round(supply_risk(hhi_gs, None, None, 0.01, 1.0), 1) == Decimal("5.6")


def test_supply_risk_from_shares_by_hand():
    wgi = pd.Series({"CHN": 6.0, "AUS": 2.0, "DEU": 1.0})
    gs = pd.Series({"CHN": 0.5, "AUS": 0.5})  # 0.25·6·1.1 + 0.25·2 = 1.65 + 0.5 = 2.15
    eu = pd.Series({"DEU": 0.5, "AUS": 0.5})  # 0.25·1 + 0.25·2·0.8 = 0.25 + 0.4 = 0.65
    got = supply_risk_from_shares(
        gs,
        eu,
        wgi,
        import_reliance=0.6,
        eol_rir=0.1,
        si_sr=0.9,
        t_global=pd.Series({"CHN": 1.1}),
        t_eu=pd.Series({"AUS": 0.8}),
    )
    # [2.15·0.3 + 0.65·0.7] · 0.9 · 0.9 = (0.645 + 0.455) · 0.81 = 0.891
    assert got == pytest.approx(0.891)


def test_material_supply_risk_and_bottleneck():
    assert material_supply_risk(0.8, 1.9) == 1.9
    assert material_supply_risk(None, 2.4) == 2.4
    assert material_supply_risk(1.2, np.nan) == 1.2
    assert bottleneck_stage(0.8, 1.9) == "Processing"
    assert bottleneck_stage(1.2, 1.2) == "Extraction"
    assert bottleneck_stage(1.2, None) == "Extraction"
    assert bottleneck_stage(None, 0.3) == "Processing"


def test_is_critical_thresholds_inclusive():
    assert is_critical(1.0, 2.8) is True
    assert is_critical(0.999, 9.0) is False
    assert is_critical(5.6, 2.79) is False
    got = is_critical(pd.Series({"a": 1.2, "b": 0.5}), pd.Series({"a": 3.0, "b": 3.0}))
    assert got.to_dict() == {"a": True, "b": False}


# ---------------------------------------------------------------- errors


def test_percent_instead_of_fraction_refused():
    with pytest.raises(MethodError, match=r"import_reliance must be a fraction.*divide percent"):
        supply_risk(2.0, 1.0, 89.0, 0.3, 0.9)
    with pytest.raises(MethodError, match=r"eol_rir must be a fraction"):
        supply_risk(2.0, None, None, 32.0, 0.9)


def test_misaligned_series_refused():
    with pytest.raises(MethodError, match="different indexes"):
        supply_risk(pd.Series({"Ga": 4.0}), None, None, pd.Series({"Ge": 0.1, "In": 0.2}), 1.0)


def test_missing_components_refused():
    with pytest.raises(MethodError, match="neither hhi_gs nor hhi_eu"):
        supply_risk(None, None, 0.5, 0.0, 1.0)
    with pytest.raises(MethodError, match="import_reliance is needed"):
        supply_risk(2.0, 1.0, None, 0.0, 1.0)
    with pytest.raises(MethodError, match="must be given"):
        supply_risk(2.0, None, None, np.nan, 1.0)
    with pytest.raises(MethodError, match="hhi_gs must be >= 0"):
        supply_risk(-2.0, None, None, 0.0, 1.0)
    with pytest.raises(MethodError, match="neither stage"):
        material_supply_risk(None, np.nan)
    with pytest.raises(MethodError, match="criticality rule needs both"):
        is_critical(np.nan, 3.0)
    with pytest.raises(MethodError, match="give global_shares, eu_shares or both"):
        supply_risk_from_shares(None, None, pd.Series(dtype=float), 0.5, 0.0, 1.0)


# ---------------------------------------------------------------- 2023 table, row by row


def test_material_sr_reproduces_per_row(results):
    assert len(results) == 90
    failures: dict[str, str] = {}
    for _, row in results.iterrows():
        e, p = _num(row["SR_extraction"]), _num(row["SR_processing"])
        flagged = (
            row["SR_extraction"]
            if row["bottleneck_stage_used"] == "Extraction"
            else (row["SR_processing"])
        )
        if not flagged:
            failures[row["material"]] = "bottleneck stage SR missing"
            continue
        stage_texts = [t for t in (row["SR_extraction"], row["SR_processing"]) if t]
        nd = min(_decimals(row["SR"]), *(_decimals(t) for t in stage_texts))
        got = material_supply_risk(e, p)
        if _round(got, nd) != _round(float(row["SR"]), nd):
            failures[row["material"]] = f"{got} vs {row['SR']}"
            continue
        tie = not (np.isnan(e) or np.isnan(p)) and _round(e, nd) == _round(p, nd)
        if not tie and bottleneck_stage(e, p) != row["bottleneck_stage_used"]:
            failures[row["material"]] = "bottleneck stage differs"
    assert set(failures) == set(NOT_REPRODUCED), failures
    assert len(results) - len(failures) == 88


def test_criticality_rule_per_row(results):
    sr = results["SR"].astype(float)
    ei = results["EI"].astype(float)
    crit = is_critical(sr.to_numpy(), ei.to_numpy())
    expected = (results["meets_thresholds_SR>=1_EI>=2.8"] == "yes").to_numpy()
    mismatched = results.loc[crit != expected, "material"].tolist()
    assert mismatched == []
    assert int(crit.sum()) == 52


def test_criticality_rule_vs_official_list(results):
    official = results["on_official_2023_CRM_list_per_cbs.nl"]
    listed = ~official.str.startswith("n/a")
    assert int(listed.sum()) == 70
    crit = is_critical(
        results["SR"].astype(float).to_numpy(), results["EI"].astype(float).to_numpy()
    )
    differ = results.loc[listed & (crit != (official == "yes")), "material"]
    assert set(differ) == STRATEGIC_NOT_CRITICAL


def test_validation_page_is_current(shared_methods):
    env = {**os.environ, "CRITMIN_SOURCE_DIR": str(shared_methods.parent / "data")}
    proc = subprocess.run(
        [sys.executable, str(REPO / "tools" / "validate_eu_crm.py"), "--check"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    page = (REPO / "docs" / "methods" / "eu_crm_validation.md").read_text(encoding="utf-8")
    for material in [*NOT_REPRODUCED, *STRATEGIC_NOT_CRITICAL]:
        assert f"| {material} | " in page
