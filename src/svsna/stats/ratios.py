"""Rate ratios and period-on-period change with exact conditional (binomial) intervals.

Method: conditional on the total O = a + b, the count a in group A is binomial with
probability p = R E_a / (R E_a + E_b), where R is the rate ratio and E the exposures
(populations or person-time). A Clopper-Pearson interval (p_L, p_U) for p gives
R_L = p_L / (1 - p_L) x E_b / E_a and R_U likewise. This is the exact method of
Breslow & Day (1987) *Statistical Methods in Cancer Research* vol. II, section 2.2, and of
R's ``stats::poisson.test`` for two samples. It is valid for small counts, where the
log-normal (Katz) interval is not.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from svsna.stats._common import beta_ppf, broadcast, check_confidence, check_nonnegative

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["period_change", "rate_ratio"]

RATE_RATIO_METHOD = "Rate ratio (exact conditional)"


def _exact_ratio(a: np.ndarray, ea: np.ndarray, b: np.ndarray, eb: np.ndarray, conf: float):
    """Point estimate and exact conditional limits; NaN where not computable."""
    alpha = 1.0 - conf
    ok = ~(np.isnan(a) | np.isnan(b) | np.isnan(ea) | np.isnan(eb)) & (ea > 0) & (eb > 0) & (b > 0)
    a_ = np.where(ok, a, 1.0)
    b_ = np.where(ok, b, 1.0)
    ea_ = np.where(ok, ea, 1.0)
    eb_ = np.where(ok, eb, 1.0)
    # Clopper-Pearson limits of p = a / (a + b) via the beta distribution
    p_lo = np.where(a_ > 0, beta_ppf(alpha / 2.0, np.maximum(a_, 1e-300), b_ + 1.0), 0.0)
    p_hi = beta_ppf(1.0 - alpha / 2.0, a_ + 1.0, b_)
    scale = eb_ / ea_
    value = np.where(ok, (a_ / ea_) / (b_ / eb_), np.nan)
    lower = np.where(ok, p_lo / (1.0 - p_lo) * scale, np.nan)
    upper = np.where(ok, p_hi / (1.0 - p_hi) * scale, np.nan)
    return ok, value, lower, upper


def _reasons(a, ea, b, eb, names: tuple[str, str, str, str]) -> np.ndarray:
    out = np.full(len(a), RATE_RATIO_METHOD, dtype=object)
    for arr, nm in zip((a, ea, b, eb), names, strict=True):
        out[np.isnan(arr)] = f"Not calculated: {nm} missing"
    out[~np.isnan(eb) & (eb == 0)] = f"Not calculated: {names[3]} is zero"
    out[~np.isnan(ea) & (ea == 0)] = f"Not calculated: {names[1]} is zero"
    out[~np.isnan(b) & (b == 0) & (out == RATE_RATIO_METHOD)] = (
        f"Not calculated: {names[2]} is zero (no events to compare with)"
    )
    return out


def rate_ratio(
    count_a: Any,
    pop_a: Any,
    count_b: Any,
    pop_b: Any,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Ratio of the rate in group A to the rate in group B, with an exact conditional CI.

    Parameters
    ----------
    count_a, pop_a : number or array-like
        Events and population (or person-time) in group A (e.g. under-25s, one district).
    count_b, pop_b : number or array-like
        Events and population in the comparison group B.
    confidence : float, default 0.95
        Two-sided confidence level.

    Returns
    -------
    pandas.DataFrame
        ``count_a, pop_a, count_b, pop_b, numerator, denominator, value, lower, upper, method,
        confidence, significance``. ``numerator``/``denominator`` repeat ``count_a``/``pop_a``.
        ``significance`` is ``"Higher"`` when ``lower > 1``, ``"Lower"`` when ``upper < 1``,
        ``"Similar"`` otherwise, ``"Not compared"`` when the ratio cannot be calculated (a
        missing input, a zero population, or no events in group B).

    Notes
    -----
    Exact conditional (binomial) method: Breslow & Day (1987) vol. II s.2.2; identical to
    R ``poisson.test(c(a, b), c(pop_a, pop_b))``. The method is exact at all counts, so it is
    used throughout rather than switching to the log-normal approximation for large counts.

    Examples
    --------
    >>> r = rate_ratio(11, 800, 21, 3011)  # R ?poisson.test example (eba1977, Fredericia)
    >>> [round(float(r.loc[0, c]), 4) for c in ("value", "lower", "upper")]
    [1.9715, 0.8584, 4.2773]
    >>> r.loc[0, "significance"]
    'Similar'
    """
    import pandas as pd

    conf = check_confidence(confidence)
    b = broadcast(count_a=count_a, pop_a=pop_a, count_b=count_b, pop_b=pop_b)
    for k, v in b.items():
        check_nonnegative(v, k)
    ok, value, lower, upper = _exact_ratio(b["count_a"], b["pop_a"], b["count_b"], b["pop_b"], conf)
    method = _reasons(b["count_a"], b["pop_a"], b["count_b"], b["pop_b"], ("count_a", "pop_a", "count_b", "pop_b"))
    sig = np.where(lower > 1, "Higher", np.where(upper < 1, "Lower", "Similar")).astype(object)
    sig[~ok] = "Not compared"
    return pd.DataFrame(
        {
            "count_a": b["count_a"],
            "pop_a": b["pop_a"],
            "count_b": b["count_b"],
            "pop_b": b["pop_b"],
            "numerator": b["count_a"],
            "denominator": b["pop_a"],
            "value": value,
            "lower": lower,
            "upper": upper,
            "method": method,
            "confidence": conf,
            "significance": sig,
        }
    )


def period_change(
    count_now: Any,
    count_before: Any,
    exposure_now: Any = 1.0,
    exposure_before: Any = 1.0,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Change between two periods: percentage change and a rate-ratio significance test.

    Parameters
    ----------
    count_now, count_before : number or array-like
        Events in the current and the earlier (or baseline) period.
    exposure_now, exposure_before : number or array-like, default 1.0
        Length of each period (e.g. 0.5 for six months, 1 for a year) or population x
        time. Lets a part year be compared with a full year at the same run rate.
    confidence : float, default 0.95
        Two-sided confidence level of the rate-ratio interval.

    Returns
    -------
    pandas.DataFrame
        ``count_now, count_before, exposure_now, exposure_before, pct_change, value, lower,
        upper, method, confidence, significance``. ``value`` is the rate ratio
        (rate_now / rate_before), ``pct_change = 100 (value - 1)``; ``significance`` is
        ``"Increase"`` when the CI lies above 1, ``"Decrease"`` when below 1, otherwise
        ``"No significant change"``; ``"Not compared"`` when the change cannot be calculated
        (e.g. no events in the earlier period).

    Notes
    -----
    Neither Fingertips nor PHEindicatormethods test a two-period change; svsna uses the exact
    conditional rate ratio (see :func:`rate_ratio`) and calls a change significant only when
    the interval excludes 1. A 5-point trend (:func:`recent_trend`) or SPC
    (:func:`spc`) is preferred when more periods are available.

    Examples
    --------
    >>> c = period_change([120, 40], [100, 38])
    >>> c["pct_change"].round(1).tolist(), c["significance"].tolist()
    ([20.0, 5.3], ['No significant change', 'No significant change'])
    >>> h = period_change(60, 100, exposure_now=0.5)  # six months vs a year: +20% run rate
    >>> round(float(h.loc[0, "pct_change"]), 1)
    20.0
    """
    import pandas as pd

    conf = check_confidence(confidence)
    b = broadcast(
        count_now=count_now, count_before=count_before, exposure_now=exposure_now, exposure_before=exposure_before
    )
    for k, v in b.items():
        check_nonnegative(v, k)
    a, ea, c, ec = b["count_now"], b["exposure_now"], b["count_before"], b["exposure_before"]
    ok, value, lower, upper = _exact_ratio(a, ea, c, ec, conf)
    method = _reasons(a, ea, c, ec, ("count_now", "exposure_now", "count_before", "exposure_before"))
    sig = np.where(lower > 1, "Increase", np.where(upper < 1, "Decrease", "No significant change")).astype(object)
    sig[~ok] = "Not compared"
    return pd.DataFrame(
        {
            "count_now": a,
            "count_before": c,
            "exposure_now": ea,
            "exposure_before": ec,
            "pct_change": 100.0 * (value - 1.0),
            "value": value,
            "lower": lower,
            "upper": upper,
            "method": method,
            "confidence": conf,
            "significance": sig,
        }
    )
