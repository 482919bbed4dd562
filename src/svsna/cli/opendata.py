"""``svsna opendata``: the open-data edition (data.police.uk + ONS + IMD) for any police force area.

Commands
--------
``svsna opendata fetch --force leicestershire --from 2020-04 --to 2022-03 --out DIR``
    Download (and cache) the data.police.uk archive and keep the force's street files.
``svsna opendata report --data DIR --force leicestershire --years 2020 2021 --out DIR``
    Load, assess and write the indicator table, findings, ledger and (when available) the report.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

__all__ = ["opendata_app", "parse_years", "register"]

opendata_app = typer.Typer(
    name="opendata",
    help="Open-data edition: an SNA-style profile of a police force area from public data alone.",
    no_args_is_help=True,
)


def parse_years(values: list[str]) -> list[int]:
    """Financial years from ``["2020", "2021"]`` or ``["2020,2021"]`` (starting years).

    >>> parse_years(["2020", "2021,2022"])
    [2020, 2021, 2022]
    """
    from svsna.errors import ConfigError

    out = []
    for v in values:
        for part in str(v).replace(",", " ").split():
            if not part.isdigit() or not 1990 <= int(part) <= 2100:
                raise ConfigError(
                    f"--years: {part!r} is not a financial year; give starting years, e.g. --years 2020 2021"
                )
            out.append(int(part))
    if not out:
        raise ConfigError("--years: give at least one financial year, e.g. --years 2020 2021")
    return sorted(set(out))


@opendata_app.command("fetch")
def fetch(
    force: Annotated[
        str, typer.Option("--force", help="data.police.uk force name, e.g. leicestershire, west-yorkshire.")
    ],
    first: Annotated[str, typer.Option("--from", help="First month, YYYY-MM.")],
    last: Annotated[str, typer.Option("--to", help="Last month, YYYY-MM.")],
    out: Annotated[Path, typer.Option("--out", help="Folder for the street files.")] = Path("data/police/street"),
    base_url: Annotated[
        str, typer.Option("--base-url", help="Archive location (for mirrors).")
    ] = "https://data.police.uk/data/archive/",
    retries: Annotated[int, typer.Option("--retries", min=1, help="Attempts per download.")] = 3,
) -> None:
    """Download the data.police.uk archive(s) covering --from..--to and keep the force's street files."""
    from rich.console import Console

    from svsna.opendata.fetch import fetch_street_files

    files = fetch_street_files(force, first, last, out, base_url=base_url, retries=retries)
    Console().print(f"[green]{len(files)} monthly street file(s) for {force} in {out}[/]")


@opendata_app.command("report", context_settings={"allow_extra_args": True, "ignore_unknown_options": False})
def report(
    ctx: typer.Context,
    data: Annotated[
        Path, typer.Option("--data", help="Data folder (police/street, population, geography, deprivation).")
    ],
    force: Annotated[str, typer.Option("--force", help="data.police.uk force name or PFA code.")],
    years: Annotated[str, typer.Option("--years", help="Financial years by starting year: --years 2020 2021.")],
    out: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("output/opendata"),
    street: Annotated[
        Path | None, typer.Option("--street", help="Street-file folder (default DATA/police/street).")
    ] = None,
    workspace: Annotated[
        Path | None, typer.Option("--workspace", help="Warehouse folder (default OUT/workspace).")
    ] = None,
    engine: Annotated[str, typer.Option("--engine", help="duckdb or spark.")] = "duckdb",
    workbook: Annotated[
        bool,
        typer.Option(
            "--workbook/--no-workbook",
            help="With --no-report, write opendata-tables.xlsx (the report writes its own sna-tables.xlsx).",
        ),
    ] = True,
    build_report: Annotated[
        bool, typer.Option("--report/--no-report", help="Also build the HTML/PDF report and its workbook.")
    ] = True,
    no_pdf: Annotated[bool, typer.Option("--no-pdf", help="Skip the PDFs (HTML, workbook and tables only).")] = False,
    geography_year: Annotated[
        int | None,
        typer.Option(
            "--geography-year",
            help="Local authorities as at 1 April of this year (2013 to 2024; default: the current ones).",
        ),
    ] = None,
) -> None:
    """Assess the force's police.uk crimes and write indicators, findings, ledger and report."""
    from rich.console import Console

    from svsna.opendata.assessment import run_opendata

    fys = parse_years([years, *ctx.args])
    res = run_opendata(
        data,
        force,
        fys,
        out,
        street_dir=street,
        workspace=workspace,
        engine=engine,
        build_report=build_report,
        workbook=workbook,
        pdf=not no_pdf,
        geography_year=geography_year,
    )
    con = Console()
    m = res.metadata
    con.print(f"[bold]{m['title']}[/]: {m['subtitle']} ({', '.join(m['financial_years'])})")
    con.print(
        f"rows read {res.load.read:,} = loaded {res.load.loaded:,} + excluded {res.load.excluded:,} "
        f"+ rejected {res.load.rejected:,}"
    )
    con.print(f"{len(res.indicators):,} indicator rows, {len(res.findings)} findings")
    if m.get("population_fallback"):
        for f in res.findings:
            if f.key == "population_year_fallback":
                con.print(f"[yellow]note:[/] {f.text}")
    for name, path in res.files.items():
        con.print(f"  {name}: {path}")


def register(app: typer.Typer) -> None:
    """Add the ``opendata`` sub-app to the ``svsna`` command line."""
    app.add_typer(opendata_app, name="opendata")
