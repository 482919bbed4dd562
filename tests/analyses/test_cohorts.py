"""Cohort analyses against hand counts of the fixture (tests/analyses/conftest.py).

Profile suspects: P1 in O01 O02 O03 O05 O11 (5 offences, frequent), P2 O04 O06 and P3 O09 O12
(2 each, repeat), P4 P5 P6 one each. P1's history: victim in H00 (10 Jan 2018, domestic-abuse flag),
first offence H01 (1 Jun 2018, assault without injury, aged 15), attempted murder O05 (1 Dec 2020,
aged 17), victim again in O09; mental-health flag on O01, knife-carrier flag on O11.
"""

from __future__ import annotations

import pytest

from svsna.analyses import cohorts


@pytest.fixture(scope="module")
def result(warehouse, config):
    from svsna.analyses._base import AnalysisContext

    return cohorts.run(AnalysisContext(warehouse, config, "llr_vrn"))


def test_repeat_offenders(result, value):
    rows = result.indicators
    assert value(rows, "repeat_offenders").value == 3  # P1 P2 P3
    assert value(rows, "repeat_offenders", "age_group", "Under 25").value == 1  # P1
    # offences with a repeat suspect: O01 O02 O03 O05 O11 O04 O06 O09 O12 = 9 of 12
    r = value(rows, "repeat_offender_offence_share")
    assert (r.numerator, r.denominator) == (9, 12)
    # by under 25s: O01 O02 O03 O05 O10 O11; all but O10 (P6, once) had P1
    assert value(rows, "repeat_offender_offence_share", "age_group", "Under 25").value == pytest.approx(500 / 6)
    assert value(rows, "frequent_perpetrators").value == 1


def test_frequent_perpetrator_profile(result, value):
    rows = result.indicators
    assert value(rows, "frequent_perpetrator_share", "home_npa", "City West").value == 100
    assert value(rows, "frequent_perpetrator_share", "flag", "mental_health").value == 100
    assert value(rows, "frequent_perpetrator_share", "flag", "drugs").value == 0
    assert value(rows, "frequent_perpetrator_share", "victimisation", "before_first_offence").value == 100
    assert value(rows, "frequent_perpetrator_share", "first_offence", "Assault without injury").value == 100
    assert value(rows, "frequent_perpetrator_mean", "measure", "age_at_first_offence").value == 15
    assert value(rows, "frequent_perpetrator_mean", "measure", "offences_in_window").value == 5
    f = next(f for f in result.findings if f.key == "frequent_perpetrators")
    assert f.public is False  # a cohort of one is never published


def test_murder_attempted_murder_cohort(result, value):
    rows = result.indicators
    assert value(rows, "mam_cohort").value == 1
    assert value(rows, "mam_cohort").period == "Oct 2016 - Sep 2021"
    assert value(rows, "mam_cohort_mean", "measure", "age_at_mam").value == 17
    # 1 Jun 2018 to 1 Dec 2020 = 914 days = 2.5024 years; offences before: H01 O01 O02 O03
    assert value(rows, "mam_cohort_mean", "measure", "years_first_offence_to_mam").value == pytest.approx(914 / 365.25)
    assert value(rows, "mam_cohort_mean", "measure", "offences_before_mam").value == 4
    assert value(rows, "mam_cohort_share", "victimisation", "domestic_abuse").value == 100


def test_victim_offender_overlap(result, value):
    rows = result.indicators
    # one person (P1) of 6 perpetrators has been a victim; P1 is also 1 of 11 victims
    assert value(rows, "victim_offender_overlap").value == pytest.approx(100 / 6)
    assert value(rows, "victim_offender_overlap", "age_group", "25 and over").numerator == 0
    assert value(rows, "offender_victim_overlap").value == pytest.approx(100 / 11)
