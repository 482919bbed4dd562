"""Ingest partner extracts into the warehouse, with a row ledger where nothing is lost.

:func:`ingest` is the public entry point of ``svsna ingest``. It spans three layers, so it
lives here rather than in :mod:`svsna.sources`: the sources layer reads, validates and
pseudonymises every extract (:func:`svsna.sources.partnership.load_partnership`); the
definitions layer classifies every offence under each definition
(:func:`svsna.definitions.classifier.classify`, one Ibis expression run in the warehouse);
the engine writes the tables through Ibis into DuckDB. ``ledger`` and ``rejects`` are
written both as warehouse tables and as ``ledger.csv`` / ``rejects.csv`` in the output
folder. Nothing is written unless every file could be read.

Examples
--------
>>> import datetime as dt, tempfile, pathlib
>>> from svsna.config import AreaConfig
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "geo.csv").write_text("lsoa_code,lsoa_name,npa,district_code,district_name,county_code,"
...     "county_name\\nE01000001,A 1,N,D1,Dee,C1,Cee\\n")
>>> _ = (d / "off.csv").write_text("offence_ref,ho_code,offence_description,committed_from,location_type,"
...     "lsoa,domestic_flag\\nR1,8N,ABH,2021-05-01 23:15,STREET,E01000001,N\\nR2,105A,Push,2021-05-02 01:00,"
...     "STREET,E01000001,N\\n")
>>> cfg = AreaConfig(name="Doc", base_dir=d, inputs={"geography": "geo.csv", "offences": "off.csv"})
>>> res = ingest(cfg, progress=False, as_of=dt.date(2022, 1, 1))
>>> res.rejects, res.tables["offences"], res.tables["offence_decisions"], res.ledger_path.name
(0, 2, 2, 'ledger.csv')
>>> res.ledger.loc[res.ledger["outcome"] == "excluded", "reason"].tolist()
['excluded by definition llr_vrn: offence code not in definition']
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from svsna.config import AreaConfig
from svsna.sources.partnership import LOAD_ORDER, REQUIRED_SOURCES, check_required, load_partnership
from svsna.sources.validation import ValidationResult

if TYPE_CHECKING:
    import pandas as pd

    from svsna.definitions.definition import Definition
    from svsna.engine import Warehouse

__all__ = ["LOAD_ORDER", "REQUIRED_SOURCES", "IngestResult", "ingest"]


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
    """
    from svsna.definitions.definition import load_definitions
    from svsna.engine import WAREHOUSE_FILE, open_warehouse

    # Fail fast on configuration before reading any data.
    check_required(config)
    extra_dir = getattr(config, "definitions_dir", None)  # honoured if area.yaml gains such a setting
    if extra_dir is not None and not Path(extra_dir).is_absolute():
        extra_dir = config.base_dir / extra_dir
    definitions = load_definitions(list(config.definitions), base_dir=config.base_dir, extra_dir=extra_dir)
    data = load_partnership(config, demo=demo, progress=progress, as_of=as_of, on_file=on_file)

    ledger = data.ledger
    wh = open_warehouse(config.workspace_dir)
    tables: dict[str, int] = {}
    try:
        for name, frame in data.tables.items():
            wh.write_table(name, frame)
            tables[name] = frame.height
        for name in data.not_supplied:  # no stale table from an earlier run
            if wh.has_table(name):
                wh.con.drop_table(name)
        tables["offence_decisions"], excluded = _classify(wh, definitions)
        for definition, reason, rows in excluded.itertuples(index=False):
            ledger.add_excluded("offences", data.files["offences"], definition, reason, int(rows))
        ledger_frame = ledger.frame()
        wh.write_table("ledger", _ledger_arrow(ledger_frame))
        wh.write_table("rejects", data.rejects)
        tables["ledger"] = len(ledger_frame)
        tables["rejects"] = data.rejects.height
    finally:
        wh.close()

    out = config.output_dir
    out.mkdir(parents=True, exist_ok=True)
    ledger_path = out / "ledger.csv"
    rejects_path = out / "rejects.csv"
    ledger_frame.to_csv(ledger_path, index=False)
    data.rejects.write_csv(rejects_path)
    return IngestResult(
        ledger=ledger_frame,
        rejects=data.rejects.height,
        workspace=config.workspace_dir,
        warehouse_path=config.workspace_dir / WAREHOUSE_FILE,
        ledger_path=ledger_path,
        rejects_path=rejects_path,
        tables=tables,
        key_label=data.key_label,
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


def _classify(wh: Warehouse, definitions: list[Definition]) -> tuple[int, pd.DataFrame]:
    """Write ``offence_decisions`` in the warehouse (one Ibis expression); return its row count and
    the excluded counts by ``definition, reason`` (both from one aggregate run in the warehouse)."""
    import pandas as pd

    from svsna.definitions.classifier import classify

    wh.con.create_table("offence_decisions", classify(wh.table("offences"), definitions), overwrite=True)
    dec = wh.table("offence_decisions")
    # A few rows (definitions x reasons) come back as Arrow: no pandas conversion machinery for two numbers.
    counts = dec.group_by(["definition", "reason", "included"]).agg(rows=dec.count()).to_pyarrow().to_pylist()
    total = sum(int(c["rows"]) for c in counts)
    excluded = sorted((c["definition"], c["reason"], int(c["rows"])) for c in counts if not c["included"])
    return total, pd.DataFrame(excluded, columns=["definition", "reason", "rows"])
