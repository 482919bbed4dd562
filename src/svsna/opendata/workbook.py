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
    """Write the five-sheet workbook to ``path`` and return it."""
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
    with pd.ExcelWriter(path, engine="openpyxl") as xw:
        pd.DataFrame(about, columns=["Item", "Detail"]).to_excel(xw, sheet_name="About", index=False, startrow=2)
        indicators.to_excel(xw, sheet_name="Indicators", index=False)
        fnd.to_excel(xw, sheet_name="Findings", index=False)
        ledger.to_excel(xw, sheet_name="Ledger", index=False)
        rejects.to_excel(xw, sheet_name="Rejects", index=False)
        ws = xw.sheets["About"]
        ws["A1"] = metadata["title"]
        ws["A1"].font = Font(bold=True, size=16)
        ws["A2"] = metadata["subtitle"]
        ws.column_dimensions["A"].width = 18
        ws.column_dimensions["B"].width = 110
        for row in ws.iter_rows(min_row=4, min_col=2, max_col=2):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        for name in SHEETS[1:]:
            xw.sheets[name].freeze_panes = "A2"
    return path
