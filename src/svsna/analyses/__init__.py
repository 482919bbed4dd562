"""The SNA analyses: one module per section, run for every configured definition.

Each section module (listed in :data:`SECTIONS`, in report order) exposes ``SECTION``,
``run(ctx) -> SectionResult`` (or ``run(ctx, prior_findings=...)`` to receive the findings
of the sections before it), optionally ``PER_DEFINITION = False`` for sections that do not
use the serious-violence definition (run once; their rows carry a blank ``definition``, and
their findings are passed on to later sections of every definition) and optionally
``REQUIRES`` (the warehouse tables it needs; default :data:`DEFAULT_REQUIRES`).
:func:`run_assessment` runs them all and :func:`write_assessment` writes ``indicators.csv``, ``indicators.parquet`` and
``findings.json``. A section whose tables are absent is skipped with a logged note (kept
in :attr:`AssessmentResult.skipped`).

Examples
--------
>>> SECTIONS[:3]
('population', 'extent', 'nature')
"""

from __future__ import annotations

import importlib
import inspect
import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from svsna.analyses._base import POLICE_REQUIRES
from svsna.indicators import Finding, concat_indicators, findings_to_json

if TYPE_CHECKING:
    import pandas as pd

    from svsna.config import AreaConfig
    from svsna.engine import Warehouse

__all__ = [
    "DEFAULT_REQUIRES",
    "POLICE_REQUIRES",
    "SECTIONS",
    "AssessmentResult",
    "required_tables",
    "run_assessment",
    "write_assessment",
]

log = logging.getLogger(__name__)

#: Section modules under ``svsna.analyses``, in the order they are run and reported.
SECTIONS: tuple[str, ...] = (
    "population",
    "extent",
    "nature",
    "timing",
    "nte",
    "geography",
    "people",
    "cohorts",
    "health",
    "risk_factors",
    "surveys",
    "data_quality",
    "interventions",
    "recommendations",
)

#: Tables a section needs when its module does not say (``REQUIRES``).
DEFAULT_REQUIRES: tuple[str, ...] = ("geography", "population")


@dataclass
class AssessmentResult:
    """Everything an assessment produced."""

    indicators: pd.DataFrame
    findings: list[Finding] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    definitions: list[str] = field(default_factory=list)


def required_tables(module: Any) -> tuple[str, ...]:
    """The warehouse tables a section module needs."""
    return tuple(getattr(module, "REQUIRES", DEFAULT_REQUIRES))


def _load(name: str) -> Any | None:
    try:
        return importlib.import_module(f"svsna.analyses.{name}")
    except ModuleNotFoundError as exc:
        if exc.name == f"svsna.analyses.{name}":
            return None
        raise


def _accepts(fn: Callable[..., Any], name: str) -> bool:
    return name in inspect.signature(fn).parameters


def run_assessment(
    wh: Warehouse,
    config: AreaConfig,
    definitions: Sequence[str] | None = None,
    *,
    sections: Sequence[str] | None = None,
    boundaries: Path | None = None,
    progress: Callable[[str, str], None] | None = None,
) -> AssessmentResult:
    """Run every section for every definition.

    Parameters
    ----------
    wh : Warehouse
        The ingested warehouse.
    config : AreaConfig
        The area configuration (periods, age focus, NTE window ...).
    definitions : list of str, optional
        Definitions to assess (default: ``config.definitions``).
    sections : list of str, optional
        A subset of :data:`SECTIONS` (default: all).
    boundaries : Path, optional
        LSOA boundaries GeoJSON for contiguity-based hot spots.
    progress : callable, optional
        Called as ``progress(definition, section)`` after each section.
    """
    from svsna.analyses._base import AnalysisContext
    from svsna.errors import ConfigError, MissingInputError

    definitions = list(definitions or config.definitions)
    wanted = list(sections or SECTIONS)
    unknown = [s for s in wanted if s not in SECTIONS]
    if unknown:
        raise ConfigError(f"unknown section(s) {unknown}; choose from {', '.join(SECTIONS)}")
    tables = set(wh.list_tables())
    parts: list[pd.DataFrame] = []
    findings: list[Finding] = []
    skipped: list[dict[str, str]] = []
    timings: dict[str, float] = {}
    shared: dict[str, Any] = {}  # results of sections that do not depend on the definition
    for definition in definitions:
        ctx = AnalysisContext(wh, config, definition, boundaries=boundaries)
        mine: list[Finding] = []
        for name in wanted:
            module = _load(name)
            reason = None
            if module is None:
                reason = "section not available in this version"
            else:
                missing = [t for t in required_tables(module) if t not in tables]
                if missing:
                    reason = f"warehouse table(s) {', '.join(missing)} absent"
            if reason is None:
                t0 = time.perf_counter()
                kwargs = {"prior_findings": list(mine)} if _accepts(module.run, "prior_findings") else {}
                once = not getattr(module, "PER_DEFINITION", True)
                try:
                    if once and name in shared:
                        res = shared[name]
                    else:
                        run_ctx = AnalysisContext(wh, config, "", boundaries=boundaries) if once else ctx
                        res = module.run(run_ctx, **kwargs)
                except MissingInputError as exc:
                    reason = str(exc)
                else:
                    if not (once and name in shared):
                        parts.append(res.indicators)
                        findings.extend(res.findings)
                    if once:
                        shared[name] = res
                    mine.extend(res.findings)
                timings[f"{definition}:{name}"] = time.perf_counter() - t0
            if reason is not None:
                log.info("section %s skipped for %s: %s", name, definition, reason)
                skipped.append({"definition": definition, "section": name, "reason": reason})
            if progress is not None:
                progress(definition, name)
    return AssessmentResult(concat_indicators(parts), findings, skipped, timings, definitions)


def write_assessment(result: AssessmentResult, out_dir: str | Path) -> dict[str, Path]:
    """Write ``indicators.csv``, ``indicators.parquet``, ``findings.json`` and ``assessment.json``
    (sections skipped and run times) to ``out_dir``; returns the paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        "indicators_csv": out / "indicators.csv",
        "indicators_parquet": out / "indicators.parquet",
        "findings": out / "findings.json",
        "manifest": out / "assessment.json",
    }
    result.indicators.to_csv(paths["indicators_csv"], index=False)
    result.indicators.to_parquet(paths["indicators_parquet"], index=False)
    paths["findings"].write_text(findings_to_json(result.findings), encoding="utf-8")
    manifest = {
        "definitions": result.definitions,
        "skipped": result.skipped,
        "timings_seconds": {k: round(v, 3) for k, v in result.timings.items()},
        "indicator_rows": len(result.indicators),
        "findings": len(result.findings),
    }
    paths["manifest"].write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return paths
