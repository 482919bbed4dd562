"""A plain workbook of the open-data edition's results (``opendata-tables.xlsx``).

Written on every run, independently of the HTML/PDF report, so an analyst always gets the
figures in one file: a cover sheet titled "Open-data edition" with the proxy statement,
sources and attribution, then one sheet each for the indicators, findings, ledger and
rejected rows.

Examples
--------
>>> SHEETS
('About', 'Indicators', 'Findings', 'Ledger', 'Rejects')
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from svsna.indicators import Finding

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["SHEETS", "write_workbook"]


SHEETS: tuple[str, ...] = ("About", "Indicators", "Findings", "Ledger", "Rejects")


def write_workbook(
    path: str | Path,
    indicators: pd.DataFrame,
    findings: list[Finding],
    ledger: pd.DataFrame,
    rejects: pd.DataFrame,
    metadata: dict[str, Any],
) -> Path:
    """Write the five-sheet workbook to ``path`` (atomically, owner-only) and return it."""
    import pandas as pd

    path = Path(path)
    about = [
        ("Title", metadata["title"]),
        ("Area", metadata["subtitle"]),
        ("Financial years", ", ".join(metadata["financial_years"])),
        ("What is measured", metadata["proxy_definition"]),
        ("Populations", metadata["populations"]),
        ("Locations", metadata["locations"]),
        ("Outcomes", metadata["outcomes"]),
        ("Disclosure", metadata["disclosure"]),
        ("Rows", ", ".join(f"{k} {v:,}" for k, v in metadata["rows"].items())),
        ("Months loaded", f"{metadata['months_loaded'][0]} to {metadata['months_loaded'][-1]}"),
        ("Attribution", metadata["attribution"]),
        ("Generated", metadata["generated"]),
    ]
    fnd = pd.DataFrame(
        [
            {
                "section": f.section,
                "key": f.key,
                "text": f.text,
                "significance": f.significance or "",
                "period": f.period,
                "definition": f.definition,
                "headline": f.headline,
            }
            for f in findings
        ]
    )
    from svsna.files import atomic_path
    from svsna.outputs.workbook import Book

    with atomic_path(path) as tmp, Book(tmp) as book:
        sheet = book.sheet("About")
        sheet.widths({0: 18, 1: 110})
        sheet.row([metadata["title"]], formats=[book.format(bold=True, font_size=16)])
        sheet.row([metadata["subtitle"]])
        sheet.skip()
        sheet.row(["Item", "Detail"])
        wrap = book.format(text_wrap=True, valign="top")
        for item, detail in about:
            sheet.row([item, detail], formats=[None, wrap])
        for name, frame in (
            ("Indicators", indicators),
            ("Findings", fnd),
            ("Ledger", ledger),
            ("Rejects", rejects),
        ):
            book.sheet(name).table(frame, bold=False)
        book.close({"title": f"{metadata['title']} tables", "author": "svsna"})
    return path
