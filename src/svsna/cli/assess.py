"""``svsna assess``: run every SNA analysis section on the warehouse and write the results.

Writes ``indicators.csv``, ``indicators.parquet``, ``findings.json`` and ``assessment.json``
to ``restricted/`` in the area's output folder (or ``--out``), and prints every section that did
not run (source not supplied, or inputs unusable) and every input warning.

Examples
--------
>>> import typer
>>> app = typer.Typer()
>>> register(app)
>>> [c.name for c in app.registered_commands]
['assess']
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from svsna.cli.options import AreaOption, QuietOption

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add the ``assess`` command to ``app``."""

    @app.command("assess")
    def assess_command(
        area: AreaOption,
        engine: Annotated[str, typer.Option("--engine", help="duckdb (default) or spark.")] = "duckdb",
        out: Annotated[
            Path | None, typer.Option("--out", help="Output folder (default: the area's `output` setting).")
        ] = None,
        boundaries: Annotated[
            Path | None,
            typer.Option(
                "--boundaries",
                help="GeoJSON of LSOA polygons for contiguity-based hot spots (default: the area file's setting).",
            ),
        ] = None,
        definition: Annotated[
            list[str] | None, typer.Option("--definition", "-d", help="Assess only this definition (repeatable).")
        ] = None,
        quiet: QuietOption = False,
    ) -> None:
        """Run the analyses (extent, nature, timing, NTE, geography, people, cohorts, health ...).

        Exit codes: 0 written (sections without data are listed, not fatal); 3 area.yaml is
        wrong (also the report settings, checked before computing); 5 nothing ingested yet, or
        report.logo is missing;
        6 an ingest is running; 7 the last ingest did not complete, or the warehouse is damaged
        or lacks a definition; 8 the output folder cannot be written.
        """
        from rich.console import Console
        from rich.markup import escape
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        from svsna.analyses import SECTIONS, run_assessment, write_assessment
        from svsna.config import load_area_config
        from svsna.engine import check_engine, check_warehouse, open_warehouse
        from svsna.outputs.report import check_report_settings
        from svsna.pipeline.ingest import preflight_output

        check_engine(engine)
        console = Console(stderr=True)
        config = load_area_config(area)
        check_report_settings(config)  # refused before computing, not by `svsna report` at the end
        if boundaries is not None and not boundaries.is_absolute():
            boundaries = Path.cwd() / boundaries
        if boundaries is None:  # the area file's boundaries setting
            boundaries = config.boundaries_path
        workspace = config.workspace_dir
        # Before any analysis runs: refuse a warehouse whose last ingest did not complete (exit 7) or that
        # an ingest is writing now (exit 6), and an output folder that cannot be written (exit 8).
        run = check_warehouse(workspace, engine, area=str(area))
        preflight_output(config, out=out)
        wh = open_warehouse(workspace, engine=engine, read_only=engine == "duckdb")
        defs = list(definition or config.definitions)
        try:
            with Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console,
                disable=quiet,
            ) as bar:
                task = bar.add_task("assessing", total=len(SECTIONS) * len(defs))

                def step(defn: str, section: str) -> None:
                    bar.update(task, advance=1, description=f"{defn}: {section}")

                result = run_assessment(
                    wh, config, defs, boundaries=boundaries, progress=step, ingest_run=run.run_id if run else None
                )
        finally:
            wh.close()
        target = out if out is not None else config.output_dir
        paths = write_assessment(result, target)
        for s in result.sections:
            if s["status"] == "ran":
                continue
            who = s["definition"] or "all definitions"
            word = "not supplied" if s["status"] == "not_supplied" else "[red]unusable[/]"
            reason = str(s["reason"])
            said = escape(reason) if reason.startswith("not supplied") else f"{word}: {escape(reason)}"  # it may say it
            console.print(f"[yellow]section {s['section']}[/] ({who}): {said}", highlight=False, soft_wrap=True)
        for w in result.warnings:
            where = "/".join(x for x in (w["definition"], w["section"]) if x)
            console.print(f"[yellow]warning[/] {where}: {escape(w['message'])}", highlight=False, soft_wrap=True)
        Console().print(
            f"[green]wrote[/] {len(result.indicators):,} indicator rows and {len(result.findings):,} findings "
            f"to {escape(str(paths['indicators_csv'].parent))}",
            highlight=False,
            soft_wrap=True,
        )
