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
    """A copy of ``frame`` whose text cells (and column names) are neutralised.

    Column by column: every text cell that :func:`neutralise` would change (its first character
    after leading spaces and no-break spaces is in :data:`FORMULA_TRIGGERS`) gets the ``'``
    prefix; any other cell, and the column's dtype, stay as they are. Tests check the result
    equals :func:`neutralise` applied cell by cell, on hostile text.
    """
    out = frame.copy()
    for col in out.columns:
        series = out[col]
        if series.dtype == object or str(series.dtype).startswith(("string", "str", "category")):
            out[col] = _neutralise_column(series)
    out.columns = [neutralise(c) if isinstance(c, str) else c for c in out.columns]
    return out


def _neutralise_column(series: pd.Series) -> pd.Series:
    """:func:`neutralise` on every cell of one text (or object) column, with the string methods."""
    import pandas as pd

    if isinstance(series.dtype, pd.CategoricalDtype):
        return series.map(neutralise)  # maps the categories, not the cells
    formula = _arrow_formula_mask(series)
    if formula is None:
        try:  # the first character after leading spaces, NaN for cells that are not text
            first = series.str.lstrip(" \u00a0").str[:1]
        except (AttributeError, TypeError):  # no text in the column (numbers, bytes, nothing)
            return series
        formula = first.isin(FORMULA_TRIGGERS).to_numpy(dtype=bool, na_value=False)
    if not formula.any():
        return series
    cells = series.to_numpy(dtype=object, copy=True)
    cells[formula] = ["'" + v for v in cells[formula]]
    return pd.Series(cells, index=series.index, name=series.name, dtype=series.dtype)


def _arrow_formula_mask(series: pd.Series) -> Any:
    """The formula mask by Arrow's string kernels when every cell is text or missing, else None."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:  # Arrow infers the cells' type: string only when every cell is str or missing
        text = pa.array(series.to_numpy(dtype=object), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # mixed kinds of cells
        return None
    if not pa.types.is_string(text.type):  # numbers, bytes, only missing values ...
        return None
    first = pc.utf8_slice_codeunits(pc.utf8_ltrim(text, characters=" \u00a0"), 0, 1)
    return pc.is_in(first, value_set=pa.array(FORMULA_TRIGGERS)).to_numpy(zero_copy_only=False) & ~pc.is_null(
        text
    ).to_numpy(zero_copy_only=False)


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
