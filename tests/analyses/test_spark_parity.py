"""DuckDB and Spark give identical indicator tables and findings for every police-data section
(one Spark session, the hand-built fixture of conftest.py)."""

from __future__ import annotations

import pandas as pd
import pytest

from svsna.analyses import run_assessment
from svsna.engine import open_warehouse

SECTIONS = ("extent", "nature", "timing", "nte", "geography", "people", "cohorts", "data_quality")


@pytest.mark.spark
def test_sections_match_between_duckdb_and_spark(tmp_path, build, make_cfg):
    cfg = make_cfg()
    duck = build(tmp_path)
    try:
        a = run_assessment(duck, cfg, sections=SECTIONS)
    finally:
        duck.close()
    spark = open_warehouse(tmp_path, engine="spark")
    # the schemas given to Spark (read from the exported Parquet footers) are the ones Spark infers
    session = spark.con._session
    exported = sorted((tmp_path / "parquet").glob("*.parquet"))
    assert exported
    for path in exported:
        assert session.table(path.stem).schema == session.read.parquet(str(path)).schema, path.stem
    b = run_assessment(spark, cfg, sections=SECTIONS)
    assert b.skipped == []
    pd.testing.assert_frame_equal(a.indicators, b.indicators, check_exact=True)
    assert [f.to_dict() for f in a.findings] == [f.to_dict() for f in b.findings]
