"""Population look-up shared by the partner and open-data editions: which estimate a year's rates use.

Rates for a financial year use the mid-year estimate of the year it starts. When that year is not
available -- for every area of the level, where areas are given -- the nearest earlier year is used
(the earliest year when every year available is later), and the choice is recorded as a
:class:`PopulationChoice` so the report and its metadata can say so. The partner kit
(:class:`svsna.analyses._denominators.Denominators`) and the open-data edition
(:meth:`svsna.opendata.reference.ForceReference.population_for`) both choose through
:func:`choose_year`; :func:`population_for` also selects the rows of a long population table.

Examples
--------
>>> c = choose_year({2019: {"A", "B"}, 2020: {"A"}}, 2021, level="lad", areas=["A", "B"])
>>> (c.used, c.how, c.missing)
(2019, 'earlier', ())
>>> choose_year([2019, 2020], 2020).how, choose_year([2019, 2020], 2018).how
('exact', 'later')
>>> c.sentence()[:73]
'Local authority rates for 2021/22 use mid-2019 estimates because mid-2021'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["LEVEL_WORDS", "PopulationChoice", "choose_year", "population_for"]

#: Words for population levels (open-data and partner geography levels).
LEVEL_WORDS: dict[str, str] = {
    "lsoa": "LSOA",
    "lad": "local authority",
    "csp": "community safety partnership",
    "pfa": "force area",
    "district": "district",
    "county": "county",
    "area": "area",
}


@dataclass(frozen=True)
class PopulationChoice:
    """Which mid-year estimate a level's denominators use for one (financial) year.

    ``how`` is ``exact`` (the year wanted), ``earlier`` or ``later`` (the nearest year available
    when that one is missing); ``missing`` lists areas with no estimate in the year used (they
    get no rate).
    """

    level: str
    wanted: int
    used: int
    how: str
    areas: int = 0
    missing: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()

    @property
    def words(self) -> str:
        return LEVEL_WORDS.get(self.level, self.level.replace("_", " "))

    def sentence(self) -> str:
        """One plain sentence for the report, e.g. for a fallback."""
        words = self.words
        text = f"{words.capitalize()} rates for {self.wanted}/{str(self.wanted + 1)[-2:]} use "
        if self.how == "exact":
            text += f"the mid-{self.used} estimates"
        else:
            text += (
                f"mid-{self.used} estimates because mid-{self.wanted} estimates are not available "
                f"for every {words} (the nearest {self.how} year available is used)"
            )
        if self.missing:
            text += f"; {len(self.missing)} of {self.areas} areas have no estimate and no rate"
        return text + f" ({'; '.join(self.sources)})." if self.sources else text + "."


def choose_year(
    available: Mapping[int, Iterable[str]] | Iterable[int],
    wanted: int,
    *,
    level: str = "area",
    areas: Iterable[str] = (),
    sources: Iterable[str] = (),
) -> PopulationChoice:
    """The estimate year to use for ``wanted``: itself, else the nearest earlier, else the nearest later.

    ``available`` is the years with estimates, or ``{year: area codes with an estimate}``; with
    ``areas``, years covering every one of them are preferred. Raises ``ValueError`` when nothing
    is available.
    """
    from svsna.geodata import nearest_year

    have = (
        {int(y): set(codes) for y, codes in available.items()}
        if isinstance(available, Mapping)
        else {int(y): set() for y in available}
    )
    wanted_areas = sorted(set(areas))
    complete = [y for y, codes in have.items() if set(wanted_areas) <= codes] if wanted_areas else list(have)
    used, how = nearest_year(complete or have, int(wanted))
    missing = tuple(a for a in wanted_areas if a not in have[used]) if wanted_areas else ()
    return PopulationChoice(level, int(wanted), used, how, len(wanted_areas), missing, tuple(sorted(set(sources))))


def population_for(
    frame: pd.DataFrame, level: str, year: int, areas: Iterable[str]
) -> tuple[pd.DataFrame, PopulationChoice]:
    """The rows of ``frame`` (``area_code, level, year, population[, source]``) of ``level`` for the
    estimate :func:`choose_year` picks for ``year``, and that choice.

    Raises ``ValueError`` when ``frame`` has no row of ``level``.

    >>> import pandas as pd
    >>> pop = pd.DataFrame({"area_code": ["A", "B", "A"], "level": "lad", "year": [2019, 2019, 2020],
    ...                     "population": [10, 20, 11], "source": "ONS"})
    >>> rows, choice = population_for(pop, "lad", 2020, ["A", "B"])
    >>> rows["population"].tolist(), choice.used, choice.how
    ([10, 20], 2019, 'earlier')
    """
    pop = frame[frame["level"] == level]
    if pop.empty:
        raise ValueError(f"no population estimates of level {level!r}")
    have: dict[int, Any] = {int(y): set(g["area_code"]) for y, g in pop.groupby("year")}
    choice = choose_year(have, year, level=level, areas=areas)
    chosen = pop[pop["year"] == choice.used].reset_index(drop=True)
    if "source" in chosen.columns:
        choice = PopulationChoice(
            choice.level,
            choice.wanted,
            choice.used,
            choice.how,
            choice.areas,
            choice.missing,
            tuple(sorted(set(chosen["source"]))),
        )
    return chosen, choice
