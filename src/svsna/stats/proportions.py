"""Proportions with Wilson score confidence intervals (no continuity correction).

Method: Wilson (1927) as used by OHID Fingertips and PHEindicatormethods
``calculate_proportion`` / ``wilson_lower`` / ``wilson_upper``:
lower, upper = (2x + z^2 -/+ z sqrt(z^2 + 4x(1 - x/n))) / (2(n + z^2)).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from svsna.stats._common import StatsInputError, broadcast, check_confidence, check_nonnegative, z_value

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["proportion", "wilson_limits"]


def wilson_limits(x: np.ndarray, n: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score limits (as proportions, 0-1) for ``x`` successes out of ``n`` (n > 0).

    Examples
    --------
    >>> lo, hi = wilson_limits(np.array([81.0]), np.array([263.0]), 0.95)
    >>> round(float(lo[0]), 4), round(float(hi[0]), 4)
    (0.2553, 0.3662)
    """
    z = z_value(confidence)
    x = np.asarray(x, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        root = z * np.sqrt(np.maximum(z * z + 4.0 * x * (1.0 - x / n), 0.0))
        denom = 2.0 * (n + z * z)
        lower = (2.0 * x + z * z - root) / denom
        upper = (2.0 * x + z * z + root) / denom
    # exact boundaries (avoid tiny floating error such as -1e-17 or 1 + 1e-16)
    lower = np.where(x == 0, 0.0, np.clip(lower, 0.0, 1.0))
    upper = np.where(x == n, 1.0, np.clip(upper, 0.0, 1.0))
    return lower, upper


def proportion(
    numerator: Any,
    denominator: Any,
    confidence: float = 0.95,
    multiplier: float = 1,
) -> pd.DataFrame:
    """Proportion ``numerator / denominator`` with a Wilson score interval.

    Parameters
    ----------
    numerator, denominator : number or array-like
        Counts with 0 <= numerator <= denominator. Missing values are allowed.
    confidence : float, default 0.95
        Two-sided confidence level.
    multiplier : float, default 1
        Scale of ``value``, ``lower`` and ``upper``; pass 100 for percentages.

    Returns
    -------
    pandas.DataFrame
        ``numerator, denominator, value, lower, upper, method, confidence``; ``method`` is
        ``"Wilson"`` or ``"Not calculated: <reason>"`` (missing input, denominator zero).

    Raises
    ------
    StatsInputError
        (a ``ValueError``) when a numerator exceeds its denominator or a count is negative.

    Notes
    -----
    Wilson, E. B. (1927) JASA 22:209-212; Newcombe, R. G. (1998) Stat Med 17:857-872
    (method 3); PHE Technical Guide "Confidence intervals" (2018).

    Examples
    --------
    >>> p = proportion([81, 0, 5], [263, 20, 5], multiplier=100)
    >>> p["value"].round(2).tolist()
    [30.8, 0.0, 100.0]
    >>> p["lower"].round(2).tolist(), p["upper"].round(2).tolist()
    ([25.53, 0.0, 56.55], [36.62, 16.11, 100.0])
    """
    import pandas as pd

    conf = check_confidence(confidence)
    b = broadcast(numerator=numerator, denominator=denominator)
    x, n = b["numerator"], b["denominator"]
    check_nonnegative(x, "numerator")
    check_nonnegative(n, "denominator")
    over = np.flatnonzero(x > n)
    if over.size:
        i = int(over[0])
        raise StatsInputError(
            f"numerator {x[i]:g} exceeds denominator {n[i]:g} at position {i}; "
            "a proportion needs numerator <= denominator (check the two counts cover the same people)"
        )
    mult = float(multiplier)
    ok = ~np.isnan(x) & ~np.isnan(n) & (n > 0)
    safe_n = np.where(ok, n, 1.0)
    safe_x = np.where(ok, x, 0.0)
    lo, hi = wilson_limits(safe_x, safe_n, conf)
    method = np.full(len(x), "Wilson", dtype=object)
    method[np.isnan(x)] = "Not calculated: numerator missing"
    method[np.isnan(n)] = "Not calculated: denominator missing"
    method[~np.isnan(n) & (n == 0)] = "Not calculated: denominator is zero"
    return pd.DataFrame(
        {
            "numerator": x,
            "denominator": n,
            "value": np.where(ok, safe_x / safe_n * mult, np.nan),
            "lower": np.where(ok, lo * mult, np.nan),
            "upper": np.where(ok, hi * mult, np.nan),
            "method": method,
            "confidence": conf,
        }
    )
