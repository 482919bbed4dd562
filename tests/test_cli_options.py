"""Every command that reads an area file takes it the same way: ``--area`` or ``-a`` (issue 13:
``report`` did not take ``-a`` like ``ingest`` and ``assess``)."""

from __future__ import annotations

import typer.main

from svsna.cli import app


def test_every_area_option_is_area_or_a():
    group = typer.main.get_command(app)
    seen = {}
    for name, command in group.commands.items():
        for sub_name, sub in getattr(command, "commands", {name: command}).items():
            for param in sub.params:
                if param.name == "area":
                    seen[f"{name} {sub_name}" if sub is not command else name] = sorted(param.opts)
    assert {"ingest", "assess", "report", "check", "serve"} <= set(seen)
    assert all(opts == ["--area", "-a"] for opts in seen.values()), seen
