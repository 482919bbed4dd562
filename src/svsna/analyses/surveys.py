"""Community and young people's surveys: weighted percentages with confidence intervals.

From respondent-level answers (warehouse table ``survey_responses``: ``survey,
respondent_id, question, answer, weight, area, age_group``) the section reports, for each
survey and question, the weighted percentage of respondents giving one of the **counted**
answers (for example Agree / Strongly agree, or Yes), overall, by age group and by area. Each
result says what was counted (``measure``: agreed, answered Yes, felt safe, or the list of
answers) so that a question such as "seen drug dealing" is reported as "answered Yes", never as
a "positive answer"; and each carries its number of respondents and its confidence interval.
The section does not depend on the serious-violence definition (``PER_DEFINITION = False``).

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

from svsna.analyses._health_kit import make_finding, numbers
from svsna.errors import ConfigError
from svsna.indicators import SectionResult, concat_indicators, empty_indicator_table, indicator_rows

if TYPE_CHECKING:
    import pandas as pd

    from svsna.analyses._base import AnalysisContext

__all__ = [
    "DEFAULT_POSITIVE",
    "PER_DEFINITION",
    "REQUIRES",
    "SECTION",
    "AnswerMapping",
    "load_answer_mapping",
    "measure_of",
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
#: Indicator of a survey's sample size: distinct respondents (a count; period = the survey).
RESPONDENTS = "respondents"


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
    # the engine returns groups in no fixed order; sorted, the weighted sums (floats) come out the same
    # in every run and on every engine
    order = ["survey", "question", "answer", "area", "age_group", "weight", "respondents"]
    return out.sort_values(order, na_position="first", kind="stable").reset_index(drop=True)


def measure_of(answers: list[str]) -> str:
    """What the counted answers mean, for the wording of a result.

    ``agree`` (Agree / Strongly agree), ``yes`` (Yes), ``safe`` (Very / Fairly safe) or
    ``answers`` (any other set: say which answers were counted).

    >>> measure_of(["Agree", "Strongly agree"]), measure_of(["Yes"]), measure_of(["Yes", "Agree"])
    ('agree', 'yes', 'answers')
    """
    low = {a.strip().lower() for a in answers}
    if low and low <= {"agree", "strongly agree"}:
        return "agree"
    if low == {"yes"}:
        return "yes"
    if low and low <= {"very safe", "fairly safe"}:
        return "safe"
    return "answers"


def _words(measure: str, answers: list[str], question: str) -> str:
    if measure == "agree":
        return f"agreed or strongly agreed with '{question}'"
    if measure == "yes":
        return f"answered Yes to '{question}'"
    if measure == "safe":
        return f"answered very or fairly safe to '{question}'"
    listed = " or ".join(f"'{a}'" for a in answers) or "none of the answers"
    return f"answered {listed} to '{question}'"


def _survey_summaries(ctx: AnalysisContext) -> pd.DataFrame:
    """Distinct respondents and questions per survey (one query)."""
    t = ctx.table("survey_responses")
    return ctx.fetch(
        t.group_by("survey").aggregate(respondents=t.respondent_id.nunique(), questions=t.question.nunique())
    )


def run(ctx: AnalysisContext, mapping: AnswerMapping | None = None) -> SectionResult:
    """Weighted percentages of the counted answers per survey and question, overall, by age group and area."""
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
    dropped = data[data["positive"].isna()]
    data = data[data["positive"].notna()]
    # expand counts into per-respondent weights only through sums: sum w = n * w, sum w^2 = n * w^2
    data["w"] = data["weight"] * data["respondents"]
    data["w2"] = data["weight"] ** 2 * data["respondents"]
    data["wpos"] = data["w"] * data["positive"].astype(float)
    rows, findings = [], []
    summary = _survey_summaries(ctx).sort_values("survey")
    if len(summary):  # each survey's sample size as a count, so the public release can publish it (rounded)
        rows.append(
            indicator_rows(
                section=SECTION,
                indicator=RESPONDENTS,
                period=[str(v) for v in summary["survey"]],
                area=ctx.area_label,
                breakdown="all",
                breakdown_value="all",
                numerator=summary["respondents"].astype(float).to_numpy(),
                value=summary["respondents"].astype(float).to_numpy(),
                statistic="count",
                unit="respondents",
                method="Count of distinct respondents",
                significance="Not compared",
                definition=ctx.definition,
            )
        )
    for r in summary.itertuples(index=False):
        sub = data[data["survey"] == r.survey]
        weighted = bool((sub["weight"] != 1.0).any())
        findings.append(
            make_finding(
                SECTION,
                "survey_summary",
                f"{r.survey}: {int(r.respondents):,} respondents, {int(r.questions)} questions"
                f"{' (weighted results)' if weighted else ''}.",
                numbers(
                    value=int(r.respondents),
                    unit="respondents",
                    statistic="count",
                    period=str(r.survey),
                    n=int(r.respondents),
                    survey=str(r.survey),
                    respondents=int(r.respondents),
                    questions=int(r.questions),
                    weighted=weighted,
                    confidence=ctx.confidence,
                ),
                area=ctx.area_label,
                definition=ctx.definition,
                indicators=[RESPONDENTS],
            )
        )
    for (survey, question), grp in data.groupby(["survey", "question"], sort=True):
        counted = sorted({str(a).strip() for a in grp.loc[grp["positive"].astype(bool), "answer"]})
        mine = dropped[(dropped["survey"] == survey) & (dropped["question"] == question)]
        excluded = sorted({str(a).strip() for a in mine["answer"] if a == a})
        measure = measure_of(counted)
        groupings = [("all", None), ("age_group", "age_group"), ("area", "area")]
        ind = f"survey_{question_slug(str(question))}"
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
                    statistic="percentage",
                    unit="%",
                    significance="Not compared",
                )
            )
            for i, label in enumerate(labels):
                r = st.loc[i]
                who = "respondents" if breakdown == "all" else f"respondents ({breakdown.replace('_', ' ')} {label})"
                findings.append(
                    make_finding(
                        SECTION,
                        "survey_result",
                        f"{r['value']:.0f}% of {meta[i][0]:,} {who} to the {survey} "
                        f"{_words(measure, counted, str(question))} ({r['lower']:.0f}% to {r['upper']:.0f}%).",
                        numbers(
                            value=r["value"],
                            lower=r["lower"],
                            upper=r["upper"],
                            unit="%",
                            statistic="percentage",
                            period=str(survey),
                            n=meta[i][0],
                            denominator=meta[i][0],
                            survey=str(survey),
                            question=str(question),
                            measure=measure,
                            answers_counted=counted,
                            answers_excluded=excluded,
                            group_by=breakdown,
                            group=label,
                            respondents=meta[i][0],
                            effective_n=n_eff[i],
                            weighted_positive=meta[i][1],
                            total_weight=meta[i][2],
                            confidence=ctx.confidence,
                        ),
                        area=ctx.area_label,
                        definition=ctx.definition,
                        indicators=[ind],
                    )
                )
    return SectionResult(section=SECTION, indicators=concat_indicators(rows), findings=findings)
