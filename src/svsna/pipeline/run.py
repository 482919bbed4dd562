"""The whole SNA in one call: ingest -> assess -> report, and the demo on synthetic data.

``svsna demo`` and the individual CLI commands call these functions; so can a notebook
or a scheduled job.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from svsna.config import AreaConfig, load_area_config

if TYPE_CHECKING:
    from svsna.outputs import ReportPaths
    from svsna.outputs.report import AssessmentInputs

__all__ = ["PipelineResult", "assess", "report", "report_inputs", "run_demo", "run_pipeline"]

Step = Callable[[str], None]


@dataclass
class PipelineResult:
    """What a pipeline run produced, with the seconds each step took."""

    config: AreaConfig
    reports: ReportPaths | None = None
    timings: dict[str, float] = field(default_factory=dict)
    rows_rejected: int = 0
    skipped_sections: list[dict[str, str]] = field(default_factory=list)

    @property
    def output_dir(self) -> Path:
        return self.config.output_dir


def assess(config: AreaConfig, *, engine: str = "duckdb", progress: Callable[[str, str], None] | None = None) -> Any:
    """Run every analysis section for every configured definition and write the
    indicator table (CSV, Parquet) and ``findings.json`` to the output folder."""
    from svsna.analyses import run_assessment, write_assessment
    from svsna.engine import check_warehouse, open_warehouse

    run = check_warehouse(config.workspace_dir, engine)
    wh = open_warehouse(config.workspace_dir, engine=engine, read_only=engine == "duckdb")
    try:
        result = run_assessment(
            wh, config, boundaries=config.boundaries_path, progress=progress, ingest_run=run.run_id if run else None
        )
    finally:
        wh.close()
    write_assessment(result, config.output_dir)
    return result


def report_inputs(
    config: AreaConfig, *, area: str = "area.yaml", out: Path | None = None
) -> tuple[AssessmentInputs, str | None]:
    """The assessment ``svsna report`` reads, once it has passed every check a report makes first.

    In order: the last ingest is complete and not running (exit 7 / 6), the output folder can be
    written (exit 8; ``out`` overrides the area's ``output:``), the assessment's files are there
    (exit 5), and it was made from the settings and the ingest run the report would describe (exit
    3 / 5). Returns the assessment and a warning when it does not say what it was made from.
    """
    from svsna.engine import check_warehouse
    from svsna.outputs.report import assessment_inputs, check_assessment_basis
    from svsna.pipeline.ingest import preflight_output

    run = check_warehouse(config.workspace_dir, area=area, require=False)
    preflight_output(config, out=out)
    found = assessment_inputs(config.output_dir, area=area)
    return found, check_assessment_basis(found, config, run.run_id if run else None, area=area)


def report(config: AreaConfig, *, pdf: bool = True) -> ReportPaths:
    """Build the restricted full SNA and the public release from the files ``assess`` wrote."""
    from svsna.outputs import build_reports

    found, _ = report_inputs(config)  # a fresh assessment (run_pipeline) always says what it was made from
    return build_reports(
        found.indicators,
        found.findings,
        config=config,
        ledger=found.ledger,
        out_dir=config.output_dir,
        boundaries=config.boundaries_path,
        pdf=pdf,
    )


def run_pipeline(
    config: AreaConfig,
    *,
    engine: str = "duckdb",
    demo: bool = False,
    pdf: bool = True,
    progress: bool = True,
    step: Step | None = None,
) -> PipelineResult:
    """Ingest, assess and report ``config`` end to end.

    Parameters
    ----------
    config : AreaConfig
    engine : {"duckdb", "spark"}
        Engine for the assessment (ingest always loads the DuckDB warehouse).
    demo : bool
        Use the labelled demo pseudonymisation key (synthetic data only).
    pdf : bool
        Also write the PDFs.
    progress : bool
        Show progress bars.
    step : callable, optional
        Called with the name of each step as it starts.
    """
    from svsna.pipeline.ingest import ingest

    result = PipelineResult(config=config)
    say = step or (lambda _s: None)

    say("ingest")
    t = time.perf_counter()
    ingested = ingest(config, demo=demo, progress=progress)
    result.timings["ingest"] = time.perf_counter() - t
    result.rows_rejected = int(ingested.rejects)

    say("assess")
    t = time.perf_counter()
    assessment = assess(config, engine=engine)
    result.timings["assess"] = time.perf_counter() - t
    result.skipped_sections = list(assessment.skipped)

    say("report")
    t = time.perf_counter()
    result.reports = report(config, pdf=pdf)
    result.timings["report"] = time.perf_counter() - t
    return result


def run_demo(
    out_dir: str | Path = "svsna-demo",
    *,
    seed: int | None = None,
    engine: str = "duckdb",
    pdf: bool = True,
    progress: bool = True,
    step: Step | None = None,
) -> PipelineResult:
    """Generate the synthetic partnership into ``out_dir/data`` and run the whole SNA on it."""
    from svsna.synth import DEFAULT_SEED, generate

    say = step or (lambda _s: None)
    data = Path(out_dir) / "data"
    say("synth")
    t = time.perf_counter()
    generate(data, seed=DEFAULT_SEED if seed is None else seed)
    synth_seconds = time.perf_counter() - t
    config = load_area_config(data / "area.yaml")
    result = run_pipeline(config, engine=engine, demo=True, pdf=pdf, progress=progress, step=step)
    result.timings = {"synth": synth_seconds, **result.timings}
    return result
