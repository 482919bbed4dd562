"""The six sections together: rows follow the indicator contract, findings follow the findings contract."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from svsna.analyses import data_quality, health, interventions, recommendations, risk_factors, surveys
from svsna.analyses._health_kit import STANDARD_NUMBERS, check_findings, load_contract, render_markdown
from svsna.indicators import INDICATOR_COLUMNS, STATISTICS, Finding, Significance, findings_from_json, findings_to_json

DOCS = Path(__file__).resolve().parents[2] / "docs"
SECTIONS = {"health", "risk_factors", "surveys", "interventions", "recommendations", "data_quality"}


def _extra_tables() -> dict[str, pd.DataFrame]:
    return {
        "survey_responses": pd.DataFrame(
            {"survey": ["S"] * 2, "respondent_id": ["a", "b"], "question": ["Q"] * 2, "answer": ["Yes", "No"],
             "weight": [1.0, 1.0], "area": ["A", "A"], "age_group": ["16-24", "25+"]}
        ),
        "area_indicators": pd.DataFrame(
            {"indicator_id": ["10401", "dfe_suspensions"], "indicator_name": ["First time entrants", "Suspensions"],
             "area_code": ["E06000016"] * 2, "area_name": ["Leicester"] * 2, "period": ["2020/21"] * 2,
             "value": [251.0, 4.0], "lower": [220.0, 3.5], "upper": [285.0, 4.5], "england_value": [169.0, None]}
        ),
    }  # fmt: skip


@pytest.fixture(scope="module")
def results(tmp_path_factory, builders_module):
    b = builders_module
    tables = {**b.health_tables(), **_extra_tables()}
    tables.update({k: v for k, v in b.dq_tables().items() if k in ("ledger",)})
    ctx = b.make_context(tmp_path_factory.mktemp("contract"), tables)
    out = [m.run(ctx) for m in (health, risk_factors, surveys)]
    prior = [f for r in out for f in r.findings]
    out.append(data_quality.run(ctx))
    prior += out[-1].findings
    # a police finding of another definition must not drive this definition's recommendations
    prior.append(Finding("timing", "peak_hour", "", {"hour": 15, "label": "15:00-15:59"}, definition="other"))
    out.append(interventions.run(ctx, prior))
    out.append(recommendations.run(ctx, prior))
    district = b.make_context(tmp_path_factory.mktemp("district"), b.district_tables())
    out.append(health.run(district))
    ctx.wh.close()
    district.wh.close()
    return out


def test_rows_follow_the_indicator_contract(results):
    doc = (DOCS / "indicators-health.md").read_text(encoding="utf-8")
    for res in results:
        assert res.section in SECTIONS
        t = res.indicators
        assert list(t.columns) == list(INDICATOR_COLUMNS)
        assert set(t["section"]) <= {res.section}
        assert set(t["statistic"]) <= set(STATISTICS), set(t["statistic"]) - set(STATISTICS)
        assert t["unit"].notna().all() and (t["unit"].str.len() > 0).all(), res.section
        assert set(t["significance"]) <= {s.value for s in Significance}, (res.section, set(t["significance"]))
        for name in set(t["indicator"]):
            generic = re.sub(r"^(ae|admissions|ambulance)_", "<src>_", name)
            if res.section == "risk_factors" and name != "admissions_mental_health_share":
                continue  # catalogue indicator ids
            assert f"`{name}`" in doc or f"`{generic}`" in doc or name.startswith("survey_"), name


def test_findings_follow_the_findings_contract(results):
    findings = [f for r in results for f in r.findings]
    assert check_findings(findings) == []
    for f in findings:
        assert tuple(f.numbers)[: len(STANDARD_NUMBERS)] == STANDARD_NUMBERS, f.key
        Significance(f.numbers["significance"])  # a member of the vocabulary, never free text
        assert f.significance == f.numbers["significance"]
    back = findings_from_json(findings_to_json(findings))
    assert [f.numbers for f in back] == [f.numbers for f in findings]


def test_every_contract_key_is_emitted_and_documented(results):
    emitted = {f.key for r in results for f in r.findings}
    keys = set(load_contract()["keys"])
    # these need police person tables or fired needs: test_data_quality.py and test_recommendations.py emit them
    elsewhere = {"offences_time_unknown", "input_outside_periods", "input_partial_coverage", "missing_field",
                 "offences_without_suspect", "need_identified", "need_approaches"}  # fmt: skip
    assert keys - emitted <= elsewhere
    assert emitted <= keys
    assert render_markdown() in (DOCS / "findings.md").read_text(encoding="utf-8")


def test_no_significance_claim_without_a_test(results):
    for f in (f for r in results for f in r.findings):
        if "significant" in f.text and "not significant" not in f.text and "not significantly" not in f.text:
            assert Significance(f.numbers["significance"]).is_significant or f.key in (
                "recommendation",
                "risk_factor_domain_summary",
                "health_district_rates",
                "need_identified",
                "need_approaches",
            ), (f.key, f.text)


def test_definition_independent_sections_run_once(tmp_path, builders):
    """Health, surveys, risk factors and data quality do not depend on the definition: with two
    definitions their rows appear once and recommendations of both definitions can use them."""
    from svsna.analyses import run_assessment

    tables = {**builders.health_tables(), **_extra_tables()}
    dec = tables["offence_decisions"]  # ingest applies every configured definition
    tables["offence_decisions"] = pd.concat([dec, dec.assign(definition="other_def")], ignore_index=True)
    ctx = builders.make_context(tmp_path, tables, definitions=["test_def", "other_def"])
    res = run_assessment(ctx.wh, ctx.config, sections=("health", "risk_factors", "surveys", "recommendations"))
    ctx.wh.close()
    ind = res.indicators
    for section in ("health", "surveys", "risk_factors"):
        rows = ind[ind["section"] == section]
        assert len(rows) > 0 and set(rows["definition"].fillna("")) == {""}, section
        assert not rows.duplicated(["indicator", "period", "area", "breakdown", "breakdown_value"]).any(), section
    recs = [f for f in res.findings if f.key == "recommendation"]
    by_def_keys = ("test_def", "other_def")
    assert {f.definition for f in recs} == {"test_def", "other_def"}
    # the risk-factor finding (run once, blank definition) drives the diversion rule of both definitions
    assert {f.definition for f in recs if f.numbers["rule_id"] == "diversion_ete"} == {"test_def", "other_def"}
    by_def = {d: [(f.numbers["rule_id"], f.numbers["number"]) for f in recs if f.definition == d] for d in by_def_keys}
    assert by_def["test_def"] == by_def["other_def"]
