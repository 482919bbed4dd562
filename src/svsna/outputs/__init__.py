"""Outputs: the SNA report (full and public editions, HTML and PDF), charts, maps and workbook.

Heavy modules (matplotlib, geopandas, WeasyPrint) are imported only when a report is built.

Examples
--------
>>> from svsna.outputs import ReportPaths
>>> "public_pdf" in ReportPaths.__dataclass_fields__
True
"""

from __future__ import annotations

from svsna.outputs.report import ReportPaths, build_reports

__all__ = ["ReportPaths", "build_reports"]
