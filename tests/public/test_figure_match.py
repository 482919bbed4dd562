"""A finding's number is never given another figure's published value by guess.

Each number a finding states is looked up by value among the figures of its rows. When two
figures share the exact value but are published differently, the number could be either: the
public summary must not print one of them at a guess (it once printed the first row's). Under
rule nhsd_2018 (counts 1-7 withheld, others rounded to the nearest 5), worked out by hand:

- ``nte_perpetrator_sex_share``, Male: 69 of 92 = 75.0%; published 70 of 90 = 77.8%.
- ``persons_by_area``, North: a count of 75; published 75 (a multiple of 5).

So a number 75 is either the share (published 77.8) or the count (published 75).
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
from tests.public.rows import nte_perpetrator_sex_share

from svsna.indicators import Finding, indicator_rows
from svsna.outputs.public import public_finding, public_release
from svsna.outputs.report import _note_dropped

RULES = "nhsd_2018"
INDICATORS = ("nte_perpetrator_sex_share", "persons_by_area")


def _table() -> pd.DataFrame:
    sex = nte_perpetrator_sex_share()
    places = indicator_rows(
        pd.DataFrame({"value": [75.0, 40.0], "numerator": [75.0, 40.0]}),
        section="nte",
        indicator="persons_by_area",
        period="P",
        area="X",
        breakdown="area",
        breakdown_value=["North", "South"],
        statistic="count",
        method="Count",
    )
    return pd.concat([sex, places], ignore_index=True)  # the share first: the old guess took it


@pytest.fixture(scope="module")
def release():
    table = _table()
    rel = public_release(table, RULES)
    published = rel.table.set_index(["indicator", "breakdown_value"])["value"]
    # the hand-worked published values the tests rely on
    assert published[("nte_perpetrator_sex_share", "Male")] == pytest.approx(100 * 70 / 90)
    assert published[("persons_by_area", "North")] == 75
    return table, rel


def test_a_number_two_figures_share_is_not_printed_at_a_guess(release):
    table, rel = release
    f = Finding("nte", "test_only", "", {"total": 75}, indicators=INDICATORS)
    pf, why = public_finding(f, table, rel.table, rules=RULES, templated=True)
    assert pf is not None, why
    assert "total" not in pf.numbers  # neither 77.8 (the share's) nor 75: which it is is not known


def test_a_sentence_stating_such_a_number_is_withheld(release):
    table, rel = release
    f = Finding("nte", "test_only", "75 people were counted.", {"total": 75}, indicators=INDICATORS)
    warnings: list[str] = []
    pf, why = public_finding(f, table, rel.table, rules=RULES, warnings=warnings)
    assert pf is None  # the old rewrite printed the share's published value ("around 78")
    assert "different published values" in why
    assert any("'test_only'" in w and "'total'" in w for w in warnings)


def test_the_finding_s_own_row_settles_it(release):
    table, rel = release
    # value, n and denominator are the Male row's figures (69 of 92 = 75.0%): value is that row's value
    numbers = {"value": 75.0, "n": 69, "denominator": 92, "lower": 65.3, "upper": 82.7}
    f = Finding("nte", "test_only", "", numbers, indicators=INDICATORS)
    pf, why = public_finding(f, table, rel.table, rules=RULES, templated=True)
    assert pf is not None, why
    assert pf.numbers["value"] == pytest.approx(100 * 70 / 90)
    assert (pf.numbers["n"], pf.numbers["denominator"]) == (70, 90)


def test_an_undeclared_number_in_a_sentence_is_warned_of_without_its_value(release):
    table, rel = release
    text = "There were 40 people in the South and 2 new cases."
    f = Finding("nte", "test_only", text, {"value": 40.0, "new_cases": 2}, indicators=INDICATORS)
    warnings: list[str] = []
    pf, _ = public_finding(f, table, rel.table, rules=RULES, warnings=warnings)
    assert pf is None
    (line,) = warnings
    assert "'test_only'" in line and "'new_cases'" in line and "declare it as context in findings.yaml" in line
    assert not re.search(r"\b2\b", line)  # keys, never the value


def test_an_undeclared_number_a_template_would_use_is_warned_of(release):
    table, rel = release
    f = Finding("nte", "test_only", "", {"value": 40.0, "new_cases": 2}, indicators=INDICATORS)
    dropped: dict = {}
    pf, why = public_finding(f, table, rel.table, rules=RULES, templated=True, dropped=dropped)
    assert pf is not None, why
    assert "new_cases" not in pf.numbers
    (line,) = dropped
    assert "'new_cases'" in line and "neither a figure of the public table nor declared context" in line

    class Said:  # a sentence as narrative.sentence writes it: its text and the number it missed
        def __init__(self, text: str | None, missing: str | None = None) -> None:
            self.text, self.missing = text, missing

    warnings: list[str] = []
    uses = lambda n: Said(f"{n.get('new_cases', '')} new")  # noqa: E731 - a template printing the number
    _note_dropped(warnings, dropped, uses(pf.numbers), uses)
    assert warnings == [line]
    warnings = []
    ignores = lambda n: Said("the same sentence")  # noqa: E731 - a template not using it: nothing is lost
    _note_dropped(warnings, dropped, ignores(pf.numbers), ignores)
    assert warnings == []


def test_a_sentence_s_number_is_rewritten_by_the_reference_the_finding_carries(release):
    table, rel = release
    # 75 in the sentence is 'total' (either figure) or 'value' (the Male share, by its row): without a
    # reference it is withheld; a recommendation names the numbers its sentence prints ('printed')
    numbers = {"value": 75.0, "n": 69, "denominator": 92, "total": 75}
    f = Finding("nte", "test_only", "75 of them.", numbers, indicators=INDICATORS)
    pf, _ = public_finding(f, table, rel.table, rules=RULES)
    assert pf is None
    f = Finding("nte", "test_only", "75 of them.", {**numbers, "printed": ["value"]}, indicators=INDICATORS)
    pf, why = public_finding(f, table, rel.table, rules=RULES)
    assert pf is not None, why
    assert pf.text == "78 of them."  # 70 of 90 = 77.8%, printed as the sentence printed it (no decimals)


def test_a_mean_s_group_size_is_not_a_withheld_figure():
    """A mean is published without its group size (neither published nor withheld). A cohort of 145 counted
    on a share row (145 published: a multiple of 5) and again as the group size of the cohort's mean age is
    one number the public table states: 145, not a figure that might be withheld."""
    share = indicator_rows(
        pd.DataFrame({"numerator": [110.0], "denominator": [145.0], "value": [100 * 110 / 145]}),
        section="cohorts",
        indicator="cohort_share",
        period="P",
        area="X",
        breakdown="sex",
        breakdown_value=["Male"],
        statistic="percentage",
        method="Wilson",
    )
    mean = indicator_rows(
        pd.DataFrame({"value": [14.95], "denominator": [145.0]}),
        section="cohorts",
        indicator="cohort_mean",
        period="P",
        area="X",
        breakdown="measure",
        breakdown_value=["age_at_first_offence"],
        statistic="mean",
        method="Mean",
    )
    table = pd.concat([share, mean], ignore_index=True)
    rel = public_release(table, RULES)
    published = rel.table.set_index("indicator")
    assert published.loc["cohort_share", "denominator"] == 145 and pd.isna(published.loc["cohort_mean", "denominator"])
    f = Finding("cohorts", "test_only", "", {"people": 145}, indicators=("cohort_share", "cohort_mean"))
    pf, why = public_finding(f, table, rel.table, rules=RULES, templated=True)
    assert pf is not None, why
    assert pf.numbers["people"] == 145
