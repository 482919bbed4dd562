"""Survey weighting worked by hand (Kish 1965 effective sample size, Wilson interval)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from svsna.analyses import surveys
from svsna.errors import ConfigError

Q = "Feel safe outside in local area at night"


def _responses() -> pd.DataFrame:
    """Six respondents; weights 1, 1, 2, 2, 0.5, 0.5.

    answers: Agree, Strongly agree, Disagree, Yes, No, "" (blank: dropped)
    age groups: 16-24 x3 (R1-R3), 25+ x3 (R4-R6).
    """
    return pd.DataFrame(
        {
            "survey": ["YP Survey 2021"] * 6,
            "respondent_id": [f"R{i}" for i in range(1, 7)],
            "question": [Q] * 6,
            "answer": ["Agree", "Strongly agree", "Disagree", "Yes", "No", ""],
            "weight": [1.0, 1.0, 2.0, 2.0, 0.5, 0.5],
            "area": ["Leicester"] * 6,
            "age_group": ["16-24"] * 3 + ["25+"] * 3,
        }
    )


def _wilson(x: float, n: float, z: float = 1.959964) -> tuple[float, float]:
    root = z * math.sqrt(z * z + 4 * x * (1 - x / n))
    return (2 * x + z * z - root) / (2 * (n + z * z)), (2 * x + z * z + root) / (2 * (n + z * z))


@pytest.fixture
def result(tmp_path, builders):
    ctx = builders.make_context(tmp_path, {"survey_responses": _responses()})
    yield surveys.run(ctx)
    ctx.wh.close()


def _f(res, group_by, group):
    hits = [
        f
        for f in res.findings
        if f.key == "survey_result" and f.numbers["group_by"] == group_by and f.numbers["group"] == group
    ]
    assert len(hits) == 1
    return hits[0].numbers


def test_overall_weighted_percentage_by_hand(result):
    # kept (blank dropped): weights 1, 1, 2, 2, 0.5; positive: R1, R2, R4 -> 1 + 1 + 2 = 4
    # p = 4 / 6.5 = 0.61538; n_eff = 6.5^2 / (1 + 1 + 4 + 4 + 0.25) = 42.25 / 10.25 = 4.1220
    n = _f(result, "all", "all")
    assert n["value"] == pytest.approx(100 * 4 / 6.5)
    assert n["effective_n"] == pytest.approx(42.25 / 10.25)
    lo, hi = _wilson(4 / 6.5 * 42.25 / 10.25, 42.25 / 10.25)
    assert (n["lower"], n["upper"]) == (pytest.approx(100 * lo), pytest.approx(100 * hi))
    assert n["respondents"] == 5


def test_by_age_group_by_hand(result):
    # 16-24: weights 1, 1, 2; positive 1 + 1 = 2 of 4 -> 50%; n_eff = 16 / 6
    y = _f(result, "age_group", "16-24")
    assert y["value"] == pytest.approx(50.0)
    assert y["effective_n"] == pytest.approx(16 / 6)
    # 25+: weights 2, 0.5 (blank dropped); positive 2 of 2.5 -> 80%; n_eff = 6.25 / 4.25
    o = _f(result, "age_group", "25+")
    assert o["value"] == pytest.approx(80.0)
    assert o["effective_n"] == pytest.approx(6.25 / 4.25)
    t = result.indicators
    row = t[(t.breakdown == "age_group") & (t.breakdown_value == "25+")].iloc[0]
    assert row.indicator == "survey_feel_safe_outside_in_local_area_at_night"
    assert row.period == "YP Survey 2021"
    assert row.method == surveys.METHOD


def test_equal_weights_give_plain_wilson(tmp_path, builders):
    df = _responses().assign(weight=1.0)
    ctx = builders.make_context(tmp_path, {"survey_responses": df})
    n = _f(surveys.run(ctx), "all", "all")
    ctx.wh.close()
    assert n["effective_n"] == pytest.approx(5.0)  # Kish n_eff = n when weights are equal
    lo, hi = _wilson(3, 5)
    assert (n["lower"], n["upper"]) == (pytest.approx(100 * lo), pytest.approx(100 * hi))


def test_answer_mapping_file(tmp_path, builders):
    (tmp_path / "survey_answers.yaml").write_text("positive: [Disagree, Yes]\nexclude: [No]\n")  # Yes/No stay text
    mapping = surveys.load_answer_mapping(tmp_path)
    assert mapping.classify("disagree") is True and mapping.classify("No") is None and mapping.classify("yes") is True
    (tmp_path / "survey_answers.yaml").write_text("positives: [Yes]\n")
    with pytest.raises(ConfigError, match=r"survey_answers\.yaml"):
        surveys.load_answer_mapping(tmp_path)


def test_negative_weight_is_a_clear_error(tmp_path, builders):
    ctx = builders.make_context(tmp_path, {"survey_responses": _responses().assign(weight=[1, 1, -2, 1, 1, 1])})
    with pytest.raises(ConfigError, match=r"column weight has negative value -2"):
        surveys.run(ctx)
    ctx.wh.close()


def test_result_says_what_was_counted_with_n_and_ci(result):
    n = _f(result, "all", "all")
    # Agree, Strongly agree and Yes were counted (the question mixes scales): listed, not "positive"
    assert (n["measure"], n["answers_counted"]) == ("answers", ["Agree", "Strongly agree", "Yes"])
    assert n["answers_excluded"] == [""]
    assert (n["n"], n["unit"], n["period"], n["comparator"], n["significance"]) == (
        5,
        "%",
        "YP Survey 2021",
        None,
        "Not compared",
    )
    f = next(f for f in result.findings if f.key == "survey_result" and f.numbers["group_by"] == "all")
    assert "'Agree' or 'Strongly agree' or 'Yes'" in f.text and "positive" not in f.text
    assert "5 respondents" in f.text


def test_yes_no_question_is_worded_as_answered_yes(tmp_path, builders):
    df = pd.DataFrame(
        {
            "survey": ["S"] * 4,
            "respondent_id": ["a", "b", "c", "d"],
            "question": ["Seen drug dealing in the past 12 months"] * 4,
            "answer": ["Yes", "No", "Yes", "Don't know"],
            "weight": [1.0] * 4,
        }
    )
    ctx = builders.make_context(tmp_path, {"survey_responses": df})
    res = surveys.run(ctx)
    ctx.wh.close()
    f = next(f for f in res.findings if f.key == "survey_result")
    assert (f.numbers["measure"], f.numbers["value"], f.numbers["n"]) == ("yes", 50.0, 4)
    assert "answered Yes to 'Seen drug dealing in the past 12 months'" in f.text
    assert "positive" not in f.text
    lo, hi = _wilson(2, 4)
    assert (f.numbers["lower"], f.numbers["upper"]) == (pytest.approx(100 * lo), pytest.approx(100 * hi))
    summary = next(f for f in res.findings if f.key == "survey_summary").numbers
    assert (summary["respondents"], summary["questions"], summary["weighted"]) == (4, 1, False)


def test_survey_summary_counts_distinct_respondents(result):
    f = next(f for f in result.findings if f.key == "survey_summary")
    s = f.numbers
    assert (s["survey"], s["respondents"], s["questions"], s["weighted"]) == ("YP Survey 2021", 6, 1, True)
    # its count is the respondents row, so the public summary can give it as published (rounded)
    assert tuple(f.indicators) == ("respondents",)


def test_each_survey_has_its_respondents_as_a_count(result):
    """The sample size is a row of the table (a count), so the public release can publish it rounded."""
    t = result.indicators
    row = t[t["indicator"] == "respondents"]
    assert row[["period", "breakdown", "value", "statistic", "unit"]].values.tolist() == [
        ["YP Survey 2021", "all", 6.0, "count", "respondents"]  # six respondents in _responses()
    ]
