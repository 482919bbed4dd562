"""Ingest partner extracts into the warehouse, with a row ledger where nothing is lost.

:func:`ingest` reads every input named in ``area.yaml`` in dependency order (geography,
population, offences, victims, suspects, then the health and area sources), validates
each row against its contract, pseudonymises person identifiers, writes the warehouse
tables (see CONTRIBUTING.md) through Ibis into DuckDB, classifies every offence under
each definition (``offence_decisions``) and writes ``ledger`` and ``rejects`` both as
warehouse tables and as ``ledger.csv`` / ``rejects.csv`` in the output folder.

Geography and offences are required; any other source that is not supplied is skipped
and recorded in the ledger as ``not supplied`` (its warehouse table is removed so no
stale data from an earlier run remains).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from svsna.config import SOURCE_NAMES, AreaConfig
from svsna.errors import MissingInputError
from svsna.sources.ledger import Ledger
from svsna.sources.validation import REJECT_COLUMNS, ValidationContext, ValidationResult, validate

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl

    from svsna.definitions.definition import Definition
    from svsna.engine import Warehouse
    from svsna.pseudonym import Pseudonymiser

__all__ = ["LOAD_ORDER", "REQUIRED_SOURCES", "IngestResult", "ingest"]

LOAD_ORDER: tuple[str, ...] = SOURCE_NAMES
"""Sources in the order they are loaded (geography first: others are checked against it)."""
REQUIRED_SOURCES: tuple[str, ...] = ("geography", "offences")


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

    @property
    def loaded(self) -> int:
        led = self.ledger
        return int(led.loc[led["outcome"] == "loaded", "rows"].sum())


def _pseudonymiser_if_needed(config: AreaConfig, demo: bool) -> Pseudonymiser | None:
    from svsna.pseudonym import pseudonymiser_for
    from svsna.sources.contracts import load_contracts

    contracts = load_contracts()
    needs = [
        s
        for s in LOAD_ORDER
        if config.input_path(s) is not None and any(f.type == "person" for f in contracts[s].fields)
    ]
    return pseudonymiser_for(config, demo=demo) if needs else None


def ingest(
    config: AreaConfig,
    *,
    demo: bool = False,
    progress: bool = True,
    as_of: dt.date | None = None,
    on_file: Callable[[str, ValidationResult], None] | None = None,
) -> IngestResult:
    """Ingest every input of ``config`` into the DuckDB warehouse in ``config.workspace_dir``.

    Parameters
    ----------
    config : AreaConfig
        The area configuration (inputs, workspace, output, definitions, key settings).
    demo : bool
        Allow the public demo pseudonymisation key when no key is configured.
    progress : bool
        Show a progress bar (one step per source) on the terminal.
    as_of : date, optional
        The extract date; dates after it are rejected (default: today).
    on_file : callable, optional
        Called with ``(source, result)`` after each file is validated.

    Raises
    ------
    MissingInputError
        If geography or offences are not supplied, or a named file does not exist.
    InputDataError
        If a file cannot be read or lacks a required column.
    ConfigError
        If the pseudonymisation key or a definition is missing or invalid.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from svsna.config import AreaConfig
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "geo.csv").write_text("lsoa_code,lsoa_name,npa,district_code,district_name,county_code,"
    ...     "county_name\\nE01000001,A 1,N,D1,Dee,C1,Cee\\n")
    >>> _ = (d / "off.csv").write_text("offence_ref,ho_code,offence_description,committed_from,location_type,"
    ...     "lsoa,domestic_flag\\nR1,8N,ABH,2021-05-01 23:15,STREET,E01000001,N\\nR2,8N,ABH,2021-02-30 01:00,"
    ...     "STREET,E01000001,N\\n")
    >>> cfg = AreaConfig(name="Doc", base_dir=d, inputs={"geography": "geo.csv", "offences": "off.csv"})
    >>> res = ingest(cfg, progress=False, as_of=dt.date(2022, 1, 1))
    >>> res.rejects, res.tables["offences"], res.ledger_path.name
    (1, 1, 'ledger.csv')
    >>> led = res.ledger
    >>> led.loc[led["outcome"] == "rejected", "reason"].tolist()
    ['invalid date/time (committed_from)']
    """
    import polars as pl

    from svsna.definitions.definition import load_definitions
    from svsna.engine import WAREHOUSE_FILE, open_warehouse
    from svsna.sources.contracts import load_contracts
    from svsna.sources.readers import read_source
    from svsna.sources.tables import TABLE_NAMES, build_table

    as_of = as_of or dt.date.today()
    missing = [s for s in REQUIRED_SOURCES if config.input_path(s) is None]
    if missing:
        raise MissingInputError(
            f"required input(s) {missing} not set in area.yaml `inputs`; hint: add e.g. `offences: data/offences.csv`"
        )
    # Fail fast on configuration before reading any data.
    extra_dir = getattr(config, "definitions_dir", None)  # honoured if area.yaml gains such a setting
    if extra_dir is not None and not Path(extra_dir).is_absolute():
        extra_dir = config.base_dir / extra_dir
    definitions = load_definitions(list(config.definitions), base_dir=config.base_dir, extra_dir=extra_dir)
    pseudonymiser = _pseudonymiser_if_needed(config, demo)
    contracts = load_contracts()

    ledger = Ledger()
    rejects: list[pl.DataFrame] = []
    built: dict[str, pl.DataFrame] = {}
    refs: dict[str, frozenset[str]] = {}
    lsoas: frozenset[str] | None = None
    geo = None
    with _Progress(progress, len(LOAD_ORDER)) as bar:
        for source in LOAD_ORDER:
            path = config.input_path(source)
            bar.step(source, path)
            if path is None:
                ledger.not_supplied(source)
                continue
            contract = contracts[source]
            raw = read_source(path, contract)
            ctx = ValidationContext(as_of=as_of, lsoas=lsoas, references=refs, pseudonymiser=pseudonymiser)
            result = validate(raw, contract, ctx)
            ledger.add_file(
                source,
                result.file,
                read=result.read,
                loaded=result.loaded.height,
                rejected=result.reasons,
                how=raw.describe,
            )
            rejects.append(result.rejects)
            if on_file is not None:
                on_file(source, result)
            if source == "geography":
                geo = result.loaded
                lsoas = frozenset(geo.get_column("lsoa_code").to_list())
            if source == "offences":
                refs = {"offences.offence_ref": frozenset(result.loaded.get_column("offence_ref").to_list())}
            built[source] = build_table(source, result.loaded, geo)
    ledger.check()

    reject_frame = (
        pl.concat(rejects, how="vertical") if rejects else pl.DataFrame(schema=dict.fromkeys(REJECT_COLUMNS, pl.String))
    ).with_columns(pl.col("row_number").cast(pl.Int64))

    wh = open_warehouse(config.workspace_dir)
    tables: dict[str, int] = {}
    try:
        for source in LOAD_ORDER:
            name = TABLE_NAMES[source]
            if source in built:
                wh.write_table(name, built[source])
                tables[name] = built[source].height
            elif wh.has_table(name):
                wh.con.drop_table(name)
        tables["offence_decisions"], excluded = _classify(wh, definitions)
        off_file = Path(str(config.input_path("offences"))).name
        for definition, reason, rows in excluded.itertuples(index=False):
            ledger.add_excluded("offences", _file_name(off_file), definition, reason, int(rows))
        ledger_frame = ledger.frame()
        wh.write_table("ledger", _ledger_arrow(ledger_frame))
        wh.write_table("rejects", reject_frame)
        tables["ledger"] = len(ledger_frame)
        tables["rejects"] = reject_frame.height
    finally:
        wh.close()

    out = config.output_dir
    out.mkdir(parents=True, exist_ok=True)
    ledger_path = out / "ledger.csv"
    rejects_path = out / "rejects.csv"
    ledger_frame.to_csv(ledger_path, index=False)
    reject_frame.write_csv(rejects_path)
    return IngestResult(
        ledger=ledger_frame,
        rejects=reject_frame.height,
        workspace=config.workspace_dir,
        warehouse_path=config.workspace_dir / WAREHOUSE_FILE,
        ledger_path=ledger_path,
        rejects_path=rejects_path,
        tables=tables,
        key_label=getattr(pseudonymiser, "label", ""),
    )


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


def _file_name(name: str) -> str:
    return name.split("#", 1)[0]


def _classify(wh: Warehouse, definitions: list[Definition]) -> tuple[int, pd.DataFrame]:
    """Write ``offence_decisions`` in the warehouse (one Ibis expression); return its row count and
    the excluded counts by ``definition, reason`` (aggregated in the warehouse)."""
    from svsna.definitions.classifier import classify

    wh.con.create_table("offence_decisions", classify(wh.table("offences"), definitions), overwrite=True)
    dec = wh.table("offence_decisions")
    out = dec.filter(~dec.included)
    excluded = out.group_by(["definition", "reason"]).agg(rows=out.count()).order_by(["definition", "reason"])
    return int(wh.execute(dec.count())), wh.execute(excluded)


class _Progress:
    """A rich progress bar over the sources (silent when disabled)."""

    def __init__(self, enabled: bool, total: int) -> None:
        self.enabled = enabled
        self.total = total
        self._progress = None
        self._task = None

    def __enter__(self) -> _Progress:
        if self.enabled:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self._progress = Progress(
                TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), transient=False
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
            self._progress.__exit__(*exc)  # type: ignore[arg-type]
