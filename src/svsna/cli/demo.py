"""``svsna demo``: synthetic partnership -> ingest -> assess -> report, end to end."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from svsna.cli.options import QuietOption, print_outputs, print_warnings

__all__ = ["register"]


def demo(
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Folder for the synthetic data, warehouse and reports.")
    ] = Path("svsna-demo"),
    seed: Annotated[
        int | None, typer.Option(help="Seed of the synthetic partnership (default: the demo seed).")
    ] = None,
    engine: Annotated[str, typer.Option(help="Engine for the assessment: duckdb or spark.")] = "duckdb",
    pdf: Annotated[bool, typer.Option("--pdf/--no-pdf", help="Also write the PDF editions.")] = True,
    quiet: QuietOption = False,
) -> None:
    """Run the whole SNA on a synthetic partnership calibrated to the published LLR SNA (2022).

    Writes the synthetic partner extracts and an area.yaml to OUT/data, loads them (with a
    row ledger), runs every analysis for both definitions and writes the full SNA and the
    public executive summary (HTML and PDF), the Excel workbook and the indicator table.
    All person-level data are synthetic; pseudonyms use the labelled demo key.
    """
    from rich.console import Console

    from svsna.pipeline.run import run_demo

    console = Console()
    started = time.perf_counter()

    def step(name: str) -> None:  # progress, on stderr: when each step starts (durations come at the end)
        Console(stderr=True).print(
            f"[bold]svsna demo[/]: {name}, starting {time.perf_counter() - started:.0f} s in", highlight=False
        )

    result = run_demo(out, seed=seed, engine=engine, pdf=pdf, progress=not quiet, step=step)
    paths = result.reports
    total = time.perf_counter() - started
    console.print()
    console.print(
        f"[bold green]Done in {total:.0f} s[/] (" + ", ".join(f"{k} {v:.0f} s" for k, v in result.timings.items()) + ")"
    )
    if paths is None:  # pragma: no cover - run_demo always reports
        return
    print_warnings(paths.warnings)  # for the analyst: keys only, no values
    print_outputs(
        paths.described(("public_html", "public_pdf", "full_html", "full_pdf", "workbook", "indicators_csv")), console
    )


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
