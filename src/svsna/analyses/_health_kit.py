"""Helpers shared by the health, risk-factor, survey, evidence, recommendation and data-quality sections.

Every finding these sections write carries the **standard numbers** of the findings contract
(:data:`STANDARD_NUMBERS`: ``value, lower, upper, unit, statistic, period, significance,
comparator, comparator_value, n, denominator``; ``None`` where a number does not apply,
``significance`` ``Not compared`` when no test was made; ``comparator`` says *what* ``value`` is
compared with, ``comparator_value`` its value), plus numbers of its own. The report renders
sentences from templates keyed on the finding's ``key`` and these numbers (``docs/findings.md``);
``Finding.text`` is a plain fallback. The names follow the analysis kit's contract
(``svsna.analyses.findings.yaml`` on the ``kit`` branch) so that the two meet when merged.

Numbers are plain JSON values: numpy scalars become Python numbers, NaN becomes ``None``.

Examples
--------
>>> import numpy as np
>>> n = numbers(value=np.float64(12.5), lower=float("nan"), unit="%", n=np.int64(8), source="ae")
>>> [n[k] for k in ("value", "lower", "unit", "n", "source", "comparator", "significance")]
[12.5, None, '%', 8, 'ae', None, 'Not compared']
>>> top_separated([5.0, 2.0, 1.0], [7.0, 4.5, 3.0], 0), top_separated([5.0, 2.0], [7.0, 5.5], 0)
(True, False)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from svsna.indicators import STATISTICS, Finding, Significance

__all__ = [
    "STANDARD_NUMBERS",
    "check_findings",
    "clean",
    "contract_path",
    "load_contract",
    "make_finding",
    "numbers",
    "rate_unit",
    "render_markdown",
    "top_separated",
]

#: Numbers every finding of these sections carries (None where they do not apply).
STANDARD_NUMBERS: tuple[str, ...] = (
    "value",
    "lower",
    "upper",
    "unit",
    "statistic",
    "period",
    "significance",
    "comparator",
    "comparator_value",
    "n",
    "denominator",
)


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
    unit: str = "",
    statistic: str = "value",
    period: str = "",
    significance: Any = None,
    comparator: str | None = None,
    comparator_value: Any = None,
    n: Any = None,
    denominator: Any = None,
    **extra: Any,
) -> dict[str, Any]:
    """The standard numbers of a finding, then ``extra`` (all cleaned by :func:`clean`)."""
    missing = significance is None or (isinstance(significance, float) and math.isnan(significance))
    sig = Significance.NOT_COMPARED.value if missing else str(Significance(significance))
    if statistic not in STATISTICS:  # pragma: no cover - a programming error
        raise ValueError(f"statistic {statistic!r} is not one of {STATISTICS}")
    base = {
        "value": value,
        "lower": lower,
        "upper": upper,
        "unit": unit,
        "statistic": statistic,
        "period": period,
        "significance": sig,
        "comparator": comparator,
        "comparator_value": comparator_value,
        "n": n,
        "denominator": denominator,
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


def top_separated(lowers: Sequence[float], uppers: Sequence[float], top: int) -> bool:
    """Whether item ``top``'s lower limit is above **every** other item's upper limit (the
    finding's ``separated``).

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


def rate_unit(multiplier: int, what: str = "", standardised: bool = False) -> str:
    """``'attendances per 1,000 residents'`` (``', age-standardised'`` appended for a DSR).

    >>> rate_unit(1000, "attendances"), rate_unit(100000, standardised=True)
    ('attendances per 1,000 residents', 'per 100,000 residents, age-standardised')
    """
    unit = f"{what} per {multiplier:,} residents".strip()
    return f"{unit}, age-standardised" if standardised else unit


# ------------------------------------------------------------------ the findings contract
def contract_path() -> Path:
    """``findings_health.yaml``: the keys of these sections and their numbers."""
    return Path(str(resources.files("svsna"))) / "analyses" / "findings_health.yaml"


@lru_cache(maxsize=1)
def load_contract() -> dict[str, Any]:
    """``{"standard": {name: meaning}, "keys": {key: {section, about, numbers}}}``.

    >>> c = load_contract()
    >>> tuple(c["standard"]) == STANDARD_NUMBERS, "recommendation" in c["keys"]
    (True, True)
    """
    import yaml

    raw = yaml.safe_load(contract_path().read_text(encoding="utf-8"))
    if not isinstance(raw, dict) or raw.get("kind") != "svsna_findings_contract":  # pragma: no cover
        raise ValueError(f"{contract_path()}: not an svsna findings contract")
    return raw


def check_findings(findings: Iterable[Finding]) -> list[str]:
    """Problems of ``findings`` against the contract (unknown key, wrong section, numbers missing).

    >>> check_findings([Finding("health", "no_such_key", "x", {})])
    ['health/no_such_key: key not in the findings contract (svsna/analyses/findings_health.yaml)']
    """
    contract = load_contract()
    problems = []
    for f in findings:
        spec = contract["keys"].get(f.key)
        where = f"{f.section}/{f.key}"
        if spec is None:
            problems.append(f"{where}: key not in the findings contract (svsna/analyses/findings_health.yaml)")
            continue
        if f.section != spec["section"]:
            problems.append(f"{where}: section is not {spec['section']}")
        if spec.get("note") and f.public:
            problems.append(f"{where}: a restricted-only key written as public")
        missing = [n for n in (*contract["standard"], *(spec.get("numbers") or {})) if n not in f.numbers]
        if missing:
            problems.append(f"{where}: numbers missing {missing}")
    return problems


def numbers_cell(spec: dict[str, Any]) -> str:
    """A key's numbers in ``docs/findings.md``, then those that are context (not statistics)."""
    nums = "; ".join(f"`{k}`: {v}" for k, v in (spec.get("numbers") or {}).items())
    context = spec.get("context") or ()
    if context:
        nums += "; context, printed as they are: " + ", ".join(f"`{p}`" for p in context)
    if spec.get("cites"):
        nums += f"; the findings in `{spec['cites']}` keep their own context"
    return nums


def render_markdown() -> str:
    """The section of ``docs/findings.md`` for these keys, from the contract."""
    c = load_contract()
    out = [
        "## Health, risk factors, surveys, evidence, recommendations and data quality",
        "",
        "<!-- rendered from src/svsna/analyses/findings_health.yaml by svsna.analyses._health_kit.render_markdown;"
        " do not edit by hand -->",
        "",
        "Standard numbers (every finding): " + ", ".join(f"`{k}`" for k in c["standard"]) + ".",
        "",
        "| key | section | about | numbers (besides the standard ones) |",
        "|---|---|---|---|",
    ]
    for key, spec in c["keys"].items():
        nums = numbers_cell(spec)
        about = " ".join(str(spec.get("about", "")).split()).replace("|", "/")
        if spec.get("note"):
            about += " (note: not public)"
        out.append(f"| `{key}` | {spec['section']} | {about} | {nums.replace('|', '/')} |")
    return "\n".join(out) + "\n"
