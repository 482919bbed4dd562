"""Benchmark: the whole assessment (`svsna.analyses.run_assessment`) on the default synthetic partnership.

Target: under 30 s on DuckDB for the default synthetic partnership (2 cores).

Usage::

    uv run python bench/assess_bench.py [scale] [--keep DIR]

It generates the partnership with ``svsna.synth.generate`` (seed fixed), ingests it with
``svsna.pipeline.ingest.ingest`` (demo pseudonymisation key), then times one full
``run_assessment`` per engine requested (``--spark`` adds the Spark engine) and prints the
time of every section. Needs the ``synth`` and ``ingest`` code on the path (both merged
into main). Results are recorded in bench/results/assess.md.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main(argv: list[str]) -> None:
    try:  # the pipeline package on main; the ingest branch had it under svsna.sources
        from svsna.pipeline.ingest import ingest
    except ModuleNotFoundError:
        from svsna.pipeline.ingest import ingest
    from svsna.analyses import run_assessment
    from svsna.config import load_area_config
    from svsna.engine import open_warehouse
    from svsna.synth.generator import generate

    scale = float(argv[0]) if argv and not argv[0].startswith("--") else 1.0
    keep = Path(argv[argv.index("--keep") + 1]) if "--keep" in argv else None
    folder = keep or Path(tempfile.mkdtemp(prefix="svsna-assess-bench-"))
    area = folder / "area.yaml"
    if not (folder / "workspace" / "warehouse.duckdb").exists():
        t = time.perf_counter()
        generate(folder, scale=scale)
        print(f"synth: {time.perf_counter() - t:.1f} s")
        t = time.perf_counter()
        ingest(load_area_config(area), demo=True, progress=False)
        print(f"ingest: {time.perf_counter() - t:.1f} s")
    config = load_area_config(area)
    engines = ["duckdb", "spark"] if "--spark" in argv else ["duckdb"]
    for engine in engines:
        wh = open_warehouse(config.workspace_dir, engine=engine, read_only=engine == "duckdb")
        n = wh.execute(wh.table("offences").count())
        t, c = time.perf_counter(), _cpu()
        result = run_assessment(wh, config, boundaries=config.boundaries_path)
        total, cpu = time.perf_counter() - t, _cpu() - c
        wh.close()
        print(
            f"\n{engine}: {n:,} offences; assessment {total:.1f} s wall, {cpu:.1f} s CPU; "
            f"{len(result.indicators):,} rows, {len(result.findings):,} findings; skipped {len(result.skipped)}"
        )
        for k, v in sorted(result.timings.items(), key=lambda kv: -kv[1]):
            print(f"  {k:40s} {v:6.2f} s")
    print(f"\nworkspace: {folder}")


if __name__ == "__main__":
    main(sys.argv[1:])
