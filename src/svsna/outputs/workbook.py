"""The Excel workbook of every report table, and the indicator table as CSV and Parquet.

One sheet per report section that has tables (each table under its number and
caption, with its source line), then ``Indicators`` (the whole indicator table),
``Ledger`` (the ingest ledger) and ``Methods`` (run metadata: version, definitions,
periods, input hashes). The workbook carries the full edition's unrounded figures and
is restricted like the full SNA.

Examples
--------
>>> sheet_name("Geography of serious violence", set())
'Geography of serious violence'
>>> sheet_name("A very long section title that will not fit in Excel", {"A very long section title that"})
'A very long section title tha 2'
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from svsna.outputs.content import Cell, Section

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["sheet_name", "write_indicator_files", "write_workbook"]

_BAD = re.compile(r"[\[\]:*?/\\]")


def sheet_name(title: str, taken: set[str]) -> str:
    """An Excel-safe, unique sheet name (at most 31 characters, no ``[]:*?/\\``)."""
    base = _BAD.sub(" ", title).strip()[:31].rstrip() or "Sheet"
    name, k = base, 1
    while name in taken:
        k += 1
        suffix = f" {k}"
        name = base[: 31 - len(suffix)].rstrip() + suffix
    taken.add(name)
    return name


def _cell_value(c: Cell | str) -> Any:
    text = c.text if isinstance(c, Cell) else str(c)
    plain = text.replace(",", "")
    if re.fullmatch(r"-?\d+(\.\d+)?", plain):
        return float(plain) if "." in plain else int(plain)
    if re.fullmatch(r"-?\d+(\.\d+)?%", plain):
        return float(plain[:-1]) / 100
    return text + (f" {c.marker}" if isinstance(c, Cell) and c.marker else "")


def write_workbook(
    path: Path,
    sections: list[Section],
    indicators: pd.DataFrame,
    ledger: pd.DataFrame | None,
    metadata: dict[str, Any],
) -> None:
    """Write the workbook (see the module docstring). Streams rows (openpyxl write-only mode)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    taken: set[str] = set()
    bold = Font(bold=True)

    def strong(ws: Any, values: list[Any]) -> list[Any]:
        out = []
        for v in values:
            cell = WriteOnlyCell(ws, value=v)
            cell.font = bold
            out.append(cell)
        return out

    for sec in sections:
        if not sec.tables:
            continue
        ws = wb.create_sheet(sheet_name(f"{sec.number} {sec.title}", taken))
        for j in range(1, 10):
            ws.column_dimensions[get_column_letter(j)].width = 28 if j == 1 else 16
        for t in sec.tables:
            ws.append(strong(ws, [f"{t.label}: {t.caption}"]))
            ws.append(strong(ws, list(t.columns)))
            for row in t.cells():
                line = []
                for c in row:
                    v = _cell_value(c)
                    cell = WriteOnlyCell(ws, value=v)
                    if isinstance(v, float) and c.text.endswith("%"):
                        cell.number_format = "0.0%"
                    line.append(cell)
                ws.append(line)
            ws.append([f"(Source: {t.source})" + (f" {t.notes}" if t.notes else "")])
            ws.append([])
    _frame_sheet(wb.create_sheet(sheet_name("Indicators", taken)), indicators, strong)
    if ledger is not None:
        _frame_sheet(wb.create_sheet(sheet_name("Ledger", taken)), ledger, strong)
    ws = wb.create_sheet(sheet_name("Methods", taken))
    ws.column_dimensions["A"].width = 40
    ws.column_dimensions["B"].width = 70
    ws.append(strong(ws, ["Item", "Value"]))
    ws.append(["svsna version", str(metadata.get("svsna_version", ""))])
    ws.append(["Generated", str(metadata.get("generated", ""))])
    for d in metadata.get("definitions", []):
        ws.append(["Definition", str(d)])
    for p in metadata.get("periods", []):
        ws.append(["Period", str(p)])
    for name, digest in (metadata.get("input_hashes") or {}).items():
        ws.append([f"SHA-256 {name}", str(digest)])
    wb.save(path)


def _frame_sheet(ws: Any, frame: pd.DataFrame, strong: Any) -> None:
    ws.freeze_panes = "A2"
    ws.append(strong(ws, [str(c) for c in frame.columns]))
    append = ws.append
    for row in frame.astype(object).where(frame.notna(), None).itertuples(index=False, name=None):
        append([_plain(v) for v in row])


def _plain(v: Any) -> Any:
    import math

    if v is None:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if hasattr(v, "item"):
        v = v.item()
    return v if isinstance(v, int | float | str | bool) else str(v)


def write_indicator_files(
    table: pd.DataFrame, csv_path: Path, parquet_path: Path, *, overwrite_csv: bool = True
) -> None:
    """The indicator table as CSV (UTF-8) and Parquet."""
    if overwrite_csv:
        table.to_csv(csv_path, index=False)
    table.to_parquet(parquet_path, index=False)
