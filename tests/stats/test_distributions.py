"""The scipy.special forms in svsna.stats._common give scipy.stats' numbers bit for bit.

svsna.stats calls the ufuncs behind ``scipy.stats.norm``, ``chi2`` and ``beta`` directly (and
its own Benjamini-Hochberg adjustment) so that an assessment never imports scipy.stats; the
limits of every rate, ratio and hot spot must not move by a single bit because of it.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from scipy import stats as sps

from svsna.stats._common import beta_ppf, chi2_ppf, norm_ppf, norm_sf
from svsna.stats.hotspots import benjamini_hochberg

RNG = np.random.default_rng(20261203)
COUNTS = np.concatenate([np.arange(0, 60, dtype=float), RNG.integers(60, 200_000, 400).astype(float), [1e-300, 0.5]])
QUANTILES = (0.0005, 0.001, 0.005, 0.025, 0.05, 0.5, 0.95, 0.975, 0.995, 0.999, 0.9995)


@pytest.mark.parametrize("q", QUANTILES)
def test_chi2_ppf_is_scipy_stats(q):
    df = np.concatenate([2.0 * COUNTS, 2.0 * COUNTS + 2.0, [0.0, -1.0, np.nan, np.inf]])
    assert np.array_equal(chi2_ppf(q, df), sps.chi2.ppf(q, df), equal_nan=True)


@pytest.mark.parametrize("q", QUANTILES)
def test_beta_ppf_is_scipy_stats(q):
    a = np.concatenate([np.maximum(COUNTS, 1e-300), COUNTS + 1.0, [0.0, -2.0, np.nan, 3.0]])
    b = np.concatenate([COUNTS[::-1] + 1.0, np.maximum(COUNTS[::-1], 1e-300), [1.0, 1.0, 1.0, np.nan]])
    assert np.array_equal(beta_ppf(q, a, b), sps.beta.ppf(q, a, b), equal_nan=True)


def test_normal_quantile_and_tail_are_scipy_stats():
    q = np.linspace(0.0001, 0.9999, 997)
    assert np.array_equal(norm_ppf(q), sps.norm.ppf(q))
    x = np.concatenate([np.linspace(0, 40, 1001), [np.inf, np.nan]])
    assert np.array_equal(norm_sf(x), sps.norm.sf(x), equal_nan=True)


@pytest.mark.parametrize("size", [1, 2, 3, 17, 400])
def test_benjamini_hochberg_is_scipy_stats(size):
    p = RNG.random(size) ** 3
    p[: size // 3] = p[0]  # ties
    if size > 5:
        p[-1], p[-2] = 0.0, 1.0
    assert np.array_equal(benjamini_hochberg(p), sps.false_discovery_control(p, method="bh"))
    with_nan = np.concatenate([[np.nan], p, [np.nan]])
    got = benjamini_hochberg(with_nan)
    assert np.isnan(got[[0, -1]]).all()
    assert np.array_equal(got[1:-1], sps.false_discovery_control(p, method="bh"))


def test_benjamini_hochberg_refuses_p_outside_0_1():
    with pytest.raises(ValueError, match="between 0 and 1"):
        benjamini_hochberg([0.2, 1.5])


def test_rates_ratios_and_hot_spots_do_not_import_scipy_stats():
    code = (
        "import sys, numpy as np\n"
        "from svsna.stats import crude_rate, proportion, rate_ratio, period_change, getis_ord_gi_star, dsr\n"
        "crude_rate([0, 5, 50], 1000); proportion([3, 40], [10, 90]); rate_ratio(11, 800, 21, 3011)\n"
        "period_change([10, 0], [12, 4]); getis_ord_gi_star([1, 2, 6, 1], {0: [1], 1: [0, 2], 2: [1, 3], 3: [2]})\n"
        "print('scipy.stats' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
