"""The public edition's view of the indicator table, under disclosure control.

Everything the public executive summary shows is drawn from :func:`public_indicators`,
a copy of the indicator table in which, under the area's rule set (default
``nhsd_2018``: counts 1-7 suppressed, all other counts rounded to the nearest 5, via
:mod:`svsna.stats.disclose`):

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
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from svsna.outputs.catalogue import indicator_kind

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["count_rule", "is_safe_count", "public_indicators", "unsafe_numbers"]


def count_rule(rules: str) -> Callable[[float | None], float | None]:
    """The function mapping a true count to what may be published (None = suppressed)."""
    from svsna.stats.disclose import safe_count

    def rule(n: float | None) -> float | None:
        if n is None or (isinstance(n, float) and math.isnan(n)):
            return None
        out = safe_count(n, rules=rules)
        if out is None or (isinstance(out, float) and math.isnan(out)):
            return None
        return float(out)

    return rule


def is_safe_count(n: float, rules: str) -> bool:
    """Whether ``n`` could have been published under ``rules`` (a fixed point of the rule).

    >>> is_safe_count(10, "nhsd_2018"), is_safe_count(12, "nhsd_2018"), is_safe_count(0, "nhsd_2018")
    (True, False, True)
    """
    rule = count_rule(rules)
    return rule(n) == n


def public_indicators(table: pd.DataFrame, rules: str) -> pd.DataFrame:
    """A disclosure-controlled copy of the indicator table (see the module docstring).

    Adds a ``public_note`` column saying what was done to each row.
    """
    import numpy as np

    rule = count_rule(rules)
    out = table.copy()
    out["denominator"] = np.nan
    notes = []
    nums, vals, los, his = [], [], [], []
    for row in table.itertuples(index=False):
        kind = indicator_kind(str(row.indicator), row.method if isinstance(row.method, str) else None)
        num = None if row.numerator is None or _nan(row.numerator) else float(row.numerator)
        safe_num = rule(num) if num is not None else None
        value, lo, hi = row.value, row.lower, row.upper
        note = ""
        if bool(row.suppressed):
            value = lo = hi = np.nan
            safe_num = None
            note = f"suppressed: {row.suppression_reason}" if isinstance(row.suppression_reason, str) else "suppressed"
        elif kind == "count":
            safe_val = rule(None if _nan(value) else float(value))
            if safe_val is None and not _nan(value):
                note = f"count suppressed ({rules})"
            elif not _nan(value) and safe_val != float(value):
                note = f"count rounded ({rules})"
            value = np.nan if safe_val is None else safe_val
            lo = hi = np.nan  # limits of a count would reveal it
        elif num is not None and safe_num is None:
            value = lo = hi = np.nan
            note = f"numerator suppressed ({rules})"
        nums.append(np.nan if safe_num is None else safe_num)
        vals.append(value)
        los.append(lo)
        his.append(hi)
        notes.append(note)
    out["numerator"] = np.array(nums, dtype=float)
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
    r"\b\d+\s+in\s+(?:\d+|ten)\b",
    r"\b\d+(?:st|nd|rd|th)\b",
    r"\bper\s+\d[\d,]*",
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
