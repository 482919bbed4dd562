"""Preventing serious violence: the evidence on interventions and the local needs it meets.

The evidence is data, each row with its source and retrieval date (ratings change, so the
date matters):

* ``yef_toolkit.csv`` - Youth Endowment Fund Toolkit approaches with estimated impact on
  violence (High, Moderate, Low, Unclear, Harmful), evidence quality (High, Low), as in the
  reference SNA's table, and the cost rating with what was checked to find it
  (``cost_source``): where the rating could not be read, ``cost`` says "Not available";
* ``cdc_strategies.csv`` - the six CDC (2016) strategies for preventing youth violence;
* ``needs_to_approaches.csv`` - which approaches answer which local need.

Needs are identified from the findings of earlier sections by the ``needs:`` rules of
``recommendation_rules.yaml`` (same grammar and override mechanism as the recommendations,
see :mod:`svsna.analyses.recommendations`). Each data file may be replaced by a file of the
same name next to ``area.yaml``; every file is validated when read
(:mod:`svsna.definitions.evidence`).

Contract for the runner: ``run(ctx, prior_findings)``, like the recommendations section.

Examples
--------
>>> yef = load_evidence_table("yef_toolkit")
>>> yef.loc[yef["approach"] == "Boot Camps", "impact"].item()
'Harmful'
>>> IMPACT_SCORE["High"], IMPACT_SCORE["Harmful"]
(3, -1)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from svsna.analyses._health_kit import make_finding, numbers
from svsna.analyses.recommendations import _cited, evaluate, for_definition
from svsna.definitions.evidence import NOT_AVAILABLE, NeedRule, load_evidence_table, load_rules, rules_paths
from svsna.indicators import Finding, SectionResult, indicator_rows

if TYPE_CHECKING:
    import pandas as pd

    from svsna.analyses._base import AnalysisContext

__all__ = [
    "IMPACT_SCORE",
    "REQUIRES",
    "SECTION",
    "identify_needs",
    "load_evidence_table",
    "match_approaches",
    "run",
]

SECTION = "interventions"
REQUIRES: tuple[str, ...] = ()  # evidence tables are shipped data
IMPACT_SCORE: dict[str, int] = {"Harmful": -1, "Unclear": 0, "Low": 1, "Moderate": 2, "High": 3}
IMPACT_UNIT = "impact rating (-1 harmful, 0 unclear, 1 low, 2 moderate, 3 high)"


def identify_needs(
    findings: Sequence[Finding], rules: Sequence[NeedRule | dict]
) -> list[tuple[NeedRule, list[Finding]]]:
    """Needs whose condition holds, each with the findings that triggered it."""
    out = []
    for rule in rules:
        model = rule if isinstance(rule, NeedRule) else NeedRule.model_validate(rule)
        ok, triggers = evaluate(model.when, findings)
        if ok:
            out.append((model, triggers))
    return out


def match_approaches(need_id: str, mapping: pd.DataFrame, yef: pd.DataFrame) -> list[dict[str, Any]]:
    """Approaches mapped to a need, with their YEF ratings (unrated approaches say so)."""
    rated = yef.set_index("approach")
    out = []
    for r in mapping[mapping["need_id"] == need_id].itertuples(index=False):
        known = r.approach in rated.index
        cdc = r.cdc_strategy
        out.append(
            {
                "approach": r.approach,
                "impact": rated.loc[r.approach, "impact"] if known else "Not rated",
                "evidence_quality": rated.loc[r.approach, "evidence_quality"] if known else "Not rated",
                "cost": rated.loc[r.approach, "cost"] if known else NOT_AVAILABLE,
                "cdc_strategy": None if cdc is None or cdc != cdc else int(cdc),
                "rationale": r.rationale,
            }
        )
    return sorted(out, key=lambda a: (-IMPACT_SCORE.get(a["impact"], -2), a["approach"]))


def run(ctx: AnalysisContext, prior_findings: Sequence[Finding] | None = None) -> SectionResult:
    """The evidence tables plus the needs identified from earlier findings and their approaches."""
    base = ctx.config.base_dir
    yef = load_evidence_table("yef_toolkit", base)
    cdc = load_evidence_table("cdc_strategies", base)
    mapping = load_evidence_table("needs_to_approaches", base)
    rows = indicator_rows(
        None,
        section=SECTION,
        indicator="yef_impact",
        period="",
        area=ctx.area_label,
        breakdown="approach",
        breakdown_value=yef["approach"].tolist(),
        value=[float(IMPACT_SCORE[v]) for v in yef["impact"]],
        statistic="score",
        unit=IMPACT_UNIT,
        method=[f"YEF Toolkit impact rating (retrieved {r})" for r in yef["retrieved"]],
        significance="Not compared",
        definition=ctx.definition,
    )
    area, definition = ctx.area_label, ctx.definition
    approaches = yef[["approach", "impact", "evidence_quality", "cost", "cost_source", "description", "source",
                      "retrieved"]].to_dict("records")  # fmt: skip
    costed = sum(1 for a in approaches if a["cost"] != NOT_AVAILABLE)
    findings = [
        make_finding(
            SECTION,
            "yef_evidence_table",
            f"Youth Endowment Fund Toolkit: estimated impact on violence, quality of evidence and cost of "
            f"{len(approaches)} approaches (cost rating available for {costed}).",
            numbers(
                period=str(max(yef["retrieved"])) if len(yef) else "",
                value=len(approaches),
                unit="approaches",
                statistic="count",
                n=len(approaches),
                approaches=approaches,
                cost_available=costed,
            ),
            area=area,
            definition=definition,
            indicators=["yef_impact"],
        ),
        make_finding(
            SECTION,
            "cdc_strategies",
            "The six CDC strategies for preventing violence involving young people.",
            numbers(
                value=len(cdc),
                unit="strategies",
                statistic="count",
                n=len(cdc),
                strategies=cdc[["number", "strategy", "approaches", "source", "retrieved"]].to_dict("records"),
            ),
            area=area,
            definition=definition,
        ),
    ]
    rules = load_rules(rules_paths(base), kind="needs")
    needs = identify_needs(for_definition(prior_findings, ctx.definition), rules)
    for rule, triggers in needs:
        keys = list(dict.fromkeys(f.key for f in triggers))
        findings.append(
            make_finding(
                SECTION,
                "need_identified",
                f"Need identified: {rule.need}.",
                numbers(
                    n=len(triggers),
                    need_id=rule.id,
                    need=rule.need,
                    finding_keys=keys,
                    evidence=[_cited(f) for f in triggers],
                ),
                area=area,
                definition=definition,
                indicators=sorted({i for f in triggers for i in f.indicators}),
            )
        )
        matched = match_approaches(rule.id, mapping, yef)
        if matched:
            names = ", ".join(f"{a['approach']} ({a['impact'].lower()} impact)" for a in matched)
            findings.append(
                make_finding(
                    SECTION,
                    "need_approaches",
                    f"Approaches for '{rule.need}': {names}.",
                    numbers(
                        value=len(matched),
                        unit="approaches",
                        statistic="count",
                        n=len(matched),
                        need_id=rule.id,
                        need=rule.need,
                        finding_keys=keys,
                        approaches=matched,
                    ),
                    area=area,
                    definition=definition,
                    indicators=["yef_impact"],
                )
            )
    return SectionResult(section=SECTION, indicators=rows, findings=findings)
