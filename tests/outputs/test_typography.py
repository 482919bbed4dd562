"""Brackets inside brackets are printed as square brackets, in both editions and the workbooks.

A part-year period label ("2021/22 (Apr-Sep)") in a caption's period span, a confidence interval
after a rate that is itself in brackets, and a source name that carries its own brackets
("A&E assault attendances (acute trusts / CSU)") inside "(Source: ...)" each used to print as
"...))". The demo partnership has all three. Every block of text a reader sees (paragraphs, list
items, captions, headings and cells) is read back from the HTML and checked bracket by bracket.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from openpyxl import load_workbook

BLOCKS = {"p", "li", "caption", "figcaption", "th", "td", "h1", "h2", "h3", "title"}


class _Blocks(HTMLParser):
    """The text of each block element, its inline children included."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self._open: list[list[str]] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script"):
            self._skip += 1
        elif tag in BLOCKS:
            self._open.append([])

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self._skip -= 1
        elif tag in BLOCKS and self._open:
            text = "".join(self._open.pop())
            self.blocks.append(text)
            if self._open:
                self._open[-1].append(text)

    def handle_data(self, data):
        if not self._skip and self._open:
            self._open[-1].append(data)


def nested_round_brackets(text: str) -> bool:
    depth = 0
    for ch in text:
        if ch == "(":
            if depth:
                return True
            depth += 1
        elif ch == ")":
            depth = max(depth - 1, 0)
    return False


def test_the_rule_itself():
    assert nested_round_brackets("LLR (2017/18 to 2021/22 (Apr-Sep))")
    assert not nested_round_brackets("LLR (2017/18 to 2021/22 [Apr-Sep]) (Source: police)")


@pytest.mark.parametrize("edition", ["full_html", "public_html"])
def test_no_brackets_in_brackets_in_the_demo_report(demo, edition):
    parser = _Blocks()
    parser.feed(getattr(demo.paths, edition).read_text(encoding="utf-8"))
    assert len(parser.blocks) > 200
    nested = sorted({b.strip() for b in parser.blocks if nested_round_brackets(b)})
    assert nested == []
    # the cases that used to nest are there, in square brackets
    text = "\n".join(parser.blocks)
    # an interval follows the figure it belongs to, never another bracket ("over (0.96) (95% CI ...)"
    # read as the interval of 0.96, not of the ratio before it)
    assert re.findall(r".{0,80}\)\s*\(\d+% CI", text) == []
    assert "[Apr-Sep])" in text
    if edition == "full_html":
        assert "[95% CI " in text
        assert "(Source: A&E assault attendances [acute trusts / CSU])" in text


@pytest.mark.parametrize("book", ["workbook", "public_workbook"])
def test_no_brackets_in_brackets_in_the_demo_workbooks(demo, book):
    wb = load_workbook(getattr(demo.paths, book), read_only=True)
    nested = set()
    for ws in wb.worksheets:
        if ws.title in ("Indicators", "Ledger"):
            continue  # data, not prose: units and labels as the indicator table holds them
        for row in ws.iter_rows(values_only=True):
            for v in row:
                if isinstance(v, str) and nested_round_brackets(v):
                    nested.add(v)
    assert sorted(nested) == []


FORMATTED_NUMBER = r"-?\d{1,3}(,\d{3})+(\.\d+)?%?|-?\d+\.\d%|-?\d+\.\d\d"


@pytest.mark.parametrize("book", ["workbook", "public_workbook"])
def test_demo_workbook_tables_hold_numbers_not_numbers_as_text(demo, book):
    """The tables sheets are written from the numbers the report's cells carry (``Cell.value``), not
    from their text read back: every cell that reads as one number is a number, in the report's
    decimals (a percentage as a fraction with a % format)."""
    wb = load_workbook(getattr(demo.paths, book))
    as_text, numbers, percents = [], 0, 0
    for ws in wb.worksheets:
        if ws.title in ("Indicators", "Ledger", "About", "Methods"):
            continue
        for row in ws.iter_rows():
            for c in row:
                # a number as the report formats it: a count with a thousands separator, a percentage
                # to one place, a value to two (labels such as an age "5" or a version "2022.1" are text)
                if isinstance(c.value, str) and re.fullmatch(FORMATTED_NUMBER, c.value.strip()):
                    as_text.append((ws.title, c.coordinate, c.value))
                elif isinstance(c.value, int | float):
                    numbers += 1
                    percents += c.number_format == "0.0%"
    assert as_text == []
    assert numbers > 50 and percents > 10  # the public workbook has the fewest: about 100 and 50


def test_the_workbook_writes_a_cells_number_and_never_reads_its_text_back():
    """Review A2: the workbook was built from the printed text by a regex ("1,234" -> 1234, "2022.1"
    -> a number). A cell's number is what it carries; text without one stays text."""
    from svsna.outputs.content import Cell
    from svsna.outputs.workbook import _cell_value

    assert _cell_value(Cell("1,234", "num count", value=1234.0, kind="count")) == (1234.0, "#,##0")
    assert _cell_value(Cell("78.4%", "num", value=78.4123, kind="percent")) == (0.784123, "0.0%")
    assert _cell_value(Cell("4.19", "num", value=4.1912, kind="rate")) == (4.1912, "0.00")
    assert _cell_value(Cell("2022.1")) == ("2022.1", None)  # a version label is not a number
    assert _cell_value(Cell("1,234")) == ("1,234", None)
    assert _cell_value(Cell("410.00", "num", "▲", value=410.0, kind="rate")) == ("410.00 ▲", None)
