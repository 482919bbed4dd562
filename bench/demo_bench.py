"""Time `svsna demo` end to end (synth -> ingest -> assess -> report) in a fresh process.

Target (issue 16): 60 s or less on the 2-core reference machine. Each run appends a dated line
to bench/results/demo.md with wall and CPU time (user + system of the process and the PDF
workers it waits for), peak RSS, the load average before -> after, the commit and the time of
each step as `svsna demo` reports it.

Run:  uv run python bench/demo_bench.py [--no-pdf]
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _harness as H

RESULTS = H.RESULTS / "demo.md"
HEADER = (
    "# `svsna demo` end to end\n\n"
    "Script: `bench/demo_bench.py` (a fresh `svsna demo` process in a temporary folder).\n"
    "Target: 60 s or less on the 2-core reference machine (issue 16). `load` is the 1-minute load\n"
    "average before -> after the run (other jobs on the machine inflate wall time; CPU time is the\n"
    "steadier figure). Since 2026-12-03 22:30 the load column also gives the machine's speed probe\n"
    "(`_harness.speed_probe`: CPU seconds of a fixed pure-Python loop; 0.82-1.27 s on the spells of\n"
    "2026-12-02/03 before then, 0.39 s on the 2026-12-03 evening machine): compare runs at similar probes.\n\n"
    "| date (UTC) | commit | load | wall s | CPU s | peak RSS | steps (s) | PDF |\n|---|---|---|---|---|---|---|---|\n"
)


def main(argv: list[str]) -> int:
    pdf = "--no-pdf" not in argv
    with tempfile.TemporaryDirectory() as tmp:
        cmd = H.svsna_cmd("demo", "--out", str(Path(tmp) / "demo"), "-q", *([] if pdf else ["--no-pdf"]))
        m = H.run_measured(cmd)
    if not m.ok:
        print(m.stdout, m.stderr, sep="\n")
        print(f"svsna demo failed: {m.killed or f'exit {m.returncode}'}", file=sys.stderr)
        return 1
    steps = re.search(r"\((synth .*?)\)", m.stdout)
    step_text = steps.group(1) if steps else "?"
    line = (
        f"| {H.now()} | {H.git_commit()} | {m.load_before:.1f} -> {m.load_after:.1f}, probe {H.speed_probe():.2f} s "
        f"| {m.wall:.1f} | {m.cpu:.1f} "
        f"| {H.fmt_bytes(m.peak_rss)} | {step_text} | {'yes' if pdf else 'no'} |"
    )
    if not RESULTS.exists():
        RESULTS.write_text(HEADER, encoding="utf-8")
    with RESULTS.open("a", encoding="utf-8") as fh:
        fh.write(line + "\n")
    print(m.stdout)
    print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
