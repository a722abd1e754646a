"""Benchmark: the full dataset build, against a plain read of the same source files.

Prints, in one run: the build's wall time (every reader, name resolution, reconciliation,
parquet writing), the time pandas needs just to *read* the same files (no parsing of
codes, no resolution), and the ratio.  Also the BACI share of the build.

    python benchmarks/bench_build.py [SOURCE_DIR]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from critmin.ingest.build import build_dataset, discover_sources

SOURCE = (
    Path(sys.argv[1])
    if len(sys.argv) > 1
    else Path(__file__).resolve().parents[2] / "shared" / "data"
)


def plain_read(files: dict[str, list[Path]]) -> float:
    t0 = time.perf_counter()
    for kind, paths in files.items():
        for p in paths:
            if p.is_dir():
                for f in p.glob("*.csv"):
                    pd.read_csv(f, dtype=str, encoding_errors="replace")
            elif p.suffix == ".xlsx":
                pd.read_excel(p, sheet_name=None, header=None)
            else:
                enc = "cp1252" if kind == "mcs_commodities" else "utf-8"
                pd.read_csv(p, dtype=str, encoding=enc, encoding_errors="replace")
    return time.perf_counter() - t0


def main() -> None:
    files = discover_sources(SOURCE)
    steps: dict[str, float] = {}
    last = [time.perf_counter(), ""]

    def progress(name: str, i: int, n: int) -> None:
        now = time.perf_counter()
        if last[1]:
            steps[last[1]] = now - last[0]
        last[0], last[1] = now, name

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        manifest = build_dataset(SOURCE, Path(tmp) / "dataset", progress=progress)
        build = time.perf_counter() - t0
        steps[last[1]] = time.perf_counter() - last[0]
    read = plain_read(files)
    rows = sum(manifest["tables"].values())
    print(f"source folder        {SOURCE}")
    print(f"rows built           {rows:,} in {len(manifest['tables'])} tables")
    print(f"full build           {build:6.2f} s  ({rows / build:,.0f} rows/s)")
    print(f"plain pandas read    {read:6.2f} s  (same files, strings only, nothing resolved)")
    print(f"ratio build / read   {build / read:6.2f}")
    for name, sec in sorted(steps.items(), key=lambda kv: -kv[1])[:5]:
        print(f"  step {name:<38} {sec:6.2f} s")


if __name__ == "__main__":
    main()
