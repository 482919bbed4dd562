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

__all__ = ["WebPaths", "build", "serve", "web_paths"]


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


def serve(app: Any, *, host: str, port: int, proxy: list[str], certfile: Path | None, keyfile: Path | None) -> None:
    """Run ``app`` with uvicorn until interrupted."""
    import uvicorn

    uvicorn.run(
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
