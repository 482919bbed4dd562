"""Ingest one partnership's files on DuckDB and on Spark (local mode) and compare every output.

The test suite checks Spark ingest on the small dirty fixture partnership (every rule fires there);
this script does it at full size, e.g. on the demo's files: the same extracts are ingested into two
fresh workspaces with one pseudonym key and one extract date, and the ledgers, the rejects and every
warehouse table must be identical (tables compared as multisets of rows in DuckDB, the Spark run's
Parquet against the DuckDB warehouse, both ways). Times are wall and CPU (the JVM's included).
The outcome is appended to bench/results/spark_parity.md.

Run:  uv run svsna synth --out /tmp/demo-data          (the demo's files: scale 1, the demo seed)
      uv run python bench/spark_ingest_parity.py /tmp/demo-data/area.yaml
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results" / "spark_parity.md"
KEY = "bench-spark-ingest-parity-key-0123456789abcdef"  # any fixed key: both runs must share it
AS_OF = dt.date(2021, 10, 31)


def _copy_inputs(area: Path, dest: Path) -> Path:
    """The area's folder without its workspace and outputs (a fresh partnership folder)."""
    shutil.copytree(area.parent, dest, ignore=shutil.ignore_patterns("workspace", "output", ".bench-*"))
    return dest / area.name


def _ingest(area: Path, engine: str):
    from svsna.config import load_area_config
    from svsna.pipeline.ingest import ingest

    return ingest(load_area_config(area), progress=False, as_of=AS_OF, engine=engine)


def _table_differences(con, duck_table: str, parquet: Path) -> tuple[int, int]:
    """Rows of the DuckDB table missing from the Parquet file, and the other way round (multisets)."""
    a = f'SELECT * FROM "{duck_table}"'
    b = f"SELECT * FROM read_parquet('{parquet}')"
    only_duck = con.execute(f"SELECT count(*) FROM ({a} EXCEPT ALL {b})").fetchone()[0]
    only_spark = con.execute(f"SELECT count(*) FROM ({b} EXCEPT ALL {a})").fetchone()[0]
    return int(only_duck), int(only_spark)


def main(argv: list[str]) -> int:
    import duckdb
    import pandas as pd

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import _harness as H
    from query_times import jvm_cpu

    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ["SVSNA_PSEUDONYM_KEY"] = KEY
    area = Path(argv[0]).resolve()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="svsna-spark-ingest-") as tmp:
        runs, times = {}, {}
        for engine in ("duckdb", "spark"):
            copy = _copy_inputs(area, Path(tmp) / engine)
            t, c = time.perf_counter(), time.process_time()
            runs[engine] = _ingest(copy, engine)
            times[engine] = (time.perf_counter() - t, time.process_time() - c)
        c_jvm = jvm_cpu()
        duck, spark = runs["duckdb"], runs["spark"]
        problems: list[str] = []
        if spark.tables != duck.tables:
            problems.append(f"row counts differ: {spark.tables} against {duck.tables}")
        try:
            pd.testing.assert_frame_equal(spark.ledger, duck.ledger)
        except AssertionError as exc:
            problems.append(f"ledgers differ: {str(exc).splitlines()[0]}")
        for what in ("ledger_path", "rejects_path"):
            if getattr(spark, what).read_bytes() != getattr(duck, what).read_bytes():
                problems.append(f"{getattr(duck, what).name} differs byte for byte")
        con = duckdb.connect(str(duck.warehouse_path), read_only=True)
        rows = 0
        try:
            for name, n in sorted(duck.tables.items()):
                rows += n
                only_duck, only_spark = _table_differences(con, name, spark.warehouse_path / f"{name}.parquet")
                if only_duck or only_spark:
                    problems.append(f"{name}: {only_duck} rows only on DuckDB, {only_spark} only on Spark")
        finally:
            con.close()
    (w_duck, c_duck), (w_spark, c_spark) = times["duckdb"], times["spark"]
    outcome = "identical" if not problems else "DIFFERENT: " + "; ".join(problems)
    rejected = int(duck.ledger.loc[duck.ledger["outcome"] == "rejected", "rows"].sum())
    block = (
        f"## {H.now()}: ingest on DuckDB and on Spark, {area}\n\n"
        f"- command: `{H.command_line()}`\n"
        f"- code: {H.git_commit()}; {H.versions('duckdb', 'pyspark', 'ibis-framework')}\n"
        f"- machine: {H.machine()}; load {load_before:.1f} -> {os.getloadavg()[0]:.1f}\n"
        f"- extract date {AS_OF}, one pseudonym key for both runs\n\n"
        "| tables | warehouse rows | rows rejected | DuckDB wall / CPU | Spark wall / CPU (JVM) | outcome |\n"
        "|---:|---:|---:|---:|---:|---|\n"
        f"| {len(duck.tables)} | {rows:,} | {rejected:,} | {w_duck:.1f} s / {c_duck:.1f} s | "
        f"{w_spark:.1f} s / {c_spark + c_jvm:.1f} s ({c_jvm:.1f}) | {outcome} |\n"
    )
    H.append_result(RESULTS, "# Whole assessment: DuckDB vs Spark (local mode)", block)
    print(block)
    return 0 if not problems else 1


if __name__ == "__main__":
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    raise SystemExit(main(sys.argv[1:]))
