"""What every analysis section shares: its context, the run's shared work, and population helpers.

A section module exposes ``SECTION`` (its name) and ``run(ctx) -> SectionResult``.
The context (:class:`AnalysisContext`) carries the warehouse, the area configuration and the
definition being assessed, and gives the helpers every section needs (periods, population
denominators, the in-definition offence table, involvements, one grouped count over several
periods). Sections never name a backend.

Work that does not depend on the definition is done once per run, in :class:`RunShared`: the
warehouse catalogue, Ibis table objects, the geography table, the population denominators
(:class:`~svsna.analyses._denominators.Denominators`, aggregated in the engine), the LSOA
boundaries (found by the column names ingest accepts for LSOA codes) and spatial weights, and the
per-offence suspect ages. Inputs that are present but not fully usable are recorded as
:class:`InputWarning` s, which the runner writes to ``assessment.json`` and ``findings.json``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from svsna.config import AreaConfig, Period
from svsna.sources.ledger import unusable_sources

if TYPE_CHECKING:
    import ibis
    import pandas as pd

    from svsna.engine import Warehouse

__all__ = [
    "PERSON_COLUMNS",
    "POLICE_REQUIRES",
    "AnalysisContext",
    "InputWarning",
    "RunShared",
    "age_group_label",
    "find_lsoa_property",
    "lsoa_code_names",
    "read_boundaries",
    "sex_label",
    "source_tables",
    "unit_labels",
    "unusable_message",
    "unusable_reason",
    "unusable_sources",
]

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

#: Offence columns no section reads: left out of the run's cached offence facts (each column
#: copied costs time at scale; a section that needs one removes it from this list).
UNREAD_OFFENCE_COLUMNS: tuple[str, ...] = (
    "offence_description",
    "committed_to",
    "domestic_flag",
    "crime_group",
    "public_place",
    "month_start",
    "fin_year",
    "location_type",
    "ward_name",
    "district_code",
    "county_name",
)

#: Offence columns the run-wide offence facts always carry (keys, dates, what ``nte`` is worked out
#: from, and the first-involvement order), whatever the run's sections read.
CORE_FACT_COLUMNS: tuple[str, ...] = ("offence_ref", "offence_date", "committed_from", "hour", "time_known")

#: Geography levels in the order they are reported (whole area first, LSOAs last).
REPORT_LEVELS: tuple[str, ...] = ("area", "county", "district", "npa", "ward", "lsoa")

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
class InputWarning:
    """A problem with inputs that are present but not (fully) usable, recorded in the assessment."""

    definition: str
    section: str
    code: str
    message: str
    numbers: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "definition": self.definition,
            "section": self.section,
            "code": self.code,
            "message": self.message,
            "numbers": dict(self.numbers),
        }


class RunShared:
    """Work shared by every section and every definition of one assessment run.

    The warehouse catalogue, Ibis table objects, the geography table, the population
    denominators (:class:`~svsna.analyses._denominators.Denominators`), the LSOA boundaries
    and spatial weights are each read or built once per run, whatever the number of
    sections and definitions. Warnings about unusable inputs are collected here.

    Parameters
    ----------
    wh : Warehouse
    config : AreaConfig
    boundaries : Path, optional
        LSOA polygons (GeoJSON) for contiguity weights.
    definitions : list of str, optional
        The definitions the run assesses: their offence and involvement tables are built together
        (a context whose definition is not listed builds its own).
    fact_columns : collection of str, optional
        The offence columns the run's sections read from the run-wide offence facts and
        involvements (each section's ``FACT_COLUMNS``): the tables carry only these (and
        :data:`CORE_FACT_COLUMNS`), so a run of a few sections copies fewer columns. None (the
        default, and whenever a section of the run does not say) carries every column.
    """

    def __init__(
        self,
        wh: Warehouse,
        config: AreaConfig,
        boundaries: Path | None = None,
        definitions: Sequence[str] = (),
        fact_columns: Collection[str] | None = None,
    ) -> None:
        self.wh = wh
        self.config = config
        self.boundaries = boundaries
        #: the definitions of the run: offence and involvement tables are built once for all of them
        #: (a flag column per definition), so every definition's queries read the same cached tables
        self.definitions: tuple[str, ...] = tuple(dict.fromkeys(definitions))
        #: offence columns the run's sections read from the run-wide offence facts and involvements
        #: (besides :data:`CORE_FACT_COLUMNS`); None: every column but :data:`UNREAD_OFFENCE_COLUMNS`
        self.fact_columns: frozenset[str] | None = None if fact_columns is None else frozenset(fact_columns)
        self.cache: dict[Any, Any] = {}
        self.warnings: list[InputWarning] = []
        self._present: frozenset[str] | None = None
        self._tables: frozenset[str] | None = None
        self._unusable: dict[str, dict[str, Any]] | None = None
        self._objects: dict[str, Any] = {}

    # ------------------------------------------------------------- catalogue
    @property
    def present(self) -> frozenset[str]:
        """Every table of the warehouse, usable or not (one catalogue query per run)."""
        if self._present is None:
            self._present = frozenset(self.wh.list_tables())
        return self._present

    @property
    def tables(self) -> frozenset[str]:
        """The warehouse's usable tables: those present, less the tables of a source supplied with
        every row rejected at ingest (:attr:`unusable`), which sections treat as absent."""
        if self._tables is None:
            self._tables = self.present - frozenset(self.unusable)
        return self._tables

    @property
    def unusable(self) -> dict[str, dict[str, Any]]:
        """Tables of a source that was supplied, had rows read and had **every** row rejected at
        ingest (from the ``ledger`` table): table -> ``{source, file, read, loaded, rejected, reasons}``.

        Such a table is present but empty: a section reading it would report zeros as if there had
        been no events. It is left out of :attr:`tables`, and the first look records one
        ``source_unusable`` warning per source (naming the file, the rows read and the main
        rejection reasons), filed under ``data_quality``.
        """
        if self._unusable is None:
            self._unusable = {}
            if "ledger" in self.present:
                for info in unusable_sources(self.wh.execute(self.table("ledger"))):
                    tables = [t for t in source_tables(info["source"]) if t in self.present]
                    self._unusable.update(dict.fromkeys(tables, info))
                    if tables:
                        self.warn("", "data_quality", "source_unusable", unusable_message(info), **info)
        return self._unusable

    def has(self, name: str) -> bool:
        return name in self.tables

    def table(self, name: str) -> ibis.Table:
        """The Ibis table ``name`` (looked up once per run)."""
        if name not in self._objects:
            self._objects[name] = self.wh.table(name)
        return self._objects[name]

    # ------------------------------------------------------------- geography
    @cached_property
    def geography_frame(self) -> pd.DataFrame:
        """The geography table as pandas (one row per LSOA), read once per run."""
        return self.wh.execute(self.table("geography"))

    @cached_property
    def unit_names(self) -> dict[str, dict[str, str]]:
        """Labels of units whose names repeat: a ward name used in two districts becomes
        ``Name (District)``; ward values are keyed by ``ward_code`` where present."""
        geo = self.geography_frame
        out: dict[str, dict[str, str]] = {}
        if {"ward_name", "district_name"} <= set(geo.columns):
            w = geo[["ward_name", "district_name"]].dropna().drop_duplicates()
            dup = w["ward_name"].duplicated(keep=False)
            if dup.any():
                out["ward"] = {}
                for name, dist in w[dup].itertuples(index=False):
                    out["ward"][f"{name}\x1f{dist}"] = f"{name} ({dist})"
        return out

    def unit_column(self, frame: pd.DataFrame, level: str, column: str | None = None) -> pd.Series:
        """Unit labels of ``level`` for the rows of ``frame`` (a geography-shaped frame)."""
        return unit_labels(frame, level, self.unit_names, column)

    @cached_property
    def levels(self) -> list[str]:
        """Geography levels to report: ``config.geography_levels`` that the geography carries
        (a level is carried when its column has at least one value), in hierarchy order."""
        from svsna.analyses._denominators import LEVEL_COLUMNS

        geo = self.geography_frame
        wanted = set(self.config.geography_levels)
        out = []
        for level in REPORT_LEVELS:
            if level not in wanted:
                continue
            col = LEVEL_COLUMNS[level]
            if level == "area" or (col in geo.columns and geo[col].notna().any()):
                out.append(level)
        return out

    @cached_property
    def denominators(self) -> Any:
        import functools

        from svsna.analyses._denominators import Denominators

        den = Denominators(
            self.wh,
            self.geography_frame,
            unit_of=functools.partial(unit_labels, names=self.unit_names),
            prefetch=tuple(dict.fromkeys(["area", *self.levels, "imd_decile"])),
        )
        den.years_wanted = {den.year_for(p) for p in self._periods_needing_populations()}
        den.cuts |= {self.config.age_focus_under}
        return den

    def _periods_needing_populations(self) -> list[Period]:
        """Every period a rate may be asked for: baseline, configured periods, profile, and the
        financial years of the monthly trend."""
        from svsna.config import financial_year

        cfg = self.config
        periods = [*cfg.periods(), cfg.profile()]
        if cfg.baseline_year is not None:
            periods.append(financial_year(cfg.baseline_year))
        first = min(p.start for p in periods)
        last = max(p.end for p in periods)
        fy0 = first.year if first.month >= 4 else first.year - 1
        fy1 = last.year if last.month >= 4 else last.year - 1
        return periods + [financial_year(y) for y in range(fy0, fy1 + 1)]

    def release(self) -> None:
        """Drop the run's cached backend tables (call before closing the warehouse)."""
        self.cache.clear()
        self._objects.clear()

    # ------------------------------------------------------------ boundaries
    def boundary_geometries(self) -> Any | None:
        """LSOA polygons (a GeoSeries indexed by LSOA code) read once per run, or None.

        The LSOA code property is found by the names ingest accepts for the geography's
        ``lsoa_code`` (its data contract: ``lsoa_code``, ``lsoa11cd``, ``lsoa11_code``, ...).

        Raises
        ------
        MissingInputError
            The file does not exist.
        InputDataError
            No LSOA code property, or LSOAs of the geography without a polygon.
        """
        if self.boundaries is None:
            return None
        key = ("boundaries",)
        if key not in self.cache:
            self.cache[key] = read_boundaries(self.boundaries, self.geography_frame["lsoa_code"].dropna().tolist())
        return self.cache[key]

    def warn(self, definition: str, section: str, code: str, message: str, **numbers: Any) -> None:
        """Record a warning (once per definition, section and code)."""
        for w in self.warnings:
            if (w.definition, w.section, w.code, w.message) == (definition, section, code, message):
                return
        self.warnings.append(InputWarning(definition, section, code, message, numbers))


def source_tables(source: str) -> tuple[str, ...]:
    """The warehouse tables ingest fills from an ``area.yaml`` input.

    >>> source_tables("indicators"), source_tables("offences"), source_tables("victims")
    (('area_indicators',), ('offences', 'offence_decisions'), ('victims',))
    """
    from svsna.sources.tables import TABLE_NAMES

    table = TABLE_NAMES.get(source, source)
    return (table, "offence_decisions") if table == "offences" else (table,)


def unusable_message(info: Mapping[str, Any]) -> str:
    """The warning for a source with every row rejected (one line: source, file, rows, rules, hint).

    >>> print(unusable_message({"source": "admissions", "file": "adm.csv", "read": 3, "rejected": 3,
    ...     "reasons": [{"reason": "invalid date (admission_date)", "rows": 3}]}))  # doctest: +NORMALIZE_WHITESPACE
    admissions: every one of the 3 rows read from adm.csv was rejected at ingest (invalid date (admission_date):
    3 rows), so the assessment leaves admissions out (as if not supplied); hint: fix the rows listed in
    restricted/rejects.csv and run svsna ingest again
    """
    rows = "row" if info["read"] == 1 else "rows"
    which = "the only" if info["read"] == 1 else f"every one of the {info['read']:,}"
    reasons = "; ".join(
        f"{r['reason']}: {r['rows']:,} {'row' if r['rows'] == 1 else 'rows'}" for r in info["reasons"][:3]
    )
    return (
        f"{info['source']}: {which} {rows} read from {info['file'] or 'its file'} was rejected at ingest"
        + (f" ({reasons})" if reasons else "")
        + f", so the assessment leaves {info['source']} out (as if not supplied); hint: fix the rows listed in "
        "restricted/rejects.csv and run svsna ingest again"
    )


def unusable_reason(info: Mapping[str, Any]) -> str:
    """Why a section that needs a source with every row rejected did not run (its status reason).

    >>> unusable_reason({"source": "admissions", "file": "adm.csv", "read": 3})
    'every row of admissions was rejected at ingest (3 rows read from adm.csv, none loaded; see restricted/rejects.csv)'
    """
    rows = "row" if info["read"] == 1 else "rows"
    return (
        f"every row of {info['source']} was rejected at ingest ({info['read']:,} {rows} read from "
        f"{info['file'] or 'its file'}, none loaded; see restricted/rejects.csv)"
    )


def unit_labels(
    frame: pd.DataFrame, level: str, names: dict[str, dict[str, str]] | None = None, column: str | None = None
) -> pd.Series:
    """Unit labels of ``level`` for the rows of a geography-shaped ``frame`` (``'all'`` for the area,
    deciles as ``'1'``..``'10'``, repeated ward names as ``Name (District)`` via ``names``)."""
    import pandas as pd

    from svsna.analyses._denominators import LEVEL_COLUMNS

    if level == "area":
        return pd.Series("all", index=frame.index)
    values = frame[column or LEVEL_COLUMNS[level]]
    if level == "imd_decile":
        return values.map(lambda v: None if v is None or v != v else str(int(v)))
    lookup = (names or {}).get(level)
    if lookup and "district_name" in frame.columns:
        keys = values.astype(str) + "\x1f" + frame["district_name"].astype(str)
        return keys.map(lookup).fillna(values)
    return values


def lsoa_code_names() -> list[str]:
    """The column names ingest accepts for LSOA codes in the geography (from its data contract).

    >>> "lsoa11_code" in lsoa_code_names() and "lsoa_code" in lsoa_code_names()
    True
    """
    from svsna.sources.contracts import load_contracts

    return load_contracts()["geography"].field("lsoa_code").names


def find_lsoa_property(columns: Any) -> str | None:
    """The column of ``columns`` holding LSOA codes, matched like ingest matches the geography's
    ``lsoa_code`` (case, spaces, underscores and hyphens ignored).

    >>> find_lsoa_property(["OBJECTID", "LSOA11CD", "geometry"]), find_lsoa_property(["lsoa11_code"])
    ('LSOA11CD', 'lsoa11_code')
    >>> find_lsoa_property(["code"]) is None
    True
    """
    from svsna.sources.contracts import load_contracts

    contract = load_contracts()["geography"]
    for c in columns:
        if contract.match_column(str(c)) == "lsoa_code":
            return str(c)
    return None


def read_boundaries(path: Path, codes: list[str]) -> Any:
    """LSOA polygons of ``codes`` from a GeoJSON (GeoSeries indexed by code, in ``codes`` order)."""
    import geopandas as gpd

    from svsna.errors import InputDataError, MissingInputError

    if not path.exists():
        raise MissingInputError(
            f"boundaries file {path} not found", hint="give a GeoJSON of LSOA polygons or remove `boundaries:`"
        )
    try:
        gdf = gpd.read_file(path)
    except Exception as exc:
        raise InputDataError(
            f"{path}: cannot be read as GeoJSON ({type(exc).__name__}: {exc})",
            hint="give a GeoJSON of LSOA polygons (EPSG:4326)",
        ) from None
    key = find_lsoa_property(gdf.columns)
    if key is None:
        found = ", ".join(str(c) for c in gdf.columns if c != "geometry")
        raise InputDataError(
            f"{path}: no LSOA code property (looked for {', '.join(lsoa_code_names())}); properties found: {found}",
            hint="name the property holding LSOA 2011 codes lsoa_code (or LSOA11CD)",
        )
    geoms = gdf.assign(**{key: gdf[key].astype(str)}).drop_duplicates(key).set_index(key).geometry
    missing = [c for c in codes if c not in geoms.index]
    if missing:
        raise InputDataError(
            f"{path}: {len(missing)} LSOA(s) of the geography have no boundary, e.g. {', '.join(missing[:3])}",
            hint="use boundaries covering every LSOA of the geography (2011 LSOAs)",
        )
    return geoms.loc[codes]


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
        Name of the serious-violence definition assessed (e.g. ``llr_vrn``) as stored in
        ``offence_decisions`` (a definition given as a YAML path resolves to its ``name``:
        :func:`svsna.definitions.definition.resolve_definition_names`).
    boundaries : Path, optional
        A GeoJSON of LSOA polygons for contiguity weights; without it hot spots use the
        k-nearest LSOA centroids of the geography table.
    shared : RunShared, optional
        Work shared across the sections and definitions of a run (made when not given).
    section : str
        The section running (set by the runner; warnings are filed under it).
    """

    wh: Warehouse
    config: AreaConfig
    definition: str
    boundaries: Path | None = None
    shared: RunShared | None = None
    section: str = ""
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if self.shared is None:
            self.shared = RunShared(self.wh, self.config, self.boundaries)

    def release(self) -> None:
        """Drop the backend tables cached for this context and its run (before closing the warehouse)."""
        self._cache.clear()
        self.run.release()

    @property
    def run(self) -> RunShared:
        assert self.shared is not None
        return self.shared

    # ------------------------------------------------------------------ periods
    @property
    def periods(self) -> list[Period]:
        return self.config.periods()

    @property
    def profile(self) -> Period:
        return self.config.profile()

    @property
    def financial_years(self) -> list[Period]:
        return [p for p in self.periods if p.kind == "financial_year"]

    @property
    def part_year(self) -> Period | None:
        part = [p for p in self.periods if p.kind == "part_year"]
        return part[-1] if part else None

    @property
    def baseline(self) -> Period | None:
        """The ``baseline_year`` financial year (None when not set)."""
        from svsna.config import financial_year

        y = self.config.baseline_year
        return None if y is None else financial_year(y)

    @property
    def all_periods(self) -> list[Period]:
        """Configured periods, the baseline year (if not among them) first, and the profile window last."""
        out = list(self.periods)
        base = self.baseline
        if base is not None and base.label not in {p.label for p in out}:
            out.insert(0, base)
        if self.profile.label not in {p.label for p in out}:
            out.append(self.profile)
        return out

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
    def rate_unit(self) -> str:
        """``'per 1,000 residents'`` for the configured multiplier."""
        return f"per {self.multiplier:,} residents"

    @property
    def confidence(self) -> float:
        return self.config.confidence

    @property
    def levels(self) -> list[str]:
        return self.run.levels

    # ----------------------------------------------------------------- tables
    def has(self, table: str) -> bool:
        return self.run.has(table)

    def table(self, name: str) -> ibis.Table:
        return self.run.table(name)

    def offences(self) -> ibis.Table:
        """Offences inside this context's definition (joined to their decision)."""
        o = self.table("offences")
        d = self.table("offence_decisions")
        keep = d.filter((d.definition == self.definition) & d.included).select("offence_ref")
        return o.semi_join(keep, "offence_ref")

    def in_period(self, t: ibis.Table, column: str, period: Period) -> ibis.Table:
        """Rows of ``t`` whose date/time ``column`` falls inside ``period`` (inclusive)."""
        return t.filter(self.period_mask(t, column, period))

    @staticmethod
    def period_mask(t: ibis.Table, column: str, period: Period) -> ibis.BooleanValue:
        """Whether ``t``'s date/time ``column`` falls inside ``period`` (the test of :meth:`in_period`)."""
        import ibis

        start = ibis.timestamp(dt.datetime.combine(period.start, dt.time(0, 0)))
        end = ibis.timestamp(dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time(0, 0)))
        col = t[column].cast("timestamp")
        return (col >= start) & (col < end)

    def warn(self, code: str, message: str, **numbers: Any) -> None:
        """Record that an input is present but not (fully) usable; shown in the assessment and the
        report's data-quality section."""
        self.run.warn(self.definition, self.section, code, message, **numbers)

    # ------------------------------------------------------------- population
    @property
    def population_frame(self) -> pd.DataFrame:
        """The population table as pandas (read once per run; prefer :meth:`population`)."""
        key = ("population_frame",)
        if key not in self.run.cache:
            self.run.cache[key] = self.wh.execute(self.table("population"))
        return self.run.cache[key]

    @property
    def geography_frame(self) -> pd.DataFrame:
        return self.run.geography_frame

    @property
    def denominators(self) -> Any:
        return self.run.denominators

    def population_year(self, period: Period) -> int:
        """The mid-year estimate used for a period: the year its start falls in, or the latest
        earlier year available (recorded as a warning when it differs)."""
        year = self.denominators.year_for(period)
        if year != period.start.year:
            self.run.warn(
                "",
                "population",
                "population_year_substituted",
                f"no {period.start.year} population estimate: mid-{year} is used for {period.label}",
                period=period.label,
                wanted_year=period.start.year,
                used_year=year,
            )
        return year

    def population(
        self,
        period: Period,
        *,
        area_codes: list[str] | None = None,
        age_from: int = 0,
        age_to: int = 200,
        sex: str = "P",
    ) -> float:
        """Residents of the whole area (or of the LSOA/district/county ``area_codes``) aged
        ``age_from``..``age_to`` inclusive of ``sex`` (``"P"`` persons, ``"M"``, ``"F"``) for the
        period's year. Age bands must nest inside the requested range."""
        year = self.population_year(period)
        if area_codes is None:
            return self.denominators.whole(year, age_from=age_from, age_to=age_to, sex=sex)
        total = 0.0
        wanted = set(area_codes)
        for level in ("lsoa", "district", "county"):
            by = self.denominators.by_unit(year, level, age_from=age_from, age_to=age_to, sex=sex) or {}
            geo = self.geography_frame
            if level == "lsoa":
                total += sum(v for k, v in by.items() if k in wanted)
            else:
                names = geo.loc[geo[f"{level}_code"].isin(wanted), f"{level}_name"].unique()
                total += sum(by.get(str(n), 0.0) for n in names)
        return total

    def population_levels(
        self, period: Period, level: str, *, age_from: int = 0, age_to: int = 200, sex: str = "P"
    ) -> dict[str, float] | None:
        """Residents by geography ``level`` (``district``, ``county``, ``npa``, ``ward``, ``lsoa``,
        ``imd_decile``; keyed by unit label, LSOAs by code, deciles as ``'1'``..``'10'``) for the
        period's year; None when the population table cannot supply the level."""
        return self.denominators.by_unit(self.population_year(period), level, age_from=age_from, age_to=age_to, sex=sex)

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

    def materialise(self, key: Any, build: Any, *, shared: bool = False) -> ibis.Table:
        """``build()``'s table, cached on the backend (``Table.cache()``) once per context and key
        (once per run with ``shared=True``, for tables that do not depend on the definition)."""
        store = self.run.cache if shared else self._cache
        if key not in store:
            store[key] = build().cache()
        return store[key]

    @property
    def has_time_known(self) -> bool:
        """Whether ``offences`` says which offences have a known time (``time_known``)."""
        return "time_known" in self.table("offences").columns

    # ------------------------------------------------------- the run's definitions
    @property
    def run_definitions(self) -> tuple[str, ...]:
        """The definitions whose offence and involvement tables are built together: the run's,
        or this context's own when the run does not list it."""
        defs = self.run.definitions
        return defs if self.definition in defs else (self.definition,)

    @property
    def definition_flags(self) -> list[str]:
        """The flag columns (``_in0``, ``_in1`` ...) of the run-wide tables, one per run definition."""
        return [f"_in{k}" for k in range(len(self.run_definitions))]

    @property
    def definition_flag(self) -> str:
        """This context's flag column in the run-wide tables (:meth:`offence_facts_all`)."""
        return f"_in{self.run_definitions.index(self.definition)}"

    def offence_facts(self) -> ibis.Table:
        """In-definition offences plus ``age_group`` (from suspects), ``time_known`` (bool) and
        ``nte`` (bool: the start hour is known and inside the NTE window).

        An offence is by under 25s when **any** suspect is under ``config.age_focus_under``,
        by 25 and over when it has a suspect of known age and none is under it, otherwise
        ``Unknown`` (no suspect or no known suspect age). This definition's rows of
        :meth:`offence_facts_all`.
        """
        key = "offence_facts"
        if key not in self._cache:
            f = self.offence_facts_all()
            self._cache[key] = f.filter(f[self.definition_flag]).drop(*self.definition_flags)
        return self._cache[key]

    def offence_facts_all(self) -> ibis.Table:
        """The facts of every offence some definition of the run includes, with a boolean flag per
        definition (:attr:`definition_flags`): materialised once per run, so each definition's
        queries scan it instead of joining ``offences`` to ``offence_decisions`` again."""
        defs = self.run_definitions
        return self.materialise(("offence_facts", defs), lambda: self._offence_facts_all(defs), shared=True)

    def offence_groups(self) -> ibis.Table:
        """``offence_ref, age_group`` plus a flag per run definition (:attr:`definition_flags`) of
        every offence a definition of the run includes (an expression, materialised as part of
        :meth:`offence_facts_all`)."""
        return self._offence_groups(self.run_definitions)

    def _offence_groups(self, defs: tuple[str, ...]) -> ibis.Table:
        import ibis

        d = self.table("offence_decisions")
        d = d.filter(d.included & d.definition.isin(list(defs)))
        flags = self.definition_flags
        keep = d.group_by("offence_ref").aggregate(
            **{flag: (d.definition == name).any() for flag, name in zip(flags, defs, strict=True)}
        )
        if not self.has("suspects"):
            return keep.mutate(age_group=ibis.literal("Unknown"))
        # the suspects of the kept offences joined to them and summarised per offence in the same
        # grouping (the flags are the offence's own), not aggregated on their own and joined back:
        # on Spark that reads the decisions once and shuffles once instead of three times
        s = self.table("suspects").select("offence_ref", "age")
        j = keep.left_join(s, "offence_ref").drop("offence_ref_right")
        k = j.group_by(["offence_ref", *flags]).aggregate(
            _any_under=(j.age < self.under).any(), _any_known=j.age.notnull().any()
        )
        group = ibis.cases(
            (k._any_under.fill_null(False), self.under_label),
            (k._any_known.fill_null(False), self.over_label),
            else_="Unknown",
        )
        return k.select("offence_ref", *flags, age_group=group)

    def _offence_facts_all(self, defs: tuple[str, ...]) -> ibis.Table:
        import ibis

        o = self.table("offences")
        o = o.drop(*[c for c in UNREAD_OFFENCE_COLUMNS if c in o.columns])
        wanted = self.run.fact_columns
        if wanted is not None:
            o = o.drop(*[c for c in o.columns if c not in wanted and c not in CORE_FACT_COLUMNS])
        o = o.join(self.offence_groups(), "offence_ref")
        known = o.time_known.fill_null(False) if "time_known" in o.columns else ibis.literal(True)
        o = o.mutate(time_known=known)
        hours = self.config.night_time_economy.hours
        return o.mutate(nte=(o.hour.isin(hours) & o.time_known).fill_null(False))

    def involvements(self, role: str, period: Period | None = None, in_definition: bool = True) -> ibis.Table:
        """One row per (offence, person) of ``role`` (``"suspects"`` or ``"victims"``).

        Carries the person's columns (:data:`PERSON_COLUMNS`, ``age`` = age at the offence),
        ``person_age_group``, ``person`` (``person_key``, or a per-offence stand-in when the key
        is blank) and the offence's columns (:data:`OFFENCE_COLUMNS` plus ``age_group``,
        ``time_known`` and ``nte`` when ``in_definition``). ``period`` filters on the offence date.
        In-definition involvements are this definition's rows of :meth:`involvements_all`.
        """
        if not in_definition:
            key = ("involvements", role, period, in_definition)
            return self.materialise(key, lambda: self._involvements(role, period, in_definition))
        key = ("involvements", role, period)
        if key not in self._cache:
            t = self.involvements_all(role, period, firsts=False)
            self._cache[key] = t.filter(t[self.definition_flag]).drop(*[c for c in self._run_flags() if c in t.columns])
        return self._cache[key]

    def first_involvements(self, role: str, period: Period | None = None) -> ibis.Table:
        """Each person's earliest in-definition involvement of ``role`` in ``period`` (extent, people
        and cohorts all start from it): the rows of :meth:`involvements_all` flagged first for
        this definition."""
        key = ("first_involvements", role, period)
        if key not in self._cache:
            t = self.involvements_all(role, period)
            first = "_first" + self.definition_flag[3:]
            self._cache[key] = t.filter(t[first]).drop(*self._run_flags())
        return self._cache[key]

    def _run_flags(self) -> list[str]:
        return [*self.definition_flags, *("_first" + f[3:] for f in self.definition_flags)]

    def involvements_all(self, role: str, period: Period | None = None, *, firsts: bool = True) -> ibis.Table:
        """Involvements of ``role`` in offences of any run definition, with the definition flags
        (``_in0`` ...) and, per definition, ``_first0`` ...: whether the row is the person's first
        involvement in that definition (:meth:`first_per_person`'s order). Materialised once per
        run and role: both definitions' involvement and first-involvement tables are views of it.

        With ``firsts=False`` the caller does not read the ``_first`` flags: the run's table with
        them is returned when it is already built, otherwise a table without them (the flags are a
        window over every person's involvements, the dearest part; a run that never asks for first
        involvements does not pay for them, and one that does builds them from this table).
        """
        defs = self.run_definitions
        full = ("involvements_all", role, period, defs)
        bare = ("involvements_bare", role, period, defs)
        store = self.run.cache
        if full in store:
            return store[full]
        if not firsts:
            return self.materialise(bare, lambda: self._involvements_all(role, period), shared=True)
        if bare in store:
            return self.materialise(full, lambda: self.with_first_flags(store[bare]), shared=True)
        return self.materialise(full, lambda: self.with_first_flags(self._involvements_all(role, period)), shared=True)

    def _involvements_all(self, role: str, period: Period | None) -> ibis.Table:
        """The run-wide involvements of ``role`` (definition flags, no ``_first`` flags)."""
        flags = self.definition_flags
        o = self.offence_facts_all()
        if period is not None:
            o = self.window(o, period)
        o = o.select(*[c for c in OFFENCE_COLUMNS if c in o.columns], "age_group", "time_known", "nte", *flags)
        return self._join_persons(o, role)

    def with_first_flags(self, t: ibis.Table) -> ibis.Table:
        """``t`` (run-wide involvements, possibly filtered) with ``_first0`` ...: whether the row is
        the person's first involvement in ``t`` for that definition (:meth:`first_per_person`'s
        order), computed for every definition in one query.

        One window (one sort) serves every definition: a row is a definition's first when it is in
        the definition and no earlier row of the person is (the running count of the definition's
        rows up to and including it is 1), the same row as numbering each definition's rows of the
        person apart.
        """
        import ibis

        t = t.drop(*[c for c in t.columns if c.startswith("_first")])
        w = ibis.window(group_by=t.person, order_by=self._first_order(t), rows=(None, 0))
        firsts = {}
        for flag in self.definition_flags:
            firsts["_first" + flag[3:]] = t[flag] & (t[flag].cast("int64").sum().over(w) == 1)
        return t.mutate(**firsts)

    def _join_persons(self, o: ibis.Table, role: str) -> ibis.Table:
        import ibis

        p = self.table(role)
        pcols = [c for c in PERSON_COLUMNS if c in p.columns]
        j = o.join(p.select("offence_ref", *pcols), "offence_ref")
        group = ibis.cases(
            (j.age.isnull(), "Unknown"),
            (j.age < self.under, self.under_label),
            else_=self.over_label,
        )
        person = j.person_key.fill_null(ibis.literal("anon|").concat(j.offence_ref))
        return j.mutate(person_age_group=group, person=person)

    def _involvements(self, role: str, period: Period | None, in_definition: bool) -> ibis.Table:
        if in_definition:
            o = self.offence_facts()
            ocols = [*(c for c in OFFENCE_COLUMNS if c in o.columns), "age_group", "time_known", "nte"]
        else:
            o = self.table("offences")
            ocols = list(OFFENCE_COLUMNS)
        if period is not None:
            o = self.window(o, period)
        return self._join_persons(o.select(*ocols), role)

    def first_per_person(self, inv: ibis.Table) -> ibis.Table:
        """Each person's earliest involvement in ``inv`` (by ``committed_from``, then ``offence_ref``).

        Ties (several blank-key persons on one offence share a stand-in ``person``) are broken
        by the person's own columns, nulls first, so every engine keeps the same row.
        """
        import ibis

        w = ibis.window(group_by=inv.person, order_by=self._first_order(inv))
        return inv.mutate(_rn=ibis.row_number().over(w)).filter(lambda t: t._rn == 0).drop("_rn")

    @staticmethod
    def _first_order(inv: ibis.Table) -> list[Any]:
        import ibis

        order = [inv.committed_from, inv.offence_ref]
        order += [ibis.asc(inv[c], nulls_first=True) for c in PERSON_COLUMNS[1:] if c in inv.columns]
        return order

    def fetch(self, expr: Any) -> Any:
        """Execute an Ibis expression on the warehouse (small results only)."""
        return self.wh.execute(expr)

    def shared_counts(self, key: Any, table: ibis.Table, keys: Sequence[str], *, first: bool = False) -> pd.DataFrame:
        """Rows of a run-wide ``table`` counted by ``keys``: this definition's ``*keys, n``.

        ``table`` carries the definition flags (:meth:`offence_facts_all`, :meth:`involvements_all`
        or an expression over them). The rows are counted for **every** definition of the run in
        one grouped query (the flags are grouping keys), fetched once per run under ``key``; each
        definition then sums its flagged groups. With ``first``, the rows counted are each
        person's first involvement (``_first0`` ...) instead of every row of the definition.
        """
        flags = [("_first" + f[3:]) if first else f for f in self.definition_flags]
        store = ("shared_counts", key, self.run_definitions, first)
        if store not in self.run.cache:
            q = table.group_by([*keys, *flags]).aggregate(n=table.count())
            df = self.fetch(q)
            df["n"] = df["n"].astype("int64")
            self.run.cache[store] = df
        df = self.run.cache[store]
        mine = df[df[flags[self.run_definitions.index(self.definition)]].astype(bool)]
        if len(flags) == 1:
            return mine.drop(columns=flags).reset_index(drop=True)
        return mine.groupby(list(keys), dropna=False, sort=False, as_index=False)["n"].sum()

    def role_counts(
        self,
        key: Any,
        tables: Mapping[str, ibis.Table],
        keys: Sequence[str],
        *,
        first: bool = False,
        role: str | None = None,
    ) -> pd.DataFrame:
        """:meth:`shared_counts` of several roles' run-wide tables (``{role: table}``, each with the
        definition flags) in **one** query per run and ``key``: this definition's ``role, *keys, n``,
        or with ``role`` that role's ``*keys, n``."""
        import ibis

        flags = [("_first" + f[3:]) if first else f for f in self.definition_flags]
        parts = [t.select(*keys, *flags).mutate(role=ibis.literal(r)) for r, t in tables.items()]
        t = parts[0] if len(parts) == 1 else ibis.union(*parts, distinct=False)
        df = self.shared_counts(key, t, ["role", *keys], first=first)
        if role is None:
            return df
        return df[df["role"] == role].drop(columns="role").reset_index(drop=True)

    def period_counts_by(
        self,
        t: ibis.Table,
        keys: Sequence[str],
        periods: Sequence[Period] | None = None,
        column: str = "offence_date",
        *,
        key: Any = None,
    ) -> pd.DataFrame:
        """Rows of ``t`` counted by period and ``keys`` in **one** grouped query.

        Each period (default :attr:`all_periods`: baseline, configured periods, profile window)
        labels the rows whose ``column`` falls inside it, the labelled parts are stacked (``UNION
        ALL``, so overlapping periods each get their rows) and counted once. Returns
        ``period, *keys, n`` (periods without rows are absent; callers fill zeros). With ``key``,
        ``t`` is a run-wide table (:meth:`shared_counts`): every definition is counted in the
        same query.
        """
        import ibis

        periods = list(periods if periods is not None else self.all_periods)
        d = t[column].cast("date")
        parts = [
            t.filter((d >= ibis.date(p.start)) & (d <= ibis.date(p.end))).mutate(period=ibis.literal(p.label))
            for p in periods
        ]
        j = ibis.union(*parts) if len(parts) > 1 else parts[0]
        if key is not None:
            return self.shared_counts(("period_counts", key, tuple(periods), column), j, ["period", *keys])
        q = j.group_by(["period", *keys]).aggregate(n=j.count())
        df = self.fetch(q)
        df["n"] = df["n"].astype("int64")
        return df
