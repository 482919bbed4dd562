"""Crude rates with exact Poisson (below 10 events) or Byar's (10 or more) confidence limits.

Method: OHID Fingertips / PHE Technical Guide "Confidence intervals" (2018) and
PHEindicatormethods ``calculate_rate``: r = O / n x multiplier; limits are the Poisson
limits of O divided by n. Formulas are implemented from the published guidance (no code
copied from GPL packages).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from svsna.stats._common import StatsInputError, broadcast, check_confidence, check_nonnegative, poisson_limits

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["crude_rate"]


def crude_rate(
    count: Any,
    population: Any,
    multiplier: float = 1000,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Crude rate per ``multiplier`` people with a Poisson confidence interval.

    Parameters
    ----------
    count : number or array-like
        Observed events O (offences, admissions ...). Must be >= 0; missing allowed.
    population : number or array-like
        Denominator n (people, or person-years). Must be >= 0; missing allowed.
    multiplier : float, default 1000
        Rate per this many (1,000 for crime SNAs, 100,000 for health indicators).
    confidence : float, default 0.95
        Two-sided confidence level (0.998 for the Fingertips outer limit).

    Returns
    -------
    pandas.DataFrame
        One row per input: ``numerator, denominator, value, lower, upper, method, confidence``.
        ``method`` is ``"Exact Poisson"`` (O < 10; chi-square limits, lower 0 when O = 0) or
        ``"Byar's"`` (O >= 10). Rows that cannot be calculated have NaN value and limits and
        a ``method`` beginning ``"Not calculated: "`` with the reason.

    Raises
    ------
    StatsInputError
        (a ``ValueError``) for negative counts or populations or an invalid confidence.

    Notes
    -----
    Exact limits: O_L = chi2(alpha/2, 2O)/2, O_U = chi2(1 - alpha/2, 2O + 2)/2.
    Byar's: O_L = O(1 - 1/(9O) - z/(3 sqrt O))^3, O_U = (O+1)(1 - 1/(9(O+1)) + z/(3 sqrt(O+1)))^3.
    Source: PHE (2018) *Technical Guide: Confidence Intervals*; Fingertips "Rates" guidance.

    Examples
    --------
    >>> r = crude_rate([0, 9, 10], 1000)
    >>> r[["value", "method"]].to_dict("list")
    {'value': [0.0, 9.0, 10.0], 'method': ['Exact Poisson', 'Exact Poisson', "Byar's"]}
    >>> round(float(r.loc[2, "lower"]), 3), round(float(r.loc[2, "upper"]), 3)
    (4.787, 18.391)
    >>> crude_rate(5, 0).loc[0, "method"]
    'Not calculated: population is zero'
    """
    import pandas as pd

    conf = check_confidence(confidence)
    b = broadcast(count=count, population=population)
    o, n = b["count"], b["population"]
    check_nonnegative(o, "count")
    check_nonnegative(n, "population")
    mult = float(multiplier)
    if not mult > 0:
        raise StatsInputError(f"multiplier must be positive (e.g. 1000 or 100000), got {multiplier!r}")

    lo, hi, method = poisson_limits(np.nan_to_num(o), conf)
    ok = ~np.isnan(o) & ~np.isnan(n) & (n > 0)
    safe_n = np.where(ok, n, 1.0)
    value = np.where(ok, o / safe_n * mult, np.nan)
    lower = np.where(ok, lo / safe_n * mult, np.nan)
    upper = np.where(ok, hi / safe_n * mult, np.nan)
    method = method.copy()
    method[np.isnan(o)] = "Not calculated: count missing"
    method[np.isnan(n)] = "Not calculated: population missing"
    method[~np.isnan(n) & (n == 0)] = "Not calculated: population is zero"
    return pd.DataFrame(
        {
            "numerator": o,
            "denominator": n,
            "value": value,
            "lower": lower,
            "upper": upper,
            "method": method,
            "confidence": conf,
        }
    )
