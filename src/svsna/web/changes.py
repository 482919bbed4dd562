"""What changed since the last assessment, per indicator and place, and whether it is significant.

``svsna report`` keeps each assessment's tables under ``history/<id>/``. The web SNA pairs
each series (indicator, area, breakdown, category, definition) of the current table with the
same series in the previous assessment: the current table's **latest period** against the
previous table's latest period **of the same length** (a financial year with a financial year,
a six-month part year with a six-month part year). When both hold the same period, the pair
shows a revision of that period.

Tests, chosen by what the row is (the ``statistic`` column), the same families as the
indicators' own intervals:

``count``
    Exact conditional test of two Poisson counts (the rate ratio of
    :func:`svsna.stats.period_change`, exposures = the periods' lengths in months): significant
    when its 95% interval excludes 1. Breslow & Day (1987) vol. II s.2.2.
``rate`` with numerators and denominators on both sides
    The same exact conditional test with exposures = denominator x months.
``percentage`` with numerators and denominators on both sides
    Newcombe's hybrid score interval for a difference of two proportions (method 10 of
    Newcombe, 1998, built from the Wilson intervals the indicators use): significant when it
    excludes 0.
anything else with confidence limits on both sides (rates and percentages in the public
table, whose denominators are not published)
    Non-overlapping 95% confidence intervals: significant when they do not overlap. This is
    conservative (it misses some real changes) and uses nothing but published figures.
otherwise, and for population estimates (not counts of events)
    ``Not compared``.

Each assessment's labels name its own baseline year (``label`` now, ``label_before`` in the
previous assessment). A change against the baseline year is a different figure when the two
assessments name different baseline years, so such a pair is ``Not compared`` (and no change
is worked out).

In the public tier every input is the published (rounded) figure and a pair with a
suppressed figure is ``Not compared``, so the flag says nothing the public tables do not.

Examples
--------
>>> lo, hi = newcombe_difference(56, 70, 48, 80)  # Newcombe (1998) Table II example (h)
>>> round(lo, 4), round(hi, 4)
(0.0524, 0.3339)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from svsna.indicators import Significance

if TYPE_CHECKING:
    import pandas as pd

    from svsna.web.data import IndicatorFrame

__all__ = ["CHANGE_COLUMNS", "compare_assessments", "newcombe_difference"]

CHANGE_COLUMNS: tuple[str, ...] = (
    "section",
    "indicator",
    "label",
    "label_before",
    "kind",
    "area",
    "breakdown",
    "breakdown_value",
    "definition",
    "place",
    "period_now",
    "period_before",
    "value_now",
    "value_before",
    "change",
    "pct_change",
    "test",
    "significance",
)


def newcombe_difference(x1: Any, n1: Any, x2: Any, n2: Any, confidence: float = 0.95) -> tuple[Any, Any]:
    """Newcombe's hybrid score interval for ``p1 - p2`` (proportions on the 0-1 scale; arrays work)."""
    import numpy as np

    from svsna.stats.proportions import wilson_limits

    x1, n1, x2, n2 = (np.asarray(v, dtype=float) for v in (x1, n1, x2, n2))
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson_limits(x1, n1, confidence)
    l2, u2 = wilson_limits(x2, n2, confidence)
    d = p1 - p2
    lower = d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    upper = d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    if lower.ndim == 0:
        return float(lower), float(upper)
    return lower, upper


def _tests(pairs: pd.DataFrame, public: bool) -> tuple[Any, Any]:
    """``(test names, significance)`` for every pair of rows (suffixes ``_a`` now, ``_b`` before)."""
    import numpy as np

    from svsna.stats import period_change

    n = len(pairs)
    test = np.full(n, "", dtype=object)
    sig = np.full(n, Significance.NOT_COMPARED.value, dtype=object)
    done = np.zeros(n, dtype=bool)
    stat = pairs["statistic_a"].to_numpy()
    va, vb = pairs["value_a"].to_numpy(float), pairs["value_b"].to_numpy(float)
    na, nb = pairs["numerator_a"].to_numpy(float), pairs["numerator_b"].to_numpy(float)
    da, db = pairs["denominator_a"].to_numpy(float), pairs["denominator_b"].to_numpy(float)
    ma, mb = pairs["months_a"].to_numpy(float), pairs["months_b"].to_numpy(float)
    la, ua = pairs["lower_a"].to_numpy(float), pairs["upper_a"].to_numpy(float)
    lb, ub = pairs["lower_b"].to_numpy(float), pairs["upper_b"].to_numpy(float)
    values = np.isfinite(va) & np.isfinite(vb)
    done |= ~values
    # population estimates are not counts of events: no test of chance applies to them
    done |= pairs["section"].to_numpy() == "population"

    m = ~done & (stat == "count") & (va >= 0) & (vb >= 0)
    if m.any():
        res = period_change(va[m], vb[m], ma[m], mb[m])
        test[m], sig[m], done[m] = "exact conditional test (counts)", res["significance"].to_numpy(), True
    if not public:
        ok = np.isfinite(na) & np.isfinite(nb) & np.isfinite(da) & np.isfinite(db) & (da > 0) & (db > 0)
        m = ~done & (stat == "rate") & ok & (na >= 0) & (nb >= 0)
        if m.any():
            res = period_change(na[m], nb[m], da[m] * ma[m], db[m] * mb[m])
            test[m], sig[m], done[m] = "exact conditional test (rates)", res["significance"].to_numpy(), True
        m = ~done & (stat == "percentage") & ok & (na >= 0) & (nb >= 0) & (na <= da) & (nb <= db)
        if m.any():
            lo, hi = newcombe_difference(na[m], da[m], nb[m], db[m])
            words = np.where(
                lo > 0,
                Significance.INCREASE.value,
                np.where(hi < 0, Significance.DECREASE.value, Significance.NO_CHANGE.value),
            )
            test[m], sig[m], done[m] = "Newcombe difference of proportions", words, True
    m = ~done & np.isfinite(la) & np.isfinite(ua) & np.isfinite(lb) & np.isfinite(ub)
    if m.any():
        up, down = la > ub, ua < lb
        test[m] = np.where((up | down)[m], "confidence intervals do not overlap", "confidence intervals overlap")
        sig[m] = np.where(
            up[m],
            Significance.INCREASE.value,
            np.where(down[m], Significance.DECREASE.value, Significance.NO_CHANGE.value),
        )
    return test, sig


def compare_assessments(now: IndicatorFrame, before: IndicatorFrame, *, public: bool) -> pd.DataFrame:
    """One row per series present in both assessments, with the change and its test (see module docstring)."""
    import numpy as np
    import pandas as pd

    cols = ["series", "period", "start", "months", "statistic", "value", "numerator", "denominator", "lower", "upper"]
    a = now.table[now.table["start"] >= 0]
    b = before.table[before.table["start"] >= 0]
    if not len(a) or not len(b):
        return pd.DataFrame(columns=list(CHANGE_COLUMNS))
    a_last = a.sort_values(["start", "months"], kind="stable").groupby("series", sort=False).tail(1)
    keep = ["section", "indicator", "label", "kind", "area", "breakdown", "breakdown_value", "definition", "place"]
    pairs = a_last[keep + cols].merge(
        b[[*cols, "label"]].rename(columns={"label": "label_before"}), on=["series", "months"], suffixes=("_a", "_b")
    )
    pairs["months_b"] = pairs["months"]
    pairs = pairs.rename(columns={"months": "months_a"})
    pairs = pairs[pairs["start_b"] <= pairs["start_a"]]
    pairs = pairs.sort_values("start_b", kind="stable").groupby("series", sort=False).tail(1).reset_index(drop=True)
    if not len(pairs):
        return pd.DataFrame(columns=list(CHANGE_COLUMNS))
    test, sig = _tests(pairs, public)
    va, vb = pairs["value_a"].to_numpy(float), pairs["value_b"].to_numpy(float)
    change = va - vb
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(vb != 0, 100.0 * change / vb, np.nan)
    if now.baseline and before.baseline and now.baseline != before.baseline:
        other = (pairs["label"] != pairs["label_before"]).to_numpy()  # the labels that name the baseline year
        test[other] = f"not compared: against {before.baseline} before, {now.baseline} now"
        sig[other] = Significance.NOT_COMPARED.value
        change[other] = pct[other] = np.nan
    out = pairs[[*keep, "label_before"]].copy()
    out["period_now"] = pairs["period_a"]
    out["period_before"] = pairs["period_b"]
    out["value_now"] = va
    out["value_before"] = vb
    out["change"] = change
    out["pct_change"] = pct
    out["test"] = test
    out["significance"] = sig
    return out[list(CHANGE_COLUMNS)].reset_index(drop=True)
