"""The force's geography, population and deprivation, from public ONS and MHCLG files.

Everything is found in a *data folder* laid out like ``shared/data`` (see
``docs/opendata.md``)::

    geography/lookups/lookup_lsoa11_ltla21*.csv      LSOA 2011 -> local authority (LAD)
    geography/lookups/lookup_ltla24_csp24_pfa24*.csv  LAD -> community safety partnership -> police force area
    geography/boundaries/lsoa11*.geojson              LSOA 2011 boundaries (optional; for hotspots)
    population/ons_mye2_sya_mid<YYYY>*.csv            ONS MYE2 (LA persons, all ages)
    population/population<YY>_lsoa11*.csv             ONS LSOA 2011 persons
    deprivation/imd2019_lsoa11_domains*.csv           IMD 2019 decile and rank per LSOA
      (or deprivation/File_1*IMD2019*.csv, MHCLG's File 1)

A force is named as data.police.uk names it in its file names (``leicestershire``,
``west-yorkshire``, ``metropolitan``...) or by its PFA code (``E23000021``).

Examples
--------
>>> force_slug("Devon & Cornwall"), force_slug("London, City of"), force_slug("Metropolitan Police")
('devon-and-cornwall', 'city-of-london', 'metropolitan')
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from svsna.errors import InputDataError, MissingInputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ForceReference", "find_one", "force_slug", "load_force_reference"]

_SPECIAL_SLUGS = {"metropolitan-police": "metropolitan", "london-city-of": "city-of-london"}


def force_slug(pfa_name: str) -> str:
    """The data.police.uk file-name slug of a police force area name."""
    s = pfa_name.lower().replace("&", "and")
    s = re.sub(r"[^a-z0-9]+", "-", s).strip("-")
    return _SPECIAL_SLUGS.get(s, s)


def find_one(folder: Path, patterns: list[str], what: str, required: bool = True) -> Path | None:
    """The first file in ``folder`` matching one of ``patterns`` (in order of preference)."""
    for pat in patterns:
        hits = sorted(folder.glob(pat))
        if hits:
            return hits[0]
    if required:
        raise MissingInputError(
            f"{what}: no file matching {' or '.join(patterns)} in {folder} "
            "(hint: see docs/opendata.md for the data folder layout)"
        )
    return None


def _read_csv(path: Path, required: list[str]) -> pd.DataFrame:
    import pandas as pd

    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    df.columns = [c.strip() for c in df.columns]
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise InputDataError(
            f"{path}: missing column(s) {missing}; found {list(df.columns)[:12]} "
            "(hint: use the ONS/MHCLG file named in docs/opendata.md)"
        )
    return df


def _to_int(df: pd.DataFrame, col: str, path: Path) -> pd.Series:
    import pandas as pd

    vals = pd.to_numeric(df[col].str.replace(",", "", regex=False), errors="coerce")
    bad = vals.isna()
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        raise InputDataError(
            f"{path}: row {i + 2}, column {col!r}: value {df[col].iloc[i]!r} is not a whole number "
            "(hint: population and rank columns must be numbers)"
        )
    return vals.astype("int64")


@dataclass
class ForceReference:
    """The reference data for one police force area.

    Attributes
    ----------
    pfa_code, pfa_name, slug : str
        The force area's ONS code, name and data.police.uk slug.
    geography : DataFrame
        One row per LSOA: ``lsoa_code, lsoa_name, lad_code, lad_name, csp_code, csp_name,
        pfa_code, pfa_name, imd_decile, imd_rank`` (IMD blank where unknown).
    population : DataFrame
        ``area_code, level (lsoa/lad/csp/pfa), year, population, source``.
    boundaries : Path or None
        LSOA boundaries GeoJSON, if present.
    files : dict
        The files used, by role (for the metadata).
    """

    pfa_code: str
    pfa_name: str
    slug: str
    geography: pd.DataFrame
    population: pd.DataFrame
    boundaries: Path | None
    files: dict[str, str] = field(default_factory=dict)

    @property
    def lsoa_codes(self) -> list[str]:
        return sorted(self.geography["lsoa_code"])

    def population_for(self, level: str, year: int) -> pd.DataFrame:
        """Populations of ``level`` areas for the latest year <= ``year`` (else the earliest)."""
        pop = self.population[self.population["level"] == level]
        years = sorted(pop["year"].unique())
        if not years:
            raise MissingInputError(f"no {level} population estimates found for {self.pfa_name}")
        usable = [y for y in years if y <= year]
        chosen = usable[-1] if usable else years[0]
        return pop[pop["year"] == chosen].reset_index(drop=True)


def _resolve_force(pfa: pd.DataFrame, force: str, path: Path) -> tuple[str, str]:
    wanted = force.strip()
    names = pfa[["pfa24_code", "pfa24_name"]].drop_duplicates()
    for code, name in names.itertuples(index=False):
        if wanted.upper() == code or force_slug(wanted) == force_slug(name):
            return code, name
    known = ", ".join(sorted(force_slug(n) for n in names["pfa24_name"]))
    raise InputDataError(f"{path}: no police force area matches {force!r}; known forces: {known}")


def load_force_reference(data_dir: str | Path, force: str) -> ForceReference:
    """Read lookups, population and IMD for ``force`` from ``data_dir``.

    Raises
    ------
    MissingInputError
        If a required file is absent.
    InputDataError
        If a file lacks a column, a number does not parse, or the force has no LSOAs.
    """
    import pandas as pd

    data_dir = Path(data_dir)
    look = data_dir / "geography" / "lookups"
    f_pfa = find_one(look, ["lookup_ltla*_csp*_pfa*.csv"], "LAD -> CSP -> PFA lookup")
    f_lsoa = find_one(look, ["lookup_lsoa11_ltla*.csv"], "LSOA 2011 -> LAD lookup")
    assert f_pfa is not None and f_lsoa is not None
    pfa = _read_csv(f_pfa, ["ltla24_code", "ltla24_name", "csp24_code", "csp24_name", "pfa24_code", "pfa24_name"])
    pfa_code, pfa_name = _resolve_force(pfa, force, f_pfa)
    lads = pfa[pfa["pfa24_code"] == pfa_code]
    lk = _read_csv(f_lsoa, ["lsoa11_code", "lsoa11_name", "ltla21_code", "ltla21_name"])
    geo = lk[lk["ltla21_code"].isin(lads["ltla24_code"])].merge(
        lads[["ltla24_code", "csp24_code", "csp24_name"]], left_on="ltla21_code", right_on="ltla24_code"
    )
    if geo.empty:
        raise InputDataError(
            f"{f_lsoa}: no LSOA belongs to a local authority of {pfa_name} ({', '.join(lads['ltla24_code'])}) "
            "(hint: the LSOA lookup must cover the force's local authorities)"
        )
    geo = pd.DataFrame(
        {
            "lsoa_code": geo["lsoa11_code"],
            "lsoa_name": geo["lsoa11_name"],
            "lad_code": geo["ltla21_code"],
            "lad_name": geo["ltla21_name"],
            "csp_code": geo["csp24_code"],
            "csp_name": geo["csp24_name"],
            "pfa_code": pfa_code,
            "pfa_name": pfa_name,
        }
    )
    files = {"lad_csp_pfa_lookup": str(f_pfa), "lsoa_lad_lookup": str(f_lsoa)}
    geo = _attach_imd(geo, data_dir / "deprivation", files)
    population = _population(geo, data_dir / "population", files)
    bnd = find_one(data_dir / "geography" / "boundaries", ["lsoa11*.geojson"], "LSOA boundaries", required=False)
    if bnd is not None:
        files["lsoa_boundaries"] = str(bnd)
    return ForceReference(
        pfa_code=pfa_code,
        pfa_name=pfa_name,
        slug=force_slug(pfa_name),
        geography=geo.sort_values("lsoa_code").reset_index(drop=True),
        population=population,
        boundaries=bnd,
        files=files,
    )


def _attach_imd(geo: pd.DataFrame, folder: Path, files: dict[str, str]) -> pd.DataFrame:
    import pandas as pd

    f = find_one(folder, ["imd2019_lsoa11_domains*.csv", "File_1*IMD2019*.csv"], "IMD 2019 by LSOA", required=False)
    if f is None:
        geo["imd_decile"] = pd.array([None] * len(geo), dtype="Int64")
        geo["imd_rank"] = pd.array([None] * len(geo), dtype="Int64")
        return geo
    files["imd2019"] = str(f)
    if f.name.startswith("imd2019"):
        imd = _read_csv(f, ["lsoa11_code", "IMD_decile", "IMD_rank"])
        code, dec, rank = "lsoa11_code", "IMD_decile", "IMD_rank"
    else:
        code = "LSOA code (2011)"
        dec = "Index of Multiple Deprivation (IMD) Decile"
        rank = "Index of Multiple Deprivation (IMD) Rank"
        imd = _read_csv(f, [code, dec, rank])
    imd = imd[imd[code].isin(geo["lsoa_code"])]
    imd = pd.DataFrame({"lsoa_code": imd[code], "imd_decile": _to_int(imd, dec, f), "imd_rank": _to_int(imd, rank, f)})
    out = geo.merge(imd, on="lsoa_code", how="left")
    out["imd_decile"] = out["imd_decile"].astype("Int64")
    out["imd_rank"] = out["imd_rank"].astype("Int64")
    return out


def _population(geo: pd.DataFrame, folder: Path, files: dict[str, str]) -> pd.DataFrame:
    """LSOA and LAD populations by year; CSP and PFA are sums of LADs."""
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
        files[f"lsoa_population_{2000 + int(m.group(1))}"] = str(f)
        frames.append(
            pd.DataFrame(
                {
                    "area_code": df["lsoa11_code"],
                    "level": "lsoa",
                    "year": 2000 + int(m.group(1)),
                    "population": _to_int(df, "total_population", f),
                    "source": f"ONS LSOA estimates ({f.name})",
                }
            )
        )
    lsoa = pd.concat(frames, ignore_index=True) if frames else None
    lad_frames = []
    for f in sorted(folder.glob("ons_mye2_sya_mid*.csv")):
        m = re.match(r"ons_mye2_sya_mid(\d{4})", f.name)
        if not m:
            continue
        df = _read_csv(f, ["Sex", "Code", "All ages"])
        df = df[(df["Sex"] == "Persons") & df["Code"].isin(geo["lad_code"])]
        if df.empty:
            continue
        files[f"lad_population_{m.group(1)}"] = str(f)
        lad_frames.append(
            pd.DataFrame(
                {
                    "area_code": df["Code"],
                    "level": "lad",
                    "year": int(m.group(1)),
                    "population": _to_int(df, "All ages", f),
                    "source": f"ONS MYE2 ({f.name})",
                }
            )
        )
    lad = pd.concat(lad_frames, ignore_index=True) if lad_frames else pd.DataFrame()
    lad = _complete_lads_from_lsoas(lad, lsoa, geo)
    if lad.empty:
        raise MissingInputError(
            f"{folder}: no population estimates for the force's local authorities or LSOAs "
            "(hint: add ons_mye2_sya_mid<YYYY>*.csv or population<YY>_lsoa11*.csv)"
        )
    lad_map = geo[["lad_code", "csp_code", "pfa_code"]].drop_duplicates()
    up = lad.merge(lad_map, left_on="area_code", right_on="lad_code")
    csp = up.groupby(["csp_code", "year"], as_index=False)["population"].sum()
    csp = csp.rename(columns={"csp_code": "area_code"}).assign(level="csp", source="sum of local authorities")
    pfa = up.groupby(["pfa_code", "year"], as_index=False)["population"].sum()
    pfa = pfa.rename(columns={"pfa_code": "area_code"}).assign(level="pfa", source="sum of local authorities")
    parts = [p for p in (lsoa, lad, csp, pfa) if p is not None and len(p)]
    out = pd.concat(parts, ignore_index=True)[["area_code", "level", "year", "population", "source"]]
    out["year"] = out["year"].astype("int64")
    out["population"] = out["population"].astype("int64")
    return out


def _complete_lads_from_lsoas(lad: pd.DataFrame, lsoa: pd.DataFrame | None, geo: pd.DataFrame) -> pd.DataFrame:
    """Where a LAD has no MYE2 row for a year but LSOA estimates exist, sum the LSOAs."""
    import pandas as pd

    if lsoa is None:
        return lad
    sums = lsoa.merge(geo[["lsoa_code", "lad_code"]], left_on="area_code", right_on="lsoa_code")
    sums = sums.groupby(["lad_code", "year"], as_index=False)["population"].sum()
    have = set() if lad.empty else set(zip(lad["area_code"], lad["year"], strict=True))
    add = sums[[(c, y) not in have for c, y in zip(sums["lad_code"], sums["year"], strict=True)]]
    if add.empty:
        return lad
    add = pd.DataFrame(
        {
            "area_code": add["lad_code"],
            "level": "lad",
            "year": add["year"],
            "population": add["population"],
            "source": "sum of LSOA estimates",
        }
    )
    return pd.concat([lad, add], ignore_index=True) if len(lad) else add
