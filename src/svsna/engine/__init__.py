"""The engine layer: the only place in svsna that names a backend.

A :class:`Warehouse` is a workspace's tables behind an Ibis connection. Analyses ask
it for tables (``wh.table("offences")``), build Ibis expressions and call
``wh.execute(expr)`` to get a small pandas result. The default engine is DuckDB (one
``warehouse.duckdb`` file per workspace); ``engine="spark"`` runs the same expressions
on PySpark (local mode here, a cluster in deployment), reading the same tables
exported as Parquet.

Examples
--------
>>> import tempfile, pandas as pd
>>> with tempfile.TemporaryDirectory() as d:
...     wh = open_warehouse(d)
...     wh.write_table("t", pd.DataFrame({"a": [1, 2, 2]}))
...     t = wh.table("t")
...     int(wh.execute(t.count()))
3
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from svsna.engine.state import check_warehouse
from svsna.errors import ConfigError, MissingInputError, UsageError

if TYPE_CHECKING:
    import ibis
    import pandas as pd

__all__ = ["ENGINES", "Warehouse", "check_warehouse", "open_warehouse", "spark_session"]

Engine = Literal["duckdb", "spark"]
ENGINES: tuple[str, ...] = ("duckdb", "spark")
WAREHOUSE_FILE = "warehouse.duckdb"


class Warehouse:
    """A workspace's tables behind one Ibis connection."""

    def __init__(self, con: Any, engine: str, workspace: Path) -> None:
        self.con = con
        self.engine = engine
        self.workspace = workspace

    def __repr__(self) -> str:
        return f"Warehouse(engine={self.engine!r}, workspace={str(self.workspace)!r})"

    def list_tables(self) -> list[str]:
        return sorted(self.con.list_tables())

    def has_table(self, name: str) -> bool:
        return name in self.con.list_tables()

    def table(self, name: str) -> ibis.Table:
        """The warehouse table ``name`` as an Ibis table expression."""
        if not self.has_table(name):
            raise MissingInputError(
                f"warehouse table {name!r} does not exist in {self.workspace} "
                f"(has: {', '.join(self.list_tables()) or 'nothing'}); hint: run `svsna ingest` first"
            )
        return self.con.table(name)

    def execute(self, expr: Any) -> Any:
        """Run an Ibis expression; tables come back as pandas, scalars as Python values."""
        import ibis.expr.types as ir

        if isinstance(expr, ir.Table):
            if any(t.is_geospatial() for t in expr.schema().types):
                return expr.to_pandas()
            with _plain_pandas():
                return expr.to_pandas()
        return expr.execute()

    def write_table(self, name: str, data: Any, overwrite: bool = True) -> None:
        """Create (or replace) table ``name`` from a pandas, polars or Arrow table."""
        if type(data).__module__.startswith("polars"):
            data = data.to_arrow()
        self.con.create_table(name, data, overwrite=overwrite)

    def close(self) -> None:
        if self.engine == "duckdb":
            self.con.disconnect()


@contextmanager
def _plain_pandas() -> Iterator[None]:
    """Ibis converts a result without geometry columns to plain pandas without importing geopandas.

    When geopandas is installed (svsna's maps need it), Ibis imports it on every conversion to
    look for geometry columns (``ibis.formats.pandas.geospatial_supported``): about 0.15 s of
    CPU in a run that never draws a map. :meth:`Warehouse.execute` knows from the expression's
    schema that there is no geometry, so it turns the look-up off for that conversion.
    """
    import ibis.formats.pandas as ibis_pandas

    global _plain_depth, _plain_before
    with _plain_lock:  # conversions in several threads: the first in sets the flag, the last out restores it
        if _plain_depth == 0:
            _plain_before = ibis_pandas.geospatial_supported
            ibis_pandas.geospatial_supported = False
        _plain_depth += 1
    try:
        yield
    finally:
        with _plain_lock:
            _plain_depth -= 1
            if _plain_depth == 0:
                ibis_pandas.geospatial_supported = _plain_before


_plain_lock = threading.Lock()
_plain_depth = 0
_plain_before = True


def open_warehouse(
    workspace: str | Path,
    engine: str = "duckdb",
    read_only: bool = False,
) -> Warehouse:
    """Open (or create) the warehouse of ``workspace`` on ``engine``.

    Parameters
    ----------
    workspace : path
        Folder holding ``warehouse.duckdb`` (created if absent for DuckDB).
    engine : {"duckdb", "spark"}
        Which backend runs the expressions.
    read_only : bool
        Open the DuckDB file read-only (DuckDB only).
    """
    workspace = Path(workspace)
    check_engine(engine)
    if engine == "duckdb":
        import ibis

        workspace.mkdir(parents=True, exist_ok=True)
        con = ibis.duckdb.connect(str(workspace / WAREHOUSE_FILE), read_only=read_only)
        con.raw_sql("SET enable_progress_bar = false")  # svsna shows its own progress; keep stdout clean
        # bounded memory at any scale: cached intermediate tables and large operators spill to
        # <workspace>/warehouse.duckdb.tmp beyond the limit instead of growing with the data
        con.raw_sql(f"SET memory_limit = '{duckdb_memory_limit()}'")
        return Warehouse(con, "duckdb", workspace)
    return _open_spark(workspace)


def duckdb_memory_limit() -> str:
    """DuckDB's memory limit for svsna's connections: ``SVSNA_DUCKDB_MEMORY`` (default ``2GB``).

    >>> duckdb_memory_limit() == os.environ.get("SVSNA_DUCKDB_MEMORY", "2GB")
    True
    """
    return os.environ.get("SVSNA_DUCKDB_MEMORY", "2GB")


def check_engine(engine: str) -> None:
    """Raise :class:`~svsna.errors.UsageError` (exit 2) for an engine svsna does not have."""
    if engine not in ENGINES:
        raise UsageError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")


def _open_spark(workspace: Path) -> Warehouse:
    """Spark reads the Parquet tables a Spark ingest wrote (``spark/CURRENT``), or else the DuckDB
    warehouse's tables, exported once to Parquet."""
    import ibis

    from svsna.engine.state import _spark_version_dir

    version = _spark_version_dir(workspace)
    if version is not None:
        con = ibis.pyspark.connect(spark_session())
        for table in sorted(version.glob("*.parquet")):
            _register_parquet(con, table, table.stem)
        return Warehouse(con, "spark", workspace)

    db = workspace / WAREHOUSE_FILE
    if not db.exists():
        raise MissingInputError(f"no warehouse at {db}; hint: run `svsna ingest` first")
    parquet_dir = workspace / "parquet"
    parquet_dir.mkdir(exist_ok=True)
    src = ibis.duckdb.connect(str(db), read_only=True)
    try:
        names = sorted(src.list_tables())
        stamp = db.stat().st_mtime
        for name in names:
            target = parquet_dir / f"{name}.parquet"
            if not target.exists() or target.stat().st_mtime < stamp:
                src.raw_sql(f"COPY \"{name}\" TO '{target}' (FORMAT PARQUET)")
    finally:
        src.disconnect()
    con = ibis.pyspark.connect(spark_session())
    for name in names:
        _register_parquet(con, parquet_dir / f"{name}.parquet", name)
    return Warehouse(con, "spark", workspace)


def _register_parquet(con: Any, path: Path, name: str) -> None:
    """Register the Parquet table at ``path`` (a file, or a folder of files) as Spark view ``name``.

    The schema is read from the Parquet footer with pyarrow and given to Spark, which then reads no
    file to infer it (inference runs a Spark job per table: most of the time it takes to open a
    warehouse). Timestamps without a time zone stay ``TIMESTAMP_NTZ``, as Spark infers them; a
    schema Spark cannot take from Arrow falls back to Spark's own inference.
    """
    import pyarrow.dataset as pads
    from pyspark.sql.pandas.types import from_arrow_schema

    reader = con._session.read
    try:
        schema = from_arrow_schema(pads.dataset(str(path), format="parquet").schema, prefer_timestamp_ntz=True)
    except (TypeError, ValueError, NotImplementedError):  # pragma: no cover - a type Spark maps differently
        schema = None
    frame = (reader.schema(schema) if schema is not None else reader).parquet(str(path))
    frame.createOrReplaceTempView(name)


@lru_cache(maxsize=1)
def spark_session() -> Any:
    """A local-mode SparkSession shared by the process (UTC, quiet, no UI)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ConfigError("the Spark engine needs PySpark: install it with `pip install 'svsna[spark]'`") from exc
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYARROW_IGNORE_TIMEZONE", "1")
    master = os.environ.get("SVSNA_SPARK_MASTER", "local[2]")
    builder = (
        SparkSession.builder.master(master)
        .appName("svsna")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.driver.memory", "2g")
    )
    if master.startswith("local"):
        for key, value in LOCAL_CONF.items():
            builder = builder.config(key, value)
    java = spark_java_options(master)
    if java:
        builder = builder.config("spark.driver.extraJavaOptions", java)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


#: Spark settings of a local-mode session, where an assessment is ~50 queries over tables of a few
#: hundred thousand rows on two cores: the fixed cost of each query stage (planning it, generating
#: and compiling its code, scheduling its tasks) outweighs its work, so stages are made fewer and
#: cheaper. Adaptive execution re-plans the rest of a query after every shuffle (it halved the JVM's
#: CPU time of the cohort histories when off); two shuffle partitions match the two cores; tables of
#: up to 64 MB are broadcast to joins instead of both sides being shuffled; generated classes are
#: named without their stage number so that identical code is compiled once, and kept for the whole
#: run (an assessment generates ~470 classes, ~60 of them again after the default cache of 100 had
#: dropped them).
LOCAL_CONF: dict[str, str] = {
    "spark.sql.adaptive.enabled": "false",
    "spark.sql.shuffle.partitions": "2",
    "spark.sql.autoBroadcastJoinThreshold": str(64 * 1024 * 1024),
    "spark.sql.codegen.useIdInClassName": "false",
    "spark.sql.codegen.cache.maxEntries": "1000",
}

#: JVM options of a local-mode Spark driver: the quick (C1) JIT compiler only, and the serial
#: garbage collector. An assessment is many short queries in a fresh JVM, which spends most of its
#: CPU compiling Spark's own code with the optimising compiler before that code pays back; C1 alone
#: halves the JVM's CPU time there. The default collector (G1) runs concurrent marking and
#: remembered-set threads beside the two task threads; on a heap of a couple of GB the serial
#: collector does the same work with 13-18% less of the JVM's CPU time over a whole assessment.
LOCAL_JAVA_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"


def spark_java_options(master: str, env: Mapping[str, str] = os.environ) -> str:
    """The driver's extra JVM options: ``SVSNA_SPARK_JAVA_OPTIONS`` when set (empty for none), else
    :data:`LOCAL_JAVA_OPTIONS` in local mode and nothing on a cluster.

    >>> spark_java_options("local[2]", env={}), spark_java_options("spark://host:7077", env={})
    ('-XX:TieredStopAtLevel=1 -XX:+UseSerialGC', '')
    >>> spark_java_options("local[2]", env={"SVSNA_SPARK_JAVA_OPTIONS": ""})
    ''
    """
    if "SVSNA_SPARK_JAVA_OPTIONS" in env:
        return env["SVSNA_SPARK_JAVA_OPTIONS"].strip()
    return LOCAL_JAVA_OPTIONS if master.startswith("local") else ""


def execute_to_pandas(wh: Warehouse, expr: Any) -> pd.DataFrame:
    """Execute a table expression and return pandas (alias kept for readability)."""
    return wh.execute(expr)
