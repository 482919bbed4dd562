"""What the report needs to know about an indicator: its label, kind, unit and source.

Indicator names follow the conventions of ``docs/indicators.md`` (shares in %, rates per
1,000, counts). Known names get a hand-written label; any other name is turned into a
readable label from its parts, so a new indicator appears in the report without a code
change. The *kind* decides formatting and disclosure control: counts are rounded or
suppressed in the public edition, rates and shares are hidden when their numerator is.

Examples
--------
>>> indicator_kind("area_rate"), indicator_kind("knife_share"), indicator_kind("offences_monthly", "Count")
('rate', 'percent', 'count')
>>> indicator_label("ae_rate_per_1000_diagnosis")
'A&E attendances: rate per 1,000 by diagnosis'
>>> source_line("extent", "offences"), source_line("health", "ambulance_share_by_hour")
('Police recorded crime', 'Ambulance service')
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

    import pandas as pd

__all__ = [
    "BREAKDOWN_LABELS",
    "SECTION_TITLES",
    "VALUE_LABELS",
    "WEEKDAY_NAMES",
    "breakdown_label",
    "breakdown_words",
    "display_value",
    "group_words",
    "has_label",
    "humanise",
    "in_text",
    "indicator_kind",
    "indicator_label",
    "kind_of",
    "source_line",
    "unit_label",
    "value_heading",
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

#: A section's workbook sheet name where its title, after its number, is longer than Excel's 31
#: characters would allow whole ("14 Community and young people's" was cut after "people's").
SHEET_TITLES: dict[str, str] = {
    "surveys": "Community and youth insights",
    "methods": "Appendix (methods and data)",
}

BREAKDOWN_LABELS: dict[str, str] = {
    "all": "All",
    "district": "District",
    "county": "County",
    "npa": "Neighbourhood policing area",
    "home_npa": "Home neighbourhood policing area",
    "ward": "Ward",
    "lsoa": "LSOA",
    "age_group": "Age group",
    "age_band": "Age band",
    "age": "Age",
    "sex": "Sex",
    "sex|age_band": "Sex and age band",
    "ethnicity_group": "Ethnic group",
    "ethnicity": "Ethnic group",
    "crime_group": "Crime group",
    "offence_type": "Offence type",
    "sub_offence": "Offence",
    "offence_type|sub_offence": "Offence type and offence",
    "weekday|hour": "Day and hour",
    "weekday": "Day of week",
    "hour": "Hour of day",
    "month": "Month",
    "diagnosis": "Diagnosis",
    "diagnosis_group": "Diagnosis group",
    "chief_complaint": "Chief complaint",
    "setting": "Setting",
    "location_type": "Location type",
    "imd_decile": "Deprivation decile (1 = most deprived)",
    "harm_rank": "Harm rank",
    "flag": "Flag",
    "victimisation": "Victimisation",
    "first_offence": "First offence",
    "measure": "Measure",
    "reason": "Reason",
    "field": "Field",
    "domain": "Domain",
    "knife": "Knife",
    "nte": "Night-time economy",
    "repeat": "Offender",
}

_LABELS: dict[str, str] = {
    # population (svsna.analyses.population; docs/indicators.md)
    "residents": "Residents",
    "share_of_residents": "Share of the area's residents (%)",
    "share_under_focus": "Share of residents in the focus age group (%)",
    "residents_by_age_sex": "Residents by age band and sex (% of the area)",
    "residents_by_imd_decile": "Residents by deprivation decile (% of the area)",
    "share_in_most_deprived_decile": "Residents in the most deprived 10% of LSOAs nationally (%)",
    "share_in_most_deprived_quintile": "Residents in the most deprived 20% of LSOAs nationally (%)",
    # extent (docs/indicators.md)
    "offences": "{Noun}",
    "offences_change": "Change in {noun} on the previous year (%)",
    "part_year_vs_last_year": "Part-year offences as a share of the last full year (%)",
    "run_rate_change": "Change in offences per month, part year against last year (%)",
    "offences_baseline_change": "Change in {noun} per month against the baseline year{baseline} (%)",
    "rate": "Rate per 1,000 population",
    "rate_ratio_age": "Rate ratio, under 25s to 25 and over",
    "victim_prevalence": "Residents who were victims (%)",
    "perpetrator_prevalence": "Residents who were perpetrators (%)",
    "under25_offences_with_under25_victim": "Offences by under 25s with a victim under 25 (%)",
    # nature
    "offence_type_share": "Share of offences by offence type (%)",
    "offence_type_rate": "Rate per 1,000 population by offence type",
    "offence_type_rate_ratio_age": "Rate ratio, under 25s to 25 and over, by offence type",
    "sub_offence_share": "Share of the offence type's offences (%)",
    "knife_share": "Offences involving a knife or sharp object (%)",
    "weapon_share": "Offences involving a weapon (%)",
    "knife_offences_district_share": "Share of knife offences by district (%)",
    # health: one label per measure, the source named first as the other health indicators are
    "ae_dsr": "A&E attendances: age-standardised rate per 1,000 population",
    "admissions_dsr": "Hospital admissions: age-standardised rate per 1,000 population",
    "ambulance_dsr": "Ambulance call-outs: age-standardised rate per 1,000 population",
    "ae_monthly": "A&E attendances per month",
    "admissions_monthly": "Hospital admissions per month",
    "ambulance_monthly": "Ambulance call-outs per month",
    "admissions_share": "Hospital admissions: share (%)",
    "ae_weekend_share": "A&E attendances on Saturday or Sunday (%)",
    "admissions_weekend_share": "Hospital admissions on Saturday or Sunday (%)",
    "ambulance_weekend_share": "Ambulance call-outs on Saturday or Sunday (%)",
    # population and data quality
    "lsoas_in_most_deprived_decile": "LSOAs in the most deprived 10% nationally (%)",
    "mean_imd_decile": "Mean deprivation decile of residents (IMD 2019, 1 = most deprived)",
    "input_rows": "Rows loaded from the input files",
    "input_rows_in_periods": "Rows dated inside the assessment's periods (%)",
    "ledger_rows": "Rows of the input files",
    "ledger_rejected_share": "Rows rejected (%)",
    # timing and NTE
    "offences_monthly": "{Noun} per month",
    "rate_monthly": "Rate per 1,000 population per month",
    "weekday_share": "Share of offences by day of week (%)",
    "hour_share": "Share of offences by hour of day (%)",
    "weekday_hour_offences": "Offences by day and hour",
    "weekend_share": "Offences on Saturday or Sunday (%)",
    "time_unknown_offences": "Offences with no known time of day (%)",
    "nte_share": "Offences in the night-time economy (%)",
    "nte_offences": "Offences in the night-time economy",
    "nte_offence_mix": "Night-time economy: share by offence (%)",
    "nte_weekday_share": "Night-time economy: share by day of week (%)",
    "nte_friday_to_sunday_share": "Night-time economy: share from Friday to Sunday (%)",
    "nte_hour_share": "Night-time economy: share by hour (%)",
    "nte_age_group_share": "Night-time economy: share by age group (%)",
    "nte_perpetrator_sex_share": "Night-time economy perpetrators by sex (%)",
    "nte_victim_sex_share": "Night-time economy victims by sex (%)",
    "nte_perpetrator_ethnicity_share": "Night-time economy perpetrators by ethnic group (%)",
    "nte_victim_ethnicity_share": "Night-time economy victims by ethnic group (%)",
    "nte_perpetrator_age": "Night-time economy perpetrators by age",
    "nte_victim_age": "Night-time economy victims by age",
    "nte_perpetrator_home_share": "Night-time economy perpetrators by home {area} (%)",
    "nte_victim_home_share": "Night-time economy victims by home {area} (%)",
    # geography
    "area_offences": "{Noun}",
    "area_baseline_change": "Change in {noun} per month against the baseline year{baseline} (%)",
    "area_rate": "Rate per 1,000 population",
    "area_share": "Share of all offences (%)",
    "npa_share": "Share of offences by neighbourhood policing area (%)",
    "setting_share": "Share of offences by setting (%)",
    "lsoa_offences": "Offences by LSOA",
    "lsoa_rate": "Rate per 1,000 population by LSOA",
    "deprivation_rate": "Rate per 1,000 population by deprivation decile (IMD 2019)",
    "deprivation_rate_ratio": "Rate ratio by deprivation decile, most to least deprived (IMD 2019)",
    "deprivation_share": "Share of offences by deprivation decile (IMD 2019, %)",
    "hotspot_gi": "Getis-Ord Gi* z-score",
    "hotspot_persistence": "Hot spots persisting into the next year (%)",
    # people
    "age_band_rate": "Rate per 1,000 population by age band",
    "sex_share": "Share by sex (%)",
    "sex_rate": "Rate per 1,000 population by sex",
    "ethnicity_share": "Share by ethnic group (%)",
    "home_npa_share": "Share by home neighbourhood policing area (%)",
    "home_district_share": "Share by home district (%)",
    "home_district_rate": "Rate per 1,000 population by home district",
    "home_district_rate_dsr": "Age-standardised rate per 1,000 population by home district",
    "same_sex_share": "Other party of the same sex (%)",
    "high_harm_share": "Involved in higher-harm offences (%)",
    "harm_rank_share": "Share by harm rank (%)",
    "victims_of_under25_age_band_rate": "Victims of offences by under 25s: rate per 1,000 by age band",
    "victims_of_under25_age_band_share": "Victims of offences by under 25s: share by age band (%)",
    # cohorts
    "repeat_offenders": "Repeat offenders (2+ offences)",
    "repeat_offender_offence_share": "Offences involving a repeat offender (%)",
    "frequent_perpetrators": "Most frequent perpetrators (3+ offences)",
    "frequent_perpetrator_share": "Most frequent perpetrators: share of the cohort (%)",
    "frequent_perpetrator_mean": "Most frequent perpetrators: averages",
    "mam_cohort": "Murder / attempted murder cohort (under 25s)",
    "mam_cohort_share": "Murder / attempted murder cohort: share (%)",
    "mam_cohort_mean": "Murder / attempted murder cohort: averages",
    "victim_offender_overlap": "Perpetrators who were victims before their first offence in the period (%)",
    "victim_offender_overlap_ever": "Perpetrators who were victims at any date (%)",
    "offender_victim_overlap": "Victims who have been suspects (%)",
    # open-data edition (docs/opendata.md)
    "crimes_recorded": "Crimes recorded by the force",
    "crimes": "Crimes located in the area",
    "share_of_all_crime": "Share of all police.uk crime (%)",
    "rate_ratio_vs_previous_year": "Rate ratio on the previous year",
    "pct_change_vs_previous_year": "Change on the previous year (%)",
    "monthly_crimes": "Crimes per month",
    "rate_ratio_most_vs_least_deprived": "Rate ratio, most to least deprived decile",
    "hotspot_lsoas": "Hot-spot LSOAs",
    "persistent_hotspot_lsoas": "LSOAs a hot spot in every year",
    "gi_star_z": "Getis-Ord Gi* z-score",
    "crime_type_share": "Share of all police.uk crime by crime type (%)",
    "outcome_share": "Share by last outcome (%)",
    # data quality
    "missing_share": "Missing or unknown (%)",
    "completeness_pct": "Completeness (%)",
    "offences_without_suspect": "Offences with no suspect recorded (%)",
    "offences_excluded": "Offences excluded from the definition",
    "offences_time_unknown": "Offences with no known time of day (%)",
    # risk factors (the area indicators are labelled from the indicator catalogue), surveys, interventions
    "admissions_mental_health_share": "Hospital admissions for assault with a mental health flag (%)",
    "respondents": "Survey respondents",
    "yef_impact": "Youth Endowment Fund Toolkit impact rating (-1 harmful to 3 high)",
    # health (docs/indicators-health.md)
    "ae_count": "A&E assault attendances",
    "admissions_count": "Hospital admissions for assault",
    "ambulance_count": "Ambulance call-outs for assault",
    "ae_change": "A&E attendances: change on the previous period (%)",
    "admissions_change": "Hospital admissions: change on the previous period (%)",
    "ambulance_change": "Ambulance call-outs: change on the previous period (%)",
    "ae_rate": "A&E attendances: rate per 1,000",
    "admissions_rate": "Hospital admissions: rate per 1,000",
    "ambulance_rate": "Ambulance call-outs: rate per 1,000",
    "ae_rate_ratio_under25": "A&E attendances: rate ratio, under 25s to 25 and over",
    "admissions_rate_ratio_under25": "Hospital admissions: rate ratio, under 25s to 25 and over",
    "ambulance_rate_ratio_under25": "Ambulance call-outs: rate ratio, under 25s to 25 and over",
    "ae_share": "A&E attendances: share (%)",
    "ambulance_share": "Ambulance call-outs: share (%)",
    "ambulance_share_conveyed": "Ambulance call-outs conveyed to hospital (%)",
    "ambulance_conveyed_share_under25": "Conveyed ambulance call-outs for under 25s (%)",
}

#: Kinds of the catalogued names where the name alone would mislead.
_KINDS: dict[str, str] = {
    "offences_change": "percent",
    "run_rate_change": "percent",
    "part_year_vs_last_year": "percent",
    "offences_without_suspect": "percent",
    "offences_excluded": "count",
    "frequent_perpetrator_mean": "number",
    "mam_cohort_mean": "number",
    "deprivation_rate": "rate",
    "hotspot_gi": "score",
    "repeat_offenders": "count",
    "frequent_perpetrators": "count",
    "mam_cohort": "count",
    "crimes_recorded": "count",
    "monthly_crimes": "count",
    "hotspot_lsoas": "number",
    "persistent_hotspot_lsoas": "number",
}

_PREFIXES: tuple[tuple[str, str], ...] = (
    ("ae_", "A&E attendances"),
    ("admissions_", "Hospital admissions"),
    ("ambulance_", "Ambulance call-outs"),
    ("nte_", "Night-time economy"),
    ("cohort_", "Cohort"),
)

#: Health sources by indicator prefix: the source line, and the source's name as a chart's legend gives it.
_SOURCE_BY_PREFIX: tuple[tuple[str, str, str], ...] = (
    ("ae_", "A&E assault attendances (acute trusts / CSU)", "A&E assault attendances"),
    ("admissions_", "Hospital admissions (SUS / HES)", "Hospital admissions"),
    ("ambulance_", "Ambulance service", "Ambulance service"),
)
_SOURCE_BY_SECTION: dict[str, str] = {
    "risk_factors": "Area indicators extract",  # an area indicator outside the indicator catalogue
    "population": "ONS mid-year population estimates",
    "surveys": "Community and young people's surveys",
    "data_quality": "Partnership data supplied for this assessment",
}


def indicator_kind(indicator: str, method: str | None = None) -> str:
    """``count``, ``rate``, ``ratio``, ``percent``, ``score`` or ``number``.

    >>> indicator_kind("ae_rate_ratio_under25"), indicator_kind("completeness_pct"), indicator_kind("gi_star_z")
    ('ratio', 'percent', 'score')
    """
    name = indicator.lower()
    meth = (method or "").lower()
    if name in _KINDS:
        return _KINDS[name]
    if ("ratio" in name and "rate ratio" in meth) or name.endswith(("_ratio", "ratio_age", "ratio_under25")):
        return "ratio"
    if meth == "count":
        return "count"
    if name.endswith(("_change", "_change_pct")) or "period_change" in meth:
        return "percent"
    if meth.startswith("mean"):
        return "number"
    if "wilson" in meth or "proportion" in meth:
        return "percent"
    if "byar" in meth or "exact poisson" in meth or "crude_rate" in meth:
        return "rate"
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


#: The words an indicator row's ``unit`` uses for what a crime count counts: partner extracts
#: record offences, data.police.uk publishes crimes (one row per crime, whatever its offences).
COUNTED_NOUNS: tuple[str, ...] = ("offences", "crimes")


def counted_noun(table: Any) -> str:
    """What the crime counts of an indicator table count, from the ``unit`` of its count rows.

    ``"offences"`` unless the count rows say ``"crimes"`` (the open-data edition) -- the word the
    labels of offence/crime indicators use (:func:`indicator_label`).

    >>> import pandas as pd
    >>> counted_noun(pd.DataFrame({"statistic": ["count", "rate"], "unit": ["crimes", "%"]}))
    'crimes'
    >>> counted_noun(pd.DataFrame({"statistic": ["count"], "unit": ["people"]}))
    'offences'
    """
    if table is None or "unit" not in getattr(table, "columns", ()):
        return COUNTED_NOUNS[0]
    counts = table["unit"].astype(str)
    if "statistic" in table.columns:
        counts = counts[table["statistic"].astype(str) == "count"]
    found = counts[counts.isin(COUNTED_NOUNS)].value_counts()
    return str(found.index[0]) if len(found) else COUNTED_NOUNS[0]


def indicator_label(indicator: str, noun: str = "offences", breakdown: str = "", baseline: str = "") -> str:
    """A readable label for an indicator name; ``noun`` is what crime counts count (:func:`counted_noun`).

    An indicator given at several geography levels (home areas by neighbourhood policing
    area and by ward) names the level of ``breakdown``, so that its tables and figures at
    different levels have different captions; without a breakdown it says "area". A change
    against the baseline year names that year when the caller knows it (``baseline``, the
    period's label, from the area's settings).

    >>> indicator_label("offences_monthly"), indicator_label("offences_monthly", "crimes")
    ('Offences per month', 'Crimes per month')
    >>> indicator_label("nte_victim_home_share", breakdown="npa")
    'Night-time economy victims by home neighbourhood policing area (%)'
    >>> indicator_label("nte_victim_home_share", breakdown="ward"), indicator_label("nte_victim_home_share")
    ('Night-time economy victims by home ward (%)', 'Night-time economy victims by home area (%)')
    >>> indicator_label("area_baseline_change", baseline="2019/20")
    'Change in offences per month against the baseline year 2019/20 (%)'
    """
    if indicator in _LABELS:
        return _LABELS[indicator].format(
            noun=noun,
            Noun=noun[:1].upper() + noun[1:],
            area=level_words(breakdown),
            baseline=f" {baseline}" if baseline else "",
        )
    family = _family_label(indicator)
    if family is not None:
        return family
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


#: Indicator names the surveys section makes from a question (``survey_<question slug>``).
SURVEY_PREFIX = "survey_"


def survey_question(indicator: str) -> str:
    """A survey question from its indicator's slug: its words, the first and "I" as capitals.

    >>> survey_question("survey_street_based_violence_is_the_most_common_crime_i_have_experienced")
    'Street based violence is the most common crime I have experienced'
    """
    words = ["I" if w == "i" else w for w in indicator.removeprefix(SURVEY_PREFIX).split("_") if w]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def _survey_label(indicator: str) -> str | None:
    """A survey question's indicator in words: the question (:func:`survey_question`) and the unit:
    the weighted percentage of respondents giving a counted answer."""
    if not indicator.startswith(SURVEY_PREFIX) or len(indicator) == len(SURVEY_PREFIX):
        return None
    return f"{survey_question(indicator)} (% of respondents)"


@functools.cache
def _shipped_catalogue() -> pd.DataFrame:
    """The shipped indicator catalogue (area indicators: risk and protective factors), read once."""
    from svsna.definitions.evidence import load_catalogue

    return load_catalogue()


@functools.cache
def _risk_factor_labels() -> dict[str, str]:
    """The shipped indicator catalogue's area indicators (risk and protective factors) by
    ``indicator_id``: their name and unit ("Children in need (per 10,000)")."""
    from svsna.definitions.evidence import unit_words

    cat = _shipped_catalogue()
    return {
        str(i): str(n) if str(u).strip() in ("", "score") else f"{n} ({unit_words(str(u))})"
        for i, n, u in zip(cat["indicator_id"], cat["name"], cat["unit"], strict=True)
    }


@functools.cache
def _risk_factor_sources() -> dict[str, str]:
    """The printed source (publisher and dataset) of each area indicator of the shipped indicator
    catalogue by ``indicator_id``; its ``source_note`` (build remarks) is never printed."""
    cat = _shipped_catalogue()
    return {str(i): str(s) for i, s in zip(cat["indicator_id"], cat["source"], strict=True) if str(s).strip()}


@functools.cache
def source_publishers(base_dir: Path | None = None) -> dict[str, str]:
    """Each printed source of the indicator catalogue that names its publisher, with it
    (``"DfE Key stage 4 performance"`` -> ``"DfE"``): the catalogue's ``publisher`` column. With
    ``base_dir`` (the area's folder) the area's own catalogue rows count too, as in the assessment.

    >>> source_publishers()["DfE Key stage 4 performance"]
    'DfE'
    """
    from svsna.definitions.evidence import catalogue_paths, load_catalogue

    extra = catalogue_paths(base_dir) if base_dir is not None else []
    cat = load_catalogue(extra) if extra else _shipped_catalogue()  # the shipped one is read once per run
    return {str(s): str(p) for s, p in zip(cat["source"], cat["publisher"], strict=True) if str(p).strip()}


def _family_label(indicator: str) -> str | None:
    """The label of an indicator whose name comes from data rather than code: a survey question
    (``survey_...``) or an area indicator of the indicator catalogue (its ``indicator_id``)."""
    return _survey_label(indicator) or _risk_factor_labels().get(indicator)


def has_label(indicator: str) -> bool:
    """Whether an indicator has a written label (the catalogue, a survey question or the
    indicator catalogue), rather than one guessed from its machine name.

    >>> has_label("offences"), has_label("survey_feel_safe_at_night"), has_label("dfe_children_in_need")
    (True, True, True)
    >>> has_label("made_up_indicator")
    False
    """
    return indicator in _LABELS or _family_label(indicator) is not None


#: Geography levels a breakdown can be (the words :func:`level_words` gives them).
GEOGRAPHY_LEVELS: frozenset[str] = frozenset({"county", "district", "npa", "ward", "lsoa"})


def level_words(breakdown: str) -> str:
    """The geography level of a breakdown in running text; "area" for anything else.

    >>> level_words("npa"), level_words("ward"), level_words("lsoa"), level_words("")
    ('neighbourhood policing area', 'ward', 'LSOA', 'area')
    """
    return breakdown_words(breakdown) if breakdown in GEOGRAPHY_LEVELS else "area"


def breakdown_label(breakdown: str) -> str:
    """The column heading for a breakdown (``"sex|age_band"`` -> ``"Sex and age band"``)."""
    return BREAKDOWN_LABELS.get(breakdown, breakdown.replace("_", " ").replace("|", " and ").capitalize())


def in_text(heading: str) -> str:
    """A heading or label as it reads inside a sentence or after a colon: a small first letter,
    unless its first word is an abbreviation (two or more capitals, as LSOA, LSOAs, A&E) or "I".

    >>> in_text("Rate per 1,000 population"), in_text("LSOAs in the most deprived 10%"), in_text("A&E attendances")
    ('rate per 1,000 population', 'LSOAs in the most deprived 10%', 'A&E attendances')
    """
    first = heading.split(" ", 1)[0]
    if first == "I" or sum(c.isupper() for c in first) >= 2:
        return heading
    return heading[:1].lower() + heading[1:]


def breakdown_words(breakdown: str) -> str:
    """A breakdown in running text, as in "by ..." of a caption: its heading (:func:`breakdown_label`)
    with a small first letter, an abbreviation kept as it is.

    >>> breakdown_words("offence_type"), breakdown_words("sex|age_band"), breakdown_words("lsoa")
    ('offence type', 'sex and age band', 'LSOA')
    """
    return in_text(breakdown_label(breakdown))


def source_line(section: str, indicator: str) -> str:
    """Who the figures come from, for the "(Source: ...)" line under a figure or table.

    An area indicator of the indicator catalogue is credited to its own publisher and dataset
    (the catalogue's ``source``); one outside the catalogue to the area's indicators extract.

    >>> source_line("risk_factors", "dfe_children_in_need"), source_line("risk_factors", "10401")
    ('DfE Characteristics of children in need', 'OHID Fingertips (Public Health Outcomes Framework)')
    >>> source_line("risk_factors", "local_youth_club_places")
    'Area indicators extract'
    """
    for pre, src, _series in _SOURCE_BY_PREFIX:
        if indicator.startswith(pre):
            return src
    catalogued = _risk_factor_sources().get(indicator)
    if catalogued:
        return catalogued
    return _SOURCE_BY_SECTION.get(section, "Police recorded crime")


def series_name(indicator: str) -> str:
    """The source of an indicator as one line of a chart that sets the sources side by side.

    >>> series_name("ae_share_hour"), series_name("offences_share_hour")
    ('A&E assault attendances', 'Police')
    """
    return next((series for pre, _src, series in _SOURCE_BY_PREFIX if indicator.startswith(pre)), "Police")


#: Full day names by their usual abbreviations (reports write days in full).
WEEKDAY_NAMES: dict[str, str] = {
    "mon": "Monday",
    "tue": "Tuesday",
    "wed": "Wednesday",
    "thu": "Thursday",
    "fri": "Friday",
    "sat": "Saturday",
    "sun": "Sunday",
}


def group_words(value: object, breakdown: str = "") -> str:
    """One group of a breakdown as it reads after "for" in a caption: an age group as the report's
    sentences say it ("under 25s", "those 25 and over"), any other group as :func:`display_value`
    shows it (a place keeps its capital).

    >>> group_words("Under 25", "age_group"), group_words("25 and over", "age_group")
    ('under 25s', 'those 25 and over')
    >>> group_words("Melton", "district")
    'Melton'
    """
    shown = display_value(value, breakdown)
    under = re.fullmatch(r"Under (\d+)", shown)
    if under:
        return f"under {under.group(1)}s"
    if re.fullmatch(r"\d+ and over", shown):
        return f"those {shown}"
    return shown


#: Breakdowns whose values read as a phrase ("Harm rank 3"): after a comma in a two-way value,
#: in running text, they start with a small letter ("Male, harm rank 3").
_PHRASE_VALUES: frozenset[str] = frozenset({"harm_rank"})

#: Words for machine values that analyses put in ``breakdown_value`` (flags, measures, codes).
VALUE_LABELS: dict[str, str] = {
    "all": "All",
    "knife_carrier": "Habitual knife carrier",
    "mental_health": "Mental health flag",
    "drugs": "Drugs flag",
    "domestic_abuse": "Domestic abuse flag",
    "ever": "Ever a victim",
    "before_first_offence": "Victim before their first offence",
    "age_at_first_offence": "Age at first offence (years)",
    "age_at_latest_offence": "Age at latest offence (years)",
    "offences_in_window": "Offences in the period",
    "age_at_mam": "Age at the murder or attempted murder (years)",
    "years_first_offence_to_mam": "Years from first offence to the murder or attempted murder",
    "offences_before_mam": "Offences before the murder or attempted murder",
    "m": "Male",
    "f": "Female",
    "u": "Not known",
    "unknown": "Not known",
    "nan": "Not known",
    "none": "Not known",
    "": "Not known",
    "under 25 vs 25 and over": "Under 25s compared with 25 and over",
}


#: The row ledger's sources and tables (breakdowns ``source`` and ``table``) as a reader names them.
LEDGER_SOURCES: dict[str, str] = {
    "geography": "Geography lookup",
    "population": "Population estimates",
    "offences": "Police offences",
    "victims": "Police victims",
    "suspects": "Police suspects",
    "ae_attendances": "A&E assault attendances",
    "admissions": "Hospital admissions",
    "ambulance": "Ambulance incidents",
    "indicators": "Area indicators",
    "survey_responses": "Survey responses",
}


def humanise(text: str) -> str:
    """Machine text (``snake_case``, ``table.column``) as words, first letter capitalised.

    >>> humanise("knife_carrier"), humanise("offences.knife_flag"), humanise("Assault with injury")
    ('Habitual knife carrier', 'Offences: knife flag', 'Assault with injury')
    """
    raw = str(text).strip()
    if raw.lower() in VALUE_LABELS:
        return VALUE_LABELS[raw.lower()]
    if "_" not in raw and not re.fullmatch(r"[a-z]+\.[a-z_]+", raw):
        return raw
    table, dot, column = raw.partition(".")
    if dot and re.fullmatch(r"[a-z_]+", table) and re.fullmatch(r"[a-z_]+", column):
        return f"{table.replace('_', ' ').capitalize()}: {column.replace('_', ' ')}"
    words = raw.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def _hour_words(value: str) -> str | None:
    v = value.strip()
    if v.isdigit() and 0 <= int(v) <= 23:
        h = int(v)
        return f"{h:02d}:00-{h:02d}:59"
    return None


def display_value(value: object, breakdown: str = "") -> str:
    """A ``breakdown_value`` as a reader sees it: days in full, hours as clock ranges, months in words,
    flags in words.

    A value starts with a capital, as a row label or column heading does ("Harm rank 3"). Two-way
    values (``"Male|15-19"``) are labelled part by part and joined with a comma; a part after the
    comma that is a phrase (a harm rank) then starts with a small letter.

    >>> display_value("Sat", "weekday"), display_value("Mon|00", "weekday|hour"), display_value("7", "hour")
    ('Saturday', 'Monday 00:00-00:59', '07:00-07:59')
    >>> display_value("mental_health", "flag"), display_value("3", "harm_rank"), display_value(None)
    ('Mental health flag', 'Harm rank 3', 'Not known')
    >>> display_value("Male|3", "sex|harm_rank"), display_value("1 vs 10", "imd_decile")
    ('Male, harm rank 3', 'Most deprived 10% against least deprived 10%')
    >>> display_value("2021-09", "month"), display_value("Melton|2021-09", "district|month")
    ('September 2021', 'Melton, September 2021')
    >>> display_value("ae_attendances", "source"), display_value("excluded: domestic", "reason")
    ('A&E assault attendances', 'Excluded: domestic')
    """
    if value is None or (isinstance(value, float) and value != value):
        return "Not known"
    text = str(value)
    parts = breakdown.split("|") if breakdown else []
    if "|" in text:
        bits = text.split("|")
        names = parts if len(parts) == len(bits) else [""] * len(bits)
        shown = [display_value(b, n) for b, n in zip(bits, names, strict=True)]
        shown[1:] = [in_text(s) if n in _PHRASE_VALUES else s for s, n in zip(shown[1:], names[1:], strict=True)]
        if names[-1:] == ["hour"] and len(shown) >= 2:
            return ", ".join([*shown[:-2], f"{shown[-2]} {shown[-1]}"])
        return ", ".join(shown)
    low = text.strip().lower()
    looks_like_day = low[:3] in WEEKDAY_NAMES and len(low) in (3, 6, 7, 8, 9)
    if low[:3] in WEEKDAY_NAMES and (breakdown.endswith("weekday") or looks_like_day):
        return WEEKDAY_NAMES[low[:3]]
    if breakdown.endswith("hour"):
        words = _hour_words(text)
        if words:
            return words
    if breakdown == "month":
        from svsna.outputs.wording import month_words

        return month_words(text)
    if breakdown in ("source", "table") and low in LEDGER_SOURCES:
        return LEDGER_SOURCES[low]
    if breakdown in ("reason", "outcome"):  # the row ledger's words ("excluded: domestic"), as a label
        words = "In the definition (kept)" if low == "in definition" else text.strip()
        return words[:1].upper() + words[1:]
    if breakdown == "harm_rank" and text.strip().isdigit():
        return f"Harm rank {text.strip()}"
    if breakdown == "imd_decile" and text.strip().isdigit():
        d = int(text)
        return f"{d} (most deprived)" if d == 1 else f"{d} (least deprived)" if d == 10 else str(d)
    pair = re.fullmatch(r"(\d+) vs (\d+)", text.strip()) if breakdown == "imd_decile" else None
    if pair:  # a rate ratio of one decile to another (the analyses' "1 vs 10")
        first, second = (_decile_words(int(d)) for d in pair.groups())
        return f"{first} against {in_text(second)}"
    return humanise(text)


def _decile_words(decile: int) -> str:
    """An IMD decile as the tenth of LSOAs it is: decile 1 the most deprived 10%, 10 the least.

    >>> _decile_words(1), _decile_words(10), _decile_words(4)
    ('Most deprived 10%', 'Least deprived 10%', 'Decile 4')
    """
    return {1: "Most deprived 10%", 10: "Least deprived 10%"}.get(decile, f"Decile {decile}")


#: ``statistic`` (indicator table) -> the formatting kind the views use.
_STAT_KIND: dict[str, str] = {
    "count": "count",
    "rate": "rate",
    "percentage": "percent",
    "percent_change": "percent",
    "ratio": "ratio",
    "mean": "number",
    "median": "number",
    "z": "score",
    "score": "score",
    "value": "number",
}


def kind_of(statistic: object, indicator: str = "", method: object = None) -> str:
    """The formatting kind of rows: from their ``statistic`` when stated, else from the name.

    >>> kind_of("percentage"), kind_of("ratio"), kind_of(None, "offences", "Count")
    ('percent', 'ratio', 'count')
    """
    if isinstance(statistic, str) and statistic in _STAT_KIND:
        return _STAT_KIND[statistic]
    return indicator_kind(indicator, method if isinstance(method, str) else None)


def value_heading(kind: str, unit: object = None, *, public: bool = False) -> str:
    """A table column heading or axis label that names the unit (from the ``unit`` column).

    >>> value_heading("rate", "per 1,000 residents"), value_heading("percent", "%")
    ('Rate per 1,000 residents', 'Percentage (%)')
    >>> value_heading("count", "offences", public=True), value_heading("number", "years")
    ('Offences (rounded)', 'Average (years)')
    >>> value_heading("ratio", "times"), value_heading("score", "z-score")
    ('Rate ratio (times)', 'Gi* z-score')
    >>> value_heading("rate", "involvements per 1,000 residents (age-standardised)")
    'Age-standardised rate (involvements per 1,000 residents)'
    """
    u = unit.strip() if isinstance(unit, str) and unit.strip() and unit.strip().lower() != "nan" else ""
    if kind == "rate":
        std = " (age-standardised)"
        if u.endswith(std):  # "Age-standardised rate (involvements per 1,000 residents)", not brackets in brackets
            plain = value_heading(kind, u[: -len(std)], public=public)
            return "Age-standardised " + plain[:1].lower() + plain[1:]
        return f"Rate {u}" if u.startswith("per ") else f"Rate ({u})" if u else "Rate per 1,000 residents"
    if kind == "percent":
        return "Percentage (%)"
    if kind == "count":
        noun = u if u and u != "count" else "number"
        return noun[:1].upper() + noun[1:] + (" (rounded)" if public else "")
    if kind == "ratio":
        return "Rate ratio (times)"
    if kind == "score":
        return "Gi* z-score" if "z" in u else "Score"
    if u and u not in ("%",):
        return f"Average ({u})"
    return "Value"
