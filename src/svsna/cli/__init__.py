"""The ``svsna`` command line.

Each command lives in its own module under ``svsna.cli`` and registers itself on the
shared Typer app; heavy imports happen inside the commands so ``svsna --help`` is fast.
Exit codes are listed in :mod:`svsna.errors`.

Every fault ends the command with one line on standard error and a documented exit code;
``svsna --debug <command>`` (or ``svsna <command> ... --debug``, or ``SVSNA_DEBUG=1``) also prints
the traceback.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import typer
import typer.core

from svsna import __version__
from svsna.errors import SvsnaError, os_error_message

__all__ = ["app", "main", "os_error_message"]


class _Group(typer.core.TyperGroup):
    """The ``svsna`` command group: ``--debug`` is taken anywhere on the line (``svsna check --debug``
    as well as ``svsna --debug check``), so the one root option serves every command."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        end = args.index("--") if "--" in args else len(args)
        if "--debug" in args[:end]:
            args = ["--debug", *(a for a in args[:end] if a != "--debug"), *args[end:]]
        return super().parse_args(ctx, args)


app = typer.Typer(
    name="svsna",
    cls=_Group,
    help="Serious Violence Strategic Needs Assessments from partner data.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="markdown",
    pretty_exceptions_enable=False,
)

# Command modules, in the order they appear in --help. Each defines register(app).
COMMAND_MODULES: tuple[str, ...] = (
    "demo",
    "synth",
    "init",
    "check",
    "ingest",
    "assess",
    "report",
    "opendata",
    "serve",
    "users",
)


_DEBUG = {"on": os.environ.get("SVSNA_DEBUG", "") not in ("", "0")}


def debug_enabled() -> bool:
    """Whether ``--debug`` (or ``SVSNA_DEBUG=1``) asked for tracebacks."""
    return _DEBUG["on"]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"svsna {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
    debug: bool = typer.Option(
        False, "--debug", help="Print the full traceback when a command fails (also taken after the command)."
    ),
) -> None:
    """Serious Violence Strategic Needs Assessments from partner data."""
    if debug:
        _DEBUG["on"] = True


for _name in COMMAND_MODULES:
    importlib.import_module(f"svsna.cli.{_name}").register(app)


def _fail(message: str, code: int) -> None:
    from rich.console import Console
    from rich.markup import escape

    text = message.strip().splitlines()[0] if message.strip() else "failed"
    if len(text) > 2000:
        text = text[:2000] + f"… ({len(message):,} characters)"
    Console(stderr=True).print(f"[bold red]error:[/] {escape(text)}", highlight=False, soft_wrap=True)
    sys.exit(code)


def main() -> None:
    """Entry point of the ``svsna`` console script: every fault is one line and an exit code."""
    from svsna.errors import FileSystemFault

    try:
        app()
    except SvsnaError as exc:
        if debug_enabled():
            import traceback

            traceback.print_exc()
        _fail(str(exc), exc.exit_code)
    except OSError as exc:
        if debug_enabled():
            import traceback

            traceback.print_exc()
        msg, hint = os_error_message(exc)
        _fail(f"{msg}; hint: {hint}", FileSystemFault.exit_code)
    except MemoryError:
        _fail("out of memory; hint: check the limits in area.yaml `limits:` and the size of the inputs", 1)
    except KeyboardInterrupt:
        _fail("interrupted", 130)
    except Exception as exc:
        if debug_enabled():
            import traceback

            traceback.print_exc()
        _fail(
            f"internal error: {type(exc).__name__}: {exc}; hint: this is a bug in svsna — "
            "rerun with `svsna --debug ...` and report the traceback",
            1,
        )
