"""The users file of the web SNA: who may log in, with which role and for which districts.

A JSON file, written owner-only (0600) and atomically through :mod:`svsna.files`, holding
for each user an **argon2id** hash of the password (argon2-cffi's defaults: 64 MiB, 3
passes, 4 lanes), never the password itself, the role and, for a ``partner``, the districts
the user may see exact figures for (none listed = every district).

Roles, each including the one before:

``partner``  restricted pages and files (scoped to ``districts`` when set)
``analyst``  also data quality, the row ledger and the rejects
``admin``    also manages users and reads the audit log

Managed by ``svsna users add|remove|list|reset`` and by admins in the web app.

Examples
--------
>>> import tempfile, pathlib
>>> store = UserStore(pathlib.Path(tempfile.mkdtemp()) / "users.json")
>>> store.add("ana", "correct horse battery", role="partner", districts=["Charnwood"])
>>> store.verify("ana", "correct horse battery").districts, store.verify("ana", "wrong password!")
(('Charnwood',), None)
>>> "correct horse" in store.path.read_text()
False
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from svsna.errors import ConfigError, InputDataError
from svsna.files import atomic_write_text, private_dir

__all__ = ["MIN_PASSWORD", "ROLES", "User", "UserStore", "check_password", "check_username"]

ROLES: tuple[str, ...] = ("partner", "analyst", "admin")
MIN_PASSWORD = 12
_NAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,63}$")


def check_username(name: str) -> str:
    """A user name: 2-64 characters, lower-case letters, digits and ``. _ @ -``.

    >>> check_username("j.smith@llr")
    'j.smith@llr'
    >>> check_username("=cmd")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    svsna.errors.ConfigError: user name '=cmd' is not allowed; hint: use 2-64 lower-case letters, ...
    """
    if not isinstance(name, str) or not _NAME.match(name):
        raise ConfigError(
            f"user name {name!r} is not allowed",
            hint="use 2-64 lower-case letters, digits and . _ @ -, starting with a letter or digit",
        )
    return name


def check_password(password: str, name: str = "") -> str:
    """At least :data:`MIN_PASSWORD` characters, not the user name, not one repeated character."""
    if len(password) < MIN_PASSWORD:
        raise ConfigError(
            f"the password is too short ({len(password)} characters)", hint=f"use at least {MIN_PASSWORD}"
        )
    if name and password.strip().lower() == name.lower():
        raise ConfigError("the password is the user name", hint="choose another password")
    if len(set(password)) < 4:
        raise ConfigError("the password has fewer than 4 different characters", hint="choose another password")
    if len(password) > 1024:
        raise ConfigError("the password is longer than 1024 characters", hint="choose a shorter one")
    return password


@dataclass(frozen=True)
class User:
    """A user as the web app sees it (no hash)."""

    name: str
    role: str
    districts: tuple[str, ...] = ()
    created: str = ""
    password_changed: str = ""

    def at_least(self, role: str) -> bool:
        """Whether this user's role includes ``role`` (``admin`` includes ``analyst`` includes ``partner``)."""
        return ROLES.index(self.role) >= ROLES.index(role)

    @property
    def scoped(self) -> bool:
        """Whether exact figures are limited to named districts (only partners can be scoped)."""
        return self.role == "partner" and bool(self.districts)

    def may_see_place(self, place: str) -> bool:
        """Whether the user may see ``place``'s exact figures."""
        return not self.scoped or place in self.districts


@dataclass
class _Record:
    hash: str
    role: str
    districts: list[str] = field(default_factory=list)
    created: str = ""
    password_changed: str = ""


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _hasher() -> Any:
    from argon2 import PasswordHasher, Type

    return PasswordHasher(type=Type.ID)


class UserStore:
    """The users file. Reads are cached until the file changes on disk.

    Parameters
    ----------
    path : path
        The JSON file; its folder is created owner-only when the first user is added.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._cache: tuple[tuple[int, int] | None, dict[str, _Record]] = (None, {})
        self._dummy: str | None = None

    # -- reading -----------------------------------------------------------------------
    def _stamp(self) -> tuple[int, int] | None:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return None
        return st.st_mtime_ns, st.st_size

    def _records(self) -> dict[str, _Record]:
        stamp = self._stamp()
        if stamp is not None and stamp == self._cache[0]:
            return self._cache[1]
        records: dict[str, _Record] = {}
        if stamp is not None:
            mode = stat.S_IMODE(self.path.stat().st_mode)
            if mode & 0o077:
                raise ConfigError(
                    f"{self.path}: the users file can be read by other users (mode {oct(mode)})",
                    hint=f"run `chmod 600 {self.path}`",
                )
            try:
                raw = json.loads(self.path.read_text(encoding="utf-8"))
                users = raw["users"]
                for name, rec in users.items():
                    if rec.get("role") not in ROLES or not str(rec.get("hash", "")).startswith("$argon2id$"):
                        raise ValueError(f"user {name!r}: bad role or hash")
                    records[name] = _Record(
                        hash=rec["hash"],
                        role=rec["role"],
                        districts=[str(d) for d in rec.get("districts", [])],
                        created=str(rec.get("created", "")),
                        password_changed=str(rec.get("password_changed", "")),
                    )
            except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError) as exc:
                raise InputDataError(
                    f"{self.path}: not a valid users file ({exc})",
                    hint="restore it or recreate it with `svsna users add`",
                ) from None
        self._cache = (stamp, records)
        return records

    def _write(self, records: dict[str, _Record]) -> None:
        private_dir(self.path.parent)
        body = {
            "format": "svsna-users/1",
            "hash": "argon2id",
            "users": {
                name: {
                    "hash": r.hash,
                    "role": r.role,
                    "districts": r.districts,
                    "created": r.created,
                    "password_changed": r.password_changed,
                }
                for name, r in sorted(records.items())
            },
        }
        atomic_write_text(self.path, json.dumps(body, indent=1) + "\n")
        os.chmod(self.path, 0o600)
        self._cache = (None, {})

    def get(self, name: str) -> User | None:
        rec = self._records().get(name)
        if rec is None:
            return None
        return User(name, rec.role, tuple(rec.districts), rec.created, rec.password_changed)

    def list(self) -> list[User]:
        return [u for n in sorted(self._records()) if (u := self.get(n)) is not None]

    def __len__(self) -> int:
        return len(self._records())

    # -- passwords ---------------------------------------------------------------------
    def verify(self, name: str, password: str) -> User | None:
        """The user if ``password`` is theirs, else None (in about the same time either way)."""
        from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

        ph = _hasher()
        rec = self._records().get(name)
        if rec is None:
            if self._dummy is None:
                self._dummy = ph.hash("svsna-timing-equaliser")
            with contextlib.suppress(VerificationError):
                ph.verify(self._dummy, password[:1024])
            return None
        try:
            ph.verify(rec.hash, password[:1024])
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return None
        return self.get(name)

    # -- changes -----------------------------------------------------------------------
    def add(self, name: str, password: str, *, role: str, districts: Iterable[str] = ()) -> None:
        check_username(name)
        if role not in ROLES:
            raise ConfigError(f"unknown role {role!r}", hint=f"choose one of {', '.join(ROLES)}")
        districts = [str(d).strip() for d in districts if str(d).strip()]
        if districts and role != "partner":
            raise ConfigError(f"only partner users can be limited to districts (role {role!r})")
        check_password(password, name)
        records = dict(self._records())
        if name in records:
            raise ConfigError(f"user {name!r} already exists", hint="use `svsna users reset` to change the password")
        now = _now()
        records[name] = _Record(_hasher().hash(password), role, districts, now, now)
        self._write(records)

    def remove(self, name: str) -> None:
        records = dict(self._records())
        if name not in records:
            raise ConfigError(f"no user {name!r}", hint="`svsna users list` shows the users")
        del records[name]
        self._write(records)

    def reset(self, name: str, password: str) -> None:
        records = dict(self._records())
        if name not in records:
            raise ConfigError(f"no user {name!r}", hint="`svsna users list` shows the users")
        check_password(password, name)
        rec = records[name]
        records[name] = _Record(_hasher().hash(password), rec.role, rec.districts, rec.created, _now())
        self._write(records)
