"""Recommendations: standing ones, and data-driven ones fired by transparent rules kept as data.

Rules live in ``svsna/definitions/data/recommendation_rules.yaml`` and are validated by
:class:`svsna.definitions.evidence.RulesFile` when read. Each rule says when it fires (a
condition on the findings produced by the other sections), its level (``strategic`` or
``intervention``), its place in the list and the sentence to write, with ``{placeholders}``
filled from the numbers of the finding(s) that triggered it.

* A rule that fires ``when: always`` is a **standing** recommendation (``standing: true`` in the
  file, and on the finding): it does not depend on the data and the report presents it so.
* Every other recommendation names the finding keys it rests on (``numbers.finding_keys``) and
  carries those findings' numbers (``numbers.triggered_by``), so a reader can see why it was made.
* The recommendations that fire are numbered once, here (``numbers.number``: strategic first,
  then intervention, each by ``order``), so that both editions of the report show the same
  number for the same recommendation.

Condition grammar (YAML)::

    when: always                      # standing recommendation (with standing: true)
    when:                             # some finding with this key (and section) whose numbers pass
      finding: peak_hour
      section: timing                 # optional
      significance: [Higher]          # optional: the finding's significance is one of these
      where:                          # optional: every test must pass
        hour: {between: [15, 17]}     # also gt, ge, lt, le, eq, ne, in, contains, nonempty, is
    when: {all: [<cond>, <cond>]}     # and; {any: [...]} or; {not: <cond>}

Analysts change the rules without touching code: a ``recommendation_rules.yaml`` next to
``area.yaml`` (or the file named by ``$SVSNA_RECOMMENDATION_RULES``) may add rules, replace
shipped rules with the same ``id``, switch rules off with ``enabled: false`` or list them
under ``suppress:``; ``replace_defaults: true`` ignores the shipped rules entirely.

Contract for the runner: ``run(ctx, prior_findings)`` takes the findings of every section
run before it (police and health) and returns the ``recommendations`` section.

Examples
--------
>>> from svsna.indicators import Finding
>>> f = Finding(section="timing", key="peak_hour", text="", numbers={"hour": 15, "label": "15:00-15:59"})
>>> rule = {"id": "r", "level": "strategic", "text": "After-school peak at {label}.",
...         "when": {"finding": "peak_hour", "where": {"hour": {"between": [15, 17]}}}}
>>> [(r.text, r.numbers["number"], r.numbers["finding_keys"]) for r in recommend([f], [rule])]
[('After-school peak at 15:00-15:59.', 1, ['peak_hour'])]
>>> recommend([f], [{**rule, "when": {"finding": "peak_hour", "where": {"hour": {"gt": 20}}}}])
[]
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from svsna.analyses._health_kit import clean, numbers
from svsna.definitions.evidence import (
    LEVELS,
    TESTS,
    AllCondition,
    AnyCondition,
    Check,
    FindingCondition,
    NotCondition,
    RecommendationRule,
    load_rules,
    rules_paths,
    validate_rule,
)
from svsna.errors import ConfigError
from svsna.indicators import Finding, SectionResult, Significance, empty_indicator_table

if TYPE_CHECKING:
    from svsna.analyses._base import AnalysisContext

__all__ = [
    "LEVELS",
    "REQUIRES",
    "SECTION",
    "TESTS",
    "evaluate",
    "fill_text",
    "for_definition",
    "load_rules",
    "recommend",
    "rules_paths",
    "run",
]

SECTION = "recommendations"
REQUIRES: tuple[str, ...] = ()  # works from findings alone


# ---------------------------------------------------------------- evaluating rules
def _lookup(nums: Mapping[str, Any], path: str) -> Any:
    cur: Any = nums
    for part in path.split("."):
        if not isinstance(cur, Mapping) or part not in cur:
            return None
        cur = cur[part]
    return cur


_COMPARE = {
    "gt": operator.gt,
    "ge": operator.ge,
    "lt": operator.lt,
    "le": operator.le,
    "eq": operator.eq,
    "ne": operator.ne,
}


def _passes(value: Any, test: Any) -> bool:
    if not isinstance(test, Check):
        return value == test
    for op, arg in test.given.items():
        if op == "nonempty":
            ok = bool(value) == bool(arg)
        elif op == "is":
            ok = value is arg or value == arg
        elif value is None:
            return False
        elif op == "contains":
            ok = str(arg).lower() in str(value).lower()
        elif op == "in":
            ok = value in arg
        elif op == "between":
            ok = arg[0] <= value <= arg[1]
        else:
            try:
                ok = bool(_COMPARE[op](value, arg))
            except TypeError:  # a number compared with text: the test does not pass
                return False
        if not ok:
            return False
    return True


def _as_condition(cond: Any) -> Any:
    if cond == "always" or isinstance(cond, FindingCondition | AllCondition | AnyCondition | NotCondition):
        return cond
    from pydantic import TypeAdapter, ValidationError

    from svsna.definitions.evidence import Condition

    try:
        return TypeAdapter(Condition).validate_python(cond)
    except ValidationError as exc:
        raise ConfigError(f"condition {cond!r} is not valid: {exc.errors()[0]['msg']}") from None


def evaluate(cond: Any, findings: Sequence[Finding]) -> tuple[bool, list[Finding]]:
    """Whether ``cond`` holds for ``findings``, and the findings that made it hold."""
    cond = _as_condition(cond)
    if cond == "always":
        return True, []
    if isinstance(cond, AllCondition):
        got = [evaluate(c, findings) for c in cond.all]
        return all(ok for ok, _ in got), [f for _, fs in got for f in fs]
    if isinstance(cond, AnyCondition):
        got = [evaluate(c, findings) for c in cond.any]
        return any(ok for ok, _ in got), [f for ok, fs in got if ok for f in fs]
    if isinstance(cond, NotCondition):
        ok, _ = evaluate(cond.not_, findings)
        return not ok, []
    sig = cond.significance
    matches = [
        f
        for f in findings
        if f.key == cond.finding
        and (cond.section in (None, f.section))
        and (cond.definition in (None, f.definition))
        and (sig is None or f.significance in sig)
        and all(_passes(_lookup(f.numbers, k), t) for k, t in cond.where.items())
    ]
    return bool(matches), matches


class _Fields(dict):
    def __missing__(self, key: str) -> Any:
        raise KeyError(key)


class _NotAvailable:
    """A number the triggering finding does not have: written as "not available" whatever the format."""

    def __format__(self, spec: str) -> str:
        return "not available"

    def __str__(self) -> str:
        return "not available"


def _render(value: Any) -> Any:
    if value is None:
        return _NotAvailable()
    if isinstance(value, list | tuple):
        names = [str(v.get("name", v)) if isinstance(v, Mapping) else str(v) for v in value]
        if not names:
            return ""
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return value


def fill_text(
    rule: RecommendationRule | Mapping[str, Any],
    triggers: Sequence[Finding],
    area: str = "",
    extra: Mapping[str, Any] | None = None,
) -> str:
    """The rule's sentence with placeholders filled from the triggering findings' numbers
    (and ``{area}`` plus any ``extra`` fields, e.g. ``{under}``)."""
    rule = validate_rule(rule)
    fields = _Fields(area=area, period="", **(extra or {}))
    for f in reversed(triggers):  # the first trigger wins on a shared name
        fields.update({k: _render(v) for k, v in f.numbers.items()})
        if f.period:
            fields["period"] = f.period
    try:
        return rule.text.format_map(fields).strip()
    except KeyError as exc:
        raise ConfigError(
            f"recommendation rule {rule.id!r}: placeholder {{{exc.args[0]}}} is not a number of the "
            f"triggering finding(s) (available: {', '.join(sorted(fields))})",
            hint="fix the rule text",
        ) from None
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"recommendation rule {rule.id!r}: cannot format its text: {exc}") from None


def printed_numbers(rule: RecommendationRule | Mapping[str, Any], triggers: Sequence[Finding]) -> list[str]:
    """Where each number the rule's sentence prints comes from, in the order it prints them: the path
    (``triggered_by.0.numbers.ratio``) of each placeholder filled from a triggering finding (the first
    holding it, as :func:`fill_text` fills it). The public release rewrites each number by this reference
    instead of guessing it from its value.

    >>> from svsna.indicators import Finding
    >>> rule = {"id": "r", "level": "strategic", "when": {"finding": "k"}, "text": "{ratio:.1f} times; {persons}"}
    >>> printed_numbers(rule, [Finding("s", "k", "", {"ratio": 3.2}), Finding("s", "j", "", {"persons": 40})])
    ['triggered_by.0.numbers.ratio', 'triggered_by.1.numbers.persons']
    """
    import string

    rule = validate_rule(rule)
    out = []
    for _, name, _, _ in string.Formatter().parse(rule.text):
        name = (name or "").split(".")[0].split("[")[0]
        i = next((i for i, f in enumerate(triggers) if name and name in f.numbers), None)
        if i is not None:
            out.append(f"triggered_by.{i}.numbers.{name}")
    return out


def _cited(f: Finding) -> dict[str, Any]:
    return {
        "section": f.section,
        "key": f.key,
        "definition": f.definition,
        "period": f.period,
        "significance": f.significance,
        "indicators": list(f.indicators),
        "numbers": clean(dict(f.numbers)),
    }


def recommend(
    findings: Sequence[Finding],
    rules: Iterable[RecommendationRule | Mapping[str, Any]],
    area: str = "",
    extra: Mapping[str, Any] | None = None,
) -> list[Finding]:
    """Fire every rule whose condition holds; one ``recommendation`` finding per fired rule.

    Strategic recommendations come first, then intervention-level ones, each by ``order``
    (then file position); the fired ones are numbered 1, 2, ... in that order.
    """
    models = [validate_rule(r) for r in rules]
    fired = []
    for i, rule in enumerate(models):
        ok, triggers = evaluate(rule.when, findings)
        if ok:
            order = rule.order if rule.order is not None else 1000 + i
            fired.append((LEVELS.index(rule.level), order, i, rule, triggers))
    fired.sort(key=lambda t: t[:3])
    out = []
    for number, (_, order, _, rule, triggers) in enumerate(fired, start=1):
        keys = list(dict.fromkeys(f.key for f in triggers))
        out.append(
            Finding(
                section=SECTION,
                key="recommendation",
                text=fill_text(rule, triggers, area, extra),
                numbers=numbers(
                    n=len(triggers),
                    rule_id=rule.id,
                    number=number,
                    level=rule.level,
                    order=order,
                    standing=rule.standing,
                    finding_keys=keys,
                    rule_finding_keys=rule.finding_keys,
                    triggered_by=[_cited(f) for f in triggers],
                    printed=printed_numbers(rule, triggers),
                ),
                significance=Significance.NOT_COMPARED.value,
                area=area,
                indicators=tuple(sorted({ind for f in triggers for ind in f.indicators})),
            )
        )
    return out


def for_definition(findings: Iterable[Finding] | None, definition: str) -> list[Finding]:
    """Findings that belong to ``definition`` or to no definition (health, national data).

    >>> fs = [Finding("a", "k", "", definition="d1"), Finding("b", "k", "", definition="d2"), Finding("c", "k", "")]
    >>> [f.section for f in for_definition(fs, "d1")]
    ['a', 'c']
    """
    return [f for f in findings or [] if f.definition in ("", definition)]


def run(ctx: AnalysisContext, prior_findings: Sequence[Finding] | None = None) -> SectionResult:
    """Recommendations for the findings of every earlier section (police and health).

    Police findings of other definitions than ``ctx.definition`` are ignored, so that each
    definition gets its own recommendations.
    """
    rules = load_rules(rules_paths(ctx.config.base_dir))
    prior = for_definition(prior_findings, ctx.definition)
    findings = recommend(prior, rules, area=ctx.area_label, extra={"under": ctx.under})
    findings = [replace(f, definition=ctx.definition) for f in findings]
    return SectionResult(section=SECTION, indicators=empty_indicator_table(), findings=findings)
