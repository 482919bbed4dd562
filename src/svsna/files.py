"""Writing files the way restricted data needs: owner-only, and complete or absent.

Every file svsna writes (warehouse, ledger, rejects, indicator tables, reports,
workbooks) goes through this module:

- :func:`private_dir` creates a folder readable by its owner only (mode 0700), so
  person-level and restricted outputs are not world-readable on a shared machine;
- :func:`atomic_path` yields a temporary name in the destination folder; when the
  ``with`` block ends without an error the file is made owner-only (0600), flushed to
  disk and renamed over the destination in one step (``os.replace``), so a reader sees
  the old file or the new one, never half a file. On an error the temporary file is
  removed and the destination is untouched;
- :func:`atomic_write_text` / :func:`atomic_write_bytes` are the one-call forms.

This module is shared by every layer (like :mod:`svsna.errors`).

Examples
--------
>>> import tempfile, pathlib, stat
>>> d = private_dir(pathlib.Path(tempfile.mkdtemp()) / "out")
>>> oct(stat.S_IMODE(d.stat().st_mode))
'0o700'
>>> p = atomic_write_text(d / "a.csv", "x,y\\n1,2\\n")
>>> p.read_text(), oct(stat.S_IMODE(p.stat().st_mode))
('x,y\\n1,2\\n', '0o600')
>>> try:
...     with atomic_path(d / "a.csv") as tmp:
...         _ = tmp.write_text("half")
...         raise RuntimeError("killed")
... except RuntimeError:
...     pass
>>> p.read_text(), sorted(x.name for x in d.iterdir())
('x,y\\n1,2\\n', ['a.csv'])
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

__all__ = [
    "DIR_MODE",
    "FILE_MODE",
    "atomic_path",
    "atomic_write_bytes",
    "atomic_write_text",
    "private_dir",
    "remove_leftovers",
]

#: Mode of every file svsna writes (owner read/write only).
FILE_MODE = 0o600
#: Mode of every folder svsna creates (owner only).
DIR_MODE = 0o700

_TMP_PREFIX = ".svsna-tmp-"


def private_dir(path: str | Path) -> Path:
    """Create ``path`` (and missing parents) owner-only; tighten it if svsna made it before.

    A folder that exists but is not a folder raises :class:`FileExistsError` (the CLI turns
    it into a one-line file-system fault).
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        import errno

        raise FileExistsError(errno.EEXIST, "not a folder", str(path))
    path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    with contextlib.suppress(PermissionError):  # a folder owned by someone else is left as it is
        os.chmod(path, DIR_MODE)
    return path


@contextlib.contextmanager
def atomic_path(path: str | Path, *, mode: int = FILE_MODE) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success fsync it and rename it over ``path``.

    The temporary name starts with ``.svsna-tmp-`` so leftovers of a killed process are
    recognisable (:func:`remove_leftovers`).
    """
    path = Path(path)
    parent = path.parent
    if not parent.exists():
        private_dir(parent)
    tmp = parent / f"{_TMP_PREFIX}{secrets.token_hex(6)}-{path.name}"
    try:
        yield tmp
        if tmp.exists():
            os.chmod(tmp, mode)
            if tmp.is_file():
                with open(tmp, "rb+") as fh:
                    os.fsync(fh.fileno())
            os.replace(tmp, path)
            _fsync_dir(parent)
    finally:
        if tmp.exists():
            if tmp.is_dir():
                import shutil

                shutil.rmtree(tmp, ignore_errors=True)
            else:
                tmp.unlink(missing_ok=True)


def atomic_write_bytes(path: str | Path, data: bytes, *, mode: int = FILE_MODE) -> Path:
    """Write ``data`` to ``path`` atomically (owner-only); returns ``path``."""
    path = Path(path)
    with atomic_path(path, mode=mode) as tmp:
        tmp.write_bytes(data)
    return path


def atomic_write_text(path: str | Path, text: str, *, mode: int = FILE_MODE, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically (owner-only); returns ``path``."""
    return atomic_write_bytes(path, text.encode(encoding), mode=mode)


def remove_leftovers(folder: str | Path) -> list[Path]:
    """Delete temporary files a killed svsna process left in ``folder``; returns what was removed."""
    folder = Path(folder)
    removed = []
    if folder.is_dir():
        for p in folder.glob(f"{_TMP_PREFIX}*"):
            if p.is_file():
                p.unlink(missing_ok=True)
                removed.append(p)
    return removed


def _fsync_dir(folder: Path) -> None:
    """Make a rename durable (POSIX); silently skipped where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
