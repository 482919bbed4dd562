"""The report's content model: sections made of paragraphs, findings, figures and tables.

The builders in :mod:`svsna.outputs.sections` fill these; the HTML template renders
them. Figures and tables are numbered in reading order when the report is finalised,
so the HTML and the PDF (rendered from the same HTML) agree.

Examples
--------
>>> s = Section("extent", "Extent of serious violence")
>>> s.add_table(TableBlock("t1", "Offences by year", ["Year", "Number"], [["2020/21", "3,530"]], "Police"))
>>> number_blocks([s]); s.blocks[0].number, s.blocks[0].label
(1, 'Table 1')
>>> wide = TableBlock("w", "Wide", ["Area", *[f"Column {i}" for i in range(14)]], [["x", *["12,345.6"] * 14]], "")
>>> [len(p) for p in wide.print_parts()], wide.print_parts()[1][0]
([11, 5], 0)

A long table can print a shortened form and keep every row for the workbook:

>>> long = TableBlock("w", "Wards", ["Ward", "Number"], [[f"Ward {i}", str(i)] for i in range(40)], "Police")
>>> short = long.shorten(long.rows[:15], "the 15 with the most offences")
>>> len(short.rows), len(short.whole.rows), short.whole.rows[-1]
(15, 40, ['Ward 39', '39'])
>>> short.number, short.sheet = 7, "9 Geography"
>>> short.workbook_note
"All 40 rows of Table 7 are in the workbook sna-tables.xlsx, sheet '9 Geography'."
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from svsna.outputs.narrative import Callout
from svsna.outputs.wording import fmt_count

#: How much wider a bold column heading's letters are than the body text's (DejaVu Sans Bold against
#: DejaVu Sans: about 0.70 em a letter against 0.58), for the widths the print layout gives columns.
HEADING_WIDTH = 1.2

__all__ = ["Cell", "FigureBlock", "Section", "TableBlock", "WholeTable", "cell_text", "count_cell", "number_blocks"]


@dataclass
class Cell:
    """A table cell: its text, CSS classes and an optional tooltip/marker."""

    text: str
    cls: str = ""
    marker: str = ""
    #: the number the text shows (None: the text is not one number); the workbook writes this
    #: number, never the text read back
    value: float | None = None
    #: what the number is ("count", "percent", "rate" ...), for the workbook's number format
    kind: str = ""
    #: decimal places the text shows when not the kind's own (a rate published as a whole number)
    dp: int | None = None


def cell_text(cell: Cell | str) -> str:
    """The text a table cell shows (a plain string is its own text).

    >>> cell_text(Cell("1,234", "num")), cell_text("Leicester")
    ('1,234', 'Leicester')
    """
    return cell.text if isinstance(cell, Cell) else str(cell)


def count_cell(n: float | None, missing: str = "") -> Cell:
    """A cell holding a count: written with a thousands separator, carrying the number itself (for the
    workbook); ``missing`` when there is no count.

    >>> count_cell(1234), count_cell(None, "[c]").text
    (Cell(text='1,234', cls='num count', marker='', value=1234.0, kind='count', dp=None), '[c]')
    """
    if n is None:
        return Cell(missing, "num count")
    return Cell(fmt_count(n), "num count", value=float(n), kind="count")


@dataclass
class WholeTable:
    """Every row of a table whose report prints a shorter form (:meth:`TableBlock.shorten`): what the
    edition's workbook holds under the table's number and caption."""

    columns: list[str]
    rows: list[list[Cell | str]]
    notes: str = ""
    count_columns: tuple[int, ...] = ()

    def cells(self) -> list[list[Cell]]:
        return _as_cells(self.rows)


def _as_cells(rows: list[list[Cell | str]]) -> list[list[Cell]]:
    return [[c if isinstance(c, Cell) else Cell(str(c)) for c in row] for row in rows]


@dataclass
class TableBlock:
    """A numbered table with a caption and a source line.

    ``whole``, when set, holds the complete table that the report shortens for reading (the
    highest rows of a long list, age bands instead of single years, one row per source):
    the workbook writes ``whole`` in this table's place; the report's caption says what it
    prints (``shown``) and the note under the table where every row is (:attr:`workbook_note`:
    ``book`` and ``sheet``).
    """

    key: str
    caption: str
    columns: list[str]
    rows: list[list[Cell | str]]
    source: str
    notes: str = ""
    count_columns: tuple[int, ...] = ()
    number: int = 0
    kind: str = "table"
    whole: WholeTable | None = None
    shown: str = ""
    sheet: str = ""
    book: str = "sna-tables.xlsx"

    @property
    def label(self) -> str:
        return f"Table {self.number}"

    def shorten(
        self,
        rows: list[list[Cell | str]],
        shown: str,
        *,
        columns: list[str] | None = None,
        notes: str | None = None,
        count_columns: tuple[int, ...] | None = None,
    ) -> TableBlock:
        """This table printed as ``rows`` (and ``columns``), described by ``shown``; every row of it is
        kept in :attr:`whole` for the workbook."""
        from dataclasses import replace

        whole = self.complete()
        return replace(
            self,
            columns=list(self.columns if columns is None else columns),
            rows=list(rows),
            notes=self.notes if notes is None else notes,
            count_columns=self.count_columns if count_columns is None else count_columns,
            whole=whole,
            shown=shown,
        )

    @property
    def workbook_note(self) -> str:
        """Where the rows the report does not print are (empty for a table printed whole)."""
        if self.whole is None:
            return ""
        n = len(self.whole.rows)
        where = f"the workbook {self.book}" + (f", sheet '{self.sheet}'" if self.sheet else "")
        return f"All {n:,} row{'' if n == 1 else 's'} of {self.label} are in {where}."

    def complete(self) -> WholeTable:
        """Every row of this table (what the workbook writes): :attr:`whole` when the report prints it
        shortened, else the table as printed."""
        if self.whole is not None:
            return self.whole
        return WholeTable(list(self.columns), list(self.rows), self.notes, self.count_columns)

    def cells(self) -> list[list[Cell]]:
        return _as_cells(self.rows)

    def _widths(self) -> tuple[list[int], list[int]]:
        """Per column: the narrowest it can be and the width it would like, in characters."""
        cells = self.cells()
        least, like = [], []
        for j, head in enumerate(self.columns):
            words = [len(w) for w in str(head).split()] or [1]
            # a heading is bold: its letters are about a fifth wider than the body text's, which the
            # character budget is measured in ("Charnwood" broke as "Charnwoo / d" at one more than its length)
            lo, hi = math.ceil(max(words) * HEADING_WIDTH) + 1, min(len(str(head)), 18)
            for row in cells:
                if j >= len(row):
                    continue
                c = row[j]
                text = c.text + (f" {c.marker}" if c.marker else "")
                if "num" in c.cls.split():
                    lo = max(lo, len(text))
                    hi = max(hi, len(text))
                else:
                    lo = max(lo, max((len(w) for w in text.split()), default=1))
                    hi = max(hi, min(len(text), 34))
            least.append(lo)
            like.append(max(hi, lo))
        return least, like

    def col_widths(self, budget: int = 0) -> list[float]:
        """Relative column widths (percent, summing to 100) from the text they hold.

        Every column first gets the width of its longest unbreakable text (a number, the
        longest word); what is left of the line is shared out in proportion to how much wider
        each column would like to be.
        """
        least, like = self._widths()
        budget = budget or (118 if self.dense else 100)
        pad = 3  # cell padding is about three characters wide
        base = [w + pad for w in least]
        spare = max(budget - sum(base), 0)
        extra = [max(b - a, 0) for a, b in zip(least, like, strict=True)]
        share = min(1.0, spare / sum(extra)) if sum(extra) else 0.0
        widths = [b + e * share for b, e in zip(base, extra, strict=True)]
        total = sum(widths) or 1
        return [round(100 * w / total, 1) for w in widths]

    @property
    def dense(self) -> bool:
        """Whether the table is set in a smaller type (many columns)."""
        return len(self.columns) > 6 or sum(self._widths()[0]) > 70

    def print_parts(self, budget: int = 0) -> list[list[int]]:
        """Column indices of each part of the table on a portrait page (the first column repeats).

        A table whose narrowest layout does not fit the page's width (``budget`` characters;
        by default about 100, or 118 in the denser type) is split across parts rather than
        cut at the page edge.
        """
        least, _ = self._widths()
        budget = budget or (118 if self.dense else 100)
        cost = [w + 2 for w in least]
        if sum(cost) <= budget or len(self.columns) <= 2:
            return [list(range(len(self.columns)))]
        parts: list[list[int]] = []
        current: list[int] = [0]
        used = cost[0]
        for j in range(1, len(self.columns)):
            if used + cost[j] > budget and len(current) > 1:
                parts.append(current)
                current, used = [0], cost[0]
            current.append(j)
            used += cost[j]
        parts.append(current)
        return parts

    @property
    def numeric_columns(self) -> list[bool]:
        """Whether each column holds numbers (its heading is then right-aligned too)."""
        cells = self.cells()
        return [
            bool(cells) and all("num" in row[j].cls.split() for row in cells if j < len(row))
            for j in range(len(self.columns))
        ]


@dataclass
class FigureBlock:
    """A numbered chart or map, embedded as a ``data:`` URI, with alt text."""

    key: str
    caption: str
    uri: str
    alt: str
    source: str
    notes: str = ""
    number: int = 0
    kind: str = "figure"
    wide: bool = False
    print_uri: str = ""

    @property
    def label(self) -> str:
        return f"Figure {self.number}"


@dataclass
class Section:
    """One section of the report."""

    key: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)
    sentences: list[str] = field(default_factory=list)
    callouts: list[Callout] = field(default_factory=list)
    blocks: list[FigureBlock | TableBlock] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    number: int = 0
    html_extra: str = ""
    html_lead: str = ""  # trusted HTML shown first, under the heading (e.g. the open-data proxy statement)
    commentary: str = ""  # the partnership's own words for this section (Markdown rendered to HTML), verbatim

    def add_table(self, table: TableBlock) -> None:
        self.blocks.append(table)

    def add_figure(self, figure: FigureBlock) -> None:
        self.blocks.append(figure)

    @property
    def anchor(self) -> str:
        return f"sec-{self.key}"

    @property
    def figures(self) -> list[FigureBlock]:
        return [b for b in self.blocks if isinstance(b, FigureBlock)]

    @property
    def tables(self) -> list[TableBlock]:
        return [b for b in self.blocks if isinstance(b, TableBlock)]


def number_blocks(sections: list[Section]) -> None:
    """Number sections, figures and tables in reading order."""
    fig = tab = 0
    for i, s in enumerate(sections, start=1):
        s.number = i
        for b in s.blocks:
            if isinstance(b, FigureBlock):
                fig += 1
                b.number = fig
            else:
                tab += 1
                b.number = tab
