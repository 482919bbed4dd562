"""Read partner extracts (CSV, XLSX, Parquet) as raw text, matched to their contract.

Every value is read as text (nothing is coerced here: validation checks the raw text).
The result is a :class:`RawTable`: a polars DataFrame whose columns are the contract's
field names (missing optional fields are all-null) plus ``_row``, the row number as a
spreadsheet shows it (the header is line 1, so the first data row is 2).

Blank cells and cells holding just ``NULL`` (as SQL exports write them) are missing values.
CSV files may be UTF-8, UTF-8 with a BOM or Windows-1252; the encoding is detected and
reported. A file whose header holds one column containing ``;``, tab or ``|`` is refused
as having the wrong delimiter. Excel files use the first sheet, or the sheet named after
``#`` in the path (``offences.xlsx#Crimes``).

Examples
--------
>>> import tempfile, pathlib
>>> from svsna.sources.contracts import load_contracts
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "pop.csv").write_bytes("Area Code,YEAR,age,Sex,Population\\nE1,2020,15-19,F,10\\n".encode())
>>> raw = read_source(d / "pop.csv", load_contracts()["population"])
>>> raw.data.to_dicts()
[{'_row': 2, 'area_code': 'E1', 'year': '2020', 'age': '15-19', 'sex': 'F', 'population': '10'}]
>>> raw.encoding, raw.format
('utf-8', 'csv')
"""

from __future__ import annotations

import difflib
import io
import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from svsna.errors import InputDataError, MissingInputError
from svsna.sources.contracts import SourceContract, normalise_column_name

if TYPE_CHECKING:
    import polars as pl

__all__ = ["ROW_COLUMN", "RawTable", "detect_encoding", "read_source", "split_sheet"]

ROW_COLUMN = "_row"
FIRST_DATA_ROW = 2  # the header is line 1
_OTHER_DELIMITERS = {";": "semicolon", "\t": "tab", "|": "pipe"}
_MISSING: tuple[str, ...] = ("", *("".join(c) for c in itertools.product(*((ch, ch.lower()) for ch in "NULL"))))
"""Trimmed cell texts that are missing values: blank, or NULL in any mix of case (``NULL``, ``null``, ``Null``, ...)."""


@dataclass
class RawTable:
    """A partner file read as text and mapped onto its contract's fields."""

    path: Path
    source: str
    format: str
    encoding: str | None
    data: pl.DataFrame
    column_map: dict[str, str] = field(default_factory=dict)
    """file column -> contract field"""
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return self.data.height

    @property
    def describe(self) -> str:
        """How the file was read, for the ledger (e.g. ``csv; encoding windows-1252``)."""
        parts = [self.format]
        if self.encoding:
            parts.append(f"encoding {self.encoding}")
        if self.ignored_columns:
            parts.append(f"ignored columns: {', '.join(self.ignored_columns)}")
        return "; ".join(parts)


def detect_encoding(data: bytes) -> str:
    """``utf-8-sig`` (BOM), ``utf-8`` or ``windows-1252`` (anything else that decodes).

    >>> detect_encoding("Désirée".encode("cp1252")), detect_encoding("Désirée".encode())
    ('windows-1252', 'utf-8')
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        return "windows-1252"


def split_sheet(path: Path) -> tuple[Path, str | None]:
    """Split ``book.xlsx#Sheet`` into the file and the sheet name.

    >>> split_sheet(Path("data/book.xlsx#Crimes 2021"))
    (PosixPath('data/book.xlsx'), 'Crimes 2021')
    """
    text = str(path)
    if "#" in text and text.split("#", 1)[0].lower().endswith((".xlsx", ".xlsm")):
        file, sheet = text.split("#", 1)
        return Path(file), sheet
    return path, None


def _record_lines(text: str) -> list[int]:
    """The line number each data record starts on (header = line 1), following quoted newlines."""
    import csv

    reader = csv.reader(io.StringIO(text, newline=""))
    next(reader, None)
    starts = []
    line = reader.line_num
    for _ in reader:
        starts.append(line + 1)
        line = reader.line_num
    return starts


def _decode(data: bytes, name: str) -> tuple[str, str]:
    """``(encoding, text)`` of a CSV file's bytes, decoding once (see :func:`detect_encoding`)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig", data.decode("utf-8-sig")
    try:
        return "utf-8", data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return "windows-1252", data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise InputDataError(
            f"{name}: cannot be decoded as UTF-8 or Windows-1252 (byte {exc.start}); hint: save the file as CSV UTF-8"
        ) from None


def _read_csv(path: Path) -> tuple[pl.DataFrame, str, list[int] | None]:
    import polars as pl

    data = path.read_bytes()
    encoding, text = _decode(data, path.name)
    if not text.strip():
        raise InputDataError(f"{path.name}: the file is empty; hint: re-export it with a header row and data rows")
    payload = data if encoding == "utf-8" else text.encode("utf-8")
    try:
        df = pl.read_csv(
            io.BytesIO(payload),
            infer_schema=False,
            truncate_ragged_lines=False,
        )
    except (pl.exceptions.PolarsError, ValueError) as exc:  # malformed CSV
        raise InputDataError(
            f"{path.name}: not a readable comma-separated file ({exc.__class__.__name__}: {str(exc)[:200]}); "
            "hint: check quoting and that every row has the same number of columns"
        ) from None
    if df.width == 1:
        header = text.splitlines()[0]
        for delim, label in _OTHER_DELIMITERS.items():
            if delim in header:
                raise InputDataError(
                    f"{path.name}: only one column found ({header[:60]!r}); the file looks {label}-delimited; "
                    "hint: save it as comma-separated CSV (in Excel: Save As > CSV UTF-8 (Comma delimited))"
                )
    lines = None
    # Only a quoted value can hold a line break, so a file without a double quote needs no check.
    quoted = b'"' in payload
    if quoted and df.height and df.select(pl.any_horizontal(pl.all().str.contains("\n", literal=True)).any()).item():
        lines = _record_lines(text)  # a quoted value spans lines: count lines as the file shows them
        if len(lines) != df.height:
            lines = None
    return df, encoding, lines


def _read_xlsx(path: Path, sheet: str | None) -> pl.DataFrame:
    import pandas as pd
    import polars as pl

    try:
        book = pd.ExcelFile(path, engine="openpyxl")
    except Exception as exc:
        raise InputDataError(f"{path.name}: not a readable Excel workbook ({exc}); hint: save it as .xlsx") from None
    with book:
        if sheet is not None and sheet not in book.sheet_names:
            close = difflib.get_close_matches(sheet, book.sheet_names, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; sheets: {', '.join(book.sheet_names)}"
            raise InputDataError(f"{path.name}: sheet {sheet!r} not found{hint}")
        frame = book.parse(sheet if sheet is not None else 0, dtype=str, keep_default_na=False)
    frame = frame.astype(object).where(frame.ne(""), None)
    frame.columns = [str(c) for c in frame.columns]
    return pl.DataFrame({c: pl.Series(c, frame[c].tolist(), dtype=pl.String) for c in frame.columns})


def _read_parquet(path: Path) -> pl.DataFrame:
    import polars as pl

    try:
        df = pl.read_parquet(path)
    except Exception as exc:
        raise InputDataError(f"{path.name}: not a readable Parquet file ({exc})") from None
    return df.with_columns(pl.all().cast(pl.String))


def _map_columns(columns: list[str], contract: SourceContract, name: str) -> tuple[dict[str, str], list[str]]:
    mapping: dict[str, str] = {}
    ignored: list[str] = []
    for col in columns:
        target = contract.match_column(col)
        if target is None:
            ignored.append(col)
            continue
        if target in mapping.values():
            first = next(k for k, v in mapping.items() if v == target)
            raise InputDataError(
                f"{name}: columns {first!r} and {col!r} both match field {target!r}; hint: remove or rename one"
            )
        mapping[col] = target
    missing = [f for f in contract.required_fields if f.name not in mapping.values()]
    if missing:
        by_norm = {normalise_column_name(c): c for c in ignored}
        problems = []
        for f in missing:
            close = difflib.get_close_matches(
                normalise_column_name(f.name), list(by_norm), n=1, cutoff=0.6
            ) or difflib.get_close_matches(f.name, ignored, n=1, cutoff=0.6)
            hint = f"; did you mean {by_norm.get(close[0], close[0])!r}?" if close else ""
            problems.append(f"{name}: required column {f.name!r} not found{hint}")
        accepted = "; ".join(f"{f.name} (or {', '.join(f.aliases)})" if f.aliases else f.name for f in missing)
        raise InputDataError(
            "\n".join(problems) + f"\nhint: columns found: {', '.join(columns) or 'none'}; accepted names: {accepted}"
        )
    return mapping, ignored


def read_source(path: str | Path, contract: SourceContract) -> RawTable:
    """Read one partner file as text and map its columns onto ``contract``.

    Raises
    ------
    MissingInputError
        If the file does not exist.
    InputDataError
        If it cannot be read, is empty, has the wrong delimiter, has no data rows or lacks
        a required column (the message names the file and the column, with a close match).
    """
    import polars as pl

    file, sheet = split_sheet(Path(path))
    if not file.exists():
        raise MissingInputError(f"{contract.name}: input file {file} not found; hint: check `inputs` in area.yaml")
    suffix = file.suffix.lower()
    encoding: str | None = None
    lines: list[int] | None = None
    if suffix in (".csv", ".txt"):
        df, encoding, lines = _read_csv(file)
        fmt = "csv"
    elif suffix in (".xlsx", ".xlsm"):
        df = _read_xlsx(file, sheet)
        fmt = "xlsx" if sheet is None else f"xlsx sheet {sheet!r}"
    elif suffix in (".parquet", ".pq"):
        df = _read_parquet(file)
        fmt = "parquet"
    else:
        raise InputDataError(f"{file.name}: unsupported file type {suffix!r}; hint: supply .csv, .xlsx or .parquet")
    mapping, ignored = _map_columns(df.columns, contract, file.name)
    if df.height == 0:
        raise InputDataError(f"{file.name}: has a header but no data rows; hint: check the extract's date range")
    # Blank cells and the SQL-export marker NULL (any case) count as missing; otherwise keep the raw text (trimmed).
    exprs = []
    for col, target in mapping.items():
        text = pl.col(col).str.strip_chars()
        exprs.append(pl.when(text.is_in(_MISSING)).then(None).otherwise(text).alias(target))
    data = df.select(exprs)
    for f in contract.fields:
        if f.name not in data.columns:
            data = data.with_columns(pl.lit(None, dtype=pl.String).alias(f.name))
    data = data.select([f.name for f in contract.fields]).with_row_index(ROW_COLUMN, offset=FIRST_DATA_ROW)
    data = data.with_columns(pl.col(ROW_COLUMN).cast(pl.Int64))
    if lines is not None:
        data = data.with_columns(pl.Series(ROW_COLUMN, lines, dtype=pl.Int64))
    return RawTable(file, contract.name, fmt, encoding, data, mapping, ignored)
