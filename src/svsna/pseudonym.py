"""Keyed pseudonyms for person identifiers (HMAC-SHA256).

Person identifiers in partner extracts (``person_id``) are replaced at ingest by a
``person_key``: the first :data:`KEY_LENGTH` hex characters of HMAC-SHA256(key, id).
The same identifier and key always give the same pseudonym, so people can be linked
across sources and years; without the key the pseudonym cannot be reversed or
recomputed from a guessed identifier. The key comes from an environment variable
(default ``SVSNA_PSEUDONYM_KEY``) or a key file named in ``area.yaml``
(``pseudonymisation.key_file``); it is never written next to the data.

Demo mode uses :data:`DEMO_KEY`, a fixed key that is public and clearly labelled: it
is for synthetic data only, and ingest accepts it only for files that ``svsna synth``
made (checked against the hashes in ``synth-manifest.json``). A key is refused when it is
the demo key given another way, shorter than 128 bits, of low entropy, or read from an
ordinary environment variable (``key_env: PATH``). Record references (``offence_ref``, ...)
are pseudonymised with the same keyed HMAC. :func:`key_fingerprint` (an HMAC of a fixed
label, never the key) is stored with each ingest run so a change of key is detected.

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
import json
import math
import os
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from svsna.errors import ConfigError

if TYPE_CHECKING:
    import polars as pl

    from svsna.config import AreaConfig

__all__ = [
    "DEMO_KEY",
    "KEY_LENGTH",
    "MASK",
    "ORDINARY_ENV",
    "REF_MASK",
    "Pseudonymiser",
    "check_demo_data",
    "check_key",
    "key_beside_extracts",
    "key_fingerprint",
    "load_key",
    "looks_like_identifier",
    "pseudonymiser_for",
]

KEY_LENGTH = 20
"""Hex characters kept from the HMAC (80 bits: collisions negligible below ~10^11 people)."""

DEMO_KEY = b"svsna-DEMO-key-NOT-SECRET-synthetic-data-only"
"""The public key used in demo mode. Never use it for real data."""

MASK = "[person identifier withheld]"
"""What is shown instead of a raw person identifier in rejects and messages."""
REF_MASK = "[record reference withheld]"
"""What is shown instead of a record reference (offence_ref, ...) in rejects and messages."""

FINGERPRINT_LABEL = b"svsna key fingerprint v1"
"""The fixed text whose HMAC is the key's fingerprint."""

ORDINARY_ENV: frozenset[str] = frozenset(
    {
        "PATH", "HOME", "USER", "USERNAME", "LOGNAME", "SHELL", "PWD", "OLDPWD", "LANG", "LANGUAGE", "TERM",
        "TMPDIR", "TEMP", "TMP", "HOSTNAME", "HOSTTYPE", "DISPLAY", "EDITOR", "PAGER", "MAIL", "SHLVL",
        "PYTHONPATH", "VIRTUAL_ENV", "LD_LIBRARY_PATH", "USERPROFILE", "APPDATA", "COMPUTERNAME",
        "SYSTEMROOT", "WINDIR", "PROGRAMFILES", "PS1", "XDG_RUNTIME_DIR", "XDG_CONFIG_HOME", "SSH_AUTH_SOCK",
        "LC_ALL", "LC_CTYPE", "TZ", "COLUMNS", "LINES", "_",
    }
)  # fmt: skip
"""Environment variables that hold ordinary, non-secret settings: never a key."""

_MIN_KEY_BYTES = 16  # 128 bits
_MIN_ENTROPY_BITS = 64.0
_ID_SHAPES = re.compile(r"^(?:[A-Z]{1,4}[-/ ]?\d{5,}|\d{9,}|\d{3} \d{3} \d{4})$", re.IGNORECASE)
_GSS_CODE = re.compile(r"^[EWSNKLMJ]\d{8}$")  # ONS area codes (LSOA, district, ...) are not people


def looks_like_identifier(value: object, known: Iterable[str] = ()) -> bool:
    """Whether ``value`` is, or is shaped like, a person identifier (so it must be masked).

    ``known`` holds identifiers seen in the same file (a misaligned export may put one in
    any column). Shapes: letters then 5+ digits (``P00000099``), 9+ digits, an NHS number
    (``943 476 5919``); ONS area codes (``E01000001``) are not identifiers.

    >>> looks_like_identifier("P00000099"), looks_like_identifier("17"), looks_like_identifier("E01000001")
    (True, False, False)
    >>> looks_like_identifier("Bob7", known={"Bob7"}), looks_like_identifier("2021-02-30 10:00")
    (True, False)
    """
    if value is None:
        return False
    text = str(value).strip()
    if not text:
        return False
    if text in known if isinstance(known, (set, frozenset, dict)) else text in set(known):
        return True
    return bool(_ID_SHAPES.match(text)) and not _GSS_CODE.match(text)


def key_fingerprint(key: bytes) -> str:
    """A fingerprint of ``key`` that cannot give the key back: HMAC(key, fixed label), 16 hex characters.

    >>> key_fingerprint(DEMO_KEY) == key_fingerprint(DEMO_KEY), len(key_fingerprint(DEMO_KEY))
    (True, 16)
    """
    return hmac.new(key, FINGERPRINT_LABEL, hashlib.sha256).hexdigest()[:16]


def _entropy_bits(key: bytes) -> float:
    """An estimate of the key's entropy: its length times the Shannon entropy of its bytes."""
    counts = Counter(key)
    n = len(key)
    per_byte = -sum(c / n * math.log2(c / n) for c in counts.values())
    return per_byte * n


def check_key(key: bytes, label: str, *, allow_demo: bool = False) -> None:
    """Refuse a key that is the public demo key, shorter than 128 bits or of low entropy.

    Raises
    ------
    ConfigError
        Naming where the key came from (never the key) and how to make a good one.

    >>> try:
    ...     check_key(b"aaaaaaaaaaaaaaaaaaaa", "test")
    ... except ConfigError as exc:
    ...     print(str(exc).split(";")[0])
    the pseudonymisation key from test has low entropy (about 0 bits, at least 64 needed)
    """
    make = (
        "make a random key with `python -c 'import secrets; print(secrets.token_hex(32))'` and keep it away from "
        "the data"
    )
    if not allow_demo and hmac.compare_digest(key, DEMO_KEY):
        raise ConfigError(
            f"the pseudonymisation key from {label} is the public DEMO key, which anyone can use to reverse the "
            "pseudonyms",
            hint=make,
        )
    if len(key) < _MIN_KEY_BYTES:
        raise ConfigError(
            f"the pseudonymisation key from {label} is too short ({len(key)} bytes, {len(key) * 8} bits; at least "
            f"{_MIN_KEY_BYTES} bytes = 128 bits needed)",
            hint=make,
        )
    bits = _entropy_bits(key)
    if bits < _MIN_ENTROPY_BITS or len(set(key)) < 6:
        raise ConfigError(
            f"the pseudonymisation key from {label} has low entropy (about {abs(round(bits))} bits, at least "
            f"{_MIN_ENTROPY_BITS:.0f} needed)",
            hint=make,
        )


class Pseudonymiser:
    """Map person identifiers (and record references) to keyed pseudonyms.

    Parameters
    ----------
    key : bytes
        The secret key (at least 16 bytes).
    label : str
        Where the key came from (shown in messages; never the key itself).

    Many values are hashed with :meth:`series` / :meth:`many`: each *distinct* value once,
    from the key's precomputed inner and outer SHA-256 states (RFC 2104), which gives
    exactly what Python's :mod:`hmac` gives (tested against it) at a fraction of the cost.
    """

    def __init__(self, key: bytes, label: str = "key") -> None:
        if len(key) < _MIN_KEY_BYTES:
            check_key(key, label, allow_demo=True)
        self._key = key
        self.label = label
        block = hashlib.sha256(key).digest() if len(key) > 64 else key
        block = block.ljust(64, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))

    def __repr__(self) -> str:  # never show the key
        return f"Pseudonymiser(label={self.label!r})"

    @property
    def is_demo(self) -> bool:
        return hmac.compare_digest(self._key, DEMO_KEY)

    @property
    def fingerprint(self) -> str:
        """:func:`key_fingerprint` of the key."""
        return key_fingerprint(self._key)

    def __call__(self, identifier: str) -> str:
        """The pseudonym of one identifier (surrounding spaces ignored)."""
        digest = hmac.new(self._key, str(identifier).strip().encode("utf-8"), hashlib.sha256).hexdigest()
        return digest[:KEY_LENGTH]

    def _hex(self, values: list[str]) -> list[str]:
        """Full HMAC-SHA256 hex digests of ``values`` (already trimmed)."""
        inner, outer = self._inner, self._outer
        out = []
        for v in values:
            h = inner.copy()
            h.update(v.encode("utf-8"))
            o = outer.copy()
            o.update(h.digest())
            out.append(o.hexdigest())
        return out

    def many(self, identifiers: Iterable[str | None]) -> list[str | None]:
        """Pseudonyms of many identifiers; blanks and None stay None."""
        values = [None if i is None or not str(i).strip() else str(i).strip() for i in identifiers]
        distinct = sorted({v for v in values if v is not None})
        table = dict(zip(distinct, (d[:KEY_LENGTH] for d in self._hex(distinct)), strict=True))
        return [None if v is None else table[v] for v in values]

    def series(self, identifiers: pl.Series) -> pl.Series:
        """Pseudonyms of a polars Series of text, hashing each distinct value once; blanks stay null.

        Values are trimmed as :meth:`__call__` trims them (Python's ``str.strip``: the characters of
        :data:`WHITESPACE`), in polars; only the distinct trimmed values pass through Python.
        """
        import polars as pl

        text = identifiers.cast(pl.String).str.strip_chars(WHITESPACE)
        distinct = text.filter(text.is_not_null() & (text != "")).unique()
        if distinct.len() == 0:
            return pl.Series(identifiers.name, [None] * identifiers.len(), dtype=pl.String)
        digests = pl.Series([h[:KEY_LENGTH] for h in self._hex(distinct.to_list())], dtype=pl.String)
        return text.replace_strict(distinct, digests, default=None, return_dtype=pl.String)


WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
"""The characters Python's ``str.strip`` removes (every ``c`` with ``c.isspace()``), for polars' ``strip_chars``."""


def _env_name_ok(name: str) -> None:
    if name.upper() in ORDINARY_ENV or name.upper().startswith(("LC_", "XDG_")):
        raise ConfigError(
            f"area.yaml pseudonymisation.key_env names {name!r}, an ordinary environment variable that is not secret",
            hint="name a variable that holds only the key, e.g. SVSNA_PSEUDONYM_KEY",
        )


def _key_file(config: AreaConfig) -> Path | None:
    settings = config.pseudonymisation
    if settings.key_file is None:
        return None
    path = settings.key_file if settings.key_file.is_absolute() else config.base_dir / settings.key_file
    return path.resolve()


def load_key(config: AreaConfig, *, demo: bool = False) -> tuple[bytes, str]:
    """Find the pseudonymisation key for ``config``; returns ``(key, label)``.

    The environment variable named by ``pseudonymisation.key_env`` wins, then the key
    file ``pseudonymisation.key_file``; in demo mode :data:`DEMO_KEY` is used when
    neither is set (ingest then checks the data were made by ``svsna synth``).

    Raises
    ------
    ConfigError
        If there is no key (outside demo mode), the key file is missing or empty, the key
        file sits inside the workspace or output folder, ``key_env`` names an ordinary
        variable, or the key is the demo key, too short or of low entropy.
    """
    settings = config.pseudonymisation
    _env_name_ok(settings.key_env)
    env_value = os.environ.get(settings.key_env)
    if env_value:
        key, label = env_value.encode("utf-8"), f"environment variable {settings.key_env}"
        check_key(key, label)
        return key, label
    path = _key_file(config)
    if path is not None:
        for folder in (config.workspace_dir, config.output_dir):
            if path.is_relative_to(Path(folder).resolve()):
                raise ConfigError(
                    f"pseudonymisation key file {path} is inside {folder}; a key must never be stored with the "
                    "data it protects (hint: keep it outside the workspace and output folders)"
                )
        if not path.exists():
            raise ConfigError(f"pseudonymisation key file {path} not found (area.yaml pseudonymisation.key_file)")
        if path.is_dir():
            raise ConfigError(f"pseudonymisation key file {path} is a folder (area.yaml pseudonymisation.key_file)")
        key = path.read_bytes().strip()
        if not key:
            raise ConfigError(f"pseudonymisation key file {path} is empty")
        label = f"key file {path.name}"
        check_key(key, label)
        return key, label
    if demo:
        return DEMO_KEY, "the public DEMO key (synthetic data only)"
    raise ConfigError(
        f"no pseudonymisation key: set the environment variable {settings.key_env} or "
        "pseudonymisation.key_file in area.yaml (person identifiers are replaced by keyed pseudonyms at "
        "ingest); hint: create one with `python -c 'import secrets; print(secrets.token_hex(32))'` and keep "
        "it away from the data"
    )


def key_beside_extracts(config: AreaConfig) -> str | None:
    """A warning if the key file sits in a folder that holds a raw extract (None if not)."""
    path = _key_file(config)
    if path is None or os.environ.get(config.pseudonymisation.key_env):
        return None
    folders = {p.resolve().parent for s in config.inputs if (p := config.input_path(s)) is not None}
    if path.parent in folders:
        return (
            f"the pseudonymisation key file {path.name} sits in the same folder as raw extracts ({path.parent}); "
            "anyone sent that folder can reverse the pseudonyms (hint: keep the key elsewhere)"
        )
    return None


def check_demo_data(config: AreaConfig, hashes: Mapping[str, str]) -> None:
    """Refuse the demo key unless every input is a file ``svsna synth`` made (by its SHA-256).

    ``hashes`` maps source -> SHA-256 of the input file. The manifest is
    ``synth-manifest.json`` beside ``area.yaml``.

    Raises
    ------
    ConfigError
        If there is no manifest, or an input is not the synthetic file the manifest lists.
    """
    manifest_path = config.base_dir / "synth-manifest.json"
    hint = (
        "--demo is for data made by `svsna synth` only; for real data set a secret key in "
        f"{config.pseudonymisation.key_env} or pseudonymisation.key_file"
    )
    if not manifest_path.is_file():
        raise ConfigError(f"--demo: no synth-manifest.json beside {config.base_dir / 'area.yaml'}", hint=hint)
    try:
        files = json.loads(manifest_path.read_text(encoding="utf-8")).get("files", {})
    except (ValueError, OSError, AttributeError):
        raise ConfigError(f"--demo: {manifest_path} is not a readable synth manifest", hint=hint) from None
    for source, digest in hashes.items():
        entry = files.get(source) or {}
        if not isinstance(entry, dict) or entry.get("sha256") != digest:
            raise ConfigError(
                f"--demo: input {source} ({config.input_path(source)}) is not a file made by `svsna synth` "
                "(its SHA-256 is not in synth-manifest.json)",
                hint=hint,
            )


def pseudonymiser_for(config: AreaConfig, *, demo: bool = False) -> Pseudonymiser:
    """A :class:`Pseudonymiser` keyed as :func:`load_key` finds."""
    key, label = load_key(config, demo=demo)
    return Pseudonymiser(key, label)
