"""Reproduce the EU CRM 2023 results table from its components; write the validation page.

Reads ``../shared/methods/validation/eu_crm_2023_results.csv`` (90 materials; transcription of
the EC *Study on the critical raw materials for the EU 2023*, doi:10.2873/725585, via
meyerdata/CritMAT @0bd8977) and, for every row, checks with :mod:`critmin.criticality.eu_crm`:

1. material SR = SR of the bottleneck stage = ``max(SR_extraction, SR_processing)``
   (:func:`material_supply_risk`, :func:`bottleneck_stage`), compared at the coarser of the
   published roundings;
2. the criticality rule ``SR >= 1.0 and EI >= 2.8`` (:func:`is_critical`) against the file's
   ``meets_thresholds`` column and against the official 2023 list (cbs.nl column);
3. the stage SR from its components ``[HHI_GS·IR/2 + HHI_EU·(1−IR/2)]·(1−EOL_RIR)·SI_SR``:
   the file gives IR, EOL_RIR and SI_SR but not the two governance-weighted HHIs, so the stage
   SR cannot be recomputed; the page lists, per stage, the HHI_WGI,t interval that the published
   (rounded) SR implies (:func:`supply_risk` inverted), for the record.

Usage::

    .venv/bin/python tools/validate_eu_crm.py          # (re)write the page
    .venv/bin/python tools/validate_eu_crm.py --check  # exit 1 if the page is out of date

The page is ``docs/methods/eu_crm_validation.md``.

``CRITMIN_SHARED_DATA`` points at the shared data folder (default ``../shared/data``), as in the
tests.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import pandas as pd

from critmin.criticality.eu_crm import (
    EI_THRESHOLD,
    SR_THRESHOLD,
    bottleneck_stage,
    is_critical,
    material_supply_risk,
    supply_risk,
)

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("CRITMIN_SHARED_DATA", REPO.parent / "shared" / "data"))
RESULTS_CSV = SHARED_DATA.parent / "methods" / "validation" / "eu_crm_2023_results.csv"
OUT = REPO / "docs" / "methods" / "eu_crm_validation.md"
THRESHOLD_COL = "meets_thresholds_SR>=1_EI>=2.8"
OFFICIAL_COL = "on_official_2023_CRM_list_per_cbs.nl"

log = logging.getLogger("validate_eu_crm")


def decimals(text: str) -> int:
    """Return the number of decimals written in a published number ('2.13' -> 2)."""
    return len(text.split(".")[1]) if "." in text else 0


def rounded(value: float, ndigits: int) -> Decimal:
    """Round half-up as published tables do (not banker's rounding)."""
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-ndigits), ROUND_HALF_UP)


def num(text: str) -> float:
    """Return a published cell as float (NaN if blank)."""
    return float(text) if text.strip() else float("nan")


def implied_hhi(row: pd.Series, stage: str) -> str:
    """HHI_WGI,t interval implied by a published stage SR, or why there is none."""
    sr_text = row[f"SR_{stage}"]
    if not sr_text:
        return "—"
    eol, si = num(row["EOL_RIR_pct"]), num(row["SI_SR"])
    if np.isnan(eol) or np.isnan(si):
        return "n/a (no SI_SR)" if np.isnan(si) else "n/a (no EOL_RIR)"
    half = 0.5 * 10 ** -decimals(sr_text)
    sr = float(sr_text)
    factor = float(supply_risk(1.0, None, None, eol_rir=eol / 100.0, si_sr=si))
    if factor == 0:
        return "n/a (SI_SR·(1−EOL_RIR) = 0)"
    lo, hi = max(sr - half, 0.0) / factor, (sr + half) / factor
    return f"{lo:.2f}–{hi:.2f}"


def check_row(row: pd.Series) -> dict[str, object]:
    """Run the three checks on one row of the results table."""
    e, p = num(row["SR_extraction"]), num(row["SR_processing"])
    sr_pub, ei = float(row["SR"]), float(row["EI"])
    flagged = row["bottleneck_stage_used"]
    out: dict[str, object] = {"material": row["material"], "SR": row["SR"], "EI": row["EI"]}
    out["SR_E"], out["SR_P"], out["bottleneck"] = (
        row["SR_extraction"],
        row["SR_processing"],
        flagged,
    )

    # 1. material SR from the stage SRs
    flagged_text = row["SR_extraction"] if flagged == "Extraction" else row["SR_processing"]
    reasons: list[str] = []
    if np.isnan(e) and np.isnan(p):
        out["SR_recomputed"], out["sr_ok"] = "—", False
        reasons.append("no stage SR given")
    else:
        recomputed = float(material_supply_risk(e, p))
        stage_texts = [t for t in (row["SR_extraction"], row["SR_processing"]) if t]
        nd = min(decimals(row["SR"]), *(decimals(t) for t in stage_texts))
        ok = rounded(recomputed, nd) == rounded(sr_pub, nd)
        shown = max(decimals(t) for t in stage_texts)
        out["SR_recomputed"] = f"{recomputed:.{shown}f}"
        if not flagged_text:
            ok = False
            reasons.append(f"SR of the bottleneck stage ({flagged}) not given in the source")
        elif not ok:
            reasons.append(
                f"max(stage SR) = {out['SR_recomputed']} ≠ published SR {row['SR']} "
                f"at {nd} decimal(s)"
            )
        stage = bottleneck_stage(e, p)
        tie = not np.isnan(e) and not np.isnan(p) and rounded(e, nd) == rounded(p, nd)
        if flagged_text and stage != flagged and not tie:
            ok = False
            reasons.append(f"larger stage is {stage}, file flags {flagged}")
        out["sr_ok"] = ok
    if row["data_notes"] and not out["sr_ok"]:
        reasons.append(f"source note: {row['data_notes']}")

    # 2. criticality rule
    crit = bool(is_critical(sr_pub, ei))
    out["critical"] = "yes" if crit else "no"
    out["rule_ok"] = (row[THRESHOLD_COL] == "yes") == crit
    official = row[OFFICIAL_COL]
    out["official"] = official
    out["list_ok"] = None if official.startswith("n/a") else (official == "yes") == crit

    # 3. stage SR from components: the file has no HHI_WGI,t
    out["HHI_E"] = implied_hhi(row, "extraction")
    out["HHI_P"] = implied_hhi(row, "processing")
    out["reasons"] = "; ".join(reasons)
    return out


def mark(ok: object) -> str:
    """Render a check result."""
    return "—" if ok is None else ("✓" if ok else "✗")


def render(results: pd.DataFrame) -> str:
    """Return the Markdown page."""
    n = len(results)
    sr_ok = int(results["sr_ok"].sum())
    rule_ok = int(results["rule_ok"].sum())
    listed = results[results["list_ok"].notna()]
    list_ok = int(listed["list_ok"].astype(bool).sum())
    bad_sr = results[~results["sr_ok"].astype(bool)]
    bad_list = listed[~listed["list_ok"].astype(bool)]
    lines = [
        "# EU CRM 2023: reproduction of the published results table",
        "",
        "Generated by `tools/validate_eu_crm.py` from",
        "`../shared/methods/validation/eu_crm_2023_results.csv` (90 materials; transcription of",
        "the EC *Study on the critical raw materials for the EU 2023*, doi:10.2873/725585, via",
        "meyerdata/CritMAT @0bd8977). Do not edit by hand; regenerate with",
        "",
        "```",
        ".venv/bin/python tools/validate_eu_crm.py",
        "```",
        "",
        "## Summary",
        "",
        "| check | rows | reproduced |",
        "|---|---|---|",
        f"| material SR = SR of the bottleneck stage = max(SR_E, SR_P), at published rounding "
        f"| {n} | {sr_ok} |",
        f"| criticality rule SR ≥ {SR_THRESHOLD} and EI ≥ {EI_THRESHOLD} vs the file's threshold "
        f"column | {n} | {rule_ok} |",
        f"| criticality rule vs the official 2023 CRM list (cbs.nl; group members n/a) "
        f"| {len(listed)} | {list_ok} |",
        f"| stage SR from HHI_GS, HHI_EU, IR, EOL_RIR, SI_SR | {n} | 0 — not recomputable: the "
        "file gives IR, EOL_RIR and SI_SR but not the governance-weighted HHIs (HHI_WGI,t of "
        "global supply and EU sourcing); see the implied intervals below |",
        "",
        "## Rows that do not reproduce",
        "",
        "| material | check | reason |",
        "|---|---|---|",
    ]
    for _, r in bad_sr.iterrows():
        lines.append(f"| {r['material']} | material SR | {r['reasons']} |")
    for _, r in bad_list.iterrows():
        lines.append(
            f"| {r['material']} | official list | rule gives critical={r['critical']} "
            f"(SR {r['SR']}, EI {r['EI']}); official list says {r['official']}: the EC lists "
            "it as a strategic, not a critical, raw material (methods/01 §1.3) |"
        )
    lines += [
        "",
        "## Every row",
        "",
        "SR_E, SR_P: published stage SRs; *recomputed*: `material_supply_risk(SR_E, SR_P)`;",
        "*critical*: `is_critical(SR, EI)`; HHI_E, HHI_P: the HHI_WGI,t interval the published",
        "(rounded) stage SR implies, `SR / ((1 − EOL_RIR) · SI_SR)`; for a stage with both",
        "sourcing pictures it is the IR-weighted blend `HHI_GS·IR/2 + HHI_EU·(1 − IR/2)`.",
        "",
        "| material | SR | EI | SR_E | SR_P | bottleneck | recomputed | SR ✓ | critical | rule ✓ "
        "| official | list ✓ | HHI_E | HHI_P |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for _, r in results.iterrows():
        lines.append(
            f"| {r['material']} | {r['SR']} | {r['EI']} | {r['SR_E'] or '—'} | "
            f"{r['SR_P'] or '—'} | {r['bottleneck']} | {r['SR_recomputed']} | {mark(r['sr_ok'])} "
            f"| {r['critical']} | {mark(r['rule_ok'])} | {r['official']} | {mark(r['list_ok'])} "
            f"| {r['HHI_E']} | {r['HHI_P']} |"
        )
    return "\n".join(lines) + "\n"


def validate(path: Path = RESULTS_CSV) -> pd.DataFrame:
    """Return one row of check results per material of the published table."""
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    return pd.DataFrame([check_row(r) for _, r in table.iterrows()])


def main(argv: list[str] | None = None) -> int:
    """Write (or with ``--check`` compare) the validation page."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the page is out of date")
    args = parser.parse_args(argv)
    results = validate()
    page = render(results)
    if args.check:
        current = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
        if current != page:
            log.error("%s is out of date; run tools/validate_eu_crm.py", OUT)
            return 1
        log.info("%s is up to date", OUT)
        return 0
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(page, encoding="utf-8")
    log.info(
        "material SR reproduced for %d/%d rows; rule agrees for %d; wrote %s",
        int(results["sr_ok"].sum()),
        len(results),
        int(results["rule_ok"].sum()),
        OUT,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
