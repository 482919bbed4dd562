"""Backend parity: the same Ibis queries on the ingested warehouse give the same answers on
DuckDB and on Spark (one local Spark session, a handful of queries)."""

from __future__ import annotations

import pandas as pd
import pytest

pytestmark = pytest.mark.spark


def _queries(wh):
    off = wh.table("offences")
    vic = wh.table("victims")
    dec = wh.table("offence_decisions")
    start = off.committed_from
    joined = vic.join(off, "offence_ref")
    return {
        "by_group": off.group_by("crime_group").agg(n=off.count()).order_by("crime_group"),
        "time_parts": off.select(
            "offence_ref",
            "hour",
            "weekday",
            "fin_year",
            "offence_date",
            "month_start",
            "committed_from",
            ibis_hour=start.hour(),
            ibis_weekday=start.day_of_week.index(),
            ibis_date=start.date(),
        ).order_by("offence_ref"),
        "join": joined.group_by("district_name")
        .agg(victims=joined.count(), people=joined.person_key.nunique())
        .order_by("district_name"),
        "decisions": dec.group_by(["definition", "included"]).agg(n=dec.count()).order_by(["definition", "included"]),
        "flags": off.agg(
            domestic=off.domestic_flag.sum(),
            public=off.public_place.sum(),
            knife_known=off.knife_flag.notnull().sum(),
        ),
    }


def test_duckdb_and_spark_agree(clean_run):
    from svsna.engine import open_warehouse

    _, result = clean_run
    duck = open_warehouse(result.workspace)
    try:
        expected = {k: duck.execute(q) for k, q in _queries(duck).items()}
    finally:
        duck.close()
    spark = open_warehouse(result.workspace, engine="spark")
    got = {k: spark.execute(q) for k, q in _queries(spark).items()}
    for name, want in expected.items():
        have = got[name]
        assert list(have.columns) == list(want.columns), name
        pd.testing.assert_frame_equal(
            have.reset_index(drop=True), want.reset_index(drop=True), check_dtype=False, obj=name
        )
    # The classifier itself is one Ibis expression: run on Spark it gives the decisions stored by DuckDB.
    from svsna.definitions.classifier import classify
    from svsna.definitions.definition import load_definitions

    on_spark = spark.execute(
        classify(spark.table("offences"), load_definitions(["llr_vrn", "llr_broadened"])).order_by(
            ["definition", "offence_ref"]
        )
    )
    stored = spark.execute(spark.table("offence_decisions").order_by(["definition", "offence_ref"]))
    pd.testing.assert_frame_equal(on_spark, stored, check_dtype=False)
    # Sanity against the fixture (by hand): Sat 1 May 2021 23:15 is hour 23, weekday 5 (Monday = 0).
    tp = got["time_parts"].set_index("offence_ref")
    assert (tp.loc["LP/21/0001", "ibis_hour"], tp.loc["LP/21/0001", "ibis_weekday"]) == (23, 5)
    assert (tp["hour"] == tp["ibis_hour"]).all() and (tp["weekday"] == tp["ibis_weekday"]).all()
