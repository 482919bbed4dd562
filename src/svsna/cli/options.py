"""Options shared by the ``svsna`` commands (one definition, the same flags and help everywhere).

>>> import typing
>>> typing.get_args(AreaOption)[0].__name__
'Path'

"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

__all__ = ["AreaOption", "OptionalAreaOption", "QuietOption"]

_AREA_HELP = "The area configuration (area.yaml)."

#: ``--area`` / ``-a``: the area.yaml file (required).
AreaOption = Annotated[Path, typer.Option("--area", "-a", help=_AREA_HELP)]
#: ``--area`` / ``-a`` where a command can do without it.
OptionalAreaOption = Annotated[Path | None, typer.Option("--area", "-a", help=_AREA_HELP)]
#: ``--quiet`` / ``-q``: no progress bars (warnings, errors and the summary are still printed).
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")]
