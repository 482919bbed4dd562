"""Rate ratios, period change and benchmark comparison."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from svsna.stats import StatsInputError, compare_to_benchmark, period_change, rate_ratio


def test_rate_ratio_matches_r_poisson_test_example():
    # R ?poisson.test: poisson.test(c(11, 6+8+7), c(800, 1083+1050+878))
    # "95 percent confidence interval: 0.8584264 4.2772659; rate ratio 1.971488"
    r = rate_ratio(11, 800, 21, 3011).iloc[0]
    assert r["value"] == pytest.approx(1.971488, abs=1e-6)
    assert r["lower"] == pytest.approx(0.8584264, abs=1e-6)
    assert r["upper"] == pytest.approx(4.2772659, abs=1e-6)
    assert r["significance"] == "Similar"
    assert r["method"] == "Rate ratio (exact conditional)"


def test_rate_ratio_independent_clopper_pearson():
    # Independent route: scipy's binomtest exact (Clopper-Pearson) CI for p = a / (a + b), then
    # RR = p / (1 - p) x pop_b / pop_a (Breslow & Day 1987 vol. II s.2.2).
    from scipy.stats import binomtest

    a, na, b, nb = 60, 10_000, 30, 12_000
    ci = binomtest(a, a + b).proportion_ci(confidence_level=0.998, method="exact")
    r = rate_ratio(a, na, b, nb, confidence=0.998).iloc[0]
    assert r["lower"] == pytest.approx(ci.low / (1 - ci.low) * nb / na, rel=1e-9)
    assert r["upper"] == pytest.approx(ci.high / (1 - ci.high) * nb / na, rel=1e-9)
    assert r["value"] == pytest.approx((60 / 10_000) / (30 / 12_000))  # 2.4
    assert r["significance"] == "Higher"


def test_rate_ratio_lower_and_edge_cases():
    r = rate_ratio([5, 0, 5, 3, None], [1000, 100, 100, 0, 10], [50, 5, 0, 3, 3], [1000, 100, 100, 100, 10])
    assert r.loc[0, "significance"] == "Lower"  # 0.1 with CI well below 1
    # count_a = 0: ratio 0, lower limit 0 (Clopper-Pearson lower for x = 0)
    assert r.loc[1, "value"] == 0 and r.loc[1, "lower"] == 0
    assert r.loc[2, "significance"] == "Not compared"
    assert r.loc[2, "method"].startswith("Not calculated: count_b is zero")
    assert r.loc[3, "method"] == "Not calculated: pop_a is zero"
    assert r.loc[4, "method"] == "Not calculated: count_a missing"
    with pytest.raises(StatsInputError, match="pop_b: negative value"):
        rate_ratio(1, 1, 1, -1)


def test_period_change_run_rate_and_significance():
    # 300 vs 200 events in equal years: +50%; exact CI for p = 300/500 is well above 0.5 -> Increase
    c = period_change([300, 200, 100, 60], [200, 300, 100, 100], exposure_now=[1, 1, 1, 0.5])
    assert c["pct_change"].round(6).tolist() == [50.0, pytest.approx(-33.333333), 0.0, 20.0]
    assert c["significance"].tolist()[:3] == ["Increase", "Decrease", "No significant change"]
    # 60 in six months vs 100 in a year is a run rate of 120 a year: rate ratio 1.2
    assert c.loc[3, "value"] == pytest.approx(1.2)
    assert period_change(5, 0).loc[0, "significance"] == "Not compared"


@settings(max_examples=50, deadline=None)
@given(a=st.integers(0, 2000), b=st.integers(1, 2000), na=st.integers(1, 10**6), nb=st.integers(1, 10**6))
def test_rate_ratio_brackets_value(a, b, na, nb):
    r = rate_ratio(a, na, b, nb).iloc[0]
    assert 0 <= r["lower"] <= r["value"] * (1 + 1e-12) and r["value"] <= r["upper"] * (1 + 1e-12)


def test_compare_single_level_with_polarity():
    # Fingertips rule: benchmark inside [lower, upper] inclusive -> Similar
    c = compare_to_benchmark(
        value=[12, 9, 5, 10, 10, 12],
        lower=[10, 7, 3, 8, 8, 10],
        upper=[14, 11, 7, 12, 12, 14],
        benchmark=[8, 8, 8, 12, 12, 8],
        polarity=["low_is_good", "low_is_good", "low_is_good", "high_is_good", "not_applicable", "high_is_good"],
    )
    # row 3: benchmark 12 equals the upper limit -> Similar (limits inclusive)
    assert c["significance"].tolist() == ["Worse", "Similar", "Better", "Similar", "Similar", "Better"]
    assert c["comparator_value"].tolist() == [8, 8, 8, 12, 12, 8]
    assert (c["confidence_level"] == 0.95).all()


def test_compare_two_levels_and_missing():
    c = compare_to_benchmark(
        value=[20, 12, 3, None, 10],
        lower=[16, 10, 2, 1, None],
        upper=[24, 14, 4, 2, 12],
        benchmark=10 - 1,  # 9
        lower_998=[14, 8, 1.5, 0.5, 7],
        upper_998=[27, 16, 6, 3, 13],
    )
    assert c["significance"].tolist() == [
        "Higher (99.8%)",
        "Higher (95%)",
        "Lower (99.8%)",
        "Not compared",
        "Not compared",
    ]
    assert c["confidence_level"].tolist()[:3] == [0.998, 0.95, 0.998]
    assert c["confidence_level"].isna().tolist()[3:] == [True, True]


def test_compare_errors():
    with pytest.raises(StatsInputError, match="polarity"):
        compare_to_benchmark(1, 0, 2, 1, polarity="bad")
    with pytest.raises(StatsInputError, match="both lower_998 and upper_998"):
        compare_to_benchmark(1, 0, 2, 1, lower_998=0)
    with pytest.raises(StatsInputError, match="above upper"):
        compare_to_benchmark(1, 3, 2, 1)


@settings(max_examples=50, deadline=None)
@given(
    lo=st.floats(0, 100),
    width=st.floats(0, 50),
    bm=st.floats(0, 200),
    polarity=st.sampled_from(["not_applicable", "low_is_good", "high_is_good"]),
)
def test_compare_similar_exactly_when_benchmark_inside_ci(lo, width, bm, polarity):
    hi = lo + width
    sig = compare_to_benchmark((lo + hi) / 2, lo, hi, bm, polarity=polarity).loc[0, "significance"]
    assert (sig == "Similar") == (lo <= bm <= hi)
    if bm < lo:  # area above the benchmark
        assert sig == {"not_applicable": "Higher", "low_is_good": "Worse", "high_is_good": "Better"}[polarity]
