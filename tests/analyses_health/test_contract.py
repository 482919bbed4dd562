"""The five sections together: outputs follow the indicator-table and findings contract."""

from __future__ import annotations

import re
from pathlib import Path

from svsna.analyses import health, interventions, recommendations, risk_factors, surveys
from svsna.indicators import INDICATOR_COLUMNS, Finding, findings_from_json, findings_to_json

DOC = Path(__file__).resolve().parents[2] / "docs" / "indicators-health.md"


def test_sections_run_together_and_serialise(tmp_path, builders):
    import pandas as pd

    tables = builders.health_tables()
    tables["survey_responses"] = pd.DataFrame(
        {"survey": ["S"] * 2, "respondent_id": ["a", "b"], "question": ["Q"] * 2, "answer": ["Yes", "No"],
         "weight": [1.0, 1.0], "area": ["A", "A"], "age_group": ["16-24", "25+"]}
    )  # fmt: skip
    ctx = builders.make_context(tmp_path, tables)
    results = [m.run(ctx) for m in (health, risk_factors, surveys)]
    prior = [f for r in results for f in r.findings]
    # a police finding of another definition must not drive this definition's recommendations
    prior.append(Finding("timing", "peak_hour", "", {"hour": 15, "label": "15:00-15:59"}, definition="other"))
    results.append(interventions.run(ctx, prior))
    results.append(recommendations.run(ctx, prior))
    ctx.wh.close()
    doc = DOC.read_text(encoding="utf-8")
    for res in results:
        assert res.section in {"health", "risk_factors", "surveys", "interventions", "recommendations"}
        assert list(res.indicators.columns) == list(INDICATOR_COLUMNS)
        assert set(res.indicators["section"]) <= {res.section}
        back = findings_from_json(findings_to_json(res.findings))
        assert [f.key for f in back] == [f.key for f in res.findings]
        for f in res.findings:  # every finding key is documented for the report
            assert f"`{f.key}`" in doc, f.key
        for name in set(res.indicators["indicator"]):
            generic = re.sub(r"^(ae|admissions|ambulance)_", "<src>_", name)
            assert f"`{name}`" in doc or f"`{generic}`" in doc or name.startswith("survey_"), name
    recs = results[-1].findings
    assert "after_school_peak_schools" not in [f.numbers["rule_id"] for f in recs]
    assert "teachable_moment" in [f.numbers["rule_id"] for f in recs]  # 66.7% of conveyed are under 25


def test_definition_independent_sections_run_once(tmp_path, builders):
    """Surveys and area indicators do not depend on the definition: with two definitions their
    rows appear once (blank definition) and recommendations of both definitions can use them."""
    import pandas as pd

    from svsna.analyses import run_assessment

    tables = builders.health_tables()
    tables["survey_responses"] = pd.DataFrame(
        {"survey": ["S"] * 2, "respondent_id": ["a", "b"], "question": ["Q"] * 2, "answer": ["Yes", "No"],
         "weight": [1.0, 1.0], "area": ["A", "A"], "age_group": ["16-24", "25+"]}
    )  # fmt: skip
    dec = tables["offence_decisions"]  # ingest applies every configured definition
    tables["offence_decisions"] = pd.concat([dec, dec.assign(definition="other_def")], ignore_index=True)
    ctx = builders.make_context(tmp_path, tables, definitions=["test_def", "other_def"])
    res = run_assessment(ctx.wh, ctx.config, sections=("health", "surveys"))
    ctx.wh.close()
    ind = res.indicators
    surveys_rows = ind[ind["section"] == "surveys"]
    assert len(surveys_rows) > 0 and set(surveys_rows["definition"].fillna("")) == {""}
    assert not surveys_rows.duplicated(["indicator", "breakdown", "breakdown_value"]).any()
    # health depends on the police peak hour, so it runs once per definition
    assert set(ind.loc[ind["section"] == "health", "definition"]) == {"test_def", "other_def"}
