"""Open-data files in: read, validate and classify every row as loaded, excluded or rejected.

A published open-data file (data.police.uk street-level crime) goes through the same steps as a
partner extract -- :class:`~svsna.sources.readers.ExtractReader` reads it in batches,
:func:`~svsna.sources.validation.validate` rejects the rows that break its contract (one reject
record per problem: file, line, column, value, rule, message) -- and then the contract's
``exclusions`` sort the valid rows: the first exclusion that applies is the row's reason
(``excluded: <reason>``), and a row no exclusion applies to is loaded. :func:`load_file` returns
the loaded and excluded rows with their ``outcome`` and ``reason``, the rejects, and the counts
:meth:`~svsna.sources.ledger.Ledger.add_file` records (``read == loaded + excluded + rejected``).

Everything is vectorised (polars expressions over each batch); only rejected rows are looked at
one by one, to write their reject records.

Examples
--------
>>> import datetime as dt, gzip, tempfile, pathlib
>>> from svsna.sources.contracts import load_open_data_contracts
>>> from svsna.sources.validation import ValidationContext
>>> street = load_open_data_contracts()["police_uk_street"]
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> head = "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,"
>>> rows = ["a,2021-05,,,-1.1,52.6,,E01000001,,Robbery,,", "b,2021-05,,,,,,,,Robbery,,",
...         "c,2021-05,,,-1.1,52.6,,E01000002,,Robbery,,", "d,2021-13,,,,,,,,Robbery,,"]
>>> with gzip.open(d / "2021-05-x-street.csv.gz", "wt") as fh:
...     _ = fh.write(head + "Last outcome category,Context\\n" + "\\n".join(rows) + "\\n")
>>> ctx = ValidationContext(as_of=dt.date(2030, 1, 1), file_values={"month": "2021-05"})
>>> sets = {"national_lsoas": {"E01000001", "E01000002"}, "area_lsoas": {"E01000001"}}
>>> res = load_file(d / "2021-05-x-street.csv.gz", street, ctx, sets=sets)
>>> res.read, res.loaded, res.rejected
(4, 1, {'pattern mismatch (month)': 1})
>>> sorted(res.excluded.items())  # doctest: +NORMALIZE_WHITESPACE
[('excluded: no location (blank LSOA code)', 1),
 ('excluded: outside force area (an LSOA of another police force area)', 1)]
>>> res.rejects.select("row_number", "column", "value", "rule").rows()
[(5, 'month', '2021-13', 'pattern mismatch')]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from svsna.sources.contracts import SourceContract
from svsna.sources.readers import ExtractReader, Limits
from svsna.sources.validation import REJECT_COLUMNS, ValidationContext, validate

if TYPE_CHECKING:
    import polars as pl

__all__ = ["LOADED", "FileLoad", "exclusion_reason", "load_file"]

LOADED = "loaded"


@dataclass
class FileLoad:
    """One file read, validated and classified."""

    file: str
    read: int
    rows: pl.DataFrame
    """Loaded and excluded rows: ``_row``, the contract's typed fields, ``outcome``, ``reason``."""
    rejects: pl.DataFrame
    """One record per problem (:data:`~svsna.sources.validation.REJECT_COLUMNS`)."""
    rejected: dict[str, int] = field(default_factory=dict)
    """Rejected rows by primary reason."""
    excluded: dict[str, int] = field(default_factory=dict)
    """Excluded rows by ledger reason (``excluded: ...``)."""
    how: str = ""
    """How the file was read (format, encoding), for the ledger's ``read`` line."""

    @property
    def loaded(self) -> int:
        return self.read - sum(self.rejected.values()) - sum(self.excluded.values())


def exclusion_reason(contract: SourceContract, sets: Mapping[str, Any]) -> pl.Expr:
    """The ledger reason of each valid row (``"loaded"`` when no exclusion applies), as a polars expression.

    ``sets`` gives the values of every set a ``not_in`` exclusion names (build the expression once
    and pass it to :func:`load_file` for many files: a national set has tens of thousands of values).
    """
    import polars as pl

    expr: Any = pl
    for e in contract.exclusions:
        col = pl.col(e.field)
        if e.when == "blank":
            cond = col.is_null()
        elif e.when == "not_in":
            if e.set not in sets:
                raise KeyError(f"exclusion {e.key!r} of {contract.name} needs the set {e.set!r}")
            cond = ~col.is_in(pl.Series(values=sorted(sets[str(e.set)]), dtype=pl.String).implode())
        else:
            cond = col == pl.lit(e.value)
        expr = expr.when(cond.fill_null(False)).then(pl.lit(e.ledger_reason))
    if expr is pl:
        return pl.lit(LOADED)
    return expr.otherwise(pl.lit(LOADED))


def load_file(
    path: str | Path,
    contract: SourceContract,
    ctx: ValidationContext,
    *,
    sets: Mapping[str, Any] | None = None,
    reason: pl.Expr | None = None,
    limits: Limits | None = None,
    engine: str = "arrow",
) -> FileLoad:
    """Read, validate and classify one file (see the module docstring).

    ``reason`` is :func:`exclusion_reason` already built (else it is built from ``sets``).

    Raises what :class:`~svsna.sources.readers.ExtractReader` raises for a file that cannot be read.
    """
    import polars as pl

    reader = ExtractReader(path, contract, limits=limits, engine=engine)
    name = reader.file.name
    reason = reason if reason is not None else exclusion_reason(contract, sets or {})
    parts, rejects = [], []
    read = 0
    rejected: dict[str, int] = {}
    for batch in reader:
        res = validate(batch, contract, ctx, file=name)
        read += res.read
        for k, v in res.reasons.items():
            rejected[k] = rejected.get(k, 0) + v
        if res.rejects.height:
            rejects.append(res.rejects)
        rows = res.loaded.with_columns(reason.alias("reason"))
        parts.append(
            rows.with_columns(
                pl.when(pl.col("reason") == LOADED).then(pl.lit(LOADED)).otherwise(pl.lit("excluded")).alias("outcome")
            )
        )
    rows = pl.concat(parts, how="vertical") if parts else pl.DataFrame()
    excluded: dict[str, int] = {}
    if rows.height:
        counts = rows.filter(pl.col("outcome") == "excluded").group_by("reason").len()
        excluded = {str(r): int(n) for r, n in counts.iter_rows()}
    reject_frame = (
        pl.concat(rejects, how="vertical")
        if rejects
        else pl.DataFrame(schema={c: pl.Int64 if c == "row_number" else pl.String for c in REJECT_COLUMNS})
    )
    return FileLoad(name, read, rows, reject_frame, rejected, excluded, reader.facts.describe)
