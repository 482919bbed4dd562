"""What the parts of the health section share: the sources, denominators and one source's slice."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from svsna.analyses._health_kit import make_finding, rate_unit
from svsna.indicators import Finding

if TYPE_CHECKING:
    import pandas as pd

    from svsna.analyses._base import AnalysisContext
    from svsna.config import Period

SECTION = "health"
SPC_METHOD = "XmR (Making Data Count)"
DSR_METHOD = "Directly age-standardised rate (2013 European Standard Population), Dobson limits"


@dataclass(frozen=True)
class HealthSource:
    """How one health table is read."""

    key: str
    table: str
    label: str
    """The events in words, plural (``A&E assault attendances``)."""
    unit: str
    """What a count counts (``attendances``)."""
    when: str
    timed: bool
    category: str
    category_breakdown: str
    district: str
    """District column: the patient's home district (A&E, admissions) or the incident's (ambulance)."""


SOURCES: tuple[HealthSource, ...] = (
    HealthSource("ae", "ae_attendances", "A&E assault attendances", "attendances", "arrival_datetime", True,
                 "diagnosis_description", "diagnosis", "home_district_name"),
    HealthSource("admissions", "admissions", "hospital admissions for assault", "admissions", "admission_date", False,
                 "diagnosis_group", "diagnosis_group", "home_district_name"),
    HealthSource("ambulance", "ambulance", "ambulance call-outs", "call-outs", "call_datetime", True,
                 "chief_complaint_description", "chief_complaint", "district_name"),
)  # fmt: skip


def _fmt(x: Any, nd: int = 1) -> str:
    return "n/a" if x is None or x != x else f"{x:,.{nd}f}"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _month_label(yyyymm: int) -> str:
    return f"{yyyymm // 100}-{yyyymm % 100:02d}"


def _numeric(frame: pd.DataFrame, col: str = "k2") -> pd.Series:
    """A key column of the query result (text) as numbers (blank -> NaN)."""
    import pandas as pd

    return pd.to_numeric(frame[col], errors="coerce")


@dataclass
class _Populations:
    """Denominators, memoised across sources."""

    ctx: AnalysisContext
    _memo: dict[Any, Any] = field(default_factory=dict)

    def whole(self, period: Period, lo: int = 0, hi: int = 200) -> float:
        key = ("whole", period.label, lo, hi)
        if key not in self._memo:
            self._memo[key] = self.ctx.population(period, age_from=lo, age_to=hi)
        return self._memo[key]

    def districts(self, period: Period, lo: int = 0, hi: int = 200) -> dict[str, float] | None:
        key = ("district", period.label, lo, hi)
        if key not in self._memo:
            self._memo[key] = self.ctx.population_levels(period, "district", age_from=lo, age_to=hi)
        return self._memo[key]


@dataclass
class _Slice:
    """One source's part of the query result, and the rows and findings made from it."""

    ctx: AnalysisContext
    src: HealthSource
    q: pd.DataFrame
    pops: _Populations
    rows: list[pd.DataFrame] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    rate_ratio: dict[str, Any] | None = None
    peak_hour: int | None = None

    def __post_init__(self) -> None:
        self.q = self.q[self.q["source"] == self.src.key]

    @property
    def prof(self) -> Period:
        return self.ctx.profile

    @property
    def rate_unit(self) -> str:
        return rate_unit(self.ctx.multiplier, self.src.unit)

    def facet(self, name: str) -> pd.DataFrame:
        return self.q[self.q["facet"] == name]

    def finding(self, key: str, text: str, nums: dict[str, Any], **kw: Any) -> None:
        nums = {**nums, "source": self.src.key, "label": self.src.label}
        self.findings.append(
            make_finding(SECTION, key, text, nums, area=self.ctx.area_label, definition=self.ctx.definition, **kw)
        )
