"""A minimal column table (name -> numpy object array of strings) and its CSV writer.

Chunks are built and written without pandas: the CSV module writes them about ten
times faster than ``DataFrame.to_csv`` for string data.

Examples
--------
>>> import io, numpy as np
>>> t = Table({"a": np.array(["1", "2"], dtype=object), "b": np.array(["x", "y,z"], dtype=object)})
>>> buf = io.StringIO()
>>> write_csv(buf, t, header=True)
>>> buf.getvalue()
'a,b\\n1,x\\n2,"y,z"\\n'
>>> len(concat([t, t.take(np.array([1]))]))
3
"""

from __future__ import annotations

import csv
from typing import IO

import numpy as np

__all__ = ["Table", "concat", "write_csv"]


class Table(dict):
    """Ordered columns of equal length (a ``dict`` of numpy arrays)."""

    def __init__(self, columns: dict) -> None:
        super().__init__((k, np.asarray(v, dtype=object)) for k, v in columns.items())

    @property
    def columns(self) -> list[str]:
        return list(self)

    def __len__(self) -> int:  # number of rows
        return len(next(iter(self.values()))) if dict.__len__(self) else 0

    def take(self, index: np.ndarray) -> Table:
        """Rows at ``index`` (positions), in that order."""
        return Table({k: v[index] for k, v in self.items()})

    def insert_first(self, name: str, values: np.ndarray) -> None:
        """Put column ``name`` first."""
        items = [(name, np.asarray(values, dtype=object)), *self.items()]
        self.clear()
        self.update(items)

    def copy(self) -> Table:
        return Table({k: v.copy() for k, v in self.items()})


def concat(tables: list[Table]) -> Table:
    """Rows of ``tables`` one after another (same columns)."""
    cols = tables[0].columns
    return Table({c: np.concatenate([t[c] for t in tables]) for c in cols})


def write_csv(fh: IO[str], table: Table, header: bool) -> None:
    """Write ``table`` to an open text file (minimal quoting, ``\\n`` line ends)."""
    w = csv.writer(fh, lineterminator="\n")
    if header:
        w.writerow(table.columns)
    w.writerows(zip(*table.values(), strict=True))
