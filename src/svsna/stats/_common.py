"""Shared helpers for :mod:`svsna.stats`: input coercion, z values and Poisson limits.

Every public function in :mod:`svsna.stats` accepts scalars or array-likes, broadcasts
them against each other and returns one row per input element. The helpers here do the
coercion and validation once, so that error messages are the same everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = [
    "StatsInputError",
    "as_float_array",
    "as_label_array",
    "broadcast",
    "byars_limits",
    "check_confidence",
    "check_nonnegative",
    "exact_poisson_limits",
    "poisson_limits",
    "z_value",
]

# The distribution functions below are the scipy.special ufuncs that scipy.stats' ``norm``, ``chi2``
# and ``beta`` evaluate for valid arguments, called directly: the same numbers (tests compare them
# with scipy.stats bit for bit) without importing scipy.stats, which costs about 1.5 s of CPU and
# ~1 ms of argument handling per call.


def norm_ppf(q: Any) -> Any:
    """Standard normal quantile, as ``scipy.stats.norm.ppf`` for 0 < q < 1.

    >>> round(float(norm_ppf(0.975)), 6)
    1.959964
    """
    from scipy.special import ndtri

    return ndtri(q)


def norm_sf(x: Any) -> Any:
    """Standard normal survival function 1 - Phi(x), as ``scipy.stats.norm.sf`` (NaN stays NaN).

    >>> round(float(norm_sf(1.959964)), 4)
    0.025
    """
    from scipy.special import ndtr

    return ndtr(-np.asarray(x, dtype=float))


def chi2_ppf(q: float, df: Any) -> np.ndarray:
    """Chi-square quantile, as ``scipy.stats.chi2.ppf`` for 0 < q < 1 (NaN where df <= 0 or NaN).

    >>> round(float(chi2_ppf(0.975, 2.0)), 4)
    7.3778
    """
    from scipy.special import gammaincinv

    df = np.asarray(df, dtype=float)
    good = df > 0  # scipy.stats' argument check: other shapes give NaN
    out = np.full(df.shape, np.nan)
    out[good] = 2 * gammaincinv(df[good] / 2, q)
    return out


def beta_ppf(q: float, a: Any, b: Any) -> np.ndarray:
    """Beta quantile, as ``scipy.stats.beta.ppf`` for 0 < q < 1 (NaN where a or b is not > 0).

    >>> round(float(beta_ppf(0.5, 2.0, 2.0)), 6)
    0.5
    """
    from scipy.special import betaincinv

    a, b = np.broadcast_arrays(np.asarray(a, dtype=float), np.asarray(b, dtype=float))
    good = (a > 0) & (b > 0)
    out = np.full(a.shape, np.nan)
    out[good] = betaincinv(a[good], b[good], q)
    return out


class StatsInputError(ValueError):
    """An input to a statistics function is invalid (negative count, bad confidence ...).

    It is a :class:`ValueError`, so callers may catch either.
    """


def as_float_array(values: Any, name: str) -> np.ndarray:
    """Convert a scalar or array-like (list, numpy array, pandas Series) to a 1-D float array.

    ``None`` and pandas ``NA`` become NaN. Strings that are not numbers raise
    :class:`StatsInputError` naming the argument and the offending value.

    Examples
    --------
    >>> as_float_array([1, None, 3], "count").tolist()
    [1.0, nan, 3.0]
    >>> as_float_array(5, "count").tolist()
    [5.0]
    """
    if hasattr(values, "to_numpy"):
        try:
            values = values.to_numpy(dtype=float, na_value=np.nan)
        except (TypeError, ValueError):
            values = values.to_numpy(dtype=object, na_value=np.nan)
    if not isinstance(values, str):
        try:  # fast path: already numeric (None becomes NaN)
            fast = np.atleast_1d(np.asarray(values, dtype=float))
        except (TypeError, ValueError):
            fast = None
        if fast is not None:
            if fast.ndim > 1:
                raise StatsInputError(f"{name}: expected a scalar or 1-D array, got shape {fast.shape}")
            return fast
    arr = np.atleast_1d(np.asarray(values, dtype=object))
    if arr.ndim > 1:
        raise StatsInputError(f"{name}: expected a scalar or 1-D array, got shape {arr.shape}")
    out = np.empty(arr.shape, dtype=float)
    for i, v in enumerate(arr):
        if v is None or (isinstance(v, float) and np.isnan(v)):
            out[i] = np.nan
            continue
        try:
            out[i] = float(v)
        except (TypeError, ValueError):
            # pandas.NA and similar
            if str(v) in {"<NA>", "NaT", "nan", ""}:
                out[i] = np.nan
            else:
                raise StatsInputError(
                    f"{name}: value {v!r} at position {i} is not a number; pass numeric counts"
                ) from None
    return out


def broadcast(**arrays: Any) -> dict[str, np.ndarray]:
    """Coerce each keyword to a float array and broadcast them to a common length.

    A length-1 input is repeated; other lengths must agree.

    Examples
    --------
    >>> b = broadcast(count=[1, 2, 3], population=100)
    >>> b["population"].tolist()
    [100.0, 100.0, 100.0]
    """
    conv = {k: as_float_array(v, k) for k, v in arrays.items()}
    lengths = {k: len(v) for k, v in conv.items()}
    n = max(lengths.values()) if lengths else 0
    for k, length in lengths.items():
        if length not in (1, n):
            detail = ", ".join(f"{a}={b}" for a, b in lengths.items())
            raise StatsInputError(f"inputs have different lengths ({detail}); {k} must have length 1 or {n}")
    return {k: np.broadcast_to(v, (n,)).copy() for k, v in conv.items()}


def check_nonnegative(values: np.ndarray, name: str) -> None:
    """Raise :class:`StatsInputError` if any non-missing value is negative."""
    bad = np.flatnonzero(values < 0)
    if bad.size:
        i = int(bad[0])
        raise StatsInputError(
            f"{name}: negative value {values[i]:g} at position {i}; counts and populations must be >= 0"
        )


def check_confidence(confidence: float) -> float:
    """Validate a two-sided confidence level (a float strictly between 0 and 1).

    Examples
    --------
    >>> check_confidence(0.998)
    0.998
    """
    try:
        c = float(confidence)
    except (TypeError, ValueError):
        raise StatsInputError(f"confidence must be a number such as 0.95, got {confidence!r}") from None
    if not 0.0 < c < 1.0:
        raise StatsInputError(
            f"confidence must be between 0 and 1 (e.g. 0.95 or 0.998), got {confidence!r}; percentages are not accepted"
        )
    return c


def z_value(confidence: float) -> float:
    """Two-sided standard normal quantile: 1.959964 for 0.95, 3.090232 for 0.998.

    Examples
    --------
    >>> round(z_value(0.95), 6), round(z_value(0.998), 6)
    (1.959964, 3.090232)
    """
    return float(norm_ppf(1.0 - (1.0 - check_confidence(confidence)) / 2.0))


def exact_poisson_limits(count: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Exact (chi-square) Poisson limits for an observed count O.

    O_lower = chi2(alpha/2; 2O) / 2 (0 when O = 0), O_upper = chi2(1 - alpha/2; 2O + 2) / 2
    (Garwood 1936; PHE Technical Guide "Confidence intervals", 2018).

    Examples
    --------
    >>> lo, hi = exact_poisson_limits(np.array([0.0, 1.0]), 0.95)
    >>> [round(float(x), 4) for x in (lo[0], hi[0], lo[1], hi[1])]
    [0.0, 3.6889, 0.0253, 5.5716]
    """
    count = np.asarray(count, dtype=float)
    alpha = 1.0 - check_confidence(confidence)
    with np.errstate(invalid="ignore"):
        lower = np.where(count > 0, chi2_ppf(alpha / 2.0, 2.0 * np.where(count > 0, count, 1.0)) / 2.0, 0.0)
        upper = chi2_ppf(1.0 - alpha / 2.0, 2.0 * count + 2.0) / 2.0
    lower = np.where(np.isnan(count), np.nan, lower)
    return lower, upper


def byars_limits(count: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Byar's approximation to the exact Poisson limits for an observed count O > 0.

    O_lower = O (1 - 1/(9O) - z/(3 sqrt O))^3 and
    O_upper = (O + 1) (1 - 1/(9(O + 1)) + z/(3 sqrt(O + 1)))^3
    (Breslow & Day 1987, Statistical Methods in Cancer Research vol. II, p. 69;
    PHE Technical Guide "Confidence intervals", 2018).

    Examples
    --------
    >>> lo, hi = byars_limits(np.array([10.0]), 0.95)
    >>> round(float(lo[0]), 4), round(float(hi[0]), 4)
    (4.7874, 18.3915)
    """
    count = np.asarray(count, dtype=float)
    z = z_value(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        lower = count * (1.0 - 1.0 / (9.0 * count) - z / (3.0 * np.sqrt(count))) ** 3
        o1 = count + 1.0
        upper = o1 * (1.0 - 1.0 / (9.0 * o1) + z / (3.0 * np.sqrt(o1))) ** 3
    lower = np.where(count == 0, 0.0, lower)
    return lower, upper


def poisson_limits(
    count: np.ndarray, confidence: float, threshold: float = 10.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Exact limits below ``threshold`` events, Byar's from it; also returns the method names."""
    count = np.asarray(count, dtype=float)
    elo, ehi = exact_poisson_limits(count, confidence)
    blo, bhi = byars_limits(count, confidence)
    use_exact = count < threshold
    method = np.where(use_exact, "Exact Poisson", "Byar's").astype(object)
    return np.where(use_exact, elo, blo), np.where(use_exact, ehi, bhi), method


def as_label_array(values: Any, n: int, name: str, allowed: Sequence[str]) -> np.ndarray:
    """Broadcast a string option (scalar or per-row) to length ``n`` and validate it."""
    arr = np.atleast_1d(np.asarray(values, dtype=object))
    if len(arr) not in (1, n):
        raise StatsInputError(f"{name} must be a single value or have length {n}, got length {len(arr)}")
    arr = np.broadcast_to(arr, (n,)).copy()
    for i, v in enumerate(arr):
        if v not in allowed:
            raise StatsInputError(f"{name}: {v!r} at position {i} is not one of {', '.join(map(repr, allowed))}")
    return arr
