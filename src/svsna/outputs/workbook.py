"""The Excel workbooks of the report's tables, and the indicator tables as CSV and Parquet.

Two workbooks, one per edition:

- ``restricted/sna-tables.xlsx``: one sheet per report section that has tables (each table
  under its number and caption, with its source line), then ``Indicators`` (the exact
  indicator table), ``Ledger`` (the ingest ledger) and ``Methods`` (version, definitions,
  periods, input hashes). The protective marking (``disclosure.protective_marking`` in
  ``area.yaml``) is the first row of every sheet and in the document properties.
- ``public/sna-public-tables.xlsx``: the public summary's tables, ``Indicators`` (the public,
  disclosure-controlled indicator table) and ``About`` (rule set and audit). No ledger, file
  names or hashes.

Every text cell is a string cell, never a formula: text that a spreadsheet would run
(``= + - @``, tab, CR ...) is prefixed with ``'`` (:func:`svsna.cells.neutralise`) and the
cell type is set to text explicitly. CSV files are neutralised the same way. Files are
written atomically and owner-only (:mod:`svsna.files`).

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

from svsna.cells import neutralise, write_csv
from svsna.outputs.content import Cell, Section

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["sheet_name", "write_indicator_files", "write_workbook"]

_BAD = re.compile(r"[\[\]:*?/\\]")


def sheet_name(title: str, taken: set[str]) -> str:
    """An Excel-safe, unique sheet name (at most 31 characters, no ``[]:*?/\\``)."""
    base = _BAD.sub(" ", title).strip()[:31].rstrip() or "Sheet"
    base = base.lstrip("'=+-@") or "Sheet"  # a sheet name is text too
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


class _Sheet:
    """A write-only sheet whose text cells are always strings (never formulas)."""

    def __init__(self, wb: Any, title: str, taken: set[str], banner: str | None) -> None:
        self.ws = wb.create_sheet(sheet_name(title, taken))
        self.first_row = 2 if banner else 1
        if banner:
            self.row([banner], bold=True)

    def cell(self, value: Any, *, bold: bool = False, number_format: str | None = None) -> Any:
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font

        v = _plain(value)
        if isinstance(v, str):
            v = neutralise(v)
        cell = WriteOnlyCell(self.ws, value=v)
        if isinstance(v, str):
            cell.data_type = "s"  # text, whatever it starts with
        if bold:
            cell.font = Font(bold=True)
        if number_format:
            cell.number_format = number_format
        return cell

    def row(self, values: list[Any], *, bold: bool = False) -> None:
        self.ws.append([self.cell(v, bold=bold) for v in values])


def write_workbook(
    path: Path,
    sections: list[Section],
    indicators: pd.DataFrame,
    ledger: pd.DataFrame | None,
    metadata: dict[str, Any],
    *,
    marking: str | None = None,
    edition: str = "full",
    about: list[tuple[str, str]] | None = None,
) -> Path:
    """Write one edition's workbook (see the module docstring); returns ``path``.

    Parameters
    ----------
    marking : str, optional
        Protective marking: first row of every sheet and the document properties (restricted).
    edition : {"full", "public"}
        ``public`` leaves out the ledger and the input hashes and names the indicator sheet's
        table as the public one; ``about`` rows describe the release.
    """
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    from svsna.files import atomic_path

    public = edition == "public"
    wb = Workbook(write_only=True)
    taken: set[str] = set()
    banner = marking
    for sec in sections:
        if not sec.tables:
            continue
        sh = _Sheet(wb, f"{sec.number} {sec.title}", taken, banner)
        for j in range(1, 10):
            sh.ws.column_dimensions[get_column_letter(j)].width = 28 if j == 1 else 16
        for t in sec.tables:
            sh.row([f"{t.label}: {t.caption}"], bold=True)
            sh.row(list(t.columns), bold=True)
            for r in t.cells():
                line = []
                for c in r:
                    v = _cell_value(c)
                    fmt = "0.0%" if isinstance(v, float) and c.text.endswith("%") else None
                    line.append(sh.cell(v, number_format=fmt))
                sh.ws.append(line)
            sh.row([f"(Source: {t.source})" + (f" {t.notes}" if t.notes else "")])
            sh.ws.append([])
    _frame_sheet(_Sheet(wb, "Indicators", taken, banner), indicators)
    if ledger is not None and not public:
        _frame_sheet(_Sheet(wb, "Ledger", taken, banner), ledger)
    sh = _Sheet(wb, "About" if public else "Methods", taken, banner)
    sh.ws.column_dimensions["A"].width = 40
    sh.ws.column_dimensions["B"].width = 70
    sh.row(["Item", "Value"], bold=True)
    sh.row(["svsna version", str(metadata.get("svsna_version", ""))])
    sh.row(["Generated", str(metadata.get("generated", ""))])
    for d in metadata.get("definitions", []):
        sh.row(["Definition", str(d)])
    for p in metadata.get("periods", []):
        sh.row(["Period", str(p)])
    for k, v in about or []:
        sh.row([k, v])
    if not public:
        for name, digest in (metadata.get("input_hashes") or {}).items():
            sh.row([f"SHA-256 {name}", str(digest)])
    props = wb.properties
    props.title = f"{metadata.get('title', 'Serious Violence Strategic Needs Assessment')} tables"
    props.creator = f"svsna {metadata.get('svsna_version', '')}"
    if marking:
        props.subject = marking
        props.keywords = marking
        props.category = marking
        props.contentStatus = marking
        props.description = f"{marking}: restricted, contains unrounded figures; do not publish."
    else:
        props.subject = "Public release (disclosure-controlled)"
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return path


def _frame_sheet(sh: _Sheet, frame: pd.DataFrame) -> None:
    sh.ws.freeze_panes = f"A{sh.first_row + 1}"
    sh.row([str(c) for c in frame.columns], bold=True)
    append = sh.ws.append
    cell = sh.cell
    for row in frame.astype(object).where(frame.notna(), None).itertuples(index=False, name=None):
        append([cell(v) for v in row])


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
    table: pd.DataFrame, csv_path: Path | None, parquet_path: Path | None, *, overwrite_csv: bool = True
) -> None:
    """An indicator table as CSV (UTF-8, text neutralised against formulas, line breaks in cells
    quoted: :func:`svsna.cells.write_csv`) and Parquet, atomically."""
    from svsna.files import atomic_path

    if csv_path is not None and overwrite_csv:
        with atomic_path(csv_path) as tmp:
            write_csv(table, tmp)
    if parquet_path is not None:
        with atomic_path(parquet_path) as tmp:
            table.to_parquet(tmp, index=False)
