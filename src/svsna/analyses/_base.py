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
from typing import TYPE_CHECKING, Any

from svsna.config import AreaConfig, Period

if TYPE_CHECKING:
    import ibis
    import pandas as pd

    from svsna.engine import Warehouse

__all__ = ["AnalysisContext", "age_group_label"]


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
    """

    wh: Warehouse
    config: AreaConfig
    definition: str
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
        pop = self.population_frame
        year = self.population_year(period)
        pop = pop[pop["year"] == year]
        if area_codes is None:
            area_codes = self.whole_area_codes(pop)
        pop = pop[pop["area_code"].isin(area_codes)]
        pop = pop[(pop["age_from"] >= age_from) & (pop["age_to"] <= age_to)]
        if sex == "P":
            persons = pop[pop["sex"] == "P"]
            if len(persons):
                return float(persons["population"].sum())
            return float(pop[pop["sex"].isin(["M", "F"])]["population"].sum())
        return float(pop[pop["sex"] == sex]["population"].sum())

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
