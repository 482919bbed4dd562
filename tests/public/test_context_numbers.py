"""Context numbers of a finding are declared where it is made, never guessed from their names.

A finding's number is either context (an hour, an age, a threshold: printed as it is) or a
statistic (printed only as a figure of the public indicator table). Which is which was once guessed
from words in the number's name, so a count named ``victims_under`` was printed raw in the public
summary (its name holds "under"), and the ages ``peak_ages`` were looked up by value among the
counts and came out as counts ("the most common ages were 15, 15 and 15"). These tests are the
attacks; under rule nhsd_2018 (counts 1-7 withheld, others rounded to the nearest 5, worked out by
hand below) both must fail.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from tests.public.rows import nte_perpetrator_sex_share

from svsna.analyses.findings_catalogue import context_of, declared_context, load_contract
from svsna.indicators import Finding, findings_from_json, findings_to_json, indicator_rows
from svsna.outputs.public import public_finding, public_release

RULES = "nhsd_2018"
#: single-year ages of NTE perpetrators and their involvements: the three most common ages are
#: 15 (19), 17 (18) and 19 (17), and the counts 15, 17 and 19 are those of other ages
AGES = {14: 12, 15: 19, 16: 15, 17: 18, 18: 11, 19: 17}


def _table() -> pd.DataFrame:
    ages = indicator_rows(
        pd.DataFrame({"value": [float(n) for n in AGES.values()], "numerator": [float(n) for n in AGES.values()]}),
        section="nte",
        indicator="nte_perpetrator_age",
        period="P",
        area="X",
        breakdown="age",
        breakdown_value=[str(a) for a in AGES],
        statistic="count",
        method="Count",
    )
    sex = nte_perpetrator_sex_share()
    victims = indicator_rows(
        pd.DataFrame({"value": [3.0, 40.0], "numerator": [3.0, 40.0]}),
        section="extent",
        indicator="victims_by_age",
        period="P",
        area="X",
        breakdown="age_group",
        breakdown_value=["Under 25", "25 and over"],
        statistic="count",
        method="Count",
    )
    return pd.concat([ages, sex, victims], ignore_index=True)


@pytest.fixture(scope="module")
def release():
    table = _table()
    return table, public_release(table, RULES)


# (a) a small count under a name holding a word the old guess took for context ("under", "age",
# "year", "rank", "level"): a statistic all the same, so never printed as it is
SMALL_COUNTS = [
    ("test_only", "victims_under"),
    ("test_only", "rank_count"),
    ("test_only", "level_total"),
    ("change_by_age_group", "under_current"),
    ("health_rate_ratio_under25", "count_under"),
    ("nte_victims", "involvements_known_age"),
    ("part_year_run_rate", "part_year_offences"),
    ("victims_of_under25_peak", "victims_known_age"),
]


@pytest.mark.parametrize(("key", "name"), SMALL_COUNTS)
def test_a_small_count_named_like_context_is_not_printed(release, key, name):
    table, rel = release
    published = rel.table.set_index(["indicator", "breakdown_value"])
    assert published.loc[("victims_by_age", "Under 25"), "suppressed"]  # 3 is withheld (1-7)
    f = Finding("extent", key, "", {"value": 40.0, "n": 40, name: 3}, indicators=("victims_by_age",))
    pf, why = public_finding(f, table, rel.table, rules=RULES, templated=True)
    assert pf is not None, why
    assert name not in pf.numbers  # dropped: the template leaves out its clause
    # written from the finding's own sentence: withheld rather than print the 3
    f = Finding("extent", key, f"{3} victims were under 25.", {"value": 40.0, name: 3}, indicators=("victims_by_age",))
    pf, why = public_finding(f, table, rel.table, rules=RULES)
    assert pf is None and f"'{name}' rests on a figure withheld" in why


def test_a_count_not_in_the_table_is_not_printed(release):
    table, rel = release
    f = Finding("extent", "test_only", "", {"value": 40.0, "victims_under": 2}, indicators=("victims_by_age",))
    pf, _ = public_finding(f, table, rel.table, rules=RULES, templated=True)
    assert "victims_under" not in pf.numbers


def test_a_count_inside_a_list_is_not_printed_raw(release):
    table, rel = release
    # 2 is no figure of the public table: the list entry holding it goes, the other keeps its
    # published count (40 stays 40 under the rule)
    top = [{"name": "Under 25", "victims_under": 2}, {"name": "25 and over", "count": 40}]
    f = Finding("extent", "test_only", "", {"value": 40.0, "top": top}, indicators=("victims_by_age",))
    pf, why = public_finding(f, table, rel.table, rules=RULES, templated=True)
    assert pf is not None, why
    assert pf.numbers["top"] == [{"name": "25 and over", "count": 40}]


def test_b_declared_ages_stay_ages_next_to_equal_counts(release):
    table, rel = release
    # by value, 15 is a count of 15 (published 15), 17 a count of 17 (published 15: the old
    # "15, 15 and ..."), 19 a count of 19 (published 20)
    published = rel.table.set_index(["indicator", "breakdown_value"])["value"]
    assert [published[("nte_perpetrator_age", a)] for a in ("16", "19", "15")] == [15, 15, 20]
    assert "peak_ages" in declared_context("nte_perpetrators")
    f = Finding(
        "nte",
        "nte_perpetrators",
        "",
        {"value": 75.0, "n": 92, "persons": 92, "male_share": 75.0, "peak_ages": [15, 17, 19]},
        indicators=("nte_perpetrator_age", "nte_perpetrator_sex_share"),
    )
    pf, why = public_finding(f, table, rel.table, rules=RULES, templated=True)
    assert pf is not None, why
    assert pf.numbers["peak_ages"] == [15, 17, 19]
    # a statistic beside them still takes its published value: 69 of 92 -> 70 of 90 = 77.8%
    assert pf.numbers["male_share"] == pytest.approx(100 * 70 / 90)


def test_declared_context_is_a_number_of_its_key():
    contracts = [load_contract()["keys"]]
    from svsna.analyses._health_kit import load_contract as health

    contracts.append(health()["keys"])
    standard = set(load_contract()["standard"])
    for keys in contracts:
        for key, spec in keys.items():
            names = set(spec.get("numbers") or {}) | standard
            for path in spec.get("context") or ():
                assert path.split(".")[0] in names, f"{key}: context {path!r} is not one of its numbers"


def test_findings_json_carries_context_and_older_files_load():
    f = Finding("timing", "peak_hour", "", {"hour": 15}, context=("hour",))
    back = findings_from_json(findings_to_json([f]))[0]
    assert back.context == ("hour",) and context_of(back) == ("hour",)
    old = json.loads(findings_to_json([f]))
    del old[0]["context"]  # written before context was declared
    back = findings_from_json(json.dumps(old))[0]
    assert back.context is None
    assert context_of(back) == ("hour", "next_hour", "under25_hour", "over25_hour")  # the contract's
    assert context_of(Finding("x", "not_a_key", "", {"hour": 15})) == ()  # undeclared: a statistic
    # a recommendation of an older file: the findings it cites keep their own key's context
    cited = [{"key": "missing_field", "numbers": {"threshold": 5}}, {"key": "peak_hour", "numbers": {"hour": 15}}]
    rec = Finding("recommendations", "recommendation", "", {"number": 1, "triggered_by": cited})
    assert context_of(rec)[:3] == ("number", "order", "triggered_by.0.numbers.threshold")
    assert "triggered_by.1.numbers.hour" in context_of(rec)
    assert "triggered_by.0.numbers.hour" not in context_of(rec)
