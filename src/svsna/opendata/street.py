"""Read data.police.uk street-level files into the warehouse, accounting for every row.

Files are named ``YYYY-MM-<force>-street.csv`` (plain or gzipped), loose in a folder or in
the official archive layout (``YYYY-MM/YYYY-MM-<force>-street.csv``). Every force uses the
same columns::

    Crime ID, Month, Reported by, Falls within, Longitude, Latitude, Location,
    LSOA code, LSOA name, Crime type, Last outcome category, Context

Each row gets exactly one outcome, tested in this order (the first rule that applies wins):

1. ``rejected`` -- the row cannot be used: wrong number of fields, ``Month`` not ``YYYY-MM``,
   ``Month`` different from the file name's month, an unknown ``Crime type``, or
   coordinates that are not numbers;
2. ``excluded: no location`` -- blank ``LSOA code`` (data.police.uk could not place it);
3. ``excluded: not a 2011 LSOA`` -- a code that is not one of the 34,753 2011 LSOAs of England
   and Wales (:mod:`svsna.geodata`), e.g. a 2021 LSOA code, which police.uk uses for recent months;
4. ``excluded: outside force area`` -- a 2011 LSOA in another police force area (police.uk
   includes crimes a force recorded that happened elsewhere; :func:`outside_force` says where);
5. ``excluded: anti-social behaviour`` -- incidents, not crimes;
6. ``loaded``.

The LSOA is matched by its code only; the ``LSOA name`` column is not used (names carry the
district of 2011, e.g. ``Taunton Deane 001A`` for an LSOA now in Somerset).

The ledger (``od_ledger``) has one ``read`` row per file and one row per outcome and
reason, and :func:`load_street_files` asserts read = loaded + excluded + rejected.
``Crime ID``, ``Location`` and ``Context`` are not kept: no column of these files
identifies a person, and the analysis needs none of them.

Examples
--------
>>> file_month("2021-05-west-yorkshire-street.csv.gz")
'2021-05'
>>> fin_year_of("2021-03"), fin_year_of("2021-04")
(2020, 2021)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from svsna.errors import InputDataError, MissingInputError
from svsna.opendata.proxy import ASB, CRIME_TYPES

if TYPE_CHECKING:
    import ibis
    import pandas as pd

    from svsna.engine import Warehouse
    from svsna.opendata.reference import ForceReference

__all__ = [
    "SOURCE",
    "STREET_COLUMNS",
    "StreetLoad",
    "discover_street_files",
    "file_month",
    "fin_year_of",
    "load_street_files",
    "outside_force",
]

SOURCE = "police_uk_street"
STREET_COLUMNS: tuple[str, ...] = (
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
)
_KEEP = {
    "Month": "month",
    "Falls within": "falls_within",
    "Longitude": "longitude",
    "Latitude": "latitude",
    "LSOA code": "lsoa_code",
    "LSOA name": "lsoa_name",
    "Crime type": "crime_type",
    "Last outcome category": "outcome_category",
}
_NAME = re.compile(r"^(\d{4}-\d{2})-(.+)-street\.csv(\.gz)?$")

REASON_FIELDS = "rejected: wrong number of fields"
REASON_MONTH = "rejected: month not YYYY-MM"
REASON_MONTH_FILE = "rejected: month differs from the file name"
REASON_TYPE = "rejected: unknown crime type"
REASON_COORDS = "rejected: coordinates not numeric"
REASON_NO_LOCATION = "excluded: no location (blank LSOA code)"
REASON_NOT_LSOA11 = "excluded: not a 2011 LSOA code (not in the national lookup of England and Wales)"
REASON_OUTSIDE = "excluded: outside force area (an LSOA of another police force area)"
REASON_ASB = "excluded: anti-social behaviour (an incident, not a crime)"
REASON_LOADED = "loaded"


def file_month(name: str) -> str:
    """The ``YYYY-MM`` month in a street file's name."""
    m = _NAME.match(Path(name).name)
    if not m:
        raise InputDataError(f"{name}: not a data.police.uk street file name (expected YYYY-MM-<force>-street.csv)")
    return m.group(1)


def fin_year_of(month: str) -> int:
    """Starting year of the financial year containing ``YYYY-MM``."""
    y, m = int(month[:4]), int(month[5:7])
    return y if m >= 4 else y - 1


def discover_street_files(folder: str | Path, force: str, months: tuple[str, str] | None = None) -> list[Path]:
    """Street files of ``force`` under ``folder`` (searched recursively), one per month.

    Where a month exists both plain and gzipped, the plain file is used. ``months``
    limits the result to an inclusive ``(first, last)`` range of ``YYYY-MM``.
    """
    folder = Path(folder)
    if not folder.exists():
        raise MissingInputError(f"{folder}: street-level crime folder not found (hint: run `svsna opendata fetch`)")
    by_month: dict[str, Path] = {}
    for p in sorted(folder.rglob(f"*-{force}-street.csv*")):
        m = _NAME.match(p.name)
        if not m or m.group(2) != force:
            continue
        month = m.group(1)
        if months and not (months[0] <= month <= months[1]):
            continue
        if month not in by_month or (by_month[month].suffix == ".gz" and p.suffix == ".csv"):
            by_month[month] = p
    if not by_month:
        raise MissingInputError(
            f"{folder}: no files named YYYY-MM-{force}-street.csv[.gz] "
            "(hint: check the force's data.police.uk name, e.g. 'west-yorkshire', or run `svsna opendata fetch`)"
        )
    return [by_month[k] for k in sorted(by_month)]


def _read_one(path: Path) -> tuple[Any, list[dict[str, Any]]]:
    """One file as an Arrow table of strings plus the rows with the wrong number of fields."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    bad: list[dict[str, Any]] = []

    def _invalid(row: Any) -> str:
        bad.append(
            {
                "row_number": int(row.number) if row.number is not None else -1,
                "column": "",
                "value": (row.text or "")[:200],
                "rule": REASON_FIELDS,
                "message": f"expected {row.expected_columns} fields, found {row.actual_columns}",
            }
        )
        return "skip"

    def _read(encoding: str) -> Any:
        bad.clear()
        return pcsv.read_csv(
            path,
            read_options=pcsv.ReadOptions(encoding=encoding),
            parse_options=pcsv.ParseOptions(invalid_row_handler=_invalid, newlines_in_values=True),
            convert_options=pcsv.ConvertOptions(
                column_types={c: pa.string() for c in STREET_COLUMNS},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )

    try:
        try:
            table = _read("utf-8")
        except pa.ArrowInvalid as exc:
            if "utf8" not in str(exc).lower():
                raise
            table = _read("cp1252")  # a file re-saved by Excel on Windows
    except pa.ArrowInvalid as exc:
        raise InputDataError(
            f"{path}: cannot be read as a CSV file: {exc} (hint: use the data.police.uk file unchanged)"
        ) from exc
    if any(b["row_number"] < 0 for b in bad):
        _locate_lines(path, bad)
    missing = [c for c in STREET_COLUMNS if c not in table.column_names]
    if missing:
        raise InputDataError(
            f"{path}: missing column(s) {missing} (found {table.column_names}); "
            "hint: use the data.police.uk street-level file unchanged"
        )
    return table, bad


def _locate_lines(path: Path, bad: list[dict[str, Any]]) -> None:
    """Fill in the line numbers of malformed rows (Arrow's multi-threaded reader does not know them)."""
    import gzip

    wanted: dict[str, list[dict[str, Any]]] = {}
    for b in bad:
        if b["row_number"] < 0:
            wanted.setdefault(b["value"], []).append(b)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", errors="replace", newline="") as fh:
        for number, line in enumerate(fh, start=1):
            hits = wanted.get(line.rstrip("\r\n")[:200])
            if hits:
                hits.pop(0)["row_number"] = number


@dataclass
class StreetLoad:
    """What :func:`load_street_files` did."""

    files: list[Path]
    ledger: pd.DataFrame
    read: int
    loaded: int
    excluded: int
    rejected: int
    months: list[str]


def load_street_files(wh: Warehouse, files: list[Path], ref: ForceReference) -> StreetLoad:
    """Read ``files`` into warehouse tables ``od_street`` (every row with its outcome and reason),
    ``od_crimes``, ``od_ledger`` and ``od_rejects``.

    Also writes ``od_geography`` (the force's LSOAs), ``od_lsoa_national`` (every 2011 LSOA of
    England and Wales with its authority and force area) and ``od_population``.
    ``od_crimes`` holds the loaded crimes: ``file, row_number, month, month_start (date),
    fin_year, crime_type, outcome_category, lsoa_code`` plus the LSOA's ``lad_code, lad_name,
    csp_code, csp_name, imd_decile``.
    """
    import ibis
    import pyarrow as pa

    parts, bad_rows, read_counts = [], [], {}
    for f in files:
        table, bad = _read_one(f)
        n = table.num_rows
        keep = table.select(list(_KEEP)).rename_columns(list(_KEEP.values()))
        keep = keep.append_column("file", pa.array([f.name] * n, pa.string()))
        keep = keep.append_column("file_month", pa.array([file_month(f.name)] * n, pa.string()))
        bad_lines = sorted(b["row_number"] for b in bad if b["row_number"] > 0)
        keep = keep.append_column("row_number", pa.array(_row_numbers(n, bad_lines), pa.int64()))
        parts.append(keep)
        for b in bad:
            bad_rows.append({"source": SOURCE, "file": f.name, **b})
        read_counts[f.name] = n + len(bad)
    raw = pa.concat_tables(parts)
    wh.write_table("od_geography", ref.geography)
    wh.write_table("od_lsoa_national", ref.national[["lsoa_code", "lad_code", "lad_name", "pfa_code", "pfa_name"]])
    wh.write_table("od_population", ref.population)
    street = _classify(ibis.memtable(raw), wh.table("od_geography"), wh.table("od_lsoa_national"))
    wh.write_table("od_street", street)
    s = wh.table("od_street")
    geo = wh.table("od_geography")
    loaded = s.filter(s.reason == REASON_LOADED)
    crimes = loaded.join(geo, loaded.lsoa_code == geo.lsoa_code).select(
        "file",
        "row_number",
        "month",
        month_start=ibis.date(loaded.month.substr(0, 4).cast("int32"), loaded.month.substr(5, 2).cast("int32"), 1),
        fin_year=ibis.ifelse(
            loaded.month.substr(5, 2).cast("int32") >= 4,
            loaded.month.substr(0, 4).cast("int32"),
            loaded.month.substr(0, 4).cast("int32") - 1,
        ),
        crime_type=loaded.crime_type,
        outcome_category=loaded.outcome_category,
        lsoa_code=loaded.lsoa_code,
        lad_code=geo.lad_code,
        lad_name=geo.lad_name,
        csp_code=geo.csp_code,
        csp_name=geo.csp_name,
        pfa_code=geo.pfa_code,
        imd_decile=geo.imd_decile,
    )
    wh.write_table("od_crimes", crimes)
    ledger = _ledger(wh, s, read_counts, bad_rows)
    wh.write_table("od_ledger", ledger)
    wh.write_table("od_rejects", _rejects(wh, s, bad_rows))
    totals = ledger.groupby("outcome")["rows"].sum()
    read, ld = int(totals.get("read", 0)), int(totals.get("loaded", 0))
    ex, rj = int(totals.get("excluded", 0)), int(totals.get("rejected", 0))
    if read != ld + ex + rj:  # pragma: no cover - an internal invariant
        raise AssertionError(f"ledger does not balance: read {read} != loaded {ld} + excluded {ex} + rejected {rj}")
    return StreetLoad(
        files=list(files),
        ledger=ledger,
        read=read,
        loaded=ld,
        excluded=ex,
        rejected=rj,
        months=[file_month(f.name) for f in files],
    )


def _row_numbers(n: int, bad_lines: list[int]) -> Any:
    """File line numbers (header = line 1) of the ``n`` rows kept, skipping bad lines.

    >>> _row_numbers(4, [3]).tolist()
    [2, 4, 5, 6]
    """
    import numpy as np

    lines = np.arange(2, n + 2 + len(bad_lines), dtype=np.int64)
    if bad_lines:
        lines = lines[~np.isin(lines, np.asarray(bad_lines, dtype=np.int64))]
    return lines[:n]


def _classify(raw: ibis.Table, geo: ibis.Table, national: ibis.Table) -> ibis.Table:
    """``raw`` plus ``outcome`` and ``reason`` (the first rule that applies), as an Ibis expression."""
    import ibis

    in_force = raw.lsoa_code.isin(geo.lsoa_code)
    known = raw.lsoa_code.isin(national.lsoa_code)
    month_ok = raw.month.re_search(r"^[0-9]{4}-(0[1-9]|1[0-2])$")
    coords_bad = ((raw.longitude != "") & raw.longitude.try_cast("float64").isnull()) | (
        (raw.latitude != "") & raw.latitude.try_cast("float64").isnull()
    )
    reason = ibis.cases(
        (~month_ok, REASON_MONTH),
        (raw.month != raw.file_month, REASON_MONTH_FILE),
        (~raw.crime_type.isin([*CRIME_TYPES, ASB]), REASON_TYPE),
        (coords_bad, REASON_COORDS),
        (raw.lsoa_code.strip() == "", REASON_NO_LOCATION),
        (~known, REASON_NOT_LSOA11),
        (~in_force, REASON_OUTSIDE),
        (raw.crime_type == ASB, REASON_ASB),
        else_=REASON_LOADED,
    )
    t = raw.mutate(reason=reason)
    return t.mutate(outcome=ibis.ifelse(t.reason == REASON_LOADED, "loaded", t.reason.split(":")[0]))


def _ledger(wh: Warehouse, s: ibis.Table, read_counts: dict[str, int], bad_rows: list[dict[str, Any]]) -> pd.DataFrame:
    import pandas as pd

    counts = wh.execute(s.group_by(["file", "outcome", "reason"]).agg(rows=s.count()))
    bad = pd.DataFrame(bad_rows, columns=["source", "file", "row_number", "column", "value", "rule", "message"])
    if len(bad):
        b = bad.groupby("file", as_index=False).size().rename(columns={"size": "rows"})
        counts = pd.concat([counts, b.assign(outcome="rejected", reason=REASON_FIELDS)], ignore_index=True)
    read = pd.DataFrame(
        {"file": list(read_counts), "outcome": "read", "reason": "rows in file", "rows": list(read_counts.values())}
    )
    out = pd.concat([read, counts], ignore_index=True)
    out.insert(0, "source", SOURCE)
    out["definition"] = ""
    out["rows"] = out["rows"].astype("int64")
    order = {"read": 0, "loaded": 1, "excluded": 2, "rejected": 3}
    out = out.assign(_o=out["outcome"].map(order)).sort_values(["file", "_o", "reason"]).drop(columns="_o")
    return out[["source", "file", "outcome", "reason", "rows", "definition"]].reset_index(drop=True)


def _rejects(wh: Warehouse, s: ibis.Table, bad_rows: list[dict[str, Any]]) -> pd.DataFrame:
    """One row per rejected row: file, line, the offending column and value, the rule."""
    import ibis
    import pandas as pd

    r = s.filter(s.outcome == "rejected")
    column = ibis.cases(
        (r.reason.isin([REASON_MONTH, REASON_MONTH_FILE]), "Month"),
        (r.reason == REASON_TYPE, "Crime type"),
        else_="Longitude/Latitude",
    )
    value = ibis.cases(
        (r.reason.isin([REASON_MONTH, REASON_MONTH_FILE]), r.month),
        (r.reason == REASON_TYPE, r.crime_type),
        else_=r.longitude.concat(",", r.latitude),
    )
    hint = ibis.cases(
        (r.reason == REASON_MONTH, "expected YYYY-MM"),
        (r.reason == REASON_MONTH_FILE, ibis.literal("expected the month in the file name, ").concat(r.file_month)),
        (r.reason == REASON_TYPE, "not a data.police.uk crime type (see svsna.opendata.proxy.CRIME_TYPES)"),
        else_="longitude and latitude must be decimal degrees or blank",
    )
    out = wh.execute(
        r.select(
            "file",
            "row_number",
            column=column,
            value=value,
            rule=r.reason,
            message=hint,
        )
    )
    out.insert(0, "source", SOURCE)
    bad = pd.DataFrame(bad_rows, columns=["source", "file", "row_number", "column", "value", "rule", "message"])
    out = pd.concat([out, bad], ignore_index=True) if len(bad) else out
    out["row_number"] = out["row_number"].astype("int64")
    return out.sort_values(["file", "row_number"]).reset_index(drop=True)


def outside_force(wh: Warehouse) -> pd.DataFrame:
    """Rows excluded as outside the force area, by the local authority and force area they lie in.

    Returns ``lad_code, lad_name, pfa_code, pfa_name, rows`` (most rows first).
    """
    s = wh.table("od_street")
    nat = wh.table("od_lsoa_national")
    out = s.filter(s.reason == REASON_OUTSIDE)
    j = out.join(nat, out.lsoa_code == nat.lsoa_code)
    df = wh.execute(j.group_by(["lad_code", "lad_name", "pfa_code", "pfa_name"]).agg(rows=j.count()))
    df["rows"] = df["rows"].astype("int64")
    return df.sort_values(["rows", "lad_code"], ascending=[False, True]).reset_index(drop=True)
