"""Public-edition disclosure control and the written findings.

Rule nhsd_2018 (NHS Digital, disclosure control for HES and ECDS, 2018): counts 1-7 are
suppressed, every other count is rounded to the nearest 5. Expected values below are worked
out by hand from that rule.
"""

from __future__ import annotations

import math

import pandas as pd

from svsna.indicators import Finding, indicator_rows
from svsna.outputs.narrative import callout, count_numbers, sentence
from svsna.outputs.public import count_rule, public_indicators, unsafe_numbers

RULES = "nhsd_2018"


def _mix() -> pd.DataFrame:
    # a crime-group breakdown with one small cell (6) and a count row
    shares = pd.DataFrame(
        {
            "numerator": [412.0, 82.0, 6.0],
            "denominator": [500.0] * 3,
            "value": [82.4, 16.4, 1.2],
            "lower": [78.8, 13.4, 0.55],
            "upper": [85.5, 19.9, 2.6],
        }
    )
    a = indicator_rows(
        shares,
        section="nature",
        indicator="share_crime_group",
        period="P",
        area="X",
        breakdown="crime_group",
        breakdown_value=["Assault", "Robbery", "Homicide"],
        method="Wilson",
    )
    b = indicator_rows(
        pd.DataFrame({"numerator": [3529.0], "value": [3529.0]}),
        section="extent",
        indicator="offences",
        period="2020/21",
        area="X",
        breakdown="all",
        breakdown_value="all",
        method="Count",
    )
    c = indicator_rows(
        pd.DataFrame({"value": [2.5], "numerator": [30.0]}),
        section="extent",
        indicator="rate",
        period="P",
        area="X",
        breakdown="all",
        breakdown_value="all",
        suppressed=True,
        suppression_reason="analyst",
    )
    return pd.concat([a, b, c], ignore_index=True)


def test_count_rule_by_hand():
    rule = count_rule(RULES)
    # 1-7 suppressed; 8 -> 10; 12 -> 10; 13 -> 15; 3529 -> 3530; 0 stays 0
    assert [rule(n) for n in (1, 7, 8, 12, 13, 3529, 0)] == [None, None, 10, 10, 15, 3530, 0]


def test_public_view_rounds_folds_and_recomputes_from_published_counts():
    pub = public_indicators(_mix(), RULES)
    mix = pub[pub["indicator"] == "share_crime_group"].set_index("breakdown_value")
    # Homicide (6) is small, so it is folded into "Other" with the next smallest category (Robbery, 82):
    # Other = 88 -> 90. No small category is named. Assault 412 -> 410; the total 500 stays 500.
    assert sorted(mix.index) == ["Assault", "Other"]
    assert mix.loc["Assault", "numerator"] == 410 and mix.loc["Other", "numerator"] == 90
    assert (mix["denominator"] == 500).all()
    # shares are recomputed from the published counts: 410/500 = 82.0%, 90/500 = 18.0% (not 82.4, 16.4)
    assert mix.loc["Assault", "value"] == 82.0 and mix.loc["Other", "value"] == 18.0
    count = pub[pub["indicator"] == "offences"].iloc[0]
    assert count["value"] == 3530 and count["numerator"] == 3530 and "rounded" in count["public_note"]
    flagged = pub[pub["indicator"] == "rate"].iloc[0]
    assert math.isnan(flagged["value"]) and flagged["suppressed"]


def test_unsafe_numbers_finds_counts_but_not_other_numbers():
    assert unsafe_numbers("There were 6 murders.", RULES) == ["6"]
    assert unsafe_numbers("3,529 offences were recorded.", RULES) == ["3,529"]
    assert unsafe_numbers("Around 3,530 offences in 2020/21, 14.6% fewer; 1 in 10; 15-19 year olds.", RULES) == []
    assert unsafe_numbers("Peak 22:00-05:00 on 23 March 2020; rate 9.47 per 1,000; under 25s.", RULES) == []


def test_an_analysis_sentence_claiming_untested_significance_is_not_printed():
    # a finding without a template is printed in the analysis's own words, never edited; one that
    # claims a significance its test did not find is withheld
    f = Finding("geography", "new_key", "Melton's rate was significantly higher than LLR.", significance="Similar")
    out = sentence(f)
    assert out.text is None and "significance" in out.withheld
    g = Finding("extent", "new_key", "A significant decrease of 14.6%.", significance="Decrease")
    assert sentence(g).text == "A significant decrease of 14.6%."
    h = Finding("extent", "new_key", "The difference is not significant.", significance="Similar")
    assert sentence(h).text == "The difference is not significant."


def test_public_sentences_round_or_withhold_counts():
    rule = count_rule(RULES)

    def check(t):
        return unsafe_numbers(t, RULES)

    # a template writes the count through the rule
    f = Finding(
        "extent",
        "offences_latest_year",
        "",
        {
            "offences": 3529,
            "period": "2020/21",
            "previous_offences": 4132,
            "previous_period": "2019/20",
            "change_pct": -14.6,
        },
    )
    assert sentence(f, rule=rule, check=check).text.startswith("Around 3,530 offences were recorded in 2020/21")
    small = Finding("nature", "health_peak_month", "", {"label": "murders", "month": "2021-07", "count": 6})
    out = sentence(small, rule=rule, check=check)
    assert out.text is None and "suppressed" in out.withheld
    private = Finding("cohorts", "sex_share", "", {"male_share": 78.0, "female_share": 22.0}, public=False)
    assert sentence(private, rule=rule, check=check).text is None
    # an analysis's own sentence (no template) holding an unsafe count is withheld by the check
    raw = Finding("extent", "new_key", "3,529 offences were recorded in 2020/21.", {"count": 3529})
    assert sentence(raw, rule=rule, check=check).text is None
    sneaky = Finding("nature", "new_key", "Only 3 offences involved a firearm.", {})
    assert sentence(sneaky, rule=rule, check=check).text is None


def test_count_numbers_and_callouts():
    assert count_numbers({"count": 10, "share": 5.0, "previous_offences": 7, "hour": 15}) == {
        "count": 10.0,
        "previous_offences": 7.0,
    }
    f = Finding("nature", "knife_share", "1 in 10 offences involved a knife.", {"share": 10.2}, headline=True)
    assert callout(f, f.text).figure == "1 in 10"
    r = Finding("extent", "rate_ratio_under25", "x", {"ratio": 1.63})
    assert callout(r, "x").figure == "1.6 times"
