"""Turning counts into indicator rows: the bridge from Ibis results to ``svsna.stats``.

Every figure in the analyses goes through one of these helpers, so that rates, shares,
ratios and counts are computed (by :mod:`svsna.stats`) and labelled the same way in
every section: area = the whole-area label, definition = the context's definition,
``significance`` = ``Not compared`` unless a test was made.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from svsna.analyses._base import AnalysisContext

__all__ = [
    "count_rows",
    "first",
    "mean_rows",
    "rate_rows",
    "rates",
    "share_rows",
    "shares",
    "stat_rows",
    "top_items",
]

NOT_COMPARED = "Not compared"


def rates(ctx: AnalysisContext, counts: Any, populations: Any) -> pd.DataFrame:
    """Crude rates per ``config.rate_multiplier`` with Byar's/exact limits (``stats.crude_rate``)."""
    from svsna.stats import crude_rate

    return crude_rate(counts, populations, multiplier=ctx.multiplier, confidence=ctx.confidence)


def shares(ctx: AnalysisContext, numerators: Any, denominators: Any) -> pd.DataFrame:
    """Percentages with Wilson limits (``stats.proportion(..., multiplier=100)``)."""
    from svsna.stats import proportion

    return proportion(numerators, denominators, confidence=ctx.confidence, multiplier=100)


def stat_rows(
    ctx: AnalysisContext,
    section: str,
    indicator: str,
    stats: pd.DataFrame | None,
    period: str,
    breakdown: str,
    values: Sequence[str] | str,
    **extra: Any,
) -> pd.DataFrame:
    """Indicator rows from a statistics frame (``value, lower, upper, method ...``)."""
    from svsna.indicators import indicator_rows

    if stats is not None and "significance" not in stats.columns and "significance" not in extra:
        extra["significance"] = NOT_COMPARED
    if stats is None and "significance" not in extra:
        extra["significance"] = NOT_COMPARED
    if not isinstance(values, str):
        values = [str(v) for v in values]
    return indicator_rows(
        stats,
        section=section,
        indicator=indicator,
        period=period,
        area=ctx.area_label,
        breakdown=breakdown,
        breakdown_value=values,
        definition=ctx.definition,
        **extra,
    )


def rate_rows(
    ctx: AnalysisContext,
    section: str,
    indicator: str,
    period: str,
    breakdown: str,
    values: Sequence[str] | str,
    counts: Any,
    populations: Any,
    **extra: Any,
) -> pd.DataFrame:
    """Indicator rows of crude rates."""
    if _empty(values):
        return _no_rows()
    return stat_rows(ctx, section, indicator, rates(ctx, counts, populations), period, breakdown, values, **extra)


def share_rows(
    ctx: AnalysisContext,
    section: str,
    indicator: str,
    period: str,
    breakdown: str,
    values: Sequence[str] | str,
    numerators: Any,
    denominators: Any,
    **extra: Any,
) -> pd.DataFrame:
    """Indicator rows of percentages."""
    if _empty(values):
        return _no_rows()
    return stat_rows(ctx, section, indicator, shares(ctx, numerators, denominators), period, breakdown, values, **extra)


def count_rows(
    ctx: AnalysisContext,
    section: str,
    indicator: str,
    period: str,
    breakdown: str,
    values: Sequence[str] | str,
    counts: Any,
    **extra: Any,
) -> pd.DataFrame:
    """Indicator rows of plain counts (method ``Count``)."""
    if _empty(values):
        return _no_rows()
    import numpy as np
    import pandas as pd

    counts = np.atleast_1d(np.asarray(counts, dtype=float))
    stats = pd.DataFrame({"numerator": counts, "value": counts, "method": "Count"})
    return stat_rows(ctx, section, indicator, stats, period, breakdown, values, **extra)


def mean_rows(
    ctx: AnalysisContext,
    section: str,
    indicator: str,
    period: str,
    breakdown: str,
    values: Sequence[str] | str,
    samples: Sequence[Sequence[float]],
) -> pd.DataFrame:
    """Indicator rows of arithmetic means (denominator = number of non-missing values)."""
    import numpy as np
    import pandas as pd

    means, ns = [], []
    for s in samples:
        arr = np.asarray([x for x in s if x is not None and not pd.isna(x)], dtype=float)
        ns.append(float(len(arr)))
        means.append(float(arr.mean()) if len(arr) else np.nan)
    stats = pd.DataFrame({"denominator": ns, "value": means, "method": "Mean"})
    return stat_rows(ctx, section, indicator, stats, period, breakdown, values)


def _empty(values: Sequence[str] | str) -> bool:
    return not isinstance(values, str) and len(values) == 0


def _no_rows() -> pd.DataFrame:
    from svsna.indicators import empty_indicator_table

    return empty_indicator_table()


def top_items(names: Sequence[Any], values: Sequence[float], n: int = 3) -> list[dict[str, Any]]:
    """The ``n`` largest ``{name, share}`` pairs, ties broken by name.

    >>> top_items(["a", "b", "c"], [10.0, 30.0, 10.0], 2)
    [{'name': 'b', 'share': 30.0}, {'name': 'a', 'share': 10.0}]
    """
    pairs = sorted(zip(names, values, strict=True), key=lambda p: (-_num(p[1]), str(p[0])))
    return [{"name": k, "share": _num(v)} for k, v in pairs[:n]]


def _num(v: Any) -> float:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return float("-inf")
    return f if f == f else float("-inf")


def first(frame: pd.DataFrame, **match: Any) -> pd.Series | None:
    """The first row of ``frame`` whose columns equal ``match``, or None."""
    sel = frame
    for k, v in match.items():
        sel = sel[sel[k] == v]
    return None if sel.empty else sel.iloc[0]
