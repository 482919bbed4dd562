"""What the report needs to know about an indicator: its label, kind, unit and source.

Indicator names follow the conventions of ``docs/indicators.md`` (shares in %, rates per
1,000, counts). Known names get a hand-written label; any other name is turned into a
readable label from its parts, so a new indicator appears in the report without a code
change. The *kind* decides formatting and disclosure control: counts are rounded or
suppressed in the public edition, rates and shares are hidden when their numerator is.

Examples
--------
>>> indicator_kind("rate_per_1000"), indicator_kind("share_knife"), indicator_kind("offences_monthly", "Count")
('rate', 'percent', 'count')
>>> indicator_label("ae_rate_per_1000_diagnosis")
'A&E attendances: rate per 1,000 by diagnosis'
>>> source_line("extent", "offences"), source_line("health", "ambulance_share_by_hour")
('Police recorded crime', 'Ambulance service')
"""

from __future__ import annotations

import re

__all__ = [
    "BREAKDOWN_LABELS",
    "SECTION_TITLES",
    "breakdown_label",
    "indicator_kind",
    "indicator_label",
    "source_line",
    "unit_label",
]

SECTION_TITLES: dict[str, str] = {
    "introduction": "Introduction and definition",
    "data_sources": "Data sources",
    "population": "Population profile",
    "extent": "Extent of serious violence",
    "nature": "Nature of serious violence",
    "timing": "Timings",
    "nte": "Night-time economy",
    "geography": "Geography of serious violence",
    "perpetrators": "Perpetrators",
    "cohorts": "Cohorts",
    "victims": "Victims",
    "health": "Health service data",
    "risk_factors": "Risk and protective factors",
    "surveys": "Community and young people's insights",
    "prevention": "Preventing serious violence",
    "recommendations": "Recommendations",
    "methods": "Appendix: methods and data quality",
}

BREAKDOWN_LABELS: dict[str, str] = {
    "all": "All",
    "district": "District",
    "npa": "Neighbourhood policing area",
    "ward": "Ward",
    "lsoa": "LSOA",
    "age_group": "Age group",
    "age_band": "Age band",
    "sex": "Sex",
    "sex|age_band": "Sex and age band",
    "ethnicity_group": "Ethnic group",
    "crime_group": "Crime group",
    "sub_offence": "Offence",
    "weekday|hour": "Day and hour",
    "weekday": "Day of week",
    "hour": "Hour of day",
    "month": "Month",
    "diagnosis": "Diagnosis",
    "chief_complaint": "Chief complaint",
    "setting": "Setting",
    "location_type": "Location type",
    "field": "Field",
}

_LABELS: dict[str, str] = {
    "offences": "Offences",
    "rate_per_1000": "Rate per 1,000 population",
    "rate_ratio_under25": "Rate ratio, under 25s to 25 and over",
    "change_year_on_year_pct": "Change on previous year (%)",
    "offences_monthly": "Offences per month",
    "offences_weekday_hour": "Offences by day and hour",
    "share_nte": "Share in the night-time economy (%)",
    "hotspot_gi_star": "Getis-Ord Gi* z-score",
    "completeness_pct": "Completeness (%)",
}

_PREFIXES: tuple[tuple[str, str], ...] = (
    ("ae_", "A&E attendances"),
    ("admissions_", "Hospital admissions"),
    ("ambulance_", "Ambulance call-outs"),
    ("nte_", "Night-time economy"),
    ("cohort_", "Cohort"),
)

_SOURCE_BY_PREFIX: tuple[tuple[str, str], ...] = (
    ("ae_", "A&E assault attendances (acute trusts / CSU)"),
    ("admissions_", "Hospital admissions (SUS / HES)"),
    ("ambulance_", "Ambulance service"),
)
_SOURCE_BY_SECTION: dict[str, str] = {
    "risk_factors": "OHID Fingertips, DfE and ONS indicators",
    "population": "ONS mid-year population estimates",
    "surveys": "Community and young people's surveys",
    "data_quality": "svsna ingest ledger",
}


def indicator_kind(indicator: str, method: str | None = None) -> str:
    """``count``, ``rate``, ``ratio``, ``percent``, ``score`` or ``number``.

    >>> indicator_kind("rate_ratio_under25"), indicator_kind("completeness_pct"), indicator_kind("hotspot_gi_star")
    ('ratio', 'percent', 'score')
    """
    name = indicator.lower()
    meth = (method or "").lower()
    if "ratio" in name:
        return "ratio"
    if (
        meth == "count"
        or name in ("offences", "victims", "suspects", "population")
        or name.startswith(("offences_", "count", "n_", "attendances", "admissions_count", "callouts"))
    ):
        return "count"
    if name.endswith("_pct") or "share" in name or "percent" in name or "proportion" in name or meth == "wilson":
        return "percent"
    if "rate" in name or "per_1000" in name or "per_10000" in name or "per_100000" in name:
        return "rate"
    if "gi_star" in name or "z_score" in name or "score" in name:
        return "score"
    return "number"


def unit_label(kind: str, indicator: str = "") -> str:
    """Axis label for a kind: "Rate per 1,000", "Percentage (%)", "Number"."""
    if kind == "rate":
        m = re.search(r"per_(\d+)", indicator)
        return f"Rate per {int(m.group(1)):,}" if m else "Rate per 1,000"
    return {"percent": "Percentage (%)", "count": "Number", "ratio": "Ratio", "score": "Score"}.get(kind, "Value")


def indicator_label(indicator: str) -> str:
    """A readable label for an indicator name."""
    if indicator in _LABELS:
        return _LABELS[indicator]
    name = indicator
    prefix = ""
    for pre, words in _PREFIXES:
        if name.startswith(pre):
            prefix, name = words + ": ", name[len(pre) :]
            break
    text = name.replace("_pct", "").replace("per_1000", "per 1,000").replace("per_10000", "per 10,000")
    text = text.replace("_by_", " by ").replace("under25", "under 25s").replace("_", " ")
    m = re.match(r"(rate per [\d,]+) (\w+)$", text)
    if m:
        text = f"{m.group(1)} by {m.group(2)}"
    text = re.sub(r"^share (?!by)", "share by ", text) if text.startswith("share ") and " by " not in text else text
    text = text.strip()
    return prefix + (text[:1].upper() + text[1:] if not prefix else text)


def breakdown_label(breakdown: str) -> str:
    """The column heading for a breakdown (``"sex|age_band"`` -> ``"Sex and age band"``)."""
    return BREAKDOWN_LABELS.get(breakdown, breakdown.replace("_", " ").replace("|", " and ").capitalize())


def source_line(section: str, indicator: str) -> str:
    """Who the figures come from, for the "(Source: ...)" line under a figure or table."""
    for pre, src in _SOURCE_BY_PREFIX:
        if indicator.startswith(pre):
            return src
    return _SOURCE_BY_SECTION.get(section, "Police recorded crime")
