"""The SNA analyses: one module per section, run for every configured definition.

Each section module (listed in :data:`SECTIONS`, in report order) exposes ``SECTION``,
``run(ctx) -> SectionResult`` (or ``run(ctx, prior_findings=...)`` to receive the findings
of the sections before it), optionally ``PER_DEFINITION = False`` for sections that do not
use the serious-violence definition (run once; their rows carry a blank ``definition``, and
their findings are passed on to later sections of every definition) and optionally
``REQUIRES`` (the warehouse tables it needs; default :data:`DEFAULT_REQUIRES`) and ``REQUIRES_ANY``
(tables of which it needs at least one, e.g. the health sources).

:func:`run_assessment` runs them all and records, for every definition and section, what
happened (:attr:`AssessmentResult.sections`):

* ``ran`` - the section ran (it may still have recorded warnings);
* ``not_supplied`` - a source it needs was not supplied (its warehouse table is absent);
* ``unusable`` - its inputs are present but could not be used (the reason says why): a
  source it needs was supplied but every row was rejected at ingest (the ledger read rows and
  loaded none; :attr:`~svsna.analyses._base.RunShared.unusable`), or the section found its
  inputs unusable. Such a source is left out of every section, as if not supplied, with a
  ``source_unusable`` warning naming it.

Warnings about inputs that are present but not fully usable (a population year
substituted, rates not computable at a level ...) are collected in
:attr:`AssessmentResult.warnings`. Both are written to ``assessment.json`` and given to the
report as ``data_quality`` findings (``section_status`` and ``input_warning``).
:func:`write_assessment` writes ``indicators.csv``, ``indicators.parquet``,
``findings.json`` and ``assessment.json`` to ``<output>/restricted/``, each atomically.

Examples
--------
>>> SECTIONS[:3]
('population', 'extent', 'nature')
>>> STATUSES
('ran', 'not_supplied', 'unusable')
"""

from __future__ import annotations

import importlib
import inspect
import json
import logging
import time
from collections.abc import Callable, Iterable, Sequence
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
    "RESTRICTED",
    "SECTIONS",
    "STATUSES",
    "AssessmentResult",
    "fact_columns",
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

#: What can happen to a section (``assessment.json`` ``sections[].status``).
STATUSES: tuple[str, ...] = ("ran", "not_supplied", "unusable")

#: Tables a section needs when its module does not say (``REQUIRES``).
DEFAULT_REQUIRES: tuple[str, ...] = ("geography", "population")

#: Sub-folder of the output folder holding the exact (restricted) assessment files.
RESTRICTED = "restricted"

#: Warehouse table -> the ``area.yaml`` input that fills it (for "not supplied" messages).
_SOURCE_OF = {"area_indicators": "indicators", "offence_decisions": "offences"}


@dataclass
class AssessmentResult:
    """Everything an assessment produced.

    ``skipped`` lists the sections that did not run (status ``not_supplied`` or ``unusable``)
    as ``{definition, section, reason, status}``; ``sections`` every section's status and
    seconds; ``warnings`` the input warnings (``{definition, section, code, message, numbers}``).
    """

    indicators: pd.DataFrame
    findings: list[Finding] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    definitions: list[str] = field(default_factory=list)
    sections: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    #: what the assessment was made from: ``settings`` (:meth:`AreaConfig.analysis_settings`) and
    #: ``ingest_run`` (the warehouse's ingest run id, when the caller gave it); ``svsna report`` checks both
    basis: dict[str, Any] = field(default_factory=dict)


def required_tables(module: Any) -> tuple[str, ...]:
    """The warehouse tables a section module needs."""
    return tuple(getattr(module, "REQUIRES", DEFAULT_REQUIRES))


def _accepts(fn: Callable[..., Any], name: str) -> bool:
    return name in inspect.signature(fn).parameters


def _check_decisions(
    wh: Warehouse, tables: frozenset[str], definitions: list[str], from_files: Iterable[str] = ()
) -> None:
    """Every assessed definition must be a definition (shipped, in ``SVSNA_DEFINITIONS``, loaded from a
    YAML path: ``from_files``, or in the warehouse's decisions) and have been applied at ingest (else
    every count would be 0).

    Raises
    ------
    ConfigError
        A name that is no definition at all (exit 3), with the known names and a close one.
    WarehouseStateError
        A known definition the warehouse has no decisions for (exit 7).
    """
    import difflib

    from svsna.definitions.definition import list_definitions
    from svsna.errors import ConfigError, WarehouseStateError

    have: set[str] = set()
    if "offence_decisions" in tables:
        d = wh.table("offence_decisions")
        have = set(wh.execute(d.select("definition").distinct())["definition"].astype(str))
    known = sorted(set(list_definitions()) | have | set(from_files))
    unknown = [x for x in definitions if x not in known]
    if unknown:
        close = difflib.get_close_matches(unknown[0], known, n=1, cutoff=0.6)
        raise ConfigError(
            f"unknown definition {unknown[0]!r} (known: {', '.join(known)})"
            + (f"; did you mean {close[0]!r}?" if close else ""),
            hint="give a definition ingest applied (area.yaml `definitions:`), or the path of a definition YAML",
        )
    missing = [x for x in definitions if x not in have]
    if missing and have:
        raise WarehouseStateError(
            f"definition(s) {', '.join(missing)} were not applied at ingest (the warehouse has decisions for "
            f"{', '.join(sorted(have))}); every count would be zero",
            hint="run `svsna ingest` again with these definitions in area.yaml",
        )


def fact_columns(modules: Iterable[Any]) -> set[str] | None:
    """The offence columns section ``modules`` read from the run-wide offence facts (the union of
    their ``FACT_COLUMNS``); None (every column) when one of them does not say.

    >>> from types import SimpleNamespace as M
    >>> sorted(fact_columns([M(FACT_COLUMNS=("lsoa", "setting")), M(FACT_COLUMNS=("weekday",))]))
    ['lsoa', 'setting', 'weekday']
    >>> fact_columns([M(FACT_COLUMNS=("lsoa",)), M()]) is None
    True
    """
    out: set[str] = set()
    for module in modules:
        cols = getattr(module, "FACT_COLUMNS", None)
        if cols is None:
            return None
        out |= set(cols)
    return out


def run_assessment(
    wh: Warehouse,
    config: AreaConfig,
    definitions: Sequence[str] | None = None,
    *,
    sections: Sequence[str] | None = None,
    boundaries: Path | None = None,
    progress: Callable[[str, str], None] | None = None,
    ingest_run: str | None = None,
) -> AssessmentResult:
    """Run every section for every definition.

    Parameters
    ----------
    wh : Warehouse
        The ingested warehouse.
    config : AreaConfig
        The area configuration (periods, age focus, NTE window, baseline year, levels ...).
    definitions : list of str, optional
        Definitions to assess, by name or YAML path (default: ``config.definitions``); paths
        resolve to the YAML's ``name``, which is what ingest stored.
    sections : list of str, optional
        A subset of :data:`SECTIONS` (default: all).
    boundaries : Path, optional
        LSOA boundaries GeoJSON for contiguity-based hot spots (read once, checked first).
    progress : callable, optional
        Called as ``progress(definition, section)`` after each section.
    ingest_run : str, optional
        The id of the ingest run whose data ``wh`` holds (:func:`svsna.engine.check_warehouse`),
        recorded in :attr:`AssessmentResult.basis` with the settings.

    Raises
    ------
    ConfigError
        Unknown section, or a definition name that is no definition (exit 3).
    WarehouseStateError
        A known definition was not applied at ingest (exit 7).
    InputDataError, MissingInputError
        Boundaries given but unusable; a population table that does not cover the area.
    """
    from svsna.analyses._base import RunShared
    from svsna.definitions.definition import resolve_definition_names
    from svsna.errors import ConfigError

    entries = [str(e) for e in (definitions or config.definitions)]
    names = resolve_definition_names(entries, config.base_dir, load_names=False)
    from_files = [n for e, n in zip(entries, names, strict=True) if e.endswith((".yaml", ".yml"))]
    wanted = list(sections or SECTIONS)
    unknown = [s for s in wanted if s not in SECTIONS]
    if unknown:
        raise ConfigError(f"unknown section(s) {unknown}; choose from {', '.join(SECTIONS)}")
    modules = {name: importlib.import_module(f"svsna.analyses.{name}") for name in wanted}
    shared = RunShared(wh, config, boundaries, definitions=names, fact_columns=fact_columns(modules.values()))
    tables = shared.tables
    _check_decisions(wh, shared.present, names, from_files)  # decisions of an unusable offences source too
    if boundaries is not None and "geography" in wanted and "geography" in tables:
        shared.boundary_geometries()  # fail before any work when the file is unusable
    try:
        result = _run(wh, config, names, wanted, modules, shared, boundaries, progress)
    finally:
        shared.release()
    result.basis = {"settings": config.analysis_settings(), "ingest_run": ingest_run}
    return result


def _run(
    wh: Warehouse,
    config: AreaConfig,
    names: list[str],
    wanted: list[str],
    modules: dict[str, Any],
    shared: Any,
    boundaries: Path | None,
    progress: Callable[[str, str], None] | None,
) -> AssessmentResult:
    from svsna.analyses._base import AnalysisContext
    from svsna.analyses.findings_catalogue import with_context
    from svsna.errors import MissingInputError

    parts: list[pd.DataFrame] = []
    findings: list[Finding] = []
    statuses: list[dict[str, Any]] = []
    timings: dict[str, float] = {}
    once_done: dict[str, Any] = {}  # results of sections that do not depend on the definition
    once_seen: set[str] = set()
    for definition in names:
        ctx = AnalysisContext(wh, config, definition, boundaries=boundaries, shared=shared)
        mine: list[Finding] = []
        for name in wanted:
            module = modules[name]
            once = not getattr(module, "PER_DEFINITION", True)
            status, reason = "ran", ""
            t0 = time.perf_counter()
            missing = _missing(module, shared)
            if missing is not None:
                status, reason = missing
            elif once and name in once_done:
                mine.extend(once_done[name].findings)
            elif not (once and name in once_seen):
                kwargs = {"prior_findings": list(mine)} if _accepts(module.run, "prior_findings") else {}
                run_ctx = AnalysisContext(wh, config, "", boundaries=boundaries, shared=shared) if once else ctx
                run_ctx.section = name
                try:
                    res = module.run(run_ctx, **kwargs)
                except MissingInputError as exc:
                    status, reason = "unusable", str(exc)
                    shared.warn("" if once else definition, name, "section_unusable", str(exc))
                else:
                    parts.append(res.indicators)
                    findings.extend(res.findings)
                    mine.extend(res.findings)
                    if once:
                        once_done[name] = res
            seconds = time.perf_counter() - t0
            if not (once and name in once_seen):
                statuses.append(
                    {
                        "definition": "" if once else definition,
                        "section": name,
                        "status": status,
                        "reason": reason,
                        "seconds": round(seconds, 3),
                    }
                )
            if once:
                once_seen.add(name)
            timings[f"{definition}:{name}"] = seconds
            if status != "ran":
                log.info("section %s %s for %s: %s", name, status, definition, reason)
            if progress is not None:
                progress(definition, name)
    warnings = [w.to_dict() for w in shared.warnings]
    findings.extend(_status_findings(config, statuses, warnings))
    findings = with_context(findings)  # findings.json says which numbers are context
    skipped = [
        {"definition": s["definition"] or d, "section": s["section"], "reason": s["reason"], "status": s["status"]}
        for s in statuses
        if s["status"] != "ran"
        for d in ([s["definition"]] if s["definition"] else names)
    ]
    return AssessmentResult(concat_indicators(parts), findings, skipped, timings, names, statuses, warnings)


def _missing(module: Any, shared: Any) -> tuple[str, str] | None:
    """Why a section cannot run, as ``(status, reason)``, or None when its tables are there.

    A table is missing when its source was not supplied (``not_supplied``) or was supplied with every
    row rejected at ingest (``unusable``: :attr:`RunShared.unusable`); a section needs every table of
    :func:`required_tables` and, when it names ``REQUIRES_ANY``, at least one of those.
    """
    from svsna.analyses._base import unusable_reason

    tables = shared.tables
    missing = [t for t in required_tables(module) if t not in tables]
    any_of = tuple(getattr(module, "REQUIRES_ANY", ()))
    if any_of and not any(t in tables for t in any_of):
        missing += [t for t in any_of if t not in missing]
    if not missing:
        return None
    unusable = [t for t in missing if t in shared.unusable]
    absent = [t for t in missing if t not in shared.unusable]
    srcs = sorted({_SOURCE_OF.get(t, t) for t in absent})
    either = " or " if any_of and set(absent) <= set(any_of) and len(srcs) > 1 else ", "
    supplied = f"not supplied: {either.join(srcs)} (not among the inputs of the last ingest)" if absent else ""
    if not unusable:
        return "not_supplied", supplied
    seen = list({shared.unusable[t]["source"]: shared.unusable[t] for t in unusable}.values())
    return "unusable", "; ".join([*(unusable_reason(i) for i in seen), *([supplied] if supplied else [])])


def _status_findings(
    config: AreaConfig, statuses: list[dict[str, Any]], warnings: list[dict[str, Any]]
) -> list[Finding]:
    """Findings for the report's data-quality section: sections that did not run, input warnings."""
    from svsna.analyses._figures import numbers_from

    out = []
    for s in statuses:
        if s["status"] == "ran":
            continue
        out.append(
            Finding(
                "data_quality",
                "section_status",
                f"The {s['section'].replace('_', ' ')} section did not run: {s['reason']}.",
                numbers_from(None, period="", section=s["section"], status=s["status"], reason=s["reason"]),
                period="",
                area=config.label,
                definition=s["definition"],
                public=False,
            )
        )
    for w in warnings:
        out.append(
            Finding(
                "data_quality",
                "input_warning",
                f"{w['message']}.",
                numbers_from(
                    None,
                    period=str(w["numbers"].get("period", "")),
                    **{k: v for k, v in w["numbers"].items() if k != "period"},
                    section=w["section"],
                    code=w["code"],
                    message=w["message"],
                ),
                period=str(w["numbers"].get("period", "")),
                area=config.label,
                definition=w["definition"],
                public=False,
            )
        )
    return out


def write_assessment(result: AssessmentResult, out_dir: str | Path) -> dict[str, Path]:
    """Write ``indicators.csv``, ``indicators.parquet``, ``findings.json`` and ``assessment.json``
    (definitions, every section's status, warnings, run times) to ``out_dir/restricted/``, each
    atomically and owner-only; returns the paths.

    Text cells of the CSV are neutralised against spreadsheet formulas (:mod:`svsna.cells`);
    the Parquet file keeps the exact values.
    """
    from svsna.cells import neutralise_frame
    from svsna.files import atomic_path, atomic_write_text, private_dir

    private_dir(out_dir)
    out = private_dir(Path(out_dir) / RESTRICTED)
    paths = {
        "indicators_csv": out / "indicators.csv",
        "indicators_parquet": out / "indicators.parquet",
        "findings": out / "findings.json",
        "manifest": out / "assessment.json",
    }
    with atomic_path(paths["indicators_parquet"]) as tmp:
        result.indicators.to_parquet(tmp, index=False)
    atomic_write_text(paths["indicators_csv"], neutralise_frame(result.indicators).to_csv(index=False))
    atomic_write_text(paths["findings"], findings_to_json(result.findings))
    manifest = {
        "definitions": result.definitions,
        "sections": result.sections,
        "warnings": result.warnings,
        "skipped": result.skipped,
        "timings_seconds": {k: round(v, 3) for k, v in result.timings.items()},
        "indicator_rows": len(result.indicators),
        "findings": len(result.findings),
        "basis": result.basis,
    }
    atomic_write_text(paths["manifest"], json.dumps(manifest, indent=1, default=str))
    return paths
