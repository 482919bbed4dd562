"""Readers see indicators under written labels, never under machine names.

Every indicator an assessment emits has a written label (:func:`catalogue.has_label`): a
catalogue entry, a survey question or an area indicator of the indicator catalogue, so a new
machine-named indicator fails here rather than reaching the report as "Area offences". The
expected wordings below were worked out from what the analyses count (docs/indicators.md and
the analysis code), not copied from the catalogue.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from svsna.config import AreaConfig
from svsna.outputs.catalogue import display_value, has_label, in_text, indicator_label

#: The words a label uses for the unit of its rows' ``statistic``.
UNIT_WORDS = {"percentage": "%", "percent_change": "%", "rate": "per ", "ratio": "ratio"}


def test_every_indicator_of_the_demo_has_a_written_label_that_says_its_unit(demo):
    rows = demo.indicators
    names = sorted(set(rows["indicator"]))
    assert len(names) > 100  # the whole assessment: risk factors, surveys and cohorts included
    assert [n for n in names if not has_label(n)] == []
    for name, grp in rows.groupby("indicator"):
        for statistic in set(grp["statistic"]) & set(UNIT_WORDS):
            label = indicator_label(str(name))
            assert UNIT_WORDS[statistic] in label.lower(), (name, statistic, label)


def test_a_machine_name_has_no_written_label():
    assert not has_label("area_offences_new")
    assert not has_label("survey_")  # the surveys' prefix alone names no question


@pytest.mark.parametrize(
    ("indicator", "breakdown", "expected"),
    [
        # geography: offences located in each unit of a level (Count), every period
        ("area_offences", "district", "Offences"),
        # extent and geography: offences per month in a later period against the baseline year's
        # offences per month (change_rows with exposure months), as a % change
        ("offences_baseline_change", "all", "Change in offences per month against the baseline year (%)"),
        ("area_baseline_change", "ward", "Change in offences per month against the baseline year (%)"),
        # geography: offences per 1,000 residents of the LSOAs of each IMD decile, and the rate of the
        # most deprived decile divided by that of the least deprived (ratio_rows, "1 vs 10")
        ("deprivation_rate", "imd_decile", "Rate per 1,000 population by deprivation decile (IMD 2019)"),
        ("deprivation_rate_ratio", "imd_decile", "Rate ratio by deprivation decile, most to least deprived (IMD 2019)"),
        # timing: weekdays 5 and 6 (Sat, Sun) of all the period's offences, time known or not
        ("weekend_share", "age_group", "Offences on Saturday or Sunday (%)"),
        ("time_unknown_offences", "all", "Offences with no known time of day (%)"),
        ("offences_time_unknown", "all", "Offences with no known time of day (%)"),
        # cohorts: perpetrators who were victims of an offence dated before their first offence in
        # the period, and at any date (first victimisation not null)
        ("victim_offender_overlap", "all",
         "Perpetrators who were victims before their first offence in the period (%)"),
        ("victim_offender_overlap_ever", "age_group", "Perpetrators who were victims at any date (%)"),
        # risk factors: assault admissions with the mental-health flag, of those with it recorded
        ("admissions_mental_health_share", "all", "Hospital admissions for assault with a mental health flag (%)"),
        # an area indicator: the indicator catalogue's name and unit
        ("dfe_children_in_need", "domain", "Children in need (per 10,000)"),
        ("10401", "domain", "First time entrants to the youth justice system (per 100,000)"),
        ("ons_unemployment", "domain", "Unemployment (%)"),
        # a survey question: the weighted % of respondents giving a counted answer
        ("survey_i_could_ask_a_neighbour_for_help", "all", "I could ask a neighbour for help (% of respondents)"),
        ("respondents", "all", "Survey respondents"),
    ],
)  # fmt: skip
def test_labels_say_what_the_analysis_counts(indicator, breakdown, expected):
    assert indicator_label(indicator, breakdown=breakdown) == expected


def test_a_harm_rank_is_a_heading_in_a_table_and_a_phrase_in_running_text():
    assert display_value("2", "harm_rank") == "Harm rank 2"
    assert display_value("Female|4", "sex|harm_rank") == "Female, harm rank 4"
    assert display_value("4|Female", "harm_rank|sex") == "Harm rank 4, Female"


def test_in_text_keeps_abbreviations():
    assert in_text("Share of offences (%)") == "share of offences (%)"
    assert in_text("LSOAs in the most deprived 10% nationally (%)") == "LSOAs in the most deprived 10% nationally (%)"
    assert in_text("A&E attendances: share (%)") == "A&E attendances: share (%)"
    assert in_text("I could ask a neighbour for help") == "I could ask a neighbour for help"


def test_the_harm_rank_cross_tab_has_headings_that_start_with_a_capital():
    """The people sections' share by sex and harm rank: sexes down, harm ranks across."""
    from svsna.outputs.content import Section
    from svsna.outputs.views import ViewContext, add_indicator_views

    values = [f"{s}|{r}" for s in ("Male", "Female") for r in (2, 3, 4, 5)]
    n = len(values)
    rows = pd.DataFrame(
        {
            "section": "perpetrators",
            "indicator": "harm_rank_share",
            "period": "Apr 2020 - Sep 2021",
            "area": "MV",
            "breakdown": "sex|harm_rank",
            "breakdown_value": values,
            "numerator": [10.0] * n,
            "denominator": [40.0] * n,
            "value": [25.0] * n,
            "statistic": "percentage",
            "unit": "%",
            "lower": [np.nan] * n,
            "upper": [np.nan] * n,
            "method": "Wilson",
            "comparator_value": [np.nan] * n,
            "significance": [None] * n,
            "definition": "vrn",
        }
    )
    section = Section("perpetrators", "Perpetrators")
    add_indicator_views(section, rows, rows, ViewContext(AreaConfig.model_validate({"name": "MV"}), "full"))
    (table,) = [t for t in section.tables if "harm rank" in t.caption]
    assert table.columns == ["Sex", "Harm rank 2", "Harm rank 3", "Harm rank 4", "Harm rank 5"]
    assert [r[0] for r in table.rows] == ["Male", "Female"]


def test_the_demo_full_sna_shows_labels_not_machine_names(demo):
    """Captions, column headings and row labels of the full SNA: no machine name (an underscore)
    outside the methods appendix, which names the definitions' codes and the input files; the
    harm-rank headings start with a capital; a risk factor given by age group names the group."""
    from tests.outputs._html import parse

    parsed = parse(demo.paths.full_html)
    appendix = ("Serious violence definitions", "Row ledger", "Input files")
    for caption in parsed.captions + parsed.figcaptions:
        assert "_" not in caption, caption
    for t in parsed.tables:
        if any(a in t["caption"] for a in appendix):
            continue
        cells = [*t["head"], *(r[0] for r in t["rows"] if r)]
        assert [c for c in cells if "_" in c] == [], t["caption"]
    harm = [t for t in parsed.tables if "harm rank" in t["caption"]]
    assert harm and all(t["head"][1:] == [f"Harm rank {k}" for k in (2, 3, 4, 5)] for t in harm)
    (other,) = [t for t in parsed.tables if "Other risk and protective factors" in t["caption"]]
    flag = "Hospital admissions for assault with a mental health flag"
    assert [r[0] for r in other["rows"]] == [f"{flag} (%)", f"{flag}: Under 25 (%)", f"{flag}: 25 and over (%)"]
