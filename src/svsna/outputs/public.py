"""The public edition's view of the indicator table, under disclosure control.

Everything the public executive summary shows is drawn from :func:`public_indicators`,
a copy of the indicator table in which, under the area's rule set (default
``nhsd_2018``: counts 1-7 suppressed, all other counts rounded to the nearest 5, via
:func:`svsna.stats.disclose`, with its secondary suppression within each breakdown):

- every count (numerators, and values of count indicators) is replaced by its safe
  value, or blanked when suppressed;
- a rate, share or ratio is blanked when its numerator is suppressed (its value would
  reveal the small count);
- rows already marked ``suppressed`` by the analyses are blanked;
- denominators are dropped (they are not shown publicly).

Rates and confidence limits are those computed on the unrounded counts, as NHS Digital
does. :func:`unsafe_numbers` is the last line of defence for prose: it finds whole
numbers in a sentence that could be counts and fail the rule, so such a sentence is
withheld rather than published.

Examples
--------
>>> unsafe_numbers("There were 6 murders and 3,530 assaults in 2020/21 (14.6%).", "nhsd_2018")
['6']
>>> unsafe_numbers("1 in 10 offences; 15-19 year olds; 22:00-05:00; under 25s; 1.6 times.", "nhsd_2018")
[]
>>> unsafe_numbers("Robbery went from 714 in 2020/21 to 684 in 2021/22.", "nhsd_2018")
['714', '684']
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from svsna.outputs.catalogue import indicator_kind

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["count_rule", "is_safe_count", "public_indicators", "suppression_symbol", "unsafe_numbers"]


def count_rule(rules: str) -> Callable[[float | None], float | None]:
    """The function mapping a true count to what may be published (None = suppressed).

    >>> rule = count_rule("nhsd_2018")
    >>> rule(3), rule(23), rule(0), rule(3529)
    (None, 25.0, 0.0, 3530.0)
    """
    from svsna.stats import safe_count

    def rule(n: float | None) -> float | None:
        if n is None or (isinstance(n, float) and math.isnan(n)):
            return None
        text, suppressed, _ = safe_count(n, rules)
        if suppressed:
            return None
        return float(text.replace(",", ""))

    return rule


def suppression_symbol(rules: str) -> str:
    """What a suppressed cell shows (GSS ``[c]``)."""
    from svsna.stats import rule_set

    return rule_set(rules).symbol


def is_safe_count(n: float, rules: str) -> bool:
    """Whether ``n`` could have been published under ``rules`` (a fixed point of the rule).

    >>> is_safe_count(10, "nhsd_2018"), is_safe_count(12, "nhsd_2018"), is_safe_count(0, "nhsd_2018")
    (True, False, True)
    """
    rule = count_rule(rules)
    return rule(n) == n


_GROUP = ["section", "indicator", "period", "area", "breakdown", "definition"]


def _disclosed_numerators(table: pd.DataFrame, rules: str) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Safe numerators, suppression flags and reasons, with secondary suppression per breakdown.

    Each group of rows that together make one published breakdown (same indicator, period,
    area and breakdown) goes through :func:`svsna.stats.disclose` as a one-way table with its
    total, so a suppressed cell cannot be recovered by subtraction from the others.
    """
    import numpy as np
    import pandas as pd

    from svsna.stats import disclose

    values = pd.Series(np.nan, index=table.index)
    supp = pd.Series(False, index=table.index)
    reasons = pd.Series("", index=table.index, dtype=object)
    has_num = table["numerator"].notna()
    keys = table[_GROUP].fillna("").astype(str)
    from svsna.stats import rule_set

    rs = rule_set(rules)
    rule = count_rule(rules)
    for _, idx in keys[has_num].groupby(_GROUP, sort=False).groups.items():
        counts = table.loc[idx, "numerator"].astype(float).round()
        if (counts < 0).any():
            continue
        if not counts.between(rs.suppress_from, rs.suppress_to).any():
            # nothing small to protect: every cell is simply rounded (no secondary suppression needed)
            values.loc[idx] = [rule(c) for c in counts]
            continue
        series = pd.Series(counts.to_numpy(), index=[f"r{i}" for i in range(len(idx))], name="count")
        res = disclose(series, rules, margins=len(idx) > 1)
        inner = [f"r{i}" for i in range(len(idx))]
        values.loc[idx] = res.values.loc[inner].iloc[:, 0].to_numpy(dtype=float)
        supp.loc[idx] = res.suppressed.loc[inner].iloc[:, 0].to_numpy(dtype=bool)
        reasons.loc[idx] = res.reasons.loc[inner].iloc[:, 0].astype(str).to_numpy()
    return values, supp, reasons


def public_indicators(table: pd.DataFrame, rules: str) -> pd.DataFrame:
    """A disclosure-controlled copy of the indicator table (see the module docstring).

    Adds a ``public_note`` column saying what was done to each row.
    """
    import numpy as np

    out = table.copy().reset_index(drop=True)
    safe_num, num_supp, num_reason = _disclosed_numerators(out, rules)
    notes = []
    vals, los, his = [], [], []
    for i, row in enumerate(out.itertuples(index=False)):
        kind = indicator_kind(str(row.indicator), row.method if isinstance(row.method, str) else None)
        value, lo, hi = row.value, row.lower, row.upper
        note = ""
        if bool(row.suppressed):
            value = lo = hi = np.nan
            safe_num.iloc[i] = np.nan
            note = f"suppressed: {row.suppression_reason}" if isinstance(row.suppression_reason, str) else "suppressed"
        elif kind == "count":
            if not _nan(row.numerator) and not _nan(value) and float(row.numerator) == float(value):
                new = np.nan if num_supp.iloc[i] else safe_num.iloc[i]
                reason = num_reason.iloc[i]
            else:
                new = count_rule(rules)(None if _nan(value) else float(value))
                reason = f"primary ({rules})" if new is None else ""
            if _nan(new) and not _nan(value):
                note = f"count suppressed: {reason or rules}"
            elif not _nan(value) and new != float(value):
                note = f"count rounded ({rules})"
            value = np.nan if new is None else new
            if str(row.breakdown) != "month":
                lo = hi = np.nan  # limits of a count would reveal it (XmR process limits of a series do not)
        elif num_supp.iloc[i]:
            value = lo = hi = np.nan
            note = f"numerator suppressed: {num_reason.iloc[i]}"
        vals.append(value)
        los.append(lo)
        his.append(hi)
        notes.append(note)
    out["numerator"] = np.where(num_supp, np.nan, safe_num)
    out["denominator"] = np.nan
    out["value"] = np.array(vals, dtype=float)
    out["lower"] = np.array(los, dtype=float)
    out["upper"] = np.array(his, dtype=float)
    out["public_note"] = notes
    return out


def _nan(x: object) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


# Numbers that are not counts of people or events: years and financial years, clock
# times, age bands and ages ("15-19", "under 25"), "1 in 10", ordinals, decimals and
# percentages, month days, rates ("per 1,000"), figure/table numbers.
_NOT_COUNTS = [
    r"\b(?:19|20)\d\d/\d\d\b",
    r"\b\d{1,2}:\d\d\b",
    r"\b\d+(?:\.\d+)?\s*%",
    r"\b\d[\d,]*\.\d+\b",
    r"\b\d+\s*(?:-|–|to)\s*\d+(?=\s*(?:year|yr|\)|$|,|\s))",
    r"\b(?:under|over|aged|age|ages|than)\s+\d+",
    r"\b\d+\s*(?:and over|\+)",
    r"\b\d+\s+in\s+(?:(?!(?:19|20)\d\d)\d+(?![\d/])|ten)\b",  # "1 in 10", not "714 in 2020/21"
    r"\b\d+(?:st|nd|rd|th)\b",
    r"\bper\s+\d[\d,]*",
    r"\b(?:deciles?|quintiles?)\s+\d+",
    r"\b(?:Figure|Table|Section|page|Page|step|Step)\s+\d+",
    r"\b\d{1,2}\s+(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b",
    r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s+(?:19|20)\d\d\b",
    r"\b(?:19|20)\d\d-\d\d(?:-\d\d)?\b",
    r"\b(?:19|20)\d\d\b",
    r"\b[A-Z]\d+[A-Z0-9/]*\b",
    r"\bE0\d{7}\b",
    r"\bsvsna\s+\d+(?:\.\d+)*",
]
_NOT_COUNT_RE = re.compile("|".join(f"(?:{p})" for p in _NOT_COUNTS))
_INTEGER_RE = re.compile(r"(?<![\w.,])\d{1,3}(?:,\d{3})+(?![\w.]|,\d)|(?<![\w.,])\d+(?![\w.]|,\d)")


def unsafe_numbers(text: str, rules: str) -> list[str]:
    """Whole numbers in ``text`` that could be counts and would fail ``rules``.

    Numbers in non-count contexts (years, times, percentages, decimals, age bands,
    "1 in 10", ordinals, rates "per 1,000") are ignored; every other whole number must
    be one the rule could have published (under ``nhsd_2018``: 0 or a multiple of 5
    of at least 10).
    """
    cleaned = _NOT_COUNT_RE.sub(" ", text)
    bad = []
    for m in _INTEGER_RE.finditer(cleaned):
        n = float(m.group(0).replace(",", ""))
        if not is_safe_count(n, rules):
            bad.append(m.group(0))
    return bad
