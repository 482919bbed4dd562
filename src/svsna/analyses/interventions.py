"""Preventing serious violence: the evidence on interventions and the local needs it meets.

The evidence is data, each row with its source and retrieval date (ratings change, so the
date matters):

* ``yef_toolkit.csv`` - Youth Endowment Fund Toolkit approaches with estimated impact on
  violence (High, Moderate, Low, Unclear, Harmful) and evidence quality (High, Low), as in the
  reference SNA's table;
* ``cdc_strategies.csv`` - the six CDC (2016) strategies for preventing youth violence;
* ``needs_to_approaches.csv`` - which approaches answer which local need.

Needs are identified from the findings of earlier sections by the ``needs:`` rules of
``recommendation_rules.yaml`` (same grammar and override mechanism as the recommendations,
see :mod:`svsna.analyses.recommendations`). Each data file may be replaced by a file of the
same name next to ``area.yaml``.

Contract for the runner: ``run(ctx, prior_findings)``, like the recommendations section.

Examples
--------
>>> yef = load_table("yef_toolkit", None)
>>> yef.loc[yef["approach"] == "Boot Camps", "impact"].item()
'Harmful'
>>> IMPACT_SCORE["High"], IMPACT_SCORE["Harmful"]
(3, -1)
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from svsna.analyses.recommendations import evaluate, for_definition, load_rules, rules_paths
from svsna.errors import ConfigError
from svsna.indicators import Finding, SectionResult, indicator_rows

if TYPE_CHECKING:
    import pandas as pd

    from svsna.analyses._base import AnalysisContext

__all__ = [
    "IMPACT_SCORE",
    "REQUIRES",
    "SECTION",
    "TABLE_COLUMNS",
    "identify_needs",
    "load_table",
    "match_approaches",
    "run",
]

SECTION = "interventions"
REQUIRES: tuple[str, ...] = ()  # evidence tables are shipped data
IMPACT_SCORE: dict[str, int] = {"Harmful": -1, "Unclear": 0, "Low": 1, "Moderate": 2, "High": 3}
TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "yef_toolkit": ("approach", "impact", "evidence_quality", "cost", "description", "source", "retrieved"),
    "cdc_strategies": ("number", "strategy", "approaches", "source", "retrieved"),
    "needs_to_approaches": ("need_id", "approach", "cdc_strategy", "rationale", "source"),
}


def load_table(name: str, base_dir: Path | None) -> pd.DataFrame:
    """One evidence table: ``<area folder>/<name>.csv`` if present, else the shipped file."""
    import pandas as pd

    path = Path(str(resources.files("svsna"))) / "definitions" / "data" / f"{name}.csv"
    if base_dir is not None and (Path(base_dir) / f"{name}.csv").exists():
        path = Path(base_dir) / f"{name}.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in TABLE_COLUMNS[name] if c not in frame.columns]
    if missing:
        raise ConfigError(
            f"{path}: missing column(s) {missing}; hint: the header must be {','.join(TABLE_COLUMNS[name])}"
        )
    if name == "yef_toolkit":
        for i, v in enumerate(frame["impact"], start=2):
            if v not in IMPACT_SCORE:
                raise ConfigError(f"{path}: row {i}: column impact has value {v!r}; use one of {list(IMPACT_SCORE)}")
    return frame


def identify_needs(findings: Sequence[Finding], rules: Sequence[dict[str, Any]]) -> list[tuple[dict, list[Finding]]]:
    """Needs whose condition holds, each with the findings that triggered it."""
    out = []
    for rule in rules:
        ok, triggers = evaluate(rule["when"], findings)
        if ok:
            out.append((rule, triggers))
    return out


def match_approaches(need_id: str, mapping: pd.DataFrame, yef: pd.DataFrame) -> list[dict[str, Any]]:
    """Approaches mapped to a need, with their YEF ratings (unrated approaches say so)."""
    rated = yef.set_index("approach")
    out = []
    for r in mapping[mapping["need_id"] == need_id].itertuples(index=False):
        known = r.approach in rated.index
        out.append(
            {
                "approach": r.approach,
                "impact": rated.loc[r.approach, "impact"] if known else "Not rated",
                "evidence_quality": rated.loc[r.approach, "evidence_quality"] if known else "Not rated",
                "cdc_strategy": int(r.cdc_strategy) if str(r.cdc_strategy).strip().isdigit() else None,
                "rationale": r.rationale,
            }
        )
    return sorted(out, key=lambda a: (-IMPACT_SCORE.get(a["impact"], -2), a["approach"]))


def run(ctx: AnalysisContext, prior_findings: Sequence[Finding] | None = None) -> SectionResult:
    """The evidence tables plus the needs identified from earlier findings and their approaches."""
    base = ctx.config.base_dir
    yef = load_table("yef_toolkit", base)
    cdc = load_table("cdc_strategies", base)
    mapping = load_table("needs_to_approaches", base)
    rows = indicator_rows(
        None,
        section=SECTION,
        indicator="yef_impact",
        period="",
        area=ctx.area_label,
        breakdown="approach",
        breakdown_value=yef["approach"].tolist(),
        value=[float(IMPACT_SCORE[v]) for v in yef["impact"]],
        method=[
            f"YEF Toolkit rating (retrieved {r}); evidence {q}"
            for r, q in zip(yef["retrieved"], yef["evidence_quality"], strict=True)
        ],
        definition=ctx.definition,
    )
    findings = [
        Finding(
            section=SECTION,
            key="yef_evidence_table",
            text="Youth Endowment Fund Toolkit: estimated impact on violence and quality of evidence by approach.",
            numbers={
                "approaches": yef[["approach", "impact", "evidence_quality", "cost", "source", "retrieved"]].to_dict(
                    "records"
                )
            },
            area=ctx.area_label,
            definition=ctx.definition,
            indicators=["yef_impact"],
        ),
        Finding(
            section=SECTION,
            key="cdc_strategies",
            text="The six CDC strategies for preventing violence involving young people.",
            numbers={
                "strategies": [
                    {**r, "number": int(r["number"])}
                    for r in cdc[["number", "strategy", "approaches", "source", "retrieved"]].to_dict("records")
                ]
            },
            area=ctx.area_label,
            definition=ctx.definition,
        ),
    ]
    needs = identify_needs(for_definition(prior_findings, ctx.definition), load_rules(rules_paths(base), kind="needs"))
    for rule, triggers in needs:
        evidence = [{"section": f.section, "key": f.key, "text": f.text, "numbers": dict(f.numbers)} for f in triggers]
        findings.append(
            Finding(
                section=SECTION,
                key="need_identified",
                definition=ctx.definition,
                text=f"Need identified: {rule.get('need', rule['id'])}.",
                numbers={"need_id": rule["id"], "need": rule.get("need", rule["id"]), "evidence": evidence},
                area=ctx.area_label,
                indicators=sorted({i for f in triggers for i in f.indicators}),
            )
        )
        approaches = match_approaches(rule["id"], mapping, yef)
        if approaches:
            names = ", ".join(f"{a['approach']} ({a['impact'].lower()} impact)" for a in approaches)
            findings.append(
                Finding(
                    section=SECTION,
                    key="need_approaches",
                    definition=ctx.definition,
                    text=f"Approaches for '{rule.get('need', rule['id'])}': {names}.",
                    numbers={"need_id": rule["id"], "need": rule.get("need", rule["id"]), "approaches": approaches},
                    area=ctx.area_label,
                    indicators=["yef_impact"],
                )
            )
    return SectionResult(section=SECTION, indicators=rows, findings=findings)
