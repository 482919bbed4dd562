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
