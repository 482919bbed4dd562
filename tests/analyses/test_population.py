"""Population profile section against hand-worked figures of small hand-built warehouses.

Warehouse A (LSOA rows; the geography of tests/analyses/conftest.py plus L5, a fifth LSOA
forming the district Emptyvale in Shire, IMD decile 3, whose residents are all zero). Mid-2020 persons by LSOA,
written as M and F rows of two five-year bands (20-24 and 30-34):

======  =========  ======  =============  =============  =====  ========
LSOA    district   decile  20-24 M / F    30-34 M / F    total  under 25
======  =========  ======  =============  =============  =====  ========
L1      City       1       300 / 300      200 / 200      1,000  600
L2      City       2       100 / 100      400 / 400      1,000  200
L3      Northtown  5       100 / 100      400 / 400      1,000  200
L4      Southvale  10      150 / 150      350 / 350      1,000  300
L5      Emptyvale  3       0 / 0          0 / 0          0      0
======  =========  ======  =============  =============  =====  ========

Whole area 4,000; under 25 1,300 = 32.5%. City 2,000 (under 25 800 = 40%), Northtown
1,000 (20%), Southvale 1,000 (30%), Emptyvale 0 (no share). Counties: City 2,000, Shire
2,000. Pyramid: males 20-24 = 300+100+100+150 = 650 (16.25%), males 30-34 = 200+400+400+350
= 1,350 (33.75%), females the same. Deprivation: decile 1 = L1 = 1,000 (25%), deciles
1-2 = 2,000 (50%); City 1,000 of 2,000 in decile 1 (50%), 2,000 in deciles 1-2 (100%).
The 2019 and 2021 rows are doubled and tripled: the profile (Apr 2020 - Sep 2021) uses 2020.

Warehouse B is tests/analyses/conftest.py (district rows only: no deprivation figures).
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from svsna.analyses import population
from svsna.analyses._base import AnalysisContext
from svsna.config import AreaConfig
from svsna.engine import open_warehouse

L1, L2, L3, L4, L5 = (f"E0100000{i}" for i in range(1, 6))
Z95 = 1.959963984540054  # the 97.5th centile of the standard normal distribution

# lsoa -> (M 20-24, M 30-34); females equal males
PEOPLE = {L1: (300, 200), L2: (100, 400), L3: (100, 400), L4: (150, 350), L5: (0, 0)}


def wilson(x: float, n: float) -> tuple[float, float]:
    """Wilson score interval in %, written out from Wilson (1927) / Newcombe (1998) method 3."""
    p, z2 = x / n, Z95**2
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z95 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return 100 * (centre - half), 100 * (centre + half)


def geography_a() -> pd.DataFrame:
    """City (unitary: L1, L2), Shire (Northtown L3, Southvale L4, Emptyvale L5)."""
    return pd.DataFrame(
        {
            "lsoa_code": [L1, L2, L3, L4, L5],
            "lsoa_name": ["City 001A", "City 001B", "Northtown 001A", "Southvale 001A", "Emptyvale 001A"],
            "ward_code": [f"E0500000{i}" for i in range(1, 6)],
            "ward_name": ["Riverside", "Castle", "Northgate", "Southgate", "Emptyward"],
            "npa": ["City West", "City East", "North", "South", "South"],
            "district_code": ["E06000001", "E06000001", "E07000001", "E07000002", "E07000003"],
            "district_name": ["City", "City", "Northtown", "Southvale", "Emptyvale"],
            "county_code": ["E06000001", "E06000001", "E10000001", "E10000001", "E10000001"],
            "county_name": ["City", "City", "Shire", "Shire", "Shire"],
            "imd_decile": [1, 2, 5, 10, 3],
            "longitude": [-1.10, -1.09, -1.20, -1.00, -1.30],
            "latitude": [52.60, 52.61, 52.70, 52.50, 52.40],
        }
    )


def make_config(**overrides) -> AreaConfig:
    """As tests/analyses/conftest.py: periods 2019/20, 2020/21, Apr-Sep 2021; profile from Apr 2020."""
    cfg = {
        "name": "Testshire",
        "short_name": "TS",
        "financial_years": [2019, 2020],
        "latest": {"start": "2021-04-01", "end": "2021-09-30"},
    }
    cfg.update(overrides)
    return AreaConfig.model_validate(cfg)


def population_a() -> pd.DataFrame:
    rows = []
    for year, factor in ((2019, 2), (2020, 1), (2021, 3)):
        for code, (young, older) in PEOPLE.items():
            for sex in ("M", "F"):
                for lo, n in ((20, young), (30, older)):
                    rows.append(
                        {
                            "area_code": code,
                            "year": year,
                            "age_from": lo,
                            "age_to": lo + 4,
                            "sex": sex,
                            "population": n * factor,
                        }
                    )
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def result_a(tmp_path_factory):
    wh = open_warehouse(tmp_path_factory.mktemp("pop_a"))
    wh.write_table("geography", geography_a())
    wh.write_table("population", population_a())
    yield population.run(AnalysisContext(wh, make_config(), ""))
    wh.close()


@pytest.fixture(scope="module")
def result_b(tmp_path_factory, build):
    wh = build(tmp_path_factory.mktemp("pop_b"))
    yield population.run(AnalysisContext(wh, make_config(), ""))
    wh.close()


def finding(result, key):
    found = [f for f in result.findings if f.key == key]
    assert len(found) == 1, f"{key}: {len(found)} findings"
    return found[0]


def test_residents_of_area_districts_and_counties(result_a, value):
    rows = result_a.indicators
    assert set(rows["period"]) == {"Mid-2020"}
    assert set(rows["definition"]) == {""} and set(rows["section"]) == {"population"}
    assert value(rows, "residents").value == 4000
    assert value(rows, "residents", "district", "City").value == 2000
    assert value(rows, "residents", "district", "Emptyvale").value == 0
    assert value(rows, "residents", "county", "Shire").value == 2000
    assert value(rows, "share_of_residents", "district", "Northtown").value == pytest.approx(25.0)
    assert value(rows, "share_of_residents", "district", "City").value == pytest.approx(50.0)
    f = finding(result_a, "total_residents")
    assert f.text == "Testshire has about 4,000 residents (mid-2020 estimate)."
    assert f.headline and f.numbers["residents"] == 4000
    assert finding(result_a, "largest_district").numbers["district"] == "City"


def test_share_under_focus_by_district_compared_with_area(result_a, value):
    rows = result_a.indicators
    area = value(rows, "share_under_focus")
    assert area.value == pytest.approx(32.5)  # 1,300 / 4,000
    assert (area.lower, area.upper) == pytest.approx(wilson(1300, 4000))
    city = value(rows, "share_under_focus", "district", "City")
    assert city.value == pytest.approx(40.0) and city.numerator == 800 and city.denominator == 2000
    assert (city.lower, city.upper) == pytest.approx(wilson(800, 2000))  # about 37.9-42.2: above 32.5
    assert city.significance == "Higher" and city.comparator_value == pytest.approx(32.5)
    assert value(rows, "share_under_focus", "district", "Northtown").significance == "Lower"  # 20%: 17.6-22.6
    assert value(rows, "share_under_focus", "district", "Southvale").significance == "Similar"  # 30%: 27.2-32.9
    empty = value(rows, "share_under_focus", "district", "Emptyvale")
    assert math.isnan(empty.value) and empty.significance == "Not compared"
    assert empty.method.startswith("Not calculated")
    f = finding(result_a, "youngest_district")
    assert f.numbers["district"] == "City" and f.significance == "Higher"
    assert f.numbers["districts_lower"] == ["Northtown"]
    assert "significantly more than across the area (32.5%)" in f.text


def test_age_sex_pyramid(result_a, value):
    rows = result_a.indicators
    pyr = rows[rows.indicator == "residents_by_age_sex"]
    assert set(pyr.breakdown) == {"sex|age_band"}
    assert len(pyr) == 2 * 19  # every five-year band of the codelist, by sex
    m = value(rows, "residents_by_age_sex", "sex|age_band", "Male|20-24")
    assert m.numerator == 650 and m.value == pytest.approx(16.25)
    assert value(rows, "residents_by_age_sex", "sex|age_band", "Female|30-34").value == pytest.approx(33.75)
    assert value(rows, "residents_by_age_sex", "sex|age_band", "Male|0-4").value == 0
    assert pyr["value"].sum() == pytest.approx(100.0)
    f = finding(result_a, "age_sex_structure")
    assert f.numbers["female_pct"] == pytest.approx(50.0)
    assert (f.numbers["largest_group_sex"], f.numbers["largest_group_band"]) == ("Male", "30-34")


def test_deprivation_by_decile_and_district(result_a, value):
    rows = result_a.indicators
    assert value(rows, "residents_by_imd_decile", "imd_decile", "1").value == pytest.approx(25.0)
    assert value(rows, "residents_by_imd_decile", "imd_decile", "3").numerator == 0  # Emptyvale
    assert value(rows, "residents_by_imd_decile", "imd_decile", "7").value == 0
    decile = value(rows, "share_in_most_deprived_decile")
    assert decile.value == pytest.approx(25.0)
    assert (decile.lower, decile.upper) == pytest.approx(wilson(1000, 4000))
    assert value(rows, "share_in_most_deprived_quintile").value == pytest.approx(50.0)
    city = value(rows, "share_in_most_deprived_decile", "district", "City")
    assert city.value == pytest.approx(50.0) and city.significance == "Higher"
    assert value(rows, "share_in_most_deprived_quintile", "district", "City").value == pytest.approx(100.0)
    assert value(rows, "share_in_most_deprived_decile", "district", "Northtown").significance == "Lower"
    assert math.isnan(value(rows, "share_in_most_deprived_decile", "district", "Emptyvale").value)
    f = finding(result_a, "most_deprived_district")
    assert f.numbers["district"] == "City" and f.numbers["area_value"] == pytest.approx(25.0)
    assert f.text.startswith("50.0% of City's residents live in the most deprived 10%")


def test_without_lsoa_rows_deprivation_is_not_computed(result_b, value):
    # conftest: district rows of 200 / 100 / 100 per band and sex, 19 bands -> 7,600 + 3,800 + 3,800
    rows = result_b.indicators
    assert value(rows, "residents").value == 15200
    assert value(rows, "share_under_focus").value == pytest.approx(100 * 4000 / 15200)
    assert not rows.indicator.isin(["residents_by_imd_decile", "share_in_most_deprived_decile"]).any()
    note = finding(result_b, "deprivation_not_computed")
    assert "no LSOA rows" in note.text
    assert not [f for f in result_b.findings if f.key == "most_deprived_district"]
    # every band holds 400 M and 400 F of 15,200: 2.63% each
    assert value(rows, "residents_by_age_sex", "sex|age_band", "Female|90+").value == pytest.approx(400 / 152)


def test_bands_spanning_the_focus_age_are_reported_not_guessed(tmp_path):
    wh = open_warehouse(tmp_path)
    wh.write_table("geography", geography_a().iloc[:4])
    rows = [
        {"area_code": code, "year": 2020, "age_from": lo, "age_to": hi, "sex": "P", "population": 100}
        for code in (L1, L2, L3, L4)
        for lo, hi in ((0, 15), (16, 64), (65, 120))
    ]
    wh.write_table("population", pd.DataFrame(rows))
    res = population.run(AnalysisContext(wh, make_config(), ""))
    wh.close()
    keys = {f.key for f in res.findings}
    assert {"share_under_focus_not_computed", "age_sex_not_computed"} <= keys
    assert not res.indicators.indicator.isin(["share_under_focus", "residents_by_age_sex"]).any()
    assert res.indicators.query("indicator == 'residents' and breakdown == 'all'").value.iloc[0] == 1200


def test_runner_runs_the_section_once(tmp_path, build):
    from svsna.analyses import SECTIONS, run_assessment

    assert SECTIONS[0] == "population"
    wh = build(tmp_path, definitions=("llr_vrn", "llr_broadened"))
    cfg = make_config(definitions=["llr_vrn", "llr_broadened"])
    res = run_assessment(wh, cfg, sections=("population",))
    wh.close()
    rows = res.indicators
    assert len(rows.query("indicator == 'residents' and breakdown == 'all'")) == 1
    assert len([f for f in res.findings if f.key == "total_residents"]) == 1


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (1_100_423, "about 1.1 million"),
        (999_600, "about 1 million"),
        (712_345, "about 712,000"),
        (15_249, "about 15,200"),
    ],
)
def test_plain_count(n, words):
    assert population.plain_count(n) == words
