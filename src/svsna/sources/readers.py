"""Read partner extracts (CSV, XLSX, Parquet) as raw text, in batches, matched to their contract.

Every value is read as text (nothing is coerced here: validation checks the raw text).
:class:`ExtractReader` opens one file, maps its header onto the contract's fields and
then yields :class:`RawBatch` es of at most ``batch_rows`` rows, so memory stays bounded
however large the extract is. A batch is a polars DataFrame whose columns are the
contract's field names (missing optional fields are all-null) plus ``_row``, the line the
record starts on as a text editor or spreadsheet shows it (the header is line 1).

Row-level faults of the file format stay row-level: a CSV record with more or fewer
fields than the header, an unterminated or malformed quoted value, or a value longer than
the field-length limit is reported as a :class:`RowFault` (line number, rule, message) and
the rest of the file is read. Whole-file problems (undecodable bytes, a wrong delimiter, a
missing required column, an Excel file over the size limits) raise
:class:`~svsna.errors.InputDataError` before any row is returned.

Blank cells and cells holding just ``NULL`` (as SQL exports write them) are missing values.
CSV files may be UTF-8 (with or without a BOM), UTF-16 or UTF-32 (with a BOM) or
Windows-1252; the encoding is detected and reported. Excel files use the first sheet, or
the sheet named after ``#`` in the path (``offences.xlsx#Crimes``). Columns may be named
in ``area.yaml`` (``columns: {offences: {weapon_flag: "Weapon Used"}}``); optional columns
whose header looks like a field but does not match are reported as near misses.

Examples
--------
>>> import tempfile, pathlib
>>> from svsna.sources.contracts import load_contracts
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "pop.csv").write_bytes("Area Code,YEAR,age,Sex,Population\\nE1,2020,15-19,F,10\\nE1,2020,1\\n".encode())
>>> raw = read_source(d / "pop.csv", load_contracts()["population"])
>>> raw.data.to_dicts()
[{'_row': 2, 'area_code': 'E1', 'year': '2020', 'age': '15-19', 'sex': 'F', 'population': '10'}]
>>> [(f.row_number, f.rule) for f in raw.faults]
[(3, 'too few fields')]
>>> raw.encoding, raw.format, raw.rows
('utf-8', 'csv', 1)
"""

from __future__ import annotations

import codecs
import csv
import difflib
import itertools
import re
from collections.abc import Generator, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from svsna.errors import FileSystemFault, InputDataError, MissingInputError, quote_value
from svsna.sources.contracts import SourceContract, normalise_column_name

if TYPE_CHECKING:
    import polars as pl

__all__ = [
    "DEFAULT_LIMITS",
    "ROW_COLUMN",
    "ExtractReader",
    "Limits",
    "RawBatch",
    "RawTable",
    "RowFault",
    "detect_encoding",
    "read_source",
    "split_sheet",
]

ROW_COLUMN = "_row"
FIRST_DATA_ROW = 2  # the header is line 1
BATCH_ROWS = 100_000
_LINE_CHUNK_CHARS = 8 << 20  # characters of a CSV read at a time by ExtractReader._line_batches
_OTHER_DELIMITERS = {";": "semicolon", "\t": "tab", "|": "pipe"}
_MISSING: tuple[str, ...] = ("", *("".join(c) for c in itertools.product(*((ch, ch.lower()) for ch in "NULL"))))
"""Trimmed cell texts that are missing values: blank, or NULL in any mix of case (``NULL``, ``null``, ``Null``, ...)."""
_BOMS: tuple[tuple[bytes, str, str], ...] = (
    (b"\x00\x00\xfe\xff", "utf-32-be", "utf-32"),
    (b"\xff\xfe\x00\x00", "utf-32-le", "utf-32"),
    (b"\xef\xbb\xbf", "utf-8-sig", "utf-8-sig"),
    (b"\xfe\xff", "utf-16-be", "utf-16"),
    (b"\xff\xfe", "utf-16-le", "utf-16"),
)
"""BOM -> (encoding as reported, Python codec that reads the file and drops the BOM). UTF-32 first:
its little-endian BOM starts with the UTF-16 one."""
_GENERIC_WORDS = frozenset({"flag", "code", "name", "id", "ref", "date", "datetime", "time", "type", "value", "the"})


@dataclass(frozen=True)
class Limits:
    """Limits that keep a malformed or hostile file from exhausting memory or time.

    Set in ``area.yaml`` under ``limits:`` (see docs/ingest.md); the defaults are
    generous for real extracts.
    """

    max_field_chars: int = 32_767
    """Longest value accepted in any cell (Excel's own cell limit); longer values reject the row."""
    xlsx_max_uncompressed_mb: int = 200
    """Largest total uncompressed size of an .xlsx file's parts (a zip bomb is refused)."""
    xlsx_max_rows: int = 1_048_576
    """Most rows read from one sheet (Excel's own sheet limit)."""
    batch_rows: int = BATCH_ROWS
    """Rows validated and written at a time (memory is bounded by this, not by the file size)."""


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class RowFault:
    """A record the file format itself makes unreadable (it is rejected; the rest of the file loads)."""

    row_number: int
    rule: str
    message: str
    column: str = ""
    """The contract field, when the fault is in one cell (an Excel formula with no saved value)."""
    value: str | None = None


@dataclass
class RawBatch:
    """Up to ``batch_rows`` records of one file as text, plus the records that could not be read."""

    data: pl.DataFrame
    faults: list[RowFault] = field(default_factory=list)


@dataclass
class FileFacts:
    """What was learnt about a file when it was opened (for the ledger and ``svsna check``)."""

    path: Path
    source: str
    format: str
    encoding: str | None
    column_map: dict[str, str] = field(default_factory=dict)
    """file column -> contract field"""
    ignored_columns: list[str] = field(default_factory=list)
    near_misses: dict[str, str] = field(default_factory=dict)
    """file column -> the optional field it looks like (not loaded: add a ``columns:`` mapping)"""
    sheet: str | None = None
    """The sheet of a workbook, when it has to be named (see :attr:`ExtractReader.sheet_label`)."""

    @property
    def display(self) -> str:
        """The file as the ledger, rejects and messages name it (``extracts.xlsx, sheet offences``)."""
        return f"{self.path.name}, sheet {self.sheet}" if self.sheet else self.path.name

    @property
    def describe(self) -> str:
        """How the file was read, for the ledger (e.g. ``csv; encoding windows-1252``)."""
        parts = [self.format]
        if self.encoding:
            parts.append(f"encoding {self.encoding}")
        if self.ignored_columns:
            parts.append(f"ignored columns: {', '.join(self.ignored_columns)}")
        return "; ".join(parts)


@dataclass
class RawTable:
    """A whole partner file read as text and mapped onto its contract's fields (small files, tests, checks)."""

    path: Path
    source: str
    format: str
    encoding: str | None
    data: pl.DataFrame
    column_map: dict[str, str] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)
    faults: list[RowFault] = field(default_factory=list)
    near_misses: dict[str, str] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        """Records read as rows (faulty records are in :attr:`faults`)."""
        return self.data.height

    @property
    def describe(self) -> str:
        return FileFacts(self.path, self.source, self.format, self.encoding, {}, self.ignored_columns).describe


def detect_encoding(data: bytes) -> str:
    """The encoding of a CSV file's first bytes: a BOM's, else ``utf-8`` or ``windows-1252``.

    >>> detect_encoding("Désirée".encode("cp1252")), detect_encoding("Désirée".encode())
    ('windows-1252', 'utf-8')
    >>> detect_encoding("a,b".encode("utf-16")), detect_encoding(b"\\xef\\xbb\\xbfa")
    ('utf-16-le', 'utf-8-sig')
    """
    for bom, name, _codec in _BOMS:
        if data.startswith(bom):
            return name
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


def scan_csv_encoding(path: Path, chunk: int = 1 << 20) -> tuple[str, str]:
    """``(reported encoding, Python codec)`` of a CSV file, reading it once in chunks.

    A BOM decides; otherwise the whole file must decode as UTF-8, or else as Windows-1252.

    Raises
    ------
    InputDataError
        If the file decodes as neither, naming the line of the first bad byte.
    """
    with open(path, "rb") as fh:
        head = fh.read(4)
        for bom, name, codec in _BOMS:
            if head.startswith(bom):
                _check_decodes(path, codec, name, chunk)
                return name, codec
        if b"\x00" in head:
            raise InputDataError(
                f"{path.name}: holds NUL bytes but no byte-order mark (UTF-16 or UTF-32 without a BOM?)",
                hint="save the file as CSV UTF-8",
            )
        fh.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        offset = 0
        lines = 0
        while block := fh.read(chunk):
            try:
                decoder.decode(block)
            except UnicodeDecodeError:
                break
            offset += len(block)
            lines += block.count(b"\n")
        else:
            try:
                decoder.decode(b"", final=True)
                return "utf-8", "utf-8"
            except UnicodeDecodeError:
                pass
    # Not UTF-8: every byte must be a Windows-1252 character.
    decoder = codecs.getincrementaldecoder("cp1252")()
    multibyte = False  # any valid UTF-8 multi-byte sequence (e.g. C2 A3, a UTF-8 pound sign)?
    with open(path, "rb") as fh:
        lines = 1
        tail = b""
        while block := fh.read(chunk):
            try:
                decoder.decode(block)
            except UnicodeDecodeError as exc:
                line = lines + block[: exc.start].count(b"\n")
                raise InputDataError(
                    f"{path.name}: line {line}: byte 0x{block[exc.start]:02X} cannot be decoded as UTF-8 or "
                    "Windows-1252",
                    hint="save the file as CSV UTF-8",
                ) from None
            multibyte = multibyte or _UTF8_MULTIBYTE.search(tail + block) is not None
            tail = block[-3:]
            lines += block.count(b"\n")
    if not multibyte:
        return "windows-1252", "cp1252"
    # UTF-8 text with some Windows-1252 bytes (files pasted together from several systems):
    # each byte that is not UTF-8 is read as Windows-1252, the rest as UTF-8, and the lines are named.
    odd = _non_utf8_lines(path, chunk)
    first = ", ".join(f"line {n}" for n in odd[:3]) + (", ..." if len(odd) > 3 else "")
    return f"utf-8, with Windows-1252 bytes on {len(odd):,} line{'s' if len(odd) != 1 else ''} ({first})", MIXED_CODEC


MIXED_CODEC = "svsna_utf8_cp1252"
"""The codec of a mostly UTF-8 file with some Windows-1252 bytes: UTF-8, each invalid byte read as Windows-1252."""
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def _cp1252_fallback(exc: UnicodeError) -> tuple[str, int]:
    """Decode-error handler: the bytes that are not UTF-8, read as Windows-1252."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return exc.object[exc.start : exc.end].decode("cp1252"), exc.end


class _MixedDecoder(codecs.BufferedIncrementalDecoder):
    def _buffer_decode(self, data: bytes, errors: str, final: bool) -> tuple[str, int]:  # type: ignore[override]
        return codecs.utf_8_decode(data, "svsna_cp1252_fallback", final)


def _mixed_search(name: str) -> codecs.CodecInfo | None:
    if name != MIXED_CODEC:
        return None
    return codecs.CodecInfo(
        encode=codecs.utf_8_encode,
        decode=lambda data, errors="strict": codecs.utf_8_decode(data, "svsna_cp1252_fallback", True),
        incrementaldecoder=_MixedDecoder,
        incrementalencoder=codecs.getincrementalencoder("utf-8"),
        streamreader=codecs.getreader("utf-8"),
        streamwriter=codecs.getwriter("utf-8"),
        name=MIXED_CODEC,
    )


codecs.register_error("svsna_cp1252_fallback", _cp1252_fallback)
codecs.register(_mixed_search)


def _non_utf8_lines(path: Path, chunk: int) -> list[int]:
    """The lines (1-based) of ``path`` that hold bytes that are not UTF-8."""
    found: list[int] = []
    line = 1
    carry = b""
    with open(path, "rb") as fh:
        while True:
            block = fh.read(chunk)
            data = carry + block
            cut = data.rfind(b"\n") + 1 if block else len(data)
            part, carry = data[:cut], data[cut:]
            for text in part.split(b"\n"):
                try:
                    text.decode("utf-8")
                except UnicodeDecodeError:
                    found.append(line)
                line += 1
            line -= 1  # split gives one more piece than there are newlines
            if not block:
                return found


def _check_decodes(path: Path, codec: str, name: str, chunk: int) -> None:
    """Raise :class:`InputDataError` unless the whole file decodes with ``codec``."""
    decoder = codecs.getincrementaldecoder(codec)()
    lines = 1
    with open(path, "rb") as fh:
        while True:
            block = fh.read(chunk)
            try:
                text = decoder.decode(block, final=not block)
            except UnicodeDecodeError as exc:
                raise InputDataError(
                    f"{path.name}: after about line {lines}: the bytes are not valid {name} ({exc.reason})",
                    hint="save the file as CSV UTF-8",
                ) from None
            lines += text.count("\n")
            if not block:
                return


def _header_fields(
    columns: list[str], contract: SourceContract, name: str, mapping_cfg: Mapping[str, str]
) -> tuple[dict[str, str], list[str], dict[str, str]]:
    """Match file columns to fields: ``(file column -> field, ignored columns, near misses)``."""
    by_config = {normalise_column_name(col): fld for fld, col in mapping_cfg.items()}
    unknown = [fld for fld in mapping_cfg if fld not in {f.name for f in contract.fields}]
    if unknown:
        from svsna.errors import ConfigError

        raise ConfigError(
            f"area.yaml columns.{contract.name}: unknown field(s) {unknown}; "
            f"fields of {contract.name}: {', '.join(f.name for f in contract.fields)}"
        )
    mapping: dict[str, str] = {}
    ignored: list[str] = []
    for col in columns:
        target = by_config.get(normalise_column_name(col)) or contract.match_column(col)
        if target is None or (target in mapping_cfg and normalise_column_name(col) not in by_config):
            ignored.append(col)
            continue
        if target in mapping.values():
            first = next(k for k, v in mapping.items() if v == target)
            raise InputDataError(
                f"{name}: columns {quote_value(first)} and {quote_value(col)} both match field {target!r}",
                hint="remove or rename one, or name the one to use in area.yaml `columns:`",
            )
        mapping[col] = target
    missing = [f for f in contract.required_columns if f.name not in mapping.values()]
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
        shown = ", ".join(quote_value(c, 40) for c in columns[:40]) or "none"
        raise InputDataError(
            " ".join(problems) + f"; hint: columns found: {shown}; accepted names: {accepted}; or name the "
            f'column in area.yaml `columns: {{{contract.name}: {{{missing[0].name}: "Your Column"}}}}`'
        )
    near = _near_misses(ignored, contract, set(mapping.values()))
    return mapping, ignored, near


def _words(name: str) -> set[str]:
    return {w for w in re.split(r"[^a-z0-9]+", str(name).lower()) if w}


def _near_misses(ignored: list[str], contract: SourceContract, mapped: set[str]) -> dict[str, str]:
    """Ignored columns that look like an unmapped optional field ("Weapon Used" ~ ``weapon_flag``)."""
    out: dict[str, str] = {}
    for col in ignored:
        words = _words(col)
        norm = normalise_column_name(col)
        for f in contract.fields:
            if f.name in mapped or f.name in out.values():
                continue
            names = [f.name, *f.aliases]
            distinctive = set().union(*(_words(n) for n in names)) - _GENERIC_WORDS
            close = max(difflib.SequenceMatcher(None, norm, normalise_column_name(n)).ratio() for n in names)
            if close >= 0.75 or (distinctive and {w for w in words if len(w) >= 4} & distinctive):
                out[col] = f.name
                break
    return out


class ExtractReader:
    """One partner file, opened and matched to its contract; iterate it for :class:`RawBatch` es.

    Parameters
    ----------
    path : path
        The file (``book.xlsx#Sheet`` names a sheet).
    contract : SourceContract
        What the file must contain.
    limits : Limits, optional
        Field-length and Excel size limits, and the batch size.
    columns : mapping, optional
        ``field -> file column`` names from ``area.yaml`` ``columns:``.
    encoding : tuple, optional
        ``(reported, codec)`` of a CSV file when already scanned (see :func:`scan_csv_encoding`).
    engine : {"python", "arrow"}
        How a CSV file is parsed. ``"python"`` (the default for partner extracts) streams the
        file: lines that are whole records are split with polars, and from the first line that
        may not be (a quoted value running on, a bad quote) the csv module reads on, so the
        rows, faults and exact line numbers are the csv module's even when quoted values span
        lines; memory is bounded by ``batch_rows`` and an 8-million-character read. ``"arrow"``
        parses a whole file at once with pyarrow
        (vectorised, multi-threaded; for many small files such as data.police.uk's monthly
        street files): line numbers assume one record per line, and memory holds one file.
        A gzipped CSV (``.csv.gz``) is always read with ``"arrow"``.

    Raises
    ------
    MissingInputError
        If the file does not exist.
    InputDataError
        If it cannot be read, is empty, has the wrong delimiter, has no data rows or lacks
        a required column (the message names the file and the column, with a close match).
    FileSystemFault
        If the path is a folder or cannot be read.
    """

    def __init__(
        self,
        path: str | Path,
        contract: SourceContract,
        *,
        limits: Limits | None = None,
        columns: Mapping[str, str] | None = None,
        encoding: tuple[str, str] | None = None,
        engine: str = "python",
    ) -> None:
        if engine not in ("python", "arrow"):
            raise ValueError(f"engine must be 'python' or 'arrow', not {engine!r}")
        self.file, self.sheet = split_sheet(Path(path))
        self.contract = contract
        self.limits = limits or DEFAULT_LIMITS
        self._columns_cfg = dict(columns or {})
        file = self.file
        if not file.exists():
            raise MissingInputError(f"{contract.name}: input file {file} not found; hint: check `inputs` in area.yaml")
        if file.is_dir():
            raise FileSystemFault(f"{contract.name}: {file} is a folder, not a file", hint="name the file in area.yaml")
        suffix = file.suffix.lower()
        gzipped = suffix == ".gz" and Path(file.stem).suffix.lower() in (".csv", ".txt")
        self.engine = "arrow" if gzipped else engine
        self.encoding: str | None = None
        self._codec = "utf-8"
        self._arrow: Any = None
        self.sheet_label: str | None = None
        """The sheet, when it has to be named: a sheet named in the path, or any sheet of a workbook with several."""
        if self.engine == "arrow" and (gzipped or suffix in (".csv", ".txt")):
            self.format = "csv (gzip)" if gzipped else "csv"
            header = self._arrow_read()
        elif suffix in (".csv", ".txt"):
            self.format = "csv"
            self.encoding, self._codec = encoding or scan_csv_encoding(file)
            header = self._csv_header()
        elif suffix in (".xlsx", ".xlsm"):
            self.format = "xlsx" if self.sheet is None else f"xlsx sheet {self.sheet!r}"
            header = self._xlsx_header()
        elif suffix in (".parquet", ".pq"):
            self.format = "parquet"
            header = self._parquet_header()
        else:
            raise InputDataError(
                f"{file.name}: unsupported file type {quote_value(suffix, 20)}; hint: supply .csv, .xlsx or .parquet"
            )
        self.header = header
        mapping, ignored, near = _header_fields(header, contract, self.where, self._columns_cfg)
        self.facts = FileFacts(
            file, contract.name, self.format, self.encoding, mapping, ignored, near, sheet=self.sheet_label
        )
        self._index = {target: header.index(col) for col, target in mapping.items()}

    @property
    def where(self) -> str:
        """The file as fault messages name it: ``extracts.xlsx, sheet offences`` for a sheet of a workbook."""
        return f"{self.file.name}, sheet {self.sheet_label}" if self.sheet_label else self.file.name

    def _no_rows(self) -> InputDataError:
        if self.format.startswith("xlsx"):
            hint = "fill in the sheet (a new template's sheets are empty), or if it was exported, check its date range"
        else:
            hint = "check the extract's date range"
        return InputDataError(f"{self.where}: has a header but no data rows; hint: {hint}")

    # -- CSV -----------------------------------------------------------------------------------
    def _open_text(self) -> Any:
        return open(self.file, encoding=self._codec, newline="")

    def _csv_header(self) -> list[str]:
        with self._open_text() as fh:
            text = fh.read(1 << 16)
        if not text.strip():
            raise InputDataError(f"{self.where}: the file is empty; hint: re-export it with a header row and data rows")
        with self._open_text() as fh:
            reader = csv.reader(fh)
            try:
                header = next(reader)
                while not any(h.strip() for h in header):  # leading blank lines
                    header = next(reader)
            except (csv.Error, StopIteration) as exc:
                raise InputDataError(
                    f"{self.where}: the header row cannot be read ({quote_value(exc, 80)})",
                    hint="check the first line of the file",
                ) from None
            self._header_line = reader.line_num
        header = [h.strip().lstrip("\ufeff") for h in header]
        if len(header) == 1:
            for delim, label in _OTHER_DELIMITERS.items():
                if delim in header[0]:
                    raise InputDataError(
                        f"{self.where}: only one column found ({quote_value(header[0], 60)}); the file looks "
                        f"{label}-delimited; hint: save it as comma-separated CSV (in Excel: Save As > CSV UTF-8 "
                        "(Comma delimited))"
                    )
        return header

    def _csv_records(self) -> Iterator[RawBatch | tuple[list[list[str]], list[int], list[RowFault]]]:
        """The file's records: vectorised batches while every line is a record of its own, then,
        from the first line that may not be (:meth:`_line_batches`), the csv module's."""
        after = yield from self._line_batches()
        if after is not None:
            yield from self._csv_chunks(after)
        else:
            yield [], [], []  # the end (a file with no records at all is refused by __iter__)

    def _line_batches(self) -> Generator[RawBatch, None, int | None]:
        """Batches of the records that are exactly one line each, split by polars; returns the
        number of lines read when it stops at a line it cannot vouch for (None at the end).

        A line without a quote character is a whole record whose fields are its comma-separated
        parts, as the csv module reads it; a line with a quote is read by the csv module on its
        own, and is a whole record when that succeeds. A line that fails (a quoted value running
        on to the next line, a bad quote), holds a carriage return other than a final one or a
        NUL, or is longer than the field-length limit stops this reader: the csv module reads
        the file on from that line (:meth:`_csv_chunks`), so the rows, line numbers and faults
        are the csv module's in every case, at a fraction of its cost on the common lines.
        """
        import numpy as np
        import polars as pl

        limit = self.limits.max_field_chars
        size = self.limits.batch_rows
        ncols = len(self.header)
        csv.field_size_limit(max(limit + 1, 1024))
        index = list(self._index.items())
        done = self._header_line  # physical lines read so far (the header's last line included)
        with self._open_text() as fh:
            for _ in range(done):
                fh.readline()
            carry = ""
            while True:
                text = fh.read(_LINE_CHUNK_CHARS)
                lines = (carry + text).split("\n")
                carry = lines.pop() if text else ""
                if not text and lines == [""]:
                    return None
                s = pl.Series("line", lines, dtype=pl.String).str.strip_suffix("\r")
                stop = s.str.contains("\r", literal=True) | s.str.contains("\x00", literal=True)
                stop = stop | (s.str.len_chars() > limit)
                cut = int(stop.arg_true()[0]) if stop.any() else len(lines)
                quoted = s.str.contains('"', literal=True)
                parsed: dict[int, list[str]] = {}
                for i in quoted.head(cut).arg_true().to_list():
                    try:
                        records = list(csv.reader([s[i]], strict=True))
                    except csv.Error:
                        cut = i
                        break
                    parsed[i] = records[0] if records else []
                s = s.head(cut)
                n = (s.str.count_matches(",", literal=True) + 1).to_numpy()
                plain = ~quoted.head(cut).to_numpy() & (n == ncols)
                whole = s.filter(pl.Series(plain)).str.split_exact(",", max(ncols - 1, 0)).struct.unnest()
                if index:
                    frame = whole.select([pl.col(whole.columns[k]).alias(t) for t, k in index])
                else:
                    frame = pl.DataFrame(height=whole.height)
                line_no = np.flatnonzero(plain) + done + 1
                rest_rows: list[list[str]] = []
                rest_lines: list[int] = []
                faults: list[RowFault] = []
                for i in np.flatnonzero(~plain).tolist():
                    fields = parsed[i] if i in parsed else ([] if s[i] == "" else s[i].split(","))
                    start = done + 1 + i
                    record = fields if len(fields) == ncols else self._odd(fields, ncols, start, self.file.name)
                    if isinstance(record, RowFault):
                        faults.append(record)
                        continue
                    rest_rows.append(record)
                    rest_lines.append(start)
                if rest_rows:
                    columns = {t: pl.Series(t, [r[k] for r in rest_rows], dtype=pl.String) for t, k in index}
                    extra = pl.DataFrame(columns) if index else pl.DataFrame(height=len(rest_rows))
                    frame = pl.concat([frame, extra], how="vertical")
                    line_no = np.concatenate([line_no, np.asarray(rest_lines, dtype=np.int64)])
                    order = np.argsort(line_no, kind="stable")
                    frame, line_no = frame[order], line_no[order]
                done += cut
                for k in range(0, max(frame.height, 1), size):
                    part = frame.slice(k, size)
                    if part.height or faults:
                        yield self._shape(part, line_no[k : k + size].tolist(), faults if k == 0 else [])
                if cut < len(lines):
                    return done
                if not text:
                    return None

    def _csv_chunks(self, after: int | None = None) -> Iterator[tuple[list[list[str]], list[int], list[RowFault]]]:
        """``(rows, start lines, faults)`` of up to ``batch_rows`` records at a time, from the line
        after line ``after`` (default: after the header).

        The common record (the header's number of fields) costs a few list appends; blank
        lines become one blank row; ragged records and quoting errors become row faults,
        and after a quoting error that swallowed later lines those lines are read again.
        """
        limit = self.limits.max_field_chars
        size = self.limits.batch_rows
        ncols = len(self.header)
        name = self.file.name
        resume_after: int | None = self._header_line if after is None else after
        csv.field_size_limit(max(limit + 1, 1024))
        rows: list[list[str]] = []
        lines: list[int] = []
        faults: list[RowFault] = []
        while resume_after is not None:
            base, resume_after = resume_after, None
            with self._open_text() as fh:
                for _ in range(base):  # skip to the line after the header (or after a broken record)
                    fh.readline()
                reader = csv.reader(fh, strict=True)
                last = base
                while True:
                    try:
                        for fields in reader:
                            start = last + 1
                            last = base + reader.line_num
                            record = fields if len(fields) == ncols else self._odd(fields, ncols, start, name)
                            if isinstance(record, RowFault):
                                faults.append(record)
                            else:
                                rows.append(record)
                                lines.append(start)
                            if len(rows) + len(faults) >= size:
                                yield rows, lines, faults
                                rows, lines, faults = [], [], []
                        break
                    except csv.Error as exc:
                        start = last + 1
                        faults.append(self._quoting(start, str(exc), limit))
                        if base + reader.line_num > start:  # it swallowed later lines: read them again
                            resume_after = start
                            break
                        last = base + reader.line_num
        yield rows, lines, faults

    @classmethod
    def _odd(cls, fields: list[str], ncols: int, start: int, name: str) -> list[str] | RowFault:
        """A record without the header's number of fields: a blank line (no field, or one blank
        field) is one blank row; anything else is a ragged record's fault."""
        if not fields or (len(fields) == 1 and not fields[0].strip()):
            return [""] * ncols
        return cls._ragged(start, len(fields), ncols, name)

    @staticmethod
    def _ragged(start: int, n: int, ncols: int, name: str) -> RowFault:
        rule = "too many fields" if n > ncols else "too few fields"
        hint = "check for an unquoted comma in a value" if n > ncols else "the row may have been cut short"
        return RowFault(start, rule, f"line {start} of {name} has {n} fields but the header has {ncols}; hint: {hint}")

    @staticmethod
    def _quoting(start: int, text: str, limit: int) -> RowFault:
        if "end of data" in text:
            rule, what = "unterminated quoted value", "a quoted value is not closed before the end"
        elif "field limit" in text:
            rule, what = "value too long", f"a value is longer than {limit:,} characters"
        else:
            rule, what = "malformed quoting", f"the quoting cannot be read ({text})"
        return RowFault(
            start, rule, f"line {start}: {what}; hint: check the quotes on this line (the rest of the file was read)"
        )

    # -- CSV, vectorised (pyarrow) ---------------------------------------------------------------
    def _peek_header(self) -> list[str]:
        """The header row's names (first non-blank line), read with the csv module."""
        import gzip

        opener: Any = gzip.open if self.file.suffix.lower() == ".gz" else open
        try:
            with opener(self.file, "rt", encoding="utf-8", errors="replace", newline="") as fh:
                for header in csv.reader(fh):
                    if any(h.strip() for h in header):
                        return header
        except (OSError, EOFError, csv.Error) as exc:
            if isinstance(exc, OSError) and not isinstance(exc, gzip.BadGzipFile):
                raise
            raise InputDataError(
                f"{self.where}: cannot be read as a CSV file ({quote_value(exc, 100)})",
                hint="use the file as published (plain CSV, or gzipped CSV ending .csv.gz)",
            ) from None
        raise InputDataError(f"{self.where}: the file is empty; hint: re-export it with a header row and data rows")

    def _arrow_read(self) -> list[str]:
        """Parse the whole file with pyarrow (every value as text); return the header.

        Records with the wrong number of fields become row faults; UTF-8 is tried first, then
        Windows-1252 (a file re-saved by Excel on Windows).
        """
        import pyarrow as pa
        import pyarrow.csv as pcsv

        names = self._peek_header()
        bad: list[tuple[int, int, int, str]] = []  # (line or -1, fields found, fields expected, text)

        def _invalid(row: Any) -> str:
            line = int(row.number) if row.number is not None else -1
            bad.append((line, int(row.actual_columns), int(row.expected_columns), (row.text or "")[:200]))
            return "skip"

        def _read(encoding: str) -> Any:
            bad.clear()
            return pcsv.read_csv(
                self.file,
                read_options=pcsv.ReadOptions(encoding=encoding),
                parse_options=pcsv.ParseOptions(invalid_row_handler=_invalid, newlines_in_values=True),
                convert_options=pcsv.ConvertOptions(
                    column_types={n: pa.string() for n in names},
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )

        try:
            try:
                table, self.encoding = _read("utf-8"), "utf-8"
            except pa.ArrowInvalid as exc:
                if "utf8" not in str(exc).lower():
                    raise
                table, self.encoding, self._codec = _read("cp1252"), "windows-1252", "cp1252"
        except pa.ArrowInvalid as exc:
            raise InputDataError(
                f"{self.where}: cannot be read as a CSV file ({quote_value(exc, 160)})",
                hint="use the file as published",
            ) from None
        lines = [b[0] for b in bad]
        if any(n < 0 for n in lines):
            lines = self._locate_lines(bad)
        faults = [
            self._ragged(line, n, ncols, self.file.name) for line, (_l, n, ncols, _t) in zip(lines, bad, strict=True)
        ]
        self._arrow = (table, sorted(x for x in lines if x > 0), faults)
        return [str(c).strip().lstrip("\ufeff") for c in table.column_names]

    def _locate_lines(self, bad: list[tuple[int, int, int, str]]) -> list[int]:
        """Line numbers of malformed records (pyarrow's multi-threaded parser does not know them)."""
        import gzip

        wanted: dict[str, list[int]] = {}
        for i, (line, _n, _e, text) in enumerate(bad):
            if line < 0:
                wanted.setdefault(text, []).append(i)
        found = [b[0] for b in bad]
        opener: Any = gzip.open if self.file.suffix.lower() == ".gz" else open
        with opener(self.file, "rt", encoding=self._codec, errors="replace", newline="") as fh:
            for number, text in enumerate(fh, start=1):
                hits = wanted.get(text.rstrip("\r\n")[:200])
                if hits:
                    found[hits.pop(0)] = number
        return found

    def _arrow_batches(self) -> Iterator[RawBatch]:
        import numpy as np
        import polars as pl

        table, bad_lines, faults = self._arrow
        n = table.num_rows
        if n == 0 and not faults:
            raise self._no_rows()
        lines = np.arange(FIRST_DATA_ROW, FIRST_DATA_ROW + n + len(bad_lines), dtype=np.int64)
        if bad_lines:
            lines = lines[~np.isin(lines, np.asarray(bad_lines, dtype=np.int64))]
        lines = lines[:n]
        names = [table.column_names[i] for i in self._index.values()]
        cols = list(self._index)
        size = self.limits.batch_rows
        for start in range(0, max(n, 1), size):
            part = table.slice(start, size).select(names).rename_columns(cols)
            df = pl.from_arrow(part)
            assert isinstance(df, pl.DataFrame)
            yield self._shape(df, lines[start : start + size], faults if start == 0 else [])

    # -- XLSX ----------------------------------------------------------------------------------
    def _open_book(self) -> Any:
        import zipfile

        import openpyxl

        try:
            with zipfile.ZipFile(self.file) as zf:
                size = sum(i.file_size for i in zf.infolist())
        except (zipfile.BadZipFile, OSError) as exc:
            if isinstance(exc, OSError) and not isinstance(exc, zipfile.BadZipFile):
                raise
            raise InputDataError(
                f"{self.where}: not a readable Excel workbook ({exc}); hint: save it as .xlsx"
            ) from None
        cap = self.limits.xlsx_max_uncompressed_mb
        if size > cap * 1_000_000:
            raise InputDataError(
                f"{self.where}: unpacks to {size / 1e6:,.0f} MB, over the limit of {cap:,} MB",
                hint="supply the data as CSV, or raise area.yaml `limits: {xlsx_max_uncompressed_mb: ...}` if the "
                "file is genuine",
            )
        try:
            book = openpyxl.load_workbook(self.file, read_only=True, data_only=True)
        except Exception as exc:
            raise InputDataError(
                f"{self.where}: not a readable Excel workbook ({quote_value(exc, 100)}); hint: save it as .xlsx"
            ) from None
        if self.sheet is not None and self.sheet not in book.sheetnames:
            close = difflib.get_close_matches(self.sheet, book.sheetnames, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; sheets: {', '.join(book.sheetnames)}"
            book.close()
            raise InputDataError(f"{self.where}: sheet {self.sheet!r} not found{hint}")
        return book

    def _sheet(self, book: Any) -> Any:
        return book[self.sheet] if self.sheet is not None else book.worksheets[0]

    def _xlsx_header(self) -> list[str]:
        book = self._open_book()
        try:
            sheet = self._sheet(book)
            if self.sheet is not None or len(book.sheetnames) > 1:
                self.sheet_label = str(sheet.title)
            rows = sheet.iter_rows(values_only=True)
            header = next(rows, None)
        finally:
            book.close()
        if header is None:
            raise InputDataError(f"{self.where}: the sheet is empty; hint: check the sheet name")
        return ["" if h is None else str(h).strip() for h in header]

    def _xlsx_chunks(self) -> Iterator[tuple[list[list[str]], list[int], list[RowFault]]]:
        rows: list[list[str]] = []
        lines: list[int] = []
        faults: list[RowFault] = []
        for line, cells, bad in self._xlsx_records():
            if bad:
                faults += bad
            else:
                rows.append(cells)
                lines.append(line)
            if len(rows) + len(faults) >= self.limits.batch_rows:
                yield rows, lines, faults
                rows, lines, faults = [], [], []
        yield rows, lines, faults

    def _xlsx_records(self) -> Iterator[tuple[int, list[str], list[RowFault]]]:
        """``(sheet row, cell texts, faults)``; a row with a formula cell that has no saved value
        (in a contract column) comes with one fault per such cell and is rejected."""
        ncols = len(self.header)
        cap = self.limits.xlsx_max_rows
        fields = {i: target for target, i in self._index.items()}
        order = {f.name: k for k, f in enumerate(self.contract.fields)}  # a row's faults in field order
        book = self._open_book()
        try:
            sheet = self._sheet(book)
            unsaved = _unsaved_formulas(book, sheet, set(fields))
            for i, row in enumerate(sheet.iter_rows(min_row=2, values_only=True)):
                if i >= cap:
                    raise InputDataError(
                        f"{self.where}: more than {cap:,} rows",
                        hint="supply the data as CSV, or raise area.yaml `limits: {xlsx_max_rows: ...}`",
                    )
                line = i + FIRST_DATA_ROW
                cells = [_cell_text(v) for v in row[:ncols]]
                cells += [""] * (ncols - len(cells))
                bad = [
                    RowFault(
                        line,
                        FORMULA_RULE,
                        f"cell {ref} holds a formula with no saved value ({quote_value(formula, 60)[1:-1]}); hint: "
                        "in Excel, copy the column and Paste Special > Values, or open and save the file in Excel "
                        "so the values are stored",
                        column=fields[col],
                        value=formula,
                    )
                    for col, ref, formula in sorted(unsaved.get(line, ()), key=lambda c: order[fields[c[0]]])
                ]
                yield line, cells, bad
        finally:
            book.close()

    # -- Parquet -------------------------------------------------------------------------------
    def _parquet_header(self) -> list[str]:
        import pyarrow.parquet as pq

        try:
            self._pq = pq.ParquetFile(self.file)
        except Exception as exc:
            raise InputDataError(f"{self.where}: not a readable Parquet file ({quote_value(exc, 100)})") from None
        return list(self._pq.schema_arrow.names)

    # -- batches -------------------------------------------------------------------------------
    def __iter__(self) -> Iterator[RawBatch]:
        if self._arrow is not None:
            yield from self._arrow_batches()
            return
        if self.format == "parquet":
            yield from self._parquet_batches()
            return
        chunks = self._csv_records() if self.format == "csv" else self._xlsx_chunks()
        try:
            seen = False
            for chunk in chunks:
                batch = chunk if isinstance(chunk, RawBatch) else None
                empty = batch.data.height == 0 and not batch.faults if batch else not chunk[0] and not chunk[2]
                if empty and seen:
                    continue
                if empty:
                    raise self._no_rows()
                seen = True
                yield batch if batch is not None else self._batch(*chunk)
        except UnicodeDecodeError as exc:  # scanned before reading, so only if the file changed meanwhile
            raise InputDataError(
                f"{self.where}: cannot be decoded as {self.encoding} ({exc.reason})", hint="save it as CSV UTF-8"
            ) from None

    def _parquet_batches(self) -> Iterator[RawBatch]:
        import polars as pl

        line = FIRST_DATA_ROW
        seen = False
        cols = list(self._index)
        names = [self.header[i] for i in self._index.values()]
        for rb in self._pq.iter_batches(batch_size=self.limits.batch_rows, columns=names):
            df = pl.from_arrow(rb)
            assert isinstance(df, pl.DataFrame)
            df = df.select([pl.col(n).cast(pl.String).alias(c) for n, c in zip(names, cols, strict=True)])
            seen = seen or df.height > 0
            lines = list(range(line, line + df.height))
            line += df.height
            yield self._shape(df, lines, [])
        if not seen:
            raise self._no_rows()

    def _batch(self, rows: list[list[str]], lines: list[int], faults: list[RowFault]) -> RawBatch:
        import polars as pl

        idx = self._index
        columns = {target: [r[i] for r in rows] for target, i in idx.items()}
        df = pl.DataFrame({c: pl.Series(c, v, dtype=pl.String) for c, v in columns.items()})
        if not idx:
            df = pl.DataFrame(height=len(rows))
        return self._shape(df, lines, faults)

    def _shape(self, df: pl.DataFrame, lines: list[int], faults: list[RowFault]) -> RawBatch:
        """Missing-value markers to null, values trimmed, over-long values to row faults, contract column order."""
        import polars as pl

        limit = self.limits.max_field_chars
        exprs = []
        for target in self._index:
            text = pl.col(target).str.strip_chars()
            exprs.append(pl.when(text.is_in(_MISSING)).then(None).otherwise(text).alias(target))
        data = df.select(exprs) if exprs else df
        data = data.with_columns(pl.Series(ROW_COLUMN, lines, dtype=pl.Int64))
        if (self.format != "csv" or self.engine == "arrow") and self._index:  # the csv module catches these
            # bytes >= characters: only values over the limit in bytes need counting in characters
            maybe = pl.any_horizontal([pl.col(c).str.len_bytes() > limit for c in self._index])
            too_long = maybe & pl.any_horizontal([pl.col(c).str.len_chars() > limit for c in self._index])
            long_rows = data.filter(too_long) if data.select(maybe.any()).item() else data.clear()
            if long_rows.height:
                faults = faults + [
                    RowFault(
                        int(r),
                        "value too long",
                        f"row {r}: a value is longer than {limit:,} characters; hint: shorten it or raise area.yaml "
                        "`limits: {max_field_chars: ...}`",
                    )
                    for r in long_rows.get_column(ROW_COLUMN).to_list()
                ]
                data = data.filter(~too_long)
        for f in self.contract.fields:
            if f.name not in data.columns:
                data = data.with_columns(pl.lit(None, dtype=pl.String).alias(f.name))
        data = data.select(ROW_COLUMN, *[f.name for f in self.contract.fields])
        return RawBatch(data, faults)


FORMULA_RULE = "formula with no saved value"
_FORMULA_TAG = re.compile(rb"<(?:\w{1,10}:)?f[\s>/]")
_REF = re.compile(rb'\br="([A-Z]{1,3})([0-9]+)"')
_FORMULA = re.compile(rb"<(?:\w+:)?f(?:\s[^>]*)?(?:/>|>([^<]*)</(?:\w+:)?f>)")
_VALUE = re.compile(rb"<(?:\w+:)?v>[^<]")
_EMPTY_VALUE = re.compile(rb"<(?:\w+:)?v>\s*</")


def _unsaved_formulas(book: Any, sheet: Any, columns: set[int]) -> dict[int, list[tuple[int, str, str]]]:
    """Cells of ``sheet`` (in the 0-based ``columns``) that hold a formula but no saved value:
    ``sheet row -> [(column, cell reference, "=formula")]``.

    openpyxl reads such a cell as empty (``data_only``: the saved value, and there is none),
    so the sheet's XML is scanned once, as bytes: a sheet with no formula at all costs one
    decompression and a substring search, not a second parse. Files written by Excel store
    every formula's value; files written by scripts (openpyxl, some exports) often do not.
    """
    import html

    from openpyxl.utils import column_index_from_string

    out: dict[int, list[tuple[int, str, str]]] = {}
    path = getattr(sheet, "_worksheet_path", None)
    archive = getattr(book, "_archive", None)
    if path is None or archive is None:  # pragma: no cover - openpyxl internals changed
        return out
    carry = b""
    with archive.open(path) as fh:
        while True:
            block = fh.read(1 << 20)
            data = carry + block
            cut = data.rfind(b"</row>") + len(b"</row>") if block else len(data)
            if cut < len(b"</row>"):
                cut = 0 if block else len(data)
            part, carry = data[:cut], data[cut:]
            for fm in _FORMULA_TAG.finditer(part):  # only around formulas: plain cells cost nothing
                start = part.rfind(b' r="', 0, fm.start())  # the formula's cell reference
                end = part.find(b"c>", fm.end())  # </c> (or </x:c>)
                if start < 0 or end < 0:
                    continue
                cell_xml = part[start:end]
                if _VALUE.search(cell_xml) or (b't="str"' in cell_xml and _EMPTY_VALUE.search(cell_xml)):
                    continue  # a saved value (a text formula's saved value may be empty: Excel's <v></v>)
                ref = _REF.search(cell_xml)
                f = _FORMULA.search(cell_xml)
                if ref is None or f is None:
                    continue
                col = column_index_from_string(ref.group(1).decode()) - 1
                if col in columns:
                    text = html.unescape((f.group(1) or b"").decode("utf-8", "replace"))
                    formula = f"={text}" if text else "(shared formula)"
                    cell = (ref.group(1) + ref.group(2)).decode()
                    out.setdefault(int(ref.group(2)), []).append((col, cell, formula))
            if not block:
                return out


def _cell_text(value: object) -> str:
    """An Excel cell as the text a CSV export would hold (a date cell at midnight is a bare date)."""
    import datetime as dt

    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def read_source(
    path: str | Path,
    contract: SourceContract,
    *,
    limits: Limits | None = None,
    columns: Mapping[str, str] | None = None,
) -> RawTable:
    """Read a whole partner file (all batches at once) as text mapped onto ``contract``.

    For small files, tests and checks; ``svsna ingest`` streams with :class:`ExtractReader`.
    Raises what :class:`ExtractReader` raises.
    """
    import polars as pl

    reader = ExtractReader(path, contract, limits=limits, columns=columns)
    batches = list(reader)
    data = pl.concat([b.data for b in batches], how="vertical")
    faults = [f for b in batches for f in b.faults]
    facts = reader.facts
    return RawTable(
        facts.path,
        contract.name,
        facts.format,
        facts.encoding,
        data,
        facts.column_map,
        facts.ignored_columns,
        faults,
        facts.near_misses,
    )
