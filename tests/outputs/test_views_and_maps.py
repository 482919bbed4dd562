"""Chart/table routing helpers and boundary handling, on small hand-made inputs."""

from __future__ import annotations

import pandas as pd
import pytest

from svsna.outputs.views import is_core, natural_order


def _rows(values):
    return pd.DataFrame({"breakdown_value": values, "value": range(len(values))})


def test_natural_order_of_categories():
    assert natural_order(_rows(["Sun", "Mon", "Sat"]), "weekday")["breakdown_value"].tolist() == ["Mon", "Sat", "Sun"]
    assert natural_order(_rows(["90+", "15-19", "0-4"]), "age_band")["breakdown_value"].tolist() == [
        "0-4",
        "15-19",
        "90+",
    ]
    # a night-time window reads 22, 23, 00 ... not 00 ... 23
    assert natural_order(_rows(["00", "04", "22", "23"]), "hour")["breakdown_value"].tolist() == [
        "22",
        "23",
        "00",
        "04",
    ]
    # no natural order: largest value first
    by_value = pd.DataFrame({"breakdown_value": ["a", "b", "c"], "value": [1.0, 3.0, 2.0]})
    assert natural_order(by_value, "setting")["breakdown_value"].tolist() == ["b", "c", "a"]


def test_core_views():
    assert is_core("timing", "month") and not is_core("health", "month")
    assert is_core("geography", "district") and not is_core("perpetrators", "district")
    assert is_core("victims", "sex|age_band") and not is_core("nature", "offence_type")


def test_boundaries_dissolve_districts_from_lsoa_names():
    gpd = pytest.importorskip("geopandas")
    from shapely.geometry import box

    from svsna.outputs.maps import choropleth, load_boundaries

    lsoas = gpd.GeoDataFrame(
        {"LSOA11CD": ["E01000001", "E01000002", "E01000003"], "LSOA11NM": ["Alpha 001A", "Alpha 001B", "Beta 002A"]},
        geometry=[box(-1.2, 52.6, -1.1, 52.7), box(-1.1, 52.6, -1.0, 52.7), box(-1.0, 52.6, -0.9, 52.7)],
        crs=4326,
    )
    b = load_boundaries(lsoas)
    assert sorted(b.district["district_name"]) == ["Alpha", "Beta"]
    assert b.lsoa.crs.to_epsg() == 27700
    rows = pd.DataFrame({"breakdown_value": ["Alpha", "Beta"], "value": [4.5, float("nan")]})
    png, alt = choropleth(b.district, rows, value_label="Rate per 1,000")
    assert png[1:4] == b"PNG"
    assert "highest Alpha (4.50)" in alt and "suppressed or without data: Beta" in alt


def test_boundaries_without_lsoa_codes_are_a_clear_error():
    gpd = pytest.importorskip("geopandas")
    from shapely.geometry import box

    from svsna.errors import InputDataError
    from svsna.outputs.maps import load_boundaries

    bad = gpd.GeoDataFrame({"name": ["x"]}, geometry=[box(0, 0, 1, 1)], crs=4326)
    with pytest.raises(InputDataError, match="no column holds LSOA codes"):
        load_boundaries(bad)
