"""A partnership's extracts, file by file and batch by batch: the sources layer of ``svsna ingest``.

:func:`inspect_inputs` checks every input named in ``area.yaml`` *before anything is read
or written*: each must exist, be a file (not a folder) and be readable; it is read once in
chunks to take its size and SHA-256 (recorded with the ingest run) and, for CSV, to
detect its encoding. Every problem is found at once, not when a file's turn comes.

:func:`stream_source` then reads one file in batches, validates each batch against the
contract (:func:`svsna.sources.validation.validate`), pseudonymises it and shapes it as
its warehouse table (:mod:`svsna.sources.tables`), yielding :class:`SourceBatch` es. It
touches no warehouse: :func:`svsna.pipeline.ingest.ingest` stages the batches in the
engine, applies the cross-row rules (:mod:`svsna.sources.crossrow`), classifies the
offences and switches the warehouse in one step.

Geography and offences are required; any other source that is not supplied is recorded
in the ledger as ``not supplied``.

Examples
--------
>>> import datetime as dt, tempfile, pathlib
>>> from svsna.config import AreaConfig
>>> from svsna.sources.validation import ValidationContext
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "geo.csv").write_text("lsoa_code,lsoa_name,npa,district_code,district_name,county_code,"
...     "county_name\\nE01000001,A 1,N,D1,Dee,C1,Cee\\n")
>>> _ = (d / "off.csv").write_text("offence_ref,ho_code,offence_description,committed_from,location_type,"
...     "lsoa,domestic_flag\\nR1,8N,ABH,2021-05-01 23:15,STREET,E01000001,N\\n")
>>> cfg = AreaConfig(name="Doc", base_dir=d, inputs={"geography": "geo.csv", "offences": "off.csv"})
>>> files = inspect_inputs(cfg)
>>> files["geography"].encoding[0], files["geography"].bytes
('utf-8', 106)
>>> ctx = ValidationContext(dt.date(2022, 1, 1))
>>> [b.table.height for b in stream_source(cfg, "geography", files["geography"], ctx)]
[1]
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from svsna.config import SOURCE_NAMES, AreaConfig
from svsna.errors import FileSystemFault, InputDataError, MissingInputError

if TYPE_CHECKING:
    import polars as pl

    from svsna.sources.readers import FileFacts, Limits
    from svsna.sources.validation import ValidationContext

__all__ = [
    "LOAD_ORDER",
    "REQUIRED_SOURCES",
    "InputFile",
    "SourceBatch",
    "check_required",
    "inspect_inputs",
    "limits_for",
    "stream_source",
]

LOAD_ORDER: tuple[str, ...] = SOURCE_NAMES
"""Sources in the order they are loaded (geography first: others are checked against it)."""
REQUIRED_SOURCES: tuple[str, ...] = ("geography", "offences")


@dataclass(frozen=True)
class InputFile:
    """One input as found before ingest: where, how big, its SHA-256 and (CSV) its encoding."""

    source: str
    path: Path
    """As named in area.yaml (``book.xlsx#Sheet`` keeps its sheet)."""
    file: Path
    bytes: int
    sha256: str
    encoding: tuple[str, str] | None = None

    def record(self) -> dict[str, object]:
        """For the ingest-run record."""
        return {"file": self.path.name, "bytes": self.bytes, "sha256": self.sha256}


@dataclass
class SourceBatch:
    """One validated batch of a file: its warehouse-table rows and its rejects."""

    table: pl.DataFrame
    rejects: pl.DataFrame
    reasons: dict[str, int]
    read: int
    rejected_keys: pl.DataFrame | None
    facts: FileFacts


def check_required(config: AreaConfig) -> None:
    """Raise :class:`MissingInputError` unless geography and offences are supplied."""
    missing = [s for s in REQUIRED_SOURCES if config.input_path(s) is None]
    if missing:
        raise MissingInputError(
            f"required input(s) {missing} not set in area.yaml `inputs`; hint: add e.g. `offences: data/offences.csv`"
        )


def inspect_inputs(config: AreaConfig, *, faults: dict[str, InputDataError] | None = None) -> dict[str, InputFile]:
    """Check every input before ingest changes anything; return what was found, by source.

    With ``faults`` (``svsna check``), a CSV file that cannot be decoded is recorded there by
    source and left out of the result, instead of raising.

    Raises
    ------
    MissingInputError
        (exit 5) Naming every input file that does not exist, at once.
    FileSystemFault
        (exit 8) An input that is a folder or cannot be read.
    InputDataError
        (exit 4) A CSV file that cannot be decoded (with the line of the first bad byte).
    """
    from svsna.sources.readers import scan_csv_encoding, split_sheet

    check_required(config)
    found: dict[str, InputFile] = {}
    missing: list[str] = []
    for source in LOAD_ORDER:
        path = config.input_path(source)
        if path is None:
            continue
        file, _sheet = split_sheet(path)
        if not file.exists():
            missing.append(f"{source} ({file})")
            continue
        if file.is_dir():
            raise FileSystemFault(f"input {source}: {file} is a folder, not a file", hint="name the file in area.yaml")
        if not os.access(file, os.R_OK):
            raise FileSystemFault(
                f"input {source}: permission denied reading {file}", hint="check the file's permissions"
            )
        digest = hashlib.sha256()
        size = 0
        with open(file, "rb") as fh:
            while block := fh.read(1 << 20):
                digest.update(block)
                size += len(block)
        try:
            encoding = scan_csv_encoding(file) if file.suffix.lower() in (".csv", ".txt") else None
        except InputDataError as exc:
            if faults is None:
                raise
            faults[source] = exc
            continue
        found[source] = InputFile(source, path, file, size, digest.hexdigest(), encoding)
    if missing:
        raise MissingInputError(
            f"input file(s) not found: {'; '.join(missing)}; hint: check `inputs` in area.yaml "
            "(paths are relative to the area file's folder)"
        )
    return found


def limits_for(config: AreaConfig) -> Limits:
    """The reader limits from area.yaml ``limits:`` (defaults where not set)."""
    from svsna.sources.readers import Limits

    lim = config.limits
    return Limits(
        max_field_chars=lim.max_field_chars,
        xlsx_max_uncompressed_mb=lim.xlsx_max_uncompressed_mb,
        xlsx_max_rows=lim.xlsx_max_rows,
        batch_rows=lim.batch_rows,
    )


def stream_source(
    config: AreaConfig,
    source: str,
    input_file: InputFile,
    ctx: ValidationContext,
    geo: pl.DataFrame | None = None,
) -> Iterator[SourceBatch]:
    """Read, validate, pseudonymise and shape one input in batches.

    ``geo`` is the loaded geography (for names of LSOAs); ``ctx`` carries the extract date,
    the loaded LSOAs and the pseudonymiser. The first batch is yielded even when empty, so
    the table's columns are known.
    """
    from svsna.sources.contracts import load_contracts
    from svsna.sources.readers import ExtractReader
    from svsna.sources.tables import build_table
    from svsna.sources.validation import validate

    contract = load_contracts()[source]
    reader = ExtractReader(
        input_file.path,
        contract,
        limits=limits_for(config),
        columns=config.columns.get(source),
        encoding=input_file.encoding,
    )
    name = reader.facts.display
    for raw in reader:
        res = validate(raw, contract, ctx, file=name)
        table = build_table(source, res.loaded, geo)
        yield SourceBatch(table, res.rejects, res.reasons, res.read, res.rejected_keys, reader.facts)
