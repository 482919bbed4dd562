"""Time `build_reports` on the report test fixture (tests/outputs/fixtures).

Run:  uv run python bench/report_bench.py [--no-pdf]

Recorded results (2-core VM, other jobs idle, warm file cache):

- fixture (1,017 indicator rows, 15 findings, real LLR LSOA boundaries), HTML + PDF,
  both editions: 11.5 s wall for build_reports (2026-11-24, load average 3).
- synthetic demo at scale 0.3 (11,254 indicator rows, 717 findings) through
  `svsna report`: 36 s wall including imports (2026-11-24, integration clone of
  stats+ingest+synth+analyses+health+report).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    from tests.outputs.conftest import FIXTURES, SHARED_LSOA, fixture_config

    t0 = time.perf_counter()
    from svsna.outputs import build_reports

    import_s = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as out:
        t1 = time.perf_counter()
        build_reports(
            FIXTURES / "indicators.csv",
            FIXTURES / "findings.json",
            config=fixture_config(),
            ledger=FIXTURES / "ledger.csv",
            out_dir=out,
            boundaries=SHARED_LSOA if SHARED_LSOA.exists() else None,
            pdf="--no-pdf" not in sys.argv,
        )
        build_s = time.perf_counter() - t1
    print(f"imports {import_s:.1f} s; build_reports {build_s:.1f} s")


if __name__ == "__main__":
    main()
