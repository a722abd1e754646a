"""Benchmark: critmin's BACI reader against a plain pandas.read_csv of the same file.

Reads the 1.26 M-row mineral extract (``baci_minerals/baci_hs92_minerals_1995_2024.csv.gz``)
once with :func:`critmin.ingest.baci.read_baci` (typed columns, ISO3, zero-padded HS6, line
numbers) and once with ``pandas.read_csv`` (default inference, nothing resolved), and prints
rows per second of each and their ratio.  One run each, no assertions.

Run: ``.venv/bin/python benchmarks/bench_baci_ingest.py [path]``; the default path is
``$CRITMIN_SHARED_DATA`` or ``../shared/data`` next to the repository.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pandas as pd

from critmin.ingest.baci import read_baci

REPO = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("CRITMIN_SHARED_DATA", REPO.parent / "shared" / "data"))
DEFAULT = DATA / "baci_minerals" / "baci_hs92_minerals_1995_2024.csv.gz"


def main(path: Path) -> None:
    path.read_bytes()  # warm the OS file cache so neither reader pays for the disk

    t0 = time.perf_counter()
    ours = read_baci(path)
    t_ours = time.perf_counter() - t0

    t0 = time.perf_counter()
    plain = pd.read_csv(path)
    t_pandas = time.perf_counter() - t0

    n = len(ours)
    print(f"file: {path} ({path.stat().st_size / 1e6:.1f} MB, {n:,} rows)")
    print(
        f"read_baci:       {t_ours:7.3f} s  {n / t_ours:12,.0f} rows/s  "
        f"{ours.memory_usage(deep=True).sum() / 1e6:7.1f} MB in memory"
    )
    print(
        f"pandas.read_csv: {t_pandas:7.3f} s  {len(plain) / t_pandas:12,.0f} rows/s  "
        f"{plain.memory_usage(deep=True).sum() / 1e6:7.1f} MB in memory"
    )
    print(f"ratio (read_baci rows/s / pandas rows/s): {t_pandas / t_ours:.2f}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT)
