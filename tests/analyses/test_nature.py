"""Nature section against hand counts of the fixture (tests/analyses/conftest.py).

Profile period (Apr 2020 - Sep 2021) offences O01-O12:
Assault with injury (8N): O01 O02 O04 O06 O07 O09 O10 O12 = 8 (ABH 7, GBH O02 = 1);
Robbery of personal property: O03 O11 = 2; Attempted murder: O05 = 1;
Assault with intent to cause serious harm: O08 = 1. Total 12.
Knife recorded on 11 (O06 blank), true on O02 O03 O05 O11 = 4, all in City.
"""

from __future__ import annotations

import pytest

from svsna.analyses import nature


@pytest.fixture(scope="module")
def result(warehouse, config):
    from svsna.analyses._base import AnalysisContext

    return nature.run(AnalysisContext(warehouse, config, "llr_vrn"))


def test_offence_type_shares(result, value):
    rows = result.indicators
    r = value(rows, "offence_type_share", "offence_type", "Assault with injury")
    assert (r.numerator, r.denominator) == (8, 12)
    assert r.value == pytest.approx(200 / 3)
    assert value(rows, "offence_type_share", "offence_type", "Robbery of personal property").numerator == 2
    f = next(f for f in result.findings if f.key == "top_offence_type")
    assert f.numbers["offence_type"] == "Assault with injury" and f.numbers["second"] == "Robbery of personal property"
    # tie of 1 and 1 broken by name
    assert f.numbers["third"] == "Assault with intent to cause serious harm"


def test_abh_share_within_assault_with_injury(result, value):
    abh = "Assault with injury|S47 - Assault occasioning actual bodily harm (ABH)"
    r = value(result.indicators, "sub_offence_share", "offence_type|sub_offence", abh)
    assert (r.numerator, r.denominator, r.value) == (7, 8, 87.5)


def test_rates_by_age_group_and_ratio(result, value):
    rows = result.indicators
    # Assault with injury by under 25s: O01 O02 O10 = 3 of 4,000; by 25 and over: O04 O06 O09 O12 = 4 of 11,200
    u = value(rows, "offence_type_rate", "offence_type|age_group", "Assault with injury|Under 25")
    o = value(rows, "offence_type_rate", "offence_type|age_group", "Assault with injury|25 and over")
    assert u.value == pytest.approx(0.75) and o.value == pytest.approx(4 / 11.2)
    rr = value(rows, "offence_type_rate_ratio_age", "offence_type", "Assault with injury")
    assert rr.value == pytest.approx(0.75 / (4 / 11.2))  # 2.1
    # robbery: no offences by 25 and over, so no ratio can be formed
    rob = value(rows, "offence_type_rate_ratio_age", "offence_type", "Robbery of personal property")
    assert rob.significance == "Not compared"
    # a district with no offences gets zero rates, not missing rows
    assert value(rows, "offence_type_rate", "district|offence_type", "Southvale|Assault with injury").value == 0
    assert value(rows, "offence_type_rate", "district|offence_type", "Northtown|Assault with injury").value == (
        pytest.approx(3 / 3.8)
    )


def test_knife_share(result, value):
    rows = result.indicators
    r = value(rows, "knife_share")
    assert (r.numerator, r.denominator) == (4, 11)
    # Wilson 95% limits for 4/11 (formula in domain-notes 4.2): 15.17% to 64.62%
    assert r.lower == pytest.approx(15.166, abs=0.01) and r.upper == pytest.approx(64.620, abs=0.01)
    assert value(rows, "knife_offences_district_share", "district", "City").value == 100
    assert value(rows, "knife_offences_district_share", "district", "Southvale").value == 0
    f = next(f for f in result.findings if f.key == "knife_share")
    assert f.numbers["one_in_n"] == 3 and f.numbers["top_district"] == "City"


def test_no_age_ratio_finding_from_tiny_counts(result):
    # Every offence type in the fixture has fewer than 10 offences in total (8, 2, 1, 1), so
    # no type reaches 10 in each age group: the "greatest difference between age groups"
    # sentence must not be written from such small numbers.
    assert nature.MIN_EVENTS_FOR_RATIO_FINDING == 10
    assert "offence_type_age_ratio" not in [f.key for f in result.findings]
