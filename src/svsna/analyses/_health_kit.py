"""Helpers shared by the health, risk-factor, survey, evidence, recommendation and data-quality sections.

Every finding these sections write carries the **standard numbers** (:data:`STANDARD_NUMBERS`):
``value, lower, upper, comparator, significance, period, unit, n`` (``None`` where a number does
not apply), plus numbers of its own. The report renders sentences from templates keyed on the
finding's ``key`` and these numbers (``docs/findings.md``); ``Finding.text`` is a plain fallback.

Numbers are plain JSON values: numpy scalars become Python numbers, NaN becomes ``None``.

Examples
--------
>>> import numpy as np
>>> n = numbers(value=np.float64(12.5), lower=float("nan"), unit="%", n=np.int64(8), source="ae")
>>> [n[k] for k in ("value", "lower", "unit", "n", "source", "comparator")]
[12.5, None, '%', 8, 'ae', None]
>>> ranking_clear([5.0, 2.0, 1.0], [7.0, 4.5, 3.0], 0), ranking_clear([5.0, 2.0], [7.0, 5.5], 0)
(True, False)
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from svsna.indicators import Finding, Significance

__all__ = ["STANDARD_NUMBERS", "clean", "make_finding", "numbers", "ranking_clear", "rate_unit"]

#: Numbers every finding of these sections carries (None where they do not apply).
STANDARD_NUMBERS: tuple[str, ...] = ("value", "lower", "upper", "comparator", "significance", "period", "unit", "n")


def clean(x: Any) -> Any:
    """``x`` as plain JSON data: numpy scalars to Python, NaN to None, containers recursively."""
    if x is None or isinstance(x, bool | str):
        return x
    if isinstance(x, Significance):
        return x.value
    if isinstance(x, Mapping):
        return {str(k): clean(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [clean(v) for v in x]
    if hasattr(x, "item") and not isinstance(x, int | float):
        x = x.item()
    if isinstance(x, bool):
        return x
    if isinstance(x, int):
        return int(x)
    if isinstance(x, float):
        return None if math.isnan(x) else float(x)
    return x


def numbers(
    *,
    value: Any = None,
    lower: Any = None,
    upper: Any = None,
    comparator: Any = None,
    significance: Any = None,
    period: str = "",
    unit: str = "",
    n: Any = None,
    **extra: Any,
) -> dict[str, Any]:
    """The standard numbers of a finding, then ``extra`` (all cleaned by :func:`clean`)."""
    sig = None if significance is None else str(Significance(significance))
    base = {
        "value": value,
        "lower": lower,
        "upper": upper,
        "comparator": comparator,
        "significance": sig,
        "period": period,
        "unit": unit,
        "n": n,
    }
    clash = set(base) & set(extra)
    if clash:  # pragma: no cover - a programming error
        raise TypeError(f"numbers(): {sorted(clash)} given twice")
    return clean({**base, **extra})


def make_finding(
    section: str,
    key: str,
    text: str,
    nums: Mapping[str, Any],
    *,
    area: str,
    definition: str = "",
    period: str = "",
    indicators: Sequence[str] = (),
    public: bool = True,
    headline: bool = False,
) -> Finding:
    """A :class:`Finding` whose ``significance`` and ``period`` are those of its numbers."""
    missing = [k for k in STANDARD_NUMBERS if k not in nums]
    if missing:  # pragma: no cover - a programming error
        raise TypeError(f"finding {key!r} lacks standard number(s) {missing}")
    return Finding(
        section=section,
        key=key,
        text=text,
        numbers=dict(nums),
        significance=nums.get("significance"),
        period=period or nums.get("period") or "",
        area=area,
        definition=definition,
        indicators=tuple(indicators),
        public=public,
        headline=headline,
    )


def ranking_clear(lowers: Sequence[float], uppers: Sequence[float], top: int) -> bool:
    """Whether item ``top``'s lower limit is above every other item's upper limit.

    Only then may a sentence call it "the highest" (or "most", "greatest"); otherwise it is
    the highest point estimate. False when a limit is missing or there is one item only.
    """
    lo = lowers[top]
    if lo is None or (isinstance(lo, float) and math.isnan(lo)) or len(uppers) < 2:
        return False
    others = [u for i, u in enumerate(uppers) if i != top]
    if any(u is None or (isinstance(u, float) and math.isnan(u)) for u in others):
        return False
    return all(float(lo) > float(u) for u in others)


def rate_unit(multiplier: int, standardised: bool = False) -> str:
    """``'per 1,000 residents'`` (``', age-standardised'`` appended for a DSR).

    >>> rate_unit(1000), rate_unit(100000, standardised=True)
    ('per 1,000 residents', 'per 100,000 residents, age-standardised')
    """
    unit = f"per {multiplier:,} residents"
    return f"{unit}, age-standardised" if standardised else unit
