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
>>> sheet_name("A very long section title that will not fit in Excel", set())
'A very long section title that'
>>> sheet_name("A very long section title that will not fit in Excel", {"A very long section title that"})
'A very long section title 2'
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from itertools import repeat
from pathlib import Path
from typing import TYPE_CHECKING, Any

from svsna.cells import neutralise, write_csv
from svsna.outputs.content import Cell, Section, cell_text
from svsna.outputs.wording import nest_brackets

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Book", "Sheet", "section_sheets", "sheet_name", "write_indicator_files", "write_workbook"]

_BAD = re.compile(r"[\[\]:*?/\\]")


def sheet_name(title: str, taken: set[str]) -> str:
    """An Excel-safe, unique sheet name (at most 31 characters, no ``[]:*?/\\``), shortened at a
    word boundary (never mid-word) when it is too long."""
    base = _BAD.sub(" ", title).strip().lstrip("'=+-@").strip() or "Sheet"  # a sheet name is text too
    name, k = _fit(base, 31), 1
    while name in taken:
        k += 1
        suffix = f" {k}"
        name = _fit(base, 31 - len(suffix)) + suffix
    taken.add(name)
    return name


def _fit(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters at the last word boundary (mid-word only for one long word).

    >>> _fit("Geography of serious violence", 20), _fit("Supercalifragilistic", 5)
    ('Geography of serious', 'Super')
    """
    if len(text) <= width:
        return text
    cut = text[:width]
    if text[width] != " " and " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip() or text[:width]


#: Excel number formats by what a cell's number is (the report's own decimals: counts whole, a
#: percentage to one place, rates and other values to two)
NUMBER_FORMATS: dict[str, str] = {"count": "#,##0", "percent": "0.0%"}
OTHER_NUMBER_FORMAT = "0.00"


def _cell_value(c: Cell | str) -> tuple[Any, str | None]:
    """What a table cell writes to the workbook, and its number format: the number the cell carries
    (a percentage as a fraction), or its text when it is not one number (a symbol such as [c], an
    interval, a value with a significance mark)."""
    if isinstance(c, Cell) and c.value is not None and not c.marker:
        if c.kind == "percent":
            return c.value / 100, NUMBER_FORMATS["percent"]
        if c.dp is not None and c.kind != "count":  # shown at the precision it was published at
            return c.value, "#,##0" + ("." + "0" * c.dp if c.dp else "")
        return c.value, NUMBER_FORMATS.get(c.kind, OTHER_NUMBER_FORMAT)
    return cell_text(c) + (f" {c.marker}" if isinstance(c, Cell) and c.marker else ""), None


def _marks_apart(columns: list[str], rows: list[list[Cell | str]]) -> tuple[list[str], list[list[Cell | str]]]:
    """A column whose numbers carry a comparison mark ("251 ✗") written as two: the number, as a
    number, and the mark in a column of its own after it ("Leicester: compared"), so every value of
    the column is a number a spreadsheet can use.

    >>> cols, rows = _marks_apart(["Area", "Value"], [["A", Cell("251", value=251.0, marker="✗")], ["B", "[c]"]])
    >>> cols, [[_cell_value(c)[0] for c in r] for r in rows]
    (['Area', 'Value', 'Value: compared'], [['A', 251.0, '✗'], ['B', '[c]', '']])
    """
    marked = {
        j
        for r in rows
        for j, c in enumerate(r)
        if isinstance(c, Cell) and c.marker and c.value is not None and j < len(columns)
    }
    if not marked:
        return columns, rows
    from dataclasses import replace

    cols: list[str] = []
    for j, name in enumerate(columns):
        cols += [name, f"{name}: compared"] if j in marked else [name]
    out: list[list[Cell | str]] = []
    for r in rows:
        line: list[Cell | str] = []
        for j, c in enumerate(r):
            if j in marked:
                mark = c.marker if isinstance(c, Cell) else ""
                line += [replace(c, marker="") if isinstance(c, Cell) and c.value is not None else c, mark]
            else:
                line.append(c)
        out.append(line)
    return cols, out


class Book:
    """An XlsxWriter workbook whose text cells are always text: never a formula, a number or a link
    (XlsxWriter's ``strings_to_formulas``/``strings_to_numbers``/``strings_to_urls`` are off, and
    formula-like text is neutralised as well, so it stays inert when copied elsewhere).

    Rows are streamed to the file (``constant_memory``), in order, through temporary files in a
    private folder beside the target (never the system's temporary folder: the cells may be
    restricted data), removed on leaving ``with Book(path) as book:``. Shared by the report's
    workbooks and the open-data edition's.
    """

    def __init__(self, path: Path) -> None:
        import tempfile

        import xlsxwriter

        # a private (0700) folder, removed on leaving the ``with`` block; one left by a killed process
        # is named like every svsna temporary (".svsna-tmp-...")
        self.tmpdir = Path(tempfile.mkdtemp(prefix=".svsna-tmp-xlsx-", dir=Path(path).parent))
        self.wb = xlsxwriter.Workbook(
            str(path),
            {
                "constant_memory": True,
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
                "nan_inf_to_errors": False,  # never passed: a NaN or infinite value is left blank
                "tmpdir": str(self.tmpdir),
            },
        )
        self.taken: set[str] = set()
        self._formats: dict[tuple[tuple[str, Any], ...], Any] = {}

    def format(self, **props: Any) -> Any:
        """An XlsxWriter format (``bold=True``, ``num_format="0.0%"``...), made once per workbook."""
        if not props:
            return None
        key = tuple(sorted(props.items()))
        if key not in self._formats:
            self._formats[key] = self.wb.add_format(props)
        return self._formats[key]

    def sheet(self, title: str, banner: str | None = None) -> Sheet:
        """A new sheet (its name made Excel-safe and unique by :func:`sheet_name`)."""
        return Sheet(self, title, banner)

    def close(self, properties: dict[str, str]) -> None:
        """Set the document properties (XlsxWriter's names: ``title``, ``author``, ``subject``,
        ``keywords``, ``category``, ``status``, ``comments``) and write the file."""
        self.wb.set_properties(properties)
        self.wb.close()

    def discard(self) -> None:
        """Remove the temporary folder (the workbook's rows so far)."""
        import shutil

        shutil.rmtree(self.tmpdir, ignore_errors=True)

    def __enter__(self) -> Book:
        return self

    def __exit__(self, *exc: object) -> None:
        self.discard()  # written or not (an error before close), nothing is left in the temporary folder


class Sheet:
    """One sheet of a :class:`Book`, written row by row."""

    def __init__(self, book: Book, title: str, banner: str | None) -> None:
        self.book = book
        self.ws = book.wb.add_worksheet(sheet_name(title, book.taken))
        self.next_row = 0
        self.first_row = 1 if banner else 0  # the header row's index (0-based)
        if banner:
            self.row([banner], bold=True)

    def widths(self, widths: dict[int, float]) -> None:
        """Column widths by 0-based column."""
        for col, width in widths.items():
            self.ws.set_column(col, col, width)

    def freeze_header(self) -> None:
        """Keep the rows up to the header row in view."""
        self.ws.freeze_panes(self.first_row + 1, 0)

    def row(self, values: Iterable[Any], *, bold: bool = False, formats: Iterable[Any] | None = None) -> None:
        """Write a row: numbers as numbers, booleans as booleans, everything else as text."""
        r = self.next_row
        base = self.book.format(bold=True) if bold else None
        fmts = formats if formats is not None else repeat(base)
        for c, (v, fmt) in enumerate(zip(values, fmts, strict=False)):
            self.cell(r, c, v, fmt)
        self.next_row += 1

    def cell(self, r: int, c: int, value: Any, fmt: Any = None) -> None:
        """Write one cell: a number as a number, a boolean as a boolean, anything else as text."""
        v = _plain(value)
        if isinstance(v, float) and not math.isfinite(v):
            v = None  # infinite: blank (XlsxWriter would write an error formula)
        if v is None:
            if fmt is not None:
                self.ws.write_blank(r, c, None, fmt)
        elif isinstance(v, bool):
            self.ws.write_boolean(r, c, v, fmt)
        elif isinstance(v, int | float):
            self.ws.write_number(r, c, v, fmt)
        else:
            self.ws.write_string(r, c, neutralise(str(v)), fmt)

    def table(self, frame: pd.DataFrame, *, bold: bool = True) -> None:
        """A table: its column names as a frozen header row (``bold`` or not), then its records."""
        self.row([str(c) for c in frame.columns], bold=bold)
        self.freeze_header()
        self.frame(frame)

    def frame(self, frame: pd.DataFrame) -> None:
        """Write a table's records, column by column typed once: a numeric column's values as numbers
        (NaN and infinities left blank), a text column's as text (neutralised), anything else cell by cell."""
        import pandas as pd

        ws, r0 = self.ws, self.next_row
        columns: list[tuple[Any, list[Any]]] = []
        for name in frame.columns:
            col = frame[name]
            if col.dtype == bool:
                columns.append((ws.write_boolean, col.tolist()))
            elif pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
                values = col.to_numpy(dtype=float, na_value=math.nan).tolist()
                columns.append((ws.write_number, [v if math.isfinite(v) else None for v in values]))
            elif all(isinstance(v, str) or v is None or (isinstance(v, float) and math.isnan(v)) for v in col):
                columns.append((ws.write_string, [neutralise(v) if isinstance(v, str) else None for v in col]))
            else:  # mixed or other types (nullable booleans, dates...): cell by cell, missing left blank
                columns.append((None, col.astype(object).where(col.notna(), None).tolist()))
        for i in range(len(frame)):
            r = r0 + i
            for c, (write, values) in enumerate(columns):
                v = values[i]
                if write is None:
                    self.cell(r, c, v)
                elif v is not None:
                    write(r, c, v)
        self.next_row += len(frame)

    def skip(self) -> None:
        """Leave an empty row."""
        self.next_row += 1


def section_sheets(sections: Iterable[Section]) -> list[tuple[Section, str]]:
    """The sheet of each section that has tables, in order (``"<number> <title>"`` made Excel-safe and
    unique): the names :func:`write_workbook` gives them, which the report quotes under a table it
    prints shortened.

    >>> from svsna.outputs.content import TableBlock
    >>> a, b, c = (Section(k, t, number=n) for k, t, n in (("a", "Geography", 3), ("b", "Words", 4), ("c", "End", 5)))
    >>> a.add_table(TableBlock("t", "T", ["x"], [["1"]], "")); c.add_table(TableBlock("u", "U", ["x"], [["1"]], ""))
    >>> [name for _sec, name in section_sheets([a, b, c])]
    ['3 Geography', '5 End']
    """
    taken: set[str] = set()
    from svsna.outputs.catalogue import SHEET_TITLES

    return [
        (sec, sheet_name(f"{sec.number} {SHEET_TITLES.get(sec.key, sec.title)}", taken))
        for sec in sections
        if sec.tables
    ]


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
    from svsna.files import atomic_path

    public = edition == "public"
    with atomic_path(path) as tmp, Book(tmp) as book:
        for sec, name in section_sheets(sections):
            sh = book.sheet(name, marking)
            sh.widths({0: 28, **dict.fromkeys(range(1, 9), 16)})
            for t in sec.tables:
                whole = t.complete()  # a table the report prints shortened is written with every row
                sh.row([nest_brackets(f"{t.label}: {t.caption}")], bold=True)
                columns, rows = _marks_apart(list(whole.columns), [list(r) for r in whole.cells()])
                sh.row(columns, bold=True)
                for r in rows:
                    written = [_cell_value(c) for c in r]
                    sh.row(
                        [v for v, _ in written], formats=[book.format(num_format=f) if f else None for _, f in written]
                    )
                sh.row(
                    [nest_brackets(f"(Source: {t.source})") + (f" {nest_brackets(whole.notes)}" if whole.notes else "")]
                )
                sh.skip()
        book.sheet("Indicators", marking).table(indicators)
        if ledger is not None and not public:
            book.sheet("Ledger", marking).table(ledger)
        sh = book.sheet("About" if public else "Methods", marking)
        sh.widths({0: 40, 1: 70})
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
        props = {
            "title": f"{metadata.get('title', 'Serious Violence Strategic Needs Assessment')} tables",
            "author": f"svsna {metadata.get('svsna_version', '')}",
        }
        if marking:
            props.update(
                subject=marking,
                keywords=marking,
                category=marking,
                status=marking,
                comments=f"{marking}: restricted, contains unrounded figures; do not publish.",
            )
        else:
            props["subject"] = "Public release (disclosure-controlled)"
        book.close(props)
    return path


def _plain(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if hasattr(v, "item"):
        v = v.item()
        if isinstance(v, float) and math.isnan(v):
            return None
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
