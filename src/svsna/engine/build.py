"""Building a new warehouse state beside the old one, then switching to it in one step.

An ingest never writes into the warehouse that ``assess`` reads. :class:`WarehouseBuild`
stages each file's validated batches (on DuckDB, a source table's batches go straight into
the *new* warehouse file, ``in_place``; small side tables into a scratch database), runs the
cross-row rules and the table derivations as engine queries, finishes the tables in the new
warehouse (:meth:`~WarehouseBuild.finish`: rejected rows deleted, so each row is written
once), and only then :meth:`~WarehouseBuild.commit` s:

- DuckDB: the new file ``.svsna-tmp-<run>-warehouse.duckdb`` is checkpointed, flushed to
  disk and renamed over ``warehouse.duckdb`` (``os.replace``: atomic on POSIX);
- Spark: the new tables are written as Parquet under ``spark/<run>/`` and the pointer
  ``spark/CURRENT`` is replaced atomically to name that folder.

A crash at any point before the switch leaves the old warehouse untouched (the scratch
files are removed by the next ingest); after it, the new warehouse is complete. Nothing is
created through Ibis's temporary in-memory tables, so no stray ``ibis_duckdb_table_*`` can be
left behind. Staging never holds a raw person identifier: batches are pseudonymised before
they are staged.

Examples
--------
>>> import tempfile, pathlib, pyarrow as pa
>>> ws = pathlib.Path(tempfile.mkdtemp())
>>> b = WarehouseBuild(ws, "run1")
>>> b.append("t", pa.table({"_row": [3, 2], "x": ["b", "a"]}))
>>> b.materialise("t", b.staged("t"))
2
>>> b.commit()
>>> import duckdb
>>> duckdb.connect(str(ws / "warehouse.duckdb"), read_only=True).sql("SELECT * FROM t").fetchall()
[('a',), ('b',)]
>>> sorted(p.name for p in ws.iterdir())
['warehouse.duckdb']
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from svsna.errors import FileSystemFault

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pyarrow as pa

__all__ = ["WarehouseBuild", "remove_stale_builds"]

WAREHOUSE_FILE = "warehouse.duckdb"
_PREFIX = ".svsna-tmp-"
_MEMORY_LIMIT = os.environ.get("SVSNA_DUCKDB_MEMORY", "2GB")
#: How much write-ahead log DuckDB gathers before it checkpoints the new warehouse. Ingest appends
#: batches of 100,000 rows; at DuckDB's default (16 MB) nearly every batch forced a checkpoint, which
#: compressed and rewrote the table's last, partly filled row group each time (a 10x partnership:
#: 16 s of 37 s in appends). 128 MB checkpoints every few batches: ingest ~10% faster for ~0.15 GB
#: more memory, bounded whatever the extract's size (bench/results/ingest.md). The warehouse is
#: still checkpointed in full and renamed into place only at commit.
_CHECKPOINT_THRESHOLD = "128MB"


def remove_stale_builds(workspace: Path) -> list[Path]:
    """Delete what an interrupted ingest left in ``workspace`` (scratch databases, spill, staging)."""
    removed = []
    for p in Path(workspace).glob(f"{_PREFIX}*"):
        if p.is_dir():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)
        removed.append(p)
    spark = Path(workspace) / "spark"
    if spark.is_dir():
        current = (spark / "CURRENT").read_text().strip() if (spark / "CURRENT").is_file() else None
        for p in spark.iterdir():
            if p.is_dir() and p.name != current:
                shutil.rmtree(p, ignore_errors=True)
                removed.append(p)
    return removed


def _fs_fault(exc: Exception, where: Path) -> Exception:
    """A one-line file-system fault for a database error caused by the disk (else the error itself)."""
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    low = text.lower()
    if "no space left" in low or "disk is full" in low or ("could not write" in low and "space" in low):
        return FileSystemFault(
            f"no space left on device while writing the warehouse in {where}",
            hint="free some space or move the workspace (area.yaml `workspace:`); the previous warehouse is intact",
        )
    if "read-only" in low or "permission denied" in low:
        return FileSystemFault(
            f"cannot write the warehouse in {where} ({text[:120]})",
            hint="choose a writable workspace folder; the previous warehouse is intact",
        )
    return exc


class WarehouseBuild:
    """A new warehouse state under construction for ingest run ``run_id`` (DuckDB or Spark).

    Parameters
    ----------
    workspace : path
        The workspace folder (must exist).
    run_id : str
        The ingest run this state belongs to.
    engine : {"duckdb", "spark"}
    """

    def __init__(self, workspace: str | Path, run_id: str, engine: str = "duckdb") -> None:
        import ibis

        self.workspace = Path(workspace)
        self.run_id = run_id
        self.engine = engine
        self.scratch = self.workspace / f"{_PREFIX}{run_id}"
        self.scratch.mkdir(mode=0o700)
        self._staged: dict[str, list[str]] = {}
        self._in_place: set[str] = set()
        self._parts: dict[str, int] = {}
        self._tables: dict[str, int] = {}
        if engine == "duckdb":
            self.path = self.workspace / f"{_PREFIX}{run_id}-{WAREHOUSE_FILE}"
            self.con = ibis.duckdb.connect(str(self.path))
            raw = self.con.con
            raw.execute("SET enable_progress_bar = false")
            raw.execute(f"SET memory_limit = '{_MEMORY_LIMIT}'")
            raw.execute(f"SET temp_directory = '{self.scratch / 'spill'}'")
            raw.execute("SET preserve_insertion_order = false")
            raw.execute(f"ATTACH '{self.scratch / 'stage.duckdb'}' AS stage")
            raw.execute(f"SET checkpoint_threshold = '{_CHECKPOINT_THRESHOLD}'")
        else:
            from svsna.engine import spark_session

            self.version = self.workspace / "spark" / run_id
            self.version.mkdir(parents=True, mode=0o700)
            self.con = ibis.pyspark.connect(spark_session())

    # -- staging ---------------------------------------------------------------------------------
    def append(self, name: str, data: pa.Table, *, in_place: bool = False) -> None:
        """Add a batch (Arrow) to staging table ``name`` (created from the first batch's schema).

        With ``in_place`` (DuckDB), the batches of a table that :meth:`finish` will turn into a
        final table are staged in the new warehouse itself, in file order, so that finishing it
        deletes the rejected rows instead of writing every row a second time.
        """
        try:
            self._append(name, data, in_place=in_place)
        except Exception as exc:
            raise _fs_fault(exc, self.workspace) from exc

    def _stage_ref(self, name: str) -> str:
        if name in self._in_place:
            return f'main."{_PREFIX}stage-{name}"'
        return f'stage."{name}"'

    def _append(self, name: str, data: pa.Table, *, in_place: bool = False) -> None:
        if self.engine == "duckdb":
            raw = self.con.con
            if in_place and name not in self._staged:
                self._in_place.add(name)
            target = self._stage_ref(name)
            raw.register("__batch", data)
            try:
                if name in self._in_place:
                    # the batches arrive in file order; keep it, so the final table needs no sort
                    raw.execute("SET preserve_insertion_order = true")
                if name not in self._staged:
                    raw.execute(f"CREATE TABLE {target} AS SELECT * FROM __batch")
                    self._staged[name] = list(data.column_names)
                else:
                    cols = ", ".join(f'"{c}"' for c in self._staged[name])
                    raw.execute(f"INSERT INTO {target} ({cols}) SELECT {cols} FROM __batch")
            finally:
                raw.unregister("__batch")
                raw.execute("SET preserve_insertion_order = false")
            return
        import pyarrow.parquet as pq

        folder = self.scratch / "stage" / name
        folder.mkdir(parents=True, exist_ok=True)
        part = self._parts.get(name, 0)
        if name in self._staged:
            data = data.select(self._staged[name]).cast(self._schema[name])
        else:
            self._staged[name] = list(data.column_names)
            self._schema = getattr(self, "_schema", {})
            self._schema[name] = data.schema
        pq.write_table(data, folder / f"part-{part:05d}.parquet")
        self._parts[name] = part + 1

    def stage_query(self, name: str, expr: ir.Table) -> None:
        """Compute ``expr`` once into staging table ``name`` (replacing it)."""
        try:
            if self.engine == "duckdb":
                raw = self.con.con
                raw.execute(f'DROP TABLE IF EXISTS stage."{name}"')
                raw.execute(f'CREATE TABLE stage."{name}" AS {self.con.compile(expr)}')
                self._staged[name] = list(expr.columns)
            else:
                folder = self.scratch / "stage" / name
                self.con._session.sql(self.con.compile(expr)).write.mode("overwrite").parquet(str(folder))
                self._staged[name] = list(expr.columns)
        except Exception as exc:
            raise _fs_fault(exc, self.workspace) from exc

    def insert_query(self, name: str, expr: ir.Table) -> None:
        """Append the rows of ``expr`` to staging table ``name`` (which exists, or is created)."""
        if name not in self._staged:
            self.stage_query(name, expr)
            return
        try:
            if self.engine == "duckdb":
                cols = ", ".join(f'"{c}"' for c in self._staged[name])
                self.con.con.execute(
                    f'INSERT INTO stage."{name}" ({cols}) SELECT {cols} FROM ({self.con.compile(expr)})'
                )
            else:
                import pyarrow as pa

                for rb in expr.to_pyarrow_batches():
                    self._append(name, pa.Table.from_batches([rb]))
        except Exception as exc:
            raise _fs_fault(exc, self.workspace) from exc

    def has_staged(self, name: str) -> bool:
        return name in self._staged

    def staged(self, name: str) -> ir.Table:
        """Staging table ``name`` as an Ibis table."""
        if self.engine == "duckdb":
            if name in self._in_place:
                return self.con.table(f"{_PREFIX}stage-{name}")
            return self.con.table(name, database="stage")
        return self.con.read_parquet(str(self.scratch / "stage" / name), table_name=f"stage_{name}")

    # -- final tables ----------------------------------------------------------------------------
    def materialise(
        self, name: str, expr: ir.Table, *, order_by: str | None = "_row", drop: tuple[str, ...] = ("_row",)
    ) -> int:
        """Write ``expr`` as final table ``name`` (ordered by ``order_by``, without ``drop``); returns its rows."""
        try:
            return self._materialise(name, expr, order_by, drop)
        except Exception as exc:
            raise _fs_fault(exc, self.workspace) from exc

    def _materialise(self, name: str, expr: ir.Table, order_by: str | None, drop: tuple[str, ...]) -> int:
        cols = [c for c in expr.columns if c not in drop]
        if self.engine == "duckdb":
            sql = self.con.compile(expr)
            order = f' ORDER BY "{order_by}"' if order_by and order_by in expr.columns else ""
            select = ", ".join(f'"{c}"' for c in cols)
            raw = self.con.con
            raw.execute(f'DROP TABLE IF EXISTS main."{name}"')
            raw.execute(f'CREATE TABLE main."{name}" AS SELECT {select} FROM ({sql}){order}')
            n = int(raw.execute(f'SELECT count(*) FROM main."{name}"').fetchone()[0])
        else:
            df = self.con._session.sql(self.con.compile(expr))
            if order_by and order_by in expr.columns:
                df = df.orderBy(order_by)
            df = df.select(*cols)
            target = self.version / f"{name}.parquet"
            df.coalesce(1).write.mode("overwrite").parquet(str(target))
            n = int(self.con._session.read.parquet(str(target)).count())
        self._tables[name] = n
        return n

    def finish(self, name: str, rejects: ir.Table | None = None, *, key: str = "row_number") -> int:
        """Make staging table ``name`` final table ``name``, without the rows whose ``_row`` is in ``rejects[key]``.

        Same result as ``materialise(name, staged(name).anti_join(rejects, ...))``; on DuckDB a
        table staged ``in_place`` is finished where it is (rejected rows deleted, ``_row``
        dropped, renamed), so its rows are written once. Returns the rows of the final table.
        """
        staged = self.staged(name)
        if self.engine != "duckdb" or name not in self._in_place:
            kept = staged if rejects is None else staged.anti_join(rejects, staged._row == rejects[key])
            return self.materialise(name, kept)
        try:
            raw = self.con.con
            ref = self._stage_ref(name)
            if rejects is not None:
                raw.execute(f'DELETE FROM {ref} WHERE "_row" IN (SELECT "{key}" FROM ({self.con.compile(rejects)}))')
            raw.execute(f'DROP TABLE IF EXISTS main."{name}"')
            if "_row" in self._staged[name]:
                raw.execute(f'ALTER TABLE {ref} DROP COLUMN "_row"')
            raw.execute(f'ALTER TABLE {ref} RENAME TO "{name}"')
            self._in_place.discard(name)
            del self._staged[name]
            n = int(raw.execute(f'SELECT count(*) FROM main."{name}"').fetchone()[0])
        except Exception as exc:
            raise _fs_fault(exc, self.workspace) from exc
        self._tables[name] = n
        return n

    def write(self, name: str, data: pa.Table) -> int:
        """Write a small Arrow table as final table ``name``."""
        if self.engine == "duckdb":
            raw = self.con.con
            raw.register("__small", data)
            try:
                raw.execute(f'DROP TABLE IF EXISTS main."{name}"')
                raw.execute(f'CREATE TABLE main."{name}" AS SELECT * FROM __small')
            finally:
                raw.unregister("__small")
        else:
            import pyarrow.parquet as pq

            target = self.version / f"{name}.parquet"
            target.mkdir(exist_ok=True)
            pq.write_table(data, target / "part-00000.parquet")
        self._tables[name] = data.num_rows
        return data.num_rows

    def table(self, name: str) -> ir.Table:
        """Final table ``name`` of the new state, as an Ibis table."""
        if self.engine == "duckdb":
            return self.con.table(name)
        return self.con.read_parquet(str(self.version / f"{name}.parquet"), table_name=f"new_{name}")

    def has_table(self, name: str) -> bool:
        return name in self._tables

    def execute(self, expr: Any) -> Any:
        """Run an expression on the new state (small results)."""
        import ibis.expr.types as ir

        if isinstance(expr, ir.Table):
            return expr.to_pyarrow()
        return expr.execute()

    def batches(self, expr: ir.Table, size: int = 100_000) -> Iterator[pa.RecordBatch]:
        """Stream a (possibly large) result as Arrow batches."""
        if self.engine == "duckdb":
            reader = self.con.con.execute(self.con.compile(expr)).fetch_record_batch(size)
            yield from reader
            return
        yield from expr.to_pyarrow_batches(chunk_size=size)

    def previous_runs(self) -> pa.Table | None:
        """The ``ingest_runs`` table of the warehouse being replaced (None if there is none or it is unreadable)."""
        from svsna.engine.state import RUNS_TABLE, _spark_version_dir

        try:
            if self.engine == "duckdb":
                old = self.workspace / WAREHOUSE_FILE
                if not old.exists():
                    return None
                import duckdb

                con = duckdb.connect(str(old), read_only=True)
                try:
                    names = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
                    if RUNS_TABLE not in names:
                        return None
                    return con.execute(f'SELECT * FROM "{RUNS_TABLE}"').fetch_arrow_table()
                finally:
                    con.close()
            version = _spark_version_dir(self.workspace)
            if version is None:
                return None
            import pyarrow.parquet as pq

            return pq.read_table(version / f"{RUNS_TABLE}.parquet")
        except Exception:  # a damaged old warehouse: its history cannot be carried over
            return None

    # -- switch ----------------------------------------------------------------------------------
    def commit(self) -> None:
        """Make the new state the warehouse, in one atomic step; remove the scratch files."""
        from svsna.files import _fsync_dir

        try:
            if self.engine == "duckdb":
                raw = self.con.con
                raw.execute("DETACH stage")
                raw.execute("CHECKPOINT")
                self.con.disconnect()
                with open(self.path, "rb+") as fh:
                    os.fsync(fh.fileno())
                os.chmod(self.path, 0o600)
                os.replace(self.path, self.workspace / WAREHOUSE_FILE)
                _fsync_dir(self.workspace)
            else:
                from svsna.files import atomic_write_text

                atomic_write_text(self.workspace / "spark" / "CURRENT", self.run_id)
        except Exception as exc:
            raise _fs_fault(exc, self.workspace) from exc
        shutil.rmtree(self.scratch, ignore_errors=True)
        if self.engine == "spark":
            remove_stale_builds(self.workspace)

    def abort(self) -> None:
        """Throw the new state away (the old warehouse was never touched)."""
        if self.engine == "duckdb":
            with contextlib.suppress(Exception):
                self.con.disconnect()
            for p in (self.path, Path(f"{self.path}.wal")):
                p.unlink(missing_ok=True)
        else:
            shutil.rmtree(self.version, ignore_errors=True)
        shutil.rmtree(self.scratch, ignore_errors=True)
