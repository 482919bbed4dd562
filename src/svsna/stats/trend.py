"""OHID Fingertips "recent trend" test on the five most recent points.

Method (fingertips-open ``PholioVisualisationWS/Analysis/TrendMarkers/TrendMarkerCalculator.cs``,
snapshot 2020-01-14; Fingertips technical guidance "Recent trends"):

* Take the five most recent valid points (value and 95% limits present; counts and
  denominators too for proportions), at times t = 1..5. Fewer than five: *Cannot be
  calculated*.
* Rates and other values: weighted least squares of value on t with weights 1/SE^2,
  SE = (upper - lower) / 3.92. With S1 = sum w, S2 = sum w t y, S3 = sum w t, S4 = sum w y,
  S5 = sum w t^2: slope b = (S1 S2 - S3 S4) / (S1 S5 - S3^2), SE(b) = sqrt(S1 / (S1 S5 - S3^2)),
  chi^2 = (b / SE(b))^2.
* Proportions: chi-square test for linear trend on counts r_t and denominators n_t
  (Cochran-Armitage): with N = sum n, R = sum r,
  chi^2 = N (N sum r t - R sum n t)^2 / (R (N - R) (N sum n t^2 - (sum n t)^2)); the slope is
  the ordinary least-squares slope of logit(r / n) on t.
* Significant when chi^2 > 9.5495 (chi-square, 1 df, 99.8%) **and** the slope has the same
  sign when each of the five points is left out in turn (six fits in all).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from svsna.stats._common import StatsInputError, broadcast

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["CHI_SQUARE_998", "recent_trend"]

CHI_SQUARE_998 = 9.54953570608324  # chi-square(1) upper 0.2% point = 3.090232^2
POINTS = 5


def _wls_slope(t: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    s1, s2, s3, s4, s5 = w.sum(), (w * t * y).sum(), (w * t).sum(), (w * y).sum(), (w * t * t).sum()
    d = s1 * s5 - s3 * s3
    return (s1 * s2 - s3 * s4) / d, float(np.sqrt(s1 / d))


def _ols_slope(t: np.ndarray, y: np.ndarray) -> float:
    return float(np.polyfit(t, y, 1)[0])


def _one_row(trend: str, slope: float, chi2: float, used: int, method: str, reason: str) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(
        {
            "trend": [trend],
            "slope": [slope],
            "statistic": [chi2],
            "threshold": [CHI_SQUARE_998],
            "points_used": [used],
            "method": [method],
            "reason": [reason],
        }
    )


def recent_trend(
    values: Any,
    lower: Any,
    upper: Any,
    counts: Any = None,
    denominators: Any = None,
    proportion: bool = False,
) -> pd.DataFrame:
    """Fingertips recent-trend marker for one time series (oldest point first).

    Parameters
    ----------
    values, lower, upper : array-like
        The indicator values and their 95% confidence limits, one per period, in time order.
        Periods must be consecutive and equally spaced (e.g. financial years).
    counts, denominators : array-like, optional
        Numerators and denominators per period; required when ``proportion=True``.
    proportion : bool, default False
        Use the chi-square test for linear trend in proportions instead of the weighted
        regression on values.

    Returns
    -------
    pandas.DataFrame
        One row: ``trend`` (``"Increasing"``, ``"Decreasing"``, ``"No significant change"`` or
        ``"Cannot be calculated"``), ``slope`` (change in value per period; per period on the
        logit scale for proportions), ``statistic`` (chi-square), ``threshold`` (9.5495),
        ``points_used``, ``method`` and ``reason`` (why not calculated, or which check failed).

    Notes
    -----
    Source: fingertips-open ``TrendMarkerCalculator.cs``; Fingertips "Recent trends"
    technical guidance. Note that Fingertips applies the trend test to indicators with
    annual data; svsna applies it to whatever equally spaced periods are passed.

    Examples
    --------
    >>> r = recent_trend([10, 12, 14, 16, 18], [8.04, 10.04, 12.04, 14.04, 16.04],
    ...                  [11.96, 13.96, 15.96, 17.96, 19.96])
    >>> r.loc[0, "trend"], round(float(r.loc[0, "slope"]), 6), round(float(r.loc[0, "statistic"]), 3)
    ('Increasing', 2.0, 40.0)
    >>> recent_trend([1, 2, 3], [0, 1, 2], [2, 3, 4]).loc[0, "trend"]
    'Cannot be calculated'
    """
    arrays = {"values": values, "lower": lower, "upper": upper}
    if counts is not None:
        arrays["counts"] = counts
    if denominators is not None:
        arrays["denominators"] = denominators
    if proportion and (counts is None or denominators is None):
        raise StatsInputError("recent_trend(proportion=True) needs counts and denominators")
    b = broadcast(**arrays)
    method = "Chi-square test for linear trend (Fingertips)" if proportion else "Weighted regression (Fingertips)"
    valid = ~(np.isnan(b["values"]) | np.isnan(b["lower"]) | np.isnan(b["upper"]))
    for k in ("counts", "denominators"):
        if k in b:
            valid &= ~np.isnan(b[k])
    idx = np.flatnonzero(valid)[-POINTS:]
    if len(idx) < POINTS:
        return _one_row(
            "Cannot be calculated", np.nan, np.nan, len(idx), method, f"fewer than {POINTS} valid points ({len(idx)})"
        )
    t = np.arange(1.0, POINTS + 1.0)
    if proportion:
        r, n = b["counts"][idx], b["denominators"][idx]
        if (r < 0).any() or (r > n).any():
            raise StatsInputError("recent_trend: counts must lie between 0 and their denominators")
        big_n, big_r = n.sum(), r.sum()
        denom = big_r * (big_n - big_r) * (big_n * (n * t * t).sum() - (n * t).sum() ** 2)
        if denom <= 0 or (r == 0).any() or (r == n).any():
            return _one_row(
                "Cannot be calculated",
                np.nan,
                np.nan,
                POINTS,
                method,
                "a count is 0 or equals its denominator (logit undefined)",
            )
        chi2 = float(big_n * (big_n * (r * t).sum() - big_r * (n * t).sum()) ** 2 / denom)
        logit = np.log(r / (n - r))
        slope = _ols_slope(t, logit)
        loo = [_ols_slope(np.delete(t, k), np.delete(logit, k)) for k in range(POINTS)]
    else:
        y = b["values"][idx]
        se = (b["upper"][idx] - b["lower"][idx]) / 3.92
        if (se <= 0).any():
            return _one_row(
                "Cannot be calculated", np.nan, np.nan, POINTS, method, "a confidence interval has zero width"
            )
        w = 1.0 / se**2
        slope, se_slope = _wls_slope(t, y, w)
        chi2 = float((slope / se_slope) ** 2)
        loo = [_wls_slope(np.delete(t, k), np.delete(y, k), np.delete(w, k))[0] for k in range(POINTS)]
    signs = np.sign([slope, *loo])
    consistent = bool(np.all(signs == signs[0]) and signs[0] != 0)
    if chi2 > CHI_SQUARE_998 and consistent:
        trend, reason = ("Increasing" if slope > 0 else "Decreasing"), ""
    elif chi2 > CHI_SQUARE_998:
        trend, reason = "No significant change", "slope changes sign when one point is left out"
    else:
        trend, reason = "No significant change", "chi-square below the 99.8% threshold"
    return _one_row(trend, float(slope), chi2, POINTS, method, reason)
