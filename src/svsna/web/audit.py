"""The audit log: who viewed or downloaded which restricted page or file, when, from where.

One JSON object per line, appended (the file is opened ``O_APPEND`` and never rewritten or
truncated by svsna; created owner-only, 0600). Each line carries the SHA-256 of the line
before it (``prev``), so a line removed or edited afterwards breaks the chain and
:func:`verify_chain` says where.

Fields: ``time`` (UTC, ISO 8601), ``event`` (``view``, ``download``, ``denied``, ``login``,
``login_failed``, ``locked``, ``logout``, ``expired``, ``user_added``, ``user_removed``,
``password_reset``, ``unlocked``), ``user``, ``role``, ``ip``, ``method``, ``path``,
``status``, and ``detail`` where there is one (e.g. the file downloaded).

Examples
--------
>>> import tempfile, pathlib
>>> log = AuditLog(pathlib.Path(tempfile.mkdtemp()) / "audit.log")
>>> log.record("view", user="ana", role="partner", ip="127.0.0.1", path="/partner/places/charnwood", status=200)
>>> log.record("download", user="ana", ip="127.0.0.1", path="/partner/files/full-pdf", detail="sna-full.pdf")
>>> [e["event"] for e in log.tail(10)], verify_chain(log.path)
(['view', 'download'], (2, None))
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import threading
from collections import deque
from pathlib import Path
from typing import Any

from svsna.files import private_dir

__all__ = ["AuditLog", "verify_chain"]

_GENESIS = "0" * 64


def _digest(line: str) -> str:
    return hashlib.sha256(line.encode("utf-8")).hexdigest()


def _last_line(path: Path) -> str | None:
    """The last non-empty line of a file, read from its end."""
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            block = min(size, 65536)
            fh.seek(size - block)
            lines = [ln for ln in fh.read(block).split(b"\n") if ln.strip()]
    except FileNotFoundError:
        return None
    return lines[-1].decode("utf-8", "replace") if lines else None


class AuditLog:
    """Append-only JSON-lines log with a hash chain; safe to call from several threads."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._prev: str | None = None

    def record(self, event: str, **fields: Any) -> None:
        entry: dict[str, Any] = {"time": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"), "event": event}
        entry.update({k: v for k, v in fields.items() if v is not None and v != ""})
        with self._lock:
            if self._prev is None:
                last = _last_line(self.path)
                self._prev = _digest(last) if last is not None else _GENESIS
            entry["prev"] = self._prev
            line = json.dumps(entry, ensure_ascii=False, sort_keys=True, default=str)
            private_dir(self.path.parent)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, (line + "\n").encode("utf-8"))
                os.fsync(fd)
            finally:
                os.close(fd)
            self._prev = _digest(line)

    def tail(self, n: int = 200) -> list[dict[str, Any]]:
        """The last ``n`` entries, oldest first."""
        if not self.path.exists():
            return []
        out: deque[dict[str, Any]] = deque(maxlen=n)
        with open(self.path, encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if line.strip():
                    try:
                        out.append(json.loads(line))
                    except json.JSONDecodeError:
                        out.append({"event": "unreadable line"})
        return list(out)


def verify_chain(path: str | Path) -> tuple[int, int | None]:
    """``(lines, first_broken_line)``: the 1-based number of the first line whose ``prev`` is wrong, or None.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.log"
    >>> log = AuditLog(p)
    >>> for i in range(3):
    ...     log.record("view", user=f"u{i}")
    >>> lines = p.read_text().splitlines()
    >>> _ = p.write_text(lines[0] + "\\n" + lines[2] + "\\n")  # someone deleted line 2
    >>> verify_chain(p)
    (2, 2)
    """
    prev = _GENESIS
    n = 0
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if not line.strip():
                continue
            n += 1
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                return n, n
            if entry.get("prev") != prev:
                return n, n
            prev = _digest(line)
    return n, None
