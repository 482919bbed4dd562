"""The open-data counts are the same on Spark as on DuckDB (one small subset, marked spark)."""

from __future__ import annotations

import pytest


@pytest.mark.spark
def test_group_counts_match_on_spark(west_yorkshire, tmp_path):
    from svsna.engine import open_warehouse
    from svsna.opendata.context import OpenDataContext
    from svsna.opendata.reference import load_force_reference
    from svsna.opendata.street import discover_street_files, load_street_files

    ref = load_force_reference(west_yorkshire, "west-yorkshire")
    files = discover_street_files(west_yorkshire / "police" / "street", ref.slug)
    wh = open_warehouse(tmp_path)
    load_street_files(wh, files, ref)
    duck = OpenDataContext(wh, ref, [2021]).group_counts(["fin_year", "lad_code"])
    wh.close()
    spark = open_warehouse(tmp_path, engine="spark")
    got = OpenDataContext(spark, ref, [2021]).group_counts(["fin_year", "lad_code"])
    key = ["fin_year", "lad_code", "group"]
    a = duck.sort_values(key).reset_index(drop=True)
    b = got.sort_values(key).reset_index(drop=True)
    assert a[[*key, "count"]].astype(str).equals(b[[*key, "count"]].astype(str))
    # hand count (test_second_force.py): Leeds VSO 5 a month, Bradford 2 a month
    vso = a[a["group"] == "vso"].set_index("lad_code")["count"]
    assert vso.to_dict() == {"E08000032": 24, "E08000035": 60}
