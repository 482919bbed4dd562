"""Text that is safe to put in a spreadsheet cell: no formulas from partner data.

Spreadsheet programs run a cell that begins with ``=``, ``+``, ``-`` or ``@`` as a formula
(and some treat a leading tab or carriage return the same way), so text taken from a
partner's extract — a district name, a file name, a rejected value — could become
``=HYPERLINK(...)`` or ``=cmd|' /C calc'!A0`` when a CSV or workbook written by svsna is
opened. Following the OWASP guidance on CSV injection, every *text* value svsna writes to
a CSV or XLSX file goes through :func:`neutralise`, which prefixes such values with a
single quote so they are shown as text. Numbers are left alone (a negative number is a
number, not a formula).

This module is shared by every layer that writes tabular files (the ingest ledger and
rejects, the indicator tables, the workbooks).

References
----------
OWASP, "CSV Injection", https://owasp.org/www-community/attacks/CSV_Injection

Examples
--------
>>> neutralise("=HYPERLINK(\\"http://x\\",\\"y\\")")
'\\'=HYPERLINK("http://x","y")'
>>> neutralise("-12"), neutralise("Charnwood"), neutralise(None), neutralise(-12)
("'-12", 'Charnwood', None, -12)
>>> import pandas as pd
>>> neutralise_frame(pd.DataFrame({"a": ["@SUM(A1)", "ok"], "n": [-1.5, 2.0]})).to_dict("list")
{'a': ["'@SUM(A1)", 'ok'], 'n': [-1.5, 2.0]}
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["FORMULA_TRIGGERS", "is_formula_like", "neutralise", "neutralise_frame", "write_csv"]

#: Leading characters that make a spreadsheet treat a cell as a formula.
FORMULA_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def is_formula_like(value: object) -> bool:
    """Whether ``value`` is text a spreadsheet could run as a formula.

    >>> is_formula_like("=1+1"), is_formula_like(" =1+1"), is_formula_like("a=1"), is_formula_like(5)
    (True, True, False, False)
    """
    if not isinstance(value, str):
        return False
    stripped = value.lstrip(" \u00a0")
    return stripped.startswith(FORMULA_TRIGGERS)


def neutralise(value: Any) -> Any:
    """``value`` with a leading ``'`` if it is formula-like text; anything else unchanged."""
    if is_formula_like(value):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells (and column names) are neutralised."""
    out = frame.copy()
    for col in out.columns:
        series = out[col]
        if series.dtype == object or str(series.dtype).startswith(("string", "str", "category")):
            out[col] = series.map(neutralise)
    out.columns = [neutralise(c) if isinstance(c, str) else c for c in out.columns]
    return out


def write_csv(frame: pd.DataFrame, target: Any) -> None:
    """Write ``frame`` as CSV with its text neutralised, and every line break inside a cell quoted.

    A carriage return inside a cell would otherwise end the row for spreadsheet programs (pandas
    quotes only cells holding ``\\n``), so that the rest of the cell, say ``=1+1``, starts a row of its
    own. Rows end in CRLF (RFC 4180), so both CR and LF inside a cell are quoted.

    >>> import io, pandas as pd
    >>> buf = io.StringIO()
    >>> write_csv(pd.DataFrame({"a": ["x\\r=1+1", "=2"]}), buf)
    >>> buf.getvalue().split("\\r\\n")
    ['a', '"x\\r=1+1"', "'=2", '']
    """
    neutralise_frame(frame).to_csv(target, index=False, lineterminator="\r\n")
