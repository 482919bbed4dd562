"""Benchmark: ingest + assessment of all 35 Leicestershire months (301,838 rows).

Run from the repository root::

    uv run python bench/opendata_bench.py [--data ../shared/data] [--repeat 3]

Prints the import time, then for each repeat the wall time of ``run_opendata`` (read the 35
gzipped street files, load the warehouse, ledger, all five sections for FY2020/21 and
FY2021/22, write the CSV/Parquet/JSON outputs; no workbook, no HTML/PDF). Target: under 20 s. Record results in
``bench/results/opendata.md``.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import tempfile
import time
from pathlib import Path


def main() -> None:
    repo = Path(__file__).resolve().parents[1]
    default = os.environ.get("SVSNA_SHARED_DATA", str(repo / ".." / "shared" / "data"))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=default)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    t0 = time.perf_counter()
    from svsna.opendata.assessment import run_opendata

    import_s = time.perf_counter() - t0
    print(f"python {platform.python_version()}, {os.cpu_count()} cores; import {import_s:.1f} s")
    print(f"load average at start: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    for i in range(args.repeat):
        with tempfile.TemporaryDirectory() as d:
            t = time.perf_counter()
            r0 = resource.getrusage(resource.RUSAGE_SELF)
            res = run_opendata(args.data, "leicestershire", [2020, 2021], d, build_report=False, workbook=False)
            r1 = resource.getrusage(resource.RUSAGE_SELF)
            wall = time.perf_counter() - t
        cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
        print(
            f"run {i + 1}: wall {wall:.1f} s, cpu {cpu:.1f} s  "
            f"rows read {res.load.read:,}, loaded {res.load.loaded:,}, "
            f"{len(res.load.files)} files, {len(res.indicators):,} indicator rows, {len(res.findings)} findings"
        )
    with tempfile.TemporaryDirectory() as d:
        t = time.perf_counter()
        run_opendata(args.data, "leicestershire", [2020, 2021], d, build_report=False, workbook=True)
        print(f"with the opendata-tables.xlsx workbook: wall {time.perf_counter() - t:.1f} s")


if __name__ == "__main__":
    main()
