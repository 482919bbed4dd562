"""Where an assessment's engine time goes: every query and cached table, timed and grouped by call site.

Wraps :meth:`svsna.engine.Warehouse.execute` and :meth:`AnalysisContext.materialise` for one in-process
``run_assessment`` and prints, per call site (``section.py:line:function``), the number of queries,
their wall and CPU time, and the time ibis takes to compile them (compiled once more, outside the
timed execution). Cached tables are timed when they are built (on Spark they are built lazily by the
first query that reads them, so that query carries their cost). Nothing is recorded: use it to find
what to cut, then measure with ``bench/baselines.py`` or ``bench/spark_parity.py``.

Usage::

    uv run python bench/query_times.py AREA.yaml [SECTIONS|all] [--engine spark] [--out indicators.parquet]

On Spark the JVM's CPU time is shown too (the JVM runs the queries; Python's CPU time is only the
driver's side): on a shared machine it is the steadier measure of a query's cost.
"""

from __future__ import annotations

import argparse
import collections
import importlib
import os
import time
import traceback


def jvm_cpu() -> float:
    """CPU seconds (user + system) of the local Spark JVM so far; 0 when there is none."""
    from pyspark import SparkContext

    gateway = SparkContext._gateway
    proc = getattr(gateway, "proc", None) if gateway is not None else None
    if proc is None:
        return 0.0
    with open(f"/proc/{proc.pid}/stat", encoding="ascii") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("area")
    ap.add_argument("sections", nargs="?", default="all", help="comma-separated sections (default all)")
    ap.add_argument("--engine", default="duckdb")
    ap.add_argument("--out", help="write the indicator table here (Parquet), e.g. to compare two versions")
    args = ap.parse_args()

    import ibis

    import svsna.analyses
    from svsna.analyses import _base, run_assessment
    from svsna.config import load_area_config
    from svsna.engine import Warehouse, open_warehouse

    for s in svsna.analyses.SECTIONS:  # imports are not part of the timings
        importlib.import_module(f"svsna.analyses.{s}")
    log: list[tuple[str, str, float, float, float, float]] = []
    spark = args.engine == "spark"
    jcpu = jvm_cpu if spark else (lambda: 0.0)

    def site() -> str:
        frames = [f for f in traceback.extract_stack()[:-2] if "/svsna/analyses/" in f.filename]
        frames = [f for f in frames if not f.filename.endswith("_base.py")] or frames
        f = frames[-1] if frames else None
        return f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno}:{f.name}" if f else "?"

    execute = Warehouse.execute

    def timed_execute(self, expr):
        t = time.perf_counter()
        if self.engine == "duckdb":
            ibis.to_sql(expr)
        compiled = time.perf_counter() - t
        t, c, j = time.perf_counter(), time.process_time(), jcpu()
        out = execute(self, expr)
        log.append(("query", site(), time.perf_counter() - t, time.process_time() - c, jcpu() - j, compiled))
        return out

    materialise = _base.AnalysisContext.materialise

    def timed_materialise(self, key, build, *, shared=False):
        store = self.run.cache if shared else self._cache
        if key in store:
            return store[key]
        t, c, j = time.perf_counter(), time.process_time(), jcpu()
        out = materialise(self, key, build, shared=shared)
        name = key[0] if isinstance(key, tuple) else key
        log.append(("cache", str(name), time.perf_counter() - t, time.process_time() - c, jcpu() - j, 0.0))
        return out

    Warehouse.execute = timed_execute
    _base.AnalysisContext.materialise = timed_materialise
    cfg = load_area_config(args.area)
    t, c = time.perf_counter(), time.process_time()
    wh = open_warehouse(cfg.workspace_dir, engine=args.engine, read_only=args.engine == "duckdb")
    j0 = jcpu()
    opened = time.perf_counter() - t, time.process_time() - c
    print(f"open_warehouse: {opened[0]:.2f} s wall, {opened[1]:.2f} s CPU, JVM {j0:.2f} s CPU")
    sections = None if args.sections == "all" else args.sections.split(",")
    t, c = time.perf_counter(), time.process_time()
    try:
        res = run_assessment(wh, cfg, sections=sections, boundaries=cfg.boundaries_path)
    finally:
        wh.close()
    wall, cpu, jvm = time.perf_counter() - t, time.process_time() - c, jcpu() - j0
    queries = sum(1 for k in log if k[0] == "query")
    cached = sum(1 for k in log if k[0] == "cache")
    print(f"run_assessment: {wall:.2f} s wall, {cpu:.2f} s CPU, JVM {jvm:.2f} s CPU; {len(res.indicators):,} rows")
    print(f"load average {os.getloadavg()[0]:.1f}")
    print(f"{queries} queries, {cached} cached tables (cached-table times include tables built inside them)")
    by: dict[tuple[str, str], list[float]] = collections.defaultdict(lambda: [0, 0.0, 0.0, 0.0, 0.0])
    for kind, where, w, cp, jv, comp in log:
        a = by[(kind, where)]
        a[0] += 1
        a[1] += w
        a[2] += cp
        a[3] += jv
        a[4] += comp
    print(f"{'kind':6s} {'where':58s} {'n':>3s} {'wall s':>8s} {'CPU s':>8s} {'JVM s':>8s} {'compile s':>10s}")
    for (kind, where), (n, w, cp, jv, comp) in sorted(by.items(), key=lambda kv: -kv[1][1]):
        print(f"{kind:6s} {where[:58]:58s} {n:3d} {w:8.2f} {cp:8.2f} {jv:8.2f} {comp:10.3f}")
    print("slowest sections:")
    for k, v in sorted(res.timings.items(), key=lambda kv: -kv[1])[:15]:
        print(f"  {k:40s} {v:6.2f} s")
    if args.out:
        res.indicators.to_parquet(args.out)


if __name__ == "__main__":
    main()
