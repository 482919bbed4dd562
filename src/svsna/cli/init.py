"""``svsna init DIR``: start a new partnership's folder with a commented area.yaml and templates.

Writes ``DIR/area.yaml`` (every setting, commented, with the key instructions) and
``DIR/extracts.xlsx`` (a notes sheet for data owners, one sheet per source with the
contract's header row and drop-down lists, and the code lists), both owner-only. The
folder is created owner-only if it does not exist.

Faults, each one line on standard error (exit codes from :mod:`svsna.errors`):

====  ======================================================================
2     DIR exists and is not empty (give ``--force`` to write into it anyway:
      only ``area.yaml`` and ``extracts.xlsx`` are written, and an existing
      one that differs is first kept as ``<name>.bak-YYYYMMDD-HHMM.<ext>``)
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


def _same_content(old: Path, new: Path) -> bool:
    """Whether ``old`` holds what ``new`` holds: the same bytes, or for two workbooks the same parts
    apart from the document properties (which carry the time the workbook was written)."""
    import zipfile

    if old.read_bytes() == new.read_bytes():
        return True
    if not (zipfile.is_zipfile(old) and zipfile.is_zipfile(new)):
        return False
    with zipfile.ZipFile(old) as a, zipfile.ZipFile(new) as b:
        names = sorted(n for n in a.namelist() if n != "docProps/core.xml")
        if names != sorted(n for n in b.namelist() if n != "docProps/core.xml"):
            return False
        return all(a.read(n) == b.read(n) for n in names)


def _backup_path(path: Path, now: dt.datetime) -> Path:
    """``area.bak-20261204-1215.yaml`` beside ``path``: the stamp before the extension, so a kept
    workbook still opens in Excel (seconds, then a number, added if taken).

    >>> _backup_path(Path("/nonexistent/extracts.xlsx"), dt.datetime(2026, 12, 4, 12, 15)).name
    'extracts.bak-20261204-1215.xlsx'
    """
    for stamp in (now.strftime("%Y%m%d-%H%M"), now.strftime("%Y%m%d-%H%M%S")):
        candidate = path.with_name(f"{path.stem}.bak-{stamp}{path.suffix}")
        if not candidate.exists():
            return candidate
    n = 2
    while (candidate := path.with_name(f"{path.stem}.bak-{now:%Y%m%d-%H%M%S}-{n}{path.suffix}")).exists():
        n += 1
    return candidate


def init_folder(
    folder: str | Path, *, name: str | None = None, force: bool = False, today: dt.date | None = None
) -> dict[str, Path]:
    """Write ``area.yaml`` and ``extracts.xlsx`` into ``folder``; returns ``{label: path}``.

    With ``force``, an ``area.yaml`` or ``extracts.xlsx`` already there that differs from what would
    be written (filled in, edited) is first renamed to a dated backup beside it
    (``area.bak-YYYYMMDD-HHMM.yaml``); the backups are returned as ``backup:<file name>``.

    Raises
    ------
    FolderNotEmptyError
        ``folder`` holds files and ``force`` is false (exit code 2).
    FileSystemFault
        ``folder`` is a file, or cannot be created or written (exit code 8).
    """
    import tempfile

    from svsna.errors import FileSystemFault
    from svsna.files import atomic_path, private_dir
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
    now = dt.datetime.now()
    written: dict[str, Path] = {}
    with tempfile.TemporaryDirectory(prefix="svsna-init-") as scratch:
        fresh = {
            "area": (folder / AREA_FILE, Path(scratch) / AREA_FILE),
            "templates": (folder / WORKBOOK_FILE, Path(scratch) / WORKBOOK_FILE),
        }
        fresh["area"][1].write_text(area_yaml_text(title, today=today), encoding="utf-8")
        write_extract_templates(fresh["templates"][1])
        for label, (target, made) in fresh.items():
            if target.is_file() and not _same_content(target, made):  # the user's work: keep it
                backup = _backup_path(target, now)
                target.replace(backup)
                written[f"backup:{target.name}"] = backup
            with atomic_path(target) as tmp:
                tmp.write_bytes(made.read_bytes())
            written[label] = target
    return written


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
            typer.Option(
                "--force",
                help="Write into a folder that is not empty. An area.yaml or extracts.xlsx already there that "
                "differs from a fresh one is kept as a dated backup beside it (area.bak-YYYYMMDD-HHMM.yaml).",
            ),
        ] = False,
    ) -> None:
        """Start a partnership: a commented area.yaml and blank extract templates (one XLSX, a sheet per source).

        Exit codes: 0 written; 2 DIR is not empty (give --force); 8 DIR is a file, or it cannot be
        created or written.
        """
        from rich.console import Console
        from rich.markup import escape

        paths = init_folder(folder, name=name, force=force)
        console = Console()
        for label, path in paths.items():
            if label.startswith("backup:"):
                original = label.removeprefix("backup:")
                console.print(
                    f"[yellow]kept[/] your previous {original} as {escape(str(path))}", highlight=False, soft_wrap=True
                )
        say = {
            "area": "(every setting, commented; see docs/area-config.md)",
            "templates": "(a sheet per source; the notes sheet is for data owners)",
        }
        for label, note in say.items():
            console.print(f"[green]wrote[/] {escape(str(paths[label]))}  {note}", highlight=False, soft_wrap=True)
        console.print(
            "next: fill the sheets (or point `inputs` at partner files), set the pseudonymisation key as "
            f"area.yaml explains, then [bold]svsna check --area {escape(str(paths['area']))}[/]",
            highlight=False,
            soft_wrap=True,
        )
