"""A raw OHID Fingertips download loads as the `indicators` source without renaming columns."""

from __future__ import annotations

from svsna.sources.contracts import load_contracts
from svsna.sources.readers import read_source

# Header as in a Fingertips "download data" CSV (fingertips.phe.org.uk, indicator data export).
FINGERTIPS_HEADER = (
    "Indicator ID,Indicator Name,Parent Code,Parent Name,Area Code,Area Name,Area Type,Sex,Age,"
    "Category Type,Category,Time period,Value,Lower CI 95.0 limit,Upper CI 95.0 limit,"
    "Lower CI 99.8 limit,Upper CI 99.8 limit,Count,Denominator,Value note,Recent Trend,"
    "Compared to England value or percentiles,Compared to percentiles of,Time period Sortable,"
    "New data,Compared to goal,Time period range"
)


def test_fingertips_columns_map_to_the_indicators_contract(tmp_path):
    f = tmp_path / "fingertips.csv"
    row = (
        "11201,Violent crime - hospital admissions for violence,E12000004,East Midlands region,"
        "E06000016,Leicester,UA,Persons,All ages,,,2018/19 - 20/21,54.1,49.9,58.6,47.7,61.1,512,"
        "946000,,,Similar,,20180000,,,3y"
    )
    f.write_text(FINGERTIPS_HEADER + "\n" + row + "\n", encoding="utf-8")
    raw = read_source(f, load_contracts()["indicators"])
    cols = set(raw.data.columns)
    assert {"indicator_id", "indicator_name", "area_code", "area_name", "period", "value", "lower", "upper"} <= cols
    first = raw.data.row(0, named=True)
    assert (first["period"], first["lower"], first["upper"]) == ("2018/19 - 20/21", "49.9", "58.6")
