"""Findings are data, sentences are templates (svsna.outputs.sentences).

The findings here are the ones the analyses produce for the hand-built area (tiny) and the
synthetic partnership (demo); hand-made findings check the rules one at a time.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from svsna.indicators import Finding
from svsna.outputs.narrative import count_numbers
from svsna.outputs.public import count_rule
from svsna.outputs.sentences import TEMPLATES, render

RULE = count_rule("nhsd_2018")
NOT_PEOPLE = ("interventions", "recommendations")
#: Findings counting places, not people or events (hot-spot neighbourhoods: the public map shows each one).
NOT_PEOPLE_UNITS = ("LSOAs",)
#: Findings about the run itself (a section not run, an input warning): words, not statistics.
RUN_NOTES = ("section_status", "input_warning")


def _public(n):
    return RULE(n)


@pytest.mark.parametrize("which", ["tiny", "demo"])
def test_every_finding_with_a_template_is_written_with_a_number(request, which):
    built = request.getfixturevalue(which)
    seen = set()
    for f in built.findings:
        if f.key not in TEMPLATES or f.key == "recommendation" or f.key in RUN_NOTES:  # words, not statistics
            continue
        r = render(f, table=built.indicators)
        if r.text is None:
            assert r.missing, (f.key, r.withheld)  # only a genuinely absent number stops a sentence
            continue
        seen.add(f.key)
        assert re.search(r"\d", r.text), f"{f.key}: no number in {r.text!r}"
        assert not re.search(r"\b[a-z]+_[a-z_]+\b|\bnan\b", r.text), f"{f.key}: a code in {r.text!r}"
        assert not re.search(r"\b(19|20)\d\d-\d\d\b", r.text), f"{f.key}: a month as a code in {r.text!r}"
    if which == "demo":
        assert len(seen) >= 40


@pytest.mark.parametrize("which", ["tiny", "demo"])
def test_public_sentences_never_print_a_count_the_rule_changes(request, which):
    built = request.getfixturevalue(which)
    for f in built.findings:
        # evidence tables and risk-factor tallies count approaches and indicators, not people or events
        if f.key not in TEMPLATES or f.section in NOT_PEOPLE or f.key == "risk_factor_domain_summary":
            continue
        if f.numbers.get("unit") in NOT_PEOPLE_UNITS:
            continue
        r = render(f, rule=_public, table=built.indicators)
        if r.text is None:
            continue
        for name, n in count_numbers(f.numbers).items():
            safe = RULE(n)
            if safe is not None and safe != n and n >= 10 and float(n).is_integer():
                exact = f"{round(n):,}"
                assert not re.search(rf"(?<![\d,.%-]){re.escape(exact)}(?![\d,]|\.\d|%)", r.text), (f.key, name, r.text)


def test_months_days_plurals_and_significance_words():
    spc = Finding(
        "timing",
        "spc_signals",
        "",
        {"months_high": ["2020-08", "2021-07"], "months_low": ["2020-04"], "peak_month": "2021-07", "peak_count": 523},
    )
    text = render(spc).text
    assert "peaked in July 2021 (523 offences)" in text and "August 2020 and July 2021" in text
    assert "April 2020" in text and "2021-07" not in text
    day = Finding("timing", "peak_weekday", "", {"weekday": "Sat", "share": 18.5, "weekend_share": 36.4})
    assert render(day).text.startswith("Saturday was the busiest day (18.5% of offences, against 14.3%")
    hot = Finding("geography", "hotspots", "", {"hot": 1, "lsoas": 611}, period="2020/21")
    assert (
        render(hot).text.startswith("1 neighbourhood (LSOA) of 611 was a statistically")
        or "1 neighbourhood (LSOA)" in render(hot).text
    )
    many = Finding("geography", "hotspots", "", {"hot": 25, "lsoas": 611}, period="2020/21")
    assert "25 neighbourhoods (LSOAs) of 611" in render(many).text
    change = {
        "offences": 3507,
        "period": "2020/21",
        "previous_offences": 3460,
        "previous_period": "2019/20",
        "change_pct": 1.36,
    }
    flat = Finding("extent", "offences_latest_year", "", change, significance="No significant change")
    assert render(flat).text.endswith("an increase of 1.4% on 2019/20 (3,460), not a statistically significant change.")
    untested = Finding("extent", "offences_latest_year", "", change)
    assert "significant" not in render(untested).text


def test_a_ranking_word_needs_intervals_that_do_not_overlap():
    def table(upper_of_next):
        return pd.DataFrame(
            {
                "indicator": "offence_type_rate_ratio_age",
                "breakdown": "offence_type",
                "period": "P",
                "breakdown_value": ["Robbery of business property", "Robbery of personal property"],
                "value": [2.64, 1.64],
                "lower": [1.55, 1.4],
                "upper": [4.52, upper_of_next],
                "definition": "",
            }
        )

    f = Finding(
        "nature",
        "offence_type_age_ratio",
        "",
        {"max_offence_type": "Robbery of business property", "max_ratio": 2.64, "max_lower": 1.55, "max_upper": 4.52},
        period="P",
    )
    overlapping = render(f, table=table(1.9)).text
    assert "greatest" not in overlapping and "not clearly the largest difference" in overlapping
    clear = render(f, table=table(1.5)).text
    assert clear.startswith("The greatest difference between age groups was in Robbery of business property")
    assert "greatest" not in render(f).text  # no rows to check against: a point estimate only


def test_a_ranking_word_needs_the_printed_figures_to_bear_it_out():
    # The demo's public summary said the under-25 rate ratio for Robbery of business property (2.5) was
    # "the largest point estimate" above a chart showing Endangering life at 2.90: the analysis named the
    # top type from the exact ratios, the public figures come from rounded counts.
    f = Finding(
        "nature",
        "offence_type_age_ratio",
        "",
        {"max_offence_type": "Robbery of business property", "max_ratio": 2.5, "max_lower": 1.51, "max_upper": 4.28},
        period="P",
    )
    public = pd.DataFrame(
        {
            "indicator": "offence_type_rate_ratio_age",
            "breakdown": "offence_type",
            "period": "P",
            "breakdown_value": ["Robbery of business property", "Endangering life", "Assault with injury"],
            "value": [2.5, 2.9, 1.3],
            "lower": [1.51, 1.41, 1.2],
            "upper": [4.28, 6.09, 1.4],
            "definition": "",
        }
    )
    text = render(f, table=public).text
    assert text == (
        "The rate for under 25s was 2.5 times the rate for those 25 and over for Robbery of business property "
        "(95% CI 1.51 to 4.28)."
    )
    # the same finding where the printed ratios still put it first keeps its ranking words
    first = public.assign(value=[2.5, 2.4, 1.3])
    assert "largest point estimate" in render(f, table=first).text

    # peak age band: male victims "20-24 (23.95), followed by 25-29 (23.95)" while 15-19 was also 23.95
    band = Finding(
        "victims",
        "peak_age_band_male",
        "",
        {"band": "20-24", "rate": 23.95, "lower": 20.1, "upper": 28.3, "second_band": "25-29", "second_rate": 23.95},
        period="P",
    )
    rates = pd.DataFrame(
        {
            "section": "victims",
            "indicator": "age_band_rate",
            "breakdown": "sex|age_band",
            "period": "P",
            "breakdown_value": ["Male|15-19", "Male|20-24", "Male|25-29", "Female|15-19"],
            "value": [23.95, 23.95, 23.95, 30.0],
            "lower": [20.0, 20.1, 20.2, 25.0],
            "upper": [28.2, 28.3, 28.4, 35.0],
            "definition": "",
        }
    )
    tied = render(band, table=rates).text
    assert tied == (
        "The highest rate for male victims was shared by ages 20-24, 25-29 and 15-19 (23.95 per 1,000 residents each)."
    ), tied
    lower = render(band, table=rates.assign(value=[25.0, 23.95, 20.0, 30.0])).text
    assert lower == "The rate for male victims at ages 20-24 was 23.95 per 1,000 residents (95% CI 20.10 to 28.30).", (
        lower
    )


def test_counts_are_rounded_or_the_sentence_withheld_in_public():
    f = Finding(
        "health",
        "health_count_change",
        "",
        {"label": "A&E assault attendances", "count": 643, "previous_period": "2019/20", "change_pct": -52.8},
        period="2020/21",
        significance="Decrease",
    )
    assert render(f, rule=_public).text.startswith("In 2020/21 there were around 645 A&E assault attendances")
    assert render(f).text.startswith("In 2020/21 there were 643 A&E")
    small = Finding(
        "health", "health_peak_month", "", {"label": "A&E assault attendances", "month": "2021-07", "count": 6}
    )
    r = render(small, rule=_public)
    assert r.text is None and "suppressed" in r.withheld
    private = Finding("cohorts", "sex_share", "", {"male_share": 78.0, "female_share": 22.0}, public=False)
    assert render(private, rule=_public).text is None


def test_a_missing_number_is_reported_not_crashed_on():
    f = Finding("extent", "offences_latest_year", "", {"offences": 3507, "period": "2020/21"})
    r = render(f)
    assert r.text is None and r.missing == "change_pct" and r.topic == "the number of offences in the latest year"


def test_overrides_use_the_partnerships_words_with_the_numbers():
    f = Finding("timing", "peak_hour", "", {"hour": 15, "share": 7.64, "count": 449})
    text = render(
        f, overrides={"peak_hour": "Most offences happen at {hour:hour} ({share:pct}; {count} offences)."}
    ).text
    assert text == "Most offences happen at 15:00-15:59 (7.6%; 449 offences)."
    assert (
        "around 450 offences"
        in render(f, rule=_public, overrides={"peak_hour": "At {hour:hour}: {count} offences."}).text
    )


finding_keys = sorted(TEMPLATES)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_templates_never_crash_on_sparse_numbers(tiny_findings_by_key, data):
    """Whatever numbers are missing, zero or odd, a template writes a sentence or reports what is missing."""
    key = data.draw(st.sampled_from(sorted(tiny_findings_by_key)))
    base = tiny_findings_by_key[key]
    names = sorted(base.numbers)
    dropped = data.draw(st.sets(st.sampled_from(names), max_size=len(names))) if names else set()
    zeroed = data.draw(st.sets(st.sampled_from(names), max_size=3)) if names else set()
    nums = {}
    for k, v in base.numbers.items():
        if k in dropped:
            continue
        nums[k] = 0 if k in zeroed and isinstance(v, int | float) and not isinstance(v, bool) else v
    f = Finding(base.section, base.key, base.text, nums, significance=base.significance, period=base.period)
    for rule in (None, _public):
        r = render(f, rule=rule)
        assert r.text is not None or r.withheld
        if r.text is not None:
            assert "None" not in r.text and "nan" not in r.text.lower().split()


@pytest.fixture(scope="session")
def tiny_findings_by_key(tiny_assessment):
    out = {}
    for f in tiny_assessment.findings:
        if f.key in TEMPLATES:
            out.setdefault(f.key, f)
    return out


@pytest.mark.parametrize(
    ("residents", "words"),
    [(63_412, "63,000"), (62_500, "62,000"), (1_104_523, "1.1 million"), (999_612, "1.0 million"), (847, "850")],
)
def test_the_population_sentence_and_its_tile_give_the_same_residents(residents, words):
    # by hand: 63,412 to the nearest 1,000 is 63,000 (62,500 is half-way: to the even thousand, 62,000);
    # 1,104,523 is 1.1 million; 999,612 would round to 1,000,000, so it is said in millions; 847 -> 850
    from svsna.outputs.narrative import callout

    f = Finding("population", "total_residents", "", {"residents": residents}, headline=True)
    text = render(f).text
    assert text == f"About {words} people live in the area."
    assert callout(f, text).figure == words  # the "At a glance" tile's big figure, never blank


def test_the_deprivation_ranking_gives_the_measure_it_ranks_by():
    # ranked by the mean decile (1 = most deprived): a district with no LSOA in the most deprived tenth can still
    # rank third, so the sentence must show the mean decile, not only the share in the most deprived tenth
    ranking = [
        {"rank": 1, "district": "Leicester", "mean_decile": 3.5155, "lsoas_in_most_deprived_decile_pct": 20.3125},
        {
            "rank": 2,
            "district": "North West Leicestershire",
            "mean_decile": 5.94,
            "lsoas_in_most_deprived_decile_pct": 3.4,
        },
        {"rank": 3, "district": "Hinckley and Bosworth", "mean_decile": 6.04, "lsoas_in_most_deprived_decile_pct": 0.0},
        {"rank": 4, "district": "Blaby", "mean_decile": 7.5, "lsoas_in_most_deprived_decile_pct": 0.0},
    ]
    f = Finding("population", "deprivation_rank", "", {"district": "Leicester", "ranking": ranking})
    text = render(f).text
    assert "decile 1 is England's most deprived tenth" in text
    assert (
        "Leicester (mean decile 3.5; 20.3% of its neighbourhoods in England's most deprived tenth), "
        "North West Leicestershire (5.9; 3.4%) and Hinckley and Bosworth (6.0; 0.0%)."
    ) in text
    assert "Blaby" not in text


def test_a_percentage_and_its_interval_have_the_same_decimals():
    f = Finding(
        "risk_factors",
        "admissions_mental_health_under25",
        "",
        {"value": 36.842, "lower": 27.83, "upper": 46.877, "all_ages_value": 26.316, "under": 25},
    )
    assert render(f).text.startswith(
        "36.8% of people under 25 admitted to hospital for an assault-related injury had a mental health flag "
        "(95% CI 27.8% to 46.9%) against 26.3% at all ages."
    )
    survey = Finding(
        "surveys",
        "survey_result",
        "",
        {"survey": "Safety survey", "question": "Feel safe at night", "value": 67.24, "lower": 64.61, "upper": 69.7},
    )
    assert "67.2% of respondents" in render(survey).text and "(95% CI 64.6% to 69.7%)" in render(survey).text


def test_the_even_spread_a_share_is_set_against_is_the_window_s_and_not_a_statistic():
    """The NTE share is set against the window's share of the day's hours (10 of 24 for 20:00-06:00: 41.7%,
    not 7 of 24), and that even spread is arithmetic, not a figure the public table must hold: the small
    area's public summary had withheld every sentence that says "if spread evenly"."""
    from svsna.outputs.public import number_tokens, unaccounted_numbers

    f = Finding(
        "timing",
        "nte_share",
        "",
        {"value": 37.5, "lower": 29.4, "upper": 46.4, "window": "20:00-06:00", "window_hours": 10},
        period="2021/22 (Apr-Sep)",
    )
    text = render(f).text
    assert "against 41.7% if offences were spread evenly over the hours of the day" in text
    assert "41.7" not in [s for s, _, _ in number_tokens(text)]
    assert unaccounted_numbers(text, {(37.5, 1), (29.4, 1), (46.4, 1)}) == []
    old = Finding("timing", "nte_share", "", {"value": 37.5}, period="2021/22 (Apr-Sep)")  # no window_hours
    assert "spread evenly" not in render(old).text
    day = "Monday had the most offences (19.1% of offences, against 14.3% if spread evenly)"
    assert [s for s, _, _ in number_tokens(day)] == ["19.1"]
    nte = "most frequent on Monday (20.0%), against 14.3% a day if spread evenly"
    assert [s for s, _, _ in number_tokens(nte)] == ["20.0"]


def test_a_change_s_interval_is_worded_like_the_change():
    # "a decrease of 52.7%" is a size: its interval gives the size's limits, smaller first, not signed
    # changes ("(95% CI -57.0% to -48.1%)" read as a decrease of minus 57%); one that spans no change
    # keeps its signs; the interval follows the change, not the period after it
    base = {"count": 645, "previous_count": 1365, "previous_period": "2019/20", "source": "A&E assault attendances"}
    fall = Finding("health", "health_count_change", "", {**base, "value": -52.7, "lower": -57.0, "upper": -48.1})
    assert "a decrease of 52.7% (95% CI 48.1% to 57.0%) on 2019/20" in render(fall, table=None).text
    rise = Finding("health", "health_count_change", "", {**base, "value": 12.3, "lower": 3.1, "upper": 22.0})
    assert "an increase of 12.3% (95% CI 3.1% to 22.0%) on 2019/20" in render(rise).text
    flat = Finding("health", "health_count_change", "", {**base, "value": -5.0, "lower": -12.0, "upper": 2.0})
    assert "a decrease of 5.0% (95% CI -12.0% to +2.0%) on 2019/20" in render(flat).text
    monthly = Finding(
        "opendata",
        "change_vs_baseline",
        "",
        {"value": -7.2, "lower": -9.0, "upper": -4.1, "baseline_period": "2019/20"},
        period="2021/22",
    )
    assert "a decrease of 7.2% (95% CI 4.1% to 9.0%) on the baseline year 2019/20" in render(monthly).text
    part = Finding(
        "extent",
        "part_year_run_rate",
        "",
        {
            "months": 6,
            "part_year_period": "2021/22",
            "last_year_period": "2020/21",
            "share_pct": 67.6,
            "value": 35.2,
            "lower": 28.3,
            "upper": 42.5,
        },
    )
    assert "the year would end with an increase of 35.2% (95% CI 28.3% to 42.5%) on 2020/21" in render(part).text


def _rows(indicator, breakdown, values, period="P", section=None):
    """Indicator rows ``{breakdown_value: value}`` of one indicator, as the edition's table holds them."""
    return pd.DataFrame(
        {
            "indicator": indicator,
            "breakdown": breakdown,
            "period": period,
            "breakdown_value": list(values),
            "value": list(values.values()),
            "lower": float("nan"),
            "upper": float("nan"),
            "definition": "",
            **({"section": section} if section else {}),
        }
    )


def test_ties_are_given_as_ties_not_as_a_ranking():
    # the small area's night-time days: Monday and Wednesday 20.0%, Sunday and Tuesday 15.0%
    days = _rows("nte_weekday_share", "weekday", {"Mon": 20.0, "Tue": 15.0, "Wed": 20.0, "Thu": 10.0, "Sun": 15.0})
    top = [{"name": "Mon", "share": 20.0}, {"name": "Wed", "share": 20.0}, {"name": "Sun", "share": 15.0}]
    f = Finding("nte", "nte_weekday", "", {"top": top}, period="P")
    text = render(f, table=days).text
    assert text.startswith(
        "Night-time-economy offences were most frequent on Monday and Wednesday (20.0% each), "
        "then Sunday and Tuesday (15.0% each), against 14.3% a day"
    )
    # hours: 04:00 30.0%, then 01:00, 02:00 and 03:00 all 15.0%
    hours = _rows("nte_hour_share", "hour", {"23": 10.0, "01": 15.0, "02": 15.0, "03": 15.0, "04": 30.0})
    f = Finding(
        "nte", "nte_peak_hours", "", {"top": [{"hour": 4, "share": 30.0}, {"hour": 1, "share": 15.0}]}, period="P"
    )
    assert (
        render(f, table=hours).text
        == "The peak night-time hours were 04:00-04:59 (30.0%), then 01:00-01:59, 02:00-02:59 and 03:00-03:59 "
        "(15.0% each)."
    )
    # no tie: the list as before
    f = Finding("nte", "nte_peak_hours", "", {"top": [{"hour": 4, "share": 30.0}, {"hour": 1, "share": 14.0}]})
    assert render(f).text == "The peak night-time hours were 04:00-04:59 (30.0%) and 01:00-01:59 (14.0%)."
    # two offence types equal as printed (13.2%) after the largest
    f = Finding(
        "nature",
        "top_offence_type",
        "",
        {"offence_type": "Assault with injury", "share": 70.6, "second": "Robbery of personal property",
         "second_share": 13.24, "third": "Assault with intent to cause serious harm", "third_share": 13.2},
    )  # fmt: skip
    assert render(f).text.endswith(
        "; next came Robbery of personal property and Assault with intent to cause serious harm (13.2% each)."
    )


def test_a_peak_age_band_tied_with_the_next_is_a_shared_highest_rate():
    f = Finding(
        "victims",
        "peak_age_band_male",
        "",
        {"band": "20-24", "rate": 23.952, "lower": 17.1, "upper": 32.6, "second_band": "25-29", "second_rate": 23.948},
        period="P",
    )
    rows = _rows("age_band_rate", "sex|age_band", {"Male|15-19": 23.95, "Male|20-24": 23.952, "Male|25-29": 23.948,
                                                    "Female|15-19": 23.95})  # fmt: skip
    text = render(f, table=rows).text
    assert text == (
        "The highest rate for male victims was shared by ages 20-24, 25-29 and 15-19 (23.95 per 1,000 residents each)."
    )
    assert "followed by" not in text
    f.numbers["second_rate"] = 20.0
    assert "followed by 25-29 (20.00)" in render(f).text


def test_a_district_the_same_as_the_area_is_not_compared_with_itself():
    f = Finding(
        "population",
        "youngest_district",
        "",
        {"value": 26.3157, "area_value": 26.3158, "district": "Eastholm"},
        period="Mid-2020",
        significance="Similar",
    )
    assert render(f).text == "26.3% of Eastholm's residents are under 25, the same as across the area."
    same = _rows("share_under_focus", "district", {"Eastholm": 26.3157, "Marshfield": 26.3158}, period="Mid-2020")
    assert render(f, table=same).text == "In every district, as across the area, 26.3% of residents are under 25."
    f.numbers["value"] = 30.0
    assert render(f).text == "30.0% of Eastholm's residents are under 25, compared with 26.3% across the area."


def test_a_change_in_the_rate_ratio_is_claimed_only_when_the_intervals_are_apart():
    nums = {"ratio": 3.23, "lower": 2.36, "upper": 4.42, "previous_ratio": 2.32, "previous_period": "2019/20",
            "period": "2020/21", "trend": [{"period": "2019/20", "ratio": 2.32, "lower": 1.69, "upper": 3.17},
                      {"period": "2020/21", "ratio": 3.23, "lower": 2.36, "upper": 4.42}]}  # fmt: skip
    f = Finding("extent", "rate_ratio_under25", "", nums, period="2020/21", significance="Higher")
    text = render(f).text
    assert "up from" not in text
    assert text.endswith(
        "; it was 2.3 times in 2019/20, and the two years' intervals overlap, so this is not a clear change."
    )
    nums["trend"][0].update(lower=1.5, upper=2.0)
    assert render(f).text.endswith(", up from 2.3 times in 2019/20.")
    # intervals not known (no trend, or dropped from the public edition): no claim of overlap either
    trend = nums.pop("trend")
    assert render(f).text.endswith("; it was 2.3 times in 2019/20.")
    nums["trend"] = trend
    nums["previous_ratio"] = 3.2  # 3.2 as printed against 3.2
    assert "much as in 2019/20 (3.2 times)" in render(f).text


def test_hot_spots_all_in_one_area_are_not_most():
    nums = {"hot": 4, "lsoas": 12, "hot_by_npa": [{"name": "Marshfield Central", "lsoas": 4}]}
    f = Finding("geography", "hotspots", "", nums, period="P")
    assert render(f).text.endswith("; all were in Marshfield Central (4).")
    nums["hot_by_npa"] = [
        {"name": n, "lsoas": k} for n, k in [("Central", 14), ("West", 9), ("East", 1), ("Hinckley", 1)]
    ]
    nums["hot"] = 25
    text = render(f).text
    assert "most were" not in text and text.endswith(
        "; they were in Central (14), West (9), East (1) and Hinckley (1)."
    )
    nums["hot_by_npa"].append({"name": "North", "lsoas": 1})
    nums["hot"] = 26
    assert render(f).text.endswith(
        "; the most were in Central (14), West (9) and East (1), and the rest in 2 other areas."
    )


def test_shares_of_groups_have_a_verb_and_brackets_do_not_follow_brackets():
    f = Finding("perpetrators", "ethnicity_share", "", {"shares": {"White": 74.4, "Asian": 12.9, "Black": 11.6}})
    assert (
        render(f).text == "Of perpetrators whose ethnicity was recorded, 74.4% were White, 12.9% Asian and 11.6% Black."
    )
    day = {"weekday": "Sat", "share": 18.5, "separated": False, "weekend_share": 36.3,
           "under25_weekend_share": 35.4, "over25_weekend_share": 35.9}  # fmt: skip
    text = render(Finding("timing", "peak_weekday", "", day)).text
    assert text == (
        "The day with the most offences (a point estimate) was Saturday (18.5% of offences, against 14.3% if spread "
        "evenly); 36.3% were at the weekend."
    )  # the age groups' weekend shares are the weekend-by-age finding's: not given twice
    day.update(next_weekday="Monday", next_share=18.5)
    assert render(Finding("timing", "peak_weekday", "", day)).text.startswith(
        "Saturday and Monday had equally the most offences (18.5% of offences each, against 14.3%"
    )
    by_age = Finding(
        "timing",
        "weekend_share_by_age",
        "",
        {"value": 35.4, "lower": 33.4, "upper": 37.6, "comparator_value": 35.9},
        significance="Similar",
    )
    assert render(by_age).text == (
        "35.4% (95% CI 33.4% to 37.6%) of offences by under 25s were at the weekend against 35.9% for those 25 and "
        "over, not a statistically significant difference."
    )


def test_the_age_group_changes_say_how_many_offences_had_no_suspect_of_known_age():
    nums = {"under_change_pct": -12.0, "over_change_pct": -13.4, "under_significance": "Decrease",
            "over_significance": "Decrease", "period": "2020/21"}  # fmt: skip
    f = Finding("extent", "change_by_age_group", "", nums, period="2020/21")
    table = pd.concat(
        [
            _rows("offences", "all", {"all": 3505.0}, period="2020/21"),
            _rows("offences", "age_group", {"Under 25": 1300.0, "25 and over": 1500.0, "Unknown": 705.0},
                  period="2020/21"),
        ]
    )  # fmt: skip
    text = render(f, table=table).text
    assert text.endswith("; 705 offences in 2020/21 had no suspect of known age, so they are in neither group."), text
    # public: the table's count is the published (rounded) one, and a share worked out from two published
    # counts would not be a figure of the public table (the small area's finding was withheld for it)
    public = render(f, table=table, rule=lambda n: None if n < 8 else 5 * round(n / 5)).text
    assert public.endswith(
        "; around 705 offences in 2020/21 had no suspect of known age, so they are in neither group."
    )
    assert "no suspect" not in render(f).text  # no rows: the clause is left out
