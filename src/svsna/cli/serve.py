"""``svsna serve``: the web SNA, a public tier and a partner tier, from an assessment already reported.

Reads the area's output folder (``public/``, ``restricted/``, ``history/`` written by
``svsna report``) without writing to it; keeps its users file and audit log in ``web/``
beside area.yaml unless told otherwise.

Examples
--------
>>> import typer
>>> app = typer.Typer()
>>> register(app)
>>> [c.name for c in app.registered_commands]
['serve']
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from svsna.cli.options import AreaOption

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add the ``serve`` command to the CLI."""

    @app.command("serve")
    def serve(
        area: AreaOption,
        host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
        port: Annotated[int, typer.Option("--port", min=1, max=65535, metavar="N", help="Port to listen on.")] = 8000,
        users: Annotated[
            Path | None, typer.Option("--users", help="Users file (default: web/users.json beside area.yaml).")
        ] = None,
        audit_log: Annotated[
            Path | None, typer.Option("--audit-log", help="Audit log (default: web/audit.log beside area.yaml).")
        ] = None,
        proxy: Annotated[
            list[str] | None,
            typer.Option(
                "--proxy",
                metavar="ADDRESS",
                help="Address of a reverse proxy whose forwarded headers (client address, HTTPS) are trusted "
                "(repeatable). Cookies are Secure when it says the request came over HTTPS.",
            ),
        ] = None,
        certfile: Annotated[
            Path | None, typer.Option("--ssl-certfile", help="Serve HTTPS with this certificate.")
        ] = None,
        keyfile: Annotated[Path | None, typer.Option("--ssl-keyfile", help="The certificate's private key.")] = None,
        idle_minutes: Annotated[
            float,
            typer.Option(
                "--session-idle-minutes", min=1, metavar="MINUTES", help="A session ends after this long unused."
            ),
        ] = 30,
        absolute_hours: Annotated[
            float,
            typer.Option("--session-hours", min=0.1, metavar="HOURS", help="A session ends this long after login."),
        ] = 8,
    ) -> None:
        """Serve the web SNA: public pages for anyone, exact figures for partners who log in.

        Exit codes: 0 stopped (Ctrl+C); 2 the port is in use or needs privileges, or --host is not
        an address of this machine; 3 area.yaml or the TLS options are wrong; 4/5 the release is damaged or missing.
        """
        from rich.console import Console
        from rich.markup import escape

        from svsna.config import load_area_config
        from svsna.errors import ConfigError
        from svsna.web.server import build, listen, web_paths
        from svsna.web.server import serve as run

        if (certfile is None) != (keyfile is None):
            raise ConfigError("--ssl-certfile and --ssl-keyfile go together", hint="give both, or neither")
        sock = listen(host, port)  # a port in use is one line (exit 2), before the address is printed
        config = load_area_config(area)
        app = build(
            config,
            users=users,
            audit=audit_log,
            idle_minutes=idle_minutes,
            absolute_hours=absolute_hours,
            hsts=certfile is not None,
        )
        paths = web_paths(config, users, audit_log)
        console = Console(stderr=True)
        n = len(app.state.cfg.users)
        scheme = "https" if certfile else "http"
        console.print(
            f"svsna web SNA for {escape(config.name)}: {scheme}://{host}:{port}/", highlight=False, soft_wrap=True
        )
        console.print(
            f"users file {escape(str(paths.users))} ({n} user{'s' if n != 1 else ''}); "
            f"audit log {escape(str(paths.audit))}",
            highlight=False,
            soft_wrap=True,
        )
        if n == 0:
            console.print(
                f"[yellow]no users yet: only the public pages work. Add one with "
                f"`svsna users add --area {escape(str(area))} NAME --role admin`[/]",
                highlight=False,
                soft_wrap=True,
            )
        if host not in ("127.0.0.1", "localhost", "::1") and certfile is None and not proxy:
            console.print(
                "[yellow]listening beyond this machine without TLS: passwords and session cookies would cross "
                "the network in clear; use --ssl-certfile/--ssl-keyfile or a TLS proxy (--proxy)[/]"
            )
        run(app, host=host, port=port, proxy=list(proxy or []), certfile=certfile, keyfile=keyfile, sock=sock)
