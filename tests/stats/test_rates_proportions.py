"""Crude rates (exact Poisson / Byar's) and Wilson proportions against published and hand values."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from svsna.stats import StatsInputError, crude_rate, proportion

Z95 = 1.959963984540054  # standard normal 97.5% quantile
Z998 = 3.090232306167813  # 99.9% quantile (two-sided 99.8%)


def byars(o: float, z: float) -> tuple[float, float]:
    """Byar's limits written out from PHE Technical Guide 'Confidence intervals' (2018)."""
    lo = o * (1 - 1 / (9 * o) - z / (3 * math.sqrt(o))) ** 3
    hi = (o + 1) * (1 - 1 / (9 * (o + 1)) + z / (3 * math.sqrt(o + 1))) ** 3
    return lo, hi


# Exact 95% Poisson limits for small counts, from the classic published table
# (Garwood 1936; reproduced e.g. in Breslow & Day 1987 vol. II appendix / Ulm 1990):
# O: (lower, upper)
GARWOOD_95 = {0: (0.0, 3.689), 1: (0.0253, 5.572), 2: (0.242, 7.225), 5: (1.624, 11.668), 9: (4.115, 17.085)}


@pytest.mark.parametrize("o", sorted(GARWOOD_95))
def test_exact_poisson_matches_published_table(o):
    r = crude_rate(o, 1, multiplier=1)
    lo, hi = GARWOOD_95[o]
    assert r.loc[0, "method"] == "Exact Poisson"
    assert r.loc[0, "lower"] == pytest.approx(lo, abs=6e-4)
    assert r.loc[0, "upper"] == pytest.approx(hi, abs=6e-4)


def test_r_poisson_test_reference():
    # R ?poisson.test: poisson.test(137, 24.19893) gives 95% CI 4.753125 6.692709 (exact).
    from svsna.stats._common import exact_poisson_limits

    lo, hi = exact_poisson_limits(np.array([137.0]), 0.95)
    assert lo[0] / 24.19893 == pytest.approx(4.753125, abs=2e-6)
    assert hi[0] / 24.19893 == pytest.approx(6.692709, abs=2e-6)


def test_count_9_is_exact_and_10_is_byars():
    r = crude_rate([9, 10], [2000, 2000], multiplier=1000)
    assert r["method"].tolist() == ["Exact Poisson", "Byar's"]
    # 10 events: Byar's by hand. 1 - 1/90 - z/(3 sqrt 10) = 1 - 0.011111 - 0.206598 = 0.782291,
    # cubed 0.478745 -> O_L = 4.78745; upper: 1 - 1/99 + z/(3 sqrt 11) = 1 - 0.010101 + 0.196985
    # = 1.186883, cubed 1.671951 -> O_U = 11 x 1.671951 = 18.3915. Limits of the rate per 1000 = O / 2.
    assert r.loc[1, "lower"] == pytest.approx(4.78745 / 2, abs=1e-4)
    assert r.loc[1, "upper"] == pytest.approx(18.3915 / 2, abs=1e-4)
    assert r.loc[0, "value"] == pytest.approx(4.5)
    assert r.loc[0, "lower"] == pytest.approx(4.115 / 2, abs=1e-3)


def test_byars_at_998_confidence():
    lo, hi = byars(50, Z998)
    r = crude_rate(50, 100_000, multiplier=100_000, confidence=0.998)
    assert r.loc[0, "lower"] == pytest.approx(lo, rel=1e-9)
    assert r.loc[0, "upper"] == pytest.approx(hi, rel=1e-9)
    assert r.loc[0, "confidence"] == 0.998
    # and wider than the 95% interval
    r95 = crude_rate(50, 100_000, multiplier=100_000)
    assert r.loc[0, "lower"] < r95.loc[0, "lower"] and r.loc[0, "upper"] > r95.loc[0, "upper"]


def test_count_zero_has_lower_zero():
    r = crude_rate(0, 5000, multiplier=1000)
    assert r.loc[0, "value"] == 0 and r.loc[0, "lower"] == 0
    assert r.loc[0, "upper"] == pytest.approx(3.689 / 5, abs=1e-3)


def test_missing_and_zero_population_give_reasons_not_errors():
    r = crude_rate([5, None, 5, 3], [0, 100, None, 100])
    assert r["method"].tolist()[:3] == [
        "Not calculated: population is zero",
        "Not calculated: count missing",
        "Not calculated: population missing",
    ]
    assert r.loc[:2, ["value", "lower", "upper"]].isna().all().all()
    assert r.loc[3, "value"] == pytest.approx(30.0)


def test_bad_inputs_raise_clear_errors():
    with pytest.raises(StatsInputError, match="count: negative value -1 at position 1"):
        crude_rate([1, -1], 100)
    with pytest.raises(ValueError, match="confidence"):
        crude_rate(1, 100, confidence=95)
    with pytest.raises(ValueError, match="different lengths"):
        crude_rate([1, 2, 3], [100, 200])
    with pytest.raises(ValueError, match="not a number"):
        crude_rate(["a"], 100)


# Newcombe (1998) Stat Med 17:857-872, Table II, method 3 (Wilson score without continuity correction)
NEWCOMBE = [(81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605), (0, 20, 0.0, 0.1611), (1, 29, 0.0061, 0.1718)]


@pytest.mark.parametrize(("x", "n", "lo", "hi"), NEWCOMBE)
def test_wilson_against_newcombe_1998(x, n, lo, hi):
    p = proportion(x, n)
    assert p.loc[0, "method"] == "Wilson"
    assert p.loc[0, "lower"] == pytest.approx(lo, abs=6e-5)
    assert p.loc[0, "upper"] == pytest.approx(hi, abs=6e-5)


def test_wilson_by_hand_percentage_and_998():
    # x = 5, n = 5 (numerator = denominator): upper is 1; lower = (2x + z^2 - z sqrt(z^2 + 0)) / (2(n + z^2))
    # = (10 + z^2 - z^2) / (2 (5 + z^2)) = 5 / (5 + z^2)
    p = proportion(5, 5, multiplier=100, confidence=0.998)
    assert p.loc[0, "value"] == 100
    assert p.loc[0, "upper"] == 100
    assert p.loc[0, "lower"] == pytest.approx(100 * 5 / (5 + Z998**2), rel=1e-12)


def test_proportion_edge_cases():
    p = proportion([0, None, 0], [0, 10, 0])
    assert p["method"].tolist() == [
        "Not calculated: denominator is zero",
        "Not calculated: numerator missing",
        "Not calculated: denominator is zero",
    ]
    with pytest.raises(StatsInputError, match="numerator 11 exceeds denominator 10 at position 0"):
        proportion(11, 10)


@settings(max_examples=50, deadline=None)
@given(o=st.integers(0, 5000), n=st.integers(1, 10**7), conf=st.sampled_from([0.9, 0.95, 0.998]))
def test_rate_limits_bracket_value(o, n, conf):
    r = crude_rate(o, n, confidence=conf).iloc[0]
    assert 0 <= r["lower"] <= r["value"] <= r["upper"]


@settings(max_examples=50, deadline=None)
@given(data=st.data(), conf=st.sampled_from([0.95, 0.998]))
def test_wilson_limits_bracket_value(data, conf):
    n = data.draw(st.integers(1, 10**6))
    x = data.draw(st.integers(0, n))
    r = proportion(x, n, confidence=conf).iloc[0]
    assert 0 <= r["lower"] <= r["value"] <= r["upper"] <= 1
