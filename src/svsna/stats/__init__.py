"""Public-health statistical methods for svsna, vectorised with numpy and scipy.

The Python equivalent of the methods used by OHID Fingertips, PHEindicatormethods and
NHS England's Making Data Count, implemented from the published formulas (see
``docs/methods.md``). Each function accepts scalars or array-likes and returns a pandas
DataFrame with one row per input, with at least the columns ``value, lower, upper,
method, confidence`` so that rows go straight into the indicator table
(:func:`svsna.indicators.indicator_rows`).

Functions (see ``docs/methods.md`` for formulas, thresholds and sources):

* rates and shares: :func:`crude_rate` (exact Poisson / Byar's), :func:`proportion` (Wilson),
  :func:`dsr` (Dobson, 2013 European Standard Population);
* comparisons: :func:`rate_ratio`, :func:`period_change` (exact conditional),
  :func:`compare_to_benchmark` (Fingertips overlapping confidence intervals);
* change over time: :func:`recent_trend` (Fingertips 5-point test), :func:`spc` (XmR, Making
  Data Count rules);
* places: :func:`getis_ord_gi_star` (Gi* with Benjamini-Hochberg FDR),
  :func:`contiguity_weights`, :func:`grid_weights`;
* publishing: :func:`disclose`, :func:`safe_count`, :func:`rule_set` (disclosure control);
  :func:`svsna.stats.audit.audit`, :func:`protect` (joint audit of everything published together).

Submodules are imported lazily on first use, so ``import svsna.stats`` is cheap (numpy only).

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

# ``spc`` and ``dsr`` are both a submodule and a function. Bind the functions now (these two
# modules need only numpy at import time), so that ``svsna.stats.spc`` is always the function,
# even after ``import svsna.stats.spc`` or doctest collection has loaded the submodule.
from svsna.stats.dsr import dsr as dsr
from svsna.stats.spc import spc as spc

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
    "AuditProblem": "audit",
    "AuditResult": "audit",
    "AuditModelError": "audit",
    "protect": "audit",
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
