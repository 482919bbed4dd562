"""Geography section against hand counts of the fixture (tests/analyses/conftest.py).

Profile offences by place: L1 (City West, City, decile 1): O01 O02 O07 O08 O11 O12 = 6;
L2 (City East, City, decile 2): O03 O05 O09 = 3; L3 (North, Northtown, decile 5): O04 O06 O10 = 3;
L4 (South, Southvale, decile 10): none. Settings: street 8, shop 2, hospitality 1, education 1.
"""

from __future__ import annotations

import numpy as np
import pytest

from svsna.analyses import geography


@pytest.fixture(scope="module")
def result(warehouse, config):
    from svsna.analyses._base import AnalysisContext

    return geography.run(AnalysisContext(warehouse, config, "llr_vrn"))


def test_district_and_county_rates_with_significance(result, value):
    rows = result.indicators
    assert value(rows, "area_rate").value == pytest.approx(12 / 15.2)
    city = value(rows, "area_rate", "district", "City")
    assert city.value == pytest.approx(9 / 7.6) and city.comparator_value == pytest.approx(12 / 15.2)
    assert city.significance == "Similar"  # 0.79 lies inside City's 95% CI (0.54 to 2.25)
    south = value(rows, "area_rate", "district", "Southvale")  # a district with no offences
    assert south.value == 0 and south.upper == pytest.approx(3.688879 / 3.8, rel=1e-5)  # exact Poisson upper for 0
    assert south.significance == "Similar"  # whole-area 0.789 lies below Southvale's upper limit 0.971
    assert value(rows, "area_rate", "county", "Shire").value == pytest.approx(3 / 7.6)
    assert value(rows, "area_share", "district", "City").value == pytest.approx(75.0)


def test_npa_setting_and_deprivation_shares(result, value):
    rows = result.indicators
    assert value(rows, "npa_share", "npa", "City West").value == pytest.approx(50.0)
    # offences by under 25s: O01 O02 O11 (City West), O03 O05 (City East), O10 (North)
    assert value(rows, "npa_share", "age_group|npa", "Under 25|City East").numerator == 2
    assert value(rows, "setting_share", "setting", "Public/open place").numerator == 8
    # no LSOA populations in the fixture: the decile figure is a share of offences
    d1 = value(rows, "deprivation_rate", "imd_decile", "1")
    assert d1.value == pytest.approx(50.0) and d1.method.startswith("% of offences")
    assert value(rows, "lsoa_offences", "lsoa", "E01000004").value == 0


def test_knn_weights_from_centroids():
    # three points on a line: each one's nearest neighbour
    assert geography.knn_neighbours([0, 1, 3], [50, 50, 50], k=1) == {0: [1], 1: [0], 2: [1]}
    nb = geography.knn_neighbours(np.arange(5.0), np.zeros(5) + 50, k=2)
    assert nb[0] == [1, 2] and nb[4] == [3, 2]


def test_lsoa_populations_give_lsoa_and_deprivation_rates(tmp_path, build, config, value):
    from svsna.analyses._base import AnalysisContext

    wh = build(tmp_path, population="lsoa")
    try:
        res = geography.run(AnalysisContext(wh, config, "llr_vrn"))
    finally:
        wh.close()
    rows = res.indicators
    # every LSOA has 19 bands x 2 sexes x 100 = 3,800 residents; City = L1 + L2 = 7,600
    assert value(rows, "lsoa_rate", "lsoa", "E01000001").value == pytest.approx(6 / 3.8)
    assert value(rows, "area_rate", "district", "City").value == pytest.approx(9 / 7.6)
    assert value(rows, "area_rate", "county", "Shire").denominator == 7600
    d1 = value(rows, "deprivation_rate", "imd_decile", "1")
    assert d1.value == pytest.approx(6 / 3.8) and d1.method == "Exact Poisson"
    f = next(f for f in res.findings if f.key == "deprivation_gradient")
    assert f.numbers["least_deprived_value"] == 0 and f.numbers["unit"] == "per 1,000"


def test_highest_in_county_only_for_counties_with_several_districts(result):
    # City is a unitary authority (its only district is City): ranking it within itself says
    # nothing. Shire has Northtown (3 offences) and Southvale (none), so Northtown is highest.
    found = [f for f in result.findings if f.key == "highest_in_county"]
    assert len(found) == 1
    assert "Northtown" in found[0].text and "Shire" in found[0].text
