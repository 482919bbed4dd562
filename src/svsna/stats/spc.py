"""Statistical process control: XmR charts with the NHS "Making Data Count" rules.

Method (NHS England/Improvement "Making Data Count"; the reference implementation is
``nhs-r-community/NHSRplotthedots`` ``ptd_spc_standard`` and ``ptd_calculate_point_type``,
CRAN 0.2.x; implemented here from the published rules):

* centre line = mean of the baseline points (all points unless ``baseline`` is given);
* moving ranges MR_t = |y_t - y_(t-1)| within the baseline, average AMR; with outlier
  screening (default) moving ranges >= 3.267 AMR are dropped and AMR recomputed;
* process limits = mean +/- 2.66 AMR; near-limit band = mean +/- (2/3)(2.66) AMR;
* special cause when any of: a point **outside the process limits**; a **run of 7** or more
  points on the same side of the mean (a point on the mean breaks a run); a **trend of 7**
  or more points each strictly higher (or lower) than the one before; **2 of 3** consecutive
  points on the same side of the mean lying between the near limit and the process limit.
  Every point of a qualifying run or trend is flagged; for 2-of-3 the points near the limit
  are flagged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from svsna.stats._common import StatsInputError, as_float_array

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["IMPROVEMENT_DIRECTIONS", "spc"]

LIMIT = 2.66
NEAR = 2.0 * LIMIT / 3.0
MR_SCREEN = 3.267
RUN = 7
IMPROVEMENT_DIRECTIONS = ("neutral", "increase", "decrease")


def _flag_runs(mask_same: np.ndarray, length: int) -> np.ndarray:
    """Flag every element of runs (consecutive True in ``mask_same``) of at least ``length``."""
    out = np.zeros(len(mask_same), dtype=bool)
    start = None
    for i, v in enumerate([*mask_same.tolist(), False]):
        if v and start is None:
            start = i
        elif not v and start is not None:
            if i - start >= length:
                out[start:i] = True
            start = None
    return out


def _side_runs(side: np.ndarray) -> np.ndarray:
    out = np.zeros(len(side), dtype=bool)
    for s in (1, -1):
        out |= _flag_runs(side == s, RUN)
    return out


def _trend_runs(y: np.ndarray) -> np.ndarray:
    """Points belonging to RUN or more consecutive strictly rising (or falling) values."""
    out = np.zeros(len(y), dtype=bool)
    if len(y) < RUN:
        return out
    d = np.sign(np.diff(y))
    for s in (1, -1):
        # a run of k equal-sign differences covers k + 1 points
        steps = _flag_runs(d == s, RUN - 1)
        pts = np.zeros(len(y), dtype=bool)
        pts[:-1] |= steps
        pts[1:] |= steps
        out |= pts
    return out


def _two_of_three(close: np.ndarray, side: np.ndarray) -> np.ndarray:
    out = np.zeros(len(close), dtype=bool)
    for i in range(len(close) - 2):
        window = slice(i, i + 3)
        if close[window].sum() >= 2 and abs(side[window].sum()) == 3:
            out[window] |= close[window]
    return out


def spc(
    values: Any,
    dates: Any = None,
    baseline: int | None = None,
    improvement: str = "neutral",
    screen_outliers: bool = True,
) -> pd.DataFrame:
    """XmR (individuals) chart with Making Data Count special-cause rules.

    Parameters
    ----------
    values : array-like
        The measure per period in time order (e.g. monthly offences). No gaps or missing values.
    dates : array-like, optional
        Period labels (kept as the ``date`` column); a 0-based period number otherwise.
    baseline : int, optional
        Fix the mean and limits on the first ``baseline`` points (Making Data Count advises
        at least 12; NHSRplotthedots ``fix_after_n_points``). Default: all points.
    improvement : {"neutral", "increase", "decrease"}, default "neutral"
        Direction of improvement; sets ``interpretation`` of special-cause points
        (for violence, ``"decrease"``).
    screen_outliers : bool, default True
        Drop moving ranges of at least 3.267 x AMR before the final AMR (as NHSRplotthedots).

    Returns
    -------
    pandas.DataFrame
        One row per point: ``date, value, mean, lower_limit, upper_limit, near_lower,
        near_upper, outside_limits, run_of_7, trend_of_7, two_of_three, special_cause,
        point_type`` (``"Common cause"``, ``"Special cause - high"``, ``"Special cause - low"``;
        high/low is the side of the mean), ``interpretation`` (``"Common cause"``,
        ``"Improvement"``, ``"Concern"`` or ``"Neutral"``) and ``method``.

    Raises
    ------
    StatsInputError
        (a ``ValueError``) for missing values, fewer than 2 points, a bad baseline or direction.

    Notes
    -----
    Sources: NHS England "Making Data Count" (2019) and the "Plot the Dots" rules;
    NHSRplotthedots ``R/ptd_spc_standard.R`` and ``R/ptd_calculate_point_type.R``.

    Examples
    --------
    >>> r = spc([10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 30])
    >>> round(float(r.loc[0, "upper_limit"]), 4)  # mean 135/11 + 2.66 x AMR (19 screened out -> AMR 1)
    14.9327
    >>> r["point_type"].iloc[[0, 10]].tolist()
    ['Special cause - low', 'Special cause - high']
    """
    import pandas as pd

    y = as_float_array(values, "values")
    n = len(y)
    if np.isnan(y).any():
        i = int(np.flatnonzero(np.isnan(y))[0])
        raise StatsInputError(f"spc: value missing at position {i}; an XmR chart needs a complete series")
    if n < 2:
        raise StatsInputError("spc: need at least 2 points (12 or more recommended)")
    if improvement not in IMPROVEMENT_DIRECTIONS:
        raise StatsInputError(f"spc: improvement must be one of {IMPROVEMENT_DIRECTIONS}, got {improvement!r}")
    k = n if baseline is None else int(baseline)
    if not 2 <= k <= n:
        raise StatsInputError(f"spc: baseline must be between 2 and the number of points ({n}), got {baseline!r}")
    if dates is None:
        date_col: Any = np.arange(n)
    else:
        date_col = list(dates)
        if len(date_col) != n:
            raise StatsInputError(f"spc: {len(date_col)} dates for {n} values")

    base = y[:k]
    mean = float(base.mean())
    mr = np.abs(np.diff(base))
    amr = float(mr.mean())
    if screen_outliers:
        kept = mr[mr < MR_SCREEN * amr]
        amr = float(kept.mean()) if kept.size else amr
    upl, lpl = mean + LIMIT * amr, mean - LIMIT * amr
    nupl, nlpl = mean + NEAR * amr, mean - NEAR * amr

    outside = (y > upl) | (y < lpl)
    side = np.sign(y - mean).astype(int)
    close = ~outside & ((y > nupl) | (y < nlpl))
    run7 = _side_runs(side)
    trend7 = _trend_runs(y)
    two3 = _two_of_three(close, side)
    special = outside | run7 | trend7 | two3

    high = side > 0
    point_type = np.where(~special, "Common cause", np.where(high, "Special cause - high", "Special cause - low"))
    if improvement == "neutral":
        interp = np.where(special, "Neutral", "Common cause")
    else:
        good = high if improvement == "increase" else ~high
        interp = np.where(~special, "Common cause", np.where(good, "Improvement", "Concern"))
    return pd.DataFrame(
        {
            "date": date_col,
            "value": y,
            "mean": mean,
            "lower_limit": lpl,
            "upper_limit": upl,
            "near_lower": nlpl,
            "near_upper": nupl,
            "outside_limits": outside,
            "run_of_7": run7,
            "trend_of_7": trend7,
            "two_of_three": two3,
            "special_cause": special,
            "point_type": point_type.astype(object),
            "interpretation": interp.astype(object),
            "method": "XmR (Making Data Count)",
        }
    )
