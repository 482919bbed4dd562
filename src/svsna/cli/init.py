"""``svsna init DIR``: start a new partnership's folder with a commented area.yaml and templates.

Writes ``DIR/area.yaml`` (every setting, commented, with the key instructions) and
``DIR/extracts.xlsx`` (a notes sheet for data owners, one sheet per source with the
contract's header row and drop-down lists, and the code lists), both owner-only. The
folder is created owner-only if it does not exist.

Faults, each one line on standard error (exit codes from :mod:`svsna.errors`):

====  ======================================================================
2     DIR exists and is not empty (give ``--force`` to write into it anyway:
      only ``area.yaml`` and ``extracts.xlsx`` are replaced)
8     DIR is a file, or it (or its parent) cannot be written
====  ======================================================================

Examples
--------
>>> import typer
>>> app = typer.Typer()
>>> register(app)
>>> [c.name for c in app.registered_commands]
['init']
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Annotated

import typer

from svsna.errors import SvsnaError

__all__ = ["FolderNotEmptyError", "init_folder", "register"]


class FolderNotEmptyError(SvsnaError):
    """``svsna init`` was pointed at a folder that already holds files (a usage error)."""

    exit_code = 2


def _check_target(folder: Path, force: bool) -> None:
    """Raise a one-line fault unless ``folder`` can receive the starting files."""
    from svsna.errors import FileSystemFault

    if folder.exists() and not folder.is_dir():
        raise FileSystemFault(f"{folder} is a file, not a folder", hint="name a new folder for the partnership")
    if folder.is_dir():
        try:
            entries = sorted(p.name for p in folder.iterdir())
        except PermissionError:
            raise FileSystemFault(
                f"permission denied: cannot read the folder {folder}", hint="choose a folder you own"
            ) from None
        if entries and not force:
            shown = ", ".join(entries[:3]) + (f" and {len(entries) - 3} more" if len(entries) > 3 else "")
            raise FolderNotEmptyError(
                f"{folder} is not empty ({shown})",
                hint="choose a new folder, or add --force to write area.yaml and extracts.xlsx into it "
                "(other files are left alone)",
            )
        if not os.access(folder, os.W_OK | os.X_OK):
            raise FileSystemFault(f"permission denied: cannot write in {folder}", hint="choose a folder you own")
        return
    parent = next((p for p in folder.parents if p.exists()), None)
    if parent is not None and not parent.is_dir():
        raise FileSystemFault(f"{parent} is a file, not a folder", hint="name a folder path")
    if parent is not None and not os.access(parent, os.W_OK | os.X_OK):
        raise FileSystemFault(
            f"permission denied: cannot create {folder} in {parent}", hint="choose a folder you can write to"
        )


def init_folder(
    folder: str | Path, *, name: str | None = None, force: bool = False, today: dt.date | None = None
) -> dict[str, Path]:
    """Write ``area.yaml`` and ``extracts.xlsx`` into ``folder``; returns ``{label: path}``.

    Raises
    ------
    FolderNotEmptyError
        ``folder`` holds files and ``force`` is false (exit code 2).
    FileSystemFault
        ``folder`` is a file, or cannot be created or written (exit code 8).
    """
    from svsna.errors import FileSystemFault
    from svsna.files import atomic_write_text, private_dir
    from svsna.sources.templates import AREA_FILE, WORKBOOK_FILE, area_yaml_text, write_extract_templates

    folder = Path(folder)
    _check_target(folder, force)
    try:
        private_dir(folder)
    except OSError as exc:
        raise FileSystemFault(
            f"cannot create the folder {folder}: {exc.strerror or exc}", hint="choose a folder you can write to"
        ) from None
    title = name or folder.resolve().name.replace("-", " ").replace("_", " ").strip() or "My partnership"
    area = atomic_write_text(folder / AREA_FILE, area_yaml_text(title, today=today))
    book = write_extract_templates(folder / WORKBOOK_FILE)
    return {"area": area, "templates": book}


def register(app: typer.Typer) -> None:
    """Add the ``init`` command to ``app``."""

    @app.command("init")
    def init_command(
        folder: Annotated[
            Path, typer.Argument(metavar="DIR", help="Folder for the new partnership (created if absent).")
        ],
        name: Annotated[
            str | None,
            typer.Option("--name", "-n", help="Full name of the partnership (default: the folder's name)."),
        ] = None,
        force: Annotated[
            bool,
            typer.Option("--force", help="Write into a folder that is not empty (replaces area.yaml, extracts.xlsx)."),
        ] = False,
    ) -> None:
        """Start a partnership: a commented area.yaml and blank extract templates (one XLSX, a sheet per source)."""
        from rich.console import Console

        paths = init_folder(folder, name=name, force=force)
        console = Console()
        console.print(f"[green]wrote[/] {paths['area']}  (every setting, commented; see docs/area-config.md)")
        console.print(f"[green]wrote[/] {paths['templates']}  (a sheet per source; the notes sheet is for data owners)")
        console.print(
            "next: fill the sheets (or point `inputs` at partner files), set the pseudonymisation key as "
            f"area.yaml explains, then [bold]svsna check --area {paths['area']}[/]"
        )
