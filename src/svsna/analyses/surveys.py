"""Community and young people's surveys: weighted percentages with confidence intervals.

From respondent-level answers (warehouse table ``survey_responses``: ``survey,
respondent_id, question, answer, weight, area, age_group``) the section reports, for each
survey and question, the weighted percentage of **positive** answers overall, by age group
and by area.

Method
------
With weights w_i and positive indicator y_i (1 if the answer is positive, else 0):

* weighted proportion p = sum(w_i y_i) / sum(w_i);
* Kish effective sample size n_eff = (sum w_i)^2 / sum(w_i^2) (Kish, L. (1965) *Survey
  Sampling*, New York: Wiley, section 11.7), which equals n when all weights are equal;
* the Wilson score interval (:func:`svsna.stats.proportion`) for p x n_eff "successes" out
  of n_eff trials, i.e. the Wilson interval with the effective sample size in place of n.

Which answers count as positive is a mapping, by default ``Agree``, ``Strongly agree``,
``Yes``, ``Very safe`` and ``Fairly safe`` (case-insensitive); blank answers are dropped.
An analyst changes it with ``survey_answers.yaml`` next to ``area.yaml``::

    positive: [Agree, Strongly agree, Yes]
    exclude: ["Don't know", Prefer not to say]

Respondents with a missing weight count with weight 1.

Examples
--------
>>> import pandas as pd
>>> weighted_positive(pd.Series([True, False, True]), pd.Series([1.0, 1.0, 2.0]))  # n_eff = 4**2 / 6
(0.75, 2.6666666666666665)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from svsna.errors import ConfigError
from svsna.indicators import Finding, SectionResult, concat_indicators, empty_indicator_table, indicator_rows

if TYPE_CHECKING:
    import pandas as pd

    from svsna.analyses._base import AnalysisContext

__all__ = [
    "DEFAULT_POSITIVE",
    "REQUIRES",
    "SECTION",
    "AnswerMapping",
    "load_answer_mapping",
    "question_slug",
    "run",
    "survey_table",
    "weighted_positive",
]

SECTION = "surveys"
#: Area indicators and surveys do not depend on the serious-violence definition: run once.
PER_DEFINITION = False
REQUIRES: tuple[str, ...] = ("survey_responses",)
DEFAULT_POSITIVE: tuple[str, ...] = ("agree", "strongly agree", "yes", "very safe", "fairly safe")
METHOD = "Weighted proportion; Wilson interval on Kish effective n"


@dataclass(frozen=True)
class AnswerMapping:
    """Answers counted as positive, and answers dropped from the denominator (lower case)."""

    positive: frozenset[str] = frozenset(DEFAULT_POSITIVE)
    exclude: frozenset[str] = field(default_factory=frozenset)

    def classify(self, answer: Any) -> bool | None:
        """True (positive), False (other answer) or None (dropped).

        >>> AnswerMapping().classify(" Strongly Agree "), AnswerMapping().classify("No"), AnswerMapping().classify("")
        (True, False, None)
        """
        if answer is None or answer != answer:
            return None
        a = str(answer).strip().lower()
        if not a or a in self.exclude:
            return None
        return a in self.positive


def load_answer_mapping(base_dir: Path | None) -> AnswerMapping:
    """Read ``survey_answers.yaml`` from the area folder if present, else the default mapping."""
    import yaml

    if base_dir is None or not (Path(base_dir) / "survey_answers.yaml").exists():
        return AnswerMapping()
    path = Path(base_dir) / "survey_answers.yaml"
    # BaseLoader keeps every scalar a string: YAML 1.1 would otherwise read Yes/No as booleans
    raw = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader) or {}
    if not isinstance(raw, dict) or set(raw) - {"positive", "exclude"}:
        raise ConfigError(f"{path}: expected the keys 'positive' and optionally 'exclude' (lists of answers)")
    for key in raw:
        if not isinstance(raw[key], list):
            raise ConfigError(f"{path}: {key} must be a list of answers, got {raw[key]!r}")
    return AnswerMapping(
        positive=frozenset(str(a).strip().lower() for a in raw.get("positive", DEFAULT_POSITIVE)),
        exclude=frozenset(str(a).strip().lower() for a in raw.get("exclude", [])),
    )


def question_slug(question: str) -> str:
    """Machine name of a question.

    >>> question_slug("Feel safe outside in local area at night?")
    'feel_safe_outside_in_local_area_at_night'
    """
    return re.sub(r"[^a-z0-9]+", "_", question.lower()).strip("_")


def weighted_positive(positive: pd.Series, weights: pd.Series) -> tuple[float, float]:
    """Weighted proportion positive and the Kish effective sample size."""
    w = weights.astype(float)
    total = float(w.sum())
    p = float((w * positive.astype(float)).sum()) / total
    n_eff = total**2 / float((w**2).sum())
    return p, n_eff


def survey_table(ctx: AnalysisContext) -> pd.DataFrame:
    """Respondent answers, aggregated in the warehouse to one row per distinct
    (survey, question, answer, area, age group, weight) with the number of respondents."""
    import ibis

    t = ctx.table("survey_responses")
    cols = set(t.columns)
    keys: dict[str, Any] = {"survey": t.survey, "question": t.question, "answer": t.answer}
    keys["weight"] = t.weight.cast("float64").fill_null(1.0) if "weight" in cols else ibis.literal(1.0)
    for opt in ("area", "age_group"):
        if opt in cols:
            keys[opt] = t[opt]
    out = ctx.wh.execute(t.group_by(**keys).aggregate(respondents=t.count()))
    for opt in ("area", "age_group"):
        if opt not in out.columns:
            out[opt] = None
    return out


def run(ctx: AnalysisContext, mapping: AnswerMapping | None = None) -> SectionResult:
    """Weighted positive percentages per survey and question, overall, by age group and area."""
    import numpy as np

    from svsna.stats import proportion

    if not ctx.has("survey_responses"):
        return SectionResult(section=SECTION, indicators=empty_indicator_table(), findings=[])
    mapping = mapping or load_answer_mapping(ctx.config.base_dir)
    data = survey_table(ctx)
    bad = data[data["weight"] < 0]
    if len(bad):
        r = bad.iloc[0]
        raise ConfigError(
            f"warehouse table survey_responses: column weight has negative value {r['weight']} "
            f"(survey {r['survey']!r}, question {r['question']!r}); hint: survey weights must be 0 or more"
        )
    data["positive"] = [mapping.classify(a) for a in data["answer"]]
    data = data[data["positive"].notna()]
    # expand counts into per-respondent weights only through sums: sum w = n * w, sum w^2 = n * w^2
    data["w"] = data["weight"] * data["respondents"]
    data["w2"] = data["weight"] ** 2 * data["respondents"]
    data["wpos"] = data["w"] * data["positive"].astype(float)
    rows, findings = [], []
    for (survey, question), grp in data.groupby(["survey", "question"], sort=True):
        groupings = [("all", None), ("age_group", "age_group"), ("area", "area")]
        for breakdown, col in groupings:
            parts = [("all", grp)] if col is None else list(grp[grp[col].notna()].groupby(col, sort=True))
            if not parts:
                continue
            labels, n_eff, x_eff, meta = [], [], [], []
            for label, g in parts:
                total_w, total_w2 = float(g["w"].sum()), float(g["w2"].sum())
                if total_w <= 0:
                    continue
                p = float(g["wpos"].sum()) / total_w
                ne = total_w**2 / total_w2
                labels.append(str(label))
                n_eff.append(ne)
                x_eff.append(p * ne)
                meta.append((int(g["respondents"].sum()), float(g["wpos"].sum()), total_w))
            if not labels:
                continue
            st = proportion(np.array(x_eff), np.array(n_eff), confidence=ctx.confidence, multiplier=100)
            st["method"] = np.where(st["method"] == "Wilson", METHOD, st["method"])
            ind = f"survey_{question_slug(str(question))}"
            rows.append(
                indicator_rows(
                    st,
                    section=SECTION,
                    indicator=ind,
                    period=str(survey),
                    area=ctx.area_label,
                    breakdown=breakdown,
                    breakdown_value=labels,
                    definition=ctx.definition,
                )
            )
            for i, label in enumerate(labels):
                r = st.loc[i]
                who = "respondents" if breakdown == "all" else f"respondents ({breakdown.replace('_', ' ')} {label})"
                findings.append(
                    Finding(
                        section=SECTION,
                        key="survey_result",
                        text=f"{r['value']:.0f}% of {who} to the {survey} answered positively to "
                        f"'{question}' ({r['lower']:.0f}-{r['upper']:.0f}%).",
                        numbers={
                            "survey": str(survey),
                            "question": str(question),
                            "group_by": breakdown,
                            "group": label,
                            "value": float(r["value"]),
                            "lower": float(r["lower"]),
                            "upper": float(r["upper"]),
                            "respondents": meta[i][0],
                            "effective_n": float(n_eff[i]),
                            "weighted_positive": meta[i][1],
                            "total_weight": meta[i][2],
                        },
                        period=str(survey),
                        area=ctx.area_label,
                        definition=ctx.definition,
                        indicators=[ind],
                    )
                )
    return SectionResult(section=SECTION, indicators=concat_indicators(rows), findings=findings)
