"""Benchmark of faults: SIGKILL ingest at every point, and fuzz the readers with many cases.

Usage::

    uv run python bench/ingest_faults.py [--fuzz 2000]

1. Copies the hand-built fixture partnership (tests/sources/fixtures, ten sources) to a
   scratch folder, ingests it, then kills ingest with SIGKILL at *every* point it reports
   (reading each file, the cross-row rules, each table, classification, rejects, run record,
   CSVs, the switch) with a recovering ingest after each kill, and checks after each kill
   that the warehouse is the old or the new state (recorded row counts), with nothing stray,
   that ``assess`` would refuse it until the switch, and that no scratch files remain.
2. Runs the reader fuzz of tests/sources/test_formats.py with ``--fuzz`` examples.

Prints "N kills, N survived" and the fuzz count, to record in bench/results/ingest.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fuzz", type=int, default=2000)
    args = parser.parse_args()
    os.environ.setdefault("SVSNA_PSEUDONYM_KEY", "test-key-0123456789-not-for-real-data")
    from svsna.pipeline.faults import kill_test

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "area"
        folder.mkdir()
        for p in (ROOT / "tests" / "sources" / "fixtures").iterdir():
            if p.is_file():
                shutil.copy(p, folder / p.name)

        def show(r) -> None:
            print(f"  {r.point}#{r.occurrence}: exit {r.exitcode}, {r.old_or_new}, consistent={r.consistent}, "
                  f"refused={r.refused}", flush=True)  # fmt: skip

        results, left = kill_test(folder / "area.yaml", 10_000, on_kill=show, as_of=dt.date(2022, 1, 1))
    survived = sum(r.survived for r in results)
    print(f"{len(results)} kills, {survived} survived; scratch files left after the final ingest: {len(left)}")
    env = dict(os.environ, SVSNA_FUZZ_EXAMPLES=str(args.fuzz))
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--hypothesis-seed=0",
         "tests/sources/test_formats.py::test_fuzz_readers_never_crash_and_every_record_is_accounted_for"],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    print(done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr[-500:])
    print(f"fuzz: {args.fuzz} generated files through the readers and the rules")


if __name__ == "__main__":
    main()
