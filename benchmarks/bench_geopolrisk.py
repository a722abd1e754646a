"""Benchmark: critmin's GeoPolRisk grid against geopolrisk-py 2.0.1, the published implementation.

What it does, in one run (no assertions):

1. **critmin full grid** -- every importer × material × year the dataset allows
   (``critmin.assessments.geopolrisk.geopolrisk_all()``), wall time INCLUDING data loading from
   the store (a fresh DuckDB store each repetition; the first repetition is reported as cold).
2. **geopolrisk-py** -- installed from PyPI (``geopolrisk-py==2.0.1``, GPL-3, never a critmin
   dependency) in its OWN virtualenv under ``.bench-venvs/geopolrisk`` (created with pip on
   first use; set ``CRITMIN_BENCH_VENVS`` to put it elsewhere), run in a subprocess with a
   throw-away ``HOME`` (it writes logs under ``~/Documents/geopolrisk``).  On its own shipped
   databases (``lib/baci.db``, ``lib/world_mining_data.db``, ``lib/wgi.db``: the BACI extract
   and WMD file are the ones critmin's dataset is built from, ../shared/data/PROVENANCE.md
   §10-11) it computes a random sample of the same assessments with its core functions
   ``HHI``, ``importrisk`` and ``GeoPolRisk``, timed one by one (its one-time loading of the
   databases and ``mapped_baci()`` is reported apart).
3. **values** -- the largest relative difference on the common sample (a) with the SAME inputs:
   critmin's ``geopolrisk_grid`` fed exactly what geopolrisk-py used (its production values
   truncated to integers as its ``HHI`` does, its trade rows, its normalised partner
   stability converted back to a PV estimate), and (b) critmin's own store-based grid, whose
   WGI is the 2024 release (data to 2023) while geopolrisk-py ships a later release (data to
   2024, with revised values from 2017 on): (b) differs through the stability weights only.

Targets: >= 1000x per assessment; full grid < 10 s; (a) equal to 1e-9 relative.

Run:  .venv/bin/python benchmarks/bench_geopolrisk.py [--sample 60] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

import critmin.store as store_module
from critmin.assessments.geopolrisk import geopolrisk_all, material_map
from critmin.criticality import geopolrisk_grid

REPO = Path(__file__).resolve().parents[1]
VENVS = Path(os.environ.get("CRITMIN_BENCH_VENVS", REPO / ".bench-venvs"))
PACKAGE = "geopolrisk-py==2.0.1"
FIELDS = ["hhi", "import_risk", "score", "cf", "numerator", "total_imports", "price"]

# Runs inside the geopolrisk-py virtualenv.  Reads {"assessments": [[iso3, ref_id, year]]} on
# stdin, writes results, timings and the exact inputs it used as JSON on stdout.
DRIVER = r"""
import io, json, sqlite3, sys, time, contextlib
t0 = time.perf_counter()
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    import geopolrisk
    from geopolrisk.assessment.database import databases
    from geopolrisk.assessment.core import HHI, importrisk, GeoPolRisk
    from geopolrisk.assessment.utils import mapped_baci, getProd
t_load = time.perf_counter() - t0
t0 = time.perf_counter()
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    data = mapped_baci()
t_map = time.perf_counter() - t0
req = json.load(sys.stdin)
lib = geopolrisk.__path__[0] + "/lib"
codes = dict(sqlite3.connect(lib + "/baci.db").execute(
    "SELECT country_iso3, country_code FROM country_codes_V202401b").fetchall())
known = set(databases.production["Country_ISO"]["ISO"].astype(int))
out, inputs_prod, inputs_trade = [], {}, []
for iso3, rm, year in req["assessments"]:
    code = int(codes[iso3]) if iso3 in codes else None
    if code is None or code not in known:
        out.append({"iso3": iso3, "rm": rm, "year": year, "error": "no country code"})
        continue
    t = time.perf_counter()
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            prod, hhi = HHI(rm, year, code)
            num, tot, price = importrisk(rm, year, code, data)
            score, cf, wta = GeoPolRisk(num, tot, price, prod, hhi)
    except Exception as exc:  # geopolrisk-py raises ValueError on missing data
        out.append({"iso3": iso3, "rm": rm, "year": year, "error": repr(exc)})
        continue
    dt = time.perf_counter() - t
    out.append({"iso3": iso3, "code": code, "rm": rm, "year": year, "seconds": dt,
                "hhi": hhi, "domestic_production": prod, "numerator": num,
                "total_imports": tot, "price": price, "import_risk": wta, "score": score,
                "cf": cf})
    key = f"{rm}|{year}"
    if key not in inputs_prod:
        p = getProd(rm).fillna(0)
        p = p[p["Country_Code"] != "DELETE"]
        inputs_prod[key] = [[int(c), str(i), float(v), str(u)] for c, i, v, u in zip(
            p["Country_Code"].astype(int), p["Country_ISO"], p[str(year)], p["unit"])]
    rows = data.query(f"period == {year} & reporterCode == {code} & rawMaterial == '{rm}'")
    for r in rows.itertuples(index=False):
        g = r.partnerWGI
        g = None if g is None or (isinstance(g, str) and g.strip() in ("NA", "")) else float(g)
        q = 0.0 if r.qty in (None, "NA", "", " ") else float(r.qty)
        v = 0.0 if r.cifvalue in (None, "NA", "", " ") else float(r.cifvalue)
        inputs_trade.append([code, int(r.partnerCode), rm, int(year), q, v, g, r.partnerISO])
json.dump({"load_seconds": t_load, "mapped_baci_seconds": t_map, "results": out,
           "production": inputs_prod, "trade": inputs_trade,
           "version": getattr(geopolrisk, "__version__", "2.0.1")}, sys.stdout)
"""


def _python_for_venv() -> str:
    """A Python 3.10/3.11 interpreter (geopolrisk-py 2.0.1 requires >=3.10,<3.12)."""
    if (3, 10) <= sys.version_info[:2] < (3, 12):
        return sys.executable
    for name in ("python3.11", "python3.10"):
        found = shutil.which(name)
        if found:
            return found
    raise SystemExit("geopolrisk-py 2.0.1 needs Python 3.10 or 3.11; none found on PATH")


def ensure_venv() -> Path:
    """Create ``.bench-venvs/geopolrisk`` with geopolrisk-py installed, if missing."""
    venv = VENVS / "geopolrisk"
    py = venv / "bin" / "python"
    if py.is_file():
        ok = subprocess.run(
            [str(py), "-c", "import importlib.metadata as m; print(m.version('geopolrisk-py'))"],
            capture_output=True,
            text=True,
        )
        if ok.returncode == 0 and ok.stdout.strip() == PACKAGE.split("==")[1]:
            return py
    print(f"creating {venv} and installing {PACKAGE} with pip (one time) ...", flush=True)
    subprocess.run([_python_for_venv(), "-m", "venv", "--clear", str(venv)], check=True)
    subprocess.run(
        [str(py), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", PACKAGE],
        check=True,
    )
    return py


def run_geopolrisk_py(py: Path, assessments: list[list[object]]) -> dict:
    """Run the sample in geopolrisk-py (subprocess, throw-away HOME); return its JSON."""
    with tempfile.TemporaryDirectory(prefix="gpr_home_") as home:
        env = dict(os.environ, HOME=home, PYTHONWARNINGS="ignore")
        t0 = time.perf_counter()
        proc = subprocess.run(
            [str(py), "-c", DRIVER],
            input=json.dumps({"assessments": assessments}),
            capture_output=True,
            text=True,
            env=env,
            cwd=home,
        )
        wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"geopolrisk-py failed:\n{proc.stderr[-3000:]}")
    out = json.loads(proc.stdout)
    out["subprocess_seconds"] = wall
    return out


def critmin_full_grid(repeats: int = 3) -> tuple[pd.DataFrame, list[float]]:
    """All importers × materials × years, timed with a fresh store (data loading included)."""
    times, df = [], pd.DataFrame()
    for _ in range(repeats):
        if store_module._STORE is not None:
            store_module._STORE.close()
        store_module._STORE = None
        t0 = time.perf_counter()
        df = geopolrisk_all()
        times.append(time.perf_counter() - t0)
    return df, times


def same_input_grid(ref: dict) -> tuple[pd.DataFrame, float]:
    """critmin's geopolrisk_grid on exactly geopolrisk-py's inputs (ids = BACI codes)."""
    prod_rows = []
    for key, rows in ref["production"].items():
        rm, year = key.split("|")
        seen: set[str] = set()
        for code, _iso, value, unit in rows:
            v = float(int(value))  # geopolrisk-py's HHI: proddf[year].astype(int)
            # a code listed twice (WMD gold: French Guiana filed as 328 = Guyana) counts twice
            # in geopolrisk-py's HHI and its first row is the domestic production: keep both
            cid = str(code) if str(code) not in seen else f"{code}#{len(seen)}"
            seen.add(cid)
            prod_rows.append((rm, int(year), cid, v / 1000.0 if unit == "kg" else v))
    production = pd.DataFrame(prod_rows, columns=["commodity_id", "year", "country_iso3", "value"])
    trade = pd.DataFrame(
        ref["trade"],
        columns=[
            "importer",
            "partner",
            "commodity_id",
            "year",
            "quantity_t",
            "value_kusd",
            "g",
            "iso3",
        ],
    )
    imports = (
        trade.assign(importer_iso3=trade["importer"].astype(str))
        .assign(exporter_iso3=trade["partner"].astype(str))
        .groupby(["importer_iso3", "exporter_iso3", "commodity_id", "year"], as_index=False)
        .agg(quantity_t=("quantity_t", "sum"), value_kusd=("value_kusd", "sum"), g=("g", "first"))
    )
    # geopolrisk-py stores the normalised g; 2.5 - 5 g is an estimate that normalises back to g
    stability = imports[["exporter_iso3", "year", "g"]].drop_duplicates(["exporter_iso3", "year"])
    stability = stability.rename(columns={"exporter_iso3": "country_iso3"})
    stability["estimate"] = 2.5 - 5.0 * stability["g"]
    t0 = time.perf_counter()
    grid = geopolrisk_grid(production, imports.drop(columns="g"), stability)
    return grid.reset_index(), time.perf_counter() - t0


def rel_diff(a: pd.Series, b: pd.Series) -> pd.Series:
    a, b = a.astype(float), b.astype(float)
    scale = np.maximum(np.abs(a), np.abs(b))
    with np.errstate(invalid="ignore", divide="ignore"):
        d = np.where(scale > 0, np.abs(a - b) / scale, 0.0)
    return pd.Series(np.where(np.isnan(a) & np.isnan(b), 0.0, d), index=a.index)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sample", type=int, default=60, help="assessments run in geopolrisk-py")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()

    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}"
    )
    grid, times = critmin_full_grid()
    n = len(grid)
    best = min(times)
    print("\n== critmin: full grid (all importers x materials x years, store loading included)")
    print(
        f"assessments: {n:,} ({grid['importer_iso3'].nunique()} importers x "
        f"{grid['commodity_id'].nunique()} materials x years {grid['year'].min()}-"
        f"{grid['year'].max()})"
    )
    print(
        f"wall time: cold {times[0]:.2f} s, best of {len(times)} {best:.2f} s  "
        f"(target < 10 s) -> {best / n * 1e6:.1f} us per assessment"
    )

    ref_ids = material_map().drop_duplicates("commodity_id").set_index("commodity_id")
    pool = grid[np.isfinite(grid["score"])].copy()
    pool["rm"] = pool["commodity_id"].map(ref_ids["reference_id"])
    sample = pool.dropna(subset=["rm"]).sample(min(args.sample, len(pool)), random_state=args.seed)
    assessments = [[r.importer_iso3, r.rm, int(r.year)] for r in sample.itertuples()]

    py = ensure_venv()
    print(f"\n== geopolrisk-py {PACKAGE.split('==')[1]} ({py.parent.parent}), subprocess")
    ref = run_geopolrisk_py(py, assessments)
    res = pd.DataFrame(ref["results"])
    ok = res[res.get("error").isna()] if "error" in res else res
    errors = res[res["error"].notna()] if "error" in res else res.iloc[0:0]
    per = float(ok["seconds"].mean())
    print(
        f"one-time: import + database loading {ref['load_seconds']:.1f} s, mapped_baci() "
        f"{ref['mapped_baci_seconds']:.1f} s; subprocess wall {ref['subprocess_seconds']:.1f} s"
    )
    print(
        f"sample: {len(ok)} assessments ({len(errors)} failed in geopolrisk-py); "
        f"per assessment mean {per * 1e3:.1f} ms, median {ok['seconds'].median() * 1e3:.1f} ms"
    )
    print(
        f"geopolrisk-py for the full grid at that rate: {per * n / 3600:.1f} h "
        f"(+ {ref['load_seconds'] + ref['mapped_baci_seconds']:.0f} s loading)"
    )

    print("\n== speed")
    ratio = per / (best / n)
    print(
        f"per assessment: geopolrisk-py {per * 1e3:.2f} ms / critmin {best / n * 1e6:.1f} us "
        f"= {ratio:,.0f}x  (target >= 1000x; critmin's time includes reading the store)"
    )

    print("\n== values on the common sample (largest relative difference)")
    same, t_same = same_input_grid(ref)
    ok = ok.assign(importer_code=ok["code"].astype(int).astype(str))
    a = ok.merge(
        same.rename(columns={"importer_iso3": "importer_code", "commodity_id": "rm"}),
        on=["importer_code", "rm", "year"],
        suffixes=("_gpr", "_critmin"),
    )
    print(
        f"(a) same inputs (critmin geopolrisk_grid on geopolrisk-py's inputs, "
        f"{len(a)} assessments, {t_same * 1e3:.0f} ms):"
    )
    for f in FIELDS:
        d = rel_diff(a[f"{f}_gpr"], a[f"{f}_critmin"])
        print(f"    {f:14s} {d.max():.2e}")
    b = ok.merge(
        grid.rename(columns={"importer_iso3": "iso3"}).assign(
            rm=lambda d: d["commodity_id"].map(ref_ids["reference_id"])
        ),
        on=["iso3", "rm", "year"],
        suffixes=("_gpr", "_critmin"),
    )
    print(
        f"(b) critmin's own store (WGI 2024 release) vs geopolrisk-py's databases "
        f"({len(b)} assessments):"
    )
    worst = {}
    for f in FIELDS:
        d = rel_diff(b[f"{f}_gpr"], b[f"{f}_critmin"])
        worst[f] = d
        print(f"    {f:14s} {d.max():.2e}  (median {d.median():.1e})")
    by_year = b.assign(d=worst["score"].to_numpy()).groupby(b["year"] == 2024)["d"].max()
    print(
        f"    score by year: 2018-2023 {by_year.get(False, float('nan')):.2e}, "
        f"2024 {by_year.get(True, float('nan')):.2e}"
    )
    # (c) the store-based orchestration with geopolrisk-py's partner stability
    trade = pd.DataFrame(
        ref["trade"],
        columns=["importer", "partner", "rm", "year", "q", "v", "g", "country_iso3"],
    )
    override = (
        trade.dropna(subset=["country_iso3"])
        .drop_duplicates(["country_iso3", "year"])
        .assign(estimate=lambda d: 2.5 - 5.0 * d["g"])[["country_iso3", "year", "estimate"]]
    )
    c_grid = geopolrisk_all(
        years=sorted(set(ok["year"])),
        importers=sorted(set(ok["iso3"])),
        stability=override,
    )
    c = ok.merge(
        c_grid.rename(columns={"importer_iso3": "iso3"}).assign(
            rm=lambda d: d["commodity_id"].map(ref_ids["reference_id"])
        ),
        on=["iso3", "rm", "year"],
        suffixes=("_gpr", "_critmin"),
    )
    print(
        f"(c) critmin's store-based orchestration (geopolrisk_all) with geopolrisk-py's partner "
        f"stability passed as stability= ({len(c)} assessments):"
    )
    for f in FIELDS:
        print(f"    {f:14s} {rel_diff(c[f'{f}_gpr'], c[f'{f}_critmin']).max():.2e}")
    hhi_trunc = worst["hhi"].max()
    print(
        "    why: BACI quantities/values and WMD production are the same files, so "
        "total_imports and price agree; hhi differs only by geopolrisk-py's integer truncation "
        f"of production ({hhi_trunc:.1e}); numerator, import_risk, score and cf differ through "
        "the partners' PV estimates: critmin's dataset has the WGI 2024 release (1996-2023, "
        "2024 trade uses the 2023 estimate), geopolrisk-py ships a later release whose "
        "estimates from 2017 on were revised."
    )
    if len(errors):
        print(
            f"geopolrisk-py errors: {errors[['iso3', 'rm', 'year', 'error']].head().to_dict('records')}"
        )


if __name__ == "__main__":
    main()
