"""Benchmark ``svsna.synth.generate``: wall time and peak memory at several scales.

Each scale runs in a fresh subprocess so its peak resident set size (RSS) is its own.

Usage::

    uv run python bench/synth_scale.py 1 10          # scales to run (default: 1 10)
    uv run python bench/synth_scale.py 100 --keep    # keep the output folders

Results are printed as a Markdown table (paste into bench/results/synth.md).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = r"""
import json, resource, sys, time
t0 = time.perf_counter(); c0 = time.process_time()
from svsna.synth import generate
t1 = time.perf_counter()
m = generate(sys.argv[1], scale=float(sys.argv[2]))
t2 = time.perf_counter()
rows = {k: v["rows"] for k, v in m.files.items()}
print(json.dumps({"import_s": t1 - t0, "generate_s": t2 - t1, "cpu_s": time.process_time() - c0,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "rows": rows}))
"""


def run(scale: float, keep: bool) -> dict:
    out = Path(tempfile.mkdtemp(prefix=f"synth_x{scale:g}_"))
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(out), str(scale)], capture_output=True, text=True, check=True
    )
    wall = time.perf_counter() - t0
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    res["wall_s"] = wall
    res["disk_mb"] = sum(p.stat().st_size for p in out.iterdir()) / 1e6
    res["scale"] = scale
    if not keep:
        shutil.rmtree(out)
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scales", nargs="*", type=float, default=[1.0, 10.0])
    ap.add_argument("--keep", action="store_true", help="keep the generated folders")
    args = ap.parse_args()
    print("| scale | event rows | generate (s) | CPU (s) | wall incl. start-up (s) | peak RSS (MB) | disk (MB) |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for s in args.scales:
        r = run(s, args.keep)
        events = sum(
            r["rows"][k] for k in ("offences", "victims", "suspects", "ae_attendances", "admissions", "ambulance")
        )
        print(
            f"| {s:g} | {events:,} | {r['generate_s']:.1f} | {r['cpu_s']:.1f} | {r['wall_s']:.1f} | "
            f"{r['peak_rss_mb']:.0f} | {r['disk_mb']:.0f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
