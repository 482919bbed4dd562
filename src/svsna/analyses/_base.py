"""What every analysis section shares: its context and its population helpers.

A section module exposes ``SECTION`` (its name) and ``run(ctx) -> SectionResult``.
The context carries the warehouse, the area configuration and the definition being
assessed, and gives small helpers that every section needs (periods, population
denominators, the in-definition offence table). Sections never name a backend.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from svsna.config import AreaConfig, Period

if TYPE_CHECKING:
    import ibis
    import pandas as pd

    from svsna.engine import Warehouse

__all__ = ["PERSON_COLUMNS", "POLICE_REQUIRES", "AnalysisContext", "age_group_label", "sex_label"]

#: Warehouse tables every police-data section needs.
POLICE_REQUIRES: tuple[str, ...] = ("offences", "offence_decisions", "geography", "population")

#: Columns of the ``victims`` and ``suspects`` tables carried into involvement tables.
PERSON_COLUMNS: tuple[str, ...] = (
    "person_key",
    "age",
    "sex",
    "ethnicity_group",
    "home_lsoa",
    "home_ward_name",
    "home_npa",
    "home_district_name",
    "mental_health_flag",
    "drugs_flag",
    "knife_carrier_flag",
    "domestic_abuse_flag",
)

#: Offence columns carried into involvement tables.
OFFENCE_COLUMNS: tuple[str, ...] = (
    "offence_ref",
    "ho_code",
    "ho_description",
    "sub_offence",
    "harm_rank",
    "offence_date",
    "committed_from",
    "hour",
    "weekday",
    "district_name",
    "npa",
)

_SEX_LABELS = {"M": "Male", "F": "Female"}


def sex_label(code: str | None) -> str:
    """``'Male'``, ``'Female'`` or ``'Unknown'`` from a warehouse sex code.

    >>> sex_label("M"), sex_label("F"), sex_label("U"), sex_label(None)
    ('Male', 'Female', 'Unknown', 'Unknown')
    """
    return _SEX_LABELS.get(code or "", "Unknown")


def age_group_label(age: int | None, under: int = 25) -> str:
    """``'Under 25'``, ``'25 and over'`` or ``'Unknown'``.

    >>> age_group_label(17), age_group_label(25), age_group_label(None)
    ('Under 25', '25 and over', 'Unknown')
    """
    if age is None:
        return "Unknown"
    return f"Under {under}" if age < under else f"{under} and over"


@dataclass
class AnalysisContext:
    """Everything a section needs to run for one definition.

    Parameters
    ----------
    wh : Warehouse
        The workspace's warehouse (DuckDB or Spark).
    config : AreaConfig
        The area configuration.
    definition : str
        Name of the serious-violence definition assessed (e.g. ``llr_vrn``).
    boundaries : Path, optional
        A GeoJSON of LSOA polygons (property ``lsoa_code`` or ``LSOA11CD``) for
        contiguity weights; without it hotspot analysis uses k-nearest neighbours on
        the geography table's LSOA centroids.
    """

    wh: Warehouse
    config: AreaConfig
    definition: str
    boundaries: Path | None = None
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    # ------------------------------------------------------------------ periods
    @property
    def periods(self) -> list[Period]:
        return self.config.periods()

    @property
    def profile(self) -> Period:
        return self.config.profile()

    @property
    def area_label(self) -> str:
        return self.config.label

    @property
    def under(self) -> int:
        return self.config.age_focus_under

    @property
    def multiplier(self) -> int:
        return self.config.rate_multiplier

    @property
    def confidence(self) -> float:
        return self.config.confidence

    # ----------------------------------------------------------------- tables
    def has(self, table: str) -> bool:
        return self.wh.has_table(table)

    def table(self, name: str) -> ibis.Table:
        return self.wh.table(name)

    def offences(self) -> ibis.Table:
        """Offences inside this context's definition (joined to their decision)."""
        o = self.wh.table("offences")
        d = self.wh.table("offence_decisions")
        keep = d.filter((d.definition == self.definition) & d.included).select("offence_ref")
        return o.semi_join(keep, "offence_ref")

    def in_period(self, t: ibis.Table, column: str, period: Period) -> ibis.Table:
        """Rows of ``t`` whose date/time ``column`` falls inside ``period`` (inclusive)."""
        import ibis

        start = ibis.timestamp(dt.datetime.combine(period.start, dt.time(0, 0)))
        end = ibis.timestamp(dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time(0, 0)))
        col = t[column].cast("timestamp")
        return t.filter((col >= start) & (col < end))

    # ------------------------------------------------------------- population
    @cached_property
    def population_frame(self) -> pd.DataFrame:
        """The population table as pandas (it is small: areas x years x ages x sexes)."""
        return self.wh.execute(self.wh.table("population"))

    @cached_property
    def geography_frame(self) -> pd.DataFrame:
        return self.wh.execute(self.wh.table("geography"))

    def population_year(self, period: Period) -> int:
        """The mid-year estimate used for a period: the year its start falls in,
        or the latest year available if the data stop earlier."""
        years = sorted(self.population_frame["year"].unique().tolist())
        if not years:
            raise ValueError("the population table is empty")
        wanted = period.start.year
        usable = [y for y in years if y <= wanted]
        return int(usable[-1] if usable else years[0])

    def population(
        self,
        period: Period,
        *,
        area_codes: list[str] | None = None,
        age_from: int = 0,
        age_to: int = 200,
        sex: str = "P",
    ) -> float:
        """Residents in ``area_codes`` (default: every LSOA in the geography, i.e. the
        whole area) aged ``age_from``..``age_to`` inclusive, for the period's year.

        Population rows may be LSOAs, districts or counties; when ``area_codes`` is
        None the whole area is the sum over the geography's districts (or LSOAs if
        district rows are absent). Age bands must nest inside the requested range.
        ``sex`` is ``"P"`` (persons), ``"M"`` or ``"F"``; persons are derived from
        M + F when no P rows exist.
        """
        year = self.population_year(period)
        if area_codes is None:
            pop = self._whole_area_year(year)
        else:
            pop = self._population_of_year(year)
            pop = pop[pop["area_code"].isin(area_codes)]
        pop = pop[(pop["age_from"] >= age_from) & (pop["age_to"] <= age_to)]
        if sex == "P":
            persons = pop[pop["sex"] == "P"]
            if len(persons):
                return float(persons["population"].sum())
            return float(pop[pop["sex"].isin(["M", "F"])]["population"].sum())
        return float(pop[pop["sex"] == sex]["population"].sum())

    def _population_of_year(self, year: int) -> pd.DataFrame:
        key = ("population_year", year)
        if key not in self._cache:
            pop = self.population_frame
            self._cache[key] = pop[pop["year"] == year]
        return self._cache[key]

    def _whole_area_year(self, year: int) -> pd.DataFrame:
        """The whole area's population of ``year`` summed over areas (by age band and sex)."""
        key = ("whole_area_year", year)
        if key not in self._cache:
            pop = self._population_of_year(year)
            pop = pop[pop["area_code"].isin(self.whole_area_codes(pop))]
            self._cache[key] = pop.groupby(["age_from", "age_to", "sex"], as_index=False)["population"].sum()
        return self._cache[key]

    def whole_area_codes(self, pop: pd.DataFrame | None = None) -> list[str]:
        """Area codes whose populations add up to the whole area without double counting."""
        pop = self.population_frame if pop is None else pop
        geo = self.geography_frame
        present = set(pop["area_code"].unique())
        for col in ("district_code", "lsoa_code", "county_code"):
            codes = sorted(set(geo[col].dropna().unique()))
            if codes and set(codes) <= present:
                return codes
        raise ValueError("population table does not cover the whole area at district, LSOA or county level")

    # ---------------------------------------------------------- more periods
    @property
    def trend_window(self) -> Period:
        """From the start of the first configured period to the end of the last
        (the profile period when no periods are configured)."""
        periods = self.periods
        if not periods:
            return self.profile
        start, end = periods[0].start, periods[-1].end
        return Period(label=f"{start:%b %Y} - {end:%b %Y}", start=start, end=end)

    @property
    def under_label(self) -> str:
        return age_group_label(0, self.under)

    @property
    def over_label(self) -> str:
        return age_group_label(self.under, self.under)

    # ------------------------------------------------------ offence facts
    def window(self, t: ibis.Table, period: Period, column: str = "offence_date") -> ibis.Table:
        """Rows of ``t`` whose date ``column`` lies in ``period`` (both ends inclusive)."""
        import ibis

        col = t[column].cast("date")
        return t.filter((col >= ibis.date(period.start)) & (col <= ibis.date(period.end)))

    def materialise(self, key: Any, build: Any) -> ibis.Table:
        """``build()``'s table, cached on the backend (``Table.cache()``) once per context and key.

        Sections reuse the same few derived tables many times; caching them saves recompiling
        and recomputing the joins (DuckDB keeps a temporary table, Spark a cached view).
        """
        if key not in self._cache:
            self._cache[key] = build().cache()
        return self._cache[key]

    def offence_facts(self) -> ibis.Table:
        """In-definition offences plus ``age_group`` (from suspects) and ``nte`` (bool).

        An offence is by under 25s when **any** suspect is under ``config.age_focus_under``,
        by 25 and over when it has a suspect of known age and none is under it, otherwise
        ``Unknown`` (no suspect or no known suspect age).
        """
        return self.materialise("offence_facts", self._offence_facts)

    def _offence_facts(self) -> ibis.Table:
        import ibis

        o = self.offences()
        under, over = self.under_label, self.over_label
        if self.has("suspects"):
            s = self.table("suspects")
            agg = s.group_by("offence_ref").aggregate(
                _any_under=(s.age < self.under).any(),
                _any_known=s.age.notnull().any(),
            )
            o = o.left_join(agg, "offence_ref").drop("offence_ref_right")
            group = ibis.cases(
                (o._any_under.fill_null(False), under),
                (o._any_known.fill_null(False), over),
                else_="Unknown",
            )
            o = o.mutate(age_group=group).drop("_any_under", "_any_known")
        else:
            o = o.mutate(age_group=ibis.literal("Unknown"))
        hours = self.config.night_time_economy.hours
        return o.mutate(nte=o.hour.isin(hours).fill_null(False))

    def involvements(self, role: str, period: Period | None = None, in_definition: bool = True) -> ibis.Table:
        """One row per (offence, person) of ``role`` (``"suspects"`` or ``"victims"``).

        Carries the person's columns (:data:`PERSON_COLUMNS`, ``age`` = age at the offence),
        ``person_age_group``, ``person`` (``person_key``, or a per-offence stand-in when the key
        is blank) and the offence's columns (:data:`OFFENCE_COLUMNS` plus ``age_group`` and
        ``nte`` when ``in_definition``). ``period`` filters on the offence date.
        """
        key = ("involvements", role, period, in_definition)
        return self.materialise(key, lambda: self._involvements(role, period, in_definition))

    def _involvements(self, role: str, period: Period | None, in_definition: bool) -> ibis.Table:
        import ibis

        p = self.table(role)
        if in_definition:
            o = self.offence_facts()
            ocols = [*OFFENCE_COLUMNS, "age_group", "nte"]
        else:
            o = self.table("offences")
            ocols = list(OFFENCE_COLUMNS)
        if period is not None:
            o = self.window(o, period)
        o = o.select(*ocols)
        pcols = [c for c in PERSON_COLUMNS if c in p.columns]
        j = o.join(p.select("offence_ref", *pcols), "offence_ref")
        group = ibis.cases(
            (j.age.isnull(), "Unknown"),
            (j.age < self.under, self.under_label),
            else_=self.over_label,
        )
        person = j.person_key.fill_null(ibis.literal("anon|").concat(j.offence_ref))
        return j.mutate(person_age_group=group, person=person)

    def first_per_person(self, inv: ibis.Table) -> ibis.Table:
        """Each person's earliest involvement in ``inv`` (by ``committed_from``, then ``offence_ref``)."""
        import ibis

        w = ibis.window(group_by=inv.person, order_by=[inv.committed_from, inv.offence_ref])
        return inv.mutate(_rn=ibis.row_number().over(w)).filter(lambda t: t._rn == 0).drop("_rn")

    def fetch(self, expr: Any) -> Any:
        """Execute an Ibis expression on the warehouse (small results only)."""
        return self.wh.execute(expr)

    # ------------------------------------------------------ population by area
    def population_levels(
        self, period: Period, level: str, *, age_from: int = 0, age_to: int = 200, sex: str = "P"
    ) -> dict[str, float] | None:
        """Residents by geography ``level`` (``district``, ``county``, ``npa``, ``ward``, ``lsoa``,
        keyed by name; ``lsoa`` and ``imd_decile`` keyed by code/decile) for the period's year.

        Uses rows at that level when the population table has them, otherwise sums LSOA rows
        through the geography lookup; returns None when neither is possible.
        """
        pop = self._population_of_year(self.population_year(period))
        pop = pop[(pop["age_from"] >= age_from) & (pop["age_to"] <= age_to)]
        if sex == "P":
            persons = pop[pop["sex"] == "P"]
            pop = persons if len(persons) else pop[pop["sex"].isin(["M", "F"])]
        else:
            pop = pop[pop["sex"] == sex]
        geo = self.geography_frame
        by_code = pop.groupby("area_code")["population"].sum()
        present = set(by_code.index)
        name_col = {
            "district": "district_name",
            "county": "county_name",
            "npa": "npa",
            "ward": "ward_name",
            "lsoa": "lsoa_code",
            "imd_decile": "imd_decile",
        }[level]
        # finest level first at which the population table covers every unit of the area
        for code_col in ("county_code", "district_code", "lsoa_code"):
            if code_col == "county_code" and level != "county":
                continue
            if code_col == "district_code" and level not in ("county", "district"):
                continue
            cols = [code_col] if code_col == name_col else [code_col, name_col]
            units = geo[cols].dropna().drop_duplicates(code_col)
            if not len(units) or not set(units[code_col]) <= present:
                continue
            units = units.assign(population=units[code_col].map(by_code).astype(float))
            if level == "imd_decile":
                units[name_col] = units[name_col].astype(int)
            return {str(k): float(v) for k, v in units.groupby(name_col)["population"].sum().items()}
        return None
