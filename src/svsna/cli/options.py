"""Options shared by the ``svsna`` commands (one definition, the same flags and help everywhere), and
the one way they print a warning line and a list of outputs.

Streams: summaries (tables, what was written, ``done``) go to standard output; progress bars,
warnings and faults go to standard error, so ``svsna ... > summary.txt`` keeps the summary.

>>> import typing
>>> typing.get_args(AreaOption)[0].__name__
'Path'

"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["AreaOption", "OptionalAreaOption", "QuietOption", "print_outputs", "print_warnings"]

_AREA_HELP = "The area configuration (area.yaml)."

#: ``--area`` / ``-a``: the area.yaml file (required).
AreaOption = Annotated[Path, typer.Option("--area", "-a", help=_AREA_HELP)]
#: ``--area`` / ``-a`` where a command can do without it.
OptionalAreaOption = Annotated[Path | None, typer.Option("--area", "-a", help=_AREA_HELP)]
#: ``--quiet`` / ``-q``: no progress bars (warnings, errors and the summary are still printed).
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")]


def print_warnings(lines: Iterable[str], console: Console | None = None) -> None:
    """Print each line as ``warning: ...``, one line each (never wrapped), on ``console`` (default:
    standard error)."""
    from rich.console import Console
    from rich.markup import escape

    out = console if console is not None else Console(stderr=True)
    for line in lines:
        out.print(f"[bold yellow]warning:[/] {escape(line)}", highlight=False, soft_wrap=True)


def print_outputs(rows: Iterable[tuple[str, bool, Path]], console: Console | None = None) -> None:
    """Print outputs under two headings, public (safe to publish) then restricted, one line each:
    the label, then the full path (never wrapped, so it can be copied). ``rows`` are
    ``(label, public, path)`` as :meth:`svsna.outputs.ReportPaths.described` gives them.
    """
    from rich.console import Console
    from rich.markup import escape

    out = console if console is not None else Console()
    rows = list(rows)
    width = max((len(label) for label, _, _ in rows), default=0)
    headings = {
        True: "[bold green]Public[/] (safe to publish):",
        False: "[bold red]Restricted[/] (exact figures, for partners only: do not publish):",
    }
    for public in (True, False):
        mine = [(label, path) for label, tier, path in rows if tier is public]
        if not mine:
            continue
        out.print(headings[public], highlight=False)
        for label, path in mine:
            out.print(
                f"  {escape(label):{width}}  {escape(str(Path(path).resolve()))}", highlight=False, soft_wrap=True
            )
