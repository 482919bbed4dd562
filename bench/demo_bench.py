"""Time `svsna demo` end to end (synth -> ingest -> assess -> report) in a fresh process.

Target: under 90 s on the 2-core reference machine. Each run appends a dated line to
bench/results/demo.md with the total and the time of each step.

Run:  uv run python bench/demo_bench.py [--no-pdf]
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results" / "demo.md"
HEADER = (
    "# `svsna demo` end to end\n\n"
    "Script: `bench/demo_bench.py` (a fresh `svsna demo` process in a temporary folder).\n"
    "Target: under 90 s on the 2-core reference machine. `load` is the 1-minute load average\n"
    "before the run (other jobs on the machine inflate wall time).\n\n"
    "| date (UTC) | load | total wall s | steps (s) | PDF |\n|---|---|---|---|---|\n"
)


def main(argv: list[str]) -> None:
    pdf = "--no-pdf" not in argv
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        cmd = ["svsna", "demo", "--out", str(Path(tmp) / "demo"), "-q"] + ([] if pdf else ["--no-pdf"])
        t = time.perf_counter()
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        total = time.perf_counter() - t
    steps = re.search(r"\((synth .*?)\)", out)
    step_text = steps.group(1) if steps else "?"
    when = f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M}"
    line = f"| {when} | {load:.1f} | {total:.1f} | {step_text} | {'yes' if pdf else 'no'} |\n"
    if not RESULTS.exists():
        RESULTS.write_text(HEADER, encoding="utf-8")
    with RESULTS.open("a", encoding="utf-8") as fh:
        fh.write(line)
    print(out)
    print(line.strip())


if __name__ == "__main__":
    main(sys.argv[1:])
