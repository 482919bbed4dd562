"""Recommendations generated from findings by transparent rules kept as data.

Rules live in ``svsna/definitions/data/recommendation_rules.yaml``. Each rule says when it
fires (a condition on the findings produced by the other sections), its level
(``strategic`` or ``intervention``), its place in the list and the sentence to write, with
``{placeholders}`` filled from the numbers of the finding(s) that triggered it. Every
recommendation cites those findings, so a reader can see why it was made.

Condition grammar (YAML)::

    when: always                      # standing recommendation
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
>>> [r.text for r in recommend([f], [rule])]
['After-school peak at 15:00-15:59.']
>>> recommend([f], [{**rule, "when": {"finding": "peak_hour", "where": {"hour": {"gt": 20}}}}])
[]
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from svsna.errors import ConfigError
from svsna.indicators import Finding, SectionResult, empty_indicator_table

if TYPE_CHECKING:
    from svsna.analyses._base import AnalysisContext

__all__ = [
    "LEVELS",
    "REQUIRES",
    "SECTION",
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
LEVELS: tuple[str, ...] = ("strategic", "intervention")
TESTS: tuple[str, ...] = ("gt", "ge", "lt", "le", "eq", "ne", "between", "in", "contains", "nonempty", "is")
RULE_KEYS = {"id", "level", "order", "text", "when", "enabled", "note"}


# ------------------------------------------------------------------ loading rules
def _shipped_rules() -> Path:
    return Path(str(resources.files("svsna"))) / "definitions" / "data" / "recommendation_rules.yaml"


def rules_paths(base_dir: Path | None) -> list[Path]:
    """Local rule files applied over the shipped rules, in order."""
    out = []
    if base_dir is not None and (Path(base_dir) / "recommendation_rules.yaml").exists():
        out.append(Path(base_dir) / "recommendation_rules.yaml")
    env = os.environ.get("SVSNA_RECOMMENDATION_RULES")
    if env:
        if not Path(env).exists():
            raise ConfigError(f"SVSNA_RECOMMENDATION_RULES points to {env}, which does not exist")
        out.append(Path(env))
    return out


def _read_yaml(path: Path) -> dict[str, Any]:
    import yaml

    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping with 'recommendations' (and optionally 'needs', 'suppress')")
    return raw


def _check_condition(cond: Any, where: str) -> None:
    if cond == "always":
        return
    if not isinstance(cond, Mapping):
        raise ConfigError(f"{where}: a condition must be 'always' or a mapping, got {cond!r}")
    if "all" in cond or "any" in cond:
        key = "all" if "all" in cond else "any"
        if not isinstance(cond[key], list) or not cond[key]:
            raise ConfigError(f"{where}: '{key}' needs a non-empty list of conditions")
        for i, c in enumerate(cond[key]):
            _check_condition(c, f"{where}.{key}[{i}]")
        return
    if "not" in cond:
        _check_condition(cond["not"], f"{where}.not")
        return
    if "finding" not in cond:
        raise ConfigError(f"{where}: a condition needs 'finding: <key>' (or all/any/not/always); got {dict(cond)}")
    extra = set(cond) - {"finding", "section", "significance", "where", "definition"}
    if extra:
        raise ConfigError(f"{where}: unknown condition field(s) {sorted(extra)}")
    for name, test in (cond.get("where") or {}).items():
        if isinstance(test, Mapping):
            bad = set(test) - set(TESTS)
            if bad:
                raise ConfigError(f"{where}.where.{name}: unknown test(s) {sorted(bad)}; use one of {', '.join(TESTS)}")


def validate_rules(rules: Sequence[Mapping[str, Any]], source: str, kind: str = "recommendations") -> None:
    """Raise :class:`ConfigError` naming the file, rule and field for the first bad rule."""
    seen = set()
    for i, rule in enumerate(rules):
        where = f"{source}: {kind}[{i}]"
        if not isinstance(rule, Mapping) or "id" not in rule:
            raise ConfigError(f"{where}: every rule needs an 'id'")
        where = f"{source}: rule {rule['id']!r}"
        if rule["id"] in seen:
            raise ConfigError(f"{where}: duplicate id; hint: give each rule a unique id")
        seen.add(rule["id"])
        if kind == "recommendations":
            extra = set(rule) - RULE_KEYS
            if extra:
                raise ConfigError(f"{where}: unknown field(s) {sorted(extra)}; allowed: {sorted(RULE_KEYS)}")
            if rule.get("level") not in LEVELS:
                raise ConfigError(f"{where}: level {rule.get('level')!r} must be one of {list(LEVELS)}")
            if not isinstance(rule.get("text"), str) or not rule["text"].strip():
                raise ConfigError(f"{where}: 'text' (the recommendation sentence) is missing")
        if "when" not in rule:
            raise ConfigError(f"{where}: 'when' is missing (use 'when: always' for a standing rule)")
        _check_condition(rule["when"], f"{where}.when")


def load_rules(extra: Iterable[Path] | None = None, kind: str = "recommendations") -> list[dict[str, Any]]:
    """Shipped rules of ``kind`` (``recommendations`` or ``needs``) merged with local files.

    Local rules replace shipped rules with the same id and add new ones; ``suppress: [ids]``
    and ``enabled: false`` switch rules off; ``replace_defaults: true`` drops the shipped rules.
    """
    shipped = _shipped_rules()
    raw = _read_yaml(shipped)
    rules = list(raw.get(kind) or [])
    validate_rules(rules, str(shipped), kind)
    suppressed: set[str] = set()
    for path in extra or []:
        local = _read_yaml(path)
        unknown = set(local) - {"recommendations", "needs", "suppress", "replace_defaults", "format_version"}
        if unknown:
            raise ConfigError(f"{path}: unknown top-level key(s) {sorted(unknown)}")
        mine = list(local.get(kind) or [])
        validate_rules(mine, str(path), kind)
        if local.get("replace_defaults"):
            rules = []
        ids = {r["id"] for r in mine}
        rules = [r for r in rules if r["id"] not in ids] + mine
        suppressed |= set(local.get("suppress") or [])
    return [r for r in rules if r["id"] not in suppressed and r.get("enabled", True)]


# ---------------------------------------------------------------- evaluating rules
def _lookup(numbers: Mapping[str, Any], path: str) -> Any:
    cur: Any = numbers
    for part in path.split("."):
        if not isinstance(cur, Mapping) or part not in cur:
            return None
        cur = cur[part]
    return cur


def _passes(value: Any, test: Any) -> bool:
    if not isinstance(test, Mapping):
        return value == test
    for op, arg in test.items():
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
            ok = {
                "gt": value > arg,
                "ge": value >= arg,
                "lt": value < arg,
                "le": value <= arg,
                "eq": value == arg,
                "ne": value != arg,
            }[op]
        if not ok:
            return False
    return True


def evaluate(cond: Any, findings: Sequence[Finding]) -> tuple[bool, list[Finding]]:
    """Whether ``cond`` holds for ``findings``, and the findings that made it hold."""
    if cond == "always":
        return True, []
    if "all" in cond:
        got = [evaluate(c, findings) for c in cond["all"]]
        return all(ok for ok, _ in got), [f for ok, fs in got for f in fs]
    if "any" in cond:
        got = [evaluate(c, findings) for c in cond["any"]]
        return any(ok for ok, _ in got), [f for ok, fs in got if ok for f in fs]
    if "not" in cond:
        ok, _ = evaluate(cond["not"], findings)
        return not ok, []
    sig = cond.get("significance")
    sig = [sig] if isinstance(sig, str) else sig
    matches = [
        f
        for f in findings
        if f.key == cond["finding"]
        and (cond.get("section") in (None, f.section))
        and (cond.get("definition") in (None, f.definition))
        and (sig is None or f.significance in sig)
        and all(_passes(_lookup(f.numbers, k), t) for k, t in (cond.get("where") or {}).items())
    ]
    return bool(matches), matches


class _Fields(dict):
    def __missing__(self, key: str) -> Any:
        raise KeyError(key)


def _render(value: Any) -> Any:
    if isinstance(value, list | tuple):
        names = [str(v.get("name", v)) if isinstance(v, Mapping) else str(v) for v in value]
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1] if names else ""
    return value


def fill_text(
    rule: Mapping[str, Any], triggers: Sequence[Finding], area: str = "", extra: Mapping[str, Any] | None = None
) -> str:
    """The rule's sentence with placeholders filled from the triggering findings' numbers
    (and ``{area}`` plus any ``extra`` fields, e.g. ``{under}``)."""
    fields = _Fields(area=area, **(extra or {}))
    for f in reversed(triggers):  # the first trigger wins on a shared name
        fields.update({k: _render(v) for k, v in f.numbers.items()})
        fields.setdefault("period", f.period)
    try:
        return rule["text"].format_map(fields).strip()
    except KeyError as exc:
        raise ConfigError(
            f"recommendation rule {rule['id']!r}: placeholder {{{exc.args[0]}}} is not a number of the "
            f"triggering finding(s) (available: {', '.join(sorted(fields))}); hint: fix the rule text"
        ) from None
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"recommendation rule {rule['id']!r}: cannot format its text: {exc}") from None


def recommend(
    findings: Sequence[Finding],
    rules: Sequence[Mapping[str, Any]],
    area: str = "",
    extra: Mapping[str, Any] | None = None,
) -> list[Finding]:
    """Fire every rule whose condition holds; one ``recommendation`` finding per fired rule.

    Strategic recommendations come first, then intervention-level ones, each in ``order``.
    """
    validate_rules(rules, "rules given to recommend()")
    out = []
    for i, rule in enumerate(rules):
        ok, triggers = evaluate(rule["when"], findings)
        if not ok:
            continue
        cited = [{"section": f.section, "key": f.key, "text": f.text, "numbers": dict(f.numbers)} for f in triggers]
        out.append(
            (
                LEVELS.index(rule["level"]),
                rule.get("order", 1000 + i),
                Finding(
                    section=SECTION,
                    key="recommendation",
                    text=fill_text(rule, triggers, area, extra),
                    numbers={
                        "rule_id": rule["id"],
                        "level": rule["level"],
                        "order": rule.get("order", 1000 + i),
                        "triggered_by": cited,
                    },
                    area=area,
                    indicators=sorted({ind for f in triggers for ind in f.indicators}),
                ),
            )
        )
    return [f for _, _, f in sorted(out, key=lambda t: (t[0], t[1]))]


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
