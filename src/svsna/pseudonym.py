"""Keyed pseudonyms for person identifiers (HMAC-SHA256).

Person identifiers in partner extracts (``person_id``) are replaced at ingest by a
``person_key``: the first :data:`KEY_LENGTH` hex characters of HMAC-SHA256(key, id).
The same identifier and key always give the same pseudonym, so people can be linked
across sources and years; without the key the pseudonym cannot be reversed or
recomputed from a guessed identifier. The key comes from an environment variable
(default ``SVSNA_PSEUDONYM_KEY``) or a key file named in ``area.yaml``
(``pseudonymisation.key_file``); it is never written next to the data.

Demo mode uses :data:`DEMO_KEY`, a fixed key that is public and clearly labelled: it
is for synthetic data only.

Examples
--------
>>> p = Pseudonymiser(b"correct horse battery staple")
>>> p("P0012345") == p(" P0012345 ")
True
>>> len(p("P0012345"))
20
>>> Pseudonymiser(b"another key of 16+ bytes")("P0012345") == p("P0012345")
False
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from svsna.errors import ConfigError

if TYPE_CHECKING:
    from svsna.config import AreaConfig

__all__ = ["DEMO_KEY", "KEY_LENGTH", "MASK", "Pseudonymiser", "load_key", "pseudonymiser_for"]

KEY_LENGTH = 20
"""Hex characters kept from the HMAC (80 bits: collisions negligible below ~10^11 people)."""

DEMO_KEY = b"svsna-DEMO-key-NOT-SECRET-synthetic-data-only"
"""The public key used in demo mode. Never use it for real data."""

MASK = "[person identifier withheld]"
"""What is shown instead of a raw person identifier in rejects and messages."""

_MIN_KEY_BYTES = 16


class Pseudonymiser:
    """Map person identifiers to keyed pseudonyms.

    Parameters
    ----------
    key : bytes
        The secret key (at least 16 bytes).
    label : str
        Where the key came from (shown in messages; never the key itself).
    """

    def __init__(self, key: bytes, label: str = "key") -> None:
        if len(key) < _MIN_KEY_BYTES:
            raise ConfigError(
                f"the pseudonymisation key from {label} is too short ({len(key)} bytes); "
                f"hint: use at least {_MIN_KEY_BYTES} random bytes, e.g. `python -c 'import secrets; "
                "print(secrets.token_hex(32))'`"
            )
        self._key = key
        self.label = label

    def __repr__(self) -> str:  # never show the key
        return f"Pseudonymiser(label={self.label!r})"

    @property
    def is_demo(self) -> bool:
        return hmac.compare_digest(self._key, DEMO_KEY)

    def __call__(self, identifier: str) -> str:
        """The pseudonym of one identifier (surrounding spaces ignored)."""
        digest = hmac.new(self._key, str(identifier).strip().encode("utf-8"), hashlib.sha256).hexdigest()
        return digest[:KEY_LENGTH]

    def many(self, identifiers: Iterable[str | None]) -> list[str | None]:
        """Pseudonyms of many identifiers; blanks and None stay None."""
        out: list[str | None] = []
        cache: dict[str, str] = {}
        for ident in identifiers:
            if ident is None or not str(ident).strip():
                out.append(None)
                continue
            value = cache.get(ident)
            if value is None:
                value = cache[ident] = self(ident)
            out.append(value)
        return out


def load_key(config: AreaConfig, *, demo: bool = False) -> tuple[bytes, str]:
    """Find the pseudonymisation key for ``config``; returns ``(key, label)``.

    The environment variable named by ``pseudonymisation.key_env`` wins, then the key
    file ``pseudonymisation.key_file``; in demo mode :data:`DEMO_KEY` is used when
    neither is set.

    Raises
    ------
    ConfigError
        If there is no key (outside demo mode), the key file is missing or empty, or the
        key file sits inside the workspace or output folder (a key must not be stored
        with the data).
    """
    settings = config.pseudonymisation
    env_value = os.environ.get(settings.key_env)
    if env_value:
        return env_value.encode("utf-8"), f"environment variable {settings.key_env}"
    if settings.key_file is not None:
        path = settings.key_file if settings.key_file.is_absolute() else config.base_dir / settings.key_file
        path = path.resolve()
        for folder in (config.workspace_dir, config.output_dir):
            if path.is_relative_to(Path(folder).resolve()):
                raise ConfigError(
                    f"pseudonymisation key file {path} is inside {folder}; a key must never be stored with the "
                    "data it protects (hint: keep it outside the workspace and output folders)"
                )
        if not path.exists():
            raise ConfigError(f"pseudonymisation key file {path} not found (area.yaml pseudonymisation.key_file)")
        key = path.read_bytes().strip()
        if not key:
            raise ConfigError(f"pseudonymisation key file {path} is empty")
        return key, f"key file {path.name}"
    if demo:
        return DEMO_KEY, "the public DEMO key (synthetic data only)"
    raise ConfigError(
        f"no pseudonymisation key: set the environment variable {settings.key_env} or "
        "pseudonymisation.key_file in area.yaml (person identifiers are replaced by keyed pseudonyms at "
        "ingest); hint: create one with `python -c 'import secrets; print(secrets.token_hex(32))'` and keep "
        "it away from the data"
    )


def pseudonymiser_for(config: AreaConfig, *, demo: bool = False) -> Pseudonymiser:
    """A :class:`Pseudonymiser` keyed as :func:`load_key` finds."""
    key, label = load_key(config, demo=demo)
    return Pseudonymiser(key, label)
