"""Find data.police.uk street-level files and load them into the warehouse, accounting for every row.

Files are named ``YYYY-MM-<force>-street.csv`` (plain or gzipped), loose in a folder or in
the official archive layout (``YYYY-MM/YYYY-MM-<force>-street.csv``). Their columns are the
``police_uk_street`` source contract (``svsna/sources/open_data_contracts.yaml``), and they are
read, validated and classified by the sources layer like a partner extract
(:func:`svsna.sources.classify.load_file`: the same reader, validation rules, ledger and rejects
format). Each row gets exactly one outcome:

1. ``rejected`` -- a rule of the contract is broken: wrong number of fields, ``Month`` not
   ``YYYY-MM`` or different from the file name's month, an unknown ``Crime type``, or
   coordinates that are not numbers (one reject record per problem: file, line, column, value,
   rule, message);
2. ``excluded`` with the contract's reason, the first that applies: no location (blank
   ``LSOA code``); not one of the 34,753 2011 LSOAs of England and Wales (:mod:`svsna.geodata`,
   e.g. a 2021 LSOA code); outside the force area (a 2011 LSOA of another force:
   :func:`outside_force` says where); anti-social behaviour (incidents, not crimes);
3. ``loaded``.

What is specific to police.uk stays here: the file names, the sets the exclusions test against
(the national LSOAs and the force's), and the warehouse tables. The LSOA is matched by its code
only; the ``LSOA name`` column is not used (names carry the district of 2011, e.g.
``Taunton Deane 001A`` for an LSOA now in Somerset). ``Crime ID``, ``Location`` and ``Context``
are not kept: no column of these files identifies a person, and the analysis needs none of them.

Examples
--------
>>> file_month("2021-05-west-yorkshire-street.csv.gz")
'2021-05'
>>> fin_year_of("2021-03"), fin_year_of("2021-04")
(2020, 2021)
>>> REASON_NO_LOCATION
'excluded: no location (blank LSOA code)'
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from svsna.errors import InputDataError, MissingInputError
from svsna.sources.contracts import SourceContract, load_open_data_contracts

if TYPE_CHECKING:
    import pandas as pd

    from svsna.engine import Warehouse
    from svsna.opendata.reference import ForceReference

__all__ = [
    "SOURCE",
    "StreetLoad",
    "discover_street_files",
    "file_month",
    "fin_year_of",
    "load_street_files",
    "outside_force",
    "street_contract",
]

SOURCE = "police_uk_street"
_NAME = re.compile(r"^(\d{4}-\d{2})-(.+)-street\.csv(\.gz)?$")
#: Columns of ``od_street`` (validated but not kept: crime ID, reported by, falls within, coordinates,
#: location, LSOA name, context -- nothing downstream uses them, and the LSOA is placed by its code).
_KEPT = ("file", "row_number", "month", "lsoa_code", "crime_type", "outcome_category", "outcome", "reason")


def street_contract() -> SourceContract:
    """The ``police_uk_street`` source contract (columns, rules, exclusions)."""
    return load_open_data_contracts()[SOURCE]


REASON_NO_LOCATION = street_contract().exclusion("no_location").ledger_reason
REASON_NOT_LSOA11 = street_contract().exclusion("not_lsoa11").ledger_reason
REASON_OUTSIDE = street_contract().exclusion("outside_area").ledger_reason
REASON_ASB = street_contract().exclusion("asb").ledger_reason


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
    """Read ``files`` into warehouse tables ``od_street``, ``od_crimes``, ``od_ledger`` and ``od_rejects``.

    ``od_street`` has every loaded or excluded row: file, line, month, LSOA code, crime type, outcome
    category, outcome and reason.

    Also writes ``od_geography`` (the force's LSOAs), ``od_lsoa_national`` (every 2011 LSOA of
    England and Wales with its authority and force area) and ``od_population``.
    ``od_crimes`` holds the loaded crimes: ``file, row_number, month, month_start (date),
    fin_year, crime_type, outcome_category, lsoa_code`` plus the LSOA's ``lad_code, lad_name,
    csp_code, csp_name, imd_decile``.
    """
    import ibis
    import polars as pl

    from svsna.sources.classify import exclusion_reason, load_file
    from svsna.sources.ledger import Ledger
    from svsna.sources.validation import ValidationContext

    contract = street_contract()
    sets = {"national_lsoas": set(ref.national["lsoa_code"]), "area_lsoas": set(ref.geography["lsoa_code"])}
    reason = exclusion_reason(contract, sets)  # built once: the national set has 34,753 codes
    ledger = Ledger()
    parts, rejects = [], []
    for f in files:
        month = file_month(f.name)
        ctx = ValidationContext(as_of=dt.date.max, file_values={"month": month})
        res = load_file(f, contract, ctx, reason=reason)
        ledger.add_file(
            SOURCE,
            res.file,
            read=res.read,
            loaded=res.loaded,
            rejected=res.rejected,
            excluded=res.excluded,
            how=res.how,
        )
        if res.rows.height:
            parts.append(
                res.rows.rename({"_row": "row_number", "last_outcome_category": "outcome_category"})
                .with_columns(pl.lit(res.file).alias("file"))
                .select(_KEPT)
            )
        if res.rejects.height:
            rejects.append(res.rejects)
    ledger.check()
    wh.write_table("od_geography", ref.geography)
    wh.write_table("od_lsoa_national", ref.national[["lsoa_code", "lad_code", "lad_name", "pfa_code", "pfa_name"]])
    wh.write_table("od_population", ref.population)
    street = pl.concat(parts, how="vertical_relaxed")
    wh.write_table("od_street", street.with_columns(pl.col("outcome_category").fill_null("")))
    s = wh.table("od_street")
    geo = wh.table("od_geography")
    loaded = s.filter(s.outcome == "loaded")
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
    frame = ledger.frame()
    frame["definition"] = frame["definition"].fillna("").astype(str)
    wh.write_table("od_ledger", frame)
    reject_frame = pl.concat(rejects, how="vertical") if rejects else _no_rejects()
    wh.write_table("od_rejects", reject_frame.sort(["file", "row_number"], maintain_order=True))
    totals = frame.groupby("outcome")["rows"].sum()
    return StreetLoad(
        files=list(files),
        ledger=frame,
        read=int(totals.get("read", 0)),
        loaded=int(totals.get("loaded", 0)),
        excluded=int(totals.get("excluded", 0)),
        rejected=int(totals.get("rejected", 0)),
        months=[file_month(f.name) for f in files],
    )


def _no_rejects() -> object:
    import polars as pl

    from svsna.sources.validation import REJECT_COLUMNS

    return pl.DataFrame(schema={c: pl.Int64 if c == "row_number" else pl.String for c in REJECT_COLUMNS})


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
