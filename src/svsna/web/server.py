"""Building and starting the web SNA from an area configuration.

:func:`build` reads area.yaml's output folder (through :class:`~svsna.web.release.ReleaseLayout`),
the area's boundaries and LSOA lookup (public geography, for places and maps), the users file
and the audit log, and returns the ASGI app. :func:`serve` runs it with uvicorn: no ``Server``
header, proxy headers trusted only from the addresses given with ``--proxy``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from svsna.config import AreaConfig

__all__ = ["WebPaths", "build", "listen", "serve", "web_paths"]


@dataclass(frozen=True)
class WebPaths:
    """Where the web SNA keeps its own files (never in the output folder it serves)."""

    users: Path
    audit: Path


def web_paths(config: AreaConfig, users: Path | None = None, audit: Path | None = None) -> WebPaths:
    """Defaults: ``web/users.json`` and ``web/audit.log`` beside area.yaml (folder 0700)."""
    base = config.base_dir / "web"
    return WebPaths(users or base / "users.json", audit or base / "audit.log")


def build(
    config: AreaConfig,
    *,
    users: Path | None = None,
    audit: Path | None = None,
    idle_minutes: float = 30,
    absolute_hours: float = 8,
    hsts: bool = False,
    output_dir: Path | None = None,
) -> Any:
    """The ASGI app for ``config``'s release (raises MissingInputError when there is none)."""
    from svsna.web.app import WebConfig, create_app
    from svsna.web.audit import AuditLog
    from svsna.web.data import Lookup
    from svsna.web.geo import load_shapes, lsoa_names
    from svsna.web.release import ReleaseLayout
    from svsna.web.security import LoginThrottle, SessionStore
    from svsna.web.site import Site, SiteInfo
    from svsna.web.users import UserStore

    layout = ReleaseLayout(output_dir or config.output_dir)
    layout.check()
    paths = web_paths(config, users, audit)
    boundaries = config.boundaries_path
    lookup = Lookup.from_geography(config.input_path("geography"), lsoa_names(boundaries))
    lookup.read_indicator_names(config.input_path("indicators"))
    shapes = load_shapes(boundaries, lookup.lsoa)
    info = SiteInfo(
        name=config.name,
        label=config.label,
        definitions=tuple(config.definitions),
        marking=str(getattr(config, "protective_marking", None) or "OFFICIAL-SENSITIVE"),
    )
    site = Site(
        info, layout.public(), layout.restricted(), layout.history(public_only=True), layout.history(), lookup, shapes
    )
    site.public().changes()  # load now: a damaged release fails at start-up, not on the first visitor
    cfg = WebConfig(
        site=site,
        users=UserStore(paths.users),
        audit=AuditLog(paths.audit),
        sessions=SessionStore(idle=idle_minutes * 60, absolute=absolute_hours * 3600),
        throttle=LoginThrottle(),
        hsts=hsts,
    )
    len(cfg.users)  # a users file readable by others, or damaged, stops the start
    return create_app(cfg)


def listen(host: str, port: int) -> Any:
    """A socket bound to ``host:port``, before anything says the site is served there.

    Raises
    ------
    UsageError
        The port is in use, needs privileges, or ``host`` is not an address of this machine
        (exit code 2: choose another ``--port`` or ``--host``).
    """
    import errno
    import socket

    from svsna.errors import UsageError

    try:
        info = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror:
        raise UsageError(f"--host {host!r} is not a known address", hint="give an address such as 127.0.0.1") from None
    family, kind, proto, _, address = info[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise UsageError(f"port {port} is in use on {host}", hint="choose another --port") from None
        if exc.errno == errno.EACCES:
            raise UsageError(
                f"port {port} on {host} needs privileges", hint="choose a --port above 1023, or serve behind a proxy"
            ) from None
        if exc.errno == errno.EADDRNOTAVAIL:
            raise UsageError(
                f"--host {host} is not an address of this machine", hint="use 127.0.0.1, or 0.0.0.0 for all"
            ) from None
        raise
    return sock


def serve(
    app: Any,
    *,
    host: str,
    port: int,
    proxy: list[str],
    certfile: Path | None,
    keyfile: Path | None,
    sock: Any = None,
) -> None:
    """Run ``app`` with uvicorn until interrupted, on ``sock`` (default: :func:`listen` on ``host:port``)."""
    import uvicorn

    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        server_header=False,
        proxy_headers=bool(proxy),
        forwarded_allow_ips=",".join(proxy) if proxy else "",
        ssl_certfile=str(certfile) if certfile else None,
        ssl_keyfile=str(keyfile) if keyfile else None,
        log_level="info",
        access_log=True,
        limit_concurrency=200,
        timeout_keep_alive=5,
    )
    uvicorn.Server(config).run(sockets=[sock if sock is not None else listen(host, port)])
