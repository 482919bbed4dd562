"""Open-data findings as data: a key from ``analyses/findings_opendata.yaml`` plus its numbers.

The sentence is never written here: :func:`od_finding` fills in the findings contract's standard
numbers and takes the finding's plain ``text`` from the template of its key
(:mod:`svsna.outputs.sentences`), the same template the report prints (the public summary prints it
with rounded counts).

Examples
--------
>>> f = od_finding("od_mix", "od_crime_type_mix", area="Testshire", period="2021/22", value=40.0, unit="%",
...                statistic="percentage", n=40, denominator=100, total=100, top_type="Burglary", top_count=40)
>>> f.text
"Of 100 crimes recorded on police.uk in 2021/22, the largest category was 'Burglary' (40.0%)."
>>> from svsna.analyses.findings_catalogue import check_findings
>>> check_findings([f])
[]
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from svsna.indicators import Finding, Significance

__all__ = ["od_finding"]


def od_finding(
    section: str,
    key: str,
    *,
    area: str,
    period: str = "",
    definition: str = "",
    value: float | None = None,
    lower: float | None = None,
    upper: float | None = None,
    unit: str = "",
    statistic: str = "value",
    significance: str = Significance.NOT_COMPARED.value,
    comparator: str | None = None,
    comparator_value: float | None = None,
    n: float | None = None,
    denominator: float | None = None,
    indicators: tuple[str, ...] = (),
    headline: bool = False,
    public: bool = True,
    confidence: float = 0.95,
    multiplier: int = 1000,
    **numbers: Any,
) -> Finding:
    """A finding of ``key`` with the standard numbers and the key's ``numbers``, its text from the template."""
    from svsna.analyses._health_kit import numbers as standard_numbers
    from svsna.analyses.findings_catalogue import declared_context
    from svsna.outputs.sentences import render

    nums = standard_numbers(
        value=value, lower=lower, upper=upper, unit=unit, statistic=statistic, period=period,
        significance=significance, comparator=comparator, comparator_value=comparator_value, n=n,
        denominator=denominator, **numbers,
    )  # fmt: skip
    f = Finding(
        section=section,
        key=key,
        text="",
        numbers=nums,
        significance=str(significance),
        period=period,
        area=area,
        definition=definition,
        indicators=indicators,
        headline=headline,
        public=public,
        context=declared_context(key),
    )
    shown = render(f, confidence=confidence, multiplier=multiplier, area=area)
    if shown.text is None:  # pragma: no cover - a contract/template mismatch is a bug
        raise AssertionError(f"finding {key}: its template wrote no sentence ({shown.withheld})")
    return replace(f, text=shown.text)
