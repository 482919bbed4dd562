"""Ingest partner extracts into the warehouse: streaming, in the engine, atomic, with a row ledger.

:func:`ingest` is the public entry point of ``svsna ingest``. In order:

1. **Check before changing anything**: the configuration and definitions, every input
   (exists, is a file, readable; its size and SHA-256; CSV encoding), the pseudonymisation
   key (policy, demo key only for ``svsna synth`` data, same key as the workspace's last
   run unless ``new_key``), the output and workspace folders (writable, owner-only, free
   space for the inputs' size).
2. **Lock** the workspace (a second ingest stops with exit 6) and record the run as
   ``running`` in the journal (:mod:`svsna.engine.state`).
3. **Stream** each file in batches: read, validate, pseudonymise, shape
   (:func:`svsna.sources.partnership.stream_source`); stage each batch in the engine.
4. **In the engine**: the cross-row rules (orphans, duplicates), the final tables, the
   offence classification under each definition (one Ibis expression), the ledger, the
   rejects and the run record, all in a *new* warehouse (:class:`svsna.engine.build.WarehouseBuild`).
5. Write ``restricted/ledger.csv`` and ``restricted/rejects.csv`` (atomically, formula-neutralised),
   then **switch** the warehouse in one step and mark the run ``complete``.

A crash at any point leaves the previous warehouse or the new complete one; ``assess`` and
``report`` refuse a warehouse whose last ingest did not complete
(:func:`svsna.engine.state.check_warehouse`). ``dry_run=True`` does steps 1, 3 and 4 in a
scratch folder and throws the result away: the per-file ledger preview without touching
the workspace or the outputs. The same code runs on DuckDB and on Spark (``engine="spark"``:
the warehouse is Parquet under ``<workspace>/spark/``).

Examples
--------
>>> import datetime as dt, tempfile, pathlib
>>> from svsna.config import AreaConfig
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "geo.csv").write_text("lsoa_code,lsoa_name,npa,district_code,district_name,county_code,"
...     "county_name\\nE01000001,A 1,N,D1,Dee,C1,Cee\\n")
>>> _ = (d / "off.csv").write_text("offence_ref,ho_code,offence_description,committed_from,location_type,"
...     "lsoa,domestic_flag\\nR1,8N,ABH,2021-05-01 23:15,STREET,E01000001,N\\nR2,105A,Push,2021-05-02,"
...     "STREET,E01000001,N\\nr 1,8N,ABH,2021-05-01 23:15,STREET,E01000001,N\\n")
>>> key = pathlib.Path(tempfile.mkdtemp()) / "svsna.key"  # a secret key, kept away from the data
>>> _ = key.write_text("d0c-example-3f9a1c7e5b2d8f4a6c0e9b1d")
>>> cfg = AreaConfig(name="Doc", base_dir=d, inputs={"geography": "geo.csv", "offences": "off.csv"},
...                  pseudonymisation={"key_file": key})
>>> res = ingest(cfg, progress=False, as_of=dt.date(2022, 1, 1))
>>> res.rejects, res.tables["offences"], res.tables["offence_decisions"], res.ledger_path.parent.name
(1, 2, 2, 'restricted')
>>> res.ledger.loc[res.ledger["outcome"] == "rejected", "reason"].tolist()
['duplicate key (offence_ref)']
>>> res.run.status, len(res.run.inputs["offences"]["sha256"])
('complete', 64)
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from svsna.config import AreaConfig
from svsna.errors import ConfigError, FileSystemFault, InputDataError, SvsnaError
from svsna.sources.partnership import LOAD_ORDER, REQUIRED_SOURCES, InputFile, check_required

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl

    from svsna.definitions.definition import Definition
    from svsna.engine.build import WarehouseBuild
    from svsna.engine.state import RunRecord
    from svsna.pseudonym import Pseudonymiser

__all__ = ["LOAD_ORDER", "REQUIRED_SOURCES", "FileFault", "FileSummary", "IngestResult", "ingest", "preflight_output"]

RESTRICTED = "restricted"
_SPACE_FACTOR = 1.5
"""Free space the workspace needs, as a multiple of the inputs' total size (scratch + new warehouse)."""
_MIN_FREE_BYTES = 1_000_000


@dataclass
class FileSummary:
    """What ingest found in one file (for ``svsna check`` and the CLI)."""

    source: str
    file: str
    format: str
    encoding: str | None
    read: int
    loaded: int
    reasons: dict[str, int]
    ignored_columns: list[str]
    near_misses: dict[str, str]
    """file column -> optional field it looks like (not loaded)"""


@dataclass(frozen=True)
class FileFault:
    """A file that cannot be used at all (``svsna check`` lists every one; ``svsna ingest`` stops at the first)."""

    source: str
    file: str
    message: str
    """One line: the file, what is wrong and a hint."""
    exit_code: int = 4


@dataclass
class IngestResult:
    """What :func:`ingest` did."""

    ledger: pd.DataFrame
    rejects: int
    workspace: Path
    warehouse_path: Path
    ledger_path: Path
    rejects_path: Path
    tables: dict[str, int] = field(default_factory=dict)
    """Warehouse table -> rows written."""
    key_label: str = ""
    run: RunRecord | None = None
    """The ingest-run record (id, times, inputs' hashes, key fingerprint), as stored in ``ingest_runs``."""
    files: list[FileSummary] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False
    file_faults: list[FileFault] = field(default_factory=list)
    """Unusable files (dry run only: a real ingest raises at the first)."""

    @property
    def loaded(self) -> int:
        led = self.ledger
        return int(led.loc[led["outcome"] == "loaded", "rows"].sum())


def _needs_key(config: AreaConfig) -> bool:
    from svsna.sources.contracts import load_contracts

    contracts = load_contracts()
    return any(
        config.input_path(s) is not None and any(f.type == "person" or f.pseudonymise for f in contracts[s].fields)
        for s in LOAD_ORDER
    )


def _writable(folder: Path, what: str) -> None:
    """Prove ``folder`` takes a file (create and delete one), else a one-line file-system fault."""
    from svsna.files import atomic_write_bytes

    probe = folder / ".svsna-write-test"
    try:
        atomic_write_bytes(probe, b"ok")
        probe.unlink()
    except OSError as exc:
        from svsna.errors import os_error_message

        msg, hint = os_error_message(exc)
        raise FileSystemFault(f"the {what} folder {folder} is not writable: {msg}", hint=hint) from None


def _folder(path: Path, what: str, setting: str) -> Path:
    from svsna.files import private_dir

    try:
        return private_dir(path)
    except FileExistsError:
        raise FileSystemFault(
            f"the {what} {path} exists and is not a folder", hint=f"name a folder in area.yaml `{setting}:`"
        ) from None
    except OSError as exc:
        from svsna.errors import os_error_message

        msg, hint = os_error_message(exc)
        raise FileSystemFault(f"cannot create the {what} folder {path}: {msg}", hint=hint) from None


def _free_space(folder: Path, need: int, what: str) -> None:
    free = shutil.disk_usage(folder).free
    if free < need:
        raise FileSystemFault(
            f"not enough free space for the {what} in {folder}: {free / 1e6:,.1f} MB free, about {need / 1e6:,.1f} MB "
            "needed",
            hint="free some space or choose another folder in area.yaml",
        )


def preflight_output(config: AreaConfig, *, need: int = _MIN_FREE_BYTES, out: Path | None = None) -> Path:
    """Create ``<output>/restricted`` owner-only and prove it is writable with room; returns it.

    Used by ``ingest``, ``assess`` and ``report`` before they do any work (``out`` overrides
    the area's ``output:``).

    Raises
    ------
    FileSystemFault
        (exit 8) The output names a file, is read-only, or its disk is full.
    """
    out = _folder(out if out is not None else config.output_dir, "output", "output")
    restricted = _folder(out / RESTRICTED, "output", "output")
    _writable(restricted, "output")
    _free_space(restricted, need, "outputs")
    return restricted


def _fingerprint_check(workspace: Path, engine: str, fingerprint: str | None, new_key: bool) -> None:
    from svsna.engine.state import current_run

    if fingerprint is None or new_key:
        return
    try:
        last = current_run(workspace, engine)
    except SvsnaError:
        return  # a damaged warehouse is rebuilt; nothing to compare with
    if last is not None and last.key_fingerprint and last.key_fingerprint != fingerprint:
        raise ConfigError(
            f"the pseudonymisation key differs from the one used for this workspace (fingerprint "
            f"{fingerprint} now, {last.key_fingerprint} in run {last.run_id}): people would not link across runs",
            hint="use the same key as before, or pass --new-key to start the workspace again with this key",
        )


def ingest(
    config: AreaConfig,
    *,
    demo: bool = False,
    progress: bool = True,
    as_of: dt.date | None = None,
    on_file: Callable[[str, FileSummary], None] | None = None,
    engine: str = "duckdb",
    new_key: bool = False,
    dry_run: bool = False,
    _fault: Callable[[str], None] | None = None,
) -> IngestResult:
    """Ingest every input of ``config`` into the warehouse in ``config.workspace_dir``.

    Parameters
    ----------
    config : AreaConfig
        The area configuration (inputs, workspace, output, definitions, key settings, limits).
    demo : bool
        Allow the public demo pseudonymisation key when no key is configured (only for data
        made by ``svsna synth``: checked against its manifest).
    progress : bool
        Show a progress bar (one step per source) on the terminal.
    as_of : date, optional
        The extract date; dates after it are rejected (default: today).
    on_file : callable, optional
        Called with ``(source, FileSummary)`` after each file is validated.
    engine : {"duckdb", "spark"}
        Where the warehouse is built.
    new_key : bool
        Accept a key different from the workspace's last run (pseudonyms will not link to it).
    dry_run : bool
        Validate everything and return the ledger, writing nothing to the workspace or outputs.

    Raises
    ------
    MissingInputError
        (5) Geography or offences not supplied, or named files missing (all listed at once).
    InputDataError
        (4) A file cannot be read or lacks a required column.
    ConfigError
        (3) Key or definition problems.
    WorkspaceBusyError
        (6) Another ingest of this workspace is running.
    FileSystemFault
        (8) An input is a folder or unreadable; the output or workspace is not writable or full.
    """
    import tempfile

    from svsna.definitions.definition import load_definitions
    from svsna.engine import check_engine
    from svsna.pseudonym import check_demo_data, key_beside_extracts, pseudonymiser_for

    check_engine(engine)
    check_required(config)
    definitions = load_definitions(list(config.definitions), base_dir=config.base_dir)
    pseudonymiser = pseudonymiser_for(config, demo=demo) if _needs_key(config) else None
    unreadable: dict[str, FileFault] = {}
    inputs = _inspect(config, unreadable if dry_run else None)
    warnings: list[str] = []
    if pseudonymiser is not None:
        if pseudonymiser.is_demo:
            check_demo_data(config, {s: f.sha256 for s, f in inputs.items()})
        beside = key_beside_extracts(config)
        if beside:
            warnings.append(beside)
    fingerprint = pseudonymiser.fingerprint if pseudonymiser is not None else None
    total = sum(f.bytes for f in inputs.values())
    if dry_run:
        workspace = Path(tempfile.mkdtemp(prefix="svsna-check-"))
        restricted = workspace / RESTRICTED
    else:
        restricted = preflight_output(config, need=max(_MIN_FREE_BYTES, total // 10))
        workspace = _folder(config.workspace_dir, "workspace", "workspace")
        _writable(workspace, "workspace")
        _free_space(workspace, int(total * _SPACE_FACTOR) + _MIN_FREE_BYTES, "warehouse")
        _fingerprint_check(workspace, engine, fingerprint, new_key)
    try:
        return _run(
            config, inputs, definitions, pseudonymiser, workspace, restricted, engine=engine, as_of=as_of,
            progress=progress, on_file=on_file, warnings=warnings, dry_run=dry_run, fault=_fault,
            unreadable=unreadable,
        )  # fmt: skip
    finally:
        if dry_run:
            shutil.rmtree(workspace, ignore_errors=True)


def _inspect(config: AreaConfig, unreadable: dict[str, FileFault] | None = None) -> dict[str, InputFile]:
    """The inputs, checked; with ``unreadable`` (a dry run) files that cannot be decoded go there instead."""
    from svsna.sources.partnership import inspect_inputs

    if unreadable is None:
        return inspect_inputs(config)
    faults: dict[str, InputDataError] = {}
    found = inspect_inputs(config, faults=faults)
    for source, exc in faults.items():
        path = config.input_path(source)
        unreadable[source] = FileFault(source, _display(Path(str(path))), str(exc), exc.exit_code)
    return found


def _run(
    config: AreaConfig,
    inputs: dict[str, InputFile],
    definitions: list[Definition],
    pseudonymiser: Pseudonymiser | None,
    workspace: Path,
    restricted: Path,
    *,
    engine: str,
    as_of: dt.date | None,
    progress: bool,
    on_file: Callable[[str, FileSummary], None] | None,
    warnings: list[str],
    dry_run: bool,
    fault: Callable[[str], None] | None,
    unreadable: dict[str, FileFault] | None = None,
) -> IngestResult:
    import svsna
    from svsna.engine.build import WarehouseBuild, remove_stale_builds
    from svsna.engine.state import RunRecord, WorkspaceLock, _now, new_run_id, write_journal

    say = fault or (lambda _point: None)
    with WorkspaceLock(workspace):
        remove_stale_builds(workspace)
        if not dry_run:  # temporary files of a killed ingest's CSVs (not other commands' files)
            for name in ("ledger.csv", "rejects.csv"):
                for p in restricted.glob(f".svsna-tmp-*-{name}"):
                    p.unlink(missing_ok=True)
        record = RunRecord(
            run_id=new_run_id(),
            started=_now(),
            engine=engine,
            svsna_version=svsna.__version__,
            key_fingerprint=pseudonymiser.fingerprint if pseudonymiser is not None else None,
            key_label=pseudonymiser.label if pseudonymiser is not None else "",
            inputs={s: f.record() for s, f in inputs.items()},
            pid=__import__("os").getpid(),
        )
        if not dry_run:
            write_journal(workspace, record)
        say("journal")
        build = WarehouseBuild(workspace, record.run_id, engine)
        try:
            result = _load(
                config, inputs, definitions, pseudonymiser, build, record, as_of, progress, on_file, say,
                collect_faults=dry_run, unreadable=unreadable,
            )  # fmt: skip
            result.warnings = warnings + result.warnings
            if dry_run:
                build.abort()
                result.dry_run = True
                return result
            ledger_path, rejects_path = _write_csvs(build, result.ledger, restricted, say)
            say("csvs")
            build.commit()
            say("commit")
        except BaseException as exc:
            build.abort()
            if not dry_run:
                record.status = "failed"
                record.finished = _now()
                record.message = (str(exc).splitlines() or [type(exc).__name__])[0][:500]
                write_journal(workspace, record)
            raise
        record.status = "complete"
        write_journal(workspace, record)
    from svsna.engine import WAREHOUSE_FILE

    result.ledger_path = ledger_path
    result.rejects_path = rejects_path
    result.warehouse_path = workspace / (WAREHOUSE_FILE if engine == "duckdb" else f"spark/{record.run_id}")
    return result


def _arrow(frame: pl.DataFrame) -> Any:
    return frame.to_arrow()


def _load(
    config: AreaConfig,
    inputs: dict[str, InputFile],
    definitions: list[Definition],
    pseudonymiser: Pseudonymiser | None,
    build: WarehouseBuild,
    record: RunRecord,
    as_of: dt.date | None,
    progress: bool,
    on_file: Callable[[str, FileSummary], None] | None,
    say: Callable[[str], None],
    collect_faults: bool = False,
    unreadable: dict[str, FileFault] | None = None,
) -> IngestResult:
    """Stream every input into ``build``; with ``collect_faults`` (a dry run) an unusable file is
    recorded as a :class:`FileFault` and the others are still checked, else it raises."""
    import polars as pl

    from svsna.engine.state import RUN_COLUMNS, RUNS_TABLE, _now
    from svsna.sources.contracts import load_contracts
    from svsna.sources.crossrow import cross_row
    from svsna.sources.ledger import Ledger
    from svsna.sources.partnership import stream_source
    from svsna.sources.tables import TABLE_NAMES
    from svsna.sources.validation import ValidationContext

    as_of = as_of or dt.date.today()
    unreadable = unreadable or {}
    contracts = load_contracts()
    ledger = Ledger()
    tables: dict[str, int] = {}
    files: list[FileSummary] = []
    warnings: list[str] = []
    geo: pl.DataFrame | None = None
    lsoas: frozenset[str] | None = None
    parents: dict[str, Any] = {}
    seq = 0
    file_faults: list[FileFault] = []
    with _Progress(progress, len(LOAD_ORDER)) as bar:
        for order, source in enumerate(LOAD_ORDER):
            bar.step(source, config.input_path(source))
            if source in unreadable:
                file_faults.append(unreadable[source])
                continue
            if source not in inputs:
                ledger.not_supplied(source)
                continue
            name = TABLE_NAMES[source]
            ctx = ValidationContext(as_of=as_of, lsoas=lsoas, pseudonymiser=pseudonymiser)
            read = 0
            reasons: Counter[str] = Counter()
            facts = None
            geo_rejects: list[pl.DataFrame] = []
            try:
                for batch in stream_source(config, source, inputs[source], ctx, geo):
                    facts = batch.facts
                    build.append(name, _arrow(batch.table), in_place=True)
                    if batch.rejects.height:
                        rej = batch.rejects.with_columns(
                            pl.lit(order, dtype=pl.Int64).alias("__order"),
                            pl.int_range(seq, seq + batch.rejects.height, dtype=pl.Int64).alias("__seq"),
                        )
                        seq += batch.rejects.height
                        build.append("__rejects", _arrow(rej))
                        if source == "geography":
                            geo_rejects.append(batch.rejects)
                    if batch.rejected_keys is not None and batch.rejected_keys.height:
                        build.append(f"{name}__rejected_keys", _arrow(batch.rejected_keys))
                    read += batch.read
                    reasons.update(batch.reasons)
                    say(f"batch:{source}")
                assert facts is not None
                file_name = facts.display
                staged = build.staged(name)
                cr = cross_row(staged, contracts[source], file=file_name, parents=parents)
                build.stage_query(f"{name}__cross", cr.rejects)  # computed once, then counted and subtracted
                cross_rejects = build.staged(f"{name}__cross")
                cross = build.execute(
                    cross_rejects.group_by("reason").aggregate(rows=cross_rejects.count())
                ).to_pylist()
                if source == "geography":
                    if cross:
                        geo_rejects.append(pl.from_arrow(build.execute(cross_rejects.drop("reason"))))  # type: ignore[arg-type]
                    _check_reference(file_name, geo_rejects)
            except InputDataError as exc:
                if not collect_faults:
                    if "svsna check" in str(exc):
                        raise
                    raise InputDataError(f"{exc}; `svsna check` lists every unusable file at once") from exc
                shown = facts.display if facts is not None else _display(inputs[source].path)
                file_faults.append(FileFault(source, shown, str(exc), exc.exit_code))
                if source == "geography":  # the other files cannot be checked against an unusable lookup
                    geo = pl.DataFrame(schema={f.name: pl.String for f in contracts["geography"].fields})
                    warnings.append(
                        f"LSOA codes in the other files were not checked against the geography, because {shown} "
                        "is unusable (see its fault)"
                    )
                continue
            for c in cross:
                reasons[str(c["reason"])] += int(c["rows"])
            if cross:
                import ibis

                extra = cross_rejects.drop("reason").mutate(
                    __order=ibis.literal(order, type="int64"), __seq=ibis.literal(2**62, type="int64")
                )
                build.insert_query("__rejects", extra)
            _also_orphans(build, contracts[source], name, file_name, parents, order)
            say(f"crossrow:{source}")
            loaded = build.finish(name, cross_rejects if cross else None)
            tables[name] = loaded
            say(f"table:{source}")
            ledger.add_file(source, file_name, read=read, loaded=loaded, rejected=dict(reasons), how=facts.describe)
            summary = FileSummary(
                source, file_name, facts.format, facts.encoding, read, loaded, dict(reasons), facts.ignored_columns,
                facts.near_misses,
            )  # fmt: skip
            files.append(summary)
            if facts.encoding and facts.encoding.startswith("utf-8, with Windows-1252"):
                lines = facts.encoding.split("bytes on ", 1)[1]
                verb = "holds" if lines.startswith("1 line ") else "hold"
                warnings.append(
                    f"{file_name}: mostly UTF-8, but {lines} {verb} bytes that are not UTF-8; "
                    "they were read as Windows-1252 and the rest as UTF-8; hint: check those values, and save the "
                    "file as CSV UTF-8"
                )
            for col, fld in facts.near_misses.items():
                warnings.append(
                    f"{file_name}: column {col!r} was not loaded but looks like the optional field {fld!r}; if it is, "
                    f'add to area.yaml: `columns: {{{source}: {{{fld}: "{col}"}}}}`'
                )
            if on_file is not None:
                on_file(source, summary)
            if source == "geography":
                geo = pl.from_arrow(build.execute(build.table("geography")))  # type: ignore[assignment]
                lsoas = frozenset(geo.get_column("lsoa_code").to_list())  # type: ignore[union-attr]
            if source == "offences":
                rejected = (
                    build.staged(f"{name}__rejected_keys") if build.has_staged(f"{name}__rejected_keys") else None
                )
                parents["offences.offence_ref"] = (build.table("offences"), rejected, file_name)

    if "offences" in tables:  # (a dry run goes on past an unusable offences file)
        tables["offence_decisions"], excluded = _classify(build, definitions)
        say("classify")
        for definition, reason, rows in excluded:
            ledger.add_excluded("offences", _source_file(files, "offences"), definition, reason, rows)
    ledger.check()
    ledger_frame = ledger.frame()
    warnings += none_loaded(ledger_frame)
    build.write("ledger", _ledger_arrow(ledger_frame))
    tables["ledger"] = len(ledger_frame)
    tables["rejects"] = _final_rejects(build)
    say("rejects")
    record.tables = dict(tables)
    record.finished = _now()
    record.status = "complete"
    _write_runs(build, record, RUNS_TABLE, RUN_COLUMNS)
    say("runs")
    return IngestResult(
        ledger=ledger_frame,
        rejects=tables["rejects"],
        workspace=build.workspace,
        warehouse_path=build.workspace,
        ledger_path=Path(),
        rejects_path=Path(),
        tables=tables,
        key_label=pseudonymiser.label if pseudonymiser is not None else "",
        run=record,
        files=files,
        warnings=warnings,
        file_faults=file_faults,
    )


def none_loaded(ledger: pd.DataFrame) -> list[str]:
    """A warning for each input file with rows read but none loaded: every row was rejected, so the
    assessment will leave the source out (as if not supplied), which a ledger line alone does not say.

    >>> import pandas as pd
    >>> led = pd.DataFrame({"source": ["admissions"] * 3, "file": ["adm.csv"] * 3,
    ...     "outcome": ["read", "loaded", "rejected"], "reason": ["", "", "invalid date (admission_date)"],
    ...     "rows": [3, 0, 3], "definition": [None] * 3})
    >>> none_loaded(led)[0][:74]
    'admissions: none of the 3 rows read from adm.csv was loaded (every row was'
    """
    from svsna.sources.ledger import unusable_sources

    left_out = {u["source"] for u in unusable_sources(ledger)}  # the assessment's rule, on the same ledger
    out = []
    for source, by_source in ledger.groupby("source", sort=False):
        whole = source in left_out
        for file, g in by_source.groupby("file", sort=False, dropna=False):
            read = int(g.loc[g["outcome"] == "read", "rows"].sum())
            loaded = int(g.loc[g["outcome"] == "loaded", "rows"].sum())
            if read and not loaded:
                then = f", so the assessment will leave {source} out" if whole else ""
                out.append(
                    f"{source}: none of the {read:,} rows read from {file} was loaded (every row was rejected)"
                    f"{then}; hint: fix the rows listed in rejects.csv and run svsna ingest again"
                )
    return out


def _also_orphans(
    build: WarehouseBuild, contract: Any, name: str, file: str, parents: dict[str, Any], order: int
) -> None:
    """List the orphan references of rows a row rule already rejected, as further problems of those rows.

    The ledger counts each such row once, under its row-rule problem; rejects.csv gets one more
    line, so the data owner fixes both at once.
    """
    import ibis

    from svsna.sources.crossrow import cross_row

    keys = f"{name}__rejected_keys"
    if not build.has_staged(keys) or not any(f.references in parents for f in contract.fields if f.references):
        return
    also = cross_row(build.staged(keys), contract, file=file, parents=parents, duplicates=False)
    extra = also.rejects.drop("reason").mutate(
        __order=ibis.literal(order, type="int64"), __seq=ibis.literal(2**62, type="int64")
    )
    build.insert_query("__rejects", extra)


def _display(path: Path) -> str:
    """An input as messages name it before it is opened (``extracts.xlsx, sheet offences``)."""
    from svsna.sources.readers import split_sheet

    file, sheet = split_sheet(path)
    return f"{file.name}, sheet {sheet}" if sheet else file.name


def _source_file(files: list[FileSummary], source: str) -> str:
    """The file name ``source`` was loaded from (as the ledger names it)."""
    return next(f.file for f in files if f.source == source)


_GEO_WHY = (
    "the geography lookup is the reference every other file is checked against, so ingest stops rather than "
    "reject or relabel the offences, people and population of that LSOA"
)


def _check_reference(file: str, rejects: list[pl.DataFrame]) -> None:
    """Raise :class:`InputDataError` if any geography row was rejected (a blank line apart).

    One line: the first problem's line, column, value and rule, how many more (the next few
    named), and the hint of the first problem.
    """
    import polars as pl

    if not rejects:
        return
    frame = pl.concat([r.select("row_number", "column", "rule", "message") for r in rejects], how="vertical")
    frame = frame.filter(pl.col("rule") != "blank row").sort("row_number", maintain_order=True)
    if frame.is_empty():
        return
    rows = frame.rows(named=True)
    first = rows[0]
    text, _, hint = str(first["message"]).partition("; hint: ")
    text = text.replace("; the first row is kept", "")
    where = f"line {first['row_number']}" + (f", column {first['column']}" if first["column"] else "")
    more = ""
    if len(rows) > 1:
        named = ", ".join(f"line {r['row_number']} {r['column'] or 'record'} ({r['rule']})" for r in rows[1:6])
        rest = " and more" if len(rows) > 6 else ""
        more = f"; {len(rows) - 1} more problem{'s' if len(rows) > 2 else ''}: {named}{rest}"
    raise InputDataError(
        f"{file}: {where}: {text} (rule: {first['rule']}); {_GEO_WHY}{more}; hint: {hint or 'fix the row'}, then "
        "run again (`svsna check` lists every problem)"
    )


_REJECT_SCHEMA = {
    "source": "string",
    "file": "string",
    "row_number": "int64",
    "column": "string",
    "value": "string",
    "rule": "string",
    "message": "string",
}


def _final_rejects(build: WarehouseBuild) -> int:
    """Write table ``rejects`` (every problem, in load order and file order); returns its rows."""
    import ibis

    if build.has_staged("__rejects"):
        staged = build.staged("__rejects")
        expr = staged.order_by(["__order", "row_number", "__seq"]).select(*_REJECT_SCHEMA)
        expr = expr.mutate(__pos=ibis.row_number())
        return build.materialise("rejects", expr, order_by="__pos", drop=("__pos",))
    import pyarrow as pa

    empty = pa.table(
        {k: pa.array([], type=pa.int64() if v == "int64" else pa.string()) for k, v in _REJECT_SCHEMA.items()}
    )
    return build.write("rejects", empty)


def _write_runs(build: WarehouseBuild, record: RunRecord, table: str, columns: dict[str, str]) -> None:
    import pyarrow as pa

    rows = []
    previous = build.previous_runs()
    if previous is not None:
        rows = [{k: r.get(k) for k in columns} for r in previous.to_pylist()]
    rows.append({k: v for k, v in record.row().items() if k in columns})
    build.write(table, pa.Table.from_pylist(rows, schema=pa.schema([(k, pa.string()) for k in columns])))


def _write_csvs(
    build: WarehouseBuild, ledger: pd.DataFrame, restricted: Path, say: Callable[[str], None]
) -> tuple[Path, Path]:
    """``rejects.csv`` then ``ledger.csv``, each complete or absent (every text value neutralised)."""
    from svsna.cells import neutralise_frame
    from svsna.files import atomic_path

    rejects_path = restricted / "rejects.csv"
    ledger_path = restricted / "ledger.csv"
    with atomic_path(rejects_path) as tmp, open(tmp, "w", encoding="utf-8", newline="") as fh:
        header = True
        for rb in build.batches(build.table("rejects")):
            frame = neutralise_frame(rb.to_pandas())
            frame.to_csv(fh, index=False, header=header, lineterminator="\n")
            header = False
            say("rejects.csv")
        if header:
            fh.write(",".join(_REJECT_SCHEMA) + "\n")
    with atomic_path(ledger_path) as tmp:
        neutralise_frame(ledger).to_csv(tmp, index=False, lineterminator="\n")
    return ledger_path, rejects_path


def _ledger_arrow(frame: pd.DataFrame) -> object:
    """The ledger as Arrow with explicit types (``definition`` may be all null)."""
    import pyarrow as pa

    schema = pa.schema(
        [
            ("source", pa.string()),
            ("file", pa.string()),
            ("outcome", pa.string()),
            ("reason", pa.string()),
            ("rows", pa.int64()),
            ("definition", pa.string()),
        ]
    )
    return pa.Table.from_pandas(frame, schema=schema, preserve_index=False)


def _classify(build: WarehouseBuild, definitions: list[Definition]) -> tuple[int, list[tuple[str, str, int]]]:
    """Write ``offence_decisions`` (one Ibis expression); return its row count and the excluded counts by
    ``definition, reason`` (both from one aggregate run in the engine)."""
    from svsna.definitions.classifier import classify

    total = build.materialise("offence_decisions", classify(build.table("offences"), definitions), order_by=None)
    dec = build.table("offence_decisions")
    counts = build.execute(dec.group_by(["definition", "reason", "included"]).aggregate(rows=dec.count())).to_pylist()
    excluded = sorted((str(c["definition"]), str(c["reason"]), int(c["rows"])) for c in counts if not c["included"])
    assert total == sum(int(c["rows"]) for c in counts)
    return total, excluded


class _Progress:
    """A rich progress bar over the sources (silent when disabled)."""

    def __init__(self, enabled: bool, total: int) -> None:
        self.enabled = enabled
        self.total = total
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> _Progress:
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._progress = Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(stderr=True),  # progress on stderr, the ledger and summary on stdout
                transient=False,
            )
            self._progress.__enter__()
            self._task = self._progress.add_task("ingest", total=self.total)
        return self

    def step(self, source: str, path: Path | None) -> None:
        if self._progress is not None:
            label = f"{source}: {Path(str(path)).name}" if path is not None else f"{source}: not supplied"
            self._progress.update(self._task, description=label, advance=1)

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.__exit__(*exc)
