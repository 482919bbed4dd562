"""The ``svsna`` command line.

Each command lives in its own module under ``svsna.cli`` and registers itself on the
shared Typer app; heavy imports happen inside the commands so ``svsna --help`` is fast.
Exit codes are listed in :mod:`svsna.errors`.
"""

from __future__ import annotations

import importlib
import sys

import typer

from svsna import __version__
from svsna.errors import SvsnaError

__all__ = ["app", "main"]

app = typer.Typer(
    name="svsna",
    help="Serious Violence Strategic Needs Assessments from partner data.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Command modules, in the order they appear in --help. Each defines register(app).
COMMAND_MODULES: tuple[str, ...] = ("demo", "synth", "ingest", "assess")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"svsna {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """Serious Violence Strategic Needs Assessments from partner data."""


for _name in COMMAND_MODULES:
    importlib.import_module(f"svsna.cli.{_name}").register(app)


def main() -> None:
    """Entry point of the ``svsna`` console script."""
    try:
        app()
    except SvsnaError as exc:
        from rich.console import Console

        Console(stderr=True).print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)
