"""Read and validate a whole partnership's extracts: the sources layer of ``svsna ingest``.

:func:`load_partnership` reads every input named in ``area.yaml`` in dependency order
(geography, population, offences, victims, suspects, then the health and area sources),
validates each row against its contract, pseudonymises person identifiers and shapes the
warehouse tables (see CONTRIBUTING.md), keeping a row ledger where nothing is lost. It
touches no warehouse: :func:`svsna.pipeline.ingest.ingest` writes the tables, classifies
the offences under each definition and writes ``ledger.csv`` / ``rejects.csv``.

Geography and offences are required; any other source that is not supplied is skipped
and recorded in the ledger as ``not supplied``.

Examples
--------
>>> import datetime as dt, tempfile, pathlib
>>> from svsna.config import AreaConfig
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "geo.csv").write_text("lsoa_code,lsoa_name,npa,district_code,district_name,county_code,"
...     "county_name\\nE01000001,A 1,N,D1,Dee,C1,Cee\\n")
>>> _ = (d / "off.csv").write_text("offence_ref,ho_code,offence_description,committed_from,location_type,"
...     "lsoa,domestic_flag\\nR1,8N,ABH,2021-05-01 23:15,STREET,E01000001,N\\nR2,8N,ABH,2021-02-30 01:00,"
...     "STREET,E01000001,N\\n")
>>> cfg = AreaConfig(name="Doc", base_dir=d, inputs={"geography": "geo.csv", "offences": "off.csv"})
>>> data = load_partnership(cfg, progress=False, as_of=dt.date(2022, 1, 1))
>>> data.tables["offences"].height, data.rejects.height
(1, 1)
>>> led = data.ledger.frame()
>>> led.loc[led["outcome"] == "rejected", "reason"].tolist()
['invalid date/time (committed_from)']
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from svsna.config import SOURCE_NAMES, AreaConfig
from svsna.errors import MissingInputError
from svsna.sources.ledger import Ledger
from svsna.sources.validation import REJECT_COLUMNS, ValidationContext, ValidationResult, validate

if TYPE_CHECKING:
    import polars as pl

    from svsna.pseudonym import Pseudonymiser

__all__ = ["LOAD_ORDER", "REQUIRED_SOURCES", "PartnershipData", "check_required", "load_partnership"]

LOAD_ORDER: tuple[str, ...] = SOURCE_NAMES
"""Sources in the order they are loaded (geography first: others are checked against it)."""
REQUIRED_SOURCES: tuple[str, ...] = ("geography", "offences")


@dataclass
class PartnershipData:
    """A partnership's validated extracts, shaped as warehouse tables, with the ledger."""

    tables: dict[str, pl.DataFrame]
    """Warehouse table name -> rows (only for supplied sources)."""
    not_supplied: list[str]
    """Warehouse table names of sources that were not supplied."""
    ledger: Ledger
    rejects: pl.DataFrame
    files: dict[str, str]
    """Source -> file name as recorded in the ledger."""
    key_label: str = ""


def check_required(config: AreaConfig) -> None:
    """Raise :class:`MissingInputError` unless geography and offences are supplied."""
    missing = [s for s in REQUIRED_SOURCES if config.input_path(s) is None]
    if missing:
        raise MissingInputError(
            f"required input(s) {missing} not set in area.yaml `inputs`; hint: add e.g. `offences: data/offences.csv`"
        )


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


def load_partnership(
    config: AreaConfig,
    *,
    demo: bool = False,
    progress: bool = True,
    as_of: dt.date | None = None,
    on_file: Callable[[str, ValidationResult], None] | None = None,
) -> PartnershipData:
    """Read, validate, pseudonymise and shape every input of ``config``.

    Parameters
    ----------
    config : AreaConfig
        The area configuration (inputs and pseudonymisation key settings).
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
        If the pseudonymisation key is missing or invalid (checked before reading anything).
    """
    import polars as pl

    from svsna.sources.contracts import load_contracts
    from svsna.sources.readers import read_source
    from svsna.sources.tables import TABLE_NAMES, build_table

    as_of = as_of or dt.date.today()
    check_required(config)
    pseudonymiser = _pseudonymiser_if_needed(config, demo)
    contracts = load_contracts()

    ledger = Ledger()
    rejects: list[pl.DataFrame] = []
    tables: dict[str, pl.DataFrame] = {}
    files: dict[str, str] = {}
    not_supplied: list[str] = []
    refs: dict[str, frozenset[str]] = {}
    lsoas: frozenset[str] | None = None
    geo = None
    with _Progress(progress, len(LOAD_ORDER)) as bar:
        for source in LOAD_ORDER:
            path = config.input_path(source)
            bar.step(source, path)
            if path is None:
                ledger.not_supplied(source)
                not_supplied.append(TABLE_NAMES[source])
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
            files[source] = result.file
            rejects.append(result.rejects)
            if on_file is not None:
                on_file(source, result)
            if source == "geography":
                geo = result.loaded
                lsoas = frozenset(geo.get_column("lsoa_code").to_list())
            if source == "offences":
                refs = {"offences.offence_ref": frozenset(result.loaded.get_column("offence_ref").to_list())}
            tables[TABLE_NAMES[source]] = build_table(source, result.loaded, geo)
    ledger.check()
    reject_frame = (
        pl.concat(rejects, how="vertical") if rejects else pl.DataFrame(schema=dict.fromkeys(REJECT_COLUMNS, pl.String))
    ).with_columns(pl.col("row_number").cast(pl.Int64))
    return PartnershipData(
        tables=tables,
        not_supplied=not_supplied,
        ledger=ledger,
        rejects=reject_frame,
        files=files,
        key_label=getattr(pseudonymiser, "label", ""),
    )


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
