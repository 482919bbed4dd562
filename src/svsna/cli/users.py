"""``svsna users add|remove|list|reset``: who may log in to the web SNA's partner tier.

Passwords are asked for twice without echo (or read from standard input with
``--password-stdin``), checked (12 characters or more), and stored only as argon2id hashes
in the users file (owner-only, 0600).

Examples
--------
>>> import typer
>>> app = typer.Typer()
>>> register(app)
>>> [g.name for g in app.registered_groups]
['users']
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from svsna.cli.options import OptionalAreaOption

__all__ = ["register"]

AreaOpt = OptionalAreaOption
UsersOpt = Annotated[
    Path | None, typer.Option("--users", help="Users file (default: web/users.json beside area.yaml).")
]
StdinOpt = Annotated[bool, typer.Option("--password-stdin", help="Read the password from standard input.")]


def _store(area: Path | None, users: Path | None):
    from svsna.errors import ConfigError
    from svsna.web.users import UserStore

    if users is not None:
        return UserStore(users)
    if area is None:
        raise ConfigError("say which users file", hint="give --area area.yaml (or --users PATH)")
    from svsna.config import load_area_config
    from svsna.web.server import web_paths

    return UserStore(web_paths(load_area_config(area)).users)


def _password(from_stdin: bool) -> str:
    from svsna.errors import ConfigError

    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            raise ConfigError("no password on standard input")
        return line.rstrip("\r\n")
    first = typer.prompt("Password", hide_input=True)
    second = typer.prompt("Repeat the password", hide_input=True)
    if first != second:
        raise ConfigError("the two passwords differ", hint="type the same password twice")
    return first


def _known_districts(area: Path | None) -> set[str] | None:
    """District names of the area's release (None when it cannot be read)."""
    if area is None:
        return None
    try:
        from svsna.config import load_area_config
        from svsna.web.data import Lookup, find_places
        from svsna.web.release import ReleaseLayout

        config = load_area_config(area)
        table = ReleaseLayout(config.output_dir).public().indicators()
        return {p.name for p in find_places(table, Lookup.from_geography(config.input_path("geography")))}
    except Exception:  # no release yet: names cannot be checked
        return None


def register(app: typer.Typer) -> None:
    """Add the ``users`` command group to the CLI."""
    group = typer.Typer(help="Manage the users of the web SNA (svsna serve).", no_args_is_help=True)

    @group.command("add")
    def add(
        name: Annotated[str, typer.Argument(help="User name (lower-case letters, digits, . _ @ -).")],
        role: Annotated[str, typer.Option("--role", help="partner, analyst or admin.")] = "partner",
        district: Annotated[
            list[str] | None,
            typer.Option("--district", help="Limit a partner to this district's exact figures (repeatable)."),
        ] = None,
        area: AreaOpt = None,
        users: UsersOpt = None,
        password_stdin: StdinOpt = False,
    ) -> None:
        """Add a user."""
        from svsna.errors import ConfigError

        store = _store(area, users)
        districts = list(district or [])
        known = _known_districts(area) if districts else None
        if known is not None:
            bad = [d for d in districts if d not in known]
            if bad:
                raise ConfigError(f"unknown district(s) {bad}", hint=f"choose from: {', '.join(sorted(known))}")
        elif districts:
            typer.echo("warning: the release could not be read, so the district names were not checked", err=True)
        store.add(name, _password(password_stdin), role=role, districts=districts)
        scope = f" for {', '.join(districts)}" if districts else ""
        typer.echo(f"added {name} ({role}{scope}) to {store.path}")

    @group.command("remove")
    def remove(
        name: Annotated[str, typer.Argument(help="User name.")], area: AreaOpt = None, users: UsersOpt = None
    ) -> None:
        """Remove a user (their sessions end at their next request)."""
        store = _store(area, users)
        store.remove(name)
        typer.echo(f"removed {name} from {store.path}")

    @group.command("reset")
    def reset(
        name: Annotated[str, typer.Argument(help="User name.")],
        area: AreaOpt = None,
        users: UsersOpt = None,
        password_stdin: StdinOpt = False,
    ) -> None:
        """Set a new password for a user."""
        store = _store(area, users)
        if store.get(name) is None:
            from svsna.errors import ConfigError

            raise ConfigError(f"no user {name!r}", hint="`svsna users list` shows the users")
        store.reset(name, _password(password_stdin))
        typer.echo(f"reset the password of {name}")

    @group.command("list")
    def list_users(area: AreaOpt = None, users: UsersOpt = None) -> None:
        """List the users (names, roles, districts; never passwords or hashes)."""
        store = _store(area, users)
        found = store.list()
        if not found:
            typer.echo(f"no users in {store.path}")
            return
        for u in found:
            typer.echo(
                f"{u.name}\t{u.role}\t{', '.join(u.districts) or 'all districts'}\tpassword set {u.password_changed}"
            )

    app.add_typer(group, name="users")
