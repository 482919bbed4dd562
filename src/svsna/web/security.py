"""Sessions, CSRF tokens, login throttling and the security headers of the web SNA.

Sessions
    Kept on the server (in memory); the browser holds only a random session id, signed with
    a key made at start-up (``itsdangerous``), in a cookie that is ``HttpOnly``,
    ``SameSite=Strict``, ``Path=/`` and ``Secure`` whenever the request came over HTTPS (TLS
    served by uvicorn, or a proxy listed with ``--proxy`` that says so). A session ends after
    ``idle`` seconds without a request or ``absolute`` seconds after login, at logout, and
    when its user is removed or changed; a new id is issued at login (no fixation). A
    restart of the server ends every session.
CSRF
    Every form carries a token: an HMAC of the session id (or, before login, of a random
    pre-session id held in its own signed cookie). A POST without the right token gets 403.
Login throttling
    At most ``per_ip`` failed attempts per address in ``window`` seconds (then 429), and
    ``lock_after`` failures in a row lock the user name for ``lock_for`` seconds.
Headers
    :data:`SECURITY_HEADERS`: a Content-Security-Policy with no inline script
    (``script-src 'self'``), ``frame-ancestors 'none'``, ``Referrer-Policy: no-referrer``,
    ``X-Content-Type-Options: nosniff`` and more; the server sends no ``Server`` header.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = [
    "CSP",
    "SECURITY_HEADERS",
    "LoginThrottle",
    "Session",
    "SessionStore",
]

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)

SECURITY_HEADERS: dict[str, str] = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}

SESSION_COOKIE = "svsna_session"
PRE_COOKIE = "svsna_pre"


@dataclass
class Session:
    """A logged-in session (server side)."""

    id: str
    user: str
    created: float
    last_seen: float
    ip: str = ""
    csrf: str = ""


@dataclass
class SessionStore:
    """Server-side sessions with idle and absolute expiry.

    Parameters
    ----------
    idle, absolute : float
        Seconds without a request, and seconds since login, after which a session ends.
    clock : callable
        Time source (``time.monotonic``); tests may pass their own.
    """

    idle: float = 30 * 60
    absolute: float = 8 * 3600
    clock: Callable[[], float] = time.monotonic
    key: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    max_sessions: int = 10_000
    _sessions: dict[str, Session] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _signer(self):
        from itsdangerous import Signer

        return Signer(self.key, salt="svsna-session")

    def sign(self, sid: str) -> str:
        return self._signer().sign(sid.encode()).decode()

    def unsign(self, value: str | None) -> str | None:
        from itsdangerous import BadSignature

        if not value or len(value) > 200:
            return None
        try:
            return self._signer().unsign(value.encode()).decode()
        except (BadSignature, UnicodeDecodeError):
            return None

    def create(self, user: str, ip: str) -> Session:
        now = self.clock()
        sid = secrets.token_urlsafe(32)
        s = Session(sid, user, now, now, ip, self.csrf_for(sid))
        with self._lock:
            self._prune(now)
            if len(self._sessions) >= self.max_sessions:
                oldest = min(self._sessions.values(), key=lambda x: x.last_seen)
                self._sessions.pop(oldest.id, None)
            self._sessions[sid] = s
        return s

    def get(self, sid: str | None) -> tuple[Session | None, bool]:
        """``(session, expired)``: the live session for ``sid`` (touching it), or None."""
        if not sid:
            return None, False
        now = self.clock()
        with self._lock:
            s = self._sessions.get(sid)
            if s is None:
                return None, False
            if now - s.last_seen > self.idle or now - s.created > self.absolute:
                self._sessions.pop(sid, None)
                return None, True
            s.last_seen = now
            return s, False

    def drop(self, sid: str) -> None:
        with self._lock:
            self._sessions.pop(sid, None)

    def drop_user(self, user: str) -> None:
        with self._lock:
            for sid in [k for k, s in self._sessions.items() if s.user == user]:
                self._sessions.pop(sid, None)

    def _prune(self, now: float) -> None:
        dead = [
            k for k, s in self._sessions.items() if now - s.last_seen > self.idle or now - s.created > self.absolute
        ]
        for k in dead:
            self._sessions.pop(k, None)

    def sessions(self) -> list[Session]:
        with self._lock:
            return list(self._sessions.values())

    # -- CSRF --------------------------------------------------------------------------
    def csrf_for(self, sid: str) -> str:
        """The CSRF token of a session id or pre-session id."""
        return hmac.new(self.key, b"csrf:" + sid.encode(), hashlib.sha256).hexdigest()

    def csrf_ok(self, sid: str | None, token: str | None) -> bool:
        if not sid or not token:
            return False
        return hmac.compare_digest(self.csrf_for(sid), str(token))


@dataclass
class LoginThrottle:
    """Per-user lockout of login attempts, and a much higher per-address limit.

    A user name is locked for ``lock_for`` seconds after ``lock_after`` failures in a row (a
    success or an admin's unlock clears the count). An address is refused for a while only after
    ``per_ip`` failures within ``window`` seconds, whatever the names: many people share one
    address behind an office proxy or NAT, so a few mistyped passwords there must not lock out
    everyone else (the admin included); the address limit only slows a spray of names.
    """

    per_ip: int = 100
    window: float = 300.0
    lock_after: int = 5
    lock_for: float = 900.0
    clock: Callable[[], float] = time.monotonic
    _ips: dict[str, deque[float]] = field(default_factory=dict)
    _fails: dict[str, int] = field(default_factory=dict)
    _locked: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def allow_ip(self, ip: str) -> tuple[bool, int]:
        """Whether ``ip`` may try to log in now: ``(allowed, seconds to wait)``."""
        now = self.clock()
        with self._lock:
            q = self._ips.get(ip)
            if not q:
                return True, 0
            while q and now - q[0] > self.window:
                q.popleft()
            if len(q) >= self.per_ip:
                return False, int(self.window - (now - q[0])) + 1
            return True, 0

    def locked(self, user: str) -> bool:
        now = self.clock()
        with self._lock:
            until = self._locked.get(user)
            if until is None:
                return False
            if now >= until:
                self._locked.pop(user, None)
                self._fails.pop(user, None)
                return False
            return True

    def failed(self, user: str, ip: str = "") -> bool:
        """Record a failed attempt (against the address and the user); True when it locks the user."""
        now = self.clock()
        with self._lock:
            self._ips.setdefault(ip, deque()).append(now)
            if len(self._ips) > 50_000:  # bounded memory under a spray of addresses
                for k in [k for k, v in self._ips.items() if not v or now - v[-1] > self.window]:
                    self._ips.pop(k, None)
            n = self._fails.get(user, 0) + 1
            self._fails[user] = n
            if n >= self.lock_after:
                self._locked[user] = self.clock() + self.lock_for
                return True
            return False

    def succeeded(self, user: str) -> None:
        with self._lock:
            self._fails.pop(user, None)

    def unlock(self, user: str) -> None:
        with self._lock:
            self._fails.pop(user, None)
            self._locked.pop(user, None)

    def locked_users(self) -> list[str]:
        return [u for u in list(self._locked) if self.locked(u)]
