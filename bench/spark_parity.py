"""Run the whole assessment on DuckDB and on Spark (local mode) and compare the results.

The test suite keeps its Spark parity checks small (a Spark query costs seconds); this script
runs every section on a full warehouse, e.g. the demo's, and appends the outcome to
bench/results/spark_parity.md.

Run:  uv run svsna demo --out /tmp/demo --no-pdf -q
      uv run python bench/spark_parity.py /tmp/demo/data/area.yaml
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from pathlib import Path

import pandas as pd

RESULTS = Path(__file__).resolve().parent / "results" / "spark_parity.md"
KEY = ["section", "indicator", "period", "area", "breakdown", "breakdown_value", "definition"]


def main(area: str) -> None:
    from svsna.analyses import run_assessment
    from svsna.config import load_area_config
    from svsna.engine import open_warehouse

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import _harness as H
    from query_times import jvm_cpu

    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    load_before = os.getloadavg()[0]
    cfg = load_area_config(area)
    t, c = time.perf_counter(), time.process_time()
    duck = open_warehouse(cfg.workspace_dir, read_only=True)
    a = run_assessment(duck, cfg, boundaries=cfg.boundaries_path)
    duck.close()
    t_duck, c_duck = time.perf_counter() - t, time.process_time() - c  # DuckDB's threads are in the process
    t, c = time.perf_counter(), time.process_time()
    b = run_assessment(open_warehouse(cfg.workspace_dir, engine="spark"), cfg, boundaries=cfg.boundaries_path)
    t_spark, c_spark, c_jvm = time.perf_counter() - t, time.process_time() - c, jvm_cpu()  # the JVM's whole life
    left = a.indicators.sort_values(KEY).reset_index(drop=True)
    right = b.indicators.sort_values(KEY).reset_index(drop=True)
    pd.testing.assert_frame_equal(left, right, check_exact=False, rtol=1e-9)
    fa = [(f.section, f.key, f.text, f.definition) for f in a.findings]
    fb = [(f.section, f.key, f.text, f.definition) for f in b.findings]
    assert fa == fb, "findings differ between DuckDB and Spark"
    line = (
        f"| {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} | {len(left):,} | {len(fa):,} | "
        f"{len(set(left.section))} | {t_duck:.1f} | {t_spark:.1f} | identical (Spark/DuckDB {t_spark / t_duck:.1f}x; "
        f"CPU DuckDB {c_duck:.1f} s, Spark {c_spark + c_jvm:.1f} s (JVM {c_jvm:.1f}), "
        f"{(c_spark + c_jvm) / c_duck:.1f}x; load {load_before:.1f} -> {os.getloadavg()[0]:.1f}, "
        f"probe {H.speed_probe():.2f} s; area {area}; "
        f"code {H.git_commit()}) |\n"
    )
    if not RESULTS.exists():
        RESULTS.write_text(
            "# Whole assessment: DuckDB vs Spark (local mode)\n\n"
            "| date (UTC) | indicator rows | findings | sections with rows | DuckDB s | Spark s | result |\n"
            "|---|---|---|---|---|---|---|\n",
            encoding="utf-8",
        )
    RESULTS.write_text(add_row(RESULTS.read_text(encoding="utf-8"), line), encoding="utf-8")
    print(line.strip())


def add_row(text: str, line: str) -> str:
    r"""The results file ``text`` with ``line`` as the last row of its whole-assessment table (the
    first table; the notes and the ingest results below it stay where they are).

    >>> add_row("# t\n\n| date (UTC) | indicator rows |\n|---|---|\n| a | 1 |\n\nnote\n", "| b | 2 |\n")
    '# t\n\n| date (UTC) | indicator rows |\n|---|---|\n| a | 1 |\n| b | 2 |\n\nnote\n'
    """
    lines = text.splitlines(keepends=True)
    end = next(i for i, row in enumerate(lines) if row.startswith("| date (UTC) | indicator rows"))
    while end + 1 < len(lines) and lines[end + 1].startswith("|"):
        end += 1
    lines.insert(end + 1, line)
    return "".join(lines)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "svsna-demo/data/area.yaml")
