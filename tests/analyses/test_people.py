"""Perpetrator, victim and NTE cohort profiles against hand counts (tests/analyses/conftest.py).

Profile-period suspect involvements: P1 in O01 O02 O03 O05 (aged 17) and O11 (18); P5 O03 (22);
P2 O04 (30) O06 (31); P4 O07 (age, sex, ethnicity and home unknown); P3 O09 O12 (40); P6 O10 (14).
Persons: P1 M White City West; P2 F Asian North; P3 M Black City East; P4 U; P5 M Black City East;
P6 F White North. Every five-year band has 800 residents (400 male, 400 female).
"""

from __future__ import annotations

import pytest

from svsna.analyses import nte, people


@pytest.fixture(scope="module")
def result(warehouse, config):
    from svsna.analyses._base import AnalysisContext

    return people.run(AnalysisContext(warehouse, config, "llr_vrn"))


def _perp(result):
    return result.indicators[result.indicators.section == "perpetrators"]


def _vict(result):
    return result.indicators[result.indicators.section == "victims"]


def test_rates_by_age_band_find_the_peak(result, value):
    rows = _perp(result)
    # 15-19: five involvements (P1 x5 aged 17-18) / 800 x 1,000 = 6.25
    assert value(rows, "age_band_rate", "age_band", "15-19").value == pytest.approx(6.25)
    assert value(rows, "age_band_rate", "age_band", "10-14").numerator == 1  # P6
    assert value(rows, "age_band_rate", "sex|age_band", "Female|30-34").value == pytest.approx(2 / 400 * 1000)
    f = {f.key: f for f in result.findings if f.section == "perpetrators"}
    assert f["peak_age_band"].numbers["band"] == "15-19"
    # females: 30-34 (P2 twice, 5.0 per 1,000) then 10-14 (P6, 2.5)
    assert f["peak_age_band_female"].numbers["band"] == "30-34"
    assert f["peak_age_band_female"].numbers["second_band"] == "10-14"


def test_sex_ethnicity_and_home_shares(result, value):
    rows = _perp(result)
    assert value(rows, "sex_share", "sex", "Male").value == pytest.approx(50.0)  # 3 of 6 persons
    assert value(rows, "sex_share", "sex", "Unknown").numerator == 1  # P4
    eth = value(rows, "ethnicity_share", "ethnicity", "Black")  # P3, P5 of five with known ethnicity
    assert (eth.numerator, eth.denominator) == (2, 5)
    # involvements by home NPA (P4's unknown home excluded): City West 5, City East 3, North 3
    assert value(rows, "home_npa_share", "npa", "City West").value == pytest.approx(500 / 11)
    assert value(rows, "home_district_share", "district", "Southvale").value == 0
    assert value(rows, "sex_rate", "sex", "Male").value == pytest.approx(8 / 7.6)  # 8 male involvements / 7,600


def test_same_sex_pairs_and_harm(result, value):
    rows = _perp(result)
    # male perpetrator pairs: O01 O02(F victim) O03 x2 O05 O09 O11 O12 -> 7 of 8 same sex; female 3 of 3
    assert value(rows, "same_sex_share", "sex", "Male").value == pytest.approx(87.5)
    assert value(rows, "same_sex_share", "sex", "Female").value == 100
    # higher harm (harm_rank >= 4): O05 attempted murder, one of 8 male involvements; none of 3 female
    hh = value(rows, "high_harm_share", "sex", "Female")
    assert (hh.numerator, hh.denominator, hh.comparator_value) == (0, 3, 12.5)
    assert hh.significance == "Similar"  # 12.5 lies inside the female 95% CI (0 to 56.1)
    vrows = _vict(result)
    # victims: female victims V2 (male perpetrator), V4 V5 V8 (female) -> 3 of 4
    assert value(vrows, "same_sex_share", "sex", "Female").value == pytest.approx(75.0)


def test_victims_of_under25_perpetrators_by_age(result, value):
    rows = _vict(result)
    # offences by under 25s: O01 V1 18, O02 V2 30, O03 V3 16, O05 V1 18, O10 V8 14, O11 V9 19
    assert value(rows, "victims_of_under25_age_band_rate", "age_band", "15-19").numerator == 4
    assert value(rows, "victims_of_under25_age_band_rate", "age_band", "10-14").value == pytest.approx(1.25)
    assert value(rows, "sex_share", "sex", "Male").numerator == 7  # V1 V3 V6 V7 V9 V10 and P1


def test_nte_cohort(warehouse, config, value):
    from svsna.analyses._base import AnalysisContext

    res = nte.run(AnalysisContext(warehouse, config, "llr_vrn"))
    rows = res.indicators
    # NTE offences: O01 O03 O05 O07 O09 O11; ABH O01 O07 O09 = 3
    assert value(rows, "nte_offences").value == 6
    abh = "S47 - Assault occasioning actual bodily harm (ABH)"
    assert value(rows, "nte_offence_mix", "sub_offence", abh).value == pytest.approx(50.0)
    assert value(rows, "nte_weekday_share", "weekday", "Sat").numerator == 3  # O01 O03 O09
    # Friday to Sunday: O01 O03 O09 (Sat), O07 O11 (Sun) of the six; O05 is a Tuesday
    fri_sun = value(rows, "nte_friday_to_sunday_share")
    assert (fri_sun.numerator, fri_sun.denominator, fri_sun.value) == (5, 6, pytest.approx(100 * 5 / 6))
    assert value(rows, "nte_hour_share", "hour", "23").numerator == 3
    # perpetrators: P1, P5, P3 (male), P4 (unknown) -> 75% male
    assert value(rows, "nte_perpetrator_sex_share", "sex", "Male").value == pytest.approx(75.0)
    assert value(rows, "nte_perpetrator_home_share", "ward", "Castle").numerator == 2  # P3, P5
    assert value(rows, "nte_victim_age", "age", "18").value == 3  # V1 (O01, O05), P1 (O09)
    f = {f.key: f for f in res.findings}
    assert f["nte_victims"].numbers["peak_ages"][0] == 18
    assert f["nte_peak_hours"].numbers["top"][0]["label"] == "23:00-23:59"
    assert f["nte_weekday"].numbers["friday_to_sunday_share"] == pytest.approx(100 * 5 / 6)
    assert "nte_friday_to_sunday_share" in f["nte_weekday"].indicators  # its own row: the public summary states it
