"""Comparison with a benchmark: OHID Fingertips single-overlapping-confidence-interval method.

Fingertips comparator methods 1 and 17 (``SingleOverlappingCIsForOneCILevelComparer`` and
``SingleOverlappingCIsForTwoCILevelsComparer`` in ukhsa-collaboration/fingertips-open):
an area is *similar* to the benchmark (England, the region, the whole partnership) when the
benchmark value lies inside the area's 95% confidence interval (limits inclusive); otherwise
it is higher or lower. With 99.8% limits as well, a difference beyond them is labelled at
the 99.8% level. Polarity turns Higher/Lower into Better/Worse.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from svsna.stats._common import StatsInputError, as_label_array, broadcast

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["POLARITIES", "compare_to_benchmark"]

POLARITIES: tuple[str, ...] = ("not_applicable", "low_is_good", "high_is_good")


def _direction_words(polarity: np.ndarray, higher: np.ndarray) -> np.ndarray:
    """'Higher'/'Lower' or 'Better'/'Worse' for each row."""
    out = np.where(higher, "Higher", "Lower").astype(object)
    low_good = polarity == "low_is_good"
    high_good = polarity == "high_is_good"
    out[low_good] = np.where(higher[low_good], "Worse", "Better")
    out[high_good] = np.where(higher[high_good], "Better", "Worse")
    return out


def compare_to_benchmark(
    value: Any,
    lower: Any,
    upper: Any,
    benchmark: Any,
    polarity: str | Any = "not_applicable",
    lower_998: Any = None,
    upper_998: Any = None,
) -> pd.DataFrame:
    """Significance of each area's value against a benchmark, the Fingertips way.

    Parameters
    ----------
    value, lower, upper : number or array-like
        The area's value and its 95% confidence limits (other levels work the same way).
    benchmark : number or array-like
        The comparator value (England, region, whole area, a target).
    polarity : {"not_applicable", "low_is_good", "high_is_good"} or array-like of them
        ``"not_applicable"`` reports Higher/Lower (Fingertips "BlueOrangeBlue"); the other two
        report Better/Worse (e.g. violence rates are ``"low_is_good"``).
    lower_998, upper_998 : number or array-like, optional
        99.8% limits. When given, the two-level variant labels differences as, for example,
        ``"Higher (99.8%)"`` (benchmark outside the 99.8% CI) or ``"Higher (95%)"`` (outside
        the 95% CI only).

    Returns
    -------
    pandas.DataFrame
        ``significance, comparator_value, confidence_level``: ``significance`` is
        ``Similar``, ``Higher``/``Lower`` or ``Better``/``Worse`` (with a level suffix in the
        two-level variant), or ``"Not compared"`` when the value, a limit or the benchmark is
        missing. ``confidence_level`` is the level at which the label holds (0.95 or 0.998;
        NaN when not compared).

    Notes
    -----
    Source: fingertips-open ``PholioVisualisationWS/Analysis/SingleOverlappingCIsForOneCILevelComparer.cs``
    and ``SingleOverlappingCIsForTwoCILevelsComparer.cs`` (snapshot 2020-01-14); Fingertips
    technical guidance "Comparisons with benchmarks". A value needs both 95% limits to be
    compared (``IndicatorComparer.cs``).

    Examples
    --------
    >>> c = compare_to_benchmark([12.0, 9.0, 5.0], [10.0, 7.0, 3.0], [14.0, 11.0, 7.0], 8.0,
    ...                          polarity="low_is_good")
    >>> c["significance"].tolist()
    ['Worse', 'Similar', 'Better']
    >>> compare_to_benchmark(12.0, 10.0, 14.0, 9.0, lower_998=8.5, upper_998=15.0)["significance"].tolist()
    ['Higher (95%)']
    """
    import pandas as pd

    two_level = lower_998 is not None or upper_998 is not None
    if two_level and (lower_998 is None or upper_998 is None):
        raise StatsInputError("give both lower_998 and upper_998 for the two-level comparison, or neither")
    arrays = {"value": value, "lower": lower, "upper": upper, "benchmark": benchmark}
    if two_level:
        arrays.update(lower_998=lower_998, upper_998=upper_998)
    b = broadcast(**arrays)
    n = len(b["value"])
    pol = as_label_array(polarity, n, "polarity", POLARITIES)
    v, lo, hi, bm = b["value"], b["lower"], b["upper"], b["benchmark"]
    valid = ~(np.isnan(v) | np.isnan(lo) | np.isnan(hi) | np.isnan(bm))
    bad = np.flatnonzero(valid & (lo > hi))
    if bad.size:
        i = int(bad[0])
        raise StatsInputError(f"lower limit {lo[i]:g} is above upper limit {hi[i]:g} at position {i}")

    # which side is the benchmark on?  inclusive limits: on a limit counts as similar
    above = valid & (lo > bm)  # area significantly higher than benchmark
    below = valid & (hi < bm)
    higher = above
    words = _direction_words(pol, higher)
    sig = np.full(n, "Similar", dtype=object)
    level = np.full(n, 0.95)
    if two_level:
        lo9, hi9 = b["lower_998"], b["upper_998"]
        strong = (above & (lo9 > bm)) | (below & (hi9 < bm))
        strong &= ~(np.isnan(lo9) | np.isnan(hi9))
        diff = above | below
        sig[diff] = [f"{w} (95%)" for w in words[diff]]
        sig[strong] = [f"{w} (99.8%)" for w in words[strong]]
        level[strong] = 0.998
    else:
        diff = above | below
        sig[diff] = words[diff]
    sig[~valid] = "Not compared"
    level[~valid] = np.nan
    return pd.DataFrame({"significance": sig, "comparator_value": bm, "confidence_level": level})
