"""Health section on the hand-built warehouse of conftest.py (expected values worked by hand)."""

from __future__ import annotations

import math

import pytest
from scipy.stats import binomtest

from svsna.analyses import health

PROFILE = "Apr 2020 - Mar 2021"


@pytest.fixture(scope="module")
def result(tmp_path_factory, builders_module):
    b = builders_module
    ctx = b.make_context(tmp_path_factory.mktemp("health"), b.health_tables())
    yield health.run(ctx)
    ctx.wh.close()


def _row(res, indicator, period=PROFILE, breakdown="all", value="all"):
    t = res.indicators
    sel = t[
        (t.indicator == indicator) & (t.period == period) & (t.breakdown == breakdown) & (t.breakdown_value == value)
    ]
    assert len(sel) == 1, (indicator, period, breakdown, value, len(sel))
    return sel.iloc[0]


def _finding(res, key, **numbers):
    hits = [f for f in res.findings if f.key == key and all(f.numbers.get(k) == v for k, v in numbers.items())]
    assert len(hits) == 1, (key, numbers, [f.numbers for f in res.findings if f.key == key])
    return hits[0]


def test_counts_per_year(result):
    assert _row(result, "ae_count", "2019/20").value == 10
    assert _row(result, "ae_count", "2020/21").value == 20
    assert _row(result, "admissions_count", "2020/21").value == 5
    assert _row(result, "ambulance_count", "2020/21").value == 10


def test_change_is_percent_with_exact_conditional_ci(result):
    r = _row(result, "ae_change", "2020/21")
    assert r.value == pytest.approx(100.0)  # (20 - 10) / 10
    # conditional on 30 events, 20 fall in 2020/21: Clopper-Pearson CI of p = 20/30 (scipy),
    # rate ratio = p / (1 - p); % change limits = 100 (RR - 1)
    ci = binomtest(20, 30).proportion_ci(confidence_level=0.95, method="exact")
    assert r.lower == pytest.approx(100 * (ci.low / (1 - ci.low) - 1), rel=1e-6)
    assert r.upper == pytest.approx(100 * (ci.high / (1 - ci.high) - 1), rel=1e-6)
    assert r.significance == "No significant change"  # 0.5 is inside (0.47, 0.83)
    f = _finding(result, "health_count_change", source="ae")
    assert f.numbers["previous_count"] == 10 and f.numbers["count"] == 20
    assert f.headline  # the latest financial year's A&E change is a headline figure
    # admissions had no events in 2019/20: change cannot be computed, no finding
    assert not [f for f in result.findings if f.key == "health_count_change" and f.numbers["source"] == "admissions"]


def test_rates_by_age_group_by_hand(result):
    # population: 19 bands x 1,000; under 25 = 5,000; 25 and over = 14,000
    assert _row(result, "ae_rate").value == pytest.approx(20 / 19000 * 1000)
    u = _row(result, "ae_rate", breakdown="age_group", value="Under 25")
    o = _row(result, "ae_rate", breakdown="age_group", value="25 and over")
    assert (u.numerator, u.denominator, u.value) == (8, 5000, pytest.approx(1.6))
    assert (o.numerator, o.denominator, o.value) == (12, 14000, pytest.approx(12 / 14))
    # Byar's limits for O = 12 (O >= 10): O_L = O(1 - 1/(9O) - z/(3 sqrt O))^3
    z = 1.959964
    lo = 12 * (1 - 1 / 108 - z / (3 * math.sqrt(12))) ** 3
    assert o.lower == pytest.approx(lo / 14000 * 1000, rel=1e-5)


def test_rate_ratio_similar_when_ci_includes_one(result):
    r = _row(result, "ae_rate_ratio_under25", breakdown="age_group", value="Under 25")
    assert r.value == pytest.approx(1.6 / (12 / 14))  # 1.8667
    # exact conditional CI: 8 of 20 events under 25 -> Clopper-Pearson on p, RR = p/(1-p) x 14000/5000
    ci = binomtest(8, 20).proportion_ci(method="exact")
    assert r.lower == pytest.approx(ci.low / (1 - ci.low) * 14000 / 5000, rel=1e-6)
    assert r.upper == pytest.approx(ci.high / (1 - ci.high) * 14000 / 5000, rel=1e-6)
    assert r.significance == "Similar"
    f = _finding(result, "health_rate_ratio_under25", source="ae")
    assert f.numbers["similar"] is True
    sim = _finding(result, "health_rates_similar_by_age")
    assert sim.numbers["sources"] == ["ae", "admissions", "ambulance"]


def test_diagnosis_rates_top_five(result):
    r = _row(result, "ae_rate", breakdown="diagnosis", value="Contusion/abrasion")
    assert r.value == pytest.approx(8 / 19000 * 1000)
    f = _finding(result, "ae_top_diagnoses")
    assert [i["diagnosis"] for i in f.numbers["items"]] == [
        "Contusion/abrasion",
        "Laceration",
        "Dislocation/fracture/joint injury/amputation",
        "Head injury",
    ]
    g = _finding(result, "admissions_top_diagnosis_groups")
    assert [i["diagnosis_group"] for i in g.numbers["items"]] == ["Assault by bodily force", "Assault by sharp object"]
    assert g.numbers["items"][0]["rate"] == pytest.approx(3 / 19000 * 1000)


def test_ambulance_chief_complaint_and_conveyance(result):
    assert _finding(result, "ambulance_top_chief_complaint").numbers["share"] == pytest.approx(60.0)
    assert _row(result, "ambulance_share_conveyed").value == pytest.approx(60.0)
    r = _row(result, "ambulance_conveyed_share_under25")
    assert (r.numerator, r.denominator) == (4, 6)
    # Wilson by hand: (2x + z^2 -/+ z sqrt(z^2 + 4x(1 - x/n))) / (2(n + z^2)), x = 4, n = 6
    z = 1.959964
    root = z * math.sqrt(z * z + 4 * 4 * (1 - 4 / 6))
    assert r.lower == pytest.approx(100 * (8 + z * z - root) / (2 * (6 + z * z)), rel=1e-5)
    assert r.upper == pytest.approx(100 * (8 + z * z + root) / (2 * (6 + z * z)), rel=1e-5)
    assert _finding(result, "ambulance_conveyed_under25_share").numbers["value"] == pytest.approx(400 / 6)


def test_timing_peaks_and_police_comparison(result):
    assert _finding(result, "health_peak_hour", source="ae").numbers["hour"] == 11  # 9 of 20
    assert _finding(result, "health_peak_hour", source="ambulance").numbers["hour"] == 23  # 7 of 10
    assert _row(result, "ae_share", breakdown="hour", value="11").value == pytest.approx(45.0)
    wk = _finding(result, "health_peak_weekday", source="ae")
    assert (wk.numbers["weekday"], wk.numbers["count"]) == ("Monday", 14)  # 2020-08-01 (Sat) x6, Mondays x14
    assert _finding(result, "health_peak_month", source="admissions").numbers["month"] == "2020-07"
    # no hour profile for admissions (date only)
    assert not [f for f in result.findings if f.key == "health_peak_hour" and f.numbers["source"] == "admissions"]
    cmp = _finding(result, "police_health_peak_hours")
    # police: 3 in-definition offences at 15:00, 2 at 20:00; the excluded offence at 11:00 does not count
    assert cmp.numbers == {"police_hour": 15, "ae_hour": 11, "ambulance_hour": 23, "differ": True}


def test_peak_age_band(result):
    f = _finding(result, "health_peak_age_band", source="ae")
    # 2020/21 ages 20-24: 20, 21, 22, 23, 24 -> 5 per 1,000 in the band
    assert (f.numbers["band"], f.numbers["count"], f.numbers["rate"]) == ("20-24", 5, pytest.approx(5.0))


def test_admissions_mental_health_share_by_hand(tmp_path, builders):
    from svsna.analyses import risk_factors

    ctx = builders.make_context(tmp_path, builders.health_tables())
    res = risk_factors.run(ctx)  # no area_indicators: only the admissions mental-health share
    ctx.wh.close()
    f = next(f for f in res.findings if f.key == "admissions_mental_health_under25")
    # under 25: ages 19 (flag yes) and 22 (no) -> 1 of 2; the admission with the flag unrecorded is left out
    assert (f.numbers["numerator"], f.numbers["denominator"], f.numbers["value"]) == (1, 2, 50.0)
    # Wilson for x = 1, n = 2: (2 + z^2 -/+ z sqrt(z^2 + 4(1 - 1/2))) / (2(2 + z^2))
    z = 1.959964
    root = z * math.sqrt(z * z + 2)
    assert f.numbers["lower"] == pytest.approx(100 * (2 + z * z - root) / (2 * (2 + z * z)), rel=1e-5)
    t = res.indicators
    assert t.loc[t.breakdown_value == "all", "denominator"].item() == 4  # 5 admissions, 1 unrecorded


def test_missing_sources_are_skipped(tmp_path, builders):
    b = builders
    ctx = b.make_context(tmp_path, {"geography": b.geography_frame(), "population": b.population_frame()})
    res = health.run(ctx)
    assert res.indicators.empty and res.findings == []
    ctx.wh.close()


@pytest.mark.spark
def test_spark_parity(tmp_path, builders):
    make_context, health_tables = builders.make_context, builders.health_tables
    duck = make_context(tmp_path / "d", health_tables())
    a = health.run(duck)
    duck.wh.close()
    spark = make_context(tmp_path / "s", health_tables(), engine="spark")
    b = health.run(spark)
    cols = ["indicator", "period", "breakdown", "breakdown_value", "numerator", "value"]
    left = a.indicators[cols].sort_values(cols[:4]).reset_index(drop=True)
    right = b.indicators[cols].sort_values(cols[:4]).reset_index(drop=True)
    assert left.equals(right)
    assert [f.numbers for f in a.findings] == [f.numbers for f in b.findings]
