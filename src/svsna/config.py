"""Area configuration (``area.yaml``), validated with pydantic.

An area file says what to assess and where the data are::

    name: Leicester, Leicestershire and Rutland
    short_name: LLR
    financial_years: [2017, 2018, 2019, 2020]     # April 2017 - March 2018, ...
    latest: {start: 2021-04-01, end: 2021-09-30}  # part year
    profile_period: {start: 2020-04-01, end: 2021-09-30}
    definitions: [llr_vrn, llr_broadened]
    inputs:
      offences: data/offences.csv
    output: output

Relative paths are resolved against the folder holding the area file.

Examples
--------
>>> cfg = AreaConfig.model_validate({"name": "Testshire", "financial_years": [2020]})
>>> [p.label for p in cfg.periods()]
['2020/21']
>>> cfg.night_time_economy.contains_hour(23), cfg.night_time_economy.contains_hour(12)
(True, False)
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from svsna.errors import ConfigError, validation_problems

__all__ = [
    "SOURCE_NAMES",
    "AreaConfig",
    "Event",
    "NightTimeEconomy",
    "Period",
    "ReportSettings",
    "financial_year",
    "load_area_config",
]

SOURCE_NAMES: tuple[str, ...] = (
    "geography",
    "population",
    "offences",
    "victims",
    "suspects",
    "ae_attendances",
    "admissions",
    "ambulance",
    "indicators",
    "survey_responses",
)

GEOGRAPHY_LEVELS: tuple[str, ...] = ("lsoa", "ward", "npa", "district", "county", "area")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Period(_Strict):
    """A named date range, inclusive of both ends."""

    label: str
    start: dt.date
    end: dt.date
    kind: Literal["financial_year", "part_year", "window"] = "window"

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end < self.start:
            raise ValueError(f"period {self.label!r} ends ({self.end}) before it starts ({self.start})")
        return self

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def months(self) -> int:
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def financial_year(start_year: int) -> Period:
    """The financial year April ``start_year`` to March ``start_year + 1``.

    >>> financial_year(2020).label
    '2020/21'
    """
    return Period(
        label=f"{start_year}/{str(start_year + 1)[-2:]}",
        start=dt.date(start_year, 4, 1),
        end=dt.date(start_year + 1, 3, 31),
        kind="financial_year",
    )


class DateRange(_Strict):
    start: dt.date
    end: dt.date
    label: str | None = None

    @model_validator(mode="after")
    def _ordered(self) -> DateRange:
        if self.end < self.start:
            raise ValueError(f"end ({self.end}) is before start ({self.start})")
        return self


class NightTimeEconomy(_Strict):
    """The night-time-economy window, e.g. 22:00 to 05:00 (end exclusive)."""

    start: dt.time = dt.time(22, 0)
    end: dt.time = dt.time(5, 0)

    def contains_hour(self, hour: int) -> bool:
        """Whether clock hour ``hour`` (0-23) starts inside the window."""
        s, e = self.start.hour, self.end.hour
        return (s <= hour < e) if s < e else (hour >= s or hour < e)

    @property
    def hours(self) -> list[int]:
        return [h for h in range(24) if self.contains_hour(h)]

    @property
    def label(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


class Event(_Strict):
    """A dated event to annotate on trend charts (e.g. a lockdown)."""

    date: dt.date
    label: str
    end: dt.date | None = None


class Disclosure(_Strict):
    """How the public release is protected and how restricted outputs are marked (docs/disclosure.md)."""

    #: Rule set name (``nhsd_2018``, ``fingertips_1_5``, ``fewer_than_10``); checked by ``svsna report``, which
    #: writes the restricted outputs and stops the public release (exit 3) when it is unknown.
    rules: str = Field(default="nhsd_2018", min_length=1, max_length=60)
    #: A group profile (shares, means of a cohort, subgroup or diagnosis) needs at least this many people.
    min_group_size: int = Field(default=10, ge=2, le=1000)
    #: Protective marking on every page and sheet of the restricted outputs (Government Security Classifications).
    protective_marking: str = Field(default="OFFICIAL-SENSITIVE", min_length=1, max_length=80)

    @field_validator("protective_marking")
    @classmethod
    def _marking(cls, v: str) -> str:
        v = v.strip()
        if not v or any(ord(ch) < 32 for ch in v):
            raise ValueError("the protective marking must be one line of text, e.g. OFFICIAL-SENSITIVE")
        return v


class ReportSettings(_Strict):
    """The partnership's own words and identity in the report (the ``report:`` block).

    Every area- or definition-specific word of the report comes from here, from the area's
    ``name``/``short_name`` or from the definition file; nothing is assumed from the LLR
    reference. Markdown fields are rendered as Markdown with raw HTML disabled.
    """

    partnership: str | None = None  # e.g. "Leicester, Leicestershire and Rutland Violence Reduction Network"
    title: str = "Serious Violence Strategic Needs Assessment"
    edition: str | None = None  # e.g. "January 2022"; default: the month the report is produced
    logo: Path | None = None  # PNG, JPEG or SVG, relative to area.yaml
    logo_alt: str | None = None
    foreword: str | None = None  # Markdown
    contact: str | None = None  # Markdown
    commentary: dict[str, str] = Field(default_factory=dict)  # section key -> Markdown, inserted verbatim
    overrides: dict[str, str] = Field(default_factory=dict)  # finding key -> sentence ({number} placeholders)
    map_attribution: str | None = None  # boundary licence line under maps (default: ONS/OS, OGL v3)

    @field_validator("logo")
    @classmethod
    def _logo(cls, v: Path | None) -> Path | None:
        if v is not None and v.suffix.lower() not in (".png", ".jpg", ".jpeg", ".svg"):
            raise ValueError(f"logo must be a PNG, JPEG or SVG file, got {v.name!r}")
        return v


class Pseudonymisation(_Strict):
    key_env: str = "SVSNA_PSEUDONYM_KEY"
    key_file: Path | None = None


class IngestLimits(_Strict):
    """``limits:`` in area.yaml: what ingest accepts before refusing a file or a row (docs/ingest.md)."""

    max_field_chars: int = Field(default=32_767, ge=100)
    xlsx_max_uncompressed_mb: int = Field(default=200, ge=1)
    xlsx_max_rows: int = Field(default=1_048_576, ge=1)
    batch_rows: int = Field(default=100_000, ge=100, le=5_000_000)


#: The ``area.yaml`` settings the analyses read: an assessment made with other values describes other
#: periods, groups or places than the report would label, so ``svsna report`` compares them
#: (:meth:`AreaConfig.analysis_settings`). Wording, contacts, disclosure and output settings are not here:
#: the report applies them itself.
ANALYSIS_SETTINGS: tuple[str, ...] = (
    "name",
    "short_name",
    "financial_years",
    "latest",
    "profile_period",
    "baseline_year",
    "geography_levels",
    "definitions",
    "age_focus_under",
    "night_time_economy",
    "rate_multiplier",
    "confidence",
)


class AreaConfig(_Strict):
    """The validated contents of an ``area.yaml`` file."""

    name: str = Field(min_length=1)
    short_name: str | None = None
    financial_years: list[int] = Field(default_factory=list)
    latest: DateRange | None = None
    profile_period: DateRange | None = None
    baseline_year: int | None = None
    geography_levels: list[str] = Field(default_factory=lambda: list(GEOGRAPHY_LEVELS))
    definitions: list[str] = Field(default_factory=lambda: ["llr_vrn"])
    age_focus_under: int = Field(default=25, ge=1, le=110)
    night_time_economy: NightTimeEconomy = NightTimeEconomy()
    rate_multiplier: int = Field(default=1000, gt=0)
    confidence: float = Field(default=0.95, gt=0, lt=1)
    events: list[Event] = Field(default_factory=list)
    inputs: dict[str, Path] = Field(default_factory=dict)
    boundaries: Path | None = None
    output: Path = Path("output")
    workspace: Path = Path("workspace")
    disclosure: Disclosure = Disclosure()
    pseudonymisation: Pseudonymisation = Pseudonymisation()
    columns: dict[str, dict[str, str]] = Field(default_factory=dict)
    """source -> {contract field -> column name in the file}, for columns named unlike the contract."""
    limits: IngestLimits = IngestLimits()
    report: ReportSettings = ReportSettings()
    base_dir: Path = Path(".")

    @field_validator("financial_years")
    @classmethod
    def _years(cls, v: list[int]) -> list[int]:
        for y in v:
            if not 1990 <= y <= 2100:
                raise ValueError(
                    f"financial year {y} is not a plausible year (use the starting year, e.g. 2020 for 2020/21)"
                )
        return sorted(set(v))

    @field_validator("geography_levels")
    @classmethod
    def _levels(cls, v: list[str]) -> list[str]:
        bad = [x for x in v if x not in GEOGRAPHY_LEVELS]
        if bad:
            raise ValueError(f"unknown geography level(s) {bad}; choose from {list(GEOGRAPHY_LEVELS)}")
        return v

    @field_validator("definitions")
    @classmethod
    def _defs(cls, v: list[str]) -> list[str]:
        if not v:
            raise ValueError("at least one definition is needed (e.g. llr_vrn)")
        return v

    @field_validator("inputs")
    @classmethod
    def _inputs(cls, v: dict[str, Path]) -> dict[str, Path]:
        bad = [k for k in v if k not in SOURCE_NAMES]
        if bad:
            raise ValueError(f"unknown input source(s) {bad}; known sources: {list(SOURCE_NAMES)}")
        return v

    @field_validator("columns")
    @classmethod
    def _columns(cls, v: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        bad = [k for k in v if k not in SOURCE_NAMES]
        if bad:
            raise ValueError(f"unknown source(s) {bad} in columns; known sources: {list(SOURCE_NAMES)}")
        return v

    @property
    def label(self) -> str:
        return self.short_name or self.name

    @property
    def primary_definition(self) -> str:
        return self.definitions[0]

    def analysis_settings(self) -> dict[str, Any]:
        """The settings the analyses read (:data:`ANALYSIS_SETTINGS`), as JSON values: written to
        ``assessment.json`` so that ``svsna report`` can refuse an assessment made with other ones.

        >>> cfg = AreaConfig.model_validate({"name": "MV", "financial_years": [2020], "baseline_year": 2020})
        >>> s = cfg.analysis_settings()
        >>> s["baseline_year"], s["financial_years"], s["age_focus_under"], s["night_time_economy"]
        (2020, [2020], 25, {'start': '22:00:00', 'end': '05:00:00'})
        """
        return self.model_dump(mode="json", include=set(ANALYSIS_SETTINGS))

    def periods(self) -> list[Period]:
        """Financial years in order, then the part-year ``latest`` period if set."""
        out = [financial_year(y) for y in self.financial_years]
        if self.latest is not None:
            label = self.latest.label or _part_year_label(self.latest.start, self.latest.end)
            out.append(Period(label=label, start=self.latest.start, end=self.latest.end, kind="part_year"))
        return out

    def profile(self) -> Period:
        """The window used for profile analyses (default: the last financial year plus latest)."""
        if self.profile_period is not None:
            p = self.profile_period
            return Period(label=p.label or _window_label(p.start, p.end), start=p.start, end=p.end)
        periods = self.periods()
        if not periods:
            raise ConfigError("area configuration has no periods: set financial_years or profile_period")
        start = periods[-2].start if len(periods) > 1 and periods[-1].kind == "part_year" else periods[-1].start
        end = periods[-1].end
        return Period(label=_window_label(start, end), start=start, end=end)

    def input_path(self, source: str) -> Path | None:
        p = self.inputs.get(source)
        if p is None:
            return None
        return p if p.is_absolute() else (self.base_dir / p)

    @property
    def boundaries_path(self) -> Path | None:
        """LSOA boundaries (GeoJSON, property ``LSOA11CD`` or ``lsoa11_code``) for maps and hotspots."""
        if self.boundaries is None:
            return None
        return self.boundaries if self.boundaries.is_absolute() else self.base_dir / self.boundaries

    @property
    def logo_path(self) -> Path | None:
        """The partnership logo (``report.logo``), resolved against the area file's folder."""
        logo = self.report.logo
        if logo is None:
            return None
        return logo if logo.is_absolute() else self.base_dir / logo

    @property
    def partnership(self) -> str:
        """Who publishes the report: ``report.partnership``, else the area's name."""
        return self.report.partnership or self.name

    @property
    def output_dir(self) -> Path:
        return self.output if self.output.is_absolute() else self.base_dir / self.output

    @property
    def workspace_dir(self) -> Path:
        return self.workspace if self.workspace.is_absolute() else self.base_dir / self.workspace


def _part_year_label(start: dt.date, end: dt.date) -> str:
    fy = start.year if start.month >= 4 else start.year - 1
    return f"{fy}/{str(fy + 1)[-2:]} ({start:%b}-{end:%b})"


def _window_label(start: dt.date, end: dt.date) -> str:
    return f"{start:%b %Y} - {end:%b %Y}"


MAX_YAML_BYTES = int(os.environ.get("SVSNA_MAX_YAML_BYTES", 1_000_000))
"""Largest area.yaml read (bytes); set ``SVSNA_MAX_YAML_BYTES`` to change it (it applies before area.yaml is read)."""
MAX_YAML_ALIASES = int(os.environ.get("SVSNA_MAX_YAML_ALIASES", 100))
"""Most YAML aliases (``*name``) accepted in area.yaml (``SVSNA_MAX_YAML_ALIASES``): nested aliases can
expand a few hundred bytes into gigabytes."""
MAX_YAML_NODES = 100_000
"""Most values area.yaml may expand to, counting every alias expansion."""


def _safe_yaml(text: str, path: Path) -> Any:
    """``yaml.safe_load`` with limits on aliases and on the size the document expands to."""
    import yaml

    class _Loader(yaml.SafeLoader):
        aliases = 0

        def compose_node(self, parent: Any, index: Any) -> Any:  # type: ignore[override]
            if self.check_event(yaml.AliasEvent):
                _Loader.aliases += 1
                if _Loader.aliases > MAX_YAML_ALIASES:
                    raise ConfigError(
                        f"{path}: more than {MAX_YAML_ALIASES} YAML aliases (*name); area.yaml needs none",
                        hint="write the values out in full (SVSNA_MAX_YAML_ALIASES raises the limit)",
                    )
            return super().compose_node(parent, index)

    data = yaml.load(text, Loader=_Loader)
    budget = [MAX_YAML_NODES]

    def walk(node: Any) -> None:
        budget[0] -= 1
        if budget[0] < 0:
            raise ConfigError(
                f"{path}: the YAML expands to more than {MAX_YAML_NODES:,} values (nested aliases?)",
                hint="write area.yaml without aliases",
            )
        if isinstance(node, dict):
            for k, v in node.items():
                walk(k)
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(data)
    return data


def _yaml_problem(path: Path, exc: Exception) -> str:
    """A YAML syntax error as one line: the file, line and column, the problem, where the construct it
    is in began, and a hint.

    >>> import yaml
    >>> try:
    ...     yaml.safe_load('name: "x\\nbad: [\\n')
    ... except yaml.YAMLError as exc:
    ...     print(_yaml_problem(Path("area.yaml"), exc))  # doctest: +NORMALIZE_WHITESPACE
    area.yaml: not valid YAML at line 3, column 1: found unexpected end of stream (while scanning a quoted
    scalar that began at line 1, column 7); hint: check the quotes, brackets and indentation there (a value
    holding ': ' or ' #' needs quotes)
    """
    from svsna.errors import quote_value

    problem = getattr(exc, "problem", None)
    mark = getattr(exc, "problem_mark", None)
    hint = "check the quotes, brackets and indentation there (a value holding ': ' or ' #' needs quotes)"
    if not problem or mark is None:
        text = " ".join(str(exc).split())
        return f"{path}: not valid YAML: {quote_value(text, 300)}; hint: {hint}"
    where = f"at line {mark.line + 1}, column {mark.column + 1}"
    context, began = getattr(exc, "context", None), getattr(exc, "context_mark", None)
    within = ""
    if context and began is not None and (began.line, began.column) != (mark.line, mark.column):
        within = f" ({context} that began at line {began.line + 1}, column {began.column + 1})"
    elif context:
        within = f" ({context})"
    return f"{path}: not valid YAML {where}: {problem}{within}; hint: {hint}"


def _name_unknown_setting(err: Any) -> Any:
    """A pydantic "extra inputs" error as "unknown setting 'x' (did you mean 'y'?)": the settings known
    at that place are the fields of the configuration class there."""
    import difflib

    if err.get("type") != "extra_forbidden":
        return err
    loc = [str(p) for p in err.get("loc", ())]
    model: Any = AreaConfig
    for part in loc[:-1]:  # down to the class holding the unknown key
        field = getattr(model, "model_fields", {}).get(part)
        inner = getattr(field, "annotation", None) if field is not None else None
        inner = next((a for a in getattr(inner, "__args__", (inner,)) if hasattr(a, "model_fields")), None)
        if inner is None:
            model = None
            break
        model = inner
    known = list(getattr(model, "model_fields", {})) if model is not None else []
    close = difflib.get_close_matches(loc[-1], known, n=1, cutoff=0.75) if loc else []
    name = ".".join(loc)
    maybe = f" (did you mean {'.'.join([*loc[:-1], close[0]])!r}?)" if close else ""
    return {"loc": (), "msg": f"unknown setting {name!r}{maybe}", "input": None, "type": "extra_forbidden"}


def load_area_config(path: str | Path) -> AreaConfig:
    """Read and validate an ``area.yaml`` file.

    Raises
    ------
    ConfigError
        With one line per problem, naming the field and the rule, and a hint; also for a
        file over :data:`MAX_YAML_BYTES` or one whose aliases expand too far.
    """
    import yaml

    path = Path(path)
    if not path.exists():
        raise ConfigError(
            f"{path}: area configuration file not found",
            hint="check the path, or start one with `svsna init DIR` (`svsna demo` writes a worked example)",
        )
    if path.is_dir():
        raise ConfigError(f"{path}: is a folder; hint: name the area.yaml file itself")
    size = path.stat().st_size
    if size > MAX_YAML_BYTES:
        raise ConfigError(
            f"{path}: {size:,} bytes, more than an area configuration needs (limit {MAX_YAML_BYTES:,})",
            hint="check you named the area.yaml file (SVSNA_MAX_YAML_BYTES raises the limit)",
        )
    try:
        raw: Any = _safe_yaml(path.read_text(encoding="utf-8"), path)
    except yaml.YAMLError as exc:
        raise ConfigError(_yaml_problem(path, exc)) from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text; hint: save area.yaml as UTF-8") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping of settings at the top level")
    raw.setdefault("base_dir", str(path.parent.resolve()))
    try:
        return AreaConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(
            validation_problems(
                str(path),
                "the area configuration",
                [_name_unknown_setting(err) for err in exc.errors()],
                "see docs/area-config.md for every setting and an example",
            )
        ) from None
