"""The release layout, as the web SNA reads it: the only module that knows file names.

``svsna report`` writes three folders under the area's output folder::

    <output>/public/       the public release (one disclosure-controlled indicator table)
    <output>/restricted/   exact figures, ledger and rejects (partners only)
    <output>/history/<id>/ one folder per report run: the public and the exact tables

The web SNA reads them through three readers, each **confined to its own folder**:

- :class:`PublicRelease` opens only the names in :data:`PUBLIC_FILES` inside ``public/``;
- :class:`RestrictedRelease` opens only :data:`RESTRICTED_FILES` inside ``restricted/``;
- :class:`History` opens only :data:`HISTORY_FILES` inside ``history/<id>/``.

A reader is built from its folder alone and never learns the output folder, so the public
tier (which is handed a :class:`PublicRelease` and nothing else) has no way to name a
restricted file. Every open goes through :class:`ConfinedFolder`, which refuses names
outside its allow-list, path separators, ``..``, symbolic links and anything that resolves
outside the folder.

Examples
--------
>>> import tempfile, pathlib
>>> out = pathlib.Path(tempfile.mkdtemp())
>>> (out / "public").mkdir(); (out / "restricted").mkdir()
>>> _ = (out / "restricted" / "indicators.csv").write_text("secret")
>>> pub = PublicRelease(out / "public")
>>> pub.path("../restricted/indicators.csv")
Traceback (most recent call last):
...
svsna.web.release.OutsideRelease: '../restricted/indicators.csv' is not a file of the public release
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from svsna.errors import InputDataError, MissingInputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "DOWNLOADS",
    "HISTORY_FILES",
    "PUBLIC_FILES",
    "PUBLIC_HISTORY_FILES",
    "RESTRICTED_FILES",
    "ConfinedFolder",
    "Download",
    "History",
    "OutsideRelease",
    "PublicRelease",
    "ReleaseLayout",
    "RestrictedRelease",
    "baseline_label",
]

PUBLIC_DIR = "public"
RESTRICTED_DIR = "restricted"
HISTORY_DIR = "history"

#: Every file the web may open in ``public/``.
PUBLIC_FILES: tuple[str, ...] = (
    "indicators-public.parquet",
    "indicators-public.csv",
    "release.json",
    "sna-summary.html",
    "sna-summary.pdf",
    "sna-public-tables.xlsx",
)
#: Every file the web may open in ``restricted/``.
RESTRICTED_FILES: tuple[str, ...] = (
    "indicators.parquet",
    "indicators.csv",
    "findings.json",
    "ledger.csv",
    "rejects.csv",
    "sna-full.html",
    "sna-full.pdf",
    "sna-tables.xlsx",
)
#: Every file the web may open in ``history/<id>/``.
HISTORY_FILES: tuple[str, ...] = ("indicators-public.parquet", "indicators.parquet", "release.json")

_HISTORY_ID = re.compile(r"^\d{8}T\d{6}Z$")


def baseline_label(manifest: dict[str, Any]) -> str:
    """The label of the baseline year a ``release.json`` names (``"2019/20"``), ``""`` when none.

    A manifest written before it carried the baseline year, or for an area without one, has
    no ``baseline``: the pages then say "the baseline year" without naming it.

    >>> baseline_label({"baseline": {"year": 2019, "label": "2019/20"}})
    '2019/20'
    >>> baseline_label({}), baseline_label({"baseline": None})
    ('', '')
    """
    base = manifest.get("baseline")
    label = base.get("label") if isinstance(base, dict) else None
    return label.strip() if isinstance(label, str) and len(label) <= 40 else ""


class OutsideRelease(PermissionError):
    """A name that is not one of the files this reader may open."""


@dataclass(frozen=True)
class Download:
    """A file offered for download: its key in URLs, its file name, a label and a media type."""

    key: str
    name: str
    label: str
    media_type: str


#: Files offered for download, by tier: ``public`` (anyone), ``restricted`` (unscoped partners,
#: analysts, admins) and ``quality`` (analysts and admins).
DOWNLOADS: dict[str, tuple[Download, ...]] = {
    "public": (
        Download("summary-pdf", "sna-summary.pdf", "Public summary (PDF)", "application/pdf"),
        Download("summary-html", "sna-summary.html", "Public summary (web page)", "text/html; charset=utf-8"),
        Download(
            "workbook",
            "sna-public-tables.xlsx",
            "Public tables (Excel workbook)",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        Download("indicators-csv", "indicators-public.csv", "Public indicator table (CSV)", "text/csv; charset=utf-8"),
        Download(
            "indicators-parquet",
            "indicators-public.parquet",
            "Public indicator table (Parquet)",
            "application/vnd.apache.parquet",
        ),
    ),
    "restricted": (
        Download("full-pdf", "sna-full.pdf", "Full SNA (PDF)", "application/pdf"),
        Download("full-html", "sna-full.html", "Full SNA (web page)", "text/html; charset=utf-8"),
        Download(
            "workbook",
            "sna-tables.xlsx",
            "Full tables (Excel workbook)",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        Download("indicators-csv", "indicators.csv", "Exact indicator table (CSV)", "text/csv; charset=utf-8"),
        Download("findings", "findings.json", "Findings (JSON)", "application/json"),
    ),
    "quality": (
        Download("ledger", "ledger.csv", "Row ledger (CSV)", "text/csv; charset=utf-8"),
        Download("rejects", "rejects.csv", "Rejected rows (CSV)", "text/csv; charset=utf-8"),
    ),
}


class ConfinedFolder:
    """Opens only allow-listed regular files directly inside one folder.

    Parameters
    ----------
    root : path
        The folder. It is resolved once; every file must resolve to ``root/<name>``.
    allowed : iterable of str
        The file names that may be opened.
    what : str
        How the folder is named in messages (``"the public release"``).
    """

    def __init__(self, root: str | Path, allowed: tuple[str, ...], what: str) -> None:
        self.root = Path(root).resolve()
        self.allowed = frozenset(allowed)
        self.what = what

    def path(self, name: str) -> Path:
        """The path of ``name``, after every check; raises :class:`OutsideRelease` or ``FileNotFoundError``."""
        if name not in self.allowed or "/" in name or "\\" in name or name in ("", ".", ".."):
            raise OutsideRelease(f"{name!r} is not a file of {self.what}")
        candidate = self.root / name
        try:
            st = os.lstat(candidate)
        except FileNotFoundError:
            raise FileNotFoundError(f"{candidate}: not found in {self.what}") from None
        if stat.S_ISLNK(st.st_mode) or not stat.S_ISREG(st.st_mode):
            raise OutsideRelease(f"{name!r} in {self.what} is not a regular file")
        if candidate.resolve().parent != self.root:
            raise OutsideRelease(f"{name!r} resolves outside {self.what}")
        return candidate

    def present(self, name: str) -> bool:
        """Whether something by that (allowed) name is in the folder, even if it may not be opened."""
        return name in self.allowed and os.path.lexists(self.root / name)

    def exists(self, name: str) -> bool:
        try:
            self.path(name)
        except (OutsideRelease, FileNotFoundError):
            return False
        return True

    def read_bytes(self, name: str) -> bytes:
        return self.path(name).read_bytes()

    def stamp(self, name: str) -> tuple[int, int] | None:
        """``(mtime_ns, size)`` of a file, or None when it is absent (for change detection)."""
        try:
            st = self.path(name).stat()
        except (OutsideRelease, FileNotFoundError):
            return None
        return st.st_mtime_ns, st.st_size


def _read_table(folder: ConfinedFolder, parquet: str, csv: str) -> pd.DataFrame:
    import pandas as pd

    from svsna.indicators import standardise_indicators

    if folder.present(parquet):
        path = folder.path(parquet)  # a symbolic link or odd file raises OutsideRelease here
        try:
            table = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises several kinds for a damaged file
            raise InputDataError(f"{path}: not a readable Parquet file ({type(exc).__name__}: {exc})") from None
    elif csv and folder.present(csv):
        path = folder.path(csv)
        table = pd.read_csv(path, keep_default_na=True, low_memory=False)
    else:
        names = f"{parquet} or {csv}" if csv else parquet
        raise MissingInputError(
            f"{folder.root}: no {names} in {folder.what} (hint: run `svsna report --area area.yaml` first)"
        )
    return standardise_indicators(table, source=str(path), blank="")


def _read_json(folder: ConfinedFolder, name: str) -> Any:
    path = folder.path(name)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputDataError(f"{path}: not valid JSON ({exc})") from None


class PublicRelease:
    """The public release (``<output>/public``): the only thing the public tier can read."""

    what = "the public release"

    def __init__(self, folder: str | Path) -> None:
        self.folder = ConfinedFolder(folder, PUBLIC_FILES, self.what)
        self._digests: dict[tuple[str, tuple[int, int]], str] = {}
        self._manifest: tuple[tuple[int, int], dict[str, Any]] | None = None

    def path(self, name: str) -> Path:
        return self.folder.path(name)

    def exists(self) -> bool:
        return self.folder.root.is_dir()

    def indicators(self) -> pd.DataFrame:
        """The disclosure-controlled indicator table (``indicators-public.parquet``, else ``.csv``)."""
        return _read_table(self.folder, "indicators-public.parquet", "indicators-public.csv")

    def manifest(self) -> dict[str, Any]:
        """``release.json`` (an empty mapping when absent), read again only when the file changes."""
        stamp = self.folder.stamp("release.json")
        if stamp is None:
            return {}
        cached = self._manifest
        if cached is not None and cached[0] == stamp:
            return cached[1]
        data = _read_json(self.folder, "release.json")
        data = data if isinstance(data, dict) else {}
        self._manifest = (stamp, data)
        return data

    def stamp(self) -> tuple[Any, ...]:
        """Changes whenever ``svsna report`` rewrites the release."""
        return tuple(
            self.folder.stamp(n) for n in ("release.json", "indicators-public.parquet", "indicators-public.csv")
        )

    def listed(self, name: str) -> bool:
        """Whether ``name`` is a file of this release: present, and listed in ``release.json``'s
        ``files`` with the same size and SHA-256 (a file put in ``public/`` by hand or edited
        after the release is not part of it, so it is neither offered nor served).

        A ``release.json`` without a ``files`` list (made before the manifest listed them) lists
        every present file. The SHA-256 is worked out once per version of the file.
        """
        stamp = self.folder.stamp(name)
        if stamp is None:
            return False
        files = self.manifest().get("files")
        if not isinstance(files, list):
            return True
        entry = next((f for f in files if isinstance(f, dict) and f.get("name") == name), None)
        if entry is None or entry.get("bytes") not in (None, stamp[1]):
            return False
        key = (name, stamp)
        if key not in self._digests:
            self._digests[key] = hashlib.sha256(self.folder.read_bytes(name)).hexdigest()
        return self._digests[key] == entry.get("sha256")

    def downloads(self) -> list[Download]:
        return [d for d in DOWNLOADS["public"] if self.listed(d.name)]


class RestrictedRelease:
    """The restricted outputs (``<output>/restricted``), for logged-in partners only."""

    what = "the restricted outputs"

    def __init__(self, folder: str | Path) -> None:
        self.folder = ConfinedFolder(folder, RESTRICTED_FILES, self.what)

    def path(self, name: str) -> Path:
        return self.folder.path(name)

    def exists(self) -> bool:
        return self.folder.root.is_dir()

    def indicators(self) -> pd.DataFrame:
        """The exact indicator table."""
        return _read_table(self.folder, "indicators.parquet", "indicators.csv")

    def findings(self) -> list[dict[str, Any]]:
        """``findings.json`` as a list of mappings (empty when absent)."""
        if not self.folder.exists("findings.json"):
            return []
        data = _read_json(self.folder, "findings.json")
        if not isinstance(data, list):
            raise InputDataError(f"{self.folder.path('findings.json')}: expected a JSON list of findings")
        return [d for d in data if isinstance(d, dict)]

    def ledger(self) -> pd.DataFrame | None:
        return self._csv("ledger.csv")

    def rejects(self) -> pd.DataFrame | None:
        return self._csv("rejects.csv")

    def _csv(self, name: str) -> pd.DataFrame | None:
        import pandas as pd

        if not self.folder.exists(name):
            return None
        return pd.read_csv(self.folder.path(name), dtype=str, keep_default_na=False)

    def stamp(self) -> tuple[Any, ...]:
        return tuple(self.folder.stamp(n) for n in ("indicators.parquet", "indicators.csv", "findings.json"))

    def downloads(self, tier: str) -> list[Download]:
        return [d for d in DOWNLOADS[tier] if self.folder.exists(d.name)]


@dataclass(frozen=True)
class Assessment:
    """One folder of ``history/``: its id (a UTC timestamp), when it was made and its files."""

    id: str
    folder: ConfinedFolder

    @property
    def label(self) -> str:
        """``20220115T093000Z`` -> ``15 Jan 2022 09:30 UTC``."""
        import datetime as dt

        when = dt.datetime.strptime(self.id, "%Y%m%dT%H%M%SZ")
        return when.strftime("%d %b %Y %H:%M UTC")

    def public_indicators(self) -> pd.DataFrame:
        return _read_table(self.folder, "indicators-public.parquet", "")

    def indicators(self) -> pd.DataFrame:
        return _read_table(self.folder, "indicators.parquet", "")

    def manifest(self) -> dict[str, Any]:
        if not self.folder.exists("release.json"):
            return {}
        data = _read_json(self.folder, "release.json")
        return data if isinstance(data, dict) else {}

    def public_digest(self) -> str | None:
        """SHA-256 of the public indicator table, to recognise the current release among the past ones."""
        if not self.folder.exists("indicators-public.parquet"):
            return None
        return hashlib.sha256(self.folder.read_bytes("indicators-public.parquet")).hexdigest()


#: What the public tier may open in ``history/<id>/``.
PUBLIC_HISTORY_FILES: tuple[str, ...] = ("indicators-public.parquet", "release.json")


class History:
    """``<output>/history``: one :class:`Assessment` per report run, oldest first.

    With ``public_only`` (the public tier's reader) an assessment can open only its public
    indicator table and manifest, never its exact table.
    """

    def __init__(self, folder: str | Path, *, public_only: bool = False) -> None:
        self.root = Path(folder).resolve()
        self.files = PUBLIC_HISTORY_FILES if public_only else HISTORY_FILES

    def assessments(self) -> list[Assessment]:
        if not self.root.is_dir():
            return []
        out = []
        for entry in sorted(os.scandir(self.root), key=lambda e: e.name):
            if not _HISTORY_ID.match(entry.name) or entry.is_symlink() or not entry.is_dir(follow_symlinks=False):
                continue
            out.append(Assessment(entry.name, ConfinedFolder(Path(entry.path), self.files, f"assessment {entry.name}")))
        return out

    def stamp(self) -> tuple[str, ...]:
        return tuple(a.id for a in self.assessments())


class ReleaseLayout:
    """Where the three readers live under an output folder.

    The web app builds the readers once at start-up from here and hands each tier only its
    own reader; nothing else in :mod:`svsna.web` joins paths under the output folder.
    """

    def __init__(self, output_dir: str | Path) -> None:
        self.output_dir = Path(output_dir)

    def public(self) -> PublicRelease:
        return PublicRelease(self.output_dir / PUBLIC_DIR)

    def restricted(self) -> RestrictedRelease:
        return RestrictedRelease(self.output_dir / RESTRICTED_DIR)

    def history(self, *, public_only: bool = False) -> History:
        return History(self.output_dir / HISTORY_DIR, public_only=public_only)

    def check(self) -> None:
        """Raise :class:`MissingInputError` when there is no public release to serve."""
        pub = self.output_dir / PUBLIC_DIR
        if not pub.is_dir():
            raise MissingInputError(
                f"{pub}: no public release to serve (hint: run `svsna report --area area.yaml`, "
                "which writes public/, restricted/ and history/)"
            )
        self.public().indicators()  # readable, or a clear error now rather than on the first request
