"""Extent section against hand counts of the fixture (tests/analyses/conftest.py).

Hand counts (in-definition offences, age group of an offence from its suspects):
2019/20: X01-X10 = 10 (X01-X06 by Q2 aged 20 -> Under 25: 6; X07-X10 by Q1 aged 30 -> 4).
2020/21: O01-O08 = 8; under 25: O01, O02, O03, O05 = 4; 25 and over: O04, O06 = 2;
unknown: O07 (suspect age missing), O08 (no suspect) = 2.
2021/22 (Apr-Sep): O09-O12 = 4; under 25: O10, O11 = 2; 25 and over: O09, O12 = 2.
Populations: whole 15,200; under 25 4,000; 25 and over 11,200.
"""

from __future__ import annotations

import pytest

from svsna.analyses import extent


@pytest.fixture(scope="module")
def result(warehouse, config):
    from svsna.analyses._base import AnalysisContext

    return extent.run(AnalysisContext(warehouse, config, "llr_vrn"))


def test_offence_counts_per_period_and_age_group(result, value):
    rows = result.indicators
    assert value(rows, "offences", period="2019/20").value == 10
    assert value(rows, "offences", "age_group", "Under 25", "2019/20").value == 6
    assert value(rows, "offences", period="2020/21").value == 8
    assert value(rows, "offences", "age_group", "Under 25", "2020/21").value == 4
    assert value(rows, "offences", "age_group", "25 and over", "2020/21").value == 2
    assert value(rows, "offences", "age_group", "Unknown", "2020/21").value == 2
    assert value(rows, "offences", period="2021/22 (Apr-Sep)").value == 4


def test_year_on_year_change(result, value):
    # 8 vs 10 = -20%; under 25s 4 vs 6 = -33.3%; 25 and over 2 vs 4 = -50%
    rows = result.indicators
    r = value(rows, "offences_change", period="2020/21")
    assert r.value == pytest.approx(-20.0)
    assert r.numerator == 8 and r.denominator == 10 and r.comparator_value == 10
    assert r.significance == "No significant change"  # tiny counts: the CI spans no change
    assert r.lower < -20 < r.upper
    assert value(rows, "offences_change", "age_group", "Under 25", "2020/21").value == pytest.approx(-100 / 3)
    assert value(rows, "offences_change", "age_group", "25 and over", "2020/21").value == pytest.approx(-50.0)
    f = next(f for f in result.findings if f.key == "change_by_age_group")
    assert f.numbers["under_current"] == 4 and f.numbers["over_previous"] == 4


def test_part_year_run_rate(result, value):
    # 4 offences in 6 months vs 8 in 12: 50% of the year's count, same monthly rate (0% change)
    rows = result.indicators
    assert value(rows, "part_year_vs_last_year", period="2021/22 (Apr-Sep)").value == pytest.approx(50.0)
    assert value(rows, "run_rate_change", period="2021/22 (Apr-Sep)").value == pytest.approx(0.0)
    f = next(f for f in result.findings if f.key == "part_year_run_rate")
    assert f.numbers["months"] == 6 and f.numbers["share_pct"] == pytest.approx(50.0)


def test_rates_and_rate_ratio(result, value):
    rows = result.indicators
    # 8 / 15,200 x 1,000 = 0.5263; 4 / 4,000 x 1,000 = 1.0; 2 / 11,200 x 1,000 = 0.17857
    assert value(rows, "rate", period="2020/21").value == pytest.approx(8 / 15.2)
    assert value(rows, "rate", "age_group", "Under 25", "2020/21").value == pytest.approx(1.0)
    assert value(rows, "rate", "age_group", "25 and over", "2020/21").value == pytest.approx(2 / 11.2)
    rr = value(rows, "rate_ratio_age", "age_group", "Under 25 vs 25 and over", "2020/21")
    assert rr.value == pytest.approx(1.0 / (2 / 11.2))  # 5.6 times
    f = next(f for f in result.findings if f.key == "rate_ratio_under25")
    assert f.numbers["period"] == "2020/21" and f.numbers["ratio"] == pytest.approx(5.6)
    assert f.numbers["previous_ratio"] == pytest.approx((6 / 4000) / (4 / 11200))  # 4.2


def test_prevalence_of_victims_and_perpetrators(result, value):
    rows = result.indicators
    # residents who were perpetrators in the profile: P1 P2 P3 P5 P6 = 5 (P4 has no home recorded);
    # under 25 at their first offence in the window: P1 (17), P5 (22), P6 (14)
    assert value(rows, "perpetrator_prevalence").value == pytest.approx(100 * 5 / 15200)
    assert value(rows, "perpetrator_prevalence", "age_group", "Under 25").numerator == 3
    # resident victims: V1-V5, V7-V10 and P1 = 10 (V6 has no home); under 25: V1 18, V3 16, V7 22, P1 18,
    # V8 14, V9 19 = 6
    assert value(rows, "victim_prevalence").numerator == 10
    assert value(rows, "victim_prevalence", "age_group", "Under 25").value == pytest.approx(100 * 6 / 4000)


def test_under25_offences_with_under25_victims(result, value):
    # offences by under 25s: O01 (V1 18), O02 (V2 30), O03 (V3 16), O05 (V1 18), O10 (V8 14), O11 (V9 19)
    r = value(result.indicators, "under25_offences_with_under25_victim")
    assert (r.numerator, r.denominator) == (5, 6)
    assert r.value == pytest.approx(500 / 6)
