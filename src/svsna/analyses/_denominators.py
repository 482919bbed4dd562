"""Population denominators, aggregated once per assessment run in the engine.

The warehouse ``population`` table holds mid-year estimates by area (LSOA, district or
county codes, possibly mixed), year, age band and sex. Every rate needs the residents of
some geography unit, age range and sex for the year a period starts in. Instead of
filtering the population table for every rate, :class:`Denominators` aggregates it in the
engine, once per level it is asked for, into a small *year x unit x sex x age band* table,
and answers look-ups from numpy arrays (cached per request).

Persons (``sex = "P"``) are the ``P`` rows of an area and year where the table has them,
otherwise the sum of its ``M`` and ``F`` rows, so a table with persons for LSOAs and sexes
for districts works at every level.

A level's populations come from the finest source that covers **every** unit of the
geography: district and county rows where the table has a row for every district (county)
code, otherwise LSOA rows summed through the geography lookup. NPAs, wards and IMD deciles
need LSOA rows. The whole area is the sum over districts (or LSOAs, or counties).

Examples
--------
>>> LEVEL_COLUMNS["district"], LEVEL_COLUMNS["lsoa"]
('district_name', 'lsoa_code')
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from svsna.config import Period

__all__ = ["LEVEL_COLUMNS", "LEVEL_SOURCES", "Denominators"]

#: geography level -> the geography column naming its units (LSOAs by code, deciles by number).
LEVEL_COLUMNS: dict[str, str] = {
    "area": "",
    "county": "county_name",
    "district": "district_name",
    "npa": "npa",
    "ward": "ward_name",
    "lsoa": "lsoa_code",
    "imd_decile": "imd_decile",
}

#: geography level -> population code columns that can supply it, finest-covering first.
LEVEL_SOURCES: dict[str, tuple[str, ...]] = {
    "area": ("district_code", "lsoa_code", "county_code"),
    "county": ("county_code", "district_code", "lsoa_code"),
    "district": ("district_code", "lsoa_code"),
    "npa": ("lsoa_code",),
    "ward": ("lsoa_code",),
    "lsoa": ("lsoa_code",),
    "imd_decile": ("lsoa_code",),
}


@dataclass
class _Level:
    """One level's populations: units plus per (year, sex) arrays."""

    units: list[str]
    source: str
    arrays: dict[tuple[int, str], tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]


@dataclass
class Denominators:
    """Residents by geography level, year, sex and age, aggregated in the engine.

    Parameters
    ----------
    wh : Warehouse
        The warehouse (its ``population`` table is read; never copied whole to pandas).
    geography : pandas.DataFrame
        The geography table (one row per LSOA).
    prefetch : tuple of str
        Levels aggregated together with the first level asked for (one query for all of them).
    years_wanted : set of int, optional
        Estimate years the run needs (others are not read); all years when None.
    cuts : set of int
        Ages at which requests may start or end (five-year bands and the age focus); single
        years are summed between them. A request at another age rebuilds with that cut added.
    unit_of : callable, optional
        ``unit_of(frame, level)`` -> the unit label of each geography row at ``level`` (default:
        the level's column; the run passes one that labels wards whose names repeat across
        districts ``Name (District)``).
    """

    wh: Any
    geography: pd.DataFrame
    unit_of: Callable[[pd.DataFrame, str], pd.Series] | None = None
    prefetch: tuple[str, ...] = ("area", "county", "district")
    years_wanted: set[int] | None = None
    cuts: set[int] = field(default_factory=lambda: set(range(0, 95, 5)))
    _levels: dict[str, _Level | None] = field(default_factory=dict, repr=False)
    _cache: dict[tuple, dict[str, float]] = field(default_factory=dict, repr=False)
    _years: list[int] | None = field(default=None, repr=False)
    _codes: pd.DataFrame | None = field(default=None, repr=False)
    _present: set[str] | None = field(default=None, repr=False)

    # ----------------------------------------------------------------- the table
    @property
    def years(self) -> list[int]:
        """Mid-year estimate years in the population table."""
        if self._years is None:
            self._load_catalogue()
        return list(self._years or [])

    def _load_catalogue(self) -> None:
        pop = self.wh.table("population")
        codes = self.wh.execute(pop.group_by("area_code", "year").aggregate(n=pop.count()))
        self._years = sorted({int(y) for y in codes["year"]})
        self._present = {str(c) for c in codes["area_code"]}

    def year_for(self, period: Period) -> int:
        """The estimate used for a period: the year it starts in, else the latest earlier year
        (the earliest year when the data start later).

        Raises
        ------
        InputDataError
            When the population table is empty.
        """
        years = self.years
        if not years:
            from svsna.errors import InputDataError

            raise InputDataError(
                "warehouse table 'population' is empty",
                hint="supply the `population` input (ONS mid-year estimates by area, year, age and sex) and run "
                "`svsna ingest` again",
            )
        from svsna.geodata.population import choose_year

        return choose_year(years, period.start.year).used

    # ------------------------------------------------------------------ levels
    def level_units(self, level: str) -> list[str]:
        """Every unit of ``level`` in the geography (labels, sorted; deciles as ``'1'``..)."""
        if level == "area":
            return ["all"]
        col = LEVEL_COLUMNS[level]
        if col not in self.geography.columns:
            return []
        units = self._units(self.geography, level).dropna()
        if level == "imd_decile":
            return [str(v) for v in sorted({int(v) for v in units})]
        return sorted({str(v) for v in units})

    def _units(self, frame: pd.DataFrame, level: str) -> pd.Series:
        if self.unit_of is not None:
            return self.unit_of(frame, level)
        values = frame[LEVEL_COLUMNS[level]]
        if level == "imd_decile":
            return values.map(lambda v: None if v is None or v != v else str(int(v)))
        return values

    def _level(self, level: str) -> _Level | None:
        if level not in self._levels:
            self._build(tuple(dict.fromkeys([level, *self.prefetch])))
        return self._levels[level]

    def _mapping(self, level: str, source: str) -> pd.DataFrame:
        """Population area code -> unit label of ``level`` for code column ``source``."""
        import pandas as pd

        geo = self.geography
        if level == "area":
            codes = geo[source].dropna().drop_duplicates()
            return pd.DataFrame({"code": codes.astype(str), "unit": "all"})
        m = geo.assign(_unit=self._units(geo, level))[[source, "_unit"]].dropna().drop_duplicates(source)
        return pd.DataFrame({"code": m[source].astype(str).to_numpy(), "unit": m["_unit"].astype(str).to_numpy()})

    def source_for(self, level: str) -> str | None:
        """The population code column that covers ``level`` (None when no source does)."""
        if self._present is None:
            self._load_catalogue()
        present = self._present or set()
        if level != "area" and LEVEL_COLUMNS[level] not in self.geography.columns:
            return None
        for source in LEVEL_SOURCES[level]:
            if source not in self.geography.columns:
                continue
            codes = set(self.geography[source].dropna().astype(str))
            if codes and codes <= present:
                return source
        return None

    def _by_code(self) -> pd.DataFrame:
        """The population of every geography code (LSOA, district, county) by year, sex and folded age
        band: one engine query per run (again only if a request needs a new cut point).

        Persons are completed here: the ``P`` rows of an area and year where the table has any,
        otherwise the sum of its ``M`` and ``F`` rows. The engine sums each sex side by side (one
        grouped aggregate, no union or anti-join) and counts its rows, so that a sex without rows
        stays absent, as in the table.
        """
        import ibis
        import numpy as np
        import pandas as pd

        if self._codes is not None:
            return self._codes
        pop = self.wh.table("population")
        full = pop.select("area_code", "year", "age_from", "age_to", "sex", population=pop.population.cast("float64"))
        if self.years_wanted:
            full = full.filter(full.year.isin(sorted(self.years_wanted)))
        # fold single years into the bands between consecutive cut points every request uses; rows at
        # or above the top cut, or straddling a cut, keep their own limits, so look-ups stay exact
        cuts = sorted(self.cuts)
        pairs = list(itertools.pairwise(cuts))
        start = ibis.cases(*[(full.age_from >= lo, lo) for lo, _hi in reversed(pairs)], else_=full.age_from)
        end = ibis.cases(*[(full.age_from >= lo, hi - 1) for lo, hi in reversed(pairs)], else_=full.age_to)
        fold = (full.age_from < cuts[-1]) & (full.age_to <= end)
        full = full.mutate(age_from=ibis.ifelse(fold, start, full.age_from), age_to=ibis.ifelse(fold, end, full.age_to))
        geo = self.wh.table("geography")
        cols = [c for c in ("lsoa_code", "district_code", "county_code") if c in geo.columns]
        codes = ibis.union(*[geo.select(code=geo[c].cast("string")) for c in cols], distinct=True)
        full = full.semi_join(codes, full.area_code == codes.code)
        sexes = ("M", "F", "P")
        agg = full.group_by("area_code", "year", "age_from", "age_to").aggregate(
            **{f"pop_{x}": full.population.sum(where=full.sex == x) for x in sexes},
            **{f"rows_{x}": (full.sex == x).cast("int64").sum() for x in sexes},
        )
        wide = self.wh.execute(agg)
        wide["area_code"] = wide["area_code"].astype(str)
        for x in sexes:
            wide[f"rows_{x}"] = wide[f"rows_{x}"].fillna(0).astype("int64")
            wide[f"pop_{x}"] = wide[f"pop_{x}"].astype("float64").fillna(0.0)
        # persons derived from M + F only for an area and year without any P row
        has_p = wide.groupby(["area_code", "year"])["rows_P"].transform("sum") > 0
        derive = ~has_p & (wide["rows_M"] + wide["rows_F"] > 0)
        wide["pop_P"] = np.where(derive, wide["pop_M"] + wide["pop_F"], wide["pop_P"])
        wide["rows_P"] = np.where(derive, 1, wide["rows_P"])
        keys = ["area_code", "year", "age_from", "age_to"]
        parts = [
            wide.loc[wide[f"rows_{x}"] > 0, keys].assign(sex=x, population=wide.loc[wide[f"rows_{x}"] > 0, f"pop_{x}"])
            for x in sexes
        ]
        df = pd.concat(parts, ignore_index=True)[["area_code", "year", "sex", "age_from", "age_to", "population"]]
        self._codes = df
        return df

    def _build(self, levels: tuple[str, ...]) -> None:
        """Populations of every level of ``levels`` not built yet, summed from :meth:`_by_code`."""
        import numpy as np
        import pandas as pd

        todo = [lv for lv in levels if lv not in self._levels]
        if not todo:
            return
        df = None
        for level in todo:
            source = self.source_for(level)
            if source is None:
                self._levels[level] = None
                continue
            df = self._by_code() if df is None else df
            mapping = self._mapping(level, source)
            m = df.merge(mapping, left_on="area_code", right_on="code", how="inner")
            g = m.groupby(["unit", "year", "sex", "age_from", "age_to"], as_index=False, sort=False)["population"].sum()
            units = sorted(set(mapping["unit"]))
            codes = pd.Categorical(g["unit"].astype(str), categories=units).codes.astype(np.int64)
            lo = g["age_from"].to_numpy(dtype=float)
            hi = g["age_to"].to_numpy(dtype=float)
            pop = g["population"].to_numpy(dtype=float)
            arrays: dict[tuple[int, str], tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = {}
            for (year, sex), pos in g.groupby(["year", "sex"], sort=False).indices.items():
                arrays[(int(year), str(sex))] = (codes[pos], lo[pos], hi[pos], pop[pos])
            self._levels[level] = _Level(units=units, source=source, arrays=arrays)

    def has_level(self, level: str) -> bool:
        """Whether populations can be given for ``level``."""
        return self.source_for(level) is not None

    def by_unit(
        self, year: int, level: str, *, age_from: int = 0, age_to: int = 200, sex: str = "P"
    ) -> dict[str, float] | None:
        """Residents of every unit of ``level`` aged ``age_from``..``age_to`` (rows whose band lies
        inside the range) of ``sex`` (``P``, ``M`` or ``F``) in ``year``; None when the
        population table cannot supply the level."""
        import numpy as np

        key = (year, level, age_from, age_to, sex)
        if key in self._cache:
            return self._cache[key]
        top = max(self.cuts)
        new_cuts = {a for a in (age_from, age_to + 1) if 0 < a <= top} - self.cuts
        if new_cuts:  # a request between cut points: rebuild with them (exact, rare)
            self.cuts |= new_cuts
            self._levels.clear()
            self._cache.clear()
            self._codes = None
        lv = self._level(level)
        if lv is None:
            return None
        out = np.zeros(len(lv.units))
        arr = lv.arrays.get((year, sex))
        if arr is not None:
            idx, lo, hi, pop = arr
            keep = (lo >= age_from) & (hi <= age_to)
            out = np.bincount(idx[keep], weights=pop[keep], minlength=len(lv.units))
        result = {u: float(v) for u, v in zip(lv.units, out, strict=True)}
        self._cache[key] = result
        return result

    def whole(self, year: int, *, age_from: int = 0, age_to: int = 200, sex: str = "P") -> float:
        """Residents of the whole area.

        Raises
        ------
        InputDataError
            When no level of the population table covers every unit of the geography.
        """
        by = self.by_unit(year, "area", age_from=age_from, age_to=age_to, sex=sex)
        if by is None:
            from svsna.errors import InputDataError

            raise InputDataError(
                "the population table does not cover the whole area: no level (district_code, lsoa_code, "
                "county_code) has a population row for every area code in the geography",
                hint="supply rows for every district (or every LSOA) of the geography",
            )
        return by["all"]
