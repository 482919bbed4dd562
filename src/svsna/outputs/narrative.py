"""Written findings: sentences and headline call-outs from structured findings.

Each :class:`~svsna.indicators.Finding` carries a default sentence, its numbers and the
result of its significance test. This module turns it into the sentence the report
prints, with three guarantees:

1. **Statistical language.** "significant(ly)" survives only when the finding's
   ``significance`` records a significant result; otherwise the word is removed and,
   where a test found no difference, the sentence says so.
2. **Disclosure control (public edition).** Counts among the finding's numbers are
   replaced by their safe values ("around 3,530"); a finding whose count is suppressed,
   or whose sentence still holds a number that could be an unsafe count, is withheld.
3. **House style.** Shares in the headline panel are written as the reference does
   ("almost three quarters", "1 in 10"), ratios as "1.6 times".

Examples
--------
>>> from svsna.indicators import Finding
>>> f = Finding("geography", "x", "Melton's rate was significantly different.", significance="Similar")
>>> sentence(f).text
"Melton's rate was different (the difference is not statistically significant)."
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from svsna.indicators import Finding
from svsna.outputs.wording import (
    NOT_SIGNIFICANT,
    fmt_count,
    fmt_pct,
    fmt_rate,
    is_significant,
    share_words,
    times_words,
)

__all__ = ["Callout", "Sentence", "callout", "count_numbers", "sentence"]

CountRule = Callable[[float | None], float | None]

_SIG_WORD = re.compile(r"\b(?:statistically\s+)?significant(?:ly)?\s+", re.IGNORECASE)
_COUNT_WORDS = frozenset(
    {
        "count",
        "n",
        "number",
        "offences",
        "victims",
        "perpetrators",
        "suspects",
        "attendances",
        "admissions",
        "callouts",
        "persons",
        "total",
        "current",
        "previous",
        "missing",
        "rows",
        "offenders",
        "numerator",
        "denominator",
        "people",
        "before",
        "now",
        "crimes",
    }
)
_NOT_COUNT_WORDS = frozenset(
    {
        "pct",
        "percent",
        "share",
        "rate",
        "ratio",
        "year",
        "hour",
        "age",
        "month",
        "lower",
        "upper",
        "value",
        "comparator",
        "z",
        "mean",
        "period",
        "label",
        "significance",
        "multiplier",
        "months",
        "population",
    }
)


@dataclass(frozen=True)
class Sentence:
    """A finding as printed, or withheld (``text`` None) with the reason."""

    finding: Finding
    text: str | None
    withheld: str = ""


@dataclass(frozen=True)
class Callout:
    """A headline figure: the big number and the sentence under it."""

    figure: str
    text: str
    section: str = ""


def count_numbers(numbers: Mapping[str, Any]) -> dict[str, float]:
    """The entries of a finding's numbers that are counts of people or events.

    >>> count_numbers({"count": 3529, "change_pct": -14.6, "hour": 15, "n_victims": 40})
    {'count': 3529.0, 'n_victims': 40.0}
    """
    out = {}
    for key, val in numbers.items():
        if isinstance(val, bool) or not isinstance(val, int | float) or not math.isfinite(val):
            continue
        words = set(key.lower().split("_"))
        if words & _COUNT_WORDS and not words & _NOT_COUNT_WORDS:
            out[key] = float(val)
    return out


def _fix_significance(text: str, significance: str | None) -> str:
    if is_significant(significance):
        return text
    fixed = _SIG_WORD.sub("", text)
    fixed = re.sub(r"\ba (?=[aeiou])", "an ", fixed)
    fixed = re.sub(r"\ban (?=[^aeiou\W])", "a ", fixed)
    if fixed != text and (significance or "").strip().lower() in NOT_SIGNIFICANT - {"", "not compared"}:
        fixed = fixed.rstrip(". ") + " (the difference is not statistically significant)."
    return fixed


def _number_forms(n: float) -> list[str]:
    i = round(n)
    return [f"{i:,}", str(i)] if i >= 1000 else [str(i)]


def sentence(
    finding: Finding, *, rule: CountRule | None = None, check: Callable[[str], list[str]] | None = None
) -> Sentence:
    """The printed sentence for a finding.

    Parameters
    ----------
    finding : Finding
    rule : callable, optional
        The public edition's count rule (true count -> safe count or None). When
        given, counts are made safe and unsafe findings withheld.
    check : callable, optional
        Returns the unsafe numbers left in a sentence (see
        :func:`svsna.outputs.public.unsafe_numbers`); any makes the finding withheld.
    """
    text = _fix_significance(finding.text.strip(), finding.significance)
    if rule is None:
        return Sentence(finding, text)
    if not finding.public:
        return Sentence(finding, None, "marked not for public release")
    for key, n in count_numbers(finding.numbers).items():
        safe = rule(n)
        if safe is None:
            return Sentence(finding, None, f"count '{key}' is suppressed")
        if safe != n:
            for form in _number_forms(n):
                pattern = re.compile(rf"(?<![\w.,]){re.escape(form)}(?![\w]|[.,]\d)")
                if pattern.search(text):
                    text = pattern.sub(f"around {fmt_count(safe)}", text, count=1)
                    break
    if check is not None:
        bad = check(text)
        if bad:
            return Sentence(finding, None, f"sentence holds possibly unsafe number(s) {', '.join(bad)}")
    text = re.sub(r"^around", "Around", text)
    return Sentence(finding, text)


def callout(finding: Finding, printed: str) -> Callout:
    """The headline panel entry for a finding: a big figure in the reference's words."""
    nums = finding.numbers
    figure = ""
    share_keys = ["share_pct", "pct", "percentage", "share"]
    if "value" in nums and any(k in str(i) for i in finding.indicators for k in ("share", "prevalence", "pct")):
        share_keys.append("value")
    for key in share_keys:
        if key in nums and isinstance(nums[key], int | float) and not isinstance(nums[key], bool):
            words = share_words(float(nums[key]))
            figure = words if words[0].isdigit() else fmt_pct(float(nums[key]))
            break
    else:
        ratio = nums.get("ratio", nums.get("rate_ratio"))
        if isinstance(ratio, int | float):
            figure = times_words(float(ratio))
        elif "change_pct" in nums:
            figure = fmt_pct(abs(float(nums["change_pct"])))
        elif "rate" in nums:
            figure = fmt_rate(float(nums["rate"]))
    return Callout(figure, printed, finding.section)
