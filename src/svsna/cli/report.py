"""``svsna report``: the restricted full SNA and the public release, from an assessment.

Reads the indicator table, ``findings.json`` and ``ledger.csv`` from the area's output
folder (``restricted/``, written by ``svsna assess`` and ``svsna ingest``), finds LSOA
boundaries next to the area file (``lsoa_boundaries.geojson``, as ``svsna synth`` writes)
or takes them from ``--boundaries``, and writes (docs/disclosure.md)::

    <output>/restricted/   sna-full.html/.pdf, sna-tables.xlsx, report-metadata.json
    <output>/public/       sna-summary.html/.pdf, sna-public-tables.xlsx,
                           indicators-public.csv/.parquet, release.json
    <output>/history/<id>/ indicators-public.parquet, indicators.parquet, release.json

Exit codes: 0 written; 3 configuration error (e.g. an unknown rule set); 4 the indicator
table or population contradicts itself, or the public release failed its disclosure audit
(the restricted outputs are still written, nothing public); 5 no assessment to report;
8 a file-system fault.

Examples
--------
>>> import typer
>>> app = typer.Typer()
>>> register(app)
>>> [c.name for c in app.registered_commands]
['report']
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from svsna.config import AreaConfig

from svsna.cli.options import AreaOption, QuietOption, print_outputs, print_warnings

__all__ = ["find_boundaries", "register"]

BOUNDARY_NAMES: tuple[str, ...] = ("lsoa_boundaries.geojson", "lsoa_boundaries.gpkg", "lsoa11_boundaries.geojson")


def find_boundaries(config: AreaConfig) -> Path | None:
    """LSOA boundaries next to the area file or the geography input, if any."""
    folders = [config.base_dir]
    geo = config.input_path("geography")
    if geo is not None:
        folders.append(geo.parent)
    for folder in folders:
        for name in BOUNDARY_NAMES:
            if (folder / name).is_file():
                return folder / name
    return None


def _lookup(config: AreaConfig) -> Any:
    """``lsoa_code`` with district, ward and NPA names from the geography input (districts and hot-spot names)."""
    from svsna.outputs.maps import geography_lookup

    return geography_lookup(config)


class _ReportProgress:
    """A rich progress display on stderr: the edition being built, charts and maps drawn, PDFs typeset."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self.progress: Any = None
        self.tasks: dict[str, Any] = {}
        self.pdfs_left = 0

    def __enter__(self) -> _ReportProgress:
        if not self.enabled:
            return self
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        console = Console(stderr=True)
        if not console.is_terminal:  # a log file or a pipe gets the summary lines only, not a drawn bar
            return self
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )
        self.progress.start()
        self.tasks["edition"] = self.progress.add_task("Editions (full, public)", total=2)
        self.tasks["chart"] = self.progress.add_task("Charts drawn", total=None)
        self.tasks["map"] = self.progress.add_task("Maps drawn", total=None)
        return self

    def update(self, stage: str, detail: str) -> None:
        if self.progress is None:
            return
        p, t = self.progress, self.tasks
        if stage == "edition":
            if detail != "full":
                p.advance(t["edition"])
            p.update(t["edition"], description=f"Editions (now: {detail})")
        elif stage in ("chart", "map"):
            p.advance(t[stage])
        elif stage in ("pdf", "workbook"):  # started (the full SNA's in the background)
            if stage not in t:
                what = "PDFs typeset (tagged PDF/UA)" if stage == "pdf" else "Workbooks and indicator files"
                t[stage] = p.add_task(what, total=0)
            p.update(t[stage], total=(p.tasks[t[stage]].total or 0) + 1)
            if detail.startswith("sna-public") or detail.startswith("sna-summary"):
                p.update(t["edition"], completed=2, description="Editions (full, public)")
        elif stage in ("pdf-done", "workbook-done"):
            p.advance(t[stage.removesuffix("-done")])

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            for task in self.progress.tasks:
                if task.total is None:
                    self.progress.update(task.id, total=task.completed)
            self.progress.stop()


def register(app: typer.Typer) -> None:
    """Add the ``report`` command to the CLI."""

    @app.command("report")
    def report(
        area: AreaOption,
        out: Annotated[
            Path | None,
            typer.Option("--out", help="Output folder (default: the area's `output` setting); see docs/disclosure.md."),
        ] = None,
        boundaries: Annotated[
            Path | None,
            typer.Option(
                "--boundaries", help="LSOA boundaries (GeoJSON); default: lsoa_boundaries.geojson by area.yaml."
            ),
        ] = None,
        no_pdf: Annotated[
            bool, typer.Option("--no-pdf", help="Skip the PDFs (HTML, workbooks and tables only).")
        ] = False,
        quiet: QuietOption = False,
    ) -> None:
        """Write the restricted full SNA and the public release (summary, tables, manifest).

        Exit codes: 0 written; 3 a setting is wrong (e.g. an unknown disclosure rule set), or the
        assessment was made with other settings; 4 the indicator table or population contradicts
        itself, or the public release fails its disclosure audit (the restricted outputs are
        written, nothing public is); 5 no assessment to report (run `svsna assess`), or a named
        file is missing; 6/7 the warehouse is busy or incomplete; 8 a file-system fault.
        """
        import time

        from rich.console import Console
        from rich.markup import escape

        from svsna.config import load_area_config
        from svsna.errors import MissingInputError
        from svsna.outputs import build_reports
        from svsna.pipeline.run import report_inputs

        started = time.perf_counter()
        config = load_area_config(area)
        # refuse while the last ingest is incomplete or running (exit 7/6), an output folder that cannot
        # be written (exit 8), and an assessment made with other settings or from other data (exit 3 / 5)
        found, unchecked = report_inputs(config, area=str(area), out=out)
        bounds_path = boundaries or find_boundaries(config)
        if boundaries is not None and not boundaries.is_file():
            raise MissingInputError(f"{boundaries}: boundary file not found")
        bounds: Any = None
        if bounds_path is not None:
            bounds = {"lsoa": bounds_path, "lookup": _lookup(config)}
        # the exact indicator table is assess's output: listed only if the report had to add a format
        restricted = (out or config.output_dir) / "restricted"
        before = {n: (restricted / f"indicators.{n}").is_file() for n in ("csv", "parquet")}
        with _ReportProgress(enabled=not quiet) as bar:
            paths = build_reports(
                found.indicators,
                found.findings,
                config=config,
                ledger=found.ledger,
                out_dir=out or config.output_dir,
                boundaries=bounds,
                pdf=not no_pdf,
                progress=bar.update,
            )
        shown = [n for n in paths.LABELS if not (n.startswith("indicators_") and before[n.removeprefix("indicators_")])]
        print_outputs(paths.described(shown))
        console = Console(stderr=True)
        if unchecked:
            console.print(f"[yellow]{escape(unchecked)}[/]", highlight=False, soft_wrap=True)
        print_warnings(paths.warnings, console)  # for the analyst: keys only, no values
        if bounds_path is None:
            console.print("[yellow]no LSOA boundaries found: maps were not drawn (use --boundaries)[/]")
        if found.ledger is None:
            console.print("[yellow]ledger.csv not found: the data sources and row ledger are left out[/]")
        Console().print(f"done in {time.perf_counter() - started:.1f} s", highlight=False)
