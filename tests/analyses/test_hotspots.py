"""LSOA hot spots: Gi* on the geography section's LSOA values, checked against PySAL esda.

A 5 x 5 grid of LSOAs (centroids jittered so that nearest neighbours have no ties) in one
district. Each LSOA gets one in-definition offence per year, except a block of four in
one corner that gets ten each, in both 2019/20 and 2020/21: those four should be the hot
spots each year, so 100% of 2019/20's hot spots persist into 2020/21.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from svsna.analyses import geography
from svsna.analyses._base import AnalysisContext
from svsna.config import AreaConfig
from svsna.engine import open_warehouse

CODES = [f"E0100{i:04d}" for i in range(25)]
HOT = {CODES[0], CODES[1], CODES[5], CODES[6]}  # rows 0-1, columns 0-1


def _grid():
    rng = np.random.default_rng(7)
    lon = np.array([-1.0 + 0.01 * (i % 5) for i in range(25)]) + rng.uniform(-0.002, 0.002, 25)
    lat = np.array([52.0 + 0.01 * (i // 5) for i in range(25)]) + rng.uniform(-0.002, 0.002, 25)
    return lon, lat


def _warehouse(path, boundaries=False):
    lon, lat = _grid()
    geo = pd.DataFrame(
        {
            "lsoa_code": CODES,
            "lsoa_name": [f"Grid {i:02d}" for i in range(25)],
            "ward_code": "E05000001",
            "ward_name": "Grid",
            "npa": "Grid",
            "district_code": "E07000001",
            "district_name": "Gridtown",
            "county_code": "E10000001",
            "county_name": "Gridshire",
            "imd_decile": 5,
            "longitude": lon,
            "latitude": lat,
        }
    )
    rows = []
    for fy in (2019, 2020):
        for code in CODES:
            for k in range(10 if code in HOT else 1):
                day = dt.date(fy, 5, 1) + dt.timedelta(days=k)
                rows.append(
                    {
                        "offence_ref": f"{fy}-{code}-{k}",
                        "ho_code": "8N",
                        "ho_description": "Assault with injury",
                        "sub_offence": None,
                        "harm_rank": 2,
                        "offence_date": day,
                        "committed_from": dt.datetime.combine(day, dt.time(12)),
                        "hour": 12,
                        "weekday": day.weekday(),
                        "lsoa": code,
                        "setting": "Public/open place",
                        "knife_flag": False,
                        "weapon_flag": False,
                        "district_name": "Gridtown",
                        "county_name": "Gridshire",
                        "npa": "Grid",
                        "fin_year": fy,
                    }
                )
    off = pd.DataFrame(rows)
    off["sub_offence"] = off["sub_offence"].astype("string")
    pop = pd.DataFrame(
        {"area_code": "E07000001", "year": [2019, 2020], "age_from": 0, "age_to": 120, "sex": "P", "population": 10_000}
    )
    wh = open_warehouse(path)
    wh.write_table("geography", geo)
    wh.write_table("population", pop)
    wh.write_table("offences", off)
    wh.write_table(
        "offence_decisions",
        pd.DataFrame(
            {"offence_ref": off.offence_ref, "definition": "llr_vrn", "included": True, "reason": "in definition"}
        ),
    )
    return wh


@pytest.fixture(scope="module")
def grid_result(tmp_path_factory):
    wh = _warehouse(tmp_path_factory.mktemp("grid"))
    cfg = AreaConfig.model_validate({"name": "Grid", "financial_years": [2019, 2020]})
    yield geography.run(AnalysisContext(wh, cfg, "llr_vrn"))
    wh.close()


def test_gi_star_matches_esda_on_knn_weights(grid_result):
    from esda.getisord import G_Local
    from libpysal.weights import KNN

    rows = grid_result.indicators
    gi = rows[(rows.indicator == "hotspot_gi") & (rows.period == "2020/21")].set_index("breakdown_value")
    lon, lat = _grid()
    x = np.radians(lon) * np.cos(np.radians(lat.mean()))
    w = KNN.from_array(np.column_stack([x, np.radians(lat)]), k=6)
    counts = np.array([10.0 if c in HOT else 1.0 for c in CODES])
    ref = G_Local(counts, w, transform="B", star=True, permutations=0)
    assert gi.loc[CODES, "value"].to_numpy() == pytest.approx(ref.Zs, rel=1e-9)
    assert "k-nearest neighbours (k=6" in gi.method.iloc[0]


def test_hot_spots_found_and_persist(grid_result):
    rows = grid_result.indicators
    gi = rows[(rows.indicator == "hotspot_gi") & (rows.period == "2019/20")]
    hot = set(gi.loc[gi.significance == "Higher", "breakdown_value"])  # a hot spot: significantly higher
    assert hot == HOT  # z = 3.43 for the block; its edge LSOAs reach only z = 1.05
    pers = rows[rows.indicator == "hotspot_persistence"].iloc[0]
    assert pers.period == "2020/21" and pers.value == 100  # the same pattern both years
    assert set(gi.loc[gi.significance == "Higher", "confidence"]) <= {0.95, 0.99}  # the class's level
    f = next(f for f in grid_result.findings if f.key == "hotspots")
    assert f.numbers["hot"] == len(hot) and f.numbers["persistence_pct"] == 100
    assert f.numbers["hot_by_ward"] == [{"name": "Grid", "lsoas": 4}]


def test_contiguity_weights_from_boundaries(tmp_path):
    import geopandas as gpd
    from esda.getisord import G_Local
    from libpysal.weights import Queen
    from shapely.geometry import box

    polys = [box(i % 5, i // 5, i % 5 + 1, i // 5 + 1) for i in range(25)]
    path = tmp_path / "lsoa.geojson"
    gdf = gpd.GeoDataFrame({"LSOA11CD": CODES}, geometry=polys, crs="EPSG:27700")
    gdf.to_file(path, driver="GeoJSON")
    wh = _warehouse(tmp_path / "ws")
    try:
        cfg = AreaConfig.model_validate({"name": "Grid", "financial_years": [2020]})
        res = geography.run(AnalysisContext(wh, cfg, "llr_vrn", boundaries=path))
    finally:
        wh.close()
    gi = res.indicators[(res.indicators.indicator == "hotspot_gi") & (res.indicators.period == "2020/21")]
    gi = gi.set_index("breakdown_value")
    assert "queen contiguity" in gi.method.iloc[0]
    counts = np.array([10.0 if c in HOT else 1.0 for c in CODES])
    ref = G_Local(counts, Queen.from_dataframe(gdf, use_index=False), transform="B", star=True, permutations=0)
    assert gi.loc[CODES, "value"].to_numpy() == pytest.approx(ref.Zs, rel=1e-9)
