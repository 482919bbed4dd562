"""Synthetic-partnership scenarios: the target profile the generator reproduces.

A scenario is a YAML file (``kind: svsna_synth_scenario``). The default one,
``llr_default``, ships with svsna and is shaped on the LLR Serious Violence SNA
(January 2022); users may copy it and write their own.

Examples
--------
>>> sc = load_scenario()
>>> sc.name, sc.volumes.in_definition[2020]
('llr_default', 3529)
>>> round(sc.part_year_in_definition())
2389
>>> round(sum(d.population() for d in sc.districts) / 1e6, 2)
1.11
"""

from __future__ import annotations

import datetime as dt
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from svsna.errors import ConfigError, validation_problems

__all__ = ["AGE_BANDS", "DEFAULT_SCENARIO", "District", "Scenario", "band_bounds", "load_scenario"]

DEFAULT_SCENARIO = "llr_default"

#: Five-year bands used by the scenario's population vectors (ONS order).
AGE_BANDS: tuple[str, ...] = (*(f"{a}-{a + 4}" for a in range(0, 90, 5)), "90+")


def band_bounds(band: str) -> tuple[int, int]:
    """Inclusive age limits of a band label.

    >>> band_bounds("15-19"), band_bounds("90+")
    ((15, 19), (90, 100))
    """
    if band.endswith("+"):
        lo = int(band[:-1])
        return lo, lo + 10
    lo, hi = band.split("-")
    return int(lo), int(hi)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _normalised(weights: dict[Any, float], what: str) -> dict[Any, float]:
    total = float(sum(weights.values()))
    if total <= 0 or any(v < 0 for v in weights.values()):
        raise ValueError(f"{what}: weights must be non-negative and not all zero (got {weights})")
    return {k: float(v) / total for k, v in weights.items()}


class Event(_Model):
    date: dt.date
    label: str
    end: dt.date | None = None


class AreaSpec(_Model):
    name: str
    short_name: str | None = None
    financial_years: list[int]
    latest: dict[str, dt.date] | None = None
    profile_period: dict[str, dt.date] | None = None
    baseline_year: int | None = None
    definitions: list[str] = Field(default_factory=lambda: ["llr_vrn"])
    events: list[Event] = Field(default_factory=list)
    history_from_year: int


class District(_Model):
    name: str
    code: str
    county_code: str
    county_name: str
    sv_rate: float = Field(gt=0)
    growth: float = 0.0
    male: list[int]
    female: list[int]

    @field_validator("male", "female")
    @classmethod
    def _bands(cls, v: list[int]) -> list[int]:
        if len(v) != len(AGE_BANDS):
            raise ValueError(f"expected {len(AGE_BANDS)} five-year band populations (0-4 .. 90+), got {len(v)}")
        return v

    def population(self, year: int = 2020) -> float:
        """Resident population at mid-``year`` (mid-2020 grown by ``growth`` per year)."""
        return (sum(self.male) + sum(self.female)) * (1 + self.growth) ** (year - 2020)


class Npas(_Model):
    city_centre: dict[str, float]
    central_radius_km: float
    north_latitude: float
    leicester_offence_share: dict[str, float]
    combined: dict[str, str] = Field(default_factory=dict)


class Volumes(_Model):
    in_definition: dict[int, int]
    part_year_share_of_last_year: float = Field(gt=0)
    seasonality: list[float]
    month_factors: dict[str, float] = Field(default_factory=dict)

    @field_validator("seasonality")
    @classmethod
    def _twelve(cls, v: list[float]) -> list[float]:
        if len(v) != 12:
            raise ValueError("seasonality needs 12 monthly weights (April to March)")
        return v


class OutOfDefinition(_Model):
    in_definition_codes_domestic: float = Field(ge=0)
    in_definition_codes_dwelling: float = Field(ge=0)
    in_definition_codes_non_public: float = Field(ge=0)
    other_codes: dict[str, float]
    domestic_share_other_codes: float = Field(ge=0, le=1)


class Knife(_Model):
    share: float = Field(ge=0, le=1)
    leicester_share: float = Field(ge=0, le=1)
    relative: dict[str, float]


class Timing(_Model):
    hour_weights: list[float]
    nte_hours: list[int]
    nte_share: float = Field(gt=0, lt=1)
    nte_weekday: dict[str, float]
    day_weekday: dict[str, float]


class People(_Model):
    no_suspect_share: float = Field(ge=0, lt=1)
    extra_suspects: dict[int, float]
    extra_victims: dict[int, float]
    under25_rate_ratio: float = Field(gt=0)
    under25_victim_given_under25_suspect: float
    under25_victim_given_over25_suspect: float
    under25_victim_no_suspect: float
    perpetrator_rate: dict[str, float]
    victim_rate_male: dict[str, float]
    victim_rate_female: dict[str, float]
    perpetrator_male_share: float
    victim_male_share: float
    female_perpetrator_female_victim: float
    perpetrator_ethnicity: dict[str, float]
    victim_ethnicity: dict[str, float]
    ethnicity_codes: dict[str, dict[str, float]]
    ethnicity_not_stated: float
    age_missing: float
    home_lsoa_missing: float
    suspect_same_district: float
    flags_one_off: dict[str, float]


class Repeat(_Model):
    offence_share: float
    under25_offence_share: float
    offences_per_person_in_profile: float = Field(gt=1)
    male_share: float
    early_starter_share: float
    first_offence_age: dict[str, float]
    adult_first_offence_age: dict[str, float]
    career_years: dict[str, float]
    flags: dict[str, float]
    victim_ever: float
    victim_before_first_offence: float
    home_npa: dict[str, float]
    out_of_definition_share: float


class Health(_Model):
    ae_attendances: dict[int | str, int]
    admissions: dict[int | str, int]
    ambulance: dict[int | str, int]
    linked_share: dict[str, float]
    ae_diagnosis: dict[str, float]
    ae_method: dict[str, float]
    ae_location: dict[str, float]
    admission_cause: dict[str, float]
    ambulance_complaint: dict[str, float]
    ae_hour_weights: list[float]
    ambulance_hour_weights: list[float]
    ae_age_rate: dict[str, float]
    admission_age_rate: dict[str, float]
    ambulance_age_rate: dict[str, float]
    male_share: dict[str, float]
    ambulance_conveyed: dict[str, float]
    admission_mental_health_flag: dict[str, float]


class Dirt(_Model):
    rate: float = Field(ge=0, le=0.5)
    kinds: dict[str, float]


class IndicatorSpec(_Model):
    id: str
    name: str
    unit: str
    multiplier: float = Field(gt=0)
    polarity: Literal["low_is_good", "high_is_good", "not_applicable"]
    england: float
    values: dict[str, tuple[float, float]]


class Indicators(_Model):
    period: str
    areas: dict[str, str]
    list: list[IndicatorSpec]


class Question(_Model):
    question: str
    scale: Literal["agree", "yesno"]
    positive: float = Field(ge=0, le=1)


class Survey(_Model):
    name: str
    prefix: str
    respondents: int = Field(gt=0)
    weight_sd: float = Field(ge=0)
    age_groups: dict[str, float]
    questions: list[Question]


class Scenario(_Model):
    """A validated scenario (see the module docstring)."""

    kind: Literal["svsna_synth_scenario"]
    format_version: int = 1
    name: str
    title: str
    area: AreaSpec
    districts: list[District]
    npas: Npas
    volumes: Volumes
    offence_mix: dict[str, float]
    abh_share_of_8n: float
    out_of_definition: OutOfDefinition
    knife: Knife
    weapon_share_non_knife: float
    locations: dict[str, float]
    timing: Timing
    people: People
    repeat: Repeat
    health: Health
    dirt: Dirt
    indicators: Indicators
    surveys: list[Survey]
    source_path: str | None = None

    @model_validator(mode="after")
    def _check(self) -> Scenario:
        for what, weights in (
            ("offence_mix", self.offence_mix),
            ("locations", self.locations),
            ("people.perpetrator_ethnicity", self.people.perpetrator_ethnicity),
            ("people.victim_ethnicity", self.people.victim_ethnicity),
            ("health.ae_diagnosis", self.health.ae_diagnosis),
            ("health.admission_cause", self.health.admission_cause),
            ("health.ambulance_complaint", self.health.ambulance_complaint),
        ):
            _normalised(weights, what)
        names = [d.name for d in self.districts]
        if "Leicester" not in names and self.knife.leicester_share > 0:
            raise ValueError("knife.leicester_share needs a district named 'Leicester'")
        missing = [y for y in self.all_years() if y not in self.volumes.in_definition]
        if missing:
            raise ValueError(f"volumes.in_definition has no target for financial year(s) {missing}")
        return self

    # -- derived quantities -------------------------------------------------------------
    def all_years(self) -> list[int]:
        """Every full financial year generated: history years then the configured ones."""
        first = min(self.area.history_from_year, *self.area.financial_years)
        return list(range(first, max(self.area.financial_years) + 1))

    def part_year_in_definition(self) -> float:
        """Target in-definition offences in the part-year ``latest`` period."""
        last = max(self.area.financial_years)
        return self.volumes.in_definition[last] * self.volumes.part_year_share_of_last_year

    def district_shares(self) -> dict[str, float]:
        """Share of in-definition offences by district (rate x population, normalised)."""
        return _normalised({d.name: d.sv_rate * d.population() for d in self.districts}, "districts")

    def with_years(self, years: list[int]) -> Scenario:
        """A copy of the scenario reporting on financial ``years`` instead."""
        years = sorted(set(years))
        vols = dict(self.volumes.in_definition)
        for y in years:
            if y not in vols:
                nearest = min(vols, key=lambda k: abs(k - y))
                vols[y] = vols[nearest]
        area = self.area.model_copy(
            update={
                "financial_years": years,
                "history_from_year": min(self.area.history_from_year, years[0]),
                "baseline_year": self.area.baseline_year if self.area.baseline_year in years else None,
            }
        )
        latest = area.latest
        if latest is not None and latest["start"].year != years[-1] + 1:
            start = dt.date(years[-1] + 1, 4, 1)
            area = area.model_copy(
                update={
                    "latest": {"start": start, "end": dt.date(years[-1] + 1, 9, 30)},
                    "profile_period": {"start": dt.date(years[-1], 4, 1), "end": dt.date(years[-1] + 1, 9, 30)},
                }
            )
        return self.model_copy(
            update={"area": area, "volumes": self.volumes.model_copy(update={"in_definition": vols})}
        )


def _default_path() -> Path:
    return Path(str(resources.files("svsna.synth"))) / "data" / f"{DEFAULT_SCENARIO}.yaml"


def load_scenario(path: str | Path | None = None) -> Scenario:
    """Load and validate a scenario file (the shipped default when ``path`` is None).

    Raises
    ------
    ConfigError
        Naming the file, each field in error and the rule broken.
    """
    import yaml

    p = _default_path() if path is None else Path(path)
    if not p.exists():
        raise ConfigError(
            f"{p}: scenario file not found (hint: omit --scenario to use the default '{DEFAULT_SCENARIO}')"
        )
    try:
        raw = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{p}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"{p}: expected a mapping at the top level (kind: svsna_synth_scenario)")
    raw["source_path"] = str(p)
    raw["volumes"]["month_factors"] = {
        str(k)[:7]: v for k, v in raw.get("volumes", {}).get("month_factors", {}).items()
    }
    try:
        return Scenario.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(
            validation_problems(
                str(p),
                "the scenario",
                list(exc.errors()),
                f"start from the shipped scenario ({_default_path().name}) and edit it",
            )
        ) from None
