"""Each shipped recommendation and need rule fires exactly when its condition holds."""

from __future__ import annotations

from pathlib import Path

import pytest

from svsna.analyses import interventions, recommendations
from svsna.analyses.recommendations import load_rules, recommend
from svsna.errors import ConfigError
from svsna.indicators import Finding


def F(key, section="x", significance=None, **numbers):
    return Finding(section=section, key=key, text=f"{key} finding", numbers=numbers, significance=significance)


KNIFE = F("knife_share", "nature", share=10.0, count=50, total=500)
FREQ_KNIFE = F(
    "frequent_perpetrators", "cohorts", knife_carrier_share=47.0, mental_health_share=40.0, drugs_share=40.0, persons=12
)
ROBBERY = "Robbery of personal property"

# rule id -> (findings for which it must fire, findings for which it must not)
CASES: dict[str, tuple[list[Finding], list[Finding]]] = {
    "core_function": ([], None),
    "data_access_quality": ([], None),
    "data_use_in_planning": ([], None),
    "evaluation_learning": ([], None),
    "primary_early_intervention": ([], None),
    "prioritise_under25": (
        [F("rate_ratio_under25", "extent", "Higher", ratio=1.6, lower=1.5, upper=1.7)],
        [F("rate_ratio_under25", "extent", "Similar", ratio=1.1, lower=0.9, upper=1.3)],
    ),
    "prioritise_high_rate_areas": (
        [F("highest_rate_district", "geography", "Higher", district="Leicester", rate=9.47, whole_area_rate=5.34)],
        [F("highest_rate_district", "geography", "Similar", district="Leicester", rate=5.5, whole_area_rate=5.34)],
    ),
    "after_school_peak_schools": (
        [F("peak_hour", "timing", hour=17, label="17:00-17:59")],
        [F("peak_hour", "timing", hour=18, label="18:00-18:59"), F("peak_hour", "timing", hour=14, label="14:00")],
    ),
    "night_time_economy": (
        [F("nte_share", "timing", value=31.3, window="22:00-05:00")],
        [F("nte_share", "timing", value=25.0, window="22:00-05:00")],
    ),
    "cohort_risk_factors": (
        [F("frequent_perpetrators", "cohorts", mental_health_share=52.0, drugs_share=40.0, persons=12)],
        [
            F("frequent_perpetrators", "cohorts", mental_health_share=50.0, drugs_share=50.0, persons=12),
            # a one-person "cohort" must not drive a recommendation ("drugs 100%")
            F("frequent_perpetrators", "cohorts", mental_health_share=100.0, drugs_share=100.0, persons=1),
        ],
    ),
    "women_and_girls": (
        [F("sex_share", "perpetrators", female_share=24.1, male_share=75.9)],
        [F("sex_share", "perpetrators", female_share=19.9), F("sex_share", "victims", female_share=30.0)],
    ),
    "risk_factors_worse_than_england": (
        [
            F(
                "risk_factor_domain_summary",
                "risk_factors",
                domain="individual",
                worse=["Pupil absence"],
                worse_priority=["Pupil absence"],
            )
        ],
        [
            F("risk_factor_domain_summary", "risk_factors", domain="individual", worse=[]),
            F("risk_factor_domain_summary", "risk_factors", domain="community", worse=["Unemployment"]),
        ],
    ),
    "teachable_moment": (
        [F("ambulance_conveyed_under25_share", "health", value=75.0, lower=70.0)],
        [
            F("ambulance_conveyed_under25_share", "health", value=50.0, lower=45.0),
            F("ambulance_conveyed_under25_share", "health", value=60.0, lower=45.0),  # CI includes 50%
        ],
    ),
    "knife_focused_deterrence": (
        [KNIFE, FREQ_KNIFE],
        [
            KNIFE,
            F("frequent_perpetrators", "cohorts", knife_carrier_share=25.0, persons=12),
            F("frequent_perpetrators", "cohorts", knife_carrier_share=80.0, persons=9),
        ],
    ),
    "mentoring_under25_robbery": (
        [
            F(
                "offence_type_age_ratio",
                "nature",
                max_offence_type=ROBBERY,
                max_ratio=3.5,
                max_lower=2.1,
                separated=True,
            )
        ],
        [
            F("offence_type_age_ratio", "nature", max_offence_type=ROBBERY, max_ratio=1.2, max_lower=0.9),
            F("offence_type_age_ratio", "nature", max_offence_type="Murder", max_ratio=2.0, max_lower=1.2),
            # "most over-represented" on a ranking whose intervals overlap: no recommendation
            F(
                "offence_type_age_ratio",
                "nature",
                max_offence_type="Robbery of business property",
                max_ratio=2.6,
                max_lower=1.55,
                separated=False,
            ),
            # a finding that does not say whether its ranking is clear: no recommendation either
            F("offence_type_age_ratio", "nature", max_offence_type=ROBBERY, max_ratio=3.5, max_lower=2.1),
        ],
    ),
}

CASES.update(
    {
        "data_sharing_gaps": (
            [
                F(
                    "missing_field",
                    "data_quality",
                    field="suspects.ethnicity_group",
                    field_label="suspect ethnicity",
                    value=20.0,
                )
            ],
            [F("missing_field", "data_quality", field="suspects.ethnicity_group", value=19.9)],
        ),
        "high_harm_cohorts": (
            [F("frequent_perpetrators", "cohorts", persons=10)],
            [F("frequent_perpetrators", "cohorts", persons=9)],
        ),
        "diversion_ete": (
            [
                F(
                    "risk_factor_comparison",
                    "risk_factors",
                    "Worse",
                    name="First time entrants to the youth justice system",
                    area="Leicester",
                    value=251.0,
                    england_value=169.0,
                    unit="per 100,000",
                )
            ],
            [
                F("risk_factor_comparison", "risk_factors", "Similar", name="16-17 year olds NEET", value=5.0),
                F("risk_factor_comparison", "risk_factors", "Worse", name="Pupil absence", value=6.0),
            ],
        ),
        "trauma_informed": (
            [F("victim_offender_overlap", "cohorts", value=60.0)],
            [F("victim_offender_overlap", "cohorts", value=50.0)],
        ),
    }
)

NEED_CASES: dict[str, tuple[list[Finding], list[Finding]]] = {
    "after_school_peak": (CASES["after_school_peak_schools"][0], CASES["after_school_peak_schools"][1]),
    "night_time_economy": CASES["night_time_economy"],
    "repeat_offenders_mental_health": CASES["cohort_risk_factors"],
    "under25_robbery": CASES["mentoring_under25_robbery"],
    "knife_crime": ([KNIFE], [F("knife_share", "nature", share=9.9)]),
    "high_rate_areas": CASES["prioritise_high_rate_areas"],
    "young_people_conveyed": CASES["teachable_moment"],
    "women_and_girls": CASES["women_and_girls"],
}


def test_every_shipped_rule_has_a_case():
    assert {r.id for r in load_rules()} == set(CASES)
    assert {r.id for r in load_rules(kind="needs")} == set(NEED_CASES)


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_fires_exactly_when_condition_holds(rule_id):
    rule = next(r for r in load_rules() if r.id == rule_id)
    fire, quiet = CASES[rule_id]
    out = recommend(fire, [rule], area="TS", extra={"under": 25})
    assert len(out) == 1
    assert out[0].numbers["rule_id"] == rule_id
    assert [t["key"] for t in out[0].numbers["triggered_by"]] == [f.key for f in fire]
    assert "{" not in out[0].text
    if quiet is None:  # standing rule
        assert rule.when == "always" and rule.standing and out[0].numbers["standing"] is True
    else:
        for f in quiet:
            assert recommend([f], [rule], extra={"under": 25}) == [], (rule_id, f)


@pytest.mark.parametrize("need_id", sorted(NEED_CASES))
def test_need_identified_exactly_when_condition_holds(need_id):
    rule = next(r for r in load_rules(kind="needs") if r.id == need_id)
    fire, quiet = NEED_CASES[need_id]
    assert len(interventions.identify_needs(fire, [rule])) == 1
    for f in quiet:
        assert interventions.identify_needs([f], [rule]) == []


def test_finding_area_fills_the_area_placeholder():
    out = recommend(CASES["diversion_ete"][0], load_rules(), area="LLR")
    text = next(r.text for r in out if r.numbers["rule_id"] == "diversion_ete")
    assert "Leicester is significantly worse than England for First time entrants" in text
    assert "(251.0 vs 169.0 per 100,000)" in text


def test_texts_cite_the_figures():
    out = recommend(CASES["after_school_peak_schools"][0] + CASES["night_time_economy"][0], load_rules())
    texts = " ".join(r.text for r in out)
    assert "17:00-17:59" in texts and "31.3%" in texts
    levels = [r.numbers["level"] for r in out]
    assert levels == sorted(levels, key=recommendations.LEVELS.index)  # strategic first


def test_local_rules_add_replace_and_suppress(tmp_path, builders):
    (tmp_path / "recommendation_rules.yaml").write_text(
        """
suppress: [core_function]
recommendations:
  - id: evaluation_learning
    enabled: false
    level: strategic
    text: switched off
    when: always
    standing: true
  - id: local_peak
    level: intervention
    order: 1
    text: Local rule on the {label} peak in {area}.
    when: {finding: peak_hour, where: {hour: {in: [20, 21]}}}
"""
    )
    ctx = builders.make_context(tmp_path, {"population": builders.population_frame()}, base_dir=str(tmp_path))
    found = recommendations.run(ctx, [F("peak_hour", "timing", hour=21, label="21:00")]).findings
    ids = [f.numbers["rule_id"] for f in found]
    ctx.wh.close()
    assert "core_function" not in ids and "evaluation_learning" not in ids
    assert "local_peak" in ids and "data_access_quality" in ids
    assert "Local rule on the 21:00 peak in TS." in [f.text for f in found]
    assert ids.index("local_peak") > ids.index("data_access_quality")  # intervention level after strategic


def test_bad_rules_are_clear_errors(tmp_path):
    bad = tmp_path / "r.yaml"
    bad.write_text(
        "recommendations:\n  - {id: x, level: strategic, text: t, when: {finding: k, where: {v: {above: 3}}}}\n"
    )
    with pytest.raises(ConfigError, match=r"r\.yaml: rule 'x'.*unknown test.*above"):
        load_rules([bad])
    bad.write_text("recommendations:\n  - {id: y, level: tactical, text: t, when: always, standing: true}\n")
    with pytest.raises(ConfigError, match=r"rule 'y'.*field level.*'tactical'"):
        load_rules([bad])
    bad.write_text("recommendations:\n  - {id: w, level: strategic, text: t, when: always}\n")
    with pytest.raises(ConfigError, match=r"rule 'w'.*standing recommendation; add 'standing: true'"):
        load_rules([bad])
    bad.write_text("recommendations:\n  - {id: v, level: strategic, text: '{rate}', when: always, standing: true}\n")
    with pytest.raises(ConfigError, match=r"rule 'v'.*placeholder\(s\) \['rate'\] cannot be filled"):
        load_rules([bad])
    bad.write_text(
        "recommendations:\n  - {id: u, level: strategic, text: t, when: {finding: k, significance: higher}}\n"
    )
    with pytest.raises(ConfigError, match=r"rule 'u'.*unknown significance \['higher'\]"):
        load_rules([bad])
    bad.write_text("needs:\n  - {id: n1, need: t, when: always}\n")
    with pytest.raises(ConfigError, match=r"rule 'n1'.*a need must rest on findings"):
        load_rules([bad], kind="needs")
    rule = {"id": "z", "level": "strategic", "text": "{missing}", "when": {"finding": "k"}}
    with pytest.raises(ConfigError, match=r"placeholder \{missing\}"):
        recommend([F("k", value=1)], [rule])


def test_interventions_section(tmp_path, builders):
    ctx = builders.make_context(tmp_path, {"population": builders.population_frame()})
    res = interventions.run(ctx, CASES["after_school_peak_schools"][0])
    ctx.wh.close()
    table = next(f for f in res.findings if f.key == "yef_evidence_table").numbers["approaches"]
    assert len(table) == 14 and table[0]["approach"] == "Focused Deterrence"
    assert {a["approach"]: a["impact"] for a in table}["Boot Camps"] == "Harmful"
    assert len(next(f for f in res.findings if f.key == "cdc_strategies").numbers["strategies"]) == 6
    needs = [f.numbers["need_id"] for f in res.findings if f.key == "need_identified"]
    assert needs == ["after_school_peak"]
    match = next(f for f in res.findings if f.key == "need_approaches").numbers["approaches"]
    # ordered by YEF impact: Social Skills Training (High), Mentoring (Moderate), then the Low-impact ones
    assert [a["approach"] for a in match] == [
        "Social Skills Training",
        "Mentoring",
        "After-School Programmes",
        "Interventions to Prevent School Exclusions",
    ]
    r = res.indicators
    assert r.loc[r.breakdown_value == "Boot Camps", "value"].item() == -1.0
    assert set(r.statistic) == {"score"} and r.unit.str.startswith("impact rating").all()
    # the cost column is filled: a rating, or "Not available" with what was checked to find it
    for a in table:
        assert a["cost"] and a["cost_source"], a["approach"]
        if a["cost"] == "Not available":
            assert "checked" in a["cost_source"] and "youthendowmentfund.org.uk" in a["cost_source"]
    need = next(f for f in res.findings if f.key == "need_identified").numbers
    assert need["finding_keys"] == ["peak_hour"]


def test_evidence_tables_are_validated(tmp_path):
    from svsna.definitions.evidence import load_evidence_table

    yef = load_evidence_table("yef_toolkit")
    bad = tmp_path / "yef_toolkit.csv"
    bad.write_text(yef.assign(impact=["Huge", *yef.impact[1:]]).to_csv(index=False), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"yef_toolkit\.csv: row 2: column impact has value 'Huge'"):
        load_evidence_table("yef_toolkit", tmp_path)
    bad.write_text(yef.drop(columns=["cost_source"]).to_csv(index=False), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"missing column\(s\) \['cost_source'\]"):
        load_evidence_table("yef_toolkit", tmp_path)
    # every need of the shipped mapping is a shipped need rule, every approach a YEF approach
    mapping = load_evidence_table("needs_to_approaches")
    assert set(mapping.need_id) <= {r.id for r in load_rules(kind="needs")}
    assert set(mapping.approach) <= set(yef.approach)


def test_guide_example_override_works(tmp_path):
    from pathlib import Path

    guide = (Path(__file__).resolve().parents[2] / "docs" / "recommendation-rules.md").read_text(encoding="utf-8")
    example = guide.split("```yaml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "recommendation_rules.yaml"
    path.write_text(example, encoding="utf-8")
    rules = load_rules([path])
    assert "data_use_in_planning" not in {r.id for r in rules}
    nte = F("nte_share", "timing", value=22.0, window="22:00-05:00")  # fires locally (> 20), not by default (> 25)
    assert recommend([nte], [r for r in load_rules() if r.id == "night_time_economy"]) == []
    out = recommend([nte], [r for r in rules if r.id == "night_time_economy"])
    assert out[0].text == "Strengthen NTE partnership work; 22.0% of serious violence is in the NTE (22:00-05:00)."
    peak = F("peak_hour", "timing", hour=15, label="15:00-15:59")
    rr = F("rate_ratio_under25", "extent", "Higher", ratio=1.6, lower=1.4)
    local = [r for r in rules if r.id == "local_school_holidays"]
    assert recommend([peak, rr], local, area="LLR")[0].text.endswith("the peak hour is 15:00-15:59.")
    assert recommend([peak], local) == []
    needs = load_rules([path], kind="needs")
    assert interventions.identify_needs([F("peak_hour", "timing", hour=14)], needs)


DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_standing_rules_are_flagged_and_data_driven_rules_name_documented_keys():
    documented = (DOCS / "findings.md").read_text(encoding="utf-8") + (DOCS / "indicators.md").read_text(
        encoding="utf-8"
    )
    for rule in [*load_rules(), *load_rules(kind="needs")]:
        standing = getattr(rule, "standing", False)
        if rule.when == "always":
            assert standing, rule.id
            assert rule.finding_keys == []
        else:
            assert not standing and rule.finding_keys, rule.id
            for key in rule.finding_keys:
                assert f"`{key}`" in documented, (rule.id, key)
    # and on the findings: every standing recommendation says so, every other names its findings
    fired = recommend([f for fire, _ in CASES.values() for f in fire], load_rules(), area="TS", extra={"under": 25})
    assert {r.numbers["rule_id"] for r in fired} == set(CASES)
    for r in fired:
        if r.numbers["standing"]:
            assert r.numbers["finding_keys"] == [] and r.numbers["triggered_by"] == []
        else:
            assert r.numbers["finding_keys"] and set(r.numbers["finding_keys"]) <= set(r.numbers["rule_finding_keys"])
            assert [t["key"] for t in r.numbers["triggered_by"]]


def test_one_numbering_in_order_of_level_then_order():
    fired = recommend([f for fire, _ in CASES.values() for f in fire], load_rules(), area="TS", extra={"under": 25})
    assert [r.numbers["number"] for r in fired] == list(range(1, len(fired) + 1))
    levels = [r.numbers["level"] for r in fired]
    assert levels == sorted(levels, key=recommendations.LEVELS.index)
    strategic = [r.numbers["order"] for r in fired if r.numbers["level"] == "strategic"]
    assert strategic == sorted(strategic) and len(set(strategic)) == len(strategic)
    # the same findings always give the same numbers (both editions read these findings)
    again = recommend([f for fire, _ in CASES.values() for f in fire], load_rules(), area="TS", extra={"under": 25})
    assert [(r.numbers["rule_id"], r.numbers["number"]) for r in again] == [
        (r.numbers["rule_id"], r.numbers["number"]) for r in fired
    ]
    # with fewer rules firing, the numbers close up: 1..n, never gaps
    few = recommend([], load_rules())
    assert [r.numbers["number"] for r in few] == list(range(1, len(few) + 1))
    assert all(r.numbers["standing"] for r in few)


def test_missing_number_is_written_not_available():
    rule = {"id": "m", "level": "strategic", "text": "Drugs {drugs_share:.0f}%.", "when": {"finding": "k"}}
    out = recommend([F("k", drugs_share=None)], [rule])
    assert out[0].text == "Drugs not available%."
