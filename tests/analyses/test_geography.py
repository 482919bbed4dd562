"""Geography section against hand counts of the fixture (tests/analyses/conftest.py).

In-definition offences by LSOA and period (LSOA -> ward, NPA, district, county):
L1 (Riverside, City West, City, City, decile 1), L2 (Castle, City East, City, City, decile 2),
L3 (Northgate, North, Northtown, Shire, decile 5), L4 (Southgate, South, Southvale, Shire, decile 10).

| period              | L1                      | L2          | L3          | L4 | total |
|---------------------|-------------------------|-------------|-------------|----|-------|
| 2019/20             | X01-X10 = 10            | 0           | 0           | 0  | 10    |
| 2020/21             | O01 O02 O07 O08 = 4     | O03 O05 = 2 | O04 O06 = 2 | 0  | 8     |
| 2021/22 (Apr-Sep)   | O11 O12 = 2             | O09 = 1     | O10 = 1     | 0  | 4     |
| Apr 2020 - Sep 2021 | 6                       | 3           | 3           | 0  | 12    |

Districts: City = L1 + L2, Northtown = L3, Southvale = L4; counties City (= City) and Shire
(= Northtown + Southvale). Populations (district rows, every year): City 7,600, Northtown and
Southvale 3,800 each, so Shire 7,600 and the area 15,200. With LSOA rows instead, every LSOA
has 3,800. Settings in the profile: street 8, shop 2, hospitality 1, education 1.
"""

from __future__ import annotations

import numpy as np
import pytest

from svsna.analyses import geography
from svsna.analyses._base import AnalysisContext

FY19, FY20, PART, PROF = "2019/20", "2020/21", "2021/22 (Apr-Sep)", "Apr 2020 - Sep 2021"

#: hand counts: period -> LSOA -> offences (the table above)
LSOA = {
    FY19: {"E01000001": 10, "E01000002": 0, "E01000003": 0, "E01000004": 0},
    FY20: {"E01000001": 4, "E01000002": 2, "E01000003": 2, "E01000004": 0},
    PART: {"E01000001": 2, "E01000002": 1, "E01000003": 1, "E01000004": 0},
    PROF: {"E01000001": 6, "E01000002": 3, "E01000003": 3, "E01000004": 0},
}
WARD = {"Riverside": "E01000001", "Castle": "E01000002", "Northgate": "E01000003", "Southgate": "E01000004"}
NPA = {"City West": "E01000001", "City East": "E01000002", "North": "E01000003", "South": "E01000004"}
DISTRICT = {"City": ["E01000001", "E01000002"], "Northtown": ["E01000003"], "Southvale": ["E01000004"]}
COUNTY = {"City": ["E01000001", "E01000002"], "Shire": ["E01000003", "E01000004"]}
DISTRICT_POP = {"City": 7600, "Northtown": 3800, "Southvale": 3800}
MONTHS = {FY19: 12, FY20: 12, PART: 6, PROF: 18}


@pytest.fixture(scope="module")
def result(warehouse, config):
    return geography.run(AnalysisContext(warehouse, config, "llr_vrn"))


@pytest.fixture(scope="module")
def lsoa_result(tmp_path_factory, build, make_cfg):
    wh = build(tmp_path_factory.mktemp("lsoapop"), population="lsoa")
    try:
        ctx = AnalysisContext(wh, make_cfg(baseline_year=2019), "llr_vrn")
        out = geography.run(ctx), ctx.run.warnings
        ctx.release()
        del ctx
        yield out
    finally:
        wh.close()


def test_every_period_at_every_level_counts_and_district_rates(result, value):
    rows = result.indicators
    for period, by in LSOA.items():
        total = sum(by.values())
        assert value(rows, "area_offences", period=period).value == total
        assert value(rows, "area_rate", period=period).value == pytest.approx(total / 15.2)
        for code, n in by.items():
            assert value(rows, "area_offences", "lsoa", code, period).value == n
        for ward, code in WARD.items():
            assert value(rows, "area_offences", "ward", ward, period).value == by[code]
        for npa, code in NPA.items():
            r = value(rows, "area_share", "npa", npa, period)
            assert (r.numerator, r.denominator) == (by[code], total)
        for district, codes in DISTRICT.items():
            n = sum(by[c] for c in codes)
            assert value(rows, "area_offences", "district", district, period).value == n
            r = value(rows, "area_rate", "district", district, period)
            assert (r.numerator, r.denominator) == (n, DISTRICT_POP[district])
            assert r.value == pytest.approx(1000 * n / DISTRICT_POP[district])
            assert r.comparator_value == pytest.approx(total / 15.2)
            assert r.statistic == "rate" and r.unit == "offences per 1,000 residents"
        for county, codes in COUNTY.items():
            n = sum(by[c] for c in codes)
            assert value(rows, "area_rate", "county", county, period).value == pytest.approx(n / 7.6)
    # counts say what they count
    assert set(rows.loc[rows.indicator == "area_offences", "unit"]) == {"offences"}


def test_significance_against_the_whole_area(result, value):
    rows = result.indicators
    city = value(rows, "area_rate", "district", "City", PROF)
    assert city.value == pytest.approx(9 / 7.6) and city.comparator_value == pytest.approx(12 / 15.2)
    assert city.significance == "Similar"  # 0.79 lies inside City's 95% CI (0.54 to 2.25)
    south = value(rows, "area_rate", "district", "Southvale", PROF)  # a district with no offences
    assert south.value == 0 and south.upper == pytest.approx(3.688879 / 3.8, rel=1e-5)  # exact Poisson upper for 0
    assert south.significance == "Similar"  # whole-area 0.789 lies below Southvale's upper limit 0.971
    # 2019/20: all ten in City: 1.316 per 1,000 against 0.658; City's Byar/exact lower limit
    # (chi2 0.025 quantile, 20 df / 2 = 4.795 events -> 0.631) is below 0.658, so Similar;
    # Northtown 0 (upper 0.971) is Similar too
    assert value(rows, "area_rate", "district", "City", FY19).value == pytest.approx(10 / 7.6)


def test_no_rates_below_district_without_lsoa_populations(result, warehouse, config):
    rows = result.indicators
    rates = rows[rows.indicator == "area_rate"]
    assert set(rates.breakdown) == {"all", "county", "district"}
    ctx = AnalysisContext(warehouse, config, "llr_vrn")
    geography.run(ctx)
    codes = {w.code for w in ctx.run.warnings}
    assert {"no_npa_populations", "no_ward_populations", "no_lsoa_populations"} <= codes
    assert "no_lsoa_populations_deprivation" in codes


def test_lsoa_populations_give_rates_at_every_level(lsoa_result, value):
    res, warnings = lsoa_result
    rows = res.indicators
    for period, by in LSOA.items():
        for ward, code in WARD.items():
            r = value(rows, "area_rate", "ward", ward, period)
            assert (r.numerator, r.denominator) == (by[code], 3800)
        for npa, code in NPA.items():
            assert value(rows, "area_rate", "npa", npa, period).value == pytest.approx(by[code] / 3.8)
        assert value(rows, "area_rate", "lsoa", "E01000001", period).value == pytest.approx(by["E01000001"] / 3.8)
        # district populations summed from LSOA rows: City = L1 + L2 = 7,600
        assert value(rows, "area_rate", "district", "City", period).denominator == 7600
    assert not [w for w in warnings if w.code.startswith("no_")]
    d1 = value(rows, "deprivation_rate", "imd_decile", "1", PROF)
    assert d1.value == pytest.approx(6 / 3.8) and d1.method == "Exact Poisson"
    f = next(f for f in res.findings if f.key == "deprivation_gradient")
    assert f.numbers["least_deprived_value"] == 0 and f.numbers["unit"] == "offences per 1,000 residents"
    assert f.numbers["comparator"] == "decile 10"


def test_change_against_the_baseline_year(lsoa_result, value):
    rows = lsoa_result[0].indicators
    # offences per month against 2019/20 (12 months): City 6/12 vs 10/12 = -40%; 2021/22 (6 months)
    # 3/6 vs 10/12 = -40%; Riverside (L1) 4 vs 10 = -60% and 2/6 vs 10/12 = -60%
    r = value(rows, "area_baseline_change", "district", "City", FY20)
    assert r.value == pytest.approx(-40.0) and (r.numerator, r.denominator) == (6, 10)
    assert r.statistic == "percent_change" and r.unit == "%"
    assert value(rows, "area_baseline_change", "district", "City", PART).value == pytest.approx(-40.0)
    assert value(rows, "area_baseline_change", "ward", "Riverside", FY20).value == pytest.approx(-60.0)
    assert value(rows, "area_baseline_change", "ward", "Riverside", PART).value == pytest.approx(-60.0)
    # nothing in Northtown in the baseline: a change cannot be computed
    assert value(rows, "area_baseline_change", "district", "Northtown", FY20).significance == "Not compared"
    # the baseline year itself has no change row
    base = rows[(rows.indicator == "area_baseline_change") & (rows.period == FY19)]
    assert base.empty
    f = next(f for f in lsoa_result[0].findings if f.key == "district_trend")
    city = next(d for d in f.numbers["districts"] if d["district"] == "City")
    assert [p["offences"] for p in city["periods"]] == [10, 6]
    assert city["periods"][1]["change_vs_baseline_pct"] == pytest.approx(-40.0)


def test_geography_levels_setting_limits_the_levels(warehouse, make_cfg):
    res = geography.run(AnalysisContext(warehouse, make_cfg(geography_levels=["district"]), "llr_vrn"))
    rows = res.indicators
    assert set(rows.loc[rows.indicator == "area_offences", "breakdown"]) == {"district"}


def test_npa_setting_and_deprivation_shares(result, value):
    rows = result.indicators
    assert value(rows, "npa_share", "npa", "City West").value == pytest.approx(50.0)
    # offences by under 25s: O01 O02 O11 (City West), O03 O05 (City East), O10 (North)
    assert value(rows, "npa_share", "age_group|npa", "Under 25|City East").numerator == 2
    assert value(rows, "setting_share", "setting", "Public/open place").numerator == 8
    # no LSOA populations in the fixture: the decile figure is a share of offences, under its own name
    d1 = value(rows, "deprivation_share", "imd_decile", "1")
    assert d1.value == pytest.approx(50.0) and d1.statistic == "percentage"
    assert (rows.indicator == "deprivation_rate").sum() == 0


def test_deprivation_shares_without_residents_are_not_compared(tmp_path, build, config, value):
    """review-outputs B13: without residents per decile, "50% in decile 1 against 8% in decile 10" reads as a
    comparison of how violent the areas are, but the shares follow how many neighbourhoods each decile has.
    The shares stay in the tables; no finding compares them, and a warning says why no rates."""
    from svsna.analyses._base import AnalysisContext

    wh = build(tmp_path)  # district populations only (tests/analyses/conftest.py)
    try:
        ctx = AnalysisContext(wh, config, "llr_vrn", section="geography")
        res = geography.run(ctx)
        ctx.release()
    finally:
        wh.close()
    rows = res.indicators
    # profile offences by decile: L1 (decile 1) 6 of 12, L4 (decile 10) none
    assert value(rows, "deprivation_share", "imd_decile", "1").numerator == 6
    assert value(rows, "deprivation_share", "imd_decile", "10").numerator == 0
    assert "deprivation_gradient" not in {f.key for f in res.findings}
    (w,) = [w for w in ctx.run.warnings if w.code == "no_lsoa_populations_deprivation"]
    for said in ("cannot be shown", "residents", "not compared", "LSOA"):
        assert said in w.message, said


def test_knn_weights_from_centroids():
    # three points on a line: each one's nearest neighbour
    assert geography.knn_neighbours([0, 1, 3], [50, 50, 50], k=1) == {0: [1], 1: [0], 2: [1]}
    nb = geography.knn_neighbours(np.arange(5.0), np.zeros(5) + 50, k=2)
    assert nb[0] == [1, 2] and nb[4] == [3, 2]
    # a tie at the k-th distance is broken by index: point 1 is 1 away from both 0 and 2
    assert geography.knn_neighbours([0, 1, 2], [50, 50, 50], k=1)[1] == [0]


def test_highest_rate_rankings_say_whether_they_are_separated(result):
    # City is a unitary authority (its only district is City): ranking it within itself says
    # nothing. Shire has Northtown (3 offences) and Southvale (none), so Northtown is highest.
    found = [f for f in result.findings if f.key == "highest_in_county"]
    assert len(found) == 1
    assert found[0].numbers["district"] == "Northtown" and found[0].numbers["county"] == "Shire"
    # Northtown 0.79 (0.16-2.31) vs Southvale 0 (0-0.97): the intervals overlap
    assert found[0].numbers["separated"] is False
    top = next(f for f in result.findings if f.key == "highest_rate_district")
    assert top.numbers["district"] == "City" and top.numbers["separated"] is False
    assert top.numbers["n"] == 9 and top.numbers["denominator"] == 7600
    assert top.numbers["comparator"] == "TS" and top.numbers["comparator_value"] == pytest.approx(12 / 15.2)


def test_boundary_property_named_like_ingest_accepts(tmp_path, build, config):
    """Issue 13: a boundary file keyed by ``lsoa11_code`` (accepted by ingest) gives contiguity hot spots."""
    import geopandas as gpd
    from shapely.geometry import box

    from svsna.analyses import run_assessment

    path = tmp_path / "lsoa.geojson"
    codes = ["E01000001", "E01000002", "E01000003", "E01000004"]
    gdf = gpd.GeoDataFrame({"lsoa11_code": codes}, geometry=[box(i, 0, i + 1, 1) for i in range(4)], crs="EPSG:4326")
    gdf.to_file(path, driver="GeoJSON")
    wh = build(tmp_path / "ws")
    try:
        res = run_assessment(wh, config, sections=["geography"], boundaries=path)
    finally:
        wh.close()
    gi = res.indicators[res.indicators.indicator == "hotspot_gi"]
    assert len(gi) and gi.method.str.contains("queen contiguity").all()
    assert {s["status"] for s in res.sections} == {"ran"}


def test_unusable_boundaries_fail_loudly(tmp_path, build, config):
    import geopandas as gpd
    from shapely.geometry import box

    from svsna.analyses import run_assessment
    from svsna.errors import InputDataError

    path = tmp_path / "lsoa.geojson"
    gpd.GeoDataFrame({"OBJECTID": [1]}, geometry=[box(0, 0, 1, 1)], crs="EPSG:4326").to_file(path)
    wh = build(tmp_path / "ws")
    try:
        with pytest.raises(InputDataError, match=r"no LSOA code property.*lsoa11_code"):
            run_assessment(wh, config, sections=["geography"], boundaries=path)
    finally:
        wh.close()
