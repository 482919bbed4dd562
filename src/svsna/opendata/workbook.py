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


def _cell(value: Any) -> Any:
    """A value openpyxl can store: missing -> blank, numpy scalars -> Python, formula-like text neutralised.

    >>> _cell("=HYPERLINK(1)"), _cell(float("nan")), _cell(3)
    ("'=HYPERLINK(1)", None, 3)
    """
    from svsna.cells import neutralise

    if isinstance(value, str):
        return neutralise(value)
    if value is None:
        return None
    if isinstance(value, float) and value != value:
        return None
    if hasattr(value, "item"):
        value = value.item()
        if isinstance(value, float) and value != value:
            return None
    return value if isinstance(value, int | float | bool) else neutralise(str(value))


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
    from openpyxl.styles import Alignment, Font

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
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)  # streaming: ~9,000 indicator rows in about a second
    ws = wb.create_sheet("About")
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 110
    title = WriteOnlyCell(ws, value=metadata["title"])
    title.font = Font(bold=True, size=16)
    ws.append([title])
    ws.append([metadata["subtitle"]])
    ws.append([])
    ws.append(["Item", "Detail"])
    for item, detail in about:
        cell = WriteOnlyCell(ws, value=_cell(detail))
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.append([item, cell])
    for name, frame in (("Indicators", indicators), ("Findings", fnd), ("Ledger", ledger), ("Rejects", rejects)):
        sheet = wb.create_sheet(name)
        sheet.freeze_panes = "A2"
        sheet.append([str(c) for c in frame.columns])
        for row in frame.itertuples(index=False):
            sheet.append([_cell(v) for v in row])
    from svsna.files import atomic_path

    with atomic_path(path) as tmp:
        wb.save(tmp)
    return path
