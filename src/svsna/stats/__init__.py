"""Public-health statistical methods for svsna, vectorised with numpy and scipy.

The Python equivalent of the methods used by OHID Fingertips, PHEindicatormethods and
NHS England's Making Data Count, implemented from the published formulas (see
``docs/methods.md``). Each function accepts scalars or array-likes and returns a pandas
DataFrame with one row per input, with at least the columns ``value, lower, upper,
method, confidence`` so that rows go straight into the indicator table
(:func:`svsna.indicators.indicator_rows`).

Submodules are imported lazily on first use, so ``import svsna.stats`` is cheap.

Examples
--------
>>> from svsna.stats import crude_rate, proportion
>>> crude_rate(25, 10_000).loc[0, "value"]
np.float64(2.5)
>>> proportion(1, 4, multiplier=100).loc[0, "method"]
'Wilson'
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS: dict[str, str] = {
    "StatsInputError": "_common",
    "crude_rate": "rates",
    "proportion": "proportions",
    "wilson_limits": "proportions",
    "rate_ratio": "ratios",
    "period_change": "ratios",
    "compare_to_benchmark": "compare",
    "POLARITIES": "compare",
    "dsr": "dsr",
    "european_standard_population": "dsr",
    "recent_trend": "trend",
    "spc": "spc",
    "getis_ord_gi_star": "hotspots",
    "contiguity_weights": "hotspots",
    "grid_weights": "hotspots",
    "benjamini_hochberg": "hotspots",
    "disclose": "disclosure",
    "safe_count": "disclosure",
    "rule_set": "disclosure",
    "RuleSet": "disclosure",
    "RULE_SETS": "disclosure",
    "DisclosureResult": "disclosure",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'svsna.stats' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"svsna.stats.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
