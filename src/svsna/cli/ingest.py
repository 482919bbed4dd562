"""``svsna ingest``: load partner extracts into the warehouse with a row ledger.

Examples
--------
>>> import typer
>>> app = typer.Typer()
>>> register(app)
>>> [c.name for c in app.registered_commands]
['ingest']
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from collections.abc import Iterable

    import pandas as pd

from svsna.cli.options import AreaOption, QuietOption, print_warnings

__all__ = ["ledger_table", "reasons_table", "register"]


def ledger_table(ledger: pd.DataFrame, unusable: Iterable[tuple[str, str]] = ()) -> object:
    """A rich table of the per-file ledger: rows read, loaded and rejected per file (thousands separated).

    ``unusable`` are ``(source, file)`` of files that could not be used at all (``svsna check``).
    """
    from rich.markup import escape
    from rich.table import Table

    table = Table(title="Row ledger: every row read is loaded or rejected")
    table.add_column("source")
    table.add_column("file")
    for col in ("read", "loaded", "rejected"):
        table.add_column(col, justify="right")
    table.add_column("read as")
    from svsna.sources.partnership import LOAD_ORDER

    rows: list[tuple[int, list[str]]] = []  # (load order, cells): unusable files take their place in the order
    for (source, file), lines in ledger[ledger["definition"].isna()].groupby(["source", "file"], sort=False):
        by = lines.groupby("outcome")["rows"].sum()
        how = str(lines.loc[lines["outcome"] == "read", "reason"].iloc[0])
        order = LOAD_ORDER.index(str(source)) if source in LOAD_ORDER else len(LOAD_ORDER)
        if how == "not supplied":
            rows.append((order, [str(source), "-", "", "", "", "[dim]not supplied[/]"]))
            continue
        rejected = int(by.get("rejected", 0))
        rows.append(
            (
                order,
                [
                    str(source),
                    str(file),
                    f"{int(by.get('read', 0)):,}",
                    f"{int(by.get('loaded', 0)):,}",
                    f"[red]{rejected:,}[/]" if rejected else "0",
                    how,
                ],
            )
        )
    for source, file in unusable:
        order = LOAD_ORDER.index(source) if source in LOAD_ORDER else len(LOAD_ORDER)
        rows.append((order, [escape(source), escape(file), "", "", "", "[bold red]cannot be used (see the error)[/]"]))
    for _, cells in sorted(rows, key=lambda r: r[0]):
        table.add_row(*cells)
    return table


def reasons_table(ledger: pd.DataFrame) -> object | None:
    """A rich table of rejected rows by reason and definition exclusions (None if there are none)."""
    from rich.table import Table

    lines = ledger[ledger["outcome"].isin(["rejected", "excluded"])]
    if lines.empty:
        return None
    table = Table(title="Rejected rows by reason, and offences excluded by definitions")
    table.add_column("source")
    table.add_column("outcome")
    table.add_column("reason")
    table.add_column("rows", justify="right")
    for _, line in lines.iterrows():
        colour = "red" if line["outcome"] == "rejected" else "yellow"
        table.add_row(line["source"], f"[{colour}]{line['outcome']}[/]", line["reason"], f"{int(line['rows']):,}")
    return table


def register(app: typer.Typer) -> None:
    """Add the ``ingest`` command to ``app``."""

    @app.command("ingest")
    def ingest_command(
        area: AreaOption,
        engine: Annotated[
            str, typer.Option("--engine", help="duckdb (default) or spark (the warehouse is written as Parquet).")
        ] = "duckdb",
        demo: Annotated[
            bool,
            typer.Option("--demo", help="Allow the public demo pseudonymisation key (data made by svsna synth only)."),
        ] = False,
        new_key: Annotated[
            bool,
            typer.Option(
                "--new-key", help="Accept a key different from this workspace's last ingest (breaks linkage)."
            ),
        ] = False,
        extract_date: Annotated[
            str | None,
            typer.Option("--extract-date", help="Date of the extract (YYYY-MM-DD); later dates are rejected."),
        ] = None,
        quiet: QuietOption = False,
    ) -> None:
        """Read, validate and load the partner extracts named in area.yaml into the warehouse.

        Exit codes: 0 loaded (rows that break a rule are rejected, listed in rejects.csv, and the
        rest load); 2 a bad option; 3 area.yaml or the key is wrong; 4 a file cannot be read or
        lacks a required column (the previous warehouse is kept); 5 an input is missing;
        6 another ingest of this area is running; 8 a file-system fault.
        """
        from rich.console import Console
        from rich.markup import escape

        from svsna.config import load_area_config
        from svsna.engine import check_engine
        from svsna.pipeline.ingest import ingest

        check_engine(engine)
        as_of = None
        if extract_date:
            try:
                as_of = dt.date.fromisoformat(extract_date)
            except ValueError:
                raise typer.BadParameter(f"{extract_date!r} is not a date (use YYYY-MM-DD)") from None
        config = load_area_config(area)
        console = Console()
        result = ingest(config, demo=demo, progress=not quiet, as_of=as_of, engine=engine, new_key=new_key)
        console.print(ledger_table(result.ledger))
        reasons = reasons_table(result.ledger)
        if reasons is not None:
            console.print(reasons)
        rejected_rows = int(result.ledger.loc[result.ledger["outcome"] == "rejected", "rows"].sum())
        if rejected_rows:
            console.print(
                f"[bold red]{rejected_rows} row(s) rejected[/] with {result.rejects} problem(s): see "
                f"{escape(str(result.rejects_path))} (it can be handed back to the data owner)",
                highlight=False,
                soft_wrap=True,  # a path wrapped mid-way cannot be copied
            )
        else:
            console.print("[green]no rows rejected[/]")
        print_warnings(result.warnings)
        run = result.run
        key = result.key_label or "n/a (no identifiers)"
        fp = f" (fingerprint {run.key_fingerprint})" if run is not None and run.key_fingerprint else ""
        console.print(f"pseudonyms keyed by {escape(key)}{fp}", highlight=False, soft_wrap=True)
        if run is not None:
            console.print(f"ingest run {run.run_id}: complete", highlight=False)
        for label, path in (("ledger", result.ledger_path), ("warehouse", result.warehouse_path)):
            console.print(f"{label}: {escape(str(path))}", highlight=False, soft_wrap=True)
