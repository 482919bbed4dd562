"""The analysis kit: counts, rates, shares, change, SPC, hot spots and deprivation as indicator rows.

Every figure in the analyses goes through one of these helpers, so that rates, shares,
ratios, changes and counts are computed (by :mod:`svsna.stats`) and labelled the same way
in every section: ``area`` = the whole-area label, ``definition`` = the context's
definition, ``statistic`` and ``unit`` stated explicitly, ``significance`` a
:class:`~svsna.indicators.Significance` value (``Not compared`` unless a test was made).

The helpers need only a small **context protocol** (:class:`KitContext`): the area label,
the definition, the rate multiplier and the confidence level. The partner SNA's
:class:`~svsna.analyses._base.AnalysisContext` implements it; so can an open-data context,
which makes these helpers the one implementation of counts, rates, change, SPC, hot spots
and deprivation for both editions.

Rows are built as frames with the indicator table's dtypes from one typed array per column
(:func:`svsna.indicators.typed_frame`: no inference, no cast), so a section's
:func:`svsna.indicators.concat_indicators` has nothing to cast.

Findings are data: a stable ``key`` plus complete ``numbers`` (:func:`numbers_from`), so the
report renders sentences from templates keyed on the finding key; ``Finding.text`` is a plain
fallback. The keys and the numbers each carries are listed in ``analyses/findings.yaml``
(rendered as ``docs/findings.md``).

Examples
--------
>>> from types import SimpleNamespace
>>> ctx = SimpleNamespace(area_label="TS", definition="d", multiplier=1000, confidence=0.95)
>>> r = rate_rows(ctx, "extent", "rate", "2020/21", "all", "all", 8, 15_200)
>>> r.loc[0, ["statistic", "unit", "significance"]].tolist()
['rate', 'offences per 1,000 residents', 'Not compared']
>>> round(float(r.loc[0, "value"]), 4)
0.5263
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from svsna.indicators import INDICATOR_COLUMNS, Finding, Significance, typed_frame

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "NOT_COMPARED",
    "KitContext",
    "change_rows",
    "count_rows",
    "finding",
    "first",
    "fmt",
    "hotspot_rows",
    "mean_rows",
    "numbers_from",
    "plain",
    "rate_rows",
    "rate_unit",
    "rates",
    "ratio_rows",
    "separated",
    "share_rows",
    "shares",
    "significance_of",
    "spc_rows",
    "stat_rows",
    "top_items",
]

NOT_COMPARED = Significance.NOT_COMPARED.value


class KitContext(Protocol):
    """What the kit's helpers need from a context (partner or open-data edition)."""

    @property
    def area_label(self) -> str: ...  # the whole area's label, e.g. "LLR"

    @property
    def definition(self) -> str: ...  # the definition the rows belong to ("" for none)

    @property
    def multiplier(self) -> int: ...  # rates per this many residents

    @property
    def confidence(self) -> float: ...  # confidence level of every interval


def rate_unit(ctx: KitContext, what: str = "offences") -> str:
    """``'offences per 1,000 residents'`` for a multiplier of 1,000."""
    return f"{what} per {ctx.multiplier:,} residents".strip()


def significance_of(value: Any) -> str:
    """The :class:`Significance` text of ``value`` (a member or its text); raises on anything else.

    >>> significance_of("Special cause - high"), significance_of(None)
    ('Special cause - high', 'Not compared')
    """
    if value is None or (isinstance(value, float) and value != value):
        return NOT_COMPARED
    return Significance(str(value)).value


def rates(ctx: KitContext, counts: Any, populations: Any) -> pd.DataFrame:
    """Crude rates per ``ctx.multiplier`` with Byar's/exact limits (``stats.crude_rate``)."""
    from svsna.stats import crude_rate

    return crude_rate(counts, populations, multiplier=ctx.multiplier, confidence=ctx.confidence)


def shares(ctx: KitContext, numerators: Any, denominators: Any) -> pd.DataFrame:
    """Percentages with Wilson limits (``stats.proportion(..., multiplier=100)``)."""
    from svsna.stats import proportion

    return proportion(numerators, denominators, confidence=ctx.confidence, multiplier=100)


def _is_seq(v: Any) -> bool:
    import numpy as np
    import pandas as pd

    return isinstance(v, Sequence | np.ndarray | pd.Series | pd.Index) and not isinstance(v, str)


def stat_rows(
    ctx: KitContext,
    section: str,
    indicator: str,
    stats: pd.DataFrame | None,
    period: str | Sequence[str],
    breakdown: str | Sequence[str],
    values: Sequence[str] | str,
    *,
    statistic: str | None = None,
    unit: str | None = None,
    **extra: Any,
) -> pd.DataFrame:
    """Indicator rows from a statistics frame (``value, lower, upper, method ...``) plus columns.

    ``statistic`` and ``unit`` say what ``value`` is (inferred from the name only when not
    given, for callers outside the kit). Keyword arguments are scalars (repeated) or
    sequences (one per row). The frame has the indicator table's dtypes
    (:func:`svsna.indicators.typed_frame`).
    """
    import numpy as np

    n = len(stats) if stats is not None else None
    if n is None:
        lengths = {len(v) for v in (values, *extra.values()) if _is_seq(v)}
        n = max(lengths) if lengths else 1
    cols: dict[str, Any] = {}
    if stats is not None:
        for c in stats.columns:
            if c in INDICATOR_COLUMNS:
                cols[c] = stats[c].to_numpy()
    given = {
        "section": section,
        "indicator": indicator,
        "period": period,
        "area": ctx.area_label,
        "breakdown": breakdown,
        "breakdown_value": values if isinstance(values, str) else [str(v) for v in values],
        "definition": ctx.definition,
        **extra,
    }
    if statistic is not None:
        given["statistic"] = statistic
    if unit is not None:
        given["unit"] = unit
    for c, v in given.items():
        if c in INDICATOR_COLUMNS:
            cols[c] = list(v) if _is_seq(v) else [v] * n
    if "significance" in cols:
        cols["significance"] = [significance_of(s) for s in cols["significance"]]
    else:
        cols["significance"] = [NOT_COMPARED] * n
    for c in INDICATOR_COLUMNS:
        if c not in cols:
            cols[c] = np.zeros(n, dtype=bool) if c == "suppressed" else [None] * n
    frame = typed_frame(cols, n)
    if statistic is None or unit is None:
        from svsna.indicators import fill_statistic_and_unit

        frame = fill_statistic_and_unit(frame)
    return frame


def rate_rows(
    ctx: KitContext,
    section: str,
    indicator: str,
    period: str,
    breakdown: str | Sequence[str],
    values: Sequence[str] | str,
    counts: Any,
    populations: Any,
    *,
    what: str = "offences",
    **extra: Any,
) -> pd.DataFrame:
    """Indicator rows of crude rates (unit ``'<what> per 1,000 residents'``)."""
    if _empty(values):
        return _no_rows()
    return stat_rows(
        ctx,
        section,
        indicator,
        rates(ctx, counts, populations),
        period,
        breakdown,
        values,
        statistic="rate",
        unit=rate_unit(ctx, what),
        **extra,
    )


def share_rows(
    ctx: KitContext,
    section: str,
    indicator: str,
    period: str,
    breakdown: str | Sequence[str],
    values: Sequence[str] | str,
    numerators: Any,
    denominators: Any,
    **extra: Any,
) -> pd.DataFrame:
    """Indicator rows of percentages (Wilson limits; unit ``%``)."""
    if _empty(values):
        return _no_rows()
    return stat_rows(
        ctx,
        section,
        indicator,
        shares(ctx, numerators, denominators),
        period,
        breakdown,
        values,
        statistic="percentage",
        unit="%",
        **extra,
    )


def count_rows(
    ctx: KitContext,
    section: str,
    indicator: str,
    period: str,
    breakdown: str | Sequence[str],
    values: Sequence[str] | str,
    counts: Any,
    *,
    unit: str | None = None,
    **extra: Any,
) -> pd.DataFrame:
    """Indicator rows of plain counts (method ``Count``); ``unit`` says what is counted
    (``offences``, ``people``, ``involvements``)."""
    if _empty(values):
        return _no_rows()
    import numpy as np
    import pandas as pd

    counts = np.atleast_1d(np.asarray(counts, dtype=float))
    stats = pd.DataFrame({"numerator": counts, "value": counts})
    extra.setdefault("method", "Count")
    return stat_rows(ctx, section, indicator, stats, period, breakdown, values, statistic="count", unit=unit, **extra)


def mean_rows(
    ctx: KitContext,
    section: str,
    indicator: str,
    period: str,
    breakdown: str,
    values: Sequence[str] | str,
    samples: Sequence[Sequence[float]],
    *,
    unit: str | Sequence[str] = "years",
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
    return stat_rows(ctx, section, indicator, stats, period, breakdown, values, statistic="mean", unit=unit)


def ratio_rows(
    ctx: KitContext,
    section: str,
    indicator: str,
    period: str,
    breakdown: str,
    values: Sequence[str] | str,
    count_a: Any,
    pop_a: Any,
    count_b: Any,
    pop_b: Any,
) -> pd.DataFrame:
    """Rate ratios A/B with exact conditional limits and Higher/Lower/Similar (``stats.rate_ratio``)."""
    from svsna.stats import rate_ratio

    rr = rate_ratio(count_a, pop_a, count_b, pop_b, confidence=ctx.confidence)
    stats = rr.drop(columns=["count_a", "pop_a", "count_b", "pop_b"]).assign(comparator_value=1.0)
    return stat_rows(ctx, section, indicator, stats, period, breakdown, values, statistic="ratio", unit="times")


def change_rows(
    ctx: KitContext,
    section: str,
    indicator: str,
    period: str | Sequence[str],
    breakdown: str | Sequence[str],
    values: Sequence[str] | str,
    now: Any,
    before: Any,
    *,
    exposure_now: Any = 1.0,
    exposure_before: Any = 1.0,
    basis: str = "count",
) -> pd.DataFrame:
    """% change from ``before`` to ``now`` with the rate-ratio interval and Increase/Decrease/No
    significant change (``stats.period_change``).

    ``exposure_*`` (months, or residents x months) compare periods of different lengths or
    populations; ``basis`` says what changed (``count``, ``count per month``, ``rate``) and
    goes into the method. numerator = now, denominator = before, comparator_value = before;
    lower/upper are the % change limits.
    """
    import numpy as np
    import pandas as pd

    from svsna.stats import period_change

    ch = period_change(now, before, exposure_now, exposure_before, confidence=ctx.confidence)
    stats = pd.DataFrame(
        {
            "numerator": ch["count_now"],
            "denominator": ch["count_before"],
            "value": ch["pct_change"],
            "lower": 100.0 * (ch["lower"] - 1.0),
            "upper": 100.0 * (ch["upper"] - 1.0),
            "method": f"% change in {basis}; " + ch["method"].astype(str),
            "confidence": ch["confidence"],
            "significance": ch["significance"],
            "comparator_value": np.asarray(ch["count_before"], dtype=float),
        }
    )
    return stat_rows(ctx, section, indicator, stats, period, breakdown, values, statistic="percent_change", unit="%")


SPC_METHOD = "XmR (Making Data Count)"


def spc_rows(
    ctx: KitContext,
    section: str,
    indicator: str,
    period: str,
    labels: Sequence[str],
    counts: Sequence[float],
    *,
    unit: str = "offences",
    improvement: str = "decrease",
    baseline: int | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Monthly counts with XmR limits; significance = the SPC point type (``Special cause -
    high/low``, ``Common cause``). Returns the rows and the ``stats.spc`` frame.

    ``baseline`` fixes the limits on the first ``baseline`` points (e.g. the months before a
    pandemic) when given.
    """
    import pandas as pd

    from svsna.stats.spc import spc

    kw: dict[str, Any] = {}
    if baseline:
        kw["baseline"] = baseline
    chart = spc(list(counts), dates=list(labels), improvement=improvement, **kw)
    stats = pd.DataFrame(
        {
            "numerator": list(counts),
            "value": list(counts),
            "lower": chart["lower_limit"],
            "upper": chart["upper_limit"],
            "method": SPC_METHOD,
            "significance": chart["point_type"],
            "comparator_value": chart["mean"],
        }
    )
    rows = stat_rows(ctx, section, indicator, stats, period, "month", list(labels), statistic="count", unit=unit)
    return rows, chart


#: stats.getis_ord_gi_star classification -> (significance, confidence level of the class)
_GI_CLASSES: dict[str, tuple[Significance, float]] = {
    "Hot spot (99%)": (Significance.HIGHER, 0.99),
    "Hot spot (95%)": (Significance.HIGHER, 0.95),
    "Cold spot (99%)": (Significance.LOWER, 0.99),
    "Cold spot (95%)": (Significance.LOWER, 0.95),
    "Not significant": (Significance.SIMILAR, 0.95),
}


def hotspot_rows(
    ctx: KitContext,
    section: str,
    indicator: str,
    period: str,
    codes: Sequence[str],
    values: Sequence[float],
    numerators: Sequence[float],
    weights: Any,
    *,
    weights_label: str,
    kind: str,
) -> tuple[pd.DataFrame, list[str], list[str]]:
    """Getis-Ord Gi* z-scores of ``values`` (LSOA rates or counts) with Benjamini-Hochberg FDR.

    ``significance`` is ``Higher`` for a hot spot, ``Lower`` for a cold spot and ``Similar``
    otherwise; ``confidence`` is the level the class holds at (0.99 or 0.95). Returns the rows
    and the hot- and cold-spot codes (hot spots by descending z).
    """
    import numpy as np
    import pandas as pd

    from svsna.stats import getis_ord_gi_star

    g = getis_ord_gi_star(list(values), weights)
    classes = [_GI_CLASSES.get(str(c), (Significance.SIMILAR, 0.95)) for c in g["classification"]]
    stats = pd.DataFrame(
        {
            "numerator": np.asarray(numerators, dtype=float),
            "value": g["z"].to_numpy(),
            "method": f"Getis-Ord Gi* on LSOA {kind}s, {weights_label}, Benjamini-Hochberg FDR",
            "significance": [c[0].value for c in classes],
            "confidence": [c[1] for c in classes],
            "comparator_value": 0.0,
        }
    )
    rows = stat_rows(ctx, section, indicator, stats, period, "lsoa", list(codes), statistic="z", unit="z-score")
    z = g["z"].to_numpy()
    hot = [c for c, k in zip(codes, classes, strict=True) if k[0] is Significance.HIGHER]
    hot.sort(key=lambda c: -float(z[list(codes).index(c)]))
    cold = [c for c, k in zip(codes, classes, strict=True) if k[0] is Significance.LOWER]
    return rows, hot, cold


def _empty(values: Sequence[str] | str) -> bool:
    return not isinstance(values, str) and len(values) == 0


def _no_rows() -> pd.DataFrame:
    from svsna.indicators import empty_indicator_table

    return empty_indicator_table()


# ------------------------------------------------------------------ findings
def _num(v: Any) -> float:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return float("-inf")
    return f if f == f else float("-inf")


def plain(x: Any) -> Any:
    """A JSON-friendly number: None for missing/NaN, int for whole counts kept as ints, else float.

    >>> plain(float("nan")), plain(3), plain(2.5)
    (None, 3, 2.5)
    """
    import numpy as np

    if x is None:
        return None
    if isinstance(x, bool | np.bool_):
        return bool(x)
    if isinstance(x, int | np.integer):
        return int(x)
    try:
        v = float(x)
    except (TypeError, ValueError):
        return x
    return None if v != v else v


def fmt(x: Any, digits: int = 1) -> str:
    """A number for a fallback sentence (``Finding.text``): fixed decimals, ``n/a`` when missing.

    >>> fmt(14.5912), fmt(None), fmt(3, 0)
    ('14.6', 'n/a', '3')
    """
    v = plain(x)
    if v is None or isinstance(v, str):
        return "n/a"
    return f"{float(v):,.{digits}f}"


def top_items(names: Sequence[Any], values: Sequence[float], n: int = 3) -> list[dict[str, Any]]:
    """The ``n`` largest ``{name, share}`` pairs, ties broken by name.

    >>> top_items(["a", "b", "c"], [10.0, 30.0, 10.0], 2)
    [{'name': 'b', 'share': 30.0}, {'name': 'a', 'share': 10.0}]
    """
    pairs = sorted(zip(names, values, strict=True), key=lambda p: (-_num(p[1]), str(p[0])))
    return [{"name": k, "share": _num(v)} for k, v in pairs[:n]]


def separated(top: Mapping[str, Any] | Any, runner_up: Mapping[str, Any] | Any | None, *, highest: bool = True) -> bool:
    """Whether a ranking's first item is apart from the second: their confidence intervals do not
    overlap (the first's lower limit is above the second's upper limit for a "highest"). A
    ranking with a single item is separated; missing limits are not.

    >>> separated({"lower": 5.0, "upper": 7.0}, {"lower": 2.0, "upper": 4.9})
    True
    >>> separated({"lower": 5.0, "upper": 7.0}, {"lower": 2.0, "upper": 5.0})
    False
    """
    if runner_up is None:
        return True

    def get(r: Any, k: str) -> float:
        v = r.get(k) if isinstance(r, Mapping) else getattr(r, k, None)
        return _num(v)

    a_lo, a_hi, b_lo, b_hi = get(top, "lower"), get(top, "upper"), get(runner_up, "lower"), get(runner_up, "upper")
    if float("-inf") in (a_lo, a_hi, b_lo, b_hi):
        return False
    return a_lo > b_hi if highest else a_hi < b_lo


def numbers_from(
    row: Any = None,
    *,
    period: str | None = None,
    comparator: str | None = None,
    comparator_value: Any = None,
    significance: Any = None,
    **extra: Any,
) -> dict[str, Any]:
    """The standard numbers of a finding, from an indicator row (a Series/namedtuple/dict) and
    overrides: ``value, lower, upper, unit, statistic, period, significance, comparator,
    comparator_value, n, denominator`` plus any ``extra`` (key-specific numbers).

    >>> numbers_from({"value": 5.0, "lower": 4.0, "upper": 6.0, "unit": "%", "statistic": "percentage",
    ...               "period": "2020/21", "numerator": 5, "denominator": 100})["n"]
    5
    """

    def get(k: str) -> Any:
        if row is None:
            return None
        if isinstance(row, Mapping):
            return row.get(k)
        return getattr(row, k, None)

    n = get("numerator")
    out: dict[str, Any] = {
        "value": plain(get("value")),
        "lower": plain(get("lower")),
        "upper": plain(get("upper")),
        "unit": get("unit"),
        "statistic": get("statistic"),
        "period": period if period is not None else get("period"),
        "significance": significance_of(significance if significance is not None else get("significance")),
        "comparator": comparator,
        "comparator_value": plain(comparator_value if comparator_value is not None else get("comparator_value")),
        "n": int(n) if plain(n) is not None and float(n).is_integer() else plain(n),
        "denominator": plain(get("denominator")),
    }
    for k, v in extra.items():
        out[k] = _plain_deep(v)
    return out


def _plain_deep(v: Any) -> Any:
    if isinstance(v, Mapping):
        return {str(k): _plain_deep(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_plain_deep(x) for x in v]
    if isinstance(v, str):
        return v
    return plain(v)


def finding(
    ctx: KitContext,
    section: str,
    key: str,
    text: str,
    numbers: Mapping[str, Any],
    *,
    period: str,
    indicators: Sequence[str] = (),
    headline: bool = False,
    public: bool = True,
) -> Finding:
    """A :class:`~svsna.indicators.Finding` whose significance is the numbers' ``significance``."""
    sig = numbers.get("significance")
    return Finding(
        section,
        key,
        text,
        dict(numbers),
        significance=significance_of(sig) if sig is not None else None,
        period=period,
        area=ctx.area_label,
        definition=ctx.definition,
        indicators=tuple(indicators),
        public=public,
        headline=headline,
    )


def first(frame: pd.DataFrame, **match: Any) -> pd.Series | None:
    """The first row of ``frame`` whose columns equal ``match``, or None."""
    sel = frame
    for k, v in match.items():
        sel = sel[sel[k] == v]
    return None if sel.empty else sel.iloc[0]
