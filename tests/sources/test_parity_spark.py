"""The same ingest on Spark: identical ledger, rejects and warehouse tables (one Spark test; they are slow).

The dirty fixture partnership exercises every rule, including the cross-row rules (orphans,
duplicates) and the classification that run in the engine. The DuckDB ingest of the same
files (``dirty_run``) is the reference; on Spark the warehouse is Parquet under
``<workspace>/spark/<run>/`` and ``open_warehouse(..., engine="spark")`` reads it.
"""

from __future__ import annotations

import pandas as pd
import pytest

from .conftest import copy_fixtures, run_ingest

pytestmark = pytest.mark.spark


def _value(v: object) -> object:
    """One representation for both engines: dates and times as naive timestamps, missing as None."""
    import datetime as dt

    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return None
    if isinstance(v, dt.date):
        ts = pd.Timestamp(v)
        return ts.tz_convert(None) if ts.tzinfo is not None else ts
    return v.item() if hasattr(v, "item") else v


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.astype(object).map(_value)
    return frame.sort_values(list(frame.columns), key=lambda s: s.astype(str)).reset_index(drop=True)


def test_ingest_on_spark_gives_the_duckdb_ledger_and_tables(dirty_run, tmp_path):
    import duckdb
    import pyarrow.parquet as pq

    from svsna.engine import open_warehouse
    from svsna.engine.state import check_warehouse

    _, duck = dirty_run
    folder = copy_fixtures(tmp_path)
    spark = run_ingest(folder, "area_dirty.yaml", engine="spark")
    assert spark.tables == duck.tables
    pd.testing.assert_frame_equal(spark.ledger, duck.ledger)
    assert spark.rejects_path.read_bytes() == duck.rejects_path.read_bytes()
    assert spark.ledger_path.read_bytes() == duck.ledger_path.read_bytes()
    version = spark.warehouse_path
    con = duckdb.connect(str(duck.warehouse_path), read_only=True)
    try:
        for name in duck.tables:
            want = con.execute(f'SELECT * FROM "{name}"').fetch_arrow_table().to_pandas()
            got = pq.read_table(version / f"{name}.parquet").to_pandas()
            assert list(got.columns) == list(want.columns), name
            pd.testing.assert_frame_equal(_sorted(got), _sorted(want), check_dtype=False, obj=name)
    finally:
        con.close()
    assert check_warehouse(spark.workspace, "spark").run_id == spark.run.run_id
    wh = open_warehouse(spark.workspace, engine="spark")
    assert wh.execute(wh.table("offences").count()) == duck.tables["offences"]
    # the schemas open_warehouse gives Spark (read from the Parquet footers) are the ones Spark infers
    session = wh.con._session
    for name in duck.tables:
        inferred = session.read.parquet(str(version / f"{name}.parquet")).schema
        assert session.table(name).schema == inferred, name
