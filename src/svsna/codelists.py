"""Domain code lists shipped as versioned data files.

Every list lives in ``svsna/definitions/codelists/<name>.csv`` with a ``source``
column saying where its values come from. Users may point ``SVSNA_CODELISTS`` at a
folder of their own lists; a file there overrides the shipped one of the same name.

Examples
--------
>>> from svsna.codelists import load_codelist
>>> codes = load_codelist("ho_offence_codes")
>>> codes.loc[codes["code"] == "8N", "crime_group"].item()
'Violence with injury'
"""

from __future__ import annotations

import csv
import os
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["codelist_path", "list_codelists", "load_codelist"]

_PACKAGE_DIR = "definitions/codelists"


def _shipped_dir() -> Path:
    return Path(str(resources.files("svsna"))) / _PACKAGE_DIR


def codelist_path(name: str) -> Path:
    """Return the file that holds code list ``name`` (a user override first)."""
    override = os.environ.get("SVSNA_CODELISTS")
    if override:
        candidate = Path(override) / f"{name}.csv"
        if candidate.exists():
            return candidate
    path = _shipped_dir() / f"{name}.csv"
    if not path.exists():
        known = ", ".join(list_codelists())
        raise KeyError(f"unknown code list {name!r}; known code lists: {known}")
    return path


def list_codelists() -> list[str]:
    """Names of the shipped code lists."""
    return sorted(p.stem for p in _shipped_dir().glob("*.csv"))


@lru_cache(maxsize=64)
def _read(path: str) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def load_codelist(name: str) -> pd.DataFrame:
    """Load code list ``name`` as a DataFrame of strings (one row per code)."""
    import pandas as pd

    rows = _read(str(codelist_path(name)))
    return pd.DataFrame(rows, dtype="object")


def code_values(name: str) -> frozenset[str]:
    """The set of valid values in the ``code`` column of code list ``name``."""
    return frozenset(row["code"] for row in _read(str(codelist_path(name))))
