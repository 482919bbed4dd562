"""Crash tests for ingest: kill it with SIGKILL at chosen points and check what it left.

Used by the test suite (``tests/sources/test_faults.py``) and the benchmark
(``bench/ingest_faults.py``); never by a normal run. :func:`ingest` reports named points
as it goes (``journal``, ``batch:offences``, ``table:victims``, ``classify``, ``csvs``,
``commit``, ...); :func:`kill_test` runs ingest in child processes that kill themselves
(``SIGKILL``: no clean-up, no ``finally``) at the *n*-th time a chosen point is reached,
and after each kill checks that

- the warehouse is the old state or the new one, never a mix: every table holds exactly
  the rows its run record says, and the run is the previous one or a new one;
- no stray table (``ibis_duckdb_table_*``, staging) is in the warehouse;
- ``assess``/``report`` would refuse it (exit 7) unless the switch to the new state had
  happened (:func:`svsna.engine.state.check_warehouse`);
- the next ingest succeeds and leaves no scratch files behind.

Examples
--------
>>> hook = kill_at("classify", 1)
>>> callable(hook)
True
"""

from __future__ import annotations

import os
import random
import signal
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["KillResult", "kill_at", "kill_test", "record_points"]


_PRELOAD = [
    "svsna.pipeline.ingest",
    "svsna.pipeline.faults",
    "svsna.sources.partnership",
    "svsna.sources.readers",
    "svsna.sources.validation",
    "svsna.sources.tables",
    "svsna.sources.crossrow",
    "svsna.engine.build",
    "svsna.definitions.classifier",
    "svsna.definitions.definition",
    "ibis.backends.duckdb",
    "polars",
    "pyarrow.parquet",
    "pandas",
    "openpyxl",
]
"""Modules the fork server imports once, so each killed child only does the ingest's own work."""


def kill_at(point: str, occurrence: int) -> Callable[[str], None]:
    """A fault hook that kills this process the ``occurrence``-th time ``point`` is reached."""
    seen = {"n": 0}

    def hook(reached: str) -> None:
        if reached == point:
            seen["n"] += 1
            if seen["n"] == occurrence:
                os.kill(os.getpid(), signal.SIGKILL)

    return hook


def record_points(area: str | Path, **kwargs: Any) -> list[tuple[str, int]]:
    """Run a complete ingest of ``area`` and return every ``(point, occurrence)`` it reached."""
    from svsna.config import load_area_config
    from svsna.pipeline.ingest import ingest

    seen: list[str] = []
    ingest(load_area_config(area), progress=False, _fault=seen.append, **kwargs)
    out, counts = [], {}
    for p in seen:
        counts[p] = counts.get(p, 0) + 1
        out.append((p, counts[p]))
    return out


def _child(area: str, point: str, occurrence: int, kwargs: dict[str, Any]) -> None:
    from svsna.config import load_area_config
    from svsna.pipeline.ingest import ingest

    ingest(load_area_config(area), progress=False, _fault=kill_at(point, occurrence), **kwargs)
    os._exit(0)  # the point was never reached (should not happen)


@dataclass
class KillResult:
    """What one kill left behind."""

    point: str
    occurrence: int
    exitcode: int | None
    run_id: str
    consistent: bool
    """Every table holds the rows its run record says, and nothing else is there."""
    old_or_new: str
    """``old`` (the previous run) or ``new`` (a run that switched in before the kill)."""
    refused: bool
    """``check_warehouse`` refused the workspace (exit 7) - expected until the switch."""

    @property
    def survived(self) -> bool:
        return self.exitcode == -signal.SIGKILL and self.consistent and (self.refused == (self.old_or_new == "old"))


def kill_test(
    area: str | Path,
    n: int = 20,
    *,
    seed: int = 14,
    recover_each: bool = True,
    on_kill: Callable[[KillResult], None] | None = None,
    **kwargs: Any,
) -> tuple[list[KillResult], list[str]]:
    """Kill ingest of ``area`` at ``n`` random points (all points if fewer), checking the state after each.

    A complete ingest first makes the "old" state. Child processes are forked from a server
    process that has svsna preloaded, so each costs about one small ingest. With
    ``recover_each`` a complete ingest follows every kill that left the workspace refused
    (what a user would do); without it, kills pile up on top of each other's leftovers.
    A final complete ingest must succeed; returns the kills and any scratch files it left
    (none expected).
    """
    import multiprocessing

    from svsna.config import load_area_config
    from svsna.engine.state import check_warehouse, warehouse_state
    from svsna.errors import WarehouseStateError

    area = str(area)
    workspace = load_area_config(area).workspace_dir
    points = record_points(area, **kwargs)  # also leaves a complete "old" state
    rng = random.Random(seed)
    chosen = points if len(points) <= n else sorted(rng.sample(points, n), key=points.index)
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(_PRELOAD)
    results = []
    for point, occurrence in chosen:
        before = warehouse_state(workspace)["run_id"]
        proc = ctx.Process(target=_child, args=(area, point, occurrence, kwargs))
        proc.start()
        proc.join(timeout=300)
        state = warehouse_state(workspace)
        consistent = state["recorded"] == state["actual"] and not state["stray"]
        try:
            check_warehouse(workspace)
            refused = False
        except WarehouseStateError:
            refused = True
        results.append(
            KillResult(
                point, occurrence, proc.exitcode, state["run_id"], consistent,
                "old" if state["run_id"] == before else "new", refused,
            )
        )  # fmt: skip
        if on_kill is not None:
            on_kill(results[-1])
        if refused and recover_each:  # the user's next step: run ingest again; it must succeed and clean up
            record_points(area, **kwargs)
    record_points(area, **kwargs)
    config = load_area_config(area)
    left = [str(p) for p in workspace.glob(".svsna-tmp-*")]
    left += [str(p) for p in (config.output_dir / "restricted").glob(".svsna-tmp-*")]
    return results, left
