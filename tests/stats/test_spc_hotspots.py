"""XmR SPC (Making Data Count rules) and Getis-Ord Gi* hot spots."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from svsna.stats import StatsInputError, contiguity_weights, getis_ord_gi_star, grid_weights, spc
from svsna.stats.hotspots import benjamini_hochberg

# ---------------------------------------------------------------- SPC


def test_spc_limits_by_hand_no_signals():
    # y = 1,3,1,3,1,3: mean 2; moving ranges all 2 -> AMR 2; limits 2 +/- 2.66 x 2 = -3.32, 7.32;
    # near limits 2 +/- (2/3)(2.66)(2) = 2 +/- 3.546667. Points alternate sides: no rule fires.
    r = spc([1, 3, 1, 3, 1, 3], dates=list("abcdef"))
    assert r.loc[0, "mean"] == pytest.approx(2.0)
    assert r.loc[0, "lower_limit"] == pytest.approx(-3.32) and r.loc[0, "upper_limit"] == pytest.approx(7.32)
    assert r.loc[0, "near_upper"] == pytest.approx(2 + 2 * 2.66 * 2 / 3)
    assert (r["point_type"] == "Common cause").all()
    assert r["date"].tolist() == list("abcdef")


def test_spc_outside_limits_run_and_screened_moving_range():
    # mean = (5 x 10 + 5 x 11 + 30) / 11 = 12.272727; moving ranges: nine of 1 and one of 19;
    # AMR = 28/10 = 2.8, screen 19 >= 3.267 x 2.8 = 9.15 -> dropped, AMR = 1;
    # UPL = 12.272727 + 2.66 = 14.932727; 30 is outside (high); the first ten points are all
    # below the mean (a run of 10 >= 7) -> every one is special cause low.
    r = spc([10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 30])
    assert r.loc[0, "upper_limit"] == pytest.approx(135 / 11 + 2.66)
    assert r["outside_limits"].tolist() == [False] * 10 + [True]
    assert r["run_of_7"].tolist() == [True] * 10 + [False]
    assert r["point_type"].tolist() == ["Special cause - low"] * 10 + ["Special cause - high"]
    # without screening AMR = 2.8 and UPL = 12.2727 + 7.448 = 19.72; 30 is still outside
    unscreened = spc([10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 30], screen_outliers=False)
    assert unscreened.loc[0, "upper_limit"] == pytest.approx(135 / 11 + 2.66 * 2.8)


def test_spc_run_of_six_is_not_a_signal_but_seven_is():
    # baseline of 8 alternating points fixes mean 10 and AMR 2 (limits 4.68, 15.32).
    base = [11, 9, 11, 9, 11, 9, 11, 9]  # ends below the mean, so the run starts after it
    six = spc([*base, 12, 12, 12, 12, 12, 12, 8], baseline=8)
    assert not six["run_of_7"].any()
    seven = spc([*base, 12, 12, 12, 12, 12, 12, 12, 8], baseline=8)
    assert seven["run_of_7"].tolist() == [False] * 8 + [True] * 7 + [False]


def test_spc_trend_of_seven():
    # 1..7 rising strictly (6 increases) is a trend; a tie would break it.
    y = [5, 4, 6, 5, 4, 6, 1, 2, 3, 4, 5, 6, 7, 5]
    r = spc(y)
    assert r["trend_of_7"].tolist() == [False] * 6 + [True] * 7 + [False]
    tie = spc([5, 4, 6, 5, 4, 6, 1, 2, 3, 3, 5, 6, 7, 5])
    assert not tie["trend_of_7"].any()


def test_spc_two_of_three_near_limit_and_improvement_direction():
    # baseline 9,11,... -> mean 10, AMR 2, near upper 13.5467, UPL 15.32.
    # 14, 10.5, 14: all above the mean, two in the outer third -> the two 14s flagged, 10.5 not.
    r = spc([9, 11, 9, 11, 9, 11, 14, 10.5, 14, 9, 11, 16], baseline=6, improvement="decrease")
    assert r["two_of_three"].tolist() == [False] * 6 + [True, False, True] + [False] * 3
    assert r.loc[11, "outside_limits"]
    assert r.loc[[6, 8, 11], "interpretation"].tolist() == ["Concern"] * 3
    assert r.loc[7, "interpretation"] == "Common cause"
    up = spc([9, 11, 9, 11, 9, 11, 14, 10.5, 14, 9, 11, 16], baseline=6, improvement="increase")
    assert up.loc[11, "interpretation"] == "Improvement"
    neutral = spc([9, 11, 9, 11, 9, 11, 14, 10.5, 14, 9, 11, 16], baseline=6)
    assert neutral.loc[11, "interpretation"] == "Neutral"


def test_spc_bad_input():
    with pytest.raises(StatsInputError, match="missing at position 1"):
        spc([1, None, 3])
    with pytest.raises(StatsInputError, match="baseline"):
        spc([1, 2, 3], baseline=1)
    with pytest.raises(StatsInputError, match="improvement"):
        spc([1, 2, 3], improvement="up")


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(0, 1000, allow_nan=False), min_size=2, max_size=40))
def test_spc_points_outside_limits_are_special(y):
    r = spc(y)
    assert (r["lower_limit"] <= r["mean"]).all() and (r["mean"] <= r["upper_limit"]).all()
    assert r.loc[r["outside_limits"], "special_cause"].all()
    assert ((r["point_type"] == "Common cause") == ~r["special_cause"]).all()


# ---------------------------------------------------------------- Gi*


def test_gi_star_hand_worked_line_of_four():
    # values 1, 2, 6, 1 on a line; Gi* includes self. n = 4, xbar = 2.5, S^2 = 42/4 - 6.25 = 4.25.
    # area 0: W = 2, sum wx = 3 -> (3 - 5) / (S sqrt((4 x 2 - 4) / 3)) = -2 / 2.380476 = -0.840168
    # area 1: W = 3, sum wx = 9 -> 1.5 / (S sqrt((12 - 9) / 3)) = 1.5 / 2.061553 = 0.727607
    r = getis_ord_gi_star([1, 2, 6, 1], {0: [1], 1: [0, 2], 2: [1, 3], 3: [2]}, fdr=False)
    s = math.sqrt(4.25)
    expected = [-2 / (s * math.sqrt(4 / 3)), 1.5 / s, 1.5 / s, 2 / (s * math.sqrt(4 / 3))]
    assert r["z"].tolist() == pytest.approx(expected)
    assert r["neighbours"].tolist() == [2, 3, 3, 2]
    assert r["p_value"].tolist() == pytest.approx(
        [2 * (1 - 0.5 * (1 + math.erf(abs(z) / math.sqrt(2)))) for z in expected]
    )
    assert (r["classification"] == "Not significant").all()


def test_gi_star_undefined_when_area_neighbours_everything():
    # 3 areas on a line: the middle one neighbours all areas, so its Gi* variance is zero
    r = getis_ord_gi_star([1, 2, 6], {0: [1], 1: [0, 2], 2: [1]})
    assert math.isnan(r.loc[1, "z"]) and r.loc[1, "classification"] == "Not significant"


def test_gi_star_matches_esda_binary_weights():
    from esda.getisord import G_Local
    from libpysal.weights import lat2W

    rng = np.random.default_rng(42)
    y = rng.poisson(5, 49).astype(float)
    y[[0, 1, 7, 8]] += 25  # a hot corner
    wq = lat2W(7, 7, rook=False)
    ref = G_Local(y, wq, transform="B", star=True, permutations=0)
    ours = getis_ord_gi_star(y, grid_weights(7, 7, queen=True), fdr=False)
    assert ours["z"].to_numpy() == pytest.approx(ref.Zs, rel=1e-9)
    assert ours["p_value"].to_numpy() == pytest.approx(2 * ref.p_norm, rel=1e-9)
    assert ours.loc[0, "classification"].startswith("Hot spot")


def test_grid_weights_match_libpysal():
    from libpysal.weights import lat2W

    for rook in (True, False):
        ref = lat2W(4, 5, rook=rook).sparse.toarray()
        assert (grid_weights(4, 5, queen=not rook).toarray() == ref).all()


def test_contiguity_weights_queen_and_geoseries():
    import geopandas as gpd
    from shapely.geometry import box

    # 2 x 2 squares: every pair touches at least at a corner (queen) -> all 1 off the diagonal
    squares = gpd.GeoSeries([box(0, 0, 1, 1), box(1, 0, 2, 1), box(0, 1, 1, 2), box(1, 1, 2, 2)])
    w = contiguity_weights(squares).toarray()
    assert (w == 1 - np.eye(4)).all()
    with pytest.raises(StatsInputError, match="geometry 1 is missing"):
        contiguity_weights([box(0, 0, 1, 1), None])


def test_fdr_by_hand_and_classes():
    # Benjamini & Hochberg (1995): sort p, q_(i) = min over j >= i of p_(j) m / j. For m = 4:
    # 0.01 x 4/1 = 0.04; 0.03 x 4/2 = 0.06 -> min(0.06, 0.0533) = 0.0533; 0.04 x 4/3 = 0.0533; 0.5 x 4/4 = 0.5
    q = benjamini_hochberg([0.01, 0.04, 0.03, 0.5, np.nan])
    assert q[:4] == pytest.approx([0.04, 0.16 / 3, 0.16 / 3, 0.5]) and np.isnan(q[4])
    # with FDR, fewer areas are significant than without
    y = np.zeros(100)
    y[:3] = 10
    w = grid_weights(10, 10)
    raw = getis_ord_gi_star(y, w, fdr=False)
    adj = getis_ord_gi_star(y, w, fdr=True)
    assert (adj["p_adjusted"] >= adj["p_value"] - 1e-15).all()
    n_raw = (raw["classification"] != "Not significant").sum()
    n_adj = (adj["classification"] != "Not significant").sum()
    assert 0 < n_adj <= n_raw
    assert set(adj["classification"]) <= {
        "Hot spot (99%)",
        "Hot spot (95%)",
        "Cold spot (99%)",
        "Cold spot (95%)",
        "Not significant",
    }


def test_gi_star_labels_dict_and_row_transform():
    s = pd.Series([1.0, 2.0, 6.0, 1.0], index=["a", "b", "c", "d"])
    r = getis_ord_gi_star(s, {"a": ["b"], "b": ["a", "c"], "c": ["b", "d"], "d": ["c"]}, fdr=False)
    assert r.loc[2, "z"] == pytest.approx(1.5 / math.sqrt(4.25))
    # row-standardised, by hand for area 0: w = (1/2, 1/2, 0, 0); W = 1, sum w^2 = 1/2;
    # num = 1.5 - 2.5 = -1; den = S sqrt((4 x 0.5 - 1) / 3) = 2.061553 x 0.577350 = 1.190238 -> z = -0.840168
    rr = getis_ord_gi_star(s, {"a": ["b"], "b": ["a", "c"], "c": ["b", "d"], "d": ["c"]}, transform="row", fdr=False)
    assert rr.loc[0, "z"] == pytest.approx(-1 / (math.sqrt(4.25) * math.sqrt(1 / 3)))
    with pytest.raises(StatsInputError, match="'zz' is not a label"):
        getis_ord_gi_star(s, {"a": ["zz"]})
    with pytest.raises(StatsInputError, match="missing"):
        getis_ord_gi_star([1, None, 3], grid_weights(1, 3))


def test_gi_star_accepts_libpysal_w_and_dense_arrays():
    from libpysal.weights import lat2W

    y = np.arange(16, dtype=float)
    ref = getis_ord_gi_star(y, grid_weights(4, 4, queen=False), fdr=False)["z"].to_numpy()
    from_w = getis_ord_gi_star(y, lat2W(4, 4), fdr=False)["z"].to_numpy()
    dense = getis_ord_gi_star(y, grid_weights(4, 4, queen=False).toarray(), fdr=False)["z"].to_numpy()
    assert from_w == pytest.approx(ref) and dense == pytest.approx(ref)
    with pytest.raises(StatsInputError, match=r"shape \(2, 2\), expected \(16, 16\)"):
        getis_ord_gi_star(y, np.eye(2))
