"""``svsna synth``: write a synthetic partnership (every partner extract, area.yaml, manifest)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

__all__ = ["parse_years", "register"]


def parse_years(text: str | None) -> list[int] | None:
    """Financial (starting) years from ``"2019,2020"`` or ``"2017-2020"``.

    >>> parse_years("2017-2019"), parse_years("2020, 2018"), parse_years(None)
    ([2017, 2018, 2019], [2018, 2020], None)
    """
    if not text:
        return None
    years: set[int] = set()
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        try:
            if "-" in part:
                lo, hi = (int(x) for x in part.split("-", 1))
                years.update(range(lo, hi + 1))
            else:
                years.add(int(part))
        except ValueError:
            raise typer.BadParameter(
                f"{part!r} is not a year or range; use starting years like 2019,2020 or 2017-2020"
            ) from None
    return sorted(years)


def synth(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write the synthetic extracts into.")],
    scenario: Annotated[
        Path | None,
        typer.Option("--scenario", help="Scenario YAML (default: the shipped llr_default, after the LLR SNA 2022)."),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed: the same seed gives identical files.")] = 20220131,
    scale: Annotated[
        float, typer.Option("--scale", min=0.001, help="Multiply every volume and population (1 = LLR).")
    ] = 1.0,
    years: Annotated[
        str | None,
        typer.Option("--years", help="Financial years to report on, as starting years: 2019,2020 or 2017-2020."),
    ] = None,
    dirt: Annotated[
        float | None,
        typer.Option("--dirt", min=0.0, max=0.5, help="Share of event rows given one injected fault (default 0.01)."),
    ] = None,
) -> None:
    """Write a complete synthetic partnership: every data contract, area.yaml and synth-manifest.json."""
    from rich.console import Console
    from rich.table import Table

    from svsna.synth import generate

    manifest = generate(out, scenario=scenario, seed=seed, scale=scale, years=parse_years(years), dirt=dirt)
    table = Table(title=f"svsna synth: scenario {manifest.scenario}, seed {manifest.seed}, scale {manifest.scale:g}")
    table.add_column("source")
    table.add_column("file")
    table.add_column("rows", justify="right")
    table.add_column("faults", justify="right")
    for source, info in manifest.files.items():
        faults = sum(e["count"] for k, e in manifest.faults.get(source, {}).items() if e["rule"])
        table.add_row(source, info["path"], f"{info['rows']:,}", f"{faults:,}" if faults else "")
    console = Console()
    console.print(table)
    console.print(f"area file: {Path(out) / manifest.area_file}; manifest: {Path(out) / 'synth-manifest.json'}")


def register(app: typer.Typer) -> None:
    """Add ``synth`` to the ``svsna`` command line."""
    app.command("synth")(synth)
