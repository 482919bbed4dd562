"""Directly standardised rates (Dobson) and the Fingertips recent-trend test."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from svsna.stats import StatsInputError, dsr, european_standard_population, recent_trend

Z95 = 1.959963984540054


def test_esp2013_matches_eurostat():
    # Eurostat (2013) ESP: 0-4 5,000; 5-19 5,500 each; 20-29 6,000; 30-34 6,500; 35-54 7,000;
    # 55-59 6,500; 60-64 6,000; 65-69 5,500; 70-74 5,000; 75-79 4,000; 80-84 2,500; 85-89 1,500; 90+ 1,000
    esp = european_standard_population()
    expected = [5000, 5500, 5500, 5500, 6000, 6000, 6500, 7000, 7000, 7000, 7000, 6500, 6000, 5500, 5000]
    expected += [4000, 2500, 1500, 1000]
    assert esp["population"].tolist() == expected
    assert esp["age_band"].tolist()[:2] == ["0-4", "5-9"] and esp["age_band"].tolist()[-1] == "90+"
    assert esp["source"].str.contains("Eurostat").all()


def test_dsr_two_band_hand_worked():
    # Custom standard w = (3, 1); x = (20, 30); n = (1000, 3000).
    # DSR = (3 x 0.02 + 1 x 0.01) / 4 = 0.0175 -> 1750 per 100,000
    # Var = (9 x 20 / 1000^2 + 1 x 30 / 3000^2) / 16 = 1.8333333e-4 / 16 = 1.14583333e-5
    # O = 50; Byar's O_L = 50 (1 - 1/450 - z/(3 sqrt 50))^3, O_U = 51 (1 - 1/459 + z/(3 sqrt 51))^3
    o_l = 50 * (1 - 1 / 450 - Z95 / (3 * math.sqrt(50))) ** 3
    o_u = 51 * (1 - 1 / 459 + Z95 / (3 * math.sqrt(51))) ** 3
    sd = math.sqrt(1.14583333333e-5 / 50)
    df = pd.DataFrame({"band": ["young", "old"], "count": [20, 30], "population": [1000, 3000]})
    r = dsr(df, age_band="band", standard={"young": 3, "old": 1}).iloc[0]
    assert r["value"] == pytest.approx(1750.0)
    assert r["lower"] == pytest.approx((0.0175 + sd * (o_l - 50)) * 1e5, rel=1e-9)
    assert r["upper"] == pytest.approx((0.0175 + sd * (o_u - 50)) * 1e5, rel=1e-9)
    assert r["numerator"] == 50 and r["denominator"] == 4000 and r["method"] == "Dobson"


def _esp_frame(counts, pops, **extra):
    esp = european_standard_population()
    return pd.DataFrame({"age_band": esp["age_band"], "count": counts, "population": pops, **extra})


def test_dsr_by_group_with_9_and_10_events_and_band_label_variants():
    a = _esp_frame([0] * 18 + [9], 1000, area="A")
    b = _esp_frame([0] * 18 + [10], 1000, area="B")
    b["age_band"] = ["00 - 04", *b["age_band"].iloc[1:-1], "90 and over"]
    r = dsr(pd.concat([a, b]), by="area")
    assert r["area"].tolist() == ["A", "B"]
    assert r.loc[0, "method"] == "Not calculated: fewer than 10 events"
    assert np.isnan(r.loc[0, "value"])
    # B: 10 events all aged 90+, population 1000 per band; DSR = 1000 x 10/1000 / 100000 = 1e-4 -> 10 per 100,000
    assert r.loc[1, "value"] == pytest.approx(10.0)
    assert r.loc[1, "method"] == "Dobson"


def test_dsr_998_wider_than_95_and_sums_duplicate_bands():
    males = _esp_frame(5, 2000, sex="M")
    females = _esp_frame(5, 2000, sex="F")
    both = dsr(pd.concat([males, females]))  # 10 per 4000 in every band -> 250 per 100,000
    assert both.loc[0, "value"] == pytest.approx(250.0)
    wide = dsr(pd.concat([males, females]), confidence=0.998)
    assert wide.loc[0, "lower"] < both.loc[0, "lower"] < 250 < both.loc[0, "upper"] < wide.loc[0, "upper"]


def test_dsr_errors_and_missing():
    with pytest.raises(StatsInputError, match=r"age band\(s\) \['0-4'\]"):
        dsr(_esp_frame(5, 100).iloc[1:])
    with pytest.raises(StatsInputError, match="not in the ESP2013"):
        dsr(pd.DataFrame({"age_band": ["0-15"], "count": [1], "population": [10]}))
    with pytest.raises(StatsInputError, match="column"):
        dsr(_esp_frame(5, 100), count="events")
    with pytest.raises(StatsInputError, match="zero population in age band '0-4'"):
        dsr(_esp_frame(5, [0] + [100] * 18))
    missing = dsr(_esp_frame([None] + [5] * 18, 100))
    assert missing.loc[0, "method"] == "Not calculated: count missing"


@settings(max_examples=50, deadline=None)
@given(counts=st.lists(st.integers(0, 200), min_size=19, max_size=19), pop=st.integers(1000, 100000))
def test_dsr_limits_bracket_value(counts, pop):
    r = dsr(_esp_frame(counts, pop)).iloc[0]
    if sum(counts) < 10:
        assert np.isnan(r["value"])
    else:
        assert r["lower"] <= r["value"] <= r["upper"]


# ---------------------------------------------------------------- recent trend


def test_trend_hand_worked_equal_weights():
    # SE = (U - L) / 3.92 = 1 for every point, so WLS = OLS: slope 2; Var(slope) = 1 / sum (t - 3)^2 = 1/10;
    # chi2 = 2^2 / 0.1 = 40 > 9.5495; every leave-one-out slope is also 2 -> Increasing
    r = recent_trend([10, 12, 14, 16, 18], [8.04, 10.04, 12.04, 14.04, 16.04], [11.96, 13.96, 15.96, 17.96, 19.96])
    assert r.loc[0, "trend"] == "Increasing"
    assert r.loc[0, "slope"] == pytest.approx(2.0)
    assert r.loc[0, "statistic"] == pytest.approx(40.0)


def test_trend_decreasing_uses_last_five_valid_points():
    y = [100, 1, 18, 16, np.nan, 14, 12, 10]
    lo = [v - 1.96 if not np.isnan(v) else np.nan for v in y]
    hi = [v + 1.96 if not np.isnan(v) else np.nan for v in y]
    r = recent_trend(y, lo, hi)  # uses 18, 16, 14, 12, 10
    assert r.loc[0, "trend"] == "Decreasing" and r.loc[0, "slope"] == pytest.approx(-2.0)


def test_trend_not_significant_and_outlier_check():
    # small slope with wide CIs: slope 0.1, SE 1 -> chi2 = 0.01 / 0.1 = 0.1
    r = recent_trend([10, 10.1, 10.2, 10.3, 10.4], [8.04, 8.14, 8.24, 8.34, 8.44], [11.96, 12.06, 12.16, 12.26, 12.36])
    assert r.loc[0, "trend"] == "No significant change"
    assert r.loc[0, "statistic"] == pytest.approx(0.1)
    # one huge, precise last point drives the slope: dropping it reverses the sign -> not significant
    y = [10, 9.9, 9.8, 9.7, 30]
    se = [0.1, 0.1, 0.1, 0.1, 0.01]
    r = recent_trend(
        y, [a - 1.96 * s for a, s in zip(y, se, strict=True)], [a + 1.96 * s for a, s in zip(y, se, strict=True)]
    )
    assert r.loc[0, "statistic"] > 9.5495
    assert r.loc[0, "trend"] == "No significant change"
    assert "left out" in r.loc[0, "reason"]


def test_trend_proportions_chi_square_for_trend():
    # r = 10..50 of n = 100: N = 500, R = 150, sum rt = 550, sum nt = 1500, sum nt^2 = 5500
    # chi2 = 500 (500 x 550 - 150 x 1500)^2 / (150 x 350 x (500 x 5500 - 1500^2)) = 1.25e12 / 2.625e10 = 47.619
    # (the same statistic as R prop.trend.test(c(10,20,30,40,50), rep(100,5)))
    r = recent_trend(
        [10, 20, 30, 40, 50], [0] * 5, [1] * 5, counts=[10, 20, 30, 40, 50], denominators=[100] * 5, proportion=True
    )
    assert r.loc[0, "statistic"] == pytest.approx(1.25e12 / 2.625e10)
    assert r.loc[0, "trend"] == "Increasing"
    flat = recent_trend(
        [20] * 5, [0] * 5, [1] * 5, counts=[20, 21, 20, 19, 20], denominators=[100] * 5, proportion=True
    )
    assert flat.loc[0, "trend"] == "No significant change"


def test_trend_cannot_be_calculated():
    r = recent_trend([1, 2, None, 4, 5], [0, 1, 2, 3, 4], [2, 3, 4, 5, 6])
    assert r.loc[0, "trend"] == "Cannot be calculated" and r.loc[0, "points_used"] == 4
    with pytest.raises(StatsInputError, match="counts and denominators"):
        recent_trend([1] * 5, [0] * 5, [2] * 5, proportion=True)
