"""The state of a workspace: ingest runs, the workspace lock and the "is this warehouse usable?" check.

Every ``svsna ingest`` is an *ingest run* with an id (UTC timestamp plus a random suffix).
While it runs, ``<workspace>/ingest-journal.json`` says so (status ``running``, the pid);
when it ends it says ``complete`` or ``failed`` (with the one-line reason). The warehouse
itself holds the table ``ingest_runs``: one :class:`RunRecord` per completed run (id,
start, end, status, engine, the inputs' names, sizes and SHA-256, the pseudonymisation key's
fingerprint, the row count of every table written), the last row being the run whose data
the warehouse holds.

:func:`check_warehouse` is what ``assess`` and ``report`` call before they read anything:
it refuses (exit 7) a warehouse whose last ingest did not complete, naming the run and
what to do, refuses (exit 6) while an ingest is running, and returns the run record of the
data in the warehouse. A warehouse built by hand (tests, notebooks: no journal) is accepted
as it is.

:class:`WorkspaceLock` is an exclusive lock on ``<workspace>/.ingest.lock`` held for the
whole of an ingest: a second ingest of the same area stops at once with "another ingest of
this area is running (pid N)" (exit 6).

Examples
--------
>>> import tempfile, pathlib
>>> ws = pathlib.Path(tempfile.mkdtemp())
>>> check_warehouse(ws)
Traceback (most recent call last):
...
svsna.errors.MissingInputError: no warehouse in ...; hint: run `svsna ingest --area area.yaml` first
>>> rec = RunRecord(run_id="20260101T000000Z-ab12", started="2026-01-01T00:00:00Z", status="running", pid=1)
>>> write_journal(ws, rec)
>>> read_journal(ws).status
'running'
>>> with WorkspaceLock(ws):
...     try:
...         with WorkspaceLock(ws):
...             pass
...     except Exception as exc:
...         print(type(exc).__name__, exc.exit_code)
WorkspaceBusyError 6
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from svsna.errors import MissingInputError, WarehouseStateError, WorkspaceBusyError

__all__ = [
    "JOURNAL_FILE",
    "LOCK_FILE",
    "RUNS_TABLE",
    "RunRecord",
    "WorkspaceLock",
    "check_warehouse",
    "current_run",
    "new_run_id",
    "read_journal",
    "warehouse_state",
    "write_journal",
]

JOURNAL_FILE = "ingest-journal.json"
LOCK_FILE = ".ingest.lock"
RUNS_TABLE = "ingest_runs"
WAREHOUSE_FILE = "warehouse.duckdb"
SPARK_DIR = "spark"
SPARK_CURRENT = "CURRENT"


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_run_id() -> str:
    """A new ingest run id: UTC time and a random suffix, e.g. ``20261202T204500Z-3f9a``."""
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(2)


@dataclass
class RunRecord:
    """One ingest run (a row of the warehouse table ``ingest_runs``, and the journal)."""

    run_id: str
    started: str
    status: str = "running"
    """``running``, ``complete`` or ``failed``."""
    finished: str | None = None
    engine: str = "duckdb"
    svsna_version: str = ""
    key_fingerprint: str | None = None
    """HMAC of a fixed label under the pseudonymisation key (never the key): the same key gives the same
    fingerprint, so a change of key between runs is detected. For the restricted reproducibility appendix."""
    key_label: str = ""
    inputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    """source -> ``{"file": name, "bytes": size, "sha256": hex}``"""
    tables: dict[str, int] = field(default_factory=dict)
    """warehouse table -> rows written"""
    pid: int | None = None
    message: str = ""
    """Why a failed run failed (one line)."""

    def row(self) -> dict[str, Any]:
        """As a row of ``ingest_runs`` (mappings as JSON text)."""
        out = asdict(self)
        out["inputs"] = json.dumps(self.inputs, sort_keys=True)
        out["tables"] = json.dumps(self.tables, sort_keys=True)
        out.pop("pid")
        return out

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> RunRecord:
        data = dict(row)
        for key in ("inputs", "tables"):
            if isinstance(data.get(key), str):
                data[key] = json.loads(data[key])
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})


RUN_COLUMNS: dict[str, str] = {
    "run_id": "string",
    "started": "string",
    "status": "string",
    "finished": "string",
    "engine": "string",
    "svsna_version": "string",
    "key_fingerprint": "string",
    "key_label": "string",
    "inputs": "string",
    "tables": "string",
    "message": "string",
}
"""Columns of the ``ingest_runs`` table (all text; timestamps are ISO 8601 UTC)."""


def write_journal(workspace: Path, record: RunRecord) -> None:
    """Write the journal atomically (owner-only)."""
    from svsna.files import atomic_write_text

    atomic_write_text(Path(workspace) / JOURNAL_FILE, json.dumps(asdict(record), indent=2, sort_keys=True))


def read_journal(workspace: Path) -> RunRecord | None:
    """The journal's record of the last ingest run (None if no ingest ever ran here)."""
    path = Path(workspace) / JOURNAL_FILE
    if not path.is_file():
        return None
    try:
        return RunRecord.from_row(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, TypeError, OSError):
        raise WarehouseStateError(f"{path} is damaged", hint="rerun `svsna ingest` to rebuild the warehouse") from None


class WorkspaceLock:
    """An exclusive, non-blocking lock on a workspace for the length of an ingest.

    Raises :class:`~svsna.errors.WorkspaceBusyError` (exit 6) naming the pid that holds it.
    The lock is released by the operating system if the process dies.
    """

    def __init__(self, workspace: Path) -> None:
        self.path = Path(workspace) / LOCK_FILE
        self._fd: int | None = None

    def __enter__(self) -> WorkspaceLock:
        import fcntl

        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise WorkspaceBusyError(
                f"another ingest of this area is running (pid {pid}) in {self.path.parent}",
                hint="wait for it to finish; svsna never runs two ingests of one workspace at once",
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        self._fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        import fcntl

        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def _lock_holder(workspace: Path) -> str | None:
    """The pid holding the workspace lock, or None if nobody holds it."""
    import fcntl

    path = Path(workspace) / LOCK_FILE
    if not path.exists():
        return None
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        pid = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
        os.close(fd)
        return pid
    fcntl.flock(fd, fcntl.LOCK_UN)
    os.close(fd)
    return None


def _spark_version_dir(workspace: Path) -> Path | None:
    pointer = Path(workspace) / SPARK_DIR / SPARK_CURRENT
    if not pointer.is_file():
        return None
    return Path(workspace) / SPARK_DIR / pointer.read_text(encoding="utf-8").strip()


def current_run(workspace: Path, engine: str = "duckdb") -> RunRecord | None:
    """The run record of the data the warehouse holds (None if it was not built by ingest).

    Raises
    ------
    WarehouseStateError
        If the warehouse file cannot be read (damaged, truncated).
    """
    workspace = Path(workspace)
    if engine == "spark":
        version = _spark_version_dir(workspace)
        if version is None:
            return None
        runs = version / f"{RUNS_TABLE}.parquet"
        try:
            import pyarrow.parquet as pq

            rows = pq.read_table(runs).to_pylist()
        except Exception as exc:
            raise WarehouseStateError(
                f"the Spark warehouse {version} cannot be read ({str(exc)[:120]})",
                hint="rerun `svsna ingest --engine spark` to rebuild it",
            ) from None
        return RunRecord.from_row(rows[-1]) if rows else None
    path = workspace / WAREHOUSE_FILE
    if not path.exists():
        return None
    try:
        import duckdb

        con = duckdb.connect(str(path), read_only=True)
        try:
            names = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
            if RUNS_TABLE not in names:
                return None
            cur = con.execute(f'SELECT * FROM "{RUNS_TABLE}" ORDER BY finished')
            cols = [d[0] for d in cur.description]
            rows = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
        finally:
            con.close()
    except duckdb.Error as exc:
        text = str(exc).splitlines()[0][:160]
        if "lock" in text.lower():
            raise WorkspaceBusyError(
                f"the warehouse {path} is in use by another process ({text})", hint="wait for it to finish"
            ) from None
        raise WarehouseStateError(
            f"the warehouse {path} cannot be read: it is damaged ({text})",
            hint="rerun `svsna ingest --area area.yaml` to rebuild it from the extracts",
        ) from None
    return RunRecord.from_row(rows[-1]) if rows else None


def check_warehouse(
    workspace: str | Path, engine: str = "duckdb", *, area: str = "area.yaml", require: bool = True
) -> RunRecord | None:
    """Refuse a warehouse that is not usable; return the run record of the data it holds.

    Called by ``svsna assess`` and ``svsna report`` (and :func:`svsna.pipeline.run.assess`)
    before they read anything.

    Parameters
    ----------
    workspace : path
        The area's workspace folder.
    engine : {"duckdb", "spark"}
    area : str
        How to name the area file in hints.
    require : bool
        Whether a workspace with no warehouse at all is an error (``report`` works from the
        assessment files and passes False: it only refuses an incomplete last ingest).

    Returns
    -------
    RunRecord or None
        The completed ingest run whose data the warehouse holds; None for a warehouse not
        built by ``svsna ingest`` (a hand-built test warehouse).

    Raises
    ------
    MissingInputError
        (exit 5) No warehouse at all.
    WorkspaceBusyError
        (exit 6) An ingest of this workspace is running now.
    WarehouseStateError
        (exit 7) The last ingest was interrupted or failed, or the warehouse is damaged or
        does not match the last ingest.
    """
    workspace = Path(workspace)
    rerun = f"rerun `svsna ingest --area {area}`{' --engine spark' if engine == 'spark' else ''}"
    journal = read_journal(workspace)
    has_duck = (workspace / WAREHOUSE_FILE).exists()
    has_spark = _spark_version_dir(workspace) is not None
    if journal is None and not (has_duck or has_spark):
        if not require:
            return None
        raise MissingInputError(f"no warehouse in {workspace}; hint: run `svsna ingest --area {area}` first")
    if journal is not None and journal.status == "running":
        holder = _lock_holder(workspace)
        if holder is not None:
            raise WorkspaceBusyError(
                f"an ingest of this area is running now (run {journal.run_id}, pid {holder})",
                hint="wait for it to finish, then run this again",
            )
    if journal is not None and journal.engine != engine:
        if journal.engine == "spark":
            raise WarehouseStateError(
                f"the last ingest (run {journal.run_id}) wrote the Spark warehouse, not the DuckDB one",
                hint="use `--engine spark`, or rerun `svsna ingest` without `--engine spark`",
            )
        engine = "duckdb"  # a DuckDB warehouse is exported to Parquet for Spark by open_warehouse
    current = current_run(workspace, engine)
    if journal is None:
        return current
    held = f"; the warehouse still holds the data of run {current.run_id}" if current else ""
    if journal.status == "running":
        if current is not None and current.run_id == journal.run_id:
            return current  # stopped after the new warehouse was switched in: it is complete
        raise WarehouseStateError(
            f"the last ingest (run {journal.run_id}, started {journal.started}) did not complete: it was "
            f"interrupted{held}",
            hint=f"{rerun} to load the extracts again",
        )
    if journal.status == "failed":
        raise WarehouseStateError(
            f"the last ingest (run {journal.run_id}, started {journal.started}) failed: {journal.message}{held}",
            hint=f"fix that problem and {rerun}",
        )
    if current is None:
        raise WarehouseStateError(
            f"the warehouse in {workspace} is missing or was not written by the last ingest (run {journal.run_id})",
            hint=rerun,
        )
    if current.run_id != journal.run_id:
        raise WarehouseStateError(
            f"the warehouse holds run {current.run_id} but the last ingest was run {journal.run_id}",
            hint=rerun,
        )
    return current


def warehouse_state(workspace: Path) -> dict[str, Any]:
    """The run the DuckDB warehouse holds, its recorded and actual table counts, and any stray tables
    (for the crash tests: every table must hold the rows its run record says)."""
    import json

    import duckdb

    path = Path(workspace) / "warehouse.duckdb"
    con = duckdb.connect(str(path), read_only=True)
    try:
        names = sorted(r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall())
        run = con.execute("SELECT run_id, tables FROM ingest_runs ORDER BY finished DESC LIMIT 1").fetchone()
        recorded = json.loads(run[1])
        actual = {n: int(con.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0]) for n in recorded}
    finally:
        con.close()
    expected = set(recorded) | {"ingest_runs"}
    return {"run_id": run[0], "recorded": recorded, "actual": actual, "stray": sorted(set(names) - expected)}
