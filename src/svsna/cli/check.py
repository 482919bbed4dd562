"""``svsna check``: validate area.yaml and every extract without touching the warehouse or the outputs.

A dry run of ``svsna ingest`` (:func:`svsna.pipeline.ingest.ingest` with ``dry_run=True``): the same
reading, rules (cross-row rules included) and ledger, in a scratch folder that is thrown away.
Prints, per file, the encoding or format, rows read / would load / would reject by reason,
ignored columns and near-miss columns (with the ``columns:`` line to add); ``--json`` prints
the same as JSON. Every unusable file (a missing required column, an empty file or sheet, a
geography row that breaks a rule, ...) is listed, one ``error:`` line each on standard error
(and under ``file_faults`` with ``--json``), and the other files are still checked.
Exits 0 when every file is usable and no row would be rejected, 4 when a file is unusable or
rows would be rejected, and with the usual codes (3, 5, 8, ...) for configuration, missing
input and file-system faults.

Examples
--------
>>> import typer
>>> app = typer.Typer()
>>> register(app)
>>> [c.name for c in app.registered_commands]
['check']
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated

import typer

from svsna.cli.options import AreaOption, QuietOption, print_warnings

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add the ``check`` command to ``app``."""

    @app.command("check")
    def check_command(
        area: AreaOption,
        as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
        demo: Annotated[
            bool, typer.Option("--demo", help="Allow the demo key (data made by svsna synth only).")
        ] = False,
        extract_date: Annotated[
            str | None, typer.Option("--extract-date", help="Date of the extract (YYYY-MM-DD).")
        ] = None,
        quiet: QuietOption = False,
    ) -> None:
        """Check area.yaml and every extract (a dry run of ingest: nothing is written).

        Exit codes: 0 every file is readable and every row would load; 4 a file cannot be read,
        or 4 when any row would be rejected (ingest would load the other rows and exit 0, so
        `svsna check && svsna ingest` stops at a single bad row); 3 area.yaml or the key is
        wrong (also the settings only report reads); 5 an input (or report.logo) is missing;
        8 a file-system fault.
        """
        from rich.console import Console
        from rich.markup import escape

        from svsna.cli.ingest import ledger_table, reasons_table
        from svsna.config import load_area_config
        from svsna.outputs.report import check_report_settings
        from svsna.pipeline.ingest import ingest

        as_of = None
        if extract_date:
            try:
                as_of = dt.date.fromisoformat(extract_date)
            except ValueError:
                raise typer.BadParameter(f"{extract_date!r} is not a date (use YYYY-MM-DD)") from None
        config = load_area_config(area)
        check_report_settings(config)  # the settings only `svsna report` reads, refused as it would
        result = ingest(config, demo=demo, progress=not (quiet or as_json), as_of=as_of, dry_run=True)
        rejected = sum(sum(f.reasons.values()) for f in result.files)
        faults = result.file_faults
        if as_json:
            payload = {
                "area": str(area),
                "ok": rejected == 0 and not faults,
                "file_faults": [
                    {"source": f.source, "file": f.file, "message": f.message, "exit_code": f.exit_code} for f in faults
                ],
                "files": [
                    {
                        "source": f.source,
                        "file": f.file,
                        "format": f.format,
                        "encoding": f.encoding,
                        "read": f.read,
                        "would_load": f.loaded,
                        "would_reject": f.reasons,
                        "ignored_columns": f.ignored_columns,
                        "near_miss_columns": f.near_misses,
                    }
                    for f in result.files
                ],
                "warnings": result.warnings,
            }
            typer.echo(json.dumps(payload, indent=2))
        else:
            console = Console()
            console.print(ledger_table(result.ledger, [(f.source, f.file) for f in faults]))
            reasons = reasons_table(result.ledger)
            if reasons is not None:
                console.print(reasons)
            print_warnings(result.warnings)  # on standard error, like every command's warnings
            errors = Console(stderr=True)
            for f in faults:
                errors.print(f"[bold red]error:[/] {escape(f.message)}", highlight=False, soft_wrap=True)
            verdict = f"[red]{rejected} row(s) would be rejected[/]" if rejected else "[green]every row would load[/]"
            if faults:
                others = (
                    f"in the others {verdict}"
                    if rejected
                    else ("every row of the others would load" if result.files else "no other file was checked")
                )
                verdict = f"[red]{len(faults)} file(s) cannot be used[/] (see the errors); {others}"
            console.print(f"{verdict}; nothing was written (dry run)", soft_wrap=True)
        if faults:
            raise typer.Exit(max(f.exit_code for f in faults))
        if rejected:
            raise typer.Exit(4)
