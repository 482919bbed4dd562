"""Written findings for one edition: the printed sentence of each finding and the headline tiles.

The sentence of a finding is written by its key's template (:mod:`svsna.outputs.sentences`)
from the finding's numbers, never by editing the analysis's own sentence. In the public
edition counts go through the disclosure rule and a finding whose count is suppressed is
not printed; :func:`svsna.outputs.public.unsafe_numbers` then checks the sentence as a last
line of defence. Headline findings make the "at a glance" tiles: a big figure written as the
reference writes it ("1 in 10", "1.6 times", "14.6%") over the sentence.

Examples
--------
>>> from svsna.indicators import Finding
>>> f = Finding("nature", "knife_share", "", {"share": 10.29, "lower": 9.5, "upper": 11.1}, headline=True)
>>> s = sentence(f)
>>> s.text
'10.3% of offences (1 in 10) involved a knife or sharp object (95% CI 9.5% to 11.1%).'
>>> callout(f, s.text).figure
'1 in 10'
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from svsna.indicators import Finding
from svsna.outputs.wording import fmt_pct, fmt_rate, residents_words, share_words, times_words

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Callout", "Sentence", "callout", "count_numbers", "sentence"]

CountRule = Callable[[float | None], float | None]

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
        "respondents",
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
    """A finding as printed, or withheld (``text`` None) with the reason.

    ``missing`` names the number a template needed and did not get (shown as "not
    available"), ``topic`` says in words what the finding is about.
    """

    finding: Finding
    text: str | None
    withheld: str = ""
    missing: str = ""
    topic: str = ""


@dataclass(frozen=True)
class Callout:
    """A headline figure: the big number and the sentence under it."""

    figure: str
    text: str
    section: str = ""
    #: the section the tile points to when ``section`` is not in the edition (the finding's own)
    fallback: str = ""

    def target(self, numbers: Mapping[str, Any]) -> str:
        """The section the tile's "Section n" link goes to: ``section``, else ``fallback``, of those
        in ``numbers`` (the edition's section numbers by key); "" for none."""
        return next((s for s in (self.section, self.fallback) if s and s in numbers), "")


#: A headline finding whose tile points to a section other than its own: the night-time-economy
#: share is worked out in the timings but the reader looks for it under the night-time economy.
CARD_SECTIONS: dict[str, str] = {"nte_share": "nte"}


def count_numbers(numbers: Mapping[str, Any]) -> dict[str, float]:
    """The entries of a finding's numbers that are counts of people or events.

    >>> count_numbers({"count": 3529, "change_pct": -14.6, "hour": 15, "n_victims": 40})
    {'count': 3529.0, 'n_victims': 40.0}
    """
    out = {}
    for key, val in numbers.items():
        if isinstance(val, bool) or not isinstance(val, int | float) or not math.isfinite(val):
            continue
        if key.lower().startswith("one_in"):  # "1 in 17": a share in words, not a count
            continue
        words = set(key.lower().split("_"))
        if words & _COUNT_WORDS and not words & _NOT_COUNT_WORDS:
            out[key] = float(val)
    return out


def sentence(
    finding: Finding,
    *,
    rule: CountRule | None = None,
    check: Callable[[str], list[str]] | None = None,
    table: pd.DataFrame | None = None,
    overrides: Mapping[str, str] | None = None,
    multiplier: int = 1000,
    confidence: float = 0.95,
    area: str = "",
    base_dir: Any = None,
    under: int = 25,
) -> Sentence:
    """The printed sentence for a finding (``rule`` given: the public edition).

    Parameters
    ----------
    finding : Finding
    rule : callable, optional
        The public edition's count rule (true count -> safe count or None).
    check : callable, optional
        Returns the unsafe numbers left in a sentence (see
        :func:`svsna.outputs.public.unsafe_numbers`); any makes the finding withheld.
    table : DataFrame, optional
        The edition's indicator rows (ranking words are checked against their intervals).
    overrides : mapping, optional
        ``finding key -> sentence`` from ``report.overrides`` in ``area.yaml``.
    """
    from svsna.outputs.sentences import render

    def safe(n: float) -> float | None:
        return None if rule is None else rule(n)

    r = render(
        finding,
        rule=safe if rule is not None else None,
        table=table,
        overrides=overrides,
        check=check,
        multiplier=multiplier,
        confidence=confidence,
        area=area,
        base_dir=base_dir,
        under=under,
    )
    return Sentence(finding, r.text, r.withheld, r.missing, r.topic)


def callout(finding: Finding, printed: str) -> Callout:
    """The headline tile for a finding: a big figure in the reference's words over its sentence."""
    nums = finding.numbers
    figure = ""
    share_keys = ["share_pct", "pct", "percentage", "share"]
    if "value" in nums and any(k in str(i) for i in finding.indicators for k in ("share", "prevalence", "pct")):
        share_keys.append("value")
    for key in share_keys:
        v = nums.get(key)
        if isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) and 0 <= v <= 100:
            words = share_words(float(v))
            figure = words if words[0].isdigit() else fmt_pct(float(v))
            break
    else:
        ratio = nums.get("ratio", nums.get("rate_ratio"))
        if isinstance(ratio, int | float) and not isinstance(ratio, bool):
            figure = times_words(float(ratio))
        elif isinstance(nums.get("change_pct"), int | float):
            figure = fmt_pct(abs(float(nums["change_pct"])))
        elif isinstance(nums.get("rate"), int | float):
            figure = fmt_rate(float(nums["rate"]))
        elif isinstance(nums.get("residents"), int | float):
            figure = residents_words(float(nums["residents"]))
    return Callout(figure, printed, CARD_SECTIONS.get(finding.key, finding.section), finding.section)
